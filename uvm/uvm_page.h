/*
 * uvm/uvm_page.h - physical pages: struct vm_page, the free lists, the
 * paging queues, and the statistics every layer updates.
 *
 * There is one struct vm_page for every page of usable RAM.  They live in
 * arrays, one per usable physical range ("segment"), indexed by frame
 * number, so a physical address finds its page with one subtraction:
 *
 *   segment 0: frames [0x100, 0x1ffe0)   pages[] --> vm_page for 0x100000, ...
 *   segment 1: frames [0x0, 0x9f)        pages[] --> ...
 *
 *   vm_page_from_phys(pa) = &seg->pages[(pa >> 12) - seg->start_frame]
 *
 * Who owns a page, at any moment exactly one of:
 *   - the free list               pqflags & PQ_FREE (on the global list,
 *                                 or with PQ_CPUCACHE in a CPU's cache)
 *   - an object at an offset      uobject != NULL  (file, aobj)
 *   - an anon                     uanon != NULL    (anonymous memory)
 *   - the kernel, unnamed          neither, e.g. a page-table or pool page
 *   - nobody, forever             PQ_RESERVED (kernel image, boot data)
 *
 * Which queue it is on: free list, active, inactive, or none (wired pages
 * and kernel pages sit on no queue).  The page daemon (uvm_pdaemon.c)
 * scans the inactive queue and refills it from the active one.
 *
 * Page flags follow UVM:
 *   PG_BUSY     someone is working on the page (I/O, being filled); others
 *               wait: set PG_WANTED and sleep
 *   PG_WANTED   someone is waiting for PG_BUSY to clear
 *   PG_CLEAN    the page matches its backing store (swap, file)
 *   PG_RELEASED free the page when whoever has it busy is done
 *   PG_FAKE     allocated but not yet filled with valid data
 *   PG_RDONLY   the pager says: map it read-only (a file hole)
 *
 * Free pages are kept by 2 MiB physical frame (uvm_page.c's opening
 * comment): a frame whose 512 pages are all free is "whole" and can be
 * handed out as one large page (vm_page_alloc_large); 4 KiB allocations
 * take from frames already broken first, so whole frames stay whole.
 *
 * Lock order: the page-queue lock (uvm_pageq_lock) is taken after object
 * and amap locks and before the free-list lock (uvm_free_lock).
 */
#ifndef UVM_UVM_PAGE_H
#define UVM_UVM_PAGE_H

#include "kern/lib/atomic.h"
#include "kern/lib/printf.h"
#include "kern/lib/queue.h"
#include "kern/lib/rbtree.h"
#include "kern/core/mutex.h"
#include "kern/lib/spinlock.h"
#include "kern/arch/memmap.h"
#include "pmap/pmap_page.h"
#include "uvm/uvm_param.h"

struct uvm_object;
struct vm_anon;

struct vm_page {
	TAILQ_ENTRY(vm_page) pageq;     /* free list or paging queue */
	paddr_t phys_addr;
	struct uvm_object *uobject;     /* owning object, or NULL */
	voff_t offset;                  /* offset in uobject */
	struct rb_node objt;            /* in uobject->rb_pages, by offset */
	struct vm_anon *uanon;          /* owning anon, or NULL */
	uint16_t flags;                 /* PG_* */
	uint16_t pqflags;               /* PQ_*: which queue, what owner kind */
	uint32_t wire_count;            /* wired mappings or kernel users */
	struct vm_page_md md;           /* pmap's part: PV list, A/D */
};

TAILQ_HEAD(pglist, vm_page);

/* flags */
#define PG_BUSY 0x0001
#define PG_WANTED 0x0002
#define PG_CLEAN 0x0004
#define PG_RELEASED 0x0008
#define PG_FAKE 0x0010
#define PG_ZERO 0x0020      /* known to be all zeros (free pages) */
#define PG_RDONLY 0x0040    /* map without write access: a file page over
			       a hole, whose block a write fault allocates
			       (uvm/uvm_vnode.h) */

