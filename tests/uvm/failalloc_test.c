/*
 * tests/uvm/failalloc_test.c - allocation-failure injection
 * (uvm/uvm_failalloc.h): the injector itself, and the user test programs
 * run while page, pool and kmem allocations fail at random.
 *
 * failalloc/user_programs_survive_allocation_failures is a boot of its
 * own (make test's failalloc boot, `failalloc=RATE:SEED`): for each
 * program it takes a leak baseline, turns injection on, runs the program
 * - whose own tests may fail, that is expected, but which must finish -
 * turns injection off and expects every page, anon, amap, swap slot and
 * byte of kmem back.  A panic, a hang or a leak is the bug it looks for.
 *
 *   ok - failalloc/user_programs_survive...
 *     failalloc: fork       rate 50/1000 seed 8: exit 1, 143 failures injected
 *
 * Reproduce one program: make test FAILTEST=only FAILALLOC=50:1
 * FAILPROG=fork (its seed is the boot's seed plus its index in the list
 * below, printed on its line), or run it alone with the same rolls:
 * make run PROG=build/user/tests/fork CMDLINE=failalloc=50:6.
 */
#include "kern/core/cmdline.h"
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/glob.h"
#include "kern/proc/proc.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_failalloc.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"

KOPT(failprog, "failprog", "failalloc/ test: only the user programs matching these globs");

#define FAILALLOC_DEFAULT_RATE 10

/* The programs tests/kern/sys/user_test.c runs. */
static const char *const failalloc_progs[] = {
	"brk", "cow", "errors", "exec", "filemap", "fork", "garbage", "inherit",
	"madvise", "many_maps", "mlock", "mmap_fixed", "mprotect", "mremap",
	"munmap", "pipes", "segv", "signals", "shared",
};

/* Run /tests/prog under injection; returns the failures injected. */
static uint64_t
failalloc_run_one(const char *prog, unsigned rate, uint64_t seed)
{
	char path[64];
	char *argv[] = { path, NULL };
	char *envp[] = { "PATH=/bin", "UTEST_NESTED=1", NULL };
	struct vm_baseline b;
	uint64_t before;
	int status = -1, error;

	ksnprintf(path, sizeof(path), "/tests/%s", prog);
	vm_baseline_take(&b);
	before = uvm_failalloc_injected();
	/* Random failures hit the program's own threads, not this one's
	 * load (failalloc/every_allocation_of_a_load_may_fail does that). */
	uvm_failalloc_set(rate, seed);
	error = proc_run(path, argv, envp, &status);
	uvm_failalloc_set(0, 0);
	kprintf("  failalloc: %-10s rate %u/1000 seed %lu: %s %d, %lu failures injected\n",
	    prog, rate, seed, error != 0 ? "proc_run error" : "wait status",
	    error != 0 ? error : status, uvm_failalloc_injected() - before);
	KT_EQ(error, 0);
	vm_baseline_expect(&b);
	return uvm_failalloc_injected() - before;
}

KTEST_OWN_BOOT(failalloc, user_programs_survive_allocation_failures)
{
	uint64_t seed = 1, injected = 0;
	unsigned rate = uvm_failalloc_boot_rate(&seed);
	const char *only = kopt_get("failprog");
	int ran = 0;

	if (rate == 0)
		rate = FAILALLOC_DEFAULT_RATE;
	for (size_t i = 0; i < ARRAY_SIZE(failalloc_progs); i++) {
		if (only != NULL && !glob_match_list(only, failalloc_progs[i]))
			continue;
		injected += failalloc_run_one(failalloc_progs[i], rate, seed + i);
		ran++;
	}
	uvm_failalloc_print(ktest_print);
	KT_ASSERT(ran > 0);
	/* A run that injected nothing proved nothing. */
	KT_ASSERT(injected > 0);
}

/* ------------------------------------------------------------------ */
/* The injector                                                        */

KTEST(failalloc, armed_fails_exactly_the_chosen_allocations)
{
	struct vm_page *pg;
	void *p;

	uvm_failalloc_arm(UVM_FAILALLOC_PAGE, 1, 2);
	KT_ASSERT((pg = vm_page_alloc(NULL, 0, NULL, 0)) != NULL);     /* skipped */
	vm_page_free(pg);
	KT_ASSERT(vm_page_alloc(NULL, 0, NULL, 0) == NULL);            /* failed */
	p = kmem_alloc(64, 0);          /* another kind: not counted, not failed */
	KT_ASSERT(p != NULL);
	kmem_free(p, 64);
	KT_ASSERT(vm_page_alloc(NULL, 0, NULL, 0) == NULL);            /* failed */
	KT_ASSERT(!uvm_failalloc_on());                                /* done */
	KT_ASSERT((pg = vm_page_alloc(NULL, 0, NULL, 0)) != NULL);
	vm_page_free(pg);
}

