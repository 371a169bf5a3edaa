/*
 * tests/kern/proc/proc_test.c - running real user programs (static musl
 * binaries from the initrd) in user mode and getting their exit status:
 * the whole path exec -> user mode -> system calls -> exit, and the
 * address space torn down without a leak afterwards.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/proc/exec.h"
#include "kern/proc/lwp.h"
#include "kern/proc/proc.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"

KTEST(proc, hello_runs_and_exits_with_its_status)
{
	struct vm_baseline b;
	char *argv[] = { "hello", "from", "ktest", NULL };
	char *envp[] = { "TERM=dumb", NULL };
	int status = -1;
	uint64_t faults = uvmexp.faults;

	vm_baseline_take(&b);
	KT_EQ(proc_run("/bin/hello", argv, envp, &status), 0);
	KT_EQ(status, W_EXITCODE(2));           /* hello exits with its 2 arguments */
	KT_ASSERT(uvmexp.faults > faults);      /* its pages came by faults */
	vm_baseline_expect(&b);
}

KTEST(proc, missing_and_bad_programs_are_refused)
{
	char *argv[] = { "x", NULL };
	int status = -1;

	KT_EQ(proc_run("/bin/nope", argv, argv + 1, &status), -ENOENT);
	KT_EQ(proc_run("/etc/motd", argv, argv + 1, &status), -EACCES);
	KT_EQ(proc_run("/tests/data/not-elf", argv, argv + 1, &status), -ENOEXEC);
	KT_EQ(proc_run("/bin", argv, argv + 1, &status), -EACCES);
	KT_EQ(status, -1);
}

/*
 * A process and its descriptor table are a page each (kmem_alloc from the
 * direct map): a fork and its reaping map and unmap no arena pages, which
 * they did when the table sat inside struct proc (4.5 KiB).
 */
KTEST(proc, a_fork_and_its_reaping_take_no_arena_pages)
{
	char *argv[] = { "/tests/fork", "exit_codes_reach_the_parent", NULL };
	char *envp[] = { "UTEST_NESTED=1", NULL };
	uint64_t large = uvm_km_stats.kmem_large_made, reaped = lwp_stats.reaped;
	struct vm_baseline b;
	int status = -1;

	vm_baseline_take(&b);
	KT_EQ(proc_run("/tests/fork", argv, envp, &status), 0);
	KT_EQ(status, 0);
	KT_ASSERT(lwp_stats.reaped >= reaped + 6);  /* the program's 5 children and more */
	KT_EQ(uvm_km_stats.kmem_large_made, large);
	vm_baseline_expect(&b);
}

/* How many execves took the full argument buffer while /tests/exec ran
 * its test utest (which must pass). */
static uint64_t
full_argument_copies_in(const char *utest)
{
	char *argv[] = { "/tests/exec", (char *)utest, NULL };
	char *envp[] = { "UTEST_NESTED=1", NULL };
	uint64_t full = exec_stats.args_full;
	int status = -1;

	KT_EQ(proc_run("/tests/exec", argv, envp, &status), 0);
	KT_EQ(status, 0);
	return exec_stats.args_full - full;
}

/*
 * execve copies the path, argv and envp into a page first: a small exec
 * never takes the full-size buffer (kernel arena pages, mapped and
 * unmapped); one with more than a page of strings or of pointers takes
 * it once (strings filling the page to its last byte too), and so does
 * one whose string is too long even for it (E2BIG).
 */
KTEST(proc, execve_takes_the_full_argument_buffer_only_past_a_page)
{
	uint64_t copied = exec_stats.args_copied;
	struct vm_baseline b;

	vm_baseline_take(&b);
	KT_EQ(full_argument_copies_in("exec_passes_argv_and_envp_and_replaces_memory"), 0);
	KT_ASSERT(exec_stats.args_copied > copied);
	KT_EQ(full_argument_copies_in("arguments_and_environment_over_a_page_arrive_whole"), 1);
	KT_EQ(full_argument_copies_in("more_arguments_than_a_page_of_pointers_arrive_whole"), 1);
	KT_EQ(full_argument_copies_in("strings_ending_exactly_at_a_page_arrive_whole"), 1);
	KT_EQ(full_argument_copies_in("an_argument_of_128_kib_is_e2big"), 1);
	vm_baseline_expect(&b);
}
