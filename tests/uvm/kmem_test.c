/*
 * tests/uvm/kmem_test.c - uvm/uvm_km.c: kmem size classes and large
 * sizes, zeroing, a random stress with contents checked, the arena
 * (uvm_km_alloc, VAONLY, next-fit), kernel stacks with guard pages, and
 * the faults that freed large memory and guard pages must produce.
 *
 * The checks go below the return values: page-table entries through
 * pmap_pte_lookup, the arena's page count, and physical pages through
 * uvmexp.free.  kmem_reclaim empties the size-class pools' page caches at
 * both ends of a test, so the only pages a test may leave behind are the
 * page-table pages the arena needed (pmap_counters.ptpages): a leak of a single
 * page shows.
 *
 * Not tested: kmem_free with the wrong size panics.
 */
#include "kern/core/ktest.h"
#include "kern/lib/string.h"
#include "kern/core/panic.h"
#include "kern/arch/trap.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "pmap/vmlayout.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"

/*
 * What a test must give back: the VM's live-object counts (kmem bytes
 * among them), and the arena's own.  Pages are counted more strictly here
 * than by vmtest_pages_in_use, on purpose: kmem_reclaim empties the
 * size-class pools' page caches at both ends, so every page but the page
 * tables the arena keeps must be back on the free list (a page a kmem
 * pool still held would hide in pool_total_pages otherwise).
 */
struct kbase {
	struct vm_baseline vm;
	uint64_t kva_pages, kmem_pages, kmem_large, free, ptpages;
};

static void
kbase_take(struct kbase *b)
{
	kmem_reclaim();
	vm_baseline_take(&b->vm);
	b->kva_pages = uvm_km_stats.kva_pages;
	b->kmem_pages = uvm_km_stats.kmem_pages;
	b->kmem_large = uvm_km_stats.kmem_large;
	b->free = uvmexp.free;
	b->ptpages = pmap_counters.ptpages;
}

static void
kbase_expect(const struct kbase *b)
{
	kmem_reclaim();
	vm_baseline_expect(&b->vm);
	KT_EQ(uvm_km_stats.kva_pages, b->kva_pages);
	KT_EQ(uvm_km_stats.kmem_pages, b->kmem_pages);
	KT_EQ(uvm_km_stats.kmem_large, b->kmem_large);
	/* Every page came back, except page tables pmap still holds. */
	KT_EQ(uvmexp.free + (pmap_counters.ptpages - b->ptpages), b->free);
	KT_EQ(uvm_km_check(ktest_print), 0);
	KT_EQ(pool_check_all(ktest_print), 0);
	KT_EQ(vm_page_check(ktest_print), 0);
}

static uint64_t
kpte(vaddr_t va)
{
	return pmap_pte_lookup(pmap_kernel(), va);
}

/* A kernel read+write, no-execute, supervisor-only mapping? */
static bool
kpte_rw_nx(vaddr_t va)
{
	uint64_t pte = kpte(va);

	return (pte & (PG_V | PG_RW | PG_NX | PG_U)) == (PG_V | PG_RW | PG_NX);
}

static bool
in_arena(const void *p)
{
	return (uintptr_t)p >= KVA_START && (uintptr_t)p < KVA_END;
}

static void
fill(void *p, size_t n, uint8_t seed)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7);
}

static bool
filled(const void *p, size_t n, uint8_t seed)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != (uint8_t)(seed + i * 7))
			return false;
	}
	return true;
}

static bool
zeroed(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != 0)
			return false;
	}
	return true;
}

/* kmem's class for a small size: the next power of two, at least 16. */
static size_t
size_class(size_t size)
{
	size_t c = 16;

	while (c < size)
		c <<= 1;
	return c;
}

static const size_t small_sizes[] = {
	1, 8, 15, 16, 17, 31, 32, 33, 64, 100, 128, 255, 256, 500, 512, 513,
	1000, 1024,
};

