/*
 * tests/user/poll.c - poll, ppoll, select and pselect6: waiting for any of
 * several descriptors, as an interactive shell does for its terminal.
 *
 * What a pipe reports (Linux's rules):
 *
 *   read end:   POLLIN while it holds bytes; POLLHUP once no writer is
 *               left (with POLLIN too while bytes remain)
 *   write end:  POLLOUT while there is room; POLLERR once no reader is left
 *
 * POLLERR and POLLHUP come whether asked for or not; a negative fd is
 * skipped (revents 0), a descriptor that is not open is POLLNVAL (and
 * counts as ready).  A wait ends when a descriptor becomes ready (a
 * writer in another process writes or closes), when the timeout passes,
 * or when a signal runs a handler (EINTR).  ppoll and pselect6 wait with
 * a signal mask of their own and put the old one back afterwards.
 */
#define _GNU_SOURCE
#include "utest.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* One pollfd's revents after a poll with timeout ms (which must return n). */
static short
poll1(int fd, short events, int ms, int n)
{
	struct pollfd p = { fd, events, 0x7777 };

	UT_EQ(UT_SYS(poll(&p, 1, ms)), n);
	return p.revents;
}

/* A child that naps ms, then writes a byte to fd (or, with close, just exits). */
static pid_t
later(int fd, long ms, bool write_byte, int close_too)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		if (close_too >= 0)
			close(close_too);
		nap_ms(ms);
		if (write_byte && write(fd, "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	return pid;
}

UTEST(empty_pipe_is_not_ready_and_timeout_0_returns_at_once)
{
	int p[2];

	UT_SYS(pipe(p));
	UT_EQ(poll1(p[0], POLLIN, 0, 0), 0);
	UT_EQ(poll1(p[1], POLLOUT, 0, 1), POLLOUT);
	UT_EQ(poll1(p[1], POLLIN, 0, 0), 0);    /* a write end never reads */
	close(p[0]);
	close(p[1]);
}

UTEST(pipe_with_data_is_readable_and_full_pipe_not_writable)
{
	char buf[512] = { 0 };
	int p[2];

	UT_SYS(pipe2(p, O_NONBLOCK));
	UT_EQ(UT_SYS(write(p[1], "a", 1)), 1);
	UT_EQ(poll1(p[0], POLLIN | POLLOUT, 0, 1), POLLIN);
	UT_EQ(poll1(p[0], POLLRDNORM, 0, 1), POLLRDNORM);
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	UT_EQ(errno, EAGAIN);
	UT_EQ(poll1(p[1], POLLOUT, 0, 0), 0);
	UT_SYS(read(p[0], buf, sizeof(buf)));
	/* Linux wants a page of room before it says POLLOUT: read it all. */
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	UT_EQ(poll1(p[1], POLLOUT | POLLWRNORM, 0, 1), POLLOUT | POLLWRNORM);
	close(p[0]);
	close(p[1]);
}

UTEST(read_end_hangs_up_when_the_last_writer_closes)
{
	int p[2];

	UT_SYS(pipe(p));
	UT_SYS(write(p[1], "ab", 2));
	close(p[1]);
	/* Asked for nothing: POLLHUP comes anyway; with bytes left, POLLIN too. */
	UT_EQ(poll1(p[0], 0, 0, 1), POLLHUP);
	UT_EQ(poll1(p[0], POLLIN, 0, 1), POLLIN | POLLHUP);
	char buf[4];
	UT_EQ(read(p[0], buf, sizeof(buf)), 2);
	UT_EQ(poll1(p[0], POLLIN, 0, 1), POLLHUP);
	close(p[0]);
}

UTEST(write_end_gets_pollerr_when_the_last_reader_closes)
{
	int p[2];

	UT_SYS(pipe(p));
	close(p[0]);
	UT_EQ(poll1(p[1], POLLOUT, 0, 1), POLLOUT | POLLERR);
	UT_EQ(poll1(p[1], 0, 0, 1), POLLERR);
	close(p[1]);
}

UTEST(negative_fd_is_skipped_and_a_closed_fd_is_pollnval)
{
	struct pollfd p[3];
	int fd[2];

	UT_SYS(pipe(fd));
	int bad = (int)UT_SYS(dup(fd[0]));
	close(bad);
	p[0] = (struct pollfd){ -1, POLLIN, 0x7777 };
	p[1] = (struct pollfd){ bad, POLLIN, 0x7777 };
	p[2] = (struct pollfd){ fd[1], POLLOUT, 0x7777 };
	UT_EQ(UT_SYS(poll(p, 3, 0)), 2);
	UT_EQ(p[0].revents, 0);
	UT_EQ(p[1].revents, POLLNVAL);
	UT_EQ(p[2].revents, POLLOUT);
	/* Only the negative one: nothing to wait for but the timeout. */
	UT_EQ(UT_SYS(poll(p, 1, 10)), 0);
	close(fd[0]);
	close(fd[1]);
}

UTEST(timeout_waits_at_least_as_long_as_asked)
{
	int p[2];

	UT_SYS(pipe(p));
	long t0 = now_ms();
	UT_EQ(poll1(p[0], POLLIN, 60, 0), 0);
	long took = now_ms() - t0;
	UT_ASSERT(took >= 60 && took < 2000);
	/* No descriptors at all: poll is a sleep. */
	t0 = now_ms();
	UT_EQ(UT_SYS(poll(NULL, 0, 30)), 0);
	UT_ASSERT(now_ms() - t0 >= 30);
	close(p[0]);
	close(p[1]);
}

UTEST(a_writer_in_another_process_wakes_the_poller)
{
	int p[2];

	UT_SYS(pipe(p));
	pid_t pid = later(p[1], 50, true, p[0]);
	long t0 = now_ms();
	UT_EQ(poll1(p[0], POLLIN, -1, 1), POLLIN);
	UT_ASSERT(now_ms() - t0 < 5000);
	UT_CHILD_EXITS(pid, 0);
	close(p[0]);
	close(p[1]);
}

UTEST(the_last_writer_exiting_wakes_the_poller_with_pollhup)
{
	int p[2];

	UT_SYS(pipe(p));
	pid_t pid = later(p[1], 50, false, p[0]);
	close(p[1]);
	UT_EQ(poll1(p[0], POLLIN, 5000, 1), POLLHUP);
	UT_CHILD_EXITS(pid, 0);
	close(p[0]);
}

UTEST(nfds_over_rlimit_nofile_is_einval_and_bad_pointers_efault)
{
	struct rlimit rl;

	UT_SYS(getrlimit(RLIMIT_NOFILE, &rl));
	UT_ERR(poll(NULL, rl.rlim_cur + 1, 0), EINVAL);
	UT_ERR(poll(NULL, 1, 0), EFAULT);
	/* Readable but not writable: the revents cannot be written back. */
	struct pollfd *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_ASSERT(ro != MAP_FAILED);
	UT_ERR(poll(ro, 1, 0), EFAULT);
	UT_ERR(ppoll(NULL, 1, NULL, NULL), EFAULT);
	munmap(ro, PAGE);
}

UTEST(a_handler_makes_poll_fail_with_eintr)
{
	int p[2];

	UT_SYS(pipe(p));
	ut_count_signal(SIGUSR1);
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		nap_ms(50);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	struct pollfd pf = { p[0], POLLIN, 0 };
	UT_ERR(poll(&pf, 1, 5000), EINTR);
	UT_EQ(ut_signals, 1);
	UT_CHILD_EXITS(pid, 0);
	close(p[0]);
	close(p[1]);
}

UTEST(select_reports_pipe_ends_and_counts_each_bit)
{
	struct timeval tv = { 0, 0 };
	fd_set r, w;
	int p[2];

	UT_SYS(pipe(p));
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	UT_EQ(UT_SYS(select(p[1] + 1, &r, &w, NULL, &tv)), 1);
	UT_ASSERT(!FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));
	UT_SYS(write(p[1], "x", 1));
	FD_SET(p[0], &r);
	FD_SET(p[0], &w);      /* a read end is never writable */
	FD_SET(p[1], &w);
	UT_EQ(UT_SYS(select(p[1] + 1, &r, &w, NULL, &tv)), 2);
	UT_ASSERT(FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w) && !FD_ISSET(p[0], &w));
	/* Hang-up reads as readable; no reader left makes a write end writable. */
	close(p[1]);
	char c;
	UT_EQ(read(p[0], &c, 1), 1);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	UT_EQ(UT_SYS(select(p[0] + 1, &r, NULL, NULL, &tv)), 1);
	close(p[0]);
}

