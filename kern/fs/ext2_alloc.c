/*
 * kern/fs/ext2_alloc.c - allocating and freeing blocks and inodes in the
 * groups' bitmaps, keeping the free counts of the group descriptors and
 * the superblock equal to the bitmaps.
 *
 * Each group has one block of block bitmap (bit i: block first + i in
 * use) and one of inode bitmap (bit i: inode g * ipg + i + 1 in use):
 *
 *   group 0, first block 1, goal 300:
 *     bitmap bytes   ... 0xff 0xff 0x0f 0x00 ...
 *                          ^ blocks 289..304 used, 305.. free
 *     goal 300 taken -> search on from bit 299: bit 304 is free ->
 *     block 305, bit set, bg_free_blocks_count--, s_free_blocks_count--
 *
 * Blocks are searched from the goal (the block after the file's last
 * one, so a file written in order comes out contiguous), then on to the
 * end of its group, then in the other groups in order.  Inodes of a new
 * file go in the parent directory's group; a new directory goes in the
 * group with the most free inodes, to spread directories out.
 *
 * Every change is done in this order: the bit (in the cached bitmap
 * block, marked dirty), then the descriptor's count, then the
 * superblock's; a failure before the bit changes nothing.  A full disk
 * is -ENOSPC with nothing changed.  A bitmap that disagrees with its
 * count (a group said to have free blocks but without a clear bit, a
 * block freed twice) is corruption: -EIO, nothing changed.
 *
 * Locking: e2_lock held by the caller for every function here.
 */
#include "kern/fs/ext2_fs.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"

static bool
bit_get(const uint8_t *map, uint32_t i)
{
	return (map[i / 8] >> (i % 8)) & 1;
}

