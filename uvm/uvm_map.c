/*
 * uvm/uvm_map.c - address maps (see uvm_map.h for the structure).
 *
 * Every entry is in two structures at once, and the gaps ride on the tree:
 *
 *   list:  header <-> [A] <-> [B] <-> [C] <-> header      (address order)
 *   tree:  red-black by start; node X carries
 *            X.gap    = (X.next.start or map max) - X.end
 *            X.maxgap = max(X.gap, X.left.maxgap, X.right.maxgap)
 *   map:   lead_gap  = (first.start or map max) - map min
 *
 * Worked example, map [0x1000, 0x10000), entries A [0x1000,0x2000),
 * B [0x4000,0x5000), C [0x5000,0x8000):
 *
 *        B {gap 0, maxgap 0x8000}          A.gap = 0x4000 - 0x2000 = 0x2000
 *       /                        \         B.gap = 0x5000 - 0x5000 = 0
 *   A {gap 0x2000}          C {gap 0x8000} C.gap = 0x10000 - 0x8000
 *
 * findspace(len 0x3000, bottom-up): B.maxgap 0x8000 >= 0x3000, so descend;
 * A's subtree maxgap 0x2000 is too small: skip it without looking; B.gap
 * 0 too small; C.gap fits -> 0x8000.  Only nodes on one or two root-to-
 * leaf paths are visited: O(log n).
 *
 * Invariants (uvm_map_check verifies all of them):
 *   - the list is sorted, entries do not overlap, start < end, all inside
 *     [min_offset, max_offset); prev/next links are mutual;
 *   - the tree holds exactly the list's entries, in the same order;
 *   - every gap and maxgap is exact; lead_gap is exact;
 *   - nentries and size match the list;
 *   - the findspace cache, when set, names a live entry, and no gap
 *     above it fits fs_need bytes below fs_hint (see fs_cache_*).
 *
 * Unmapping runs in two phases: entries are unlinked (and their pages
 * unmapped) with the map locked, collected on a dead list, and their
 * amap and object references dropped after the lock is released - those
 * may free pages and sleep (an aobj waits for a page being read in from
 * swap), which must not happen while the map is locked.
 *
 * Threads of one process change one map at once.  Most changes happen
 * whole under the map lock; wiring (mlock) cannot: it counts the wiring
 * on the entries under the lock, then faults the pages in with the lock
 * down (a fault sleeps).  Meanwhile the map is busy - map->busy names
 * the wiring thread - and every other thread that would change entries
 * (map, unmap, protect, advise, remap, wire, fork's copy) waits in
 * map_lock_change until it is not; faults, which only fill pages in, go
 * on - but for a fault in an entry counted wired, which waits too
 * (uvm_map_wait_unbusy): its pages are wired only up to where the wiring
 * has got, and a copy-on-write there must know whether the page it
 * replaces holds this entry's wiring or only another mapping's.  So the
 * entries the wiring counted are still there, still counted once, when
 * its faults reach them, and none of their pages changed meanwhile:
 *
 *   thread A: mlock [s,e)         thread B: munmap [s,e)
 *     lock; wired_count 1; busy=A
 *     unlock                        lock; busy (A): wait, unlock
 *     fault s, s+1, ... (sleeps)    ...asleep on map->busy
 *     lock; busy=NULL; wake; unlock
 *                                   lock; unwire and unmap [s,e)
 *
 * Lock order: map lock, then amap lock, then object lock, then the pmap
 * and page locks; map_busy_lock is a leaf, taken inside the map lock.
 */
#include "uvm/uvm_map.h"
#include "kern/core/cmdline.h"
#include "kern/core/lab.h"
#include "kern/lib/atomic.h"
#include "kern/lib/errno.h"
#include "kern/core/sleep.h"
#include "kern/core/thread.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"
#include "uvm/uvm_thp.h"

static struct pool entry_pool;
static struct pool vmspace_pool;
static uint64_t live_entries;
unsigned uvm_map_findspace_visits;
uint64_t uvm_map_check_entries;

#define ENTRY(n) container_of((n), struct vm_map_entry, rb_node)
#define NODE_MAXGAP(n) ((n) != NULL ? ENTRY(n)->maxgap : 0)

/*
 * Checks run on entry and exit of every mutating function in debug builds.
 * The checker walks the whole map, O(n), so running it at every check
 * point (as it once did while a map had at most 1,024 entries) makes
 * every map change O(n) and building a map O(n^2): in a debug kernel,
 * mmap + write + munmap of one page among 1,000 mappings cost 1.4
 * million cycles, 50 times the release build (issue 15).  Instead each
 * check point earns the map MAP_DCHECK_CREDIT entries' worth of checking,
 * and the whole map is checked when its credit covers it:
 *
 *   n <= MAP_DCHECK_CREDIT entries:  checked at every check point;
 *   n entries:                       every n / MAP_DCHECK_CREDIT points.
 *
 * So the checker costs at most MAP_DCHECK_CREDIT entries per check point,
 * amortized, whatever the size of the map, and no map is too big to be
 * checked.  A test that wants a check at one exact point calls
 * uvm_map_check itself.
 */
#define MAP_DCHECK_CREDIT 32
#define MAP_DCHECK(map) KDASSERT(!map_dcheck_due(map) || \
    uvm_map_check((map), kprint) == 0)
/* For operations that are O(n) themselves: check the whole map now. */
#define MAP_DCHECK_ALL(map) KDASSERT(uvm_map_check((map), kprint) == 0)

/* Earn one check point's credit: is a whole-map check due?  (Debug only.) */
static bool
map_dcheck_due(struct vm_map *map)
{
	map->dcheck_credit += MAP_DCHECK_CREDIT;
	if (map->dcheck_credit < (unsigned)map->nentries)
		return false;
	map->dcheck_credit = 0;
	return true;
}

/* ------------------------------------------------------------------ */
/* The tree                                                            */

static int
entry_cmp_nodes(const struct rb_node *a, const struct rb_node *b)
{
	vaddr_t sa = ENTRY(a)->start, sb = ENTRY(b)->start;

	return sa < sb ? -1 : sa > sb;
}

static int
entry_cmp_key(const struct rb_node *n, const void *key)
{
	vaddr_t s = ENTRY(n)->start, va = *(const vaddr_t *)key;

	return s < va ? -1 : s > va;
}

struct uvm_map_stats uvm_map_stats;

/* Add one to a uvm_map_stats counter (statistics: relaxed, no lock). */
#define MAP_STAT(field) __atomic_fetch_add(&uvm_map_stats.field, 1, __ATOMIC_RELAXED)

static bool
entry_augment(struct rb_node *n)
{
	struct vm_map_entry *e = ENTRY(n);
	vsize_t m = e->gap, old = e->maxgap;

	MAP_STAT(augments);
	m = MAX(m, NODE_MAXGAP(n->rb_left));
	m = MAX(m, NODE_MAXGAP(n->rb_right));
	e->maxgap = m;
	return m != old;
}

static const struct rb_ops entry_rb_ops = {
	.compare_nodes = entry_cmp_nodes,
	.compare_key = entry_cmp_key,
	.augment = entry_augment,
};

/* ------------------------------------------------------------------ */
/* Entries: allocation, linking, gaps                                   */

static struct vm_map_entry *
entry_alloc_flags(int flags)
{
	struct vm_map_entry *e = pool_get(&entry_pool, PR_ZERO | flags);

	if (e != NULL)
		atomic_add_u64(&live_entries, 1);
	return e;
}

static struct vm_map_entry *
entry_alloc(void)
{
	return entry_alloc_flags(0);
}

/*
 * Clipping cannot fail: it happens deep inside operations that have
 * already changed the map.  So every operation that may clip first makes
 * sure the map has a few spare entries (entry_reserve_fill, right after
 * taking the map lock and before changing anything, where failing is
 * still clean), and clipping takes from them when the pool is empty.  No
 * locked operation clips more than ENTRY_RESERVE entries (two ends of a
 * range, plus amap_copy's chunk), so the spares never run out.
 *
 * The spares belong to the map and its lock covers them: a thread
 * preempted in the middle of an operation keeps its map's spares, and
 * no other map can take them.  (A reserve shared by all maps would need
 * its own lock, and two maps' operations could still drain it between
 * one's fill and its clip.)  A map that becomes empty gives its spares
 * back (uvm_unmap), so a torn-down map owns nothing.
 */
#define ENTRY_RESERVE 4

/* Top map's spares up.  => map locked; never sleeps; 0 or -ENOMEM. */
static int
entry_reserve_fill(struct vm_map *map)
{
	KASSERT(vm_map_locked(map));
	while (map->nspare < ENTRY_RESERVE) {
		struct vm_map_entry *e = pool_get(&entry_pool, 0);
		if (e == NULL)
			return -ENOMEM;
		e->next = map->spare;
		map->spare = e;
		map->nspare++;
	}
	return 0;
}

