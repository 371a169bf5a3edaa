/*
 * kern/sys/sys_proc.c - system calls about the process itself: exit, ids,
 * the TLS base, uname (release "6.1.0-uvmkern", see UNAME_RELEASE).
 * capget and capset are in kern/sys/sys_cap.c.
 */
#include "kern/arch/cpu.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/sys/syscall.h"
#include "kern/arch/uaccess.h"
#include "pmap/vmlayout.h"

/*
 * uname's release is a Linux version, because programs compare it with
 * one (glibc, LTP's tst_kvercmp, "needs Linux >= 5.x" checks): this
 * kernel offers the system calls of Linux 6.1 it implements, so it says
 * 6.1.0, with "-uvmkern" after it.  Its own version is in version.
 */
#define UNAME_RELEASE "6.1.0-uvmkern"
#define UNAME_VERSION "#1 uvmkern 0.1, a teaching kernel with UVM"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* exit and exit_group: one thread per process, so they are the same. */
int64_t
sys_exit(const struct sysargs *a)
{
	proc_exit(W_EXITCODE((int)a->a[0]));
}

/* getpid and gettid: a process is one thread, whose id is the pid. */
int64_t
sys_getpid(const struct sysargs *a)
{
	(void)a;
	return curproc->pid;
}

int64_t
sys_set_tid_address(const struct sysargs *a)
{
	curproc->clear_child_tid = a->a[0];
	return curproc->pid;        /* musl's raise() relies on the real tid */
}

int64_t
sys_arch_prctl(const struct sysargs *a)
{
	switch (a->a[0]) {
	case ARCH_SET_FS:
		if (a->a[1] >= USER_MAX)
			return -EPERM;
		curproc->fs_base = a->a[1];
		wrmsr(MSR_FS_BASE, a->a[1]);
		return 0;
	case ARCH_GET_FS:
		return copyout(&curproc->fs_base, a->a[1], sizeof(uint64_t));
	case ARCH_SET_GS:
	case ARCH_GET_GS:
		return -EINVAL;         /* the kernel keeps GS for itself */
	default:
		return -EINVAL;
	}
}

struct linux_utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};

int64_t
sys_uname(const struct sysargs *a)
{
	struct linux_utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "uvmkern", sizeof(u.sysname));
	strlcpy(u.nodename, "uvmkern", sizeof(u.nodename));
	strlcpy(u.release, UNAME_RELEASE, sizeof(u.release));
	strlcpy(u.version, UNAME_VERSION, sizeof(u.version));
	strlcpy(u.machine, "x86_64", sizeof(u.machine));
	return copyout(&u, a->a[0], sizeof(u));
}
