/*
 * tests/kern/uvm_ftrace_test.c - the fault trace records every fault with
 * the case the handler took, its result and its cost, and keeps only the
 * newest FTRACE_N.
 */
#include "kern/ktest.h"
#include "kern/lib/errno.h"
#include "tests/kern/vmtest.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_ftrace.h"

#define BASE 0x50000000UL

static const struct ftrace_rec *
newest(void)
{
	return &uvm_ftrace.rec[uvm_ftrace.seq % FTRACE_N];
}

KTEST(ftrace, records_case_result_and_cost)
{
	struct vmtest t, c;

	vmtest_begin(&t);
	t.vm->vm_pid = 77;
	vaddr_t va = vmtest_map_anon(&t, BASE, 1);
	uint64_t seq = uvm_ftrace.seq;
	KT_EQ(uvm_fault(t.map, va + 8, VM_PROT_WRITE), 0);
	KT_EQ(uvm_ftrace.seq, seq + 1);
	KT_EQ(newest()->seq, seq + 1);
	KT_EQ(newest()->pid, 77);
	KT_EQ(newest()->va, va + 8);
	KT_EQ(newest()->fcase, FT_2B_ZERO);
	KT_EQ(newest()->error, 0);
	KT_ASSERT(newest()->cycles > 0);
	vmtest_fork(&t, &c);
	c.vm->vm_pid = 78;
	KT_EQ(uvm_fault(c.map, va, VM_PROT_WRITE), 0);
	KT_EQ(newest()->fcase, FT_1B);
	KT_EQ(newest()->pid, 78);
	KT_EQ(uvm_fault(c.map, BASE + 0x100000, VM_PROT_READ), -EFAULT);
	KT_EQ(newest()->fcase, FT_NONE);
	KT_EQ(newest()->error, -EFAULT);
	uvm_ftrace_print(3, ktest_capture);
	KT_ASSERT(ktest_captured_has(" 1B "));
	KT_ASSERT(ktest_captured_has("pid 78"));
	vmtest_end(&c);
	vmtest_end(&t);
}

KTEST(ftrace, ring_keeps_the_newest)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 1);
	uint64_t seq = uvm_ftrace.seq;
	for (int i = 0; i < FTRACE_N + 5; i++)
		KT_EQ(uvm_fault(t.map, va, VM_PROT_READ), 0);
	KT_EQ(uvm_ftrace.seq, seq + FTRACE_N + 5);
	/* Every slot holds one of the last FTRACE_N faults, none older. */
	for (int i = 0; i < FTRACE_N; i++)
		KT_ASSERT(uvm_ftrace.rec[i].seq > uvm_ftrace.seq - FTRACE_N);
	vmtest_end(&t);
}
