/*
 * tests/kern/fs/bcache_test.c - the metadata block cache on the scratch
 * disk: hits and misses, the LRU bound with dirty buffers written back
 * when evicted, sync, forget, and buffers held past the bound.  The disk's
 * request counters (blk_stats) show what reached the device.
 */
#include "tests/kern/fs/ext2_testfs.h"
#include "dev/blk.h"
#include "kern/core/ktest.h"
#include "kern/fs/bcache.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"

static struct kmutex bc_lock = KMUTEX_INIT("bcache_test");
static struct bcache bc;
static uint8_t raw[1024];

static void
bc_cleanup(void *arg)
{
	(void)arg;
	if (!mutex_owned(&bc_lock))     /* a failed assertion left it held */
		mutex_enter(&bc_lock);
	bcache_destroy(&bc);
	mutex_exit(&bc_lock);
}

static struct blkdev *
bc_begin(int max)
{
	struct blkdev *dev = ext2t_scratch();

	bcache_init(&bc, dev, 1024, max, &bc_lock);
	ktest_cleanup_push(bc_cleanup, NULL);
	mutex_enter(&bc_lock);
	return dev;
}

static struct buf *
bread(uint64_t blkno)
{
	struct buf *bp = NULL;

	KT_EQ(bcache_read(&bc, blkno, &bp), 0);
	return bp;
}

KTEST(bcache, lru_bound_writes_back_dirty_victims)
{
	struct blkdev *dev = bc_begin(2);
	struct buf *bp;
	uint64_t writes;

	memset(raw, 0x11, sizeof(raw));
	ext2t_rawblk(dev, 1024, 40, raw, true);
	bp = bread(40);
	KT_EQ(((uint8_t *)bp->b_data)[0], 0x11);
	memset(bp->b_data, 0x22, 1024);
	bcache_dirty(&bc, bp);
	bcache_release(&bc, bp);
	bcache_release(&bc, bread(41));
	KT_EQ(bc.bc_stats.misses, 2);
	bcache_release(&bc, bread(40));         /* a hit, made youngest */
	KT_EQ(bc.bc_stats.hits, 1);
	/* Full: 41 (oldest, clean) goes for 42, without a write. */
	writes = dev->stats.writes;
	bcache_release(&bc, bread(42));
	KT_EQ(dev->stats.writes, writes);
	KT_EQ(bc.bc_nbufs, 2);
	/* Next the dirty 40 is the oldest: written back, then reused. */
	bcache_release(&bc, bread(43));
	KT_EQ(dev->stats.writes, writes + 1);
	KT_EQ(bc.bc_stats.evictions, 2);
	mutex_exit(&bc_lock);
	ext2t_rawblk(dev, 1024, 40, raw, false);
	KT_EQ(raw[0], 0x22);
	KT_EQ(raw[1023], 0x22);
	mutex_enter(&bc_lock);
	KT_EQ(bcache_check(&bc, kprint), 0);
	mutex_exit(&bc_lock);
}

KTEST(bcache, sync_writes_dirty_and_forget_drops_them)
{
	struct blkdev *dev = bc_begin(8);
	struct buf *bp;

	memset(raw, 0, sizeof(raw));
	ext2t_rawblk(dev, 1024, 50, raw, true);
	ext2t_rawblk(dev, 1024, 51, raw, true);
	KT_EQ(bcache_get(&bc, 50, &bp), 0);     /* zeroed, dirty, no read */
	KT_EQ(bc.bc_stats.reads, 0);
	memset(bp->b_data, 0x33, 1024);
	bcache_release(&bc, bp);
	bp = bread(51);
	memset(bp->b_data, 0x44, 1024);
	bcache_dirty(&bc, bp);
	bcache_release(&bc, bp);
	/* A freed block's buffer goes, dirty or not: 51 never reaches the disk. */
	bcache_forget(&bc, 51);
	KT_EQ(bc.bc_nbufs, 1);
	KT_EQ(bcache_sync(&bc), 0);
	mutex_exit(&bc_lock);
	ext2t_rawblk(dev, 1024, 50, raw, false);
	KT_EQ(raw[5], 0x33);
	ext2t_rawblk(dev, 1024, 51, raw, false);
	KT_EQ(raw[5], 0);
	mutex_enter(&bc_lock);
	KT_EQ(bcache_check(&bc, kprint), 0);
	mutex_exit(&bc_lock);
}

KTEST(bcache, held_buffers_grow_past_the_bound_then_shrink)
{
	struct buf *a, *b, *c;

	bc_begin(2);
	a = bread(60);
	b = bread(61);
	c = bread(62);                          /* all held: a third buffer */
	KT_EQ(bc.bc_nbufs, 3);
	bcache_release(&bc, c);                 /* over the bound: freed */
	KT_EQ(bc.bc_nbufs, 2);
	bcache_release(&bc, b);
	bcache_release(&bc, a);
	/* Past the end of the disk: -EIO, nothing cached. */
	KT_EQ(bcache_read(&bc, bc.bc_dev->nsectors, &a), -EIO);
	KT_EQ(bc.bc_nbufs, 2);
	KT_EQ(bcache_check(&bc, kprint), 0);
	mutex_exit(&bc_lock);
}
