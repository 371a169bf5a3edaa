/*
 * tests/uvm/uvm_fault_lock_test.c - how a fault holds the map lock
 * (uvm/uvm_fault.c, fault_check): as a reader, shared with other faults
 * and readers, and as writer only when it must give its entry an amap
 * (flt_upgrade), in which case it waits for the readers to go.
 */
#include "kern/core/ktest.h"
#include "kern/core/thread.h"
#include "tests/harness/threadtest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"

#define BASE 0x30000000UL

struct faulter {
	struct vmtest *t;
	vaddr_t va;
	vm_prot_t access;
	volatile int error;
	volatile bool done;
};

static void
faulter_main(void *arg)
{
	struct faulter *f = arg;

	f->error = uvm_fault(f->t->map, f->va, f->access);
	f->done = true;
}

KTEST(faultlock, a_fault_completes_while_another_thread_reads_the_map)
{
	struct vmtest t;
	struct faulter f;
	struct thread *th;
	uint64_t up0 = uvmexp.flt_upgrade;

	vmtest_begin(&t);
	vmtest_map_anon(&t, BASE, 4);
	KT_EQ(uvm_fault(t.map, BASE, VM_PROT_WRITE), 0);   /* the amap exists */
	pmap_remove(t.map->pmap, BASE, BASE + PAGE_SIZE);  /* so it faults again */
	pmap_update(t.map->pmap);
	up0 = uvmexp.flt_upgrade;       /* that first fault was one */
	f = (struct faulter){ &t, BASE, VM_PROT_WRITE, -1, false };
	vm_map_lock_read(t.map);        /* as a sibling thread's fault would */
	th = thread_create("faulter", faulter_main, &f);
	KT_ASSERT(th != NULL);
	KT_EQ(thread_join(th), 0);      /* it never waited for our hold */
	vm_map_unlock(t.map);
	KT_EQ(f.error, 0);
	KT_ASSERT(vmtest_anon(&t, BASE) != NULL);
	KT_ASSERT(vmtest_pte(&t, BASE) & PG_V);
	KT_EQ(uvmexp.flt_upgrade, up0); /* the entry had its amap: read only */
	vmtest_end(&t);
}

KTEST(faultlock, a_fault_that_needs_an_amap_waits_for_the_readers_as_writer)
{
	struct vmtest t;
	struct faulter f;
	struct thread *th;
	struct vm_map_entry *e;
	uint64_t up0 = uvmexp.flt_upgrade;

	vmtest_begin(&t);
	vmtest_map_anon(&t, BASE, 4);
	KT_ASSERT(vmtest_entry(&t, BASE)->aref.ar_amap == NULL);
	f = (struct faulter){ &t, BASE, VM_PROT_WRITE, -1, false };
	vm_map_lock_read(t.map);
	th = thread_create("faulter", faulter_main, &f);
	KT_ASSERT(th != NULL);
	/* It read the map, found no amap, and now waits to write it. */
	KT_ASSERT(tt_wait_sleeping(th, &t.map->lock, 500));
	KT_ASSERT(!f.done);
	KT_EQ(uvmexp.flt_upgrade, up0 + 1);
	KT_ASSERT(uvm_map_lookup_entry(t.map, BASE, &e) && e->aref.ar_amap == NULL);
	vm_map_unlock(t.map);
	KT_EQ(thread_join(th), 0);
	KT_EQ(f.error, 0);
	KT_ASSERT(vmtest_entry(&t, BASE)->aref.ar_amap != NULL);
	KT_ASSERT(vmtest_anon(&t, BASE) != NULL);
	KT_EQ(vmtest_anon(&t, BASE)->an_ref, 1);
	vmtest_end(&t);
}

#define NFAULTERS 4

KTEST(faultlock, faults_on_one_page_from_several_threads_make_one_anon)
{
	struct vmtest t;
	struct faulter f[NFAULTERS];
	struct thread *th[NFAULTERS];
	struct vm_anon *anon;

	vmtest_begin(&t);
	vmtest_map_anon(&t, BASE, 4);
	KT_EQ(uvm_fault(t.map, BASE + PAGE_SIZE, VM_PROT_WRITE), 0);  /* amap */
	for (int i = 0; i < NFAULTERS; i++) {
		f[i] = (struct faulter){ &t, BASE, VM_PROT_WRITE, -1, false };
		th[i] = thread_create("faulter", faulter_main, &f[i]);
		KT_ASSERT(th[i] != NULL);
	}
	for (int i = 0; i < NFAULTERS; i++) {
		KT_EQ(thread_join(th[i]), 0);
		KT_EQ(f[i].error, 0);
	}
	anon = vmtest_anon(&t, BASE);
	KT_ASSERT(anon != NULL && anon->an_page != NULL);
	KT_EQ(anon->an_ref, 1);         /* one anon, made once */
	KT_EQ(amap_check(vmtest_entry(&t, BASE)->aref.ar_amap, ktest_print), 0);
	vmtest_end(&t);
}

/*
 * mlock counts an entry as wired before it wires its pages, one fault at
 * a time with the map lock dropped between them; a sibling thread's
 * copy-on-write fault meanwhile must leave the wiring of the new page to
 * the wiring fault, or the page is wired twice and unwired once (an
 * exit then freed a wired page: found by user/vmstress on two CPUs).
 */
KTEST(faultlock, a_promotion_in_an_entry_being_wired_leaves_the_wiring_to_the_wiring_fault)
{
	struct vmtest t;
	struct vm_map_entry *e;
	struct vm_anon *anon;

	vmtest_begin(&t);
	struct uvm_object *uobj = uao_create(PAGE_SIZE, 0);
	KT_ASSERT(uobj != NULL);
	vmtest_map(&t, BASE, 1, uobj, VM_PROT_READ | VM_PROT_WRITE,
	    UVM_FLAG_COPYONWRITE);
	KT_EQ(uvm_fault(t.map, BASE, VM_PROT_READ), 0);    /* the object page */
	vm_map_lock(t.map);             /* as wire_prepare: counted, not wired */
	KT_ASSERT(uvm_map_lookup_entry(t.map, BASE, &e));
	e->wired_count = 1;
	t.map->busy = curthread;        /* ... and busy with the wiring */
	vm_map_unlock(t.map);
	KT_EQ(uvm_fault(t.map, BASE, VM_PROT_WRITE), 0);   /* the sibling: 2B */
	anon = vmtest_anon(&t, BASE);
	KT_ASSERT(anon != NULL && anon->an_page != NULL);
	KT_EQ(anon->an_page->wire_count, 0);    /* not the promotion's to wire */
	KT_EQ(uvm_fault_wire(t.map, BASE, BASE + PAGE_SIZE, VM_PROT_READ), 0);
	KT_EQ(anon->an_page->wire_count, 1);    /* once, by the wiring fault */
	vm_map_lock(t.map);
	uvm_fault_unwire(t.map, BASE, BASE + PAGE_SIZE);
	e->wired_count = 0;
	t.map->busy = NULL;
	vm_map_unlock(t.map);
	KT_EQ(anon->an_page->wire_count, 0);
	vmtest_end(&t);
}
