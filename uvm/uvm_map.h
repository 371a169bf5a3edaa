/*
 * uvm/uvm_map.h - address maps: which ranges of an address space are
 * mapped, to what, and how.
 *
 * A map is a sorted set of non-overlapping entries, kept twice: in a
 * doubly-linked list (for walking ranges in order) and in a red-black
 * tree keyed by start address (for O(log n) lookup).  Each tree node also
 * records the free space after its entry (gap) and the largest gap in its
 * subtree (maxgap), which lets findspace skip whole subtrees that cannot
 * hold a request:
 *
 *   min                                                           max
 *    |[A 0x1000-0x3000)  gap 0x2000  [B 0x5000-0x6000) gap 0x9000 |
 *
 *   tree:        B {gap 0x9000, maxgap 0x9000}
 *               /
 *     A {gap 0x2000, maxgap 0x2000}       (space before the first entry
 *                                           is the map's own "lead gap")
 *
 * An entry maps [start, end) with:
 *   object + offset     the lower layer (a file or aobj), or none
 *   aref                the upper (anonymous) layer: an amap window
 *   etype               UVM_ET_OBJ, UVM_ET_COPYONWRITE, UVM_ET_NEEDSCOPY
 *   protection / max_protection, inheritance, advice, wired_count
 *   thp                 2 MiB page advice (UVM_THP_*): entries that differ
 *                       in it never merge
 *
 * Copy-on-write entries get their amap lazily: after fork both parent and
 * child entries are NEEDSCOPY and share the parent's amap read-only; the
 * first write fault gives the writer its own amap (amap_copy), sharing the
 * anons, and the anon layer copies single pages as they are written.
 *
 * Locking: map->lock, a reader/writer lock (kern/core/rwlock.h), for
 * everything in the map.  A page fault holds it as a reader, so the
 * faults of several threads run at once; whatever changes the map (its
 * entries, their amaps, the tree, the spares) holds it as the writer,
 * and so does a fault that must give its entry an amap (it lets go of
 * the read hold and starts over as writer).  map->timestamp changes on
 * every modification, so a fault that slept can tell whether to restart.
 * The lookup hint is the one field readers write: one pointer, stored
 * whole, always to an entry of the map.
 */
#ifndef UVM_UVM_MAP_H
#define UVM_UVM_MAP_H

#include "kern/core/mutex.h"
#include "kern/core/rwlock.h"
#include "kern/lib/printf.h"
#include "kern/lib/rbtree.h"
#include "kern/lib/types.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_param.h"

struct pmap;
struct uvm_object;

/* inheritance */
#define MAP_INHERIT_SHARE 0     /* child shares the memory */
#define MAP_INHERIT_COPY 1      /* child gets a copy-on-write copy */
#define MAP_INHERIT_NONE 2      /* child gets nothing there */
#define MAP_INHERIT_ZERO 3      /* child gets fresh zero-filled memory */

/* advice */
#define UVM_ADV_NORMAL 0        /* fault-ahead 3 back, 4 forward */
#define UVM_ADV_RANDOM 1        /* no fault-ahead */
#define UVM_ADV_SEQUENTIAL 2    /* fault-ahead 8 back, 7 forward */

/* 2 MiB page advice (madvise; uvm/uvm_thp.c says who decides what) */
#define UVM_THP_DEFAULT 0       /* the system's mode: eligible unless thp=0 */
#define UVM_THP_HUGE 1          /* MADV_HUGEPAGE: eligible (as the default,
                                   the mode being "always") */
#define UVM_THP_NEVER 2         /* MADV_NOHUGEPAGE: never a 2 MiB page */

/* entry types */
#define UVM_ET_OBJ 0x01             /* has an object (lower layer) */
#define UVM_ET_COPYONWRITE 0x02     /* writes go to private anons */
#define UVM_ET_NEEDSCOPY 0x04       /* amap is shared until amap_copy */

/* entry flags */
#define UVM_MAP_NOMERGE 0x01        /* never merge with neighbours */

