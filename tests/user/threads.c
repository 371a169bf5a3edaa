/*
 * tests/user/threads.c - threads of one process (clone with CLONE_THREAD
 * through musl's pthreads): ids, TLS, join through CLONE_CHILD_CLEARTID
 * and futexes, mutexes and condition variables under contention, faults
 * from many threads, a mapping changed under a running thread, exit
 * versus exit_group, signals to a thread and to the process, fork and
 * execve from a threaded process.  Each passes on Linux too.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utest.h"
#include "uthread.h"

static pid_t
tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* Threads: in /proc/self/status. */
static int
thread_count(void)
{
	char buf[4096];
	FILE *f = fopen("/proc/self/status", "r");
	int n = -1;

	if (f == NULL)
		return -1;
	while (fgets(buf, sizeof(buf), f) != NULL)
		if (sscanf(buf, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* Wait up to a second for the count to become n (a joined thread may
 * still be on its way out of the kernel on Linux); returns the count. */
static int
settled_thread_count(int n)
{
	int c = thread_count();

	for (int i = 0; i < 100 && c != n; i++) {
		usleep(10000);
		c = thread_count();
	}
	return c;
}

/* ---- ids and thread-local storage ---- */

static void *
report_ids(void *arg)
{
	pid_t *ids = arg;

	ids[0] = getpid();
	ids[1] = tid();
	return (void *)(long)42;
}

UTEST(a_thread_shares_the_pid_and_has_its_own_tid)
{
	pid_t ids[2] = { 0, 0 };
	pthread_t t = spawn(report_ids, ids);

	UT_EQ((long)join(t), 42);
	UT_EQ(ids[0], getpid());
	UT_NE(ids[1], getpid());
	UT_ASSERT(ids[1] > 0);
	UT_EQ(tid(), getpid());         /* the first thread's id is the pid */
}

static __thread int tls_value = 7;

static void *
tls_worker(void *arg)
{
	int *seen = arg;

	seen[0] = tls_value;            /* a fresh copy: the initial 7 */
	tls_value = 100 + seen[1];
	sched_yield();
	seen[0] += tls_value;
	return NULL;
}

UTEST(thread_local_variables_are_per_thread)
{
	int seen[4][2];
	pthread_t t[4];

	tls_value = 1;
	for (int i = 0; i < 4; i++) {
		seen[i][1] = i;
		t[i] = spawn(tls_worker, seen[i]);
	}
	for (int i = 0; i < 4; i++) {
		join(t[i]);
		UT_EQ(seen[i][0], 7 + 100 + i);
	}
	UT_EQ(tls_value, 1);
}

/* ---- mutexes and condition variables ---- */

#define NWORKERS 4
#define ROUNDS 20000

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *
count_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&count_lock);
		long v = counter;
		if (i % 512 == 0)
			sched_yield();      /* hold the lock across a switch */
		counter = v + 1;
		pthread_mutex_unlock(&count_lock);
	}
	return NULL;
}

UTEST(a_mutex_keeps_a_counter_exact_under_contention)
{
	pthread_t t[NWORKERS];

	counter = 0;
	for (int i = 0; i < NWORKERS; i++)
		t[i] = spawn(count_worker, NULL);
	for (int i = 0; i < NWORKERS; i++)
		join(t[i]);
	UT_EQ(counter, (long)NWORKERS * ROUNDS);
}

static pthread_mutex_t pc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pc_cond = PTHREAD_COND_INITIALIZER;
static int pc_slot = -1;            /* -1: empty */

static void *
consumer(void *arg)
{
	long sum = 0;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&pc_lock);
		while (pc_slot < 0)
			pthread_cond_wait(&pc_cond, &pc_lock);
		int v = pc_slot;
		pc_slot = -1;
		pthread_cond_broadcast(&pc_cond);
		pthread_mutex_unlock(&pc_lock);
		if (v == 0)
			return (void *)sum;
		sum += v;
	}
}

UTEST(condition_variables_hand_values_between_threads)
{
	pthread_t c = spawn(consumer, NULL);

	for (int v = 1000; v >= 0; v--) {
		pthread_mutex_lock(&pc_lock);
		while (pc_slot >= 0)
			pthread_cond_wait(&pc_cond, &pc_lock);
		pc_slot = v;
		pthread_cond_broadcast(&pc_cond);
		pthread_mutex_unlock(&pc_lock);
	}
	UT_EQ((long)join(c), 1000L * 1001 / 2);
}

