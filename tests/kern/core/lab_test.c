/*
 * tests/kern/core/lab_test.c - kern/core/lab.c: what a lab's stub calls
 * (docs/labs.md).  It must fail with an error the stub can return, and
 * count the call; the line it prints names the lab and the function
 * (make labtest looks for that line in each skeleton's console).
 */
#include "kern/core/ktest.h"
#include "kern/core/lab.h"
#include "kern/lib/errno.h"

KTEST(lab, unimplemented_returns_enosys_and_counts)
{
	uint64_t calls0 = lab_stub_calls;

	KT_EQ(lab_unimplemented("ktest", __func__), -ENOSYS);
	KT_EQ(lab_unimplemented("ktest", __func__), -ENOSYS);
	KT_EQ(lab_stub_calls - calls0, 2);
}
