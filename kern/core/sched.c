/*
 * kern/core/sched.c - run queue, context switch, sleep queues, preemption,
 * on every CPU.
 *
 * One run queue and one set of sleep queues serve all CPUs, guarded by
 * one spin lock, sched_lock.  Each CPU has its own idle thread, its own
 * slice count and its own "switch soon" flag (ci_want_resched, in its
 * cpu_info); whichever CPU finds the run queue non-empty takes its head.
 *
 *   runq:    head [T3] -> [T7] -> [T1]          (FIFO, RUNNABLE threads)
 *   sleepq:  64 buckets by hash of the channel   (SLEEPING threads)
 *             [5]: [T2 on &m] -> [T4 on &buf]
 *   cpu0: T9 RUNNING, 1 tick left      cpu1: cpu1/idle (halted)
 *
 * The lock is held across the switch.  A CPU takes sched_lock, puts the
 * running thread where it belongs (the run queue, a sleep queue, or no
 * queue: a zombie), picks the next one and calls swtch with the lock
 * still held; the thread that resumes - on this CPU - releases it:
 *
 *   cpu0, thread A                          cpu1
 *   lock(sched_lock)
 *   A -> tail of runq                        lock(sched_lock): spins ...
 *   next = head (B); swtch(A, B):
 *     A's registers saved on A's stack
 *   B resumes, unlock(sched_lock) ---------> ... takes it; head = A:
 *                                            A's registers are all saved,
 *                                            so A may run here at once
 *
 * Were the lock dropped before swtch, cpu1 could resume A from a stack
 * cpu0 is still pushing on.  Two consequences: a thread entering or
 * leaving swtch owns sched_lock without having taken it (a new thread
 * releases it first thing, sched_first_run), and the interrupt state is
 * each thread's own - sched_lock is taken with interrupts already off
 * and released without restoring them (spin_unlock_keepintr), each
 * thread then restoring what it saved itself.  The lock-order checker
 * is told the lock changes hands (lockorder_handoff).
 *
 * What one switch does (sched_switch -> switch_to -> swtch):
 *
 *   1. take the head of runq (or this CPU's idle thread); a fresh slice;
 *   2. curthread = next (this CPU's cpu_info, kern/arch/cpu_info.h);
 *      TSS rsp0 (and the syscall entry's copy) = the top of next's stack,
 *      where its traps and system calls from user mode land; CR3 = next's
 *      pmap (the kernel's if it has no vmspace); pmap_activate skips the
 *      reload when it is the same;
 *   3. swtch saves prev's callee-saved registers and rsp, loads next's.
 *
 * A thread may resume on another CPU than the one it left: everything a
 * CPU holds for a thread (TSS stack, CR3, SSE registers, FS base) is
 * loaded again at each switch.
 *
 * Waking an idle CPU: making a thread runnable (a wakeup, a new thread)
 * looks for a CPU running its idle thread, sets its ci_want_resched and
 * sends it a reschedule IPI; the interrupt ends, the preemption point
 * sees the flag and the idle thread switches to the run queue's head.
 * Without an idle CPU the thread waits for a slice to end somewhere.
 *
 * Preemption: each CPU's tick counts its own ci_slice_left down and sets
 * ci_want_resched at zero.  After the interrupt is acknowledged, trap()
 * calls sched_preempt_point, which switches if the interrupted code had
 * interrupts on (no spin lock held) and no preempt_disable in force.
 *
 * Sleeping: a sleeper is on the bucket its channel hashes to until a
 * wakeup of that channel.  One that slept with sleep_on_intr (sleep_intr
 * set) can also be taken off early by sleep_interrupt, which is how a
 * signal gets a process out of a pipe, wait4 or nanosleep: proc_signal
 * knows the thread, not the channel.  Its caller tested for a signal
 * under its interlock, but signals are posted under proc_lock, so on
 * several CPUs a signal can land between that test and the sleep:
 *
 *   cpu0 (reader)                       cpu1 (kill)
 *   lock(pipe); no signal pending
 *                                       post SIGINT; sleep_interrupt(reader):
 *                                         not asleep yet -> sleep_intr_pending
 *   sleep_on_intr(pipe): pending set,
 *     so it returns at once; the loop
 *     tests again and sees SIGINT
 *
 * Invariants (sched_check, with sched_lock held):
 *   - a thread is RUNNING iff it is some CPU's curthread;
 *   - every RUNNABLE thread except the idle threads is on runq, once;
 *   - every SLEEPING thread has a wchan and is in the bucket it hashes to;
 *   - ZOMBIE threads are on no queue.
 *   - at every switch: interrupts off, sched_lock held by this CPU and no
 *     other spin lock, no handler running.
 *
 * Lock order: any interlock (a mutex's word, a pipe's lock, proc_lock) ->
 * sched_lock -> allthreads_lock (kern/core/thread.c).  Nothing is taken
 * with sched_lock held but that and the lock-order checker's own.
 */
