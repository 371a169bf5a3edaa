/*
 * uvm/uvm_amap.h - amaps: the anonymous layer of a map entry.
 *
 * An amap is an array of slots, one per page of the range it covers; each
 * slot is empty or points at an anon.  A map entry refers to a window of
 * an amap through a vm_aref {ar_amap, ar_pageoff}:
 *
 *   entry [0x400000, 0x404000)  aref {amap, pageoff 2}
 *                                       |
 *   amap slots:   0     1     2     3     4     5
 *               [   ] [ a ] [ b ] [   ] [ c ] [   ]
 *                             ^ page 0 of the entry is slot 2
 *
 * Three arrays make both "what is in slot s" and "visit every used slot"
 * cheap (nused << nslot is common):
 *
 *   am_anon[s]      the anon in slot s, or NULL
 *   am_slots[i]     the i-th used slot, for i < am_nused (unordered)
 *   am_bckptr[s]    i such that am_slots[i] == s (valid for used s)
 *
 * am_ref counts map entries (arefs) holding the amap.  When entries hold
 * only parts of it (after a partial unmap or a split), am_ppref keeps a
 * reference count per page, run-length encoded (see uvm_amap.c), so
 * unmapping a part frees exactly the anons nobody else references.
 *
 * Locking: am_lock is a shared lock object; every amap created by copying
 * this one shares it, because they share anons.
 */
#ifndef UVM_UVM_AMAP_H
#define UVM_UVM_AMAP_H

#include "kern/core/mutex.h"
#include "kern/lib/printf.h"
#include "kern/lib/queue.h"
#include "kern/lib/types.h"
#include "uvm/uvm_param.h"

struct vm_anon;
struct vm_map;
struct vm_map_entry;

/* A reference-counted lock shared by amaps (and their anons). */
struct vm_lockobj {
	struct kmutex lo_mutex;
	int lo_refs;
};

struct vm_amap {
	struct vm_lockobj *am_lockobj;
	struct kmutex *am_lock;         /* &am_lockobj->lo_mutex */
	int am_ref;                     /* arefs pointing here */
	int am_flags;                   /* AMAP_SHARED ... */
	int am_maxslot;                 /* slots allocated */
	int am_nslot;                   /* slots in use (the amap's size) */
	int am_nused;                   /* slots holding an anon */
	int *am_slots;                  /* used slots, am_nused of them */
	int *am_bckptr;                 /* slot -> index in am_slots */
	struct vm_anon **am_anon;       /* slot -> anon */
	int *am_ppref;                  /* per-page refs; NULL: every reference
	                                 * covers all slots; or PPREF_NONE */
	TAILQ_ENTRY(vm_amap) am_list;   /* every amap, for swap_off and checks */
};

struct vm_aref {
	int ar_pageoff;                 /* the entry's first page in the amap */
	struct vm_amap *ar_amap;
};

/* am_flags */
#define AMAP_SHARED 0x1     /* shared memory: no copy on fork */

/* amap_ref/amap_unref flags */
#define AMAP_REFALL 0x2     /* the reference covers the whole amap */

/* amap_extend flags */
#define AMAP_EXTEND_BACKWARDS 0x1
#define AMAP_EXTEND_FORWARDS 0x2

/* amap_copy flags */
#define AMAP_COPY_NOCHUNK 0x1   /* copy the whole entry, never clip it */
#define AMAP_COPY_LOCKED 0x2    /* the caller holds the amap's lock */

/*
 * amap_copy chunking: an entry of at least AMAP_LARGE_PAGES pages (4 MiB)
 * that has no amap yet is first clipped to the AMAP_CHUNK_PAGES-aligned
 * chunk (2 MiB) around the faulting range, so a write into a huge private
 * mapping does not allocate slots for all of it.  Why 2 MiB and not
 * UVM's 64 KiB: touching 64 MiB with 16-page chunks made 4096 entries
 * and amaps (1.6 MB of headers and arrays, a clip and a tree insert every
 * 16 pages); 512-page chunks make 32, each amap's arrays 8 KiB.  And a
 * chunk is exactly one 2 MiB page's range (uvm_thp.c): a smaller one
 * would split every such range between two entries, and none would be
 * eligible.
 */
#define AMAP_CHUNK_PAGES 512
#define AMAP_LARGE_PAGES 1024

#define PPREF_NONE ((int *)-1)  /* ppref wanted but not allocated */

/* amap_init - pools for amaps.  => once, at boot (uvm_init). */
void amap_init(void);

