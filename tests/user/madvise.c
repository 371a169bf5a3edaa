/*
 * tests/user/madvise.c - madvise: DONTNEED throws private pages away.
 *
 * MADV_DONTNEED on private anonymous memory frees the pages: the next
 * read sees zeros (and a write works again).  On private file memory it
 * drops the private copies, so the file shows through again.  On shared
 * memory it only unmaps the pages from this process: the data stays.
 * The hints (NORMAL, RANDOM, SEQUENTIAL, WILLNEED) change no data.
 * Errors: EINVAL for an unknown advice or an unaligned address, ENOMEM
 * for a range that is not mapped.  On uvmkern vm_query shows the advice.
 * MADV_HWPOISON poisons the page on Linux (root) and is EINVAL here.
 */
#include "utest.h"
#include "uvmkern.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

UTEST(dontneed_private_anonymous_reads_zeros)
{
	char *p = ut_map(4, RW);

	memset(p, 0x5a, 4 * PAGE);
	UT_SYS(madvise(p + PAGE, 2 * PAGE, MADV_DONTNEED));
	UT_EQ(p[PAGE], 0);
	UT_EQ(p[3 * PAGE - 1], 0);
	UT_EQ(p[PAGE - 1], 0x5a);           /* outside the range: kept */
	UT_EQ(p[3 * PAGE], 0x5a);
}

UTEST(dontneed_then_write_works_again)
{
	char *p = ut_map(1, RW);

	p[0] = 1;
	UT_SYS(madvise(p, PAGE, MADV_DONTNEED));
	UT_EQ(p[0], 0);
	p[0] = 2;
	UT_EQ(p[0], 2);
}

UTEST(dontneed_after_fork_drops_only_our_copy)
{
	char *p = ut_map(1, RW);
	pid_t pid;

	p[0] = 'p';
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		UT_SYS(madvise(p, PAGE, MADV_DONTNEED));
		_exit(p[0] == 0 ? 0 : 1);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(p[0], 'p');
}

UTEST(dontneed_shared_anonymous_keeps_the_data)
{
	char *p = mmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	UT_ASSERT(p != MAP_FAILED);
	p[10] = 0x77;
	UT_SYS(madvise(p, PAGE, MADV_DONTNEED));
	UT_EQ(p[10], 0x77);
}

UTEST(dontneed_private_file_shows_the_file_again)
{
	int fd = (int)UT_SYS(open(ut_datafile("rows.txt"), O_RDONLY));
	char *p = mmap(NULL, PAGE, RW, MAP_PRIVATE, fd, 0);

	UT_ASSERT(p != MAP_FAILED);
	UT_EQ(p[0], 'r');
	p[0] = 'X';
	UT_SYS(madvise(p, PAGE, MADV_DONTNEED));
	UT_EQ(p[0], 'r');                   /* "row 00000" */
}

UTEST(hints_change_no_data)
{
	static const int hints[] = { MADV_NORMAL, MADV_RANDOM,
				     MADV_SEQUENTIAL, MADV_WILLNEED };
	char *p = ut_map(2, RW);

	memset(p, 0x3c, 2 * PAGE);
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		UT_EQ(madvise(p, 2 * PAGE, hints[i]), 0);
		UT_EQ(p[0], 0x3c);
		UT_EQ(p[2 * PAGE - 1], 0x3c);
	}
}

UTEST(unknown_advice_is_einval)
{
	char *p = ut_map(1, RW);

	UT_ERR(madvise(p, PAGE, 12345), EINVAL);
	UT_ERR(madvise(p, PAGE, -1), EINVAL);
}

UTEST(unaligned_address_is_einval)
{
	char *p = ut_map(1, RW);

	UT_ERR(madvise(p + 1, PAGE, MADV_DONTNEED), EINVAL);
}

UTEST(unmapped_range_is_enomem)
{
	char *p = ut_map(2, RW);

	UT_SYS(munmap(p + PAGE, PAGE));
	UT_ERR(madvise(p + PAGE, PAGE, MADV_DONTNEED), ENOMEM);
	UT_ERR(madvise(p, 2 * PAGE, MADV_NORMAL), ENOMEM);
}

UTEST(query_shows_the_advice)
{
	char *p = ut_map(1, RW);
	struct vm_query q;

	ut_query(p, &q);
	UT_EQ(q.advice, MADV_NORMAL);
	UT_SYS(madvise(p, PAGE, MADV_RANDOM));
	UT_SYS(vm_query(p, &q));
	UT_EQ(q.advice, MADV_RANDOM);
	UT_SYS(madvise(p, PAGE, MADV_SEQUENTIAL));
	UT_SYS(vm_query(p, &q));
	UT_EQ(q.advice, MADV_SEQUENTIAL);
}

/*
 * MADV_HWPOISON injects a memory failure.  Linux lets root (CAP_SYS_ADMIN)
 * do it (the page is then gone: touching it is SIGBUS); uvmkern has no
 * memory-failure handling and says EINVAL, as a Linux built without it.
 * Either way an unaligned address is EINVAL first.  (Without
 * CAP_SYS_ADMIN it is EPERM on both: tests/user/caps.c.)
 */
UTEST(hwpoison_is_einval_or_poisons_the_page)
{
	char *p = ut_map(2, RW);
	struct ut_fault f;

	p[0] = 1;
	UT_ERR(madvise(p + 1, PAGE, MADV_HWPOISON), EINVAL);
	if (madvise(p, PAGE, MADV_HWPOISON) == 0) {
		UT_EQ(ut_probe_read(p, &f), SIGBUS);
		return;
	}
	UT_EQ(errno, EINVAL);
	UT_EQ(p[0], 1);                         /* nothing happened to it */
}
