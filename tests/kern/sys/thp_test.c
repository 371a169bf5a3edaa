/*
 * tests/kern/sys/thp_test.c - the 2 MiB page advice and what shows it:
 *
 *   uvm_map_thp      the entry field (UVM_THP_*): clipped to the range,
 *                    equal neighbours merged again, copied by fork and
 *                    moved by mremap, never merged across a difference
 *   eligibility      uvm_map_entry_thp_eligible: private anonymous, a
 *                    whole aligned 2 MiB block inside, not NEVER, the
 *                    switch (uvm_thp_on) on
 *   vm_query_leaf    a PDE with PG_PS gives VMQ_PTE_PS and the 4 KiB
 *                    page's address inside the 2 MiB frame
 *   uvm_usage_huge   no PS PDE, no AnonHugePages (the count with them
 *                    comes with the fault path's 2 MiB mappings: the
 *                    user test thp/anon_huge_pages_counts_the_2m_mappings)
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/sys/sys_uvm.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_thp.h"
#include "uvm/uvm_usage.h"

#define VBASE 0x40000000UL             /* 2 MiB-aligned */
#define PG(n) ((vaddr_t)(n) * PAGE_SIZE)
#define BLOCK NBPD_L2

/* How many entries start in [va, va + len). */
static int
entries_in(struct vm_map *map, vaddr_t va, vsize_t len)
{
	int n = 0;

	for (struct vm_map_entry *e = map->header.next; e != &map->header; e = e->next)
		n += e->start >= va && e->start < va + len;
	return n;
}

KTEST(thp_advice, advice_clips_and_equal_neighbours_merge)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VBASE, 3);
	KT_EQ(vmtest_entry(&t, va)->thp, UVM_THP_DEFAULT);
	KT_EQ(uvm_map_thp(t.map, va + PG(1), va + PG(2), UVM_THP_HUGE), 0);
	KT_EQ(entries_in(t.map, va, PG(3)), 3);
	KT_EQ(vmtest_entry(&t, va)->thp, UVM_THP_DEFAULT);
	KT_EQ(vmtest_entry(&t, va + PG(1))->thp, UVM_THP_HUGE);
	KT_EQ(vmtest_entry(&t, va + PG(1))->end, va + PG(2));
	KT_EQ(uvm_map_thp(t.map, va, va + PG(3), UVM_THP_NEVER), 0);
	KT_EQ(entries_in(t.map, va, PG(3)), 1);
	KT_EQ(vmtest_entry(&t, va)->thp, UVM_THP_NEVER);
	vmtest_end(&t);
}

KTEST(thp_advice, bad_values_and_ranges_are_einval)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VBASE, 1);
	KT_EQ(uvm_map_thp(t.map, va, va + PG(1), 3), -EINVAL);
	KT_EQ(uvm_map_thp(t.map, va, va + PG(1), -1), -EINVAL);
	KT_EQ(uvm_map_thp(t.map, va + 1, va + PG(1), UVM_THP_HUGE), -EINVAL);
	KT_EQ(vmtest_entry(&t, va)->thp, UVM_THP_DEFAULT);
	vmtest_end(&t);
}

/* A new mapping next to an advised one stays an entry of its own. */
KTEST(thp_advice, a_new_mapping_does_not_join_an_advised_one)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VBASE, 1);
	KT_EQ(uvm_map_thp(t.map, va, va + PG(1), UVM_THP_HUGE), 0);
	vmtest_map_anon(&t, VBASE + PG(1), 1);
	KT_EQ(entries_in(t.map, va, PG(2)), 2);
	KT_EQ(vmtest_entry(&t, va + PG(1))->thp, UVM_THP_DEFAULT);
	vmtest_end(&t);
}

KTEST(thp_advice, fork_and_mremap_keep_the_advice)
{
	struct vmtest t, c;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VBASE, 2), to = VBASE + PG(64);
	KT_EQ(uvm_map_thp(t.map, va, va + PG(1), UVM_THP_NEVER), 0);
	vmtest_fork(&t, &c);
	KT_EQ(vmtest_entry(&c, va)->thp, UVM_THP_NEVER);
	KT_EQ(vmtest_entry(&c, va + PG(1))->thp, UVM_THP_DEFAULT);
	vmtest_end(&c);
	KT_EQ(uvm_map_move(t.map, va, PG(2), to), 0);
	KT_EQ(vmtest_entry(&t, to)->thp, UVM_THP_NEVER);
	KT_EQ(vmtest_entry(&t, to + PG(1))->thp, UVM_THP_DEFAULT);
	vmtest_end(&t);
}

