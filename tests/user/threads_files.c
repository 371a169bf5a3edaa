/*
 * tests/user/threads_files.c - what the threads of one process share,
 * changed by one thread while another uses it: the descriptor table
 * (close or dup2 of a descriptor another thread is blocked reading,
 * poll on a descriptor being closed, a storm of opens, closes, dups,
 * fcntls and mmaps beside readers and writers), the working directory
 * (chdir against relative opens), the signal actions (sigaction against
 * signals arriving) and the heap end (brk from two threads).  Each
 * passes on Linux too, whose answers are the ones asserted: a close does
 * not wake a thread blocked in the file, which keeps it open until its
 * call returns.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "utest.h"
#include "uthread.h"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sleep ms milliseconds, signals or not (usleep ends at a handler). */
static void
sleep_ms(uint64_t ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end)
		usleep(1000);
}

/* Wait up to 2 s for thread tid to sleep (/proc/self/task/TID/stat: S). */
static void
wait_sleeping(pid_t tid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	for (int i = 0; i < 200; i++) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			char *p = strrchr(buf, ')');
			if (p != NULL && p[1] == ' ' && p[2] == 'S')
				return;
		}
		usleep(10000);
	}
	ut_fail(__FILE__, __LINE__, "thread %d never went to sleep", (int)tid);
}

/* ---- a blocked reader and a close or dup2 of its descriptor ---- */

struct reader {
	int fd;
	atomic_int tid;
	atomic_int done;
	ssize_t n;
	int err;
	char buf[16];
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;

	r->tid = (int)syscall(SYS_gettid);
	r->n = read(r->fd, r->buf, sizeof(r->buf));
	r->err = r->n < 0 ? errno : 0;
	r->done = 1;
	return NULL;
}

/* Start a reader of fd and wait until it sleeps in read. */
static pthread_t
start_reader(struct reader *r, int fd)
{
	pthread_t t;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	t = spawn(reader_main, r);
	while (r->tid == 0)
		usleep(1000);
	wait_sleeping(r->tid);
	return t;
}

UTEST(close_of_a_pipe_being_read_does_not_wake_the_reader)
{
	struct reader r;
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	UT_SYS(pipe(p));
	pthread_t t = start_reader(&r, p[0]);
	UT_SYS(close(p[0]));
	UT_ERR(fcntl(p[0], F_GETFD), EBADF);    /* the descriptor is gone */
	usleep(100000);
	UT_EQ(r.done, 0);                       /* ... the reader sleeps on */
	/* The pipe still has its reader (the file lives in its read): a
	 * write goes in, and the reader gets it. */
	UT_EQ(write(p[1], "late", 4), 4);
	join(t);
	UT_EQ(r.n, 4);
	UT_EQ(memcmp(r.buf, "late", 4), 0);
	/* Its read over, the file closed for good: no reader now. */
	UT_ERR(write(p[1], "x", 1), EPIPE);
	UT_SYS(close(p[1]));
}

UTEST(dup2_over_a_descriptor_being_read)
{
	struct reader r;
	char c;
	int a[2], b[2];

	UT_SYS(pipe(a));
	UT_SYS(pipe(b));
	pthread_t t = start_reader(&r, a[0]);
	UT_EQ(dup2(b[0], a[0]), a[0]);          /* a[0] now reads pipe b */
	usleep(50000);
	UT_EQ(r.done, 0);
	UT_EQ(write(b[1], "B", 1), 1);          /* through the new a[0] ... */
	UT_EQ(read(a[0], &c, 1), 1);
	UT_EQ(c, 'B');
	UT_EQ(r.done, 0);                       /* ... not to the old reader */
	UT_EQ(write(a[1], "A", 1), 1);          /* the old pipe still has it */
	join(t);
	UT_EQ(r.n, 1);
	UT_EQ(r.buf[0], 'A');
	UT_SYS(close(a[0]));
	UT_SYS(close(a[1]));
	UT_SYS(close(b[0]));
	UT_SYS(close(b[1]));
}

struct poller {
	int fd;
	atomic_int tid;
	int n;
	short revents;
};

