/*
 * uvm/uvm_aobj.h - anonymous uvm objects (aobj): memory with no file
 * behind it, for MAP_SHARED|MAP_ANONYMOUS and for kernel use.  Pages are
 * zero-filled on first touch and go to swap under pressure; the object
 * remembers, for each page, the swap slot holding it:
 *
 *   small object (<= UAO_SWHASH_THRESHOLD pages): an array
 *      u_swslots[page] = slot or 0
 *   large object: a hash of clusters, each covering UAO_SWHASH_CLUSTER
 *      consecutive pages, allocated only where some page has a slot
 *      bucket(page / CLUSTER) -> elt {tag, count, slots[CLUSTER]}
 */
#ifndef UVM_UVM_AOBJ_H
#define UVM_UVM_AOBJ_H

#include "kern/lib/printf.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/types.h"
#include "uvm/uvm_object.h"

#define UAO_SWHASH_CLUSTER 16           /* pages per hash element */
#define UAO_SWHASH_THRESHOLD (UAO_SWHASH_CLUSTER * 4)

/*
 * Locking: each aobj's vmobjlock (uo_obj.vmobjlock) covers its slot table,
 * size and pages.  uao_reference, uao_detach, uao_swap_off, uao_create
 * and pgo_get without PGO_LOCKED take what they need themselves (the
 * object must be unlocked on entry); the others say "object locked".  A global list of every aobj (for
 * swap_off and the checkers) has its own lock, taken before object locks.
 * Slots are freed into the swap layer, whose lock is a leaf.  Nothing
 * here sleeps yet.
 */

/*
 * Pages that hold data.  A page of an aobj holds data when it is resident
 * or has a swap slot (both at once counts once); a page that is neither
 * is a hole and reads as zeros.  Each aobj counts its held pages
 * (uao_held_pages), and aobjs may share a budget that limits their sum:
 * a tmpfs mount's size= (kern/fs/tmpfs.c).  With a budget, pgo_get
 * refuses to create a page in a hole when the budget is spent: -ENOSPC
 * (a write(2) returns it; a fault turns it into SIGBUS).  Every other
 * way a page comes to hold data (read back from swap, a slot given to a
 * resident page) was paid for already.
 *
 *   budget {used 3, limit 4} <- aobj A {held 2: page 0 resident,
 *                                                page 5 in swap only}
 *                            <- aobj B {held 1: page 2 resident + slot}
 *
 * ub_lock is a leaf, taken inside an object lock.
 */
struct uao_budget {
	struct spinlock ub_lock;
	uint64_t ub_used;               /* pages held by the aobjs charged to it */
	uint64_t ub_limit;              /* the most; UINT64_MAX: no limit */
};

/* The pager operations of every aobj (uobj->pgops == &aobj_pager). */
extern const struct uvm_pagerops aobj_pager;

/* uao_init - pools for aobjs.  => once, at boot (uvm_init). */
void uao_init(void);

/*
 * uao_create - an aobj of size bytes (rounded up to pages), one reference.
 *  => flags: none defined yet (ignored).  Size 0 is allowed (grow it later).
 *  => returns NULL when memory is short or the size does not fit an int
 *     count of pages; never sleeps.
 */
struct uvm_object *uao_create(vsize_t size, int flags);

/*
 * uao_reference - one more reference.  uao_detach - drop one; the last
 * removes every mapping of the pages, frees them, the swap slots and the
 * aobj.  => object unlocked on entry (each takes the lock itself).
 */
void uao_reference(struct uvm_object *uobj);
void uao_detach(struct uvm_object *uobj);

/* uao_find_swslot - the slot holding page pageidx, or 0.  => object locked; pageidx in range. */
int uao_find_swslot(struct uvm_object *uobj, int pageidx);

/*
 * uao_swslot_at - the slot holding the page at byte offset off, or 0,
 * for code that walks a mapping rather than the object: a shared mapping
 * may reach past the object's end (mmap does not look at the size; a
 * file truncated under a mapping keeps it), and a page there has none.
 *  => object locked; any off (negative or past the end: 0).
 */
int uao_swslot_at(struct uvm_object *uobj, voff_t off);

/*
 * uao_set_swslot - record slot for page pageidx (0 clears it).
 *  => object locked; returns the old slot (the caller frees it), or
 *     -ENOMEM if a hash element was needed and could not be allocated.
 */
int uao_set_swslot(struct uvm_object *uobj, int pageidx, int slot);

/*
 * uao_dropswap - clear page pageidx's slot and free it in the swap layer.
 *  => object locked.  A resident page loses its PG_CLEAN: it is now the
 *     only copy of its data.
 */
void uao_dropswap(struct uvm_object *uobj, int pageidx);

/*
 * uao_dropswap_range - the same for every page in [start, end) bytes
 * (end 0: to the end).  => object locked; start and end page aligned.
 */
void uao_dropswap_range(struct uvm_object *uobj, voff_t start, voff_t end);

/*
 * uao_grow / uao_shrink - change the object's size to pages, converting
 * between array and hash as the size crosses the threshold.
 *  => object locked.  Slots below the new end are kept.
 *  => shrinking removes the mappings of the pages past the new end (none
 *     may be busy or wired), frees them and their slots.
 *  => 0, -EINVAL (grow to fewer pages, shrink to more), or -ENOMEM
 *     (nothing changed).  The same size is a no-op.
 */
int uao_grow(struct uvm_object *uobj, int pages);
int uao_shrink(struct uvm_object *uobj, int pages);

/*
 * uao_set_budget - charge the object's held pages to b from now on (NULL:
 * to none), taking them off the budget it had.  The move is never
 * refused, even past b's limit.  => object locked.
 */
void uao_set_budget(struct uvm_object *uobj, struct uao_budget *b);

/* uao_held_pages - pages holding data (resident or in swap).  => object locked (a snapshot otherwise). */
int uao_held_pages(struct uvm_object *uobj);

/*
 * uao_npages - the object's size in pages.  uao_uses_hash - which
 * representation.  uao_nclusters - hash elements allocated now (0 for an
 * array), for tests.  => object locked (a snapshot otherwise).
 */
int uao_npages(struct uvm_object *uobj);
/* uao_is_aobj - is uobj an anonymous object (its pages go to swap)? */
bool uao_is_aobj(const struct uvm_object *uobj);
bool uao_uses_hash(struct uvm_object *uobj);
int uao_nclusters(struct uvm_object *uobj);

/*
 * uao_swap_off - page in every aobj page whose slot is in
 * [startslot, endslot) and release those slots (swapoff).
 *  => no locks on entry; sleeps.
 *  => returns 0 when done (nothing in range counts); -EAGAIN when a page
 *     was busy (being read from its slot by a fault) and was passed by
 *     with its slot, so walk again later; or the first page that could
 *     not be brought in stops the walk: -ENOMEM, or -EIO (a read error,
 *     a test area with no disk).  What came in stays in.
 */
int uao_swap_off(int startslot, int endslot);

/* uao_count - live aobjs (leak checks). */
uint64_t uao_count(void);

/*
 * uao_check - slot table consistent with its counts and the swap layer,
 * the held count with the pages and slots, and the embedded object
 * (uvm_obj_check).  => problems found.
 *  => object locked by the caller (or quiet); uao_check_all locks the list
 *     and each object itself, and reports one already locked instead of
 *     waiting for it.  Never panics.
 */
int uao_check(struct uvm_object *uobj, kprint_fn pr);
int uao_check_all(kprint_fn pr);

/* uao_print - size, representation, resident pages and slots. */
void uao_print(struct uvm_object *uobj, kprint_fn pr);

#endif
