/*
 * tests/user/mmap_fixed.c - MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses.
 *
 * MAP_FIXED maps exactly at the address asked for and silently throws
 * away whatever was there: the replaced pages read zero, the pages around
 * them keep their data, and a different protection splits the old entry.
 * MAP_FIXED_NOREPLACE maps at that exact address only if nothing is there
 * and fails with EEXIST otherwise - even for a one-page overlap - leaving
 * the old mapping untouched.  A plain hint never replaces anything.  An
 * unaligned fixed address is EINVAL.
 */
#include "utest.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char *
map_filled(size_t npages, int c)
{
	char *p = ut_map(npages, RW);

	memset(p, c, npages * PAGE);
	return p;
}

UTEST(fixed_replaces_existing_pages_with_zeros)
{
	char *p = map_filled(4, 0xaa);
	char *q = mmap(p + PAGE, 2 * PAGE, RW, ANON | MAP_FIXED, -1, 0);

	UT_EQ(q, p + PAGE);
	UT_EQ(q[0], 0);
	UT_EQ(q[2 * PAGE - 1], 0);
	UT_EQ((unsigned char)p[PAGE - 1], 0xaa);
	UT_EQ((unsigned char)p[3 * PAGE], 0xaa);
}

UTEST(fixed_with_another_protection_splits_the_entry)
{
	char *p = map_filled(3, 0xbb);
	char *q = mmap(p + PAGE, PAGE, PROT_READ, ANON | MAP_FIXED, -1, 0);
	char perms[5];

	UT_EQ(q, p + PAGE);
	UT_EQ(ut_maps_count(p, p + 3 * PAGE), 3);
	UT_EQ(ut_maps_perms(q, perms), 0);
	UT_ASSERT(strcmp(perms, "r--p") == 0);
	UT_EQ(ut_probe_write(q, 1, NULL), SIGSEGV);
}

UTEST(fixed_over_a_shared_mapping_replaces_it)
{
	char *s = mmap(NULL, 2 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *q;

	UT_ASSERT(s != MAP_FAILED);
	memset(s, 0xcc, 2 * PAGE);
	q = mmap(s, PAGE, RW, ANON | MAP_FIXED, -1, 0);
	UT_EQ(q, s);
	UT_EQ(q[0], 0);
	UT_EQ((unsigned char)s[PAGE], 0xcc);
}

UTEST(fixed_unaligned_address_is_einval)
{
	char *p = map_filled(2, 0x11);

	UT_ERR(mmap(p + 100, PAGE, RW, ANON | MAP_FIXED, -1, 0), EINVAL);
	UT_EQ(p[100], 0x11);
}

UTEST(noreplace_over_a_mapping_is_eexist)
{
	char *p = map_filled(2, 0x22);

	UT_ERR(mmap(p, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	UT_EQ(p[0], 0x22);
	UT_EQ(p[2 * PAGE - 1], 0x22);
}

UTEST(noreplace_overlapping_one_page_is_eexist)
{
	char *p = ut_map(4, RW);

	UT_SYS(munmap(p, 3 * PAGE));        /* only the last page is left */
	p[3 * PAGE] = 0x33;
	UT_ERR(mmap(p, 4 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	UT_EQ(p[3 * PAGE], 0x33);
	UT_EQ(ut_probe_read(p, NULL), SIGSEGV);   /* nothing was mapped */
}

UTEST(noreplace_on_a_free_range_maps_exactly_there)
{
	char *p = ut_map(2, RW);
	char *q;

	UT_SYS(munmap(p, 2 * PAGE));
	q = mmap(p, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	UT_EQ(q, p);
	UT_EQ(q[PAGE], 0);
	q[PAGE] = 1;
	UT_EQ(q[PAGE], 1);
}

UTEST(a_hint_without_fixed_never_replaces)
{
	char *p = map_filled(1, 0x44);
	char *q = mmap(p, PAGE, RW, ANON, -1, 0);

	UT_ASSERT(q != MAP_FAILED);
	UT_NE(q, p);
	UT_EQ(p[0], 0x44);
	UT_EQ(q[0], 0);
}

UTEST(a_free_hint_is_taken)
{
	char *p = ut_map(1, RW);
	char *q;

	UT_SYS(munmap(p, PAGE));
	q = mmap(p, PAGE, RW, ANON, -1, 0);
	UT_EQ(q, p);
}
