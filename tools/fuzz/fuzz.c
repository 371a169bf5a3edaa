/*
 * tools/fuzz/fuzz.c - a seeded random system-call fuzzer.
 *
 *   fuzz seed=7 calls=20000 batch=200     100 batches, each in a child
 *   fuzz replay=0x1234abcd calls=200      one batch again, by its seed
 *   fuzz replay=0x1234abcd calls=200 skip=3,10-40 verbose=1
 *
 * The parent forks one child per batch and only waits.  A child first
 * maps a few regions of every protection (none, read, read-write, exec,
 * shared, a private file mapping), then makes `batch` operations: raw
 * system calls with arguments from a mix of good and bad values (NULL,
 * -1, pointers into its regions, just-unmapped memory, kernel and
 * non-canonical addresses, huge lengths, random words), map operations
 * (mmap, mprotect, munmap, mremap, madvise, minherit, mlock, msync, fork
 * with a grandchild that does a little and exits), touches of memory
 * under a SIGSEGV/SIGBUS handler, and the short sequences that found
 * earlier kernel bugs.
 *
 * Every operation i of a batch draws its random numbers from its own
 * generator, seeded with (batch seed, i): leaving out operations
 * (skip=) does not change what the others draw, which is what the
 * reducer (tools/fuzz/reduce.py) needs.  verbose=1 prints every
 * operation before it runs, as "i: name(args)", and its result after.
 *
 * What is left out or tamed so the run survives itself: exit, kill and
 * tkill of any process but the caller, swapon/swapoff and the swap
 * test hooks, arch_prctl(ARCH_SET_FS); rt_sigreturn only on a frame
 * the fuzzer made, whose rip mostly lands back in the loop.  Calls that may
 * sleep (read, write, pause, nanosleep, wait4...) run under a 10 ms
 * interval timer whose SIGALRM interrupts them, so a child that still
 * runs past timeout= seconds is a hang: the parent kills it and the run
 * fails.  A child killed by a signal is counted, not a failure.
 *
 * skipknown=1 leaves out what panics a kernel without the issue-15 fixes:
 * madvise(MADV_DONTNEED or MADV_FREE), mlock, mlockall, MAP_LOCKED,
 * minherit(MAP_INHERIT_SHARE); skipknown=wired,share (any of dontneed,
 * wired, share) only some of them.
 */
#define _GNU_SOURCE
#include "uvmkern.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define FZ_PAGE 4096UL
#define FZ_NREG 12              /* region slots of a child */
#define FZ_NGONE 4              /* just-unmapped addresses remembered */
#define FZ_LOGFD 60             /* the child's copy of stdout */
#define FZ_MAXSKIP 4096
#define FZ_COUNTER_AT 0x200000000000UL  /* the shared call counter */

/* ---- options ---------------------------------------------------------- */

struct fz_opts {
	uint64_t seed, calls, batch, replay, timeout;
	int verbose, skipknown, has_replay;     /* skipknown: FZ_KNOWN_* */
	uint8_t skip[FZ_MAXSKIP / 8];   /* operation indices to leave out */
};

/* skipknown=: the issue-15 bugs' triggers left out ("1": all of them). */
#define FZ_KNOWN_DONTNEED 0x1   /* madvise(MADV_DONTNEED, MADV_FREE) */
#define FZ_KNOWN_WIRED 0x2      /* mlock, mlockall, MAP_LOCKED */
#define FZ_KNOWN_SHARE 0x4      /* minherit(MAP_INHERIT_SHARE) */

static struct fz_opts fz_opt = { .seed = 1, .calls = 10000, .batch = 200, .timeout = 30 };

/* ---- random numbers --------------------------------------------------- */

/* fz_mix - splitmix64's finalizer: a well-spread function of x. */
static uint64_t
fz_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* fz_rand - the next number of the stream in *s (splitmix64). */
static uint64_t
fz_rand(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ULL;
	return fz_mix(*s);
}

/* fz_below - a number in [0, n). */
static uint64_t
fz_below(uint64_t *s, uint64_t n)
{
	return n == 0 ? 0 : fz_rand(s) % n;
}

/* ---- output: write() to one descriptor, never a stdio buffer ---------- */

static int fz_out = 1;

/* fz_print - printf to the log descriptor, one write. */
static void __attribute__((format(printf, 1, 2)))
fz_print(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (write(fz_out, buf, (size_t)n) < 0)
		return;
}

/* ---- the child's state ------------------------------------------------ */

struct fz_region {
	char *addr;                     /* NULL: an empty slot */
	size_t len;
};

struct fz_child {
	uint64_t seed;                  /* the batch's */
	struct fz_region reg[FZ_NREG];
	uintptr_t gone[FZ_NGONE];       /* recently unmapped */
	char *fixed;                    /* the paths and structs page */
	pid_t pid;
	uint64_t *counter;              /* shared with the parent: calls made */
};

static struct fz_child fz;
static sigjmp_buf fz_jb;
static volatile sig_atomic_t fz_jb_ok;

/* fz_on_fault - SIGSEGV/SIGBUS: back to the operation loop. */
static void
fz_on_fault(int sig)
{
	if (fz_jb_ok)
		siglongjmp(fz_jb, sig);
	_exit(128 + sig);
}

/* fz_on_alarm - the guard timer: only interrupts the call. */
static void
fz_on_alarm(int sig)
{
	(void)sig;
}

/* fz_handle - install fn for sig, without SA_RESTART. */
static void
fz_handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

/* ---- regions ---------------------------------------------------------- */

/* fz_forget - addr..+len is gone: remember it as just-unmapped. */
static void
fz_forget(uint64_t *r, struct fz_region *g)
{
	if (g->addr != NULL)
		fz.gone[fz_below(r, FZ_NGONE)] = (uintptr_t)g->addr + g->len / 2;
	g->addr = NULL;
	g->len = 0;
}

