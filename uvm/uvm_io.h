/*
 * uvm/uvm_io.h - reading and writing another address space's memory
 * from the kernel, page by page, through the fault handler and the
 * direct map (exec building a new program's stack, debuggers, /proc).
 */
#ifndef UVM_UVM_IO_H
#define UVM_UVM_IO_H

#include "kern/lib/types.h"

struct vm_map;

/*
 * uvm_io_write / uvm_io_read - copy len bytes to / from va in map.
 *  => map unlocked; the map need not be the active one.  Pages are
 *     faulted in as a write (or read) by the user would: copy-on-write
 *     pages are copied first, unmapped addresses fail.
 *  => returns 0, or the fault's error (-EFAULT, -EACCES, -ENOMEM, -EIO).
 */
int uvm_io_write(struct vm_map *map, vaddr_t va, const void *src, size_t len);
int uvm_io_read(struct vm_map *map, vaddr_t va, void *dst, size_t len);

#endif
