/*
 * tests/user/vmstress.c - threads of one process racing on one address
 * space: a seeded, long-running stress of the VM system calls.
 *
 *     vmstress --seed S --threads N --seconds T [--pressure MIB]
 *
 * N threads run random operations for T seconds.  Each thread owns a few
 * regions in an arena of its own (only it maps there, so it knows what
 * every word must hold and checks each exactly) and shares one arena
 * with all the others, where they race: map over each other, unmap,
 * protect, remap, advise, lock and touch at random; there the only
 * checks are that nothing crashes, that a fault is SIGSEGV or SIGBUS
 * (caught per thread with sigsetjmp), and that a forked child sees each
 * 8-byte word of a page a sibling was writing either whole or not at all.
 *
 *     arena of thread 0     arena of thread 1    ...   shared arena
 *     [slot][slot][slot]    [slot][slot][slot]         [slot][slot]...
 *      owned: exact data     owned: exact data          racing: no crash
 *
 * Owned operations: mmap (anonymous private or shared, a file shared or
 * private), munmap, mprotect, mremap (grow in place, move to a free slot),
 * madvise (DONTNEED, FREE, WILLNEED), mlock/munlock, msync, writes of a
 * pattern and exact checks, fork (the child checks a page and exits),
 * brk (one thread at a time: the break is the process's).  Every word of
 * an owned page is pattern(thread, slot, page, generation, index) or 0.
 *
 * --pressure MIB adds an anonymous region of MIB/N MiB per thread, written
 * and checked a page at a time: with more than the machine's free memory
 * the page daemon pages out under the threads (make stress does this in
 * 64 MiB with swap).  At the end: a summary line with the operations,
 * faults caught and seconds; exit status 0 only if every check held.
 *
 * Without --seed the program is a utest (tests/user/utest.h) with one
 * short run of a fixed seed, in make test's user suite and on Linux.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "utest.h"

#define MAXTHREADS 32
#define OWNED 4                 /* owned slots per thread */
#define SLOTPG 16               /* pages per slot */
#define MAXPG 8                 /* an owned region's pages at most */
#define SHSLOTS 16              /* slots of the shared arena */
#define WORDS (PAGE / 8)
#define COWPG 4                 /* pages of the fork-while-writing area */
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* What an owned region is. */
enum kind { K_PRIV, K_SHARED, K_FILE_SHARED, K_FILE_PRIV, NKINDS };

/* The state of one owned page: its generation (0: all zero), or unknown
 * after MADV_FREE (either the old generation or zero). */
struct opage {
	uint32_t gen;
	int maybe_zero;
};

struct region {
	int mapped;
	enum kind kind;
	int npages;
	int prot;
	int locked;
	struct opage pg[SLOTPG];
};

struct worker {
	int id;
	pthread_t th;
	uint64_t rng;
	char *arena;                    /* OWNED slots of SLOTPG pages, fenced */
	struct region r[OWNED];
	int fd;                         /* the file behind K_FILE_* (or -1) */
	uint32_t gen;
	char *press;                    /* --pressure region */
	size_t presspg;
	uint32_t *pressgen;
	/* results */
	uint64_t ops, faults, forks;
	char err[200];
};

static struct {
	uint64_t seed;
	int threads;
	long pressure_mib;
	char *shared;                   /* SHSLOTS slots */
	char *cow;                      /* COWPG private pages all threads write */
	int racefd;                     /* the file the racing mappings map */
	char dir[64];
	atomic_int go;                  /* every thread created: start */
	atomic_int stop;
	atomic_int failed;
	pthread_mutex_t brk_lock;
	struct worker w[MAXTHREADS];
} S;

/* ---- random numbers (xorshift*), per thread ---- */

static uint64_t
rnd(struct worker *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 2685821657736338717ULL;
}

static int
rndn(struct worker *w, int n)
{
	return (int)(rnd(w) % (uint64_t)n);
}

/* ---- patterns ---- */

static uint64_t
pattern(int tid, int slot, int page, uint32_t gen, int word)
{
	uint64_t x = ((uint64_t)gen << 32) ^ ((uint64_t)tid << 24) ^
	    ((uint64_t)slot << 16) ^ ((uint64_t)page << 10) ^ (uint64_t)word;

	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	return x | 1;           /* never 0: 0 means "not written" */
}

/* A racing word: its low half is a check of its high half. */
static uint64_t
race_word(uint32_t tag)
{
	return ((uint64_t)tag << 32) | (uint32_t)(tag * 2654435761u + 1);
}

static int
race_word_ok(uint64_t v)
{
	return v == 0 || v == race_word((uint32_t)(v >> 32));
}

/* ---- faults caught per thread ---- */

