/*
 * uvm/uvm_page.c - the physical page layer: boot-time page stealing, the
 * vm_page arrays, the free list, contiguous allocation and the paging
 * queues.  See uvm_page.h for the structure and its ownership rules.
 *
 * Life of a page:
 *
 *          vm_page_alloc                 vm_page_activate
 *   FREE  --------------->  owned, busy  ----------------->  ACTIVE <--+
 *    ^                      (no queue)                       |         |
 *    |                                      vm_page_deactivate|  reference
 *    |         vm_page_free                                   v         |
 *    +------------------------------------------------------ INACTIVE --+
 *
 * A wired page is on no queue at all; unwiring it makes it active again.
 *
 * The free list is kept by 2 MiB frame.  Every 2 MiB of physical memory
 * (512 pages, the size of one PDE mapping) has a struct vm_frame with its
 * own list of free pages and their count.  A frame with all 512 on its
 * list is WHOLE and sits on whole_frames; one with some on
 * partial_frames; one with none on neither:
 *
 *   whole_frames:    [0x7e00000: 512] -> [0x7c00000: 512] -> ...
 *   partial_frames:  [0x0400000: 3] -> [0x0000000: 158] -> ...
 *                        |
 *                        +-> 0x401000 0x402000 0x405000   (its free pages)
 *
 *   4 KiB page      the head page of the first partial frame; only when
 *                   no frame is partial is a whole one broken (split)
 *   2 MiB page      a whole frame, all 512 at once (vm_page_alloc_large)
 *   freed page      back to its own frame's list; the frame's 512th free
 *                   page makes it whole again (no search: the count says)
 *
 * Taking from partial frames first is what keeps the others whole:
 * long-lived small pages (page tables, pool pages, a daemon's memory) pile
 * into frames already broken instead of one here and one there across
 * all of memory, and a frame whose pages all come back is one large page
 * again.  (FreeBSD's reservations and a buddy allocator of two orders
 * are the same idea.)  A frame becomes partial at the head of its list,
 * so the frame a run of frees has just started to refill is the next one
 * allocations take from; frames at the edges of a RAM range, or holding
 * reserved pages, have fewer than 512 pages to give and are never whole.
 * Boot puts the highest frames first, so low memory is broken last.
 *
 * Inside a frame, a freed page joins a free physical neighbour on the
 * frame's list (free_list_insert), so allocations get pages in physical
 * order.  Everything is O(1) a page: a page finds its frame by its
 * address, a frame changes list when its count crosses 0, 1 or 512.
 *
 * In front of the free list each CPU keeps a small cache of free pages
 * (uvm_pgcache.c): allocations try it first and frees go to it, so the
 * common case takes no lock; the list's lock is taken to refill or
 * drain a cache in batches.  Boot with pgcache=0 for the list alone.
 * A cached page is off its frame's list: the frame is not whole while
 * one of its pages waits in a cache (vm_page_free_large bypasses them).
 *
 * Invariants (vm_page_check verifies them):
 *   - a page is free  <=>  pqflags has PQ_FREE: on its frame's list when
 *     pqflags == PQ_FREE, in a CPU's cache with PQ_CPUCACHE as well;
 *   - a free page has no owner, no wirings and no mappings;
 *   - uvmexp.free = the lists' pages (free_list_len) + the caches';
 *   - a frame's nfree = the length of its list; it is on whole_frames
 *     iff nfree == 512, on partial_frames iff 0 < nfree < 512;
 *     uvmexp.frames_whole = the length of whole_frames;
 *   - uvmexp.active/inactive equal the lengths of their lists;
 *   - uvmexp.wired equals the number of pages with wire_count > 0;
 *   - PQ_RESERVED pages are never on any list and never change.
 *
 * Lock order: uvm_pageq_lock (queues) before uvm_free_lock (free list,
 * the frames, their lists and counters); the per-CPU caches are no lock
 * (uvm_pgcache.c says what keeps them).
 */
#include "uvm/uvm_page.h"
#include "kern/lib/errno.h"
#include "kern/core/sleep.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_failalloc.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_pdaemon.h"
#include "uvm/uvm_pgcache.h"
#include "uvm/uvm_thp.h"

struct uvmexp uvmexp;
struct spinlock uvm_free_lock = SPINLOCK_INIT("uvm_free");
struct spinlock uvm_pageq_lock = SPINLOCK_INIT("uvm_pageq");

/*
 * One 2 MiB frame's free pages (the opening comment).  Its pages are
 * first[0 .. npages): 512 of them, fewer at the edge of a RAM range.
 */
struct vm_frame {
	TAILQ_ENTRY(vm_frame) link;     /* on whole_frames or partial_frames */
	struct pglist pages;            /* its pages on the free list */
	struct vm_page *first;
	uint16_t npages;
	uint16_t nfree;                 /* length of pages */
	uint8_t where;                  /* FRAME_NONE, _PARTIAL or _WHOLE */
};
TAILQ_HEAD(framelist, vm_frame);

#define FRAME_NONE 0
#define FRAME_PARTIAL 1
#define FRAME_WHOLE 2
#define FRAME_ORDER (VM_LARGE_SHIFT - PAGE_SHIFT)   /* page frame >> it */

/* One array of vm_pages per usable range of RAM, and its frames. */
struct vm_physseg {
	uint64_t start_frame;
	uint64_t end_frame;         /* exclusive */
	struct vm_page *pages;
	struct vm_frame *frames;    /* [i]: 2 MiB frame (start_frame >> 9) + i */
	uint64_t nframes;
};

#define MAX_RESERVED 32

static struct vm_physseg physsegs[MEMMAP_MAX_RANGES];
static int nphysseg;
static struct vm_physseg *seg_of_hint;  /* the largest (set at boot) */
static struct framelist whole_frames = { NULL, &whole_frames.tqh_first };
static struct framelist partial_frames = { NULL, &partial_frames.tqh_first };
static uint64_t free_list_len;  /* pages on frames' lists (uvm_free_lock) */
static struct pglist active_list = { NULL, &active_list.tqh_first };
static struct pglist inactive_list = { NULL, &inactive_list.tqh_first };

/* Boot state: RAM, what is reserved, and what has been stolen. */
static struct memmap boot_mm;
static struct phys_range reserved[MAX_RESERVED];
static int nreserved;
static paddr_t steal_top;       /* stealing goes downwards from here */
static bool bootstrapped;

