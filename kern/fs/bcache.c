/*
 * kern/fs/bcache.c - the metadata block cache (see bcache.h for the
 * picture, invariants and locking).
 *
 * Worked example, bsize 1024, max 2 buffers:
 *
 *   read 5   miss: new buf 5, blk_io read sectors 10..11   lru: 5
 *   read 9   miss: new buf 9                                lru: 5 9
 *   dirty 9, release both
 *   read 5   hit: moved to the young end                    lru: 9 5
 *   read 7   miss, full: the oldest unheld (9) is dirty -> written,
 *            then reused for 7                              lru: 5 7
 */
#include "kern/fs/bcache.h"
#include "dev/blk.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"

static void
owner_assert(struct bcache *bc)
{
	KASSERT(bc->bc_owner_lock == NULL || mutex_owned(bc->bc_owner_lock));
}

static struct buf **
hash_head(struct bcache *bc, uint64_t blkno)
{
	return &bc->bc_hash[blkno % BCACHE_HASH];
}

static struct buf *
hash_find(struct bcache *bc, uint64_t blkno)
{
	struct buf *bp;

	for (bp = *hash_head(bc, blkno); bp != NULL; bp = bp->b_hashnext)
		if (bp->b_blkno == blkno)
			return bp;
	return NULL;
}

static void
hash_remove(struct bcache *bc, struct buf *bp)
{
	struct buf **pp = hash_head(bc, bp->b_blkno);

	while (*pp != bp)
		pp = &(*pp)->b_hashnext;
	*pp = bp->b_hashnext;
	bp->b_hashnext = NULL;
}

static void
hash_insert(struct bcache *bc, struct buf *bp)
{
	struct buf **head = hash_head(bc, bp->b_blkno);

	bp->b_hashnext = *head;
	*head = bp;
}

/* One transfer of bp's block.  => 0 or blk_io's error. */
static int
buf_io(struct bcache *bc, struct buf *bp, enum blk_op op)
{
	uint32_t spb = bc->bc_bsize / BLK_SECTOR;
	struct blk_seg seg = { vm_page_phys(bp->b_page), bc->bc_bsize };
	int error;

	if ((bp->b_blkno + 1) * spb > bc->bc_dev->nsectors)
		return -EIO;
	error = blk_io(bc->bc_dev, op, bp->b_blkno * spb, &seg, 1);
	if (op == BLK_READ)
		bc->bc_stats.reads++;
	else
		bc->bc_stats.writes++;
	return error < 0 ? -EIO : 0;
}

static int
buf_writeback(struct bcache *bc, struct buf *bp)
{
	int error;

	if (!bp->b_dirty)
		return 0;
	error = buf_io(bc, bp, BLK_WRITE);
	if (error == 0)
		bp->b_dirty = false;
	return error;
}

static void
buf_free(struct bcache *bc, struct buf *bp)
{
	KASSERT(bp->b_refs == 0);
	hash_remove(bc, bp);
	TAILQ_REMOVE(&bc->bc_lru, bp, b_lru);
	bc->bc_nbufs--;
	vm_page_free(bp->b_page);
	kmem_free(bp, sizeof(*bp));
}

/* A buffer to hold a new block: a reused old one or a fresh one. */
static struct buf *
buf_alloc(struct bcache *bc)
{
	struct buf *bp, *victim = NULL;

	if (bc->bc_nbufs >= bc->bc_maxbufs) {
		TAILQ_FOREACH(bp, &bc->bc_lru, b_lru) {
			if (bp->b_refs == 0 && buf_writeback(bc, bp) == 0) {
				victim = bp;
				break;
			}
		}
	}
	if (victim != NULL) {
		bc->bc_stats.evictions++;
		hash_remove(bc, victim);
		TAILQ_REMOVE(&bc->bc_lru, victim, b_lru);
		bc->bc_nbufs--;
		return victim;
	}
	bp = kmem_zalloc(sizeof(*bp));
	if (bp == NULL)
		return NULL;
	bp->b_page = vm_page_alloc(NULL, 0, NULL, 0);
	if (bp->b_page == NULL) {
		kmem_free(bp, sizeof(*bp));
		return NULL;
	}
	bp->b_data = vm_page_kva(bp->b_page);
	return bp;
}

/* Put a buffer (from buf_alloc) in the cache as blkno, held. */
static void
buf_enter(struct bcache *bc, struct buf *bp, uint64_t blkno)
{
	bp->b_blkno = blkno;
	bp->b_refs = 1;
	bp->b_dirty = false;
	hash_insert(bc, bp);
	TAILQ_INSERT_TAIL(&bc->bc_lru, bp, b_lru);
	bc->bc_nbufs++;
}

void
bcache_init(struct bcache *bc, struct blkdev *dev, uint32_t bsize,
    int maxbufs, struct kmutex *owner_lock)
{
	KASSERT(bsize >= BLK_SECTOR && bsize <= PAGE_SIZE &&
	    (bsize & (bsize - 1)) == 0);
	memset(bc, 0, sizeof(*bc));
	bc->bc_dev = dev;
	bc->bc_bsize = bsize;
	bc->bc_maxbufs = maxbufs;
	bc->bc_owner_lock = owner_lock;
	TAILQ_INIT(&bc->bc_lru);
}

