/*
 * tests/kern/sys/trinity_test.c - Debian's trinity, the Linux system-call
 * fuzzer, run unmodified from the ext2 disk, with the leak check around
 * it (make test's trinity boot, TRINITYTEST; docs/debian.md).
 *
 *   /mnt/usr/bin/trinity --dangerous -q -a 64 -C 4 -N calls -s seed
 *                        --disable-fds=sockets -T DIE,WARN,BAD_PAGE
 *                        -V /mnt/var/trinity
 *     dynamically linked: ld.so and libc.so.6 from the initrd's /lib64
 *     and /lib/x86_64-linux-gnu; cwd "/", and trinity moves to "tmp/"
 *     itself, where it writes trinity.log and its test files
 *
 *   test                                trinity (pid N)       children
 *   ----                                ---------------       --------
 *   baseline; fresh tmpfs on /tmp;
 *   vdc on /mnt; proc_run ------------> fds, shm, fork -----> random calls
 *     (sleeps until the whole tree     waits, respawns       (die, hang,
 *      is gone)                        "Ran N syscalls"       get killed)
 *   read /tmp/trinity.log: N >= calls
 *   unmount /tmp (everything trinity made goes), a fresh one again;
 *   unmount /mnt; every counter back to the baseline
 *
 * The words: --dangerous because it runs as root; -a 64 because this
 * kernel has no 32-bit system calls (int $0x80); sockets off because it
 * has no socket() (trinity retries socket() until it has its pool, for
 * ever, on a kernel without networking); -V a directory of the disk
 * made for it (disk/var/trinity), so no device node is written to (the
 * default is /dev, /proc and /sys: vdc is the mounted disk); -T the
 * taint flags that stop it (make test-linux runs the same command on
 * Linux, which taints itself for a mere use of fanotify: only an oops,
 * a WARN or a bad page should count).
 *
 * Pass: trinity exits 0 having made at least the calls asked for, the
 * kernel neither panics nor hangs (the harness's timeout), and nothing
 * leaks.  Needs a boot of its own: ktest=all leaves it out.
 */
#include "kern/core/cmdline.h"
#include "kern/core/ktest.h"
#include "kern/core/mutex.h"
#include "kern/lib/errno.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/vfs/vfs.h"
#include "tests/harness/disktest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_object.h"

KOPT(trinityseed, "trinityseed", "trinity/*: trinity's -s (default 42)");
KOPT(trinitycalls, "trinitycalls", "trinity/*: trinity's -N, the calls to make (default 10000)");

#define TRINITY_PATH "/mnt/usr/bin/trinity"
#define TRINITY_LOG "/tmp/trinity.log"
#define TRINITY_TAIL 4096           /* the summary is in the log's last lines */

/* /tmp afresh: a tmpfs of its own for the run, unmounted with all in it. */
static void
trinity_fresh_tmp(void)
{
	KT_EQ(vfs_unmount("/tmp", 0), 0);
	KT_EQ(vfs_mount("tmpfs", "tmpfs", "/tmp", 0, NULL), 0);
}

/* The last TRINITY_TAIL bytes of path into buf (NUL-ended); their length. */
static size_t
trinity_read_tail(const char *path, char *buf)
{
	struct vnode *vp = NULL;
	struct vattr va;
	uint64_t off;
	size_t n = 0;
	int error;

	KT_EQ(namei(NULL, path, NAMEI_FOLLOW, &vp, NULL), 0);
	mutex_enter(&vp->v_lock);
	error = vp->v_ops->vop_getattr(vp, &va);
	if (error == 0) {
		off = va.va_size > TRINITY_TAIL ? va.va_size - TRINITY_TAIL : 0;
		n = (size_t)(va.va_size - off);
		error = uvm_obj_rdwr(vp->v_obj, off, buf, n, false);
	}
	mutex_exit(&vp->v_lock);
	vrele(vp);
	KT_EQ(error, 0);
	buf[n] = '\0';
	return n;
}

/* N of trinity's closing line "Ran N syscalls. Successes: ...", or -1. */
static int64_t
trinity_calls_made(const char *log)
{
	const char *p, *last = NULL;
	int64_t n = 0;

	for (p = log; *p != '\0'; p++)
		if (strncmp(p, "Ran ", 4) == 0)
			last = p + 4;
	if (last == NULL || *last < '0' || *last > '9')
		return -1;
	for (; *last >= '0' && *last <= '9'; last++)
		n = n * 10 + (*last - '0');
	return strncmp(last, " syscalls.", 10) == 0 ? n : -1;
}

/* Run trinity with seed and calls: exit 0, at least calls made, no leak. */
static void
trinity_run(uint64_t seed, uint64_t calls)
{
	char a_seed[24], a_calls[24];
	char *argv[] = { TRINITY_PATH, "--dangerous", "-q", "-a", "64", "-C", "4",
	    "-N", a_calls, "-s", a_seed, "--disable-fds=sockets",
	    "-T", "DIE,WARN,BAD_PAGE", "-V", "/mnt/var/trinity", NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", "HOME=/", NULL };
	static char tail[TRINITY_TAIL + 1];
	struct vm_baseline b;
	int status = -1;
	int64_t made;

	ksnprintf(a_seed, sizeof(a_seed), "%lu", seed);
	ksnprintf(a_calls, sizeof(a_calls), "%lu", calls);
	vm_baseline_take(&b);
	trinity_fresh_tmp();
	bool mounted = disktest_mount();
	KT_EQ(proc_run(argv[0], argv, envp, &status), 0);
	trinity_read_tail(TRINITY_LOG, tail);
	made = trinity_calls_made(tail);
	kprintf("trinity: seed %lu, asked for %lu calls, made %ld, exit status %#x\n",
	    seed, calls, made, status);
	KT_EQ(status, 0);
	KT_ASSERT(made >= (int64_t)calls);
	trinity_fresh_tmp();
	disktest_unmount(mounted);
	vm_baseline_expect(&b);
}

KTEST_OWN_BOOT(trinity, fixed_seed_runs_its_calls_and_leaks_nothing)
{
	trinity_run(kopt_get_u64("trinityseed", 42),
	    kopt_get_u64("trinitycalls", 10000));
}

/* The summary line trinity's log ends with, parsed; anything else is -1. */
KTEST(trinity, the_summary_line_is_parsed)
{
	KT_EQ(trinity_calls_made("[main]  Ran 1001 syscalls. Successes: 296  Failures: 702\n"), 1001);
	KT_EQ(trinity_calls_made("Ran 3 syscalls. x\nRan 12 syscalls. y"), 12);
	KT_EQ(trinity_calls_made("[main] Ran syscalls."), -1);
	KT_EQ(trinity_calls_made("Ran 5 calls"), -1);
	KT_EQ(trinity_calls_made(""), -1);
}
