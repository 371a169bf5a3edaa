/*
 * kern/lib/setjmp.h - non-local jumps inside the kernel.
 *
 * ksetjmp() saves the callee-saved registers, stack and return address and
 * returns 0; klongjmp(jb, v) returns from that ksetjmp() again with v.
 * ktest uses it to abandon a test at its first failed assertion, and the
 * trap handler uses it to recover from an expected fault.
 */
#ifndef KERN_LIB_SETJMP_H
#define KERN_LIB_SETJMP_H

#include "kern/lib/types.h"

struct kjmpbuf {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

int ksetjmp(struct kjmpbuf *jb) __attribute__((returns_twice));
void klongjmp(struct kjmpbuf *jb, int v) __noreturn;

#endif
