/*
 * uvm/uvm_swapctl.c - turning swap on and off: the policy above the slot
 * allocator (uvm_swap.c).
 *
 * swapon gives a whole disk to swap: slot s of the new area is the page at
 * byte (s - first) * 4096 of the disk.  swapoff has to empty the area
 * first, and the only holders of slots are anons and aobj pages, so it
 * walks both (amap_swap_off, uao_swap_off), reading every page that lives
 * in the area back into memory:
 *
 *   swapoff vda          area [1, 65537): 3000 slots in use
 *     drain              no new slot comes from vda (the page daemon
 *                        writes to other disks, or keeps pages in RAM)
 *     room?              3000 pages + freetarg must be free, else ENOMEM
 *                        at once, nothing touched
 *     amap_swap_off      every anon with a slot in [1, 65537) paged in
 *     uao_swap_off       every aobj page likewise
 *     detach             no slot in use but bad ones: the area goes
 *
 * If memory runs out half way, swapoff stops with ENOMEM: what came in
 * stays in, the rest stays in swap, the area takes new slots again, and no
 * data is lost.  A walk can miss a slot that the page daemon handed out
 * just before the drain, an amap that was locked at the time, or a page
 * a fault was reading in from its slot (busy: the slot must stay until
 * the read is done, in case it fails), so the walks repeat until the
 * area is empty (many times at most, then EBUSY).
 *
 * Locking: swapctl_lock serializes swapon and swapoff; the walks take the
 * amap and object locks themselves.  Nothing is held across the walks
 * but swapctl_lock.
 */
#include "uvm/uvm_swapctl.h"
#include "dev/blk.h"
#include "kern/lib/errno.h"
#include "kern/lib/errname.h"
#include "kern/core/mutex.h"
#include "kern/core/sleep.h"
#include "kern/lib/string.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_swap.h"

#define SWAPOFF_TRIES 64

static struct kmutex swapctl_lock = KMUTEX_INIT("swapctl");

int
uvm_swapon(struct blkdev *dev)
{
	int first;

	if (dev == NULL)
		return -ENODEV;
	mutex_enter(&swapctl_lock);
	first = uvm_swap_area_attach(dev);
	mutex_exit(&swapctl_lock);
	if (first < 0)
		return first;
	return 0;
}

/*
 * Bring every page of [first, end) in.  An amap someone else has locked,
 * and a page a fault is reading from its slot (busy), are passed by
 * (-EAGAIN): let their holders run and walk again.
 *  => 0, the first page-in error (-ENOMEM, -EIO), or -EBUSY if the area
 *     still is not empty after many walks.
 */
static int
swapoff_walk(const struct blkdev *dev, int first, int end)
{
	int used = 0, error, uerror;

	for (int i = 0; i < SWAPOFF_TRIES; i++) {
		error = amap_swap_off(first, end);
		if (error != 0 && error != -EAGAIN)
			return error;
		uerror = uao_swap_off(first, end);
		if (uerror != 0 && uerror != -EAGAIN)
			return uerror;
		uvm_swap_area_drain(dev, true, &used);
		if (used == 0 && error == 0 && uerror == 0)
			return 0;
		yield();
	}
	return -EBUSY;
}

int
uvm_swapoff(struct blkdev *dev)
{
	int first, nslots, used, error;

	if (dev == NULL)
		return -ENODEV;
	mutex_enter(&swapctl_lock);
	error = uvm_swap_area_find(dev, &first, &nslots);
	if (error == 0)
		error = uvm_swap_area_drain(dev, true, &used);
	if (error == 0 && (uint64_t)used + uvmexp.freetarg > uvmexp.free)
		error = -ENOMEM;        /* cannot fit: refuse before touching anything */
	if (error == 0)
		error = swapoff_walk(dev, first, first + nslots);
	if (error == 0)
		error = uvm_swap_area_detach(dev);
	if (error != 0 && error != -EINVAL)
		uvm_swap_area_drain(dev, false, &used);     /* still swap */
	mutex_exit(&swapctl_lock);
	return error;
}

void
uvm_swap_boot(const char *opt, kprint_fn pr)
{
	struct blkdev *dev;
	int error;

	if (opt != NULL && strcmp(opt, "none") == 0) {
		pr("swap: off (swap=none)\n");
		return;
	}
	dev = opt != NULL ? blk_lookup(opt) : blk_get(0);
	if (dev == NULL) {
		pr("swap: no disk%s%s: running without swap\n",
		    opt != NULL ? " named " : "", opt != NULL ? opt : "");
		return;
	}
	error = uvm_swapon(dev);
	if (error != 0)
		pr("swap: swapon %s failed: " ERRNO_FMT "\n", dev->name, ERRNO_ARGS(error));
	else
		pr("swap: %s, %lu MiB (%lu slots)\n", dev->name,
		    dev->nsectors * BLK_SECTOR >> 20, uvm_swap_stats.nslots);
}
