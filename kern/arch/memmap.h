/*
 * kern/arch/memmap.h - usable physical memory as a sorted list of ranges.
 */
#ifndef KERN_MEMMAP_H
#define KERN_MEMMAP_H

#include "kern/lib/types.h"
#include "kern/lib/printf.h"

/* One entry of the firmware's map, as multiboot2 tag 6 gives it. */
struct mb2_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;      /* 1 usable, 3 ACPI reclaimable, 4 NVS, 5 bad, ... */
	uint32_t reserved;
} __packed;

#define MB2_MEM_USABLE 1

/* A half-open range [start, end) of whole usable pages. */
struct phys_range {
	paddr_t start;
	paddr_t end;
};

#define MEMMAP_MAX_RANGES 64

struct memmap {
	struct phys_range r[MEMMAP_MAX_RANGES];
	int n;
	uint64_t dropped;   /* bytes of usable memory lost to a full table */
};

/*
 * memmap_build - turn raw firmware entries into sorted, disjoint usable ranges.
 *  => entries may be unsorted, overlapping, zero-length or above 4 GiB;
 *     memory is usable only where some entry says usable and no entry says
 *     anything else (reserved wins).  Ranges are trimmed to whole pages.
 *  => never sleeps, allocates nothing; returns the number of ranges.
 */
int memmap_build(const struct mb2_mmap_entry *e, int n, struct memmap *out);

/*
 * memmap_limit - keep only the memory below physical address limit (the
 *                mem= option: a smaller machine inside this one).
 *  => limit is rounded down to a page; ranges above it are dropped, the
 *     one across it is cut.  Returns the bytes removed.
 */
uint64_t memmap_limit(struct memmap *mm, paddr_t limit);

/* memmap_total - bytes in all ranges. */
uint64_t memmap_total(const struct memmap *mm);

/* memmap_print - one line per range, then the total in MiB. */
void memmap_print(const struct memmap *mm, kprint_fn pr);

#endif
