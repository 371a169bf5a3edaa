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
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 512

/*
 * Write to fd until the pipe is full (out), or read it until it is empty,
 * with O_NONBLOCK for the while: the EAGAIN says where it stopped.
 *  => the bytes moved.
 */
static long
pump(int fd, bool out)
{
	static char buf[CHUNK];
	int flags = (int)UT_SYS(fcntl(fd, F_GETFL));
	long total = 0, n;

	UT_SYS(fcntl(fd, F_SETFL, flags | O_NONBLOCK));
	while ((n = out ? write(fd, buf, sizeof(buf)) : read(fd, buf, sizeof(buf))) > 0)
		total += n;
	UT_EQ(n, -1);
	UT_EQ(errno, EAGAIN);
	UT_SYS(fcntl(fd, F_SETFL, flags));
	return total;
}

#define fill(fd) pump((fd), true)
#define drain(fd) pump((fd), false)

static void
nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };

	UT_SYS(nanosleep(&ts, NULL));
}

UTEST(nonblocking_write_to_a_full_pipe_is_eagain)
{
	char buf[CHUNK] = { 0 };
	long total;
	int p[2];

	UT_SYS(pipe2(p, O_NONBLOCK));
	total = fill(p[1]);
	UT_ASSERT(total >= 4096);
	UT_ERR(write(p[1], buf, 1), EAGAIN);
	UT_ERR(write(p[1], buf, sizeof(buf)), EAGAIN);
	UT_EQ(drain(p[0]), total);                  /* nothing lost, nothing extra */
	UT_ERR(read(p[0], buf, 1), EAGAIN);        /* empty: no waiting either */
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
		for (;;)                        /* blocks once full */
			if (write(p[1], buf, sizeof(buf)) != sizeof(buf))
				_exit(1);       /* a blocking write never fails or comes up short */
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
	ut_count_signal(SIGALRM);
	alarm(1);
	UT_ERR(read(p[0], &c, 1), EINTR);
	UT_EQ(ut_signals, 1);
}

UTEST(alarm_interrupts_a_write_to_a_full_pipe)
{
	int p[2];
	char c = 'x';
	long total;

	UT_SYS(pipe(p));
	total = fill(p[1]);
	ut_count_signal(SIGALRM);
	alarm(1);
	UT_ERR(write(p[1], &c, 1), EINTR);
	UT_EQ(ut_signals, 1);
	UT_EQ(drain(p[0]), total);             /* nothing written */
}

/* A read takes all that is there, up to the request (it stopped at 256
 * bytes on uvmkern), and no more than the request. */
UTEST(read_takes_what_is_there_up_to_the_request)
{
	static char out[3000], in[4096];
	int fd[2];

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7);
	UT_SYS(pipe(fd));
	UT_EQ(write(fd[1], out, sizeof(out)), sizeof(out));
	UT_EQ(read(fd[0], in, 1000), 1000);
	UT_EQ(read(fd[0], in + 1000, sizeof(in)), 2000);
	for (size_t i = 0; i < sizeof(out); i++)
		UT_EQ(in[i], out[i]);
}

/* fcntl F_GETPIPE_SZ: 64 KiB, Linux's default; not a pipe: EBADF.
 * F_SETPIPE_SZ rounds up to a power of two pages and says so; a size the
 * waiting bytes do not fit in is EBUSY; the bytes survive a resize. */
UTEST(getpipe_sz_tells_the_capacity)
{
	static char out[8192], in[8192];
	int fd[2];

	UT_SYS(pipe(fd));
	UT_EQ(UT_SYS(fcntl(fd[0], F_GETPIPE_SZ)), 65536);
	UT_EQ(fcntl(fd[1], F_GETPIPE_SZ), 65536);
	UT_EQ(fcntl(fd[1], F_SETPIPE_SZ, 4096), 4096);
	UT_EQ(fcntl(fd[0], F_GETPIPE_SZ), 4096);
	UT_EQ(fcntl(fd[1], F_SETPIPE_SZ, 5000), 8192);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7);
	UT_EQ(UT_SYS(write(fd[1], out, sizeof(out))), (long)sizeof(out));
	UT_ERR(fcntl(fd[1], F_SETPIPE_SZ, 4096), EBUSY);
	UT_EQ(fcntl(fd[1], F_SETPIPE_SZ, 16384), 16384);
	UT_EQ(UT_SYS(read(fd[0], in, sizeof(in))), (long)sizeof(in));
	UT_ASSERT(memcmp(in, out, sizeof(in)) == 0);
	close(fd[0]);
	close(fd[1]);
	int file = (int)UT_SYS(open(ut_datafile("rows.txt"), O_RDONLY));
	UT_ERR(fcntl(file, F_GETPIPE_SZ), EBADF);
	close(file);
}

