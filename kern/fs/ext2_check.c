/*
 * kern/fs/ext2_check.c - the ext2 consistency checker: what e2fsck's
 * first passes verify, in the kernel, after every test suite.
 *
 * It rebuilds the block bitmap from first principles and compares:
 *
 *   expected used = each group's superblock copy, descriptor table and
 *                   reserved descriptor blocks (groups with a backup),
 *                   its two bitmaps and inode table
 *                 + every block of every in-use inode (data, indirect,
 *                   its extended-attribute block)
 *   bitmap bit i  must equal expected bit i; a block reached twice is
 *                 a cross-link; each group's free count and the
 *                 superblock's must equal the clear bits.
 *
 * Then the inodes: in use in the bitmap iff it has links (reserved
 * inodes always in use), the free-inode and directory counts, every
 * directory entry naming an in-use inode, and each inode's link count
 * equal to the entries naming it ("." and ".." included).  The resize
 * inode (7) is not walked: but for its double-indirect block, its
 * blocks are the reserved descriptor blocks counted above.
 *
 * Locking: takes e2_lock.  Memory: one bit per block and two bytes per
 * inode, for the duration of the check.
 */
#include "kern/fs/ext2_fs.h"
#include "kern/lib/errno.h"
#include "kern/lib/errname.h"
#include "kern/lib/string.h"
#include "uvm/uvm_km.h"

#define EXT2_RESIZE_INO 7

struct ck {
	struct ext2_fs *fs;
	kprint_fn pr;
	uint8_t *used;                  /* expected block bitmap */
	uint16_t *links;                /* entries naming each inode */
	int problems;
};

static bool
ck_bit(const uint8_t *m, uint64_t i)
{
	return (m[i / 8] >> (i % 8)) & 1;
}

/* Mark block b used by what (an inode number, 0: metadata). */
static void
ck_mark(struct ck *ck, uint64_t b, uint32_t what)
{
	if (b >= ck->fs->e2_sb.s_blocks_count) {
		ck->pr("ext2 check: inode %u: block %lu past the end\n", what, b);
		ck->problems++;
		return;
	}
	if (ck_bit(ck->used, b)) {
		ck->pr("ext2 check: block %lu used twice (inode %u)\n", b, what);
		ck->problems++;
	}
	ck->used[b / 8] |= (uint8_t)(1u << (b % 8));
}

static void
ck_metadata(struct ck *ck)
{
	struct ext2_fs *fs = ck->fs;
	uint32_t itb = fs->e2_sb.s_inodes_per_group / fs->e2_ipb;

	for (uint64_t b = 0; b < fs->e2_sb.s_first_data_block; b++)
		ck_mark(ck, b, 0);      /* block 0 with 1 KiB blocks: outside groups */
	for (uint32_t g = 0; g < fs->e2_ngroups; g++) {
		uint64_t first = ext2_fs_group_first(fs, g);
		if (ext2_fs_group_has_super(fs, g)) {
			uint32_t n = 1 + fs->e2_gdblocks + fs->e2_sb.s_reserved_gdt_blocks;
			for (uint32_t i = 0; i < n; i++)
				ck_mark(ck, first + i, 0);
		}
		ck_mark(ck, fs->e2_gd[g].bg_block_bitmap, 0);
		ck_mark(ck, fs->e2_gd[g].bg_inode_bitmap, 0);
		for (uint32_t i = 0; i < itb; i++)
			ck_mark(ck, fs->e2_gd[g].bg_inode_table + i, 0);
	}
}

/* Mark a block tree (level 0: a data block); count blocks in *nb. */
static void
ck_tree(struct ck *ck, uint32_t ino, uint32_t p, int level, uint64_t *nb)
{
	struct ext2_fs *fs = ck->fs;
	struct buf *bp;

	if (p == 0)
		return;
	ck_mark(ck, p, ino);
	(*nb)++;
	if (level == 0 || p >= fs->e2_sb.s_blocks_count)
		return;
	if (bcache_read(&fs->e2_bc, p, &bp) != 0) {
		ck->pr("ext2 check: inode %u: cannot read block %u\n", ino, p);
		ck->problems++;
		return;
	}
	for (uint32_t i = 0; i < fs->e2_apb; i++)
		ck_tree(ck, ino, ((uint32_t *)bp->b_data)[i], level - 1, nb);
	bcache_release(&fs->e2_bc, bp);
}

