/*
 * tests/uvm/pdaemon_test.c - the page daemon (uvm/uvm_pdaemon.c): its
 * watermarks, the clock's second chance, clean pages dropped without a
 * write, and memory pressure from a space larger than free memory, where
 * faults wait for the daemon instead of failing.
 *
 * Own boot (KTEST_OWN_BOOT): 64 MiB of RAM and vda as swap.
 */
#include "kern/core/ktest.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/swaptest.h"
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
