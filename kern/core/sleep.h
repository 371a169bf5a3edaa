/*
 * kern/core/sleep.h - sleeping on a channel and waking it: the one
 * blocking primitive.  This is the scheduler's interface, not a library:
 * it lives with the scheduler in kern/core, and uvm/ and dev/ include it
 * (not sched.h) to wait for an event without seeing run queues.  The scheduler implements
 * them (kern/core/sched.c); kern/core/sched.h says how they fit the thread states.
 *
 * A channel is any address both sides agree on (a page, a request).  The
 * interlock closes the window between testing a condition and sleeping:
 *
 *     waiter                              waker
 *       spin_lock(&l)                       spin_lock(&l)
 *       while (!done)                       done = true
 *           sleep_on(&done, &l, "w")        wakeup(&done)
 *       spin_unlock(&l)                     spin_unlock(&l)
 *
 * Two kinds of sleep.  A plain sleep_on ends only at a wakeup of its
 * channel: right for a wait that must run to its end (a disk transfer, a
 * busy page), whose caller does not look for signals.  sleep_on_intr is
 * also ended when a signal is posted to the sleeper's process (kern/
 * signal.c): a process blocked in a pipe, wait4, pause or nanosleep must
 * get up to act on a SIGKILL or run a handler.  Its caller loops, and on
 * each turn tests for an actionable signal as it tests its condition,
 * with the interlock held, and returns -EINTR (or what it has done so
 * far) when there is one:
 *
 *       spin_lock(&l)
 *       while (!done) {
 *           if (signal_actionable(curproc))
 *               { spin_unlock(&l); return -EINTR; }
 *           sleep_on_intr(&done, &l, "w")
 *       }
 *       spin_unlock(&l)
 */
#ifndef KERN_LIB_SLEEP_H
#define KERN_LIB_SLEEP_H

#include "kern/lib/spinlock.h"

/*
 * sleep_on - sleep on chan until a wakeup; the interlock, which the
 * caller holds, is released once the thread is on the sleep queue and
 * taken again before returning.
 *  => interlock may be NULL: see sleep().  No other spin lock may be held,
 *     nor preemption disabled; not in an interrupt handler.
 *  => a wakeup is no promise that the condition holds: loop on it.
 */
void sleep_on(const void *chan, struct spinlock *interlock, const char *wmesg);

/*
 * sleep_on_intr - sleep_on that a signal for the caller's process also
 * ends (proc_signal calls sleep_interrupt, kern/core/sched.h).
 *  => as sleep_on.  Only for a caller that loops, re-testing both its
 *     condition and signal_actionable: it may return with neither true.
 */
void sleep_on_intr(const void *chan, struct spinlock *interlock, const char *wmesg);

/*
 * sleep - sleep_on with no interlock: nothing keeps a wakeup from
 * coming between the caller's test and the sleep (another CPU may send
 * it even with interrupts off here), so only for waits that some later
 * wakeup ends anyway (a clock tick) or that nobody ends.
 *  => returns with the interrupt state it was called with.
 */
void sleep(const void *chan, const char *wmesg);

/*
 * wakeup, wakeup_one - make every thread (or the one that has waited
 * longest) sleeping on chan runnable, at the tail of the run queue.
 *  => any context, interrupt handlers included; never sleeps.
 *  => returns how many threads it woke.
 */
int wakeup(const void *chan);
int wakeup_one(const void *chan);

/*
 * yield - let the other runnable threads run first; back at the tail.
 *  => any thread context (not an interrupt handler); returns with the
 *     interrupt state it was called with.  Before sched_start: no-op.
 */
void yield(void);

#endif
