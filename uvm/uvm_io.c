/*
 * uvm/uvm_io.c - kernel access to a (possibly inactive) address space.
 *
 * The kernel cannot just dereference a user address of a map whose pmap
 * is not loaded.  Instead each page is faulted in through uvm_fault, with
 * the access the copy needs, then found with pmap_extract and reached
 * through the direct map:
 *
 *   va 0x7ffc1ff8, 16 bytes  ->  page 0x7ffc1000: fault (write), extract
 *                                -> pa 0x3a2000, copy 8 bytes at +0xff8
 *                            ->  page 0x7ffc2000: same, copy 8 bytes
 *
 * Going through the fault handler keeps every rule of the map: a write
 * to a copy-on-write page copies it first, a write where the map forbids
 * writing fails with -EACCES.  Nothing here is locked across pages; each
 * fault takes and drops the map lock itself.
 */
#include "uvm/uvm_io.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"

/* Copy between kernel memory and [va, va+len) of map, page by page. */
static int
uvm_io(struct vm_map *map, vaddr_t va, void *kbuf, size_t len, bool write)
{
	uint8_t *k = kbuf;

	while (len > 0) {
		size_t n = MIN(len, PAGE_SIZE - (va & PAGE_MASK));
		paddr_t pa;
		int error = uvm_fault(map, va, write ? VM_PROT_WRITE : VM_PROT_READ);
		if (error != 0)
			return error;
		if (!pmap_extract(map->pmap, ROUND_DOWN(va, PAGE_SIZE), &pa))
			return -EFAULT;
		uint8_t *p = (uint8_t *)PHYS_TO_DMAP(pa) + (va & PAGE_MASK);
		if (write)
			memcpy(p, k, n);
		else
			memcpy(k, p, n);
		va += n;
		k += n;
		len -= n;
	}
	return 0;
}

int
uvm_io_write(struct vm_map *map, vaddr_t va, const void *src, size_t len)
{
	return uvm_io(map, va, (void *)(uintptr_t)src, len, true);
}

int
uvm_io_read(struct vm_map *map, vaddr_t va, void *dst, size_t len)
{
	return uvm_io(map, va, dst, len, false);
}
