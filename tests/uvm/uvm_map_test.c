/*
 * tests/uvm/uvm_map_test.c - uvm/uvm_map.c: findspace (hint, alignment,
 * both directions, lead gap and tail, and O(log n) node visits on a map
 * of 100,000 entries), fixed mappings with and without replacement,
 * merging, clipping with object and amap references, protect, inherit,
 * advice, wiring, checkprot, the printers (uvm_map_print and
 * uvm_map_entry_print, read back through ktest_capture), the work of
 * mmap + write + munmap among 1,000 mappings counted (debug checks,
 * findspace visits, pages), and a long seeded run of random operations
 * checked against a page-by-page model.
 *
 * Every test builds its own map on a fresh user pmap (tmap_create) and
 * ends by unmapping everything and destroying the pmap (tmap_destroy),
 * which proves the entry and amap counts, pages in use and the rest of a
 * vm_baseline are back where they started.
 * The checker runs after every operation.
 *
 * Objects come from a test pager whose reference and detach only count
 * (uo_refs), so a test can say exactly how many references the map holds:
 * uo_refs = 1 (the test's own) + one per entry mapping the object.
 *
 * Amaps: only clip_splits_amap_reference and the wiring test make
 * entries with an amap (UVM_FLAG_OVERLAY); they look at ar_pageoff and
 * am_ref only, as uvm_amap.h defines them.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"

#define PG(n) ((vsize_t)(n) << PAGE_SHIFT)
#define PROT_R VM_PROT_READ
#define PROT_RW (VM_PROT_READ | VM_PROT_WRITE)
#define PROT_RX (VM_PROT_READ | VM_PROT_EXECUTE)

#define TBASE 0x10000000UL      /* where the small test maps start */

#define CHECK(map) KT_EQ(uvm_map_check((map), ktest_print), 0)

/* ------------------------------------------------------------------ */
/* A test map on its own pmap, and the leak check at its end           */

static struct vm_map tmap;
static struct vm_baseline tmap_base;    /* taken before the map exists */

static struct vm_map *
tmap_create(vaddr_t min, vaddr_t max)
{
	struct pmap *pm;

	vm_baseline_take(&tmap_base);
	pm = pmap_create();
	KT_ASSERT(pm != NULL);
	uvm_map_setup(&tmap, pm, min, max, 0);
	CHECK(&tmap);
	return &tmap;
}

/* Unmap everything, drop the pmap, and prove nothing leaked. */
static void
tmap_destroy(struct vm_map *map)
{
	uvm_unmap(map, map->min_offset, map->max_offset);
	CHECK(map);
	KT_EQ(map->nentries, 0);
	KT_EQ(map->size, 0);
	KT_EQ(map->lead_gap, map->max_offset - map->min_offset);
	KT_ASSERT(map->hint == &map->header);
	KT_EQ(map->pmap->pm_stats.resident, 0);
	pmap_destroy(map->pmap);
	vm_baseline_expect(&tmap_base);
}

/* Private anonymous memory as mmap makes it: copy-on-write, needs-copy. */
static uvm_flag_t
anon_flags(vm_prot_t prot, vm_prot_t maxprot, uvm_flag_t extra)
{
	return UVM_MAPFLAG(prot, maxprot, MAP_INHERIT_COPY, UVM_ADV_NORMAL,
	    UVM_FLAG_COPYONWRITE | extra);
}

/* A shared mapping of an object (writes go to the object). */
static uvm_flag_t
obj_flags(vm_prot_t prot, uvm_flag_t extra)
{
	return UVM_MAPFLAG(prot, VM_PROT_ALL, MAP_INHERIT_SHARE, UVM_ADV_NORMAL,
	    extra);
}

static int
map_anon(struct vm_map *map, vaddr_t va, vsize_t size, vm_prot_t prot,
    uvm_flag_t extra)
{
	return uvm_map(map, &va, size, NULL, 0, 0,
	    anon_flags(prot, VM_PROT_ALL, UVM_FLAG_FIXED | extra));
}

/* The entry containing va, or NULL. */
static struct vm_map_entry *
entry_at(struct vm_map *map, vaddr_t va)
{
	struct vm_map_entry *e;
	bool found;

	vm_map_lock(map);
	found = uvm_map_lookup_entry(map, va, &e);
	vm_map_unlock(map);
	return found ? e : NULL;
}

/* There is an entry spanning exactly [start, end); return it. */
static struct vm_map_entry *
expect_entry(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e = entry_at(map, start);

	KT_ASSERT(e != NULL);
	KT_EQ(e->start, start);
	KT_EQ(e->end, end);
	return e;
}

/* ------------------------------------------------------------------ */
/* A pager that only counts references                                  */

static void
tpager_reference(struct uvm_object *uobj)
{
	uobj->uo_refs++;
}

static void
tpager_detach(struct uvm_object *uobj)
{
	uobj->uo_refs--;        /* never freed: the test keeps one */
}

static const struct uvm_pagerops tpager = {
	.pgo_name = "ktest-map-pager",
	.pgo_reference = tpager_reference,
	.pgo_detach = tpager_detach,
};

static void
tobj_init(struct uvm_object *uobj)
{
	uvm_obj_init(uobj, &tpager, 1, "ktest-map-obj");     /* the test's ref */
}

/*
 * Map uobj the way a caller must: give the map a reference, and take it
 * back if uvm_map fails.
 */
static int
map_obj(struct vm_map *map, vaddr_t *va, vsize_t size, struct uvm_object *uobj,
    voff_t off, vsize_t align, uvm_flag_t flags)
{
	int error;

	uobj->pgops->pgo_reference(uobj);
	error = uvm_map(map, va, size, uobj, off, align, flags);
	if (error != 0)
		uobj->pgops->pgo_detach(uobj);
	return error;
}

/* A shared mapping of uobj exactly at va (the reference given for it). */
static int
map_obj_at(struct vm_map *map, vaddr_t va, vsize_t size, struct uvm_object *uobj,
    voff_t off)
{
	return map_obj(map, &va, size, uobj, off, 0, obj_flags(PROT_RW, UVM_FLAG_FIXED));
}

/* ------------------------------------------------------------------ */
/* findspace on a small map                                            */

static int
findspace(struct vm_map *map, vaddr_t hint, vsize_t len, vsize_t align,
    bool topdown, vaddr_t *res)
{
	int error;

	*res = 0;
	vm_map_lock(map);
	error = uvm_map_findspace(map, hint, len, res, align, topdown);
	vm_map_unlock(map);
	return error;
}

#define FS_AT(map, hint, len, align, td, want)                             \
	do {                                                               \
		vaddr_t r_;                                                \
		KT_EQ(findspace((map), (hint), (len), (align), (td), &r_), 0); \
		KT_EQ(r_, (want));                                         \
	} while (0)

#define FS_NONE(map, hint, len, align, td)                                 \
	do {                                                               \
		vaddr_t r_;                                                \
		KT_EQ(findspace((map), (hint), (len), (align), (td), &r_), -ENOMEM); \
	} while (0)

/*
 * The map [M, M + 0x100000), M = TBASE:
 *
 *   lead gap      A          gap        B          gap           C        tail
 *  [0, 0x10000) [0x10000] [0x11000, [0x14000, [0x16000,     [0x40000] [0x41000,
 *   16 pages    1 page     0x14000)  0x16000)  0x40000)      1 page    0x100000)
 *                          3 pages   2 pages   42 pages                191 pages
 */
/* Bottom-up: the lowest fit at or above the hint. */
static void
fs_small_bottomup(struct vm_map *map, vaddr_t m)
{
	FS_AT(map, m, PG(1), 0, false, m);                      /* lead gap */
	FS_AT(map, 0, PG(1), 0, false, m);                      /* hint below min */
	FS_AT(map, m, 0x10000, 0, false, m);                    /* lead gap, exactly */
	FS_AT(map, m, 0x11000, 0, false, m + 0x16000);          /* skips 2 gaps */
	FS_AT(map, m + 0x12000, PG(1), 0, false, m + 0x12000);  /* at the hint */
	FS_AT(map, m + 0x12000, PG(3), 0, false, m + 0x16000);  /* not from hint */
	FS_AT(map, m + 0x15000, PG(1), 0, false, m + 0x16000);  /* hint in B */
	FS_AT(map, m + 0x50000, PG(1), 0, false, m + 0x50000);  /* in the tail */
	FS_AT(map, m, 0xbf000, 0, false, m + 0x41000);          /* the tail, exactly */
	FS_NONE(map, m, 0xc0000, 0, false);                     /* bigger than any */
	FS_NONE(map, m + 0x42000, 0xbf000, 0, false);           /* no room above hint */
	FS_NONE(map, m + 0x100000, PG(1), 0, false);            /* hint at max */
	/* Bottom-up with alignment. */
	FS_AT(map, m, PG(1), 0x10000, false, m);
	FS_AT(map, m + 0x1000, PG(1), 0x10000, false, m + 0x20000);
	FS_AT(map, m + 0x1000, PG(1), 0x40000, false, m + 0x80000);
	FS_AT(map, m + 0x1000, PG(2), 0x4000, false, m + 0x4000);
	FS_NONE(map, m + 0x1000, 0x81000, 0x80000, false);
}

/* Top-down: the highest fit starting at or below the hint. */
static void
fs_small_topdown(struct vm_map *map, vaddr_t m)
{
	FS_AT(map, 0, PG(1), 0, true, m + 0xff000);             /* no hint: the top */
	FS_AT(map, m + 0x200000, PG(1), 0, true, m + 0xff000);  /* hint above max */
	FS_AT(map, 0, 0xbf000, 0, true, m + 0x41000);           /* the tail, exactly */
	FS_NONE(map, 0, 0xc0000, 0, true);
	FS_AT(map, m + 0x30000, PG(1), 0, true, m + 0x30000);   /* at the hint */
	FS_AT(map, m + 0x30000, 0x20000, 0, true, m + 0x20000); /* ends at C */
	FS_NONE(map, m + 0x30000, 0x30000, 0, true);            /* gaps below too small */
	FS_AT(map, m + 0x15000, PG(1), 0, true, m + 0x13000);   /* hint in B */
	FS_AT(map, m + 0x12000, PG(2), 0, true, m + 0x12000);
	FS_AT(map, m + 0x11000, PG(4), 0, true, m + 0xc000);    /* the lead gap */
	FS_AT(map, m + 0x10000, 0x10000, 0, true, m);           /* lead gap, exactly */
	FS_NONE(map, m - PG(1), PG(1), 0, true);                /* hint below min */
	/* Top-down with alignment. */
	FS_AT(map, 0, PG(1), 0x10000, true, m + 0xf0000);
	FS_AT(map, m + 0x3f000, PG(1), 0x40000, true, m);       /* only the lead gap */
	FS_AT(map, m + 0x3f000, PG(2), 0x8000, true, m + 0x38000);
	FS_NONE(map, m + 0x3f000, 0x21000, 0x20000, true);
}

KTEST(uvm_map, findspace_respects_alignment_and_hint)
{
	const vaddr_t m = TBASE;
	struct vm_map *map = tmap_create(m, m + 0x100000);
	vaddr_t va;

	KT_EQ(map_anon(map, m + 0x10000, PG(1), PROT_RW, UVM_FLAG_NOMERGE), 0);
	KT_EQ(map_anon(map, m + 0x14000, PG(2), PROT_RW, UVM_FLAG_NOMERGE), 0);
	KT_EQ(map_anon(map, m + 0x40000, PG(1), PROT_RW, UVM_FLAG_NOMERGE), 0);
	CHECK(map);
	KT_EQ(map->lead_gap, 0x10000);
	KT_EQ(map->nentries, 3);
	fs_small_bottomup(map, m);
	fs_small_topdown(map, m);
	CHECK(map);

	/* Bad requests. */
	KT_EQ(findspace(map, m, 0, 0, false, &va), -EINVAL);
	KT_EQ(findspace(map, m, PG(1), PG(3), false, &va), -EINVAL);

	/* uvm_map places through findspace, in either direction. */
	va = m;
	KT_EQ(uvm_map(map, &va, PG(2), NULL, 0, 0x10000,
	    anon_flags(PROT_RW, VM_PROT_ALL, UVM_FLAG_NOMERGE)), 0);
	KT_EQ(va, m);
	va = 0;
	KT_EQ(uvm_map(map, &va, PG(2), NULL, 0, 0,
	    anon_flags(PROT_RW, VM_PROT_ALL, UVM_FLAG_NOMERGE | UVM_FLAG_TOPDOWN)), 0);
	KT_EQ(va, m + 0xfe000);
	CHECK(map);
	KT_EQ(map->lead_gap, 0);
	expect_entry(map, m + 0xfe000, m + 0x100000);
	KT_EQ(entry_at(map, m + 0x40000)->gap, 0xfe000 - 0x41000);
	tmap_destroy(map);
}

