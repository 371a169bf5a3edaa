/*
 * tests/user/trinity.c - what Debian's trinity (the system-call fuzzer,
 * docs/debian.md) found, each cut down to the few calls that show it,
 * and the calls trinity needs for itself.  The same on Linux.
 *
 * A shared mapping may reach past the end of its file: mmap does not
 * look at the size, and a file truncated under a mapping keeps it.  The
 * pages past the end are no page at all - touching one is SIGBUS - but
 * everything that walks the mapping without touching it (the counters of
 * /proc/PID/stat, status and smaps, mincore) must take them as "nothing
 * there":
 *
 *     memfd, 1 page          [ data ]
 *     mapping, 3 pages       [ data ][ past ][ past ]
 *                                     ^ SIGBUS, not resident, no swap
 */
#include "utest.h"
#include "uvmkern.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads all of path (a /proc file) and gives how many bytes it had. */
static long
read_all(const char *path)
{
	char buf[4096];
	long total = 0, n;
	int fd = (int)UT_SYS(open(path, O_RDONLY));

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	UT_EQ(n, 0);
	UT_SYS(close(fd));
	return total;
}

/* A memfd of one page, written, mapped shared three pages long. */
static char *
map_past_end(int *fdp)
{
	int fd = (int)UT_SYS(syscall(SYS_memfd_create, "pastend", 0));
	char *p;

	UT_SYS(ftruncate(fd, PAGE));
	UT_EQ(pwrite(fd, "x", 1, 0), 1);
	p = mmap(NULL, 3 * PAGE, RW, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	*fdp = fd;
	return p;
}

/* Found by trinity: opening /proc/self/stat with such a mapping asked
 * the memfd's object for the swap slot of a page past its end, and the
 * kernel panicked on the assertion that the page is in range. */
UTEST(proc_counters_take_a_mapping_past_the_end_of_a_memfd)
{
	int fd;
	char *p = map_past_end(&fd);

	UT_EQ(p[0], 'x');
	UT_ASSERT(read_all("/proc/self/stat") > 0);
	UT_ASSERT(read_all("/proc/self/status") > 0);
	UT_ASSERT(read_all("/proc/self/smaps") > 0);
	UT_SYS(munmap(p, 3 * PAGE));
	UT_SYS(close(fd));
}

/* vm_query (uvmkern's own) of a page past the end: the object's, with no
 * swap slot (it asked the same way; skips on Linux). */
UTEST(vm_query_past_the_end_of_a_memfd_finds_no_slot)
{
	struct vm_query q;
	int fd;
	char *p = map_past_end(&fd);

	ut_query(p + 2 * PAGE, &q);
	UT_EQ(q.obj_kind, VMQ_OBJ_AOBJ);
	UT_EQ(q.offset, 2 * PAGE);
	UT_EQ(q.swslot, 0);
	UT_SYS(munmap(p, 3 * PAGE));
	UT_SYS(close(fd));
}

UTEST(pages_past_the_end_of_a_memfd_are_sigbus_and_not_resident)
{
	unsigned char vec[3];
	struct ut_fault f;
	int fd;
	char *p = map_past_end(&fd);

	UT_EQ(p[0], 'x');
	UT_EQ(ut_probe_read(p + PAGE, &f), SIGBUS);
	UT_EQ(ut_probe_write(p + 2 * PAGE, 1, &f), SIGBUS);
	UT_SYS(mincore(p, 3 * PAGE, vec));
	UT_EQ(vec[0] & 1, 1);
	UT_EQ(vec[1] & 1, 0);
	UT_EQ(vec[2] & 1, 0);
	UT_SYS(munmap(p, 3 * PAGE));
	UT_SYS(close(fd));
}

/* The same with the file shrunk under the mapping after it was used. */
UTEST(proc_counters_take_a_memfd_truncated_under_its_mapping)
{
	int fd;
	char *p = map_past_end(&fd);

	UT_SYS(ftruncate(fd, 3 * PAGE));
	memset(p, 'y', 3 * PAGE);
	UT_SYS(ftruncate(fd, 0));
	UT_ASSERT(read_all("/proc/self/stat") > 0);
	UT_ASSERT(read_all("/proc/self/smaps") > 0);
	UT_EQ(ut_probe_read(p, NULL), SIGBUS);
	UT_SYS(munmap(p, 3 * PAGE));
	UT_SYS(close(fd));
}

/* Trinity's main process holds some 60 descriptors (test files, pipes,
 * memfds, /proc files) and will not fork with fewer than 3 to spare
 * below RLIMIT_NOFILE: the limit was 64 here, Linux's soft limit is
 * 1024.  Descriptors past 64 work like the others, close-on-exec and
 * /proc/self/fd included. */
UTEST(descriptors_past_64_work_for_trinitys_pool)
{
	struct rlimit rl;
	char path[64], link[64];
	int fds[200];

	UT_SYS(getrlimit(RLIMIT_NOFILE, &rl));
	UT_ASSERT(rl.rlim_cur >= 256);
	for (int i = 0; i < 200; i++)
		fds[i] = (int)UT_SYS(dup(0));
	UT_ASSERT(fds[199] >= 199);
	UT_SYS(fcntl(fds[150], F_SETFD, FD_CLOEXEC));
	UT_EQ(fcntl(fds[150], F_GETFD), FD_CLOEXEC);
	UT_EQ(fcntl(fds[151], F_GETFD), 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[199]);
	UT_ASSERT(readlink(path, link, sizeof(link)) > 0);
	UT_EQ(dup2(0, 255), 255);
	UT_SYS(close(255));
	for (int i = 0; i < 200; i++)
		UT_SYS(close(fds[i]));
}

/* Found by trinity: its walk of /dev (nftw) stopped at once with EISDIR,
 * since /dev, as a directory, could not be opened (busybox's ls /dev
 * neither).  glibc's nftw opens it O_RDONLY|O_NONBLOCK|O_DIRECTORY and
 * reads it with getdents; every name it lists can be stat'ed in it. */
UTEST(dev_opens_as_a_directory_and_lists_its_nodes)
{
	int fd = (int)UT_SYS(open("/dev", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_DIRECTORY));
	DIR *d = fdopendir(fd);
	int found = 0, n = 0;
	struct dirent *e;
	struct stat st;

	UT_ASSERT(d != NULL);
	UT_SYS(fstatat(fd, "", &st, AT_EMPTY_PATH));
	UT_ASSERT(S_ISDIR(st.st_mode));
	while ((e = readdir(d)) != NULL) {
		UT_SYS(fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW));
		found += strcmp(e->d_name, "null") == 0 && S_ISCHR(st.st_mode);
		found += strcmp(e->d_name, "zero") == 0 && S_ISCHR(st.st_mode);
		n++;
	}
	UT_EQ(found, 2);
	UT_ASSERT(n >= 4);          /* ".", "..", null, zero at least */
	UT_SYS(closedir(d));
	UT_ERR(open("/dev", O_WRONLY | O_DIRECTORY), EISDIR);
}

