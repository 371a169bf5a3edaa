/*
 * tests/kern/proc/proc_test.c - running real user programs (static musl
 * binaries from the initrd) in user mode and getting their exit status:
 * the whole path exec -> user mode -> system calls -> exit, and the
 * address space torn down without a leak afterwards.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/proc/proc.h"
#include "tests/harness/vmtest.h"
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