/* pqflags */
#define PQ_FREE 0x0001
#define PQ_ACTIVE 0x0002
#define PQ_INACTIVE 0x0004
#define PQ_RESERVED 0x0008  /* never allocatable: kernel image, boot data */
#define PQ_CPUCACHE 0x0010  /* with PQ_FREE: free, in a CPU's cache instead
			       of on the free list (uvm/uvm_pgcache.c) */
#define PQ_QUEUES (PQ_FREE | PQ_ACTIVE | PQ_INACTIVE)

/*
 * The statistics: one structure, updated where things happen, read by
 * tests, /proc/meminfo and the debugger (p uvmexp).  A counter that is
 * changed under one lock (the page counts under uvm_free_lock or
 * uvm_pageq_lock, the frame counts under uvm_free_lock, the page daemon's by its
 * one thread) is changed plainly; one that threads of different maps or
 * objects change with no common lock held (the fault counters, pageins,
 * oomkills) goes through UVMEXP_ADD, an atomic add.  So do free,
 * zeropages, pga_alloc and pgc_hits: the per-CPU page caches change them
 * with no lock (uvm/uvm_pgcache.c).
 */
#define UVMEXP_ADD(field, n) atomic_add_u64(&uvmexp.field, (int64_t)(n))
struct uvmexp {
	/* pages */
	uint64_t npages;        /* managed pages (all vm_pages) */
	uint64_t free;          /* on the free list or in a CPU's cache */
	uint64_t active;
	uint64_t inactive;
	uint64_t wired;         /* pages with wire_count > 0 */
	uint64_t reserved;      /* PQ_RESERVED */
	uint64_t zeropages;     /* free pages known to be zero */
	/* allocator */
	uint64_t pga_alloc;     /* vm_page_alloc calls that succeeded */
	uint64_t pga_fail;      /* ... that found no page */
	uint64_t pga_zeroed;    /* pages zeroed because the caller asked */
	/* the per-CPU free-page caches (uvm/uvm_pgcache.c) */
	uint64_t pgc_hits;      /* pages allocated from a CPU's cache */
	uint64_t pgc_refills;   /* batches moved from the list to a cache */
	uint64_t pgc_drains;    /* batches moved from a full cache to the list */
	uint64_t pgc_steals;    /* every cache emptied (list empty, a contiguous
	                           run not found, caches turned off) */
	uint64_t pgc_stolen;    /* pages those steals brought back */
	/* 2 MiB frames (uvm_page.c), all four under uvm_free_lock */
	uint64_t frames_whole;  /* frames with all 512 pages on the free list */
	uint64_t frames_split;  /* whole frames broken for smaller allocations
	                           ("reservations broken") */
	uint64_t pga_large;     /* 2 MiB runs handed out (vm_page_alloc_large) */
	uint64_t pga_large_fail; /* ... refused: no whole frame, or the
	                           reserve (injected failures not counted) */
	/* faults (uvm_fault) */
	uint64_t faults;
	uint64_t flt_zerofill;  /* 2B with no object: a fresh zero page */
	uint64_t flt_cow;       /* 1B: shared anon copied on write */
	uint64_t flt_anon;      /* 1A: anon page mapped */
	uint64_t flt_obj;       /* 2A: object page mapped */
	uint64_t flt_promote;   /* 2B: object page copied into an anon */
	uint64_t flt_neighbor;  /* pages mapped by fault-ahead */
	uint64_t flt_nbruns;    /* ... of an object, runs of them mapped at
	                           once (one pmap_enter_pages each) */
	uint64_t flt_zeroahead; /* pages zero-filled ahead of a forward sweep */
	uint64_t flt_cowahead;  /* pages copied ahead of a forward sweep */
	uint64_t thp_fills;     /* 2 MiB runs a zero-fill fault filled whole */
	uint64_t thp_fallbacks; /* ... eligible, but no free run: 4 KiB */
	uint64_t thp_reuses;    /* read-only 2 MiB mappings made writable whole */
	uint64_t flt_restart;   /* fault restarted after sleeping */
	uint64_t flt_upgrade;   /* fault looked again as the map's writer (to
	                           give its entry an amap) */
	/* paging */
	uint64_t pageins;       /* pages read back from swap */
	uint64_t pageouts;      /* pages written to swap */
	/* the page daemon (uvm/uvm_pdaemon.c) */
	uint64_t freemin;       /* below this many free pages it wakes */
	uint64_t freetarg;      /* and works until this many are free */
	uint64_t reserve;       /* an owned page (anon, object) is refused
				   below this: the rest is the kernel's */
	uint64_t pdwoke;        /* passes run */
	uint64_t pdscans;       /* pages looked at */
	uint64_t pdreact;       /* referenced: second chance, back to active */
	uint64_t pddeact;       /* moved from active to inactive */
	uint64_t pdfreed;       /* clean pages freed without I/O */
	uint64_t pdbusy;        /* skipped: busy, wired or owner locked */
	uint64_t pdstalls;      /* passes that freed nothing, memory short */
	uint64_t oomkills;      /* processes killed: no memory, no swap */
	/* anons (uvm/uvm_anon.c) */
	uint64_t anfree_one;    /* anons freed one at a time (anon_free) */
	uint64_t anfree_batch;  /* batches of anons freed (anon_free_many) */
	/* the pmap's counters are its own: pmap_counters (pmap/pmap.h) */
};

