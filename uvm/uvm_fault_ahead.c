/*
 * uvm/uvm_fault_ahead.c - the fault handler's speed-ups: work done in one
 * fault for the pages around it, so that they do not fault on their own.
 *
 * uvm_fault.c resolves one page by the four cases (1A, 1B, 2A, 2B) and
 * would be correct without this file.  Each function here is called from
 * one place of that case analysis (see uvm_fault_impl.h), and each is
 * only about timing: what it does early, a later fault would have done.
 *
 *   neighbours   map resident pages around va, by the entry's advice
 *                (normal: 3 back, 4 forward; sequential: 8 back, 7
 *                forward; random: none), never allocating; an anon page
 *                mapped read-only that may now be written is upgraded.
 *                A mapping of an object (a file, shared memory) under
 *                normal advice takes the 16-page aligned block around
 *                va instead ("fault around"), each run of its pages
 *                mapped with one pmap_enter_pages
 *   zero ahead   a zero-fill (2B) right after a page that has an anon:
 *                the process sweeps forward (a memset), so the next
 *                FAULT_AHEAD pages without an anon are zero-filled now
 *   copy ahead   a copy (1B) right after a page already copied: the next
 *                shared resident anons are copied now
 *   swap ahead   an anon read back from swap brings the anons after it
 *                whose slots follow its slot, in the same read - when
 *                the page before it is resident: a forward sweep, not a
 *                random reader (swapin_sweep)
 *
 * Worked example, a memset over 24 fresh pages p0..p23 (normal advice):
 *
 *   touch p0   2B zero-fill p0; p-1 has no anon: no sweep, nothing ahead
 *   touch p1   2B zero-fill p1; p0 has an anon: a sweep, so p2..p16
 *              are zero-filled and mapped in the same fault (15 ahead)
 *   touch p17  the same: p18..p23, stopped by the entry's end (6 ahead)
 *
 * three traps for 24 pages instead of 24.
 *
 * The boot switch faultahead=0 (uvm_fault_ahead_on) turns all of it off:
 * the window is va's page alone and every call below returns at once,
 * so a fault maps exactly its own page - for labs, and to measure what
 * the speed-ups are worth (make bench's uvmkern_noahead column).
 *
 * Invariants: nothing here is needed for correctness, and nothing here
 * sleeps - it allocates with the pool and page allocators' no-wait paths
 * and stops short when memory is (anywhere near) short.  Busy pages
 * (being read) are left alone, and so is an anon neighbour already mapped
 * with the rights it would get (an object's is simply entered again); a
 * wired entry gets no window at all (fault_ahead_window): work ahead
 * never replaces or re-enters a wired entry's pages.
 *
 * Lock order: map, then amap (and its anons), then object, all held by
 * the caller as the case analysis holds them; nothing here takes or
 * drops a lock but the allocators' own.
 */
#include "uvm/uvm_fault.h"
#include "kern/core/cmdline.h"
#include "uvm/uvm_fault_impl.h"
#include "uvm/uvm_ftrace.h"
#include "uvm/uvm_thp.h"

KOPT(faultahead, "faultahead",
    "0: page faults map only their own page: no neighbours, no zero-fill "
    "or copy ahead, no swap read-ahead (default 1)");

bool uvm_fault_ahead_on = true;

static const struct {
	int nback;
	int nforw;
} fault_advice[] = {
	[UVM_ADV_NORMAL] = { 3, 4 },
	[UVM_ADV_RANDOM] = { 0, 0 },
	[UVM_ADV_SEQUENTIAL] = { 8, 7 },
};

void
uvm_fault_ahead_init(void)
{
	uvm_fault_ahead_on = kopt_get_u64("faultahead", 1) != 0;
}

/*
 * The window of a fault in a mapping of an object (a file; shared
 * anonymous memory's aobj too) under normal advice: Linux's "fault
 * around", the 16-page (64 KiB) aligned block that holds va.
 * Mapping a resident file page costs a PTE and a PV entry, a trap costs
 * far more, so a reader of a cached file traps once per 16 pages instead
 * of once per 5 or so; only pages already resident are mapped.
 */
#define FAULT_AROUND 16
STATIC_ASSERT(FAULT_AROUND <= FAULT_MAXRANGE);

