/*
 * dev/virtio.c - the virtio 1.x PCI transport: where a device's
 * registers are, feature negotiation, status, interrupts.
 *
 * A modern (virtio 1.x) device describes its register blocks with
 * vendor-specific PCI capabilities (id 0x09), each naming a BAR and an
 * offset in it:
 *
 *   cap: | 09 | next | len | cfg_type | bar | pad[3] | offset | length | (notify: multiplier)
 *     cfg_type 1 common   feature words, status, queue select/size/addresses
 *              2 notify   write a queue's index here to say "look at the ring"
 *              3 isr      one byte, read-to-clear, for INTx
 *              4 device   the device's own fields (virtio-blk: capacity, seg_max)
 *
 *   BAR4 (64-bit memory, QEMU): +0x0000 common  +0x1000 isr
 *                               +0x2000 device  +0x3000 notify
 *
 * A device without these capabilities (a pre-1.0 "legacy" device, or
 * QEMU's disable-modern=on) is driven through the legacy layout in its
 * I/O BAR0: features (32 bits only), queue PFN, status, ISR, and the
 * device fields after them (at 0x14, or 0x18 once MSI-X is on).
 * Transitional devices (QEMU's default virtio-blk-pci, device id 0x1001)
 * have both; this file always prefers the modern one.
 *
 * Status handshake (each step ORed into the status register):
 *   0 (reset) -> ACKNOWLEDGE -> DRIVER -> [features] -> FEATURES_OK
 *     -> [queues] -> DRIVER_OK            any failure: FAILED
 *
 * Invariant: the register pointers are set once at attach and point at
 * uncached mappings (pci_bar_map) for good.
 */
#include "dev/virtio.h"
#include "kern/core/cmdline.h"
#include "kern/arch/cpu.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/printf.h"

KOPT(msix, "msix", "0: virtio devices interrupt through their INTx line and the I/O APIC instead of MSI-X");

/* Modern common configuration (cfg_type 1), byte offsets. */
#define VC_DFSELECT 0x00
#define VC_DF 0x04
#define VC_GFSELECT 0x08
#define VC_GF 0x0c
#define VC_MSIX_CONFIG 0x10
#define VC_STATUS 0x14
#define VC_GENERATION 0x15
#define VC_Q_SELECT 0x16
#define VC_Q_SIZE 0x18
#define VC_Q_MSIX 0x1a
#define VC_Q_ENABLE 0x1c
#define VC_Q_NOTIFY_OFF 0x1e
#define VC_Q_DESC 0x20
#define VC_Q_DRIVER 0x28
#define VC_Q_DEVICE 0x30

/* Legacy I/O BAR0 registers. */
#define VL_HOST_FEATURES 0x00
#define VL_GUEST_FEATURES 0x04
#define VL_Q_PFN 0x08
#define VL_Q_SIZE 0x0c
#define VL_Q_SELECT 0x0e
#define VL_Q_NOTIFY 0x10
#define VL_STATUS 0x12
#define VL_ISR 0x13
#define VL_MSIX_CONFIG 0x14
#define VL_Q_MSIX 0x16

enum { VCAP_COMMON = 1, VCAP_NOTIFY = 2, VCAP_ISR = 3, VCAP_DEVICE = 4 };

#define C8(vd, o) (*(volatile uint8_t *)((vd)->common + (o)))
#define C16(vd, o) (*(volatile uint16_t *)((vd)->common + (o)))
#define C32(vd, o) (*(volatile uint32_t *)((vd)->common + (o)))

/* The address one capability describes, or NULL if its BAR is unusable. */
static volatile uint8_t *
vcap_addr(struct pci_dev *p, int cap)
{
	int bar = pci_conf_read8(p, cap + 4);
	vaddr_t va;

	if (bar >= PCI_NBARS)
		return NULL;
	va = pci_bar_map(p, bar);
	if (va == 0)
		return NULL;
	return (volatile uint8_t *)(va + pci_conf_read32(p, cap + 8));
}

/* Find the modern register blocks (the first capability of each type). */
static bool
virtio_find_modern(struct virtio_dev *vd, struct pci_dev *p)
{
	for (int cap = pci_find_cap(p, PCI_CAP_VENDOR, 0); cap != 0;
	    cap = pci_find_cap(p, PCI_CAP_VENDOR, cap)) {
		int type = pci_conf_read8(p, cap + 3);
		if (type == VCAP_COMMON && vd->common == NULL)
			vd->common = vcap_addr(p, cap);
		else if (type == VCAP_ISR && vd->isr == NULL)
			vd->isr = vcap_addr(p, cap);
		else if (type == VCAP_DEVICE && vd->devcfg == NULL)
			vd->devcfg = vcap_addr(p, cap);
		else if (type == VCAP_NOTIFY && vd->notify == 0) {
			vd->notify = (vaddr_t)vcap_addr(p, cap);
			vd->notify_mult = pci_conf_read32(p, cap + 16);
		}
	}
	return vd->common != NULL && vd->isr != NULL && vd->notify != 0;
}

