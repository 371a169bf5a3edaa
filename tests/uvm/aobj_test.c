/*
 * tests/uvm/aobj_test.c - uvm/uvm_aobj.c: anonymous objects, their swap
 * slots (an array for small objects, a hash of 16-page clusters for large
 * ones), resizing across the threshold, the pager operations the fault
 * handler uses, detach and swap_off.
 *
 * The slots are real: each test creates a swap area, takes slots from it
 * with uvm_swap_alloc and hands them to the aobj, so every assertion about
 * a slot can also be asked of the swap layer (uvm_swap_slot_inuse,
 * uvm_swap_stats.inuse).  uao_check runs after every operation.
 *
 * The leak check: fixture_setup takes a vm_baseline (pages in use, swap
 * slots in use, uao_count and the rest) once the test's swap area is in
 * place; fixture_teardown expects every counter back.
 *
 * Not tested here (they need a swap disk: tests/uvm/swap_test.c and
 * pdaemon_test.c): reading a page back from swap, uao_swap_off actually
 * bringing pages in; nor -ENOMEM from uao_set_swslot.
 */
#include "kern/core/ktest.h"
#include "tests/harness/threadtest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_swap.h"

#define AREA_SLOTS 512

struct fixture {
	int first;                      /* the test's swap area starts here */
	struct vm_baseline base;        /* taken with the area in place */
};

static voff_t
pg_off(int pageidx)
{
	return (voff_t)pageidx << PAGE_SHIFT;
}

static int
new_slot(void)
{
	int n = 1, slot = uvm_swap_alloc(&n, false);

	KT_ASSERT(slot > 0);
	return slot;
}

/* uao_check and uvm_swap_check find nothing.  => object locked. */
static void
ck(struct uvm_object *u)
{
	KT_EQ(uao_check(u, ktest_print), 0);
	KT_EQ(uvm_swap_check(ktest_print), 0);
}

static void
fixture_setup(struct fixture *f)
{
	/* A test that failed half-way may have left its area: fail, not panic. */
	KT_EQ(uvm_swap_stats.nslots, 0);
	f->first = uvm_swap_area_create(AREA_SLOTS);
	KT_ASSERT(f->first > 0);
	vm_baseline_take(&f->base);
}

static void
fixture_teardown(struct fixture *f)
{
	vm_baseline_expect(&f->base);
	KT_EQ(uao_check_all(ktest_print), 0);
	KT_EQ(uvm_swap_check(ktest_print), 0);
	uvm_swap_area_destroy_all();
}

/* pgo_get without PGO_LOCKED for one page.  => object unlocked before and after. */
static int
get_one(struct uvm_object *u, int pageidx, struct vm_page **pgp)
{
	int n = 1, error;

	*pgp = NULL;
	KT_ASSERT(!mutex_owned(&u->vmobjlock));
	error = u->pgops->pgo_get(u, pg_off(pageidx), 0, pgp, &n,
	    VM_PROT_READ | VM_PROT_WRITE, 0, 0);
	KT_ASSERT(!mutex_owned(&u->vmobjlock));
	if (error == 0)
		KT_EQ(n, 1);
	return error;
}

/* A thread that asks for a page (which the test holds busy). */
struct busy_getter {
	struct uvm_object *u;
	int idx;
	int error;
	struct vm_page *pg;
};

static void
busy_getter_run(void *arg)
{
	struct busy_getter *g = arg;
	int n = 1;

	g->error = g->u->pgops->pgo_get(g->u, pg_off(g->idx), 0, &g->pg, &n,
	    VM_PROT_READ | VM_PROT_WRITE, 0, 0);
}

/* get_one that must succeed; the page is un-busied as the fault handler would. */
static struct vm_page *
fault_in(struct uvm_object *u, int pageidx)
{
	struct vm_page *pg;

	KT_EQ(get_one(u, pageidx, &pg), 0);
	KT_ASSERT(pg != NULL && (pg->flags & PG_BUSY));
	pg->flags &= ~PG_BUSY;
	return pg;
}

static bool
page_is(const struct vm_page *pg, uint8_t v)
{
	const uint8_t *b = vm_page_kva(pg);

	for (size_t i = 0; i < PAGE_SIZE; i++) {
		if (b[i] != v)
			return false;
	}
	return true;
}

KTEST(aobj, small_object_keeps_slots_in_array)
{
	struct fixture f;
	struct uvm_object *u;
	int s0, s7, s7b, s15;

	fixture_setup(&f);
	u = uao_create(pg_off(16) - 100, 0);    /* rounded up to 16 pages */
	KT_ASSERT(u != NULL);
	KT_EQ(uao_count(), f.base.aobjs + 1);
	KT_EQ(u->uo_refs, 1);
	mutex_enter(&u->vmobjlock);
	KT_EQ(uao_npages(u), 16);
	KT_ASSERT(!uao_uses_hash(u));
	s0 = new_slot(), s7 = new_slot(), s15 = new_slot();
	KT_EQ(uao_set_swslot(u, 0, s0), 0);
	KT_EQ(uao_set_swslot(u, 7, s7), 0);
	KT_EQ(uao_set_swslot(u, 15, s15), 0);
	ck(u);
	for (int i = 0; i < 16; i++)
		KT_EQ(uao_find_swslot(u, i), i == 0 ? s0 : i == 7 ? s7 : i == 15 ? s15 : 0);
	/* Replacing a slot hands the old one back to the caller to free. */
	s7b = new_slot();
	KT_EQ(uao_set_swslot(u, 7, s7b), s7);
	uvm_swap_free(s7, 1);
	KT_EQ(uao_find_swslot(u, 7), s7b);
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots + 3);
	ck(u);
	/* dropswap clears the slot and frees it in the swap layer. */
	uao_dropswap(u, 0);
	KT_EQ(uao_find_swslot(u, 0), 0);
	KT_ASSERT(!uvm_swap_slot_inuse(s0));
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots + 2);
	KT_EQ(uao_nclusters(u), 0);
	ck(u);
	mutex_exit(&u->vmobjlock);
	uao_detach(u);                          /* frees s7b and s15 */
	KT_ASSERT(!uvm_swap_slot_inuse(s7b) && !uvm_swap_slot_inuse(s15));
	fixture_teardown(&f);
}

