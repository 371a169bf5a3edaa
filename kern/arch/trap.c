/*
 * kern/arch/trap.c - the IDT and what happens on an exception.
 *
 * Every one of the 256 vectors has a stub in trapvec.asm that saves a
 * struct trapframe and calls trap().  The IDT gates are interrupt gates
 * (interrupts stay off inside the handler) with DPL 0, except the
 * breakpoint, which user code may raise with int3.  The double fault, NMI
 * and machine check run on IST stacks (see gdt.c).
 *
 * What trap() does, in order:
 *   0. an NMI while another CPU panics halts this CPU (kern/core/smp.c);
 *   1. a vector >= 32 is an interrupt: intr_dispatch runs its handler and
 *      acknowledges it; then, if it arrived with interrupts on, the
 *      scheduler may switch threads (sched_preempt_point), and on the way
 *      back to user mode a pending signal is delivered;
 *   2. a page fault on a user address that uvm_fault resolves: return
 *      and let the instruction run again;
 *   3. any other exception from user mode is the process's: proc_user_trap
 *      turns it into a signal (SIGSEGV, SIGILL, ...) or kills the process;
 *   4. a double fault, or a kernel page fault, in the current thread's
 *      stack guard page is a stack overflow: thread_guard_trap reports
 *      it and kills the thread, or panics;
 *   5. an exception the running code expected (trap_recover, below):
 *      resume at its recovery point;
 *   6. anything else is a kernel bug: report vector, error code, CR2, RIP
 *      and the registers, then panic (which prints the backtrace).
 *
 * trap() runs with interrupts off (interrupt gates).  It may still give
 * the CPU away: a preemption at the end of an interrupt, or a sleep on a
 * contended mutex inside uvm_fault; other threads run meanwhile and the
 * trapped thread resumes here when it is chosen again.
 */
#include "kern/arch/trap.h"
#include "kern/arch/cpu.h"
#include "kern/arch/gdt.h"
#include "kern/core/intr.h"
#include "kern/lib/errno.h"
#include "kern/core/panic.h"
#include "kern/proc/proc.h"
#include "kern/proc/signal.h"
#include "kern/core/sched.h"
#include "kern/core/smp.h"
#include "kern/core/thread.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "kern/lib/assert.h"
#include "kern/lib/printf.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;       /* P | DPL | 0xe (64-bit interrupt gate) */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __packed;

static struct idt_gate idt[256] __aligned(16);
extern const uint64_t trap_vectors[256];

static const char *const trap_names[] = {
	[T_DIVIDE] = "divide error",
	[T_DEBUG] = "debug",
	[T_NMI] = "non-maskable interrupt",
	[T_BREAKPOINT] = "breakpoint",
	[T_OVERFLOW] = "overflow",
	[T_BOUND] = "bound range exceeded",
	[T_INVALID_OP] = "invalid opcode",
	[T_DEVICE] = "device not available",
	[T_DOUBLE_FAULT] = "double fault",
	[9] = "coprocessor segment overrun",
	[T_TSS] = "invalid TSS",
	[T_SEGMENT] = "segment not present",
	[T_STACK] = "stack-segment fault",
	[T_GPF] = "general protection",
	[T_PAGE_FAULT] = "page fault",
	[T_FPU] = "x87 floating-point error",
	[T_ALIGN] = "alignment check",
	[T_MACHINE_CHECK] = "machine check",
	[T_SIMD] = "SIMD floating-point error",
	[T_VIRT] = "virtualization exception",
	[T_CONTROL] = "control protection",
};

const char *
trap_name(uint64_t vector)
{
	if (vector < ARRAY_SIZE(trap_names) && trap_names[vector] != NULL)
		return trap_names[vector];
	if (vector < 32)
		return "reserved exception";
	return "interrupt";
}

static void
idt_set(int vec, uint64_t handler, uint8_t ist, uint8_t dpl)
{
	idt[vec].off_lo = handler & 0xffff;
	idt[vec].sel = SEL_KCODE;
	idt[vec].ist = ist;
	idt[vec].type = 0x8e | (dpl << 5);
	idt[vec].off_mid = (handler >> 16) & 0xffff;
	idt[vec].off_hi = handler >> 32;
	idt[vec].zero = 0;
}

void
idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed idtr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void
idt_init(void)
{
	for (int v = 0; v < 256; v++)
		idt_set(v, trap_vectors[v], 0, 0);
	idt_set(T_BREAKPOINT, trap_vectors[T_BREAKPOINT], 0, 3);
	idt_set(T_DOUBLE_FAULT, trap_vectors[T_DOUBLE_FAULT], IST_DOUBLE_FAULT, 0);
	idt_set(T_NMI, trap_vectors[T_NMI], IST_NMI, 0);
	idt_set(T_MACHINE_CHECK, trap_vectors[T_MACHINE_CHECK], IST_MACHINE_CHECK, 0);
	idt_load();
}

