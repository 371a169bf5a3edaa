/*
 * tests/user/pipes.c - pipes that block, and what gets a process out.
 *
 * A reader of an empty pipe and a writer to a full one wait, possibly for
 * ever, so a signal must end the wait: SIGKILL kills a blocked writer at
 * once, and a handler installed without SA_RESTART makes the blocked read
 * or write fail with EINTR after it ran.  With O_NONBLOCK nothing waits:
 * a full pipe refuses a write, an empty one a read, with EAGAIN.
 *
 * How much a pipe holds differs (4 KiB on uvmkern, 64 KiB on Linux), so
 * the tests fill a pipe by writing without blocking until EAGAIN.
 */
#define _GNU_SOURCE
#include "utest.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 512

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* SIGALRM runs on_alarm; no SA_RESTART, so a blocked call fails with EINTR. */
static void
catch_alarm(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	UT_SYS(sigaction(SIGALRM, &sa, NULL));
	alarms = 0;
}

/* Write to fd (O_NONBLOCK for the while) until the pipe is full.  => bytes. */
static long
fill(int fd)
{
	static char buf[CHUNK];
	int flags = (int)UT_SYS(fcntl(fd, F_GETFL));
	long total = 0, n;

	UT_SYS(fcntl(fd, F_SETFL, flags | O_NONBLOCK));
	while ((n = write(fd, buf, sizeof(buf))) > 0)
		total += n;
	UT_EQ(n, -1);
	UT_EQ(errno, EAGAIN);
	UT_SYS(fcntl(fd, F_SETFL, flags));
	return total;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };

	UT_SYS(nanosleep(&ts, NULL));
}

UTEST(nonblocking_write_to_a_full_pipe_is_eagain)
{
	char buf[CHUNK] = { 0 };
	long total, got = 0, n;
	int p[2];

	UT_SYS(pipe2(p, O_NONBLOCK));
	total = fill(p[1]);
	UT_ASSERT(total >= 4096);
	UT_ERR(write(p[1], buf, 1), EAGAIN);
	UT_ERR(write(p[1], buf, sizeof(buf)), EAGAIN);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		got += n;
	UT_ERR(read(p[0], buf, 1), EAGAIN);        /* empty: no waiting either */
	UT_EQ(got, total);                          /* nothing lost, nothing extra */
	UT_EQ(write(p[1], buf, 1), 1);              /* room again */
}

UTEST(sigkill_ends_a_writer_blocked_on_a_full_pipe)
{
	int p[2];
	pid_t pid;
	char c;

	UT_SYS(pipe(p));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		static char buf[4096];
		close(p[0]);
		for (;;)
			write(p[1], buf, sizeof(buf));  /* blocks once full */
	}
	close(p[1]);
	UT_EQ(read(p[0], &c, 1), 1);       /* it is writing... */
	nap_ms(200);                        /* ... and by now blocked, the pipe full */
	UT_SYS(kill(pid, SIGKILL));
	UT_CHILD_KILLED(pid, SIGKILL);
}

UTEST(alarm_interrupts_a_read_of_an_empty_pipe)
{
	int p[2];
	char c;

	UT_SYS(pipe(p));
	catch_alarm();
	alarm(1);
	UT_ERR(read(p[0], &c, 1), EINTR);
	UT_EQ(alarms, 1);
}

UTEST(alarm_interrupts_a_write_to_a_full_pipe)
{
	int p[2];
	char c = 'x';

	UT_SYS(pipe(p));
	fill(p[1]);
	catch_alarm();
	alarm(1);
	UT_ERR(write(p[1], &c, 1), EINTR);     /* nothing written: EINTR */
	UT_EQ(alarms, 1);
}
