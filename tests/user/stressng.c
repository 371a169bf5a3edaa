/*
 * tests/user/stressng.c - Debian's stress-ng from the ext2 disk, one
 * stressor at a time with --verify and --metrics, on uvmkern and on
 * Linux (make test-linux): the same runs, so docs/debian.md can put the
 * two kernels' bogo ops side by side.
 *
 * The test initramfs of make test-linux has no /lib64, so the program
 * is started through the disk's own ld.so:
 *
 *   /mnt/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
 *       --library-path /mnt/usr/lib/x86_64-linux-gnu
 *       /mnt/usr/bin/stress-ng --vm 1 --vm-bytes 32M -t 3 --verify
 *       --metrics --temp-path /tmp --log-file /tmp/stressng-vm.log
 *
 * A stressor passes when stress-ng exits 0 and its log has the closing
 * "successful run completed", no "fail:" line, no "error:" line but the
 * one about /sys (neither kernel's test boot mounts sysfs), and a
 * metrics line with bogo ops > 0, which becomes a "# stressng ..." note.
 * make test runs the same stressors from the kernel (tests/kern/sys/
 * stressng_test.c), with the leak check after each; this program is not
 * in that list (it would run them twice), only in the initrd's /tests.
 *
 * --brk and --fork drop every capability (capset) in the child doing the
 * work and fail without it: uvmkern has capabilities (kern/proc/cap.c),
 * so they run on both kernels like the others.
 */
#define _GNU_SOURCE
#include "utest.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define SNG_LIBS "/mnt/usr/lib/x86_64-linux-gnu"
#define SNG_LDSO SNG_LIBS "/ld-linux-x86-64.so.2"
#define SNG_PROG "/mnt/usr/bin/stress-ng"
#define SNG_KNOWN_ERROR "no CPUs found in /sys/devices/system/cpu"
#define SNG_LOGMAX 16384

static char sng_log[SNG_LOGMAX];

/* Read path into sng_log, NUL-terminated. */
static void
read_log(const char *path)
{
	int fd = (int)UT_SYS(open(path, O_RDONLY));
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(sng_log) - 1 &&
	    (n = read(fd, sng_log + len, sizeof(sng_log) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	sng_log[len] = '\0';
}

/* The bogo ops of stressor's metrics line l (one line), or -1. */
static long
bogo_ops(const char *l, const char *stressor)
{
	const char *p = strstr(l, "metrc: [");
	size_t n = strlen(stressor);

	if (p == NULL || (p = strchr(p, ']')) == NULL)
		return -1;
	p += 2;
	if (strncmp(p, stressor, n) != 0 || p[n] != ' ')
		return -1;
	p += n;
	while (*p == ' ')
		p++;
	return *p >= '0' && *p <= '9' ? strtol(p, NULL, 10) : -1;
}

/* Check the log (see the top); note and return the bogo ops. */
static long
check_log(const char *stressor)
{
	long ops = -1;
	bool done = false;

	for (char *l = strtok(sng_log, "\n"); l != NULL; l = strtok(NULL, "\n")) {
		if (strstr(l, " fail: ") != NULL ||
		    (strstr(l, " error: ") != NULL && strstr(l, SNG_KNOWN_ERROR) == NULL))
			ut_fail(__FILE__, __LINE__, "%s", l);
		done |= strstr(l, "successful run completed") != NULL;
		if (ops < 0)
			ops = bogo_ops(l, stressor);
	}
	UT_ASSERT(done);
	UT_ASSERT(ops > 0);
	return ops;
}

static bool
on_linux(void)
{
	struct utsname u;

	return uname(&u) == 0 && strcmp(u.sysname, "Linux") == 0;
}

/* Run one stressor for 3 s with the extra arguments (NULL-terminated). */
static void
run_stressor(const char *stressor, const char *const extra[])
{
	char opt[32], logpath[64];
	const char *argv[32] = { SNG_LDSO, "--library-path", SNG_LIBS, SNG_PROG, opt, "1" };
	const char *tail[] = { "-t", "3", "--verify", "--metrics", "--temp-path", "/tmp",
		"--log-file", logpath, NULL };
	int argc = 6, status;
	struct stat st;

	if (stat(SNG_PROG, &st) != 0)
		UT_SKIP("no stress-ng on /mnt");
	if (strcmp(stressor, "shm") == 0 && on_linux())
		UT_SKIP("stress-ng 0.15.06's shm stressor fails on Linux under TCG now "
		    "and then (\"zero bytes read\": its child's pipe ends early); "
		    "uvmkern's run is make test's stressng/shm");
	if (strcmp(stressor, "madvise") == 0 && on_linux())
		UT_SKIP("stress-ng 0.15.06's madvise stressor, run as root on Linux, "
		    "now and then poisons a page it then touches (MADV_HWPOISON), and "
		    "Linux kills its child for \"hardware memory corruption\", as "
		    "designed; uvmkern's run is make test's stressng/madvise");
	snprintf(opt, sizeof(opt), "--%s", stressor);
	snprintf(logpath, sizeof(logpath), "/tmp/stressng-%s.log", stressor);
	for (int i = 0; extra[i] != NULL; i++)
		argv[argc++] = extra[i];
	for (int i = 0; tail[i] != NULL; i++)
		argv[argc++] = tail[i];
	unlink(logpath);
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		execv(SNG_LDSO, (char *const *)argv);
		_exit(127);
	}
	UT_EQ(waitpid(pid, &status, 0), pid);
	if (status != 0)
		ut_fail(__FILE__, __LINE__, "stress-ng --%s: %s", stressor, ut_status_str(status));
	read_log(logpath);
	unlink(logpath);
	ut_note("stressng %s: %ld bogo ops in 3 s", stressor, check_log(stressor));
}

#define STRESSOR(name, ...)                                               \
	UTEST(name)                                                       \
	{                                                                 \
		static const char *const extra[] = { __VA_ARGS__ };       \
		run_stressor(#name, extra);                               \
	}

STRESSOR(vm, "--vm-bytes", "32M", NULL)
STRESSOR(mmap, "--mmap-bytes", "16M", NULL)
STRESSOR(mmapfork, NULL)
STRESSOR(mremap, "--mremap-bytes", "16M", NULL)
STRESSOR(madvise, NULL)
STRESSOR(brk, NULL)
STRESSOR(stack, NULL)
STRESSOR(fork, NULL)
STRESSOR(mlock, NULL)
STRESSOR(msync, NULL)
STRESSOR(shm, NULL)
STRESSOR(memfd, NULL)
STRESSOR(pipe, NULL)
STRESSOR(pthread, "--pthread-max", "16", NULL)
STRESSOR(futex, NULL)
