/*
 * uvm/uvm_swap.c - swap slots: who holds which page-sized piece of swap.
 *
 * Swap space is a row of page-sized slots.  The pager layers above (anons,
 * aobjs) only ever deal in slot numbers: "page 7 of this aobj lives in
 * slot 42".  This file hands the numbers out and takes them back, and
 * keeps the books.  Slot 0 is never handed out, so 0 can mean "no slot".
 *
 * Each swap area (one per swap disk, or a disk-less one that tests create
 * for the bookkeeping alone) owns a consecutive range of slot numbers and
 * two bitmaps over it, one bit per slot:
 *
 *   area A: slots [1, 17)                 area B: slots [17, 25)
 *     used  1111 0011 1000 0000             used  0000 0000
 *     bad   0000 0010 0000 0000             bad   0000 0000
 *           ^slot 1   ^slot 7 is bad (still allocated, never reused)
 *
 *   Each call below starts from the state pictured:
 *   uvm_swap_alloc(&n = 3, false)  -> slot 10: the lowest run of 3 free
 *                                     slots (bits 9-11 of A; bits 4-5
 *                                     come first but hold only 2)
 *   uvm_swap_alloc(&n = 9, false)  -> 0: no area has 9 free in a row
 *   uvm_swap_alloc(&n = 9, true)   -> slot 17, n = 8: the longest run
 *                                     there is (all of B; A's longest,
 *                                     bits 9-15, is 7)
 *
 * Runs matter because the page daemon writes several pages in one I/O,
 * which needs their slots to be contiguous on the disk; a run never
 * crosses from one area to the next, since those are different disks.
 * Slot s of an area that starts at slot f is the page at byte
 * (s - f) * 4096 of its disk: uvm_swap_io turns a run of slots and the
 * pages to fill or empty into one scatter-gather request (dev/blk.h).
 * An area being drained by swapoff hands out no new slots.
 *
 * A slot whose I/O failed is marked bad: it stays allocated forever (so it
 * is never handed out again) and counts in uvm_swap_stats.bad.  Freeing a
 * bad slot is allowed and leaves it allocated, so an owner that simply
 * drops its slot need not know the slot went bad.
 *
 * Invariants (uvm_swap_check verifies them):
 *   - each area's inuse counter equals the set bits of its used bitmap,
 *     and nbad the set bits of its bad bitmap;
 *   - bad is a subset of used; no bit is set past the area's last slot;
 *   - areas lie in [1, swap_nextslot) in order, without overlap (swapoff
 *     of a middle disk leaves a hole; numbering restarts at 1 only when
 *     no area is left);
 *   - uvm_swap_stats is the sum over the areas.
 *
 * Lock order: uvm_swap_lock is a leaf.  Callers hold object or amap locks
 * when they allocate or free slots; nothing is called with it held, and
 * memory for a new area is allocated before it is taken.
 */
#include "uvm/uvm_swap.h"
#include "dev/blk.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/queue.h"
#include "kern/lib/spinlock.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"

struct swap_area {
	TAILQ_ENTRY(swap_area) sa_link;  /* in swap_areas, by slot number */
	int sa_first;                   /* first slot number */
	int sa_nslots;
	int sa_inuse;                   /* used bits set (bad included) */
	int sa_nbad;                    /* bad bits set */
	uint64_t *sa_used;              /* one bit per slot: allocated */
	uint64_t *sa_bad;               /* one bit per slot: marked bad */
	struct blkdev *sa_dev;          /* the disk, or NULL (a test area) */
	bool sa_draining;               /* swapoff: hand out no more slots */
};

TAILQ_HEAD(swap_area_list, swap_area);

struct uvm_swap_stats uvm_swap_stats;

static struct spinlock uvm_swap_lock = SPINLOCK_INIT("uvm_swap");
static struct swap_area_list swap_areas = { NULL, &swap_areas.tqh_first };
static int swap_nextslot = 1;   /* the slot number the next area starts at */

