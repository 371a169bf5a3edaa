/*
 * uvm/uvm_vnode.c - the vnode pager: a file's pages, read from and
 * written back to its disk in clusters.
 *
 * A struct uvm_vnode is a uvm_object (the resident pages in its tree, see
 * uvm_object.c) that knows three more things: the file's size, the disk
 * it lives on, and one question it may ask the file system, u_ops->
 * uvn_bmap: "where on the disk is file byte off, and for how many bytes
 * is the file contiguous there?".  Everything else - which pages to read
 * together, when a page is dirty, how to write it - is decided here.
 *
 * Reading (pgo_get without PGO_LOCKED), a fault at file offset 0x5000
 * with normal advice (4 pages back, 11 ahead), pages 0x3000 and 0x9000
 * resident, the file 0xc800 bytes long in one disk run from 0x0:
 *
 *   offsets  0x1000 0x2000 0x3000 0x4000 [0x5000] 0x6000 0x7000 0x8000 0x9000
 *   resident                  R                                       R
 *   cluster                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
 *                              (stops at resident pages, in both directions;
 *                               at the run's end; at round_page(size))
 *   -> one blk_io of 5 pages; 0x5000 comes back busy to the fault, the
 *      other four unbusy, clean, on the active queue.
 *
 * The pages the caller asked for after the center (its window: read(2)
 * passes the rest of the call) are read along in the same request,
 * whatever the advice; random advice reads those and no more.  Short of
 * memory (fewer than freemin + a cluster free) nothing else is read: no
 * read-around, but the window still is, or a stream read in big calls
 * would fall to a request a page just when memory is tight.
 *
 * A hole (bmap answers UVN_HOLE) is zero-filled without I/O; with write
 * access its block is allocated (bmap alloc true) and the page is dirty,
 * without it the page is PG_RDONLY so the first store faults and
 * allocates then.  PGO_OVERWRITE (the caller fills the whole page) skips
 * the read.  A page whose bytes are not in one run (blocks smaller than
 * a page, scattered) is read piece by piece.
 *
 * Writing (pgo_put with PGO_CLEANIT, uvn_flush): a page is dirty when
 * PG_CLEAN is clear or the pmap saw a store (pmap_is_modified).  The
 * dirty pages that follow each other in the file are write-protected
 * (a store during the write faults and waits), busied, and written in
 * requests that each cover one disk run:
 *
 *   dirty pages 0x0 0x1000 0x2000 0x3000, bmap(0x0) = disk 0x80000, run
 *   0x2000; bmap(0x2000) = disk 0x95000, run 0x8000
 *     -> blk_io(0x80000, 2 pages), blk_io(0x95000, 2 pages), all PG_CLEAN.
 *
 * A failed write keeps its pages dirty, records the error in u_error
 * (uvn_take_error hands it to fsync, msync or close, once) and counts
 * write_errors.
 *
 * Invariants (uvn_check): every page lies below round_page(u_size) but
 * wired ones (a truncation leaves a wired page where it is); no page is
 * PG_FAKE unless busy; the bytes of the last page past u_size are zero
 * after every read-in and every write-back.
 *
 * Lock order: uvn_list_lock, then an object's vmobjlock, then the pmap's
 * and the page queues' locks.  vmobjlock is released around bmap and
 * the disk requests, with the pages concerned busy in the tree.
 */
#include "uvm/uvm_vnode.h"
#include "dev/blk.h"
#include "kern/lib/assert.h"
#include "kern/lib/atomic.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"

#define UVN_STAT(field, n) atomic_add_u64(&uvn_stats.field, (int64_t)(n))
#define UVN_PUT_ALL ((voff_t)1 << 62)   /* past every page of every file */

struct uvn_stats uvn_stats;

static int uvn_get(struct uvm_object *uobj, voff_t offset, int centeridx,
    struct vm_page **pps, int *npagesp, vm_prot_t access_type, int advice,
    int flags);
static int uvn_put(struct uvm_object *uobj, voff_t start, voff_t stop, int flags);
static void uvn_reference(struct uvm_object *uobj);
static void uvn_detach(struct uvm_object *uobj);

const struct uvm_pagerops uvn_pager = {
	.pgo_name = "vnode",
	.pgo_reference = uvn_reference,
	.pgo_detach = uvn_detach,
	.pgo_get = uvn_get,
	.pgo_put = uvn_put,
};

/* Read-around by the map entry's advice (uvm_map.h's UVM_ADV_*). */
static const struct {
	int nback;
	int nforw;
} uvn_advice[] = {
	[UVM_ADV_NORMAL] = { 4, 11 },
	[UVM_ADV_RANDOM] = { 0, 0 },
	[UVM_ADV_SEQUENTIAL] = { 0, UVN_MAXCLUSTER - 1 },
};

static struct kmutex uvn_list_lock = KMUTEX_INIT("uvn_list");
static TAILQ_HEAD(, uvm_vnode) uvn_list = { NULL, &uvn_list.tqh_first };
static uint64_t uvn_nobjs;              /* on uvn_list; under its lock */

/* A run of pages one request reads or writes. */
struct uvn_cluster {
	int n;
	voff_t start;                   /* offset of pages[0] */
	struct vm_page *pages[UVN_MAXCLUSTER];
	int error[UVN_MAXCLUSTER];      /* put: each page's outcome */
	struct blk_seg segs[UVN_MAXCLUSTER];
};

static struct uvm_vnode *
uvn_of(struct uvm_object *uobj)
{
	KASSERT(uobj->pgops == &uvn_pager);
	return container_of(uobj, struct uvm_vnode, u_obj);
}

/* The end of the last page of the file. */
static voff_t
uvn_end(const struct uvm_vnode *uvn)
{
	return ROUND_UP(uvn->u_size, (voff_t)PAGE_SIZE);
}

