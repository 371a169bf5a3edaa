/*
 * kern/thread.h - the running thread, as far as the kernel needs it yet.
 *
 * Until the scheduler arrives there is one thread, thread0, running kmain
 * on the boot stack.  It already carries the per-thread state that traps
 * consult: onfault, the recovery point for an expected fault (see
 * kern/panic.h), so copyin/copyout and tests can catch their own faults
 * without affecting any other thread; and vmspace, the user address space
 * whose faults trap() hands to uvm_fault (tests set it while they touch
 * a test space's user addresses).
 */
#ifndef KERN_THREAD_H
#define KERN_THREAD_H

#include "kern/lib/types.h"

struct trap_expect;
struct vmspace;

struct thread {
	const char *name;
	struct trap_expect *onfault;    /* armed recovery point, or NULL */
	struct vmspace *vmspace;        /* user address space, or NULL */
};

extern struct thread thread0;
extern struct thread *curthread;

#endif
