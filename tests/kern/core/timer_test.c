/*
 * tests/kern/core/timer_test.c - kern/core/clock.c and kern/core/intr.c: the tick rate,
 * the TSC clock, the controllers' registers, the PIT fallback, and the
 * handler table.
 *
 * Rates are measured inside the guest, ticks against the TSC clock that
 * was itself measured against the PIT at boot, and asserted only within
 * a loose range (a loaded host may delay QEMU's timers): these tests
 * catch a timer programmed ten times too fast or not at all, not jitter.
 * No test measures time on the host.
 */
#include "kern/core/ktest.h"
#include "dev/i8254.h"
#include "dev/i8259.h"
#include "dev/lapic.h"
#include "kern/core/clock.h"
#include "kern/arch/cpu.h"
#include "kern/core/intr.h"
#include "kern/lib/errno.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "pmap/vmlayout.h"
#include "tests/harness/threadtest.h"

#define RATE_TICKS 25       /* a quarter second at HZ = 100 */

/* The tick vector of a source: the APIC timer's, or IRQ 0's. */
static int
tick_vector(enum clock_source src)
{
	return src == CLOCK_LAPIC ? VEC_LAPIC_TIMER : VEC_IRQ_BASE + I8254_IRQ;
}

/* Ticks the other CPUs' own APIC timers took (they share the vector). */
static uint64_t
other_cpus_ticks(void)
{
	uint64_t n = 0;

	for (int i = 1; i < MAXCPUS; i++)
		n += cpu_infos[i].ci_ticks;
	return n;
}

/*
 * Ticks per second over RATE_TICKS ticks, by the TSC clock; *nintr gets
 * how many interrupts the source's vector took meanwhile on the boot CPU
 * (the count is every CPU's: the others' APIC ticks are taken out).
 */
static uint64_t
measure_hz(enum clock_source src, uint64_t *nintr)
{
	uint64_t t0, ns0, ns, i0, o0;

	tt_spin_ticks(1);               /* start on a tick boundary */
	t0 = ticks;
	ns0 = clock_ns();
	i0 = intr_count(tick_vector(src));
	o0 = other_cpus_ticks();
	while (ticks < t0 + RATE_TICKS)
		hlt();
	ns = clock_ns() - ns0;
	*nintr = intr_count(tick_vector(src)) - i0;
	if (tick_vector(src) == VEC_LAPIC_TIMER)
		*nintr -= other_cpus_ticks() - o0;
	return (ticks - t0) * 1000000000ULL / (ns ? ns : 1);
}

KTEST(timer, ticks_at_hz_against_the_tsc_clock)
{
	uint64_t n, rate = measure_hz(clock_source_now(), &n);

	ktest_print("# timer: %lu ticks/s measured against the TSC (HZ %d, %s)\n",
	    rate, hz, clock_source_now() == CLOCK_LAPIC ? "local APIC" : "PIT");
	KT_ASSERT(rate >= HZ / 2 && rate <= HZ * 2);
	/* Every tick came through the source's vector, none elsewhere. */
	KT_ASSERT(n >= RATE_TICKS && n <= RATE_TICKS + 1);
}

KTEST(timer, tsc_clock_is_monotonic_and_matches_the_tsc)
{
	uint64_t s, c0, ns0, dc, dns, expect, prev;
	int backwards = 0;

	/* Interrupts off at both ends only: a tick handler between the two
	 * reads of a pair would show up as a difference. */
	s = intr_disable();
	ns0 = prev = clock_ns();
	c0 = rdtsc();
	intr_restore(s);
	for (int i = 0; i < 200000; i++) {
		uint64_t now = clock_ns();
		backwards += now < prev;
		prev = now;
	}
	s = intr_disable();
	dns = clock_ns() - ns0;
	dc = rdtsc() - c0;
	intr_restore(s);
	expect = dc * 1000 / (clock_tsc_hz() / 1000000);     /* ns */
	KT_EQ(backwards, 0);
	KT_ASSERT(dns + dns / 100 >= expect && dns <= expect + expect / 100);
	KT_ASSERT(clock_tsc_hz() > 100000000ULL && clock_tsc_hz() < 20000000000ULL);
	/* One second of cycles is one second, less the truncation of the
	 * 32.32 fixed-point factor (at most a microsecond here). */
	KT_ASSERT(clock_tsc_to_ns(clock_tsc_hz()) >= 999999000ULL);
	KT_ASSERT(clock_tsc_to_ns(clock_tsc_hz()) <= 1000000000ULL);
}

/*
 * The registers say what the comments say: the tick's source is
 * programmed and unmasked, the other timer is silent.
 */
