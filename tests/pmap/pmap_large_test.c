/*
 * tests/pmap/pmap_large_test.c - pmap/pmap.c's large mappings: a leaf
 * table promoted to one 2 MiB PDE and demoted back, asserted on the PDE
 * and PTE bits, the parked table, the PV lists, the counters and the
 * data, with pmap_check_all after each step.
 *
 * Each test maps one physical 2 MiB run (vm_page_alloc_contig) at
 * LVA in a private pmap, page by page with PMAP_PROMOTE, as the fault
 * handler does, and writes a pattern through the direct map first: page
 * i holds i in its first word, so a wrong frame anywhere shows.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "uvm/uvm_page.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)
#define RO VM_PROT_READ
#define LPAGES 512
#define LVA 0x40000000UL        /* 2 MiB aligned */

#define CHECK_ALL() KT_EQ(pmap_check_all(ktest_print), 0)

struct run {
	struct pmap *pm;
	struct vm_page *pg;     /* the first of LPAGES */
};

static void
run_free(void *arg)
{
	struct run *r = arg;

	if (r->pm != NULL)
		pmap_destroy(r->pm);    /* removes the run's mappings */
	if (r->pg != NULL)
		vm_page_free_contig(r->pg, LPAGES);
}

/* A pmap and a 2 MiB run, page i holding i; freed when the test ends. */
static void
run_begin(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->pm = pmap_create();
	KT_ASSERT(r->pm != NULL);
	KT_EQ(vm_page_alloc_contig(LPAGES, NBPD_L2, ~(paddr_t)0, 0, &r->pg), 0);
	ktest_cleanup_push(run_free, r);
	for (int i = 0; i < LPAGES; i++) {
		r->pg[i].flags &= ~(PG_BUSY | PG_FAKE);
		memset(vm_page_kva(&r->pg[i]), 0, PAGE_SIZE);
		*(uint64_t *)vm_page_kva(&r->pg[i]) = (uint64_t)i;
	}
}

/* Enter pages [from, to) of the run at LVA with prot and flags. */
static void
run_enter(struct run *r, int from, int to, vm_prot_t prot, int flags)
{
	for (int i = from; i < to; i++) {
		KT_EQ(pmap_enter(r->pm, LVA + (vaddr_t)i * PAGE_SIZE,
		    r->pg[i].phys_addr, prot, flags), 0);
	}
}

static uint64_t
pde(const struct run *r)
{
	return pmap_pte_lookup(r->pm, LVA);
}

/* Read word 0 of page i through the pmap itself (CR3 = r->pm). */
static uint64_t
read_through(struct run *r, int i)
{
	uint64_t v;

	pmap_activate(r->pm);
	v = *(volatile uint64_t *)(LVA + (vaddr_t)i * PAGE_SIZE);
	pmap_activate(pmap_kernel());
	return v;
}

/* Every page of the run is where it belongs (through the pmap). */
static void
expect_data(struct run *r)
{
	for (int i = 0; i < LPAGES; i += 37)
		KT_EQ(read_through(r, i), (uint64_t)i);
	KT_EQ(read_through(r, LPAGES - 1), (uint64_t)(LPAGES - 1));
}

/* One aligned run filling a table with PMAP_PROMOTE becomes one PDE. */
KTEST(pmap_large, the_last_page_of_an_aligned_run_promotes_the_table)
{
	static struct run r;   /* the cleanup runs after the test returns */
	uint64_t promotions = pmap_counters.promotions;

	run_begin(&r);
	run_enter(&r, 0, LPAGES - 1, RW, PMAP_PROMOTE);
	KT_EQ(pde(&r) & PG_PS, 0);                      /* 511: not yet */
	uint64_t tables = r.pm->pm_stats.ptpages;
	run_enter(&r, LPAGES - 1, LPAGES, RW, PMAP_PROMOTE);
	KT_EQ(pde(&r) & (PG_V | PG_PS | PG_RW | PG_U | PG_NX | PG_WIRED | PG_PVLIST),
	    PG_V | PG_PS | PG_RW | PG_U | PG_NX | PG_PVLIST);
	KT_EQ(pde(&r) & PG_LGFRAME, r.pg[0].phys_addr);
	KT_EQ(pmap_pte_lookup(r.pm, LVA + 300 * PAGE_SIZE), pde(&r));
	KT_EQ(pmap_counters.promotions, promotions + 1);
	KT_EQ(r.pm->pm_stats.large, 1);
	KT_EQ(r.pm->pm_stats.resident, LPAGES);
	KT_EQ(r.pm->pm_stats.ptpages, tables);          /* the table is parked */
	KT_EQ(r.pg[300].md.pv_count, 1);                /* per-page PV entries */
	paddr_t pa;
	KT_ASSERT(pmap_extract(r.pm, LVA + 300 * PAGE_SIZE + 8, &pa));
	KT_EQ(pa, r.pg[300].phys_addr + 8);
	expect_data(&r);
	CHECK_ALL();
}

