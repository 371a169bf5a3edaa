/*
 * kern/arch/uaccess.h - moving data between the kernel and user space.
 *
 * Every pointer a system call receives from a program is a user address:
 * it may be unmapped, point into the kernel half, or run off the end of
 * user space.  These functions check the range and touch the memory with
 * a recovery point armed, so a bad pointer becomes -EFAULT, never a
 * kernel fault.  Pages that are merely not resident yet are brought in
 * by the ordinary fault path (trap -> uvm_fault) on the way.
 */
#ifndef KERN_UACCESS_H
#define KERN_UACCESS_H

#include "kern/lib/types.h"

/* uaccess_ok - does [uaddr, uaddr+len) lie inside user space? */
bool uaccess_ok(uint64_t uaddr, size_t len);

/*
 * copyin / copyout - copy len bytes from / to user address uaddr.
 *  => the current thread's vmspace is the user space meant.
 *  => returns 0 or -EFAULT (bad range, unmapped, or not permitted).
 */
int copyin(uint64_t uaddr, void *kbuf, size_t len);
int copyout(const void *kbuf, uint64_t uaddr, size_t len);

/*
 * copyout_nofault - copyout that never faults a page in: it succeeds only
 * if every page of the range is mapped writable right now, and otherwise
 * returns -EFAULT at the first fault, some bytes perhaps copied.  For a
 * caller that holds a busy page or a lock the fault path could need
 * (read(2) copying straight from a file's page); it then falls back to
 * a bounce buffer and copyout with nothing held.
 *  => never sleeps; returns 0 or -EFAULT.
 */
int copyout_nofault(const void *kbuf, uint64_t uaddr, size_t len);

/*
 * copyinstr - copy a NUL-terminated string of at most max bytes
 * (NUL included) into kbuf.
 *  => returns its length without the NUL, -EFAULT, or -ENAMETOOLONG
 *     when no NUL came within max bytes.
 */
int copyinstr(uint64_t uaddr, char *kbuf, size_t max);

#endif
