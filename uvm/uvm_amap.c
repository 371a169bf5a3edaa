/*
 * uvm/uvm_amap.c - amaps, the anonymous (upper) layer of map entries.
 *
 * Why an amap: a private mapping starts out sharing pages (an object's, or
 * the parent's after fork) and gets its own copy of a page only when it
 * writes that page.  The amap is the per-mapping table of "pages I have my
 * own copy of": one slot per page of the range, each empty (look below, in
 * the object or zero-fill) or pointing at an anon (the private page).
 *
 * The three arrays, for an amap of 6 slots holding anons in slots 4, 1, 2
 * (added in that order):
 *
 *   slot:          0     1     2     3     4     5
 *   am_anon[]    [ - ] [ a ] [ b ] [ - ] [ c ] [ - ]    slot -> anon
 *   am_bckptr[]  [ ? ] [ 1 ] [ 2 ] [ ? ] [ 0 ] [ ? ]    slot -> index below
 *   am_slots[]   [ 4 ] [ 1 ] [ 2 ]                      am_nused = 3
 *
 * am_anon answers "what is in slot s" in O(1); am_slots lists the used
 * slots so that copying, freeing and swapoff cost O(used), not O(size).
 * Emptying slot s moves the last entry of am_slots into s's place and
 * fixes that slot's back-pointer, so both stay dense.
 *
 * References.  Each map entry holding (a window of) the amap counts once
 * in am_ref.  When every reference covers the whole amap, am_ref alone
 * says who uses each page.  Once some reference covers only part of it
 * (a partial unmap, a clip, an extension), am_ppref keeps a count per
 * page, run-length encoded in an int array of am_maxslot entries:
 *
 *   a run of one page       one int:   ref + 1        (always > 0)
 *   a run of len > 1 pages  two ints:  -(ref + 1), len (first < 0)
 *
 *   (the "+ 1" keeps 0 free, so a run of refs 0 is still told apart:
 *    0 is never a valid first int)
 *
 *   page   | 0  1  2  3 | 4 | 5  6 | 7  8  9 | 10 11 | 12 | 13 14 15 |
 *   refs   | 2  2  2  2 | 3 | 1  1 | 0  0  0 | 4  4  | 0  | 1  1  1  |
 *   stored |-3  4  .  . | 4 |-2  2 |-1  3  . |-5  2  | 1  |-2  3  .  |
 *                                              (. = not looked at)
 *
 * Dropping a partial reference subtracts 1 over its pages; a page whose
 * count reaches 0 is used by nobody, and its anon is released at once
 * instead of when the whole amap goes.  The array is allocated the first
 * time a partial reference appears; if that allocation fails am_ppref is
 * PPREF_NONE and such anons simply wait for the amap's end.
 *
 * A rule this file keeps: am_ppref == NULL means every reference covers
 * all of [0, am_nslot).  That is what lets the array be built later from
 * am_ref alone (pp_establish), and it is why an extension that leaves
 * unreferenced slots behind establishes per-page counts too.
 *
 * Extending backwards (a stack growing down) when the entry sits at the
 * start of the arrays: the window moves to the top of the arrays, so the
 * next extensions find free slots below it and only move ar_pageoff:
 *
 *   before   [ a b c . . . . . ]  window 0..3, am_maxslot 8
 *   add 2    [ . . . . . a b c ]  window 3..8: new pages 3,4; old a at 5
 *   add 3    [ . . . . . a b c ]  window 0..8: nothing moves
 *
 * Copying (amap_copy, on the first write after fork): the writer's entry
 * gets a new amap whose slots point at the same anons, each an_ref + 1;
 * the old amap loses this entry's reference.  Pages are copied later, one
 * at a time, by the fault handler when an anon with an_ref > 1 is written.
 *
 * Invariants (amap_check verifies them):
 *   - am_slots[0 .. am_nused) are distinct used slots < am_nslot and
 *     am_bckptr[am_slots[i]] == i; exactly those slots have an anon, and
 *     slots from am_nslot to am_maxslot are empty;
 *   - an anon's an_ref is at least the number of slots here holding it,
 *     and its an_lock is this amap's lock;
 *   - with a ppref array: the runs tile [0, am_nslot), neighbouring runs
 *     differ, each count is at most am_ref, and slots with count 0 are
 *     empty.
 *
 * Locking: am_lock (the mutex of am_lockobj) covers the amap and its
 * anons; an amap and every amap copied from it share the lock object,
 * because they share anons.  amap_list_lock covers the list of all amaps
 * and is taken inside am_lock (amap_swap_off only try-locks an amap while
 * holding the list lock).  Lock order: map lock, am_lock, amap_list_lock,
 * then pmap, pool and page locks.
 */
#include "uvm/uvm_amap.h"
#include "kern/core/lab.h"
#include "kern/lib/assert.h"
#include "kern/lib/atomic.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"

/* Larger amaps are refused: their arrays would not fit the kernel arena. */
#define AMAP_MAXSLOTS (1 << 24)

#define PAGES(bytes) ((int)((bytes) >> PAGE_SHIFT))

static struct pool amap_pool;
static struct pool lockobj_pool;
static struct kmutex amap_list_lock = KMUTEX_INIT("amap_list");
static TAILQ_HEAD(, vm_amap) amap_list = { NULL, &amap_list.tqh_first };
static uint64_t live_amaps;

void
amap_init(void)
{
	pool_init(&amap_pool, sizeof(struct vm_amap), 8, "amappl");
	pool_init(&lockobj_pool, sizeof(struct vm_lockobj), 8, "vmlockobj");
}

static bool
pp_valid(const struct vm_amap *amap)
{
	return amap->am_ppref != NULL && amap->am_ppref != PPREF_NONE;
}

/* ------------------------------------------------------------------ */
/* Lock objects                                                        */

struct vm_lockobj *
vm_lockobj_alloc(const char *name)
{
	struct vm_lockobj *lo = pool_get(&lockobj_pool, PR_ZERO);

	if (lo == NULL)
		return NULL;
	mutex_init(&lo->lo_mutex, name);
	lo->lo_refs = 1;
	return lo;
}

void
vm_lockobj_hold(struct vm_lockobj *lo)
{
	KASSERT(atomic_load_int(&lo->lo_refs) > 0);
	atomic_inc_int(&lo->lo_refs);
}

