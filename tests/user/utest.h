/*
 * tests/user/utest.h - a small test library for the user test programs.
 *
 * One program per family (fork, cow, mprotect, ...), each a static musl
 * binary that runs the same on Linux and on uvmkern.  A test is a function
 * declared with UTEST:
 *
 *     UTEST(hole_faults_with_maperr)
 *     {
 *             char *p = ut_map(3, PROT_READ | PROT_WRITE);
 *             struct ut_fault f;
 *
 *             UT_SYS(munmap(p + PAGE, PAGE));
 *             UT_EQ(ut_probe_read(p + PAGE, &f), SIGSEGV);
 *             UT_EQ(f.code, SEGV_MAPERR);
 *     }
 *
 * The program's main is utest's: it runs every test (or those matching
 * the globs given as arguments), each in a forked process of its own, so a
 * test that crashes or hangs costs one line and the run goes on.  Output,
 * TAP style, one line per test and one closing line:
 *
 *     ok 1 - munmap/hole_faults_with_maperr
 *     not ok 2 - munmap/zero_length_is_einval # tests/user/munmap.c:72: munmap(p, 0) should fail with EINVAL, returned 0
 *     ok 3 - munmap/query_entry # skip: vm_query is uvmkern-only (ENOSYS here)
 *     # munmap: 1 skipped
 *     munmap: 3 passed, 1 failed
 *
 * A skip counts as passed.  The exit status is 0 only if nothing failed.
 * Tests that need uvmkern's own calls (user/include/uvmkern.h) skip when
 * the call answers ENOSYS, as on Linux.  Under init (user/init.c) the
 * numbers run on across programs and the closing line becomes a comment.
 *
 * The first failed assertion ends the test.  An assertion that fails in a
 * process the test forked prints "# pid N: file:line: expression" and
 * exits that process with UT_CHILD_FAILED, which the test's own
 * UT_CHILD_EXITS(pid, 0) then reports.
 *
 * Output goes straight to fd 1 with write(), one line per call: nothing
 * sits in a stdio buffer to be duplicated by fork or lost by _exit.
 */
#ifndef TESTS_USER_UTEST_H
#define TESTS_USER_UTEST_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PAGE 4096UL
/* The usual protection and flags of a test mapping (with <sys/mman.h>). */
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

struct utest {
	const char *name;
	void (*fn)(void);
	int line;
};

