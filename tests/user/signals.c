/*
 * tests/user/signals.c - signals besides faults: alarm and setitimer
 * sending SIGALRM, a sleep cut short by a handler (EINTR, the time left),
 * rt_sigsuspend waiting with a temporary mask and restoring the old one,
 * kill's errors (a missing process, a bad signal), and process groups:
 * setpgid, and kill and waitpid choosing by group.  A killed child's
 * exit status is fork.c's (killed_child_reports_the_signal).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "utest.h"

UTEST(alarm_interrupts_a_long_sleep)
{
	struct timespec req = { 5, 0 }, rem = { 0, 0 };

	ut_count_signal(SIGALRM);
	alarm(1);
	UT_ERR(nanosleep(&req, &rem), EINTR);
	UT_EQ(ut_signals, 1);
	UT_ASSERT(rem.tv_sec >= 3 && rem.tv_sec <= 4);   /* about 4 s were left */
}

UTEST(setitimer_fires_repeatedly)
{
	struct itimerval it = { { 0, 50000 }, { 0, 50000 } }, off = { { 0, 0 }, { 0, 0 } };

	ut_count_signal(SIGALRM);
	UT_SYS(setitimer(ITIMER_REAL, &it, NULL));
	while (ut_signals < 3)
		;                           /* a busy loop: delivered on interrupts */
	UT_SYS(setitimer(ITIMER_REAL, &off, NULL));
}

UTEST(sigsuspend_waits_with_a_temporary_mask)
{
	sigset_t block, wait_mask, now;

	ut_count_signal(SIGALRM);
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	UT_SYS(sigprocmask(SIG_BLOCK, &block, NULL));
	alarm(1);
	sigemptyset(&wait_mask);
	UT_ERR(sigsuspend(&wait_mask), EINTR);
	UT_EQ(ut_signals, 1);
	UT_SYS(sigprocmask(SIG_BLOCK, NULL, &now));
	UT_ASSERT(sigismember(&now, SIGALRM));      /* the old mask is back */
}

UTEST(kill_of_a_missing_process_is_esrch)
{
	UT_ERR(kill(999999, 0), ESRCH);
	UT_ERR(kill(getpid(), 99), EINVAL);
	UT_SYS(kill(getpid(), 0));
}

/*
 * Process groups and kill's other targets (Linux): pid 0 is the caller's
 * group, -pgid another group, -1 everyone but init and the caller; a
 * group with nobody in it (or INT_MIN) is ESRCH.  The tests move the
 * processes they signal into groups of their own first, so no signal
 * reaches the test runner.
 */

/* Fork a process that joins group pgid (0: its own), tells ready, and
 * waits to be killed with the default action of every signal. */
static pid_t
fork_sleeper(int pgid, int ready)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		signal(SIGUSR1, SIG_DFL);
		UT_SYS(setpgid(0, pgid));
		UT_EQ(write(ready, "r", 1), 1);
		for (;;)
			pause();
	}
	return pid;
}

/* Wait for child pid, going on after a handler cut the wait short. */
static int
wait_through_signals(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		UT_EQ(errno, EINTR);
	return st;
}

UTEST(setpgid_makes_and_joins_groups)
{
	int ready[2];
	char c;

	UT_EQ(getpgrp(), getpgid(0));
	UT_SYS(pipe(ready));
	pid_t a = fork_sleeper(0, ready[1]);
	UT_EQ(read(ready[0], &c, 1), 1);
	UT_EQ(getpgid(a), a);                   /* its own group */
	pid_t b = fork_sleeper(a, ready[1]);    /* joins a's */
	UT_EQ(read(ready[0], &c, 1), 1);
	UT_EQ(getpgid(b), a);
	UT_ERR(setpgid(0, -1), EINVAL);
	UT_ERR(setpgid(999999, 0), ESRCH);
	UT_ERR(setpgid(0, 999999), EPERM);      /* no such group */
	UT_ERR(getpgid(999999), ESRCH);
	UT_SYS(kill(a, SIGKILL));
	UT_SYS(kill(b, SIGKILL));
	UT_CHILD_KILLED(a, SIGKILL);
	UT_CHILD_KILLED(b, SIGKILL);
}

UTEST(kill_zero_signals_the_callers_group_only)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		int ready[2];
		char c;

		UT_SYS(setpgid(0, 0));
		ut_count_signal(SIGUSR1);
		UT_SYS(pipe(ready));
		pid_t g = fork_sleeper(getpid(), ready[1]);
		UT_EQ(read(ready[0], &c, 1), 1);
		UT_SYS(kill(0, SIGUSR1));
		UT_EQ(ut_signals, 1);               /* the caller is in its group */
		int st = wait_through_signals(g);
		UT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);                 /* the runner was not hit */
}

