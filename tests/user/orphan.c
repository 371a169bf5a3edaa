/*
 * tests/user/orphan.c - a program that leaves a process behind.
 *
 * Its one test forks a child that moves to a process group of its own
 * (out of reach of the test runner's kill of the test's group) and
 * sleeps in pause() for good, then ends without waiting for it - as a
 * test that fails half way through leaves its helpers.  On Linux the
 * sleeper is adopted by init and ignored.  On uvmkern the kernel test
 * user/orphan runs this program with proc_run, which must come back
 * (killing the sleeper, as init does at shutdown) and leave no memory
 * behind: the reproducer of a make test boot that hung in proc_run.
 */
#include "utest.h"

#include <unistd.h>

UTEST(a_sleeper_in_its_own_group_outlives_the_program)
{
	int ready[2];
	char c;

	UT_SYS(pipe(ready));
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		pid_t sleeper = fork();
		if (sleeper == 0) {
			setpgid(0, 0);
			UT_EQ(write(ready[1], "r", 1), 1);
			for (;;)
				pause();
		}
		_exit(sleeper > 0 ? 0 : 1);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(read(ready[0], &c, 1), 1);        /* the sleeper is in place */
}