void
vm_lockobj_release(struct vm_lockobj *lo)
{
	/* Released after the amap's mutex is dropped (amap_free), so two
	 * amaps of one fork tree may release at once: atomic. */
	int left = atomic_dec_int(&lo->lo_refs);

	KASSERT(left >= 0);
	if (left > 0)
		return;
	KASSERT(!mutex_owned(&lo->lo_mutex));
	pool_put(&lockobj_pool, lo);
}

/* ------------------------------------------------------------------ */
/* The arrays                                                          */

/* The arrays of an amap, gathered so that growing can build new ones. */
struct amap_arrays {
	int max;
	int *slots;
	int *bckptr;
	struct vm_anon **anon;
	int *ppref;             /* NULL, PPREF_NONE or max ints */
};

/*
 * How many slots to allocate for n: as many as the anon array's kmem
 * block holds anyway (a power of two up to KMEM_MAXSMALL, whole pages
 * above), so the slack costs nothing and later extensions may use it.
 */
static int
slots_roundup(int n)
{
	size_t bytes = (size_t)n * sizeof(struct vm_anon *);
	size_t block = 2 * sizeof(struct vm_anon *);  /* smallest kmem class */

	if (bytes > KMEM_MAXSMALL)
		return (int)(ROUND_UP(bytes, PAGE_SIZE) / sizeof(struct vm_anon *));
	while (block < bytes)
		block <<= 1;
	return (int)(block / sizeof(struct vm_anon *));
}

static void
arrays_free(struct amap_arrays *a)
{
	if (a->slots != NULL)
		kmem_free(a->slots, (size_t)a->max * sizeof(int));
	if (a->bckptr != NULL)
		kmem_free(a->bckptr, (size_t)a->max * sizeof(int));
	if (a->anon != NULL)
		kmem_free(a->anon, (size_t)a->max * sizeof(struct vm_anon *));
	if (a->ppref != NULL && a->ppref != PPREF_NONE)
		kmem_free(a->ppref, (size_t)a->max * sizeof(int));
}

/*
 * Allocate arrays of max slots, am_anon zeroed; with want_ppref a ppref
 * array too (PPREF_NONE if only that one fails: it is optional).
 *  => returns 0 or -ENOMEM (nothing allocated).
 */
static int
arrays_alloc(struct amap_arrays *a, int max, bool want_ppref)
{
	size_t ints = (size_t)max * sizeof(int);

	a->max = max;
	a->slots = kmem_alloc(ints, 0);
	a->bckptr = kmem_alloc(ints, 0);
	a->anon = kmem_alloc((size_t)max * sizeof(struct vm_anon *), KM_ZERO);
	a->ppref = NULL;
	if (a->slots == NULL || a->bckptr == NULL || a->anon == NULL) {
		arrays_free(a);
		return -ENOMEM;
	}
	if (want_ppref) {
		a->ppref = kmem_alloc(ints, 0);
		if (a->ppref == NULL)
			a->ppref = PPREF_NONE;
	}
	return 0;
}

static void
arrays_get(const struct vm_amap *amap, struct amap_arrays *a)
{
	a->max = amap->am_maxslot;
	a->slots = amap->am_slots;
	a->bckptr = amap->am_bckptr;
	a->anon = amap->am_anon;
	a->ppref = amap->am_ppref;
}

static void
arrays_set(struct vm_amap *amap, const struct amap_arrays *a)
{
	amap->am_maxslot = a->max;
	amap->am_slots = a->slots;
	amap->am_bckptr = a->bckptr;
	amap->am_anon = a->anon;
	amap->am_ppref = a->ppref;
}

/* ------------------------------------------------------------------ */
/* Creating and freeing                                                */

/*
 * A new amap of nslot slots (arrays of maxslot) with one reference, on
 * the list of all amaps.  It shares lock object lo (a copy) or gets a
 * fresh one (lo NULL).  => returns NULL when memory is short.
 */
static struct vm_amap *
amap_create(int nslot, int maxslot, struct vm_lockobj *lo)
{
	struct vm_amap *amap = pool_get(&amap_pool, PR_ZERO);
	struct amap_arrays a;

	if (amap == NULL)
		return NULL;
	if (arrays_alloc(&a, maxslot, false) != 0) {
		pool_put(&amap_pool, amap);
		return NULL;
	}
	if (lo != NULL)
		vm_lockobj_hold(lo);
	else if ((lo = vm_lockobj_alloc("amap")) == NULL) {
		arrays_free(&a);
		pool_put(&amap_pool, amap);
		return NULL;
	}
	arrays_set(amap, &a);
	amap->am_lockobj = lo;
	amap->am_lock = &lo->lo_mutex;
	amap->am_ref = 1;
	amap->am_nslot = nslot;
	mutex_enter(&amap_list_lock);
	TAILQ_INSERT_TAIL(&amap_list, amap, am_list);
	live_amaps++;
	mutex_exit(&amap_list_lock);
	return amap;
}

struct vm_amap *
amap_alloc(vsize_t sz, vsize_t padsz, int flags)
{
	struct vm_amap *amap;
	int slots = PAGES(sz), pad = PAGES(padsz);

	KASSERT(sz > 0 && (sz & PAGE_MASK) == 0 && (padsz & PAGE_MASK) == 0);
	KASSERT((flags & ~AMAP_SHARED) == 0);
	if ((sz + padsz) >> PAGE_SHIFT > AMAP_MAXSLOTS)
		return NULL;
	amap = amap_create(slots, slots_roundup(slots + pad), NULL);
	if (amap != NULL)
		amap->am_flags = flags;
	return amap;
}

/* Give back an amap that nobody references and that holds no anon. */
static void
amap_free(struct vm_amap *amap)
{
	struct amap_arrays a;

	KASSERT(amap->am_ref == 0 && amap->am_nused == 0);
	arrays_get(amap, &a);
	arrays_free(&a);
	vm_lockobj_release(amap->am_lockobj);
	pool_put(&amap_pool, amap);
}

/* ------------------------------------------------------------------ */
/* Slots                                                               */

/* The slot of the page offset bytes into aref's window. */
static int
slot_of(const struct vm_aref *aref, vaddr_t offset)
{
	int s = aref->ar_pageoff + PAGES(offset);

	KASSERT(s >= 0 && s < aref->ar_amap->am_nslot);
	return s;
}

