/*
 * kern/core/sched.h - the scheduler: who runs next, sleeping and waking.
 *
 * Preemptive round robin on every CPU.  Runnable threads wait in one
 * FIFO run queue that all CPUs take from; the thread running on a CPU
 * gets a slice of SCHED_SLICE_TICKS of that CPU's clock ticks, and when
 * it has used them up the next timer interrupt puts it at the tail and
 * switches to the head.  A CPU with nothing to run runs its idle thread.  It may also give the CPU up
 * early (yield) or wait for something (sleep_on).
 *
 * Sleep and wakeup work on channels: any address that names what the
 * sleeper waits for (a mutex, a thread it joins, a buffer).  The classic
 * hazard is the lost wakeup:
 *
 *     sleeper                        waker
 *     if (!done)
 *                                    done = 1; wakeup(&done);  // nobody asleep yet
 *         sleep(&done)               // sleeps for ever
 *
 * sleep_on closes the window with an interlock: the caller tests the
 * condition holding a spin lock that the waker also takes, and sleep_on
 * puts the thread on the sleep queue before it lets the lock go:
 *
 *     spin_lock(&l);                 spin_lock(&l);
 *     while (!done)                  done = 1;
 *         sleep_on(&done, &l, "w");  wakeup(&done);
 *     spin_unlock(&l);               spin_unlock(&l);
 *
 * A sleep is interruptible or not (kern/core/sleep.h): sleep_on_intr, for
 * waits whose caller re-tests for signals, is also ended by
 * sleep_interrupt when a signal is posted to the sleeper's process.
 *
 * Preemption happens only where it is safe: at the end of an interrupt
 * that arrived with interrupts on (so no spin lock was held: spin locks
 * turn interrupts off), and not inside preempt_disable/preempt_enable.
 */
#ifndef KERN_SCHED_H
#define KERN_SCHED_H

#include "kern/lib/printf.h"
#include "kern/core/sleep.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/types.h"

struct thread;

#define SCHED_SLICE_TICKS 1         /* 10 ms at HZ = 100 */

struct sched_stats {
	uint64_t switches;          /* context switches (swtch calls) */
	uint64_t preemptions;       /* of which at a timer interrupt */
	uint64_t sleeps;            /* sleep_on calls */
	uint64_t wakeups;           /* threads made runnable by wakeup */
	uint64_t program_switches;  /* switches away from a thread running a
	                               user process */
	uint64_t resched_ipis;      /* idle CPUs woken to take a new thread */
};
extern struct sched_stats sched_stats;

/*
 * sched_init - the run queue, the sleep queues and the idle thread.
 *  => from thread_init, at boot, interrupts off.
 */
void sched_init(void);

/*
 * sched_start - let threads switch: from here on the timer preempts and
 * sleep works.  Turns interrupts on.  => once, on thread0.
 */
void sched_start(void);

/*
 * sched_cpu_join - the calling CPU (an AP, in its parked loop) starts
 * taking threads from the run queue; idle, the thread it runs on, becomes
 * its idle thread.  => after sched_start, interrupts off, never sleeps.
 */
void sched_cpu_join(struct thread *idle);

/* sched_idle_loop - what an idle thread runs: halt until an interrupt. */
void sched_idle_loop(void *arg) __noreturn;

/*
 * sched_bind - the calling thread runs only on CPU cpu from now on (it
 * moves there before returning), or anywhere again for cpu -1.  Tests
 * that need "this CPU" and "another CPU" to stay what they were use it.
 *  => cpu runs threads (or -1); may switch; not with preemption off.
 */
void sched_bind(int cpu);

/* yield: kern/core/sleep.h */

/* sleep_on, sleep_on_intr, sleep, wakeup, wakeup_one: kern/core/sleep.h */

/*
 * sleep_interrupt - end t's sleep if it sleeps interruptibly (in
 * sleep_on_intr): a signal has been posted to its process.  A plain
 * sleep_on is left alone.
 *  => any context, interrupt handlers included; never sleeps.
 *  => returns whether it woke t.
 */
bool sleep_interrupt(struct thread *t);

/*
 * preempt_disable, preempt_enable - a section the timer must not switch
 * away from (the thread may still take interrupts).  They nest; the
 * outermost enable performs a preemption that fell due meanwhile.
 *  => sleeping or yielding inside panics.
 */
void preempt_disable(void);
void preempt_enable(void);

/*
 * sched_clock_tick - from the tick handler: charge the tick to the
 * running thread, end its slice when used up.
 *  => interrupts off (a handler); only sets need-resched, never switches.
 */
void sched_clock_tick(void);

/*
 * sched_preempt_point - from trap() after an interrupt that arrived with
 * interrupts on: switch if the slice is over (or the idle thread has
 * work waiting) and preemption is enabled.  => interrupts off.
 */
void sched_preempt_point(void);

/*
 * sched_idle_thread - the calling CPU's idle thread.
 *  => NULL before sched_init; it never exits.
 */
struct thread *sched_idle_thread(void);

/* sched_idle_ticks - clock ticks the idle threads of every CPU took. */
uint64_t sched_idle_ticks(void);

/*
 * sched_check - the queues agree with the thread states: every runnable
 * thread but idle is on the run queue once, every sleeping one on the
 * sleep queue its channel hashes to, nobody else on either.
 *  => prints each problem through pr; returns how many.
 */
int sched_check(kprint_fn pr);

/*
 * For kern/core/thread.c only.
 *   sched_make_runnable make t RUNNABLE at the tail of the run queue, and
 *                       wake an idle CPU for it.
 *   sched_switch        the caller has set curthread->state (and queued it
 *                       if runnable); run the head of the run queue, or
 *                       idle.  Returns, sched_lock held, when the caller is
 *                       chosen again.
 *   sched_first_run     a new thread's first act: release the sched_lock
 *                       its first switch handed it.
 *   sched_zombie_switch the caller becomes a zombie, its joiner is woken,
 *                       and the CPU leaves it for good.
 *   sched_wait_zombie   sleep until t is a zombie that no CPU runs.
 */
void sched_make_runnable(struct thread *t);
void sched_switch(void);
void sched_first_run(void);
void sched_zombie_switch(void) __noreturn;
void sched_wait_zombie(struct thread *t);

#endif