static void
add_reserved(paddr_t start, paddr_t end)
{
	start = ROUND_DOWN(start, PAGE_SIZE);
	end = ROUND_UP(end, PAGE_SIZE);
	/* Merge with the previous steal when they touch (the common case). */
	if (nreserved > 0 && reserved[nreserved - 1].start == end) {
		reserved[nreserved - 1].start = start;
		return;
	}
	if (nreserved == MAX_RESERVED)
		panic("vm_page: more than %d reserved ranges", MAX_RESERVED);
	reserved[nreserved].start = start;
	reserved[nreserved].end = end;
	nreserved++;
}

/* The reserved range overlapping [start, end), or NULL. */
static const struct phys_range *
find_reserved(paddr_t start, paddr_t end)
{
	for (int i = 0; i < nreserved; i++) {
		if (reserved[i].start < end && start < reserved[i].end)
			return &reserved[i];
	}
	return NULL;
}

void
vm_page_boot_init(const struct memmap *mm, const struct phys_range *res, int nres)
{
	boot_mm = *mm;
	for (int i = 0; i < nres; i++)
		add_reserved(res[i].start, res[i].end);
	add_reserved(0, PAGE_SIZE);     /* page 0: keep null pointers null */
	steal_top = 4ULL << 30;
}

paddr_t
vm_page_boot_steal(size_t npages)
{
	size_t size = npages * PAGE_SIZE;

	KASSERT(!bootstrapped);
	/* Highest fit below steal_top: walk ranges from the top down. */
	for (int i = boot_mm.n - 1; i >= 0; i--) {
		paddr_t top = MIN(boot_mm.r[i].end, steal_top);
		while (top >= boot_mm.r[i].start + size) {
			const struct phys_range *r = find_reserved(top - size, top);
			if (r == NULL) {
				paddr_t pa = top - size;
				add_reserved(pa, top);
				steal_top = pa;
				memset(PHYS_TO_DMAP(pa), 0, size);
				return pa;
			}
			top = r->start;
		}
	}
	panic("vm_page_boot_steal: no room for %zu pages below 4 GiB", npages);
}

static bool
is_reserved(paddr_t pa)
{
	return find_reserved(pa, pa + PAGE_SIZE) != NULL;
}

/*
 * Put frame f on the list its count calls for (whole, partial, neither).
 * A frame that changes list goes to the head of the new one.
 *  => uvm_free_lock held (or boot, one CPU).
 */
static __attribute__((noinline)) void
frame_file(struct vm_frame *f)
{
	uint8_t want = f->nfree == VM_LARGE_PAGES ? FRAME_WHOLE :
	    f->nfree > 0 ? FRAME_PARTIAL : FRAME_NONE;

	if (want == f->where)
		return;
	if (f->where == FRAME_WHOLE) {
		TAILQ_REMOVE(&whole_frames, f, link);
		uvmexp.frames_whole--;
	} else if (f->where == FRAME_PARTIAL) {
		TAILQ_REMOVE(&partial_frames, f, link);
	}
	if (want == FRAME_WHOLE) {
		TAILQ_INSERT_HEAD(&whole_frames, f, link);
		uvmexp.frames_whole++;
	} else if (want == FRAME_PARTIAL) {
		TAILQ_INSERT_HEAD(&partial_frames, f, link);
	}
	f->where = want;
}

/* Set up frame i of seg: its pages, an empty list. */
static void
init_frame(struct vm_physseg *seg, uint64_t i)
{
	struct vm_frame *f = &seg->frames[i];
	uint64_t lo = ((seg->start_frame >> FRAME_ORDER) + i) << FRAME_ORDER;
	uint64_t hi = lo + VM_LARGE_PAGES;

	lo = MAX(lo, seg->start_frame);
	hi = MIN(hi, seg->end_frame);
	TAILQ_INIT(&f->pages);
	f->first = &seg->pages[lo - seg->start_frame];
	f->npages = (uint16_t)(hi - lo);
	f->nfree = 0;
	f->where = FRAME_NONE;
}

/*
 * Every page of seg: reserved, or free on its frame's list in physical
 * order (upwards); then each frame filed.  Frames go in upwards too, each
 * at the head of its list, so the highest are handed out first.
 */
static void
init_segment(struct vm_physseg *seg)
{
	for (uint64_t i = 0; i < seg->nframes; i++)
		init_frame(seg, i);
	for (uint64_t f = seg->start_frame; f < seg->end_frame; f++) {
		struct vm_page *pg = &seg->pages[f - seg->start_frame];
		struct vm_frame *fr = &seg->frames[(f >> FRAME_ORDER) -
		    (seg->start_frame >> FRAME_ORDER)];
		pg->phys_addr = f << PAGE_SHIFT;
		uvmexp.npages++;
		if (is_reserved(pg->phys_addr)) {
			pg->pqflags = PQ_RESERVED;
			uvmexp.reserved++;
			continue;
		}
		pg->pqflags = PQ_FREE;
		TAILQ_INSERT_TAIL(&fr->pages, pg, pageq);
		fr->nfree++;
		uvmexp.free++;
		free_list_len++;
	}
	for (uint64_t i = 0; i < seg->nframes; i++)
		frame_file(&seg->frames[i]);
}

/* Steal seg's vm_page array and frame array (boot, before any is filled). */
static void
steal_segment_arrays(struct vm_physseg *seg, paddr_t start, paddr_t end)
{
	size_t n = (end - start) >> PAGE_SHIFT;
	size_t bytes = ROUND_UP(n * sizeof(struct vm_page), PAGE_SIZE);

	seg->start_frame = start >> PAGE_SHIFT;
	seg->end_frame = end >> PAGE_SHIFT;
	seg->pages = PHYS_TO_DMAP(vm_page_boot_steal(bytes / PAGE_SIZE));
	seg->nframes = n == 0 ? 0 : ((seg->end_frame - 1) >> FRAME_ORDER) -
	    (seg->start_frame >> FRAME_ORDER) + 1;
	bytes = ROUND_UP(seg->nframes * sizeof(struct vm_frame), PAGE_SIZE);
	seg->frames = bytes == 0 ? NULL :
	    PHYS_TO_DMAP(vm_page_boot_steal(bytes / PAGE_SIZE));
}

void
vm_page_bootstrap(void)
{
	KASSERT(!bootstrapped);
	/* Steal every array first, so each is reserved before any is filled. */
	for (int i = 0; i < boot_mm.n; i++)
		steal_segment_arrays(&physsegs[nphysseg++], boot_mm.r[i].start,
		    boot_mm.r[i].end);
	bootstrapped = true;
	vm_pgcache_init();
	for (int i = 0; i < nphysseg; i++) {
		struct vm_physseg *seg = &physsegs[i];
		init_segment(seg);
		if (seg_of_hint == NULL || seg->end_frame - seg->start_frame >
		    seg_of_hint->end_frame - seg_of_hint->start_frame)
			seg_of_hint = seg;
	}
}

