/*
 * kern/lib/atomic.h - reference counts and counters that need no lock.
 *
 * A count that several threads change, with interrupts on and no lock
 * held around it, must change in one indivisible step: "count--" is a
 * load, a subtraction and a store, and a preemption (or, later, another
 * CPU) between the load and the store loses the other thread's change:
 *
 *     thread A: load 2            thread B: load 2, store 1
 *     thread A: store 1           -> two releases, count 1: never freed
 *
 * These wrappers are gcc's __atomic builtins, which compile to one
 * locked instruction on x86-64.  A release that reaches zero uses
 * acquire-release ordering, so the thread that frees the object sees
 * every write the other holders made before letting go.
 *
 * Lock order: none (no lock is taken).
 */
#ifndef KERN_LIB_ATOMIC_H
#define KERN_LIB_ATOMIC_H

#include "kern/lib/types.h"

/* Add one to *p.  => returns the new value. */
static inline int
atomic_inc_int(int *p)
{
	return __atomic_add_fetch(p, 1, __ATOMIC_RELAXED);
}

/* Take one from *p.  => returns the new value (0: the last reference). */
static inline int
atomic_dec_int(int *p)
{
	return __atomic_sub_fetch(p, 1, __ATOMIC_ACQ_REL);
}

/* *p, read once. */
static inline int
atomic_load_int(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Add d (which may be negative) to the 64-bit counter *p. */
static inline void
atomic_add_u64(uint64_t *p, int64_t d)
{
	__atomic_add_fetch(p, (uint64_t)d, __ATOMIC_RELAXED);
}

#endif
