/*
 * tests/kern/sys/fuzz_test.c - the system-call fuzzer (tools/fuzz/fuzz.c) run
 * from the kernel, with the leak check around it.
 *
 * /bin/fuzz forks one child per batch of random system calls; proc_run
 * waits until it and every process it left behind are gone.  Then every
 * page, anon, amap, swap slot and kmem byte the children used must be
 * back: a call that forgets to free on one of its error paths shows here
 * even when nothing panicked.  The fuzzer's own exit status says whether
 * a child hung or the harness broke (docs/hardening.md).
 *
 * Both tests need a boot of their own (make test's fuzz boot, make fuzz):
 * ktest=all leaves them out.
 */
#include "kern/core/cmdline.h"
#include "kern/core/ktest.h"
#include "kern/lib/printf.h"
#include "kern/proc/proc.h"
#include "tests/harness/vmtest.h"

KOPT(fuzzseed, "fuzzseed", "fuzz/campaign: the fuzzer's seed (default 1)");
KOPT(fuzzcalls, "fuzzcalls", "fuzz/campaign: how many calls (default 100000)");
KOPT(fuzzskipknown, "fuzzskipknown", "the fuzzer's skipknown= (1, or dontneed,wired,share): what the known issue-15 panics need, left out");

/* The fixed run of make test: seed, calls and calls per batch. */
#define FUZZ_FIXED_SEED 1
#define FUZZ_FIXED_CALLS 30000
#define FUZZ_BATCH 200

/* Run /bin/fuzz with seed and calls: it must exit 0, leaking nothing. */
static void
fuzz_run(uint64_t seed, uint64_t calls)
{
	char a_seed[32], a_calls[32], a_batch[32], a_known[64];
	char *argv[] = { "/bin/fuzz", a_seed, a_calls, a_batch, a_known, NULL };
	char *envp[] = { "PATH=/bin", NULL };
	struct vm_baseline b;
	int status = -1;

	ksnprintf(a_seed, sizeof(a_seed), "seed=%lu", seed);
	ksnprintf(a_calls, sizeof(a_calls), "calls=%lu", calls);
	ksnprintf(a_batch, sizeof(a_batch), "batch=%d", FUZZ_BATCH);
	ksnprintf(a_known, sizeof(a_known), "skipknown=%s",
	    kopt_get("fuzzskipknown") != NULL ? kopt_get("fuzzskipknown") : "0");
	vm_baseline_take(&b);
	KT_EQ(proc_run(argv[0], argv, envp, &status), 0);
	KT_EQ(status, 0);
	vm_baseline_expect(&b);
}

KTEST_OWN_BOOT(fuzz, fixed_seed_batches_leak_nothing)
{
	fuzz_run(FUZZ_FIXED_SEED, FUZZ_FIXED_CALLS);
}

KTEST_MANUAL_ONLY(fuzz, campaign)
{
	fuzz_run(kopt_get_u64("fuzzseed", 1), kopt_get_u64("fuzzcalls", 100000));
}
