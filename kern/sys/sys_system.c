/*
 * kern/sys/sys_system.c - system calls about the machine rather than the
 * process: reboot, ioperm, sysinfo, and the id calls every
 * process answers the same way (everyone is root here).
 *
 *   init: reboot(0xfee1dead, 672274793, LINUX_REBOOT_CMD_POWER_OFF)
 *     -> sys_reboot: magic checked, "reboot: Power down"
 *     -> qemu_exit(QEMU_EXIT_PASS): QEMU exits with status 1, which
 *        `make run` turns back into 0 (kern/core/qemu.h)
 *
 * Powering off ends QEMU through its isa-debug-exit device; a restart
 * resets the machine through the keyboard controller, and QEMU, started
 * with -no-reboot, then exits (status 0).  On a machine with neither the
 * CPU is left halted.  Only a process with CAP_SYS_BOOT in its effective
 * set may (every process starts with it: kern/proc/cap.c), as on Linux.
 *
 * sysinfo(2) gives what /proc/meminfo, /proc/uptime and /proc/loadavg
 * give, from the same counters (uvm_usage_meminfo, clock_ns,
 * proc_loadavg), so `free` and `uptime` agree with `cat /proc/...`:
 *
 *   totalram  MemTotal     freeram  MemFree     sharedram  Shmem
 *   bufferram Buffers (0)  totalswap/freeswap   SwapTotal/SwapFree
 *   loads[i]  the load averages, 1.0 = 65536    procs  processes
 *
 * Like Linux's, reboot writes nothing back itself: a program that wants
 * its files on the disk calls sync first (kern/sys/sys_vfs.c has sync,
 * syncfs, fsync and fdatasync with the other file calls).
 */
#include "kern/arch/cpu.h"
#include "kern/arch/uaccess.h"
#include "kern/core/clock.h"
#include "kern/core/qemu.h"
#include "kern/fs/file.h"
#include "kern/lib/errno.h"
#include "kern/lib/printf.h"
#include "kern/proc/proc.h"
#include "kern/sys/syscall.h"
#include "kern/lib/string.h"
#include "uvm/uvm_usage.h"

#define REBOOT_MAGIC1 0xfee1deadU
#define REBOOT_MAGIC2 672274793U
#define REBOOT_MAGIC2A 85072278U
#define REBOOT_MAGIC2B 369367448U
#define REBOOT_MAGIC2C 537993216U

#define REBOOT_CMD_RESTART 0x01234567U
#define REBOOT_CMD_HALT 0xcdef0123U
#define REBOOT_CMD_CAD_ON 0x89abcdefU
#define REBOOT_CMD_CAD_OFF 0x00000000U
#define REBOOT_CMD_POWER_OFF 0x4321fedcU
#define REBOOT_CMD_RESTART2 0xa1b2c3d4U

#define IO_PORTS 0x10000        /* ioperm covers ports [0, 65536) */
#define KBD_STATUS_PORT 0x64
#define KBD_CMD_RESET 0xfe

static bool
reboot_magic_ok(uint32_t magic1, uint32_t magic2)
{
	return magic1 == REBOOT_MAGIC1 &&
	    (magic2 == REBOOT_MAGIC2 || magic2 == REBOOT_MAGIC2A ||
	    magic2 == REBOOT_MAGIC2B || magic2 == REBOOT_MAGIC2C);
}

/* Reset the machine: the keyboard controller's reset line, else a triple fault. */
static void __noreturn
reboot_reset(void)
{
	struct { uint16_t limit; uint64_t base; } __packed none = { 0, 0 };

	kprintf("reboot: Restarting system\n");
	cli();
	outb(KBD_STATUS_PORT, KBD_CMD_RESET);
	__asm__ volatile("lidt %0; int3" : : "m"(none));
	for (;;)
		hlt();
}

static void __noreturn
reboot_power_off(void)
{
	kprintf("reboot: Power down\n");
	qemu_exit(QEMU_EXIT_PASS);
	for (;;)
		hlt();
}

/*
 * reboot(magic1, magic2, cmd, arg): Linux's numbers.  Bad magic or an
 * unknown command is -EINVAL; Ctrl-Alt-Del on or off is accepted (there
 * is no such key here).
 */
int64_t
sys_reboot(const struct sysargs *a)
{
	uint32_t cmd = (uint32_t)a->a[2];

	if (!capable(CAP_SYS_BOOT))
		return -EPERM;          /* before the magic, as Linux */
	if (!reboot_magic_ok((uint32_t)a->a[0], (uint32_t)a->a[1]))
		return -EINVAL;
	switch (cmd) {
	case REBOOT_CMD_CAD_ON:
	case REBOOT_CMD_CAD_OFF:
		return 0;
	case REBOOT_CMD_HALT:
	case REBOOT_CMD_POWER_OFF:
		reboot_power_off();
	case REBOOT_CMD_RESTART:
	case REBOOT_CMD_RESTART2:
		reboot_reset();
	default:
		return -EINVAL;
	}
}

/*
 * ioperm(from, num, on): a range past port 0xffff is -EINVAL, as Linux;
 * turning access off is always fine (it was never on), turning it on is
 * -EPERM: user programs here never reach I/O ports, even with
 * CAP_SYS_RAWIO, which Linux asks for.
 */
int64_t
sys_ioperm(const struct sysargs *a)
{
	uint64_t from = a->a[0], num = a->a[1];

	if (from + num <= from || from + num > IO_PORTS)
		return -EINVAL;
	return a->a[2] != 0 ? -EPERM : 0;
}

/* getresuid and getresgid: real, effective and saved ids, all root. */
int64_t
sys_getresuid(const struct sysargs *a)
{
	uint32_t zero = 0;

	for (int i = 0; i < 3; i++)
		if (copyout(&zero, a->a[i], sizeof(zero)) != 0)
			return -EFAULT;
	return 0;
}

/*
 * process_mrelease(pidfd, flags): frees a dying process's memory early.
 * There are no pidfds here, so any descriptor is not one: -EBADF, as
 * Linux answers for a descriptor that is not a pidfd; flags first.
 */
int64_t
sys_process_mrelease(const struct sysargs *a)
{
	return a->a[1] != 0 ? -EINVAL : -EBADF;
}

struct k_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};

#define SI_LOAD_SHIFT 16        /* sysinfo's loads: 1.0 is 1 << 16 */

/* sysinfo(info): the figures /proc/meminfo and /proc/loadavg print; bytes
 * (mem_unit 1).  => 0, -EFAULT. */
int64_t
sys_sysinfo(const struct sysargs *a)
{
	struct uvm_meminfo mi;
	struct k_sysinfo si;

	uvm_usage_meminfo(&mi);
	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(clock_ns() / 1000000000ULL);
	for (int i = 0; i < 3; i++)
		si.loads[i] = proc_loadavg[i] << (SI_LOAD_SHIFT - LOAD_FSHIFT);
	si.totalram = mi.total * PAGE_SIZE;
	si.freeram = mi.free * PAGE_SIZE;
	si.sharedram = mi.shmem * PAGE_SIZE;
	si.totalswap = mi.swap_total * PAGE_SIZE;
	si.freeswap = mi.swap_free * PAGE_SIZE;
	si.procs = (uint16_t)proc_count();
	si.mem_unit = 1;
	return copyout(&si, a->a[0], sizeof(si));
}
