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
 *                 and look up the anons of the window (va's page, and
 *                 with fault-ahead its neighbours)
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
 *
 * Fault-ahead, the speed-ups (mapping resident neighbours, zero-fill and
 * copy ahead of a forward sweep, swap read-ahead), lives in
 * uvm_fault_ahead.c: the cases below call it at one place each, through
 * the fault_ahead_* calls of uvm_fault_impl.h, and boot with faultahead=0
 * turns it off (a fault then maps exactly its own page).
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
 * Lock order: map, then amap (and its anons), then object.  A fault in
 * an entry another thread is wiring (mlock, the map busy) first waits
 * for that to end, holding nothing (fault_check_once).
 */
#include "uvm/uvm_fault.h"
#include "kern/core/lab.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "uvm/uvm_failalloc.h"
#include "uvm/uvm_fault_impl.h"
#include "uvm/uvm_ftrace.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_pdaemon.h"
#include "uvm/uvm_swap.h"
#include "uvm/uvm_thp.h"

#define ERESTART 512            /* internal: start the fault over */
#define EUPGRADE 513            /* internal: look again as the map's writer */
#define FAULT_INJECTED_TRIES 8  /* attempts failed by injection before giving up */

/* Take the map lock: as a reader, or as writer once the fault needed it. */
static void
fault_map_lock(struct fault *f)
{
	if (f->map_write)
		vm_map_lock(f->map);
	else
		vm_map_lock_read(f->map);
}

static void
fault_unlock_all(struct fault *f)
{
	if (fault_amap(f) != NULL)
		mutex_exit(fault_amap(f)->am_lock);
	vm_map_unlock(f->map);
}

/* ------------------------------------------------------------------ */
/* Check                                                               */

/*
 * Will this fault store a new anon, so that the entry must first have an
 * amap of its own?  A write to a private (copy-on-write) entry will, and
 * so will any touch of anonymous memory where no anon exists yet.  A read
 * that finds an anon in a still-shared amap does not: needs-copy stays
 * until the first write.  => map and amap locked, f->anons looked up.
 */
static bool
fault_needs_own_amap(const struct fault *f)
{
	const struct vm_map_entry *e = f->entry;

	if (!(e->etype & UVM_ET_NEEDSCOPY) && e->aref.ar_amap != NULL)
		return false;
	if ((f->access & VM_PROT_WRITE) && (e->etype & UVM_ET_COPYONWRITE))
		return true;
	if (e->object != NULL)
		return false;
	return f->anons[f->centeridx] == NULL;
}

/*
 * Take e as the fault's entry: pick the window (fault_ahead_window) and
 * look up its anons, with the amap locked - here, unless the caller
 * holds its lock already (amap_locked).  => map locked.
 */
static void
fault_lookup_anons(struct fault *f, struct vm_map_entry *e, bool amap_locked)
{
	struct vm_amap *amap = e->aref.ar_amap;

	f->entry = e;
	fault_ahead_window(f);
	memset(f->anons, 0, sizeof(f->anons));
	if (amap == NULL)
		return;
	if (!amap_locked)
		mutex_enter(amap->am_lock);
	amap_lookups(&e->aref, f->startva - e->start, f->anons, f->npages);
}

/*
 * Give the entry an amap of its own (amap_copy) without letting go of
 * the amap lock: a copy shares the old amap's lock object, so the lock
 * held is the copy's as well; a fresh amap (the entry had none) is
 * locked here, once.  => map and amap (if any) locked; returns 0 with
 * them locked and the anons looked up again, or an error with nothing
 * locked.
 */
static int
fault_own_amap(struct fault *f)
{
	struct vm_map_entry *e = f->entry;
	bool had_amap = e->aref.ar_amap != NULL;
	int error = amap_copy(f->map, e, AMAP_COPY_LOCKED, f->va, f->va + PAGE_SIZE);

	if (error != 0) {
		fault_unlock_all(f);
		return error;
	}
	/* Chunking may have clipped the entry: look again. */
	uvm_map_lookup_entry(f->map, f->va, &e);
	fault_lookup_anons(f, e, had_amap);
	KASSERT(mutex_owned(fault_amap(f)->am_lock));
	return 0;
}

/* Find va's entry and check the access.  => map locked; 0 or an error. */
static int
fault_find_entry(struct fault *f, struct vm_map_entry **ep)
{
	/* Spares for amap_copy's clipping; only the writer may take them. */
	if (f->map_write && uvm_map_reserve_entries(f->map) != 0)
		return -ENOMEM;
	if (!uvm_map_lookup_entry(f->map, f->va, ep))
		return -EFAULT;
	if ((vm_prot_hw((*ep)->protection) & f->access) != f->access)
		return -EACCES;
	return 0;
}

