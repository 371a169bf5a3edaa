/*
 * kern/core/smp.c - starting the other CPUs, cross-calls between CPUs,
 * and stopping them all when the kernel panics.
 *
 * Starting.  The firmware lists the processors in the ACPI MADT (dev/
 * acpi.c); the boot CPU (BSP) is running, the others (APs) wait for a
 * start-up message.  For each AP, one at a time:
 *
 *   BSP                                         AP
 *   cpu_info, park thread + guarded stack,
 *   3 guarded IST stacks; the trampoline's
 *   args: stack, cpu_info, kernel CR3
 *   INIT IPI, wait 10 ms  ------------------->  reset, waits for a SIPI
 *   SIPI (page 0x8)       ------------------->  real mode at 0x8000:
 *   [second SIPI if not online after 10 ms]     mptramp.asm -> long mode
 *                                               -> smp_ap_main(ci):
 *                                               GS base, GDT+TSS, IDT,
 *                                               syscall MSRs, CR4, its APIC
 *   sees ci_online  <-------------------------  ci_online = true; parks:
 *                                               sti; hlt; (IPIs) ...
 *
 * Parked means: interrupts on, halted, woken only by IPIs (device
 * interrupts all go to the boot CPU's APIC).  Its curthread is a thread
 * structure of its own ("cpuN/park"), on no queue, whose stack the AP
 * runs on.  Once every AP is online, the boot CPU cross-calls each one
 * to join the scheduler (ap_join_sched -> sched_cpu_join): the park
 * thread becomes the AP's idle thread ("cpuN/idle"), the AP starts its
 * own APIC timer, and from then on its halt loop is an idle loop: a
 * tick or a reschedule IPI ends with the preemption point, which takes
 * the run queue's head.  With smpsched=0 the APs stay parked.
 *
 * Cross-calls.  smp_call_start(c, targets, fn, arg) posts c in each
 * target's ci_call slot (a compare-and-swap: one call per CPU at a time)
 * and sends it the IPI VEC_IPI_CALL; the handler takes c from the slot,
 * runs fn(arg) and decrements c->pending.  smp_call_wait spins until
 * pending is 0:
 *
 *   sender (cpu 0)                     cpu 1              cpu 2
 *   c.pending = 2
 *   cpu1.ci_call = &c, IPI ------->    take c, fn(arg)
 *   cpu2.ci_call = &c, IPI ---------------------------->  take c, fn(arg)
 *   (its own share of the work)        pending 2 -> 1     pending 1 -> 0
 *   wait: pending == 0  <-------------------------------------'
 *
 * One IPI per target, one wait for all of them: a TLB shootdown posts
 * one call to the set of CPUs its pmap is active on, invalidates its own
 * TLB, and waits once.  A CPU that waits - for a cross-call, or spinning
 * on a spin lock (kern/lib/spinlock.c) - runs a call posted to it
 * meanwhile, even with interrupts off.  So two CPUs that cross-call each
 * other, or a sender holding a spin lock another target spins on, do not
 * deadlock.  A target flushes nothing of its own accord: the pmap shoots
 * down every change that another CPU may cache (pmap/pmap.c), a kernel
 * mapping's on every online CPU, so a call's argument, even one in a
 * kernel page mapped since the target last looked, reads right.  The
 * flip side: a CPU running a long cross-call with interrupts off must
 * poll smp_call_service, or a shootdown sent to it meanwhile (and the
 * sender, spinning with the pmap lock held) waits until it returns.
 *
 * Stopping.  panic calls smp_stop_others: an NMI to every other CPU -
 * it arrives even with interrupts off - whose handler (smp_nmi_stop,
 * from trap()) halts for good.  Then the panicking CPU alone prints.
 *
 * Invariants: ci_call is NULL or a posted call not yet taken; a call's
 * pending = the targets that have not finished it; a finished target
 * never touches the call again (the sender may free it at once).
 * Locking: none; the slots and counts change by atomic operations.
 */
#include "kern/core/smp.h"
#include "dev/acpi.h"
#include "dev/lapic.h"
#include "kern/arch/cpu.h"
#include "kern/arch/gdt.h"
#include "kern/arch/trap.h"
#include "kern/core/clock.h"
#include "kern/core/cmdline.h"
#include "kern/core/intr.h"
#include "kern/core/sched.h"
#include "kern/core/thread.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"
#include "kern/sys/syscall.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_km.h"

KOPT(maxcpus, "maxcpus", "start at most this many CPUs (default: every one the ACPI MADT names)");
KOPT(smpsched, "smpsched", "0: the other CPUs stay parked, threads run on the boot CPU only (default 1: every CPU runs threads)");

