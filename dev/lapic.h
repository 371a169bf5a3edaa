/*
 * dev/lapic.h - the CPU's local APIC: interrupt acceptance, EOI and the
 * per-CPU timer.
 *
 * The registers are one 4 KiB page of memory-mapped I/O (at 0xfee00000
 * unless the firmware moved it; IA32_APIC_BASE says where).  This driver
 * does not map it: the kernel maps the page uncached and passes the
 * virtual address to lapic_init (device drivers stay below the VM).
 *
 * Every CPU has its own local APIC at the same address: the page a CPU
 * reads is its own APIC's, so one mapping serves them all.  Inter-
 * processor interrupts (IPIs) are sent through the interrupt command
 * register (ICR), high word first (the destination), then the low word
 * (vector, delivery mode, shorthand), whose write sends:
 *
 *   ICR low  bits 0-7 vector | 8-10 mode: 000 fixed, 100 NMI, 101 INIT,
 *            110 startup | 12 delivery pending | 14 assert | 18-19
 *            shorthand: 00 the id in ICR high, 11 all but self
 *
 * Locking: none.  Each CPU programs only its own APIC; callers run with
 * interrupts off, except lapic_eoi, which the interrupt path calls
 * (interrupts are off there), and the IPI senders, which turn them off
 * around the two ICR writes so an interrupt cannot send between them.
 */
#ifndef DEV_LAPIC_H
#define DEV_LAPIC_H

#include "kern/lib/types.h"

/* Register offsets (bytes from the base), for lapic_read in tests. */
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ISR0 0x100        /* 8 registers, 0x10 apart: 256 bits */
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300      /* interrupt command: writing it sends */
#define LAPIC_ICR_HI 0x310      /* ... bits 24-31: the destination APIC id */
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define LAPIC_SVR_ENABLE (1u << 8)
#define LAPIC_LVT_MASKED (1u << 16)
#define LAPIC_TIMER_PERIODIC (1u << 17)

/* The timer counts the bus clock divided by this (DIV register 0x3). */
#define LAPIC_TIMER_DIVISOR 16

/*
 * lapic_present, lapic_phys_base - does CPUID say this CPU has a local
 * APIC, and where is its register page (IA32_APIC_BASE)?
 *  => any time, even before lapic_init.
 */
bool lapic_present(void);
paddr_t lapic_phys_base(void);

/*
 * lapic_init - enable the calling CPU's APIC (globally in IA32_APIC_BASE,
 * and in software through the spurious-vector register) with its
 * registers at va; accept every priority; on the boot CPU LINT0 as
 * ExtINT (the 8259s pass through, in "virtual wire" mode), masked on the
 * others; LINT1 as NMI, errors on error_vec; timer masked.
 *  => once on each CPU, interrupts off.
 */
void lapic_init(vaddr_t va, uint8_t spurious_vec, uint8_t error_vec);

/* lapic_id - this CPU's local APIC id.  => after lapic_init. */
uint32_t lapic_id(void);

/*
 * lapic_ipi - send vector to the CPU whose APIC id is apicid;
 * lapic_ipi_allbutself - to every CPU but this one; lapic_nmi_allbutself -
 * an NMI to every CPU but this one (panic stops them with it).
 *  => after lapic_init; any context; return once the APIC accepted it.
 */
void lapic_ipi(uint32_t apicid, uint8_t vector);
void lapic_ipi_allbutself(uint8_t vector);
void lapic_nmi_allbutself(void);

/*
 * lapic_init_ipi, lapic_startup_ipi - the INIT and startup (SIPI) IPIs
 * that wake an AP: INIT resets it to wait for a SIPI; the SIPI starts it
 * in real mode at the page pa (below 1 MiB, page-aligned).
 *  => after lapic_init; the caller waits between them (kern/core/smp.c).
 */
void lapic_init_ipi(uint32_t apicid);
void lapic_startup_ipi(uint32_t apicid, paddr_t pa);

/* lapic_active - has lapic_init run?  => any context. */
bool lapic_active(void);

/*
 * lapic_read - one register (offsets above); lapic_in_service - is any
 * vector in service (the ISR not empty)?
 *  => after lapic_init.
 */
uint32_t lapic_read(uint32_t reg);
bool lapic_in_service(void);

/*
 * lapic_eoi - end of interrupt: the highest in-service vector is done.
 *  => from the interrupt path, after lapic_init; interrupts off.
 */
void lapic_eoi(void);

/*
 * lapic_timer_start_free - start a masked one-shot count-down from
 * 0xffffffff, for measuring the timer's rate; lapic_timer_count reads
 * where it is now.
 *  => after lapic_init, interrupts off; lapic_timer_stop ends it.
 */
void lapic_timer_start_free(void);
uint32_t lapic_timer_count(void);

/*
 * lapic_timer_periodic - interrupt on vector every count timer clocks
 * (bus clock / LAPIC_TIMER_DIVISOR); lapic_timer_stop - mask the timer
 * and stop its counter.
 *  => after lapic_init, interrupts off.
 */
void lapic_timer_periodic(uint8_t vector, uint32_t count);

void lapic_timer_stop(void);

#endif