KTEST(timer, tick_source_registers_are_programmed)
{
	uint16_t masks = i8259_masks();

	if (clock_source_now() == CLOCK_PIT) {
		KT_EQ(masks & 1, 0);            /* IRQ 0 open */
		if (intr_lapic())
			KT_ASSERT(lapic_read(LAPIC_LVT_TIMER) & LAPIC_LVT_MASKED);
		return;
	}
	KT_ASSERT(intr_lapic());
	KT_EQ(lapic_read(LAPIC_LVT_TIMER) & 0x300ff, LAPIC_TIMER_PERIODIC | VEC_LAPIC_TIMER);
	KT_EQ(lapic_read(LAPIC_TIMER_INIT), clock_lapic_count());
	KT_EQ(lapic_read(LAPIC_SVR) & 0x1ff, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	KT_EQ(masks | (1u << 2), 0xffff);      /* every line masked (cascade aside) */
}

KTEST(timer, lapic_registers_are_mapped_uncached)
{
	vaddr_t va = intr_lapic_va();
	uint64_t pte;

	if (!intr_lapic())
		return;
	pte = pmap_pte_lookup(pmap_kernel(), va);
	KT_ASSERT(va >= KVA_START && va < KVA_END);
	KT_EQ(pte & PG_FRAME, lapic_phys_base());
	KT_EQ(pte & (PG_V | PG_RW | PG_PCD | PG_PWT | PG_NX | PG_PVLIST),
	    PG_V | PG_RW | PG_PCD | PG_PWT | PG_NX);
}

/*
 * The fallback: the tick from PIT channel 0 through the 8259's IRQ 0 (as
 * when there is no local APIC), then back.
 */
KTEST(timer, pit_fallback_ticks_through_irq0)
{
	enum clock_source was = clock_source_now();
	uint64_t n_pit, n_apic, rate_pit, rate_back;
	uint16_t masks;

	KT_EQ(clock_set_source(CLOCK_PIT), 0);
	masks = i8259_masks();
	rate_pit = measure_hz(CLOCK_PIT, &n_pit);
	if (!intr_lapic())
		KT_EQ(clock_set_source(CLOCK_LAPIC), -ENODEV);
	KT_EQ(clock_set_source(was), 0);
	rate_back = measure_hz(was, &n_apic);
	ktest_print("# timer: PIT fallback %lu ticks/s, then %lu back on the %s\n",
	    rate_pit, rate_back, was == CLOCK_LAPIC ? "local APIC" : "PIT");
	KT_EQ(clock_source_now(), was);
	KT_EQ(masks & 1, 0);                    /* IRQ 0 was open */
	KT_ASSERT(rate_pit >= HZ / 2 && rate_pit <= HZ * 2);
	KT_ASSERT(n_pit >= RATE_TICKS && n_pit <= RATE_TICKS + 1);
	KT_ASSERT(rate_back >= HZ / 2 && rate_back <= HZ * 2);
	KT_ASSERT(n_apic >= RATE_TICKS && n_apic <= RATE_TICKS + 1);
	if (was == CLOCK_LAPIC)
		KT_EQ(i8259_masks() & 1, 1);    /* closed again */
}

#define TEST_VECTOR 0x80

static struct {
	int calls;
	void *arg;
	bool intr_on;
	bool in_handler;
} seen;

static void
test_handler(void *arg)
{
	seen.calls++;
	seen.arg = arg;
	seen.intr_on = intr_enabled();
	seen.in_handler = intr_context();
}

KTEST(timer, intr_establish_dispatches_with_its_argument)
{
	int cookie;
	uint64_t n0 = intr_count(TEST_VECTOR);

	seen.calls = 0;
	KT_EQ(intr_establish(TEST_VECTOR, test_handler, &cookie), 0);
	KT_EQ(intr_establish(TEST_VECTOR, test_handler, NULL), -EBUSY);
	KT_EQ(intr_establish(14, test_handler, NULL), -EINVAL);
	KT_EQ(intr_establish(VEC_SPURIOUS, test_handler, NULL), -EINVAL);
	__asm__ volatile("int $0x80");
	__asm__ volatile("int $0x80");
	intr_disestablish(TEST_VECTOR);
	__asm__ volatile("int $0x80");          /* stray now: counted, reported */
	KT_EQ(seen.calls, 2);
	KT_ASSERT(seen.arg == &cookie);
	KT_ASSERT(!seen.intr_on && seen.in_handler);
	KT_ASSERT(!intr_context());
	KT_EQ(intr_count(TEST_VECTOR), n0 + 3);
}

/* The spurious vector has no handler and sends no EOI; only a count. */
KTEST(timer, spurious_vector_is_counted_and_ignored)
{
	uint64_t n0 = intr_count(VEC_SPURIOUS), t0 = ticks;

	__asm__ volatile("int $0xff");
	KT_EQ(intr_count(VEC_SPURIOUS), n0 + 1);
	tt_spin_ticks(2);                       /* and the clock still ticks */
	KT_ASSERT(ticks >= t0 + 2);
}