#define BITS_PER_WORD 64

static size_t
bitmap_bytes(int nslots)
{
	return (size_t)((nslots + BITS_PER_WORD - 1) / BITS_PER_WORD) * sizeof(uint64_t);
}

static bool
bit_get(const uint64_t *map, int i)
{
	return (map[i / BITS_PER_WORD] >> (i % BITS_PER_WORD)) & 1;
}

static void
bit_put(uint64_t *map, int i, bool on)
{
	uint64_t mask = 1ULL << (i % BITS_PER_WORD);

	if (on)
		map[i / BITS_PER_WORD] |= mask;
	else
		map[i / BITS_PER_WORD] &= ~mask;
}

void
uvm_swap_init(void)
{
	/*
	 * Nothing to set up: areas come with swapon (uvm/uvm_swapctl.c) or
	 * with a test that creates one.
	 */
}

static void
area_free(struct swap_area *a)
{
	size_t bytes = bitmap_bytes(a->sa_nslots);

	kmem_free(a->sa_used, bytes);
	kmem_free(a->sa_bad, bytes);
	kmem_free(a, sizeof(*a));
}

/* A zeroed area of nslots slots, not yet numbered or listed; NULL if short. */
static struct swap_area *
area_alloc(int nslots)
{
	size_t bytes = bitmap_bytes(nslots);
	struct swap_area *a = kmem_zalloc(sizeof(*a));

	if (a == NULL)
		return NULL;
	a->sa_nslots = nslots;
	a->sa_used = kmem_zalloc(bytes);
	a->sa_bad = kmem_zalloc(bytes);
	if (a->sa_used == NULL || a->sa_bad == NULL) {
		if (a->sa_used != NULL)
			kmem_free(a->sa_used, bytes);
		if (a->sa_bad != NULL)
			kmem_free(a->sa_bad, bytes);
		kmem_free(a, sizeof(*a));
		return NULL;
	}
	return a;
}

/*
 * Number a new area and put it on the list.  => returns its first slot,
 * or -ENOSPC (then a is freed) when slot numbers would pass INT32_MAX.
 */
static int
area_insert(struct swap_area *a, int nslots)
{
	int first;

	spin_lock(&uvm_swap_lock);
	if (swap_nextslot > INT32_MAX - nslots) {
		/* Slot numbers are ints everywhere (anons, aobjs). */
		spin_unlock(&uvm_swap_lock);
		area_free(a);
		return -ENOSPC;
	}
	first = a->sa_first = swap_nextslot;
	swap_nextslot += nslots;
	TAILQ_INSERT_TAIL(&swap_areas, a, sa_link);
	uvm_swap_stats.nslots += (uint64_t)nslots;
	uvm_swap_stats.ndevs += a->sa_dev != NULL;
	spin_unlock(&uvm_swap_lock);
	return first;
}

int
uvm_swap_area_create(int nslots)
{
	struct swap_area *a;

	if (nslots <= 0)
		return -EINVAL;
	a = area_alloc(nslots);
	if (a == NULL)
		return -ENOMEM;
	return area_insert(a, nslots);
}

/* The area on dev, or NULL.  => uvm_swap_lock held. */
static struct swap_area *
area_of_dev(const struct blkdev *dev)
{
	struct swap_area *a;

	TAILQ_FOREACH(a, &swap_areas, sa_link) {
		if (a->sa_dev == dev)
			return a;
	}
	return NULL;
}

int
uvm_swap_area_attach(struct blkdev *dev)
{
	struct swap_area *a;
	uint64_t n = dev->nsectors / SWAP_SECTORS_PER_SLOT;
	int nslots = (int)MIN(n, (uint64_t)INT32_MAX / 2);

	if (nslots <= 0)
		return -EINVAL;
	spin_lock(&uvm_swap_lock);
	bool busy = area_of_dev(dev) != NULL;
	spin_unlock(&uvm_swap_lock);
	if (busy)
		return -EBUSY;
	a = area_alloc(nslots);
	if (a == NULL)
		return -ENOMEM;
	a->sa_dev = dev;
	return area_insert(a, nslots);
}

