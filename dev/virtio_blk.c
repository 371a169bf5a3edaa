/*
 * dev/virtio_blk.c - the virtio block device driver.
 *
 * Each request is one descriptor chain: a 16-byte header the device
 * reads, the caller's segments, and a status byte the device writes.
 *
 *   reqs[head] (DMA memory, 32 bytes per possible chain head):
 *   +------+----------+--------+--------+---------+
 *   | type | reserved | sector | status | padding |
 *   +------+----------+--------+--------+---------+
 *    0      4          8        16       17..31
 *   \______ header: desc 1 ______/ \_ last desc _/
 *
 *   chain:  header --> seg 0 --> seg 1 --> ... --> status
 *           (read)     (written by the device for a read, read for a write)
 *
 * Headers live in one array indexed by the chain's head descriptor, so
 * a request needs no allocation: the descriptor it gets names its header.
 *
 * A request's life (vblk_strategy, under the queue's lock):
 *   1. wait for nseg + 2 free descriptors -- sleep on &vq->nfree if the
 *      ring is full (counted in vq->full_waits)
 *   2. fill the header, build the chain, put it on the avail ring, notify
 *   3. sleep on &vq->slot[head] until the interrupt handler's
 *      virtq_collect marks it done -- or, when the device has no usable
 *      interrupt (virtio_intr_setup failed: no local APIC or lapic=0, no
 *      I/O APIC or INTx pin for the fallback, no free vector), poll the
 *      used ring, dropping the lock and yielding between looks
 *   4. read the status byte, free the chain, wake a thread waiting for room
 * Several threads may be at step 3 at once: that is several requests in
 * flight, as many as the ring holds.
 *
 * Errors: the device's status decides, and it is never ignored:
 *   OK -> 0, IOERR -> -EIO, UNSUPP -> -EOPNOTSUPP, anything else -> -EIO
 * (the byte starts as 0xff, so a device that never wrote it is an error).
 *
 * Lock order: blk_io takes no lock around the call; vq->lock is a leaf
 * here (sleep_on releases it while asleep).  The interrupt handler takes
 * only vq->lock.
 */
#include "dev/virtio_blk.h"
#include "kern/core/devmem.h"
#include "kern/core/sched.h"
#include "kern/lib/errno.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"

#define VIRTIO_BLK_F_SIZE_MAX (1ULL << 1)
#define VIRTIO_BLK_F_SEG_MAX (1ULL << 2)
#define VIRTIO_BLK_F_RO (1ULL << 5)
#define VIRTIO_BLK_F_FLUSH (1ULL << 9)
#define VBLK_FEATURES (VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX | \
	VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH)

/* Device configuration (virtio-blk), byte offsets. */
#define VBLK_CFG_CAPACITY 0     /* u64, in 512-byte sectors */
#define VBLK_CFG_SIZE_MAX 8     /* u32, longest segment */
#define VBLK_CFG_SEG_MAX 12     /* u32, most segments per request */

#define VBLK_T_IN 0
#define VBLK_T_OUT 1
#define VBLK_T_FLUSH 4
#define VBLK_S_OK 0
#define VBLK_S_IOERR 1
#define VBLK_S_UNSUPP 2
#define VBLK_S_UNSET 0xff

struct vblk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
	uint8_t status;
	uint8_t pad[15];
};
STATIC_ASSERT(sizeof(struct vblk_req) == 32);
#define VBLK_HDR_LEN 16

struct vblk_softc {
	struct blkdev blk;
	struct virtio_dev vd;
	struct virtqueue vq;
	struct vblk_req *reqs;  /* one per descriptor (chain head) */
	paddr_t reqs_pa;
	bool polled;            /* no interrupt path: requests poll */
};

static struct vblk_softc vblk_sc[BLK_MAX_DISKS];
static int nvblk;

bool
vblk_match(const struct pci_dev *p)
{
	return p->vendor == VIRTIO_VENDOR &&
	    (p->device == VIRTIO_DEV_BLK_MODERN ||
	     p->device == VIRTIO_DEV_BLK_TRANSITIONAL);
}

/* The handler: collect finished chains; their sleepers wake. */
static void
vblk_intr(void *arg)
{
	struct vblk_softc *sc = arg;

	/* On a shared INTx line the interrupt may be another device's. */
	if (!virtio_intr_ours(&sc->vd) || sc->vq.mem == NULL)
		return;
	spin_lock(&sc->vq.lock);
	virtq_collect(&sc->vq);
	spin_unlock(&sc->vq.lock);
}

