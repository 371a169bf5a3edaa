/*
 * tests/uvm/uvmspace_test.c - address spaces across fork: copy-on-write
 * three generations deep, share, none and zero inheritance, exec, a
 * space's references (uvmspace_addref), and mremap's moving and growing
 * of entries.
 *
 * Contents are checked two ways: through the anon's page (the mechanism)
 * and through real loads with the space's pmap loaded (what a program
 * sees).
 */
#include "kern/core/ktest.h"
#include "kern/core/panic.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "pmap/vmlayout.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "kern/lib/errno.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"

#define BASE 0x20000000UL
#define NPG 4

struct access {
	vaddr_t va;
	uint64_t v;
	bool write;
};

static void
access_once(void *arg)
{
	struct access *a = arg;

	if (a->write)
		*(volatile uint64_t *)a->va = a->v;
	else
		a->v = *(volatile uint64_t *)a->va;
}

/*
 * A real load or store with t's pmap loaded.  A fault the handler fails
 * (a lab's stub, a bug) fails the test rather than panicking the kernel:
 * the access runs under trap_catch.
 */
static uint64_t
access_user(struct vmtest *t, vaddr_t va, bool write, uint64_t v)
{
	struct access a = { va, v, write };
	struct trap_expect te;

	vmtest_activate(t);
	bool faulted = trap_catch(access_once, &a, &te);
	vmtest_deactivate(t);
	if (faulted)
		ktest_fail(__FILE__, __LINE__, "the %s at %#lx faulted, and uvm_fault "
		    "could not resolve it", write ? "store" : "load", va);
	return a.v;
}

static uint64_t
load(struct vmtest *t, vaddr_t va)
{
	return access_user(t, va, false, 0);
}

static void
store(struct vmtest *t, vaddr_t va, uint64_t v)
{
	access_user(t, va, true, v);
}

static vaddr_t
page(int i)
{
	return BASE + (vaddr_t)i * PAGE_SIZE;
}

/* Every page of t holds want[i], seen by a real load. */
static void
expect_contents(struct vmtest *t, const uint64_t *want)
{
	for (int i = 0; i < NPG; i++)
		KT_EQ(load(t, page(i)), want[i]);
}

KTEST(uvmspace, cow_three_generations)
{
	struct vmtest g1, g2, g3;
	uint64_t v1[NPG] = { 10, 11, 12, 13 }, v2[NPG], v3[NPG];

	vmtest_begin(&g1);
	vmtest_map_anon(&g1, BASE, NPG);
	for (int i = 0; i < NPG; i++)
		store(&g1, page(i), v1[i]);
	struct vm_anon *a0 = vmtest_anon(&g1, page(0));

	/* Generation 2: shares everything, needs-copy on both sides. */
	vmtest_fork(&g1, &g2);
	KT_ASSERT(vmtest_entry(&g1, BASE)->etype & UVM_ET_NEEDSCOPY);
	KT_ASSERT(vmtest_entry(&g2, BASE)->etype & UVM_ET_NEEDSCOPY);
	KT_EQ(vmtest_entry(&g1, BASE)->aref.ar_amap->am_ref, 2);
	KT_EQ(a0->an_ref, 1);                   /* one slot, one shared amap */
	KT_EQ(vmtest_pte(&g1, page(0)) & PG_RW, 0);
	expect_contents(&g2, v1);               /* reads: no copy yet */
	KT_ASSERT(vmtest_entry(&g2, BASE)->etype & UVM_ET_NEEDSCOPY);
	KT_EQ(vmtest_pte(&g2, page(0)) & PG_RW, 0);

	memcpy(v2, v1, sizeof(v2));
	v2[1] = 21;
	store(&g2, page(1), v2[1]);            /* first write: amap_copy + 1B */
	KT_EQ(vmtest_entry(&g2, BASE)->etype & UVM_ET_NEEDSCOPY, 0);
	KT_ASSERT(vmtest_entry(&g2, BASE)->aref.ar_amap !=
	    vmtest_entry(&g1, BASE)->aref.ar_amap);
	KT_EQ(a0->an_ref, 2);                   /* now in two amaps */
	KT_EQ(vmtest_anon(&g2, page(1))->an_ref, 1);
	KT_EQ(vmtest_anon(&g1, page(1))->an_ref, 1);
	expect_contents(&g1, v1);
	expect_contents(&g2, v2);

	/* Generation 3, from generation 2. */
	vmtest_fork(&g2, &g3);
	memcpy(v3, v2, sizeof(v3));
	v3[2] = 32;
	store(&g3, page(2), v3[2]);
	KT_EQ(a0->an_ref, 3);                   /* g1, g2 and g3 amaps */
	KT_EQ(vmtest_anon(&g3, page(1)), (uint64_t)vmtest_anon(&g2, page(1)));
	KT_EQ(vmtest_anon(&g2, page(1))->an_ref, 2);
	expect_contents(&g1, v1);
	expect_contents(&g2, v2);
	expect_contents(&g3, v3);

	/* The grandparent writes the page everyone shares: it copies. */
	v1[0] = 100;
	store(&g1, page(0), v1[0]);
	KT_EQ(a0->an_ref, 2);
	KT_ASSERT(vmtest_anon(&g1, page(0)) != a0);
	expect_contents(&g1, v1);
	expect_contents(&g2, v2);
	expect_contents(&g3, v3);

	vmtest_end(&g3);
	KT_EQ(a0->an_ref, 1);
	vmtest_end(&g2);
	vmtest_end(&g1);
}

