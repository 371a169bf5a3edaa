/*
 * tests/uvm/uvm_usage_test.c - uvm/uvm_usage.c: the page counts smaps
 * prints, checked against the structures they are counted from - the
 * anons in the amap (their pages, an_ref, the amap's am_ref after a
 * fork), an object's pages this pmap maps (divided by their PV entries
 * when two maps share them), a wired entry, meminfo's page census, and
 * (in the swap boot) anons whose only copy is in swap.
 */
#include "kern/core/ktest.h"
#include "kern/lib/string.h"
#include "tests/harness/swaptest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_usage.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"

#define BASE 0x10000000UL

/* The usage of the entry at va. */
static struct uvm_usage
usage_at(struct vmtest *t, vaddr_t va)
{
	struct uvm_usage u;

	struct vm_map_entry *e = vmtest_entry(t, va);     /* locks the map itself */

	memset(&u, 0, sizeof(u));
	vm_map_lock(t->map);
	uvm_usage_entry(t->map, e, &u);
	vm_map_unlock(t->map);
	return u;
}

/* How many of npages pages at va have an anon holding a resident page. */
static uint64_t
resident_anons(struct vmtest *t, vaddr_t va, int npages)
{
	uint64_t n = 0;

	for (int i = 0; i < npages; i++) {
		struct vm_anon *a = vmtest_anon(t, va + (vaddr_t)i * PAGE_SIZE);
		n += a != NULL && a->an_page != NULL;
	}
	return n;
}

KTEST(usage, rss_is_the_anons_with_pages)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 16);
	struct uvm_usage u = usage_at(&t, va);
	KT_EQ(u.size, 16 * PAGE_SIZE);
	KT_EQ(u.rss, 0);
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	KT_EQ(uvm_fault(t.map, va + 12 * PAGE_SIZE, VM_PROT_WRITE), 0);
	uint64_t n = resident_anons(&t, va, 16);
	KT_ASSERT(n >= 2);              /* fault-ahead may fill more */
	u = usage_at(&t, va);
	KT_EQ(u.rss, n * PAGE_SIZE);
	KT_EQ(u.anon, n * PAGE_SIZE);
	KT_EQ(u.pss, n * PAGE_SIZE);    /* an_ref 1, am_ref 1 */
	KT_EQ(u.anon_shared, 0);
	KT_EQ(u.swap, 0);
	KT_EQ(u.locked, 0);
	vmtest_end(&t);
}

KTEST(usage, a_fork_shares_the_amap_and_halves_pss)
{
	struct vmtest p, c;

	vmtest_begin(&p);
	vaddr_t va = vmtest_map_anon(&p, BASE, 4);
	for (int i = 0; i < 4; i++)
		KT_EQ(uvm_fault(p.map, va + (vaddr_t)i * PAGE_SIZE, VM_PROT_WRITE), 0);
	vmtest_fork(&p, &c);
	KT_EQ(vmtest_entry(&p, va)->aref.ar_amap->am_ref, 2);
	struct uvm_usage u = usage_at(&p, va);
	KT_EQ(u.rss, 4 * PAGE_SIZE);
	KT_EQ(u.pss, 2 * PAGE_SIZE);
	KT_EQ(u.anon_shared, 4 * PAGE_SIZE);
	/* The child writes one page: its own amap, its own anon there. */
	KT_EQ(uvm_fault(c.map, va, VM_PROT_WRITE), 0);
	KT_EQ(vmtest_entry(&p, va)->aref.ar_amap->am_ref, 1);
	u = usage_at(&p, va);
	KT_EQ(u.rss, 4 * PAGE_SIZE);
	uint64_t shared = 0;
	for (int i = 0; i < 4; i++)
		shared += vmtest_anon(&p, va + (vaddr_t)i * PAGE_SIZE)->an_ref > 1;
	KT_EQ(u.anon_shared, shared * PAGE_SIZE);
	KT_EQ(u.pss, (4 - shared) * PAGE_SIZE + shared * PAGE_SIZE / 2);
	vmtest_end(&c);
	vmtest_end(&p);
}

