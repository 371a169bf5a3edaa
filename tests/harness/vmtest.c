/*
 * tests/harness/vmtest.c - the test address space (see vmtest.h).
 */
#include "tests/harness/vmtest.h"
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/core/thread.h"
#include "pmap/pmap.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_thp.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_memobj.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"
#include "uvm/uvm_swap.h"
#include "kern/vfs/vfs.h"

uint64_t
vmtest_pages_in_use(void)
{
	return uvmexp.npages - uvmexp.reserved - uvmexp.free - pool_total_pages() -
	    pmap_counters.ptpages;
}

uint64_t
vmtest_hold_free(struct pglist *held, uint64_t leave)
{
	struct vm_page *pg;
	uint64_t n = 0;

	TAILQ_INIT(held);
	while ((leave == 0 || uvmexp.free > leave) &&
	    (pg = vm_page_alloc(NULL, 0, NULL, 0)) != NULL) {
		TAILQ_INSERT_HEAD(held, pg, pageq);
		n++;
	}
	return n;
}

void
vmtest_release(struct pglist *held)
{
	struct vm_page *pg;

	while ((pg = TAILQ_FIRST(held)) != NULL) {
		TAILQ_REMOVE(held, pg, pageq);
		vm_page_free(pg);
	}
}

void
vm_baseline_take(struct vm_baseline *b)
{
	vfs_flush_caches();     /* unreferenced vnodes are a cache, not a leak */
	thread_stack_cache_drain();     /* so are finished threads' stacks */
	b->pages = vmtest_pages_in_use();
	b->entries = uvm_map_entry_count();
	b->amaps = amap_count();
	b->anons = anon_count();
	b->aobjs = uao_count();
	b->swapslots = uvm_swap_stats.inuse - uvm_swap_stats.bad;
	b->kmem_bytes = uvm_km_stats.kmem_bytes;
	b->memobjs = uvm_memobj_count();
}

void
vm_baseline_expect(const struct vm_baseline *b)
{
	vfs_flush_caches();
	thread_stack_cache_drain();
	KT_EQ(uvm_map_entry_count(), b->entries);
	KT_EQ(amap_count(), b->amaps);
	KT_EQ(anon_count(), b->anons);
	KT_EQ(uao_count(), b->aobjs);
	KT_EQ(uvm_swap_stats.inuse - uvm_swap_stats.bad, b->swapslots);
	KT_EQ(uvm_km_stats.kmem_bytes, b->kmem_bytes);
	KT_EQ(uvm_memobj_count(), b->memobjs);
	KT_EQ(vmtest_pages_in_use(), b->pages);
}

/* After a failed assertion: give the space back, check nothing.  (The
 * argument is the vmspace, not the struct vmtest: that lies in the failed
 * test's stack frame, which is gone.) */
static void
vmtest_abandon(void *vm)
{
	uvmspace_free(vm);
}

void
vmtest_begin(struct vmtest *t)
{
	t->child = false;
	vm_baseline_take(&t->base);
	t->vm = uvmspace_alloc(PAGE_SIZE, USER_MAX, false);
	KT_ASSERT(t->vm != NULL);
	t->map = &t->vm->vm_map;
	ktest_cleanup_push(vmtest_abandon, t->vm);
}

void
vmtest_fork(struct vmtest *parent, struct vmtest *child)
{
	child->child = true;
	child->vm = uvmspace_fork(parent->vm);
	KT_ASSERT(child->vm != NULL);
	child->map = &child->vm->vm_map;
	ktest_cleanup_push(vmtest_abandon, child->vm);
	KT_EQ(uvm_map_check(parent->map, ktest_print), 0);
	KT_EQ(uvm_map_check(child->map, ktest_print), 0);
}

void
vmtest_end(struct vmtest *t)
{
	if (pmap_current() == t->map->pmap)
		vmtest_deactivate(t);
	KT_EQ(uvm_map_check(t->map, ktest_print), 0);
	KT_EQ(amap_check_all(ktest_print), 0);
	KT_EQ(pmap_check_all(ktest_print), 0);
	ktest_cleanup_pop(t->vm);
	uvmspace_free(t->vm);
	t->vm = NULL;
	if (t->child)
		return;
	vm_baseline_expect(&t->base);
}

vaddr_t
vmtest_map(struct vmtest *t, vaddr_t va, int npages, struct uvm_object *uobj,
    vm_prot_t prot, uvm_flag_t flags)
{
	vaddr_t start = va;

	KT_EQ(uvm_map(t->map, &start, (vsize_t)npages * PAGE_SIZE, uobj,
	    uobj != NULL ? 0 : UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(prot, VM_PROT_ALL, MAP_INHERIT_COPY, UVM_ADV_NORMAL,
	    flags | UVM_FLAG_FIXED)), 0);
	KT_EQ(start, va);
	KT_EQ(uvm_map_check(t->map, ktest_print), 0);
	return start;
}