static void
bit_put(uint8_t *map, uint32_t i, bool v)
{
	if (v)
		map[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		map[i / 8] &= (uint8_t)~(1u << (i % 8));
}

/* The first clear bit in [from, n) of map, or n. */
static uint32_t
bit_find_clear(const uint8_t *map, uint32_t from, uint32_t n)
{
	uint32_t i = from;

	while (i < n && i % 8 != 0 && bit_get(map, i))
		i++;
	while (i + 8 <= n && map[i / 8] == 0xff)
		i += 8;
	while (i < n && bit_get(map, i))
		i++;
	return i;
}

/* Set or clear bit i of a bitmap block (expecting the other value). */
static int
bitmap_flip(struct ext2_fs *fs, uint32_t mapblk, uint32_t i, bool set)
{
	struct buf *bp;
	int error;

	error = bcache_read(&fs->e2_bc, mapblk, &bp);
	if (error != 0)
		return error;
	if (bit_get(bp->b_data, i) == set) {
		error = -EIO;           /* already so: bitmap and caller disagree */
	} else {
		bit_put(bp->b_data, i, set);
		bcache_dirty(&fs->e2_bc, bp);
	}
	bcache_release(&fs->e2_bc, bp);
	return error;
}

/* A clear bit of group g's block bitmap from bit `from` on (wrapping to
 * the group's start), set; *bitp its index.  -ENOSPC: none. */
static int
group_take_block(struct ext2_fs *fs, uint32_t g, uint32_t from, uint32_t *bitp)
{
	uint32_t n = ext2_fs_group_nblocks(fs, g), i;
	struct buf *bp;
	int error;

	error = bcache_read(&fs->e2_bc, fs->e2_gd[g].bg_block_bitmap, &bp);
	if (error != 0)
		return error;
	i = bit_find_clear(bp->b_data, MIN(from, n), n);
	if (i >= n)
		i = bit_find_clear(bp->b_data, 0, n);
	if (i < n) {
		bit_put(bp->b_data, i, true);
		bcache_dirty(&fs->e2_bc, bp);
		*bitp = i;
	}
	bcache_release(&fs->e2_bc, bp);
	return i < n ? 0 : -EIO;        /* the count said there was one */
}

/*
 * ext2_blkalloc - a free block, near goal (0: anywhere).
 *  => e2_lock held; may sleep (bitmap reads).
 *  => 0 and *bnop; -ENOSPC (disk full), -EROFS, -EIO (bitmap corrupt).
 */
int
ext2_blkalloc(struct ext2_fs *fs, uint32_t goal, uint32_t *bnop)
{
	struct ext2_super *sb = &fs->e2_sb;
	uint32_t g0 = 0, from = 0, bit;
	int error;

	KASSERT(mutex_owned(&fs->e2_lock));
	if (fs->e2_rdonly)
		return -EROFS;
	if (sb->s_free_blocks_count == 0)
		return -ENOSPC;
	if (goal > sb->s_first_data_block && goal < sb->s_blocks_count) {
		g0 = (goal - sb->s_first_data_block) / sb->s_blocks_per_group;
		from = (goal - sb->s_first_data_block) % sb->s_blocks_per_group;
	}
	for (uint32_t k = 0; k < fs->e2_ngroups; k++) {
		uint32_t g = (g0 + k) % fs->e2_ngroups;
		if (fs->e2_gd[g].bg_free_blocks_count == 0)
			continue;
		error = group_take_block(fs, g, k == 0 ? from : 0, &bit);
		if (error != 0)
			return error;
		fs->e2_gd[g].bg_free_blocks_count--;
		sb->s_free_blocks_count--;
		fs->e2_sbdirty = true;
		*bnop = (uint32_t)ext2_fs_group_first(fs, g) + bit;
		return 0;
	}
	return -ENOSPC;         /* the superblock's count was wrong: trust groups */
}

/*
 * ext2_blkfree - give block bno back (its cached buffer is dropped).
 *  => e2_lock held; 0; -EIO (bno outside the data area, or not in use).
 */
int
ext2_blkfree(struct ext2_fs *fs, uint32_t bno)
{
	struct ext2_super *sb = &fs->e2_sb;
	uint32_t g, bit;
	int error;

	KASSERT(mutex_owned(&fs->e2_lock));
	if (bno <= sb->s_first_data_block || bno >= sb->s_blocks_count)
		return -EIO;
	g = (bno - sb->s_first_data_block) / sb->s_blocks_per_group;
	bit = (bno - sb->s_first_data_block) % sb->s_blocks_per_group;
	error = bitmap_flip(fs, fs->e2_gd[g].bg_block_bitmap, bit, false);
	if (error != 0)
		return error;
	bcache_forget(&fs->e2_bc, bno);
	fs->e2_gd[g].bg_free_blocks_count++;
	sb->s_free_blocks_count++;
	fs->e2_sbdirty = true;
	return 0;
}

/* The group a new inode goes in: the parent's for files, the emptiest
 * for directories; -ENOSPC if no group has a free inode. */
static int
ialloc_group(struct ext2_fs *fs, uint32_t pino, bool dir, uint32_t *gp)
{
	uint32_t ipg = fs->e2_sb.s_inodes_per_group;
	uint32_t g0 = pino >= 1 ? (pino - 1) / ipg % fs->e2_ngroups : 0;
	uint32_t best = fs->e2_ngroups;

	for (uint32_t k = 0; k < fs->e2_ngroups; k++) {
		uint32_t g = (g0 + k) % fs->e2_ngroups;
		uint16_t nfree = fs->e2_gd[g].bg_free_inodes_count;
		if (nfree == 0)
			continue;
		if (!dir) {
			*gp = g;
			return 0;
		}
		if (best == fs->e2_ngroups || nfree > fs->e2_gd[best].bg_free_inodes_count)
			best = g;
	}
	*gp = best;
	return best < fs->e2_ngroups ? 0 : -ENOSPC;
}

/*
 * ext2_ialloc - a free inode for a new file (dir: a directory) whose
 * parent directory is pino.  The inode's contents are the caller's.
 *  => e2_lock held; 0 and *inop; -ENOSPC, -EROFS, -EIO.
 */
int
ext2_ialloc(struct ext2_fs *fs, uint32_t pino, bool dir, uint32_t *inop)
{
	uint32_t ipg = fs->e2_sb.s_inodes_per_group, g, i, from;
	struct buf *bp;
	int error;

	KASSERT(mutex_owned(&fs->e2_lock));
	if (fs->e2_rdonly)
		return -EROFS;
	if (fs->e2_sb.s_free_inodes_count == 0)
		return -ENOSPC;
	error = ialloc_group(fs, pino, dir, &g);
	if (error != 0)
		return error;
	error = bcache_read(&fs->e2_bc, fs->e2_gd[g].bg_inode_bitmap, &bp);
	if (error != 0)
		return error;
	from = g == 0 ? fs->e2_first_ino - 1 : 0;      /* reserved inodes */
	i = bit_find_clear(bp->b_data, from, ipg);
	while (i < ipg && fs->e2_zombies != NULL && bit_get(fs->e2_zombies, g * ipg + i + 1))
		i = bit_find_clear(bp->b_data, i + 1, ipg);
	if (i < ipg) {
		bit_put(bp->b_data, i, true);
		bcache_dirty(&fs->e2_bc, bp);
	}
	bcache_release(&fs->e2_bc, bp);
	if (i >= ipg)
		return fs->e2_zombies != NULL ? -ENOSPC : -EIO; /* or all zombies */
	fs->e2_gd[g].bg_free_inodes_count--;
	fs->e2_gd[g].bg_used_dirs_count += dir;
	fs->e2_sb.s_free_inodes_count--;
	fs->e2_sbdirty = true;
	fs->e2_last_group = g;
	*inop = g * ipg + i + 1;
	return 0;
}

/*
 * ext2_ifree - inode ino is free again (dir: it was a directory).
 *  => e2_lock held; 0; -EIO (a reserved or out-of-range number, or free).
 */
int
ext2_ifree(struct ext2_fs *fs, uint32_t ino, bool dir)
{
	uint32_t ipg = fs->e2_sb.s_inodes_per_group, g;
	int error;

	KASSERT(mutex_owned(&fs->e2_lock));
	if (ino < fs->e2_first_ino || ino > fs->e2_sb.s_inodes_count)
		return -EIO;
	g = (ino - 1) / ipg;
	error = bitmap_flip(fs, fs->e2_gd[g].bg_inode_bitmap, (ino - 1) % ipg, false);
	if (error != 0)
		return error;
	fs->e2_gd[g].bg_free_inodes_count++;
	if (dir && fs->e2_gd[g].bg_used_dirs_count > 0)
		fs->e2_gd[g].bg_used_dirs_count--;
	fs->e2_sb.s_free_inodes_count++;
	fs->e2_sbdirty = true;
	return 0;
}

/*
 * ext2_bit_test - whether block n (inode false) or inode n (inode true)
 * is marked in use in its bitmap (for tests and the checker).
 *  => e2_lock held; 0 and *setp; -EINVAL out of range; -EIO.
 */
int
ext2_bit_test(struct ext2_fs *fs, bool inode, uint32_t n, bool *setp)
{
	struct ext2_super *sb = &fs->e2_sb;
	uint32_t g, i, blk;
	struct buf *bp;
	int error;

	KASSERT(mutex_owned(&fs->e2_lock));
	if (inode) {
		if (n == 0 || n > sb->s_inodes_count)
			return -EINVAL;
		g = (n - 1) / sb->s_inodes_per_group;
		i = (n - 1) % sb->s_inodes_per_group;
		blk = fs->e2_gd[g].bg_inode_bitmap;
	} else {
		if (n < sb->s_first_data_block || n >= sb->s_blocks_count)
			return -EINVAL;
		g = (n - sb->s_first_data_block) / sb->s_blocks_per_group;
		i = (n - sb->s_first_data_block) % sb->s_blocks_per_group;
		blk = fs->e2_gd[g].bg_block_bitmap;
	}
	error = bcache_read(&fs->e2_bc, blk, &bp);
	if (error != 0)
		return error;
	*setp = bit_get(bp->b_data, i);
	bcache_release(&fs->e2_bc, bp);
	return 0;
}

/*
 * ext2_zombie_set - mark inode ino as freed on the disk while a vnode
 * for it is still cached (zombie true), so ext2_ialloc does not hand the
 * number out again until the vnode is reclaimed (false): the vnode
 * cache holds one vnode per number.
 *  => e2_lock held.
 */
void
ext2_zombie_set(struct ext2_fs *fs, uint32_t ino, bool zombie)
{
	KASSERT(mutex_owned(&fs->e2_lock));
	if (fs->e2_zombies != NULL && ino <= fs->e2_sb.s_inodes_count)
		bit_put(fs->e2_zombies, ino, zombie);
}
