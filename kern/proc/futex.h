/*
 * kern/proc/futex.h - fast user-space mutexes: the kernel half of every
 * pthread mutex, condition variable, join and once.  A futex is a 32-bit
 * word in user memory; user space changes it with atomic instructions
 * and enters the kernel only to sleep until the word changes (WAIT) or to
 * wake sleepers (WAKE).  The word's identity (its key) is the address
 * space and virtual address for a private futex, or the memory object and
 * offset behind a shared mapping, so two processes that map one file or
 * shared region meet on the same key at different addresses.
 *
 * The implementation and its teaching comment are in kern/proc/futex.c.
 */
#ifndef KERN_PROC_FUTEX_H
#define KERN_PROC_FUTEX_H

#include "kern/lib/types.h"

struct sysargs;

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3): Linux's call 202. */
int64_t sys_futex(const struct sysargs *a);

/*
 * futex_wake_user - wake up to n threads waiting on the futex word at
 * uaddr in the calling process's address space, with the key a shared
 * wake would use (Linux wakes CLONE_CHILD_CLEARTID's word this way, so it
 * reaches both private and shared waiters of a private mapping).
 *  => called by thread exit after it stores 0 at the clear-tid address.
 *  => no lock held; returns the number woken, or a negative errno
 *     (-EINVAL misaligned, -EFAULT nothing mapped there).  Never sleeps
 *     except to take VM locks (the map lock, for the key).
 */
int futex_wake_user(uint64_t uaddr, int n);

/*
 * futex_robust_exit - the calling thread is exiting: walk its robust
 * list (set_robust_list's head, a user address; 0: none), and for each
 * held lock whose owner field is the thread's tid, set FUTEX_OWNER_DIED
 * and wake one waiter (Linux's exit_robust_list).  tid is the exiting
 * thread's id.
 *  => no lock held; may sleep (the list is read with copyin, and a page
 *     may have to be faulted in).
 *  => a bad or cyclic list stops the walk (at most 2048 entries); never
 *     faults the kernel.  Each word is updated with a compare-and-
 *     exchange under its futex bucket lock, so a process sharing the
 *     lock (a robust mutex in MAP_SHARED memory) never sees half of it.
 */
void futex_robust_exit(uint64_t head, int tid);

/* futex_waiters - threads asleep in FUTEX_WAIT now (for leak checks and tests). */
int futex_waiters(void);

#endif
