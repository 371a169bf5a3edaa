/*
 * tests/uvm/uvm_fault_ahead_test.c - uvm/uvm_fault_ahead.c: the fault
 * handler's speed-ups, and the switch that turns them off.
 *
 * The correctness of each case is tests/uvm/uvm_fault_test.c's; here
 * the question is only how much one fault does: which neighbours it maps
 * (by advice), when a forward sweep gets pages zero-filled or copied
 * ahead, and that with faultahead=0 it does nothing but its own page.
 * Each test sets the switch itself (vmtest_fault_ahead), so the suite
 * passes whatever the boot's faultahead= says.
 *
 * The suite is fault_speed: its tests check the reference's speed-ups
 * (the counts 3 back, 4 forward, 15 ahead, a file's block of 16 are
 * choices, not rules), so a
 * simple correct fault handler - a lab's (docs/labs.md) - may fail them
 * and still pass every correctness suite, which pass with faultahead=0.
 */
#include "kern/core/ktest.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"

#define BASE 0x10000000UL

/* Pages [va + first, va + first + n) have anons and PTEs, or none. */
static void
expect_zero_filled(struct vmtest *t, vaddr_t va, int first, int n, bool there)
{
	for (int i = first; i < first + n; i++) {
		vaddr_t a = va + (vaddr_t)i * PAGE_SIZE;
		struct vm_anon *anon = vmtest_anon(t, a);
		KT_EQ(anon != NULL, there);
		KT_EQ((vmtest_pte(t, a) & PG_V) != 0, there);
		if (there)
			KT_EQ(*(uint64_t *)vm_page_kva(anon->an_page), 0);
	}
}

/*
 * A zero-fill right after a page the process already has zero-fills the
 * next FAULT_AHEAD (15) pages too; an isolated touch, random advice
 * or the entry's end stop it.
 */