/* Found by trinity: its main process asks kill(pid, 0) whether a child
 * is still there before it waits for it; a child that had exited but was
 * not yet waited for answered ESRCH here ("pid N has disappeared"), but
 * a zombie exists until its parent waits: kill finds it (a signal does
 * nothing to it, and its status stays); after the wait it is gone. */
UTEST(kill_finds_a_zombie_until_it_is_waited_for)
{
	int fds[2], status;
	char c;
	pid_t pid;

	UT_SYS(pipe(fds));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0)
		_exit(7);               /* its end of the pipe closes as it exits */
	UT_SYS(close(fds[1]));
	UT_EQ(read(fds[0], &c, 1), 0);
	UT_SYS(close(fds[0]));
	UT_SYS(kill(pid, 0));       /* exiting or a zombie: there either way */
	usleep(100 * 1000);         /* a zombie by now */
	UT_SYS(kill(pid, 0));
	UT_SYS(kill(pid, SIGKILL));
	UT_EQ(waitpid(pid, &status, 0), pid);
	UT_ASSERT(WIFEXITED(status));
	UT_EQ(WEXITSTATUS(status), 7);
	UT_ERR(kill(pid, 0), ESRCH);
}

/*
 * Found by trinity: a child wrote a buffer of tens of MiB to /dev/console
 * (its descriptor pool has the /dev nodes) and the serial port took it
 * 256 bytes at a time for minutes: neither trinity's alarm nor its
 * SIGKILL could end the write.  As Linux's terminal write does, a signal
 * to act on now ends it between chunks.  The buffer is carriage returns,
 * which the test logs drop (tools/qemu-test.sh: tr -d '\r').
 */
#define CONSOLE_FLOOD (64UL << 20)

/* A child writing CONSOLE_FLOOD bytes to /dev/console, after setup(). */
static pid_t
console_flood(void (*setup)(void))
{
	char *buf = mmap(NULL, CONSOLE_FLOOD, RW, ANON, -1, 0);
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY);
	pid_t pid;

	UT_ASSERT(buf != MAP_FAILED);
	if (fd < 0)
		UT_SKIP("no /dev/console to write to");
	memset(buf, '\r', CONSOLE_FLOOD);
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		setup();
		long n = write(fd, buf, CONSOLE_FLOOD);
		_exit(n > 0 && n < (long)CONSOLE_FLOOD ? 0 : n < 0 ? 2 : 3);
	}
	UT_SYS(close(fd));
	UT_SYS(munmap(buf, CONSOLE_FLOOD));
	usleep(300 * 1000);
	return pid;
}

/* Sends sig to pid every 100 ms (one may come before its write starts)
 * for up to 10 s, until it ends: its wait status, or -1 if it did not. */
static int
signal_until_gone(pid_t pid, int sig)
{
	int status;

	for (int i = 0; i < 100; i++) {
		UT_SYS(kill(pid, sig));
		for (int j = 0; j < 10; j++) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				return status;
			usleep(10 * 1000);
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static void
no_setup(void)
{
}

static void
on_usr1(int sig)
{
	(void)sig;
}

/* SIGUSR1 caught, without SA_RESTART. */
static void
catch_usr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
}

UTEST(sigkill_ends_a_long_console_write)
{
	pid_t pid = console_flood(no_setup);
	int status;

	status = signal_until_gone(pid, SIGKILL);
	UT_ASSERT(status != -1);
	UT_ASSERT(WIFSIGNALED(status));
	UT_EQ(WTERMSIG(status), SIGKILL);
}

UTEST(a_caught_signal_makes_a_long_console_write_short)
{
	pid_t pid = console_flood(catch_usr1);
	int status;

	status = signal_until_gone(pid, SIGUSR1);
	UT_ASSERT(status != -1);
	UT_ASSERT(WIFEXITED(status));
	UT_EQ(WEXITSTATUS(status), 0);  /* 0 < written < asked */
}
