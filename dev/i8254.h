/*
 * dev/i8254.h - the 8254 programmable interval timer (PIT).
 *
 * Three 16-bit down-counters fed by a 1.193182 MHz crystal.  The kernel
 * uses two of them:
 *
 *   channel 0  wired to IRQ 0: the periodic tick when there is no local
 *              APIC timer (i8254_periodic);
 *   channel 2  gated by port 0x61, its output readable there: a stopwatch
 *              of known length, to measure the TSC and the local APIC
 *              timer against (i8254_oneshot_start/_done).
 *
 * Locking: none; boot code and the clock call it with interrupts off.
 */
#ifndef DEV_I8254_H
#define DEV_I8254_H

#include "kern/lib/types.h"

#define I8254_HZ 1193182U       /* input clock of every channel */
#define I8254_IRQ 0

/*
 * i8254_oneshot_start - start channel 2 counting count (1..65535) input
 * clocks down from now, in mode 0; its output goes high at zero.
 *  => the speaker stays off; interrupts off (a calibration).
 */
void i8254_oneshot_start(uint16_t count);

/*
 * i8254_oneshot_done - has channel 2 reached zero since the start?
 *  => one port read; poll it.
 */
bool i8254_oneshot_done(void);

/*
 * i8254_periodic - channel 0 as a rate generator interrupting hz times
 * a second on IRQ 0.  => hz >= 19 (the divisor is 16 bits); interrupts off.
 */
void i8254_periodic(unsigned hz);

/*
 * i8254_stop - channel 0 to a one-shot that fires once at once and then
 * never again: no more IRQ 0.  => interrupts off.
 */
void i8254_stop(void);

#endif
