/*
 * kern/arch/trap.h - the saved machine state of an interrupt or exception.
 *
 * kern/arch/trapvec.asm builds this on the current stack.  From low to high
 * addresses: the general registers the stub pushed, the vector number and
 * error code (a zero the stub pushed when the CPU gives none), then what the
 * CPU itself pushed.
 *
 *      rsp -> r15 ... rax | vector | error | rip cs rflags rsp ss
 *             (stub)        (stub)   (CPU or stub)  (CPU)
 */
#ifndef KERN_TRAP_H
#define KERN_TRAP_H

#include "kern/lib/types.h"
#include "kern/lib/printf.h"

struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;
	uint64_t rip, cs, rflags, rsp, ss;
};

enum {
	T_DIVIDE = 0, T_DEBUG = 1, T_NMI = 2, T_BREAKPOINT = 3,
	T_OVERFLOW = 4, T_BOUND = 5, T_INVALID_OP = 6, T_DEVICE = 7,
	T_DOUBLE_FAULT = 8, T_TSS = 10, T_SEGMENT = 11, T_STACK = 12,
	T_GPF = 13, T_PAGE_FAULT = 14, T_FPU = 16, T_ALIGN = 17,
	T_MACHINE_CHECK = 18, T_SIMD = 19, T_VIRT = 20, T_CONTROL = 21,
};

/* Page-fault error code bits. */
#define PGEX_P (1u << 0)    /* 0: not present, 1: protection violation */
#define PGEX_W (1u << 1)    /* the access was a write */
#define PGEX_U (1u << 2)    /* the access came from user mode */
#define PGEX_I (1u << 4)    /* the access was an instruction fetch */

/* idt_init - build and load the IDT.  => called once at boot. */
void idt_init(void);

/* idt_load - load the (one, shared) IDT on this CPU.  => each AP, at start. */
void idt_load(void);

/* trap - the C side of every vector (from trapvec.asm). */
void trap(struct trapframe *tf);

/* trap_name - "page fault", "general protection", ... for a vector. */
const char *trap_name(uint64_t vector);

/* trapframe_print - the registers of tf through pr. */
void trapframe_print(const struct trapframe *tf, kprint_fn pr);

#endif