struct vm_map_entry {
	struct rb_node rb_node;         /* in map->rb_tree, by start */
	struct vm_map_entry *prev;      /* sorted list, map->header at ends */
	struct vm_map_entry *next;
	vaddr_t start;
	vaddr_t end;
	vsize_t gap;                    /* free space from end to next start */
	vsize_t maxgap;                 /* largest gap in this subtree */
	struct uvm_object *object;      /* lower layer, if UVM_ET_OBJ */
	voff_t offset;                  /* object offset of start */
	int etype;                      /* UVM_ET_* */
	vm_prot_t protection;
	vm_prot_t max_protection;
	int inheritance;                /* MAP_INHERIT_* */
	int advice;                     /* UVM_ADV_* */
	int wired_count;
	int flags;                      /* UVM_MAP_* */
	int thp;                        /* UVM_THP_*: madvise's 2 MiB advice;
	                                   clipped, forked and moved along */
	struct vm_aref aref;            /* upper layer */
};

#define VM_MAP_TOPDOWN 0x1          /* findspace prefers high addresses */
#define VM_MAP_VMSPACE 0x2          /* a vmspace's map (uvmspace_alloc) */

struct thread;

struct vm_map {
	struct krwlock lock;            /* faults read, changes write */
	struct pmap *pmap;
	struct vm_map_entry header;     /* list sentinel: header.next = first */
	struct rb_tree rb_tree;
	int nentries;
	vsize_t size;                   /* bytes mapped */
	vaddr_t min_offset;             /* the map covers [min, max) */
	vaddr_t max_offset;
	vsize_t lead_gap;               /* free space from min to the first entry */
	struct vm_map_entry *hint;      /* last entry looked up */
	uint32_t timestamp;             /* bumped by every change */
	int flags;                      /* VM_MAP_* */
	/* The top-down findspace cache (uvm_map.c): fs_entry's gap was the
	 * highest fit below fs_hint for fs_need bytes, and no gap between it
	 * and fs_hint has grown since.  fs_entry NULL: nothing cached. */
	struct vm_map_entry *fs_entry;
	vaddr_t fs_hint;
	vsize_t fs_need;
	/* Spare entries for clipping (uvm_map.c, entry_reserve_fill): a
	 * singly linked list through next, covered by the map lock. */
	struct vm_map_entry *spare;
	int nspare;
	/* Debug builds: entries' worth of whole-map checking earned and
	 * not yet spent (MAP_DCHECK, uvm_map.c). */
	unsigned dcheck_credit;
	/* The thread wiring the map with its lock down (uvm_map_pageable
	 * faulting the pages in), or NULL: while set, every other thread
	 * that would change the map's entries waits (map_lock_change in
	 * uvm_map.c); faults go on.  Covered by the map lock;
	 * busy_wanted by map_busy_lock. */
	struct thread *busy;
	bool busy_wanted;
};

/*
 * An address space: the map plus what a process needs to know about it.
 */
struct vmspace {
	struct vm_map vm_map;
	int vm_refcnt;
	vaddr_t vm_daddr;               /* start of the data/heap (brk) segment */
	vsize_t vm_dsize;               /* its current size */
	vaddr_t vm_minsaddr;            /* stack: lowest and highest address */
	vaddr_t vm_maxsaddr;
	int vm_pid;                     /* its process, for traces (0: none) */
};

/*
 * uvm_map flags, packed as UVM: UVM_MAPFLAG(prot, maxprot, inherit,
 * advice, flags).  Prot and maxprot take 4 bits each, inherit and advice
 * 4 bits each, flags the rest.
 */
typedef uint32_t uvm_flag_t;

#define UVM_MAPFLAG(prot, maxprot, inh, adv, fl) \
	((prot) | ((maxprot) << 4) | ((inh) << 8) | ((adv) << 12) | (fl))
#define UVM_PROTECTION(f) ((f) & 0xf)
#define UVM_MAXPROTECTION(f) (((f) >> 4) & 0xf)
#define UVM_INHERIT(f) (((f) >> 8) & 0xf)
#define UVM_ADVICE(f) (((f) >> 12) & 0xf)

#define UVM_FLAG_FIXED 0x010000     /* exactly at *startp */
#define UVM_FLAG_OVERLAY 0x020000   /* give the entry an amap at once */
#define UVM_FLAG_NOMERGE 0x040000   /* never merge this entry */
#define UVM_FLAG_COPYONWRITE 0x080000   /* private: writes copy */
#define UVM_FLAG_NEEDSCOPY 0x100000 /* with COPYONWRITE and OVERLAY: still
					 * needs-copy (COPYONWRITE alone
					 * implies it) */
#define UVM_FLAG_UNMAP 0x200000     /* with FIXED: replace what is there */
#define UVM_FLAG_NOWAIT 0x400000    /* fail rather than sleep */
#define UVM_FLAG_TOPDOWN 0x800000   /* search downwards from the hint */

