/*
 * tests/uvm/vm_frames_test.c - uvm/uvm_page.c's free pages kept by 2 MiB
 * frame: vm_page_alloc_large, the partial-first rule for 4 KiB pages,
 * coalescing on free, and the frame counters (frames_whole,
 * frames_split, pga_large, pga_large_fail), checked through the
 * counters, the pages' addresses and vm_page_check after each step.
 *
 * Every test turns the per-CPU page caches off while it runs (a cached
 * page is off its frame's list, so with them on a frame freed page by
 * page would wait for a drain to be whole) and back on at the end; it
 * gives back every page it took before asserting, so a failure leaves
 * memory as it was.
 *
 * "The fence": to see which frame an allocation breaks, a test first
 * takes every page that partial frames hold, one 4 KiB page at a time,
 * until the allocator has to split a whole frame (take_until_split).
 * From then on the free list is whole frames plus that one split frame.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/rand.h"
#include "kern/lib/string.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_failalloc.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pgcache.h"

/* The 2 MiB frame number of a page. */
static uint64_t
frame_no(const struct vm_page *pg)
{
	return vm_page_phys(pg) >> VM_LARGE_SHIFT;
}

/* Problems with a large run: alignment, contiguity, state, contents. */
static int
large_run_problems(struct vm_page *first, bool zero)
{
	paddr_t pa = vm_page_phys(first);
	int bad = (pa & (VM_LARGE_SIZE - 1)) != 0;

	for (size_t i = 0; i < VM_LARGE_PAGES; i++) {
		struct vm_page *pg = &first[i];
		const uint64_t *w = vm_page_kva(pg);
		bad += vm_page_phys(pg) != pa + i * PAGE_SIZE;
		bad += vm_page_from_phys(pa + i * PAGE_SIZE) != pg;
		bad += pg->flags != (PG_BUSY | PG_FAKE | PG_CLEAN) || pg->pqflags != 0;
		bad += pg->uobject != NULL || pg->uanon != NULL || pg->wire_count != 0;
		for (size_t j = 0; zero && j < PAGE_SIZE / 8; j++)
			bad += w[j] != 0;
	}
	return bad;
}

/* Free the 512 pages of first one by one, in a random order. */
static void
free_shuffled(struct vm_page *first)
{
	static uint16_t order[VM_LARGE_PAGES];

	for (size_t i = 0; i < VM_LARGE_PAGES; i++)
		order[i] = (uint16_t)i;
	for (size_t i = VM_LARGE_PAGES - 1; i > 0; i--) {
		size_t j = krand_below(ktest_rand(), i + 1);
		uint16_t t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < VM_LARGE_PAGES; i++)
		vm_page_free(&first[order[i]]);
}

/*
 * The fence: kernel pages onto held until an allocation splits a whole
 * frame (that page is held too and returned).  *list_before gets the
 * free list's length just before that allocation, *whole_before the
 * whole frames then.  NULL if no frame was ever split.
 */
static struct vm_page *
take_until_split(struct pglist *held, uint64_t *list_before,
    uint64_t *whole_before)
{
	struct vm_page *pg;

	TAILQ_INIT(held);
	for (;;) {
		uint64_t split0 = uvmexp.frames_split;
		*list_before = vm_page_freelist_count();
		*whole_before = uvmexp.frames_whole;
		pg = vm_page_alloc(NULL, 0, NULL, 0);
		if (pg == NULL)
			return NULL;
		TAILQ_INSERT_HEAD(held, pg, pageq);
		if (uvmexp.frames_split != split0)
			return pg;
	}
}

