/*
 * tests/dev/pci_test.c - dev/pci.c and dev/ioapic.c on QEMU's machine:
 * the two virtio-blk functions are found, their BARs are sized sanely,
 * the mapped BAR reads the virtio common configuration the driver set
 * up, the MSI-X entry points at the disk's vector on this CPU, and the
 * I/O APIC came from the ACPI MADT with every unused input masked.
 *
 * The machine is make test's: virtio-blk-pci at slots 4 (vda) and 5
 * (vdb), QEMU's default (transitional, device 0x1001) or modern-only
 * (0x1042).
 */
#include "dev/blk.h"
#include "dev/ioapic.h"
#include "dev/lapic.h"
#include "dev/pci.h"
#include "dev/virtio_blk.h"
#include "kern/arch/cpu_info.h"
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"

/* The nth virtio-blk function in PCI order, or NULL. */
static struct pci_dev *
vblk_pci(int nth)
{
	for (int i = 0; i < pci_count(); i++) {
		if (vblk_match(pci_get(i)) && nth-- == 0)
			return pci_get(i);
	}
	return NULL;
}

KTEST(pci, finds_the_three_virtio_blk_functions_in_slot_order)
{
	struct pci_dev *a = vblk_pci(0), *b = vblk_pci(1), *c = vblk_pci(2);

	KT_ASSERT(a != NULL && b != NULL && c != NULL);
	KT_ASSERT(vblk_pci(3) == NULL);
	KT_EQ(a->vendor, 0x1af4);
	KT_ASSERT(a->device == 0x1001 || a->device == 0x1042);
	KT_EQ(a->slot, 4);
	KT_EQ(b->slot, 5);
	KT_EQ(c->slot, 6);              /* vdc, the ext2 disk */
	KT_EQ(a->class, 0x01);          /* mass storage */
	/* The table agrees with configuration space read afresh. */
	KT_EQ(pci_conf_read16(b, PCI_VENDOR), b->vendor);
	KT_EQ(pci_conf_read16(b, PCI_DEVICE), b->device);
	KT_EQ(blk_count(), 3);
}

KTEST(pci, bars_are_power_of_two_sized_and_aligned)
{
	int nbars = 0;

	for (int i = 0; i < pci_count(); i++) {
		struct pci_dev *p = pci_get(i);
		for (int b = 0; b < PCI_NBARS; b++) {
			uint64_t sz = p->bar[b].size;
			if (sz == 0)
				continue;
			nbars++;
			KT_EQ(sz & (sz - 1), 0);
			KT_EQ(p->bar[b].base & (sz - 1), 0);
		}
	}
	KT_ASSERT(nbars >= 6);          /* virtio-blk alone has 3 each */
}

/* Offset of p's virtio capability of cfg_type type, or 0. */
static int
virtio_cap(struct pci_dev *p, int type)
{
	for (int c = pci_find_cap(p, PCI_CAP_VENDOR, 0); c != 0;
	    c = pci_find_cap(p, PCI_CAP_VENDOR, c)) {
		if (pci_conf_read8(p, c + 3) == type)
			return c;
	}
	return 0;
}

KTEST(pci, bar_mapping_reads_the_virtio_common_config)
{
	struct pci_dev *p = vblk_pci(1);
	int cap;
	vaddr_t va;
	volatile uint8_t *cc;

	KT_ASSERT(p != NULL);
	cap = virtio_cap(p, 1);
	KT_ASSERT(cap != 0);
	va = pci_bar_map(p, pci_conf_read8(p, cap + 4));
	KT_ASSERT(va != 0);
	KT_EQ(pci_bar_map(p, pci_conf_read8(p, cap + 4)), va);   /* mapped once */
	cc = (volatile uint8_t *)(va + pci_conf_read32(p, cap + 8));
	/* ACK | DRIVER | FEATURES_OK | DRIVER_OK: the driver is up. */
	KT_EQ(cc[0x14], 0x0f);
	/* num_queues: QEMU gives a virtio-blk one queue per CPU it
	 * emulates (the driver uses the first): 1, or 2 in make test's
	 * SMP boot. */
	KT_EQ(*(volatile uint16_t *)(cc + 0x12), ncpu);
	*(volatile uint32_t *)(cc + 0x00) = 1;              /* features 32-63 */
	KT_EQ(*(volatile uint32_t *)(cc + 0x04) & 1, 1);   /* VERSION_1 */
	*(volatile uint16_t *)(cc + 0x16) = 0;              /* queue 0 */
	KT_EQ(*(volatile uint16_t *)(cc + 0x18), vblk_queue(blk_lookup("vdb"))->size);
	KT_EQ(*(volatile uint16_t *)(cc + 0x1c), 1);       /* enabled */
}