static __thread sigjmp_buf *volatile fault_jb;   /* volatile: set around accesses */

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	sigjmp_buf *jb = fault_jb;

	if (jb == NULL) {
		/* A fault nobody expected: say where, then crash. */
		char buf[128];
		int n = snprintf(buf, sizeof(buf), "vmstress: unexpected signal %d "
				 "at address %p, pc %#llx\n", sig, si->si_addr,
				 (unsigned long long)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP]);
		(void)!write(2, buf, (size_t)n);
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	fault_jb = NULL;
	siglongjmp(*jb, sig);
}

/* Fails this run: the first message is kept, the threads stop. */
static void
fail(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
fail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (atomic_exchange(&S.failed, 1) == 0) {
		va_start(ap, fmt);
		vsnprintf(w->err, sizeof(w->err), fmt, ap);
		va_end(ap);
	}
	atomic_store(&S.stop, 1);
}

/* ---- owned regions ---- */

static char *
slot_addr(struct worker *w, int s)
{
	/* One fence page before each slot keeps regions from merging. */
	return w->arena + ((size_t)s * (SLOTPG + 1) + 1) * PAGE;
}

static int
readable(const struct region *r)
{
	return r->prot & PROT_READ;
}

/* Does page p of region s hold what it must?  0 if so. */
static int
check_page(struct worker *w, int s, int p)
{
	struct region *r = &w->r[s];
	const uint64_t *q = (const uint64_t *)(slot_addr(w, s) + (size_t)p * PAGE);
	uint32_t gen = r->pg[p].gen;

	if (r->pg[p].maybe_zero == 2)
		return 0;       /* unknown (a private file page advised away) */
	for (int i = 0; i < (int)WORDS; i++) {
		uint64_t want = gen == 0 ? 0 : pattern(w->id, s, p, gen, i);
		if (q[i] == want || (r->pg[p].maybe_zero && q[i] == 0))
			continue;
		fail(w, "thread %d slot %d (kind %d, %d pages, prot %d) page %d "
		     "word %d: %#llx, want %#llx (gen %u%s)", w->id, s, r->kind,
		     r->npages, r->prot, p, i, (unsigned long long)q[i],
		     (unsigned long long)want, gen,
		     r->pg[p].maybe_zero ? " or 0" : "");
		return -1;
	}
	return 0;
}

static void
check_region(struct worker *w, int s)
{
	struct region *r = &w->r[s];

	if (!r->mapped || !readable(r))
		return;
	for (int p = 0; p < r->npages && !S.failed; p++)
		check_page(w, s, p);
}

static void
write_page(struct worker *w, int s, int p)
{
	struct region *r = &w->r[s];
	uint64_t *q = (uint64_t *)(slot_addr(w, s) + (size_t)p * PAGE);
	uint32_t gen = ++w->gen;

	if (gen == 0)
		gen = ++w->gen;
	for (int i = 0; i < (int)WORDS; i++)
		q[i] = pattern(w->id, s, p, gen, i);
	r->pg[p].gen = gen;
	r->pg[p].maybe_zero = 0;
}

/* The file behind slot s's file mappings: SLOTPG pages at s * SLOTPG. */
static off_t
file_off(int s)
{
	return (off_t)s * SLOTPG * PAGE;
}

static void
own_map(struct worker *w, int s)
{
	struct region *r = &w->r[s];
	enum kind k = (enum kind)rndn(w, NKINDS);
	int n = 1 + rndn(w, MAXPG), flags = MAP_FIXED;
	int fd = -1;
	off_t off = 0;

	if (k >= K_FILE_SHARED && w->fd < 0)
		k = K_PRIV;
	memset(r, 0, sizeof(*r));
	switch (k) {
	case K_PRIV: flags |= MAP_PRIVATE | MAP_ANONYMOUS; break;
	case K_SHARED: flags |= MAP_SHARED | MAP_ANONYMOUS; break;
	case K_FILE_SHARED: flags |= MAP_SHARED; fd = w->fd; off = file_off(s); break;
	case K_FILE_PRIV: flags |= MAP_PRIVATE; fd = w->fd; off = file_off(s); break;
	default: break;
	}
	if (fd >= 0) {
		/* The file's pages: a fresh generation written with pwrite. */
		static __thread uint64_t buf[WORDS];
		for (int p = 0; p < n; p++) {
			uint32_t gen = ++w->gen;
			for (int i = 0; i < (int)WORDS; i++)
				buf[i] = pattern(w->id, s, p, gen, i);
			if (pwrite(fd, buf, PAGE, off + (off_t)p * PAGE) != (ssize_t)PAGE) {
				fail(w, "pwrite: %s", strerror(errno));
				return;
			}
			r->pg[p].gen = gen;
		}
	}
	void *a = mmap(slot_addr(w, s), (size_t)n * PAGE, RW, flags, fd, off);
	if (a == MAP_FAILED) {
		if (errno != ENOMEM)
			fail(w, "mmap kind %d: %s", k, strerror(errno));
		return;
	}
	r->mapped = 1;
	r->kind = k;
	r->npages = n;
	r->prot = RW;
}

