/*
 * dev/pci.c - PCI configuration mechanism #1, bus enumeration, BAR
 * sizing and mapping, MSI-X, and the choice of interrupt path.
 *
 * Configuration mechanism #1.  Write an address to port 0xcf8, then read
 * or write the 32-bit register it names through port 0xcfc (a byte or
 * word of it through 0xcfc + (reg & 3)):
 *
 *    31  30    24 23    16 15   11 10    8 7        2 1 0
 *   +---+--------+--------+-------+-------+----------+---+
 *   | E |  0     |  bus   | slot  |  fn   | reg >> 2 | 0 |     E: enable
 *   +---+--------+--------+-------+-------+----------+---+
 *   e.g. bus 0, slot 4, fn 0, reg 0x10 (BAR0): 0x80002010
 *
 * The pair of accesses must not be split by another pair, so each runs
 * with interrupts off.
 *
 * Sizing a BAR.  Write all ones to it and read back: the bits the device
 * keeps at zero are the size (the low bits are type flags, not address):
 *   memory BAR reads 0xfffff000 after the write -> size 0x1000
 * Decoding is switched off meanwhile so the all-ones address never
 * claims bus cycles, and the firmware's value is written back: this
 * kernel keeps the firmware's (SeaBIOS's) assignment.
 *
 * Interrupts: which path is used when.
 *   1. MSI-X, if the device has the capability, the local APIC is on and
 *      the caller allows it (virtio does unless msix=0): the device writes
 *      the vector straight to the local APIC -- a message to address
 *      0xfee00000 | (apic id << 12) with data = vector.  Nothing is
 *      shared, nothing needs acknowledging at the device.
 *   2. Otherwise INTx: the pin the firmware routed to an IRQ (config
 *      0x3c), through the I/O APIC (dev/ioapic.c), level-triggered and
 *      possibly shared with other devices.
 *   3. Neither (no local APIC, say): -ENXIO, or -ENOSPC if INTx ran out
 *      of vectors or shared-line slots, and the driver polls.
 * Either way the end-of-interrupt goes to the local APIC (kern/core/intr.c).
 *
 * Invariants: devs[0..ndevs) never change after pci_enumerate; a BAR's
 * va, once set, stays mapped for good.
 */
#include "dev/pci.h"
#include "kern/lib/spinlock.h"
#include "dev/ioapic.h"
#include "dev/lapic.h"
#include "kern/arch/cpu.h"
#include "kern/core/devmem.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define PCI_MSIX_CTL_ENABLE 0x8000
#define PCI_MSIX_CTL_MASKALL 0x4000
#define PCI_MSIX_ENTRY_SIZE 16
#define MSI_ADDR_BASE 0xfee00000u

static struct pci_dev devs[PCI_MAX_DEVS];
static int ndevs = -1;          /* -1: not enumerated yet */
static bool bus_seen[256];

/*
 * A configuration access is two port operations (address, then data) that
 * no other CPU's access may come between: pci_conf_lock.
 */
static struct spinlock pci_conf_lock = SPINLOCK_INIT("pci conf");

static uint32_t
conf_addr(int bus, int slot, int fn, int reg)
{
	return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)slot << 11 |
	    (uint32_t)fn << 8 | (uint32_t)(reg & 0xfc);
}

static uint32_t
conf_read(int bus, int slot, int fn, int reg)
{
	spin_lock(&pci_conf_lock);
	uint32_t v;

	outl(PCI_CONF_ADDR, conf_addr(bus, slot, fn, reg));
	v = inl(PCI_CONF_DATA);
	spin_unlock(&pci_conf_lock);
	return v;
}

static void
conf_write(int bus, int slot, int fn, int reg, uint32_t v)
{
	spin_lock(&pci_conf_lock);

	outl(PCI_CONF_ADDR, conf_addr(bus, slot, fn, reg));
	outl(PCI_CONF_DATA, v);
	spin_unlock(&pci_conf_lock);
}

uint32_t
pci_conf_read32(const struct pci_dev *p, int reg)
{
	return conf_read(p->bus, p->slot, p->fn, reg);
}

uint16_t
pci_conf_read16(const struct pci_dev *p, int reg)
{
	return (uint16_t)(pci_conf_read32(p, reg) >> ((reg & 2) * 8));
}

