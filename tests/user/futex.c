/*
 * tests/user/futex.c - futex(2): waiting on a word of memory and waking
 * the waiters, between processes made by fork (threads come later).
 *
 * Processes meet on a futex only through a shared key: a MAP_SHARED page
 * (anonymous or a file), named by the memory behind it, so two processes
 * that map it at different addresses still meet.  A private futex is
 * named by the address space and the address, so a fork's child waiting
 * privately is out of reach of its parent's private wakes.
 *
 * No test depends on timing beyond "at least the timeout passed".  To
 * know that another process is asleep on a word, a test counts the
 * waiters without waking them: FUTEX_CMP_REQUEUE from the word onto
 * itself with nothing to wake returns how many it moved - all of them,
 * onto the same key (waiters_on).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "utest.h"

/* <linux/futex.h>, which musl does not ship. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP(op, oparg, cmp, cmparg) \
	(int)((((unsigned)(op) & 0xf) << 28) | (((unsigned)(cmp) & 0xf) << 24) | \
	 (((unsigned)(oparg) & 0xfff) << 12) | ((unsigned)(cmparg) & 0xfff))

#define P FUTEX_PRIVATE_FLAG

static long
futex(volatile int *uaddr, int op, int val, long val2, volatile int *uaddr2,
      int val3)
{
	return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

static long
futex_wait(volatile int *w, int op, int val, const struct timespec *ts)
{
	return futex(w, op, val, (long)ts, NULL, 0);
}

/* A fresh MAP_SHARED|MAP_ANONYMOUS page: fork hands it on as it is. */
static volatile int *
shared_page(void)
{
	void *p = mmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	UT_ASSERT(p != MAP_FAILED);
	return p;
}

/* How many wait on w (with the key op's flags give), none woken. */
static long
waiters_on(volatile int *w, int flags)
{
	return futex(w, FUTEX_CMP_REQUEUE | flags, 0, INT_MAX, w, *w);
}

/* Poll (bounded: about 10 s) until n wait on w, shared key. */
static void
await_waiters(volatile int *w, long n)
{
	long got = -1;

	for (int i = 0; i < 10000 && (got = waiters_on(w, 0)) != n; i++)
		usleep(1000);
	UT_EQ(got, n);
}

/* A child that waits on w for val (op, timeout ts) and exits with the
 * errno it got (0: woken). */
static pid_t
child_waiting(volatile int *w, int op, int val, const struct timespec *ts)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		long r = futex_wait(w, op, val, ts);
		_exit(r == 0 ? 0 : errno);
	}
	return pid;
}

static uint64_t
now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct timespec
ts_of(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */

UTEST(wait_on_a_different_value_is_eagain)
{
	volatile int w = 5;

	UT_ERR(futex_wait(&w, FUTEX_WAIT | P, 4, NULL), EAGAIN);
	UT_ERR(futex_wait(&w, FUTEX_WAIT, 6, NULL), EAGAIN);
	UT_ERR(futex(&w, FUTEX_WAIT_BITSET | P, 0, 0, NULL, 1), EAGAIN);
}

UTEST(wait_times_out_after_a_relative_timeout)
{
	volatile int w = 0;
	struct timespec ts = { 0, 50 * 1000000 };
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);

	UT_ERR(futex_wait(&w, FUTEX_WAIT | P, 0, &ts), ETIMEDOUT);
	UT_ASSERT(now_ns(CLOCK_MONOTONIC) - t0 >= 50 * 1000000ull);
	t0 = now_ns(CLOCK_MONOTONIC);
	UT_ERR(futex_wait(&w, FUTEX_WAIT, 0, &ts), ETIMEDOUT);   /* shared key */
	UT_ASSERT(now_ns(CLOCK_MONOTONIC) - t0 >= 50 * 1000000ull);
	/* A relative timeout has no clock to choose: Linux 6.1 refuses one. */
	UT_ERR(futex_wait(&w, FUTEX_WAIT | P | FUTEX_CLOCK_REALTIME, 0, &ts), ENOSYS);
}