#define UVM_UNKNOWN_OFFSET ((voff_t)-1)     /* object offset = address */

/* uvm_map_init - pools for entries and vmspaces.  => once, at boot. */
void uvm_map_init(void);

/*
 * uvm_map_setup - an empty map over [min, max) using pmap.
 *  => flags: VM_MAP_TOPDOWN; VM_MAP_VMSPACE only from uvmspace_alloc (the
 *     fault trace then reads the pid around the map).
 */
void uvm_map_setup(struct vm_map *map, struct pmap *pmap, vaddr_t min,
    vaddr_t max, int flags);

/*
 * uvm_map - map size bytes of uobj (from uoffset) or, with uobj NULL,
 * anonymous memory, at *startp (UVM_FLAG_FIXED) or at a free place found
 * from *startp as a hint, aligned to align (0 or a power of two).
 *  => map unlocked on entry; takes the caller's object reference on
 *     success (on failure the caller still owns it).
 *  => returns 0 and the address in *startp, -ENOMEM (no space, no
 *     memory), -EINVAL (bad arguments) or -EEXIST (FIXED without
 *     UNMAP over an existing mapping).
 *  => without NOMERGE or OVERLAY the range joins a compatible neighbour
 *     on either side (both, when it fills the hole between them); the
 *     reference the caller gave is then dropped, since the neighbour
 *     already holds one on the object.
 *  => FIXED|UNMAP removes what was there first; if the new entry then
 *     cannot be had (-ENOMEM), the old mappings stay removed.
 */
int uvm_map(struct vm_map *map, vaddr_t *startp, vsize_t size,
    struct uvm_object *uobj, voff_t uoffset, vsize_t align, uvm_flag_t flags);

/*
 * uvm_unmap - remove every mapping in [start, end): entries are taken out
 * under the map lock, their pages unmapped, and the references they held
 * (amaps, objects) dropped after the lock is released.
 */
void uvm_unmap(struct vm_map *map, vaddr_t start, vaddr_t end);

/*
 * uvm_map_lookup_entry - find the entry containing va.
 *  => map locked; returns true and *entry = it, or false and *entry =
 *     the entry before va (&map->header if none).
 */
bool uvm_map_lookup_entry(struct vm_map *map, vaddr_t va,
    struct vm_map_entry **entry);

/*
 * uvm_map_findspace - find length bytes free in map at or after hint
 * (topdown: at or before hint + length), aligned to align.
 *  => bottom-up gives the lowest such start, top-down the highest; a
 *     top-down hint of 0 (or above the map) means the top of the map.
 *  => map locked; returns 0 and *result, -ENOMEM, or -EINVAL (length 0,
 *     align not a power of two).
 *  => O(log n): descends the tree on maxgap.  With an alignment above a
 *     page, once a few gaps long enough for length have failed only
 *     because of the alignment, the search skips gaps shorter than
 *     length + align - PAGE_SIZE (which always fit): a later gap that
 *     would fit only by the luck of its position is not found then.
 */
int uvm_map_findspace(struct vm_map *map, vaddr_t hint, vsize_t length,
    vaddr_t *result, vsize_t align, bool topdown);

/*
 * How many tree nodes the last findspace visited, the descent to the
 * hint's gap included (tests prove O(log n)).
 */
extern unsigned uvm_map_findspace_visits;

/*
 * The map layer's work, counted since boot for /proc/uvmexp (statistics:
 * relaxed atomic adds, no lock; make bench reads them around its used
 * pass to say what an operation costs in nodes, not only in cycles).
 */
struct uvm_map_stats {
	uint64_t augments;      /* tree nodes whose maxgap was recomputed */
	uint64_t tree_lookups;  /* uvm_map_lookup_entry calls the hint missed */
	uint64_t fs_searches;   /* findspace calls by uvm_map */
	uint64_t fs_visits;     /* nodes those searches visited */
};
extern struct uvm_map_stats uvm_map_stats;

/* The findspace cache's switch (boot: fscache=0 turns it off; tests may
 * set it, as the uvm_map_speed suite does). */
extern bool uvm_map_fscache_on;

/* mremap's PTE move (pmap_move); boot: pmapmove=0 turns it off, and the
 * pages fault back in at the new address.  Tests may set it. */
extern bool uvm_map_pmapmove_on;

