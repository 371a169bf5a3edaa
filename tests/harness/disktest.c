/*
 * tests/harness/disktest.c - the ext2 image (vdc) on /mnt for a test and
 * its scratch files there (disktest.h).
 */
#include "tests/harness/disktest.h"
#include "dev/blk.h"
#include "kern/core/ktest.h"
#include "kern/fs/ext2.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"

static char dt_tag[] = "/mnt";          /* the unmount cleanup's arg */

static void
dt_unmount(void *arg)
{
	(void)arg;
	vfs_unmount("/mnt", 0);
}

bool
disktest_mount(void)
{
	int error;

	KT_ASSERT(blk_lookup("vdc") != NULL);
	ext2_mount_boot();                      /* registers ext2 */
	error = vfs_mount("ext2", "/dev/vdc", "/mnt", 0, NULL);
	KT_ASSERT(error == 0 || error == -EBUSY);
	if (error == 0)
		ktest_cleanup_push(dt_unmount, dt_tag);
	return error == 0;
}

void
disktest_unmount(bool mounted)
{
	if (!mounted)
		return;
	KT_EQ(vfs_unmount("/mnt", 0), 0);
	ktest_cleanup_pop(dt_tag);
}

void
disktest_remove(const char *name, struct vnode **heldp)
{
	struct vnode *dvp, *vp;

	if (*heldp != NULL)
		vrele(*heldp);
	*heldp = NULL;
	if (namei(NULL, "/mnt", NAMEI_FOLLOW, &dvp, NULL) != 0)
		return;
	if (namei(dvp, name, 0, &vp, NULL) == 0) {
		mutex_enter(&dvp->v_lock);
		mutex_enter(&vp->v_lock);
		dvp->v_ops->vop_remove(dvp, name, strlen(name), vp);
		mutex_exit(&vp->v_lock);
		mutex_exit(&dvp->v_lock);
		vrele(vp);
	}
	vrele(dvp);
}