#include "kern/core/sched.h"
#include "kern/proc/proc.h"
#include "kern/arch/cpu.h"
#include "kern/arch/gdt.h"
#include "kern/core/intr.h"
#include "kern/core/smp.h"
#include "kern/core/thread.h"
#include "kern/lib/assert.h"
#include "pmap/pmap.h"
#include "uvm/uvm_map.h"

#define SLEEPQ_BUCKETS 64

struct sched_stats sched_stats;         /* under sched_lock */

static struct spinlock sched_lock = SPINLOCK_INIT("sched");
static struct threadq runq;
static struct threadq sleepq[SLEEPQ_BUCKETS];
static volatile bool started;   /* sched_start has run */

void swtch(uint64_t *save_rsp, uint64_t next_rsp);

static struct threadq *
sleepq_of(const void *chan)
{
	uintptr_t h = (uintptr_t)chan;

	h ^= h >> 17;
	return &sleepq[(h >> 4) % SLEEPQ_BUCKETS];
}

/*
 * Take sched_lock with interrupts off; returns the caller's interrupt
 * state for sched_unlock (the lock's own saved flags mean nothing once
 * it has crossed a switch).
 */
static uint64_t
sched_lock_enter(void)
{
	uint64_t s = intr_disable();

	spin_lock_saved(&sched_lock, 0);
	return s;
}

static void
sched_lock_exit(uint64_t s)
{
	(void)spin_unlock_keepintr(&sched_lock);
	intr_restore(s);
}

static bool
sched_lock_mine(void)
{
	return spin_holder(&sched_lock) == cpu_number();
}

void
sched_idle_loop(void *arg)
{
	(void)arg;
	for (;;)
		sti_hlt();      /* the interrupt that wakes us also preempts us */
}

void
sched_init(void)
{
	struct thread *idle;

	TAILQ_INIT(&runq);
	for (int i = 0; i < SLEEPQ_BUCKETS; i++)
		TAILQ_INIT(&sleepq[i]);
	idle = thread_alloc("idle", sched_idle_loop, NULL);
	if (idle == NULL)
		panic("sched_init: cannot create the idle thread");
	idle->idle = true;
	idle->state = TS_RUNNABLE;
	curcpu()->ci_idle = idle;
	curcpu()->ci_slice_left = SCHED_SLICE_TICKS;
	curcpu()->ci_sched_on = true;
}

void
sched_start(void)
{
	KASSERT(curthread == &thread0 && curcpu()->ci_idle != NULL);
	started = true;
	sti();
}

void
sched_cpu_join(struct thread *idle)
{
	struct cpu_info *ci = curcpu();
	uint64_t s = sched_lock_enter();

	KASSERT(started && idle == curthread && !ci->ci_sched_on);
	idle->idle = true;
	idle->preempt_count = 0;
	ci->ci_idle = idle;
	ci->ci_slice_left = SCHED_SLICE_TICKS;
	ci->ci_sched_on = true;
	if (!TAILQ_EMPTY(&runq))
		ci->ci_want_resched = true;
	sched_lock_exit(s);
}

struct thread *
sched_idle_thread(void)
{
	return curcpu()->ci_idle;
}

