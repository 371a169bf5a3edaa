/*
 * tests/kern/sys/user_test.c - the user test programs (tests/user, static
 * musl binaries that also pass on Linux) run by the kernel test suite, so
 * `make test` proves the system-call layer end to end on this kernel.
 *
 * Each program runs all its tests and exits 0 only if every one passed;
 * its own TAP lines appear, indented, above the ok line.
 */
#include "kern/core/ktest.h"
#include "kern/proc/proc.h"
#include "tests/harness/vmtest.h"

/* Run /tests/prog, all its tests; it must exit 0, leaking nothing. */
static void
run_user_tests(const char *prog)
{
	char path[64];
	char *argv[] = { path, NULL };
	char *envp[] = { "PATH=/bin", "UTEST_NESTED=1", NULL };
	struct vm_baseline b;
	int status = -1;

	ksnprintf(path, sizeof(path), "/tests/%s", prog);
	vm_baseline_take(&b);
	KT_EQ(proc_run(path, argv, envp, &status), 0);
	KT_EQ(status, 0);
	vm_baseline_expect(&b);
}

/* USER_TEST(prog): the ktest user/prog, which runs /tests/prog. */
#define USER_TEST(prog) KTEST(user, prog) { run_user_tests(#prog); }

USER_TEST(brk)
USER_TEST(cow)
USER_TEST(devzero)
USER_TEST(errors)
USER_TEST(exec)
USER_TEST(filemap)
USER_TEST(fork)
USER_TEST(garbage)
USER_TEST(inherit)
USER_TEST(madvise)
USER_TEST(many_maps)
USER_TEST(mlock)
USER_TEST(mmap_fixed)
USER_TEST(mprotect)
USER_TEST(orphan)
USER_TEST(mremap)
USER_TEST(munmap)
USER_TEST(pipes)
USER_TEST(procfs)
USER_TEST(segv)
USER_TEST(signals)
USER_TEST(shared)
USER_TEST(system)
USER_TEST(tmpfs)
USER_TEST(tty)
USER_TEST(vfs_errors)
