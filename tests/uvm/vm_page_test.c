/*
 * tests/uvm/vm_page_test.c - uvm/uvm_page.c: the free list, zero-fill,
 * contiguous allocation and the paging queues, checked through the
 * counters in uvmexp and vm_page_check rather than return values alone.
 *
 * A test that takes every free page holds them on a private list
 * (through pageq: an allocated page is on no queue) and gives them all
 * back before it asserts anything, so a failure never leaves the rest of
 * the run without memory; the counters and vm_page_check come out as
 * before.
 *
 * The walk over every page (vm_page_foreach) and the printers
 * (vm_page_print, uvmexp_print) are checked through what they report:
 * the walk's counts per queue against uvmexp, the printers' lines
 * captured with ktest_capture.
 *
 * Not tested: a double free panics (there is no way to survive a panic).
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/vmlayout.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pgcache.h"

#define KiB 1024UL
#define MiB (1024UL * KiB)

/* The counters a test must leave as it found them. */
struct pgcounts {
	uint64_t npages, free, active, inactive, wired, reserved, zeropages;
};

static void
counts_take(struct pgcounts *c)
{
	c->npages = uvmexp.npages;
	c->free = uvmexp.free;
	c->active = uvmexp.active;
	c->inactive = uvmexp.inactive;
	c->wired = uvmexp.wired;
	c->reserved = uvmexp.reserved;
	c->zeropages = uvmexp.zeropages;
}

static void
counts_expect(const struct pgcounts *c)
{
	KT_EQ(uvmexp.npages, c->npages);
	KT_EQ(uvmexp.free, c->free);
	KT_EQ(uvmexp.active, c->active);
	KT_EQ(uvmexp.inactive, c->inactive);
	KT_EQ(uvmexp.wired, c->wired);
	KT_EQ(uvmexp.reserved, c->reserved);
	KT_EQ(uvmexp.zeropages, c->zeropages);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/* Is every byte of [p, p + n) equal to v? */
static bool
all_bytes(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != v)
			return false;
	}
	return true;
}

/* A freshly allocated kernel page: busy, fake, clean, unowned, on no queue. */
static bool
fresh_kernel_page(const struct vm_page *pg)
{
	return pg->flags == (PG_BUSY | PG_FAKE | PG_CLEAN) && pg->pqflags == 0 &&
	    pg->uobject == NULL && pg->uanon == NULL && pg->wire_count == 0;
}

KTEST(vm_page, allocate_every_page_then_free_all)
{
	struct pgcounts before;
	struct pglist held;
	struct vm_page *pg;
	uint64_t n = 0, odd = 0, alloc0, fail0 = uvmexp.pga_fail;
	uint64_t free_when_empty, fail_when_empty;
	int check_when_empty;

	alloc0 = uvmexp.pga_alloc;
	counts_take(&before);
	KT_EQ(vm_page_check(ktest_print), 0);
	n = vmtest_hold_free(&held, 0);
	TAILQ_FOREACH(pg, &held, pageq)
		odd += !fresh_kernel_page(pg);
	free_when_empty = uvmexp.free;
	fail_when_empty = uvmexp.pga_fail;
	check_when_empty = vm_page_check(ktest_print);
	vmtest_release(&held);
	KT_EQ(n, before.free);
	KT_EQ(odd, 0);
	KT_EQ(free_when_empty, 0);
	KT_EQ(fail_when_empty, fail0 + 1);
	KT_EQ(check_when_empty, 0);
	KT_EQ(uvmexp.pga_alloc, alloc0 + n);
	counts_expect(&before);
}

/*
 * With every other page held, the one page freed is the only one to come
 * back: that lets the test show the old contents survive without
 * VM_PAGE_ZERO and are gone with it.
 */
