/*
 * uvm/uvm_fault.c - the page fault handler.
 *
 * A fault at va asks one question: which page should back va, and with
 * what permission?  The answer comes from the two layers of the map
 * entry, looked at top first:
 *
 *      entry [start, end)
 *        upper: amap --> anon --> page      private (anonymous) data
 *        lower: object --> page             file or aobj data, or nothing
 *
 * The handler runs in four steps, each its own function:
 *
 *   fault_check   look up the entry, check protection, resolve needs-copy
 *                 (amap_copy) when the access will need a private amap,
 *                 pick the fault-ahead window and look up its anons
 *   fault_upper   an anon is there:
 *                   1A  map its page (read-only if shared copy-on-write)
 *                   1B  write to a shared anon of a copy-on-write entry:
 *                       copy the page into a new anon (fault_promote)
 *   fault_lower   no anon:
 *                   2A  map the object's page (read-only if the entry is
 *                       copy-on-write, so a write faults again)
 *                   2B  write to a copy-on-write object page, or no
 *                       object at all: promote the object page (or a zero
 *                       page) into a new anon (fault_promote)
 *   fault-ahead   both layers also map resident neighbours of va, by the
 *                 entry's advice (normal: 3 back, 4 forward; sequential:
 *                 8 back, 7 forward; random: none), never allocating;
 *                 and a forward sweep (the page before va is already
 *                 there) gets the next 15 pages zero-filled or copied
 *                 in the same fault (fault_ahead)
 *
 * Worked example: after fork, parent and child share anon A (an_ref 2)
 * through needs-copy entries.  The child writes: fault_check sees the
 * entry needs a copy and the access is a write, so amap_copy gives the
 * child its own amap (slot -> A, A.an_ref still counted per slot: 2).
 * fault_upper finds A shared and the access a write: case 1B allocates
 * anon B, copies A's page, puts B in the child's slot (A.an_ref drops to
 * 1) and maps B writable.  The parent's next write finds A unshared:
 * case 1A maps it writable again without copying.
 *
 * Restarts.  When the handler must let go of the map to wait (the pager
 * or the swap reading a page), it notes map->timestamp, and after
 * retaking the lock compares it: if anything changed, everything it
 * learned may be stale, so it undoes and starts again from fault_check
 * (uvmexp.flt_restart counts these).  Waiting for memory (uvm_wait) or
 * for a page another fault is reading (PG_BUSY) always starts over.  A
 * failure injected on purpose (uvm_failalloc.h) starts over without
 * waiting, at most FAULT_INJECTED_TRIES times in a row.
 *
 * Swap: an anon whose page was written out has an_page NULL and its data
 * in slot an_swslot.  fault_anonget reads it back (case 1A or 1B then
 * proceeds as usual); the page keeps the slot and PG_CLEAN, so the page
 * daemon can drop it again without a write unless it gets dirtied.
 *
 * Lock order: map, then amap (and its anons), then object.
 */
#include "uvm/uvm_fault.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_failalloc.h"
#include "uvm/uvm_ftrace.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pdaemon.h"
#include "uvm/uvm_swap.h"

#define FAULT_MAXRANGE 16       /* >= nback + nforw + 1 for every advice */
#define FAULT_AHEAD 15          /* pages done ahead of a forward sweep */
_Static_assert(FAULT_AHEAD <= PMAP_ENTER_MAX, "a zero-fill run is one pmap_enter_pages");
#define ERESTART 512            /* internal: start the fault over */
#define FAULT_INJECTED_TRIES 8  /* attempts failed by injection before giving up */

static const struct {
	int nback;
	int nforw;
} fault_advice[] = {
	[UVM_ADV_NORMAL] = { 3, 4 },
	[UVM_ADV_RANDOM] = { 0, 0 },
	[UVM_ADV_SEQUENTIAL] = { 8, 7 },
};

