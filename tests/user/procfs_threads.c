/*
 * tests/user/procfs_threads.c - the threads of a process in /proc, as
 * Linux shows them and ps -T, top -H read them: /proc/self/task lists
 * every live thread's id (and shrinks once one is joined);
 * /proc/self/task/TID/status and stat are that thread's (Pid: its tid,
 * Tgid: the pid, State its own: S while it waits in a pipe read, SigBlk
 * its own mask, SigPnd what was sent to it alone - tgkill - while ShdPnd
 * is the process's - kill); /proc/TID opens though /proc does not list
 * it; busybox's ps -T and top -H print a line per thread.
 *
 * A crew of three threads each blocks in a read of one pipe until the
 * test writes a byte per thread; each may first block signals of its
 * own.  Every wait for the kernel to catch up (a thread going to sleep,
 * one leaving after a join: Linux reaps it asynchronously) polls for up
 * to two seconds.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utest.h"

#define NCREW 3
#define BUSYBOX "/mnt/bin/busybox"
#define POLLS 200                       /* of 10 ms each */

static char text[16384];

struct member {
	struct crew *crew;
	pthread_t thread;
	atomic_int tid;                 /* set once it runs */
	sigset_t block;                 /* blocked by this thread alone */
};

struct crew {
	int pipe[2];
	struct member m[NCREW];
};

static pid_t
gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* A member: block its signals, say who it is, wait for its byte. */
static void *
member_main(void *arg)
{
	struct member *m = arg;
	char c;

	pthread_sigmask(SIG_BLOCK, &m->block, NULL);
	atomic_store(&m->tid, gettid_());
	while (read(m->crew->pipe[0], &c, 1) < 0)
		;
	return NULL;
}

/* Start the crew; member i blocks signal block[i] (0: none). */
static void
crew_start(struct crew *c, const int block[NCREW])
{
	memset(c, 0, sizeof(*c));
	UT_SYS(pipe(c->pipe));
	for (int i = 0; i < NCREW; i++) {
		c->m[i].crew = c;
		sigemptyset(&c->m[i].block);
		if (block != NULL && block[i] != 0)
			sigaddset(&c->m[i].block, block[i]);
		UT_EQ(pthread_create(&c->m[i].thread, NULL, member_main, &c->m[i]), 0);
	}
	for (int i = 0; i < NCREW; i++)
		while (atomic_load(&c->m[i].tid) == 0)
			usleep(1000);
}

/* Let every member go and join them. */
static void
crew_end(struct crew *c)
{
	char bytes[NCREW] = { 0 };

	UT_EQ(write(c->pipe[1], bytes, NCREW), NCREW);
	for (int i = 0; i < NCREW; i++)
		UT_EQ(pthread_join(c->m[i].thread, NULL), 0);
	close(c->pipe[0]);
	close(c->pipe[1]);
}

/* The whole of path into text; its length. */
static size_t
slurp(const char *path)
{
	return ut_slurp(path, text, sizeof(text));
}

/* The text after "key:\t" in status file path (in text), or NULL. */
static const char *
status_field(const char *path, const char *key)
{
	size_t n = strlen(key);

	slurp(path);
	for (const char *l = text; l != NULL && *l != '\0'; l = strchr(l, '\n')) {
		if (*l == '\n')
			l++;
		if (strncmp(l, key, n) == 0 && l[n] == ':')
			return l + n + 1 + strspn(l + n + 1, " \t");
	}
	ut_fail(__FILE__, __LINE__, "%s has no %s:", path, key);
}

static long
status_num(const char *path, const char *key)
{
	return strtol(status_field(path, key), NULL, 10);
}

static unsigned long
status_mask(const char *path, const char *key)
{
	return strtoul(status_field(path, key), NULL, 16);
}

static char
status_state(const char *path)
{
	return status_field(path, "State")[0];
}

static const char *
task_path(pid_t tid, const char *file)
{
	static char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/%s", (int)tid, file);
	return path;
}

/* The bit of sig in a status mask. */
static unsigned long
sigbit(int sig)
{
	return 1UL << (sig - 1);
}

/* The ids in /proc/self/task, sorted into tids; how many. */
static int
task_ids(int *tids, int max)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	UT_ASSERT(d != NULL);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		UT_ASSERT(e->d_type == DT_DIR);
		if (n < max)
			tids[n] = atoi(e->d_name);
		n++;
	}
	closedir(d);
	for (int i = 1; i < n && i < max; i++)  /* insertion sort */
		for (int j = i; j > 0 && tids[j - 1] > tids[j]; j--) {
			int t = tids[j];
			tids[j] = tids[j - 1];
			tids[j - 1] = t;
		}
	return n;
}

