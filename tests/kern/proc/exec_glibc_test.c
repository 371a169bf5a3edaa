/*
 * tests/kern/proc/exec_glibc_test.c - Debian's glibc programs run
 * unmodified (issue 19, items 3 and 4).  make builds one hello with
 * Debian's gcc twice (tests/user/glibc/ghello.c) and puts ld.so and
 * libc.so.6 from Debian's libc6 package in the initrd:
 *
 *   /bin/ghello-static                        -static: glibc's start-up
 *                                              needs the full auxv
 *   /bin/ghello-dyn                            PIE with PT_INTERP:
 *   /lib64/ld-linux-x86-64.so.2                 mapped at USER_INTERP_BASE,
 *   /lib/x86_64-linux-gnu/libc.so.6             mmapped by ld.so itself
 *
 *   stack at img.sp:  argc | argv.. 0 | envp.. 0 | auxv pairs .. AT_NULL
 *
 * The tests read the auxiliary vector back from the new image's stack,
 * check which object each start address is mapped from, then run the
 * programs: "x" makes hello exit with its argc (2), "check" makes it
 * look at its own auxv and (dynamic) at whether libc's text is a
 * mapping of libc.so.6's object sharing the file's pages; it exits 0
 * if all is right.  A copy of ghello-dyn on the disk whose PT_INTERP
 * names a file that is not there fails the exec with -ENOENT.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/elf.h"
#include "kern/proc/exec.h"
#include "kern/proc/futex.h"
#include "kern/proc/proc.h"
#include "kern/vfs/vfs.h"
#include "tests/harness/disktest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_io.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"

#define GH_STATIC "/bin/ghello-static"
#define GH_DYN "/bin/ghello-dyn"
#define GH_LDSO "/lib64/ld-linux-x86-64.so.2"

#define GH_NAUX 32

static struct vnode *
gh_lookup(const char *path)
{
	struct vnode *vp = NULL;

	KT_EQ(namei(NULL, path, NAMEI_FOLLOW, &vp, NULL), 0);
	return vp;
}

/* The value of auxv entry type in aux (pairs up to AT_NULL), or -1. */
static uint64_t
gh_aux(const uint64_t *aux, uint64_t type)
{
	for (int i = 0; i < GH_NAUX && aux[2 * i] != AT_NULL; i++) {
		if (aux[2 * i] == type)
			return aux[2 * i + 1];
	}
	return (uint64_t)-1;
}

/* Read the new image's auxv (argv and envp have one entry each). */
static void
gh_read_auxv(struct vmtest *t, const struct exec_image *img, uint64_t *aux)
{
	uint64_t head[5];
	vaddr_t va = img->sp + sizeof(head);

	KT_EQ(uvm_io_read(t->map, img->sp, head, sizeof(head)), 0);
	KT_EQ(head[0], 1);                      /* argc */
	KT_EQ(head[2], 0);                      /* argv's NULL */
	KT_EQ(head[4], 0);                      /* envp's NULL */
	memset(aux, 0, GH_NAUX * 16);       /* the stack may end before */
	KT_EQ(uvm_io_read(t->map, va, aux, MIN(GH_NAUX * 16, USER_STACK_TOP - va)), 0);
}

/* The auxv entries every program gets, static or dynamic. */
static void
gh_check_common(struct vmtest *t, const struct exec_image *img,
    const uint64_t *aux, const char *path)
{
	char s[32];

	KT_EQ(gh_aux(aux, AT_PAGESZ), PAGE_SIZE);
	KT_EQ(gh_aux(aux, AT_PHDR), img->phdr);
	KT_EQ(gh_aux(aux, AT_PHENT), sizeof(struct elf64_phdr));
	KT_EQ(gh_aux(aux, AT_PHNUM), (uint64_t)img->phnum);
	KT_EQ(gh_aux(aux, AT_ENTRY), img->prog_entry);
	KT_EQ(gh_aux(aux, AT_BASE), img->interp_base);
	KT_EQ(gh_aux(aux, AT_SECURE), 0);
	KT_EQ(gh_aux(aux, AT_UID), 0);
	KT_EQ(gh_aux(aux, AT_CLKTCK), 100);
	KT_ASSERT(gh_aux(aux, AT_HWCAP) != 0 && gh_aux(aux, AT_HWCAP) != (uint64_t)-1);
	/* AT_RANDOM: 16 bytes on the stack, above the vector. */
	KT_ASSERT(gh_aux(aux, AT_RANDOM) > img->sp);
	KT_ASSERT(gh_aux(aux, AT_RANDOM) + 16 <= USER_STACK_TOP);
	KT_EQ(uvm_io_read(t->map, gh_aux(aux, AT_PLATFORM), s, 7), 0);
	KT_STREQ(s, "x86_64");
	KT_EQ(uvm_io_read(t->map, gh_aux(aux, AT_EXECFN), s, strlen(path) + 1), 0);
	KT_STREQ(s, path);
}

