/*
 * tests/pmap/pmap_test.c - pmap/pmap.c against the page tables themselves.
 *
 * Every test builds a private user pmap, maps pages of its own, and checks
 * the PTE bits (pmap_pte_lookup), the PV lists, the page-table page counts
 * and pmap_check_all after each step.  Real accesses go through the
 * mapping with the test pmap loaded in CR3 (the kernel half is shared, so
 * the kernel keeps running); expected faults are caught with trap_expect.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/core/panic.h"
#include "kern/arch/trap.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_failalloc.h"
#include "uvm/uvm_page.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)
#define RO VM_PROT_READ

static struct vm_page *
test_page(void)
{
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, VM_PAGE_ZERO);

	KT_ASSERT(pg != NULL);
	pg->flags &= ~(PG_BUSY | PG_FAKE);
	return pg;
}

static struct pmap *
test_pmap(void)
{
	struct pmap *pm = pmap_create();

	KT_ASSERT(pm != NULL);
	KT_EQ(pm->pm_stats.ptpages, 0);
	return pm;
}

#define CHECK_ALL() KT_EQ(pmap_check_all(ktest_print), 0)

/*
 * The table pages a user pmap whose mappings are all removed still has:
 * none, or (ptpkeep, the default) its idle leaf table, empty, with the
 * PD and PDPT above it; pmap_destroy frees those.
 */
static uint64_t
tables_when_empty(const struct pmap *pm)
{
	return pm->pm_ptp_idle != NULL ? 3 : 0;
}

static bool ptpkeep_saved;      /* the switch as the test found it */

static void
ptpkeep_restore(void *arg)
{
	(void)arg;
	pmap_ptpkeep_on = ptpkeep_saved;
}

/* Set the idle-table switch (pmap.c, ptp_keep) for this test only. */
static void
ptpkeep_set(bool on)
{
	ptpkeep_saved = pmap_ptpkeep_on;
	ktest_cleanup_push(ptpkeep_restore, NULL);
	pmap_ptpkeep_on = on;
}

KTEST(pmap, enter_extract_remove_first_and_last_user_page)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	vaddr_t first = 0, last = USER_MAX - PAGE_SIZE;
	paddr_t pa;

	KT_EQ(pmap_enter(pm, first, pg->phys_addr, RW, 0), 0);
	KT_EQ(pmap_enter(pm, last, pg->phys_addr, RO, 0), 0);
	CHECK_ALL();
	KT_ASSERT(pmap_extract(pm, first, &pa) && pa == pg->phys_addr);
	KT_ASSERT(pmap_extract(pm, last + 0x123, &pa) && pa == pg->phys_addr + 0x123);
	KT_EQ(pmap_pte_lookup(pm, first) & (PG_V | PG_RW | PG_U | PG_NX | PG_PVLIST),
	    PG_V | PG_RW | PG_U | PG_NX | PG_PVLIST);
	KT_EQ(pmap_pte_lookup(pm, last) & (PG_RW | PG_G), 0);
	KT_EQ(pg->md.pv_count, 2);
	KT_EQ(pm->pm_stats.resident, 2);
	KT_EQ(pm->pm_stats.ptpages, 6);     /* PDPT+PD+PT at each end */
	pmap_remove(pm, first, first + PAGE_SIZE);
	KT_ASSERT(!pmap_extract(pm, first, NULL));
	KT_EQ(pg->md.pv_count, 1);
	pmap_remove(pm, last, USER_MAX);
	KT_EQ(pg->md.pv_count, 0);
	KT_EQ(pm->pm_stats.ptpages, tables_when_empty(pm));
	CHECK_ALL();
	pmap_destroy(pm);
	vm_page_free(pg);
}

KTEST(pmap, canonical_hole_and_wrong_half_refused)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();

	KT_EQ(pmap_enter(pm, USER_MAX, pg->phys_addr, RW, 0), -EINVAL);
	KT_EQ(pmap_enter(pm, 0xffff7ffffffff000ULL, pg->phys_addr, RW, 0), -EINVAL);
	KT_EQ(pmap_enter(pm, KVA_START, pg->phys_addr, RW, 0), -EINVAL);
	KT_EQ(pmap_enter(pm, 0x1001, pg->phys_addr, RW, 0), -EINVAL);
	KT_EQ(pmap_enter(pmap_kernel(), 0x400000, pg->phys_addr, RW, 0), -EINVAL);
	KT_EQ(pm->pm_stats.resident, 0);
	KT_EQ(pm->pm_stats.ptpages, 0);
	KT_EQ(pg->md.pv_count, 0);
	CHECK_ALL();
	pmap_destroy(pm);
	vm_page_free(pg);
}

KTEST(pmap, page_table_pages_freed_after_last_removal)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	uint64_t ptp0 = pmap_counters.ptpages;
	vaddr_t va = 0x40000000;        /* a 1 GiB boundary: fresh PDPT slot */

	ptpkeep_set(false);             /* the simple path: every table freed */
	/* Two pages in one PT, a third in the next PT. */
	KT_EQ(pmap_enter(pm, va, pg->phys_addr, RW, 0), 0);
	KT_EQ(pmap_enter(pm, va + PAGE_SIZE, pg->phys_addr, RW, 0), 0);
	KT_EQ(pmap_enter(pm, va + NBPD_L2, pg->phys_addr, RW, 0), 0);
	KT_EQ(pm->pm_stats.ptpages, 4);     /* PDPT, PD, two PTs */
	KT_EQ(pmap_counters.ptpages, ptp0 + 4);
	pmap_remove(pm, va, va + PAGE_SIZE);
	KT_EQ(pm->pm_stats.ptpages, 4);     /* the PT still holds one entry */
	pmap_remove(pm, va + PAGE_SIZE, va + 2 * PAGE_SIZE);
	KT_EQ(pm->pm_stats.ptpages, 3);     /* first PT gone */
	CHECK_ALL();
	pmap_remove(pm, va + NBPD_L2, va + NBPD_L2 + PAGE_SIZE);
	KT_EQ(pm->pm_stats.ptpages, 0);     /* PT, PD and PDPT all gone */
	KT_EQ(pmap_counters.ptpages, ptp0);
	KT_EQ(pm->pm_pml4[PTE_INDEX(va, 4)], 0);
	CHECK_ALL();
	pmap_destroy(pm);
	vm_page_free(pg);
}

