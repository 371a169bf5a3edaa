/*
 * tests/kern/vfs/vfs_cache_test.c - the name cache: a second lookup of a
 * name hits (and skips vop_lookup), purges forget names, and a reclaimed
 * vnode leaves no entry behind.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/vfs/vfs.h"
#include "tests/harness/vfstest.h"

KTEST(vfs_cache, second_lookup_hits)
{
	struct namecache_stats s0;
	struct vnode *vp, *a;

	vfstest_mount();
	a = vfstest_lookup("/mnt/a");
	KT_ASSERT(cache_lookup(a, "b", 1) == NULL);     /* not yet */
	vp = vfstest_lookup("/mnt/a/b");
	vrele(vp);
	s0 = namecache_stats;
	vp = vfstest_lookup("/mnt/a/b/c");
	/* "mnt" (root fs), "a", "b" were entered before; "c" is a miss. */
	KT_EQ(namecache_stats.nc_hits - s0.nc_hits, 3);
	KT_EQ(namecache_stats.nc_misses - s0.nc_misses, 1);
	vrele(vp);
	vp = cache_lookup(a, "b", 1);
	KT_ASSERT(vp != NULL && vp->v_refs == 1);       /* a hit is referenced */
	vrele(vp);
	KT_EQ(cache_check(ktest_print), 0);
	vrele(a);
	vfstest_unmount();
}

KTEST(vfs_cache, purges_forget_names)
{
	struct vnode *a, *b, *hit;
	uint64_t entries;

	vfstest_mount();
	a = vfstest_lookup("/mnt/a");
	b = vfstest_lookup("/mnt/a/b");
	hit = cache_lookup(a, "b", 1);
	KT_ASSERT(hit == b);
	vrele(hit);
	vrele(b);
	cache_purge_name(a, "b", 1);
	KT_ASSERT(cache_lookup(a, "b", 1) == NULL);
	vrele(vfstest_lookup("/mnt/a/b/c"));
	entries = namecache_stats.nc_entries;
	cache_purge(b);                 /* "a/b" and "b/c" both name b */
	KT_EQ(namecache_stats.nc_entries, entries - 2);
	KT_ASSERT(cache_lookup(b, "c", 1) == NULL);
	/* "." and ".." and long names are never entered. */
	cache_enter(a, "..", 2, a);
	KT_ASSERT(cache_lookup(a, "..", 2) == NULL);
	vrele(a);
	vfstest_unmount();
}

KTEST(vfs_cache, reclaim_purges_the_entries)
{
	struct vnode *a, *c;

	vfstest_mount();
	a = vfstest_lookup("/mnt/a");
	c = vfstest_lookup("/mnt/a/b/c");
	vrele(c);
	KT_EQ(vcache_flush(a->v_mount), 2);             /* the root, and a */
	KT_ASSERT(cache_lookup(a, "b", 1) == NULL);     /* b went: its name too */
	KT_EQ(cache_check(ktest_print), 0);
	vrele(a);
	vfstest_unmount();
}
