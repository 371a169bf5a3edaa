/*
 * kern/sys/sys_proc.c - system calls about the process itself: exit, ids,
 * the TLS base, uname (release "6.1.0-uvmkern", see UNAME_RELEASE) and
 * the host and domain names it reports (sethostname, setdomainname: the
 * machine's, one copy under uts_lock, a leaf; changing them needs
 * CAP_SYS_ADMIN).  capget and capset are in kern/sys/sys_cap.c.
 */
#include "kern/arch/cpu.h"
#include "kern/lib/errno.h"
#include "kern/lib/spinlock.h"
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

/* exit ends the calling thread (the last one ends the process);
 * exit_group ends every thread of the process. */
int64_t
sys_exit(const struct sysargs *a)
{
	lwp_exit(W_EXITCODE((int)a->a[0]));
}

int64_t
sys_exit_group(const struct sysargs *a)
{
	proc_exit(W_EXITCODE((int)a->a[0]));
}

/* getpid is the process's id; gettid the thread's (the first thread's
 * is the pid). */
int64_t
sys_getpid(const struct sysargs *a)
{
	(void)a;
	return curproc->pid;
}

int64_t
sys_gettid(const struct sysargs *a)
{
	(void)a;
	return curlwp->l_tid;
}

int64_t
sys_set_tid_address(const struct sysargs *a)
{
	curlwp->l_clear_child_tid = a->a[0];
	return curlwp->l_tid;       /* musl's raise() relies on the real tid */
}

/* The size of Linux's struct robust_list_head: next, futex_offset,
 * list_op_pending. */
#define ROBUST_LIST_HEAD_SIZE 24

/* set_robust_list(head, len): where the thread's held robust futexes
 * are listed, for the kernel to release at its exit (futex.c). */
int64_t
sys_set_robust_list(const struct sysargs *a)
{
	if (a->a[1] != ROBUST_LIST_HEAD_SIZE)
		return -EINVAL;
	curlwp->l_robust_head = a->a[0];
	return 0;
}

/* get_robust_list(tid, &head, &len): 0 is the caller; another thread
 * of any process would need ptrace rights - only the caller's own
 * process is allowed here (-EPERM otherwise). */
int64_t
sys_get_robust_list(const struct sysargs *a)
{
	uint64_t head = curlwp->l_robust_head, len = ROBUST_LIST_HEAD_SIZE;

	if (a->a[0] != 0 && (int)a->a[0] != curlwp->l_tid) {
		int r = proc_robust_head((int)a->a[0], &head);
		if (r != 0)
			return r;
	}
	if (copyout(&head, a->a[1], sizeof(head)) != 0 ||
	    copyout(&len, a->a[2], sizeof(len)) != 0)
		return -EFAULT;
	return 0;
}

int64_t
sys_arch_prctl(const struct sysargs *a)
{
	switch (a->a[0]) {
	case ARCH_SET_FS:
		if (a->a[1] >= USER_MAX)
			return -EPERM;
		curlwp->l_fs_base = a->a[1];
		wrmsr(MSR_FS_BASE, a->a[1]);
		return 0;
	case ARCH_GET_FS:
		return copyout(&curlwp->l_fs_base, a->a[1], sizeof(uint64_t));
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

#define UTS_NAME_MAX 64                 /* Linux's __NEW_UTS_LEN */

/* The names sethostname and setdomainname set, as Linux starts them. */
static struct {
	struct spinlock lock;
	char host[UTS_NAME_MAX + 1];
	char domain[UTS_NAME_MAX + 1];
} uts = { SPINLOCK_INIT("uts"), "uvmkern", "(none)" };

int64_t
sys_uname(const struct sysargs *a)
{
	struct linux_utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "uvmkern", sizeof(u.sysname));
	strlcpy(u.release, UNAME_RELEASE, sizeof(u.release));
	strlcpy(u.version, UNAME_VERSION, sizeof(u.version));
	strlcpy(u.machine, "x86_64", sizeof(u.machine));
	spin_lock(&uts.lock);
	strlcpy(u.nodename, uts.host, sizeof(u.nodename));
	strlcpy(u.domainname, uts.domain, sizeof(u.domainname));
	spin_unlock(&uts.lock);
	return copyout(&u, a->a[0], sizeof(u));
}

/* One of the names, from (uname, len): EPERM without CAP_SYS_ADMIN,
 * then EINVAL past 64 bytes, as Linux. */
static int64_t
uts_set(char *dst, uint64_t uname, uint64_t len)
{
	char buf[UTS_NAME_MAX + 1];

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if ((int64_t)(int32_t)len < 0 || len > UTS_NAME_MAX)
		return -EINVAL;
	if (copyin(uname, buf, len) != 0)
		return -EFAULT;
	buf[len] = '\0';
	spin_lock(&uts.lock);
	memcpy(dst, buf, len + 1);
	spin_unlock(&uts.lock);
	return 0;
}

int64_t
sys_sethostname(const struct sysargs *a)
{
	return uts_set(uts.host, a->a[0], a->a[1]);
}

int64_t
sys_setdomainname(const struct sysargs *a)
{
	return uts_set(uts.domain, a->a[0], a->a[1]);
}