/* The cached buffer for blkno, held and made youngest, or NULL. */
static struct buf *
bcache_lookup(struct bcache *bc, uint64_t blkno)
{
	struct buf *bp = hash_find(bc, blkno);

	if (bp == NULL)
		return NULL;
	bp->b_refs++;
	TAILQ_REMOVE(&bc->bc_lru, bp, b_lru);
	TAILQ_INSERT_TAIL(&bc->bc_lru, bp, b_lru);
	bc->bc_stats.hits++;
	return bp;
}

int
bcache_read(struct bcache *bc, uint64_t blkno, struct buf **bpp)
{
	struct buf *bp;
	int error;

	owner_assert(bc);
	if ((blkno + 1) * (bc->bc_bsize / BLK_SECTOR) > bc->bc_dev->nsectors)
		return -EIO;
	*bpp = bcache_lookup(bc, blkno);
	if (*bpp != NULL)
		return 0;
	bc->bc_stats.misses++;
	bp = buf_alloc(bc);
	if (bp == NULL)
		return -ENOMEM;
	buf_enter(bc, bp, blkno);
	error = buf_io(bc, bp, BLK_READ);
	if (error != 0) {
		bp->b_refs = 0;
		buf_free(bc, bp);
		return error;
	}
	*bpp = bp;
	return 0;
}

int
bcache_get(struct bcache *bc, uint64_t blkno, struct buf **bpp)
{
	struct buf *bp;

	owner_assert(bc);
	if ((blkno + 1) * (bc->bc_bsize / BLK_SECTOR) > bc->bc_dev->nsectors)
		return -EIO;
	bp = bcache_lookup(bc, blkno);
	if (bp == NULL) {
		bp = buf_alloc(bc);
		if (bp == NULL)
			return -ENOMEM;
		buf_enter(bc, bp, blkno);
	}
	memset(bp->b_data, 0, bc->bc_bsize);
	bp->b_dirty = true;
	*bpp = bp;
	return 0;
}

void
bcache_dirty(struct bcache *bc, struct buf *bp)
{
	owner_assert(bc);
	KASSERT(bp->b_refs > 0);
	bp->b_dirty = true;
}

void
bcache_release(struct bcache *bc, struct buf *bp)
{
	owner_assert(bc);
	KASSERT(bp->b_refs > 0);
	bp->b_refs--;
	/* Over the bound (every buffer was held a moment ago): shrink. */
	if (bp->b_refs == 0 && bc->bc_nbufs > bc->bc_maxbufs &&
	    buf_writeback(bc, bp) == 0)
		buf_free(bc, bp);
}

void
bcache_forget(struct bcache *bc, uint64_t blkno)
{
	struct buf *bp;

	owner_assert(bc);
	bp = hash_find(bc, blkno);
	if (bp == NULL)
		return;
	KASSERT(bp->b_refs == 0);
	bc->bc_stats.forgets++;
	buf_free(bc, bp);
}

int
bcache_sync(struct bcache *bc)
{
	struct buf *bp;
	int error = 0, e;

	owner_assert(bc);
	TAILQ_FOREACH(bp, &bc->bc_lru, b_lru) {
		e = buf_writeback(bc, bp);
		if (error == 0)
			error = e;
	}
	e = blk_io(bc->bc_dev, BLK_FLUSH, 0, NULL, 0);
	if (error == 0 && e != 0 && e != -EOPNOTSUPP)
		error = -EIO;
	return error;
}

int
bcache_destroy(struct bcache *bc)
{
	struct buf *bp, *next;
	int error;

	owner_assert(bc);
	error = bcache_sync(bc);
	TAILQ_FOREACH_SAFE(bp, &bc->bc_lru, b_lru, next)
		buf_free(bc, bp);
	return error;
}

int
bcache_check(struct bcache *bc, kprint_fn pr)
{
	struct buf *bp;
	int n = 0, problems = 0;

	TAILQ_FOREACH(bp, &bc->bc_lru, b_lru) {
		n++;
		if (hash_find(bc, bp->b_blkno) != bp) {
			pr("bcache: buf %lu not found by its hash\n", bp->b_blkno);
			problems++;
		}
		if (bp->b_refs < 0) {
			pr("bcache: buf %lu refs %d\n", bp->b_blkno, bp->b_refs);
			problems++;
		}
	}
	if (n != bc->bc_nbufs) {
		pr("bcache: %d bufs on the lru, nbufs %d\n", n, bc->bc_nbufs);
		problems++;
	}
	return problems;
}

void
bcache_print(struct bcache *bc, kprint_fn pr)
{
	struct buf *bp;

	pr("bcache %s bsize %u: %d bufs (max %d), hits %lu misses %lu "
	    "reads %lu writes %lu evictions %lu\n",
	    bc->bc_dev != NULL ? bc->bc_dev->name : "-", bc->bc_bsize,
	    bc->bc_nbufs, bc->bc_maxbufs, bc->bc_stats.hits,
	    bc->bc_stats.misses, bc->bc_stats.reads, bc->bc_stats.writes,
	    bc->bc_stats.evictions);
	TAILQ_FOREACH(bp, &bc->bc_lru, b_lru)
		pr("  buf %lu refs %d%s\n", bp->b_blkno, bp->b_refs,
		    bp->b_dirty ? " dirty" : "");
}
