/*
 * kern/sys/syscall.h - system calls: the Linux x86-64 ABI.
 *
 * A program puts the call number in rax and up to six arguments in rdi,
 * rsi, rdx, r10, r8, r9, executes `syscall`, and finds the result in rax:
 * a value, or -errno (-4095..-1) on failure.  Numbers and structures are
 * Linux's, so a static musl binary runs unchanged; a call the kernel
 * lacks returns -ENOSYS (logged once per number with log=syscalls).
 */
#ifndef KERN_SYSCALL_H
#define KERN_SYSCALL_H

#include "kern/lib/types.h"

struct trapframe;

/* The arguments of one call, as the ABI passes them. */
struct sysargs {
	uint64_t a[6];
	struct trapframe *tf;
};

typedef int64_t (*sysfn_t)(const struct sysargs *args);

/*
 * syscall_init - enable SSE for user code, and syscall/sysret (EFER.SCE,
 * STAR, LSTAR, FMASK).  => once, at boot.
 */
void syscall_init(void);

/*
 * syscall_handler - the C side of syscall_entry.
 *  => interrupts off on entry and on return.
 *  => returns 0 to leave by sysret, nonzero when the frame was rewritten
 *     (execve, sigreturn, a signal handler) and iretq must restore it.
 */
int syscall_handler(struct trapframe *tf);

