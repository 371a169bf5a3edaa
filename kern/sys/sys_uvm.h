/*
 * kern/sys/sys_uvm.h - the kernel side of vm_query_obj (kern/sys/sys_uvm.c),
 * for the kernel's tests: they ask about a test address space directly.
 */
#ifndef KERN_SYS_SYS_UVM_H
#define KERN_SYS_SYS_UVM_H

#include "kern/lib/types.h"
#include "user/include/uvmkern_vmquery.h"

struct vm_map;

/*
 * vm_query_obj_fill - fill *q for the page holding va in map: the
 * entry's object, its pager, the vnode whose v_obj it is (vcache_find_obj)
 * and the state of va's page in the object.
 *  => no lock held; takes the map lock, then the object's; may sleep
 *     (vop_getattr for the file's size).
 *  => 0, or -ENOMEM when va is in no entry.  *q is zeroed first.
 */
int vm_query_obj_fill(struct vm_map *map, vaddr_t va, struct vm_query_obj *q);

#endif
