/*
 * tests/kern/user_test.c - the user test programs (tests/user, static
 * musl binaries that also pass on Linux) run by the kernel test suite, so
 * `make test` proves the system-call layer end to end on this kernel.
 *
 * A program runs all its tests, or - while some of its system calls are
 * still missing here - only the ones named (test-name globs on its
 * command line).  It exits 0 only if every test it ran passed; its own
 * TAP lines appear, indented, above the ok line.
 */
#include "kern/ktest.h"
#include "kern/proc.h"
#include "tests/kern/vmtest.h"

/* Run /tests/prog (all tests, or the names given); it must exit 0, leaking nothing. */
static void
run_user_tests(const char *prog, char **names)
{
	char path[64], *argv[48];
	char *envp[] = { "PATH=/bin", "UTEST_NESTED=1", NULL };
	struct vm_baseline b;
	int n = 0, status = -1;

	ksnprintf(path, sizeof(path), "/tests/%s", prog);
	argv[n++] = path;
	for (; *names != NULL && n < 47; names++)
		argv[n++] = *names;
	argv[n] = NULL;
	vm_baseline_take(&b);
	KT_EQ(proc_run(path, argv, envp, &status), 0);
	KT_EQ(status, 0);
	vm_baseline_expect(&b);
}

KTEST(user, brk)
{
	static char *all[] = { NULL };

	run_user_tests("brk", all);
}

KTEST(user, cow)
{
	static char *all[] = { NULL };

	run_user_tests("cow", all);
}

KTEST(user, errors)
{
	static char *all[] = { NULL };

	run_user_tests("errors", all);
}

KTEST(user, exec)
{
	static char *all[] = { NULL };

	run_user_tests("exec", all);
}

KTEST(user, filemap)
{
	static char *all[] = { NULL };

	run_user_tests("filemap", all);
}

KTEST(user, fork)
{
	static char *all[] = { NULL };

	run_user_tests("fork", all);
}

KTEST(user, garbage)
{
	static char *all[] = { NULL };

	run_user_tests("garbage", all);
}

KTEST(user, inherit)
{
	static char *all[] = { NULL };

	run_user_tests("inherit", all);
}

KTEST(user, madvise)
{
	static char *all[] = { NULL };

	run_user_tests("madvise", all);
}

KTEST(user, many_maps)
{
	static char *all[] = { NULL };

	run_user_tests("many_maps", all);
}

KTEST(user, mlock)
{
	static char *all[] = { NULL };

	run_user_tests("mlock", all);
}

KTEST(user, mmap_fixed)
{
	static char *all[] = { NULL };

	run_user_tests("mmap_fixed", all);
}

KTEST(user, mprotect)
{
	static char *all[] = { NULL };

	run_user_tests("mprotect", all);
}

KTEST(user, mremap)
{
	static char *all[] = { NULL };

	run_user_tests("mremap", all);
}

KTEST(user, munmap)
{
	static char *all[] = { NULL };

	run_user_tests("munmap", all);
}

KTEST(user, segv)
{
	static char *all[] = { NULL };

	run_user_tests("segv", all);
}

KTEST(user, signals)
{
	static char *all[] = { NULL };

	run_user_tests("signals", all);
}

KTEST(user, shared)
{
	static char *all[] = { NULL };

	run_user_tests("shared", all);
}
