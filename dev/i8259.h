/*
 * dev/i8259.h - the two legacy 8259A programmable interrupt controllers.
 *
 * A PC has a master 8259 (IRQ 0-7) and a slave cascaded on the master's
 * IRQ 2 (IRQ 8-15).  At power-on they deliver IRQs on vectors 8-15, which
 * collide with the CPU's exceptions, so i8259_init moves them to
 * I8259_VECTOR_BASE.. (32-47) and masks every line.  With a local APIC the
 * kernel leaves them masked for good; without one, the clock unmasks
 * IRQ 0 (the PIT) and nothing else.
 *
 * Locking: none; callers run with interrupts off (boot, the interrupt
 * path, or a test that turned them off).
 */
#ifndef DEV_I8259_H
#define DEV_I8259_H

#include "kern/lib/types.h"

#define I8259_VECTOR_BASE 32    /* IRQ n arrives on vector 32 + n */
#define I8259_NIRQ 16

/*
 * i8259_init - remap both chips to vectors 32-47 and mask all 16 lines.
 *  => once, at boot, interrupts off.
 */
void i8259_init(void);

/*
 * i8259_unmask, i8259_mask - let one IRQ line through, or stop it.
 *  => irq in 0..15; interrupts off (the mask is read-modify-written).
 */
void i8259_unmask(int irq);
void i8259_mask(int irq);

/*
 * i8259_masks - the 16 mask bits (bit n set: IRQ n masked).
 *  => the driver's copy of what it last wrote; any context.
 */
uint16_t i8259_masks(void);

/*
 * i8259_in_service - both chips' in-service registers (bit n: IRQ n).
 *  => reads the chips; interrupts off.
 */
uint16_t i8259_in_service(void);

/*
 * i8259_eoi - end of interrupt for irq (both chips for a slave line).
 *  => from the interrupt path, interrupts off.
 */
void i8259_eoi(int irq);

/*
 * i8259_spurious - for IRQ 7 or 15: true if the chip raised the line
 * without a real request (its in-service bit is clear).  A spurious
 * IRQ 15 still needs an EOI on the master, which this sends.
 */
bool i8259_spurious(int irq);

#endif
