/*
 * uvm/uvm_swap.h - swap slots.
 *
 * Swap is an array of page-sized slots on a block device.  Slot numbers
 * start at 1, so 0 can mean "no slot" in anons and aobjs.  This layer
 * hands out runs of contiguous slots (so the page daemon can write
 * several pages in one I/O) and keeps the books: total, used, bad.
 *
 * A swap area is a whole virtio-blk disk (swapon, uvm/uvm_swapctl.c);
 * tests may also create areas with no disk, where slots are allocated
 * and freed exactly the same but no page is ever written.
 */
#ifndef UVM_UVM_SWAP_H
#define UVM_UVM_SWAP_H

#include "kern/lib/printf.h"
#include "kern/lib/types.h"

struct uvm_swap_stats {
	uint64_t nslots;        /* slots in all areas */
	uint64_t inuse;         /* allocated now (bad slots included) */
	uint64_t bad;           /* marked bad after an I/O error */
	uint64_t ndevs;         /* areas with a disk (swapon) */
	uint64_t writes;        /* write requests sent (one per cluster) */
	uint64_t reads;         /* read requests sent */
	uint64_t pages_written; /* pages in the writes that succeeded */
	uint64_t pages_read;    /* pages in the reads that succeeded */
	uint64_t write_errors;
	uint64_t read_errors;
};

struct blkdev;
struct vm_page;

/* A slot is one page: 8 sectors of 512 bytes on the disk. */
#define SWAP_SECTORS_PER_SLOT 8
/* The most pages one clustered write (or read) carries. */
#define SWAP_MAXCLUSTER 16

extern struct uvm_swap_stats uvm_swap_stats;

/*
 * Locking: one leaf spin lock (uvm_swap_lock) covers the areas and the
 * statistics; it is taken inside object and amap locks and nothing is
 * called with it held.  No function here sleeps.
 */

/* uvm_swap_init - the swap layer at boot (nothing to do until swapon). */
void uvm_swap_init(void);

/*
 * uvm_swap_area_create - add an area of nslots slots with no device.
 *  => its slots follow those of the areas already there (the first area
 *     starts at slot 1); returns the first slot number, -EINVAL for
 *     nslots <= 0, -ENOSPC when slot numbers would pass INT32_MAX, or
 *     -ENOMEM.
 */
int uvm_swap_area_create(int nslots);

/*
 * uvm_swap_area_attach - add an area covering the whole of dev (swapon).
 *  => returns its first slot, -EINVAL for a disk smaller than a page,
 *     -EBUSY if dev is already swap, -ENOMEM, -ENOSPC.
 */
int uvm_swap_area_attach(struct blkdev *dev);

/* uvm_swap_area_find - dev's area: first slot and size.  => 0 or -EINVAL. */
int uvm_swap_area_find(const struct blkdev *dev, int *firstp, int *nslotsp);

/*
 * uvm_swap_area_drain - stop (on) or restart (off) handing out slots on
 * dev; *usedp gets its slots in use that are not bad.  => 0 or -EINVAL.
 */
int uvm_swap_area_drain(const struct blkdev *dev, bool on, int *usedp);

/*
 * uvm_swap_area_detach - remove dev's area (swapoff's last step).
 *  => 0, -EINVAL if dev is not swap, -EBUSY while a slot that is not bad
 *     is in use.  Bad slots go with the area.
 */
int uvm_swap_area_detach(const struct blkdev *dev);

/*
 * uvm_swap_slot_disk - where slot lives: its disk and first sector.
 *  => 0, or -EINVAL when slot is in no area or in a test area (no disk).
 */
int uvm_swap_slot_disk(int slot, struct blkdev **devp, uint64_t *sectorp);

/*
 * uvm_swap_io - read or write npages pages (1..SWAP_MAXCLUSTER) at slots
 * [slot, slot + npages), which are allocated and in one area.
 *  => no spin lock held: sleeps until the disk is done.  The caller keeps
 *     the pages from changing owner (owner locked or pages busy).
 *  => returns 0, -ENODEV for a test area (no disk), or the disk's error
 *     (-EIO); the statistics count requests, pages and errors.
 */
int uvm_swap_io(struct vm_page **pgs, int npages, int slot, bool write);

/*
 * uvm_swap_area_destroy_all - remove every area; numbering restarts at 1.
 *  => test areas only: no disk, no slot in use but bad ones (panics
 *     otherwise).
 */
void uvm_swap_area_destroy_all(void);

/*
 * uvm_swap_alloc - a run of *nslots contiguous free slots (*nslots > 0),
 * the lowest-numbered one that fits; a run never spans two areas.  If
 * lessok and no run is that long, the longest free run there is (shorter)
 * is returned and *nslots is updated.
 *  => returns the first slot, or 0 when none can be had.
 */
int uvm_swap_alloc(int *nslots, bool lessok);

/*
 * uvm_swap_free - release slots [slot, slot + nslots).
 *  => they were allocated (panics otherwise); a slot marked bad is left
 *     allocated, so a bad slot is never handed out again.
 */
void uvm_swap_free(int slot, int nslots);

/*
 * uvm_swap_markbad - the slots stay allocated forever and count as bad.
 *  => they are allocated; marking a slot twice counts it once.
 */
void uvm_swap_markbad(int slot, int nslots);

/* uvm_swap_slot_inuse - is slot allocated? (false outside every area) */
bool uvm_swap_slot_inuse(int slot);

/* uvm_swap_check - bitmaps agree with the counters.  => problems found. */
int uvm_swap_check(kprint_fn pr);

/* uvm_swap_print - the statistics and one line per area. */
void uvm_swap_print(kprint_fn pr);

#endif