/* Step 1: room for ndesc descriptors.  => vq->lock held; may sleep. */
static int
vblk_reserve(struct vblk_softc *sc, int ndesc, struct virtq_chain *c)
{
	struct virtqueue *vq = &sc->vq;
	int error;

	while ((error = virtq_chain_start(vq, ndesc, c)) == -ENOSPC) {
		vq->full_waits++;
		if (!sc->polled) {
			sleep_on(&vq->nfree, &vq->lock, "vblkfull");
		} else {
			/* Whoever holds the descriptors is polling for them. */
			spin_unlock(&vq->lock);
			yield();
			spin_lock(&vq->lock);
		}
	}
	return error;
}

/* Step 2: header, segments, status; on the ring.  Returns the head. */
static int
vblk_submit(struct vblk_softc *sc, struct virtq_chain *c, enum blk_op op,
    uint64_t sector, const struct blk_seg *segs, int nseg)
{
	struct vblk_req *r = &sc->reqs[c->head];
	paddr_t rpa = sc->reqs_pa + (paddr_t)c->head * sizeof(*r);

	r->type = op == BLK_READ ? VBLK_T_IN : op == BLK_WRITE ? VBLK_T_OUT :
	    VBLK_T_FLUSH;
	r->reserved = 0;
	r->sector = op == BLK_FLUSH ? 0 : sector;
	r->status = VBLK_S_UNSET;
	virtq_chain_add(&sc->vq, c, rpa, VBLK_HDR_LEN, false);
	for (int i = 0; i < nseg; i++)
		virtq_chain_add(&sc->vq, c, segs[i].pa, segs[i].len, op == BLK_READ);
	virtq_chain_add(&sc->vq, c, rpa + offsetof(struct vblk_req, status), 1, true);
	return virtq_chain_submit(&sc->vq, c);
}

/* Step 3: until the device has returned head.  => vq->lock held; may sleep. */
static void
vblk_wait(struct vblk_softc *sc, int head)
{
	struct virtqueue *vq = &sc->vq;

	while (!vq->slot[head].done) {
		if (!sc->polled) {
			sleep_on(&vq->slot[head], &vq->lock, "vblkio");
			continue;
		}
		virtq_collect(vq);
		if (vq->slot[head].done)
			break;
		spin_unlock(&vq->lock);
		yield();
		spin_lock(&vq->lock);
	}
}

static int
vblk_status_errno(uint8_t status)
{
	switch (status) {
	case VBLK_S_OK:
		return 0;
	case VBLK_S_UNSUPP:
		return -EOPNOTSUPP;
	case VBLK_S_IOERR:
	default:
		return -EIO;
	}
}

static int
vblk_strategy(struct blkdev *d, enum blk_op op, uint64_t sector,
    const struct blk_seg *segs, int nseg)
{
	struct vblk_softc *sc = d->softc;
	struct virtq_chain c;
	int head, error;

	/*
	 * A device that does not offer VIRTIO_BLK_F_FLUSH has no volatile
	 * write cache to drain (it completes a write only once the data is
	 * stable), so there is nothing to do and the flush succeeds.
	 */
	if (op == BLK_FLUSH && !(sc->vd.features & VIRTIO_BLK_F_FLUSH))
		return 0;
	spin_lock(&sc->vq.lock);
	error = vblk_reserve(sc, nseg + 2, &c);
	if (error == 0) {
		head = vblk_submit(sc, &c, op, sector, segs, nseg);
		vblk_wait(sc, head);
		error = vblk_status_errno(sc->reqs[head].status);
		virtq_release(&sc->vq, head);
	}
	spin_unlock(&sc->vq.lock);
	return error;
}