UTEST(wait_bitset_times_out_at_an_absolute_time)
{
	volatile int w = 0;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	struct timespec ts = ts_of(t0 + 40 * 1000000ull);

	UT_ERR(futex(&w, FUTEX_WAIT_BITSET | P, 0, (long)&ts, NULL, -1), ETIMEDOUT);
	UT_ASSERT(now_ns(CLOCK_MONOTONIC) >= t0 + 40 * 1000000ull);
	/* The same on the wall clock. */
	t0 = now_ns(CLOCK_REALTIME);
	ts = ts_of(t0 + 40 * 1000000ull);
	UT_ERR(futex(&w, FUTEX_WAIT_BITSET | P | FUTEX_CLOCK_REALTIME, 0, (long)&ts,
	    NULL, -1), ETIMEDOUT);
	UT_ASSERT(now_ns(CLOCK_REALTIME) >= t0 + 40 * 1000000ull);
	/* A deadline already past: at once. */
	ts = ts_of(now_ns(CLOCK_MONOTONIC) / 2);
	UT_ERR(futex(&w, FUTEX_WAIT_BITSET | P, 0, (long)&ts, NULL, -1), ETIMEDOUT);
}

UTEST(bad_addresses_are_efault)
{
	struct ut_bad b;
	struct timespec ts = { 0, 1000000 };

	ut_make_bad(&b);
	UT_ERR(futex_wait(NULL, FUTEX_WAIT | P, 0, NULL), EFAULT);
	UT_ERR(futex_wait(NULL, FUTEX_WAIT, 0, NULL), EFAULT);
	for (int i = 0; i < b.nin; i++) {
		volatile int *a = (volatile int *)(b.in[i] & ~3L);
		UT_ERR(futex_wait(a, FUTEX_WAIT | P, 0, &ts), EFAULT);
		UT_ERR(futex_wait(a, FUTEX_WAIT, 0, &ts), EFAULT);
	}
	/* A wake needs no memory behind a private key (Linux reads none);
	 * a shared key has to find the mapping. */
	UT_EQ(futex(NULL, FUTEX_WAKE | P, 1, 0, NULL, 0), 0);
	UT_ERR(futex(NULL, FUTEX_WAKE, 1, 0, NULL, 0), EFAULT);
	/* The timeout itself unreadable. */
	volatile int w = 0;
	UT_ERR(futex_wait(&w, FUTEX_WAIT | P, 0, (struct timespec *)8), EFAULT);
}

UTEST(bad_arguments_are_einval_or_enosys)
{
	static int words[2];
	volatile int *odd = (volatile int *)((char *)words + 1);
	struct timespec bad_ns = { 0, 1000000000 }, neg = { -1, 0 };

	UT_ERR(futex_wait(odd, FUTEX_WAIT | P, 0, NULL), EINVAL);
	UT_ERR(futex(odd, FUTEX_WAKE | P, 1, 0, NULL, 0), EINVAL);
	UT_ERR(futex_wait(&words[0], FUTEX_WAIT | P, 0, &bad_ns), EINVAL);
	UT_ERR(futex_wait(&words[0], FUTEX_WAIT | P, 1, &neg), EINVAL);   /* before EAGAIN */
	UT_ERR(futex(&words[0], FUTEX_WAIT_BITSET | P, 0, 0, NULL, 0), EINVAL);
	UT_ERR(futex(&words[0], FUTEX_WAKE_BITSET | P, 1, 0, NULL, 0), EINVAL);
	UT_ERR(futex(&words[0], FUTEX_CMP_REQUEUE | P, -1, 1, &words[1], 0), EINVAL);
	UT_ERR(futex(&words[0], FUTEX_CMP_REQUEUE | P, 1, -1, &words[1], 0), EINVAL);
	UT_ERR(futex(&words[0], FUTEX_CMP_REQUEUE | P, 1, 1, &words[1], 7), EAGAIN);
	UT_ERR(futex(&words[0], 99 | P, 0, 0, NULL, 0), ENOSYS);
	UT_ERR(futex(&words[0], FUTEX_WAKE | P | FUTEX_CLOCK_REALTIME, 1, 0, NULL, 0), ENOSYS);
}

