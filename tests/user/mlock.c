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

/* Linux refuses to throw away locked pages: EINVAL, and nothing lost. */
UTEST(dontneed_on_a_locked_range_is_einval_and_keeps_the_data)
{
	char *p = ut_map(2, RW);

	UT_SYS(mlock(p, 2 * PAGE));
	memset(p, 0x3c, 2 * PAGE);
	UT_ERR(madvise(p, 2 * PAGE, MADV_DONTNEED), EINVAL);
	UT_ERR(madvise(p + PAGE, PAGE, MADV_DONTNEED), EINVAL);
	UT_EQ(p[0], 0x3c);
	UT_EQ(p[2 * PAGE - 1], 0x3c);
	UT_SYS(munlock(p, 2 * PAGE));
	UT_SYS(madvise(p, 2 * PAGE, MADV_DONTNEED));
	UT_EQ(p[PAGE], 0);
}

/* Lock 4 pages (how: 0 mlock, 1 mlockall, 2 MAP_LOCKED), write them, and
 * take every right away from the second one. */
static char *
locked_with_a_protnone_page(int how)
{
	char *p;

	if (how == 2) {
		p = mmap(NULL, 4 * PAGE, RW, ANON | MAP_LOCKED, -1, 0);
		UT_ASSERT(p != MAP_FAILED);
	} else {
		p = ut_map(4, RW);
		if (how == 0)
			UT_SYS(mlock(p, 4 * PAGE));
		else
			UT_SYS(mlockall(MCL_CURRENT));
	}
	memset(p, 0x6e, 4 * PAGE);
	UT_SYS(mprotect(p + PAGE, PAGE, PROT_NONE));
	return p;
}

/* The wired page behind a PROT_NONE page is still found and unwired when
 * the range goes: by munmap in this process, by exit in a child. */
static void
locked_protnone_goes_cleanly(int how)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		locked_with_a_protnone_page(how);
		_exit(0);               /* exit unmaps the wired range */
	}
	UT_CHILD_EXITS(pid, 0);
	char *p = locked_with_a_protnone_page(how);
	UT_EQ(p[0], 0x6e);
	UT_SYS(munmap(p, 4 * PAGE));
	if (how == 1)
		UT_SYS(munlockall());
}

UTEST(mlock_then_protnone_then_munmap_or_exit)
{
	locked_protnone_goes_cleanly(0);
}

UTEST(mlockall_then_protnone_then_munmap_or_exit)
{
	locked_protnone_goes_cleanly(1);
}

UTEST(map_locked_then_protnone_then_munmap_or_exit)
{
	locked_protnone_goes_cleanly(2);
}

/* Access comes back with the data: the page was kept, wired, meanwhile. */
UTEST(protnone_on_a_locked_page_and_back_keeps_the_data)
{
	char *p = locked_with_a_protnone_page(0);

	UT_SYS(mprotect(p + PAGE, PAGE, RW));
	UT_EQ(p[PAGE], 0x6e);
	p[PAGE] = 1;
	UT_SYS(munlock(p, 4 * PAGE));
	UT_EQ(p[PAGE], 1);
	UT_EQ(p[3 * PAGE], 0x6e);
}

/* A read-only locked page shared with a fork, then made writable and
 * written: the copy takes over the wiring (the old page is the child's). */
UTEST(write_to_a_locked_page_shared_with_a_fork_copies_it)
{
	char *p = ut_map(2, RW);
	int go[2];
	char c;

	p[0] = p[PAGE] = 'o';
	UT_SYS(mprotect(p, 2 * PAGE, PROT_READ));
	UT_SYS(pipe(go));
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		close(go[1]);
		UT_EQ(read(go[0], &c, 1), 0);
		UT_EQ(p[0], 'o');
		UT_EQ(p[PAGE], 'o');
		_exit(0);
	}
	close(go[0]);
	UT_SYS(mlock(p, 2 * PAGE));
	UT_SYS(mprotect(p, 2 * PAGE, RW));
	p[0] = 'w';
	p[PAGE] = 'v';
	close(go[1]);
	UT_CHILD_EXITS(pid, 0);
	UT_SYS(munlock(p, 2 * PAGE));
	UT_EQ(p[0], 'w');
	UT_EQ(p[PAGE], 'v');
}