static void
own_unmap(struct worker *w, int s)
{
	struct region *r = &w->r[s];

	if (munmap(slot_addr(w, s), (size_t)SLOTPG * PAGE) != 0)
		fail(w, "munmap: %s", strerror(errno));
	r->mapped = 0;
	r->locked = 0;
}

static void
own_protect(struct worker *w, int s)
{
	static const int prots[] = { PROT_NONE, PROT_READ, RW, RW };
	struct region *r = &w->r[s];
	int prot = prots[rndn(w, 4)];

	if (mprotect(slot_addr(w, s), (size_t)r->npages * PAGE, prot) != 0) {
		fail(w, "mprotect: %s", strerror(errno));
		return;
	}
	r->prot = prot;
}

/* A PROT_NONE page must fault; a mapped readable one must not. */
static void
own_probe_none(struct worker *w, int s)
{
	struct region *r = &w->r[s];
	sigjmp_buf jb;
	volatile int sig;

	if ((sig = sigsetjmp(jb, 1)) == 0) {
		fault_jb = &jb;
		(void)*(volatile char *)(slot_addr(w, s) + (size_t)rndn(w, r->npages) * PAGE);
		fault_jb = NULL;
	}
	w->faults += sig != 0;
	if (sig != SIGSEGV)
		fail(w, "read of a PROT_NONE page: signal %d, want SIGSEGV", sig);
}

static void
own_advise(struct worker *w, int s)
{
	static const int advs[] = { MADV_DONTNEED, MADV_FREE, MADV_WILLNEED };
	struct region *r = &w->r[s];
	int p = rndn(w, r->npages), n = 1 + rndn(w, r->npages - p);
	int adv = advs[rndn(w, 3)];

	if (r->locked && adv != MADV_WILLNEED)
		return;         /* EINVAL on Linux for locked pages */
	if (madvise(slot_addr(w, s) + (size_t)p * PAGE, (size_t)n * PAGE, adv) != 0) {
		if (!(adv == MADV_FREE && errno == EINVAL))  /* FREE: private anon only */
			fail(w, "madvise %d on slot %d (kind %d, %d pages, prot %d, "
			     "locked %d) pages %d+%d: %s", adv, s, r->kind, r->npages,
			     r->prot, r->locked, p, n, strerror(errno));
		return;
	}
	if (r->kind != K_PRIV && r->kind != K_FILE_PRIV)
		return;         /* shared: the data stays */
	for (int i = p; i < p + n; i++) {
		if (adv == MADV_DONTNEED) {
			/* Private file: back to the file's page, whose
			 * generation we no longer keep: unknown until the
			 * next write. */
			if (r->kind == K_PRIV)
				r->pg[i].gen = 0, r->pg[i].maybe_zero = 0;
			else
				r->pg[i].maybe_zero = 2;
		} else if (adv == MADV_FREE) {
			r->pg[i].maybe_zero = r->kind == K_PRIV ? 1 : 2;
		}
	}
}

static void
own_lock(struct worker *w, int s)
{
	struct region *r = &w->r[s];
	size_t len = (size_t)r->npages * PAGE;

	if (r->locked) {
		if (munlock(slot_addr(w, s), len) != 0)
			fail(w, "munlock: %s", strerror(errno));
		r->locked = 0;
	} else {
		/* Even a failed mlock may leave the range locked (Linux: a
		 * PROT_NONE range is locked, then not populated: ENOMEM;
		 * uvmkern says EACCES and locks nothing). */
		r->locked = 1;
		if (mlock(slot_addr(w, s), len) != 0 && errno != ENOMEM &&
		    errno != EAGAIN && errno != EPERM && errno != EACCES)
			fail(w, "mlock: %s", strerror(errno));
	}
}

/* Grow a private anonymous region in place, or move any region to a free
 * slot of this thread's arena. */
static void
own_remap(struct worker *w, int s)
{
	struct region *r = &w->r[s];
	int to = rndn(w, OWNED);

	if (r->kind == K_PRIV && r->npages < MAXPG && rndn(w, 2)) {
		int n = r->npages + 1 + rndn(w, MAXPG - r->npages);
		if (mremap(slot_addr(w, s), (size_t)r->npages * PAGE,
			   (size_t)n * PAGE, 0) == MAP_FAILED) {
			if (errno != ENOMEM && errno != EAGAIN)
				fail(w, "mremap grow: %s", strerror(errno));
			return;
		}
		for (int p = r->npages; p < n; p++)
			r->pg[p].gen = 0, r->pg[p].maybe_zero = 0;
		r->npages = n;
		return;
	}
	if (to == s || w->r[to].mapped || r->kind >= K_FILE_SHARED ||
	    !(r->prot & PROT_WRITE))
		return;         /* the pattern names the slot: rewritten after */
	/* The pattern names the slot too: check, move, rewrite. */
	check_region(w, s);
	if (mremap(slot_addr(w, s), (size_t)r->npages * PAGE, (size_t)r->npages * PAGE,
		   MREMAP_MAYMOVE | MREMAP_FIXED, slot_addr(w, to)) == MAP_FAILED) {
		/* EBUSY: uvmkern does not move locked memory (Linux does). */
		if (errno != ENOMEM && errno != EAGAIN && errno != EBUSY)
			fail(w, "mremap move: %s", strerror(errno));
		return;
	}
	w->r[to] = *r;
	r->mapped = 0;
	r->locked = 0;
	for (int p = 0; p < w->r[to].npages; p++)
		write_page(w, to, p);
}

