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

#include "kern/core/mutex.h"
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
	 * -ENOMEM, or -EINVAL (the center page lies past the object's end).
	 *
	 *  => with PGO_LOCKED: object locked on entry and on return; every
	 *     pps[i] is set (the resident, non-busy page, or NULL); nothing
	 *     is allocated and nothing sleeps.  The pages are NOT busied: the
	 *     object lock, held by the caller throughout, is what keeps them.
	 *     *npagesp becomes the number of pages returned.  -EBUSY when
	 *     the center page is missing or busy (the others are still set).
	 *  => without PGO_LOCKED: only pps[centeridx] is brought in (the
	 *     other entries are set NULL, *npagesp becomes 1 on success).
	 *     The pages after it are the caller's window, which it reads
	 *     next: a pager that reads from a disk reads them along, in
	 *     the same request where they lie in one run, whatever the
	 *     advice (which may add more around).
	 *     Object unlocked on entry and on return: the pager takes the
	 *     lock itself (and may drop it for I/O).  The page comes back
	 *     PG_BUSY and owned by the object; the caller un-busies it
	 *     (vm_page_unbusy, which wakes waiters).  A page someone else
	 *     holds busy is waited for (vm_page_wait_busy), so this may sleep.
	 */
	int (*pgo_get)(struct uvm_object *uobj, voff_t offset, int centeridx,
	    struct vm_page **pps, int *npagesp, vm_prot_t access_type,
	    int advice, int flags);
	/*
	 * Clean and/or free pages in [start, stop) (or all of them with
	 * PGO_ALLPAGES).  => object locked on entry and on return; 0 or a
	 * negative errno.
	 */
	int (*pgo_put)(struct uvm_object *uobj, voff_t start, voff_t stop,
	    int flags);
};

/* pgo_get flags */
#define PGO_LOCKED 0x1      /* resident pages only; lock held; no sleep */
#define PGO_OVERWRITE 0x20  /* the caller overwrites the whole page: a page
                               not resident need not be read (zeros will do) */
#define PGO_NOALLOC 0x40    /* a page that holds no data (an aobj's hole) is
                               not created: -ENOENT, the caller reads zeros */
/* pgo_put flags */
#define PGO_CLEANIT 0x2     /* write dirty pages to backing store */
#define PGO_FREE 0x4        /* free the pages (contents discarded) */
#define PGO_ALLPAGES 0x8    /* the whole object */
#define PGO_FREESWAP 0x10   /* with PGO_FREE: release the swap copies too */

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
/* uvm_obj_page_lookup_run - the resident pages of the n pages from
 * offset: pps[i] is the page at offset + i pages, or NULL.  One descent
 * of the tree, then in-order steps.  => object locked. */
void uvm_obj_page_lookup_run(struct uvm_object *uobj, voff_t offset,
    struct vm_page **pps, int n);

/*
 * uvm_obj_page_lookup_unbusy - the resident page at offset, or NULL, once
 * it is not busy: a busy page (another thread between pager and pmap, or
 * reading it in) is waited for (vm_page_wait_busy, sleeping on wmesg) and
 * looked up again.
 *  => object locked on entry and on return; released while it sleeps, so
 *     anything else learned under the lock may be stale after a wait.
 *  => the page returned is not busied: the caller does that if it keeps it.
 */
struct vm_page *uvm_obj_page_lookup_unbusy(struct uvm_object *uobj,
    voff_t offset, const char *wmesg);

/*
 * uvm_obj_page_insert - make pg the object's page at offset.
 *  => object locked; no page at offset yet (panics otherwise).
 *  => pg is unowned, or already names (uobj, offset) as
 *     vm_page_alloc(uobj, offset, NULL, ...) leaves it; never an anon's.
 */
void uvm_obj_page_insert(struct uvm_object *uobj, struct vm_page *pg, voff_t offset);

/*
 * uvm_obj_page_remove - take pg out of its object (the page is not freed).
 *  => object locked; pg is in uobj.  Its owner fields are cleared.
 */