/* Run path with arg; returns its wait status. */
static int
gh_run(const char *path, const char *arg)
{
	char *argv[] = { (char *)path, (char *)arg, NULL };
	char *envp[] = { "PATH=/bin", NULL };
	int status = -1;

	KT_EQ(proc_run(path, argv, envp, &status), 0);
	return status;
}

KTEST(execglibc, static_glibc_hello_gets_a_full_auxv_and_runs)
{
	char *argv[] = { GH_STATIC, NULL }, *envp[] = { "PATH=/bin", NULL };
	struct vnode *vp = gh_lookup(GH_STATIC);
	uint64_t aux[2 * GH_NAUX];
	struct exec_image img;
	struct vmtest t;

	KT_EQ(exec_check(vp), 0);
	vmtest_begin(&t);
	KT_EQ(exec_load(t.vm, vp, GH_STATIC, argv, envp, &img), 0);
	KT_EQ(img.interp_base, 0);              /* no PT_INTERP */
	KT_EQ(img.entry, img.prog_entry);
	KT_EQ(vmtest_entry(&t, img.entry)->object, (uint64_t)vp->v_obj);
	gh_read_auxv(&t, &img, aux);
	gh_check_common(&t, &img, aux, GH_STATIC);
	vmtest_end(&t);
	vrele(vp);
	/* glibc's start-up (TLS, stack protector canary from AT_RANDOM,
	 * IRELATIVE relocations from AT_HWCAP/cpuid) runs to main. */
	KT_EQ(gh_run(GH_STATIC, "x"), W_EXITCODE(2));
	KT_EQ(gh_run(GH_STATIC, "check"), W_EXITCODE(0));
}

KTEST(execglibc, dynamic_glibc_hello_starts_in_ld_so_and_maps_libc_from_its_object)
{
	char *argv[] = { GH_DYN, NULL }, *envp[] = { "PATH=/bin", NULL };
	struct vnode *vp = gh_lookup(GH_DYN), *ldso = gh_lookup(GH_LDSO);
	uint64_t aux[2 * GH_NAUX];
	struct exec_image img;
	struct vmtest t;

	KT_EQ(exec_check(vp), 0);
	vmtest_begin(&t);
	KT_EQ(exec_load(t.vm, vp, GH_DYN, argv, envp, &img), 0);
	/* The program at the PIE base, ld.so at its own; rip is ld.so's. */
	KT_EQ(img.load_bias, USER_PIE_BASE);
	KT_EQ(img.interp_base, USER_INTERP_BASE);
	KT_ASSERT(img.entry != img.prog_entry);
	KT_EQ(vmtest_entry(&t, img.entry)->object, (uint64_t)ldso->v_obj);
	KT_EQ(vmtest_entry(&t, img.prog_entry)->object, (uint64_t)vp->v_obj);
	KT_EQ(vmtest_entry(&t, img.phdr)->object, (uint64_t)vp->v_obj);
	KT_ASSERT(vmtest_entry(&t, img.entry)->etype & UVM_ET_COPYONWRITE);
	gh_read_auxv(&t, &img, aux);
	gh_check_common(&t, &img, aux, GH_DYN);
	vmtest_end(&t);
	vrele(vp);
	vrele(ldso);
	/* ld.so opens libc.so.6, maps it (MAP_PRIVATE, MAP_FIXED overlays,
	 * mprotect of RELRO) and jumps to the program; "check" asserts
	 * from inside that puts is on a page of libc.so.6's object, the
	 * same physical page a fresh mmap of the file gets. */
	KT_EQ(gh_run(GH_DYN, "x"), W_EXITCODE(2));
	KT_EQ(gh_run(GH_DYN, "check"), W_EXITCODE(0));
}

/* ---- a program whose interpreter is not there ---- */

#define GH_NOINT "ghello-noint"

static struct vnode *gh_noint_vp;       /* held while the test runs */
static char gh_noint_tag[] = GH_NOINT;  /* the cleanup's arg */

