/*
 * kern/core/qemu.c - the isa-debug-exit device (see qemu.h).
 */
#include "kern/core/qemu.h"
#include "kern/core/cmdline.h"
#include "kern/arch/cpu.h"

#define DEBUG_EXIT_PORT 0xf4

KOPT(qemuexit, "qemuexit", "1: leave QEMU through isa-debug-exit when done or on panic (make test)");

bool
qemu_exit_enabled(void)
{
	return kopt_get_u64("qemuexit", 0) != 0;
}

void
qemu_exit(enum qemu_exit_code code)
{
	outl(DEBUG_EXIT_PORT, code);
	/* Only reached without the device: stop here rather than go on. */
	for (;;) {
		cli();
		hlt();
	}
}

void
qemu_exit_status(int code)
{
	qemu_exit((enum qemu_exit_code)(code & 0x7f));
	for (;;)
		hlt();
}
