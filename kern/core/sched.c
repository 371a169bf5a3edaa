/*
 * kern/core/sched.c - run queue, context switch, sleep queues, preemption.
 *
 * The scheduler's state, on one CPU, is guarded by turning interrupts
 * off: no timer interrupt means no preemption and no interrupt handler
 * calling wakeup.  Every function here that touches a queue runs with
 * interrupts off, and the context switch happens with them off too; the
 * resumed thread turns them back on (or not) as it returns to where it
 * stopped.  A switch therefore needs no lock handed from thread to thread.
 *
 *   runq:    head [T3] -> [T7] -> [T1]          (FIFO, RUNNABLE threads)
 *   sleepq:  64 buckets by hash of the channel   (SLEEPING threads)
 *             [5]: [T2 on &m] -> [T4 on &buf]
 *   curthread: T9 (RUNNING), slice_left ticks to go
 *   idle:    on no queue; chosen only when runq is empty
 *
 * What one switch does (sched_switch -> switch_to -> swtch):
 *
 *   1. take the head of runq (or idle); a fresh slice;
 *   2. curthread = next (this CPU's cpu_info, kern/arch/cpu_info.h);
 *      TSS rsp0 (and the syscall entry's copy) = the
 *      top of next's stack, where its traps and system calls from user
 *      mode land; CR3 = next's pmap (the kernel's if it has no vmspace);
 *      pmap_activate skips the reload when it is the same;
 *   3. swtch saves prev's callee-saved registers and rsp, loads next's.
 *
 * Preemption: the tick handler counts slice_left down and sets
 * need_resched at zero.  After the interrupt is acknowledged, trap()
 * calls sched_preempt_point, which switches if the interrupted code had
 * interrupts on (no spin lock held) and no preempt_disable in force.
 * The interrupted thread's trap frame stays on its stack; when it is
 * chosen again, swtch returns into sched_preempt_point, trap() returns
 * and iretq resumes it where the timer stopped it.
 *
 * Sleeping: a sleeper is on the bucket its channel hashes to until a
 * wakeup of that channel.  One that slept with sleep_on_intr (sleep_intr
 * set) can also be taken off early by sleep_interrupt, which is how a
 * signal gets a process out of a pipe, wait4 or nanosleep: proc_signal
 * knows the thread, not the channel.  No wakeup is lost in between: the
 * sleeper tests for a signal with its interlock held, so interrupts are
 * off and, on one CPU, neither another thread's kill nor the tick's
 * SIGALRM can come between that test and the sleep.
 *
 * Invariants (sched_check):
 *   - curthread is the only RUNNING thread;
 *   - every RUNNABLE thread except idle is on runq, exactly once;
 *   - every SLEEPING thread has a wchan and is in the bucket it hashes to;
 *   - ZOMBIE threads are on no queue.
 *   - at every switch: interrupts off, no spin lock held, no handler
 *     running.
 */
#include "kern/core/sched.h"
#include "kern/proc/proc.h"
#include "kern/arch/cpu.h"
#include "kern/arch/gdt.h"
#include "kern/core/intr.h"
#include "kern/core/thread.h"
#include "kern/lib/assert.h"
#include "pmap/pmap.h"
#include "uvm/uvm_map.h"

#define SLEEPQ_BUCKETS 64

struct sched_stats sched_stats;

static struct threadq runq;
static struct threadq sleepq[SLEEPQ_BUCKETS];
static struct thread *idle;
static bool started;            /* sched_start has run */
static volatile bool need_resched;
static int slice_left = SCHED_SLICE_TICKS;

void swtch(uint64_t *save_rsp, uint64_t next_rsp);

static struct threadq *
sleepq_of(const void *chan)
{
	uintptr_t h = (uintptr_t)chan;

	h ^= h >> 17;
	return &sleepq[(h >> 4) % SLEEPQ_BUCKETS];
}

static void
idle_loop(void *arg)
{
	(void)arg;
	for (;;)
		sti_hlt();      /* the interrupt that wakes us also preempts us */
}

void
sched_init(void)
{
	TAILQ_INIT(&runq);
	for (int i = 0; i < SLEEPQ_BUCKETS; i++)
		TAILQ_INIT(&sleepq[i]);
	idle = thread_alloc("idle", idle_loop, NULL);
	if (idle == NULL)
		panic("sched_init: cannot create the idle thread");
	idle->state = TS_RUNNABLE;
}