/* Everything one fault learns and carries between its steps. */
struct fault {
	struct vm_map *map;
	vaddr_t va;                     /* the faulting page */
	vm_prot_t access;               /* what the access needs */
	bool wire;                      /* wiring: map PMAP_WIRED, wire the page */
	bool entry_wired;               /* not wiring, but the entry is wired:
	                                   its pages are wired already */
	struct vm_map_entry *entry;
	uint32_t timestamp;             /* map->timestamp when looked up */
	vm_prot_t enter_prot;           /* what the mapping may allow */
	vaddr_t startva;                /* fault-ahead window */
	int npages;
	int centeridx;                  /* index of va in the window */
	struct vm_anon *anons[FAULT_MAXRANGE];
	int fcase;                      /* how it was resolved (uvm_ftrace.h) */
};

static struct vm_amap *
fault_amap(const struct fault *f)
{
	return f->entry->aref.ar_amap;
}

static void
fault_unlock_all(struct fault *f)
{
	if (fault_amap(f) != NULL)
		mutex_exit(fault_amap(f)->am_lock);
	mutex_exit(&f->map->lock);
}

/* Pick the fault-ahead window inside the entry, by advice. */
static void
fault_window(struct fault *f)
{
	const struct vm_map_entry *e = f->entry;
	int nback = f->wire ? 0 : fault_advice[e->advice].nback;
	int nforw = f->wire ? 0 : fault_advice[e->advice].nforw;

	nback = (int)MIN((vaddr_t)nback, (f->va - e->start) >> PAGE_SHIFT);
	nforw = (int)MIN((vaddr_t)nforw, ((e->end - f->va) >> PAGE_SHIFT) - 1);
	f->startva = f->va - ((vaddr_t)nback << PAGE_SHIFT);
	f->npages = nback + nforw + 1;
	f->centeridx = nback;
}

/* ------------------------------------------------------------------ */
/* Check                                                               */

/*
 * Will this fault store a new anon, so that the entry must first have an
 * amap of its own?  A write to a private (copy-on-write) entry will, and
 * so will any touch of anonymous memory where no anon exists yet.  A read
 * that finds an anon in a still-shared amap does not: needs-copy stays
 * until the first write.  => map locked.
 */
static bool
fault_needs_own_amap(const struct fault *f, struct vm_map_entry *e)
{
	struct vm_amap *amap = e->aref.ar_amap;
	bool has_anon = false;

	if (!(e->etype & UVM_ET_NEEDSCOPY) && amap != NULL)
		return false;
	if ((f->access & VM_PROT_WRITE) && (e->etype & UVM_ET_COPYONWRITE))
		return true;
	if (e->object != NULL)
		return false;
	if (amap != NULL) {
		mutex_enter(amap->am_lock);
		has_anon = amap_lookup(&e->aref, f->va - e->start) != NULL;
		mutex_exit(amap->am_lock);
	}
	return !has_anon;
}

/*
 * Find the entry, check the access, and make sure the entry has its own
 * amap when this fault will put an anon in it.
 *  => returns with the map and the amap (if any) locked, or an error
 *     with nothing locked.
 */
