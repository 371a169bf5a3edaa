/*
 * tests/uvm/anon_test.c - uvm/uvm_anon.c: an anon's reference, its page
 * (owner back-pointer, mappings removed and page freed with it) and its
 * swap slot (released with it, or alone by anon_dropswap), the checker
 * and the printer.
 *
 * Swap slots come from a device-less swap area (uvm_swap_area_create),
 * so their allocation state can be asserted; anon_pagein has no disk to
 * read from there and must say so (-ENODEV) without changing the anon
 * (reading from a real swap disk is tested in tests/uvm/swap_test.c).
 * Each test ends with the leak check (vm_baseline_expect): anons, pages
 * in use, swap slots in use and the rest of the VM's live-object counts
 * back where they started.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_swap.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)

/* The leak check, and the page allocator left consistent. */
static void
base_expect(const struct vm_baseline *b)
{
	vm_baseline_expect(b);
	KT_EQ(vm_page_check(ktest_print), 0);
}

/* Give anon a page (as the fault handler does), filled with fill. */
static struct vm_page *
give_page(struct vm_anon *anon, uint8_t fill)
{
	struct vm_page *pg = vm_page_alloc(NULL, 0, anon, 0);

	KT_ASSERT(pg != NULL);
	memset(vm_page_kva(pg), fill, PAGE_SIZE);
	pg->flags &= ~(PG_BUSY | PG_FAKE | PG_CLEAN);
	anon->an_page = pg;
	return pg;
}

/* One swap slot from a fresh device-less area. */
static int
one_slot(void)
{
	int n = 1, slot;

	KT_ASSERT(uvm_swap_area_create(4) > 0);
	slot = uvm_swap_alloc(&n, false);
	KT_ASSERT(slot > 0 && n == 1);
	KT_ASSERT(uvm_swap_slot_inuse(slot));
	return slot;
}

KTEST(anon, alloc_gives_one_reference_and_nothing_else)
{
	struct vm_anon *anon;
	struct vm_baseline b;

	vm_baseline_take(&b);
	anon = anon_alloc();
	KT_ASSERT(anon != NULL);
	KT_EQ(anon_count(), b.anons + 1);
	KT_EQ(anon->an_ref, 1);
	KT_ASSERT(anon->an_page == NULL && anon->an_lock == NULL);
	KT_EQ(anon->an_swslot, 0);
	/* Holding nothing is only allowed until the fault handler fills it. */
	KT_EQ(anon_check(anon, ktest_capture), 1);
	anon->an_ref = 0;
	anon_free(anon);
	base_expect(&b);
}

/*
 * Anons come from the pool without PR_ZERO and are filled in whole by
 * anon_alloc_many: a freed one, whose first word (an_lock) the pool used
 * as its free-list link and whose others a debug build poisoned, is
 * handed out again (the free list is LIFO) with nothing of that left.
 */
KTEST(anon, alloc_many_hands_out_a_reused_anon_fresh)
{
	struct vm_anon *a[8], *again[8];
	struct vm_baseline b;
	int reused = 0;

	vm_baseline_take(&b);
	KT_EQ(anon_alloc_many(a, 8), 8);
	for (int i = 0; i < 8; i++) {
		a[i]->an_ref = 0;
		anon_free(a[i]);        /* its first word now links the free list */
	}
	KT_EQ(anon_alloc_many(again, 8), 8);
	for (int i = 0; i < 8; i++) {
		for (int k = 0; k < 8; k++)
			reused += again[i] == a[k];
		KT_EQ(again[i]->an_ref, 1);
		KT_EQ(again[i]->an_swslot, 0);
		KT_ASSERT(again[i]->an_page == NULL && again[i]->an_lock == NULL);
		KT_EQ(anon_check(again[i], ktest_capture), 1); /* holds nothing yet */
	}
	/* The page the eight came from is the one the pool takes from next. */
	KT_ASSERT(reused >= 1);
	for (int i = 0; i < 8; i++) {
		again[i]->an_ref = 0;
		anon_free(again[i]);
	}
	base_expect(&b);
}