/* Give all of map's spares back to the pool.  => map locked. */
static void
entry_reserve_drain(struct vm_map *map)
{
	KASSERT(vm_map_locked(map));
	while (map->spare != NULL) {
		struct vm_map_entry *e = map->spare;
		map->spare = e->next;
		map->nspare--;
		pool_put(&entry_pool, e);
	}
	KASSERT(map->nspare == 0);
}

int
uvm_map_reserve_entries(struct vm_map *map)
{
	return entry_reserve_fill(map);
}

/* Covers map->busy_wanted and the sleep on map->busy (see the top). */
static struct spinlock map_busy_lock = SPINLOCK_INIT("map_busy");

/*
 * Lock map to change its entries: wait while another thread has it busy
 * (wiring with the lock down).  The waiter asks for a wakeup under
 * map_busy_lock before it lets go of the map lock, and map_unbusy clears
 * busy under the map lock before it wakes: no wakeup is lost.
 *  => map unlocked on entry, locked and not busy for another on return.
 *     May sleep.
 */
bool
uvm_map_wait_unbusy(struct vm_map *map)
{
	if (map->busy == NULL || map->busy == curthread)
		return false;
	spin_lock(&map_busy_lock);
	map->busy_wanted = true;
	vm_map_unlock(map);
	sleep_on(&map->busy, &map_busy_lock, "mapbusy");
	spin_unlock(&map_busy_lock);
	return true;
}

static void
map_lock_change(struct vm_map *map)
{
	vm_map_lock(map);
	while (uvm_map_wait_unbusy(map))
		vm_map_lock(map);
}

/* Mark map busy for this thread.  => map locked, not busy. */
static void
map_busy(struct vm_map *map)
{
	KASSERT(vm_map_locked(map) && map->busy == NULL);
	map->busy = curthread;
}

/* End this thread's busy, waking the threads waiting for it.
 *  => map locked. */
static void
map_unbusy(struct vm_map *map)
{
	KASSERT(vm_map_locked(map) && map->busy == curthread);
	map->busy = NULL;
	spin_lock(&map_busy_lock);
	bool wanted = map->busy_wanted;
	map->busy_wanted = false;
	spin_unlock(&map_busy_lock);
	if (wanted)
		wakeup(&map->busy);
}

/* Lock map for an operation that may clip.  => 0 with map locked and its
 * spares filled, or -ENOMEM with it unlocked.  May sleep (a busy map). */
static int
map_lock_to_clip(struct vm_map *map)
{
	map_lock_change(map);
	if (entry_reserve_fill(map) == 0)
		return 0;
	vm_map_unlock(map);
	return -ENOMEM;
}

/*
 * An entry for a clip: from the pool, else from map's spares.  Never an
 * injected failure (PR_NOFAIL): a clip cannot fail, and the spares are
 * only sized for real shortages.
 */
static struct vm_map_entry *
entry_alloc_clip(struct vm_map *map)
{
	struct vm_map_entry *e = entry_alloc_flags(PR_NOFAIL);

	if (e == NULL && map->spare != NULL) {
		e = map->spare;
		map->spare = e->next;
		map->nspare--;
		memset(e, 0, sizeof(*e));
		atomic_add_u64(&live_entries, 1);
	}
	if (e == NULL)
		panic("uvm_map: clip with no spare entry (missing entry_reserve_fill)");
	return e;
}

static void
entry_free(struct vm_map_entry *e)
{
	pool_put(&entry_pool, e);
	atomic_add_u64(&live_entries, -1);
}

uint64_t
uvm_map_entry_count(void)
{
	return live_entries;
}

/* Where the free space after e (or, for the header, before the first entry) ends. */
static vaddr_t
gap_end(const struct vm_map *map, const struct vm_map_entry *e)
{
	return e->next == &map->header ? map->max_offset : e->next->start;
}

/*
 * Recompute e's maxgap and its ancestors' while they change.  The same as
 * rb_tree_augment_path, with entry_augment called directly: this walk
 * runs on every map change, often to the root, and an indirect call per
 * node is most of its cost under emulation.
 */
static void
gap_path_update(struct vm_map_entry *e)
{
	struct rb_node *n = &e->rb_node;

	entry_augment(n);               /* e's own gap changed: always */
	for (n = n->rb_parent; n != NULL && entry_augment(n); n = n->rb_parent)
		;
}

/*
 * The top-down findspace cache.  mmap without a hint searches top-down
 * from the same place every time, and a program that maps and unmaps
 * (malloc's large blocks, the bench's mmap + munmap) keeps asking for the
 * gap the last search found.  That search proved that no gap between its
 * answer and the hint fits fs_need bytes; while no gap above the answer
 * grows, the proof stands for any request of fs_need bytes or more, and
 * the next such search may start at the answer: one entry looked at
 * instead of three walks of the tree.  Gaps only grow when entries go or
 * shrink (gap_set sees it); a new entry only divides a gap - and when it
 * divides the cached entry's own gap (a clip of that entry hands it the
 * whole gap), the top part is now the new entry's, so the cache moves up
 * to it (entry_link).
 */
static void
fs_cache_gap_grew(struct vm_map *map, const struct vm_map_entry *e)
{
	if (map->fs_entry != NULL && e->start > map->fs_entry->start)
		map->fs_entry = NULL;
}

KOPT(fscache, "fscache", "0: findspace never starts from the last top-down search's "
    "answer (the cache is a speed-up only; default 1)");

bool uvm_map_fscache_on = true;

/* May a top-down search for need bytes from hint start at map->fs_entry? */
static bool
fs_cache_usable(const struct vm_map *map, vaddr_t hint, vsize_t align,
    vsize_t need)
{
	return uvm_map_fscache_on && map->fs_entry != NULL && map->fs_hint == hint &&
	    align == PAGE_SIZE && need >= map->fs_need;
}

/* Set the gap after e (the header: the lead gap), the tree not yet. */
static bool
gap_set(struct vm_map *map, struct vm_map_entry *e)
{
	vsize_t old = e->gap;

	if (e == &map->header) {
		map->lead_gap = gap_end(map, e) - map->min_offset;
		return false;
	}
	e->gap = gap_end(map, e) - e->end;
	if (e->gap > old)
		fs_cache_gap_grew(map, e);
	return true;
}

/* Recompute the gap after e (the header: the lead gap) and the tree above it. */
static void
gap_update(struct vm_map *map, struct vm_map_entry *e)
{
	if (gap_set(map, e))
		gap_path_update(e);
}

/* Insert e after prev (the header for "first"): list, tree, gaps, counts. */
static void
entry_link(struct vm_map *map, struct vm_map_entry *prev, struct vm_map_entry *e)
{
	e->prev = prev;
	e->next = prev->next;
	prev->next->prev = e;
	prev->next = e;
	e->gap = gap_end(map, e) - e->end;
	e->maxgap = e->gap;
	/* The list says where it goes: no tree search.  prev's gap only
	 * after the insertion: the walk from prev may stop early only
	 * while the rest of the tree is consistent. */
	rb_tree_insert_between(&map->rb_tree,
	    prev == &map->header ? NULL : &prev->rb_node,
	    e->next == &map->header ? NULL : &e->next->rb_node, &e->rb_node);
	gap_update(map, prev);
	/* e took the top of prev's gap (all of it, for a clip): if prev
	 * was the findspace cache, the highest candidate may now be e's. */
	if (map->fs_entry == prev && e->gap > 0)
		map->fs_entry = e;
	map->hint = e;          /* a new mapping is usually touched next */
	map->nentries++;
	map->size += e->end - e->start;
	map->timestamp++;
}

static void
entry_unlink(struct vm_map *map, struct vm_map_entry *e)
{
	struct vm_map_entry *prev = e->prev;

	rb_tree_remove(&map->rb_tree, &e->rb_node);
	prev->next = e->next;
	e->next->prev = prev;
	gap_update(map, prev);
	map->nentries--;
	map->size -= e->end - e->start;
	map->timestamp++;
	if (map->hint == e)
		map->hint = prev;
	if (map->fs_entry == e)
		map->fs_entry = NULL;
}

/* ------------------------------------------------------------------ */
/* Lookup                                                              */

bool
uvm_map_lookup_entry(struct vm_map *map, vaddr_t va, struct vm_map_entry **entry)
{
	struct vm_map_entry *h = __atomic_load_n(&map->hint, __ATOMIC_RELAXED);
	struct rb_node *n;

	KASSERT(vm_map_lock_held(map));     /* faults read-hold it */
	/* The hint catches the common case of faults marching through one entry. */
	if (h != &map->header && h->start <= va && va < h->end) {
		*entry = h;
		return true;
	}
	MAP_STAT(tree_lookups);
	n = rb_tree_find_le(&map->rb_tree, &va);
	if (n == NULL) {
		*entry = &map->header;
		return false;
	}
	*entry = ENTRY(n);
	__atomic_store_n(&map->hint, *entry, __ATOMIC_RELAXED);
	return va < (*entry)->end;
}