static uint8_t
virtio_get_status(struct virtio_dev *vd)
{
	return vd->legacy ? inb(vd->iobase + VL_STATUS) : C8(vd, VC_STATUS);
}

static void
virtio_set_status(struct virtio_dev *vd, uint8_t st)
{
	if (vd->legacy)
		outb(vd->iobase + VL_STATUS, st);
	else
		C8(vd, VC_STATUS) = st;
}

int
virtio_pci_attach(struct virtio_dev *vd, struct pci_dev *p)
{
	*vd = (struct virtio_dev){ .pci = p };
	vd->intr = (struct pci_intr){ .kind = PCI_INTR_NONE, .vector = -1, .gsi = -1 };
	pci_enable(p);
	if (!virtio_find_modern(vd, p)) {
		if (!(p->bar[0].flags & PCI_BAR_IO) || p->bar[0].size < 0x14)
			return -ENXIO;
		*vd = (struct virtio_dev){ .pci = p, .legacy = true,
			.iobase = (uint16_t)p->bar[0].base, .intr = vd->intr };
	}
	virtio_set_status(vd, 0);                       /* reset */
	for (int i = 0; i < 1000000 && virtio_get_status(vd) != 0; i++)
		__asm__ volatile("pause");
	virtio_set_status(vd, VIRTIO_STATUS_ACK);
	virtio_set_status(vd, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER);
	return 0;
}

static uint64_t
device_features(struct virtio_dev *vd)
{
	if (vd->legacy)
		return inl(vd->iobase + VL_HOST_FEATURES);
	C32(vd, VC_DFSELECT) = 0;
	uint64_t lo = C32(vd, VC_DF);
	C32(vd, VC_DFSELECT) = 1;
	return lo | (uint64_t)C32(vd, VC_DF) << 32;
}

static void
driver_features(struct virtio_dev *vd, uint64_t f)
{
	if (vd->legacy) {
		outl(vd->iobase + VL_GUEST_FEATURES, (uint32_t)f);
		return;
	}
	C32(vd, VC_GFSELECT) = 0;
	C32(vd, VC_GF) = (uint32_t)f;
	C32(vd, VC_GFSELECT) = 1;
	C32(vd, VC_GF) = (uint32_t)(f >> 32);
}

int
virtio_negotiate(struct virtio_dev *vd, uint64_t want)
{
	uint64_t offered = device_features(vd);
	uint8_t st;

	if (!vd->legacy) {
		/* A modern driver must insist: without it the layout is legacy's. */
		if (!(offered & VIRTIO_F_VERSION_1))
			return -ENODEV;
		want |= VIRTIO_F_VERSION_1;
	} else {
		want &= 0xffffffffu;    /* legacy has one feature word */
	}
	vd->features = offered & want;
	driver_features(vd, vd->features);
	if (vd->legacy)
		return 0;               /* no FEATURES_OK step before 1.0 */
	st = virtio_get_status(vd) | VIRTIO_STATUS_FEATURES_OK;
	virtio_set_status(vd, st);
	if (!(virtio_get_status(vd) & VIRTIO_STATUS_FEATURES_OK))
		return -ENODEV;
	return 0;
}

int
virtio_intr_setup(struct virtio_dev *vd, intr_fn fn, void *arg)
{
	bool allow_msix = kopt_get_u64("msix", 1) != 0;
	int error = pci_intr_establish(vd->pci, allow_msix, fn, arg, &vd->intr);

	if (error != 0)
		return error;
	/* Configuration changes are not interesting here: no vector for them. */
	if (vd->intr.kind == PCI_INTR_MSIX) {
		if (vd->legacy)
			outw(vd->iobase + VL_MSIX_CONFIG, VIRTIO_NO_VECTOR);
		else
			C16(vd, VC_MSIX_CONFIG) = VIRTIO_NO_VECTOR;
	}
	return 0;
}

bool
virtio_intr_ours(struct virtio_dev *vd)
{
	if (vd->intr.kind == PCI_INTR_MSIX)
		return true;            /* a message is never shared */
	/* Reading the ISR clears it and lowers the line. */
	return (vd->legacy ? inb(vd->iobase + VL_ISR) : *vd->isr) & 1;
}

void
virtio_driver_ok(struct virtio_dev *vd)
{
	virtio_set_status(vd, virtio_get_status(vd) | VIRTIO_STATUS_DRIVER_OK);
}

