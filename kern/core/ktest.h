/*
 * kern/core/ktest.h - the boot-time self-test harness.
 *
 * A test is a function anywhere under tests/, declared with KTEST:
 *
 *     KTEST(printf, pads_negative_numbers)
 *     {
 *             char buf[16];
 *             ksnprintf(buf, sizeof(buf), "%05d", -42);
 *             KT_STREQ(buf, "-0042");
 *     }
 *
 * KTEST puts a descriptor in the "ktests" linker section, so adding a test
 * edits no list.  The first failed assertion ends the test (the harness
 * longjmps back) and the run goes on with the next one.  Output, one line
 * per test and one closing line:
 *
 *     ok 1 - printf/pads_negative_numbers
 *     not ok 2 - printf/hex # tests/kern/lib/printf_test.c:40: ... 
 *     rerun: make test KTEST=printf/hex SEED=1234
 *     ktest: 1 passed, 1 failed
 *
 * Tests run in link order, and within a file in the order they are written
 * (the compiler emits them backwards, so the runner sorts them); after
 * each suite (the part before '/') every KCHECK consistency checker runs and
 * reports as a test named suite/@consistency.
 */
#ifndef KERN_KTEST_H
#define KERN_KTEST_H

#include "kern/lib/types.h"
#include "kern/lib/printf.h"
#include "kern/lib/rand.h"

#define KTEST_MANUAL 0x1    /* run only when selected by its exact name */
#define KTEST_OWNBOOT 0x2   /* needs a boot of its own (little RAM, swap):
			       `all` leaves it out, a glob selects it */

struct ktest {
	const char *name;   /* "suite/name" */
	void (*fn)(void);
	unsigned flags;
	const char *file;   /* where it is defined: tests run in file order */
	int line;
};

#define KTEST_DEFINE(suite, tname, fl)                                     \
	static void ktest_fn_##suite##_##tname(void);                      \
	static const struct ktest ktest_##suite##_##tname                  \
	    __attribute__((section("ktests"), used, aligned(8))) = {       \
		.name = #suite "/" #tname,                                 \
		.fn = ktest_fn_##suite##_##tname,                          \
		.flags = fl,                                               \
		.file = __FILE__,                                          \
		.line = __LINE__,                                          \
	};                                                                 \
	static void ktest_fn_##suite##_##tname(void)

#define KTEST(suite, tname) KTEST_DEFINE(suite, tname, 0)
#define KTEST_MANUAL_ONLY(suite, tname) KTEST_DEFINE(suite, tname, KTEST_MANUAL)
#define KTEST_OWN_BOOT(suite, tname) KTEST_DEFINE(suite, tname, KTEST_OWNBOOT)

/*
 * A whole-system consistency checker, run after every suite.  It reports
 * each problem through pr and returns how many it found.
 */
struct kcheck {
	const char *name;
	int (*fn)(kprint_fn pr);
	void (*begin)(void);    /* optional: called before each suite */
};

#define KCHECK(id, fnname)                                                 \
	static const struct kcheck kcheck_##id                             \
	    __attribute__((section("kchecks"), used, aligned(8))) = {      \
		.name = #id, .fn = fnname, .begin = NULL                   \
	}

/* A checker that takes a snapshot before each suite (a leak check). */
#define KCHECK_SUITE(id, beginfn, fnname)                                  \
	static const struct kcheck kcheck_##id                             \
	    __attribute__((section("kchecks"), used, aligned(8))) = {      \
		.name = #id, .fn = fnname, .begin = beginfn                \
	}

void ktest_fail(const char *file, int line, const char *fmt, ...)
    __noreturn __printflike(3, 4);

