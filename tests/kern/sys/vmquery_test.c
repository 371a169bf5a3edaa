/*
 * tests/kern/sys/vmquery_test.c - vm_query_obj (kern/sys/sys_uvm.c): what
 * it says about the object behind an address, checked against the
 * mechanism itself (the vnode, the object's page and its PG_CLEAN and
 * pmap modified bits).
 *
 *   ext2 file, MAP_SHARED       pager vnode, the vnode's ino and size,
 *                               page resident clean -> store -> dirty
 *                               (modified) -> msync -> clean again
 *   initrd program (/bin/hello) pager memobj, file system ramfs
 *   shared anonymous memory     pager aobj, no file
 *   the system call             writes at most the size it is given
 *
 * The ext2 tests mount the image (vdc) on /mnt, make a scratch file there
 * and remove it, so the image stays e2fsck-clean.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/sys/sys_uvm.h"
#include "kern/sys/syscall.h"
#include "kern/vfs/vfs.h"
#include "pmap/pmap.h"
#include "tests/harness/disktest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_io.h"
#include "uvm/uvm_memobj.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_vnode.h"

#define VA 0x30000000UL
#define OUTVA 0x31000000UL
#define PROBE "vmq-probe"

static char pagebuf[2 * PAGE_SIZE];
static char probe_tag[] = PROBE;       /* the cleanup's arg */

/* The probe file's vnode while a test holds it. */
static struct vnode *vq_vp;

/* Drop the test's probe vnode and remove /mnt/PROBE if it is there (the
 * test's cleanup, and its end). */
static void
vq_remove(void *arg)
{
	(void)arg;
	disktest_remove(PROBE, &vq_vp);
}

/* /mnt/PROBE: two pages of 'a' and 'b', written back (clean). */
static struct vnode *
vq_probe_file(void)
{
	struct vattr va = { .va_mask = VA_SIZE, .va_size = sizeof(pagebuf) };
	struct vnode *dvp, *vp = NULL;
	int error;

	KT_EQ(namei(NULL, "/mnt", NAMEI_FOLLOW, &dvp, NULL), 0);
	mutex_enter(&dvp->v_lock);
	error = dvp->v_ops->vop_create(dvp, PROBE, strlen(PROBE), 0644, &vp);
	mutex_exit(&dvp->v_lock);
	vrele(dvp);
	KT_EQ(error, 0);
	vq_vp = vp;
	ktest_cleanup_push(vq_remove, probe_tag);
	mutex_enter(&vp->v_lock);
	error = vp->v_ops->vop_setattr(vp, &va);
	mutex_exit(&vp->v_lock);
	KT_EQ(error, 0);
	memset(pagebuf, 'a', PAGE_SIZE);
	memset(pagebuf + PAGE_SIZE, 'b', PAGE_SIZE);
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 0, pagebuf, sizeof(pagebuf), true), 0);
	KT_EQ(vp->v_ops->vop_fsync(vp, false), 0);
	return vp;
}

/* The page of uobj at off (the mechanism the answers are checked on). */
static struct vm_page *
vq_page(struct uvm_object *uobj, voff_t off)
{
	struct vm_page *pg;

	mutex_enter(&uobj->vmobjlock);
	pg = uvm_obj_page_lookup(uobj, off);
	mutex_exit(&uobj->vmobjlock);
	return pg;
}

/* A system call as t's process would make it (a stand-in process). */
static struct proc vq_proc;

static int64_t
vq_syscall(struct vmtest *t, int64_t (*fn)(const struct sysargs *),
    uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct sysargs a = { .a = { a0, a1, a2 } };
	struct proc *saved = curthread->proc;
	int64_t r;

	vq_proc.vmspace = t->vm;
	curthread->proc = &vq_proc;
	vmtest_activate(t);
	r = fn(&a);
	vmtest_deactivate(t);
	curthread->proc = saved;
	return r;
}

#define MS_SYNC 4

