/*
 * kern/core/lab.c - the one function a lab's stub calls (kern/core/lab.h).
 *
 * In the reference kernel nothing calls it: the stubs live in comments
 * (the markers) until `make lab LAB=name` cuts a student tree, where the
 * solution between the markers is replaced by its stub.  A student who
 * boots that tree sees, on the first fault or call that needs the
 * missing code:
 *
 *      LAB cow1b: fault_upper_cow() is not written yet (docs/labs.md)
 *
 * and the operation fails with -ENOSYS: a fault kills its process with a
 * message, a kernel test fails.  The line is printed the first
 * LAB_SAY_MAX times only, so a boot that keeps hitting the stub stays
 * readable; lab_stub_calls counts all of them.
 *
 * Invariants: callable from any context that may print (no locks taken
 * here but the console's).
 */
#include "kern/core/lab.h"
#include "kern/lib/errno.h"
#include "kern/lib/printf.h"

#define LAB_SAY_MAX 20

uint64_t lab_stub_calls;

int
lab_unimplemented(const char *lab, const char *func)
{
	uint64_t n = __atomic_fetch_add(&lab_stub_calls, 1, __ATOMIC_RELAXED);

	if (n < LAB_SAY_MAX)
		kprintf("LAB %s: %s() is not written yet (docs/labs.md)\n", lab, func);
	return -ENOSYS;
}