/* Fork: the child checks one page of this region and exits. */
static void
own_fork(struct worker *w, int s)
{
	struct region *r = &w->r[s];
	int p = rndn(w, r->npages), st;
	pid_t pid = fork();

	if (pid == 0) {
		/* Only async-signal-safe work: no stdio, no locks. */
		S.failed = 0;
		_exit(check_page(w, s, p) == 0 ? 0 : 3);
	}
	if (pid < 0) {
		if (errno != EAGAIN && errno != ENOMEM)
			fail(w, "fork: %s", strerror(errno));
		return;
	}
	w->forks++;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail(w, "fork child checking thread %d slot %d page %d: status %#x",
		     w->id, s, p, st);
}

static void
own_sync(struct worker *w, int s)
{
	struct region *r = &w->r[s];

	if (msync(slot_addr(w, s), (size_t)r->npages * PAGE,
		  rndn(w, 2) ? MS_SYNC : MS_ASYNC) != 0)
		fail(w, "msync: %s", strerror(errno));
}

/* One random operation on an owned slot. */
static void
own_op(struct worker *w)
{
	int s = rndn(w, OWNED);
	struct region *r = &w->r[s];
	int op = rndn(w, 16);

	if (!r->mapped) {
		own_map(w, s);
		return;
	}
	/* Pages whose private-file state is unknown get a known one first. */
	for (int p = 0; p < r->npages; p++)
		if (r->pg[p].maybe_zero == 2 && (r->prot & PROT_WRITE))
			write_page(w, s, p);
	int known = 1;
	for (int p = 0; p < r->npages; p++)
		known &= r->pg[p].maybe_zero != 2;
	switch (op) {
	case 0: own_unmap(w, s); break;
	case 1: case 2: own_protect(w, s); break;
	case 3: own_advise(w, s); break;
	case 4: own_lock(w, s); break;
	case 5: if (known) own_remap(w, s); break;
	case 6: if (known && readable(r)) own_fork(w, s); break;
	case 7: own_sync(w, s); break;
	case 8: if (!readable(r)) own_probe_none(w, s); break;
	default:
		if (r->prot & PROT_WRITE)
			write_page(w, s, rndn(w, r->npages));
		if (known)
			check_region(w, s);
		break;
	}
}

/* ---- the shared arena: racing ---- */

static char *
sh_addr(struct worker *w, int *npages)
{
	int s = rndn(w, SHSLOTS), p = rndn(w, SLOTPG);
	int max = SHSLOTS * SLOTPG - (s * SLOTPG + p);

	*npages = 1 + rndn(w, MIN(max, SLOTPG));
	return S.shared + ((size_t)s * SLOTPG + (size_t)p) * PAGE;
}

/* Touch each page of [a, a + n pages): write racing words or read. */
static void
race_touch(struct worker *w, char *a, int n, int write)
{
	for (int p = 0; p < n; p++) {
		uint64_t *q = (uint64_t *)(a + (size_t)p * PAGE);
		uint32_t tag = (uint32_t)rnd(w);
		for (int i = 0; i < (int)WORDS; i += 1 + rndn(w, 64)) {
			if (write)
				q[i] = race_word(tag + (uint32_t)i);
			else
				(void)*(volatile uint64_t *)&q[i];
		}
	}
}

/*
 * Fork while siblings write racing words into the private area S.cow:
 * the child's copy is a snapshot, so each word is a whole racing word
 * (or 0), and a second look a little later finds the same words - no
 * write the parent's threads make after the fork reaches the child.
 */
static void
race_fork(struct worker *w)
{
	static __thread uint64_t snap[COWPG * WORDS];
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		const volatile uint64_t *q = (const volatile uint64_t *)S.cow;
		for (int i = 0; i < (int)(COWPG * WORDS); i++)
			if (!race_word_ok(snap[i] = q[i]))
				_exit(3);
		usleep(2000);
		for (int i = 0; i < (int)(COWPG * WORDS); i++)
			if (q[i] != snap[i])
				_exit(4);
		_exit(0);
	}
	if (pid < 0) {
		if (errno != EAGAIN && errno != ENOMEM)
			fail(w, "fork: %s", strerror(errno));
		return;
	}
	w->forks++;
	if (waitpid(pid, &st, 0) != pid)
		fail(w, "waitpid: %s", strerror(errno));
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail(w, "fork while writing: the child %s (3: a torn word, "
		     "4: the parent's later write seen)", ut_status_str(st));
}