/* ------------------------------------------------------------------ */
/* Findspace                                                           */

/*
 * A request (hint, length, align, direction) tried against one free range
 * [lo, hi).  Bottom-up takes the lowest fit starting at or above the hint;
 * top-down the highest fit starting at or below it (so it ends at or
 * below hint + length, as uvm_map.h promises).
 */
struct space_req {
	vaddr_t hint;
	vsize_t length;
	vsize_t align;
	bool topdown;
};

static bool
space_fits(const struct space_req *rq, vaddr_t lo, vaddr_t hi, vaddr_t *res)
{
	vaddr_t a;

	if (rq->topdown) {
		if (hi - lo < rq->length)
			return false;
		a = ROUND_DOWN(MIN(hi - rq->length, rq->hint), rq->align);
		if (a < lo)
			return false;
	} else {
		a = ROUND_UP(MAX(lo, rq->hint), rq->align);
		if (a < lo || a >= hi || hi - a < rq->length)
			return false;
	}
	*res = a;
	return true;
}

/* Leftmost (or, reversed, rightmost) node in subtree n with gap >= need. */
static struct vm_map_entry *
gap_extreme(struct rb_node *n, vsize_t need, bool rightmost)
{
	/* LAB findspace BEGIN
	 * STUB (void)n;
	 * STUB (void)need;
	 * STUB (void)rightmost;
	 * STUB lab_unimplemented("findspace", __func__);
	 * STUB return NULL;
	 */
	for (;;) {
		struct rb_node *near = rightmost ? n->rb_right : n->rb_left;
		struct rb_node *far = rightmost ? n->rb_left : n->rb_right;
		uvm_map_findspace_visits++;
		if (NODE_MAXGAP(near) >= need)
			n = near;
		else if (ENTRY(n)->gap >= need)
			return ENTRY(n);
		else
			n = far;    /* maxgap(n) >= need says it is here */
	}
	/* LAB findspace END */
}

/*
 * The next (or previous) entry after e in address order whose gap is at
 * least need, found through the tree without visiting skipped subtrees:
 * the nearest fit below e's node, else climb to the first ancestor on
 * the far side of e and try it and its far subtree, and so on up.
 *
 * From the first entry going forwards (the last going backwards) whose
 * own gap is too small, every other entry lies ahead, so the nearest fit
 * in the whole tree is the answer: one descent from the root, instead of
 * a climb up the tree's edge and a descent again.
 */
static struct vm_map_entry *
gap_step(struct vm_map *map, struct vm_map_entry *e, vsize_t need, bool backwards)
{
	/* LAB findspace BEGIN
	 * STUB (void)map;
	 * STUB (void)e;
	 * STUB (void)need;
	 * STUB (void)backwards;
	 * STUB lab_unimplemented("findspace", __func__);
	 * STUB return NULL;
	 */
	struct rb_node *n = &e->rb_node, *p;
	struct rb_node *ahead = backwards ? n->rb_left : n->rb_right;
	struct rb_node *root = map->rb_tree.rbt_root;

	if (e == (backwards ? map->header.prev : map->header.next) && e->gap < need)
		return NODE_MAXGAP(root) >= need ? gap_extreme(root, need, backwards) : NULL;

	/*
	 * Going forwards the nearest fit in the right subtree is its
	 * leftmost one; going backwards, the rightmost one in the left.
	 */
	if (NODE_MAXGAP(ahead) >= need)
		return gap_extreme(ahead, need, backwards);
	for (; (p = n->rb_parent) != NULL; n = p) {
		if ((backwards ? p->rb_right : p->rb_left) != n)
			continue;       /* p comes before n: keep climbing */
		uvm_map_findspace_visits++;
		if (ENTRY(p)->gap >= need)
			return ENTRY(p);
		ahead = backwards ? p->rb_left : p->rb_right;
		if (NODE_MAXGAP(ahead) >= need)
			return gap_extreme(ahead, need, backwards);
	}
	return NULL;
	/* LAB findspace END */
}

/*
 * The entry at or below va (the header if none): the one whose gap holds
 * va, or ends just below it.  The same descent as rb_tree_find_le, done
 * here so that its nodes count in uvm_map_findspace_visits (and without
 * the lookup hint, which would make the count depend on history).
 */
static struct vm_map_entry *
gap_at(struct vm_map *map, vaddr_t va)
{
	struct rb_node *n = map->rb_tree.rbt_root;
	struct vm_map_entry *best = &map->header;

	/* The common hints, below everything or above it, need no descent. */
	if (map->header.next == &map->header || va < map->header.next->start)
		return &map->header;
	if (va >= map->header.prev->start)
		return map->header.prev;
	while (n != NULL) {
		uvm_map_findspace_visits++;
		if (ENTRY(n)->start <= va) {
			best = ENTRY(n);
			n = n->rb_right;
		} else {
			n = n->rb_left;
		}
	}
	return best;
}

/* Try e's gap (the header: the lead gap). */
static bool
try_gap(const struct vm_map *map, const struct vm_map_entry *e,
    const struct space_req *rq, vaddr_t *res)
{
	if (e == &map->header)
		return space_fits(rq, map->min_offset,
		    map->min_offset + map->lead_gap, res);
	return space_fits(rq, e->end, e->end + e->gap, res);
}

/*
 * After this many gaps that were long enough but failed because of the
 * alignment, search only for gaps long enough for any alignment: it keeps
 * the search O(log n) whatever the alignment.
 */
#define FINDSPACE_ALIGN_TRIES 4

int
uvm_map_findspace(struct vm_map *map, vaddr_t hint, vsize_t length,
    vaddr_t *result, vsize_t align, bool topdown)
{
	struct space_req rq = { hint, length, MAX(align, PAGE_SIZE), topdown };
	struct vm_map_entry *e;
	vsize_t need = length;
	int misses = 0;

	KASSERT(vm_map_locked(map));
	uvm_map_findspace_visits = 0;
	if (length == 0 || (rq.align & (rq.align - 1)) != 0)
		return -EINVAL;
	/* Top-down, a hint of 0 means "no hint": search from the top. */
	if (topdown && (hint == 0 || hint > map->max_offset))
		rq.hint = map->max_offset;
	if (!topdown && hint < map->min_offset)
		rq.hint = map->min_offset;
	/* The last search's answer, while its proof stands (fs_cache_*). */
	if (topdown && fs_cache_usable(map, rq.hint, rq.align, need)) {
		uvm_map_findspace_visits++;
		if (try_gap(map, map->fs_entry, &rq, result))
			return 0;
	}
	/*
	 * The gap the hint falls in first, then gaps in the search
	 * direction.  Either way that is the gap after the entry at or below
	 * the hint: bottom-up every later gap lies above the hint; top-down
	 * every later gap starts below it, and no gap after this one could
	 * start at or below it.
	 */
	e = gap_at(map, rq.hint);
	for (;;) {
		if (try_gap(map, e, &rq, result)) {
			/* The highest fit: every gap above e was tried or skipped. */
			if (topdown && rq.align == PAGE_SIZE && e != &map->header) {
				map->fs_entry = e;
				map->fs_hint = rq.hint;
				map->fs_need = need;
			}
			return 0;
		}
		if (e == &map->header && !topdown) {
			struct rb_node *root = map->rb_tree.rbt_root;
			e = NODE_MAXGAP(root) >= need ? gap_extreme(root, need, false) : NULL;
		} else if (e == &map->header) {
			return -ENOMEM;
		} else {
			if (e->gap >= length && ++misses == FINDSPACE_ALIGN_TRIES)
				need = length + rq.align - PAGE_SIZE;
			e = gap_step(map, e, need, topdown);
		}
		if (e == NULL)
			e = topdown ? &map->header : NULL;
		if (e == NULL)
			return -ENOMEM;
	}
}

/* ------------------------------------------------------------------ */
/* Clipping                                                            */

/* Take another reference on everything e refers to (for a split copy). */
static void
entry_copy_refs(struct vm_map_entry *e)
{
	if (e->object != NULL && e->object->pgops->pgo_reference != NULL)
		e->object->pgops->pgo_reference(e->object);
}

void
uvm_map_clip_start(struct vm_map *map, struct vm_map_entry *entry, vaddr_t va)
{
	struct vm_map_entry *front;

	KASSERT(vm_map_locked(map));
	KASSERT(entry->start < va && va < entry->end);
	front = entry_alloc_clip(map);
	*front = *entry;
	front->end = va;
	entry_copy_refs(front);
	if (entry->aref.ar_amap != NULL)
		amap_splitref(&front->aref, &entry->aref, va - entry->start);
	if (entry->object != NULL)
		entry->offset += va - entry->start;
	/* entry keeps its place in the order: only its start moves up. */
	map->size -= va - entry->start;
	entry->start = va;
	entry_link(map, entry->prev, front);
}