/* The file's bytes in the page at off (0..PAGE_SIZE), for size bytes. */
static size_t
page_valid(voff_t off, voff_t size)
{
	return off >= size ? 0 : (size_t)MIN((voff_t)PAGE_SIZE, size - off);
}

static int
cluster_max(const struct uvm_vnode *uvn)
{
	return MAX(1, MIN(UVN_MAXCLUSTER, uvn->u_dev->max_segs));
}

/* The resident page with the lowest offset >= off, or NULL. */
static struct vm_page *
page_at_or_after(struct uvm_vnode *uvn, voff_t off)
{
	struct rb_node *n = rb_tree_find_le(&uvn->u_obj.rb_pages, &off);
	struct vm_page *pg;

	if (n == NULL)
		return uvm_obj_page_first(&uvn->u_obj);
	pg = container_of(n, struct vm_page, objt);
	return pg->offset == off ? pg : uvm_obj_page_next(&uvn->u_obj, pg);
}

/* ------------------------------------------------------------------ */
/* Asking the file system                                              */

/*
 * bmap, with its answer checked: a run of at least one sector, whole
 * sectors, a sector-aligned address.  => no VM lock held; may sleep;
 * 0, the file system's error, or -EIO for an answer that makes no sense.
 */
static int
uvn_bmap(struct uvm_vnode *uvn, voff_t off, bool alloc, uint64_t *daddr,
    size_t *run)
{
	int error = uvn->u_ops->uvn_bmap(uvn, off, alloc, daddr, run);

	if (error != 0)
		return error;
	if (*run == 0 || *run % BLK_SECTOR != 0 ||
	    (*daddr == UVN_HOLE ? alloc : *daddr % BLK_SECTOR != 0))
		return -EIO;
	if (alloc)
		UVN_STAT(allocs, 1);
	return 0;
}

/* One request of len bytes at disk byte daddr into or out of pa. */
static int
uvn_io1(struct uvm_vnode *uvn, enum blk_op op, uint64_t daddr, paddr_t pa,
    size_t len)
{
	struct blk_seg seg = { .pa = pa, .len = (uint32_t)ROUND_UP(len, BLK_SECTOR) };

	return blk_io(uvn->u_dev, op, daddr / BLK_SECTOR, &seg, 1);
}

/* What walking a page piece by piece found. */
struct page_walk {
	bool read;              /* read the pieces that have blocks */
	bool alloc;             /* allocate the holes */
	bool holes_met;         /* out: a hole was found */
	bool holes_left;        /* out: a hole is still there */
	bool allocated;         /* out: a block was allocated */
	int reads;              /* out: requests that read */
};

/*
 * Walk the file bytes [off, off + len) of page pg by the file's runs:
 * holes are zeroed (w->read) or given blocks (w->alloc); pieces with
 * blocks are read (w->read), one request each.
 *  => no VM lock held; pg busy.  0 or the first error.
 */
static int
page_walk(struct uvm_vnode *uvn, struct vm_page *pg, voff_t off, size_t len,
    struct page_walk *w)
{
	uint8_t *kva = vm_page_kva(pg);
	size_t done = 0, run, n;
	uint64_t daddr;
	int error = 0;

	while (error == 0 && done < len) {
		error = uvn_bmap(uvn, off + (voff_t)done, false, &daddr, &run);
		if (error != 0)
			break;
		n = MIN(run, len - done);
		if (daddr == UVN_HOLE) {
			w->holes_met = true;
			if (w->read)
				memset(kva + done, 0, ROUND_UP(n, BLK_SECTOR));
			if (w->alloc && (error = uvn_bmap(uvn, off + (voff_t)done,
			    true, &daddr, &run)) == 0)
				w->allocated = true;
			w->holes_left |= !w->alloc;
		} else if (w->read) {
			error = uvn_io1(uvn, BLK_READ, daddr, pg->phys_addr + done, n);
			UVN_STAT(read_errors, error != 0);
			UVN_STAT(gets, error == 0);
			w->reads += error == 0;
		}
		done += ROUND_UP(n, BLK_SECTOR);
	}
	if (error != 0 && w->alloc)
		w->holes_left = true;
	return error;
}

/* ------------------------------------------------------------------ */
/* Init, references, destroy                                           */

void
uvn_init(struct uvm_vnode *uvn, const struct uvn_ops *ops, struct blkdev *dev,
    voff_t size, void *owner)
{
	KASSERT(ops != NULL && ops->uvn_bmap != NULL && dev != NULL && size >= 0);
	uvm_obj_init(&uvn->u_obj, &uvn_pager, 0, "uvn");
	uvn->u_ops = ops;
	uvn->u_dev = dev;
	uvn->u_size = size;
	uvn->u_error = 0;
	uvn->u_owner = owner;
	mutex_enter(&uvn_list_lock);
	TAILQ_INSERT_TAIL(&uvn_list, uvn, u_list);
	uvn_nobjs++;
	mutex_exit(&uvn_list_lock);
}

static void
uvn_reference(struct uvm_object *uobj)
{
	struct uvm_vnode *uvn = uvn_of(uobj);

	mutex_enter(&uobj->vmobjlock);
	uobj->uo_refs++;
	mutex_exit(&uobj->vmobjlock);
	if (uvn->u_ops->uvn_hold != NULL)
		uvn->u_ops->uvn_hold(uvn);
}

/* The pages stay: they are the file's cache, the vnode's to drop. */
static void
uvn_detach(struct uvm_object *uobj)
{
	struct uvm_vnode *uvn = uvn_of(uobj);

	mutex_enter(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0);
	uobj->uo_refs--;
	mutex_exit(&uobj->vmobjlock);
	/* Last: the vnode, and this object with it, may go here. */
	if (uvn->u_ops->uvn_rele != NULL)
		uvn->u_ops->uvn_rele(uvn);
}

