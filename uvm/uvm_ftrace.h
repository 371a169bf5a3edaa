/*
 * uvm/uvm_ftrace.h - the fault trace: the last FTRACE_N page faults, kept
 * at all times (a ring buffer; recording one costs a few stores), shown
 * at panic, from gdb (p uvm_ftrace), and streamed to the console with
 * trace=fault on the command line.
 */
#ifndef UVM_UVM_FTRACE_H
#define UVM_UVM_FTRACE_H

#include "kern/lib/printf.h"
#include "kern/lib/types.h"
#include "uvm/uvm_param.h"

#define FTRACE_N 64

/* Which way the fault handler resolved it (uvm_fault.c). */
enum ftrace_case {
	FT_NONE,        /* failed before a case was chosen */
	FT_1A,          /* anon page mapped */
	FT_1B,          /* shared anon copied on write */
	FT_2A,          /* object page mapped */
	FT_2B_PROMOTE,  /* object page copied into an anon */
	FT_2B_ZERO,     /* zero-fill into a new anon */
};

struct ftrace_rec {
	uint64_t seq;           /* 1, 2, 3 ... (0: empty slot) */
	int pid;                /* owner of the address space (vmspace->vm_pid) */
	vaddr_t va;
	vm_prot_t access;
	uint8_t fcase;          /* enum ftrace_case */
	uint8_t restarts;
	int16_t error;          /* 0 or -errno */
	uint64_t cycles;        /* TSC cycles spent in uvm_fault */
};

struct uvm_ftrace {
	uint64_t seq;           /* faults recorded so far */
	bool stream;            /* also print each one (trace=fault) */
	struct ftrace_rec rec[FTRACE_N];
};

extern struct uvm_ftrace uvm_ftrace;

/* uvm_ftrace_record - keep r (its seq is filled in).  => any context. */
void uvm_ftrace_record(struct ftrace_rec *r);

/* uvm_ftrace_case_name - "1A", "1B", "2A", "2B-promote", "2B-zero". */
const char *uvm_ftrace_case_name(int fcase);

/* uvm_ftrace_print_rec / uvm_ftrace_print - one record, or the last n (oldest first). */
void uvm_ftrace_print_rec(const struct ftrace_rec *r, kprint_fn pr);
void uvm_ftrace_print(int n, kprint_fn pr);

#endif
