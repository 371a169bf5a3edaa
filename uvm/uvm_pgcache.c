/*
 * uvm/uvm_pgcache.c - per-CPU caches of free pages.
 *
 * Without them every page allocation and every free takes the one spin
 * lock of the global free list, uvm_free_lock; with two or four CPUs
 * taking zero-fill faults at once they queue on it.  So each CPU keeps a
 * small stack of free pages of its own (at most PGCACHE_MAX), and the
 * common case touches only that:
 *
 *        cpu 0                          cpu 1
 *   alloc: pop  free: push         alloc: pop  free: push
 *   +------------------+           +------------------+
 *   | vm_pgcaches[0]   |           | vm_pgcaches[1]   |    no lock
 *   +------------------+           +------------------+
 *     refill ^  | drain               refill ^  | drain   batches of
 *            |  v                            |  v         PGCACHE_BATCH,
 *   +------------------------------------------------+    under
 *   |    global free list (uvm_page.c)               |    uvm_free_lock
 *   +------------------------------------------------+
 *
 * Worked example, one CPU: the first allocation finds its cache empty;
 * under uvm_free_lock it takes its own page from the list and 32 more
 * for the cache (a refill).  The next 32 allocations pop from the cache
 * with no lock.  Frees push; the 65th page pushed without an allocation
 * between finds the cache full, and under the lock the 32 pages at the
 * bottom (freed longest ago, the coldest in the CPU's caches) go back to
 * the list (a drain).  A page freed and allocated again on one CPU comes
 * back at once, still warm.
 *
 * Why a cache needs no lock.  Only its own CPU changes it, and always
 * with interrupts off: no interrupt handler can run in the middle (one
 * that allocated would meet a half-pushed stack), no preemption can move
 * the thread to another CPU between reading cpu_number() and using the
 * cache, and no other CPU touches it.  The one exception is a cross-call
 * from another CPU (vm_pgcache_steal_locked, vm_pgcache_freeze): it runs
 * on the cache's own CPU, so it too is "its own CPU with interrupts
 * off".  A cross-call is taken by an interrupt (impossible inside the
 * sections above) or while the CPU spins on a spin lock or waits for its
 * own cross-call (kern/core/smp.c) - so the rule that keeps it safe:
 *
 *   Read the cache only after the last spin.  A path that takes
 *   uvm_free_lock looks at its cache after the lock is taken, never
 *   before (while it spun, a cross-call may have emptied the cache or
 *   turned the caches off).  The lock-free paths spin on nothing.
 *
 * Page states:
 *   on the free list     pqflags == PQ_FREE
 *   in a CPU's cache     pqflags == PQ_FREE | PQ_CPUCACHE
 *   allocated            neither
 * Code that asks "is the page free?" tests PQ_FREE and sees both; code
 * that needs the page on the list (contiguous runs, the list's
 * neighbour search) compares pqflags with PQ_FREE and sees the first.
 *
 * Invariants (vm_page_check with vm_pgcache_check):
 *   - uvmexp.free = pages on the free list + pages in every cache, so the
 *     page daemon, the reserve and every test see one free count whether
 *     the caches are on or off;
 *   - a cached page is free, unowned, unwired, unmapped, in exactly one
 *     cache, and marked PQ_CPUCACHE; 0 <= n <= PGCACHE_MAX;
 *   - caches off (pgcache=0, or vm_pgcache_set_enabled(false)): every
 *     cache is empty and stays so.
 *
 * No false "out of memory": an allocation that finds the list empty
 * while uvmexp.free says pages are free somewhere steals every CPU's
 * cache back onto the list (vm_pgcache_steal_locked) and tries again;
 * so does a contiguous allocation that finds no run.  Below
 * uvmexp.freemin free pages, frees bypass the caches and refills stop,
 * so what the page daemon frees is on the list for every CPU.
 *
 * Locks: the caches are not locks and take none on the fast paths.
 * Refill, drain, steal and the checker's freeze run with uvm_free_lock
 * held (design.md's lock order, item 11); a steal's cross-call handler
 * takes no lock, so the CPU it runs on may itself be spinning on
 * uvm_free_lock.
 *
 * The idea is NetBSD's per-CPU free page cache (uvm_pgflcache.c).
 */
#include "uvm/uvm_pgcache.h"
#include "kern/arch/cpu.h"
#include "kern/core/cmdline.h"
#include "kern/lib/assert.h"
#include "kern/lib/atomic.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/string.h"

