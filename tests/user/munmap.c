/*
 * tests/user/munmap.c - munmap makes holes.
 *
 * Unmapping a page in the middle of an entry splits it around a hole: an
 * access there is SIGSEGV with SEGV_MAPERR at the exact address (caught
 * with sigsetjmp/siglongjmp), the neighbours keep their data, and the
 * hole can be mapped again, zero-filled.  Unmapping what is not mapped
 * succeeds (POSIX and Linux); an unaligned address or a zero length is
 * EINVAL; a length is rounded up to whole pages; one call may remove
 * several entries.
 */
#include "utest.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

UTEST(hole_faults_with_maperr_at_the_address)
{
	char *p = ut_map(3, RW);
	char *hole = p + PAGE;
	struct ut_fault f;

	UT_SYS(munmap(hole, PAGE));
	UT_EQ(ut_probe_read(hole + 10, &f), SIGSEGV);
	UT_EQ(f.signo, SIGSEGV);
	UT_EQ(f.code, SEGV_MAPERR);
	UT_EQ(f.addr, hole + 10);
	UT_EQ(ut_probe_write(hole + PAGE - 1, 1, &f), SIGSEGV);
	UT_EQ(f.code, SEGV_MAPERR);
	UT_EQ(f.addr, hole + PAGE - 1);
}

UTEST(neighbours_of_a_hole_keep_their_data)
{
	char *p = ut_map(3, RW);

	memset(p, 'a', PAGE);
	memset(p + PAGE, 'b', PAGE);
	memset(p + 2 * PAGE, 'c', PAGE);
	UT_SYS(munmap(p + PAGE, PAGE));
	UT_EQ(p[PAGE - 1], 'a');
	UT_EQ(p[2 * PAGE], 'c');
	UT_EQ(ut_maps_count(p, p + 3 * PAGE), 2);
}

UTEST(hole_can_be_mapped_again_zero_filled)
{
	char *p = ut_map(3, RW);
	char *q;

	memset(p, 'x', 3 * PAGE);
	UT_SYS(munmap(p + PAGE, PAGE));
	q = mmap(p + PAGE, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	UT_EQ(q, p + PAGE);
	UT_EQ(q[0], 0);
	UT_EQ(q[PAGE - 1], 0);
	UT_EQ(p[0], 'x');
}

UTEST(unmapping_an_unmapped_range_succeeds)
{
	char *p = ut_map(1, RW);

	UT_SYS(munmap(p, PAGE));
	UT_EQ(munmap(p, PAGE), 0);
}

UTEST(unaligned_address_is_einval)
{
	char *p = ut_map(2, RW);

	UT_ERR(munmap(p + 8, PAGE), EINVAL);
	UT_EQ(ut_probe_read(p, NULL), 0);      /* nothing was removed */
}

UTEST(zero_length_is_einval)
{
	char *p = ut_map(1, RW);

	UT_ERR(munmap(p, 0), EINVAL);
}

UTEST(length_is_rounded_up_to_a_whole_page)
{
	char *p = ut_map(2, RW);

	UT_SYS(munmap(p, 1));
	UT_EQ(ut_probe_read(p + PAGE - 1, NULL), SIGSEGV);
	UT_EQ(ut_probe_read(p + PAGE, NULL), 0);
}

UTEST(one_call_removes_several_entries)
{
	char *p = ut_map(4, RW);

	UT_SYS(mprotect(p + PAGE, PAGE, PROT_READ));
	UT_SYS(mprotect(p + 2 * PAGE, PAGE, PROT_NONE));
	UT_EQ(ut_maps_count(p, p + 4 * PAGE), 4);
	UT_SYS(munmap(p, 4 * PAGE));
	UT_EQ(ut_maps_count(p, p + 4 * PAGE), 0);
	for (int i = 0; i < 4; i++)
		UT_EQ(ut_probe_read(p + i * PAGE, NULL), SIGSEGV);
}

UTEST(range_across_a_hole_removes_both_sides)
{
	char *p = ut_map(3, RW);

	UT_SYS(munmap(p + PAGE, PAGE));
	UT_SYS(munmap(p, 3 * PAGE));
	UT_EQ(ut_maps_count(p, p + 3 * PAGE), 0);
}

UTEST(unmapping_inside_a_fork_child_leaves_the_parent_mapped)
{
	char *p = ut_map(1, RW);
	pid_t pid;

	p[0] = 'p';
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		UT_SYS(munmap(p, PAGE));
		_exit(ut_probe_read(p, NULL) == SIGSEGV ? 0 : 1);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(p[0], 'p');
}
