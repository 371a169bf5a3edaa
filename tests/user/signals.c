/*
 * tests/user/signals.c - signals besides faults: alarm and setitimer
 * sending SIGALRM, a sleep cut short by a handler (EINTR, the time left),
 * rt_sigsuspend waiting with a temporary mask and restoring the old one,
 * and kill's errors (a missing process, a bad signal).  A killed child's
 * exit status is fork.c's (killed_child_reports_the_signal).
 */
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
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
