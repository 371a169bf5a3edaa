/*
 * dev/virtio.h - virtio 1.x over PCI: the transport (finding the
 * device's registers, feature negotiation, status) and split
 * virtqueues.  dev/virtq.c explains the ring; dev/virtio_blk.c is the
 * first driver on top.
 *
 * A driver's life with a virtio device:
 *
 *   virtio_pci_attach   find the registers (modern capabilities, else
 *                       the legacy I/O BAR); reset; ACKNOWLEDGE|DRIVER
 *   virtio_negotiate    agree on features; FEATURES_OK
 *   virtio_intr_setup   MSI-X, else INTx through the I/O APIC, else none
 *   virtq_setup         each queue: size, ring memory, interrupt vector
 *   virtio_driver_ok    DRIVER_OK: the device may start using the queues
 *
 * Locking: one spin lock per virtqueue (vq->lock) guards its ring, free
 * list and slots; it is taken by the driver's request path and by the
 * interrupt handler.  Every virtq_* function below but virtq_setup wants
 * it held.  The transport registers are touched at attach time (one
 * thread) and by the handler (ISR read), which need no lock.
 */
#ifndef DEV_VIRTIO_H
#define DEV_VIRTIO_H

#include "dev/pci.h"
#include "kern/lib/printf.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/types.h"

#define VIRTIO_VENDOR 0x1af4

/* Device status bits. */
#define VIRTIO_STATUS_ACK 0x01
#define VIRTIO_STATUS_DRIVER 0x02
#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_FAILED 0x80

/* Feature bits common to all devices. */
#define VIRTIO_F_VERSION_1 (1ULL << 32)

#define VIRTIO_NO_VECTOR 0xffff
#define VIRTQ_MAX_SIZE 256

/* The ring's three parts, as the device sees them (virtio 1.x, 2.7). */
struct virtq_desc {
	uint64_t addr;          /* physical address of the buffer */
	uint32_t len;
	uint16_t flags;         /* VIRTQ_DESC_F_* */
	uint16_t next;          /* the next descriptor if F_NEXT */
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2    /* the device writes this buffer */

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;           /* where the driver will put the next head */
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;            /* head of the finished chain */
	uint32_t len;           /* bytes the device wrote */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;           /* where the device will put the next one */
	struct virtq_used_elem ring[];
};
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtio_dev {
	struct pci_dev *pci;
	bool legacy;            /* the I/O-port transport (no modern caps) */
	volatile uint8_t *common;       /* modern: common configuration */
	volatile uint8_t *isr;          /* modern: interrupt status byte */
	volatile uint8_t *devcfg;       /* modern: device configuration */
	vaddr_t notify;                 /* modern: notification area */
	uint32_t notify_mult;
	uint16_t iobase;                /* legacy: BAR0 ports */
	uint64_t features;              /* negotiated */
	struct pci_intr intr;
};

/* Per descriptor-chain head: is a request there, and has it finished? */
struct virtq_slot {
	bool busy;              /* a chain with this head is on the ring */
	bool done;              /* the device returned it (used ring) */
	uint16_t ndesc;         /* descriptors in the chain */
	uint32_t len;           /* used length the device reported */
};

struct virtqueue {
	struct spinlock lock;
	struct virtio_dev *vd;
	int index;
	uint16_t size;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	void *mem;              /* the ring memory (DMA) */
	size_t memlen;
	uint16_t notify_off;    /* modern: this queue's notify offset */
	uint16_t free_head;     /* free descriptors, chained through next */
	uint16_t nfree;
	uint16_t avail_idx;     /* our copy of avail->idx */
	uint16_t last_used;     /* the next used entry to look at */
	int inflight;           /* chains submitted and not yet released */
	int inflight_max;       /* most ever at once */
	bool hold_kicks;        /* test hook: submit without telling the device */
	bool kick_pending;
	uint64_t submitted, completed, kicks, full_waits;
	struct virtq_slot slot[VIRTQ_MAX_SIZE];
};

/* A chain under construction (virtq_chain_start .. virtq_chain_submit). */
struct virtq_chain {
	uint16_t head, tail;
	uint16_t n, want;
};

/*
 * virtio_pci_attach - take p as a virtio device: find its registers,
 * enable it on the bus, reset it and say ACKNOWLEDGE | DRIVER.
 *  => attach time; returns 0, -ENXIO (no usable registers).
 */
int virtio_pci_attach(struct virtio_dev *vd, struct pci_dev *p);

/*
 * virtio_negotiate - accept the features in want that the device
 * offers (plus VERSION_1, which a modern device must offer), then set
 * FEATURES_OK and check the device kept it.
 *  => returns 0 with vd->features set; -ENODEV if the device refuses or
 *     lacks VERSION_1 on the modern transport.
 */
