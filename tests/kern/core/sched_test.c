/*
 * tests/kern/core/sched_test.c - kern/core/thread.c and kern/core/sched.c: threads that
 * run, exit and give their stacks back; round-robin preemption of
 * threads that never yield; the order and the safety of sleep and
 * wakeup; preempt_disable; a stack overflow caught at the guard page;
 * and the cost of a context switch (printed, never asserted).
 *
 * Worker threads never assert (see threadtest.h): they record, the test
 * joins them all, then checks.  What is checked is the mechanism: thread
 * states and wait channels, switch counters, page-table entries of the
 * stacks, the kernel arena's page count.
 */
#include "kern/core/ktest.h"
#include "kern/core/clock.h"
#include "kern/arch/cpu.h"
#include "kern/arch/gdt.h"
#include "kern/core/sched.h"
#include "kern/core/thread.h"
#include "kern/lib/errno.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/threadtest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_km.h"

static bool
mapped(vaddr_t va)
{
	return (pmap_pte_lookup(pmap_kernel(), va) & PG_V) != 0;
}

/* ------------------------------------------------------------------ */

#define NLIFE 8

static int life_out[NLIFE];

static void
life_worker(void *arg)
{
	int i = (int)(uintptr_t)arg;

	life_out[i] = i * i + 1;
}

/* Stack pages mapped, the guard page below not; tids distinct. */
static bool
stacks_look_right(struct thread **t, int n)
{
	for (int i = 0; i < n; i++) {
		if (t[i] == NULL || t[i]->state != TS_RUNNABLE || t[i]->tid <= 0)
			return false;
		if (mapped(t[i]->kstack - PAGE_SIZE) || !mapped(t[i]->kstack) ||
		    !mapped(thread_stack_top(t[i]) - PAGE_SIZE))
			return false;
		for (int j = 0; j < i; j++) {
			if (t[j]->tid == t[i]->tid)
				return false;
		}
	}
	return true;
}

KTEST(sched, threads_run_exit_and_free_their_stacks)
{
	struct thread *t[NLIFE];
	uint64_t kva0, kmem0 = uvm_km_stats.kmem_bytes;
	uint64_t kva_live;
	int n0 = thread_count(), n_live, status[NLIFE];
	bool looks_right;

	thread_stack_cache_drain();     /* every stack below is a new one */
	kva0 = uvm_km_stats.kva_pages;
	memset(life_out, 0, sizeof(life_out));
	preempt_disable();              /* none runs before we have looked: */
	for (int i = 0; i < NLIFE; i++) /* all wait for this CPU */
		t[i] = thread_create_on("life", life_worker, (void *)(uintptr_t)i,
		    cpu_number());
	kva_live = uvm_km_stats.kva_pages;
	n_live = thread_count();
	looks_right = stacks_look_right(t, NLIFE);
	preempt_enable();
	for (int i = 0; i < NLIFE; i++)
		status[i] = t[i] != NULL ? thread_join(t[i]) : -ENOMEM;
	KT_ASSERT(looks_right);
	KT_EQ(kva_live, kva0 + NLIFE * (KSTACK_PAGES + 1));   /* + guard */
	KT_EQ(n_live, n0 + NLIFE);
	for (int i = 0; i < NLIFE; i++) {
		KT_EQ(status[i], 0);
		KT_EQ(life_out[i], i * i + 1);
	}
	/* The joined threads' stacks may be kept, still mapped, for the next
	 * threads (sched_speed); draining the cache frees them. */
	KT_EQ(uvm_km_stats.kva_pages,
	    kva0 + (uint64_t)thread_stack_cached() * (KSTACK_PAGES + 1));
	thread_stack_cache_drain();
	KT_EQ(uvm_km_stats.kva_pages, kva0);
	KT_EQ(uvm_km_stats.kmem_bytes, kmem0);
	KT_EQ(thread_count(), n0);
}

static void
do_nothing(void *arg)
{
	(void)arg;
}

static bool stack_cache_saved;

