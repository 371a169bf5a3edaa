/*
 * tests/user/inherit.c - what fork gives the child: minherit and its Linux
 * spellings.
 *
 * UVM keeps an inheritance value in each map entry and fork follows it:
 * SHARE (the child shares the pages), COPY (copy-on-write, the default),
 * NONE (the child has a hole) and ZERO (the child gets zero-filled
 * pages).  minherit is uvmkern's own call: on Linux it is ENOSYS and
 * those tests skip.  Linux spells NONE and ZERO as madvise(MADV_DONTFORK)
 * and madvise(MADV_WIPEONFORK), undone by MADV_DOFORK and MADV_KEEPONFORK;
 * those tests run on both kernels.  WIPEONFORK applies to private
 * anonymous memory only: on a shared mapping it is EINVAL.
 */
#include "utest.h"
#include "uvmkern.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Forks a child that runs check(p) and exits with its result. */
static void
child_sees(char *p, int (*check)(char *))
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0)
		_exit(check(p));
	UT_CHILD_EXITS(pid, 0);
}

static int
is_unmapped(char *p)
{
	struct ut_fault f;

	if (ut_probe_read(p, &f) != SIGSEGV || f.code != SEGV_MAPERR)
		return 1;
	return ut_probe_read(p + PAGE, NULL) == SIGSEGV ? 0 : 2;
}

static int
reads_zero_and_writes(char *p)
{
	if (p[0] != 0 || p[PAGE] != 0)
		return 1;
	p[0] = 'c';                     /* the child's own page */
	return 0;
}

static int
reads_data_and_writes(char *p)
{
	if (p[0] != 'd' || p[PAGE] != 'd')
		return 1;
	p[0] = 'c';
	return 0;
}

/* Two pages of 'd', and the inheritance set with minherit (or a skip). */
static char *
map_inheriting(int inherit)
{
	char *p = ut_map(2, RW);

	memset(p, 'd', 2 * PAGE);
	if (minherit(p, 2 * PAGE, inherit) != 0 && errno == ENOSYS)
		UT_SKIP("minherit is uvmkern-only (ENOSYS here)");
	UT_SYS(minherit(p, 2 * PAGE, inherit));
	return p;
}

static char *
map_advised(int advice)
{
	char *p = ut_map(2, RW);

	memset(p, 'd', 2 * PAGE);
	UT_SYS(madvise(p, 2 * PAGE, advice));
	return p;
}

UTEST(minherit_none_leaves_a_hole_in_the_child)
{
	char *p = map_inheriting(MAP_INHERIT_NONE);

	child_sees(p, is_unmapped);
	UT_EQ(p[0], 'd');
}

UTEST(minherit_share_shares_writes_with_the_child)
{
	char *p = map_inheriting(MAP_INHERIT_SHARE);

	child_sees(p, reads_data_and_writes);
	UT_EQ(p[0], 'c');
}

UTEST(minherit_copy_gives_the_child_a_private_copy)
{
	char *p = map_inheriting(MAP_INHERIT_COPY);

	child_sees(p, reads_data_and_writes);
	UT_EQ(p[0], 'd');
}

UTEST(minherit_zero_gives_the_child_zeros)
{
	char *p = map_inheriting(MAP_INHERIT_ZERO);

	child_sees(p, reads_zero_and_writes);
	UT_EQ(p[0], 'd');
	UT_EQ(p[PAGE], 'd');
}

UTEST(minherit_bad_arguments_fail)
{
	char *p = map_inheriting(MAP_INHERIT_COPY);

	UT_ERR(minherit(p, PAGE, 4), EINVAL);
	UT_ERR(minherit(p, PAGE, -1), EINVAL);
	UT_ERR(minherit(p + 1, PAGE, MAP_INHERIT_NONE), EINVAL);
	UT_SYS(munmap(p, PAGE));
	UT_ERR(minherit(p, 2 * PAGE, MAP_INHERIT_NONE), ENOMEM);
}

UTEST(minherit_value_shows_in_vm_query)
{
	char *p = map_inheriting(MAP_INHERIT_ZERO);
	struct vm_query q;

	UT_SYS(vm_query(p, &q));
	UT_EQ(q.inherit, MAP_INHERIT_ZERO);
	UT_SYS(madvise(p, PAGE, MADV_DONTFORK));     /* the Linux spelling */
	UT_SYS(vm_query(p, &q));
	UT_EQ(q.inherit, MAP_INHERIT_NONE);
}

UTEST(dontfork_leaves_a_hole_in_the_child)
{
	char *p = map_advised(MADV_DONTFORK);

	child_sees(p, is_unmapped);
	UT_EQ(p[0], 'd');
}

UTEST(dofork_undoes_dontfork)
{
	char *p = map_advised(MADV_DONTFORK);

	UT_SYS(madvise(p, 2 * PAGE, MADV_DOFORK));
	child_sees(p, reads_data_and_writes);
	UT_EQ(p[0], 'd');
}

UTEST(wipeonfork_gives_the_child_zeros)
{
	char *p = map_advised(MADV_WIPEONFORK);

	child_sees(p, reads_zero_and_writes);
	UT_EQ(p[0], 'd');
	UT_EQ(p[PAGE], 'd');
}

UTEST(keeponfork_undoes_wipeonfork)
{
	char *p = map_advised(MADV_WIPEONFORK);

	UT_SYS(madvise(p, 2 * PAGE, MADV_KEEPONFORK));
	child_sees(p, reads_data_and_writes);
	UT_EQ(p[0], 'd');
}

UTEST(wipeonfork_on_shared_memory_is_einval)
{
	char *s = mmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	UT_ASSERT(s != MAP_FAILED);
	UT_ERR(madvise(s, PAGE, MADV_WIPEONFORK), EINVAL);
}

static int
only_the_middle_page_is_a_hole(char *p)
{
	if (ut_probe_read(p + PAGE, NULL) != SIGSEGV)
		return 1;
	return p[0] == 'd' && p[2 * PAGE] == 'd' ? 0 : 2;
}

UTEST(dontfork_applies_to_part_of_an_entry)
{
	char *p = ut_map(3, RW);

	memset(p, 'd', 3 * PAGE);
	UT_SYS(madvise(p + PAGE, PAGE, MADV_DONTFORK));
	child_sees(p, only_the_middle_page_is_a_hole);
	UT_EQ(ut_maps_count(p, p + 3 * PAGE), 3);
}

/* Memory shared by MAP_INHERIT_SHARE is shared memory: a child's
 * MADV_DONTNEED drops only its own mappings, and the parent keeps its data
 * (it read 0 when the child's call wiped the shared amap's anons). */
UTEST(minherit_share_survives_the_childs_dontneed)
{
	char *p = map_inheriting(MAP_INHERIT_SHARE);
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		UT_SYS(madvise(p, 2 * PAGE, MADV_DONTNEED));
		UT_EQ(p[0], 'd');
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(p[0], 'd');
	UT_EQ(p[PAGE], 'd');
}