/* Capacity and limits from the device configuration into the blkdev. */
static void
vblk_configure(struct vblk_softc *sc)
{
	struct blkdev *d = &sc->blk;
	uint64_t f = sc->vd.features;
	int ring_max = sc->vq.size - 2;         /* header and status take two */

	ksnprintf(d->name, sizeof(d->name), "vd%c", 'a' + nvblk);
	d->nsectors = virtio_cfg_read64(&sc->vd, VBLK_CFG_CAPACITY);
	d->max_segs = ring_max;
	if (f & VIRTIO_BLK_F_SEG_MAX) {
		uint32_t sm = virtio_cfg_read32(&sc->vd, VBLK_CFG_SEG_MAX);
		if (sm != 0 && sm < (uint32_t)ring_max)
			d->max_segs = (int)sm;
	}
	if (f & VIRTIO_BLK_F_SIZE_MAX)
		d->max_seg_len = ROUND_DOWN(virtio_cfg_read32(&sc->vd,
		    VBLK_CFG_SIZE_MAX), BLK_SECTOR);
	d->readonly = (f & VIRTIO_BLK_F_RO) != 0;
	d->strategy = vblk_strategy;
	d->softc = sc;
}

/* Transport, features, interrupt, queue, headers.  0 or -errno. */
static int
vblk_setup(struct vblk_softc *sc, struct pci_dev *p)
{
	int error;

	error = virtio_pci_attach(&sc->vd, p);
	if (error == 0)
		error = virtio_negotiate(&sc->vd, VBLK_FEATURES);
	if (error == 0) {
		sc->polled = virtio_intr_setup(&sc->vd, vblk_intr, sc) != 0;
		error = virtq_setup(&sc->vd, 0, VIRTQ_MAX_SIZE, &sc->vq);
	}
	if (error == 0) {
		sc->reqs = devmem_alloc_dma(sc->vq.size * sizeof(struct vblk_req),
		    &sc->reqs_pa);
		if (sc->reqs == NULL)
			error = -ENOMEM;
	}
	return error;
}

/* How the disk's requests complete, for the attach line. */
static const char *
vblk_intr_name(enum pci_intr_kind kind)
{
	return kind == PCI_INTR_MSIX ? "msix" : kind == PCI_INTR_INTX ? "intx" :
	    "polled";
}

static void
vblk_print(struct vblk_softc *sc, kprint_fn pr)
{
	struct blkdev *d = &sc->blk;
	const struct pci_dev *p = sc->vd.pci;

	pr("%s: virtio-blk at %02x:%02x.%x (%s transport), %lu sectors (%lu MiB), "
	    "queue %u, %d segments%s%s, interrupts: %s", d->name, p->bus, p->slot,
	    p->fn, sc->vd.legacy ? "legacy" : "modern", d->nsectors,
	    d->nsectors >> 11, sc->vq.size, d->max_segs,
	    (sc->vd.features & VIRTIO_BLK_F_FLUSH) ? ", flush" : "",
	    d->readonly ? ", read-only" : "", vblk_intr_name(sc->vd.intr.kind));
	if (sc->vd.intr.vector >= 0)
		pr(" vector %d", sc->vd.intr.vector);
	pr("\n");
}

int
vblk_attach(struct pci_dev *p)
{
	struct vblk_softc *sc;
	int error;

	if (nvblk == BLK_MAX_DISKS)
		return -ENOSPC;
	sc = &vblk_sc[nvblk];
	memset(sc, 0, sizeof(*sc));
	error = vblk_setup(sc, p);
	if (error == 0) {
		vblk_configure(sc);
		error = blk_register(&sc->blk);
	}
	if (error != 0) {
		virtio_fail(&sc->vd);
		if (sc->vd.intr.kind != PCI_INTR_NONE)
			pci_intr_disestablish(p, vblk_intr, sc, &sc->vd.intr);
		/* The ring stays allocated: the failed device may still point at it. */
		return error;
	}
	virtio_driver_ok(&sc->vd);
	vblk_print(sc, kprint);
	nvblk++;
	return 0;
}

struct virtqueue *
vblk_queue(struct blkdev *d)
{
	return d != NULL && d->strategy == vblk_strategy ?
	    &((struct vblk_softc *)d->softc)->vq : NULL;
}

struct virtio_dev *
vblk_virtio(struct blkdev *d)
{
	return d != NULL && d->strategy == vblk_strategy ?
	    &((struct vblk_softc *)d->softc)->vd : NULL;
}

void
vblk_hold_kicks(struct blkdev *d, bool hold)
{
	struct virtqueue *vq = vblk_queue(d);

	if (vq == NULL)
		return;
	spin_lock(&vq->lock);
	virtq_hold_kicks(vq, hold);
	spin_unlock(&vq->lock);
}
