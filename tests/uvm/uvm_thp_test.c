/*
 * tests/uvm/uvm_thp_test.c - uvm/uvm_thp.c: 2 MiB pages for private
 * anonymous memory, through real faults in a test address space.
 *
 * Each test sets the switch itself (vmtest_thp), so the suite passes
 * whatever the boot's thp= says.  The assertions are on the mechanism:
 * the PDE's PS bit and frame, the amap's 512 anons and their pages'
 * addresses, the counters, and the data, read back through the pmap.
 * tests/pmap/pmap_large_test.c has the pmap's half (promote, demote).
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/swaptest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_swap.h"
#include "uvm/uvm_thp.h"

#define VA 0x40000000UL         /* 2 MiB aligned */

/* Is the 2 MiB range at va mapped by one PDE? */
static bool
is_large(struct vmtest *t, vaddr_t va)
{
	return (vmtest_pte(t, va) & (PG_V | PG_PS)) == (PG_V | PG_PS);
}

/* The 512 slots at va have anons whose pages are one aligned run. */
static void
expect_one_run(struct vmtest *t, vaddr_t va)
{
	struct vm_anon *a0 = vmtest_anon(t, va);

	KT_ASSERT(a0 != NULL && a0->an_page != NULL);
	paddr_t base = a0->an_page->phys_addr;
	KT_EQ(base & (THP_SIZE - 1), 0);
	for (int i = 0; i < THP_PAGES; i++) {
		struct vm_anon *a = vmtest_anon(t, va + PG(i));
		KT_ASSERT(a != NULL && a->an_ref == 1 && a->an_page != NULL);
		KT_EQ(a->an_page->phys_addr, base + PG(i));
		KT_EQ(a->an_page->uanon, a);
	}
}

/* Each of the 512 pages at va is mapped once, by its own PV entry. */
static void
expect_own_pv_entries(struct vmtest *t, vaddr_t va)
{
	for (int i = 0; i < THP_PAGES; i++) {
		struct vm_page *pg = vmtest_anon(t, va + PG(i))->an_page;
		KT_ASSERT(pg->md.pv_list == &pg->md.pv_own && pg->md.pv_count == 1);
		KT_ASSERT(pg->md.pv_own.pv_pmap == t->map->pmap);
		KT_EQ(pg->md.pv_own.pv_va, va + PG(i));
	}
}

/*
 * The first fault in an aligned 2 MiB range of a big enough private
 * entry fills all 512 pages from one physical run, zeroed, and the pmap
 * maps them with one PDE; the next range is untouched until faulted.
 */
KTEST(thp, a_fault_fills_its_aligned_range_and_maps_it_with_one_pde)
{
	struct vmtest t;

	vmtest_thp(true);
	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VA, 2 * THP_PAGES);
	uint64_t fills = uvmexp.thp_fills, zf = uvmexp.flt_zerofill;
	uint64_t promotions = pmap_counters.promotions;
	uint64_t pooled = pmap_counters.pv_pooled;
	KT_EQ(uvm_fault(t.map, va + PG(3), VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.thp_fills, fills + 1);
	KT_EQ(uvmexp.flt_zerofill, zf + 1);
	KT_EQ(pmap_counters.promotions, promotions + 1);
	KT_ASSERT(is_large(&t, va));
	KT_EQ(vmtest_pte(&t, va) & (PG_RW | PG_U | PG_NX), PG_RW | PG_U | PG_NX);
	expect_one_run(&t, va);
	expect_own_pv_entries(&t, va);          /* none from the pool */
	KT_EQ(pmap_counters.pv_pooled, pooled);
	KT_EQ(vmtest_pte(&t, va) & PG_LGFRAME, vmtest_anon(&t, va)->an_page->phys_addr);
	KT_EQ(t.map->pmap->pm_stats.large, 1);
	KT_EQ(t.map->pmap->pm_stats.resident, (uint64_t)THP_PAGES);
	KT_ASSERT(vmtest_anon(&t, va + THP_SIZE) == NULL);
	vmtest_activate(&t);
	for (int i = 0; i < THP_PAGES; i += 51)
		KT_EQ(*(volatile uint64_t *)(va + PG(i) + 8 * (vaddr_t)i), 0);
	vmtest_deactivate(&t);
	KT_EQ(amap_check_all(ktest_print), 0);
	KT_EQ(pmap_check_all(ktest_print), 0);
	vmtest_end(&t);
}