/* Unmap pg, take it out of the object, free it.  => object locked. */
static void
page_discard(struct uvm_vnode *uvn, struct vm_page *pg)
{
	KASSERT(!(pg->flags & PG_BUSY));
	pmap_page_protect(pg, VM_PROT_NONE);
	uvm_obj_page_remove(&uvn->u_obj, pg);
	vm_page_free(pg);
}

/* Which pages free_range may free. */
enum uvn_free {
	FREE_ALL,               /* every unwired page (contents dropped) */
	FREE_CLEAN,             /* clean ones (a dirty page is kept) */
	FREE_CLEAN_UNMAPPED,    /* clean ones nobody maps */
};

/* Is pg dirty: PG_CLEAN clear, or a store seen by the pmap? */
static bool
page_dirty(struct vm_page *pg)
{
	return !(pg->flags & PG_CLEAN) || pmap_is_modified(pg);
}

static bool
page_may_go(struct vm_page *pg, enum uvn_free how)
{
	if (pg->wire_count != 0)
		return false;
	if (how == FREE_CLEAN_UNMAPPED && pg->md.pv_list != NULL)
		return false;
	return how == FREE_ALL || !page_dirty(pg);
}

/*
 * Free the pages of [start, stop) that how allows; busy ones are waited
 * for (wait) or passed by.  FREE_CLEAN unmaps a page before its last
 * look, so a store cannot slip in between.
 *  => object locked; released while it waits.
 */
static void
free_range(struct uvm_vnode *uvn, voff_t start, voff_t stop, enum uvn_free how,
    bool wait)
{
	struct vm_page *pg = page_at_or_after(uvn, start), *next;

	for (; pg != NULL && pg->offset < stop; pg = next) {
		next = uvm_obj_page_next(&uvn->u_obj, pg);
		if ((pg->flags & PG_BUSY) && wait) {
			voff_t off = pg->offset;
			vm_page_wait_busy(pg, &uvn->u_obj.vmobjlock, "uvnfree");
			mutex_enter(&uvn->u_obj.vmobjlock);
			next = page_at_or_after(uvn, off);
			continue;
		}
		if ((pg->flags & PG_BUSY) || !page_may_go(pg, how))
			continue;
		pmap_page_protect(pg, VM_PROT_NONE);
		if (how != FREE_ALL && pmap_clear_modify(pg)) {
			pg->flags &= ~PG_CLEAN;     /* stored to at the last moment */
			continue;
		}
		page_discard(uvn, pg);
	}
}

void
uvn_destroy(struct uvm_vnode *uvn)
{
	mutex_enter(&uvn->u_obj.vmobjlock);
	KASSERT(uvn->u_obj.uo_refs == 0);
	free_range(uvn, 0, UVN_PUT_ALL, FREE_ALL, true);
	KASSERT(uvn->u_obj.uo_npages == 0);
	mutex_exit(&uvn->u_obj.vmobjlock);
	mutex_enter(&uvn_list_lock);
	TAILQ_REMOVE(&uvn_list, uvn, u_list);
	uvn_nobjs--;
	mutex_exit(&uvn_list_lock);
}

/* ------------------------------------------------------------------ */
/* Get: the locked look-up                                             */

/*
 * PGO_LOCKED: the window's resident pages that are not busy.  A write to
 * a PG_RDONLY center page needs its blocks allocated, which only the
 * unlocked get does: it counts as missing.  => object locked.
 */
static int
get_resident(struct uvm_vnode *uvn, voff_t offset, struct vm_page **pps,
    int *npagesp, int centeridx, vm_prot_t access)
{
	voff_t end = uvn_end(uvn), center = offset + ((voff_t)centeridx << PAGE_SHIFT);
	int got = 0;

	uvm_obj_page_lookup_run(&uvn->u_obj, offset, pps, *npagesp);
	for (int i = 0; i < *npagesp; i++) {
		voff_t off = offset + ((voff_t)i << PAGE_SHIFT);
		struct vm_page *pg = off >= 0 && off < end ? pps[i] : NULL;
		if (pg != NULL && (pg->flags & PG_BUSY))
			pg = NULL;
		if (pg != NULL && i == centeridx && (access & VM_PROT_WRITE) &&
		    (pg->flags & PG_RDONLY))
			pg = NULL;
		pps[i] = pg;
		got += pg != NULL;
	}
	*npagesp = got;
	if (pps[centeridx] != NULL)
		return 0;
	return center < 0 || center >= end ? -EINVAL : -EBUSY;
}

/* ------------------------------------------------------------------ */
/* Get: reading a cluster                                              */

/*
 * How many pages before the center at off may join its cluster: as many
 * as the advice asks, if bmap says they lie right before it on the disk
 * (else none).  => no VM lock held; may sleep.
 */
static int
cluster_back(struct uvm_vnode *uvn, voff_t off, uint64_t daddr, int nback)
{
	voff_t from;
	uint64_t d;
	size_t run;

	nback = (int)MIN((voff_t)nback, off >> PAGE_SHIFT);
	if (nback == 0)
		return 0;
	from = off - ((voff_t)nback << PAGE_SHIFT);
	if (uvn_bmap(uvn, from, false, &d, &run) != 0 || d == UVN_HOLE ||
	    d + (uint64_t)(off - from) != daddr || run <= (size_t)(off - from))
		return 0;
	return nback;
}

/*
 * How many pages after the center at off lie in its run [off, off + run)
 * and the file (a page only partly in the run only when the run reaches
 * the end of the file), up to nforw.
 */
