/*
 * tests/bench/vmbench.c - the VM microbenchmark behind `make bench`.
 *
 * One static musl binary, booted as the only job on uvmkern and on
 * Debian's Linux under the same QEMU flags, so the two kernels run
 * exactly the same instructions in user space and differ only in what
 * their system calls and page faults cost.
 *
 *   vmbench vm          everything but swap (the 512 MiB boot), process
 *                       start-up among it (fork + exec of this program,
 *                       of a static and a dynamic glibc hello and of
 *                       busybox sh: "process start-up" below)
 *   vmbench exit        returns 0 at once (start_musl_static execs it)
 *   vmbench swap MIB    write MIB MiB of anonymous memory, then verify it
 *                       (the small boot with a swap disk: MIB is three
 *                       times RAM); then sweep a fresh region of twice
 *                       RAM and read random pages of it back from swap
 *                       (run_swap_more: the page daemon's throughput and
 *                       random swap-ins, "more of what programs do" below)
 *   vmbench file MIB DIR
 *                       a MIB MiB file in DIR (the small boot again, MIB
 *                       twice RAM, DIR the ext2 disk vdc on /mnt) written
 *                       and read back, random 4 KiB preads of it and of a
 *                       small cached file, page faults on a mapping of the
 *                       small one (run_file, "files" below)
 *   vmbench maps N...   only mmap_touch_munmap, among N mappings for each
 *                       N given, in turns, and each N's cost per the first
 *                       N's (to study one metric by hand: make run
 *                       PROG=build/user/bench/vmbench ARGS="maps 10 1000")
 *   vmbench sepmaps N...
 *                       the same among N mappings made one mmap each
 *                       (mmap_touch_munmap_sep_N, map_separate)
 *   vmbench present [K [after-zero-fill]]
 *                       only read_present, K times (default 5) over one
 *                       64 MiB region, after a note on how its pages lie
 *                       in physical memory; after zero_fill_fault, as in
 *                       the vm run, if asked (QEMU's TLB is then as big as
 *                       the vm run finds it)
 *   vmbench spread      read_present over a tidy and a spread-out region
 *                       in turns (run_spread)
 *   vmbench smp         only the several-CPU metrics (run_smp, "several
 *                       CPUs" below), which the vm run runs near its end
 *   vmbench more        only munmap_64m, exit_wait_*, brk_grow and
 *                       mremap_grow_64m (run_more, "more of what programs
 *                       do" below), which the vm run has too
 *   vmbench thp MODE    2 MiB pages: zero_fill_64m, memset_64m and the
 *                       zero-fill, fork, munmap, exit and mremap rows,
 *                       MODE always or never
 *                       (run_thp, "2 MiB pages on and off" below)
 *   vmbench used        the used pass (run_used, "the used process"
 *                       below), which the vm run ends with, after only
 *                       zero_fill_fault and fork_exit_wait_0m
 *   vmbench usedmaps [KIND]
 *                       only the used pass's mmap series, of one kind of
 *                       surrounding mappings (0 alternating, 1 touched,
 *                       2 with holes: enum used_kind)
 *
 * Every figure is in TSC cycles, read with rdtsc from user space (under
 * QEMU's TCG that is the host's TSC, see docs/design.md).  A
 * metric runs WARMUP untimed rounds (read_present RP_WARMUP), then REPS
 * timed samples, and the
 * printed value is the median sample divided by the operations in it
 * (the two floors, null_syscall and memset_page, are sampled at
 * FLOOR_PLACES points of the run instead, and print the median of all
 * FLOOR_PLACES x REPS samples):
 *
 *   bench: <metric> <value> <unit>
 *
 * with "bench: done" at the end, so the runner (tools/bench/run.sh) can
 * tell a finished run from one that died half way.  Lines starting with
 * "# " are notes for a human reader (what is being measured, what the
 * kernel said when a call failed).  A call that fails prints
 * "bench: error <metric> <what>" and that metric is left out; the run
 * goes on with the next one.
 *
 * The file run's sequential figures come in cycles per MiB and in MB/s
 * (the TSC's rate measured against CLOCK_MONOTONIC, see "files").
 *
 * Issue 22's "more of what programs do": the vm run also times giving
 * 64 MiB back (munmap_64m, exit_wait_0m, exit_wait_64m), growing the
 * heap (brk_grow) and a buffer (mremap_grow_64m), and the swap run then
 * sweeps twice RAM (swap_sweep, and swap_pd_freed_per_s: the page
 * daemon's pages freed per second) and reads random pages back from
 * swap (swap_in_random); each is described where it is measured (run_more,
 * run_swap_more).  Around them the kernel's own counters are read
 * (/proc/uvmexp on uvmkern, /proc/vmstat on Linux: kc_read) and what
 * moved is a "# METRIC: counted ..." note - faults, pages zeroed and
 * freed, page-table pages, TLB flushes, pages written and read - that
 * docs/performance.md reads to say what dominates each figure.
 *
 * On Linux the swap run first makes a swap area itself, as mkswap would:
 * it loads the virtio modules the runner put in /lib/bench-modules
 * (finit_module, in name order), finds /dev/vda (devtmpfs, or mknod from
 * /sys/block/vda/dev), writes the swap header and calls swapon.  On
 * uvmkern swap is already on at boot: swapon says EBUSY, which is fine.
 * The file run likewise loads the modules (there also ext4's, which
 * mounts ext2), finds /dev/vdc and mounts it on DIR; uvmkern mounts vdc
 * on /mnt at boot.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uvmkern.h"

#define PAGE 4096UL
#define MIB (1024UL * 1024UL)
#define WARMUP 2
#define REPS 21                 /* samples per metric: the median is printed */
#define MODDIR "/lib/bench-modules"
#define SWAPDEV "/dev/vda"

static int on_linux;

/* ---- timing ---- */

/* lfence keeps rdtsc from being read before the work above it is done. */
static inline uint64_t
tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return (uint64_t)hi << 32 | lo;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
report(const char *metric, uint64_t value, const char *unit)
{
	printf("bench: %s %llu %s\n", metric, (unsigned long long)value, unit);
}

static void
fail(const char *metric, const char *what)
{
	printf("bench: error %s %s: %s\n", metric, what, strerror(errno));
}

/*
 * Runs one(arg) warmup times untimed and REPS times timed.  one() returns
 * the cycles of its sample already divided by the operations in it (or
 * UINT64_MAX on failure, which ends the metric); the median is reported.
 */
static void
measure_warm(const char *metric, const char *unit, uint64_t (*one)(long),
    long arg, int warmup)
{
	uint64_t s[REPS];

	printf("# %s ...\n", metric);
	for (int i = 0; i < warmup + REPS; i++) {
		uint64_t v = one(arg);
		if (v == UINT64_MAX)
			return;
		if (i >= warmup)
			s[i - warmup] = v;
	}
	report(metric, median(s, REPS), unit);
}

/* measure_warm with the usual WARMUP rounds. */
static void
measure(const char *metric, const char *unit, uint64_t (*one)(long), long arg)
{
	measure_warm(metric, unit, one, arg, WARMUP);
}

/* ---- memory helpers ---- */

static char *
map_anon(size_t len, int prot)
{
	char *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void
touch(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += PAGE)
		((volatile char *)p)[off] = 1;
}

/*
 * len bytes of private read-write memory, every page touched; NULL after
 * "bench: error METRIC mmap: ..." when mmap fails.
 */
static char *
map_touched(size_t len, const char *metric)
{
	char *p = map_anon(len, PROT_READ | PROT_WRITE);

	if (p == NULL)
		fail(metric, "mmap");
	else
		touch(p, len);
	return p;
}

/* ---- zero fill and reading present pages ---- */

static char *present;           /* 64 MiB, touched: read_present reads it */
#define ZF_LEN (64 * MIB)

static uint64_t
zero_fill_one(long unused)
{
	char *p = map_anon(ZF_LEN, PROT_READ | PROT_WRITE);
	uint64_t t0, t1;

	(void)unused;
	if (p == NULL) {
		fail("zero_fill_fault", "mmap 64 MiB");
		return UINT64_MAX;
	}
	t0 = tsc();
	touch(p, ZF_LEN);
	t1 = tsc();
	munmap(p, ZF_LEN);
	return (t1 - t0) / (ZF_LEN / PAGE);
}

/*
 * The physical address behind va: uvmkern says it in vm_query, Linux in
 * /proc/self/pagemap (bits 0-54 the frame; zero unless we are root, and
 * vmbench runs as init).  0 when unknown.
 */
static uint64_t
pa_of(char *va)
{
	static int fd = -2;
	struct vm_query q;
	uint64_t e;

	if (!on_linux)
		return vm_query(va, &q) == 0 ? q.pa : 0;
	if (fd == -2)
		fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, &e, 8, (off_t)((uintptr_t)va / PAGE * 8)) != 8)
		return 0;
	return (e & ((1ULL << 55) - 1)) * PAGE;
}

/*
 * How the pages of [p, p + len) lie in physical memory: how many follow
 * their virtual predecessor at the next or the previous physical page,
 * and in how many 2 MiB frames they lie.  read_present touches one line
 * per page, and what that costs under QEMU depends on this order (see
 * docs/performance.md), so the note lets a reader compare the memory
 * the two kernels hand it.
 */
#define LAYOUT_FRAMES 8192         /* 2 MiB frames tracked: the first 16 GiB */

static void
layout_note(const char *metric, char *p, size_t len)
{
	static uint8_t seen[LAYOUT_FRAMES / 8];
	size_t up = 0, down = 0, other = 0, frames = 0;
	uint64_t prev = 0;

	memset(seen, 0, sizeof(seen));
	for (size_t off = 0; off < len; off += PAGE) {
		uint64_t pa = pa_of(p + off), f = pa >> 21;

		if (off > 0 && pa != 0 && pa == prev + PAGE)
			up++;
		else if (off > 0 && pa != 0 && pa == prev - PAGE)
			down++;
		else if (off > 0)
			other++;
		if (pa != 0 && f < LAYOUT_FRAMES && !(seen[f / 8] & (1 << (f % 8)))) {
			seen[f / 8] |= (uint8_t)(1 << (f % 8));
			frames++;
		}
		prev = pa;
	}
	printf("# %s: of %zu pages, %zu follow the one before at the next "
	    "physical page, %zu at the previous one, %zu elsewhere; they lie "
	    "in %zu physical 2 MiB frames\n", metric, len / PAGE, up, down,
	    other, frames);
}

/*
 * read_present warms up for RP_WARMUP passes, not WARMUP: right after a
 * region is touched, the first twenty-odd passes over it run slower on
 * both kernels (in one boot of each, eight fresh regions: Linux 24-39
 * cycles per page in its first 23 passes, 10-21 in the next 23;
 * uvmkern 11-18, then 11-15) - the host and QEMU settling, not what
 * reading a present page costs.
 */
#define RP_WARMUP 25

static uint64_t
read_present_one(long unused)
{
	uint64_t t0, t1;
	unsigned sum = 0;

	(void)unused;
	t0 = tsc();
	for (size_t off = 0; off < ZF_LEN; off += PAGE)
		sum += ((volatile char *)present)[off];
	t1 = tsc();
	__asm__ volatile("" :: "r"(sum));
	return (t1 - t0) / (ZF_LEN / PAGE);
}

/*
 * vmbench spread: does it matter to read_present how far apart its
 * pages lie?  Two 64 MiB regions read in turns, after zero_fill_fault as
 * in the vm run: "tidy", touched in order, and "spread", whose pages were
 * each touched between three pages of a filler region (both without
 * fault-ahead: MADV_RANDOM), so that they lie in about four times as
 * many physical 2 MiB frames.  Samples of the two taken side by side
 * share whatever state the host is in.
 */
static void
run_spread(void)
{
	char *tidy, *spread, *filler;
	size_t pages = ZF_LEN / PAGE;

	measure("zero_fill_fault", "cycles/page", zero_fill_one, 0);
	tidy = map_touched(ZF_LEN, "spread");
	spread = map_anon(ZF_LEN, PROT_READ | PROT_WRITE);
	filler = map_anon(3 * ZF_LEN, PROT_READ | PROT_WRITE);
	if (tidy == NULL || spread == NULL || filler == NULL) {
		fail("spread", "mmap");
		return;
	}
	madvise(spread, ZF_LEN, MADV_RANDOM);
	madvise(filler, 3 * ZF_LEN, MADV_RANDOM);
	for (size_t i = 0; i < pages; i++) {
		spread[i * PAGE] = 1;
		for (size_t j = 0; j < 3; j++)
			filler[(3 * i + j) * PAGE] = 1;
	}
	munmap(filler, 3 * ZF_LEN);
	layout_note("read_present_tidy", tidy, ZF_LEN);
	layout_note("read_present_spread", spread, ZF_LEN);
	for (int r = 0; r < 40; r++) {
		present = tidy;
		measure_warm("read_present_tidy", "cycles/page", read_present_one, 0, 5);
		present = spread;
		measure_warm("read_present_spread", "cycles/page", read_present_one, 0, 5);
	}
}

/* ---- copy on write after fork ---- */

#define COW_LEN (16 * MIB)
static char *cow_region;

/* The child times its own writes and sends cycles per page back. */
static uint64_t
cow_one(long unused)
{
	int fd[2], status;
	uint64_t per_page = UINT64_MAX;
	pid_t pid;

	(void)unused;
	if (pipe(fd) != 0) {
		fail("cow_fault", "pipe");
		return UINT64_MAX;
	}
	pid = fork();
	if (pid == 0) {
		uint64_t t0 = tsc(), v;

		touch(cow_region, COW_LEN);
		v = (tsc() - t0) / (COW_LEN / PAGE);
		_exit(write(fd[1], &v, sizeof(v)) == sizeof(v) ? 0 : 1);
	}
	if (pid < 0) {
		fail("cow_fault", "fork");
	} else {
		if (read(fd[0], &per_page, sizeof(per_page)) != sizeof(per_page)) {
			fail("cow_fault", "read from the child");
			per_page = UINT64_MAX;
		}
		waitpid(pid, &status, 0);
	}
	close(fd[0]);
	close(fd[1]);
	return per_page;
}

/* ---- fork + exit + wait ---- */

static uint64_t
fork_one(long unused)
{
	uint64_t t0;
	int status;
	pid_t pid;

	(void)unused;
	t0 = tsc();
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		fail("fork_exit_wait", "fork");
		return UINT64_MAX;
	}
	waitpid(pid, &status, 0);
	return tsc() - t0;
}