static int
fault_check(struct fault *f)
{
	struct vm_map_entry *e;
	bool cow;

	mutex_enter(&f->map->lock);
	if (uvm_map_reserve_entries(f->map) != 0) {
		mutex_exit(&f->map->lock);
		return -ENOMEM;
	}
	if (!uvm_map_lookup_entry(f->map, f->va, &e)) {
		mutex_exit(&f->map->lock);
		return -EFAULT;
	}
	if ((vm_prot_hw(e->protection) & f->access) != f->access) {
		mutex_exit(&f->map->lock);
		return -EACCES;
	}
	cow = (e->etype & UVM_ET_COPYONWRITE) != 0;
	/* Wiring a private writable page makes it private now: later
	 * writes to a wired page could not fault to copy it. */
	if (f->wire && cow && (e->protection & VM_PROT_WRITE))
		f->access |= VM_PROT_WRITE;
	if (fault_needs_own_amap(f, e)) {
		int error = amap_copy(f->map, e, 0, f->va, f->va + PAGE_SIZE);
		if (error != 0) {
			mutex_exit(&f->map->lock);
			return error;
		}
		/* Chunking may have clipped the entry: look again. */
		uvm_map_lookup_entry(f->map, f->va, &e);
	}
	f->entry = e;
	f->entry_wired = !f->wire && e->wired_count > 0;
	f->timestamp = f->map->timestamp;
	f->enter_prot = vm_prot_hw(e->protection);
	if (e->etype & UVM_ET_NEEDSCOPY)
		f->enter_prot &= ~VM_PROT_WRITE;    /* amap still shared */
	fault_window(f);
	memset(f->anons, 0, sizeof(f->anons));
	if (e->aref.ar_amap != NULL) {
		mutex_enter(e->aref.ar_amap->am_lock);
		amap_lookups(&e->aref, f->startva - e->start, f->anons, f->npages);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Mapping pages                                                       */

/* Enter pg at va with prot, wiring or activating it.  => locks held. */
static int
fault_enter(struct fault *f, vaddr_t va, struct vm_page *pg, vm_prot_t prot)
{
	bool wired = (f->wire || f->entry_wired) && va == f->va;
	int flags = PMAP_CANFAIL | (va == f->va ? (int)f->access : 0) |
	    (wired ? PMAP_WIRED : 0);
	int error = pmap_enter(f->map->pmap, va, pg->phys_addr, prot, flags);

	if (error != 0)
		return error;
	if (f->wire && va == f->va)
		vm_page_wire(pg);
	else
		vm_page_activate(pg);
	return 0;
}

/* The protection for mapping an anon's page: read-only while it is shared
 * copy-on-write (a write must fault and copy). */
static vm_prot_t
anon_prot(const struct fault *f, const struct vm_anon *anon)
{
	if (anon->an_ref > 1 && (f->entry->etype & UVM_ET_COPYONWRITE))
		return f->enter_prot & ~VM_PROT_WRITE;
	return f->enter_prot;
}

/*
 * Fault-ahead in the upper layer: map resident neighbour anon pages.  One
 * already mapped with all the rights it would get - by the sweep's
 * ahead-work, or an earlier fault - is left alone (re-entering it would
 * cost a pmap_enter for nothing); one mapped read-only that may now be
 * written (its anon no longer shared) is upgraded, saving its own fault.
 * The window's anons are looked up again first: since fault_check, copy
 * ahead may have replaced some of them, and fault_anonget may have slept
 * with nothing locked while another process's fault changed a slot.
 *  => after the center's case, locks held.
 */
static void
fault_upper_neighbors(struct fault *f)
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
		prot = anon_prot(f, anon);
		if ((pmap_prot(f->map->pmap, va) & prot) == prot)
			continue;
		if (fault_enter(f, va, anon->an_page, prot) == 0)
			UVMEXP_ADD(flt_neighbor, 1);
	}
}

/* ------------------------------------------------------------------ */
/* Promote: a new anon for this page                                   */

/*
 * Put the new anon, with its page pg, in the slot of va, in place of old
 * if there is one (case 1B, copy ahead: the slot's reference moves to
 * anon).  pg gets a copy of src first (NULL: pg was allocated zeroed).
 * Nothing is mapped here.  => map and amap locked.
 */
static void
fault_install(struct fault *f, vaddr_t va, struct vm_anon *anon,
    struct vm_page *pg, const struct vm_page *src, struct vm_anon *old)
{
	if (src != NULL)
		pmap_copy_page(src->phys_addr, pg->phys_addr);
	/* Private and not on swap: dirty, and nobody waits for it. */
	pg->flags &= ~(PG_BUSY | PG_FAKE | PG_CLEAN);
	anon->an_page = pg;
	anon->an_lock = fault_amap(f)->am_lock;
	amap_add(&f->entry->aref, va - f->entry->start, anon, old != NULL);
	if (old != NULL)
		old->an_ref--;          /* the slot's reference moved to anon */
}

/*
 * A promotion in a wired entry replaces the page that the entry's wiring
 * holds (src: the shared anon's page in 1B, the object's page in 2B) by
 * the new private page pg, so the wiring moves with it.  Without this
 * the old page would stay wired for ever and the new one could be paged
 * out; uvm_fault_unwire finds the new one, as the top page at va.
 *  => amap locked.
 */
