/*
 * tests/kern/core/smp_test.c - kern/core/smp.c, kern/arch/cpu_info.c and
 * the spin locks on several CPUs: the CPUs the MADT names are online,
 * each reads its own cpu_info through GS, cross-calls reach every target
 * once and are waited for, an AP spins on a lock the boot CPU holds,
 * two CPUs printing at once keep their lines whole.
 *
 * make test runs this suite in a boot of its own with two CPUs
 * (SMPKTEST); with one CPU (the main boot) the tests that need a second
 * say so and pass having checked the boot CPU alone.  Recursion on a
 * spin lock must panic: selftest/must_panic_on_spin_recursion (a whole
 * boot, in make test's harness self-checks); so must a spin lock another
 * CPU holds for ever (selftest/must_panic_on_spin_held_too_long), and a
 * panic must stop the other CPUs (selftest/must_panic_stopping_other_cpus):
 * the two-CPU boot's self-checks.
 *
 * Cross-called functions never assert (they run on another CPU, in an
 * interrupt handler): they record, the test checks on the boot CPU.
 */
#include "kern/core/ktest.h"
#include "dev/lapic.h"
#include "kern/arch/cpu.h"
#include "kern/arch/cpu_info.h"
#include "kern/arch/gdt.h"
#include "kern/arch/trap.h"
#include "kern/core/cmdline.h"
#include "kern/core/intr.h"
#include "kern/core/panic.h"
#include "kern/core/smp.h"
#include "kern/core/thread.h"
#include "kern/lib/errno.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"

/* True (and says so) when there is no second CPU to test with. */
static bool
one_cpu(const char *what)
{
	if (ncpu > 1)
		return false;
	ktest_print("# smp: one CPU online (SMP=1): %s not tested here; make "
	    "test's SMP boot (SMPKTEST) runs it with two\n", what);
	return true;
}

/* ------------------------------------------------------------------ */

KTEST(smp, cpus_online_match_the_madt)
{
	cpuset_t online = smp_cpus_online();

	KT_EQ(__builtin_popcountl(online), ncpu);
	KT_ASSERT(online & 1);                  /* the boot CPU */
	for (int i = 0; i < MAXCPUS; i++) {
		if (!(online & (1UL << i)))
			continue;
		KT_ASSERT(cpu_infos[i].ci_self == &cpu_infos[i]);
		KT_EQ(cpu_infos[i].ci_index, i);
		for (int j = 0; j < i; j++)
			KT_ASSERT(!(online & (1UL << j)) ||
			    cpu_infos[j].ci_apicid != cpu_infos[i].ci_apicid);
	}
	if (one_cpu("starting APs"))
		return;
	/* Every CPU the MADT names, or as many as maxcpus= allows. */
	KT_EQ(ncpu, MIN((uint64_t)smp_madt_ncpu(), kopt_get_u64("maxcpus", MAXCPUS)));
}

/* What a CPU sees of itself, read on it. */
struct self_view {
	uint64_t gs_base;
	struct cpu_info *self;
	int index;
	uint32_t apicid;
	struct thread *thread;
	int intr_depth;
	bool intr_on;
};

static void
record_self(void *arg)
{
	struct self_view *v = &((struct self_view *)arg)[cpu_number()];

	v->gs_base = cpu_gs_base();
	v->self = curcpu();
	v->index = cpu_number();
	v->apicid = lapic_id();
	v->thread = curthread;
	v->intr_depth = curcpu()->ci_intr_depth;
	v->intr_on = intr_enabled();
}

