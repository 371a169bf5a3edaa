/*
 * user/sh.c - a small shell: reads a line, splits it into words, runs
 * the program (found in /bin when the name has no '/'), waits for it and
 * reports how it ended - nothing for status 0, "[NAME exited with status
 * N]" for any other, "[NAME killed by signal N]" when a signal ended it.
 * Built in: exit [status], help, fg.  The programs in /bin are user/'s:
 * hello, forkdemo, mmapdemo, swapdemo, vmmap (and init, sh).
 *
 * Job control: each command runs in a process group of its own, which
 * the shell makes the terminal's foreground group (tcsetpgrp) while it
 * waits, so Ctrl-C (SIGINT) and Ctrl-\ (SIGQUIT) reach the command and
 * not the shell, and Ctrl-Z (SIGTSTP) stops it: "[NAME stopped]", and
 * `fg` continues it.  Then the shell takes the terminal back.  The shell
 * ignores those signals itself (and SIGTTOU, which taking the terminal
 * back from the background would send); the command gets them back at
 * their defaults.
 *
 *   $ forkdemo
 *   ...
 *   $ nosuch
 *   sh: nosuch: No such file or directory
 *   [nosuch exited with status 127]
 */
#include <errno.h>
#include <signal.h>
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

static const int job_signals[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };

/* The shell ignores the job-control signals (how: SIG_IGN), a command
 * gets them back (SIG_DFL). */
static void
job_signals_set(void (*how)(int))
{
	for (size_t i = 0; i < sizeof(job_signals) / sizeof(job_signals[0]); i++)
		signal(job_signals[i], how);
}

static pid_t stopped_pid;           /* the job Ctrl-Z stopped, for fg */
static char stopped_name[64];

/* Give pgrp the terminal (no terminal: nothing to do). */
static void
foreground(pid_t pgrp)
{
	if (isatty(0))
		tcsetpgrp(0, pgrp);
}

/* Wait for the job pid in the foreground; say how it ended or stopped. */
static void
wait_job(pid_t pid, const char *name)
{
	int status;

	foreground(pid);
	while (waitpid(pid, &status, WUNTRACED) < 0 && errno == EINTR)
		;
	foreground(getpgrp());
	if (WIFSTOPPED(status)) {
		stopped_pid = pid;
		snprintf(stopped_name, sizeof(stopped_name), "%s", name);
		printf("[%s stopped; fg continues it]\n", name);
	} else if (WIFSIGNALED(status)) {
		printf("[%s killed by signal %d]\n", name, WTERMSIG(status));
	} else if (WEXITSTATUS(status) != 0) {
		printf("[%s exited with status %d]\n", name, WEXITSTATUS(status));
	}
}

static void
run(char **argv)
{
	char path[256];

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
		setpgid(0, 0);
		job_signals_set(SIG_DFL);
		execve(path, argv, environ);
		printf("sh: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);          /* both sides: whichever runs first */
	wait_job(pid, argv[0]);
}

/* fg: continue the stopped job in the foreground. */
static void
fg(void)
{
	pid_t pid = stopped_pid;

	if (pid == 0) {
		printf("sh: fg: no stopped job\n");
		return;
	}
	stopped_pid = 0;
	kill(-pid, SIGCONT);
	wait_job(pid, stopped_name);
}

int
main(void)
{
	char line[256], *argv[MAXARGS];

	job_signals_set(SIG_IGN);
	setpgid(0, 0);              /* a group of its own, */
	foreground(getpgrp());      /* in the foreground */
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
		if (strcmp(argv[0], "fg") == 0) {
			fg();
			continue;
		}
		if (strcmp(argv[0], "help") == 0) {
			printf("programs are in /bin; /tests holds the test programs\n");
			continue;
		}
		run(argv);
	}
}
