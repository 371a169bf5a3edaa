/*
 * tests/user/utest.c - the runner and helpers behind utest.h.
 *
 * main() forks one process per test.  That process runs the test and
 * prints its own TAP line, then exits 0 (passed), UT_EXIT_FAILED or
 * UT_EXIT_SKIPPED, so the line always carries the test's own message.
 * Any other end - a signal, another exit code, no end within
 * UT_TIMEOUT_S - is the runner's to report.  Each test process leads a
 * process group of its own, so a timeout kills its children too.
 *
 * On a kernel still without fork (fork is ENOSYS) the tests run one after
 * the other in the program's own process, a failed assertion jumping
 * back to the runner: bring-up can start before fork works.
 */
#define _GNU_SOURCE
#include "utest.h"
#include "uvmkern.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define UT_EXIT_FAILED 1
#define UT_EXIT_SKIPPED 77
#ifndef UT_TIMEOUT_S
#define UT_TIMEOUT_S 60      /* per test */
#endif
#define UT_MAX_TESTS 512

extern const struct utest __start_utests[], __stop_utests[];

static const char *prog = "?";        /* basename of argv[0] */
static const char *self_path = "";    /* argv[0] */
static const struct utest *current;   /* the test this process runs */
static int current_no;                /* its TAP number */
static pid_t test_pid;                /* the process running it */
static int in_process;                /* fork is ENOSYS: no test processes */
static sigjmp_buf in_process_jb;      /* where a test ends in that case */

/* The test is over, with UT_EXIT_* status: leave its process (or jump). */
static void __attribute__((noreturn))
end_test(int status)
{
	if (in_process)
		siglongjmp(in_process_jb, status + 1);
	_exit(status);
}

/* ---- output ---- */

static void
put(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(1, s, n);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

/*
 * Formats one line and writes it with a single write().  When another
 * test run reports for us (UTEST_NESTED set, as the kernel's test suite
 * does), every line is indented four spaces - a TAP subtest - so the
 * outer run keeps the only unindented verdict lines.
 */
static void
putline(const char *fmt, va_list ap)
{
	char buf[1024];
	int off = getenv("UTEST_NESTED") != NULL ? 4 : 0;
	int n = vsnprintf(buf + off, sizeof(buf) - 1 - (size_t)off, fmt, ap);

	if (n < 0)
		return;
	memset(buf, ' ', (size_t)off);
	n += off;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	put(buf, (size_t)n);
}

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	putline(fmt, ap);
	va_end(ap);
}

void
ut_note(const char *fmt, ...)
{
	char buf[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say("# %s", buf);
}

const char *
ut_errname(int err)
{
	static const struct { int e; const char *name; } names[] = {
		{ 0, "no error" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" }, { EINTR, "EINTR" }, { EIO, "EIO" },
		{ E2BIG, "E2BIG" }, { ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" },
		{ ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" },
		{ EISDIR, "EISDIR" }, { EINVAL, "EINVAL" }, { EMFILE, "EMFILE" },
		{ ENOTTY, "ENOTTY" }, { EFBIG, "EFBIG" }, { ESPIPE, "ESPIPE" },
		{ EROFS, "EROFS" }, { EPIPE, "EPIPE" }, { ERANGE, "ERANGE" },
		{ ENAMETOOLONG, "ENAMETOOLONG" }, { ENOSYS, "ENOSYS" },
		{ EOVERFLOW, "EOVERFLOW" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ETXTBSY, "ETXTBSY" }, { ELOOP, "ELOOP" },
		{ ENXIO, "ENXIO" }, { EXDEV, "EXDEV" }, { ENOSPC, "ENOSPC" },
		{ EMLINK, "EMLINK" }, { ENOTEMPTY, "ENOTEMPTY" },
		{ EDQUOT, "EDQUOT" }, { ENODATA, "ENODATA" },
	};
	static char other[32];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == err)
			return names[i].name;
	snprintf(other, sizeof(other), "errno %d", err);
	return other;
}

const char *
ut_status_str(int status)
{
	static char buf[64];

	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sizeof(buf), "wait status 0x%x", status);
	return buf;
}

/* ---- assertions ---- */

void
ut_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ut_context != NULL)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), " [%s]",
			 ut_context);
	if (getpid() != test_pid) {
		say("# pid %d: %s:%d: %s", (int)getpid(), file, line, msg);
		_exit(UT_CHILD_FAILED);
	}
	say("not ok %d - %s/%s # %s:%d: %s", current_no, prog, current->name,
	    file, line, msg);
	end_test(UT_EXIT_FAILED);
}

