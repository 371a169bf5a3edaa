/*
 * tests/user/cow.c - copy-on-write isolation between parent, child and
 * grandchild.
 *
 * After fork every private page is shared read-only between the
 * processes; the first write by any of them must give the writer its own
 * copy and leave the others' view alone.  The tests cover each kind of
 * private memory (anonymous mmap, stack, bss, data, heap), writes by the
 * parent as well as by the child, three generations, and pages never
 * touched before the fork.  On uvmkern, vm_query also checks the
 * mechanism: fork sets needs-copy and write-protects the parent, and a
 * write after fork gives the writer a different anon and page.
 */
#include "utest.h"
#include "uvmkern.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int data_var = 1;    /* .data */
static int bss_var;         /* .bss */

/* Blocks until the other side writes a byte (or closes). */
static void
wait_signal(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
}

static void
send_signal(int fd)
{
	UT_EQ(write(fd, "x", 1), 1);
}

UTEST(child_writes_are_invisible_to_the_parent)
{
	volatile int stack_var = 1;
	int *heap = malloc(sizeof(int));
	int *anon = ut_map(1, PROT_READ | PROT_WRITE);
	pid_t pid;

	UT_ASSERT(heap != NULL);
	*heap = *anon = bss_var = data_var = 1;
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		stack_var = *heap = *anon = bss_var = data_var = 2;
		UT_EQ(stack_var + *heap + *anon + bss_var + data_var, 10);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(stack_var, 1);
	UT_EQ(*heap, 1);
	UT_EQ(*anon, 1);
	UT_EQ(bss_var, 1);
	UT_EQ(data_var, 1);
}

UTEST(parent_writes_after_fork_are_invisible_to_the_child)
{
	int *anon = ut_map(1, PROT_READ | PROT_WRITE);
	int go[2];
	pid_t pid;

	*anon = 1;
	data_var = 1;
	UT_SYS(pipe(go));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		wait_signal(go[0]);     /* the parent has written by now */
		UT_EQ(*anon, 1);
		UT_EQ(data_var, 1);
		_exit(0);
	}
	*anon = 2;
	data_var = 2;
	send_signal(go[1]);
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(*anon, 2);
	UT_EQ(data_var, 2);
}

/* Each generation writes its own number; every one must read back its own. */
UTEST(three_generations_keep_their_own_values)
{
	int *p = ut_map(4, PROT_READ | PROT_WRITE);
	pid_t pid;

	p[0] = p[1024] = 1;
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		pid_t g;

		p[0] = 2;
		g = (pid_t)UT_SYS(fork());
		if (g == 0) {
			UT_EQ(p[0], 2);     /* inherited from the child */
			UT_EQ(p[1024], 1);  /* inherited from the parent */
			p[0] = p[1024] = 3;
			p[2048] = 3;
			_exit(0);
		}
		UT_CHILD_EXITS(g, 0);
		UT_EQ(p[0], 2);
		UT_EQ(p[1024], 1);
		UT_EQ(p[2048], 0);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(p[0], 1);
	UT_EQ(p[1024], 1);
	UT_EQ(p[2048], 0);
}

/* 64 pages with a pattern; the child rewrites every other page. */
UTEST(many_pages_stay_isolated)
{
	enum { N = 64 };
	unsigned char *p = ut_map(N, PROT_READ | PROT_WRITE);
	pid_t pid;

	for (int i = 0; i < N; i++)
		memset(p + i * PAGE, i, PAGE);
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		for (int i = 1; i < N; i += 2)
			memset(p + i * PAGE, 0xee, PAGE);
		for (int i = 0; i < N; i++)
			UT_EQ(p[i * PAGE + 100], i % 2 ? 0xee : i);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	for (int i = 0; i < N; i++) {
		UT_EQ(p[i * PAGE], i);
		UT_EQ(p[i * PAGE + PAGE - 1], i);
	}
}

UTEST(pages_untouched_before_fork_read_zero_on_both_sides)
{
	unsigned char *p = ut_map(2, PROT_READ | PROT_WRITE);
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		UT_EQ(p[0], 0);
		p[0] = 7;
		p[PAGE] = 8;
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(p[0], 0);
	UT_EQ(p[PAGE], 0);
}

UTEST(parent_can_write_again_after_the_child_is_gone)
{
	int *p = ut_map(1, PROT_READ | PROT_WRITE);
	pid_t pid;

	*p = 1;
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0)
		_exit(*p == 1 ? 0 : 1);
	UT_CHILD_EXITS(pid, 0);
	*p = 5;             /* faults: fork write-protected the page */
	UT_EQ(*p, 5);
}

/* ---- the mechanism, through vm_query (uvmkern only) ---- */

/*
 * Before fork a written private page has its own anon (an_ref 1) and a
 * writable PTE.  Fork marks the parent's entry needs-copy, leaves the
 * amap shared with the child, and write-protects the parent's PTE so the
 * next write faults.
 */
UTEST(query_fork_sets_needs_copy_and_write_protects_the_parent)
{
	int *p = ut_map(1, PROT_READ | PROT_WRITE);
	struct vm_query before, after;
	int ready[2];
	pid_t pid;

	*p = 1;
	ut_query(p, &before);
	UT_NE(before.anon, 0);
	UT_EQ(before.anon_ref, 1);
	UT_ASSERT(before.flags & VMQ_COPYONWRITE);
	UT_ASSERT(before.pte & VMQ_PTE_W);
	UT_SYS(pipe(ready));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		wait_signal(ready[0]);
		_exit(0);
	}
	ut_query(p, &after);
	UT_ASSERT(after.flags & VMQ_NEEDSCOPY);
	UT_EQ(after.amap, before.amap);
	UT_EQ(after.amap_ref, 2);
	UT_ASSERT(!(after.pte & VMQ_PTE_W));
	send_signal(ready[1]);
	UT_CHILD_EXITS(pid, 0);
}

/* A child's write gives the child a new anon on a new page; the parent's stays. */
UTEST(query_child_write_gets_its_own_anon_and_page)
{
	int *p = ut_map(1, PROT_READ | PROT_WRITE);
	struct vm_query *seen = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct vm_query parent;
	pid_t pid;

	UT_ASSERT(seen != MAP_FAILED);
	*p = 1;
	ut_query(p, &parent);
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		*p = 2;
		ut_query(p, seen);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_NE(seen->anon, parent.anon);
	UT_NE(seen->pa, parent.pa);
	UT_EQ(seen->anon_ref, 1);
	UT_ASSERT(seen->pte & VMQ_PTE_W);
	ut_query(p, &parent);
	UT_EQ(parent.anon_ref, 1);    /* the child dropped its reference */
	UT_EQ(*p, 1);
}
