/*
 * tests/uvm/swap_test.c - swap on a real disk (uvm/uvm_swapctl.c,
 * uvm_swap_io, the fault's page-in, anon_pagein, the aobj pager):
 * swapon/swapoff, pages going out and coming back byte for byte, the
 * clustering, failed writes and reads, and the user programs that use
 * more memory than the machine has (tests/user/swap.c).
 *
 * These tests need their own boot (KTEST_OWN_BOOT): make test boots a
 * second QEMU with 64 MiB of RAM and the swap disk as vda.  Pages are
 * pushed out on demand with uvm_pdaemon_pageout_now after moving them to
 * the inactive queue with their referenced bits clear, so each test knows
 * exactly which pages went.  Every test leaves swap on, as it found it.
 */
#include "dev/blk.h"
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/proc/proc.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/swaptest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pdaemon.h"
#include "uvm/uvm_swap.h"
#include "uvm/uvm_swapctl.h"

#define VA 0x10000000UL
#define NPG 48                  /* three clusters */

KTEST_OWN_BOOT(swap, swapon_takes_the_whole_disk_once)
{
	struct blkdev *vda = blk_lookup("vda");

	KT_ASSERT(vda != NULL);
	swaptest_on();
	KT_EQ(uvm_swap_stats.ndevs, 1);
	KT_EQ(uvm_swap_stats.nslots, vda->nsectors / SWAP_SECTORS_PER_SLOT);
	KT_EQ(uvm_swapon(vda), -EBUSY);
	KT_EQ(uvm_swapoff(blk_lookup("vdb")), -EINVAL);      /* not swap */
	KT_EQ(uvm_swapon(NULL), -ENODEV);
	KT_EQ(uvm_swapoff(vda), 0);
	KT_EQ(uvm_swap_stats.nslots, 0);
	KT_EQ(uvm_swap_stats.ndevs, 0);
	KT_EQ(uvm_swap_check(ktest_print), 0);
	swaptest_on();
	KT_EQ(uvm_swap_stats.nslots, vda->nsectors / SWAP_SECTORS_PER_SLOT);
}

KTEST_OWN_BOOT(swap, anons_go_out_in_clusters_and_fault_back_in)
{
	struct vmtest t;
	uint64_t writes0 = uvm_swap_stats.writes, out0 = uvmexp.pageouts;
	uint64_t in0 = uvmexp.pageins;

	/* The reads counted below are the swap read-ahead's (a speed-up,
	 * uvm/uvm_fault_ahead.c): on, whatever the boot's faultahead= says. */
	vmtest_fault_ahead(true);
	swaptest_on();
	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, NPG);
	swaptest_fill(&t, VA, NPG, 0x51);
	KT_EQ(swaptest_push_out(&t, VA, NPG), NPG);
	for (int i = 0; i < NPG; i++) {
		struct vm_anon *anon = vmtest_anon(&t, VA + PG(i));
		KT_ASSERT(anon->an_page == NULL && anon->an_swslot != 0);
		KT_ASSERT(uvm_swap_slot_inuse(anon->an_swslot));
		KT_EQ(vmtest_pte(&t, VA + PG(i)) & PG_V, 0);
	}
	/* Three clusters of 16: contiguous slots, one write each. */
	KT_EQ(uvmexp.pageouts - out0, NPG);
	KT_EQ(uvm_swap_stats.writes - writes0, NPG / SWAP_MAXCLUSTER);
	KT_EQ(vmtest_anon(&t, VA + PG(1))->an_swslot,
	    vmtest_anon(&t, VA)->an_swslot + 1);
	/* The faults bring every page back - with read-ahead, a cluster's
	 * worth per read - clean, each keeping its slot. */
	uint64_t reads0 = uvm_swap_stats.reads;
	swaptest_verify(&t, VA, NPG, 0x51);
	KT_EQ(uvmexp.pageins - in0, NPG);
	KT_ASSERT(uvm_swap_stats.reads - reads0 < NPG / 2);
	struct vm_anon *anon = vmtest_anon(&t, VA + PG(5));
	KT_ASSERT(anon->an_page != NULL && anon->an_swslot != 0);
	KT_ASSERT(anon->an_page->flags & PG_CLEAN);
	KT_EQ(anon_check(anon, ktest_print), 0);
	KT_EQ(uvm_swap_check(ktest_print), 0);
	vmtest_end(&t);         /* every slot back: the baseline */
}

