/*
 * tests/kern/fs/ext2_vfs_test.c - ext2 through the VFS and the vnode
 * pager: the disk image make builds (vdc, from disk/) mounted on /mnt,
 * files read and written through their objects' pages, blocks and
 * inodes coming back on unlink and truncate, directories renamed, and
 * bad images refused at mount.  Each test mounts and unmounts, so the
 * image is synced and e2fsck-clean afterwards (make test checks that).
 */
#include "tests/kern/fs/ext2_testfs.h"
#include "dev/blk.h"
#include "kern/core/ktest.h"
#include "kern/fs/ext2.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"
#include "uvm/uvm_page.h"
#include "kern/vfs/vfs_vnops.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_vnode.h"

static char vbuf[3 * 4096];

static void
umount_cleanup(void *arg)
{
	(void)arg;
	vfs_unmount("/mnt", 0);
}

/* Mount dev (vdc: the image) on /mnt; the cleanup unmounts it. */
static struct ext2_fs *
mount_disk(const char *dev)
{
	struct vnode *vp;
	struct ext2_fs *fs;

	ext2_mount_boot();                      /* registers ext2 */
	KT_EQ(vfs_mount("ext2", dev, "/mnt", 0, NULL), 0);
	ktest_cleanup_push(umount_cleanup, NULL);
	KT_EQ(namei(NULL, "/mnt", NAMEI_FOLLOW, &vp, NULL), 0);
	KT_ASSERT(vp->v_ops == &ext2_vnodeops);
	fs = vp->v_mount->mnt_data;
	vrele(vp);
	return fs;
}

static void
umount_disk(void)
{
	KT_EQ(vfs_unmount("/mnt", 0), 0);
	ktest_cleanup_pop(NULL);
}

static struct vnode *
lookup(const char *path, int flags)
{
	struct vnode *vp = NULL;

	KT_EQ(namei(NULL, path, flags, &vp, NULL), 0);
	return vp;
}

/* Make a file (or directory) name in dvp through its vop. */
static struct vnode *
make(struct vnode *dvp, const char *name, bool dir)
{
	struct vnode *vp = NULL;
	int error;

	mutex_enter(&dvp->v_lock);
	if (dir)
		error = dvp->v_ops->vop_mkdir(dvp, name, strlen(name), 0755, &vp);
	else
		error = dvp->v_ops->vop_create(dvp, name, strlen(name), 0644, &vp);
	mutex_exit(&dvp->v_lock);
	KT_EQ(error, 0);
	return vp;
}

static void
unlink(struct vnode *dvp, const char *name, struct vnode *vp)
{
	int error;

	mutex_enter(&dvp->v_lock);
	mutex_enter(&vp->v_lock);
	if (vp->v_type == VDIR)
		error = dvp->v_ops->vop_rmdir(dvp, name, strlen(name), vp);
	else
		error = dvp->v_ops->vop_remove(dvp, name, strlen(name), vp);
	mutex_exit(&vp->v_lock);
	mutex_exit(&dvp->v_lock);
	KT_EQ(error, 0);
}

static void
set_size(struct vnode *vp, uint64_t size)
{
	struct vattr va = { .va_mask = VA_SIZE, .va_size = size };

	mutex_enter(&vp->v_lock);
	int error = vp->v_ops->vop_setattr(vp, &va);
	mutex_exit(&vp->v_lock);
	KT_EQ(error, 0);
}

static struct vattr
getattr(struct vnode *vp)
{
	struct vattr va;

	KT_EQ(vp->v_ops->vop_getattr(vp, &va), 0);
	return va;
}

