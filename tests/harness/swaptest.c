/*
 * tests/harness/swaptest.c - see swaptest.h.
 */
#include "tests/harness/swaptest.h"
#include "dev/blk.h"
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "pmap/pmap.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pdaemon.h"
#include "uvm/uvm_swap.h"
#include "uvm/uvm_swapctl.h"

#define WORDS (PAGE_SIZE / sizeof(uint64_t))

void
swaptest_on(void)
{
	struct blkdev *vda = blk_lookup("vda");
	int error;

	KT_ASSERT(vda != NULL);
	error = uvm_swapon(vda);
	KT_ASSERT(error == 0 || error == -EBUSY);
	KT_EQ(uvm_swap_stats.ndevs, 1);
}

/* The page number is absolute (va >> 12): a range can be checked in parts. */
static uint64_t
word_of(uint64_t seed, vaddr_t va, size_t w)
{
	return (seed << 48) ^ ((uint64_t)(va >> PAGE_SHIFT) << 12) ^ w;
}

void
swaptest_fill(struct vmtest *t, vaddr_t va, int npages, uint64_t seed)
{
	vmtest_activate(t);
	for (int p = 0; p < npages; p++) {
		uint64_t *q = (uint64_t *)(va + PG(p));
		for (size_t w = 0; w < WORDS; w++)
			q[w] = word_of(seed, va + PG(p), w);
	}
	vmtest_deactivate(t);
}

void
swaptest_verify(struct vmtest *t, vaddr_t va, int npages, uint64_t seed)
{
	int bad = -1;

	vmtest_activate(t);
	for (int p = 0; p < npages && bad < 0; p++) {
		const uint64_t *q = (const uint64_t *)(va + PG(p));
		for (size_t w = 0; w < WORDS; w++) {
			if (q[w] != word_of(seed, va + PG(p), w)) {
				bad = p;
				break;
			}
		}
	}
	vmtest_deactivate(t);
	KT_EQ(bad, -1);         /* the first page whose pattern is wrong */
}

struct vm_page *
swaptest_page(struct vmtest *t, vaddr_t va)
{
	struct vm_map_entry *e = vmtest_entry(t, va);
	struct vm_anon *anon = vmtest_anon(t, va);
	struct vm_page *pg;

	if (anon != NULL)
		return anon->an_page;
	if (e->object == NULL)
		return NULL;
	mutex_enter(&e->object->vmobjlock);
	pg = uvm_obj_page_lookup(e->object, e->offset + (voff_t)(va - e->start));
	mutex_exit(&e->object->vmobjlock);
	return pg;
}

void
swaptest_deactivate(struct vmtest *t, vaddr_t va, int npages)
{
	for (int p = 0; p < npages; p++) {
		struct vm_page *pg = swaptest_page(t, va + PG(p));
		if (pg == NULL)
			continue;
		pmap_clear_reference(pg);
		vm_page_deactivate(pg);
	}
}

int
swaptest_push_out(struct vmtest *t, vaddr_t va, int npages)
{
	int gone = 0;

	swaptest_deactivate(t, va, npages);
	uvm_pdaemon_pageout_now((int)uvmexp.inactive);
	for (int p = 0; p < npages; p++)
		gone += swaptest_page(t, va + PG(p)) == NULL;
	return gone;
}
