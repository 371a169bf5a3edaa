/*
 * tests/uvm/pgcache_test.c - uvm/uvm_pgcache.c: the per-CPU caches of
 * free pages in front of the free list.
 *
 * Two suites.  pgcache: what must stay true with the caches - one free
 * count with them on or off, an exhausted list that steals the other
 * CPUs' caches instead of failing, exact counts with two CPUs allocating
 * and freeing at once, a checker that notices a broken cache.
 * pgcache_speed: the mechanism that makes them fast - a page freed on a
 * CPU sits in that CPU's cache and is the next one it allocates (no
 * lock), a refill brings a batch, a full cache drains a batch.
 *
 * Each test turns the caches on for itself (vm_pgcache_set_enabled) and
 * puts the old setting back, so it means the same under pgcache=0.  A
 * test that needs a second CPU says so and passes on one; make test's
 * SMP boot (SMPKTEST) runs it with two.  Worker threads only record; the
 * runner asserts after joining them (tests/harness/threadtest.h).
 */
#include "kern/arch/cpu.h"
#include "kern/core/ktest.h"
#include "kern/core/sched.h"
#include "kern/core/smp.h"
#include "kern/lib/string.h"
#include "tests/harness/threadtest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_pgcache.h"

/* Allocate n kernel pages into pgs; how many came. */
static int
alloc_n(struct vm_page **pgs, int n)
{
	int got = 0;

	while (got < n && (pgs[got] = vm_page_alloc(NULL, 0, NULL, 0)) != NULL)
		got++;
	return got;
}

static void
free_n(struct vm_page **pgs, int n)
{
	for (int i = 0; i < n; i++)
		vm_page_free(pgs[i]);
}

/* ------------------------------------------------------------------ */
/* pgcache_speed: the mechanism                                        */

/* What one CPU saw of its own cache (filled by same_cpu_roundtrip). */
struct roundtrip {
	int cpu;
	bool cached_after_free;     /* PQ_CPUCACHE, on top of this CPU's stack */
	bool came_back;             /* the next allocation returned it */
	uint64_t hits;              /* pgc_hits moved by that allocation */
	int free_delta;             /* uvmexp.free after free - before */
};

static void
same_cpu_roundtrip(struct roundtrip *r)
{
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, 0), *again;
	uint64_t free0, hits0;
	const struct vm_pgcache *pc;

	if (pg == NULL)
		return;
	r->cpu = cpu_number();
	pc = &vm_pgcaches[r->cpu];
	free0 = uvmexp.free;
	vm_page_free(pg);
	r->free_delta = (int)(uvmexp.free - free0);
	r->cached_after_free = pg->pqflags == (PQ_FREE | PQ_CPUCACHE) &&
	    pc->n > 0 && pc->pgs[pc->n - 1] == pg;
	hits0 = uvmexp.pgc_hits;
	again = vm_page_alloc(NULL, 0, NULL, 0);
	r->hits = uvmexp.pgc_hits - hits0;
	r->came_back = again == pg;
	if (again != NULL)
		vm_page_free(again);
}

static struct roundtrip rt1;

static void
roundtrip_worker(void *arg)
{
	(void)arg;
	same_cpu_roundtrip(&rt1);
}

KTEST(pgcache_speed, a_page_freed_on_a_cpu_is_its_next_allocation)
{
	bool was = vm_pgcache_set_enabled(true);
	struct roundtrip r0 = { -1, false, false, 0, 0 };
	struct thread *t;

	sched_bind(0);
	same_cpu_roundtrip(&r0);
	sched_bind(-1);
	memset(&rt1, 0, sizeof(rt1));
	rt1.cpu = -1;
	if (!tt_one_cpu("pgcache", "the same on cpu1")) {
		t = thread_create_on("pgc-rt", roundtrip_worker, NULL, 1);
		KT_ASSERT(t != NULL);
		KT_EQ(thread_join(t), 0);
		KT_EQ(rt1.cpu, 1);
		KT_ASSERT(rt1.cached_after_free);
		KT_ASSERT(rt1.came_back);
		KT_EQ(rt1.free_delta, 1);
	}
	vm_pgcache_set_enabled(was);
	KT_EQ(r0.cpu, 0);
	KT_ASSERT(r0.cached_after_free);
	KT_ASSERT(r0.came_back);
	KT_EQ(r0.hits, 1);
	KT_EQ(r0.free_delta, 1);                /* cached pages count as free */
	KT_EQ(vm_page_check(ktest_print), 0);
}

