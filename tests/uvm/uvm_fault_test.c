/*
 * tests/uvm/uvm_fault_test.c - uvm/uvm_fault.c, case by case: what a
 * fault must do to be correct.  The speed-ups (uvm/uvm_fault_ahead.c)
 * have their own tests, tests/uvm/uvm_fault_ahead_test.c; every test
 * here passes with them on (the default) and off (faultahead=0), so none
 * may count on a neighbour being mapped or a page done ahead.
 *
 * Each test builds a test vmspace, maps ranges into it and faults them two
 * ways: by calling uvm_fault() directly, and by real loads and stores with
 * the vmspace's pmap loaded (the kernel touching user addresses faults
 * through trap() into uvm_fault, as copyin will).  After every step it
 * checks the mechanism: which fault counter moved, the entry's flags, the
 * amap slot and the anon's reference count, and the PTE bits.  Wiring is
 * tested through uvm_map_pageable and through uvm_fault_wire and
 * uvm_fault_unwire called directly (PG_WIRED and the pages' wire counts).
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/core/panic.h"
#include "kern/core/thread.h"
#include "kern/arch/trap.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "pmap/vmlayout.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"

#define BASE 0x10000000UL

KTEST(fault, zero_fill_on_first_touch)
{
	struct vmtest t;
	struct vm_anon *anon;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 4);
	uint64_t zf = uvmexp.flt_zerofill;

	/* A read of fresh anonymous memory: a zero page, in a new anon. */
	KT_EQ(uvm_fault(t.map, va + 0x10, VM_PROT_READ), 0);
	KT_EQ(uvmexp.flt_zerofill, zf + 1);
	anon = vmtest_anon(&t, va);
	KT_ASSERT(anon != NULL && anon->an_page != NULL);
	KT_EQ(anon->an_ref, 1);
	KT_EQ(anon->an_page->uanon, (uint64_t)anon);
	KT_EQ(vmtest_pte(&t, va) & (PG_V | PG_U), PG_V | PG_U);
	KT_EQ(vmtest_pte(&t, va) & PG_FRAME, anon->an_page->phys_addr);
	KT_EQ(*(uint64_t *)vm_page_kva(anon->an_page), 0);
	/* The entry got its own amap on the way: no longer needs-copy. */
	KT_EQ(vmtest_entry(&t, va)->etype & UVM_ET_NEEDSCOPY, 0);
	vmtest_end(&t);
}

KTEST(fault, real_store_faults_through_trap)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 2);
	uint64_t faults = uvmexp.faults;

	vmtest_activate(&t);
	*(volatile uint64_t *)(va + 8) = 0xfeed;    /* trap -> uvm_fault */
	uint64_t back = *(volatile uint64_t *)(va + 8);
	vmtest_deactivate(&t);
	KT_EQ(back, 0xfeed);
	KT_EQ(uvmexp.faults, faults + 1);
	KT_EQ(vmtest_pte(&t, va) & (PG_RW | PG_M), PG_RW | PG_M);
	KT_EQ(((uint64_t *)vm_page_kva(vmtest_anon(&t, va)->an_page))[1], 0xfeed);
	vmtest_end(&t);
}

KTEST(fault, unmapped_address_and_protection_errors)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t ro = vmtest_map(&t, BASE, 1, NULL, VM_PROT_READ, UVM_FLAG_COPYONWRITE);
	KT_EQ(uvm_fault(t.map, BASE + 0x100000, VM_PROT_READ), -EFAULT);
	KT_EQ(uvm_fault(t.map, ro, VM_PROT_WRITE), -EACCES);
	KT_EQ(uvm_fault(t.map, ro, VM_PROT_EXECUTE), -EACCES);
	KT_EQ(vmtest_pte(&t, ro), 0);
	vmtest_end(&t);
}

