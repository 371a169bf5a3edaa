/*
 * tests/uvm/amap_test.c - uvm/uvm_amap.c: the slot arrays and their
 * back-pointers, per-page reference counts (ppref) and their run-length
 * encoding, extension in both directions, split and merged references,
 * copy-on-write copies (with chunking through a real vm_map), cow_now,
 * wipeout, share_protect and the swapoff walk.
 *
 * Every test asserts on the mechanism (slot numbers, am_slots/am_bckptr,
 * ppref runs, an_ref, which anons and pages were freed) and runs
 * amap_check after each step.  Anons always own a page, filled with a
 * byte that identifies them, so contents can be compared and anon_check
 * is satisfied.  Each test ends with the leak check (vm_baseline_expect):
 * anons, amaps, map entries, aobjs, swap slots, kmem bytes and pages in
 * use back where they started.
 *
 * Not tested here: allocation failures (PPREF_NONE is forced by hand in
 * one test instead), and anon_pagein from a real disk (swap_test.c).
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_swap.h"

#define P(n) ((vsize_t)(n) << PAGE_SHIFT)
#define RW (VM_PROT_READ | VM_PROT_WRITE)
#define CHECK(amap) KT_EQ(amap_check((amap), ktest_print), 0)

/* Test maps live in [MAP_MIN, MAP_MAX) of a private user pmap. */
#define MAP_MIN 0x100000UL
#define MAP_MAX 0x40000000UL

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* The leak check, and the amaps and pages left consistent. */
static void
base_expect(const struct vm_baseline *b)
{
	vm_baseline_expect(b);
	KT_EQ(amap_check_all(ktest_print), 0);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/* A new anon (one reference) owning a page full of fill. */
static struct vm_anon *
anon_with_page(uint8_t fill)
{
	struct vm_anon *anon = anon_alloc();
	struct vm_page *pg;

	KT_ASSERT(anon != NULL);
	pg = vm_page_alloc(NULL, 0, anon, 0);
	KT_ASSERT(pg != NULL);
	KT_ASSERT(pg->uanon == anon);
	memset(vm_page_kva(pg), fill, PAGE_SIZE);
	pg->flags &= ~(PG_BUSY | PG_FAKE | PG_CLEAN);
	anon->an_page = pg;
	return anon;
}

/* Drop a reference the test holds (after unadd or a replace).  => amap locked. */
static void
anon_drop(struct vm_anon *anon)
{
	if (--anon->an_ref == 0)
		anon_free(anon);
}

static uint8_t
first_byte(const struct vm_anon *anon)
{
	return *(const uint8_t *)vm_page_kva(anon->an_page);
}

/* Fill slots [0, n) of aref's window with fresh anons fill0, fill0+1... */
static void
fill_window(const struct vm_aref *aref, int n, uint8_t fill0, struct vm_anon **out)
{
	mutex_enter(aref->ar_amap->am_lock);
	for (int i = 0; i < n; i++) {
		out[i] = anon_with_page((uint8_t)(fill0 + i));
		amap_add(aref, P(i), out[i], false);
	}
	mutex_exit(aref->ar_amap->am_lock);
}

/* A new amap of n slots, *aref over all of it, filled as fill_window does. */
static struct vm_amap *
amap_filled(int n, uint8_t fill0, struct vm_aref *aref, struct vm_anon **out)
{
	struct vm_amap *amap = amap_alloc(P(n), 0, 0);

	KT_ASSERT(amap != NULL);
	*aref = (struct vm_aref){ 0, amap };
	fill_window(aref, n, fill0, out);
	return amap;
}

struct run {
	int start, len, ref;
};

/* amap's ppref decodes to exactly these runs, tiling [0, am_nslot). */
static void
expect_runs(const struct vm_amap *amap, const struct run *r, int n)
{
	int at = 0, ref, len;

	KT_ASSERT(amap->am_ppref != NULL && amap->am_ppref != PPREF_NONE);
	for (int i = 0; i < n; i++) {
		KT_EQ(at, r[i].start);
		amap_pp_getreflen(amap->am_ppref, at, &ref, &len);
		KT_EQ(len, r[i].len);
		KT_EQ(ref, r[i].ref);
		at += len;
	}
	KT_EQ(at, amap->am_nslot);
}

#define EXPECT_RUNS(amap, ...)                                             \
	do {                                                               \
		static const struct run runs_[] = { __VA_ARGS__ };          \
		expect_runs((amap), runs_, (int)ARRAY_SIZE(runs_));        \
	} while (0)

/* A map over a fresh user pmap. */
static void
test_map(struct vm_map *map)
{
	struct pmap *pm = pmap_create();

	KT_ASSERT(pm != NULL);
	uvm_map_setup(map, pm, MAP_MIN, MAP_MAX, 0);
}

static void
test_map_free(struct vm_map *map)
{
	uvm_unmap(map, map->min_offset, map->max_offset);
	KT_EQ(map->nentries, 0);
	pmap_destroy(map->pmap);
}

/* A private (copy-on-write, needs-copy) anonymous range of n pages at va. */
static struct vm_map_entry *
map_cow(struct vm_map *map, vaddr_t va, int n)
{
	struct vm_map_entry *e;
	vaddr_t at = va;

	KT_EQ(uvm_map(map, &at, P(n), NULL, 0, 0, UVM_MAPFLAG(RW, RW,
	    MAP_INHERIT_COPY, UVM_ADV_NORMAL, UVM_FLAG_FIXED | UVM_FLAG_COPYONWRITE)), 0);
	KT_EQ(at, va);
	vm_map_lock(map);
	KT_ASSERT(uvm_map_lookup_entry(map, va, &e));
	vm_map_unlock(map);
	KT_EQ(e->etype, UVM_ET_COPYONWRITE | UVM_ET_NEEDSCOPY);
	KT_ASSERT(e->aref.ar_amap == NULL);
	return e;
}

/* The entry at va in map, which must exist. */
static struct vm_map_entry *
entry_at(struct vm_map *map, vaddr_t va)
{
	struct vm_map_entry *e;

	vm_map_lock(map);
	KT_ASSERT(uvm_map_lookup_entry(map, va, &e));
	vm_map_unlock(map);
	return e;
}

static int
copy_entry(struct vm_map *map, struct vm_map_entry *e, int flags, vaddr_t s, vaddr_t end)
{
	int error;

	vm_map_lock(map);
	error = amap_copy(map, e, flags, s, end);
	KT_EQ(uvm_map_check(map, ktest_print), 0);
	vm_map_unlock(map);
	return error;
}

/*
 * What fork does to a private entry, by hand: dst (at the same place in
 * another map) shares src's amap, and both need a copy before a write.
 */
static void
share_cow(struct vm_map_entry *src, struct vm_map_entry *dst)
{
	dst->aref = src->aref;
	amap_ref(src->aref.ar_amap, P(src->aref.ar_pageoff), src->end - src->start, 0);
	src->etype |= UVM_ET_NEEDSCOPY;
	dst->etype |= UVM_ET_NEEDSCOPY;
}

/* ------------------------------------------------------------------ */
/* The encoding                                                        */

KTEST(amap, ppref_worked_example_encodes_and_decodes)
{
	/* The reference's example: per-page counts and their runs. */
	static const int refs[16] = { 2, 2, 2, 2, 3, 1, 1, 0, 0, 0, 4, 4, 0, 1, 1, 1 };
	static const struct run runs[] = {
		{ 0, 4, 2 }, { 4, 1, 3 }, { 5, 2, 1 }, { 7, 3, 0 },
		{ 10, 2, 4 }, { 12, 1, 0 }, { 13, 3, 1 },
	};
	/* What must be stored; X marks the ints a run never writes. */
	enum { X = 0x5a5a };
	static const int stored[16] = {
		-3, 4, X, X, 4, -2, 2, -1, 3, X, -5, 2, 1, -2, 3, X,
	};
	int pp[16], ref, len, at = 0;

	for (int i = 0; i < 16; i++)
		pp[i] = X;
	for (size_t i = 0; i < ARRAY_SIZE(runs); i++)
		amap_pp_setreflen(pp, runs[i].start, runs[i].ref, runs[i].len);
	for (int i = 0; i < 16; i++)
		KT_EQ(pp[i], stored[i]);
	/* Decode run by run and expand back to the per-page counts. */
	for (size_t i = 0; i < ARRAY_SIZE(runs); i++) {
		KT_EQ(at, runs[i].start);
		amap_pp_getreflen(pp, at, &ref, &len);
		KT_EQ(ref, runs[i].ref);
		KT_EQ(len, runs[i].len);
		for (int k = 0; k < len; k++)
			KT_EQ(refs[at + k], ref);
		at += len;
	}
	KT_EQ(at, 16);
}

/* ------------------------------------------------------------------ */
/* Allocation and the slot arrays                                      */

KTEST(amap, alloc_rounds_up_and_pads)
{
	struct vm_baseline b;
	struct vm_amap *a3, *a44, *big;

	vm_baseline_take(&b);
	a3 = amap_alloc(P(3), 0, 0);
	a44 = amap_alloc(P(4), P(4), 0);
	big = amap_alloc(P(200), 0, AMAP_SHARED);
	KT_ASSERT(a3 != NULL && a44 != NULL && big != NULL);
	KT_EQ(amap_count(), b.amaps + 3);
	/* 3 slots: the anon array's 32-byte kmem block holds 4. */
	KT_EQ(a3->am_nslot, 3);
	KT_EQ(a3->am_maxslot, 4);
	KT_EQ(a44->am_nslot, 4);
	KT_EQ(a44->am_maxslot, 8);
	/* 200 slots need 1600 bytes: a whole page of pointers, 512. */
	KT_EQ(big->am_nslot, 200);
	KT_EQ(big->am_maxslot, 512);
	KT_EQ(big->am_flags, AMAP_SHARED);
	KT_EQ(a3->am_ref, 1);
	KT_EQ(a3->am_nused, 0);
	KT_ASSERT(a3->am_ppref == NULL);
	KT_EQ(a3->am_lockobj->lo_refs, 1);
	KT_ASSERT(a3->am_lock != a44->am_lock);
	for (int s = 0; s < a3->am_maxslot; s++)
		KT_ASSERT(a3->am_anon[s] == NULL);
	CHECK(a3);
	CHECK(a44);
	CHECK(big);
	amap_unref(a3, 0, P(3), true);
	amap_unref(a44, 0, P(4), true);
	amap_unref(big, 0, P(200), true);
	base_expect(&b);
}

KTEST(amap, add_lookup_unadd_keep_backpointers)
{
	struct vm_amap *amap;
	struct vm_aref aref;
	struct vm_anon *an[4], *got[6];
	static const int order[4] = { 4, 0, 5, 1 };   /* window offsets */
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = amap_alloc(P(8), 0, 0);
	KT_ASSERT(amap != NULL);
	aref = (struct vm_aref){ 1, amap };     /* the window starts at slot 1 */
	mutex_enter(amap->am_lock);
	for (int i = 0; i < 4; i++) {
		an[i] = anon_with_page((uint8_t)(0x10 + i));
		amap_add(&aref, P(order[i]), an[i], false);
		/* Listed in the order added; back-pointer to the index. */
		KT_EQ(amap->am_nused, i + 1);
		KT_EQ(amap->am_slots[i], 1 + order[i]);
		KT_EQ(amap->am_bckptr[1 + order[i]], i);
		KT_ASSERT(an[i]->an_lock == amap->am_lock);
		CHECK(amap);
	}
	for (int i = 0; i < 4; i++)
		KT_ASSERT(amap_lookup(&aref, P(order[i])) == an[i]);
	KT_ASSERT(amap_lookup(&aref, P(2)) == NULL);
	amap_lookups(&aref, P(0), got, 6);
	KT_ASSERT(got[0] == an[1] && got[1] == an[3] && got[2] == NULL &&
	    got[3] == NULL && got[4] == an[0] && got[5] == an[2]);

	/* Empty the first listed slot: the last listed moves into index 0. */
	amap_unadd(&aref, P(4));
	KT_EQ(amap->am_nused, 3);
	KT_EQ(amap->am_slots[0], 2);
	KT_EQ(amap->am_bckptr[2], 0);
	KT_ASSERT(amap_lookup(&aref, P(4)) == NULL);
	KT_EQ(an[0]->an_ref, 1);        /* the unadded reference is ours */
	CHECK(amap);
	anon_drop(an[0]);
	/* Empty the last listed slot (6): nothing moves. */
	amap_unadd(&aref, P(5));
	KT_EQ(amap->am_nused, 2);
	KT_EQ(amap->am_slots[0], 2);
	KT_EQ(amap->am_slots[1], 1);
	KT_EQ(amap->am_bckptr[1], 1);
	CHECK(amap);
	anon_drop(an[2]);
	mutex_exit(amap->am_lock);
	amap_unref(amap, 0, P(8), true);
	base_expect(&b);
}

/*
 * amap_add_run fills a run of empty slots in one call, as amap_add of
 * each in turn would: listed in order after the slots already used, each
 * back-pointer its index, each anon under the amap's lock; a slot of the
 * run then empties like any other.
 */
KTEST(amap, add_run_lists_its_slots_in_order_after_the_used_ones)
{
	struct vm_amap *amap;
	struct vm_aref aref;
	struct vm_anon *one, *run[3];
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = amap_alloc(P(8), 0, 0);
	KT_ASSERT(amap != NULL);
	aref = (struct vm_aref){ 2, amap };     /* the window starts at slot 2 */
	mutex_enter(amap->am_lock);
	one = anon_with_page(0x30);
	amap_add(&aref, P(0), one, false);      /* slot 2, listed first */
	for (int i = 0; i < 3; i++)
		run[i] = anon_with_page((uint8_t)(0x31 + i));
	amap_add_run(&aref, P(2), run, 3);      /* slots 4, 5, 6 */
	KT_EQ(amap->am_nused, 4);
	for (int i = 0; i < 3; i++) {
		KT_ASSERT(amap->am_anon[4 + i] == run[i]);
		KT_EQ(amap->am_slots[1 + i], 4 + i);
		KT_EQ(amap->am_bckptr[4 + i], 1 + i);
		KT_ASSERT(run[i]->an_lock == amap->am_lock);
		KT_EQ(run[i]->an_ref, 1);
	}
	KT_ASSERT(amap->am_anon[3] == NULL && amap->am_anon[7] == NULL);
	CHECK(amap);
	/* The run's first slot empties; the last listed (6) takes index 1. */
	amap_unadd(&aref, P(2));
	KT_EQ(amap->am_nused, 3);
	KT_EQ(amap->am_slots[1], 6);
	KT_EQ(amap->am_bckptr[6], 1);
	CHECK(amap);
	anon_drop(run[0]);
	amap_add_run(&aref, P(2), run, 0);      /* an empty run changes nothing */
	KT_EQ(amap->am_nused, 3);
	CHECK(amap);
	mutex_exit(amap->am_lock);
	amap_unref(amap, 0, P(8), true);
	base_expect(&b);
}

/*
 * Replace old by new in slot 1 of an amap (private or AMAP_SHARED) while
 * a test pmap maps old's page at two addresses, as two processes would;
 * returns old's PV count right after the replace.  Leaves nothing behind.
 */
static int
replace_with_two_mappings(int amflags)
{
	struct vm_baseline b;
	struct pmap *pm;
	struct vm_amap *amap;
	struct vm_aref aref;
	struct vm_anon *old, *new;
	int pv_after;

	vm_baseline_take(&b);
	pm = pmap_create();
	KT_ASSERT(pm != NULL);
	amap = amap_alloc(P(2), 0, amflags);
	aref = (struct vm_aref){ 0, amap };
	mutex_enter(amap->am_lock);
	old = anon_with_page(0x11);
	amap_add(&aref, P(1), old, false);
	KT_EQ(pmap_enter(pm, 0x200000, old->an_page->phys_addr, VM_PROT_READ, 0), 0);
	KT_EQ(pmap_enter(pm, 0x300000, old->an_page->phys_addr, VM_PROT_READ, 0), 0);
	KT_EQ(old->an_page->md.pv_count, 2);
	new = anon_with_page(0x22);
	amap_add(&aref, P(1), new, true);
	pmap_update(pm);
	KT_ASSERT(amap_lookup(&aref, P(1)) == new);
	KT_EQ(amap->am_nused, 1);
	CHECK(amap);
	pv_after = old->an_page->md.pv_count;
	pmap_remove(pm, 0x200000, 0x400000);
	anon_drop(old);         /* the replaced slot's reference came back to us */
	mutex_exit(amap->am_lock);
	amap_unref(amap, 0, P(2), true);
	pmap_destroy(pm);
	base_expect(&b);
	return pv_after;
}

/* Other processes map the old page through this very slot: unmapped. */
KTEST(amap, add_replace_in_shared_amap_removes_old_page_mappings)
{
	KT_EQ(replace_with_two_mappings(AMAP_SHARED), 0);
}

/*
 * A private amap's slot is mapped by its own map only (the fault replaces
 * that mapping itself); the old page's other mappings come through other
 * amaps - a fork's parent - and must stay.
 */
KTEST(amap, add_replace_in_private_amap_keeps_other_amaps_mappings)
{
	KT_EQ(replace_with_two_mappings(0), 2);
}

/* ------------------------------------------------------------------ */
/* Extension                                                           */

/* A loose entry over amap's slots [0, n): what amap_extend looks at. */
static void
loose_entry(struct vm_map_entry *e, struct vm_amap *amap, int pageoff, int n)
{
	memset(e, 0, sizeof(*e));
	e->start = 0x1000000;
	e->end = e->start + P(n);
	e->aref = (struct vm_aref){ pageoff, amap };
}

/* The entry's pages hold fills[i] (0: empty), whatever the slots are. */
static void
expect_window(struct vm_map_entry *e, const uint8_t *fills, int n)
{
	mutex_enter(e->aref.ar_amap->am_lock);
	for (int i = 0; i < n; i++) {
		struct vm_anon *anon = amap_lookup(&e->aref, P(i));
		KT_EQ(anon ? first_byte(anon) : 0, fills[i]);
	}
	mutex_exit(e->aref.ar_amap->am_lock);
	CHECK(e->aref.ar_amap);
}

KTEST(amap, extend_forwards_in_place_then_growing)
{
	struct vm_map_entry e;
	struct vm_amap *amap;
	struct vm_anon *an[4], *extra;
	struct vm_anon **arr;
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = amap_alloc(P(4), P(4), 0);       /* 4 slots used of 8 */
	loose_entry(&e, amap, 0, 4);
	fill_window(&e.aref, 4, 0xa0, an);
	arr = amap->am_anon;
	/* In place: the spare slots become part of the amap. */
	KT_EQ(amap_extend(&e, P(2), AMAP_EXTEND_FORWARDS), 0);
	e.end += P(2);
	KT_ASSERT(amap->am_anon == arr);
	KT_EQ(amap->am_nslot, 6);
	KT_EQ(amap->am_maxslot, 8);
	KT_EQ(e.aref.ar_pageoff, 0);
	KT_ASSERT(amap->am_ppref == NULL);      /* still one whole reference */
	mutex_enter(amap->am_lock);
	extra = anon_with_page(0xa5);
	amap_add(&e.aref, P(5), extra, false);
	mutex_exit(amap->am_lock);
	expect_window(&e, (const uint8_t[]){ 0xa0, 0xa1, 0xa2, 0xa3, 0, 0xa5 }, 6);
	/* Growing: new arrays, every anon in the same slot. */
	KT_EQ(amap_extend(&e, P(8), AMAP_EXTEND_FORWARDS), 0);
	e.end += P(8);
	KT_ASSERT(amap->am_anon != arr);
	KT_EQ(amap->am_nslot, 14);
	KT_EQ(amap->am_maxslot, 16);
	for (int i = 0; i < 4; i++)
		KT_ASSERT(amap->am_anon[i] == an[i]);
	KT_ASSERT(amap->am_anon[5] == extra);
	KT_EQ(amap->am_nused, 5);
	expect_window(&e, (const uint8_t[]){ 0xa0, 0xa1, 0xa2, 0xa3, 0, 0xa5,
	    0, 0, 0, 0, 0, 0, 0, 0 }, 14);
	amap_unref(amap, 0, P(14), true);
	base_expect(&b);
}

KTEST(amap, extend_backwards_moves_window_to_top)
{
	static const uint8_t abcd[4] = { 0xb0, 0xb1, 0xb2, 0xb3 };
	struct vm_map_entry e;
	struct vm_amap *amap;
	struct vm_anon *an[4], **arr;
	uint8_t want[16] = { 0 };
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = amap_alloc(P(4), P(4), 0);
	loose_entry(&e, amap, 0, 4);
	fill_window(&e.aref, 4, 0xb0, an);
	arr = amap->am_anon;
	/* No room below slot 0: the window moves to slots 4..7 in place. */
	KT_EQ(amap_extend(&e, P(2), AMAP_EXTEND_BACKWARDS), 0);
	e.start -= P(2);
	KT_ASSERT(amap->am_anon == arr);
	KT_EQ(amap->am_nslot, 8);
	KT_EQ(e.aref.ar_pageoff, 2);
	for (int i = 0; i < 4; i++) {
		KT_ASSERT(amap->am_anon[4 + i] == an[i]);
		KT_EQ(amap->am_bckptr[4 + i], i);
	}
	KT_ASSERT(amap->am_anon[0] == NULL && amap->am_anon[3] == NULL);
	EXPECT_RUNS(amap, { 0, 2, 0 }, { 2, 6, 1 });
	memcpy(want + 2, abcd, 4);
	expect_window(&e, want, 6);
	/* Room below now: only ar_pageoff moves. */
	KT_EQ(amap_extend(&e, P(2), AMAP_EXTEND_BACKWARDS), 0);
	e.start -= P(2);
	KT_EQ(e.aref.ar_pageoff, 0);
	KT_ASSERT(amap->am_anon[4] == an[0]);
	EXPECT_RUNS(amap, { 0, 8, 1 });
	memmove(want + 2, want, 6);
	memset(want, 0, 2);
	expect_window(&e, want, 8);
	/* Growing: new arrays of 16, the window at their top (slots 8..15). */
	KT_EQ(amap_extend(&e, P(4), AMAP_EXTEND_BACKWARDS), 0);
	e.start -= P(4);
	KT_ASSERT(amap->am_anon != arr);
	KT_EQ(amap->am_maxslot, 16);
	KT_EQ(amap->am_nslot, 16);
	KT_EQ(e.aref.ar_pageoff, 4);
	for (int i = 0; i < 4; i++)
		KT_ASSERT(amap->am_anon[12 + i] == an[i]);
	EXPECT_RUNS(amap, { 0, 4, 0 }, { 4, 12, 1 });
	memmove(want + 4, want, 8);
	memset(want, 0, 4);
	expect_window(&e, want, 12);
	amap_unref(amap, P(4), P(12), false);
	base_expect(&b);
}

KTEST(amap, extend_with_ppref_keeps_counts_and_anons)
{
	struct vm_map_entry e;
	struct vm_aref left, right;
	struct vm_amap *amap;
	struct vm_anon *an[8];
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = amap_filled(8, 0xc0, &left, an);
	/* Unmap the first two pages: split there, drop the left part. */
	amap_splitref(&left, &right, P(2));
	amap_unref(amap, 0, P(2), false);
	KT_EQ(amap->am_ref, 1);
	KT_EQ(anon_count(), b.anons + 6);
	EXPECT_RUNS(amap, { 0, 2, 0 }, { 2, 6, 1 });
	loose_entry(&e, amap, right.ar_pageoff, 6);
	/* Forwards, growing the arrays (2 + 6 + 4 > 8): ppref moves along. */
	KT_EQ(amap_extend(&e, P(4), AMAP_EXTEND_FORWARDS), 0);
	e.end += P(4);
	KT_EQ(amap->am_nslot, 12);
	KT_EQ(e.aref.ar_pageoff, 2);
	EXPECT_RUNS(amap, { 0, 2, 0 }, { 2, 10, 1 });
	/* Backwards into the unreferenced slot below. */
	KT_EQ(amap_extend(&e, P(1), AMAP_EXTEND_BACKWARDS), 0);
	e.start -= P(1);
	KT_EQ(e.aref.ar_pageoff, 1);
	EXPECT_RUNS(amap, { 0, 1, 0 }, { 1, 11, 1 });
	expect_window(&e, (const uint8_t[]){ 0, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6,
	    0xc7, 0, 0, 0, 0 }, 11);
	amap_unref(amap, P(1), P(11), false);
	base_expect(&b);
}

KTEST(amap, ppref_none_keeps_unreferenced_anons_until_extend)
{
	struct vm_map_entry e;
	struct vm_aref left, right;
	struct vm_amap *amap;
	struct vm_anon *an[8];
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = amap_filled(8, 0xd0, &left, an);
	amap->am_ppref = PPREF_NONE;    /* as if its allocation had failed */
	amap_splitref(&left, &right, P(2));
	amap_unref(amap, 0, P(2), false);
	/* Without counts nothing can be freed early. */
	KT_EQ(amap->am_ref, 1);
	KT_EQ(amap->am_nused, 8);
	KT_EQ(anon_count(), b.anons + 8);
	CHECK(amap);
	/* Extending over those slots must not resurrect their old data. */
	loose_entry(&e, amap, right.ar_pageoff, 6);
	KT_EQ(amap_extend(&e, P(2), AMAP_EXTEND_BACKWARDS), 0);
	e.start -= P(2);
	KT_EQ(e.aref.ar_pageoff, 0);
	KT_EQ(anon_count(), b.anons + 6);
	expect_window(&e, (const uint8_t[]){ 0, 0, 0xd2, 0xd3, 0xd4, 0xd5,
	    0xd6, 0xd7 }, 8);
	amap_unref(amap, 0, P(8), false);
	base_expect(&b);
}

/* ------------------------------------------------------------------ */
/* Split, partial and merged references                                */

/*
 * An amap of 8 pages full of anons (fills 0xe0..0xe7) with two references
 * to all of it, as a shared mapping after fork: r1 and r2.
 */
static struct vm_amap *
shared_eight(struct vm_aref *r1, struct vm_aref *r2, struct vm_anon **an)
{
	struct vm_amap *amap = amap_filled(8, 0xe0, r1, an);

	*r2 = *r1;
	amap_ref(amap, 0, P(8), AMAP_SHARED);
	KT_EQ(amap->am_ref, 2);
	KT_ASSERT(amap->am_ppref == NULL);      /* both cover everything */
	return amap;
}

/*
 * What munmap does to the reference *left when pages [at, at + n) of its
 * window go: clip before and after, drop the middle.  *left keeps the
 * front, *right gets the back.
 */
static void
unmap_middle(struct vm_aref *left, int at, int n, struct vm_aref *right)
{
	struct vm_aref mid;

	amap_splitref(left, &mid, P(at));
	amap_splitref(&mid, right, P(n));
	amap_unref(left->ar_amap, P(mid.ar_pageoff), P(n), false);
}

KTEST(amap, splitref_then_partial_unref_counts_per_page)
{
	struct vm_aref r1a, r1b, r1c, r2;
	struct vm_amap *amap;
	struct vm_anon *an[8];
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = shared_eight(&r1a, &r2, an);
	/* Unmap pages [2, 5) of r1: clip twice (counts unchanged)... */
	amap_splitref(&r1a, &r1b, P(2));
	amap_splitref(&r1b, &r1c, P(3));
	KT_EQ(amap->am_ref, 4);
	KT_ASSERT(r1b.ar_pageoff == 2 && r1c.ar_pageoff == 5);
	EXPECT_RUNS(amap, { 0, 8, 2 });
	CHECK(amap);
	/* ...then drop the middle: one reference fewer there. */
	amap_unref(amap, P(r1b.ar_pageoff), P(3), false);
	KT_EQ(amap->am_ref, 3);
	EXPECT_RUNS(amap, { 0, 2, 2 }, { 2, 3, 1 }, { 5, 3, 2 });
	KT_EQ(amap->am_nused, 8);
	KT_EQ(anon_count(), b.anons + 8);   /* r2 still has every page */
	CHECK(amap);
	amap_unref(amap, 0, P(2), false);
	amap_unref(amap, P(5), P(3), false);
	amap_unref(amap, 0, P(8), false);
	base_expect(&b);
}

KTEST(amap, partial_unmaps_of_both_refs_free_only_unreferenced_anons)
{
	struct vm_aref r1, r1c, r2, r2c;
	struct vm_amap *amap;
	struct vm_anon *an[8];
	struct vm_page *pg2, *pg3;
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = shared_eight(&r1, &r2, an);
	/* Someone else (a copy of the amap, say) holds slot 2's anon too. */
	an[2]->an_ref++;
	pg2 = an[2]->an_page;
	pg3 = an[3]->an_page;
	unmap_middle(&r1, 2, 3, &r1c);
	unmap_middle(&r2, 2, 2, &r2c);      /* pages 2 and 3: nobody's now */
	KT_EQ(amap->am_ref, 4);
	EXPECT_RUNS(amap, { 0, 2, 2 }, { 2, 2, 0 }, { 4, 1, 1 }, { 5, 3, 2 });
	KT_EQ(amap->am_nused, 6);
	KT_ASSERT(amap->am_anon[2] == NULL && amap->am_anon[3] == NULL);
	/* Slot 3's anon was the amap's alone: freed with its page. */
	KT_EQ(anon_count(), b.anons + 7);
	KT_ASSERT((pg3->pqflags & PQ_FREE) && pg3->uanon == NULL);
	/* Slot 2's lives on with the other reference. */
	KT_EQ(an[2]->an_ref, 1);
	KT_ASSERT(an[2]->an_page == pg2 && !(pg2->pqflags & PQ_FREE));
	CHECK(amap);
	/* Drop the rest; the last reference frees the amap and its anons. */
	amap_unref(amap, 0, P(2), false);
	amap_unref(amap, 0, P(2), false);
	amap_unref(amap, P(5), P(3), false);
	KT_EQ(amap->am_ref, 1);
	KT_EQ(amap->am_flags & AMAP_SHARED, 0);
	amap_unref(amap, P(r2c.ar_pageoff), P(4), false);
	KT_EQ(anon_count(), b.anons + 1);
	KT_EQ(first_byte(an[2]), 0xe2);
	an[2]->an_lock = NULL;  /* its amap, and the lock it named, are gone */
	anon_drop(an[2]);
	base_expect(&b);
}

/* An anonymous range of n pages at va; with overlay it gets its amap now. */
static struct vm_map_entry *
map_anon(struct vm_map *map, vaddr_t va, int n, bool overlay)
{
	struct vm_map_entry *e;
	vaddr_t at = va;

	KT_EQ(uvm_map(map, &at, P(n), NULL, 0, 0, UVM_MAPFLAG(RW, RW,
	    MAP_INHERIT_SHARE, UVM_ADV_NORMAL,
	    UVM_FLAG_FIXED | (overlay ? UVM_FLAG_OVERLAY : 0))), 0);
	vm_map_lock(map);
	KT_ASSERT(uvm_map_lookup_entry(map, va, &e));
	vm_map_unlock(map);
	return e;
}

/*
 * m1 and m2 both map an amap of 8 anons (fills 0x80..) at va, shared: an
 * overlay entry in m1, and an entry in m2 given the same amap, as fork
 * does for MAP_SHARED.
 */
static struct vm_amap *
map_shared_pair(struct vm_map *m1, struct vm_map *m2, vaddr_t va,
    struct vm_anon **an)
{
	struct vm_map_entry *e1, *e2;

	test_map(m1);
	test_map(m2);
	e1 = map_anon(m1, va, 8, true);
	KT_ASSERT(e1->aref.ar_amap != NULL);
	fill_window(&e1->aref, 8, 0x80, an);
	e2 = map_anon(m2, va, 8, false);
	e2->aref = e1->aref;
	amap_ref(e1->aref.ar_amap, 0, P(8), AMAP_SHARED);
	return e1->aref.ar_amap;
}

KTEST(amap, uvm_unmap_in_middle_of_shared_mapping_splits_refs)
{
	const vaddr_t va = 0x2000000;
	struct vm_map m1, m2;
	struct vm_map_entry *lo, *hi;
	struct vm_amap *amap;
	struct vm_anon *an[8];
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = map_shared_pair(&m1, &m2, va, an);
	KT_EQ(amap->am_ref, 2);
	/* munmap the middle of the first: clipped three ways, middle dropped. */
	uvm_unmap(&m1, va + P(2), va + P(5));
	KT_EQ(uvm_map_check(&m1, ktest_print), 0);
	KT_EQ(m1.nentries, 2);
	lo = entry_at(&m1, va);
	hi = entry_at(&m1, va + P(5));
	KT_ASSERT(lo->end == va + P(2) && hi->end == va + P(8));
	KT_ASSERT(lo->aref.ar_amap == amap && hi->aref.ar_amap == amap);
	KT_ASSERT(lo->aref.ar_pageoff == 0 && hi->aref.ar_pageoff == 5);
	KT_EQ(amap->am_ref, 3);
	EXPECT_RUNS(amap, { 0, 2, 2 }, { 2, 3, 1 }, { 5, 3, 2 });
	KT_EQ(anon_count(), b.anons + 8);
	CHECK(amap);
	/* munmap [2, 4) of the second too: pages 2 and 3 are nobody's. */
	uvm_unmap(&m2, va + P(2), va + P(4));
	KT_EQ(uvm_map_check(&m2, ktest_print), 0);
	KT_EQ(amap->am_ref, 4);
	EXPECT_RUNS(amap, { 0, 2, 2 }, { 2, 2, 0 }, { 4, 1, 1 }, { 5, 3, 2 });
	KT_EQ(anon_count(), b.anons + 6);
	CHECK(amap);
	test_map_free(&m1);
	/* m2 still maps pages 0, 1 and 4..7: their anons stay. */
	KT_EQ(amap->am_ref, 2);
	KT_EQ(anon_count(), b.anons + 6);
	EXPECT_RUNS(amap, { 0, 2, 1 }, { 2, 2, 0 }, { 4, 4, 1 });
	CHECK(amap);
	test_map_free(&m2);
	base_expect(&b);
}

/*
 * ppref decodes to model[0 .. nslot), and exactly the slots whose count
 * ever reached 0 (gone) lost their anon: a later reference over them
 * finds them empty, it does not bring old data back.
 */
static void
expect_model(const struct vm_amap *amap, const int *model, const bool *gone)
{
	int at = 0, ref, len;

	while (at < amap->am_nslot) {
		amap_pp_getreflen(amap->am_ppref, at, &ref, &len);
		for (int k = 0; k < len; k++) {
			KT_EQ(ref, model[at + k]);
			KT_EQ(amap->am_anon[at + k] == NULL, gone[at + k]);
		}
		at += len;
	}
	KT_EQ(at, amap->am_nslot);
}

#define MODEL_SLOTS 40
#define MODEL_REFS 48

/*
 * Random partial references taken and dropped, checked after every step
 * against an array of per-page counts: the runs decode to it, runs stay
 * canonical (amap_check), and a page's anon goes exactly when its count
 * reaches 0.
 */
KTEST(amap, ppref_random_refs_match_a_per_page_model)
{
	struct { int start, len; } live[MODEL_REFS];
	int model[MODEL_SLOTS], nlive = 1, left = MODEL_SLOTS;
	bool gone[MODEL_SLOTS] = { false };
	struct krand *r = ktest_rand();
	struct vm_anon *an[MODEL_SLOTS];
	struct vm_amap *amap;
	struct vm_aref whole;
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = amap_filled(MODEL_SLOTS, 1, &whole, an);
	live[0].start = 0;
	live[0].len = MODEL_SLOTS;
	for (int s = 0; s < MODEL_SLOTS; s++)
		model[s] = 1;
	for (int step = 0; step < 400; step++) {
		bool take = nlive == 1 || (nlive < MODEL_REFS && krand_below(r, 2));
		int i = take ? nlive++ : (int)krand_below(r, (uint64_t)nlive);
		int d = take ? 1 : -1;
		if (take) {
			live[i].start = (int)krand_below(r, MODEL_SLOTS);
			live[i].len = 1 + (int)krand_below(r, (uint64_t)(MODEL_SLOTS - live[i].start));
			amap_ref(amap, P(live[i].start), P(live[i].len), 0);
		} else {
			amap_unref(amap, P(live[i].start), P(live[i].len), false);
		}
		for (int s = live[i].start; s < live[i].start + live[i].len; s++) {
			model[s] += d;
			if (model[s] == 0 && !gone[s]) {
				gone[s] = true;
				left--;
			}
		}
		if (!take)
			live[i] = live[--nlive];
		KT_EQ(amap->am_ref, nlive);
		expect_model(amap, model, gone);
		KT_EQ(anon_count(), b.anons + (uint64_t)left);
		CHECK(amap);
	}
	while (nlive > 0) {
		nlive--;
		amap_unref(amap, P(live[nlive].start), P(live[nlive].len), false);
	}
	base_expect(&b);
}

KTEST(amap, mergeref_after_splitref_restores_am_ref)
{
	struct vm_aref left, right;
	struct vm_amap *amap;
	struct vm_anon *an[6];
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = amap_filled(6, 0xf0, &left, an);
	amap_splitref(&left, &right, P(4));
	KT_EQ(amap->am_ref, 2);
	KT_EQ(right.ar_pageoff, 4);
	KT_ASSERT(right.ar_amap == amap);
	EXPECT_RUNS(amap, { 0, 6, 1 });
	CHECK(amap);
	amap_mergeref(&left, &right, P(4));
	KT_EQ(amap->am_ref, 1);
	EXPECT_RUNS(amap, { 0, 6, 1 });     /* counts never changed */
	KT_EQ(amap->am_nused, 6);
	CHECK(amap);
	amap_unref(amap, 0, P(6), false);
	base_expect(&b);
}

KTEST(amap, partial_ref_starts_counting_per_page)
{
	struct vm_aref whole;
	struct vm_amap *amap;
	struct vm_anon *an[4];
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = amap_filled(4, 0x40, &whole, an);
	amap_ref(amap, P(1), P(2), 0);
	KT_EQ(amap->am_ref, 2);
	EXPECT_RUNS(amap, { 0, 1, 1 }, { 1, 2, 2 }, { 3, 1, 1 });
	/* The whole reference goes: pages 0 and 3 are nobody's now. */
	amap_unref(amap, 0, P(4), false);
	KT_EQ(amap->am_ref, 1);
	EXPECT_RUNS(amap, { 0, 1, 0 }, { 1, 2, 1 }, { 3, 1, 0 });
	KT_EQ(amap->am_nused, 2);
	KT_EQ(anon_count(), b.anons + 2);
	CHECK(amap);
	amap_unref(amap, P(1), P(2), false);
	base_expect(&b);
}

/* ------------------------------------------------------------------ */
/* Wipeout, copy, cow_now                                              */

KTEST(amap, wipeout_frees_exactly_its_anons)
{
	struct vm_map m1, m2;
	struct vm_map_entry *e1, *e2;
	struct vm_amap *a, *c;
	struct vm_anon *an[4], *priv[2];
	struct vm_baseline b;

	vm_baseline_take(&b);
	test_map(&m1);
	test_map(&m2);
	e1 = map_cow(&m1, 0x200000, 4);
	e2 = map_cow(&m2, 0x200000, 4);
	KT_EQ(copy_entry(&m1, e1, 0, e1->start, e1->end), 0);
	a = e1->aref.ar_amap;
	fill_window(&e1->aref, 4, 0x70, an);
	share_cow(e1, e2);
	KT_EQ(copy_entry(&m2, e2, 0, e2->start, e2->end), 0);
	c = e2->aref.ar_amap;
	/* The copy gets private anons in slots 2 and 3 (as writes would). */
	mutex_enter(c->am_lock);
	for (int i = 0; i < 2; i++) {
		priv[i] = anon_with_page((uint8_t)(0x7a + i));
		amap_add(&e2->aref, P(2 + i), priv[i], true);
		anon_drop(an[2 + i]);
	}
	mutex_exit(c->am_lock);
	KT_EQ(an[0]->an_ref, 2);
	KT_EQ(an[2]->an_ref, 1);
	CHECK(a);
	CHECK(c);
	/* The last reference to a goes: its lock held, am_ref 0. */
	mutex_enter(a->am_lock);
	a->am_ref--;
	e1->aref.ar_amap = NULL;
	amap_wipeout(a);
	KT_EQ(anon_count(), b.anons + 4);   /* an0, an1 (now c's alone), priv */
	KT_EQ(an[0]->an_ref, 1);
	KT_EQ(an[1]->an_ref, 1);
	KT_EQ(c->am_lockobj->lo_refs, 1);
	CHECK(c);
	test_map_free(&m1);
	test_map_free(&m2);
	base_expect(&b);
}

/*
 * The end of an amap (munmap of a whole region, exit) frees the anons it
 * held last in batches of ANON_FREE_MAX - one paging-queue lock round
 * and one pool lock round each - as a partial wipe does: 70 anons, 3
 * batches, none alone.  A speed-up: a one-at-a-time amap is correct.
 */
KTEST(amap_speed, an_amaps_end_frees_its_anons_in_batches)
{
	static struct vm_anon *an[70];
	struct vm_map m;
	struct vm_map_entry *e;
	struct vm_baseline b;

	vm_baseline_take(&b);
	test_map(&m);
	e = map_cow(&m, 0x200000, 70);
	KT_EQ(copy_entry(&m, e, 0, e->start, e->end), 0);
	fill_window(&e->aref, 70, 0x10, an);
	CHECK(e->aref.ar_amap);
	uint64_t one0 = uvmexp.anfree_one, batch0 = uvmexp.anfree_batch;
	uvm_unmap(&m, e->start, e->end);
	KT_EQ(uvmexp.anfree_batch - batch0, (70 + ANON_FREE_MAX - 1) / ANON_FREE_MAX);
	KT_EQ(uvmexp.anfree_one, one0);
	KT_EQ(anon_count(), b.anons);
	test_map_free(&m);
	base_expect(&b);
}

KTEST(amap, copy_resolves_needs_copy_and_shares_anons)
{
	struct vm_map m1, m2;
	struct vm_map_entry *e1, *e2;
	struct vm_amap *a, *c;
	struct vm_anon *an[3];
	struct vm_baseline b;

	vm_baseline_take(&b);
	test_map(&m1);
	test_map(&m2);
	e1 = map_cow(&m1, 0x400000, 4);
	e2 = map_cow(&m2, 0x400000, 4);
	/* No amap yet: a fresh one covering the entry. */
	KT_EQ(copy_entry(&m1, e1, 0, e1->start, e1->start + PAGE_SIZE), 0);
	a = e1->aref.ar_amap;
	KT_ASSERT(a != NULL);
	KT_EQ(e1->etype, UVM_ET_COPYONWRITE);
	KT_EQ(e1->aref.ar_pageoff, 0);
	KT_EQ(a->am_nslot, 4);
	KT_EQ(a->am_ref, 1);
	fill_window(&e1->aref, 3, 0x50, an);
	share_cow(e1, e2);
	KT_EQ(a->am_ref, 2);
	/* Shared: the writer gets a new amap over the same anons. */
	KT_EQ(copy_entry(&m2, e2, 0, e2->start, e2->end), 0);
	c = e2->aref.ar_amap;
	KT_ASSERT(c != a);
	KT_EQ(e2->etype, UVM_ET_COPYONWRITE);
	KT_EQ(c->am_ref, 1);
	KT_EQ(a->am_ref, 1);
	KT_EQ(c->am_nslot, 4);
	KT_EQ(c->am_nused, 3);
	for (int i = 0; i < 3; i++) {
		KT_ASSERT(c->am_anon[i] == an[i]);
		KT_EQ(an[i]->an_ref, 2);
	}
	KT_ASSERT(c->am_anon[3] == NULL);
	KT_ASSERT(c->am_lock == a->am_lock);
	KT_EQ(a->am_lockobj->lo_refs, 2);
	CHECK(a);
	CHECK(c);
	/* Only this entry holds a now: needs-copy just goes away. */
	KT_EQ(copy_entry(&m1, e1, 0, e1->start, e1->end), 0);
	KT_ASSERT(e1->aref.ar_amap == a);
	KT_EQ(e1->etype, UVM_ET_COPYONWRITE);
	KT_EQ(an[0]->an_ref, 2);
	KT_EQ(amap_count(), b.amaps + 2);
	test_map_free(&m2);
	KT_EQ(an[0]->an_ref, 1);
	test_map_free(&m1);
	base_expect(&b);
}

KTEST(amap, copy_chunks_large_entry_to_the_written_chunk)
{
	const int C = AMAP_CHUNK_PAGES, L = AMAP_LARGE_PAGES;
	const vaddr_t va = 0x10000000;      /* chunk-aligned */
	struct vm_map map;
	struct vm_map_entry *e, *lo, *hi;
	struct vm_baseline b;

	vm_baseline_take(&b);
	test_map(&map);
	e = map_cow(&map, va, 2 * L);
	/* A write at page C + 4: the chunk is pages [C, 2C). */
	KT_EQ(copy_entry(&map, e, 0, va + P(C + 4), va + P(C + 5)), 0);
	KT_EQ(map.nentries, 3);
	KT_EQ(e->start, va + P(C));
	KT_EQ(e->end, va + P(2 * C));
	KT_EQ(e->aref.ar_amap->am_nslot, AMAP_CHUNK_PAGES);
	KT_EQ(e->etype, UVM_ET_COPYONWRITE);
	lo = entry_at(&map, va);
	hi = entry_at(&map, va + P(2 * C));
	KT_ASSERT(lo->end == va + P(C) && hi->end == va + P(2 * L));
	KT_ASSERT(lo->aref.ar_amap == NULL && hi->aref.ar_amap == NULL);
	KT_EQ(lo->etype, UVM_ET_COPYONWRITE | UVM_ET_NEEDSCOPY);
	KT_EQ(hi->etype, UVM_ET_COPYONWRITE | UVM_ET_NEEDSCOPY);
	/* C pages is below AMAP_LARGE_PAGES: copied whole, not clipped. */
	KT_ASSERT(C < L);
	KT_EQ(copy_entry(&map, lo, 0, va, va + PAGE_SIZE), 0);
	KT_EQ(map.nentries, 3);
	KT_EQ(lo->aref.ar_amap->am_nslot, C);
	/* 2L - 2C pages, but NOCHUNK: the whole entry, no clip. */
	KT_EQ(copy_entry(&map, hi, AMAP_COPY_NOCHUNK, va + P(2 * C + 10),
	    va + P(2 * C + 11)), 0);
	KT_EQ(map.nentries, 3);
	KT_EQ(hi->aref.ar_amap->am_nslot, 2 * L - 2 * C);
	CHECK(hi->aref.ar_amap);
	test_map_free(&map);

	/* A chunk at the entry's very start: only the end is clipped. */
	test_map(&map);
	e = map_cow(&map, va, L + 44);
	KT_EQ(copy_entry(&map, e, 0, va, va + PAGE_SIZE), 0);
	KT_EQ(map.nentries, 2);
	KT_ASSERT(e->start == va && e->end == va + P(C));
	KT_EQ(entry_at(&map, va + P(C))->end, va + P(L + 44));
	test_map_free(&map);
	base_expect(&b);
}

KTEST(amap, cow_now_copies_only_shared_anons)
{
	struct vm_map m1, m2;
	struct vm_map_entry *e1, *e2;
	struct vm_amap *c;
	struct vm_anon *an[3], *mine, *now[4];
	struct vm_baseline b;

	vm_baseline_take(&b);
	test_map(&m1);
	test_map(&m2);
	e1 = map_cow(&m1, 0x800000, 4);
	e2 = map_cow(&m2, 0x800000, 4);
	KT_EQ(copy_entry(&m1, e1, 0, e1->start, e1->end), 0);
	fill_window(&e1->aref, 3, 0x31, an);
	share_cow(e1, e2);
	KT_EQ(copy_entry(&m2, e2, 0, e2->start, e2->end), 0);
	c = e2->aref.ar_amap;
	mutex_enter(c->am_lock);
	mine = anon_with_page(0x3f);
	amap_add(&e2->aref, P(3), mine, false);
	mutex_exit(c->am_lock);
	KT_EQ(an[0]->an_ref, 2);

	vm_map_lock(&m2);
	KT_EQ(amap_cow_now(&m2, e2), 0);
	vm_map_unlock(&m2);
	memcpy(now, c->am_anon, sizeof(now));
	for (int i = 0; i < 3; i++) {
		/* A new anon with its own page and the same contents. */
		KT_ASSERT(now[i] != an[i]);
		KT_EQ(now[i]->an_ref, 1);
		KT_ASSERT(now[i]->an_page != an[i]->an_page);
		KT_ASSERT(now[i]->an_page->uanon == now[i]);
		KT_EQ(now[i]->an_page->flags & (PG_BUSY | PG_FAKE), 0);
		KT_EQ(memcmp(vm_page_kva(now[i]->an_page), vm_page_kva(an[i]->an_page),
		    PAGE_SIZE), 0);
		KT_EQ(an[i]->an_ref, 1);        /* only the first amap now */
		KT_ASSERT(e1->aref.ar_amap->am_anon[i] == an[i]);
	}
	KT_ASSERT(now[3] == mine);              /* private already: untouched */
	KT_EQ(anon_count(), b.anons + 7);
	CHECK(c);
	CHECK(e1->aref.ar_amap);
	test_map_free(&m1);
	test_map_free(&m2);
	base_expect(&b);
}

/* ------------------------------------------------------------------ */
/* share_protect, swap_off, print                                      */

KTEST(amap, share_protect_lowers_every_mapping)
{
	struct pmap *pm;
	struct vm_map_entry e;
	struct vm_amap *amap;
	struct vm_anon *an[2];
	struct vm_baseline b;
	paddr_t pa;

	vm_baseline_take(&b);
	pm = pmap_create();
	KT_ASSERT(pm != NULL);
	amap = amap_alloc(P(3), 0, 0);
	loose_entry(&e, amap, 1, 2);    /* the entry sees slots 1 and 2 */
	fill_window(&e.aref, 2, 0x90, an);
	for (int i = 0; i < 2; i++) {
		KT_EQ(pmap_enter(pm, 0x500000 + P(i), an[i]->an_page->phys_addr, RW, 0), 0);
		KT_EQ(pmap_enter(pm, 0x600000 + P(i), an[i]->an_page->phys_addr, RW, 0), 0);
	}
	mutex_enter(amap->am_lock);
	amap_share_protect(&e, VM_PROT_READ);
	pmap_update(pm);
	for (int i = 0; i < 2; i++) {
		KT_EQ(pmap_pte_lookup(pm, 0x500000 + P(i)) & (PG_V | PG_RW), PG_V);
		KT_EQ(pmap_pte_lookup(pm, 0x600000 + P(i)) & (PG_V | PG_RW), PG_V);
	}
	amap_share_protect(&e, VM_PROT_NONE);
	pmap_update(pm);
	mutex_exit(amap->am_lock);
	for (int i = 0; i < 2; i++) {
		KT_ASSERT(!pmap_extract(pm, 0x500000 + P(i), &pa));
		KT_EQ(an[i]->an_page->md.pv_count, 0);
	}
	amap_unref(amap, 0, P(3), true);
	pmap_destroy(pm);
	base_expect(&b);
}

KTEST(amap, swap_off_walk_selects_nothing_out_of_range)
{
	struct vm_amap *a1, *a2;
	struct vm_aref r1, r2;
	struct vm_anon *an1[3], *an2[2];
	int first, n = 1, slot;
	struct vm_baseline b;

	vm_baseline_take(&b);
	a1 = amap_alloc(P(3), 0, 0);
	a2 = amap_alloc(P(2), 0, 0);
	r1 = (struct vm_aref){ 0, a1 };
	r2 = (struct vm_aref){ 0, a2 };
	fill_window(&r1, 3, 0x60, an1);
	fill_window(&r2, 2, 0x68, an2);
	/* Resident anons without swap slots are never selected. */
	KT_ASSERT(!amap_swap_off(1, 1 << 20));
	/* One anon also keeps a swap copy, in slot 'slot'. */
	first = uvm_swap_area_create(8);
	KT_ASSERT(first > 0);
	slot = uvm_swap_alloc(&n, false);
	KT_ASSERT(slot >= first && n == 1);
	mutex_enter(a2->am_lock);
	an2[1]->an_swslot = slot;
	mutex_exit(a2->am_lock);
	CHECK(a2);
	/* Ranges that miss it: the walk passes it by (no page-in tried). */
	KT_ASSERT(!amap_swap_off(slot + 1, slot + 8));
	KT_ASSERT(!amap_swap_off(first, slot));
	KT_EQ(an2[1]->an_swslot, slot);
	KT_EQ(amap_check_all(ktest_print), 0);
	/* Freeing the anon frees its swap slot too. */
	amap_unref(a2, 0, P(2), true);
	KT_ASSERT(!uvm_swap_slot_inuse(slot));
	KT_EQ(uvm_swap_stats.inuse, 0);
	uvm_swap_area_destroy_all();
	amap_unref(a1, 0, P(3), true);
	base_expect(&b);
}

/*
 * A busy page is one a fault is reading in from the anon's slot with the
 * amap unlocked (fault_anonget): the swapoff walk must leave the anon and
 * its slot alone - a failed read still needs the slot, to retry and to
 * mark it bad - and ask to be walked again (-EAGAIN).  Once the page is
 * no longer busy, the next walk keeps the page and releases the slot.
 */
KTEST(amap, swap_off_walk_passes_a_busy_page_by_and_keeps_its_slot)
{
	struct vm_amap *a;
	struct vm_aref r;
	struct vm_anon *an[2];
	struct vm_page *pg;
	int first, n = 1, slot;
	struct vm_baseline b;

	vm_baseline_take(&b);
	a = amap_filled(2, 0x70, &r, an);
	first = uvm_swap_area_create(8);
	KT_ASSERT(first > 0);
	slot = uvm_swap_alloc(&n, false);
	KT_ASSERT(slot >= first && n == 1);
	mutex_enter(a->am_lock);
	pg = an[1]->an_page;
	an[1]->an_swslot = slot;
	pg->flags |= PG_BUSY | PG_CLEAN;        /* being read from the slot */
	mutex_exit(a->am_lock);
	KT_EQ(amap_swap_off(first, first + 8), -EAGAIN);
	KT_EQ(an[1]->an_swslot, slot);
	KT_ASSERT(uvm_swap_slot_inuse(slot));
	KT_ASSERT(an[1]->an_page == pg);
	KT_EQ(pg->flags & (PG_BUSY | PG_CLEAN), PG_BUSY | PG_CLEAN);
	CHECK(a);
	mutex_enter(a->am_lock);
	vm_page_unbusy(pg);                     /* the read is done */
	mutex_exit(a->am_lock);
	KT_EQ(amap_swap_off(first, first + 8), 0);
	KT_EQ(an[1]->an_swslot, 0);
	KT_ASSERT(!uvm_swap_slot_inuse(slot));
	KT_ASSERT(an[1]->an_page == pg);
	KT_EQ(pg->flags & PG_CLEAN, 0);         /* the only copy now */
	CHECK(a);
	amap_unref(a, 0, P(2), true);
	KT_EQ(uvm_swap_stats.inuse, 0);
	uvm_swap_area_destroy_all();
	base_expect(&b);
}

KTEST(amap, print_decodes_ppref_into_runs)
{
	struct vm_aref r1, r2;
	struct vm_amap *amap;
	struct vm_anon *an[5];
	char want[64];
	struct vm_baseline b;

	vm_baseline_take(&b);
	amap = amap_filled(5, 0x20, &r1, an);
	ktest_capture_reset();
	amap_print(amap, ktest_capture);
	KT_ASSERT(ktest_captured_has("ref 1 slots 5/8 used 5"));
	KT_ASSERT(ktest_captured_has("ppref: none"));
	amap_splitref(&r1, &r2, P(2));
	amap_ref(amap, P(1), P(3), 0);
	ktest_capture_reset();
	amap_print(amap, ktest_capture);
	KT_ASSERT(ktest_captured_has("ppref: [0,1) 1 [1,4) 2 [4,5) 1\n"));
	ksnprintf(want, sizeof(want), "slot 3: anon %p: ref 1", (void *)an[3]);
	KT_ASSERT(ktest_captured_has(want));
	amap_unref(amap, P(1), P(3), false);
	amap_unref(amap, 0, P(2), false);
	amap_unref(amap, P(2), P(3), false);
	base_expect(&b);
}

KTEST(amap, lock_objects_count_their_holders)
{
	struct vm_lockobj *lo;
	struct vm_baseline b;

	vm_baseline_take(&b);
	lo = vm_lockobj_alloc("test_lock");
	KT_ASSERT(lo != NULL);
	KT_EQ(lo->lo_refs, 1);
	KT_STREQ(lo->lo_mutex.name, "test_lock");
	KT_ASSERT(!mutex_owned(&lo->lo_mutex));
	vm_lockobj_hold(lo);
	KT_EQ(lo->lo_refs, 2);
	mutex_enter(&lo->lo_mutex);
	vm_lockobj_release(lo);         /* not the last: may be held */
	KT_EQ(lo->lo_refs, 1);
	mutex_exit(&lo->lo_mutex);
	vm_lockobj_release(lo);
	base_expect(&b);
}
