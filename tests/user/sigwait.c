/*
 * tests/user/sigwait.c - rt_sigtimedwait: taking a signal as data instead
 * of running its handler, as busybox init waits for SIGCHLD and for
 * poweroff's SIGUSR2.
 *
 * The signals waited for are blocked, so that they stay pending until
 * the call takes them; one of them arriving ends the wait (though
 * blocked), another signal with a handler ends it with EINTR, and the
 * timeout with EAGAIN (a zero timeout only looks).
 */
#define _GNU_SOURCE
#include "utest.h"

#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Block sig and return the set holding only it. */
static sigset_t
block(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	UT_SYS(sigprocmask(SIG_BLOCK, &s, NULL));
	return s;
}

/* A child that waits ms, then sends sig to its parent. */
static pid_t
send_later(int sig, long ms)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		struct timespec ts = { 0, ms * 1000000 };
		nanosleep(&ts, NULL);
		kill(getppid(), sig);
		_exit(0);
	}
	return pid;
}

UTEST(a_pending_blocked_signal_is_taken_without_its_handler)
{
	struct timespec zero = { 0, 0 };
	sigset_t s = block(SIGUSR1), pend;
	siginfo_t info;

	ut_count_signal(SIGUSR1);
	UT_SYS(kill(getpid(), SIGUSR1));
	UT_EQ(UT_SYS(sigtimedwait(&s, &info, &zero)), SIGUSR1);
	UT_EQ(info.si_signo, SIGUSR1);
	UT_EQ(info.si_code, SI_USER);
	UT_SYS(sigpending(&pend));
	UT_ASSERT(!sigismember(&pend, SIGUSR1));
	UT_SYS(sigprocmask(SIG_UNBLOCK, &s, NULL));
	UT_EQ(ut_signals, 0);
}

UTEST(nothing_pending_is_eagain_after_the_timeout)
{
	struct timespec zero = { 0, 0 }, t = { 0, 40000000 };
	sigset_t s = block(SIGUSR1);

	UT_ERR(sigtimedwait(&s, NULL, &zero), EAGAIN);
	long t0 = now_ms();
	UT_ERR(sigtimedwait(&s, NULL, &t), EAGAIN);
	UT_ASSERT(now_ms() - t0 >= 40);
}

UTEST(a_signal_of_the_set_sent_later_ends_the_wait)
{
	sigset_t s = block(SIGUSR2);
	pid_t pid = send_later(SIGUSR2, 50);

	UT_EQ(UT_SYS(sigwaitinfo(&s, NULL)), SIGUSR2);
	UT_CHILD_EXITS(pid, 0);
}

/* Every signal blocked, SIGCHLD too (as busybox init waits): the one
 * sent must still end the wait, with nothing else to wake it. */
UTEST(a_wait_with_every_signal_blocked_ends_at_the_one_sent)
{
	sigset_t all, s = block(SIGUSR2);

	sigfillset(&all);
	UT_SYS(sigprocmask(SIG_BLOCK, &all, NULL));
	pid_t pid = fork();
	if (pid == 0) {
		int sig = sigwaitinfo(&s, NULL);
		_exit(sig == SIGUSR2 ? 0 : 1);
	}
	usleep(50000);              /* let it sleep in the wait */
	UT_SYS(kill(pid, SIGUSR2));
	UT_CHILD_EXITS(pid, 0);
	UT_SYS(sigprocmask(SIG_UNBLOCK, &all, NULL));
}

UTEST(another_signal_with_a_handler_is_eintr)
{
	struct timespec t = { 5, 0 };
	sigset_t s = block(SIGUSR1);

	ut_count_signal(SIGUSR2);
	pid_t pid = send_later(SIGUSR2, 50);
	/* The call itself: musl's sigtimedwait retries after EINTR. */
	UT_EQ(syscall(SYS_rt_sigtimedwait, &s, NULL, &t, 8), -1);
	UT_EQ(errno, EINTR);
	UT_EQ(ut_signals, 1);
	UT_CHILD_EXITS(pid, 0);
}

UTEST(bad_size_timeout_or_pointer_is_an_error)
{
	struct timespec bad = { 0, 1000000000 };
	sigset_t s = block(SIGUSR1);

	UT_EQ(syscall(SYS_rt_sigtimedwait, &s, NULL, NULL, 4), -1);
	UT_EQ(errno, EINVAL);
	UT_ERR(sigtimedwait(&s, NULL, &bad), EINVAL);
	UT_EQ(syscall(SYS_rt_sigtimedwait, NULL, NULL, NULL, 8), -1);
	UT_EQ(errno, EFAULT);
}

UTEST(sigsuspend_goes_on_after_a_stop_and_continue)
{
	sigset_t none;
	pid_t pid;

	block(SIGUSR1);
	ut_count_signal(SIGUSR1);
	sigemptyset(&none);
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
		kill(getppid(), SIGSTOP);
		nanosleep(&ts, NULL);
		kill(getppid(), SIGCONT);
		nanosleep(&ts, NULL);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	/* The stop is no signal to return for: only SIGUSR1's handler is. */
	UT_ERR(sigsuspend(&none), EINTR);
	UT_EQ(ut_signals, 1);
	sigset_t m;
	sigprocmask(SIG_SETMASK, NULL, &m);
	UT_ASSERT(sigismember(&m, SIGUSR1));
	UT_CHILD_EXITS(pid, 0);
}