KTEST(fault, case_1a_maps_an_existing_anon)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 1);
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	struct vm_anon *anon = vmtest_anon(&t, va);
	/* Drop the PTE; the anon keeps the page.  The next fault is 1A. */
	pmap_remove(t.vm->vm_map.pmap, va, va + PAGE_SIZE);
	pmap_update(t.vm->vm_map.pmap);
	uint64_t a = uvmexp.flt_anon, zf = uvmexp.flt_zerofill;
	KT_EQ(uvm_fault(t.map, va, VM_PROT_READ), 0);
	KT_EQ(uvmexp.flt_anon, a + 1);
	KT_EQ(uvmexp.flt_zerofill, zf);
	KT_EQ(vmtest_anon(&t, va), (uint64_t)anon);
	KT_EQ(vmtest_pte(&t, va) & PG_FRAME, anon->an_page->phys_addr);
	KT_ASSERT(vmtest_pte(&t, va) & PG_RW);      /* unshared: writable */
	vmtest_end(&t);
}

KTEST(fault, case_1b_copies_a_shared_anon_on_write)
{
	struct vmtest t, c;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 1);
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	struct vm_anon *old = vmtest_anon(&t, va);
	*(uint64_t *)vm_page_kva(old->an_page) = 11;
	vmtest_fork(&t, &c);
	/* Both entries needs-copy over one amap; the parent lost write access. */
	KT_ASSERT(vmtest_entry(&t, va)->etype & UVM_ET_NEEDSCOPY);
	KT_ASSERT(vmtest_entry(&c, va)->etype & UVM_ET_NEEDSCOPY);
	KT_EQ(vmtest_entry(&t, va)->aref.ar_amap, (uint64_t)vmtest_entry(&c, va)->aref.ar_amap);
	KT_EQ(vmtest_pte(&t, va) & PG_RW, 0);
	uint64_t cow = uvmexp.flt_cow;
	KT_EQ(uvm_fault(c.map, va, VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.flt_cow, cow + 1);
	struct vm_anon *copy = vmtest_anon(&c, va);
	KT_ASSERT(copy != old && copy->an_ref == 1 && old->an_ref == 1);
	KT_EQ(*(uint64_t *)vm_page_kva(copy->an_page), 11);
	KT_ASSERT(copy->an_page != old->an_page);
	KT_ASSERT(vmtest_pte(&c, va) & PG_RW);
	KT_EQ(vmtest_entry(&c, va)->etype & UVM_ET_NEEDSCOPY, 0);
	vmtest_end(&c);
	vmtest_end(&t);
}

