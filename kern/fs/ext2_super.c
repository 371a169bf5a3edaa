/*
 * kern/fs/ext2_super.c - an ext2 file system opened on a disk: the
 * superblock checked and kept in core, the group descriptors, sync and
 * close, and the consistency checker.
 *
 * Opening reads the superblock from byte 1024 and believes nothing in
 * it until checked: the magic, the revision, the block and inode sizes,
 * the group geometry against the counts, and the counts against the
 * disk's size.  A disk that fails any check is refused with -EINVAL, as
 * is one with an incompatible feature this code does not implement
 * (only "filetype" is); an unknown read-only-compatible feature opens
 * the disk read-only.  Each group descriptor must then place its
 * bitmaps and inode table inside the file system.
 *
 *   disk 64 MiB, 4 KiB blocks: blocks 16384, 1 group of 32768 blocks
 *   (the last group is short), inodes 16384 = 1 group * 16384
 *
 * The superblock and descriptors live in core (e2_sb, e2_gd) while the
 * disk is open; the allocator changes the copies and sets e2_sbdirty,
 * and ext2_fs_sync writes them (into the cached blocks that hold them,
 * then the whole cache).  Backup copies in other groups are left as
 * mke2fs wrote them, as Linux does.
 *
 * The checker (ext2_fs_check) rebuilds what the bitmaps should say from
 * the inodes: every in-use inode's blocks (data and indirect) plus the
 * groups' own metadata must be exactly the set bits of the block
 * bitmaps, no block used twice, the free counts must match, and each
 * directory entry must name an in-use inode whose link count equals the
 * number of entries naming it.
 *
 * Locking: e2_lock (ext2_fs.h) around everything; the checker takes it.
 */
#include "kern/fs/ext2_fs.h"
#include "dev/blk.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"

_Static_assert(sizeof(struct ext2_super) == 1024, "ext2 superblock size");
_Static_assert(sizeof(struct ext2_gd) == 32, "ext2 group descriptor size");
_Static_assert(sizeof(struct ext2_dinode) == 128, "ext2 inode size");

#define EXT2_BCACHE_BUFS 128

/* Read the 1024 superblock bytes at byte 1024 into *sb. */
static int
sb_read(struct blkdev *dev, struct ext2_super *sb)
{
	struct vm_page *pg;
	struct blk_seg seg;
	int error;

	if (dev->nsectors < 4)
		return -EINVAL;
	pg = vm_page_alloc(NULL, 0, NULL, 0);
	if (pg == NULL)
		return -ENOMEM;
	seg = (struct blk_seg){ vm_page_phys(pg), 1024 };
	error = blk_io(dev, BLK_READ, EXT2_SB_OFFSET / BLK_SECTOR, &seg, 1);
	if (error == 0)
		memcpy(sb, vm_page_kva(pg), sizeof(*sb));
	vm_page_free(pg);
	return error < 0 ? -EIO : 0;
}