KTEST(vm_page, zero_flag_really_zeroes)
{
	struct pgcounts before;
	struct pglist held;
	struct vm_page *pg, *again, *zeroed;
	uint64_t zeroed0;
	bool dirty_kept, all_zero;

	counts_take(&before);
	pg = vm_page_alloc(NULL, 0, NULL, 0);
	KT_ASSERT(pg != NULL);
	memset(vm_page_kva(pg), 0xab, PAGE_SIZE);
	vmtest_hold_free(&held, 0);
	vm_page_free(pg);
	again = vm_page_alloc(NULL, 0, NULL, 0);
	dirty_kept = again != NULL && all_bytes(vm_page_kva(again), PAGE_SIZE, 0xab);
	if (again != NULL)
		vm_page_free(again);
	zeroed0 = uvmexp.pga_zeroed;
	zeroed = vm_page_alloc(NULL, 0, NULL, VM_PAGE_ZERO);
	all_zero = zeroed != NULL && all_bytes(vm_page_kva(zeroed), PAGE_SIZE, 0);
	if (zeroed != NULL)
		vm_page_free(zeroed);
	vmtest_release(&held);
	KT_ASSERT(again == pg);
	KT_ASSERT(zeroed == pg);
	KT_ASSERT(dirty_kept);
	KT_ASSERT(all_zero);
	KT_EQ(uvmexp.pga_zeroed, zeroed0 + 1);
	counts_expect(&before);
}

/*
 * Problems with a run from vm_page_alloc_contig: not aligned, not below
 * max_pa, not contiguous, not allocated, not zero when asked.
 */
static int
run_problems(struct vm_page *first, size_t n, paddr_t align, paddr_t max_pa,
    bool zero)
{
	paddr_t pa = vm_page_phys(first);
	int bad = 0;

	bad += (pa & (align - 1)) != 0;
	for (size_t i = 0; i < n; i++) {
		struct vm_page *pg = &first[i];
		bad += vm_page_phys(pg) != pa + i * PAGE_SIZE;
		bad += vm_page_from_phys(pa + i * PAGE_SIZE) != pg;
		bad += vm_page_phys(pg) + PAGE_SIZE > max_pa;
		bad += !fresh_kernel_page(pg);
		bad += zero && !all_bytes(vm_page_kva(pg), PAGE_SIZE, 0);
	}
	return bad;
}

KTEST(vm_page, contig_respects_alignment)
{
	struct pgcounts before;
	struct vm_page *first = NULL;
	uint64_t free_during;
	int rc, bad = -1;

	counts_take(&before);
	rc = vm_page_alloc_contig(16, 64 * KiB, 4UL << 30, 0, &first);
	free_during = uvmexp.free;
	if (rc == 0) {
		bad = run_problems(first, 16, 64 * KiB, 4UL << 30, false);
		vm_page_free_contig(first, 16);
	}
	KT_EQ(rc, 0);
	KT_EQ(bad, 0);
	KT_EQ(free_during, before.free - 16);
	counts_expect(&before);
}

KTEST(vm_page, contig_stays_below_max_pa)
{
	struct pgcounts before;
	struct vm_page *first = NULL;
	uint64_t zeroed0 = uvmexp.pga_zeroed;
	int rc, bad = -1;

	counts_take(&before);
	rc = vm_page_alloc_contig(8, PAGE_SIZE, 16 * MiB, VM_PAGE_ZERO, &first);
	if (rc == 0) {
		bad = run_problems(first, 8, PAGE_SIZE, 16 * MiB, true);
		vm_page_free_contig(first, 8);
	}
	KT_EQ(rc, 0);
	KT_EQ(bad, 0);
	KT_EQ(uvmexp.pga_zeroed, zeroed0 + 8);
	counts_expect(&before);
}

KTEST(vm_page, contig_rejects_bad_requests)
{
	struct pgcounts before;
	struct vm_page *first = NULL;
	uint64_t fail0 = uvmexp.pga_fail;

	counts_take(&before);
	KT_EQ(vm_page_alloc_contig(0, PAGE_SIZE, 4UL << 30, 0, &first), -EINVAL);
	KT_EQ(vm_page_alloc_contig(1, 0, 4UL << 30, 0, &first), -EINVAL);
	KT_EQ(vm_page_alloc_contig(1, 3 * PAGE_SIZE, 4UL << 30, 0, &first), -EINVAL);
	KT_EQ(vm_page_alloc_contig(1, PAGE_SIZE / 2, 4UL << 30, 0, &first), -EINVAL);
	KT_EQ(uvmexp.pga_fail, fail0);
	/* Page 0 is reserved, so nothing fits below PAGE_SIZE. */
	KT_EQ(vm_page_alloc_contig(1, PAGE_SIZE, PAGE_SIZE, 0, &first), -ENOMEM);
	KT_EQ(vm_page_alloc_contig(uvmexp.npages + 1, PAGE_SIZE, ~0UL, 0, &first),
	    -ENOMEM);
	KT_EQ(uvmexp.pga_fail, fail0 + 2);
	KT_ASSERT(first == NULL);
	counts_expect(&before);
}

