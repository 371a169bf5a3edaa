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
 *
 * Several CPUs: each kvprintf and console_write holds the console lock
 * for its whole text, so lines from two CPUs never interleave:
 *
 *   cpu 0: kprintf("smp: 2 of 2 CPUs online\n")   cpu 1: kprintf("x\n")
 *          lock ........................ unlock          waits, then prints
 *
 * It is not a struct spinlock: it is a ticket lock (CPUs print in the
 * order they asked), it nests on its own CPU (a panic or a fault inside
 * kvprintf prints too), it counts in no spin_nheld, and panic takes it
 * over (console_panic_takeover) after stopping the other CPUs, one of
 * which may have stopped while holding it.
 * Invariants: owner is -1 or the CPU printing; depth > 0 iff owned;
 * serving <= next, and serving's ticket holder is the owner (but after a
 * takeover, which is never released).
 */
#include "kern/core/console.h"
#include "kern/arch/cpu.h"
#include "kern/arch/cpu_info.h"
#include "kern/core/smp.h"
#include "kern/lib/printf.h"

#define COM1 0x3f8
#define UART_LSR_THRE 0x20

static volatile uint32_t console_next;     /* the next ticket to hand out */
static volatile uint32_t console_serving;  /* the ticket whose turn it is */
static volatile int console_owner = -1;     /* the CPU printing, or -1 */
static int console_depth;                   /* its nesting */

/*
 * Take the console for this CPU (nesting), in turn: a ticket lock, so a
 * CPU printing line after line cannot keep another out.
 *  => returns the flags to restore.
 */
static uint64_t
console_lock(void)
{
	uint64_t s = intr_disable();
	int me = cpu_number();
	uint32_t ticket;

	if (console_owner == me) {
		console_depth++;
		return s;
	}
	ticket = __atomic_fetch_add(&console_next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&console_serving, __ATOMIC_ACQUIRE) != ticket) {
		smp_call_service();     /* the printer may wait for us */
		cpu_pause();
	}
	console_owner = me;
	console_depth = 1;
	return s;
}

static void
console_unlock(uint64_t s)
{
	if (--console_depth == 0) {
		console_owner = -1;
		__atomic_store_n(&console_serving, console_serving + 1,
		    __ATOMIC_RELEASE);
	}
	intr_restore(s);
}

void
console_panic_takeover(void)
{
	console_depth = 1;      /* never released: panic does not return */
	__atomic_store_n(&console_owner, cpu_number(), __ATOMIC_SEQ_CST);
}

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
	uint64_t fl = console_lock();

	for (size_t i = 0; i < n; i++)
		console_putc(s[i]);
	console_unlock(fl);
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
	uint64_t fl = console_lock();
	int n = kvformat(console_sink, NULL, fmt, ap);

	console_unlock(fl);
	return n;
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