struct vm_page *
vm_page_from_phys(paddr_t pa)
{
	uint64_t f = pa >> PAGE_SHIFT;

	for (int i = 0; i < nphysseg; i++) {
		if (f >= physsegs[i].start_frame && f < physsegs[i].end_frame)
			return &physsegs[i].pages[f - physsegs[i].start_frame];
	}
	return NULL;
}

void *
vm_page_kva(const struct vm_page *pg)
{
	return PHYS_TO_DMAP(pg->phys_addr);
}

static bool
seg_holds(const struct vm_physseg *seg, const struct vm_page *pg)
{
	return pg >= seg->pages && pg < seg->pages + (seg->end_frame - seg->start_frame);
}

/*
 * The segment whose array holds pg (a managed page: panics if not); the
 * largest segment, where nearly every page is, is tried first.
 */
static struct vm_physseg *
seg_of(const struct vm_page *pg)
{
	if (seg_of_hint != NULL && seg_holds(seg_of_hint, pg))
		return seg_of_hint;
	for (int i = 0; i < nphysseg; i++) {
		if (seg_holds(&physsegs[i], pg))
			return &physsegs[i];
	}
	panic("vm_page: %p is no managed page", (const void *)pg);
}

/* The frame of pg, which is in seg. */
static struct vm_frame *
frame_in(const struct vm_physseg *seg, const struct vm_page *pg)
{
	return &seg->frames[(pg->phys_addr >> VM_LARGE_SHIFT) -
	    (seg->start_frame >> FRAME_ORDER)];
}

/*
 * Take pg off its frame f's list (still PQ_FREE); a whole frame so
 * broken counts as split.  => uvm_free_lock held.
 */
static void
frame_unlink(struct vm_frame *f, struct vm_page *pg)
{
	KASSERT(pg->pqflags == PQ_FREE && f->nfree > 0);
	if (f->where == FRAME_WHOLE)
		uvmexp.frames_split++;
	TAILQ_REMOVE(&f->pages, pg, pageq);
	f->nfree--;
	free_list_len--;
	if (f->nfree == 0 || f->nfree == VM_LARGE_PAGES - 1)
		frame_file(f);      /* it changes list only at these counts */
}

/* Take pg off the free list (still PQ_FREE).  => uvm_free_lock held. */
static void
freelist_remove(struct vm_page *pg)
{
	frame_unlink(frame_in(seg_of(pg), pg), pg);
}

/* Take pg off the free list for an allocation.  => uvm_free_lock held. */
static void
take_free_page(struct vm_page *pg)
{
	freelist_remove(pg);
	pg->pqflags = 0;
	UVMEXP_ADD(free, -1);
}

/*
 * Hand a page just taken (from the list or a cache, pqflags 0, counted
 * out of uvmexp.free) to its owner.  No lock: the page is the caller's.
 */
static void
hand_out_page(struct vm_page *pg, struct uvm_object *obj, voff_t off,
    struct vm_anon *anon)
{
	KASSERT(pg->pqflags == 0);
	if (pg->flags & PG_ZERO)
		UVMEXP_ADD(zeropages, -1);
	pg->flags = PG_BUSY | PG_FAKE | PG_CLEAN;
	pg->uobject = obj;
	pg->offset = off;
	pg->uanon = anon;
	pg->wire_count = 0;
	pg->md.attrs = 0;
	pg->md.ptp_count = 0;
}

struct vm_page *
vm_page_freelist_get(void)
{
	struct vm_frame *f = TAILQ_FIRST(&partial_frames);
	struct vm_page *pg;

	KASSERT(spin_held(&uvm_free_lock));
	if (f == NULL)
		f = TAILQ_FIRST(&whole_frames);
	if (f == NULL)
		return NULL;
	pg = TAILQ_FIRST(&f->pages);
	frame_unlink(f, pg);
	return pg;
}

uint64_t
vm_page_freelist_count(void)
{
	return free_list_len;
}

/* Zero the n pages at pgs if flags asks it, counted in one add. */
static void
zero_if_asked(struct vm_page *const *pgs, int n, int flags)
{
	if (!(flags & VM_PAGE_ZERO) || n == 0)
		return;
	for (int i = 0; i < n; i++)
		pmap_zero_page(pgs[i]->phys_addr);
	UVMEXP_ADD(pga_zeroed, n);      /* outside uvm_free_lock */
}

/* zero_if_asked for the n pages of a physical run from run[0]. */
static void
zero_run_if_asked(struct vm_page *run, size_t n, int flags)
{
	if (!(flags & VM_PAGE_ZERO))
		return;
	for (size_t i = 0; i < n; i++)
		pmap_zero_page(run[i].phys_addr);
	UVMEXP_ADD(pga_zeroed, n);
}

/*
 * How many of n pages failure injection lets through: the run stops at
 * the first page it fails (none with VM_PAGE_NOFAIL).
 */
static int
alloc_injected_limit(int n, int flags)
{
	if ((flags & VM_PAGE_NOFAIL) || !uvm_failalloc_on())
		return n;               /* one look for the run while it is off */
	for (int i = 0; i < n; i++) {
		if (uvm_failalloc_hit(UVM_FAILALLOC_PAGE))
			return i;
	}
	return n;
}

/*
 * Up to n pages off the free list: partial frames first, then a whole
 * one broken (vm_page_freelist_get).  => uvm_free_lock held.
 */
static int
take_from_list(struct vm_page **pgs, int n, bool owned)
{
	int got = 0;

	while (got < n && !(owned && uvmexp.free <= uvmexp.reserve)) {
		struct vm_page *pg = vm_page_freelist_get();
		if (pg == NULL)
			break;
		pg->pqflags = 0;
		UVMEXP_ADD(free, -1);
		pgs[got++] = pg;
	}
	return got;
}

/*
 * The slow path: up to n pages from the free list, under its lock.  An
 * empty list while pages are free means they sit in CPUs' caches: steal
 * them all back and look again (no false "out of memory").  A success
 * tops this CPU's cache up for the next allocations.
 */
static int
alloc_from_list(struct vm_page **pgs, int n, bool owned)
{
	int got;

	spin_lock(&uvm_free_lock);
	got = take_from_list(pgs, n, owned);
	if (got < n && free_list_len == 0 && uvmexp.free > 0 &&
	    vm_pgcache_steal_locked() > 0)
		got += take_from_list(pgs + got, n - got, owned);
	if (got < n)
		uvmexp.pga_fail++;
	else
		vm_pgcache_refill_locked();
	spin_unlock(&uvm_free_lock);
	return got;
}

