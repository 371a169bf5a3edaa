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
 *         resident page: resident (an aobj's is shared anonymous memory)
 *         aobj slot only swapped out
 *
 * A page counts once per entry: an anon hides the object page under it,
 * as it does from the fault handler.
 */
#ifndef UVM_UVM_USAGE_H
#define UVM_UVM_USAGE_H

#include "kern/lib/types.h"

struct vm_map;
struct vm_map_entry;

/* Bytes, as smaps prints them (in kB). */
struct uvm_usage {
	uint64_t size;          /* the entry's length */
	uint64_t rss;           /* resident pages */
	uint64_t pss;           /* rss, each anon page divided by its sharers */
	uint64_t anon;          /* resident pages of anons (private memory) */
	uint64_t anon_shared;   /* ... of them with more than one sharer */
	uint64_t swap;          /* pages only in swap */
	uint64_t locked;        /* rss of wired entries */
	uint64_t locked_size;   /* size of wired entries (VmLck) */
};

/*
 * uvm_usage_entry - add e's usage to *u.
 *  => map locked by the caller; takes the amap lock, then the object
 *     lock (the lock order), and releases them.
 */
void uvm_usage_entry(const struct vm_map_entry *e, struct uvm_usage *u);

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

#endif