/*
 * amap_alloc - an amap of sz bytes (plus padsz of spare slots), no anons.
 *  => sz > 0, both page multiples; flags 0 or AMAP_SHARED.
 *  => one reference (am_ref 1) covering all of it, a fresh lock object,
 *     unlocked; am_maxslot may exceed the slots asked for (the slack of
 *     the kmem block).  NULL when memory is short; never sleeps.
 */
struct vm_amap *amap_alloc(vsize_t sz, vsize_t padsz, int flags);

/*
 * amap_ref - add a reference covering [offset, offset+len) of amap
 * (bytes from the amap's slot 0, page multiples).
 *  => flags: AMAP_SHARED marks the amap shared; AMAP_REFALL for all of it.
 *  => amap unlocked on entry and exit; a partial reference allocates the
 *     ppref array (PPREF_NONE if that fails).  The new reference is the
 *     caller's.  Never sleeps.
 */
void amap_ref(struct vm_amap *amap, vaddr_t offset, vsize_t len, int flags);

/*
 * amap_unref - drop a reference covering [offset, offset+len) (bytes from
 * slot 0; all says it covers the whole amap); the anons in that range
 * nobody else references are freed, and the amap with it when am_ref
 * reaches 0.
 *  => amap unlocked on entry; gone or unlocked on return.  The caller has
 *     removed its mappings of the range.  Never sleeps (yet).
 */
void amap_unref(struct vm_amap *amap, vaddr_t offset, vsize_t len, bool all);

/*
 * amap_extend - make entry's amap cover addsize more bytes at its end
 * (AMAP_EXTEND_FORWARDS) or its start (AMAP_EXTEND_BACKWARDS), growing
 * the arrays if needed.  Backwards, the anons may move to other slots
 * (ar_pageoff follows them); the caller then moves entry->start or
 * entry->end itself.
 *  => map locked, amap unlocked; am_ref must be 1 (only entry holds it).
 *  => returns 0 or -ENOMEM (nothing changed).  Never sleeps.
 */
int amap_extend(struct vm_map_entry *entry, vsize_t addsize, int flags);

/*
 * amap_splitref - split the reference origref at offset bytes into it:
 * origref keeps the first part, splitref gets the rest (one more am_ref).
 *  => map locked, amap unlocked; 0 < offset < what origref covers.
 *  => the first split of an amap allocates its ppref array (per-page
 *     counts do not change: each page is still referenced once).
 */
void amap_splitref(struct vm_aref *origref, struct vm_aref *splitref, vaddr_t offset);

/*
 * amap_mergeref - the opposite of a split: right's window continues
 * left's (same amap, right->ar_pageoff == left->ar_pageoff + leftlen in
 * pages), and the two references become one held by left.  Per-page
 * counts do not change (each page is still referenced once); am_ref
 * drops by one.  => amap unlocked on entry.
 */
void amap_mergeref(struct vm_aref *left, const struct vm_aref *right, vsize_t leftlen);

/*
 * amap_copy - resolve entry's needs-copy: give it a private amap holding
 * the anons of the old one (each anon's reference count + 1), or a fresh
 * amap if it had none.  An amap only entry references is kept as it is.
 * An entry without amap of AMAP_LARGE_PAGES or more is first clipped to
 * the chunk around [startva, endva) unless AMAP_COPY_NOCHUNK.
 *  => map locked (write), amap unlocked, or locked with AMAP_COPY_LOCKED
 *     (and still locked on return); the copy shares the old amap's lock
 *     object, so that lock is the copy's too.  UVM_ET_NEEDSCOPY is clear
 *     on success.
 *  => returns 0 or -ENOMEM (entry keeps needs-copy; a clip may remain).
 */
int amap_copy(struct vm_map *map, struct vm_map_entry *entry, int flags,
    vaddr_t startva, vaddr_t endva);

/*
 * amap_cow_now - copy at once every anon in entry's window of its amap
 * that is shared (an_ref > 1), as if each page had taken a write fault
 * (fork of a wired entry).  The new anon replaces the old in the slot and
 * the old loses that reference.  The new pages are not put on a paging
 * queue here: the fault that maps them does that.
 *  => map locked, amap unlocked; returns 0, -ENOMEM (the anons done so
 *     far stay copied), or anon_pagein's error for a non-resident anon.
 */
int amap_cow_now(struct vm_map *map, struct vm_map_entry *entry);

