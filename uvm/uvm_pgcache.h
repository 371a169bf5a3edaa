/*
 * uvm/uvm_pgcache.h - per-CPU caches of free pages in front of the
 * global free list (uvm/uvm_page.c).  uvm_pgcache.c's opening comment
 * explains the idea, the page states and why the caches need no lock.
 *
 * Interface, for uvm_page.c (the only caller apart from tests):
 *
 *   fast paths, no lock:   vm_pgcache_take, vm_pgcache_put(_many)
 *   uvm_free_lock held:    vm_pgcache_refill_locked, vm_pgcache_drain_locked,
 *                          vm_pgcache_steal_locked, vm_pgcache_freeze,
 *                          vm_pgcache_thaw, vm_pgcache_check
 *
 * and the other way, for uvm_pgcache.c: vm_page_freelist_get and
 * vm_page_freelist_put move one page between the list and a cache.
 */
#ifndef UVM_UVM_PGCACHE_H
#define UVM_UVM_PGCACHE_H

#include "kern/core/smp.h"
#include "kern/lib/printf.h"
#include "uvm/uvm_page.h"

#define PGCACHE_MAX 64      /* pages one CPU may hold */
#define PGCACHE_BATCH 32    /* pages moved by one refill or drain */

/*
 * One CPU's cache: a stack of free pages, pgs[n - 1] the one freed last
 * (the warmest) and the next one handed out.  Written only by its CPU
 * with interrupts off, or by a cross-call that CPU runs.
 */
struct vm_pgcache {
	int n;
	struct vm_page *pgs[PGCACHE_MAX];
} __aligned(64);

extern struct vm_pgcache vm_pgcaches[MAXCPUS];

/*
 * vm_pgcache_init - read the boot option pgcache= (default 1: on).
 *  => once, from vm_page_bootstrap.
 */
void vm_pgcache_init(void);

/* vm_pgcache_enabled - are the caches in use? */
bool vm_pgcache_enabled(void);

/*
 * vm_pgcache_set_enabled - turn the caches on or off; turning them off
 * empties every CPU's cache onto the free list.
 *  => no spin lock held (takes uvm_free_lock); returns the old setting.
 */
bool vm_pgcache_set_enabled(bool on);

/*
 * vm_pgcache_take - up to n pages from this CPU's cache, the warmest
 * first; an owned page (owned) only while more than uvmexp.reserve pages
 * are free.  The pages come out with pqflags 0, counted out of
 * uvmexp.free; their owner fields are the caller's to set.
 *  => any context; no lock; returns how many (pgs[0..got)).
 */
int vm_pgcache_take(struct vm_page **pgs, int n, bool owned);

/*
 * vm_pgcache_put - keep a free page (fields already cleared, on no
 * queue) in this CPU's cache and count it in uvmexp.free.
 *  => any context; no lock.  Returns false, doing nothing, when the
 *     caches are off, this one is full, or free pages are below
 *     uvmexp.freemin (then the page should go to the global list).
 */
bool vm_pgcache_put(struct vm_page *pg);

/*
 * vm_pgcache_put_many - vm_pgcache_put of pgs[0..n) in one section with
 * interrupts off (each turn of it is a trip out of QEMU's translated
 * code): keeps as many as fit, from the front.
 *  => any context; no lock; returns how many it kept (pgs[0..kept)),
 *     0 when the caches are off or free pages are below uvmexp.freemin.
 */
int vm_pgcache_put_many(struct vm_page **pgs, int n);

/*
 * vm_pgcache_refill_locked - top this CPU's cache up from the free list
 * with up to PGCACHE_BATCH pages, when it is less than half full and the
 * list has more than freemin + PGCACHE_BATCH pages.
 *  => uvm_free_lock held.
 */
void vm_pgcache_refill_locked(void);

/*
 * vm_pgcache_drain_locked - if this CPU's cache is full, move its
 * PGCACHE_BATCH coldest pages to the free list.
 *  => uvm_free_lock held.
 */
void vm_pgcache_drain_locked(void);

/*
 * vm_pgcache_steal_locked - empty every CPU's cache onto the free list
 * (a cross-call to each other CPU, which hands its pages over).
 *  => uvm_free_lock held; returns how many pages came back.
 */
uint64_t vm_pgcache_steal_locked(void);

/* A freeze: the other CPUs held in a cross-call (vm_pgcache_freeze). */
struct vm_pgcache_freeze {
	struct smp_call call;
	volatile int arrived;
	volatile bool release;
};

/*
 * vm_pgcache_freeze - hold every other CPU in a cross-call until
 * vm_pgcache_thaw, so no cache changes meanwhile (for the checker).
 *  => uvm_free_lock held from before the freeze until after the thaw.
 */
void vm_pgcache_freeze(struct vm_pgcache_freeze *f);
void vm_pgcache_thaw(struct vm_pgcache_freeze *f);

/*
 * vm_pgcache_check - every cache: a count in [0, PGCACHE_MAX] (0 while
 * the caches are off), every page in it free, marked PQ_CPUCACHE,
 * unowned, unwired and unmapped.  *ncached gets the pages they hold.
 *  => uvm_free_lock held and the other CPUs frozen (vm_page_check does
 *     both); reports each problem through pr; returns how many.
 */
int vm_pgcache_check(kprint_fn pr, uint64_t *ncached);

/* vm_pgcache_print - on or off, and each online CPU's cache (count, top page). */
void vm_pgcache_print(kprint_fn pr);

/* vm_pgcache_count - pages in all caches now (racy: for statistics). */
uint64_t vm_pgcache_count(void);

/*
 * For uvm_pgcache.c only (defined in uvm_page.c).
 *  vm_page_freelist_get - the free list's head page, taken off the list
 *    (still counted free, pqflags PQ_FREE), or NULL when it is empty.
 *  vm_page_freelist_put - a page from a cache back onto the free list.
 *  vm_page_freelist_count - pages on the free list (not in caches).
 *  => uvm_free_lock held.
 */
struct vm_page *vm_page_freelist_get(void);
void vm_page_freelist_put(struct vm_page *pg);
uint64_t vm_page_freelist_count(void);

#endif
