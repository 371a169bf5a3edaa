/*
 * kern/fs/ext2_inode.c - inodes: reading and writing them in the inode
 * tables, the block map (file block -> disk block, allocating on
 * demand), truncation, creating and deleting files, symlink targets.
 *
 * The block map of a file with 1 KiB blocks (apb = 256 addresses per
 * indirect block), asked for file block 300:
 *
 *   300 >= 12 direct, 300 - 12 = 288 >= 256 single-indirect entries,
 *   288 - 256 = 32 < 256 * 256: in the double-indirect tree at index
 *   32 / 256 = 0, then 32 % 256 = 32:
 *
 *   i_block[13] = 900 -> block 900 [0] = 901 -> block 901 [32] = 5000
 *
 * so file block 300 is disk block 5000.  A 0 anywhere on the path is a
 * hole; with alloc the missing indirect blocks (zeroed) and the data
 * block are allocated on the way, the data block near the file's
 * previous one.  i_blocks counts every block, indirect ones too, in
 * 512-byte units.  A pointer outside the data area is corruption: -EIO.
 *
 * Truncation walks the same trees from the end: every data block at or
 * past the new end is freed, and each indirect block whose entries are
 * all gone is freed with them.
 *
 * A node's inode copy (n_di) is the truth while the node exists;
 * ext2_node_update writes it into the cached inode-table block.
 *
 * Locking: e2_lock held by the caller unless a function says otherwise.
 */
#include "kern/fs/ext2_fs.h"
#include "dev/blk.h"
#include "kern/core/clock.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"

#define EXT2_EPOCH_AT_BOOT 1767225600u  /* as CLOCK_REALTIME: 2026-01-01 */
#define EXT2_FAST_LINK_MAX (EXT2_NBLOCKS * 4)

/* ext2_now - seconds since 1970 for inode times. */
uint32_t
ext2_now(void)
{
	return EXT2_EPOCH_AT_BOOT + (uint32_t)(clock_ns() / 1000000000ull);
}

/* Where inode ino lives: *blkp and the byte offset in that block. */
static int
inode_locate(struct ext2_fs *fs, uint32_t ino, uint32_t *blkp, uint32_t *offp)
{
	uint32_t ipg = fs->e2_sb.s_inodes_per_group, idx;

	if (ino == 0 || ino > fs->e2_sb.s_inodes_count)
		return -EIO;
	idx = (ino - 1) % ipg;
	*blkp = fs->e2_gd[(ino - 1) / ipg].bg_inode_table + idx / fs->e2_ipb;
	*offp = idx % fs->e2_ipb * fs->e2_isize;
	return 0;
}

/*
 * ext2_iread - the on-disk inode ino (its first 128 bytes) into *di.
 *  => e2_lock held; 0; -EIO (ino 0 or past s_inodes_count, read error).
 */
int
ext2_iread(struct ext2_fs *fs, uint32_t ino, struct ext2_dinode *di)
{
	uint32_t blk, off;
	struct buf *bp;
	int error;

	KASSERT(mutex_owned(&fs->e2_lock));
	error = inode_locate(fs, ino, &blk, &off);
	if (error == 0)
		error = bcache_read(&fs->e2_bc, blk, &bp);
	if (error != 0)
		return error;
	memcpy(di, (char *)bp->b_data + off, sizeof(*di));
	bcache_release(&fs->e2_bc, bp);
	return 0;
}

/* ext2_iwrite - store *di as inode ino (into the cached table block). */
int
ext2_iwrite(struct ext2_fs *fs, uint32_t ino, const struct ext2_dinode *di)
{
	uint32_t blk, off;
	struct buf *bp;
	int error;

	KASSERT(mutex_owned(&fs->e2_lock));
	if (fs->e2_rdonly)
		return -EROFS;
	error = inode_locate(fs, ino, &blk, &off);
	if (error == 0)
		error = bcache_read(&fs->e2_bc, blk, &bp);
	if (error != 0)
		return error;
	memcpy((char *)bp->b_data + off, di, sizeof(*di));
	bcache_dirty(&fs->e2_bc, bp);
	bcache_release(&fs->e2_bc, bp);
	return 0;
}

