/*
 * tests/user/uthread.h - the pthread helpers of the thread tests
 * (threads.c, threads_files.c): starting and joining a thread, where a
 * failure fails the test.  A header of inline functions, so the test
 * programs without threads do not link pthreads.
 */
#ifndef TESTS_USER_UTHREAD_H
#define TESTS_USER_UTHREAD_H

#include <pthread.h>
#include "utest.h"

/* spawn - start fn(arg) in a new thread. */
static inline pthread_t
spawn(void *(*fn)(void *), void *arg)
{
	pthread_t t;

	UT_EQ(pthread_create(&t, NULL, fn, arg), 0);
	return t;
}

/* join - wait for t; its return value. */
static inline void *
join(pthread_t t)
{
	void *ret;

	UT_EQ(pthread_join(t, &ret), 0);
	return ret;
}

#endif