/* ---- faults from many threads ---- */

#define FPAGES 64
static char *fault_region;
static atomic_long shared_hits;

static void *
fault_worker(void *arg)
{
	long me = (long)arg;

	for (int pg = 0; pg < FPAGES; pg++) {
		/* Every thread writes its own word of every page: the first
		 * touch of each page races between the threads. */
		long *w = (long *)(fault_region + pg * PAGE) + me;
		*w = me * 1000 + pg;
		atomic_fetch_add(&shared_hits, 1);
	}
	return NULL;
}

UTEST(threads_faulting_the_same_pages_all_see_one_page)
{
	pthread_t t[8];

	fault_region = ut_map(FPAGES, RW);
	shared_hits = 0;
	for (long i = 0; i < 8; i++)
		t[i] = spawn(fault_worker, (void *)i);
	for (int i = 0; i < 8; i++)
		join(t[i]);
	UT_EQ(shared_hits, 8L * FPAGES);
	for (int pg = 0; pg < FPAGES; pg++)
		for (long me = 0; me < 8; me++)
			UT_EQ(((long *)(fault_region + pg * PAGE))[me], me * 1000 + pg);
	ut_unmap(fault_region, FPAGES);
}

/* ---- a mapping changed while another thread uses it ---- */

static char *volatile shared_page;
static atomic_int phase;

static void *
prober(void *arg)
{
	struct ut_fault f;
	int *result = arg;

	result[0] = ut_probe_read(shared_page, &f);    /* mapped: 0 */
	atomic_store(&phase, 1);
	while (atomic_load(&phase) != 2)
		sched_yield();
	result[1] = ut_probe_write(shared_page, 1, &f);
	result[2] = f.code;
	return NULL;
}

UTEST(mprotect_in_one_thread_is_seen_by_another_at_once)
{
	int result[3] = { -1, -1, -1 };

	shared_page = ut_map(1, RW);
	shared_page[0] = 5;
	pthread_t t = spawn(prober, result);
	while (atomic_load(&phase) != 1)
		sched_yield();
	UT_SYS(mprotect(shared_page, PAGE, PROT_READ));
	atomic_store(&phase, 2);
	join(t);
	UT_EQ(result[0], 0);
	UT_EQ(result[1], SIGSEGV);
	UT_EQ(result[2], SEGV_ACCERR);
	UT_EQ(shared_page[0], 5);
	ut_unmap(shared_page, 1);
	phase = 0;
}

UTEST(munmap_in_one_thread_is_seen_by_another_at_once)
{
	int result[3] = { -1, -1, -1 };

	shared_page = ut_map(1, RW);
	pthread_t t = spawn(prober, result);
	while (atomic_load(&phase) != 1)
		sched_yield();
	UT_SYS(munmap(shared_page, PAGE));
	atomic_store(&phase, 2);
	join(t);
	UT_EQ(result[0], 0);
	UT_EQ(result[1], SIGSEGV);
	UT_EQ(result[2], SEGV_MAPERR);
	phase = 0;
}

/* ---- exit and exit_group ---- */

static void *
exit_only_me(void *arg)
{
	*(int *)arg = 1;
	pthread_exit((void *)9);        /* exit(2) of this thread only */
}

UTEST(exit_ends_one_thread_and_the_process_goes_on)
{
	int ran = 0;
	pthread_t t = spawn(exit_only_me, &ran);

	UT_EQ((long)join(t), 9);
	UT_EQ(ran, 1);
	/* musl's next create takes the thread-list lock the kernel released
	 * for the dead thread (its CLONE_CHILD_CLEARTID word): it works. */
	t = spawn(exit_only_me, &ran);
	UT_EQ((long)join(t), 9);
	UT_EQ(settled_thread_count(1), 1);
}

static void *
exit_later(void *arg)
{
	(void)arg;
	usleep(20000);
	_exit(5);
}

UTEST(the_first_thread_exiting_leaves_the_process_to_the_others)
{
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, NULL, exit_later, NULL);
		pthread_exit(NULL);
	}
	UT_CHILD_EXITS(pid, 5);
}

static void *
exit_everything(void *arg)
{
	(void)arg;
	_exit(3);                       /* exit_group */
}

