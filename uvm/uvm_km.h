/*
 * uvm/uvm_km.h - kernel memory, a VM service as UVM's uvm_km is:
 *
 *   kmem_alloc/kmem_free   any size: small sizes come from size-class
 *                          pools, up to a page a whole page in the
 *                          direct map, larger ones whole pages in the
 *                          kernel arena
 *   uvm_km_alloc/free      page-granular kernel virtual memory in the
 *                          arena [KVA_START, KVA_END), backed by pages
 *   uvm_km_stack_alloc     a kernel stack with an unmapped guard page
 *                          below it, so an overflow faults at once
 *
 * Boot order: vm_page_bootstrap and pmap_bootstrap (the arena's pages
 * come from vm_page_alloc and are mapped with pmap_kenter_pa), then
 * kmem_init; kmem_alloc panics before kmem_init.  uvm_km_alloc and the
 * stacks need no kmem_init.
 *
 * Lock order: a leaf lock (km_lock) guards the arena and the counters;
 * pmap and vm_page are called with it released, except that uvm_km_check
 * calls pmap_extract under it.  So pmap must never call uvm_km or kmem
 * with its own lock held.
 */
#ifndef UVM_UVM_KM_H
#define UVM_UVM_KM_H

#include "kern/lib/printf.h"
#include "kern/lib/types.h"

#define KM_ZERO 0x1         /* zero the memory */

/* uvm_km_alloc flags */
#define UVM_KMF_ZERO 0x1    /* zero the pages */
#define UVM_KMF_VAONLY 0x2  /* reserve addresses only, map nothing */

/* Sizes up to this come from the size-class pools (16, 32 ... 1024 bytes). */
#define KMEM_MAXSMALL (PAGE_SIZE / 4)

/* kmem_init - the size-class pools.  => once, after pmap_init. */
void kmem_init(void);

/*
 * kmem_alloc - size bytes of kernel memory (size > 0).
 *  => flags: KM_ZERO.  Up to KMEM_MAXSMALL bytes: an object of the
 *     smallest power-of-two class that fits, aligned to its class size,
 *     in the direct map; up to a page: a whole page of its own, in the
 *     direct map; larger: whole fresh pages in the arena, so a touch
 *     after kmem_free faults.
 *  => returns NULL when memory is short (or failure injection says so,
 *     uvm_failalloc.h); never sleeps (yet).
 *  => the caller must pass the same size to kmem_free.
 */
void *kmem_alloc(size_t size, int flags);
void *kmem_zalloc(size_t size);
void kmem_free(void *p, size_t size);

/*
 * kmem_reclaim - give the wholly free pages the size-class pools keep
 * back to the page allocator (for the page daemon when memory is short,
 * and for tests that count pages).  => returns how many; never sleeps.
 */
size_t kmem_reclaim(void);

/*
 * uvm_km_alloc - size bytes (rounded up to pages) of kernel virtual
 * memory, mapped read+write, no execute, unless UVM_KMF_VAONLY.
 *  => the pages are the kernel's: no owner, on no paging queue, not busy.
 *  => addresses are handed out next-fit, so freed ones are not reused
 *     until the 1 GiB arena wraps: a stale pointer faults.
 *  => returns the address, or 0 when addresses or pages run out (or for
 *     size 0).  Never sleeps.
 */
vaddr_t uvm_km_alloc(vsize_t size, int flags);

/*
 * uvm_km_free - unmap, free the pages and release the addresses.
 *  => va and size as given to (or returned by) uvm_km_alloc, flags too:
 *     with UVM_KMF_VAONLY only the addresses are released (the caller has
 *     removed whatever it mapped there).  Freeing what is not allocated
 *     that way panics.
 */
void uvm_km_free(vaddr_t va, vsize_t size, int flags);

/*
 * uvm_km_stack_alloc - a kernel stack of npages pages with one unmapped
 * guard page below it.
 *  => returns the lowest usable address (the stack top is that plus
 *     npages * PAGE_SIZE), or 0 when memory is short.
 *  => uvm_km_stack_free takes the same base and npages.
 */
vaddr_t uvm_km_stack_alloc(size_t npages);
void uvm_km_stack_free(vaddr_t base, size_t npages);

/*
 * uvm_km_check - the arena's bitmap agrees with its counters; every
 * allocated page is mapped to an allocated vm_page; guard pages, and
 * free pages below the highest address ever used, are unmapped.
 *  => reports through pr; returns the number of problems.  Never panics.
 */
int uvm_km_check(kprint_fn pr);

/* Counters for tests and the leak check.  Updated under km_lock. */
struct uvm_km_stats {
	uint64_t kva_pages;         /* arena pages allocated (incl. guards) */
	uint64_t kmem_bytes;        /* bytes out through kmem_alloc */
	uint64_t kmem_pages;        /* page-sized (direct-map page) ones out */
	uint64_t kmem_large;        /* large (arena) kmem allocations out */
	uint64_t kmem_large_made;   /* ... ever made (an event count) */
};
extern struct uvm_km_stats uvm_km_stats;

#endif
