/*
 * tests/uvm/uvm_usage_test.c - uvm/uvm_usage.c: the page counts smaps
 * prints, checked against the structures they are counted from - the
 * anons in the amap (their pages, an_ref, the amap's am_ref after a
 * fork), an aobj's resident pages, a wired entry, and (in the swap boot)
 * anons whose only copy is in swap.
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

#define BASE 0x10000000UL

/* The usage of the entry at va. */
static struct uvm_usage
usage_at(struct vmtest *t, vaddr_t va)
{
	struct uvm_usage u;

	struct vm_map_entry *e = vmtest_entry(t, va);     /* locks the map itself */

	memset(&u, 0, sizeof(u));
	mutex_enter(&t->map->lock);
	uvm_usage_entry(t->map, e, &u);
	mutex_exit(&t->map->lock);
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