KTEST(kmem, small_sizes_come_from_class_pools)
{
	void *p[ARRAY_SIZE(small_sizes)];
	struct kbase b;
	uint64_t bytes = 0;

	kbase_take(&b);
	for (size_t i = 0; i < ARRAY_SIZE(small_sizes); i++) {
		size_t s = small_sizes[i];
		p[i] = kmem_alloc(s, 0);
		KT_ASSERT(p[i] != NULL);
		/* Direct map, aligned to its class, no arena page. */
		KT_ASSERT((uintptr_t)p[i] >= DMAP_BASE && (uintptr_t)p[i] < KVA_START);
		KT_EQ((uintptr_t)p[i] % size_class(s), 0);
		fill(p[i], s, (uint8_t)i);
		bytes += s;
	}
	KT_EQ(uvm_km_stats.kmem_bytes, b.vm.kmem_bytes + bytes);
	KT_EQ(uvm_km_stats.kva_pages, b.kva_pages);
	KT_EQ(uvm_km_stats.kmem_large, b.kmem_large);
	/* Filled all at once: none overlaps another. */
	for (size_t i = 0; i < ARRAY_SIZE(small_sizes); i++)
		KT_ASSERT(filled(p[i], small_sizes[i], (uint8_t)i));
	for (size_t i = 0; i < ARRAY_SIZE(small_sizes); i++)
		kmem_free(p[i], small_sizes[i]);
	kbase_expect(&b);
}

static const size_t page_sizes[] = {
	KMEM_MAXSMALL + 1, 2048, 3000, PAGE_SIZE,
};

static const size_t large_sizes[] = {
	PAGE_SIZE + 1, 3 * PAGE_SIZE, 5 * PAGE_SIZE + 100,
};

/* Problems with the pages of a large allocation: mapping and page state. */
static int
large_problems(const void *p, size_t size)
{
	size_t n = ROUND_UP(size, PAGE_SIZE) / PAGE_SIZE;
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		vaddr_t va = (vaddr_t)p + i * PAGE_SIZE;
		paddr_t pa = 0;
		struct vm_page *pg;
		bad += !kpte_rw_nx(va);
		bad += !pmap_extract(pmap_kernel(), va, &pa);
		pg = vm_page_from_phys(pa);
		/* A kernel page: on no queue, not busy, unowned. */
		bad += pg == NULL || pg->pqflags != 0 || (pg->flags & PG_BUSY) ||
		    pg->uobject != NULL || pg->uanon != NULL;
	}
	return bad;
}

/*
 * Above the pools, up to a page: a whole page each, in the direct map (no
 * arena address, so no mapping to make or shoot down), owned by nobody.
 */
KTEST(kmem, page_sizes_are_whole_direct_map_pages)
{
	void *p[ARRAY_SIZE(page_sizes)];
	struct kbase b;
	uint64_t bytes = 0;

	kbase_take(&b);
	for (size_t i = 0; i < ARRAY_SIZE(page_sizes); i++) {
		size_t s = page_sizes[i];
		struct vm_page *pg;
		p[i] = kmem_alloc(s, 0);
		KT_ASSERT(p[i] != NULL);
		KT_ASSERT((uintptr_t)p[i] >= DMAP_BASE && !in_arena(p[i]));
		KT_EQ((uintptr_t)p[i] & PAGE_MASK, 0);
		pg = vm_page_from_phys(DMAP_TO_PHYS(p[i]));
		KT_ASSERT(pg != NULL && pg->pqflags == 0 &&
		    !(pg->flags & (PG_BUSY | PG_FAKE)) && pg->uobject == NULL &&
		    pg->uanon == NULL);
		fill(p[i], s, (uint8_t)(i + 1));
		bytes += s;
	}
	KT_EQ(uvm_km_stats.kva_pages, b.kva_pages);
	KT_EQ(uvm_km_stats.kmem_pages, b.kmem_pages + ARRAY_SIZE(page_sizes));
	KT_EQ(uvm_km_stats.kmem_large, b.kmem_large);
	KT_EQ(uvm_km_stats.kmem_bytes, b.vm.kmem_bytes + bytes);
	KT_EQ(uvmexp.free, b.free - ARRAY_SIZE(page_sizes));
	for (size_t i = 0; i < ARRAY_SIZE(page_sizes); i++) {
		KT_ASSERT(filled(p[i], page_sizes[i], (uint8_t)(i + 1)));
		kmem_free(p[i], page_sizes[i]);
	}
	/* The dirty page just freed may come straight back: zeroed. */
	uint8_t *z = kmem_zalloc(3000);
	KT_ASSERT(z != NULL && zeroed(z, 3000));
	kmem_free(z, 3000);
	kbase_expect(&b);
}