/*
 * Take up to n free pages, this CPU's cache first, then the free list
 * under one lock; anons[i], when anons is given, owns page i.  The page
 * daemon is woken when free pages run short.  Returns how many.
 */
static int
alloc_pages(struct vm_page **pgs, int n, struct uvm_object *obj, voff_t off,
    struct vm_anon *const *anons, int flags)
{
	bool owned = obj != NULL || anons != NULL;
	int got, limit = alloc_injected_limit(n, flags);

	got = vm_pgcache_take(pgs, limit, owned);
	if (got < limit)
		got += alloc_from_list(pgs + got, limit - got, owned);
	if (got < limit || uvmexp.free < uvmexp.freemin)
		uvm_pdaemon_wake();
	for (int i = 0; i < got; i++)
		hand_out_page(pgs[i], obj, off, anons != NULL ? anons[i] : NULL);
	UVMEXP_ADD(pga_alloc, got);
	zero_if_asked(pgs, got, flags);
	return got;
}

struct vm_page *
vm_page_alloc(struct uvm_object *obj, voff_t off, struct vm_anon *anon, int flags)
{
	struct vm_page *pg;

	KASSERT(obj == NULL || anon == NULL);
	if (alloc_pages(&pg, 1, obj, off, anon != NULL ? &anon : NULL, flags) != 1)
		return NULL;
	return pg;
}

struct vm_page *
vm_page_alloc_kernel(int flags)
{
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, flags);

	if (pg != NULL)
		pg->flags &= ~(PG_BUSY | PG_FAKE);
	return pg;
}

int
vm_page_alloc_anons(struct vm_page **pgs, struct vm_anon *const *anons, int n,
    int flags)
{
	return alloc_pages(pgs, n, NULL, 0, anons, flags);
}

/*
 * pg's physical neighbour d pages away (+1 or -1) when it is in the same
 * RAM range and the same 2 MiB frame, else NULL.
 */
static struct vm_page *
frame_neighbour(const struct vm_physseg *seg, struct vm_page *pg, int d)
{
	uint64_t f = (pg->phys_addr >> PAGE_SHIFT) + (uint64_t)(int64_t)d;

	if (f < seg->start_frame || f >= seg->end_frame ||
	    (f >> FRAME_ORDER) != (pg->phys_addr >> VM_LARGE_SHIFT))
		return NULL;
	return pg + d;
}

/*
 * Where a freed page goes on its frame's list - next to a free physical
 * neighbour when it has one:
 *
 *   1. at the head, when the head is its neighbour (a page allocated and
 *      freed again comes straight back, as from a stack);
 *   2. else right after the page below it, if that one is on the list;
 *   3. else right before the page above it, if that one is on the list;
 *   4. else at the head.
 *
 *   frame's list:  0xc000 ... 0x5000 0x6000 0x7000 ...  vm_page_free(0x8000)
 *              ->  0xc000 ... 0x5000 0x6000 0x7000 0x8000 ...     (rule 2)
 *
 * Without it, pages come back in whatever order their owners freed them,
 * and after a while of mapping and unmapping a region's pages, though
 * still in the same few 2 MiB frames, lie in shuffled order.  Reading
 * such a region under QEMU costs more and suffers more from the host's
 * cache pressure than reading one in physical order (vmbench, the two
 * read in turns in one boot: 11-12 against 10-11 cycles a page when the
 * host is calm, 14-32 against 12-15 when it is not; docs/performance.md).
 * Faults take pages from the head, so a run kept together comes back out
 * in order, upwards or downwards.  Costs two array lookups per free.
 */
static void
free_list_insert(struct vm_physseg *seg, struct vm_frame *f, struct vm_page *pg)
{
	struct vm_page *below = frame_neighbour(seg, pg, -1);
	struct vm_page *above = frame_neighbour(seg, pg, 1);
	struct vm_page *head = TAILQ_FIRST(&f->pages);

	if (head != NULL && (head == below || head == above))
		TAILQ_INSERT_HEAD(&f->pages, pg, pageq);
	else if (below != NULL && below->pqflags == PQ_FREE)
		TAILQ_INSERT_AFTER(&f->pages, below, pg, pageq);
	else if (above != NULL && above->pqflags == PQ_FREE)
		TAILQ_INSERT_BEFORE(above, pg, pageq);
	else
		TAILQ_INSERT_HEAD(&f->pages, pg, pageq);
}

/* Clear an unowned, unmapped, unqueued page's fields for freeing. */
static void
clear_free_page(struct vm_page *pg)
{
	KASSERT((pg->pqflags & (PQ_FREE | PQ_RESERVED)) == 0);
	KASSERT(pg->md.pv_list == NULL && pg->md.pv_own.pv_pmap == NULL);
	KASSERT(pg->wire_count == 0);
	pg->uobject = NULL;
	pg->uanon = NULL;
	pg->offset = 0;
	pg->flags = 0;
	pg->md.attrs = 0;
}

/*
 * Put a cleared page on its frame's list; the frame's 512th makes it
 * whole.  => uvm_free_lock held.
 */
static void
freelist_add(struct vm_page *pg)
{
	struct vm_physseg *seg = seg_of(pg);
	struct vm_frame *f = frame_in(seg, pg);

	free_list_insert(seg, f, pg);
	pg->pqflags = PQ_FREE;
	f->nfree++;
	free_list_len++;
	if (f->nfree == 1 || f->nfree == VM_LARGE_PAGES)
		frame_file(f);      /* it changes list only at these counts */
}

void
vm_page_freelist_put(struct vm_page *pg)
{
	KASSERT(spin_held(&uvm_free_lock));
	KASSERT(pg->pqflags == (PQ_FREE | PQ_CPUCACHE));
	pg->pqflags = 0;
	freelist_add(pg);
}

/*
 * Make an allocated page ready for the free list: off its paging queue,
 * its wirings dropped, its fields cleared.  Panics on a page already
 * free or reserved.
 */
static void
free_prepare(struct vm_page *pg)
{
	if (pg->pqflags & PQ_FREE)
		panic("vm_page_free: page %#lx is already free", pg->phys_addr);
	if (pg->pqflags & PQ_RESERVED)
		panic("vm_page_free: page %#lx is reserved", pg->phys_addr);
	vm_page_dequeue(pg);
	/* A wired kernel page (a page table, say) may be freed directly:
	 * dropping its wiring here keeps it off the active queue. */
	if (pg->wire_count > 0) {
		spin_lock(&uvm_pageq_lock);
		pg->wire_count = 0;
		uvmexp.wired--;
		spin_unlock(&uvm_pageq_lock);
	}
	clear_free_page(pg);
}