static void
race_map(struct worker *w, char *a, int n)
{
	int flags = MAP_FIXED | (rndn(w, 3) ? MAP_PRIVATE : MAP_SHARED);
	int fd = -1;

	if (rndn(w, 3) == 0 && S.racefd >= 0)
		fd = S.racefd;
	else
		flags |= MAP_ANONYMOUS;
	if (mmap(a, (size_t)n * PAGE, RW, flags, fd,
		 fd >= 0 ? file_off(rndn(w, OWNED)) : 0) == MAP_FAILED &&
	    errno != ENOMEM)
		fail(w, "racing mmap: %s", strerror(errno));
}

/* Move or resize what is at a within the shared arena; errors expected. */
static void
race_remap(struct worker *w, char *a, int n)
{
	int m;
	char *to = sh_addr(w, &m);

	if (rndn(w, 2))
		(void)mremap(a, (size_t)n * PAGE, (size_t)m * PAGE,
			     MREMAP_MAYMOVE | MREMAP_FIXED, to);
	else
		(void)mremap(a, (size_t)n * PAGE, (size_t)MIN(m, n) * PAGE, 0);
}

static void
race_op(struct worker *w)
{
	static const int prots[] = { PROT_NONE, PROT_READ, RW, RW };
	static const int advs[] = { MADV_DONTNEED, MADV_FREE, MADV_WILLNEED };
	int n;
	char *a = sh_addr(w, &n);
	size_t len = (size_t)n * PAGE;
	sigjmp_buf jb;
	volatile int sig;

	if ((sig = sigsetjmp(jb, 1)) != 0) {
		w->faults++;
		if (sig != SIGSEGV && sig != SIGBUS)
			fail(w, "racing access: signal %d", sig);
		return;
	}
	switch (rndn(w, 14)) {
	case 0: race_map(w, a, n); break;
	case 1: (void)munmap(a, len); break;
	case 2: (void)mprotect(a, len, prots[rndn(w, 4)]); break;
	case 3: race_remap(w, a, n); break;
	case 4: (void)madvise(a, len, advs[rndn(w, 3)]); break;
	case 5: (void)mlock(a, len); break;
	case 6: (void)munlock(a, len); break;
	case 7: (void)msync(a, len, MS_ASYNC); break;
	case 8: race_fork(w); break;
	case 9: case 10:
		fault_jb = &jb;
		race_touch(w, a, n, 0);
		fault_jb = NULL;
		break;
	case 11:
		race_touch(w, S.cow, COWPG, 1);
		break;
	default:
		fault_jb = &jb;
		race_touch(w, a, n, 1);
		fault_jb = NULL;
		break;
	}
}

/* ---- brk: one thread at a time grows, writes, checks, shrinks ---- */

static void
brk_op(struct worker *w)
{
	pthread_mutex_lock(&S.brk_lock);
	char *cur = (char *)syscall(SYS_brk, 0);
	int n = 1 + rndn(w, 8);
	char *want = cur + (size_t)n * PAGE;

	if ((char *)syscall(SYS_brk, want) == want) {
		/* The pages between the page-rounded old and new break. */
		uint64_t *q = (uint64_t *)(((uintptr_t)cur + PAGE - 1) & ~(PAGE - 1));
		uint64_t *end = (uint64_t *)((uintptr_t)want & ~(PAGE - 1));
		uint32_t gen = ++w->gen;
		for (uint64_t *x = q; x < end; x++)
			*x = pattern(w->id, 99, 0, gen, (int)(x - q));
		for (uint64_t *x = q; x < end && !S.failed; x++)
			if (*x != pattern(w->id, 99, 0, gen, (int)(x - q)))
				fail(w, "brk word %ld changed", (long)(x - q));
		syscall(SYS_brk, cur);
	}
	pthread_mutex_unlock(&S.brk_lock);
}

/* ---- pressure: page-sized writes and checks over a big region ---- */

static void
press_op(struct worker *w)
{
	if (w->presspg == 0)
		return;
	for (int k = 0; k < 8; k++) {
		size_t p = (size_t)rnd(w) % w->presspg;
		uint64_t *q = (uint64_t *)(w->press + p * PAGE);
		uint32_t gen = w->pressgen[p];
		for (int i = 0; i < (int)WORDS; i += 61)
			if (q[i] != (gen ? pattern(w->id, 98, (int)p, gen, i) : 0)) {
				fail(w, "pressure page %zu word %d: %#llx (gen %u)",
				     p, i, (unsigned long long)q[i], gen);
				return;
			}
		gen = ++w->gen ? w->gen : ++w->gen;
		for (int i = 0; i < (int)WORDS; i += 61)
			q[i] = pattern(w->id, 98, (int)p, gen, i);
		w->pressgen[p] = gen;
	}
}

