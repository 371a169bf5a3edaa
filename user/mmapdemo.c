/*
 * user/mmapdemo.c - private and shared anonymous memory across fork,
 * watched through vm_query.
 *
 * MAP_SHARED|MAP_ANONYMOUS memory is an anonymous object (aobj) both
 * processes map: the entry has no amap, the page belongs to the object,
 * a write by either is seen by the other, and nothing is ever copied -
 * both print the same object id, and the object has two references.
 * MAP_PRIVATE memory is copy-on-write: each side's first write gives it
 * its own page (a new anon id, as forkdemo shows step by step).
 *
 *   parent  shared, before fork    entry 7fffff7fe000-7fffff7ff000 shared | pte writable pa 0x...
 *                                  amap none
 *                                  object 0xffff8000... aobj offset 0
 *           object aobj refs 1 pages 1 | page +0 resident dirty
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/param.h>
#include <sys/wait.h>
#include <unistd.h>
#include "snapshot.h"
#include "vmshow.h"

int
main(void)
{
	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int *private = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vm_query ps, cs, pp, cp;
	int pipefd[2];

	if (shared == MAP_FAILED || private == MAP_FAILED || pipe(pipefd) != 0)
		return 1;
	*shared = 1;
	*private = 1;
	printf("mmapdemo: shared page %p, private page %p, both hold 1\n",
	    (void *)shared, (void *)private);
	vmshow("parent", "shared, before fork", shared);
	vmshow_obj(shared);
	vmshow("parent", "private, before fork", private);
	uvmsnap_range("parent: before fork", MIN(shared, private), MAX(shared, private), 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		*shared = 2;
		*private = 2;
		vmshow_q("child", "shared, after write", shared, &cs);
		vmshow_obj(shared);
		vmshow_q("child", "private, after write", private, &cp);
		uvmsnap_range("child: after writing both pages", MIN(shared, private),
		    MAX(shared, private), getppid());
		fflush(stdout);
		/* The parent compares: the ids travel through the pipe. */
		write(pipefd[1], &cs, sizeof(cs));
		write(pipefd[1], &cp, sizeof(cp));
		_exit(0);
	}
	if (read(pipefd[0], &cs, sizeof(cs)) != sizeof(cs) ||
	    read(pipefd[0], &cp, sizeof(cp)) != sizeof(cp))
		return 1;
	waitpid(pid, NULL, 0);
	vmshow_q("parent", "shared, child wrote", shared, &ps);
	vmshow_obj(shared);
	vmshow_q("parent", "private, child wrote", private, &pp);
	uvmsnap_range("parent: after the child exited", MIN(shared, private),
	    MAX(shared, private), 0);
	if (ps.object != 0 && ps.object == cs.object)
		printf("  shared:  one aobj %#lx in both processes, the same physical page "
		    "(%s): the child's write is the parent's\n", (unsigned long)ps.object,
		    ps.pa == cs.pa ? "same pa" : "pa differs?");
	if (pp.anon != 0 && cp.anon != 0)
		printf("  private: anon %#lx in the parent, %#lx in the child: %s\n",
		    (unsigned long)pp.anon, (unsigned long)cp.anon, pp.anon != cp.anon ?
		    "the child's write copied the page" : "still one page?");
	printf("  parent sees shared=%d (the child's write), private=%d (its own)\n",
	    *shared, *private);
	return 0;
}
