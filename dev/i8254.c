/*
 * dev/i8254.c - programming the PIT.
 *
 * A channel is set up by one write to the mode port 0x43 and then the
 * count, low byte first, to the channel's port (0x40 + channel):
 *
 *   mode word  0xb0 = 10 11 000 0    channel 2, lo/hi byte, mode 0, binary
 *              0x34 = 00 11 010 0    channel 0, lo/hi byte, mode 2, binary
 *              0x30 = 00 11 000 0    channel 0, lo/hi byte, mode 0, binary
 *
 * Port 0x61 (from the old keyboard controller) holds channel 2's gate in
 * bit 0, the speaker enable in bit 1, and reads back channel 2's output
 * in bit 5.  Mode 0 drives the output low when the count is written and
 * high when it reaches zero, which makes a stopwatch:
 *
 *   gate on, speaker off  ->  write count  ->  poll bit 5 until it is 1
 *   |<------------- count / 1193182 seconds ------------->|
 *
 * Channel 0 in mode 2 reloads itself and pulses IRQ 0 every count input
 * clocks: 1193182 / 100 = 11932 gives 99.998 ticks a second.
 */
#include "dev/i8254.h"
#include "kern/arch/cpu.h"

#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_MODE 0x43
#define PORT_B 0x61

#define PORTB_GATE2 0x01
#define PORTB_SPEAKER 0x02
#define PORTB_OUT2 0x20

void
i8254_oneshot_start(uint16_t count)
{
	uint8_t b = inb(PORT_B);

	outb(PORT_B, (b & ~PORTB_SPEAKER) | PORTB_GATE2);
	outb(PIT_MODE, 0xb0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
}

bool
i8254_oneshot_done(void)
{
	return (inb(PORT_B) & PORTB_OUT2) != 0;
}

void
i8254_periodic(unsigned hz)
{
	unsigned div = (I8254_HZ + hz / 2) / hz;

	if (div > 0xffff)
		div = 0xffff;
	outb(PIT_MODE, 0x34);
	outb(PIT_CH0, div & 0xff);
	outb(PIT_CH0, div >> 8);
}

void
i8254_stop(void)
{
	/* Mode 0 with count 1: one last edge almost at once, then silence. */
	outb(PIT_MODE, 0x30);
	outb(PIT_CH0, 1);
	outb(PIT_CH0, 0);
}
