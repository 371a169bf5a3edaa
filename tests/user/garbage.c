/*
 * tests/user/garbage.c - garbage in, errors out, never a crash.
 *
 * Every system call is called with bad pointers (NULL, unmapped, the
 * wrong protection, straddling the end of a mapping, kernel and
 * non-canonical addresses), huge lengths, bad descriptors and unknown
 * flags, and must fail with the errno Linux gives - the kernel checks
 * every user pointer and every flag word, and keeps running.  The calls
 * go through syscall() so no libc wrapper filters the arguments.
 *
 * A test goes through its whole table and lists every mismatch as a "#"
 * line before failing, so one run shows all of them.  Unknown system
 * call numbers (including the gap just below uvmkern's own, and far past
 * them) are ENOSYS.  A descriptor with garbage in the upper half of its
 * register is the descriptor in the lower half, as Linux's unsigned int.
 * Nothing here may kill the process: the runner would report that as a
 * signal death.
 */
#define _GNU_SOURCE
#include "utest.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static int mismatches;

static void
expect(const char *name, int line, int err, long nr, const long a[6])
{
	long r;

	errno = 0;
	r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (r == -1 && errno == err)
		return;
	mismatches++;
	if (r != -1)
		ut_note("%s (line %d, arg0 0x%lx arg1 0x%lx): returned %ld, "
			"expected %s", name, line, a[0], a[1], r, ut_errname(err));
	else
		ut_note("%s (line %d, arg0 0x%lx arg1 0x%lx): %s, expected %s",
			name, line, a[0], a[1], ut_errname(errno), ut_errname(err));
}

/* EXPECT(EFAULT, SYS_uname, ptr): the call must fail with that errno. */
#define EXPECT(err, nr, ...) \
	expect(#nr, __LINE__, (err), (nr), (const long[6]){ __VA_ARGS__ })

static void
no_mismatches(void)
{
	if (mismatches > 0)
		ut_fail(__FILE__, __LINE__, "%d call(s) did not fail as Linux does "
			"(listed above)", mismatches);
}

static int
rows_fd(void)
{
	return (int)UT_SYS(open(ut_datafile("rows.txt"), O_RDONLY));
}

UTEST(file_calls_with_bad_buffers_are_efault)
{
	struct ut_bad b;
	int fd = rows_fd(), p[2];
	struct iovec iov = { NULL, 10 };

	ut_make_bad(&b);
	UT_SYS(pipe(p));
	for (int i = 0; i < b.nout; i++) {
		EXPECT(EFAULT, SYS_read, fd, b.out[i], 100);
		EXPECT(EFAULT, SYS_read, fd, b.out[i], ~0UL >> 1);
		EXPECT(EFAULT, SYS_pread64, fd, b.out[i], 100, 0);
		EXPECT(EFAULT, SYS_fstat, fd, b.out[i]);
		EXPECT(EFAULT, SYS_pipe, b.out[i]);
		EXPECT(EFAULT, SYS_readlink, (long)"/proc/self/exe", b.out[i], 100);
		iov.iov_base = (void *)b.out[i];
		EXPECT(EFAULT, SYS_readv, fd, (long)&iov, 1);
	}
	for (int i = 0; i < b.nin; i++) {
		EXPECT(EFAULT, SYS_readv, fd, b.in[i], 1);      /* the iovec array */
		EXPECT(EFAULT, SYS_write, p[1], b.in[i], 100);
		EXPECT(EFAULT, SYS_write, p[1], b.in[i], ~0UL >> 1);
		EXPECT(EFAULT, SYS_open, b.in[i], O_RDONLY);
		EXPECT(EFAULT, SYS_openat, AT_FDCWD, b.in[i], O_RDONLY);
		EXPECT(EFAULT, SYS_access, b.in[i], F_OK);
		EXPECT(EFAULT, SYS_newfstatat, AT_FDCWD, b.in[i], (long)&iov, 0);
		EXPECT(EFAULT, SYS_readlink, b.in[i], (long)&iov, 8);
		EXPECT(EFAULT, SYS_execve, b.in[i], 0, 0);
		iov.iov_base = (void *)b.in[i];
		EXPECT(EFAULT, SYS_writev, p[1], (long)&iov, 1);
	}
	EXPECT(EFAULT, SYS_fstat, fd, b.straddle);
	EXPECT(EFAULT, SYS_pipe, b.straddle);
	no_mismatches();
}

UTEST(file_calls_with_bad_descriptors_are_ebadf)
{
	char buf[64];
	static const long fds[] = { -1, 1000, 1 << 20, 0x7fffffff };
	static const long targets[] = { -1, -5, 1 << 20, 0x7fffffff };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		EXPECT(EBADF, SYS_read, fds[i], (long)buf, 1);
		EXPECT(EBADF, SYS_write, fds[i], (long)buf, 1);
		EXPECT(EBADF, SYS_close, fds[i]);
		EXPECT(EBADF, SYS_lseek, fds[i], 0, SEEK_SET);
		EXPECT(EBADF, SYS_fstat, fds[i], (long)buf);
		EXPECT(EBADF, SYS_getdents64, fds[i], (long)buf, sizeof(buf));
		EXPECT(EBADF, SYS_dup, fds[i]);
		EXPECT(EBADF, SYS_dup2, fds[i], 5);
		EXPECT(EBADF, SYS_fcntl, fds[i], F_GETFD);
		EXPECT(EBADF, SYS_ioctl, fds[i], 0x5401, (long)buf);
		EXPECT(EBADF, SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, fds[i], 0);
	}
	/* Targets no descriptor can have (1000 could: Linux allows 1024). */
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		EXPECT(EBADF, SYS_dup2, 0, targets[i]);
		EXPECT(EBADF, SYS_dup3, 0, targets[i], 0);
	}
	no_mismatches();
}