void
uvm_map_clip_end(struct vm_map *map, struct vm_map_entry *entry, vaddr_t va)
{
	struct vm_map_entry *back;

	KASSERT(vm_map_locked(map));
	KASSERT(entry->start < va && va < entry->end);
	back = entry_alloc_clip(map);
	*back = *entry;
	back->start = va;
	entry_copy_refs(back);
	if (entry->aref.ar_amap != NULL)
		amap_splitref(&entry->aref, &back->aref, va - entry->start);
	if (back->object != NULL)
		back->offset += va - entry->start;
	map->size -= entry->end - va;
	entry->end = va;
	entry_link(map, entry, back);
}

/* Clip so that [start, end) begins and ends on entry boundaries. */
static void
clip_range(struct vm_map *map, vaddr_t start, vaddr_t end,
    struct vm_map_entry **first)
{
	struct vm_map_entry *e;

	if (uvm_map_lookup_entry(map, start, &e)) {
		if (e->start < start)
			uvm_map_clip_start(map, e, start);
	} else {
		e = e->next;
	}
	*first = e;
	for (; e != &map->header && e->start < end; e = e->next) {
		if (e->end > end)
			uvm_map_clip_end(map, e, end);
	}
}

/* ------------------------------------------------------------------ */
/* Unmapping                                                           */

/*
 * Phase one: unlink every entry in [start, end), unmapping its pages, and
 * chain them on *dead through their next pointers.  => map locked.
 */
static void
unmap_remove(struct vm_map *map, vaddr_t start, vaddr_t end,
    struct vm_map_entry **dead)
{
	struct vm_map_entry *e, *next;

	clip_range(map, start, end, &e);
	for (; e != &map->header && e->start < end; e = next) {
		next = e->next;
		if (e->wired_count > 0) {
			uvm_fault_unwire(map, e->start, e->end);
			e->wired_count = 0;
		}
		pmap_remove(map->pmap, e->start, e->end);
		entry_unlink(map, e);
		e->next = *dead;
		*dead = e;
	}
	pmap_update(map->pmap);
}

/* Phase two: drop the references the dead entries held.  => map unlocked. */
static void
unmap_detach(struct vm_map_entry *dead)
{
	while (dead != NULL) {
		struct vm_map_entry *next = dead->next;
		if (dead->aref.ar_amap != NULL)
			amap_unref(dead->aref.ar_amap,
			    (vaddr_t)dead->aref.ar_pageoff << PAGE_SHIFT,
			    dead->end - dead->start, false);
		if (dead->object != NULL && dead->object->pgops->pgo_detach != NULL)
			dead->object->pgops->pgo_detach(dead->object);
		entry_free(dead);
		dead = next;
	}
}

void
uvm_unmap(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *dead = NULL;

	KASSERT((start & PAGE_MASK) == 0 && (end & PAGE_MASK) == 0);
	if (start >= end)
		return;
	map_lock_change(map);
	/* Unmapping cannot fail; an unfilled reserve only matters if this
	 * unmap clips and the pool is also empty at that moment. */
	(void)entry_reserve_fill(map);
	MAP_DCHECK(map);
	unmap_remove(map, start, end, &dead);
	if (map->nentries == 0)
		entry_reserve_drain(map);   /* an empty map owns nothing */
	MAP_DCHECK(map);
	vm_map_unlock(map);
	unmap_detach(dead);
}

/* ------------------------------------------------------------------ */
/* Mapping                                                             */

/* What a new entry will look like, decoded from uvm_map's arguments. */
struct newent {
	vaddr_t start;
	vsize_t size;
	struct uvm_object *obj;
	voff_t offset;
	int etype;
	vm_prot_t prot, maxprot;
	int inherit, advice, flags;
};

static bool
newent_decode(vaddr_t start, vsize_t size, struct uvm_object *uobj,
    voff_t uoffset, uvm_flag_t flags, struct newent *ne)
{
	ne->start = start;
	ne->size = size;
	ne->obj = uobj;
	ne->offset = uobj == NULL ? 0 :
	    (uoffset == UVM_UNKNOWN_OFFSET ? (voff_t)start : uoffset);
	ne->prot = UVM_PROTECTION(flags);
	ne->maxprot = UVM_MAXPROTECTION(flags);
	ne->inherit = (int)UVM_INHERIT(flags);
	ne->advice = (int)UVM_ADVICE(flags);
	ne->flags = (flags & UVM_FLAG_NOMERGE) ? UVM_MAP_NOMERGE : 0;
	ne->etype = uobj != NULL ? UVM_ET_OBJ : 0;
	/*
	 * A private mapping starts needs-copy: its amap comes with the first
	 * write.  An overlay has its amap already, so it needs no copy unless
	 * the caller says so (UVM_FLAG_NEEDSCOPY, which only means something
	 * for a private mapping).
	 */
	if (flags & UVM_FLAG_COPYONWRITE) {
		ne->etype |= UVM_ET_COPYONWRITE;
		if (!(flags & UVM_FLAG_OVERLAY) || (flags & UVM_FLAG_NEEDSCOPY))
			ne->etype |= UVM_ET_NEEDSCOPY;
	} else if (flags & UVM_FLAG_NEEDSCOPY) {
		return false;
	}
	return (ne->maxprot & ~VM_PROT_ALL) == 0 && (ne->prot & ~ne->maxprot) == 0 &&
	    ne->inherit <= MAP_INHERIT_ZERO && ne->advice <= UVM_ADV_SEQUENTIAL &&
	    ((ne->offset & PAGE_MASK) == 0);
}

/* Could e be extended to take in ne's range?  (Neither has an amap.) */
static bool
mergeable(const struct vm_map_entry *e, const struct newent *ne)
{
	return !(e->flags & UVM_MAP_NOMERGE) && !(ne->flags & UVM_MAP_NOMERGE) &&
	    e->aref.ar_amap == NULL && e->object == ne->obj &&
	    e->etype == ne->etype && e->protection == ne->prot &&
	    e->max_protection == ne->maxprot && e->inheritance == ne->inherit &&
	    e->advice == ne->advice && e->wired_count == 0 &&
	    e->thp == UVM_THP_DEFAULT;      /* a new entry's advice */
}

static bool joinable(const struct vm_map_entry *a, const struct vm_map_entry *b);
static void join_next(struct vm_map *map, struct vm_map_entry *a);

/*
 * Merge ne into prev (behind it) or next (in front of it) when they are
 * compatible and the object offsets continue.  Returns true if merged; the
 * merged-away object reference is then the caller's to drop.
 *
 * When ne exactly fills the hole between two compatible entries, growing
 * prev makes it touch next, and the two become one:
 *
 *   [prev 0x1000-0x3000)  ne 0x3000-0x4000  [next 0x4000-0x6000)
 *     -> [prev 0x1000-0x6000)     (next's object reference dropped)
 */
static bool
try_merge(struct vm_map *map, struct vm_map_entry *prev, const struct newent *ne)
{
	struct vm_map_entry *next = prev->next;
	vaddr_t end = ne->start + ne->size;

	if (prev != &map->header && prev->end == ne->start && mergeable(prev, ne) &&
	    (ne->obj == NULL || prev->offset + (voff_t)(prev->end - prev->start) == ne->offset)) {
		prev->end = end;
		map->size += ne->size;
		gap_update(map, prev);
		map->timestamp++;
		if (next != &map->header && joinable(prev, next))
			join_next(map, prev);
		return true;
	}
	if (next != &map->header && next->start == end && mergeable(next, ne) &&
	    (ne->obj == NULL || ne->offset + (voff_t)ne->size == next->offset)) {
		next->start = ne->start;    /* order kept: nothing lies between */
		next->offset = ne->offset;
		map->size += ne->size;
		gap_update(map, prev);
		map->timestamp++;
		return true;
	}
	return false;
}

/* Make the new entry (and its amap, for an overlay).  => map locked. */
static int
insert_new(struct vm_map *map, struct vm_map_entry *prev,
    const struct newent *ne, uvm_flag_t flags)
{
	struct vm_map_entry *e = entry_alloc();

	if (e == NULL)
		return -ENOMEM;
	e->start = ne->start;
	e->end = ne->start + ne->size;
	e->object = ne->obj;
	e->offset = ne->offset;
	e->etype = ne->etype;
	e->protection = ne->prot;
	e->max_protection = ne->maxprot;
	e->inheritance = ne->inherit;
	e->advice = ne->advice;
	e->flags = ne->flags;
	if (flags & UVM_FLAG_OVERLAY) {
		e->aref.ar_amap = amap_alloc(ne->size, 0, 0);
		if (e->aref.ar_amap == NULL) {
			entry_free(e);
			return -ENOMEM;
		}
	}
	entry_link(map, prev, e);
	return 0;
}

/* Is any of [start, end) mapped?  => map locked. */
static bool
range_busy(struct vm_map *map, vaddr_t start, vaddr_t end,
    struct vm_map_entry **prev)
{
	if (uvm_map_lookup_entry(map, start, prev))
		return true;
	return (*prev)->next != &map->header && (*prev)->next->start < end;
}