/*
 * Read-ahead is for a forward sweep only (uvm_fault_ahead.c,
 * swapin_sweep): a fault whose page before is still out reads its own
 * page alone; the next one, after a resident page, reads ahead.
 */
KTEST_OWN_BOOT(swap, read_ahead_only_after_a_resident_page)
{
	struct vmtest t;
	uint64_t in0;

	vmtest_fault_ahead(true);
	swaptest_on();
	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 16);
	swaptest_fill(&t, VA, 16, 0x57);
	KT_EQ(swaptest_push_out(&t, VA, 16), 16);
	in0 = uvmexp.pageins;
	swaptest_verify(&t, VA + PG(8), 1, 0x57);       /* page 7 is out */
	KT_EQ(uvmexp.pageins - in0, 1);
	KT_ASSERT(vmtest_anon(&t, VA + PG(9))->an_page == NULL);
	swaptest_verify(&t, VA + PG(9), 1, 0x57);       /* after page 8, resident */
	KT_ASSERT(uvmexp.pageins - in0 > 2);
	KT_ASSERT(vmtest_anon(&t, VA + PG(10))->an_page != NULL);
	swaptest_verify(&t, VA, 16, 0x57);
	KT_EQ(uvm_swap_check(ktest_print), 0);
	vmtest_end(&t);
}

KTEST_OWN_BOOT(swap, clean_pages_go_again_without_a_write)
{
	struct vmtest t;
	uint64_t writes0;

	swaptest_on();
	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 16);
	swaptest_fill(&t, VA, 16, 0x52);
	KT_EQ(swaptest_push_out(&t, VA, 16), 16);
	swaptest_verify(&t, VA, 16, 0x52);       /* read back: clean copies */
	writes0 = uvm_swap_stats.writes;
	KT_EQ(swaptest_push_out(&t, VA, 16), 16);
	KT_EQ(uvm_swap_stats.writes, writes0);   /* dropped, not written */
	/* A page written after coming back is dirty: it goes out again,
	 * to a new slot, and its old slot is freed. */
	swaptest_verify(&t, VA, 1, 0x52);
	int old = vmtest_anon(&t, VA)->an_swslot;
	swaptest_fill(&t, VA, 1, 0x53);
	KT_EQ(swaptest_push_out(&t, VA, 1), 1);
	KT_EQ(uvm_swap_stats.writes, writes0 + 1);
	KT_ASSERT(vmtest_anon(&t, VA)->an_swslot != old);
	swaptest_verify(&t, VA, 1, 0x53);
	swaptest_verify(&t, VA + PG(1), 15, 0x52);
	vmtest_end(&t);
}

KTEST_OWN_BOOT(swap, copy_on_write_of_a_swapped_out_anon)
{
	struct vmtest p, c;

	swaptest_on();
	vmtest_begin(&p);
	vmtest_map_anon(&p, VA, 16);
	swaptest_fill(&p, VA, 16, 0x54);
	vmtest_fork(&p, &c);
	KT_ASSERT(vmtest_entry(&c, VA)->etype & UVM_ET_NEEDSCOPY);
	KT_EQ(swaptest_push_out(&p, VA, 16), 16);
	/* The child writes: amap_copy shares each swapped-out anon (an_ref
	 * 2), the fault reads it back in, then copies it (1B, and copy-ahead
	 * for the pages its read-ahead brought in). */
	uint64_t cow0 = uvmexp.flt_cow + uvmexp.flt_cowahead;
	swaptest_fill(&c, VA, 16, 0x55);
	KT_EQ(uvmexp.flt_cow + uvmexp.flt_cowahead - cow0, 16);
	KT_EQ(vmtest_anon(&p, VA)->an_ref, 1);     /* the copy is the child's */
	KT_ASSERT(vmtest_anon(&c, VA) != vmtest_anon(&p, VA));
	swaptest_verify(&c, VA, 16, 0x55);
	swaptest_verify(&p, VA, 16, 0x54);
	vmtest_end(&c);
	vmtest_end(&p);
}