/* Zero a whole inode slot (a new inode's bytes past 128 too). */
static int
inode_clear_slot(struct ext2_fs *fs, uint32_t ino)
{
	uint32_t blk, off;
	struct buf *bp;
	int error;

	error = inode_locate(fs, ino, &blk, &off);
	if (error == 0)
		error = bcache_read(&fs->e2_bc, blk, &bp);
	if (error != 0)
		return error;
	memset((char *)bp->b_data + off, 0, fs->e2_isize);
	bcache_dirty(&fs->e2_bc, bp);
	bcache_release(&fs->e2_bc, bp);
	return 0;
}

/* ext2_node_update - write n's inode copy back.  => e2_lock held. */
int
ext2_node_update(struct ext2_node *n)
{
	return ext2_iwrite(n->n_fs, n->n_ino, &n->n_di);
}

/* ext2_node_size - the file's length in bytes. */
uint64_t
ext2_node_size(const struct ext2_node *n)
{
	uint64_t size = n->n_di.i_size;

	if (EXT2_ISREG(n->n_di.i_mode))
		size |= (uint64_t)n->n_di.i_size_high << 32;
	return size;
}

/* ext2_node_set_size - set the length (the caller writes the inode). */
void
ext2_node_set_size(struct ext2_node *n, uint64_t size)
{
	struct ext2_fs *fs = n->n_fs;

	n->n_di.i_size = (uint32_t)size;
	if (EXT2_ISREG(n->n_di.i_mode))
		n->n_di.i_size_high = (uint32_t)(size >> 32);
	if (size >= (1ull << 31) && fs->e2_sb.s_rev_level >= 1 &&
	    !(fs->e2_sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
		fs->e2_sb.s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
		fs->e2_sbdirty = true;
	}
}

/* Whether an in-use inode's contents are plausible. */
static bool
inode_valid(struct ext2_fs *fs, const struct ext2_dinode *di)
{
	uint32_t type = di->i_mode & EXT2_S_IFMT;

	if (di->i_links_count == 0 || di->i_dtime != 0)
		return false;
	if (type != EXT2_S_IFREG && type != EXT2_S_IFDIR && type != EXT2_S_IFLNK &&
	    type != EXT2_S_IFCHR && type != EXT2_S_IFBLK && type != EXT2_S_IFIFO &&
	    type != EXT2_S_IFSOCK)
		return false;
	if (type == EXT2_S_IFDIR && (di->i_size == 0 || di->i_size % fs->e2_bsize))
		return false;
	return true;
}

/*
 * ext2_node_load - a node for inode ino, which must be in use.
 *  => e2_lock held; 0 and *np (free with ext2_node_free); -EIO when ino
 *     is out of range, not in use, or its inode is implausible; -ENOMEM.
 */
int
ext2_node_load(struct ext2_fs *fs, uint32_t ino, struct ext2_node **np)
{
	struct ext2_node *n;
	bool inuse;
	int error;

	KASSERT(mutex_owned(&fs->e2_lock));
	if (ino == 0 || ino > fs->e2_sb.s_inodes_count)
		return -EIO;
	error = ext2_bit_test(fs, true, ino, &inuse);
	if (error != 0)
		return error == -EINVAL ? -EIO : error;
	if (!inuse)
		return -EIO;
	n = kmem_zalloc(sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	n->n_fs = fs;
	n->n_ino = ino;
	error = ext2_iread(fs, ino, &n->n_di);
	if (error == 0 && !inode_valid(fs, &n->n_di))
		error = -EIO;
	if (error != 0) {
		kmem_free(n, sizeof(*n));
		return error;
	}
	*np = n;
	return 0;
}

/* ext2_node_free - forget a node (the inode stays as it is on disk). */
void
ext2_node_free(struct ext2_node *n)
{
	kmem_free(n, sizeof(*n));
}

/* A block pointer read from the disk, checked.  0 is a hole. */
static int
ptr_check(struct ext2_fs *fs, uint32_t p)
{
	if (p == 0)
		return 0;
	if (p <= fs->e2_sb.s_first_data_block || p >= fs->e2_sb.s_blocks_count)
		return -EIO;
	return 0;
}

/* Allocate one block for n near goal, counted in i_blocks. */
static int
node_blkalloc(struct ext2_node *n, uint32_t goal, uint32_t *bnop)
{
	struct ext2_fs *fs = n->n_fs;
	int error;

	if (goal == 0)
		goal = n->n_lastblk != 0 ? n->n_lastblk + 1 :
		    (uint32_t)ext2_fs_group_first(fs, (n->n_ino - 1) /
		    fs->e2_sb.s_inodes_per_group);
	error = ext2_blkalloc(fs, goal, bnop);
	if (error != 0)
		return error;
	n->n_lastblk = *bnop;
	n->n_di.i_blocks += fs->e2_bsize / 512;
	return 0;
}

/* A new indirect block: allocated and zeroed in the cache. */
static int
node_indalloc(struct ext2_node *n, uint32_t *bnop)
{
	struct buf *bp;
	int error;

	error = node_blkalloc(n, 0, bnop);
	if (error != 0)
		return error;
	error = bcache_get(&n->n_fs->e2_bc, *bnop, &bp);
	if (error != 0)
		return error;   /* the block stays allocated: truncate frees it */
	bcache_release(&n->n_fs->e2_bc, bp);
	return 0;
}

/* The path to file block lbn: the i_block slot and up to 3 indices. */
static int
bmap_path(struct ext2_fs *fs, uint64_t lbn, int *slotp, uint32_t idx[3])
{
	uint64_t apb = fs->e2_apb;

	if (lbn < EXT2_NDIR) {
		*slotp = (int)lbn;
		return 0;
	}
	lbn -= EXT2_NDIR;
	if (lbn < apb) {
		*slotp = EXT2_IND;
		idx[0] = (uint32_t)lbn;
		return 1;
	}
	lbn -= apb;
	if (lbn < apb * apb) {
		*slotp = EXT2_DIND;
		idx[0] = (uint32_t)(lbn / apb);
		idx[1] = (uint32_t)(lbn % apb);
		return 2;
	}
	lbn -= apb * apb;
	if (lbn < apb * apb * apb) {
		*slotp = EXT2_TIND;
		idx[0] = (uint32_t)(lbn / (apb * apb));
		idx[1] = (uint32_t)(lbn / apb % apb);
		idx[2] = (uint32_t)(lbn % apb);
		return 3;
	}
	return -EFBIG;
}

/* One step down the tree: entry i of indirect block ind, allocating
 * (an indirect block if more levels follow, else data) if missing. */
static int
bmap_step(struct ext2_node *n, uint32_t ind, uint32_t i, bool alloc,
    bool leaf, uint32_t *nextp)
{
	struct ext2_fs *fs = n->n_fs;
	struct buf *bp;
	uint32_t *ent;
	int error;

	error = bcache_read(&fs->e2_bc, ind, &bp);
	if (error != 0)
		return error;
	ent = (uint32_t *)bp->b_data + i;
	error = ptr_check(fs, *ent);
	if (error == 0 && *ent == 0 && alloc) {
		error = leaf ? node_blkalloc(n, 0, ent) : node_indalloc(n, ent);
		if (error == 0)
			bcache_dirty(&fs->e2_bc, bp);
	}
	*nextp = error == 0 ? *ent : 0;
	bcache_release(&fs->e2_bc, bp);
	return error;
}

/*
 * ext2_bmap - the disk block of file block lbn (0: a hole), allocating
 * what is missing when alloc (the inode is then written back).
 *  => e2_lock held; may sleep; 0 and *pbnp; -EIO (a pointer out of
 *     range), -ENOSPC, -EFBIG (past the triple-indirect tree).
 */
int
ext2_bmap(struct ext2_node *n, uint64_t lbn, bool alloc, uint32_t *pbnp)
{
	struct ext2_fs *fs = n->n_fs;
	uint32_t idx[3], p, before = n->n_di.i_blocks;
	int slot, levels, error;

	KASSERT(mutex_owned(&fs->e2_lock));
	levels = bmap_path(fs, lbn, &slot, idx);
	if (levels < 0)
		return levels;
	p = n->n_di.i_block[slot];
	error = ptr_check(fs, p);
	if (error == 0 && p == 0 && alloc)
		error = levels == 0 ? node_blkalloc(n, 0, &p) : node_indalloc(n, &p);
	if (error == 0)
		n->n_di.i_block[slot] = p;
	for (int l = 0; l < levels && error == 0 && p != 0; l++)
		error = bmap_step(n, p, idx[l], alloc, l == levels - 1, &p);
	if (n->n_di.i_blocks != before) {
		int e = ext2_node_update(n);
		if (error == 0)
			error = e;
	}
	*pbnp = error == 0 ? p : 0;
	return error;
}

#define EXT2_RUN_MAX 64         /* blocks one bmap_run looks at */

/*
 * ext2_bmap_run - the pager's question (uvm_vnode.h's uvn_bmap) for
 * file offset off (a page boundary, or inside a page the block after a
 * previous run): the disk byte address and how many bytes from there
 * are contiguous on disk and in the file (the run of the file's last
 * block ends with that block), or UVN_HOLE and the hole's length.  With
 * alloc the block at off is allocated, next to the file's previous one.
 *  => e2_lock not held (taken); may sleep; 0, -ENOSPC, -EIO, -EFBIG.
 */
int
ext2_bmap_run(struct ext2_node *n, uint64_t off, bool alloc,
    uint64_t *daddr, size_t *run)
{
	struct ext2_fs *fs = n->n_fs;
	uint32_t bs = fs->e2_bsize, pbn = 0, first = 0;
	uint64_t lbn = off / bs, endlbn, nb;
	int error;

	mutex_enter(&fs->e2_lock);
	endlbn = MAX((ext2_node_size(n) + bs - 1) / bs, lbn + 1);
	error = ext2_bmap(n, lbn, alloc, &first);
	/* Count the blocks that continue like the first (mapped or hole). */
	for (nb = 1; error == 0 && nb < EXT2_RUN_MAX && lbn + nb < endlbn; nb++) {
		error = ext2_bmap(n, lbn + nb, false, &pbn);
		if (error == 0 && (first == 0 ? pbn != 0 : pbn != first + nb))
			break;
	}
	mutex_exit(&fs->e2_lock);
	if (error != 0)
		return error;
	*daddr = first == 0 ? UVN_HOLE : (uint64_t)first * bs + off % bs;
	*run = nb * bs - off % bs;
	return 0;
}

/* Free block *p (data, or an indirect tree of `level` levels whose
 * first file block is base) from file block keep on; *p becomes 0 if
 * the whole tree went.  *dirty is set if *p changed. */
static int
trunc_tree(struct ext2_node *n, uint32_t *p, int level, uint64_t base,
    uint64_t keep, bool *dirty)
{
	struct ext2_fs *fs = n->n_fs;
	uint64_t span = 1;
	struct buf *bp;
	bool bdirty = false;
	int error;

	for (int l = 1; l < level; l++)
		span *= fs->e2_apb;
	if (*p == 0 || base + span * (level ? fs->e2_apb : 1) <= keep)
		return 0;               /* nothing here, or all of it stays */
	error = ptr_check(fs, *p);
	if (error != 0)
		return error;
	if (level > 0) {
		error = bcache_read(&fs->e2_bc, *p, &bp);
		if (error != 0)
			return error;
		uint32_t *ents = bp->b_data;
		for (uint32_t i = 0; i < fs->e2_apb && error == 0; i++)
			error = trunc_tree(n, &ents[i], level - 1, base + i * span,
			    keep, &bdirty);
		if (bdirty)
			bcache_dirty(&fs->e2_bc, bp);
		bcache_release(&fs->e2_bc, bp);
		if (error != 0 || base < keep)
			return error;   /* part of the tree stays */
	}
	error = ext2_blkfree(fs, *p);
	if (error != 0)
		return error;
	n->n_di.i_blocks -= MIN(n->n_di.i_blocks, fs->e2_bsize / 512);
	*p = 0;
	*dirty = true;
	return 0;
}

/*
 * ext2_truncate_blocks - free n's blocks past size bytes (the length
 * itself is the caller's to set).  A fast symlink has none.
 *  => e2_lock held; may sleep; 0; -EIO (a corrupt pointer: the blocks
 *     before it are freed, the rest stay).
 */
int
ext2_truncate_blocks(struct ext2_node *n, uint64_t size)
{
	struct ext2_fs *fs = n->n_fs;
	uint64_t keep = (size + fs->e2_bsize - 1) / fs->e2_bsize;
	uint64_t apb = fs->e2_apb, base = EXT2_NDIR;
	bool dirty = false;
	int error = 0;

	KASSERT(mutex_owned(&fs->e2_lock));
	if (EXT2_ISLNK(n->n_di.i_mode) && n->n_di.i_blocks == 0)
		return 0;
	for (int i = 0; i < EXT2_NDIR && error == 0; i++)
		error = trunc_tree(n, &n->n_di.i_block[i], 0, (uint64_t)i, keep, &dirty);
	if (error == 0)
		error = trunc_tree(n, &n->n_di.i_block[EXT2_IND], 1, base, keep, &dirty);
	base += apb;
	if (error == 0)
		error = trunc_tree(n, &n->n_di.i_block[EXT2_DIND], 2, base, keep, &dirty);
	base += apb * apb;
	if (error == 0)
		error = trunc_tree(n, &n->n_di.i_block[EXT2_TIND], 3, base, keep, &dirty);
	if (n->n_lastblk != 0 && keep == 0)
		n->n_lastblk = 0;
	if (dirty) {
		int e = ext2_node_update(n);
		if (error == 0)
			error = e;
	}
	return error;
}

/*
 * ext2_node_make - a new inode for a file of mode (type and permission
 * bits) in directory pino: allocated, zeroed, one link (the caller adds
 * the name; a directory's second link comes with its "." entry).
 *  => e2_lock held; 0 and *np; -ENOSPC, -EROFS, -EIO, -ENOMEM.
 */
int
ext2_node_make(struct ext2_fs *fs, uint32_t pino, uint32_t mode,
    struct ext2_node **np)
{
	struct ext2_node *n;
	uint32_t ino;
	int error;

	KASSERT(mutex_owned(&fs->e2_lock));
	n = kmem_zalloc(sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	error = ext2_ialloc(fs, pino, EXT2_ISDIR(mode), &ino);
	if (error == 0)
		error = inode_clear_slot(fs, ino);
	if (error != 0) {
		kmem_free(n, sizeof(*n));
		return error;
	}
	n->n_fs = fs;
	n->n_ino = ino;
	n->n_di.i_mode = (uint16_t)mode;
	n->n_di.i_links_count = 1;
	n->n_di.i_atime = n->n_di.i_ctime = n->n_di.i_mtime = ext2_now();
	error = ext2_node_update(n);
	*np = n;
	return error;
}

/*
 * ext2_node_release - the file has no names left and no users: free its
 * blocks and its inode (dtime set, as e2fsck expects of a free inode).
 * The node itself stays for the caller to free.
 *  => e2_lock held; may sleep; 0 or -EIO.
 */
int
ext2_node_release(struct ext2_node *n)
{
	struct ext2_fs *fs = n->n_fs;
	int error;

	KASSERT(mutex_owned(&fs->e2_lock));
	KASSERT(n->n_di.i_links_count == 0);
	error = ext2_truncate_blocks(n, 0);
	if (error != 0)
		return error;
	ext2_node_set_size(n, 0);
	n->n_di.i_dtime = ext2_now();
	error = ext2_node_update(n);
	if (error == 0)
		error = ext2_ifree(fs, n->n_ino, EXT2_ISDIR(n->n_di.i_mode));
	return error;
}

/* One block of a file through a bounce page, bypassing any cache. */
static int
file_block_io(struct ext2_node *n, uint64_t lbn, uint32_t boff, void *buf,
    size_t len, bool write, struct vm_page *pg)
{
	struct ext2_fs *fs = n->n_fs;
	uint32_t spb = fs->e2_bsize / BLK_SECTOR, pbn;
	struct blk_seg seg = { vm_page_phys(pg), fs->e2_bsize };
	char *kva = vm_page_kva(pg);
	int error;

	error = ext2_bmap(n, lbn, write, &pbn);
	if (error != 0)
		return error;
	memset(kva, 0, fs->e2_bsize);
	if (pbn != 0 && blk_io(fs->e2_dev, BLK_READ, (uint64_t)pbn * spb, &seg, 1) != 0)
		return -EIO;
	if (!write) {
		memcpy(buf, kva + boff, len);
		return 0;
	}
	memcpy(kva + boff, buf, len);
	return blk_io(fs->e2_dev, BLK_WRITE, (uint64_t)pbn * spb, &seg, 1) != 0 ? -EIO : 0;
}

/*
 * ext2_file_io - read or write len bytes of a file at off straight to
 * the disk, without the page cache: for symlink targets in blocks, the
 * tests, and nodes with no vnode.  A write past the end grows the file.
 * Never use it on a file whose pages may be cached (its vnode's object).
 *  => e2_lock held; may sleep; 0, -EIO, -ENOSPC, -ENOMEM.
 */
int
ext2_file_io(struct ext2_node *n, uint64_t off, void *buf, size_t len, bool write)
{
	uint32_t bs = n->n_fs->e2_bsize;
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, 0);
	int error = 0;

	if (pg == NULL)
		return -ENOMEM;
	for (size_t done = 0; done < len && error == 0;) {
		uint32_t boff = (uint32_t)((off + done) % bs);
		size_t chunk = MIN(len - done, (size_t)(bs - boff));
		error = file_block_io(n, (off + done) / bs, boff, (char *)buf + done,
		    chunk, write, pg);
		done += chunk;
	}
	vm_page_free(pg);
	if (error == 0 && write && off + len > ext2_node_size(n)) {
		ext2_node_set_size(n, off + len);
		error = ext2_node_update(n);
	}
	return error;
}

/* Whether n is a symlink with its target in i_block (no data block). */
static bool
node_is_fastlink(const struct ext2_node *n)
{
	uint32_t acl = n->n_di.i_file_acl ? n->n_fs->e2_bsize / 512 : 0;

	return EXT2_ISLNK(n->n_di.i_mode) && n->n_di.i_blocks == acl;
}

/*
 * ext2_readlink_node - a symlink's target into buf (len bytes at most).
 *  => e2_lock held; returns the length; -EIO (size 0 or over a block,
 *     a fast link longer than i_block, a bad block).
 */
int
ext2_readlink_node(struct ext2_node *n, char *buf, size_t len)
{
	uint64_t size = ext2_node_size(n);
	int error;

	if (size == 0 || size >= n->n_fs->e2_bsize)
		return -EIO;
	len = MIN(len, (size_t)size);
	if (node_is_fastlink(n)) {
		if (size >= EXT2_FAST_LINK_MAX)
			return -EIO;
		memcpy(buf, n->n_di.i_block, len);
		return (int)len;
	}
	error = ext2_file_io(n, 0, buf, len, false);
	return error != 0 ? error : (int)len;
}

/*
 * ext2_symlink_set - a new symlink's target: in i_block if shorter than
 * its 60 bytes, else in a block of its own.
 *  => e2_lock held; 0; -ENAMETOOLONG (not under a block), -ENOSPC, -EIO,
 *     -ENOMEM.
 */
int
ext2_symlink_set(struct ext2_node *n, const char *target, size_t len)
{
	if (len == 0 || len >= n->n_fs->e2_bsize)
		return -ENAMETOOLONG;
	if (len < EXT2_FAST_LINK_MAX) {
		memset(n->n_di.i_block, 0, sizeof(n->n_di.i_block));
		memcpy(n->n_di.i_block, target, len);
		ext2_node_set_size(n, len);
		return ext2_node_update(n);
	}
	/* The whole block, zero after the target: the block may hold an old
	 * file's bytes, and a slow link's target ends at its first NUL
	 * (e2fsck checks that the target's length is the inode's size). */
	uint32_t bs = n->n_fs->e2_bsize;
	char *blk = kmem_zalloc(bs);
	if (blk == NULL)
		return -ENOMEM;
	memcpy(blk, target, len);
	int error = ext2_file_io(n, 0, blk, bs, true);
	kmem_free(blk, bs);
	if (error != 0)
		return error;
	ext2_node_set_size(n, len);
	return ext2_node_update(n);
}