int virtio_negotiate(struct virtio_dev *vd, uint64_t want);

/*
 * virtio_intr_setup - route the device's interrupts to fn(arg): MSI-X
 * unless msix=0 (then INTx through the I/O APIC), see dev/pci.c.
 *  => before virtq_setup (the queue vectors depend on it).  Returns 0,
 *     or, as pci_intr_establish, -ENXIO (no path) or -ENOSPC (no vector
 *     or shared-line slot left): no interrupts, the driver must poll.
 */
int virtio_intr_setup(struct virtio_dev *vd, intr_fn fn, void *arg);

/*
 * virtio_intr_ours - in the handler: for INTx, read (and so clear) the
 * ISR and say whether the device raised the line; MSI-X: always true.
 */
bool virtio_intr_ours(struct virtio_dev *vd);

/* virtio_driver_ok - set DRIVER_OK (after the queues are set up). */
void virtio_driver_ok(struct virtio_dev *vd);

/* virtio_fail - set FAILED (a driver gives up on the device). */
void virtio_fail(struct virtio_dev *vd);

/* virtio_cfg_read32/64 - device configuration fields at byte offset off. */
uint32_t virtio_cfg_read32(struct virtio_dev *vd, int off);
uint64_t virtio_cfg_read64(struct virtio_dev *vd, int off);

/*
 * For dev/virtq.c: virtio_queue_select - select queue index and return
 * the size the device offers (0: no such queue); virtio_queue_program -
 * give the device the selected queue's ring at pa (its size in vq) and
 * its MSI-X entry, and enable it (0 or -EIO if the vector is refused);
 * virtio_queue_notify - ring vq's doorbell.
 */
uint16_t virtio_queue_select(struct virtio_dev *vd, int index);
int virtio_queue_program(struct virtio_dev *vd, struct virtqueue *vq, paddr_t pa);
void virtio_queue_notify(struct virtio_dev *vd, struct virtqueue *vq);

/*
 * virtq_setup - set queue index up with at most max_size entries (the
 * legacy transport takes the device's size, which must fit): ring
 * memory, free list, the queue's MSI-X entry, enabled.
 *  => attach time, no lock; returns 0, -ENOENT (no such queue), -EINVAL
 *     (the size would be over VIRTQ_MAX_SIZE or not a power of two: a
 *     legacy device's fixed size that does not fit, or a max_size over
 *     VIRTQ_MAX_SIZE), -ENOMEM, -EIO (the device refused the MSI-X vector).
 */
int virtq_setup(struct virtio_dev *vd, int index, uint16_t max_size,
    struct virtqueue *vq);

/*
 * virtq_chain_start - begin a chain of ndesc descriptors; c->head is the
 * head it will have.
 *  => vq->lock held; returns 0, -ENOSPC (too few free now: sleep and
 *     retry), -EINVAL (ndesc 0 or more than the ring holds).
 */
int virtq_chain_start(struct virtqueue *vq, int ndesc, struct virtq_chain *c);

/* virtq_chain_add - append one buffer; device_writes for device-to-memory. */
void virtq_chain_add(struct virtqueue *vq, struct virtq_chain *c, paddr_t pa,
    uint32_t len, bool device_writes);

/*
 * virtq_chain_submit - put the finished chain on the avail ring and
 * notify the device (unless kicks are held).
 *  => vq->lock held; returns the head; its slot is busy until released.
 */
int virtq_chain_submit(struct virtqueue *vq, struct virtq_chain *c);

/*
 * virtq_collect - mark every chain the device has returned since the
 * last call done, and wake its waiter (channel &vq->slot[head]).
 *  => vq->lock held (the interrupt handler, or a polling thread);
 *     returns how many it found.  Never sleeps.
 */
int virtq_collect(struct virtqueue *vq);

/*
 * virtq_release - free a done chain's descriptors; wakes threads waiting
 * for room (channel &vq->nfree).  => vq->lock held; slot done.
 */
void virtq_release(struct virtqueue *vq, int head);

/*
 * virtq_hold_kicks - test hook: while held, submissions do not notify
 * the device, so requests pile up on the ring; releasing notifies once.
 *  => vq->lock held.
 */
void virtq_hold_kicks(struct virtqueue *vq, bool hold);

/*
 * virtq_check - the invariants: free-list length == nfree; nfree +
 * descriptors of busy chains == size; inflight == busy slots; every
 * busy chain is well formed.  => vq->lock held; returns the problems,
 * each reported through pr.
 */
int virtq_check(struct virtqueue *vq, kprint_fn pr);

/* virtq_print - sizes, indices, counters and the busy chains.  => lock held. */
void virtq_print(struct virtqueue *vq, kprint_fn pr);

#endif