UTEST(wake_with_no_waiters_returns_0)
{
	volatile int *s = shared_page();
	volatile int w = 0;

	UT_EQ(futex(&w, FUTEX_WAKE | P, 1, 0, NULL, 0), 0);
	UT_EQ(futex(&w, FUTEX_WAKE, INT_MAX, 0, NULL, 0), 0);
	UT_EQ(futex(s, FUTEX_WAKE, 1, 0, NULL, 0), 0);
	UT_EQ(futex(s, FUTEX_WAKE_BITSET, 1, 0, NULL, 4), 0);
	UT_EQ(futex(&w, FUTEX_REQUEUE | P, 1, 1, s, 0), 0);
	UT_EQ(waiters_on(s, 0), 0);
}

/* ------------------------------------------------------------------ */
/* Across processes                                                    */

UTEST(shared_anonymous_page_wakes_across_fork)
{
	volatile int *w = shared_page();
	pid_t pid = child_waiting(w, FUTEX_WAIT, 0, NULL);

	await_waiters(w, 1);
	UT_EQ(futex(w, FUTEX_WAKE, 1, 0, NULL, 0), 1);
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(waiters_on(w, 0), 0);
}

UTEST(private_wake_does_not_reach_another_process)
{
	volatile int *w = shared_page();
	volatile int *ready = w + 1;
	struct timespec ts = { 0, 300 * 1000000 };
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		*ready = 1;
		long r = futex_wait(w, FUTEX_WAIT | P, 0, &ts);
		_exit(r == -1 && errno == ETIMEDOUT ? 0 : 1);   /* never woken */
	}
	while (*ready == 0)
		usleep(1000);
	/* The child's key is (its address space, w); ours is (ours, w), and
	 * a shared wake looks for (the page's object, offset): none is it. */
	for (int i = 0; i < 20; i++) {
		UT_EQ(futex(w, FUTEX_WAKE | P, INT_MAX, 0, NULL, 0), 0);
		UT_EQ(futex(w, FUTEX_WAKE, INT_MAX, 0, NULL, 0), 0);
		usleep(10000);
	}
	UT_CHILD_EXITS(pid, 0);
}

/*
 * A file mapped by two processes at different addresses: one key.  The
 * parent maps it before the fork, so the child's own mapping of it,
 * made after, cannot land on the parent's addresses.
 */
static void
file_mapping_meets_on_one_key(const char *dir)
{
	volatile long *where = (volatile long *)shared_page();
	int fd = (int)UT_SYS(open("futexfile", O_RDWR | O_CREAT | O_TRUNC, 0600));
	pid_t pid;

	(void)dir;
	UT_SYS(ftruncate(fd, 3 * PAGE));
	char *p = mmap(NULL, 3 * PAGE, RW, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	volatile int *w = (volatile int *)(p + PAGE + 8);     /* file offset PAGE + 8 */
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		char *c = mmap(NULL, PAGE, RW, MAP_SHARED, fd, PAGE);
		if (c == MAP_FAILED)
			_exit(2);
		*where = (long)(c + 8);
		long r = futex_wait((volatile int *)(c + 8), FUTEX_WAIT, 0, NULL);
		_exit(r == 0 ? 0 : errno);
	}
	await_waiters(w, 1);
	UT_NE(*where, (long)w);
	UT_EQ(futex(w, FUTEX_WAKE, 1, 0, NULL, 0), 1);
	UT_CHILD_EXITS(pid, 0);
	UT_SYS(munmap(p, 3 * PAGE));
	UT_SYS(close(fd));
}

UTEST(shared_file_mapping_meets_at_different_addresses)
{
	UT_EACH_FS(file_mapping_meets_on_one_key);
}

