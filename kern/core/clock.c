/*
 * kern/core/clock.c - calibration, the tick handler and the nanosecond clock.
 *
 * Calibration.  The PIT's channel 2 is a stopwatch of exactly known
 * length (1193182 Hz crystal); the TSC and the local APIC timer are read
 * at its start and end:
 *
 *      start ch2 (23864 clocks = 20.000 ms)   ch2 output goes high
 *      |                                       |
 *      tsc0, apic0                             tsc1, apic1
 *
 *      tsc_hz        = (tsc1 - tsc0)   * 1193182 / 23864
 *      apic per tick = (apic0 - apic1) * 1193182 / 23864 / HZ
 *
 * Under QEMU's TCG the TSC is the host's and the PIT and the APIC timer
 * run on QEMU's virtual clock, which follows real time; the measurement
 * is therefore as good as on hardware, if a little noisier.
 *
 * Nanoseconds from cycles without dividing on every call: at boot,
 *
 *      ns_mult = 10^9 * 2^32 / tsc_hz        (ns per cycle, 32.32 fixed point)
 *      ns      = (cycles * ns_mult) >> 32    (a 64x64->128 multiply)
 *
 * e.g. at 3 GHz ns_mult = 1431655765 and 3,000,000 cycles give
 * 3e6 * 1431655765 >> 32 = 999,999 ns (one part in 10^6 lost to
 * truncation of ns_mult; the PIT measurement is worse than that).
 *
 * The tick handler (hardclock) counts ticks and tells the scheduler; it
 * runs with interrupts off, from intr_dispatch, for whichever timer is
 * the source.  Every CPU that runs threads has its own APIC timer at the
 * same rate (kern/core/smp.c starts the APs'); each tick charges that
 * CPU's running thread and slice, but only the boot CPU's advances
 * `ticks`, wakes the timed sleepers and runs the interval timers.
 */
#include "kern/core/clock.h"
#include "kern/proc/proc.h"
#include "dev/i8254.h"
#include "dev/i8259.h"
#include "dev/lapic.h"
#include "kern/core/cmdline.h"
#include "kern/arch/cpu.h"
#include "kern/core/intr.h"
#include "kern/core/sched.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"

KOPT(timer, "timer", "tick source: lapic (the default when there is one) or pit");

#define CAL_PIT_COUNT 23864u    /* 20 ms of PIT input clocks */

const int hz = HZ;
volatile uint64_t ticks;

static uint64_t tsc_hz;
static uint64_t tsc_base;       /* TSC at clock_init: time zero */
static uint64_t ns_mult;        /* ns per cycle, 32.32 fixed point */
static uint32_t lapic_per_tick;
static enum clock_source source;

/* Time the TSC and the APIC timer against one run of PIT channel 2. */
static void
calibrate(void)
{
	uint64_t t0, t1;
	uint32_t a0 = 0, a1 = 0;
	bool apic = lapic_active();

	if (apic)
		lapic_timer_start_free();
	i8254_oneshot_start(CAL_PIT_COUNT);
	t0 = rdtsc();
	if (apic)
		a0 = lapic_timer_count();
	while (!i8254_oneshot_done())
		;
	t1 = rdtsc();
	if (apic) {
		a1 = lapic_timer_count();
		lapic_timer_stop();
	}
	tsc_hz = (t1 - t0) * I8254_HZ / CAL_PIT_COUNT;
	if (tsc_hz == 0)
		panic("clock: the TSC did not advance during calibration");
	ns_mult = (1000000000ULL << 32) / tsc_hz;   /* 10^9 * 2^32 < 2^64 */
	if (apic)
		lapic_per_tick = (uint32_t)((uint64_t)(a0 - a1) * I8254_HZ /
		    CAL_PIT_COUNT / HZ);
}

static void
hardclock(void *arg)
{
	(void)arg;
	if (cpu_number() == 0) {    /* the time of day is the boot CPU's */
		ticks++;
		wakeup(CLOCK_TICK_CHAN);    /* timed sleepers (nanosleep) look again */
		proc_clock_tick();          /* interval timers (SIGALRM) */
	}
	sched_clock_tick();         /* every CPU: its own slice */
}

void
clock_init(void)
{
	const char *want = kopt_get("timer");

	calibrate();
	tsc_base = rdtsc();
	intr_establish(VEC_LAPIC_TIMER, hardclock, NULL);
	intr_establish(VEC_IRQ_BASE + I8254_IRQ, hardclock, NULL);
	if (lapic_active() && lapic_per_tick == 0)
		panic("clock: the local APIC timer did not count during calibration");
	if (!lapic_active() || (want != NULL && strcmp(want, "pit") == 0))
		clock_set_source(CLOCK_PIT);
	else
		clock_set_source(CLOCK_LAPIC);
	kprintf("clock: TSC %lu.%03lu MHz; tick %d Hz from the %s", tsc_hz / 1000000,
	    tsc_hz / 1000 % 1000, HZ, source == CLOCK_LAPIC ? "local APIC timer" :
	    "PIT through the 8259 (IRQ 0)");
	if (lapic_active())
		kprintf(" (APIC timer: %u clocks/tick at divide-by-%d)", lapic_per_tick,
		    LAPIC_TIMER_DIVISOR);
	kprintf("\n");
}

int
clock_set_source(enum clock_source src)
{
	uint64_t s;

	if (src == CLOCK_LAPIC && !lapic_active())
		return -ENODEV;
	s = intr_disable();
	if (src == CLOCK_LAPIC) {
		i8259_mask(I8254_IRQ);
		i8254_stop();
		lapic_timer_periodic(VEC_LAPIC_TIMER, lapic_per_tick);
	} else {
		if (lapic_active())
			lapic_timer_stop();
		i8254_periodic(HZ);
		i8259_unmask(I8254_IRQ);
	}
	source = src;
	intr_restore(s);
	return 0;
}

enum clock_source
clock_source_now(void)
{
	return source;
}

uint64_t
clock_tsc_to_ns(uint64_t cycles)
{
	return (uint64_t)(((unsigned __int128)cycles * ns_mult) >> 32);
}

uint64_t
clock_ns(void)
{
	return clock_tsc_to_ns(rdtsc() - tsc_base);
}

uint64_t
clock_tsc_hz(void)
{
	return tsc_hz;
}

uint32_t
clock_lapic_count(void)
{
	return lapic_per_tick;
}