KTEST(usage, object_pages_count_without_anons)
{
	struct vmtest t;

	vmtest_begin(&t);
	struct uvm_object *uobj = uao_create(4 * PAGE_SIZE, 0);
	KT_ASSERT(uobj != NULL);
	vaddr_t va = vmtest_map(&t, BASE, 4, uobj, VM_PROT_READ | VM_PROT_WRITE, 0);
	KT_EQ(uvm_fault(t.map, va + PAGE_SIZE, VM_PROT_WRITE), 0);
	mutex_enter(&uobj->vmobjlock);
	uint64_t resident = uobj->uo_npages;
	mutex_exit(&uobj->vmobjlock);
	struct uvm_usage u = usage_at(&t, va);
	KT_EQ(u.rss, resident * PAGE_SIZE);
	KT_EQ(u.anon, 0);
	KT_EQ(u.pss, u.rss);
	vmtest_end(&t);
}

/* Does t's pmap map the object page at va? */
static bool
maps_page(struct vmtest *t, vaddr_t va, const struct vm_page *pg)
{
	uint64_t pte = pmap_pte_lookup(t->map->pmap, va);

	return (pte & PG_V) && (pte & PG_FRAME) == pg->phys_addr;
}

/*
 * One aobj mapped twice (two entries, as two processes would have it):
 * an object page counts in an entry only where the page table maps it,
 * and Pss divides it by its mappings (the PV list's length) - page 3,
 * resident but unmapped at the second place, is the first entry's alone.
 */
KTEST(usage, an_object_page_counts_where_mapped_and_divides_by_its_mappings)
{
	struct vmtest t;
	uint64_t in_a = 0, in_b = 0, pss_a = 0, pss_b = 0, shared = 0;

	vmtest_begin(&t);
	struct uvm_object *uobj = uao_create(4 * PAGE_SIZE, 0);
	KT_ASSERT(uobj != NULL);
	uao_reference(uobj);
	vaddr_t a = vmtest_map(&t, BASE, 4, uobj, VM_PROT_READ | VM_PROT_WRITE, 0);
	vaddr_t b = vmtest_map(&t, BASE + 64 * PAGE_SIZE, 4, uobj,
	    VM_PROT_READ | VM_PROT_WRITE, 0);
	for (int i = 0; i < 4; i++) {
		KT_EQ(uvm_fault(t.map, a + (vaddr_t)i * PAGE_SIZE, VM_PROT_WRITE), 0);
		KT_EQ(uvm_fault(t.map, b + (vaddr_t)i * PAGE_SIZE, VM_PROT_READ), 0);
	}
	pmap_remove(t.map->pmap, b + 3 * PAGE_SIZE, b + 4 * PAGE_SIZE);
	mutex_enter(&uobj->vmobjlock);
	for (int i = 0; i < 4; i++) {
		vaddr_t off = (vaddr_t)i * PAGE_SIZE;
		struct vm_page *pg = uvm_obj_page_lookup(uobj, (voff_t)off);
		KT_ASSERT(pg != NULL);
		uint32_t n = pmap_page_mapcount(pg);
		bool ma = maps_page(&t, a + off, pg), mb = maps_page(&t, b + off, pg);
		KT_EQ(n, (uint32_t)ma + (uint32_t)mb);
		in_a += ma;
		in_b += mb;
		shared += ma && mb;
		pss_a += ma ? PAGE_SIZE / n : 0;
		pss_b += mb ? PAGE_SIZE / n : 0;
	}
	mutex_exit(&uobj->vmobjlock);
	KT_EQ(in_a, 4);
	KT_EQ(in_b, 3);
	struct uvm_usage ua = usage_at(&t, a), ub = usage_at(&t, b);
	KT_EQ(ua.rss, 4 * PAGE_SIZE);
	KT_EQ(ub.rss, 3 * PAGE_SIZE);
	KT_EQ(ua.pss, pss_a);
	KT_EQ(ub.pss, pss_b);
	KT_EQ(ua.pss, 3 * PAGE_SIZE / 2 + PAGE_SIZE);  /* 3 halves and a whole */
	KT_EQ(ub.pss, 3 * PAGE_SIZE / 2);
	KT_EQ(ua.shmem, ua.rss);
	KT_EQ(ua.pss_shmem, ua.pss);
	KT_EQ(ua.shared_dirty + ua.shared_clean, shared * PAGE_SIZE);
	KT_EQ(ua.anon, 0);
	vmtest_end(&t);
}