KTEST(pmap, protect_across_table_boundaries)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	/* Eight pages straddling a 1 GiB (and so 2 MiB) boundary. */
	vaddr_t sva = 0x80000000ULL - 4 * PAGE_SIZE, eva = sva + 8 * PAGE_SIZE;

	for (vaddr_t va = sva; va < eva; va += PAGE_SIZE)
		KT_EQ(pmap_enter(pm, va, pg->phys_addr, VM_PROT_ALL, 0), 0);
	pmap_protect(pm, sva + PAGE_SIZE, eva - PAGE_SIZE, RO);
	pmap_update(pm);
	KT_ASSERT(pmap_pte_lookup(pm, sva) & PG_RW);
	KT_ASSERT(!(pmap_pte_lookup(pm, sva) & PG_NX));
	for (vaddr_t va = sva + PAGE_SIZE; va < eva - PAGE_SIZE; va += PAGE_SIZE) {
		uint64_t pte = pmap_pte_lookup(pm, va);
		KT_EQ(pte & (PG_V | PG_RW | PG_NX), PG_V | PG_NX);
	}
	KT_ASSERT(pmap_pte_lookup(pm, eva - PAGE_SIZE) & PG_RW);
	/* protect never raises: asking for RW again changes nothing */
	pmap_protect(pm, sva, eva, RW);
	KT_EQ(pmap_pte_lookup(pm, sva + PAGE_SIZE) & PG_RW, 0);
	/* VM_PROT_NONE removes */
	pmap_protect(pm, sva, eva, VM_PROT_NONE);
	KT_EQ(pm->pm_stats.resident, 0);
	KT_EQ(pm->pm_stats.ptpages, tables_when_empty(pm));
	CHECK_ALL();
	pmap_destroy(pm);
	vm_page_free(pg);
}

KTEST(pmap, page_protect_finds_every_mapping_in_every_pmap)
{
	struct pmap *a = test_pmap(), *b = test_pmap();
	struct vm_page *pg = test_page();

	KT_EQ(pmap_enter(a, 0x1000, pg->phys_addr, RW, 0), 0);
	KT_EQ(pmap_enter(a, 0x7f0000000000ULL, pg->phys_addr, RW, 0), 0);
	KT_EQ(pmap_enter(b, 0x1000, pg->phys_addr, RW, 0), 0);
	KT_EQ(pg->md.pv_count, 3);
	CHECK_ALL();

	pmap_page_protect(pg, RO);
	KT_EQ(pg->md.pv_count, 3);
	KT_EQ(pmap_pte_lookup(a, 0x1000) & (PG_V | PG_RW), PG_V);
	KT_EQ(pmap_pte_lookup(a, 0x7f0000000000ULL) & (PG_V | PG_RW), PG_V);
	KT_EQ(pmap_pte_lookup(b, 0x1000) & (PG_V | PG_RW), PG_V);
	CHECK_ALL();

	pmap_page_protect(pg, VM_PROT_NONE);
	KT_EQ(pg->md.pv_count, 0);
	KT_ASSERT(pg->md.pv_list == NULL);
	KT_EQ(a->pm_stats.resident + b->pm_stats.resident, 0);
	KT_EQ(a->pm_stats.ptpages, tables_when_empty(a));
	KT_EQ(b->pm_stats.ptpages, tables_when_empty(b));
	CHECK_ALL();
	pmap_destroy(a);
	pmap_destroy(b);
	vm_page_free(pg);
}

/*
 * A page's first mapping uses the entry inside the page (md.pv_own), a
 * second one an entry from the pool; whichever mapping goes first, the
 * own entry is free again for the next, and only pool entries go back
 * to the pool.
 */
KTEST(pmap, a_page_s_first_mapping_uses_its_own_pv_entry_and_a_second_the_pool)
{
	struct pmap *a = test_pmap(), *b = test_pmap();
	struct vm_page *pg = test_page();
	uint64_t pooled0 = pmap_counters.pv_pooled;

	KT_ASSERT(pg->md.pv_own.pv_pmap == NULL);
	KT_EQ(pmap_enter(a, 0x1000, pg->phys_addr, RW, 0), 0);
	KT_ASSERT(pg->md.pv_list == &pg->md.pv_own);
	KT_ASSERT(pg->md.pv_own.pv_pmap == a && pg->md.pv_own.pv_va == 0x1000);
	KT_EQ(pmap_counters.pv_pooled, pooled0);
	CHECK_ALL();

	KT_EQ(pmap_enter(b, 0x5000, pg->phys_addr, RO, 0), 0);
	KT_EQ(pg->md.pv_count, 2);
	KT_ASSERT(pg->md.pv_list != &pg->md.pv_own);     /* the pool's, first */
	KT_ASSERT(pg->md.pv_list->pv_pmap == b && pg->md.pv_list->pv_next == &pg->md.pv_own);
	KT_EQ(pmap_counters.pv_pooled, pooled0 + 1);
	CHECK_ALL();

	pmap_remove(a, 0x1000, 0x2000);         /* the own entry's mapping goes */
	pmap_update(a);
	KT_ASSERT(pg->md.pv_own.pv_pmap == NULL);
	KT_ASSERT(pg->md.pv_list != NULL && pg->md.pv_list->pv_pmap == b &&
	    pg->md.pv_list->pv_next == NULL);
	KT_EQ(pmap_counters.pv_pooled, pooled0 + 1);
	CHECK_ALL();

	KT_EQ(pmap_enter(a, 0x3000, pg->phys_addr, RW, 0), 0);  /* own again */
	KT_ASSERT(pg->md.pv_list == &pg->md.pv_own && pg->md.pv_own.pv_va == 0x3000);
	KT_EQ(pmap_counters.pv_pooled, pooled0 + 1);
	pmap_remove(b, 0x5000, 0x6000);         /* the pool's goes back */
	pmap_update(b);
	KT_EQ(pmap_counters.pv_pooled, pooled0);
	KT_EQ(pg->md.pv_count, 1);
	CHECK_ALL();

	pmap_page_protect(pg, VM_PROT_NONE);
	KT_ASSERT(pg->md.pv_list == NULL && pg->md.pv_own.pv_pmap == NULL);
	KT_EQ(pmap_counters.pv_pooled, pooled0);
	CHECK_ALL();
	pmap_destroy(a);
	pmap_destroy(b);
	vm_page_free(pg);
}