KTEST(fault, case_2a_maps_an_object_page)
{
	struct vmtest t;

	vmtest_begin(&t);
	struct uvm_object *uobj = uao_create(4 * PAGE_SIZE, 0);
	KT_ASSERT(uobj != NULL);
	/* A shared mapping of the aobj: object pages are mapped directly. */
	vaddr_t va = vmtest_map(&t, BASE, 4, uobj, VM_PROT_READ | VM_PROT_WRITE, 0);
	uint64_t obj = uvmexp.flt_obj;
	KT_EQ(uvm_fault(t.map, va + PAGE_SIZE, VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.flt_obj, obj + 1);
	mutex_enter(&uobj->vmobjlock);
	struct vm_page *pg = uvm_obj_page_lookup(uobj, PAGE_SIZE);
	mutex_exit(&uobj->vmobjlock);
	KT_ASSERT(pg != NULL && pg->uobject == uobj);
	KT_EQ(vmtest_pte(&t, va + PAGE_SIZE) & PG_FRAME, pg->phys_addr);
	KT_ASSERT(vmtest_pte(&t, va + PAGE_SIZE) & PG_RW);
	KT_ASSERT(vmtest_entry(&t, va)->aref.ar_amap == NULL);   /* no anon layer */
	vmtest_end(&t);
}

KTEST(fault, case_2b_promotes_an_object_page_on_private_write)
{
	struct vmtest t;

	vmtest_begin(&t);
	struct uvm_object *uobj = uao_create(2 * PAGE_SIZE, 0);
	KT_ASSERT(uobj != NULL);
	vaddr_t va = vmtest_map(&t, BASE, 2, uobj, VM_PROT_READ | VM_PROT_WRITE,
	    UVM_FLAG_COPYONWRITE);
	/* A read maps the object page read-only (2A, copy-on-write entry). */
	KT_EQ(uvm_fault(t.map, va, VM_PROT_READ), 0);
	KT_EQ(vmtest_pte(&t, va) & PG_RW, 0);
	mutex_enter(&uobj->vmobjlock);
	struct vm_page *opg = uvm_obj_page_lookup(uobj, 0);
	mutex_exit(&uobj->vmobjlock);
	*(uint64_t *)vm_page_kva(opg) = 99;
	/* A write promotes it into a private anon holding a copy. */
	uint64_t pr = uvmexp.flt_promote;
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.flt_promote, pr + 1);
	struct vm_anon *anon = vmtest_anon(&t, va);
	KT_ASSERT(anon != NULL && anon->an_page != opg);
	KT_EQ(*(uint64_t *)vm_page_kva(anon->an_page), 99);
	KT_EQ(vmtest_pte(&t, va) & PG_FRAME, anon->an_page->phys_addr);
	KT_ASSERT(vmtest_pte(&t, va) & PG_RW);
	/* The object's page is untouched by writes through the mapping. */
	*(uint64_t *)vm_page_kva(anon->an_page) = 5;
	KT_EQ(*(uint64_t *)vm_page_kva(opg), 99);
	vmtest_end(&t);
}

/* Data pages wired (page-table pages are wired too: counted apart). */
static uint64_t
wired_data_pages(void)
{
	return uvmexp.wired - pmap_counters.ptpages;
}

/* n data pages more than wired0 are wired, and t's pmap counts n wired. */
static void
expect_wired_count(struct vmtest *t, uint64_t wired0, uint64_t n)
{
	KT_EQ(wired_data_pages(), wired0 + n);
	KT_EQ(t->map->pmap->pm_stats.wired, n);
}

/*
 * Pages [va, va + n pages) are mapped, each by its anon's page, and all
 * wired (PTE PG_WIRED, page wire_count 1, on no paging queue) or all not
 * (no PG_WIRED, wire_count 0).
 */
static void
expect_wired(struct vmtest *t, vaddr_t va, int n, bool wired)
{
	for (int i = 0; i < n; i++) {
		vaddr_t a = va + (vaddr_t)i * PAGE_SIZE;
		uint64_t pte = vmtest_pte(t, a);
		struct vm_anon *anon = vmtest_anon(t, a);
		KT_ASSERT(pte & PG_V);
		KT_ASSERT(anon != NULL && anon->an_page != NULL);
		KT_EQ(pte & PG_FRAME, anon->an_page->phys_addr);
		KT_EQ(pte & PG_WIRED, wired ? PG_WIRED : 0);
		KT_EQ(anon->an_page->wire_count, wired ? 1 : 0);
		if (wired)
			KT_EQ(anon->an_page->pqflags & PQ_QUEUES, 0);
	}
}

KTEST(fault, wired_fault_wires_page_and_pte)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 3);
	uint64_t wired0 = wired_data_pages();
	KT_EQ(uvm_map_pageable(t.map, va, va + 3 * PAGE_SIZE, false), 0);
	KT_EQ(vmtest_entry(&t, va)->wired_count, 1);
	expect_wired(&t, va, 3, true);
	expect_wired_count(&t, wired0, 3);
	KT_EQ(uvm_map_pageable(t.map, va, va + 3 * PAGE_SIZE, true), 0);
	KT_EQ(vmtest_entry(&t, va)->wired_count, 0);
	KT_EQ(vmtest_pte(&t, va) & PG_WIRED, 0);
	expect_wired_count(&t, wired0, 0);
	KT_EQ(uvm_map_pageable(t.map, va, va + PAGE_SIZE, true), -EINVAL);
	vmtest_end(&t);
}

