/*
 * dev/blk.c - the driver-independent half of block I/O: the disk list,
 * request checks, statistics and error injection (see dev/blk.h).
 *
 * What blk_io does, in order:
 *
 *   check the request -- bad: -EINVAL, or -EROFS for a write to a
 *     | ok                 read-only disk; not counted, the device
 *     |                    never sees it
 *   count it (stats.reads / writes / flushes)
 *     |
 *   an injection rule matches? -- yes: -EIO, stats.injected, errors
 *     | no
 *   d->strategy(...)  (the driver; sleeps until the device answers)
 *     |
 *   0: count sectors      error: stats.errors
 *
 * Checking here, once, means no driver can forget a check, and a bad
 * request never reaches a device (nor panics: it is the caller's bug,
 * reported as an error).
 *
 * Lock order: inj_lock is a leaf, held only to read or change a rule,
 * never across the driver call.
 */
#include "dev/blk.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"

static struct blkdev *disks[BLK_MAX_DISKS];
static int ndisks;

int
blk_count(void)
{
	return ndisks;
}

struct blkdev *
blk_get(int i)
{
	return i >= 0 && i < ndisks ? disks[i] : NULL;
}

struct blkdev *
blk_lookup(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strncmp(name, "/dev/", 5) == 0)
		name += 5;
	for (int i = 0; i < ndisks; i++) {
		if (strcmp(disks[i]->name, name) == 0)
			return disks[i];
	}
	return NULL;
}

int
blk_register(struct blkdev *d)
{
	if (ndisks == BLK_MAX_DISKS)
		return -ENOSPC;
	d->inj_lock = (struct spinlock)SPINLOCK_INIT("blk_inject");
	memset(d->inject, 0, sizeof(d->inject));
	disks[ndisks++] = d;
	return 0;
}

/* The request's checks; *nsec gets its length in sectors.  0, -EINVAL or -EROFS. */
static int
blk_check(const struct blkdev *d, enum blk_op op, uint64_t sector,
    const struct blk_seg *segs, int nseg, uint64_t *nsec)
{
	uint64_t bytes = 0;

	*nsec = 0;
	if (op == BLK_FLUSH)
		return nseg == 0 ? 0 : -EINVAL;
	if ((op != BLK_READ && op != BLK_WRITE) || segs == NULL || nseg <= 0 ||
	    nseg > d->max_segs)
		return -EINVAL;
	for (int i = 0; i < nseg; i++) {
		if (segs[i].len == 0 || segs[i].len % BLK_SECTOR != 0 ||
		    segs[i].pa % BLK_SECTOR != 0)
			return -EINVAL;
		if (d->max_seg_len != 0 && segs[i].len > d->max_seg_len)
			return -EINVAL;
		bytes += segs[i].len;
	}
	*nsec = bytes / BLK_SECTOR;
	/* Written so that a huge sector cannot wrap around. */
	if (sector >= d->nsectors || *nsec > d->nsectors - sector)
		return -EINVAL;
	/* Last, so that a malformed write to a read-only disk is -EINVAL. */
	if (op == BLK_WRITE && d->readonly)
		return -EROFS;
	return 0;
}

/* Do [a, a + na) and [b, b + nb) overlap?  (No sum that could wrap.) */
static bool
ranges_meet(uint64_t a, uint64_t na, uint64_t b, uint64_t nb)
{
	return a >= b ? a - b < nb : b - a < na;
}

/* Does a rule for op make this request fail?  Uses up one of its count. */
static bool
blk_injected(struct blkdev *d, enum blk_op op, uint64_t sector, uint64_t nsec)
{
	struct blk_inject *r = &d->inject[op];
	bool hit = false;

	spin_lock(&d->inj_lock);
	if (r->count != 0 && (op == BLK_FLUSH ||
	    ranges_meet(sector, nsec, r->sector, r->nsectors))) {
		hit = true;
		if (r->count > 0)
			r->count--;
	}
	spin_unlock(&d->inj_lock);
	return hit;
}

static void
blk_count_op(struct blkdev *d, enum blk_op op, int error, uint64_t nsec)
{
	uint64_t *ops[BLK_NOPS] = { &d->stats.reads, &d->stats.writes,
		&d->stats.flushes };

	__atomic_fetch_add(ops[op], 1, __ATOMIC_RELAXED);
	if (error != 0)
		__atomic_fetch_add(&d->stats.errors, 1, __ATOMIC_RELAXED);
	else if (op == BLK_READ)
		__atomic_fetch_add(&d->stats.sectors_read, nsec, __ATOMIC_RELAXED);
	else if (op == BLK_WRITE)
		__atomic_fetch_add(&d->stats.sectors_written, nsec, __ATOMIC_RELAXED);
}

int
blk_io(struct blkdev *d, enum blk_op op, uint64_t sector,
    const struct blk_seg *segs, int nseg)
{
	uint64_t nsec;
	int error;

	if (d == NULL)
		return -EINVAL;
	error = blk_check(d, op, sector, segs, nseg, &nsec);
	if (error != 0)
		return error;
	if (blk_injected(d, op, sector, nsec)) {
		__atomic_fetch_add(&d->stats.injected, 1, __ATOMIC_RELAXED);
		error = -EIO;
	} else {
		error = d->strategy(d, op, sector, segs, nseg);
	}
	blk_count_op(d, op, error, nsec);
	return error;
}

void
blk_inject_error(struct blkdev *d, enum blk_op op, uint64_t sector,
    uint64_t nsectors, int count)
{
	if (d == NULL || (unsigned)op >= BLK_NOPS)
		return;
	spin_lock(&d->inj_lock);
	d->inject[op] = (struct blk_inject){ sector, nsectors, count };
	spin_unlock(&d->inj_lock);
}