static void *
poller_main(void *arg)
{
	struct poller *pl = arg;
	struct pollfd pfd = { pl->fd, POLLIN, 0 };

	pl->tid = (int)syscall(SYS_gettid);
	pl->n = poll(&pfd, 1, -1);     /* untimed: a timed poll here wakes every tick */
	pl->revents = pfd.revents;
	return NULL;
}

UTEST(poll_on_a_descriptor_closed_meanwhile_says_pollnval)
{
	struct poller pl = { 0 };
	int p[2];

	UT_SYS(pipe(p));
	pl.fd = p[0];
	pthread_t t = spawn(poller_main, &pl);
	while (pl.tid == 0)
		usleep(1000);
	wait_sleeping(pl.tid);
	UT_SYS(close(p[0]));
	/* The poller watches the pipe still: the write wakes it, and its
	 * next look at the descriptor finds it closed. */
	UT_EQ(write(p[1], "w", 1), 1);
	join(t);
	UT_EQ(pl.n, 1);
	UT_EQ(pl.revents, POLLNVAL);
	UT_SYS(close(p[1]));
}

/* ---- a storm on the descriptor table ---- */

#define STORM_LO 20                             /* the descriptors it plays on */
#define STORM_HI 60
#define STORM_MS 1000
#define STORM_FILE "/tmp/threads_files.storm"

static atomic_int storm_stop;
static atomic_long storm_ops;
static atomic_int storm_bad;                    /* an answer Linux never gives */
static atomic_int storm_bad_errno;

static void
storm_check(long r, int ok1, int ok2, int ok3)
{
	int e = errno;

	storm_ops++;
	if (r >= 0 || e == EBADF || e == ok1 || e == ok2 || e == ok3)
		return;
	storm_bad++;
	storm_bad_errno = e;
}

static int
storm_fd(unsigned *seed)
{
	return STORM_LO + (int)(rand_r(seed) % (STORM_HI - STORM_LO));
}

/* Opens, closes, dup2s and fcntls descriptors in [STORM_LO, STORM_HI). */
static void *
storm_changer(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!storm_stop) {
		int fd = storm_fd(&seed), to = storm_fd(&seed), p[2];
		switch (rand_r(&seed) % 7) {
		case 0: {
			int n = open(STORM_FILE, O_RDWR);
			storm_check(n, 0, 0, 0);
			if (n >= 0)
				storm_check(dup2(n, fd), 0, 0, 0), close(n);
			break;
		}
		case 1:
			if (pipe2(p, O_NONBLOCK) == 0) {
				storm_check(dup2(p[0], fd), 0, 0, 0);
				storm_check(dup2(p[1], to), 0, 0, 0);
				close(p[0]);
				close(p[1]);
			}
			break;
		case 2:
			storm_check(close(fd), 0, 0, 0);
			break;
		case 3:
			storm_check(dup2(fd, to), 0, 0, 0);
			break;
		case 4: {
			int n = fcntl(fd, F_DUPFD, STORM_HI);
			storm_check(n, EMFILE, 0, 0);
			if (n >= 0)
				close(n);
			break;
		}
		case 5:
			storm_check(fcntl(fd, F_SETFD, rand_r(&seed) & 1 ? FD_CLOEXEC : 0), 0, 0, 0);
			/* O_NONBLOCK stays: a pipe read must never block here. */
			storm_check(fcntl(fd, F_SETFL, O_NONBLOCK |
			    (rand_r(&seed) & 1 ? O_APPEND : 0)), 0, 0, 0);
			break;
		default:
			storm_check(dup3(fd, to, O_CLOEXEC), EINVAL, 0, 0);
			break;
		}
	}
	return NULL;
}

