/*
 * tests/kern/vfs/vfs_lookup_test.c - namei on the /mnt tree of
 * tests/harness/vfstest.h: "." and ".." across mount points both ways,
 * symlinks (followed in the middle, at the end only when asked, the limit
 * of 40), trailing slashes, NAMEI_PARENT, the length limits, and the
 * references a lookup leaves (exactly one, on the result).
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"
#include "tests/harness/vfstest.h"
#include "uvm/uvm_km.h"

KTEST(vfs_lookup, dotdot_crosses_mount_points_both_ways)
{
	struct vnode *root = vfs_rootvp(), *mnt, *covered, *vp;
	int covered_refs;

	vfstest_mount();
	mnt = vfstest_lookup("/mnt");
	covered = mnt->v_mount->mnt_covered;
	KT_ASSERT(mnt == mnt->v_mount->mnt_root);       /* crossed down */
	KT_ASSERT(covered != NULL && covered->v_mountedhere == mnt->v_mount);
	KT_ASSERT(covered->v_mount == root->v_mount);
	covered_refs = covered->v_refs;
	vp = vfstest_lookup("/mnt/..");                 /* crossed up */
	KT_ASSERT(vp == root);
	vrele(vp);
	vp = vfstest_lookup("/mnt/a/b/../../..");
	KT_ASSERT(vp == root);
	vrele(vp);
	KT_EQ(namei(mnt, "..", 0, &vp, NULL), 0);       /* relative, from the root */
	KT_ASSERT(vp == root);
	vrele(vp);
	vp = vfstest_lookup("/../../mnt/./a/../a/b/c");
	KT_EQ(vp->v_type, VREG);
	vrele(vp);
	KT_EQ(covered->v_refs, covered_refs);           /* nothing left behind */
	vrele(mnt);
	vrele(root);
	vfstest_unmount();
}

KTEST(vfs_lookup, a_lookup_leaves_one_reference_on_the_result)
{
	struct vnode *a, *c, *c2;

	vfstest_mount();
	a = vfstest_lookup("/mnt/a");
	KT_EQ(a->v_refs, 1);
	c = vfstest_lookup("/mnt/a/b/c");
	KT_EQ(c->v_refs, 1);
	KT_EQ(a->v_refs, 1);                            /* the walk gave its own back */
	KT_EQ(namei(a, "b/c", 0, &c2, NULL), 0);
	KT_ASSERT(c2 == c);                             /* one vnode per file */
	KT_EQ(c->v_refs, 2);
	vrele(c2);
	vrele(c);
	KT_EQ(c->v_refs, 0);                            /* cached, unreferenced */
	vrele(a);
	vfstest_unmount();
}

KTEST(vfs_lookup, symlinks_in_the_middle_and_at_the_end)
{
	struct vnode *vp, *b;

	vfstest_mount();
	b = vfstest_lookup("/mnt/a/b");
	KT_EQ(namei(NULL, "/mnt/a/lnk", 0, &vp, NULL), 0);   /* not followed */
	KT_EQ(vp->v_type, VLNK);
	vrele(vp);
	KT_EQ(namei(NULL, "/mnt/a/lnk", NAMEI_FOLLOW, &vp, NULL), 0);
	KT_ASSERT(vp == b);
	vrele(vp);
	KT_EQ(namei(NULL, "/mnt/a/lnk/c", 0, &vp, NULL), 0); /* middle: always */
	KT_EQ(vp->v_type, VREG);
	vrele(vp);
	KT_EQ(namei(NULL, "/mnt/a/abs/c", 0, &vp, NULL), 0); /* absolute target */
	KT_EQ(vp->v_type, VREG);
	vrele(vp);
	KT_EQ(namei(NULL, "/mnt/a/up/up/up/lnk", NAMEI_FOLLOW, &vp, NULL), 0);
	KT_ASSERT(vp == b);
	vrele(vp);
	vrele(b);
	vfstest_unmount();
}

KTEST(vfs_lookup, eloop_after_forty_links)
{
	struct vnode *vp, *a = NULL;

	vfstest_mount();
	a = vfstest_lookup("/mnt/a");
	/* chain1 -> ... -> chain40 -> a: 40 links, Linux's limit, allowed. */
	KT_EQ(namei(NULL, "/mnt/chain1", NAMEI_FOLLOW, &vp, NULL), 0);
	KT_ASSERT(vp == a);
	vrele(vp);
	KT_EQ(namei(NULL, "/mnt/chain0", NAMEI_FOLLOW, &vp, NULL), -ELOOP);
	KT_EQ(namei(NULL, "/mnt/chain0/b", 0, &vp, NULL), -ELOOP);
	KT_EQ(namei(NULL, "/mnt/loop", NAMEI_FOLLOW, &vp, NULL), -ELOOP);
	KT_EQ(namei(NULL, "/mnt/loop", 0, &vp, NULL), 0);
	KT_EQ(vp->v_type, VLNK);
	vrele(vp);
	KT_EQ(a->v_refs, 1);                            /* failures hold nothing */
	vrele(a);
	vfstest_unmount();
}