static void
fault_around(const struct fault *f, int *nback, int *nforw)
{
	vaddr_t block = FAULT_AROUND * PAGE_SIZE;
	vaddr_t lo = f->va & ~(block - 1);

	if (f->entry->object == NULL || f->entry->advice != UVM_ADV_NORMAL)
		return;
	*nback = (int)((f->va - lo) >> PAGE_SHIFT);
	*nforw = FAULT_AROUND - 1 - *nback;
}

/*
 * No neighbours for a wiring fault, nor for any fault in a wired
 * (mlocked) entry: its pages are all mapped and wired already, and
 * entering one again without PG_WIRED would drop its wiring.
 */
void
fault_ahead_window(struct fault *f)
{
	const struct vm_map_entry *e = f->entry;
	bool none = f->wire || e->wired_count > 0 || !uvm_fault_ahead_on;
	int nback = none ? 0 : fault_advice[e->advice].nback;
	int nforw = none ? 0 : fault_advice[e->advice].nforw;

	if (!none)
		fault_around(f, &nback, &nforw);

	nback = (int)MIN((vaddr_t)nback, (f->va - e->start) >> PAGE_SHIFT);
	nforw = (int)MIN((vaddr_t)nforw, ((e->end - f->va) >> PAGE_SHIFT) - 1);
	f->startva = f->va - ((vaddr_t)nback << PAGE_SHIFT);
	f->npages = nback + nforw + 1;
	f->centeridx = nback;
}

/*
 * How many pages after va work ahead may touch (zero-fill and copy ahead,
 * swap read-ahead): at most FAULT_AHEAD, never past the entry's end, and
 * none when switched off, wiring or under random advice.  Each caller
 * adds its own free-memory threshold.
 */
static int
ahead_limit(const struct fault *f)
{
	vaddr_t after = (f->entry->end - f->va) / PAGE_SIZE - 1;

	/* A wired entry's pages are all there and wired; work ahead would
	 * replace wired anons by unwired copies. */
	if (!uvm_fault_ahead_on || f->wire || f->entry_wired ||
	    f->entry->advice == UVM_ADV_RANDOM)
		return 0;
	return (int)MIN((vaddr_t)FAULT_AHEAD, after);
}

/* ------------------------------------------------------------------ */
/* Neighbours                                                          */

/*
 * Map resident neighbour anon pages.  One already mapped with all the
 * rights it would get - by the sweep's ahead-work, or an earlier fault -
 * is left alone (re-entering it would cost a pmap_enter for nothing); one
 * mapped read-only that may now be written (its anon no longer shared) is
 * upgraded, saving its own fault.  The window's anons are looked up again
 * first: since fault_check, copy ahead may have replaced some of them,
 * and fault_anonget may have slept with nothing locked while another
 * process's fault changed a slot.  => map and amap locked.
 */
static void
ahead_upper_neighbors(struct fault *f)
{
	amap_lookups(&f->entry->aref, f->startva - f->entry->start, f->anons,
	    f->npages);
	for (int i = 0; i < f->npages; i++) {
		struct vm_anon *anon = f->anons[i];
		vaddr_t va = f->startva + ((vaddr_t)i << PAGE_SHIFT);
		vm_prot_t prot;
		if (i == f->centeridx || anon == NULL || anon->an_page == NULL ||
		    (anon->an_page->flags & PG_BUSY))
			continue;
		prot = fault_anon_prot(f, anon);
		if ((pmap_prot(f->map->pmap, va) & prot) == prot)
			continue;
		if (fault_enter(f, va, anon->an_page, prot) == 0)
			UVMEXP_ADD(flt_neighbor, 1);
	}
}

/*
 * Map a run of n resident object pages from va with prot, all in one
 * pmap_enter_pages (one lock, one walk, one pool call for the PV entries
 * of pages mapped already) and one page-queue round.  Neighbours are optional: pages the
 * pmap could not map (no memory for a table or a PV entry) are left for
 * their own faults.  => map and object locked.
 */
