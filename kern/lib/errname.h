/*
 * kern/lib/errname.h - a kernel error in words, for messages a person
 * reads on the console.  Kernel functions return -errno (kern/lib/errno.h);
 * a message prints it as the meaning, the name and the number:
 *
 *   kprintf("init: cannot run %s: " ERRNO_FMT "\n", path, ERRNO_ARGS(error));
 *   ->  init: cannot run /x.c: permission denied (EACCES, error -13)
 *
 * The table is user/include/uvmkern_errno.h, shared with the programs.
 */
#ifndef KERN_LIB_ERRNAME_H
#define KERN_LIB_ERRNAME_H

/* errno_name - "ENOEXEC" for -ENOEXEC (or ENOEXEC); "E?" if unknown. */
const char *errno_name(int error);

/* errno_text - "exec format error" for -ENOEXEC; "unknown error" if unknown. */
const char *errno_text(int error);

#define ERRNO_FMT "%s (%s, error %d)"
#define ERRNO_ARGS(error) errno_text(error), errno_name(error), (int)(error)

#endif