static void
fork_with(long mib, const char *metric)
{
	char *p = NULL;

	if (mib > 0 && (p = map_touched((size_t)mib * MIB, metric)) == NULL)
		return;
	measure(metric, "cycles/op", fork_one, 0);
	if (p != NULL)
		munmap(p, (size_t)mib * MIB);
}

/* ---- process start-up: fork + execve + _exit + waitpid ---- */

/*
 * What a shell does for every command: fork, the child execs a program,
 * the program starts up and exits, the parent waits.  The programs are
 * the same files at the same paths in both kernels' initrds (the
 * Makefile and tools/bench/run.sh put them there):
 *
 *   start_musl_static  /bin/vmbench exit     this program, static musl,
 *                                            returning at once: fork and
 *                                            exec with almost no start-up
 *   start_static       /bin/ghello-static    glibc, -static
 *   start_dynamic      /bin/ghello-dyn       glibc, through
 *                                            /lib64/ld-linux-x86-64.so.2
 *                                            and libc.so.6
 *   start_busybox_sh   /bin/busybox sh -c true   Debian's busybox-static
 *
 * and then the last three again as start_static_resident, ... with
 * the program's files held in memory by vmbench (below, start_hold).
 *
 * The child turns address-space randomisation off for the program
 * (personality ADDR_NO_RANDOMIZE; uvmkern has none to turn off).  Under
 * TCG, QEMU keeps translated code by physical page and virtual address,
 * so a library loaded at a new address on every start is translated
 * anew every time: on Linux a dynamic start then cost 140-230 million
 * cycles against 13-38 million without (docs/performance.md) - QEMU's
 * work, which real hardware does not have, drowning the kernel's.
 *
 * The child's stdout is /dev/null (the hellos print one line), and the
 * exit status must be the expected one (a hello exits with its argc).
 * One start-up per sample, in cycles.  Before the samples one untimed
 * start reports what went wrong if anything does: the child sends
 * execve's errno back through a close-on-exec pipe (start_probe), so
 * a missing program or interpreter says "bench: error start_dynamic
 * execve /bin/ghello-dyn: No such file or directory" and the run goes
 * on.  On Linux a note from getrusage says how many page faults one
 * start-up took (uvmkern's getrusage counts none; its figures come
 * from the kernel test startup/..., docs/performance.md).
 */
struct start_prog {
	const char *metric, *path;
	const char *argv[4];
	int status;                     /* the exit status it must give */
	const char *files[4];           /* what _resident holds: path, libraries */
};

#define LDSO "/lib64/ld-linux-x86-64.so.2"
#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

static const struct start_prog start_progs[] = {
	{ "start_musl_static", "/bin/vmbench", { "vmbench", "exit", NULL }, 0,
	    { NULL } },
	{ "start_static", "/bin/ghello-static", { "ghello-static", NULL }, 1,
	    { "/bin/ghello-static", NULL } },
	{ "start_dynamic", "/bin/ghello-dyn", { "ghello-dyn", NULL }, 1,
	    { "/bin/ghello-dyn", LDSO, LIBC, NULL } },
	{ "start_busybox_sh", "/bin/busybox", { "sh", "-c", "true", NULL }, 0,
	    { "/bin/busybox", NULL } },
};
#define NSTART (int)(sizeof(start_progs) / sizeof(start_progs[0]))

static char *const start_envp[] = { "PATH=/bin", NULL };
static int start_null = -1;             /* /dev/null, close-on-exec */

/* In the child: stdout to /dev/null, exec prog; errno to errfd if it fails. */
static void __attribute__((noreturn))
start_child(const struct start_prog *prog, int errfd)
{
	int e;

	dup2(start_null, 1);
	personality(ADDR_NO_RANDOMIZE);         /* uvmkern: ENOSYS, has none */
	execve(prog->path, (char *const *)prog->argv, start_envp);
	e = errno;
	if (errfd >= 0 && write(errfd, &e, sizeof(e)) != sizeof(e))
		_exit(126);
	_exit(127);
}

/* 0 if status is prog's, else -1 after "bench: error". */
static int
start_check(const struct start_prog *prog, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == prog->status)
		return 0;
	if (WIFSIGNALED(status))
		printf("bench: error %s %s killed by signal %d\n", prog->metric,
		    prog->path, WTERMSIG(status));
	else
		printf("bench: error %s %s exited with %d, not %d\n", prog->metric,
		    prog->path, WEXITSTATUS(status), prog->status);
	return -1;
}

/*
 * One untimed start that says why it failed: the child writes execve's
 * errno on a close-on-exec pipe, which a successful exec closes empty.
 * 0, or -1 after "bench: error METRIC ...".
 */
static int
start_probe(const struct start_prog *prog)
{
	int fd[2], e, status;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC) != 0) {
		fail(prog->metric, "pipe");
		return -1;
	}
	if ((pid = fork()) == 0)
		start_child(prog, fd[1]);
	close(fd[1]);
	if (pid < 0) {
		fail(prog->metric, "fork");
		close(fd[0]);
		return -1;
	}
	if (read(fd[0], &e, sizeof(e)) == sizeof(e)) {
		printf("bench: error %s execve %s: %s\n", prog->metric, prog->path,
		    strerror(e));
		e = -1;
	} else {
		e = 0;
	}
	close(fd[0]);
	if (waitpid(pid, &status, 0) != pid) {
		fail(prog->metric, "waitpid");
		return -1;
	}
	return e == 0 ? start_check(prog, status) : -1;
}

/* One timed start of start_progs[i]: cycles, or UINT64_MAX. */
static uint64_t
start_one(long i)
{
	const struct start_prog *prog = &start_progs[i];
	uint64_t t0 = tsc(), t;
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		start_child(prog, -1);
	if (pid < 0) {
		fail(prog->metric, "fork");
		return UINT64_MAX;
	}
	if (waitpid(pid, &status, 0) != pid) {
		fail(prog->metric, "waitpid");
		return UINT64_MAX;
	}
	t = tsc() - t0;
	return start_check(prog, status) == 0 ? t : UINT64_MAX;
}

/* The children's page faults so far (getrusage), or -1. */
static long
start_child_faults(void)
{
	struct rusage r;

	if (getrusage(RUSAGE_CHILDREN, &r) != 0)
		return -1;
	return r.ru_minflt + r.ru_majflt;
}

/*
 * METRIC_resident: vmbench holds a read-only mapping of each of the
 * program's files (prog->files), every page read once, while the starts
 * are timed, so that the files' pages stay in memory between starts.
 * Linux's page cache keeps them anyway, and so does uvmkern's initrd
 * pager (uvm/uvm_memobj.c) now; before, it freed a file's pages when
 * its last mapping went, so without the hold every start copied them out
 * of the archive again, into other physical pages whose code QEMU then
 * translated anew.  A start_* row far above its _resident row would show
 * such a cost again.
 */
#define START_HOLD_MAX 4

struct start_hold {
	char *p[START_HOLD_MAX];
	size_t len[START_HOLD_MAX];
};

static void
start_release(struct start_hold *h)
{
	for (int k = 0; k < START_HOLD_MAX; k++)
		if (h->p[k] != NULL)
			munmap(h->p[k], h->len[k]);
}

/* Maps and reads prog's files into h; 0, or -1 after "bench: error". */
static int
start_hold(const struct start_prog *prog, const char *metric, struct start_hold *h)
{
	memset(h, 0, sizeof(*h));
	for (int k = 0; k < START_HOLD_MAX && prog->files[k] != NULL; k++) {
		int fd = open(prog->files[k], O_RDONLY | O_CLOEXEC);
		struct stat st;

		if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0 ||
		    (h->p[k] = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
		    fd, 0)) == MAP_FAILED) {
			h->p[k] = NULL;
			printf("bench: error %s holding %s: %s\n", metric,
			    prog->files[k], strerror(errno));
			if (fd >= 0)
				close(fd);
			start_release(h);
			return -1;
		}
		close(fd);
		h->len[k] = (size_t)st.st_size;
		for (size_t off = 0; off < h->len[k]; off += PAGE)
			(void)((volatile char *)h->p[k])[off];
	}
	return 0;
}

/* start_progs[i]'s metric, with a note of its faults where counted. */
static void
start_measure(int i, const char *metric)
{
	long f0 = start_child_faults();

	measure(metric, "cycles/op", start_one, i);
	if (f0 >= 0 && start_child_faults() > f0)
		printf("# %s: %ld page faults a start (getrusage of the children)\n",
		    metric, (start_child_faults() - f0) / (WARMUP + REPS));
}

/* Every start_progs metric, then the _resident ones. */
static void
run_start(void)
{
	bool ok[NSTART];
	char metric[64];

	start_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (start_null < 0) {
		fail("start", "open /dev/null");
		return;
	}
	for (int i = 0; i < NSTART; i++) {
		ok[i] = start_probe(&start_progs[i]) == 0;
		if (ok[i])
			start_measure(i, start_progs[i].metric);
	}
	for (int i = 0; i < NSTART; i++) {
		struct start_hold h;

		snprintf(metric, sizeof(metric), "%s_resident", start_progs[i].metric);
		if (!ok[i] || start_progs[i].files[0] == NULL ||
		    start_hold(&start_progs[i], metric, &h) != 0)
			continue;
		start_measure(i, metric);
		start_release(&h);
	}
	close(start_null);
}

/* ---- mmap + touch + munmap among many mappings ---- */

#define MAP_OPS 50              /* operations per sample */

/* One mmap + touch + munmap of a page; 0, or -1 after "bench: error". */
static int
map_op(void)
{
	char *p = map_anon(PAGE, PROT_READ | PROT_WRITE);

	if (p == NULL) {
		fail("mmap_touch_munmap", "mmap");
		return -1;
	}
	*(volatile char *)p = 1;
	munmap(p, PAGE);
	return 0;
}

/*
 * MAP_OPS operations, after one untimed: a sample starts right after the
 * switch from the parent (map_series), and the first operation after a
 * switch pays for QEMU refilling the TLB and the jump cache it empties
 * on every change of address space, on both kernels alike.
 */
static uint64_t
map_one(long unused)
{
	uint64_t t0;

	(void)unused;
	if (map_op() != 0)
		return UINT64_MAX;
	t0 = tsc();
	for (int i = 0; i < MAP_OPS; i++)
		if (map_op() != 0)
			return UINT64_MAX;
	return (tsc() - t0) / MAP_OPS;
}

/*
 * uvmkern only: where a fresh one-page mapping lands and how big the map
 * entry holding it is (more than a page: it was merged into a neighbour).
 */
static void
map_note(const char *metric, const char *region, long n)
{
	char *p = map_anon(PAGE, PROT_READ | PROT_WRITE);
	struct vm_query q;

	if (p == NULL)
		return;
	*(volatile char *)p = 1;
	if (vm_query(p, &q) == 0)
		printf("# %s: the page lands at %p, in an entry of %llu pages; "
		    "the %ld surrounding pages are at %p\n", metric, (void *)p,
		    (unsigned long long)(q.end - q.start) / PAGE, n, (void *)region);
	munmap(p, PAGE);
}

/*
 * n pages whose protections alternate read-write and read-only: no two
 * neighbours can merge, so the process has about n more map entries.
 * Returns the region, or NULL after "bench: error METRIC ...".
 */
static char *
map_surround(long n, const char *metric)
{
	size_t len = (size_t)n * PAGE;
	char *p = map_anon(len, PROT_READ | PROT_WRITE);

	if (p == NULL) {
		fail(metric, "mmap of the surrounding mappings");
		return NULL;
	}
	for (long i = 1; i < n; i += 2)
		if (mprotect(p + i * PAGE, PAGE, PROT_READ) != 0) {
			fail(metric, "mprotect making the surrounding mappings");
			munmap(p, len);
			return NULL;
		}
	return p;
}

/*
 * n pages mapped one by one, each by its own mmap(NULL) - so each lands
 * just below the one before - read-only and read-write in turn, so no
 * two merge and the process has n more map entries: how most programs
 * come by many mappings, and the way issue 15's program made them (the
 * loop cost 1.4 million cycles among 1,000 in a debug kernel).  Returns
 * 0, or -1 after "bench: error METRIC ..." (the process's exit unmaps
 * what was made).  *lowest is the lowest of them.
 */
static int
map_separate(long n, const char *metric, char **lowest)
{
	*lowest = NULL;
	for (long i = 0; i < n; i++) {
		char *p = map_anon(PAGE, i % 2 ? PROT_READ | PROT_WRITE : PROT_READ);
		if (p == NULL) {
			fail(metric, "mmap of a surrounding mapping");
			return -1;
		}
		if (*lowest == NULL || p < *lowest)
			*lowest = p;
	}
	return 0;
}

/*
 * The mmap series is sampled in turns.  Each N gets a worker process
 * holding its own N mappings, and the parent asks the workers for one
 * sample each, round after round:
 *
 *   round 1:  N=10  N=1000  N=10000  N=30000
 *   round 2:  N=10  N=1000  N=10000  N=30000     ... WARMUP + REPS rounds
 *
 * This host's noise comes in bursts tens of milliseconds long; measured
 * one N after another, a burst lands on whichever N was running and the
 * comparison between N (the target: 30,000 within 1.2x of 10) measures
 * the burst.  In turns, a burst lands on all of them alike, and the
 * ratio of two samples taken side by side in one round is nearly free of
 * it: mmap_N_per_10, the median of those ratios, is what the target is
 * checked on.
 *
 * A worker reads a byte from req, takes one sample (map_one) and writes
 * the cycles back on ans; end of file on req ends it.
 */
#define MAP_NS 4
#define MAP_MAX_NS 8            /* workers one series can have */
static const long map_ns[MAP_NS] = { 10, 1000, 10000, 30000 };
/* The series whose mappings are made one mmap each (map_separate). */
#define MAP_SEP_NS 2
static const long map_sep_ns[MAP_SEP_NS] = { 10, 1000 };

struct map_worker {
	long n;
	bool separate;                  /* map_separate, not map_surround */
	pid_t pid;
	int req, ans;                   /* the parent's ends of the pipes */
	uint64_t s[REPS];               /* its samples, in round order */
};

/* The series' metric for n: mmap_touch_munmap_[sep_]N. */
static void
map_metric(char *buf, size_t size, long n, bool separate)
{
	snprintf(buf, size, "mmap_touch_munmap_%s%ld", separate ? "sep_" : "", n);
}

