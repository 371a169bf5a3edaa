/*
 * tests/uvm/pool_test.c - uvm/uvm_pool.c: slab geometry, exact object
 * and page counts, pages going back to the page allocator, PR_ZERO, a
 * long random stress with every object's contents checked, runs taken
 * and given back under one lock (get_many, put_many), running out
 * of pages, and (debug builds) catching a write into a freed object.
 *
 * Each test uses a pool of its own and destroys it, and measures pages
 * through uvmexp.free: the pool's pages are the only pages taken while it
 * runs, so uvmexp.free must move by exactly pr_npages.
 *
 * Not tested: a double free and pool_get of a poisoned object panic.
 */
#include "kern/core/ktest.h"
#include "kern/lib/string.h"
#include "pmap/vmlayout.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"

static uintptr_t
page_of(const void *p)
{
	return ROUND_DOWN((uintptr_t)p, PAGE_SIZE);
}

KTEST(pool, geometry_and_alignment)
{
	static struct pool p40, p24a64, p1;
	void *a, *b;

	pool_init(&p40, 40, 8, "test-40");
	pool_init(&p24a64, 24, 64, "test-24a64");
	pool_init(&p1, 1, 0, "test-1");
	KT_EQ(p40.pr_size, 40);
	KT_EQ(p24a64.pr_size, 64);
	KT_EQ(p1.pr_size, 8);                   /* room for the free link */
	KT_EQ(p1.pr_align, 8);
	/* Objects fill the page after the header, with no room for another. */
	KT_ASSERT(p40.pr_itemoffset + p40.pr_itemsperpage * 40 <= PAGE_SIZE);
	KT_ASSERT(p40.pr_itemoffset + (p40.pr_itemsperpage + 1) * 40 > PAGE_SIZE);
	KT_EQ(p24a64.pr_itemoffset % 64, 0);
	a = pool_get(&p24a64, 0);
	b = pool_get(&p24a64, 0);
	KT_ASSERT(a != NULL && b != NULL);
	KT_EQ((uintptr_t)a % 64, 0);
	KT_EQ((uintptr_t)b - (uintptr_t)a, 64);     /* a fresh page goes in order */
	KT_EQ(page_of(a), page_of(b));
	KT_ASSERT((uintptr_t)a >= DMAP_BASE && (uintptr_t)a < KVA_START);
	KT_EQ((uintptr_t)a - page_of(a), p24a64.pr_itemoffset);
	pool_put(&p24a64, b);
	pool_put(&p24a64, a);
	pool_destroy(&p40);
	pool_destroy(&p24a64);
	pool_destroy(&p1);
}

/*
 * An object's index in its page is found by a multiply with the pool's
 * reciprocal of the size, not a division (item_index): every object of a
 * page, in every size from 8 to 1024 bytes, comes out of a fresh page in
 * order and goes back - a wrong index would panic the get or the put.
 */
KTEST(pool, every_object_of_a_page_is_found_in_every_size)
{
	static struct pool p;
	static void *objs[PAGE_SIZE / 8];

	for (size_t size = 8; size <= 1024; size += 8) {
		pool_init(&p, size, 8, "test-sizes");
		size_t n = p.pr_itemsperpage;
		KT_EQ(pool_get_many(&p, objs, (int)n, 0), (int)n);
		for (size_t i = 0; i < n; i++)
			KT_EQ((uintptr_t)objs[i] - page_of(objs[0]),
			    p.pr_itemoffset + i * size);
		KT_EQ(p.pr_npages, 1);
		pool_put_many(&p, objs, (int)n);
		KT_EQ(p.pr_nout, 0);
		KT_EQ(pool_check(&p, ktest_print), 0);  /* free bits = free list */
		pool_destroy(&p);
	}
}

#define COUNT_PAGES 4

