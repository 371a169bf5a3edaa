/*
 * user/forkdemo.c - copy-on-write after fork, watched through vm_query.
 *
 * A page is written, the process forks, and then child and parent each
 * write it.  Before and after every step both print the page's map entry
 * (needs-copy?), its amap and anon - each with its id, so that the same
 * id means the same structure and a new id a copy - with their reference
 * counts, and the PTE (writable? which physical page?):
 *
 *   after fork     both entries needs-copy, one amap (ref 2), one anon
 *                  (ref 1); the parent's PTE read-only, the child's not
 *                  even present yet (it has not touched the page)
 *   child writes   the child copies the amap (a new amap id; the anon is
 *                  then in two amaps, ref 2), then the page (a new anon
 *                  id, ref 1, on a new physical page: fault case 1B); its
 *                  PTE becomes writable
 *   parent writes  the parent's amap is its own again (ref 1) and so is
 *                  the anon (ref 1): needs-copy is cleared without copying
 *                  anything (the same ids), and the PTE becomes writable
 *
 * After each write a "->" line says, from the ids, what was copied.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "snapshot.h"
#include "vmshow.h"

/* What a write changed, from the ids before (a) and after (b) it. */
static void
explain(const char *who, const struct vm_query *a, const struct vm_query *b)
{
	if (a->anon == 0 || b->anon == 0)
		return;         /* no vm_query (Linux) */
	if (a->anon != b->anon)
		printf("  %-7s -> a new anon %#lx (was %#lx): the write copied the page "
		    "(fault case 1B)%s\n", who, (unsigned long)b->anon,
		    (unsigned long)a->anon, a->amap != b->amap ?
		    ", into a new amap (amap_copy: needs-copy)" : "");
	else
		printf("  %-7s -> the same anon %#lx, now only its own: nothing copied, "
		    "the PTE made writable\n", who, (unsigned long)b->anon);
}

int
main(void)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vm_query before, after;
	int pipefd[2];

	if (p == MAP_FAILED || pipe(pipefd) != 0)
		return 1;
	p[0] = 'P';
	printf("forkdemo: one private page at %p, written once ('%c')\n", (void *)p, p[0]);
	vmshow("parent", "before fork", p);
	uvmsnap("parent: before fork", p, 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		vmshow_q("child", "after fork", p, &before);
		uvmsnap("after fork (child not yet written)", p, getppid());
		p[0] = 'C';
		vmshow_q("child", "after its write", p, &after);
		uvmsnap("child: after its write", p, getppid());
		explain("child", &before, &after);
		printf("  child   sees '%c'\n", p[0]);
		fflush(stdout);
		write(pipefd[1], "x", 1);
		_exit(0);
	}
	char c;
	read(pipefd[0], &c, 1);
	vmshow_q("parent", "after child's write", p, &before);
	uvmsnap("parent: after the child's write", p, 0);
	p[0] = 'Q';
	vmshow_q("parent", "after its own write", p, &after);
	uvmsnap("parent: after its own write", p, 0);
	explain("parent", &before, &after);
	printf("  parent  sees '%c'\n", p[0]);
	waitpid(pid, NULL, 0);
	return 0;
}