static void
map_worker_loop(long n, bool separate, int req, int ans)
{
	char metric[64], c;
	char *p;
	uint64_t v;

	map_metric(metric, sizeof(metric), n, separate);
	if (separate)
		map_separate(n, metric, &p);
	else
		p = map_surround(n, metric);
	v = p == NULL ? UINT64_MAX : 0;
	if (p != NULL)
		map_note(metric, p, n);
	if (write(ans, &v, sizeof(v)) != sizeof(v))
		_exit(1);
	while (v != UINT64_MAX && read(req, &c, 1) == 1) {
		v = map_one(0);
		if (write(ans, &v, sizeof(v)) != sizeof(v))
			_exit(1);
	}
	_exit(0);
}

/*
 * Forks the worker for ws[k].n; 0 once it holds its mappings, else -1.
 * The child closes its copies of the earlier workers' pipes, or they
 * would never see end of file on req.
 */
static int
map_worker_start(struct map_worker *ws, int k)
{
	struct map_worker *w = &ws[k];
	int req[2], ans[2];
	uint64_t ready;

	w->pid = -1;
	w->req = w->ans = -1;
	if (pipe(req) != 0)
		goto fail_pipe;
	if (pipe(ans) != 0) {
		close(req[0]);
		close(req[1]);
		goto fail_pipe;
	}
	w->pid = fork();
	if (w->pid == 0) {
		for (int j = 0; j < k; j++) {
			close(ws[j].req);
			close(ws[j].ans);
		}
		close(req[1]);
		close(ans[0]);
		map_worker_loop(w->n, w->separate, req[0], ans[1]);
	}
	close(req[0]);
	close(ans[1]);
	w->req = req[1];
	w->ans = ans[0];
	if (w->pid < 0) {
		fail("mmap_touch_munmap", "fork");
		return -1;
	}
	if (read(w->ans, &ready, sizeof(ready)) != sizeof(ready) || ready != 0)
		return -1;
	return 0;

fail_pipe:
	fail("mmap_touch_munmap", "pipe");
	return -1;
}

/* One sample from the worker, or UINT64_MAX when it failed. */
static uint64_t
map_worker_sample(struct map_worker *w)
{
	uint64_t v = UINT64_MAX;

	if (write(w->req, "s", 1) != 1 || read(w->ans, &v, sizeof(v)) != sizeof(v))
		return UINT64_MAX;
	return v;
}

static void
map_worker_stop(struct map_worker *w)
{
	int status;

	if (w->req >= 0)
		close(w->req);
	if (w->ans >= 0)
		close(w->ans);
	if (w->pid > 0)
		waitpid(w->pid, &status, 0);
}

/* Median over the rounds of w's sample / base's sample, in thousandths. */
static uint64_t
map_ratio(const struct map_worker *w, const struct map_worker *base)
{
	uint64_t r[REPS];

	for (int i = 0; i < REPS; i++)
		r[i] = w->s[i] * 1000 / (base->s[i] ? base->s[i] : 1);
	return median(r, REPS);
}

/*
 * The medians, then N's flatness: "mmap_N_per_M" is the median over the
 * rounds of N's sample / M's (the first N) from the same round, in
 * thousandths (the target is mmap_30000_per_10 <= 1200).
 */
static void
map_report(struct map_worker *ws, int nw)
{
	char metric[64];

	for (int k = 0; k < nw; k++) {
		map_metric(metric, sizeof(metric), ws[k].n, ws[k].separate);
		report(metric, median(ws[k].s, REPS), "cycles/op");
	}
	for (int k = 1; k < nw; k++) {
		snprintf(metric, sizeof(metric), "mmap_%s%ld_per_%ld",
		    ws[k].separate ? "sep_" : "", ws[k].n, ws[0].n);
		report(metric, map_ratio(&ws[k], &ws[0]), "permille");
	}
}

/* The series for the nw values of N in ns, in turns (above). */
static void
map_series(const long *ns, int nw, bool separate)
{
	struct map_worker ws[MAP_MAX_NS];
	int ok = 1;

	if (nw > MAP_MAX_NS) {
		printf("bench: error mmap_touch_munmap at most %d values of N\n", MAP_MAX_NS);
		return;
	}
	printf("# mmap_touch_munmap%s ... (in turns)\n", separate ? "_sep" : "");
	for (int k = 0; k < nw && ok; k++) {
		ws[k].n = ns[k];
		ws[k].separate = separate;
		ok = map_worker_start(ws, k) == 0;
		if (!ok)
			nw = k + 1;     /* stop the ones started, this one too */
	}
	for (int i = 0; i < WARMUP + REPS && ok; i++)
		for (int k = 0; k < nw && ok; k++) {
			uint64_t v = map_worker_sample(&ws[k]);
			ok = v != UINT64_MAX;
			if (i >= WARMUP)
				ws[k].s[i - WARMUP] = v;
		}
	for (int k = 0; k < nw; k++)
		map_worker_stop(&ws[k]);
	if (ok)
		map_report(ws, nw);
}

/* ---- mprotect split and merge ---- */

#define MPROT_LEN (16 * MIB)
#define MPROT_OPS 100
static char *mprot_region;

static uint64_t
mprotect_one(long unused)
{
	char *mid = mprot_region + MPROT_LEN / 2;
	uint64_t t0 = tsc();

	(void)unused;
	for (int i = 0; i < MPROT_OPS; i++)
		if (mprotect(mid, PAGE, PROT_READ) != 0 ||
		    mprotect(mid, PAGE, PROT_READ | PROT_WRITE) != 0) {
			fail("mprotect_split_merge", "mprotect");
			return UINT64_MAX;
		}
	return (tsc() - t0) / MPROT_OPS;
}

/* What the map looks like after a pair: merged back, or left split. */
static void
mprotect_note(void)
{
	struct vm_query q;

	if (vm_query(mprot_region + MPROT_LEN / 2, &q) != 0)
		return;         /* Linux: no vm_query */
	printf("# mprotect_split_merge: after the pairs the middle page's entry is "
	    "%#llx-%#llx (%llu pages of %lu): %s\n", (unsigned long long)q.start,
	    (unsigned long long)q.end, (unsigned long long)(q.end - q.start) / PAGE,
	    MPROT_LEN / PAGE, q.end - q.start == MPROT_LEN ? "merged" : "left split");
}

/* ---- more of what programs do (issue 22): munmap, exit, brk, mremap ---- */

/*
 * Four things most programs do with big memory, each on 64 MiB:
 *
 *   munmap_64m        munmap of a 64 MiB private region whose every page
 *                     was written (only the munmap is timed)
 *   exit_wait_0m      a forked child's _exit(0) and the parent's waitpid,
 *   exit_wait_64m     with nothing touched, or after the child wrote
 *                     64 MiB of its own: from the child's last rdtsc
 *                     before _exit to the parent's return from waitpid
 *   brk_grow          the break raised 128 KiB at a time up to 64 MiB,
 *                     each step's pages written before the next: cycles
 *                     per page (brk and the zero-fill faults together)
 *   mremap_grow_64m   a written 64 MiB region grown to 128 MiB with
 *                     MREMAP_MAYMOVE, a PROT_NONE page right after it so
 *                     that it must move, then every page's word read back
 *                     at the new place and checked: mremap and the reads
 *                     together (what realloc of a big buffer costs)
 *
 * After each metric one more, untimed operation is counted: the kernel's
 * counters (kc_read: /proc/uvmexp on uvmkern, /proc/vmstat on Linux) are
 * read right before and right after the part that is timed, and a
 * "# METRIC: counted over one op:" note prints what moved - faults,
 * pages allocated and zeroed, free pages, page-table pages, TLB
 * flushes - which docs/performance.md reads to say what dominates.
 */
#define MORE_LEN (64 * MIB)
#define BRK_STEP (128 * 1024UL)
#define KC_MAX 48

/* The counters worth a note, of both kernels; "=" marks a level, not a
 * count of events (its change is signed). */
static const char *const kc_names[] = {
	/* uvmkern, /proc/uvmexp */
	"faults", "flt_zerofill", "flt_anon", "flt_cow", "flt_neighbor",
	"flt_zeroahead", "pga_alloc", "pga_zeroed", "=free", "=zeropages",
	"=ptpages", "=pv_entries", "tlb_shootpage", "tlb_flushall",
	"tlb_shootdowns", "tlb_ipis", "pageins", "pageouts", "pdwoke",
	"pdscans", "pdreact", "pddeact", "pdfreed", "pdbusy", "pdstalls",
	"thp_fills", "thp_fallbacks", "thp_reuses", "thp_promotions",
	"thp_demotions", "thp_removed",
	/* Linux, /proc/vmstat */
	"pgfault", "pgmajfault", "pgfree", "pgalloc_normal", "pgalloc_dma32",
	"=nr_free_pages", "=nr_page_table_pages", "pswpin", "pswpout",
	"pgsteal_kswapd", "pgsteal_direct", "pgscan_kswapd", "pgscan_direct",
	"thp_fault_alloc", "thp_fault_fallback", "thp_split_pmd",
};
#define KC_N (int)(sizeof(kc_names) / sizeof(kc_names[0]))

struct kcounts {
	uint64_t v[KC_N];
	bool have[KC_N];
};

static struct kcounts more_cnt[2];
static bool more_counting;              /* the counted op: more_mark reads */

/* The counter called name (no "="), or -1 if kc_names has none. */
static int
kc_index(const char *name)
{
	for (int i = 0; i < KC_N; i++)
		if (strcmp(kc_names[i] + (kc_names[i][0] == '='), name) == 0)
			return i;
	return -1;
}

/* The "name value" lines of path that kc_names asks for. */
static void
kc_read_file(struct kcounts *c, const char *path)
{
	char line[128], name[64];
	unsigned long long v;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		int i;
		if (sscanf(line, "%63s %llu", name, &v) == 2 && (i = kc_index(name)) >= 0) {
			c->v[i] = v;
			c->have[i] = true;
		}
	}
	fclose(f);
}

static void
kc_read(struct kcounts *c)
{
	memset(c, 0, sizeof(*c));
	kc_read_file(c, on_linux ? "/proc/vmstat" : "/proc/uvmexp");
}

/* A counter's change from a to b; false if either lacks it. */
static bool
kc_delta(const struct kcounts *a, const struct kcounts *b, const char *name,
    int64_t *d)
{
	int i = kc_index(name);

	if (i < 0 || !a->have[i] || !b->have[i])
		return false;
	*d = (int64_t)(b->v[i] - a->v[i]);
	return true;
}

/* "# METRIC: WHAT: name change ..." for every counter that moved. */
static void
kc_note(const char *metric, const char *what, const struct kcounts *a,
    const struct kcounts *b)
{
	printf("# %s: %s:", metric, what);
	for (int i = 0; i < KC_N; i++) {
		const char *name = kc_names[i] + (kc_names[i][0] == '=');
		int64_t d;
		if (kc_delta(a, b, name, &d) && d != 0)
			printf(" %s %+lld", name, (long long)d);
	}
	printf("\n");
}

/* In a sample: the counters at the start (0) or end (1) of the timed part. */
static inline void
more_mark(int i)
{
	if (more_counting)
		kc_read(&more_cnt[i]);
}

/* measure(), then one sample more, counted (kc_note). */
static void
more_measure(const char *metric, const char *unit, uint64_t (*one)(long), long arg)
{
	measure(metric, unit, one, arg);
	more_counting = true;
	if (one(arg) != UINT64_MAX)
		kc_note(metric, "counted over one sample", &more_cnt[0], &more_cnt[1]);
	more_counting = false;
}

static uint64_t
munmap_one(long unused)
{
	char *p = map_touched(MORE_LEN, "munmap_64m");
	uint64_t t0, t1;
	int r;

	(void)unused;
	if (p == NULL)
		return UINT64_MAX;
	more_mark(0);
	t0 = tsc();
	r = munmap(p, MORE_LEN);
	t1 = tsc();
	more_mark(1);
	if (r != 0) {
		fail("munmap_64m", "munmap");
		return UINT64_MAX;
	}
	return t1 - t0;
}

/*
 * uvmkern only: munmap_64m in two steps, 5 times - mprotect(PROT_NONE)
 * first, which there is pmap_remove alone (every PTE and its PV entry
 * go, the pages stay), then the munmap, which is left with the rest
 * (the amap, the anons and the pages freed).  Linux's PROT_NONE keeps
 * its PTEs, so the split says nothing there.
 */
static void
munmap_split_note(void)
{
	uint64_t a[5], b[5];

	if (on_linux)
		return;
	for (int i = 0; i < 5; i++) {
		char *p = map_touched(MORE_LEN, "munmap_64m");
		uint64_t t0, t1, t2;
		if (p == NULL)
			return;
		t0 = tsc();
		mprotect(p, MORE_LEN, PROT_NONE);
		t1 = tsc();
		munmap(p, MORE_LEN);
		t2 = tsc();
		a[i] = t1 - t0;
		b[i] = t2 - t1;
	}
	printf("# munmap_64m: in two steps (medians of 5): mprotect PROT_NONE (the pmap's "
	    "part) %llu cycles, then munmap (amap, anons, pages) %llu\n",
	    (unsigned long long)median(a, 5), (unsigned long long)median(b, 5));
}

static uint64_t *exit_t0;               /* MAP_SHARED: the child's last rdtsc */

/*
 * The child writes mib MiB of its own, says so on ready, waits for go,
 * reads the TSC into exit_t0 and exits; the parent waits.  The counters
 * are read between ready and go, and after waitpid.
 */
static uint64_t
exit_one(long mib)
{
	int ready[2], go[2], status;
	uint64_t t1 = 0;
	char c = 0;
	pid_t pid;

	if (pipe(ready) != 0 || pipe(go) != 0) {
		fail("exit_wait", "pipe");
		return UINT64_MAX;
	}
	pid = fork();
	if (pid == 0) {
		if (mib > 0 && map_touched((size_t)mib * MIB, "exit_wait") == NULL)
			_exit(1);
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		*(volatile uint64_t *)exit_t0 = tsc();
		_exit(0);
	}
	if (pid > 0 && read(ready[0], &c, 1) == 1) {
		more_mark(0);
		if (write(go[1], &c, 1) == 1 && waitpid(pid, &status, 0) == pid)
			t1 = tsc();
		more_mark(1);
	} else if (pid > 0) {
		waitpid(pid, &status, 0);
	}
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	if (t1 == 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fail("exit_wait", pid < 0 ? "fork" : "the child");
		return UINT64_MAX;
	}
	return t1 - *(volatile uint64_t *)exit_t0;
}