UTEST(kill_minus_pgid_signals_every_process_in_the_group)
{
	int ready[2];
	char c;

	UT_SYS(pipe(ready));
	pid_t a = fork_sleeper(0, ready[1]);
	UT_EQ(read(ready[0], &c, 1), 1);
	pid_t b = fork_sleeper(a, ready[1]);
	UT_EQ(read(ready[0], &c, 1), 1);
	UT_SYS(kill(-a, SIGUSR1));
	UT_CHILD_KILLED(a, SIGUSR1);
	UT_CHILD_KILLED(b, SIGUSR1);
	UT_ERR(kill(-a, 0), ESRCH);             /* nobody left in it */
}

UTEST(kill_and_waitpid_of_int_min_are_esrch)
{
	UT_ERR(kill(INT_MIN, 0), ESRCH);
	UT_ERR(waitpid(INT_MIN, NULL, WNOHANG), ESRCH);
}

UTEST(waitpid_zero_and_minus_pgid_choose_by_group)
{
	int ready[2];
	char c;

	UT_SYS(pipe(ready));
	pid_t a = fork_sleeper(0, ready[1]);
	UT_EQ(read(ready[0], &c, 1), 1);
	UT_ERR(waitpid(0, NULL, WNOHANG), ECHILD);  /* a is in another group */
	UT_EQ(waitpid(-a, NULL, WNOHANG), 0);        /* there, still running */
	UT_SYS(kill(a, SIGKILL));
	int st;
	UT_EQ(waitpid(-a, &st, 0), a);
	UT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/*
 * SA_RESTART (Linux's rules, signal(7)): a wait4, a pipe read or write
 * cut short by a handler installed with SA_RESTART runs again after it,
 * and without the flag fails with EINTR; nanosleep fails with EINTR
 * either way.  A timer 50 ms out interrupts the call, a child ends it
 * 200 ms out.
 */
static volatile sig_atomic_t restart_hits;

static void
restart_handler(int sig)
{
	(void)sig;
	restart_hits++;
}

/* SIGALRM to restart_handler (flags: SA_RESTART or 0), due in 50 ms. */
static void
alarm_soon(int flags)
{
	struct sigaction sa = { .sa_handler = restart_handler, .sa_flags = flags };
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };

	restart_hits = 0;
	sigemptyset(&sa.sa_mask);
	UT_SYS(sigaction(SIGALRM, &sa, NULL));
	UT_SYS(setitimer(ITIMER_REAL, &it, NULL));
}

/* A child that sleeps 200 ms, writes a byte to fd (if >= 0) and exits 3. */
static pid_t
fork_late_writer(int fd)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		struct timespec t = { 0, 200000000 };
		nanosleep(&t, NULL);
		if (fd >= 0)
			UT_EQ(write(fd, "x", 1), 1);
		_exit(3);
	}
	return pid;
}

UTEST(sa_restart_restarts_an_interrupted_wait)
{
	pid_t pid = fork_late_writer(-1);
	int st;

	alarm_soon(SA_RESTART);
	UT_EQ(waitpid(pid, &st, 0), pid);       /* not EINTR */
	UT_EQ(restart_hits, 1);
	UT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 3);
}

UTEST(without_sa_restart_an_interrupted_wait_is_eintr)
{
	pid_t pid = fork_late_writer(-1);

	alarm_soon(0);
	UT_ERR(waitpid(pid, NULL, 0), EINTR);
	UT_EQ(restart_hits, 1);
	UT_CHILD_EXITS(pid, 3);
}

UTEST(sa_restart_restarts_an_interrupted_pipe_read)
{
	int fd[2];
	char c = 0;

	UT_SYS(pipe(fd));
	pid_t pid = fork_late_writer(fd[1]);
	alarm_soon(SA_RESTART);
	UT_EQ(read(fd[0], &c, 1), 1);
	UT_EQ(c, 'x');
	UT_EQ(restart_hits, 1);
	UT_CHILD_EXITS(pid, 3);
	alarm_soon(0);
	UT_ERR(read(fd[0], &c, 1), EINTR);      /* no writer's byte: cut short */
	UT_EQ(restart_hits, 1);
}

UTEST(nanosleep_is_eintr_even_with_sa_restart)
{
	struct timespec t = { 1, 0 }, rem;

	alarm_soon(SA_RESTART);
	UT_ERR(nanosleep(&t, &rem), EINTR);
	UT_EQ(restart_hits, 1);
}

