/*
 * kern/core/panic.c - panic, backtraces and expected-fault recovery.
 *
 * A panic prints
 *
 *   panic: <message>
 *     in thread <id> (<name>)
 *     <registers>           (of the trap, or of panic's caller)
 *   backtrace:
 *     #0 0xffffffff80104a1c trap_fatal+0x5c
 *     #1 ...
 *
 * and then stops: under `make test` it leaves QEMU with the panic status so
 * the run fails at once instead of hanging until the timeout.
 *
 * Backtraces follow the frame-pointer chain (the kernel is built with
 * -fno-omit-frame-pointer): at [rbp] is the caller's rbp, at [rbp+8] the
 * return address.  The walk stops at a zero rbp (set by boot.asm and by
 * every new thread), an address outside the kernel half, a misaligned one,
 * or after 32 frames.
 */
#include "kern/core/panic.h"
#include "kern/arch/cpu.h"
#include "kern/core/ksyms.h"
#include "kern/core/lockorder.h"
#include "kern/core/qemu.h"
#include "kern/core/thread.h"
#include "kern/arch/trap.h"
#include "uvm/uvm_ftrace.h"

static int panicking;


void
backtrace_print(uint64_t rip, uint64_t rbp, kprint_fn pr)
{
	uint64_t off;
	const char *name;
	int depth = 0;

	pr("backtrace:\n");
	if (rip != 0) {
		name = ksym_lookup(rip, &off);
		pr("  #%d %016lx %s+%#lx\n", depth++, rip, name ? name : "?",
		    name ? off : 0);
	}
	while (rbp != 0 && depth < 32) {
		if (rbp < 0xffff800000000000ULL || (rbp & 7) != 0) {
			pr("  (frame pointer %#lx is not a kernel address)\n", rbp);
			break;
		}
		uint64_t ret = ((uint64_t *)rbp)[1];
		if (ret == 0)
			break;
		/* A return address points after the call: look up ret-1. */
		name = ksym_lookup(ret - 1, &off);
		pr("  #%d %016lx %s+%#lx\n", depth++, ret, name ? name : "?",
		    name ? off + 1 : 0);
		rbp = ((uint64_t *)rbp)[0];
	}
}

static void __noreturn
panic_stop(void)
{
	if (qemu_exit_enabled())
		qemu_exit(QEMU_EXIT_PANIC);
	kprintf("panic: system halted\n");
	for (;;) {
		cli();
		hlt();
	}
}

static void __noreturn
vpanic(struct trapframe *tf, const char *fmt, va_list ap)
{
	cli();
	if (panicking++) {
		kprintf("\npanic: recursive panic: ");
		kvprintf(fmt, ap);
		kprintf("\n");
		panic_stop();
	}
	kprintf("\npanic: ");
	kvprintf(fmt, ap);
	kprintf("\n");
	kprintf("  in thread %d (%s)\n", curthread->tid, curthread->name);
	lockorder_print_held(kprint);
	if (tf != NULL) {
		trapframe_print(tf, kprint);
		backtrace_print(tf->rip, tf->rbp, kprint);
	} else {
		uint64_t rbp;
		__asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
		kprintf("  cr0 %016lx  cr2 %016lx  cr3 %016lx  cr4 %016lx\n",
		    rcr0(), rcr2(), rcr3(), rcr4());
		kprintf("  rbp %016lx  rflags %08lx\n", rbp, read_rflags());
		backtrace_print(0, rbp, kprint);
	}
	uvm_ftrace_print(8, kprint);
	panic_stop();
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(NULL, fmt, ap);
}

void
panic_with_frame(struct trapframe *tf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(tf, fmt, ap);
}

void
trap_expect_set(struct trap_expect *te)
{
	te->vector = te->error = te->addr = te->rip = 0;
	curthread->onfault = te;
}

void
trap_expect_disarm(void)
{
	curthread->onfault = NULL;
}

bool
trap_catch(void (*fn)(void *arg), void *arg, struct trap_expect *te)
{
	if (trap_expect_arm(te) != 0)
		return true;
	fn(arg);
	trap_expect_disarm();
	return false;
}

bool
trap_recover(struct trapframe *tf)
{
	struct trap_expect *te = curthread->onfault;

	if (te == NULL || tf->vector == T_DOUBLE_FAULT || (tf->cs & 3) != 0)
		return false;
	curthread->onfault = NULL;
	te->vector = tf->vector;
	te->error = tf->error;
	te->addr = tf->vector == T_PAGE_FAULT ? rcr2() : 0;
	te->rip = tf->rip;
	if (tf->rflags & RFLAGS_IF)
		sti();
	klongjmp(&te->jb, (int)tf->vector + 1);
}