UTEST(exit_group_from_a_thread_ends_every_thread)
{
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, NULL, exit_everything, NULL);
		for (;;)
			pause();            /* the main thread never leaves itself */
	}
	UT_CHILD_EXITS(pid, 3);
}

static atomic_int leave_now;

static void *
leave_when_told(void *arg)
{
	(void)arg;
	while (!atomic_load(&leave_now))
		sched_yield();
	syscall(SYS_exit, 0);           /* this thread only */
	return NULL;
}

/*
 * Threads leaving one by one (exit) while the main thread ends the
 * process (exit_group), round after round: however the two interleave,
 * the process ends with exit_group's status.  In the kernel a leaving
 * thread must be off the address space before the count that exit_group
 * waits on drops (lwp_exit): after it, exit_group's thread frees it.
 * That order was once the other way round; the window was a few
 * instructions wide and these rounds did not hit it (three two-CPU
 * boots), so this is a guard over the path, not a reproducer.
 */
UTEST(threads_leaving_while_the_process_exits_end_it_with_its_status)
{
	for (int round = 0; round < 50; round++) {
		pid_t pid = fork();

		if (pid == 0) {
			pthread_t t;
			for (int i = 0; i < 3; i++)
				pthread_create(&t, NULL, leave_when_told, NULL);
			atomic_store(&leave_now, 1);
			_exit(7);
		}
		UT_CHILD_EXITS(pid, 7);
	}
}

static __attribute__((noreturn)) void *
sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
}

UTEST(a_fatal_signal_ends_every_thread)
{
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t t[3];
		for (int i = 0; i < 3; i++)
			pthread_create(&t[i], NULL, sleeper, NULL);
		for (;;)
			pause();
	}
	usleep(20000);
	UT_SYS(kill(pid, SIGTERM));
	UT_CHILD_KILLED(pid, SIGTERM);
}

/* ---- signals ---- */

static atomic_int handled_by;

static void
record_tid(int sig)
{
	(void)sig;
	atomic_store(&handled_by, tid());
}

static atomic_int worker_tid;

static void *
wait_for_signal(void *arg)
{
	sigset_t none;

	(void)arg;
	sigemptyset(&none);
	atomic_store(&worker_tid, tid());
	while (atomic_load(&handled_by) == 0)
		sigsuspend(&none);
	return NULL;
}

/*
 * SIGUSR1 blocked in the calling (main) thread, with a handler that
 * records who ran it, and a thread started that waits for a signal in
 * sigsuspend with an empty mask - the one place SIGUSR1 is open.
 */
static pthread_t
start_signal_waiter(sigset_t *usr1)
{
	struct sigaction sa = { .sa_handler = record_tid };

	sigemptyset(usr1);
	sigaddset(usr1, SIGUSR1);
	UT_SYS(sigaction(SIGUSR1, &sa, NULL));
	UT_EQ(pthread_sigmask(SIG_BLOCK, usr1, NULL), 0);
	handled_by = 0;
	worker_tid = 0;
	pthread_t t = spawn(wait_for_signal, NULL);   /* inherits the block */
	while (atomic_load(&worker_tid) == 0)
		sched_yield();
	return t;
}

UTEST(tgkill_runs_the_handler_in_the_named_thread)
{
	sigset_t usr1;
	pthread_t t = start_signal_waiter(&usr1);

	UT_SYS(syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1));
	join(t);
	UT_EQ(handled_by, worker_tid);
	UT_EQ(pthread_sigmask(SIG_UNBLOCK, &usr1, NULL), 0);
}

UTEST(a_signal_to_the_process_goes_to_a_thread_that_does_not_block_it)
{
	sigset_t usr1;
	pthread_t t = start_signal_waiter(&usr1);

	UT_SYS(kill(getpid(), SIGUSR1));    /* only the waiter has it open */
	join(t);
	UT_EQ(handled_by, worker_tid);
	UT_EQ(pthread_sigmask(SIG_UNBLOCK, &usr1, NULL), 0);
}

UTEST(tgkill_of_a_thread_of_another_process_is_esrch)
{
	UT_ERR(syscall(SYS_tgkill, getpid(), getppid(), 0), ESRCH);
	UT_ERR(syscall(SYS_tgkill, 0, getpid(), 0), EINVAL);
	UT_SYS(syscall(SYS_tgkill, getpid(), tid(), 0));
}

/* ---- fork and exec from a threaded process ---- */

static atomic_int keep_writing;
static volatile long scribble[512];