KTEST(aobj, large_object_keeps_slots_in_hash_clusters)
{
	struct fixture f;
	struct uvm_object *u;
	int s5, s20, s21, s150, s199;

	fixture_setup(&f);
	u = uao_create(pg_off(200), 0);
	KT_ASSERT(u != NULL);
	mutex_enter(&u->vmobjlock);
	KT_ASSERT(uao_uses_hash(u));
	KT_EQ(uao_npages(u), 200);
	KT_EQ(uao_nclusters(u), 0);             /* nothing until a slot is set */
	s5 = new_slot(), s20 = new_slot(), s150 = new_slot();
	KT_EQ(uao_set_swslot(u, 5, s5), 0);
	KT_EQ(uao_set_swslot(u, 20, s20), 0);
	KT_EQ(uao_set_swslot(u, 150, s150), 0);
	KT_EQ(uao_nclusters(u), 3);             /* clusters 0, 1 and 9 */
	ck(u);
	s21 = new_slot();
	KT_EQ(uao_set_swslot(u, 21, s21), 0);
	KT_EQ(uao_nclusters(u), 3);             /* 21 shares cluster 1 with 20 */
	/* Clearing a slot never set allocates no element. */
	KT_EQ(uao_set_swslot(u, 100, 0), 0);
	KT_EQ(uao_nclusters(u), 3);
	ck(u);
	for (int i = 0; i < 200; i++) {
		int want = i == 5 ? s5 : i == 20 ? s20 : i == 21 ? s21 :
		    i == 150 ? s150 : 0;
		KT_EQ(uao_find_swslot(u, i), want);
	}
	uao_dropswap(u, 20);
	KT_EQ(uao_nclusters(u), 3);             /* 21 keeps cluster 1 alive */
	KT_ASSERT(!uvm_swap_slot_inuse(s20));
	ck(u);
	uao_dropswap(u, 21);
	KT_EQ(uao_nclusters(u), 2);             /* its count hit 0: freed */
	KT_EQ(uao_find_swslot(u, 21), 0);
	ck(u);
	s199 = new_slot();
	KT_EQ(uao_set_swslot(u, 199, s199), 0); /* the last page */
	KT_EQ(uao_find_swslot(u, 199), s199);
	KT_EQ(uao_nclusters(u), 3);
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots + 3);
	ck(u);
	mutex_exit(&u->vmobjlock);
	uao_detach(u);
	fixture_teardown(&f);
}

/* Give every page of u [0, n) a fresh slot, noted in slots[]. */
static void
fill_slots(struct uvm_object *u, int n, int *slots)
{
	for (int i = 0; i < n; i++) {
		slots[i] = new_slot();
		KT_EQ(uao_set_swslot(u, i, slots[i]), 0);
	}
}

/* Pages [lo, hi) have no slot and theirs are free; the others kept theirs. */
static void
expect_dropped(struct uvm_object *u, int n, int *slots, int lo, int hi)
{
	for (int i = 0; i < n; i++) {
		bool gone = i >= lo && i < hi;
		if (gone && slots[i] != 0) {
			KT_ASSERT(!uvm_swap_slot_inuse(slots[i]));
			slots[i] = 0;
		}
		KT_EQ(uao_find_swslot(u, i), slots[i]);
	}
	ck(u);
}

KTEST(aobj, dropswap_range_frees_exactly_the_range)
{
	static int slots[300];
	struct fixture f;
	struct uvm_object *a, *h;

	fixture_setup(&f);
	a = uao_create(pg_off(48), 0);
	h = uao_create(pg_off(300), 0);
	KT_ASSERT(a != NULL && h != NULL);
	KT_ASSERT(!uao_uses_hash(a) && uao_uses_hash(h));

	mutex_enter(&a->vmobjlock);
	fill_slots(a, 48, slots);
	uao_dropswap_range(a, pg_off(10), pg_off(40));
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots + 18);
	expect_dropped(a, 48, slots, 10, 40);
	uao_dropswap_range(a, pg_off(44), 0);   /* end 0: to the end */
	expect_dropped(a, 48, slots, 44, 48);
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots + 14);
	mutex_exit(&a->vmobjlock);
	uao_detach(a);
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots);

	mutex_enter(&h->vmobjlock);
	fill_slots(h, 300, slots);
	KT_EQ(uao_nclusters(h), 19);
	uao_dropswap_range(h, pg_off(10), pg_off(40));
	expect_dropped(h, 300, slots, 10, 40);
	KT_EQ(uao_nclusters(h), 18);            /* cluster 1 (16-31) emptied */
	uao_dropswap_range(h, pg_off(100), 0);
	expect_dropped(h, 300, slots, 100, 300);
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots + 70);
	KT_EQ(uao_nclusters(h), 6);             /* 0, 2, 3, 4, 5, 6 (96-99) */
	mutex_exit(&h->vmobjlock);
	uao_detach(h);
	fixture_teardown(&f);
}