KTEST(vmquery, shared_ext2_mapping_shows_the_vnode_and_the_page_going_dirty_and_clean)
{
	struct vm_query_obj q;
	struct vmtest t;
	struct vnode *vp;
	struct vm_page *pg;

	bool mounted = disktest_mount();
	vp = vq_probe_file();
	vmtest_begin(&t);
	vp->v_obj->pgops->pgo_reference(vp->v_obj);     /* the mapping's */
	vmtest_map(&t, VA, 2, vp->v_obj, VM_PROT_READ | VM_PROT_WRITE, 0);

	/* Written back by fsync: resident and clean, not yet mapped. */
	KT_EQ(vm_query_obj_fill(t.map, VA + PAGE_SIZE + 123, &q), 0);
	KT_EQ(q.object, (uint64_t)vp->v_obj);
	KT_EQ(q.offset, PAGE_SIZE);
	KT_EQ(q.pager, VMQ_PAGER_VNODE);
	KT_EQ(q.obj_refs, vp->v_obj->uo_refs);
	KT_EQ(q.obj_npages, vp->v_obj->uo_npages);
	KT_EQ(q.vnode, (uint64_t)vp);
	KT_EQ(q.ino, vp->v_ino);
	KT_EQ(q.dev, vp->v_mount->mnt_dev);
	KT_EQ(q.size, sizeof(pagebuf));
	KT_STREQ(q.fstype, "ext2");
	pg = vq_page(vp->v_obj, PAGE_SIZE);
	KT_ASSERT(pg != NULL && (pg->flags & PG_CLEAN));
	KT_EQ(q.page, VMQ_PAGE_RESIDENT | VMQ_PAGE_CLEAN);
	KT_EQ(q.page_pa, pg->phys_addr);

	/* A store through the mapping: the same page, now dirty. */
	vmtest_activate(&t);
	*(volatile char *)(VA + PAGE_SIZE + 5) = 'z';
	vmtest_deactivate(&t);
	KT_EQ(vm_query_obj_fill(t.map, VA + PAGE_SIZE, &q), 0);
	pg = vq_page(vp->v_obj, PAGE_SIZE);
	KT_EQ(q.page_pa, pg->phys_addr);
	KT_ASSERT(q.page & VMQ_PAGE_RESIDENT);
	KT_ASSERT(q.page & VMQ_PAGE_DIRTY);
	KT_EQ(!!(q.page & VMQ_PAGE_CLEAN), !!(pg->flags & PG_CLEAN));
	KT_EQ(!!(q.page & VMQ_PAGE_MODIFIED), pmap_is_modified(pg));
	/* The other page was not written: still clean. */
	KT_EQ(vm_query_obj_fill(t.map, VA, &q), 0);
	KT_EQ(q.page & (VMQ_PAGE_DIRTY | VMQ_PAGE_MODIFIED), 0);

	/* msync writes it back: clean again, the modified bit cleared. */
	KT_EQ(vq_syscall(&t, sys_msync, VA, 2 * PAGE_SIZE, MS_SYNC), 0);
	KT_EQ(vm_query_obj_fill(t.map, VA + PAGE_SIZE, &q), 0);
	KT_EQ(q.page, VMQ_PAGE_RESIDENT | VMQ_PAGE_CLEAN);
	KT_ASSERT(!pmap_is_modified(pg) && (pg->flags & PG_CLEAN));

	uvm_unmap(t.map, VA, VA + 2 * PAGE_SIZE);
	vmtest_end(&t);
	vq_remove(NULL);
	ktest_cleanup_pop(probe_tag);
	disktest_unmount(mounted);
}

KTEST(vmquery, a_page_not_in_the_object_reads_as_not_resident)
{
	struct vm_query_obj q;
	struct vmtest t;
	struct vnode *vp;

	bool mounted = disktest_mount();
	vp = vq_probe_file();
	/* Drop the clean pages: nothing maps them yet. */
	KT_EQ(uvn_flush((struct uvm_vnode *)vp->v_obj, 0, 0,
	    UVN_SYNC | UVN_INVALIDATE), 0);
	KT_ASSERT(vq_page(vp->v_obj, 0) == NULL);
	vmtest_begin(&t);
	vp->v_obj->pgops->pgo_reference(vp->v_obj);
	vmtest_map(&t, VA, 2, vp->v_obj, VM_PROT_READ, 0);
	KT_EQ(vm_query_obj_fill(t.map, VA, &q), 0);
	KT_EQ(q.pager, VMQ_PAGER_VNODE);
	KT_EQ(q.ino, vp->v_ino);
	KT_EQ(q.page, 0);
	KT_EQ(q.page_pa, 0);
	/* A read fault brings it in, clean. */
	vmtest_activate(&t);
	KT_EQ(*(volatile char *)VA, 'a');
	vmtest_deactivate(&t);
	KT_EQ(vm_query_obj_fill(t.map, VA, &q), 0);
	KT_EQ(q.page, VMQ_PAGE_RESIDENT | VMQ_PAGE_CLEAN);
	KT_EQ(q.page_pa, vq_page(vp->v_obj, 0)->phys_addr);
	uvm_unmap(t.map, VA, VA + 2 * PAGE_SIZE);
	/* The pages the fault read go, so the leak check balances. */
	KT_EQ(uvn_flush((struct uvm_vnode *)vp->v_obj, 0, 0,
	    UVN_SYNC | UVN_INVALIDATE), 0);
	vmtest_end(&t);
	vq_remove(NULL);
	ktest_cleanup_pop(probe_tag);
	disktest_unmount(mounted);
}