int
uvm_swap_area_find(const struct blkdev *dev, int *firstp, int *nslotsp)
{
	struct swap_area *a;
	int error = -EINVAL;

	spin_lock(&uvm_swap_lock);
	a = area_of_dev(dev);
	if (a != NULL) {
		*firstp = a->sa_first;
		*nslotsp = a->sa_nslots;
		error = 0;
	}
	spin_unlock(&uvm_swap_lock);
	return error;
}

int
uvm_swap_area_drain(const struct blkdev *dev, bool on, int *usedp)
{
	struct swap_area *a;
	int error = -EINVAL;

	spin_lock(&uvm_swap_lock);
	a = area_of_dev(dev);
	if (a != NULL) {
		a->sa_draining = on;
		*usedp = a->sa_inuse - a->sa_nbad;
		error = 0;
	}
	spin_unlock(&uvm_swap_lock);
	return error;
}

/* The numbering starts over at 1 once no area is left. */
static void
renumber_if_empty(void)
{
	if (TAILQ_EMPTY(&swap_areas))
		swap_nextslot = 1;
}

int
uvm_swap_area_detach(const struct blkdev *dev)
{
	struct swap_area *a;

	spin_lock(&uvm_swap_lock);
	a = area_of_dev(dev);
	if (a == NULL || a->sa_inuse != a->sa_nbad) {
		spin_unlock(&uvm_swap_lock);
		return a == NULL ? -EINVAL : -EBUSY;
	}
	TAILQ_REMOVE(&swap_areas, a, sa_link);
	uvm_swap_stats.nslots -= (uint64_t)a->sa_nslots;
	uvm_swap_stats.inuse -= (uint64_t)a->sa_inuse;
	uvm_swap_stats.bad -= (uint64_t)a->sa_nbad;
	uvm_swap_stats.ndevs--;
	renumber_if_empty();
	spin_unlock(&uvm_swap_lock);
	area_free(a);
	return 0;
}

void
uvm_swap_area_destroy_all(void)
{
	struct swap_area_list dead = { NULL, &dead.tqh_first };
	struct swap_area *a;

	spin_lock(&uvm_swap_lock);
	while ((a = TAILQ_FIRST(&swap_areas)) != NULL) {
		if (a->sa_inuse != a->sa_nbad || a->sa_dev != NULL)
			panic("uvm_swap_area_destroy_all: area at slot %d has %d "
			    "slots in use or a device", a->sa_first,
			    a->sa_inuse - a->sa_nbad);
		TAILQ_REMOVE(&swap_areas, a, sa_link);
		TAILQ_INSERT_TAIL(&dead, a, sa_link);
		uvm_swap_stats.nslots -= (uint64_t)a->sa_nslots;
		uvm_swap_stats.inuse -= (uint64_t)a->sa_inuse;
		uvm_swap_stats.bad -= (uint64_t)a->sa_nbad;
	}
	swap_nextslot = 1;
	spin_unlock(&uvm_swap_lock);
	/* kmem_free outside the leaf lock. */
	while ((a = TAILQ_FIRST(&dead)) != NULL) {
		TAILQ_REMOVE(&dead, a, sa_link);
		area_free(a);
	}
}

/* The area holding slot, or NULL.  => uvm_swap_lock held. */
static struct swap_area *
area_of(int slot)
{
	struct swap_area *a;

	TAILQ_FOREACH(a, &swap_areas, sa_link) {
		if (slot >= a->sa_first && slot < a->sa_first + a->sa_nslots)
			return a;
	}
	return NULL;
}

/*
 * The index of the first run of want free slots in a, or -1.  Meanwhile
 * the longest shorter run seen anywhere goes to *bestidx and *bestlen (with
 * *besta) when it beats what is there, for lessok.
 */
