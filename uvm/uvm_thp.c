/*
 * uvm/uvm_thp.c - 2 MiB pages for private anonymous memory: the switch.
 *
 * What decides whether a fault in an entry may map a whole 2 MiB block
 * with one PDE, from the widest to the narrowest:
 *
 *   uvm_thp_on        the system's mode: on ("always", the default) or
 *                     off (boot option thp=0, "never")
 *   entry->thp        the range's advice: UVM_THP_DEFAULT and
 *                     UVM_THP_HUGE (madvise MADV_HUGEPAGE) allow it,
 *                     UVM_THP_NEVER (MADV_NOHUGEPAGE) forbids it
 *   the entry itself  private anonymous memory holding the whole
 *                     2 MiB-aligned block
 *
 *   entry [0x7f0000100000, 0x7f0000500000)   4 MiB, private anonymous
 *          |..0x7f0000200000..|..0x7f0000400000..|
 *     head  (1 MiB: 4 KiB only)  block (2 MiB: eligible)  tail (1 MiB)
 *
 * uvm_map_entry_thp_eligible (uvm/uvm_map.c) says it for an entry (as
 * smaps' THPeligible does).  The switch is a plain bool: read without a
 * lock, set once at boot (tests flip it between their own runs).
 */
#include "uvm/uvm_thp.h"
#include "kern/core/cmdline.h"

KOPT(thp, "thp", "0: no 2 MiB pages for anonymous memory: every fault maps "
    "4 KiB pages (a speed-up only; default 1)");

bool uvm_thp_on = true;

void
uvm_thp_init(void)
{
	uvm_thp_on = kopt_get_u64("thp", 1) != 0;
}