static void
objpages_enter_run(struct fault *f, vaddr_t va, struct vm_page **pgs, int n,
    vm_prot_t prot)
{
	int mapped;

	if (n == 0)
		return;
	mapped = pmap_enter_pages(f->map->pmap, va, pgs, n, prot,
	    uvm_thp_pmap_flags(f->entry));
	if (mapped == 0)
		return;
	vm_page_activate_many(pgs, mapped);
	UVMEXP_ADD(flt_neighbor, (uint64_t)mapped);
	UVMEXP_ADD(flt_nbruns, 1);
}

void
fault_ahead_objpages(struct fault *f, struct vm_page **pages)
{
	struct vm_page *run[PMAP_ENTER_MAX];
	vm_prot_t prot = f->enter_prot, run_prot = 0;
	vaddr_t run_va = 0;
	int n = 0;

	if (!uvm_fault_ahead_on)
		return;
	if (f->entry->etype & UVM_ET_COPYONWRITE)
		prot &= ~VM_PROT_WRITE;
	for (int i = 0; i < f->npages; i++) {
		vaddr_t va = f->startva + ((vaddr_t)i << PAGE_SHIFT);
		struct vm_page *pg = pages[i];
		vm_prot_t p = pg != NULL && (pg->flags & PG_RDONLY) ?
		    prot & ~VM_PROT_WRITE : prot;
		bool skip = i == f->centeridx || pg == NULL ||
		    f->anons[i] != NULL || (pg->flags & PG_BUSY);
		/* A run ends at a page left out, a change of rights, or full. */
		if (skip || (n > 0 && p != run_prot) || n == PMAP_ENTER_MAX) {
			objpages_enter_run(f, run_va, run, n, run_prot);
			n = 0;
		}
		if (skip)
			continue;
		if (n == 0) {
			run_va = va;
			run_prot = p;
		}
		run[n++] = pg;
	}
	objpages_enter_run(f, run_va, run, n, run_prot);
}

/* ------------------------------------------------------------------ */
/* Zero-fill and copy ahead of a forward sweep                         */

/*
 * Does this fault look like part of a forward sweep over the entry (a
 * memset, a loop filling an array), so that doing the next pages' work
 * now saves their traps?  Yes when the page just before va already has
 * an anon - a private one (an_ref 1) when prev_private, as a copy-on-
 * write sweep leaves behind - and nothing argues against it: wiring,
 * random advice, or memory anywhere near short (2 * freetarg).
 *  => map and amap locked; returns how many pages after va may be done
 *     (ahead_limit, or 0).
 */
static int
ahead_sweep(const struct fault *f, bool prev_private)
{
	const struct vm_anon *prev;
	int max = ahead_limit(f);

	if (max <= 0 || f->centeridx == 0 || uvmexp.free < 2 * uvmexp.freetarg)
		return 0;
	prev = f->anons[f->centeridx - 1];
	if (prev == NULL || (prev_private && prev->an_ref != 1))
		return 0;
	return max;
}

/*
 * Fill the n slots after f->va in one batch: a new anon and page for
 * each, zero-filled (old == NULL) or copied from old[i]'s page, put in
 * the amap (replacing old[i]) and mapped.  Each step - the anons, the
 * pages, the mappings, the queue moves - takes its lock once for the
 * whole run, which is most of what makes a page done ahead cheaper than
 * a page faulted alone.  A page left unmapped (no page table to be had)
 * stays in its anon, and a later fault maps it (1A).
 *  => map and amap locked; 1 <= n <= FAULT_AHEAD; returns how many slots
 *     were filled, from the first (fewer when memory is short).
 */
static int
ahead_fill_run(struct fault *f, struct vm_anon **old, int n)
{
	struct vm_anon *anons[FAULT_AHEAD];
	struct vm_page *pgs[FAULT_AHEAD];
	vaddr_t va = f->va + PAGE_SIZE;
	int got = anon_alloc_many_with_pages(anons, pgs, n,
	    old == NULL ? VM_PAGE_ZERO : 0);

	if (old == NULL) {
		fault_install_run(f, va, anons, pgs, got);
	} else {
		for (int i = 0; i < got; i++)
			fault_install(f, va + (vaddr_t)i * PAGE_SIZE, anons[i],
			    pgs[i], old[i] != NULL ? old[i]->an_page : NULL, old[i]);
	}
	if (got > 0) {
		int mapped = pmap_enter_pages(f->map->pmap, va, pgs, got,
		    f->enter_prot, uvm_thp_pmap_flags(f->entry));
		/* Unmapped copies: the old pages' mappings must go (amap_add). */
		if (old != NULL && mapped < got)
			pmap_remove(f->map->pmap, va + (vaddr_t)mapped * PAGE_SIZE,
			    va + (vaddr_t)got * PAGE_SIZE);
		vm_page_activate_many(pgs, got);
	}
	return got;
}