UTEST(cmp_requeue_moves_a_waiter_to_another_word)
{
	volatile int *a = shared_page(), *b = a + 16;
	pid_t pid = child_waiting(a, FUTEX_WAIT, 0, NULL);

	await_waiters(a, 1);
	UT_ERR(futex(a, FUTEX_CMP_REQUEUE, 0, 1, b, 1), EAGAIN);   /* *a is 0 */
	UT_EQ(futex(a, FUTEX_CMP_REQUEUE, 0, 1, b, 0), 1);
	UT_EQ(waiters_on(a, 0), 0);
	UT_EQ(waiters_on(b, 0), 1);
	UT_EQ(futex(a, FUTEX_WAKE, 1, 0, NULL, 0), 0);             /* gone from a */
	UT_EQ(futex(b, FUTEX_WAKE, 1, 0, NULL, 0), 1);
	UT_CHILD_EXITS(pid, 0);
}

UTEST(requeue_wakes_some_and_moves_the_rest)
{
	volatile int *a = shared_page(), *b = a + 16;
	pid_t p1 = child_waiting(a, FUTEX_WAIT, 0, NULL);
	await_waiters(a, 1);
	pid_t p2 = child_waiting(a, FUTEX_WAIT, 0, NULL);
	await_waiters(a, 2);

	/* One woken (the first to wait), the other moved: 2 in all. */
	UT_EQ(futex(a, FUTEX_REQUEUE, 1, INT_MAX, b, 0), 2);
	UT_CHILD_EXITS(p1, 0);
	UT_EQ(waiters_on(b, 0), 1);
	UT_EQ(futex(b, FUTEX_WAKE, INT_MAX, 0, NULL, 0), 1);
	UT_CHILD_EXITS(p2, 0);
}

UTEST(wake_bitset_wakes_only_matching_waiters)
{
	volatile int *w = shared_page();
	pid_t p1 = (pid_t)UT_SYS(fork());

	if (p1 == 0)
		_exit(futex(w, FUTEX_WAIT_BITSET, 0, 0, NULL, 0x1) == 0 ? 0 : errno);
	await_waiters(w, 1);
	pid_t p2 = (pid_t)UT_SYS(fork());
	if (p2 == 0)
		_exit(futex(w, FUTEX_WAIT_BITSET, 0, 0, NULL, 0x6) == 0 ? 0 : errno);
	await_waiters(w, 2);

	UT_EQ(futex(w, FUTEX_WAKE_BITSET, INT_MAX, 0, NULL, 0x8), 0);
	UT_EQ(futex(w, FUTEX_WAKE_BITSET, INT_MAX, 0, NULL, 0x4), 1);   /* p2 only */
	UT_CHILD_EXITS(p2, 0);
	UT_EQ(waitpid(p1, NULL, WNOHANG), 0);                            /* p1 sleeps on */
	UT_EQ(futex(w, FUTEX_WAKE, INT_MAX, 0, NULL, 0), 1);            /* all bits */
	UT_CHILD_EXITS(p1, 0);
}

UTEST(wake_op_changes_the_second_word_and_wakes_on_its_old_value)
{
	volatile int *a = shared_page(), *b = a + 16;
	pid_t p1 = child_waiting(a, FUTEX_WAIT, 0, NULL);
	pid_t p2 = child_waiting(b, FUTEX_WAIT, 0, NULL);

	await_waiters(a, 1);
	await_waiters(b, 1);
	/* *b += 3; old value 0 > 100 is false: only a's waiter. */
	UT_EQ(futex(a, FUTEX_WAKE_OP, 1, 1, b, FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_GT, 100)), 1);
	UT_EQ(*b, 3);
	UT_CHILD_EXITS(p1, 0);
	/* *b = 0 (it was 3 == 3): b's waiter too; nobody on a now. */
	UT_EQ(futex(a, FUTEX_WAKE_OP, 1, 1, b, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 3)), 1);
	UT_EQ(*b, 0);
	UT_CHILD_EXITS(p2, 0);
	/* OPARG_SHIFT: *b |= 1 << 4. */
	UT_EQ(futex(a, FUTEX_WAKE_OP, 1, 1, b,
	    FUTEX_OP(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_EQ, 0)), 0);
	UT_EQ(*b, 16);
}

