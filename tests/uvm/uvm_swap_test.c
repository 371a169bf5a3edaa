/*
 * tests/uvm/uvm_swap_test.c - uvm/uvm_swap.c: slot numbering, runs of
 * contiguous slots (lowest fit, never across areas), lessok when swap is
 * fragmented, freeing, bad slots, and the statistics, exact after every
 * step and checked with uvm_swap_check.
 *
 * Each test creates the areas it needs (there are none at boot) and
 * destroys them at the end, so no area outlives a test.  A bitmap model
 * in the test says which slot each allocation must return.
 *
 * Not tested: freeing or marking bad a slot that is not allocated panics.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "uvm/uvm_swap.h"

/* The statistics are exactly these, and the bitmaps agree. */
static void
expect_stats(uint64_t nslots, uint64_t inuse, uint64_t bad)
{
	KT_EQ(uvm_swap_stats.nslots, nslots);
	KT_EQ(uvm_swap_stats.inuse, inuse);
	KT_EQ(uvm_swap_stats.bad, bad);
	KT_EQ(uvm_swap_check(ktest_print), 0);
}

/* Slots [first, first + n) are all allocated (want) or all free. */
static void
expect_range(int first, int n, bool want)
{
	for (int s = first; s < first + n; s++)
		KT_EQ(uvm_swap_slot_inuse(s), want);
}

static int
alloc_run(int n, bool lessok, int *got)
{
	*got = n;
	return uvm_swap_alloc(got, lessok);
}

KTEST(swap_slots, areas_are_numbered_from_one)
{
	expect_stats(0, 0, 0);
	KT_EQ(uvm_swap_area_create(0), -EINVAL);
	KT_EQ(uvm_swap_area_create(-3), -EINVAL);
	KT_EQ(uvm_swap_area_create(32), 1);
	KT_EQ(uvm_swap_area_create(16), 33);    /* follows the first area */
	expect_stats(48, 0, 0);
	KT_EQ(uvm_swap_slot_inuse(0), false);   /* 0 is never a slot */
	KT_EQ(uvm_swap_slot_inuse(48), false);
	KT_EQ(uvm_swap_slot_inuse(49), false);  /* past every area */
	uvm_swap_area_destroy_all();
	expect_stats(0, 0, 0);
	KT_EQ(uvm_swap_area_create(8), 1);      /* numbering starts over */
	uvm_swap_area_destroy_all();
	expect_stats(0, 0, 0);
}

KTEST(swap_slots, no_area_means_no_slot)
{
	int got;

	KT_EQ(alloc_run(1, false, &got), 0);
	KT_EQ(alloc_run(1, true, &got), 0);
	expect_stats(0, 0, 0);
}

KTEST(swap_slots, runs_are_lowest_fit)
{
	int got;

	KT_EQ(uvm_swap_area_create(64), 1);
	KT_EQ(alloc_run(4, false, &got), 1);
	KT_EQ(got, 4);
	KT_EQ(alloc_run(8, false, &got), 5);
	expect_stats(64, 12, 0);
	expect_range(1, 12, true);
	expect_range(13, 52, false);
	uvm_swap_free(1, 4);
	expect_stats(64, 8, 0);
	expect_range(1, 4, false);
	/* The 4-slot hole at 1 is too short for 8: the run goes after 12. */
	KT_EQ(alloc_run(8, false, &got), 13);
	/* A run of 3 fits the hole. */
	KT_EQ(alloc_run(3, false, &got), 1);
	KT_EQ(alloc_run(1, false, &got), 4);
	expect_stats(64, 20, 0);
	uvm_swap_free(1, 4);
	uvm_swap_free(5, 8);
	uvm_swap_free(13, 8);
	expect_stats(64, 0, 0);
	uvm_swap_area_destroy_all();
	expect_stats(0, 0, 0);
}

