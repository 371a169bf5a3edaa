/*
 * kern/sys/sys_prctl.c - prctl(2), the few options of it that programs
 * built for Linux call on their way up (stress-ng: every stressor names
 * itself and asks to be told when its parent dies).
 *
 *   prctl(PR_SET_NAME, "stress-ng-vm")   the process's name (Linux's comm,
 *                                        at most 15 bytes and a NUL): what
 *                                        /proc/PID/stat and status show
 *   prctl(PR_GET_NAME, buf)              the same 16 bytes back
 *   prctl(PR_SET_PDEATHSIG, SIGALRM)     when the parent exits, this
 *                                        process gets SIGALRM (sent by
 *                                        reparent_children, kern/proc)
 *   prctl(PR_GET_PDEATHSIG, &sig)        that signal, or 0
 *
 * Any other option is -EINVAL, which is what Linux answers for an option
 * it does not know: a program then takes the option to be missing from
 * this kernel, as it would on an older Linux.  Nothing here pretends: an
 * option listed above does what Linux does; none other is accepted.
 *
 * The fields belong to the calling process (its own thread writes them),
 * except pdeathsig, which its parent's exit reads under proc_lock: it is
 * written under proc_lock too.
 */
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/proc/signal.h"
#include "kern/sys/syscall.h"
#include "kern/arch/uaccess.h"

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_SET_NAME 15
#define PR_GET_NAME 16

#define PRCTL_COMM_LEN 16       /* Linux's TASK_COMM_LEN, with the NUL */

/* PR_SET_NAME: the first 15 bytes of the user's string become the name. */
static int64_t
prctl_set_name(uint64_t uname)
{
	char name[PRCTL_COMM_LEN];

	/* Linux copies at most 16 bytes and cuts the 16th: same here. */
	for (size_t i = 0; i < PRCTL_COMM_LEN - 1; i++) {
		if (copyin(uname + i, &name[i], 1) != 0)
			return -EFAULT;
		if (name[i] == '\0')
			break;
	}
	name[PRCTL_COMM_LEN - 1] = '\0';
	proc_set_name(curproc, name);   /* under proc_lock: /proc reads it */
	return 0;
}

/* PR_GET_NAME: 16 bytes, the name and NULs after it. */
static int64_t
prctl_get_name(uint64_t ubuf)
{
	char name[PRCTL_COMM_LEN];

	memset(name, 0, sizeof(name));
	strlcpy(name, curproc->name, sizeof(name));
	return copyout(name, ubuf, sizeof(name)) != 0 ? -EFAULT : 0;
}

/* PR_SET_PDEATHSIG: 0 (none) or a valid signal number. */
static int64_t
prctl_set_pdeathsig(uint64_t sig)
{
	if (sig > NSIG)
		return -EINVAL;
	spin_lock(&proc_lock);
	curproc->pdeathsig = (int)sig;
	spin_unlock(&proc_lock);
	return 0;
}

static int64_t
prctl_get_pdeathsig(uint64_t usig)
{
	int sig = curproc->pdeathsig;

	return copyout(&sig, usig, sizeof(sig)) != 0 ? -EFAULT : 0;
}

int64_t
sys_prctl(const struct sysargs *a)
{
	switch (a->a[0]) {
	case PR_SET_PDEATHSIG:
		return prctl_set_pdeathsig(a->a[1]);
	case PR_GET_PDEATHSIG:
		return prctl_get_pdeathsig(a->a[1]);
	case PR_SET_NAME:
		return prctl_set_name(a->a[1]);
	case PR_GET_NAME:
		return prctl_get_name(a->a[1]);
	default:
		return -EINVAL;     /* an option this kernel does not have */
	}
}
