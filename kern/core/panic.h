/*
 * kern/core/panic.h - stopping the kernel, and recovering from expected faults.
 */
#ifndef KERN_PANIC_H
#define KERN_PANIC_H

#include "kern/lib/assert.h"
#include "kern/lib/printf.h"
#include "kern/lib/setjmp.h"

struct trapframe;

/*
 * panic_with_frame - panic on behalf of a trap, printing its registers.
 *  => never returns; under make test it leaves QEMU with QEMU_EXIT_PANIC.
 */
void panic_with_frame(struct trapframe *tf, const char *fmt, ...)
    __noreturn __printflike(2, 3);

/*
 * backtrace_print - walk the frame-pointer chain from rbp (and first print
 * rip, if non-zero) with names from the kernel symbol table.
 */
void backtrace_print(uint64_t rip, uint64_t rbp, kprint_fn pr);

/*
 * An expected fault: code that is about to touch memory that may fault
 * (a test poking a read-only page; later copyin/copyout) arms a recovery
 * point.  If an exception arrives while one is armed, trap() records it
 * here and jumps back, and the armed ksetjmp() returns the vector + 1.
 *
 *     struct trap_expect te;
 *     if (trap_expect_arm(&te) == 0) {
 *             *ro_page = 1;              // faults
 *             trap_expect_disarm();       // not reached
 *     } else {
 *             // te.vector == T_PAGE_FAULT, te.addr == ro_page
 *     }
 *
 * The armed point is per thread (curthread->onfault, kern/core/thread.h).
 */
struct trap_expect {
	struct kjmpbuf jb;
	uint64_t vector;    /* the exception that arrived */
	uint64_t error;     /* its error code */
	uint64_t addr;      /* CR2 for a page fault */
	uint64_t rip;       /* where it happened */
};

#define trap_expect_arm(te) (trap_expect_set(te), ksetjmp(&(te)->jb))
void trap_expect_set(struct trap_expect *te);
void trap_expect_disarm(void);

/*
 * trap_catch - run fn(arg) with a recovery point armed.
 *  => returns false if fn returned normally, true if it faulted (te
 *     describes the fault).  Tests use this rather than arming by hand,
 *     which keeps ksetjmp out of functions full of locals.
 */
bool trap_catch(void (*fn)(void *arg), void *arg, struct trap_expect *te);

/* trap_recover - called by trap(): true if tf was expected and handled. */
bool trap_recover(struct trapframe *tf);

#endif
