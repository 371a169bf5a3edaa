/*
 * dev/virtio_blk.h - the virtio block driver (disks vda, vdb, ...).
 *
 * Requests come in through blk_io (dev/blk.h); this header is for
 * dev_attach and for tests that look at the mechanism underneath.
 *
 * Locking: each disk's virtqueue lock (struct virtqueue.lock) guards its
 * ring and request headers; see dev/virtio_blk.c.
 */
#ifndef DEV_VIRTIO_BLK_H
#define DEV_VIRTIO_BLK_H

#include "dev/blk.h"
#include "dev/pci.h"
#include "dev/virtio.h"

#define VIRTIO_DEV_BLK_MODERN 0x1042
#define VIRTIO_DEV_BLK_TRANSITIONAL 0x1001

/*
 * vblk_match - is p a virtio block device (modern or transitional)?
 *  => any context.
 */
bool vblk_match(const struct pci_dev *p);

/*
 * vblk_attach - bring p up as the next disk (vda, vdb, ...) and register
 * it with blk_register; prints one line about it.
 *  => attach time (thread context, interrupts on); returns 0 or -errno
 *     (the device is then marked FAILED and left alone).
 */
int vblk_attach(struct pci_dev *p);

/*
 * vblk_queue - the disk's request queue, for virtq_check/virtq_print.
 *  => NULL if d is not a virtio disk.
 */
struct virtqueue *vblk_queue(struct blkdev *d);

/* vblk_virtio - the disk's transport (features, interrupt path).  NULL if not virtio. */
struct virtio_dev *vblk_virtio(struct blkdev *d);

/*
 * vblk_hold_kicks - test hook: while held, requests go on the ring but
 * the device is not told, so they pile up; releasing tells it once.
 *  => thread context; never sleeps.
 */
void vblk_hold_kicks(struct blkdev *d, bool hold);

#endif