KTEST(ext2vfs, image_files_read_through_the_pager)
{
	struct vfs_statfs st;
	struct vnode *vp;
	char link[64];

	mount_disk("/dev/vdc");
	vp = lookup("/mnt/docs/readme.txt", NAMEI_FOLLOW);
	KT_EQ(vp->v_type, VREG);
	KT_ASSERT(uvn_is_vnode(vp->v_obj));
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 0, vbuf, 21, false), 0);
	KT_ASSERT(memcmp(vbuf, "This is the ext2 disk", 21) == 0);
	vrele(vp);
	/* 20000 lines of 7 bytes: through the indirect block. */
	vp = lookup("/mnt/docs/numbers.txt", NAMEI_FOLLOW);
	KT_EQ(getattr(vp).va_size, 140000);
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 7 * 19999, vbuf, 7, false), 0);
	KT_ASSERT(memcmp(vbuf, "019999\n", 7) == 0);
	vrele(vp);
	/* The sparse file: 5 MiB of hole, then "end" (a double-indirect block). */
	vp = lookup("/mnt/sparse", NAMEI_FOLLOW);
	KT_EQ(getattr(vp).va_size, 5 * 1024 * 1024 + 3);
	KT_ASSERT(getattr(vp).va_blocks <= 4 * 8);
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 1024 * 1024, vbuf, 16, false), 0);
	for (int i = 0; i < 16; i++)
		KT_EQ(vbuf[i], 0);
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 5 * 1024 * 1024, vbuf, 3, false), 0);
	KT_ASSERT(memcmp(vbuf, "end", 3) == 0);
	vrele(vp);
	vp = lookup("/mnt/readme-link", 0);
	KT_EQ(vp->v_type, VLNK);
	KT_EQ(vp->v_ops->vop_readlink(vp, link, sizeof(link)), 15);
	KT_ASSERT(memcmp(link, "docs/readme.txt", 15) == 0);
	vrele(vp);
	vp = lookup("/mnt/src/deep/er/leaf.txt", NAMEI_FOLLOW);
	KT_EQ(ext2_vfsops.vfs_statfs(vp->v_mount, &st), 0);
	vrele(vp);
	KT_EQ(st.f_type, 0xEF53);
	KT_EQ(st.f_bsize, 4096);
	/* The image fills the disk: mke2fs made it the size of vdc. */
	KT_EQ(st.f_blocks, blk_lookup("vdc")->nsectors * BLK_SECTOR / 4096);
	umount_disk();
}

KTEST(ext2vfs, write_fsync_unlink_gives_blocks_and_inode_back)
{
	struct ext2_fs *fs = mount_disk("/dev/vdc");
	uint32_t bfree = fs->e2_sb.s_free_blocks_count;
	uint32_t ifree = fs->e2_sb.s_free_inodes_count;
	struct vnode *dvp = lookup("/mnt/tmp", NAMEI_FOLLOW), *vp;
	struct ext2_node *n;
	uint32_t b0;

	vp = make(dvp, "w", false);
	n = vp->v_data;
	KT_EQ(fs->e2_sb.s_free_inodes_count, ifree - 1);
	set_size(vp, sizeof(vbuf));
	memset(vbuf, 'w', sizeof(vbuf));
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 0, vbuf, sizeof(vbuf), true), 0);
	KT_EQ(vp->v_obj->uo_npages, 3);
	KT_EQ(vp->v_ops->vop_fsync(vp, false), 0);
	/* Three contiguous blocks, in the bitmap, counted. */
	KT_EQ(getattr(vp).va_blocks, 3 * 8);
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_bmap(n, 0, false, &b0), 0);
	uint32_t b1 = 0, b2 = 0;
	KT_EQ(ext2_bmap(n, 1, false, &b1), 0);
	KT_EQ(ext2_bmap(n, 2, false, &b2), 0);
	mutex_exit(&fs->e2_lock);
	KT_EQ(b1, b0 + 1);
	KT_EQ(b2, b0 + 2);
	KT_ASSERT(ext2t_bit(fs, false, b0) && ext2t_bit(fs, false, b2));
	KT_EQ(fs->e2_sb.s_free_blocks_count, bfree - 3);
	/* Read back from the disk, bypassing the pages. */
	ext2t_rawblk(fs->e2_dev, 4096, b2, vbuf, false);
	KT_EQ(vbuf[0], 'w');
	KT_EQ(vbuf[4095], 'w');
	KT_EQ(ext2_fs_check(fs, kprint), 0);
	/* Unlinked while referenced: whole until the last reference goes. */
	unlink(dvp, "w", vp);
	KT_EQ(fs->e2_sb.s_free_blocks_count, bfree - 3);
	uint32_t ino = n->n_ino;
	vrele(vp);
	KT_EQ(fs->e2_sb.s_free_blocks_count, bfree);
	KT_EQ(fs->e2_sb.s_free_inodes_count, ifree);
	KT_ASSERT(!ext2t_bit(fs, false, b0));
	KT_ASSERT(!ext2t_bit(fs, true, ino));
	vrele(dvp);
	KT_EQ(ext2_fs_check(fs, kprint), 0);
	umount_disk();
}

/*
 * A write-back that fails keeps the page dirty and its data; the next
 * fsync reports -EIO (once), and the one after writes the page for real.
 */
