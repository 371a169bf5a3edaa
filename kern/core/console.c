/*
 * kern/core/console.c - the serial console and kprintf.
 *
 * The console is COM1, a 16550 UART at I/O port 0x3f8.  QEMU connects it
 * to its stdio (-serial stdio), so whatever the kernel prints appears in
 * the terminal and in build/test.log.  Output is polled: each byte waits
 * for the transmit holding register to be empty (LSR bit 5).  That is slow
 * on real hardware and instant under QEMU, and it works at any moment,
 * including inside panic with interrupts off.
 *
 *   port  +0 data / divisor low    +1 interrupt enable / divisor high
 *         +3 line control          +5 line status
 *
 * '\n' is sent as "\r\n" so a raw terminal shows lines properly.
 *
 * Input: console_getc takes one received byte if there is one.  Typed
 * bytes are the terminal's business (kern/fs/tty.c): it turns on the
 * receive interrupt (console_rx_interrupts) and edits, echoes and
 * signals from there.
 */
#include "kern/core/console.h"
#include "kern/arch/cpu.h"
#include "kern/lib/printf.h"

#define COM1 0x3f8
#define UART_LSR_THRE 0x20

void
console_init(void)
{
	outb(COM1 + 1, 0x00);   /* no interrupts */
	outb(COM1 + 3, 0x80);   /* DLAB on: next two bytes are the divisor */
	outb(COM1 + 0, 0x01);   /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8 bits, no parity, one stop bit */
	outb(COM1 + 2, 0xc7);   /* FIFOs on and cleared */
	outb(COM1 + 4, 0x03);   /* DTR, RTS */
}

static void
uart_putc(int c)
{
	while ((inb(COM1 + 5) & UART_LSR_THRE) == 0)
		;
	outb(COM1, (uint8_t)c);
}

void
console_putc(int c)
{
	if (c == '\n')
		uart_putc('\r');
	uart_putc(c);
}

void
console_rx_interrupts(bool on)
{
	outb(COM1 + 1, on ? 0x01 : 0x00);   /* IER: received data available */
}

int
console_getc(void)
{
	if ((inb(COM1 + 5) & 0x01) == 0)        /* LSR data ready */
		return -1;
	return inb(COM1);
}

void
console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_putc(s[i]);
}

static void
console_sink(int c, void *arg)
{
	(void)arg;
	console_putc(c);
}

int
kvprintf(const char *fmt, va_list ap)
{
	return kvformat(console_sink, NULL, fmt, ap);
}

int
kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void
kprint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