void
vm_page_free(struct vm_page *pg)
{
	free_prepare(pg);
	if (vm_pgcache_put(pg))
		return;
	spin_lock(&uvm_free_lock);
	vm_pgcache_drain_locked();      /* this CPU's cache, when full */
	freelist_add(pg);
	UVMEXP_ADD(free, 1);
	spin_unlock(&uvm_free_lock);
}

/* Are the n pages from pg on all free and below max_pa? */
static bool
run_is_free(const struct vm_page *pg, size_t n, paddr_t max_pa)
{
	if (pg[n - 1].phys_addr + PAGE_SIZE > max_pa)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (pg[i].pqflags != PQ_FREE)
			return false;
	}
	return true;
}

/*
 * First aligned free run of n pages in seg below max_pa, or NULL.  A 2 MiB
 * frame with no page on the free list starts no run: skipped whole.
 *  => uvm_free_lock held.
 */
static struct vm_page *
find_run(struct vm_physseg *seg, size_t n, paddr_t align, paddr_t max_pa)
{
	uint64_t step = align >> PAGE_SHIFT;
	uint64_t f = ROUND_UP(seg->start_frame, step);

	while (f + n <= seg->end_frame) {
		struct vm_page *pg = &seg->pages[f - seg->start_frame];
		if (pg->phys_addr >= max_pa)
			break;
		if (frame_in(seg, pg)->nfree == 0) {
			f = ROUND_UP((f | (VM_LARGE_PAGES - 1)) + 1, step);
			continue;
		}
		if (run_is_free(pg, n, max_pa))
			return pg;
		f += step;
	}
	return NULL;
}

/* The first run in any segment, or NULL.  => uvm_free_lock held. */
static struct vm_page *
find_run_any(size_t n, paddr_t align, paddr_t max_pa)
{
	struct vm_page *run = NULL;

	for (int i = 0; i < nphysseg && run == NULL; i++)
		run = find_run(&physsegs[i], n, align, max_pa);
	return run;
}

int
vm_page_alloc_contig(size_t npages, paddr_t align, paddr_t max_pa, int flags,
    struct vm_page **first)
{
	struct vm_page *run;

	if (npages == 0 || align < PAGE_SIZE || (align & (align - 1)) != 0)
		return -EINVAL;
	if (!(flags & VM_PAGE_NOFAIL) && uvm_failalloc_hit(UVM_FAILALLOC_PAGE))
		return -ENOMEM;
	spin_lock(&uvm_free_lock);
	run = find_run_any(npages, align, max_pa);
	/* Cached pages are not on the list: a run may need them back. */
	if (run == NULL && free_list_len < uvmexp.free && vm_pgcache_steal_locked() > 0)
		run = find_run_any(npages, align, max_pa);
	if (run == NULL) {
		uvmexp.pga_fail++;
		spin_unlock(&uvm_free_lock);
		return -ENOMEM;
	}
	for (size_t i = 0; i < npages; i++)
		take_free_page(&run[i]);
	spin_unlock(&uvm_free_lock);
	for (size_t i = 0; i < npages; i++)
		hand_out_page(&run[i], NULL, 0, NULL);
	zero_run_if_asked(run, npages, flags);
	UVMEXP_ADD(pga_alloc, npages);
	*first = run;
	return 0;
}

void
vm_page_free_contig(struct vm_page *first, size_t npages)
{
	for (size_t i = 0; i < npages; i++)
		vm_page_free(&first[i]);
}

/*
 * A whole frame off whole_frames, its 512 pages taken (pqflags 0, out of
 * uvmexp.free); NULL when none is whole or free pages would fall below
 * the reserve plus one large page.  => uvm_free_lock held.
 */
static struct vm_page *
take_whole_frame(void)
{
	struct vm_frame *f = TAILQ_FIRST(&whole_frames);
	uint64_t free = __atomic_load_n(&uvmexp.free, __ATOMIC_RELAXED);

	if (f == NULL || free < uvmexp.reserve + 2 * VM_LARGE_PAGES)
		return NULL;
	for (size_t i = 0; i < VM_LARGE_PAGES; i++) {
		KASSERT(f->first[i].pqflags == PQ_FREE);
		f->first[i].pqflags = 0;
	}
	TAILQ_INIT(&f->pages);
	f->nfree = 0;
	free_list_len -= VM_LARGE_PAGES;
	frame_file(f);
	UVMEXP_ADD(free, -(int64_t)VM_LARGE_PAGES);
	return f->first;
}

int
vm_page_alloc_large(struct vm_page **first, int flags)
{
	struct vm_page *run;

	if (!(flags & VM_PAGE_NOFAIL) && uvm_failalloc_hit(UVM_FAILALLOC_PAGE))
		return -ENOMEM;
	spin_lock(&uvm_free_lock);
	run = take_whole_frame();
	if (run != NULL)
		uvmexp.pga_large++;
	else
		uvmexp.pga_large_fail++;
	spin_unlock(&uvm_free_lock);
	if (run == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < VM_LARGE_PAGES; i++)
		hand_out_page(&run[i], NULL, 0, NULL);
	UVMEXP_ADD(pga_alloc, VM_LARGE_PAGES);
	zero_run_if_asked(run, VM_LARGE_PAGES, flags);
	*first = run;
	return 0;
}

/*
 * Straight to the free list, past the per-CPU caches, under one lock:
 * the frame is whole again on return.
 */
void
vm_page_free_large(struct vm_page *first)
{
	KASSERT((first->phys_addr & (VM_LARGE_SIZE - 1)) == 0);
	for (size_t i = 0; i < VM_LARGE_PAGES; i++)
		free_prepare(&first[i]);
	spin_lock(&uvm_free_lock);
	for (size_t i = 0; i < VM_LARGE_PAGES; i++)
		freelist_add(&first[i]);
	UVMEXP_ADD(free, VM_LARGE_PAGES);
	spin_unlock(&uvm_free_lock);
}

int
vm_page_frame_free(const struct vm_page *pg)
{
	int n;

	spin_lock(&uvm_free_lock);
	n = frame_in(seg_of(pg), pg)->nfree;
	spin_unlock(&uvm_free_lock);
	return n;
}

/* Off whatever paging queue pg is on.  => uvm_pageq_lock held. */
static void
dequeue_locked(struct vm_page *pg)
{
	if (pg->pqflags & PQ_ACTIVE) {
		TAILQ_REMOVE(&active_list, pg, pageq);
		uvmexp.active--;
	} else if (pg->pqflags & PQ_INACTIVE) {
		TAILQ_REMOVE(&inactive_list, pg, pageq);
		uvmexp.inactive--;
	}
	pg->pqflags &= ~(PQ_ACTIVE | PQ_INACTIVE);
}