KTEST(smp, each_cpu_reads_its_own_cpu_info_through_gs)
{
	static struct self_view v[MAXCPUS];
	cpuset_t online = smp_cpus_online();

	memset(v, 0, sizeof(v));
	for (int i = 0; i < MAXCPUS; i++) {
		if (online & (1UL << i))
			smp_call(i, record_self, v);
	}
	for (int i = 0; i < MAXCPUS; i++) {
		if (!(online & (1UL << i)))
			continue;
		KT_EQ(v[i].gs_base, (uint64_t)&cpu_infos[i]);
		KT_ASSERT(v[i].self == &cpu_infos[i]);
		KT_EQ(v[i].index, i);
		KT_EQ(v[i].apicid, cpu_infos[i].ci_apicid);
		KT_ASSERT(!v[i].intr_on);
		/* The boot CPU ran it here, the others in the IPI handler. */
		KT_ASSERT(v[i].thread == (i == cpu_number() ? curthread :
		    cpu_infos[i].ci_curthread));
		KT_EQ(v[i].intr_depth, i == cpu_number() ? 0 : 1);
	}
	KT_EQ(cpu_gs_base(), (uint64_t)curcpu());
	KT_EQ(rdmsr(MSR_KERNEL_GS_BASE), 0);    /* the user's, while in the kernel */
}

/*
 * A user program enters and leaves the kernel by syscall/sysret, by
 * iretq (its exec, its exit's last return never happens) and by the
 * timer's interrupts: every way in swapgs'd exactly once each way, so
 * afterwards the kernel's GS base is still live and the user's (0) is
 * the one waiting in IA32_KERNEL_GS_BASE.
 */
KTEST(smp, gs_stays_the_kernels_across_user_programs)
{
	char *argv[] = { "hello", NULL };
	char *envp[] = { NULL };
	int status = -1;

	/* The initrd's (make test's root); make run's ext2 root has none. */
	if (proc_run("/bin/hello", argv, envp, &status) == -ENOENT) {
		ktest_print("# smp: no /bin/hello (the root is not the initrd): "
		    "not tested here\n");
		return;
	}
	for (int i = 0; i < 3; i++) {
		KT_EQ(proc_run("/bin/hello", argv, envp, &status), 0);
		KT_EQ(status, W_EXITCODE(0));  /* hello, no arguments */
		KT_EQ(cpu_gs_base(), (uint64_t)&cpu_infos[cpu_number()]);
		KT_EQ(rdmsr(MSR_KERNEL_GS_BASE), 0);
	}
}

extern char trap_iret[];                        /* kern/arch/trapvec.asm */
void enter_user(struct trapframe *tf) __noreturn;       /* syscall_entry.asm */

/* Return to "user mode" with an SS whose RPL is 0: the iretq faults (#GP). */
static void
iret_to_bad_ss(void *arg)
{
	struct trapframe tf;

	(void)arg;
	memset(&tf, 0, sizeof(tf));
	tf.rip = 0x1000;
	tf.cs = SEL_UCODE | 3;
	tf.rflags = 0x2;                        /* interrupts off */
	tf.rsp = 0x2000;
	tf.ss = SEL_KDATA;
	enter_user(&tf);
}

/*
 * trap_return swapgs'd to the user's GS just before its iretq; the iretq
 * itself faults, in kernel mode, so the saved CS says "kernel" while the
 * user's GS is live.  trap_common must recognise the iretq's address and
 * swap back: the fault is then recovered like any expected one, with the
 * kernel's GS base live and the user's waiting.
 */
KTEST(smp, a_fault_on_the_iretq_to_user_mode_swaps_gs_back)
{
	static struct trap_expect te;
	uint64_t s = intr_disable(), gs, kgs;
	bool faulted = trap_catch(iret_to_bad_ss, NULL, &te);

	gs = cpu_gs_base();
	kgs = rdmsr(MSR_KERNEL_GS_BASE);
	intr_restore(s);
	KT_ASSERT(faulted);
	KT_EQ(te.vector, T_GPF);
	KT_EQ(te.rip, (uint64_t)trap_iret);
	KT_EQ(te.error, SEL_KDATA);             /* the selector it refused */
	KT_EQ(gs, (uint64_t)curcpu());
	KT_EQ(kgs, 0);
}

static volatile int call_hits[MAXCPUS];

static void
count_hit(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&call_hits[cpu_number()], 1, __ATOMIC_RELAXED);
}

