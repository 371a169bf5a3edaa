/*
 * kern/core/smp.h - several CPUs: starting them, and making them run a
 * function (cross-calls).  kern/core/smp.c explains how; the per-CPU data
 * is in kern/arch/cpu_info.h.
 *
 * This is the first step of SMP: the application processors (APs) start
 * and park - interrupts on, halted, answering IPIs - but run no threads;
 * the scheduler stays on the boot CPU until it has a lock of its own.
 */
#ifndef KERN_CORE_SMP_H
#define KERN_CORE_SMP_H

#include "kern/arch/cpu_info.h"
#include "kern/lib/types.h"

/* The low pages the AP trampoline occupies (kern/arch/mptramp.asm). */
#define MPTRAMP_PA 0x8000UL
#define MPTRAMP_PAGES 4

typedef void (*smp_call_fn)(void *arg);

/*
 * One cross-call: fn(arg) to run on each CPU of targets.  The sender owns
 * it (it may live on the sender's stack) until smp_call_wait returns;
 * pending counts the targets that have not finished yet.
 */
struct smp_call {
	smp_call_fn fn;
	void *arg;
	cpuset_t targets;
	volatile uint32_t pending;
};

/*
 * smp_start - find the CPUs in the ACPI MADT and start each AP
 * (INIT-SIPI-SIPI); each takes its own cpu_info, GDT, TSS and stacks and
 * parks.  maxcpus=N on the command line starts at most N CPUs.
 *  => once, from kmain_thread0 after sched_start; may sleep (allocates).
 *  => prints the CPUs it started; returns when they are online (or
 *     given up on, after a second).
 */
void smp_start(void);

/* smp_madt_ncpu - enabled CPUs the MADT names (1 without a MADT). */
int smp_madt_ncpu(void);

/* smp_cpus_online - the set of online CPUs (bit i: cpu_infos[i]). */
cpuset_t smp_cpus_online(void);

/*
 * smp_call_start - post c (fn(arg) for every CPU in targets) and send
 * each target the cross-call IPI; smp_call_wait - wait until every target
 * has run it.  Between the two the sender may do its own share (a TLB
 * shootdown invalidates its own TLB there).
 *  => targets: online CPUs, never the caller's own.  fn runs on each
 *     target with interrupts off, in its IPI handler or in a spin-lock
 *     wait loop; it must not sleep, and may take a spin lock only if no
 *     one holds that lock while waiting for a cross-call.
 *  => may be called with interrupts off and spin locks held: while it
 *     waits the caller answers cross-calls sent to it.
 */
void smp_call_start(struct smp_call *c, cpuset_t targets, smp_call_fn fn,
    void *arg);
void smp_call_wait(struct smp_call *c);

/*
 * smp_call - run fn(arg) on CPU cpu and wait for it (on the caller's own
 * CPU: call it here, interrupts off); smp_call_all - on every other
 * online CPU, and wait for all of them.  => as smp_call_start.
 */
void smp_call(int cpu, smp_call_fn fn, void *arg);
void smp_call_all(smp_call_fn fn, void *arg);

/*
 * smp_call_service - run the cross-call posted to this CPU, if any.
 *  => interrupts off; from the IPI handler and from spin-wait loops.
 */
void smp_call_service(void);

/*
 * smp_stop_others - stop every other CPU (an NMI: they halt with
 * interrupts off, for good), for panic.  Waits a little for them.
 *  => any context; interrupts off.  Returns how many halted (0 on one CPU).
 */
int smp_stop_others(void);

/*
 * smp_nmi_stop - from trap() on an NMI: if smp_stop_others asked, halt
 * this CPU for good; else return (the NMI is someone else's).
 */
void smp_nmi_stop(void);

/* smp_ap_main - an AP's first C function (kern/arch/mptramp.asm). */
void smp_ap_main(struct cpu_info *ci) __noreturn;

/*
 * smp_resched_ipi - interrupt ci (another CPU) so that it reaches its
 * preemption point: the scheduler set its ci_want_resched.
 *  => any context; never sleeps.
 */
void smp_resched_ipi(struct cpu_info *ci);

#endif
