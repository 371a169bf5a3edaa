/*
 * uvm/uvm_fault_impl.h - what the fault handler's two files share: the
 * state of one fault, and the calls between the case analysis
 * (uvm_fault.c) and the work done ahead (uvm_fault_ahead.c).  Nothing
 * outside those two files (and their tests) includes it.
 *
 * One fault, as the two files see it:
 *
 *   uvm_fault.c (the teaching path)       uvm_fault_ahead.c (speed-ups)
 *   -------------------------------       -----------------------------
 *   fault_check ........................> fault_ahead_window: which
 *                                         pages around va to look at
 *   fault_upper: 1A / 1B
 *     fault_anonget ....................> fault_ahead_swapin: the swap
 *                                         slots after va's, in one read
 *     after the case ...................> fault_ahead_upper: copy ahead
 *                                         (after 1B), map neighbours
 *   fault_lower: 2A / 2B
 *     fault_lower_get ..................> fault_ahead_objpages: map the
 *                                         resident object neighbours
 *     after a 2B zero-fill .............> fault_ahead_lower: zero-fill
 *                                         ahead
 *
 * With the boot switch faultahead=0 (uvm_fault_ahead_on false) each of
 * those calls does nothing, and the window is va's page alone: a fault
 * maps exactly its own page.
 *
 * Lock order (as in uvm_fault.c): map, then amap (and its anons), then
 * object.  Every call above runs with the map and amap locked, as the
 * case analysis holds them.
 */
#ifndef UVM_UVM_FAULT_IMPL_H
#define UVM_UVM_FAULT_IMPL_H

#include "pmap/pmap.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"

#define FAULT_MAXRANGE 16       /* >= nback + nforw + 1 for every advice */
#define FAULT_AHEAD 15          /* pages done ahead of a forward sweep */
_Static_assert(FAULT_AHEAD <= PMAP_ENTER_MAX, "a zero-fill run is one pmap_enter_pages");

/* Everything one fault learns and carries between its steps. */
struct fault {
	struct vm_map *map;
	vaddr_t va;                     /* the faulting page */
	vm_prot_t access;               /* what the access needs */
	bool wire;                      /* wiring: map PMAP_WIRED, wire the page */
	bool entry_wired;               /* not wiring, but the entry is wired:
	                                   its pages are wired already */
	bool map_write;                 /* holds the map lock as writer (it had
	                                   to give the entry an amap), not as
	                                   a reader like other faults */
	struct vm_map_entry *entry;
	uint32_t timestamp;             /* map->timestamp when looked up */
	vm_prot_t enter_prot;           /* what the mapping may allow */
	vaddr_t startva;                /* the window: npages from startva, */
	int npages;                     /* va's page alone unless fault-ahead */
	int centeridx;                  /* index of va in the window */
	struct vm_anon *anons[FAULT_MAXRANGE];
	int fcase;                      /* how it was resolved (uvm_ftrace.h) */
};

/* The entry's amap (NULL: none yet). */
static inline struct vm_amap *
fault_amap(const struct fault *f)
{
	return f->entry->aref.ar_amap;
}

/* ------------------------------------------------------------------ */
/* In uvm_fault.c, used by both files                                  */

/*
 * fault_enter - map pg at va with prot, wiring or activating it.
 *  => map and amap locked; returns 0 or pmap_enter's error.
 */
int fault_enter(struct fault *f, vaddr_t va, struct vm_page *pg, vm_prot_t prot);

/*
 * fault_anon_prot - the protection for mapping anon's page: read-only
 * while it is shared copy-on-write (a write must fault and copy).
 *  => amap locked.
 */
vm_prot_t fault_anon_prot(const struct fault *f, const struct vm_anon *anon);

/*
 * fault_install - put the new anon, with its page pg holding a copy of
 * src (NULL: pg is zeroed already), in va's slot in place of old (if
 * any: the slot's reference moves to anon).  Nothing is mapped.
 *  => map and amap locked.
 */
void fault_install(struct fault *f, vaddr_t va, struct vm_anon *anon,
    struct vm_page *pg, const struct vm_page *src, struct vm_anon *old);

/*
 * fault_install_run - fault_install of n zeroed pages, pgs[i] in anons[i],
 * into the n empty slots from va on: a zero-fill run (fault-ahead's, or
 * a 2 MiB fill's) in one amap call.  Nothing is mapped.
 *  => map and amap locked; the slots empty; each anon fresh (one
 *     reference, no lock, no page) and each page busy, zeroed and owned
 *     by its anon (pg->uanon), as the allocators hand them out.
 */
void fault_install_run(struct fault *f, vaddr_t va, struct vm_anon **anons,
    struct vm_page **pgs, int n);

/* ------------------------------------------------------------------ */
/* In uvm_fault_ahead.c: each a no-op with faultahead=0                */

/*
 * fault_ahead_window - pick the window of pages around f->va the fault
 * looks at (f->startva, npages, centeridx), inside the entry, by its
 * advice; va's page alone when wiring, in a wired entry, or with
 * fault-ahead off.
 *  => map locked; f->entry set.  Never sleeps.
 */
void fault_ahead_window(struct fault *f);

/*
 * fault_ahead_upper - after case 1A or 1B resolved va: copy ahead of a
 * forward write sweep (after 1B; counted in flt_cowahead), then map or
 * upgrade the resident neighbour anons (flt_neighbor).
 *  => map and amap locked on entry and exit; allocates without sleeping
 *     (fewer pages when memory is short).
 */
void fault_ahead_upper(struct fault *f);

/*
 * fault_ahead_lower - after a 2B zero-fill resolved va: zero-fill ahead
 * of a forward sweep (counted in flt_zeroahead).
 *  => map and amap locked on entry and exit; never sleeps.
 */
void fault_ahead_lower(struct fault *f);

/*
 * fault_ahead_objpages - map the window's resident object pages that no
 * anon shadows (pages[], from the pager's PGO_LOCKED look-up), never
 * va's own (flt_neighbor).
 *  => map, amap and object locked; never sleeps.
 */
void fault_ahead_objpages(struct fault *f, struct vm_page **pages);

/*
 * fault_ahead_swapin - swap read-ahead: add to the read of va's anon
 * (pgs[0], anons[0], its page busy) the anons after va whose slots
 * follow its slot, each on a new busy page and held (an_ref + 1) - only
 * when the page before va is resident (a forward sweep).
 *  => map and amap locked; never sleeps; returns how many pages to read
 *     (1 + the read-ahead, at most FAULT_AHEAD + 1).
 */
int fault_ahead_swapin(struct fault *f, struct vm_page **pgs,
    struct vm_anon **anons);

#endif