/* Pick the place: FIXED (maybe replacing), or findspace.  => map locked. */
static int
map_place(struct vm_map *map, vaddr_t *startp, vsize_t size, vsize_t align,
    uvm_flag_t flags, struct vm_map_entry **prev, struct vm_map_entry **dead)
{
	vaddr_t start = *startp;
	int error;

	if (flags & UVM_FLAG_FIXED) {
		if (start < map->min_offset || start > map->max_offset ||
		    map->max_offset - start < size || (start & (MAX(align, PAGE_SIZE) - 1)))
			return -EINVAL;
		if (flags & UVM_FLAG_UNMAP)
			unmap_remove(map, start, start + size, dead);
		else if (range_busy(map, start, start + size, prev))
			return -EEXIST;
	} else {
		bool topdown = (flags & UVM_FLAG_TOPDOWN) || (map->flags & VM_MAP_TOPDOWN);
		error = uvm_map_findspace(map, start, size, &start, align, topdown);
		MAP_STAT(fs_searches);
		__atomic_fetch_add(&uvm_map_stats.fs_visits, uvm_map_findspace_visits,
		    __ATOMIC_RELAXED);
		if (error != 0)
			return error;
	}
	range_busy(map, start, start + size, prev);
	*startp = start;
	return 0;
}

int
uvm_map(struct vm_map *map, vaddr_t *startp, vsize_t size,
    struct uvm_object *uobj, voff_t uoffset, vsize_t align, uvm_flag_t flags)
{
	struct vm_map_entry *prev, *dead = NULL;
	struct newent ne;
	bool merged = false;
	int error;

	if (size == 0 || (size & PAGE_MASK) || (*startp & PAGE_MASK) ||
	    (align & (align - 1)) ||
	    !newent_decode(*startp, size, uobj, uoffset, flags, &ne))
		return -EINVAL;
	if (map_lock_to_clip(map) != 0)
		return -ENOMEM;
	MAP_DCHECK(map);
	error = map_place(map, startp, size, align, flags, &prev, &dead);
	if (error == 0) {
		newent_decode(*startp, size, uobj, uoffset, flags, &ne);
		merged = !(flags & UVM_FLAG_OVERLAY) && try_merge(map, prev, &ne);
		if (!merged)
			error = insert_new(map, prev, &ne, flags);
	}
	MAP_DCHECK(map);
	vm_map_unlock(map);
	unmap_detach(dead);
	/* Merged into an entry that already holds a reference to uobj. */
	if (merged && uobj != NULL && uobj->pgops->pgo_detach != NULL)
		uobj->pgops->pgo_detach(uobj);
	return error;
}

/* ------------------------------------------------------------------ */
/* Changing attributes of a range, and merging afterwards              */

/* Is all of [start, end) mapped, without holes?  => map locked. */
static bool
range_covered(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e;
	vaddr_t at = start;

	if (!uvm_map_lookup_entry(map, start, &e))
		return false;
	for (; e != &map->header && e->start <= at && at < end; e = e->next)
		at = e->end;
	return at >= end;
}

/* Can b (just after a) be folded into a? */
static bool
joinable(const struct vm_map_entry *a, const struct vm_map_entry *b)
{
	vsize_t alen = a->end - a->start;

	if (a->end != b->start || ((a->flags | b->flags) & UVM_MAP_NOMERGE) ||
	    a->object != b->object || a->etype != b->etype ||
	    a->protection != b->protection || a->max_protection != b->max_protection ||
	    a->inheritance != b->inheritance || a->advice != b->advice ||
	    a->wired_count != b->wired_count || a->thp != b->thp)
		return false;
	if (a->object != NULL && a->offset + (voff_t)alen != b->offset)
		return false;
	if (a->aref.ar_amap != b->aref.ar_amap)
		return false;
	/* The same amap: only if b's window continues a's. */
	return a->aref.ar_amap == NULL ||
	    b->aref.ar_pageoff == a->aref.ar_pageoff + (int)(alen >> PAGE_SHIFT);
}

/* Fold a->next into a.  => joinable(a, a->next); map locked. */
static void
join_next(struct vm_map *map, struct vm_map_entry *a)
{
	struct vm_map_entry *b = a->next;

	if (a->aref.ar_amap != NULL)
		amap_mergeref(&a->aref, &b->aref, a->end - a->start);
	/* a still holds a reference to the object, so this is not the last. */
	if (b->object != NULL && b->object->pgops->pgo_detach != NULL)
		b->object->pgops->pgo_detach(b->object);
	entry_unlink(map, b);
	a->end = b->end;
	map->size += b->end - b->start;
	gap_update(map, a);
	entry_free(b);
}

/* Merge what can be merged from the entry before start to the one at end. */
static void
merge_range(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e;

	uvm_map_lookup_entry(map, start, &e);
	if (e != &map->header && e->prev != &map->header)
		e = e->prev;
	if (e == &map->header)
		e = e->next;
	for (; e != &map->header && e->start <= end; e = e->next) {
		while (e->next != &map->header && joinable(e, e->next))
			join_next(map, e);
	}
}

/*
 * May prot be set on every entry in [start, end)?  It must not exceed
 * any entry's maximum, whether it becomes the protection or the new
 * maximum: a maximum can only ever be lowered.  => map locked.
 */
static int
protect_allowed(struct vm_map *map, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	struct vm_map_entry *e;

	if (!range_covered(map, start, end))
		return -ENOMEM;
	uvm_map_lookup_entry(map, start, &e);
	for (; e != &map->header && e->start < end; e = e->next) {
		if (prot & ~e->max_protection)
			return -EACCES;
	}
	return 0;
}

int
uvm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_prot_t prot, bool set_max)
{
	struct vm_map_entry *e;
	int error;

	if ((start & PAGE_MASK) || (end & PAGE_MASK) || start > end ||
	    (prot & ~VM_PROT_ALL))
		return -EINVAL;
	if (map_lock_to_clip(map) != 0)
		return -ENOMEM;
	MAP_DCHECK(map);
	/* An empty range changes nothing and is no error (as mprotect). */
	error = start < end ? protect_allowed(map, start, end, prot) : 0;
	if (error == 0 && start < end) {
		clip_range(map, start, end, &e);
		for (; e != &map->header && e->start < end; e = e->next) {
			vm_prot_t old = vm_prot_hw(e->protection);
			if (set_max)
				e->max_protection = prot;
			e->protection = set_max ? (e->protection & prot) : prot;
			/* Lowered: take the permission out of the page tables
			 * now.  Raised: the next fault maps it. */
			if (old & ~vm_prot_hw(e->protection))
				pmap_protect(map->pmap, e->start, e->end,
				    vm_prot_hw(e->protection));
		}
		pmap_update(map->pmap);
		map->timestamp++;
		merge_range(map, start, end);
	}
	MAP_DCHECK(map);
	vm_map_unlock(map);
	return error;
}

/* Set one int field of every entry in [start, end): inheritance, advice
 * or the 2 MiB page advice. */
static int
map_set_field(struct vm_map *map, vaddr_t start, vaddr_t end,
    size_t field, int value)
{
	struct vm_map_entry *e;

	if ((start & PAGE_MASK) || (end & PAGE_MASK) || start > end)
		return -EINVAL;
	if (map_lock_to_clip(map) != 0)
		return -ENOMEM;
	MAP_DCHECK(map);
	if (start < end) {
		clip_range(map, start, end, &e);
		for (; e != &map->header && e->start < end; e = e->next)
			*(int *)((char *)e + field) = value;
		map->timestamp++;
		merge_range(map, start, end);
	}
	MAP_DCHECK(map);
	vm_map_unlock(map);
	return 0;
}

int
uvm_map_inherit(struct vm_map *map, vaddr_t start, vaddr_t end, int inherit)
{
	if (inherit < MAP_INHERIT_SHARE || inherit > MAP_INHERIT_ZERO)
		return -EINVAL;
	return map_set_field(map, start, end,
	    offsetof(struct vm_map_entry, inheritance), inherit);
}

int
uvm_map_advice(struct vm_map *map, vaddr_t start, vaddr_t end, int advice)
{
	if (advice < UVM_ADV_NORMAL || advice > UVM_ADV_SEQUENTIAL)
		return -EINVAL;
	return map_set_field(map, start, end,
	    offsetof(struct vm_map_entry, advice), advice);
}

int
uvm_map_thp(struct vm_map *map, vaddr_t start, vaddr_t end, int thp)
{
	if (thp < UVM_THP_DEFAULT || thp > UVM_THP_NEVER)
		return -EINVAL;
	return map_set_field(map, start, end, offsetof(struct vm_map_entry, thp), thp);
}

bool
uvm_map_entry_thp_eligible(const struct vm_map_entry *e)
{
	vaddr_t first = ROUND_UP(e->start, NBPD_L2);

	return uvm_thp_entry_ok(e) && first + NBPD_L2 <= e->end;
}

