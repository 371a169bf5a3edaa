/*
 * tests/user/mprotect.c - mprotect splits map entries and merges them back.
 *
 * Changing the protection of part of an entry must clip it: one entry
 * becomes three (middle) or two (an edge), each with its own protection,
 * as /proc/self/maps shows on Linux and uvmkern alike.  Setting the old
 * protection again must leave one entry, as Linux does: the pieces are
 * merged back.  The data survives every change, the hardware enforces
 * each protection (SIGSEGV with SEGV_ACCERR), and bad arguments fail with
 * Linux's errno: EINVAL for an unaligned address or unknown bits, ENOMEM
 * for a range that is not all mapped.
 *
 * Ranges come from ut_map, fenced by PROT_NONE pages so that the count of
 * entries inside them is exact.
 */
#include "utest.h"
#include "uvmkern.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void
check_perms(const void *addr, const char *want)
{
	char perms[5];

	UT_EQ(ut_maps_perms(addr, perms), 0);
	if (strcmp(perms, want) != 0)
		ut_fail(__FILE__, __LINE__, "maps says %s at %p, expected %s",
			perms, addr, want);
}

static int
entries(const char *p, size_t npages)
{
	return ut_maps_count(p, p + npages * PAGE);
}

UTEST(a_fresh_range_is_one_entry)
{
	char *p = ut_map(4, RW);

	UT_EQ(entries(p, 4), 1);
	check_perms(p, "rw-p");
}

UTEST(protecting_the_middle_splits_into_three)
{
	char *p = ut_map(4, RW);

	UT_SYS(mprotect(p + PAGE, 2 * PAGE, PROT_READ));
	UT_EQ(entries(p, 4), 3);
	check_perms(p, "rw-p");
	check_perms(p + PAGE, "r--p");
	check_perms(p + 2 * PAGE, "r--p");
	check_perms(p + 3 * PAGE, "rw-p");
}

UTEST(protecting_an_edge_splits_into_two)
{
	char *p = ut_map(4, RW);

	UT_SYS(mprotect(p, PAGE, PROT_READ));
	UT_EQ(entries(p, 4), 2);
	check_perms(p, "r--p");
	check_perms(p + PAGE, "rw-p");
	UT_SYS(mprotect(p + 3 * PAGE, PAGE, PROT_NONE));
	UT_EQ(entries(p, 4), 3);
	check_perms(p + 3 * PAGE, "---p");
}

UTEST(restoring_the_protection_merges_back_into_one)
{
	char *p = ut_map(4, RW);

	memset(p, 1, 4 * PAGE);   /* pages with anons merge too */
	UT_SYS(mprotect(p + PAGE, PAGE, PROT_READ));
	UT_EQ(entries(p, 4), 3);
	UT_SYS(mprotect(p + PAGE, PAGE, RW));
	UT_EQ(entries(p, 4), 1);
	check_perms(p + PAGE, "rw-p");
}

UTEST(protecting_the_whole_range_keeps_one_entry)
{
	char *p = ut_map(4, RW);

	UT_SYS(mprotect(p, 4 * PAGE, PROT_READ));
	UT_EQ(entries(p, 4), 1);
	check_perms(p, "r--p");
}

UTEST(data_survives_protection_changes)
{
	unsigned char *p = ut_map(3, RW);

	for (int i = 0; i < 3; i++)
		memset(p + i * PAGE, 0x30 + i, PAGE);
	UT_SYS(mprotect(p, 3 * PAGE, PROT_NONE));
	UT_SYS(mprotect(p, 3 * PAGE, PROT_READ));
	for (int i = 0; i < 3; i++)
		UT_EQ(p[i * PAGE + 7], 0x30 + i);
	UT_SYS(mprotect(p + PAGE, PAGE, RW));
	p[PAGE] = 0x99;
	UT_EQ(p[PAGE], 0x99);
	UT_EQ(p[0], 0x30);
}

UTEST(read_only_page_refuses_writes_with_accerr)
{
	char *p = ut_map(2, RW);
	struct ut_fault f;

	p[PAGE + 1] = 'a';
	UT_SYS(mprotect(p + PAGE, PAGE, PROT_READ));
	UT_EQ(ut_probe_write(p + PAGE + 1, 'b', &f), SIGSEGV);
	UT_EQ(f.code, SEGV_ACCERR);
	UT_EQ(f.addr, p + PAGE + 1);
	UT_EQ(p[PAGE + 1], 'a');
	UT_EQ(ut_probe_write(p, 'c', NULL), 0);   /* the other page is not */
}

UTEST(prot_none_page_refuses_reads_with_accerr)
{
	char *p = ut_map(1, RW);
	struct ut_fault f;

	UT_SYS(mprotect(p, PAGE, PROT_NONE));
	UT_EQ(ut_probe_read(p + 64, &f), SIGSEGV);
	UT_EQ(f.code, SEGV_ACCERR);
	UT_EQ(f.addr, p + 64);
}

UTEST(zero_length_succeeds_and_changes_nothing)
{
	char *p = ut_map(1, RW);

	UT_EQ(mprotect(p, 0, PROT_NONE), 0);
	check_perms(p, "rw-p");
}

/* syscall(): musl's mprotect() rounds the address down itself. */
UTEST(unaligned_address_is_einval)
{
	char *p = ut_map(2, RW);

	UT_ERR(syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
	check_perms(p, "rw-p");
}

UTEST(unknown_protection_bits_are_einval)
{
	char *p = ut_map(1, RW);

	UT_ERR(mprotect(p, PAGE, 0x10), EINVAL);
	UT_ERR(mprotect(p, PAGE, RW | 0x100), EINVAL);
	check_perms(p, "rw-p");
}

UTEST(unmapped_range_is_enomem)
{
	char *p = ut_map(3, RW);

	UT_SYS(munmap(p + PAGE, PAGE));
	UT_ERR(mprotect(p + PAGE, PAGE, PROT_READ), ENOMEM);
	UT_ERR(mprotect(p, 3 * PAGE, PROT_READ), ENOMEM);   /* spans the hole */
}

UTEST(length_is_rounded_up_to_whole_pages)
{
	char *p = ut_map(2, RW);

	UT_SYS(mprotect(p, 1, PROT_READ));
	check_perms(p, "r--p");
	check_perms(p + PAGE, "rw-p");
	UT_EQ(entries(p, 2), 2);
}

/* On uvmkern: the entries vm_query reports follow the split and the merge. */
UTEST(query_entry_bounds_follow_split_and_merge)
{
	char *p = ut_map(4, RW);
	struct vm_query q;

	ut_query(p, &q);
	UT_SYS(mprotect(p + PAGE, 2 * PAGE, PROT_READ));
	UT_SYS(vm_query(p + 2 * PAGE, &q));
	UT_EQ(q.start, (uintptr_t)(p + PAGE));
	UT_EQ(q.end, (uintptr_t)(p + 3 * PAGE));
	UT_EQ(q.prot, PROT_READ);
	UT_EQ(q.maxprot & RW, RW);
	UT_SYS(vm_query(p, &q));
	UT_EQ(q.end, (uintptr_t)(p + PAGE));
	UT_SYS(mprotect(p + PAGE, 2 * PAGE, RW));
	UT_SYS(vm_query(p + 2 * PAGE, &q));
	UT_EQ(q.start, (uintptr_t)p);
	UT_EQ(q.end, (uintptr_t)(p + 4 * PAGE));
	UT_EQ(q.prot, RW);
}
