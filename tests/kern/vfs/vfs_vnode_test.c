/*
 * tests/kern/vfs/vfs_vnode_test.c - the vnode cache: one vnode per file,
 * hits counted, unreferenced vnodes kept on the free list and reclaimed
 * oldest first past vfs_maxvnodes, and the accounting checker.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"
#include "tests/harness/vfstest.h"

KTEST(vfs_vnode, released_vnodes_stay_cached_and_are_found_again)
{
	struct vnode *vp, *again;
	uint64_t hits, loads;

	vfstest_mount();
	vp = vfstest_lookup("/mnt/file");
	vrele(vp);
	KT_EQ(vp->v_refs, 0);
	KT_ASSERT(TAILQ_ON_QUEUE(vp, v_free));
	hits = vcache_stats.vs_hits;
	loads = vcache_stats.vs_loads;
	cache_purgeall();               /* so the lookup asks the file system */
	again = vfstest_lookup("/mnt/file");
	KT_ASSERT(again == vp);
	KT_ASSERT(!TAILQ_ON_QUEUE(vp, v_free));
	KT_EQ(vcache_stats.vs_loads, loads);
	KT_ASSERT(vcache_stats.vs_hits > hits);
	vref(again);
	KT_EQ(again->v_refs, 2);
	vrele(again);
	vrele(again);
	KT_EQ(vcache_check(ktest_print), 0);
	vfstest_unmount();
}

KTEST(vfs_vnode, lru_reclaims_the_oldest_past_the_limit)
{
	int saved = vfs_maxvnodes;
	uint64_t reclaims, nv;
	struct vnode *d1;
	char path[16];

	vfstest_mount();
	vfs_flush_caches();
	vfs_maxvnodes = (int)vcache_stats.vs_nfree + 3;
	reclaims = vcache_stats.vs_reclaims;
	nv = vcache_stats.vs_numvnodes;
	for (int i = 1; i <= 8; i++) {
		ksnprintf(path, sizeof(path), "/mnt/d%d", i);
		vrele(vfstest_lookup(path));
	}
	/* 8 released, room for 3: the 5 oldest (d1..d5) went. */
	KT_EQ(vcache_stats.vs_reclaims - reclaims, 5);
	KT_EQ(vcache_stats.vs_numvnodes, nv + 3);
	KT_EQ(vcache_stats.vs_nfree, (uint64_t)vfs_maxvnodes);
	reclaims = vcache_stats.vs_reclaims;
	d1 = vfstest_lookup("/mnt/d1");                 /* loaded anew */
	KT_EQ(d1->v_refs, 1);
	KT_EQ(vcache_check(ktest_print), 0);
	vrele(d1);
	KT_EQ(vcache_stats.vs_reclaims - reclaims, 1);  /* d6, the oldest now */
	vfs_maxvnodes = saved;
	vfstest_unmount();
}

KTEST(vfs_vnode, check_finds_broken_accounting)
{
	struct vnode *vp;

	vfstest_mount();
	vp = vfstest_lookup("/mnt/file");
	KT_EQ(vnode_check(vp, ktest_print), 0);
	vcache_stats.vs_nfree++;                        /* break it */
	KT_ASSERT(vcache_check(ktest_print) > 0);
	vcache_stats.vs_nfree--;
	KT_EQ(vcache_check(ktest_print), 0);
	vnode_print(vp, ktest_print);
	vrele(vp);
	vfstest_unmount();
}
