/*
 * tests/uvm/uvm_ftrace_test.c - the fault trace records every fault with
 * the case the handler took, its result and its cost, and keeps only the
 * newest FTRACE_N.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "pmap/pmap.h"
#include "tests/harness/vmtest.h"
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
	KT_ASSERT(t.map->flags & VM_MAP_VMSPACE);
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
	KT_ASSERT(c.map->flags & VM_MAP_VMSPACE);
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

/*
 * A map of its own (uvm_map_setup, as the map tests make them) is inside
 * no vmspace: its faults record pid 0 and read nothing around the map.
 * This one does sit in a vmspace-shaped struct with a pid behind it, which
 * a handler taking every map for a vmspace's would report.
 */
KTEST(ftrace, map_outside_a_vmspace_records_pid_0)
{
	static struct vmspace bare;
	struct vm_baseline b;
	struct pmap *pm;
	vaddr_t va = BASE;

	vm_baseline_take(&b);
	pm = pmap_create();
	KT_ASSERT(pm != NULL);
	uvm_map_setup(&bare.vm_map, pm, BASE, BASE + 0x100000, 0);
	bare.vm_pid = 99;
	KT_EQ(uvm_map(&bare.vm_map, &va, PAGE_SIZE, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL,
	    MAP_INHERIT_COPY, UVM_ADV_NORMAL, UVM_FLAG_FIXED |
	    UVM_FLAG_COPYONWRITE)), 0);
	KT_EQ(uvm_fault(&bare.vm_map, va, VM_PROT_WRITE), 0);
	KT_EQ(newest()->fcase, FT_2B_ZERO);
	KT_EQ(newest()->pid, 0);
	uvm_unmap(&bare.vm_map, BASE, BASE + 0x100000);
	pmap_destroy(pm);
	vm_baseline_expect(&b);
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
