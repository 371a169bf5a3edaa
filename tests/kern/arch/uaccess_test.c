/*
 * tests/kern/arch/uaccess_test.c - kern/arch/uaccess.c: copies to and from a test
 * address space through the fault path, and every kind of bad pointer
 * turned into -EFAULT (unmapped, read-only for copyout, the kernel half,
 * ranges that wrap or run past user space), never a kernel fault.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/arch/uaccess.h"
#include "pmap/vmlayout.h"
#include "tests/harness/vmtest.h"
#include "pmap/pmap.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_page.h"

#define BASE 0x40000000UL

KTEST(uaccess, copies_fault_pages_in_both_ways)
{
	struct vmtest t;
	char out[] = "copied through the fault path", in[64];

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 2);
	vmtest_activate(&t);
	/* Straddles the page boundary: two zero-fill faults. */
	uint64_t faults = uvmexp.faults;
	KT_EQ(copyout(out, va + PAGE_SIZE - 5, sizeof(out)), 0);
	KT_EQ(uvmexp.faults, faults + 2);
	KT_EQ(copyin(va + PAGE_SIZE - 5, in, sizeof(out)), 0);
	vmtest_deactivate(&t);
	KT_STREQ(in, out);
	vmtest_end(&t);
}

KTEST(uaccess, bad_pointers_give_efault)
{
	struct vmtest t;
	char buf[32] = "x";

	vmtest_begin(&t);
	vaddr_t ro = vmtest_map(&t, BASE, 1, NULL, VM_PROT_READ, UVM_FLAG_COPYONWRITE);
	vmtest_activate(&t);
	KT_EQ(copyin(BASE + 0x100000, buf, 8), -EFAULT);            /* unmapped */
	KT_EQ(copyout(buf, ro, 8), -EFAULT);                        /* read-only */
	KT_EQ(copyin(ro, buf, 8), 0);                               /* readable */
	KT_EQ(copyin((uint64_t)buf, buf, 8), -EFAULT);              /* kernel half */
	KT_EQ(copyout(buf, USER_MAX - 4, 8), -EFAULT);              /* runs past */
	KT_EQ(copyin(UINT64_MAX - 3, buf, 8), -EFAULT);             /* wraps */
	KT_EQ(copyin(0, buf, 1), -EFAULT);                          /* null */
	vmtest_deactivate(&t);
	KT_EQ(t.map->pmap->pm_stats.resident, 1);
	vmtest_end(&t);
}

KTEST(uaccess, copyinstr_lengths_and_limits)
{
	struct vmtest t;
	char buf[16];

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, BASE, 1);
	vmtest_activate(&t);
	KT_EQ(copyout("hello", va, 6), 0);
	KT_EQ(copyinstr(va, buf, sizeof(buf)), 5);
	KT_STREQ(buf, "hello");
	KT_EQ(copyinstr(va, buf, 5), -ENAMETOOLONG);    /* no NUL in 5 bytes */
	KT_EQ(copyinstr(va, buf, 6), 5);
	/* A string running into an unmapped page. */
	char full[8];
	memset(full, 'a', sizeof(full));
	KT_EQ(copyout(full, va + PAGE_SIZE - 8, 8), 0);
	KT_EQ(copyinstr(va + PAGE_SIZE - 8, buf, sizeof(buf)), -EFAULT);
	KT_EQ(copyinstr((uint64_t)buf, buf, sizeof(buf)), -EFAULT);
	vmtest_deactivate(&t);
	vmtest_end(&t);
}
