/*
 * kern/core/console.h - the kernel console: a 16550 UART on COM1.
 */
#ifndef KERN_CONSOLE_H
#define KERN_CONSOLE_H

#include "kern/lib/types.h"

void console_init(void);
void console_putc(int c);
void console_write(const char *s, size_t n);

/* console_getc - a received byte, or -1 if none is waiting (never blocks). */
int console_getc(void);

/* console_rx_interrupts - the UART interrupts when a byte arrives (on). */
void console_rx_interrupts(bool on);

/*
 * console_panic_takeover - the console lock becomes this CPU's for good,
 * whoever held it.  => panic only, after the other CPUs are stopped.
 */
void console_panic_takeover(void);

#endif
