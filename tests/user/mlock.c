/*
 * tests/user/mlock.c - mlock wires pages in.
 *
 * mlock faults every page of the range in and keeps it resident: mincore
 * reports pages never touched as resident right after the call, and they
 * read zero.  munlock and munlockall keep the data.  mlockall takes
 * MCL_CURRENT and MCL_FUTURE (and MCL_ONFAULT) only: an unknown flag is
 * EINVAL (no flag at all too: garbage.c).  A range with a hole is ENOMEM
 * for mlock and for mincore, whose unaligned address is EINVAL.  On
 * uvmkern vm_query shows the entry wired.  The test runs as root (init),
 * so RLIMIT_MEMLOCK does not get in the way on Linux.
 */
#include "utest.h"
#include "uvmkern.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* How many of the npages at p mincore reports resident. */
static int
resident_pages(void *p, size_t npages)
{
	unsigned char vec[64];
	int n = 0;

	UT_ASSERT(npages <= sizeof(vec));
	UT_SYS(mincore(p, npages * PAGE, vec));
	for (size_t i = 0; i < npages; i++)
		n += vec[i] & 1;
	return n;
}

UTEST(untouched_pages_are_not_resident)
{
	char *p = ut_map(8, RW);

	UT_EQ(resident_pages(p, 8), 0);
	p[3 * PAGE] = 1;
	UT_EQ(resident_pages(p, 8), 1);
}

UTEST(mlock_makes_every_page_resident)
{
	char *p = ut_map(8, RW);

	UT_SYS(mlock(p, 8 * PAGE));
	UT_EQ(resident_pages(p, 8), 8);
	UT_EQ(p[5 * PAGE], 0);
	UT_SYS(munlock(p, 8 * PAGE));
}

UTEST(munlock_keeps_the_data)
{
	char *p = ut_map(2, RW);

	UT_SYS(mlock(p, 2 * PAGE));
	memset(p, 0x6b, 2 * PAGE);
	UT_SYS(munlock(p, 2 * PAGE));
	UT_EQ(p[0], 0x6b);
	UT_EQ(p[2 * PAGE - 1], 0x6b);
}

UTEST(mlock_rounds_an_unaligned_range_out_to_pages)
{
	char *p = ut_map(3, RW);

	UT_SYS(mlock(p + PAGE + 100, 10));
	UT_EQ(resident_pages(p, 3), 1);
	UT_SYS(munlock(p + PAGE + 100, 10));
}

UTEST(mlock_of_a_range_with_a_hole_is_enomem)
{
	char *p = ut_map(3, RW);

	UT_SYS(munmap(p + PAGE, PAGE));
	UT_ERR(mlock(p, 3 * PAGE), ENOMEM);
	UT_ERR(mlock(p + PAGE, PAGE), ENOMEM);
}

UTEST(mlock_survives_fork_in_the_parent)
{
	char *p = ut_map(1, RW);
	pid_t pid;

	UT_SYS(mlock(p, PAGE));
	p[0] = 'w';
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		p[0] = 'c';         /* mlock is not inherited; COW still holds */
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(p[0], 'w');
	p[0] = 'x';
	UT_EQ(p[0], 'x');
}

UTEST(mlockall_current_then_munlockall)
{
	char *p = ut_map(4, RW);

	UT_SYS(mlockall(MCL_CURRENT));
	UT_EQ(resident_pages(p, 4), 4);
	UT_SYS(munlockall());
	UT_EQ(p[0], 0);
}

UTEST(mlockall_bad_flags_are_einval)
{
	UT_ERR(mlockall(0x80), EINVAL);
	UT_ERR(mlockall(MCL_CURRENT | 0x80), EINVAL);
}

UTEST(mincore_errors)
{
	char *p = ut_map(2, RW);
	unsigned char vec[2];

	UT_ERR(mincore(p + 1, PAGE, vec), EINVAL);
	UT_SYS(munmap(p + PAGE, PAGE));
	UT_ERR(mincore(p, 2 * PAGE, vec), ENOMEM);
	UT_ERR(mincore(p, PAGE, (unsigned char *)8), EFAULT);
}

UTEST(query_shows_the_entry_wired)
{
	char *p = ut_map(2, RW);
	struct vm_query q;

	ut_query(p, &q);
	UT_ASSERT(!(q.flags & VMQ_WIRED));
	UT_SYS(mlock(p, PAGE));
	UT_SYS(vm_query(p, &q));
	UT_ASSERT(q.flags & VMQ_WIRED);
	UT_NE(q.pa, 0);
	UT_EQ(q.end, (uintptr_t)(p + PAGE));   /* mlock clipped the entry */
	UT_SYS(munlock(p, PAGE));
	UT_SYS(vm_query(p, &q));
	UT_ASSERT(!(q.flags & VMQ_WIRED));
}
