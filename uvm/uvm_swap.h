/*
 * uvm/uvm_swap.h - swap slots.
 *
 * Swap is an array of page-sized slots on a block device.  Slot numbers
 * start at 1, so 0 can mean "no slot" in anons and aobjs.  This layer
 * hands out runs of contiguous slots (so the page daemon can write
 * several pages in one I/O) and keeps the books: total, used, bad.
 *
 * Until a swap device is attached (swapon, later), a swap area with no
 * device can be created for accounting tests: slots are allocated and
 * freed exactly as they will be, but no page is written.
 */
#ifndef UVM_UVM_SWAP_H
#define UVM_UVM_SWAP_H

#include "kern/lib/printf.h"
#include "kern/lib/types.h"

struct uvm_swap_stats {
	uint64_t nslots;        /* slots in all areas */
	uint64_t inuse;         /* allocated now (bad slots included) */
	uint64_t bad;           /* marked bad after an I/O error */
};

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
 * uvm_swap_area_destroy_all - remove every area; numbering restarts at 1.
 *  => no slot in use but bad ones (panics otherwise).
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
