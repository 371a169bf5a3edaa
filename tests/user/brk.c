/*
 * tests/user/brk.c - the program break grows and shrinks.
 *
 * brk(addr) returns the new break on success and the unchanged break on
 * failure (the raw call has no -1: musl's brk() wrapper refuses to run
 * it, so these tests use syscall(SYS_brk)).  The break is byte-granular:
 * an unaligned request comes back exactly, while memory is mapped up to
 * the next page boundary.  Growing gives zeroed, writable memory;
 * shrinking unmaps whole pages past the new break (SIGSEGV MAPERR), and
 * growing again gives zeros, not the old data.  A break below its start
 * or one that would run into another mapping is refused.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static uintptr_t
sys_brk(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

static uintptr_t
page_up(uintptr_t a)
{
	return (a + PAGE - 1) & ~(PAGE - 1);
}

UTEST(query_returns_the_current_break)
{
	uintptr_t cur = sys_brk(0);

	UT_NE(cur, 0);
	UT_EQ(sys_brk(0), cur);
}

UTEST(grows_to_the_exact_unaligned_address)
{
	uintptr_t cur = sys_brk(0), want = cur + 3 * PAGE + 123;

	UT_EQ(sys_brk(want), want);
	UT_EQ(sys_brk(0), want);
}

UTEST(grown_memory_is_zeroed_and_writable)
{
	uintptr_t cur = sys_brk(0), end = cur + 5 * PAGE;
	volatile char *p;

	UT_EQ(sys_brk(end), end);
	for (p = (char *)cur; p < (char *)end; p += 512) {
		UT_EQ(*p, 0);
		*p = 1;
	}
	UT_EQ(((char *)end)[-1], 0);
	UT_EQ(ut_probe_write((char *)page_up(end) - 1, 7, NULL), 0);
}

UTEST(shrinking_unmaps_the_pages_past_the_break)
{
	uintptr_t cur = sys_brk(0), end = page_up(cur) + 4 * PAGE;
	struct ut_fault f;

	UT_EQ(sys_brk(end), end);
	*(volatile char *)(end - 1) = 1;
	UT_EQ(sys_brk(cur), cur);
	UT_EQ(ut_probe_read((char *)page_up(cur) + PAGE, &f), SIGSEGV);
	UT_EQ(f.code, SEGV_MAPERR);
	UT_EQ(ut_probe_read((char *)end - 1, NULL), SIGSEGV);
}

UTEST(growing_again_gives_zeros_not_old_data)
{
	uintptr_t cur = sys_brk(0), base = page_up(cur), end = base + 2 * PAGE;

	UT_EQ(sys_brk(end), end);
	*(volatile char *)(base + PAGE) = 'o';
	UT_EQ(sys_brk(base), base);
	UT_EQ(sys_brk(end), end);
	UT_EQ(*(volatile char *)(base + PAGE), 0);
}

UTEST(below_the_start_is_refused)
{
	uintptr_t cur = sys_brk(0);

	UT_EQ(sys_brk(1), cur);
	UT_EQ(sys_brk(0), cur);
}

UTEST(running_into_a_mapping_is_refused)
{
	uintptr_t cur = sys_brk(0), wall = page_up(cur) + 8 * PAGE;
	void *m = mmap((void *)wall, PAGE, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	UT_EQ(m, (void *)wall);
	UT_EQ(sys_brk(wall + PAGE), cur);
	UT_EQ(sys_brk(0), cur);
	UT_EQ(sys_brk(wall - PAGE), wall - PAGE);   /* up to it is fine */
}

UTEST(huge_request_is_refused)
{
	uintptr_t cur = sys_brk(0);

	UT_EQ(sys_brk(cur + (1UL << 46)), cur);
	UT_EQ(sys_brk(~0UL - PAGE), cur);
}
