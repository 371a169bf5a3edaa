/*
 * kern/core/devmem.c - device memory for drivers: uncached register
 * mappings, DMA buffers, firmware tables (see kern/core/devmem.h).
 *
 * This is kern/, so it may call uvm/ and pmap/; dev/ calls only this.
 *
 *   devmem_map(0xfebf1000, 0x4000):
 *       va = uvm_km_alloc(4 pages, UVM_KMF_VAONLY)   addresses, no pages
 *       pmap_kenter_pa(va + i*4K, 0xfebf1000 + i*4K, RW, PMAP_NOCACHE)
 *
 *   devmem_alloc_dma(8 KiB):
 *       vm_page_alloc_contig(2, align 4K, below 4 GiB, zeroed)
 *       -> the pages' direct-map address; they belong to the kernel (no
 *          owner, on no paging queue), so the page daemon never takes them
 *
 * Invariant: a devmem_map mapping is never removed, so a driver may keep
 * register pointers for ever.  DMA memory stays put while allocated.
 */
#include "kern/core/devmem.h"
#include "kern/lib/assert.h"
#include "pmap/pmap.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"

/* The direct map always covers the first 4 GiB (pmap_bootstrap). */
#define DEVMEM_DMAP_SAFE (4UL << 30)

vaddr_t
devmem_map(paddr_t pa, size_t len)
{
	paddr_t first = ROUND_DOWN(pa, PAGE_SIZE);
	size_t span;
	vaddr_t va;

	if (len == 0)
		return 0;
	span = ROUND_UP(pa + len, PAGE_SIZE) - first;
	va = uvm_km_alloc(span, UVM_KMF_VAONLY);
	if (va == 0)
		return 0;
	for (size_t off = 0; off < span; off += PAGE_SIZE)
		pmap_kenter_pa(va + off, first + off, VM_PROT_READ | VM_PROT_WRITE,
		    PMAP_NOCACHE);
	return va + (pa - first);
}

void *
devmem_alloc_dma(size_t len, paddr_t *pa)
{
	size_t npages = ROUND_UP(len, PAGE_SIZE) / PAGE_SIZE;
	struct vm_page *first;

	if (npages == 0)
		return NULL;
	if (vm_page_alloc_contig(npages, PAGE_SIZE, DEVMEM_DMAP_SAFE,
	    VM_PAGE_ZERO, &first) != 0)
		return NULL;
	*pa = vm_page_phys(first);
	return PHYS_TO_DMAP(*pa);
}

void
devmem_free_dma(void *kva, size_t len)
{
	size_t npages = ROUND_UP(len, PAGE_SIZE) / PAGE_SIZE;
	struct vm_page *first;

	if (kva == NULL)
		return;
	first = vm_page_from_phys(DMAP_TO_PHYS(kva));
	KASSERT(first != NULL && npages > 0);
	vm_page_free_contig(first, npages);
}

const void *
devmem_phys_kva(paddr_t pa, size_t len)
{
	if (pa >= DEVMEM_DMAP_SAFE || len > DEVMEM_DMAP_SAFE - pa)
		return NULL;
	return PHYS_TO_DMAP(pa);
}