uint8_t
pci_conf_read8(const struct pci_dev *p, int reg)
{
	return (uint8_t)(pci_conf_read32(p, reg) >> ((reg & 3) * 8));
}

void
pci_conf_write32(const struct pci_dev *p, int reg, uint32_t v)
{
	conf_write(p->bus, p->slot, p->fn, reg, v);
}

/*
 * A 16-bit write goes out as a 16-bit port access to 0xcfc + (reg & 2):
 * a read-modify-write of the whole word would write back the status
 * register's write-one-to-clear bits next to the command register.
 */
void
pci_conf_write16(const struct pci_dev *p, int reg, uint16_t v)
{
	spin_lock(&pci_conf_lock);

	outl(PCI_CONF_ADDR, conf_addr(p->bus, p->slot, p->fn, reg));
	outw(PCI_CONF_DATA + (reg & 2), v);
	spin_unlock(&pci_conf_lock);
}

/* Write all ones to the BAR at reg, read what sticks, put the old value back. */
static uint32_t
bar_probe(const struct pci_dev *p, int reg, uint32_t *old)
{
	uint32_t v;

	*old = pci_conf_read32(p, reg);
	pci_conf_write32(p, reg, 0xffffffffu);
	v = pci_conf_read32(p, reg);
	pci_conf_write32(p, reg, *old);
	return v;
}

/* Size BAR i; returns how many slots it used (2 for a 64-bit BAR). */
static int
bar_size(struct pci_dev *p, int i)
{
	struct pci_bar *b = &p->bar[i];
	int reg = PCI_BAR0 + 4 * i;
	uint32_t old, hiold, mask, himask = 0xffffffffu;

	mask = bar_probe(p, reg, &old);
	if (mask == 0 || mask == 0xffffffffu)
		return 1;               /* not implemented */
	if (old & 1) {
		b->flags = PCI_BAR_IO;
		b->base = old & ~3u;
		b->size = (uint16_t)(~(mask & ~3u) + 1);
		return 1;
	}
	b->flags = (old & 8) ? PCI_BAR_PREFETCH : 0;
	b->base = old & ~0xfu;
	if (((old >> 1) & 3) == 2 && i + 1 < PCI_NBARS) {
		b->flags |= PCI_BAR_64;
		himask = bar_probe(p, reg + 4, &hiold);
		b->base |= (uint64_t)hiold << 32;
	}
	b->size = ~(((uint64_t)himask << 32) | (mask & ~0xfu)) + 1;
	return (b->flags & PCI_BAR_64) ? 2 : 1;
}

