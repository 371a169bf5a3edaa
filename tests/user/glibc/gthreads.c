/*
 * tests/user/glibc/gthreads.c - glibc's pthreads on this kernel: the
 * program the kernel test execglibc/glibc_pthreads_... runs, built with
 * Debian's gcc and run through ld.so (dynamic) or static.  glibc creates
 * its threads with clone3 (falling back to clone), registers a robust
 * list per thread, joins through the tid word the kernel clears at exit
 * (CLONE_CHILD_CLEARTID) and sleeps in futexes for mutexes, condition
 * variables and joins.  Exit status 0 when every check holds; each
 * failed check prints a line and makes it 1.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTHREADS 4
#define ROUNDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int arrived;
static __thread long mine = 1;
static int failures;

#define CHECK(e) do { if (!(e)) { printf("gthreads: failed: %s\n", #e); failures++; } } while (0)

static void *
worker(void *arg)
{
	long id = (long)arg;

	mine = id * 100;                    /* TLS: this thread's own copy */
	pthread_mutex_lock(&lock);
	arrived++;
	pthread_cond_broadcast(&cond);
	while (arrived < NTHREADS)          /* a barrier out of a condvar */
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	if (syscall(SYS_gettid) == getpid())
		return (void *)-1L;             /* a thread is not the process */
	return (void *)(mine + id);
}

int
main(void)
{
	pthread_t t[NTHREADS];

	for (long i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
	for (long i = 0; i < NTHREADS; i++) {
		void *ret = NULL;
		CHECK(pthread_join(t[i], &ret) == 0);
		CHECK((long)ret == i * 101);
	}
	CHECK(counter == (long)NTHREADS * ROUNDS);
	CHECK(mine == 1);
	printf("gthreads: %d threads, counter %ld, %s\n", NTHREADS, counter,
	    failures == 0 ? "all checks hold" : "FAILED");
	return failures == 0 ? 0 : 1;
}
