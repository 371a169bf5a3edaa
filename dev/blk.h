/*
 * dev/blk.h - block devices, whatever the driver: the disk list, one
 * request entry point (blk_io), statistics and error injection.
 *
 * A request is an operation at a sector over a list of physical
 * segments (scatter-gather): the data need not be contiguous.
 *
 *   blk_io(vdb, BLK_WRITE, 100, segs, 3)
 *       segs[0] = { pa 0x3a000, 4096 }  -> sectors 100..107
 *       segs[1] = { pa 0x51000, 4096 }  -> sectors 108..115
 *       segs[2] = { pa 0x07200,  512 }  -> sector  116
 *
 * blk_io checks the request (blk.c), applies any injected error, then
 * hands it to the driver's strategy function, which sleeps until the
 * device is done.  The swap layer (uvm/) calls this through kern/; the
 * tests call it directly.
 *
 * Locking: the disk list is built at attach time and then only read.
 * A disk's injection rules are guarded by its inj_lock (a leaf spin
 * lock); its statistics are updated atomically.  Drivers have their own
 * locks below blk_io; blk_io holds none while it calls them.
 */
#ifndef DEV_BLK_H
#define DEV_BLK_H

#include "kern/lib/spinlock.h"
#include "kern/lib/types.h"

#define BLK_SECTOR 512
#define BLK_MAX_DISKS 8

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH };
#define BLK_NOPS 3

struct blk_seg {
	paddr_t pa;             /* 512-aligned */
	uint32_t len;           /* > 0, a multiple of 512 */
};

/*
 * Counted by blk_io: reads/writes/flushes are requests that passed the
 * checks (those refused with -EINVAL or -EROFS are not counted; ones that
 * failed later are); errors those that failed (-EIO or
 * -EOPNOTSUPP, injected or from the device); sectors_* only successful
 * transfers; injected the failures blk_inject_error caused.
 */
struct blk_stats {
	uint64_t reads, writes, flushes, errors, sectors_read, sectors_written,
	    injected;
};

struct blkdev;

/* A driver's request routine: the request is valid; may sleep; 0 or -errno. */
typedef int (*blk_strategy_fn)(struct blkdev *d, enum blk_op op,
    uint64_t sector, const struct blk_seg *segs, int nseg);

struct blk_inject {
	uint64_t sector, nsectors;
	int count;              /* requests still to fail; < 0 for ever; 0 off */
};

struct blkdev {
	/*
	 * Set by the driver before blk_register, fixed afterwards; blk.c
	 * and callers read them (softc is for the driver alone).
	 */
	char name[8];           /* "vda" */
	uint64_t nsectors;      /* capacity in 512-byte sectors */
	int max_segs;           /* most segments one request may carry */
	uint32_t max_seg_len;   /* longest segment (0: no limit) */
	bool readonly;          /* writes fail with -EROFS */
	blk_strategy_fn strategy;
	void *softc;            /* the driver's per-disk state */
	/* blk.c's: statistics (blk_io), injection rules (blk_register sets up). */
	struct blk_stats stats;
	struct spinlock inj_lock;
	struct blk_inject inject[BLK_NOPS];
};

/* blk_count - disks found.  blk_get - the i-th disk, NULL past the end. */
int blk_count(void);
struct blkdev *blk_get(int i);

/* blk_lookup - "vda" or "/dev/vda"; NULL if there is no such disk. */
struct blkdev *blk_lookup(const char *name);

/*
 * blk_register - add a driver's disk to the list (the name is the
 * driver's: vda, vdb, ... in the order it attaches them).
 *  => attach time; returns 0, or -ENOSPC past BLK_MAX_DISKS.
 */
int blk_register(struct blkdev *d);

/*
 * blk_io - one request: op at sector over the segments (total length =
 * sum of lens).
 *  => may sleep (process or kernel-thread context, no spin lock held).
 *  => returns 0; -EINVAL (no segments, bad length/alignment, out of
 *     range, nseg > max_segs; a flush takes nseg 0); -EROFS (a write to
 *     a read-only disk); -EIO (device IOERR or injected); -EOPNOTSUPP
 *     (the device refused the operation).
 */
int blk_io(struct blkdev *d, enum blk_op op, uint64_t sector,
    const struct blk_seg *segs, int nseg);

/*
 * blk_inject_error - the next count requests of op that touch [sector,
 * sector + nsectors) fail with -EIO without reaching the device (a flush
 * touches every sector); count < 0: until cleared; count 0 clears the
 * rule for op.  One rule per op: a new one replaces the old.
 *  => any thread context; never sleeps.
 */
void blk_inject_error(struct blkdev *d, enum blk_op op, uint64_t sector,
    uint64_t nsectors, int count);

#endif