/* The break raised BRK_STEP at a time to MORE_LEN above where it was. */
static uint64_t
brk_one(long unused)
{
	uintptr_t base = (uintptr_t)syscall(SYS_brk, 0), cur = base;
	uint64_t t0, t1;
	bool ok = true;

	(void)unused;
	more_mark(0);
	t0 = tsc();
	for (size_t i = 0; i < MORE_LEN / BRK_STEP && ok; i++) {
		uintptr_t want = cur + BRK_STEP;
		ok = (uintptr_t)syscall(SYS_brk, want) == want;
		if (ok)
			touch((char *)cur, BRK_STEP);
		cur = want;
	}
	t1 = tsc();
	more_mark(1);
	syscall(SYS_brk, base);
	if (!ok) {
		fail("brk_grow", "brk");
		return UINT64_MAX;
	}
	return (t1 - t0) / (MORE_LEN / PAGE);
}

static uint64_t
more_word(size_t page)
{
	return (uint64_t)page * 0x9e3779b97f4a7c15ULL + 0x5a;
}

static uint64_t mremap_call[WARMUP + REPS + 1];   /* the mremap alone */
static int mremap_n;

/* A written 64 MiB region with a PROT_NONE page after it, or NULL. */
static char *
mremap_region(void)
{
	char *p = map_anon(MORE_LEN + PAGE, PROT_READ | PROT_WRITE);

	if (p == NULL || mprotect(p + MORE_LEN, PAGE, PROT_NONE) != 0) {
		fail("mremap_grow_64m", "mmap or mprotect");
		return NULL;
	}
	for (size_t i = 0; i < MORE_LEN / PAGE; i++)
		*(uint64_t *)(p + i * PAGE) = more_word(i);
	return p;
}

static uint64_t
mremap_one(long unused)
{
	char *p = mremap_region(), *q;
	size_t bad = 0;
	uint64_t t0, t1, t2;

	(void)unused;
	if (p == NULL)
		return UINT64_MAX;
	more_mark(0);
	t0 = tsc();
	q = mremap(p, MORE_LEN, 2 * MORE_LEN, MREMAP_MAYMOVE);
	t1 = tsc();
	for (size_t i = 0; q != MAP_FAILED && i < MORE_LEN / PAGE; i++)
		bad += *(volatile uint64_t *)(q + i * PAGE) != more_word(i);
	t2 = tsc();
	more_mark(1);
	munmap(p + MORE_LEN, PAGE);
	if (q == MAP_FAILED) {
		fail("mremap_grow_64m", "mremap");
		munmap(p, MORE_LEN);
		return UINT64_MAX;
	}
	munmap(q, 2 * MORE_LEN);
	if (bad != 0 || q == p) {
		printf("bench: error mremap_grow_64m %zu pages wrong after the move, %s\n",
		    bad, q == p ? "not moved" : "moved");
		return UINT64_MAX;
	}
	if (mremap_n < WARMUP + REPS + 1)
		mremap_call[mremap_n++] = t1 - t0;
	return t2 - t0;
}

/* Linux: its transparent-huge-page setting, for the notes. */
static void
more_thp_note(void)
{
	const char *path = "/sys/kernel/mm/transparent_hugepage/enabled";
	char line[128];
	FILE *f;

	if (!on_linux)
		return;
	if (access(path, F_OK) != 0) {
		mkdir("/sys", 0555);
		mount("sysfs", "/sys", "sysfs", 0, NULL);
	}
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fgets(line, sizeof(line), f) != NULL)
		printf("# more: Linux's transparent huge pages: %s", line);
	fclose(f);
}

static void
run_more(void)
{
	exit_t0 = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (exit_t0 == MAP_FAILED) {
		fail("more", "shared page");
		return;
	}
	more_thp_note();
	more_measure("munmap_64m", "cycles/op", munmap_one, 0);
	munmap_split_note();
	more_measure("exit_wait_0m", "cycles/op", exit_one, 0);
	more_measure("exit_wait_64m", "cycles/op", exit_one, 64);
	more_measure("brk_grow", "cycles/page", brk_one, 0);
	more_measure("mremap_grow_64m", "cycles/op", mremap_one, 0);
	if (mremap_n > WARMUP)
		printf("# mremap_grow_64m: the mremap call alone: %llu cycles (median); "
		    "the rest is reading the pages at the new place\n",
		    (unsigned long long)median(mremap_call + WARMUP, mremap_n - WARMUP));
	munmap(exit_t0, PAGE);
}

/* ---- several CPUs: zero fill and mmap+munmap from 1, 2 and 4 workers ---- */

/*
 * The scaling metrics (make bench SMP=2, SMP=4; on one CPU they run too and
 * say what time-slicing costs).  A group of N workers - N threads of this
 * process, or N child processes - each does the same work at once:
 *
 *   smp_zf_thrN, smp_zf_procN   touch every page of its own fresh 4 MiB
 *                               mapping (zero-fill faults); pages/s
 *   smp_mm_thrN                 SC_MM_OPS times: mmap 4 pages, write them,
 *                               munmap (with N > 1 threads on other CPUs
 *                               the munmap must shoot their TLBs down); ops/s
 *
 * The parent wakes the workers through pipes; each reads the TSC around its
 * own work into a shared page, and a sample is the group's throughput, all
 * workers' operations over the span from the first start to the last end
 * (so a worker that starts late counts against the group).  The mapping is
 * made and unmapped in separate steps, before and after the timed one, so
 * only the faults are timed and no munmap runs beside them.  Cycles become
 * seconds by the TSC's rate against CLOCK_MONOTONIC over the whole run.
 *
 *   smp_zf_thrN_speedup         N's rate over 1's in the same boot, in
 *                               thousandths (2000: twice as fast)
 *
 * Around each group's samples the kernel's counters are read to say what
 * dominates (a "# " note per metric): on uvmkern /proc/uvmexp (shootdown
 * IPIs, pause loops on spin locks, fault restarts) and /proc/self/uvmlocks
 * (sleeps on the map lock and the amap locks); on Linux the TLB, CAL and
 * RES lines of /proc/interrupts.  smp_*_ipis_per_kop is TLB shootdown
 * IPIs per 1000 operations on both kernels (uvmkern: targets of its
 * cross-calls; Linux: "TLB shootdowns" interrupts taken).
 */
#define SC_MAXW 4
#define SC_ZF_LEN (4 * MIB)
#define SC_MM_OPS 64
#define SC_MM_LEN (4 * PAGE)
#define SC_NCOUNT 96

enum sc_kind { SC_ZF_THR, SC_ZF_PROC, SC_MM_THR };
static const char *const sc_names[] = { "smp_zf_thr", "smp_zf_proc", "smp_mm_thr" };

struct sc_slot {                        /* one worker's, in a MAP_SHARED page */
	uint64_t t0, t1;
	int failed;
};

struct sc_worker {
	enum sc_kind kind;
	struct sc_slot *slot;
	pthread_t th;
	pid_t pid;
	int req[2], ans[2];             /* parent writes req[1], reads ans[0] */
	char *region;                   /* the zero-fill worker's mapping */
};

static struct sc_slot *sc_slots;
static uint64_t sc_tsc0;
static struct timespec sc_ts0;

/* Does one command c in the worker w: 'm' map, 't' timed, 'u' unmap. */
static int
sc_do(struct sc_worker *w, char c)
{
	struct sc_slot *s = w->slot;

	if (c == 'm')
		return (w->region = map_anon(SC_ZF_LEN, PROT_READ | PROT_WRITE)) ? 0 : -1;
	if (c == 'u')
		return w->region != NULL ? munmap(w->region, SC_ZF_LEN) : 0;
	s->t0 = tsc();
	if (w->kind != SC_MM_THR) {
		touch(w->region, SC_ZF_LEN);
	} else {
		for (int i = 0; i < SC_MM_OPS; i++) {
			char *p = map_anon(SC_MM_LEN, PROT_READ | PROT_WRITE);
			if (p == NULL)
				return -1;
			touch(p, SC_MM_LEN);
			munmap(p, SC_MM_LEN);
		}
	}
	s->t1 = tsc();
	return 0;
}

/* The worker: commands until end of file or 'q', one answer byte each. */
static void *
sc_loop(void *arg)
{
	struct sc_worker *w = arg;
	char c;

	while (read(w->req[0], &c, 1) == 1 && c != 'q') {
		if (sc_do(w, c) != 0)
			w->slot->failed = 1;
		if (write(w->ans[1], &c, 1) != 1)
			break;
	}
	return NULL;
}

/* Starts worker i of a group of kind k; 0, or -1 after closing its pipes. */
static int
sc_start(struct sc_worker *ws, int i, enum sc_kind k)
{
	struct sc_worker *w = &ws[i];

	memset(w, 0, sizeof(*w));
	w->kind = k;
	w->slot = &sc_slots[i];
	memset(w->slot, 0, sizeof(*w->slot));
	if (pipe(w->req) != 0)
		return -1;
	if (pipe(w->ans) != 0)
		goto fail_ans;
	if (k != SC_ZF_PROC) {
		if (pthread_create(&w->th, NULL, sc_loop, w) == 0)
			return 0;
	} else if ((w->pid = fork()) == 0) {
		for (int j = 0; j < i; j++) {   /* or the earlier ones never see EOF */
			close(ws[j].req[1]);
			close(ws[j].ans[0]);
		}
		sc_loop(w);
		_exit(0);
	} else if (w->pid > 0) {
		return 0;
	}
	close(w->ans[0]);
	close(w->ans[1]);
fail_ans:
	close(w->req[0]);
	close(w->req[1]);
	return -1;
}

static void
sc_stop(struct sc_worker *w)
{
	int status;

	if (write(w->req[1], "q", 1) != 1)
		printf("# smp: a worker's pipe is gone\n");
	if (w->kind == SC_ZF_PROC)
		waitpid(w->pid, &status, 0);
	else
		pthread_join(w->th, NULL);
	close(w->req[0]);
	close(w->req[1]);
	close(w->ans[0]);
	close(w->ans[1]);
}

/* Sends c to the n workers, then waits for all n answers; -1 if one failed. */
static int
sc_all(struct sc_worker *ws, int n, char c)
{
	int bad = 0;

	for (int i = 0; i < n; i++)
		bad |= write(ws[i].req[1], &c, 1) != 1;
	for (int i = 0; i < n; i++) {
		char a;
		bad |= read(ws[i].ans[0], &a, 1) != 1 || ws[i].slot->failed;
	}
	return bad ? -1 : 0;
}

/* One sample of a group: cycles per operation of the whole group. */
static uint64_t
sc_sample(struct sc_worker *ws, int n)
{
	uint64_t first = UINT64_MAX, last = 0, ops;
	bool zf = ws[0].kind != SC_MM_THR;

	if ((zf && sc_all(ws, n, 'm') != 0) || sc_all(ws, n, 't') != 0 ||
	    (zf && sc_all(ws, n, 'u') != 0))
		return UINT64_MAX;
	for (int i = 0; i < n; i++) {
		first = ws[i].slot->t0 < first ? ws[i].slot->t0 : first;
		last = ws[i].slot->t1 > last ? ws[i].slot->t1 : last;
	}
	ops = (uint64_t)n * (zf ? SC_ZF_LEN / PAGE : SC_MM_OPS);
	return (last - first) / ops;
}

/* ---- the kernels' counters around a group ---- */

struct sc_counts {
	char name[SC_NCOUNT][40];
	uint64_t v[SC_NCOUNT];
	int n;
};

static void
sc_count_add(struct sc_counts *c, const char *name, uint64_t v)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->name[i], name) == 0) {
			c->v[i] += v;
			return;
		}
	if (c->n < SC_NCOUNT) {
		snprintf(c->name[c->n], sizeof(c->name[0]), "%s", name);
		c->v[c->n++] = v;
	}
}

/* "name value" lines of path; cpuN_x counted as all_x, summed. */
static void
sc_count_file(struct sc_counts *c, const char *path)
{
	char line[128], name[64], all[64], *us;
	unsigned long long v;
	int cpu;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%63s %llu", name, &v) != 2)
			continue;
		us = strchr(name, '_');
		if (sscanf(name, "cpu%d_", &cpu) == 1 && us != NULL) {
			snprintf(all, sizeof(all), "all%s", us);
			sc_count_add(c, all, v);
		} else {
			sc_count_add(c, name, v);
		}
	}
	fclose(f);
}

/* Linux: the TLB, CAL and RES lines of /proc/interrupts, summed over CPUs. */
static void
sc_count_irqs(struct sc_counts *c)
{
	char line[512], *p, *end;
	FILE *f = fopen("/proc/interrupts", "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		uint64_t sum = 0;
		p = line + strspn(line, " ");
		if (strncmp(p, "TLB:", 4) != 0 && strncmp(p, "CAL:", 4) != 0 &&
		    strncmp(p, "RES:", 4) != 0)
			continue;
		p[3] = '\0';
		for (char *q = p + 4;; q = end) {
			unsigned long long v = strtoull(q, &end, 10);
			if (end == q)
				break;
			sum += v;
		}
		sc_count_add(c, p, sum);
	}
	fclose(f);
}

static void
sc_count(struct sc_counts *c)
{
	memset(c, 0, sizeof(*c));
	sc_count_file(c, "/proc/uvmexp");
	sc_count_file(c, "/proc/self/uvmlocks");
	sc_count_irqs(c);
}

/* A counter's change from a to b, per 1000 operations; -1 if not kept. */
static long
sc_delta(const struct sc_counts *a, const struct sc_counts *b, const char *name,
    uint64_t ops)
{
	for (int i = 0; i < b->n; i++)
		if (strcmp(b->name[i], name) == 0)
			for (int j = 0; j < a->n; j++)
				if (strcmp(a->name[j], name) == 0)
					return (long)((b->v[i] - a->v[j]) * 1000 / (ops ? ops : 1));
	return -1;
}