static void
stack_cache_restore(void *arg)
{
	(void)arg;
	thread_stack_cache_on = stack_cache_saved;
}

/*
 * thread_join keeps the stack it frees for the next thread_alloc: still
 * mapped, its guard page still not, handed to the next thread as it is;
 * draining the cache unmaps it and gives the arena its pages back.  A
 * speed-up (kstackcache=0 turns it off): the test turns it on.
 */
KTEST(sched_speed, a_joined_threads_stack_is_kept_for_the_next_thread)
{
	uint64_t kva0, reused;
	struct thread *a, *b;
	vaddr_t sa;
	paddr_t pa;

	stack_cache_saved = thread_stack_cache_on;
	thread_stack_cache_on = true;
	ktest_cleanup_push(stack_cache_restore, NULL);
	thread_stack_cache_drain();
	kva0 = uvm_km_stats.kva_pages;
	a = thread_create("kept-a", do_nothing, NULL);
	KT_ASSERT(a != NULL);
	sa = a->kstack;
	KT_EQ(thread_join(a), 0);
	KT_EQ(thread_stack_cached(), 1);
	KT_EQ(uvm_km_stats.kva_pages, kva0 + KSTACK_PAGES + 1);
	KT_ASSERT(pmap_extract(pmap_kernel(), sa, &pa));
	KT_ASSERT(!pmap_extract(pmap_kernel(), sa - PAGE_SIZE, &pa));
	reused = thread_stack_stats.reused;
	b = thread_create("kept-b", do_nothing, NULL);
	KT_ASSERT(b != NULL);
	KT_ASSERT(b->kstack == sa);
	KT_EQ(thread_stack_stats.reused, reused + 1);
	KT_EQ(thread_stack_cached(), 0);
	KT_EQ(uvm_km_stats.kva_pages, kva0 + KSTACK_PAGES + 1);
	KT_EQ(thread_join(b), 0);
	thread_stack_cache_drain();
	KT_EQ(thread_stack_cached(), 0);
	KT_EQ(uvm_km_stats.kva_pages, kva0);
	KT_ASSERT(!pmap_extract(pmap_kernel(), sa, &pa));
	ktest_cleanup_pop(NULL);
	stack_cache_restore(NULL);
}

/* What a thread saw at its first instruction: CR3 and the CPU's pmap. */
struct first_sight {
	uint64_t cr3;
	struct pmap *pmap;
};

static void
look_at_cr3(void *arg)
{
	struct first_sight *s = arg;
	uint64_t flags = intr_disable();     /* both from one CPU */

	s->cr3 = rcr3();
	s->pmap = curcpu()->ci_pmap;
	intr_restore(flags);
}

/*
 * A process's new thread (thread_create_in) starts with its address
 * space's page tables already loaded: the switch into it loads them, not
 * the kernel's first (one CR3 load, and one emptied TLB, less a fork).
 * lwp_thread_start asserts the same for every user thread.
 */
KTEST(sched, a_thread_made_in_an_address_space_starts_in_its_page_tables)
{
	struct first_sight seen = { 0, NULL };
	struct thread *th;
	struct vmtest t;

	vmtest_begin(&t);
	th = thread_create_in("in-vm", look_at_cr3, &seen, t.vm);
	KT_ASSERT(th != NULL);
	KT_EQ(thread_join(th), 0);
	KT_EQ(seen.cr3, t.map->pmap->pm_pml4_pa);
	KT_ASSERT(seen.pmap == t.map->pmap);
	KT_EQ(t.map->pmap->pm_cpus, 0);         /* and it left when the thread did */
	vmtest_end(&t);
}

/* ------------------------------------------------------------------ */

#define NSPIN 4

static volatile uint64_t spin_count[NSPIN];
static volatile bool spin_stop;

/* CPU-bound: never yields, never sleeps; only the timer can stop it. */
static void
spinner(void *arg)
{
	int i = (int)(uintptr_t)arg;

	while (!spin_stop)
		spin_count[i]++;
}