KTEST(aobj, dropswap_range_in_sparse_hash_walks_elements)
{
	static int slots[2000];
	struct fixture f;
	struct uvm_object *u;

	fixture_setup(&f);
	u = uao_create(pg_off(2000), 0);
	KT_ASSERT(u != NULL);
	mutex_enter(&u->vmobjlock);
	memset(slots, 0, sizeof(slots));
	slots[3] = new_slot(), slots[900] = new_slot(), slots[1999] = new_slot();
	for (int i = 0; i < 2000; i++) {
		if (slots[i] != 0)
			KT_EQ(uao_set_swslot(u, i, slots[i]), 0);
	}
	KT_EQ(uao_nclusters(u), 3);
	/* 124 clusters in range, 3 elements: the drop walks the elements. */
	uao_dropswap_range(u, pg_off(16), pg_off(2000));
	expect_dropped(u, 2000, slots, 16, 2000);
	KT_EQ(uao_nclusters(u), 1);
	mutex_exit(&u->vmobjlock);
	uao_detach(u);
	fixture_teardown(&f);
}

/* u's slots are exactly slots[0 .. n). */
static void
expect_slots(struct uvm_object *u, const int *slots, int n)
{
	KT_EQ(uao_npages(u), n);
	for (int i = 0; i < n; i++)
		KT_EQ(uao_find_swslot(u, i), slots[i]);
	ck(u);
}

KTEST(aobj, grow_and_shrink_convert_between_array_and_hash)
{
	static int slots[3000];
	struct fixture f;
	struct uvm_object *u;
	struct vm_page *p5, *p150;
	uint64_t free0;

	fixture_setup(&f);
	memset(slots, 0, sizeof(slots));
	u = uao_create(pg_off(32), 0);
	KT_ASSERT(u != NULL);
	p5 = fault_in(u, 5);
	mutex_enter(&u->vmobjlock);
	slots[0] = new_slot(), slots[9] = new_slot(), slots[31] = new_slot();
	for (int i = 0; i < 32; i++)
		KT_EQ(uao_set_swslot(u, i, slots[i]), 0);
	KT_EQ(uao_grow(u, 20), -EINVAL);
	KT_EQ(uao_shrink(u, 40), -EINVAL);
	KT_EQ(uao_grow(u, 32), 0);              /* same size: nothing to do */
	KT_EQ(uao_grow(u, 40), 0);              /* array -> array */
	KT_ASSERT(!uao_uses_hash(u));
	expect_slots(u, slots, 40);
	KT_EQ(uao_grow(u, 200), 0);             /* array -> hash */
	KT_ASSERT(uao_uses_hash(u));
	KT_EQ(uao_nclusters(u), 2);             /* {0, 9} and {31} */
	expect_slots(u, slots, 200);
	slots[100] = new_slot(), slots[199] = new_slot();
	KT_EQ(uao_set_swslot(u, 100, slots[100]), 0);
	KT_EQ(uao_set_swslot(u, 199, slots[199]), 0);
	mutex_exit(&u->vmobjlock);
	p150 = fault_in(u, 150);
	mutex_enter(&u->vmobjlock);
	KT_EQ(uao_grow(u, 3000), 0);            /* hash -> hash, more buckets */
	expect_slots(u, slots, 3000);
	KT_ASSERT(uvm_obj_page_lookup(u, pg_off(150)) == p150);
	slots[2999] = new_slot();
	KT_EQ(uao_set_swslot(u, 2999, slots[2999]), 0);
	KT_EQ(uao_nclusters(u), 5);
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots + 6);
	KT_EQ(u->uo_npages, 2);

	/* Shrink: what lies at or past the new end goes, page and slot. */
	free0 = uvmexp.free;
	KT_EQ(uao_shrink(u, 150), 0);           /* hash -> hash, fewer buckets */
	KT_ASSERT(uao_uses_hash(u));
	KT_EQ(u->uo_npages, 1);                 /* page 150 was past the end */
	KT_ASSERT(uvm_obj_page_lookup(u, pg_off(150)) == NULL);
	KT_EQ(uvmexp.free, free0 + 1);
	expect_dropped(u, 150, slots, 150, 150);
	KT_ASSERT(!uvm_swap_slot_inuse(slots[199]) && !uvm_swap_slot_inuse(slots[2999]));
	slots[199] = slots[2999] = 0;
	KT_EQ(uao_nclusters(u), 3);
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots + 4);
	KT_EQ(uao_shrink(u, 20), 0);            /* hash -> array */
	KT_ASSERT(!uao_uses_hash(u));
	KT_EQ(uao_nclusters(u), 0);
	KT_ASSERT(!uvm_swap_slot_inuse(slots[31]) && !uvm_swap_slot_inuse(slots[100]));
	slots[31] = slots[100] = 0;
	expect_slots(u, slots, 20);             /* 0 and 9 kept */
	KT_ASSERT(uvm_obj_page_lookup(u, pg_off(5)) == p5);
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots + 2);
	KT_EQ(uao_shrink(u, 0), 0);             /* nothing left */
	KT_EQ(u->uo_npages, 0);
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots);
	ck(u);
	KT_EQ(uao_grow(u, 70), 0);              /* empty array -> hash */
	KT_ASSERT(uao_uses_hash(u));
	ck(u);
	mutex_exit(&u->vmobjlock);
	uao_detach(u);
	fixture_teardown(&f);
}

