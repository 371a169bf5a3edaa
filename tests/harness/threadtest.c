/*
 * tests/harness/threadtest.c - waiting for threads, with a bound, from a
 * test (see threadtest.h).
 */
#include "tests/harness/threadtest.h"
#include "kern/core/clock.h"
#include "kern/arch/cpu.h"
#include "kern/core/sched.h"

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
