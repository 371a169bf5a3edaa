/*
 * tests/kern/fs/devfs_test.c - /dev and /proc as mounted vnode file
 * systems: device vnodes open as the old device files, /dev/shm is a
 * directory to mount on, /proc's names come from the process table and
 * are never name-cached, /proc/mounts is the mount table.
 */
#include "kern/core/ktest.h"
#include "kern/fs/file.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"
#include "kern/vfs/vfs_vnops.h"

static struct vnode *
lookup(const char *path, int flags)
{
	struct vnode *vp = NULL;

	KT_EQ(namei(NULL, path, flags, &vp, NULL), 0);
	return vp;
}

KTEST(devfs, devices_open_with_their_fileops)
{
	struct vnode *null = lookup("/dev/null", 0), *zero = lookup("/dev/zero", 0);
	struct vnode *shm = lookup("/dev/shm", 0), *dev = lookup("/dev", 0);
	struct vattr va;
	struct vnode *vp;
	struct file *f;

	/* tmpfs is mounted on /dev/shm at boot: devfs's is the covered one. */
	if (shm == shm->v_mount->mnt_root && shm->v_mount->mnt_covered != NULL) {
		vp = shm->v_mount->mnt_covered;
		vref(vp);
		vrele(shm);
		shm = vp;
	}
	KT_EQ(null->v_type, VCHR);
	KT_ASSERT(null->v_obj == NULL);
	KT_EQ(null->v_ops->vop_getattr(null, &va), 0);
	KT_EQ(va.va_rdev, 1 << 8 | 3);
	KT_EQ(null->v_ops->vop_open(null, O_RDWR, &f), 0);
	KT_ASSERT(f->ops == &null_fileops && f->refs == 1);
	file_release(f);
	KT_EQ(zero->v_ops->vop_open(zero, O_RDONLY, &f), 0);
	KT_ASSERT(file_is_zero(f));
	file_release(f);
	KT_EQ(shm->v_type, VDIR);
	/* A directory is opened as a plain vnode file (getdents reads it). */
	f = (struct file *)1;
	KT_EQ(shm->v_ops->vop_open(shm, O_RDONLY, &f), 0);
	KT_ASSERT(f == NULL);
	KT_EQ(vn_file_open(shm, O_RDONLY, &f), 0);
	KT_ASSERT(f->vp == shm && f->ops != &null_fileops);
	file_release(f);
	KT_ASSERT(dev == dev->v_mount->mnt_root);       /* /dev is a mount */
	KT_EQ(namei(NULL, "/dev/nope", 0, &vp, NULL), -ENOENT);
	KT_EQ(namei(NULL, "/dev/shm/..", 0, &vp, NULL), 0);
	KT_ASSERT(vp == dev);
	vrele(vp);
	vrele(null);
	vrele(zero);
	vrele(shm);
	vrele(dev);
}

KTEST(devfs, proc_is_a_mount_that_is_never_name_cached)
{
	struct vnode *proc = lookup("/proc", 0), *mounts, *sys, *vp;
	struct namecache_stats s0 = namecache_stats;
	struct file *f;

	KT_ASSERT(proc->v_mount->mnt_flags & MNT_NOCACHE);
	mounts = lookup("/proc/mounts", 0);
	KT_EQ(mounts->v_type, VREG);
	KT_EQ(namecache_stats.nc_enters, s0.nc_enters);  /* "mounts" not entered */
	KT_EQ(mounts->v_ops->vop_open(mounts, O_RDONLY, &f), 0);
	KT_ASSERT(f->textlen > 0 && strncmp(f->text, "initrd / ramfs ro", 17) == 0);
	file_release(f);
	sys = lookup("/proc/sys/kernel/../vm/mmap_min_addr", 0);
	KT_EQ(sys->v_type, VREG);
	KT_EQ(namei(NULL, "/proc/nope", 0, &vp, NULL), -ENOENT);
	KT_EQ(namei(NULL, "/proc/999999", 0, &vp, NULL), -ENOENT);
	vrele(sys);
	vrele(mounts);
	vrele(proc);
}