/* Small values in decimal, large ones (addresses) in hex. */
static void
fmt_value(char *buf, size_t size, long long v)
{
	if (v > -1000000 && v < 1000000)
		snprintf(buf, size, "%lld", v);
	else
		snprintf(buf, size, "0x%llx", (unsigned long long)v);
}

void
ut_fail_eq(const char *file, int line, const char *expr, long long a,
	   long long b)
{
	char sa[32], sb[32];

	fmt_value(sa, sizeof(sa), a);
	fmt_value(sb, sizeof(sb), b);
	ut_fail(file, line, "%s (%s != %s)", expr, sa, sb);
}

void
ut_fail_err(const char *file, int line, const char *call, long r, int got,
	    int want)
{
	char want_name[32];

	snprintf(want_name, sizeof(want_name), "%s", ut_errname(want));
	if (r != -1)
		ut_fail(file, line, "%s should fail with %s, returned %ld",
			call, want_name, r);
	ut_fail(file, line, "%s should fail with %s, got %s", call,
		want_name, ut_errname(got));
}

void
ut_skip(const char *reason)
{
	if (getpid() != test_pid) {      /* skipping is the test's decision */
		say("# pid %d: skip in a forked child: %s", (int)getpid(), reason);
		_exit(UT_CHILD_FAILED);
	}
	say("ok %d - %s/%s # skip: %s", current_no, prog, current->name, reason);
	end_test(UT_EXIT_SKIPPED);
}

static int
wait_for(const char *file, int line, pid_t pid)
{
	int status;
	pid_t w;

	do
		w = waitpid(pid, &status, 0);
	while (w == -1 && errno == EINTR);
	if (w != pid)
		ut_fail(file, line, "waitpid(%d) returned %d: %s", (int)pid,
			(int)w, ut_errname(errno));
	return status;
}

void
ut_child_exits(const char *file, int line, pid_t pid, int code)
{
	int status = wait_for(file, line, pid);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != code)
		ut_fail(file, line, "child %d %s, expected exit %d%s", (int)pid,
			ut_status_str(status), code,
			WIFEXITED(status) && WEXITSTATUS(status) == UT_CHILD_FAILED
				? " (its assertion failed: see above)" : "");
}

void
ut_child_killed(const char *file, int line, pid_t pid, int sig)
{
	int status = wait_for(file, line, pid);

	if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
		ut_fail(file, line, "child %d %s, expected killed by signal %d",
			(int)pid, ut_status_str(status), sig);
}

/* ---- faults ---- */

static sigjmp_buf probe_jb;
static volatile struct ut_fault probe_seen;

static void
probe_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	probe_seen.signo = sig;
	probe_seen.code = si->si_code;
	probe_seen.addr = si->si_addr;
	siglongjmp(probe_jb, sig);
}

enum probe_mode { PROBE_READ, PROBE_WRITE, PROBE_EXEC };

