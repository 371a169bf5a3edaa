/*
 * kern/proc/futex_impl.h - the futex mechanism under futex(2), for
 * kern/proc/futex.c and its tests (tests/kern/proc/futex_test.c).  The
 * system call, thread exit and the robust list use kern/proc/futex.h.
 *
 * Every call here works in the current thread's address space
 * (curthread->vmspace), whose pmap must be the one loaded.
 */
#ifndef KERN_PROC_FUTEX_IMPL_H
#define KERN_PROC_FUTEX_IMPL_H

#include "kern/lib/types.h"

#define FUTEX_FOREVER UINT64_MAX            /* a deadline that never comes */
#define FUTEX_BITSET_ANY 0xffffffffu        /* FUTEX_BITSET_MATCH_ANY */

/*
 * A futex's name.  Private: (the vmspace, the user address).  Shared and
 * backed by a shared object mapping: (the uvm_object, the byte offset in
 * it), with a reference on the object held by whoever holds the key.
 */
struct futex_key {
	const void *fk_space;       /* struct vmspace or struct uvm_object */
	uint64_t fk_off;            /* user address, or offset in the object */
	bool fk_obj;                /* fk_space is an object (referenced) */
};

/*
 * futex_key_get - the key of the futex word at uaddr: private (shared
 * false), or what a shared futex there is named by.
 *  => no lock held; takes and drops the map lock (shared only), and a
 *     reference on the object of an object key (futex_key_put drops it).
 *  => 0, -EINVAL (not 4-aligned), -EFAULT (not a user address; shared:
 *     nothing readable mapped there).
 */
int futex_key_get(uint64_t uaddr, bool shared, struct futex_key *key);

/* futex_key_put - drop what futex_key_get took.  => may sleep. */
void futex_key_put(struct futex_key *key);

/*
 * futex_wait - if the word at uaddr holds val, sleep on key until a wake
 * whose bitset meets bitset, the monotonic clock (clock_ns) reaches
 * deadline, or a signal is there to act on.
 *  => no lock held; may sleep (interruptibly).  *key is the caller's
 *     (with its reference); a requeue may move the waiter, and *key is
 *     then the key it was moved to, the reference moved with it: the
 *     caller puts *key as it comes back.
 *  => 0 (woken), -EAGAIN (the word differs), -EFAULT, -ETIMEDOUT,
 *     -ERESTARTSYS (a signal).
 */
int futex_wait(struct futex_key *key, uint64_t uaddr, uint32_t val,
    uint32_t bitset, uint64_t deadline);

/*
 * futex_wake - wake up to n (at least one, as Linux) waiters of key whose
 * bitset meets bitset, oldest first.  => no lock held; never sleeps.
 *  => how many it woke.
 */
int futex_wake(const struct futex_key *key, int n, uint32_t bitset);

/*
 * futex_requeue - wake up to nwake waiters of k1, move up to nrequeue
 * more to k2 (their references move too); with cmpval, only if the word
 * at uaddr1 holds *cmpval.
 *  => keys held by the caller; no lock held; may sleep (references).
 *  => woken + moved, -EAGAIN (the word differs) or -EFAULT.
 */
int futex_requeue(const struct futex_key *k1, uint64_t uaddr1,
    const struct futex_key *k2, int nwake, int nrequeue, const uint32_t *cmpval);

/*
 * futex_wake_op - FUTEX_WAKE_OP: apply encoded op to the word at uaddr2
 * atomically, wake up to n1 waiters of k1, and up to n2 of k2 if the
 * word's old value passes op's comparison.
 *  => no lock held; may sleep (to fault the word in).
 *  => how many it woke, -EFAULT (uaddr2 not writable), -ENOSYS (an
 *     operation or comparison Linux does not know).
 */
int futex_wake_op(const struct futex_key *k1, const struct futex_key *k2,
    uint64_t uaddr2, int n1, int n2, uint32_t op);

/* futex_queued - how many wait on key now.  => never sleeps. */
int futex_queued(const struct futex_key *key);

#endif