/*
 * A write of at most PIPE_BUF (4096) bytes goes in whole: two writers'
 * blocks never interleave, and a reader asking for a block's size gets
 * the whole block (Linux copies such a write in at once; stress-ng's
 * --pipe --verify checks each 512-byte read holds one write's bytes).
 */
#define ATOMIC_BLOCK 512
#define ATOMIC_BLOCKS 400

static void
write_blocks(int fd, char fill)
{
	char buf[ATOMIC_BLOCK];

	for (int i = 0; i < ATOMIC_BLOCKS; i++) {
		memset(buf, fill + i % 8, sizeof(buf));
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			_exit(1);
	}
	_exit(0);
}

UTEST(writes_up_to_pipe_buf_arrive_whole)
{
	char buf[ATOMIC_BLOCK];
	pid_t w[2];
	int p[2];

	UT_SYS(pipe(p));
	for (int k = 0; k < 2; k++) {
		w[k] = (pid_t)UT_SYS(fork());
		if (w[k] == 0) {
			close(p[0]);
			write_blocks(p[1], k == 0 ? 'a' : 'A');
		}
	}
	close(p[1]);
	for (int i = 0; i < 2 * ATOMIC_BLOCKS; i++) {
		ssize_t n = read(p[0], buf, sizeof(buf));
		UT_EQ(n, ATOMIC_BLOCK);
		for (int j = 1; j < ATOMIC_BLOCK; j++)
			UT_EQ(buf[j], buf[0]);
	}
	UT_EQ(read(p[0], buf, sizeof(buf)), 0);
	UT_CHILD_EXITS(w[0], 0);
	UT_CHILD_EXITS(w[1], 0);
}

/* What /proc/PID/status says after "name:" (a number). */
static long
status_number(pid_t pid, const char *name)
{
	char path[64], buf[4096], *s;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	ut_slurp(path, buf, sizeof(buf));
	s = strstr(buf, name);
	UT_ASSERT(s != NULL);
	return strtol(s + strlen(name), NULL, 10);
}

#define BIG_WRITE 8192              /* more than PIPE_BUF: put in as room comes */

/*
 * Two writers blocked on one full pipe both sleep until a reader makes
 * room: a writer that put nothing in wakes nobody.  (They once woke each
 * other for ever, with interrupts off all the while, so the clock
 * stopped and every timed sleeper with it: make test's trinity hung.)
 * Asleep, their voluntary switches stay where they are.
 */
UTEST(two_writers_blocked_on_a_full_pipe_both_sleep)
{
	static char buf[BIG_WRITE];
	long total, before[2], got = 0, n;
	pid_t w[2];
	int p[2];

	UT_SYS(pipe(p));
	total = fill(p[1]);
	for (int k = 0; k < 2; k++) {
		w[k] = (pid_t)UT_SYS(fork());
		if (w[k] == 0) {
			close(p[0]);
			_exit(write(p[1], buf, sizeof(buf)) == sizeof(buf) ? 0 : 1);
		}
	}
	close(p[1]);
	nap_ms(100);                        /* both are blocked by now */
	for (int k = 0; k < 2; k++)
		before[k] = status_number(w[k], "\nvoluntary_ctxt_switches:");
	nap_ms(100);
	for (int k = 0; k < 2; k++)
		UT_EQ(status_number(w[k], "\nvoluntary_ctxt_switches:"), before[k]);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		got += n;
	UT_EQ(n, 0);
	UT_EQ(got, total + 2 * BIG_WRITE);  /* and nothing was lost */
	UT_CHILD_EXITS(w[0], 0);
	UT_CHILD_EXITS(w[1], 0);
}