static bool
all_spun(void *arg)
{
	(void)arg;
	for (int i = 0; i < NSPIN; i++) {
		if (spin_count[i] == 0)
			return false;
	}
	return true;
}

static bool
all_preempted_twice(void *arg)
{
	struct thread **t = arg;

	for (int i = 0; i < NSPIN; i++) {
		if (t[i]->nivcsw < 2)
			return false;
	}
	return true;
}

static bool
all_zombies(void *arg)
{
	struct thread **t = arg;

	for (int i = 0; i < NSPIN; i++) {
		if (t[i]->state != TS_ZOMBIE)
			return false;
	}
	return true;
}

KTEST(sched, round_robin_preempts_threads_that_never_yield)
{
	struct thread *t[NSPIN];
	uint64_t t0, took, preempt0 = sched_stats.preemptions, vol[NSPIN], invol[NSPIN];
	bool spun, rotated, ended;
	int created = 0;

	spin_stop = false;
	for (int i = 0; i < NSPIN; i++)
		spin_count[i] = 0;
	t0 = ticks;
	preempt_disable();
	for (int i = 0; i < NSPIN; i++) {
		t[i] = thread_create("spinner", spinner, (void *)(uintptr_t)i);
		created += t[i] != NULL;
	}
	preempt_enable();
	if (created < NSPIN)
		spin_stop = true;
	/* One slice each, thread0's included, and some slack. */
	spun = created == NSPIN &&
	    tt_wait(all_spun, NULL, 3 * (NSPIN + 1) * SCHED_SLICE_TICKS);
	took = ticks - t0;
	rotated = spun && tt_wait(all_preempted_twice, t, 20 * (NSPIN + 1));
	spin_stop = true;
	ended = tt_wait(all_zombies, t, 100);
	for (int i = 0; i < NSPIN; i++) {
		vol[i] = t[i] ? t[i]->nvcsw : 1;
		invol[i] = t[i] ? t[i]->nivcsw : 0;
		if (t[i] != NULL)
			thread_join(t[i]);
	}
	ktest_print("# sched: %d spinners all ran within %lu ticks\n", NSPIN, took);
	KT_ASSERT(spun);
	KT_ASSERT(rotated);
	KT_ASSERT(ended);
	for (int i = 0; i < NSPIN; i++) {
		KT_EQ(vol[i], 0);               /* never gave the CPU up itself */
		KT_ASSERT(invol[i] >= 2);       /* the timer took it away */
	}
	KT_ASSERT(sched_stats.preemptions >= preempt0 + 2 * NSPIN);
}

/* ------------------------------------------------------------------ */

#define NORDER 3

static struct spinlock order_lock = SPINLOCK_INIT("order");
static int order_chan;
static volatile int arrived[NORDER], narrived, woke[NORDER], nwoke;
static bool held_after_wake[NORDER];

/* Sleep once on order_chan (nothing else wakes it), note the order. */
static void
order_worker(void *arg)
{
	int id = (int)(uintptr_t)arg;

	spin_lock(&order_lock);
	arrived[narrived++] = id;
	sleep_on(&order_chan, &order_lock, "order");
	held_after_wake[id] = spin_held(&order_lock) && !intr_enabled();
	woke[nwoke++] = id;
	spin_unlock(&order_lock);
}

static bool
woken_at_least(void *arg)
{
	return nwoke >= (int)(uintptr_t)arg;
}

static bool
all_arrived(void *arg)
{
	(void)arg;
	return narrived == NORDER;
}

/* Every thread in t asleep on chan with wmesg, seen through its fields. */
static bool
asleep_on(struct thread **t, int n, const void *chan, const char *wmesg)
{
	for (int i = 0; i < n; i++) {
		if (!tt_wait_sleeping(t[i], chan, 50) || strcmp(t[i]->wmesg, wmesg) != 0)
			return false;
	}
	return true;
}