static int
area_find_run(struct swap_area *a, int want, struct swap_area **besta,
    int *bestidx, int *bestlen)
{
	int start = 0, len = 0;

	for (int i = 0; i < a->sa_nslots; i++) {
		/* A full word cannot start or continue a run: skip it whole. */
		if (i % BITS_PER_WORD == 0 && i + BITS_PER_WORD <= a->sa_nslots &&
		    a->sa_used[i / BITS_PER_WORD] == ~0ULL) {
			len = 0;
			i += BITS_PER_WORD - 1;
			continue;
		}
		if (bit_get(a->sa_used, i)) {
			len = 0;
			continue;
		}
		if (len++ == 0)
			start = i;
		if (len == want)
			return start;
		if (len > *bestlen) {
			*besta = a;
			*bestidx = start;
			*bestlen = len;
		}
	}
	return -1;
}

/* Mark [idx, idx + n) of a allocated.  => uvm_swap_lock held; they are free. */
static void
area_take(struct swap_area *a, int idx, int n)
{
	for (int i = idx; i < idx + n; i++) {
		KASSERT(!bit_get(a->sa_used, i));
		bit_put(a->sa_used, i, true);
	}
	a->sa_inuse += n;
	uvm_swap_stats.inuse += (uint64_t)n;
}

int
uvm_swap_alloc(int *nslots, bool lessok)
{
	struct swap_area *a, *besta = NULL;
	int want = *nslots, bestidx = 0, bestlen = 0, idx;

	KASSERT(want > 0);
	spin_lock(&uvm_swap_lock);
	TAILQ_FOREACH(a, &swap_areas, sa_link) {
		if (a->sa_draining)
			continue;
		idx = area_find_run(a, want, &besta, &bestidx, &bestlen);
		if (idx >= 0) {
			area_take(a, idx, want);
			spin_unlock(&uvm_swap_lock);
			return a->sa_first + idx;
		}
	}
	if (!lessok || bestlen == 0) {
		spin_unlock(&uvm_swap_lock);
		return 0;
	}
	area_take(besta, bestidx, bestlen);
	spin_unlock(&uvm_swap_lock);
	*nslots = bestlen;
	return besta->sa_first + bestidx;
}

/*
 * The area holding all of [slot, slot + n); panics if there is none,
 * since a caller handing back slots it never had is a broken invariant.
 */
static struct swap_area *
area_of_range(int slot, int n, const char *who)
{
	struct swap_area *a = area_of(slot);

	if (n <= 0 || a == NULL || slot + n > a->sa_first + a->sa_nslots)
		panic("%s: slots [%d, %d) are not in one swap area", who, slot,
		    slot + n);
	return a;
}

void
uvm_swap_free(int slot, int nslots)
{
	struct swap_area *a;

	spin_lock(&uvm_swap_lock);
	a = area_of_range(slot, nslots, "uvm_swap_free");
	for (int i = slot - a->sa_first; i < slot - a->sa_first + nslots; i++) {
		if (!bit_get(a->sa_used, i))
			panic("uvm_swap_free: slot %d is not allocated", a->sa_first + i);
		if (bit_get(a->sa_bad, i))
			continue;       /* bad slots stay allocated for good */
		bit_put(a->sa_used, i, false);
		a->sa_inuse--;
		uvm_swap_stats.inuse--;
	}
	spin_unlock(&uvm_swap_lock);
}

void
uvm_swap_markbad(int slot, int nslots)
{
	struct swap_area *a;

	spin_lock(&uvm_swap_lock);
	a = area_of_range(slot, nslots, "uvm_swap_markbad");
	for (int i = slot - a->sa_first; i < slot - a->sa_first + nslots; i++) {
		if (!bit_get(a->sa_used, i))
			panic("uvm_swap_markbad: slot %d is not allocated",
			    a->sa_first + i);
		if (bit_get(a->sa_bad, i))
			continue;
		bit_put(a->sa_bad, i, true);
		a->sa_nbad++;
		uvm_swap_stats.bad++;
	}
	spin_unlock(&uvm_swap_lock);
}