/* MSI-X: table entry 0 holds this CPU's address and the disk's vector. */
static void
check_msix_route(struct pci_dev *p, const struct pci_intr *pi)
{
	uint32_t tbl;
	volatile uint32_t *e;

	KT_ASSERT(pci_conf_read16(p, p->msix_cap + 2) & 0x8000);   /* enabled */
	tbl = pci_conf_read32(p, p->msix_cap + 4);
	e = (volatile uint32_t *)(pci_bar_map(p, tbl & 7) + (tbl & ~7u));
	KT_EQ(e[0], 0xfee00000u | (lapic_read(LAPIC_ID) >> 24) << 12);
	KT_EQ(e[2], pi->vector);
	KT_EQ(e[3] & 1, 0);             /* unmasked */
	KT_ASSERT(pci_conf_read16(p, PCI_COMMAND) & PCI_CMD_INTX_DISABLE);
}

/* INTx (msix=0): the I/O APIC entry of the disk's line is live, level, its vector. */
static void
check_intx_route(struct pci_dev *p, const struct pci_intr *pi)
{
	int flags, gsi = ioapic_irq_route(p->intr_line, true, &flags);
	uint64_t e;

	KT_ASSERT(gsi >= 0);
	e = ioapic_redir(gsi);
	KT_EQ(e & 0xff, pi->vector);
	KT_EQ(e & (1UL << 16), 0);      /* unmasked */
	KT_ASSERT(e & (1UL << 15));     /* level-triggered */
	KT_EQ(pci_conf_read16(p, PCI_COMMAND) & PCI_CMD_INTX_DISABLE, 0);
}

KTEST(pci, interrupt_route_delivers_the_disk_vector_to_this_cpu)
{
	struct pci_dev *p = vblk_pci(1);
	struct blkdev *d = blk_lookup("vdb");
	const struct pci_intr *pi;

	KT_ASSERT(p != NULL && d != NULL && p->msix_cap != 0);
	KT_ASSERT(vblk_virtio(d) != NULL && vblk_virtio(d)->pci == p);
	pi = &vblk_virtio(d)->intr;
	if (pi->kind == PCI_INTR_MSIX)
		check_msix_route(p, pi);
	else if (pi->kind == PCI_INTR_INTX)
		check_intx_route(p, pi);
	else
		ktest_fail(__FILE__, __LINE__, "vdb has no interrupt (polled, vector %d): "
		    "lapic=0?", pi->vector);
}

KTEST(pci, ioapic_from_the_madt_masks_unused_inputs)
{
	int flags, gsi;

	KT_ASSERT(ioapic_present());
	ktest_capture_reset();
	ioapic_print(ktest_capture);
	KT_ASSERT(ktest_captured_has("from the ACPI MADT"));
	/* QEMU's MADT: the PIT's IRQ 0 arrives on GSI 2, edge. */
	gsi = ioapic_irq_route(0, false, &flags);
	KT_EQ(gsi, 2);
	KT_EQ(flags & IOAPIC_LEVEL, 0);
	/* PCI IRQ 10: level-triggered, active high by its override. */
	gsi = ioapic_irq_route(10, true, &flags);
	KT_EQ(gsi, 10);
	KT_EQ(flags, IOAPIC_LEVEL);
	KT_ASSERT(ioapic_redir(2) & (1UL << 16));       /* masked: unused */
	KT_EQ(ioapic_irq_route(200, false, &flags), -ENXIO);
}

KTEST(pci, device_list_names_every_function)
{
	ktest_capture_reset();
	pci_print(ktest_capture);
	KT_EQ(ktest_captured_lines() >= pci_count() + 1, 1);
	KT_ASSERT(ktest_captured_has("00:04.0 1af4:"));
	KT_ASSERT(ktest_captured_has("00:05.0 1af4:"));
	KT_ASSERT(ktest_captured_has("bar4 mem64"));
	KT_ASSERT(ktest_captured_has("msix"));
}