KTEST(smp, call_all_reaches_every_other_cpu_once_and_waits)
{
	cpuset_t online = smp_cpus_online();
	uint64_t ncalls[MAXCPUS], nipis[MAXCPUS];
	int me = cpu_number();

	for (int i = 0; i < MAXCPUS; i++) {
		call_hits[i] = 0;
		ncalls[i] = cpu_infos[i].ci_ncalls;
		nipis[i] = cpu_infos[i].ci_nipis;
	}
	smp_call_all(count_hit, NULL);
	/* Returned: every target has finished, nothing is in flight. */
	for (int i = 0; i < MAXCPUS; i++) {
		bool target = (online & (1UL << i)) && i != me;
		KT_EQ(call_hits[i], target ? 1 : 0);
		KT_EQ(cpu_infos[i].ci_ncalls - ncalls[i], target ? 1 : 0);
		KT_ASSERT(cpu_infos[i].ci_call == NULL);
		if (target)
			KT_ASSERT(cpu_infos[i].ci_nipis > nipis[i]);
	}
	one_cpu("a cross-call to another CPU");
}

/* A cross-called function that cross-calls back to the waiting sender. */
static void
call_back_to_cpu0(void *arg)
{
	smp_call(0, count_hit, arg);
}

KTEST(smp, a_waiting_sender_answers_a_call_sent_to_it)
{
	if (one_cpu("a call back to a waiting sender"))
		return;
	call_hits[0] = call_hits[1] = 0;
	smp_call(1, call_back_to_cpu0, NULL);
	KT_EQ(call_hits[0], 1);
	KT_EQ(call_hits[1], 0);
}

/* ------------------------------------------------------------------ */

static struct spinlock test_lock = SPINLOCK_INIT("smp_test_lock");

struct spin_record {
	volatile bool released;         /* the boot CPU let go */
	bool saw_released;              /* the AP got the lock after that */
	int holder;                     /* spin_holder, seen by the AP */
	int nheld;                      /* its spin_nheld while holding it */
	uint64_t spins_before, spins_after;
};

static void
take_test_lock(void *arg)
{
	struct spin_record *r = arg;

	r->spins_before = curcpu()->ci_spins;
	spin_lock(&test_lock);
	r->saw_released = r->released;
	r->holder = spin_holder(&test_lock);
	r->nheld = spin_nheld;
	spin_unlock(&test_lock);
	r->spins_after = curcpu()->ci_spins;
}

/* Wait (bounded) until cpu spins on l; true if it does. */
static bool
wait_spinning(int cpu, struct spinlock *l)
{
	for (long i = 0; i < 2000000000L; i++) {
		if (cpu_infos[cpu].ci_spinning_on == l)
			return true;
		cpu_pause();
	}
	return false;
}

KTEST(smp, an_ap_spins_until_the_boot_cpu_releases_the_lock)
{
	static struct spin_record r;
	struct smp_call c;
	bool spun;
	int held_here;

	if (one_cpu("spinning on a lock another CPU holds"))
		return;
	memset(&r, 0, sizeof(r));
	spin_lock(&test_lock);
	held_here = spin_nheld;
	smp_call_start(&c, 1UL << 1, take_test_lock, &r);
	spun = wait_spinning(1, &test_lock);
	/* ci_spinning_on is set just before the AP's first pause loop: hold
	 * on a little longer, so that it has spun before the release (else it
	 * may find the lock free at once and count no spin at all). */
	for (int i = 0; i < 1000000; i++)
		cpu_pause();
	r.released = true;
	spin_unlock(&test_lock);
	smp_call_wait(&c);
	KT_ASSERT(spun);
	KT_ASSERT(held_here >= 1);
	KT_ASSERT(r.saw_released);
	KT_EQ(r.holder, 1);
	KT_EQ(r.nheld, 1);                      /* its own count, not ours */
	KT_ASSERT(r.spins_after > r.spins_before);
	KT_ASSERT(!spin_held(&test_lock));
	KT_EQ(cpu_infos[1].ci_spin_nheld, 0);
}