/*
 * Clip entry so that it starts (ends) at va, splitting off the rest as a
 * new entry that shares the object and, through amap_splitref, the amap.
 *  => map locked; start < va < end.
 */
void uvm_map_clip_start(struct vm_map *map, struct vm_map_entry *entry, vaddr_t va);
void uvm_map_clip_end(struct vm_map *map, struct vm_map_entry *entry, vaddr_t va);

/*
 * uvm_map_protect - set the protection (or, with set_max, the maximum
 * protection, which also lowers the protection to fit) of [start, end).
 *  => returns 0, -EACCES if prot exceeds some entry's maximum (a maximum
 *     is never raised), -ENOMEM if part of the range is unmapped
 *     (nothing is changed on an error, as Linux mprotect), or -EINVAL.
 *     An empty range is a no-op.
 *  => entries are clipped to the range and merged back with their
 *     neighbours afterwards where they have become equal.
 */
int uvm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_prot_t prot, bool set_max);

/* uvm_map_inherit / uvm_map_advice - set inheritance / advice on [start, end). */
int uvm_map_inherit(struct vm_map *map, vaddr_t start, vaddr_t end, int inherit);
int uvm_map_advice(struct vm_map *map, vaddr_t start, vaddr_t end, int advice);

/*
 * uvm_map_thp - set the 2 MiB page advice (UVM_THP_*) of [start, end):
 * entries are clipped to the range and merged back where their
 * neighbours then match (madvise MADV_HUGEPAGE / MADV_NOHUGEPAGE).
 *  => map unlocked; 0, -EINVAL (unaligned, a bad value) or -ENOMEM.
 *     Pages already mapped stay as they are: the advice is read by the
 *     faults that come after it.
 */
int uvm_map_thp(struct vm_map *map, vaddr_t start, vaddr_t end, int thp);

/*
 * uvm_map_entry_thp_eligible - may e hold 2 MiB pages: 2 MiB pages on
 * (uvm_thp_on), e not UVM_THP_NEVER, private anonymous memory (no
 * object) and at least one whole 2 MiB-aligned block inside it?
 * (/proc/PID/smaps' THPeligible.)  => map locked (read or write).
 */
bool uvm_map_entry_thp_eligible(const struct vm_map_entry *e);

/*
 * uvm_map_pageable - wire (new_pageable false) or unwire [start, end):
 * wiring faults every page in and keeps it mapped and resident.
 *  => map unlocked; may sleep.  While it faults the pages in the map is
 *     busy: other threads' changes to it wait (uvm_map.c, the top).
 *  => returns 0, -ENOMEM (part of the range unmapped, or no memory),
 *     or -EINVAL (unwiring what is not wired).
 */
int uvm_map_pageable(struct vm_map *map, vaddr_t start, vaddr_t end,
    bool new_pageable);

/*
 * uvm_map_wait_unbusy - wait, if another thread has map busy, until it
 * has not: a change to the entries, or a fault in an entry that thread
 * is wiring (its pages are not all wired yet, and a fault must not guess
 * which are), must not run meanwhile.
 *  => map locked (read or write), nothing else held; returns false with
 *     it still locked when no other thread has it busy, else true with
 *     it unlocked, after the busy ended.  May sleep.
 */
bool uvm_map_wait_unbusy(struct vm_map *map);

/*
 * uvm_map_grow - make the entry ending at end len bytes longer, into the
 * free space after it (mremap growing in place): its amap is extended,
 * an object's offsets simply continue.  end is the end of the range
 * being grown, which must be the entry's end: a range that stops short
 * of it has the entry's own pages after it, so no room (as on Linux).
 * Shared object mappings are left alone (-ENOMEM): the object would have
 * to grow with them; so is an entry whose amap others hold too (a fork,
 * the other part of a clipped entry): the caller can map the new range
 * as an entry of its own.
 *  => map unlocked; 0, -EINVAL (unaligned), -EFAULT (end - PAGE_SIZE
 *     unmapped), -ENOMEM (the entry goes on past end, no room, wired,
 *     a shared object or amap, or no memory).
 */
int uvm_map_grow(struct vm_map *map, vaddr_t end, vsize_t len);

/*
 * uvm_map_move - move the mapping [old, old+size) (one entry or several
 * back to back) to new, free space (mremap): each entry keeps its amap
 * window and object offset, so no page is copied; pages fault back in at
 * the new address.
 *  => map unlocked; 0, -EFAULT (a hole in the old range), -EEXIST (new is
 *     not free), -EBUSY (wired), -EINVAL, -ENOMEM.
 */