void
sched_start(void)
{
	KASSERT(curthread == &thread0 && idle != NULL);
	started = true;
	sti();
}

struct thread *
sched_idle_thread(void)
{
	return idle;
}

void
sched_setrun(struct thread *t)
{
	KASSERT(!intr_enabled());
	t->state = TS_RUNNABLE;
	if (t != idle)
		TAILQ_INSERT_TAIL(&runq, t, q_link);
}

static void
switch_to(struct thread *prev, struct thread *next)
{
	struct vmspace *vm = next->vmspace;

	/* The user state the CPU holds for a user thread: SSE registers, TLS. */
	if (prev->lwp != NULL)
		lwp_switch_out(prev->lwp);
	if (next->lwp != NULL)
		lwp_switch_in(next->lwp);
	curcpu()->ci_curthread = next;
	next->state = TS_RUNNING;
	if (prev->proc != NULL)
		sched_stats.program_switches++;
	gdt_set_kernel_stack(thread_stack_top(next));
	pmap_activate(vm != NULL ? vm->vm_map.pmap : pmap_kernel());
	sched_stats.switches++;
	swtch(&prev->ctx_rsp, next->ctx_rsp);
	/* prev again: someone switched back to us, interrupts still off. */
}

void
sched_switch(void)
{
	struct thread *prev = curthread, *next;

	KASSERT(!intr_enabled() && !intr_context());
	if (spin_nheld != 0)
		panic("sched_switch: thread %s switches with %d spin lock(s) held",
		    prev->name, spin_nheld);
	KASSERT(prev->state != TS_RUNNING);
	next = TAILQ_FIRST(&runq);
	if (next != NULL)
		TAILQ_REMOVE(&runq, next, q_link);
	else
		next = idle;
	KASSERT(next != NULL);
	need_resched = false;
	slice_left = SCHED_SLICE_TICKS;
	if (next == prev) {
		prev->state = TS_RUNNING;
		return;
	}
	switch_to(prev, next);
}

void
yield(void)
{
	uint64_t s = intr_disable();
	struct thread *self = curthread;

	if (started) {
		KASSERT(self->preempt_count == 0 && !intr_context());
		self->nvcsw++;
		sched_setrun(self);
		sched_switch();
	}
	intr_restore(s);
}

/* Sleep on chan, interruptibly or not; see kern/core/sleep.h. */
static void
sleep_common(const void *chan, struct spinlock *interlock, const char *wmesg,
    bool intr)
{
	struct thread *self = curthread;
	uint64_t s = intr_disable(), saved = 0;

	if (!started)
		panic("sleep_on(%s): the scheduler has not started", wmesg);
	KASSERT(chan != NULL && self != idle && !intr_context());
	KASSERT(self->preempt_count == 0);
	KASSERT(interlock == NULL || spin_held(interlock));
	self->wchan = chan;
	self->wmesg = wmesg;
	self->sleep_intr = intr;
	self->state = TS_SLEEPING;
	self->nvcsw++;
	sched_stats.sleeps++;
	TAILQ_INSERT_TAIL(sleepq_of(chan), self, q_link);
	if (interlock != NULL)
		saved = spin_unlock_keepintr(interlock);
	sched_switch();
	self->sleep_intr = false;
	if (interlock != NULL)
		spin_lock_saved(interlock, saved);
	else
		intr_restore(s);
}

void
sleep_on(const void *chan, struct spinlock *interlock, const char *wmesg)
{
	sleep_common(chan, interlock, wmesg, false);
}

void
sleep_on_intr(const void *chan, struct spinlock *interlock, const char *wmesg)
{
	sleep_common(chan, interlock, wmesg, true);
}

void
sleep(const void *chan, const char *wmesg)
{
	sleep_on(chan, NULL, wmesg);
}

/* t, asleep on its sleep queue, becomes runnable.  => interrupts off. */
static void
unsleep(struct thread *t)
{
	TAILQ_REMOVE(sleepq_of(t->wchan), t, q_link);
	t->wchan = NULL;
	t->wmesg = NULL;
	sched_setrun(t);
	sched_stats.wakeups++;
	if (curthread == idle)
		need_resched = true;
}

