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
#include "dev/blk.h"
#include "tests/harness/disktest.h"
#include "tests/harness/vmtest.h"

/*
 * Run /tests/prog, all its tests; it must exit 0, leaking nothing.
 *
 * The programs find ext2 on /mnt, as after a normal boot.  A test boot
 * does not mount it there (the kernel suites mount what they test on
 * /mnt), so each program gets the disk mounted for its run (without vdc
 * it runs without), and the unmount writes everything back before the
 * leak check - and before make test's e2fsck looks at the image.
 */
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
	bool mounted = blk_lookup("vdc") != NULL && disktest_mount();
	KT_EQ(proc_run(path, argv, envp, &status), 0);
	KT_EQ(status, 0);
	disktest_unmount(mounted);
	vm_baseline_expect(&b);
}

/* USER_TEST(prog): the ktest user/prog, which runs /tests/prog. */
#define USER_TEST(prog) KTEST(user, prog) { run_user_tests(#prog); }

USER_TEST(brk)
USER_TEST(caps)
USER_TEST(cow)
USER_TEST(devzero)
USER_TEST(dirs)
USER_TEST(errors)
USER_TEST(exec)
USER_TEST(filemap)
USER_TEST(files)
USER_TEST(fmap)
USER_TEST(fork)
USER_TEST(futex)
USER_TEST(garbage)
USER_TEST(inherit)
USER_TEST(madvise)
USER_TEST(many_maps)
USER_TEST(mlock)
USER_TEST(mmap_fixed)
USER_TEST(mprotect)
USER_TEST(mremap)
USER_TEST(munmap)
USER_TEST(orphan)
USER_TEST(pipes)
USER_TEST(poll)
USER_TEST(prctl)
USER_TEST(procfs)
USER_TEST(procfs_threads)
USER_TEST(segv)
USER_TEST(shared)
USER_TEST(sigwait)
USER_TEST(signals)
USER_TEST(startup)
USER_TEST(sparse)
USER_TEST(system)
USER_TEST(threads)
USER_TEST(thp)
USER_TEST(threads_files)
USER_TEST(tmpfs)
USER_TEST(trinity)
USER_TEST(tty)
USER_TEST(uvmexp)
USER_TEST(vfs_errors)
USER_TEST(vmstress)

/*
 * A file larger than RAM written and read back through the page cache:
 * the 64 MiB boot of the swap suites (a boot of its own), where the
 * page daemon must write the file's dirty pages to the disk and drop
 * clean ones to make room.
 */
KTEST_OWN_BOOT(swap, file_larger_than_ram_goes_through_the_page_cache)
{
	run_user_tests("bigfile");
}
