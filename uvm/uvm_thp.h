/*
 * uvm/uvm_thp.h - 2 MiB pages for private anonymous memory: the switch,
 * which entries may have them, and the fault's whole-run zero fill.
 * uvm_thp.c says how it works; pmap/pmap.c ("Large mappings") how the
 * page tables map them.
 */
#ifndef UVM_UVM_THP_H
#define UVM_UVM_THP_H

#include "kern/lib/types.h"
#include "uvm/uvm_param.h"

struct fault;
struct vm_map_entry;

#define THP_SIZE (2UL << 20)                    /* one PDE's span */
#define THP_PAGES ((int)(THP_SIZE / PAGE_SIZE)) /* 512 */

/*
 * The switch: true gives eligible faults 2 MiB runs and lets the pmap
 * promote; thp=0 for 4 KiB pages only (the mode "never" of Linux), thp=1
 * to have them; the default is on with 512 MiB of RAM or more, as Linux
 * (uvm_thp_init).  A plain bool, read without a lock: set once
 * at boot, and tests flip it between their own runs (turning it off
 * only stops new large mappings).  A map entry's own advice (madvise
 * MADV_HUGEPAGE / MADV_NOHUGEPAGE) is its thp field (uvm/uvm_map.h,
 * UVM_THP_*).
 */
extern bool uvm_thp_on;

/* uvm_thp_init - read thp= from the boot command line. */
void uvm_thp_init(void);

/*
 * uvm_thp_entry_ok - may e's pages be mapped 2 MiB at a time?  The
 * switch, e's advice (not MADV_NOHUGEPAGE: e->thp is not UVM_THP_NEVER)
 * and private anonymous memory; uvm_map_entry_thp_eligible (smaps'
 * THPeligible) adds that e holds a whole aligned 2 MiB.  => map locked.
 */
bool uvm_thp_entry_ok(const struct vm_map_entry *e);

/*
 * uvm_thp_pmap_flags - PMAP_PROMOTE if pages the fault maps in e may
 * become part of a 2 MiB mapping, else 0.  => map locked.
 */
int uvm_thp_pmap_flags(const struct vm_map_entry *e);

/*
 * uvm_thp_mmap_align - the alignment for a new mapping of size bytes
 * (private anonymous when anon): THP_SIZE for one whose size is a
 * multiple of it while the switch is on, else 0 (any page).
 */
vsize_t uvm_thp_mmap_align(vsize_t size, bool anon);

/*
 * fault_thp_fill - a zero-fill fault (2B, no object) at f->va: if its
 * 2 MiB-aligned range is eligible, fill all of it from one physical
 * 2 MiB run (zeroed), an anon per page, mapped so the pmap promotes it.
 *  => map and amap locked (the fault's), kept; never sleeps.
 *  => returns 0 when it filled the range (f->va's page included), or
 *     -EAGAIN when the range is not eligible or no run was free: the
 *     caller zero-fills the one page as usual.
 */
int fault_thp_fill(struct fault *f);

/*
 * fault_thp_reuse - a write fault (1A) at f->va on a read-only 2 MiB
 * mapping whose 512 anons are all unshared (the child of a fork is
 * gone): map the run writable again with one PDE.
 *  => map and amap locked (the fault's), kept; never sleeps.
 *  => returns 0 when it did, -EAGAIN otherwise (the caller resolves the
 *     fault one page at a time, as usual).
 */
int fault_thp_reuse(struct fault *f);

#endif