KTEST(vfs_lookup, trailing_slash_wants_a_directory)
{
	struct vnode *vp, *b;

	vfstest_mount();
	b = vfstest_lookup("/mnt/a/b");
	KT_EQ(namei(NULL, "/mnt/file/", NAMEI_FOLLOW, &vp, NULL), -ENOTDIR);
	KT_EQ(namei(NULL, "/mnt/file/x", 0, &vp, NULL), -ENOTDIR);
	KT_EQ(namei(NULL, "/mnt/a//", 0, &vp, NULL), 0);
	KT_EQ(vp->v_type, VDIR);
	vrele(vp);
	/* A slash after a symlink follows it even without NAMEI_FOLLOW. */
	KT_EQ(namei(NULL, "/mnt/a/lnk/", 0, &vp, NULL), 0);
	KT_ASSERT(vp == b);
	vrele(vp);
	KT_EQ(namei(NULL, "/mnt/loop/", 0, &vp, NULL), -ELOOP);
	vrele(b);
	vfstest_unmount();
}

KTEST(vfs_lookup, names_and_paths_too_long)
{
	char *path = kmem_alloc(VFS_PATH_MAX + 1, 0);
	struct vnode *vp;

	KT_ASSERT(path != NULL);
	vfstest_mount();
	strlcpy(path, "/mnt/", VFS_PATH_MAX);
	memset(path + 5, 'x', 256);
	path[5 + 256] = '\0';
	KT_EQ(namei(NULL, path, 0, &vp, NULL), -ENAMETOOLONG);
	path[5 + 255] = '\0';                           /* 255: just absent */
	KT_EQ(namei(NULL, path, 0, &vp, NULL), -ENOENT);
	/* "/mnt/a/./././..." of 4095 bytes resolves; 4096 bytes does not. */
	strlcpy(path, "/mnt/a", VFS_PATH_MAX + 1);
	for (size_t i = 6; i < VFS_PATH_MAX - 1; i += 2)
		memcpy(path + i, "/.", 2);
	path[VFS_PATH_MAX - 1] = '\0';
	if (path[VFS_PATH_MAX - 2] == '/')
		path[VFS_PATH_MAX - 2] = '.';
	KT_EQ(strlen(path), VFS_PATH_MAX - 1);
	KT_EQ(namei(NULL, path, 0, &vp, NULL), 0);
	vrele(vp);
	path[VFS_PATH_MAX - 1] = '.';
	path[VFS_PATH_MAX] = '\0';
	KT_EQ(namei(NULL, path, 0, &vp, NULL), -ENAMETOOLONG);
	KT_EQ(namei(NULL, "", 0, &vp, NULL), -ENOENT);
	kmem_free(path, VFS_PATH_MAX + 1);
	vfstest_unmount();
}

KTEST(vfs_lookup, namei_parent_stops_before_the_last_name)
{
	char last[VFS_NAME_MAX + 1];
	struct vnode *dvp, *a;
	bool slash;

	vfstest_mount();
	a = vfstest_lookup("/mnt/a");
	KT_EQ(namei(NULL, "/mnt/a/newname", NAMEI_PARENT, &dvp, last), 0);
	KT_ASSERT(dvp == a);
	KT_STREQ(last, "newname");
	KT_EQ(a->v_refs, 2);
	vrele(dvp);
	KT_EQ(namei_parent(NULL, "/mnt/a/lnk/", &dvp, last, &slash), 0);
	KT_ASSERT(dvp == a && slash);                   /* the link is not read */
	KT_STREQ(last, "lnk");
	vrele(dvp);
	KT_EQ(namei_parent(NULL, "/", &dvp, last, &slash), 0);
	KT_STREQ(last, "");
	vrele(dvp);
	KT_EQ(namei(NULL, "/mnt/file/x", NAMEI_PARENT, &dvp, last), -ENOTDIR);
	KT_EQ(namei(NULL, "/mnt/nope/x", NAMEI_PARENT, &dvp, last), -ENOENT);
	vrele(a);
	vfstest_unmount();
}

KTEST(vfs_lookup, exec_permission_is_an_x_bit)
{
	struct vnode *file, *exe, *dir;

	vfstest_mount();
	file = vfstest_lookup("/mnt/file");
	exe = vfstest_lookup("/mnt/exe");
	dir = vfstest_lookup("/mnt/a");
	KT_EQ(vfs_access(file, VFS_X), -EACCES);        /* 0644: even root */
	KT_EQ(vfs_access(file, VFS_R), 0);
	KT_EQ(vfs_access(exe, VFS_X), 0);
	KT_EQ(vfs_access(dir, VFS_X), 0);
	KT_EQ(vfs_access(file, VFS_W), -EROFS);         /* a read-only mount */
	vrele(file);
	vrele(exe);
	vrele(dir);
	vfstest_unmount();
}
