/*
 * tests/harness/vmtest.h - a test address space for the VM suites.
 *
 *   struct vmtest t;
 *   vmtest_begin(&t);                      // new vmspace, leak baseline
 *   vaddr_t va = vmtest_map_anon(&t, 0x10000000, 4);
 *   uvm_fault(t.map, va, VM_PROT_WRITE);
 *   KT_EQ(vmtest_anon(&t, va)->an_ref, 1);
 *   vmtest_end(&t);                        // free it; checkers; no leaks
 *
 * vmtest_end runs every checker on the map and asserts that everything a
 * vm_baseline counts is back where vmtest_begin found it.  A forked child
 * (vmtest_fork) must be ended before its parent.
 *
 * The leak baseline on its own, for tests that need no vmspace:
 *
 *   struct vm_baseline b;
 *   vm_baseline_take(&b);
 *   ... allocate and free ...
 *   vm_baseline_expect(&b);                // KT_EQ on every counter
 */
#ifndef TESTS_KERN_VMTEST_H
#define TESTS_KERN_VMTEST_H

#include "kern/lib/types.h"
#include "uvm/uvm_map.h"

struct vm_page;
struct uvm_object;

struct pglist;
struct uvm_object;
struct vm_anon;

/*
 * What a test must give back: the live-object counts a leak would raise.
 * Pages are counted by vmtest_pages_in_use.
 */
struct vm_baseline {
	uint64_t pages;             /* vmtest_pages_in_use() */
	uint64_t entries;           /* uvm_map_entry_count() */
	uint64_t amaps;             /* amap_count() */
	uint64_t anons;             /* anon_count() */
	uint64_t aobjs;             /* uao_count() */
	uint64_t swapslots;         /* uvm_swap_stats.inuse - .bad: held slots */
	uint64_t kmem_bytes;        /* uvm_km_stats.kmem_bytes */
	uint64_t memobjs;           /* uvm_memobj_count() */
};

/* vm_baseline_take - note every counter of struct vm_baseline now. */
void vm_baseline_take(struct vm_baseline *b);

/*
 * vm_baseline_expect - every counter is back to its value in b.
 *  => KT_EQ on each: the first that differs fails the test, naming it.
 */
void vm_baseline_expect(const struct vm_baseline *b);

struct vmtest {
	struct vmspace *vm;
	struct vm_map *map;
	bool child;                 /* made by vmtest_fork: no leak baseline */
	struct vm_baseline base;
};

void vmtest_begin(struct vmtest *t);
void vmtest_fork(struct vmtest *parent, struct vmtest *child);
void vmtest_end(struct vmtest *t);

/* Map npages at va (fixed) with prot (max: all), inherit copy, advice normal. */
vaddr_t vmtest_map(struct vmtest *t, vaddr_t va, int npages, struct uvm_object *uobj,
    vm_prot_t prot, uvm_flag_t flags);
/* Private anonymous read/write memory, as mmap(MAP_PRIVATE|MAP_ANONYMOUS). */
vaddr_t vmtest_map_anon(struct vmtest *t, vaddr_t va, int npages);
/* A memory object (an initrd file's kind) over size bytes of fill, with
 * a reference for the caller's mapping besides the creator's; *datap
 * gets the bytes.  vmtest_memobj_free drops the creator's and frees them. */
struct uvm_object *vmtest_memobj(size_t size, uint8_t fill, uint8_t **datap);
void vmtest_memobj_free(struct uvm_object *uobj, uint8_t *data, size_t size);

struct vm_map_entry *vmtest_entry(struct vmtest *t, vaddr_t va);
struct vm_anon *vmtest_anon(struct vmtest *t, vaddr_t va);
uint64_t vmtest_pte(struct vmtest *t, vaddr_t va);

/* Load the test pmap so kernel code can touch its user addresses (faults
 * go through trap() to uvm_fault), and go back to the kernel pmap. */
void vmtest_activate(struct vmtest *t);
void vmtest_deactivate(struct vmtest *t);

/*
 * vmtest_pages_in_use - pages neither free, nor in pools, nor page tables:
 * the leak measure.
 *  => a pool keeping an empty page cached is no leak, and neither is the
 *     kernel arena keeping a page table a large kmem allocation needed
 *     (user pmaps free theirs when destroyed).
 */
uint64_t vmtest_pages_in_use(void);

/*
 * vmtest_hold_free - take free pages onto held (initialized here), each
 * at the head, until the allocator says no (leave 0: every free page, the
 * last attempt failing) or only leave pages are free.  => how many.
 * vmtest_release - free them from the head: last taken first.
 */
uint64_t vmtest_hold_free(struct pglist *held, uint64_t leave);
void vmtest_release(struct pglist *held);

/*
 * vmtest_thp - set the 2 MiB page switch (uvm_thp_on, the boot's thp=)
 * for the rest of the test, the boot's value back after it, as
 * vmtest_fault_ahead does for its switch.
 */
void vmtest_thp(bool on);

/*
 * vmtest_fault_ahead - set the fault-ahead switch (uvm_fault_ahead_on,
 * the boot's faultahead=) for the rest of the test; the harness puts the
 * boot's value back after the test, passed or failed.  Tests of the
 * speed-ups turn it on, so they pass under faultahead=0 too.
 */
void vmtest_fault_ahead(bool on);

/*
 * The parts every test pager with a pgo_get of its own shares (tests/uvm's
 * pagers that sleep or race inside pgo_get):
 *  vmtest_pager_locked - the PGO_LOCKED answer: the resident pages into
 *     pps, 0 if the center one is there, else -EBUSY.  => object locked.
 *  vmtest_pager_page - off's page of uobj, made if absent (zeroed, its
 *     first word stamp + off), returned busy.  => object unlocked.
 *  vmtest_pager_reference, vmtest_pager_detach - count references; the
 *     last detach frees every page, none of which may be wired or busy
 *     (a test that leaves one so fails here).
 */
int vmtest_pager_locked(struct uvm_object *uobj, voff_t off, int centeridx,
    struct vm_page **pps, int npages);
struct vm_page *vmtest_pager_page(struct uvm_object *uobj, voff_t off, uint64_t stamp);
void vmtest_pager_reference(struct uvm_object *uobj);
void vmtest_pager_detach(struct uvm_object *uobj);

#endif