KTEST(fault_speed, zero_fill_ahead_follows_a_forward_touch)
{
	struct vmtest t;

	vmtest_fault_ahead(true);
	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 24);
	uint64_t zf = uvmexp.flt_zerofill, za = uvmexp.flt_zeroahead;
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);      /* isolated */
	KT_EQ(uvmexp.flt_zeroahead, za);
	expect_zero_filled(&t, va, 1, 23, false);
	KT_EQ(uvm_fault(t.map, va + PAGE_SIZE, VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.flt_zerofill, zf + 2);
	KT_EQ(uvmexp.flt_zeroahead, za + 15);
	expect_zero_filled(&t, va, 0, 17, true);
	expect_zero_filled(&t, va, 17, 7, false);
	/* The next forward fault stops at the entry's end. */
	KT_EQ(uvm_fault(t.map, va + 17 * PAGE_SIZE, VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.flt_zeroahead, za + 15 + 6);
	expect_zero_filled(&t, va, 0, 24, true);
	KT_EQ(amap_check_all(ktest_print), 0);
	vmtest_end(&t);

	/* Random advice: one page per fault. */
	vmtest_begin(&t);
	va = vmtest_map_anon(&t, BASE, 8);
	KT_EQ(uvm_map_advice(t.map, va, va + 8 * PAGE_SIZE, UVM_ADV_RANDOM), 0);
	za = uvmexp.flt_zeroahead;
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	KT_EQ(uvm_fault(t.map, va + PAGE_SIZE, VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.flt_zeroahead, za);
	expect_zero_filled(&t, va, 2, 6, false);
	vmtest_end(&t);
}

/*
 * After fork, a child writing forward copies the first page (1B), the
 * second (1B, the first is private now) and with it the next 15 shared
 * pages (copy ahead); the parent keeps the originals, unshared (an_ref 1).
 */
KTEST(fault_speed, copy_ahead_follows_a_forward_write_sweep)
{
	struct vmtest p, c;

	vmtest_fault_ahead(true);
	vmtest_begin(&p);
	vaddr_t va = vmtest_map_anon(&p, BASE, 20);
	for (int i = 0; i < 20; i++)
		KT_EQ(uvm_fault(p.map, va + (vaddr_t)i * PAGE_SIZE, VM_PROT_WRITE), 0);
	vmtest_fork(&p, &c);
	uint64_t cow = uvmexp.flt_cow, ca = uvmexp.flt_cowahead;
	KT_EQ(uvm_fault(c.map, va, VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.flt_cowahead, ca);                 /* the first: alone */
	KT_EQ(vmtest_anon(&c, va + PAGE_SIZE)->an_ref, 2);
	KT_EQ(uvm_fault(c.map, va + PAGE_SIZE, VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.flt_cow, cow + 2);
	KT_EQ(uvmexp.flt_cowahead, ca + 15);
	for (int i = 0; i < 20; i++) {
		vaddr_t a = va + (vaddr_t)i * PAGE_SIZE;
		struct vm_anon *ca_ = vmtest_anon(&c, a), *pa = vmtest_anon(&p, a);
		bool copied = i < 17;
		KT_EQ(ca_ != pa, copied);
		KT_EQ(pa->an_ref, copied ? 1 : 2);
		KT_EQ((vmtest_pte(&c, a) & (PG_V | PG_RW)) == (PG_V | PG_RW), copied);
		/* The parent keeps its read-only mapping of the original: the
		 * copy went into the child's private amap only. */
		KT_EQ(vmtest_pte(&p, a) & (PG_V | PG_RW), PG_V);
		KT_EQ(vmtest_pte(&p, a) & PG_FRAME, pa->an_page->phys_addr);
	}
	KT_EQ(amap_check_all(ktest_print), 0);
	KT_EQ(pmap_check_all(ktest_print), 0);
	vmtest_end(&c);
	vmtest_end(&p);
}

/* Fault-ahead maps resident neighbours by advice and never allocates. */
static void
check_fault_ahead(int advice, int nback, int nforw)
{
	struct vmtest t;

	vmtest_fault_ahead(true);
	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 32);
	KT_EQ(uvm_map_advice(t.map, va, va + 32 * PAGE_SIZE, advice), 0);
	for (int i = 0; i < 32; i++)
		KT_EQ(uvm_fault(t.map, va + (vaddr_t)i * PAGE_SIZE, VM_PROT_WRITE), 0);
	pmap_remove(t.vm->vm_map.pmap, va, va + 32 * PAGE_SIZE);
	pmap_update(t.vm->vm_map.pmap);
	uint64_t nb = uvmexp.flt_neighbor;
	struct vm_baseline b;
	vm_baseline_take(&b);
	vaddr_t center = va + 16 * PAGE_SIZE;
	KT_EQ(uvm_fault(t.map, center, VM_PROT_READ), 0);
	KT_EQ(uvmexp.flt_neighbor, nb + (uint64_t)(nback + nforw));
	/* Nothing allocated but page tables (and PV entries, from a pool):
	 * no anon, no data page. */
	vm_baseline_expect(&b);
	for (int i = -10; i <= 10; i++) {
		bool mapped = vmtest_pte(&t, center + (vaddr_t)(i * (long)PAGE_SIZE)) & PG_V;
		KT_EQ(mapped, i >= -nback && i <= nforw);
	}
	vmtest_end(&t);
}

KTEST(fault_speed, fault_ahead_normal_three_back_four_forward)
{
	check_fault_ahead(UVM_ADV_NORMAL, 3, 4);
}

KTEST(fault_speed, fault_ahead_sequential_eight_back_seven_forward)
{
	check_fault_ahead(UVM_ADV_SEQUENTIAL, 8, 7);
}

KTEST(fault_speed, fault_ahead_random_maps_only_the_page)
{
	check_fault_ahead(UVM_ADV_RANDOM, 0, 0);
}

/*
 * A fault in a file mapping (normal advice) maps the resident pages of
 * the 16-page aligned block around it, Linux's fault-around: a reader of
 * a cached file traps once per 16 pages.  Pages 16..31 of a 40-page file,
 * all resident, page 23 read: 15 neighbours, nothing outside the block,
 * nothing allocated; a page not resident in the block stays unmapped.
 * They go in as runs, each one pmap_enter_pages (one lock, one table
 * walk): 16..22, 24..28 and 30..31.
 */
KTEST(fault_speed, a_file_fault_maps_the_resident_block_of_sixteen_around_it_in_runs)
{
	struct vmtest t;
	size_t size = 40 * PAGE_SIZE;

	vmtest_fault_ahead(true);
	vmtest_begin(&t);
	uint8_t *data;
	struct uvm_object *uobj = vmtest_memobj(size, 0x3c, &data);
	vaddr_t va = vmtest_map(&t, BASE, 40, uobj, VM_PROT_READ, 0);
	for (int i = 0; i < 40; i++)
		if (i != 29)
			KT_EQ(uvm_fault(t.map, va + (vaddr_t)i * PAGE_SIZE, VM_PROT_READ), 0);
	pmap_remove(t.vm->vm_map.pmap, va, va + size);
	pmap_update(t.vm->vm_map.pmap);
	KT_EQ(uobj->uo_npages, 39);
	uint64_t nb = uvmexp.flt_neighbor, alloc = uvmexp.pga_alloc;
	uint64_t runs = uvmexp.flt_nbruns;
	KT_EQ(uvm_fault(t.map, va + 23 * PAGE_SIZE, VM_PROT_READ), 0);
	KT_EQ(uvmexp.flt_neighbor, nb + 14);    /* 16..31 but 23 and 29 */
	KT_EQ(uvmexp.flt_nbruns, runs + 3);
	KT_EQ(uvmexp.pga_alloc, alloc);
	for (int i = 0; i < 40; i++) {
		uint64_t pte = vmtest_pte(&t, va + (vaddr_t)i * PAGE_SIZE);
		KT_EQ(!!(pte & PG_V), i >= 16 && i < 32 && i != 29);
		KT_EQ(pte & PG_RW, 0);                  /* a read-only mapping */
	}
	uvm_unmap(t.map, va, va + size);
	vmtest_memobj_free(uobj, data, size);
	vmtest_end(&t);
}

/*
 * A fault in a wired (mlocked) entry maps no neighbours: they are all
 * mapped and wired already, and entering one again without PG_WIRED
 * would drop its wiring (pte_replaced).  mlock a shared file mapping
 * read-only, make it writable, write one page: every PTE stays wired.
 */
KTEST(fault_speed, a_fault_in_a_wired_entry_leaves_the_neighbours_wired)
{
	struct vmtest t;
	size_t size = 16 * PAGE_SIZE;

	vmtest_fault_ahead(true);
	vmtest_begin(&t);
	struct uvm_object *uobj = uao_create(size, 0);
	uao_reference(uobj);                    /* the mapping's */
	vaddr_t va = vmtest_map(&t, BASE, 16, uobj, VM_PROT_READ, 0);
	KT_EQ(uvm_map_pageable(t.map, va, va + size, false), 0);
	KT_EQ(t.map->pmap->pm_stats.wired, 16);
	KT_EQ(uvm_map_protect(t.map, va, va + size,
	    VM_PROT_READ | VM_PROT_WRITE, false), 0);
	uint64_t nb = uvmexp.flt_neighbor;
	KT_EQ(uvm_fault(t.map, va + 5 * PAGE_SIZE, VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.flt_neighbor, nb);
	KT_EQ(t.map->pmap->pm_stats.wired, 16);
	for (int i = 0; i < 16; i++)
		KT_EQ(vmtest_pte(&t, va + (vaddr_t)i * PAGE_SIZE) & PG_WIRED, PG_WIRED);
	KT_EQ(uvm_map_pageable(t.map, va, va + size, true), 0);
	KT_EQ(t.map->pmap->pm_stats.wired, 0);
	uvm_unmap(t.map, va, va + size);
	uao_detach(uobj);
	vmtest_end(&t);
}

/*
 * The block is cut to the entry: a 10-page file mapping that starts 5
 * pages into a 16-page block (and ends inside it) gets the 9 other pages
 * of its own, none outside it - nothing before its start is looked up.
 */
KTEST(fault_speed, fault_around_stays_inside_an_entry_smaller_than_the_block)
{
	struct vmtest t;
	size_t size = 10 * PAGE_SIZE;
	vaddr_t at = BASE + 5 * PAGE_SIZE;

	vmtest_fault_ahead(true);
	vmtest_begin(&t);
	uint8_t *data;
	struct uvm_object *uobj = vmtest_memobj(size, 0x3d, &data);
	vaddr_t va = vmtest_map(&t, at, 10, uobj, VM_PROT_READ, 0);
	KT_EQ(va, at);
	for (int i = 0; i < 10; i++)
		KT_EQ(uvm_fault(t.map, va + (vaddr_t)i * PAGE_SIZE, VM_PROT_READ), 0);
	pmap_remove(t.vm->vm_map.pmap, va, va + size);
	pmap_update(t.vm->vm_map.pmap);
	uint64_t nb = uvmexp.flt_neighbor;
	KT_EQ(uvm_fault(t.map, va + 3 * PAGE_SIZE, VM_PROT_READ), 0);
	KT_EQ(uvmexp.flt_neighbor, nb + 9);
	for (int i = -5; i < 11; i++) {
		bool mapped = vmtest_pte(&t, va + (vaddr_t)(i * (long)PAGE_SIZE)) & PG_V;
		KT_EQ(mapped, i >= 0 && i < 10);
	}
	uvm_unmap(t.map, va, va + size);
	vmtest_memobj_free(uobj, data, size);
	vmtest_end(&t);
}

/*
 * The upper layer's neighbours after fork, once the child is gone: the
 * parent's pages are unshared again (an_ref 1) but still mapped
 * read-only.  A write fault on one upgrades its read-only neighbours to
 * writable (each would otherwise fault on its own), and a fault next to
 * neighbours already mapped with every right they would get re-enters
 * none of them.
 */
KTEST(fault_speed, neighbours_upgraded_when_unshared_and_skipped_when_mapped)
{
	struct vmtest p, c;
	vaddr_t va, center;
	uint64_t nb;

	vmtest_fault_ahead(true);
	vmtest_begin(&p);
	va = vmtest_map_anon(&p, BASE, 16);
	KT_EQ(uvm_map_advice(p.map, va, va + 16 * PAGE_SIZE, UVM_ADV_NORMAL), 0);
	for (int i = 0; i < 16; i++)
		KT_EQ(uvm_fault(p.map, va + (vaddr_t)i * PAGE_SIZE, VM_PROT_WRITE), 0);
	vmtest_fork(&p, &c);
	vmtest_end(&c);
	center = va + 8 * PAGE_SIZE;
	KT_EQ(vmtest_anon(&p, center + PAGE_SIZE)->an_ref, 1);
	KT_EQ(vmtest_pte(&p, center + PAGE_SIZE) & (PG_V | PG_RW), PG_V);
	nb = uvmexp.flt_neighbor;
	KT_EQ(uvm_fault(p.map, center, VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.flt_neighbor, nb + 3 + 4);
	for (int i = -3; i <= 4; i++)
		KT_EQ(vmtest_pte(&p, center + (vaddr_t)(i * (long)PAGE_SIZE)) &
		    (PG_V | PG_RW), PG_V | PG_RW);
	KT_EQ(vmtest_pte(&p, center + 5 * PAGE_SIZE) & (PG_V | PG_RW), PG_V);
	/* Without the center's PTE, a fault there again: its neighbours
	 * 5..12 are all writable already, so none is entered. */
	pmap_remove(p.vm->vm_map.pmap, center, center + PAGE_SIZE);
	pmap_update(p.vm->vm_map.pmap);
	nb = uvmexp.flt_neighbor;
	KT_EQ(uvm_fault(p.map, center, VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.flt_neighbor, nb);
	KT_EQ(vmtest_pte(&p, center) & (PG_V | PG_RW), PG_V | PG_RW);
	KT_EQ(pmap_check_all(ktest_print), 0);
	vmtest_end(&p);
}


/* The fault-ahead counters, to see that none moves. */
struct ahead_counters {
	uint64_t neighbor, zeroahead, cowahead;
};

static struct ahead_counters
ahead_counters(void)
{
	return (struct ahead_counters){ uvmexp.flt_neighbor,
		uvmexp.flt_zeroahead, uvmexp.flt_cowahead };
}

static void
expect_ahead_counters(const struct ahead_counters *c)
{
	KT_EQ(uvmexp.flt_neighbor, c->neighbor);
	KT_EQ(uvmexp.flt_zeroahead, c->zeroahead);
	KT_EQ(uvmexp.flt_cowahead, c->cowahead);
}

/* Of pages [va, va + n pages), exactly those in [first, last] are mapped. */
static void
expect_mapped_only(struct vmtest *t, vaddr_t va, int n, int first, int last)
{
	for (int i = 0; i < n; i++) {
		bool mapped = vmtest_pte(t, va + (vaddr_t)i * PAGE_SIZE) & PG_V;
		KT_EQ(mapped, i >= first && i <= last);
	}
}

/*
 * With the switch off (faultahead=0) a fault maps exactly its own page:
 * a forward write sweep zero-fills one page a fault, a sweep of copies
 * copies one, a fault next to resident pages maps none of them, and the
 * fault-ahead counters stay where they were.
 */
KTEST(fault_speed, switched_off_a_fault_maps_only_its_page)
{
	struct vmtest p, c;
	struct ahead_counters before;

	vmtest_fault_ahead(false);
	vmtest_begin(&p);
	vaddr_t va = vmtest_map_anon(&p, BASE, 20);
	before = ahead_counters();
	for (int i = 0; i < 20; i++) {          /* a forward sweep: zero-fill */
		KT_EQ(uvm_fault(p.map, va + (vaddr_t)i * PAGE_SIZE, VM_PROT_WRITE), 0);
		expect_mapped_only(&p, va, 20, 0, i);
	}
	vmtest_fork(&p, &c);
	for (int i = 0; i < 4; i++) {           /* a forward sweep: copies */
		KT_EQ(uvm_fault(c.map, va + (vaddr_t)i * PAGE_SIZE, VM_PROT_WRITE), 0);
		KT_EQ(vmtest_anon(&c, va + (vaddr_t)(i + 1) * PAGE_SIZE)->an_ref, 2);
		expect_mapped_only(&c, va, 20, 0, i);
	}
	/* Resident neighbours all around: still only the page itself. */
	pmap_remove(p.vm->vm_map.pmap, va, va + 20 * PAGE_SIZE);
	pmap_update(p.vm->vm_map.pmap);
	KT_EQ(uvm_fault(p.map, va + 10 * PAGE_SIZE, VM_PROT_READ), 0);
	expect_mapped_only(&p, va, 20, 10, 10);
	expect_ahead_counters(&before);
	KT_EQ(amap_check_all(ktest_print), 0);
	vmtest_end(&c);
	vmtest_end(&p);
}