KOPT(pgcache, "pgcache", "0: no per-CPU free-page caches, every allocation and free takes the global free list's lock (default 1)");

struct vm_pgcache vm_pgcaches[MAXCPUS];
static bool pgcache_on = true;

void
vm_pgcache_init(void)
{
	pgcache_on = kopt_get_u64("pgcache", 1) != 0;
}

bool
vm_pgcache_enabled(void)
{
	return __atomic_load_n(&pgcache_on, __ATOMIC_RELAXED);
}

int
vm_pgcache_take(struct vm_page **pgs, int n, bool owned)
{
	uint64_t s = intr_disable();
	struct vm_pgcache *pc = &vm_pgcaches[cpu_number()];
	int got = 0;

	if (vm_pgcache_enabled()) {
		uint64_t free = __atomic_load_n(&uvmexp.free, __ATOMIC_RELAXED);
		while (got < n && pc->n > 0 &&
		    !(owned && free - (uint64_t)got <= uvmexp.reserve)) {
			struct vm_page *pg = pc->pgs[--pc->n];
			KASSERT(pg->pqflags == (PQ_FREE | PQ_CPUCACHE));
			pg->pqflags = 0;
			pgs[got++] = pg;
		}
	}
	/* Inside the section: a frozen checker sees the count and the
	 * pages move together. */
	if (got > 0) {
		UVMEXP_ADD(free, -got);
		UVMEXP_ADD(pgc_hits, got);
	}
	intr_restore(s);
	return got;
}

int
vm_pgcache_put_many(struct vm_page **pgs, int n)
{
	uint64_t s = intr_disable();
	struct vm_pgcache *pc = &vm_pgcaches[cpu_number()];
	int kept = 0;

	if (vm_pgcache_enabled() &&
	    __atomic_load_n(&uvmexp.free, __ATOMIC_RELAXED) >= uvmexp.freemin) {
		while (kept < n && pc->n < PGCACHE_MAX) {
			pgs[kept]->pqflags = PQ_FREE | PQ_CPUCACHE;
			pc->pgs[pc->n++] = pgs[kept++];
		}
	}
	if (kept > 0)
		UVMEXP_ADD(free, kept);
	intr_restore(s);
	return kept;
}

bool
vm_pgcache_put(struct vm_page *pg)
{
	return vm_pgcache_put_many(&pg, 1) == 1;
}

void
vm_pgcache_refill_locked(void)
{
	struct vm_pgcache *pc = &vm_pgcaches[cpu_number()];
	struct vm_page *batch[PGCACHE_BATCH];
	int got = 0;

	KASSERT(spin_held(&uvm_free_lock));
	if (!vm_pgcache_enabled() || pc->n >= PGCACHE_MAX / 2 ||
	    vm_page_freelist_count() < uvmexp.freemin + PGCACHE_BATCH)
		return;
	while (got < PGCACHE_BATCH && (batch[got] = vm_page_freelist_get()) != NULL)
		got++;
	/* Pushed in reverse: the list's head is the first popped, so a run
	 * in physical order comes out in that order. */
	for (int i = got - 1; i >= 0; i--) {
		batch[i]->pqflags = PQ_FREE | PQ_CPUCACHE;
		pc->pgs[pc->n++] = batch[i];
	}
	uvmexp.pgc_refills++;
}

void
vm_pgcache_drain_locked(void)
{
	struct vm_pgcache *pc = &vm_pgcaches[cpu_number()];

	KASSERT(spin_held(&uvm_free_lock));
	if (pc->n < PGCACHE_MAX)
		return;
	for (int i = 0; i < PGCACHE_BATCH; i++)
		vm_page_freelist_put(pc->pgs[i]);
	pc->n -= PGCACHE_BATCH;
	memmove(&pc->pgs[0], &pc->pgs[PGCACHE_BATCH], (size_t)pc->n * sizeof(pc->pgs[0]));
	uvmexp.pgc_drains++;
}

/*
 * Cross-call handler, on the cache's own CPU with interrupts off: hand
 * the whole cache over as a chain linked through pageq.tqe_next.
 */
static void
pgcache_give(void *arg)
{
	struct vm_page **chain = arg;
	struct vm_pgcache *pc = &vm_pgcaches[cpu_number()];

	while (pc->n > 0) {
		struct vm_page *pg = pc->pgs[--pc->n];
		pg->pageq.tqe_next = *chain;
		*chain = pg;
	}
}