/* May the slot holding a (NULL: none) join an ahead run?  See ahead_run. */
static bool
ahead_slot_ok(const struct vm_anon *a, bool copy)
{
	if (!copy)
		return a == NULL;
	return a != NULL && a->an_ref >= 2 && a->an_page != NULL &&
	    !(a->an_page->flags & PG_BUSY);
}

/*
 * Work ahead of a forward sweep, so one trap serves up to FAULT_AHEAD + 1
 * pages.  Zero-fill ahead (copy false), after a 2B zero-fill: the
 * following pages that have no anon yet.  Copy ahead (copy true), after a
 * 1B copy whose previous page was copied already: the following shared,
 * resident anons, which the sweep would fault on one by one.  Copying
 * early is always correct - only the timing of the copy changes - and the
 * other sharers then find their anons unshared (1A, no copy).
 *  => map and amap locked; returns how many pages were done.
 */
static int
ahead_run(struct fault *f, bool copy)
{
	struct vm_anon *anons[FAULT_AHEAD];
	int n = ahead_sweep(f, copy), run = 0;

	if (n <= 0)
		return 0;
	amap_lookups(&f->entry->aref, f->va + PAGE_SIZE - f->entry->start, anons, n);
	while (run < n && ahead_slot_ok(anons[run], copy))
		run++;
	return run > 0 ? ahead_fill_run(f, copy ? anons : NULL, run) : 0;
}

void
fault_ahead_upper(struct fault *f)
{
	if (!uvm_fault_ahead_on)
		return;
	if (f->fcase == FT_1B)
		UVMEXP_ADD(flt_cowahead, (uint64_t)ahead_run(f, true));
	ahead_upper_neighbors(f);
}

void
fault_ahead_lower(struct fault *f)
{
	if (uvm_fault_ahead_on)
		UVMEXP_ADD(flt_zeroahead, (uint64_t)ahead_run(f, false));
}

/* ------------------------------------------------------------------ */
/* Swap read-ahead                                                     */

/*
 * Is this swap-in part of a forward sweep?  Yes when the page just before
 * va is resident: read back a moment ago by the sweep's last fault or its
 * read-ahead.  A random reader's page before is most likely still out,
 * and reading ahead for it brings pages it does not want and pushes as
 * many others out to make room (make bench's swap_in_random, without
 * this check: 7.5 pages read and 7.5 written a fault; Linux reads 1).
 *  => amap locked (the anons' lock).
 */
static bool
swapin_sweep(const struct fault *f)
{
	const struct vm_anon *prev;

	if (f->centeridx == 0)
		return false;
	prev = f->anons[f->centeridx - 1];
	return prev != NULL && prev->an_page != NULL;
}

int
fault_ahead_swapin(struct fault *f, struct vm_page **pgs, struct vm_anon **anons)
{
	struct vm_anon *next[FAULT_AHEAD];
	int n = 1, max = ahead_limit(f);

	if (max <= 0 || uvmexp.free < uvmexp.freemin + FAULT_AHEAD || !swapin_sweep(f))
		return 1;
	amap_lookups(&f->entry->aref, f->va + PAGE_SIZE - f->entry->start, next, max);
	for (int i = 0; i < max; i++) {
		struct vm_anon *a = next[i];
		if (a == NULL || a->an_page != NULL ||
		    a->an_swslot != anons[0]->an_swslot + 1 + i ||
		    (pgs[n] = vm_page_alloc(NULL, 0, a, 0)) == NULL)
			break;
		a->an_page = pgs[n];
		a->an_ref++;            /* held across the read (fault_anonget) */
		anons[n++] = a;
	}
	return n;
}
