/*
 * tests/harness/vfstest.c - the /mnt tree of the VFS suites (vfstest.h):
 * a cpio archive written here, read by ramfs_mount, served by a "ramfs"
 * mount named "vfstest".
 */
#include "tests/harness/vfstest.h"
#include "tests/harness/cpiotest.h"
#include "kern/core/ktest.h"
#include "kern/fs/ramfs.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"

static uint8_t vt_arc[16384];
static size_t vt_len;
static struct ramfs *vt_fs;

/* Append one newc member to the archive. */
static void
vt_add(const char *name, uint32_t mode, const char *data)
{
	struct cpiotest_buf a = { vt_arc, sizeof(vt_arc), vt_len };

	cpiotest_add(&a, name, mode, data, strlen(data));
	vt_len = a.len;
}

static void
vt_build(void)
{
	char name[32], target[32];

	memset(vt_arc, 0, sizeof(vt_arc));
	vt_len = 0;
	vt_add("file", S_IFREG | 0644, "hello");
	vt_add("exe", S_IFREG | 0755, "\177ELF");
	vt_add("a/b/c", S_IFREG | 0644, "deep");
	vt_add("a/lnk", S_IFLNK | 0777, "b");
	vt_add("a/abs", S_IFLNK | 0777, "/mnt/a/b");
	vt_add("a/up", S_IFLNK | 0777, "../a");
	vt_add("loop", S_IFLNK | 0777, "loop");
	for (int i = 1; i <= 8; i++) {
		ksnprintf(name, sizeof(name), "d%d", i);
		vt_add(name, S_IFDIR | 0755, "");
	}
	for (int i = 0; i <= 40; i++) {
		ksnprintf(name, sizeof(name), "chain%d", i);
		if (i < 40)
			ksnprintf(target, sizeof(target), "chain%d", i + 1);
		else
			strlcpy(target, "a", sizeof(target));
		vt_add(name, S_IFLNK | 0777, target);
	}
	vt_add("TRAILER!!!", 0, "");
}

/* Undo vfstest_mount as far as it got (a failed test's cleanup too). */
static int
vt_teardown(void)
{
	int error = 0;
	struct vnode *vp;

	if (namei(NULL, "/mnt", 0, &vp, NULL) == 0) {
		bool mounted = vp->v_mount->mnt_covered != NULL &&
		    vp == vp->v_mount->mnt_root;
		vrele(vp);
		if (mounted)
			error = vfs_unmount("/mnt", 0);
	}
	if (error != 0)
		return error;           /* still in use: leave the tree */
	ramfs_detach_source("vfstest");
	if (vt_fs != NULL)
		ramfs_unmount(vt_fs);
	vt_fs = NULL;
	return 0;
}

static void
vt_cleanup(void *arg)
{
	(void)arg;
	if (vt_teardown() != 0)
		ktest_print("vfstest: /mnt still in use, left mounted\n");
}

void
vfstest_mount(void)
{
	vt_build();
	ktest_cleanup_push(vt_cleanup, vt_arc);
	KT_EQ(ramfs_mount(vt_arc, vt_len, &vt_fs), 0);
	KT_EQ(ramfs_attach_source("vfstest", vt_fs), 0);
	KT_EQ(vfs_mount("ramfs", "vfstest", "/mnt", MNT_RDONLY, NULL), 0);
}

void
vfstest_unmount(void)
{
	ktest_cleanup_pop(vt_arc);
	KT_EQ(vt_teardown(), 0);
}

struct vnode *
vfstest_lookup(const char *path)
{
	struct vnode *vp = NULL;

	KT_EQ(namei(NULL, path, NAMEI_FOLLOW, &vp, NULL), 0);
	return vp;
}
