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
 *   0xffffff0000000000 +---------------------------+
 *                      | kernel virtual arena (1 G) |  stacks, kmem (uvm_km)
 *                      | ...                        |
 *   0xffffffff80000000 +---------------------------+
 *                      | kernel image (top 2 GiB)   |  KERNBASE + pa
 *   0xffffffffffffffff +---------------------------+
 */
#ifndef PMAP_VMLAYOUT_H
#define PMAP_VMLAYOUT_H

#include "kern/lib/types.h"

#define KERNBASE 0xffffffff80000000UL
#define DMAP_BASE 0xffff800000000000UL
#define USER_MIN 0x0000000000000000UL
#define USER_MAX 0x0000800000000000UL   /* first address past user space */

#define KVA_START 0xffffff0000000000UL  /* PML4 slot 510 */
#define KVA_END (KVA_START + (1UL << 30))

#define PHYS_TO_DMAP(pa) ((void *)((paddr_t)(pa) + DMAP_BASE))
#define DMAP_TO_PHYS(va) ((paddr_t)(va) - DMAP_BASE)
#define KVA_TO_PHYS(va) ((paddr_t)(va) - KERNBASE)

#endif