static bool
is_pow2(uint32_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* The sizes and features of *sb, checked; fills fs's derived fields. */
static int
sb_check_sizes(struct ext2_fs *fs, const struct ext2_super *sb)
{
	if (sb->s_magic != EXT2_SUPER_MAGIC || sb->s_log_block_size > 2 ||
	    sb->s_rev_level > 1)
		return -EINVAL;
	fs->e2_bsize = 1024u << sb->s_log_block_size;
	fs->e2_apb = fs->e2_bsize / 4;
	if (sb->s_rev_level == 0) {
		fs->e2_isize = EXT2_GOOD_OLD_INODE_SIZE;
		fs->e2_first_ino = EXT2_GOOD_OLD_FIRST_INO;
		return 0;
	}
	fs->e2_isize = sb->s_inode_size;
	fs->e2_first_ino = sb->s_first_ino;
	if (!is_pow2(fs->e2_isize) || fs->e2_isize < 128 ||
	    fs->e2_isize > fs->e2_bsize || fs->e2_first_ino < EXT2_GOOD_OLD_FIRST_INO)
		return -EINVAL;
	if (sb->s_feature_incompat & ~EXT2_FEATURE_INCOMPAT_SUPP)
		return -EINVAL;
	fs->e2_filetype = (sb->s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE) != 0;
	fs->e2_rdonly = (sb->s_feature_ro_compat & ~EXT2_FEATURE_RO_COMPAT_SUPP) != 0;
	return 0;
}

/* The group geometry and counts of *sb against each other and the disk. */
static int
sb_check_geometry(struct ext2_fs *fs, const struct ext2_super *sb)
{
	uint64_t disk_blocks = fs->e2_dev->nsectors * BLK_SECTOR / fs->e2_bsize;
	uint32_t bpg = sb->s_blocks_per_group, ipg = sb->s_inodes_per_group;

	fs->e2_ipb = fs->e2_bsize / fs->e2_isize;
	if (sb->s_first_data_block != (fs->e2_bsize == 1024 ? 1u : 0u) ||
	    bpg < 8 || bpg > 8 * fs->e2_bsize || bpg % 8 != 0 ||
	    ipg == 0 || ipg > 8 * fs->e2_bsize || ipg % fs->e2_ipb != 0 ||
	    sb->s_blocks_count <= sb->s_first_data_block + 4 ||
	    sb->s_blocks_count > disk_blocks)
		return -EINVAL;
	fs->e2_ngroups = (sb->s_blocks_count - sb->s_first_data_block + bpg - 1) / bpg;
	fs->e2_gdblocks = (fs->e2_ngroups * sizeof(struct ext2_gd) +
	    fs->e2_bsize - 1) / fs->e2_bsize;
	if ((uint64_t)fs->e2_ngroups * ipg != sb->s_inodes_count ||
	    sb->s_first_ino >= sb->s_inodes_count ||
	    sb->s_free_blocks_count > sb->s_blocks_count ||
	    sb->s_free_inodes_count > sb->s_inodes_count ||
	    sb->s_r_blocks_count > sb->s_blocks_count ||
	    fs->e2_gdblocks + sb->s_first_data_block + 1 >= sb->s_blocks_count)
		return -EINVAL;
	return 0;
}

uint64_t
ext2_fs_group_first(struct ext2_fs *fs, uint32_t g)
{
	return fs->e2_sb.s_first_data_block + (uint64_t)g * fs->e2_sb.s_blocks_per_group;
}

uint32_t
ext2_fs_group_nblocks(struct ext2_fs *fs, uint32_t g)
{
	uint64_t first = ext2_fs_group_first(fs, g);

	return MIN((uint64_t)fs->e2_sb.s_blocks_per_group,
	    fs->e2_sb.s_blocks_count - first);
}

static bool
is_power_of(uint32_t n, uint32_t b)
{
	while (n > 1 && n % b == 0)
		n /= b;
	return n == 1;
}

bool
ext2_fs_group_has_super(struct ext2_fs *fs, uint32_t g)
{
	if (g <= 1 || fs->e2_sb.s_rev_level == 0 ||
	    !(fs->e2_sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER))
		return true;
	return is_power_of(g, 3) || is_power_of(g, 5) || is_power_of(g, 7);
}

/* Read the descriptor table and check each group's metadata lies inside. */
static int
gd_load(struct ext2_fs *fs)
{
	size_t size = fs->e2_ngroups * sizeof(struct ext2_gd);
	uint32_t itb = fs->e2_sb.s_inodes_per_group / fs->e2_ipb;
	struct buf *bp;
	int error = 0;

	fs->e2_gd = kmem_zalloc(size);
	if (fs->e2_gd == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < fs->e2_gdblocks && error == 0; i++) {
		error = bcache_read(&fs->e2_bc, fs->e2_sb.s_first_data_block + 1 + i, &bp);
		if (error != 0)
			break;
		memcpy((char *)fs->e2_gd + i * fs->e2_bsize, bp->b_data,
		    MIN(fs->e2_bsize, size - i * fs->e2_bsize));
		bcache_release(&fs->e2_bc, bp);
	}
	for (uint32_t g = 0; g < fs->e2_ngroups && error == 0; g++) {
		struct ext2_gd *gd = &fs->e2_gd[g];
		if (gd->bg_block_bitmap >= fs->e2_sb.s_blocks_count ||
		    gd->bg_inode_bitmap >= fs->e2_sb.s_blocks_count ||
		    gd->bg_inode_table + (uint64_t)itb > fs->e2_sb.s_blocks_count ||
		    gd->bg_block_bitmap <= fs->e2_sb.s_first_data_block ||
		    gd->bg_inode_bitmap <= fs->e2_sb.s_first_data_block ||
		    gd->bg_inode_table <= fs->e2_sb.s_first_data_block ||
		    gd->bg_free_blocks_count > fs->e2_sb.s_blocks_per_group ||
		    gd->bg_free_inodes_count > fs->e2_sb.s_inodes_per_group)
			error = -EINVAL;
	}
	if (error != 0) {
		kmem_free(fs->e2_gd, size);
		fs->e2_gd = NULL;
	}
	return error == -EIO ? -EIO : error;
}

/*
 * ext2_fs_open - check dev's superblock and descriptors and open it.
 *  => returns 0 and *fsp; -EINVAL (not ext2, corrupt, unsupported
 *     feature), -EIO, -ENOMEM.  May sleep.
 */
int
ext2_fs_open(struct blkdev *dev, struct ext2_fs **fsp)
{
	struct ext2_fs *fs = kmem_zalloc(sizeof(*fs));
	int error;

	if (fs == NULL)
		return -ENOMEM;
	mutex_init(&fs->e2_lock, "ext2");
	fs->e2_dev = dev;
	error = sb_read(dev, &fs->e2_sb);
	if (error == 0)
		error = sb_check_sizes(fs, &fs->e2_sb);
	if (error == 0)
		error = sb_check_geometry(fs, &fs->e2_sb);
	if (error != 0) {
		kmem_free(fs, sizeof(*fs));
		return error;
	}
	fs->e2_rdonly |= dev->readonly;
	fs->e2_zombies = kmem_zalloc(fs->e2_sb.s_inodes_count / 8 + 1);
	if (fs->e2_zombies == NULL) {
		kmem_free(fs, sizeof(*fs));
		return -ENOMEM;
	}
	bcache_init(&fs->e2_bc, dev, fs->e2_bsize, EXT2_BCACHE_BUFS, &fs->e2_lock);
	mutex_enter(&fs->e2_lock);
	error = gd_load(fs);
	if (error != 0) {
		bcache_destroy(&fs->e2_bc);
		mutex_exit(&fs->e2_lock);
		kmem_free(fs->e2_zombies, fs->e2_sb.s_inodes_count / 8 + 1);
		kmem_free(fs, sizeof(*fs));
		return error;
	}
	mutex_exit(&fs->e2_lock);
	*fsp = fs;
	return 0;
}

/* Copy the superblock and descriptors into their cached blocks. */
static int
sb_store(struct ext2_fs *fs)
{
	size_t size = fs->e2_ngroups * sizeof(struct ext2_gd);
	uint32_t sbblk = EXT2_SB_OFFSET / fs->e2_bsize;
	struct buf *bp;
	int error;

	error = bcache_read(&fs->e2_bc, sbblk, &bp);
	if (error != 0)
		return error;
	memcpy((char *)bp->b_data + EXT2_SB_OFFSET % fs->e2_bsize, &fs->e2_sb,
	    sizeof(fs->e2_sb));
	bcache_dirty(&fs->e2_bc, bp);
	bcache_release(&fs->e2_bc, bp);
	for (uint32_t i = 0; i < fs->e2_gdblocks; i++) {
		error = bcache_read(&fs->e2_bc, fs->e2_sb.s_first_data_block + 1 + i, &bp);
		if (error != 0)
			return error;
		memcpy(bp->b_data, (char *)fs->e2_gd + i * fs->e2_bsize,
		    MIN(fs->e2_bsize, size - i * fs->e2_bsize));
		bcache_dirty(&fs->e2_bc, bp);
		bcache_release(&fs->e2_bc, bp);
	}
	fs->e2_sbdirty = false;
	return 0;
}

/*
 * ext2_fs_sync - write the superblock, descriptors and every dirty
 * metadata block.  => e2_lock not held (taken); may sleep; 0 or -EIO.
 */
int
ext2_fs_sync(struct ext2_fs *fs)
{
	int error = 0;

	mutex_enter(&fs->e2_lock);
	if (fs->e2_rdonly) {
		mutex_exit(&fs->e2_lock);
		return 0;
	}
	if (fs->e2_sbdirty)
		error = sb_store(fs);
	if (error == 0)
		error = bcache_sync(&fs->e2_bc);
	mutex_exit(&fs->e2_lock);
	return error;
}

/*
 * ext2_fs_close - sync and free fs (no node of it may remain).
 *  => returns the sync's error (fs is freed anyway).
 */
int
ext2_fs_close(struct ext2_fs *fs)
{
	int error = ext2_fs_sync(fs);

	mutex_enter(&fs->e2_lock);
	bcache_destroy(&fs->e2_bc);
	mutex_exit(&fs->e2_lock);
	kmem_free(fs->e2_gd, fs->e2_ngroups * sizeof(struct ext2_gd));
	kmem_free(fs->e2_zombies, fs->e2_sb.s_inodes_count / 8 + 1);
	kmem_free(fs, sizeof(*fs));
	return error;
}

void
ext2_fs_print(struct ext2_fs *fs, kprint_fn pr)
{
	struct ext2_super *sb = &fs->e2_sb;

	pr("ext2 %s: rev %u, %u-byte blocks, %u blocks (%u free), %u inodes "
	    "(%u free) of %u bytes, %u groups%s%s\n", fs->e2_dev->name,
	    sb->s_rev_level, fs->e2_bsize, sb->s_blocks_count,
	    sb->s_free_blocks_count, sb->s_inodes_count, sb->s_free_inodes_count,
	    fs->e2_isize, fs->e2_ngroups, fs->e2_filetype ? ", filetype" : "",
	    fs->e2_rdonly ? ", read-only" : "");
	for (uint32_t g = 0; g < fs->e2_ngroups; g++)
		pr("  group %u: bb %u ib %u it %u free blocks %u inodes %u dirs %u\n",
		    g, fs->e2_gd[g].bg_block_bitmap, fs->e2_gd[g].bg_inode_bitmap,
		    fs->e2_gd[g].bg_inode_table, fs->e2_gd[g].bg_free_blocks_count,
		    fs->e2_gd[g].bg_free_inodes_count, fs->e2_gd[g].bg_used_dirs_count);
	bcache_print(&fs->e2_bc, pr);
}