/*
 * 64 one-page entries, each followed by a two-page gap: every gap fits a
 * two-page request, so the answer must be the nearest one past the hint
 * in the search direction, wherever in the tree the hint's entry sits.
 */
#define NEAR_N 64
#define NEAR_VA(i) (TBASE + PG(3 * (vsize_t)(i)))

KTEST(uvm_map, findspace_takes_the_nearest_gap)
{
	struct vm_map *map = tmap_create(TBASE, NEAR_VA(NEAR_N));

	for (int i = 0; i < NEAR_N; i++)
		KT_EQ(map_anon(map, NEAR_VA(i), PG(1), PROT_RW, 0), 0);
	CHECK(map);
	KT_EQ(map->nentries, NEAR_N);
	for (int i = 1; i < NEAR_N - 1; i++) {
		/* Only one page left after the hint: the next gap up. */
		FS_AT(map, NEAR_VA(i) + PG(2), PG(2), 0, false, NEAR_VA(i + 1) + PG(1));
		/* Hint inside entry i: its own gap starts above it. */
		FS_AT(map, NEAR_VA(i), PG(2), 0, true, NEAR_VA(i - 1) + PG(1));
		/* Three pages fit nowhere, two are found from any hint. */
		FS_NONE(map, NEAR_VA(i), PG(3), 0, false);
		FS_NONE(map, NEAR_VA(i), PG(3), 0, true);
	}
	tmap_destroy(map);
}

/* ------------------------------------------------------------------ */
/* findspace on 100,000 entries                                        */

#define BIG_N 100128            /* one-page entries, one-page gaps */
#define BIG_RUN 128             /* entries taken out to make the large gap */
#define BIG_LEN PG(200)         /* fits only there: 2 * BIG_RUN + 1 pages */
#define BIG_ALIGN 0x10000UL
#define BIG_TRIES 4             /* places the large gap is tried at */
#define BIG_VA(i) (TBASE + PG(2 * (vsize_t)(i)))

static int
ilog2_ceil(uint64_t n)
{
	int l = 0;

	while ((1UL << l) < n)
		l++;
	return l;
}

/* The deepest node's depth (the root is 1): what one descent can cost. */
static int
tree_height(const struct rb_tree *t)
{
	int h = 0;

	for (const struct rb_node *n = rb_tree_first(t); n != NULL; n = rb_tree_next(n)) {
		int d = 0;
		if (n->rb_left != NULL || n->rb_right != NULL)
			continue;       /* the deepest node is a leaf */
		for (const struct rb_node *p = n; p != NULL; p = p->rb_parent)
			d++;
		h = MAX(h, d);
	}
	return h;
}

static void
big_map_one(struct vm_map *map, size_t i)
{
	vaddr_t va = BIG_VA(i);
	int error = uvm_map(map, &va, PG(1), NULL, 0, 0,
	    anon_flags(PROT_RW, VM_PROT_ALL, UVM_FLAG_FIXED | UVM_FLAG_NOMERGE));

	if (error != 0)
		KT_EQ(error, 0);        /* only a failure pays for KT_EQ */
}

/* The largest gap in the map but the lead gap, as the tree's root knows it. */
static vsize_t
root_maxgap(const struct vm_map *map)
{
	return container_of(map->rb_tree.rbt_root, struct vm_map_entry, rb_node)->maxgap;
}

/* One findspace on the big map: the right answer, in few visits. */
static void
big_find(struct vm_map *map, vaddr_t hint, vsize_t align, bool topdown,
    vaddr_t want, unsigned bound, unsigned *worst)
{
	vaddr_t va;

	KT_EQ(findspace(map, hint, BIG_LEN, align, topdown, &va), 0);
	KT_EQ(va, want);
	KT_ASSERT(uvm_map_findspace_visits > 0);
	if (uvm_map_findspace_visits > bound)
		ktest_print("findspace hint %#lx align %#lx %s: %u visits, tree height %d\n",
		    hint, align, topdown ? "topdown" : "bottom-up",
		    uvm_map_findspace_visits, tree_height(&map->rb_tree));
	KT_ASSERT(uvm_map_findspace_visits <= bound);
	*worst = MAX(*worst, uvm_map_findspace_visits);
}

/*
 * Entry i sits at page 2i of the map, so every gap is one page.  Taking
 * out entries j .. j+BIG_RUN-1 leaves one gap of 2 * BIG_RUN + 1 pages,
 * from the end of entry j-1 to the start of entry j+BIG_RUN; a request of
 * BIG_LEN fits nowhere else.  findspace must find it, whichever way and
 * however aligned, visiting (n = entries, h = the tree's height, which a
 * red-black tree keeps at most 2 log2(n + 1)):
 *   - from a hint at either end of the map (no hint, as mmap mostly
 *     asks): one descent, at most 4 log2(n) nodes (4 * 17 here);
 *   - from a hint in the middle: the descent to the hint's gap, the climb
 *     to where the fit branches off, and the descent to it: at most 3h.
 * Then the entries go back, for the next place.
 */
static void
big_try(struct vm_map *map, struct krand *r, unsigned bound, unsigned *worst)
{
	size_t j = 1 + krand_below(r, BIG_N - BIG_RUN - 1);
	vaddr_t lo = BIG_VA(j) - PG(1), hi = BIG_VA(j + BIG_RUN), va;
	unsigned mid;

	uvm_unmap(map, BIG_VA(j), BIG_VA(j + BIG_RUN) - PG(1));
	CHECK(map);
	KT_EQ(map->nentries, BIG_N - BIG_RUN);
	KT_EQ(entry_at(map, lo - PG(1))->gap, hi - lo);
	KT_EQ(root_maxgap(map), hi - lo);
	mid = 3 * (unsigned)tree_height(&map->rb_tree);
	big_find(map, map->min_offset, 0, false, lo, bound, worst);
	big_find(map, 0, 0, true, hi - BIG_LEN, bound, worst);
	big_find(map, map->min_offset, BIG_ALIGN, false, ROUND_UP(lo, BIG_ALIGN),
	    bound, worst);
	big_find(map, 0, BIG_ALIGN, true, ROUND_DOWN(hi - BIG_LEN, BIG_ALIGN),
	    bound, worst);
	/* Hints on the near side of the gap lead to it too. */
	big_find(map, BIG_VA(krand_below(r, j)), 0, false, lo, mid, worst);
	big_find(map, hi + PG(krand_below(r, 2 * (BIG_N - j - BIG_RUN))), 0, true,
	    hi - BIG_LEN, mid, worst);
	big_find(map, BIG_VA(krand_below(r, j)), BIG_ALIGN, false,
	    ROUND_UP(lo, BIG_ALIGN), mid, worst);
	/* From beyond it nothing fits, and that too is found quickly. */
	KT_EQ(findspace(map, hi, BIG_LEN, 0, false, &va), -ENOMEM);
	KT_ASSERT(uvm_map_findspace_visits <= mid);
	KT_EQ(findspace(map, lo - PG(2), BIG_LEN, 0, true, &va), -ENOMEM);
	KT_ASSERT(uvm_map_findspace_visits <= mid);
	/* Longer than any gap: the root's maxgap says so at once. */
	KT_EQ(findspace(map, 0, hi - lo + PG(1), 0, true, &va), -ENOMEM);
	KT_ASSERT(uvm_map_findspace_visits <= 2);
	for (size_t i = j; i < j + BIG_RUN; i++)
		big_map_one(map, i);
	CHECK(map);
	KT_EQ(map->nentries, BIG_N);
}

/*
 * mmap's top-down searches from one hint reuse the last answer: after a
 * map and an unmap of one page the next search looks at one entry and
 * lands where the last one did.  A gap growing above the cached entry (an
 * unmap up there) drops the cache, and the search finds the higher gap;
 * unmapping the cached entry drops it too.  uvm_map_check verifies the
 * cache's claim (no gap above it fits) after every step.
 */
static bool fscache_saved;     /* the switch as the test found it */

static void
fscache_restore(void *arg)
{
	(void)arg;
	uvm_map_fscache_on = fscache_saved;
}

/*
 * The cache is a speed-up (fscache=0 at boot turns it off, and every
 * uvm_map test passes without it): its test is in the uvm_map_speed
 * suite, and turns the cache on itself.
 */
KTEST(uvm_map_speed, findspace_cache_reuses_the_last_gap_until_a_gap_above_grows)
{
	struct vm_map *map = tmap_create(TBASE, TBASE + PG(64));
	struct vm_map_entry *low;
	vaddr_t va;

	fscache_saved = uvm_map_fscache_on;
	ktest_cleanup_push(fscache_restore, NULL);
	uvm_map_fscache_on = true;

	/* Page 0, a hole of 39 pages, then 40..63 in entries of their own. */
	KT_EQ(map_anon(map, TBASE, PG(1), PROT_RW, 0), 0);
	for (int i = 40; i < 64; i++)
		KT_EQ(map_anon(map, TBASE + PG(i), PG(1), (i & 1) ? PROT_R : PROT_RW, 0), 0);
	low = entry_at(map, TBASE);
	KT_EQ(findspace(map, 0, PG(1), 0, true, &va), 0);
	KT_EQ(va, TBASE + PG(39));
	KT_ASSERT(map->fs_entry == low);
	CHECK(map);
	/* Map it (read-only: no merge with 40) and search again: one visit. */
	KT_EQ(map_anon(map, va, PG(1), PROT_R, 0), 0);
	KT_EQ(findspace(map, 0, PG(1), 0, true, &va), 0);
	KT_EQ(va, TBASE + PG(38));
	KT_EQ(uvm_map_findspace_visits, 1);
	CHECK(map);
	/* Its own gap growing back keeps the cache. */
	uvm_unmap(map, TBASE + PG(39), TBASE + PG(40));
	KT_ASSERT(map->fs_entry == low);
	KT_EQ(findspace(map, 0, PG(1), 0, true, &va), 0);
	KT_EQ(va, TBASE + PG(39));
	KT_EQ(uvm_map_findspace_visits, 1);
	/* A hole above it: the cache goes, the search finds the hole. */
	uvm_unmap(map, TBASE + PG(50), TBASE + PG(51));
	KT_ASSERT(map->fs_entry == NULL);
	CHECK(map);
	KT_EQ(findspace(map, 0, PG(1), 0, true, &va), 0);
	KT_EQ(va, TBASE + PG(50));
	KT_ASSERT(map->fs_entry == entry_at(map, TBASE + PG(49)));
	CHECK(map);
	uvm_unmap(map, TBASE + PG(49), TBASE + PG(50));
	KT_ASSERT(map->fs_entry == NULL);
	CHECK(map);
	tmap_destroy(map);
}