/*
 * The 4 KiB path, for everything not eligible: the switch off, an entry
 * smaller than the aligned range, a range that has an anon already.
 */
KTEST(thp, switch_off_small_entry_or_used_range_take_4k_pages)
{
	struct vmtest t;
	uint64_t fills = uvmexp.thp_fills;

	vmtest_thp(false);
	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VA, THP_PAGES);
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	KT_ASSERT(!is_large(&t, va));
	KT_ASSERT(vmtest_anon(&t, va + PG(THP_PAGES - 1)) == NULL);
	uvm_thp_on = true;                              /* slot 0 is used now */
	KT_EQ(uvm_fault(t.map, va + PG(100), VM_PROT_WRITE), 0);
	KT_ASSERT(!is_large(&t, va));
	KT_ASSERT(vmtest_anon(&t, va + PG(300)) == NULL);
	KT_EQ(uvmexp.thp_fills, fills);
	vmtest_end(&t);

	vmtest_begin(&t);
	va = vmtest_map_anon(&t, VA, THP_PAGES - 1);   /* one page short */
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	KT_ASSERT(!is_large(&t, va));
	KT_EQ(uvmexp.thp_fills, fills);
	vmtest_end(&t);
}

/*
 * madvise(MADV_NOHUGEPAGE) (entry->thp UVM_THP_NEVER) keeps a range at
 * 4 KiB pages: no fill, and no promotion when its pages fill a table
 * with one run after all; MADV_HUGEPAGE on the next range allows both.
 */
KTEST(thp, nohugepage_advice_keeps_4k_pages_and_hugepage_allows_2m)
{
	struct vmtest t;

	vmtest_thp(true);
	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VA, 2 * THP_PAGES);
	KT_EQ(uvm_map_thp(t.map, va, va + THP_SIZE, UVM_THP_NEVER), 0);
	KT_EQ(uvm_map_thp(t.map, va + THP_SIZE, va + 2 * THP_SIZE, UVM_THP_HUGE), 0);
	uint64_t fills = uvmexp.thp_fills;
	for (int i = 0; i < THP_PAGES; i++)
		KT_EQ(uvm_fault(t.map, va + PG(i), VM_PROT_WRITE), 0);
	KT_ASSERT(!is_large(&t, va));
	KT_EQ(uvmexp.thp_fills, fills);
	KT_EQ(uvm_fault(t.map, va + THP_SIZE, VM_PROT_WRITE), 0);
	KT_ASSERT(is_large(&t, va + THP_SIZE));
	KT_EQ(uvmexp.thp_fills, fills + 1);
	vmtest_end(&t);
}

/*
 * After fork both sides share the 512 anons; a write on either side
 * copies that one page (the PDE is demoted on that side first) and the
 * other side keeps the original.
 */
KTEST(thp, copy_on_write_after_fork_demotes_and_copies_one_page)
{
	struct vmtest p, c;

	vmtest_thp(true);
	vmtest_begin(&p);
	vaddr_t va = vmtest_map_anon(&p, VA, THP_PAGES);
	swaptest_fill(&p, va, THP_PAGES, 0x71);
	KT_ASSERT(is_large(&p, va));
	expect_one_run(&p, va);
	vmtest_fork(&p, &c);
	KT_EQ(uvm_fault(c.map, va + PG(10), VM_PROT_WRITE), 0);    /* 1B */
	KT_ASSERT(vmtest_anon(&c, va + PG(10)) != vmtest_anon(&p, va + PG(10)));
	KT_EQ(vmtest_anon(&p, va + PG(10))->an_ref, 1);
	KT_EQ(uvm_fault(p.map, va + PG(20), VM_PROT_WRITE), 0);
	KT_ASSERT(!is_large(&p, va));                   /* demoted for the copy */
	KT_EQ(vmtest_pte(&p, va + PG(20)) & PG_FRAME,
	    vmtest_anon(&p, va + PG(20))->an_page->phys_addr);
	KT_EQ(vmtest_pte(&p, va + PG(21)) & PG_FRAME,
	    vmtest_anon(&p, va + PG(21))->an_page->phys_addr);
	swaptest_verify(&c, va, THP_PAGES, 0x71);
	swaptest_verify(&p, va, THP_PAGES, 0x71);
	KT_EQ(pmap_check_all(ktest_print), 0);
	vmtest_end(&c);
	vmtest_end(&p);
}

