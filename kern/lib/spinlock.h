/*
 * kern/lib/spinlock.h - spin locks that also keep interrupts off.
 *
 * The kernel runs on one CPU (-smp 1), so what a spin lock really protects
 * against is an interrupt handler (later, a preempting thread) entering the
 * same structure.  spin_lock() saves the interrupt flag and disables
 * interrupts, then takes the lock word with an atomic exchange so the code
 * stays correct if a second CPU ever appears.  Holding one while calling
 * something that sleeps is a bug; KASSERTs catch taking a held lock.
 */
#ifndef KERN_LIB_SPINLOCK_H
#define KERN_LIB_SPINLOCK_H

#include "kern/lib/assert.h"
#include "kern/lib/types.h"

struct spinlock {
	volatile uint32_t locked;
	uint64_t saved_flags;
	const char *name;
};

#define SPINLOCK_INIT(n) { 0, 0, n }

static inline void
spin_lock(struct spinlock *l)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0)
		panic("spin_lock: %s already held (deadlock on one CPU)", l->name);
	l->saved_flags = flags;
}

static inline void
spin_unlock(struct spinlock *l)
{
	uint64_t flags = l->saved_flags;

	KASSERT(l->locked);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	if (flags & (1UL << 9))
		__asm__ volatile("sti" ::: "memory");
}

static inline bool
spin_held(const struct spinlock *l)
{
	return l->locked != 0;
}

#endif
