/*
 * kern/sys/syscall.c - dispatching system calls.
 *
 *   user: mov $1, %eax; mov $1, %edi; lea msg, %rsi; mov $6, %edx; syscall
 *     -> syscall_entry (asm): trap frame on the kernel stack
 *     -> syscall_handler: table[1] = sys_write(fd 1, msg, 6)
 *     <- tf->rax = 6, back through trap_return (iretq)
 *
 * The table is indexed by the Linux number.  Each handler checks its own
 * arguments: user pointers through copyin/copyout, flag words against the
 * bits it knows (unknown bits are -EINVAL), lengths against Linux's
 * limits.  A number with no handler is -ENOSYS; with log=syscalls on the
 * kernel command line the first call of each such number is logged (a
 * program probing for a call it can do without is not an error).
 */
#include "kern/sys/syscall.h"
#include "kern/arch/cpu.h"
#include "kern/arch/gdt.h"
#include "kern/lib/errno.h"
#include "kern/proc/futex.h"
#include "kern/proc/proc.h"
#include "kern/proc/signal.h"
#include "kern/arch/trap.h"
#include "kern/core/cmdline.h"
#include "kern/core/lockorder.h"
#include "kern/lib/string.h"
#include "pmap/vmlayout.h"

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define EFER_SCE 0x1

#define NSYSCALL 512

extern void syscall_entry(void);

static const sysfn_t systab[NSYSCALL] = {
	[0] = sys_read,
	[1] = sys_write,
	[2] = sys_open,
	[3] = sys_close,
	[4] = sys_stat,
	[5] = sys_fstat,
	[6] = sys_lstat,
	[7] = sys_poll,
	[8] = sys_lseek,
	[9] = sys_mmap,
	[10] = sys_mprotect,
	[11] = sys_munmap,
	[12] = sys_brk,
	[13] = sys_rt_sigaction,
	[14] = sys_rt_sigprocmask,
	[15] = sys_rt_sigreturn,
	[16] = sys_ioctl,
	[17] = sys_pread64,
	[18] = sys_pwrite64,
	[19] = sys_readv,
	[20] = sys_writev,
	[21] = sys_access,
	[22] = sys_pipe,
	[23] = sys_select,
	[24] = sys_sched_yield,
	[25] = sys_mremap,
	[26] = sys_msync,
	[27] = sys_mincore,
	[28] = sys_madvise,
	[32] = sys_dup,
	[33] = sys_dup2,
	[34] = sys_pause,
	[35] = sys_nanosleep,
	[36] = sys_getitimer,
	[37] = sys_alarm,
	[38] = sys_setitimer,
	[39] = sys_getpid,
	[56] = sys_clone,
	[57] = sys_fork,
	[58] = sys_vfork,
	[59] = sys_execve,
	[60] = sys_exit,
	[61] = sys_wait4,
	[62] = sys_kill,
	[63] = sys_uname,
	[72] = sys_fcntl,
	[74] = sys_fsync,
	[75] = sys_fdatasync,
	[76] = sys_truncate,
	[77] = sys_ftruncate,
	[79] = sys_getcwd,
	[80] = sys_chdir,
	[81] = sys_fchdir,
	[82] = sys_rename,
	[83] = sys_mkdir,
	[84] = sys_rmdir,
	[85] = sys_creat,
	[86] = sys_link,
	[87] = sys_unlink,
	[88] = sys_symlink,
	[89] = sys_readlink,
	[90] = sys_chmod,
	[91] = sys_fchmod,
	[92] = sys_chown,
	[93] = sys_fchown,
	[94] = sys_lchown,
	[95] = sys_umask,
	[96] = sys_gettimeofday,
	[97] = sys_getrlimit,
	[98] = sys_getrusage,
	[99] = sys_sysinfo,
	[102] = sys_getuid,
	[104] = sys_getuid,         /* getgid */
	[107] = sys_getuid,         /* geteuid */
	[108] = sys_getuid,         /* getegid */
	[109] = sys_setpgid,
	[110] = sys_getppid,
	[111] = sys_getpgrp,
	[112] = sys_setsid,
	[118] = sys_getresuid,
	[120] = sys_getresuid,      /* getresgid: root too */
	[121] = sys_getpgid,
	[124] = sys_getsid,
	[125] = sys_capget,
	[126] = sys_capset,
	[127] = sys_rt_sigpending,
	[128] = sys_rt_sigtimedwait,
	[130] = sys_rt_sigsuspend,
	[131] = sys_sigaltstack,
	[137] = sys_statfs,
	[138] = sys_fstatfs,
	[149] = sys_mlock,
	[150] = sys_munlock,
	[151] = sys_mlockall,
	[152] = sys_munlockall,
	[157] = sys_prctl,
	[158] = sys_arch_prctl,
	[162] = sys_sync,
	[165] = sys_mount,
	[166] = sys_umount2,
	[167] = sys_swapon,
	[168] = sys_swapoff,
	[169] = sys_reboot,
	[170] = sys_sethostname,
	[171] = sys_setdomainname,
	[173] = sys_ioperm,
	[186] = sys_gettid,
	[200] = sys_tkill,
	[201] = sys_time,
	[202] = sys_futex,
	[203] = sys_sched_setaffinity,
	[204] = sys_sched_getaffinity,
	[217] = sys_getdents64,
	[218] = sys_set_tid_address,
	[219] = sys_restart_syscall,
	[228] = sys_clock_gettime,
	[229] = sys_clock_getres,
	[230] = sys_clock_nanosleep,
	[231] = sys_exit_group,
	[234] = sys_tgkill,
	[257] = sys_openat,
	[258] = sys_mkdirat,
	[260] = sys_fchownat,
	[262] = sys_newfstatat,
	[263] = sys_unlinkat,
	[264] = sys_renameat,
	[265] = sys_linkat,
	[266] = sys_symlinkat,
	[267] = sys_readlinkat,
	[268] = sys_fchmodat,
	[269] = sys_faccessat,
	[270] = sys_pselect6,
	[271] = sys_ppoll,
	[273] = sys_set_robust_list,
	[274] = sys_get_robust_list,
	[280] = sys_utimensat,
	[292] = sys_dup3,
	[293] = sys_pipe2,
	[295] = sys_preadv,
	[296] = sys_pwritev,
	[302] = sys_prlimit64,
	[306] = sys_syncfs,
	[309] = sys_getcpu,
	[316] = sys_renameat2,
	[318] = sys_getrandom,
	[319] = sys_memfd_create,
	[325] = sys_mlock2,
	[332] = sys_statx,
	[435] = sys_clone3,
	[439] = sys_faccessat2,
	[448] = sys_process_mrelease,
};

