/*
 * tests/uvm/uvm_fault_lock_test.c - how a fault holds the map lock
 * (uvm/uvm_fault.c, fault_check): as a reader, shared with other faults
 * and readers, and as writer only when it must give its entry an amap
 * (flt_upgrade), in which case it waits for the readers to go; and a
 * fault in an entry another thread is still wiring waits for the wiring.
 */
#include "kern/core/ktest.h"
#include "kern/core/sleep.h"
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

/* The object page at BASE2's offset 0 (the one both mappings show). */
static struct vm_page *
object_page(struct uvm_object *uobj)
{
	mutex_enter(&uobj->vmobjlock);
	struct vm_page *pg = uvm_obj_page_lookup(uobj, 0);
	mutex_exit(&uobj->vmobjlock);
	return pg;
}

#define BASE2 (BASE + 0x100000)

/*
 * mlock counts an entry as wired before it wires its pages, one fault at
 * a time with the map lock dropped between them and the map busy.  A
 * sibling thread's write there waits until the wiring is done: had it
 * gone on, its copy-on-write could not tell whether the page it replaced
 * held this entry's wiring.  Here the page (an object page) holds only
 * another mapping's wiring, which must stay where it is; the new private
 * page gets the entry's wiring once.  (Before: the sibling moved the
 * other wiring to the new page, the wiring fault wired it again, and
 * munmap freed it still wired: a panic found by make stress; the earlier
 * fix, cf595e7, covered only an object page wired by nobody.)
 */
KTEST(faultlock, a_write_in_an_entry_being_wired_waits_for_the_wiring)
{
	struct vmtest t;
	struct faulter f;
	struct thread *th;
	struct vm_map_entry *e;
	struct vm_page *src, *pg;

	vmtest_begin(&t);
	struct uvm_object *uobj = uao_create(PAGE_SIZE, 0);
	KT_ASSERT(uobj != NULL);
	uobj->pgops->pgo_reference(uobj);               /* a second mapping */
	vmtest_map(&t, BASE2, 1, uobj, VM_PROT_READ | VM_PROT_WRITE, 0); /* shared */
	KT_EQ(uvm_map_pageable(t.map, BASE2, BASE2 + PAGE_SIZE, false), 0);
	src = object_page(uobj);
	KT_ASSERT(src != NULL);
	KT_EQ(src->wire_count, 1);                      /* the shared mapping's */
	vmtest_map(&t, BASE, 1, uobj, VM_PROT_READ | VM_PROT_WRITE,
	    UVM_FLAG_COPYONWRITE);
	KT_EQ(uvm_fault(t.map, BASE, VM_PROT_READ), 0);    /* src, read only */
	vm_map_lock(t.map);             /* as wire_prepare: counted, busy */
	KT_ASSERT(uvm_map_lookup_entry(t.map, BASE, &e));
	e->wired_count = 1;
	t.map->busy = curthread;
	vm_map_unlock(t.map);
	f = (struct faulter){ &t, BASE, VM_PROT_WRITE, -1, false };
	th = thread_create("sibling", faulter_main, &f);
	KT_ASSERT(th != NULL);
	KT_ASSERT(tt_wait_sleeping(th, &t.map->busy, 500));    /* waits */
	KT_ASSERT(!f.done && vmtest_anon(&t, BASE) == NULL);
	KT_EQ(src->wire_count, 1);
	/* The wiring fault (ours: the map is busy for us) copies and wires. */
	KT_EQ(uvm_fault_wire(t.map, BASE, BASE + PAGE_SIZE, VM_PROT_READ), 0);
	pg = vmtest_anon(&t, BASE)->an_page;
	KT_EQ(pg->wire_count, 1);
	vm_map_lock(t.map);             /* as map_unbusy */
	t.map->busy = NULL;
	wakeup(&t.map->busy);
	vm_map_unlock(t.map);
	KT_EQ(thread_join(th), 0);
	KT_EQ(f.error, 0);
	KT_ASSERT(vmtest_anon(&t, BASE)->an_page == pg);   /* 1A: no new copy */
	KT_EQ(pg->wire_count, 1);                      /* once, the entry's */
	KT_EQ(src->wire_count, 1);                     /* the other's stays */
	vm_map_lock(t.map);
	uvm_fault_unwire(t.map, BASE, BASE + PAGE_SIZE);
	e->wired_count = 0;
	vm_map_unlock(t.map);
	KT_EQ(pg->wire_count, 0);
	KT_EQ(uvm_map_pageable(t.map, BASE2, BASE2 + PAGE_SIZE, true), 0);
	KT_EQ(src->wire_count, 0);
	vmtest_end(&t);
}