KTEST(sched, wakeup_one_wakes_in_arrival_order_and_wakeup_the_rest)
{
	struct thread *t[NORDER];
	int w[4], order_ok = 0, checked;
	bool asleep, lock_free;

	narrived = nwoke = 0;
	for (int i = 0; i < NORDER; i++) {
		t[i] = thread_create("order", order_worker, (void *)(uintptr_t)i);
		KT_ASSERT(t[i] != NULL);
	}
	asleep = tt_wait(all_arrived, NULL, 50) && asleep_on(t, NORDER, &order_chan, "order");
	lock_free = !spin_held(&order_lock);    /* sleep_on let it go */
	checked = sched_check(ktest_print);
	thread_print_all(ktest_print);
	w[0] = wakeup_one(&order_chan);
	order_ok += tt_wait(woken_at_least, (void *)1, 50) &&
	    t[arrived[1]]->state == TS_SLEEPING && t[arrived[2]]->state == TS_SLEEPING;
	w[1] = wakeup_one(&order_chan);
	order_ok += tt_wait(woken_at_least, (void *)2, 50) &&
	    t[arrived[2]]->state == TS_SLEEPING;
	w[2] = wakeup(&order_chan);
	order_ok += tt_wait(woken_at_least, (void *)3, 50);
	w[3] = wakeup(&order_chan);             /* nobody left */
	for (int i = 0; i < NORDER; i++)
		thread_join(t[i]);
	KT_ASSERT(asleep);
	KT_ASSERT(lock_free);
	KT_EQ(checked, 0);
	KT_EQ(order_ok, 3);
	KT_EQ(w[0], 1);
	KT_EQ(w[1], 1);
	KT_EQ(w[2], 1);
	KT_EQ(w[3], 0);
	for (int i = 0; i < NORDER; i++) {
		KT_EQ(woke[i], arrived[i]);
		KT_ASSERT(held_after_wake[i]);  /* the interlock came back */
	}
}

static int intr_chan;
static volatile int intr_done;          /* bit 0: plain sleeper, bit 1: intr */

/* Sleep once on intr_chan, interruptibly when arg is not NULL. */
static void
intr_worker(void *arg)
{
	if (arg != NULL)
		sleep_on_intr(&intr_chan, NULL, "intr");
	else
		sleep_on(&intr_chan, NULL, "plain");
	intr_done |= arg != NULL ? 2 : 1;
}

static bool
intr_done_has(void *arg)
{
	return (intr_done & (int)(uintptr_t)arg) != 0;
}

/*
 * A signal ends an interruptible sleep (a pipe read) but not a plain one
 * (a disk transfer, a busy page): sleep_interrupt takes the first off its
 * sleep queue and leaves the second where it is.
 */
KTEST(sched, sleep_interrupt_ends_only_an_interruptible_sleep)
{
	struct thread *plain = thread_create("plain", intr_worker, NULL);
	struct thread *intr = thread_create("intr", intr_worker, (void *)1);
	bool asleep, plain_kept, intr_ended, intr_again, intr_ran, plain_slept;
	int checked, woken;

	KT_ASSERT(plain != NULL && intr != NULL);
	intr_done = 0;
	asleep = asleep_on(&plain, 1, &intr_chan, "plain") &&
	    asleep_on(&intr, 1, &intr_chan, "intr");
	plain_kept = !sleep_interrupt(plain) && plain->state == TS_SLEEPING;
	intr_ended = sleep_interrupt(intr);
	intr_again = sleep_interrupt(intr);     /* no longer asleep */
	checked = sched_check(ktest_print);
	intr_ran = tt_wait(intr_done_has, (void *)2, 50);
	plain_slept = plain->state == TS_SLEEPING && !(intr_done & 1);
	woken = wakeup(&intr_chan);             /* only the plain one is left */
	thread_join(plain);
	thread_join(intr);
	KT_ASSERT(asleep);
	KT_ASSERT(plain_kept);
	KT_ASSERT(intr_ended);
	KT_ASSERT(!intr_again);
	KT_EQ(checked, 0);
	KT_ASSERT(intr_ran);
	KT_ASSERT(plain_slept);
	KT_EQ(woken, 1);
	KT_EQ(intr_done, 3);
}

