/*
 * tests/uvm/uvm_object_test.c - uvm/uvm_object.c: an object's resident
 * pages in a red-black tree keyed by offset.
 *
 * The tests use an object with a dummy pager and kernel pages from
 * vm_page_alloc, drive insert/lookup/remove (and the run look-up of a
 * window) in random offset order against an array model, and after every step ask uvm_obj_check and
 * compare uo_npages, the owner fields and first/next order with the
 * model.  Every page is freed at the end (uvmexp.free back to its start).
 *
 * Not tested: inserting a second page at an offset panics.
 */
#include "kern/core/ktest.h"
#include "kern/lib/string.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"

#define NOFFS 256               /* offsets 0 .. 255 pages */

static const struct uvm_pagerops dummy_pager = { .pgo_name = "test" };

/* Does a occur in s, and before b? */
static bool
strstr_before(const char *s, const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	bool seen_a = false;

	for (; *s != '\0'; s++) {
		if (strncmp(s, a, na) == 0)
			seen_a = true;
		if (strncmp(s, b, nb) == 0)
			return seen_a;
	}
	return false;
}

static voff_t
off_of(int i)
{
	return (voff_t)i << PAGE_SHIFT;
}

/* The tree, walked with first/next, holds exactly model's pages in order. */
static void
expect_walk(struct uvm_object *obj, struct vm_page **model)
{
	struct vm_page *pg = uvm_obj_page_first(obj);
	size_t n = 0;

	for (int i = 0; i < NOFFS; i++) {
		if (model[i] == NULL)
			continue;
		KT_ASSERT(pg == model[i]);
		KT_EQ(pg->offset, off_of(i));
		pg = uvm_obj_page_next(obj, pg);
		n++;
	}
	KT_ASSERT(pg == NULL);
	KT_EQ(obj->uo_npages, n);
}

static void
insert_one(struct uvm_object *obj, struct vm_page **model, int i)
{
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, 0);

	KT_ASSERT(pg != NULL);
	uvm_obj_page_insert(obj, pg, off_of(i));
	model[i] = pg;
	KT_ASSERT(pg->uobject == obj);
	KT_EQ(pg->offset, off_of(i));
}

static void
remove_one(struct uvm_object *obj, struct vm_page **model, int i)
{
	struct vm_page *pg = model[i];

	uvm_obj_page_remove(obj, pg);
	KT_ASSERT(pg->uobject == NULL);
	KT_ASSERT(uvm_obj_page_lookup(obj, off_of(i)) == NULL);
	vm_page_free(pg);
	model[i] = NULL;
}

KTEST(uvm_object, random_insert_lookup_remove_match_model)
{
	static struct vm_page *model[NOFFS];
	static struct uvm_object obj;
	struct krand *r = ktest_rand();
	uint64_t free0 = uvmexp.free;

	uvm_obj_init(&obj, &dummy_pager, 1, "test-obj");
	mutex_enter(&obj.vmobjlock);
	for (int step = 0; step < 3000; step++) {
		int i = (int)krand_below(r, NOFFS);
		if (model[i] == NULL)
			insert_one(&obj, model, i);
		else if (krand_below(r, 3) == 0)
			KT_ASSERT(uvm_obj_page_lookup(&obj, off_of(i)) == model[i]);
		else
			remove_one(&obj, model, i);
		KT_EQ(uvm_obj_check(&obj, ktest_print), 0);
		/* A probe elsewhere sees the model too. */
		i = (int)krand_below(r, NOFFS);
		KT_ASSERT(uvm_obj_page_lookup(&obj, off_of(i)) == model[i]);
		if (step % 100 == 0)
			expect_walk(&obj, model);
	}
	expect_walk(&obj, model);
	for (int i = 0; i < NOFFS; i++) {
		if (model[i] != NULL)
			remove_one(&obj, model, i);
	}
	KT_EQ(obj.uo_npages, 0);
	KT_ASSERT(uvm_obj_page_first(&obj) == NULL);
	KT_EQ(uvm_obj_check(&obj, ktest_print), 0);
	mutex_exit(&obj.vmobjlock);
	KT_EQ(uvmexp.free, free0);
}

/* A window of n pages from page first (which may lie before offset 0
 * or run past the last page): the run look-up agrees with the model. */
static void
expect_run(struct uvm_object *obj, struct vm_page **model, int first, int n)
{
	struct vm_page *pps[24];

	for (int i = 0; i < n; i++)
		pps[i] = (struct vm_page *)1;   /* every slot must be written */
	uvm_obj_page_lookup_run(obj, (voff_t)first * PAGE_SIZE, pps, n);
	for (int i = 0; i < n; i++) {
		int at = first + i;
		KT_ASSERT(pps[i] == (at >= 0 && at < NOFFS ? model[at] : NULL));
	}
}

/*
 * The run look-up (one descent, then in-order steps) finds what a look-up
 * of each offset would, in sparse and dense trees, for windows that start
 * before, inside and after the pages, empty ones included.
 */