extern struct uvmexp uvmexp;
extern struct spinlock uvm_free_lock;
extern struct spinlock uvm_pageq_lock;

/* vm_page_alloc flags */
#define VM_PAGE_ZERO 0x1    /* return the page zero-filled */
#define VM_PAGE_NOFAIL 0x2  /* the caller cannot fail cleanly (a kernel
			       page table): no injected failure
			       (uvm_failalloc.h); a real shortage still
			       returns NULL */

/* A large page: one 2 MiB physical frame, VM_LARGE_PAGES small pages. */
#define VM_LARGE_SHIFT 21
#define VM_LARGE_SIZE (1UL << VM_LARGE_SHIFT)
#define VM_LARGE_PAGES (VM_LARGE_SIZE / PAGE_SIZE)

/*
 * Boot order:
 *   vm_page_boot_init(mm, reserved, n)  remember RAM and what is taken
 *   vm_page_boot_steal(n)               pages for early page tables
 *   (pmap_bootstrap switches to the real page tables)
 *   vm_page_bootstrap()                 build the arrays and free list
 */

/*
 * vm_page_boot_init - record usable RAM and the ranges already in use
 * (kernel image, boot information, modules).  => called once, first.
 */
void vm_page_boot_init(const struct memmap *mm, const struct phys_range *reserved,
    int nreserved);

/*
 * vm_page_boot_steal - before vm_page_bootstrap: npages zeroed, physically
 * contiguous pages below 4 GiB (reachable through the early direct map),
 * never to be freed.  => panics if RAM is exhausted.
 */
paddr_t vm_page_boot_steal(size_t npages);

/*
 * vm_page_bootstrap - build the vm_page arrays and the free list.  Every
 * page recorded by vm_page_boot_init or stolen is PQ_RESERVED.
 *  => once, after pmap_bootstrap (it uses the full direct map).
 */
void vm_page_bootstrap(void);

/*
 * vm_page_alloc - take one free page for an owner.
 *  => obj/off or anon name the owner (both NULL/0 for a kernel page).
 *  => a page for an owner is refused once free pages fall to
 *     uvmexp.reserve, which is kept for the kernel (page tables, pools,
 *     the page daemon); below uvmexp.freemin the page daemon is woken.
 *  => the page comes back PG_BUSY | PG_FAKE | PG_CLEAN, on no queue, zeroed
 *     if flags has VM_PAGE_ZERO.
 *  => tries this CPU's page cache first (no lock), then the free list;
 *     when the list is empty but pages sit in other CPUs' caches, it
 *     cross-calls them to give those back (uvm_pgcache.c).
 *  => returns NULL when no page is free, or when failure injection says
 *     so (uvm_failalloc.h; not with VM_PAGE_NOFAIL); never sleeps.
 */