KTEST(uvmspace, share_inheritance_writes_seen_both_ways)
{
	struct vmtest p, c;

	vmtest_begin(&p);
	vmtest_map_anon(&p, BASE, NPG);
	KT_EQ(uvm_map_inherit(p.map, BASE, BASE + NPG * PAGE_SIZE, MAP_INHERIT_SHARE), 0);
	store(&p, page(0), 7);
	vmtest_fork(&p, &c);
	struct vm_map_entry *pe = vmtest_entry(&p, BASE), *ce = vmtest_entry(&c, BASE);
	KT_EQ(pe->aref.ar_amap, (uint64_t)ce->aref.ar_amap);
	KT_ASSERT(pe->aref.ar_amap->am_flags & AMAP_SHARED);
	KT_EQ((pe->etype | ce->etype) & UVM_ET_NEEDSCOPY, 0);
	KT_EQ(load(&c, page(0)), 7);
	store(&c, page(0), 8);                  /* child writes, parent sees */
	KT_EQ(load(&p, page(0)), 8);
	store(&p, page(3), 9);                  /* untouched before fork */
	KT_EQ(load(&c, page(3)), 9);
	KT_EQ(vmtest_anon(&p, page(3)), (uint64_t)vmtest_anon(&c, page(3)));
	KT_EQ(vmtest_anon(&p, page(3))->an_ref, 1);
	vmtest_end(&c);
	KT_EQ(load(&p, page(0)), 8);
	vmtest_end(&p);
}

KTEST(uvmspace, inherit_none_and_zero)
{
	struct vmtest p, c;
	vaddr_t none = BASE, zero = BASE + 0x100000;

	vmtest_begin(&p);
	vmtest_map_anon(&p, none, 1);
	vmtest_map_anon(&p, zero, 1);
	store(&p, none, 1);
	store(&p, zero, 2);
	KT_EQ(uvm_map_inherit(p.map, none, none + PAGE_SIZE, MAP_INHERIT_NONE), 0);
	KT_EQ(uvm_map_inherit(p.map, zero, zero + PAGE_SIZE, MAP_INHERIT_ZERO), 0);
	vmtest_fork(&p, &c);
	KT_EQ(c.map->nentries, 1);
	KT_EQ(uvm_fault(c.map, none, VM_PROT_READ), -EFAULT);
	KT_EQ(load(&c, zero), 0);               /* fresh memory, not a copy */
	KT_ASSERT(vmtest_anon(&c, zero) != vmtest_anon(&p, zero));
	KT_EQ(load(&p, zero), 2);
	KT_EQ(load(&p, none), 1);
	vmtest_end(&c);
	vmtest_end(&p);
}

