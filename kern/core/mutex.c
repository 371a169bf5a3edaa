/*
 * kern/core/mutex.c - the sleeping mutex (the interface and its rules are in
 * kern/core/mutex.h).
 *
 * The whole mechanism is a loop in mutex_enter and one wakeup in
 * mutex_exit, both under the mutex's spin lock:
 *
 *     mutex_enter:                       mutex_exit:
 *       lock m->lock                       lock m->lock
 *       while m->owner != NULL:            m->owner = NULL
 *           waiters++, sleeps++            if waiters: wakeup_one(m)
 *           sleep_on(m, &m->lock)          unlock m->lock
 *           waiters--
 *       m->owner = curthread
 *       unlock m->lock
 *
 * No wakeup is lost: a thread that saw the mutex owned is on the sleep
 * queue before sleep_on lets m->lock go, and mutex_exit needs m->lock to
 * clear the owner.  No sleeper is forgotten: every exit that finds
 * waiters wakes one, and a woken thread either takes the mutex (and its
 * own exit wakes the next) or finds a new owner, whose exit will.
 *
 * curthread->nmutex counts the mutexes a thread holds, so thread_exit
 * can refuse to end a thread that still holds one, and a thread killed
 * for a stack overflow is known to leave no mutex owned by a corpse.
 *
 * The lock-order checker (kern/core/lockorder.h) sees each mutex as a
 * lock of class m->name: mutex_enter shows it before it may wait (so an
 * order that can deadlock is reported, not slept on), mutex_tryenter
 * only when it succeeded, mutex_exit once the owner is checked.
 */
#include "kern/core/mutex.h"
#include "kern/core/intr.h"
#include "kern/core/lockorder.h"
#include "kern/core/sched.h"
#include "kern/core/thread.h"
#include "kern/lib/assert.h"

void
mutex_init(struct kmutex *m, const char *name)
{
	*m = (struct kmutex)KMUTEX_INIT(name);
}

void
mutex_enter(struct kmutex *m)
{
	struct thread *self = curthread;

	if (intr_context())
		panic("mutex_enter: %s taken in an interrupt handler", m->name);
	LOCKORDER_HOOK(lockorder_acquire(m, m->name, LO_MUTEX,
	    (uintptr_t)__builtin_return_address(0)));
	spin_lock(&m->lock);
	if (m->owner == self)
		panic("mutex_enter: %s already held by thread %s", m->name, self->name);
	while (m->owner != NULL) {
		m->waiters++;
		m->sleeps++;
		sleep_on(m, &m->lock, m->name);
		m->waiters--;
	}
	m->owner = self;
	self->nmutex++;
	spin_unlock(&m->lock);
}

bool
mutex_tryenter(struct kmutex *m)
{
	bool got = false;

	spin_lock(&m->lock);
	if (m->owner == NULL) {
		m->owner = curthread;
		curthread->nmutex++;
		got = true;
	}
	spin_unlock(&m->lock);
	if (got)
		LOCKORDER_HOOK(lockorder_acquired_try(m, m->name, LO_MUTEX,
		    (uintptr_t)__builtin_return_address(0)));
	return got;
}

void
mutex_exit(struct kmutex *m)
{
	struct thread *self = curthread;

	spin_lock(&m->lock);
	if (m->owner != self)
		panic("mutex_exit: %s %s", m->name, m->owner == NULL ?
		    "not held" : "held by another thread");
	LOCKORDER_HOOK(lockorder_release(m, LO_MUTEX));
	m->owner = NULL;
	self->nmutex--;
	if (m->waiters > 0)
		wakeup_one(m);
	spin_unlock(&m->lock);
}

bool
mutex_owned(const struct kmutex *m)
{
	return m->owner == curthread;
}