vaddr_t
vmtest_map_anon(struct vmtest *t, vaddr_t va, int npages)
{
	return vmtest_map(t, va, npages, NULL, VM_PROT_READ | VM_PROT_WRITE,
	    UVM_FLAG_COPYONWRITE);
}

struct uvm_object *
vmtest_memobj(size_t size, uint8_t fill, uint8_t **datap)
{
	uint8_t *data = kmem_alloc(size, 0);
	struct uvm_object *uobj;

	KT_ASSERT(data != NULL);
	memset(data, fill, size);
	uobj = uvm_memobj_create(data, size);
	KT_ASSERT(uobj != NULL);
	uobj->pgops->pgo_reference(uobj);       /* the mapping's */
	*datap = data;
	return uobj;
}

void
vmtest_memobj_free(struct uvm_object *uobj, uint8_t *data, size_t size)
{
	uobj->pgops->pgo_detach(uobj);          /* the creator's: frees it */
	kmem_free(data, size);
}

struct vm_map_entry *
vmtest_entry(struct vmtest *t, vaddr_t va)
{
	struct vm_map_entry *e;
	bool found;

	vm_map_lock(t->map);
	found = uvm_map_lookup_entry(t->map, va, &e);
	vm_map_unlock(t->map);
	KT_ASSERT(found);
	return e;
}

struct vm_anon *
vmtest_anon(struct vmtest *t, vaddr_t va)
{
	struct vm_map_entry *e = vmtest_entry(t, va);
	struct vm_anon *anon;

	if (e->aref.ar_amap == NULL)
		return NULL;
	mutex_enter(e->aref.ar_amap->am_lock);
	anon = amap_lookup(&e->aref, ROUND_DOWN(va, PAGE_SIZE) - e->start);
	mutex_exit(e->aref.ar_amap->am_lock);
	return anon;
}

uint64_t
vmtest_pte(struct vmtest *t, vaddr_t va)
{
	return pmap_pte_lookup(t->map->pmap, ROUND_DOWN(va, PAGE_SIZE));
}

void
vmtest_activate(struct vmtest *t)
{
	curthread->vmspace = t->vm;
	curthread->uaccess = true;
	pmap_activate(t->map->pmap);
}

void
vmtest_deactivate(struct vmtest *t)
{
	(void)t;
	pmap_activate(pmap_kernel());
	curthread->vmspace = NULL;
	curthread->uaccess = false;
}

/* The switch as the test found it (a static: cleanups may not point into
 * a test's stack frame). */
static bool fault_ahead_saved;

static void
fault_ahead_restore(void *arg)
{
	*(bool *)arg = fault_ahead_saved;
}

void
vmtest_fault_ahead(bool on)
{
	fault_ahead_saved = uvm_fault_ahead_on;
	ktest_cleanup_push(fault_ahead_restore, &uvm_fault_ahead_on);
	uvm_fault_ahead_on = on;
}

static bool thp_saved;

static void
thp_restore(void *arg)
{
	*(bool *)arg = thp_saved;
}

void
vmtest_thp(bool on)
{
	thp_saved = uvm_thp_on;
	ktest_cleanup_push(thp_restore, &uvm_thp_on);
	uvm_thp_on = on;
}

int
vmtest_pager_locked(struct uvm_object *uobj, voff_t off, int centeridx,
    struct vm_page **pps, int npages)
{
	for (int i = 0; i < npages; i++)
		pps[i] = uvm_obj_page_lookup(uobj, off + (voff_t)i * PAGE_SIZE);
	return pps[centeridx] != NULL ? 0 : -EBUSY;
}

struct vm_page *
vmtest_pager_page(struct uvm_object *uobj, voff_t off, uint64_t stamp)
{
	struct vm_page *pg;

	mutex_enter(&uobj->vmobjlock);
	pg = uvm_obj_page_lookup(uobj, off);
	if (pg == NULL) {
		pg = vm_page_alloc(NULL, 0, NULL, VM_PAGE_ZERO);
		KASSERT(pg != NULL);
		uvm_obj_page_insert(uobj, pg, off);
		*(uint64_t *)vm_page_kva(pg) = stamp + (uint64_t)off;
	}
	pg->flags |= PG_BUSY;
	mutex_exit(&uobj->vmobjlock);
	return pg;
}

void
vmtest_pager_reference(struct uvm_object *uobj)
{
	mutex_enter(&uobj->vmobjlock);
	uobj->uo_refs++;
	mutex_exit(&uobj->vmobjlock);
}

void
vmtest_pager_detach(struct uvm_object *uobj)
{
	struct vm_page *pg;

	mutex_enter(&uobj->vmobjlock);
	bool last = --uobj->uo_refs == 0;
	while (last && (pg = uvm_obj_page_first(uobj)) != NULL) {
		KASSERT(pg->wire_count == 0 && !(pg->flags & PG_BUSY));
		pmap_page_protect(pg, VM_PROT_NONE);
		uvm_obj_page_remove(uobj, pg);
		vm_page_free(pg);
	}
	mutex_exit(&uobj->vmobjlock);
}
