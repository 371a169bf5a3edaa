/*
 * tests/uvm/pdaemon_test.c - the page daemon (uvm/uvm_pdaemon.c): its
 * watermarks, the clock's second chance, clean pages dropped without a
 * write, and memory pressure from a space larger than free memory, where
 * faults wait for the daemon instead of failing.  The replacement policy
 * (struct uvm_pdpolicy): FIFO ignores the referenced bits, and on a
 * fixed workload - a hot set used every round while a scan faults in
 * one new page a round, in a memory of fixed size - the clock pages out
 * less than FIFO (the clock lab's measure, docs/labs.md).
 *
 * Own boot (KTEST_OWN_BOOT): 64 MiB of RAM and vda as swap.
 */
#include "kern/core/ktest.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/swaptest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_memobj.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pdaemon.h"
#include "uvm/uvm_swap.h"

#define VA 0x20000000UL

KTEST_OWN_BOOT(pdaemon, watermarks_follow_the_size_of_memory)
{
	KT_ASSERT(uvm_pdaemon_running());
	KT_ASSERT(uvmexp.freemin >= 64 && uvmexp.freemin <= 1024);
	KT_EQ(uvmexp.freetarg, 2 * uvmexp.freemin);
	KT_EQ(uvmexp.reserve, uvmexp.freemin / 4);
	KT_ASSERT(uvmexp.free > uvmexp.freetarg);   /* idle at boot */
	uvm_pdaemon_print(ktest_print);
}

KTEST_OWN_BOOT(pdaemon, referenced_pages_get_a_second_chance)
{
	struct vmtest t;
	uint64_t react0 = uvmexp.pdreact;

	swaptest_on();
	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 32);
	swaptest_fill(&t, VA, 32, 0x61);
	for (int i = 0; i < 32; i++)
		KT_ASSERT(swaptest_page(&t, VA + PG(i)) != NULL);
	swaptest_deactivate(&t, VA, 32);
	swaptest_verify(&t, VA, 8, 0x61);       /* the first 8 used again */
	uvm_pdaemon_pageout_now((int)uvmexp.inactive);
	KT_ASSERT(uvmexp.pdreact - react0 >= 8);
	for (int i = 0; i < 32; i++) {
		struct vm_page *pg = swaptest_page(&t, VA + PG(i));
		if (i < 8)
			KT_ASSERT(pg != NULL && (pg->pqflags & PQ_ACTIVE));
		else
			KT_ASSERT(pg == NULL && vmtest_anon(&t, VA + PG(i))->an_swslot);
	}
	swaptest_verify(&t, VA, 32, 0x61);
	vmtest_end(&t);
}

KTEST_OWN_BOOT(pdaemon, clean_file_pages_are_dropped_without_a_write)
{
	struct vmtest t;
	size_t size = 8 * PAGE_SIZE;
	uint8_t *data;
	struct uvm_object *uobj;
	uint64_t writes0 = uvm_swap_stats.writes, freed0 = uvmexp.pdfreed;

	vmtest_begin(&t);
	data = kmem_alloc(size, 0);
	KT_ASSERT(data != NULL);
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	uobj = uvm_memobj_create(data, size);
	KT_ASSERT(uobj != NULL);
	uobj->pgops->pgo_reference(uobj);       /* the mapping's */
	vmtest_map(&t, VA, 8, uobj, VM_PROT_READ, 0);
	vmtest_activate(&t);
	KT_ASSERT(memcmp((void *)VA, data, size) == 0);
	vmtest_deactivate(&t);
	KT_EQ(uobj->uo_npages, 8);
	KT_EQ(swaptest_push_out(&t, VA, 8), 8);
	KT_EQ(uobj->uo_npages, 0);
	KT_EQ(uvm_swap_stats.writes, writes0);  /* no I/O: the bytes are there */
	KT_ASSERT(uvmexp.pdfreed - freed0 >= 8);
	vmtest_activate(&t);
	KT_ASSERT(memcmp((void *)VA, data, size) == 0);
	vmtest_deactivate(&t);
	uvm_unmap(t.map, VA, VA + size);
	uobj->pgops->pgo_detach(uobj);          /* the creator's: frees it */
	kmem_free(data, size);
	vmtest_end(&t);
}

