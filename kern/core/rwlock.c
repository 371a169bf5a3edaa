/*
 * kern/core/rwlock.c - reader/writer locks (see rwlock.h for the picture).
 *
 * A writer that waits holds new readers back (writers_waiting), so a
 * fault storm cannot keep munmap out for ever; a reader that finds a
 * writer waiting sleeps even though the lock is only read-held now.
 * Lock order: l->lock is a leaf (with sched_lock inside, through
 * sleep_on and wakeup).
 */
#include "kern/core/rwlock.h"
#include "kern/core/intr.h"
#include "kern/core/lockorder.h"
#include "kern/core/sched.h"
#include "kern/core/thread.h"
#include "kern/lib/assert.h"

void
rw_init(struct krwlock *l, const char *name)
{
	*l = (struct krwlock)KRWLOCK_INIT(name);
}

/* May op be granted now?  => l->lock held. */
static bool
rw_can(const struct krwlock *l, enum rw_op op)
{
	if (op == RW_WRITER)
		return l->writer == NULL && l->readers == 0;
	return l->writer == NULL && l->writers_waiting == 0;
}

/* Record the grant.  => l->lock held, rw_can(l, op). */
static void
rw_grant(struct krwlock *l, enum rw_op op)
{
	if (op == RW_WRITER)
		l->writer = curthread;
	else
		l->readers++;
	curthread->nmutex++;
}

void
rw_enter(struct krwlock *l, enum rw_op op)
{
	if (intr_context())
		panic("rw_enter: %s taken in an interrupt handler", l->name);
	LOCKORDER_HOOK(lockorder_acquire(l, l->name, LO_MUTEX,
	    (uintptr_t)__builtin_return_address(0)));
	spin_lock(&l->lock);
	if (l->writer == curthread)
		panic("rw_enter: %s already held by thread %s as writer", l->name,
		    curthread->name);
	while (!rw_can(l, op)) {
		l->writers_waiting += op == RW_WRITER;
		l->sleeps++;
		sleep_on(l, &l->lock, l->name);
		l->writers_waiting -= op == RW_WRITER;
	}
	rw_grant(l, op);
	spin_unlock(&l->lock);
}

bool
rw_tryenter(struct krwlock *l, enum rw_op op)
{
	bool got;

	spin_lock(&l->lock);
	got = rw_can(l, op);
	if (got)
		rw_grant(l, op);
	spin_unlock(&l->lock);
	if (got)
		LOCKORDER_HOOK(lockorder_acquired_try(l, l->name, LO_MUTEX,
		    (uintptr_t)__builtin_return_address(0)));
	return got;
}

void
rw_exit(struct krwlock *l)
{
	bool wake;

	spin_lock(&l->lock);
	if (l->writer == curthread)
		l->writer = NULL;
	else if (l->readers > 0 && l->writer == NULL)
		l->readers--;
	else
		panic("rw_exit: %s not held by thread %s", l->name, curthread->name);
	LOCKORDER_HOOK(lockorder_release(l, LO_MUTEX));
	curthread->nmutex--;
	wake = l->writer == NULL && l->readers == 0;
	if (wake)
		wakeup(l);
	spin_unlock(&l->lock);
}

bool
rw_write_held(const struct krwlock *l)
{
	return l->writer == curthread;
}

bool
rw_lock_held(const struct krwlock *l)
{
	return l->writer == curthread || (l->writer == NULL && l->readers > 0);
}
