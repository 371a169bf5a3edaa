/*
 * kern/lib/mutex.h - mutexes for VM structures (maps, amaps, objects).
 *
 * The API is NetBSD's kmutex: mutex_enter, mutex_exit, mutex_owned.  The
 * kernel has one CPU and, until the scheduler arrives, one thread, so a
 * mutex is a flag with assertions: taking a held mutex or releasing a free
 * one is a broken invariant and panics, and mutex_owned() lets every
 * "=> X must be locked" comment be a KASSERT.  With threads, contention
 * will sleep instead; callers do not change.
 *
 * A VM lock that several structures share (an amap and its anons, and the
 * amaps copied from it) is a refcounted lock object holding a kmutex:
 * vm_lockobj_alloc, vm_lockobj_hold, vm_lockobj_release (uvm/uvm_amap.h).
 */
#ifndef KERN_LIB_MUTEX_H
#define KERN_LIB_MUTEX_H

#include "kern/lib/assert.h"
#include "kern/lib/types.h"

struct kmutex {
	volatile int held;
	const char *name;
};

#define KMUTEX_INIT(n) { 0, n }

static inline void
mutex_init(struct kmutex *m, const char *name)
{
	m->held = 0;
	m->name = name;
}

static inline void
mutex_enter(struct kmutex *m)
{
	if (m->held)
		panic("mutex_enter: %s already held", m->name);
	m->held = 1;
}

static inline bool
mutex_tryenter(struct kmutex *m)
{
	if (m->held)
		return false;
	m->held = 1;
	return true;
}

static inline void
mutex_exit(struct kmutex *m)
{
	if (!m->held)
		panic("mutex_exit: %s not held", m->name);
	m->held = 0;
}

static inline bool
mutex_owned(const struct kmutex *m)
{
	return m->held != 0;
}

#endif
