/*
 * tests/uvm/uvm_memobj_test.c - objects over bytes in memory (initrd
 * files): page contents and the zeroed tail, private and shared mappings
 * through the fault handler, pages kept cached when only the base
 * reference is left (until a purge), and refusals past the end.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "pmap/vmlayout.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_memobj.h"
#include "uvm/uvm_page.h"

#define BASE 0x30000000UL
#define FILE_SIZE (2 * PAGE_SIZE + 100)

static uint8_t *
make_file(void)
{
	uint8_t *data = kmem_alloc(FILE_SIZE, 0);

	KT_ASSERT(data != NULL);
	for (size_t i = 0; i < FILE_SIZE; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	return data;
}

static const uint8_t *
page_at(struct vmtest *t, vaddr_t va)
{
	uint64_t pte = vmtest_pte(t, va);

	KT_ASSERT(pte & PG_V);
	return PHYS_TO_DMAP(pte & PG_FRAME);
}

/*
 * A memory object over make_file's bytes, mapped read-only at BASE (its
 * 3 pages) and read through, so all 3 are resident: *datap and *vap get
 * the bytes and the address.
 */
static struct uvm_object *
mapped_and_read(struct vmtest *t, uint8_t **datap, vaddr_t *vap)
{
	uint8_t *data = make_file();
	struct uvm_object *uobj = uvm_memobj_create(data, FILE_SIZE);

	KT_ASSERT(uobj != NULL);
	uobj->pgops->pgo_reference(uobj);       /* the mapping's */
	*vap = vmtest_map(t, BASE, 3, uobj, VM_PROT_READ, 0);
	for (int p = 0; p < 3; p++)
		KT_EQ(uvm_fault(t->map, *vap + (vaddr_t)p * PAGE_SIZE, VM_PROT_READ), 0);
	*datap = data;
	return uobj;
}

KTEST(memobj, pages_hold_the_bytes_and_a_zero_tail)
{
	struct vmtest t;

	uint64_t objs0 = uvm_memobj_count();
	vmtest_begin(&t);
	uint8_t *data = make_file();
	struct uvm_object *uobj = uvm_memobj_create(data, FILE_SIZE);
	KT_ASSERT(uobj != NULL);
	KT_EQ(uvm_memobj_count(), objs0 + 1);
	uobj->pgops->pgo_reference(uobj);       /* the mapping's reference */
	vaddr_t va = vmtest_map(&t, BASE, 3, uobj, VM_PROT_READ, 0);
	for (int p = 0; p < 3; p++)
		KT_EQ(uvm_fault(t.map, va + (vaddr_t)p * PAGE_SIZE, VM_PROT_READ), 0);
	KT_EQ(uobj->uo_npages, 3);
	KT_ASSERT(memcmp(page_at(&t, va), data, PAGE_SIZE) == 0);
	const uint8_t *last = page_at(&t, va + 2 * PAGE_SIZE);
	KT_ASSERT(memcmp(last, data + 2 * PAGE_SIZE, 100) == 0);
	for (size_t i = 100; i < PAGE_SIZE; i++)
		KT_EQ(last[i], 0);
	KT_EQ(vmtest_pte(&t, va) & PG_RW, 0);
	KT_EQ(uvm_map_entry_count() - t.base.entries, 1);
	uvm_unmap(t.map, va, va + 3 * PAGE_SIZE);
	uobj->pgops->pgo_detach(uobj);          /* the creator's: frees it */
	kmem_free(data, FILE_SIZE);
	vmtest_end(&t);
	KT_EQ(uvm_memobj_count(), objs0);
}

/*
 * The last mapping gone, the pages stay cached (a page cache's rule) and
 * the next mapping finds them: its faults allocate nothing.  The purge
 * frees them; the next fault copies again.
 */
KTEST(memobj, unmapped_pages_stay_cached_until_purged)
{
	struct vmtest t;

	vmtest_begin(&t);
	uint8_t *data;
	vaddr_t va;
	struct uvm_object *uobj = mapped_and_read(&t, &data, &va);
	mutex_enter(&uobj->vmobjlock);
	struct vm_page *pg0 = uvm_obj_page_lookup(uobj, 0);
	mutex_exit(&uobj->vmobjlock);
	uvm_unmap(t.map, va, va + 3 * PAGE_SIZE);
	KT_EQ(uobj->uo_refs, 1);                /* the base reference only */
	KT_EQ(uobj->uo_npages, 3);              /* and the pages still there */
	KT_EQ(pmap_page_mapcount(pg0), 0);
	KT_EQ(uvm_obj_check(uobj, ktest_print), 0);

	uint64_t alloc0 = uvmexp.pga_alloc;
	uobj->pgops->pgo_reference(uobj);
	va = vmtest_map(&t, BASE, 3, uobj, VM_PROT_READ, 0);
	KT_EQ(uvm_fault(t.map, va, VM_PROT_READ), 0);
	KT_EQ(uvmexp.pga_alloc, alloc0);        /* found, not copied */
	mutex_enter(&uobj->vmobjlock);
	KT_EQ(uvm_obj_page_lookup(uobj, 0), pg0);
	mutex_exit(&uobj->vmobjlock);
	KT_EQ(vmtest_pte(&t, va) & PG_FRAME, pg0->phys_addr);
	KT_EQ(uvm_memobj_purge(), 0);           /* mapped: the purge keeps them */
	KT_EQ(uobj->uo_npages, 3);
	uvm_unmap(t.map, va, va + 3 * PAGE_SIZE);

	KT_ASSERT(uvm_memobj_purge() >= 3);     /* other idle files' too */
	KT_EQ(uobj->uo_npages, 0);
	KT_EQ(uvm_obj_check(uobj, ktest_print), 0);
	uobj->pgops->pgo_reference(uobj);
	va = vmtest_map(&t, BASE, 3, uobj, VM_PROT_READ, 0);
	KT_EQ(uvm_fault(t.map, va, VM_PROT_READ), 0);
	KT_EQ(uvmexp.pga_alloc, alloc0 + 1);    /* copied out again */
	KT_ASSERT(memcmp(page_at(&t, va), data, PAGE_SIZE) == 0);
	uvm_unmap(t.map, va, va + 3 * PAGE_SIZE);
	uobj->pgops->pgo_detach(uobj);          /* the creator's: frees it all */
	kmem_free(data, FILE_SIZE);
	vmtest_end(&t);
}