/* Put anon in the empty slot s and list s among the used slots. */
static void
slot_fill(struct vm_amap *amap, int s, struct vm_anon *anon)
{
	amap->am_anon[s] = anon;
	amap->am_bckptr[s] = amap->am_nused;
	amap->am_slots[amap->am_nused++] = s;
}

/* Empty slot s; the last used slot takes its place in am_slots. */
static struct vm_anon *
slot_empty(struct vm_amap *amap, int s)
{
	struct vm_anon *anon = amap->am_anon[s];
	int i = amap->am_bckptr[s], last = --amap->am_nused;

	amap->am_anon[s] = NULL;
	if (i != last) {
		amap->am_slots[i] = amap->am_slots[last];
		amap->am_bckptr[amap->am_slots[i]] = i;
	}
	return anon;
}

typedef int (*slot_fn)(struct vm_amap *amap, int s, void *arg);

/*
 * Call fn on every used slot in [start, start + n), along whichever is
 * shorter: the window, or the list of used slots.  fn may empty the slot
 * it is given (the list walk then looks at index i again, which now holds
 * another slot).  Stops at the first non-zero return and returns it.
 *  => amap locked.
 */
static int
walk_used(struct vm_amap *amap, int start, int n, slot_fn fn, void *arg)
{
	int end = start + n, error = 0;

	if (n <= amap->am_nused) {
		for (int s = start; s < end && error == 0; s++) {
			if (amap->am_anon[s] != NULL)
				error = fn(amap, s, arg);
		}
		return error;
	}
	for (int i = 0; i < amap->am_nused && error == 0;) {
		int s = amap->am_slots[i];
		if (s >= start && s < end)
			error = fn(amap, s, arg);
		if (i < amap->am_nused && amap->am_slots[i] == s)
			i++;
	}
	return error;
}

/* The anons a wipe found unreferenced, freed ANON_FREE_MAX at a time. */
struct wipe_batch {
	int n;
	struct vm_anon *anons[ANON_FREE_MAX];
};

static int
wipe_one(struct vm_amap *amap, int s, void *arg)
{
	struct wipe_batch *b = arg;
	struct vm_anon *anon = slot_empty(amap, s);

	KASSERT(anon->an_ref > 0);
	if (--anon->an_ref > 0)
		return 0;
	b->anons[b->n++] = anon;
	if (b->n == ANON_FREE_MAX) {
		anon_free_many(b->anons, b->n);
		b->n = 0;
	}
	return 0;
}

/*
 * Release this amap's hold on the anons in slots [start, start + n);
 * those it held last are freed in batches (anon_free_many: one lock
 * round for a batch's pages, where one each costs most of an munmap).
 */
static void
wipe_range(struct vm_amap *amap, int start, int n)
{
	struct wipe_batch b = { .n = 0 };

	if (n <= 0)
		return;
	walk_used(amap, start, n, wipe_one, &b);
	if (b.n > 0)
		anon_free_many(b.anons, b.n);
}

/*
 * Release the amap's hold on every anon it has, freeing in batches those
 * it held last, as wipe_range does: the end of an amap (munmap of a whole
 * region, exit) frees most of the anons there are.  Emptying from the end
 * of am_slots moves nothing.  => amap locked.
 */
static void
wipe_all(struct vm_amap *amap)
{
	struct wipe_batch b = { .n = 0 };

	while (amap->am_nused > 0)
		wipe_one(amap, amap->am_slots[amap->am_nused - 1], &b);
	if (b.n > 0)
		anon_free_many(b.anons, b.n);
}

/*
 * Release every anon outside [off, off + n).  With one reference whose
 * window that is, such anons are garbage: only with PPREF_NONE can they
 * exist (a partial unref could not free them early).
 */
static void
wipe_outside(struct vm_amap *amap, int off, int n)
{
	wipe_range(amap, 0, off);
	wipe_range(amap, off + n, amap->am_nslot - (off + n));
}

/* ------------------------------------------------------------------ */
/* Per-page reference counts                                           */

void
amap_pp_setreflen(int *ppref, int slot, int ref, int len)
{
	KASSERT(ref >= 0 && len >= 1);
	if (len == 1) {
		ppref[slot] = ref + 1;
	} else {
		ppref[slot] = -(ref + 1);
		ppref[slot + 1] = len;
	}
}

void
amap_pp_getreflen(const int *ppref, int slot, int *refp, int *lenp)
{
	int v = ppref[slot];

	KASSERT(v != 0);
	if (v > 0) {
		*refp = v - 1;
		*lenp = 1;
	} else {
		*refp = -v - 1;
		*lenp = ppref[slot + 1];
	}
}

/*
 * Start counting per page.  Until now every reference covered the whole
 * amap (the rule for am_ppref == NULL), so each page has am_ref.
 */
static void
pp_establish(struct vm_amap *amap)
{
	KASSERT(amap->am_ppref == NULL);
	amap->am_ppref = kmem_alloc((size_t)amap->am_maxslot * sizeof(int), 0);
	if (amap->am_ppref == NULL) {
		amap->am_ppref = PPREF_NONE;
		return;
	}
	amap_pp_setreflen(amap->am_ppref, 0, amap->am_ref, amap->am_nslot);
}

/*
 * Make a run begin at slot s (0 < s < nslot), splitting the run across
 * it.  Returns where the run just before s begins.
 */
static int
pp_cut(int *pp, int s)
{
	int at = 0, prev = 0, ref, len;

	while (at < s) {
		amap_pp_getreflen(pp, at, &ref, &len);
		if (at + len > s) {
			amap_pp_setreflen(pp, at, ref, s - at);
			amap_pp_setreflen(pp, s, ref, at + len - s);
			len = s - at;
		}
		prev = at;
		at += len;
	}
	return prev;
}

/*
 * Add delta to the count of every page in [start, start + n), releasing
 * the anons of pages that reach 0, and merge runs that became equal (so
 * neighbouring runs always differ).  => amap locked, ppref valid.
 */