/*
 * Find the entry, check the access, look up the anons of the window, and
 * make sure the entry has its own amap when this fault will put an anon
 * in it.  The amap is locked once for all of that.  A fault reads the
 * map, so it holds the map lock shared with other faults; giving the
 * entry an amap changes the map, so a reader that finds it must do that
 * lets go and answers EUPGRADE, and the caller looks again as writer.
 *  => returns with the map and the amap (if any) locked, or an error
 *     with nothing locked.
 */
static int
fault_check_once(struct fault *f)
{
	struct vm_map_entry *e;
	int error;

	fault_map_lock(f);
	if ((error = fault_find_entry(f, &e)) != 0) {
		vm_map_unlock(f->map);
		return error;
	}
	/* Another thread is wiring the entry: until it is done, which of
	 * its pages hold the wiring is not known (fault_move_wiring). */
	if (!f->wire && e->wired_count > 0 && uvm_map_wait_unbusy(f->map))
		return -ERESTART;
	/* Wiring a private writable page makes it private now: later
	 * writes to a wired page could not fault to copy it. */
	if (f->wire && (e->etype & UVM_ET_COPYONWRITE) &&
	    (e->protection & VM_PROT_WRITE))
		f->access |= VM_PROT_WRITE;
	fault_lookup_anons(f, e, false);
	if (fault_needs_own_amap(f) && !f->map_write) {
		fault_unlock_all(f);
		return -EUPGRADE;
	}
	if (fault_needs_own_amap(f) && (error = fault_own_amap(f)) != 0)
		return error;
	e = f->entry;
	f->entry_wired = !f->wire && e->wired_count > 0;
	f->timestamp = f->map->timestamp;
	f->enter_prot = vm_prot_hw(e->protection);
	if (e->etype & UVM_ET_NEEDSCOPY)
		f->enter_prot &= ~VM_PROT_WRITE;    /* amap still shared */
	return 0;
}

static int
fault_check(struct fault *f)
{
	int error = fault_check_once(f);

	if (error == -EUPGRADE) {
		UVMEXP_ADD(flt_upgrade, 1);
		f->map_write = true;
		error = fault_check_once(f);
	}
	return error;
}

/* ------------------------------------------------------------------ */
/* Mapping pages                                                       */

int
fault_enter(struct fault *f, vaddr_t va, struct vm_page *pg, vm_prot_t prot)
{
	bool wired = va == f->va && (f->wire || (f->entry_wired && pg->wire_count > 0));
	int flags = PMAP_CANFAIL | (va == f->va ? (int)f->access : 0) |
	    (wired ? PMAP_WIRED : 0) | uvm_thp_pmap_flags(f->entry);
	int error = pmap_enter(f->map->pmap, va, pg->phys_addr, prot, flags);

	if (error != 0)
		return error;
	if (f->wire && va == f->va)
		vm_page_wire(pg);
	else
		vm_page_activate(pg);
	return 0;
}

vm_prot_t
fault_anon_prot(const struct fault *f, const struct vm_anon *anon)
{
	if (anon->an_ref > 1 && (f->entry->etype & UVM_ET_COPYONWRITE))
		return f->enter_prot & ~VM_PROT_WRITE;
	return f->enter_prot;
}

/* ------------------------------------------------------------------ */
/* Promote: a new anon for this page                                   */

void
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

void
fault_install_run(struct fault *f, vaddr_t va, struct vm_anon **anons,
    struct vm_page **pgs, int n)
{
	for (int i = 0; i < n; i++) {
		pgs[i]->flags &= ~(PG_BUSY | PG_FAKE | PG_CLEAN);
		anons[i]->an_page = pgs[i];
	}
	amap_add_run(&f->entry->aref, va - f->entry->start, anons, n);
}

