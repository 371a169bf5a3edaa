/*
 * kern/sys/sys_uvm.c - the project's own system calls (numbers above 1000,
 * declared for programs in user/include/uvmkern.h; struct vm_query is
 * user/include/uvmkern_vmquery.h, the one definition both sides use):
 *
 *   1000 minherit(addr, len, inherit)   UVM's inheritance, per range
 *   1001 vm_query(addr, out)            what the VM system holds for addr:
 *                                       the map entry, the amap slot and
 *                                       anon, the object, the PTE, the
 *                                       swap slot - for tests and demos
 *                                       (a page inside a 2 MiB mapping:
 *                                       pte is the PDE's bits, PS among
 *                                       them, pa the page's own address
 *                                       in the 2 MiB frame)
 *   (1002 uvm_swapctl is with swapon and swapoff, in kern/sys/sys_swap.c)
 *   1003 vm_query_obj(addr, out, size)  the object layer in depth: the
 *                                       pager, the file (vnode, ino, size,
 *                                       file system) and addr's page in
 *                                       the object (resident, clean or
 *                                       dirty, busy); at most size bytes
 *
 * vm_query_obj for a shared ext2 mapping, a store, then msync:
 *
 *   entry -> object (uvn) -> vnode (vcache_find_obj: v_obj == object)
 *              |                ino 13, size 8192, "ext2"
 *              +-> page at offset 0x1000
 *                    after the store   RESIDENT | MODIFIED | DIRTY
 *                    after msync       RESIDENT | CLEAN
 *
 * "Dirty" is what write-back goes by: the page is not PG_CLEAN (the
 * fault handler or write(2) cleared it), or a mapping's PTE has the
 * modified bit (pmap_is_modified: a store the VM has not looked at yet).
 *
 * Locks: the map lock, then the object's (as the fault handler takes
 * them), then vcache_lock for the vnode; the file's size is asked with
 * every lock released, holding a reference on the vnode.
 * vm_query reports identities as kernel addresses (amap, anon, object):
 * numbers a program may compare, never dereference.  This is a teaching
 * kernel; hiding them would hide what the call is for.
 */
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/sys/syscall.h"
#include "kern/arch/uaccess.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_memobj.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_vnode.h"
#include "kern/sys/sys_uvm.h"
#include "kern/vfs/vfs.h"
#include "user/include/uvmkern_vmquery.h"

int64_t
sys_minherit(const struct sysargs *a)
{
	uint64_t addr = a->a[0];
	vaddr_t start, end;
	int error;

	if ((addr & PAGE_MASK) || a->a[2] > MAP_INHERIT_ZERO)
		return -EINVAL;
	error = page_range(addr, a->a[1], &start, &end);
	if (error != 0)     /* a range that wraps, even by rounding: EINVAL */
		return end < start ? -EINVAL : error;
	if (start == end)
		return 0;
	if (!uvm_map_checkprot(&curproc->vmspace->vm_map, addr, end, VM_PROT_NONE))
		return -ENOMEM;
	return uvm_map_inherit(&curproc->vmspace->vm_map, addr, end, (int)a->a[2]);
}

/* The amap and anon layer of q for va in e.  => map locked. */
static void
query_upper(const struct vm_map_entry *e, vaddr_t va, struct vm_query *q)
{
	struct vm_amap *amap = e->aref.ar_amap;
	struct vm_anon *anon;

	if (amap == NULL)
		return;
	q->amap = (uint64_t)amap;
	q->amap_ref = (uint64_t)amap->am_ref;
	q->amap_slot = (uint64_t)e->aref.ar_pageoff + ((va - e->start) >> PAGE_SHIFT);
	mutex_enter(amap->am_lock);
	anon = amap_lookup(&e->aref, va - e->start);
	if (anon != NULL) {
		q->anon = (uint64_t)anon;
		q->anon_ref = (uint64_t)anon->an_ref;
		q->swslot = (uint64_t)anon->an_swslot;
	}
	mutex_exit(amap->am_lock);
}

static void
query_lower(const struct vm_map_entry *e, vaddr_t va, struct vm_query *q)
{
	struct uvm_object *uobj = e->object;

	if (uobj == NULL)
		return;
	q->object = (uint64_t)uobj;
	q->offset = (uint64_t)e->offset + (va - e->start);
	q->obj_kind = uobj->pgops == &aobj_pager ? VMQ_OBJ_AOBJ : VMQ_OBJ_FILE;
	if (q->obj_kind == VMQ_OBJ_AOBJ && q->anon == 0) {
		mutex_enter(&uobj->vmobjlock);
		q->swslot = (uint64_t)uao_swslot_at(uobj, (voff_t)q->offset);
		mutex_exit(&uobj->vmobjlock);
	}
}

void
vm_query_leaf(uint64_t pte, vaddr_t va, struct vm_query *q)
{
	q->pte = 0;
	q->pa = 0;
	if (!(pte & PG_V))
		return;
	q->pte = pte & (PG_V | PG_RW | PG_U | PG_A | PG_M | PG_PS | PG_NX);
	if (pte & PG_PS)        /* the PDE: the page's place in its 2 MiB frame */
		q->pa = (pte & PG_LGFRAME) + (va & (NBPD_L2 - 1) & ~PAGE_MASK);
	else
		q->pa = pte & PG_FRAME;
}