/*
 * Drop e's private anons in [start, end) (inside e).  Only an amap that
 * this entry alone uses loses anons: one still shared with a fork's
 * needs-copy entry is copied first (the fork keeps its view), and one
 * shared on purpose (AMAP_SHARED: minherit MAP_INHERIT_SHARE) is shared
 * memory, whose data other processes still see.  => map locked.
 */
static void
dontneed_entry(struct vm_map *map, struct vm_map_entry *e, vaddr_t start, vaddr_t end)
{
	struct vm_amap *amap = e->aref.ar_amap;

	KASSERT(e->wired_count == 0);
	pmap_remove(map->pmap, start, end);
	if (amap == NULL || !(e->etype & UVM_ET_COPYONWRITE) ||
	    (amap->am_flags & AMAP_SHARED))
		return;         /* shared memory keeps its data */
	if (e->etype & UVM_ET_NEEDSCOPY) {
		if (amap_copy(map, e, AMAP_COPY_NOCHUNK, e->start, e->end) != 0)
			return;     /* no memory: keeping the pages is allowed */
		amap = e->aref.ar_amap;
	}
	mutex_enter(amap->am_lock);
	amap_wipe(&e->aref, start - e->start, end - start);
	mutex_exit(amap->am_lock);
}

/* The first entry that ends after va (or the header).  => map locked. */
static struct vm_map_entry *
entry_from(struct vm_map *map, vaddr_t va)
{
	struct vm_map_entry *e;

	uvm_map_lookup_entry(map, va, &e);
	if (e == &map->header || e->end <= va)
		e = e->next;
	return e;
}

/* Is any entry in [start, end) wired?  => map locked. */
static bool
range_wired(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	for (struct vm_map_entry *e = entry_from(map, start);
	    e != &map->header && e->start < end; e = e->next) {
		if (e->wired_count > 0)
			return true;
	}
	return false;
}

int
uvm_map_dontneed(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	if ((start & PAGE_MASK) || (end & PAGE_MASK) || start > end)
		return -EINVAL;
	map_lock_change(map);
	/* Wired pages must stay (Linux: EINVAL for a locked range). */
	if (range_wired(map, start, end)) {
		vm_map_unlock(map);
		return -EINVAL;
	}
	for (struct vm_map_entry *e = entry_from(map, start);
	    e != &map->header && e->start < end; e = e->next)
		dontneed_entry(map, e, MAX(start, e->start), MIN(end, e->end));
	pmap_update(map->pmap);
	map->timestamp++;
	vm_map_unlock(map);
	return 0;
}

int
uvm_map_grow(struct vm_map *map, vaddr_t end, vsize_t len)
{
	struct vm_map_entry *e;
	int error = 0;

	if ((end & PAGE_MASK) || end == 0 || (len & PAGE_MASK) || len == 0)
		return -EINVAL;
	map_lock_change(map);
	MAP_DCHECK(map);
	if (!uvm_map_lookup_entry(map, end - PAGE_SIZE, &e))
		error = -EFAULT;
	else if (e->end != end)     /* the entry's own pages follow: no room */
		error = -ENOMEM;
	else if (e->gap < len || e->wired_count > 0 ||
	    (e->object != NULL && !(e->etype & UVM_ET_COPYONWRITE)))
		error = -ENOMEM;
	else if (e->aref.ar_amap != NULL) {
		/* amap_extend reshapes the amap under its one entry: one still
		 * shared with a fork, or with the rest of a clipped entry (as
		 * after mremap moved a prefix), cannot grow. */
		struct vm_amap *amap = e->aref.ar_amap;
		mutex_enter(amap->am_lock);
		bool shared = amap->am_ref != 1;
		mutex_exit(amap->am_lock);
		error = shared ? -ENOMEM : amap_extend(e, len, AMAP_EXTEND_FORWARDS);
	}
	if (error == 0) {
		e->end += len;
		map->size += len;
		gap_update(map, e);
		map->timestamp++;
	}
	MAP_DCHECK(map);
	vm_map_unlock(map);
	return error;
}

KOPT(pmapmove, "pmapmove", "0: mremap moves a mapping's entries and unmaps its pages, "
    "which fault back in at the new address (pmap_move is a speed-up only; default 1)");

bool uvm_map_pmapmove_on = true;

/*
 * Move the entries of [old, old + size) (clipped to it, no holes) to
 * start at new, which is free and does not overlap them.  One by one,
 * in address order: each is unlinked, shifted and linked at its new
 * place.  The amap window and object offset do not depend on where an
 * entry sits, so nothing is copied.  The teaching path unmaps the pages,
 * which fault back in at the new address; the speed-up (pmapmove=0
 * turns it off) has the pmap move the PTEs along, so a 64 MiB mremap
 * costs no 16,384 faults (issue 22).  => map locked, spares filled.
 */
static void
move_range(struct vm_map *map, vaddr_t old, vsize_t size, vaddr_t new)
{
	struct vm_map_entry *e, *next, *prev;

	clip_range(map, old, old + size, &e);
	if (uvm_map_pmapmove_on)
		pmap_move(map->pmap, old, new, size);
	else {
		pmap_remove(map->pmap, old, old + size);
		pmap_update(map->pmap);
	}
	for (; e != &map->header && e->start < old + size; e = next) {
		next = e->next;
		entry_unlink(map, e);
		e->start = e->start - old + new;
		e->end = e->end - old + new;
		range_busy(map, e->start, e->end, &prev);
		entry_link(map, prev, e);
	}
	merge_range(map, new, new + size);
}

int
uvm_map_move(struct vm_map *map, vaddr_t old, vsize_t size, vaddr_t new)
{
	struct vm_map_entry *prev;
	int error = 0;

	if ((old | size | new) & PAGE_MASK || size == 0 || new < map->min_offset ||
	    new > map->max_offset - size)
		return -EINVAL;
	if (map_lock_to_clip(map) != 0)
		return -ENOMEM;
	MAP_DCHECK(map);
	/* Several entries move as one: a mapping grown in place while a
	 * fork shared its amap is two entries (uvm_map_grow refuses). */
	if (!range_covered(map, old, old + size))
		error = -EFAULT;
	else if (range_wired(map, old, old + size))
		error = -EBUSY;
	else if (range_busy(map, new, new + size, &prev))
		error = -EEXIST;
	if (error == 0) {
		move_range(map, old, size, new);
		map->timestamp++;
	}
	MAP_DCHECK(map);
	vm_map_unlock(map);
	return error;
}

