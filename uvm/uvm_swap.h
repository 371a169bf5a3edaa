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
	uint64_t inuse;         /* allocated now */
	uint64_t bad;           /* marked bad after an I/O error */
};

extern struct uvm_swap_stats uvm_swap_stats;

/*
 * uvm_swap_area_create - add an area of nslots slots with no device.
 *  => returns the first slot number, or a negative errno.
 */
int uvm_swap_area_create(int nslots);

/* uvm_swap_area_destroy_all - remove every area.  => no slot in use. */
void uvm_swap_area_destroy_all(void);

/*
 * uvm_swap_alloc - a run of *nslots contiguous free slots.  If lessok,
 * a shorter run may be returned (*nslots is updated).
 *  => returns the first slot, or 0 when none can be had.
 */
int uvm_swap_alloc(int *nslots, bool lessok);

/* uvm_swap_free - release slots [slot, slot + nslots).  => they were allocated. */
void uvm_swap_free(int slot, int nslots);

/* uvm_swap_markbad - the slots stay allocated forever and count as bad. */
void uvm_swap_markbad(int slot, int nslots);

/* uvm_swap_slot_inuse - is slot allocated? (tests and checkers) */
bool uvm_swap_slot_inuse(int slot);

/* uvm_swap_check - bitmaps agree with the counters.  => problems found. */
int uvm_swap_check(kprint_fn pr);

#endif