/* ------------------------------------------------------------------ */

/*
 * A one-slot mailbox between a producer and a consumer that both sleep
 * on it, with random delays and yields so that the waker keeps racing
 * the sleeper: sometimes the wakeup comes just before the other side's
 * test, sometimes just after it, sometimes a preemption falls between.
 * A lost wakeup would leave both asleep, and the test would see no
 * progress.
 */
#define MBOX_ROUNDS 3000

static struct spinlock mbox_lock = SPINLOCK_INIT("mbox");
static struct {
	int value;
	bool full;
	bool abort;
	volatile int received;
	int out_of_order;
} mbox;
static struct krand prod_rng, cons_rng;

static void
jitter(struct krand *r)
{
	uint64_t n = krand_below(r, 3000);

	for (volatile uint64_t i = 0; i < n; i++)
		;
	if (krand_below(r, 32) == 0)
		yield();
}

static void
producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= MBOX_ROUNDS; i++) {
		spin_lock(&mbox_lock);
		while (mbox.full && !mbox.abort)
			sleep_on(&mbox, &mbox_lock, "mbox-put");
		if (!mbox.abort) {
			mbox.value = i;
			mbox.full = true;
			wakeup(&mbox);
		}
		spin_unlock(&mbox_lock);
		jitter(&prod_rng);
	}
}

static void
consumer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= MBOX_ROUNDS && !mbox.abort; i++) {
		spin_lock(&mbox_lock);
		while (!mbox.full && !mbox.abort)
			sleep_on(&mbox, &mbox_lock, "mbox-get");
		if (mbox.full) {
			mbox.out_of_order += mbox.value != i;
			mbox.received++;
			mbox.full = false;
			wakeup(&mbox);
		}
		spin_unlock(&mbox_lock);
		jitter(&cons_rng);
	}
}

static bool
mbox_moved(void *arg)
{
	return mbox.received != *(int *)arg || mbox.received == MBOX_ROUNDS;
}

KTEST(sched, no_lost_wakeup_when_waker_races_sleeper)
{
	struct thread *p, *c;
	uint64_t sleeps0 = sched_stats.sleeps, slept;
	bool stuck = false;
	int last;

	memset(&mbox, 0, sizeof(mbox));
	krand_seed(&prod_rng, krand_next(ktest_rand()));
	krand_seed(&cons_rng, krand_next(ktest_rand()));
	p = thread_create("producer", producer, NULL);
	c = thread_create("consumer", consumer, NULL);
	KT_ASSERT(p != NULL && c != NULL);
	/* Progress, or a second without any: that would be a lost wakeup. */
	while (mbox.received < MBOX_ROUNDS && !stuck) {
		last = mbox.received;
		stuck = !tt_wait(mbox_moved, &last, HZ);
	}
	if (stuck) {
		spin_lock(&mbox_lock);
		mbox.abort = true;
		wakeup(&mbox);
		spin_unlock(&mbox_lock);
	}
	thread_join(p);
	thread_join(c);
	slept = sched_stats.sleeps - sleeps0;
	ktest_print("# sched: %d hand-overs, %lu sleeps\n", mbox.received, slept);
	KT_ASSERT(!stuck);
	KT_EQ(mbox.received, MBOX_ROUNDS);
	KT_EQ(mbox.out_of_order, 0);
	KT_ASSERT(slept > 0);
}

/* ------------------------------------------------------------------ */

static volatile uint64_t rival_count;
static volatile bool rival_stop;

static void
rival(void *arg)
{
	(void)arg;
	while (!rival_stop)
		rival_count++;
}

