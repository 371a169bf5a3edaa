/*
 * kern/core/clock.h - the tick and the time since boot.
 *
 * Two clocks, for two jobs:
 *
 *   ticks        counts timer interrupts, HZ a second.  The scheduler's
 *                time slices and (later) timeouts are counted in ticks.
 *   clock_ns()   nanoseconds since clock_init, from the TSC, whose rate
 *                is measured against the PIT at boot.  Monotonic and fine-
 *                grained; what clock_gettime(CLOCK_MONOTONIC) will return.
 *
 * The tick comes from the local APIC timer in periodic mode, or, when
 * there is no local APIC, from the PIT through the 8259 (kern/core/intr.c says
 * why).  Both are calibrated against the PIT's crystal at boot.
 */
#ifndef KERN_CLOCK_H
#define KERN_CLOCK_H

#include "kern/lib/types.h"

#define HZ 100
extern const int hz;            /* = HZ, for code that wants a variable */

/* Timer interrupts since clock_init.  Written only by the tick handler. */
extern volatile uint64_t ticks;

/* Every clock tick wakes what sleeps on this channel (timed sleeps). */
#define CLOCK_TICK_CHAN ((const void *)(uintptr_t)&ticks)

enum clock_source {
	CLOCK_LAPIC,                /* local APIC timer, vector 0xef */
	CLOCK_PIT,                  /* PIT channel 0, IRQ 0, vector 32 */
};

/*
 * clock_init - measure the TSC (and the local APIC timer, if in use)
 * against the PIT, then start the periodic tick (timer=pit forces the
 * PIT).  => once, after intr_init, with interrupts still off.
 */
void clock_init(void);

/*
 * clock_ns - nanoseconds since clock_init.
 *  => monotonic; any context, no lock; never sleeps.
 */
uint64_t clock_ns(void);

/*
 * clock_tsc_to_ns - a TSC cycle count as nanoseconds.
 *  => exact to one part in 10^6 or better; any context.
 */
uint64_t clock_tsc_to_ns(uint64_t cycles);

/*
 * clock_tsc_hz, clock_lapic_count - the TSC's measured rate (cycles per
 * second), and local APIC timer clocks per tick (0 without one).
 *  => fixed after clock_init; any context.
 */
uint64_t clock_tsc_hz(void);
uint32_t clock_lapic_count(void);

/*
 * clock_source_now - which timer drives the tick.
 *  => changes only through clock_set_source; any context.
 */
enum clock_source clock_source_now(void);

/*
 * clock_set_source - move the tick to the other timer (for tests of the
 * fallback, and for the timer=pit option).
 *  => returns 0, or -ENODEV for CLOCK_LAPIC without a local APIC.
 *  => interrupts may be on or off; never sleeps.
 */
int clock_set_source(enum clock_source src);

#endif