static void
pp_adjust(struct vm_amap *amap, int start, int n, int delta)
{
	int *pp = amap->am_ppref, end = start + n, nslot = amap->am_nslot;
	int prev = -1, prevref = -1, prevlen = 0, ref, len;

	KASSERT(n > 0 && start >= 0 && end <= nslot);
	if (end < nslot)
		pp_cut(pp, end);
	if (start > 0) {
		prev = pp_cut(pp, start);
		amap_pp_getreflen(pp, prev, &prevref, &prevlen);
	}
	for (int at = start; at < end; at += len) {
		amap_pp_getreflen(pp, at, &ref, &len);
		ref += delta;
		if (ref < 0)
			panic("amap %p: page %d referenced less than never", (void *)amap, at);
		if (ref == 0)
			wipe_range(amap, at, len);
		if (ref == prevref) {
			prevlen += len;
		} else {
			prev = at;
			prevref = ref;
			prevlen = len;
		}
		amap_pp_setreflen(pp, prev, prevref, prevlen);
	}
	if (end < nslot) {
		amap_pp_getreflen(pp, end, &ref, &len);
		if (ref == prevref)
			amap_pp_setreflen(pp, prev, ref, prevlen + len);
	}
}

/*
 * After an extension: the one reference covers [off, off + n), so the
 * counts are 1 there and 0 elsewhere.  Per-page counts are started if the
 * window is no longer the whole amap.  => amap locked, am_ref 1.
 */
static void
pp_reset(struct vm_amap *amap, int off, int n)
{
	int rest = amap->am_nslot - (off + n);

	if (amap->am_ppref == NULL) {
		if (off == 0 && rest == 0)
			return;
		pp_establish(amap);
	}
	if (!pp_valid(amap))
		return;
	if (off > 0)
		amap_pp_setreflen(amap->am_ppref, 0, 0, off);
	amap_pp_setreflen(amap->am_ppref, off, 1, n);
	if (rest > 0)
		amap_pp_setreflen(amap->am_ppref, off + n, 0, rest);
}

/* ------------------------------------------------------------------ */
/* References                                                          */

void
amap_ref(struct vm_amap *amap, vaddr_t offset, vsize_t len, int flags)
{
	int slot = PAGES(offset), n = PAGES(len);

	mutex_enter(amap->am_lock);
	KASSERT(amap->am_ref > 0);
	if (flags & AMAP_SHARED)
		amap->am_flags |= AMAP_SHARED;
	if ((flags & AMAP_REFALL) || (slot == 0 && n == amap->am_nslot)) {
		slot = 0;
		n = amap->am_nslot;
	} else if (amap->am_ppref == NULL) {
		pp_establish(amap);     /* the first partial reference */
	}
	KASSERT(n > 0 && slot >= 0 && slot + n <= amap->am_nslot);
	if (pp_valid(amap))
		pp_adjust(amap, slot, n, 1);
	amap->am_ref++;
	mutex_exit(amap->am_lock);
}

/*
 * Drop a reference to slots [slot, slot + n) (all slots if all).  Returns
 * false if it was the last: the amap is then wiped out and unlocked.
 *  => amap locked.
 */
static bool
unref_locked(struct vm_amap *amap, int slot, int n, bool all)
{
	KASSERT(amap->am_ref > 0);
	if (amap->am_ref == 1) {
		amap->am_ref = 0;
		amap_wipeout(amap);
		return false;
	}
	if (all || (slot == 0 && n == amap->am_nslot)) {
		slot = 0;
		n = amap->am_nslot;
	} else if (amap->am_ppref == NULL) {
		pp_establish(amap);     /* counts from before this drop */
	}
	KASSERT(n > 0 && slot >= 0 && slot + n <= amap->am_nslot);
	if (pp_valid(amap))
		pp_adjust(amap, slot, n, -1);
	if (--amap->am_ref == 1)
		amap->am_flags &= ~AMAP_SHARED;     /* nobody left to share with */
	return true;
}

void
amap_unref(struct vm_amap *amap, vaddr_t offset, vsize_t len, bool all)
{
	mutex_enter(amap->am_lock);
	if (unref_locked(amap, PAGES(offset), PAGES(len), all))
		mutex_exit(amap->am_lock);
}

void
amap_splitref(struct vm_aref *origref, struct vm_aref *splitref, vaddr_t offset)
{
	struct vm_amap *amap = origref->ar_amap;
	int left = PAGES(offset);

	KASSERT(left > 0 && (offset & PAGE_MASK) == 0);
	mutex_enter(amap->am_lock);
	KASSERT(origref->ar_pageoff + left < amap->am_nslot);
	/*
	 * Neither half covers the whole amap any more, so per-page counts
	 * are needed from now on.  The counts themselves do not change:
	 * each page is still referenced once by the pair.
	 */
	if (amap->am_ppref == NULL) {
		KASSERT(origref->ar_pageoff == 0);
		pp_establish(amap);
	}
	amap->am_ref++;
	splitref->ar_amap = amap;
	splitref->ar_pageoff = origref->ar_pageoff + left;
	mutex_exit(amap->am_lock);
}

void
amap_mergeref(struct vm_aref *left, const struct vm_aref *right, vsize_t leftlen)
{
	struct vm_amap *amap = left->ar_amap;

	mutex_enter(amap->am_lock);
	KASSERT(right->ar_amap == amap);
	KASSERT(right->ar_pageoff == left->ar_pageoff + PAGES(leftlen));
	/* Two windows side by side: neither was the whole amap. */
	KASSERT(amap->am_ref >= 2 && amap->am_ppref != NULL);
	if (--amap->am_ref == 1)
		amap->am_flags &= ~AMAP_SHARED;
	mutex_exit(amap->am_lock);
}

/* ------------------------------------------------------------------ */
/* Extending                                                           */

/*
 * Move the window [from, from + n) to start at to (to >= from), into dst
 * (new arrays, or the amap's own for a move in place).  Every used slot
 * is inside the window.  => amap locked.
 */
static void
window_move(struct vm_amap *amap, struct amap_arrays *dst, int from, int n, int to)
{
	int shift = to - from;

	KASSERT(shift >= 0);
	memmove(dst->anon + to, amap->am_anon + from, (size_t)n * sizeof(struct vm_anon *));
	if (dst->anon == amap->am_anon && shift > 0)
		memset(dst->anon + from, 0, (size_t)MIN(n, shift) * sizeof(struct vm_anon *));
	for (int i = 0; i < amap->am_nused; i++) {
		dst->slots[i] = amap->am_slots[i] + shift;
		dst->bckptr[dst->slots[i]] = i;
	}
}

