/*
 * kern/kmain.c - the first C code: bring the machine up, in order.
 *
 *   boot.asm  ->  kmain(magic, mbi)
 *                   cpu_info_boot_init  GS base -> the boot CPU's cpu_info
 *                   console_init      serial output works from here on
 *                   tty_init          the terminal's settings (canonical, echo)
 *                   gdt_init/idt_init exceptions are reported, not triple faults
 *                   syscall_init      the syscall instruction's MSRs (EFER.SCE, LSTAR)
 *                   mb2_parse         command line, memory map, modules
 *                   cmdline_parse     options; unknown keys warned about
 *                   lockorder_boot    lockorder= (the checker is on until here)
 *                   memmap_build      usable physical ranges (cut at mem=), printed
 *                   vm_page_boot_init what RAM is already taken
 *                   pmap_bootstrap    the real page tables; identity map gone
 *                   vm_page_bootstrap vm_page arrays, free list
 *                   pmap_init         PV entries; pmap_enter works
 *                   kmem_init         pools, kmem_alloc, kernel arena
 *                   uvm_init          swap slots, anons, amaps, aobjs, maps
 *                   trace=fault       the fault trace streams to the console
 *                   initrd_mount      the initrd module as the root file system
 *                   intr_init         8259s masked, local APIC mapped and on
 *                   clock_init        TSC and APIC timer measured; tick starts
 *                   thread_init       idle thread; thread0 leaves the boot
 *                                     stack for a guarded one, continuing in
 *               kmain_thread0
 *                   sched_start       interrupts on: ticks, preemption
 *                   smp_start         the other CPUs the MADT names start
 *                                     and park (kern/core/smp.c)
 *                   dev_attach        PCI devices, virtio-blk disks
 *                   tty_attach        console input by the UART's interrupt
 *                   pagedaemon        its thread starts (uvm/uvm_pdaemon.c)
 *                   uvm_swap_boot     swapon the first disk (or swap=)
 *                   ktest_run         when ktest= selects tests
 *                   run_init          init= or /bin/init, until it exits
 *                                     (under failalloc= if given)
 *
 * Everything up to thread_init runs with interrupts off on the boot stack
 * (boot.asm's 32 KiB in .bss, no guard page); from kmain_thread0 on,
 * thread0 is an ordinary thread that the timer may preempt.
 *
 * Each later subsystem adds its step here, in dependency order.
 */
#include "dev/dev.h"
#include "kern/core/clock.h"
#include "kern/core/cmdline.h"
#include "kern/core/console.h"
#include "kern/arch/cpu.h"
#include "kern/arch/gdt.h"
#include "kern/core/intr.h"
#include "kern/core/ktest.h"
#include "kern/core/lockorder.h"
#include "kern/arch/mb2.h"
#include "kern/arch/memmap.h"
#include "kern/core/panic.h"
#include "kern/core/qemu.h"
#include "kern/proc/proc.h"
#include "kern/fs/ramfs.h"
#include "kern/fs/ext2.h"
#include "kern/fs/devfs.h"
#include "kern/fs/procfs.h"
#include "kern/fs/tmpfs.h"
#include "kern/vfs/vfs.h"
#include "kern/fs/tty.h"
#include "kern/sys/syscall.h"
#include "kern/core/sched.h"
#include "kern/core/smp.h"
#include "kern/core/thread.h"
#include "kern/arch/trap.h"
#include "kern/lib/errno.h"
#include "kern/lib/errname.h"
#include "user/include/uvmkern_errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_failalloc.h"
#include "uvm/uvm_ftrace.h"
#include "uvm/uvm_pdaemon.h"
#include "uvm/uvm_swapctl.h"
#include "uvm/uvm_init.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"

KOPT(ktest, "ktest", "tests to run at boot: all, none (default), or globs such as pmap/*");
KOPT(seed, "seed", "seed for randomized tests (random when absent)");
KOPT(init, "init", "the first user program (default /bin/init); words after -- are its arguments");
KOPT(trace, "trace", "fault: print every page fault as it is resolved");
KOPT(utest, "utest", "read by /bin/init (user/init.c), not the kernel: 1 or globs, the user test programs to run");
KOPT(initexit, "initexit", "1: when init exits, leave QEMU with its exit status (make run PROG=)");
KOPT(mem, "mem", "use only the RAM below this address (64M, 1G, ...): a smaller machine inside this one");
KOPT(swap, "swap", "the swap disk: vda (the first disk, the default), vdb, ... or none");

