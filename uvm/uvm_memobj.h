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
 *  => one reference, the creator's (its "base" reference).  When the
 *     references fall back to that one the pages stay cached for the next
 *     mapping; the page daemon or uvm_memobj_purge frees them.
 *  => returns NULL when memory is short.
 */
struct uvm_object *uvm_memobj_create(const void *data, size_t size);

/* uvm_memobj_size - the object's length in bytes. */
size_t uvm_memobj_size(struct uvm_object *uobj);

/* uvm_memobj_count - live memory objects (leak checks). */
uint64_t uvm_memobj_count(void);

/*
 * uvm_memobj_purge - free the cached pages of every object that nobody
 * maps (its references back at the creator's), but a page a fault still
 * holds busy (or a wired one).
 *  => nothing locked on entry; takes each object's lock in turn.
 *  => returns the pages freed; does not sleep.
 */
uint64_t uvm_memobj_purge(void);

#endif
