/*
 * tests/kern/core/selftest_test.c - the harness checks itself.
 *
 * selftest/must_fail fails on purpose.  It is KTEST_MANUAL, so ktest=all
 * leaves it out; `make test` boots once with ktest=selftest/must_fail and
 * insists that the run reports 1 failed with a failing status, so the
 * harness can never pass silently.  must_fail_once_leaving_memory fails
 * with memory held: the harness must clean up after it, so that the
 * suite's leak check still passes.  A KTEST list naming no test fails.  The capture printer (ktest_capture)
 * is tested here too: the other suites rely on it.
 */
#include "kern/core/ktest.h"
#include "kern/lib/glob.h"
#include "kern/lib/string.h"
#include "kern/core/ksyms.h"
#include "kern/core/panic.h"
#include "kern/core/thread.h"
#include "kern/arch/trap.h"
#include "kern/arch/cpu.h"
#include "kern/core/qemu.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_fault.h"

KTEST_MANUAL_ONLY(selftest, must_fail)
{
	KT_ASSERT(1 + 1 == 3);
}

/*
 * Fails with a vmspace and a page in it: the harness gives them back (the
 * vmspace's cleanup, registered by vmtest_begin) and says so, and the
 * suite's leak check then passes - one mistake is one failure.
 */
KTEST_MANUAL_ONLY(selftest, must_fail_once_leaving_memory)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, 0x10000000UL, 1);
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	KT_ASSERT(vmtest_anon(&t, va) == NULL);
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

/* The capture keeps text and counts lines; ktest_quiet keeps nothing. */
KTEST(selftest, capture_keeps_text_and_counts_lines)
{
	ktest_capture("a %d\n", 1);
	ktest_capture("b");
	KT_STREQ(ktest_captured(), "a 1\nb");
	KT_EQ(ktest_captured_len(), 5);
	KT_EQ(ktest_captured_lines(), 2);       /* the last one has no '\n' yet */
	ktest_capture("c\n");
	KT_EQ(ktest_captured_lines(), 2);
	KT_ASSERT(ktest_captured_has("1\nbc\n"));
	KT_ASSERT(ktest_captured_has(""));
	KT_ASSERT(!ktest_captured_has("bcd"));
	ktest_quiet("nothing %d\n", 2);
	KT_EQ(ktest_captured_len(), 7);
	/* Left behind on purpose: the next test must not see it. */
}

KTEST(selftest, capture_is_empty_when_a_test_starts)
{
	KT_STREQ(ktest_captured(), "");
	KT_EQ(ktest_captured_len(), 0);
	KT_EQ(ktest_captured_lines(), 0);
	KT_ASSERT(!ktest_captured_has("a 1"));
}

/* Past the end of the buffer: dropped, still NUL-terminated, lines counted. */
KTEST(selftest, capture_truncates_safely)
{
	const int n = KTEST_CAPTURE_SIZE / 8 + 10;
	char last[16];

	for (int i = 0; i < n; i++)
		ktest_capture("%07d\n", i);
	KT_EQ(ktest_captured_len(), KTEST_CAPTURE_SIZE - 1);
	KT_EQ(strlen(ktest_captured()), KTEST_CAPTURE_SIZE - 1);
	KT_EQ(ktest_captured_lines(), n);
	KT_ASSERT(ktest_captured_has("0000000\n"));
	ksnprintf(last, sizeof(last), "%07d\n", n - 1);
	KT_ASSERT(!ktest_captured_has(last));
	ktest_capture_reset();
	KT_STREQ(ktest_captured(), "");
	KT_EQ(ktest_captured_lines(), 0);
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

/*
 * -> PANIC naming the guard page: thread0 (the test runner) runs off the
 * bottom of its stack.  It cannot be killed and resumed like another
 * thread (sched/stack_overflow_...), so the kernel must panic, saying
 * which guard page was hit, rather than write below the stack.
 */
static volatile bool keep_descending = true;

static int __attribute__((noinline))
descend_forever(int depth)
{
	volatile char pad[256];

	pad[0] = (char)depth;
	if (keep_descending)
		return descend_forever(depth + 1) + pad[0];
	return pad[0];
}

KTEST_MANUAL_ONLY(selftest, must_overflow_stack)
{
	descend_forever(0);
}

/* -> NO-CLOSING-LINE: leaving QEMU "successfully" mid-run still fails. */
KTEST_MANUAL_ONLY(selftest, must_stop_early)
{
	qemu_exit(QEMU_EXIT_PASS);
}
