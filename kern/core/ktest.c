/*
 * kern/core/ktest.c - running the tests (see ktest.h for how to write one).
 *
 * The runner walks the "ktests" section between __start_ktests and
 * __stop_ktests.  For each selected test it arms a jump buffer and calls
 * the test; a failing assertion formats its message and longjmps back, so
 * one bad test never stops the run.  A fault inside a test is not caught
 * here: that is a kernel bug and panics, which `make test` reports.
 *
 * Selection:
 *   all        every test except the KTEST_MANUAL and KTEST_OWNBOOT ones
 *              (make test boots a second time, with little memory and a
 *              swap disk, for the KTEST_OWNBOOT suites swap/ and pdaemon/)
 *   none       nothing
 *   a,b,...    tests matching any glob; a manual test only by exact name
 *
 * A glob that selects no test is a failure that names it (a typo such as
 * KTEST=faults/... for fault/... must not pass by running nothing).  After a failed
 * test the harness runs the test's registered cleanups and takes the leak
 * baselines again, so the failure is reported once.
 */
#include "kern/core/ktest.h"
#include "kern/lib/glob.h"
#include "kern/lib/setjmp.h"
#include "kern/lib/assert.h"
#include "kern/lib/string.h"
#include "kern/core/panic.h"
#include "kern/core/thread.h"
#include "pmap/pmap.h"
#include "uvm/uvm_failalloc.h"

extern const struct ktest __start_ktests[], __stop_ktests[];
extern const struct kcheck __start_kchecks[], __stop_kchecks[];

#define KTEST_MAX 4096

static const struct ktest *order[KTEST_MAX];
static struct kjmpbuf fail_jb;
static char fail_msg[256];
static uint64_t run_seed;
static struct krand test_rng;
static struct thread *runner;   /* the thread running ktest_run */

static struct {
	void (*fn)(void *);
	void *arg;
} cleanups[KTEST_CLEANUP_MAX];
static int ncleanups;

void
ktest_cleanup_push(void (*fn)(void *), void *arg)
{
	KASSERT(curthread == runner);
	if (ncleanups == KTEST_CLEANUP_MAX)
		panic("ktest: more than %d cleanups; raise KTEST_CLEANUP_MAX",
		    KTEST_CLEANUP_MAX);
	cleanups[ncleanups].fn = fn;
	cleanups[ncleanups++].arg = arg;
}

void
ktest_cleanup_pop(void *arg)
{
	for (int i = ncleanups - 1; i >= 0; i--) {
		if (cleanups[i].arg != arg)
			continue;
		for (int j = i; j + 1 < ncleanups; j++)
			cleanups[j] = cleanups[j + 1];
		ncleanups--;
		return;
	}
}

/* Run what the last test left registered, newest first. */
static void
run_cleanups(bool failed)
{
	if (failed && ncleanups > 0)
		kprintf("# ktest: %d cleanup%s run after the failure\n", ncleanups,
		    ncleanups == 1 ? "" : "s");
	while (ncleanups > 0) {
		ncleanups--;
		cleanups[ncleanups].fn(cleanups[ncleanups].arg);
	}
}

void
ktest_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = ksnprintf(fail_msg, sizeof(fail_msg), "%s:%d: ", file, line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(fail_msg))
		kvsnprintf(fail_msg + n, sizeof(fail_msg) - (size_t)n, fmt, ap);
	va_end(ap);
	/* The jump buffer is on the runner's stack: from any other thread
	 * the jump would run the runner's frames on a foreign stack. */
	if (curthread != runner)
		panic("ktest: assertion failed in thread %s, not the runner: %s",
		    curthread->name, fail_msg);
	klongjmp(&fail_jb, 1);
}

struct krand *
ktest_rand(void)
{
	return &test_rng;
}

uint64_t
ktest_seed(void)
{
	return run_seed;
}

void
ktest_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void
ktest_quiet(const char *fmt, ...)
{
	(void)fmt;
}

/* The capture (see ktest.h): text, its length, and lines seen. */
static char cap_buf[KTEST_CAPTURE_SIZE];
static size_t cap_len;
static int cap_newlines;
static bool cap_open_line;      /* the last character was not a '\n' */

static void
cap_putc(int c, void *arg)
{
	(void)arg;
	if (cap_len < sizeof(cap_buf) - 1) {
		cap_buf[cap_len++] = (char)c;
		cap_buf[cap_len] = '\0';
	}
	if (c == '\n')
		cap_newlines++;
	cap_open_line = c != '\n';
}

void
ktest_capture(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvformat(cap_putc, NULL, fmt, ap);
	va_end(ap);
}

void
ktest_capture_reset(void)
{
	cap_buf[0] = '\0';
	cap_len = 0;
	cap_newlines = 0;
	cap_open_line = false;
}

const char *
ktest_captured(void)
{
	return cap_buf;
}

size_t
ktest_captured_len(void)
{
	return cap_len;
}

int
ktest_captured_lines(void)
{
	return cap_newlines + (cap_open_line ? 1 : 0);
}

bool
ktest_captured_has(const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= cap_len; i++) {
		if (strncmp(cap_buf + i, needle, n) == 0)
			return true;
	}
	return false;
}

/* FNV-1a, so each test's stream depends on the seed and its own name only. */
static uint64_t
name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

bool
ktest_selected(const struct ktest *t, const char *pattern)
{
	if (strcmp(pattern, "none") == 0)
		return false;
	if (strcmp(pattern, "all") == 0)
		return (t->flags & (KTEST_MANUAL | KTEST_OWNBOOT)) == 0;
	if (t->flags & KTEST_MANUAL) {
		/* Exact name only: look for it as one item of the list. */
		size_t len = strlen(t->name);
		for (const char *p = pattern; *p != '\0';) {
			if (strncmp(p, t->name, len) == 0 &&
			    (p[len] == '\0' || p[len] == ','))
				return true;
			p = strchr(p, ',');
			if (p == NULL)
				break;
			p++;
		}
		return false;
	}
	return glob_match_list(pattern, t->name);
}

