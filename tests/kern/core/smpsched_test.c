/*
 * tests/kern/core/smpsched_test.c - the scheduler on several CPUs
 * (kern/core/sched.c): threads that run at the same time, wakeups that
 * reach an idle CPU by IPI, binding, joins that wait for the zombie's
 * last switch, and the lost-signal window closed by sleep_intr_pending.
 *
 * Each test needs two CPUs that run threads; with one (make test's main
 * boot) it says so and passes: make test's SMP boot (SMPKTEST) runs them.
 * thread0, the test runner, is bound to cpu0 (kmain), so "cpu1" is
 * always another CPU.
 */
#include "kern/core/ktest.h"
#include "kern/arch/cpu.h"
#include "kern/arch/cpu_info.h"
#include "kern/core/clock.h"
#include "kern/core/sched.h"
#include "kern/core/thread.h"
#include "kern/lib/errno.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/string.h"
#include "tests/harness/threadtest.h"
#include "uvm/uvm_km.h"

/*
 * How long a waiting thread spins for the other CPU before it calls the
 * test failed: by the clock, not a loop count, because a CPU of QEMU's
 * is a host thread that a busy host may leave unscheduled for seconds.
 */
#define WAIT_NS (30 * 1000000000ULL)

static bool
flag_set(void *flag)
{
	return *(volatile bool *)flag;
}

/* Spin until *flag, answering nothing else; false after WAIT_NS. */
static bool
spin_until(volatile bool *flag)
{
	return tt_spin_until(flag_set, (void *)flag, WAIT_NS);
}

/* ------------------------------------------------------------------ */

struct meet {
	volatile bool go;               /* both threads exist */
	volatile bool here[2];
	bool met[2];
	int cpu[2];
};

static struct meet meet;

/*
 * Wait (preemptible) until both threads exist, then with preemption off
 * announce ourselves and wait for the other.  Without the first wait,
 * meet0 could take the creator's CPU at a tick before meet1 exists and
 * spin there unpreemptible; the creator, bound to that CPU, could then
 * never make meet1 (it failed so, depending on the build's timing).
 */
static void
meeter(void *arg)
{
	int me = (int)(uintptr_t)arg;

	while (!meet.go)
		cpu_pause();
	preempt_disable();
	meet.cpu[me] = cpu_number();
	meet.here[me] = true;
	meet.met[me] = spin_until(&meet.here[!me]);
	preempt_enable();
}

KTEST(smpsched, two_unbound_threads_run_at_the_same_time_on_two_cpus)
{
	struct thread *a, *b;

	if (tt_one_cpu("smpsched", "two threads at once"))
		return;
	memset(&meet, 0, sizeof(meet));
	a = thread_create("meet0", meeter, (void *)0);
	b = thread_create("meet1", meeter, (void *)1);
	KT_ASSERT(a != NULL && b != NULL);
	meet.go = true;
	/* We sleep in the joins: both CPUs are theirs. */
	KT_EQ(thread_join(a), 0);
	KT_EQ(thread_join(b), 0);
	/* Neither could be preempted, so each saw the other running. */
	KT_ASSERT(meet.met[0]);
	KT_ASSERT(meet.met[1]);
	KT_ASSERT(meet.cpu[0] != meet.cpu[1]);
}

/* ------------------------------------------------------------------ */

static volatile bool wake_flag;
static volatile int woke_on = -1;
static struct spinlock wake_lock = SPINLOCK_INIT("smpsched_wake");

static void
sleeper_on_cpu1(void *arg)
{
	(void)arg;
	spin_lock(&wake_lock);
	while (!wake_flag)
		sleep_on((const void *)&wake_flag, &wake_lock, "smpwake");
	woke_on = cpu_number();
	spin_unlock(&wake_lock);
}

static bool
cpu1_idle(void *arg)
{
	(void)arg;
	return cpu_infos[1].ci_curthread == cpu_infos[1].ci_idle;
}

KTEST(smpsched, a_wakeup_reaches_an_idle_cpu_by_a_reschedule_ipi)
{
	struct thread *t;
	uint64_t ipis0, sent0;

	if (tt_one_cpu("smpsched", "waking an idle CPU"))
		return;
	wake_flag = false;
	woke_on = -1;
	t = thread_create_on("smpwake", sleeper_on_cpu1, NULL, 1);
	KT_ASSERT(t != NULL);
	KT_ASSERT(tt_wait_sleeping(t, (const void *)&wake_flag, 500));
	KT_ASSERT(tt_wait(cpu1_idle, NULL, 500));
	ipis0 = cpu_infos[1].ci_nresched;
	sent0 = sched_stats.resched_ipis;
	spin_lock(&wake_lock);
	wake_flag = true;
	KT_EQ(wakeup((const void *)&wake_flag), 1);
	spin_unlock(&wake_lock);
	KT_EQ(thread_join(t), 0);
	KT_EQ(woke_on, 1);
	KT_ASSERT(sched_stats.resched_ipis > sent0);
	KT_ASSERT(cpu_infos[1].ci_nresched > ipis0);    /* it took the IPI */
}

/* ------------------------------------------------------------------ */

static volatile int bind_seen[4];