extern uint64_t boot_tsc;
extern char kernel_phys_start[], kernel_phys_end[];

struct bootinfo boot_info;
struct memmap boot_memmap;


/*
 * mem=SIZE: hand the page allocator only the RAM below SIZE, as if the
 * machine were that small (make bench gives Linux and this kernel the
 * same free memory this way).  A limit that would not leave 8 MiB above
 * the kernel image and the boot modules is ignored, as is one that is
 * not a size.
 */
static void
boot_limit_memory(void)
{
	const char *arg = kopt_get("mem");
	uint64_t limit = kopt_get_size("mem", 0);
	paddr_t low = (paddr_t)kernel_phys_end;

	if (arg == NULL)
		return;
	if (limit == 0) {
		kprintf("mem=%s: not a size (64M, 1G): ignored\n", arg);
		return;
	}
	for (int i = 0; i < boot_info.nmod; i++)
		low = MAX(low, (paddr_t)boot_info.mod[i].end);
	if (limit < low + (8 << 20)) {
		kprintf("mem=%s: ignored, the kernel needs RAM up to %#lx and 8 MiB more\n",
		    arg, low);
		return;
	}
	kprintf("mem=%s: %lu KiB above %#lx left unused\n", arg,
	    memmap_limit(&boot_memmap, limit) >> 10, limit);
}

static void
boot_parse_info(uint32_t magic, paddr_t mbi_phys)
{
	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("not booted by a multiboot2 loader (magic %#x)", magic);
	if (mb2_parse(PHYS_TO_DMAP(mbi_phys), mbi_phys, &boot_info) != 0)
		panic("malformed multiboot2 information at %#lx", mbi_phys);
	cmdline_parse(boot_info.cmdline, &boot_cmdline);
	kprintf("cmdline: %s\n", boot_info.cmdline[0] ? boot_info.cmdline : "(empty)");
	cmdline_warn_unknown(&boot_cmdline);
	lockorder_boot();
	memmap_build(boot_info.mmap, boot_info.nmmap, &boot_memmap);
	boot_limit_memory();
	memmap_print(&boot_memmap, kprint);
}

/* Physical memory already in use before the page allocator exists. */
static int
boot_reserved(struct phys_range *r, int max)
{
	int n = 0;

	r[n++] = (struct phys_range){ (paddr_t)kernel_phys_start,
		(paddr_t)kernel_phys_end };
	r[n++] = (struct phys_range){ boot_info.mbi_start, boot_info.mbi_end };
	r[n++] = (struct phys_range){ MPTRAMP_PA,       /* the AP trampoline */
		MPTRAMP_PA + MPTRAMP_PAGES * PAGE_SIZE };
	for (int i = 0; i < boot_info.nmod && n < max; i++)
		r[n++] = (struct phys_range){ boot_info.mod[i].start,
			boot_info.mod[i].end };
	return n;
}

static void
vm_bootstrap(void)
{
	struct phys_range res[3 + MB2_MAX_MODULES];
	paddr_t top = boot_memmap.n ? boot_memmap.r[boot_memmap.n - 1].end : 0;

	vm_page_boot_init(&boot_memmap, res, boot_reserved(res, ARRAY_SIZE(res)));
	pmap_bootstrap(top);
	vm_page_bootstrap();
	pmap_init();
	kmem_init();
	uvm_init();
	kprintf("memory: %lu pages managed, %lu free (%lu MiB), %lu reserved "
	    "(kernel image, boot data, page arrays and tables)\n",
	    uvmexp.npages, uvmexp.free, uvmexp.free >> (20 - PAGE_SHIFT),
	    uvmexp.reserved);
	pmap_print_kernel_layout(kprint);
}

/*
 * The file systems of the VFS: the initrd's tree as "/" (ramfs), the
 * devices on /dev and /proc (both directories of the initrd).
 */