/* Poll until /proc/self/task has n entries; how many it has then. */
static int
settled_task_count(int n)
{
	int tids[16], c = task_ids(tids, 16);

	for (int i = 0; i < POLLS && c != n; i++) {
		usleep(10000);
		c = task_ids(tids, 16);
	}
	return c;
}

/* Poll until thread tid's State is want; its State then. */
static char
settled_state(pid_t tid, char want)
{
	char s = status_state(task_path(tid, "status"));

	for (int i = 0; i < POLLS && s != want; i++) {
		usleep(10000);
		s = status_state(task_path(tid, "status"));
	}
	return s;
}

UTEST(task_lists_every_live_thread_and_shrinks_after_a_join)
{
	struct crew c;
	int tids[16], want[NCREW + 1];

	UT_EQ(settled_task_count(1), 1);
	crew_start(&c, NULL);
	want[0] = getpid();
	for (int i = 0; i < NCREW; i++)
		want[i + 1] = c.m[i].tid;
	UT_EQ(task_ids(tids, 16), NCREW + 1);
	for (int i = 0; i < NCREW + 1; i++) {     /* the ids ascend */
		int found = 0;
		for (int j = 0; j < NCREW + 1; j++)
			found += tids[j] == want[i];
		UT_EQ(found, 1);
	}
	UT_EQ(tids[0], getpid());               /* the first thread's is the pid */
	crew_end(&c);
	UT_EQ(settled_task_count(1), 1);
	UT_EQ(task_ids(tids, 16), 1);
	UT_EQ(tids[0], getpid());
}

UTEST(each_thread_status_and_stat_name_its_tid_and_the_tgid)
{
	struct crew c;
	char path[64];

	crew_start(&c, NULL);
	UT_EQ(status_num("/proc/self/status", "Pid"), getpid());
	UT_EQ(status_num("/proc/self/status", "Tgid"), getpid());
	UT_EQ(status_num("/proc/self/status", "Threads"), NCREW + 1);
	for (int i = 0; i < NCREW; i++) {
		pid_t tid = c.m[i].tid;
		UT_EQ(status_num(task_path(tid, "status"), "Pid"), tid);
		UT_EQ(status_num(task_path(tid, "status"), "Tgid"), getpid());
		UT_EQ(status_num(task_path(tid, "status"), "Threads"), NCREW + 1);
		slurp(task_path(tid, "stat"));
		UT_EQ(atoi(text), tid);
		const char *rest = strrchr(text, ')');
		int nthreads = 0;
		UT_ASSERT(rest != NULL);
		/* fields 3 .. 20: state, 16 numbers, num_threads */
		UT_EQ(sscanf(rest + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
		    "%*u %*u %*u %*d %*d %*d %*d %d", &nthreads), 1);
		UT_EQ(nthreads, NCREW + 1);
		slurp(task_path(tid, "comm"));
		UT_ASSERT(strcmp(text, "procfs_threads\n") == 0);
		/* /proc/TID: not listed in /proc, but there, as on Linux */
		snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
		UT_EQ(status_num(path, "Pid"), tid);
		UT_EQ(status_num(path, "Tgid"), getpid());
	}
	UT_EQ(status_num(task_path(getpid(), "status"), "Pid"), getpid());
	crew_end(&c);
}

UTEST(a_thread_blocked_in_a_pipe_read_sleeps_while_the_reader_runs)
{
	struct crew c;

	crew_start(&c, NULL);
	for (int i = 0; i < NCREW; i++)
		UT_EQ(settled_state(c.m[i].tid, 'S'), 'S');
	UT_EQ(status_state(task_path(getpid(), "status")), 'R');
	UT_EQ(status_state("/proc/self/status"), 'R');
	slurp(task_path(c.m[0].tid, "wchan"));  /* what it sleeps on */
	UT_ASSERT(text[0] != '\0' && strcmp(text, "0") != 0);
	crew_end(&c);
}

UTEST(a_threads_mask_shows_in_its_own_sigblk_only)
{
	int block[NCREW] = { 0, SIGUSR1, 0 };
	struct crew c;

	crew_start(&c, block);
	UT_EQ(settled_state(c.m[1].tid, 'S'), 'S');
	UT_EQ(status_mask(task_path(c.m[1].tid, "status"), "SigBlk") & sigbit(SIGUSR1),
	    sigbit(SIGUSR1));
	UT_EQ(status_mask(task_path(c.m[0].tid, "status"), "SigBlk") & sigbit(SIGUSR1), 0);
	UT_EQ(status_mask(task_path(getpid(), "status"), "SigBlk") & sigbit(SIGUSR1), 0);
	UT_EQ(status_mask("/proc/self/status", "SigBlk") & sigbit(SIGUSR1), 0);
	crew_end(&c);
}