/* Load from addr, store value at it, or call it, as mode says. */
static int
probe(volatile unsigned char *addr, enum probe_mode mode, unsigned char value,
      struct ut_fault *f)
{
	struct sigaction sa, old_segv, old_bus;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = probe_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	probe_seen.signo = 0;
	sig = sigsetjmp(probe_jb, 1);
	if (sig == 0) {
		if (mode == PROBE_WRITE)
			*addr = value;
		else if (mode == PROBE_EXEC)
			((void (*)(void))(uintptr_t)addr)();
		else
			(void)*addr;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	if (f != NULL) {
		f->signo = probe_seen.signo;
		f->code = probe_seen.code;
		f->addr = probe_seen.addr;
	}
	return sig;
}

int
ut_probe_read(const volatile void *addr, struct ut_fault *f)
{
	return probe((volatile unsigned char *)(uintptr_t)addr, PROBE_READ, 0, f);
}

int
ut_probe_write(volatile void *addr, unsigned char value, struct ut_fault *f)
{
	return probe(addr, PROBE_WRITE, value, f);
}

int
ut_probe_exec(const void *addr, struct ut_fault *f)
{
	return probe((volatile unsigned char *)(uintptr_t)addr, PROBE_EXEC, 0, f);
}

/* ---- counting signals ---- */

volatile sig_atomic_t ut_signals;

static void
count_signal(int sig)
{
	(void)sig;
	ut_signals++;
}

void
ut_count_signal(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_signal;
	if (sigaction(sig, &sa, NULL) != 0)
		ut_fail(__FILE__, __LINE__, "sigaction(%d): %s", sig, ut_errname(errno));
	ut_signals = 0;
}

/* ---- uvmkern's vm_query ---- */

void
ut_query_at(const char *file, int line, const void *addr, struct vm_query *q)
{
	memset(q, 0, sizeof(*q));
	errno = 0;
	if (vm_query(addr, q) == 0)
		return;
	if (errno == ENOSYS)
		ut_skip("vm_query is uvmkern-only (ENOSYS here)");
	ut_fail(file, line, "vm_query(%p) failed: %s", addr, ut_errname(errno));
}

/* ---- memory ---- */

void *
ut_map(size_t npages, int prot)
{
	int fence = prot == PROT_NONE ? PROT_READ : PROT_NONE;
	char *r, *p;

	r = mmap(NULL, (npages + 2) * PAGE, fence, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (r == MAP_FAILED)
		ut_fail(__FILE__, __LINE__, "ut_map: mmap: %s", ut_errname(errno));
	p = mmap(r + PAGE, npages * PAGE, prot,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p != r + PAGE)
		ut_fail(__FILE__, __LINE__, "ut_map: mmap fixed: %s",
			ut_errname(errno));
	return p;
}

void
ut_unmap(void *p, size_t npages)
{
	if (munmap((char *)p - PAGE, (npages + 2) * PAGE) != 0)
		ut_fail(__FILE__, __LINE__, "ut_unmap: %s", ut_errname(errno));
}

void
ut_make_bad(struct ut_bad *b)
{
	char *hole = ut_map(1, RW);
	char *two = ut_map(2, RW);
	long common[] = {
		0, 1, PAGE - 1, (long)hole, (long)ut_map(1, PROT_NONE),
		(long)0xffff800000000000UL, (long)0xffffffff80100000UL,
		(long)0x0000800000000000UL, -1L,
	};

	if (munmap(hole, PAGE) != 0 || munmap(two + PAGE, PAGE) != 0)
		ut_fail(__FILE__, __LINE__, "ut_make_bad: munmap: %s",
			ut_errname(errno));
	b->nin = b->nout = 0;
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		b->in[b->nin++] = b->out[b->nout++] = common[i];
	b->out[b->nout++] = (long)ut_map(1, PROT_READ);
	b->straddle = (long)(two + PAGE - 4);
}

/* ---- /proc ---- */

/* Calls fn(line, arg) for each line of the file; returns -1 if unreadable. */
static int
each_line(const char *path, void (*fn)(const char *, void *), void *arg)
{
	static char buf[65536];
	size_t have = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *start = buf, *nl;

		have += (size_t)n;
		buf[have] = '\0';
		while ((nl = memchr(start, '\n', have - (size_t)(start - buf)))) {
			*nl = '\0';
			fn(start, arg);
			start = nl + 1;
		}
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
	}
	close(fd);
	if (have > 0) {
		buf[have] = '\0';
		fn(buf, arg);
	}
	return 0;
}

struct maps_walk {
	uintptr_t lo, hi;
	int count;
	char *perms;
};

static int
parse_maps_line(const char *line, uintptr_t *start, uintptr_t *end,
		char perms[5])
{
	unsigned long s, e;

	if (sscanf(line, "%lx-%lx %4s", &s, &e, perms) != 3)
		return -1;
	*start = s;
	*end = e;
	return 0;
}

static void
count_overlapping(const char *line, void *arg)
{
	struct maps_walk *w = arg;
	uintptr_t s, e;
	char perms[5];

	if (parse_maps_line(line, &s, &e, perms) == 0 && s < w->hi && e > w->lo)
		w->count++;
}

int
ut_maps_count(const void *lo, const void *hi)
{
	struct maps_walk w = { (uintptr_t)lo, (uintptr_t)hi, 0, NULL };

	if (each_line("/proc/self/maps", count_overlapping, &w) < 0)
		ut_fail(__FILE__, __LINE__, "open /proc/self/maps: %s",
			ut_errname(errno));
	return w.count;
}

int
ut_maps_total(void)
{
	return ut_maps_count((void *)0, (void *)UINTPTR_MAX);
}

static void
find_perms(const char *line, void *arg)
{
	struct maps_walk *w = arg;
	uintptr_t s, e;
	char perms[5];

	if (parse_maps_line(line, &s, &e, perms) == 0 && s <= w->lo && w->lo < e) {
		memcpy(w->perms, perms, 5);
		w->count++;
	}
}

int
ut_maps_perms(const void *addr, char perms[5])
{
	struct maps_walk w = { (uintptr_t)addr, 0, 0, perms };

	if (each_line("/proc/self/maps", find_perms, &w) < 0)
		ut_fail(__FILE__, __LINE__, "open /proc/self/maps: %s",
			ut_errname(errno));
	return w.count == 1 ? 0 : -1;
}

struct meminfo_find {
	const char *key;
	long kb;
};

static void
find_meminfo(const char *line, void *arg)
{
	struct meminfo_find *m = arg;
	size_t n = strlen(m->key);

	if (strncmp(line, m->key, n) == 0 && line[n] == ':')
		m->kb = strtol(line + n + 1, NULL, 10);
}

long
ut_meminfo_kb(const char *key)
{
	struct meminfo_find m = { key, -1 };

	each_line("/proc/meminfo", find_meminfo, &m);
	return m.kb;
}

const char *
ut_self(void)
{
	return self_path;
}

const char *
ut_datafile(const char *name)
{
	static char path[512];
	const char *slash = strrchr(self_path, '/');
	int dirlen = slash ? (int)(slash - self_path) : 1;

	snprintf(path, sizeof(path), "%.*s/data/%s", dirlen,
		 slash ? self_path : ".", name);
	return path;
}

/* ---- file systems ---- */

const char *const ut_fs_env[UT_NFS] = { "UTEST_TMP", "UTEST_DISK" };
const char *const ut_fs_default[UT_NFS] = { "/tmp", "/mnt" };
const char *ut_context;

const char *
ut_fs_root(int i)
{
	const char *e = getenv(ut_fs_env[i]);

	return e != NULL && *e != '\0' ? e : ut_fs_default[i];
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

int
ut_rm_tree(const char *path)
{
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Runs fn in a child inside a fresh folder under root; its wait status. */
static int
run_on_fs(const char *file, int line, const char *root,
	  void (*fn)(const char *dir))
{
	static char dir[512], where[600];
	int status;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/ut.%s.%d", root, prog, (int)getpid());
	snprintf(where, sizeof(where), "on %s", root);
	ut_rm_tree(dir);                /* a leftover of a killed run */
	if (mkdir(dir, 0755) != 0)
		ut_fail(file, line, "mkdir %s: %s", dir, ut_errname(errno));
	pid = fork();
	if (pid < 0)
		ut_fail(file, line, "fork: %s", ut_errname(errno));
	if (pid == 0) {
		ut_context = where;
		if (chdir(dir) != 0)
			ut_fail(file, line, "chdir %s: %s", dir, ut_errname(errno));
		fn(dir);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) != pid)
		if (errno != EINTR)
			ut_fail(file, line, "waitpid: %s", ut_errname(errno));
	if (ut_rm_tree(dir) != 0 && (WIFEXITED(status) && WEXITSTATUS(status) == 0))
		ut_fail(file, line, "removing %s: %s", dir, ut_errname(errno));
	return status;
}

int
ut_on_fs(const char *file, int line, int i, void (*fn)(const char *dir))
{
	const char *root = ut_fs_root(i);
	struct stat st;
	int status;

	if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
		ut_note("%s: no folder %s: not run there", current->name, root);
		return 0;
	}
	status = run_on_fs(file, line, root, fn);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		ut_fail(file, line, "on %s: test process %s", root,
			ut_status_str(status));
	return 1;
}

void
ut_each_fs(const char *file, int line, void (*fn)(const char *dir))
{
	int ran = 0;

	for (int i = 0; i < UT_NFS; i++)
		ran += ut_on_fs(file, line, i, fn);
	if (ran == 0)
		ut_skip("no writable file system (/tmp, /mnt)");
}

/* ---- the runner ---- */
/*
 * run_in_child runs in the test's own process: it prints the TAP line
 * and ends the process with UT_EXIT_* (end_test), which run_one reads.
 */

static void
on_alarm(int sig)
{
	(void)sig;
}

static int
by_line(const void *a, const void *b)
{
	const struct utest *x = *(const struct utest *const *)a;
	const struct utest *y = *(const struct utest *const *)b;

	return x->line - y->line;
}

static int
selected(const struct utest *t, int nglobs, char **globs)
{
	if (nglobs == 0)
		return 1;
	for (int i = 0; i < nglobs; i++)
		if (fnmatch(globs[i], t->name, 0) == 0)
			return 1;
	return 0;
}

static void
run_in_child(const struct utest *t)
{
	test_pid = getpid();
	if (!in_process)
		setpgid(0, 0);
	t->fn();
	if (getpid() != test_pid) {
		say("# pid %d: returned from %s/%s: a forked child must _exit",
		    (int)getpid(), prog, t->name);
		_exit(UT_CHILD_FAILED);
	}
	say("ok %d - %s/%s", current_no, prog, t->name);
	end_test(0);
}

/*
 * A kernel still without fork: run the test in this process.  A failed
 * assertion jumps back here; a crash or a hang ends the whole program,
 * which init reports.
 */
static int
run_here(const struct utest *t)
{
	int r;

	if (!in_process)
		say("# %s: fork is ENOSYS: running the tests in one process", prog);
	in_process = 1;
	test_pid = getpid();
	r = sigsetjmp(in_process_jb, 1);
	if (r == 0)
		run_in_child(t);
	return r - 1;
}

/* Waits up to UT_TIMEOUT_S for the test process; 0 if it timed out. */
static int
wait_test(pid_t pid, int *status)
{
	pid_t w;

	alarm(UT_TIMEOUT_S);
	w = waitpid(pid, status, 0);
	alarm(0);
	if (w == pid)
		return 1;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) == -1 && errno == EINTR)
		;
	return 0;
}

