/*
 * kern/arch/gdt.h - segments and the task state segment.
 */
#ifndef KERN_GDT_H
#define KERN_GDT_H

#include "kern/lib/types.h"

/*
 * Selectors.  The order is the one syscall/sysret require (STAR): kernel
 * code then kernel data; user 32-bit code, user data, then user 64-bit code.
 */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE32 0x18
#define SEL_UDATA 0x20
#define SEL_UCODE 0x28
#define SEL_TSS 0x30

/* Interrupt stack table slots (1-based, as the IDT gate encodes them). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3

/* gdt_init - load the GDT and TSS (with IST stacks).  => once, at boot. */
void gdt_init(void);

/*
 * gdt_set_kernel_stack - the stack the CPU switches to on a trap or a
 * system call from user mode (TSS rsp0, and syscall_rsp0 for syscall).
 */
void gdt_set_kernel_stack(uint64_t rsp0);

/* The current rsp0 (what gdt_set_kernel_stack set last). */
extern uint64_t syscall_rsp0;

/* gdt_kernel_stack - rsp0 as the TSS holds it (what a trap would use). */
uint64_t gdt_kernel_stack(void);

#endif
