/*
 * kern/arch/gdt.h - segments and the task state segment.
 */
#ifndef KERN_GDT_H
#define KERN_GDT_H

#include "kern/arch/cpu_info.h"
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

/*
 * gdt_init - build and load the calling CPU's GDT and TSS (in its
 * cpu_info), with its IST stacks (the boot CPU's static ones, or the
 * ci_ist_top an AP was given).  => once per CPU, GS base already set.
 */
void gdt_init(void);

/*
 * gdt_set_kernel_stack - the stack this CPU switches to on a trap or a
 * system call from user mode (its TSS rsp0, and ci_rsp0 for syscall).
 */
void gdt_set_kernel_stack(uint64_t rsp0);

/* This CPU's syscall stack (what gdt_set_kernel_stack set last). */
#define syscall_rsp0 (curcpu()->ci_rsp0)

/* gdt_kernel_stack - rsp0 as the TSS holds it (what a trap would use). */
uint64_t gdt_kernel_stack(void);

#endif