/* fz_region_ptr - a pointer into a region: its start, middle, last byte,
 * end or a page past it. */
static uintptr_t
fz_region_ptr(uint64_t *r)
{
	struct fz_region *g = &fz.reg[fz_below(r, FZ_NREG)];
	uintptr_t a = (uintptr_t)g->addr;

	if (g->addr == NULL)
		return fz.gone[fz_below(r, FZ_NGONE)];
	switch (fz_below(r, 5)) {
	case 0: return a;
	case 1: return a + (fz_below(r, g->len / FZ_PAGE) * FZ_PAGE);
	case 2: return a + g->len - 1 - fz_below(r, 8);
	case 3: return a + g->len;
	default: return a + fz_below(r, g->len);
	}
}

/* The fixed page: strings and small structures at known offsets. */
static const char *const fz_paths[] = {
	"/etc/motd", "/bin/hello", "/nonexistent/x", "", "/", "/bin", "/etc/motd/x",
};
#define FZ_NPATHS (sizeof(fz_paths) / sizeof(fz_paths[0]))
#define FZ_STRUCTS 1024         /* offset of the random structures */

/* fz_fixed_ptr - a path, or a pointer into the page of random structures. */
static uintptr_t
fz_fixed_ptr(uint64_t *r)
{
	if (fz_below(r, 2) == 0)
		return (uintptr_t)fz.fixed + 64 * fz_below(r, FZ_NPATHS);
	return (uintptr_t)fz.fixed + FZ_STRUCTS + 8 * fz_below(r, 64);
}

/* Addresses no call may use: the kernel's, non-canonical, the top. */
static const uint64_t fz_bad_addrs[] = {
	0xffffffff80000000ULL, 0xffff800000000000ULL, 0xffffffff80100000ULL,
	0x0000800000000000ULL, 0x8000000000000000ULL, 0x00007ffffffff000ULL,
	0x00007fffffffffffULL, 0xfffffffffffff000ULL, 0xffffff0000000000ULL,
};
static const uint64_t fz_huge[] = {
	1ULL << 31, 1ULL << 40, 0x7fffffffffffffffULL, 0xfffffffffffff000ULL,
	0x7ffffffff000ULL, 0xffffffffULL, 0x100000001ULL,
};
#define FZ_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* fz_arg - one argument from the mix. */
static uint64_t
fz_arg(uint64_t *r)
{
	switch (fz_below(r, 14)) {
	case 0: return 0;
	case 1: return (uint64_t)-1;
	case 2: case 3: return fz_below(r, 16);
	case 4: return 1ULL << fz_below(r, 16);
	case 5: case 6: return fz_region_ptr(r);
	case 7: return fz.gone[fz_below(r, FZ_NGONE)];
	case 8: return fz_bad_addrs[fz_below(r, FZ_COUNT(fz_bad_addrs))];
	case 9: return fz_huge[fz_below(r, FZ_COUNT(fz_huge))];
	case 10: return fz_fixed_ptr(r);
	case 11: return FZ_PAGE * fz_below(r, 64) + fz_below(r, 3) - 1;
	case 12: return (uint32_t)fz_rand(r);
	default: return fz_rand(r);
	}
}

/* ---- system calls ----------------------------------------------------- */

/* The implemented table (kern/sys/syscall.c), Linux x86-64 numbers. */
static const short fz_implemented[] = {
	0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21, 22,
	24, 25, 26, 27, 28, 32, 33, 34, 35, 36, 37, 38, 39, 56, 57, 58, 59, 61,
	62, 63, 72, 89, 96, 97, 98, 99, 102, 104, 107, 108, 110, 130, 131, 149,
	150, 151, 152, 158, 186, 200, 201, 217, 218, 228, 229, 230, 234, 257,
	262, 269, 292, 293, 302, 318, 1000, 1001, 1002,
};

/* fz_pick_nr - mostly an implemented call; sometimes one that is not,
 * or a number out of every table. */
static long
fz_pick_nr(uint64_t *r)
{
	uint64_t k = fz_below(r, 20);

	if (k < 17)
		return fz_implemented[fz_below(r, FZ_COUNT(fz_implemented))];
	if (k == 17)
		return (long)fz_below(r, 340);
	if (k == 18)
		return 500 + (long)fz_below(r, 520);
	return (long)fz_rand(r);
}

/* May this call sleep?  Then it runs under the guard timer. */
static int
fz_may_sleep(long nr)
{
	switch (nr) {
	case SYS_read: case SYS_write: case SYS_readv: case SYS_writev:
	case SYS_pread64: case SYS_pause: case SYS_nanosleep: case SYS_wait4:
	case SYS_rt_sigsuspend: case SYS_clock_nanosleep:
	case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6:
	case SYS_rt_sigtimedwait: case SYS_restart_syscall: case SYS_futex:
		return 1;
	}
	return 0;
}