KTEST(kmem, large_sizes_are_mapped_arena_pages)
{
	void *p[ARRAY_SIZE(large_sizes)];
	struct kbase b;
	uint64_t pages = 0, bytes = 0;

	kbase_take(&b);
	for (size_t i = 0; i < ARRAY_SIZE(large_sizes); i++) {
		size_t s = large_sizes[i];
		p[i] = kmem_alloc(s, 0);
		KT_ASSERT(p[i] != NULL);
		KT_ASSERT(in_arena(p[i]));
		KT_EQ((uintptr_t)p[i] & PAGE_MASK, 0);
		KT_EQ(large_problems(p[i], s), 0);
		fill(p[i], s, (uint8_t)(i + 1));
		pages += ROUND_UP(s, PAGE_SIZE) / PAGE_SIZE;
		bytes += s;
	}
	KT_EQ(uvm_km_stats.kva_pages, b.kva_pages + pages);
	KT_EQ(uvm_km_stats.kmem_large, b.kmem_large + ARRAY_SIZE(large_sizes));
	KT_EQ(uvm_km_stats.kmem_bytes, b.vm.kmem_bytes + bytes);
	KT_EQ(uvmexp.free + (pmap_counters.ptpages - b.ptpages), b.free - pages);
	KT_EQ(uvm_km_check(ktest_print), 0);
	for (size_t i = 0; i < ARRAY_SIZE(large_sizes); i++)
		KT_ASSERT(filled(p[i], large_sizes[i], (uint8_t)(i + 1)));
	for (size_t i = 0; i < ARRAY_SIZE(large_sizes); i++) {
		kmem_free(p[i], large_sizes[i]);
		for (size_t off = 0; off < large_sizes[i]; off += PAGE_SIZE)
			KT_EQ(kpte((vaddr_t)p[i] + off) & PG_V, 0);
	}
	kbase_expect(&b);
}

/* Small: the dirty object just freed comes back (LIFO), now zeroed. */
KTEST(kmem, zalloc_zeroes_small_and_large)
{
	struct kbase b;
	uint8_t *p, *q, *big;
	uint64_t zeroed0, pt0, new_tables;
	bool small_zero, big_zero;

	kbase_take(&b);
	p = kmem_alloc(200, 0);
	KT_ASSERT(p != NULL);
	memset(p, 0xff, 200);
	kmem_free(p, 200);
	q = kmem_zalloc(200);
	KT_ASSERT(q != NULL);
	small_zero = zeroed(q, 200);
	kmem_free(q, 200);
	zeroed0 = uvmexp.pga_zeroed;
	pt0 = pmap_counters.ptpages;
	big = kmem_zalloc(3 * PAGE_SIZE);
	KT_ASSERT(big != NULL);
	new_tables = pmap_counters.ptpages - pt0;      /* pmap zeroes those too */
	big_zero = zeroed(big, 3 * PAGE_SIZE);
	kmem_free(big, 3 * PAGE_SIZE);
	KT_ASSERT(q == p);
	KT_ASSERT(small_zero);
	KT_ASSERT(big_zero);
	KT_EQ(uvmexp.pga_zeroed, zeroed0 + 3 + new_tables);
	kbase_expect(&b);
}

/*
 * Random sizes, mostly small, some large, with random frees; each block
 * holds a pattern from its own seed, checked on free and at the end.
 */
#define KSTRESS_SLOTS 400
#define KSTRESS_OPS 6000

static struct {
	void *p;
	size_t size;
	uint8_t seed;
} kslot[KSTRESS_SLOTS];

static size_t
random_size(struct krand *r)
{
	if (krand_below(r, 8) == 0)
		return KMEM_MAXSMALL + 1 + krand_below(r, 5 * PAGE_SIZE);
	return 1 + krand_below(r, KMEM_MAXSMALL);
}

/* Toggle slot i: allocate and fill it, or check and free it. */
static int
kstress_toggle(size_t i, struct krand *r)
{
	int bad = 0;

	if (kslot[i].p == NULL) {
		kslot[i].size = random_size(r);
		kslot[i].seed = (uint8_t)krand_next(r);
		kslot[i].p = kmem_alloc(kslot[i].size, 0);
		if (kslot[i].p == NULL)
			return 1;
		fill(kslot[i].p, kslot[i].size, kslot[i].seed);
		return 0;
	}
	bad += !filled(kslot[i].p, kslot[i].size, kslot[i].seed);
	kmem_free(kslot[i].p, kslot[i].size);
	kslot[i].p = NULL;
	return bad;
}