#define UTEST(name)                                                       \
	static void ut_test_##name(void);                                 \
	static const struct utest ut_desc_##name                          \
		__attribute__((used, section("utests"), aligned(8))) =     \
		{ #name, ut_test_##name, __LINE__ };                       \
	static void ut_test_##name(void)

/* Runs test name's body here, in this test's process (a test that needs
 * what another one does first); its first failed assertion ends this one. */
#define UT_RUN(name) ut_test_##name()

/* Exit status of a forked process whose assertion failed. */
#define UT_CHILD_FAILED 98

/* The first failure ends the test; printf-style message. */
void ut_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void ut_skip(const char *reason) __attribute__((noreturn));
/* A "# ..." comment line on stdout. */
void ut_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *ut_errname(int err);
/* "exited 3", "killed by signal 11 (SIGSEGV)" - for messages. */
const char *ut_status_str(int status);

#define UT_ASSERT(e)                                                      \
	do {                                                              \
		if (!(e))                                                 \
			ut_fail(__FILE__, __LINE__, "%s", #e);            \
	} while (0)

#define UT_EQ(a, b)                                                       \
	do {                                                              \
		long long ut_a_ = (long long)(a), ut_b_ = (long long)(b); \
		if (ut_a_ != ut_b_)                                       \
			ut_fail_eq(__FILE__, __LINE__, #a " == " #b,      \
				   ut_a_, ut_b_);                          \
	} while (0)

#define UT_NE(a, b)                                                       \
	do {                                                              \
		long long ut_a_ = (long long)(a), ut_b_ = (long long)(b); \
		if (ut_a_ == ut_b_)                                       \
			ut_fail(__FILE__, __LINE__, "%s != %s (both %lld)", \
				#a, #b, ut_a_);                           \
	} while (0)

/* A system call that must succeed; yields its result (long). */
#define UT_SYS(call)                                                      \
	({                                                                \
		errno = 0;                                                \
		long ut_r_ = (long)(call);                                \
		if (ut_r_ == -1)                                          \
			ut_fail(__FILE__, __LINE__, "%s failed: %s", #call, \
				ut_errname(errno));                       \
		ut_r_;                                                    \
	})

/* A system call that must fail (-1 or MAP_FAILED) with errno err. */
#define UT_ERR(call, err)                                                 \
	do {                                                              \
		errno = 0;                                                \
		long ut_r_ = (long)(call);                                \
		int ut_e_ = errno;                                        \
		if (ut_r_ != -1 || ut_e_ != (err))                        \
			ut_fail_err(__FILE__, __LINE__, #call, ut_r_,     \
				    ut_e_, (err));                         \
	} while (0)

/* Waits for pid and asserts it exited with code. */
#define UT_CHILD_EXITS(pid, code)                                         \
	ut_child_exits(__FILE__, __LINE__, (pid), (code))
/* Waits for pid and asserts it was killed by signal sig. */
#define UT_CHILD_KILLED(pid, sig)                                         \
	ut_child_killed(__FILE__, __LINE__, (pid), (sig))

#define UT_SKIP(reason) ut_skip(reason)

void ut_fail_eq(const char *file, int line, const char *expr, long long a,
		long long b) __attribute__((noreturn));
void ut_fail_err(const char *file, int line, const char *call, long r,
		 int got, int want) __attribute__((noreturn));
void ut_child_exits(const char *file, int line, pid_t pid, int code);
void ut_child_killed(const char *file, int line, pid_t pid, int sig);

/*
 * Faults.  ut_probe_read/ut_probe_write touch one byte, ut_probe_exec
 * calls addr as a function taking and returning nothing (a "ret" there
 * comes back), with SIGSEGV and SIGBUS caught (sigsetjmp/siglongjmp):
 * they return 0 when the access worked, else the signal number, with
 * what the handler saw in *f (which may be NULL).  The old handlers are
 * back in place when they return.
 */
struct ut_fault {
	int signo;
	int code;        /* si_code: SEGV_MAPERR, SEGV_ACCERR, BUS_ADRERR... */
	void *addr;      /* si_addr */
};

int ut_probe_read(const volatile void *addr, struct ut_fault *f);
int ut_probe_write(volatile void *addr, unsigned char value, struct ut_fault *f);
int ut_probe_exec(const void *addr, struct ut_fault *f);

/*
 * ut_count_signal(sig) sets ut_signals to 0 and installs for sig a
 * handler that only counts into it, without SA_RESTART: a call blocked
 * when the signal comes fails with EINTR.
 */
extern volatile sig_atomic_t ut_signals;
void ut_count_signal(int sig);

/*
 * uvmkern's vm_query (user/include/uvmkern.h) for the tests of the
 * mechanism: ut_query(addr, &q) fills q (zeroed first) for addr, skips
 * the test where vm_query is ENOSYS (Linux), and fails it on any other
 * error.
 */
struct vm_query;
#define ut_query(addr, q) ut_query_at(__FILE__, __LINE__, (addr), (q))
void ut_query_at(const char *file, int line, const void *addr,
		 struct vm_query *q);

/*
 * Memory helpers.  ut_map gives npages of private anonymous memory with a
 * PROT_NONE page fenced on each side, so the range never merges with a
 * neighbour and tests can count its map entries exactly.  ut_unmap
 * undoes it.
 */
/* ut_slurp - the whole of file path into buf (size bytes, NUL-terminated);
 * its length.  A file that cannot be opened fails the test. */
size_t ut_slurp(const char *path, char *buf, size_t size);

void *ut_map(size_t npages, int prot);
void ut_unmap(void *p, size_t npages);

/*
 * Pointers the kernel must neither read nor write, for the EFAULT tests
 * (garbage.c, errors.c).  ut_make_bad fills in[] with addresses no call
 * may read from: NULL, 1, PAGE - 1, an unmapped page, a PROT_NONE page,
 * kernel addresses (the start of the higher half and the kernel's text),
 * the first non-canonical address and -1; out[] with the same and a
 * read-only page, which no call may write to; straddle points 4 bytes
 * before an unmapped page, so only a short access there works.
 */
#define UT_NBAD_MAX 10
struct ut_bad {
	long in[UT_NBAD_MAX];   /* unusable as input (the kernel reads them) */
	int nin;
	long out[UT_NBAD_MAX];  /* unusable as output (adds read-only memory) */
	int nout;
	long straddle;          /* 4 bytes before an unmapped page */
};
void ut_make_bad(struct ut_bad *b);

/*
 * /proc/self/maps: how many lines (entries) lie within [lo, hi), and the
 * total.  ut_maps_perms copies the perms column ("rw-p") of the line
 * holding addr into perms[5]; 0 if found.
 */
int ut_maps_count(const void *lo, const void *hi);
int ut_maps_total(void);
int ut_maps_perms(const void *addr, char perms[5]);

/* A value from /proc/meminfo in KiB ("MemFree"), -1 if absent. */
long ut_meminfo_kb(const char *key);

/*
 * File system tests run once on each writable place: /tmp (tmpfs) and
 * /mnt (the ext2 disk), or the folders $UTEST_TMP and $UTEST_DISK name.
 * UT_EACH_FS(fn) makes a fresh folder "<root>/ut.<prog>.<pid>" on each,
 * runs fn(folder) in a forked child whose working directory it is, then
 * removes the folder and all in it.  The child's failed assertion names
 * the root ("# pid N: file:line: ... [on /mnt]"), and the test fails;
 * so does a folder that cannot be made or removed.  A root that is not a
 * folder is skipped with a note; the test skips if neither is.
 * UT_ON_FS(UT_FS_DISK, fn) runs fn on one of them only.
 *
 *     static void
 *     append_goes_to_end(const char *dir)  { ... }
 *     UTEST(append_goes_to_end) { UT_EACH_FS(append_goes_to_end); }
 */
#define UT_NFS 2
extern const char *const ut_fs_env[UT_NFS];    /* UTEST_TMP, UTEST_DISK */
extern const char *const ut_fs_default[UT_NFS]; /* /tmp, /mnt */
/* Root i (0 tmp, 1 disk), the environment's override first. */
const char *ut_fs_root(int i);
/* What failures in this process add to their message: " [on /mnt]". */
extern const char *ut_context;
#define UT_EACH_FS(fn) ut_each_fs(__FILE__, __LINE__, (fn))
void ut_each_fs(const char *file, int line, void (*fn)(const char *dir));
/* The same on root i only (UT_FS_TMP, UT_FS_DISK); 0 if it is missing. */
#define UT_FS_TMP 0
#define UT_FS_DISK 1
#define UT_ON_FS(i, fn) ut_on_fs(__FILE__, __LINE__, (i), (fn))
int ut_on_fs(const char *file, int line, int i, void (*fn)(const char *dir));
/* Removes path and, for a folder, all below it (no symbolic link is
 * followed); 0 or -1 with errno from the first call that failed. */
int ut_rm_tree(const char *path);

/* The runner: utest.c's weak main calls it; a program with a main of its
 * own (exec.c) calls it after handling its own arguments. */
int utest_main(int argc, char **argv);

/* A file shipped next to the test programs: <dir of argv[0]>/data/name. */
const char *ut_datafile(const char *name);
/* argv[0] of the test program. */
const char *ut_self(void);

#endif