KTEST(aobj, pgo_get_zero_fills_and_inserts_busy_page)
{
	struct fixture f;
	struct uvm_object *u;
	struct vm_page *dirty, *pg, *again;
	uint64_t free0, zeroed0;

	fixture_setup(&f);
	u = uao_create(pg_off(8), 0);
	KT_ASSERT(u != NULL);
	/* Leave garbage in the page the allocator will hand out next. */
	dirty = vm_page_alloc(NULL, 0, NULL, 0);
	KT_ASSERT(dirty != NULL);
	memset(vm_page_kva(dirty), 0xab, PAGE_SIZE);
	vm_page_free(dirty);
	free0 = uvmexp.free;
	zeroed0 = uvmexp.pga_zeroed;

	KT_EQ(get_one(u, 3, &pg), 0);
	KT_ASSERT(pg != NULL);
	KT_ASSERT(pg->uobject == u && pg->uanon == NULL);
	KT_EQ(pg->offset, pg_off(3));
	KT_ASSERT(pg->flags & PG_BUSY);         /* the fault handler un-busies */
	KT_ASSERT(!(pg->flags & PG_FAKE));      /* zeros are its real contents */
	KT_ASSERT(page_is(pg, 0));
	KT_EQ(uvmexp.pga_zeroed, zeroed0 + 1);
	KT_EQ(u->uo_npages, 1);
	KT_EQ(uvmexp.free, free0 - 1);
	mutex_enter(&u->vmobjlock);
	KT_ASSERT(uvm_obj_page_lookup(u, pg_off(3)) == pg);
	ck(u);
	mutex_exit(&u->vmobjlock);

	/* Resident now: the same page comes back, contents kept, busy again. */
	memset(vm_page_kva(pg), 0x5a, PAGE_SIZE);
	pg->flags &= ~PG_BUSY;
	KT_EQ(get_one(u, 3, &again), 0);
	KT_ASSERT(again == pg && (pg->flags & PG_BUSY));
	KT_ASSERT(page_is(pg, 0x5a));
	KT_EQ(u->uo_npages, 1);
	KT_EQ(uvmexp.free, free0 - 1);
	/* Busy means someone is on it: a second getter sleeps on the page
	 * until the holder un-busies it, then gets it. */
	struct busy_getter g = { .u = u, .idx = 3 };
	struct thread *t = thread_create("getter", busy_getter_run, &g);
	KT_ASSERT(t != NULL);
	bool slept = tt_wait_sleeping(t, pg, 100);
	mutex_enter(&u->vmobjlock);
	vm_page_unbusy(pg);
	mutex_exit(&u->vmobjlock);
	KT_EQ(thread_join(t), 0);
	KT_ASSERT(slept);
	KT_EQ(g.error, 0);
	KT_ASSERT(g.pg == pg && (pg->flags & PG_BUSY));
	pg->flags &= ~PG_BUSY;
	KT_EQ(get_one(u, 8, &again), -EINVAL);  /* past the end */
	mutex_enter(&u->vmobjlock);
	ck(u);
	mutex_exit(&u->vmobjlock);
	uao_detach(u);
	fixture_teardown(&f);
}

KTEST(aobj, pgo_get_locked_returns_resident_pages_only)
{
	struct fixture f;
	struct uvm_object *u;
	struct vm_page *pps[5], *p3, *p5;
	uint64_t free0;
	int n;

	fixture_setup(&f);
	u = uao_create(pg_off(8), 0);
	KT_ASSERT(u != NULL);
	free0 = uvmexp.free;
	mutex_enter(&u->vmobjlock);
	/* Window pages 1-5, center page 3: nothing resident. */
	n = 5;
	KT_EQ(u->pgops->pgo_get(u, pg_off(1), 2, pps, &n, VM_PROT_READ, 0,
	    PGO_LOCKED), -EBUSY);
	KT_ASSERT(mutex_owned(&u->vmobjlock));  /* the lock stays held */
	KT_EQ(n, 0);
	for (int i = 0; i < 5; i++)
		KT_ASSERT(pps[i] == NULL);
	KT_EQ(uvmexp.free, free0);              /* nothing allocated */
	KT_EQ(u->uo_npages, 0);
	mutex_exit(&u->vmobjlock);

	p3 = fault_in(u, 3);
	p5 = fault_in(u, 5);
	mutex_enter(&u->vmobjlock);
	n = 5;
	KT_EQ(u->pgops->pgo_get(u, pg_off(1), 2, pps, &n, VM_PROT_READ, 0,
	    PGO_LOCKED), 0);
	KT_EQ(n, 2);
	KT_ASSERT(pps[0] == NULL && pps[1] == NULL && pps[2] == p3 &&
	    pps[3] == NULL && pps[4] == p5);
	KT_ASSERT(!(p3->flags & PG_BUSY));      /* not busied: the lock holds them */
	/* A busy neighbour is left out; a busy center is -EBUSY. */
	p5->flags |= PG_BUSY;
	n = 5;
	KT_EQ(u->pgops->pgo_get(u, pg_off(1), 2, pps, &n, VM_PROT_READ, 0,
	    PGO_LOCKED), 0);
	KT_EQ(n, 1);
	KT_ASSERT(pps[4] == NULL);
	n = 3;
	KT_EQ(u->pgops->pgo_get(u, pg_off(4), 1, pps, &n, VM_PROT_READ, 0,
	    PGO_LOCKED), -EBUSY);
	p5->flags &= ~PG_BUSY;
	/* A window running past the end (page 8): those pages are absent. */
	n = 4;
	KT_EQ(u->pgops->pgo_get(u, pg_off(5), 0, pps, &n, VM_PROT_READ, 0,
	    PGO_LOCKED), 0);
	KT_EQ(n, 1);
	KT_ASSERT(pps[0] == p5 && pps[1] == NULL && pps[2] == NULL && pps[3] == NULL);
	KT_EQ(uvmexp.free, free0 - 2);
	ck(u);
	mutex_exit(&u->vmobjlock);
	uao_detach(u);
	fixture_teardown(&f);
}