KTEST(kmem, random_stress_with_pattern_checks)
{
	struct krand *r = ktest_rand();
	struct kbase b;
	int bad = 0;

	kbase_take(&b);
	memset(kslot, 0, sizeof(kslot));
	for (int op = 0; op < KSTRESS_OPS; op++)
		bad += kstress_toggle(krand_below(r, KSTRESS_SLOTS), r);
	bad += uvm_km_check(ktest_print);
	bad += pool_check_all(ktest_print);
	for (size_t i = 0; i < KSTRESS_SLOTS; i++) {
		if (kslot[i].p != NULL)
			bad += kstress_toggle(i, r);
	}
	KT_EQ(bad, 0);
	kbase_expect(&b);
}

/* Accessors run under trap_catch. */
static void
write_byte(void *p)
{
	*(volatile uint8_t *)p = 3;
}

static void
read_byte(void *p)
{
	(void)*(volatile uint8_t *)p;
}

static void
write_word(void *p)
{
	*(volatile uint64_t *)p = 1;
}

KTEST(kmem, freed_large_memory_faults)
{
	struct trap_expect wte, rte;
	struct kbase b;
	uint8_t *p, *q;
	bool write_faulted, read_faulted;

	kbase_take(&b);
	p = kmem_alloc(2 * PAGE_SIZE, 0);
	KT_ASSERT(p != NULL);
	q = p + PAGE_SIZE + 8;
	write_faulted = trap_catch(write_byte, q, &wte);    /* mapped: fine */
	KT_ASSERT(!write_faulted);
	kmem_free(p, 2 * PAGE_SIZE);
	KT_EQ(kpte((vaddr_t)p) & PG_V, 0);
	KT_EQ(kpte((vaddr_t)p + PAGE_SIZE) & PG_V, 0);
	write_faulted = trap_catch(write_byte, q, &wte);
	read_faulted = trap_catch(read_byte, p, &rte);
	KT_ASSERT(write_faulted && read_faulted);
	KT_EQ(wte.vector, T_PAGE_FAULT);
	KT_EQ(wte.addr, (uint64_t)q);
	/* Not present (not a protection fault), on a write. */
	KT_EQ(wte.error & (PGEX_P | PGEX_W), PGEX_W);
	KT_EQ(rte.vector, T_PAGE_FAULT);
	KT_EQ(rte.addr, (uint64_t)p);
	KT_EQ(rte.error & (PGEX_P | PGEX_W), 0);
	kbase_expect(&b);
}

KTEST(kmem, stack_guard_page_faults)
{
	struct trap_expect te;
	struct kbase b;
	vaddr_t base, top;
	paddr_t pa;
	bool top_faulted, bottom_faulted, guard_faulted;

	kbase_take(&b);
	base = uvm_km_stack_alloc(2);
	KT_ASSERT(base != 0);
	top = base + 2 * PAGE_SIZE;
	KT_EQ(uvm_km_stats.kva_pages, b.kva_pages + 3);     /* guard included */
	KT_EQ(uvmexp.free + (pmap_counters.ptpages - b.ptpages), b.free - 2);
	KT_ASSERT(kpte_rw_nx(base) && kpte_rw_nx(base + PAGE_SIZE));
	KT_EQ(kpte(base - PAGE_SIZE) & PG_V, 0);
	KT_ASSERT(!pmap_extract(pmap_kernel(), base - PAGE_SIZE, &pa));
	KT_EQ(uvm_km_check(ktest_print), 0);
	/* The top and the bottom of the stack are writable... */
	top_faulted = trap_catch(write_word, (void *)(top - 8), &te);
	bottom_faulted = trap_catch(write_word, (void *)base, &te);
	/* ...one word below it, what an overflow would push first, is not. */
	guard_faulted = trap_catch(write_word, (void *)(base - 8), &te);
	uvm_km_stack_free(base, 2);
	KT_ASSERT(!top_faulted && !bottom_faulted && guard_faulted);
	KT_EQ(te.vector, T_PAGE_FAULT);
	KT_EQ(te.addr, base - 8);
	KT_EQ(te.error & (PGEX_P | PGEX_W), PGEX_W);
	KT_EQ(kpte(base) & PG_V, 0);
	kbase_expect(&b);
}