/* fz_guard - arm (on) or disarm the 10 ms timer that interrupts a sleep. */
static void
fz_guard(int on)
{
	struct itimerval it = { { 0, on ? 10000 : 0 }, { 0, on ? 10000 : 0 } };
	sigset_t set;

	if (on) {
		fz_handle(SIGALRM, fz_on_alarm, 0);
		sigemptyset(&set);
		sigaddset(&set, SIGALRM);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

/* What rt_sigsuspend waits with: everything blocked but SIGALRM. */
static const uint64_t fz_suspend_mask = ~(1ULL << (SIGALRM - 1));
/* ... and ppoll and pselect6 (whose sixth argument points at the mask
 * and its size). */
static const uint64_t fz_pselect_sig[2] = { (uint64_t)&fz_suspend_mask, 8 };

/* fz_tame_signal - a signal to send ourselves: mostly one that does not
 * end the batch (0, SIGALRM with the guard's handler, SIGCHLD or SIGURG,
 * ignored by default); a few in sixteen are whatever was drawn. */
static uint64_t
fz_tame_signal(uint64_t sig)
{
	static const uint64_t mild[] = { 0, SIGALRM, SIGCHLD, SIGURG };

	if (fz_mix(sig) % 16 == 0)
		return sig;
	return mild[sig % 4];
}

/*
 * fz_tame - change a call that would wreck the run into one that cannot.
 *  => 0 to make the call (a[] perhaps changed), -1 to leave it out.
 */
static int
fz_tame(long nr, uint64_t a[6])
{
	switch (nr) {
	case SYS_exit: case SYS_exit_group: case SYS_rt_sigreturn:
	case SYS_swapon: case SYS_swapoff: case 169 /* reboot */:
		return -1;
	case SYS_kill: case SYS_tkill:
		a[0] = (uint64_t)fz.pid;
		a[1] = fz_tame_signal(a[1]);
		return 0;
	case SYS_tgkill:
		a[0] = a[1] = (uint64_t)fz.pid;
		a[2] = fz_tame_signal(a[2]);
		return 0;
	case SYS_arch_prctl:
		if (a[0] == 0x1002)             /* ARCH_SET_FS: our TLS */
			a[0] = 0x1003;
		return 0;
	case SYS_uvm_swapctl:
		if (a[0] == UVM_SWAPCTL_FAILIO)
			return -1;
		a[2] &= 63;
		return 0;
	case SYS_rt_sigsuspend:                 /* a mask the guard gets through */
		a[0] = (uint64_t)&fz_suspend_mask;
		return 0;
	case SYS_ppoll:
		if (a[3] != 0)
			a[3] = (uint64_t)&fz_suspend_mask;
		return 0;
	case SYS_pselect6:
		if (a[5] != 0)
			a[5] = (uint64_t)fz_pselect_sig;
		return 0;
	}
	return 0;
}

/* With skipknown=: what the issue-15 bugs need, left out or changed. */
static int
fz_tame_known(long nr, uint64_t a[6])
{
	int k = fz_opt.skipknown;

	if ((k & FZ_KNOWN_WIRED) && (nr == SYS_mlock || nr == SYS_mlockall))
		return -1;
	if ((k & FZ_KNOWN_WIRED) && nr == SYS_mmap)
		a[3] &= ~(uint64_t)MAP_LOCKED;
	if ((k & FZ_KNOWN_SHARE) && nr == SYS_uvm_minherit &&
	    (a[2] & 0xffffffff) == MAP_INHERIT_SHARE)
		return -1;
	if ((k & FZ_KNOWN_DONTNEED) && nr == SYS_madvise &&
	    (a[2] == MADV_DONTNEED || a[2] == MADV_FREE))
		return -1;
	return 0;
}

/* fz_sys - make one raw call (fork's child leaves at once). */
static long
fz_sys(long nr, const uint64_t a[6])
{
	int guard = fz_may_sleep(nr);
	long ret;

	if (guard)
		fz_guard(1);
	ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (ret == -1)
		ret = -errno;
	if (ret == 0 && (nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone))
		_exit(0);
	if (guard)
		fz_guard(0);
	return ret;
}

/* fz_call - one logged, tamed call: the verbose line and the counter. */
static long
fz_call(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
    uint64_t a4, uint64_t a5)
{
	uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	long ret;

	if (fz_tame(nr, a) < 0 || fz_tame_known(nr, a) < 0) {
		if (fz_opt.verbose)
			fz_print("  %ld(...) left out\n", nr);
		return -ENOSYS;
	}
	if (fz_opt.verbose)
		fz_print("  %ld(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)", nr,
		    a[0], a[1], a[2], a[3], a[4], a[5]);
	ret = fz_sys(nr, a);
	if (fz_opt.verbose)
		fz_print(" = %ld\n", ret);
	(*fz.counter)++;
	return ret;
}

/* ---- the operations ----------------------------------------------------- */

/* op: a raw call with arguments from the mix. */
static void
fz_op_raw(uint64_t *r)
{
	long nr = fz_pick_nr(r);
	uint64_t a[6];

	for (int i = 0; i < 6; i++)
		a[i] = fz_arg(r);
	fz_call(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static const int fz_prots[] = {
	PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC,
	PROT_READ | PROT_WRITE | PROT_EXEC, PROT_WRITE, PROT_EXEC,
};
#define FZ_PROT(r) (fz_prots[fz_below(r, FZ_COUNT(fz_prots))])

/* fz_map_flags - MAP_PRIVATE or MAP_SHARED, anonymous, with extras. */
static uint64_t
fz_map_flags(uint64_t *r)
{
	uint64_t f = fz_below(r, 4) == 0 ? MAP_SHARED : MAP_PRIVATE;

	f |= MAP_ANONYMOUS;
	if (fz_below(r, 8) == 0)
		f |= MAP_POPULATE;
	if (fz_below(r, 10) == 0)
		f |= MAP_LOCKED;
	if (fz_below(r, 10) == 0)
		f |= MAP_NORESERVE;
	return f;
}

/* op: mmap into a slot (its old mapping unmapped first, or mapped over). */
static void
fz_op_mmap(uint64_t *r)
{
	struct fz_region *g = &fz.reg[fz_below(r, FZ_NREG)];
	size_t len = FZ_PAGE * (1 + fz_below(r, 16));
	uint64_t flags = fz_map_flags(r), addr = 0;
	long ret;

	if (g->addr != NULL && fz_below(r, 2) == 0) {
		addr = (uint64_t)g->addr;
		flags |= MAP_FIXED;
	} else if (g->addr != NULL) {
		fz_call(SYS_munmap, (uint64_t)g->addr, g->len, 0, 0, 0, 0);
	}
	ret = fz_call(SYS_mmap, addr, len, (uint64_t)FZ_PROT(r), flags, (uint64_t)-1, 0);
	if (ret < 0 && ret > -4096) {
		if (!(flags & MAP_FIXED))
			fz_forget(r, g);
		return;
	}
	if (addr != 0 && g->len > len)
		len = g->len;
	g->addr = (char *)ret;
	g->len = len;
}

/* op: map the file /etc/motd privately or shared over a slot. */
static void
fz_op_mmap_file(uint64_t *r)
{
	struct fz_region *g = &fz.reg[fz_below(r, FZ_NREG)];
	uint64_t flags = fz_below(r, 3) == 0 ? MAP_SHARED : MAP_PRIVATE;
	long fd = fz_call(SYS_open, (uint64_t)fz.fixed, O_RDONLY, 0, 0, 0, 0);
	long ret;

	if (fd < 0)
		return;
	if (g->addr != NULL)
		fz_call(SYS_munmap, (uint64_t)g->addr, g->len, 0, 0, 0, 0);
	fz_forget(r, g);
	ret = fz_call(SYS_mmap, 0, FZ_PAGE * (1 + fz_below(r, 3)), (uint64_t)FZ_PROT(r),
	    flags, (uint64_t)fd, 0);
	fz_call(SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
	if (ret < 0 && ret > -4096)
		return;
	g->addr = (char *)ret;
	g->len = FZ_PAGE;
}

/* A page-aligned piece of a region: *lenp bytes at the result. */
static uintptr_t
fz_piece(uint64_t *r, struct fz_region *g, size_t *lenp)
{
	size_t pages = g->len / FZ_PAGE, first, n;

	if (pages == 0) {
		*lenp = FZ_PAGE;
		return fz.gone[0];
	}
	first = fz_below(r, pages);
	n = 1 + fz_below(r, pages - first);
	*lenp = n * FZ_PAGE;
	return (uintptr_t)g->addr + first * FZ_PAGE;
}

/* op: munmap all of a region, or a piece (the slot keeps the rest's
 * bounds: touches there fault, which is the point). */
static void
fz_op_munmap(uint64_t *r)
{
	struct fz_region *g = &fz.reg[fz_below(r, FZ_NREG)];
	size_t len;
	uintptr_t a;

	if (fz_below(r, 2) == 0) {
		fz_call(SYS_munmap, (uint64_t)g->addr, g->len, 0, 0, 0, 0);
		fz_forget(r, g);
		return;
	}
	a = fz_piece(r, g, &len);
	fz_call(SYS_munmap, a, len, 0, 0, 0, 0);
}

/* op: mprotect a piece of a region. */
static void
fz_op_mprotect(uint64_t *r)
{
	struct fz_region *g = &fz.reg[fz_below(r, FZ_NREG)];
	size_t len;
	uintptr_t a = fz_piece(r, g, &len);

	fz_call(SYS_mprotect, a, len, (uint64_t)FZ_PROT(r), 0, 0, 0);
}

static const int fz_advice[] = {
	MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
	MADV_DONTNEED, MADV_FREE, MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK,
	MADV_KEEPONFORK, 100,
};

/* op: madvise, minherit or msync on a piece of a region. */
static void
fz_op_advise(uint64_t *r)
{
	struct fz_region *g = &fz.reg[fz_below(r, FZ_NREG)];
	size_t len;
	uintptr_t a = fz_piece(r, g, &len);

	switch (fz_below(r, 3)) {
	case 0:
		fz_call(SYS_madvise, a, len,
		    (uint64_t)fz_advice[fz_below(r, FZ_COUNT(fz_advice))], 0, 0, 0);
		break;
	case 1:
		fz_call(SYS_uvm_minherit, a, len, fz_below(r, 5), 0, 0, 0);
		break;
	default:
		fz_call(SYS_msync, a, len, 1ULL << fz_below(r, 3), 0, 0, 0);
		break;
	}
}

/* op: mlock or munlock a piece, mlockall or munlockall. */
static void
fz_op_lock(uint64_t *r)
{
	struct fz_region *g = &fz.reg[fz_below(r, FZ_NREG)];
	size_t len;
	uintptr_t a = fz_piece(r, g, &len);

	switch (fz_below(r, 5)) {
	case 0: case 1:
		fz_call(SYS_mlock, a, len, 0, 0, 0, 0);
		break;
	case 2:
		fz_call(SYS_munlock, a, len, 0, 0, 0, 0);
		break;
	case 3:
		fz_call(SYS_mlockall, 1 + fz_below(r, 7), 0, 0, 0, 0, 0);
		break;
	default:
		fz_call(SYS_munlockall, 0, 0, 0, 0, 0, 0);
		break;
	}
}

/* op: mremap a region: grow, shrink, move (MAYMOVE, FIXED over another). */
static void
fz_op_mremap(uint64_t *r)
{
	struct fz_region *g = &fz.reg[fz_below(r, FZ_NREG)];
	struct fz_region *to = &fz.reg[fz_below(r, FZ_NREG)];
	size_t nlen = FZ_PAGE * (1 + fz_below(r, 24));
	uint64_t flags = fz_below(r, 3), naddr = 0;   /* 0, MAYMOVE, or FIXED */
	long ret;

	if (flags == 2 && to != g && to->addr != NULL) {
		flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		naddr = (uint64_t)to->addr;
	} else if (flags == 2) {
		flags = MREMAP_MAYMOVE;
	}
	ret = fz_call(SYS_mremap, (uint64_t)g->addr, g->len, nlen, flags, naddr, 0);
	if (ret < 0 && ret > -4096)
		return;
	if (naddr != 0)
		fz_forget(r, to);
	g->addr = (char *)ret;
	g->len = nlen;
}

/* op: read, write or run one byte of memory; faults are caught. */
static void
fz_op_touch(uint64_t *r)
{
	volatile char *p = (volatile char *)fz_arg(r);
	uint64_t how = fz_below(r, 8);

	if (fz_below(r, 2) == 0)
		p = (volatile char *)fz_region_ptr(r);
	if (fz_opt.verbose)
		fz_print("  touch %s %p\n", how < 4 ? "read" : how < 7 ? "write" : "exec",
		    (void *)p);
	if (how < 4)
		(void)*p;
	else if (how < 7)
		*p = (char)how;
	else if (*p == (char)0xc3)      /* run only a "ret" */
		((void (*)(void))(uintptr_t)p)();
}

/* What a grandchild does before it exits: a few map operations. */
static void
fz_grandchild(uint64_t *r)
{
	for (uint64_t n = fz_below(r, 4); n > 0; n--) {
		switch (fz_below(r, 4)) {
		case 0: fz_op_advise(r); break;
		case 1: fz_op_mremap(r); break;
		case 2: fz_op_munmap(r); break;
		default: fz_op_touch(r); break;
		}
	}
	_exit(0);
}

/* fz_reap - wait for pid for up to a second (the guard interrupts). */
static void
fz_reap(pid_t pid)
{
	for (int i = 0; i < 100; i++) {
		fz_guard(1);
		long ret = syscall(SYS_wait4, pid, NULL, 0, NULL);
		fz_guard(0);
		if (ret == pid || (ret < 0 && errno != EINTR))
			return;
	}
}

/* op: fork; the grandchild does a little and exits, the child waits. */
static void
fz_op_fork(uint64_t *r)
{
	uint64_t gseed = fz_rand(r);
	pid_t pid;

	if (fz_opt.verbose)
		fz_print("  fork\n");
	(*fz.counter)++;
	pid = fork();
	if (pid == 0) {
		fz.pid = getpid();
		fz_opt.verbose = 0;
		fz_jb_ok = 0;           /* a fault ends the grandchild */
		fz_grandchild(&gseed);
	}
	if (pid > 0 && fz_below(r, 4) != 0)
		fz_reap(pid);
}

/* ---- the sequences that found the issue-15 bugs -------------------------- */

/* fz_fresh - a new private read-write mapping of n pages in a slot, written. */
static struct fz_region *
fz_fresh(uint64_t *r, size_t n, uint64_t extra)
{
	struct fz_region *g = &fz.reg[fz_below(r, FZ_NREG)];
	long ret;

	if (g->addr != NULL)
		fz_call(SYS_munmap, (uint64_t)g->addr, g->len, 0, 0, 0, 0);
	fz_forget(r, g);
	ret = fz_call(SYS_mmap, 0, n * FZ_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | extra, (uint64_t)-1, 0);
	if (ret < 0 && ret > -4096)
		return NULL;
	g->addr = (char *)ret;
	g->len = n * FZ_PAGE;
	for (size_t i = 0; i < n; i++)
		g->addr[i * FZ_PAGE] = 'f';
	return g;
}

/* Bugs 1 and 2: wired memory, then MADV_DONTNEED or mprotect(PROT_NONE)
 * of part of it, then munmap (or exit). */
static void
fz_seq_wired(uint64_t *r)
{
	uint64_t how = fz_below(r, 3);
	struct fz_region *g = fz_fresh(r, 4, how == 0 ? MAP_LOCKED : 0);

	if (g == NULL)
		return;
	if (how == 1)
		fz_call(SYS_mlock, (uint64_t)g->addr, g->len, 0, 0, 0, 0);
	if (how == 2)
		fz_call(SYS_mlockall, MCL_CURRENT, 0, 0, 0, 0, 0);
	if (fz_below(r, 2) == 0)
		fz_call(SYS_madvise, (uint64_t)g->addr, g->len, MADV_DONTNEED, 0, 0, 0);
	else
		fz_call(SYS_mprotect, (uint64_t)g->addr + FZ_PAGE, FZ_PAGE, PROT_NONE, 0, 0, 0);
	if (fz_below(r, 2) == 0) {
		fz_call(SYS_munmap, (uint64_t)g->addr, g->len, 0, 0, 0, 0);
		fz_forget(r, g);
	}
	if (how == 2)
		fz_call(SYS_munlockall, 0, 0, 0, 0, 0, 0);
}

/* Bug 3: minherit(SHARE), fork, the child drops the pages. */
static void
fz_seq_share_dontneed(uint64_t *r)
{
	struct fz_region *g = fz_fresh(r, 2, 0);
	pid_t pid;

	if (g == NULL)
		return;
	fz_call(SYS_uvm_minherit, (uint64_t)g->addr, g->len, MAP_INHERIT_SHARE, 0, 0, 0);
	(*fz.counter)++;
	pid = fork();
	if (pid == 0) {
		syscall(SYS_madvise, g->addr, g->len, MADV_DONTNEED);
		_exit(0);
	}
	if (pid > 0)
		fz_reap(pid);
	(void)*(volatile char *)g->addr;
}

/* Bug 5: after a fork, grow a private mapping with MREMAP_MAYMOVE. */
static void
fz_seq_mremap_after_fork(uint64_t *r)
{
	struct fz_region *g = fz_fresh(r, 2, 0);
	pid_t pid;
	long ret;

	if (g == NULL)
		return;
	(*fz.counter)++;
	pid = fork();
	if (pid == 0)
		_exit(0);
	ret = fz_call(SYS_mremap, (uint64_t)g->addr, g->len, 8 * FZ_PAGE, MREMAP_MAYMOVE, 0, 0);
	if (pid > 0)
		fz_reap(pid);
	if (ret < 0 && ret > -4096)
		return;
	g->addr = (char *)ret;
	g->len = 8 * FZ_PAGE;
	g->addr[7 * FZ_PAGE] = 'm';
}

/* op: one of the sequences (the first two not with skipknown=1). */
static void
fz_op_seq(uint64_t *r)
{
	uint64_t k = fz_below(r, 3);

	if (k == 0 && (fz_opt.skipknown & FZ_KNOWN_WIRED))
		k = 2;
	if (k == 1 && (fz_opt.skipknown & (FZ_KNOWN_SHARE | FZ_KNOWN_DONTNEED)))
		k = 2;
	if (fz_opt.verbose)
		fz_print("  sequence %lu\n", k);
	if (k == 0)
		fz_seq_wired(r);
	else if (k == 1)
		fz_seq_share_dontneed(r);
	else
		fz_seq_mremap_after_fork(r);
}

/* ---- rt_sigreturn with a made-up frame ----------------------------------- */

static char fz_sigstack[16384] __attribute__((aligned(16)));

/* fz_landing - where most made-up frames send the child: back to the loop. */
static void
fz_landing(void)
{
	__asm__ volatile("cld");        /* the frame's flags may have set DF */
	siglongjmp(fz_jb, 99);
}

/* fz_frame_rip - mostly fz_landing; else 0, a kernel or non-canonical
 * address, or a random word. */
static uint64_t
fz_frame_rip(uint64_t *r)
{
	switch (fz_below(r, 8)) {
	case 0: return 0;
	case 1: return fz_bad_addrs[fz_below(r, FZ_COUNT(fz_bad_addrs))];
	case 2: return fz_rand(r);
	default: return (uint64_t)(uintptr_t)fz_landing;
	}
}

/* fz_make_frame - a ucontext of random words with some fields chosen:
 * rip, rsp (the top of fz_sigstack), the flags, the SSE state pointer. */
static void
fz_make_frame(uint64_t *r, ucontext_t *uc)
{
	uint64_t *w = (uint64_t *)uc, sp = (uint64_t)(uintptr_t)(fz_sigstack + sizeof(fz_sigstack));
	greg_t *g = uc->uc_mcontext.gregs;

	for (size_t i = 0; i < sizeof(*uc) / 8; i++)
		w[i] = fz_below(r, 2) ? fz_rand(r) : fz_below(r, 64);
	g[REG_RIP] = (greg_t)fz_frame_rip(r);
	g[REG_RSP] = (greg_t)((sp & ~15UL) - 8);
	if (fz_below(r, 2) == 0)
		g[REG_EFL] = 0x202;
	g[REG_EFL] &= ~0x100L;  /* no TF: a trap after every instruction, for ever
				   if a random SIGTRAP handler returns */
	if (fz_below(r, 2) == 0)
		g[REG_CSGSFS] = 0x2b000000000033;    /* user cs 0x33, ss 0x2b */
	uc->uc_mcontext.fpregs = fz_below(r, 16) == 0 ? (fpregset_t)fz_arg(r) : NULL;
	sigemptyset(&uc->uc_sigmask);
}

/* op: rt_sigreturn on a made-up frame; the child goes on in fz_landing or
 * in the fault handler - or is killed, with a signal of its own. */
static void
fz_op_sigreturn(uint64_t *r)
{
	ucontext_t *uc = (ucontext_t *)(fz_sigstack + 4096);

	fz_make_frame(r, uc);
	if (fz_opt.verbose)
		fz_print("  rt_sigreturn(rip %#llx rsp %#llx flags %#llx csgsfs %#llx fpregs %p)\n",
		    uc->uc_mcontext.gregs[REG_RIP], uc->uc_mcontext.gregs[REG_RSP],
		    uc->uc_mcontext.gregs[REG_EFL], uc->uc_mcontext.gregs[REG_CSGSFS],
		    (void *)uc->uc_mcontext.fpregs);
	(*fz.counter)++;
	__asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall"
	    : : "r"(uc) : "memory");
	__builtin_unreachable();
}

/* The operations and their weights (out of 100). */
static const struct {
	void (*fn)(uint64_t *r);
	int weight;
	const char *name;
} fz_ops[] = {
	{ fz_op_raw, 51, "raw" },
	{ fz_op_sigreturn, 1, "sigreturn" },
	{ fz_op_mmap, 8, "mmap" },
	{ fz_op_mmap_file, 2, "mmap_file" },
	{ fz_op_munmap, 4, "munmap" },
	{ fz_op_mprotect, 6, "mprotect" },
	{ fz_op_advise, 6, "advise" },
	{ fz_op_lock, 4, "lock" },
	{ fz_op_mremap, 5, "mremap" },
	{ fz_op_touch, 9, "touch" },
	{ fz_op_fork, 2, "fork" },
	{ fz_op_seq, 2, "sequence" },
};

/* fz_op - run operation i of the batch under the fault handler. */
static void
fz_op(uint64_t i)
{
	uint64_t r = fz_mix(fz.seed ^ fz_mix(i));
	int w = (int)fz_below(&r, 100);
	size_t k = 0;

	while (w >= fz_ops[k].weight) {
		w -= fz_ops[k].weight;
		k++;
	}
	if (fz_opt.verbose)
		fz_print("%lu: %s\n", i, fz_ops[k].name);
	fz_jb_ok = 0;
	if (sigsetjmp(fz_jb, 0) == 0) {
		fz_jb_ok = 1;
		fz_ops[k].fn(&r);
	} else if (fz_opt.verbose) {
		fz_print("  (fault)\n");
	}
	fz_jb_ok = 0;
}

/* ---- a child: one batch -------------------------------------------------- */

/* fz_fill_fixed - the paths, then random words. */
static void
fz_fill_fixed(uint64_t *r)
{
	uint64_t *w = (uint64_t *)(fz.fixed + FZ_STRUCTS);

	for (size_t i = 0; i < FZ_NPATHS; i++)
		strcpy(fz.fixed + 64 * i, fz_paths[i]);
	for (size_t i = 0; i < 64; i++)
		w[i] = fz_below(r, 2) ? fz_below(r, 4096) : fz_rand(r);
}

/* fz_setup_fds - stdin at end of file, stdout and stderr read-only, a pipe
 * at 3 and 4; the real stdout kept at FZ_LOGFD for the verbose lines. */
static void
fz_setup_fds(void)
{
	int p[2];

	dup2(1, FZ_LOGFD);
	fz_out = FZ_LOGFD;
	if (pipe(p) == 0) {
		dup2(p[0], 0);
		close(p[1]);
		if (p[0] != 0)
			close(p[0]);
	}
	int fd = open("/etc/motd", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	if (pipe(p) == 0) {
		dup2(p[0], 3);
		dup2(p[1], 4);
	}
}

/* fz_setup_regions - one region of each kind in the first slots. */
static void
fz_setup_regions(uint64_t *r)
{
	static const int prot[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC };
	int fd;

	for (size_t i = 0; i < FZ_COUNT(prot); i++) {
		size_t len = FZ_PAGE * (1 + fz_below(r, 8));
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			continue;
		memset(p, 0xc3, len);   /* "ret": the exec touches come back */
		mprotect(p, len, prot[i]);
		fz.reg[i] = (struct fz_region){ p, len };
	}
	fz.reg[5].addr = mmap(NULL, 2 * FZ_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fz.reg[5].len = 2 * FZ_PAGE;
	fd = open("/etc/motd", O_RDONLY);
	fz.reg[6].addr = mmap(NULL, FZ_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	fz.reg[6].len = FZ_PAGE;
	close(fd);
	for (int i = 5; i < 7; i++)
		if (fz.reg[i].addr == MAP_FAILED)
			fz.reg[i] = (struct fz_region){ NULL, 0 };
}

/* fz_batch - the child: n operations of the batch with seed, then exit. */
static void __attribute__((noreturn))
fz_batch(uint64_t seed, uint64_t n, uint64_t *counter)
{
	uint64_t r = seed;

	fz.seed = seed;
	fz.pid = getpid();
	fz.counter = counter;
	fz_setup_fds();
	fz.fixed = mmap(NULL, FZ_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz.fixed == MAP_FAILED)
		_exit(2);
	fz_fill_fixed(&r);
	fz_setup_regions(&r);
	for (int i = 0; i < FZ_NGONE; i++)
		fz.gone[i] = 0x10000 + fz_below(&r, 1 << 20) * FZ_PAGE;
	fz_handle(SIGSEGV, fz_on_fault, SA_NODEFER);
	fz_handle(SIGBUS, fz_on_fault, SA_NODEFER);
	fz_handle(SIGPIPE, SIG_IGN, 0);
	for (uint64_t i = 0; i < n; i++)
		if (i >= FZ_MAXSKIP || !(fz_opt.skip[i / 8] & (1 << (i % 8))))
			fz_op(i);
	_exit(0);
}

/* ---- the parent ---------------------------------------------------------- */

struct fz_stats {
	uint64_t calls, batches, killed, hangs, errors;
	uint64_t bysig[65];
};

static volatile sig_atomic_t fz_timed_out;

static void
fz_on_deadline(int sig)
{
	(void)sig;
	fz_timed_out = 1;
}

/* fz_wait - wait for the batch's child, killing it after the timeout.
 *  => its wait status, or -1 if it hung (then it has been killed). */
static int
fz_wait(pid_t pid)
{
	struct itimerval it = { { 0, 0 }, { (time_t)fz_opt.timeout, 0 } };
	int status = 0;

	fz_timed_out = 0;
	fz_handle(SIGALRM, fz_on_deadline, 0);
	setitimer(ITIMER_REAL, &it, NULL);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return 0;
		if (fz_timed_out)
			kill(pid, SIGKILL);
	}
	it.it_value.tv_sec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	return fz_timed_out ? -1 : status;
}

/* fz_signame - "SIGSEGV" for signals 1 to 31, "signal N" past them. */
static const char *
fz_signame(int sig)
{
	static const char *const names[32] = {
		"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
		"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
		"SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
		"SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
		"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
		"SIGSYS",
	};
	static char other[16];

	if (sig > 0 && sig < 32)
		return names[sig];
	snprintf(other, sizeof(other), "signal %d", sig);
	return other;
}

/* fz_account - count what the batch's child ended with. */
static void
fz_account(struct fz_stats *st, uint64_t seed, int status)
{
	if (status == -1) {
		st->hangs++;
		fz_print("fuzz: HANG: batch seed %#lx ran over %lus, killed; "
		    "rerun: fuzz replay=%#lx calls=%lu\n", seed, fz_opt.timeout,
		    seed, fz_opt.batch);
	} else if (WIFSIGNALED(status)) {
		st->killed++;
		st->bysig[WTERMSIG(status) & 63]++;
		fz_print("fuzz: batch seed %#lx: killed by %s\n", seed,
		    fz_signame(WTERMSIG(status)));
	} else if (WEXITSTATUS(status) != 0) {
		st->errors++;
		fz_print("fuzz: batch seed %#lx: the child exited %d\n", seed,
		    WEXITSTATUS(status));
	}
}

/* fz_reap_strays - reap the zombies of grandchildren whose parent, a
 * batch's child, was gone first: the kernel gives them to us (the root
 * of the tree), and thousands of them would eat the machine. */
static void
fz_reap_strays(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* fz_run_batch - fork a child for one batch and account for it. */
static void
fz_run_batch(struct fz_stats *st, uint64_t b, uint64_t seed, uint64_t *counter)
{
	pid_t pid;

	fz_print("fuzz: batch %lu seed %#lx calls %lu\n", b, seed, fz_opt.batch);
	pid = fork();
	if (pid < 0) {
		st->errors++;
		fz_print("fuzz: fork: %s\n", strerror(errno));
		return;
	}
	if (pid == 0)
		fz_batch(seed, fz_opt.batch, counter);
	fz_account(st, seed, fz_wait(pid));
	fz_reap_strays();
	st->batches++;
}

/* fz_summary - the closing line; => the exit status. */
static int
fz_summary(const struct fz_stats *st)
{
	char sigs[256] = "";
	size_t n = 0;

	for (int s = 1; s < 65; s++)
		if (st->bysig[s] != 0 && n < sizeof(sigs) - 32)
			n += (size_t)snprintf(sigs + n, sizeof(sigs) - n, "%s%s %lu",
			    n ? ", " : "", fz_signame(s), st->bysig[s]);
	fz_print("fuzz: %lu calls, %lu batches, %lu children killed by a signal%s%s%s, "
	    "%lu hangs, %lu harness errors\n", st->calls, st->batches, st->killed,
	    n ? " (" : "", sigs, n ? ")" : "", st->hangs, st->errors);
	return st->hangs != 0 || st->errors != 0;
}

/* ---- arguments ----------------------------------------------------------- */

/* fz_parse_skip - "3,10-40": indices to leave out. */
static void
fz_parse_skip(const char *s)
{
	while (*s != '\0') {
		char *end;
		unsigned long lo = strtoul(s, &end, 0), hi = lo;

		if (*end == '-')
			hi = strtoul(end + 1, &end, 0);
		for (unsigned long i = lo; i <= hi && i < FZ_MAXSKIP; i++)
			fz_opt.skip[i / 8] |= (uint8_t)(1 << (i % 8));
		s = *end == ',' ? end + 1 : end + (*end != '\0');
	}
}

/* fz_parse_known - "1" (all), or a list of dontneed, wired, share. */
static int
fz_parse_known(const char *s)
{
	int k = 0;

	if (!strcmp(s, "1"))
		return FZ_KNOWN_DONTNEED | FZ_KNOWN_WIRED | FZ_KNOWN_SHARE;
	if (strstr(s, "dontneed"))
		k |= FZ_KNOWN_DONTNEED;
	if (strstr(s, "wired"))
		k |= FZ_KNOWN_WIRED;
	if (strstr(s, "share"))
		k |= FZ_KNOWN_SHARE;
	return k;
}

/* fz_parse - key=value arguments; => 0, or -1 for an unknown one. */
static int
fz_parse(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *v = strchr(argv[i], '=');
		uint64_t n = v ? strtoull(v + 1, NULL, 0) : 0;

		if (v == NULL)
			return -1;
		*v = '\0';
		if (!strcmp(argv[i], "seed")) fz_opt.seed = n;
		else if (!strcmp(argv[i], "calls")) fz_opt.calls = n;
		else if (!strcmp(argv[i], "batch")) fz_opt.batch = n;
		else if (!strcmp(argv[i], "timeout")) fz_opt.timeout = n;
		else if (!strcmp(argv[i], "verbose")) fz_opt.verbose = (int)n;
		else if (!strcmp(argv[i], "skipknown")) fz_opt.skipknown = fz_parse_known(v + 1);
		else if (!strcmp(argv[i], "replay")) { fz_opt.replay = n; fz_opt.has_replay = 1; }
		else if (!strcmp(argv[i], "skip")) fz_parse_skip(v + 1);
		else return -1;
	}
	return 0;
}

/* fz_counter_page - the shared page the children count calls in, far
 * from where their regions go (top-down under the stack): a pointer one
 * past a region's end must not land on it. */
static uint64_t *
fz_counter_page(void)
{
	void *p = mmap((void *)FZ_COUNTER_AT, FZ_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		p = mmap(NULL, FZ_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p;
}

int
main(int argc, char **argv)
{
	struct fz_stats st = { 0 };
	uint64_t *counter;

	if (fz_parse(argc, argv) < 0 || fz_opt.batch == 0) {
		fz_print("usage: fuzz [seed=N] [calls=N] [batch=N] [timeout=S] "
		    "[skipknown=1|dontneed,wired,share] [verbose=1] [replay=SEED [skip=I,J-K]]\n");
		return 2;
	}
	counter = fz_counter_page();
	if (counter == MAP_FAILED)
		return 2;
	if (fz_opt.has_replay) {
		fz_opt.batch = fz_opt.calls;
		fz_run_batch(&st, 0, fz_opt.replay, counter);
	} else {
		fz_print("fuzz: seed %lu calls %lu batch %lu%s\n", fz_opt.seed,
		    fz_opt.calls, fz_opt.batch, fz_opt.skipknown ? " (known bugs left out)" : "");
		for (uint64_t b = 0; b * fz_opt.batch < fz_opt.calls; b++)
			fz_run_batch(&st, b, fz_mix(fz_opt.seed * 0x100000001ULL + b), counter);
	}
	st.calls = *counter;
	if (!fz_opt.has_replay && st.calls < fz_opt.calls / 4) {
		fz_print("fuzz: only %lu of %lu calls made: the harness is broken\n",
		    st.calls, fz_opt.calls);
		st.errors++;
	}
	return fz_summary(&st);
}
