/*
 * tests/kern/vmtest.h - a test address space for the VM suites.
 *
 *   struct vmtest t;
 *   vmtest_begin(&t);                      // new vmspace, leak baseline
 *   vaddr_t va = vmtest_map_anon(&t, 0x10000000, 4);
 *   uvm_fault(t.map, va, VM_PROT_WRITE);
 *   KT_EQ(vmtest_anon(&t, va)->an_ref, 1);
 *   vmtest_end(&t);                        // free it; checkers; no leaks
 *
 * vmtest_end runs every checker on the map and asserts that map entries,
 * amaps, anons, aobjs and pages are back to where vmtest_begin found them.
 * A forked child (vmtest_fork) must be ended before its parent.
 */
#ifndef TESTS_KERN_VMTEST_H
#define TESTS_KERN_VMTEST_H

#include "kern/lib/types.h"
#include "uvm/uvm_map.h"

struct uvm_object;
struct vm_anon;

struct vmtest {
	struct vmspace *vm;
	struct vm_map *map;
	bool child;                 /* made by vmtest_fork: no leak baseline */
	uint64_t entries0, amaps0, anons0, aobjs0, pages0;
};

void vmtest_begin(struct vmtest *t);
void vmtest_fork(struct vmtest *parent, struct vmtest *child);
void vmtest_end(struct vmtest *t);

/* Map npages at va (fixed) with prot (max: all), inherit copy, advice normal. */
vaddr_t vmtest_map(struct vmtest *t, vaddr_t va, int npages, struct uvm_object *uobj,
    vm_prot_t prot, uvm_flag_t flags);
/* Private anonymous read/write memory, as mmap(MAP_PRIVATE|MAP_ANONYMOUS). */
vaddr_t vmtest_map_anon(struct vmtest *t, vaddr_t va, int npages);

struct vm_map_entry *vmtest_entry(struct vmtest *t, vaddr_t va);
struct vm_anon *vmtest_anon(struct vmtest *t, vaddr_t va);
uint64_t vmtest_pte(struct vmtest *t, vaddr_t va);

/* Load the test pmap so kernel code can touch its user addresses (faults
 * go through trap() to uvm_fault), and go back to the kernel pmap. */
void vmtest_activate(struct vmtest *t);
void vmtest_deactivate(struct vmtest *t);

/* Pages neither free, nor in pools, nor page tables: the leak measure. */
uint64_t vmtest_pages_in_use(void);

#endif