/*
 * fork and the child's exit leave the parent's 2 MiB mapping read-only
 * over 512 anons that are its own again: its next write makes the whole
 * mapping writable (one PDE), with no split and no copy.
 */
KTEST(thp, a_write_after_the_child_is_gone_makes_the_whole_pde_writable)
{
	struct vmtest p, c;

	vmtest_thp(true);
	vmtest_begin(&p);
	vaddr_t va = vmtest_map_anon(&p, VA, THP_PAGES);
	swaptest_fill(&p, va, THP_PAGES, 0x75);
	vmtest_fork(&p, &c);
	KT_EQ(vmtest_pte(&p, va) & (PG_PS | PG_RW), PG_PS);   /* read-only now */
	vmtest_end(&c);
	uint64_t reuses = uvmexp.thp_reuses, demotions = pmap_counters.demotions;
	uint64_t cows = uvmexp.flt_cow;
	KT_EQ(uvm_fault(p.map, va + PG(300), VM_PROT_WRITE), 0);
	KT_EQ(vmtest_pte(&p, va) & (PG_PS | PG_RW), PG_PS | PG_RW);
	KT_EQ(uvmexp.thp_reuses, reuses + 1);
	KT_EQ(pmap_counters.demotions, demotions);
	KT_EQ(uvmexp.flt_cow, cows);
	expect_one_run(&p, va);
	expect_own_pv_entries(&p, va);
	swaptest_verify(&p, va, THP_PAGES, 0x75);
	KT_EQ(pmap_check_all(ktest_print), 0);
	vmtest_end(&p);
}

/*
 * mprotect of one page demotes; giving the write back and writing the
 * page again refills the table with the same run, which promotes again.
 * mlock of one page demotes too (a wired PTE is never part of a PDE).
 */
KTEST(thp, mprotect_and_mlock_of_one_page_demote_and_writes_promote_again)
{
	struct vmtest t;

	vmtest_thp(true);
	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VA, THP_PAGES);
	swaptest_fill(&t, va, THP_PAGES, 0x72);
	KT_ASSERT(is_large(&t, va));
	uint64_t demotions = pmap_counters.demotions;
	KT_EQ(uvm_map_protect(t.map, va + PG(7), va + PG(8), VM_PROT_READ, false), 0);
	KT_ASSERT(!is_large(&t, va));
	KT_EQ(pmap_counters.demotions, demotions + 1);
	KT_EQ(vmtest_pte(&t, va + PG(7)) & (PG_V | PG_RW), PG_V);
	KT_EQ(uvm_map_protect(t.map, va + PG(7), va + PG(8), VM_PROT_READ | VM_PROT_WRITE,
	    false), 0);
	KT_EQ(uvm_fault(t.map, va + PG(7), VM_PROT_WRITE), 0);
	KT_ASSERT(is_large(&t, va));                    /* promoted again */
	expect_one_run(&t, va);
	KT_EQ(uvm_map_pageable(t.map, va + PG(30), va + PG(31), false), 0);
	KT_ASSERT(!is_large(&t, va));
	KT_ASSERT(vmtest_pte(&t, va + PG(30)) & PG_WIRED);
	KT_EQ(uvm_map_pageable(t.map, va + PG(30), va + PG(31), true), 0);
	swaptest_verify(&t, va, THP_PAGES, 0x72);
	KT_EQ(pmap_check_all(ktest_print), 0);
	vmtest_end(&t);
}

