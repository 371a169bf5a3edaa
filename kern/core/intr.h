/*
 * kern/core/intr.h - device interrupts: vectors, handlers, end of interrupt.
 *
 * The 256 IDT vectors are shared out like this:
 *
 *     0 -  31   CPU exceptions (kern/arch/trap.c)
 *    32 -  47   the 8259 PICs' IRQ 0-15 (only IRQ 0, the PIT, is ever
 *               unmasked, and only when there is no local APIC timer)
 *    48 - 238   devices: I/O APIC pins and MSI-X messages, each given a
 *               vector by intr_alloc_vector (dev/ioapic.c, dev/pci.c)
 *   239  0xef   the local APIC timer: the clock tick
 *   240  0xf0   cross-call IPIs between CPUs (kern/core/smp.c)
 *   254  0xfe   local APIC errors
 *   255  0xff   the local APIC's spurious vector (never acknowledged)
 *
 * A driver registers one handler per vector with intr_establish; trap()
 * hands every vector >= 32 to intr_dispatch, which counts it, calls the
 * handler with interrupts off, and sends the end-of-interrupt to the chip
 * the vector came from.  Then trap() gives the scheduler its chance to
 * preempt the interrupted thread (kern/core/sched.h).
 *
 * Handlers run on the interrupted thread's stack with interrupts off.
 * They must not sleep or take a mutex (mutex_enter panics there); they
 * may take spin locks and call wakeup.
 */
#ifndef KERN_INTR_H
#define KERN_INTR_H

#include "kern/lib/types.h"

struct trapframe;

#define VEC_IRQ_BASE 32         /* 8259 IRQ n -> vector 32 + n */
#define VEC_DEVICE_MIN 48
#define VEC_DEVICE_MAX 238
#define VEC_LAPIC_TIMER 0xef
#define VEC_IPI_CALL 0xf0
#define VEC_IPI_RESCHED 0xf1     /* an idle CPU: look at the run queue */
#define VEC_LAPIC_ERROR 0xfe
#define VEC_SPURIOUS 0xff

typedef void (*intr_fn)(void *arg);

/*
 * intr_init - remap and mask the 8259s; map the local APIC's registers
 * (uncached, in the kernel arena) and enable it, unless it is missing or
 * the command line says lapic=0.
 *  => once, at boot, after kmem_init, with interrupts off.
 */
void intr_init(void);

/*
 * intr_lapic - is the local APIC in use (else the 8259s are)?
 *  => fixed after intr_init; any context.
 */
bool intr_lapic(void);

/*
 * intr_lapic_va - where the local APIC's registers are mapped.
 *  => 0 without one; the mapping is the kernel's for good (never freed).
 */
vaddr_t intr_lapic_va(void);

/*
 * intr_establish - call fn(arg) for every interrupt on vector.
 *  => vector in [32, 255); returns 0, -EINVAL for an exception or the
 *     spurious vector, -EBUSY if the vector already has a handler.
 *  => fn runs with interrupts off and must not sleep.
 */
int intr_establish(int vector, intr_fn fn, void *arg);

/*
 * intr_alloc_vector - reserve the lowest free device vector
 * (VEC_DEVICE_MIN..VEC_DEVICE_MAX) for the caller's interrupt source.
 *  => returns the vector, or -ENOSPC when all are taken; never sleeps.
 *  => the caller then intr_establishes a handler on it.  Both paths into
 *     these vectors (an I/O APIC pin, an MSI-X message) go through the
 *     local APIC, so intr_dispatch acknowledges them with lapic_eoi.
 */
int intr_alloc_vector(void);

/* intr_free_vector - give back a vector from intr_alloc_vector (its handler removed first). */
void intr_free_vector(int vector);

/*
 * intr_disestablish - remove vector's handler.
 *  => vector must have one (panics otherwise); later interrupts on it
 *     are counted and reported as stray.  Never sleeps.
 */
void intr_disestablish(int vector);

/*
 * intr_count - how many times vector arrived (handled, stray or spurious).
 *  => no lock: a snapshot, exact when read with interrupts off.
 */
uint64_t intr_count(int vector);

/*
 * intr_abandon_in_service - acknowledge whatever the controllers still
 * have in service although no handler runs: an interrupt whose delivery
 * itself faulted (a stack overflow hit while pushing its frame) would
 * otherwise block its priority class for good.
 *  => only with no handler running; interrupts off.
 */
void intr_abandon_in_service(void);

/*
 * intr_context - true while an interrupt handler runs on this CPU (then
 * sleeping, and so mutex_enter, is forbidden).  => any context.
 */
bool intr_context(void);

/*
 * intr_dispatch - from trap() for a vector >= 32: run the handler and
 * acknowledge the interrupt.  => interrupts off; returns with them off.
 */
void intr_dispatch(struct trapframe *tf);

#endif