KTEST(vmquery, initrd_program_is_a_memobj_of_ramfs_and_anonymous_memory_has_no_file)
{
	struct vm_query_obj q;
	struct vmtest t;
	struct vnode *vp;
	struct uvm_object *ao;

	KT_EQ(namei(NULL, "/bin/hello", NAMEI_FOLLOW, &vp, NULL), 0);
	vmtest_begin(&t);
	vp->v_obj->pgops->pgo_reference(vp->v_obj);
	vmtest_map(&t, VA, 1, vp->v_obj, VM_PROT_READ, UVM_FLAG_COPYONWRITE);
	KT_EQ(vm_query_obj_fill(t.map, VA, &q), 0);
	KT_EQ(q.pager, VMQ_PAGER_MEMOBJ);
	KT_EQ(q.vnode, (uint64_t)vp);
	KT_EQ(q.ino, vp->v_ino);
	KT_EQ(q.size, uvm_memobj_size(vp->v_obj));
	KT_STREQ(q.fstype, vp->v_mount->mnt_op->vfs_name);
	/* Shared anonymous memory: an aobj, no file behind it. */
	ao = uao_create(PAGE_SIZE, 0);
	KT_ASSERT(ao != NULL);
	vmtest_map(&t, VA + PAGE_SIZE, 1, ao, VM_PROT_READ | VM_PROT_WRITE, 0);
	vmtest_activate(&t);
	*(volatile char *)(VA + PAGE_SIZE) = 1;
	vmtest_deactivate(&t);
	KT_EQ(vm_query_obj_fill(t.map, VA + PAGE_SIZE, &q), 0);
	KT_EQ(q.pager, VMQ_PAGER_AOBJ);
	KT_EQ(q.object, (uint64_t)ao);
	KT_EQ(q.vnode, 0);
	KT_STREQ(q.fstype, "");
	KT_ASSERT(q.page & VMQ_PAGE_RESIDENT);
	KT_ASSERT(q.page & VMQ_PAGE_DIRTY);     /* no copy in swap */
	/* Private anonymous memory: no object at all. */
	vmtest_map_anon(&t, VA + 2 * PAGE_SIZE, 1);
	KT_EQ(vm_query_obj_fill(t.map, VA + 2 * PAGE_SIZE, &q), 0);
	KT_EQ(q.object, 0);
	KT_EQ(q.pager, VMQ_PAGER_NONE);
	KT_EQ(vm_query_obj_fill(t.map, VA + 3 * PAGE_SIZE, &q), -ENOMEM);
	vmtest_end(&t);
	vrele(vp);
}

KTEST(vmquery, the_call_writes_at_most_the_size_it_is_given)
{
	struct vm_query_obj q;
	struct vmtest t;
	struct vnode *vp;
	uint8_t out[sizeof(q) + 8];

	KT_EQ(namei(NULL, "/bin/hello", NAMEI_FOLLOW, &vp, NULL), 0);
	vmtest_begin(&t);
	vp->v_obj->pgops->pgo_reference(vp->v_obj);
	vmtest_map(&t, VA, 1, vp->v_obj, VM_PROT_READ, UVM_FLAG_COPYONWRITE);
	vmtest_map_anon(&t, OUTVA, 1);
	memset(out, 0xee, sizeof(out));
	KT_EQ(uvm_io_write(t.map, OUTVA, out, sizeof(out)), 0);
	/* 16 bytes: object and offset, nothing after them. */
	KT_EQ(vq_syscall(&t, sys_vm_query_obj, VA, OUTVA, 16), 0);
	KT_EQ(uvm_io_read(t.map, OUTVA, out, sizeof(out)), 0);
	KT_EQ(*(uint64_t *)out, (uint64_t)vp->v_obj);
	KT_EQ(out[16], 0xee);
	/* A size past the struct: the struct, nothing after it. */
	KT_EQ(vq_syscall(&t, sys_vm_query_obj, VA, OUTVA, sizeof(out)), 0);
	KT_EQ(uvm_io_read(t.map, OUTVA, out, sizeof(out)), 0);
	memcpy(&q, out, sizeof(q));
	KT_EQ(q.pager, VMQ_PAGER_MEMOBJ);
	KT_EQ(q.ino, vp->v_ino);
	KT_EQ(out[sizeof(q)], 0xee);
	KT_EQ(vq_syscall(&t, sys_vm_query_obj, VA, OUTVA, 0), -EINVAL);
	KT_EQ(vq_syscall(&t, sys_vm_query_obj, VA + 0x100000, OUTVA, sizeof(q)), -ENOMEM);
	KT_EQ(vq_syscall(&t, sys_vm_query_obj, VA, 0x1000, sizeof(q)), -EFAULT);
	vmtest_end(&t);
	vrele(vp);
}
