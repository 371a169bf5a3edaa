/*
 * kern/arch/uaccess.c - copyin, copyout, copyinstr.
 *
 * The copy runs under trap_catch: if a page fault on the user address
 * cannot be resolved by uvm_fault (trap() tries that first), the trap
 * handler jumps back here and the call returns -EFAULT:
 *
 *   copyin(0x7000, buf, 16)
 *     trap_catch(copy)  --> memcpy touches 0x7000
 *                             #PF, cr2 0x7000, kernel mode
 *                             trap(): user address -> uvm_fault: -EFAULT
 *                                     onfault armed  -> longjmp
 *     <-- true (faulted)  --> return -EFAULT
 *
 * The range check comes first: a user pointer into the kernel half must
 * never be dereferenced, even though the kernel could read it.
 */
#include "kern/arch/uaccess.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/core/panic.h"
#include "kern/core/thread.h"
#include "pmap/vmlayout.h"

struct copyjob {
	void *dst;
	const void *src;
	size_t len;
	size_t done;        /* copyinstr: bytes copied, NUL included */
	bool nul;           /* copyinstr: the NUL was found */
};

bool
uaccess_ok(uint64_t uaddr, size_t len)
{
	return uaddr < USER_MAX && len <= USER_MAX - uaddr;
}

static void
copy_bytes(void *arg)
{
	struct copyjob *j = arg;

	memcpy(j->dst, j->src, j->len);
}

static int
copy_checked(void *dst, const void *src, size_t len)
{
	struct copyjob j = { dst, src, len, 0, false };
	struct trap_expect te;

	return trap_catch(copy_bytes, &j, &te) ? -EFAULT : 0;
}

int
copyin(uint64_t uaddr, void *kbuf, size_t len)
{
	if (!uaccess_ok(uaddr, len))
		return -EFAULT;
	return copy_checked(kbuf, (const void *)uaddr, len);
}

int
copyout(const void *kbuf, uint64_t uaddr, size_t len)
{
	if (!uaccess_ok(uaddr, len))
		return -EFAULT;
	return copy_checked((void *)uaddr, kbuf, len);
}

int
copyout_nofault(const void *kbuf, uint64_t uaddr, size_t len)
{
	int error;

	if (!uaccess_ok(uaddr, len))
		return -EFAULT;
	curthread->uaccess_nofault = true;
	error = copy_checked((void *)uaddr, kbuf, len);
	curthread->uaccess_nofault = false;
	return error;
}

static void
copy_string(void *arg)
{
	struct copyjob *j = arg;
	const char *s = j->src;
	char *d = j->dst;

	for (; j->done < j->len; j->done++) {
		/* Stop at the end of user space rather than cross into it. */
		if ((uint64_t)(s + j->done) >= USER_MAX)
			return;
		d[j->done] = s[j->done];
		if (d[j->done] == '\0') {
			j->nul = true;
			j->done++;
			return;
		}
	}
}

int
copyinstr(uint64_t uaddr, char *kbuf, size_t max)
{
	struct copyjob j = { kbuf, (const void *)uaddr, max, 0, false };
	struct trap_expect te;

	if (uaddr >= USER_MAX || max == 0)
		return -EFAULT;
	if (trap_catch(copy_string, &j, &te))
		return -EFAULT;
	if (!j.nul)
		return (uint64_t)uaddr + j.done >= USER_MAX ? -EFAULT : -ENAMETOOLONG;
	return (int)(j.done - 1);
}