static int
cluster_forw(voff_t off, size_t run, voff_t size, int nforw)
{
	voff_t run_end = off + (voff_t)run;
	int n = 0;

	for (voff_t p = off + (voff_t)PAGE_SIZE; n < nforw && p < size && p < run_end;
	    p += (voff_t)PAGE_SIZE, n++) {
		if (p + (voff_t)PAGE_SIZE > run_end && run_end < size)
			break;
	}
	return n;
}

/*
 * Put fresh busy pages in the tree at the offsets of the cluster around
 * the center (already in c->pages[0] at c->start), back first, each
 * direction stopping at a page already resident or when no page is free.
 *  => object locked; never sleeps.
 */
static void
cluster_gather(struct uvm_vnode *uvn, struct uvn_cluster *c, int nback, int nforw)
{
	struct vm_page *center = c->pages[0], *back[UVN_MAXCLUSTER];
	int nb = 0;

	for (int i = 1; i <= nback; i++) {
		voff_t off = center->offset - ((voff_t)i << PAGE_SHIFT);
		struct vm_page *pg;
		if (uvm_obj_page_lookup(&uvn->u_obj, off) != NULL ||
		    (pg = vm_page_alloc(&uvn->u_obj, off, NULL, 0)) == NULL)
			break;
		uvm_obj_page_insert(&uvn->u_obj, pg, off);
		back[nb++] = pg;
	}
	c->n = 0;
	while (nb > 0)
		c->pages[c->n++] = back[--nb];
	c->pages[c->n++] = center;
	for (int i = 1; i <= nforw; i++) {
		voff_t off = center->offset + ((voff_t)i << PAGE_SHIFT);
		struct vm_page *pg;
		if (off >= uvn_end(uvn) || uvm_obj_page_lookup(&uvn->u_obj, off) != NULL ||
		    (pg = vm_page_alloc(&uvn->u_obj, off, NULL, 0)) == NULL)
			break;
		uvm_obj_page_insert(&uvn->u_obj, pg, off);
		c->pages[c->n++] = pg;
	}
	c->start = c->pages[0]->offset;
}

/*
 * Read the cluster in one request: the disk run starts at daddr for file
 * offset off and is run bytes long; the last page may be cut by the
 * run's end (the file's last block).  => no VM lock held; 0 or -EIO.
 */
static int
cluster_read(struct uvm_vnode *uvn, struct uvn_cluster *c, voff_t off,
    uint64_t daddr, size_t run)
{
	voff_t run_end = off + (voff_t)run;
	uint64_t first = daddr - (uint64_t)(off - c->start);
	int error;

	for (int i = 0; i < c->n; i++) {
		voff_t p = c->start + ((voff_t)i << PAGE_SHIFT);
		c->segs[i].pa = c->pages[i]->phys_addr;
		c->segs[i].len = (uint32_t)ROUND_UP(MIN((voff_t)PAGE_SIZE, run_end - p),
		    (voff_t)BLK_SECTOR);
	}
	error = blk_io(uvn->u_dev, BLK_READ, first / BLK_SECTOR, c->segs, c->n);
	if (error != 0) {
		UVN_STAT(read_errors, 1);
		return -EIO;
	}
	UVN_STAT(gets, 1);
	UVN_STAT(get_pages, c->n);
	return 0;
}

/*
 * Zero what a read left that is not file data: past the request in a
 * page the run cut (c->segs), and past u_size.  Then the page is real.
 */
static void
page_read_done(struct vm_page *pg, size_t got, voff_t size)
{
	size_t keep = MIN(got, page_valid(pg->offset, size));

	if (keep < PAGE_SIZE)
		memset((uint8_t *)vm_page_kva(pg) + keep, 0, PAGE_SIZE - keep);
	pg->flags &= ~PG_FAKE;
}

/* Take a failed or unwanted fresh page back out.  => object locked. */
static void
page_unread(struct uvm_vnode *uvn, struct vm_page *pg)
{
	uvm_obj_page_remove(&uvn->u_obj, pg);
	vm_page_unbusy(pg);             /* wakes whoever waited for it */
	vm_page_free(pg);
}

/*
 * The cluster is read (error 0) or not: fill in or take back its pages.
 * The read-around pages go unbusy to the active queue; the center stays
 * busy for the caller (or goes, on an error).  => object locked.
 */
static void
cluster_finish(struct uvm_vnode *uvn, struct uvn_cluster *c, struct vm_page *center,
    int error)
{
	for (int i = 0; i < c->n; i++) {
		struct vm_page *pg = c->pages[i];
		if (error != 0) {
			page_unread(uvn, pg);
			continue;
		}
		page_read_done(pg, c->segs[i].len, uvn->u_size);
		pg->flags |= PG_CLEAN;
		if (pg != center) {
			vm_page_unbusy(pg);
			vm_page_activate(pg);
		}
	}
}

/*
 * Read the center page pg (at bmap's daddr, in a run of run bytes) and
 * the cluster around it that advice asks for, reaching at least ahead
 * pages forward (the caller's window; the pages behind get what room is
 * left), in one request.  Short of memory, the window alone.
 *  => object locked on entry and return, released for bmap and the read;
 *     0, or -EIO / -EINVAL with pg gone from the object.
 */
