/*
 * tests/user/errors.c - EFAULT, EINVAL and ENOMEM, with Linux's choice of
 * errno.
 *
 * Every user pointer the kernel touches must be checked: read into, or
 * write from, a bad buffer (ut_make_bad's: NULL, unmapped, kernel or
 * non-canonical, the wrong protection) fails with EFAULT and changes
 * nothing (the file position stays, the pipe keeps its data).  The VM
 * calls must reject bad arguments the way Linux does: an unaligned
 * MAP_FIXED address or offset: EINVAL; unknown flags on a file under
 * MAP_SHARED_VALIDATE: EOPNOTSUPP; a length that cannot fit: ENOMEM;
 * mprotect of an unmapped range: ENOMEM.  garbage.c's table has the
 * plainer cases (mmap of length 0 or with neither MAP_SHARED nor
 * MAP_PRIVATE, kernel addresses): they are not repeated here.
 *
 * What is deliberately not asserted, because Linux accepts it: unknown
 * mmap flag bits under plain MAP_PRIVATE or MAP_SHARED, and unknown bits
 * in mmap's prot (mprotect does reject those, see mprotect.c).
 *
 * The VM calls go through syscall() here, because musl's wrappers check
 * (and round) some arguments themselves: musl's mmap rejects a huge
 * length and an unaligned offset before the kernel sees them, and its
 * mprotect rounds the address down.
 */
#include "utest.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KERNEL_ADDR ((void *)0xffff800000000000UL)

static long
sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	return syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

UTEST(read_into_a_bad_buffer_is_efault)
{
	int fd = (int)UT_SYS(open(ut_datafile("rows.txt"), O_RDONLY));
	struct ut_bad b;

	ut_make_bad(&b);
	for (int i = 0; i < b.nout; i++) {
		UT_ERR(read(fd, (void *)b.out[i], 10), EFAULT);
		UT_EQ(lseek(fd, 0, SEEK_CUR), 0);
	}
}

UTEST(read_from_a_pipe_into_a_bad_buffer_is_efault)
{
	int p[2];
	struct ut_bad b;
	char c;

	UT_SYS(pipe(p));
	UT_EQ(write(p[1], "x", 1), 1);
	ut_make_bad(&b);
	for (int i = 0; i < b.nout; i++)
		UT_ERR(read(p[0], (void *)b.out[i], 1), EFAULT);
	UT_EQ(read(p[0], &c, 1), 1);        /* the byte is still there */
	UT_EQ(c, 'x');
}

UTEST(write_from_a_bad_buffer_is_efault)
{
	int p[2];
	struct ut_bad b;
	char c = 0;

	UT_SYS(pipe(p));
	ut_make_bad(&b);
	for (int i = 0; i < b.nin; i++)
		UT_ERR(write(p[1], (void *)b.in[i], 10), EFAULT);
	UT_EQ(write(p[1], "y", 1), 1);
	UT_EQ(read(p[0], &c, 1), 1);        /* nothing else got in */
	UT_EQ(c, 'y');
}

UTEST(write_to_stdout_from_a_bad_buffer_is_efault)
{
	UT_ERR(write(1, NULL, 10), EFAULT);
	UT_ERR(write(1, KERNEL_ADDR, 10), EFAULT);
}

UTEST(huge_length_with_a_bad_buffer_is_efault)
{
	int fd = (int)UT_SYS(open(ut_datafile("rows.txt"), O_RDONLY));

	UT_ERR(read(fd, (void *)PAGE, ~0UL >> 1), EFAULT);
	UT_ERR(read(fd, KERNEL_ADDR, 1UL << 40), EFAULT);
}

UTEST(mmap_unaligned_fixed_address_is_einval)
{
	char *p = ut_map(1, RW);

	UT_ERR(sys_mmap(p + 8, PAGE, RW, ANON | MAP_FIXED, -1, 0), EINVAL);
	UT_ERR(sys_mmap(p + 8, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0),
	       EINVAL);
}