KTEST(sched, preempt_disable_defers_the_switch_to_preempt_enable)
{
	struct thread *r;
	uint64_t c0, c1, inv0, inv1, inv2;

	rival_stop = false;
	rival_count = 0;
	r = thread_create_on("rival", rival, NULL, cpu_number());  /* our CPU's */
	KT_ASSERT(r != NULL);
	preempt_disable();
	inv0 = curthread->nivcsw;
	c0 = rival_count;
	tt_spin_ticks(3);               /* three slices' worth, interrupts on */
	c1 = rival_count;
	inv1 = curthread->nivcsw;
	preempt_enable();               /* the preemption due happens here */
	inv2 = curthread->nivcsw;
	rival_stop = true;
	KT_EQ(thread_join(r), 0);
	KT_EQ(c1, c0);                  /* the rival never ran meanwhile */
	KT_EQ(inv1, inv0);
	KT_EQ(inv2, inv0 + 1);
}

/* ------------------------------------------------------------------ */

static volatile bool go_deeper = true;
static volatile vaddr_t deepest, ovf_base;

/* Each level keeps a 200-byte frame alive and notes how low it got. */
static int __attribute__((noinline))
descend(int depth)
{
	volatile char pad[200];

	pad[0] = (char)depth;
	deepest = (vaddr_t)&pad[0];
	if (go_deeper)
		return descend(depth + 1) + pad[0];
	return pad[0];
}

static void
overflower(void *arg)
{
	(void)arg;
	ovf_base = curthread->kstack;
	descend(0);
}

KTEST(sched, stack_overflow_hits_the_guard_page_and_kills_only_that_thread)
{
	uint64_t kva0, kmem0 = uvm_km_stats.kmem_bytes;
	uint64_t n0 = thread_stack_overflows, t0;
	struct thread *t;
	int status;

	thread_stack_cache_drain();
	kva0 = uvm_km_stats.kva_pages;
	t = thread_create("overflow", overflower, NULL);
	KT_ASSERT(t != NULL);
	status = thread_join(t);
	t0 = ticks;
	tt_spin_ticks(2);               /* the clock survived it */
	KT_EQ(status, -EFAULT);
	KT_EQ(thread_stack_overflows, n0 + 1);
	/* It got to the last page of its stack and no further. */
	KT_ASSERT(deepest >= ovf_base && deepest < ovf_base + 1024);
	KT_ASSERT(ticks >= t0 + 2);
	thread_stack_cache_drain();
	KT_EQ(uvm_km_stats.kva_pages, kva0);
	KT_EQ(uvm_km_stats.kmem_bytes, kmem0);
}

/* ------------------------------------------------------------------ */

/*
 * A program runs on a thread of its own and enters the kernel (system
 * calls, the timer) on that thread's stack: rsp0 follows the thread.  A
 * preemption switches to the spinner and back; the switch must bring the
 * program's rsp0 (and its SSE state and TLS base) back too, or its next
 * system call would land on another thread's frames.  Run /bin/hello
 * until it has been preempted a few times; every run must exit cleanly,
 * and once the waiting thread runs again, the TSS and the syscall entry
 * point at the top of its own stack.
 */
#define PROGRAM_SWITCHES 3

/*
 * This test's rival yields as it spins: a rival that only spins gives the
 * CPU up at a tick, so each hello starts just after one and, being
 * shorter than a tick, was almost never preempted (1 switch in 4,000
 * runs on a quiet host).  Yielding, the rival hands over at any moment,
 * and a tick lands inside a hello in proportion to its length.
 */
static void
yielding_rival(void *arg)
{
	(void)arg;
	while (!rival_stop)
		yield();
}
#define MAX_RUNS 4000
#define MAX_RUN_NS (120 * 1000000000ULL)   /* by the clock: on a busy host a
					     run is preempted far less often
					     (1 switch in 400 runs, once) */