/* Reads, writes, stats, polls and maps whatever the descriptors hold. */
static void *
storm_user(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	char buf[64];
	struct stat st;

	while (!storm_stop) {
		int fd = storm_fd(&seed);
		switch (rand_r(&seed) % 6) {
		case 0:
			storm_check(read(fd, buf, sizeof(buf)), EAGAIN, EISDIR, 0);
			break;
		case 1:
			storm_check(write(fd, "storm", 5), EAGAIN, EPIPE, 0);
			break;
		case 2:
			storm_check(pread(fd, buf, sizeof(buf), 0), ESPIPE, 0, 0);
			break;
		case 3:
			storm_check(fstat(fd, &st), 0, 0, 0);
			break;
		case 4: {
			struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { storm_fd(&seed), POLLOUT, 0 } };
			storm_check(poll(pfd, 2, 1), 0, 0, 0);
			break;
		}
		default: {
			void *m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
			if (m != MAP_FAILED) {
				storm_ops++;
				munmap(m, PAGE);
			} else {
				storm_check(-1, ENODEV, EACCES, 0);
			}
			break;
		}
		}
	}
	return NULL;
}

UTEST(descriptor_storm_from_many_threads)
{
	pthread_t t[6];
	int fd;

	signal(SIGPIPE, SIG_IGN);
	fd = UT_SYS(open(STORM_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600));
	UT_SYS(ftruncate(fd, PAGE));
	UT_SYS(close(fd));
	storm_stop = 0;
	for (int i = 0; i < 6; i++)
		t[i] = spawn(i < 3 ? storm_changer : storm_user, (void *)(uintptr_t)(i + 1));
	sleep_ms(STORM_MS);
	storm_stop = 1;
	for (int i = 0; i < 6; i++)
		join(t[i]);
	if (storm_bad != 0)
		ut_fail(__FILE__, __LINE__, "%d calls failed with %s", (int)storm_bad,
		    ut_errname(storm_bad_errno));
	UT_ASSERT(storm_ops > 1000);
	for (int i = STORM_LO; i < STORM_HI + 64; i++)
		close(i);
	/* Every descriptor went back: the lowest free is the first unused. */
	fd = UT_SYS(open("/dev/null", O_RDONLY));
	UT_ASSERT(fd < STORM_LO);
	UT_SYS(close(fd));
	UT_SYS(unlink(STORM_FILE));
}

/* ---- the working directory ---- */

#define CWD_A "/tmp/threads_files.a"
#define CWD_B "/tmp/threads_files.b"

static atomic_int cwd_stop;
static atomic_int cwd_bad;

static void *
cwd_switcher(void *arg)
{
	(void)arg;
	for (int i = 0; !cwd_stop; i++)
		if (chdir(i & 1 ? CWD_B : CWD_A) != 0)
			cwd_bad++;
	return NULL;
}

/* Relative opens while the cwd changes: each finds one of the two files. */
static void *
cwd_opener(void *arg)
{
	char c, path[128];

	(void)arg;
	while (!cwd_stop) {
		int fd = open("f", O_RDONLY);
		if (fd < 0 || read(fd, &c, 1) != 1 || (c != 'a' && c != 'b'))
			cwd_bad++;
		if (fd >= 0)
			close(fd);
		if (getcwd(path, sizeof(path)) == NULL ||
		    (strcmp(path, CWD_A) != 0 && strcmp(path, CWD_B) != 0))
			cwd_bad++;
	}
	return NULL;
}

static void
cwd_make(const char *dir, const char *content)
{
	char path[128];
	int fd;

	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = UT_SYS(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600));
	UT_EQ(write(fd, content, 1), 1);
	UT_SYS(close(fd));
}

UTEST(chdir_while_other_threads_open_relative_paths)
{
	pthread_t t[3];

	cwd_make(CWD_A, "a");
	cwd_make(CWD_B, "b");
	UT_SYS(chdir(CWD_A));
	for (int i = 0; i < 3; i++)
		t[i] = spawn(i == 0 ? cwd_switcher : cwd_opener, NULL);
	sleep_ms(500);
	cwd_stop = 1;
	for (int i = 0; i < 3; i++)
		join(t[i]);
	UT_EQ(cwd_bad, 0);
	UT_SYS(chdir("/"));
	UT_SYS(unlink(CWD_A "/f"));
	UT_SYS(unlink(CWD_B "/f"));
	UT_SYS(rmdir(CWD_A));
	UT_SYS(rmdir(CWD_B));
}

