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

#include "kern/lib/mutex.h"
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
	int *am_ppref;                  /* per-page refs, NULL or PPREF_NONE */
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

#define PPREF_NONE ((int *)-1)  /* ppref wanted but not allocated */

/* amap_init - pools for amaps.  => once, at boot (uvm_init). */
void amap_init(void);

/*
 * amap_alloc - an amap of sz bytes (plus padsz of spare slots), no anons.
 *  => one reference (am_ref 1), a fresh lock object; NULL when memory is short.
 */
struct vm_amap *amap_alloc(vsize_t sz, vsize_t padsz, int flags);

/*
 * amap_ref - add a reference covering [offset, offset+len) of amap.
 *  => flags: AMAP_SHARED marks the amap shared; AMAP_REFALL for all of it.
 *  => amap unlocked on entry; may allocate the ppref array.
 */
void amap_ref(struct vm_amap *amap, vaddr_t offset, vsize_t len, int flags);

/*
 * amap_unref - drop a reference covering [offset, offset+len); the anons
 * in that range nobody else references are freed, and the amap with it
 * when am_ref reaches 0.  => amap unlocked on entry.
 */
void amap_unref(struct vm_amap *amap, vaddr_t offset, vsize_t len, bool all);

/*
 * amap_extend - make entry's amap cover addsize more bytes at its end
 * (AMAP_EXTEND_FORWARDS) or its start (AMAP_EXTEND_BACKWARDS), growing
 * the arrays if needed.  => returns 0 or -ENOMEM (nothing changed).
 */
int amap_extend(struct vm_map_entry *entry, vsize_t addsize, int flags);

/*
 * amap_splitref - split the reference origref at offset bytes into it:
 * origref keeps the first part, splitref gets the rest (one more am_ref).
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
 * amap if it had none.  A large entry is first clipped to the chunk
 * around [startva, endva) unless AMAP_COPY_NOCHUNK.
 *  => map locked (write); returns 0 or -ENOMEM.
 */
int amap_copy(struct vm_map *map, struct vm_map_entry *entry, int flags,
    vaddr_t startva, vaddr_t endva);

/*
 * amap_cow_now - copy at once every anon of entry's amap that is shared
 * (an_ref > 1), as if each page had taken a write fault (for wiring).
 *  => map locked; returns 0 or -ENOMEM.
 */
int amap_cow_now(struct vm_map *map, struct vm_map_entry *entry);

/* amap_wipeout - free every anon reference and the amap.  => am_ref reached 0. */
void amap_wipeout(struct vm_amap *amap);

/* amap_lookup - the anon at offset bytes into aref's window, or NULL.  => amap locked. */
struct vm_anon *amap_lookup(const struct vm_aref *aref, vaddr_t offset);

/* amap_lookups - npages anons starting at offset into anons[].  => amap locked. */
void amap_lookups(const struct vm_aref *aref, vaddr_t offset,
    struct vm_anon **anons, int npages);

/*
 * amap_add - put anon in the slot at offset; replace says whether a
 * slot already holding an anon is expected (its mappings are removed).
 *  => amap locked; the slot takes over the caller's anon reference.
 */
void amap_add(const struct vm_aref *aref, vaddr_t offset, struct vm_anon *anon,
    bool replace);

/* amap_unadd - empty the slot at offset (the anon is not freed).  => amap locked. */
void amap_unadd(const struct vm_aref *aref, vaddr_t offset);

/* amap_share_protect - lower the pmap protection of every resident anon page of entry. */
void amap_share_protect(struct vm_map_entry *entry, vm_prot_t prot);

/*
 * amap_swap_off - page in every anon whose swap slot is in
 * [startslot, endslot).  => returns false on success, true if it ran out
 * of memory (what was paged in stays in).
 */
bool amap_swap_off(int startslot, int endslot);

/* The run-length ppref encoding, exported for its tests. */
void amap_pp_setreflen(int *ppref, int slot, int ref, int len);
void amap_pp_getreflen(const int *ppref, int slot, int *refp, int *lenp);

/* amap_count - live amaps (for leak checks). */
uint64_t amap_count(void);

/*
 * amap_check - slots and back-pointers are inverses, am_nused right, each
 * anon's reference count at least the slots holding it, ppref runs tile
 * the amap and agree with am_ref.  => returns problems found.
 */
int amap_check(struct vm_amap *amap, kprint_fn pr);
int amap_check_all(kprint_fn pr);

/* amap_print - header, used slots with their anons, ppref as runs. */
void amap_print(struct vm_amap *amap, kprint_fn pr);

/* Lock objects. */
struct vm_lockobj *vm_lockobj_alloc(const char *name);
void vm_lockobj_hold(struct vm_lockobj *lo);
void vm_lockobj_release(struct vm_lockobj *lo);

#endif
