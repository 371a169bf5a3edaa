/*
 * kern/arch/cpu_info.h - what each CPU keeps for itself, and how a CPU
 * finds its own.
 *
 * With several CPUs, "the running thread" or "how many spin locks are
 * held" is no longer one global: each CPU has its own answer.  Every CPU
 * gets a struct cpu_info (cpu_infos[], index 0 the boot CPU, then the
 * application processors in the order the ACPI MADT names them), and
 * finds it through its GS segment base.  The base is a per-CPU register
 * (the MSR IA32_GS_BASE), so the same instruction reads a different
 * structure on each CPU:
 *
 *   CPU 0: GS base = &cpu_infos[0]        CPU 1: GS base = &cpu_infos[1]
 *          movq %gs:8, %rax  -> cpu 0's          movq %gs:8, %rax  -> cpu 1's
 *                               curthread                            curthread
 *
 *   %gs:0   ci_self       the structure's own address (curcpu())
 *   %gs:8   ci_curthread  curthread
 *   %gs:16  ci_scratch    syscall_entry parks the user's rsp here
 *   %gs:24  ci_rsp0       the kernel stack syscall_entry switches to
 *   %gs:32  ci_index      cpu_number()
 *
 * User mode and swapgs.  User programs may use GS for themselves (Linux
 * lets them set its base), so in user mode the CPU's GS base is the
 * user's and the kernel's pointer waits in IA32_KERNEL_GS_BASE.  The
 * instruction swapgs exchanges the two.  The rule every way into and out
 * of the kernel follows (kern/arch/trapvec.asm, syscall_entry.asm):
 *
 *   from user mode (the saved CS has RPL 3)   swapgs first
 *   back to user mode                         swapgs last, before iretq/sysret
 *   from kernel mode                          nothing: the kernel's is live
 *
 *   user   | kernel                                              | user
 *   -------+-----------------------------------------------------+------
 *   GS=usr | swapgs  GS=cpu_info ...  C code reads %gs:... swapgs | GS=usr
 *
 * Interrupts are off in the two windows around each swapgs, but an NMI,
 * a machine check or a double fault is not stopped by that: those three
 * run on IST stacks through trap_paranoid, which asks the MSR which base
 * is live instead of trusting the saved CS.  A fault on the iretq to user
 * mode itself (kernel CS, user GS) is recognised by its address.
 *
 * Invariants:
 *   - in kernel mode, on every CPU, GS base = &cpu_infos[i] with
 *     ci_self = that address and ci_index = i;
 *   - the boot CPU's is loaded by cpu_info_boot_init, the first thing
 *     kmain does: nothing reads curthread before (it is thread0 there);
 *   - ci_curthread, ci_spin_nheld, ci_intr_depth, ci_spins, ci_pmap,
 *     ci_ntlbshoot, ci_slice_left and ci_ticks are written only by their
 *     own CPU; other CPUs may read them (tests, debuggers);
 *   - ci_curthread changes only under the scheduler's lock, so a CPU
 *     holding it may ask which thread another CPU runs; ci_want_resched
 *     is set by any CPU holding that lock and cleared by its own.
 *
 * Locking: none.  A CPU's own fields need none; ci_call and ci_online are
 * handed between CPUs with atomic operations (kern/core/smp.c).
 */
#ifndef KERN_ARCH_CPU_INFO_H
#define KERN_ARCH_CPU_INFO_H

#include "kern/lib/types.h"

#define MAXCPUS 32          /* a cpuset_t is a 64-bit mask */

typedef uint64_t cpuset_t;  /* bit i: cpu_infos[i] */

struct thread;
struct spinlock;
struct smp_call;
struct pmap;

/* The task state segment: the stacks the CPU switches to (kern/arch/gdt.c). */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

_Static_assert(sizeof(struct tss) == 104, "TSS is 104 bytes");

#define GDT_ENTRIES 8
#define NIST 3              /* double fault, NMI, machine check */

