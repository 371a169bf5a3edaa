/*
 * tests/user/mremap.c - mremap grows in place, moves, shrinks.
 *
 * With free space after it, a mapping grows in place: same address, old
 * data kept, new pages zero.  Only a range that ends where its mapping
 * ends can: growing a prefix finds the mapping's own pages in the way.
 * Blocked, it fails with ENOMEM unless MREMAP_MAYMOVE lets it move: then
 * the data appears at the new address and the old range is gone.
 * MREMAP_FIXED moves to an address of the caller's choosing, replacing
 * what was there.  Shrinking unmaps the tail.  Errors are Linux's: EINVAL
 * for an unaligned address, a zero new size, unknown flags, MREMAP_FIXED
 * without MREMAP_MAYMOVE or with a destination that runs past the end of
 * user space (found before anything there is unmapped); EFAULT for an
 * old range that is not mapped.  MREMAP_DONTUNMAP moves the pages and
 * leaves the old range mapped but empty (zero on the next touch); it
 * needs MREMAP_MAYMOVE and equal sizes (EINVAL otherwise).
 */
#define _GNU_SOURCE
#include "utest.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

/* npages of RW with pattern page i = 'a' + i, and room to grow to room pages. */
static char *
map_with_room(size_t npages, size_t room)
{
	char *p = ut_map(room, RW);

	if (room > npages)
		UT_SYS(munmap(p + npages * PAGE, (room - npages) * PAGE));
	for (size_t i = 0; i < npages; i++)
		memset(p + i * PAGE, 'a' + (int)i, PAGE);
	return p;
}

static void
check_pattern(const char *p, size_t npages)
{
	for (size_t i = 0; i < npages; i++) {
		UT_EQ(p[i * PAGE], 'a' + (int)i);
		UT_EQ(p[i * PAGE + PAGE - 1], 'a' + (int)i);
	}
}

UTEST(grows_in_place_keeping_address_and_data)
{
	char *p = map_with_room(2, 4);
	char *q = mremap(p, 2 * PAGE, 4 * PAGE, 0);

	UT_EQ(q, p);
	check_pattern(q, 2);
	UT_EQ(q[2 * PAGE], 0);
	UT_EQ(q[4 * PAGE - 1], 0);
	UT_EQ(ut_maps_count(p, p + 4 * PAGE), 1);
}

UTEST(blocked_growth_without_maymove_is_enomem)
{
	char *p = ut_map(3, RW);

	UT_SYS(mprotect(p + 2 * PAGE, PAGE, PROT_READ));   /* the blocker */
	UT_ERR(mremap(p, 2 * PAGE, 3 * PAGE, 0), ENOMEM);
	UT_EQ(ut_probe_write(p + PAGE, 1, NULL), 0);
}