/* Take new arrays holding the window moved to start at to; free the old. */
static void
arrays_replace(struct vm_amap *amap, struct amap_arrays *na, int from, int n, int to)
{
	struct amap_arrays old;

	window_move(amap, na, from, n, to);
	arrays_get(amap, &old);
	if (na->ppref == NULL && old.ppref == PPREF_NONE)
		na->ppref = PPREF_NONE;
	arrays_set(amap, na);
	arrays_free(&old);
}

/* Grow the window [*off, *off + n) by add slots at its end. */
static int
extend_forwards(struct vm_amap *amap, int *off, int n, int add)
{
	int need = *off + n + add;
	struct amap_arrays na;

	if (need > AMAP_MAXSLOTS)
		return -ENOMEM;
	if (need > amap->am_maxslot) {
		if (arrays_alloc(&na, slots_roundup(need), pp_valid(amap)) != 0)
			return -ENOMEM;
		wipe_outside(amap, *off, n);
		arrays_replace(amap, &na, *off, n, *off);
	} else {
		wipe_outside(amap, *off, n);
	}
	amap->am_nslot = MAX(amap->am_nslot, need);
	return 0;
}

/*
 * Grow the window [*off, *off + n) by add slots before it.  If there are
 * not add slots below it, the window moves to the top of the arrays (new
 * ones if they are too small), leaving every spare slot below it.
 */
static int
extend_backwards(struct vm_amap *amap, int *off, int n, int add)
{
	struct amap_arrays na;
	int top;

	if (add <= *off) {
		wipe_outside(amap, *off, n);
		*off -= add;
		return 0;
	}
	if (n + add > AMAP_MAXSLOTS)
		return -ENOMEM;
	if (n + add > amap->am_maxslot) {
		if (arrays_alloc(&na, slots_roundup(n + add), pp_valid(amap)) != 0)
			return -ENOMEM;
		wipe_outside(amap, *off, n);
		top = na.max - n;
		arrays_replace(amap, &na, *off, n, top);
	} else {
		struct amap_arrays self;
		wipe_outside(amap, *off, n);
		top = amap->am_maxslot - n;
		arrays_get(amap, &self);
		window_move(amap, &self, *off, n, top);
	}
	amap->am_nslot = amap->am_maxslot;
	*off = top - add;
	return 0;
}

int
amap_extend(struct vm_map_entry *entry, vsize_t addsize, int flags)
{
	struct vm_amap *amap = entry->aref.ar_amap;
	int off = entry->aref.ar_pageoff, n = PAGES(entry->end - entry->start);
	int add = PAGES(addsize), error;

	KASSERT(add > 0 && (addsize & PAGE_MASK) == 0);
	KASSERT(flags == AMAP_EXTEND_FORWARDS || flags == AMAP_EXTEND_BACKWARDS);
	mutex_enter(amap->am_lock);
	/* Only an unshared amap may change shape under its one entry. */
	KASSERT(amap->am_ref == 1);
	KASSERT(amap->am_ppref != NULL || (off == 0 && n == amap->am_nslot));
	/* kmem_alloc never sleeps (yet); if it does, the map lock still
	 * keeps this amap (am_ref 1, held by entry) from changing. */
	if (flags == AMAP_EXTEND_FORWARDS)
		error = extend_forwards(amap, &off, n, add);
	else
		error = extend_backwards(amap, &off, n, add);
	if (error == 0) {
		entry->aref.ar_pageoff = off;
		pp_reset(amap, off, n + add);
	}
	mutex_exit(amap->am_lock);
	return error;
}

/* ------------------------------------------------------------------ */
/* Copy-on-write                                                       */

/*
 * Clip entry to the chunk of AMAP_CHUNK_PAGES-aligned pages around
 * [startva, endva), so that a write to a huge private range does not
 * allocate slots for all of it.  => map locked.
 */
static void
copy_chunk(struct vm_map *map, struct vm_map_entry *entry, vaddr_t startva,
    vaddr_t endva)
{
	const vsize_t chunk = (vsize_t)AMAP_CHUNK_PAGES << PAGE_SHIFT;
	vaddr_t cs = ROUND_DOWN(startva, chunk);
	vaddr_t ce = ROUND_UP(endva, chunk);

	if (cs > entry->start && cs < entry->end)
		uvm_map_clip_start(map, entry, cs);
	/* ce < endva: rounding wrapped past the top of the address space. */
	if (ce >= endva && ce > entry->start && ce < entry->end)
		uvm_map_clip_end(map, entry, ce);
}

/*
 * Give entry a private amap holding the anons of its window of the
 * shared one: a new amap of the entry's size, sharing the old amap's
 * lock object (the anons are shared, and an anon has one lock), each
 * anon of the window in the same slot (relative to the window) with one
 * more reference, the entry's reference on the old amap's window dropped
 * (unref_locked: not the last, am_ref > 1), the entry pointed at slot 0
 * of the copy, and needs-copy cleared.
 *  => map and source amap locked; am_ref > 1; returns 0, or -ENOMEM
 *     with nothing changed.
 */
/* LAB needscopy BEGIN
 * STUB static int
 * STUB copy_shared(struct vm_map_entry *entry)
 * STUB {
 * STUB 	(void)entry;
 * STUB 	return lab_unimplemented("needscopy", __func__);
 * STUB }
 */
struct copy_arg {
	struct vm_amap *dst;
	int off;                /* source slot of the copy's slot 0 */
};

static int
copy_one(struct vm_amap *src, int s, void *arg)
{
	struct copy_arg *ca = arg;
	struct vm_anon *anon = src->am_anon[s];

	anon->an_ref++;
	slot_fill(ca->dst, s - ca->off, anon);
	return 0;
}

static int
copy_shared(struct vm_map_entry *entry)
{
	struct vm_amap *src = entry->aref.ar_amap;
	int off = entry->aref.ar_pageoff, n = PAGES(entry->end - entry->start);
	struct copy_arg ca = { NULL, off };

	/* Same lock object: the copies share anons.  (kmem_alloc does not
	 * sleep yet, so am_ref cannot drop to 1 while we allocate.) */
	ca.dst = amap_create(n, slots_roundup(n), src->am_lockobj);
	if (ca.dst == NULL)
		return -ENOMEM;
	walk_used(src, off, n, copy_one, &ca);
	/* Not the last reference (am_ref > 1): src stays, locked. */
	unref_locked(src, off, n, false);
	entry->aref.ar_amap = ca.dst;
	entry->aref.ar_pageoff = 0;
	entry->etype &= ~UVM_ET_NEEDSCOPY;
	return 0;
}
/* LAB needscopy END */