KTEST_OWN_BOOT(swap, aobj_with_a_hash_table_goes_out_and_back)
{
	struct vmtest t;
	int n = 160;                    /* > 64 pages: the hash of clusters */
	struct uvm_object *uobj;

	swaptest_on();
	vmtest_begin(&t);
	uobj = uao_create((vsize_t)n * PAGE_SIZE, 0);
	KT_ASSERT(uobj != NULL && uao_uses_hash(uobj));
	uao_reference(uobj);            /* the mapping's */
	vmtest_map(&t, VA, n, uobj, VM_PROT_READ | VM_PROT_WRITE, 0);
	swaptest_fill(&t, VA, n, 0x56);
	KT_EQ(swaptest_push_out(&t, VA, n), n);
	mutex_enter(&uobj->vmobjlock);
	KT_EQ(uobj->uo_npages, 0);
	for (int i = 0; i < n; i++)
		KT_ASSERT(uao_find_swslot(uobj, i) != 0);
	KT_EQ(uao_check(uobj, ktest_print), 0);
	mutex_exit(&uobj->vmobjlock);
	KT_ASSERT(uao_nclusters(uobj) >= n / UAO_SWHASH_CLUSTER);
	swaptest_verify(&t, VA, n, 0x56);
	KT_EQ(uobj->uo_npages, (size_t)n);
	uvm_unmap(t.map, VA, VA + PG(n));
	uao_detach(uobj);               /* ours: the pages and slots go */
	vmtest_end(&t);
}

KTEST_OWN_BOOT(swap, swapoff_reads_every_page_back)
{
	struct vmtest t;
	struct blkdev *vda = blk_lookup("vda");

	swaptest_on();
	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, NPG);
	swaptest_fill(&t, VA, NPG, 0x57);
	KT_EQ(swaptest_push_out(&t, VA, NPG), NPG);
	KT_EQ(uvm_swapoff(vda), 0);
	KT_EQ(uvm_swap_stats.nslots, 0);
	for (int i = 0; i < NPG; i++) {
		struct vm_anon *anon = vmtest_anon(&t, VA + PG(i));
		KT_ASSERT(anon->an_page != NULL && anon->an_swslot == 0);
		KT_ASSERT((anon->an_page->flags & PG_CLEAN) == 0);   /* only copy */
	}
	uint64_t in0 = uvmexp.pageins;
	swaptest_verify(&t, VA, NPG, 0x57);
	KT_EQ(uvmexp.pageins, in0);     /* all resident already */
	swaptest_on();
	vmtest_end(&t);
}

/*
 * A page a fault is reading in (busy, the amap unlocked) keeps its slot
 * through swapoff: the walks pass it by and repeat, and swapoff gives up
 * with EBUSY, still swap; once the page is no longer busy, it succeeds.
 */
KTEST_OWN_BOOT(swap, swapoff_leaves_a_page_being_read_its_slot)
{
	struct vmtest t;
	struct blkdev *vda = blk_lookup("vda");
	struct vm_anon *anon;
	int slot;

	swaptest_on();
	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 4);
	swaptest_fill(&t, VA, 4, 0x5a);
	KT_EQ(swaptest_push_out(&t, VA, 4), 4);
	KT_EQ(uvm_fault(t.map, VA, VM_PROT_READ), 0);   /* back, slot kept */
	anon = vmtest_anon(&t, VA);
	slot = anon->an_swslot;
	KT_ASSERT(anon->an_page != NULL && slot != 0);
	mutex_enter(anon->an_lock);
	anon->an_page->flags |= PG_BUSY;        /* as in fault_anonget's read */
	mutex_exit(anon->an_lock);
	KT_EQ(uvm_swapoff(vda), -EBUSY);
	KT_EQ(uvm_swap_stats.ndevs, 1);         /* still swap */
	KT_EQ(anon->an_swslot, slot);
	KT_ASSERT(uvm_swap_slot_inuse(slot));
	mutex_enter(anon->an_lock);
	vm_page_unbusy(anon->an_page);          /* the read is done */
	mutex_exit(anon->an_lock);
	KT_EQ(uvm_swapoff(vda), 0);
	KT_EQ(anon->an_swslot, 0);
	KT_EQ(uvm_swap_stats.ndevs, 0);
	swaptest_verify(&t, VA, 4, 0x5a);
	swaptest_on();
	vmtest_end(&t);
}

