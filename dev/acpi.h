/*
 * dev/acpi.h - the ACPI tables the kernel reads: finding one by its
 * signature, and the MADT's list of processors.
 *
 * Read-only and stateless: every call walks the firmware's tables again
 * (a few dozen entries), so there is nothing to lock and nothing to
 * keep in step.  The I/O APIC (dev/ioapic.c) and SMP start-up
 * (kern/core/smp.c) are its users.
 */
#ifndef DEV_ACPI_H
#define DEV_ACPI_H

#include "kern/lib/types.h"

/* The header every ACPI system description table starts with. */
struct acpi_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __packed;

/* MADT entry types (after the MADT's 8 bytes of local APIC address and flags). */
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_OVERRIDE 2
#define MADT_LAPIC_ENABLED 0x1  /* a local APIC entry's flags: usable now */

/*
 * acpi_find_table - the table signed sig ("APIC" is the MADT), through the
 * XSDT (ACPI 2+) or the RSDT from GRUB's copy of the root pointer.
 *  => NULL if there is no ACPI, no such table, or its checksum is wrong.
 *  => the table is read through the direct map; never sleeps.
 */
const struct acpi_header *acpi_find_table(const char *sig);

/*
 * acpi_madt_cpus - the local APIC ids of the enabled processors the MADT
 * names, in its order, into ids[0..max).
 *  => returns how many there are (possibly more than max: only max are
 *     stored), or 0 when there is no MADT.
 */
int acpi_madt_cpus(uint32_t *ids, int max);

#endif