KTEST(ext2vfs, fsync_reports_a_write_error_once_and_keeps_the_page)
{
	struct ext2_fs *fs = mount_disk("/dev/vdc");
	struct vnode *dvp = lookup("/mnt/tmp", NAMEI_FOLLOW), *vp;
	uint32_t blk = 0;

	vp = make(dvp, "e", false);
	set_size(vp, 4096);
	memset(vbuf, 'e', 4096);
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 0, vbuf, 4096, true), 0);
	blk_inject_error(fs->e2_dev, BLK_WRITE, 0, fs->e2_dev->nsectors, 1);
	KT_EQ(vn_fsync(vp, false), -EIO);
	mutex_enter(&vp->v_obj->vmobjlock);
	struct vm_page *pg = uvm_obj_page_lookup(vp->v_obj, 0);
	KT_ASSERT(pg != NULL && !(pg->flags & PG_CLEAN));     /* still dirty */
	mutex_exit(&vp->v_obj->vmobjlock);
	KT_EQ(fs->e2_dev->stats.injected > 0, true);
	KT_EQ(vn_fsync(vp, false), 0);          /* written now, reported once */
	mutex_enter(&fs->e2_lock);
	KT_EQ(ext2_bmap(vp->v_data, 0, false, &blk), 0);
	mutex_exit(&fs->e2_lock);
	memset(vbuf, 0, 4096);
	ext2t_rawblk(fs->e2_dev, 4096, blk, vbuf, false);
	KT_EQ(vbuf[0], 'e');
	KT_EQ(vbuf[4095], 'e');
	unlink(dvp, "e", vp);
	vrele(vp);
	vrele(dvp);
	KT_EQ(ext2_fs_check(fs, kprint), 0);
	umount_disk();
}

KTEST(ext2vfs, truncate_drops_pages_and_blocks)
{
	struct ext2_fs *fs = mount_disk("/dev/vdc");
	uint32_t bfree = fs->e2_sb.s_free_blocks_count;
	struct vnode *dvp = lookup("/mnt/tmp", NAMEI_FOLLOW), *vp;

	vp = make(dvp, "t", false);
	set_size(vp, sizeof(vbuf));
	memset(vbuf, 't', sizeof(vbuf));
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 0, vbuf, sizeof(vbuf), true), 0);
	KT_EQ(vp->v_ops->vop_fsync(vp, false), 0);
	KT_EQ(fs->e2_sb.s_free_blocks_count, bfree - 3);
	set_size(vp, 4096 + 100);
	KT_EQ(vp->v_obj->uo_npages, 2);
	KT_EQ(getattr(vp).va_blocks, 2 * 8);
	KT_EQ(fs->e2_sb.s_free_blocks_count, bfree - 2);
	/* The tail of the last page reads as zeros, and grows as a hole. */
	set_size(vp, 3 * 4096);
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 4096 + 100, vbuf, 200, false), 0);
	for (int i = 0; i < 200; i++)
		KT_EQ(vbuf[i], 0);
	KT_EQ(getattr(vp).va_blocks, 2 * 8);
	KT_EQ(vp->v_ops->vop_fsync(vp, false), 0);
	unlink(dvp, "t", vp);
	vrele(vp);
	vrele(dvp);
	KT_EQ(fs->e2_sb.s_free_blocks_count, bfree);
	KT_EQ(ext2_fs_check(fs, kprint), 0);
	umount_disk();
}

KTEST(ext2vfs, directories_rename_and_rmdir)
{
	struct ext2_fs *fs = mount_disk("/dev/vdc");
	struct vnode *tmp = lookup("/mnt/tmp", NAMEI_FOLLOW), *a, *b, *x, *vp;
	uint32_t tmplinks = getattr(tmp).va_nlink;
	struct vfs_dirent d;
	int error, seen = 0;

	a = make(tmp, "a", true);
	b = make(tmp, "b", true);
	x = make(a, "x", true);
	KT_EQ(getattr(tmp).va_nlink, tmplinks + 2);
	KT_EQ(getattr(a).va_nlink, 3);
	/* a/x -> b/y: x's ".." is b now, the links move. */
	mutex_enter(&fs->e2_mount->mnt_renamelock);
	mutex_enter(&a->v_lock);
	mutex_enter(&b->v_lock);
	error = a->v_ops->vop_rename(a, "x", 1, x, b, "y", 1, NULL);
	mutex_exit(&b->v_lock);
	mutex_exit(&a->v_lock);
	mutex_exit(&fs->e2_mount->mnt_renamelock);
	KT_EQ(error, 0);
	KT_EQ(getattr(a).va_nlink, 2);
	KT_EQ(getattr(b).va_nlink, 3);
	mutex_enter(&x->v_lock);
	KT_EQ(x->v_ops->vop_lookup(x, "..", 2, &vp), 0);
	mutex_exit(&x->v_lock);
	KT_ASSERT(vp == b);
	vrele(vp);
	for (uint64_t c = 0; (error = b->v_ops->vop_readdir(b, c, &d)) == 0; c = d.next)
		seen += d.namelen == 1 && d.name[0] == 'y' && d.type == 4;
	KT_EQ(error, 1);
	KT_EQ(seen, 1);
	KT_EQ(ext2_fs_check(fs, kprint), 0);
	/* b is not empty; then it is. */
	mutex_enter(&tmp->v_lock);
	mutex_enter(&b->v_lock);
	KT_EQ(tmp->v_ops->vop_rmdir(tmp, "b", 1, b), -ENOTEMPTY);
	mutex_exit(&b->v_lock);
	mutex_exit(&tmp->v_lock);
	unlink(b, "y", x);
	unlink(tmp, "b", b);
	unlink(tmp, "a", a);
	vrele(x);
	vrele(b);
	vrele(a);
	KT_EQ(getattr(tmp).va_nlink, tmplinks);
	vrele(tmp);
	KT_EQ(ext2_fs_check(fs, kprint), 0);
	umount_disk();
}

