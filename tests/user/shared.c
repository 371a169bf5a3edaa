/*
 * tests/user/shared.c - MAP_SHARED anonymous memory between processes.
 *
 * A shared anonymous mapping is one set of pages (on uvmkern an anonymous
 * object, aobj) that fork hands to the child as is: writes from either
 * side, or from a grandchild, are seen by all, and a child unmapping its
 * view leaves the others' alone.  Private memory right next to it must
 * stay private.
 */
#include "utest.h"
#include "uvmkern.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void *
map_shared(size_t npages)
{
	void *p = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	UT_ASSERT(p != MAP_FAILED);
	return p;
}

UTEST(starts_zero_filled)
{
	unsigned char *p = map_shared(4);

	for (size_t i = 0; i < 4 * PAGE; i += 512)
		UT_EQ(p[i], 0);
}

UTEST(child_writes_are_seen_by_the_parent)
{
	int *p = map_shared(2);
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		p[0] = 11;
		p[1024] = 12;       /* second page, never touched by the parent */
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(p[0], 11);
	UT_EQ(p[1024], 12);
}

UTEST(parent_writes_are_seen_by_the_child)
{
	volatile int *p = map_shared(1);
	int go[2];
	char c;
	pid_t pid;

	UT_SYS(pipe(go));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		UT_EQ(read(go[0], &c, 1), 1);
		UT_EQ(p[0], 21);
		_exit(0);
	}
	p[0] = 21;
	UT_EQ(write(go[1], "x", 1), 1);
	UT_CHILD_EXITS(pid, 0);
}

UTEST(grandchild_writes_are_seen_by_all)
{
	int *p = map_shared(1);
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		pid_t g = (pid_t)UT_SYS(fork());

		if (g == 0) {
			p[1] = 31;
			_exit(0);
		}
		UT_CHILD_EXITS(g, 0);
		UT_EQ(p[1], 31);
		p[2] = 32;
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(p[1], 31);
	UT_EQ(p[2], 32);
}

UTEST(child_unmapping_its_view_leaves_the_parent_alone)
{
	int *p = map_shared(1);
	pid_t pid;

	p[0] = 41;
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		p[0] = 42;
		UT_SYS(munmap(p, PAGE));
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(p[0], 42);
	p[0] = 43;
	UT_EQ(p[0], 43);
}

UTEST(private_memory_next_to_it_stays_private)
{
	int *shared = map_shared(1);
	int *private = ut_map(1, PROT_READ | PROT_WRITE);
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		*shared = 51;
		*private = 52;
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(*shared, 51);
	UT_EQ(*private, 0);
}

/* Ten children each bump their own counter many times. */
UTEST(ten_children_each_fill_their_slot)
{
	enum { KIDS = 10, ROUNDS = 1000 };
	volatile int *slot = map_shared(1);
	pid_t pids[KIDS];

	for (int k = 0; k < KIDS; k++) {
		pids[k] = (pid_t)UT_SYS(fork());
		if (pids[k] == 0) {
			for (int r = 0; r < ROUNDS; r++)
				slot[k]++;
			_exit(0);
		}
	}
	for (int k = 0; k < KIDS; k++)
		UT_CHILD_EXITS(pids[k], 0);
	for (int k = 0; k < KIDS; k++)
		UT_EQ(slot[k], ROUNDS);
}

UTEST(survives_mprotect_read_only_in_the_child)
{
	int *p = map_shared(1);
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		p[0] = 61;
		UT_SYS(mprotect(p, PAGE, PROT_READ));
		UT_EQ(ut_probe_write(p, 1, NULL), SIGSEGV);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(p[0], 61);
	p[0] = 62;          /* still writable here */
	UT_EQ(p[0], 62);
}

/* On uvmkern: both processes reach the same aobj and the same page. */
UTEST(query_parent_and_child_share_object_and_page)
{
	int *p = map_shared(1);
	struct vm_query *seen = map_shared(1);
	struct vm_query mine;
	pid_t pid;

	*p = 1;
	ut_query(p, &mine);
	UT_EQ(mine.obj_kind, VMQ_OBJ_AOBJ);
	UT_NE(mine.object, 0);
	UT_ASSERT(!(mine.flags & VMQ_COPYONWRITE));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		*p = 2;
		UT_SYS(vm_query(p, seen));
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(seen->object, mine.object);
	UT_EQ(seen->pa, mine.pa);
	UT_EQ(seen->inherit, MAP_INHERIT_SHARE);
}