void
virtio_fail(struct virtio_dev *vd)
{
	if (!vd->legacy && vd->common == NULL)
		return;                 /* never found its registers */
	virtio_set_status(vd, virtio_get_status(vd) | VIRTIO_STATUS_FAILED);
}

/* Where the legacy device fields start: after the MSI-X vectors if on. */
static uint16_t
legacy_cfg(struct virtio_dev *vd)
{
	return vd->iobase + (vd->intr.kind == PCI_INTR_MSIX ? 0x18 : 0x14);
}

uint32_t
virtio_cfg_read32(struct virtio_dev *vd, int off)
{
	if (vd->legacy)
		return inl(legacy_cfg(vd) + off);
	if (vd->devcfg == NULL)
		return 0;
	return *(volatile uint32_t *)(vd->devcfg + off);
}

uint64_t
virtio_cfg_read64(struct virtio_dev *vd, int off)
{
	uint32_t lo, hi;
	uint8_t gen;

	/* Two 32-bit reads may straddle an update: retry until the generation holds. */
	do {
		gen = vd->legacy ? 0 : C8(vd, VC_GENERATION);
		lo = virtio_cfg_read32(vd, off);
		hi = virtio_cfg_read32(vd, off + 4);
	} while (!vd->legacy && gen != C8(vd, VC_GENERATION));
	return lo | (uint64_t)hi << 32;
}

/* Modern queue registers: size chosen, addresses, vector; enable. */
static int
modern_queue(struct virtio_dev *vd, struct virtqueue *vq, paddr_t pa)
{
	paddr_t avail = pa + ((vaddr_t)vq->avail - (vaddr_t)vq->mem);
	paddr_t used = pa + ((vaddr_t)vq->used - (vaddr_t)vq->mem);

	C16(vd, VC_Q_SIZE) = vq->size;
	C32(vd, VC_Q_DESC) = (uint32_t)pa;
	C32(vd, VC_Q_DESC + 4) = (uint32_t)(pa >> 32);
	C32(vd, VC_Q_DRIVER) = (uint32_t)avail;
	C32(vd, VC_Q_DRIVER + 4) = (uint32_t)(avail >> 32);
	C32(vd, VC_Q_DEVICE) = (uint32_t)used;
	C32(vd, VC_Q_DEVICE + 4) = (uint32_t)(used >> 32);
	vq->notify_off = C16(vd, VC_Q_NOTIFY_OFF);
	if (vd->intr.kind == PCI_INTR_MSIX) {
		C16(vd, VC_Q_MSIX) = 0;         /* MSI-X table entry 0 */
		if (C16(vd, VC_Q_MSIX) != 0)
			return -EIO;
	}
	C16(vd, VC_Q_ENABLE) = 1;
	return 0;
}

/* Legacy: the ring's page frame number; the layout is fixed (virtq.c). */
static int
legacy_queue(struct virtio_dev *vd, struct virtqueue *vq, paddr_t pa)
{
	/* The device computes the avail and used addresses from the PFN itself. */
	KASSERT((vaddr_t)vq->used - (vaddr_t)vq->mem == ROUND_UP(18UL * vq->size + 6, PAGE_SIZE));
	if (vd->intr.kind == PCI_INTR_MSIX) {
		outw(vd->iobase + VL_Q_MSIX, 0);
		if (inw(vd->iobase + VL_Q_MSIX) != 0)
			return -EIO;
	}
	outl(vd->iobase + VL_Q_PFN, (uint32_t)(pa >> 12));
	return 0;
}

/* Select queue index; its size (0: none), as the device allows. */
uint16_t
virtio_queue_select(struct virtio_dev *vd, int index)
{
	if (vd->legacy) {
		outw(vd->iobase + VL_Q_SELECT, (uint16_t)index);
		return inw(vd->iobase + VL_Q_SIZE);
	}
	C16(vd, VC_Q_SELECT) = (uint16_t)index;
	return C16(vd, VC_Q_SIZE);
}

/* Tell the device about the selected queue's ring at pa. */
int
virtio_queue_program(struct virtio_dev *vd, struct virtqueue *vq, paddr_t pa)
{
	return vd->legacy ? legacy_queue(vd, vq, pa) : modern_queue(vd, vq, pa);
}

/* Ring vq's doorbell. */
void
virtio_queue_notify(struct virtio_dev *vd, struct virtqueue *vq)
{
	if (vd->legacy)
		outw(vd->iobase + VL_Q_NOTIFY, (uint16_t)vq->index);
	else
		*(volatile uint16_t *)(vd->notify +
		    (vaddr_t)vq->notify_off * vd->notify_mult) = (uint16_t)vq->index;
}