int
amap_copy(struct vm_map *map, struct vm_map_entry *entry, int flags,
    vaddr_t startva, vaddr_t endva)
{
	struct vm_amap *src = entry->aref.ar_amap;
	int error = 0;

	KASSERT(vm_map_locked(map));
	if (src == NULL) {
		if (!(flags & AMAP_COPY_NOCHUNK) &&
		    PAGES(entry->end - entry->start) >= AMAP_LARGE_PAGES)
			copy_chunk(map, entry, startva, endva);
		entry->aref.ar_amap = amap_alloc(entry->end - entry->start, 0, 0);
		if (entry->aref.ar_amap == NULL)
			return -ENOMEM;
		entry->aref.ar_pageoff = 0;
		entry->etype &= ~UVM_ET_NEEDSCOPY;
		return 0;
	}
	if (!(flags & AMAP_COPY_LOCKED))
		mutex_enter(src->am_lock);
	KASSERT(mutex_owned(src->am_lock));
	/* LAB needscopy BEGIN
	 * STUB error = copy_shared(entry);
	 */
	if (src->am_ref == 1)
		entry->etype &= ~UVM_ET_NEEDSCOPY;  /* ours alone: keep it */
	else
		error = copy_shared(entry);
	/* LAB needscopy END */
	if (!(flags & AMAP_COPY_LOCKED))
		mutex_exit(src->am_lock);
	return error;
}

/* Give slot s a private copy of its anon if others share it. */
static int
cow_one(struct vm_amap *amap, int s, void *arg __unused)
{
	struct vm_anon *old = amap->am_anon[s], *new;
	struct vm_page *pg = NULL;
	int error;

	if (old->an_ref == 1)
		return 0;
	if (old->an_page == NULL && (error = anon_pagein(old)) != 0)
		return error;
	/* Busy means a fault is reading it in with the amap unlocked; a
	 * wired entry's pages stay resident, so none is busy here. */
	KASSERT((old->an_page->flags & PG_BUSY) == 0);
	if ((new = anon_alloc_with_page(0, &pg)) == NULL)
		return -ENOMEM;
	pmap_copy_page(old->an_page->phys_addr, pg->phys_addr);
	pg->flags &= ~(PG_BUSY | PG_FAKE | PG_CLEAN);
	new->an_page = pg;
	new->an_lock = amap->am_lock;
	amap->am_anon[s] = new;
	old->an_ref--;          /* others hold it: an_ref was > 1 */
	return 0;
}

int
amap_cow_now(struct vm_map *map, struct vm_map_entry *entry)
{
	struct vm_amap *amap = entry->aref.ar_amap;
	int error;

	KASSERT(vm_map_locked(map));
	if (amap == NULL)
		return 0;
	mutex_enter(amap->am_lock);
	error = walk_used(amap, entry->aref.ar_pageoff,
	    PAGES(entry->end - entry->start), cow_one, NULL);
	mutex_exit(amap->am_lock);
	return error;
}

/* ------------------------------------------------------------------ */
/* The end of an amap                                                  */

void
amap_wipeout(struct vm_amap *amap)
{
	KASSERT(mutex_owned(amap->am_lock));
	KASSERT(amap->am_ref == 0);
	mutex_enter(&amap_list_lock);
	TAILQ_REMOVE(&amap_list, amap, am_list);
	live_amaps--;
	mutex_exit(&amap_list_lock);
	wipe_all(amap);
	mutex_exit(amap->am_lock);
	amap_free(amap);
}

/* ------------------------------------------------------------------ */
/* Slot access for the fault handler                                   */

struct vm_anon *
amap_lookup(const struct vm_aref *aref, vaddr_t offset)
{
	struct vm_anon *anon;

	KASSERT(mutex_owned(aref->ar_amap->am_lock));
	anon = aref->ar_amap->am_anon[slot_of(aref, offset)];
	KASSERT(anon == NULL || anon->an_ref > 0);
	return anon;
}

void
amap_lookups(const struct vm_aref *aref, vaddr_t offset, struct vm_anon **anons,
    int npages)
{
	struct vm_amap *amap = aref->ar_amap;
	int s = aref->ar_pageoff + PAGES(offset);

	KASSERT(mutex_owned(amap->am_lock));
	KASSERT(npages >= 0 && s >= 0 && s + npages <= amap->am_nslot);
	memcpy(anons, &amap->am_anon[s], (size_t)npages * sizeof(struct vm_anon *));
}

void
amap_add(const struct vm_aref *aref, vaddr_t offset, struct vm_anon *anon,
    bool replace)
{
	struct vm_amap *amap = aref->ar_amap;
	int s = slot_of(aref, offset);

	KASSERT(mutex_owned(amap->am_lock));
	KASSERT(anon->an_ref > 0);
	KASSERT(anon->an_lock == NULL || anon->an_lock == amap->am_lock);
	if (replace) {
		struct vm_anon *old = amap->am_anon[s];
		KASSERT(old != NULL && old != anon);
		/* Other processes sharing this amap may map the old page
		 * through this slot: they must fault and see the new one.  A
		 * private amap has one mapping through the slot, the caller's,
		 * which it replaces; the old page's other mappings belong to
		 * other amaps, still holding the old anon, and stay. */
		if (old->an_page != NULL && (amap->am_flags & AMAP_SHARED))
			pmap_page_protect(old->an_page, VM_PROT_NONE);
		amap->am_anon[s] = anon;
	} else {
		KASSERT(amap->am_anon[s] == NULL);
		slot_fill(amap, s, anon);
	}
	anon->an_lock = amap->am_lock;
}

void
amap_add_run(const struct vm_aref *aref, vaddr_t offset,
    struct vm_anon **anons, int n)
{
	struct vm_amap *amap = aref->ar_amap;
	int s = aref->ar_pageoff + PAGES(offset);