static int
get_cluster(struct uvm_vnode *uvn, struct vm_page *pg, uint64_t daddr,
    size_t run, int advice, int ahead)
{
	struct uvn_cluster c;
	voff_t off = pg->offset, size = uvn->u_size;
	int max = cluster_max(uvn), nback, nforw, error;

	if (advice < 0 || advice > UVM_ADV_SEQUENTIAL)
		advice = UVM_ADV_NORMAL;
	nforw = MIN(MAX(uvn_advice[advice].nforw, ahead), max - 1);
	nback = MIN(uvn_advice[advice].nback, max - 1 - nforw);
	if (uvmexp.free < uvmexp.freemin + (uint64_t)max) {
		nback = 0;              /* memory is short: only what was asked */
		nforw = MIN(ahead, max - 1);
	}
	nforw = cluster_forw(off, run, size, nforw);
	mutex_exit(&uvn->u_obj.vmobjlock);
	nback = cluster_back(uvn, off, daddr, nback);
	mutex_enter(&uvn->u_obj.vmobjlock);
	/* A truncation while unlocked waited for pg (busy); recheck the end. */
	if (off >= uvn_end(uvn)) {
		page_unread(uvn, pg);
		return -EINVAL;
	}
	c.pages[0] = pg;
	cluster_gather(uvn, &c, nback, nforw);
	mutex_exit(&uvn->u_obj.vmobjlock);
	error = cluster_read(uvn, &c, off, daddr, run);
	mutex_enter(&uvn->u_obj.vmobjlock);
	cluster_finish(uvn, &c, pg, error);
	return error;
}

/*
 * Fill pg piece by piece (holes, scattered blocks, PGO_OVERWRITE): holes
 * zeroed, and with write access given blocks, which makes the page dirty;
 * a hole left makes it PG_RDONLY.  => object locked on entry and return,
 * released meanwhile; 0 or an error with pg gone from the object.
 */
static int
get_pieces(struct uvm_vnode *uvn, struct vm_page *pg, vm_prot_t access,
    int flags)
{
	struct page_walk w = { .read = !(flags & PGO_OVERWRITE),
		.alloc = (access & VM_PROT_WRITE) != 0 };
	voff_t off = pg->offset, size = uvn->u_size;
	int error;

	mutex_exit(&uvn->u_obj.vmobjlock);
	if (flags & PGO_OVERWRITE)
		pmap_zero_page(pg->phys_addr);
	error = page_walk(uvn, pg, off, page_valid(off, size), &w);
	mutex_enter(&uvn->u_obj.vmobjlock);
	if (off >= uvn_end(uvn))
		error = -EINVAL;        /* truncated meanwhile: nothing to keep */
	if (error != 0 && (!w.allocated || error == -EINVAL)) {
		page_unread(uvn, pg);
		return error;
	}
	page_read_done(pg, PAGE_SIZE, uvn->u_size);
	if (w.holes_left)
		pg->flags |= PG_RDONLY;
	if (w.allocated || (flags & PGO_OVERWRITE))
		pg->flags &= ~PG_CLEAN;         /* the disk has no copy yet */
	UVN_STAT(holes_zeroed, w.holes_met);
	UVN_STAT(get_pages, w.reads > 0);
	if (error != 0) {
		/* Some blocks allocated, then no space: keep the page (dirty,
		 * so the zeros reach them), fail the access. */
		vm_page_unbusy(pg);
		vm_page_activate(pg);
	}
	return error;
}

/*
 * A fresh busy page pg at its offset: read it in, with a cluster around
 * it when its bytes lie in one run, else piece by piece.
 *  => object locked on entry and return; 0 or an error with pg gone.
 */
static int
get_read_in(struct uvm_vnode *uvn, struct vm_page *pg, vm_prot_t access,
    int advice, int ahead, int flags)
{
	voff_t off = pg->offset;
	size_t valid = page_valid(off, uvn->u_size), run;
	uint64_t daddr;
	int error;

	mutex_exit(&uvn->u_obj.vmobjlock);
	error = uvn_bmap(uvn, off, false, &daddr, &run);
	mutex_enter(&uvn->u_obj.vmobjlock);
	if (error != 0) {
		page_unread(uvn, pg);
		return error;
	}
	if (daddr != UVN_HOLE && run >= valid && !(flags & PGO_OVERWRITE))
		return get_cluster(uvn, pg, daddr, run, advice, ahead);
	return get_pieces(uvn, pg, access, flags);
}

/*
 * A resident PG_RDONLY page is to be written: give its holes blocks
 * first.  => object locked on entry and return; pg busy (ours); 0 or
 * the allocation's error (-ENOSPC), pg then unbusied.
 */
static int
get_alloc_holes(struct uvm_vnode *uvn, struct vm_page *pg)
{
	struct page_walk w = { .alloc = true };
	voff_t off = pg->offset;
	size_t valid = page_valid(off, uvn->u_size);
	int error;

	mutex_exit(&uvn->u_obj.vmobjlock);
	error = page_walk(uvn, pg, off, valid, &w);
	mutex_enter(&uvn->u_obj.vmobjlock);
	if (error == 0 && off >= uvn_end(uvn))
		error = -EINVAL;        /* truncated meanwhile */
	if (w.allocated)
		pg->flags &= ~PG_CLEAN;
	if (!w.holes_left)
		pg->flags &= ~PG_RDONLY;
	if (error != 0)
		vm_page_unbusy(pg);
	return error;
}

/*
 * Without PGO_LOCKED: the page at off, busy, brought in if needed (with
 * at least the ahead pages after it, get_cluster).
 *  => object locked on entry and return (released while it sleeps).
 */
static int
get_page(struct uvm_vnode *uvn, voff_t off, vm_prot_t access, int advice,
    int ahead, int flags, struct vm_page **pgp)
{
	struct vm_page *pg;
	int error = 0;

	if (off < 0 || off >= uvn_end(uvn))
		return -EINVAL;
	pg = uvm_obj_page_lookup_unbusy(&uvn->u_obj, off, "uvnget");
	if (off >= uvn_end(uvn))
		return -EINVAL;         /* truncated while we waited */
	if (pg != NULL) {
		pg->flags |= PG_BUSY;
		if ((access & VM_PROT_WRITE) && (pg->flags & PG_RDONLY))
			error = get_alloc_holes(uvn, pg);
	} else if ((pg = vm_page_alloc(&uvn->u_obj, off, NULL, 0)) == NULL) {
		return -ENOMEM;
	} else {
		uvm_obj_page_insert(&uvn->u_obj, pg, off);
		error = get_read_in(uvn, pg, access, advice, ahead, flags);
	}
	if (error == 0)
		*pgp = pg;
	return error;
}