/* uvmkern: the spin locks waited on most (pause loops per 1000 ops), at most 3. */
static void
sc_note_spins(const struct sc_counts *a, const struct sc_counts *b, uint64_t ops)
{
	bool shown[SC_NCOUNT] = { false };
	char wait[64];

	for (int k = 0; k < 3; k++) {
		long best = 0;
		int bi = -1;
		for (int i = 0; i < b->n; i++) {
			long d = strncmp(b->name[i], "spinloop_", 9) == 0 && !shown[i] ?
			    sc_delta(a, b, b->name[i], ops) : -1;
			if (d > best) {
				best = d;
				bi = i;
			}
		}
		if (bi < 0)
			return;
		shown[bi] = true;
		snprintf(wait, sizeof(wait), "spinwait_%s", b->name[bi] + 9);
		printf(" %s %ld (waits %ld)", b->name[bi], best, sc_delta(a, b, wait, ops));
	}
}

/* The note under a metric: what the kernel counted, per 1000 operations. */
static void
sc_note(const char *metric, const struct sc_counts *a, const struct sc_counts *b,
    uint64_t ops)
{
	static const char *const names[] = {
		"tlb_ipis", "tlb_shootdowns", "all_spins", "map_lock_sleeps",
		"amap_lock_sleeps", "flt_restart", "flt_upgrade", "all_resched",
		"spinwait_uvm_free", "spinloop_uvm_free", "pgc_hits", "pgc_refills",
		"TLB", "CAL", "RES",
	};
	long ipis = sc_delta(a, b, "tlb_ipis", ops);

	printf("# %s: per 1000 ops:", metric);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		long d = sc_delta(a, b, names[i], ops);
		if (d >= 0)
			printf(" %s %ld", names[i], d);
	}
	sc_note_spins(a, b, ops);
	printf("\n");
	if (ipis < 0)
		ipis = sc_delta(a, b, "TLB", ops);
	if (ipis >= 0 && strncmp(metric, "smp_mm_", 7) == 0) {
		char m[96];
		snprintf(m, sizeof(m), "%s_ipis_per_kop", metric);
		report(m, (uint64_t)ipis, "ipis/kop");
	}
}

/* ---- the groups ---- */

/* The TSC's rate against CLOCK_MONOTONIC since sc_tsc0 (the run's start). */
static double
sc_tsc_hz(void)
{
	struct timespec ts;
	uint64_t t = tsc();
	double s;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s = (double)(ts.tv_sec - sc_ts0.tv_sec) + (ts.tv_nsec - sc_ts0.tv_nsec) / 1e9;
	printf("# smp: the TSC ran at %.0f MHz against CLOCK_MONOTONIC over %.1f s\n",
	    s > 0 ? (double)(t - sc_tsc0) / s / 1e6 : 0.0, s);
	return s > 0 ? (double)(t - sc_tsc0) / s : 0;
}

/* The rate of a group of n workers of kind k (per second), 0 on failure. */
static uint64_t
sc_group(enum sc_kind k, int n, double hz)
{
	struct sc_worker ws[SC_MAXW];
	struct sc_counts a, b;
	uint64_t s[REPS], med = 0;
	char metric[64];
	int started = 0, ok = 1;

	snprintf(metric, sizeof(metric), "%s%d", sc_names[k], n);
	printf("# %s ...\n", metric);
	while (started < n && (ok = sc_start(ws, started, k) == 0))
		started++;
	sc_count(&a);
	for (int i = 0; i < WARMUP + REPS && ok; i++) {
		uint64_t v = sc_sample(ws, started);
		ok = v != UINT64_MAX && v > 0;
		if (i >= WARMUP && ok)
			s[i - WARMUP] = v;
	}
	sc_count(&b);
	for (int i = 0; i < started; i++)
		sc_stop(&ws[i]);
	if (!ok) {
		fail(metric, k == SC_ZF_PROC ? "fork, mmap or touch" : "thread, mmap or touch");
		return 0;
	}
	med = median(s, REPS);
	sc_note(metric, &a, &b, (uint64_t)(WARMUP + REPS) * n *
	    (k == SC_MM_THR ? SC_MM_OPS : SC_ZF_LEN / PAGE));
	report(metric, (uint64_t)(hz / (double)med), k == SC_MM_THR ? "ops/s" : "pages/s");
	return (uint64_t)(hz / (double)med);
}

static void
run_smp(void)
{
	static const int ns[] = { 1, 2, 4 };
	double hz = sc_tsc_hz();

	printf("# smp: %ld CPUs online\n", sysconf(_SC_NPROCESSORS_ONLN));
	sc_slots = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sc_slots == MAP_FAILED || hz <= 0) {
		fail("smp", "shared page or clock");
		return;
	}
	for (int k = SC_ZF_THR; k <= SC_MM_THR; k++) {
		uint64_t r[3];
		char m[64];
		for (int i = 0; i < 3; i++)
			r[i] = sc_group((enum sc_kind)k, ns[i], hz);
		for (int i = 1; i < 3; i++) {
			if (r[0] == 0 || r[i] == 0)
				continue;
			snprintf(m, sizeof(m), "%s%d_speedup", sc_names[k], ns[i]);
			report(m, r[i] * 1000 / r[0], "permille");
		}
	}
	munmap(sc_slots, PAGE);
}

/* ---- the floors ---- */

#define NULL_OPS 1000
#define MEMSET_OPS 1000
static char page_buf[PAGE] __attribute__((aligned(4096)));

static uint64_t
null_one(long unused)
{
	uint64_t t0 = tsc();

	(void)unused;
	for (int i = 0; i < NULL_OPS; i++)
		syscall(SYS_getppid);
	return (tsc() - t0) / NULL_OPS;
}

static uint64_t
memset_one(long unused)
{
	uint64_t t0 = tsc();

	(void)unused;
	for (int i = 0; i < MEMSET_OPS; i++) {
		memset(page_buf, i, PAGE);
		__asm__ volatile("" ::: "memory");
	}
	return (tsc() - t0) / MEMSET_OPS;
}

/*
 * The floors - a null system call, a memset of a resident page - are
 * pure emulation cost, nearly the same instructions on both kernels, and
 * this host's noise comes in bursts of tens of milliseconds (often right
 * after a phase that touched much memory, on either kernel).  One
 * placement could land in a burst on one kernel and not the other, so
 * each floor is sampled at FLOOR_PLACES points spread over the run, REPS
 * samples each, and the median of them all is reported at the end.
 */
#define FLOOR_PLACES 5

static struct floor {
	const char *metric, *unit;
	uint64_t (*one)(long);
	uint64_t s[FLOOR_PLACES * REPS];
	int n;
} floors[] = {
	{ "null_syscall", "cycles/call", null_one, { 0 }, 0 },
	{ "memset_page", "cycles/page", memset_one, { 0 }, 0 },
};

#define NFLOORS (int)(sizeof(floors) / sizeof(floors[0]))

/* One placement: WARMUP + REPS runs of each floor, the REPS kept. */
static void
floors_sample(void)
{
	for (int f = 0; f < NFLOORS; f++) {
		for (int i = 0; i < WARMUP + REPS; i++) {
			uint64_t v = floors[f].one(0);
			if (i >= WARMUP && floors[f].n < FLOOR_PLACES * REPS)
				floors[f].s[floors[f].n++] = v;
		}
	}
}

static void
floors_report(void)
{
	for (int f = 0; f < NFLOORS; f++) {
		printf("# %s: median of %d samples from %d places in the run\n",
		    floors[f].metric, floors[f].n, FLOOR_PLACES);
		report(floors[f].metric, median(floors[f].s, floors[f].n),
		    floors[f].unit);
	}
}

static void run_used(void);

static void
run_vm(void)
{
	memset(page_buf, 1, PAGE);
	floors_sample();
	measure("zero_fill_fault", "cycles/page", zero_fill_one, 0);

	if ((present = map_touched(ZF_LEN, "read_present")) != NULL) {
		layout_note("read_present", present, ZF_LEN);
		measure_warm("read_present", "cycles/page", read_present_one, 0, RP_WARMUP);
		munmap(present, ZF_LEN);
	}

	if ((cow_region = map_touched(COW_LEN, "cow_fault")) != NULL) {
		measure("cow_fault", "cycles/page", cow_one, 0);
		munmap(cow_region, COW_LEN);
	}

	floors_sample();
	fork_with(0, "fork_exit_wait_0m");
	fork_with(16, "fork_exit_wait_16m");
	fork_with(64, "fork_exit_wait_64m");

	floors_sample();
	run_start();

	floors_sample();
	map_series(map_ns, MAP_NS, false);
	map_series(map_sep_ns, MAP_SEP_NS, true);

	floors_sample();
	if ((mprot_region = map_touched(MPROT_LEN, "mprotect_split_merge")) != NULL) {
		measure("mprotect_split_merge", "cycles/pair", mprotect_one, 0);
		mprotect_note();
		munmap(mprot_region, MPROT_LEN);
	}

	floors_sample();
	run_more();

	floors_sample();
	run_smp();

	floors_sample();
	run_used();

	floors_sample();
	floors_report();
}

/* ---- the used process: every metric again, in the process that ran the others ---- */

/*
 * The metrics above mostly run in a process made for them: the mmap
 * series in forked workers that did nothing else, the others right after
 * the start of the run.  A program is not like that: it mmaps among what
 * it mapped and unmapped before, in a map whose free space, amaps, pools
 * and page tables remember its history.  An independent benchmark that
 * runs every metric in one process, one after another, found mmap +
 * write + munmap among 1,000 mappings 50 times slower than these figures
 * (issue 22).  So `vmbench vm` ends with the used pass (run_used), in the
 * process that ran everything above, and reports each figure again as
 * used_METRIC:
 *
 *   used_mmap_N        mmap_touch_munmap's operation among N = 10, 1000,
 *                      30000 one-page mappings made here by one
 *                      mmap(NULL) each, read-only and read-write in
 *                      turn, none written (issue 15's program, and the
 *                      independent benchmark's); then all N unmapped
 *                      (the next N finds the map they left)
 *   used_mm_wr_N       the same, the N all read-write and written once
 *   used_mm_holes_N    a map fragmented on purpose: 2N pages mapped one
 *                      by one and written, every other one unmapped
 *                      again: N one-page holes among N mappings
 *   ..._N_per_10       flatness: N's cost over N = 10's, in thousandths
 *                      (the target: at most 1200), from rounds that
 *                      sample every N in turn (used_maps)
 *   used_mprotect_split_merge, used_fork_exit_wait_0m,
 *   used_zero_fill_fault, used_cow_fault
 *                      the same work as the metric without used_,
 *                      after all of the above
 *
 * On uvmkern, notes say per operation what the kernel counted
 * (/proc/uvmexp: pages allocated and zeroed, faults, TLB invalidations,
 * the map tree's nodes recomputed and lookups) and where the cycles of
 * one map + write + unmap go (each part timed alone).
 *
 * `vmbench used` runs the pass alone (after a short history: the first
 * metrics of run_vm), to study it by hand.
 */
#define USED_NS 3
static const long used_ns[USED_NS] = { 10, 1000, 30000 };
#define USED_ROUNDS 7
#define USED_PER 3              /* samples per round: 21 per N in all */

/*
 * How the used pass makes its N mappings, each by one mmap(NULL) of a
 * page, so each lands just below the one before:
 *
 *   USED_ALT    read-only and read-write in turn, none written (issue
 *               15's program, the independent benchmark's: no two merge)
 *   USED_TOUCH  all read-write, each written once (each its own amap)
 *   USED_HOLES  2N as USED_TOUCH, every other one unmapped again: N
 *               one-page holes
 */
enum used_kind { USED_ALT, USED_TOUCH, USED_HOLES };
/* The metric's name for each kind: PREFIX + N, and PREFIX + N + _per_10. */
static const char *const used_kind_name[] = { "used_mmap_", "used_mm_wr_", "used_mm_holes_" };

/*
 * n one-page mappings of the kind into pages[] (n + 1 slots); 0, or -1
 * after "bench: error" (what was made is in pages[], NULL-ended).
 */
static int
used_make(char **pages, long n, enum used_kind kind, const char *metric)
{
	long made = kind == USED_HOLES ? 2 * n : n, k = 0;

	memset(pages, 0, ((size_t)n + 1) * sizeof(*pages));
	for (long i = 0; i < made; i++) {
		int prot = kind == USED_ALT && i % 2 ? PROT_READ : PROT_READ | PROT_WRITE;
		char *p = map_anon(PAGE, prot);
		if (p == NULL) {
			fail(metric, "mmap of the surrounding mappings");
			return -1;
		}
		if (kind != USED_ALT)
			*(volatile char *)p = 1;
		if (kind == USED_HOLES && i % 2 == 1)
			munmap(p, PAGE);
		else
			pages[k++] = p;
	}
	return 0;
}

/* uvmkern's /proc/uvmexp counters ("name value" lines); n 0 on Linux. */
#define USED_COUNTERS 64
struct used_counts {
	int n;
	char name[USED_COUNTERS][32];
	uint64_t v[USED_COUNTERS];
};

static void
used_count(struct used_counts *c)
{
	FILE *f = fopen("/proc/uvmexp", "r");

	c->n = 0;
	while (f != NULL && c->n < USED_COUNTERS &&
	    fscanf(f, "%31s %llu", c->name[c->n], (unsigned long long *)&c->v[c->n]) == 2)
		c->n++;
	if (f != NULL)
		fclose(f);
}

/* "# METRIC per op: name delta/ops ..." for the counters that moved. */
static void
used_count_note(const char *metric, const struct used_counts *a,
    const struct used_counts *b, int ops)
{
	if (a->n == 0 || a->n != b->n)
		return;
	printf("# %s per op:", metric);
	for (int i = 0; i < a->n; i++)
		if (b->v[i] != a->v[i] && strncmp(a->name[i], "cpu", 3) != 0 &&
		    strncmp(a->name[i], "spin", 4) != 0)
			printf(" %s %.2f", a->name[i], (double)(int64_t)(b->v[i] - a->v[i]) / ops);
	printf("\n");
}

/*
 * A note on where map_op's cycles go: mmap, the write (a zero-fill
 * fault) and munmap each timed alone, medians over USED_PARTS ops; and
 * on uvmkern what the kernel counted over them, per op.
 */