KTEST(aobj, pgo_get_of_swapped_page_without_a_disk_is_eio)
{
	struct fixture f;
	struct uvm_object *u;
	struct vm_page *pg;
	uint64_t free0;
	int slot;

	fixture_setup(&f);
	u = uao_create(pg_off(4), 0);
	KT_ASSERT(u != NULL);
	mutex_enter(&u->vmobjlock);
	slot = new_slot();
	KT_EQ(uao_set_swslot(u, 2, slot), 0);
	mutex_exit(&u->vmobjlock);
	free0 = uvmexp.free;
	/* The data is only in swap, and a test area has no disk. */
	KT_EQ(get_one(u, 2, &pg), -EIO);
	KT_ASSERT(pg == NULL);
	KT_EQ(u->uo_npages, 0);                 /* the page it tried is gone */
	KT_EQ(uvmexp.free, free0);
	mutex_enter(&u->vmobjlock);
	KT_EQ(uao_find_swslot(u, 2), slot);     /* not marked bad: nothing was read */
	KT_EQ(uvm_swap_stats.bad, 0);
	ck(u);
	mutex_exit(&u->vmobjlock);
	uao_detach(u);
	fixture_teardown(&f);
}

KTEST(aobj, pgo_put_frees_pages_and_swap_when_asked)
{
	struct fixture f;
	struct uvm_object *u;
	struct vm_page *p6;
	uint64_t free0;
	int s2, s3, s12;

	fixture_setup(&f);
	u = uao_create(pg_off(16), 0);
	KT_ASSERT(u != NULL);
	free0 = uvmexp.free;
	for (int i = 0; i < 8; i++)
		(void)fault_in(u, i);
	mutex_enter(&u->vmobjlock);
	p6 = uvm_obj_page_lookup(u, pg_off(6));
	s2 = new_slot(), s3 = new_slot(), s12 = new_slot();
	KT_EQ(uao_set_swslot(u, 2, s2), 0);
	KT_EQ(uao_set_swslot(u, 3, s3), 0);
	KT_EQ(uao_set_swslot(u, 12, s12), 0);
	KT_EQ(u->uo_npages, 8);
	KT_EQ(uvmexp.free, free0 - 8);

	/* PGO_FREE alone: pages 0-3 go, their swap copies stay. */
	KT_EQ(u->pgops->pgo_put(u, 0, pg_off(4), PGO_FREE), 0);
	KT_ASSERT(mutex_owned(&u->vmobjlock));
	KT_EQ(u->uo_npages, 4);
	KT_EQ(uvmexp.free, free0 - 4);
	KT_ASSERT(uvm_obj_page_lookup(u, pg_off(3)) == NULL);
	KT_EQ(uao_find_swslot(u, 2), s2);
	KT_EQ(uao_find_swslot(u, 3), s3);
	ck(u);
	/* Without PGO_FREE nothing is freed (no cleaning to do for an aobj). */
	KT_EQ(u->pgops->pgo_put(u, 0, pg_off(16), PGO_CLEANIT), 0);
	KT_EQ(u->uo_npages, 4);
	/* A wired page stays; with PGO_FREESWAP the slots in range go too. */
	vm_page_wire(p6);
	KT_EQ(u->pgops->pgo_put(u, pg_off(3), pg_off(16), PGO_FREE | PGO_FREESWAP), 0);
	KT_EQ(u->uo_npages, 1);
	KT_ASSERT(uvm_obj_page_lookup(u, pg_off(6)) == p6);
	KT_EQ(uao_find_swslot(u, 2), s2);       /* before the range */
	KT_EQ(uao_find_swslot(u, 3), 0);
	KT_EQ(uao_find_swslot(u, 12), 0);
	KT_ASSERT(!uvm_swap_slot_inuse(s3) && !uvm_swap_slot_inuse(s12));
	ck(u);
	vm_page_unwire(p6);
	KT_EQ(u->pgops->pgo_put(u, 0, 0, PGO_ALLPAGES | PGO_FREE | PGO_FREESWAP), 0);
	KT_EQ(u->uo_npages, 0);
	KT_EQ(uao_find_swslot(u, 2), 0);
	KT_EQ(uvmexp.free, free0);
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots);
	ck(u);
	mutex_exit(&u->vmobjlock);
	uao_detach(u);
	fixture_teardown(&f);
}