KTEST(swap_slots, lessok_takes_longest_run_when_fragmented)
{
	int got;

	KT_EQ(uvm_swap_area_create(32), 1);
	KT_EQ(alloc_run(32, false, &got), 1);
	/* Holes of 2 (slots 3-4), 3 (10-12) and 1 (20). */
	uvm_swap_free(3, 2);
	uvm_swap_free(10, 3);
	uvm_swap_free(20, 1);
	expect_stats(32, 26, 0);
	KT_EQ(alloc_run(4, false, &got), 0);
	KT_EQ(got, 4);                          /* untouched on failure */
	expect_stats(32, 26, 0);
	KT_EQ(alloc_run(4, true, &got), 10);
	KT_EQ(got, 3);
	KT_EQ(alloc_run(4, true, &got), 3);
	KT_EQ(got, 2);
	KT_EQ(alloc_run(4, true, &got), 20);
	KT_EQ(got, 1);
	expect_stats(32, 32, 0);
	KT_EQ(alloc_run(1, true, &got), 0);     /* full */
	uvm_swap_free(1, 32);
	expect_stats(32, 0, 0);
	uvm_swap_area_destroy_all();
	expect_stats(0, 0, 0);
}

KTEST(swap_slots, run_never_spans_two_areas)
{
	int got;

	KT_EQ(uvm_swap_area_create(8), 1);
	KT_EQ(uvm_swap_area_create(8), 9);
	KT_EQ(alloc_run(6, false, &got), 1);
	/* Slots 7-10 are consecutive numbers but lie in two areas. */
	KT_EQ(alloc_run(4, false, &got), 9);
	expect_range(7, 2, false);
	/* Longest: 13-16 (4) beats 7-8 (2). */
	KT_EQ(alloc_run(10, true, &got), 13);
	KT_EQ(got, 4);
	expect_stats(16, 14, 0);
	uvm_swap_free(1, 6);
	uvm_swap_free(9, 4);
	uvm_swap_free(13, 4);
	uvm_swap_area_destroy_all();
	expect_stats(0, 0, 0);
}

KTEST(swap_slots, bad_slots_stay_allocated_and_are_counted)
{
	int got;

	KT_EQ(uvm_swap_area_create(8), 1);
	KT_EQ(alloc_run(4, false, &got), 1);
	uvm_swap_markbad(2, 2);
	expect_stats(8, 4, 2);
	uvm_swap_markbad(3, 1);                 /* again: counted once */
	expect_stats(8, 4, 2);
	uvm_swap_free(1, 4);                    /* 2 and 3 stay allocated */
	expect_stats(8, 2, 2);
	KT_EQ(uvm_swap_slot_inuse(1), false);
	expect_range(2, 2, true);
	KT_EQ(uvm_swap_slot_inuse(4), false);
	/* Never handed out again: the first run of 2 is 4-5, not 1-2. */
	KT_EQ(alloc_run(2, false, &got), 4);
	KT_EQ(alloc_run(1, false, &got), 1);
	expect_stats(8, 5, 2);
	uvm_swap_free(4, 2);
	uvm_swap_free(1, 1);
	/* Only bad slots are left in use: the area may go. */
	uvm_swap_area_destroy_all();
	expect_stats(0, 0, 0);
}

KTEST(swap_slots, checker_catches_counter_drift)
{
	int got;

	KT_EQ(uvm_swap_area_create(16), 1);
	KT_EQ(alloc_run(5, false, &got), 1);
	uvm_swap_stats.inuse++;
	KT_EQ(uvm_swap_check(ktest_quiet), 1);
	uvm_swap_stats.inuse--;
	uvm_swap_stats.bad++;
	KT_EQ(uvm_swap_check(ktest_quiet), 1);
	uvm_swap_stats.bad--;
	KT_EQ(uvm_swap_check(ktest_print), 0);
	uvm_swap_free(1, 5);
	uvm_swap_area_destroy_all();
	expect_stats(0, 0, 0);
}

#define MODEL_SLOTS 200
#define MODEL_AREA2 72          /* the second area's size */