uint64_t
sched_idle_ticks(void)
{
	uint64_t n = 0;

	for (int i = 0; i < MAXCPUS; i++) {
		if (cpu_infos[i].ci_sched_on)
			n += cpu_infos[i].ci_idle->rticks;
	}
	return n;
}

/* t goes to the tail of the run queue (an idle thread to none). */
static void
runq_put(struct thread *t)
{
	KASSERT(sched_lock_mine());
	t->state = TS_RUNNABLE;
	if (!t->idle)
		TAILQ_INSERT_TAIL(&runq, t, q_link);
}

/* May ci run t?  A bound thread runs only on its CPU. */
static bool
runs_on(const struct thread *t, const struct cpu_info *ci)
{
	return t->bound_cpu < 0 || t->bound_cpu == ci->ci_index;
}

/* The first thread on the run queue ci may run, or NULL. */
static struct thread *
runq_first_for(const struct cpu_info *ci)
{
	struct thread *t;

	TAILQ_FOREACH(t, &runq, q_link) {
		if (runs_on(t, ci))
			return t;
	}
	return NULL;
}

/* Tell ci to look at the run queue: at once if it is this CPU. */
static void
kick(struct cpu_info *ci)
{
	ci->ci_want_resched = true;
	if (ci != curcpu()) {
		sched_stats.resched_ipis++;
		smp_resched_ipi(ci);
	}
}

/*
 * Someone should run t, just queued: an idle CPU that may, told by an
 * IPI (or this CPU, if it is idle and in an interrupt handler).  With
 * none idle, t waits for a slice to end somewhere.
 */
static void
kick_idle_cpu(struct thread *t)
{
	struct cpu_info *me = curcpu(), *ci;

	if (me->ci_curthread == me->ci_idle && runs_on(t, me)) {
		me->ci_want_resched = true;
		return;
	}
	for (int i = 0; i < MAXCPUS; i++) {
		ci = &cpu_infos[i];
		if (ci->ci_sched_on && !ci->ci_want_resched && runs_on(t, ci) &&
		    ci->ci_curthread == ci->ci_idle) {
			kick(ci);
			return;
		}
	}
}

static void
sched_setrun(struct thread *t)
{
	runq_put(t);
	if (!t->idle && started)
		kick_idle_cpu(t);
}

void
sched_make_runnable(struct thread *t)
{
	uint64_t s = sched_lock_enter();

	sched_setrun(t);
	sched_lock_exit(s);
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
	next->last_cpu = cpu_number();
	if (prev->proc != NULL)
		sched_stats.program_switches++;
	gdt_set_kernel_stack(thread_stack_top(next));
	pmap_activate(vm != NULL ? vm->vm_map.pmap : pmap_kernel());
	sched_stats.switches++;
	LOCKORDER_HOOK(lockorder_handoff(&prev->lo_held, &next->lo_held,
	    &sched_lock));
	swtch(&prev->ctx_rsp, next->ctx_rsp);
	/* prev again, on some CPU that switched back to us: sched_lock held. */
}

void
sched_switch(void)
{
	struct thread *prev = curthread, *next;
	struct cpu_info *ci = curcpu();

	KASSERT(!intr_enabled() && !intr_context() && sched_lock_mine());
	if (spin_nheld != 1)
		panic("sched_switch: thread %s switches with %d spin lock(s) held",
		    prev->name, spin_nheld - 1);
	KASSERT(prev->state != TS_RUNNING);
	next = runq_first_for(ci);
	if (next != NULL)
		TAILQ_REMOVE(&runq, next, q_link);
	else
		next = ci->ci_idle;
	KASSERT(next != NULL);
	ci->ci_want_resched = false;
	ci->ci_slice_left = SCHED_SLICE_TICKS;
	if (next == prev) {
		prev->state = TS_RUNNING;
		return;
	}
	switch_to(prev, next);
}

void
sched_first_run(void)
{
	KASSERT(sched_lock_mine());
	(void)spin_unlock_keepintr(&sched_lock);
}