KTEST(aobj, dropswap_of_resident_page_clears_clean)
{
	struct fixture f;
	struct uvm_object *u;
	struct vm_page *pg;

	fixture_setup(&f);
	u = uao_create(pg_off(4), 0);
	KT_ASSERT(u != NULL);
	pg = fault_in(u, 1);
	mutex_enter(&u->vmobjlock);
	/* As if the page daemon had written it out: clean, with a slot. */
	KT_EQ(uao_set_swslot(u, 1, new_slot()), 0);
	pg->flags |= PG_CLEAN;
	uao_dropswap(u, 1);
	/* The page is the only copy now: it must be written before reuse. */
	KT_ASSERT(!(pg->flags & PG_CLEAN));
	ck(u);
	mutex_exit(&u->vmobjlock);
	uao_detach(u);
	fixture_teardown(&f);
}

KTEST(aobj, last_detach_frees_every_page_and_slot)
{
	struct fixture f;
	struct uvm_object *u;

	fixture_setup(&f);
	u = uao_create(pg_off(100), 0);
	KT_ASSERT(u != NULL && uao_uses_hash(u));
	for (int i = 0; i < 100; i += 7)
		(void)fault_in(u, i);
	mutex_enter(&u->vmobjlock);
	for (int i = 3; i < 100; i += 5)
		KT_EQ(uao_set_swslot(u, i, new_slot()), 0);
	KT_EQ(u->uo_npages, 15);
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots + 20);
	ck(u);
	mutex_exit(&u->vmobjlock);
	uao_reference(u);
	KT_EQ(u->uo_refs, 2);
	u->pgops->pgo_detach(u);                /* not the last: nothing freed */
	KT_EQ(u->uo_refs, 1);
	KT_EQ(u->uo_npages, 15);
	KT_EQ(uao_count(), f.base.aobjs + 1);
	KT_EQ(uvm_swap_stats.inuse, f.base.swapslots + 20);
	u->pgops->pgo_reference(u);
	uao_detach(u);
	uao_detach(u);                          /* the last */
	KT_EQ(uao_count(), f.base.aobjs);
	fixture_teardown(&f);                   /* pages, slots back */
}

/*
 * A page being read from its slot sits busy in the tree with the object
 * unlocked (get_page): swap_off must leave the page and its slot alone -
 * a failed read still needs the slot - and ask to walk again (-EAGAIN).
 * Once the page is no longer busy, the next walk keeps the page and
 * releases the slot.
 */
KTEST(aobj, swap_off_passes_a_busy_page_by_and_keeps_its_slot)
{
	struct fixture f;
	struct uvm_object *u;
	struct vm_page *pg;
	int s;

	fixture_setup(&f);
	u = uao_create(pg_off(10), 0);
	KT_ASSERT(u != NULL);
	KT_EQ(get_one(u, 4, &pg), 0);           /* resident and busy */
	KT_ASSERT(pg->flags & PG_BUSY);
	mutex_enter(&u->vmobjlock);
	s = new_slot();
	KT_EQ(uao_set_swslot(u, 4, s), 0);
	pg->flags |= PG_CLEAN;                  /* being read from the slot */
	mutex_exit(&u->vmobjlock);
	KT_EQ(uao_swap_off(s, s + 1), -EAGAIN);
	mutex_enter(&u->vmobjlock);
	KT_EQ(uao_find_swslot(u, 4), s);
	KT_ASSERT(uvm_swap_slot_inuse(s));
	KT_ASSERT(uvm_obj_page_lookup(u, pg_off(4)) == pg);
	KT_EQ(pg->flags & (PG_BUSY | PG_CLEAN), PG_BUSY | PG_CLEAN);
	ck(u);
	vm_page_unbusy(pg);                     /* the read is done */
	mutex_exit(&u->vmobjlock);
	KT_EQ(uao_swap_off(s, s + 1), 0);
	mutex_enter(&u->vmobjlock);
	KT_EQ(uao_find_swslot(u, 4), 0);
	KT_ASSERT(!uvm_swap_slot_inuse(s));
	KT_ASSERT(uvm_obj_page_lookup(u, pg_off(4)) == pg);
	KT_EQ(pg->flags & PG_CLEAN, 0);         /* the only copy now */
	ck(u);
	mutex_exit(&u->vmobjlock);
	KT_EQ(u->uo_refs, 1);
	uao_detach(u);
	fixture_teardown(&f);
}