bool
uvm_map_checkprot(struct vm_map *map, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	struct vm_map_entry *e;
	vaddr_t at = start;
	bool ok;

	vm_map_lock(map);
	ok = uvm_map_lookup_entry(map, start, &e);
	for (; ok && at < end; e = e->next) {
		if (e == &map->header || e->start > at || (e->protection & prot) != prot)
			ok = false;
		else
			at = e->end;
	}
	vm_map_unlock(map);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Wiring                                                              */

/*
 * Unwire [start, end): every entry there must be wired.  Entries that
 * were clipped apart for the wiring and are equal again join back.
 *  => map locked.
 */
static int
unwire_range(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e;

	uvm_map_lookup_entry(map, start, &e);
	for (struct vm_map_entry *w = e; w != &map->header && w->start < end; w = w->next) {
		if (w->wired_count == 0)
			return -EINVAL;
	}
	clip_range(map, start, end, &e);
	for (; e != &map->header && e->start < end; e = e->next) {
		if (--e->wired_count == 0)
			uvm_fault_unwire(map, e->start, e->end);
	}
	map->timestamp++;
	merge_range(map, start, end);
	return 0;
}

/* Undo wire_prepare's counting on [start, end).  => map locked. */
static void
wire_uncount(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e;

	uvm_map_lookup_entry(map, start, &e);
	for (; e != &map->header && e->start < end; e = e->next) {
		if (e->wired_count > 0)
			e->wired_count--;
	}
}

/*
 * Count a wiring on every entry of [start, end), resolving needs-copy
 * first where a fault would need a private amap (a wired page must not
 * be shared copy-on-write: the write that would copy it could not fault,
 * and the fault must not clip entries while we walk them).  => map locked.
 */
static int
wire_prepare(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e;

	clip_range(map, start, end, &e);
	for (; e != &map->header && e->start < end; e = e->next) {
		if (e->wired_count++ > 0)
			continue;
		if ((e->etype & UVM_ET_NEEDSCOPY) &&
		    ((e->protection & VM_PROT_WRITE) || e->object == NULL)) {
			int error = amap_copy(map, e, AMAP_COPY_NOCHUNK, e->start, e->end);
			if (error != 0) {
				e->wired_count--;
				wire_uncount(map, start, e->start);
				return error;
			}
		}
	}
	map->timestamp++;
	return 0;
}

/*
 * Fault in the pages of the entries in [start, end) that have just been
 * wired for the first time (wired_count 1); entries wired before already
 * have their pages wired.  On failure, unwire what this call wired.
 * The map is busy for this thread (no other changes its entries; a
 * fault elsewhere may clip one, and a clipped entry keeps its count), so
 * every address is still in an entry counted by wire_prepare.
 *  => map unlocked (each step locks it), busy for this thread.
 */
static int
wire_fault_new(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	for (vaddr_t va = start; va < end;) {
		struct vm_map_entry *e;
		vm_map_lock(map);
		bool found = uvm_map_lookup_entry(map, va, &e);
		KASSERT(found);
		vaddr_t next = MIN(e->end, end);
		bool fresh = e->wired_count == 1;
		vm_map_unlock(map);
		int error = fresh ? uvm_fault_wire(map, va, next, VM_PROT_READ) : 0;
		if (error != 0) {
			vm_map_lock(map);
			for (vaddr_t u = start; u < va; u = next) {
				uvm_map_lookup_entry(map, u, &e);
				next = MIN(e->end, va);
				if (e->wired_count == 1)
					uvm_fault_unwire(map, u, next);
			}
			vm_map_unlock(map);
			return error;
		}
		va = next;
	}
	return 0;
}

int
uvm_map_pageable(struct vm_map *map, vaddr_t start, vaddr_t end, bool new_pageable)
{
	int error;

	if ((start & PAGE_MASK) || (end & PAGE_MASK) || start > end)
		return -EINVAL;
	if (start == end)
		return 0;
	if (map_lock_to_clip(map) != 0)
		return -ENOMEM;
	MAP_DCHECK(map);
	if (!range_covered(map, start, end))
		error = -ENOMEM;
	else if (new_pageable)
		error = unwire_range(map, start, end);
	else
		error = wire_prepare(map, start, end);
	MAP_DCHECK(map);
	if (error != 0 || new_pageable) {
		vm_map_unlock(map);
		return error;
	}
	/* Busy until the pages are in: the entries counted stay as they are. */
	map_busy(map);
	vm_map_unlock(map);
	error = wire_fault_new(map, start, end);
	vm_map_lock(map);
	if (error != 0) {
		wire_uncount(map, start, end);
		merge_range(map, start, end);
		MAP_DCHECK(map);
	}
	map_unbusy(map);
	vm_map_unlock(map);
	return error;
}

/* ------------------------------------------------------------------ */
/* Setup, checks and printing                                          */

void
uvm_map_init(void)
{
	pool_init(&entry_pool, sizeof(struct vm_map_entry), 8, "vmmapent");
	pool_init(&vmspace_pool, sizeof(struct vmspace), 8, "vmspace");
	uvm_map_fscache_on = kopt_get_u64("fscache", 1) != 0;
	uvm_map_pmapmove_on = kopt_get_u64("pmapmove", 1) != 0;
}

void
uvm_map_setup(struct vm_map *map, struct pmap *pmap, vaddr_t min, vaddr_t max,
    int flags)
{
	memset(map, 0, sizeof(*map));
	rw_init(&map->lock, "vm_map");
	map->pmap = pmap;
	map->header.next = map->header.prev = &map->header;
	map->header.start = map->header.end = min;
	rb_tree_init(&map->rb_tree, &entry_rb_ops);
	map->min_offset = min;
	map->max_offset = max;
	map->lead_gap = max - min;
	map->hint = &map->header;
	map->flags = flags;
}

static bool
maxgap_ok(const struct rb_node *n)
{
	const struct vm_map_entry *e = ENTRY(n);

	return e->maxgap == MAX(e->gap, MAX(NODE_MAXGAP(n->rb_left),
	    NODE_MAXGAP(n->rb_right)));
}

/* One entry against its neighbours and the map's bounds. */
static int
check_entry(struct vm_map *map, const struct vm_map_entry *e,
    const struct rb_node *treenode, kprint_fn pr)
{
	int bad = 0;

#define MAPCHECK(cond, ...) do { if (!(cond)) { pr("uvm_map_check: " __VA_ARGS__); bad++; } } while (0)
	MAPCHECK(e->start < e->end && !(e->start & PAGE_MASK) && !(e->end & PAGE_MASK),
	    "entry %p has a bad range %#lx-%#lx\n", (const void *)e, e->start, e->end);
	MAPCHECK(e->start >= map->min_offset && e->end <= map->max_offset,
	    "entry %#lx-%#lx outside the map\n", e->start, e->end);
	MAPCHECK(e->next->prev == e && e->prev->next == e,
	    "entry %#lx: list links not mutual\n", e->start);
	MAPCHECK(e->prev == &map->header || e->prev->end <= e->start,
	    "entry %#lx overlaps or is out of order\n", e->start);
	MAPCHECK(e->gap == gap_end(map, e) - e->end,
	    "entry %#lx: gap %#lx, should be %#lx\n", e->start, e->gap,
	    gap_end(map, e) - e->end);
	MAPCHECK(treenode == &e->rb_node,
	    "entry %#lx: the tree has another entry at this position\n", e->start);
	MAPCHECK((e->protection & ~e->max_protection) == 0,
	    "entry %#lx: protection above its maximum\n", e->start);
	MAPCHECK(e->aref.ar_amap == NULL || e->aref.ar_pageoff +
	    (int)((e->end - e->start) >> PAGE_SHIFT) <= e->aref.ar_amap->am_nslot,
	    "entry %#lx: amap window past the amap\n", e->start);
#undef MAPCHECK
	return bad;
}

/*
 * The findspace cache's claim, checked: fs_entry is an entry of the map
 * and no gap above it fits fs_need bytes below fs_hint.
 */
static int
fs_cache_check(const struct vm_map *map, kprint_fn pr)
{
	struct space_req rq = { map->fs_hint, map->fs_need, PAGE_SIZE, true };
	bool found = false;
	vaddr_t va;

	if (map->fs_entry == NULL)
		return 0;
	for (const struct vm_map_entry *e = map->header.next; e != &map->header;
	    e = e->next) {
		if (found && try_gap(map, e, &rq, &va)) {
			pr("uvm_map_check: findspace cache at %#lx is stale: the gap "
			    "after %#lx fits %#lx bytes below %#lx\n",
			    map->fs_entry->start, e->start, map->fs_need, map->fs_hint);
			return 1;
		}
		found |= e == map->fs_entry;
	}
	if (!found)
		pr("uvm_map_check: findspace cache %p is not an entry of the map\n",
		    (void *)map->fs_entry);
	return found ? 0 : 1;
}

int
uvm_map_check(struct vm_map *map, kprint_fn pr)
{
	const struct rb_node *tn = rb_tree_first(&map->rb_tree);
	vsize_t size = 0;
	int n = 0, bad = 0;
	bool hint_found = map->hint == &map->header;

	for (struct vm_map_entry *e = map->header.next; e != &map->header; e = e->next) {
		bad += check_entry(map, e, tn, pr);
		hint_found |= e == map->hint;
		tn = tn != NULL ? rb_tree_next(tn) : NULL;
		size += e->end - e->start;
		if (++n > map->nentries + 1)
			break;      /* a loop in the list: counted below */
	}
	__atomic_fetch_add(&uvm_map_check_entries, (uint64_t)n, __ATOMIC_RELAXED);
	if (n != map->nentries || size != map->size || tn != NULL ||
	    map->rb_tree.rbt_count != (size_t)map->nentries) {
		pr("uvm_map_check: %d entries, %#lx bytes in the list; map says %d, %#lx; "
		    "tree has %zu\n", n, size, map->nentries, map->size,
		    map->rb_tree.rbt_count);
		bad++;
	}
	if (map->lead_gap != gap_end(map, &map->header) - map->min_offset) {
		pr("uvm_map_check: lead gap %#lx is wrong\n", map->lead_gap);
		bad++;
	}
	/* A hint left pointing at a freed entry would be a use after free. */
	if (!hint_found) {
		pr("uvm_map_check: hint %p is not an entry of the map\n",
		    (void *)map->hint);
		bad++;
	}
	bad += fs_cache_check(map, pr);
	return bad + rb_tree_check(&map->rb_tree, maxgap_ok, pr);
}

static const char *
inherit_name(int inh)
{
	static const char *const names[] = { "share", "copy", "none", "zero" };

	return inh >= 0 && inh <= MAP_INHERIT_ZERO ? names[inh] : "?";
}

static const char *
advice_name(int adv)
{
	static const char *const names[] = { "normal", "random", "sequential" };

	return adv >= 0 && adv <= UVM_ADV_SEQUENTIAL ? names[adv] : "?";
}

static const char *
thp_name(int thp)
{
	return thp == UVM_THP_HUGE ? " hugepage" : thp == UVM_THP_NEVER ? " nohugepage" : "";
}

void
uvm_map_entry_print(const struct vm_map_entry *e, kprint_fn pr)
{
	pr("  %012lx-%012lx %c%c%c/%c%c%c %-5s %-10s%s%s%s%s%s amap %p+%d obj %p+%#lx gap %#lx\n",
	    e->start, e->end,
	    (e->protection & VM_PROT_READ) ? 'r' : '-',
	    (e->protection & VM_PROT_WRITE) ? 'w' : '-',
	    (e->protection & VM_PROT_EXECUTE) ? 'x' : '-',
	    (e->max_protection & VM_PROT_READ) ? 'r' : '-',
	    (e->max_protection & VM_PROT_WRITE) ? 'w' : '-',
	    (e->max_protection & VM_PROT_EXECUTE) ? 'x' : '-',
	    inherit_name(e->inheritance), advice_name(e->advice),
	    (e->etype & UVM_ET_COPYONWRITE) ? " cow" : "",
	    (e->etype & UVM_ET_NEEDSCOPY) ? " needs-copy" : "",
	    e->wired_count ? " wired" : "", (e->flags & UVM_MAP_NOMERGE) ? " nomerge" : "",
	    thp_name(e->thp), (void *)e->aref.ar_amap, e->aref.ar_pageoff, (void *)e->object,
	    (uint64_t)e->offset, e->gap);
}

void
uvm_map_print(struct vm_map *map, kprint_fn pr)
{
	pr("map %p: [%#lx, %#lx) %d entries, %#lx bytes, lead gap %#lx, "
	    "pmap %p, timestamp %u\n", (void *)map, map->min_offset,
	    map->max_offset, map->nentries, map->size, map->lead_gap,
	    (void *)map->pmap, map->timestamp);
	for (struct vm_map_entry *e = map->header.next; e != &map->header; e = e->next)
		uvm_map_entry_print(e, pr);
}

/* ------------------------------------------------------------------ */
/* vmspaces                                                            */

struct vmspace *
uvmspace_alloc(vaddr_t min, vaddr_t max, bool topdown)
{
	struct vmspace *vm = pool_get(&vmspace_pool, PR_ZERO);
	struct pmap *pmap;

	if (vm == NULL)
		return NULL;
	pmap = pmap_create();
	if (pmap == NULL) {
		pool_put(&vmspace_pool, vm);
		return NULL;
	}
	uvm_map_setup(&vm->vm_map, pmap, min, max,
	    VM_MAP_VMSPACE | (topdown ? VM_MAP_TOPDOWN : 0));
	vm->vm_refcnt = 1;
	return vm;
}

void
uvmspace_addref(struct vmspace *vm)
{
	atomic_inc_int(&vm->vm_refcnt);
}

void
uvmspace_free(struct vmspace *vm)
{
	struct vm_map *map = &vm->vm_map;
	int left = atomic_dec_int(&vm->vm_refcnt);

	KASSERT(left >= 0);
	if (left > 0)
		return;
	uvm_unmap(map, map->min_offset, map->max_offset);
	KASSERT(map->nentries == 0);
	pmap_destroy(map->pmap);
	pool_put(&vmspace_pool, vm);
}

void
uvmspace_exec(struct vmspace *vm, vaddr_t min, vaddr_t max)
{
	struct vm_map *map = &vm->vm_map;

	KASSERT(vm->vm_refcnt == 1);
	uvm_unmap(map, map->min_offset, map->max_offset);
	vm_map_lock(map);
	map->min_offset = min;
	map->max_offset = max;
	map->lead_gap = max - min;
	map->timestamp++;
	vm_map_unlock(map);
	vm->vm_daddr = vm->vm_dsize = 0;
	vm->vm_minsaddr = vm->vm_maxsaddr = 0;
}

/*
 * A copy of old at the end of the child's map, taking its own object
 * reference.  It is linked at once, so that whatever is done to it next
 * (amap_copy, say) sees a proper entry of new_map.
 */
static struct vm_map_entry *
fork_entry_copy(struct vm_map *new_map, const struct vm_map_entry *old)
{
	struct vm_map_entry *e = entry_alloc();

	if (e == NULL)
		return NULL;
	*e = *old;
	e->wired_count = 0;
	entry_copy_refs(e);
	entry_link(new_map, new_map->header.prev, e);
	return e;
}

/*
 * Share: both maps use the same amap (made now if the parent had none
 * yet, or had one still shared copy-on-write) and the same object.
 */
static int
fork_share(struct vm_map *old_map, struct vm_map_entry *old,
    struct vm_map *new_map)
{
	if (old->etype & UVM_ET_NEEDSCOPY) {
		int error = amap_copy(old_map, old, AMAP_COPY_NOCHUNK, old->start, old->end);
		if (error != 0)
			return error;
	}
	if (fork_entry_copy(new_map, old) == NULL)
		return -ENOMEM;
	if (old->aref.ar_amap != NULL)
		amap_ref(old->aref.ar_amap, (vaddr_t)old->aref.ar_pageoff << PAGE_SHIFT,
		    old->end - old->start, AMAP_SHARED);
	return 0;
}

/*
 * Copy: both entries become needs-copy over the shared amap, and the
 * parent loses write access in its page tables, so the first write on
 * either side faults and gets a private copy.  Two cases cannot work that
 * way and give the child its own amap at once instead: a wired parent
 * entry (it must keep write access; the child copies the pages now), and
 * an amap shared with other processes (making the parent needs-copy would
 * cut it off from them).
 */
static int
fork_copy(struct vm_map *old_map, struct vm_map_entry *old,
    struct vm_map *new_map)
{
	struct vm_map_entry *e = fork_entry_copy(new_map, old);
	struct vm_amap *amap = old->aref.ar_amap;
	int error = 0;

	if (e == NULL)
		return -ENOMEM;
	if (amap != NULL)
		amap_ref(amap, (vaddr_t)old->aref.ar_pageoff << PAGE_SHIFT,
		    old->end - old->start, 0);
	e->etype |= UVM_ET_COPYONWRITE | UVM_ET_NEEDSCOPY;
	if (amap != NULL && (old->wired_count > 0 || (amap->am_flags & AMAP_SHARED))) {
		error = amap_copy(new_map, e, AMAP_COPY_NOCHUNK, e->start, e->end);
		if (error == 0 && old->wired_count > 0)
			error = amap_cow_now(new_map, e);
		return error;
	}
	if (amap != NULL || (old->etype & UVM_ET_COPYONWRITE)) {
		old->etype |= UVM_ET_COPYONWRITE | UVM_ET_NEEDSCOPY;
		pmap_protect(old_map->pmap, old->start, old->end,
		    vm_prot_hw(old->protection) & ~VM_PROT_WRITE);
	}
	return 0;
}

/* Zero: the child gets fresh anonymous memory with the same protection. */
static int
fork_zero(const struct vm_map_entry *old, struct vm_map *new_map)
{
	struct vm_map_entry *e = entry_alloc();

	if (e == NULL)
		return -ENOMEM;
	*e = *old;
	e->object = NULL;
	e->offset = 0;
	e->aref.ar_amap = NULL;
	e->aref.ar_pageoff = 0;
	e->wired_count = 0;
	e->etype = UVM_ET_COPYONWRITE | UVM_ET_NEEDSCOPY;
	entry_link(new_map, new_map->header.prev, e);
	return 0;
}

/* The child's entry for old (or none), by inheritance.  => both maps locked. */
static int
fork_one(struct vm_map *old_map, struct vm_map_entry *old, struct vm_map *new_map)
{
	switch (old->inheritance) {
	case MAP_INHERIT_SHARE:
		return fork_share(old_map, old, new_map);
	case MAP_INHERIT_COPY:
		return fork_copy(old_map, old, new_map);
	case MAP_INHERIT_ZERO:
		return fork_zero(old, new_map);
	default:
		return 0;       /* MAP_INHERIT_NONE: nothing in the child */
	}
}

struct vmspace *
uvmspace_fork(struct vmspace *vm)
{
	struct vm_map *old_map = &vm->vm_map, *new_map;
	struct vmspace *nvm;
	int error = 0;

	nvm = uvmspace_alloc(old_map->min_offset, old_map->max_offset,
	    old_map->flags & VM_MAP_TOPDOWN);
	if (nvm == NULL)
		return NULL;
	new_map = &nvm->vm_map;
	nvm->vm_daddr = vm->vm_daddr;
	nvm->vm_dsize = vm->vm_dsize;
	nvm->vm_minsaddr = vm->vm_minsaddr;
	nvm->vm_maxsaddr = vm->vm_maxsaddr;
	map_lock_change(old_map);    /* not mid-wiring (fork_copy) */
	vm_map_lock(new_map);
	for (struct vm_map_entry *old = old_map->header.next;
	    old != &old_map->header && error == 0; old = old->next)
		error = fork_one(old_map, old, new_map);
	pmap_update(old_map->pmap);
	old_map->timestamp++;
	/* Fork walked every entry anyway: a whole check costs no more. */
	MAP_DCHECK_ALL(old_map);
	MAP_DCHECK_ALL(new_map);
	vm_map_unlock(new_map);
	vm_map_unlock(old_map);
	if (error != 0) {
		uvmspace_free(nvm);
		return NULL;
	}
	return nvm;
}
