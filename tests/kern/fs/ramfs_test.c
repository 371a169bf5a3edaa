/*
 * tests/kern/fs/ramfs_test.c - kern/fs/cpio.c and kern/fs/ramfs.c on archives
 * built in the test: members in any order, implied directories, symlinks,
 * path walking with "." and "..", reads at every offset, listings in name
 * order, and malformed archives refused without touching memory past
 * their end; and the tree as a vnode file system mounted on /mnt.
 */
#include "kern/fs/cpio.h"
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/fs/ramfs.h"
#include "kern/vfs/vfs.h"
#include "uvm/uvm_memobj.h"
#include "uvm/uvm_object.h"
#include "tests/harness/cpiotest.h"

static uint8_t arc[8192];
static size_t arclen;
static struct ramfs *fs;

/* Append one newc member (header, name, data, padding) to arc. */
static void
add(const char *name, uint32_t mode, const void *data, size_t size)
{
	struct cpiotest_buf a = { arc, sizeof(arc), arclen };

	cpiotest_add(&a, name, mode, data, size);
	arclen = a.len;
}

static void
build_sample(void)
{
	memset(arc, 0, sizeof(arc));
	arclen = 0;
	add("./init", S_IFREG | 0755, "#!init", 6);
	add("./tests/fork", S_IFREG | 0755, "fork-binary", 11);   /* implies tests/ */
	add("./bin", S_IFDIR | 0755, "", 0);
	add("./bin/sh", S_IFREG | 0755, "shell", 5);
	add("./tests/alpha", S_IFREG | 0644, "a", 1);
	add("./bin/shlink", S_IFLNK | 0777, "sh", 2);
	add("./loop", S_IFLNK | 0777, "loop", 4);
	add("TRAILER!!!", 0, "", 0);
}

KTEST(ramfs, cpio_members_in_order)
{
	struct cpio_entry e;
	size_t off = 0;

	build_sample();
	KT_EQ(cpio_next(arc, arclen, &off, &e), 1);
	KT_STREQ(e.name, "./init");
	KT_EQ(e.size, 6);
	KT_ASSERT(memcmp(e.data, "#!init", 6) == 0);
	KT_EQ(e.mode, S_IFREG | 0755);
	KT_EQ((uintptr_t)e.data % 4, 0);
	for (int i = 0; i < 6; i++)
		KT_EQ(cpio_next(arc, arclen, &off, &e), 1);
	KT_EQ(cpio_next(arc, arclen, &off, &e), 0);    /* the trailer */
	KT_EQ(off, arclen);
}

KTEST(ramfs, malformed_archives_refused)
{
	struct cpio_entry e;
	size_t off = 0;

	build_sample();
	/* Cut short anywhere inside the first member: refused. */
	for (size_t cut = 0; cut < 116; cut += 5) {
		off = 0;
		KT_EQ(cpio_next(arc, cut, &off, &e), -EINVAL);
	}
	arc[0] = 'X';                           /* bad magic */
	off = 0;
	KT_EQ(cpio_next(arc, arclen, &off, &e), -EINVAL);
	fs = NULL;
	KT_EQ(ramfs_mount(arc, arclen, &fs), -EINVAL);
	KT_ASSERT(fs == NULL);
	build_sample();
	arc[6 + 11 * 8] = 'g';                  /* namesize not hex */
	off = 0;
	KT_EQ(cpio_next(arc, arclen, &off, &e), -EINVAL);
}

KTEST(ramfs, tree_lookup_and_read)
{
	struct rnode *n, *bin;
	char buf[16], path[64];
	uint64_t objs0 = uvm_memobj_count();

	build_sample();
	KT_EQ(ramfs_mount(arc, arclen, &fs), 0);
	KT_EQ(fs->nentries, 7);
	KT_EQ(ramfs_lookup(fs, NULL, "/bin/sh", true, &n), 0);
	KT_ASSERT(S_ISREG(n->mode) && n->size == 5 && n->uobj != NULL);
	KT_EQ(uvm_memobj_size(n->uobj), 5);
	KT_EQ(ramfs_read(n, 1, buf, sizeof(buf)), 4);
	KT_ASSERT(memcmp(buf, "hell", 4) == 0);
	KT_EQ(ramfs_read(n, 5, buf, sizeof(buf)), 0);
	KT_EQ(ramfs_read(n, 99, buf, sizeof(buf)), 0);
	/* Relative paths, ".", ".." and repeated slashes. */
	KT_EQ(ramfs_lookup(fs, NULL, "bin", true, &bin), 0);
	KT_EQ(ramfs_lookup(fs, bin, "./sh", true, &n), 0);
	KT_EQ(ramfs_lookup(fs, bin, "../tests//fork", true, &n), 0);
	KT_EQ(n->size, 11);
	KT_EQ(ramfs_lookup(fs, NULL, "/../../init", true, &n), 0);
	ramfs_path(n, path, sizeof(path));
	KT_STREQ(path, "/init");
	KT_EQ(ramfs_lookup(fs, NULL, "/bin/", true, &n), 0);
	KT_EQ(n, (uint64_t)bin);
	/* Errors. */
	KT_EQ(ramfs_lookup(fs, NULL, "/nope", true, &n), -ENOENT);
	KT_EQ(ramfs_lookup(fs, NULL, "/init/x", true, &n), -ENOTDIR);
	KT_EQ(ramfs_lookup(fs, NULL, "", true, &n), -ENOENT);
	KT_EQ(ramfs_read(bin, 0, buf, 1), -EISDIR);
	KT_EQ(uvm_memobj_count(), objs0 + 4);  /* one per regular file */
	ramfs_unmount(fs);
	KT_EQ(uvm_memobj_count(), objs0);
}