KTEST(uvm_map, findspace_visits_are_logarithmic)
{
	struct krand *r = ktest_rand();
	struct vm_map *map;
	uint64_t need_pages = BIG_N * sizeof(struct vm_map_entry) / PAGE_SIZE + 1;
	unsigned bound, worst = 0;
	int height;

	/* The entries come from the entry pool: about 14 MiB of pages. */
	KT_ASSERT(uvmexp.free > 2 * need_pages);
	map = tmap_create(BIG_VA(0), BIG_VA(BIG_N));
	for (size_t i = 0; i < BIG_N; i++)
		big_map_one(map, i);
	CHECK(map);
	KT_EQ(map->nentries, BIG_N);
	KT_EQ(map->lead_gap, 0);
	KT_EQ(root_maxgap(map), PG(1));
	height = tree_height(&map->rb_tree);
	/* Red-black: no path is longer than 2 log2(n + 1). */
	KT_ASSERT(height <= 2 * ilog2_ceil(BIG_N + 1));
	bound = 4 * (unsigned)ilog2_ceil(BIG_N - BIG_RUN);
	for (int t = 0; t < BIG_TRIES; t++)
		big_try(map, r, bound, &worst);
	ktest_print("findspace on %d entries: tree height %d, at most %u "
	    "visits (bounds %u at the ends, 3h in the middle)\n",
	    BIG_N - BIG_RUN, height, worst, bound);
	tmap_destroy(map);
}

/* ------------------------------------------------------------------ */
/* mmap + write + munmap among 1,000 mappings: the work counted        */

#define MM_N 1000               /* one-page mappings around, r and rw in turn */
#define MM_OPS 1000             /* map + write + unmap of one more page */
#define MM_MIN TBASE
#define MM_MAX (MM_MIN + PG(4 * MM_N))
/*
 * Entries the debug checks may walk per operation.  An operation has
 * four check points (uvm_map's and uvm_unmap's entry and exit), each
 * earning 32 entries of checking (MAP_DCHECK_CREDIT): 128 amortized, 256
 * with room.  Checking the whole map at every point walked 4,000.
 */
#define MM_CHECK_PER_OP 256
/*
 * Pages one operation allocates and zeroes: the page written, and the
 * page-table pages above it (PT, PD, PDPT).  Nothing else in this test
 * pmap shares those tables, so with ptpkeep=0 each unmap frees them, as
 * NetBSD's pmap does, and the next write makes them again: a constant
 * per operation.  (In a process the PD is shared with the stack: one
 * table page.)  By default the pmap keeps the emptied leaf table and the
 * write finds it: one page (uvm_map_speed checks that).
 */
#define MM_PAGES_PER_OP 4
/* Pool pages for amaps, anons and PV entries on the first operations. */
#define MM_SLACK_PAGES 16

/* One page, placed as mmap(NULL) places it: top-down from the top. */
static vaddr_t
mm_map(struct vm_map *map, vm_prot_t prot)
{
	vaddr_t va = MM_MAX;

	KT_EQ(uvm_map(map, &va, PG(1), NULL, 0, 0,
	    anon_flags(prot, VM_PROT_ALL, UVM_FLAG_TOPDOWN)), 0);
	return va;
}

/* The counters the loop is judged by, at one moment. */
struct mm_count {
	uint64_t checked, allocated, zeroed, zerofills, ptpages;
};

static void
mm_count_take(struct mm_count *c)
{
	c->checked = uvm_map_check_entries;
	c->allocated = uvmexp.pga_alloc;
	c->zeroed = uvmexp.pga_zeroed;
	c->zerofills = uvmexp.flt_zerofill;
	c->ptpages = pmap_counters.ptpages;
}

/*
 * Issue 15's program, in the kernel: 1,000 one-page mappings made one
 * after another top-down, read-only and read-write in turn so that none
 * merge, then mmap + one write + munmap of one page, 1,000 times.  In a
 * debug kernel that loop cost 1.4 million cycles per operation against
 * 30,000 with 10,000 mappings: the debug checks walked the whole map at
 * every change while it had at most 1,024 entries.  Counted, not timed:
 * per operation, a bounded number of entries walked by the checks (and
 * some, in a debug build: big maps are checked too), findspace at most
 * 4 log2(n) nodes, MM_PAGES_PER_OP pages allocated and zeroed, one
 * zero-fill fault, and the page tables left as they were.
 */
KTEST(uvm_map, map_write_unmap_among_1000_mappings_does_bounded_work)
{
	struct vm_map *map = tmap_create(MM_MIN, MM_MAX);
	unsigned visits = 0, bound = 4 * (unsigned)ilog2_ceil(MM_N);
	struct mm_count before, after;

	/* A page at the bottom, as a program's text: the free space is then
	 * an entry's gap, found through the tree (and the findspace cache),
	 * not the lead gap. */
	KT_EQ(map_anon(map, MM_MIN, PG(1), PROT_RX, 0), 0);
	for (int i = 0; i < MM_N; i++)
		mm_map(map, (i & 1) ? PROT_RW : PROT_R);
	KT_EQ(map->nentries, MM_N + 1);
	CHECK(map);
	mm_count_take(&before);
	for (int i = 0; i < MM_OPS; i++) {
		vaddr_t va = mm_map(map, PROT_RW);
		visits = MAX(visits, uvm_map_findspace_visits);
		KT_EQ(uvm_fault(map, va, VM_PROT_WRITE), 0);
		uvm_unmap(map, va, va + PG(1));
	}
	mm_count_take(&after);
	ktest_print("%d ops among %d mappings: %lu entries checked, %lu pages "
	    "allocated, %lu zeroed, findspace at most %u visits\n", MM_OPS, MM_N,
	    after.checked - before.checked, after.allocated - before.allocated,
	    after.zeroed - before.zeroed, visits);
	KT_ASSERT(after.checked - before.checked <= (uint64_t)MM_OPS * MM_CHECK_PER_OP);
	KT_ASSERT(after.checked > before.checked || !KDEBUG);
	KT_ASSERT(visits > 0 && visits <= bound);
	KT_ASSERT(after.allocated - before.allocated <=
	    MM_OPS * MM_PAGES_PER_OP + MM_SLACK_PAGES);
	KT_ASSERT(after.zeroed - before.zeroed <=
	    MM_OPS * MM_PAGES_PER_OP + MM_SLACK_PAGES);
	KT_EQ(after.zerofills - before.zerofills, MM_OPS);
	/* The tables as they were, but for the idle leaf table the last
	 * unmap may have kept, with its PD and PDPT (pmap.c, ptp_keep). */
	KT_ASSERT(after.ptpages >= before.ptpages &&
	    after.ptpages <= before.ptpages + 3);
	KT_EQ(map->nentries, MM_N + 1);
	CHECK(map);
	tmap_destroy(map);
}

static bool ptpkeep_saved;      /* the switch as the test found it */

static void
ptpkeep_restore(void *arg)
{
	(void)arg;
	pmap_ptpkeep_on = ptpkeep_saved;
}

/*
 * The same loop with the pmap's idle leaf table on (ptpkeep, a speed-up):
 * the unmap leaves the emptied page table in place and the next write
 * finds it, so an operation allocates and zeroes one page, the one
 * written (issue 22: 2.1 per operation in a process before, among 1,000
 * untouched mappings).  And the map's own work per operation: the tree
 * nodes recomputed (map_augments) stay within a few root-to-leaf paths
 * (the gap that shrinks and grows again is the biggest in the map, so
 * its maxgap changes up to the root each time), and one tree lookup
 * (uvm_map finding the new page's neighbour; the fault's and the
 * unmap's find the entry in the hint).
 */
KTEST(uvm_map_speed, map_write_unmap_among_1000_mappings_keeps_its_page_table)
{
	struct vm_map *map = tmap_create(MM_MIN, MM_MAX);
	uint64_t aug0, look0, per_op_aug, bound = 8 * (uint64_t)ilog2_ceil(MM_N) + 8;
	struct mm_count before, after;

	ptpkeep_saved = pmap_ptpkeep_on;
	ktest_cleanup_push(ptpkeep_restore, NULL);
	pmap_ptpkeep_on = true;
	KT_EQ(map_anon(map, MM_MIN, PG(1), PROT_RX, 0), 0);
	for (int i = 0; i < MM_N; i++)
		mm_map(map, (i & 1) ? PROT_RW : PROT_R);
	mm_count_take(&before);
	aug0 = uvm_map_stats.augments;
	look0 = uvm_map_stats.tree_lookups;
	for (int i = 0; i < MM_OPS; i++) {
		vaddr_t va = mm_map(map, PROT_RW);
		KT_EQ(uvm_fault(map, va, VM_PROT_WRITE), 0);
		uvm_unmap(map, va, va + PG(1));
	}
	mm_count_take(&after);
	per_op_aug = (uvm_map_stats.augments - aug0) / MM_OPS;
	ktest_print("%d ops: %lu pages allocated, %lu zeroed, %lu nodes recomputed "
	    "and %lu tree lookups per op\n", MM_OPS, after.allocated - before.allocated,
	    after.zeroed - before.zeroed, per_op_aug,
	    (uvm_map_stats.tree_lookups - look0) / MM_OPS);
	KT_ASSERT(after.allocated - before.allocated <= MM_OPS + MM_SLACK_PAGES);
	KT_ASSERT(after.zeroed - before.zeroed <= MM_OPS + MM_SLACK_PAGES);
	KT_ASSERT(after.ptpages - before.ptpages <= 3);
	KT_ASSERT(per_op_aug <= bound);
	/* One per op: placing the new page looks up its neighbour. */
	KT_ASSERT(uvm_map_stats.tree_lookups - look0 <= MM_OPS + MM_SLACK_PAGES);
	CHECK(map);
	tmap_destroy(map);
}

/* ------------------------------------------------------------------ */
/* Fixed mappings                                                      */

/*
 * X = TBASE + 0x10000.  Before:  [A anon rw X..X+4p) [B obj X+4p..X+8p, off 0)
 * FIXED|UNMAP anon r over X+2p..X+6p cuts the middle out of both:
 *   [A X..X+2p) [new r X+2p..X+6p) [B X+6p..X+8p, off 2p)
 */
KTEST(uvm_map, fixed_replaces_with_unmap_flag)
{
	struct vm_map *map = tmap_create(TBASE, TBASE + 0x100000);
	const vaddr_t x = TBASE + 0x10000;
	struct uvm_object obj;
	struct vm_map_entry *e;
	vaddr_t va = x + PG(4);

	tobj_init(&obj);
	KT_EQ(map_anon(map, x, PG(4), PROT_RW, 0), 0);
	KT_EQ(map_obj(map, &va, PG(4), &obj, 0, 0, obj_flags(PROT_RW, UVM_FLAG_FIXED)), 0);
	CHECK(map);
	KT_EQ(obj.uo_refs, 2);
	KT_EQ(map->nentries, 2);

	KT_EQ(map_anon(map, x + PG(2), PG(4), PROT_R, UVM_FLAG_UNMAP), 0);
	CHECK(map);
	KT_EQ(map->nentries, 3);
	KT_EQ(map->size, PG(8));
	e = expect_entry(map, x, x + PG(2));
	KT_EQ(e->protection, PROT_RW);
	KT_ASSERT(e->object == NULL);
	e = expect_entry(map, x + PG(2), x + PG(6));
	KT_EQ(e->protection, PROT_R);
	KT_ASSERT(e->object == NULL);
	KT_EQ(e->etype, UVM_ET_COPYONWRITE | UVM_ET_NEEDSCOPY);
	e = expect_entry(map, x + PG(6), x + PG(8));
	KT_ASSERT(e->object == &obj);
	KT_EQ(e->offset, PG(2));
	KT_EQ(e->etype, UVM_ET_OBJ);
	KT_EQ(obj.uo_refs, 2);          /* B's piece; the cut-off part let go */

	/* Replacing the middle with what A is joins it to A. */
	KT_EQ(map_anon(map, x + PG(2), PG(4), PROT_RW, UVM_FLAG_UNMAP), 0);
	CHECK(map);
	KT_EQ(map->nentries, 2);
	e = expect_entry(map, x, x + PG(6));
	KT_EQ(e->protection, PROT_RW);

	/* Replacing across everything, holes included, leaves one entry. */
	KT_EQ(map_anon(map, x - PG(2), PG(12), PROT_R, UVM_FLAG_UNMAP), 0);
	CHECK(map);
	KT_EQ(map->nentries, 1);
	expect_entry(map, x - PG(2), x + PG(10));
	KT_EQ(obj.uo_refs, 1);
	tmap_destroy(map);
	KT_EQ(obj.uo_refs, 1);
}