/*
 * uvm_fault_wire and uvm_fault_unwire on their own, as uvm_map_pageable
 * uses them: the pages and PTEs are wired and unwired; the entry's
 * wired_count is the map's business and stays 0.
 */
KTEST(fault, fault_wire_then_unwire_directly)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 3);
	uint64_t wired0 = wired_data_pages();
	KT_EQ(uvm_fault_wire(t.map, va, va + 2 * PAGE_SIZE, VM_PROT_READ), 0);
	expect_wired(&t, va, 2, true);
	/* Wiring a private page makes it private now: writable after a read. */
	KT_ASSERT(vmtest_pte(&t, va) & PG_RW);
	KT_EQ(vmtest_entry(&t, va)->etype & UVM_ET_NEEDSCOPY, 0);
	KT_EQ(vmtest_pte(&t, va + 2 * PAGE_SIZE), 0);   /* no fault-ahead */
	expect_wired_count(&t, wired0, 2);
	KT_EQ(vmtest_entry(&t, va)->wired_count, 0);
	KT_EQ(pmap_check_all(ktest_print), 0);
	/* Unwire all three: the page never mapped is skipped. */
	vm_map_lock(t.map);
	uvm_fault_unwire(t.map, va, va + 3 * PAGE_SIZE);
	vm_map_unlock(t.map);
	expect_wired(&t, va, 2, false);
	KT_EQ(vmtest_anon(&t, va)->an_page->pqflags & PQ_QUEUES, PQ_ACTIVE);
	KT_EQ(vmtest_pte(&t, va + 2 * PAGE_SIZE), 0);
	expect_wired_count(&t, wired0, 0);
	KT_EQ(vm_page_check(ktest_print), 0);
	vmtest_end(&t);
}

/*
 * mprotect(PROT_NONE) of a wired page takes its PTE away, not its wiring.
 * Unwiring finds the page through the entry's amap, so munlock and
 * munmap give it back (it was found through the PTE: the page stayed
 * wired, and freeing its anon at exit tripped on wire_count).
 */
KTEST(fault, unwire_finds_a_wired_page_without_its_pte)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 2), second = va + PAGE_SIZE;
	uint64_t wired0 = wired_data_pages();
	KT_EQ(uvm_map_pageable(t.map, va, va + 2 * PAGE_SIZE, false), 0);
	struct vm_page *pg = vmtest_anon(&t, second)->an_page;
	KT_EQ(uvm_map_protect(t.map, second, second + PAGE_SIZE, VM_PROT_NONE, false), 0);
	KT_EQ(vmtest_pte(&t, second), 0);
	KT_EQ(pg->wire_count, 1);
	KT_EQ(vmtest_anon(&t, second)->an_page, (uint64_t)pg);
	KT_EQ(vmtest_entry(&t, second)->wired_count, 1);
	KT_EQ(uvm_map_pageable(t.map, va, va + 2 * PAGE_SIZE, true), 0);
	KT_EQ(pg->wire_count, 0);
	KT_EQ(pg->pqflags & PQ_QUEUES, PQ_ACTIVE);
	expect_wired_count(&t, wired0, 0);
	/* The same with munmap doing the unwiring. */
	KT_EQ(uvm_map_protect(t.map, second, second + PAGE_SIZE, VM_PROT_ALL, false), 0);
	KT_EQ(uvm_map_pageable(t.map, va, va + 2 * PAGE_SIZE, false), 0);
	KT_EQ(uvm_map_protect(t.map, va, va + PAGE_SIZE, VM_PROT_NONE, false), 0);
	uvm_unmap(t.map, va, va + 2 * PAGE_SIZE);
	KT_EQ(wired_data_pages(), wired0);
	vmtest_end(&t);
}