UTEST(mmap_unaligned_offset_is_einval)
{
	int fd = (int)UT_SYS(open(ut_datafile("rows.txt"), O_RDONLY));

	UT_ERR(sys_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 1), EINVAL);
	UT_ERR(sys_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE + 8), EINVAL);
}

UTEST(mmap_unknown_flags_under_shared_validate_are_eopnotsupp)
{
	int fd = (int)UT_SYS(open(ut_datafile("rows.txt"), O_RDONLY));

	UT_ERR(sys_mmap(NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | 0x800000,
			fd, 0), EOPNOTSUPP);
}

UTEST(mmap_length_that_cannot_fit_is_enomem)
{
	UT_ERR(sys_mmap(NULL, 1UL << 47, RW, ANON, -1, 0), ENOMEM);
	UT_ERR(sys_mmap(NULL, 1UL << 62, RW, ANON, -1, 0), ENOMEM);
	UT_ERR(sys_mmap(NULL, -PAGE, RW, ANON, -1, 0), ENOMEM);
}

UTEST(mmap_fixed_past_user_space_is_enomem)
{
	UT_ERR(sys_mmap((void *)0x7ffffffff000UL, 2 * PAGE, RW,
			ANON | MAP_FIXED, -1, 0), ENOMEM);
}

UTEST(mprotect_of_an_unmapped_range_is_enomem)
{
	char *p = ut_map(1, RW);

	UT_SYS(munmap(p, PAGE));
	UT_ERR(syscall(SYS_mprotect, p, PAGE, PROT_READ), ENOMEM);
}

UTEST(mprotect_wrapping_length_is_enomem)
{
	char *p = ut_map(1, RW);

	UT_ERR(syscall(SYS_mprotect, p, -PAGE, PROT_READ), ENOMEM);
}

UTEST(mprotect_unaligned_address_is_einval)
{
	char *p = ut_map(1, RW);

	UT_ERR(syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
}

UTEST(munmap_errors_are_einval)
{
	char *p = ut_map(1, RW);

	UT_ERR(munmap(p + 1, PAGE), EINVAL);
	UT_ERR(munmap(p, 0), EINVAL);
	UT_ERR(munmap(p, 1UL << 62), EINVAL);
}

UTEST(mlock_of_an_impossible_range_is_enomem)
{
	char *p = ut_map(1, RW);

	UT_ERR(mlock(p, 1UL << 46), ENOMEM);
}

UTEST(msync_bad_flags_are_einval)
{
	char *p = ut_map(1, RW);

	UT_ERR(msync(p, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
	UT_ERR(msync(p, PAGE, 0x100), EINVAL);
	UT_ERR(msync(p + 1, PAGE, MS_SYNC), EINVAL);
	UT_EQ(msync(p, PAGE, MS_SYNC), 0);
}

UTEST(msync_of_an_unmapped_range_is_enomem)
{
	char *p = ut_map(1, RW);

	UT_SYS(munmap(p, PAGE));
	UT_ERR(msync(p, PAGE, MS_SYNC), ENOMEM);
}

UTEST(caller_survives_every_error)
{
	char *p = ut_map(1, RW);
	int fd = (int)UT_SYS(open(ut_datafile("rows.txt"), O_RDONLY));
	char c;

	memset(p, 0x42, PAGE);
	(void)read(fd, NULL, 1);
	(void)sys_mmap(NULL, 0, RW, ANON, -1, 0);
	(void)munmap(p + 1, PAGE);
	UT_EQ(p[PAGE - 1], 0x42);
	UT_EQ(ut_probe_write(p, 1, NULL), 0);   /* still mapped, still writable */
	UT_EQ(read(fd, &c, 1), 1);              /* the descriptor still reads, */
	UT_EQ(lseek(fd, 0, SEEK_CUR), 1);       /* from where it was */
}