/*
 * Stopping and continuing (job control's mechanism): SIGSTOP, and SIGTSTP
 * by default, stop a process; its parent sees it with waitpid(WUNTRACED)
 * and gets SIGCHLD (unless SA_NOCLDSTOP); SIGCONT continues it, seen with
 * WCONTINUED.  A stopped process runs nothing; a call it slept in goes on
 * after SIGCONT as if nothing happened.  Sessions: setsid.
 */
static pid_t
fork_pauser(void)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

/* Stop pid with sig and see it stopped; continue it and see that. */
static void
stop_and_continue(pid_t pid, int sig)
{
	int st;

	UT_SYS(kill(pid, sig));
	UT_EQ(waitpid(pid, &st, WUNTRACED), pid);
	UT_ASSERT(WIFSTOPPED(st) && WSTOPSIG(st) == sig);
	UT_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), 0);   /* reported once */
	UT_SYS(kill(pid, SIGCONT));
	UT_EQ(waitpid(pid, &st, WCONTINUED), pid);
	UT_ASSERT(WIFCONTINUED(st));
}

UTEST(sigstop_and_sigcont_are_seen_by_waitpid)
{
	pid_t pid = fork_pauser();

	stop_and_continue(pid, SIGSTOP);
	stop_and_continue(pid, SIGTSTP);
	UT_SYS(kill(pid, SIGKILL));
	UT_CHILD_KILLED(pid, SIGKILL);
}

UTEST(a_stopped_process_runs_nothing_until_continued)
{
	volatile long *n = mmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct timespec t = { 0, 100000000 };
	int st;

	UT_ASSERT(n != MAP_FAILED);
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		for (;;)
			(*n)++;
	}
	while (*n == 0)
		;
	UT_SYS(kill(pid, SIGSTOP));
	UT_EQ(waitpid(pid, &st, WUNTRACED), pid);
	long then = *n;
	nanosleep(&t, NULL);
	UT_EQ(*n, then);
	UT_SYS(kill(pid, SIGCONT));
	while (*n == then)
		;
	UT_SYS(kill(pid, SIGKILL));
	UT_CHILD_KILLED(pid, SIGKILL);
}

UTEST(sigchld_tells_of_a_stop_unless_nocldstop)
{
	pid_t pid = fork_pauser();
	struct sigaction sa = { .sa_handler = restart_handler, .sa_flags = SA_NOCLDSTOP };
	int st;

	ut_count_signal(SIGCHLD);
	UT_SYS(kill(pid, SIGSTOP));
	UT_EQ(waitpid(pid, &st, WUNTRACED), pid);
	UT_EQ(ut_signals, 1);
	UT_SYS(kill(pid, SIGCONT));
	UT_EQ(waitpid(pid, &st, WCONTINUED), pid);
	restart_hits = 0;
	sigemptyset(&sa.sa_mask);
	UT_SYS(sigaction(SIGCHLD, &sa, NULL));
	UT_SYS(kill(pid, SIGSTOP));
	UT_EQ(waitpid(pid, &st, WUNTRACED), pid);
	UT_EQ(restart_hits, 0);
	UT_SYS(kill(pid, SIGKILL));
	UT_CHILD_KILLED(pid, SIGKILL);
}

UTEST(a_read_goes_on_after_stop_and_continue)
{
	int fd[2], st;
	struct timespec t = { 0, 50000000 };

	UT_SYS(pipe(fd));
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		char c;
		UT_EQ(read(fd[0], &c, 1), 1);       /* not EINTR: no handler ran */
		UT_EQ(c, 'g');
		_exit(0);
	}
	nanosleep(&t, NULL);                    /* let it block in read */
	UT_SYS(kill(pid, SIGSTOP));
	UT_EQ(waitpid(pid, &st, WUNTRACED), pid);
	UT_SYS(kill(pid, SIGCONT));
	UT_EQ(write(fd[1], "g", 1), 1);
	UT_CHILD_EXITS(pid, 0);
}

UTEST(setsid_makes_a_session_and_a_group)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		UT_EQ(setsid(), getpid());
		UT_EQ(getsid(0), getpid());
		UT_EQ(getpgrp(), getpid());
		UT_ERR(setsid(), EPERM);            /* a group leader already */
		UT_ERR(setpgid(0, 0), EPERM);       /* a session leader */
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(getsid(0), getsid(getpid()));
	UT_ERR(getsid(999999), ESRCH);
}

UTEST(sigchld_tells_of_an_exit)
{
	ut_count_signal(SIGCHLD);
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0)
		_exit(0);
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(ut_signals, 1);
}
