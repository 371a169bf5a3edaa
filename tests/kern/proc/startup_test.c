/*
 * tests/kern/proc/startup_test.c - the programs `make bench` times as
 * process start-up (vmbench's start_* metrics, issue 19) start, run to
 * the end and exit with the status they mean:
 *
 *   /bin/ghello-static            glibc -static, exits with argc (1)
 *   /bin/ghello-dyn               through ld.so and libc.so.6, argc (1)
 *   busybox sh -c true            Debian's busybox-static (0); and
 *   busybox sh -c 'exit 7'        the status is the shell's own (7)
 *
 * The hellos are the initrd's, the files the bench's initrd has too;
 * busybox is the disk's (/mnt/bin/busybox, the ext2 image make builds
 * from Debian's packages), which the test boot's initrd does not carry.
 *
 * Each program runs twice, and the second (warm) run is measured: its
 * TSC cycles, its page faults from uvmexp (uvm/uvm_page.h) by case, the
 * pages it allocated, and the cycles uvm_fault spent in its last faults
 * (the fault trace, uvm/uvm_ftrace.h, keeps 64) - what one start-up
 * costs, printed for docs/performance.md, which explains the start_*
 * rows of `make bench` with them:
 *
 *   startup: /bin/ghello-static (warm): 3600000 cycles, 31 faults (the last
 *   64: ... cycles in uvm_fault): 55 object, 5 promote, 6 zero-fill, ...;
 *   ahead 83 mapped, ...; 93 pages allocated
 *
 * An initrd file's pages (uvm/uvm_memobj.c) stay resident when its last
 * mapping goes, as a page cache keeps a file's: the warm start maps them
 * and copies nothing out of the archive.  A test asserts that cache - the
 * pages there with no mapping, gone after vfs_flush_caches, copied again
 * by the start after it - and the mechanism a dynamic start-up rests on:
 * ld.so and libc are mapped from their files (object faults), and the
 * pages ld.so relocates are private copies of file
 * pages (promote faults: a write to a MAP_PRIVATE file page copies it
 * into an anon).
 */
#include "kern/core/ktest.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/vfs/vfs.h"
#include "tests/harness/disktest.h"
#include "uvm/uvm_ftrace.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"

#define SU_STATIC "/bin/ghello-static"
#define SU_DYN "/bin/ghello-dyn"
#define SU_LDSO "/lib64/ld-linux-x86-64.so.2"
#define SU_LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define SU_BUSYBOX "/mnt/bin/busybox"

/* The uvmexp counters one start-up moves (a snapshot, then a difference). */
struct su_faults {
	uint64_t faults, obj, promote, zerofill, anon, cow;
	uint64_t neighbor, zeroahead, cowahead, pages;
	uint64_t seq;                   /* the fault trace's, uvm/uvm_ftrace.h */
	uint64_t fault_cycles;          /* in uvm_fault, in the last traced ones */
	uint64_t traced;                /* how many faults that sum covers */
	uint64_t cycles;                /* the whole run, proc_run to proc_run */
};

static void
su_snap(struct su_faults *f)
{
	f->faults = uvmexp.faults;
	f->obj = uvmexp.flt_obj;
	f->promote = uvmexp.flt_promote;
	f->zerofill = uvmexp.flt_zerofill;
	f->anon = uvmexp.flt_anon;
	f->cow = uvmexp.flt_cow;
	f->neighbor = uvmexp.flt_neighbor;
	f->zeroahead = uvmexp.flt_zeroahead;
	f->cowahead = uvmexp.flt_cowahead;
	f->pages = uvmexp.pga_alloc;
	f->seq = uvm_ftrace.seq;
	f->cycles = __builtin_ia32_rdtsc();
}

/*
 * The TSC cycles uvm_fault spent in the faults after seq0, from the
 * fault trace's ring, which keeps the last FTRACE_N: *n gets how many
 * of them the sum covers.
 */
static uint64_t
su_fault_cycles(uint64_t seq0, uint64_t *n)
{
	uint64_t sum = 0, s = uvm_ftrace.seq;

	if (s - seq0 > FTRACE_N)
		seq0 = s - FTRACE_N;
	*n = s - seq0;
	for (; s > seq0; s--)
		sum += uvm_ftrace.rec[s % FTRACE_N].cycles;
	return sum;
}

/* d = now - f0, field by field. */
static void
su_since(const struct su_faults *f0, struct su_faults *d)
{
	struct su_faults now;

	su_snap(&now);
	d->cycles = now.cycles - f0->cycles;
	d->fault_cycles = su_fault_cycles(f0->seq, &d->traced);
	d->faults = now.faults - f0->faults;
	d->obj = now.obj - f0->obj;
	d->promote = now.promote - f0->promote;
	d->zerofill = now.zerofill - f0->zerofill;
	d->anon = now.anon - f0->anon;
	d->cow = now.cow - f0->cow;
	d->neighbor = now.neighbor - f0->neighbor;
	d->zeroahead = now.zeroahead - f0->zeroahead;
	d->cowahead = now.cowahead - f0->cowahead;
	d->pages = now.pages - f0->pages;
}