/*
 * A wired read-only page shared with a fork, made writable and written:
 * case 1B copies it, and the wiring moves to the copy (the shared page
 * is the child's again, unwired; the copy cannot be paged out).
 */
KTEST(fault, copy_in_a_wired_entry_takes_the_wiring_along)
{
	struct vmtest t, c;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 1);
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	vmtest_fork(&t, &c);
	KT_EQ(uvm_map_protect(t.map, va, va + PAGE_SIZE, VM_PROT_READ, false), 0);
	KT_EQ(uvm_map_pageable(t.map, va, va + PAGE_SIZE, false), 0);
	struct vm_anon *shared = vmtest_anon(&t, va);
	KT_EQ(shared->an_ref, 2);
	KT_EQ(shared->an_page->wire_count, 1);
	KT_EQ(uvm_map_protect(t.map, va, va + PAGE_SIZE, VM_PROT_READ | VM_PROT_WRITE, false), 0);
	uint64_t cow = uvmexp.flt_cow;
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	KT_EQ(uvmexp.flt_cow, cow + 1);
	struct vm_anon *copy = vmtest_anon(&t, va);
	KT_ASSERT(copy != shared);
	KT_EQ(copy->an_page->wire_count, 1);
	KT_EQ(shared->an_page->wire_count, 0);
	KT_ASSERT(vmtest_pte(&t, va) & PG_WIRED);
	KT_EQ(uvm_map_pageable(t.map, va, va + PAGE_SIZE, true), 0);
	KT_EQ(copy->an_page->wire_count, 0);
	vmtest_end(&c);
	vmtest_end(&t);
}

/* A range running past the mapping: -EFAULT, and what was wired is undone. */
KTEST(fault, fault_wire_failure_leaves_nothing_wired)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 2);
	uint64_t wired0 = wired_data_pages();
	KT_EQ(uvm_fault_wire(t.map, va, va + 3 * PAGE_SIZE, VM_PROT_READ), -EFAULT);
	expect_wired(&t, va, 2, false);         /* faulted in, then unwired */
	expect_wired_count(&t, wired0, 0);
	/* A forbidden access fails on the first page: nothing is mapped. */
	vaddr_t ro = vmtest_map(&t, BASE + 0x100000, 2, NULL, VM_PROT_READ,
	    UVM_FLAG_COPYONWRITE);
	KT_EQ(uvm_fault_wire(t.map, ro, ro + 2 * PAGE_SIZE, VM_PROT_EXECUTE), -EACCES);
	KT_EQ(vmtest_pte(&t, ro), 0);
	expect_wired_count(&t, wired0, 0);
	vmtest_end(&t);
}

/*
 * A pager that "sleeps" while bringing a page in, and while it does,
 * something else changes the map (here: the pager itself maps a page
 * elsewhere).  The fault must notice the new timestamp and start again.
 */
struct slowobj {
	struct uvm_object obj;
	struct vm_map *map;         /* the map to change while "asleep" */
	int pokes;                  /* how many more times to change it */
};

static int
slow_get(struct uvm_object *uobj, voff_t off, int centeridx,
    struct vm_page **pps, int *npagesp, vm_prot_t access, int advice, int flags)
{
	struct slowobj *so = container_of(uobj, struct slowobj, obj);

	(void)access;
	(void)advice;
	if (flags & PGO_LOCKED)
		return vmtest_pager_locked(uobj, off, centeridx, pps, *npagesp);
	if (so->pokes > 0) {
		vaddr_t va = 0x70000000;
		so->pokes--;
		uvm_map(so->map, &va, PAGE_SIZE, NULL, UVM_UNKNOWN_OFFSET, 0,
		    UVM_MAPFLAG(VM_PROT_READ, VM_PROT_ALL, MAP_INHERIT_COPY,
		    UVM_ADV_NORMAL, UVM_FLAG_FIXED | UVM_FLAG_COPYONWRITE));
	}
	pps[0] = vmtest_pager_page(uobj, off, 0x5100);
	return 0;
}