/*
 * Frees the 16 pages of run in the order given; returns the breaks: 15
 * less the pages followed on the free list by a physical neighbour from
 * the run (one ordered stretch, upwards or downwards, has none; two have
 * one).
 */
static int
free_run_in_order(struct vm_page *run, const int *order)
{
	int joined = 0;

	for (int i = 0; i < 16; i++)
		vm_page_free(&run[order[i]]);
	for (int i = 0; i < 16; i++) {
		struct vm_page *next = TAILQ_NEXT(&run[i], pageq);
		joined += (i > 0 && next == &run[i - 1]) || (i < 15 && next == &run[i + 1]);
	}
	return 15 - joined;
}

/*
 * Freed upwards or downwards, a run lies on the free list in physical
 * order, so the next allocations get it back in order.  Freed from both
 * ends inwards it makes two ordered stretches that meet without joining:
 * one break (a free list that only pushed at the head would have 14).
 * The run is fenced by a held page on each side, so which rule places
 * each page does not depend on what else is free: ends_in puts pages
 * after their lower neighbour (TAILQ_INSERT_AFTER), ends_in_high before
 * their upper one (TAILQ_INSERT_BEFORE), and vm_page_check follows the
 * links both ways after each.  The per-CPU caches are off meanwhile:
 * with them, freed pages wait in this CPU's cache, off the list.  Free
 * pages are listed by 2 MiB frame, so the run is 128 KiB-aligned: its 18
 * pages never straddle two frames' lists.
 */