/* ---- signal actions ---- */

static atomic_int sig_stop;
static atomic_long sig_taken;
static atomic_int sig_torn;

/* Handler A is installed with SIGUSR2 in its mask, B with SIGWINCH: each
 * must run with its own action's mask (one sigaction, never half of two). */
static void
handler_a(int sig)
{
	sigset_t cur;

	(void)sig;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	if (!sigismember(&cur, SIGUSR2) || sigismember(&cur, SIGWINCH))
		sig_torn++;
	sig_taken++;
}

static void
handler_b(int sig)
{
	sigset_t cur;

	(void)sig;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	if (!sigismember(&cur, SIGWINCH) || sigismember(&cur, SIGUSR2))
		sig_torn++;
	sig_taken++;
}

static void *
sig_changer(void *arg)
{
	struct sigaction sa;

	(void)arg;
	for (int i = 0; !sig_stop; i++) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = i & 1 ? handler_b : handler_a;
		sigemptyset(&sa.sa_mask);
		sigaddset(&sa.sa_mask, i & 1 ? SIGWINCH : SIGUSR2);
		sa.sa_flags = SA_RESTART;
		if (sigaction(SIGUSR1, &sa, NULL) != 0)
			sig_torn++;
	}
	return NULL;
}

static void *
sig_sender(void *arg)
{
	pid_t pid = getpid();

	(void)arg;
	while (!sig_stop) {
		kill(pid, SIGUSR1);
		sched_yield();
	}
	return NULL;
}

UTEST(sigaction_storm_while_signals_arrive)
{
	struct sigaction sa;
	pthread_t t[4];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler_a;
	sigaddset(&sa.sa_mask, SIGUSR2);
	UT_SYS(sigaction(SIGUSR1, &sa, NULL));
	for (int i = 0; i < 4; i++)
		t[i] = spawn(i < 2 ? sig_changer : sig_sender, NULL);
	sleep_ms(500);
	sig_stop = 1;
	for (int i = 0; i < 4; i++)
		join(t[i]);
	signal(SIGUSR1, SIG_IGN);
	UT_EQ(sig_torn, 0);
	UT_ASSERT(sig_taken > 0);
}

/* ---- brk ---- */

static atomic_int brk_stop;
static uintptr_t brk_base;

static void *
brk_mover(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!brk_stop)
		syscall(SYS_brk, brk_base + (rand_r(&seed) % 32) * PAGE + 1);
	return NULL;
}

UTEST(brk_from_two_threads)
{
	pthread_t t[2];
	uintptr_t end;
	struct ut_fault f;

	brk_base = (uintptr_t)syscall(SYS_brk, 0);
	brk_base = (brk_base + PAGE - 1) & ~(PAGE - 1);
	for (int i = 0; i < 2; i++)
		t[i] = spawn(brk_mover, (void *)(uintptr_t)(i + 7));
	sleep_ms(300);
	brk_stop = 1;
	for (int i = 0; i < 2; i++)
		join(t[i]);
	/* Whatever the last call left, the heap is [.., end): mapped below,
	 * not above. */
	end = (uintptr_t)syscall(SYS_brk, 0);
	UT_ASSERT(end > brk_base && end <= brk_base + 32 * PAGE + 1);
	end = (end + PAGE - 1) & ~(PAGE - 1);
	for (uintptr_t va = brk_base; va < end; va += PAGE)
		UT_EQ(ut_probe_write((char *)va, 1, &f), 0);
	UT_EQ(ut_probe_read((char *)end, &f), SIGSEGV);
	/* And it still moves: down to its base and up again. */
	UT_EQ(syscall(SYS_brk, brk_base), (long)brk_base);
	UT_EQ(ut_probe_read((char *)brk_base, &f), SIGSEGV);
	UT_EQ(syscall(SYS_brk, brk_base + PAGE), (long)(brk_base + PAGE));
	UT_EQ(ut_probe_write((char *)brk_base, 1, &f), 0);
}