/*
 * Descriptors are unsigned int in Linux's calls: only the low 32 bits of
 * the register count, so fd + 2^32 names fd itself - and must not index
 * the descriptor table with the whole 64-bit value.
 */
UTEST(descriptor_upper_bits_are_ignored)
{
	int fd = (int)UT_SYS(open("/dev/null", O_RDONLY));
	long high = (1L << 32) | fd;

	UT_EQ(syscall(SYS_fcntl, high, F_GETFD), 0);
	UT_EQ(syscall(SYS_dup2, high, fd), fd);             /* the same one */
	UT_ERR(syscall(SYS_dup3, high, fd, 0), EINVAL);     /* ... for dup3 too */
	UT_EQ(syscall(SYS_close, high), 0);
	UT_ERR(fcntl(fd, F_GETFD), EBADF);                  /* fd is closed */
}

UTEST(reads_and_writes_against_the_access_mode_are_ebadf)
{
	int fd = rows_fd(), p[2];
	char buf[8] = "x";
	struct iovec iov = { buf, 1 };

	UT_SYS(pipe(p));
	EXPECT(EBADF, SYS_write, fd, (long)buf, 1);
	EXPECT(EBADF, SYS_writev, fd, (long)&iov, 1);
	EXPECT(EBADF, SYS_write, p[0], (long)buf, 1);
	EXPECT(EBADF, SYS_writev, p[0], (long)&iov, 1);
	EXPECT(EBADF, SYS_read, p[1], (long)buf, 1);
	EXPECT(EBADF, SYS_readv, p[1], (long)&iov, 1);
	EXPECT(ESPIPE, SYS_pread64, p[1], (long)buf, 1, 0);
	/* The refused calls moved nothing: the byte still goes through. */
	UT_EQ(write(p[1], buf, 1), 1);
	UT_EQ(read(p[0], buf + 1, 1), 1);
	UT_EQ(buf[1], 'x');
	UT_EQ(pread(fd, buf, 1, 0), 1);
	close(p[0]);
	close(p[1]);
	close(fd);
	no_mismatches();
}

UTEST(file_calls_with_bad_values_are_einval)
{
	int fd = rows_fd();
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) };

	EXPECT(EINVAL, SYS_lseek, fd, 0, 99);
	EXPECT(EINVAL, SYS_lseek, fd, -1, SEEK_SET);
	EXPECT(EINVAL, SYS_pread64, fd, (long)buf, 10, -1);
	EXPECT(EINVAL, SYS_readv, fd, (long)&iov, -1);
	EXPECT(EINVAL, SYS_readv, fd, (long)&iov, 100000);
	EXPECT(EINVAL, SYS_pipe2, (long)buf, ~0L);
	EXPECT(EINVAL, SYS_dup3, 1, 1, 0);
	EXPECT(EINVAL, SYS_dup3, 1, 50, ~(long)O_CLOEXEC);
	EXPECT(EINVAL, SYS_fcntl, fd, 99999);
	EXPECT(EINVAL, SYS_newfstatat, AT_FDCWD, (long)"/", (long)buf, ~0L);
	EXPECT(EINVAL, SYS_faccessat, AT_FDCWD, (long)"/", ~0L);
	EXPECT(EINVAL, SYS_readlink, (long)"/proc/self/exe", (long)buf, 0);
	EXPECT(ENOTDIR, SYS_getdents64, fd, (long)buf, sizeof(buf));
	EXPECT(ENOTTY, SYS_ioctl, fd, 0x5413 /* TIOCGWINSZ */, (long)buf);
	EXPECT(ENOTTY, SYS_ioctl, 1, 0x7fff1234, 0);
	no_mismatches();
}