KTEST(vm_page, free_keeps_a_freed_run_in_physical_order)
{
	static const int up[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	static const int down[16] = { 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 };
	static const int ends_in[16] = { 0, 15, 1, 14, 2, 13, 3, 12, 4, 11, 5, 10, 6, 9, 7, 8 };
	static const int ends_in_high[16] = { 15, 0, 14, 1, 13, 2, 12, 3, 11, 4, 10, 5, 9, 6, 8, 7 };
	const int *orders[4] = { up, down, ends_in, ends_in_high };
	const int breaks[4] = { 0, 0, 1, 1 };
	struct pgcounts before;
	struct vm_page *fenced = NULL;
	bool cache_was = vm_pgcache_set_enabled(false);

	counts_take(&before);
	for (int k = 0; k < 4; k++) {
		KT_EQ(vm_page_alloc_contig(18, 128 * KiB, ~0UL, 0, &fenced), 0);
		KT_EQ(free_run_in_order(fenced + 1, orders[k]), breaks[k]);
		KT_EQ(vm_page_check(ktest_print), 0);
		vm_page_free(&fenced[0]);
		vm_page_free(&fenced[17]);
		KT_EQ(vm_page_check(ktest_print), 0);
	}
	vm_pgcache_set_enabled(cache_was);
	counts_expect(&before);
}

KTEST(vm_page, queue_moves_count_exactly)
{
	struct pgcounts b;
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, 0);

	KT_ASSERT(pg != NULL);
	counts_take(&b);
	vm_page_activate(pg);
	KT_EQ(pg->pqflags, PQ_ACTIVE);
	KT_EQ(uvmexp.active, b.active + 1);
	KT_EQ(vm_page_check(ktest_print), 0);
	vm_page_deactivate(pg);
	KT_EQ(pg->pqflags, PQ_INACTIVE);
	KT_EQ(uvmexp.active, b.active);
	KT_EQ(uvmexp.inactive, b.inactive + 1);
	vm_page_wire(pg);                       /* off the queues, counted wired */
	KT_EQ(pg->pqflags, 0);
	KT_EQ(uvmexp.inactive, b.inactive);
	KT_EQ(uvmexp.wired, b.wired + 1);
	vm_page_wire(pg);                       /* a second wiring: same page */
	KT_EQ(pg->wire_count, 2);
	KT_EQ(uvmexp.wired, b.wired + 1);
	vm_page_activate(pg);                   /* ignored while wired */
	KT_EQ(uvmexp.active, b.active);
	vm_page_unwire(pg);
	KT_EQ(uvmexp.wired, b.wired + 1);
	KT_EQ(pg->pqflags, 0);
	vm_page_unwire(pg);                     /* last one: back to active */
	KT_EQ(uvmexp.wired, b.wired);
	KT_EQ(pg->pqflags, PQ_ACTIVE);
	KT_EQ(uvmexp.active, b.active + 1);
	KT_EQ(vm_page_check(ktest_print), 0);
	vm_page_free(pg);                       /* free takes it off the queue */
	KT_EQ(uvmexp.active, b.active);
	KT_EQ(uvmexp.free, b.free + 1);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/*
 * vm_page_alloc_anons: page i belongs to anons[i], comes back busy, fake,
 * clean and zeroed, and the run stops where an owner's allocation must
 * (the reserve); vm_page_activate_many queues the run, except a wired
 * page.
 */
KTEST(vm_page, alloc_anons_owns_each_page_and_stops_at_the_reserve)
{
	struct pgcounts b;
	struct vm_anon *anons[4];
	struct vm_page *pgs[4];
	struct pglist held;
	int got;

	KT_EQ(anon_alloc_many(anons, 4), 4);
	counts_take(&b);        /* after the anons: their pool may take a page */
	KT_EQ(vm_page_alloc_anons(pgs, anons, 4, VM_PAGE_ZERO), 4);
	for (int i = 0; i < 4; i++) {
		KT_EQ(pgs[i]->uanon, (uint64_t)anons[i]);
		KT_EQ(pgs[i]->flags, PG_BUSY | PG_FAKE | PG_CLEAN);
		KT_ASSERT(all_bytes(vm_page_kva(pgs[i]), PAGE_SIZE, 0));
		pgs[i]->flags &= ~(PG_BUSY | PG_FAKE);
		anons[i]->an_page = pgs[i];
	}
	KT_EQ(uvmexp.free, b.free - 4);
	vm_page_wire(pgs[2]);
	vm_page_activate_many(pgs, 4);
	KT_EQ(uvmexp.active, b.active + 3);
	KT_EQ(pgs[0]->pqflags | pgs[1]->pqflags | pgs[3]->pqflags, PQ_ACTIVE);
	KT_EQ(pgs[2]->pqflags, 0);
	KT_EQ(vm_page_check(ktest_print), 0);
	vm_page_unwire(pgs[2]);
	for (int i = 0; i < 4; i++) {
		anons[i]->an_ref = 0;
		anon_free(anons[i]);            /* and its page */
	}
	/* Two pages above the reserve: a run of four gets two. */
	vmtest_hold_free(&held, uvmexp.reserve + 2);
	KT_EQ(anon_alloc_many(anons, 4), 4);
	got = vm_page_alloc_anons(pgs, anons, 4, 0);
	for (int i = 0; i < got; i++) {
		pgs[i]->flags &= ~(PG_BUSY | PG_FAKE);
		anons[i]->an_page = pgs[i];
	}
	vmtest_release(&held);
	for (int i = 0; i < 4; i++) {
		anons[i]->an_ref = 0;
		anon_free(anons[i]);
	}
	KT_EQ(got, 2);
	counts_expect(&b);
}

KTEST(vm_page, dequeue_takes_page_off_any_queue)
{
	struct pgcounts b;
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, 0);

	KT_ASSERT(pg != NULL);
	counts_take(&b);
	vm_page_deactivate(pg);
	KT_EQ(uvmexp.inactive, b.inactive + 1);
	vm_page_dequeue(pg);
	KT_EQ(pg->pqflags, 0);
	KT_EQ(uvmexp.inactive, b.inactive);
	vm_page_dequeue(pg);                    /* on no queue: nothing happens */
	KT_EQ(uvmexp.inactive, b.inactive);
	KT_EQ(uvmexp.active, b.active);
	vm_page_free(pg);
	KT_EQ(uvmexp.free, b.free + 1);
	KT_EQ(vm_page_check(ktest_print), 0);
}