static void
on_signal(int sig)
{
	(void)sig;
}

UTEST(tgkill_to_a_thread_that_blocks_it_is_in_its_sigpnd_not_in_shdpnd)
{
	int block[NCREW] = { 0, SIGUSR1, 0 };
	pid_t tid;
	struct crew c;

	signal(SIGUSR1, on_signal);     /* pending, not discarded, if it came */
	crew_start(&c, block);
	tid = c.m[1].tid;
	UT_SYS(syscall(SYS_tgkill, getpid(), tid, SIGUSR1));
	UT_EQ(status_mask(task_path(tid, "status"), "SigPnd"), sigbit(SIGUSR1));
	UT_EQ(status_mask(task_path(tid, "status"), "ShdPnd"), 0);
	UT_EQ(status_mask(task_path(c.m[0].tid, "status"), "SigPnd"), 0);
	UT_EQ(status_mask("/proc/self/status", "SigPnd"), 0);
	UT_EQ(status_mask("/proc/self/status", "ShdPnd"), 0);
	crew_end(&c);                   /* it leaves with the signal pending */
	signal(SIGUSR1, SIG_DFL);
}

UTEST(kill_to_the_process_is_in_shdpnd_of_every_thread)
{
	sigset_t usr2, old;
	struct crew c;
	int sig = 0;

	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	UT_EQ(pthread_sigmask(SIG_BLOCK, &usr2, &old), 0);  /* the crew inherits it */
	crew_start(&c, NULL);
	UT_SYS(kill(getpid(), SIGUSR2));
	UT_EQ(status_mask("/proc/self/status", "ShdPnd"), sigbit(SIGUSR2));
	UT_EQ(status_mask("/proc/self/status", "SigPnd"), 0);
	for (int i = 0; i < NCREW; i++) {
		UT_EQ(status_mask(task_path(c.m[i].tid, "status"), "ShdPnd"), sigbit(SIGUSR2));
		UT_EQ(status_mask(task_path(c.m[i].tid, "status"), "SigPnd"), 0);
	}
	UT_EQ(sigwait(&usr2, &sig), 0);         /* take it back */
	UT_EQ(sig, SIGUSR2);
	UT_EQ(status_mask("/proc/self/status", "ShdPnd"), 0);
	crew_end(&c);
	UT_EQ(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
}

/* Run busybox applet argv with stdout into text; its exit status. */
static int
busybox_output(char *const argv[])
{
	int fd[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	UT_SYS(pipe(fd));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		char *const env[] = { "PATH=/bin", "COLUMNS=200", NULL };
		dup2(fd[1], 1);
		close(fd[0]);
		execve(BUSYBOX, argv, env);
		_exit(127);
	}
	close(fd[1]);
	while (n < sizeof(text) - 1 && (r = read(fd[0], text + n, sizeof(text) - 1 - n)) > 0)
		n += (size_t)r;
	text[n] = '\0';
	close(fd[0]);
	UT_SYS(waitpid(pid, &status, 0));
	return status;
}

/* Does a line of text start (after blanks) with the number id? */
static int
has_line_for(pid_t id)
{
	for (const char *l = text; *l != '\0'; ) {
		char *end;
		long v = strtol(l, &end, 10);
		if (end != l && v == id)
			return 1;
		l = strchr(l, '\n');
		if (l == NULL)
			break;
		l++;
	}
	return 0;
}

UTEST(busybox_ps_T_and_top_H_show_every_thread)
{
	char *const ps[] = { "ps", "-T", NULL };
	char *const top[] = { "top", "-H", "-b", "-n", "1", NULL };
	char *const ps_plain[] = { "ps", NULL };
	struct crew c;

	if (access(BUSYBOX, X_OK) != 0)
		ut_skip(BUSYBOX " is not there (no disk on /mnt)");
	crew_start(&c, NULL);
	UT_EQ(busybox_output(ps), 0);
	UT_ASSERT(has_line_for(getpid()));
	for (int i = 0; i < NCREW; i++)
		UT_ASSERT(has_line_for(c.m[i].tid));
	UT_EQ(busybox_output(top), 0);
	UT_ASSERT(has_line_for(getpid()));
	for (int i = 0; i < NCREW; i++)
		UT_ASSERT(has_line_for(c.m[i].tid));
	UT_EQ(busybox_output(ps_plain), 0);     /* without -T: the process once */
	UT_ASSERT(has_line_for(getpid()));
	for (int i = 0; i < NCREW; i++)
		UT_ASSERT(!has_line_for(c.m[i].tid));
	crew_end(&c);
}

int
main(int argc, char **argv)
{
	return utest_main(argc, argv);
}