UTEST(wake_op_on_a_read_only_word_is_efault)
{
	int *ro = mmap(NULL, PAGE, PROT_READ, ANON, -1, 0);
	volatile int w = 0;

	UT_ASSERT(ro != MAP_FAILED);
	UT_ERR(futex(&w, FUTEX_WAKE_OP | P, 1, 1, ro, FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0)), EFAULT);
	UT_EQ(*ro, 0);
	UT_SYS(munmap(ro, PAGE));
}

/* ------------------------------------------------------------------ */
/* Signals                                                             */

static volatile int *sig_seen;

static void
note_signal(int sig)
{
	(void)sig;
	(*sig_seen)++;
}

/* The child's handler for SIGUSR1: flags (0 or SA_RESTART). */
static void
handle_usr1(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note_signal;
	sa.sa_flags = flags;
	sigaction(SIGUSR1, &sa, NULL);
}

/* A child waiting on w with a SIGUSR1 handler (flags), timeout ts. */
static pid_t
child_waiting_with_handler(volatile int *w, int flags, const struct timespec *ts)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		handle_usr1(flags);
		long r = futex_wait(w, FUTEX_WAIT, 0, ts);
		_exit(r == 0 ? 0 : errno);
	}
	return pid;
}

UTEST(a_handler_ends_a_wait_with_eintr)
{
	volatile int *w = shared_page();
	struct timespec ts = { 30, 0 };

	sig_seen = w + 1;
	pid_t pid = child_waiting_with_handler(w, 0, NULL);
	await_waiters(w, 1);
	UT_SYS(kill(pid, SIGUSR1));
	UT_CHILD_EXITS(pid, EINTR);
	UT_EQ(*sig_seen, 1);
	/* With a timeout, even SA_RESTART gives EINTR (Linux never restarts it). */
	pid = child_waiting_with_handler(w, SA_RESTART, &ts);
	await_waiters(w, 1);
	UT_SYS(kill(pid, SIGUSR1));
	UT_CHILD_EXITS(pid, EINTR);
	UT_EQ(*sig_seen, 2);
}

UTEST(sa_restart_goes_back_to_an_untimed_wait)
{
	volatile int *w = shared_page();

	sig_seen = w + 1;
	pid_t pid = child_waiting_with_handler(w, SA_RESTART, NULL);
	await_waiters(w, 1);
	UT_SYS(kill(pid, SIGUSR1));
	for (int i = 0; i < 10000 && *sig_seen == 0; i++)
		usleep(1000);
	UT_EQ(*sig_seen, 1);
	await_waiters(w, 1);                    /* waiting again */
	UT_EQ(futex(w, FUTEX_WAKE, 1, 0, NULL, 0), 1);
	UT_CHILD_EXITS(pid, 0);
}

/* Stop and continue the waiter of w; it must wait on, then be woken. */
static void
stop_continue_wake(volatile int *w, pid_t pid)
{
	int status;

	await_waiters(w, 1);
	UT_SYS(kill(pid, SIGSTOP));
	UT_EQ(waitpid(pid, &status, WUNTRACED), pid);
	UT_ASSERT(WIFSTOPPED(status));
	UT_SYS(kill(pid, SIGCONT));
	await_waiters(w, 1);
	UT_EQ(futex(w, FUTEX_WAKE, 1, 0, NULL, 0), 1);
	UT_CHILD_EXITS(pid, 0);
}

UTEST(stop_and_continue_do_not_end_a_wait)
{
	volatile int *w = shared_page();
	struct timespec ts = { 60, 0 };

	stop_continue_wake(w, child_waiting(w, FUTEX_WAIT, 0, NULL));
	stop_continue_wake(w, child_waiting(w, FUTEX_WAIT, 0, &ts));
	/* An absolute deadline goes on through restart_syscall too. */
	struct timespec abs = ts_of(now_ns(CLOCK_MONOTONIC) + 60 * 1000000000ull);
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0)
		_exit(futex(w, FUTEX_WAIT_BITSET, 0, (long)&abs, NULL, -1) == 0 ? 0 : errno);
	stop_continue_wake(w, pid);
}