bool
uvm_swap_slot_inuse(int slot)
{
	struct swap_area *a;
	bool used = false;

	spin_lock(&uvm_swap_lock);
	a = area_of(slot);
	if (a != NULL)
		used = bit_get(a->sa_used, slot - a->sa_first);
	spin_unlock(&uvm_swap_lock);
	return used;
}

/* Set bits of map in [0, nbits), and whether any bit past nbits is set. */
static int
bitmap_count(const uint64_t *map, int nbits, bool *tail_dirty)
{
	int words = (int)(bitmap_bytes(nbits) / sizeof(uint64_t)), n = 0;

	for (int w = 0; w < words; w++)
		n += __builtin_popcountll(map[w]);
	*tail_dirty = nbits % BITS_PER_WORD != 0 &&
	    (map[words - 1] >> (nbits % BITS_PER_WORD)) != 0;
	return n;
}

/* One area's bitmaps against its counters.  => uvm_swap_lock held. */
static int
area_check(const struct swap_area *a, kprint_fn pr)
{
	int used, bad, problems = 0;
	bool dirty_used, dirty_bad;

	used = bitmap_count(a->sa_used, a->sa_nslots, &dirty_used);
	bad = bitmap_count(a->sa_bad, a->sa_nslots, &dirty_bad);
	if (used != a->sa_inuse || bad != a->sa_nbad) {
		pr("uvm_swap_check: area at slot %d: %d used / %d bad bits, "
		    "counters say %d / %d\n", a->sa_first, used, bad, a->sa_inuse,
		    a->sa_nbad);
		problems++;
	}
	if (dirty_used || dirty_bad) {
		pr("uvm_swap_check: area at slot %d: bits set past its %d slots\n",
		    a->sa_first, a->sa_nslots);
		problems++;
	}
	for (int i = 0; i < a->sa_nslots; i++) {
		if (bit_get(a->sa_bad, i) && !bit_get(a->sa_used, i)) {
			pr("uvm_swap_check: slot %d is bad but not allocated\n",
			    a->sa_first + i);
			problems++;
		}
	}
	return problems;
}

int
uvm_swap_check(kprint_fn pr)
{
	const struct swap_area *a;
	uint64_t nslots = 0, inuse = 0, bad = 0;
	int expect = 1, problems = 0;

	spin_lock(&uvm_swap_lock);
	TAILQ_FOREACH(a, &swap_areas, sa_link) {
		if (a->sa_first < expect || a->sa_nslots <= 0) {
			pr("uvm_swap_check: area [%d, %d) where slot %d was expected\n",
			    a->sa_first, a->sa_first + a->sa_nslots, expect);
			problems++;
		}
		expect = a->sa_first + a->sa_nslots;
		problems += area_check(a, pr);
		nslots += (uint64_t)a->sa_nslots;
		inuse += (uint64_t)a->sa_inuse;
		bad += (uint64_t)a->sa_nbad;
	}
	if (expect > swap_nextslot || (TAILQ_EMPTY(&swap_areas) && swap_nextslot != 1)) {
		pr("uvm_swap_check: areas end at slot %d, next area would start "
		    "at %d\n", expect, swap_nextslot);
		problems++;
	}
	if (nslots != uvm_swap_stats.nslots || inuse != uvm_swap_stats.inuse ||
	    bad != uvm_swap_stats.bad) {
		pr("uvm_swap_check: areas hold %lu slots, %lu in use, %lu bad; "
		    "stats say %lu, %lu, %lu\n", nslots, inuse, bad,
		    uvm_swap_stats.nslots, uvm_swap_stats.inuse, uvm_swap_stats.bad);
		problems++;
	}
	spin_unlock(&uvm_swap_lock);
	return problems;
}

