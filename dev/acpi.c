/*
 * dev/acpi.c - finding ACPI tables, and the processors in the MADT.
 *
 * GRUB hands over a copy of the ACPI root pointer (kern/arch/mb2.c).  It
 * leads to the RSDT (32-bit pointers) or XSDT (64-bit), whose entries
 * point at tables; each starts with a struct acpi_header whose bytes,
 * the header included, add up to 0 modulo 256:
 *
 *   RSDP --> XSDT/RSDT --> [FACP] [APIC] [HPET] ...
 *                                   |
 *    MADT: header(36) lapic-addr flags | type len ... | type len ... |
 *          type 0 local APIC: ACPI processor id, APIC id, flags (bit 0: enabled)
 *          type 1 I/O APIC:   id, address, first GSI       (dev/ioapic.c)
 *          type 2 override:   ISA irq -> GSI, polarity/trigger
 *
 * With `-smp 4` QEMU's MADT has four type-0 entries, APIC ids 0-3; the
 * boot CPU is one of them.  Entries for x2APIC processors (type 9, ids
 * above 254) are not read: xAPIC mode cannot address them.
 */
#include "dev/acpi.h"
#include "kern/arch/mb2.h"
#include "kern/core/devmem.h"
#include "kern/lib/string.h"

struct acpi_rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;        /* revision >= 2 from here on */
	uint64_t xsdt;
	uint8_t xchecksum, reserved[3];
} __packed;

static bool
acpi_checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

/* The table at physical address pa, if it is whole and its checksum adds up. */
static const struct acpi_header *
acpi_table(paddr_t pa)
{
	const struct acpi_header *h = devmem_phys_kva(pa, sizeof(*h));

	if (h == NULL || h->length < sizeof(*h) ||
	    devmem_phys_kva(pa, h->length) == NULL ||
	    !acpi_checksum_ok(h, h->length))
		return NULL;
	return h;
}

const struct acpi_header *
acpi_find_table(const char *sig)
{
	const struct acpi_rsdp *r = boot_info.acpi_rsdp;
	const struct acpi_header *root, *t;
	bool x;
	int n;

	if (r == NULL || memcmp(r->sig, "RSD PTR ", 8) != 0 ||
	    !acpi_checksum_ok(r, 20))
		return NULL;
	x = r->revision >= 2 && boot_info.acpi_rsdp_len >= sizeof(*r) && r->xsdt != 0;
	root = acpi_table(x ? r->xsdt : r->rsdt);
	if (root == NULL)
		return NULL;
	n = (int)((root->length - sizeof(*root)) / (x ? 8 : 4));
	for (int i = 0; i < n; i++) {
		const uint8_t *e = (const uint8_t *)(root + 1) + i * (x ? 8 : 4);
		paddr_t pa = x ? *(const uint64_t *)e : *(const uint32_t *)e;
		t = acpi_table(pa);
		if (t != NULL && memcmp(t->sig, sig, 4) == 0)
			return t;
	}
	return NULL;
}

int
acpi_madt_cpus(uint32_t *ids, int max)
{
	const struct acpi_header *m = acpi_find_table("APIC");
	const uint8_t *p, *end;
	int n = 0;

	if (m == NULL)
		return 0;
	p = (const uint8_t *)m + sizeof(*m) + 8;       /* lapic address, flags */
	end = (const uint8_t *)m + m->length;
	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		if (p[0] != MADT_LAPIC || p[1] < 8 ||
		    !(*(const uint32_t *)(p + 4) & MADT_LAPIC_ENABLED))
			continue;
		if (n < max)
			ids[n] = p[3];
		n++;
	}
	return n;
}