#define USED_PARTS 51
static void
used_parts_note(const char *metric)
{
	uint64_t mm[USED_PARTS], wr[USED_PARTS], un[USED_PARTS];
	static struct used_counts a, b;

	used_count(&a);
	for (int i = 0; i < USED_PARTS; i++) {
		uint64_t t0 = tsc(), t1, t2;
		char *p = map_anon(PAGE, PROT_READ | PROT_WRITE);
		if (p == NULL)
			return;
		t1 = tsc();
		*(volatile char *)p = 1;
		t2 = tsc();
		munmap(p, PAGE);
		mm[i] = t1 - t0;
		wr[i] = t2 - t1;
		un[i] = tsc() - t2;
	}
	used_count(&b);
	used_count_note(metric, &a, &b, USED_PARTS);
	printf("# %s: mmap %llu, write %llu, munmap %llu cycles (medians)\n", metric,
	    (unsigned long long)median(mm, USED_PARTS),
	    (unsigned long long)median(wr, USED_PARTS),
	    (unsigned long long)median(un, USED_PARTS));
}

static void
used_unmake(char **pages, long n)
{
	for (long i = 0; i < n && pages[i] != NULL; i++)
		munmap(pages[i], PAGE);
}

/*
 * USED_PER samples of map_one (after one untimed) among n mappings of
 * the kind, made now and unmade after, into s[]; 0, or -1 after "bench:
 * error".  With notes (the last round): where the page lands, the parts'
 * cycles and the kernel's counts.
 */
static int
used_map_samples(long n, enum used_kind kind, uint64_t *s, bool notes)
{
	char metric[64];
	char **pages = calloc((size_t)n + 1, sizeof(*pages));
	int i = 0;

	snprintf(metric, sizeof(metric), "%s%ld", used_kind_name[kind], n);
	if (pages == NULL) {
		fail(metric, "calloc");
		return -1;
	}
	if (used_make(pages, n, kind, metric) == 0 && map_one(0) != UINT64_MAX) {
		for (i = 0; i < USED_PER && (s[i] = map_one(0)) != UINT64_MAX; i++)
			;
		if (notes) {
			map_note(metric, pages[n - 1], n);
			used_parts_note(metric);
		}
	}
	used_unmake(pages, n);
	free(pages);
	return i == USED_PER ? 0 : -1;
}

/* Median over the rounds of (N's median in the round / N=10's), in thousandths. */
static uint64_t
used_ratio(uint64_t (*s)[USED_ROUNDS * USED_PER], int k)
{
	uint64_t r[USED_ROUNDS];

	for (int j = 0; j < USED_ROUNDS; j++) {
		uint64_t a = median(&s[k][j * USED_PER], USED_PER);
		uint64_t b = median(&s[0][j * USED_PER], USED_PER);
		r[j] = a * 1000 / (b ? b : 1);
	}
	return median(r, USED_ROUNDS);
}

/*
 * The series for one kind, in rounds: each round makes, samples and
 * unmakes N = 10, 1000, 30000 in turn, so a burst of host noise lands on
 * one round, not on one N (as map_series' workers in turns).  Reported:
 * each N's median over all its samples, and N's ratio to 10 as the
 * median over the rounds of the ratio within the round.
 */
static void
used_maps(enum used_kind kind)
{
	static uint64_t s[USED_NS][USED_ROUNDS * USED_PER];
	uint64_t ratio[USED_NS];
	char metric[64];

	printf("# %sN ... (%d rounds of N = 10, 1000, 30000)\n",
	    used_kind_name[kind], USED_ROUNDS);
	for (int j = 0; j < USED_ROUNDS; j++)
		for (int k = 0; k < USED_NS; k++) {
			int r = used_map_samples(used_ns[k], kind, &s[k][j * USED_PER],
			    j == USED_ROUNDS - 1);
			if (r != 0)
				return;
		}
	/* The ratios first: median() sorts, the whole-array one the rounds away. */
	for (int k = 1; k < USED_NS; k++)
		ratio[k] = used_ratio(s, k);
	for (int k = 0; k < USED_NS; k++) {
		snprintf(metric, sizeof(metric), "%s%ld", used_kind_name[kind], used_ns[k]);
		report(metric, median(s[k], USED_ROUNDS * USED_PER), "cycles/op");
	}
	for (int k = 1; k < USED_NS; k++) {
		snprintf(metric, sizeof(metric), "%s%ld_per_%ld", used_kind_name[kind],
		    used_ns[k], used_ns[0]);
		report(metric, ratio[k], "permille");
	}
}

/* "# METRIC: the process has N mappings" (lines of /proc/self/maps). */
static void
used_maps_note(const char *metric)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int c, n = 0;

	if (f == NULL)
		return;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	printf("# %s: the process has %d mappings\n", metric, n);
}

static void
run_used(void)
{
	static struct used_counts a, b;

	printf("# used: every metric again in the process that ran the others\n");
	used_maps(USED_ALT);
	used_maps(USED_TOUCH);
	used_maps(USED_HOLES);
	if ((mprot_region = map_touched(MPROT_LEN, "used_mprotect_split_merge")) != NULL) {
		measure("used_mprotect_split_merge", "cycles/pair", mprotect_one, 0);
		munmap(mprot_region, MPROT_LEN);
	}
	used_maps_note("used_fork_exit_wait_0m");
	used_count(&a);
	measure("used_fork_exit_wait_0m", "cycles/op", fork_one, 0);
	used_count(&b);
	used_count_note("used_fork_exit_wait_0m", &a, &b, WARMUP + REPS);
	measure("used_zero_fill_fault", "cycles/page", zero_fill_one, 0);
	if ((cow_region = map_touched(COW_LEN, "used_cow_fault")) != NULL) {
		measure("used_cow_fault", "cycles/page", cow_one, 0);
		munmap(cow_region, COW_LEN);
	}
}

/* ---- swap ---- */

/*
 * Loads every module in MODDIR, in name order (the runner numbers them);
 * a module that fails is a note under metric's name (a later step says
 * what is missing).
 */
