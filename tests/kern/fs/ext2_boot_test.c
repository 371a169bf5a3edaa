/*
 * tests/kern/fs/ext2_boot_test.c - data written to the ext2 disk in one
 * boot is there in the next.  Two tests run only by name, each in a
 * boot of its own on the same build/disk.img (make test runs them after
 * the main boot, then e2fsck):
 *
 *   boot 1: ext2boot/first_boot_writes   on a fresh image: makes
 *           /mnt/persist (three pages and a tail, through the pager),
 *           /mnt/persist.d/ and a symlink to it, fsync, unmount
 *   boot 2: ext2boot/second_boot_reads   finds them with the same bytes
 *           (read from the disk: nothing of boot 1 is in memory)
 */
#include "kern/core/ktest.h"
#include "kern/fs/ext2.h"
#include "kern/fs/ext2_fs.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"
#include "uvm/uvm_object.h"

#define PERSIST_SIZE (3 * 4096 + 123)
#define PERSIST_LINK "persist.d/target/that/is/long/enough/not/to/fit/in/the/inode/itself/x"

static uint8_t pbuf[PERSIST_SIZE];

static void
pattern(uint8_t *b)
{
	for (size_t i = 0; i < PERSIST_SIZE; i++)
		b[i] = (uint8_t)(i * 7 + i / 4096);
}

static void
boot_umount(void *arg)
{
	(void)arg;
	vfs_unmount("/mnt", 0);
}

static struct vnode *
boot_mount_root(void)
{
	struct vnode *root = NULL;

	ext2_mount_boot();                      /* registers ext2 */
	KT_EQ(vfs_mount("ext2", "/dev/vdc", "/mnt", 0, NULL), 0);
	ktest_cleanup_push(boot_umount, NULL);
	KT_EQ(namei(NULL, "/mnt", NAMEI_FOLLOW, &root, NULL), 0);
	return root;
}

KTEST_MANUAL_ONLY(ext2boot, first_boot_writes)
{
	struct vnode *root = boot_mount_root(), *vp = NULL, *dp = NULL, *lp = NULL;
	struct vattr va = { .va_mask = VA_SIZE, .va_size = PERSIST_SIZE };
	int error;

	mutex_enter(&root->v_lock);
	error = root->v_ops->vop_lookup(root, "persist", 7, &vp);
	KT_EQ(error, -ENOENT);                  /* a fresh image */
	KT_EQ(root->v_ops->vop_create(root, "persist", 7, 0644, &vp), 0);
	KT_EQ(root->v_ops->vop_mkdir(root, "persist.d", 9, 0755, &dp), 0);
	KT_EQ(root->v_ops->vop_symlink(root, "persist.l", 9, PERSIST_LINK, &lp), 0);
	mutex_exit(&root->v_lock);
	mutex_enter(&vp->v_lock);
	KT_EQ(vp->v_ops->vop_setattr(vp, &va), 0);
	mutex_exit(&vp->v_lock);
	pattern(pbuf);
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 0, pbuf, PERSIST_SIZE, true), 0);
	KT_EQ(vp->v_ops->vop_fsync(vp, false), 0);
	vrele(lp);
	vrele(dp);
	vrele(vp);
	vrele(root);
	KT_EQ(vfs_unmount("/mnt", 0), 0);
	ktest_cleanup_pop(NULL);
}

KTEST_MANUAL_ONLY(ext2boot, second_boot_reads)
{
	struct vnode *root = boot_mount_root(), *vp = NULL, *dp = NULL, *lp = NULL;
	static uint8_t want[PERSIST_SIZE];
	char link[128];
	struct vattr va;

	mutex_enter(&root->v_lock);
	KT_EQ(root->v_ops->vop_lookup(root, "persist", 7, &vp), 0);
	KT_EQ(root->v_ops->vop_lookup(root, "persist.d", 9, &dp), 0);
	KT_EQ(root->v_ops->vop_lookup(root, "persist.l", 9, &lp), 0);
	mutex_exit(&root->v_lock);
	KT_EQ(vp->v_type, VREG);
	KT_EQ(dp->v_type, VDIR);
	KT_EQ(lp->v_type, VLNK);
	KT_EQ(vp->v_obj->uo_npages, 0);         /* nothing cached: from the disk */
	KT_EQ(vp->v_ops->vop_getattr(vp, &va), 0);
	KT_EQ(va.va_size, PERSIST_SIZE);
	KT_EQ(va.va_blocks, 4 * 8);
	memset(pbuf, 0, sizeof(pbuf));
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 0, pbuf, PERSIST_SIZE, false), 0);
	pattern(want);
	KT_ASSERT(memcmp(pbuf, want, PERSIST_SIZE) == 0);
	KT_EQ(lp->v_ops->vop_readlink(lp, link, sizeof(link)), strlen(PERSIST_LINK));
	KT_ASSERT(memcmp(link, PERSIST_LINK, strlen(PERSIST_LINK)) == 0);
	KT_EQ(ext2_fs_check(vp->v_mount->mnt_data, kprint), 0);
	vrele(lp);
	vrele(dp);
	vrele(vp);
	vrele(root);
	KT_EQ(vfs_unmount("/mnt", 0), 0);
	ktest_cleanup_pop(NULL);
}