/* Runs one test; returns 1 passed (or skipped), 0 failed. */
static int
run_one(const struct utest *t, int *skipped)
{
	int status;
	pid_t pid;

	current = t;
	pid = in_process ? -1 : fork();
	if (pid == 0)
		run_in_child(t);
	if (pid < 0 && (in_process || errno == ENOSYS))
		status = run_here(t) << 8;      /* as if it had exited so */
	else if (pid < 0) {
		say("not ok %d - %s/%s # fork: %s", current_no, prog, t->name,
		    ut_errname(errno));
		return 0;
	} else if (!wait_test(pid, &status)) {
		say("not ok %d - %s/%s # timed out after %d s", current_no, prog,
		    t->name, UT_TIMEOUT_S);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == UT_EXIT_SKIPPED) {
		(*skipped)++;
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != UT_EXIT_FAILED)
		say("not ok %d - %s/%s # test process %s", current_no, prog,
		    t->name, ut_status_str(status));
	return 0;
}

static size_t
sorted_tests(const struct utest **out)
{
	size_t n = 0;

	for (const struct utest *t = __start_utests; t < __stop_utests; t++)
		if (n < UT_MAX_TESTS)
			out[n++] = t;
	qsort(out, n, sizeof(out[0]), by_line);
	return n;
}

int
utest_main(int argc, char **argv)
{
	static const struct utest *tests[UT_MAX_TESTS];
	struct sigaction sa;
	int passed = 0, failed = 0, skipped = 0;
	size_t n;

	self_path = argv[0];
	prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;      /* no SA_RESTART: waitpid gets EINTR */
	sigaction(SIGALRM, &sa, NULL);
	n = sorted_tests(tests);
	for (size_t i = 0; i < n; i++) {
		if (!selected(tests[i], argc - 1, argv + 1))
			continue;
		current_no = passed + failed + 1;
		if (run_one(tests[i], &skipped))
			passed++;
		else
			failed++;
	}
	if (skipped > 0)
		say("# %s: %d skipped", prog, skipped);
	say("%s: %d passed, %d failed", prog, passed, failed);
	return failed == 0 ? 0 : 1;
}

__attribute__((weak)) int
main(int argc, char **argv)
{
	return utest_main(argc, argv);
}

size_t
ut_slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		ut_fail(__FILE__, __LINE__, "open %s: %s", path, ut_errname(errno));
	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return n;
}