/* Anything but one aligned run of alike, unwired pages stays 512 PTEs. */
KTEST(pmap_large, mixed_bits_wiring_or_no_promote_flag_keep_the_table)
{
	static struct run r;   /* the cleanup runs after the test returns */
	uint64_t promotions = pmap_counters.promotions;

	run_begin(&r);
	run_enter(&r, 0, LPAGES, RW, 0);                /* no PMAP_PROMOTE */
	KT_EQ(pde(&r) & PG_PS, 0);
	run_enter(&r, 7, 8, RO, PMAP_PROMOTE);          /* one page read-only */
	KT_EQ(pde(&r) & PG_PS, 0);
	run_enter(&r, 7, 8, RW, PMAP_PROMOTE | PMAP_WIRED);
	KT_EQ(pde(&r) & PG_PS, 0);                      /* one page wired */
	pmap_unwire(r.pm, LVA + 7 * PAGE_SIZE);
	/* Pages 0 and 1 swapped: the frames are not in order. */
	KT_EQ(pmap_enter(r.pm, LVA, r.pg[1].phys_addr, RW, PMAP_PROMOTE), 0);
	KT_EQ(pmap_enter(r.pm, LVA + PAGE_SIZE, r.pg[0].phys_addr, RW, PMAP_PROMOTE), 0);
	KT_EQ(pde(&r) & PG_PS, 0);
	KT_EQ(pmap_counters.promotions, promotions);
	/* Put in order again: now it promotes. */
	run_enter(&r, 0, 2, RW, PMAP_PROMOTE);
	KT_ASSERT(pde(&r) & PG_PS);
	KT_EQ(pmap_counters.promotions, promotions + 1);
	CHECK_ALL();
}

/*
 * mprotect of all of it changes the PDE alone; of one page demotes, and
 * entering that page again as it was promotes again: a cycle, the data
 * in place all the way.
 */
KTEST(pmap_large, protect_of_part_demotes_and_the_next_fill_promotes_again)
{
	static struct run r;   /* the cleanup runs after the test returns */

	run_begin(&r);
	run_enter(&r, 0, LPAGES, RW, PMAP_PROMOTE);
	uint64_t demotions = pmap_counters.demotions;
	pmap_protect(r.pm, LVA, LVA + NBPD_L2, RO);
	pmap_update(r.pm);
	KT_EQ(pde(&r) & (PG_PS | PG_RW), PG_PS);        /* still one PDE */
	KT_EQ(pmap_counters.demotions, demotions);
	run_enter(&r, 0, LPAGES, RW, PMAP_PROMOTE);     /* back to RW */
	KT_EQ(pde(&r) & (PG_PS | PG_RW), PG_PS | PG_RW);
	KT_EQ(pmap_counters.demotions, demotions + 1);  /* the first enter */

	for (int cycle = 0; cycle < 3; cycle++) {
		pmap_protect(r.pm, LVA + 100 * PAGE_SIZE, LVA + 101 * PAGE_SIZE, RO);
		pmap_update(r.pm);
		KT_EQ(pde(&r) & PG_PS, 0);
		KT_EQ(pmap_pte_lookup(r.pm, LVA + 100 * PAGE_SIZE) & (PG_V | PG_RW), PG_V);
		KT_EQ(pmap_pte_lookup(r.pm, LVA + 99 * PAGE_SIZE) & (PG_V | PG_RW),
		    PG_V | PG_RW);
		KT_EQ(r.pm->pm_stats.large, 0);
		CHECK_ALL();
		expect_data(&r);
		run_enter(&r, 100, 101, RW, PMAP_PROMOTE);
		KT_ASSERT(pde(&r) & PG_PS);
		KT_EQ(r.pm->pm_stats.large, 1);
		CHECK_ALL();
	}
	KT_EQ(pmap_counters.demotions, demotions + 4);
	expect_data(&r);
}