/*
 * The page daemon pushes out part of a large page: the PDE is demoted,
 * those pages go to swap one by one, the others stay mapped; faulting
 * them back gives the same data.  (Suite swap: it needs the swap boot.)
 */
KTEST_OWN_BOOT(swap, thp_swap_out_and_in_of_part_of_a_large_page)
{
	struct vmtest t;

	vmtest_thp(true);
	swaptest_on();
	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VA, THP_PAGES);
	swaptest_fill(&t, va, THP_PAGES, 0x73);
	KT_ASSERT(is_large(&t, va));
	KT_EQ(swaptest_push_out(&t, va + PG(64), 32), 32);
	KT_ASSERT(!is_large(&t, va));
	for (int i = 64; i < 96; i++) {
		KT_ASSERT(vmtest_anon(&t, va + PG(i))->an_page == NULL);
		KT_ASSERT(vmtest_anon(&t, va + PG(i))->an_swslot != 0);
		KT_EQ(vmtest_pte(&t, va + PG(i)) & PG_V, 0);
	}
	KT_ASSERT(vmtest_pte(&t, va + PG(63)) & PG_V);
	KT_ASSERT(vmtest_pte(&t, va + PG(96)) & PG_V);
	swaptest_verify(&t, va, THP_PAGES, 0x73);
	KT_EQ(pmap_check_all(ktest_print), 0);
	vmtest_end(&t);
}

/*
 * With plenty of free pages but no whole 2 MiB run among them (every
 * run broken by one page held), an eligible fault falls back to 4 KiB
 * pages and says so in thp_fallbacks.
 */
KTEST(thp, no_whole_free_run_falls_back_to_4k_pages)
{
	static struct vm_page *runs[4096];      /* static: big */
	struct vmtest t;
	int n = 0;

	vmtest_thp(true);
	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VA, THP_PAGES);
	while (n < 4096 && vm_page_alloc_contig(THP_PAGES, THP_SIZE, ~(paddr_t)0,
	    0, &runs[n]) == 0)
		n++;
	/* Give back all but the first page of each run: free, not whole. */
	for (int i = 0; i < n; i++) {
		for (int k = 1; k < THP_PAGES; k++)
			vm_page_free(&runs[i][k]);
	}
	uint64_t fallbacks = uvmexp.thp_fallbacks, fills = uvmexp.thp_fills;
	KT_EQ(uvm_fault(t.map, va + PG(5), VM_PROT_WRITE), 0);
	bool eligible = uvmexp.free >= 2 * uvmexp.freetarg + THP_PAGES;
	for (int i = 0; i < n; i++)
		vm_page_free(&runs[i][0]);
	KT_ASSERT(eligible);
	KT_EQ(uvmexp.thp_fallbacks, fallbacks + 1);
	KT_EQ(uvmexp.thp_fills, fills);
	KT_ASSERT(!is_large(&t, va));
	KT_ASSERT(vmtest_anon(&t, va + PG(5)) != NULL);
	vmtest_end(&t);
}

/*
 * Memory pressure: a program touching more than RAM gets 2 MiB runs
 * while memory lasts, then 4 KiB pages; the page daemon demotes the
 * large mappings it takes pages from and writes those pages out one by
 * one; every page reads back right.  (Suite swap: the swap boot.)
 */
KTEST_OWN_BOOT(swap, thp_memory_pressure_demotes_and_pages_out_large_pages)
{
	struct vmtest t;
	int n = ROUND_UP((int)uvmexp.free + 4096, THP_PAGES);
	uint64_t fills = uvmexp.thp_fills, demotions = pmap_counters.demotions;
	uint64_t out = uvmexp.pageouts;

	vmtest_thp(true);
	swaptest_on();
	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VA, n);
	swaptest_fill(&t, va, n, 0x74);
	KT_ASSERT(uvmexp.thp_fills > fills);
	KT_ASSERT(pmap_counters.demotions > demotions);
	KT_ASSERT(uvmexp.pageouts - out >= 4096);
	swaptest_verify(&t, va, n, 0x74);
	KT_EQ(pmap_check_all(ktest_print), 0);
	KT_EQ(uvm_swap_check(ktest_print), 0);
	vmtest_end(&t);
}