/* ---- threads ---- */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	/* Wait until every thread has its stack: a stack mapped after the
	 * racing began could land in a hole of the shared arena. */
	while (!atomic_load(&S.go) && !atomic_load(&S.stop))
		sched_yield();
	if (!atomic_load(&S.go))
		return NULL;
	/* The fences stay PROT_NONE mappings; the slots start empty.  Only
	 * now: a hole made during the setup could be filled by the next
	 * thread's mappings. */
	for (int s = 0; s < OWNED; s++)
		munmap(slot_addr(w, s), (size_t)SLOTPG * PAGE);
	/* Touch all of the pressure region once: more than the memory, so
	 * the page daemon is at work from the first seconds on. */
	for (size_t p = 0; p < w->presspg && !atomic_load(&S.stop); p++) {
		uint32_t gen = ++w->gen ? w->gen : ++w->gen;
		uint64_t *q = (uint64_t *)(w->press + p * PAGE);
		for (int i = 0; i < (int)WORDS; i += 61)
			q[i] = pattern(w->id, 98, (int)p, gen, i);
		w->pressgen[p] = gen;
	}
	while (!atomic_load(&S.stop)) {
		int what = rndn(w, 100);
		if (what < 45)
			own_op(w);
		else if (what < 90)
			race_op(w);
		else if (what < 92)
			brk_op(w);
		else
			press_op(w);
		w->ops++;
	}
	/* Last look at everything owned, then leave nothing locked. */
	for (int s = 0; s < OWNED; s++) {
		if (!S.failed && w->r[s].mapped)
			check_region(w, s);
		if (w->r[s].mapped)
			munmap(slot_addr(w, s), (size_t)SLOTPG * PAGE);
	}
	return NULL;
}

static int
worker_setup(struct worker *w, int id)
{
	size_t arena = (size_t)OWNED * (SLOTPG + 1) * PAGE + PAGE;
	char path[96];

	pthread_t th = w->th;

	memset(w, 0, sizeof(*w));
	w->th = th;
	w->id = id;
	w->rng = (S.seed + 1) * 0x9e3779b97f4a7c15ULL + (uint64_t)id * 0xbf58476d1ce4e5b9ULL;
	if (w->rng == 0)
		w->rng = 1;
	w->arena = mmap(NULL, arena, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->arena == MAP_FAILED)
		return -1;
	snprintf(path, sizeof(path), "%s/vmstress.%d.%d", S.dir, (int)getpid(), id);
	w->fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (w->fd >= 0) {
		unlink(path);
		if (ftruncate(w->fd, (off_t)OWNED * SLOTPG * PAGE) != 0) {
			close(w->fd);
			w->fd = -1;
		}
	}
	if (S.pressure_mib > 0) {
		w->presspg = (size_t)S.pressure_mib * 256 / (size_t)S.threads;
		w->press = mmap(NULL, w->presspg * PAGE, RW, ANON, -1, 0);
		/* Not malloc: nothing of the program's may land where the
		 * threads race (an arena hole). */
		w->pressgen = mmap(NULL, w->presspg * sizeof(uint32_t), RW, ANON, -1, 0);
		if (w->press == MAP_FAILED || w->pressgen == MAP_FAILED)
			return -1;
	}
	return 0;
}

static void
worker_teardown(struct worker *w)
{
	munmap(w->arena, (size_t)OWNED * (SLOTPG + 1) * PAGE + PAGE);
	if (w->fd >= 0)
		close(w->fd);
	if (w->presspg) {
		munmap(w->press, w->presspg * PAGE);
		munmap(w->pressgen, w->presspg * sizeof(uint32_t));
	}
}

/* Set everything up and start the threads: 0, or -1 with msg. */
static int
stress_start(uint64_t seed, int threads, long pressure_mib, char *msg, size_t msglen)
{
	struct sigaction sa;
	char path[96];

	memset(&S, 0, sizeof(S));
	S.seed = seed;
	S.threads = MAX(1, MIN(threads, MAXTHREADS));
	S.pressure_mib = pressure_mib;
	pthread_mutex_init(&S.brk_lock, NULL);
	snprintf(S.dir, sizeof(S.dir), "%s", access("/tmp", W_OK) == 0 ? "/tmp" : ".");
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_NODEFER | SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	snprintf(path, sizeof(path), "%s/vmstress.%d.race", S.dir, (int)getpid());
	S.racefd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (S.racefd >= 0) {
		unlink(path);
		if (ftruncate(S.racefd, (off_t)OWNED * SLOTPG * PAGE) != 0)
			close(S.racefd), S.racefd = -1;
	}
	S.shared = mmap(NULL, (size_t)SHSLOTS * SLOTPG * PAGE, RW, ANON, -1, 0);
	S.cow = mmap(NULL, COWPG * PAGE, RW, ANON, -1, 0);
	if (S.shared == MAP_FAILED || S.cow == MAP_FAILED) {
		snprintf(msg, msglen, "setup: %s", strerror(errno));
		return -1;
	}
	/* Threads first (their stacks are mappings the kernel places), then
	 * the arenas, whose holes nothing may fill but the test's own
	 * MAP_FIXED mappings. */
	for (int i = 0; i < S.threads; i++)
		if (pthread_create(&S.w[i].th, NULL, worker_main, &S.w[i]) != 0) {
			atomic_store(&S.stop, 1);
			for (int j = 0; j < i; j++)
				pthread_join(S.w[j].th, NULL);
			snprintf(msg, msglen, "pthread_create failed");
			return -1;
		}
	for (int i = 0; i < S.threads; i++)
		if (worker_setup(&S.w[i], i) != 0) {
			snprintf(msg, msglen, "setup: %s", strerror(errno));
			atomic_store(&S.stop, 1);
			for (int j = 0; j < S.threads; j++)
				pthread_join(S.w[j].th, NULL);
			return -1;
		}
	atomic_store(&S.go, 1);
	return 0;
}