UTEST(blocked_growth_with_maymove_moves_the_data)
{
	char *p = map_with_room(2, 3);
	char *q;

	UT_SYS(mmap(p + 2 * PAGE, PAGE, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	q = mremap(p, 2 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
	UT_ASSERT(q != MAP_FAILED);
	UT_NE(q, p);
	check_pattern(q, 2);
	UT_EQ(q[8 * PAGE - 1], 0);
	UT_EQ(ut_probe_read(p, NULL), SIGSEGV);        /* the old range is gone */
	UT_EQ(ut_probe_read(p + PAGE, NULL), SIGSEGV);
	UT_EQ(ut_probe_read(p + 2 * PAGE, NULL), 0);   /* the blocker stays */
}

/*
 * Growing the first 4 pages of an 8-page mapping: the pages after them
 * are the mapping's own, so it cannot grow in place - even with free
 * space after the whole mapping - and nothing changes (ENOMEM).  With
 * MREMAP_MAYMOVE the 4 pages move; the other 4 stay where they were.
 */
UTEST(growing_a_prefix_of_a_mapping_cannot_grow_in_place)
{
	char *p = map_with_room(8, 10);
	char *q;

	UT_ERR(mremap(p, 4 * PAGE, 6 * PAGE, 0), ENOMEM);
	check_pattern(p, 8);
	UT_EQ(ut_probe_read(p + 8 * PAGE, NULL), SIGSEGV);  /* still free */
	UT_EQ(ut_maps_count(p, p + 10 * PAGE), 1);

	q = mremap(p, 4 * PAGE, 6 * PAGE, MREMAP_MAYMOVE);
	UT_ASSERT(q != MAP_FAILED);
	UT_NE(q, p);
	check_pattern(q, 4);
	UT_EQ(q[4 * PAGE], 0);
	UT_EQ(q[6 * PAGE - 1], 0);
	UT_EQ(ut_probe_read(p, NULL), SIGSEGV);        /* the prefix is gone */
	UT_EQ(ut_probe_read(p + 3 * PAGE, NULL), SIGSEGV);
	for (size_t i = 4; i < 8; i++)                 /* the rest stays */
		UT_EQ(p[i * PAGE], 'a' + (int)i);
	UT_EQ(ut_probe_read(p + 8 * PAGE, NULL), SIGSEGV);
}

/*
 * Private memory still shared with a fork (copy-on-write) grows in place
 * like any other; neither side sees the other's writes.
 */
UTEST(grows_in_place_while_shared_with_a_fork)
{
	char *p = map_with_room(2, 4);
	int go[2];
	pid_t pid;

	UT_SYS(pipe(go));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		char c;

		close(go[1]);
		UT_EQ(read(go[0], &c, 1), 0);           /* the parent has grown */
		check_pattern(p, 2);
		p[0] = 'C';
		_exit(0);
	}
	close(go[0]);
	UT_EQ(mremap(p, 2 * PAGE, 4 * PAGE, 0), p);
	check_pattern(p, 2);
	UT_EQ(p[3 * PAGE], 0);
	p[PAGE] = 'P';
	close(go[1]);
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(p[0], 'a');
	UT_EQ(p[PAGE], 'P');
}

UTEST(shrinking_unmaps_the_tail)
{
	char *p = map_with_room(4, 4);
	char *q = mremap(p, 4 * PAGE, PAGE, 0);
	struct ut_fault f;

	UT_EQ(q, p);
	check_pattern(q, 1);
	UT_EQ(ut_probe_read(p + PAGE, &f), SIGSEGV);
	UT_EQ(f.code, SEGV_MAPERR);
	UT_EQ(ut_maps_count(p, p + 4 * PAGE), 1);
}

UTEST(fixed_moves_to_the_chosen_address)
{
	char *p = map_with_room(2, 2);
	char *target = ut_map(3, RW);
	char *q;

	memset(target, 'z', 3 * PAGE);
	q = mremap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	UT_EQ(q, target);
	check_pattern(q, 2);
	UT_EQ(target[2 * PAGE], 'z');            /* past the new size: untouched */
	UT_EQ(ut_probe_read(p, NULL), SIGSEGV);
}

UTEST(fixed_without_maymove_is_einval)
{
	char *p = map_with_room(1, 1);
	char *target = ut_map(1, RW);

	UT_ERR(mremap(p, PAGE, PAGE, MREMAP_FIXED, target), EINVAL);
}

/*
 * The destination starts at this test's stack page and ends one page past
 * the top of user space: EINVAL, and the stack - which an unmap of the
 * destination would take - is still there.
 */
UTEST(fixed_destination_past_user_space_is_einval)
{
	char *p = map_with_room(1, 1);
	volatile char here = 's';
	unsigned long want = (unsigned long)&here & ~(PAGE - 1);
	unsigned long top = 0x800000000000UL;      /* 2^47: end of user space */

	UT_ERR(mremap(p, PAGE, top - want + PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		      (void *)want), EINVAL);
	UT_EQ(here, 's');
	check_pattern(p, 1);
}

UTEST(unaligned_old_address_is_einval)
{
	char *p = map_with_room(2, 2);

	UT_ERR(mremap(p + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EINVAL);
}

UTEST(zero_new_size_is_einval)
{
	char *p = map_with_room(1, 1);

	UT_ERR(mremap(p, PAGE, 0, MREMAP_MAYMOVE), EINVAL);
	check_pattern(p, 1);
}

UTEST(unknown_flags_are_einval)
{
	char *p = map_with_room(1, 1);

	UT_ERR(mremap(p, PAGE, 2 * PAGE, 0x100), EINVAL);
	UT_ERR(mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE | 0x80000000), EINVAL);
}

UTEST(unmapped_old_range_is_efault)
{
	char *p = ut_map(1, RW);

	UT_SYS(munmap(p, PAGE));
	UT_ERR(mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT);
}

UTEST(moved_private_memory_stays_private_after_fork)
{
	char *p = map_with_room(1, 1);
	char *q = mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE);
	pid_t pid;

	UT_ASSERT(q != MAP_FAILED);
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		q[0] = 'C';
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(q[0], 'a');
}

/* Growth in place while a fork shares the memory adds a second entry next
 * to the first (the shared amap cannot grow); a later move must take
 * both: Linux keeps one mapping and moves it, and so must we. */
UTEST(maymove_after_growing_while_shared_with_a_fork)
{
	char *p = map_with_room(2, 3), *q;
	int go[2];
	char c;

	UT_SYS(pipe(go));
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		close(go[1]);
		UT_EQ(read(go[0], &c, 1), 0);
		check_pattern(p, 2);
		_exit(0);
	}
	close(go[0]);
	UT_EQ(mremap(p, 2 * PAGE, 3 * PAGE, 0), p);
	p[2 * PAGE] = 'c';
	q = mremap(p, 3 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
	UT_ASSERT(q != MAP_FAILED);
	UT_ASSERT(q != p);
	check_pattern(q, 2);
	UT_EQ(q[2 * PAGE], 'c');
	UT_EQ(q[7 * PAGE], 0);
	q[7 * PAGE] = 1;
	close(go[1]);
	UT_CHILD_EXITS(pid, 0);
	UT_SYS(munmap(q, 8 * PAGE));
}

UTEST(dontunmap_moves_the_pages_and_leaves_the_range_empty)
{
	char *p = map_with_room(4, 4), perms[5];
	char *q = mremap(p, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);

	UT_ASSERT(q != MAP_FAILED && q != p);
	check_pattern(q, 4);
	UT_SYS(ut_maps_perms(p, perms));        /* still mapped, as it was */
	UT_ASSERT(strcmp(perms, "rw-p") == 0);
	for (int i = 0; i < 4; i++)
		UT_EQ(p[i * PAGE], 0);              /* but empty */
	p[0] = 'z';
	UT_EQ(q[0], 'a');                       /* and apart from the moved pages */
}

UTEST(dontunmap_to_a_fixed_address)
{
	char *p = map_with_room(2, 2), *dst = ut_map(2, RW);
	char *q = mremap(p, 2 * PAGE, 2 * PAGE,
	    MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, dst);

	UT_ASSERT(q == dst);
	check_pattern(q, 2);
	UT_EQ(p[PAGE], 0);
}

UTEST(dontunmap_needs_maymove_and_equal_sizes)
{
	char *p = map_with_room(2, 2);

	UT_ERR(mremap(p, 2 * PAGE, 2 * PAGE, MREMAP_DONTUNMAP), EINVAL);
	UT_ERR(mremap(p, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP), EINVAL);
	check_pattern(p, 2);
}
