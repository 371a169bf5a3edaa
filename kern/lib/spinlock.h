/*
 * kern/lib/spinlock.h - spin locks that also keep interrupts off.
 *
 * A spin lock protects a structure against the other CPUs and, on its
 * own CPU, against interrupt handlers and preemption.  spin_lock() saves
 * the interrupt flag and disables interrupts - no timer interrupt, so no
 * preemption - then takes the lock word with one atomic compare-and-swap
 * that writes the taker's CPU number + 1 into it:
 *
 *   locked == 0         free
 *   locked == c + 1     held by CPU c
 *
 *   CPU 0: spin_lock(&l)  locked 0 -> 1          ... spin_unlock: -> 0
 *   CPU 1: spin_lock(&l)  sees 1: spins (pause)  ...  CAS 0 -> 2: its turn
 *
 * When the lock is held by another CPU, the taker spins (with pause) until
 * it is free; the slow path is out of line (spin_lock_contended,
 * kern/lib/spinlock.c).  When it is held by the taker's own CPU, waiting
 * would never end - the holder cannot run until the taker stops - so that
 * is a recursion and panics at once, naming the lock.  In debug builds
 * (KDEBUG) a CPU that spins more than spin_limit pause loops on one lock
 * panics too, naming the lock and its holder: a lock held that long is a
 * deadlock or a bug.  While it spins, a CPU still answers cross-calls
 * (kern/core/smp.c) although its interrupts are off, so a CPU that holds
 * a lock and waits for a cross-call's acknowledgements cannot deadlock
 * with one that spins on the same lock.
 *
 * Holding one while sleeping is a bug (the next thread to want it would
 * spin for ever); spin_nheld counts the locks this CPU holds, so that
 * sleep_on and the context switch can assert there are none but the
 * scheduler's own (kern/core/sched.c holds sched_lock across the
 * switch).  The other exception is the interlock sleep_on releases
 * itself, with the pair spin_unlock_keepintr / spin_lock_saved: the lock
 * goes, interrupts stay off until the switch, and the flags its holder
 * saved come back with it.
 *
 * Invariants: locked is 0 or the holder's CPU number + 1; only the holder
 * releases it; spin_nheld == the number of locks whose locked names this
 * CPU; interrupts are off on a CPU that holds one.
 */
#ifndef KERN_LIB_SPINLOCK_H
#define KERN_LIB_SPINLOCK_H

#include "kern/arch/cpu_info.h"
#include "kern/lib/assert.h"
#include "kern/lib/types.h"

struct spinlock {
	volatile uint32_t locked;       /* 0, or the holder's CPU + 1 */
	uint64_t saved_flags;
	const char *name;
};

#define SPINLOCK_INIT(n) { 0, 0, n }

/*
 * Pause loops a CPU may spin on one lock before KDEBUG calls it a
 * deadlock: SPIN_LIMIT (seconds, even under TCG), lowered by a test.
 */
#define SPIN_LIMIT (1UL << 31)
extern uint64_t spin_limit;

/* Spin locks held right now by this CPU (its cpu_info keeps the count). */
#define spin_nheld (curcpu()->ci_spin_nheld)

/*
 * spin_lock_contended - the slow path: l was not free.  Panics if this
 * CPU (me = its number + 1) holds it, else spins until it is free and
 * takes it.  kern/lib/spinlock.c
 */
void spin_lock_contended(struct spinlock *l, uint32_t me);

/*
 * The slow path's statistics by lock name (a class: every mutex's inner
 * lock is "kmutex.lock", every rwlock's "krwlock.lock"): how many times a
 * CPU found it held, and the pause loops it spent waiting.  The first
 * SPIN_CLASSES names met get a row; /proc/uvmexp prints them.
 */
#define SPIN_CLASSES 24
struct spin_class {
	const char *name;               /* NULL: a free row */
	uint64_t waits, spins;
};
extern struct spin_class spin_classes[SPIN_CLASSES];

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
void lockorder_spin_acquired_try(const struct spinlock *l);

/*
 * spin_lock_saved - take l (interrupts already off) with flags as the
 * state its spin_unlock will restore.
 */
static inline void
spin_lock_saved(struct spinlock *l, uint64_t flags)
{
	uint32_t me = (uint32_t)cpu_number() + 1, expect = 0;

	LOCKORDER_HOOK(lockorder_spin_acquire(l));
	if (!__atomic_compare_exchange_n(&l->locked, &expect, me, false,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		spin_lock_contended(l, me);
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
 * spin_trylock - take l only if it is free: interrupts off and true, or
 * interrupts as they were and false.  A try never waits, so it cannot
 * close a cycle of waiters: the lock-order checker records no order into
 * it.  That is what lets pmap, whose order is pmap lock then PV lock,
 * start from a page (PV lock held) and try the pmap's lock.
 *  => never sleeps, never spins.
 */
static inline bool
spin_trylock(struct spinlock *l)
{
	uint32_t me = (uint32_t)cpu_number() + 1, expect = 0;
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	if (!__atomic_compare_exchange_n(&l->locked, &expect, me, false,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		if (flags & (1UL << 9))
			__asm__ volatile("sti" ::: "memory");
		return false;
	}
	LOCKORDER_HOOK(lockorder_spin_acquired_try(l));
	l->saved_flags = flags;
	spin_nheld++;
	return true;
}

/*
 * spin_unlock_keepintr - release l but leave interrupts off.
 *  => l held by this CPU; returns the flags l's holder saved, for
 *     spin_lock_saved.
 */
static inline uint64_t
spin_unlock_keepintr(struct spinlock *l)
{
	uint64_t flags = l->saved_flags;

	KASSERT(l->locked == (uint32_t)cpu_number() + 1);
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

/* spin_held - is l held (by any CPU)? */
static inline bool
spin_held(const struct spinlock *l)
{
	return l->locked != 0;
}

/* spin_holder - the CPU holding l, or -1 when it is free. */
static inline int
spin_holder(const struct spinlock *l)
{
	return (int)l->locked - 1;
}

#endif