KTEST(aobj, swap_off_tries_only_slots_in_range)
{
	struct fixture f;
	struct uvm_object *a, *h;
	int sa, sh;

	fixture_setup(&f);
	a = uao_create(pg_off(10), 0);
	h = uao_create(pg_off(500), 0);
	KT_ASSERT(a != NULL && h != NULL);
	mutex_enter(&a->vmobjlock);
	sa = new_slot();
	KT_EQ(uao_set_swslot(a, 4, sa), 0);
	mutex_exit(&a->vmobjlock);
	mutex_enter(&h->vmobjlock);
	sh = new_slot();
	KT_EQ(uao_set_swslot(h, 400, sh), 0);
	mutex_exit(&h->vmobjlock);
	/* No slot in range: nothing to bring in, success. */
	KT_EQ(uao_swap_off(sh + 1, sh + 100), 0);
	/* In range: a test area has no disk, so the page cannot come in. */
	KT_EQ(uao_swap_off(sa, sa + 1), -EIO);
	KT_EQ(uao_swap_off(sh, sh + 1), -EIO);
	/* Nothing changed, and swap_off's own references are gone. */
	KT_EQ(a->uo_refs, 1);
	KT_EQ(h->uo_refs, 1);
	mutex_enter(&a->vmobjlock);
	KT_EQ(uao_find_swslot(a, 4), sa);
	ck(a);
	mutex_exit(&a->vmobjlock);
	mutex_enter(&h->vmobjlock);
	KT_EQ(uao_find_swslot(h, 400), sh);
	ck(h);
	mutex_exit(&h->vmobjlock);
	KT_EQ(uao_check_all(ktest_print), 0);
	uao_detach(a);
	uao_detach(h);
	fixture_teardown(&f);
}

KTEST(aobj, checker_catches_slot_not_allocated_in_swap)
{
	struct fixture f;
	struct uvm_object *a, *h;
	int s;

	fixture_setup(&f);
	a = uao_create(pg_off(10), 0);
	h = uao_create(pg_off(100), 0);
	KT_ASSERT(a != NULL && h != NULL);
	/* One object lock at a time: two of a class is a lock-order report. */
	mutex_enter(&a->vmobjlock);
	s = new_slot();
	uvm_swap_free(s, 1);                    /* s is free in the swap layer */
	KT_EQ(uao_set_swslot(a, 2, s), 0);
	KT_EQ(uao_check(a, ktest_quiet), 1);
	KT_EQ(uao_set_swslot(a, 2, 0), s);
	ck(a);
	mutex_exit(&a->vmobjlock);
	mutex_enter(&h->vmobjlock);
	KT_EQ(uao_set_swslot(h, 70, s), 0);
	KT_EQ(uao_check(h, ktest_quiet), 1);
	KT_EQ(uao_set_swslot(h, 70, 0), s);
	ck(h);
	mutex_exit(&h->vmobjlock);
	uao_detach(a);
	uao_detach(h);
	fixture_teardown(&f);
}

#define MODEL_PAGES 400

/* Expected hash elements: clusters with a slot (0 for an array). */
static int
model_clusters(const int *model, int pages)
{
	int n = 0;

	if (pages <= UAO_SWHASH_THRESHOLD)
		return 0;
	for (int base = 0; base < pages; base += UAO_SWHASH_CLUSTER) {
		for (int i = base; i < MIN(base + UAO_SWHASH_CLUSTER, pages); i++) {
			if (model[i] != 0) {
				n++;
				break;
			}
		}
	}
	return n;
}

static int
model_count(const int *model, int pages)
{
	int n = 0;

	for (int i = 0; i < pages; i++)
		n += model[i] != 0;
	return n;
}

/* One random operation on u and the model; returns the new size. */
static int
model_step(struct uvm_object *u, int *model, int pages, struct krand *r)
{
	int op = (int)krand_below(r, 10), p = pages ? (int)krand_below(r, pages) : 0;

	if (op < 4 && pages > 0) {
		int slot = new_slot(), old = uao_set_swslot(u, p, slot);
		KT_EQ(old, model[p]);
		if (old != 0)
			uvm_swap_free(old, 1);
		model[p] = slot;
	} else if (op < 6 && pages > 0) {
		uao_dropswap(u, p);
		model[p] = 0;
	} else if (op < 8 && pages > 0) {
		int hi = p + 1 + (int)krand_below(r, (uint64_t)(pages - p));
		bool toend = hi == pages && krand_below(r, 2) == 0;
		uao_dropswap_range(u, pg_off(p), toend ? 0 : pg_off(hi));
		for (int i = p; i < hi; i++)
			model[i] = 0;
	} else {
		int n = (int)krand_below(r, MODEL_PAGES + 1);
		KT_EQ(n >= pages ? uao_grow(u, n) : uao_shrink(u, n), 0);
		for (int i = n; i < pages; i++)
			model[i] = 0;
		pages = n;
	}
	return pages;
}

KTEST(aobj, random_slots_and_resizes_match_model)
{
	static int model[MODEL_PAGES];
	struct krand *r = ktest_rand();
	struct fixture f;
	struct uvm_object *u;
	int pages = (int)krand_below(r, MODEL_PAGES + 1);

	fixture_setup(&f);
	memset(model, 0, sizeof(model));
	u = uao_create(pg_off(pages), 0);
	KT_ASSERT(u != NULL);
	mutex_enter(&u->vmobjlock);
	for (int step = 0; step < 1500; step++) {
		pages = model_step(u, model, pages, r);
		KT_EQ(uao_npages(u), pages);
		KT_EQ(uao_uses_hash(u), pages > UAO_SWHASH_THRESHOLD);
		KT_EQ(uao_nclusters(u), model_clusters(model, pages));
		KT_EQ(uvm_swap_stats.inuse, f.base.swapslots + model_count(model, pages));
		if (pages > 0) {
			int p = (int)krand_below(r, pages);
			KT_EQ(uao_find_swslot(u, p), model[p]);
		}
		if (step % 50 == 0)
			expect_slots(u, model, pages);
		else
			ck(u);
	}
	expect_slots(u, model, pages);
	mutex_exit(&u->vmobjlock);
	uao_detach(u);
	fixture_teardown(&f);
}