#define MPTRAMP_ARGS 0xf00      /* offset of struct mptramp_args (mptramp.asm) */
#define IST_PAGES 4             /* 16 KiB each, as the boot CPU's */

/* What the trampoline reads (offsets ARG_* in kern/arch/mptramp.asm). */
struct mptramp_args {
	uint64_t pml4;          /* the temporary PML4, below 4 GiB */
	uint64_t entry;         /* mptramp_entry64 */
	uint64_t cr3;           /* the kernel pmap's */
	uint64_t stack;         /* top of the AP's stack */
	uint64_t cpu;           /* its struct cpu_info */
};

extern char mptramp_start[], mptramp_end[], mptramp_entry64[];

static int madt_ncpu = 1;
static int ncpu_slots = 1;      /* cpu_infos[] entries in use */
static uint64_t ap_cr4;         /* the boot CPU's CR4, for the APs */
static volatile bool halting;   /* smp_stop_others has begun */
static volatile int nhalted;

int
smp_madt_ncpu(void)
{
	return madt_ncpu;
}

cpuset_t
smp_cpus_online(void)
{
	cpuset_t set = 0;

	for (int i = 0; i < ncpu_slots; i++) {
		if (cpu_infos[i].ci_online)
			set |= 1UL << i;
	}
	return set;
}

/* Busy-wait us microseconds by the TSC (clock_init measured it). */
static void
smp_delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + clock_tsc_hz() / 1000000 * us;

	while (rdtsc() < end)
		cpu_pause();
}

/* ------------------------------------------------------------------ */
/* Cross-calls                                                         */

void
smp_call_service(void)
{
	struct cpu_info *ci = curcpu();
	struct smp_call *c;

	c = __atomic_exchange_n(&ci->ci_call, NULL, __ATOMIC_ACQUIRE);
	if (c == NULL)
		return;
	c->fn(c->arg);
	ci->ci_ncalls++;
	/* The last touch of c: the sender may return and free it now. */
	__atomic_sub_fetch(&c->pending, 1, __ATOMIC_RELEASE);
}

static void
smp_ipi_intr(void *arg)
{
	(void)arg;
	curcpu()->ci_nipis++;
	smp_call_service();
}

/* Nothing to do here: the preemption point after the handler switches. */
static void
smp_resched_intr(void *arg)
{
	(void)arg;
	curcpu()->ci_nresched++;
}

void
smp_resched_ipi(struct cpu_info *ci)
{
	lapic_ipi(ci->ci_apicid, VEC_IPI_RESCHED);
}

