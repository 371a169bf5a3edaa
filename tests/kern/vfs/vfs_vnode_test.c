/*
 * tests/kern/vfs/vfs_vnode_test.c - the vnode cache: one vnode per file,
 * hits counted, unreferenced vnodes kept on the free list and reclaimed
 * oldest first past vfs_maxvnodes, a second get of a file waiting for
 * the load in progress (and seeing its failure), and the accounting
 * checker.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"
#include "kern/core/sleep.h"
#include "kern/core/thread.h"
#include "tests/harness/threadtest.h"
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

/*
 * A file system whose loads wait until the test lets them finish, so a
 * second vcache_get of the same file arrives while the first is loading.
 * ino 1 is the root; ino 13 fails to load (-EIO).
 */
static volatile bool slow_started, slow_release;
static struct mount *slow_mp;
static struct vnode *slow_vp[2];
static int slow_error[2];

static int
slow_getattr(struct vnode *vp, struct vattr *va)
{
	memset(va, 0, sizeof(*va));
	va->va_type = vp->v_type;
	va->va_mode = 0755;
	va->va_ino = vp->v_ino;
	return 0;
}

static int
slow_lookup(struct vnode *dvp, const char *name, size_t len, struct vnode **vpp)
{
	(void)dvp;
	(void)name;
	(void)len;
	(void)vpp;
	return -ENOENT;
}

static const struct vnodeops slow_vnodeops = {
	.vop_lookup = slow_lookup,
	.vop_getattr = slow_getattr,
};

static int
slow_load(struct mount *mp, uint64_t ino, struct vnode *vp)
{
	(void)mp;
	if (ino != 1) {
		slow_started = true;
		while (!slow_release)
			yield();
	}
	if (ino == 13)
		return -EIO;
	vp->v_type = ino == 1 ? VDIR : VREG;
	vp->v_ops = &slow_vnodeops;
	return 0;
}

static int
slow_mount(struct mount *mp, const char *source, const char *opts)
{
	(void)source;
	(void)opts;
	slow_mp = mp;
	return 0;
}

static int
slow_unmount(struct mount *mp)
{
	(void)mp;
	return 0;
}

static int
slow_root(struct mount *mp, struct vnode **vpp)
{
	return vcache_get(mp, 1, slow_load, vpp);
}

static const struct vfsops slow_vfsops = {
	.vfs_name = "slowtest",
	.vfs_mount = slow_mount,
	.vfs_unmount = slow_unmount,
	.vfs_root = slow_root,
};

static uint64_t slow_ino;

/* The vnode of slowtest being loaded now, or NULL. */
static struct vnode *
slow_loading_vnode(void)
{
	struct vnode *vp;

	TAILQ_FOREACH(vp, &slow_mp->mnt_vnodes, v_mntlist)
		if (vp->v_loading)
			return vp;
	return NULL;
}

static void
slow_getter(void *arg)
{
	int i = (int)(uintptr_t)arg;

	slow_error[i] = vcache_get(slow_mp, slow_ino, slow_load, &slow_vp[i]);
}

static bool
slow_is_loading(void *arg)
{
	(void)arg;
	return slow_started;
}

/* Two threads get ino at once; the second arrives during the load. */
static void
slow_race(uint64_t ino)
{
	struct thread *t0, *t1;
	struct vnode *loading;
	bool started, waiting;

	slow_ino = ino;
	slow_started = slow_release = false;
	slow_vp[0] = slow_vp[1] = NULL;
	t0 = thread_create("vget0", slow_getter, (void *)0);
	KT_ASSERT(t0 != NULL);
	started = tt_wait(slow_is_loading, NULL, 100);
	loading = slow_loading_vnode();
	t1 = thread_create("vget1", slow_getter, (void *)1);
	waiting = t1 != NULL && loading != NULL &&
	    tt_wait_sleeping(t1, &loading->v_lock, 100);
	slow_release = true;
	KT_EQ(thread_join(t0), 0);
	if (t1 != NULL)
		KT_EQ(thread_join(t1), 0);
	KT_ASSERT(started && waiting);
}