KTEST(ext2vfs, symlink_loop_is_eloop)
{
	struct ext2_fs *fs = mount_disk("/dev/vdc");
	struct vnode *tmp = lookup("/mnt/tmp", NAMEI_FOLLOW), *l = NULL, *vp = NULL;

	mutex_enter(&tmp->v_lock);
	KT_EQ(tmp->v_ops->vop_symlink(tmp, "loop", 4, "loop", &l), 0);
	mutex_exit(&tmp->v_lock);
	KT_EQ(namei(NULL, "/mnt/tmp/loop", NAMEI_FOLLOW, &vp, NULL), -ELOOP);
	unlink(tmp, "loop", l);
	vrele(l);
	vrele(tmp);
	KT_EQ(ext2_fs_check(fs, kprint), 0);
	umount_disk();
}

KTEST(ext2vfs, bad_images_refused_at_mount)
{
	struct blkdev *dev = ext2t_scratch();
	char name[16];

	ext2_mount_boot();
	ksnprintf(name, sizeof(name), "/dev/%s", dev->name);
	ext2t_mkfs(dev, &ext2t_1k);
	ext2t_rawblk(dev, 1024, 1, vbuf, false);
	vbuf[56] = 0;                           /* the magic */
	ext2t_rawblk(dev, 1024, 1, vbuf, true);
	KT_EQ(vfs_mount("ext2", name, "/mnt", 0, NULL), -EINVAL);
	/* The root inode not a directory. */
	ext2t_mkfs(dev, &ext2t_1k);
	ext2t_rawblk(dev, 1024, 5, vbuf, false);        /* inode table, group 0 */
	vbuf[128 + 1] = 0x80;                   /* root's mode: a regular file */
	ext2t_rawblk(dev, 1024, 5, vbuf, true);
	KT_EQ(vfs_mount("ext2", name, "/mnt", 0, NULL), -EINVAL);
	KT_EQ(vfs_mount("ext2", "/dev/nosuch", "/mnt", 0, NULL), -ENOENT);
}

KTEST(ext2vfs, full_disk_write_is_enospc_and_consistent)
{
	struct blkdev *dev = ext2t_scratch();
	char name[16];
	struct ext2_fs *fs;
	struct vnode *root, *vp;
	int error = 0;
	uint64_t off;

	ksnprintf(name, sizeof(name), "/dev/%s", dev->name);
	ext2t_mkfs(dev, &ext2t_tiny);
	fs = mount_disk(name);
	root = lookup("/mnt", NAMEI_FOLLOW);
	vp = make(root, "big", false);
	set_size(vp, 200 * 1024);
	memset(vbuf, 'f', 4096);
	/* The blocks are taken when a page is first written, or at the
	 * latest when it is written back: one or the other says ENOSPC. */
	for (off = 0; off < 200 * 1024 && error == 0; off += 4096)
		error = uvm_obj_rdwr(vp->v_obj, off, vbuf, 4096, true);
	if (error == 0)
		error = vp->v_ops->vop_fsync(vp, false);
	KT_EQ(error, -ENOSPC);
	KT_EQ(fs->e2_sb.s_free_blocks_count, 0);
	KT_EQ(ext2_fs_check(fs, kprint), 0);
	set_size(vp, 0);
	unlink(root, "big", vp);
	vrele(vp);
	vrele(root);
	KT_EQ(ext2_fs_check(fs, kprint), 0);
	umount_disk();
}