static void
fault_move_wiring(struct vm_page *src, struct vm_page *pg)
{
	vm_page_wire(pg);
	if (src != NULL && src->wire_count > 0)
		vm_page_unwire(src);
}

/*
 * Put a new anon in the slot of f->va, holding a copy of src (NULL:
 * zeros), in place of oldanon if there was one (case 1B), and map it.
 *  => map and amap locked; returns 0, -ENOMEM with nothing changed, or
 *     pmap_enter's error with the anon in place (a retry maps it: 1A).
 */
static int
fault_promote(struct fault *f, struct vm_page *src, struct vm_anon *oldanon)
{
	struct vm_anon *anon = anon_alloc();
	struct vm_page *pg = NULL;
	int error;

	KASSERT(fault_amap(f) != NULL);
	if (anon != NULL)
		pg = vm_page_alloc(NULL, 0, anon, src == NULL ? VM_PAGE_ZERO : 0);
	if (pg == NULL) {
		if (anon != NULL) {
			anon->an_ref = 0;
			anon_free(anon);
		}
		return -ENOMEM;
	}
	fault_install(f, f->va, anon, pg, src, oldanon);
	if (f->entry_wired)
		fault_move_wiring(src, pg);
	/* If the mapping fails the anon stays: a retry maps it (1A).  The
	 * old page's mapping here must not (amap_add left it to us). */
	error = fault_enter(f, f->va, pg, f->enter_prot);
	if (error != 0 && oldanon != NULL)
		pmap_remove(f->map->pmap, f->va, f->va + PAGE_SIZE);
	return error;
}

/*
 * How many pages after va work ahead may touch (zero-fill and copy ahead,
 * swap read-ahead): at most FAULT_AHEAD, never past the entry's end, and
 * none when wiring or under random advice.  Each caller adds its own
 * free-memory threshold.
 */
static int
fault_ahead_limit(const struct fault *f)
{
	vaddr_t after = (f->entry->end - f->va) / PAGE_SIZE - 1;

	/* A wired entry's pages are all there and wired; work ahead would
	 * replace wired anons by unwired copies. */
	if (f->wire || f->entry_wired || f->entry->advice == UVM_ADV_RANDOM)
		return 0;
	return (int)MIN((vaddr_t)FAULT_AHEAD, after);
}

/*
 * Does this fault look like part of a forward sweep over the entry (a
 * memset, a loop filling an array), so that doing the next pages' work
 * now saves their traps?  Yes when the page just before va already has
 * an anon - a private one (an_ref 1) when prev_private, as a copy-on-
 * write sweep leaves behind - and nothing argues against it: wiring,
 * random advice, or memory anywhere near short (2 * freetarg).
 *  => map and amap locked; returns how many pages after va may be done
 *     (fault_ahead_limit, or 0).
 */