static void
slow_cleanup(void *arg)
{
	(void)arg;
	slow_release = true;
	if (vfs_unmount("/mnt", 0) != 0)
		ktest_print("slowtest: /mnt still in use, left mounted\n");
}

KTEST(vfs_vnode, a_second_get_waits_for_the_load_in_progress)
{
	uint64_t loads, hits, nv;

	vfs_register(&slow_vfsops);
	KT_EQ(vfs_mount("slowtest", "slow", "/mnt", 0, NULL), 0);
	ktest_cleanup_push(slow_cleanup, (void *)&slow_vfsops);
	loads = vcache_stats.vs_loads;
	hits = vcache_stats.vs_hits;
	slow_race(7);
	KT_EQ(slow_error[0], 0);
	KT_EQ(slow_error[1], 0);
	KT_ASSERT(slow_vp[0] == slow_vp[1]);            /* one vnode */
	KT_EQ(slow_vp[0]->v_refs, 2);
	KT_EQ(vcache_stats.vs_loads - loads, 1);        /* loaded once */
	KT_EQ(vcache_stats.vs_hits - hits, 1);
	vrele(slow_vp[0]);
	vrele(slow_vp[1]);
	/* A failed load: both see the error, nothing stays cached. */
	nv = vcache_stats.vs_numvnodes;
	slow_race(13);
	KT_EQ(slow_error[0], -EIO);
	KT_EQ(slow_error[1], -EIO);
	KT_EQ(vcache_stats.vs_numvnodes, nv);
	KT_EQ(vcache_check(ktest_print), 0);
	ktest_cleanup_pop((void *)&slow_vfsops);
	KT_EQ(vfs_unmount("/mnt", 0), 0);
}

/*
 * Files whose inos differ only above bit 16 (procfs's: the pid sits at
 * bits 16-39, the thread id above 40) land on chains of their own.  A
 * hash of the ino modulo the table's size put every one of them in one
 * bucket, and each lookup walked all the others.  The chains are
 * counted before and after, so vnodes other mounts hold do not count.
 */
#define SPREAD_FILES 64
#define SPREAD_MAX_PER_CHAIN 4      /* a fair hash gives 3 at most here */

static uint64_t
spread_ino(int i)
{
	return i < SPREAD_FILES ? (uint64_t)(i + 1) << 16 :
	    (uint64_t)(i - SPREAD_FILES + 1) << 40;
}

static struct vnode *spread_vps[2 * SPREAD_FILES];

/* Let go of the vnodes the test holds (before the unmount's cleanup). */
static void
spread_release(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2 * SPREAD_FILES; i++) {
		if (spread_vps[i] != NULL)
			vrele(spread_vps[i]);
		spread_vps[i] = NULL;
	}
}

KTEST(vfs_vnode, inos_differing_only_in_high_bits_spread_over_the_hash)
{
	struct vnode **vps = spread_vps;
	static int before[2 * SPREAD_FILES];

	vfs_register(&slow_vfsops);
	KT_EQ(vfs_mount("slowtest", "slow", "/mnt", 0, NULL), 0);
	ktest_cleanup_push(slow_cleanup, (void *)&slow_vfsops);
	ktest_cleanup_push(spread_release, NULL);
	slow_release = true;                    /* slow_load: no waiting */
	for (int i = 0; i < 2 * SPREAD_FILES; i++)
		before[i] = vcache_chain_len(slow_mp, spread_ino(i));
	for (int i = 0; i < 2 * SPREAD_FILES; i++)
		KT_EQ(vcache_get(slow_mp, spread_ino(i), slow_load, &vps[i]), 0);
	for (int i = 0; i < 2 * SPREAD_FILES; i++) {
		int ours = vcache_chain_len(slow_mp, spread_ino(i)) - before[i];
		KT_ASSERT(ours >= 1 && ours <= SPREAD_MAX_PER_CHAIN);
	}
	KT_EQ(vcache_check(ktest_print), 0);
	ktest_cleanup_pop(NULL);
	spread_release(NULL);
	ktest_cleanup_pop((void *)&slow_vfsops);
	KT_EQ(vfs_unmount("/mnt", 0), 0);
}