KTEST(uvm_object, run_lookup_matches_a_lookup_of_each_offset)
{
	static struct vm_page *model[NOFFS];
	static struct uvm_object obj;
	struct krand *r = ktest_rand();
	uint64_t free0 = uvmexp.free;

	uvm_obj_init(&obj, &dummy_pager, 1, "test-obj");
	mutex_enter(&obj.vmobjlock);
	expect_run(&obj, model, 0, 16);                 /* an empty tree */
	for (int step = 0; step < 600; step++) {
		int i = (int)krand_below(r, NOFFS);
		if (model[i] == NULL)
			insert_one(&obj, model, i);
		else if (step > 400)                    /* thin it out again */
			remove_one(&obj, model, i);
		expect_run(&obj, model, (int)krand_below(r, NOFFS + 24) - 20,
		    (int)krand_below(r, 25));
	}
	expect_run(&obj, model, -16, 16);
	expect_run(&obj, model, NOFFS - 8, 16);
	for (int i = 0; i < NOFFS; i++) {
		if (model[i] != NULL)
			remove_one(&obj, model, i);
	}
	KT_EQ(uvm_obj_check(&obj, ktest_print), 0);
	mutex_exit(&obj.vmobjlock);
	KT_EQ(uvmexp.free, free0);
}

KTEST(uvm_object, iteration_follows_offsets_not_insertion_order)
{
	static struct vm_page *model[NOFFS];
	static struct uvm_object obj;
	static const int order[] = { 200, 3, 77, 0, 255, 12, 13, 11, 128 };

	uvm_obj_init(&obj, &dummy_pager, 1, "test-obj");
	mutex_enter(&obj.vmobjlock);
	for (size_t k = 0; k < ARRAY_SIZE(order); k++) {
		insert_one(&obj, model, order[k]);
		KT_EQ(uvm_obj_check(&obj, ktest_print), 0);
		expect_walk(&obj, model);
	}
	/* Removing from the middle and the ends keeps the order. */
	remove_one(&obj, model, 12);
	remove_one(&obj, model, 0);
	remove_one(&obj, model, 255);
	KT_EQ(uvm_obj_check(&obj, ktest_print), 0);
	expect_walk(&obj, model);
	for (int i = 0; i < NOFFS; i++) {
		if (model[i] != NULL)
			remove_one(&obj, model, i);
	}
	mutex_exit(&obj.vmobjlock);
}

KTEST(uvm_object, insert_takes_page_already_named_by_alloc)
{
	static struct uvm_object obj;
	struct vm_page *pg;

	uvm_obj_init(&obj, &dummy_pager, 1, "test-obj");
	mutex_enter(&obj.vmobjlock);
	/* vm_page_alloc names the owner; insert files it under that name. */
	pg = vm_page_alloc(&obj, off_of(9), NULL, 0);
	KT_ASSERT(pg != NULL);
	KT_ASSERT(uvm_obj_page_lookup(&obj, off_of(9)) == NULL);
	uvm_obj_page_insert(&obj, pg, off_of(9));
	KT_ASSERT(uvm_obj_page_lookup(&obj, off_of(9)) == pg);
	KT_EQ(obj.uo_npages, 1);
	KT_EQ(uvm_obj_check(&obj, ktest_print), 0);
	uvm_obj_page_remove(&obj, pg);
	KT_EQ(pg->offset, 0);
	vm_page_free(pg);
	KT_EQ(obj.uo_npages, 0);
	mutex_exit(&obj.vmobjlock);
}

KTEST(uvm_object, checker_catches_wrong_owner_and_count)
{
	static struct vm_page *model[NOFFS];
	static struct uvm_object obj, other;
	struct vm_page *pg;

	uvm_obj_init(&obj, &dummy_pager, 1, "test-obj");
	uvm_obj_init(&other, &dummy_pager, 1, "test-other");
	mutex_enter(&obj.vmobjlock);
	for (int i = 0; i < 5; i++)
		insert_one(&obj, model, i * 2);
	KT_EQ(uvm_obj_check(&obj, ktest_print), 0);
	pg = model[4];
	pg->uobject = &other;                   /* a page that names another owner */
	KT_EQ(uvm_obj_check(&obj, ktest_quiet), 1);
	pg->uobject = &obj;
	obj.uo_npages++;                        /* a count that lies */
	KT_EQ(uvm_obj_check(&obj, ktest_quiet), 1);
	obj.uo_npages--;
	KT_EQ(uvm_obj_check(&obj, ktest_print), 0);
	for (int i = 0; i < NOFFS; i++) {
		if (model[i] != NULL)
			remove_one(&obj, model, i);
	}
	mutex_exit(&obj.vmobjlock);
}

KTEST(uvm_object, print_lists_pages_by_offset)
{
	static struct vm_page *model[NOFFS];
	static struct uvm_object obj;

	uvm_obj_init(&obj, &dummy_pager, 2, "test-obj");
	mutex_enter(&obj.vmobjlock);
	insert_one(&obj, model, 0x30);
	insert_one(&obj, model, 0x4);
	ktest_capture_reset();
	uvm_obj_print(&obj, ktest_capture);
	KT_ASSERT(ktest_captured_has("(test): refs 2, 2 resident pages, locked\n"));
	/* Offset order: 0x4000 is listed before 0x30000. */
	KT_ASSERT(ktest_captured_has("0x4000  page"));
	KT_ASSERT(ktest_captured_has("0x30000  page"));
	KT_ASSERT(strstr_before(ktest_captured(), "0x4000  page", "0x30000  page"));
	remove_one(&obj, model, 0x30);
	remove_one(&obj, model, 0x4);
	mutex_exit(&obj.vmobjlock);
}