void
vm_page_dequeue(struct vm_page *pg)
{
	spin_lock(&uvm_pageq_lock);
	dequeue_locked(pg);
	spin_unlock(&uvm_pageq_lock);
}

void
vm_page_free_many(struct vm_page **pgs, int n)
{
	int kept;

	spin_lock(&uvm_pageq_lock);
	for (int i = 0; i < n; i++) {
		KASSERT((pgs[i]->pqflags & (PQ_FREE | PQ_RESERVED)) == 0);
		KASSERT(pgs[i]->wire_count == 0);
		dequeue_locked(pgs[i]);
	}
	spin_unlock(&uvm_pageq_lock);
	for (int i = 0; i < n; i++)
		clear_free_page(pgs[i]);
	kept = vm_pgcache_put_many(pgs, n);
	if (kept == n)
		return;
	spin_lock(&uvm_free_lock);      /* the cache is full: the rest, the list */
	vm_pgcache_drain_locked();
	for (int i = kept; i < n; i++)
		freelist_add(pgs[i]);
	UVMEXP_ADD(free, n - kept);
	spin_unlock(&uvm_free_lock);
}

/* Move an unwired page to the tail of the active or inactive queue. */
static void
enqueue_tail_locked(struct vm_page *pg, int queue)
{
	bool active = queue == PQ_ACTIVE;

	KASSERT((pg->pqflags & (PQ_FREE | PQ_RESERVED)) == 0);
	if (pg->wire_count > 0)
		return;
	dequeue_locked(pg);
	TAILQ_INSERT_TAIL(active ? &active_list : &inactive_list, pg, pageq);
	pg->pqflags |= queue;
	if (active)
		uvmexp.active++;
	else
		uvmexp.inactive++;
}

static void
enqueue_tail(struct vm_page *pg, int queue)
{
	spin_lock(&uvm_pageq_lock);
	enqueue_tail_locked(pg, queue);
	spin_unlock(&uvm_pageq_lock);
}

void
vm_page_activate(struct vm_page *pg)
{
	enqueue_tail(pg, PQ_ACTIVE);
}

void
vm_page_activate_many(struct vm_page **pgs, int n)
{
	spin_lock(&uvm_pageq_lock);
	for (int i = 0; i < n; i++)
		enqueue_tail_locked(pgs[i], PQ_ACTIVE);
	spin_unlock(&uvm_pageq_lock);
}

void
vm_page_deactivate(struct vm_page *pg)
{
	enqueue_tail(pg, PQ_INACTIVE);
}

void
vm_page_wire(struct vm_page *pg)
{
	KASSERT((pg->pqflags & (PQ_FREE | PQ_RESERVED)) == 0);
	spin_lock(&uvm_pageq_lock);
	if (pg->wire_count++ == 0) {
		dequeue_locked(pg);
		uvmexp.wired++;
	}
	spin_unlock(&uvm_pageq_lock);
}

void
vm_page_unwire(struct vm_page *pg)
{
	KASSERT(pg->wire_count > 0);
	spin_lock(&uvm_pageq_lock);
	bool last = --pg->wire_count == 0;
	if (last)
		uvmexp.wired--;
	spin_unlock(&uvm_pageq_lock);
	if (last)
		vm_page_activate(pg);
}

/*
 * Waiting for a busy page.  The waiter sets PG_WANTED under the owner's
 * lock, then gives that lock up and goes to sleep as one step: it holds
 * pgwait_lock (interrupts off, so nothing runs in between) from before
 * the mutex_exit until sleep_on releases it.  vm_page_unbusy, run by
 * whoever owns the page next with the owner lock held, sees PG_WANTED
 * and wakes the page's channel under the same spin lock - so either the
 * waiter is already asleep, or it has not yet set PG_WANTED.
 */
static struct spinlock pgwait_lock = SPINLOCK_INIT("pgwait");

void
vm_page_unbusy(struct vm_page *pg)
{
	bool wanted = (pg->flags & PG_WANTED) != 0;

	pg->flags &= ~(PG_BUSY | PG_WANTED);
	if (wanted) {
		spin_lock(&pgwait_lock);
		wakeup(pg);
		spin_unlock(&pgwait_lock);
	}
}

void
vm_page_wait_busy(struct vm_page *pg, struct kmutex *ownerlock, const char *wmesg)
{
	KASSERT(mutex_owned(ownerlock) && (pg->flags & PG_BUSY));
	spin_lock(&pgwait_lock);
	pg->flags |= PG_WANTED;
	mutex_exit(ownerlock);
	sleep_on(pg, &pgwait_lock, wmesg);
	spin_unlock(&pgwait_lock);
}

struct vm_page *
vm_page_queue_rotate(int queue)
{
	struct pglist *l = queue == PQ_ACTIVE ? &active_list : &inactive_list;
	struct vm_page *pg = TAILQ_FIRST(l);

	KASSERT(spin_held(&uvm_pageq_lock));
	KASSERT(queue == PQ_ACTIVE || queue == PQ_INACTIVE);
	if (pg != NULL) {
		TAILQ_REMOVE(l, pg, pageq);
		TAILQ_INSERT_TAIL(l, pg, pageq);
	}
	return pg;
}

void
vm_page_foreach(void (*fn)(struct vm_page *pg, void *arg), void *arg)
{
	for (int i = 0; i < nphysseg; i++) {
		struct vm_physseg *seg = &physsegs[i];
		for (uint64_t f = 0; f < seg->end_frame - seg->start_frame; f++)
			fn(&seg->pages[f], arg);
	}
}

/*
 * Check one list: every page carries flag, the back links agree with the
 * forward ones (each page's prevp points at what points at it, the head's
 * lastp at the last page's next), and the length matches count.
 */
static int
check_list(const struct pglist *l, uint16_t flag, uint64_t count,
    const char *name, kprint_fn pr)
{
	struct vm_page *const *want = &l->tqh_first;
	const struct vm_page *pg;
	uint64_t n = 0;
	int bad = 0;

	TAILQ_FOREACH(pg, l, pageq) {
		n++;
		if (pg->pageq.tqe_prevp != want) {
			pr("vm_page_check: page %#lx on %s list: bad back link\n",
			    pg->phys_addr, name);
			bad++;
		}
		want = &pg->pageq.tqe_next;
		if ((pg->pqflags & (PQ_QUEUES | PQ_CPUCACHE)) != flag) {
			pr("vm_page_check: page %#lx on %s list has pqflags %#x\n",
			    pg->phys_addr, name, pg->pqflags);
			bad++;
		}
		if (n > uvmexp.npages) {
			pr("vm_page_check: %s list loops\n", name);
			return bad + 1;
		}
	}
	if (l->tqh_lastp != want) {
		pr("vm_page_check: %s list: bad tail pointer\n", name);
		bad++;
	}
	if (n != count) {
		pr("vm_page_check: %s list has %lu pages, counter says %lu\n",
		    name, n, count);
		bad++;
	}
	return bad;
}

