/*
 * kern/proc/cap.h - Linux capabilities: the three sets a process holds
 * and capable(), the question every privileged system call asks.  The
 * rules (fork, execve, capset) are explained in kern/proc/cap.c.
 */
#ifndef KERN_PROC_CAP_H
#define KERN_PROC_CAP_H

#include "kern/lib/types.h"

/* Linux's capability numbers (include/uapi/linux/capability.h). */
#define CAP_CHOWN               0
#define CAP_DAC_OVERRIDE        1
#define CAP_DAC_READ_SEARCH     2
#define CAP_FOWNER              3
#define CAP_FSETID              4
#define CAP_KILL                5
#define CAP_SETPCAP             8
#define CAP_IPC_LOCK            14
#define CAP_SYS_RAWIO           17
#define CAP_SYS_ADMIN           21
#define CAP_SYS_BOOT            22
#define CAP_SYS_NICE            23
#define CAP_SYS_RESOURCE        24
#define CAP_LAST_CAP            40      /* CAP_CHECKPOINT_RESTORE, Linux 6.1 */

#define CAP_BIT(cap)            (1ULL << (cap))
#define CAP_ALL                 ((1ULL << (CAP_LAST_CAP + 1)) - 1)

/* A process's sets: bit n is capability n. */
struct cap_sets {
	uint64_t effective;             /* what capable() looks at */
	uint64_t permitted;             /* the most effective may become */
	uint64_t inheritable;           /* what execve may carry over */
};

/* cap_root - the sets of a process that starts as root (proc_run): all. */
void cap_root(struct cap_sets *c);

/*
 * cap_exec - the sets after execve: for uid 0 (every process here),
 * permitted = effective = inheritable | bounding set (all); inheritable
 * stays.  => the caller's own sets, no lock.
 */
void cap_exec(struct cap_sets *c);

/*
 * cap_set_check - may a process holding old change its sets to new
 * (capset's rules)?  => 0 or -EPERM.
 */
int cap_set_check(const struct cap_sets *old, const struct cap_sets *new);

/*
 * capable - does the calling process hold cap in its effective set?
 *  => any process context; no lock (a process's sets change only by its
 *     own capset).
 */
bool capable(int cap);

/* cap_effective - the caller's effective set (for the VFS's access checks). */
uint64_t cap_effective(void);

#endif
