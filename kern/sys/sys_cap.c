/*
 * kern/sys/sys_cap.c - capget(2) and capset(2): reading and changing a
 * process's capability sets (the sets and their rules: kern/proc/cap.c)
 * through Linux's user ABI.
 *
 * The ABI passes a header and an array of 32-bit words:
 *
 *   struct { u32 version; int pid; } header
 *   struct { u32 effective, permitted, inheritable; } data[n]
 *
 *   version 0x19980330 (v1)  n = 1: capabilities 0-31 only (capset
 *                            with v1 drops 32-40: their words read 0)
 *   version 0x20071026 (v2)  n = 2: data[0] bits 0-31, data[1] 32-63
 *   version 0x20080522 (v3)  the same as v2 (v2's was a header bug)
 *   anything else            v3 is written back into the header and the
 *                            call fails with -EINVAL; capget with data
 *                            NULL then returns 0, which is how libcap
 *                            asks which version to use
 *
 * Example: stress-ng drops every capability of its brk worker:
 *
 *   capget({v3, getpid()}, d)   d = {{~0, ~0, 0}, {0x1ff, 0x1ff, 0}}
 *   capset({v3, getpid()}, {{0, 0, 0}, {0, 0, 0}})   -> 0
 *   capget({v3, 0}, d)          d = {{0, 0, 0}, {0, 0, 0}}
 *
 * capget may look at any process (-ESRCH if none); capset only at the
 * caller (pid 0 or its own; another is -EPERM, as Linux since 2.6.24).
 * Bits past CAP_LAST_CAP are ignored, as Linux masks them.  A bad header
 * or data pointer is -EFAULT.
 */
#include "kern/arch/uaccess.h"
#include "kern/lib/errno.h"
#include "kern/proc/cap.h"
#include "kern/proc/proc.h"
#include "kern/sys/syscall.h"

#define CAP_V1 0x19980330
#define CAP_V2 0x20071026
#define CAP_V3 0x20080522

struct cap_header {
	uint32_t version;
	int32_t pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

/*
 * Read the header at uh and check its version: *nwords is 1 or 2.  An
 * unknown version gets v3 written back.  => 0, -EINVAL or -EFAULT.
 */
static int
cap_header_in(uint64_t uh, struct cap_header *h, size_t *nwords)
{
	uint32_t v3 = CAP_V3;

	if (copyin(uh, h, sizeof(*h)) != 0)
		return -EFAULT;
	if (h->version == CAP_V1 || h->version == CAP_V2 || h->version == CAP_V3) {
		*nwords = h->version == CAP_V1 ? 1 : 2;
		return 0;
	}
	return copyout(&v3, uh, sizeof(v3)) != 0 ? -EFAULT : -EINVAL;
}

/* The sets as n words of the ABI. */
static void
cap_to_words(const struct cap_sets *c, struct cap_data d[2])
{
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(c->effective >> (32 * i));
		d[i].permitted = (uint32_t)(c->permitted >> (32 * i));
		d[i].inheritable = (uint32_t)(c->inheritable >> (32 * i));
	}
}

/* n words of the ABI as sets (words past n are 0, bits past the last cap cut). */
static void
cap_from_words(const struct cap_data d[2], size_t n, struct cap_sets *c)
{
	c->effective = c->permitted = c->inheritable = 0;
	for (size_t i = 0; i < n; i++) {
		c->effective |= (uint64_t)d[i].effective << (32 * i);
		c->permitted |= (uint64_t)d[i].permitted << (32 * i);
		c->inheritable |= (uint64_t)d[i].inheritable << (32 * i);
	}
	c->effective &= CAP_ALL;
	c->permitted &= CAP_ALL;
	c->inheritable &= CAP_ALL;
}

/* capget(header, data): the sets of header->pid (0: the caller). */
int64_t
sys_capget(const struct sysargs *a)
{
	struct cap_header h;
	struct cap_sets c;
	struct cap_data d[2];
	size_t n;
	int error = cap_header_in(a->a[0], &h, &n);

	if (a->a[1] == 0)
		return error == -EINVAL ? 0 : error;
	if (error == 0 && h.pid < 0)
		error = -EINVAL;
	if (error == 0)
		error = proc_caps_get(h.pid, &c);
	if (error == 0) {
		cap_to_words(&c, d);
		if (copyout(d, a->a[1], n * sizeof(d[0])) != 0)
			error = -EFAULT;
	}
	return error;
}

/* capset(header, data): the caller's new sets, if capset's rules allow. */
int64_t
sys_capset(const struct sysargs *a)
{
	struct cap_header h;
	struct cap_sets new;
	struct cap_data d[2];
	size_t n;
	int error = cap_header_in(a->a[0], &h, &n);

	if (error != 0)
		return error;
	if (h.pid != 0 && h.pid != curproc->pid)
		return -EPERM;
	if (copyin(a->a[1], d, n * sizeof(d[0])) != 0)
		return -EFAULT;
	cap_from_words(d, n, &new);
	return proc_caps_change(&new);  /* checked and set under one lock */
}
