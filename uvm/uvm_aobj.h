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
#include "kern/lib/types.h"
#include "uvm/uvm_object.h"

#define UAO_SWHASH_CLUSTER 16           /* pages per hash element */
#define UAO_SWHASH_THRESHOLD (UAO_SWHASH_CLUSTER * 4)

/* uao_init - pools for aobjs.  => once, at boot (uvm_init). */
void uao_init(void);

/*
 * uao_create - an aobj of size bytes (rounded up to pages), one reference.
 *  => returns NULL when memory is short.
 */
struct uvm_object *uao_create(vsize_t size, int flags);

/* uao_reference - one more reference.  uao_detach - drop one; the last frees pages and slots. */
void uao_reference(struct uvm_object *uobj);
void uao_detach(struct uvm_object *uobj);

/* uao_find_swslot - the slot holding page pageidx, or 0.  => object locked. */
int uao_find_swslot(struct uvm_object *uobj, int pageidx);

/*
 * uao_set_swslot - record slot for page pageidx (0 clears it).
 *  => object locked; returns the old slot (the caller frees it), or
 *     -ENOMEM if a hash element was needed and could not be allocated.
 */
int uao_set_swslot(struct uvm_object *uobj, int pageidx, int slot);

/* uao_dropswap - clear page pageidx's slot and free it in the swap layer. */
void uao_dropswap(struct uvm_object *uobj, int pageidx);

/* uao_dropswap_range - the same for every page in [start, end) bytes (end 0: to the end). */
void uao_dropswap_range(struct uvm_object *uobj, voff_t start, voff_t end);

/*
 * uao_grow / uao_shrink - change the object's size to pages, converting
 * between array and hash as the size crosses the threshold.
 *  => shrinking frees pages and slots past the new end; 0 or -ENOMEM.
 */
int uao_grow(struct uvm_object *uobj, int pages);
int uao_shrink(struct uvm_object *uobj, int pages);

/* uao_npages - the object's size in pages.  uao_uses_hash - which representation. */
int uao_npages(struct uvm_object *uobj);
bool uao_uses_hash(struct uvm_object *uobj);

/*
 * uao_swap_off - page in every aobj page whose slot is in
 * [startslot, endslot).  => false on success, true if memory ran out.
 */
bool uao_swap_off(int startslot, int endslot);

/* uao_count - live aobjs (leak checks). */
uint64_t uao_count(void);

/* uao_check - slot table consistent with its counts and the swap layer.  => problems. */
int uao_check(struct uvm_object *uobj, kprint_fn pr);
int uao_check_all(kprint_fn pr);

/* uao_print - size, representation, resident pages and slots. */
void uao_print(struct uvm_object *uobj, kprint_fn pr);

#endif
