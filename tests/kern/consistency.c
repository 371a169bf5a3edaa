/*
 * tests/kern/consistency.c - the whole-system checks ktest runs after
 * every suite (reported as suite/@consistency).  Each checker prints
 * what is wrong and returns how many problems it found.
 */
#include "kern/ktest.h"
#include "pmap/pmap.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"

KCHECK(vm_page, vm_page_check);
KCHECK(pmap, pmap_check_all);
KCHECK(pool, pool_check_all);
KCHECK(uvm_km, uvm_km_check);
