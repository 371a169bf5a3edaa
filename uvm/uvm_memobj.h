/*
 * uvm/uvm_memobj.h - objects whose data already sits in kernel memory:
 * the files of the initrd.  Mapping one (or exec'ing it) goes through
 * uvm_map and the fault handler's lower layer like any object; the pager
 * just copies bytes into fresh pages instead of reading a disk.
 */
#ifndef UVM_UVM_MEMOBJ_H
#define UVM_UVM_MEMOBJ_H

#include "kern/lib/types.h"
#include "uvm/uvm_object.h"

/*
 * uvm_memobj_create - an object over the size bytes at data.
 *  => data must stay valid and unchanged for the object's life.
 *  => one reference, the creator's (its "base" reference): whenever the
 *     references fall back to that one, the cached pages are freed, so an
 *     unmapped file costs no memory beyond its data.
 *  => returns NULL when memory is short.
 */
struct uvm_object *uvm_memobj_create(const void *data, size_t size);

/* uvm_memobj_size - the object's length in bytes. */
size_t uvm_memobj_size(struct uvm_object *uobj);

/* uvm_memobj_count - live memory objects (leak checks). */
uint64_t uvm_memobj_count(void);

#endif
