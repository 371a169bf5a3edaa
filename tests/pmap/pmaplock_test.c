/*
 * tests/pmap/pmaplock_test.c - the pmap's locks (pmap/pmap.c): one per
 * pmap, one per page's PV list, and the page side's try-and-walk-again.
 *
 * Each test runs a thread bound to cpu1 while the test, on cpu0, holds
 * or hammers a lock the other thread's work meets:
 *
 *   cpu0 (the test)                     cpu1 (a bound thread)
 *   lock pmap A  ---------------------> pmap_enter(B), pmap_remove(B):
 *   spin until it says done               B's lock only: done
 *   unlock A
 *
 *   lock pmap A                         pmap_page_protect(P, NONE):
 *   wait: B's mapping gone and            B's entry: removed
 *     pv_retries grew                     A's entry: try A - busy, let go
 *   unlock A                                of P's PV lock, walk again
 *                                         A's entry: removed; return
 *
 * With one lock for all pmaps the first would never finish (the test
 * asserts it did, within WAIT_NS); the second checks the order rule:
 * the page side never waits for a pmap lock with a PV lock held.  The
 * third races map changes against the page side for a while and then
 * checks every list against the tables (pmap_check_all).
 *
 * With one CPU running threads, each says so and passes; make test's SMP
 * boot (SMPKTEST) runs them on two.
 */
#include "kern/core/ktest.h"
#include "kern/arch/cpu.h"
#include "kern/arch/cpu_info.h"
#include "kern/core/clock.h"
#include "kern/core/thread.h"
#include "kern/lib/spinlock.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/threadtest.h"
#include "uvm/uvm_page.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)
#define WAIT_NS (30 * 1000000000ULL)
#define PL_VA 0x20000000UL

static bool
flag_set(void *arg)
{
	return *(volatile bool *)arg;
}

static struct vm_page *
pl_page(void)
{
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, VM_PAGE_ZERO);

	KT_ASSERT(pg != NULL);
	pg->flags &= ~(PG_BUSY | PG_FAKE);
	return pg;
}

/* ------------------------------------------------------------------ */

struct other_pmap_job {
	struct pmap *pm;
	struct vm_page *pg;
	volatile bool go, done;
	int entered;
	bool extracted, removed;
};

/* cpu1: map, look up and unmap a page in pmap B while A is held. */
static void
other_pmap_worker(void *arg)
{
	struct other_pmap_job *j = arg;

	while (!j->go)
		cpu_pause();
	j->entered = pmap_enter(j->pm, PL_VA, j->pg->phys_addr, RW, 0);
	j->extracted = pmap_extract(j->pm, PL_VA, NULL);
	pmap_remove(j->pm, PL_VA, PL_VA + PAGE_SIZE);
	pmap_update(j->pm);
	j->removed = !pmap_extract(j->pm, PL_VA, NULL);
	j->done = true;
}

KTEST(pmaplock, a_change_in_one_pmap_does_not_wait_for_another_pmaps_lock)
{
	struct pmap *a, *b;
	struct other_pmap_job j = { 0 };
	struct thread *t;
	bool came;

	if (tt_one_cpu("pmaplock", "a second pmap's lock while one is held"))
		return;
	a = pmap_create();
	b = pmap_create();
	KT_ASSERT(a != NULL && b != NULL);
	KT_ASSERT(&a->pm_lock != &b->pm_lock);
	j.pm = b;
	j.pg = pl_page();
	t = thread_create_on("pl_other", other_pmap_worker, &j, 1);
	KT_ASSERT(t != NULL);
	spin_lock(&a->pm_lock);
	j.go = true;
	came = tt_spin_until(flag_set, (void *)&j.done, WAIT_NS);
	spin_unlock(&a->pm_lock);
	KT_EQ(thread_join(t), 0);
	KT_ASSERT(came);                /* finished while A was held */
	KT_EQ(j.entered, 0);
	KT_ASSERT(j.extracted && j.removed);
	KT_EQ(j.pg->md.pv_count, 0);
	KT_EQ(pmap_check_all(ktest_print), 0);
	pmap_destroy(a);
	pmap_destroy(b);
	vm_page_free(j.pg);
}

/* ------------------------------------------------------------------ */

struct protect_job {
	struct vm_page *pg;
	volatile bool go, done;
};

static void
protect_worker(void *arg)
{
	struct protect_job *j = arg;

	while (!j->go)
		cpu_pause();
	pmap_page_protect(j->pg, VM_PROT_NONE);
	j->done = true;
}

struct retry_wait {
	struct vm_page *pg;
	uint64_t retries0;
};

/*
 * B's entry is gone and the walk has begun again at least once.  Read
 * without locks: the test holds A's lock, and a second pmap lock (B's,
 * through pmap_pte_lookup) would be two of one class.
 */
static bool
b_gone_and_retried(void *arg)
{
	struct retry_wait *w = arg;

	return __atomic_load_n(&w->pg->md.pv_count, __ATOMIC_RELAXED) == 1 &&
	    __atomic_load_n(&pmap_counters.pv_retries, __ATOMIC_RELAXED) > w->retries0;
}

