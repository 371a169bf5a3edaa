/*
 * uvm/uvm_anon.h - anons: one page of anonymous memory.
 *
 * An anon is what a page of private memory *is*, independent of where it
 * is mapped.  It holds the page while it is resident and the swap slot
 * while (or once) it has been written to swap; amap slots point at it, and
 * an_ref counts those slots:
 *
 *   amap A slot 3 --\
 *                    +--> anon {ref 2, page 0x1234000, swslot 0}
 *   amap B slot 3 --/          (shared after fork; a write copies it)
 *
 * Invariants: an_ref > 0 while any slot points here; an anon with no page
 * and no swap slot holds nothing (a zero page is never stored that way:
 * the fault handler fills it first); an_page->uanon == this anon.
 *
 * Locking: an anon is protected by the lock of the amaps that hold it
 * (an_lock points at that shared lock object, see uvm_amap.h).
 */
#ifndef UVM_UVM_ANON_H
#define UVM_UVM_ANON_H

#include "kern/core/mutex.h"
#include "kern/lib/printf.h"
#include "kern/lib/types.h"

struct vm_page;

struct vm_anon {
	struct kmutex *an_lock;     /* the amap lock covering this anon */
	int an_ref;                 /* amap slots that point here */
	int an_swslot;              /* swap slot holding a copy, or 0 */
	struct vm_page *an_page;    /* resident page, or NULL */
};

/* anon_init - the anon pool.  => once, at boot (uvm_init). */
void anon_init(void);

/*
 * anon_alloc - a new anon with one reference, no page and no swap slot.
 *  => returns NULL when memory is short; never sleeps.
 */
struct vm_anon *anon_alloc(void);

/*
 * anon_alloc_many - up to n new anons, as anon_alloc, with one pool lock.
 *  => returns how many (anons[0..got)), fewer only when memory is short.
 */
int anon_alloc_many(struct vm_anon **anons, int n);

/*
 * anon_alloc_with_page - a new anon (one reference) and a page owned by
 * it (pg->uanon), busy, zeroed if pgflags has VM_PAGE_ZERO: what a
 * copy-on-write or zero-fill fills.  Both or neither: an anon that got
 * no page is freed again.  The page is not hung on an_page: the caller
 * does that once the page holds its data.
 *  => returns the anon with *pgp set, or NULL when memory is short (or
 *     an injected failure, uvm_failalloc.h); never sleeps.
 */
struct vm_anon *anon_alloc_with_page(int pgflags, struct vm_page **pgp);

/*
 * anon_alloc_many_with_pages - anon_alloc_with_page for a run: anons[i]
 * with pgs[i], each allocator's lock taken once for the whole run.
 *  => returns how many pairs (anons[0..got), pgs[0..got)), fewer than n
 *     when memory is short; never sleeps.
 */
int anon_alloc_many_with_pages(struct vm_anon **anons, struct vm_page **pgs,
    int n, int pgflags);

/*
 * anon_free - free an anon whose last reference is gone: its page (after
 * removing every mapping of it) and its swap slot.
 *  => an_ref must be 0; the anon's lock held by the caller if it has one.
 */
void anon_free(struct vm_anon *anon);

/*
 * anon_free_many - anon_free of n anons (at most ANON_FREE_MAX), their
 * pages freed together (vm_page_free_many): an munmap's or an exit's
 * way.  => as anon_free, for each.
 */
#define ANON_FREE_MAX 32
void anon_free_many(struct vm_anon **anons, int n);

/*
 * anon_dropswap - release the anon's swap slot, if any (after a write
 * made the swap copy stale, or when the anon goes).
 *  => anon locked if it has a lock; an_swslot is 0 on return.
 */
void anon_dropswap(struct vm_anon *anon);

/*
 * anon_pagein - make the anon independent of its swap slot, for swapoff:
 * a page filled from the slot if it has none, then the slot released
 * and the page marked dirty (it is the only copy now).
 *  => anon locked (an_lock) on entry and on return, held through the
 *     read (it sleeps); an_swslot != 0; its page, if any, not busy (a
 *     fault reading the slot into it: pass it by, come back later).
 *  => returns 0 (resident, an_swslot 0), -ENOMEM (no page: it does not
 *     wait) or the disk's error; on an error nothing changed.
 */
int anon_pagein(struct vm_anon *anon);

/* anon_count - live anons (for leak checks). */
uint64_t anon_count(void);

/* anon_check - an_ref > 0, page back-pointer right.  => returns problems found. */
int anon_check(const struct vm_anon *anon, kprint_fn pr);

/* anon_print - "anon 0x...: ref 2 page 0x... swslot 0". */
void anon_print(const struct vm_anon *anon, kprint_fn pr);

#endif