KTEST(vm_frames, a_large_page_is_aligned_contiguous_and_comes_back_whole)
{
	bool cache_was = vm_pgcache_set_enabled(false);
	uint64_t free0 = uvmexp.free, whole0 = uvmexp.frames_whole;
	uint64_t large0 = uvmexp.pga_large, zeroed0 = uvmexp.pga_zeroed;
	uint64_t split0 = uvmexp.frames_split, whole_during, free_during;
	struct vm_page *first = NULL, *again = NULL;
	int bad, bad_zero = -1, in_frame, check_mid = -1, rc;

	if (vm_page_alloc_large(&first, 0) != 0) {
		vm_pgcache_set_enabled(cache_was);
		KT_ASSERT(!"no whole frame to start with");
	}
	bad = large_run_problems(first, false);
	whole_during = uvmexp.frames_whole;
	free_during = uvmexp.free;
	in_frame = vm_page_frame_free(first);
	memset(vm_page_kva(first), 0xab, VM_LARGE_SIZE);
	vm_page_free_large(first);                  /* whole again at once */
	/* The frame just made whole is the next one handed out: zeroed now. */
	rc = vm_page_alloc_large(&again, VM_PAGE_ZERO);
	if (rc == 0) {
		bad_zero = large_run_problems(again, true);
		check_mid = vm_page_check(ktest_print);
		free_shuffled(again);
	}
	vm_pgcache_set_enabled(cache_was);
	KT_EQ(rc, 0);
	KT_EQ(bad, 0);
	KT_EQ(bad_zero, 0);
	KT_EQ(check_mid, 0);
	KT_ASSERT(again == first);
	KT_EQ(whole_during, whole0 - 1);
	KT_EQ(free_during, free0 - VM_LARGE_PAGES);
	KT_EQ(in_frame, 0);
	KT_EQ(uvmexp.pga_large, large0 + 2);
	KT_EQ(uvmexp.pga_zeroed, zeroed0 + VM_LARGE_PAGES);
	/* Freed one by one, shuffled: the 512th made the frame whole. */
	KT_EQ(vm_page_frame_free(first), (int)VM_LARGE_PAGES);
	KT_EQ(uvmexp.frames_whole, whole0);
	KT_EQ(uvmexp.frames_split, split0);
	KT_EQ(uvmexp.free, free0);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/*
 * A frame with one free page is partial: a 4 KiB allocation takes that
 * page, not one from a whole frame.  And a whole frame is split only
 * when no partial frame has a page: just before the split, every page
 * on the free list was in a whole frame.
 */
KTEST(vm_frames, small_pages_come_from_partial_frames_first)
{
	bool cache_was = vm_pgcache_set_enabled(false);
	uint64_t split0 = uvmexp.frames_split, free0 = uvmexp.free;
	uint64_t whole0 = uvmexp.frames_whole, list_before = 0, whole_before = 0;
	uint64_t whole_after = 0, split_after_fence = 0;
	struct vm_page *first = NULL, *pg = NULL, *splitter;
	int splitter_frame_free = -1;
	struct pglist held;

	uint64_t split_small;
	int check_small;

	if (vm_page_alloc_large(&first, 0) != 0) {
		vm_pgcache_set_enabled(cache_was);
		KT_ASSERT(!"no whole frame to start with");
	}
	vm_page_free(&first[7]);
	pg = vm_page_alloc(NULL, 0, NULL, 0);
	split_small = uvmexp.frames_split;
	check_small = vm_page_check(ktest_print);
	if (pg == &first[7]) {
		vm_page_free_large(first);
	} else {                        /* the rule broken: free what is held */
		if (pg != NULL)
			vm_page_free(pg);
		for (size_t i = 0; i < VM_LARGE_PAGES; i++) {
			if (i != 7)
				vm_page_free(&first[i]);
		}
	}

	splitter = take_until_split(&held, &list_before, &whole_before);
	if (splitter != NULL) {
		splitter_frame_free = vm_page_frame_free(splitter);
		whole_after = uvmexp.frames_whole;
		split_after_fence = uvmexp.frames_split;
	}
	vmtest_release(&held);
	vm_pgcache_set_enabled(cache_was);
	KT_ASSERT(pg == &first[7]);
	KT_EQ(split_small, split0);
	KT_EQ(check_small, 0);
	KT_ASSERT(splitter != NULL);
	KT_EQ(list_before, whole_before * VM_LARGE_PAGES);
	KT_EQ(splitter_frame_free, (int)VM_LARGE_PAGES - 1);
	KT_EQ(whole_after, whole_before - 1);
	KT_EQ(split_after_fence, split0 + 1);
	KT_EQ(uvmexp.frames_whole, whole0);
	KT_EQ(uvmexp.free, free0);
	KT_EQ(vm_page_check(ktest_print), 0);
}

#define CREEP_ROUNDS 16
#define CREEP_CHURN 700

/* Distinct 2 MiB frames among n pages. */
static int
distinct_frames(struct vm_page *const *pgs, int n)
{
	int d = 0;

	for (int i = 0; i < n; i++) {
		bool seen = false;
		for (int j = 0; j < i; j++)
			seen |= frame_no(pgs[j]) == frame_no(pgs[i]);
		d += !seen;
	}
	return d;
}

/* One round: take CREEP_CHURN pages, one long-lived, free the churn shuffled. */
static int
creep_round(struct vm_page **churn, struct vm_page **lived)
{
	int got = 0;

	while (got < CREEP_CHURN && (churn[got] = vm_page_alloc(NULL, 0, NULL, 0)) != NULL)
		got++;
	*lived = vm_page_alloc(NULL, 0, NULL, 0);
	for (int i = got - 1; i > 0; i--) {
		int j = (int)krand_below(ktest_rand(), (uint64_t)i + 1);
		struct vm_page *t = churn[i];
		churn[i] = churn[j];
		churn[j] = t;
	}
	for (int i = 0; i < got; i++)
		vm_page_free(churn[i]);
	return got;
}

/*
 * Fragmentation creep: sixteen rounds, each taking 700 short-lived pages
 * (more than a frame), one long-lived page, then freeing the 700 in a
 * random order.  The long-lived pages land in frames already broken -
 * whatever frame the churn reached - and the next rounds' churn is served
 * from those partial frames first, so a new frame is broken only while
 * the partial ones hold fewer than 701 free pages: two or three frames
 * in all, never sixteen.  Everything else comes back whole.
 */
KTEST(vm_frames, long_lived_pages_do_not_creep_across_frames)
{
	static struct vm_page *churn[CREEP_CHURN];
	struct vm_page *lived[CREEP_ROUNDS];
	bool cache_was = vm_pgcache_set_enabled(false);
	uint64_t free0 = uvmexp.free, whole0 = uvmexp.frames_whole;
	uint64_t list_before, whole_fence, whole_end = 0;
	int frames = -1, got_all = 1, nlived = 0, check_mid = -1;
	struct pglist held;
	struct vm_page *splitter = take_until_split(&held, &list_before, &whole_fence);

	if (splitter != NULL) {
		whole_fence = uvmexp.frames_whole;
		for (int r = 0; r < CREEP_ROUNDS; r++) {
			got_all &= creep_round(churn, &lived[nlived]) == CREEP_CHURN;
			nlived += lived[nlived] != NULL;
		}
		frames = distinct_frames(lived, nlived);
		whole_end = uvmexp.frames_whole;
		check_mid = vm_page_check(ktest_print);
	}
	for (int i = 0; i < nlived; i++)
		vm_page_free(lived[i]);
	vmtest_release(&held);
	vm_pgcache_set_enabled(cache_was);
	KT_ASSERT(splitter != NULL);
	KT_ASSERT(got_all);
	KT_EQ(nlived, CREEP_ROUNDS);
	KT_EQ(check_mid, 0);
	ktest_print("  %d long-lived pages in %d frames; whole frames %lu -> %lu\n",
	    nlived, frames, whole_fence, whole_end);
	KT_ASSERT(frames >= 1 && frames <= 3);
	/* Only frames holding long-lived pages stay broken (the fence's
	 * split frame is one of them or still partial). */
	KT_ASSERT(whole_end + (uint64_t)frames >= whole_fence);
	KT_EQ(uvmexp.frames_whole, whole0);
	KT_EQ(uvmexp.free, free0);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/*
 * Every large run there is, chained through their first page's pageq;
 * *bad adds up their problems - a frame at the edge of RAM or with a
 * reserved page in it (page 0's, the kernel's) is never handed out.
 */
static int
hold_all_large(struct pglist *held, uint64_t *whole_at_fail, int *last_rc,
    int *bad)
{
	struct vm_page *first;
	int n = 0;

	TAILQ_INIT(held);
	while ((*last_rc = vm_page_alloc_large(&first, 0)) == 0) {
		*bad += large_run_problems(first, false);
		*bad += vm_page_phys(first) == 0;
		TAILQ_INSERT_HEAD(held, first, pageq);
		n++;
	}
	*whole_at_fail = uvmexp.frames_whole;
	return n;
}

static void
release_all_large(struct pglist *held)
{
	struct vm_page *first;

	while ((first = TAILQ_FIRST(held)) != NULL) {
		TAILQ_REMOVE(held, first, pageq);
		vm_page_free_large(first);
	}
}

/*
 * Holding every whole frame: the next large allocation is -ENOMEM (no
 * whole frame, or free pages would fall below the reserve plus one large
 * page) and counted in pga_large_fail, while 4 KiB pages still come from
 * the partial frames.
 */
KTEST(vm_frames, no_whole_frame_means_enomem_and_small_pages_still_work)
{
	bool cache_was = vm_pgcache_set_enabled(false);
	uint64_t free0 = uvmexp.free, whole0 = uvmexp.frames_whole;
	uint64_t fail0 = uvmexp.pga_large_fail, fail_after = 0, whole_at_fail = 0;
	uint64_t free_at_fail, large0 = uvmexp.pga_large;
	struct vm_page *small;
	struct pglist held;
	int last_rc = 0, n, check_mid, bad = 0;

	n = hold_all_large(&held, &whole_at_fail, &last_rc, &bad);
	free_at_fail = uvmexp.free;
	fail_after = uvmexp.pga_large_fail;
	small = vm_page_alloc(NULL, 0, NULL, 0);
	check_mid = vm_page_check(ktest_print);
	if (small != NULL)
		vm_page_free(small);
	release_all_large(&held);
	vm_pgcache_set_enabled(cache_was);
	KT_ASSERT(n >= 1);
	KT_EQ(bad, 0);
	KT_EQ(last_rc, -ENOMEM);
	KT_EQ(fail_after, fail0 + 1);
	KT_EQ(uvmexp.pga_large, large0 + (uint64_t)n);
	KT_ASSERT(whole_at_fail == 0 ||
	    free_at_fail < uvmexp.reserve + 2 * VM_LARGE_PAGES);
	KT_EQ(whole_at_fail, whole0 - (uint64_t)n);
	KT_ASSERT(small != NULL);
	KT_EQ(check_mid, 0);
	KT_EQ(uvmexp.frames_whole, whole0);
	KT_EQ(uvmexp.free, free0);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/* An injected failure refuses a large page; VM_PAGE_NOFAIL is exempt. */
KTEST(vm_frames, failure_injection_refuses_a_large_page)
{
	uint64_t whole0 = uvmexp.frames_whole, fail0 = uvmexp.pga_large_fail;
	struct vm_page *first = NULL;
	int rc, rc_nofail;

	uvm_failalloc_arm(UVM_FAILALLOC_PAGE, 0, 1);
	rc = vm_page_alloc_large(&first, 0);
	uvm_failalloc_arm(UVM_FAILALLOC_PAGE, 0, 1);
	rc_nofail = vm_page_alloc_large(&first, VM_PAGE_NOFAIL);
	uvm_failalloc_set(0, 0);
	if (rc_nofail == 0)
		vm_page_free_large(first);
	KT_EQ(rc, -ENOMEM);
	KT_EQ(rc_nofail, 0);
	KT_EQ(uvmexp.pga_large_fail, fail0);    /* injected: not a shortage */
	KT_EQ(uvmexp.frames_whole, whole0);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/*
 * A page marked free but on no frame's list, and a frame count off by
 * one: the checker reports both, naming the frame.
 */
KTEST(vm_frames, the_checker_catches_a_wrong_frame)
{
	bool cache_was = vm_pgcache_set_enabled(false);
	struct vm_page *first = NULL;
	int bad;

	KT_EQ(vm_page_alloc_large(&first, 0), 0);
	first[3].pqflags = PQ_FREE;
	ktest_capture_reset();
	bad = vm_page_check(ktest_capture);
	first[3].pqflags = 0;
	vm_page_free_large(first);
	vm_pgcache_set_enabled(cache_was);
	KT_ASSERT(bad >= 1);
	KT_ASSERT(ktest_captured_has("frame"));
	KT_EQ(vm_page_check(ktest_print), 0);
}

/* The four counters are rows of the one table (uvmexp_print, /proc/uvmexp). */
KTEST(vm_frames, the_frame_counters_are_in_the_statistics)
{
	static const char *const names[] = {
		"frames_whole", "frames_split", "pga_large", "pga_large_fail",
	};
	uint64_t values[4];
	char want[64];

	values[0] = uvmexp.frames_whole;
	values[1] = uvmexp.frames_split;
	values[2] = uvmexp.pga_large;
	values[3] = uvmexp.pga_large_fail;
	ktest_capture_reset();
	uvmexp_print(ktest_capture);
	for (int i = 0; i < 4; i++) {
		ksnprintf(want, sizeof(want), "\n%-14s %lu\n", names[i], values[i]);
		KT_ASSERT(ktest_captured_has(want));
	}
	KT_ASSERT(values[0] >= 1);
}