KTEST(uvm_map, fixed_without_unmap_is_eexist)
{
	struct vm_map *map = tmap_create(TBASE, TBASE + 0x100000);
	const vaddr_t x = TBASE + 0x10000;
	struct uvm_object obj;
	struct vm_map_entry *e;
	uint32_t stamp;
	vaddr_t va;

	tobj_init(&obj);
	KT_EQ(map_anon(map, x, PG(4), PROT_RW, 0), 0);
	e = expect_entry(map, x, x + PG(4));
	stamp = map->timestamp;
	KT_EQ(map_anon(map, x + PG(2), PG(4), PROT_RW, 0), -EEXIST);      /* tail */
	KT_EQ(map_anon(map, x - PG(2), PG(4), PROT_RW, 0), -EEXIST);      /* head */
	KT_EQ(map_anon(map, x - PG(2), PG(8), PROT_RW, 0), -EEXIST);      /* around */
	KT_EQ(map_anon(map, x + PG(1), PG(1), PROT_RW, 0), -EEXIST);      /* inside */
	va = x + PG(3);
	KT_EQ(map_obj(map, &va, PG(1), &obj, 0, 0, obj_flags(PROT_R, UVM_FLAG_FIXED)),
	    -EEXIST);
	KT_EQ(obj.uo_refs, 1);          /* the failed call kept no reference */
	/* Nothing changed: the same entry, the same timestamp. */
	KT_EQ(map->timestamp, stamp);
	KT_ASSERT(expect_entry(map, x, x + PG(4)) == e);
	KT_EQ(map->nentries, 1);
	CHECK(map);

	/* Bad fixed requests. */
	KT_EQ(map_anon(map, TBASE + 0x100000, PG(1), PROT_RW, 0), -EINVAL);
	KT_EQ(map_anon(map, TBASE + 0x100000 - PG(1), PG(2), PROT_RW, 0), -EINVAL);
	KT_EQ(map_anon(map, TBASE - PG(1), PG(1), PROT_RW, 0), -EINVAL);
	KT_EQ(map_anon(map, x + 0x800, PG(1), PROT_RW, 0), -EINVAL);
	va = x + PG(5);
	KT_EQ(uvm_map(map, &va, PG(1), NULL, 0, 0x10000,
	    anon_flags(PROT_RW, VM_PROT_ALL, UVM_FLAG_FIXED)), -EINVAL);
	va = x + PG(5);
	KT_EQ(uvm_map(map, &va, PG(1), NULL, 0, 0,
	    anon_flags(PROT_RW, PROT_R, UVM_FLAG_FIXED)), -EINVAL);   /* prot > max */
	KT_EQ(map->timestamp, stamp);

	/* Right up against it on both sides is free, and joins it. */
	KT_EQ(map_anon(map, x + PG(4), PG(2), PROT_RW, 0), 0);
	KT_EQ(map_anon(map, x - PG(2), PG(2), PROT_RW, 0), 0);
	CHECK(map);
	KT_EQ(map->nentries, 1);
	expect_entry(map, x - PG(2), x + PG(6));
	tmap_destroy(map);
}

/* ------------------------------------------------------------------ */
/* Merging                                                             */

/* Anonymous: behind, in front, filling a hole; NOMERGE and prot differ. */
static void
merge_anon(struct vm_map *map, vaddr_t x)
{
	struct vm_map_entry *e;
	vaddr_t va = x + PG(11);

	KT_EQ(map_anon(map, x, PG(2), PROT_RW, 0), 0);
	KT_EQ(map_anon(map, x + PG(2), PG(2), PROT_RW, 0), 0);
	CHECK(map);
	KT_EQ(map->nentries, 1);
	KT_EQ(map_anon(map, x - PG(2), PG(2), PROT_RW, 0), 0);
	CHECK(map);
	KT_EQ(map->nentries, 1);
	expect_entry(map, x - PG(2), x + PG(4));
	KT_EQ(map_anon(map, x + PG(6), PG(2), PROT_RW, 0), 0);
	KT_EQ(map->nentries, 2);
	KT_EQ(map_anon(map, x + PG(4), PG(2), PROT_RW, 0), 0);
	CHECK(map);
	KT_EQ(map->nentries, 1);
	e = expect_entry(map, x - PG(2), x + PG(8));
	KT_EQ(map->size, PG(10));
	/* NOMERGE on either side, another protection or inheritance: apart. */
	KT_EQ(map_anon(map, x + PG(8), PG(1), PROT_RW, UVM_FLAG_NOMERGE), 0);
	KT_EQ(map_anon(map, x + PG(9), PG(1), PROT_RW, 0), 0);
	KT_EQ(map_anon(map, x + PG(10), PG(1), PROT_R, 0), 0);
	KT_EQ(uvm_map(map, &va, PG(1), NULL, 0, 0, UVM_MAPFLAG(PROT_R, VM_PROT_ALL,
	    MAP_INHERIT_SHARE, UVM_ADV_NORMAL, UVM_FLAG_FIXED | UVM_FLAG_COPYONWRITE)), 0);
	CHECK(map);
	KT_EQ(map->nentries, 5);
	KT_ASSERT(expect_entry(map, x - PG(2), x + PG(8)) == e);
	KT_EQ(expect_entry(map, x + PG(8), x + PG(9))->flags, UVM_MAP_NOMERGE);
	expect_entry(map, x + PG(9), x + PG(10));
	expect_entry(map, x + PG(10), x + PG(11));
	expect_entry(map, x + PG(11), x + PG(12));
}

/* Objects: only where the offsets continue, and only the same object. */
static void
merge_objects(struct vm_map *map, vaddr_t y, struct uvm_object *obj,
    struct uvm_object *other)
{
	struct vm_map_entry *e;

	KT_EQ(map_obj_at(map, y, PG(2), obj, 0x10000), 0);
	KT_EQ(map_obj_at(map, y + PG(2), PG(2), obj, 0x12000), 0);     /* behind */
	CHECK(map);
	e = expect_entry(map, y, y + PG(4));
	KT_EQ(e->offset, 0x10000);
	KT_EQ(obj->uo_refs, 2);         /* one entry, one reference */
	KT_EQ(map_obj_at(map, y - PG(2), PG(2), obj, 0xe000), 0);      /* in front */
	CHECK(map);
	KT_ASSERT(expect_entry(map, y - PG(2), y + PG(4)) == e);
	KT_EQ(e->offset, 0xe000);       /* the entry's offset moved down */
	KT_EQ(obj->uo_refs, 2);
	KT_EQ(map_obj_at(map, y + PG(4), PG(2), obj, 0x20000), 0);     /* gap in */
	KT_EQ(map_obj_at(map, y - PG(4), PG(2), obj, 0), 0);           /* offsets */
	KT_EQ(map_obj_at(map, y + PG(6), PG(2), other, 0x22000), 0);   /* other */
	CHECK(map);
	KT_EQ(map->nentries, 4);
	KT_EQ(expect_entry(map, y - PG(4), y - PG(2))->offset, 0);
	KT_EQ(expect_entry(map, y + PG(4), y + PG(6))->offset, 0x20000);
	KT_ASSERT(expect_entry(map, y + PG(6), y + PG(8))->object == other);
	KT_EQ(obj->uo_refs, 4);
	KT_EQ(other->uo_refs, 2);
	/* UVM_UNKNOWN_OFFSET: the offset is the address, so neighbours join. */
	KT_EQ(map_obj_at(map, y + PG(16), PG(1), other, UVM_UNKNOWN_OFFSET), 0);
	KT_EQ(map_obj_at(map, y + PG(17), PG(1), other, UVM_UNKNOWN_OFFSET), 0);
	CHECK(map);
	KT_EQ(expect_entry(map, y + PG(16), y + PG(18))->offset, (voff_t)(y + PG(16)));
	KT_EQ(other->uo_refs, 3);
}

KTEST(uvm_map, merge_with_neighbours)
{
	struct vm_map *map = tmap_create(TBASE, TBASE + 0x100000);
	struct uvm_object obj, other;

	tobj_init(&obj);
	tobj_init(&other);
	merge_anon(map, TBASE + 0x10000);
	uvm_unmap(map, map->min_offset, map->max_offset);
	merge_objects(map, TBASE + 0x80000, &obj, &other);
	tmap_destroy(map);
	KT_EQ(obj.uo_refs, 1);
	KT_EQ(other.uo_refs, 1);
}

/* ------------------------------------------------------------------ */
/* Protection                                                          */

/*
 * Split and re-merge, seen in the pmap too: a page entered at x + 1p
 * loses its write permission when its entry's protection drops, and does
 * not get it back when the protection rises (the next fault does that).
 */
static void
protect_split_and_rejoin(struct vm_map *map, vaddr_t x, struct vm_page *pg)
{
	KT_EQ(pmap_enter(map->pmap, x + PG(1), pg->phys_addr, PROT_RW, 0), 0);
	KT_ASSERT(pmap_pte_lookup(map->pmap, x + PG(1)) & PG_RW);
	KT_EQ(uvm_map_protect(map, x + PG(1), x + PG(2), PROT_R, false), 0);
	CHECK(map);
	KT_EQ(map->nentries, 3);
	KT_EQ(expect_entry(map, x, x + PG(1))->protection, PROT_RW);
	KT_EQ(expect_entry(map, x + PG(1), x + PG(2))->protection, PROT_R);
	KT_EQ(expect_entry(map, x + PG(2), x + PG(4))->protection, PROT_RW);
	KT_EQ(expect_entry(map, x + PG(1), x + PG(2))->max_protection, PROT_RW);
	KT_ASSERT(!(pmap_pte_lookup(map->pmap, x + PG(1)) & PG_RW));
	KT_ASSERT(pmap_pte_lookup(map->pmap, x + PG(1)) & PG_V);
	KT_EQ(uvm_map_protect(map, x + PG(1), x + PG(2), PROT_RW, false), 0);
	CHECK(map);
	KT_EQ(map->nentries, 1);
	KT_EQ(expect_entry(map, x, x + PG(4))->protection, PROT_RW);
	KT_ASSERT(!(pmap_pte_lookup(map->pmap, x + PG(1)) & PG_RW));
}

/* Lowering the maximum lowers the protection; it never rises again. */
static void
protect_lowers_max(struct vm_map *map, vaddr_t x)
{
	struct vm_map_entry *e;

	KT_EQ(uvm_map_protect(map, x, x + PG(2), PROT_R, true), 0);
	CHECK(map);
	e = expect_entry(map, x, x + PG(2));
	KT_EQ(e->max_protection, PROT_R);
	KT_EQ(e->protection, PROT_R);
	KT_EQ(uvm_map_protect(map, x, x + PG(1), PROT_RW, false), -EACCES);
	KT_EQ(uvm_map_protect(map, x, x + PG(1), PROT_RW, true), -EACCES);
	KT_EQ(uvm_map_protect(map, x + PG(1), x + PG(3), VM_PROT_NONE, false), 0);
	CHECK(map);
	KT_EQ(map->nentries, 5);        /* [x,+1) [+1,+2) [+2,+3) [+3,+4) [+6,+8) */
	KT_EQ(expect_entry(map, x + PG(1), x + PG(2))->protection, VM_PROT_NONE);
	KT_EQ(expect_entry(map, x + PG(2), x + PG(3))->protection, VM_PROT_NONE);
	KT_EQ(pmap_pte_lookup(map->pmap, x + PG(1)), 0);   /* none: unmapped */
}