KTEST(sched, preempted_user_program_keeps_its_kernel_stack)
{
	char *argv[] = { "hello", NULL };
	char *envp[] = { NULL };
	uint64_t ps0 = sched_stats.program_switches, tss_before, tss_after, sys_after;
	uint64_t end;
	struct thread *r[MAXCPUS] = { NULL };
	int runs = 0, bad = 0, status, nr = 0;

	rival_stop = false;
	for (int i = 0; i < MAXCPUS; i++) {     /* one rival on every CPU */
		if (cpu_infos[i].ci_sched_on)
			r[nr++] = thread_create_on("rival", yielding_rival, NULL, i);
	}
	for (int i = 0; i < nr; i++)
		KT_ASSERT(r[i] != NULL);
	tss_before = gdt_kernel_stack();
	end = clock_ns() + MAX_RUN_NS;
	while (sched_stats.program_switches < ps0 + PROGRAM_SWITCHES && runs < MAX_RUNS &&
	    clock_ns() < end) {
		status = -1;
		bad += proc_run("/bin/hello", argv, envp, &status) != 0 ||
		    status != W_EXITCODE(0);   /* hello, no arguments */
		runs++;
	}
	tss_after = gdt_kernel_stack();
	sys_after = syscall_rsp0;
	rival_stop = true;
	for (int i = 0; i < nr; i++)
		KT_EQ(thread_join(r[i]), 0);
	ktest_print("# sched: %d runs of /bin/hello, %lu switches away from it\n",
	    runs, sched_stats.program_switches - ps0);
	KT_EQ(bad, 0);
	KT_ASSERT(sched_stats.program_switches >= ps0 + PROGRAM_SWITCHES);
	KT_EQ(tss_before, thread_stack_top(curthread));
	KT_EQ(tss_after, thread_stack_top(curthread));
	KT_EQ(sys_after, tss_after);
}

/* ------------------------------------------------------------------ */

#define PINGS 20000

static void
yielder(void *arg)
{
	(void)arg;
	for (int i = 0; i < PINGS; i++)
		yield();
}

static struct spinlock pp_lock = SPINLOCK_INIT("pingpong");
static int pp_turn, pp_rounds[2];

/* Wait for my turn, take it, hand it over: one switch per hand-over. */
static void
pinger(void *arg)
{
	int me = (int)(uintptr_t)arg;

	for (int i = 0; i < PINGS; i++) {
		spin_lock(&pp_lock);
		while (pp_turn != me)
			sleep_on(&pp_turn, &pp_lock, "pingpong");
		pp_rounds[me]++;
		pp_turn = !me;
		wakeup(&pp_turn);
		spin_unlock(&pp_lock);
	}
}

/* Run fn in two threads; returns TSC cycles per context switch. */
static uint64_t
ping_pong(void (*fn)(void *), uint64_t *switches)
{
	struct thread *a, *b;
	uint64_t sw0, c0, c;

	preempt_disable();
	/* Both on this CPU: a switch each time, not two CPUs spinning. */
	a = thread_create_on("ping", fn, (void *)0, cpu_number());
	b = thread_create_on("pong", fn, (void *)1, cpu_number());
	sw0 = sched_stats.switches;
	c0 = rdtsc();
	preempt_enable();
	if (a != NULL)
		thread_join(a);
	if (b != NULL)
		thread_join(b);
	c = rdtsc() - c0;
	*switches = sched_stats.switches - sw0;
	return a != NULL && b != NULL ? c / (*switches ? *switches : 1) : 0;
}

KTEST(sched, ping_pong_measures_the_context_switch)
{
	uint64_t sw_yield, sw_sleep, cyc_yield, cyc_sleep;

	pp_turn = 0;
	pp_rounds[0] = pp_rounds[1] = 0;
	cyc_yield = ping_pong(yielder, &sw_yield);
	cyc_sleep = ping_pong(pinger, &sw_sleep);
	ktest_print("# sched: context switch %lu TSC cycles (yield ping-pong, %lu switches); "
	    "sleep/wakeup hand-over %lu cycles per switch (%lu switches)\n",
	    cyc_yield, sw_yield, cyc_sleep, sw_sleep);
	KT_ASSERT(cyc_yield != 0 && cyc_sleep != 0);
	KT_ASSERT(sw_yield >= 2 * PINGS);
	KT_EQ(pp_rounds[0], PINGS);
	KT_EQ(pp_rounds[1], PINGS);
	KT_ASSERT(sw_sleep >= 2 * PINGS - 1);
}
