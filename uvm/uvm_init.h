/*
 * uvm/uvm_init.h - bring up the machine-independent VM structures.
 */
#ifndef UVM_UVM_INIT_H
#define UVM_UVM_INIT_H

/*
 * uvm_init - the pools of amaps, anons, map entries (and later aobjs).
 *  => once, at the end of vm_bootstrap (after kmem_init).
 */
void uvm_init(void);

#endif
