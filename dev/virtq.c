/*
 * dev/virtq.c - split virtqueues: the rings a virtio driver and device
 * share in memory (virtio 1.x, section 2.7).
 *
 * Three parts, laid out as the legacy transport demands (and the modern
 * one accepts), for a queue of N entries:
 *
 *   offset 0        descriptor table   N x { addr, len, flags, next }
 *   16N             avail ring         flags, idx, ring[N]    driver -> device
 *   next 4 KiB      used ring          flags, idx, ring[N] of { id, len }
 *                                                             device -> driver
 *
 * A request is a chain of descriptors linked by `next`; virtio-blk's is
 * header | data... | status:
 *
 *   desc[7] hdr (16 B, device reads) --next--> desc[2] data 4 KiB (device
 *   writes, for a read) --next--> desc[9] data 4 KiB --next--> desc[4]
 *   status (1 B, device writes)
 *
 *   avail->ring[avail->idx % N] = 7; avail->idx++; notify      (submit)
 *   ... device works ...
 *   used->ring[used->idx % N] = { id 7, len 8193 }; used->idx++; interrupt
 *   virtq_collect sees used->idx moved past last_used: slot[7].done
 *   the waiting thread reads the status, virtq_release frees 7, 2, 9, 4
 *
 * Free descriptors form a list through their own `next` fields, headed by
 * free_head.  The slot of a chain is indexed by its head descriptor, so
 * the per-request data of a driver can be too (virtio_blk's headers).
 *
 * Invariants (virtq_check): the free list has nfree entries; nfree plus
 * the descriptors of busy chains is N; inflight counts busy slots; a
 * slot is done only if busy.  avail_idx - last_used never exceeds N.
 *
 * Ordering: the device reads the ring from another thread (QEMU), so
 * descriptors are written before the avail entry, the entry before
 * avail->idx, and idx before the notify; the used entry is read only
 * after used->idx.  x86 keeps stores in order and loads in order, so a
 * compiler barrier would do; a full fence (mfence) costs little here and
 * also orders the notify's uncached store.
 *
 * Locking: vq->lock, taken by the driver and its interrupt handler.
 */
#include "dev/virtio.h"
#include "kern/core/devmem.h"
#include "kern/core/sched.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"

#define VQ_FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static size_t
vq_used_off(uint16_t n)
{
	return ROUND_UP(16UL * n + 6 + 2UL * n, PAGE_SIZE);
}

static void
vq_layout(struct virtqueue *vq, uint16_t n)
{
	vq->size = n;
	vq->desc = vq->mem;
	vq->avail = (struct virtq_avail *)((uint8_t *)vq->mem + 16UL * n);
	vq->used = (struct virtq_used *)((uint8_t *)vq->mem + vq_used_off(n));
	vq->free_head = 0;
	vq->nfree = n;
	for (uint16_t i = 0; i < n; i++)
		vq->desc[i].next = (uint16_t)(i + 1);   /* the last one: unused */
}

int
virtq_setup(struct virtio_dev *vd, int index, uint16_t max_size,
    struct virtqueue *vq)
{
	uint16_t n = virtio_queue_select(vd, index);
	paddr_t pa;
	int error;

	if (n == 0)
		return -ENOENT;
	if (!vd->legacy) {
		n = MIN(n, max_size);
		while (n & (n - 1))
			n &= (uint16_t)(n - 1);         /* a power of two */
	}
	if (n > VIRTQ_MAX_SIZE || (n & (n - 1)) != 0)
		return -EINVAL;         /* legacy: the device's size is fixed */
	memset(vq, 0, sizeof(*vq));
	vq->lock = (struct spinlock)SPINLOCK_INIT("virtq");
	vq->vd = vd;
	vq->index = index;
	vq->memlen = vq_used_off(n) + ROUND_UP(6 + 8UL * n, PAGE_SIZE);
	vq->mem = devmem_alloc_dma(vq->memlen, &pa);
	if (vq->mem == NULL)
		return -ENOMEM;
	vq_layout(vq, n);
	error = virtio_queue_program(vd, vq, pa);
	if (error != 0) {
		devmem_free_dma(vq->mem, vq->memlen);
		vq->mem = NULL;
	}
	return error;
}

int
virtq_chain_start(struct virtqueue *vq, int ndesc, struct virtq_chain *c)
{
	KASSERT(spin_held(&vq->lock));
	if (ndesc <= 0 || ndesc > vq->size)
		return -EINVAL;
	if (ndesc > vq->nfree)
		return -ENOSPC;
	*c = (struct virtq_chain){ .head = vq->free_head, .tail = vq->free_head,
		.n = 0, .want = (uint16_t)ndesc };
	return 0;
}

void
virtq_chain_add(struct virtqueue *vq, struct virtq_chain *c, paddr_t pa,
    uint32_t len, bool device_writes)
{
	uint16_t d = vq->free_head;

	KASSERT(c->n < c->want && vq->nfree > 0);
	vq->free_head = vq->desc[d].next;
	vq->nfree--;
	vq->desc[d].addr = pa;
	vq->desc[d].len = len;
	vq->desc[d].flags = device_writes ? VIRTQ_DESC_F_WRITE : 0;
	if (c->n > 0) {
		vq->desc[c->tail].flags |= VIRTQ_DESC_F_NEXT;
		vq->desc[c->tail].next = d;
	}
	c->tail = d;
	c->n++;
}