	KASSERT(mutex_owned(amap->am_lock));
	KASSERT(n >= 0 && s >= 0 && s + n <= amap->am_nslot);
	for (int i = 0; i < n; i++) {
		KASSERT(amap->am_anon[s + i] == NULL && anons[i]->an_ref > 0);
		KASSERT(anons[i]->an_lock == NULL ||
		    anons[i]->an_lock == amap->am_lock);
		slot_fill(amap, s + i, anons[i]);
		anons[i]->an_lock = amap->am_lock;
	}
}

void
amap_unadd(const struct vm_aref *aref, vaddr_t offset)
{
	struct vm_amap *amap = aref->ar_amap;
	int s = slot_of(aref, offset);

	KASSERT(mutex_owned(amap->am_lock));
	KASSERT(amap->am_anon[s] != NULL);
	slot_empty(amap, s);
}

void
amap_wipe(const struct vm_aref *aref, vaddr_t offset, vsize_t len)
{
	struct vm_amap *amap = aref->ar_amap;
	int s = aref->ar_pageoff + PAGES(offset), n = PAGES(len);

	KASSERT(mutex_owned(amap->am_lock));
	KASSERT(((offset | len) & PAGE_MASK) == 0);
	KASSERT(s >= 0 && n >= 0 && s + n <= amap->am_nslot);
	wipe_range(amap, s, n);
}

static int
protect_one(struct vm_amap *amap, int s, void *arg)
{
	struct vm_page *pg = amap->am_anon[s]->an_page;

	if (pg != NULL)
		pmap_page_protect(pg, *(const vm_prot_t *)arg);
	return 0;
}

void
amap_share_protect(struct vm_map_entry *entry, vm_prot_t prot)
{
	struct vm_amap *amap = entry->aref.ar_amap;

	KASSERT(mutex_owned(amap->am_lock));
	walk_used(amap, entry->aref.ar_pageoff, PAGES(entry->end - entry->start),
	    protect_one, &prot);
}

/* ------------------------------------------------------------------ */
/* Swapoff                                                             */

/*
 * Page in am's anons whose slot is in [start, end).  anon_pagein keeps
 * the amap lock through its read (it sleeps holding it), so am_slots
 * cannot change under the scan.  A busy page is one a fault is reading
 * from that very slot with the amap unlocked (fault_anonget): it is passed
 * by, slot and all, and the walk asks to be repeated once the read is
 * done - dropping the slot now would leave a failed read nothing to
 * retry or mark bad.
 *  => am locked; returns 0, -EAGAIN (a busy page was passed by), or
 *     anon_pagein's error.
 */
static int
swap_off_amap(struct vm_amap *am, int start, int end)
{
	bool busy = false;

	for (int i = 0; i < am->am_nused; i++) {
		struct vm_anon *anon = am->am_anon[am->am_slots[i]];
		int sw = anon->an_swslot, error;
		if (sw == 0 || sw < start || sw >= end)
			continue;
		if (anon->an_page != NULL && (anon->an_page->flags & PG_BUSY)) {
			busy = true;
			continue;
		}
		if ((error = anon_pagein(anon)) != 0)
			return error;
		KASSERT(anon->an_swslot == 0 && anon->an_page != NULL);
	}
	return busy ? -EAGAIN : 0;
}

int
amap_swap_off(int startslot, int endslot)
{
	struct vm_amap *am;
	int error = 0;
	bool skipped = false;

	mutex_enter(&amap_list_lock);
	for (am = TAILQ_FIRST(&amap_list); am != NULL && error == 0;) {
		/* The list lock comes after amap locks: only try this one,
		 * and pass it by if someone holds it (the caller walks again). */
		if (!mutex_tryenter(am->am_lock)) {
			skipped = true;
			am = TAILQ_NEXT(am, am_list);
			continue;
		}
		/* Holding am_lock keeps am alive and on the list while the
		 * list lock is dropped for the reads. */
		mutex_exit(&amap_list_lock);
		error = swap_off_amap(am, startslot, endslot);
		if (error == -EAGAIN) {
			skipped = true;     /* a busy page: walk again later */
			error = 0;
		}
		mutex_enter(&amap_list_lock);
		struct vm_amap *next = TAILQ_NEXT(am, am_list);
		mutex_exit(am->am_lock);
		am = next;
	}
	mutex_exit(&amap_list_lock);
	return error != 0 ? error : skipped ? -EAGAIN : 0;
}

/* ------------------------------------------------------------------ */
/* Checks and printing                                                 */

uint64_t
amap_count(void)
{
	return live_amaps;
}

#define AMCHECK(cond, ...) do { if (!(cond)) { pr("amap_check: amap %p: ", \
	(void *)amap); pr(__VA_ARGS__); bad++; } } while (0)

/* The fields the other checks rely on. */
static int
check_header(struct vm_amap *amap, kprint_fn pr)
{
	const struct vm_lockobj *lo = amap->am_lockobj;
	int bad = 0;

	AMCHECK(lo != NULL && amap->am_lock == &lo->lo_mutex && lo->lo_refs > 0,
	    "lock object %p, am_lock %p\n", (const void *)lo, (void *)amap->am_lock);
	AMCHECK(amap->am_ref > 0, "am_ref %d\n", amap->am_ref);
	AMCHECK(amap->am_nslot > 0 && amap->am_nslot <= amap->am_maxslot,
	    "%d slots of %d\n", amap->am_nslot, amap->am_maxslot);
	AMCHECK(amap->am_nused >= 0 && amap->am_nused <= amap->am_nslot,
	    "am_nused %d\n", amap->am_nused);
	AMCHECK(amap->am_slots && amap->am_bckptr && amap->am_anon,
	    "missing arrays\n");
	AMCHECK((amap->am_flags & ~AMAP_SHARED) == 0, "flags %#x\n", amap->am_flags);
	return bad;
}