/*
 * A promotion in a wired entry replaces the page that the entry's wiring
 * holds (src: the shared anon's page in 1B, the object's page in 2B) by
 * the new private page pg, so the wiring moves with it.  Without this
 * the old page would stay wired for ever and the new one could be paged
 * out; uvm_fault_unwire finds the new one, as the top page at va.
 *
 * The wiring is there to move: an entry counts as wired from the moment
 * mlock counts it (wire_prepare), while its pages are wired one by one
 * after, the map lock dropped between them - but meanwhile the map is
 * busy, and a fault in the entry from any other thread waits for that
 * to end (fault_check_once).  Once it has, every page the entry shows
 * holds one wiring of the entry's.  src may hold more (another mapping
 * of the same file page, mlocked too), which must stay: only one moves.
 * (Guessing instead, when a sibling promoted while the wiring was under
 * way, moved the other mapping's wiring; the wiring fault then wired the
 * new page again, and munmap freed it still wired: a panic, found by
 * make stress.)  A page that is not wired (none is known) is not
 * unwired; pg is wired all the same, as the entry's.
 *  => map and amap locked; the map not busy for another thread.
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
	struct vm_page *pg;
	struct vm_anon *anon = anon_alloc_with_page(src == NULL ? VM_PAGE_ZERO : 0, &pg);
	int error;

	KASSERT(fault_amap(f) != NULL);
	if (anon == NULL)
		return -ENOMEM;
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

/* ------------------------------------------------------------------ */
/* Upper layer: there is an anon                                       */

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
 * locks are down, so it cannot be freed under its busy page, and so is
 * their lock object (another thread of the process may unmap the range
 * and free the amap meanwhile; the anons' an_lock points into it); if the slot
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
		vm_map_unlock(f->map);
		vm_page_wait_busy(anon->an_page, fault_amap(f)->am_lock, "anonget");
		return -ERESTART;
	}
	if ((pgs[0] = vm_page_alloc(NULL, 0, anon, 0)) == NULL) {
		fault_unlock_all(f);
		return -ENOMEM;         /* fault_internal waits for memory */
	}
	anon->an_page = pgs[0];         /* busy: others wait for the read */
	anon->an_ref++;                 /* held across the read */
	/* The anons' lock is the amap's lock object; another thread may
	 * unmap the range and free the amap meanwhile: hold the lock too. */
	struct vm_lockobj *lo = fault_amap(f)->am_lockobj;
	vm_lockobj_hold(lo);
	n = fault_ahead_swapin(f, pgs, anons);   /* swap read-ahead */
	fault_unlock_all(f);
	error = uvm_swap_io(pgs, n, slot, false);
	if (error != 0 && n > 1) {
		/* Which page failed?  Try the one this fault needs alone. */
		ahead_ok = false;
		error = uvm_swap_io(pgs, 1, slot, false);
	}
	fault_map_lock(f);
	mutex_enter(&lo->lo_mutex);
	error = anonget_finish(pgs, anons, n, error, ahead_ok, slot);
	bool same = f->map->timestamp == f->timestamp &&
	    amap_lookup(&f->entry->aref, f->va - f->entry->start) == anon;
	anonget_release(anons, n);
	if (error == 0 && same) {
		vm_lockobj_release(lo);     /* the amap holds it still */
		return 0;
	}
	mutex_exit(&lo->lo_mutex);
	vm_map_unlock(f->map);
	vm_lockobj_release(lo);
	return error != 0 ? error : -ERESTART;
}

/*
 * The upper layer's two cases, va's anon resident: a write to an anon
 * that other amaps still share, in a copy-on-write entry, is case 1B -
 * the writer gets a copy (fault_promote with the old anon: a new anon
 * and page, the copy, the slot moved over, the old anon's reference
 * dropped) mapped writable.  Anything else is case 1A: map the anon's
 * own page, read-only while it is shared copy-on-write
 * (fault_anon_prot), so that the next write faults here again.
 * Count the case (flt_cow, flt_anon) and note it in f->fcase.
 *  => map and amap locked, anon->an_page resident and not busy; returns
 *     0 with va mapped, or an error (-ENOMEM: nothing changed); the
 *     caller unlocks.
 */
static int
fault_upper_case(struct fault *f, struct vm_anon *anon)
{
	/* LAB cow1b BEGIN
	 * STUB (void)f;
	 * STUB (void)anon;
	 * STUB return lab_unimplemented("cow1b", __func__);
	 */
	int error;

	if ((f->access & VM_PROT_WRITE) && anon->an_ref > 1 &&
	    (f->entry->etype & UVM_ET_COPYONWRITE)) {
		error = fault_promote(f, anon->an_page, anon);       /* 1B */
		if (error == 0) {
			UVMEXP_ADD(flt_cow, 1);
			f->fcase = FT_1B;
		}
	} else {
		error = fault_enter(f, f->va, anon->an_page,
		    fault_anon_prot(f, anon));                            /* 1A */
		if (error == 0) {
			UVMEXP_ADD(flt_anon, 1);
			f->fcase = FT_1A;
		}
	}
	return error;
	/* LAB cow1b END */
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
	if (fault_thp_reuse(f) == 0) {                      /* 1A, 2 MiB */
		UVMEXP_ADD(flt_anon, 1);
		f->fcase = FT_1A;
		error = 0;
	} else
		error = fault_upper_case(f, anon);
	if (error == 0)
		fault_ahead_upper(f);   /* copy ahead, neighbours */
	fault_unlock_all(f);
	return error;
}

