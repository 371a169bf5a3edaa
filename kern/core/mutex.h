/*
 * kern/core/mutex.h - sleeping mutexes for VM structures (maps, amaps,
 * objects) and anything else that may block while holding a lock.
 *
 * The API is NetBSD's kmutex: mutex_enter, mutex_tryenter, mutex_exit,
 * mutex_owned.  A mutex has an owner thread; a thread that finds it
 * owned by another sleeps on the mutex's address until mutex_exit wakes
 * one waiter, then tries again:
 *
 *     A: mutex_enter(m)     owner = A
 *     B: mutex_enter(m)     owned by A: waiters 1, sleep on m
 *     A: mutex_exit(m)      owner = NULL, wakeup_one(m): B runnable
 *     A: mutex_enter(m)     free again: A takes it back (no hand-off)
 *     B: runs               owned by A: sleeps again (sleeps counts 2)
 *
 * The woken thread competes like anyone else (no hand-off to it, so no
 * convoy of context switches); the field sleeps counts how often anyone
 * had to sleep, which is how tests see contention.
 *
 * Taking a mutex the caller already owns, or releasing one it does not
 * own, is a broken invariant and panics, as does mutex_enter in an
 * interrupt handler.  mutex_owned() means "owned by the calling thread",
 * so every "=> X must be locked" comment can be a KASSERT.
 *
 * Before the scheduler starts there is only thread0, so a mutex is never
 * contended and never sleeps: the same calls work from the first line of
 * kmain (curthread is thread0 from the start).
 *
 * This is the scheduler's interface, not a library, so it lives with the
 * scheduler in kern/core (kern/lib may include only kern/lib).  The
 * functions are out of line (kern/core/mutex.c): they need curthread and
 * sleep_on.  This header forward-declares struct thread; the owner is
 * only compared, never dereferenced here.
 *
 * The mutex's own fields are guarded by its spin lock, m->lock, which is
 * also the interlock handed to sleep_on, so a mutex_exit cannot slip in
 * between "it is owned" and "asleep on it".  Lock order: m->lock is a
 * leaf, held for a few instructions, never across a sleep.
 *
 * A VM lock that several structures share (an amap and its anons, and the
 * amaps copied from it) is a refcounted lock object holding a kmutex:
 * vm_lockobj_alloc, vm_lockobj_hold, vm_lockobj_release (uvm/uvm_amap.h).
 */
#ifndef KERN_LIB_MUTEX_H
#define KERN_LIB_MUTEX_H

#include "kern/lib/spinlock.h"
#include "kern/lib/types.h"

struct thread;

struct kmutex {
	struct spinlock lock;           /* guards the fields below */
	struct thread *owner;           /* NULL when free */
	uint32_t waiters;               /* threads in mutex_enter's sleep loop */
	uint32_t sleeps;                /* times anyone slept on it (statistics) */
	const char *name;               /* also the sleepers' wait message */
};

/* Every mutex's own spin lock is one lock class, "kmutex.lock": a leaf. */
#define KMUTEX_INIT(n) { SPINLOCK_INIT("kmutex.lock"), NULL, 0, 0, n }

/*
 * mutex_init - make m an unowned mutex called name.
 *  => name must outlive m (a string literal); m must not be in use.
 *     KMUTEX_INIT does the same for a static mutex.
 */
void mutex_init(struct kmutex *m, const char *name);

/*
 * mutex_enter - take m, sleeping while another thread owns it.
 *  => m must not be owned by the caller (panics); thread context only,
 *     no spin lock held (it may sleep).
 */
void mutex_enter(struct kmutex *m);

/*
 * mutex_tryenter - take m if it is free.
 *  => returns true if the caller now owns it, false if anyone (the caller
 *     included) owned it.  Never sleeps.
 */
bool mutex_tryenter(struct kmutex *m);

/*
 * mutex_exit - release m and wake one thread waiting for it.
 *  => the caller must own m (panics otherwise).  Never sleeps.
 */
void mutex_exit(struct kmutex *m);

/*
 * mutex_owned - does the calling thread own m?
 *  => for KASSERTs; false when m is free or owned by another thread.
 *     No lock needed: only the caller can make the answer true.
 */
bool mutex_owned(const struct kmutex *m);

#endif
