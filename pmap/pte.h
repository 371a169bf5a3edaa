/*
 * pmap/pte.h - the x86-64 page-table entry format.  Only pmap/ (and tests
 * and debug views that decode PTEs) may include this.
 *
 *   63  62..52  51 ........ 12  11..9  8  7   6  5  4   3   2  1  0
 *   NX  (avail)  frame number   avail  G  PS  D  A  PCD PWT U  W  P
 *
 * Four levels translate a 48-bit address, 9 bits each:
 *
 *   va: | 47..39 PML4 | 38..30 PDPT | 29..21 PD | 20..12 PT | 11..0 offset |
 */
#ifndef PMAP_PTE_H
#define PMAP_PTE_H

#include "kern/lib/types.h"

typedef uint64_t pt_entry_t;

#define PG_V (1UL << 0)        /* present ("valid") */
#define PG_RW (1UL << 1)       /* writable */
#define PG_U (1UL << 2)        /* user may access */
#define PG_PWT (1UL << 3)
#define PG_PCD (1UL << 4)      /* cache disabled */
#define PG_A (1UL << 5)        /* accessed: set by the CPU */
#define PG_M (1UL << 6)        /* dirty: set by the CPU on write */
#define PG_PS (1UL << 7)       /* large page (in a PD or PDPT entry) */
#define PG_G (1UL << 8)        /* global: survives CR3 reloads */
#define PG_WIRED (1UL << 9)    /* software: wired mapping */
#define PG_PVLIST (1UL << 10)  /* software: managed page, has a PV entry */
#define PG_NX (1UL << 63)      /* no execute (EFER.NXE is on) */

#define PG_FRAME 0x000ffffffffff000UL
#define PG_LGFRAME 0x000fffffffe00000UL    /* 2 MiB frame */

#define NPTE 512
#define L1_SHIFT 12
#define L2_SHIFT 21
#define L3_SHIFT 30
#define L4_SHIFT 39
#define NBPD_L2 (1UL << L2_SHIFT)      /* bytes mapped by one PD entry */
#define NBPD_L3 (1UL << L3_SHIFT)
#define NBPD_L4 (1UL << L4_SHIFT)

/* Index of va in the table at level lvl (1 = PT ... 4 = PML4). */
#define PTE_INDEX(va, lvl) (((va) >> (12 + 9 * ((lvl) - 1))) & 0x1ff)

#endif