void uvm_obj_page_remove(struct uvm_object *uobj, struct vm_page *pg);

/* Iterate pages in offset order: first, then next after pg.  => object locked. */
struct vm_page *uvm_obj_page_first(struct uvm_object *uobj);
struct vm_page *uvm_obj_page_next(struct uvm_object *uobj, struct vm_page *pg);

/*
 * uvm_obj_check - tree order, back-pointers, uo_npages.  => problems found.
 *  => object locked by the caller (or quiet); takes no lock, never panics.
 */
int uvm_obj_check(struct uvm_object *uobj, kprint_fn pr);

/*
 * uvm_obj_rdwr - copy len bytes between kbuf and the object at off,
 * through the object's pages: each is brought in by pgo_get as a fault
 * would (a write of a whole page with PGO_OVERWRITE, so it is not read
 * first), copied, put on the active queue; a write clears PG_CLEAN.  A
 * read of a hole (PGO_NOALLOC answered -ENOENT) copies zeros and creates
 * no page.  A read tells pgo_get the rest of [off, off + len) as its
 * window (up to 32 pages), so a miss reads them in one request.
 *  => object unlocked; kbuf is kernel memory (callers bounce user data,
 *     so nothing faults while a page is busy); may sleep, also for
 *     memory (uvm_wait) as a fault does: -ENOMEM only when the page
 *     daemon found nothing to free, or the failure was injected.
 *  => returns 0 or the pager's error (-EIO, -ENOMEM, -ENOSPC, -EINVAL
 *     past the object's end); bytes before the failing page were moved.
 */
int uvm_obj_rdwr(struct uvm_object *uobj, voff_t off, void *kbuf, size_t len,
    bool write);

/*
 * uvm_obj_copy_fn - where uvm_obj_read_to puts a read's bytes: the next n
 * bytes of the read, from src, the page's kernel address (or NULL: n
 * zeros, a hole); the function keeps its own place (arg) and moves it
 * along.  It runs with the page busy and the object unlocked, and with
 * whatever the caller holds (read(2): v_lock), so it must not fault on a
 * mapping of this object or anything needing those locks (the fault
 * would wait forever): a copy to user memory must be one that never
 * enters the fault handler (copyout_nofault), with the caller falling
 * back to a bounce buffer.
 *  => returns 0 or a negative errno, which ends the read.
 */
typedef int (*uvm_obj_copy_fn)(void *arg, const void *src, size_t n);

/*
 * uvm_obj_copy_kbuf - the uvm_obj_copy_fn of a read into kernel memory:
 * arg is a char ** to the next byte, moved along (uvm_obj_rdwr's, and
 * read(2)'s bounce buffer).  => returns 0.
 */
int uvm_obj_copy_kbuf(void *arg, const void *src, size_t n);

/*
 * uvm_obj_read_to - uvm_obj_rdwr's read, each page's bytes handed to copy
 * (in order, a page's piece at a time), with the pager told the access
 * pattern (UVM_ADV_*, uvm_map.h).  UVM_ADV_SEQUENTIAL, a read(2) that
 * goes on where the last one ended: a miss reads a cluster ahead, and
 * each page read goes to the inactive queue, not the active one ("drop
 * behind": a stream read once is the first thing the page daemon should
 * free).  window: the bytes from off the caller reads next (at least
 * len; read(2)'s whole call), which a miss reads in the same request
 * (pgo_get's window); UVM_ADV_RANDOM then reads exactly those.
 *  => as uvm_obj_rdwr; copy's error is returned as it is, the bytes of
 *     the pages before it moved.
 */
int uvm_obj_read_to(struct uvm_object *uobj, voff_t off, size_t len,
    size_t window, int advice, uvm_obj_copy_fn copy, void *arg);

/* uvm_obj_print - refs, resident pages by offset.  => takes no lock. */
void uvm_obj_print(struct uvm_object *uobj, kprint_fn pr);

#endif