/*
 * An initrd file's pages stay cached when its last mapping goes
 * (uvm/uvm_memobj.c); under pressure the daemon drops them like any
 * clean file page, with no write, and the object is left empty.
 */
KTEST_OWN_BOOT(pdaemon, unmapped_cached_file_pages_are_dropped_without_a_write)
{
	struct vmtest t;
	size_t size = 8 * PAGE_SIZE;
	uint64_t writes0 = uvm_swap_stats.writes, freed0 = uvmexp.pdfreed;

	vmtest_begin(&t);
	uint8_t *data;
	struct uvm_object *uobj = vmtest_memobj(size, 0x5a, &data);
	vmtest_map(&t, VA, 8, uobj, VM_PROT_READ, 0);
	vmtest_activate(&t);
	KT_ASSERT(memcmp((void *)VA, data, size) == 0);
	vmtest_deactivate(&t);
	uvm_unmap(t.map, VA, VA + size);
	KT_EQ(uobj->uo_refs, 1);
	KT_EQ(uobj->uo_npages, 8);              /* cached, mapped by nobody */
	mutex_enter(&uobj->vmobjlock);
	for (int p = 0; p < 8; p++) {
		struct vm_page *pg = uvm_obj_page_lookup(uobj, (voff_t)p << PAGE_SHIFT);
		pmap_clear_reference(pg);       /* the clock's hand went by */
		vm_page_deactivate(pg);
	}
	mutex_exit(&uobj->vmobjlock);
	uvm_pdaemon_pageout_now((int)uvmexp.inactive);
	KT_EQ(uobj->uo_npages, 0);
	KT_EQ(uvm_swap_stats.writes, writes0);
	KT_ASSERT(uvmexp.pdfreed - freed0 >= 8);
	vmtest_memobj_free(uobj, data, size);
	vmtest_end(&t);
}

/*
 * More pages than are free: the faults run the free count down to the
 * reserve, then wait in uvm_wait while the daemon writes pages out; in
 * the end every page reads back right.
 */
KTEST_OWN_BOOT(pdaemon, faults_wait_for_the_daemon_under_pressure)
{
	struct vmtest t;
	int n = (int)uvmexp.free + 2048;
	uint64_t woke0 = uvmexp.pdwoke, out0 = uvmexp.pageouts;
	uint64_t in0 = uvmexp.pageins;

	swaptest_on();
	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, n);
	swaptest_fill(&t, VA, n, 0x62);
	KT_ASSERT(uvmexp.pdwoke > woke0);
	KT_ASSERT(uvmexp.pageouts - out0 >= 2048);
	KT_ASSERT(uvmexp.free >= uvmexp.reserve);   /* the reserve held */
	swaptest_verify(&t, VA, n, 0x62);
	KT_ASSERT(uvmexp.pageins - in0 > 0);
	KT_EQ(uvm_swap_check(ktest_print), 0);
	KT_EQ(vm_page_check(ktest_print), 0);
	vmtest_end(&t);
	uvm_pdaemon_print(ktest_print);
}

/* The policy as the test found it (a static: cleanups outlive frames). */
static const struct uvm_pdpolicy *pdpolicy_saved;

static void
pdpolicy_restore(void *arg)
{
	(void)arg;
	uvm_pdpolicy = pdpolicy_saved;
}

/* Run the daemon with pol until the test ends (the daemon is idle here). */
static void
pdpolicy_use(const struct uvm_pdpolicy *pol)
{
	pdpolicy_saved = uvm_pdpolicy;
	ktest_cleanup_push(pdpolicy_restore, NULL);
	uvm_pdpolicy = pol;
}