/* The calls, grouped by file (kern/sys_*.c). */
int64_t sys_read(const struct sysargs *a);
int64_t sys_write(const struct sysargs *a);
int64_t sys_readv(const struct sysargs *a);
int64_t sys_writev(const struct sysargs *a);
int64_t sys_pread64(const struct sysargs *a);
int64_t sys_ioctl(const struct sysargs *a);
int64_t sys_open(const struct sysargs *a);
int64_t sys_openat(const struct sysargs *a);
int64_t sys_close(const struct sysargs *a);
int64_t sys_lseek(const struct sysargs *a);
int64_t sys_stat(const struct sysargs *a);
int64_t sys_fstat(const struct sysargs *a);
int64_t sys_newfstatat(const struct sysargs *a);
int64_t sys_pipe(const struct sysargs *a);
int64_t sys_pipe2(const struct sysargs *a);
int64_t sys_dup(const struct sysargs *a);
int64_t sys_dup2(const struct sysargs *a);
int64_t sys_dup3(const struct sysargs *a);
int64_t sys_fcntl(const struct sysargs *a);
int64_t sys_getdents64(const struct sysargs *a);
int64_t sys_access(const struct sysargs *a);
int64_t sys_faccessat(const struct sysargs *a);
int64_t sys_readlink(const struct sysargs *a);
int64_t sys_clock_gettime(const struct sysargs *a);
int64_t sys_clock_getres(const struct sysargs *a);
int64_t sys_gettimeofday(const struct sysargs *a);
int64_t sys_time(const struct sysargs *a);
int64_t sys_nanosleep(const struct sysargs *a);
int64_t sys_clock_nanosleep(const struct sysargs *a);
int64_t sys_sched_yield(const struct sysargs *a);
int64_t sys_getuid(const struct sysargs *a);
int64_t sys_getrandom(const struct sysargs *a);
int64_t sys_prlimit64(const struct sysargs *a);
int64_t sys_getrlimit(const struct sysargs *a);
int64_t sys_getrusage(const struct sysargs *a);
int64_t sys_sysinfo(const struct sysargs *a);
int64_t sys_getitimer(const struct sysargs *a);
int64_t sys_setitimer(const struct sysargs *a);
int64_t sys_alarm(const struct sysargs *a);
int64_t sys_exit(const struct sysargs *a);
int64_t sys_exit_group(const struct sysargs *a);
int64_t sys_getpid(const struct sysargs *a);
int64_t sys_gettid(const struct sysargs *a);
int64_t sys_set_tid_address(const struct sysargs *a);
int64_t sys_set_robust_list(const struct sysargs *a);
int64_t sys_get_robust_list(const struct sysargs *a);
int64_t sys_vfork(const struct sysargs *a);
int64_t sys_clone3(const struct sysargs *a);
int64_t sys_arch_prctl(const struct sysargs *a);
int64_t sys_uname(const struct sysargs *a);
int64_t sys_sethostname(const struct sysargs *a);
int64_t sys_setdomainname(const struct sysargs *a);
int64_t sys_brk(const struct sysargs *a);
int64_t sys_mmap(const struct sysargs *a);
int64_t sys_munmap(const struct sysargs *a);
int64_t sys_mprotect(const struct sysargs *a);
int64_t sys_rt_sigaction(const struct sysargs *a);
int64_t sys_rt_sigprocmask(const struct sysargs *a);
int64_t sys_rt_sigreturn(const struct sysargs *a);
int64_t sys_sigaltstack(const struct sysargs *a);
int64_t sys_kill(const struct sysargs *a);
int64_t sys_tkill(const struct sysargs *a);
int64_t sys_tgkill(const struct sysargs *a);
int64_t sys_rt_sigsuspend(const struct sysargs *a);
int64_t sys_pause(const struct sysargs *a);
int64_t sys_fork(const struct sysargs *a);
int64_t sys_clone(const struct sysargs *a);
int64_t sys_execve(const struct sysargs *a);
int64_t sys_wait4(const struct sysargs *a);
int64_t sys_getppid(const struct sysargs *a);
int64_t sys_setpgid(const struct sysargs *a);
int64_t sys_getpgid(const struct sysargs *a);
int64_t sys_getpgrp(const struct sysargs *a);
int64_t sys_setsid(const struct sysargs *a);
int64_t sys_getsid(const struct sysargs *a);
int64_t sys_capget(const struct sysargs *a);
int64_t sys_capset(const struct sysargs *a);
int64_t sys_prctl(const struct sysargs *a);
int64_t sys_sched_getaffinity(const struct sysargs *a);
int64_t sys_sched_setaffinity(const struct sysargs *a);
int64_t sys_getcpu(const struct sysargs *a);
int64_t sys_mlock(const struct sysargs *a);
int64_t sys_munlock(const struct sysargs *a);
int64_t sys_mlockall(const struct sysargs *a);
int64_t sys_munlockall(const struct sysargs *a);
int64_t sys_mincore(const struct sysargs *a);
int64_t sys_madvise(const struct sysargs *a);
int64_t sys_msync(const struct sysargs *a);
int64_t sys_mremap(const struct sysargs *a);
int64_t sys_minherit(const struct sysargs *a);
int64_t sys_vm_query(const struct sysargs *a);
int64_t sys_vm_query_obj(const struct sysargs *a);
int64_t sys_uvm_swapctl(const struct sysargs *a);
int64_t sys_swapon(const struct sysargs *a);
int64_t sys_swapoff(const struct sysargs *a);
int64_t sys_rt_sigpending(const struct sysargs *a);
int64_t sys_rt_sigtimedwait(const struct sysargs *a);
int64_t sys_restart_syscall(const struct sysargs *a);
int64_t sys_mlock2(const struct sysargs *a);
int64_t sys_reboot(const struct sysargs *a);
int64_t sys_sync(const struct sysargs *a);
int64_t sys_syncfs(const struct sysargs *a);
int64_t sys_fsync(const struct sysargs *a);
int64_t sys_ioperm(const struct sysargs *a);
int64_t sys_getresuid(const struct sysargs *a);
int64_t sys_process_mrelease(const struct sysargs *a);
/* kern/sys/sys_vfs.c: the path calls (open, stat, access, readlink above). */
int64_t sys_pwrite64(const struct sysargs *a);
int64_t sys_preadv(const struct sysargs *a);
int64_t sys_pwritev(const struct sysargs *a);
int64_t sys_lstat(const struct sysargs *a);
int64_t sys_creat(const struct sysargs *a);
int64_t sys_statx(const struct sysargs *a);
int64_t sys_mkdir(const struct sysargs *a);
int64_t sys_mkdirat(const struct sysargs *a);
int64_t sys_rmdir(const struct sysargs *a);
int64_t sys_unlink(const struct sysargs *a);
int64_t sys_unlinkat(const struct sysargs *a);
int64_t sys_link(const struct sysargs *a);
int64_t sys_linkat(const struct sysargs *a);
int64_t sys_symlink(const struct sysargs *a);
int64_t sys_symlinkat(const struct sysargs *a);
int64_t sys_readlinkat(const struct sysargs *a);
int64_t sys_rename(const struct sysargs *a);
int64_t sys_renameat(const struct sysargs *a);
int64_t sys_renameat2(const struct sysargs *a);
int64_t sys_chmod(const struct sysargs *a);
int64_t sys_fchmod(const struct sysargs *a);
int64_t sys_fchmodat(const struct sysargs *a);
int64_t sys_chown(const struct sysargs *a);
int64_t sys_fchown(const struct sysargs *a);
int64_t sys_lchown(const struct sysargs *a);
int64_t sys_fchownat(const struct sysargs *a);
int64_t sys_utimensat(const struct sysargs *a);
int64_t sys_truncate(const struct sysargs *a);
int64_t sys_ftruncate(const struct sysargs *a);
int64_t sys_faccessat2(const struct sysargs *a);
int64_t sys_chdir(const struct sysargs *a);
int64_t sys_fchdir(const struct sysargs *a);
int64_t sys_getcwd(const struct sysargs *a);
int64_t sys_umask(const struct sysargs *a);
int64_t sys_fdatasync(const struct sysargs *a);
int64_t sys_statfs(const struct sysargs *a);
int64_t sys_fstatfs(const struct sysargs *a);
int64_t sys_mount(const struct sysargs *a);
int64_t sys_umount2(const struct sysargs *a);
/* kern/sys/sys_poll.c */
int64_t sys_poll(const struct sysargs *a);
int64_t sys_ppoll(const struct sysargs *a);
int64_t sys_select(const struct sysargs *a);
int64_t sys_pselect6(const struct sysargs *a);
/* kern/sys/sys_memfd.c */
int64_t sys_memfd_create(const struct sysargs *a);

/*
 * page_range - the pages [*start, *end) that [addr, addr+len) touches,
 * rounded outward, for the calls that take a user range (mlock, madvise,
 * msync, minherit, mincore; kern/sys/sys_mm.c).
 *  => 0; -EINVAL if addr + len wraps; -ENOMEM if the range passes the end
 *     of user space (or wraps when rounded up).  *start and *end are set
 *     either way; an empty range is not an error.
 *  => the caller checks addr's alignment first where Linux does.
 */
int page_range(uint64_t addr, uint64_t len, vaddr_t *start, vaddr_t *end);

/* RLIMIT_MEMLOCK, fixed: Linux's default (8 MiB since 5.16).  mlock
 * holds a process without CAP_IPC_LOCK to it (kern/sys/sys_mm.c). */
#define SYS_RLIMIT_MEMLOCK (8UL << 20)

#endif