/*
 * One frame: its list's links agree both ways, every page on it is its
 * own and on the free list (PQ_FREE alone), the list's length is nfree
 * and so is the number of its pages marked PQ_FREE, and it is filed
 * where nfree says.  Adds its count to *listed.
 */
static int
check_frame(const struct vm_frame *f, uint64_t *listed, kprint_fn pr)
{
	paddr_t pa = f->first->phys_addr;
	const struct vm_page *pg;
	uint64_t marked = 0;
	int bad = check_list(&f->pages, PQ_FREE, f->nfree, "frame", pr);
	uint8_t want = f->nfree == VM_LARGE_PAGES ? FRAME_WHOLE :
	    f->nfree > 0 ? FRAME_PARTIAL : FRAME_NONE;

	TAILQ_FOREACH(pg, &f->pages, pageq) {
		if (pg < f->first || pg >= f->first + f->npages) {
			pr("vm_page_check: page %#lx on the list of frame %#lx\n",
			    pg->phys_addr, pa);
			bad++;
		}
		if (bad > 0)
			break;      /* a broken list may not end */
	}
	for (uint16_t i = 0; i < f->npages; i++)
		marked += f->first[i].pqflags == PQ_FREE;
	if (marked != f->nfree || f->where != want) {
		pr("vm_page_check: frame %#lx: %lu pages free, nfree %u, list %u\n",
		    pa, marked, f->nfree, f->where);
		bad++;
	}
	*listed += f->nfree;
	return bad;
}

/* Each frame's length; each on the list it claims. */
static int
check_framelist(const struct framelist *l, uint8_t where, uint64_t *n,
    kprint_fn pr)
{
	const struct vm_frame *f;
	uint64_t max = 0;
	int bad = 0;

	for (int i = 0; i < nphysseg; i++)
		max += physsegs[i].nframes;
	*n = 0;
	TAILQ_FOREACH(f, l, link) {
		if (f->where != where) {
			pr("vm_page_check: frame %#lx on list %u says %u\n",
			    f->first->phys_addr, where, f->where);
			bad++;
		}
		if (++*n > max) {
			pr("vm_page_check: frame list %u loops\n", where);
			return bad + 1;
		}
	}
	return bad;
}

/*
 * Every frame, then the whole and partial lists: as many frames on each
 * as say so, uvmexp.frames_whole right, the frames' lists summing to
 * free_list_len.
 */
static int
check_frames(kprint_fn pr)
{
	uint64_t listed = 0, nwhole = 0, npartial = 0, onwhole, onpartial;
	int bad = 0;

	for (int i = 0; i < nphysseg; i++) {
		for (uint64_t j = 0; j < physsegs[i].nframes; j++) {
			const struct vm_frame *f = &physsegs[i].frames[j];
			bad += check_frame(f, &listed, pr);
			nwhole += f->where == FRAME_WHOLE;
			npartial += f->where == FRAME_PARTIAL;
		}
	}
	bad += check_framelist(&whole_frames, FRAME_WHOLE, &onwhole, pr);
	bad += check_framelist(&partial_frames, FRAME_PARTIAL, &onpartial, pr);
	if (onwhole != nwhole || nwhole != uvmexp.frames_whole ||
	    onpartial != npartial || listed != free_list_len) {
		pr("vm_page_check: %lu whole frames (%lu listed, counter %lu), "
		    "%lu partial (%lu listed), %lu pages in frames, list length %lu\n",
		    nwhole, onwhole, uvmexp.frames_whole, npartial, onpartial,
		    listed, free_list_len);
		bad++;
	}
	return bad;
}

/* A free page must be unowned, unwired and unmapped. */
static int
check_free_page(const struct vm_page *pg, kprint_fn pr)
{
	if (pg->uobject == NULL && pg->uanon == NULL && pg->wire_count == 0 &&
	    pg->md.pv_list == NULL && pg->md.pv_own.pv_pmap == NULL)
		return 0;
	pr("vm_page_check: free page %#lx is owned, wired or mapped\n",
	    pg->phys_addr);
	return 1;
}

/* What the walk over every page counts. */
struct page_tally {
	uint64_t wired, reserved, free, cached;
};

static int
tally_pages(struct page_tally *t, kprint_fn pr)
{
	int bad = 0;

	for (int i = 0; i < nphysseg; i++) {
		const struct vm_physseg *seg = &physsegs[i];
		for (uint64_t f = 0; f < seg->end_frame - seg->start_frame; f++) {
			const struct vm_page *pg = &seg->pages[f];
			t->wired += pg->wire_count > 0;
			t->reserved += (pg->pqflags & PQ_RESERVED) != 0;
			t->cached += (pg->pqflags & PQ_CPUCACHE) != 0;
			if (pg->pqflags & PQ_FREE) {
				t->free++;
				bad += check_free_page(pg, pr);
			}
		}
	}
	return bad;
}

/* Free pages: the list plus the caches, counted three ways. */
static int
check_free_counts(const struct page_tally *t, uint64_t ncached, kprint_fn pr)
{
	int bad = 0;

	if (t->free != uvmexp.free || free_list_len + ncached != uvmexp.free) {
		pr("vm_page_check: %lu free pages (%lu listed + %lu cached), "
		    "counter says %lu\n", t->free, free_list_len, ncached, uvmexp.free);
		bad++;
	}
	if (t->cached != ncached) {
		pr("vm_page_check: %lu pages marked cached, the caches hold %lu\n",
		    t->cached, ncached);
		bad++;
	}
	return bad;
}

/*
 * The other CPUs are frozen (vm_pgcache_freeze) while the walk runs:
 * their caches change without uvm_free_lock.
 */
