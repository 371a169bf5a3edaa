/*
 * uvm/uvm_object.h - memory objects: things whose pages can be mapped
 * (a file, an anonymous object) and the pager operations that fill them.
 *
 * An object owns its resident pages, kept in a red-black tree by offset:
 *
 *   uvm_object {refs 2, npages 3, ops = &aobj_pager}
 *        rb_pages:        [off 0x3000]
 *                        /            \
 *               [off 0x0000]       [off 0x9000]
 *
 * A mapping of an object holds one reference (uo_refs); the pager's
 * detach frees the object when the last one goes.  pgo_get fills the
 * fault handler's lower layer in one of two ways:
 *
 *   PGO_LOCKED   called and returning with vmobjlock held; reports the
 *                resident pages of the window in pps[] (not busied: the
 *                lock keeps them), never allocates, never sleeps;
 *                -EBUSY if the center page is not resident.
 *   otherwise    called with no VM lock held (it may sleep on I/O); takes
 *                vmobjlock itself, brings the center page in (allocating,
 *                zero-filling or reading it) and returns it in
 *                pps[centeridx], PG_BUSY, with the lock released.  The
 *                caller clears PG_BUSY when done with it.
 *
 * Locking: vmobjlock covers the page tree, uo_npages and the pages' owner
 * fields.
 */
#ifndef UVM_UVM_OBJECT_H
#define UVM_UVM_OBJECT_H

#include "kern/lib/mutex.h"
#include "kern/lib/printf.h"
#include "kern/lib/rbtree.h"
#include "kern/lib/types.h"
#include "uvm/uvm_param.h"

struct uvm_object;
struct vm_page;

struct uvm_pagerops {
	const char *pgo_name;
	void (*pgo_reference)(struct uvm_object *uobj);
	void (*pgo_detach)(struct uvm_object *uobj);
	/*
	 * Get pages [offset, offset + *npagesp pages) into pps[]; pps[i] NULL
	 * for pages not wanted or not resident.  See PGO_* below.
	 * Returns 0, -EBUSY (PGO_LOCKED: center page not resident), -EIO,
	 * or -ENOMEM.
	 */
	int (*pgo_get)(struct uvm_object *uobj, voff_t offset, int centeridx,
	    struct vm_page **pps, int *npagesp, vm_prot_t access_type,
	    int advice, int flags);
	/* Clean and/or free pages in [start, stop). */
	int (*pgo_put)(struct uvm_object *uobj, voff_t start, voff_t stop,
	    int flags);
};

/* pgo_get flags */
#define PGO_LOCKED 0x1      /* resident pages only; lock held; no sleep */
/* pgo_put flags */
#define PGO_CLEANIT 0x2     /* write dirty pages to backing store */
#define PGO_FREE 0x4        /* free the pages */
#define PGO_ALLPAGES 0x8    /* the whole object */

struct uvm_object {
	struct kmutex vmobjlock;
	const struct uvm_pagerops *pgops;
	int uo_refs;
	size_t uo_npages;               /* resident pages */
	struct rb_tree rb_pages;        /* resident pages by offset */
};

/* uvm_obj_init - an empty object with refs references and pager ops. */
void uvm_obj_init(struct uvm_object *uobj, const struct uvm_pagerops *ops,
    int refs, const char *name);

/* uvm_obj_page_lookup - the resident page at offset, or NULL.  => object locked. */
struct vm_page *uvm_obj_page_lookup(struct uvm_object *uobj, voff_t offset);

/*
 * uvm_obj_page_insert - make pg the object's page at offset.
 *  => object locked; pg unowned; no page at offset yet.
 */
void uvm_obj_page_insert(struct uvm_object *uobj, struct vm_page *pg, voff_t offset);

/* uvm_obj_page_remove - take pg out of its object (the page is not freed). */
void uvm_obj_page_remove(struct uvm_object *uobj, struct vm_page *pg);

/* Iterate pages in offset order: first, then next after pg. */
struct vm_page *uvm_obj_page_first(struct uvm_object *uobj);
struct vm_page *uvm_obj_page_next(struct uvm_object *uobj, struct vm_page *pg);

/* uvm_obj_check - tree order, back-pointers, uo_npages.  => problems found. */
int uvm_obj_check(struct uvm_object *uobj, kprint_fn pr);

#endif
