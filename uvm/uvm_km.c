/*
 * uvm/uvm_km.c - kernel memory: the kernel virtual arena, kernel stacks
 * and kmem_alloc.
 *
 * Small kernel objects come from pools in the direct map (uvm_pool.c);
 * anything that must be virtually contiguous beyond one page, or must be
 * made to fault (a stack's guard page, a large buffer after it is freed),
 * needs addresses that are not simply "physical address + DMAP_BASE".
 * Those come from the arena, 1 GiB of kernel addresses with one bit per
 * page in kva_used:
 *
 *   KVA_START                                                  KVA_END
 *   | G s s | L L L | v v | . . . . . . . . . . . . . . . . . . . |
 *     ^       ^       ^     ^
 *     |       |       |     free: unmapped (checked up to kva_high)
 *     |       |       UVM_KMF_VAONLY: addresses only, the caller maps
 *     |       kmem_alloc(9000): 3 pages, mapped to fresh vm_pages
 *     uvm_km_stack_alloc(2): guard page G (unmapped) + 2 stack pages
 *
 *   kva_used    page allocated, of any kind
 *   kva_backed  allocated, mapped by uvm_km to a page it allocated
 *   kva_guard   allocated, and must stay unmapped
 *   (used, neither) is a VAONLY page, whose mapping is the caller's affair
 *
 * Allocation is next-fit: the search starts where the last one ended
 * (kva_hint) and wraps at the end.  Freed addresses are therefore not
 * reused until the whole arena has been gone through, so a pointer kept
 * after kmem_free faults instead of reaching someone else's memory.
 *
 * kmem_alloc picks by size:
 *
 *   kmem_alloc(100)   -> class 128  -> pool "kmem-128" (direct map)
 *   kmem_alloc(1024)  -> class 1024 -> pool "kmem-1024"
 *   kmem_alloc(1025)  -> one whole page, seen through the direct map
 *   kmem_alloc(4096)  -> the same
 *   kmem_alloc(9000)  -> uvm_km_alloc(12288): three arena pages
 *
 * and kmem_free(p, size) takes the same size back, so it can find the
 * pool (or the number of pages) without a header in front of the object.
 *
 * A page-sized object (an amap's slot arrays, a bounce buffer) needs no
 * arena addresses: one physical page is contiguous in the direct map.
 * The arena would cost a mapping to make and, at the free, a mapping to
 * take down, and a TLB shootdown of every CPU with it - more than the
 * page's own allocation.  What such an object gives up is the arena's
 * fault on a touch after kmem_free (and, unlike a pool object, it gets
 * no poison in a debug kernel: the freed page goes straight back to the
 * page allocator, to be anybody's).
 *
 * Arena pages are kernel pages, unnamed: no object, no anon, on no paging
 * queue, and PG_BUSY/PG_FAKE cleared once mapped.  They are not wired:
 * wiring counts wirings by maps, and vm_page_unwire would put the page on
 * the active queue where the page daemon could find it.  Being on no
 * queue already keeps the page daemon away, which is all wiring would add.
 *
 * Invariants (uvm_km_check verifies them):
 *   - popcount(kva_used) == uvm_km_stats.kva_pages;
 *   - kva_backed and kva_guard lie inside kva_used and never overlap;
 *   - a backed page is mapped to an allocated (not free) vm_page;
 *   - guard pages, and free pages below kva_high, are unmapped.
 *
 * Lock order: km_lock is a leaf for callers; it guards the bitmaps and
 * uvm_km_stats.  The pages are allocated, mapped, unmapped and freed with
 * it released; only uvm_km_check calls pmap_extract with it held.
 */
#include "uvm/uvm_km.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_failalloc.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"

#define KVA_SIZE (KVA_END - KVA_START)
#define KVA_NPAGES (KVA_SIZE >> PAGE_SHIFT)
#define KVA_NWORDS (KVA_NPAGES / 64)

STATIC_ASSERT(KVA_NPAGES % 64 == 0);

struct uvm_km_stats uvm_km_stats;

static struct spinlock km_lock = SPINLOCK_INIT("uvm_km");
static uint64_t kva_used[KVA_NWORDS];
static uint64_t kva_backed[KVA_NWORDS];
static uint64_t kva_guard[KVA_NWORDS];
static size_t kva_hint;         /* next-fit: where the next search starts */
static size_t kva_high;         /* one past the highest page ever allocated */

/* kmem size classes: 16 << 0 ... 16 << 6 = 1024 bytes. */
#define KMEM_MINSHIFT 4
#define KMEM_MAXSHIFT (PAGE_SHIFT - 2)
#define KMEM_NCLASSES (KMEM_MAXSHIFT - KMEM_MINSHIFT + 1)