/*
 * pmap_enter_pages of pages another pmap maps already takes a pool entry
 * for each.  With the pool failing, the run stops at the first such page
 * and the leaf table it made for the run, empty, does not stay behind
 * uncounted: it is the pmap's idle table (or freed, with ptpkeep=0), so
 * pmap_destroy finds nothing of it.
 */
KTEST(pmap, a_run_of_pages_mapped_elsewhere_takes_pool_entries_or_stops_cleanly)
{
	struct pmap *a = test_pmap(), *b = test_pmap();
	struct vm_page *pgs[4];
	uint64_t pooled0 = pmap_counters.pv_pooled, ptp0 = pmap_counters.ptpages;

	for (int i = 0; i < 4; i++) {
		pgs[i] = test_page();
		KT_EQ(pmap_enter(a, 0x1000 + (vaddr_t)i * PAGE_SIZE,
		    pgs[i]->phys_addr, RW, 0), 0);
	}
	KT_EQ(pmap_counters.pv_pooled, pooled0);
	ptpkeep_set(false);
	for (int keep = 0; keep < 2; keep++) {
		pmap_ptpkeep_on = keep;
		uvm_failalloc_arm(UVM_FAILALLOC_POOL, 0, 1);
		KT_EQ(pmap_enter_pages(b, 0x40000000, pgs, 4, RO, 0), 0);
		KT_ASSERT(!uvm_failalloc_on());
		KT_EQ(b->pm_stats.resident, 0);
		KT_EQ(b->pm_stats.ptpages, (uint64_t)(keep ? 3 : 0));   /* idle, or freed */
		KT_EQ(b->pm_stats.ptpages, tables_when_empty(b));
		KT_EQ(pmap_counters.pv_pooled, pooled0);
		CHECK_ALL();
	}

	KT_EQ(pmap_enter_pages(b, 0x40000000, pgs, 4, RO, 0), 4);
	KT_EQ(pmap_counters.pv_pooled, pooled0 + 4);
	for (int i = 0; i < 4; i++) {
		KT_EQ(pgs[i]->md.pv_count, 2);
		KT_ASSERT(pgs[i]->md.pv_own.pv_pmap == a);
	}
	CHECK_ALL();
	pmap_destroy(b);
	KT_EQ(pmap_counters.pv_pooled, pooled0);
	pmap_destroy(a);
	KT_EQ(pmap_counters.ptpages, ptp0);
	CHECK_ALL();
	for (int i = 0; i < 4; i++)
		vm_page_free(pgs[i]);
}

KTEST(pmap, accessed_and_dirty_bits_from_real_accesses)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	volatile uint64_t *p = (volatile uint64_t *)0x200000;

	KT_EQ(pmap_enter(pm, (vaddr_t)p, pg->phys_addr, RW, 0), 0);
	KT_EQ(pmap_pte_lookup(pm, (vaddr_t)p) & (PG_A | PG_M), 0);
	KT_ASSERT(!pmap_is_referenced(pg) && !pmap_is_modified(pg));

	pmap_activate(pm);
	(void)*p;                           /* a read sets A only */
	pmap_activate(pmap_kernel());
	KT_EQ(pmap_pte_lookup(pm, (vaddr_t)p) & (PG_A | PG_M), PG_A);
	KT_ASSERT(pmap_is_referenced(pg) && !pmap_is_modified(pg));

	pmap_activate(pm);
	*p = 0x1234;                        /* a write sets D */
	pmap_activate(pmap_kernel());
	KT_EQ(pmap_pte_lookup(pm, (vaddr_t)p) & (PG_A | PG_M), PG_A | PG_M);
	KT_EQ(*(uint64_t *)vm_page_kva(pg), 0x1234);

	/* Removal folds the bits into the page: nothing is forgotten. */
	pmap_remove(pm, (vaddr_t)p, (vaddr_t)p + PAGE_SIZE);
	KT_EQ(pg->md.attrs, PMAP_ATTR_REF | PMAP_ATTR_MOD);
	KT_ASSERT(pmap_is_modified(pg) && pmap_is_referenced(pg));
	KT_ASSERT(pmap_clear_modify(pg));
	KT_ASSERT(!pmap_is_modified(pg));
	CHECK_ALL();
	pmap_destroy(pm);
	vm_page_free(pg);
}

KTEST(pmap, clear_modify_lets_the_cpu_set_dirty_again)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	volatile uint64_t *p = (volatile uint64_t *)0x300000;

	KT_EQ(pmap_enter(pm, (vaddr_t)p, pg->phys_addr, RW, 0), 0);
	pmap_activate(pm);
	*p = 1;
	KT_ASSERT(pmap_is_modified(pg));
	KT_ASSERT(pmap_clear_modify(pg));
	KT_ASSERT(!pmap_is_modified(pg));
	*p = 2;     /* the TLB entry was dropped, so the CPU sets D again */
	KT_ASSERT(pmap_is_modified(pg));
	pmap_activate(pmap_kernel());
	KT_ASSERT(pmap_clear_reference(pg));
	KT_EQ(pmap_pte_lookup(pm, (vaddr_t)p) & PG_A, 0);
	pmap_remove(pm, (vaddr_t)p, (vaddr_t)p + PAGE_SIZE);
	CHECK_ALL();
	pmap_destroy(pm);
	vm_page_free(pg);
}