/* ------------------------------------------------------------------ */
/* Lower layer: the object, or nothing                                 */

/*
 * After the pager's sleep, with the map relocked and unchanged: lock the
 * amap (if any) and check that va's slot is still empty.  Faults change
 * no timestamp, so a sibling thread's fault on the same page may have
 * put an anon there meanwhile (its promotion, its zero-fill): then that
 * anon is va's data now, and this fault must start over rather than
 * promote into a full slot.  => map locked; true with the amap locked,
 * false with it locked too (the caller unlocks).
 */
static bool
lower_slot_still_empty(struct fault *f)
{
	struct vm_amap *amap = fault_amap(f);

	if (amap == NULL)
		return true;
	mutex_enter(amap->am_lock);
	return amap_lookup(&f->entry->aref, f->va - f->entry->start) == NULL;
}

/*
 * The object page at va.  First ask for resident pages without letting
 * go of anything (and map the neighbours found); if va's page is not
 * resident, unlock everything, let the pager bring it in (it may sleep),
 * and relock: if the map changed meanwhile, or another thread's fault
 * filled va's amap slot, restart.
 *  => map, amap and object locked on return with *pgp set, or an error
 *     (-ERESTART included) with nothing locked.
 */
static int
fault_lower_get(struct fault *f, struct uvm_object *uobj, struct vm_page **pgp)
{
	struct vm_page *pages[FAULT_MAXRANGE] = { 0 };
	voff_t off = f->entry->offset + (voff_t)(f->startva - f->entry->start);
	int n = f->npages, error;
	/* A write to a copy-on-write entry writes a copy (2B), never the
	 * object: the pager must not prepare the page for a write (a file
	 * system would allocate blocks for it). */
	vm_prot_t access = (f->entry->etype & UVM_ET_COPYONWRITE) ?
	    f->access & ~VM_PROT_WRITE : f->access;

	mutex_enter(&uobj->vmobjlock);
	error = uobj->pgops->pgo_get(uobj, off, f->centeridx, pages, &n,
	    access, f->entry->advice, PGO_LOCKED);
	fault_ahead_objpages(f, pages);     /* map resident neighbours */
	if (error == 0 && pages[f->centeridx] != NULL) {
		*pgp = pages[f->centeridx];
		return 0;
	}
	/* Not resident: wait for the pager with nothing locked. */
	uint32_t stamp = f->timestamp;
	struct vm_amap *amap = fault_amap(f);
	mutex_exit(&uobj->vmobjlock);
	fault_unlock_all(f);
	memset(pages, 0, sizeof(pages));
	n = 1;
	error = uobj->pgops->pgo_get(uobj, off + ((voff_t)f->centeridx << PAGE_SHIFT),
	    0, pages, &n, access, f->entry->advice, 0);
	if (error != 0)
		return error;
	fault_map_lock(f);
	/* The timestamp first: if it moved, f->entry may be gone. */
	bool same = f->map->timestamp == stamp && fault_amap(f) == amap;
	if (same && lower_slot_still_empty(f)) {
		mutex_enter(&uobj->vmobjlock);
		*pgp = pages[0];
		return 0;
	}
	if (same && amap != NULL)
		mutex_exit(amap->am_lock);
	vm_map_unlock(f->map);
	mutex_enter(&uobj->vmobjlock);
	vm_page_unbusy(pages[0]);
	mutex_exit(&uobj->vmobjlock);
	return -ERESTART;
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
	if (uobj == NULL && fault_thp_fill(f) == 0) {        /* 2B, 2 MiB */
		UVMEXP_ADD(flt_zerofill, 1);
		f->fcase = FT_2B_ZERO;
		error = 0;
	} else if (uobj == NULL || ((f->access & VM_PROT_WRITE) && cow)) {
		error = fault_promote(f, pg, NULL);                  /* 2B */
		if (error == 0 && pg != NULL) {
			UVMEXP_ADD(flt_promote, 1);
			f->fcase = FT_2B_PROMOTE;
		} else if (error == 0) {
			UVMEXP_ADD(flt_zerofill, 1);
			f->fcase = FT_2B_ZERO;
			fault_ahead_lower(f);   /* zero-fill ahead */
		}
	} else {
		vm_prot_t prot = cow ? f->enter_prot & ~VM_PROT_WRITE : f->enter_prot;
		if (pg->flags & PG_RDONLY)
			prot &= ~VM_PROT_WRITE;     /* a file hole: a store allocates */
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
			vm_map_lock(map);
			uvm_fault_unwire(map, start, va);
			vm_map_unlock(map);
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

	KASSERT(vm_map_locked(map));
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