struct vm_page *vm_page_alloc(struct uvm_object *obj, voff_t off,
    struct vm_anon *anon, int flags);

/*
 * vm_page_alloc_kernel - vm_page_alloc of a page for the kernel's own use
 * (a pool page, a page table, a kmem page, an arena page): no owner, on
 * no queue, and not busy or fake - nobody will read it in or wait on it.
 *  => flags and the return as vm_page_alloc's; never sleeps.
 */
struct vm_page *vm_page_alloc_kernel(int flags);

/*
 * vm_page_alloc_anons - vm_page_alloc for a run of anons: page i for
 * anons[i], taken under one lock of the free list.
 *  => as vm_page_alloc; returns how many pages (pgs[0..got)), fewer than
 *     n when free pages fall to the reserve (or an injected failure cuts
 *     the run short).  Never sleeps.
 */
int vm_page_alloc_anons(struct vm_page **pgs, struct vm_anon *const *anons,
    int n, int flags);

/*
 * vm_page_free - give a page back.
 *  => it must have no mappings (PV list empty); it is taken off any
 *     paging queue, its wirings are dropped (a wired kernel page such as a
 *     page table may be freed directly) and its owner fields cleared.
 *  => it goes to this CPU's page cache when there is room (and memory
 *     is not short), else to the free list.
 */
void vm_page_free(struct vm_page *pg);

/*
 * vm_page_free_many - vm_page_free of n pages, none wired, with one
 * paging-queue lock for all and the free list's lock at most once: for
 * an munmap or an exit freeing many pages at once.
 */
void vm_page_free_many(struct vm_page **pgs, int n);

/*
 * vm_page_alloc_contig - npages physically contiguous pages, the first
 * aligned to align bytes (a power of two, >= PAGE_SIZE), all below max_pa.
 *  => *first gets the first page; the others follow in the same array.
 *  => returns 0, -EINVAL for a bad request or -ENOMEM; never sleeps.
 */
int vm_page_alloc_contig(size_t npages, paddr_t align, paddr_t max_pa,
    int flags, struct vm_page **first);

/* vm_page_free_contig - free what vm_page_alloc_contig returned. */
void vm_page_free_contig(struct vm_page *first, size_t npages);

/*
 * vm_page_alloc_large - a whole free 2 MiB frame: VM_LARGE_PAGES
 * physically contiguous pages, the first VM_LARGE_SIZE-aligned.
 *  => *first gets the first page; the others follow in the same array
 *     (first[i] is at vm_page_phys(first) + i * PAGE_SIZE).
 *  => each page comes back as vm_page_alloc's do: PG_BUSY | PG_FAKE |
 *     PG_CLEAN, on no queue, owned by nobody (the caller sets uanon or
 *     uobject/offset per page), all zeroed if flags has VM_PAGE_ZERO
 *     (pga_zeroed counts VM_LARGE_PAGES).
 *  => -ENOMEM when no frame is whole, when free pages would fall below
 *     uvmexp.reserve + VM_LARGE_PAGES, or when failure injection says so
 *     (uvm_failalloc.h; not with VM_PAGE_NOFAIL).  It never empties the
 *     per-CPU caches and never wakes the page daemon for it: the caller
 *     falls back to 4 KiB pages.  Never sleeps.
 *  => the pages may be freed one by one (vm_page_free), in any order;
 *     the frame is whole again when the last comes back to the list.
 */
int vm_page_alloc_large(struct vm_page **first, int flags);

