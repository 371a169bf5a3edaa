/*
 * kern/core/lab.h - what a lab's stub calls in place of the code the
 * student has to write (docs/labs.md, tools/lab/).
 *
 * A lab's reference solution sits between two marker comments, and the
 * marker carries the stub that `make lab` puts in its place, e.g. in
 * uvm/uvm_fault.c:
 *
 *      LAB cow1b BEGIN
 *      STUB (void)anon;
 *      STUB return lab_unimplemented("cow1b", __func__);
 *      ...the reference code...
 *      LAB cow1b END
 *
 * (each line inside a C comment).  The stub must fail cleanly and say so:
 * lab_unimplemented prints one line naming the lab and the function and
 * returns -ENOSYS, which the stub hands back as its error.  Never a
 * silent wrong answer: the caller fails (a test fails, a process is
 * killed with a message), and the console says why.
 */
#ifndef KERN_CORE_LAB_H
#define KERN_CORE_LAB_H

#include "kern/lib/types.h"

/* How many times a lab stub was called since boot (tests may look). */
extern uint64_t lab_stub_calls;

/*
 * lab_unimplemented - a lab stub was reached: say which.
 *  => prints "LAB <lab>: <func>() is not written yet" (the first 20 times);
 *  => returns -ENOSYS for the stub to return; never sleeps.
 */
int lab_unimplemented(const char *lab, const char *func);

#endif