#define KT_ASSERT(e)                                                       \
	do {                                                               \
		if (!(e))                                                  \
			ktest_fail(__FILE__, __LINE__, "%s", #e);          \
	} while (0)

/* Integer equality, printing both values on failure. */
#define KT_EQ(a, b)                                                        \
	do {                                                               \
		uint64_t ka_ = (uint64_t)(a), kb_ = (uint64_t)(b);         \
		if (ka_ != kb_)                                            \
			ktest_fail(__FILE__, __LINE__,                     \
			    "%s == %s (%#lx != %#lx)", #a, #b, ka_, kb_);  \
	} while (0)

#define KT_STREQ(a, b)                                                     \
	do {                                                               \
		const char *ka_ = (a), *kb_ = (b);                         \
		if (ka_ == NULL || kb_ == NULL || strcmp(ka_, kb_) != 0)   \
			ktest_fail(__FILE__, __LINE__,                     \
			    "%s == %s (\"%s\" != \"%s\")", #a, #b,         \
			    ka_ ? ka_ : "(null)", kb_ ? kb_ : "(null)");   \
	} while (0)

/*
 * Cleanups: what a test made and must give back even when an assertion
 * ends it half way.  ktest_cleanup_push registers fn(arg); the harness
 * runs what is still registered after the test, newest first, so a test
 * that fails leaves nothing behind and one mistake is one failure, not
 * also a leak failure of its suite.  A test that gives the thing back
 * itself pops it first (vmtest_end does, for vmtest_begin's push).
 *  => at most KTEST_CLEANUP_MAX at once; the runner thread only; arg must
 *     not point into the test's stack frame (gone when the cleanup runs
 *     after a failure): pass the object itself.
 */
#define KTEST_CLEANUP_MAX 16
void ktest_cleanup_push(void (*fn)(void *), void *arg);
/* ktest_cleanup_pop - forget the cleanup registered with arg (it is done). */
void ktest_cleanup_pop(void *arg);

/* ktest_rand - the current test's generator, seeded from seed and name. */
struct krand *ktest_rand(void);

/* ktest_seed - the run's seed (printed at the start). */
uint64_t ktest_seed(void);

/* ktest_print - a kprint_fn for printers called from tests. */
void ktest_print(const char *fmt, ...) __printflike(1, 2);

/*
 * ktest_quiet - a kprint_fn that prints nothing, for a checker that is
 * expected to complain (assert on the count it returns).
 */
void ktest_quiet(const char *fmt, ...) __printflike(1, 2);

/*
 * The capture: a kprint_fn that keeps what it is given, so a test can
 * assert on what a printer or checker said.
 *
 *     ktest_capture_reset();
 *     pool_print(&pp, ktest_capture);
 *     KT_EQ(ktest_captured_lines(), 1);
 *     KT_ASSERT(ktest_captured_has("test-print"));
 *
 * ktest_capture - append the formatted text to the capture buffer.
 *  => the buffer holds KTEST_CAPTURE_SIZE - 1 characters; what comes after
 *     is dropped (never written past the end), but its lines still count.
 *  => the harness empties the buffer before each test.
 */
#define KTEST_CAPTURE_SIZE 8192

void ktest_capture(const char *fmt, ...) __printflike(1, 2);

/* ktest_capture_reset - empty the capture buffer and its line count. */
void ktest_capture_reset(void);

/*
 * ktest_captured - what was captured since the last reset.
 *  => always NUL-terminated; "" when nothing was.
 */
const char *ktest_captured(void);

/* ktest_captured_len - how many characters ktest_captured() holds. */
size_t ktest_captured_len(void);

/*
 * ktest_captured_lines - how many lines were printed to the capture.
 *  => counts each '\n', and a last line without one; includes lines that
 *     did not fit in the buffer.
 */
int ktest_captured_lines(void);

/*
 * ktest_captured_has - does needle occur in the captured text?
 *  => an empty needle is always found.
 */
bool ktest_captured_has(const char *needle);

struct ktest_result {
	int passed;
	int failed;
	int selected;
};

/*
 * ktest_run - run the tests whose names match pattern ("all", "none", a
 * glob, or a comma-separated list of globs).
 *  => prints the TAP lines and the closing line; returns the counts.
 */
struct ktest_result ktest_run(const char *pattern, uint64_t seed);

/* ktest_selected - would pattern select t?  (Exposed for the harness tests.) */
bool ktest_selected(const struct ktest *t, const char *pattern);

#endif
