/*
 * tests/kern/selftest_test.c - the harness checks itself.
 *
 * selftest/must_fail fails on purpose.  It is KTEST_MANUAL, so ktest=all
 * leaves it out; `make test` boots once with ktest=selftest/must_fail and
 * insists that the run reports 1 failed with a failing status, so the
 * harness can never pass silently.
 */
#include "kern/ktest.h"
#include "kern/lib/glob.h"
#include "kern/lib/string.h"
#include "kern/ksyms.h"
#include "kern/panic.h"
#include "kern/thread.h"
#include "kern/trap.h"
#include "kern/cpu.h"
#include "kern/qemu.h"

KTEST_MANUAL_ONLY(selftest, must_fail)
{
	KT_ASSERT(1 + 1 == 3);
}

KTEST(selftest, glob_matching)
{
	KT_ASSERT(glob_match("pmap/*", "pmap/enter"));
	KT_ASSERT(!glob_match("pmap/*", "uvm_map/enter"));
	KT_ASSERT(glob_match("*extend*", "amap/extend_backward"));
	KT_ASSERT(glob_match("a?c", "abc"));
	KT_ASSERT(!glob_match("a?c", "ac"));
	KT_ASSERT(glob_match("*", ""));
	KT_ASSERT(glob_match_list("x/*,pmap/*", "pmap/remove"));
	KT_ASSERT(!glob_match_list("x/*,y/*", "pmap/remove"));
}

KTEST(selftest, manual_tests_need_exact_name)
{
	static const struct ktest manual = { "selftest/must_fail", NULL, KTEST_MANUAL, __FILE__, 1 };
	static const struct ktest normal = { "selftest/other", NULL, 0, __FILE__, 2 };

	KT_ASSERT(!ktest_selected(&manual, "all"));
	KT_ASSERT(!ktest_selected(&manual, "selftest/*"));
	KT_ASSERT(!ktest_selected(&manual, "*"));
	KT_ASSERT(ktest_selected(&manual, "selftest/must_fail"));
	KT_ASSERT(ktest_selected(&manual, "pmap/*,selftest/must_fail"));
	KT_ASSERT(ktest_selected(&normal, "all"));
	KT_ASSERT(ktest_selected(&normal, "selftest/*"));
	KT_ASSERT(!ktest_selected(&normal, "none"));
}

KTEST(selftest, per_test_random_stream_is_reproducible)
{
	struct krand copy = *ktest_rand();
	uint64_t a = krand_next(ktest_rand());

	KT_EQ(krand_next(&copy), a);
	KT_ASSERT(krand_below(ktest_rand(), 10) < 10);
}

static void
read_u64(void *p)
{
	(void)*(volatile uint64_t *)p;
}

/* The expected-fault mechanism: a bad access comes back as a value. */
KTEST(selftest, expected_fault_recovers)
{
	struct trap_expect te;
	void *bad = (void *)0x0000700000000000ULL;
	uint64_t good = 5;

	KT_ASSERT(!trap_catch(read_u64, &good, &te));
	KT_ASSERT(trap_catch(read_u64, bad, &te));
	KT_EQ(te.vector, T_PAGE_FAULT);
	KT_EQ(te.addr, (uint64_t)bad);
	KT_EQ(te.error & PGEX_P, 0);
	KT_ASSERT(curthread->onfault == NULL);
}

KTEST(selftest, backtrace_names_functions)
{
	uint64_t off = 0;
	const char *name = ksym_lookup((uint64_t)ktest_run + 3, &off);

	KT_STREQ(name, "ktest_run");
	KT_EQ(off, 3);
	KT_EQ(ksym_address("kmain") != 0, 1);
}

/*
 * The other ways a run can go wrong.  Each is selected by `make test` in a
 * boot of its own, which must end with the verdict named (qemu-test.sh).
 */

/* -> PANIC: a kernel-mode page fault is reported, with a backtrace. */
KTEST_MANUAL_ONLY(selftest, must_panic)
{
	volatile uint64_t *bad = (volatile uint64_t *)0xffffc00000000000ULL;

	*bad = 1;
}

/* -> RESET: with no usable IDT an exception becomes a triple fault. */
KTEST_MANUAL_ONLY(selftest, must_triple_fault)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed empty = { 0, 0 };

	__asm__ volatile("lidt %0; int3" : : "m"(empty));
}

/* -> TIMEOUT: a hang is killed by the Makefile's timer. */
KTEST_MANUAL_ONLY(selftest, must_hang)
{
	cli();
	for (;;)
		hlt();
}

/* -> NO-CLOSING-LINE: leaving QEMU "successfully" mid-run still fails. */
KTEST_MANUAL_ONLY(selftest, must_stop_early)
{
	qemu_exit(QEMU_EXIT_PASS);
}