/* vm_page_free_large - free the VM_LARGE_PAGES pages from first. */
void vm_page_free_large(struct vm_page *first);

/*
 * vm_page_frame_free - how many pages of pg's 2 MiB frame are on the
 * free list now (not counting pages in the per-CPU caches); for tests
 * and debuggers.  => takes uvm_free_lock.
 */
int vm_page_frame_free(const struct vm_page *pg);

/* vm_page_from_phys - the vm_page of a physical address, or NULL if unmanaged. */
struct vm_page *vm_page_from_phys(paddr_t pa);

static inline paddr_t
vm_page_phys(const struct vm_page *pg)
{
	return pg->phys_addr;
}

/* vm_page_kva - the page's contents through the direct map. */
void *vm_page_kva(const struct vm_page *pg);

/*
 * Paging queues.
 *  => vm_page_activate/deactivate move an unwired page to the tail of
 *     the active/inactive queue (vm_page_activate_many: n pages, one
 *     lock); vm_page_dequeue takes it off any queue.
 *  => vm_page_wire takes the page off the queues and counts a wiring;
 *     vm_page_unwire undoes one and puts the page back on the active
 *     queue when the count reaches zero.
 */
void vm_page_activate(struct vm_page *pg);
void vm_page_activate_many(struct vm_page **pgs, int n);
void vm_page_deactivate(struct vm_page *pg);
void vm_page_dequeue(struct vm_page *pg);
void vm_page_wire(struct vm_page *pg);
void vm_page_unwire(struct vm_page *pg);

/*
 * vm_page_unbusy - clear PG_BUSY and wake whoever waits for the page.
 *  => the page's owner locked (or the page not yet visible to anyone).
 */
void vm_page_unbusy(struct vm_page *pg);

/*
 * vm_page_wait_busy - sleep until pg is no longer busy.
 *  => ownerlock (the lock that covers pg) held on entry, released on
 *     return: the page may be gone by then, so the caller starts over.
 *     Sleeps.
 */
void vm_page_wait_busy(struct vm_page *pg, struct kmutex *ownerlock,
    const char *wmesg);

/*
 * vm_page_queue_rotate - the head page of the active (PQ_ACTIVE) or
 * inactive (PQ_INACTIVE) queue, moved to the tail, so a scan that calls
 * it n times sees n different pages (the page daemon's clock hand).
 *  => uvm_pageq_lock held; NULL when the queue is empty.
 */
struct vm_page *vm_page_queue_rotate(int queue);

/* vm_page_foreach - call fn on every vm_page (for checkers and debuggers). */
void vm_page_foreach(void (*fn)(struct vm_page *pg, void *arg), void *arg);

/*
 * vm_page_check - the allocator checker: free count equals the free list
 * plus the per-CPU caches (vm_pgcache_check), counted also by a walk over
 * every page; every free page is unowned, unwired, unmapped; queue counts
 * match; each list's links agree both ways; each 2 MiB frame's list holds
 * exactly its free-listed pages, its count agrees, and it is on the whole
 * list (all 512 free), the partial list (some) or neither (none).
 *  => holds the other CPUs in a cross-call for the walk (their caches
 *     change without a lock); reports each problem through pr; returns
 *     how many.
 */
int vm_page_check(kprint_fn pr);

/* vm_page_print - one page: address, flags, queue, owner, mappings. */
void vm_page_print(const struct vm_page *pg, kprint_fn pr);

/*
 * uvmexp_foreach - call fn(name, value, arg) for each statistic: uvmexp's
 * counters, then the pmap's, always in one order.  The one table behind
 * uvmexp_print and /proc/uvmexp (kern/fs/procfs.c).
 *  => no lock; a value may be a moment old.
 */
void uvmexp_foreach(void (*fn)(const char *name, uint64_t v, void *arg), void *arg);

/* uvmexp_print - the statistics, one "name value" per line. */
void uvmexp_print(kprint_fn pr);

#endif