UTEST(memory_calls_with_garbage_fail)
{
	char *p = ut_map(1, RW);
	long k = (long)0xffff800000000000UL, nc = (long)0x0000800000000000UL;

	EXPECT(EINVAL, SYS_mmap, 0, 0, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(EINVAL, SYS_mmap, 0, PAGE, RW, MAP_ANONYMOUS, -1, 0);
	EXPECT(ENOMEM, SYS_mmap, 0, ~0L, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(ENOMEM, SYS_mmap, k, PAGE, RW,
	       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	EXPECT(EINVAL, SYS_munmap, k, PAGE);
	EXPECT(EINVAL, SYS_munmap, nc, PAGE);
	EXPECT(EINVAL, SYS_munmap, (long)p, ~0L);
	EXPECT(EINVAL, SYS_mprotect, (long)p, PAGE, ~0L);
	EXPECT(ENOMEM, SYS_mprotect, k, PAGE, PROT_READ);
	EXPECT(ENOMEM, SYS_mprotect, (long)p, ~0L - PAGE, PROT_READ);
	EXPECT(EINVAL, SYS_madvise, (long)p, PAGE, ~0L);
	EXPECT(ENOMEM, SYS_madvise, nc, PAGE, MADV_DONTNEED);
	EXPECT(EINVAL, SYS_mremap, (long)p, PAGE, PAGE, ~0L, 0);
	EXPECT(EFAULT, SYS_mremap, k, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0);
	EXPECT(EINVAL, SYS_mremap, (long)p, PAGE, ~0L, MREMAP_MAYMOVE, 0);
	EXPECT(EINVAL, SYS_msync, (long)p, PAGE, ~0L);
	EXPECT(ENOMEM, SYS_msync, nc, PAGE, MS_SYNC);
	EXPECT(EFAULT, SYS_mincore, (long)p, PAGE, 0);
	EXPECT(ENOMEM, SYS_mincore, k, PAGE, (long)p);
	EXPECT(ENOMEM, SYS_mlock, nc, PAGE);
	EXPECT(EINVAL, SYS_mlock, (long)p, ~0L - PAGE);    /* wraps around */
	EXPECT(EINVAL, SYS_mlockall, ~0L);
	EXPECT(EINVAL, SYS_mlockall, 0);
	UT_EQ(p[0], 0);                     /* our own memory is untouched */
	no_mismatches();
}

UTEST(process_and_signal_calls_with_garbage_fail)
{
	struct ut_bad b;
	sigset_t set;

	ut_make_bad(&b);
	sigemptyset(&set);
	/* From 1: these pointers are optional, and NULL means "none". */
	for (int i = 1; i < b.nin; i++) {
		EXPECT(EFAULT, SYS_rt_sigaction, SIGUSR1, b.in[i], 0, 8);
		EXPECT(EFAULT, SYS_rt_sigprocmask, SIG_BLOCK, b.in[i], 0, 8);
		EXPECT(EFAULT, SYS_sigaltstack, b.in[i], 0);
		EXPECT(EFAULT, SYS_setitimer, ITIMER_REAL, b.in[i], 0);
		EXPECT(EFAULT, SYS_prlimit64, 0, RLIMIT_CORE, b.in[i], 0);
	}
	for (int i = 0; i < b.nin; i++)
		EXPECT(EFAULT, SYS_nanosleep, b.in[i], 0);
	for (int i = 1; i < b.nout; i++) {
		EXPECT(EFAULT, SYS_rt_sigaction, SIGUSR1, 0, b.out[i], 8);
		EXPECT(EFAULT, SYS_rt_sigprocmask, SIG_BLOCK, 0, b.out[i], 8);
		EXPECT(EFAULT, SYS_prlimit64, 0, RLIMIT_NOFILE, 0, b.out[i]);
	}
	for (int i = 0; i < b.nout; i++) {
		EXPECT(EFAULT, SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, b.out[i]);
		EXPECT(EFAULT, SYS_getrlimit, RLIMIT_NOFILE, b.out[i]);
		EXPECT(EFAULT, SYS_getrusage, RUSAGE_SELF, b.out[i]);
	}
	EXPECT(EINVAL, SYS_rt_sigaction, 9999, 0, 0, 8);
	EXPECT(EINVAL, SYS_rt_sigaction, SIGKILL, (long)&b, 0, 8);
	EXPECT(EINVAL, SYS_rt_sigaction, SIGUSR1, 0, 0, 4);
	EXPECT(EINVAL, SYS_rt_sigprocmask, 99, (long)&set, 0, 8);
	EXPECT(EINVAL, SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 4);
	EXPECT(EINVAL, SYS_kill, getpid(), 9999);
	EXPECT(ESRCH, SYS_kill, 0x3fffffff, 0);
	EXPECT(EINVAL, SYS_tgkill, getpid(), getpid(), 9999);
	EXPECT(EINVAL, SYS_tgkill, -1, getpid(), SIGUSR1);
	EXPECT(EINVAL, SYS_tkill, -5, 0);
	EXPECT(ECHILD, SYS_wait4, -1, b.out[0], 0, 0);
	EXPECT(EINVAL, SYS_wait4, -1, 0, ~0L, 0);
	EXPECT(EINVAL, SYS_arch_prctl, 0x9999, 0);
	EXPECT(EPERM, SYS_arch_prctl, 0x1002 /* ARCH_SET_FS */, (long)0xffff800000000000UL);
	EXPECT(EINVAL, SYS_getrusage, 99, (long)&b);
	EXPECT(EINVAL, SYS_getrlimit, 99, (long)&b);
	EXPECT(EINVAL, SYS_prlimit64, 0, 99, 0, (long)&b);
	EXPECT(EINVAL, SYS_setitimer, 99, 0, 0);
	no_mismatches();
}

UTEST(time_and_info_calls_with_garbage_fail)
{
	struct ut_bad b;
	struct timespec ts = { 0, 2000000000L };

	ut_make_bad(&b);
	for (int i = 0; i < b.nout; i++) {
		EXPECT(EFAULT, SYS_uname, b.out[i]);
		EXPECT(EFAULT, SYS_clock_gettime, CLOCK_MONOTONIC, b.out[i]);
		if (i > 0)      /* gettimeofday(NULL, NULL) is fine */
			EXPECT(EFAULT, SYS_gettimeofday, b.out[i], 0);
		EXPECT(EFAULT, SYS_sysinfo, b.out[i]);
		EXPECT(EFAULT, SYS_getrandom, b.out[i], 16, 0);
	}
	EXPECT(EFAULT, SYS_uname, b.straddle);
	EXPECT(EFAULT, SYS_clock_gettime, CLOCK_MONOTONIC, b.straddle);
	EXPECT(EFAULT, SYS_sysinfo, b.straddle);
	EXPECT(EFAULT, SYS_getrusage, RUSAGE_SELF, b.straddle);
	EXPECT(EINVAL, SYS_clock_gettime, 9999, (long)&ts);
	EXPECT(EINVAL, SYS_nanosleep, (long)&ts, 0);
	EXPECT(EINVAL, SYS_getrandom, (long)&ts, 8, ~0L);
	no_mismatches();
}

UTEST(unknown_system_calls_are_enosys)
{
	static const long numbers[] = {
		512, 547,               /* x32-only numbers: none in 64-bit mode */
		999,                    /* just below uvmkern's own */
		1999, 4096, 100000, 0x3fffffff, -1, -1000,
	};

	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		EXPECT(ENOSYS, numbers[i], 0, 0, 0, 0, 0, 0);
	no_mismatches();
}

/*
 * Every test runs in a fresh process of its own (utest.c), so this one
 * makes all the garbage calls above itself, then checks that they left
 * the process whole: its memory and protections, new mappings, a pipe,
 * fork.  A new test above goes in its UT_RUN list too.
 */
UTEST(the_process_is_fine_afterwards)
{
	char *p = ut_map(4, RW), *q;
	int fds[2];
	char c = 0;
	pid_t pid;

	memset(p, 0x17, 4 * PAGE);
	UT_SYS(mprotect(p + PAGE, PAGE, PROT_READ));
	UT_RUN(file_calls_with_bad_buffers_are_efault);
	UT_RUN(file_calls_with_bad_descriptors_are_ebadf);
	UT_RUN(descriptor_upper_bits_are_ignored);
	UT_RUN(reads_and_writes_against_the_access_mode_are_ebadf);
	UT_RUN(file_calls_with_bad_values_are_einval);
	UT_RUN(memory_calls_with_garbage_fail);
	UT_RUN(process_and_signal_calls_with_garbage_fail);
	UT_RUN(time_and_info_calls_with_garbage_fail);
	UT_RUN(unknown_system_calls_are_enosys);
	for (size_t i = 0; i < 4 * PAGE; i += 512)
		UT_EQ(p[i], 0x17);
	UT_EQ(ut_probe_write(p + PAGE, 1, NULL), SIGSEGV);
	UT_EQ(ut_probe_write(p + 2 * PAGE, 0x18, NULL), 0);
	q = ut_map(2, RW);
	q[2 * PAGE - 1] = 'q';
	UT_SYS(pipe(fds));
	UT_EQ(write(fds[1], "k", 1), 1);
	UT_EQ(read(fds[0], &c, 1), 1);
	UT_EQ(c, 'k');
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0)
		_exit(p[3 * PAGE] == 0x17 && p[2 * PAGE] == 0x18 &&
		      q[2 * PAGE - 1] == 'q' ? 0 : 1);
	UT_CHILD_EXITS(pid, 0);
}