/*
 * munmap of one page demotes and removes it alone; of all 2 MiB removes
 * the PDE in one step and frees the parked table.
 */
KTEST(pmap_large, remove_of_part_demotes_and_of_all_frees_the_parked_table)
{
	static struct run r;   /* the cleanup runs after the test returns */

	run_begin(&r);
	uint64_t tables = r.pm->pm_stats.ptpages, removed = pmap_counters.large_removed;
	run_enter(&r, 0, LPAGES, RW, PMAP_PROMOTE);
	pmap_remove(r.pm, LVA + 5 * PAGE_SIZE, LVA + 6 * PAGE_SIZE);
	KT_EQ(pde(&r) & PG_PS, 0);
	KT_EQ(pmap_pte_lookup(r.pm, LVA + 5 * PAGE_SIZE) & PG_V, 0);
	KT_EQ(r.pg[5].md.pv_count, 0);
	KT_EQ(r.pg[6].md.pv_count, 1);
	KT_EQ(r.pm->pm_stats.resident, LPAGES - 1);
	CHECK_ALL();
	run_enter(&r, 5, 6, RW, PMAP_PROMOTE);
	KT_ASSERT(pde(&r) & PG_PS);
	uint64_t with_table = r.pm->pm_stats.ptpages;
	pmap_remove(r.pm, LVA, LVA + NBPD_L2);
	KT_EQ(pmap_pte_lookup(r.pm, LVA), 0);
	KT_EQ(pmap_counters.large_removed, removed + 1);
	KT_EQ(r.pm->pm_stats.resident, 0);
	KT_EQ(r.pm->pm_stats.large, 0);
	KT_ASSERT(r.pm->pm_stats.ptpages < with_table);
	KT_ASSERT(r.pm->pm_stats.ptpages <= tables + 3);
	for (int i = 0; i < LPAGES; i++)
		KT_EQ(r.pg[i].md.pv_count, 0);
	CHECK_ALL();
}

/*
 * The calls that start from a page (the page daemon's) demote the large
 * mapping and change that page alone.
 */
KTEST(pmap_large, page_side_calls_demote_and_change_one_page)
{
	static struct run r;   /* the cleanup runs after the test returns */

	run_begin(&r);
	run_enter(&r, 0, LPAGES, RW, PMAP_PROMOTE);
	pmap_page_protect(&r.pg[7], RO);
	KT_EQ(pde(&r) & PG_PS, 0);
	KT_EQ(pmap_pte_lookup(r.pm, LVA + 7 * PAGE_SIZE) & (PG_V | PG_RW), PG_V);
	KT_EQ(pmap_pte_lookup(r.pm, LVA + 8 * PAGE_SIZE) & (PG_V | PG_RW), PG_V | PG_RW);
	run_enter(&r, 7, 8, RW, PMAP_PROMOTE);
	KT_ASSERT(pde(&r) & PG_PS);
	pmap_page_protect(&r.pg[9], VM_PROT_NONE);      /* pageout: unmap it */
	KT_EQ(pmap_pte_lookup(r.pm, LVA + 9 * PAGE_SIZE) & PG_V, 0);
	KT_EQ(r.pg[9].md.pv_count, 0);
	KT_EQ(r.pm->pm_stats.resident, LPAGES - 1);
	CHECK_ALL();
	run_enter(&r, 9, 10, RW, PMAP_PROMOTE);
	KT_ASSERT(pde(&r) & PG_PS);
	/* A read of the A bit does not split it; clearing it does. */
	uint64_t demotions = pmap_counters.demotions;
	(void)read_through(&r, 3);
	KT_ASSERT(pmap_is_referenced(&r.pg[3]));
	KT_EQ(pmap_counters.demotions, demotions);
	KT_ASSERT(pmap_clear_reference(&r.pg[3]));
	KT_EQ(pmap_counters.demotions, demotions + 1);
	KT_EQ(pmap_pte_lookup(r.pm, LVA + 3 * PAGE_SIZE) & PG_A, 0);
	KT_ASSERT(pmap_pte_lookup(r.pm, LVA + 4 * PAGE_SIZE) & PG_A);
	expect_data(&r);
	CHECK_ALL();
}

/*
 * No write is lost: a D bit set in a PTE before promotion, or in the
 * PDE after, reaches every page's PTE on demotion, and the pages'
 * attributes when the mapping goes.
 */