int
vm_page_check(kprint_fn pr)
{
	struct page_tally t = { 0, 0, 0, 0 };
	struct vm_pgcache_freeze fz;
	uint64_t ncached;
	int bad = 0;

	spin_lock(&uvm_pageq_lock);
	spin_lock(&uvm_free_lock);
	vm_pgcache_freeze(&fz);
	bad += check_frames(pr);
	bad += check_list(&active_list, PQ_ACTIVE, uvmexp.active, "active", pr);
	bad += check_list(&inactive_list, PQ_INACTIVE, uvmexp.inactive, "inactive", pr);
	bad += vm_pgcache_check(pr, &ncached);
	bad += tally_pages(&t, pr);
	bad += check_free_counts(&t, ncached, pr);
	vm_pgcache_thaw(&fz);
	spin_unlock(&uvm_free_lock);
	spin_unlock(&uvm_pageq_lock);
	if (t.wired != uvmexp.wired) {
		pr("vm_page_check: %lu wired pages, counter says %lu\n", t.wired, uvmexp.wired);
		bad++;
	}
	if (t.reserved != uvmexp.reserved) {
		pr("vm_page_check: %lu reserved pages, counter says %lu\n",
		    t.reserved, uvmexp.reserved);
		bad++;
	}
	return bad;
}

/* A page in a CPU's cache is "free" too (its pqflags tell which). */
static const char *
queue_name(const struct vm_page *pg)
{
	if (pg->pqflags & PQ_FREE)
		return "free";
	if (pg->pqflags & PQ_ACTIVE)
		return "active";
	if (pg->pqflags & PQ_INACTIVE)
		return "inactive";
	if (pg->pqflags & PQ_RESERVED)
		return "reserved";
	return "none";
}

void
vm_page_print(const struct vm_page *pg, kprint_fn pr)
{
	pr("vm_page %p: pa %#lx queue %s flags%s%s%s%s%s%s%s wired %u\n",
	    (const void *)pg, pg->phys_addr, queue_name(pg),
	    (pg->flags & PG_BUSY) ? " BUSY" : "",
	    (pg->flags & PG_WANTED) ? " WANTED" : "",
	    (pg->flags & PG_CLEAN) ? " CLEAN" : "",
	    (pg->flags & PG_RELEASED) ? " RELEASED" : "",
	    (pg->flags & PG_FAKE) ? " FAKE" : "",
	    (pg->flags & PG_ZERO) ? " ZERO" : "",
	    (pg->flags & PG_RDONLY) ? " RDONLY" : "", pg->wire_count);
	pr("  owner: obj %p off %#lx anon %p\n", (void *)pg->uobject,
	    (uint64_t)pg->offset, (void *)pg->uanon);
	pmap_page_print_mappings(pg, pr);
}

void
uvmexp_foreach(void (*fn)(const char *name, uint64_t v, void *arg), void *arg)
{
	const struct {
		const char *name;
		uint64_t v;
	} rows[] = {
		{ "npages", uvmexp.npages }, { "free", uvmexp.free },
		{ "active", uvmexp.active }, { "inactive", uvmexp.inactive },
		{ "wired", uvmexp.wired }, { "reserved", uvmexp.reserved },
		{ "zeropages", uvmexp.zeropages },
		{ "anfree_one", uvmexp.anfree_one },
		{ "anfree_batch", uvmexp.anfree_batch },
		{ "pga_alloc", uvmexp.pga_alloc }, { "pga_fail", uvmexp.pga_fail },
		{ "pga_zeroed", uvmexp.pga_zeroed },
		{ "pga_failinject", uvm_failalloc_injected() },
		{ "pgc_cached", vm_pgcache_count() }, { "pgc_hits", uvmexp.pgc_hits },
		{ "pgc_refills", uvmexp.pgc_refills }, { "pgc_drains", uvmexp.pgc_drains },
		{ "pgc_steals", uvmexp.pgc_steals }, { "pgc_stolen", uvmexp.pgc_stolen },
		{ "frames_whole", uvmexp.frames_whole },
		{ "frames_split", uvmexp.frames_split },
		{ "pga_large", uvmexp.pga_large },
		{ "pga_large_fail", uvmexp.pga_large_fail },
		{ "faults", uvmexp.faults },
		{ "flt_zerofill", uvmexp.flt_zerofill }, { "flt_cow", uvmexp.flt_cow },
		{ "flt_anon", uvmexp.flt_anon }, { "flt_obj", uvmexp.flt_obj },
		{ "flt_promote", uvmexp.flt_promote },
		{ "flt_neighbor", uvmexp.flt_neighbor },
		{ "flt_nbruns", uvmexp.flt_nbruns },
		{ "flt_zeroahead", uvmexp.flt_zeroahead },
		{ "flt_cowahead", uvmexp.flt_cowahead },
		{ "thp_on", uvm_thp_on },
		{ "thp_fills", uvmexp.thp_fills },
		{ "thp_fallbacks", uvmexp.thp_fallbacks },
		{ "thp_reuses", uvmexp.thp_reuses },
		{ "thp_promotions", pmap_counters.promotions },
		{ "thp_demotions", pmap_counters.demotions },
		{ "thp_removed", pmap_counters.large_removed },
		{ "flt_restart", uvmexp.flt_restart },
		{ "flt_upgrade", uvmexp.flt_upgrade }, { "pageins", uvmexp.pageins },
		{ "pageouts", uvmexp.pageouts },
		{ "pdwoke", uvmexp.pdwoke }, { "pdscans", uvmexp.pdscans },
		{ "pdreact", uvmexp.pdreact }, { "pddeact", uvmexp.pddeact },
		{ "pdfreed", uvmexp.pdfreed }, { "pdbusy", uvmexp.pdbusy },
		{ "pdstalls", uvmexp.pdstalls },
		{ "pv_entries", pmap_pv_entries() },
		{ "pv_pooled", pmap_counters.pv_pooled },
		{ "pv_retries", pmap_counters.pv_retries },
		{ "ptpages", pmap_counters.ptpages },
		{ "pmap_walks", pmap_counters.walks },
		{ "map_augments", uvm_map_stats.augments },
		{ "map_tree_lookups", uvm_map_stats.tree_lookups },
		{ "map_fs_searches", uvm_map_stats.fs_searches },
		{ "map_fs_visits", uvm_map_stats.fs_visits },
		{ "tlb_shootpage", pmap_counters.tlb_shootpage },
		{ "tlb_flushall", pmap_counters.tlb_flushall },
		{ "pmap_activations", pmap_counters.activations },
		{ "tlb_shootdowns", pmap_counters.tlb_shootdowns },
		{ "tlb_ipis", pmap_counters.tlb_ipis },
		{ "tlb_ipi_pages", pmap_counters.tlb_ipi_pages },
		{ "tlb_ipi_all", pmap_counters.tlb_ipi_all },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		fn(rows[i].name, rows[i].v, arg);
}

static void
print_row(const char *name, uint64_t v, void *arg)
{
	kprint_fn pr = (kprint_fn)arg;

	pr("%-14s %lu\n", name, v);
}

void
uvmexp_print(kprint_fn pr)
{
	uvmexp_foreach(print_row, (void *)pr);
}