/* am_slots and am_bckptr are inverses, and match the anons present. */
static int
check_slots(struct vm_amap *amap, kprint_fn pr)
{
	int bad = 0, present = 0;

	for (int i = 0; i < amap->am_nused; i++) {
		int s = amap->am_slots[i];
		AMCHECK(s >= 0 && s < amap->am_nslot, "am_slots[%d] = %d\n", i, s);
		if (s < 0 || s >= amap->am_nslot)
			continue;
		AMCHECK(amap->am_anon[s] != NULL, "used slot %d is empty\n", s);
		AMCHECK(amap->am_bckptr[s] == i, "am_bckptr[%d] = %d, should be %d\n",
		    s, amap->am_bckptr[s], i);
	}
	for (int s = 0; s < amap->am_maxslot; s++) {
		const struct vm_anon *anon = amap->am_anon[s];
		if (anon == NULL)
			continue;
		present++;
		AMCHECK(s < amap->am_nslot, "spare slot %d holds an anon\n", s);
		AMCHECK(anon->an_lock == amap->am_lock, "slot %d: anon lock %p\n",
		    s, (void *)anon->an_lock);
		bad += anon_check(anon, pr);
	}
	AMCHECK(present == amap->am_nused, "%d anons present, am_nused %d\n",
	    present, amap->am_nused);
	return bad;
}

/* Restore the heap property below root r of the heap a[0 .. end). */
static void
sift_down(uintptr_t *a, int r, int end)
{
	for (int c; (c = 2 * r + 1) < end; r = c) {
		uintptr_t t;
		if (c + 1 < end && a[c + 1] > a[c])
			c++;
		if (a[r] >= a[c])
			return;
		t = a[r];
		a[r] = a[c];
		a[c] = t;
	}
}

/* Sort n pointers (heapsort: no recursion, no extra memory). */
static void
sort_ptrs(uintptr_t *a, int n)
{
	for (int r = n / 2 - 1; r >= 0; r--)
		sift_down(a, r, n);
	for (int end = n - 1; end > 0; end--) {
		uintptr_t t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

/* An anon in k slots here must have an_ref >= k. */
static int
check_anon_refs(struct vm_amap *amap, kprint_fn pr)
{
	int n = amap->am_nused, bad = 0;
	uintptr_t *a;

	if (n < 2)
		return 0;
	a = kmem_alloc((size_t)n * sizeof(uintptr_t), 0);
	if (a == NULL)
		return 0;       /* cannot look; not a problem of the amap */
	for (int i = 0; i < n; i++)
		a[i] = (uintptr_t)amap->am_anon[amap->am_slots[i]];
	sort_ptrs(a, n);
	for (int i = 0, k; i < n; i += k) {
		const struct vm_anon *anon = (const struct vm_anon *)a[i];
		for (k = 1; i + k < n && a[i + k] == a[i]; k++)
			;
		AMCHECK(anon == NULL || anon->an_ref >= k,
		    "anon %p in %d slots, an_ref %d\n", (const void *)anon, k,
		    anon ? anon->an_ref : 0);
	}
	kmem_free(a, (size_t)n * sizeof(uintptr_t));
	return bad;
}

/* The runs tile [0, am_nslot), differ from their neighbours, fit am_ref. */
static int
check_ppref(struct vm_amap *amap, kprint_fn pr)
{
	const int *pp = amap->am_ppref;
	int bad = 0, at = 0, prevref = -1, ref, len;

	while (at < amap->am_nslot) {
		if (pp[at] == 0 || (pp[at] < 0 && at + 1 >= amap->am_nslot)) {
			AMCHECK(false, "ppref[%d] = %d is not a run\n", at, pp[at]);
			return bad;
		}
		amap_pp_getreflen(pp, at, &ref, &len);
		if (len < 1 || at + len > amap->am_nslot) {
			AMCHECK(false, "ppref run at %d has length %d\n", at, len);
			return bad;
		}
		AMCHECK(ref <= amap->am_ref, "ppref run at %d: ref %d > am_ref %d\n",
		    at, ref, amap->am_ref);
		AMCHECK(ref != prevref, "ppref runs before %d and at it both ref %d\n",
		    at, ref);
		for (int s = at; ref == 0 && s < at + len; s++)
			AMCHECK(amap->am_anon[s] == NULL,
			    "slot %d referenced by nobody holds an anon\n", s);
		prevref = ref;
		at += len;
	}
	return bad;
}

int
amap_check(struct vm_amap *amap, kprint_fn pr)
{
	int bad = check_header(amap, pr);

	if (bad != 0)
		return bad;     /* the arrays cannot be trusted */
	bad += check_slots(amap, pr);
	bad += check_anon_refs(amap, pr);
	if (pp_valid(amap))
		bad += check_ppref(amap, pr);
	return bad;
}

#undef AMCHECK

int
amap_check_all(kprint_fn pr)
{
	struct vm_amap *amap;
	uint64_t n = 0;
	int bad = 0;

	mutex_enter(&amap_list_lock);
	TAILQ_FOREACH(amap, &amap_list, am_list) {
		bad += amap_check(amap, pr);
		n++;
	}
	if (n != live_amaps) {
		pr("amap_check_all: %lu amaps on the list, %lu counted\n", n, live_amaps);
		bad++;
	}
	mutex_exit(&amap_list_lock);
	return bad;
}

/* ppref as "[start, end) ref" runs; stops at anything malformed. */
static void
print_ppref(const struct vm_amap *amap, kprint_fn pr)
{
	int at = 0, ref, len;

	if (amap->am_ppref == NULL) {
		pr("  ppref: none (every reference covers all slots)\n");
		return;
	}
	if (amap->am_ppref == PPREF_NONE) {
		pr("  ppref: not kept (allocation failed)\n");
		return;
	}
	pr("  ppref:");
	while (at < amap->am_nslot && amap->am_ppref[at] != 0) {
		amap_pp_getreflen(amap->am_ppref, at, &ref, &len);
		if (len < 1)
			break;
		pr(" [%d,%d) %d", at, at + len, ref);
		at += len;
	}
	pr("%s\n", at == amap->am_nslot ? "" : " (malformed)");
}

void
amap_print(struct vm_amap *amap, kprint_fn pr)
{
	pr("amap %p: ref %d%s slots %d/%d used %d lock %p (%d holders)\n",
	    (void *)amap, amap->am_ref, (amap->am_flags & AMAP_SHARED) ? " shared" : "",
	    amap->am_nslot, amap->am_maxslot, amap->am_nused,
	    (void *)amap->am_lock, amap->am_lockobj->lo_refs);
	for (int i = 0; i < amap->am_nused; i++) {
		int s = amap->am_slots[i];
		pr("  slot %d: ", s);
		anon_print(amap->am_anon[s], pr);
	}
	print_ppref(amap, pr);
}