KTEST(anon, free_unmaps_and_frees_the_page)
{
	struct pmap *pm;
	struct vm_anon *anon;
	struct vm_page *pg;
	struct vm_baseline b;
	paddr_t pa;

	vm_baseline_take(&b);
	pm = pmap_create();
	KT_ASSERT(pm != NULL);
	anon = anon_alloc();
	pg = give_page(anon, 0x5c);
	KT_ASSERT(pg->uanon == anon);
	KT_EQ(anon_check(anon, ktest_print), 0);
	/* Mapped twice, as by a parent and a child after fork. */
	KT_EQ(pmap_enter(pm, 0x400000, pg->phys_addr, VM_PROT_READ, 0), 0);
	KT_EQ(pmap_enter(pm, 0x800000, pg->phys_addr, RW, 0), 0);
	KT_EQ(pg->md.pv_count, 2);
	anon->an_ref = 0;
	anon_free(anon);
	pmap_update(pm);
	KT_ASSERT(!pmap_extract(pm, 0x400000, &pa));
	KT_ASSERT(!pmap_extract(pm, 0x800000, &pa));
	KT_ASSERT(pg->pqflags & PQ_FREE);
	KT_ASSERT(pg->uanon == NULL);
	KT_EQ(pg->md.pv_count, 0);
	pmap_destroy(pm);
	base_expect(&b);
}

KTEST(anon, free_releases_the_swap_slot)
{
	struct vm_anon *anon;
	struct vm_baseline b;
	int slot;

	vm_baseline_take(&b);
	slot = one_slot();
	anon = anon_alloc();
	anon->an_swslot = slot;         /* paged out: no page, only the slot */
	KT_EQ(anon_check(anon, ktest_print), 0);
	KT_EQ(uvm_swap_stats.inuse, b.swapslots + 1);
	anon->an_ref = 0;
	anon_free(anon);
	KT_ASSERT(!uvm_swap_slot_inuse(slot));
	uvm_swap_area_destroy_all();
	base_expect(&b);
}

KTEST(anon, dropswap_keeps_the_page)
{
	struct vm_anon *anon;
	struct vm_page *pg;
	struct vm_baseline b;
	int slot;

	vm_baseline_take(&b);
	slot = one_slot();
	anon = anon_alloc();
	pg = give_page(anon, 0x77);
	anon->an_swslot = slot;         /* resident, with a copy on swap */
	KT_EQ(anon_check(anon, ktest_print), 0);
	/* A write makes the swap copy stale: only the slot goes. */
	anon_dropswap(anon);
	KT_EQ(anon->an_swslot, 0);
	KT_ASSERT(!uvm_swap_slot_inuse(slot));
	KT_ASSERT(anon->an_page == pg && pg->uanon == anon);
	KT_EQ(*(uint8_t *)vm_page_kva(pg), 0x77);
	anon_dropswap(anon);            /* no slot: nothing to do */
	KT_EQ(anon_check(anon, ktest_print), 0);
	anon->an_ref = 0;
	anon_free(anon);
	uvm_swap_area_destroy_all();
	base_expect(&b);
}

/* A test area has no disk: the read fails, and nothing changes. */
KTEST(anon, pagein_without_a_disk_fails_and_changes_nothing)
{
	struct vm_anon *anon;
	struct vm_baseline b;
	int slot;

	vm_baseline_take(&b);
	slot = one_slot();
	anon = anon_alloc();
	anon->an_swslot = slot;
	KT_EQ(anon_pagein(anon), -ENODEV);
	KT_EQ(anon->an_swslot, slot);
	KT_ASSERT(anon->an_page == NULL);
	KT_ASSERT(uvm_swap_slot_inuse(slot));
	anon->an_ref = 0;
	anon_free(anon);
	uvm_swap_area_destroy_all();
	base_expect(&b);
}

KTEST(anon, check_finds_wrong_owner_and_missing_reference)
{
	struct vm_anon *anon, *other;
	struct vm_page *pg;
	struct vm_baseline b;

	vm_baseline_take(&b);
	anon = anon_alloc();
	other = anon_alloc();
	pg = give_page(anon, 0);
	KT_EQ(anon_check(anon, ktest_print), 0);
	pg->uanon = other;
	ktest_capture_reset();
	KT_EQ(anon_check(anon, ktest_capture), 1);
	KT_ASSERT(ktest_captured_len() > 0);
	pg->uanon = anon;
	anon->an_ref = 0;
	KT_EQ(anon_check(anon, ktest_capture), 1);    /* reachable, yet no reference */
	anon_free(anon);
	other->an_ref = 0;
	anon_free(other);
	base_expect(&b);
}

KTEST(anon, print_names_ref_page_and_slot)
{
	struct vm_anon *anon;
	struct vm_page *pg;
	char want[96];
	struct vm_baseline b;

	vm_baseline_take(&b);
	anon = anon_alloc();
	pg = give_page(anon, 0);
	anon->an_ref = 2;
	ktest_capture_reset();
	anon_print(anon, ktest_capture);
	ksnprintf(want, sizeof(want), "anon %p: ref 2 page %#lx swslot 0\n",
	    (void *)anon, pg->phys_addr);
	KT_STREQ(ktest_captured(), want);
	anon->an_ref = 0;
	anon_free(anon);
	base_expect(&b);
}
