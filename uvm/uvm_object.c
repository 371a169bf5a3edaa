/*
 * uvm/uvm_object.c - the part every memory object shares: its resident
 * pages, kept in a red-black tree ordered by offset.
 *
 * A pager (aobj today, file objects later) embeds a struct uvm_object at
 * the start of its own structure and keeps, in the tree, every page that
 * is in memory.  The fault handler asks "is offset X resident?" (a lookup,
 * O(log n)), or which of a window's offsets are (one descent, then a step
 * per page); detach and flush walk the pages in offset order (first/next).
 * The node is inside the page itself (vm_page.objt), so the tree never
 * allocates:
 *
 *   uobj {npages 4}      rb_pages
 *                           |
 *                     [pg off 0x5000]
 *                     /             \
 *          [pg off 0x1000]      [pg off 0x9000]
 *                    \
 *              [pg off 0x2000]
 *
 *   lookup(0x2000): 0x2000 < 0x5000 go left, > 0x1000 go right, found.
 *   first/next:     0x1000, 0x2000, 0x5000, 0x9000.
 *
 * Invariants (uvm_obj_check verifies them):
 *   - the tree is a valid red-black tree with no two pages at one offset;
 *   - every page in it has uobject == this object, the offset it is filed
 *     under (page aligned), no anon, and is not free;
 *   - uo_npages equals the number of pages in the tree.
 *
 * Lock order: the object's vmobjlock covers the tree, uo_npages and the
 * owner fields of its pages.  It comes after map and amap locks and before
 * the page-queue and free-list locks (vm_page_free may be called with it).
 */
#include "uvm/uvm_object.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "uvm/uvm_page.h"
#include "kern/lib/string.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_failalloc.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_pdaemon.h"

static struct vm_page *
node_page(const struct rb_node *n)
{
	return container_of(n, struct vm_page, objt);
}

static int
cmp_offsets(voff_t a, voff_t b)
{
	return a < b ? -1 : a > b;
}

static int
pages_compare(const struct rb_node *a, const struct rb_node *b)
{
	return cmp_offsets(node_page(a)->offset, node_page(b)->offset);
}

static int
page_key_compare(const struct rb_node *n, const void *key)
{
	return cmp_offsets(node_page(n)->offset, *(const voff_t *)key);
}

/* Pages carry no summary of their subtree, so no augment hook. */
static const struct rb_ops uvm_obj_rb_ops = {
	.compare_nodes = pages_compare,
	.compare_key = page_key_compare,
	.augment = NULL,
};

void
uvm_obj_init(struct uvm_object *uobj, const struct uvm_pagerops *ops, int refs,
    const char *name)
{
	mutex_init(&uobj->vmobjlock, name);
	uobj->pgops = ops;
	uobj->uo_refs = refs;
	uobj->uo_npages = 0;
	rb_tree_init(&uobj->rb_pages, &uvm_obj_rb_ops);
}

struct vm_page *
uvm_obj_page_lookup(struct uvm_object *uobj, voff_t offset)
{
	struct rb_node *n;

	KASSERT(mutex_owned(&uobj->vmobjlock));
	n = rb_tree_find(&uobj->rb_pages, &offset);
	return n == NULL ? NULL : node_page(n);
}

/*
 * A fault-around window asks for 16 neighbouring offsets.  Looked up one
 * by one that is 16 descents from the root, a compare callback at each
 * level (a 2 MiB library's object is 9-10 levels deep); its pages are
 * neighbours in the tree too, so one descent to the first page at or
 * after offset and a step to the next node for each page after it find
 * them all:
 *
 *   window 0x3000..0x6fff    tree: ... 0x2000 [0x3000] 0x5000 0x6000 0x9000
 *   find_le(0x3000) = 0x3000, next 0x5000, next 0x6000, next 0x9000 (past)
 *   pps = { 0x3000, NULL, 0x5000, 0x6000 }
 */
void
uvm_obj_page_lookup_run(struct uvm_object *uobj, voff_t offset,
    struct vm_page **pps, int n)
{
	voff_t end = offset + ((voff_t)n << PAGE_SHIFT);
	struct rb_node *node;

	KASSERT(mutex_owned(&uobj->vmobjlock));
	KASSERT((offset & PAGE_MASK) == 0 && n >= 0);
	node = rb_tree_find_le(&uobj->rb_pages, &offset);
	memset(pps, 0, (size_t)n * sizeof(*pps));
	if (node == NULL)
		node = rb_tree_first(&uobj->rb_pages);
	else if (node_page(node)->offset < offset)
		node = rb_tree_next(node);
	for (; node != NULL && node_page(node)->offset < end; node = rb_tree_next(node))
		pps[(node_page(node)->offset - offset) >> PAGE_SHIFT] = node_page(node);
}

