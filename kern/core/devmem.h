/*
 * kern/core/devmem.h - the memory services device drivers need, without
 * letting dev/ see the VM system.
 *
 * docs/design.md keeps dev/ below uvm/ and pmap/: a driver knows physical
 * addresses and the kernel virtual addresses it is handed, nothing of
 * pages, maps or page tables.  Yet drivers need a few things only the
 * VM can give, and this file is the whole of that contract:
 *
 *   device registers (a BAR)        devmem_map        uncached, for good
 *   rings and request headers       devmem_alloc_dma  zeroed, contiguous
 *   firmware tables (ACPI)          devmem_phys_kva   cached, direct map
 *
 *   physical:  [ RAM ...... ][ hole ][ 0xfebf0000 BAR ][ 0xfec00000 IOAPIC ]
 *                   ^ devmem_alloc_dma          ^ devmem_map (PCD|PWT)
 *   virtual:   direct map (cached)        kernel arena (uncached pages)
 *
 * Why not use the direct map for device registers?  It is write-back
 * cached: a register read could be answered from the cache, and writes
 * could be merged or delayed.  devmem_map makes fresh uncached mappings.
 *
 * Locking: none of its own; uvm_km and pmap lock themselves.  Nothing
 * here sleeps, so drivers may call it with a spin lock held except
 * devmem_map, which they call at attach time.
 */
#ifndef KERN_DEVMEM_H
#define KERN_DEVMEM_H

#include "kern/lib/types.h"

/*
 * devmem_map - an uncached kernel mapping of [pa, pa + len).
 *  => returns the kernel virtual address of pa (the page offset kept), or
 *     0 when kernel addresses run out or len is 0.
 *  => the mapping is the kernel's for good: there is no unmap.
 */
vaddr_t devmem_map(paddr_t pa, size_t len);

/*
 * devmem_alloc_dma - len bytes (rounded up to pages) of zeroed,
 * physically contiguous, page-aligned memory below 4 GiB.
 *  => *pa gets its physical (bus) address; returns its kernel address
 *     (through the direct map), or NULL when no such run is free.
 *  => never sleeps.  Give it back with devmem_free_dma and the same len.
 */
void *devmem_alloc_dma(size_t len, paddr_t *pa);
void devmem_free_dma(void *kva, size_t len);

/*
 * devmem_phys_kva - a cached view of RAM-like physical memory (firmware
 * tables such as ACPI's) through the direct map.
 *  => NULL if [pa, pa + len) lies past the direct map.
 */
const void *devmem_phys_kva(paddr_t pa, size_t len);

#endif
