/*
 * tests/harness/threadtest.c - waiting for threads, with a bound, from a
 * test (see threadtest.h).
 */
#include "tests/harness/threadtest.h"
#include "kern/core/clock.h"
#include "kern/arch/cpu.h"
#include "kern/core/sched.h"
#include "kern/arch/cpu_info.h"
#include "kern/core/ktest.h"

bool
tt_wait(bool (*cond)(void *arg), void *arg, uint64_t max_ticks)
{
	uint64_t end = ticks + max_ticks;

	while (!cond(arg)) {
		if (ticks >= end)
			return cond(arg);
		yield();
	}
	return true;
}

struct sleeping_on {
	struct thread *t;
	const void *chan;
};

static bool
is_sleeping_on(void *arg)
{
	struct sleeping_on *s = arg;

	return s->t->state == TS_SLEEPING && s->t->wchan == s->chan;
}

bool
tt_wait_sleeping(struct thread *t, const void *chan, uint64_t max_ticks)
{
	struct sleeping_on s = { t, chan };

	return tt_wait(is_sleeping_on, &s, max_ticks);
}

void
tt_spin_ticks(uint64_t n)
{
	uint64_t end = ticks + n;

	while (ticks < end)
		__asm__ volatile("pause");
}

bool
tt_spin_until(bool (*cond)(void *arg), void *arg, uint64_t ns)
{
	uint64_t end = clock_ns() + ns;

	while (!cond(arg)) {
		if (clock_ns() > end)
			return false;
		cpu_pause();
	}
	return true;
}

bool
tt_one_cpu(const char *suite, const char *what)
{
	if (ncpu > 1 && cpu_infos[1].ci_sched_on)
		return false;
	ktest_print("# %s: no second CPU runs threads: %s not tested here; "
	    "make test's SMP boot (SMPKTEST) runs it with two\n", suite, what);
	return true;
}