static int
uvn_get(struct uvm_object *uobj, voff_t offset, int centeridx,
    struct vm_page **pps, int *npagesp, vm_prot_t access_type, int advice,
    int flags)
{
	struct uvm_vnode *uvn = uvn_of(uobj);
	struct vm_page *pg = NULL;
	int error;

	KASSERT((offset & PAGE_MASK) == 0);
	KASSERT(centeridx >= 0 && centeridx < *npagesp);
	if (flags & PGO_LOCKED) {
		KASSERT(mutex_owned(&uobj->vmobjlock));
		return get_resident(uvn, offset, pps, npagesp, centeridx, access_type);
	}
	mutex_enter(&uobj->vmobjlock);
	error = get_page(uvn, offset + ((voff_t)centeridx << PAGE_SHIFT),
	    access_type, advice, *npagesp - 1 - centeridx, flags, &pg);
	mutex_exit(&uobj->vmobjlock);
	for (int i = 0; i < *npagesp; i++)
		pps[i] = i == centeridx ? pg : NULL;
	if (error == 0)
		*npagesp = 1;
	return error;
}

/* ------------------------------------------------------------------ */
/* Put: writing dirty pages back                                       */

/*
 * Make pg a write candidate if it is dirty: write-protect it first (a
 * store from now on faults, and waits while the page is busy), then move
 * the pmap's modified bit into PG_CLEAN.  => object locked; pg not busy.
 */
static bool
page_take_dirty(struct vm_page *pg)
{
	if (!page_dirty(pg))
		return false;
	pmap_page_protect(pg, VM_PROT_READ);
	pmap_clear_modify(pg);
	pg->flags &= ~PG_CLEAN;
	pg->flags |= PG_BUSY;
	return true;
}

/*
 * Busy the next run of dirty pages of [*from, stop) that follow each
 * other in the file, up to the cluster size.  A busy page ends a run;
 * before a run starts, it is waited for (wait) or passed by.
 *  => object locked (released while it waits); *from moves past what
 *     was looked at; returns the pages in c (0: nothing left).
 */
static int
put_gather(struct uvm_vnode *uvn, voff_t *from, voff_t stop, bool wait,
    struct uvn_cluster *c)
{
	struct vm_page *pg = page_at_or_after(uvn, *from), *next;
	int max = cluster_max(uvn);

	c->n = 0;
	for (; pg != NULL && pg->offset < stop && c->n < max; pg = next) {
		next = uvm_obj_page_next(&uvn->u_obj, pg);
		if (c->n > 0 && (pg->offset != c->start + ((voff_t)c->n << PAGE_SHIFT) ||
		    (pg->flags & PG_BUSY)))
			break;
		*from = pg->offset + PAGE_SIZE;
		if ((pg->flags & PG_BUSY) && wait) {
			voff_t off = pg->offset;
			vm_page_wait_busy(pg, &uvn->u_obj.vmobjlock, "uvnput");
			mutex_enter(&uvn->u_obj.vmobjlock);
			next = page_at_or_after(uvn, off);
			continue;
		}
		if ((pg->flags & PG_BUSY) || !page_take_dirty(pg)) {
			if (c->n > 0)
				break;
			continue;
		}
		if (c->n == 0)
			c->start = pg->offset;
		c->pages[c->n++] = pg;
	}
	return c->n;
}

/*
 * Write pages [i, i + n) of c, which lie in one disk run from daddr (for
 * the page at c->start + i pages), in one request; the last may be cut
 * by the run's end.  => no VM lock held; 0 or the disk's error.
 */
static int
put_write_run(struct uvm_vnode *uvn, struct uvn_cluster *c, int i, int n,
    uint64_t daddr, voff_t run_end)
{
	int error;

	for (int j = i; j < i + n; j++) {
		voff_t p = c->start + ((voff_t)j << PAGE_SHIFT);
		c->segs[j].pa = c->pages[j]->phys_addr;
		c->segs[j].len = (uint32_t)ROUND_UP(MIN((voff_t)PAGE_SIZE, run_end - p),
		    (voff_t)BLK_SECTOR);
	}
	error = blk_io(uvn->u_dev, BLK_WRITE, daddr / BLK_SECTOR, &c->segs[i], n);
	if (error != 0) {
		UVN_STAT(write_errors, 1);
		return error;
	}
	UVN_STAT(puts, 1);
	UVN_STAT(put_pages, n);
	return 0;
}

/* Write one page piece by piece (scattered blocks).  => no VM lock held. */
static int
put_write_pieces(struct uvm_vnode *uvn, struct vm_page *pg, voff_t off,
    size_t len)
{
	size_t done = 0, run, n;
	uint64_t daddr;
	int error = 0;

	while (error == 0 && done < len) {
		voff_t at = off + (voff_t)done;
		error = uvn_bmap(uvn, at, false, &daddr, &run);
		if (error == 0 && daddr == UVN_HOLE)
			error = uvn_bmap(uvn, at, true, &daddr, &run);
		if (error != 0)
			break;
		n = ROUND_UP(MIN(run, len - done), BLK_SECTOR);
		error = uvn_io1(uvn, BLK_WRITE, daddr, pg->phys_addr + done, n);
		UVN_STAT(write_errors, error != 0);
		UVN_STAT(puts, error == 0);
		done += n;
	}
	if (error == 0)
		UVN_STAT(put_pages, 1);
	return error;
}