KTEST(pmaplock, page_protect_lets_go_of_the_pv_lock_while_a_pmap_is_busy)
{
	struct pmap *a = pmap_create(), *b = pmap_create();
	struct protect_job j = { 0 };
	struct retry_wait w;
	struct thread *t;
	bool came;

	KT_ASSERT(a != NULL && b != NULL);
	if (tt_one_cpu("pmaplock", "the page side meeting a busy pmap")) {
		pmap_destroy(a);
		pmap_destroy(b);
		return;
	}
	j.pg = pl_page();
	/* A first, B second: the list is newest first, so B is met first. */
	KT_EQ(pmap_enter(a, PL_VA, j.pg->phys_addr, RW, VM_PROT_WRITE), 0);
	KT_EQ(pmap_enter(b, PL_VA, j.pg->phys_addr, RW, 0), 0);
	KT_EQ(j.pg->md.pv_count, 2);
	w = (struct retry_wait){ j.pg, pmap_counters.pv_retries };
	t = thread_create_on("pl_protect", protect_worker, &j, 1);
	KT_ASSERT(t != NULL);
	spin_lock(&a->pm_lock);
	j.go = true;
	came = tt_spin_until(b_gone_and_retried, &w, WAIT_NS);
	bool done_early = j.done;
	uint32_t left = j.pg->md.pv_count;
	spin_unlock(&a->pm_lock);
	KT_EQ(thread_join(t), 0);
	KT_ASSERT(came);                /* it let go of the PV lock ... */
	KT_ASSERT(!done_early);         /* ... and could not finish without A */
	KT_EQ(left, 1);                 /* A's entry, still there then */
	KT_ASSERT(j.done);
	KT_EQ(j.pg->md.pv_count, 0);
	KT_EQ(pmap_pte_lookup(a, PL_VA), 0);
	KT_EQ(pmap_pte_lookup(b, PL_VA), 0);
	KT_ASSERT(j.pg->md.attrs & PMAP_ATTR_MOD);   /* A's D bit, folded */
	KT_ASSERT(pmap_is_modified(j.pg));
	KT_EQ(pmap_check_all(ktest_print), 0);
	pmap_destroy(a);
	pmap_destroy(b);
	vm_page_free(j.pg);
}

/* ------------------------------------------------------------------ */

#define RACE_PAGES 8
#define RACE_ROUNDS 4000

struct race {
	struct pmap *a, *b;
	struct vm_page *pg[RACE_PAGES];
	volatile bool stop;
	int enter_errors;
	long rounds;
};

/* cpu1: map each page at its own address in A, then unmap them. */
static void
race_mapper(void *arg)
{
	struct race *r = arg;

	for (long i = 0; !r->stop && i < RACE_ROUNDS; i++, r->rounds++) {
		for (int k = 0; k < RACE_PAGES; k++) {
			vaddr_t va = PL_VA + (vaddr_t)k * PAGE_SIZE;
			r->enter_errors += pmap_enter(r->a, va, r->pg[k]->phys_addr, RW,
			    (i & 1) ? VM_PROT_WRITE : 0) != 0;
		}
		if (i & 2)
			pmap_protect(r->a, PL_VA, PL_VA + RACE_PAGES * PAGE_SIZE,
			    VM_PROT_READ);
		pmap_remove(r->a, PL_VA, PL_VA + RACE_PAGES * PAGE_SIZE);
		pmap_update(r->a);
	}
	r->stop = true;
}

/* cpu0: the page side on the same pages, B's mappings re-made when removed. */
static void
race_page_side(struct race *r, long i)
{
	struct vm_page *pg = r->pg[i % RACE_PAGES];
	vaddr_t vb = PL_VA + (vaddr_t)(i % RACE_PAGES) * PAGE_SIZE;

	switch (i % 5) {
	case 0:
		pmap_page_protect(pg, VM_PROT_READ);
		break;
	case 1:
		(void)pmap_clear_modify(pg);
		break;
	case 2:
		(void)pmap_is_referenced(pg);
		(void)pmap_clear_reference(pg);
		break;
	case 3:
		pmap_page_protect(pg, VM_PROT_NONE);
		break;
	default:
		if (pmap_pte_lookup(r->b, vb) == 0)
			KT_EQ(pmap_enter(r->b, vb, pg->phys_addr, RW, 0), 0);
		break;
	}
}

KTEST(pmaplock, map_changes_and_page_side_calls_race_and_lists_match_tables)
{
	struct race r = { 0 };
	struct thread *t;
	uint64_t end = clock_ns() + WAIT_NS;
	long i;

	if (tt_one_cpu("pmaplock", "map changes racing the page side"))
		return;
	r.a = pmap_create();
	r.b = pmap_create();
	KT_ASSERT(r.a != NULL && r.b != NULL);
	for (int k = 0; k < RACE_PAGES; k++)
		r.pg[k] = pl_page();
	t = thread_create_on("pl_race", race_mapper, &r, 1);
	KT_ASSERT(t != NULL);
	for (i = 0; !r.stop && clock_ns() < end; i++)
		race_page_side(&r, i);
	r.stop = true;
	KT_EQ(thread_join(t), 0);
	ktest_print("# pmaplock: %ld page-side calls against %ld map rounds, "
	    "%lu retries so far\n", i, r.rounds, pmap_counters.pv_retries);
	KT_EQ(r.enter_errors, 0);
	KT_ASSERT(r.rounds > 0 && i > 0);
	KT_EQ(pmap_check_all(ktest_print), 0);
	for (int k = 0; k < RACE_PAGES; k++) {
		vaddr_t va = PL_VA + (vaddr_t)k * PAGE_SIZE;
		KT_EQ(pmap_pte_lookup(r.a, va), 0);
		KT_EQ(r.pg[k]->md.pv_count, pmap_pte_lookup(r.b, va) != 0 ? 1u : 0u);
	}
	pmap_destroy(r.a);
	pmap_destroy(r.b);
	for (int k = 0; k < RACE_PAGES; k++) {
		KT_EQ(r.pg[k]->md.pv_count, 0);
		vm_page_free(r.pg[k]);
	}
	KT_EQ(pmap_check_all(ktest_print), 0);
}