void
yield(void)
{
	struct thread *self = curthread;
	uint64_t s;

	if (!started)
		return;
	s = sched_lock_enter();
	KASSERT(self->preempt_count == 0 && !intr_context());
	self->nvcsw++;
	runq_put(self);
	sched_switch();
	sched_lock_exit(s);
}

/*
 * The caller sleeps on chan.  => sched_lock held (and returned held);
 * false, without sleeping, when an interruptible sleep finds a signal
 * posted since its caller looked (sleep_intr_pending).
 */
static bool
sleep_locked(struct thread *self, const void *chan, const char *wmesg,
    bool intr)
{
	if (intr && self->sleep_intr_pending) {
		self->sleep_intr_pending = false;
		return false;
	}
	self->wchan = chan;
	self->wmesg = wmesg;
	self->sleep_intr = intr;
	self->state = TS_SLEEPING;
	self->nvcsw++;
	sched_stats.sleeps++;
	TAILQ_INSERT_TAIL(sleepq_of(chan), self, q_link);
	return true;
}

/* Sleep on chan, interruptibly or not; see kern/core/sleep.h. */
static void
sleep_common(const void *chan, struct spinlock *interlock, const char *wmesg,
    bool intr)
{
	struct thread *self = curthread;
	uint64_t s, saved = 0;

	if (!started)
		panic("sleep_on(%s): the scheduler has not started", wmesg);
	KASSERT(chan != NULL && !self->idle && !intr_context());
	KASSERT(self->preempt_count == 0);
	KASSERT(interlock == NULL ||
	    spin_holder(interlock) == cpu_number());
	s = sched_lock_enter();
	if (sleep_locked(self, chan, wmesg, intr)) {
		if (interlock != NULL)
			saved = spin_unlock_keepintr(interlock);
		sched_switch();
		self->sleep_intr = false;
		self->sleep_intr_pending = false;
		(void)spin_unlock_keepintr(&sched_lock);
		if (interlock != NULL)
			spin_lock_saved(interlock, saved);
		else
			intr_restore(s);
		return;
	}
	sched_lock_exit(s);
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

/* t, asleep on its sleep queue, becomes runnable.  => sched_lock held. */
static void
unsleep(struct thread *t)
{
	TAILQ_REMOVE(sleepq_of(t->wchan), t, q_link);
	t->wchan = NULL;
	t->wmesg = NULL;
	sched_setrun(t);
	sched_stats.wakeups++;
}

/* Wake sleepers on chan: all of them, or at most one.  => sched_lock held. */
static int
wake_locked(const void *chan, bool all)
{
	struct threadq *q = sleepq_of(chan);
	struct thread *t, *tmp;
	int n = 0;

	TAILQ_FOREACH_SAFE(t, q, q_link, tmp) {
		if (t->wchan != chan)
			continue;
		unsleep(t);
		n++;
		if (!all)
			break;
	}
	return n;
}

int
wakeup(const void *chan)
{
	uint64_t s = sched_lock_enter();
	int n = wake_locked(chan, true);

	sched_lock_exit(s);
	return n;
}

int
wakeup_one(const void *chan)
{
	uint64_t s = sched_lock_enter();
	int n = wake_locked(chan, false);

	sched_lock_exit(s);
	return n;
}

bool
sleep_interrupt(struct thread *t)
{
	uint64_t s = sched_lock_enter();
	bool woke = t->state == TS_SLEEPING && t->sleep_intr;

	if (woke)
		unsleep(t);
	else if (t->state == TS_RUNNING || t->state == TS_RUNNABLE)
		t->sleep_intr_pending = true;
	sched_lock_exit(s);
	return woke;
}

void
sched_zombie_switch(void)
{
	struct thread *self = curthread;

	(void)sched_lock_enter();
	self->state = TS_ZOMBIE;
	wake_locked(self, true);
	sched_switch();
	panic("sched_zombie_switch: zombie thread %s ran again", self->name);
}

void
sched_wait_zombie(struct thread *t)
{
	struct thread *self = curthread;
	uint64_t s = sched_lock_enter();

	/* A zombie's CPU held sched_lock from "ZOMBIE" through its last
	 * swtch: seeing the state under the lock means it is off its stack. */
	while (t->state != TS_ZOMBIE) {
		(void)sleep_locked(self, t, "join", false);
		sched_switch();
	}
	sched_lock_exit(s);
}

/* The current thread goes to the tail; the head runs.  => interrupts off. */
static void
preempt(void)
{
	struct thread *self = curthread;
	struct cpu_info *ci = curcpu();

	spin_lock_saved(&sched_lock, 0);
	if (runq_first_for(ci) == NULL) {
		/* Nobody waiting: a new slice instead of a switch. */
		ci->ci_want_resched = false;
		ci->ci_slice_left = SCHED_SLICE_TICKS;
	} else {
		self->nivcsw++;
		sched_stats.preemptions++;
		runq_put(self);
		sched_switch();
	}
	(void)spin_unlock_keepintr(&sched_lock);
}

void
sched_bind(int cpu)
{
	struct thread *self = curthread;
	uint64_t s;

	KASSERT(cpu < MAXCPUS && (cpu < 0 || cpu_infos[cpu].ci_sched_on));
	KASSERT(self->preempt_count == 0 && !self->idle);
	s = sched_lock_enter();
	self->bound_cpu = cpu;
	if (cpu >= 0 && cpu != cpu_number()) {
		/* Off this CPU: queued, only cpu will take it. */
		self->nvcsw++;
		runq_put(self);
		kick(&cpu_infos[cpu]);
		sched_switch();
	}
	sched_lock_exit(s);
	KASSERT(cpu < 0 || cpu_number() == cpu);
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
	uint64_t s;

	__asm__ volatile("" ::: "memory");
	KASSERT(self->preempt_count > 0);
	if (--self->preempt_count == 0 && curcpu()->ci_want_resched &&
	    intr_enabled()) {
		s = intr_disable();
		if (curcpu()->ci_want_resched)
			preempt();
		intr_restore(s);
	}
}

void
sched_clock_tick(void)
{
	struct thread *self = curthread;
	struct cpu_info *ci = curcpu();

	self->rticks++;
	ci->ci_ticks++;
	if (self->proc != NULL)
		ci->ci_proc_ticks++;
	if (!started || !ci->ci_sched_on)
		return;
	if (self->idle) {
		if (!TAILQ_EMPTY(&runq))    /* a racy peek: the lock decides */
			ci->ci_want_resched = true;
	} else if (--ci->ci_slice_left <= 0) {
		ci->ci_want_resched = true;
	}
}

void
sched_preempt_point(void)
{
	KASSERT(!intr_enabled());
	if (started && curcpu()->ci_want_resched && curthread->preempt_count == 0)
		preempt();
}

/* Is t some CPU's current thread?  => sched_lock held. */
static bool
running_somewhere(const struct thread *t)
{
	for (int i = 0; i < MAXCPUS; i++) {
		if (cpu_infos[i].ci_online && cpu_infos[i].ci_curthread == t)
			return true;
	}
	return false;
}

/* Problems of one thread against the queues. */
static int
check_thread(struct thread *t, kprint_fn pr)
{
	struct thread *q;
	int found = 0, bad = 0;

	if ((t->state == TS_RUNNING) != running_somewhere(t)) {
		pr("sched_check: thread %d (%s) state %d, running on %s CPU\n",
		    t->tid, t->name, t->state, running_somewhere(t) ? "a" : "no");
		bad++;
	}
	TAILQ_FOREACH(q, &runq, q_link)
		found += q == t;
	if (found != (t->state == TS_RUNNABLE && !t->idle ? 1 : 0)) {
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
		if (t->state != TS_RUNNABLE || t->idle) {
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
	uint64_t s = sched_lock_enter();
	int bad = check_queues(pr);

	thread_list_lock();
	TAILQ_FOREACH(t, &allthreads, all_link)
		bad += check_thread(t, pr);
	thread_list_unlock();
	sched_lock_exit(s);
	return bad;
}