/* The project's own calls, numbered from 1000 (user/include/uvmkern.h). */
#define SYS_PROJECT_BASE 1000
static const sysfn_t systab_project[] = {
	[1000 - SYS_PROJECT_BASE] = sys_minherit,
	[1001 - SYS_PROJECT_BASE] = sys_vm_query,
	[1002 - SYS_PROJECT_BASE] = sys_uvm_swapctl,
	[1003 - SYS_PROJECT_BASE] = sys_vm_query_obj,
};

static uint64_t logged[NSYSCALL / 64];

KOPT(log, "log", "syscalls: log the first call of each unimplemented system call");

/*
 * User programs use SSE (musl's printf does): let them.  The kernel
 * itself is built without SSE, so the user's registers stay untouched
 * while in the kernel; switching between processes must save them.
 */
static void
fpu_init(void)
{
	uint64_t cr0 = rcr0();

	cr0 &= ~(1UL << 2);     /* EM: no x87 emulation */
	cr0 |= 1UL << 1;        /* MP: wait/fwait honour TS */
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	lcr4(rcr4() | (1UL << 9) | (1UL << 10));   /* OSFXSR, OSXMMEXCPT */
	__asm__ volatile("fninit");
}

void
syscall_init(void)
{
	fpu_init();
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* sysret: CS = base + 16, SS = base + 8; syscall: CS = KCODE, SS = +8. */
	wrmsr(MSR_STAR, ((uint64_t)(SEL_UCODE32 | 3) << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* Interrupts, traps, direction and alignment-check off on entry. */
	wrmsr(MSR_FMASK, RFLAGS_IF | (1UL << 8) | (1UL << 10) | (1UL << 18));
}

/* Was log=syscalls given (log= is a comma-separated list)? */
static bool
syscall_log_missing(void)
{
	const char *v = kopt_get("log");

	for (; v != NULL && *v != '\0'; v = strchr(v, ',') ? strchr(v, ',') + 1 : "")
		if (strncmp(v, "syscalls", 8) == 0 && (v[8] == '\0' || v[8] == ','))
			return true;
	return false;
}

static int64_t
syscall_missing(uint64_t nr)
{
	if (nr < NSYSCALL && syscall_log_missing() && !(logged[nr / 64] & (1UL << (nr % 64)))) {
		logged[nr / 64] |= 1UL << (nr % 64);
		kprintf("pid %d: system call %lu not implemented (ENOSYS)\n",
		    curproc != NULL ? curproc->pid : 0, nr);
	}
	return -ENOSYS;
}

int
syscall_handler(struct trapframe *tf)
{
	struct sysargs args = { { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 }, tf };
	uint64_t nr = tf->rax, rip = tf->rip, rsp = tf->rsp;

	sti();
	if (curproc != NULL)
		curproc->nsyscalls++;
	if (nr < NSYSCALL && systab[nr] != NULL)
		tf->rax = (uint64_t)systab[nr](&args);
	else if (nr >= SYS_PROJECT_BASE && nr - SYS_PROJECT_BASE < ARRAY_SIZE(systab_project))
		tf->rax = (uint64_t)systab_project[nr - SYS_PROJECT_BASE](&args);
	else
		tf->rax = (uint64_t)syscall_missing(nr);
	if (curproc != NULL && signal_work_pending())
		signal_deliver_pending(tf, (int64_t)nr);
	/* Cut short, and no handler took it: run the call again. */
	if (tf->rax == (uint64_t)-ERESTARTSYS || tf->rax == (uint64_t)-ERESTARTNOHAND)
		signal_restart_syscall(tf, (int64_t)nr);
	else if (tf->rax == (uint64_t)-ERESTART_RESTARTBLOCK)
		signal_restart_syscall(tf, SYS_RESTART_SYSCALL);
	LOCKORDER_HOOK(lockorder_assert_none_held("return to user mode"));
	cli();
	/* sysret only for a frame left as syscall made it (and a canonical
	 * user rip, always true then); anything rewritten goes by iretq. */
	return tf->rip != rip || tf->rsp != rsp || tf->rip >= USER_MAX;
}