static void
load_modules(const char *metric)
{
	struct dirent **names;
	int n = scandir(MODDIR, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char path[512];
		int fd;

		if (strstr(names[i]->d_name, ".ko") != NULL) {
			snprintf(path, sizeof(path), "%s/%s", MODDIR, names[i]->d_name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0)
				if (errno != EEXIST)
					printf("# %s: loading %s: %s\n", metric, path,
					    strerror(errno));
			if (fd >= 0)
				close(fd);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/*
 * /dev/NAME (vda, vdc): from devtmpfs when the driver has made it, else
 * mknod from /sys/block/NAME/dev.  0, or -1 when the disk never showed up.
 */
static int
find_disk(const char *name)
{
	char buf[32], dev[64], sys[64];
	unsigned maj, min;
	int fd;
	ssize_t n;

	snprintf(dev, sizeof(dev), "/dev/%s", name);
	snprintf(sys, sizeof(sys), "/sys/block/%s/dev", name);
	for (int i = 0; i < 50; i++) {         /* probing is asynchronous */
		if (access(dev, F_OK) == 0)
			return 0;
		if (access(sys, F_OK) == 0)
			break;
		if (access("/sys/block", F_OK) != 0) {
			mkdir("/sys", 0555);
			mount("sysfs", "/sys", "sysfs", 0, NULL);
		}
		usleep(100000);
	}
	fd = open(sys, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -1;
	mkdir("/dev", 0755);
	return mknod(dev, S_IFBLK | 0600, makedev(maj, min));
}

/*
 * The Linux swap header, version 1 (what mkswap writes): the first page
 * of the area; the 1024 bytes at its start are left for boot blocks,
 * then come version (1), the last usable page number and the count of
 * bad pages as 32-bit words, and the page's last 10 bytes say
 * "SWAPSPACE2".
 */
static int
write_swap_header(int fd)
{
	static unsigned char hdr[PAGE];
	off_t size = lseek(fd, 0, SEEK_END);
	uint32_t version = 1, last_page, nbad = 0;

	if (size < (off_t)(2 * PAGE))
		return -1;
	last_page = (uint32_t)(size / PAGE - 1);
	memcpy(hdr + 1024, &version, 4);
	memcpy(hdr + 1028, &last_page, 4);
	memcpy(hdr + 1032, &nbad, 4);
	memcpy(hdr + PAGE - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, hdr, PAGE, 0) != (ssize_t)PAGE || fsync(fd) != 0)
		return -1;
	printf("# swap: wrote a swap header on %s: last page %u\n", SWAPDEV, last_page);
	return 0;
}

static int
linux_swapon(void)
{
	int fd;

	load_modules("swap");
	if (find_disk("vda") != 0) {
		fail("swap", "no " SWAPDEV " (module or /sys/block/vda missing)");
		return -1;
	}
	fd = open(SWAPDEV, O_RDWR | O_CLOEXEC);
	if (fd < 0 || write_swap_header(fd) != 0) {
		fail("swap", "writing the swap header");
		return -1;
	}
	close(fd);
	return swapon(SWAPDEV, 0);
}

static void
show_file(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		printf("# %s: %s", path, line);
	fclose(f);
}

/* What the swap system did: uvmkern's own counters, or Linux's vmstat. */
static void
swap_counters(void)
{
	struct uvm_swapstat st;
	char line[128];
	FILE *f;

	if (uvm_swapctl(UVM_SWAPCTL_STATS, &st, 0) == 0) {
		printf("# swap: %llu pages out in %llu writes, %llu pages in in %llu reads\n",
		    (unsigned long long)st.pageouts, (unsigned long long)st.writes,
		    (unsigned long long)st.pageins, (unsigned long long)st.reads);
		return;
	}
	f = fopen("/proc/vmstat", "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "pswp", 4) == 0)
			printf("# swap: /proc/vmstat %s", line);
	fclose(f);
}

/* MemFree from /proc/meminfo (both kernels have it), in KiB; 0 if none. */
static uint64_t
mem_free_kb(void)
{
	char line[128];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemFree: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static uint64_t
word_of(size_t page, size_t w)
{
	return ((uint64_t)page << 12 | w) * 0x9e3779b97f4a7c15ULL;
}

/*
 * One pass only, not a median: three times RAM through swap takes tens
 * of seconds under TCG, and the first pass is the one that matters.
 * 0, or -1 after "bench: error" (run_swap_more then does not run).
 */
static int
run_swap(long mib)
{
	size_t npages = (size_t)mib * MIB / PAGE, words = PAGE / 8, bad = 0;
	uint64_t *mem, t0, t1, t2, free_kb;
	int r;

	r = on_linux ? linux_swapon() : swapon(SWAPDEV, 0);
	if (r != 0 && errno != EBUSY) {
		fail("swap", "swapon " SWAPDEV);
		return -1;
	}
	printf("# swap: swapon %s: %s\n", SWAPDEV, r == 0 ? "done" : "already on (EBUSY)");
	show_file("/proc/swaps");
	free_kb = mem_free_kb();
	mem = (uint64_t *)map_anon(npages * PAGE, PROT_READ | PROT_WRITE);
	if (mem == NULL) {
		fail("swap", "mmap");
		return -1;
	}
	printf("# swap: writing %ld MiB (%zu pages), then verifying it\n", mib, npages);
	t0 = tsc();
	for (size_t p = 0; p < npages; p++)
		for (size_t w = 0; w < words; w++)
			mem[p * words + w] = word_of(p, w);
	t1 = tsc();
	for (size_t p = 0; p < npages; p++)
		for (size_t w = 0; w < words; w++)
			if (mem[p * words + w] != word_of(p, w)) {
				bad++;
				break;
			}
	t2 = tsc();
	if (bad != 0) {
		printf("bench: error swap %zu of %zu pages came back wrong\n", bad, npages);
		return -1;
	}
	swap_counters();
	report("swap_write", (t1 - t0) / npages, "cycles/page");
	report("swap_verify", (t2 - t1) / npages, "cycles/page");
	report("swap_per_page", (t2 - t0) / npages, "cycles/page");
	report("swap_total", t2 - t0, "cycles");
	report("swap_mem_free", free_kb, "KiB");
	munmap(mem, npages * PAGE);
	return 0;
}

/*
 * After run_swap, in the same boot (little RAM, swap on vda), with its
 * region unmapped:
 *
 *   swap_sweep           a fresh region of twice the boot's RAM (MIB * 2/3:
 *                        run_swap's MIB is three times it) written a word
 *                        a page, once, front to back: cycles per page
 *   swap_pd_freed_per_s  what the kernel freed meanwhile to make room - the
 *                        page daemon's throughput: pages written out or
 *                        freed clean (uvmkern /proc/uvmexp pageouts +
 *                        pdfreed; Linux /proc/vmstat pgsteal_kswapd +
 *                        pgsteal_direct) per second of the sweep
 *                        (CLOCK_MONOTONIC)
 *   swap_in_random       then reads of SWAPIN_N random pages of the
 *                        region's first half that mincore says are out,
 *                        each checked: cycles per page, the median of
 *                        SWAPIN_BATCHES batches (read-ahead that brings a
 *                        later one in makes that one cheap: the notes
 *                        count the pages read in)
 */
#define SWAPIN_N 2048
#define SWAPIN_BATCHES 8

static double
more_seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Pages the kernel freed between a and b to make room (see above). */
static uint64_t
more_freed(const struct kcounts *a, const struct kcounts *b)
{
	int64_t d, sum = 0;

	if (kc_delta(a, b, "pageouts", &d))
		sum += d;
	if (kc_delta(a, b, "pdfreed", &d))
		sum += d;
	if (kc_delta(a, b, "pgsteal_kswapd", &d))
		sum += d;
	if (kc_delta(a, b, "pgsteal_direct", &d))
		sum += d;
	return sum > 0 ? (uint64_t)sum : 0;
}

/* Writes the region once; the sweep's rows. */
static void
swap_sweep(uint64_t *mem, size_t npages)
{
	struct kcounts a, b;
	struct timespec ta, tb;
	uint64_t t0, t1, freed;
	double s;

	printf("# swap_sweep: writing %zu MiB once, a word a page\n", npages * PAGE / MIB);
	kc_read(&a);
	clock_gettime(CLOCK_MONOTONIC, &ta);
	t0 = tsc();
	for (size_t p = 0; p < npages; p++)
		mem[p * (PAGE / 8)] = more_word(p);
	t1 = tsc();
	clock_gettime(CLOCK_MONOTONIC, &tb);
	kc_read(&b);
	kc_note("swap_sweep", "counted over the sweep", &a, &b);
	freed = more_freed(&a, &b);
	s = more_seconds(&ta, &tb);
	printf("# swap_sweep: %llu pages freed in %.2f s, %llu cycles per page freed\n",
	    (unsigned long long)freed, s, (unsigned long long)((t1 - t0) / (freed ? freed : 1)));
	report("swap_sweep", (t1 - t0) / npages, "cycles/page");
	if (freed > 0 && s > 0)
		report("swap_pd_freed_per_s", (uint64_t)((double)freed / s), "pages/s");
	else
		printf("bench: error swap_pd_freed_per_s no pages freed (no counters?)\n");
}

/* Up to SWAPIN_N pages of [0, n) that are not resident, in random order. */
static size_t
swapin_pick(uint64_t *mem, size_t n, size_t *pick)
{
	unsigned char *vec = malloc(n);
	uint64_t x = 0x2545f4914f6cdd1dULL;
	size_t k = 0;

	if (vec == NULL || mincore(mem, n * PAGE, vec) != 0) {
		free(vec);
		return 0;
	}
	for (size_t tries = 0; tries < 8 * SWAPIN_N && k < SWAPIN_N; tries++) {
		size_t p;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p = (size_t)(x % n);
		if (!(vec[p] & 1)) {
			vec[p] = 1;     /* not twice */
			pick[k++] = p;
		}
	}
	free(vec);
	return k;
}

/* Reads the picked pages back, batch by batch; the rows. */
static void
swap_in_random(uint64_t *mem, size_t npages)
{
	static size_t pick[SWAPIN_N];
	uint64_t s[SWAPIN_BATCHES], sum = 0;
	size_t k = swapin_pick(mem, npages / 2, pick), per = k / SWAPIN_BATCHES, bad = 0;
	struct kcounts a, b;

	printf("# swap_in_random: %zu of the first %zu pages are out; reading them back\n",
	    k, npages / 2);
	if (per == 0) {
		printf("bench: error swap_in_random no page of the region is out (mincore)\n");
		return;
	}
	kc_read(&a);
	for (int i = 0; i < SWAPIN_BATCHES; i++) {
		uint64_t t0 = tsc();
		for (size_t j = i * per; j < (i + 1) * per; j++)
			bad += *(volatile uint64_t *)&mem[pick[j] * (PAGE / 8)] != more_word(pick[j]);
		s[i] = (tsc() - t0) / per;
		sum += s[i] * per;
	}
	kc_read(&b);
	kc_note("swap_in_random", "counted over all the reads", &a, &b);
	if (bad != 0) {
		printf("bench: error swap_in_random %zu pages came back wrong\n", bad);
		return;
	}
	printf("# swap_in_random: %zu pages read, %llu cycles a page over all\n",
	    per * SWAPIN_BATCHES, (unsigned long long)(sum / (per * SWAPIN_BATCHES)));
	report("swap_in_random", median(s, SWAPIN_BATCHES), "cycles/page");
}

/* The sweep and the random swap-ins, on twice RAM (mib is three times). */
static void
run_swap_more(long mib)
{
	size_t npages = (size_t)(mib * 2 / 3) * MIB / PAGE;
	uint64_t *mem = (uint64_t *)map_anon(npages * PAGE, PROT_READ | PROT_WRITE);

	if (mem == NULL) {
		fail("swap_sweep", "mmap");
		return;
	}
	swap_sweep(mem, npages);
	swap_in_random(mem, npages);
	munmap(mem, npages * PAGE);
}

/* ---- files ---- */

/*
 * vmbench file MIB DIR: a file of MIB MiB (twice RAM) in DIR, the ext2
 * file system on vdc, written and read back in 1 MiB calls, then 4 KiB
 * preads at random over its first half (uncached) and over a small file
 * read just before (cached), then page faults on a shared read-only
 * mapping of the small file:
 *
 *   DIR/vmbench.big   MIB MiB  seq_write, seq_read, rand_read_4k_uncached
 *   DIR/vmbench.small 4 MiB    rand_read_4k_cached, file_fault_cached
 *
 * Every page of both files starts with a stamp (word_of its page number;
 * the small file's pages are numbered from SMALL_BASE), checked wherever
 * a page is read back, so a file system that returns the wrong block
 * gives "bench: error", not a fast figure.
 *
 * Why the first half is uncached: the sequential read goes front to
 * back, and a kernel can keep at most RAM's worth of the file, the part
 * read last; the first half (one RAM's worth) was read first and pushed
 * out by the RAM's worth read after it.  Each pread of that run goes to
 * a different 256 KiB slot (RR_SLOT), in a shuffled order, so a kernel
 * that reads a cluster around a miss does not turn the next read into a
 * hit.  The random offsets come from a fixed seed, so both kernels read
 * the same pages in the same order.  A note before each random run says
 * how many pages of its region mincore finds in the page cache, and one
 * after it what getrusage saw (measure_noted).
 *
 * A failure up to the end of the sequential read (no ext2 on DIR, a
 * write that fails) ends the file run: what follows needs the big file.
 * At the end the files are unlinked and DIR unmounted (file_cleanup).
 *
 * MB/s needs seconds, and the figures are TSC cycles: the TSC's rate is
 * measured against CLOCK_MONOTONIC over the two sequential runs (seconds,
 * so the clock's resolution hardly matters) and printed as a note; MB is
 * 10^6 bytes.
 */
#define FILE_CHUNK MIB          /* one write or read of the sequential runs */
#define SMALL_LEN (4 * MIB)     /* the cached file */
#define SMALL_BASE (1UL << 30)  /* the small file's first page number in stamps */
#define RR_SLOT (256 * 1024UL)  /* uncached: at most one pread per slot */
#define RR_UNCACHED_OPS 16      /* preads per sample, uncached */
#define RR_CACHED_OPS 256       /* preads per sample, cached */
#define EXT2_MAGIC 0xEF53

static struct file_bench {
	char big[256], small[256];      /* the two files' paths */
	size_t big_len;
	char *buf;                      /* FILE_CHUNK bytes */
	int fd;                         /* the file a random-read sample reads */
	size_t *slots, nslots, next;    /* uncached: the slots, shuffled */
	uint64_t rng;
	uint64_t tsc0;                  /* the TSC and the clock when the run began */
	struct timespec ts0;
	char page[PAGE] __attribute__((aligned(4096)));
} fb;

static uint64_t
rnd(void)
{
	fb.rng ^= fb.rng << 13;
	fb.rng ^= fb.rng >> 7;
	fb.rng ^= fb.rng << 17;
	return fb.rng;
}

/* Stamps the pages of buf[0, len) as the file's pages first, first + 1... */
static void
stamp(char *buf, size_t first, size_t len)
{
	for (size_t off = 0; off < len; off += PAGE)
		memcpy(buf + off, &(uint64_t){ word_of(first + off / PAGE, 0) }, 8);
}

/* The number of pages of buf[0, len) whose stamp is not first + i's. */
static size_t
stamps_bad(const char *buf, size_t first, size_t len)
{
	size_t bad = 0;
	uint64_t w;

	for (size_t off = 0; off < len; off += PAGE) {
		memcpy(&w, buf + off, 8);
		bad += w != word_of(first + off / PAGE, 0);
	}
	return bad;
}

/*
 * The whole of len bytes at off, or -1 after "bench: error METRIC ..."
 * (a short transfer is an error too: a regular file has no reason for one).
 */
static int
file_io(const char *metric, int fd, char *buf, size_t len, off_t off, bool wr)
{
	ssize_t n = wr ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);

	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		printf("bench: error %s %s of %zu bytes at %lld: only %zd\n", metric,
		    wr ? "pwrite" : "pread", len, (long long)off, n);
	else
		fail(metric, wr ? "pwrite" : "pread");
	return -1;
}

/*
 * Linux: loads the modules (virtio and ext4's, MODDIR) and mounts
 * /dev/vdc on dir as ext2 (mount(2)'s "ext2" is Debian's ext4 driver,
 * CONFIG_EXT4_USE_FOR_EXT2); uvmkern mounts vdc on /mnt at boot.  Then, on
 * both, dir must be an ext2 file system: writing MIB MiB to the initrd's
 * RAM file system instead would measure nothing and run out of memory.
 */
static int
file_mount(const char *dir)
{
	struct statfs sf;

	if (on_linux) {
		load_modules("file");
		if (find_disk("vdc") != 0) {
			fail("file", "no /dev/vdc (module or /sys/block/vdc missing)");
			return -1;
		}
		mkdir(dir, 0755);
		/* EBUSY: init mounted it already; statfs says what it is */
		if (mount("/dev/vdc", dir, "ext2", 0, NULL) != 0 && errno != EBUSY) {
			fail("file", "mount /dev/vdc as ext2");
			return -1;
		}
	}
	if (statfs(dir, &sf) != 0) {
		fail("file", "statfs");
		return -1;
	}
	printf("# file: %s: file system type %#lx, %llu of %llu blocks of %ld bytes free\n",
	    dir, (unsigned long)sf.f_type, (unsigned long long)sf.f_bfree,
	    (unsigned long long)sf.f_blocks, (long)sf.f_bsize);
	if (sf.f_type != EXT2_MAGIC) {
		printf("bench: error file %s is not an ext2 file system\n", dir);
		return -1;
	}
	return 0;
}

/*
 * The cycles to write len bytes to path in FILE_CHUNK calls and fsync,
 * its pages stamped from first; UINT64_MAX after "bench: error".
 */
static uint64_t
file_write(const char *metric, const char *path, size_t len, size_t first)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	uint64_t t0 = tsc(), t = UINT64_MAX;
	size_t off;

	if (fd < 0) {
		fail(metric, "open");
		return UINT64_MAX;
	}
	for (off = 0; off < len; off += FILE_CHUNK) {
		stamp(fb.buf, first + off / PAGE, FILE_CHUNK);
		if (file_io(metric, fd, fb.buf, FILE_CHUNK, (off_t)off, true) != 0)
			break;
	}
	if (off >= len && fsync(fd) != 0)
		fail(metric, "fsync");
	else if (off >= len)
		t = tsc() - t0;
	close(fd);
	return t;
}

/*
 * The cycles to read path's len bytes in FILE_CHUNK calls, checking the
 * stamps (from first); UINT64_MAX after "bench: error".  fd, if not
 * NULL, gets the file, still open.
 */
static uint64_t
file_read(const char *metric, const char *path, size_t len, size_t first, int *fdp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint64_t t0 = tsc(), t = UINT64_MAX;
	size_t off, bad = 0;

	if (fd < 0) {
		fail(metric, "open");
		return UINT64_MAX;
	}
	for (off = 0; off < len && bad == 0; off += FILE_CHUNK) {
		if (file_io(metric, fd, fb.buf, FILE_CHUNK, (off_t)off, false) != 0)
			break;
		bad = stamps_bad(fb.buf, first + off / PAGE, FILE_CHUNK);
	}
	if (bad != 0)
		printf("bench: error %s %zu pages of the MiB at %zu MiB came back wrong\n",
		    metric, bad, off / MIB - 1);
	else if (off >= len)
		t = tsc() - t0;
	if (fdp != NULL && t != UINT64_MAX)
		*fdp = fd;
	else
		close(fd);
	return t;
}

/* How many pages of [off, off + len) of fd the page cache holds (mincore). */
static void
file_cache_note(const char *metric, int fd, off_t off, size_t len)
{
	unsigned char *vec = malloc(len / PAGE);
	char *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
	size_t in = 0;

	if (vec == NULL || p == MAP_FAILED || mincore(p, len, vec) != 0) {
		printf("# %s: no mincore on the file: %s\n", metric, strerror(errno));
	} else {
		for (size_t i = 0; i < len / PAGE; i++)
			in += vec[i] & 1;
		printf("# %s: %zu of the region's %zu pages are in the page cache\n",
		    metric, in, len / PAGE);
	}
	if (p != MAP_FAILED)
		munmap(p, len);
	free(vec);
}

/*
 * measure() with a note from getrusage on what the samples cost besides
 * their own work: faults that read the disk (major), and how often the
 * program was switched out for something else (involuntary), which is
 * the kernel's own background work under TCG's one CPU.  A kernel whose
 * counters stay zero gets no note.
 */
static void
measure_noted(const char *metric, const char *unit, uint64_t (*one)(long), long arg)
{
	struct rusage r0, r1;
	long minflt, majflt, nivcsw;

	if (getrusage(RUSAGE_SELF, &r0) != 0)
		r0.ru_minflt = -1;
	measure(metric, unit, one, arg);
	if (r0.ru_minflt < 0 || getrusage(RUSAGE_SELF, &r1) != 0)
		return;
	minflt = r1.ru_minflt - r0.ru_minflt;
	majflt = r1.ru_majflt - r0.ru_majflt;
	nivcsw = r1.ru_nivcsw - r0.ru_nivcsw;
	if (minflt + majflt + nivcsw > 0)
		printf("# %s: over its %d rounds %ld faults (%ld major), switched out "
		    "%ld times (getrusage)\n", metric, WARMUP + REPS, minflt + majflt,
		    majflt, nivcsw);
}

/* The TSC's rate, from the cycles and the CLOCK_MONOTONIC time since fb.tsc0. */
static double
file_tsc_hz(void)
{
	struct timespec ts;
	uint64_t t = tsc();
	double s;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s = (double)(ts.tv_sec - fb.ts0.tv_sec) + (ts.tv_nsec - fb.ts0.tv_nsec) / 1e9;
	printf("# file: the TSC ran at %.0f MHz against CLOCK_MONOTONIC over %.1f s\n",
	    s > 0 ? (double)(t - fb.tsc0) / s / 1e6 : 0.0, s);
	return s > 0 ? (double)(t - fb.tsc0) / s : 0;
}

/* seq_write and seq_read of the big file: cycles per MiB and MB/s. */
static int
file_seq(void)
{
	uint64_t w, r, mib = fb.big_len / MIB;
	double hz, mb = (double)fb.big_len / 1e6;

	printf("# file_seq_write: %llu MiB to %s in 1 MiB writes, then fsync\n",
	    (unsigned long long)mib, fb.big);
	if ((w = file_write("file_seq_write", fb.big, fb.big_len, 0)) == UINT64_MAX)
		return -1;
	printf("# file_seq_read: the same, read back in 1 MiB reads\n");
	if ((r = file_read("file_seq_read", fb.big, fb.big_len, 0, NULL)) == UINT64_MAX)
		return -1;
	hz = file_tsc_hz();
	report("file_seq_write", w / mib, "cycles/MiB");
	report("file_seq_write_mbps", (uint64_t)(mb * hz / (double)w + 0.5), "MB/s");
	report("file_seq_read", r / mib, "cycles/MiB");
	report("file_seq_read_mbps", (uint64_t)(mb * hz / (double)r + 0.5), "MB/s");
	return 0;
}

/* A pread of fb.fd's page at off, its stamp checked against first's; 0 or -1. */
static int
file_pread_page(const char *metric, off_t off, size_t first)
{
	if (file_io(metric, fb.fd, fb.page, PAGE, off, false) != 0)
		return -1;
	if (stamps_bad(fb.page, first, PAGE) == 0)
		return 0;
	printf("bench: error %s the page at %lld came back wrong\n", metric, (long long)off);
	return -1;
}

/* ops preads, each of a random page of the next slot of the big file. */
static uint64_t
rand_uncached_one(long ops)
{
	uint64_t t0 = tsc();

	for (long i = 0; i < ops; i++) {
		off_t off = (off_t)(fb.slots[fb.next++ % fb.nslots] * RR_SLOT +
		    rnd() % (RR_SLOT / PAGE) * PAGE);
		if (file_pread_page("file_rand_read_4k_uncached", off, (size_t)off / PAGE) != 0)
			return UINT64_MAX;
	}
	return (tsc() - t0) / (uint64_t)ops;
}

/* ops preads, each of a random page of the small file. */
static uint64_t
rand_cached_one(long ops)
{
	uint64_t t0 = tsc();

	for (long i = 0; i < ops; i++) {
		size_t pg = rnd() % (SMALL_LEN / PAGE);
		if (file_pread_page("file_rand_read_4k_cached", (off_t)(pg * PAGE),
		    SMALL_BASE + pg) != 0)
			return UINT64_MAX;
	}
	return (tsc() - t0) / (uint64_t)ops;
}

/*
 * rand_read_4k_uncached over the big file's first half: the slots
 * shuffled, as many preads per sample as leave every one its own slot.
 */
static void
file_rand_uncached(void)
{
	const char *metric = "file_rand_read_4k_uncached";
	long ops;

	fb.nslots = fb.big_len / 2 / RR_SLOT;
	ops = (long)fb.nslots / (WARMUP + REPS);
	if (ops > RR_UNCACHED_OPS)
		ops = RR_UNCACHED_OPS;
	fb.slots = malloc(fb.nslots * sizeof(fb.slots[0]));
	fb.fd = open(fb.big, O_RDONLY | O_CLOEXEC);
	if (ops < 1 || fb.slots == NULL || fb.fd < 0) {
		printf("bench: error %s no file, no memory or a file too small\n", metric);
	} else {
		for (size_t i = 0; i < fb.nslots; i++)
			fb.slots[i] = i;
		for (size_t i = fb.nslots - 1; i > 0; i--) {     /* Fisher-Yates */
			size_t j = rnd() % (i + 1), t = fb.slots[i];
			fb.slots[i] = fb.slots[j];
			fb.slots[j] = t;
		}
		file_cache_note(metric, fb.fd, 0, fb.big_len / 2);
		measure_noted(metric, "cycles/read", rand_uncached_one, ops);
	}
	if (fb.fd >= 0)
		close(fb.fd);
	free(fb.slots);
}

/* One fresh shared read-only mapping of the small file, each page read once. */
static uint64_t
fault_cached_one(long unused)
{
	char *p = mmap(NULL, SMALL_LEN, PROT_READ, MAP_SHARED, fb.fd, 0);
	uint64_t t0, t1, bad = 0;

	(void)unused;
	if (p == MAP_FAILED) {
		fail("file_fault_cached", "mmap");
		return UINT64_MAX;
	}
	t0 = tsc();
	for (size_t off = 0; off < SMALL_LEN; off += PAGE)
		bad += *(volatile uint64_t *)(p + off) != word_of(SMALL_BASE + off / PAGE, 0);
	t1 = tsc();
	munmap(p, SMALL_LEN);
	if (bad != 0) {
		printf("bench: error file_fault_cached %llu pages read wrong\n",
		    (unsigned long long)bad);
		return UINT64_MAX;
	}
	return (t1 - t0) / (SMALL_LEN / PAGE);
}


/*
 * The small file: written, fsynced and read once (so it is cached), then
 * rand_read_4k_cached and file_fault_cached on it.
 */
static void
file_small(void)
{
	fb.fd = -1;
	if (file_write("file_rand_read_4k_cached", fb.small, SMALL_LEN, SMALL_BASE) == UINT64_MAX ||
	    file_read("file_rand_read_4k_cached", fb.small, SMALL_LEN, SMALL_BASE,
	    &fb.fd) == UINT64_MAX)
		return;
	file_cache_note("file_rand_read_4k_cached", fb.fd, 0, SMALL_LEN);
	measure_noted("file_rand_read_4k_cached", "cycles/read", rand_cached_one, RR_CACHED_OPS);
	measure_noted("file_fault_cached", "cycles/page", fault_cached_one, 0);
	close(fb.fd);
}

/*
 * The files go, and the file system is unmounted, so the image is left
 * consistent: the runner checks it with e2fsck -fn after the boot.  A
 * failure is a note (the figures are out already) that e2fsck will
 * explain.
 */
static void
file_cleanup(const char *dir)
{
	if (unlink(fb.big) != 0 || unlink(fb.small) != 0)
		printf("# file: unlink: %s\n", strerror(errno));
	sync();
	if (umount(dir) != 0)
		printf("# file: umount %s: %s\n", dir, strerror(errno));
	else
		printf("# file: unmounted %s\n", dir);
}

static void
run_file(long mib, const char *dir)
{
	fb.big_len = (size_t)mib * MIB;
	fb.rng = 0x9e3779b97f4a7c15ULL;
	snprintf(fb.big, sizeof(fb.big), "%s/vmbench.big", dir);
	snprintf(fb.small, sizeof(fb.small), "%s/vmbench.small", dir);
	if (mib < 2 || (fb.buf = map_anon(FILE_CHUNK, PROT_READ | PROT_WRITE)) == NULL) {
		printf("bench: error file needs MIB >= 2 and a 1 MiB buffer\n");
		return;
	}
	if (file_mount(dir) != 0)
		return;
	report("file_mem_free", mem_free_kb(), "KiB");
	fb.tsc0 = tsc();
	clock_gettime(CLOCK_MONOTONIC, &fb.ts0);
	if (file_seq() != 0)
		return;
	file_rand_uncached();
	file_small();
	file_cleanup(dir);
}

/* ---- 2 MiB pages on and off ---- */

/*
 * `vmbench thp MODE` (MODE always or never), booted four ways by
 * tools/bench/run.sh: uvmkern as it boots (2 MiB pages on) and with
 * thp=0, Linux with transparent_hugepage=always and =never.  Its rows
 * come back as thp_on_METRIC and thp_off_METRIC:
 *
 *   zero_fill_64m   first touch (one write per page) of every page of a
 *                   fresh 64 MiB private anonymous region, 2 MiB
 *                   aligned; cycles per 64 MiB, mmap and munmap untimed
 *   memset_64m      memset of that region once all of it is resident:
 *                   user space only, the floor issue 22 measures the
 *                   first against ("zero-filling 64 MiB within 1.1x of
 *                   zeroing it in user space", with 2 MiB pages on)
 *   zero_fill_fault, fork_exit_wait_16m, fork_exit_wait_64m
 *                   the vm run's rows, again in this mode
 *
 * A guest with less than 512 MiB of RAM boots Linux with THP off
 * whatever its command line says, so on Linux MODE is also written to
 * /sys/kernel/mm/transparent_hugepage/enabled (more_thp_note mounts
 * sysfs); uvmkern's mode is its boot option.  A note after the first
 * sample says how much of a touched region /proc/meminfo counts in
 * AnonHugePages: what the mode really gave.
 */
#define THP_LEN (64 * MIB)
#define THP_ALIGN (2 * MIB)

static char *thp_region;        /* memset_64m's, resident */

/* THP_LEN bytes of private anonymous memory, 2 MiB-aligned; NULL after
 * "bench: error". */
static char *
thp_map(const char *metric)
{
	char *r = map_anon(THP_LEN + THP_ALIGN, PROT_READ | PROT_WRITE);
	char *p;

	if (r == NULL) {
		fail(metric, "mmap 66 MiB");
		return NULL;
	}
	p = (char *)(((uintptr_t)r + THP_ALIGN - 1) & ~(uintptr_t)(THP_ALIGN - 1));
	if (p > r)
		munmap(r, (size_t)(p - r));
	if (p + THP_LEN < r + THP_LEN + THP_ALIGN)
		munmap(p + THP_LEN, (size_t)(r + THP_ALIGN - p));
	return p;
}

/* /proc/meminfo's AnonHugePages in KiB, or -1. */
static long
thp_meminfo_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "AnonHugePages:", 14) == 0)
			kb = strtol(line + 14, NULL, 10);
	if (f != NULL)
		fclose(f);
	return kb;
}