UTEST(select_waits_for_a_writer_and_times_out)
{
	struct timeval tv = { 0, 50000 };
	fd_set r;
	int p[2];

	UT_SYS(pipe(p));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	long t0 = now_ms();
	/* The system call itself: musl's select passes a copy of tv. */
	UT_EQ(UT_SYS(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv)), 0);
	UT_ASSERT(now_ms() - t0 >= 50);
	UT_ASSERT(!FD_ISSET(p[0], &r));
	/* Linux writes the time left back: none. */
	UT_EQ(tv.tv_sec, 0);
	UT_EQ(tv.tv_usec, 0);
	pid_t pid = later(p[1], 50, true, p[0]);
	FD_SET(p[0], &r);
	UT_EQ(UT_SYS(select(p[0] + 1, &r, NULL, NULL, NULL)), 1);
	UT_ASSERT(FD_ISSET(p[0], &r));
	UT_CHILD_EXITS(pid, 0);
	close(p[0]);
	close(p[1]);
}

UTEST(select_bad_fd_is_ebadf_negative_nfds_einval)
{
	struct timeval tv = { 0, 0 };
	fd_set r;
	int p[2];

	UT_SYS(pipe(p));
	int bad = (int)UT_SYS(dup(p[0]));
	close(bad);
	FD_ZERO(&r);
	FD_SET(bad, &r);
	UT_ERR(select(bad + 1, &r, NULL, NULL, &tv), EBADF);
	UT_ERR(select(-1, NULL, NULL, NULL, &tv), EINVAL);
	tv.tv_sec = -1;
	UT_ERR(select(0, NULL, NULL, NULL, &tv), EINVAL);
	/* The sets are read only up to nfds: a bad fd above it is no error. */
	tv.tv_sec = 0;
	FD_ZERO(&r);
	FD_SET(bad, &r);
	UT_EQ(UT_SYS(select(bad, &r, NULL, NULL, &tv)), 0);
	fd_set *volatile unmapped = (fd_set *)8;
	UT_ERR(select(1, unmapped, NULL, NULL, &tv), EFAULT);
	close(p[0]);
	close(p[1]);
}

