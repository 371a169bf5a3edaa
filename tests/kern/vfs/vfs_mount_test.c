/*
 * tests/kern/vfs/vfs_mount_test.c - the mount table: mounting on /mnt,
 * the covered vnode's reference, refusals (unknown type, not a
 * directory, already mounted, in use), distinct device numbers and
 * /proc/mounts's text.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"
#include "tests/harness/vfstest.h"
#include "uvm/uvm_km.h"

/* Does text contain line as a whole line? */
static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; *p != '\0';) {
		if (strncmp(p, line, n) == 0 && p[n] == '\n')
			return true;
		while (*p != '\0' && *p++ != '\n')
			;
	}
	return false;
}

KTEST(vfs_mount, mount_holds_the_covered_directory)
{
	struct vnode *covered, *mnt, *root = vfs_rootvp();
	int refs;

	KT_EQ(namei(NULL, "/mnt", 0, &covered, NULL), 0);
	refs = covered->v_refs;
	vfstest_mount();
	KT_EQ(covered->v_refs, refs + 1);
	mnt = vfstest_lookup("/mnt");
	KT_ASSERT(mnt != covered && mnt->v_mount->mnt_covered == covered);
	KT_ASSERT(mnt->v_mount->mnt_dev != root->v_mount->mnt_dev);
	KT_EQ(vfs_check_all(ktest_print), 0);
	vrele(mnt);
	vfstest_unmount();
	KT_EQ(covered->v_refs, refs);
	KT_ASSERT(covered->v_mountedhere == NULL);
	vrele(covered);
	vrele(root);
}

KTEST(vfs_mount, refusals)
{
	struct vnode *vp;

	KT_EQ(vfs_mount("nosuchfs", "x", "/mnt", 0, NULL), -ENODEV);
	KT_EQ(vfs_mount("ramfs", "initrd", "/nope", 0, NULL), -ENOENT);
	KT_EQ(vfs_mount("ramfs", "nosuchsource", "/mnt", 0, NULL), -ENOENT);
	KT_EQ(vfs_mount("ramfs", "initrd", NULL, 0, NULL), -EBUSY);
	vfstest_mount();
	KT_EQ(vfs_mount("ramfs", "initrd", "/mnt/file", 0, NULL), -ENOTDIR);
	KT_EQ(vfs_mount("ramfs", "initrd", "/mnt", 0, NULL), -EBUSY);
	vp = vfstest_lookup("/mnt/a/b/c");
	KT_EQ(vfs_unmount("/mnt", 0), -EBUSY);          /* c is in use */
	vrele(vp);
	vp = vfstest_lookup("/mnt");
	KT_EQ(vfs_unmount("/mnt", 0), -EBUSY);          /* so is its root */
	vrele(vp);
	KT_EQ(vfs_unmount("/mnt/a", 0), -EINVAL);       /* not a mount point */
	KT_EQ(vfs_unmount("/", 0), -EBUSY);
	vfstest_unmount();
	KT_EQ(vfs_unmount("/mnt", 0), -EINVAL);
}

KTEST(vfs_mount, proc_mounts_lists_each_mount)
{
	size_t len;
	char *text;

	vfstest_mount();
	KT_EQ(vfs_mounts_text(&text, &len), 0);
	KT_EQ(strlen(text), len);
	ktest_print("%s", text);
	KT_ASSERT(has_line(text, "initrd / ramfs ro 0 0"));
	KT_ASSERT(has_line(text, "vfstest /mnt ramfs ro 0 0"));
	KT_ASSERT(has_line(text, "devfs /dev devfs rw 0 0"));
	kmem_free(text, len + 1);
	vfs_print_mounts(ktest_print);
	vfstest_unmount();
	KT_EQ(vfs_mounts_text(&text, &len), 0);
	KT_ASSERT(!has_line(text, "vfstest /mnt ramfs ro 0 0"));
	kmem_free(text, len + 1);
}

KTEST(vfs_mount, sync_all_walks_every_vnode)
{
	vfstest_mount();
	vrele(vfstest_lookup("/mnt/a/b/c"));
	KT_EQ(vfs_sync_all(), 0);
	KT_EQ(vfs_check_all(ktest_print), 0);
	vfstest_unmount();
}
