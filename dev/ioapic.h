/*
 * dev/ioapic.h - the I/O APIC: device interrupt lines to local-APIC
 * vectors, for devices that cannot send MSI-X (see dev/ioapic.c for
 * which path is used when).
 *
 * Locking: ioapic_init runs once before any driver; ioapic_establish at
 * attach time with interrupts off around each table change.  The
 * handler lists are read by the interrupt path with interrupts off.
 */
#ifndef DEV_IOAPIC_H
#define DEV_IOAPIC_H

#include "kern/core/intr.h"
#include "kern/lib/printf.h"
#include "kern/lib/types.h"

#define IOAPIC_MAX_PINS 24
#define IOAPIC_MAX_SHARED 4     /* handlers on one line */

/* Trigger and polarity of an input (ISA: edge/high; PCI: level). */
#define IOAPIC_LEVEL 0x1
#define IOAPIC_ACTIVE_LOW 0x2

/*
 * ioapic_init - find the I/O APIC (ACPI MADT, else 0xfec00000), map its
 * registers, read the interrupt source overrides, mask every input.
 *  => once, from dev_attach, before any driver; needs the local APIC
 *     (without one it stays off and returns -ENODEV).
 *  => returns 0 or a negative errno.
 */
int ioapic_init(void);

/* ioapic_present - did ioapic_init find and program one? */
bool ioapic_present(void);

/*
 * ioapic_irq_route - where an ISA/firmware IRQ number arrives: its
 * global system interrupt (GSI = I/O APIC input) and IOAPIC_* flags,
 * after the MADT's overrides; pci says the line is a PCI INTx (level,
 * active low unless an override says otherwise).
 *  => returns the GSI, or -ENXIO if this I/O APIC has no such input.
 */
int ioapic_irq_route(int irq, bool pci, int *flags);

/*
 * ioapic_establish - call fn(arg) when input gsi fires.  The first
 * handler on a line allocates its vector and unmasks the input; later
 * ones share it (each handler must check its own device).
 *  => returns the vector, -ENXIO (no I/O APIC or input), -ENOSPC (no
 *     vector or handler slot left).  Never sleeps.
 */
int ioapic_establish(int gsi, int flags, intr_fn fn, void *arg);

/*
 * ioapic_disestablish - take fn(arg) off the line; the last one masks
 * the input and frees the vector.  => fn(arg) must be on it.
 */
void ioapic_disestablish(int gsi, intr_fn fn, void *arg);

/* ioapic_redir - input gsi's 64-bit redirection entry (for tests). */
uint64_t ioapic_redir(int gsi);

/* ioapic_print - base, id, inputs, overrides and the unmasked entries. */
void ioapic_print(kprint_fn pr);

#endif