static void
ck_inode_blocks(struct ck *ck, uint32_t ino, const struct ext2_dinode *di)
{
	uint32_t acl = di->i_file_acl ? ck->fs->e2_bsize / 512 : 0;
	uint64_t nb = 0;

	if (ino == EXT2_RESIZE_INO) {
		/* Its double-indirect block, in the data area; what that
		 * points to are the reserved descriptor blocks, counted. */
		if (di->i_block[EXT2_DIND] != 0)
			ck_mark(ck, di->i_block[EXT2_DIND], ino);
		return;
	}
	if (EXT2_ISLNK(di->i_mode) && di->i_blocks == acl)
		return;                 /* fast symlink: i_block holds the target */
	if ((di->i_mode & EXT2_S_IFMT) == EXT2_S_IFCHR ||
	    (di->i_mode & EXT2_S_IFMT) == EXT2_S_IFBLK)
		return;                 /* device numbers in i_block */
	for (int i = 0; i < EXT2_NDIR; i++)
		ck_tree(ck, ino, di->i_block[i], 0, &nb);
	for (int l = 1; l <= 3; l++)
		ck_tree(ck, ino, di->i_block[EXT2_NDIR + l - 1], l, &nb);
	if (di->i_file_acl)
		ck_tree(ck, ino, di->i_file_acl, 0, &nb);
	if (nb * (ck->fs->e2_bsize / 512) != di->i_blocks) {
		ck->pr("ext2 check: inode %u: i_blocks %u, has %lu blocks\n",
		    ino, di->i_blocks, nb);
		ck->problems++;
	}
}

/* Count the entries of directory ino into ck->links. */
static void
ck_dir(struct ck *ck, uint32_t ino)
{
	struct ext2_node *dn;
	char name[EXT2_NAME_MAX + 1];
	uint64_t cookie = 0;
	uint32_t child;
	uint8_t type;
	size_t len;
	int r;

	if (ext2_node_load(ck->fs, ino, &dn) != 0)
		return;                 /* reported by the inode pass */
	while ((r = ext2_dir_read(dn, cookie, &child, &type, name, &len, &cookie)) == 0) {
		bool inuse = false;
		if (ext2_bit_test(ck->fs, true, child, &inuse) != 0 || !inuse) {
			ck->pr("ext2 check: dir %u: entry %s names free inode %u\n",
			    ino, name, child);
			ck->problems++;
		} else if (ck->links[child] < UINT16_MAX) {
			ck->links[child]++;
		}
	}
	if (r < 0) {
		ck->pr("ext2 check: dir %u: corrupt: " ERRNO_FMT "\n", ino, ERRNO_ARGS(r));
		ck->problems++;
	}
	ext2_node_free(dn);
}

/* One inode: bitmap vs. links, its blocks; counts free and dirs. */
static void
ck_inode(struct ck *ck, uint32_t ino, uint32_t *nfree, uint32_t *ndirs)
{
	struct ext2_dinode di;
	bool inuse = false;

	if (ext2_bit_test(ck->fs, true, ino, &inuse) != 0 ||
	    ext2_iread(ck->fs, ino, &di) != 0) {
		ck->pr("ext2 check: inode %u unreadable\n", ino);
		ck->problems++;
		return;
	}
	if (!inuse) {
		(*nfree)++;
		return;
	}
	if (ino >= ck->fs->e2_first_ino || ino == EXT2_ROOT_INO) {
		if (di.i_links_count == 0 || di.i_dtime != 0) {
			ck->pr("ext2 check: inode %u in use with %u links, dtime %u\n",
			    ino, di.i_links_count, di.i_dtime);
			ck->problems++;
			return;
		}
		*ndirs += EXT2_ISDIR(di.i_mode);
	}
	if (di.i_links_count != 0)
		ck_inode_blocks(ck, ino, &di);
}

static void
ck_inodes(struct ck *ck)
{
	struct ext2_fs *fs = ck->fs;
	uint32_t ipg = fs->e2_sb.s_inodes_per_group, total = 0;

	for (uint32_t g = 0; g < fs->e2_ngroups; g++) {
		uint32_t nfree = 0, ndirs = 0;
		for (uint32_t i = 0; i < ipg; i++)
			ck_inode(ck, g * ipg + i + 1, &nfree, &ndirs);
		if (nfree != fs->e2_gd[g].bg_free_inodes_count ||
		    ndirs != fs->e2_gd[g].bg_used_dirs_count) {
			ck->pr("ext2 check: group %u: %u free inodes, %u dirs; "
			    "descriptor says %u, %u\n", g, nfree, ndirs,
			    fs->e2_gd[g].bg_free_inodes_count,
			    fs->e2_gd[g].bg_used_dirs_count);
			ck->problems++;
		}
		total += nfree;
	}
	if (total != fs->e2_sb.s_free_inodes_count) {
		ck->pr("ext2 check: %u free inodes, superblock says %u\n",
		    total, fs->e2_sb.s_free_inodes_count);
		ck->problems++;
	}
}