STATIC_ASSERT((1UL << KMEM_MAXSHIFT) == KMEM_MAXSMALL);

static struct pool kmem_pools[KMEM_NCLASSES];
static const char *const kmem_names[KMEM_NCLASSES] = {
	"kmem-16", "kmem-32", "kmem-64", "kmem-128", "kmem-256", "kmem-512",
	"kmem-1024",
};
static bool kmem_ready;

static bool
bit_test(const uint64_t *map, size_t i)
{
	return (map[i / 64] >> (i % 64)) & 1;
}

static void
bit_put(uint64_t *map, size_t i, bool on)
{
	if (on)
		map[i / 64] |= 1ULL << (i % 64);
	else
		map[i / 64] &= ~(1ULL << (i % 64));
}

static vaddr_t
arena_va(size_t i)
{
	return KVA_START + (i << PAGE_SHIFT);
}

/*
 * The first run of n free pages in [from, to), or -1.  => km_lock held.
 * A wholly used word is skipped in one step: the arena is mostly runs.
 */
static ssize_t
arena_find(size_t from, size_t to, size_t n)
{
	size_t run = 0;

	for (size_t i = from; i < to;) {
		if (run == 0 && i % 64 == 0 && kva_used[i / 64] == ~0ULL) {
			i += 64;
			continue;
		}
		if (bit_test(kva_used, i))
			run = 0;
		else if (++run == n)
			return (ssize_t)(i + 1 - n);
		i++;
	}
	return -1;
}

/*
 * Reserve n pages of addresses: the first nguard as guards, the rest
 * marked backed if backed.  => takes km_lock; returns the first page's
 * index or -1 when the arena has no such run.
 */
static ssize_t
arena_reserve(size_t n, size_t nguard, bool backed)
{
	ssize_t idx;

	spin_lock(&km_lock);
	idx = arena_find(kva_hint, KVA_NPAGES, n);
	if (idx < 0)
		idx = arena_find(0, KVA_NPAGES, n);
	if (idx >= 0) {
		for (size_t i = 0; i < n; i++) {
			bit_put(kva_used, (size_t)idx + i, true);
			bit_put(kva_guard, (size_t)idx + i, i < nguard);
			bit_put(kva_backed, (size_t)idx + i, i >= nguard && backed);
		}
		kva_hint = ((size_t)idx + n) % KVA_NPAGES;
		kva_high = MAX(kva_high, (size_t)idx + n);
		uvm_km_stats.kva_pages += n;
	}
	spin_unlock(&km_lock);
	return idx;
}

/*
 * Release what arena_reserve(n, nguard, backed) returned as idx.
 *  => takes km_lock; panics if the pages are not allocated exactly so.
 */
static void
arena_release(size_t idx, size_t n, size_t nguard, bool backed)
{
	KASSERT(idx + n <= KVA_NPAGES);
	spin_lock(&km_lock);
	for (size_t i = 0; i < n; i++) {
		size_t p = idx + i;
		if (!bit_test(kva_used, p) || bit_test(kva_guard, p) != (i < nguard) ||
		    bit_test(kva_backed, p) != (i >= nguard && backed))
			panic("uvm_km: freeing %#lx, which is not allocated as a %s page",
			    arena_va(p), i < nguard ? "guard" : backed ? "mapped" : "VAONLY");
		bit_put(kva_used, p, false);
		bit_put(kva_guard, p, false);
		bit_put(kva_backed, p, false);
	}
	uvm_km_stats.kva_pages -= n;
	spin_unlock(&km_lock);
}

/*
 * Unmap n pages from va and free the pages behind them.
 *  => every page must be mapped.  The pages wait on a private list
 *     (through pageq: they are on no paging queue) until the TLB has
 *     forgotten them, so no stale translation reaches a reused page.
 */
static void
km_unmap(vaddr_t va, size_t n)
{
	struct pglist doomed;
	struct vm_page *pg;
	paddr_t pa;

	if (n == 0)
		return;
	TAILQ_INIT(&doomed);
	for (size_t i = 0; i < n; i++) {
		vaddr_t v = va + (i << PAGE_SHIFT);
		if (!pmap_extract(pmap_kernel(), v, &pa) ||
		    (pg = vm_page_from_phys(pa)) == NULL)
			panic("uvm_km: %#lx should map a managed page", v);
		TAILQ_INSERT_TAIL(&doomed, pg, pageq);
	}
	pmap_kremove(va, n << PAGE_SHIFT);
	pmap_update(pmap_kernel());
	while ((pg = TAILQ_FIRST(&doomed)) != NULL) {
		TAILQ_REMOVE(&doomed, pg, pageq);
		vm_page_free(pg);
	}
}

/*
 * Back n pages from va with fresh pages, read+write.
 *  => returns 0, or -ENOMEM with nothing left mapped.
 */
