/*
 * pmap/vmlayout.h - the shape of the virtual address space.
 *
 *   0x0000000000000000 +---------------------------+
 *                      | user space (128 TiB)      |  per process
 *   0x00007fffffffffff +---------------------------+
 *                      | non-canonical hole         |  faults always
 *   0xffff800000000000 +---------------------------+
 *                      | direct map of physical RAM |  DMAP_BASE + pa
 *                      | ...                        |
 *   0xffffffff80000000 +---------------------------+
 *                      | kernel image (top 2 GiB)   |  KERNBASE + pa
 *   0xffffffffffffffff +---------------------------+
 */
#ifndef PMAP_VMLAYOUT_H
#define PMAP_VMLAYOUT_H

#include "kern/lib/types.h"

#define KERNBASE 0xffffffff80000000ULL
#define DMAP_BASE 0xffff800000000000ULL
#define USER_MIN 0x0000000000000000ULL
#define USER_MAX 0x0000800000000000ULL   /* first address past user space */

#define PHYS_TO_DMAP(pa) ((void *)((paddr_t)(pa) + DMAP_BASE))
#define DMAP_TO_PHYS(va) ((paddr_t)(va) - DMAP_BASE)
#define KVA_TO_PHYS(va) ((paddr_t)(va) - KERNBASE)

#endif