KTEST(uvm_map, protect_respects_maxprot)
{
	/* The page first: it outlives the map, so the baseline counts it. */
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, VM_PAGE_ZERO);
	struct vm_map *map = tmap_create(TBASE, TBASE + 0x100000);
	const vaddr_t x = TBASE + 0x10000;
	uint32_t stamp;
	vaddr_t va = x;

	KT_ASSERT(pg != NULL);
	KT_EQ(uvm_map(map, &va, PG(4), NULL, 0, 0,
	    anon_flags(PROT_RW, PROT_RW, UVM_FLAG_FIXED)), 0);
	/* Above the maximum (or malformed): refused, nothing changed. */
	stamp = map->timestamp;
	KT_EQ(uvm_map_protect(map, x, x + PG(4), VM_PROT_ALL, false), -EACCES);
	KT_EQ(uvm_map_protect(map, x + PG(1), x + PG(2), PROT_RX, false), -EACCES);
	KT_EQ(uvm_map_protect(map, x, x + PG(4), VM_PROT_ALL, true), -EACCES);
	KT_EQ(uvm_map_protect(map, x, x + PG(4), 0x8, false), -EINVAL);
	KT_EQ(uvm_map_protect(map, x + 0x800, x + PG(4), PROT_R, false), -EINVAL);
	KT_EQ(map->timestamp, stamp);
	KT_EQ(expect_entry(map, x, x + PG(4))->protection, PROT_RW);
	CHECK(map);
	/* An empty range is a no-op, mapped or not. */
	KT_EQ(uvm_map_protect(map, x + PG(8), x + PG(8), PROT_R, false), 0);
	protect_split_and_rejoin(map, x, pg);
	/* A hole in the range: ENOMEM, and nothing changes. */
	KT_EQ(map_anon(map, x + PG(6), PG(2), PROT_RW, 0), 0);
	stamp = map->timestamp;
	KT_EQ(uvm_map_protect(map, x + PG(2), x + PG(8), PROT_R, false), -ENOMEM);
	KT_EQ(uvm_map_protect(map, x - PG(1), x + PG(1), PROT_R, false), -ENOMEM);
	KT_EQ(map->timestamp, stamp);
	KT_EQ(map->nentries, 2);
	KT_EQ(expect_entry(map, x, x + PG(4))->protection, PROT_RW);
	KT_EQ(expect_entry(map, x + PG(6), x + PG(8))->protection, PROT_RW);
	CHECK(map);
	protect_lowers_max(map, x);
	tmap_destroy(map);
	vm_page_free(pg);
}

/* ------------------------------------------------------------------ */
/* Clipping                                                            */

/* Clip by hand: each piece holds its own reference, offsets follow. */
static void
clip_by_hand(struct vm_map *map, vaddr_t x, struct uvm_object *obj)
{
	struct vm_map_entry *e = expect_entry(map, x, x + PG(8));

	vm_map_lock(map);
	uvm_map_clip_start(map, e, x + PG(2));
	vm_map_unlock(map);
	CHECK(map);
	KT_EQ(obj->uo_refs, 3);
	KT_EQ(e->start, x + PG(2));
	KT_EQ(e->offset, 0x7000);
	KT_EQ(expect_entry(map, x, x + PG(2))->offset, 0x5000);
	vm_map_lock(map);
	uvm_map_clip_end(map, e, x + PG(5));
	vm_map_unlock(map);
	CHECK(map);
	KT_EQ(obj->uo_refs, 4);
	KT_EQ(map->nentries, 3);
	KT_EQ(map->size, PG(8));
	KT_EQ(e->end, x + PG(5));
	KT_EQ(expect_entry(map, x + PG(5), x + PG(8))->offset, 0xa000);
}

KTEST(uvm_map, clip_keeps_object_references)
{
	struct vm_map *map = tmap_create(TBASE, TBASE + 0x100000);
	const vaddr_t x = TBASE + 0x10000;
	struct uvm_object obj;

	tobj_init(&obj);
	KT_EQ(map_obj_at(map, x, PG(8), &obj, 0x5000), 0);
	KT_EQ(obj.uo_refs, 2);
	clip_by_hand(map, x, &obj);
	/* Unmapping a whole piece lets its reference go. */
	uvm_unmap(map, x + PG(2), x + PG(5));
	CHECK(map);
	KT_EQ(obj.uo_refs, 3);
	KT_EQ(map->nentries, 2);
	/* A partial unmap clips and lets go of what it cut off: same count. */
	uvm_unmap(map, x + PG(1), x + PG(6));
	CHECK(map);
	KT_EQ(obj.uo_refs, 3);
	KT_EQ(expect_entry(map, x, x + PG(1))->offset, 0x5000);
	KT_EQ(expect_entry(map, x + PG(6), x + PG(8))->offset, 0xb000);
	KT_EQ(map->size, PG(3));
	uvm_unmap(map, x, x + PG(8));
	CHECK(map);
	KT_EQ(obj.uo_refs, 1);
	/* Split by protect and merged back: the references follow the entries. */
	KT_EQ(map_obj_at(map, x, PG(4), &obj, 0), 0);
	KT_EQ(uvm_map_protect(map, x + PG(1), x + PG(3), PROT_R, false), 0);
	CHECK(map);
	KT_EQ(map->nentries, 3);
	KT_EQ(obj.uo_refs, 4);
	KT_EQ(uvm_map_protect(map, x, x + PG(4), PROT_R, false), 0);
	CHECK(map);
	KT_EQ(map->nentries, 1);
	KT_EQ(obj.uo_refs, 2);
	KT_EQ(expect_entry(map, x, x + PG(4))->offset, 0);
	tmap_destroy(map);
	KT_EQ(obj.uo_refs, 1);
}

/*
 * An overlay entry has its amap from the start.  Clipping shares it
 * (amap_splitref: one more am_ref, windows side by side); merging back
 * gives the reference back (amap_mergeref); unmapping drops it.
 */
KTEST(uvm_map, clip_splits_amap_reference)
{
	struct vm_map *map = tmap_create(TBASE, TBASE + 0x100000);
	const vaddr_t x = TBASE + 0x10000;
	struct vm_map_entry *a, *b, *c;
	struct vm_amap *amap;

	KT_EQ(map_anon(map, x, PG(4), PROT_RW, UVM_FLAG_OVERLAY), 0);
	a = expect_entry(map, x, x + PG(4));
	amap = a->aref.ar_amap;
	KT_ASSERT(amap != NULL);
	KT_EQ(amap_count(), tmap_base.amaps + 1);
	KT_EQ(a->etype, UVM_ET_COPYONWRITE);        /* an overlay needs no copy */
	KT_EQ(a->aref.ar_pageoff, 0);
	KT_EQ(amap->am_ref, 1);
	KT_ASSERT(amap->am_nslot >= 4);
	/* An overlay never joins a neighbour: each has its own amap. */
	KT_EQ(map_anon(map, x + PG(4), PG(1), PROT_RW, UVM_FLAG_OVERLAY), 0);
	CHECK(map);
	KT_EQ(map->nentries, 2);
	KT_EQ(amap_count(), tmap_base.amaps + 2);
	KT_ASSERT(expect_entry(map, x + PG(4), x + PG(5))->aref.ar_amap != amap);
	uvm_unmap(map, x + PG(4), x + PG(5));
	KT_EQ(amap_count(), tmap_base.amaps + 1);

	KT_EQ(uvm_map_protect(map, x + PG(1), x + PG(2), PROT_R, false), 0);
	CHECK(map);
	a = expect_entry(map, x, x + PG(1));
	b = expect_entry(map, x + PG(1), x + PG(2));
	c = expect_entry(map, x + PG(2), x + PG(4));
	KT_ASSERT(a->aref.ar_amap == amap && b->aref.ar_amap == amap &&
	    c->aref.ar_amap == amap);
	KT_EQ(a->aref.ar_pageoff, 0);
	KT_EQ(b->aref.ar_pageoff, 1);
	KT_EQ(c->aref.ar_pageoff, 2);
	KT_EQ(amap->am_ref, 3);

	KT_EQ(uvm_map_protect(map, x + PG(1), x + PG(2), PROT_RW, false), 0);
	CHECK(map);
	KT_EQ(map->nentries, 1);
	a = expect_entry(map, x, x + PG(4));
	KT_EQ(a->aref.ar_pageoff, 0);
	KT_EQ(amap->am_ref, 1);

	uvm_unmap(map, x + PG(1), x + PG(2));
	CHECK(map);
	KT_EQ(expect_entry(map, x + PG(2), x + PG(4))->aref.ar_pageoff, 2);
	KT_EQ(amap->am_ref, 2);
	tmap_destroy(map);
}

/* ------------------------------------------------------------------ */
/* Inherit, advice, checkprot, wiring                                  */

KTEST(uvm_map, inherit_and_advice_split_and_rejoin)
{
	struct vm_map *map = tmap_create(TBASE, TBASE + 0x100000);
	const vaddr_t x = TBASE + 0x10000;

	KT_EQ(map_anon(map, x, PG(4), PROT_RW, 0), 0);
	KT_EQ(map_anon(map, x + PG(6), PG(2), PROT_RW, 0), 0);
	/* Across the hole: both entries clipped to the range, the hole skipped. */
	KT_EQ(uvm_map_inherit(map, x + PG(2), x + PG(7), MAP_INHERIT_SHARE), 0);
	CHECK(map);
	KT_EQ(map->nentries, 4);
	KT_EQ(expect_entry(map, x, x + PG(2))->inheritance, MAP_INHERIT_COPY);
	KT_EQ(expect_entry(map, x + PG(2), x + PG(4))->inheritance, MAP_INHERIT_SHARE);
	KT_EQ(expect_entry(map, x + PG(6), x + PG(7))->inheritance, MAP_INHERIT_SHARE);
	KT_EQ(expect_entry(map, x + PG(7), x + PG(8))->inheritance, MAP_INHERIT_COPY);
	KT_EQ(uvm_map_advice(map, x + PG(3), x + PG(4), UVM_ADV_SEQUENTIAL), 0);
	CHECK(map);
	KT_EQ(map->nentries, 5);
	KT_EQ(expect_entry(map, x + PG(3), x + PG(4))->advice, UVM_ADV_SEQUENTIAL);
	KT_EQ(uvm_map_inherit(map, x, x + PG(8), MAP_INHERIT_COPY), 0);
	KT_EQ(uvm_map_advice(map, x, x + PG(8), UVM_ADV_NORMAL), 0);
	CHECK(map);
	KT_EQ(map->nentries, 2);
	expect_entry(map, x, x + PG(4));
	expect_entry(map, x + PG(6), x + PG(8));
	KT_EQ(uvm_map_inherit(map, x, x + PG(8), MAP_INHERIT_ZERO + 1), -EINVAL);
	KT_EQ(uvm_map_advice(map, x, x + PG(8), UVM_ADV_SEQUENTIAL + 1), -EINVAL);
	tmap_destroy(map);
}

KTEST(uvm_map, checkprot)
{
	struct vm_map *map = tmap_create(TBASE, TBASE + 0x100000);
	const vaddr_t x = TBASE + 0x10000;
	uint32_t stamp;

	KT_EQ(map_anon(map, x, PG(2), PROT_RW, 0), 0);
	KT_EQ(map_anon(map, x + PG(2), PG(2), PROT_R, 0), 0);
	KT_EQ(map_anon(map, x + PG(6), PG(1), VM_PROT_ALL, 0), 0);
	stamp = map->timestamp;
	KT_ASSERT(uvm_map_checkprot(map, x, x + PG(2), PROT_RW));
	KT_ASSERT(uvm_map_checkprot(map, x, x + PG(4), PROT_R));
	KT_ASSERT(uvm_map_checkprot(map, x + PG(1), x + PG(3), PROT_R));
	KT_ASSERT(!uvm_map_checkprot(map, x, x + PG(4), PROT_RW));
	KT_ASSERT(!uvm_map_checkprot(map, x + PG(1), x + PG(3), PROT_RW));
	KT_ASSERT(!uvm_map_checkprot(map, x, x + PG(7), PROT_R));        /* hole */
	KT_ASSERT(uvm_map_checkprot(map, x + PG(6), x + PG(7), VM_PROT_ALL));
	KT_ASSERT(!uvm_map_checkprot(map, x + PG(6), x + PG(8), PROT_R)); /* tail */
	KT_ASSERT(!uvm_map_checkprot(map, x + PG(4), x + PG(5), VM_PROT_NONE));
	KT_ASSERT(!uvm_map_checkprot(map, x - PG(1), x + PG(1), VM_PROT_NONE));
	KT_ASSERT(uvm_map_checkprot(map, x + PG(3), x + PG(4), VM_PROT_NONE));
	KT_EQ(map->timestamp, stamp);
	KT_EQ(map->nentries, 3);
	CHECK(map);
	tmap_destroy(map);
}