/* The block bitmaps against ck->used, and the free counts. */
static void
ck_bitmaps(struct ck *ck)
{
	struct ext2_fs *fs = ck->fs;
	uint32_t total = 0;
	struct buf *bp;

	for (uint32_t g = 0; g < fs->e2_ngroups; g++) {
		uint64_t first = ext2_fs_group_first(fs, g);
		uint32_t n = ext2_fs_group_nblocks(fs, g), nfree = 0;
		if (bcache_read(&fs->e2_bc, fs->e2_gd[g].bg_block_bitmap, &bp) != 0) {
			ck->pr("ext2 check: group %u: bitmap unreadable\n", g);
			ck->problems++;
			continue;
		}
		for (uint32_t i = 0; i < n; i++) {
			bool set = ck_bit(bp->b_data, i);
			nfree += !set;
			if (set != ck_bit(ck->used, first + i)) {
				ck->pr("ext2 check: block %lu: bitmap says %s\n",
				    first + i, set ? "used, nothing uses it" : "free, but in use");
				ck->problems++;
			}
		}
		bcache_release(&fs->e2_bc, bp);
		if (nfree != fs->e2_gd[g].bg_free_blocks_count) {
			ck->pr("ext2 check: group %u: %u free blocks, descriptor says %u\n",
			    g, nfree, fs->e2_gd[g].bg_free_blocks_count);
			ck->problems++;
		}
		total += nfree;
	}
	if (total != fs->e2_sb.s_free_blocks_count) {
		ck->pr("ext2 check: %u free blocks, superblock says %u\n",
		    total, fs->e2_sb.s_free_blocks_count);
		ck->problems++;
	}
}

/* Each in-use inode's link count against the entries naming it. */
static void
ck_links(struct ck *ck)
{
	struct ext2_fs *fs = ck->fs;
	struct ext2_dinode di;
	bool inuse;

	for (uint32_t ino = 1; ino <= fs->e2_sb.s_inodes_count; ino++) {
		if ((ino < fs->e2_first_ino && ino != EXT2_ROOT_INO) ||
		    ext2_bit_test(fs, true, ino, &inuse) != 0 || !inuse ||
		    ext2_iread(fs, ino, &di) != 0 || !EXT2_ISDIR(di.i_mode))
			continue;
		ck_dir(ck, ino);
	}
	for (uint32_t ino = 1; ino <= fs->e2_sb.s_inodes_count; ino++) {
		if ((ino < fs->e2_first_ino && ino != EXT2_ROOT_INO) ||
		    ext2_bit_test(fs, true, ino, &inuse) != 0 || !inuse ||
		    ext2_iread(fs, ino, &di) != 0 || di.i_links_count == ck->links[ino])
			continue;
		ck->pr("ext2 check: inode %u: %u links, %u entries name it\n",
		    ino, di.i_links_count, ck->links[ino]);
		ck->problems++;
	}
}

/*
 * ext2_fs_check - the consistency checker (see the top of this file).
 *  => e2_lock not held (taken); may sleep; returns the problems found,
 *     each printed with pr (-ENOMEM counts as one).
 */
int
ext2_fs_check(struct ext2_fs *fs, kprint_fn pr)
{
	size_t usedsz = fs->e2_sb.s_blocks_count / 8 + 1;
	size_t linksz = (fs->e2_sb.s_inodes_count + 1) * sizeof(uint16_t);
	struct ck ck = { .fs = fs, .pr = pr };

	ck.used = kmem_zalloc(usedsz);
	ck.links = kmem_zalloc(linksz);
	if (ck.used != NULL && ck.links != NULL) {
		mutex_enter(&fs->e2_lock);
		ck_metadata(&ck);
		ck_inodes(&ck);
		ck_bitmaps(&ck);
		ck_links(&ck);
		mutex_exit(&fs->e2_lock);
	} else {
		pr("ext2 check: no memory\n");
		ck.problems++;
	}
	if (ck.used != NULL)
		kmem_free(ck.used, usedsz);
	if (ck.links != NULL)
		kmem_free(ck.links, linksz);
	return ck.problems + bcache_check(&fs->e2_bc, pr);
}
