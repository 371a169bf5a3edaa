/*
 * tests/user/fork.c - fork, wait and exit codes.
 *
 * The process calls every other test leans on: a child's exit code must
 * reach its parent through wait4 intact (8 bits), a signal death must be
 * told apart from an exit, WNOHANG must not block, a parent with no
 * children gets ECHILD, and 100 children forked in a row must all be
 * reaped, each exactly once, with its own code.
 */
#include "utest.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t
fork_exiting(int code)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0)
		_exit(code);
	return pid;
}

UTEST(exit_codes_reach_the_parent)
{
	static const int codes[] = { 0, 1, 42, 127, 255 };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		UT_CHILD_EXITS(fork_exiting(codes[i]), codes[i]);
}

UTEST(exit_code_keeps_only_low_8_bits)
{
	UT_CHILD_EXITS(fork_exiting(256 + 7), 7);
}

UTEST(wait_any_returns_the_child_pid_and_status)
{
	pid_t pid = fork_exiting(9);
	int status = 0;

	UT_EQ(waitpid(-1, &status, 0), pid);
	UT_ASSERT(WIFEXITED(status));
	UT_ASSERT(!WIFSIGNALED(status));
	UT_EQ(WEXITSTATUS(status), 9);
}

UTEST(child_knows_its_parent_and_itself)
{
	pid_t parent = getpid();
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		UT_EQ(getppid(), parent);
		UT_NE(getpid(), parent);
		_exit(0);
	}
	UT_NE(pid, parent);
	UT_CHILD_EXITS(pid, 0);
}

UTEST(fork_returns_distinct_pids)
{
	pid_t a = fork_exiting(0), b = fork_exiting(0);

	UT_ASSERT(a > 0 && b > 0);
	UT_NE(a, b);
	UT_CHILD_EXITS(a, 0);
	UT_CHILD_EXITS(b, 0);
}

UTEST(wnohang_returns_zero_while_the_child_runs)
{
	int p[2], status;
	char c;
	pid_t pid;

	UT_SYS(pipe(p));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 4 : 5);   /* EOF: parent closed */
	}
	close(p[0]);
	UT_EQ(waitpid(pid, &status, WNOHANG), 0);
	close(p[1]);
	UT_CHILD_EXITS(pid, 4);
}

UTEST(wait_without_children_is_echild)
{
	int status;

	UT_ERR(waitpid(-1, &status, 0), ECHILD);
	UT_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
	UT_ERR(waitpid(getppid(), &status, 0), ECHILD);   /* not our child */
}

UTEST(a_reaped_child_cannot_be_waited_twice)
{
	pid_t pid = fork_exiting(3);
	int status;

	UT_CHILD_EXITS(pid, 3);
	UT_ERR(waitpid(pid, &status, 0), ECHILD);
}

UTEST(grandchild_is_reaped_by_its_own_parent)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		pid_t g = fork();
		int status;

		if (g == 0)
			_exit(5);
		if (g < 0 || waitpid(g, &status, 0) != g || !WIFEXITED(status))
			_exit(99);
		_exit(WEXITSTATUS(status) + 1);
	}
	UT_CHILD_EXITS(pid, 6);
}

UTEST(killed_child_reports_the_signal)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		for (;;)
			pause();
	}
	UT_SYS(kill(pid, SIGTERM));
	UT_CHILD_KILLED(pid, SIGTERM);
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		for (;;)
			pause();
	}
	UT_SYS(kill(pid, SIGKILL));
	UT_CHILD_KILLED(pid, SIGKILL);
}

UTEST(vfork_child_exit_code_reaches_the_parent)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(17);
	UT_ASSERT(pid > 0);
	UT_CHILD_EXITS(pid, 17);
}

/* Each child exits with its index; every pid and code must come back once. */
UTEST(hundred_children_forked_and_reaped)
{
	enum { N = 100 };
	pid_t pids[N];
	int seen[N];

	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < N; i++)
		pids[i] = fork_exiting(i);
	for (int n = 0; n < N; n++) {
		int status, i;
		pid_t w = (pid_t)UT_SYS(waitpid(-1, &status, 0));

		for (i = 0; i < N && pids[i] != w; i++)
			;
		UT_ASSERT(i < N);
		UT_EQ(seen[i], 0);
		seen[i] = 1;
		UT_ASSERT(WIFEXITED(status));
		UT_EQ(WEXITSTATUS(status), i);
	}
	UT_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
}