void
uvm_swap_print(kprint_fn pr)
{
	const struct swap_area *a;

	/* Printed under the lock: pr must not come back into swap. */
	spin_lock(&uvm_swap_lock);
	pr("swap: %lu slots, %lu in use, %lu bad\n", uvm_swap_stats.nslots,
	    uvm_swap_stats.inuse, uvm_swap_stats.bad);
	pr("  %lu pages written in %lu writes, %lu read in %lu reads; "
	    "errors: %lu write, %lu read\n", uvm_swap_stats.pages_written,
	    uvm_swap_stats.writes, uvm_swap_stats.pages_read, uvm_swap_stats.reads,
	    uvm_swap_stats.write_errors, uvm_swap_stats.read_errors);
	TAILQ_FOREACH(a, &swap_areas, sa_link)
		pr("  area [%d, %d): %d in use, %d bad (%s%s)\n", a->sa_first,
		    a->sa_first + a->sa_nslots, a->sa_inuse, a->sa_nbad,
		    a->sa_dev != NULL ? a->sa_dev->name : "no device",
		    a->sa_draining ? ", draining" : "");
	spin_unlock(&uvm_swap_lock);
}

/* The first disk sector of slot, which lies in a.  => uvm_swap_lock held. */
static uint64_t
area_sector(const struct swap_area *a, int slot)
{
	return (uint64_t)(slot - a->sa_first) * SWAP_SECTORS_PER_SLOT;
}

/*
 * Where the run [slot, slot + n) lives (uvm_swap_slot_disk, after making
 * sure the run lies in one area: panics otherwise).  => returns the disk,
 * or NULL for a test area (no disk).
 */
static struct blkdev *
slot_location(int slot, int n, uint64_t *sectorp)
{
	struct blkdev *dev;

	spin_lock(&uvm_swap_lock);
	(void)area_of_range(slot, n, "uvm_swap_io");
	spin_unlock(&uvm_swap_lock);
	return uvm_swap_slot_disk(slot, &dev, sectorp) == 0 ? dev : NULL;
}

/* Count one finished request in the statistics. */
static void
count_io(bool write, int npages, int error)
{
	spin_lock(&uvm_swap_lock);
	if (write) {
		uvm_swap_stats.writes++;
		uvm_swap_stats.pages_written += error == 0 ? (uint64_t)npages : 0;
		uvm_swap_stats.write_errors += error != 0;
	} else {
		uvm_swap_stats.reads++;
		uvm_swap_stats.pages_read += error == 0 ? (uint64_t)npages : 0;
		uvm_swap_stats.read_errors += error != 0;
	}
	spin_unlock(&uvm_swap_lock);
}

int
uvm_swap_io(struct vm_page **pgs, int npages, int slot, bool write)
{
	struct blk_seg segs[SWAP_MAXCLUSTER];
	uint64_t sector;
	struct blkdev *dev;
	int error = 0;

	KASSERT(npages > 0 && npages <= SWAP_MAXCLUSTER);
	dev = slot_location(slot, npages, &sector);
	if (dev == NULL)
		return -ENODEV;
	for (int i = 0; i < npages; i++)
		segs[i] = (struct blk_seg){ vm_page_phys(pgs[i]), PAGE_SIZE };
	/* One request per max_segs pages: usually the whole cluster. */
	for (int done = 0; done < npages && error == 0;) {
		int n = MIN(npages - done, MAX(dev->max_segs, 1));
		error = blk_io(dev, write ? BLK_WRITE : BLK_READ,
		    sector + (uint64_t)done * SWAP_SECTORS_PER_SLOT, &segs[done], n);
		count_io(write, n, error);
		done += n;
	}
	return error;
}

int
uvm_swap_slot_disk(int slot, struct blkdev **devp, uint64_t *sectorp)
{
	struct swap_area *a;
	int error = -EINVAL;

	spin_lock(&uvm_swap_lock);
	a = area_of(slot);
	if (a != NULL && a->sa_dev != NULL) {
		*devp = a->sa_dev;
		*sectorp = area_sector(a, slot);
		error = 0;
	}
	spin_unlock(&uvm_swap_lock);
	return error;
}
