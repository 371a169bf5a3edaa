/*
 * uvm/uvm_failalloc.c - allocation-failure injection (see uvm_failalloc.h).
 *
 * Every allocator asks one question before it takes anything:
 *
 *   vm_page_alloc ---+
 *   pool_get      ---+--> uvm_failalloc_hit(kind) --> true: "no memory"
 *   kmem_alloc    ---+         |
 *                              +-- off, interrupt, exempt thread: false
 *                              +-- armed: skip N, then fail the next M
 *                              +-- random, in a user process's thread:
 *                                  roll 0..999 < rate
 *
 * Worked example, failalloc=100:7: a fork's uvmspace_fork asks the pool
 * for a vmspace (roll 612: fine), the pool for map entries (roll 48:
 * fail), so it unwinds and fork returns -ENOMEM; the program's test sees
 * ENOMEM.  A page fault whose anon gets roll 9 starts over (uvm_fault.c
 * retries an injected failure a bounded number of times, then kills the
 * process with a message).
 *
 * Since the callers of a layer also roll (kmem_alloc of 64 bytes rolls
 * for kmem, then pool_get rolls for the pool, then the pool may roll for
 * a page), an allocation through several layers fails a little more
 * often than the rate says: each layer's failure path gets its turn.
 */
#include "uvm/uvm_failalloc.h"
#include "kern/core/cmdline.h"
#include "kern/core/intr.h"
#include "kern/lib/errno.h"
#include "kern/lib/rand.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/string.h"
#include "kern/core/thread.h"

KOPT(failalloc, "failalloc",
    "RATE[:SEED]: page, pool and kmem allocations fail RATE per mille at random "
    "while injection is on (the failalloc/ test, or init when no test runs)");
KOPT(failseed, "failseed", "the seed of failalloc= (default 1)");

enum failalloc_mode {
	FA_OFF,
	FA_RANDOM,          /* fail with probability rate / 1000 */
	FA_ARMED,           /* let skip through, fail count */
};

static struct {
	struct spinlock lock;
	enum failalloc_mode mode;
	unsigned rate;              /* FA_RANDOM: per mille */
	unsigned kinds;             /* FA_ARMED: which kinds count */
	uint64_t skip, count;       /* FA_ARMED: still to let through, to fail */
	struct krand rand;
	struct uvm_failalloc_stats st;
} fa = { .lock = SPINLOCK_INIT("failalloc") };

/* A decimal number at *s, advancing *s; false if there is none. */
static bool
failalloc_parse_u64(const char **s, uint64_t *v)
{
	const char *p = *s;

	*v = 0;
	while (*p >= '0' && *p <= '9' && *v < UINT64_MAX / 10)
		*v = *v * 10 + (uint64_t)(*p++ - '0');
	if (p == *s)
		return false;
	*s = p;
	return true;
}

int
uvm_failalloc_parse(const char *s, uint64_t defseed, unsigned *rate, uint64_t *seed)
{
	uint64_t r, sd = defseed;

	if (s == NULL || !failalloc_parse_u64(&s, &r) || r > 1000)
		return -EINVAL;
	if (*s == ':' && (s++, !failalloc_parse_u64(&s, &sd)))
		return -EINVAL;
	if (*s != '\0')
		return -EINVAL;
	*rate = (unsigned)r;
	*seed = sd;
	return 0;
}

unsigned
uvm_failalloc_boot_rate(uint64_t *seed)
{
	unsigned rate;

	if (uvm_failalloc_parse(kopt_get("failalloc"), kopt_get_u64("failseed", 1),
	    &rate, seed) != 0)
		return 0;
	return rate;
}

void
uvm_failalloc_set(unsigned permille, uint64_t seed)
{
	spin_lock(&fa.lock);
	fa.mode = permille == 0 ? FA_OFF : FA_RANDOM;
	fa.rate = MIN(permille, 1000u);
	krand_seed(&fa.rand, seed);
	spin_unlock(&fa.lock);
}

void
uvm_failalloc_arm(unsigned kinds, uint64_t skip, uint64_t count)
{
	spin_lock(&fa.lock);
	fa.mode = count == 0 ? FA_OFF : FA_ARMED;
	fa.kinds = kinds;
	fa.skip = skip;
	fa.count = count;
	spin_unlock(&fa.lock);
}

bool
uvm_failalloc_on(void)
{
	return fa.mode != FA_OFF;
}

/* The armed countdown: true when this allocation is one to fail. */
static bool
failalloc_armed_hit(unsigned kind)
{
	if (!(fa.kinds & kind))
		return false;
	if (fa.skip > 0) {
		fa.skip--;
		return false;
	}
	if (--fa.count == 0)
		fa.mode = FA_OFF;
	return true;
}

static void
failalloc_count(unsigned kind)
{
	if (kind == UVM_FAILALLOC_PAGE)
		fa.st.page++;
	else if (kind == UVM_FAILALLOC_POOL)
		fa.st.pool++;
	else
		fa.st.kmem++;
}

bool
uvm_failalloc_hit(unsigned kind)
{
	bool hit;

	/* Unlocked first look: the common case (off) costs one load. */
	if (fa.mode == FA_OFF || intr_context() || curthread->failalloc_exempt)
		return false;
	/* Random failures are for user processes: their system calls and
	 * faults (a kernel thread such as the test runner loading a
	 * program is left alone; an armed failure hits it too). */
	if (fa.mode == FA_RANDOM && curthread->proc == NULL)
		return false;
	spin_lock(&fa.lock);
	fa.st.checked += fa.mode != FA_OFF;
	if (fa.mode == FA_RANDOM)
		hit = krand_below(&fa.rand, 1000) < fa.rate;
	else
		hit = fa.mode == FA_ARMED && failalloc_armed_hit(kind);
	if (hit)
		failalloc_count(kind);
	spin_unlock(&fa.lock);
	return hit;
}

void
uvm_failalloc_exempt_curthread(void)
{
	curthread->failalloc_exempt = true;
}

uint64_t
uvm_failalloc_injected(void)
{
	return fa.st.page + fa.st.pool + fa.st.kmem;
}

void
uvm_failalloc_stats_get(struct uvm_failalloc_stats *st)
{
	spin_lock(&fa.lock);
	*st = fa.st;
	spin_unlock(&fa.lock);
}

void
uvm_failalloc_print(kprint_fn pr)
{
	struct uvm_failalloc_stats st;

	uvm_failalloc_stats_get(&st);
	pr("failalloc: %s, rate %u/1000; %lu allocations looked at, failed: "
	    "%lu page, %lu pool, %lu kmem\n",
	    fa.mode == FA_OFF ? "off" : fa.mode == FA_RANDOM ? "random" : "armed",
	    fa.rate, st.checked, st.page, st.pool, st.kmem);
}