static int
km_map(vaddr_t va, size_t n, int flags)
{
	int pgflags = (flags & UVM_KMF_ZERO) ? VM_PAGE_ZERO : 0;

	for (size_t i = 0; i < n; i++) {
		struct vm_page *pg = vm_page_alloc_kernel(pgflags);
		if (pg == NULL) {
			km_unmap(va, i);
			return -ENOMEM;
		}
		pmap_kenter_pa(va + (i << PAGE_SHIFT), vm_page_phys(pg),
		    VM_PROT_READ | VM_PROT_WRITE, 0);
	}
	pmap_update(pmap_kernel());
	return 0;
}

vaddr_t
uvm_km_alloc(vsize_t size, int flags)
{
	bool vaonly = (flags & UVM_KMF_VAONLY) != 0;
	size_t n;
	ssize_t idx;

	if (size == 0 || size > KVA_SIZE)
		return 0;
	n = ROUND_UP(size, PAGE_SIZE) >> PAGE_SHIFT;
	idx = arena_reserve(n, 0, !vaonly);
	if (idx < 0)
		return 0;
	if (!vaonly && km_map(arena_va((size_t)idx), n, flags) != 0) {
		arena_release((size_t)idx, n, 0, true);
		return 0;
	}
	return arena_va((size_t)idx);
}

/* The arena page index of va.  => va must be a page in the arena. */
static size_t
arena_index(vaddr_t va, const char *who)
{
	if (va < KVA_START || va >= KVA_END || (va & PAGE_MASK) != 0)
		panic("%s: %#lx is not a page of the kernel arena", who, va);
	return (va - KVA_START) >> PAGE_SHIFT;
}

void
uvm_km_free(vaddr_t va, vsize_t size, int flags)
{
	bool vaonly = (flags & UVM_KMF_VAONLY) != 0;
	size_t idx = arena_index(va, "uvm_km_free");
	size_t n = ROUND_UP(size, PAGE_SIZE) >> PAGE_SHIFT;

	KASSERT(n > 0 && idx + n <= KVA_NPAGES);
	if (!vaonly)
		km_unmap(va, n);
	arena_release(idx, n, 0, !vaonly);
}

vaddr_t
uvm_km_stack_alloc(size_t npages)
{
	ssize_t idx;
	vaddr_t base;

	if (npages == 0 || npages >= KVA_NPAGES)
		return 0;
	idx = arena_reserve(npages + 1, 1, true);
	if (idx < 0)
		return 0;
	base = arena_va((size_t)idx + 1);
	if (km_map(base, npages, 0) != 0) {
		arena_release((size_t)idx, npages + 1, 1, true);
		return 0;
	}
	return base;
}

void
uvm_km_stack_free(vaddr_t base, size_t npages)
{
	size_t idx = arena_index(base, "uvm_km_stack_free");

	KASSERT(idx >= 1 && npages > 0 && idx + npages <= KVA_NPAGES);
	km_unmap(base, npages);
	arena_release(idx - 1, npages + 1, 1, true);
}

void
kmem_init(void)
{
	KASSERT(!kmem_ready);
	/* Aligned to its own size, an object never straddles more cache
	 * lines (or pages) than it must. */
	for (int c = 0; c < KMEM_NCLASSES; c++) {
		size_t size = 1UL << (KMEM_MINSHIFT + c);
		pool_init(&kmem_pools[c], size, size, kmem_names[c]);
	}
	kmem_ready = true;
}

/* The size-class pool for size (1 .. KMEM_MAXSMALL bytes). */
static struct pool *
kmem_pool(size_t size)
{
	unsigned shift = KMEM_MINSHIFT;

	if (size > (1UL << KMEM_MINSHIFT))
		shift = 64 - (unsigned)__builtin_clzl(size - 1);
	KASSERT(shift <= KMEM_MAXSHIFT);
	return &kmem_pools[shift - KMEM_MINSHIFT];
}

/* Count an allocation of size bytes, or its free, in uvm_km_stats. */
static void
kmem_count(size_t size, bool alloc)
{
	uint64_t page = size > KMEM_MAXSMALL && size <= PAGE_SIZE;
	uint64_t large = size > PAGE_SIZE;

	spin_lock(&km_lock);
	if (alloc) {
		uvm_km_stats.kmem_bytes += size;
		uvm_km_stats.kmem_pages += page;
		uvm_km_stats.kmem_large += large;
		uvm_km_stats.kmem_large_made += large;
	} else {
		KASSERT(uvm_km_stats.kmem_bytes >= size);
		uvm_km_stats.kmem_bytes -= size;
		uvm_km_stats.kmem_pages -= page;
		uvm_km_stats.kmem_large -= large;
	}
	spin_unlock(&km_lock);
}

