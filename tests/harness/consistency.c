/*
 * tests/harness/consistency.c - the whole-system checks ktest runs after
 * every suite (reported as suite/@consistency).  Each checker prints
 * what is wrong and returns how many problems it found.
 */
#include "kern/core/ktest.h"
#include "tests/harness/vmtest.h"
#include "kern/core/sched.h"
#include "kern/core/thread.h"
#include "pmap/pmap.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"
#include "uvm/uvm_swap.h"
#include "kern/vfs/vfs.h"
#include "uvm/uvm_vnode.h"

KCHECK(vm_page, vm_page_check);
KCHECK(pmap, pmap_check_all);
KCHECK(pool, pool_check_all);
KCHECK(uvm_km, uvm_km_check);
KCHECK(amap, amap_check_all);
KCHECK(swap, uvm_swap_check);
KCHECK(aobj, uao_check_all);
KCHECK(sched, sched_check);
KCHECK(vfs, vfs_check_all);
KCHECK(uvn, uvn_check_all);

/*
 * The leak check: what a suite allocates it must give back.  A snapshot
 * of the live-object counts (struct vm_baseline, tests/harness/vmtest.h) is
 * taken before each suite and compared after it.  Pages are counted by
 * vmtest_pages_in_use, "neither free, nor held by a pool, nor a page
 * table", so a pool keeping an empty page cached, or the kernel arena
 * keeping a page table for a long-lived mapping, is not a leak.  Unlike
 * vm_baseline_expect this reports every counter that moved, through pr.
 * Threads count too: a suite must join every thread it started.
 */
static struct vm_baseline leak_start;
static int threads_start;

static void
leak_begin(void)
{
	vm_baseline_take(&leak_start);
	threads_start = thread_count();
}

static int
leak_compare(const char *what, uint64_t before, uint64_t after, kprint_fn pr)
{
	if (before == after)
		return 0;
	pr("leak check: %s %lu before the suite, %lu after\n", what, before, after);
	return 1;
}

static int
leak_check(kprint_fn pr)
{
	struct vm_baseline now;
	int bad = 0;

	vm_baseline_take(&now);
	bad += leak_compare("pages in use", leak_start.pages, now.pages, pr);
	bad += leak_compare("map entries", leak_start.entries, now.entries, pr);
	bad += leak_compare("amaps", leak_start.amaps, now.amaps, pr);
	bad += leak_compare("anons", leak_start.anons, now.anons, pr);
	bad += leak_compare("aobjs", leak_start.aobjs, now.aobjs, pr);
	bad += leak_compare("swap slots", leak_start.swapslots, now.swapslots, pr);
	bad += leak_compare("kmem bytes", leak_start.kmem_bytes, now.kmem_bytes, pr);
	bad += leak_compare("memory objects", leak_start.memobjs, now.memobjs, pr);
	bad += leak_compare("threads", (uint64_t)threads_start,
	    (uint64_t)thread_count(), pr);
	return bad;
}

KCHECK_SUITE(leaks, leak_begin, leak_check);