static void
binder(void *arg)
{
	(void)arg;
	sched_bind(1);
	bind_seen[0] = cpu_number();
	for (int i = 0; i < 50; i++) {
		yield();
		if (cpu_number() != 1)
			bind_seen[1] = -1;
	}
	sched_bind(0);
	bind_seen[2] = cpu_number();
	sched_bind(-1);
	bind_seen[3] = curthread->bound_cpu;
}

KTEST(smpsched, sched_bind_moves_the_thread_and_keeps_it_there)
{
	struct thread *t;

	if (tt_one_cpu("smpsched", "binding to another CPU"))
		return;
	memset((void *)bind_seen, 0, sizeof(bind_seen));
	t = thread_create("binder", binder, NULL);
	KT_ASSERT(t != NULL);
	KT_EQ(thread_join(t), 0);
	KT_EQ(bind_seen[0], 1);
	KT_EQ(bind_seen[1], 0);         /* every yield came back on cpu1 */
	KT_EQ(bind_seen[2], 0);
	KT_EQ(bind_seen[3], -1);
}

/* ------------------------------------------------------------------ */

#define NZOMBIES 200

static void
quick_exit(void *arg)
{
	*(volatile int *)arg = cpu_number();
}

KTEST(smpsched, a_join_frees_the_stack_only_after_the_zombies_last_switch)
{
	uint64_t kva0;
	int n0 = thread_count(), bad = 0;
	volatile int ran_on;

	if (tt_one_cpu("smpsched", "joining a thread that exits on another CPU"))
		return;
	thread_stack_cache_drain();
	kva0 = uvm_km_stats.kva_pages;
	/* Each exits on cpu1 while cpu0 joins at once: a freed stack that
	 * cpu1 still switched on would be reused by the next create (the
	 * stack cache hands the joined one straight to it). */
	for (int i = 0; i < NZOMBIES; i++) {
		struct thread *t;

		ran_on = -1;
		t = thread_create_on("zombie", quick_exit, (void *)&ran_on, 1);
		if (t == NULL || thread_join(t) != 0 || ran_on != 1)
			bad++;
	}
	KT_EQ(bad, 0);
	KT_EQ(thread_count(), n0);
	thread_stack_cache_drain();
	KT_EQ(uvm_km_stats.kva_pages, kva0);
}

/* ------------------------------------------------------------------ */

#define NMIGRANTS 4
#define MIGRANT_ROUNDS 3000

static volatile uint64_t migrant_cpus[NMIGRANTS];
static volatile bool migrants_stop;

static void
migrant(void *arg)
{
	int i = (int)(uintptr_t)arg;

	for (int r = 0; r < MIGRANT_ROUNDS && !migrants_stop; r++) {
		migrant_cpus[i] |= 1UL << cpu_number();
		yield();
	}
}

KTEST(smpsched, threads_migrate_and_the_queues_stay_consistent)
{
	struct thread *t[NMIGRANTS];
	int bad = 0, moved = 0;

	if (tt_one_cpu("smpsched", "threads moving between CPUs"))
		return;
	migrants_stop = false;
	for (int i = 0; i < NMIGRANTS; i++) {
		migrant_cpus[i] = 0;
		t[i] = thread_create("migrant", migrant, (void *)(uintptr_t)i);
		KT_ASSERT(t[i] != NULL);
	}
	for (int i = 0; i < 200; i++) {
		bad += sched_check(ktest_print);
		yield();
	}
	for (int i = 0; i < NMIGRANTS; i++)
		KT_EQ(thread_join(t[i]), 0);
	for (int i = 0; i < NMIGRANTS; i++)
		moved += __builtin_popcountl(migrant_cpus[i]) > 1;
	KT_EQ(bad, 0);
	KT_ASSERT(moved > 0);           /* some thread ran on two CPUs */
}

/* ------------------------------------------------------------------ */

static struct spinlock sig_lock = SPINLOCK_INIT("smpsched_sig");
static volatile bool sig_tested, sig_posted;
static volatile bool sig_returned, sig_was_pending, sig_still_pending;

/* Test "a signal?" (no), wait for the signal, then sleep_on_intr. */
static void
window_sleeper(void *arg)
{
	(void)arg;
	spin_lock(&sig_lock);
	sig_tested = true;                  /* "no signal pending" */
	(void)spin_until(&sig_posted);      /* cpu0 posts it now */
	sig_was_pending = curthread->sleep_intr_pending;
	sleep_on_intr((const void *)&sig_posted, &sig_lock, "smpsig");
	sig_returned = true;
	sig_still_pending = curthread->sleep_intr_pending;
	spin_unlock(&sig_lock);
}

KTEST(smpsched, a_signal_between_the_test_and_the_sleep_ends_the_sleep)
{
	struct thread *t;

	if (tt_one_cpu("smpsched", "the signal window between test and sleep"))
		return;
	sig_tested = sig_posted = sig_returned = false;
	sig_was_pending = sig_still_pending = true;
	t = thread_create_on("smpsig", window_sleeper, NULL, 1);
	KT_ASSERT(t != NULL);
	KT_ASSERT(spin_until(&sig_tested));
	/* t runs, holding sig_lock: not asleep, so this only marks it. */
	KT_ASSERT(!sleep_interrupt(t));
	sig_posted = true;
	KT_EQ(thread_join(t), 0);
	KT_ASSERT(sig_was_pending);
	KT_ASSERT(sig_returned);
	KT_ASSERT(!sig_still_pending);          /* consumed by that sleep */
}
