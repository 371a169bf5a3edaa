/*
 * kern/fs/bcache.h - a small cache of a disk's METADATA blocks for a disk
 * file system (superblock, group descriptors, bitmaps, inode tables,
 * indirect blocks, directory and symlink blocks).
 *
 * File data never comes here: it lives in each file's vnode-pager
 * object (uvm/uvm_vnode.h), so a block is cached once, either here
 * (metadata) or there (data).  A block freed by the file system leaves
 * this cache at once (bcache_forget), dirty or not, so a stale buffer can
 * never be written over a block that has since become file data.
 *
 *   bcache {bsize 1024, 3 bufs, max 64}
 *     hash[blkno % 64] -> buf 37 -> buf 101
 *     lru (oldest first): buf 101 {clean} -> buf 2 {dirty} -> buf 37
 *
 * A buffer is one page (its data at the page's start, bsize <= PAGE_SIZE),
 * so one blk_io segment carries it.  bcache_read returns a held buffer;
 * bcache_release drops the hold and moves it to the LRU's young end.
 * When the cache is full the oldest unheld buffer is reused (written back
 * first if dirty); if every buffer is held the cache grows past its
 * bound for a while and shrinks back on release.
 *
 * Invariants: each (blkno) is in the cache at most once; nbufs counts
 * the buffers on the LRU list, which is all of them; a held buffer is
 * never reused.
 *
 * Locking: none of its own.  The file system that owns the cache
 * serializes every call with its lock (owner_lock, asserted); calls may
 * sleep for disk I/O with that lock held.
 */
#ifndef KERN_FS_BCACHE_H
#define KERN_FS_BCACHE_H

#include "kern/core/mutex.h"
#include "kern/lib/printf.h"
#include "kern/lib/queue.h"
#include "kern/lib/types.h"

struct blkdev;
struct vm_page;

#define BCACHE_HASH 64

struct buf {
	uint64_t b_blkno;               /* block number, in bsize units */
	void *b_data;                   /* bsize bytes */
	struct vm_page *b_page;         /* where b_data lives */
	int b_refs;                     /* holders (bcache_read/get) */
	bool b_dirty;                   /* to be written back */
	struct buf *b_hashnext;
	TAILQ_ENTRY(buf) b_lru;
};

struct bcache_stats {
	uint64_t hits, misses, reads, writes, evictions, forgets;
};

struct bcache {
	struct blkdev *bc_dev;
	uint32_t bc_bsize;              /* 512 .. PAGE_SIZE, a power of two */
	int bc_nbufs, bc_maxbufs;
	struct kmutex *bc_owner_lock;   /* the owner's lock (asserted) */
	struct buf *bc_hash[BCACHE_HASH];
	TAILQ_HEAD(, buf) bc_lru;
	struct bcache_stats bc_stats;
};

/* bcache_init - an empty cache of at most maxbufs bsize blocks of dev. */
void bcache_init(struct bcache *bc, struct blkdev *dev, uint32_t bsize,
    int maxbufs, struct kmutex *owner_lock);

/*
 * bcache_read - block blkno, read from the disk unless cached.
 *  => owner lock held; may sleep.  *bpp held: bcache_release it.
 *  => 0; -EIO (read error, or blkno past the disk), -ENOMEM.
 */
int bcache_read(struct bcache *bc, uint64_t blkno, struct buf **bpp);

/* bcache_get - block blkno zero-filled without reading (it is being
 * rewritten whole, e.g. a new indirect block); held and dirty.
 * => 0; -EIO (blkno past the disk), -ENOMEM. */
int bcache_get(struct bcache *bc, uint64_t blkno, struct buf **bpp);

/* bcache_dirty - bp's data changed: write it back later.  => held. */
void bcache_dirty(struct bcache *bc, struct buf *bp);

/* bcache_release - drop the hold bcache_read/get gave. */
void bcache_release(struct bcache *bc, struct buf *bp);

/* bcache_forget - block blkno was freed: drop its buffer, dirty or not
 * (it must not be held). */
void bcache_forget(struct bcache *bc, uint64_t blkno);

/*
 * bcache_sync - write every dirty buffer back, then flush the disk's
 * cache.  => owner lock held; may sleep; 0 or the first error (the
 * buffers that failed stay dirty).
 */
int bcache_sync(struct bcache *bc);

/* bcache_destroy - sync and free every buffer (none may be held).
 * => returns bcache_sync's error. */
int bcache_destroy(struct bcache *bc);

/* bcache_check / bcache_print - the checker (hash vs. LRU, counts,
 * holds) and the printer. */
int bcache_check(struct bcache *bc, kprint_fn pr);
void bcache_print(struct bcache *bc, kprint_fn pr);

#endif