/*
 * Wiring counts per entry, clipped to the range; unwiring to zero joins
 * the pieces back.  The entry is an overlay (its amap from the start, no
 * needs-copy), so wiring needs no amap_copy; the pieces share the amap
 * and join back through amap_mergeref.
 */
KTEST(uvm_map, pageable_counts_wirings_and_rejoins)
{
	struct vm_map *map = tmap_create(TBASE, TBASE + 0x100000);
	const vaddr_t x = TBASE + 0x10000;
	struct vm_amap *amap;
	uint32_t stamp;

	KT_EQ(map_anon(map, x, PG(4), PROT_RW, UVM_FLAG_OVERLAY), 0);
	amap = expect_entry(map, x, x + PG(4))->aref.ar_amap;
	KT_EQ(uvm_map_pageable(map, x + PG(1), x + PG(3), false), 0);
	CHECK(map);
	KT_EQ(map->nentries, 3);
	KT_EQ(expect_entry(map, x, x + PG(1))->wired_count, 0);
	KT_EQ(expect_entry(map, x + PG(1), x + PG(3))->wired_count, 1);
	KT_EQ(expect_entry(map, x + PG(3), x + PG(4))->wired_count, 0);
	KT_EQ(uvm_map_pageable(map, x + PG(2), x + PG(4), false), 0);
	CHECK(map);
	KT_EQ(map->nentries, 4);
	KT_EQ(expect_entry(map, x + PG(1), x + PG(2))->wired_count, 1);
	KT_EQ(expect_entry(map, x + PG(2), x + PG(3))->wired_count, 2);
	KT_EQ(expect_entry(map, x + PG(3), x + PG(4))->wired_count, 1);
	KT_EQ(amap->am_ref, 4);
	/* Unwiring what is not wired, or wiring over a hole: refused, no change. */
	stamp = map->timestamp;
	KT_EQ(uvm_map_pageable(map, x, x + PG(2), true), -EINVAL);
	KT_EQ(uvm_map_pageable(map, x + PG(3), x + PG(6), false), -ENOMEM);
	KT_EQ(map->timestamp, stamp);
	KT_EQ(expect_entry(map, x + PG(1), x + PG(2))->wired_count, 1);
	KT_EQ(expect_entry(map, x + PG(3), x + PG(4))->wired_count, 1);
	/* Pieces that are equal again join. */
	KT_EQ(uvm_map_pageable(map, x + PG(2), x + PG(4), true), 0);
	CHECK(map);
	KT_EQ(map->nentries, 3);
	KT_EQ(expect_entry(map, x + PG(1), x + PG(3))->wired_count, 1);
	KT_EQ(expect_entry(map, x + PG(3), x + PG(4))->wired_count, 0);
	KT_EQ(uvm_map_pageable(map, x + PG(1), x + PG(3), true), 0);
	CHECK(map);
	KT_EQ(map->nentries, 1);
	KT_EQ(expect_entry(map, x, x + PG(4))->wired_count, 0);
	KT_EQ(amap->am_ref, 1);
	/* A wired entry is unwired by the unmap that removes it. */
	KT_EQ(uvm_map_pageable(map, x, x + PG(4), false), 0);
	KT_EQ(expect_entry(map, x, x + PG(4))->wired_count, 1);
	tmap_destroy(map);
}

/* ------------------------------------------------------------------ */
/* The printers                                                        */

/* uvm_map_entry_print on e: one line, and it has each of want[]. */
static void
expect_entry_line(const struct vm_map_entry *e, const char *const *want, int n)
{
	ktest_capture_reset();
	uvm_map_entry_print(e, ktest_capture);
	KT_EQ(ktest_captured_lines(), 1);
	for (int i = 0; i < n; i++) {
		if (!ktest_captured_has(want[i]))
			ktest_print("missing \"%s\" in: %s", want[i], ktest_captured());
		KT_ASSERT(ktest_captured_has(want[i]));
	}
}

/*
 * Two entries: private anonymous memory (copy-on-write, needs-copy until
 * the first write) and a shared object mapping made read-execute, with a
 * two-page hole between them and the rest of the map after the second.
 */
KTEST(uvm_map, print_shows_range_prot_flags_and_gap)
{
	struct vm_map *map = tmap_create(TBASE, TBASE + 0x100000);
	const vaddr_t x = TBASE + 0x10000;
	struct uvm_object obj;
	struct vm_map_entry *a, *o;
	char range_a[40], range_o[40], gap_o[24], head[96];
	const char *s, *line_a, *line_o;

	tobj_init(&obj);
	KT_EQ(map_anon(map, x, PG(2), PROT_RW, 0), 0);
	KT_EQ(map_obj_at(map, x + PG(4), PG(1), &obj, 0x3000), 0);
	KT_EQ(uvm_map_protect(map, x + PG(4), x + PG(5), PROT_RX, false), 0);
	CHECK(map);
	a = expect_entry(map, x, x + PG(2));
	o = expect_entry(map, x + PG(4), x + PG(5));
	ksnprintf(range_a, sizeof(range_a), "  %012lx-%012lx ", x, x + PG(2));
	ksnprintf(range_o, sizeof(range_o), "  %012lx-%012lx ", x + PG(4), x + PG(5));
	ksnprintf(gap_o, sizeof(gap_o), " gap %#lx\n", TBASE + 0x100000 - (x + PG(5)));

	expect_entry_line(a, (const char *const[]){ range_a, " rw-/rwx copy  normal ",
	    " cow needs-copy amap ", " gap 0x2000\n" }, 4);
	expect_entry_line(o, (const char *const[]){ range_o, " r-x/rwx share normal ",
	    "+0x3000 gap", gap_o }, 4);
	KT_ASSERT(!ktest_captured_has(" cow") && !ktest_captured_has("needs-copy"));

	/* The first write gives the entry its amap: no longer needs-copy. */
	KT_EQ(uvm_fault(map, x, VM_PROT_WRITE), 0);
	a = expect_entry(map, x, x + PG(2));
	expect_entry_line(a, (const char *const[]){ range_a, " rw-/rwx copy  normal ",
	    " cow amap " }, 3);
	KT_ASSERT(!ktest_captured_has("needs-copy"));

	/* The whole map: a header, then the entries in address order. */
	ktest_capture_reset();
	uvm_map_print(map, ktest_capture);
	KT_EQ(ktest_captured_lines(), 3);
	ksnprintf(head, sizeof(head), "map %p: [%#lx, %#lx) 2 entries, %#lx bytes, "
	    "lead gap 0x10000, pmap %p, ", (void *)map, TBASE, TBASE + 0x100000,
	    PG(3), (void *)map->pmap);
	s = ktest_captured();
	KT_EQ(strncmp(s, head, strlen(head)), 0);
	line_a = strchr(s, '\n') + 1;
	line_o = strchr(line_a, '\n') + 1;
	KT_EQ(strncmp(line_a, range_a, strlen(range_a)), 0);
	KT_EQ(strncmp(line_o, range_o, strlen(range_o)), 0);
	KT_ASSERT(ktest_captured_has(" gap 0x2000\n"));
	KT_ASSERT(ktest_captured_has(gap_o));
	tmap_destroy(map);
	KT_EQ(obj.uo_refs, 1);
}

/* ------------------------------------------------------------------ */
/* The random model test                                               */

/*
 * A map of RM_PAGES pages and, beside it, the model: one rm_page per
 * page saying what the map should have there.  Each step draws an
 * operation (map anywhere, map FIXED, FIXED|UNMAP, unmap, protect,
 * inherit, advice, checkprot and lookups) on a random range, works out
 * from the model alone what the call must return and where a mapping
 * must land, then updates the model and compares it with the map page by
 * page: mapped or not, protection, maximum, inheritance, advice, entry
 * type, object and offset.  The checker runs after every step too, and
 * three properties of the whole map are checked: the entry count against
 * the live-entry counter, each object's references against the entries
 * that map it, and that no two neighbouring entries are left that should
 * have been merged.
 */
#define RM_PAGES 256
#define RM_MIN 0x20000000UL
#define RM_MAX (RM_MIN + PG(RM_PAGES))
#define RM_OPS 10000
#define RM_NOBJ 2

struct rm_page {
	bool mapped;
	bool nomerge;
	uint8_t prot, maxprot, inherit, advice, etype;
	int8_t obj;             /* index into rm_obj, -1 for anonymous */
	voff_t off;             /* the object offset of this page */
};

/* A random mapping request. */
struct rm_req {
	vsize_t size;
	int obj;                /* index into rm_obj, -1 for anonymous */
	voff_t off;             /* UVM_UNKNOWN_OFFSET: the address */
	bool cow, nomerge;
	vm_prot_t prot, maxprot;
	int inherit, advice;
};

enum { RM_MAP, RM_FIXED, RM_REPLACE, RM_UNMAP, RM_PROTECT, RM_INHERIT,
	RM_ADVICE, RM_CHECKPROT, RM_NKIND };

static const char *const rm_kind_name[RM_NKIND] = {
	"map", "fixed", "fixed|unmap", "unmap", "protect", "inherit",
	"advice", "checkprot",
};

static struct rm_page rm_model[RM_PAGES];
static struct uvm_object rm_obj[RM_NOBJ];
static char rm_what[160];       /* the operation under way, for failures */
static unsigned rm_step;
static unsigned rm_ok[RM_NKIND], rm_err[RM_NKIND];

static bool
rm_fail(struct vm_map *map, const char *why, int page)
{
	ktest_print("random_model: step %u (%s): %s (page %d)\n", rm_step,
	    rm_what, why, page);
	uvm_map_print(map, ktest_print);
	return false;
}