/* Length of the suite part of "suite/name". */
static size_t
suite_len(const char *name)
{
	const char *slash = strchr(name, '/');

	return slash ? (size_t)(slash - name) : strlen(name);
}

static void
report(struct ktest_result *res, const char *name, bool ok)
{
	int n = res->passed + res->failed + 1;

	if (ok) {
		res->passed++;
		kprintf("ok %d - %s\n", n, name);
		return;
	}
	res->failed++;
	kprintf("not ok %d - %s # %s\n", n, name, fail_msg);
	kprintf("rerun: make test KTEST=%s SEED=%lu\n", name, run_seed);
}

/* Before a suite: let the checkers that compare against a start take it. */
static void
begin_checks(void)
{
	for (const struct kcheck *c = __start_kchecks; c < __stop_kchecks; c++) {
		if (c->begin != NULL)
			c->begin();
	}
}

static void
run_one(const struct ktest *t, struct ktest_result *res)
{
	volatile bool ok = false;

	krand_seed(&test_rng, run_seed ^ name_hash(t->name));
	fail_msg[0] = '\0';
	ktest_capture_reset();
	if (ksetjmp(&fail_jb) == 0) {
		t->fn();
		ok = true;
	}
	/* A test that failed half way may leave these behind. */
	trap_expect_disarm();
	uvm_failalloc_set(0, 0);
	if (pmap_current() != pmap_kernel())
		pmap_activate(pmap_kernel());
	/* A cleanup's own assertion must not jump into a finished test. */
	if (ksetjmp(&fail_jb) == 0)
		run_cleanups(!ok);
	ncleanups = 0;
	report(res, t->name, ok);
	if (!ok)
		begin_checks();     /* its leftovers are this failure's, not the suite's */
}

/* Does any test match item (one glob of the list, len characters)? */
static bool
item_matches(const char *item, size_t len)
{
	char glob[128];

	if (len == 0 || len >= sizeof(glob))
		return false;
	memcpy(glob, item, len);
	glob[len] = '\0';
	for (const struct ktest *t = __start_ktests; t < __stop_ktests; t++) {
		if (ktest_selected(t, glob))
			return true;
	}
	return false;
}

/* Fail once for every item of pattern that selects no test at all. */
static void
check_selection(const char *pattern, struct ktest_result *res)
{
	if (strcmp(pattern, "all") == 0 || strcmp(pattern, "none") == 0)
		return;
	for (const char *p = pattern; *p != '\0';) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (!item_matches(p, len)) {
			ksnprintf(fail_msg, sizeof(fail_msg),
			    "no test matches '%.*s'", (int)len, p);
			res->failed++;
			kprintf("not ok %d - ktest/selection # %s\n",
			    res->passed + res->failed, fail_msg);
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

/* After a suite: every consistency checker, reported as suite/@consistency. */
static void
run_checks(const char *suite, size_t len, struct ktest_result *res)
{
	char name[64];
	int problems = 0;

	if (&__start_kchecks[0] == &__stop_kchecks[0])
		return;
	for (const struct kcheck *c = __start_kchecks; c < __stop_kchecks; c++) {
		int n = c->fn(ktest_print);
		if (n != 0 && problems == 0)
			ksnprintf(fail_msg, sizeof(fail_msg),
			    "%s: %d problem%s (above)", c->name, n,
			    n == 1 ? "" : "s");
		problems += n;
	}
	ksnprintf(name, sizeof(name), "%.*s/@consistency", (int)len, suite);
	report(res, name, problems == 0);
}

/*
 * Put the selected tests in running order: link order of their files, and
 * source-line order within a file.  Returns how many there are.
 */
static int
order_tests(const char *pattern)
{
	int n = 0;

	for (const struct ktest *t = __start_ktests; t < __stop_ktests; t++) {
		if (!ktest_selected(t, pattern))
			continue;
		if (n == KTEST_MAX)
			panic("ktest: more than %d tests; raise KTEST_MAX", KTEST_MAX);
		/* Insertion sort by line within the current file's run. */
		int i = n++;
		while (i > 0 && strcmp(order[i - 1]->file, t->file) == 0 &&
		    order[i - 1]->line > t->line) {
			order[i] = order[i - 1];
			i--;
		}
		order[i] = t;
	}
	return n;
}

struct ktest_result
ktest_run(const char *pattern, uint64_t seed)
{
	struct ktest_result res = { 0, 0, 0 };
	const struct ktest *suite = NULL;

	run_seed = seed;
	runner = curthread;
	res.selected = order_tests(pattern);
	kprintf("ktest: running %d test%s matching '%s', seed %lu\n",
	    res.selected, res.selected == 1 ? "" : "s", pattern, seed);
	check_selection(pattern, &res);
	for (int i = 0; i < res.selected; i++) {
		const struct ktest *t = order[i];
		bool new_suite = suite == NULL ||
		    suite_len(suite->name) != suite_len(t->name) ||
		    strncmp(suite->name, t->name, suite_len(t->name)) != 0;
		if (new_suite && suite != NULL)
			run_checks(suite->name, suite_len(suite->name), &res);
		if (new_suite)
			begin_checks();
		suite = t;
		run_one(t, &res);
	}
	if (suite != NULL)
		run_checks(suite->name, suite_len(suite->name), &res);
	kprintf("ktest: %d passed, %d failed\n", res.passed, res.failed);
	return res;
}
