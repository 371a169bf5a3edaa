/*
 * kern/sys/sys_swap.c - swapon, swapoff (Linux's 167 and 168) and the
 * project's uvm_swapctl (1002): the system-call side of swap.  The work
 * is in uvm/uvm_swapctl.c; the statistics come from uvm_swap_stats and
 * uvmexp.
 *
 * Naming a disk: with no device file system, a path names a disk by its
 * kernel name, the part after the last '/': "/dev/vda" and "vda" are the
 * same disk (user/include/uvmkern.h says so for programs).
 *
 * Who may: anyone.  A teaching kernel has no users to tell apart; Linux
 * would want CAP_SYS_ADMIN.
 */
#include "dev/blk.h"
#include "kern/lib/errno.h"
#include "kern/proc/cap.h"
#include "kern/lib/string.h"
#include "kern/sys/syscall.h"
#include "kern/arch/uaccess.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pdaemon.h"
#include "uvm/uvm_swap.h"
#include "uvm/uvm_swapctl.h"

#define SWAP_PATH_MAX 64

/* uvm_swapctl's commands and FAILIO's ops (user/include/uvmkern.h). */
#define SWAPCTL_STATS 0
#define SWAPCTL_FAILIO 1
#define SWAPCTL_PAGEOUT 2
#define FAILIO_READ 0
#define FAILIO_WRITE 1

/* The disk a user path names.  => 0 with *devp set, -EFAULT, -ENAMETOOLONG or -ENODEV. */
static int
swap_path_dev(uint64_t upath, struct blkdev **devp)
{
	char path[SWAP_PATH_MAX];
	const char *name;
	int n = copyinstr(upath, path, sizeof(path));

	if (n < 0)
		return n;
	name = path;
	for (const char *p = path; *p != '\0'; p++) {
		if (*p == '/')
			name = p + 1;
	}
	*devp = blk_lookup(name);
	return *devp != NULL ? 0 : -ENODEV;
}

/* swapon(path, flags): flags must be 0 (no priorities, no discard). */
int64_t
sys_swapon(const struct sysargs *a)
{
	struct blkdev *dev;
	int error;

	if (a->a[1] != 0)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if ((error = swap_path_dev(a->a[0], &dev)) != 0)
		return error;
	return uvm_swapon(dev);
}

int64_t
sys_swapoff(const struct sysargs *a)
{
	struct blkdev *dev;
	int error;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if ((error = swap_path_dev(a->a[0], &dev)) != 0)
		return error;
	return uvm_swapoff(dev);
}

/* The layout of struct uvm_swapstat in user/include/uvmkern.h. */
struct uvm_swapstat_k {
	uint64_t nslots, inuse, bad, ndevs;
	uint64_t pageouts, pageins, writes, reads, write_errors, read_errors;
	uint64_t pages_per_write_x100;
	uint64_t pd_passes, pd_freed_clean, pd_reactivated, oom_kills;
	uint64_t total_pages, free_pages, freemin, freetarg;
};

static int64_t
swapctl_stats(uint64_t uout)
{
	const struct uvm_swap_stats *s = &uvm_swap_stats;
	struct uvm_swapstat_k st = {
		.nslots = s->nslots, .inuse = s->inuse, .bad = s->bad,
		.ndevs = s->ndevs, .pageouts = s->pages_written,
		.pageins = s->pages_read, .writes = s->writes, .reads = s->reads,
		.write_errors = s->write_errors, .read_errors = s->read_errors,
		.pages_per_write_x100 = s->writes != 0 ?
		    s->pages_written * 100 / s->writes : 0,
		.pd_passes = uvmexp.pdwoke, .pd_freed_clean = uvmexp.pdfreed,
		.pd_reactivated = uvmexp.pdreact, .oom_kills = uvmexp.oomkills,
		.total_pages = uvmexp.npages - uvmexp.reserved,
		.free_pages = uvmexp.free, .freemin = uvmexp.freemin,
		.freetarg = uvmexp.freetarg,
	};

	return copyout(&st, uout, sizeof(st));
}

/* The layout of struct uvm_swap_failio. */
struct uvm_swap_failio_k {
	char dev[8];
	int32_t op;
	int32_t count;
	uint64_t slot;
};

static int64_t
swapctl_failio(uint64_t uarg)
{
	struct uvm_swap_failio_k f;
	struct blkdev *dev;
	int error = copyin(uarg, &f, sizeof(f));

	if (error != 0)
		return error;
	f.dev[sizeof(f.dev) - 1] = '\0';
	if ((dev = blk_lookup(f.dev)) == NULL)
		return -ENODEV;
	if (f.op != FAILIO_READ && f.op != FAILIO_WRITE)
		return -EINVAL;
	uint64_t sector = 0, nsectors = dev->nsectors;
	if (f.slot != 0) {
		struct blkdev *sdev;
		if (f.slot > INT32_MAX ||
		    uvm_swap_slot_disk((int)f.slot, &sdev, &sector) != 0 || sdev != dev)
			return -EINVAL;
		nsectors = SWAP_SECTORS_PER_SLOT;
	}
	blk_inject_error(dev, f.op == FAILIO_READ ? BLK_READ : BLK_WRITE, sector,
	    nsectors, f.count);
	return 0;
}

int64_t
sys_uvm_swapctl(const struct sysargs *a)
{
	switch (a->a[0]) {
	case SWAPCTL_STATS:
		return swapctl_stats(a->a[1]);
	case SWAPCTL_FAILIO:        /* changing the system: swapon's right */
		return capable(CAP_SYS_ADMIN) ? swapctl_failio(a->a[1]) : -EPERM;
	case SWAPCTL_PAGEOUT:
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if ((int64_t)a->a[2] <= 0 || a->a[2] > uvmexp.npages)
			return -EINVAL;
		return uvm_pdaemon_pageout_now((int)a->a[2]);
	default:
		return -EINVAL;
	}
}