static int
fault_sweep_ahead(const struct fault *f, bool prev_private)
{
	const struct vm_anon *prev;
	int max = fault_ahead_limit(f);

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
fault_fill_run(struct fault *f, struct vm_anon **old, int n)
{
	struct vm_anon *anons[FAULT_AHEAD];
	struct vm_page *pgs[FAULT_AHEAD];
	vaddr_t va = f->va + PAGE_SIZE;
	int got;

	n = anon_alloc_many(anons, n);
	got = vm_page_alloc_anons(pgs, anons, n, old == NULL ? VM_PAGE_ZERO : 0);
	for (int i = got; i < n; i++) {
		anons[i]->an_ref = 0;           /* no page for it: unused */
		anon_free(anons[i]);
	}
	for (int i = 0; i < got; i++) {
		struct vm_anon *o = old != NULL ? old[i] : NULL;
		fault_install(f, va + (vaddr_t)i * PAGE_SIZE, anons[i], pgs[i],
		    o != NULL ? o->an_page : NULL, o);
	}
	if (got > 0) {
		int mapped = pmap_enter_pages(f->map->pmap, va, pgs, got,
		    f->enter_prot);
		/* Unmapped copies: the old pages' mappings must go (amap_add). */
		if (old != NULL && mapped < got)
			pmap_remove(f->map->pmap, va + (vaddr_t)mapped * PAGE_SIZE,
			    va + (vaddr_t)got * PAGE_SIZE);
		vm_page_activate_many(pgs, got);
	}
	return got;
}

/* May the slot holding a (NULL: none) join an ahead run?  See fault_ahead. */
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
 *  => map and amap locked; returns how many pages were done (the caller
 *     counts them in flt_zeroahead or flt_cowahead).
 */
static int
fault_ahead(struct fault *f, bool copy)
{
	struct vm_anon *anons[FAULT_AHEAD];
	int n = fault_sweep_ahead(f, copy), run = 0;

	if (n <= 0)
		return 0;
	amap_lookups(&f->entry->aref, f->va + PAGE_SIZE - f->entry->start, anons, n);
	while (run < n && ahead_slot_ok(anons[run], copy))
		run++;
	return run > 0 ? fault_fill_run(f, copy ? anons : NULL, run) : 0;
}

/* ------------------------------------------------------------------ */
/* Upper layer: there is an anon                                       */

/*
 * Swap read-ahead: the anons after va that are in swap at the slots right
 * after the center's (the page daemon wrote them as one cluster) come in
 * with it, in the same request, each on a busy page of its own.  Not for
 * random advice or wiring, nor when free pages are short.
 *  => map and amap locked; pgs[0] and anons[0] are the center's; returns
 *     how many pages to read (1 + the read-ahead).
 */
static int
anonget_collect(struct fault *f, struct vm_page **pgs, struct vm_anon **anons)
{
	struct vm_anon *next[FAULT_AHEAD];
	int n = 1, max = fault_ahead_limit(f);

	if (max <= 0 || uvmexp.free < uvmexp.freemin + FAULT_AHEAD)
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

/*
 * After the read of slot (amap locked again): the pages' fate.
 *  => 0 or -EIO.
 */
static int
anonget_finish(struct vm_page **pgs, struct vm_anon **anons, int n, int error,
    bool ahead_ok, int slot)
{
	for (int i = 0; i < n; i++) {
		bool ok = i == 0 ? error == 0 : ahead_ok;
		if (ok) {
			UVMEXP_ADD(pageins, 1);
			pgs[i]->flags &= ~PG_FAKE;  /* clean: it matches its slot */
		} else {
			anons[i]->an_page = NULL;
		}
		vm_page_unbusy(pgs[i]);
		if (ok)
			vm_page_activate(pgs[i]);   /* pageable, mapped or not */
		else
			vm_page_free(pgs[i]);
	}
	/* Unreadable: the slot is bad, the fault fails (SIGBUS for this
	 * process only); the anon keeps the slot. */
	if (error != 0)
		uvm_swap_markbad(slot, 1);
	return error != 0 ? -EIO : 0;
}

/*
 * Drop the references fault_anonget held on the anons it read.  While
 * the fault slept, nothing else could free them - a process sharing the
 * amap unmapping or dropping the slot only took the count down to the
 * hold - so no anon is freed with its page busy under a read.  If the
 * hold was the last reference, the anon goes now, its page unbusy.
 *  => the anons' lock held.
 */
static void
anonget_release(struct vm_anon **anons, int n)
{
	for (int i = 0; i < n; i++) {
		KASSERT(anons[i]->an_ref > 0);
		if (--anons[i]->an_ref == 0)
			anon_free(anons[i]);
	}
}

/*
 * The anon at va has no page (it is in swap) or its page is busy (another
 * fault is reading it in).  Busy: wait for it, then start over.  In swap:
 * allocate a page, hang it on the anon busy (so others wait for it), let
 * go of every lock, read the slot (with the read-ahead), and relock; if
 * the map changed while this thread slept, start over, else go on with
 * the page resident.  Each anon read is held (an_ref + 1) while the
 * locks are down, so it cannot be freed under its busy page; if the slot
 * lost the anon meanwhile the fault starts over.  The busy page keeps the slot on the anon meanwhile
 * (swapoff passes it by), but the read, its retry and a failure's markbad
 * use the number taken under the lock: nothing is read from the anon
 * unlocked.
 *  => map and amap locked on entry.  Returns 0 with them still (again)
 *     locked, or an error (-ERESTART included) with nothing locked.
 */
static int
fault_anonget(struct fault *f, struct vm_anon *anon)
{
	struct vm_page *pgs[FAULT_AHEAD + 1];
	struct vm_anon *anons[FAULT_AHEAD + 1] = { anon };
	int n, error, slot = anon->an_swslot;
	bool ahead_ok = true;

	if (anon->an_page != NULL) {
		mutex_exit(&f->map->lock);
		vm_page_wait_busy(anon->an_page, fault_amap(f)->am_lock, "anonget");
		return -ERESTART;
	}
	if ((pgs[0] = vm_page_alloc(NULL, 0, anon, 0)) == NULL) {
		fault_unlock_all(f);
		return -ENOMEM;         /* fault_internal waits for memory */
	}
	anon->an_page = pgs[0];         /* busy: others wait for the read */
	anon->an_ref++;                 /* held across the read */
	n = anonget_collect(f, pgs, anons);
	fault_unlock_all(f);
	error = uvm_swap_io(pgs, n, slot, false);
	if (error != 0 && n > 1) {
		/* Which page failed?  Try the one this fault needs alone. */
		ahead_ok = false;
		error = uvm_swap_io(pgs, 1, slot, false);
	}
	mutex_enter(&f->map->lock);
	mutex_enter(anon->an_lock);
	error = anonget_finish(pgs, anons, n, error, ahead_ok, slot);
	bool same = f->map->timestamp == f->timestamp &&
	    amap_lookup(&f->entry->aref, f->va - f->entry->start) == anon;
	anonget_release(anons, n);
	if (error == 0 && same)
		return 0;
	mutex_exit(anon->an_lock);
	mutex_exit(&f->map->lock);
	return error != 0 ? error : -ERESTART;
}

static int
fault_upper(struct fault *f)
{
	struct vm_anon *anon = f->anons[f->centeridx];
	int error;

	if (anon->an_page == NULL || (anon->an_page->flags & PG_BUSY)) {
		if ((error = fault_anonget(f, anon)) != 0)
			return error;
	}
	if ((f->access & VM_PROT_WRITE) && anon->an_ref > 1 &&
	    (f->entry->etype & UVM_ET_COPYONWRITE)) {
		error = fault_promote(f, anon->an_page, anon);       /* 1B */
		if (error == 0) {
			UVMEXP_ADD(flt_cow, 1);
			f->fcase = FT_1B;
			UVMEXP_ADD(flt_cowahead, (uint64_t)fault_ahead(f, true));
		}
	} else {
		error = fault_enter(f, f->va, anon->an_page, anon_prot(f, anon)); /* 1A */
		if (error == 0) {
			UVMEXP_ADD(flt_anon, 1);
			f->fcase = FT_1A;
		}
	}
	if (error == 0)
		fault_upper_neighbors(f);
	fault_unlock_all(f);
	return error;
}

/* ------------------------------------------------------------------ */
/* Lower layer: the object, or nothing                                 */

/* Fault-ahead in the lower layer: resident object pages not shadowed by anons. */
static void
fault_lower_neighbors(struct fault *f, struct vm_page **pages)
{
	vm_prot_t prot = f->enter_prot;

	if (f->entry->etype & UVM_ET_COPYONWRITE)
		prot &= ~VM_PROT_WRITE;
	for (int i = 0; i < f->npages; i++) {
		vaddr_t va = f->startva + ((vaddr_t)i << PAGE_SHIFT);
		if (i == f->centeridx || pages[i] == NULL || f->anons[i] != NULL ||
		    (pages[i]->flags & PG_BUSY))
			continue;
		if (fault_enter(f, va, pages[i], prot) == 0)
			UVMEXP_ADD(flt_neighbor, 1);
	}
}

/*
 * The object page at va.  First ask for resident pages without letting
 * go of anything (and map the neighbours found); if va's page is not
 * resident, unlock everything, let the pager bring it in (it may sleep),
 * and relock: if the map changed meanwhile, restart.
 *  => map, amap and object locked on return with *pgp set, or an error
 *     (-ERESTART included) with nothing locked.
 */
static int
fault_lower_get(struct fault *f, struct uvm_object *uobj, struct vm_page **pgp)
{
	struct vm_page *pages[FAULT_MAXRANGE] = { 0 };
	voff_t off = f->entry->offset + (voff_t)(f->startva - f->entry->start);
	int n = f->npages, error;

	mutex_enter(&uobj->vmobjlock);
	error = uobj->pgops->pgo_get(uobj, off, f->centeridx, pages, &n,
	    f->access, f->entry->advice, PGO_LOCKED);
	fault_lower_neighbors(f, pages);
	if (error == 0 && pages[f->centeridx] != NULL) {
		*pgp = pages[f->centeridx];
		return 0;
	}
	/* Not resident: wait for the pager with nothing locked. */
	uint32_t stamp = f->timestamp;
	mutex_exit(&uobj->vmobjlock);
	fault_unlock_all(f);
	memset(pages, 0, sizeof(pages));
	n = 1;
	error = uobj->pgops->pgo_get(uobj, off + ((voff_t)f->centeridx << PAGE_SHIFT),
	    0, pages, &n, f->access, f->entry->advice, 0);
	if (error != 0)
		return error;
	mutex_enter(&f->map->lock);
	if (f->map->timestamp != stamp) {
		mutex_exit(&f->map->lock);
		mutex_enter(&uobj->vmobjlock);
		vm_page_unbusy(pages[0]);
		mutex_exit(&uobj->vmobjlock);
		return -ERESTART;
	}
	if (fault_amap(f) != NULL)
		mutex_enter(fault_amap(f)->am_lock);
	mutex_enter(&uobj->vmobjlock);
	*pgp = pages[0];
	return 0;
}

static int
fault_lower(struct fault *f)
{
	struct uvm_object *uobj = f->entry->object;
	bool cow = (f->entry->etype & UVM_ET_COPYONWRITE) != 0;
	struct vm_page *pg = NULL;
	int error;

	if (uobj != NULL) {
		error = fault_lower_get(f, uobj, &pg);
		if (error != 0)
			return error;
	}
	if (uobj == NULL || ((f->access & VM_PROT_WRITE) && cow)) {
		error = fault_promote(f, pg, NULL);                  /* 2B */
		if (error == 0 && pg != NULL) {
			UVMEXP_ADD(flt_promote, 1);
			f->fcase = FT_2B_PROMOTE;
		} else if (error == 0) {
			UVMEXP_ADD(flt_zerofill, 1);
			f->fcase = FT_2B_ZERO;
			UVMEXP_ADD(flt_zeroahead, (uint64_t)fault_ahead(f, false));
		}
	} else {
		vm_prot_t prot = cow ? f->enter_prot & ~VM_PROT_WRITE : f->enter_prot;
		error = fault_enter(f, f->va, pg, prot);             /* 2A */
		if (error == 0) {
			UVMEXP_ADD(flt_obj, 1);
			f->fcase = FT_2A;
		}
	}
	if (pg != NULL)
		vm_page_unbusy(pg);
	if (uobj != NULL)
		mutex_exit(&uobj->vmobjlock);
	fault_unlock_all(f);
	return error;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

/* The pid for the trace: the vmspace's around map, 0 for a bare map. */
static int
fault_pid(struct vm_map *map)
{
	if (!(map->flags & VM_MAP_VMSPACE))
		return 0;       /* not inside a vmspace (a test's own map) */
	return container_of(map, struct vmspace, vm_map)->vm_pid;
}

static int
fault_internal(struct vm_map *map, vaddr_t va, vm_prot_t access, bool wire)
{
	struct fault f = { .map = map, .va = ROUND_DOWN(va, PAGE_SIZE),
		.access = access, .wire = wire };
	struct ftrace_rec rec = { .va = va, .access = access };
	uint64_t t0 = __builtin_ia32_rdtsc();
	int error, injected_tries = 0;

	UVMEXP_ADD(faults, 1);
	for (;;) {
		uint64_t injected = uvm_failalloc_injected();
		error = fault_check(&f);
		if (error == 0 && f.anons[f.centeridx] != NULL)
			error = fault_upper(&f);
		else if (error == 0)
			error = fault_lower(&f);
		if (error == -ENOMEM && injected != uvm_failalloc_injected()) {
			/* An injected failure (uvm_failalloc.h): memory is not
			 * short, so the page daemon would not help; start over
			 * at once, a bounded number of times in a row, then
			 * give up (the process is killed with a message). */
			if (++injected_tries < FAULT_INJECTED_TRIES)
				error = -ERESTART;
		} else if (error == -ENOMEM && uvm_wait("fltmem") == 0) {
			/* Out of memory: wait for the page daemon (nothing is
			 * locked now), then try again; give up when it found
			 * none. */
			error = -ERESTART;
		}
		if (error != -ERESTART)
			break;
		UVMEXP_ADD(flt_restart, 1);
		rec.restarts++;
	}
	pmap_update(map->pmap);
	rec.pid = fault_pid(map);
	rec.fcase = (uint8_t)f.fcase;
	rec.error = (int16_t)error;
	rec.cycles = __builtin_ia32_rdtsc() - t0;
	uvm_ftrace_record(&rec);
	return error;
}

int
uvm_fault(struct vm_map *map, vaddr_t va, vm_prot_t access_type)
{
	return fault_internal(map, va, access_type, false);
}

int
uvm_fault_wire(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_prot_t access_type)
{
	for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
		int error = fault_internal(map, va, access_type, true);
		if (error != 0) {
			/* Leave nothing half done: unwire what this call wired. */
			mutex_enter(&map->lock);
			uvm_fault_unwire(map, start, va);
			mutex_exit(&map->lock);
			return error;
		}
	}
	return 0;
}

/*
 * Unwire the page that holds va's data in entry e: the anon's page when
 * the amap has an anon for va, else the object's page.  That is the page
 * the wiring fault wired (a promotion in a wired entry moves the wiring
 * to the new page: fault_move_wiring), and wired pages never leave
 * memory, so it is found whether or not va has a PTE now: mprotect
 * (PROT_NONE) removes the PTEs of a wired range, not its pages.
 *  => map locked; takes and drops the amap or object lock.
 */
static void
unwire_page_at(struct vm_map_entry *e, vaddr_t va)
{
	struct vm_amap *amap = e->aref.ar_amap;
	struct vm_anon *anon = NULL;

	if (amap != NULL) {
		mutex_enter(amap->am_lock);
		anon = amap_lookup(&e->aref, va - e->start);
		if (anon != NULL && anon->an_page != NULL &&
		    anon->an_page->wire_count > 0)
			vm_page_unwire(anon->an_page);
		mutex_exit(amap->am_lock);
	}
	if (anon != NULL || e->object == NULL)
		return;
	mutex_enter(&e->object->vmobjlock);
	struct vm_page *pg = uvm_obj_page_lookup(e->object,
	    e->offset + (voff_t)(va - e->start));
	if (pg != NULL && pg->wire_count > 0)
		vm_page_unwire(pg);
	mutex_exit(&e->object->vmobjlock);
}

void
uvm_fault_unwire(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e;

	KASSERT(mutex_owned(&map->lock));
	if (!uvm_map_lookup_entry(map, start, &e))
		e = e->next;
	for (; e != &map->header && e->start < end; e = e->next) {
		vaddr_t to = MIN(end, e->end);
		for (vaddr_t va = MAX(start, e->start); va < to; va += PAGE_SIZE) {
			pmap_unwire(map->pmap, va);
			unwire_page_at(e, va);
		}
	}
}