/* On failure, print the step and the map, then fail the test. */
#define RM_EXPECT(map, cond)                                               \
	do {                                                               \
		if (!(cond))                                               \
			return rm_fail((map), #cond, -1);                  \
	} while (0)

static int
rm_page(vaddr_t va)
{
	return (int)((va - RM_MIN) >> PAGE_SHIFT);
}

/* Is [va, va + len) inside the map and unmapped in the model? */
static bool
rm_free(vaddr_t va, vsize_t len)
{
	if (va < RM_MIN || va > RM_MAX || RM_MAX - va < len)
		return false;
	for (int i = rm_page(va); i < rm_page(va + len); i++) {
		if (rm_model[i].mapped)
			return false;
	}
	return true;
}

/* The hint as findspace reads it (see uvm_map.h). */
static vaddr_t
rm_hint(vaddr_t hint, bool topdown)
{
	if (topdown)
		return hint == 0 || hint > RM_MAX ? RM_MAX : hint;
	return MAX(hint, RM_MIN);
}

/* The exact answer: lowest aligned start >= h, or highest <= h, that is free. */
static bool
rm_fit(vaddr_t h, vsize_t size, vsize_t align, bool topdown, vaddr_t *want)
{
	if (!topdown) {
		for (vaddr_t s = ROUND_UP(h, align); s <= RM_MAX && RM_MAX - s >= size;
		    s += align) {
			if (rm_free(s, size)) {
				*want = s;
				return true;
			}
		}
		return false;
	}
	for (vaddr_t s = ROUND_DOWN(MIN(h, RM_MAX - size), align); s >= RM_MIN;
	    s -= align) {
		if (rm_free(s, size)) {
			*want = s;
			return true;
		}
	}
	return false;
}

/*
 * Is there a free run of runlen bytes in the part of the map the search
 * covers (starting at or above h; top-down, ending at or below h + size)?
 * An aligned findspace may pass over shorter gaps but never such a run.
 */
static bool
rm_run(vaddr_t h, vsize_t size, vsize_t runlen, bool topdown)
{
	for (vaddr_t s = RM_MIN; s + runlen <= RM_MAX; s += PAGE_SIZE) {
		if (!topdown && s < h)
			continue;
		if (topdown && s + runlen > h + size)
			break;
		if (rm_free(s, runlen))
			return true;
	}
	return false;
}

static void
rm_random_req(struct krand *r, struct rm_req *q)
{
	q->size = PG(1 + krand_below(r, 16));
	q->obj = krand_below(r, 5) < 2 ? (int)krand_below(r, RM_NOBJ) : -1;
	q->off = krand_below(r, 2) ? UVM_UNKNOWN_OFFSET : (voff_t)PG(krand_below(r, 64));
	q->cow = q->obj < 0 || krand_below(r, 2);
	q->maxprot = (vm_prot_t)krand_below(r, 8);
	q->prot = q->maxprot & (vm_prot_t)krand_below(r, 8);
	q->inherit = (int)krand_below(r, 4);
	q->advice = (int)krand_below(r, 3);
	q->nomerge = krand_below(r, 10) == 0;
}

static int
rm_uvm_map(struct vm_map *map, vaddr_t *va, const struct rm_req *q,
    vsize_t align, uvm_flag_t extra)
{
	uvm_flag_t fl = UVM_MAPFLAG(q->prot, q->maxprot, q->inherit, q->advice,
	    (q->cow ? UVM_FLAG_COPYONWRITE : 0) |
	    (q->nomerge ? UVM_FLAG_NOMERGE : 0) | extra);

	if (q->obj < 0)
		return uvm_map(map, va, q->size, NULL, 0, align, fl);
	return map_obj(map, va, q->size, &rm_obj[q->obj], q->off, align, fl);
}

static void
rm_model_map(vaddr_t va, const struct rm_req *q)
{
	voff_t off = q->off == UVM_UNKNOWN_OFFSET ? (voff_t)va : q->off;

	for (int i = 0; i < (int)(q->size >> PAGE_SHIFT); i++) {
		struct rm_page *p = &rm_model[rm_page(va) + i];
		p->mapped = true;
		p->nomerge = q->nomerge;
		p->prot = (uint8_t)q->prot;
		p->maxprot = (uint8_t)q->maxprot;
		p->inherit = (uint8_t)q->inherit;
		p->advice = (uint8_t)q->advice;
		p->etype = (q->obj >= 0 ? UVM_ET_OBJ : 0) |
		    (q->cow ? UVM_ET_COPYONWRITE | UVM_ET_NEEDSCOPY : 0);
		p->obj = (int8_t)q->obj;
		p->off = q->obj >= 0 ? off + (voff_t)PG(i) : 0;
	}
}

static void
rm_model_unmap(vaddr_t start, vaddr_t end)
{
	for (int i = rm_page(start); i < rm_page(end); i++)
		rm_model[i].mapped = false;
}

static void
rm_random_range(struct krand *r, int maxlen, vaddr_t *start, vaddr_t *end)
{
	int a = (int)krand_below(r, RM_PAGES);
	int n = 1 + (int)krand_below(r, maxlen);

	*start = RM_MIN + PG(a);
	*end = RM_MIN + PG(MIN(a + n, RM_PAGES));
}

/* uvm_map anywhere: exactly the model's first fit, or (aligned) a fit. */
static bool
rm_op_map(struct vm_map *map, struct krand *r, int *errp)
{
	static const vsize_t aligns[] = { 0, 0, 0, PAGE_SIZE, PG(4), PG(16) };
	vsize_t align = aligns[krand_below(r, ARRAY_SIZE(aligns))];
	bool topdown = krand_below(r, 2);
	vaddr_t hint = krand_below(r, 4) == 0 ? 0 : RM_MIN + PG(krand_below(r, RM_PAGES + 1));
	vaddr_t h = rm_hint(hint, topdown), va = hint, want = 0;
	uint32_t stamp = map->timestamp;
	struct rm_req q;
	bool fits;

	rm_random_req(r, &q);
	ksnprintf(rm_what, sizeof(rm_what), "map %#lx hint %#lx align %#lx %s obj %d",
	    q.size, hint, align, topdown ? "topdown" : "bottomup", q.obj);
	fits = rm_fit(h, q.size, MAX(align, PAGE_SIZE), topdown, &want);
	*errp = rm_uvm_map(map, &va, &q, align, topdown ? UVM_FLAG_TOPDOWN : 0);
	if (align <= PAGE_SIZE) {
		RM_EXPECT(map, *errp == (fits ? 0 : -ENOMEM));
		RM_EXPECT(map, !fits || va == want);
	} else if (*errp == 0) {
		RM_EXPECT(map, (va & (align - 1)) == 0 && rm_free(va, q.size));
		RM_EXPECT(map, topdown ? va <= h : va >= h);
	} else {
		RM_EXPECT(map, *errp == -ENOMEM);
		RM_EXPECT(map, !rm_run(h, q.size, q.size + align - PAGE_SIZE, topdown));
	}
	if (*errp == 0)
		rm_model_map(va, &q);
	else
		RM_EXPECT(map, map->timestamp == stamp);
	return true;
}

/* uvm_map FIXED, with or without UNMAP. */
static bool
rm_op_fixed(struct vm_map *map, struct krand *r, bool replace, int *errp)
{
	int a = (int)krand_below(r, RM_PAGES);
	vaddr_t start = RM_MIN + PG(a), va = start;
	uint32_t stamp = map->timestamp;
	struct rm_req q;
	int want;

	rm_random_req(r, &q);
	q.size = MIN(q.size, PG(RM_PAGES - a));
	ksnprintf(rm_what, sizeof(rm_what), "%s %#lx size %#lx obj %d",
	    replace ? "fixed|unmap" : "fixed", start, q.size, q.obj);
	want = replace || rm_free(start, q.size) ? 0 : -EEXIST;
	*errp = rm_uvm_map(map, &va, &q, 0,
	    UVM_FLAG_FIXED | (replace ? UVM_FLAG_UNMAP : 0));
	RM_EXPECT(map, *errp == want);
	if (*errp == 0) {
		RM_EXPECT(map, va == start);
		rm_model_unmap(start, start + q.size);
		rm_model_map(start, &q);
	} else {
		RM_EXPECT(map, map->timestamp == stamp);
	}
	return true;
}

static bool
rm_op_unmap(struct vm_map *map, struct krand *r)
{
	vaddr_t start, end;

	rm_random_range(r, 32, &start, &end);
	ksnprintf(rm_what, sizeof(rm_what), "unmap %#lx-%#lx", start, end);
	uvm_unmap(map, start, end);
	rm_model_unmap(start, end);
	return true;
}

/*
 * Shrink [*start, *end) to the mapped pages from *start on, if *start is
 * mapped (else leave it): a range an operation can succeed on.
 */
static void
rm_mapped_run(vaddr_t *start, vaddr_t *end)
{
	int i = rm_page(*start);

	if (!rm_model[i].mapped)
		return;
	while (i < rm_page(*end) && rm_model[i].mapped)
		i++;
	*end = RM_MIN + PG(i);
}

/*
 * protect: half the time on mapped pages only and within the first
 * page's maximum, so that the call succeeds often enough.
 */
static bool
rm_op_protect(struct vm_map *map, struct krand *r, int *errp)
{
	vm_prot_t prot = (vm_prot_t)krand_below(r, 8);
	bool set_max = krand_below(r, 5) == 0;
	uint32_t stamp = map->timestamp;
	vaddr_t start, end;
	int want = 0;

	rm_random_range(r, 12, &start, &end);
	if (krand_below(r, 2)) {
		rm_mapped_run(&start, &end);
		prot &= rm_model[rm_page(start)].maxprot;
	}
	if (krand_below(r, 32) == 0)
		end = start;
	ksnprintf(rm_what, sizeof(rm_what), "protect %#lx-%#lx prot %u%s", start,
	    end, prot, set_max ? " max" : "");
	for (int i = rm_page(start); i < rm_page(end) && want != -ENOMEM; i++) {
		if (!rm_model[i].mapped)
			want = -ENOMEM;
		else if (prot & ~(vm_prot_t)rm_model[i].maxprot)
			want = -EACCES;
	}
	*errp = uvm_map_protect(map, start, end, prot, set_max);
	RM_EXPECT(map, *errp == want);
	if (*errp != 0) {
		RM_EXPECT(map, map->timestamp == stamp);
		return true;
	}
	for (int i = rm_page(start); i < rm_page(end); i++) {
		if (set_max)
			rm_model[i].maxprot = (uint8_t)prot;
		rm_model[i].prot = (uint8_t)(set_max ? rm_model[i].prot & prot : prot);
	}
	return true;
}

/* Inheritance or advice: set on the mapped pages of the range. */
static bool
rm_op_attr(struct vm_map *map, struct krand *r, bool inherit, int *errp)
{
	int value = (int)krand_below(r, inherit ? 5 : 4);     /* the last: invalid */
	bool valid = value < (inherit ? 4 : 3);
	uint32_t stamp = map->timestamp;
	vaddr_t start, end;

	rm_random_range(r, 24, &start, &end);
	ksnprintf(rm_what, sizeof(rm_what), "%s %#lx-%#lx %d",
	    inherit ? "inherit" : "advice", start, end, value);
	*errp = inherit ? uvm_map_inherit(map, start, end, value) :
	    uvm_map_advice(map, start, end, value);
	RM_EXPECT(map, *errp == (valid ? 0 : -EINVAL));
	if (!valid) {
		RM_EXPECT(map, map->timestamp == stamp);
		return true;
	}
	for (int i = rm_page(start); i < rm_page(end); i++) {
		if (inherit)
			rm_model[i].inherit = (uint8_t)value;
		else
			rm_model[i].advice = (uint8_t)value;
	}
	return true;
}

/* checkprot on a range, and lookups: answers only, the map unchanged. */
static bool
rm_op_query(struct vm_map *map, struct krand *r)
{
	vm_prot_t prot = (vm_prot_t)krand_below(r, 8);
	uint32_t stamp = map->timestamp;
	struct vm_map_entry *e;
	vaddr_t start, end, va;
	bool want = true, found;

	rm_random_range(r, 24, &start, &end);
	ksnprintf(rm_what, sizeof(rm_what), "checkprot %#lx-%#lx prot %u", start,
	    end, prot);
	for (int i = rm_page(start); i < rm_page(end); i++)
		want &= rm_model[i].mapped && (rm_model[i].prot & prot) == prot;
	RM_EXPECT(map, uvm_map_checkprot(map, start, end, prot) == want);
	for (int k = 0; k < 4; k++) {
		va = RM_MIN + PG(krand_below(r, RM_PAGES)) + krand_below(r, PAGE_SIZE);
		vm_map_lock(map);
		found = uvm_map_lookup_entry(map, va, &e);
		vm_map_unlock(map);
		RM_EXPECT(map, found == rm_model[rm_page(va)].mapped);
		RM_EXPECT(map, found ? e->start <= va && va < e->end :
		    (e == &map->header || e->end <= va) &&
		    (e->next == &map->header || e->next->start > va));
	}
	RM_EXPECT(map, map->timestamp == stamp);
	return true;
}

/* Could a and b be one entry?  (No amaps or wiring in this test.) */
static bool
rm_joinable(const struct vm_map_entry *a, const struct vm_map_entry *b)
{
	return a->end == b->start && !((a->flags | b->flags) & UVM_MAP_NOMERGE) &&
	    a->object == b->object && a->etype == b->etype &&
	    a->protection == b->protection &&
	    a->max_protection == b->max_protection &&
	    a->inheritance == b->inheritance && a->advice == b->advice &&
	    (a->object == NULL || a->offset + (voff_t)(a->end - a->start) == b->offset);
}

static bool
rm_page_matches(const struct vm_map_entry *e, vaddr_t va, const struct rm_page *p)
{
	struct uvm_object *o = p->obj < 0 ? NULL : &rm_obj[p->obj];

	return e->protection == p->prot && e->max_protection == p->maxprot &&
	    e->inheritance == p->inherit && e->advice == p->advice &&
	    e->etype == p->etype && e->object == o &&
	    (o == NULL || e->offset + (voff_t)(va - e->start) == p->off) &&
	    ((e->flags & UVM_MAP_NOMERGE) != 0) == p->nomerge &&
	    e->wired_count == 0 && e->aref.ar_amap == NULL;
}

static bool
rm_verify(struct vm_map *map, uint64_t entries0)
{
	int refs[RM_NOBJ];
	struct vm_map_entry *e;

	if (uvm_map_check(map, ktest_print) != 0)
		return rm_fail(map, "uvm_map_check", -1);
	RM_EXPECT(map, uvm_map_entry_count() == entries0 + (uint64_t)map->nentries);
	for (int i = 0; i < RM_NOBJ; i++)
		refs[i] = 1;
	for (e = map->header.next; e != &map->header; e = e->next) {
		if (e->object != NULL)
			refs[e->object - rm_obj]++;
		if (e->next != &map->header && rm_joinable(e, e->next))
			return rm_fail(map, "neighbours left unmerged", rm_page(e->end));
	}
	for (int i = 0; i < RM_NOBJ; i++)
		RM_EXPECT(map, rm_obj[i].uo_refs == refs[i]);
	e = map->header.next;
	for (int i = 0; i < RM_PAGES; i++) {
		vaddr_t va = RM_MIN + PG(i);
		bool in;
		while (e != &map->header && e->end <= va)
			e = e->next;
		in = e != &map->header && e->start <= va;
		if (in != rm_model[i].mapped)
			return rm_fail(map, in ? "mapped, the model says free" :
			    "free, the model says mapped", i);
		if (in && !rm_page_matches(e, va, &rm_model[i]))
			return rm_fail(map, "attributes differ from the model", i);
	}
	return true;
}

/* One random step: returns false (after printing why) on a mismatch. */
static bool
rm_one(struct vm_map *map, struct krand *r)
{
	unsigned k = (unsigned)krand_below(r, 100);
	int kind, err = 0;
	bool ok;

	kind = k < 20 ? RM_MAP : k < 32 ? RM_FIXED : k < 44 ? RM_REPLACE :
	    k < 62 ? RM_UNMAP : k < 76 ? RM_PROTECT : k < 84 ? RM_INHERIT :
	    k < 92 ? RM_ADVICE : RM_CHECKPROT;
	switch (kind) {
	case RM_MAP:
		ok = rm_op_map(map, r, &err);
		break;
	case RM_FIXED:
	case RM_REPLACE:
		ok = rm_op_fixed(map, r, kind == RM_REPLACE, &err);
		break;
	case RM_UNMAP:
		ok = rm_op_unmap(map, r);
		break;
	case RM_PROTECT:
		ok = rm_op_protect(map, r, &err);
		break;
	case RM_INHERIT:
	case RM_ADVICE:
		ok = rm_op_attr(map, r, kind == RM_INHERIT, &err);
		break;
	default:
		ok = rm_op_query(map, r);
		break;
	}
	if (err == 0)
		rm_ok[kind]++;
	else
		rm_err[kind]++;
	return ok;
}

KTEST(uvm_map, random_model)
{
	struct krand *r = ktest_rand();
	struct vm_map *map = tmap_create(RM_MIN, RM_MAX);
	int maxentries = 0;

	memset(rm_model, 0, sizeof(rm_model));
	memset(rm_ok, 0, sizeof(rm_ok));
	memset(rm_err, 0, sizeof(rm_err));
	for (int i = 0; i < RM_NOBJ; i++)
		tobj_init(&rm_obj[i]);
	for (rm_step = 0; rm_step < RM_OPS; rm_step++) {
		KT_ASSERT(rm_one(map, r));
		KT_ASSERT(rm_verify(map, tmap_base.entries));
		maxentries = MAX(maxentries, map->nentries);
	}
	ktest_print("random_model: %d ops, up to %d entries; ok/error:", RM_OPS,
	    maxentries);
	for (int k = 0; k < RM_NKIND; k++)
		ktest_print(" %s %u/%u", rm_kind_name[k], rm_ok[k], rm_err[k]);
	ktest_print("\n");
	tmap_destroy(map);
	for (int i = 0; i < RM_NOBJ; i++)
		KT_EQ(rm_obj[i].uo_refs, 1);
}

/* ------------------------------------------------------------------ */
/* Robustness: what user programs found (issue 15)                      */

#define VBASE 0x10000000UL

/* MADV_DONTNEED on a wired range: refused whole (Linux: EINVAL). */
KTEST(uvm_map, dontneed_refuses_a_wired_range)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VBASE, 2);
	KT_EQ(uvm_map_pageable(t.map, va + PG(1), va + PG(2), false), 0);
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	struct vm_anon *a0 = vmtest_anon(&t, va), *a1 = vmtest_anon(&t, va + PG(1));
	KT_EQ(uvm_map_dontneed(t.map, va, va + PG(2)), -EINVAL);
	KT_EQ(vmtest_anon(&t, va), (uint64_t)a0);     /* nothing changed */
	KT_EQ(vmtest_anon(&t, va + PG(1)), (uint64_t)a1);
	KT_EQ(a1->an_page->wire_count, 1);
	KT_EQ(uvm_map_dontneed(t.map, va, va + PG(1)), 0);
	KT_ASSERT(vmtest_anon(&t, va) == NULL);
	vmtest_end(&t);
}