/*
 * amap_wipeout - drop every anon reference (freeing the anons nobody else
 * holds) and free the amap.
 *  => amap locked and am_ref 0 on entry (amap_unref calls it when the last
 *     reference goes); the lock is released and the amap gone on return.
 */
void amap_wipeout(struct vm_amap *amap);

/* amap_lookup - the anon at offset bytes into aref's window, or NULL.  => amap locked. */
struct vm_anon *amap_lookup(const struct vm_aref *aref, vaddr_t offset);

/* amap_lookups - npages anons starting at offset into anons[].  => amap locked. */
void amap_lookups(const struct vm_aref *aref, vaddr_t offset,
    struct vm_anon **anons, int npages);

/*
 * amap_add - put anon in the slot at offset; replace says whether a
 * slot already holding an anon is expected.  In a shared amap
 * (AMAP_SHARED) every mapping of the old anon's page is removed, so no
 * other process keeps reading it through this slot; in a private one the
 * only mapping through the slot is the caller's own, which the caller
 * must replace (pmap_enter) or remove.
 *  => amap locked; the slot takes over the caller's anon reference, and
 *     with replace the old anon's slot reference goes to the caller.
 *  => anon->an_lock becomes the amap's lock.
 */
void amap_add(const struct vm_aref *aref, vaddr_t offset, struct vm_anon *anon,
    bool replace);

/*
 * amap_add_run - amap_add of n new anons into the n empty slots from
 * offset on (no replace): a run filled at once, its checks made once.
 *  => amap locked; the slots take over the caller's references; each
 *     anon's an_lock becomes the amap's lock.
 */
void amap_add_run(const struct vm_aref *aref, vaddr_t offset,
    struct vm_anon **anons, int n);

/*
 * amap_unadd - empty the slot at offset; the anon is not freed: it and
 * the slot's reference to it go to the caller.  => amap locked.
 */
void amap_unadd(const struct vm_aref *aref, vaddr_t offset);

/*
 * amap_wipe - empty every slot of [offset, offset + len) of aref's window
 * (madvise DONTNEED), dropping the slots' anon references: an anon whose
 * last reference that was is freed, page and swap slot.
 *  => amap locked; offset and len page-aligned, inside the window.
 *  => the per-page reference counts stay: the pages are still mapped by
 *     the entry, only empty (the next touch zero-fills).  Never sleeps.
 */
void amap_wipe(const struct vm_aref *aref, vaddr_t offset, vsize_t len);

/*
 * amap_share_protect - lower to prot every mapping of each resident
 * anon page in entry's window (through pmap_page_protect, so other
 * processes' mappings too).  => amap locked.
 */
void amap_share_protect(struct vm_map_entry *entry, vm_prot_t prot);

/*
 * amap_swap_off - page in every anon whose swap slot is in
 * [startslot, endslot), through anon_pagein (swapoff).
 *  => no amap locked on entry; sleeps (reads from swap).
 *  => returns 0 when done; -EAGAIN when something was skipped - an amap
 *     someone else had locked, or an anon whose page is busy (a fault
 *     reading it from the slot; the slot stays) - so walk again later;
 *     or anon_pagein's error (-ENOMEM, -EIO, -ENODEV for a test area with
 *     no disk), which stops the walk.  What was paged in stays in.
 */
int amap_swap_off(int startslot, int endslot);

/* The run-length ppref encoding, exported for its tests. */
void amap_pp_setreflen(int *ppref, int slot, int ref, int len);
void amap_pp_getreflen(const int *ppref, int slot, int *refp, int *lenp);

/* amap_count - live amaps (for leak checks). */
uint64_t amap_count(void);

/*
 * amap_check - slots and back-pointers are inverses, am_nused right, each
 * anon's reference count at least the slots holding it (anon_check on
 * each), ppref runs tile the amap and agree with am_ref.
 *  => amap locked or quiescent; reports through pr; returns problems found.
 *  => amap_check_all checks every live amap and the amap count.
 */
int amap_check(struct vm_amap *amap, kprint_fn pr);
int amap_check_all(kprint_fn pr);

/* amap_print - header, used slots with their anons, ppref as runs. */
void amap_print(struct vm_amap *amap, kprint_fn pr);

/*
 * Lock objects.  vm_lockobj_alloc returns one with one holder (NULL when
 * memory is short); each hold adds a holder, each release drops one and
 * the last frees it (it must not be locked then).
 */
struct vm_lockobj *vm_lockobj_alloc(const char *name);
void vm_lockobj_hold(struct vm_lockobj *lo);
void vm_lockobj_release(struct vm_lockobj *lo);

#endif
