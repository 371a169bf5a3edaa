/*
 * uvm/uvm_usage.h - how much memory a map entry really uses, counted from
 * the structures that hold its pages (what /proc/PID/smaps and status
 * print, so a program can watch its own pages come and go).
 *
 *   entry [start, end)
 *     upper layer: amap slot i -> anon {ref, page, swslot}
 *         page        resident, anonymous; Pss gets PAGE_SIZE / sharers,
 *                     sharers = an_ref x the amap's am_ref
 *         swslot only swapped out
 *     lower layer (no anon in the slot): object page at offset + i pages
 *         counted when THIS process's page table maps it (as Linux counts
 *         a file page: a page of the file cache nobody here touched is
 *         not this process's); Pss gets PAGE_SIZE / mappings, the length
 *         of the page's PV list (pmap_page_mapcount)
 *         aobj slot only swapped out
 *
 * Two processes running one dynamic program map libc's text from ONE
 * object (the file's), so each text page has two PV entries:
 *
 *   proc A pmap --PTE--+                 Rss  A: 4 pages  B: 4 pages
 *                      +--> libc page    Pss  A: 2 pages  B: 2 pages
 *   proc B pmap --PTE--+    pv_count 2   (and Shared_Clean 4 pages each)
 *
 * A page counts once per entry: an anon hides the object page under it,
 * as it does from the fault handler.  "Shared" means more than one
 * sharer (anon) or mapping (object page); "dirty" an anon page (its only
 * copy is memory or swap), or an object page written through a PTE
 * (PG_M) or not PG_CLEAN; "referenced" the pmap's accessed bit of any
 * mapping (pmap_is_referenced).
 *
 * AnonHugePages is what the page table says, not the amap: the bytes of
 * the entry that 2 MiB PDEs (PG_PS) map, one look-up per 2 MiB block
 * (uvm_usage_huge).  The sum over a map's entries is 2 MiB times its
 * PS PDEs.
 */
#ifndef UVM_UVM_USAGE_H
#define UVM_UVM_USAGE_H

#include "kern/lib/types.h"

struct pmap;
struct vm_map;
struct vm_map_entry;

/* Bytes, as smaps prints them (in kB). */
struct uvm_usage {
	uint64_t size;          /* the entry's length */
	uint64_t rss;           /* resident pages */
	uint64_t pss;           /* rss, each page divided by its sharers */
	uint64_t pss_anon;      /* ... the anons' part, */
	uint64_t pss_file;      /* ... file pages' (vnode, initrd objects), */
	uint64_t pss_shmem;     /* ... aobj pages' (shared anonymous, tmpfs) */
	uint64_t pss_dirty;     /* ... the dirty pages' part */
	uint64_t shared_clean;  /* rss by sharers > 1 and dirtiness */
	uint64_t shared_dirty;
	uint64_t private_clean;
	uint64_t private_dirty;
	uint64_t referenced;    /* rss with the accessed bit */
	uint64_t anon;          /* resident pages of anons (private memory) */
	uint64_t anon_shared;   /* ... of them with more than one sharer */
	uint64_t shmem;         /* resident aobj pages (RssShmem) */
	uint64_t swap;          /* pages only in swap */
	uint64_t swap_pss;      /* swap, each anon's slot divided by its sharers */
	uint64_t locked;        /* rss of wired entries */
	uint64_t locked_size;   /* size of wired entries (VmLck) */
	uint64_t anon_huge;     /* bytes mapped by 2 MiB PDEs (AnonHugePages) */
};

/*
 * uvm_usage_entry - add the usage of e, an entry of map, to *u.
 *  => map locked by the caller; takes the amap lock, then the object
 *     lock (the lock order), and releases them; asks map's pmap which
 *     object pages it maps.
 */
void uvm_usage_entry(struct vm_map *map, const struct vm_map_entry *e,
    struct uvm_usage *u);

/*
 * uvm_usage_huge - the bytes of [start, end) that pm maps with 2 MiB
 * PDEs (PG_V|PG_PS leaves, pmap_pte_lookup): a PDE that [start, end)
 * covers only in part counts for that part.
 *  => no lock needed (pmap_pte_lookup takes the pmap's); O(2 MiB blocks).
 */
uint64_t uvm_usage_huge(struct pmap *pm, vaddr_t start, vaddr_t end);

/*
 * uvm_usage_huge_map - uvm_usage_huge over every entry of map
 * (/proc/meminfo's AnonHugePages sums it over the processes).
 *  => map unlocked: it is read-locked here.
 */
uint64_t uvm_usage_huge_map(struct vm_map *map);

/*
 * uvm_usage_map - the sum over every entry of map into *u (zeroed first).
 *  => map unlocked: it is locked here.
 */
void uvm_usage_map(struct vm_map *map, struct uvm_usage *u);

/*
 * uvm_usage_mincore - vec[i] = 1 if page i of [start, end) is resident:
 * its anon has a page, or (no anon) its object holds the page - a file's
 * cached page counts whether or not this process mapped it, as Linux's
 * mincore says of the page cache.
 *  => map unlocked (taken here); start, end page aligned; vec holds
 *     (end - start) / PAGE_SIZE bytes of kernel memory.
 *  => returns 0, or -ENOMEM if part of the range is not mapped.
 */
int uvm_usage_mincore(struct vm_map *map, vaddr_t start, vaddr_t end,
    uint8_t *vec);

/* What /proc/meminfo and sysinfo(2) say about memory, in pages. */
struct uvm_meminfo {
	uint64_t total;         /* managed pages not reserved (MemTotal) */
	uint64_t free;          /* on the free list (MemFree) */
	uint64_t available;     /* free + clean, unwired file pages */
	uint64_t cached;        /* pages of objects: files and aobjs (Cached) */
	uint64_t shmem;         /* ... of them aobjs' (Shmem) */
	uint64_t anon;          /* pages of anons (AnonPages) */
	uint64_t mapped;        /* object pages some PTE maps (Mapped) */
	uint64_t dirty;         /* object pages not PG_CLEAN (Dirty) */
	uint64_t active, inactive, wired;
	uint64_t swap_total, swap_free;
};

/*
 * uvm_usage_meminfo - count every vm_page by owner into *mi.
 *  => no lock held; reads the pages' owner fields without their owners'
 *     locks (a snapshot that may be a page off); O(physical pages).
 */
void uvm_usage_meminfo(struct uvm_meminfo *mi);

#endif