/*
 * One run of the given seconds: returns 0 if every check held, else -1
 * with the first failure in msg; the summary line in sum.
 */
static int
stress_run(uint64_t seed, int threads, double seconds, long pressure_mib,
    char *msg, size_t msglen, char *sum, size_t sumlen)
{
	uint64_t ops = 0, faults = 0, forks = 0;
	int rc = 0;
	double t0 = now();

	if (stress_start(seed, threads, pressure_mib, msg, msglen) != 0)
		return -1;
	while (!atomic_load(&S.stop) && now() - t0 < seconds)
		usleep(20000);
	atomic_store(&S.stop, 1);
	for (int i = 0; i < S.threads; i++)
		pthread_join(S.w[i].th, NULL);
	double t = now() - t0;
	long swap_kb = ut_meminfo_kb("SwapTotal") - ut_meminfo_kb("SwapFree");
	for (int i = 0; i < S.threads; i++) {
		ops += S.w[i].ops;
		faults += S.w[i].faults;
		forks += S.w[i].forks;
		if (S.w[i].err[0] != '\0' && rc == 0) {
			snprintf(msg, msglen, "%s", S.w[i].err);
			rc = -1;
		}
		worker_teardown(&S.w[i]);
	}
	munmap(S.shared, (size_t)SHSLOTS * SLOTPG * PAGE);
	munmap(S.cow, COWPG * PAGE);
	if (S.racefd >= 0)
		close(S.racefd);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	snprintf(sum, sumlen, "vmstress: seed %llu, %d threads, pressure %ld MiB: "
		 "%llu ops (%.0f ops/s), %llu faults caught, %llu forks, %.1f s, "
		 "%ld MiB in swap at the end",
		 (unsigned long long)seed, S.threads, pressure_mib,
		 (unsigned long long)ops, (double)ops / t, (unsigned long long)faults,
		 (unsigned long long)forks, t, swap_kb / 1024);
	return rc;
}

/*
 * exit_group while the threads are mid-operation (mid-fault, mid-mlock,
 * mid-fork): a child starts them, lets them run, and exits from its main
 * thread.  The kernel must stop every thread and free the address space
 * with nothing left wired or busy (make test's leak check after the
 * suite counts the pages).  Returns 0 if the child exited 0.
 */
static int
exit_round(uint64_t seed, int threads, int ms, char *msg, size_t msglen)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		char m[256];
		if (stress_start(seed, threads, 0, m, sizeof(m)) != 0)
			_exit(2);
		usleep((useconds_t)ms * 1000);
		_exit(S.failed ? 3 : 0);        /* exit_group: threads still run */
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		snprintf(msg, msglen, "fork/waitpid: %s", strerror(errno));
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	snprintf(msg, msglen, "exit round of seed %llu: child %s",
		 (unsigned long long)seed, ut_status_str(st));
	return -1;
}

/* ---- the utests: short runs of fixed seeds ---- */

static void
utest_run(uint64_t seed, int threads, double seconds)
{
	char msg[256] = "", sum[256] = "";
	int rc = stress_run(seed, threads, seconds, 0, msg, sizeof(msg), sum, sizeof(sum));

	ut_note("%s", sum);
	if (rc != 0)
		ut_fail(__FILE__, __LINE__, "%s", msg);
}

UTEST(short_run_of_seed_1_with_four_threads)
{
	utest_run(1, 4, 3.0);
}

UTEST(short_run_of_seed_2_with_eight_threads)
{
	utest_run(2, 8, 2.0);
}

UTEST(exit_group_while_threads_run)
{
	char msg[256] = "";

	for (int i = 0; i < 4; i++)
		if (exit_round(10 + (uint64_t)i, 4, 50 + 50 * i, msg, sizeof(msg)) != 0)
			ut_fail(__FILE__, __LINE__, "%s", msg);
	/* A thread's fork child may outlive the exit: it ends within 2 ms
	 * (race_fork); let it, so the runner finds no process left. */
	usleep(50000);
}