KTEST_OWN_BOOT(swap, failed_write_keeps_the_page_and_marks_slots_bad)
{
	struct vmtest t;
	struct blkdev *vda = blk_lookup("vda");
	uint64_t bad0 = uvm_swap_stats.bad, err0 = uvm_swap_stats.write_errors;

	swaptest_on();
	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 16);
	swaptest_fill(&t, VA, 16, 0x58);
	blk_inject_error(vda, BLK_WRITE, 0, vda->nsectors, 1);
	KT_EQ(swaptest_push_out(&t, VA, 16), 0);
	blk_inject_error(vda, BLK_WRITE, 0, vda->nsectors, 0);
	KT_EQ(uvm_swap_stats.write_errors, err0 + 1);
	KT_EQ(uvm_swap_stats.bad, bad0 + 16);
	for (int i = 0; i < 16; i++) {
		struct vm_anon *anon = vmtest_anon(&t, VA + PG(i));
		KT_ASSERT(anon->an_page != NULL && anon->an_swslot == 0);
		KT_ASSERT((anon->an_page->flags & PG_CLEAN) == 0);
	}
	swaptest_verify(&t, VA, 16, 0x58);
	/* The next try uses fresh slots and works. */
	KT_EQ(swaptest_push_out(&t, VA, 16), 16);
	swaptest_verify(&t, VA, 16, 0x58);
	KT_EQ(uvm_swap_check(ktest_print), 0);
	vmtest_end(&t);
}

KTEST_OWN_BOOT(swap, failed_read_fails_the_fault_with_eio)
{
	struct vmtest t;
	struct blkdev *vda = blk_lookup("vda");

	swaptest_on();
	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 4);
	swaptest_fill(&t, VA, 4, 0x59);
	KT_EQ(swaptest_push_out(&t, VA, 4), 4);
	int slot = vmtest_anon(&t, VA)->an_swslot;
	uint64_t bad0 = uvm_swap_stats.bad;
	/* Every read fails: the clustered read, then the page alone. */
	blk_inject_error(vda, BLK_READ, 0, vda->nsectors, -1);
	KT_EQ(uvm_fault(t.map, VA, VM_PROT_READ), -EIO);
	blk_inject_error(vda, BLK_READ, 0, vda->nsectors, 0);
	KT_EQ(uvm_swap_stats.bad, bad0 + 1);
	struct vm_anon *anon = vmtest_anon(&t, VA);
	KT_ASSERT(anon->an_page == NULL && anon->an_swslot == slot);
	KT_EQ(vmtest_pte(&t, VA) & PG_V, 0);
	/* The other pages are fine. */
	swaptest_verify(&t, VA + PG(1), 3, 0x59);
	vmtest_end(&t);         /* the anon's bad slot stays allocated */
}

/* tests/user/swap.c: more memory than the machine has, from user space. */
KTEST_OWN_BOOT(swap, user_programs_use_three_times_ram)
{
	char path[] = "/tests/swap", *argv[] = { path, NULL };
	char *envp[] = { "PATH=/bin", "UTEST_NESTED=1", NULL };
	struct vm_baseline b;
	int status = -1;

	swaptest_on();
	vm_baseline_take(&b);
	KT_EQ(proc_run(path, argv, envp, &status), 0);
	KT_EQ(status, 0);
	vm_baseline_expect(&b);
	KT_EQ(uvm_swap_stats.ndevs, 1);
	uvm_swap_print(ktest_print);
	uvm_pdaemon_print(ktest_print);
}
