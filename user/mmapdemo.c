/*
 * user/mmapdemo.c - private and shared anonymous memory across fork,
 * watched through vm_query.
 *
 * MAP_SHARED|MAP_ANONYMOUS memory is an anonymous object (aobj) both
 * processes map: a write by either is seen by the other, and nothing is
 * ever copied.  MAP_PRIVATE memory is copy-on-write: each side's first
 * write gives it its own page.
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

	if (shared == MAP_FAILED || private == MAP_FAILED)
		return 1;
	*shared = 1;
	*private = 1;
	printf("mmapdemo: shared page %p, private page %p, both hold 1\n",
	    (void *)shared, (void *)private);
	vmshow("parent", "shared, before fork", shared);
	vmshow("parent", "private, before fork", private);
	uvmsnap_range("parent: before fork", MIN(shared, private), MAX(shared, private), 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		*shared = 2;
		*private = 2;
		vmshow("child", "shared, after write", shared);
		vmshow("child", "private, after write", private);
		uvmsnap_range("child: after writing both pages", MIN(shared, private),
		    MAX(shared, private), getppid());
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	vmshow("parent", "shared, child wrote", shared);
	vmshow("parent", "private, child wrote", private);
	uvmsnap_range("parent: after the child exited", MIN(shared, private),
	    MAX(shared, private), 0);
	printf("  parent sees shared=%d (the child's write), private=%d (its own)\n",
	    *shared, *private);
	return 0;
}
