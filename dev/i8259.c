/*
 * dev/i8259.c - programming the 8259A pair.
 *
 * Initialisation is a fixed four-word conversation with each chip:
 *
 *   ICW1  0x11  "edge triggered, cascade, ICW4 follows"  -> command port
 *   ICW2  base  vector of the chip's line 0 (32 master, 40 slave)
 *   ICW3  wiring: master "slave on line 2" (0x04), slave "I am #2" (0x02)
 *   ICW4  0x01  8086 mode, normal (not automatic) EOI
 *
 * after which a write to the data port sets the mask register (OCW1) and
 * a write of 0x20 to the command port is a non-specific EOI (OCW2).
 * Writing 0x0b to the command port (OCW3) makes the next read of it
 * return the in-service register, which tells a real IRQ 7 from the
 * spurious one a chip raises when a request vanishes before it is
 * acknowledged.
 *
 *   master: command 0x20, data 0x21     slave: command 0xa0, data 0xa1
 */
#include "dev/i8259.h"
#include "kern/arch/cpu.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

#define ICW1_INIT 0x11
#define ICW4_8086 0x01
#define OCW2_EOI 0x20
#define OCW3_READ_ISR 0x0b

static uint16_t masks = 0xffff;

static void
write_masks(void)
{
	outb(PIC1_DATA, masks & 0xff);
	outb(PIC2_DATA, masks >> 8);
}

void
i8259_init(void)
{
	outb(PIC1_CMD, ICW1_INIT);
	outb(PIC2_CMD, ICW1_INIT);
	outb(PIC1_DATA, I8259_VECTOR_BASE);
	outb(PIC2_DATA, I8259_VECTOR_BASE + 8);
	outb(PIC1_DATA, 0x04);
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	/* Everything masked, except the cascade line, which only matters
	 * once a slave IRQ is unmasked too. */
	masks = 0xffff & ~(1u << 2);
	write_masks();
}

void
i8259_unmask(int irq)
{
	masks &= ~(1u << irq);
	write_masks();
}

void
i8259_mask(int irq)
{
	masks |= 1u << irq;
	write_masks();
}

uint16_t
i8259_masks(void)
{
	return masks;
}

void
i8259_eoi(int irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

uint16_t
i8259_in_service(void)
{
	uint16_t isr;

	outb(PIC1_CMD, OCW3_READ_ISR);
	outb(PIC2_CMD, OCW3_READ_ISR);
	isr = inb(PIC1_CMD);
	isr |= (uint16_t)inb(PIC2_CMD) << 8;
	return isr;
}

bool
i8259_spurious(int irq)
{
	uint16_t port = irq >= 8 ? PIC2_CMD : PIC1_CMD;
	uint8_t isr;

	outb(port, OCW3_READ_ISR);
	isr = inb(port);
	if (isr & (1u << (irq & 7)))
		return false;
	if (irq >= 8)
		outb(PIC1_CMD, OCW2_EOI);   /* the master did see the cascade */
	return true;
}