/* meminfo's counts add up: every owned page is an anon's or an object's. */
KTEST(usage, meminfo_counts_anon_and_object_pages)
{
	struct uvm_meminfo m0, m1;
	struct vmtest t;

	vmtest_begin(&t);
	uvm_usage_meminfo(&m0);
	KT_ASSERT(m0.total >= m0.free && m0.available >= m0.free);
	KT_ASSERT(m0.cached >= m0.shmem);
	vaddr_t va = vmtest_map_anon(&t, BASE, 8);
	KT_EQ(uvm_map_pageable(t.map, va, va + 8 * PAGE_SIZE, false), 0);   /* 8 anons */
	uvm_usage_meminfo(&m1);
	KT_ASSERT(m1.anon >= m0.anon + 8);
	KT_ASSERT(m1.free + 8 <= m0.free);
	KT_EQ(uvm_map_pageable(t.map, va, va + 8 * PAGE_SIZE, true), 0);
	vmtest_end(&t);
}

KTEST(usage, a_wired_entry_is_locked)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 4);
	KT_EQ(uvm_map_pageable(t.map, va, va + 4 * PAGE_SIZE, false), 0);
	struct uvm_usage u = usage_at(&t, va);
	KT_EQ(u.rss, 4 * PAGE_SIZE);
	KT_EQ(u.locked, 4 * PAGE_SIZE);
	KT_EQ(u.locked_size, 4 * PAGE_SIZE);
	KT_EQ(uvm_map_pageable(t.map, va, va + 4 * PAGE_SIZE, true), 0);
	vmtest_end(&t);
}

KTEST(usage, map_sums_its_entries)
{
	struct vmtest t;
	struct uvm_usage u;

	vmtest_begin(&t);
	vaddr_t a = vmtest_map_anon(&t, BASE, 4);
	vaddr_t b = vmtest_map(&t, BASE + 64 * PAGE_SIZE, 2, NULL,
	    VM_PROT_READ, UVM_FLAG_COPYONWRITE);
	KT_EQ(uvm_map_pageable(t.map, a, a + 4 * PAGE_SIZE, false), 0);
	uvm_usage_map(t.map, &u);
	KT_EQ(u.size, 6 * PAGE_SIZE);
	KT_EQ(u.rss, 4 * PAGE_SIZE);
	KT_EQ(u.locked_size, 4 * PAGE_SIZE);
	(void)b;
	KT_EQ(uvm_map_pageable(t.map, a, a + 4 * PAGE_SIZE, true), 0);
	vmtest_end(&t);
}

KTEST_OWN_BOOT(swap, usage_counts_pages_only_in_swap)
{
	struct vmtest t;

	swaptest_on();
	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 8);
	swaptest_fill(&t, va, 8, 0x61);
	KT_EQ(swaptest_push_out(&t, va, 8), 8);
	struct uvm_usage u = usage_at(&t, va);
	KT_EQ(u.rss, 0);
	KT_EQ(u.swap, 8 * PAGE_SIZE);
	swaptest_verify(&t, va, 2, 0x61);
	u = usage_at(&t, va);
	KT_EQ(u.rss + u.swap, 8 * PAGE_SIZE);
	KT_ASSERT(u.rss >= 2 * PAGE_SIZE);
	vmtest_end(&t);
}
