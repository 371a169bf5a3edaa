/*
 * kern/fs/tty.h - the console as a terminal (kern/fs/tty.c): termios,
 * the foreground process group, Ctrl-C, Ctrl-\ and Ctrl-Z.
 */
#ifndef KERN_FS_TTY_H
#define KERN_FS_TTY_H

#include "kern/lib/types.h"

struct file;

/* The kernel's struct termios as TCGETS/TCSETS pass it (36 bytes). */
struct k_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

/* tty_init - the settings a terminal starts with (canonical, echo, ISIG). */
void tty_init(void);

/*
 * tty_attach - take the UART's receive interrupt (IRQ 4 through the I/O
 * APIC); without one, readers poll.  => after dev_attach; once.
 */
void tty_attach(void);

/*
 * tty_set_session - the terminal now controls session sid, with pgrp in
 * the foreground (0, 0: no session).  => never sleeps.
 */
void tty_set_session(int sid, int pgrp);

/* tty_session_get - the session the terminal controls and its foreground
 * group (0, 0: none), for /proc/PID/stat.  => never sleeps. */
void tty_session_get(int *sid, int *pgrp);
#define TTY_CONSOLE_DEV (4 << 8 | 64)   /* ttyS0, Linux's numbers */

/*
 * tty_input - one byte typed (or pushed by TIOCSTI): the line discipline,
 * echo, and the signal keys.  => any context, interrupts included; never
 * sleeps.
 */
void tty_input(int c);

/* tty_intr - the UART's receive interrupt: every byte it holds, typed. */
void tty_intr(void *arg);

/*
 * tty_read - read(2) of the console: a line (canonical) or what is there
 * (raw).  => may sleep (interruptibly); bytes read, 0 at end of file,
 *    -EFAULT, -EIO, or -ERESTARTSYS for a signal.
 */
int64_t tty_read(uint64_t ubuf, size_t len);

/*
 * tty_poll - the console's poll op: POLLIN when a read would not wait (a
 * finished line, an end of file, or in raw mode any byte), POLLOUT always.
 *  => never sleeps; POLL_TICK too while input is polled (no interrupt).
 */
uint32_t tty_poll(struct file *f);

/* tty_ioctl - the terminal's ioctls.  => 0/-errno; -ENOTTY if unknown. */
int64_t tty_ioctl(uint64_t req, uint64_t uarg);

#endif