/* A child's DONTNEED on an amap shared by MAP_INHERIT_SHARE drops only
 * its mappings: the anons are the parent's data too. */
KTEST(uvm_map, dontneed_keeps_the_anons_of_a_shared_amap)
{
	struct vmtest t, c;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VBASE, 1);
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	struct vm_anon *anon = vmtest_anon(&t, va);
	KT_EQ(uvm_map_inherit(t.map, va, va + PG(1), MAP_INHERIT_SHARE), 0);
	vmtest_fork(&t, &c);
	KT_ASSERT(vmtest_entry(&c, va)->aref.ar_amap->am_flags & AMAP_SHARED);
	KT_EQ(uvm_fault(c.map, va, VM_PROT_READ), 0);
	KT_EQ(uvm_map_dontneed(c.map, va, va + PG(1)), 0);
	KT_EQ(vmtest_pte(&c, va), 0);
	KT_EQ(vmtest_anon(&c, va), (uint64_t)anon);
	KT_EQ(vmtest_anon(&t, va), (uint64_t)anon);
	KT_EQ(anon->an_ref, 1);
	vmtest_end(&c);
	vmtest_end(&t);
}

/* mremap's move takes a range of several entries back to back: each keeps
 * its amap window, so the anons come along without a copy. */
KTEST(uvm_map, move_takes_several_entries_along)
{
	struct vmtest t;

	vmtest_begin(&t);
	vaddr_t va = vmtest_map_anon(&t, VBASE, 3), to = VBASE + PG(32);
	KT_EQ(uvm_map_protect(t.map, va + PG(1), va + PG(2), VM_PROT_READ, false), 0);
	for (int i = 0; i < 3; i++)
		KT_EQ(uvm_fault(t.map, va + PG(i), VM_PROT_READ), 0);
	struct vm_anon *a[3];
	for (int i = 0; i < 3; i++)
		a[i] = vmtest_anon(&t, va + PG(i));
	int n0 = t.map->nentries;
	KT_EQ(uvm_map_move(t.map, va, PG(3), to), 0);
	KT_EQ(t.map->nentries, n0);
	KT_ASSERT(!uvm_map_checkprot(t.map, va, va + PG(1), VM_PROT_NONE));
	KT_EQ(vmtest_pte(&t, va), 0);
	for (int i = 0; i < 3; i++)
		KT_EQ(vmtest_anon(&t, to + PG(i)), (uint64_t)a[i]);
	KT_EQ(vmtest_entry(&t, to + PG(1))->protection, VM_PROT_READ);
	/* A hole in the old range: EFAULT, nothing moves. */
	uvm_unmap(t.map, to + PG(1), to + PG(2));
	KT_EQ(uvm_map_move(t.map, to, PG(3), va), -EFAULT);
	KT_EQ(vmtest_anon(&t, to), (uint64_t)a[0]);
	vmtest_end(&t);
}

/* The spare entries for clipping are the map's own, filled under its lock,
 * and an empty map has none: no other map's operation can take them. */
KTEST(uvm_map, clip_spares_belong_to_the_map)
{
	struct vmtest t, u;

	vmtest_begin(&t);
	vmtest_begin(&u);
	KT_EQ(t.map->nspare, 0);
	vaddr_t va = vmtest_map_anon(&t, VBASE, 4);
	int full = t.map->nspare;
	KT_ASSERT(full > 0);
	KT_EQ(u.map->nspare, 0);
	vmtest_map_anon(&u, VBASE, 1);
	KT_EQ(uvm_map_protect(t.map, va + PG(1), va + PG(2), VM_PROT_READ, false), 0);
	KT_EQ(t.map->nspare, full);             /* the pool served the clips */
	uvm_unmap(t.map, VBASE, VBASE + PG(4));
	KT_EQ(t.map->nspare, 0);
	KT_ASSERT(t.map->spare == NULL);
	vmtest_end(&u);
	vmtest_end(&t);
}

static bool pmapmove_saved;     /* the switch as the test found it */

static void
pmapmove_restore(void *arg)
{
	(void)arg;
	uvm_map_pmapmove_on = pmapmove_saved;
}

/*
 * mremap's move with the PTEs along (pmap_move, a speed-up: pmapmove=0
 * turns it off, and uvm_map/move_takes_several_entries_along passes
 * either way).  Four written pages across a 2 MiB line move to a place
 * across another: each new PTE has the old frame and bits, the PV entry
 * names the new address, and reading them takes no fault.
 */
KTEST(uvm_map_speed, mremap_move_takes_the_ptes_and_pv_entries_along)
{
	struct vmtest t;
	vaddr_t va = VBASE + PG(510), to = VBASE + PG(3 * 512 + 300);
	uint64_t pte[4], faults;
	struct pmap_mapping m;
	uint16_t attrs;

	pmapmove_saved = uvm_map_pmapmove_on;
	ktest_cleanup_push(pmapmove_restore, NULL);
	uvm_map_pmapmove_on = true;
	vmtest_begin(&t);
	KT_EQ(vmtest_map_anon(&t, va, 4), va);
	for (int i = 0; i < 4; i++) {
		KT_EQ(uvm_fault(t.map, va + PG(i), VM_PROT_WRITE), 0);
		pte[i] = vmtest_pte(&t, va + PG(i));
		KT_EQ(pte[i] & (PG_V | PG_RW | PG_M), PG_V | PG_RW | PG_M);
	}
	KT_EQ(uvm_map_move(t.map, va, PG(4), to), 0);
	faults = uvmexp.faults;
	for (int i = 0; i < 4; i++) {
		struct vm_page *pg = vmtest_anon(&t, to + PG(i))->an_page;
		KT_EQ(vmtest_pte(&t, va + PG(i)), 0);
		KT_EQ(vmtest_pte(&t, to + PG(i)), pte[i]);
		KT_EQ(pmap_page_mappings(pg, &m, 1, &attrs), 1);
		KT_EQ(m.va, to + PG(i));
		KT_ASSERT(m.pm == t.map->pmap);
	}
	KT_EQ(uvmexp.faults, faults);
	KT_EQ(pmap_check_all(ktest_print), 0);
	CHECK(t.map);
	vmtest_end(&t);
}