KTEST(uvmspace, exec_empties_the_space)
{
	struct vmtest t;

	vmtest_begin(&t);
	vmtest_map_anon(&t, BASE, NPG);
	for (int i = 0; i < NPG; i++)
		store(&t, page(i), (uint64_t)i);
	uvmspace_exec(t.vm, PAGE_SIZE, USER_MAX);
	KT_EQ(t.map->nentries, 0);
	KT_EQ(t.map->size, 0);
	KT_EQ(t.map->pmap->pm_stats.resident, 0);
	KT_EQ(uvm_fault(t.map, BASE, VM_PROT_READ), -EFAULT);
	vmtest_end(&t);
}

KTEST(uvmspace, fork_of_a_wired_entry_copies_at_once)
{
	struct vmtest p, c;

	vmtest_begin(&p);
	vmtest_map_anon(&p, BASE, 2);
	store(&p, page(0), 5);
	KT_EQ(uvm_map_pageable(p.map, BASE, BASE + 2 * PAGE_SIZE, false), 0);
	vmtest_fork(&p, &c);
	/* The parent keeps write access to its wired pages... */
	KT_ASSERT(vmtest_pte(&p, page(0)) & PG_RW);
	KT_EQ(vmtest_entry(&p, BASE)->etype & UVM_ET_NEEDSCOPY, 0);
	/* ...and the child already has its own copies. */
	KT_ASSERT(vmtest_anon(&c, page(0)) != vmtest_anon(&p, page(0)));
	KT_EQ(load(&c, page(0)), 5);
	store(&p, page(0), 6);
	KT_EQ(load(&c, page(0)), 5);
	vmtest_end(&c);
	KT_EQ(uvm_map_pageable(p.map, BASE, BASE + 2 * PAGE_SIZE, true), 0);
	vmtest_end(&p);
}

/* A second reference keeps the space: only the last uvmspace_free takes it down. */
KTEST(uvmspace, addref_keeps_the_space_until_the_last_free)
{
	struct vmtest t;

	vmtest_begin(&t);
	uint64_t entries0 = uvm_map_entry_count();
	vmtest_map_anon(&t, BASE, NPG);
	store(&t, page(0), 42);
	KT_EQ(uvm_map_entry_count(), entries0 + 1);
	KT_EQ(t.vm->vm_refcnt, 1);
	uvmspace_addref(t.vm);
	KT_EQ(t.vm->vm_refcnt, 2);
	uvmspace_free(t.vm);                    /* the first: nothing goes */
	KT_EQ(t.vm->vm_refcnt, 1);
	KT_EQ(uvm_map_entry_count(), entries0 + 1);
	KT_EQ(t.map->nentries, 1);
	KT_EQ(pmap_check_all(ktest_print), 0);
	KT_ASSERT(vmtest_pte(&t, page(0)) & PG_V);
	KT_EQ(load(&t, page(0)), 42);
	vmtest_end(&t);                         /* the second: all of it goes */
	KT_EQ(uvm_map_entry_count(), entries0);
}

