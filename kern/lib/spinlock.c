/*
 * kern/lib/spinlock.c - the slow path of spin_lock: the lock was not
 * free (spinlock.h has the picture and the rules).
 *
 *   held by this CPU     recursion: panic now (it would spin for ever)
 *   held by another      spin with pause until it reads free, then try
 *                        the compare-and-swap again; meanwhile answer
 *                        cross-calls, and in KDEBUG builds panic after
 *                        spin_limit loops (held too long: a deadlock)
 *
 * The wait reads the word and only retries the atomic operation when it
 * reads 0, so waiting CPUs do not keep pulling the cache line away from
 * the holder.  ci_spinning_on says which lock a CPU waits for (tests and
 * a debugger look), ci_spins how many pause loops it has spent waiting.
 */
#include "kern/lib/spinlock.h"
#include "kern/arch/cpu.h"
#include "kern/core/smp.h"
#include "kern/lib/string.h"

uint64_t spin_limit = SPIN_LIMIT;

struct spin_class spin_classes[SPIN_CLASSES];

/*
 * Adds a wait of spins loops to name's row, claiming a free row for a
 * name not yet met (compare-and-swap: the CPUs here hold no common lock).
 */
static void
spin_class_count(const char *name, uint64_t spins)
{
	for (int i = 0; i < SPIN_CLASSES; i++) {
		struct spin_class *c = &spin_classes[i];
		const char *cur = NULL;

		if (!__atomic_compare_exchange_n(&c->name, &cur, name, false,
		    __ATOMIC_RELAXED, __ATOMIC_RELAXED) && cur != name &&
		    (cur == NULL || strcmp(cur, name) != 0))
			continue;
		__atomic_add_fetch(&c->waits, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&c->spins, spins, __ATOMIC_RELAXED);
		return;
	}
}

/* Wait while l is held by someone else; count the loops in *spins. */
static void
spin_wait(struct spinlock *l, struct cpu_info *ci, uint64_t *spins)
{
	while (l->locked != 0) {
		cpu_pause();
		(*spins)++;
		if (ci->ci_call != NULL)
			smp_call_service();
		if (KDEBUG && *spins > spin_limit)
			panic("spin_lock: %s held too long by cpu %d (cpu %d spun "
			    "%lu times): a deadlock?", l->name, spin_holder(l),
			    ci->ci_index, *spins);
	}
}

void
spin_lock_contended(struct spinlock *l, uint32_t me)
{
	struct cpu_info *ci = curcpu();
	uint64_t spins = 0;
	uint32_t expect;

	if (l->locked == me)
		panic("spin_lock: %s already held by this CPU (cpu %u): recursion",
		    l->name, me - 1);
	ci->ci_spinning_on = l;
	do {
		spin_wait(l, ci, &spins);
		expect = 0;
	} while (!__atomic_compare_exchange_n(&l->locked, &expect, me, false,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	ci->ci_spinning_on = NULL;
	ci->ci_spins += spins;
	spin_class_count(l->name != NULL ? l->name : "?", spins);
}