static int a_kernel_variable;

KTEST(vm_page, from_phys_round_trip)
{
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, 0);
	paddr_t pa, kpa = KVA_TO_PHYS((vaddr_t)&a_kernel_variable);
	struct vm_page *kpg = vm_page_from_phys(kpa);

	KT_ASSERT(pg != NULL);
	pa = vm_page_phys(pg);
	KT_EQ(pa & PAGE_MASK, 0);
	KT_ASSERT(vm_page_from_phys(pa) == pg);
	KT_ASSERT(vm_page_from_phys(pa + 123) == pg);
	KT_ASSERT(vm_page_from_phys(pa + PAGE_SIZE - 1) == pg);
	KT_ASSERT(vm_page_kva(pg) == PHYS_TO_DMAP(pa));
	vm_page_free(pg);
	/* The kernel image and page 0 are managed but reserved for good. */
	KT_ASSERT(kpg != NULL);
	KT_EQ(vm_page_phys(kpg), ROUND_DOWN(kpa, PAGE_SIZE));
	KT_EQ(kpg->pqflags, PQ_RESERVED);
	KT_ASSERT(vm_page_from_phys(0) == NULL ||
	    vm_page_from_phys(0)->pqflags == PQ_RESERVED);
	/* Device space (the local APIC) and far beyond RAM: unmanaged. */
	KT_ASSERT(vm_page_from_phys(0xfee00000UL) == NULL);
	KT_ASSERT(vm_page_from_phys(1UL << 46) == NULL);
}

/* What vm_page_foreach showed: every page, sorted the way uvmexp counts. */
struct page_walk {
	uint64_t pages, free, active, inactive, reserved, wired;
	uint64_t bad;                   /* pages whose address does not lead back */
	const struct vm_page *target;
	int target_seen;
};

static void
walk_page(struct vm_page *pg, void *arg)
{
	struct page_walk *w = arg;
	paddr_t pa = vm_page_phys(pg);

	w->pages++;
	w->free += (pg->pqflags & PQ_FREE) != 0;
	w->active += (pg->pqflags & PQ_ACTIVE) != 0;
	w->inactive += (pg->pqflags & PQ_INACTIVE) != 0;
	w->reserved += (pg->pqflags & PQ_RESERVED) != 0;
	w->wired += pg->wire_count > 0;
	w->bad += pa != pg->phys_addr || (pa & PAGE_MASK) != 0 ||
	    vm_page_from_phys(pa) != pg;
	w->target_seen += pg == w->target;
}

/* Every managed page once: the counts per queue are uvmexp's. */
KTEST(vm_page, foreach_visits_every_page_once)
{
	struct page_walk w = { 0 };
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, 0);

	KT_ASSERT(pg != NULL);
	vm_page_deactivate(pg);                 /* so one queue is not empty */
	w.target = pg;
	vm_page_foreach(walk_page, &w);
	KT_EQ(w.pages, uvmexp.npages);
	KT_EQ(w.free, uvmexp.free);
	KT_EQ(w.active, uvmexp.active);
	KT_EQ(w.inactive, uvmexp.inactive);
	KT_ASSERT(w.inactive >= 1);
	KT_EQ(w.reserved, uvmexp.reserved);
	KT_EQ(w.wired, uvmexp.wired);
	KT_EQ(w.bad, 0);
	KT_EQ(w.target_seen, 1);
	vm_page_free(pg);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/* The first line vm_page_print gives pg, as it must read. */
static void
expect_page_line(const struct vm_page *pg, const char *queue, const char *flags,
    unsigned wired)
{
	char want[128];

	ksnprintf(want, sizeof(want), "vm_page %p: pa %#lx queue %s flags%s wired %u\n",
	    (const void *)pg, vm_page_phys(pg), queue, flags, wired);
	ktest_capture_reset();
	vm_page_print(pg, ktest_capture);
	KT_EQ(ktest_captured_lines(), 3);       /* the page, its owner, its mappings */
	KT_ASSERT(ktest_captured_has(want));
	KT_ASSERT(ktest_captured_has("  owner: obj "));
	KT_ASSERT(ktest_captured_has("  attrs, 0 mappings\n"));
}

