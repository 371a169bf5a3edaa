/*
 * uvm/uvm_init.c - the last step of VM bootstrap: each UVM layer above
 * the page allocator sets up its pools and tables, in dependency order.
 *
 *   vm_page_bootstrap -> pmap_init -> kmem_init      (kern/kmain.c)
 *     -> uvm_init:
 *          uvm_swap_init   swap slot books (areas come later, by swapon)
 *          anon_init       the anon pool (anons hold swap slots)
 *          amap_init       amap and lock-object pools
 *          uao_init        pools for aobjs and their swap-hash clusters
 *          uvm_map_init    map entry and vmspace pools
 *          uvm_pdaemon_init  the page daemon's watermarks (its thread
 *                          starts with the scheduler, in kern/kmain.c)
 *          uvm_fault_ahead_init  the faultahead= boot switch
 *          uvm_thp_init    the thp= boot switch (2 MiB pages)
 *
 * Each only calls pool_init (or reads the command line), so nothing is allocated yet: pools take
 * pages on first use.
 */
#include "uvm/uvm_init.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_pdaemon.h"
#include "uvm/uvm_swap.h"
#include "uvm/uvm_thp.h"

void
uvm_init(void)
{
	uvm_swap_init();
	anon_init();
	amap_init();
	uao_init();
	uvm_map_init();
	uvm_pdaemon_init();
	uvm_fault_ahead_init();
	uvm_thp_init();
}