int uvm_map_move(struct vm_map *map, vaddr_t old, vsize_t size, vaddr_t new);

/*
 * uvm_map_dontneed - the pages of [start, end) are not needed: private
 * (copy-on-write) memory loses its anons, so the next touch reads zeros or
 * the object again; shared memory keeps its data and only loses its
 * mappings (madvise MADV_DONTNEED).  Memory shared through its amap
 * (minherit MAP_INHERIT_SHARE) counts as shared: the other processes'
 * data stays.  A wired (mlocked) range is refused whole, as Linux does.
 *  => map unlocked; 0, -EINVAL (unaligned, or a wired entry in the range:
 *     then nothing changed) or -ENOMEM.
 */
int uvm_map_dontneed(struct vm_map *map, vaddr_t start, vaddr_t end);

/*
 * uvm_map_checkprot - is all of [start, end) mapped with at least prot?
 *  => map unlocked (it takes the lock itself).
 */
bool uvm_map_checkprot(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_prot_t prot);

/*
 * uvm_map_reserve_entries - set aside on map the few entries a clip may
 * need, so that clipping never fails half way through an operation.
 * Every function here that may clip calls it right after locking the
 * map; the fault handler does too (amap_copy's chunking clips).
 *  => map locked (the spares are the map's, covered by its lock); never
 *     sleeps; returns 0 or -ENOMEM.
 */
int uvm_map_reserve_entries(struct vm_map *map);

/* uvm_map_entry_count - live map entries in all maps (leak checks). */
uint64_t uvm_map_entry_count(void);

/*
 * uvm_map_check - list sorted and linked both ways, tree matches list,
 * every gap and maxgap exact, no overlap, counts right.
 *  => map locked or quiescent; returns problems found.
 */
int uvm_map_check(struct vm_map *map, kprint_fn pr);

/*
 * How many entries uvm_map_check has walked, in all maps since boot: the
 * debug checks' work (tests prove it bounded per map change).
 */
extern uint64_t uvm_map_check_entries;

/* uvm_map_print - one line per entry (range, prot, flags, amap, object, gap). */
void uvm_map_print(struct vm_map *map, kprint_fn pr);
void uvm_map_entry_print(const struct vm_map_entry *e, kprint_fn pr);

/*
 * vmspaces.
 *  uvmspace_alloc  a new empty address space over [min, max) with its pmap
 *  uvmspace_fork   a child of vm per entry inheritance (copy = COW)
 *  uvmspace_exec   empty vm in place for a new program image: every
 *                  mapping goes, the bounds become [min, max)
 *  uvmspace_free   drop a reference; the last unmaps everything
 *  => alloc/fork return NULL when memory is short.
 *  => uvmspace_exec: vm must be unshared (vm_refcnt 1, asserted): the
 *     caller's process is its only user.  There is no path for a shared
 *     vmspace (no vfork): the caller never passes one.
 */
struct vmspace *uvmspace_alloc(vaddr_t min, vaddr_t max, bool topdown);
struct vmspace *uvmspace_fork(struct vmspace *vm);
void uvmspace_exec(struct vmspace *vm, vaddr_t min, vaddr_t max);
void uvmspace_addref(struct vmspace *vm);
void uvmspace_free(struct vmspace *vm);

/*
 * vm_map_lock, vm_map_lock_read - take map's lock to change it (alone)
 * or to read it (shared with other readers: faults).  vm_map_unlock
 * releases either.  => thread context; may sleep.
 * vm_map_locked - does the caller hold it to change it?
 * vm_map_lock_held - is it held to read it (by someone) or to change it
 * (by the caller)?  For the assertions of functions both may call.
 */
static inline void
vm_map_lock(struct vm_map *map)
{
	rw_enter(&map->lock, RW_WRITER);
}

static inline void
vm_map_lock_read(struct vm_map *map)
{
	rw_enter(&map->lock, RW_READER);
}

static inline void
vm_map_unlock(struct vm_map *map)
{
	rw_exit(&map->lock);
}

static inline bool
vm_map_locked(const struct vm_map *map)
{
	return rw_write_held(&map->lock);
}

static inline bool
vm_map_lock_held(const struct vm_map *map)
{
	return rw_lock_held(&map->lock);
}

#endif