KTEST(aobj, print_shows_representation_slots_and_pages)
{
	struct fixture f;
	struct uvm_object *a, *h;
	char line[64];
	int s20, s3;

	fixture_setup(&f);
	a = uao_create(pg_off(10), 0);
	h = uao_create(pg_off(200), 0);
	KT_ASSERT(a != NULL && h != NULL);
	(void)fault_in(h, 7);
	mutex_enter(&h->vmobjlock);
	s20 = new_slot();
	KT_EQ(uao_set_swslot(h, 20, s20), 0);
	ktest_capture_reset();
	uao_print(h, ktest_capture);
	KT_ASSERT(ktest_captured_has("200 pages, hash of 8 buckets, 1 clusters with slots"));
	KT_ASSERT(ktest_captured_has("bucket 1: cluster 1 (pages 16-31), 1 slots"));
	ksnprintf(line, sizeof(line), "page 20 -> slot %d\n", s20);
	KT_ASSERT(ktest_captured_has(line));
	KT_ASSERT(ktest_captured_has("0x7000  page"));     /* the resident page */
	mutex_exit(&h->vmobjlock);
	mutex_enter(&a->vmobjlock);
	s3 = new_slot();
	KT_EQ(uao_set_swslot(a, 3, s3), 0);
	ktest_capture_reset();
	uao_print(a, ktest_capture);
	KT_ASSERT(ktest_captured_has("10 pages, slot array"));
	ksnprintf(line, sizeof(line), "page 3 -> slot %d\n", s3);
	KT_ASSERT(ktest_captured_has(line));
	mutex_exit(&a->vmobjlock);
	uao_detach(a);
	uao_detach(h);
	fixture_teardown(&f);
}

/* Unbusy a page get_one returned.  => object unlocked. */
static void
unbusy(struct uvm_object *u, struct vm_page *pg)
{
	mutex_enter(&u->vmobjlock);
	vm_page_unbusy(pg);
	mutex_exit(&u->vmobjlock);
}

KTEST(aobj, budget_counts_pages_holding_data_and_refuses_past_its_limit)
{
	struct fixture f;
	struct uao_budget b = { SPINLOCK_INIT("test_budget"), 0, 3 };
	struct uvm_object *u, *v;
	struct vm_page *pg;
	int n = 1, s;

	fixture_setup(&f);
	u = uao_create(pg_off(100), 0);     /* a hash: the other representation */
	v = uao_create(pg_off(10), 0);
	KT_ASSERT(u != NULL && v != NULL);
	mutex_enter(&u->vmobjlock);
	uao_set_budget(u, &b);
	mutex_exit(&u->vmobjlock);
	mutex_enter(&v->vmobjlock);
	uao_set_budget(v, &b);
	mutex_exit(&v->vmobjlock);
	/* Two pages of u, one of v: the budget is spent. */
	KT_EQ(get_one(u, 0, &pg), 0);
	unbusy(u, pg);
	KT_EQ(get_one(u, 80, &pg), 0);
	unbusy(u, pg);
	KT_EQ(get_one(v, 5, &pg), 0);
	unbusy(v, pg);
	KT_EQ(b.ub_used, 3);
	KT_EQ(get_one(u, 1, &pg), -ENOSPC);
	KT_EQ(u->uo_npages, 2);
	KT_EQ(b.ub_used, 3);
	/* A resident page is no new page; a hole read with PGO_NOALLOC makes none. */
	KT_EQ(get_one(u, 80, &pg), 0);
	unbusy(u, pg);
	KT_EQ(u->pgops->pgo_get(u, pg_off(2), 0, &pg, &n, VM_PROT_READ, 0,
	    PGO_NOALLOC), -ENOENT);
	/* Page 80 goes to swap only (slot, page freed): still held. */
	s = new_slot();
	mutex_enter(&u->vmobjlock);
	KT_EQ(uao_set_swslot(u, 80, s), 0);
	KT_EQ(u->pgops->pgo_put(u, pg_off(80), pg_off(81), PGO_FREE), 0);
	KT_EQ(uao_held_pages(u), 2);
	ck(u);
	/* Its slot dropped: a hole again, one page back to the budget. */
	uao_dropswap(u, 80);
	KT_EQ(uao_held_pages(u), 1);
	/* Page 0 freed with no slot: its data is gone, one more back. */
	KT_EQ(u->pgops->pgo_put(u, 0, pg_off(1), PGO_FREE), 0);
	KT_EQ(uao_held_pages(u), 0);
	ck(u);
	mutex_exit(&u->vmobjlock);
	KT_EQ(b.ub_used, 1);
	/* Off the budget: v's page leaves it, the detach of v frees the rest. */
	mutex_enter(&v->vmobjlock);
	uao_set_budget(v, NULL);
	KT_EQ(uao_held_pages(v), 1);
	mutex_exit(&v->vmobjlock);
	KT_EQ(b.ub_used, 0);
	uao_detach(v);
	KT_EQ(get_one(u, 7, &pg), 0);
	unbusy(u, pg);
	KT_EQ(b.ub_used, 1);
	uao_detach(u);                      /* the last: everything given back */
	KT_EQ(b.ub_used, 0);
	fixture_teardown(&f);
}
