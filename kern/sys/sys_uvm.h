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

/*
 * vm_query_leaf - q's pte and pa from the leaf entry pte that maps va
 * (pmap_pte_lookup): the VMQ_PTE_* bits; pa the 4 KiB page's physical
 * address - inside a 2 MiB mapping (PG_PS: pte is the PDE) the frame's
 * base plus va's offset in its 2 MiB block:
 *
 *   pde 0x40000000|PS|U|W|P, va 0x7f0000345000 -> pa 0x40145000
 *
 *  => no lock; pte not valid (0): both 0.
 */
void vm_query_leaf(uint64_t pte, vaddr_t va, struct vm_query *q);

#endif
