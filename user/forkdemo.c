/*
 * user/forkdemo.c - copy-on-write after fork, watched through vm_query.
 *
 * A page is written, the process forks, and then child and parent each
 * write it.  Before and after every step both print the page's map entry
 * (needs-copy?), its amap and anon with their reference counts, and
 * whether the PTE is writable:
 *
 *   after fork     both entries needs-copy, one amap (ref 2), one anon
 *                  (ref 1); the parent's PTE read-only, the child's not
 *                  even present yet (it has not touched the page)
 *   child writes   the child copies the amap (anon ref 2), then the page
 *                  (its own anon, ref 1); its PTE becomes writable
 *   parent writes  the parent's amap is its own again (ref 1) and so is
 *                  the anon (ref 1): needs-copy is cleared without copying
 *                  anything, and the PTE becomes writable again
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "snapshot.h"
#include "vmshow.h"

int
main(void)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
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
		vmshow("child", "after fork", p);
		uvmsnap("after fork (child not yet written)", p, getppid());
		p[0] = 'C';
		vmshow("child", "after its write", p);
		uvmsnap("child: after its write", p, getppid());
		printf("  child   sees '%c'\n", p[0]);
		fflush(stdout);
		write(pipefd[1], "x", 1);
		_exit(0);
	}
	char c;
	read(pipefd[0], &c, 1);
	vmshow("parent", "after child's write", p);
	uvmsnap("parent: after the child's write", p, 0);
	p[0] = 'Q';
	vmshow("parent", "after its own write", p);
	uvmsnap("parent: after its own write", p, 0);
	printf("  parent  sees '%c'\n", p[0]);
	waitpid(pid, NULL, 0);
	return 0;
}