/*
 * A fault drops every lock while its page is busy; a sibling's munmap
 * may take the object back to its base reference meanwhile.  The purge
 * must leave that page alone (the fault unbusies it later): here the
 * busy bit is set by hand, as the pager's fill leaves it.
 */
KTEST(memobj, a_purge_leaves_a_page_a_fault_holds_busy)
{
	struct vmtest t;

	vmtest_begin(&t);
	uint8_t *data;
	vaddr_t va;
	struct uvm_object *uobj = mapped_and_read(&t, &data, &va);
	uvm_unmap(t.map, va, va + 3 * PAGE_SIZE);
	mutex_enter(&uobj->vmobjlock);
	struct vm_page *pg1 = uvm_obj_page_lookup(uobj, PAGE_SIZE);
	pg1->flags |= PG_BUSY;                  /* a fault between pager and pmap */
	mutex_exit(&uobj->vmobjlock);
	uvm_memobj_purge();
	KT_EQ(uobj->uo_npages, 1);              /* pages 0 and 2 went, 1 stayed */
	mutex_enter(&uobj->vmobjlock);
	KT_EQ(uvm_obj_page_lookup(uobj, PAGE_SIZE), pg1);
	KT_EQ(uvm_obj_check(uobj, ktest_print), 0);
	vm_page_unbusy(pg1);                    /* the fault comes back */
	mutex_exit(&uobj->vmobjlock);
	uvm_memobj_purge();
	KT_EQ(uobj->uo_npages, 0);
	uobj->pgops->pgo_detach(uobj);
	kmem_free(data, FILE_SIZE);
	vmtest_end(&t);
}

KTEST(memobj, private_write_promotes_and_leaves_the_bytes_alone)
{
	struct vmtest t;

	vmtest_begin(&t);
	uint8_t *data = make_file();
	struct uvm_object *uobj = uvm_memobj_create(data, FILE_SIZE);
	uobj->pgops->pgo_reference(uobj);
	vaddr_t va = vmtest_map(&t, BASE, 3, uobj, VM_PROT_READ | VM_PROT_WRITE,
	    UVM_FLAG_COPYONWRITE);
	uint8_t first = data[0];
	vmtest_activate(&t);
	*(volatile uint8_t *)va = (uint8_t)(first + 1);
	uint8_t seen = *(volatile uint8_t *)va;
	uint8_t second = *(volatile uint8_t *)(va + 1);
	vmtest_deactivate(&t);
	KT_EQ(seen, (uint8_t)(first + 1));
	KT_EQ(second, data[1]);
	KT_EQ(data[0], first);                  /* the file is untouched */
	KT_ASSERT(vmtest_anon(&t, va) != NULL);
	uvm_unmap(t.map, va, va + 3 * PAGE_SIZE);
	uobj->pgops->pgo_detach(uobj);
	kmem_free(data, FILE_SIZE);
	vmtest_end(&t);
}

KTEST(memobj, access_past_the_end_is_an_error)
{
	struct vmtest t;

	vmtest_begin(&t);
	uint8_t *data = make_file();
	struct uvm_object *uobj = uvm_memobj_create(data, FILE_SIZE);
	uobj->pgops->pgo_reference(uobj);
	/* Four pages mapped over a file of not quite three. */
	vaddr_t va = vmtest_map(&t, BASE, 4, uobj, VM_PROT_READ, 0);
	KT_EQ(uvm_fault(t.map, va + 3 * PAGE_SIZE, VM_PROT_READ), -EIO);
	KT_EQ(vmtest_pte(&t, va + 3 * PAGE_SIZE), 0);
	KT_EQ(uvm_memobj_size(uobj), FILE_SIZE);
	uvm_unmap(t.map, va, va + 4 * PAGE_SIZE);
	uobj->pgops->pgo_detach(uobj);
	kmem_free(data, FILE_SIZE);
	vmtest_end(&t);
}