/*
 * Write the cluster: page i's run from bmap (a hole gets its block now),
 * then every following page inside that run with it, one request per
 * run.  The bytes of the last page past size are zeroed first.
 *  => no VM lock held; c->error[] gets each page's outcome.
 */
static void
put_write(struct uvm_vnode *uvn, struct uvn_cluster *c, voff_t size)
{
	int i = 0, k;

	for (int j = 0; j < c->n; j++) {
		size_t valid = page_valid(c->pages[j]->offset, size);
		if (valid < PAGE_SIZE)
			memset((uint8_t *)vm_page_kva(c->pages[j]) + valid, 0,
			    PAGE_SIZE - valid);
	}
	while (i < c->n) {
		voff_t off = c->start + ((voff_t)i << PAGE_SHIFT);
		size_t valid = page_valid(off, size), run;
		uint64_t daddr;
		int error;
		error = uvn_bmap(uvn, off, false, &daddr, &run);
		if (error == 0 && daddr == UVN_HOLE)
			error = uvn_bmap(uvn, off, true, &daddr, &run);
		if (error == 0 && run < valid) {
			c->error[i] = put_write_pieces(uvn, c->pages[i], off, valid);
			i++;
			continue;
		}
		k = error != 0 ? i + 1 : i + 1 + cluster_forw(off, run, size, c->n - i - 1);
		if (error == 0)
			error = put_write_run(uvn, c, i, k - i, daddr, off + (voff_t)run);
		for (; i < k; i++)
			c->error[i] = error;
	}
}

/*
 * The write is over: written pages are clean (and have all their
 * blocks), failed ones stay dirty and the first error is recorded.
 *  => object locked; returns the first error.
 */
static int
put_finish(struct uvm_vnode *uvn, struct uvn_cluster *c)
{
	int first = 0;

	for (int i = 0; i < c->n; i++) {
		struct vm_page *pg = c->pages[i];
		if (c->error[i] == 0)
			pg->flags = (uint16_t)((pg->flags | PG_CLEAN) & ~PG_RDONLY);
		else if (first == 0)
			first = c->error[i];
		vm_page_unbusy(pg);
	}
	/* Out of memory (no buffer for bmap's metadata) is not the disk's
	 * fault: the pages stay dirty and a later write-back tries again,
	 * but nothing is recorded for fsync to report. */
	if (first != 0 && first != -ENOMEM && uvn->u_error == 0)
		uvn->u_error = first;
	return first;
}

/*
 * Write back the dirty pages of [start, stop) below the end of the file.
 *  => object locked on entry and return, released during each write;
 *     returns the first error (also recorded in u_error).
 */
static int
put_range(struct uvm_vnode *uvn, voff_t start, voff_t stop, bool wait)
{
	struct uvn_cluster c;
	int error = 0;

	stop = MIN(stop, uvn_end(uvn));
	while (start < stop && put_gather(uvn, &start, stop, wait, &c) > 0) {
		voff_t size = uvn->u_size;
		mutex_exit(&uvn->u_obj.vmobjlock);
		put_write(uvn, &c, size);
		mutex_enter(&uvn->u_obj.vmobjlock);
		int e = put_finish(uvn, &c);
		if (error == 0)
			error = e;
	}
	return error;
}

/*
 * pgo_put.  PGO_CLEANIT writes the dirty pages (busy ones passed by);
 * PGO_FREE then frees the range's unwired pages - with PGO_CLEANIT only
 * those that are clean now, so a failed write loses nothing.
 *  => object locked on entry and return, released during the writes.
 */
static int
uvn_put(struct uvm_object *uobj, voff_t start, voff_t stop, int flags)
{
	struct uvm_vnode *uvn = uvn_of(uobj);
	int error = 0;

	KASSERT(mutex_owned(&uobj->vmobjlock));
	if (flags & PGO_ALLPAGES) {
		start = 0;
		stop = UVN_PUT_ALL;
	}
	KASSERT((start & PAGE_MASK) == 0 && start >= 0);
	if (flags & PGO_CLEANIT)
		error = put_range(uvn, start, stop, false);
	if (flags & PGO_FREE)
		free_range(uvn, start, stop,
		    (flags & PGO_CLEANIT) ? FREE_CLEAN : FREE_ALL, false);
	return error;
}

int
uvn_flush(struct uvm_vnode *uvn, voff_t start, voff_t end, int flags)
{
	int error = 0;

	KASSERT(start >= 0 && (end == 0 || end >= start));
	start = ROUND_DOWN(start, (voff_t)PAGE_SIZE);
	mutex_enter(&uvn->u_obj.vmobjlock);
	if (end == 0)
		end = uvn_end(uvn);
	end = ROUND_UP(end, (voff_t)PAGE_SIZE);
	if (flags & (UVN_SYNC | UVN_ASYNC))
		error = put_range(uvn, start, end, (flags & UVN_SYNC) != 0);
	if (flags & UVN_INVALIDATE)
		free_range(uvn, start, end, FREE_CLEAN_UNMAPPED, false);
	mutex_exit(&uvn->u_obj.vmobjlock);
	return error;
}

int
uvn_take_error(struct uvm_vnode *uvn)
{
	int error;

	mutex_enter(&uvn->u_obj.vmobjlock);
	error = uvn->u_error;
	uvn->u_error = 0;
	mutex_exit(&uvn->u_obj.vmobjlock);
	return error;
}

/* ------------------------------------------------------------------ */
/* Size                                                                */

/*
 * Zero the bytes of page pg from byte from on (they are past the end of
 * the file now) and make it dirty, so the disk's copy loses them too.
 */
