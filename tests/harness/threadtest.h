/*
 * tests/harness/threadtest.h - helpers for tests that start threads.
 *
 * The ktest runner is thread0, and an assertion may only fail there (the
 * harness's jump buffer is on thread0's stack; ktest_fail panics in any
 * other thread).  So worker threads record what they see in static
 * variables, the test waits for them with a bound, releases and joins
 * every one of them, and only then asserts:
 *
 *     struct thread *t = thread_create("w", worker, &arg);
 *     bool ok = tt_wait(worker_done, NULL, 100);   // yields; <= 100 ticks
 *     if (!ok) { stop = true; wakeup(&chan); }     // unblock it
 *     KT_EQ(thread_join(t), 0);
 *     KT_ASSERT(ok);
 */
#ifndef TESTS_KERN_THREADTEST_H
#define TESTS_KERN_THREADTEST_H

#include "kern/lib/types.h"
#include "kern/core/thread.h"

/*
 * tt_wait - yield until cond(arg) is true or max_ticks clock ticks have
 * passed.  => returns whether cond became true.
 */
bool tt_wait(bool (*cond)(void *arg), void *arg, uint64_t max_ticks);

/* tt_wait_sleeping - wait until t sleeps on chan (bounded as tt_wait). */
bool tt_wait_sleeping(struct thread *t, const void *chan, uint64_t max_ticks);

/* tt_spin_ticks - busy-wait, interrupts on, until n ticks have passed. */
void tt_spin_ticks(uint64_t n);

/*
 * tt_spin_until - spin (no yield: for a test holding a spin lock or one
 * waiting for another CPU) until cond(arg) or ns nanoseconds by the clock,
 * not by a loop count: a busy host may leave a QEMU CPU unscheduled for
 * seconds.  => returns whether cond became true.
 */
bool tt_spin_until(bool (*cond)(void *arg), void *arg, uint64_t ns);

/*
 * tt_one_cpu - whether no second CPU runs threads; if so, says that the
 * test of suite checking what is not run here (make test's SMP boot,
 * SMPKTEST, runs it with two), and the test should pass without it.
 */
bool tt_one_cpu(const char *suite, const char *what);

#endif
