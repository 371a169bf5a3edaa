/*
 * kern/core/qemu.h - leaving QEMU with a status.
 *
 * `make test` starts QEMU with -device isa-debug-exit,iobase=0xf4,iosize=4.
 * Writing v to port 0xf4 makes QEMU exit with status (v << 1) | 1, so the
 * kernel's verdict becomes QEMU's exit status:
 *
 *   QEMU_EXIT_PASS  0 -> exit 1    everything passed
 *   QEMU_EXIT_FAIL  1 -> exit 3    some test failed
 *   QEMU_EXIT_PANIC 2 -> exit 5    the kernel panicked
 *
 * A triple fault (QEMU runs with -no-reboot) exits 0, which is none of
 * these, so it can never be mistaken for a pass.
 */
#ifndef KERN_QEMU_H
#define KERN_QEMU_H

#include "kern/lib/types.h"

enum qemu_exit_code {
	QEMU_EXIT_PASS = 0,
	QEMU_EXIT_FAIL = 1,
	QEMU_EXIT_PANIC = 2,
};

/* True when booted with qemuexit=1 (by make test): leave QEMU when done. */
bool qemu_exit_enabled(void);
void qemu_exit(enum qemu_exit_code code);

/*
 * qemu_exit_status - leave QEMU so that its exit status carries code
 * (0-127): QEMU exits with (code << 1) | 1; `make run PROG=` undoes that.
 */
void qemu_exit_status(int code) __noreturn;

#endif