/*
 * What the stress found in the calls themselves, one thread enough.
 * mremap growing locked memory in place: the new pages are locked too
 * (uvmkern mapped them unlocked beside the locked entry) - so madvise
 * DONTNEED there is EINVAL, as on the rest.
 */
UTEST(mremap_growth_of_locked_memory_is_locked)
{
	char *p = ut_map(4, RW);

	UT_SYS(munmap(p + 2 * PAGE, 2 * PAGE));
	if (mlock(p, 2 * PAGE) != 0)
		UT_SKIP("mlock not allowed here");
	UT_ASSERT(mremap(p, 2 * PAGE, 4 * PAGE, 0) == p);
	UT_ERR(madvise(p + 3 * PAGE, PAGE, MADV_DONTNEED), EINVAL);
	UT_SYS(munlock(p, 4 * PAGE));
	UT_SYS(madvise(p + 3 * PAGE, PAGE, MADV_DONTNEED));
	ut_unmap(p, 4);
}

/* munlock of a range only partly locked unlocks the locked part (uvmkern
 * unlocked nothing: every entry had to be locked). */
UTEST(munlock_of_a_partly_locked_range_unlocks_the_locked_part)
{
	char *p = ut_map(4, RW);

	if (mlock(p + PAGE, PAGE) != 0)
		UT_SKIP("mlock not allowed here");
	UT_ERR(madvise(p + PAGE, PAGE, MADV_DONTNEED), EINVAL);
	UT_SYS(munlock(p, 4 * PAGE));
	UT_SYS(madvise(p, 4 * PAGE, MADV_DONTNEED));
	ut_unmap(p, 4);
}

/* Four threads growing and shrinking the break at once. */
static void *
brk_hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3000; i++) {
		char *cur = (char *)syscall(SYS_brk, 0);
		syscall(SYS_brk, cur + (size_t)(1 + i % 4) * PAGE);
		syscall(SYS_brk, cur);
	}
	return NULL;
}

/*
 * brk from several threads at once: whatever break wins, the pages below
 * it are mapped, none above it is, and the break can grow again.  (The
 * break was read, the map changed and the break stored with nothing held
 * across: a shrink and a growth interleaving left pages mapped above the
 * break, where every later growth failed.  Found by reading sys_brk; the
 * race needs a preemption at one place inside brk, which this test does
 * not force: it guards the rule, it did not catch the bug.)
 */
UTEST(brk_from_many_threads_stays_consistent)
{
	pthread_t th[4];
	unsigned char vec[1];
	char *start = (char *)syscall(SYS_brk, 0);

	for (int i = 0; i < 4; i++)
		UT_EQ(pthread_create(&th[i], NULL, brk_hammer, NULL), 0);
	for (int i = 0; i < 4; i++)
		UT_EQ(pthread_join(th[i], NULL), 0);
	char *end = (char *)syscall(SYS_brk, 0);
	char *top = (char *)(((uintptr_t)end + PAGE - 1) & ~(PAGE - 1));
	char *low = (char *)(((uintptr_t)start + PAGE - 1) & ~(PAGE - 1));
	for (char *q = low; q < top; q += PAGE)
		UT_SYS(mincore(q, PAGE, vec));
	for (int i = 0; i < 32; i++)
		UT_ERR(mincore(top + (size_t)i * PAGE, PAGE, vec), ENOMEM);
	UT_ASSERT((char *)syscall(SYS_brk, top + 16 * PAGE) == top + 16 * PAGE);
	top[16 * PAGE - 1] = 1;
	syscall(SYS_brk, start);
}

int
main(int argc, char **argv)
{
	uint64_t seed = 1;
	int threads = 4, standalone = 0, rc;
	double seconds = 10;
	long pressure = 0;
	char msg[256] = "", sum[256] = "";

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--seed") == 0)
			seed = strtoull(argv[i + 1], NULL, 0), standalone = 1;
		else if (strcmp(argv[i], "--threads") == 0)
			threads = atoi(argv[i + 1]), standalone = 1;
		else if (strcmp(argv[i], "--seconds") == 0)
			seconds = atof(argv[i + 1]), standalone = 1;
		else if (strcmp(argv[i], "--pressure") == 0)
			pressure = atol(argv[i + 1]), standalone = 1;
	}
	if (!standalone)
		return utest_main(argc, argv);
	rc = stress_run(seed, threads, seconds, pressure, msg, sizeof(msg), sum, sizeof(sum));
	printf("%s\n", sum);
	for (int i = 0; rc == 0 && i < 4; i++)
		rc = exit_round(seed + 1000 + (uint64_t)i, threads, 100 + 100 * i, msg, sizeof(msg));
	printf("vmstress: %s%s\n", rc == 0 ? "ok" : "FAILED: ", rc == 0 ? "" : msg);
	return rc == 0 ? 0 : 1;
}