static const struct uvm_pagerops slow_pager = {
	.pgo_name = "slowtest",
	.pgo_reference = vmtest_pager_reference,
	.pgo_detach = vmtest_pager_detach,
	.pgo_get = slow_get,
};

KTEST(fault, restart_when_the_map_changes_during_pagein)
{
	static struct slowobj so;
	struct vmtest t;

	vmtest_begin(&t);
	uvm_obj_init(&so.obj, &slow_pager, 1, "slowtest");
	so.map = t.map;
	so.pokes = 1;
	vaddr_t va = vmtest_map(&t, BASE, 4, &so.obj, VM_PROT_READ, 0);
	uint64_t restarts = uvmexp.flt_restart, ts = t.map->timestamp;
	KT_EQ(uvm_fault(t.map, va + PAGE_SIZE, VM_PROT_READ), 0);
	KT_EQ(uvmexp.flt_restart, restarts + 1);
	KT_ASSERT(t.map->timestamp != ts);
	KT_EQ(t.map->nentries, 2);              /* the pager's mapping is there */
	KT_EQ(so.obj.uo_npages, 1);             /* and the page, brought in once */
	uint64_t pte = vmtest_pte(&t, va + PAGE_SIZE);
	KT_ASSERT(pte & PG_V);
	KT_EQ(*(uint64_t *)PHYS_TO_DMAP(pte & PG_FRAME), 0x5100 + PAGE_SIZE);
	KT_EQ(vm_page_from_phys(pte & PG_FRAME)->flags & PG_BUSY, 0);
	vmtest_end(&t);
	KT_EQ(so.obj.uo_refs, 0);
}

/*
 * The counter table, after this test has made one fault of each case
 * itself (by running the case tests above): it must not depend on what
 * ran before it, so `make test KTEST=fault/counters_table` passes alone.
 */
KTEST(fault, counters_table)
{
	struct uvmexp before = uvmexp;

	ktest_fn_fault_case_1a_maps_an_existing_anon();
	ktest_fn_fault_case_1b_copies_a_shared_anon_on_write();
	ktest_fn_fault_case_2a_maps_an_object_page();
	ktest_fn_fault_case_2b_promotes_an_object_page_on_private_write();
	ktest_print("fault counters (whole run so far):\n");
	ktest_print("  %-12s %8s   %s\n", "counter", "value", "case");
	ktest_print("  %-12s %8lu   %s\n", "faults", uvmexp.faults, "all");
	ktest_print("  %-12s %8lu   %s\n", "flt_anon", uvmexp.flt_anon, "1A anon page mapped");
	ktest_print("  %-12s %8lu   %s\n", "flt_cow", uvmexp.flt_cow, "1B shared anon copied");
	ktest_print("  %-12s %8lu   %s\n", "flt_obj", uvmexp.flt_obj, "2A object page mapped");
	ktest_print("  %-12s %8lu   %s\n", "flt_promote", uvmexp.flt_promote, "2B object page promoted");
	ktest_print("  %-12s %8lu   %s\n", "flt_zerofill", uvmexp.flt_zerofill, "2B zero-fill");
	ktest_print("  %-12s %8lu   %s\n", "flt_neighbor", uvmexp.flt_neighbor, "fault-ahead pages");
	ktest_print("  %-12s %8lu   %s\n", "flt_restart", uvmexp.flt_restart, "restarts");
	KT_ASSERT(uvmexp.flt_anon > before.flt_anon);
	KT_ASSERT(uvmexp.flt_cow > before.flt_cow);
	KT_ASSERT(uvmexp.flt_obj > before.flt_obj);
	KT_ASSERT(uvmexp.flt_promote > before.flt_promote);
	KT_ASSERT(uvmexp.flt_zerofill > before.flt_zerofill);
}