KTEST(smp, spin_lock_records_its_holder_cpu)
{
	struct spinlock l = SPINLOCK_INIT("smp_holder");
	int before = spin_nheld;

	KT_EQ(spin_holder(&l), -1);
	spin_lock(&l);
	KT_EQ(spin_holder(&l), cpu_number());
	KT_EQ(spin_nheld, before + 1);
	KT_ASSERT(!intr_enabled());
	spin_unlock(&l);
	KT_EQ(spin_holder(&l), -1);
	KT_EQ(spin_nheld, before);
}

/* ------------------------------------------------------------------ */

#define CONSOLE_LINES 20

static volatile int lines_printed[MAXCPUS];

/* CONSOLE_LINES lines; the boot CPU waits (bounded) for cpu1 to begin. */
static void
print_lines(void *arg)
{
	int me = cpu_number();

	(void)arg;
	for (int i = 0; i < CONSOLE_LINES; i++) {
		kprintf("smp console: cpu%d line %02d %s\n", me, i,
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		lines_printed[me]++;
		for (long n = 0; me == 0 && lines_printed[1] == 0 && n < 100000000L; n++)
			cpu_pause();
	}
}

/*
 * Both CPUs print at once; make test checks the log: 2 * CONSOLE_LINES
 * whole lines (the Makefile's SMP boot greps them).  Here: both printed.
 */
KTEST(smp, two_cpus_printing_keep_their_lines_whole)
{
	struct smp_call c;
	uint64_t calls;

	if (one_cpu("printing from two CPUs at once"))
		return;
	calls = cpu_infos[1].ci_ncalls;
	lines_printed[0] = lines_printed[1] = 0;
	smp_call_start(&c, 1UL << 1, print_lines, NULL);
	print_lines(NULL);
	smp_call_wait(&c);
	KT_EQ(cpu_infos[1].ci_ncalls, calls + 1);
	KT_EQ(lines_printed[0], CONSOLE_LINES);
	KT_EQ(lines_printed[1], CONSOLE_LINES);
}

/* ------------------------------------------------------------------ */

/*
 * Taking a spin lock this CPU already holds would spin for ever: it must
 * panic at once, naming the lock.  make test boots it on its own
 * (SELFCHECKS) and expects that panic.
 */
KTEST_MANUAL_ONLY(selftest, must_panic_on_spin_recursion)
{
	static struct spinlock l = SPINLOCK_INIT("selftest_recursive");

	/* The lock-order checker would report the second take first ("lock
	 * taken twice", its own self-check); this one is spin_lock's. */
	lockorder_enabled = 0;
	spin_lock(&l);
	spin_lock(&l);
	spin_unlock(&l);
}

static struct spinlock held_lock = SPINLOCK_INIT("selftest_held_too_long");

static void
hold_forever(void *arg)
{
	(void)arg;
	spin_lock(&held_lock);
	for (;;)
		cpu_pause();
}

/*
 * The debug tier: a lock another CPU holds for ever must end in a panic
 * naming it and its holder, after spin_limit loops (lowered here so the
 * boot is short).  make test's SMP boot expects that panic.
 */
KTEST_MANUAL_ONLY(selftest, must_panic_on_spin_held_too_long)
{
	struct smp_call c;

	if (ncpu < 2)
		return;
	smp_call_start(&c, 1UL << 1, hold_forever, NULL);
	while (spin_holder(&held_lock) != 1)
		cpu_pause();
	spin_limit = 1UL << 20;
	spin_lock(&held_lock);
	spin_unlock(&held_lock);
}

static volatile bool parked_spinning;

static void
spin_forever(void *arg)
{
	(void)arg;
	parked_spinning = true;
	for (;;)
		cpu_pause();    /* interrupts off: only an NMI stops this */
}

/*
 * A panic with another CPU busy with interrupts off: the NMI must stop
 * it, and the report say so ("stopped 1 of the 1 other CPUs").  make
 * test's SMP boot runs it on its own and expects that panic.
 */
KTEST_MANUAL_ONLY(selftest, must_panic_stopping_other_cpus)
{
	struct smp_call c;

	if (ncpu < 2)
		return;
	smp_call_start(&c, 1UL << 1, spin_forever, NULL);
	while (!parked_spinning)
		cpu_pause();
	panic("selftest: panic with cpu1 spinning, interrupts off");
}
