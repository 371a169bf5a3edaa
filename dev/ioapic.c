/*
 * dev/ioapic.c - the I/O APIC, and the ACPI MADT that says where it is.
 *
 * Which interrupt path is used when (dev/pci.c decides, per device):
 *   - MSI-X is the primary path for PCI devices that have it (all of
 *     QEMU's virtio-pci devices): no I/O APIC involved.
 *   - This I/O APIC carries a device's legacy INTx line when the device
 *     has no MSI-X, when MSI-X setup fails, or when the command line says
 *     msix=0.  Lines may be shared: every handler on a line runs.
 *   - Without a local APIC (lapic=0) neither works and drivers poll.
 * The end-of-interrupt always goes to the local APIC (kern/core/intr.c); for
 * a level-triggered input the local APIC forwards it here, which clears
 * the entry's remote-IRR bit so the line can fire again.
 *
 * Finding it.  GRUB hands over a copy of the ACPI root pointer (kern/
 * mb2.c).  It leads to the RSDT (32-bit pointers) or XSDT (64-bit), whose
 * entries point at tables; the one signed "APIC" is the MADT (dev/acpi.c
 * finds it):
 *
 *   RSDP --> XSDT/RSDT --> [FACP] [APIC] [HPET] ...
 *                                   |
 *    MADT: header(36) lapic-addr flags | type len ... | type len ... |
 *          type 1 I/O APIC:   id, address, first GSI
 *          type 2 override:   ISA irq 0 -> GSI 2, irq 10 -> GSI 10 level/high
 *
 * Without ACPI the I/O APIC is assumed at 0xfec00000 with GSI = IRQ.
 *
 * Programming it.  Two registers: write a register number to IOREGSEL
 * (+0x00), then read or write it through IOWIN (+0x10).  Input n has a
 * 64-bit redirection entry in registers 0x10 + 2n (low) and 0x11 + 2n:
 *
 *   63     56           16   15    14    13    12   11   10-8   7-0
 *   | dest  | ...      |mask|trig|rIRR |pol |busy|dmode|dlvry|vector|
 *    APIC id             1=off 1=lvl      1=low      0=phys 000=fixed
 *
 * Invariants: an input is unmasked iff it has at least one handler;
 * each unmasked input has its own vector from intr_alloc_vector.
 * Locking: the handler lists and the registers change under ioapic_lock
 * (before the interrupt table's lock, kern/core/intr.c).  The interrupt
 * path reads a line's list without it: a handler is added entry first,
 * count second, and removed only at a driver's detach, when its device
 * no longer interrupts (the tests' drivers; nothing detaches at run time).
 * Only one I/O APIC (the first in the MADT) is used: QEMU has one.
 */
#include "dev/ioapic.h"
#include "dev/acpi.h"
#include "dev/lapic.h"
#include "kern/arch/cpu.h"
#include "kern/core/devmem.h"
#include "kern/arch/mb2.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/string.h"

#define IOAPIC_DEFAULT_BASE 0xfec00000UL
#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REDIR(n) (0x10 + 2 * (n))
#define REDIR_MASKED (1UL << 16)
#define REDIR_LEVEL (1UL << 15)
#define REDIR_ACTIVE_LOW (1UL << 13)

#define MAX_OVERRIDES 16

struct ioapic_line {
	int vector;             /* -1 while nobody listens */
	int nhandlers;
	struct { intr_fn fn; void *arg; } h[IOAPIC_MAX_SHARED];
};

struct ioapic_override {
	uint8_t irq;
	uint32_t gsi;
	uint16_t flags;         /* MPS INTI flags: polarity 1:0, trigger 3:2 */
};

static volatile uint32_t *regs;
static paddr_t ioapic_pa = IOAPIC_DEFAULT_BASE;
static uint32_t gsi_base;
static int npins;
static bool from_madt;
static struct ioapic_line lines[IOAPIC_MAX_PINS];
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");
static struct ioapic_override overrides[MAX_OVERRIDES];
static int noverrides;

static uint32_t
ioapic_read(uint32_t reg)
{
	regs[IOREGSEL / 4] = reg;
	return regs[IOWIN / 4];
}