static void
page_zero_tail(struct vm_page *pg, size_t from)
{
	memset((uint8_t *)vm_page_kva(pg) + from, 0, PAGE_SIZE - from);
	pg->flags &= ~PG_CLEAN;
}

/*
 * The new last page, at off, whose bytes from byte from on are past the
 * end: read it in if it is not resident (its block still holds the old
 * bytes), then zero them.  A read error leaves the tail as it is.
 *  => object locked on entry and return, released meanwhile.
 */
static void
setsize_tail(struct uvm_vnode *uvn, voff_t off, size_t from)
{
	struct vm_page *pg = NULL;

	if (get_page(uvn, off, VM_PROT_READ, UVM_ADV_RANDOM, 0, 0, &pg) != 0)
		return;
	page_zero_tail(pg, from);
	vm_page_unbusy(pg);
	vm_page_activate(pg);
}

void
uvn_setsize(struct uvm_vnode *uvn, voff_t size)
{
	voff_t old;

	KASSERT(size >= 0);
	mutex_enter(&uvn->u_obj.vmobjlock);
	old = uvn->u_size;
	uvn->u_size = size;
	if (size < old) {
		free_range(uvn, uvn_end(uvn), UVN_PUT_ALL, FREE_ALL, true);
		if (size & PAGE_MASK)
			setsize_tail(uvn, ROUND_DOWN(size, (voff_t)PAGE_SIZE),
			    (size_t)(size & PAGE_MASK));
	} else if (size > old && (old & PAGE_MASK)) {
		/* Bytes a mapping stored past the old end are no file data. */
		struct vm_page *pg = uvm_obj_page_lookup_unbusy(&uvn->u_obj,
		    ROUND_DOWN(old, (voff_t)PAGE_SIZE), "uvnsize");
		if (pg != NULL && uvn->u_size > old)
			page_zero_tail(pg, (size_t)(old & PAGE_MASK));
	}
	mutex_exit(&uvn->u_obj.vmobjlock);
}

/* ------------------------------------------------------------------ */
/* Checker, printer, list                                              */

bool
uvn_is_vnode(const struct uvm_object *uobj)
{
	return uobj != NULL && uobj->pgops == &uvn_pager;
}

uint64_t
uvn_count(void)
{
	return uvn_nobjs;
}

/* One page: inside the file (or wired), filled unless busy. */
static int
check_page(const struct uvm_vnode *uvn, const struct vm_page *pg, kprint_fn pr)
{
	if ((pg->offset < uvn_end(uvn) || pg->wire_count > 0) &&
	    (!(pg->flags & PG_FAKE) || (pg->flags & PG_BUSY)))
		return 0;
	pr("uvn_check: uvn %p: page %#lx at offset %#lx, file size %#lx, "
	    "flags %#x\n", (const void *)uvn, pg->phys_addr, (uint64_t)pg->offset,
	    (uint64_t)uvn->u_size, pg->flags);
	return 1;
}

int
uvn_check(struct uvm_vnode *uvn, kprint_fn pr)
{
	const struct rb_node *n;
	int problems;

	if (uvn->u_obj.pgops != &uvn_pager) {
		pr("uvn_check: object %p is not a vnode object\n", (void *)uvn);
		return 1;
	}
	problems = uvm_obj_check(&uvn->u_obj, pr);
	if (uvn->u_size < 0 || uvn->u_ops == NULL || uvn->u_dev == NULL ||
	    uvn->u_error > 0) {
		pr("uvn_check: uvn %p: size %ld, ops %p, dev %p, error %d\n",
		    (void *)uvn, (int64_t)uvn->u_size, (const void *)uvn->u_ops,
		    (void *)uvn->u_dev, uvn->u_error);
		problems++;
	}
	if (problems != 0)
		return problems;        /* only a sound tree may be walked */
	RB_TREE_FOREACH(n, &uvn->u_obj.rb_pages)
		problems += check_page(uvn, container_of(n, struct vm_page, objt), pr);
	return problems;
}

int
uvn_check_all(kprint_fn pr)
{
	struct uvm_vnode *uvn;
	uint64_t n = 0;
	int problems = 0;

	if (!mutex_tryenter(&uvn_list_lock)) {
		pr("uvn_check_all: the vnode object list is locked\n");
		return 1;
	}
	TAILQ_FOREACH(uvn, &uvn_list, u_list) {
		n++;
		if (!mutex_tryenter(&uvn->u_obj.vmobjlock)) {
			pr("uvn_check_all: uvn %p is locked: not checked\n", (void *)uvn);
			problems++;
			continue;
		}
		problems += uvn_check(uvn, pr);
		mutex_exit(&uvn->u_obj.vmobjlock);
	}
	if (n != uvn_nobjs) {
		pr("uvn_check_all: %lu on the list, count says %lu\n", n, uvn_nobjs);
		problems++;
	}
	mutex_exit(&uvn_list_lock);
	return problems;
}

void
uvn_print(struct uvm_vnode *uvn, kprint_fn pr)
{
	pr("uvn %p: size %#lx on %s, mapping refs %d, pending error %d, owner %p\n",
	    (void *)uvn, (uint64_t)uvn->u_size, uvn->u_dev->name,
	    uvn->u_obj.uo_refs, uvn->u_error, uvn->u_owner);
	pr("  pager: %lu reads (%lu pages), %lu writes (%lu pages), %lu holes "
	    "zeroed, %lu blocks allocated, %lu write errors, %lu read errors\n",
	    uvn_stats.gets, uvn_stats.get_pages, uvn_stats.puts,
	    uvn_stats.put_pages, uvn_stats.holes_zeroed, uvn_stats.allocs,
	    uvn_stats.write_errors, uvn_stats.read_errors);
	uvm_obj_print(&uvn->u_obj, pr);
}