KTEST(pmap_large, dirty_bits_survive_promotion_demotion_and_removal)
{
	static struct run r;   /* the cleanup runs after the test returns */

	run_begin(&r);
	run_enter(&r, 0, LPAGES - 1, RW, PMAP_PROMOTE);
	pmap_activate(r.pm);
	*(volatile uint64_t *)(LVA + 10 * PAGE_SIZE + 8) = 0xd1;   /* D in a PTE */
	pmap_activate(pmap_kernel());
	run_enter(&r, LPAGES - 1, LPAGES, RW, PMAP_PROMOTE);
	KT_EQ(pde(&r) & (PG_PS | PG_M), PG_PS | PG_M);  /* gathered */
	KT_ASSERT(pmap_is_modified(&r.pg[10]));
	KT_ASSERT(pmap_clear_modify(&r.pg[10]));        /* demotes */
	KT_EQ(pde(&r) & PG_PS, 0);
	KT_EQ(pmap_pte_lookup(r.pm, LVA + 10 * PAGE_SIZE) & PG_M, 0);
	KT_ASSERT(pmap_pte_lookup(r.pm, LVA + 11 * PAGE_SIZE) & PG_M);
	run_enter(&r, 10, 11, RW, PMAP_PROMOTE);        /* promote again */
	KT_ASSERT(pde(&r) & PG_PS);
	pmap_activate(r.pm);
	*(volatile uint64_t *)(LVA + 200 * PAGE_SIZE + 8) = 0xd2;  /* D in the PDE */
	pmap_activate(pmap_kernel());
	pmap_remove(r.pm, LVA, LVA + NBPD_L2);
	KT_ASSERT(r.pg[200].md.attrs & PMAP_ATTR_MOD);
	KT_ASSERT(r.pg[10].md.attrs & PMAP_ATTR_MOD);
	KT_EQ(((uint64_t *)vm_page_kva(&r.pg[200]))[1], 0xd2);
	KT_EQ(((uint64_t *)vm_page_kva(&r.pg[10]))[1], 0xd1);
	CHECK_ALL();
}

/*
 * mremap's pmap_move: to a 2 MiB-aligned place the PDE moves whole (PV
 * entries renamed, the old table freed); to any other place the mapping
 * is demoted and moved page by page.
 */
KTEST(pmap_large, move_carries_the_pde_whole_or_demotes_when_misaligned)
{
	static struct run r;    /* the cleanup runs after the test returns */
	vaddr_t to = LVA + 4 * NBPD_L2, odd = LVA + 8 * NBPD_L2 + PAGE_SIZE;

	run_begin(&r);
	run_enter(&r, 0, LPAGES, RW, PMAP_PROMOTE);
	uint64_t demotions = pmap_counters.demotions, tables = r.pm->pm_stats.ptpages;
	pmap_move(r.pm, LVA, to, NBPD_L2);
	KT_EQ(pmap_pte_lookup(r.pm, LVA + 3 * PAGE_SIZE) & PG_V, 0);
	KT_EQ(pmap_pte_lookup(r.pm, to) & (PG_PS | PG_LGFRAME), PG_PS | r.pg[0].phys_addr);
	KT_EQ(pmap_counters.demotions, demotions);
	KT_EQ(r.pm->pm_stats.large, 1);
	KT_EQ(r.pm->pm_stats.resident, LPAGES);
	KT_ASSERT(r.pm->pm_stats.ptpages <= tables + 1);  /* old PD may stay */
	CHECK_ALL();
	pmap_move(r.pm, to, odd, NBPD_L2);
	KT_EQ(pmap_counters.demotions, demotions + 1);
	KT_EQ(pmap_pte_lookup(r.pm, odd + 3 * PAGE_SIZE) & PG_FRAME, r.pg[3].phys_addr);
	KT_EQ(r.pm->pm_stats.resident, LPAGES);
	KT_EQ(r.pm->pm_stats.large, 0);
	CHECK_ALL();
	pmap_remove(r.pm, odd, odd + NBPD_L2);
}

/* pmap_destroy with a large mapping in place leaves nothing behind. */
KTEST(pmap_large, destroy_removes_a_large_mapping_whole)
{
	static struct run r;   /* the cleanup runs after the test returns */

	run_begin(&r);
	run_enter(&r, 0, LPAGES, RW, PMAP_PROMOTE);
	KT_ASSERT(pde(&r) & PG_PS);
	pmap_destroy(r.pm);
	r.pm = NULL;
	for (int i = 0; i < LPAGES; i++)
		KT_EQ(r.pg[i].md.pv_count, 0);
	CHECK_ALL();
}

