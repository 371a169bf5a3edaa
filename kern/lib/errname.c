/*
 * kern/lib/errname.c - error numbers in words for the console.
 *
 * A student who boots init=/mnt/hello.c should read
 *
 *   init: cannot run /mnt/hello.c: permission denied (EACCES, error -13)
 *
 * and not "error -13": the meaning first (what went wrong), the name
 * (what to grep for in the code: return -EACCES), the number (what a
 * system call returned).  The words are Linux's strerror wording, in
 * lower case; one table, user/include/uvmkern_errno.h, serves the kernel
 * and the programs (user/sh.c, user/init.c), so both say the same.
 *
 * Invariants: both functions take a number with either sign, never fail
 * and return a string that lives for ever.  No locks: a switch on
 * constants, safe anywhere (at a panic too).
 */
#include "kern/lib/errno.h"
#include "kern/lib/errname.h"
#include "kern/lib/types.h"
#include "user/include/uvmkern_errno.h"

const char *
errno_name(int error)
{
	const char *name = uvmkern_errno_name(error);

	return name != NULL ? name : "E?";
}

const char *
errno_text(int error)
{
	const char *text = uvmkern_errno_text(error);

	return text != NULL ? text : "unknown error";
}