/* Wake sleepers on chan: all of them, or at most one. */
static int
wake(const void *chan, bool all)
{
	struct threadq *q = sleepq_of(chan);
	struct thread *t, *tmp;
	uint64_t s = intr_disable();
	int n = 0;

	TAILQ_FOREACH_SAFE(t, q, q_link, tmp) {
		if (t->wchan != chan)
			continue;
		unsleep(t);
		n++;
		if (!all)
			break;
	}
	intr_restore(s);
	return n;
}

int
wakeup(const void *chan)
{
	return wake(chan, true);
}

int
wakeup_one(const void *chan)
{
	return wake(chan, false);
}

bool
sleep_interrupt(struct thread *t)
{
	uint64_t s = intr_disable();
	bool woke = t->state == TS_SLEEPING && t->sleep_intr;

	if (woke)
		unsleep(t);
	intr_restore(s);
	return woke;
}

/* The current thread goes to the tail; the head runs.  => interrupts off. */
static void
preempt(void)
{
	struct thread *self = curthread;

	if (TAILQ_EMPTY(&runq)) {
		/* Nobody waiting: a new slice instead of a switch. */
		need_resched = false;
		slice_left = SCHED_SLICE_TICKS;
		return;
	}
	self->nivcsw++;
	sched_stats.preemptions++;
	sched_setrun(self);
	sched_switch();
}

void
preempt_disable(void)
{
	curthread->preempt_count++;
	__asm__ volatile("" ::: "memory");
}

void
preempt_enable(void)
{
	struct thread *self = curthread;

	__asm__ volatile("" ::: "memory");
	KASSERT(self->preempt_count > 0);
	if (--self->preempt_count == 0 && need_resched && intr_enabled()) {
		uint64_t s = intr_disable();
		if (need_resched)
			preempt();
		intr_restore(s);
	}
}

void
sched_clock_tick(void)
{
	struct thread *self = curthread;

	self->rticks++;
	if (!started)
		return;
	if (self == idle) {
		if (!TAILQ_EMPTY(&runq))
			need_resched = true;
	} else if (--slice_left <= 0) {
		need_resched = true;
	}
}

void
sched_preempt_point(void)
{
	KASSERT(!intr_enabled());
	if (started && need_resched && curthread->preempt_count == 0)
		preempt();
}

/* Problems of one thread against the queues. */
static int
check_thread(struct thread *t, kprint_fn pr)
{
	struct thread *q;
	int found = 0, bad = 0;

	if ((t->state == TS_RUNNING) != (t == curthread)) {
		pr("sched_check: thread %d (%s) state %d, curthread %s\n", t->tid,
		    t->name, t->state, curthread->name);
		bad++;
	}
	TAILQ_FOREACH(q, &runq, q_link)
		found += q == t;
	if (found != (t->state == TS_RUNNABLE && t != idle ? 1 : 0)) {
		pr("sched_check: thread %d (%s) state %d is on the run queue %d times\n",
		    t->tid, t->name, t->state, found);
		bad++;
	}
	if (t->state == TS_SLEEPING) {
		found = 0;
		if (t->wchan != NULL)
			TAILQ_FOREACH(q, sleepq_of(t->wchan), q_link)
				found += q == t;
		if (found != 1) {
			pr("sched_check: sleeping thread %d (%s) is on its sleep "
			    "queue %d times (wchan %p)\n", t->tid, t->name, found,
			    t->wchan);
			bad++;
		}
	}
	return bad;
}

/* Everything on the queues is in the state the queue promises. */
static int
check_queues(kprint_fn pr)
{
	struct thread *t;
	int bad = 0;

	TAILQ_FOREACH(t, &runq, q_link) {
		if (t->state != TS_RUNNABLE || t == idle) {
			pr("sched_check: thread %d (%s) on the run queue in state %d\n",
			    t->tid, t->name, t->state);
			bad++;
		}
	}
	for (int i = 0; i < SLEEPQ_BUCKETS; i++) {
		TAILQ_FOREACH(t, &sleepq[i], q_link) {
			if (t->state != TS_SLEEPING || sleepq_of(t->wchan) != &sleepq[i]) {
				pr("sched_check: thread %d (%s) in sleep bucket %d in "
				    "state %d\n", t->tid, t->name, i, t->state);
				bad++;
			}
		}
	}
	return bad;
}

int
sched_check(kprint_fn pr)
{
	struct thread *t;
	uint64_t s = intr_disable();
	int bad = check_queues(pr);

	TAILQ_FOREACH(t, &allthreads, all_link)
		bad += check_thread(t, pr);
	intr_restore(s);
	return bad;
}