/*
 * pmap_enter_large makes in one step what 512 enters and a promotion
 * make: one PDE, a PV entry per page, a parked table - and refuses a
 * range that has a page mapped already.
 */
KTEST(pmap_large, enter_large_maps_a_run_in_one_step_or_refuses_a_used_range)
{
	static struct run r;    /* the cleanup runs after the test returns */

	run_begin(&r);
	KT_EQ(pmap_enter(r.pm, LVA + 9 * PAGE_SIZE, r.pg[9].phys_addr, RW, 0), 0);
	KT_EQ(pmap_enter_large(r.pm, LVA, r.pg, RW), -EBUSY);
	KT_EQ(r.pg[0].md.pv_count, 0);
	KT_EQ(r.pg[9].md.pv_count, 1);
	pmap_remove(r.pm, LVA + 9 * PAGE_SIZE, LVA + 10 * PAGE_SIZE);
	CHECK_ALL();
	uint64_t promotions = pmap_counters.promotions;
	KT_EQ(pmap_enter_large(r.pm, LVA, r.pg, RW), 0);
	pmap_update(r.pm);
	KT_EQ(pde(&r) & (PG_V | PG_PS | PG_RW | PG_U | PG_PVLIST),
	    PG_V | PG_PS | PG_RW | PG_U | PG_PVLIST);
	KT_EQ(pde(&r) & PG_LGFRAME, r.pg[0].phys_addr);
	KT_EQ(pmap_counters.promotions, promotions + 1);
	KT_EQ(r.pm->pm_stats.resident, LPAGES);
	for (int i = 0; i < LPAGES; i++)
		KT_EQ(r.pg[i].md.pv_count, 1);
	CHECK_ALL();
	expect_data(&r);
	pmap_protect(r.pm, LVA, LVA + PAGE_SIZE, RO);   /* demotes */
	KT_EQ(pde(&r) & PG_PS, 0);
	KT_EQ(pmap_pte_lookup(r.pm, LVA + PAGE_SIZE) & PG_FRAME, r.pg[1].phys_addr);
	CHECK_ALL();
	expect_data(&r);
}

/*
 * A run whose pages another pmap maps already: pmap_enter_large gives
 * those pages an entry from the pool each (their own is the other
 * pmap's) and the rest their own; removing the PDE gives the pool's back.
 */
KTEST(pmap_large, enter_large_over_pages_mapped_elsewhere_takes_pool_entries_for_them)
{
	static struct run r;    /* the cleanup runs after the test returns */
	static const int shared[] = { 0, 100, 511 };
	struct pmap *other = pmap_create();
	uint64_t pooled0 = pmap_counters.pv_pooled;

	KT_ASSERT(other != NULL);
	run_begin(&r);
	for (int k = 0; k < 3; k++)
		KT_EQ(pmap_enter(other, 0x1000 + (vaddr_t)k * PAGE_SIZE,
		    r.pg[shared[k]].phys_addr, RO, 0), 0);
	KT_EQ(pmap_enter_large(r.pm, LVA, r.pg, RW), 0);
	KT_EQ(pmap_counters.pv_pooled, pooled0 + 3);
	for (int k = 0; k < 3; k++) {
		KT_EQ(r.pg[shared[k]].md.pv_count, 2);
		KT_ASSERT(r.pg[shared[k]].md.pv_own.pv_pmap == other);
	}
	KT_ASSERT(r.pg[1].md.pv_own.pv_pmap == r.pm && r.pg[1].md.pv_count == 1);
	CHECK_ALL();
	pmap_destroy(other);
	KT_EQ(pmap_counters.pv_pooled, pooled0 + 3);    /* r.pm's, still mapped */
	KT_ASSERT(r.pg[0].md.pv_own.pv_pmap == NULL && r.pg[0].md.pv_count == 1);
	CHECK_ALL();
	pmap_remove(r.pm, LVA, LVA + NBPD_L2);
	pmap_update(r.pm);
	KT_EQ(pmap_counters.pv_pooled, pooled0);
	for (int i = 0; i < LPAGES; i++)
		KT_ASSERT(r.pg[i].md.pv_list == NULL && r.pg[i].md.pv_own.pv_pmap == NULL);
	CHECK_ALL();
}