static void *
writer(void *arg)
{
	(void)arg;
	for (long n = 1; atomic_load(&keep_writing); n++)
		for (int i = 0; i < 512; i++)
			scribble[i] = n;
	return NULL;
}

UTEST(fork_from_a_threaded_process_copies_only_the_caller)
{
	keep_writing = 1;
	pthread_t t = spawn(writer, NULL);
	sched_yield();
	UT_EQ(thread_count(), 2);
	pid_t pid = fork();
	if (pid == 0) {
		/* One thread here: nobody changes the copy under us, while
		 * the parent's writer goes on in the parent's pages. */
		static long before[512];
		memcpy(before, (const void *)scribble, sizeof(before));
		if (thread_count() != 1)
			_exit(1);
		usleep(20000);
		_exit(memcmp(before, (const void *)scribble, sizeof(before)) == 0 ? 0 : 2);
	}
	UT_CHILD_EXITS(pid, 0);
	keep_writing = 0;
	join(t);
	UT_EQ(settled_thread_count(1), 1);
}

static char *exec_path;

static void *
exec_in_thread(void *arg)
{
	char *argv[] = { exec_path, NULL };
	char *envp[] = { "UTEST_EXEC_HELPER=1", NULL };

	(void)arg;
	execve(exec_path, argv, envp);
	_exit(99);
}

UTEST(execve_from_a_thread_leaves_one_thread_whose_tid_is_the_pid)
{
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t t[2];
		pthread_create(&t[0], NULL, sleeper, NULL);
		pthread_create(&t[1], NULL, exec_in_thread, NULL);
		for (;;)
			pause();
	}
	UT_CHILD_EXITS(pid, 0);
}

/* As the program execve_from_a_thread... runs: alone, tid == pid. */
__attribute__((constructor)) static void
find_self(void)
{
	static char path[256];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (getenv("UTEST_EXEC_HELPER") != NULL)
		_exit(thread_count() == 1 && tid() == getpid() ? 0 : 1);
	if (n > 0) {
		path[n] = '\0';
		exec_path = path;
	}
}

/*
 * A futex call reads (WAIT) or changes (WAKE_OP) its word with a spin lock
 * held, after checking that the page is mapped: on several CPUs, another
 * thread's munmap must not be able to take the page away in between (the
 * kernel read it through a mapping that was gone).  Every call gives an
 * answer - 0, EAGAIN or EFAULT - and the process goes on.
 */
#define FLIP_ROUNDS 4000
#define UT_FUTEX_WAIT 0             /* <linux/futex.h>: musl ships none */
#define UT_FUTEX_WAKE_OP 5
#define UT_FUTEX_PRIVATE 128

static void *flip_page;
static atomic_int flip_stop;

static void *
page_flipper(void *arg)
{
	(void)arg;
	for (int i = 0; i < FLIP_ROUNDS && !atomic_load(&flip_stop); i++) {
		void *p = mmap(flip_page, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (p == MAP_FAILED)
			return (void *)1;
		munmap(flip_page, 4096);
	}
	return NULL;
}

UTEST(futex_calls_on_a_page_another_thread_unmaps_get_an_answer)
{
	volatile int *w;
	pthread_t t;
	long bad = 0, faults = 0;

	flip_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_ASSERT(flip_page != MAP_FAILED);
	w = flip_page;
	atomic_store(&flip_stop, 0);
	t = spawn(page_flipper, NULL);
	for (int i = 0; i < FLIP_ROUNDS; i++) {
		long r = syscall(SYS_futex, w, UT_FUTEX_WAIT | UT_FUTEX_PRIVATE,
		    12345, NULL, NULL, 0);
		faults += r < 0 && errno == EFAULT;
		bad += !(r < 0 && (errno == EAGAIN || errno == EFAULT));
		r = syscall(SYS_futex, w, UT_FUTEX_WAKE_OP | UT_FUTEX_PRIVATE, 1, 1,
		    w, (1 << 28) | (1 << 12));      /* word += 1; wake if it was 0 */
		faults += r < 0 && errno == EFAULT;
		bad += !(r >= 0 || errno == EFAULT);
	}
	atomic_store(&flip_stop, 1);
	UT_EQ(join(t), NULL);
	printf("    # %ld of %d futex calls found the page unmapped\n", faults,
	    2 * FLIP_ROUNDS);
	UT_EQ(bad, 0);
}
