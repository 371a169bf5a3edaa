/*
 * uvm/uvm_anon.c - anons, the unit of private anonymous memory.
 *
 * A process writes to a private page; from then on that page's data is an
 * anon.  The anon does not care where it is mapped (the amap slots that
 * point at it say that) nor where its data lives right now: in RAM, on
 * swap, or both.
 *
 *   amap slot --> anon {an_ref 1, an_page ---> vm_page {uanon = anon}
 *                       an_swslot 0}                    mapped by PV list
 *
 *   after fork, before anyone writes:
 *
 *   parent amap slot --\
 *                       +--> anon {an_ref 2, an_page, an_swslot}
 *   child amap slot  --/
 *
 *   the page daemon (uvm_pdaemon.c) pushes it out:
 *        anon {an_page NULL, an_swslot 57}      slot 57 holds the data
 *   a fault brings it back (anon_pagein / the fault handler):
 *        anon {an_page P, an_swslot 57}         both: the swap copy is
 *                                               still good until a write
 *
 * Lifetime: anon_alloc hands out one reference; amap_add gives it to a
 * slot; every extra slot (amap_copy) adds one; when a slot lets go the
 * amap code drops one, and the last drop calls anon_free, which removes
 * every mapping of the page, frees it, and frees the swap slot (an munmap
 * or exit frees its anons 32 at a time, anon_free_many).  An anon of a
 * 2 MiB page (uvm/uvm_thp.c) is an ordinary anon whose page happens to
 * lie in one physical run with 511 others.
 *
 * Invariants (anon_check):
 *   - an_ref > 0 for every anon reachable from an amap;
 *   - an_page == NULL or an_page->uanon == this anon (the page daemon
 *     goes from a page to its owner through uanon);
 *   - an anon holds something: a page, a swap slot, or both;
 *   - an_swslot, when not 0, is allocated in the swap layer.
 *
 * Who sets uanon: vm_page_alloc(NULL, 0, anon, ...) names the anon as the
 * owner when the fault handler (or amap_cow_now) allocates the page;
 * anon_free clears it before the page goes back.  Putting the page on the
 * paging queues (vm_page_activate) is the fault handler's job, not this
 * file's.
 *
 * Locking: an anon has no lock of its own.  an_lock points at the lock of
 * the amaps that hold it (one lock object shared by an amap and all its
 * copies, see uvm_amap.c); it is NULL until amap_add sets it.  Lock
 * order: amap lock, then pmap, then the page locks.
 */
#include "uvm/uvm_anon.h"
#include "kern/lib/atomic.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "pmap/pmap.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"
#include "uvm/uvm_swap.h"

static struct pool anon_pool;
static uint64_t live_anons;

void
anon_init(void)
{
	pool_init(&anon_pool, sizeof(struct vm_anon), 8, "anonpl");
}

int
anon_alloc_many(struct vm_anon **anons, int n)
{
	int got = pool_get_many(&anon_pool, (void **)anons, n, 0);

	for (int i = 0; i < got; i++)
		*anons[i] = (struct vm_anon){ .an_ref = 1 };
	atomic_add_u64(&live_anons, got);
	return got;
}

struct vm_anon *
anon_alloc(void)
{
	struct vm_anon *anon;

	return anon_alloc_many(&anon, 1) == 1 ? anon : NULL;
}

int
anon_alloc_many_with_pages(struct vm_anon **anons, struct vm_page **pgs,
    int n, int pgflags)
{
	int got;

	n = anon_alloc_many(anons, n);
	got = vm_page_alloc_anons(pgs, anons, n, pgflags);
	for (int i = got; i < n; i++) {
		anons[i]->an_ref = 0;           /* no page for it: unused */
		anon_free(anons[i]);
	}
	return got;
}

struct vm_anon *
anon_alloc_with_page(int pgflags, struct vm_page **pgp)
{
	struct vm_anon *anon;

	return anon_alloc_many_with_pages(&anon, pgp, 1, pgflags) == 1 ?
	    anon : NULL;
}

/* Is the caller allowed to touch anon (its lock, if any, held)? */
static bool
anon_locked(const struct vm_anon *anon)
{
	return anon->an_lock == NULL || mutex_owned(anon->an_lock);
}

/*
 * Take the resident page from an anon that is going (an_ref 0, locked)
 * and return it, with no mapping left, for the caller to free: first
 * every mapping of it goes (other pmaps may still map it through other
 * amaps' past references, or through a shared amap).  A page with no
 * PV entry needs no pmap call: nobody can map it now - a new mapping
 * would have to be found through the anon, whose lock the caller holds,
 * and no slot refers to it any more.
 *
 * A busy page is being read in by a fault (fault_anonget), which holds
 * a reference of its own to the anon (an_ref + 1) while it reads:
 * another thread's munmap only takes the count down to that hold, and
 * the fault frees the anon after the read.  The page daemon writes with
 * the owner's lock held.  So never busy here.
 */
