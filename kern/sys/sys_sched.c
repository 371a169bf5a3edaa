/*
 * kern/sys/sys_sched.c - the CPU affinity calls and getcpu, for a machine
 * with one CPU (make run and make test boot QEMU with -smp 1).
 *
 *   sched_getaffinity(0, 128, mask)  -> 8: one 64-bit word written, bit 0
 *                                       set (CPU 0), as Linux answers on a
 *                                       machine with at most 64 CPUs
 *   sched_setaffinity(0, 8, {0x1})   -> 0: the process may run on CPU 0,
 *                                       and it does
 *   sched_setaffinity(0, 8, {0x2})   -> -EINVAL: no CPU of the mask exists
 *   getcpu(&cpu, &node, NULL)        -> 0, cpu 0 and node 0
 *
 * So a mask is honoured exactly when it holds CPU 0; nothing is stored,
 * since with one CPU every allowed mask allows the same thing.  glibc
 * counts the CPUs with sched_getaffinity when /sys is not there (this
 * kernel has none): without it, it guesses 2.
 *
 * No locks: a pid is looked up (proc_signal_pid with signal 0, under
 * proc_lock) only to say -ESRCH for one that does not exist.
 */
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/sys/syscall.h"
#include "kern/arch/uaccess.h"

#define SCHED_NCPU 1
#define SCHED_MASK_BYTES 8      /* Linux's cpumask_size() up to 64 CPUs */

/* The pid of an affinity call: 0 is the caller.  Returns 0 or -ESRCH. */
static int
sched_pid_check(uint64_t pid)
{
	if ((int64_t)pid < 0)
		return -ESRCH;
	return pid == 0 ? 0 : proc_signal_pid((int)pid, 0);
}

int64_t
sys_sched_getaffinity(const struct sysargs *a)
{
	uint64_t mask = (1UL << SCHED_NCPU) - 1;
	uint64_t len = a->a[1];
	int error;

	/* Linux: too short for every CPU id, or not whole longs: EINVAL. */
	if (len * 8 < SCHED_NCPU || (len & (sizeof(long) - 1)) != 0)
		return -EINVAL;
	if ((error = sched_pid_check(a->a[0])) != 0)
		return error;
	if (copyout(&mask, a->a[2], SCHED_MASK_BYTES) != 0)
		return -EFAULT;
	return SCHED_MASK_BYTES;
}

int64_t
sys_sched_setaffinity(const struct sysargs *a)
{
	uint64_t mask = 0;
	size_t len = MIN(a->a[1], (uint64_t)SCHED_MASK_BYTES);
	int error;

	if ((error = sched_pid_check(a->a[0])) != 0)
		return error;
	if (len > 0 && copyin(a->a[2], &mask, len) != 0)
		return -EFAULT;
	if ((mask & ((1UL << SCHED_NCPU) - 1)) == 0)
		return -EINVAL;     /* no CPU of the mask is online */
	return 0;
}

int64_t
sys_getcpu(const struct sysargs *a)
{
	unsigned zero = 0;

	if (a->a[0] != 0 && copyout(&zero, a->a[0], sizeof(zero)) != 0)
		return -EFAULT;
	if (a->a[1] != 0 && copyout(&zero, a->a[1], sizeof(zero)) != 0)
		return -EFAULT;
	return 0;
}
