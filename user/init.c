/*
 * user/init.c - the first user program: runs the tests or the user's job.
 *
 * The same static binary is /init on Linux (make test-linux) and on
 * uvmkern.  Its words come from the kernel command line: /proc/cmdline
 * when it can be read, else the environment (Linux hands unknown
 * key=value words to init as environment variables).
 *
 *   utest=1 | utest=all        test mode: every program in /tests
 *   utest=GLOB[,GLOB...]       only the programs matching a glob; a glob
 *                              "prog/test*" runs only those tests of prog
 *                              (the harness's own selfcheck program,
 *                              which fails on purpose, runs only when
 *                              named exactly: utest=selfcheck)
 *   init=PATH                  otherwise: run PATH with init's own
 *                              arguments (default /bin/sh)
 *
 * Test mode runs each executable file of /tests, in name order, in a
 * child whose output comes back through a pipe.  Init echoes it with the
 * TAP lines renumbered into one sequence, turns each program's closing
 * line into a "#" comment, and checks the program's end: a death by
 * signal, a missing or inconsistent closing line, a non-zero status with
 * no failed test, or a hang past PROG_TIMEOUT_S is one more failure,
 * with a "not ok" line saying which.  The run ends with exactly one
 * line "utest: N passed, N failed" (skips count as passed, and are
 * summed on a "#" line before it).
 *
 * Then init leaves QEMU with a value: 0 for pass or 1 for fail in test
 * mode; in normal mode the program's exit status (128 + signal for a
 * signal death).  On Linux, ioperm(0xf4) lets init write the value to the
 * isa-debug-exit device (kern/core/qemu.h): QEMU exits with
 * (2 * value + 1) & 0xff.  uvmkern gives user programs no I/O ports
 * (ioperm is EPERM), so there a value of 0 is a power-off,
 * reboot(RB_POWER_OFF), which the kernel turns into the same QEMU status
 * 1 (this is how the shell's `exit` leaves `make run`); any other value
 * is init's own exit status, which the kernel passes on to QEMU when
 * booted with initexit=1 (as make run does).  All of that only as pid 1:
 * started any other way (by hand on a development machine), init mounts
 * nothing and just exits with the value (0 pass, 1 fail in test mode).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "uvmkern_errno.h"

#define TESTS_DIR "/tests"
#define MAX_PROGS 128
#define MAX_GLOBS 32
#ifndef PROG_TIMEOUT_S
#define PROG_TIMEOUT_S 180   /* per program */
#endif
#define GRACE_S 2
#define SELFCHECK "selfcheck"   /* run only when named exactly */
#define QEMU_EXIT_PORT 0xf4

/* The whole run's counts. */
struct totals {
	int passed, failed, skipped;
	int tap_no;             /* the last TAP number printed */
};

/* One test program's output, as init parsed it. */
struct progrun {
	const char *name;
	int ok, not_ok, skipped;
	int closing_seen, closing_passed, closing_failed;
	char partial[1024];     /* a line still being received */
	size_t plen;
};

/* ---- output ---- */