struct vm_page *
uvm_obj_page_lookup_unbusy(struct uvm_object *uobj, voff_t offset,
    const char *wmesg)
{
	struct vm_page *pg;

	while ((pg = uvm_obj_page_lookup(uobj, offset)) != NULL &&
	    (pg->flags & PG_BUSY)) {
		vm_page_wait_busy(pg, &uobj->vmobjlock, wmesg);
		mutex_enter(&uobj->vmobjlock);
	}
	return pg;
}

void
uvm_obj_page_insert(struct uvm_object *uobj, struct vm_page *pg, voff_t offset)
{
	KASSERT(mutex_owned(&uobj->vmobjlock));
	KASSERT((offset & PAGE_MASK) == 0 && offset >= 0);
	KASSERT(pg->uanon == NULL);
	KASSERT((pg->pqflags & (PQ_FREE | PQ_RESERVED)) == 0);
	/* vm_page_alloc(uobj, offset, ...) names the owner before insertion. */
	KASSERT(pg->uobject == NULL ||
	    (pg->uobject == uobj && pg->offset == offset));
	pg->uobject = uobj;
	pg->offset = offset;
	if (rb_tree_insert(&uobj->rb_pages, &pg->objt) != &pg->objt)
		panic("uvm_obj_page_insert: object %p already has a page at %#lx",
		    (void *)uobj, (uint64_t)offset);
	uobj->uo_npages++;
}

void
uvm_obj_page_remove(struct uvm_object *uobj, struct vm_page *pg)
{
	KASSERT(mutex_owned(&uobj->vmobjlock));
	KASSERT(pg->uobject == uobj);
	KASSERT(uobj->uo_npages > 0);
	rb_tree_remove(&uobj->rb_pages, &pg->objt);
	uobj->uo_npages--;
	/* The page is nobody's now, until it is freed or inserted again. */
	pg->uobject = NULL;
	pg->offset = 0;
}

struct vm_page *
uvm_obj_page_first(struct uvm_object *uobj)
{
	struct rb_node *n;

	KASSERT(mutex_owned(&uobj->vmobjlock));
	n = rb_tree_first(&uobj->rb_pages);
	return n == NULL ? NULL : node_page(n);
}

struct vm_page *
uvm_obj_page_next(struct uvm_object *uobj, struct vm_page *pg)
{
	struct rb_node *n;

	KASSERT(mutex_owned(&uobj->vmobjlock));
	KASSERT(pg->uobject == uobj);
	n = rb_tree_next(&pg->objt);
	return n == NULL ? NULL : node_page(n);
}

/* One page in the tree: does it say it belongs where it was found? */
static int
check_page(const struct uvm_object *uobj, const struct vm_page *pg, kprint_fn pr)
{
	if (pg->uobject == uobj && pg->uanon == NULL &&
	    (pg->offset & PAGE_MASK) == 0 && pg->offset >= 0 &&
	    (pg->pqflags & (PQ_FREE | PQ_RESERVED)) == 0)
		return 0;
	pr("uvm_obj_check: object %p: page %#lx at offset %#lx says owner %p "
	    "anon %p pqflags %#x\n", (const void *)uobj, pg->phys_addr,
	    (uint64_t)pg->offset, (void *)pg->uobject, (void *)pg->uanon,
	    pg->pqflags);
	return 1;
}

int
uvm_obj_check(struct uvm_object *uobj, kprint_fn pr)
{
	const struct rb_node *n;
	size_t count = 0;
	int problems;

	/* The shape first: only a sound tree can be walked safely. */
	problems = rb_tree_check(&uobj->rb_pages, NULL, pr);
	if (problems != 0)
		return problems;
	RB_TREE_FOREACH(n, &uobj->rb_pages) {
		problems += check_page(uobj, node_page(n), pr);
		count++;
	}
	if (count != uobj->uo_npages) {
		pr("uvm_obj_check: object %p: %zu pages in the tree, uo_npages %zu\n",
		    (void *)uobj, count, uobj->uo_npages);
		problems++;
	}
	if (uobj->uo_refs < 0) {
		pr("uvm_obj_check: object %p: %d references\n", (void *)uobj,
		    uobj->uo_refs);
		problems++;
	}
	return problems;
}

/*
 * Where a write's bytes come from (kbuf, moved on as pages are done), or
 * where a read's go (the copy function).
 */
struct obj_io {
	const char *kbuf;
	uvm_obj_copy_fn copy;
	void *arg;
	bool write;
	int advice;
	voff_t end;             /* a read's window: it goes on up to here */
};

/* The most pages of a read's window one pgo_get is told of. */
#define OBJ_WINDOW_MAX 32

int
uvm_obj_copy_kbuf(void *arg, const void *src, size_t n)
{
	char **p = arg;

	if (src == NULL)
		memset(*p, 0, n);
	else
		memcpy(*p, src, n);
	*p += n;
	return 0;
}

