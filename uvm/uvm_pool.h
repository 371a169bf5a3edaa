/*
 * uvm/uvm_pool.h - pools: caches of fixed-size kernel objects (map
 * entries, amaps, anons, PV entries...), carved out of whole pages.
 *
 *   struct pool entry_pool;
 *   pool_init(&entry_pool, sizeof(struct vm_map_entry), 8, "vmmapent");
 *   e = pool_get(&entry_pool, PR_ZERO);    // NULL when memory is short
 *   pool_put(&entry_pool, e);
 *
 * Each page ("slab") starts with a struct pool_page header and holds
 * pr_itemsperpage objects after it; see uvm_pool.c for the picture.
 * Pages sit on one of three lists by how many of their objects are free,
 * and at most POOL_EMPTY_MAX wholly free pages are kept for reuse.
 *
 * Lock order: pool_all_lock (the list of pools) before a pool's pr_lock,
 * before uvm_pageq_lock and uvm_free_lock (vm_page_alloc/free are called
 * with pr_lock held; they never sleep and never call back into a pool).
 */
#ifndef UVM_UVM_POOL_H
#define UVM_UVM_POOL_H

#include "kern/lib/printf.h"
#include "kern/lib/queue.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/types.h"

struct pool_page;
TAILQ_HEAD(pool_pagelist, pool_page);

struct pool {
	const char *pr_name;
	size_t pr_size;                 /* object size, rounded for alignment */
	size_t pr_align;
	size_t pr_itemsperpage;
	size_t pr_itemoffset;           /* first object's offset in its page */
	uint64_t pr_recip;              /* ceil(2^32 / pr_size): x / pr_size is
	                                   (x * pr_recip) >> 32 for x < a page */
	struct pool_pagelist pr_partial;        /* some objects free */
	struct pool_pagelist pr_full;           /* none free */
	struct pool_pagelist pr_empty;          /* all free (kept, up to a limit) */
	struct spinlock pr_lock;
	uint64_t pr_nget;               /* successful pool_get calls */
	uint64_t pr_nput;
	uint64_t pr_nfail;              /* pool_get found no memory */
	uint64_t pr_nout;               /* objects handed out now */
	uint64_t pr_npages;             /* pages held now */
	uint64_t pr_nempty;             /* ... of which on pr_empty */
	TAILQ_ENTRY(pool) pr_all;       /* every pool, for pool_check_all */
};

#define PR_ZERO 0x1         /* pool_get returns zeroed memory */
#define PR_NOFAIL 0x2       /* the caller cannot fail cleanly (a map
			       entry for a clip): no injected failure
			       (uvm_failalloc.h), here or for the page;
			       a real shortage still returns NULL */

/* Wholly free pages a pool keeps; pool_put gives any more back at once. */
#define POOL_EMPTY_MAX 2

/*
 * What a free object holds in debug builds (KDEBUG), in every 8-byte word
 * but the first (the free-list link).  Seeing it in a debugger means a
 * freed object; an object from pool_get without PR_ZERO starts out filled
 * with it (first word included), so a field left unset is easy to spot.
 */
#define POOL_POISON 0xdeadbeefdeadbeefULL

/*
 * pool_init - prepare pp for objects of size bytes aligned to align
 * (a power of two; 0 means 8).
 *  => objects up to PAGE_SIZE / 4 in size; align at most that too.
 *  => allocates nothing (pages come with the first pool_get), so it may be
 *     called before vm_page_bootstrap; adds pp to the list of all pools.
 */
void pool_init(struct pool *pp, size_t size, size_t align, const char *name);

/*
 * pool_destroy - give back every page and leave the list of all pools.
 *  => no object may be out (panics otherwise).
 */
void pool_destroy(struct pool *pp);

/*
 * pool_get - one object, or NULL when no page can be had (or failure
 * injection says so, uvm_failalloc.h).
 *  => flags: PR_ZERO, PR_NOFAIL.  Takes pr_lock; never sleeps (yet).
 *  => in debug builds a freed object's poison is checked on reuse, and a
 *     use after free panics with the pool's name and the object's address.
 */
void *pool_get(struct pool *pp, int flags);

/*
 * pool_get_many - up to n objects into objs[], under one pr_lock: for a
 * caller that needs a run of them (the fault's zero-fill and copy ahead).
 *  => flags as pool_get; never sleeps.
 *  => returns how many were taken (objs[0..got)), fewer than n only when
 *     no page could be had (or an injected failure cut the run short);
 *     the caller owns each.
 */
int pool_get_many(struct pool *pp, void **objs, int n, int flags);

/*
 * pool_put - return obj to pp.
 *  => a double free, or an object of another pool, panics.
 *  => takes pr_lock; a page left wholly free beyond POOL_EMPTY_MAX goes
 *     back to vm_page_free at once.  Never sleeps.
 */
void pool_put(struct pool *pp, void *obj);

/*
 * pool_put_many - return objs[0..n) to pp under one pr_lock: for a
 * caller that frees a run of them (munmap's anons, a removal's PV
 * entries).
 *  => the same checks as pool_put, object by object; never sleeps.
 */
void pool_put_many(struct pool *pp, void **objs, int n);

/*
 * pool_reclaim - give back every wholly free page pp keeps.
 *  => takes pr_lock; returns the number of pages freed.  Never sleeps.
 */
size_t pool_reclaim(struct pool *pp);

/*
 * pool_check - verify pp: page lists match their counts, every free
 * object is on exactly one free list and (debug builds) still poisoned.
 *  => reports each problem through pr (one line per bad object); returns
 *     the number of problems.  Takes pr_lock; never panics.
 *  => pool_check_all does every pool (tests/harness/consistency.c runs it
 *     after every test suite).
 */
int pool_check(struct pool *pp, kprint_fn pr);
int pool_check_all(kprint_fn pr);

/*
 * pool_print - name, size, objects out, pages, gets and puts, one line.
 *  => reads counters without the lock (a snapshot for debugging).
 *  => pool_print_all prints every pool (handy from gdb).
 */
void pool_print(const struct pool *pp, kprint_fn pr);
void pool_print_all(kprint_fn pr);

/*
 * pool_total_pages - pages held by all pools, in use or cached empty.
 *  => leak checks compare "pages neither free nor in pools".
 */
uint64_t pool_total_pages(void);

#endif