struct swap_model {
	bool used[MODEL_SLOTS + 1];     /* by slot number; [0] unused */
	int first[MODEL_SLOTS + 1];     /* allocated runs: start -> length */
	int inuse;
};

/* The slot the allocator must return for want (lessok), and *len. */
static int
model_expect(const struct swap_model *m, int want, bool lessok, int *len)
{
	int bounds[] = { 1, MODEL_SLOTS - MODEL_AREA2 + 1, MODEL_SLOTS + 1 };
	int best = 0, bestlen = 0;

	for (int a = 0; a < 2; a++) {
		int run = 0;
		for (int s = bounds[a]; s < bounds[a + 1]; s++) {
			run = m->used[s] ? 0 : run + 1;
			if (run == want) {
				*len = want;
				return s - want + 1;
			}
			if (run > bestlen) {
				bestlen = run;
				best = s - run + 1;
			}
		}
	}
	*len = lessok ? bestlen : want;
	return lessok ? best : 0;
}

static void
model_take(struct swap_model *m, int slot, int n)
{
	for (int s = slot; s < slot + n; s++)
		m->used[s] = true;
	m->first[slot] = n;
	m->inuse += n;
}

static void
model_free_random(struct swap_model *m, struct krand *r)
{
	int start = (int)krand_below(r, MODEL_SLOTS) + 1;

	for (int k = 0; k < MODEL_SLOTS; k++) {
		int s = (start + k - 1) % MODEL_SLOTS + 1;
		if (m->first[s] == 0)
			continue;
		uvm_swap_free(s, m->first[s]);
		for (int i = s; i < s + m->first[s]; i++)
			m->used[i] = false;
		m->inuse -= m->first[s];
		m->first[s] = 0;
		return;
	}
}

KTEST(swap_slots, random_runs_match_model)
{
	static struct swap_model m;
	struct krand *r = ktest_rand();

	memset(&m, 0, sizeof(m));
	KT_EQ(uvm_swap_area_create(MODEL_SLOTS - MODEL_AREA2), 1);
	KT_EQ(uvm_swap_area_create(MODEL_AREA2), MODEL_SLOTS - MODEL_AREA2 + 1);
	for (int step = 0; step < 2000; step++) {
		if (krand_below(r, 5) < 3) {
			int want = (int)krand_below(r, 12) + 1, len, got = want;
			bool lessok = krand_below(r, 2) == 0;
			int expect = model_expect(&m, want, lessok, &len);
			int slot = uvm_swap_alloc(&got, lessok);
			KT_EQ(slot, expect);
			if (slot != 0) {
				KT_EQ(got, len);
				model_take(&m, slot, got);
			}
		} else {
			model_free_random(&m, r);
		}
		expect_stats(MODEL_SLOTS, (uint64_t)m.inuse, 0);
		int probe = (int)krand_below(r, MODEL_SLOTS) + 1;
		KT_EQ(uvm_swap_slot_inuse(probe), m.used[probe]);
	}
	while (m.inuse > 0)
		model_free_random(&m, r);
	expect_stats(MODEL_SLOTS, 0, 0);
	uvm_swap_area_destroy_all();
	expect_stats(0, 0, 0);
}

KTEST(swap_slots, print_shows_stats_and_areas)
{
	int got;

	KT_EQ(uvm_swap_area_create(32), 1);
	KT_EQ(uvm_swap_area_create(16), 33);
	KT_EQ(alloc_run(3, false, &got), 1);
	uvm_swap_markbad(2, 1);
	ktest_capture_reset();
	uvm_swap_print(ktest_capture);
	KT_ASSERT(ktest_captured_has("swap: 48 slots, 3 in use, 1 bad\n"));
	KT_ASSERT(ktest_captured_has("area [1, 33): 3 in use, 1 bad"));
	KT_ASSERT(ktest_captured_has("area [33, 49): 0 in use, 0 bad"));
	uvm_swap_free(1, 3);
	uvm_swap_area_destroy_all();
	expect_stats(0, 0, 0);
}
