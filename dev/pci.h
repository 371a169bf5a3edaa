/*
 * dev/pci.h - PCI: configuration space, the device list, BARs, and a
 * device's interrupt (MSI-X, or its INTx line through the I/O APIC).
 *
 * Every PCI function has 256 bytes of configuration space, reached here
 * through configuration mechanism #1 (two I/O ports, dev/pci.c).  The
 * start of it, for an ordinary device (header type 0):
 *
 *   0x00  vendor id | device id        0x2c  subsystem vendor | subsystem
 *   0x04  command   | status           0x34  capability list pointer
 *   0x08  revision, prog-if, subclass, class
 *   0x0e  header type (bit 7: more than one function)
 *   0x10  BAR0 ... 0x24 BAR5           0x3c  interrupt line | pin
 *
 * pci_enumerate walks bus 0 and every bus behind a PCI-PCI bridge once,
 * at attach time, and keeps what it found in a fixed table, in the order
 * found (bus, then slot, then function): drivers attach in that order,
 * so the first virtio disk is vda.
 *
 * Locking: the table is written once by pci_enumerate (dev_attach, one
 * thread) and only read afterwards.  Configuration accesses are two port
 * operations that must not interleave, so each runs with interrupts off
 * (one CPU: that is exclusion enough).
 */
#ifndef DEV_PCI_H
#define DEV_PCI_H

#include "kern/core/intr.h"
#include "kern/lib/printf.h"
#include "kern/lib/types.h"

#define PCI_MAX_DEVS 64
#define PCI_NBARS 6

/* Configuration-space offsets. */
#define PCI_VENDOR 0x00
#define PCI_DEVICE 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CLASS_REV 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SECONDARY_BUS 0x19  /* bridges (header type 1) */
#define PCI_CAP_PTR 0x34
#define PCI_INTR_LINE 0x3c
#define PCI_INTR_PIN 0x3d

#define PCI_CMD_IO 0x0001
#define PCI_CMD_MEM 0x0002
#define PCI_CMD_BUSMASTER 0x0004
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS_CAPS 0x0010

#define PCI_CAP_MSIX 0x11
#define PCI_CAP_VENDOR 0x09

/* struct pci_bar flags */
#define PCI_BAR_IO 0x1          /* an I/O-port range (else memory) */
#define PCI_BAR_64 0x2          /* a 64-bit memory BAR (uses the next slot too) */
#define PCI_BAR_PREFETCH 0x4

struct pci_bar {
	uint64_t base;          /* bus address or port; 0: no BAR here */
	uint64_t size;          /* bytes (ports for I/O) */
	int flags;
	vaddr_t va;             /* uncached mapping once pci_bar_map ran */
};

struct pci_dev {
	uint8_t bus, slot, fn;
	uint16_t vendor, device;
	uint8_t class, subclass, progif, revision;
	uint8_t header;         /* header type, bit 7 cleared */
	uint8_t intr_line;      /* the ISA IRQ the firmware routed INTx to */
	uint8_t intr_pin;       /* 0 none, 1-4 INTA-INTD */
	int msix_cap;           /* config offset of the MSI-X capability, or 0 */
	struct pci_bar bar[PCI_NBARS];
};

/* How a device's interrupt reaches the CPU (pci_intr_establish). */
enum pci_intr_kind { PCI_INTR_NONE, PCI_INTR_MSIX, PCI_INTR_INTX };

struct pci_intr {
	enum pci_intr_kind kind;
	int vector;             /* the IDT vector it arrives on; -1 for NONE */
	int gsi;                /* INTx: the I/O APIC input; -1 otherwise */
};

/*
 * pci_conf_read32/16/8, pci_conf_write32/16/8 - one configuration
 * register of p (reg aligned to the access size).
 *  => any thread context; interrupts are off for the two port accesses.
 */
uint32_t pci_conf_read32(const struct pci_dev *p, int reg);
uint16_t pci_conf_read16(const struct pci_dev *p, int reg);
uint8_t pci_conf_read8(const struct pci_dev *p, int reg);
void pci_conf_write32(const struct pci_dev *p, int reg, uint32_t v);
void pci_conf_write16(const struct pci_dev *p, int reg, uint16_t v);

/*
 * pci_enumerate - find every function on bus 0 and behind bridges, size
 * their BARs (without moving them: the firmware assigned them).
 *  => once (later calls return the same count); may print nothing.
 *  => returns how many functions it found.
 */
int pci_enumerate(void);

/* pci_count, pci_get - the functions found; pci_get(i) is NULL past the end. */
int pci_count(void);
struct pci_dev *pci_get(int i);

/*
 * pci_print - the device list, one line per function and one per BAR:
 *     pci 00:04.0 1af4:1001 class 01.00 (storage/scsi) irq 10 pin A msix
 *         bar0 io    0xc040 size 0x40
 *  => any context; pr is called once per line.
 */
void pci_print(kprint_fn pr);

/*
 * pci_bar_map - an uncached kernel mapping of memory BAR i of p.
 *  => maps on the first call (kern/devmem), returns the same address
 *     later; 0 for an I/O or absent BAR or when addresses run out.
 *  => thread context at attach time (the mapping is for good).
 */
vaddr_t pci_bar_map(struct pci_dev *p, int i);

/*
 * pci_find_cap - the configuration offset of p's first capability with
 * this id after offset `after` (0: from the start), or 0 if none.
 */
int pci_find_cap(const struct pci_dev *p, uint8_t id, int after);

/* pci_enable - turn on I/O and memory decoding and bus mastering (DMA). */
void pci_enable(const struct pci_dev *p);

/*
 * pci_intr_establish - route p's interrupt to fn(arg) on a fresh vector:
 * MSI-X table entry 0 when the device has MSI-X, the local APIC is on
 * and allow_msix; else its INTx line through the I/O APIC (shared with
 * whoever else is wired to that line, so fn must cope with interrupts
 * that are not its own).  See dev/pci.c for why this order.
 *  => fills *pi; returns 0, or when neither path can work (the driver
 *     must then poll) -ENXIO (no local APIC, no pin, no I/O APIC input)
 *     or -ENOSPC (the INTx fallback found no free vector, or its line
 *     already has IOAPIC_MAX_SHARED handlers).
 *  => thread context at attach time; never sleeps.
 */
int pci_intr_establish(struct pci_dev *p, bool allow_msix, intr_fn fn,
    void *arg, struct pci_intr *pi);

/*
 * pci_intr_disestablish - undo pci_intr_establish (MSI-X turned off, or
 * fn taken off the shared line) and free the vector if it was its own.
 */
void pci_intr_disestablish(struct pci_dev *p, intr_fn fn, void *arg,
    struct pci_intr *pi);

#endif