/* Accessors run under trap_catch. */
static void
read_into(void *arg)
{
	uint64_t *cell = arg;

	cell[1] = *(volatile uint64_t *)cell[0];
}

static void
write_to(void *p)
{
	*(volatile uint64_t *)p = 1;
}

static void
call_at(void *code)
{
	((void (*)(void))code)();
}

KTEST(pmap, write_to_readonly_mapping_faults)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	volatile uint64_t *p = (volatile uint64_t *)0x400000;
	struct trap_expect te;
	uint64_t cell[2] = { (uint64_t)p, 0 };
	bool read_faulted, write_faulted;

	KT_EQ(pmap_enter(pm, (vaddr_t)p, pg->phys_addr, RO, 0), 0);
	*(uint64_t *)vm_page_kva(pg) = 77;
	pmap_activate(pm);
	read_faulted = trap_catch(read_into, cell, &te);     /* reading is fine */
	write_faulted = trap_catch(write_to, (void *)p, &te); /* writing is not */
	pmap_activate(pmap_kernel());
	KT_ASSERT(!read_faulted && write_faulted);
	KT_EQ(cell[1], 77);
	KT_EQ(te.vector, T_PAGE_FAULT);
	KT_EQ(te.addr, (uint64_t)p);
	KT_EQ(te.error & (PGEX_P | PGEX_W | PGEX_I), PGEX_P | PGEX_W);
	KT_EQ(*(uint64_t *)vm_page_kva(pg), 77);
	pmap_remove(pm, (vaddr_t)p, (vaddr_t)p + PAGE_SIZE);
	pmap_destroy(pm);
	vm_page_free(pg);
}

KTEST(pmap, fetch_from_nx_mapping_faults)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	vaddr_t code = 0x500000, data = 0x600000;
	struct trap_expect te;
	bool code_faulted, data_faulted;

	*(uint8_t *)vm_page_kva(pg) = 0xc3;     /* ret */
	KT_EQ(pmap_enter(pm, code, pg->phys_addr, VM_PROT_READ | VM_PROT_EXECUTE, 0), 0);
	KT_EQ(pmap_enter(pm, data, pg->phys_addr, RW, 0), 0);
	KT_EQ(pmap_pte_lookup(pm, code) & PG_NX, 0);
	KT_ASSERT(pmap_pte_lookup(pm, data) & PG_NX);
	pmap_activate(pm);
	code_faulted = trap_catch(call_at, (void *)code, &te); /* returns */
	data_faulted = trap_catch(call_at, (void *)data, &te); /* NX: faults */
	pmap_activate(pmap_kernel());
	KT_ASSERT(!code_faulted && data_faulted);
	KT_EQ(te.vector, T_PAGE_FAULT);
	KT_EQ(te.addr, data);
	KT_ASSERT(te.error & PGEX_I);
	pmap_remove(pm, code, code + PAGE_SIZE);
	pmap_remove(pm, data, data + PAGE_SIZE);
	pmap_destroy(pm);
	vm_page_free(pg);
}

KTEST(pmap, kernel_image_has_its_real_permissions)
{
	extern char kernel_text_start[], kernel_rodata_start[], kernel_data_start[];
	uint64_t text = pmap_pte_lookup(pmap_kernel(), (vaddr_t)kernel_text_start);
	uint64_t ro = pmap_pte_lookup(pmap_kernel(), (vaddr_t)kernel_rodata_start);
	uint64_t data = pmap_pte_lookup(pmap_kernel(), (vaddr_t)kernel_data_start);
	uint64_t dmap = pmap_pte_lookup(pmap_kernel(), DMAP_BASE);
	struct trap_expect te;

	KT_EQ(text & (PG_V | PG_RW | PG_NX | PG_U), PG_V);
	KT_EQ(ro & (PG_V | PG_RW | PG_NX | PG_U), PG_V | PG_NX);
	KT_EQ(data & (PG_V | PG_RW | PG_NX | PG_U), PG_V | PG_RW | PG_NX);
	KT_EQ(dmap & (PG_V | PG_RW | PG_NX | PG_PS), PG_V | PG_RW | PG_NX | PG_PS);
	KT_ASSERT(!pmap_extract(pmap_kernel(), 0x100000, NULL));   /* no identity map */
	/* A write into the kernel's own text is caught (CR0.WP is on). */
	KT_ASSERT(trap_catch(write_to, kernel_text_start, &te));
	KT_EQ(te.vector, T_PAGE_FAULT);
	KT_EQ(te.addr, (uint64_t)kernel_text_start);
	KT_EQ(te.error & (PGEX_P | PGEX_W), PGEX_P | PGEX_W);
}

KTEST(pmap, replacing_a_mapping_moves_its_pv_entry)
{
	struct pmap *pm = test_pmap();
	struct vm_page *a = test_page(), *b = test_page();
	volatile uint64_t *p = (volatile uint64_t *)0x700000;

	KT_EQ(pmap_enter(pm, (vaddr_t)p, a->phys_addr, RW, VM_PROT_WRITE), 0);
	KT_EQ(pmap_pte_lookup(pm, (vaddr_t)p) & (PG_A | PG_M), PG_A | PG_M);
	KT_EQ(pmap_enter(pm, (vaddr_t)p, b->phys_addr, RO, 0), 0);
	pmap_update(pm);
	KT_EQ(a->md.pv_count, 0);
	KT_EQ(a->md.attrs, PMAP_ATTR_REF | PMAP_ATTR_MOD);  /* folded */
	KT_EQ(b->md.pv_count, 1);
	KT_EQ(pm->pm_stats.resident, 1);
	/* same page again with new permissions: PV kept, A/D kept */
	KT_EQ(pmap_enter(pm, (vaddr_t)p, b->phys_addr, RW, VM_PROT_READ), 0);
	KT_EQ(b->md.pv_count, 1);
	KT_EQ(pmap_pte_lookup(pm, (vaddr_t)p) & (PG_RW | PG_A), PG_RW | PG_A);
	CHECK_ALL();
	pmap_remove(pm, (vaddr_t)p, (vaddr_t)p + PAGE_SIZE);
	pmap_destroy(pm);
	vm_page_free(a);
	vm_page_free(b);
}

