/*
 * uvm/uvm_swapctl.h - swapon and swapoff (the policy is in uvm_swapctl.c).
 */
#ifndef UVM_UVM_SWAPCTL_H
#define UVM_UVM_SWAPCTL_H

#include "kern/lib/printf.h"
#include "kern/lib/types.h"

struct blkdev;

/*
 * uvm_swapon - use all of dev as swap.
 *  => no VM lock held; returns 0, -ENODEV (dev NULL), -EBUSY (already
 *     swap), -EINVAL (smaller than a page) or -ENOMEM.
 */
int uvm_swapon(struct blkdev *dev);

/*
 * uvm_swapoff - stop swapping to dev, reading every page it holds back
 * into memory first.
 *  => no VM lock held; sleeps.  Returns 0; -EINVAL if dev is not swap;
 *     -ENOMEM if its pages do not fit in free memory (checked before
 *     anything is read) or memory ran out on the way - then what came in
 *     stays in, the rest stays in swap, dev is still swap and no data is
 *     lost; -EIO if a page could not be read; -EBUSY if the area would
 *     not empty.
 */
int uvm_swapoff(struct blkdev *dev);

/*
 * uvm_swap_boot - at boot: swapon the disk named opt ("vdb"), or the
 * first disk when opt is NULL; "none" means no swap.  Reports through pr.
 *  => after the disks are attached; sleeps.
 */
void uvm_swap_boot(const char *opt, kprint_fn pr);

#endif