static bool thp_noted;

static uint64_t
thp_zero_fill_one(long unused)
{
	char *p = thp_map("zero_fill_64m");
	uint64_t t0, t1;

	(void)unused;
	if (p == NULL)
		return UINT64_MAX;
	more_mark(0);
	t0 = tsc();
	touch(p, THP_LEN);
	t1 = tsc();
	more_mark(1);
	if (!thp_noted) {
		thp_noted = true;
		printf("# zero_fill_64m: AnonHugePages %ld KiB with the 65536 KiB region "
		    "touched (/proc/meminfo)\n", thp_meminfo_kb());
	}
	munmap(p, THP_LEN);
	return t1 - t0;
}

static uint64_t
thp_memset_one(long unused)
{
	uint64_t t0 = tsc();

	memset(thp_region, (int)unused + 2, THP_LEN);
	__asm__ volatile("" ::: "memory");
	return tsc() - t0;
}

/* Linux: the THP mode mode, written to sysfs (see above). */
static void
thp_linux_mode(const char *mode)
{
	FILE *f;

	more_thp_note();                /* mounts sysfs, says the boot's mode */
	if (!on_linux)
		return;
	if ((f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "w")) == NULL ||
	    fputs(mode, f) < 0 || fclose(f) != 0)
		fail("thp", "write transparent_hugepage/enabled");
	more_thp_note();
}

static void
run_thp(const char *mode)
{
	thp_linux_mode(mode);
	more_measure("zero_fill_64m", "cycles/64MiB", thp_zero_fill_one, 0);
	if ((thp_region = thp_map("memset_64m")) != NULL) {
		touch(thp_region, THP_LEN);
		measure("memset_64m", "cycles/64MiB", thp_memset_one, 0);
		munmap(thp_region, THP_LEN);
	}
	measure("zero_fill_fault", "cycles/page", zero_fill_one, 0);
	fork_with(16, "fork_exit_wait_16m");
	fork_with(64, "fork_exit_wait_64m");
	more_measure("munmap_64m", "cycles/op", munmap_one, 0);
	exit_t0 = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (exit_t0 != MAP_FAILED) {
		more_measure("exit_wait_64m", "cycles/op", exit_one, 64);
		munmap(exit_t0, PAGE);
	}
	more_measure("mremap_grow_64m", "cycles/op", mremap_one, 0);
}

int
main(int argc, char **argv)
{
	struct utsname u;
	const char *mode = argc > 1 ? argv[1] : "vm";

	if (strcmp(mode, "exit") == 0)
		return 0;               /* start_musl_static: no start-up at all */
	setvbuf(stdout, NULL, _IOLBF, 0);
	on_linux = uname(&u) == 0 && strcmp(u.sysname, "Linux") == 0;
	sc_tsc0 = tsc();
	clock_gettime(CLOCK_MONOTONIC, &sc_ts0);
	printf("# vmbench: %s on %s %s, %d samples after %d warm-up rounds, medians\n",
	    mode, u.sysname, u.release, REPS, WARMUP);
	if (strcmp(mode, "vm") == 0) {
		run_vm();
	} else if (strcmp(mode, "maps") == 0) {
		long ns[MAP_MAX_NS];
		int nw = argc - 2;

		for (int i = 0; i < nw && i < MAP_MAX_NS; i++)
			ns[i] = strtol(argv[i + 2], NULL, 0);
		map_series(ns, nw, false);      /* refuses more than MAP_MAX_NS */
	} else if (strcmp(mode, "sepmaps") == 0) {
		long ns[MAP_MAX_NS];
		int nw = argc - 2;

		for (int i = 0; i < nw && i < MAP_MAX_NS; i++)
			ns[i] = strtol(argv[i + 2], NULL, 0);
		map_series(ns, nw, true);
	} else if (strcmp(mode, "usedmaps") == 0) {
		enum used_kind kind = argc > 2 ? (enum used_kind)atoi(argv[2]) : USED_ALT;
		used_maps(kind);
	} else if (strcmp(mode, "used") == 0) {
		measure("zero_fill_fault", "cycles/page", zero_fill_one, 0);
		fork_with(0, "fork_exit_wait_0m");
		run_used();
	} else if (strcmp(mode, "smp") == 0) {
		sleep(1);               /* for the TSC's rate */
		run_smp();
	} else if (strcmp(mode, "spread") == 0) {
		run_spread();
	} else if (strcmp(mode, "more") == 0) {
		run_more();
	} else if (strcmp(mode, "thp") == 0) {
		run_thp(argc > 2 ? argv[2] : "always");
	} else if (strcmp(mode, "present") == 0) {
		int k = argc > 2 ? atoi(argv[2]) : 5;

		if (argc > 3 && strcmp(argv[3], "after-zero-fill") == 0)
			measure("zero_fill_fault", "cycles/page", zero_fill_one, 0);
		if ((present = map_touched(ZF_LEN, "read_present")) != NULL) {
			layout_note("read_present", present, ZF_LEN);
			for (int i = 0; i < k; i++)
				measure_warm("read_present", "cycles/page", read_present_one, 0, RP_WARMUP);
		}
	} else if (strcmp(mode, "swap") == 0) {
		long mib = argc > 2 ? strtol(argv[2], NULL, 0) : 192;

		if (run_swap(mib) == 0)
			run_swap_more(mib);
	} else if (strcmp(mode, "file") == 0) {
		run_file(argc > 2 ? strtol(argv[2], NULL, 0) : 192, argc > 3 ? argv[3] : "/mnt");
	} else {
		printf("usage: vmbench vm | vmbench swap MIB | vmbench file MIB DIR | vmbench maps N... | vmbench sepmaps N... | vmbench present [K [after-zero-fill]] | vmbench spread | vmbench smp | vmbench more | vmbench thp always|never | vmbench used | vmbench usedmaps [KIND]\n");
		return 2;
	}
	printf("bench: done\n");
	return 0;
}