/*
 * pmap_enter_pages maps a run as that many pmap_enters would: each page
 * at its address with a PV entry, one more page table where the run
 * crosses into the next 2 MiB, no access bits preset, and a page the
 * run replaces loses its PV entry.
 */
KTEST(pmap, enter_pages_maps_a_run_across_a_table_boundary)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pgs[PMAP_ENTER_MAX], *old = test_page();
	vaddr_t va = 0x40000000 + NBPD_L2 - 4 * PAGE_SIZE;  /* 4 + 12 pages */
	uint64_t pv0 = pmap_pv_entries();

	for (int i = 0; i < PMAP_ENTER_MAX; i++)
		pgs[i] = test_page();
	KT_EQ(pmap_enter(pm, va + PAGE_SIZE, old->phys_addr, RO, 0), 0);
	KT_EQ(pmap_enter_pages(pm, va, pgs, PMAP_ENTER_MAX, RW, 0), PMAP_ENTER_MAX);
	pmap_update(pm);
	KT_EQ(pm->pm_stats.ptpages, 4);     /* PDPT, PD, two PTs */
	KT_EQ(pm->pm_stats.resident, PMAP_ENTER_MAX);
	KT_EQ(old->md.pv_count, 0);         /* replaced */
	KT_EQ(pmap_pv_entries(), pv0 + PMAP_ENTER_MAX);
	for (int i = 0; i < PMAP_ENTER_MAX; i++) {
		uint64_t pte = pmap_pte_lookup(pm, va + (vaddr_t)i * PAGE_SIZE);
		KT_EQ(pte & PG_FRAME, pgs[i]->phys_addr);
		KT_EQ(pte & (PG_V | PG_RW | PG_U | PG_NX | PG_A | PG_M),
		    PG_V | PG_RW | PG_U | PG_NX);
		KT_EQ(pgs[i]->md.pv_count, 1);
	}
	CHECK_ALL();
	pmap_remove(pm, va, va + PMAP_ENTER_MAX * PAGE_SIZE);
	KT_EQ(pm->pm_stats.ptpages, tables_when_empty(pm));
	KT_EQ(pmap_pv_entries(), pv0);
	pmap_destroy(pm);
	for (int i = 0; i < PMAP_ENTER_MAX; i++)
		vm_page_free(pgs[i]);
	vm_page_free(old);
}

KTEST(pmap, wired_mappings_counted_and_unwired)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();

	KT_EQ(pmap_enter(pm, 0x800000, pg->phys_addr, RW, PMAP_WIRED), 0);
	KT_ASSERT(pmap_pte_lookup(pm, 0x800000) & PG_WIRED);
	KT_EQ(pm->pm_stats.wired, 1);
	CHECK_ALL();
	pmap_unwire(pm, 0x800000);
	KT_EQ(pmap_pte_lookup(pm, 0x800000) & PG_WIRED, 0);
	KT_EQ(pm->pm_stats.wired, 0);
	CHECK_ALL();
	pmap_remove(pm, 0x800000, 0x801000);
	pmap_destroy(pm);
	vm_page_free(pg);
}

KTEST(pmap, tlb_invalidations_batch_until_update)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	volatile uint64_t *p = (volatile uint64_t *)0x900000;
	uint64_t pages0, all0;

	for (int i = 0; i < 40; i++)
		KT_EQ(pmap_enter(pm, (vaddr_t)(p + i * 512), pg->phys_addr, RW, 0), 0);
	pmap_activate(pm);
	pages0 = pmap_counters.tlb_shootpage;
	all0 = pmap_counters.tlb_flushall;
	pmap_protect(pm, (vaddr_t)p, (vaddr_t)p + 2 * PAGE_SIZE, RO);
	KT_EQ(pm->pm_tlb_n, 2);                 /* queued, not done */
	KT_EQ(pmap_counters.tlb_shootpage, pages0);
	pmap_update(pm);
	KT_EQ(pmap_counters.tlb_shootpage, pages0 + 2);
	KT_EQ(pm->pm_tlb_n, 0);
	/* past PMAP_TLB_MAX pages one full flush replaces the invlpgs */
	pmap_protect(pm, (vaddr_t)p, (vaddr_t)p + 40 * PAGE_SIZE, VM_PROT_READ);
	pmap_update(pm);
	KT_EQ(pmap_counters.tlb_flushall, all0 + 1);
	KT_EQ(pmap_counters.tlb_shootpage, pages0 + 2);
	pmap_activate(pmap_kernel());
	pmap_remove(pm, (vaddr_t)p, (vaddr_t)p + 40 * PAGE_SIZE);
	CHECK_ALL();
	pmap_destroy(pm);
	vm_page_free(pg);
}