KTEST(ramfs, symlinks_followed_or_not)
{
	struct rnode *n;

	build_sample();
	KT_EQ(ramfs_mount(arc, arclen, &fs), 0);
	KT_EQ(fs->nentries, 7);
	KT_EQ(ramfs_lookup(fs, NULL, "/bin/shlink", true, &n), 0);
	KT_EQ(n->size, 5);                      /* the shell itself */
	KT_EQ(ramfs_lookup(fs, NULL, "/bin/shlink", false, &n), 0);
	KT_ASSERT(S_ISLNK(n->mode));
	KT_EQ(ramfs_lookup(fs, NULL, "/loop", true, &n), -ELOOP);
	ramfs_unmount(fs);
}

KTEST(ramfs, directories_list_in_name_order)
{
	struct rnode *tests, *root;
	char path[64];

	build_sample();
	KT_EQ(ramfs_mount(arc, arclen, &fs), 0);
	KT_EQ(fs->nentries, 7);
	root = fs->root;
	KT_EQ(root->nchildren, 4);
	KT_STREQ(ramfs_child(root, 0)->name, "bin");
	KT_STREQ(ramfs_child(root, 1)->name, "init");
	KT_STREQ(ramfs_child(root, 2)->name, "loop");
	KT_STREQ(ramfs_child(root, 3)->name, "tests");
	KT_ASSERT(ramfs_child(root, 4) == NULL);
	KT_EQ(ramfs_lookup(fs, NULL, "/tests", true, &tests), 0);
	KT_STREQ(ramfs_child(tests, 0)->name, "alpha");
	KT_STREQ(ramfs_child(tests, 1)->name, "fork");
	ramfs_path(ramfs_child(tests, 1), path, sizeof(path));
	KT_STREQ(path, "/tests/fork");
	ramfs_path(root, path, sizeof(path));
	KT_STREQ(path, "/");
	ktest_print("ramfs tree of the sample archive:\n");
	ramfs_print(fs, ktest_print);
	ramfs_unmount(fs);
}

/* The sample tree mounted on /mnt through the VFS, as "ramfs". */
static void
mount_sample(void)
{
	build_sample();
	KT_EQ(ramfs_mount(arc, arclen, &fs), 0);
	KT_EQ(ramfs_attach_source("sample", fs), 0);
	KT_EQ(vfs_mount("ramfs", "sample", "/mnt", MNT_RDONLY, NULL), 0);
}

static void
unmount_sample(void)
{
	KT_EQ(vfs_unmount("/mnt", 0), 0);
	ramfs_detach_source("sample");
	ramfs_unmount(fs);
}

KTEST(ramfs, vnodes_read_list_and_stat_the_tree)
{
	struct vnode *sh, *link, *root;
	struct vfs_dirent d;
	struct vattr va;
	char buf[16];
	struct uio uio = { (uint64_t)(uintptr_t)buf, sizeof(buf), 1, true };
	static const char *const names[] = { ".", "..", "bin", "init", "loop", "tests" };

	mount_sample();
	KT_EQ(namei(NULL, "/mnt/bin/shlink", NAMEI_FOLLOW, &sh, NULL), 0);
	KT_EQ(sh->v_type, VREG);
	KT_ASSERT(sh->v_obj != NULL && sh->v_obj->uo_refs == 1);  /* the node's */
	KT_ASSERT(sh->v_vflags & VV_KEEPPAGES);
	KT_EQ(sh->v_ops->vop_getattr(sh, &va), 0);
	KT_EQ(va.va_size, 5);
	KT_EQ(va.va_mode, 0755);
	KT_EQ(va.va_dev, sh->v_mount->mnt_dev);
	KT_EQ(sh->v_ops->vop_read(sh, &uio), 4);             /* from offset 1 */
	KT_ASSERT(memcmp(buf, "hell", 4) == 0);
	KT_EQ(uio.off, 5);
	KT_EQ(sh->v_ops->vop_read(sh, &uio), 0);             /* at the end */
	KT_EQ(namei(NULL, "/mnt/bin/shlink", 0, &link, NULL), 0);
	KT_EQ(link->v_ops->vop_readlink(link, buf, sizeof(buf)), 2);
	KT_ASSERT(memcmp(buf, "sh", 2) == 0);
	/* Read-only: nothing to create with, writes refused. */
	KT_ASSERT(sh->v_ops->vop_create == NULL && sh->v_ops->vop_setattr == NULL);
	KT_EQ(vfs_access(sh, VFS_W), -EROFS);
	KT_EQ(namei(NULL, "/mnt", 0, &root, NULL), 0);
	for (uint64_t c = 0, i = 0; ; c = d.next, i++) {
		int r = root->v_ops->vop_readdir(root, c, &d);
		if (r == 1) {
			KT_EQ(i, ARRAY_SIZE(names));
			break;
		}
		KT_EQ(r, 0);
		KT_STREQ(d.name, names[i]);
	}
	vrele(root);
	vrele(link);
	vrele(sh);
	unmount_sample();
}
