/*
 * kern/proc/cap.c - Linux capabilities: root's privilege cut into 41
 * pieces, each of which a process may give up.
 *
 * Every process here runs as uid 0.  Linux lets root do privileged
 * things (mount, reboot, chown a file to anyone, read any file...) not
 * because its uid is 0 but because it holds a capability for each one
 * in its effective set; a process may drop them (capset), and then the
 * kernel refuses it with EPERM or EACCES as it would refuse any user.
 * stress-ng does exactly that in the worker of its brk and fork
 * stressors, so that the out-of-memory killer prefers them.
 *
 * Each process holds three 64-bit sets, bit n = capability n (Linux's
 * numbers, 0 CAP_CHOWN to 40 CAP_CHECKPOINT_RESTORE):
 *
 *   effective    what capable(cap) checks
 *   permitted    the limit of effective; capset can only shrink it
 *   inheritable  what a new program may be given on execve
 *
 * The rules, Linux's:
 *
 *   start (proc_run)  E = P = all, I = none            (root)
 *   fork              the child gets the parent's three sets
 *   capset            P' within P; E' within P'; I' within I | P
 *                     (with CAP_SETPCAP effective: within I | bounding
 *                     set, which is all here); else -EPERM
 *   execve            Linux treats a program run by root (no file
 *                     capabilities, no securebits) as if its file sets
 *                     were full: P' = (I & fI) | (fP & bounding)
 *                     = I | bounding = all, and, the euid being 0,
 *                     E' = P'.  I' = I.  No ambient set is needed: it
 *                     only matters to processes that are not root.
 *
 * Worked example: stress-ng --fork 1
 *
 *   stress-ng (E=P=all)  --fork-->  worker (E=P=all, I=0)
 *   worker: capset(E=0, P=0, I=0)           -> 0: all three shrink
 *   worker: mount("none", "/mnt", "tmpfs")  -> -EPERM (no CAP_SYS_ADMIN)
 *   worker: capset(E=CAP_SYS_ADMIN, P=0)    -> -EPERM (E' not within P')
 *   worker --fork--> child (E=P=I=0): still nothing
 *   child: execve("/bin/true")              -> E=P=all again, as on
 *                                              Linux for root, whose
 *                                              bounding set is full
 *
 * There is no bounding-set call (prctl PR_CAPBSET_DROP is -EINVAL), no
 * securebits and no file capabilities, so the bounding set is always all
 * and the execve rule above is the whole of it.
 *
 * Locking: a process's sets are written only by its own thread (fork
 * before the child runs, execve, capset of itself) under proc_lock, and
 * read without a lock by that thread (capable) or under proc_lock by
 * another (capget of another pid: proc_caps_get).  A kernel thread (no
 * process: kmain mounting the root, proc_run loading init, kernel tests)
 * holds every capability.
 */
#include "kern/proc/cap.h"
#include "kern/lib/errno.h"
#include "kern/proc/proc.h"

/* Without file capabilities or PR_CAPBSET_DROP the bounding set is all. */
#define CAP_BOUNDING CAP_ALL

void
cap_root(struct cap_sets *c)
{
	c->effective = c->permitted = CAP_ALL;
	c->inheritable = 0;
}

void
cap_exec(struct cap_sets *c)
{
	c->permitted = c->inheritable | CAP_BOUNDING;
	c->effective = c->permitted;
}

/* Is every bit of a also in b? */
static bool
cap_subset(uint64_t a, uint64_t b)
{
	return (a & ~b) == 0;
}

int
cap_set_check(const struct cap_sets *old, const struct cap_sets *new)
{
	uint64_t inh_limit = old->inheritable | old->permitted;

	if (old->effective & CAP_BIT(CAP_SETPCAP))
		inh_limit = old->inheritable | CAP_BOUNDING;
	if (!cap_subset(new->inheritable, inh_limit))
		return -EPERM;
	if (!cap_subset(new->permitted, old->permitted))
		return -EPERM;
	if (!cap_subset(new->effective, new->permitted))
		return -EPERM;
	return 0;
}

uint64_t
cap_effective(void)
{
	struct proc *p = curproc;

	return p == NULL ? CAP_ALL : p->caps.effective;   /* NULL: the kernel */
}

bool
capable(int cap)
{
	return (cap_effective() & CAP_BIT(cap)) != 0;
}