/* VAONLY: addresses only; the caller may map there itself. */
KTEST(kmem, km_alloc_vaonly_maps_nothing)
{
	struct kbase b;
	struct vm_page *pg;
	vaddr_t va;
	int check_mapped;

	kbase_take(&b);
	va = uvm_km_alloc(3 * PAGE_SIZE, UVM_KMF_VAONLY);
	KT_ASSERT(va != 0);
	KT_EQ(uvm_km_stats.kva_pages, b.kva_pages + 3);
	KT_EQ(uvmexp.free, b.free);
	for (int i = 0; i < 3; i++)
		KT_EQ(kpte(va + i * PAGE_SIZE) & PG_V, 0);
	KT_EQ(uvm_km_check(ktest_print), 0);
	pg = vm_page_alloc(NULL, 0, NULL, 0);
	KT_ASSERT(pg != NULL);
	pmap_kenter_pa(va + PAGE_SIZE, vm_page_phys(pg),
	    VM_PROT_READ | VM_PROT_WRITE, 0);
	pmap_update(pmap_kernel());
	*(volatile uint64_t *)(va + PAGE_SIZE) = 42;
	check_mapped = uvm_km_check(ktest_print);
	pmap_kremove(va + PAGE_SIZE, PAGE_SIZE);
	pmap_update(pmap_kernel());
	vm_page_free(pg);
	uvm_km_free(va, 3 * PAGE_SIZE, UVM_KMF_VAONLY);
	KT_EQ(check_mapped, 0);
	kbase_expect(&b);
}

KTEST(kmem, km_alloc_zero_and_refusals)
{
	struct kbase b;
	vaddr_t va;
	uint64_t zeroed0, pt0, new_tables;
	bool zero;

	kbase_take(&b);
	zeroed0 = uvmexp.pga_zeroed;
	pt0 = pmap_counters.ptpages;
	va = uvm_km_alloc(2 * PAGE_SIZE, UVM_KMF_ZERO);
	KT_ASSERT(va != 0);
	new_tables = pmap_counters.ptpages - pt0;      /* pmap zeroes those too */
	zero = zeroed((const void *)va, 2 * PAGE_SIZE);
	uvm_km_free(va, 2 * PAGE_SIZE, 0);
	KT_ASSERT(zero);
	KT_EQ(uvmexp.pga_zeroed, zeroed0 + 2 + new_tables);
	KT_EQ(uvm_km_alloc(0, 0), 0);
	KT_EQ(uvm_km_alloc(KVA_END - KVA_START + 1, 0), 0);
	KT_EQ(uvm_km_alloc(4 * (KVA_END - KVA_START), UVM_KMF_VAONLY), 0);
	KT_EQ(uvm_km_stack_alloc(0), 0);
	kbase_expect(&b);
}

/* Next-fit: the address just freed is not the next one handed out. */
KTEST(kmem, freed_addresses_not_reused_at_once)
{
	struct kbase b;
	vaddr_t a, c;

	kbase_take(&b);
	a = uvm_km_alloc(PAGE_SIZE, 0);
	KT_ASSERT(a != 0);
	uvm_km_free(a, PAGE_SIZE, 0);
	c = uvm_km_alloc(PAGE_SIZE, 0);
	KT_ASSERT(c != 0);
	uvm_km_free(c, PAGE_SIZE, 0);
	KT_ASSERT(c != a);
	kbase_expect(&b);
}

/* Take a mapping away behind uvm_km's back: uvm_km_check sees it. */
KTEST(kmem, check_reports_missing_mapping)
{
	struct kbase b;
	vaddr_t va;
	paddr_t pa = 0;
	char want[128];
	int n;

	kbase_take(&b);
	va = uvm_km_alloc(PAGE_SIZE, 0);
	KT_ASSERT(va != 0);
	KT_ASSERT(pmap_extract(pmap_kernel(), va, &pa));
	pmap_kremove(va, PAGE_SIZE);
	pmap_update(pmap_kernel());
	ktest_capture_reset();
	n = uvm_km_check(ktest_capture);
	pmap_kenter_pa(va, pa, VM_PROT_READ | VM_PROT_WRITE, 0);
	pmap_update(pmap_kernel());
	KT_EQ(uvm_km_check(ktest_print), 0);
	uvm_km_free(va, PAGE_SIZE, 0);
	KT_EQ(n, 1);
	KT_EQ(ktest_captured_lines(), 1);
	ksnprintf(want, sizeof(want),
	    "uvm_km_check: page %#lx is allocated but not mapped\n", va);
	KT_STREQ(ktest_captured(), want);
	kbase_expect(&b);
}