/*
 * From an empty cache: the first allocation refills a batch (one lock),
 * the next PGCACHE_BATCH allocations are hits; freeing PGCACHE_MAX + 1
 * pages with no allocation between drains one batch of the coldest.
 */
KTEST(pgcache_speed, refills_and_drains_move_whole_batches)
{
	static struct vm_page *pgs[PGCACHE_MAX + PGCACHE_BATCH + 2];
	bool was = vm_pgcache_set_enabled(false);   /* every cache empty */
	uint64_t refills0, hits0, drains0, refills, hits;
	int n = PGCACHE_BATCH + 1, got, left, cached;
	uint16_t coldest, warmest;

	vm_pgcache_set_enabled(true);
	sched_bind(0);
	refills0 = uvmexp.pgc_refills;
	hits0 = uvmexp.pgc_hits;
	got = alloc_n(pgs, n);
	left = vm_pgcaches[0].n;
	refills = uvmexp.pgc_refills - refills0;
	hits = uvmexp.pgc_hits - hits0;
	free_n(pgs, got);
	/* Fill the cache to the brim, then one more free drains a batch. */
	got = alloc_n(pgs, PGCACHE_MAX + 1);
	vm_pgcache_set_enabled(false);
	vm_pgcache_set_enabled(true);
	drains0 = uvmexp.pgc_drains;
	free_n(pgs, PGCACHE_MAX);
	cached = vm_pgcaches[0].n;
	vm_page_free(pgs[PGCACHE_MAX]);
	coldest = pgs[0]->pqflags;
	warmest = pgs[PGCACHE_MAX - 1]->pqflags;
	sched_bind(-1);
	vm_pgcache_set_enabled(was);
	KT_EQ(refills, 1);                      /* one lock for the batch, */
	KT_EQ(hits, PGCACHE_BATCH);             /* then no lock for 32 pages */
	KT_EQ(left, 0);
	KT_EQ(got, PGCACHE_MAX + 1);
	KT_EQ(cached, PGCACHE_MAX);
	KT_EQ(uvmexp.pgc_drains, drains0 + 1);
	KT_EQ(coldest, PQ_FREE);                /* the coldest went back */
	KT_EQ(warmest, PQ_FREE | PQ_CPUCACHE);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/* ------------------------------------------------------------------ */
/* pgcache: what stays true                                            */

/*
 * vm_page_free_many (munmap's and exit's frees) fills this CPU's cache
 * from the front in one section, then, the cache full, drains a batch
 * and puts the rest on the list: PGCACHE_MAX + 10 pages freed from an
 * empty cache leave PGCACHE_MAX - PGCACHE_BATCH cached, the 10 last on
 * the list, and every page counted free once.
 */
KTEST(pgcache, free_many_fills_the_cache_then_the_list)
{
	static struct vm_page *pgs[PGCACHE_MAX + 10];
	int n = PGCACHE_MAX + 10, got, cached;
	bool was = vm_pgcache_set_enabled(false);
	uint64_t free0, drains0 = uvmexp.pgc_drains;
	uint16_t first, last;

	sched_bind(0);
	got = alloc_n(pgs, n);          /* caches off: all from the list */
	vm_pgcache_set_enabled(true);
	free0 = uvmexp.free;
	vm_page_free_many(pgs, got);
	cached = vm_pgcaches[0].n;
	first = pgs[PGCACHE_MAX - 1]->pqflags;
	last = pgs[n - 1]->pqflags;
	sched_bind(-1);
	vm_pgcache_set_enabled(was);
	KT_EQ(got, n);
	KT_EQ(uvmexp.free, free0 + (uint64_t)n);
	KT_EQ(cached, PGCACHE_MAX - PGCACHE_BATCH);
	KT_EQ(uvmexp.pgc_drains, drains0 + 1);
	KT_EQ(first, PQ_FREE | PQ_CPUCACHE);    /* the warm end stayed */
	KT_EQ(last, PQ_FREE);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/*
 * Turning the caches off moves every cached page to the list and
 * changes no count; with them off a freed page goes to the list.
 */
KTEST(pgcache, the_free_count_is_the_same_with_caches_on_and_off)
{
	static struct vm_page *pgs[100];
	bool was = vm_pgcache_set_enabled(true);
	uint64_t free_on, free_off, cached_on, cached_off, steals0;
	int got;
	struct vm_page *pg;

	got = alloc_n(pgs, 100);
	free_n(pgs, got);
	free_on = uvmexp.free;
	cached_on = vm_pgcache_count();
	steals0 = uvmexp.pgc_steals;
	vm_pgcache_set_enabled(false);
	free_off = uvmexp.free;
	cached_off = vm_pgcache_count();
	pg = vm_page_alloc(NULL, 0, NULL, 0);
	KT_ASSERT(pg != NULL);
	vm_page_free(pg);
	KT_EQ(pg->pqflags, PQ_FREE);            /* on the list, not cached */
	KT_EQ(vm_page_check(ktest_print), 0);
	vm_pgcache_set_enabled(was);
	KT_EQ(got, 100);
	KT_ASSERT(cached_on > 0);
	KT_EQ(cached_off, 0);
	KT_EQ(free_off, free_on);
	KT_EQ(uvmexp.pgc_steals, steals0 + 1);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/* cpu1 fills its cache; then cpu0 takes every free page. */
static volatile bool filled;

static void
fill_worker(void *arg)
{
	struct vm_page **pgs = arg;
	int got = alloc_n(pgs, PGCACHE_BATCH);

	free_n(pgs, got);
	filled = true;
}

KTEST(pgcache, exhaustion_steals_the_other_cpus_cached_pages)
{
	static struct vm_page *pgs[PGCACHE_BATCH];
	bool was = vm_pgcache_set_enabled(true);
	uint64_t free0, held_n, free_empty, steals0, fail0;
	int cpu1_before, cpu1_after;
	struct pglist held;
	struct thread *t;

	if (tt_one_cpu("pgcache", "stealing another CPU's cache")) {
		vm_pgcache_set_enabled(was);
		return;
	}
	filled = false;
	t = thread_create_on("pgc-fill", fill_worker, pgs, 1);
	KT_ASSERT(t != NULL);
	KT_EQ(thread_join(t), 0);
	sched_bind(0);
	cpu1_before = vm_pgcaches[1].n;
	free0 = uvmexp.free;
	steals0 = uvmexp.pgc_steals;
	fail0 = uvmexp.pga_fail;
	held_n = vmtest_hold_free(&held, 0);
	free_empty = uvmexp.free;
	cpu1_after = vm_pgcaches[1].n;
	vmtest_release(&held);
	sched_bind(-1);
	vm_pgcache_set_enabled(was);
	KT_ASSERT(filled);
	KT_ASSERT(cpu1_before > 0);
	KT_EQ(cpu1_after, 0);
	KT_EQ(free_empty, 0);
	KT_EQ(held_n, free0);                   /* every free page, cached ones too */
	KT_ASSERT(uvmexp.pgc_steals > steals0);
	KT_EQ(uvmexp.pga_fail, fail0 + 1);      /* only the one real failure */
	KT_EQ(vm_page_check(ktest_print), 0);
}

/*
 * A contiguous run whose pages sit in a cache is found after a steal.
 * Every free page is held, then a run of four is freed into this CPU's
 * cache: the list has nothing, so only a steal can give the run back.
 * (freemin is 0 meanwhile, or frees this short of memory would bypass
 * the cache.)
 */
KTEST(pgcache, a_contiguous_run_is_found_in_the_caches)
{
	bool was = vm_pgcache_set_enabled(true);
	struct vm_page *run = NULL, *again = NULL;
	uint64_t steals0, freemin = uvmexp.freemin;
	uint16_t flags_cached;
	struct pglist held;
	int err;

	KT_EQ(vm_page_alloc_contig(4, 4 * PAGE_SIZE, ~0UL, 0, &run), 0);
	sched_bind(0);
	vmtest_hold_free(&held, 0);
	uvmexp.freemin = 0;
	for (int i = 0; i < 4; i++)
		vm_page_free(&run[i]);
	flags_cached = run[0].pqflags;
	steals0 = uvmexp.pgc_steals;
	err = vm_page_alloc_contig(4, 4 * PAGE_SIZE, ~0UL, 0, &again);
	uvmexp.freemin = freemin;
	if (err == 0)
		vm_page_free_contig(again, 4);
	vmtest_release(&held);
	sched_bind(-1);
	vm_pgcache_set_enabled(was);
	KT_EQ(flags_cached, PQ_FREE | PQ_CPUCACHE);
	KT_EQ(err, 0);
	KT_EQ((uint64_t)again, (uint64_t)run);
	KT_EQ(uvmexp.pgc_steals, steals0 + 1);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/* Two CPUs allocating and freeing at once: the counts stay exact. */
#define CHURN_ROUNDS 3000

struct churn {
	volatile bool ready, done;
	int cpu_seen;
	int fails;
};

static struct churn churn[2];
static volatile bool churn_go;

static bool
churn_ready(void *arg)
{
	(void)arg;
	return churn[0].ready && churn[1].ready;
}

static bool
churn_done(void *arg)
{
	(void)arg;
	return churn[0].done && churn[1].done;
}

static void
churn_worker(void *arg)
{
	struct churn *c = arg;
	struct vm_page *pgs[40];

	c->ready = true;
	while (!churn_go)
		yield();
	c->cpu_seen = cpu_number();
	for (int i = 0; i < CHURN_ROUNDS; i++) {
		int n = 1 + i % 40, got = alloc_n(pgs, n);
		c->fails += got != n;
		free_n(pgs, got);
	}
	c->done = true;
}

KTEST(pgcache, two_cpus_allocating_and_freeing_keep_the_counts_exact)
{
	bool was = vm_pgcache_set_enabled(true), started, finished;
	uint64_t free0, free1, hits0;
	struct thread *t[2];
	int check;

	if (tt_one_cpu("pgcache", "two CPUs at once")) {
		vm_pgcache_set_enabled(was);
		return;
	}
	memset(churn, 0, sizeof(churn));
	churn_go = false;
	t[0] = thread_create_on("pgc-churn0", churn_worker, &churn[0], 0);
	t[1] = thread_create_on("pgc-churn1", churn_worker, &churn[1], 1);
	KT_ASSERT(t[0] != NULL && t[1] != NULL);
	started = tt_wait(churn_ready, NULL, 3000);
	free0 = uvmexp.free;
	hits0 = uvmexp.pgc_hits;
	churn_go = true;
	finished = tt_wait(churn_done, NULL, 30000);
	free1 = uvmexp.free;
	check = vm_page_check(ktest_print);
	KT_EQ(thread_join(t[0]), 0);
	KT_EQ(thread_join(t[1]), 0);
	vm_pgcache_set_enabled(was);
	KT_ASSERT(started && finished);
	KT_EQ(churn[0].cpu_seen, 0);
	KT_EQ(churn[1].cpu_seen, 1);
	KT_EQ(churn[0].fails + churn[1].fails, 0);
	KT_EQ(free1, free0);
	KT_EQ(check, 0);
	KT_ASSERT(uvmexp.pgc_hits - hits0 > CHURN_ROUNDS);  /* mostly hits */
	KT_EQ(vm_page_check(ktest_print), 0);
}

/*
 * The checker notices a cached page that is not free, and the printer
 * shows the caches.  The page is broken and mended with interrupts off,
 * so nothing on this CPU allocates it meanwhile.
 */
KTEST(pgcache, the_checker_catches_a_bad_cache_and_the_printer_shows_it)
{
	bool was = vm_pgcache_set_enabled(true);
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, 0), *top = NULL;
	struct vm_pgcache *pc;
	int bad = 0, printed_lines;
	uint64_t s;

	KT_ASSERT(pg != NULL);
	ktest_capture_reset();
	s = intr_disable();
	vm_page_free(pg);               /* into this CPU's cache */
	pc = &vm_pgcaches[cpu_number()];
	if (pc->n > 0) {
		top = pc->pgs[pc->n - 1];
		top->pqflags = 0;       /* "allocated", yet still in the cache */
		bad = vm_page_check(ktest_capture);
		top->pqflags = PQ_FREE | PQ_CPUCACHE;
	}
	intr_restore(s);
	KT_ASSERT(top == pg);
	KT_ASSERT(bad >= 2);            /* the cache, and the free count */
	KT_ASSERT(ktest_captured_has("is not a free cached page"));
	KT_EQ(vm_page_check(ktest_print), 0);
	ktest_capture_reset();
	vm_pgcache_print(ktest_capture);
	printed_lines = ktest_captured_lines();
	vm_pgcache_set_enabled(was);
	KT_ASSERT(ktest_captured_has("pgcache: on"));
	KT_ASSERT(ktest_captured_has("cpu0:"));
	KT_ASSERT(printed_lines >= 2);
}