static void
size_bars(struct pci_dev *p)
{
	int nbars = p->header == 0 ? 6 : p->header == 1 ? 2 : 0;
	uint16_t cmd = pci_conf_read16(p, PCI_COMMAND);

	pci_conf_write16(p, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (int i = 0; i < nbars;)
		i += bar_size(p, i);
	pci_conf_write16(p, PCI_COMMAND, cmd);
}

static void scan_bus(int bus);

/* Record function fn of slot (it exists); a bridge's bus is scanned next. */
static void
add_function(int bus, int slot, int fn)
{
	struct pci_dev *p;
	uint32_t cr;

	if (ndevs >= PCI_MAX_DEVS)
		return;
	p = &devs[ndevs++];
	*p = (struct pci_dev){ .bus = bus, .slot = slot, .fn = fn };
	p->vendor = pci_conf_read16(p, PCI_VENDOR);
	p->device = pci_conf_read16(p, PCI_DEVICE);
	cr = pci_conf_read32(p, PCI_CLASS_REV);
	p->class = cr >> 24;
	p->subclass = cr >> 16;
	p->progif = cr >> 8;
	p->revision = cr;
	p->header = pci_conf_read8(p, PCI_HEADER_TYPE) & 0x7f;
	p->intr_line = pci_conf_read8(p, PCI_INTR_LINE);
	p->intr_pin = pci_conf_read8(p, PCI_INTR_PIN);
	p->msix_cap = pci_find_cap(p, PCI_CAP_MSIX, 0);
	size_bars(p);
	if (p->header == 1 && p->class == 0x06 && p->subclass == 0x04)
		scan_bus(pci_conf_read8(p, PCI_SECONDARY_BUS));
}

static void
scan_bus(int bus)
{
	if (bus_seen[bus])
		return;                 /* a misprogrammed bridge: no loops */
	bus_seen[bus] = true;
	for (int slot = 0; slot < 32; slot++) {
		if ((conf_read(bus, slot, 0, PCI_VENDOR) & 0xffff) == 0xffff)
			continue;
		bool multi = (conf_read(bus, slot, 0, PCI_HEADER_TYPE & ~3) >> 16) & 0x80;
		for (int fn = 0; fn < (multi ? 8 : 1); fn++) {
			if ((conf_read(bus, slot, fn, PCI_VENDOR) & 0xffff) != 0xffff)
				add_function(bus, slot, fn);
		}
	}
}

int
pci_enumerate(void)
{
	if (ndevs < 0) {
		ndevs = 0;
		scan_bus(0);
	}
	return ndevs;
}

int
pci_count(void)
{
	return ndevs < 0 ? 0 : ndevs;
}

struct pci_dev *
pci_get(int i)
{
	return i >= 0 && i < pci_count() ? &devs[i] : NULL;
}

static const char *
class_name(const struct pci_dev *p)
{
	static const char *const names[] = {
		"old", "storage", "network", "display", "multimedia", "memory",
		"bridge", "comm", "system", "input", "dock", "cpu", "serial-bus",
	};

	if (p->class == 0x01 && p->subclass == 0x00)
		return "storage/scsi";  /* how virtio-blk introduces itself */
	return p->class < ARRAY_SIZE(names) ? names[p->class] : "other";
}

static void
print_bar(const struct pci_bar *b, int i, kprint_fn pr)
{
	pr("    bar%d %-5s %#lx size %#lx%s%s\n", i,
	    (b->flags & PCI_BAR_IO) ? "io" : (b->flags & PCI_BAR_64) ? "mem64" : "mem",
	    b->base, b->size, (b->flags & PCI_BAR_PREFETCH) ? " prefetchable" : "",
	    b->va != 0 ? " (mapped)" : "");
}

void
pci_print(kprint_fn pr)
{
	pr("pci: %d functions\n", pci_count());
	for (int i = 0; i < pci_count(); i++) {
		const struct pci_dev *p = &devs[i];
		pr("  pci %02x:%02x.%x %04x:%04x class %02x.%02x (%s)",
		    p->bus, p->slot, p->fn, p->vendor, p->device, p->class,
		    p->subclass, class_name(p));
		if (p->intr_pin != 0)
			pr(" irq %d pin %c", p->intr_line, 'A' + p->intr_pin - 1);
		pr("%s\n", p->msix_cap ? " msix" : "");
		for (int b = 0; b < PCI_NBARS; b++) {
			if (p->bar[b].size != 0)
				print_bar(&p->bar[b], b, pr);
		}
	}
}

vaddr_t
pci_bar_map(struct pci_dev *p, int i)
{
	struct pci_bar *b;

	if (i < 0 || i >= PCI_NBARS)
		return 0;
	b = &p->bar[i];
	if (b->size == 0 || (b->flags & PCI_BAR_IO) || b->base == 0)
		return 0;
	if (b->va == 0)
		b->va = devmem_map(b->base, b->size);
	return b->va;
}

int
pci_find_cap(const struct pci_dev *p, uint8_t id, int after)
{
	int off, guard = 0;

	if (!(pci_conf_read16(p, PCI_STATUS) & PCI_STATUS_CAPS))
		return 0;
	off = after ? pci_conf_read8(p, after + 1) : pci_conf_read8(p, PCI_CAP_PTR);
	/* 48 hops at most: a list that loops must not hang the boot. */
	for (off &= 0xfc; off != 0 && guard < 48; guard++) {
		if (pci_conf_read8(p, off) == id)
			return off;
		off = pci_conf_read8(p, off + 1) & 0xfc;
	}
	return 0;
}

void
pci_enable(const struct pci_dev *p)
{
	uint16_t cmd = pci_conf_read16(p, PCI_COMMAND);

	pci_conf_write16(p, PCI_COMMAND, cmd | PCI_CMD_IO | PCI_CMD_MEM |
	    PCI_CMD_BUSMASTER);
}

/* Point MSI-X table entry 0 at vector on this CPU and turn MSI-X on. */
static int
msix_setup(struct pci_dev *p, int vector)
{
	int cap = p->msix_cap;
	uint32_t tbl = pci_conf_read32(p, cap + 4);
	uint16_t ctl = pci_conf_read16(p, cap + 2);
	volatile uint32_t *e;
	vaddr_t va = pci_bar_map(p, tbl & 7);

	if (va == 0)
		return -ENXIO;
	/* Enabled but masked while the entry is written: no half-made message. */
	pci_conf_write16(p, cap + 2, ctl | PCI_MSIX_CTL_ENABLE | PCI_MSIX_CTL_MASKALL);
	e = (volatile uint32_t *)(va + (tbl & ~7u));
	e[0] = MSI_ADDR_BASE | (lapic_read(LAPIC_ID) >> 24) << 12;
	e[1] = 0;
	e[2] = (uint32_t)vector;        /* fixed delivery, edge */
	e[3] = 0;                       /* unmask the entry */
	pci_conf_write16(p, cap + 2, (ctl | PCI_MSIX_CTL_ENABLE) & ~PCI_MSIX_CTL_MASKALL);
	pci_conf_write16(p, PCI_COMMAND,
	    pci_conf_read16(p, PCI_COMMAND) | PCI_CMD_INTX_DISABLE);
	return 0;
}

/*
 * The handler goes in before msix_setup enables MSI-X and unmasks the
 * entry: a message arriving in between would otherwise find no handler
 * and be lost as a stray.
 */
static int
intr_msix(struct pci_dev *p, intr_fn fn, void *arg, struct pci_intr *pi)
{
	int v = intr_alloc_vector();

	if (v < 0)
		return v;
	KASSERT(intr_establish(v, fn, arg) == 0);
	if (msix_setup(p, v) != 0) {
		intr_disestablish(v);
		intr_free_vector(v);
		return -ENXIO;
	}
	*pi = (struct pci_intr){ .kind = PCI_INTR_MSIX, .vector = v, .gsi = -1 };
	return 0;
}

static int
intr_intx(struct pci_dev *p, intr_fn fn, void *arg, struct pci_intr *pi)
{
	int flags, gsi, v;

	if (p->intr_pin == 0 || p->intr_line == 0xff || !ioapic_present())
		return -ENXIO;
	gsi = ioapic_irq_route(p->intr_line, true, &flags);
	if (gsi < 0)
		return gsi;
	v = ioapic_establish(gsi, flags, fn, arg);
	if (v < 0)
		return v;
	pci_conf_write16(p, PCI_COMMAND,
	    pci_conf_read16(p, PCI_COMMAND) & ~PCI_CMD_INTX_DISABLE);
	*pi = (struct pci_intr){ .kind = PCI_INTR_INTX, .vector = v, .gsi = gsi };
	return 0;
}

int
pci_intr_establish(struct pci_dev *p, bool allow_msix, intr_fn fn,
    void *arg, struct pci_intr *pi)
{
	*pi = (struct pci_intr){ .kind = PCI_INTR_NONE, .vector = -1, .gsi = -1 };
	if (!intr_lapic())
		return -ENXIO;          /* both paths end at the local APIC */
	if (allow_msix && p->msix_cap != 0 && intr_msix(p, fn, arg, pi) == 0)
		return 0;
	return intr_intx(p, fn, arg, pi);
}

void
pci_intr_disestablish(struct pci_dev *p, intr_fn fn, void *arg,
    struct pci_intr *pi)
{
	if (pi->kind == PCI_INTR_MSIX) {
		uint16_t ctl = pci_conf_read16(p, p->msix_cap + 2);
		pci_conf_write16(p, p->msix_cap + 2, ctl & ~PCI_MSIX_CTL_ENABLE);
		intr_disestablish(pi->vector);
		intr_free_vector(pi->vector);
	} else if (pi->kind == PCI_INTR_INTX) {
		ioapic_disestablish(pi->gsi, fn, arg);
	}
	*pi = (struct pci_intr){ .kind = PCI_INTR_NONE, .vector = -1, .gsi = -1 };
}