/* The entry's part of q.  => map locked. */
static void
query_entry(const struct vm_map_entry *e, struct vm_query *q)
{
	q->start = e->start;
	q->end = e->end;
	q->prot = e->protection;
	q->maxprot = e->max_protection;
	q->inherit = (uint32_t)e->inheritance;
	q->advice = (uint32_t)e->advice;
	q->flags = ((e->etype & UVM_ET_NEEDSCOPY) ? VMQ_NEEDSCOPY : 0) |
	    ((e->etype & UVM_ET_COPYONWRITE) ? VMQ_COPYONWRITE : 0) |
	    (e->wired_count > 0 ? VMQ_WIRED : 0) |
	    (e->thp == UVM_THP_HUGE ? VMQ_HUGE_ADVICE : 0) |
	    (e->thp == UVM_THP_NEVER ? VMQ_NOHUGE_ADVICE : 0);
	q->wired_count = (uint32_t)e->wired_count;
}

int64_t
sys_vm_query(const struct sysargs *a)
{
	struct vm_map *map = &curproc->vmspace->vm_map;
	vaddr_t va = ROUND_DOWN(a->a[0], PAGE_SIZE);
	struct vm_map_entry *e;
	struct vm_query q;

	if (a->a[0] >= USER_MAX)
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	vm_map_lock(map);
	if (!uvm_map_lookup_entry(map, va, &e)) {
		vm_map_unlock(map);
		return -ENOMEM;
	}
	query_entry(e, &q);
	query_upper(e, va, &q);
	query_lower(e, va, &q);
	vm_map_unlock(map);
	vm_query_leaf(pmap_pte_lookup(map->pmap, va), va, &q);
	return copyout(&q, a->a[1], sizeof(q));
}

/* Which pager uobj has (VMQ_PAGER_*). */
static uint32_t
query_pager(const struct uvm_object *uobj)
{
	const char *name = uobj->pgops->pgo_name;

	if (uobj->pgops == &aobj_pager)
		return VMQ_PAGER_AOBJ;
	if (uvn_is_vnode(uobj))
		return VMQ_PAGER_VNODE;
	if (name != NULL && strcmp(name, "memobj") == 0)
		return VMQ_PAGER_MEMOBJ;
	return VMQ_PAGER_OTHER;
}

/* The VMQ_PAGE_* state of pg.  => its object locked. */
static uint32_t
query_page_state(struct vm_page *pg)
{
	uint32_t st = VMQ_PAGE_RESIDENT;

	if (pg->flags & PG_CLEAN)
		st |= VMQ_PAGE_CLEAN;
	if (pmap_is_modified(pg))
		st |= VMQ_PAGE_MODIFIED;
	if (!(st & VMQ_PAGE_CLEAN) || (st & VMQ_PAGE_MODIFIED))
		st |= VMQ_PAGE_DIRTY;
	if (pg->flags & PG_BUSY)
		st |= VMQ_PAGE_BUSY;
	if (pg->flags & PG_RDONLY)
		st |= VMQ_PAGE_RDONLY;
	return st;
}

/* The object's counts, the page at q->offset and the object's own size
 * (the file part may replace it).  => map locked, object unlocked. */
static void
query_obj_pages(struct uvm_object *uobj, struct vm_query_obj *q)
{
	struct vm_page *pg;

	mutex_enter(&uobj->vmobjlock);
	q->obj_refs = (uint32_t)uobj->uo_refs;
	q->obj_npages = (uint64_t)uobj->uo_npages;
	if (q->pager == VMQ_PAGER_VNODE)
		q->size = (uint64_t)((struct uvm_vnode *)uobj)->u_size;
	else if (q->pager == VMQ_PAGER_MEMOBJ)
		q->size = (uint64_t)uvm_memobj_size(uobj);
	pg = uvm_obj_page_lookup(uobj, (voff_t)q->offset);
	if (pg != NULL) {
		q->page = query_page_state(pg);
		q->page_pa = (uint64_t)pg->phys_addr;
	}
	mutex_exit(&uobj->vmobjlock);
}

/* The file part of q from vp, then vp's reference dropped.  => no lock
 * held; vp referenced; may sleep. */
static void
query_obj_file(struct vnode *vp, struct vm_query_obj *q)
{
	struct vattr va;

	q->vnode = (uint64_t)vp;
	q->ino = vp->v_ino;
	q->dev = vp->v_mount->mnt_dev;
	strlcpy(q->fstype, vp->v_mount->mnt_op->vfs_name, sizeof(q->fstype));
	if (vp->v_ops->vop_getattr != NULL && vp->v_ops->vop_getattr(vp, &va) == 0)
		q->size = va.va_size;
	vrele(vp);
}

int
vm_query_obj_fill(struct vm_map *map, vaddr_t va, struct vm_query_obj *q)
{
	struct vm_map_entry *e;
	struct vnode *vp = NULL;

	memset(q, 0, sizeof(*q));
	va = ROUND_DOWN(va, PAGE_SIZE);
	vm_map_lock(map);
	if (!uvm_map_lookup_entry(map, va, &e)) {
		vm_map_unlock(map);
		return -ENOMEM;
	}
	if (e->object != NULL) {
		q->object = (uint64_t)e->object;
		q->offset = (uint64_t)e->offset + (va - e->start);
		q->pager = query_pager(e->object);
		query_obj_pages(e->object, q);
		vp = vcache_find_obj(e->object);        /* held: the map's
		                                           reference keeps the object */
	}
	vm_map_unlock(map);
	if (vp != NULL)
		query_obj_file(vp, q);
	return 0;
}

int64_t
sys_vm_query_obj(const struct sysargs *a)
{
	struct vm_query_obj q;
	size_t size = (size_t)a->a[2];
	int error;

	if (a->a[0] >= USER_MAX || size == 0)
		return -EINVAL;
	error = vm_query_obj_fill(&curproc->vmspace->vm_map, a->a[0], &q);
	if (error != 0)
		return error;
	return copyout(&q, a->a[1], MIN(size, sizeof(q)));
}