/* Put c in ci's slot, waiting (and serving our own) while it is taken. */
static void
call_post(struct cpu_info *ci, struct smp_call *c)
{
	struct smp_call *expect = NULL;

	while (!__atomic_compare_exchange_n(&ci->ci_call, &expect, c, false,
	    __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
		expect = NULL;
		smp_call_service();
		cpu_pause();
	}
	lapic_ipi(ci->ci_apicid, VEC_IPI_CALL);
}

void
smp_call_start(struct smp_call *c, cpuset_t targets, smp_call_fn fn, void *arg)
{
	KASSERT((targets & ~smp_cpus_online()) == 0);
	KASSERT(!(targets & (1UL << cpu_number())));
	c->fn = fn;
	c->arg = arg;
	c->targets = targets;
	c->pending = (uint32_t)__builtin_popcountl(targets);
	for (int i = 0; i < ncpu_slots; i++) {
		if (targets & (1UL << i))
			call_post(&cpu_infos[i], c);
	}
}

void
smp_call_wait(struct smp_call *c)
{
	while (__atomic_load_n(&c->pending, __ATOMIC_ACQUIRE) != 0) {
		smp_call_service();
		cpu_pause();
	}
}

void
smp_call(int cpu, smp_call_fn fn, void *arg)
{
	struct smp_call c;
	uint64_t s;

	KASSERT(cpu >= 0 && cpu < ncpu_slots);
	preempt_disable();      /* "another CPU" must stay another */
	if (cpu == cpu_number()) {
		s = intr_disable();
		fn(arg);
		intr_restore(s);
	} else {
		smp_call_start(&c, 1UL << cpu, fn, arg);
		smp_call_wait(&c);
	}
	preempt_enable();
}

void
smp_call_all(smp_call_fn fn, void *arg)
{
	struct smp_call c;

	preempt_disable();
	smp_call_start(&c, smp_cpus_online() & ~(1UL << cpu_number()), fn, arg);
	smp_call_wait(&c);
	preempt_enable();
}

/* ------------------------------------------------------------------ */
/* Stopping (panic)                                                    */

int
smp_stop_others(void)
{
	int others = ncpu - 1;

	if (others <= 0 || !lapic_active() ||
	    __atomic_exchange_n(&halting, true, __ATOMIC_SEQ_CST))
		return 0;
	lapic_nmi_allbutself();
	for (long i = 0; i < 100000000L && nhalted < others; i++)
		cpu_pause();
	return nhalted;
}

void
smp_nmi_stop(void)
{
	if (!halting)
		return;
	cli();
	__atomic_add_fetch(&nhalted, 1, __ATOMIC_SEQ_CST);
	for (;;)
		hlt();          /* NMIs stay blocked: we never iretq */
}

/* ------------------------------------------------------------------ */
/* Starting the APs                                                    */

void
smp_ap_main(struct cpu_info *ci)
{
	cpu_info_load(ci);
	gdt_init();
	idt_load();
	syscall_init();
	lcr4(ap_cr4);
	lapic_init(intr_lapic_va(), VEC_SPURIOUS, VEC_LAPIC_ERROR);
	gdt_set_kernel_stack(thread_stack_top(curthread));
	__atomic_add_fetch(&ncpu, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&ci->ci_online, true, __ATOMIC_RELEASE);
	for (;;)
		sti_hlt();      /* parked: IPIs wake it, their handlers run */
}

/* The trampoline and its temporary page tables, at MPTRAMP_PA. */
static void
mptramp_install(void)
{
	uint8_t *page = PHYS_TO_DMAP(MPTRAMP_PA);
	uint64_t *pml4 = (uint64_t *)(page + PAGE_SIZE);
	uint64_t *pdpt = pml4 + 512, *pd = pdpt + 512;
	const uint64_t *kpml4 = pmap_kernel()->pm_pml4;

	KASSERT((size_t)(mptramp_end - mptramp_start) <= MPTRAMP_ARGS);
	memcpy(page, mptramp_start, (size_t)(mptramp_end - mptramp_start));
	memset(pml4, 0, 3 * PAGE_SIZE);
	pml4[0] = (MPTRAMP_PA + 2 * PAGE_SIZE) | PG_V | PG_RW;
	pdpt[0] = (MPTRAMP_PA + 3 * PAGE_SIZE) | PG_V | PG_RW;
	pd[0] = PG_V | PG_RW | PG_PS;           /* 0..2 MiB, identity */
	for (int i = 256; i < 512; i++)
		pml4[i] = kpml4[i];
}

/* Give back what ap_alloc took (any part of it). */
static void
ap_free(struct cpu_info *ci)
{
	struct thread *t = ci->ci_curthread;

	for (int i = 0; i < NIST; i++) {
		if (ci->ci_ist_top[i] != 0)
			uvm_km_stack_free(ci->ci_ist_top[i] - IST_PAGES * PAGE_SIZE,
			    IST_PAGES);
		ci->ci_ist_top[i] = 0;
	}
	if (t != NULL && t->kstack != 0)
		uvm_km_stack_free(t->kstack, t->kstack_pages);
	if (t != NULL)
		kmem_free(t, sizeof(*t));
	ci->ci_curthread = NULL;
}

/* ci's park thread, its stack and IST stacks.  => 0 or -ENOMEM. */
static int
ap_alloc(struct cpu_info *ci, int index, uint32_t apicid)
{
	struct thread *t = kmem_zalloc(sizeof(*t));
	vaddr_t va;

	ci->ci_self = ci;
	ci->ci_index = index;
	ci->ci_apicid = apicid;
	ci->ci_curthread = t;
	ci->ci_pmap = pmap_kernel();    /* what the trampoline loads */
	if (t == NULL)
		return -ENOMEM;
	ksnprintf(t->name, sizeof(t->name), "cpu%d/park", index);
	t->state = TS_RUNNING;
	t->bound_cpu = index;
	t->preempt_count = 1;           /* never preempted: it is no thread */
	t->kstack_pages = KSTACK_PAGES;
	if ((t->kstack = uvm_km_stack_alloc(KSTACK_PAGES)) == 0)
		goto fail;
	for (int i = 0; i < NIST; i++) {
		if ((va = uvm_km_stack_alloc(IST_PAGES)) == 0)
			goto fail;
		ci->ci_ist_top[i] = va + IST_PAGES * PAGE_SIZE;
	}
	return 0;
fail:
	ap_free(ci);
	return -ENOMEM;
}

/* Wait up to us microseconds for ci to come online. */
static bool
ap_wait_online(struct cpu_info *ci, uint64_t us)
{
	uint64_t end = rdtsc() + clock_tsc_hz() / 1000000 * us;

	while (!__atomic_load_n(&ci->ci_online, __ATOMIC_ACQUIRE) && rdtsc() < end)
		cpu_pause();
	return ci->ci_online;
}

/* INIT-SIPI-SIPI: start ci's CPU in the trampoline.  => true once online. */
static bool
ap_start(struct cpu_info *ci)
{
	struct mptramp_args *a = (void *)((uint8_t *)PHYS_TO_DMAP(MPTRAMP_PA) +
	    MPTRAMP_ARGS);

	a->pml4 = MPTRAMP_PA + PAGE_SIZE;
	a->entry = (uint64_t)mptramp_entry64;
	a->cr3 = pmap_kernel()->pm_pml4_pa;
	a->stack = thread_stack_top(ci->ci_curthread);
	a->cpu = (uint64_t)ci;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lapic_init_ipi(ci->ci_apicid);
	smp_delay_us(10000);
	lapic_startup_ipi(ci->ci_apicid, MPTRAMP_PA);
	if (ap_wait_online(ci, 10000))
		return true;
	lapic_startup_ipi(ci->ci_apicid, MPTRAMP_PA);  /* ignored if it runs */
	return ap_wait_online(ci, 1000000);
}

/* Start the AP with APIC id apicid as cpu_infos[index]. */
static void
ap_boot(int index, uint32_t apicid)
{
	struct cpu_info *ci = &cpu_infos[index];

	if (ap_alloc(ci, index, apicid) != 0) {
		kprintf("smp: cpu%d (APIC id %u): no memory for its stacks\n",
		    index, apicid);
		return;
	}
	if (!ap_start(ci))
		kprintf("smp: cpu%d (APIC id %u) did not come online\n", index,
		    apicid);
	/* One that did not stays allocated: it might wake up late. */
}

/* On the AP, in a cross-call: its park thread becomes its idle thread. */
static void
ap_join_here(void *arg)
{
	struct thread *t = arg;

	KASSERT(t == curthread);
	sched_cpu_join(t);
	lapic_timer_periodic(VEC_LAPIC_TIMER, clock_lapic_count());
}

/* Let ci's CPU run threads: its park thread becomes a thread like idle. */
static void
ap_join_sched(struct cpu_info *ci)
{
	struct thread *t = ci->ci_curthread;

	ksnprintf(t->name, sizeof(t->name), "cpu%d/idle", ci->ci_index);
	thread_adopt(t);
	smp_call(ci->ci_index, ap_join_here, t);
}

/* Why there is one CPU only, or NULL if there may be more. */
static const char *
smp_one_cpu_reason(int n)
{
	if (!intr_lapic())
		return "no local APIC";
	if (n == 0)
		return "no ACPI MADT";
	if (n == 1)
		return "the MADT names one";
	if (kopt_get_u64("maxcpus", MAXCPUS) <= 1)
		return "maxcpus=1";
	return NULL;
}

void
smp_start(void)
{
	uint32_t ids[MAXCPUS], bsp;
	int n = acpi_madt_cpus(ids, MAXCPUS);
	int max = (int)MIN(kopt_get_u64("maxcpus", MAXCPUS), (uint64_t)MAXCPUS);
	const char *why = smp_one_cpu_reason(n);

	madt_ncpu = n > 0 ? n : 1;
	KASSERT(intr_establish(VEC_IPI_CALL, smp_ipi_intr, NULL) == 0);
	KASSERT(intr_establish(VEC_IPI_RESCHED, smp_resched_intr, NULL) == 0);
	if (why != NULL) {
		kprintf("smp: one CPU (%s)\n", why);
		return;
	}
	if (n > MAXCPUS)
		kprintf("smp: the MADT names %d CPUs; only %d are used\n", n, MAXCPUS);
	bsp = cpu_infos[0].ci_apicid = lapic_id();
	ap_cr4 = rcr4();
	mptramp_install();
	for (int i = 0; i < MIN(n, MAXCPUS) && ncpu_slots < max; i++) {
		if (ids[i] != bsp)
			ap_boot(ncpu_slots++, ids[i]);
	}
	kprintf("smp: %d of %d CPUs online:", ncpu, madt_ncpu);
	for (int i = 0; i < ncpu_slots; i++)
		kprintf(" cpu%d (APIC id %u)%s", i, cpu_infos[i].ci_apicid,
		    cpu_infos[i].ci_online ? "" : " offline");
	if (kopt_get_u64("smpsched", 1) == 0) {
		kprintf("; the APs stay parked (smpsched=0)\n");
		return;
	}
	kprintf("; each runs threads\n");
	for (int i = 1; i < ncpu_slots; i++) {
		if (cpu_infos[i].ci_online)
			ap_join_sched(&cpu_infos[i]);
	}
}
