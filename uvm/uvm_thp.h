/*
 * uvm/uvm_thp.h - 2 MiB pages for private anonymous memory (issue 22):
 * the system-wide switch.  A map entry's own advice (madvise
 * MADV_HUGEPAGE / MADV_NOHUGEPAGE) is its thp field (uvm/uvm_map.h,
 * UVM_THP_*); uvm_map_entry_thp_eligible says whether both allow it.
 */
#ifndef UVM_UVM_THP_H
#define UVM_UVM_THP_H

#include "kern/lib/types.h"

/* 2 MiB pages on (the default) or off (boot option thp=0: every fault
 * maps 4 KiB pages, as the mode "never" of Linux).  Tests may set it. */
extern bool uvm_thp_on;

/* uvm_thp_init - read the thp= boot option.  => once, from uvm_init. */
void uvm_thp_init(void);

#endif