/*
 * Runs path with argv once, measured: it must exit with code.  *d gets
 * its faults, which are printed under path's name and what.
 */
static void
su_run_once(const char *path, char **argv, int code, const char *what,
    struct su_faults *d)
{
	char *envp[] = { "PATH=/bin", NULL };
	struct su_faults f0;
	int status = -1;

	su_snap(&f0);
	KT_EQ(proc_run(path, argv, envp, &status), 0);
	su_since(&f0, d);
	KT_EQ(status, W_EXITCODE(code));
	ktest_print("startup: %s%s%s (%s): %lu cycles, %lu faults (the last %lu: "
	    "%lu cycles in uvm_fault): %lu object, %lu promote, %lu zero-fill, "
	    "%lu anon, %lu cow; ahead %lu mapped, %lu zeroed, %lu copied; "
	    "%lu pages allocated\n", path, argv[1] ? " " : "",
	    argv[1] ? argv[2] : "", what, d->cycles, d->faults, d->traced,
	    d->fault_cycles, d->obj, d->promote, d->zerofill, d->anon, d->cow,
	    d->neighbor, d->zeroahead, d->cowahead, d->pages);
}

/* Runs path twice; *d gets the second (warm) run's faults. */
static void
su_run(const char *path, char **argv, int code, struct su_faults *d)
{
	char *envp[] = { "PATH=/bin", NULL };
	int status = -1;

	KT_EQ(proc_run(path, argv, envp, &status), 0);
	KT_EQ(status, W_EXITCODE(code));
	su_run_once(path, argv, code, "warm", d);
}

/* The resident pages of path's object, which nothing but its file holds. */
static size_t
su_cached_pages(const char *path)
{
	struct vnode *vp = NULL;
	size_t n;

	KT_EQ(namei(NULL, path, NAMEI_FOLLOW, &vp, NULL), 0);
	KT_EQ(vp->v_obj->uo_refs, 1);           /* no mapping left */
	n = vp->v_obj->uo_npages;
	vrele(vp);
	return n;
}

/*
 * After the warm run the files' pages are still resident although
 * nothing maps them (the initrd's cache, uvm/uvm_memobj.c); the cache
 * flush frees them, and a start after it copies them out of the archive
 * again: more pages allocated than the warm start, which copied none.
 */
static void
su_run_after_flush(const char *const *paths, int n, char **argv, int code,
    const struct su_faults *warm)
{
	struct su_faults d;

	for (int i = 0; i < n; i++)
		KT_ASSERT(su_cached_pages(paths[i]) > 0);
	vfs_flush_caches();
	for (int i = 0; i < n; i++)
		KT_EQ(su_cached_pages(paths[i]), 0);
	su_run_once(paths[0], argv, code, "after a cache flush", &d);
	KT_ASSERT(d.pages > warm->pages);       /* the file pages, copied */
	KT_ASSERT(d.obj > warm->obj);           /* found missing, filled */
	for (int i = 0; i < n; i++)
		KT_ASSERT(su_cached_pages(paths[i]) > 0);
}

KTEST(startup, a_static_glibc_hello_starts_and_exits_with_its_argc)
{
	char *argv[] = { "ghello-static", NULL };
	struct su_faults d;

	su_run(SU_STATIC, argv, 1, &d);
	KT_ASSERT(d.faults > 0);
}

KTEST(startup, a_dynamic_hello_maps_ld_so_and_libc_and_copies_what_it_relocates)
{
	char *argv[] = { "ghello-dyn", NULL };
	struct su_faults d;

	su_run(SU_DYN, argv, 1, &d);
	KT_ASSERT(d.obj > 0);           /* text of ld.so, libc, the program */
	KT_ASSERT(d.promote > 0);       /* GOT, .data, RELRO before mprotect */
}

KTEST(startup, the_initrd_files_pages_stay_cached_between_starts_until_flushed)
{
	static const char *const files[] = { SU_DYN, SU_LDSO, SU_LIBC };
	char *argv[] = { "ghello-dyn", NULL };
	struct su_faults d;

	su_run(SU_DYN, argv, 1, &d);
	su_run_after_flush(files, 3, argv, 1, &d);
}

KTEST(startup, busybox_sh_runs_a_command_and_exits_with_its_status)
{
	char *t[] = { "sh", "-c", "true", NULL };
	char *e[] = { "sh", "-c", "exit 7", NULL };
	bool mounted = disktest_mount();
	struct su_faults d;

	su_run(SU_BUSYBOX, t, 0, &d);
	KT_ASSERT(d.faults > 0);
	su_run(SU_BUSYBOX, e, 7, &d);
	disktest_unmount(mounted);
}
