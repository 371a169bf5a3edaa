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

typedef int64_t voff_t;     /* an offset inside an object */

#endif