/* Drop the held vnode and remove /mnt/GH_NOINT if it is there. */
static void
gh_noint_remove(void *arg)
{
	(void)arg;
	disktest_remove(GH_NOINT, &gh_noint_vp);
}

/* In buf, rename the interpreter "/lib64/ld-linux-x86-64.so.2" to a
 * name of the same length that does not exist. */
static void
gh_patch_interp(char *buf, size_t size)
{
	static const char name[] = GH_LDSO;

	for (size_t i = 0; i + sizeof(name) <= size; i++) {
		if (memcmp(buf + i, name, sizeof(name)) == 0) {
			memcpy(buf + i, "/lib64/ld-nowhere-x86-64.so", sizeof(name));
			return;
		}
	}
	KT_ASSERT(!"ghello-dyn names no " GH_LDSO);
}

/* /mnt/GH_NOINT: ghello-dyn with its PT_INTERP renamed, mode 0755. */
static struct vnode *
gh_make_noint(void)
{
	struct vnode *src = gh_lookup(GH_DYN), *dvp = gh_lookup("/mnt"), *vp = NULL;
	struct vattr va;
	char *buf;
	int error;

	KT_EQ(src->v_ops->vop_getattr(src, &va), 0);
	buf = kmem_alloc(va.va_size, 0);
	KT_ASSERT(buf != NULL);
	/* vop_read copies from the initrd's archive, not through v_obj. */
	struct uio uio = { (uint64_t)(uintptr_t)buf, va.va_size, 0, true };
	KT_EQ(src->v_ops->vop_read(src, &uio), (int64_t)va.va_size);
	vrele(src);
	gh_patch_interp(buf, va.va_size);
	mutex_enter(&dvp->v_lock);
	error = dvp->v_ops->vop_create(dvp, GH_NOINT, strlen(GH_NOINT), 0755, &vp);
	mutex_exit(&dvp->v_lock);
	vrele(dvp);
	if (error == 0) {
		gh_noint_vp = vp;
		ktest_cleanup_push(gh_noint_remove, gh_noint_tag);
		va.va_mask = VA_SIZE;
		mutex_enter(&vp->v_lock);
		error = vp->v_ops->vop_setattr(vp, &va);
		mutex_exit(&vp->v_lock);
	}
	if (error == 0)
		error = uvm_obj_rdwr(vp->v_obj, 0, buf, va.va_size, true);
	kmem_free(buf, va.va_size);
	KT_EQ(error, 0);
	return vp;
}

KTEST(execglibc, a_missing_interpreter_is_enoent_and_the_process_is_untouched)
{
	char *argv[] = { "/mnt/" GH_NOINT, NULL }, *envp[] = { NULL };
	bool mounted = disktest_mount();
	struct vnode *vp = gh_make_noint();
	struct exec_image img;
	struct vmtest t;
	int status = -1;

	KT_EQ(exec_check(vp), 0);               /* the program itself is fine */
	vmtest_begin(&t);
	KT_EQ(exec_load(t.vm, vp, argv[0], argv, envp, &img), -ENOENT);
	vmtest_end(&t);                         /* the half-built image goes */
	KT_EQ(proc_run(argv[0], argv, envp, &status), -ENOENT);
	gh_noint_remove(NULL);
	ktest_cleanup_pop(gh_noint_tag);
	disktest_unmount(mounted);
}

#define GH_THREADS "/bin/gthreads-dyn"

/*
 * glibc's pthread_create (clone3, or clone when that is refused), its
 * mutexes and condition variables (futexes) and pthread_join (the tid
 * word the kernel clears at a thread's exit) work: the program checks
 * its own results and exits 0; the kernel saw one process start four
 * threads beside its first, and reaped all five.
 */
KTEST(execglibc, glibc_pthreads_create_lock_wait_and_join_four_threads)
{
	struct lwp_stats before = lwp_stats;
	uint64_t ids = proc_started();
	int nthreads = thread_count();

	KT_EQ(gh_run(GH_THREADS, NULL), W_EXITCODE(0));
	KT_EQ(lwp_stats.started - before.started, 5);   /* main + 4 */
	KT_EQ(lwp_stats.reaped - before.reaped, 5);
	KT_EQ(proc_started() - ids, 5);                 /* tids are from the pid sequence */
	KT_EQ(thread_count(), nthreads);
	KT_EQ(futex_waiters(), 0);
}
