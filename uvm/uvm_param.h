/*
 * uvm/uvm_param.h - protections, inheritance and advice: the small
 * vocabulary shared by the map, the fault handler and the pmap interface.
 */
#ifndef UVM_UVM_PARAM_H
#define UVM_UVM_PARAM_H

#include "kern/lib/types.h"

typedef uint32_t vm_prot_t;

#define VM_PROT_NONE 0x0
#define VM_PROT_READ 0x1
#define VM_PROT_WRITE 0x2
#define VM_PROT_EXECUTE 0x4
#define VM_PROT_ALL (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)

/*
 * vm_prot_hw - what an entry's protection allows once in the page
 * tables.  A map entry keeps the protection the program asked for (a
 * PROT_WRITE mapping is -w-, as /proc/self/maps shows it); an x86-64
 * page that may be written or executed may always be read, so the fault
 * handler checks accesses, and enters pages, with read added.
 */
static inline vm_prot_t
vm_prot_hw(vm_prot_t prot)
{
	return prot != VM_PROT_NONE ? prot | VM_PROT_READ : VM_PROT_NONE;
}

typedef int64_t voff_t;     /* an offset inside an object */

#endif