static void
ioapic_write(uint32_t reg, uint32_t v)
{
	regs[IOREGSEL / 4] = reg;
	regs[IOWIN / 4] = v;
}

/* => ioapic_lock held. */
static void
redir_write(int pin, uint64_t e)
{
	KASSERT(spin_holder(&ioapic_lock) == cpu_number());
	/* Masked first, so no half-written entry is ever live. */
	ioapic_write(IOAPIC_REDIR(pin), REDIR_MASKED);
	ioapic_write(IOAPIC_REDIR(pin) + 1, (uint32_t)(e >> 32));
	ioapic_write(IOAPIC_REDIR(pin), (uint32_t)e);
}

uint64_t
ioapic_redir(int gsi)
{
	int pin = gsi - (int)gsi_base;
	uint64_t e;

	if (regs == NULL || pin < 0 || pin >= npins)
		return 0;
	spin_lock(&ioapic_lock);
	e = ioapic_read(IOAPIC_REDIR(pin)) |
	    (uint64_t)ioapic_read(IOAPIC_REDIR(pin) + 1) << 32;
	spin_unlock(&ioapic_lock);
	return e;
}

static void
madt_entry(const uint8_t *e, bool *have_ioapic)
{
	if (e[0] == MADT_IOAPIC && e[1] >= 12 && !*have_ioapic) {
		ioapic_pa = *(const uint32_t *)(e + 4);
		gsi_base = *(const uint32_t *)(e + 8);
		*have_ioapic = true;
	} else if (e[0] == MADT_OVERRIDE && e[1] >= 10 && noverrides < MAX_OVERRIDES) {
		struct ioapic_override *o = &overrides[noverrides++];
		o->irq = e[3];
		o->gsi = *(const uint32_t *)(e + 4);
		o->flags = *(const uint16_t *)(e + 8);
	}
}

/* Read the MADT's I/O APIC address and overrides; false if there is none. */
static bool
madt_parse(void)
{
	const struct acpi_header *m = acpi_find_table("APIC");
	const uint8_t *p, *end;
	bool have_ioapic = false;

	if (m == NULL)
		return false;
	p = (const uint8_t *)m + sizeof(*m) + 8;       /* lapic address, flags */
	end = (const uint8_t *)m + m->length;
	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1])
		madt_entry(p, &have_ioapic);
	return have_ioapic;
}

int
ioapic_init(void)
{
	vaddr_t va;

	if (!intr_lapic())
		return -ENODEV;         /* its messages could reach no one */
	from_madt = madt_parse();
	va = devmem_map(ioapic_pa, PAGE_SIZE);
	if (va == 0)
		return -ENOMEM;
	regs = (volatile uint32_t *)va;
	npins = (int)((ioapic_read(IOAPIC_REG_VER) >> 16) & 0xff) + 1;
	if (npins > IOAPIC_MAX_PINS)
		npins = IOAPIC_MAX_PINS;
	spin_lock(&ioapic_lock);
	for (int i = 0; i < npins; i++) {
		lines[i].vector = -1;
		redir_write(i, REDIR_MASKED);
	}
	spin_unlock(&ioapic_lock);
	return 0;
}

bool
ioapic_present(void)
{
	return regs != NULL;
}

/* MPS INTI flags (the override's) to IOAPIC_* flags; def when "conforms". */
static int
inti_flags(uint16_t f, int def)
{
	int flags = def;

	if ((f & 3) == 1)
		flags &= ~IOAPIC_ACTIVE_LOW;
	else if ((f & 3) == 3)
		flags |= IOAPIC_ACTIVE_LOW;
	if (((f >> 2) & 3) == 1)
		flags &= ~IOAPIC_LEVEL;
	else if (((f >> 2) & 3) == 3)
		flags |= IOAPIC_LEVEL;
	return flags;
}