struct cpu_info {
	struct cpu_info *ci_self;       /* %gs:0: this structure */
	struct thread *ci_curthread;    /* %gs:8: the thread running here */
	uint64_t ci_scratch;            /* %gs:16: syscall_entry's user rsp */
	uint64_t ci_rsp0;               /* %gs:24: syscall_entry's stack */
	int ci_index;                   /* %gs:32: 0 boot CPU, 1.. the APs */
	uint32_t ci_apicid;             /* its local APIC's id */
	int ci_spin_nheld;              /* spin locks held on this CPU */
	int ci_intr_depth;              /* interrupt handlers running here */
	volatile bool ci_online;        /* started (an AP: in its parked loop) */
	uint64_t ci_spins;              /* pause loops spent on held spin locks */
	struct spinlock *volatile ci_spinning_on;   /* the lock it waits for */
	struct smp_call *volatile ci_call;  /* a cross-call for it, or NULL */
	volatile uint64_t ci_ncalls;    /* cross-calls it has run */
	volatile uint64_t ci_nipis;     /* cross-call interrupts it took */
	struct pmap *ci_pmap;           /* the pmap its CR3 holds (pmap_activate) */
	volatile uint64_t ci_ntlbshoot; /* TLB shootdowns it carried out */
	struct thread *ci_idle;         /* its idle thread (kern/core/sched.c) */
	volatile bool ci_sched_on;      /* it takes threads from the run queue */
	volatile bool ci_want_resched;  /* switch at the next preemption point */
	int ci_slice_left;              /* ticks left in the running thread's slice */
	volatile uint64_t ci_ticks;     /* clock ticks it took */
	volatile uint64_t ci_proc_ticks; /* ... that found a process running */
	volatile uint64_t ci_nresched;  /* reschedule IPIs it took */
	uint64_t ci_gdt[GDT_ENTRIES] __aligned(16);
	struct tss ci_tss __aligned(16);
	vaddr_t ci_ist_top[NIST];       /* tops of its IST stacks */
} __aligned(64);

/* The offsets the assembly uses (kern/arch/cpu_info.inc). */
_Static_assert(offsetof(struct cpu_info, ci_self) == 0, "ci_self");
_Static_assert(offsetof(struct cpu_info, ci_curthread) == 8, "ci_curthread");
_Static_assert(offsetof(struct cpu_info, ci_scratch) == 16, "ci_scratch");
_Static_assert(offsetof(struct cpu_info, ci_rsp0) == 24, "ci_rsp0");
_Static_assert(offsetof(struct cpu_info, ci_index) == 32, "ci_index");

/* Every CPU's; cpu_infos[0] is the boot CPU's.  kern/arch/cpu_info.c */
extern struct cpu_info cpu_infos[MAXCPUS];

/* CPUs online (the boot CPU and every AP that reached its loop). */
extern volatile int ncpu;

/* curcpu - the calling CPU's cpu_info.  => any context after boot's first line. */
static inline struct cpu_info *
curcpu(void)
{
	struct cpu_info *ci;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(ci));
	return ci;
}

/* cpu_number - the calling CPU's index in cpu_infos. */
static inline int
cpu_number(void)
{
	int i;

	__asm__ volatile("movl %%gs:32, %0" : "=r"(i));
	return i;
}

/*
 * curthread - the thread running on this CPU, one load through GS.  It
 * reads like the old global, and every user compiles unchanged; only
 * the context switch writes it (curcpu()->ci_curthread = next).
 */
static inline struct thread *
curthread_get(void)
{
	struct thread *t;

	__asm__ volatile("movq %%gs:8, %0" : "=r"(t));
	return t;
}
#define curthread (curthread_get())

/*
 * cpu_info_boot_init - the boot CPU's cpu_info: index 0, running t0, and
 * GS base pointing at it.  => the first thing kmain does, interrupts off.
 */
void cpu_info_boot_init(struct thread *t0);

/*
 * cpu_info_load - point this CPU's GS base at ci (and the user's, which
 * swapgs brings in, at 0).  => kernel mode, interrupts off.
 */
void cpu_info_load(struct cpu_info *ci);

/* cpu_gs_base - what IA32_GS_BASE holds now (for tests). */
uint64_t cpu_gs_base(void);

#endif