KTEST_OWN_BOOT(pdaemon, fifo_ignores_the_referenced_bits)
{
	struct vmtest t;
	uint64_t react0 = uvmexp.pdreact;

	swaptest_on();
	pdpolicy_use(&uvm_pdpolicy_fifo);
	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 32);
	swaptest_fill(&t, VA, 32, 0x63);
	swaptest_deactivate(&t, VA, 32);
	swaptest_verify(&t, VA, 8, 0x63);       /* used again: no matter */
	uvm_pdaemon_pageout_now((int)uvmexp.inactive);
	KT_EQ(uvmexp.pdreact, react0);
	for (int i = 0; i < 32; i++)
		KT_ASSERT(swaptest_page(&t, VA + PG(i)) == NULL);
	swaptest_verify(&t, VA, 32, 0x63);
	vmtest_end(&t);
}

#define WL_HOT 8        /* pages used every round */
#define WL_WINDOW 24    /* cold pages resident at the start */
#define WL_ROUNDS 96    /* rounds: one new cold page each */

/*
 * The fixed workload under pol: WL_WINDOW cold pages then WL_HOT hot
 * ones are resident; each round writes the hot set and faults in one new
 * cold page, then asks the daemon to free as many pages as the round
 * faulted in - a memory of fixed size.  Fault-ahead is off (the caller),
 * so a fault brings exactly one page.  => the pageouts it took.
 */
static uint64_t
pdpolicy_workload(const struct uvm_pdpolicy *pol, int *hot_resident)
{
	struct vmtest t;
	const vaddr_t hot = VA, cold = VA + PG(WL_HOT);
	uint64_t outs0;

	uvm_pdpolicy = pol;
	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, WL_HOT + WL_WINDOW + WL_ROUNDS);
	swaptest_fill(&t, cold, WL_WINDOW, 0x64);
	swaptest_fill(&t, hot, WL_HOT, 0x64);
	swaptest_deactivate(&t, cold, WL_WINDOW);
	outs0 = uvmexp.pageouts;
	for (int r = 0; r < WL_ROUNDS; r++) {
		uint64_t faults0 = uvmexp.faults;
		swaptest_fill(&t, hot, WL_HOT, 0x64);
		swaptest_fill(&t, cold + PG(WL_WINDOW + r), 1, 0x64);
		uvm_pdaemon_pageout_now((int)(uvmexp.faults - faults0));
	}
	uint64_t outs = uvmexp.pageouts - outs0;
	*hot_resident = 0;
	for (int i = 0; i < WL_HOT; i++)
		*hot_resident += swaptest_page(&t, hot + PG(i)) != NULL;
	swaptest_verify(&t, VA, WL_HOT + WL_WINDOW + WL_ROUNDS, 0x64);
	vmtest_end(&t);
	return outs;
}

KTEST_OWN_BOOT(pdaemon, clock_pages_out_less_than_fifo_on_a_hot_set)
{
	int hot_clock, hot_fifo;

	swaptest_on();
	vmtest_fault_ahead(false);
	pdpolicy_use(uvm_pdpolicy);
	uint64_t fifo = pdpolicy_workload(&uvm_pdpolicy_fifo, &hot_fifo);
	uint64_t clock = pdpolicy_workload(&uvm_pdpolicy_clock, &hot_clock);
	ktest_print("pageouts in %d rounds: fifo %lu (hot pages resident at the end "
	    "%d/%d), clock %lu (%d/%d)\n", WL_ROUNDS, fifo, hot_fifo, WL_HOT, clock,
	    hot_clock, WL_HOT);
	/* Every round faulted in a page and so paged one out, under both. */
	KT_ASSERT(clock >= WL_ROUNDS && fifo >= WL_ROUNDS);
	/* FIFO pages the hot set out again and again, the clock seldom (when
	 * its hand finds every page referenced, it laps twice and takes
	 * one): measured 149 against 303, asserted with a margin. */
	KT_ASSERT(3 * clock < 2 * fifo);
}