KTEST(vm_page, print_names_address_queue_and_flags)
{
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, 0);
	struct pmap *pm;
	char want[64];
	bool mapped_shown;
	int lines;

	KT_ASSERT(pg != NULL);
	expect_page_line(pg, "none", " BUSY CLEAN FAKE", 0);
	pg->flags &= ~(PG_BUSY | PG_FAKE | PG_CLEAN);
	vm_page_activate(pg);
	expect_page_line(pg, "active", "", 0);
	vm_page_deactivate(pg);
	pg->flags |= PG_WANTED | PG_RELEASED;
	expect_page_line(pg, "inactive", " WANTED RELEASED", 0);
	pg->flags &= ~(PG_WANTED | PG_RELEASED);
	vm_page_wire(pg);
	expect_page_line(pg, "none", "", 1);
	vm_page_unwire(pg);
	/* Mapped once: the mapping gets a line of its own. */
	pm = pmap_create();
	KT_ASSERT(pm != NULL);
	KT_EQ(pmap_enter(pm, 0x400000, vm_page_phys(pg), VM_PROT_READ, 0), 0);
	ksnprintf(want, sizeof(want), "    pmap %p va 0x400000: ", (void *)pm);
	ktest_capture_reset();
	vm_page_print(pg, ktest_capture);
	lines = ktest_captured_lines();
	mapped_shown = ktest_captured_has("  attrs, 1 mapping\n") &&
	    ktest_captured_has(want);
	pmap_remove(pm, 0x400000, 0x400000 + PAGE_SIZE);
	pmap_update(pm);
	pmap_destroy(pm);
	KT_EQ(lines, 4);
	KT_ASSERT(mapped_shown);
	vm_page_free(pg);
	KT_EQ(pg->pqflags & PQ_FREE, PQ_FREE);
	ktest_capture_reset();
	vm_page_print(pg, ktest_capture);
	KT_ASSERT(ktest_captured_has(" queue free flags"));
	KT_EQ(vm_page_check(ktest_print), 0);
}

/* Is line (up to its '\n') a name, spaces, and a decimal number? */
static bool
stat_line_ok(const char *line)
{
	const char *p = line;

	if (!(*p >= 'a' && *p <= 'z'))
		return false;
	while ((*p >= 'a' && *p <= 'z') || *p == '_')
		p++;
	if (*p != ' ')
		return false;
	while (*p == ' ')
		p++;
	if (!(*p >= '0' && *p <= '9'))
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\n';
}

KTEST(vm_page, uvmexp_print_gives_each_counter_a_line)
{
	char want[64];
	const char *s;
	int lines = 0;

	uvmexp_print(ktest_capture);
	s = ktest_captured();
	KT_ASSERT(ktest_captured_len() > 0);
	KT_ASSERT(ktest_captured_len() < KTEST_CAPTURE_SIZE - 1);   /* all of it */
	for (const char *line = s; *line != '\0'; line = strchr(line, '\n') + 1) {
		KT_ASSERT(strchr(line, '\n') != NULL);
		KT_ASSERT(stat_line_ok(line));
		lines++;
	}
	KT_EQ(ktest_captured_lines(), lines);
	KT_ASSERT(lines >= 20);
	/* The values are the counters', read while nothing else runs. */
	ksnprintf(want, sizeof(want), "%-14s %lu\n", "npages", uvmexp.npages);
	KT_EQ(strncmp(s, want, strlen(want)), 0);                 /* the first */
	ksnprintf(want, sizeof(want), "\n%-14s %lu\n", "free", uvmexp.free);
	KT_ASSERT(ktest_captured_has(want));
	ksnprintf(want, sizeof(want), "\n%-14s %lu\n", "reserved", uvmexp.reserved);
	KT_ASSERT(ktest_captured_has(want));
	ksnprintf(want, sizeof(want), "\n%-14s %lu\n", "ptpages", pmap_counters.ptpages);
	KT_ASSERT(ktest_captured_has(want));
	ksnprintf(want, sizeof(want), "\n%-14s %lu\n", "faults", uvmexp.faults);
	KT_ASSERT(ktest_captured_has(want));
}