KTEST(pool, counts_and_pages_exact)
{
	static struct pool pc;
	static void *objs[COUNT_PAGES * PAGE_SIZE / 8];
	uint64_t free0 = uvmexp.free;
	size_t ipp, n, got = 0;

	pool_init(&pc, 40, 8, "test-count");
	ipp = pc.pr_itemsperpage;
	n = (COUNT_PAGES - 1) * ipp + 1;        /* one object on the last page */
	for (size_t i = 0; i < n; i++) {
		objs[i] = pool_get(&pc, 0);
		got += objs[i] != NULL;
	}
	KT_EQ(got, n);
	KT_EQ(pc.pr_nout, n);
	KT_EQ(pc.pr_nget, n);
	KT_EQ(pc.pr_npages, COUNT_PAGES);
	KT_EQ(pc.pr_nempty, 0);
	KT_EQ(uvmexp.free, free0 - COUNT_PAGES);
	KT_EQ(page_of(objs[0]), page_of(objs[ipp - 1]));
	KT_ASSERT(page_of(objs[ipp - 1]) != page_of(objs[ipp]));
	KT_EQ(pool_check(&pc, ktest_print), 0);
	for (size_t i = 0; i < n; i++)
		pool_put(&pc, objs[i]);
	KT_EQ(pc.pr_nout, 0);
	KT_EQ(pc.pr_nput, n);
	/* Only POOL_EMPTY_MAX wholly free pages are kept; the rest went back. */
	KT_EQ(pc.pr_npages, POOL_EMPTY_MAX);
	KT_EQ(pc.pr_nempty, POOL_EMPTY_MAX);
	KT_EQ(uvmexp.free, free0 - POOL_EMPTY_MAX);
	KT_EQ(pool_check(&pc, ktest_print), 0);
	KT_EQ(pool_reclaim(&pc), POOL_EMPTY_MAX);
	KT_EQ(pc.pr_npages, 0);
	KT_EQ(uvmexp.free, free0);
	pool_destroy(&pc);
	KT_EQ(uvmexp.free, free0);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/*
 * pool_get_many takes a run of objects under one lock, across pages, as
 * that many pool_gets would; with no page to be had it stops at what the
 * pool's pages still hold and counts one failure.
 */
KTEST(pool, get_many_spans_pages_and_stops_short_without_memory)
{
	static struct pool pg_;
	void *objs[64];
	struct pglist held;
	uint64_t free0 = uvmexp.free;
	int ipp, got;

	pool_init(&pg_, 256, 8, "test-many");
	ipp = (int)pg_.pr_itemsperpage;
	KT_ASSERT(ipp < 32);
	KT_EQ(pool_get_many(&pg_, objs, ipp + 1, PR_ZERO), ipp + 1);
	KT_EQ(pg_.pr_nget, ipp + 1);
	KT_EQ(pg_.pr_nout, ipp + 1);
	KT_EQ(pg_.pr_npages, 2);
	KT_ASSERT(page_of(objs[0]) != page_of(objs[ipp]));
	for (int i = 0; i <= ipp; i++)
		KT_EQ(*(uint64_t *)objs[i] | ((uint64_t *)objs[i])[31], 0);
	KT_EQ(pool_check(&pg_, ktest_print), 0);
	/* No free page: only the ipp - 1 objects left on the second page. */
	vmtest_hold_free(&held, 0);
	got = pool_get_many(&pg_, objs + ipp + 1, 32, 0);
	vmtest_release(&held);
	KT_EQ(got, ipp - 1);
	KT_EQ(pg_.pr_nfail, 1);
	KT_EQ(pg_.pr_npages, 2);
	KT_EQ(pool_check(&pg_, ktest_print), 0);
	for (int i = 0; i < 2 * ipp; i++)
		pool_put(&pg_, objs[i]);
	KT_EQ(pg_.pr_nout, 0);
	pool_reclaim(&pg_);
	pool_destroy(&pg_);
	KT_EQ(uvmexp.free, free0);
}

/*
 * pool_put_many gives a run back under one lock, as that many pool_puts
 * would: across pages, every object free again (a fresh get of them all
 * hands them out once more) and the counts exact.
 */
KTEST(pool, put_many_returns_a_run_across_pages)
{
	static struct pool pp_;
	void *objs[64];
	uint64_t free0 = uvmexp.free;
	int n;

	pool_init(&pp_, 256, 8, "test-putmany");
	n = 2 * (int)pp_.pr_itemsperpage + 1;  /* three pages */
	KT_ASSERT(n <= 64);
	KT_EQ(pool_get_many(&pp_, objs, n, 0), n);
	KT_EQ(pp_.pr_npages, 3);
	pool_put_many(&pp_, objs, n);
	KT_EQ(pp_.pr_nout, 0);
	KT_EQ(pp_.pr_nput, n);
	KT_EQ(pool_check(&pp_, ktest_print), 0);
	KT_EQ(pool_get_many(&pp_, objs, n, 0), n);      /* all of them free again */
	KT_EQ(pp_.pr_npages, 3);
	pool_put_many(&pp_, objs, n);
	KT_EQ(pool_check(&pp_, ktest_print), 0);
	pool_reclaim(&pp_);
	pool_destroy(&pp_);
	KT_EQ(uvmexp.free, free0);
}

/*
 * Runs leave every page on the list its count says: a get_many that
 * takes all of a fresh page leaves it on pr_full; a put_many whose
 * objects alternate between two pages gives each its own back; a put
 * run of many objects of one page that empties it beyond POOL_EMPTY_MAX
 * frees it.  pool_check agrees after each step.  (A free list cut to
 * NULL after a free makes take_object panic, which a test cannot watch.)
 */
KTEST(pool, runs_leave_each_page_on_the_list_its_count_says)
{
	static struct pool pr_;
	void *objs[128], *mixed[64];
	uint64_t free0 = uvmexp.free;
	int ipp;

	pool_init(&pr_, 256, 8, "test-runs");
	ipp = (int)pr_.pr_itemsperpage;
	KT_ASSERT(4 * ipp <= 128 && 2 * ipp <= 64);
	KT_EQ(pool_get_many(&pr_, objs, ipp, 0), ipp);  /* one whole page */
	KT_EQ(pr_.pr_npages, 1);
	KT_EQ((uintptr_t)TAILQ_FIRST(&pr_.pr_full), page_of(objs[0]));
	KT_ASSERT(TAILQ_EMPTY(&pr_.pr_partial) && TAILQ_EMPTY(&pr_.pr_empty));
	KT_EQ(pool_check(&pr_, ktest_print), 0);
	KT_EQ(pool_get_many(&pr_, objs + ipp, 3 * ipp, 0), 3 * ipp);
	KT_EQ(pr_.pr_npages, 4);
	KT_ASSERT(TAILQ_EMPTY(&pr_.pr_partial));
	/* Pages a and b alternate: a, b, a, b, ... all but the last of b. */
	for (int i = 0; i < ipp; i++) {
		mixed[2 * i] = objs[i];
		mixed[2 * i + 1] = objs[ipp + i];
	}
	pool_put_many(&pr_, mixed, 2 * ipp - 1);
	KT_EQ(pr_.pr_nout, 2 * ipp + 1);
	KT_EQ(pr_.pr_nput, 2 * ipp - 1);
	KT_EQ(pr_.pr_nempty, 1);                /* page a, whole again */
	KT_EQ((uintptr_t)TAILQ_FIRST(&pr_.pr_partial), page_of(objs[ipp]));
	KT_EQ(pool_check(&pr_, ktest_print), 0);
	pool_put(&pr_, objs[2 * ipp - 1]);      /* page b whole: two kept */
	KT_EQ(pr_.pr_nempty, 2);
	KT_EQ(pr_.pr_npages, 4);
	/* Page c in one run: a third empty page is one too many, freed. */
	pool_put_many(&pr_, objs + 2 * ipp, ipp);
	KT_EQ(pr_.pr_nempty, 2);
	KT_EQ(pr_.pr_npages, 3);
	KT_EQ(pool_check(&pr_, ktest_print), 0);
	pool_put_many(&pr_, objs + 3 * ipp, ipp);
	KT_EQ(pr_.pr_npages, 2);
	KT_EQ(pr_.pr_nout, 0);
	KT_EQ(pool_check(&pr_, ktest_print), 0);
	pool_reclaim(&pr_);
	pool_destroy(&pr_);
	KT_EQ(uvmexp.free, free0);
}

/* The free list is LIFO, so a put object is the next one handed out. */
KTEST(pool, zero_flag_and_poison)
{
	static struct pool pz;
	uint64_t *a, *b, *c;
	size_t words;
	bool poisoned = true, zero = true;

	pool_init(&pz, 72, 8, "test-zero");
	words = pz.pr_size / 8;
	a = pool_get(&pz, 0);
	KT_ASSERT(a != NULL);
	memset(a, 0x5a, pz.pr_size);
	pool_put(&pz, a);
	b = pool_get(&pz, 0);
	for (size_t i = 0; i < words; i++)
		poisoned &= b[i] == POOL_POISON;
	pool_put(&pz, b);
	c = pool_get(&pz, PR_ZERO);
	for (size_t i = 0; i < words; i++)
		zero &= c[i] == 0;
	pool_put(&pz, c);
	KT_ASSERT(b == a);
	KT_ASSERT(c == a);
	/* Debug builds hand out poison, not the last owner's data. */
	KT_ASSERT(poisoned || !KDEBUG);
	KT_ASSERT(zero);
	KT_EQ(pool_check(&pz, ktest_print), 0);
	pool_destroy(&pz);
}

/*
 * Stress: live objects in a dense array; phases that mostly get and
 * mostly put, so pages fill, drain and go back.  Every object holds a
 * pattern from a tag no other allocation shares; if two objects ever
 * overlapped, or the pool wrote into a live one, a check would fail.
 */
#define STRESS_MAX 3000
#define STRESS_OPS 24000
#define STRESS_PHASES 6

static struct pool ps;
static uint64_t *live[STRESS_MAX];
static uint64_t live_tag[STRESS_MAX];
static size_t nlive;
static uint64_t next_tag;

static void
pattern_fill(uint64_t *obj, uint64_t tag)
{
	for (size_t i = 0; i < ps.pr_size / 8; i++)
		obj[i] = tag * 0x9e3779b97f4a7c15ULL + i;
}

static bool
pattern_ok(const uint64_t *obj, uint64_t tag)
{
	for (size_t i = 0; i < ps.pr_size / 8; i++) {
		if (obj[i] != tag * 0x9e3779b97f4a7c15ULL + i)
			return false;
	}
	return true;
}

/*
 * One get (when want_get and there is room, or nothing is live) or one
 * put of a random live object; false on a bad pattern or a failed get.
 */
static bool
stress_step(bool want_get)
{
	size_t i;

	if ((want_get && nlive < STRESS_MAX) || nlive == 0) {
		uint64_t *obj = pool_get(&ps, 0);
		if (obj == NULL)
			return false;
		live_tag[nlive] = ++next_tag;
		live[nlive++] = obj;
		pattern_fill(obj, next_tag);
		return true;
	}
	i = krand_below(ktest_rand(), nlive);
	if (!pattern_ok(live[i], live_tag[i]))
		return false;
	pool_put(&ps, live[i]);
	nlive--;
	live[i] = live[nlive];
	live_tag[i] = live_tag[nlive];
	return true;
}

/* Put every live object back; returns how many had a bad pattern. */
static size_t
stress_drain(void)
{
	size_t bad = 0;

	while (nlive > 0) {
		nlive--;
		bad += !pattern_ok(live[nlive], live_tag[nlive]);
		pool_put(&ps, live[nlive]);
	}
	return bad;
}

KTEST(pool, random_stress_keeps_objects_apart)
{
	uint64_t free0 = uvmexp.free;
	size_t failures = 0, bad_live = 0;
	int checks = 0;

	nlive = 0;
	pool_init(&ps, 56, 8, "test-stress");
	for (int phase = 0; phase < STRESS_PHASES; phase++) {
		/* Even phases get 3 times in 4, odd ones put 3 times in 4. */
		for (int op = 0; op < STRESS_OPS / STRESS_PHASES; op++) {
			bool get = (krand_below(ktest_rand(), 4) != 0) == (phase % 2 == 0);
			failures += !stress_step(get);
		}
		for (size_t i = 0; i < nlive; i++)
			bad_live += !pattern_ok(live[i], live_tag[i]);
		checks += pool_check(&ps, ktest_print);
		if (ps.pr_nout != nlive || uvmexp.free != free0 - ps.pr_npages ||
		    ps.pr_npages * ps.pr_itemsperpage < nlive)
			failures++;
	}
	bad_live += stress_drain();
	KT_EQ(failures, 0);
	KT_EQ(bad_live, 0);
	KT_EQ(checks, 0);
	KT_EQ(ps.pr_nout, 0);
	KT_EQ(ps.pr_nget, next_tag);
	KT_EQ(ps.pr_nput, next_tag);
	KT_ASSERT(ps.pr_npages <= POOL_EMPTY_MAX);
	KT_EQ(uvmexp.free, free0 - ps.pr_npages);
	KT_EQ(pool_check(&ps, ktest_print), 0);
	pool_destroy(&ps);
	KT_EQ(uvmexp.free, free0);
}

/* With every free page taken, a pool that needs a page fails cleanly. */
KTEST(pool, get_fails_when_no_page)
{
	static struct pool pf;
	struct pglist held;
	void *obj;
	uint64_t free0 = uvmexp.free;

	pool_init(&pf, 32, 8, "test-nomem");
	vmtest_hold_free(&held, 0);
	obj = pool_get(&pf, 0);
	vmtest_release(&held);
	KT_ASSERT(obj == NULL);
	KT_EQ(pf.pr_nfail, 1);
	KT_EQ(pf.pr_nget, 0);
	KT_EQ(pf.pr_npages, 0);
	KT_EQ(uvmexp.free, free0);
	/* And works again once there are pages. */
	obj = pool_get(&pf, 0);
	KT_ASSERT(obj != NULL);
	pool_put(&pf, obj);
	pool_destroy(&pf);
	KT_EQ(uvmexp.free, free0);
}

/*
 * Use after free, debug builds: a write into a freed object's body, then
 * into its free-list link, each make pool_check report exactly one
 * problem naming the pool and the object.  The test puts back what it
 * overwrote before asserting, so the pool is sound whatever happens, and
 * then gets the object again (which checks the poison once more).
 */
KTEST(pool, write_after_free_is_reported)
{
	static struct pool pu;
	volatile uint64_t *a;
	void *b, *again;
	char addr[32];
	uint64_t saved;
	int body_n, body_all, link_n, after;
	bool body_named, link_named;

	if (!KDEBUG)
		return;         /* no poison without KDEBUG: nothing to detect */
	pool_init(&pu, 64, 8, "test-uaf");
	a = pool_get(&pu, 0);
	b = pool_get(&pu, 0);                   /* keeps the page in use */
	KT_ASSERT(a != NULL && b != NULL);
	pool_put(&pu, (void *)a);
	ksnprintf(addr, sizeof(addr), "%p", (void *)a);
	KT_EQ(a[3], POOL_POISON);

	saved = a[3];
	a[3] = 0x1234;                          /* the body: offset 0x18 */
	ktest_capture_reset();
	body_n = pool_check(&pu, ktest_capture);
	body_named = ktest_captured_has("test-uaf") && ktest_captured_has(addr) &&
	    ktest_captured_has("offset 0x18");
	body_all = pool_check_all(ktest_capture);
	a[3] = saved;

	saved = a[0];
	a[0] = 0x1234;                          /* the link: no longer an object */
	ktest_capture_reset();
	link_n = pool_check(&pu, ktest_capture);
	link_named = ktest_captured_has("test-uaf") && ktest_captured_has(addr);
	a[0] = saved;

	after = pool_check(&pu, ktest_print);
	again = pool_get(&pu, 0);
	pool_put(&pu, again);
	pool_put(&pu, b);
	pool_destroy(&pu);
	KT_EQ(body_n, 1);
	KT_ASSERT(body_named);
	KT_EQ(body_all, 1);                     /* pu is on the list of all pools */
	KT_EQ(link_n, 1);
	KT_ASSERT(link_named);
	KT_EQ(after, 0);
	KT_ASSERT(again == (void *)a);
}

KTEST(pool, print_and_list_of_all_pools)
{
	static struct pool pp;
	void *obj;

	pool_init(&pp, 100, 8, "test-print");
	obj = pool_get(&pp, 0);
	KT_ASSERT(obj != NULL);
	ktest_capture_reset();
	pool_print(&pp, ktest_capture);
	KT_EQ(ktest_captured_lines(), 1);
	KT_ASSERT(ktest_captured_has("test-print"));
	KT_ASSERT(ktest_captured_has("size  104"));  /* 100 rounded to 8 */
	KT_ASSERT(ktest_captured_has("out      1"));
	ktest_capture_reset();
	pool_print_all(ktest_capture);
	KT_ASSERT(ktest_captured_has("test-print"));
	pool_put(&pp, obj);
	pool_destroy(&pp);
	ktest_capture_reset();
	pool_print_all(ktest_capture);
	KT_ASSERT(!ktest_captured_has("test-print"));
}