uint64_t
vm_pgcache_steal_locked(void)
{
	cpuset_t online = smp_cpus_online() | 1;
	uint64_t n = 0;

	KASSERT(spin_held(&uvm_free_lock));
	for (int i = 0; i < MAXCPUS; i++) {
		struct vm_page *chain = NULL;
		if (!(online & (1UL << i)))
			continue;
		smp_call(i, pgcache_give, &chain);
		while (chain != NULL) {
			struct vm_page *next = chain->pageq.tqe_next;
			vm_page_freelist_put(chain);
			chain = next;
			n++;
		}
	}
	uvmexp.pgc_steals++;
	uvmexp.pgc_stolen += n;
	return n;
}

bool
vm_pgcache_set_enabled(bool on)
{
	bool old;

	spin_lock(&uvm_free_lock);
	old = pgcache_on;
	__atomic_store_n(&pgcache_on, on, __ATOMIC_RELEASE);
	if (!on)
		vm_pgcache_steal_locked();
	spin_unlock(&uvm_free_lock);
	return old;
}

/* Cross-call handler: wait here (answering other calls) until thawed. */
static void
pgcache_hold(void *arg)
{
	struct vm_pgcache_freeze *f = arg;

	__atomic_add_fetch(&f->arrived, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&f->release, __ATOMIC_ACQUIRE)) {
		smp_call_service();
		cpu_pause();
	}
}

void
vm_pgcache_freeze(struct vm_pgcache_freeze *f)
{
	cpuset_t others = smp_cpus_online() & ~(1UL << cpu_number());

	KASSERT(spin_held(&uvm_free_lock));
	f->arrived = 0;
	f->release = false;
	smp_call_start(&f->call, others, pgcache_hold, f);
	while (__atomic_load_n(&f->arrived, __ATOMIC_ACQUIRE) !=
	    __builtin_popcountl(others)) {
		smp_call_service();
		cpu_pause();
	}
}

void
vm_pgcache_thaw(struct vm_pgcache_freeze *f)
{
	__atomic_store_n(&f->release, true, __ATOMIC_RELEASE);
	smp_call_wait(&f->call);
}

/* One CPU's cache; adds its pages to *ncached. */
static int
check_one(int cpu, kprint_fn pr, uint64_t *ncached)
{
	const struct vm_pgcache *pc = &vm_pgcaches[cpu];
	int bad = 0;

	if (pc->n < 0 || pc->n > PGCACHE_MAX || (!pgcache_on && pc->n != 0)) {
		pr("vm_pgcache_check: cpu%d holds %d pages (caches %s)\n", cpu,
		    pc->n, pgcache_on ? "on" : "off");
		return 1;
	}
	for (int i = 0; i < pc->n; i++) {
		const struct vm_page *pg = pc->pgs[i];
		if (pg->pqflags != (PQ_FREE | PQ_CPUCACHE) || pg->uobject != NULL ||
		    pg->uanon != NULL || pg->wire_count != 0 || pg->md.pv_list != NULL) {
			pr("vm_pgcache_check: cpu%d slot %d: page %#lx pqflags %#x "
			    "is not a free cached page\n", cpu, i, pg->phys_addr, pg->pqflags);
			bad++;
		}
	}
	*ncached += (uint64_t)pc->n;
	return bad;
}

int
vm_pgcache_check(kprint_fn pr, uint64_t *ncached)
{
	int bad = 0;

	KASSERT(spin_held(&uvm_free_lock));
	*ncached = 0;
	for (int i = 0; i < MAXCPUS; i++)
		bad += check_one(i, pr, ncached);
	return bad;
}

uint64_t
vm_pgcache_count(void)
{
	uint64_t n = 0;

	for (int i = 0; i < MAXCPUS; i++)
		n += (uint64_t)__atomic_load_n(&vm_pgcaches[i].n, __ATOMIC_RELAXED);
	return n;
}

void
vm_pgcache_print(kprint_fn pr)
{
	cpuset_t online = smp_cpus_online() | 1;

	pr("pgcache: %s, %lu pages cached (max %d per CPU, batch %d)\n",
	    pgcache_on ? "on" : "off", vm_pgcache_count(), PGCACHE_MAX, PGCACHE_BATCH);
	for (int i = 0; i < MAXCPUS; i++) {
		const struct vm_pgcache *pc = &vm_pgcaches[i];
		if (!(online & (1UL << i)))
			continue;
		pr("  cpu%d: %d pages", i, pc->n);
		if (pc->n > 0)
			pr(", next %#lx", pc->pgs[pc->n - 1]->phys_addr);
		pr("\n");
	}
}
