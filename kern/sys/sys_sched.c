/*
 * kern/sys/sys_sched.c - the CPU affinity calls and getcpu.
 *
 * The CPUs are those that run threads (kern/core/sched.c; every online
 * CPU unless smpsched=0).  With two:
 *
 *   sched_getaffinity(0, 128, mask)  -> 8: one 64-bit word written, 0x3,
 *                                       as Linux answers on a machine with
 *                                       at most 64 CPUs
 *   sched_setaffinity(0, 8, {0x2})   -> 0: the calling thread runs on CPU 1
 *                                       only from now on (sched_bind)
 *   sched_getaffinity(0, 8, mask)    -> 0x2
 *   sched_setaffinity(0, 8, {0x3})   -> 0: anywhere again
 *   sched_setaffinity(0, 8, {0x4})   -> -EINVAL: no CPU of the mask runs
 *   getcpu(&cpu, &node, NULL)        -> 0, the CPU it runs on, node 0
 *
 * A thread runs on one CPU or on all: a mask of some CPUs but not all
 * binds it to the lowest of them, which keeps Linux's promise (it runs
 * only on CPUs of the mask) if not its spirit.  Only the caller's own
 * affinity can be changed; another thread's, only to "every CPU"
 * (-EPERM otherwise: taskset -p on another process is not supported).
 * glibc and musl count the CPUs with sched_getaffinity when /sys is not
 * there (this kernel has none).
 *
 * Locks: a pid is looked up (proc_signal_pid with signal 0, under
 * proc_lock) only to say -ESRCH for one that does not exist; the binding
 * is the scheduler's (sched_lock, inside sched_bind).
 */
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/sys/syscall.h"
#include "kern/arch/uaccess.h"
#include "kern/arch/cpu_info.h"
#include "kern/core/sched.h"
#include "kern/core/thread.h"

#define SCHED_MASK_BYTES 8      /* Linux's cpumask_size() up to 64 CPUs */

/* The pid of an affinity call: 0 is the caller.  Returns 0 or -ESRCH. */
static int
sched_pid_check(uint64_t pid)
{
	if ((int64_t)pid < 0)
		return -ESRCH;
	return pid == 0 ? 0 : proc_signal_pid((int)pid, 0);
}

/* The CPUs that run threads, as a mask. */
static uint64_t
sched_cpu_mask(void)
{
	uint64_t m = 0;

	for (int i = 0; i < MAXCPUS; i++) {
		if (cpu_infos[i].ci_sched_on)
			m |= 1UL << i;
	}
	return m;
}

/* Is pid the caller (0, its tid or, with one thread, its pid)? */
static bool
sched_pid_is_self(uint64_t pid)
{
	return pid == 0 || (int)pid == curthread->tid ||
	    ((int)pid == curproc->pid && curproc->p_nlwps == 1);
}

int64_t
sys_sched_getaffinity(const struct sysargs *a)
{
	uint64_t mask = sched_cpu_mask();
	uint64_t len = a->a[1];
	int error;

	/* Linux: too short for every CPU id, or not whole longs: EINVAL. */
	if (len * 8 < (uint64_t)(64 - __builtin_clzl(mask)) ||
	    (len & (sizeof(long) - 1)) != 0)
		return -EINVAL;
	if ((error = sched_pid_check(a->a[0])) != 0)
		return error;
	if (sched_pid_is_self(a->a[0]) && curthread->bound_cpu >= 0)
		mask = 1UL << curthread->bound_cpu;
	if (copyout(&mask, a->a[2], SCHED_MASK_BYTES) != 0)
		return -EFAULT;
	return SCHED_MASK_BYTES;
}

int64_t
sys_sched_setaffinity(const struct sysargs *a)
{
	uint64_t mask = 0, cpus = sched_cpu_mask();
	size_t len = MIN(a->a[1], (uint64_t)SCHED_MASK_BYTES);
	int error;

	if ((error = sched_pid_check(a->a[0])) != 0)
		return error;
	if (len > 0 && copyin(a->a[2], &mask, len) != 0)
		return -EFAULT;
	if ((mask & cpus) == 0)
		return -EINVAL;     /* no CPU of the mask runs threads */
	if ((mask & cpus) == cpus) {
		if (sched_pid_is_self(a->a[0]))
			sched_bind(-1);
		return 0;
	}
	if (!sched_pid_is_self(a->a[0]))
		return -EPERM;
	sched_bind(__builtin_ctzl(mask & cpus));
	return 0;
}

int64_t
sys_getcpu(const struct sysargs *a)
{
	unsigned zero = 0, cpu = (unsigned)cpu_number();

	if (a->a[0] != 0 && copyout(&cpu, a->a[0], sizeof(cpu)) != 0)
		return -EFAULT;
	if (a->a[1] != 0 && copyout(&zero, a->a[1], sizeof(zero)) != 0)
		return -EFAULT;
	return 0;
}