void
trapframe_print(const struct trapframe *tf, kprint_fn pr)
{
	pr("  rax %016lx  rbx %016lx  rcx %016lx\n", tf->rax, tf->rbx, tf->rcx);
	pr("  rdx %016lx  rsi %016lx  rdi %016lx\n", tf->rdx, tf->rsi, tf->rdi);
	pr("  rbp %016lx  rsp %016lx  r8  %016lx\n", tf->rbp, tf->rsp, tf->r8);
	pr("  r9  %016lx  r10 %016lx  r11 %016lx\n", tf->r9, tf->r10, tf->r11);
	pr("  r12 %016lx  r13 %016lx  r14 %016lx\n", tf->r12, tf->r13, tf->r14);
	pr("  r15 %016lx  rip %016lx  rflags %08lx\n", tf->r15, tf->rip, tf->rflags);
	pr("  cs %04lx  ss %04lx  cr2 %016lx  cr3 %016lx\n", tf->cs, tf->ss,
	    rcr2(), rcr3());
}

/* Describe a page-fault error code: "write to a present page from kernel". */
static void
print_pf_error(uint64_t err)
{
	kprintf("  page fault: %s %s page, %s mode%s\n",
	    (err & PGEX_I) ? "instruction fetch from" :
	    (err & PGEX_W) ? "write to" : "read from",
	    (err & PGEX_P) ? "a present (protection)" : "a non-present",
	    (err & PGEX_U) ? "user" : "kernel",
	    (err & (1u << 3)) ? ", reserved bit set" : "");
}

static void __noreturn
trap_fatal(struct trapframe *tf)
{
	kprintf("\nfatal trap %lu (%s) in %s mode: error %#lx, cr2 %#lx, rip %#lx\n",
	    tf->vector, trap_name(tf->vector), (tf->cs & 3) ? "user" : "kernel",
	    tf->error, rcr2(), tf->rip);
	if (tf->vector == T_PAGE_FAULT)
		print_pf_error(tf->error);
	panic_with_frame(tf, "fatal trap %lu (%s) at rip %#lx",
	    tf->vector, trap_name(tf->vector), tf->rip);
}

/*
 * A page fault on a user address: ask the VM system to resolve it in the
 * current thread's address space; the faulting instruction then runs
 * again.  Returns 0 when resolved, uvm_fault's error, or -EFAULT when
 * there is no space or the address is not a user address at all.
 */
static int
trap_user_fault(struct trapframe *tf)
{
	uint64_t va = rcr2();
	vm_prot_t access = (tf->error & PGEX_I) ? VM_PROT_EXECUTE :
	    (tf->error & PGEX_W) ? VM_PROT_WRITE : VM_PROT_READ;

	int error;

	if (va >= USER_MAX || curthread->vmspace == NULL)
		return -EFAULT;
	/* From kernel mode only where user memory is meant to be touched:
	 * copyin and friends (onfault armed) or a test that said so.  A
	 * kernel NULL dereference must panic, not fault in a user page. */
	if ((tf->cs & 3) == 0 && curthread->onfault == NULL && !curthread->uaccess)
		return -EFAULT;
	/* copyout_nofault: the caller holds what a fault might need. */
	if ((tf->cs & 3) == 0 && curthread->uaccess_nofault)
		return -EFAULT;
	/* The fault may sleep (a mutex, later I/O): let interrupts in if the
	 * faulting code had them, as a system call would. */
	if (tf->rflags & RFLAGS_IF)
		sti();
	error = uvm_fault(&curthread->vmspace->vm_map, va, access);
	cli();
	return error;
}

void
trap(struct trapframe *tf)
{
	bool user = (tf->cs & 3) != 0;
	int error = 0;

	if (tf->vector == T_NMI)
		smp_nmi_stop();         /* another CPU panicked: halt here */
	if (tf->vector >= 32) {
		intr_dispatch(tf);
		if (tf->rflags & RFLAGS_IF)
			sched_preempt_point();
		/* Back to user mode: a signal sent meanwhile acts now. */
		if (user && curproc != NULL && signal_work_pending()) {
			sti();
			signal_deliver_pending(tf, -1);
			cli();
		}
		return;
	}
	if (tf->vector == T_PAGE_FAULT && (error = trap_user_fault(tf)) == 0)
		return;
	/* From user mode the process gets a signal (or dies), never the
	 * kernel; a double fault, though, is always the kernel's own. */
	if (user && curproc != NULL && tf->vector != T_DOUBLE_FAULT) {
		proc_user_trap(tf, error);
		return;
	}
	if (tf->vector == T_DOUBLE_FAULT || (tf->vector == T_PAGE_FAULT && !user))
		thread_guard_trap(tf);
	if (tf->vector < 32 && trap_recover(tf))
		return;
	trap_fatal(tf);
}