KTEST(pmap, kenter_makes_no_pv_and_kremove_frees_tables)
{
	struct vm_page *pg = test_page();
	vaddr_t va = KVA_END - NBPD_L2;     /* far from anything kmem uses */
	uint64_t ptp0 = pmap_counters.ptpages;

	pmap_kenter_pa(va, pg->phys_addr, RW, 0);
	pmap_update(pmap_kernel());
	KT_EQ(pg->md.pv_count, 0);
	KT_EQ(pmap_pte_lookup(pmap_kernel(), va) & (PG_V | PG_G | PG_U | PG_PVLIST | PG_NX),
	    PG_V | PG_G | PG_NX);
	*(volatile uint64_t *)va = 42;
	KT_EQ(*(uint64_t *)vm_page_kva(pg), 42);
	/* A PT; the arena's PD has existed since boot (thread stacks and
	 * the local APIC page live in the arena for good). */
	KT_EQ(pmap_counters.ptpages, ptp0 + 1);
	CHECK_ALL();
	pmap_kremove(va, PAGE_SIZE);
	pmap_update(pmap_kernel());
	KT_ASSERT(!pmap_extract(pmap_kernel(), va, NULL));
	KT_EQ(pmap_counters.ptpages, ptp0);
	CHECK_ALL();
	vm_page_free(pg);
}

KTEST(pmap, destroy_frees_every_table_and_pv)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	uint64_t ptp0 = pmap_counters.ptpages, pv0 = pmap_pv_entries();
	struct krand *r = ktest_rand();

	for (int i = 0; i < 200; i++) {
		vaddr_t va = krand_below(r, USER_MAX >> PAGE_SHIFT) << PAGE_SHIFT;
		KT_EQ(pmap_enter(pm, va, pg->phys_addr, RW, i % 3 ? 0 : PMAP_WIRED), 0);
	}
	KT_ASSERT(pmap_counters.ptpages > ptp0);
	CHECK_ALL();
	pmap_destroy(pm);
	KT_EQ(pmap_counters.ptpages, ptp0);
	KT_EQ(pmap_pv_entries(), pv0);
	KT_EQ(pg->md.pv_count, 0);
	CHECK_ALL();
	vm_page_free(pg);
}

/*
 * pmap_enter needs a PDPT, a PD and a PT for a fresh address; when the
 * PD or the PT cannot be had (the second or third table page fails,
 * uvm_failalloc_arm), the tables already made hold nothing: they must be
 * freed, or no removal ever frees them and pmap_destroy panics on them.
 */
KTEST(pmap, a_failed_table_allocation_frees_the_tables_it_made)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();

	ptpkeep_set(false);             /* the last removal frees every table */
	for (uint64_t skip = 0; skip < 3; skip++) {
		uvm_failalloc_arm(UVM_FAILALLOC_PAGE, skip, 1);
		KT_EQ(pmap_enter(pm, 0x40000000, pg->phys_addr, RW, PMAP_CANFAIL), -ENOMEM);
		KT_ASSERT(!uvm_failalloc_on());
		KT_EQ(pm->pm_stats.ptpages, 0);
		KT_EQ(pm->pm_stats.resident, 0);
		CHECK_ALL();
	}
	/* With one table in place, a new PT under it fails alone. */
	KT_EQ(pmap_enter(pm, 0x40000000, pg->phys_addr, RW, 0), 0);
	uvm_failalloc_arm(UVM_FAILALLOC_PAGE, 0, 1);
	KT_EQ(pmap_enter(pm, 0x40200000, pg->phys_addr, RW, PMAP_CANFAIL), -ENOMEM);
	KT_EQ(pm->pm_stats.ptpages, 3);
	pmap_remove(pm, 0x40000000, 0x40001000);
	KT_EQ(pm->pm_stats.ptpages, 0);
	CHECK_ALL();
	pmap_destroy(pm);
	vm_page_free(pg);
}

/*
 * pmap_move (mremap): the PTEs go to the new addresses with their bits,
 * across a table boundary; a page mapped in another pmap too keeps that
 * mapping; only this pmap's PV entry is renamed.
 */
KTEST(pmap, move_carries_ptes_and_pv_entries_to_the_new_addresses)
{
	struct pmap *pm = test_pmap(), *other = test_pmap();
	struct vm_page *pg[3] = { test_page(), test_page(), test_page() };
	vaddr_t old = 0x1ff000, new = 0x40000000 + 0x1ff000;  /* both cross 2 MiB */
	uint64_t pte[3], ptp0 = pm->pm_stats.ptpages;

	for (int i = 0; i < 3; i++)
		KT_EQ(pmap_enter(pm, old + (vaddr_t)i * PAGE_SIZE, pg[i]->phys_addr, RW,
		    i == 1 ? VM_PROT_WRITE : 0), 0);
	KT_EQ(pmap_enter(other, old, pg[0]->phys_addr, RO, 0), 0);
	for (int i = 0; i < 3; i++)
		pte[i] = pmap_pte_lookup(pm, old + (vaddr_t)i * PAGE_SIZE);
	pmap_move(pm, old, new, 3 * PAGE_SIZE);
	for (int i = 0; i < 3; i++) {
		vaddr_t o = old + (vaddr_t)i * PAGE_SIZE, n = new + (vaddr_t)i * PAGE_SIZE;
		KT_EQ(pmap_pte_lookup(pm, o), 0);
		KT_EQ(pmap_pte_lookup(pm, n), pte[i]);
		KT_EQ(pg[i]->md.pv_count, i == 0 ? 2u : 1u);
	}
	KT_EQ(pmap_pte_lookup(pm, new + PAGE_SIZE) & PG_M, PG_M);
	KT_ASSERT(pmap_extract(other, old, NULL));
	KT_EQ(pm->pm_stats.resident, 3);
	KT_ASSERT(pm->pm_stats.ptpages >= ptp0);
	CHECK_ALL();
	pmap_remove(pm, new, new + 3 * PAGE_SIZE);
	pmap_remove(other, old, old + PAGE_SIZE);
	CHECK_ALL();
	pmap_destroy(pm);
	pmap_destroy(other);
	for (int i = 0; i < 3; i++)
		vm_page_free(pg[i]);
}