/* A page-sized object: a kernel page of its own, in the direct map. */
static void *
kmem_page_alloc(int flags)
{
	struct vm_page *pg = vm_page_alloc_kernel((flags & KM_ZERO) ? VM_PAGE_ZERO : 0);

	return pg != NULL ? vm_page_kva(pg) : NULL;
}

/* Give back kmem_page_alloc's page: one the kernel owns, on no queue. */
static void
kmem_page_free(void *p)
{
	struct vm_page *pg;

	KASSERT((uintptr_t)p >= DMAP_BASE && ((uintptr_t)p & PAGE_MASK) == 0);
	pg = vm_page_from_phys(DMAP_TO_PHYS(p));
	KASSERT(pg != NULL && pg->pqflags == 0 && !(pg->flags & PG_BUSY) &&
	    pg->uobject == NULL && pg->uanon == NULL);
	vm_page_free(pg);
}

void *
kmem_alloc(size_t size, int flags)
{
	void *p;

	KASSERT(kmem_ready);
	KASSERT(size > 0);
	if (uvm_failalloc_hit(UVM_FAILALLOC_KMEM))
		return NULL;
	if (size <= KMEM_MAXSMALL)
		p = pool_get(kmem_pool(size), (flags & KM_ZERO) ? PR_ZERO : 0);
	else if (size <= PAGE_SIZE)
		p = kmem_page_alloc(flags);
	else
		p = (void *)uvm_km_alloc(size, (flags & KM_ZERO) ? UVM_KMF_ZERO : 0);
	if (p != NULL)
		kmem_count(size, true);
	return p;
}

void *
kmem_zalloc(size_t size)
{
	return kmem_alloc(size, KM_ZERO);
}

void
kmem_free(void *p, size_t size)
{
	KASSERT(p != NULL && size > 0);
	if (size <= KMEM_MAXSMALL)
		pool_put(kmem_pool(size), p);
	else if (size <= PAGE_SIZE)
		kmem_page_free(p);
	else
		uvm_km_free((vaddr_t)p, size, 0);
	kmem_count(size, false);
}

size_t
kmem_reclaim(void)
{
	size_t n = 0;

	for (int c = 0; kmem_ready && c < KMEM_NCLASSES; c++)
		n += pool_reclaim(&kmem_pools[c]);
	return n;
}

/* The bitmaps word by word: the counter, and guard/backed inside used. */
static int
check_bitmaps(kprint_fn pr)
{
	uint64_t used = 0;
	int bad = 0;

	for (size_t w = 0; w < KVA_NWORDS; w++) {
		used += (uint64_t)__builtin_popcountll(kva_used[w]);
		if (((kva_backed[w] | kva_guard[w]) & ~kva_used[w]) != 0 ||
		    (kva_backed[w] & kva_guard[w]) != 0) {
			pr("uvm_km_check: pages at %#lx: backed %#lx guard %#lx used %#lx\n",
			    arena_va(w * 64), kva_backed[w], kva_guard[w], kva_used[w]);
			bad++;
		}
	}
	if (used != uvm_km_stats.kva_pages) {
		pr("uvm_km_check: %lu pages allocated in the bitmap, kva_pages says %lu\n",
		    used, uvm_km_stats.kva_pages);
		bad++;
	}
	return bad;
}

/* One arena page's mapping against its bits.  => km_lock held. */
static int
check_mapping(size_t i, kprint_fn pr)
{
	vaddr_t va = arena_va(i);
	paddr_t pa = 0;
	bool mapped = pmap_extract(pmap_kernel(), va, &pa);
	const struct vm_page *pg;

	if (bit_test(kva_backed, i)) {
		pg = mapped ? vm_page_from_phys(pa) : NULL;
		if (pg != NULL && (pg->pqflags & (PQ_FREE | PQ_RESERVED)) == 0)
			return 0;
		pr("uvm_km_check: page %#lx is allocated but %s\n", va,
		    mapped ? "maps a free or unmanaged page" : "not mapped");
		return 1;
	}
	if (!mapped || (bit_test(kva_used, i) && !bit_test(kva_guard, i)))
		return 0;       /* unmapped as it should be, or VAONLY */
	pr("uvm_km_check: %s page %#lx is mapped (to %#lx)\n",
	    bit_test(kva_guard, i) ? "guard" : "free", va, pa);
	return 1;
}

int
uvm_km_check(kprint_fn pr)
{
	int bad;

	spin_lock(&km_lock);
	bad = check_bitmaps(pr);
	for (size_t i = 0; i < kva_high; i++) {
		bad += check_mapping(i, pr);
		if (bad > 32) {
			pr("uvm_km_check: too many problems; stopped at %#lx\n",
			    arena_va(i));
			break;
		}
	}
	spin_unlock(&km_lock);
	return bad;
}