static void
vfs_mount_boot(void)
{
	static const struct { const char *type, *path; } mounts[] = {
		{ "devfs", "/dev" }, { "proc", "/proc" },
	};
	int error;

	vfs_register(&ramfs_vfsops);
	vfs_register(&devfs_vfsops);
	vfs_register(&procfs_vfsops);
	error = ext2_mount_root();      /* root=vdc: the ext2 disk is / */
	if (error != 0)
		error = vfs_mount("ramfs", "initrd", NULL, MNT_RDONLY, NULL);
	if (error != 0) {
		kprintf("vfs: the initrd not mounted as /: " ERRNO_FMT "\n", ERRNO_ARGS(error));
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(mounts); i++) {
		error = vfs_mount(mounts[i].type, mounts[i].type, mounts[i].path,
		    0, NULL);
		if (error != 0)
			kprintf("vfs: %s not mounted on %s: " ERRNO_FMT "\n",
			    mounts[i].type, mounts[i].path, ERRNO_ARGS(error));
	}
}

/* Mount the first boot module (GRUB's initrd) as the root file system. */
static void
initrd_mount(void)
{
	const struct boot_module *m = &boot_info.mod[0];
	int error;

	if (boot_info.nmod == 0) {
		kprintf("initrd: none (no boot module)\n");
		return;
	}
	error = ramfs_mount(PHYS_TO_DMAP(m->start), m->end - m->start, &ramfs_boot);
	if (error != 0) {
		kprintf("initrd: not mounted: " ERRNO_FMT "\n", ERRNO_ARGS(error));
		return;
	}
	kprintf("initrd: %d entries, %lu KiB, mounted read-only on /\n",
	    ramfs_boot->nentries, (m->end - m->start) >> 10);
	if (!ext2_root_wanted())
		vfs_mount_boot();
}

#define INIT_MAXARGS 16

/* init's argv: its path, then the words after the command line's "--". */
static int
init_args(const char *path, char *buf, size_t size, char **argv)
{
	const char *rest = boot_cmdline.rest;
	int argc = 0;

	argv[argc++] = (char *)path;
	if (rest == NULL)
		return argc;
	strlcpy(buf, rest, size);
	for (char *p = buf; *p != '\0' && argc < INIT_MAXARGS;) {
		while (*p == ' ')
			*p++ = '\0';
		if (*p == '\0')
			break;
		argv[argc++] = p;
		while (*p != '\0' && *p != ' ')
			p++;
	}
	return argc;
}

/*
 * failalloc= on the command line: allocation failures are injected while
 * init runs (uvm/uvm_failalloc.h), and counted when it is done.
 */
static void
failalloc_for_init(bool on)
{
	uint64_t seed;
	unsigned rate = uvm_failalloc_boot_rate(&seed);

	if (rate == 0)
		return;
	if (on)
		kprintf("failalloc: %u per mille, seed %lu, while init runs\n", rate, seed);
	uvm_failalloc_set(on ? rate : 0, seed);
	if (!on)
		uvm_failalloc_print(kprint);
}

/* Where init is looked for without init=, in Linux's order: busybox init
 * on the ext2 root (/sbin/init), the project's /bin/init in the initrd. */
static const char *const init_paths[] = {
	"/sbin/init", "/etc/init", "/bin/init", "/bin/sh",
};

/* Start init= (its arguments after --), or the first of init_paths. */
static int
init_start(char *buf, size_t size, int *status, const char **pathp)
{
	char *argv[INIT_MAXARGS + 1] = { NULL };
	char *envp[] = { "PATH=/sbin:/usr/sbin:/bin:/usr/bin:/usr/local/bin",
	    "HOME=/", "TERM=vt100", NULL };
	const char *path = kopt_get("init");
	int error = -ENOENT;

	if (path != NULL && path[0] != '\0') {
		init_args(path, buf, size, argv);
		*pathp = path;
		kprintf("init: starting %s\n", path);
		return proc_run(path, argv, envp, status);
	}
	/* The first that exists runs (and is pid 1: a failed proc_run would
	 * have used a pid). */
	for (size_t i = 0; i < ARRAY_SIZE(init_paths) && error == -ENOENT; i++) {
		struct vnode *vp;

		*pathp = init_paths[i];
		error = namei(NULL, *pathp, NAMEI_FOLLOW, &vp, NULL);
		if (error == 0)
			vrele(vp);
	}
	if (error != 0)
		return error;
	init_args(*pathp, buf, size, argv);
	kprintf("init: starting %s\n", *pathp);
	return proc_run(*pathp, argv, envp, status);
}

/*
 * Why init= did not start, in words, and what to try
 * (uvmkern_exec_hint: the same hints as the shell's): ENOENT for a file
 * that is there means its interpreter (PT_INTERP) is missing.
 */