/* The PD entry above va in pm, read from the tables (0 if none). */
static pt_entry_t
pde_of(struct pmap *pm, vaddr_t va)
{
	pt_entry_t *table = pm->pm_pml4;

	for (int lvl = 4; lvl > 2; lvl--) {
		pt_entry_t e = table[PTE_INDEX(va, lvl)];
		if (!(e & PG_V))
			return 0;
		table = PHYS_TO_DMAP(e & PG_FRAME);
	}
	return table[PTE_INDEX(va, 2)];
}

/*
 * A stretch of the moved range whose leaf table exists (a page outside
 * the range lives in it) but holds no page of the range gets no table at
 * the new place: one made there would stay empty for ever, and
 * pmap_destroy found it (trinity's mremap panicked the kernel at exit).
 */
KTEST(pmap, move_makes_no_table_for_a_stretch_without_pages)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg[2] = { test_page(), test_page() };
	vaddr_t keep = 0x40000000, old = 0x40200000 - 2 * PAGE_SIZE;
	vaddr_t new = 0x80200000 - 2 * PAGE_SIZE;   /* crosses 2 MiB as old does */
	uint64_t ptp0 = pmap_counters.ptpages;

	KT_EQ(pmap_enter(pm, keep, pg[0]->phys_addr, RW, 0), 0);       /* old's first table */
	KT_EQ(pmap_enter(pm, old + 2 * PAGE_SIZE, pg[1]->phys_addr, RW, 0), 0);
	pmap_move(pm, old, new, 4 * PAGE_SIZE);
	KT_EQ(pde_of(pm, new) & PG_V, 0);           /* nothing moved into that 2 MiB */
	KT_EQ(pmap_pte_lookup(pm, old + 2 * PAGE_SIZE), 0);
	KT_EQ(pmap_pte_lookup(pm, new + 2 * PAGE_SIZE) & PG_FRAME, pg[1]->phys_addr);
	KT_EQ(pm->pm_stats.resident, 2);
	CHECK_ALL();
	pmap_remove(pm, keep, keep + PAGE_SIZE);
	pmap_remove(pm, new, new + 4 * PAGE_SIZE);
	pmap_destroy(pm);
	KT_EQ(pmap_counters.ptpages, ptp0);
	CHECK_ALL();
	vm_page_free(pg[0]);
	vm_page_free(pg[1]);
}

/* ------------------------------------------------------------------ */
/* The idle leaf table (a speed-up: ptpkeep=0 turns it off)           */

/* The vm_page of the leaf table holding va's PTE in pm. */
static struct vm_page *
leaf_table_of(struct pmap *pm, vaddr_t va)
{
	pt_entry_t pde = pde_of(pm, va);

	KT_ASSERT(pde & PG_V);
	return vm_page_from_phys(pde & PG_FRAME);
}

/*
 * map + write + unmap of one page alone in its 2 MiB: the removal keeps
 * the emptied leaf table hooked in (count 0), so the next enter there
 * allocates nothing; a table emptied elsewhere takes its place and the
 * kept one is freed then; destroy frees the last one.
 */
KTEST(pmap_speed, an_emptied_leaf_table_is_kept_until_another_empties)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page(), *t;
	uint64_t ptp0 = pmap_counters.ptpages, alloc0;
	vaddr_t va = 0x40000000, other = va + NBPD_L2;

	ptpkeep_set(true);
	KT_EQ(pmap_enter(pm, va, pg->phys_addr, RW, 0), 0);
	t = leaf_table_of(pm, va);
	KT_EQ(pm->pm_stats.ptpages, 3);     /* PDPT, PD, PT */
	pmap_remove(pm, va, va + PAGE_SIZE);
	KT_EQ(pm->pm_stats.ptpages, 3);     /* the PT kept, empty */
	KT_ASSERT(pm->pm_ptp_idle == t && t->md.ptp_count == 0);
	KT_EQ(pmap_pte_lookup(pm, va) & PG_V, 0);
	CHECK_ALL();
	alloc0 = uvmexp.pga_alloc;
	KT_EQ(pmap_enter(pm, va + PAGE_SIZE, pg->phys_addr, RW, 0), 0);
	KT_EQ(uvmexp.pga_alloc, alloc0);    /* no table made */
	KT_ASSERT(leaf_table_of(pm, va) == t && t->md.ptp_count == 1);
	pmap_remove(pm, va + PAGE_SIZE, va + 2 * PAGE_SIZE);
	/* Another PT under the same PD empties: it is kept, t is freed. */
	KT_EQ(pmap_enter(pm, other, pg->phys_addr, RW, 0), 0);
	KT_EQ(pm->pm_stats.ptpages, 4);
	pmap_remove(pm, other, other + PAGE_SIZE);
	KT_EQ(pm->pm_stats.ptpages, 3);
	KT_ASSERT(pm->pm_ptp_idle == leaf_table_of(pm, other));
	KT_EQ(pde_of(pm, va) & PG_V, 0);
	CHECK_ALL();
	pmap_destroy(pm);
	KT_EQ(pmap_counters.ptpages, ptp0);
	CHECK_ALL();
	vm_page_free(pg);
}

/*
 * Destroying a pmap whose mappings are all gone (as an exit leaves it,
 * uvm_unmap having removed them entry by entry) walks once, to its kept
 * table, which it frees with the parents above it: no walk over all of
 * user space to find nothing.
 */
KTEST(pmap_speed, destroying_an_emptied_pmap_walks_only_to_its_kept_table)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	uint64_t ptp0 = pmap_counters.ptpages, w0;
	vaddr_t va = 0x7fffffe00000 + 7 * PAGE_SIZE;

	ptpkeep_set(true);
	KT_EQ(pmap_enter(pm, va, pg->phys_addr, RW, 0), 0);
	pmap_remove(pm, va, va + PAGE_SIZE);
	KT_EQ(pm->pm_stats.resident, 0);
	KT_EQ(pm->pm_stats.ptpages, 3);     /* the PT kept, and its PD, PDPT */
	w0 = pmap_counters.walks;
	pmap_destroy(pm);
	KT_ASSERT(pmap_counters.walks - w0 <= 2);  /* 1 (7 with the old walk);
	                                               another CPU may walk too */
	KT_EQ(pmap_counters.ptpages, ptp0);
	CHECK_ALL();
	vm_page_free(pg);
}