static struct vm_page *
anon_take_page(struct vm_anon *anon)
{
	struct vm_page *pg = anon->an_page;

	KASSERT(pg->uanon == anon && (pg->flags & PG_BUSY) == 0);
	KASSERT(pg->wire_count == 0);
	if (pmap_page_mapcount(pg) != 0)
		pmap_page_protect(pg, VM_PROT_NONE);
	pg->uanon = NULL;
	anon->an_page = NULL;
	return pg;
}

void
anon_free_many(struct vm_anon **anons, int n)
{
	struct vm_page *pgs[ANON_FREE_MAX];
	int np = 0;

	KASSERT(n <= ANON_FREE_MAX);
	for (int i = 0; i < n; i++) {
		KASSERT(anons[i]->an_ref == 0 && anon_locked(anons[i]));
		if (anons[i]->an_page != NULL)
			pgs[np++] = anon_take_page(anons[i]);
		anon_dropswap(anons[i]);
	}
	vm_page_free_many(pgs, np);
	pool_put_many(&anon_pool, (void **)anons, n);
	atomic_add_u64(&live_anons, -(int64_t)n);
	UVMEXP_ADD(anfree_batch, 1);
}

void
anon_free(struct vm_anon *anon)
{
	KASSERT(anon->an_ref == 0);
	KASSERT(anon_locked(anon));
	if (anon->an_page != NULL)
		vm_page_free(anon_take_page(anon));
	anon_dropswap(anon);
	pool_put(&anon_pool, anon);
	atomic_add_u64(&live_anons, -1);
	UVMEXP_ADD(anfree_one, 1);
}

void
anon_dropswap(struct vm_anon *anon)
{
	KASSERT(anon_locked(anon));
	if (anon->an_swslot == 0)
		return;
	uvm_swap_free(anon->an_swslot, 1);
	anon->an_swslot = 0;
}

int
anon_pagein(struct vm_anon *anon)
{
	struct vm_page *pg;
	int error;

	KASSERT(anon_locked(anon));
	KASSERT(anon->an_swslot != 0);
	/* Busy: a fault is reading the slot into it right now; the caller
	 * (swap_off_amap) must pass it by and come back. */
	KASSERT(anon->an_page == NULL || !(anon->an_page->flags & PG_BUSY));
	if (anon->an_page != NULL) {
		/* Resident with a clean copy in swap: keep the page, which
		 * becomes the only copy, so it is dirty from now on. */
		anon->an_page->flags &= ~PG_CLEAN;
		anon_dropswap(anon);
		return 0;
	}
	pg = vm_page_alloc(NULL, 0, anon, 0);
	if (pg == NULL)
		return -ENOMEM;
	/* The anon stays locked through the read: nobody can see the page. */
	error = uvm_swap_io(&pg, 1, anon->an_swslot, false);
	if (error != 0) {
		vm_page_free(pg);
		return error;
	}
	UVMEXP_ADD(pageins, 1);
	pg->flags &= ~(PG_BUSY | PG_FAKE | PG_CLEAN);
	anon->an_page = pg;
	anon_dropswap(anon);
	vm_page_deactivate(pg);     /* unmapped: first in line to go again */
	return 0;
}

uint64_t
anon_count(void)
{
	return live_anons;
}

int
anon_check(const struct vm_anon *anon, kprint_fn pr)
{
	const struct vm_page *pg = anon->an_page;
	int bad = 0;

#define ANONCHECK(cond, ...) do { if (!(cond)) { pr("anon_check: anon %p: ", \
	(const void *)anon); pr(__VA_ARGS__); bad++; } } while (0)
	ANONCHECK(anon->an_ref > 0, "reference count %d\n", anon->an_ref);
	ANONCHECK(pg != NULL || anon->an_swslot != 0,
	    "holds neither a page nor a swap slot\n");
	ANONCHECK(pg == NULL || pg->uanon == anon,
	    "page %#lx names owner %p\n", pg ? pg->phys_addr : 0,
	    pg ? (const void *)pg->uanon : NULL);
	ANONCHECK(pg == NULL || (pg->pqflags & PQ_FREE) == 0,
	    "page %#lx is on the free list\n", pg ? pg->phys_addr : 0);
	ANONCHECK(anon->an_swslot >= 0, "swap slot %d\n", anon->an_swslot);
	ANONCHECK(anon->an_swslot <= 0 || uvm_swap_slot_inuse(anon->an_swslot),
	    "swap slot %d is not allocated\n", anon->an_swslot);
#undef ANONCHECK
	return bad;
}

void
anon_print(const struct vm_anon *anon, kprint_fn pr)
{
	pr("anon %p: ref %d page %#lx swslot %d\n", (const void *)anon,
	    anon->an_ref, anon->an_page ? anon->an_page->phys_addr : 0,
	    anon->an_swslot);
}