static void
init_explain(const char *path, int error)
{
	struct vnode *vp;
	bool exists = false;
	const char *hint;

	kprintf("init: cannot run %s: " ERRNO_FMT "\n", path, ERRNO_ARGS(error));
	if (error == -ENOENT && namei(NULL, path, NAMEI_FOLLOW, &vp, NULL) == 0) {
		vrele(vp);
		exists = true;
	}
	if ((hint = uvmkern_exec_hint(error, exists)) != NULL)
		kprintf("init:   %s\n", hint);
}

/* Run the first user program until it exits. */
static void
run_init(void)
{
	const char *path = NULL;
	char buf[256];
	int status = 0, error, code;

	failalloc_for_init(true);
	error = init_start(buf, sizeof(buf), &status, &path);
	failalloc_for_init(false);
	if (error != 0)
		init_explain(path, error);
	else if ((status & 0x7f) != 0)
		kprintf("init: %s killed by signal %d\n", path, status & 0x7f);
	else
		kprintf("init: %s exited with status %d\n", path, (status >> 8) & 0xff);
	/* The shell's convention: 128 + signal for a killed program. */
	code = error != 0 ? 127 : (status & 0x7f) ? 128 + (status & 0x7f) :
	    (status >> 8) & 0xff;
	/* Nothing runs after init: what its programs wrote goes to the disks
	 * now (make run PROG=... runs a program as init, which need not call
	 * sync itself, as /bin/init does before it powers off). */
	if ((error = vfs_sync_all()) != 0)
		kprintf("init: sync failed: " ERRNO_FMT "\n", ERRNO_ARGS(error));
	lockorder_boot_done();
	if (kopt_get_u64("initexit", 0) != 0)
		qemu_exit_status(code);
}

static void
run_boot_tests(void)
{
	const char *pattern = kopt_get("ktest");
	uint64_t seed;

	if (pattern == NULL || strcmp(pattern, "none") == 0)
		return;
	seed = kopt_get("seed") ? kopt_get_u64("seed", 0) : rdtsc() % 1000000;
	struct ktest_result r = ktest_run(pattern, seed);
	lockorder_boot_done();
	if (qemu_exit_enabled())
		qemu_exit(r.failed == 0 ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
}

/* The rest of boot, on thread0's own stack, with the scheduler running. */
static void
kmain_thread0(void)
{
	sched_start();
	smp_start();
	sched_bind(0);      /* the tests' "this CPU" and "another" stay put */
	dev_attach();
	if (ext2_root_wanted())
		vfs_mount_boot();       /* root=vdc: "/" waited for the disks */
	ext2_mount_boot();              /* the ext2 disk vdc on /mnt */
	tty_attach();
	if (thread_create("pagedaemon", uvm_pdaemon_main, NULL) == NULL)
		panic("kmain: cannot start the page daemon");
	while (!uvm_pdaemon_running())
		yield();    /* let it start, so it serves the first request */
	uvm_swap_boot(kopt_get("swap"), kprint);
	tmpfs_boot(kprint);
	run_boot_tests();
	run_init();
	if (qemu_exit_enabled())
		qemu_exit(QEMU_EXIT_PASS);
	kprintf("kmain: nothing more to do; thread0 sleeps, the idle thread "
	    "halts (Ctrl-A X leaves QEMU)\n");
	for (;;)
		sleep(&kmain_thread0, "done");
}

void
kmain(uint32_t magic, paddr_t mbi_phys)
{
	uint64_t first_c = __builtin_ia32_rdtsc();   /* first thing: boot time */

	cpu_info_boot_init(&thread0);   /* GS -> cpu_infos[0]: curthread works */
	console_init();
	tty_init();
	gdt_init();
	idt_init();
	syscall_init();
	kprintf("\nuvmkern: a teaching kernel with UVM virtual memory (x86-64)\n");
	kprintf("boot: first C line %lu TSC cycles after the first boot instruction\n",
	    first_c - boot_tsc);
	boot_parse_info(magic, mbi_phys);
	vm_bootstrap();
	uvm_ftrace.stream = kopt_get("trace") != NULL && strcmp(kopt_get("trace"), "fault") == 0;
	initrd_mount();
	tmpfs_init();
	intr_init();
	clock_init();
	thread_init(kmain_thread0);
}
