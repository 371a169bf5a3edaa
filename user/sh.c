/*
 * user/sh.c - a small shell: reads a line, splits it into words, runs
 * the program (found in /bin when the name has no '/'), waits for it and
 * reports how it ended - nothing for status 0, "[NAME exited with status
 * N]" for any other, "[NAME killed by signal N]" when a signal ended it.
 * Built in: exit [status], help, fg, cd [DIR], echo [WORDS].  The
 * programs in /bin are user/'s: ls, cat, mkdir, rm, mv, ln, sync, hello,
 * forkdemo, mmapdemo, swapdemo, vmmap (and init, sh).
 *
 * Redirections: a command may carry "> FILE" (create or truncate),
 * ">> FILE" (append) and "< FILE" (read), anywhere among its words and
 * with or without the space.  The child opens the file and dup2()s it
 * onto 1 or 0 before exec, so the program never knows:
 *
 *   $ echo hi > /tmp/a           child: open("/tmp/a", O_WRONLY|O_CREAT|
 *   $ cat < /tmp/a                      O_TRUNC, 0644) = 3; dup2(3, 1);
 *   hi                                  close(3); then echo writes to 1
 *
 * echo is built in but runs in that child too, so its output goes where
 * the redirection says; cd must change the shell's own directory, so it
 * runs in the shell.
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
 *   sh: nosuch: No such file or directory (ENOENT)
 *   [nosuch exited with status 127]
 *   $ /mnt/etc/profile
 *   sh: /mnt/etc/profile: Permission denied (EACCES)
 *   sh:   not a regular file with an x bit (chmod +x; a source file must be compiled first)
 *   [/mnt/etc/profile exited with status 127]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "uvmkern_errno.h"

#define MAXARGS 32
#define LINE_MAX_SH 4200          /* a PATH_MAX path and some arguments */

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

/*
 * A command's redirections, taken out of its words by redirections():
 * the file for stdin and for stdout (NULL: the shell's own), and whether
 * stdout appends.
 */
struct redir {
	const char *in, *out;
	int append;
};

/* Move "<", ">" and ">>" with their file names from argv into r; returns
 * the words left, or -1 (with a message) when a file name is missing. */
static int
redirections(char **argv, struct redir *r)
{
	int n = 0;

	*r = (struct redir){ NULL, NULL, 0 };
	for (int i = 0; argv[i] != NULL; i++) {
		char *w = argv[i], op = w[0];
		if (op != '<' && op != '>') {
			argv[n++] = w;
			continue;
		}
		int append = op == '>' && w[1] == '>';
		w += 1 + append;
		if (*w == '\0' && (w = argv[++i]) == NULL) {
			fprintf(stderr, "sh: %c: no file name\n", op);
			return -1;
		}
		if (op == '<')
			r->in = w;
		else
			r->out = w, r->append = append;
	}
	argv[n] = NULL;
	return n;
}

/* Open path and put it on fd (in the child); 0, or -1 with a message. */
static int
redirect(const char *path, int flags, int fd)
{
	int f = open(path, flags, 0644);

	if (f < 0) {
		fprintf(stderr, "sh: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (f != fd) {
		dup2(f, fd);
		close(f);
	}
	return 0;
}

/* Why name (the file path) did not start: the error's words and name,
 * and what to try (user/include/uvmkern_errno.h). */
static void
exec_failed(const char *who, const char *name, const char *path, int e)
{
	const char *ename = uvmkern_errno_name(e), *hint = NULL;
	int exists = access(path, F_OK) == 0;

	fprintf(stderr, "%s: %s: %s%s%s%s\n", who, name, strerror(e),
	    ename ? " (" : "", ename ? ename : "", ename ? ")" : "");
	if (e != ENOENT || exists)      /* "no such file" says it all */
		hint = uvmkern_exec_hint(e, exists);
	if (hint != NULL)
		fprintf(stderr, "%s:   %s\n", who, hint);
}

/* The child's side of a command: redirections, then echo or exec. */
static void
child(char **argv, const struct redir *r, const char *path)
{
	setpgid(0, 0);
	job_signals_set(SIG_DFL);
	if (r->in != NULL && redirect(r->in, O_RDONLY, 0) < 0)
		_exit(1);
	if (r->out != NULL && redirect(r->out, O_WRONLY | O_CREAT |
	    (r->append ? O_APPEND : O_TRUNC), 1) < 0)
		_exit(1);
	if (strcmp(argv[0], "echo") == 0) {
		for (int i = 1; argv[i] != NULL; i++)
			printf("%s%s", i > 1 ? " " : "", argv[i]);
		printf("\n");
		exit(0);            /* exit, not _exit: flush stdout */
	}
	execve(path, argv, environ);
	exec_failed("sh", argv[0], path, errno);
	_exit(127);
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
run(char **argv, const struct redir *r)
{
	char path[LINE_MAX_SH + 8];     /* "/bin/" + the longest name */

	if (strchr(argv[0], '/') != NULL)
		snprintf(path, sizeof(path), "%s", argv[0]);
	else
		snprintf(path, sizeof(path), "/bin/%s", argv[0]);
	pid_t pid = fork();
	if (pid < 0) {
		printf("sh: fork: %s\n", strerror(errno));
		return;
	}
	if (pid == 0)
		child(argv, r, path);
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

/* cd: the shell's own working directory (no argument: /). */
static void
cd(const char *dir)
{
	if (dir == NULL)
		dir = "/";
	if (chdir(dir) < 0)
		printf("sh: cd: %s: %s\n", dir, strerror(errno));
}

/*
 * A line that did not fit (no newline, more waiting): throw the rest of
 * it away and say so, rather than run its pieces as separate commands.
 * A path as long as the kernel allows (4095 bytes) still fits.
 */
static int
line_too_long(const char *line)
{
	int c;

	if (strchr(line, '\n') != NULL || strlen(line) < LINE_MAX_SH)
		return 0;
	while ((c = getchar()) != EOF && c != '\n')
		;
	printf("sh: line too long (at most %d characters)\n", LINE_MAX_SH);
	return 1;
}

int
main(void)
{
	char line[LINE_MAX_SH + 2], *argv[MAXARGS];
	struct redir r;

	job_signals_set(SIG_IGN);
	setpgid(0, 0);              /* a group of its own, */
	foreground(getpgrp());      /* in the foreground */
	printf("uvmkern shell: type a program name (ls, cat, mkdir, rm, mv, "
	    "ln, hello, forkdemo, ...), echo, cd, help, or exit\n");
	for (;;) {
		printf("$ ");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			return 0;
		if (line_too_long(line))
			continue;
		if (split(line, argv) == 0 || redirections(argv, &r) <= 0)
			continue;
		if (strcmp(argv[0], "exit") == 0)
			return argv[1] != NULL ? atoi(argv[1]) : 0;
		if (strcmp(argv[0], "fg") == 0) {
			fg();
			continue;
		}
		if (strcmp(argv[0], "cd") == 0) {
			cd(argv[1]);
			continue;
		}
		if (strcmp(argv[0], "help") == 0) {
			printf("programs are in /bin; /tests holds the test programs\n");
			continue;
		}
		run(argv, &r);
	}
}
