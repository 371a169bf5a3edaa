/*
 * uvm/uvm_fault.h - the page fault handler.
 *
 * uvm_fault(map, va, access) makes va accessible for access or says why
 * it cannot.  It looks in two layers, top first:
 *
 *   upper: the entry's amap  - an anon there means private data
 *   lower: the entry's object - file or aobj pages, or zero-fill
 *
 *   case 1A  anon, map its page (read, or write to an unshared anon)
 *   case 1B  anon shared (ref > 1) and a write: copy it into a new anon
 *   case 2A  object page, map it (read, or a write to a shared mapping)
 *   case 2B  write to a private mapping, or no object: promote the
 *            object page (or a zero page) into a new anon
 *
 * See uvm_fault.c for the flow and the restart protocol, and
 * uvm_fault_ahead.c for the speed-ups (faultahead=0 turns them off).
 */
#ifndef UVM_UVM_FAULT_H
#define UVM_UVM_FAULT_H

#include "kern/lib/types.h"
#include "uvm/uvm_param.h"

struct vm_map;

/*
 * uvm_fault - resolve a fault at va (any address in the page) for access.
 *  => map unlocked on entry and exit; sleeps: for swap and pager reads,
 *     for a page another fault holds busy, and for memory (uvm_wait,
 *     then the fault starts over).
 *  => returns 0; -EFAULT if nothing is mapped at va (SEGV_MAPERR);
 *     -EACCES if the mapping forbids access (SEGV_ACCERR); -ENOMEM if
 *     memory ran out and the page daemon found none to free; -EIO if a
 *     page could not be read; the pager's -EINVAL for a page past the
 *     end of its object (a file's end) and -ENOSPC for a store into a
 *     file hole that found no disk space.  The last three are SIGBUS
 *     (BUS_ADRERR) for a process.
 */
int uvm_fault(struct vm_map *map, vaddr_t va, vm_prot_t access_type);

/*
 * uvm_fault_wire - fault in and wire every page of [start, end).
 *  => map unlocked; returns 0, or the first error after unwiring the
 *     pages this call had wired (nothing is left half done).
 */
int uvm_fault_wire(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_prot_t access_type);

/*
 * uvm_fault_unwire - unwire the pages of [start, end), found through the
 * map entries (their amap and object), not through the PTEs, which
 * mprotect may have removed.  => map locked; every entry in the range
 * wired and its pages wired by it.
 */
void uvm_fault_unwire(struct vm_map *map, vaddr_t start, vaddr_t end);

/*
 * The fault-ahead switch (uvm_fault_ahead.c): true (the default) lets a
 * fault map resident neighbours, zero-fill and copy ahead of a forward
 * sweep and read ahead from swap; false (boot with faultahead=0) makes
 * every fault map exactly its own page.  Tests may flip it and restore it.
 */
extern bool uvm_fault_ahead_on;

/*
 * uvm_fault_ahead_init - read faultahead= from the boot command line.
 *  => once, at boot (uvm_init), before the first user fault.
 */
void uvm_fault_ahead_init(void);

#endif
