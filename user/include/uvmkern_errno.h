/*
 * user/include/uvmkern_errno.h - error numbers in words: the name and
 * the meaning of each errno value the kernel returns, written once and
 * used on both sides, so that no message says "error -8":
 *
 *   the kernel   kern/lib/errname.c: errno_name(-ENOEXEC) is "ENOEXEC",
 *                errno_text(-ENOEXEC) "exec format error" (init=, mounts)
 *   programs     uvmkern_errno_name(ENOEXEC) is "ENOEXEC" (user/sh.c and
 *                user/init.c print it after strerror's words)
 *   both         uvmkern_exec_hint(ENOEXEC, 1): what to try when a
 *                program would not start
 *
 * Freestanding: the includer defines the E* constants first (the
 * kernel's kern/lib/errno.h, or libc's <errno.h>: both are Linux's
 * numbers).  Only numbers the kernel defines are listed; EOPNOTSUPP is
 * ENOTSUP's number and EWOULDBLOCK EAGAIN's, so they are not listed twice.
 */
#ifndef UVMKERN_ERRNO_H
#define UVMKERN_ERRNO_H

/* X(number, meaning), in the order of the numbers. */
#define UVMKERN_ERRNO_LIST(X)                                              \
	X(EPERM, "operation not permitted")                                \
	X(ENOENT, "no such file or directory")                             \
	X(ESRCH, "no such process")                                        \
	X(EINTR, "interrupted system call")                                \
	X(EIO, "input/output error")                                       \
	X(ENXIO, "no such device or address")                              \
	X(E2BIG, "argument list too long")                                 \
	X(ENOEXEC, "exec format error")                                    \
	X(EBADF, "bad file descriptor")                                    \
	X(ECHILD, "no child processes")                                    \
	X(EAGAIN, "resource temporarily unavailable")                      \
	X(ENOMEM, "out of memory")                                         \
	X(EACCES, "permission denied")                                     \
	X(EFAULT, "bad address")                                           \
	X(EBUSY, "device or resource busy")                                \
	X(EEXIST, "file exists")                                           \
	X(EXDEV, "cross-device link")                                      \
	X(ENODEV, "no such device")                                        \
	X(ENOTDIR, "not a directory")                                      \
	X(EISDIR, "is a directory")                                        \
	X(EINVAL, "invalid argument")                                      \
	X(ENFILE, "too many open files in system")                         \
	X(EMFILE, "too many open files")                                   \
	X(ENOTTY, "inappropriate ioctl for device")                        \
	X(ETXTBSY, "text file busy")                                       \
	X(EFBIG, "file too large")                                         \
	X(ENOSPC, "no space left on device")                               \
	X(ESPIPE, "illegal seek")                                          \
	X(EROFS, "read-only file system")                                  \
	X(EMLINK, "too many links")                                        \
	X(EPIPE, "broken pipe")                                            \
	X(EDOM, "numerical argument out of domain")                        \
	X(ERANGE, "numerical result out of range")                         \
	X(EDEADLK, "resource deadlock avoided")                            \
	X(ENAMETOOLONG, "file name too long")                              \
	X(ENOLCK, "no locks available")                                    \
	X(ENOSYS, "function not implemented")                              \
	X(ENOTEMPTY, "directory not empty")                                \
	X(ELOOP, "too many levels of symbolic links")                      \
	X(ENODATA, "no data available")                                    \
	X(EOVERFLOW, "value too large for defined data type")              \
	X(ENOTSUP, "operation not supported")                              \
	X(ETIMEDOUT, "connection timed out")

/* "ENOEXEC" for ENOEXEC (or -ENOEXEC); NULL for a number not listed. */
static inline const char *
uvmkern_errno_name(int e)
{
	switch (e < 0 ? -e : e) {
#define UVMKERN_ERRNO_NAME(n, text) case n: return #n;
	UVMKERN_ERRNO_LIST(UVMKERN_ERRNO_NAME)
#undef UVMKERN_ERRNO_NAME
	}
	return (const char *)0;
}

/* "exec format error" for ENOEXEC (or -ENOEXEC); NULL if not listed. */
static inline const char *
uvmkern_errno_text(int e)
{
	switch (e < 0 ? -e : e) {
#define UVMKERN_ERRNO_TEXT(n, text) case n: return text;
	UVMKERN_ERRNO_LIST(UVMKERN_ERRNO_TEXT)
#undef UVMKERN_ERRNO_TEXT
	}
	return (const char *)0;
}

/*
 * What to try when exec (execve, or the kernel's init=) failed with e,
 * for the three errors a person meets; exists: the program's file is
 * there (then ENOENT is about its interpreter).  NULL for other errors.
 */
static inline const char *
uvmkern_exec_hint(int e, int exists)
{
	switch (e < 0 ? -e : e) {
	case ENOENT:
		return exists ? "the file is there, but not the interpreter it names "
		    "(PT_INTERP: a dynamic program's ld.so)" :
		    "no such file: give the full path (/bin/hello in the initrd, "
		    "/usr/local/bin/hello on the ext2 disk)";
	case EACCES:
		return "not a regular file with an x bit (chmod +x; a source "
		    "file must be compiled first)";
	case ENOEXEC:
		return "not an x86-64 ELF program (no #! scripts here; compile a "
		    ".c file with musl-gcc -static)";
	}
	return (const char *)0;
}

#endif
