/*
 * tests/kern/proc/exec_disk_test.c - exec from the disk file system: the
 * programs make puts in the ext2 image (vdc: /usr/local/bin/hello ...), mounted on
 * /mnt, run from there.  Their segments are then mappings of the file's
 * vnode-pager object (uvm/uvm_vnode.h) - the pages come from the disk
 * through uvn_get, not from the initrd's memory - and the exec
 * permission check looks at the ext2 inode's mode:
 *
 *   /mnt/usr/local/bin/hello            0755  exec_load maps v_obj (uvn), runs
 *   /mnt/exec-probe (copy)    0644  -EACCES; chmod 0700 -> runs
 *
 * (hello exits with its number of arguments, so a run with one exits 1.)
 *
 * Each test mounts the image (unless mounted) and removes what it made,
 * so the image stays e2fsck-clean.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/exec.h"
#include "kern/proc/proc.h"
#include "kern/vfs/vfs.h"
#include "tests/harness/disktest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_vnode.h"

#define PROBE "exec-probe"

static char probe_tag[] = PROBE;        /* the cleanup's arg */

static struct vnode *
ed_lookup(const char *path)
{
	struct vnode *vp = NULL;

	KT_EQ(namei(NULL, path, NAMEI_FOLLOW, &vp, NULL), 0);
	return vp;
}

/* Run path with one argument; its wait status in *status (hello exits
 * with its number of arguments: W_EXITCODE(1)). */
static int
ed_run(const char *path, int *status)
{
	char *argv[] = { (char *)path, "from-disk", NULL };
	char *envp[] = { "PATH=/bin", NULL };

	*status = -1;
	return proc_run(path, argv, envp, status);
}

KTEST(execdisk, hello_from_ext2_maps_the_vnode_pager_object_and_runs)
{
	char *argv[] = { "hello", NULL }, *envp[] = { NULL };
	bool mounted = disktest_mount();
	struct vnode *vp = ed_lookup("/mnt/usr/local/bin/hello");
	struct exec_image img;
	struct vmtest t;
	int status;

	KT_EQ(vp->v_type, VREG);
	KT_STREQ(vp->v_mount->mnt_op->vfs_name, "ext2");
	KT_ASSERT(uvn_is_vnode(vp->v_obj));
	KT_EQ(exec_check(vp), 0);
	vmtest_begin(&t);
	KT_EQ(exec_load(t.vm, vp, "/mnt/usr/local/bin/hello", argv, envp, &img), 0);
	/* The text: a private mapping of the file's object, read from the
	 * disk by the vnode pager when touched. */
	struct vm_map_entry *text = vmtest_entry(&t, img.entry);
	KT_EQ(text->object, (uint64_t)vp->v_obj);
	KT_ASSERT(uvn_is_vnode(text->object));
	KT_ASSERT(text->etype & UVM_ET_COPYONWRITE);
	KT_EQ(text->protection, VM_PROT_READ | VM_PROT_EXECUTE);
	KT_EQ(uvm_fault(t.map, img.entry, VM_PROT_READ), 0);
	mutex_enter(&vp->v_obj->vmobjlock);
	KT_ASSERT(uvm_obj_page_lookup(vp->v_obj,
	    text->offset + ROUND_DOWN(img.entry - text->start, PAGE_SIZE)) != NULL);
	mutex_exit(&vp->v_obj->vmobjlock);
	/* Every entry over an object maps this one. */
	for (struct vm_map_entry *e = t.map->header.next; e != &t.map->header; e = e->next)
		KT_ASSERT(e->object == NULL || e->object == vp->v_obj);
	vmtest_end(&t);
	KT_EQ(vp->v_refs, 1);                   /* the mappings gave theirs back */
	vrele(vp);
	/* And it runs from there. */
	KT_EQ(ed_run("/mnt/usr/local/bin/hello", &status), 0);
	KT_EQ(status, W_EXITCODE(1));
	disktest_unmount(mounted);
}

/* The probe file's vnode while the test holds it. */
static struct vnode *ed_vp;

/* Drop the probe's vnode and remove /mnt/PROBE if it is there. */
static void
ed_remove(void *arg)
{
	(void)arg;
	disktest_remove(PROBE, &ed_vp);
}

static int
ed_setattr(struct vnode *vp, struct vattr *va)
{
	int error;

	mutex_enter(&vp->v_lock);
	error = vp->v_ops->vop_setattr(vp, va);
	mutex_exit(&vp->v_lock);
	return error;
}

/* /mnt/PROBE: a copy of /mnt/usr/local/bin/hello with mode 0644. */
static struct vnode *
ed_copy_hello(void)
{
	struct vnode *src = ed_lookup("/mnt/usr/local/bin/hello"), *dvp, *vp = NULL;
	struct vattr va;
	void *buf;
	int error;

	KT_EQ(src->v_ops->vop_getattr(src, &va), 0);
	buf = kmem_alloc(va.va_size, 0);
	KT_ASSERT(buf != NULL);
	KT_EQ(uvm_obj_rdwr(src->v_obj, 0, buf, va.va_size, false), 0);
	vrele(src);
	dvp = ed_lookup("/mnt");
	mutex_enter(&dvp->v_lock);
	error = dvp->v_ops->vop_create(dvp, PROBE, strlen(PROBE), 0644, &vp);
	mutex_exit(&dvp->v_lock);
	vrele(dvp);
	if (error == 0) {
		ed_vp = vp;
		ktest_cleanup_push(ed_remove, probe_tag);
		va.va_mask = VA_SIZE;
		error = ed_setattr(vp, &va);
	}
	if (error == 0)
		error = uvm_obj_rdwr(vp->v_obj, 0, buf, va.va_size, true);
	kmem_free(buf, va.va_size);
	KT_EQ(error, 0);
	return vp;
}

KTEST(execdisk, a_file_without_x_bits_on_ext2_is_eacces_until_chmod)
{
	bool mounted = disktest_mount();
	struct vnode *vp = ed_copy_hello();
	struct vattr va;
	int status;

	KT_EQ(vp->v_ops->vop_getattr(vp, &va), 0);
	KT_EQ(va.va_mode & 0777, 0644);
	KT_EQ(exec_check(vp), -EACCES);
	KT_EQ(ed_run("/mnt/" PROBE, &status), -EACCES);
	/* The same bytes with an x bit run. */
	va.va_mask = VA_MODE;
	va.va_mode = 0700;
	KT_EQ(ed_setattr(vp, &va), 0);
	KT_EQ(exec_check(vp), 0);
	KT_EQ(ed_run("/mnt/" PROBE, &status), 0);
	KT_EQ(status, W_EXITCODE(1));
	ed_remove(NULL);
	ktest_cleanup_pop(probe_tag);
	disktest_unmount(mounted);
}