/*
 * The kept table used again holds a mapping when another table empties:
 * it must stay (only an empty kept table is freed), and so must its
 * mapping.
 */
KTEST(pmap_speed, a_kept_table_used_again_is_not_freed)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	uint64_t ptp0 = pmap_counters.ptpages;
	vaddr_t va = 0x40000000, other = va + 8 * PAGE_SIZE + NBPD_L2;
	paddr_t pa;

	ptpkeep_set(true);
	KT_EQ(pmap_enter(pm, va, pg->phys_addr, RW, 0), 0);
	pmap_remove(pm, va, va + PAGE_SIZE);
	KT_EQ(pmap_enter(pm, va, pg->phys_addr, RW, 0), 0);    /* kept one, used */
	KT_EQ(pmap_enter(pm, other, pg->phys_addr, RW, 0), 0);
	pmap_remove(pm, other, other + PAGE_SIZE);
	KT_ASSERT(pmap_extract(pm, va, &pa) && pa == pg->phys_addr);
	KT_EQ(leaf_table_of(pm, va)->md.ptp_count, 1);
	CHECK_ALL();
	pmap_remove(pm, va, va + PAGE_SIZE);
	pmap_destroy(pm);
	KT_EQ(pmap_counters.ptpages, ptp0);
	CHECK_ALL();
	vm_page_free(pg);
}

/* The kernel pmap keeps nothing: a kremoved arena page's PT goes at once. */
KTEST(pmap_speed, the_kernel_pmap_keeps_no_table)
{
	struct vm_page *pg = test_page();
	vaddr_t va = KVA_END - NBPD_L2;
	uint64_t ptp0 = pmap_counters.ptpages;

	ptpkeep_set(true);
	pmap_kenter_pa(va, pg->phys_addr, RW, 0);
	pmap_update(pmap_kernel());
	KT_EQ(pmap_counters.ptpages, ptp0 + 1);
	pmap_kremove(va, PAGE_SIZE);
	pmap_update(pmap_kernel());
	KT_EQ(pmap_counters.ptpages, ptp0);
	KT_ASSERT(pmap_kernel()->pm_ptp_idle == NULL);
	vm_page_free(pg);
}

/*
 * pmap_move (mremap) walks once per run of one table on each side, not
 * three times a page: 512 pages moved to a place 16 pages into a table
 * are two runs (before: 1,536 walks and more).
 */
KTEST(pmap_speed, moving_a_table_of_pages_walks_per_table_not_per_page)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	vaddr_t old = 0x40000000, new = 0x80000000 + 16 * PAGE_SIZE;
	uint64_t w0;

	for (int i = 0; i < NPTE; i++)
		KT_EQ(pmap_enter(pm, old + (vaddr_t)i * PAGE_SIZE, pg->phys_addr, RW, 0), 0);
	w0 = pmap_counters.walks;
	pmap_move(pm, old, new, NBPD_L2);
	ktest_print("pmap_move of 512 pages into two tables: %lu walks\n",
	    pmap_counters.walks - w0);
	KT_ASSERT(pmap_counters.walks - w0 <= 8);
	for (int i = 0; i < NPTE; i++) {
		KT_EQ(pmap_pte_lookup(pm, old + (vaddr_t)i * PAGE_SIZE), 0);
		KT_EQ(pmap_pte_lookup(pm, new + (vaddr_t)i * PAGE_SIZE) & PG_FRAME,
		    pg->phys_addr);
	}
	KT_EQ(pg->md.pv_count, NPTE);
	KT_EQ(pm->pm_stats.resident, NPTE);
	CHECK_ALL();
	pmap_remove(pm, new, new + NBPD_L2);
	KT_EQ(pg->md.pv_count, 0);
	CHECK_ALL();
	pmap_destroy(pm);
	vm_page_free(pg);
}

/*
 * Removing a range walks the tables once per leaf table it finds and
 * once per run of missing entries in a table, not once per page or per
 * empty slot: an exit removes all of user space (128 TiB, 256 PML4
 * slots) and its stack's 512-entry tables page by page before.  Three
 * pages in three tables far apart: about a dozen walks, not thousands.
 */
KTEST(pmap_speed, removing_all_of_user_space_walks_once_per_table)
{
	struct pmap *pm = test_pmap();
	struct vm_page *pg = test_page();
	const vaddr_t vas[] = { 0x400000, 0x40000000 + 5 * PAGE_SIZE,
		USER_MAX - PAGE_SIZE };
	uint64_t w0;

	ptpkeep_set(false);
	for (int i = 0; i < 3; i++)
		KT_EQ(pmap_enter(pm, vas[i], pg->phys_addr, RW, 0), 0);
	w0 = pmap_counters.walks;
	pmap_remove(pm, 0, USER_MAX);
	ktest_print("pmap_remove of all user space: %lu walks\n", pmap_counters.walks - w0);
	KT_ASSERT(pmap_counters.walks - w0 <= 24);
	KT_EQ(pm->pm_stats.resident, 0);
	KT_EQ(pm->pm_stats.ptpages, 0);
	/* And a table's pages are visited in one walk: 512 pages, 1 table. */
	for (int i = 0; i < 512; i++)
		KT_EQ(pmap_enter(pm, 0x40000000 + i * PAGE_SIZE, pg->phys_addr, RW, 0), 0);
	w0 = pmap_counters.walks;
	pmap_remove(pm, 0x40000000, 0x40000000 + NBPD_L2);
	KT_ASSERT(pmap_counters.walks - w0 <= 4);
	KT_EQ(pg->md.pv_count, 0);
	CHECK_ALL();
	pmap_destroy(pm);
	vm_page_free(pg);
}
