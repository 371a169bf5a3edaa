/*
 * tests/kern/lib/errname_test.c - kern/lib/errname.c: an error number in
 * words, as the console messages print it (init=, mounts).
 */
#include "kern/core/ktest.h"
#include "kern/lib/errname.h"
#include "kern/lib/errno.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"

KTEST(errname, names_and_meanings_of_either_sign)
{
	KT_STREQ(errno_name(-ENOEXEC), "ENOEXEC");
	KT_STREQ(errno_name(ENOEXEC), "ENOEXEC");
	KT_STREQ(errno_text(-ENOEXEC), "exec format error");
	KT_STREQ(errno_name(-EACCES), "EACCES");
	KT_STREQ(errno_text(-EACCES), "permission denied");
	KT_STREQ(errno_name(-EOPNOTSUPP), "ENOTSUP");     /* one number, one name */
}

KTEST(errname, every_kernel_errno_has_words)
{
	static const int all[] = {
		EPERM, ENOENT, ESRCH, EINTR, EIO, ENXIO, E2BIG, ENOEXEC, EBADF,
		ECHILD, EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY, EEXIST, EXDEV,
		ENODEV, ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE, ENOTTY, ETXTBSY,
		EFBIG, ENOSPC, ESPIPE, EROFS, EMLINK, EPIPE, EDOM, ERANGE, EDEADLK,
		ENAMETOOLONG, ENOLCK, ENOSYS, ENOTEMPTY, ELOOP, ENODATA,
		EOVERFLOW, ENOTSUP, ETIMEDOUT,
	};

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		KT_ASSERT(strcmp(errno_name(-all[i]), "E?") != 0);
		KT_ASSERT(strcmp(errno_text(-all[i]), "unknown error") != 0);
		KT_ASSERT(errno_name(-all[i])[0] == 'E');
	}
}

KTEST(errname, unknown_numbers_still_print)
{
	char buf[80];

	KT_STREQ(errno_name(-4095), "E?");
	KT_STREQ(errno_text(0), "unknown error");
	ksnprintf(buf, sizeof(buf), "x: " ERRNO_FMT, ERRNO_ARGS(-ENOEXEC));
	KT_STREQ(buf, "x: exec format error (ENOEXEC, error -8)");
}