KTEST(failalloc, nofail_flags_are_left_alone)
{
	static struct pool pp;      /* static: a failed test leaves it listed */
	struct vm_page *pg;
	void *obj;

	pool_init(&pp, 64, 0, "failalloc-nofail");
	uvm_failalloc_arm(UVM_FAILALLOC_ALL, 0, UINT64_MAX);
	KT_ASSERT(vm_page_alloc(NULL, 0, NULL, 0) == NULL);
	KT_ASSERT(pool_get(&pp, 0) == NULL);
	KT_ASSERT(kmem_alloc(16, 0) == NULL);
	KT_ASSERT((pg = vm_page_alloc(NULL, 0, NULL, VM_PAGE_NOFAIL)) != NULL);
	KT_ASSERT((obj = pool_get(&pp, PR_NOFAIL)) != NULL);
	uvm_failalloc_set(0, 0);
	pool_put(&pp, obj);
	pool_destroy(&pp);
	vm_page_free(pg);
}

KTEST(failalloc, runs_are_cut_at_the_failed_page)
{
	struct vm_page *pgs[4];
	struct vm_anon *anons[4] = { NULL };
	static struct pool pp;      /* static: a failed test leaves it listed */
	void *objs[4];
	int got;

	/* No anons: kernel pages through the batch entry point. */
	uvm_failalloc_arm(UVM_FAILALLOC_PAGE, 2, 1);
	got = vm_page_alloc_anons(pgs, anons, 4, 0);
	uvm_failalloc_set(0, 0);
	KT_EQ(got, 2);
	for (int i = 0; i < got; i++)
		vm_page_free(pgs[i]);
	pool_init(&pp, 64, 0, "failalloc-cut");
	uvm_failalloc_arm(UVM_FAILALLOC_POOL, 3, 1);
	got = pool_get_many(&pp, objs, 4, 0);
	uvm_failalloc_set(0, 0);
	KT_EQ(got, 3);
	KT_EQ(pp.pr_nfail, 1);
	for (int i = 0; i < got; i++)
		pool_put(&pp, objs[i]);
	pool_destroy(&pp);
}

KTEST(failalloc, option_syntax)
{
	unsigned rate = 7;
	uint64_t seed = 7;

	KT_EQ(uvm_failalloc_parse("50:9", 1, &rate, &seed), 0);
	KT_EQ(rate, 50);
	KT_EQ(seed, 9);
	KT_EQ(uvm_failalloc_parse("1000", 3, &rate, &seed), 0);
	KT_EQ(rate, 1000);
	KT_EQ(seed, 3);
	KT_EQ(uvm_failalloc_parse("1001", 1, &rate, &seed), -EINVAL);
	KT_EQ(uvm_failalloc_parse("50:", 1, &rate, &seed), -EINVAL);
	KT_EQ(uvm_failalloc_parse("50x", 1, &rate, &seed), -EINVAL);
	KT_EQ(uvm_failalloc_parse("", 1, &rate, &seed), -EINVAL);
	KT_EQ(uvm_failalloc_parse(NULL, 1, &rate, &seed), -EINVAL);
	KT_EQ(rate, 1000);      /* untouched by the failures */
}

/*
 * Start and run path with allocation number k failing (count 1),
 * or k and every one after it (count ~0: the exit and the kills that
 * follow must need no memory), for k = 0, 1, ... until a run goes by
 * with the failure never reached.  Each run must end (ENOMEM, or the
 * program's status) and leave nothing behind.  Returns how many k.
 */
static uint64_t
failalloc_sweep(const char *path, uint64_t count)
{
	char *argv[] = { (char *)path, NULL };
	char *envp[] = { NULL };
	struct vm_baseline b;
	uint64_t k;
	int status, error;

	for (k = 0; k < 2000; k++) {
		uint64_t before = uvm_failalloc_injected();
		vm_baseline_take(&b);
		uvm_failalloc_arm(UVM_FAILALLOC_ALL, k, count);
		error = proc_run(argv[0], argv, envp, &status);
		uvm_failalloc_set(0, 0);
		bool reached = uvm_failalloc_injected() > before;
		KT_ASSERT(error == 0 || error == -ENOMEM);
		vm_baseline_expect(&b);
		if (!reached)
			break;
	}
	return k;
}

/* The load in proc_run (process, address space, ELF segments, stack,
 * arguments, descriptors, thread), the program's faults and calls, its exit. */
KTEST(failalloc, every_allocation_of_a_load_may_fail)
{
	uint64_t k = failalloc_sweep("/bin/hello", 1);

	ktest_print("  failalloc: %lu allocations failed in turn\n", k);
	KT_ASSERT(k > 20 && k < 2000);
}

KTEST(failalloc, every_allocation_after_any_point_may_fail)
{
	uint64_t k = failalloc_sweep("/bin/hello", UINT64_MAX);

	ktest_print("  failalloc: %lu starting points\n", k);
	KT_ASSERT(k > 20 && k < 2000);
}
