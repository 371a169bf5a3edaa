/*
 * kern/core/rwlock.h - sleeping reader/writer locks: many readers at once
 * or one writer (NetBSD's krwlock, rwlock(9)).
 *
 * The map lock is one: page faults only read the map (find the entry,
 * check the protection) while they zero or copy a page, so the faults of
 * several threads of one process may hold it together, each on its own
 * CPU; mmap, munmap, mprotect and fork change the map and hold it alone.
 *
 *   A: rw_enter(l, RW_READER)   readers 1
 *   B: rw_enter(l, RW_READER)   readers 2: both fault in parallel
 *   C: rw_enter(l, RW_WRITER)   readers: C waits (writers_waiting 1)
 *   D: rw_enter(l, RW_READER)   a writer waits: D waits too, so a stream
 *                               of faults cannot starve munmap for ever
 *   A, B: rw_exit               readers 0: wake everyone; C gets it,
 *                               D sleeps again until C's rw_exit
 *
 * Each waiter sleeps on the lock's address with the lock's spin lock as
 * interlock, as a mutex's do; rw_exit wakes them all and they compete
 * again (few waiters, short holds: no queue of hand-offs).
 *
 * Invariants: writer != NULL implies readers == 0; readers counts the
 * threads that hold it shared (a thread takes it at most once: a second
 * rw_enter by a holder would deadlock behind a waiting writer, and
 * rw_enter on a lock the caller writes panics).  Its fields are under
 * its spin lock, a leaf.  The lock-order checker sees an rwlock as a
 * mutex of its name, whichever way it is held.
 */
#ifndef KERN_CORE_RWLOCK_H
#define KERN_CORE_RWLOCK_H

#include "kern/lib/spinlock.h"
#include "kern/lib/types.h"

struct thread;

enum rw_op { RW_READER, RW_WRITER };

struct krwlock {
	struct spinlock lock;           /* guards the fields below */
	struct thread *writer;          /* the writer, or NULL */
	uint32_t readers;               /* threads holding it shared */
	uint32_t writers_waiting;       /* writers asleep in rw_enter */
	uint32_t sleeps;                /* times anyone slept on it (statistics) */
	const char *name;
};

#define KRWLOCK_INIT(n) { SPINLOCK_INIT("krwlock.lock"), NULL, 0, 0, 0, n }

/* rw_init - an unheld lock called name (a string that outlives it). */
void rw_init(struct krwlock *l, const char *name);

/*
 * rw_enter - take l shared (RW_READER) or alone (RW_WRITER), sleeping
 * while that is not possible.
 *  => thread context, no spin lock held; may sleep.  The caller must not
 *     hold l already (panics if it writes it).
 */
void rw_enter(struct krwlock *l, enum rw_op op);

/*
 * rw_tryenter - rw_enter without sleeping.  => true if taken.
 */
bool rw_tryenter(struct krwlock *l, enum rw_op op);

/*
 * rw_exit - release l, as reader or writer, whichever the caller is.
 *  => the caller holds l (panics if it is not held at all).  Never sleeps.
 */
void rw_exit(struct krwlock *l);

/*
 * rw_write_held - does the calling thread hold l alone?
 * rw_lock_held  - is l held by the caller, as writer, or by someone as a
 *                 reader?  (Readers are counted, not named: a KASSERT
 *                 of a read hold can only say "some reader".)
 */
bool rw_write_held(const struct krwlock *l);
bool rw_lock_held(const struct krwlock *l);

#endif