KTEST(thp_advice, eligible_needs_a_whole_aligned_block_and_no_never)
{
	struct vmtest t;

	vmtest_thp(true);
	vmtest_begin(&t);
	/* [VBASE + 1 page, + 1024 pages): the block at VBASE + 2 MiB fits. */
	vaddr_t va = vmtest_map_anon(&t, VBASE + PG(1), 1024);
	KT_ASSERT(uvm_map_entry_thp_eligible(vmtest_entry(&t, va)));
	KT_EQ(uvm_map_thp(t.map, va, va + PG(1024), UVM_THP_HUGE), 0);
	KT_ASSERT(uvm_map_entry_thp_eligible(vmtest_entry(&t, va)));
	uvm_thp_on = false;
	KT_ASSERT(!uvm_map_entry_thp_eligible(vmtest_entry(&t, va)));
	uvm_thp_on = true;
	KT_EQ(uvm_map_thp(t.map, va, va + PG(1024), UVM_THP_NEVER), 0);
	KT_ASSERT(!uvm_map_entry_thp_eligible(vmtest_entry(&t, va)));
	/* One page short of the block: no whole block inside. */
	KT_EQ(uvm_map_thp(t.map, va, va + PG(1024), UVM_THP_DEFAULT), 0);
	KT_EQ(uvm_map_thp(t.map, va, va + PG(1024 - 2), UVM_THP_HUGE), 0);
	KT_ASSERT(!uvm_map_entry_thp_eligible(vmtest_entry(&t, va)));
	KT_ASSERT(!uvm_map_entry_thp_eligible(vmtest_entry(&t, va + PG(1023))));
	vmtest_end(&t);
}

KTEST(thp_advice, vm_query_leaf_decodes_a_pde)
{
	struct vm_query q;
	uint64_t pde = 0x40000000UL | PG_PS | PG_V | PG_RW | PG_U | PG_A | PG_M |
	    PG_PVLIST | PG_NX;

	vm_query_leaf(pde, 0x7f0000345000UL, &q);
	KT_EQ(q.pte, VMQ_PTE_P | VMQ_PTE_W | VMQ_PTE_U | VMQ_PTE_A | VMQ_PTE_D |
	    VMQ_PTE_PS | VMQ_PTE_NX);
	KT_EQ(q.pa, 0x40145000UL);
	vm_query_leaf(pde, 0x7f0000200000UL, &q);   /* the block's first page */
	KT_EQ(q.pa, 0x40000000UL);
	vm_query_leaf(0x1234000UL | PG_V | PG_U, 0x7f0000345000UL, &q);
	KT_EQ(q.pte, VMQ_PTE_P | VMQ_PTE_U);        /* a PTE: no PS */
	KT_EQ(q.pa, 0x1234000UL);
	vm_query_leaf(0, 0x7f0000345000UL, &q);
	KT_EQ(q.pte, 0);
	KT_EQ(q.pa, 0);
}

/* 4 KiB mappings count no AnonHugePages; every PS PDE counts 2 MiB. */
KTEST(thp_advice, anon_huge_is_2m_per_ps_pde)
{
	struct vmtest t;
	uint64_t ps = 0;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VBASE, 1024);
	KT_EQ(uvm_map_thp(t.map, va, va + PG(1024), UVM_THP_NEVER), 0);
	for (vaddr_t a = va; a < va + PG(1024); a += PG(1))
		KT_EQ(uvm_fault(t.map, a, VM_PROT_WRITE), 0);
	for (vaddr_t a = va; a < va + PG(1024); a += BLOCK)
		ps += (vmtest_pte(&t, a) & PG_PS) ? BLOCK : 0;
	KT_EQ(ps, 0);                   /* NEVER: 4 KiB pages only */
	KT_EQ(uvm_usage_huge(t.map->pmap, va, va + PG(1024)), ps);
	KT_EQ(uvm_usage_huge_map(t.map), ps);
	vmtest_end(&t);
}