static void
out(const char *fmt, ...)
{
	char buf[1200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (char *s = buf; n > 0;) {
		ssize_t w = write(1, s, (size_t)n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (int)w;
	}
}

/* Why path did not start: the error's words and name, and what to try
 * (user/include/uvmkern_errno.h). */
static void
exec_failed(const char *path, int e)
{
	const char *ename = uvmkern_errno_name(e);
	const char *hint = uvmkern_exec_hint(e, access(path, F_OK) == 0);

	out("init: cannot run %s: %s (%s)\n", path, strerror(e), ename ? ename : "?");
	if (hint != NULL)
		out("init:   %s\n", hint);
}

/* ---- the command line ---- */

static char cmdline[4096];

static void
read_cmdline(void)
{
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline) - 1) : -1;

	cmdline[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* The value of key=value from the command line (quotes allowed), or env. */
static const char *
option(const char *key)
{
	static char value[1024];
	size_t klen = strlen(key);

	for (const char *w = cmdline; *w != '\0';) {
		const char *end;

		while (*w == ' ' || *w == '\n')
			w++;
		end = w;
		for (int quoted = 0; *end && (quoted || (*end != ' ' && *end != '\n')); end++)
			if (*end == '"')
				quoted = !quoted;
		if (strncmp(w, key, klen) == 0 && w[klen] == '=') {
			size_t n = 0;
			for (const char *s = w + klen + 1; s < end && n < sizeof(value) - 1; s++)
				if (*s != '"')
					value[n++] = *s;
			value[n] = '\0';
			return value;
		}
		w = end;
	}
	return getenv(key);
}

/* ---- Linux boot environment ---- */

/*
 * The writable places uvmkern mounts at boot, made the same on Linux:
 * tmpfs on /tmp and /dev/shm, and the ext2 disk image (a virtio disk,
 * tools/linux/test-linux.sh) on /mnt.  Debian builds the virtio disk
 * driver and ext4 (which mounts ext2) as modules: test-linux puts them
 * in /lib/modules, numbered so name order is load order, and they are
 * loaded here.  The disk is the first /dev/vdX that mounts as ext2; a
 * line "# init: ext2 /dev/vdX on /mnt" says which (test-linux checks
 * for it).  uvmkern has no /lib/modules and mounts these itself.
 */
#define MODULES_DIR "/lib/modules"
#define DISK_MOUNT "/mnt"

static void
load_modules(void)
{
	struct dirent **names;
	int n = scandir(MODULES_DIR, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char path[512];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", MODULES_DIR, names[i]->d_name);
		fd = strstr(names[i]->d_name, ".ko") ? open(path, O_RDONLY | O_CLOEXEC) : -1;
		if (fd >= 0 && syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)
			out("init: loading %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/* Mounts the first virtio disk holding ext2 on /mnt; 0 if one did. */
static int
mount_disk(void)
{
	for (char c = 'a'; c <= 'z'; c++) {
		char dev[16], sys[64];

		snprintf(dev, sizeof(dev), "/dev/vd%c", c);
		snprintf(sys, sizeof(sys), "/sys/block/vd%c", c);
		if (access(dev, F_OK) != 0 && access(sys, F_OK) != 0)
			break;
		for (int tries = 0; access(dev, F_OK) != 0 && tries < 50; tries++)
			usleep(20000);          /* devtmpfs makes the node */
		if (mount(dev, DISK_MOUNT, "ext2", 0, NULL) == 0) {
			out("# init: ext2 %s on %s\n", dev, DISK_MOUNT);
			return 0;
		}
	}
	return -1;
}

static void
prepare_linux_files(void)
{
	struct utsname u;

	if (uname(&u) != 0 || strcmp(u.sysname, "Linux") != 0)
		return;
	mkdir("/tmp", 01777);
	mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777");
	mkdir("/dev/shm", 01777);
	mount("tmpfs", "/dev/shm", "tmpfs", 0, "mode=1777");
	if (access("/sys/block", F_OK) != 0) {
		mkdir("/sys", 0555);
		mount("sysfs", "/sys", "sysfs", 0, NULL);
	}
	load_modules();
	mkdir(DISK_MOUNT, 0755);
	if (access(MODULES_DIR, F_OK) == 0 && mount_disk() != 0)
		out("init: no virtio disk with ext2 to mount on %s\n", DISK_MOUNT);
}

/*
 * On Linux the initramfs has no /proc or /dev until someone mounts them;
 * uvmkern has both built in, and the calls just fail there.  Only as
 * pid 1: run by hand, init mounts nothing.
 */
static void
prepare_linux(void)
{
	if (getpid() != 1)
		return;
	if (access("/proc/self", F_OK) != 0) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	if (access("/dev/null", F_OK) != 0) {
		mkdir("/dev", 0755);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	}
	prepare_linux_files();
	/* The programs get a controlling terminal, as on uvmkern (whose
	 * console is one for every tree it starts): a session of init's own,
	 * and the serial line opened without O_NOCTTY (the console device
	 * /dev/console cannot be one). */
	if (tcgetpgrp(0) >= 0)
		return;                     /* it has one (uvmkern) */
	setsid();
	int fd = open("/dev/ttyS0", O_RDWR);
	if (fd < 0)
		fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
}

/* ---- leaving ---- */

/*
 * Ends the run with code: isa-debug-exit if the port can be had, else
 * for 0 a power-off (which says "success" by itself), else init's own
 * exit - on Linux that is a panic (so the run still fails loudly), and
 * uvmkern passes init's status on to QEMU (initexit=1).
 */
static void __attribute__((noreturn))
power_off(int code)
{
	if (getpid() != 1)
		exit(code);
	tcdrain(1);                 /* the console must show the last line */
	sync();                     /* the disk's data reach the image */
	umount(DISK_MOUNT);         /* and it is left clean (e2fsck) */
	if (ioperm(QEMU_EXIT_PORT, 4, 1) == 0)
		outl((unsigned)code, QEMU_EXIT_PORT);
	sync();
	if (code == 0) {
		reboot(RB_POWER_OFF);
		out("init: cannot power off (%s)\n", strerror(errno));
	}
	_exit(code);
}

/* ---- running one test program ---- */

static void
on_alarm(int sig)
{
	(void)sig;              /* only there to interrupt read() */
}

/* "ok 3 - x" or "not ok 3 - x": returns the text after the number, or NULL. */
static const char *
tap_rest(const char *line, int *is_ok)
{
	const char *s = line;

	*is_ok = strncmp(s, "ok ", 3) == 0;
	if (*is_ok)
		s += 3;
	else if (strncmp(s, "not ok ", 7) == 0)
		s += 7;
	else
		return NULL;
	if (*s < '0' || *s > '9')
		return NULL;
	while (*s >= '0' && *s <= '9')
		s++;
	return s;
}

/* "name: N passed, N failed" for this program's name. */
static int
parse_closing(struct progrun *r, const char *line)
{
	size_t n = strlen(r->name);
	char tail;

	if (strncmp(line, r->name, n) != 0 || line[n] != ':')
		return 0;
	return sscanf(line + n, ": %d passed, %d failed%c", &r->closing_passed,
		      &r->closing_failed, &tail) == 2;
}

static void
handle_line(struct totals *t, struct progrun *r, const char *line)
{
	int is_ok;
	const char *rest = tap_rest(line, &is_ok);

	if (rest != NULL) {
		out("%s %d%s\n", is_ok ? "ok" : "not ok", ++t->tap_no, rest);
		if (!is_ok)
			r->not_ok++;
		else
			r->ok++;
		if (is_ok && strstr(rest, " # skip") != NULL)
			r->skipped++;
	} else if (parse_closing(r, line)) {
		r->closing_seen++;
		out("# %s\n", line);
	} else {
		out("%s\n", line);
	}
}

static void
take_output(struct totals *t, struct progrun *r, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || r->plen == sizeof(r->partial) - 1) {
			r->partial[r->plen] = '\0';
			handle_line(t, r, r->partial);
			r->plen = 0;
			if (buf[i] == '\n')
				continue;
		}
		r->partial[r->plen++] = buf[i];
	}
}

static pid_t
start_program(const char *path, char **argv, int *fd)
{
	int p[2];
	pid_t pid;

	if (pipe(p) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execv(path, argv);
		exec_failed(path, errno);
		_exit(127);
	}
	close(p[1]);
	*fd = p[0];
	return pid;
}

static long
seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

/*
 * Reads the program's output until EOF, and reaps the program into
 * *status; returns 0 if it had to be killed for running too long.  A
 * one-second alarm wakes each read, so init notices the program's end
 * even when a leftover child of it still holds the pipe open (then
 * init stops reading GRACE_S seconds later), and notices a hang.
 */
static int
drain_output(struct totals *t, struct progrun *r, int fd, pid_t pid, int *status)
{
	long start = seconds_now();
	int reaped = 0, grace = 0, in_time = 1;
	char buf[4096];
	ssize_t n;

	for (;;) {
		alarm(1);
		n = read(fd, buf, sizeof(buf));
		alarm(0);
		if (n > 0) {
			take_output(t, r, buf, (size_t)n);
			continue;
		}
		if (n == 0 || errno != EINTR)
			break;
		if (!reaped && waitpid(pid, status, WNOHANG) == pid)
			reaped = 1;
		if (reaped && ++grace > GRACE_S)
			break;
		if (!reaped && in_time && seconds_now() - start > PROG_TIMEOUT_S) {
			kill(-pid, SIGKILL);    /* its process group, then itself */
			kill(pid, SIGKILL);
			in_time = 0;
		}
	}
	while (!reaped && waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	if (r->plen > 0) {
		r->partial[r->plen] = '\0';
		handle_line(t, r, r->partial);
		r->plen = 0;
	}
	return in_time;
}

static void
add_failure(struct totals *t, struct progrun *r, const char *why)
{
	out("not ok %d - %s # %s\n", ++t->tap_no, r->name, why);
	r->not_ok++;
}

/* Turns the way the program ended into failures of its own. */
static void
judge_end(struct totals *t, struct progrun *r, int status, int in_time)
{
	char why[200];

	if (!in_time) {
		snprintf(why, sizeof(why), "timed out after %d s", PROG_TIMEOUT_S);
		add_failure(t, r, why);
	} else if (WIFSIGNALED(status)) {
		snprintf(why, sizeof(why), "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
		add_failure(t, r, why);
	} else if (r->closing_seen != 1) {
		snprintf(why, sizeof(why), "%s its closing line '%s: N passed, N failed' (exit status %d)",
			 r->closing_seen ? "repeated" : "stopped without", r->name,
			 WEXITSTATUS(status));
		add_failure(t, r, why);
	} else if (r->closing_passed != r->ok || r->closing_failed != r->not_ok) {
		snprintf(why, sizeof(why), "closing line says %d passed, %d failed "
			 "but %d ok and %d not ok lines came", r->closing_passed,
			 r->closing_failed, r->ok, r->not_ok);
		add_failure(t, r, why);
	} else if ((WEXITSTATUS(status) != 0) != (r->not_ok != 0)) {
		snprintf(why, sizeof(why), "exit status %d does not match %d failed",
			 WEXITSTATUS(status), r->not_ok);
		add_failure(t, r, why);
	}
}

static void
run_test_program(struct totals *t, const char *name, char **globs, int nglobs)
{
	static struct progrun r;
	char path[300];
	char *argv[MAX_GLOBS + 2];
	int argc = 0, fd, status = 0, in_time;
	pid_t pid;

	memset(&r, 0, sizeof(r));
	r.name = name;
	snprintf(path, sizeof(path), "%s/%s", TESTS_DIR, name);
	argv[argc++] = path;
	for (int i = 0; i < nglobs; i++)
		argv[argc++] = globs[i];
	argv[argc] = NULL;
	pid = start_program(path, argv, &fd);
	if (pid < 0) {
		add_failure(t, &r, "could not start it (pipe or fork failed)");
	} else {
		in_time = drain_output(t, &r, fd, pid, &status);
		close(fd);
		judge_end(t, &r, status, in_time);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)   /* orphans of the test */
		;
	t->passed += r.ok;
	t->failed += r.not_ok;
	t->skipped += r.skipped;
}

/* ---- test mode ---- */

static int
is_program(const char *name)
{
	char path[300];
	struct stat st;

	if (name[0] == '.')
		return 0;
	snprintf(path, sizeof(path), "%s/%s", TESTS_DIR, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
list_programs(char **names)
{
	DIR *d = opendir(TESTS_DIR);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && n < MAX_PROGS)
		if (is_program(e->d_name))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	return n;
}

/* Splits "a,b/c*" into globs; "1" and "all" mean everything (no globs). */
static int
split_selection(char *sel, char **globs)
{
	int n = 0;

	if (strcmp(sel, "1") == 0 || strcmp(sel, "all") == 0)
		return 0;
	for (char *g = strtok(sel, ","); g != NULL && n < MAX_GLOBS; g = strtok(NULL, ","))
		globs[n++] = g;
	return n;
}

/*
 * Which tests of program name the selection asks for: -1 none, else the
 * number of test globs put in tests (0: all of them).  The harness's own
 * selfcheck program (tests/user/selfcheck.c) fails on purpose: only a
 * selection naming it exactly runs it.
 */
static int
select_program(const char *name, char **globs, int nglobs, char **tests)
{
	int exact_only = strcmp(name, SELFCHECK) == 0;
	int ntests = 0, whole = nglobs == 0 && !exact_only;

	for (int i = 0; i < nglobs; i++) {
		char prog[128], *slash;

		snprintf(prog, sizeof(prog), "%s", globs[i]);
		slash = strchr(prog, '/');
		if (slash)
			*slash = '\0';
		if (exact_only ? strcmp(prog, name) != 0 : fnmatch(prog, name, 0) != 0)
			continue;
		if (slash)
			tests[ntests++] = strchr(globs[i], '/') + 1;
		else
			whole = 1;
	}
	if (whole)
		return 0;
	return ntests > 0 ? ntests : -1;
}

static void __attribute__((noreturn))
test_mode(char *selection)
{
	static struct totals t;
	char *names[MAX_PROGS], *globs[MAX_GLOBS], *tests[MAX_GLOBS];
	int nglobs = split_selection(selection, globs);
	int n = list_programs(names), ran = 0;
	struct utsname u;

	if (uname(&u) == 0)
		out("# utest: %d programs in %s, on %s %s\n", n, TESTS_DIR,
		    u.sysname, u.release);
	if (n < 0)
		out("init: cannot list %s: %s\n", TESTS_DIR, strerror(errno));
	for (int i = 0; i < n; i++) {
		int ntests = select_program(names[i], globs, nglobs, tests);
		if (ntests < 0)
			continue;
		run_test_program(&t, names[i], tests, ntests);
		ran++;
	}
	if (ran == 0) {
		out("not ok %d - init # no test program matched utest=%s\n",
		    ++t.tap_no, selection);
		t.failed++;
	}
	if (t.skipped > 0)
		out("# utest: %d skipped (they need uvmkern's own system calls)\n",
		    t.skipped);
	out("utest: %d passed, %d failed\n", t.passed, t.failed);
	power_off(t.failed == 0 ? 0 : 1);
}

/* ---- normal mode ---- */

static void __attribute__((noreturn))
run_mode(const char *prog, int argc, char **argv)
{
	char *args[64];
	int n = 0, status;
	pid_t pid, w;

	args[n++] = (char *)prog;
	for (int i = 1; i < argc && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	pid = fork();
	if (pid == 0) {
		execv(prog, args);
		exec_failed(prog, errno);
		_exit(127);
	}
	if (pid < 0) {
		out("init: fork: %s\n", strerror(errno));
		power_off(127);
	}
	while ((w = waitpid(-1, &status, 0)) != pid)   /* reap orphans too */
		if (w < 0 && errno != EINTR)
			power_off(127);
	if (WIFSIGNALED(status)) {
		out("init: %s killed by signal %d (%s)\n", prog, WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
		power_off(128 + WTERMSIG(status));
	}
	out("init: %s exited with status %d\n", prog, WEXITSTATUS(status));
	power_off(WEXITSTATUS(status));
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	const char *sel, *prog;

	prepare_linux();
	read_cmdline();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;       /* no SA_RESTART: read gets EINTR */
	sigaction(SIGALRM, &sa, NULL);
	sel = option("utest");
	if (sel != NULL && *sel != '\0' && strcmp(sel, "0") != 0)
		test_mode(strdup(sel));
	prog = option("init");
	run_mode(prog != NULL && *prog != '\0' ? prog : "/bin/sh", argc, argv);
}