/* The mask in force now. */
static sigset_t
cur_mask(void)
{
	sigset_t s;

	sigprocmask(SIG_SETMASK, NULL, &s);
	return s;
}

UTEST(ppoll_unblocks_a_pending_signal_for_the_wait_only)
{
	struct timespec ts = { 5, 0 };
	sigset_t usr1, none;
	int p[2];

	UT_SYS(pipe(p));
	ut_count_signal(SIGUSR1);
	sigemptyset(&usr1);
	sigemptyset(&none);
	sigaddset(&usr1, SIGUSR1);
	UT_SYS(sigprocmask(SIG_BLOCK, &usr1, NULL));
	UT_SYS(kill(getpid(), SIGUSR1));
	UT_EQ(ut_signals, 0);
	struct pollfd pf = { p[0], POLLIN, 0 };
	long t0 = now_ms();
	UT_ERR(ppoll(&pf, 1, &ts, &none), EINTR);
	UT_ASSERT(now_ms() - t0 < 2000);
	UT_EQ(ut_signals, 1);
	/* The old mask is back: SIGUSR1 blocked again. */
	sigset_t m = cur_mask();
	UT_ASSERT(sigismember(&m, SIGUSR1));
	close(p[0]);
	close(p[1]);
}

UTEST(ppoll_mask_keeps_a_signal_out_until_it_returns)
{
	struct timespec ts = { 0, 30000000 };
	sigset_t usr1;
	int p[2];

	UT_SYS(pipe(p));
	ut_count_signal(SIGUSR1);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	UT_SYS(sigprocmask(SIG_BLOCK, &usr1, NULL));
	UT_SYS(kill(getpid(), SIGUSR1));
	struct pollfd pf = { p[0], POLLIN, 0 };
	/* Blocked in the call's own mask: it times out, the signal waits. */
	UT_EQ(UT_SYS(ppoll(&pf, 1, &ts, &usr1)), 0);
	UT_EQ(ut_signals, 0);
	UT_SYS(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	UT_EQ(ut_signals, 1);
	close(p[0]);
	close(p[1]);
}

UTEST(pselect_with_a_mask_is_eintr_and_restores_the_mask)
{
	struct timespec ts = { 5, 0 };
	sigset_t usr1, none;
	fd_set r;
	int p[2];

	UT_SYS(pipe(p));
	ut_count_signal(SIGUSR1);
	sigemptyset(&usr1);
	sigemptyset(&none);
	sigaddset(&usr1, SIGUSR1);
	UT_SYS(sigprocmask(SIG_BLOCK, &usr1, NULL));
	UT_SYS(kill(getpid(), SIGUSR1));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	UT_ERR(pselect(p[0] + 1, &r, NULL, NULL, &ts, &none), EINTR);
	UT_EQ(ut_signals, 1);
	sigset_t m = cur_mask();
	UT_ASSERT(sigismember(&m, SIGUSR1));
	/* A ready descriptor wins over the signal: no EINTR, no handler. */
	UT_SYS(kill(getpid(), SIGUSR1));
	UT_SYS(write(p[1], "x", 1));
	FD_SET(p[0], &r);
	UT_EQ(UT_SYS(pselect(p[0] + 1, &r, NULL, NULL, &ts, &usr1)), 1);
	UT_EQ(ut_signals, 1);
	close(p[0]);
	close(p[1]);
}

UTEST(ppoll_sigsetsize_must_be_8)
{
	sigset_t none;

	sigemptyset(&none);
	UT_EQ(syscall(SYS_ppoll, NULL, 0, NULL, &none, 4), -1);
	UT_EQ(errno, EINVAL);
}

UTEST(regular_files_and_dev_null_are_always_ready)
{
	int fd = (int)UT_SYS(open("/dev/null", O_RDWR));

	UT_EQ(poll1(fd, POLLIN | POLLOUT, -1, 1), POLLIN | POLLOUT);
	close(fd);
	fd = (int)UT_SYS(open("/proc/self/maps", O_RDONLY));
	UT_EQ(poll1(fd, POLLIN | POLLOUT, -1, 1), POLLIN | POLLOUT);
	close(fd);
	fd = (int)UT_SYS(open("/", O_RDONLY | O_DIRECTORY));
	UT_EQ(poll1(fd, POLLIN, -1, 1), POLLIN);
	close(fd);
}

UTEST(a_stop_and_continue_do_not_end_poll_nor_lengthen_it)
{
	int p[2], t[2];
	long cont_ms;

	UT_SYS(pipe(p));
	UT_SYS(pipe(t));
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		nap_ms(50);
		kill(getppid(), SIGSTOP);
		nap_ms(50);
		cont_ms = now_ms();
		kill(getppid(), SIGCONT);
		_exit(write(t[1], &cont_ms, sizeof(cont_ms)) == sizeof(cont_ms) ? 0 : 1);
	}
	/*
	 * The poll goes on to the deadline it had: it ends before the
	 * continue plus a whole timeout, which a poll started over after
	 * the continue could not (however late the machine runs).
	 */
	UT_EQ(poll1(p[0], POLLIN, 1000, 0), 0);
	long end_ms = now_ms();
	UT_EQ(read(t[0], &cont_ms, sizeof(cont_ms)), sizeof(cont_ms));
	UT_ASSERT(end_ms < cont_ms + 1000);
	UT_CHILD_EXITS(pid, 0);
	close(p[0]);
	close(p[1]);
	close(t[0]);
	close(t[1]);
}

UTEST(restart_syscall_called_by_a_program_is_eintr)
{
	UT_EQ(syscall(SYS_restart_syscall), -1);
	UT_EQ(errno, EINTR);
}