KTEST(uvmspace, move_keeps_the_anons_and_grow_extends_the_amap)
{
	struct vmtest t;
	vaddr_t to = BASE + 0x1000000;

	vmtest_begin(&t);
	vmtest_map_anon(&t, BASE, 2);
	store(&t, page(0), 41);
	store(&t, page(1), 42);
	struct vm_anon *a0 = vmtest_anon(&t, page(0));
	struct vm_amap *amap = vmtest_entry(&t, BASE)->aref.ar_amap;
	/* Moved: the same entry, amap and anons at the new address. */
	KT_EQ(uvm_map_move(t.map, BASE, 2 * PAGE_SIZE, to), 0);
	KT_EQ(uvm_fault(t.map, BASE, VM_PROT_READ), -EFAULT);
	KT_EQ(vmtest_entry(&t, to)->aref.ar_amap, (uint64_t)amap);
	KT_EQ(vmtest_anon(&t, to), (uint64_t)a0);
	KT_EQ(load(&t, to), 41);
	KT_EQ(load(&t, to + PAGE_SIZE), 42);
	/* Grown in place: one entry, its amap covers the new page. */
	KT_EQ(uvm_map_grow(t.map, to + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	KT_EQ(t.map->nentries, 1);
	KT_EQ(vmtest_entry(&t, to)->end, to + 3 * PAGE_SIZE);
	KT_ASSERT(amap->am_nslot >= 3);
	KT_EQ(load(&t, to + 2 * PAGE_SIZE), 0);
	KT_EQ(uvm_map_move(t.map, BASE, PAGE_SIZE, to), -EFAULT);
	vmtest_end(&t);
}

/*
 * Only the entry's end grows: a range ending inside the entry has the
 * entry's own pages after it (mremap of a prefix), even with free space
 * past the entry, and the entry stays as it was.
 */
KTEST(uvmspace, grow_only_from_the_entrys_end)
{
	struct vmtest t;

	vmtest_begin(&t);
	vmtest_map_anon(&t, BASE, 8);
	store(&t, page(0), 41);
	KT_EQ(uvm_map_grow(t.map, page(4), 2 * PAGE_SIZE), -ENOMEM);
	KT_EQ(t.map->nentries, 1);
	KT_EQ(vmtest_entry(&t, BASE)->end, page(8));
	KT_EQ(t.map->size, 8 * PAGE_SIZE);
	KT_EQ(uvm_fault(t.map, page(8), VM_PROT_READ), -EFAULT);
	KT_EQ(uvm_map_grow(t.map, page(9), PAGE_SIZE), -EFAULT);
	KT_EQ(uvm_map_grow(t.map, page(4) + 1, PAGE_SIZE), -EINVAL);
	/* From its end it grows, data kept. */
	KT_EQ(uvm_map_grow(t.map, page(8), 2 * PAGE_SIZE), 0);
	KT_EQ(t.map->nentries, 1);
	KT_EQ(vmtest_entry(&t, BASE)->end, page(10));
	KT_EQ(load(&t, page(0)), 41);
	KT_EQ(load(&t, page(9)), 0);
	vmtest_end(&t);
}

/*
 * An amap another entry holds too cannot grow under one of them: after
 * a fork, or after a clip (mremap moving a prefix).  -ENOMEM, nothing
 * changed; the caller maps a separate entry instead.
 */
KTEST(uvmspace, grow_leaves_a_shared_amap_alone)
{
	struct vmtest p, c;

	vmtest_begin(&p);
	vmtest_map_anon(&p, BASE, 2);
	store(&p, page(0), 7);
	vmtest_fork(&p, &c);
	struct vm_amap *amap = vmtest_entry(&p, BASE)->aref.ar_amap;
	KT_EQ(amap->am_ref, 2);
	KT_EQ(uvm_map_grow(p.map, page(2), PAGE_SIZE), -ENOMEM);
	KT_EQ(vmtest_entry(&p, BASE)->end, page(2));
	KT_EQ(load(&c, page(0)), 7);
	vmtest_end(&c);
	/* Now only p's entry holds it; split in two, both halves do. */
	KT_EQ(uvm_map_move(p.map, BASE, PAGE_SIZE, page(4)), 0);
	KT_EQ(amap->am_ref, 2);
	KT_EQ(uvm_map_grow(p.map, page(5), PAGE_SIZE), -ENOMEM);
	KT_EQ(uvm_map_grow(p.map, page(2), PAGE_SIZE), -ENOMEM);
	KT_EQ(vmtest_entry(&p, page(4))->end, page(5));
	KT_EQ(load(&p, page(4)), 7);
	vmtest_end(&p);
}

KTEST(uvmspace, dontneed_drops_only_this_sides_private_pages)
{
	struct vmtest p, c;

	vmtest_begin(&p);
	vmtest_map_anon(&p, BASE, 1);
	store(&p, page(0), 7);
	vmtest_fork(&p, &c);
	uint64_t anons = anon_count();
	KT_EQ(uvm_map_dontneed(c.map, BASE, BASE + PAGE_SIZE), 0);
	KT_EQ(vmtest_anon(&c, page(0)), 0);       /* the child's slot is empty */
	KT_EQ(load(&c, page(0)), 0);              /* reads zeros now */
	KT_EQ(load(&p, page(0)), 7);              /* the parent keeps its page */
	KT_EQ(anon_count(), anons + 1);           /* the child's fresh zero page */
	vmtest_end(&c);
	vmtest_end(&p);
}