static void
vq_kick(struct virtqueue *vq)
{
	if (vq->hold_kicks) {
		vq->kick_pending = true;
		return;
	}
	VQ_FENCE();
	/* The device may say it polls anyway; then the doorbell is wasted. */
	if (!(vq->used->flags & VIRTQ_USED_F_NO_NOTIFY)) {
		virtio_queue_notify(vq->vd, vq);
		vq->kicks++;
	}
}

int
virtq_chain_submit(struct virtqueue *vq, struct virtq_chain *c)
{
	struct virtq_slot *s = &vq->slot[c->head];

	KASSERT(spin_held(&vq->lock) && c->n == c->want && !s->busy);
	*s = (struct virtq_slot){ .busy = true, .ndesc = c->n };
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = c->head;
	VQ_FENCE();                     /* the entry before the index */
	vq->avail_idx++;
	vq->avail->idx = vq->avail_idx;
	vq->submitted++;
	if (++vq->inflight > vq->inflight_max)
		vq->inflight_max = vq->inflight;
	vq_kick(vq);
	return c->head;
}

int
virtq_collect(struct virtqueue *vq)
{
	int n = 0;

	KASSERT(spin_held(&vq->lock));
	while (vq->last_used != *(volatile uint16_t *)&vq->used->idx) {
		VQ_FENCE();             /* the entry after the index */
		struct virtq_used_elem *e = &vq->used->ring[vq->last_used & (vq->size - 1)];
		if (e->id >= vq->size || !vq->slot[e->id].busy || vq->slot[e->id].done)
			panic("virtq_collect: queue %d: device returned bad head %u",
			    vq->index, e->id);
		vq->slot[e->id].done = true;
		vq->slot[e->id].len = e->len;
		wakeup(&vq->slot[e->id]);
		vq->last_used++;
		vq->completed++;
		n++;
	}
	return n;
}

void
virtq_release(struct virtqueue *vq, int head)
{
	struct virtq_slot *s = &vq->slot[head];
	uint16_t d = (uint16_t)head, n = 0;

	KASSERT(spin_held(&vq->lock) && s->busy && s->done);
	for (;;) {
		n++;
		if (!(vq->desc[d].flags & VIRTQ_DESC_F_NEXT))
			break;
		d = vq->desc[d].next;
	}
	KASSERT(n == s->ndesc);
	vq->desc[d].next = vq->free_head;       /* the chain joins the free list */
	vq->free_head = (uint16_t)head;
	vq->nfree += n;
	vq->inflight--;
	*s = (struct virtq_slot){ 0 };
	wakeup(&vq->nfree);
}

void
virtq_hold_kicks(struct virtqueue *vq, bool hold)
{
	KASSERT(spin_held(&vq->lock));
	vq->hold_kicks = hold;
	if (!hold && vq->kick_pending) {
		vq->kick_pending = false;
		vq_kick(vq);
	}
}

/* Count a busy chain's descriptors; -1 if it is malformed. */
static int
vq_chain_len(struct virtqueue *vq, uint16_t head)
{
	uint16_t d = head;
	int n = 1;

	while (vq->desc[d].flags & VIRTQ_DESC_F_NEXT) {
		d = vq->desc[d].next;
		if (d >= vq->size || ++n > vq->size)
			return -1;
	}
	return n;
}

int
virtq_check(struct virtqueue *vq, kprint_fn pr)
{
	int bad = 0, nfree = 0, busy = 0, used = 0;

	for (uint16_t d = vq->free_head; nfree < vq->nfree && d < vq->size; nfree++)
		d = vq->desc[d].next;
	if (nfree != vq->nfree && ++bad)
		pr("virtq %d: free list holds %d, nfree says %u\n", vq->index, nfree, vq->nfree);
	for (int h = 0; h < vq->size; h++) {
		if (!vq->slot[h].busy) {
			if (vq->slot[h].done && ++bad)
				pr("virtq %d: slot %d done but not busy\n", vq->index, h);
			continue;
		}
		busy++;
		int n = vq_chain_len(vq, (uint16_t)h);
		if (n != vq->slot[h].ndesc && ++bad)
			pr("virtq %d: chain %d has %d descriptors, slot says %u\n",
			    vq->index, h, n, vq->slot[h].ndesc);
		used += vq->slot[h].ndesc;
	}
	if (vq->nfree + used != vq->size && ++bad)
		pr("virtq %d: %u free + %d in flight != size %u\n", vq->index,
		    vq->nfree, used, vq->size);
	if (busy != vq->inflight && ++bad)
		pr("virtq %d: %d busy slots, inflight says %d\n", vq->index, busy, vq->inflight);
	if ((uint16_t)(vq->avail_idx - vq->last_used) > vq->size && ++bad)
		pr("virtq %d: avail %u is more than a ring ahead of used %u\n",
		    vq->index, vq->avail_idx, vq->last_used);
	return bad;
}

void
virtq_print(struct virtqueue *vq, kprint_fn pr)
{
	pr("virtq %d: size %u, %u descriptors free, %d requests in flight "
	    "(at most %d), avail idx %u, used idx %u (seen %u)\n", vq->index,
	    vq->size, vq->nfree, vq->inflight, vq->inflight_max, vq->avail_idx,
	    vq->used->idx, vq->last_used);
	pr("  submitted %lu, completed %lu, kicks %lu, waits for room %lu%s\n",
	    vq->submitted, vq->completed, vq->kicks, vq->full_waits,
	    vq->hold_kicks ? ", kicks held" : "");
	for (int h = 0; h < vq->size; h++) {
		if (vq->slot[h].busy)
			pr("  head %d: %u descriptors, %s\n", h, vq->slot[h].ndesc,
			    vq->slot[h].done ? "done" : "at the device");
	}
}