int
ioapic_irq_route(int irq, bool pci, int *flags)
{
	int gsi = irq;

	/* ISA lines are edge/active high; PCI INTx level/active low. */
	*flags = pci ? (IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW) : 0;
	for (int i = 0; i < noverrides; i++) {
		if (overrides[i].irq == irq) {
			gsi = (int)overrides[i].gsi;
			*flags = inti_flags(overrides[i].flags, *flags);
		}
	}
	if (regs == NULL || gsi < (int)gsi_base || gsi >= (int)gsi_base + npins)
		return -ENXIO;
	return gsi;
}

/* Every handler on the line: each asks its own device whether it was it. */
static void
ioapic_line_intr(void *arg)
{
	struct ioapic_line *l = arg;
	int n = __atomic_load_n(&l->nhandlers, __ATOMIC_ACQUIRE);

	for (int i = 0; i < n; i++)
		l->h[i].fn(l->h[i].arg);
}

/* The first handler on pin: a vector, the table entry, unmasked. */
static int
line_open(int pin, int flags)
{
	struct ioapic_line *l = &lines[pin];
	int v = intr_alloc_vector();
	uint64_t e;

	if (v < 0)
		return v;
	KASSERT(intr_establish(v, ioapic_line_intr, l) == 0);
	l->vector = v;
	e = (uint64_t)v | (uint64_t)(lapic_read(LAPIC_ID) >> 24) << 56;
	if (flags & IOAPIC_LEVEL)
		e |= REDIR_LEVEL;
	if (flags & IOAPIC_ACTIVE_LOW)
		e |= REDIR_ACTIVE_LOW;
	redir_write(pin, e);
	return v;
}

int
ioapic_establish(int gsi, int flags, intr_fn fn, void *arg)
{
	int pin = gsi - (int)gsi_base, v = 0;
	struct ioapic_line *l;

	if (regs == NULL || pin < 0 || pin >= npins)
		return -ENXIO;
	l = &lines[pin];
	spin_lock(&ioapic_lock);
	if (l->nhandlers == IOAPIC_MAX_SHARED)
		v = -ENOSPC;
	else if (l->nhandlers == 0)
		v = line_open(pin, flags);
	if (v >= 0) {
		l->h[l->nhandlers].fn = fn;
		l->h[l->nhandlers].arg = arg;
		/* the entry before the count: the dispatch reads the count */
		__atomic_store_n(&l->nhandlers, l->nhandlers + 1, __ATOMIC_RELEASE);
		v = l->vector;
	}
	spin_unlock(&ioapic_lock);
	return v;
}

void
ioapic_disestablish(int gsi, intr_fn fn, void *arg)
{
	int pin = gsi - (int)gsi_base, i;
	struct ioapic_line *l = &lines[pin];

	KASSERT(pin >= 0 && pin < npins);
	spin_lock(&ioapic_lock);
	for (i = 0; i < l->nhandlers; i++) {
		if (l->h[i].fn == fn && l->h[i].arg == arg)
			break;
	}
	KASSERT(i < l->nhandlers);
	l->h[i] = l->h[--l->nhandlers];
	if (l->nhandlers == 0) {
		redir_write(pin, REDIR_MASKED);
		intr_disestablish(l->vector);
		intr_free_vector(l->vector);
		l->vector = -1;
	}
	spin_unlock(&ioapic_lock);
}

void
ioapic_print(kprint_fn pr)
{
	if (regs == NULL) {
		pr("ioapic: not in use (no local APIC)\n");
		return;
	}
	pr("ioapic: id %u at %#lx (%s), GSIs %u-%u, %d overrides\n",
	    ioapic_read(IOAPIC_REG_ID) >> 24, ioapic_pa,
	    from_madt ? "from the ACPI MADT" : "default address, no MADT",
	    gsi_base, gsi_base + npins - 1, noverrides);
	for (int i = 0; i < noverrides; i++)
		pr("  override: irq %u -> gsi %u flags %#x\n", overrides[i].irq,
		    overrides[i].gsi, overrides[i].flags);
	for (int i = 0; i < npins; i++) {
		if (lines[i].nhandlers > 0)
			pr("  gsi %u -> vector %d, %d handler(s), entry %#lx\n",
			    gsi_base + i, lines[i].vector, lines[i].nhandlers,
			    ioapic_redir((int)gsi_base + i));
	}
}
