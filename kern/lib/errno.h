/*
 * kern/lib/errno.h - error numbers, with Linux's values (the user ABI is
 * Linux's).  Kernel functions return them negated: -ENOMEM.
 */
#ifndef KERN_ERRNO_H
#define KERN_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define ETXTBSY 26
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#define EDEADLK 35
#define ENAMETOOLONG 36
#define ENOLCK 37
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define ENODATA 61
#define EOVERFLOW 75
#define ENOTSUP 95
#define EOPNOTSUPP 95
#define ETIMEDOUT 110

/*
 * Internal: never reaches user space.  A system call that a signal
 * interrupted before it did anything returns -ERESTARTSYS; on the way out
 * the signal code turns it into a restart of the call (the handler has
 * SA_RESTART, or no handler runs) or into -EINTR (a handler without
 * SA_RESTART), as Linux does (kern/proc/signal.c).
 */
#define ERESTARTSYS 512
/* Internal too: restart only if no handler ran; a handler makes it EINTR
 * whatever its flags (pause, nanosleep: a stop and a continue do not end
 * them, a handler does). */
#define ERESTARTNOHAND 514

#endif