/*
 * The pages from pgoff that a read still covers, its window for pgo_get
 * (a pager reading from a disk reads them in the same request): 1 for a
 * write, which may overwrite the pages after this one.
 */
static int
obj_window(const struct obj_io *io, voff_t pgoff)
{
	voff_t pages = (io->end - pgoff + PAGE_SIZE - 1) >> PAGE_SHIFT;

	if (io->write || pages < 1)
		return 1;
	return (int)MIN(pages, (voff_t)OBJ_WINDOW_MAX);
}

/* One page's part of obj_rdwr: n bytes at byte in of page pgoff. */
static int
obj_rdwr_page(struct uvm_object *uobj, voff_t pgoff, size_t in, size_t n,
    struct obj_io *io)
{
	struct vm_page *pps[OBJ_WINDOW_MAX], *pg;
	int npages = obj_window(io, pgoff);
	int flags = io->write && n == PAGE_SIZE ? PGO_OVERWRITE : 0;
	int error;

	if (!io->write)
		flags |= PGO_NOALLOC;
	pps[0] = NULL;
	error = uobj->pgops->pgo_get(uobj, pgoff, 0, pps, &npages,
	    io->write ? VM_PROT_WRITE : VM_PROT_READ, io->advice, flags);
	pg = pps[0];
	if (error == -ENOENT && !io->write)
		return io->copy(io->arg, NULL, n);  /* a hole: no page made */
	if (error != 0)
		return error;
	char *va = (char *)PHYS_TO_DMAP(pg->phys_addr) + in;
	if (io->write) {
		memcpy(va, io->kbuf, n);
		pg->flags &= ~PG_CLEAN;
	} else {
		error = io->copy(io->arg, va, n);
	}
	mutex_enter(&uobj->vmobjlock);
	vm_page_unbusy(pg);
	if (io->advice == UVM_ADV_SEQUENTIAL && !io->write)
		vm_page_deactivate(pg);         /* read once, in passing */
	else
		vm_page_activate(pg);
	mutex_exit(&uobj->vmobjlock);
	return error;
}

/* uvm_obj_rdwr and uvm_obj_read_to: the pages of [off, off + len) in turn. */
static int
obj_rdwr(struct uvm_object *uobj, voff_t off, size_t len, struct obj_io *io)
{
	while (len > 0) {
		voff_t pgoff = off & ~(voff_t)PAGE_MASK;
		size_t in = (size_t)(off - pgoff);
		size_t n = MIN(len, PAGE_SIZE - in);
		uint64_t injected = uvm_failalloc_injected();
		int error = obj_rdwr_page(uobj, pgoff, in, n, io);
		/* Short of memory: wait for the page daemon as a fault does,
		 * then try the page again - unless the failure was injected
		 * on purpose (uvm_failalloc.h) or the daemon found nothing. */
		if (error == -ENOMEM && injected == uvm_failalloc_injected() &&
		    uvm_wait("objmem") == 0)
			continue;
		if (error != 0)
			return error;
		if (io->write)
			io->kbuf += n;
		off += (voff_t)n;
		len -= n;
	}
	return 0;
}

int
uvm_obj_rdwr(struct uvm_object *uobj, voff_t off, void *kbuf, size_t len,
    bool write)
{
	char *p = kbuf;
	struct obj_io io = { .kbuf = kbuf, .write = write,
	    .advice = UVM_ADV_NORMAL, .copy = uvm_obj_copy_kbuf, .arg = &p,
	    .end = off + (voff_t)len };

	return obj_rdwr(uobj, off, len, &io);
}

int
uvm_obj_read_to(struct uvm_object *uobj, voff_t off, size_t len,
    size_t window, int advice, uvm_obj_copy_fn copy, void *arg)
{
	struct obj_io io = { .copy = copy, .arg = arg, .advice = advice,
	    .end = off + (voff_t)MAX(len, window) };

	return obj_rdwr(uobj, off, len, &io);
}

void
uvm_obj_print(struct uvm_object *uobj, kprint_fn pr)
{
	const struct rb_node *n;

	pr("uvm_object %p (%s): refs %d, %zu resident pages%s\n", (void *)uobj,
	    uobj->pgops != NULL ? uobj->pgops->pgo_name : "no pager",
	    uobj->uo_refs, uobj->uo_npages,
	    mutex_owned(&uobj->vmobjlock) ? ", locked" : "");
	RB_TREE_FOREACH(n, &uobj->rb_pages) {
		const struct vm_page *pg = node_page(n);
		pr("  off %#10lx  page %#lx%s%s\n", (uint64_t)pg->offset,
		    pg->phys_addr, (pg->flags & PG_BUSY) ? " busy" : "",
		    (pg->flags & PG_CLEAN) ? " clean" : "");
	}
}
