/*
 * user/sh.c - a small shell: reads a line, splits it into words, runs
 * the program (found in /bin when the name has no '/'), waits for it and
 * reports how it ended - nothing for status 0, "[NAME exited with status
 * N]" for any other, "[NAME killed by signal N]" when a signal ended it.
 * Built in: exit [status], help.  The programs in /bin are user/'s:
 * hello, forkdemo, mmapdemo, swapdemo, vmmap (and init, sh).
 *
 *   $ forkdemo
 *   ...
 *   $ nosuch
 *   sh: nosuch: No such file or directory
 *   [nosuch exited with status 127]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXARGS 32

extern char **environ;

static int
split(char *line, char **argv)
{
	int argc = 0;

	for (char *p = strtok(line, " \t\n"); p != NULL && argc < MAXARGS - 1;
	    p = strtok(NULL, " \t\n"))
		argv[argc++] = p;
	argv[argc] = NULL;
	return argc;
}

static void
run(char **argv)
{
	char path[256];
	int status;

	if (strchr(argv[0], '/') != NULL)
		snprintf(path, sizeof(path), "%s", argv[0]);
	else
		snprintf(path, sizeof(path), "/bin/%s", argv[0]);
	pid_t pid = fork();
	if (pid < 0) {
		printf("sh: fork: %s\n", strerror(errno));
		return;
	}
	if (pid == 0) {
		execve(path, argv, environ);
		printf("sh: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return;
	if (WIFSIGNALED(status))
		printf("[%s killed by signal %d]\n", argv[0], WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		printf("[%s exited with status %d]\n", argv[0], WEXITSTATUS(status));
}

int
main(void)
{
	char line[256], *argv[MAXARGS];

	printf("uvmkern shell: type a program name (ls is not here: try "
	    "hello, forkdemo, mmapdemo, swapdemo, vmmap), help, or exit\n");
	for (;;) {
		printf("$ ");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			return 0;
		if (split(line, argv) == 0)
			continue;
		if (strcmp(argv[0], "exit") == 0)
			return argv[1] != NULL ? atoi(argv[1]) : 0;
		if (strcmp(argv[0], "help") == 0) {
			printf("programs are in /bin; /tests holds the test programs\n");
			continue;
		}
		run(argv);
	}
}
