/*
 * kern/lib/spinlock.h - spin locks that also keep interrupts off.
 *
 * The kernel runs on one CPU (-smp 1), so what a spin lock really protects
 * against is an interrupt handler, or a preempting thread, entering the
 * same structure.  spin_lock() saves the interrupt flag and disables
 * interrupts - which also means no timer interrupt, so no preemption -
 * then takes the lock word with an atomic exchange so the code stays
 * correct if a second CPU ever appears.  KASSERTs catch taking a held
 * lock.
 *
 * Holding one while sleeping is a bug (the next thread to want it would
 * spin for ever); spin_nheld counts the locks held so that sleep_on and
 * the context switch can assert there are none.  The one exception is
 * the interlock sleep_on releases itself, with the pair
 * spin_unlock_keepintr / spin_lock_saved: the lock goes, interrupts stay
 * off until the switch, and the flags its holder saved come back with it.
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

/* Spin locks held right now (one CPU: one counter).  kern/lib/spinlock.c */
extern int spin_nheld;

/* The lock-order checker's hooks (kern/core/lockorder.h). */
#ifndef LOCKORDER
#define LOCKORDER KDEBUG
#endif
#define LOCKORDER_HOOK(call)                                              \
	do {                                                              \
		if (LOCKORDER && lockorder_enabled)                       \
			call;                                             \
	} while (0)
extern int lockorder_enabled;
void lockorder_spin_acquire(const struct spinlock *l);
void lockorder_spin_release(const struct spinlock *l);

/*
 * spin_lock_saved - take l (interrupts already off) with flags as the
 * state its spin_unlock will restore.
 */
static inline void
spin_lock_saved(struct spinlock *l, uint64_t flags)
{
	LOCKORDER_HOOK(lockorder_spin_acquire(l));
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0)
		panic("spin_lock: %s already held (deadlock on one CPU)", l->name);
	l->saved_flags = flags;
	spin_nheld++;
}

/* spin_lock - turn interrupts off and take l.  => never sleeps. */
static inline void
spin_lock(struct spinlock *l)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	spin_lock_saved(l, flags);
}

/*
 * spin_unlock_keepintr - release l but leave interrupts off.
 *  => returns the flags l's holder saved, for spin_lock_saved.
 */
static inline uint64_t
spin_unlock_keepintr(struct spinlock *l)
{
	uint64_t flags = l->saved_flags;

	KASSERT(l->locked);
	LOCKORDER_HOOK(lockorder_spin_release(l));
	spin_nheld--;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	return flags;
}

/* spin_unlock - release l; interrupts come back on if they were on at spin_lock. */
static inline void
spin_unlock(struct spinlock *l)
{
	if (spin_unlock_keepintr(l) & (1UL << 9))     /* RFLAGS.IF was set */
		__asm__ volatile("sti" ::: "memory");
}

static inline bool
spin_held(const struct spinlock *l)
{
	return l->locked != 0;
}

#endif
