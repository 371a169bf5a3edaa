/*
 * uvm/uvm_pool.c - pools: fixed-size object caches built on whole pages.
 *
 * The VM system allocates a great many small objects of a few sizes (map
 * entries, amaps, anons, PV entries).  A general allocator would work,
 * but a pool per type is faster (no size lookup, no splitting), wastes
 * less, and - the reason that matters most in a teaching kernel - makes
 * use-after-free and double-free bugs visible, because every object of a
 * type lives in a page that only holds that type.
 *
 * A pool page ("slab") is one physical page from vm_page_alloc, reached
 * through the direct map.  Its header sits at the start, so the page of
 * any object is found by rounding the object's address down:
 *
 *   page (4096 bytes)                       pool "test40": size 40, align 8
 *   +------------------+-------+-------+-------+-- ... --+-------+------+
 *   | struct pool_page | obj 0 | obj 1 | obj 2 |         | obj 98| slack|
 *   | 112 bytes        | (out) | free  | (out) |         | free  | 24 B |
 *   +------------------+-------+-------+-------+-- ... --+-------+------+
 *     ^   ph_free ------------>+ next -------------------->+ next=NULL
 *     |
 *     ROUND_DOWN(obj, PAGE_SIZE)    pr_itemoffset = 112,
 *                                   pr_itemsperpage = (4096 - 112) / 40 = 99
 *
 * A free object's first word links it to the next free object of the same
 * page (each page has its own free list, so a page whose objects all come
 * back is easy to spot and give away).  The header also holds a bitmap,
 * one bit per object, set while the object is free: that is the "free"
 * marker pool_put checks to catch a double free, kept outside the object
 * so that it survives whatever the owner wrote into the object.
 *
 * Pages sit on one of three lists by their number of free objects:
 *
 *   pr_full     0 free          (pool_get never looks here)
 *   pr_partial  1 .. n-1 free   (pool_get takes from the first one)
 *   pr_empty    n free          (used when no partial page; at most
 *                                POOL_EMPTY_MAX kept, the rest freed)
 *
 * pool_get_many and pool_put_many work a page at a time: the objects a
 * batch takes from (or gives back to) one page are each checked as one
 * pool_get or pool_put would check them, but the page's count, its list
 * and the pool's counters change once for the run (take_run, put_run).
 * The anons of a 2 MiB fill, asked for 16 at a time, come in runs that
 * each touch one or two pool pages, not in 512 trips through the lists.
 *
 * Debug builds (KDEBUG) poison a freed object: every word but the link
 * gets POOL_POISON.  pool_get checks the poison of the object it hands
 * out and panics, naming the pool and address, if someone wrote to it
 * after freeing it; pool_check looks at every free object and reports.
 *
 * Invariants (pool_check verifies them):
 *   - a page is on the list its ph_nfree says, and ph_pool names its pool;
 *   - ph_nfree == objects on its free list == bits set in ph_freemap;
 *   - pr_npages == pages on the three lists, pr_nempty == pages on
 *     pr_empty <= POOL_EMPTY_MAX (pool_reclaim may make it lower);
 *   - pr_nout == objects not free, summed over the pages;
 *   - (KDEBUG) every free object is poisoned from its second word on.
 *
 * Pool pages belong to the kernel, unnamed: no object, no anon, on no
 * paging queue, so the page daemon never sees them.  PG_BUSY and PG_FAKE
 * (which vm_page_alloc sets for pages about to be filled by I/O) are
 * cleared: the pool owns the page for as long as it holds it.
 *
 * Lock order: pool_all_lock, then a pool's pr_lock, then the page locks
 * (vm_page_alloc/vm_page_free are called with pr_lock held).
 */
#include "uvm/uvm_pool.h"
#include "kern/lib/assert.h"
#include "kern/lib/string.h"
#include "uvm/uvm_failalloc.h"
#include "uvm/uvm_page.h"

#define POOL_MINSIZE 8                      /* room for the free-list link */
#define POOL_MAXITEMS (PAGE_SIZE / POOL_MINSIZE)
#define POOL_MAPWORDS (POOL_MAXITEMS / 64)

/* A free object: only its first word has a meaning. */
struct pool_free {
	struct pool_free *pf_next;
};

/* The header at the start of every pool page. */
struct pool_page {
	TAILQ_ENTRY(pool_page) ph_link;     /* on pr_partial, pr_full or pr_empty */
	struct pool *ph_pool;               /* owner; NULL once the page is freed */
	struct vm_page *ph_pg;              /* this page, for vm_page_free */
	struct pool_free *ph_free;          /* first free object, or NULL */
	uint32_t ph_nfree;
	uint32_t ph_unused;
	uint64_t ph_freemap[POOL_MAPWORDS]; /* bit i set: object i is free */
};

STATIC_ASSERT(sizeof(struct pool_page) <= PAGE_SIZE / 4);

static struct spinlock pool_all_lock = SPINLOCK_INIT("pool_all");
static TAILQ_HEAD(, pool) pool_all = { NULL, &pool_all.tqh_first };

static void
map_set(struct pool_page *ph, size_t i)
{
	ph->ph_freemap[i / 64] |= 1ULL << (i % 64);
}

static void
map_clear(struct pool_page *ph, size_t i)
{
	ph->ph_freemap[i / 64] &= ~(1ULL << (i % 64));
}

static bool
map_test(const struct pool_page *ph, size_t i)
{
	return (ph->ph_freemap[i / 64] >> (i % 64)) & 1;
}

static void *
item_addr(const struct pool *pp, const struct pool_page *ph, size_t i)
{
	return (char *)ph + pp->pr_itemoffset + i * pp->pr_size;
}

static struct pool_page *
page_of(const void *obj)
{
	return (struct pool_page *)ROUND_DOWN((uintptr_t)obj, PAGE_SIZE);
}

/*
 * The index of the object at p in ph, or -1 if p is not the start of one
 * of its objects (inside the header, between objects, in the slack).
 */
static ssize_t
item_index(const struct pool *pp, const struct pool_page *ph, const void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)ph;
	size_t i;

	if (page_of(p) != ph || off < pp->pr_itemoffset)
		return -1;
	off -= pp->pr_itemoffset;
	i = (size_t)((off * pp->pr_recip) >> 32);       /* off / pr_size */
	if (i * pp->pr_size != off || i >= pp->pr_itemsperpage)
		return -1;
	return (ssize_t)i;
}

/* Can next be a free-list link in ph: NULL, or a free object of ph? */
static bool
link_ok(const struct pool *pp, const struct pool_page *ph,
    const struct pool_free *next)
{
	ssize_t i;

	if (next == NULL)
		return true;
	i = item_index(pp, ph, next);
	return i >= 0 && map_test(ph, (size_t)i);
}

/* Fill obj with poison after its link word (debug builds only). */
static void
poison_fill(const struct pool *pp, void *obj)
{
	uint64_t *w = obj;

	if (!KDEBUG)
		return;
	for (size_t i = 1; i < pp->pr_size / 8; i++)
		w[i] = POOL_POISON;
}

/*
 * The offset of the first word of obj (after the link) that is not
 * poison, or 0 if it is intact or this is not a debug build.
 */
static size_t
poison_find(const struct pool *pp, const void *obj)
{
	const uint64_t *w = obj;

	if (!KDEBUG)
		return 0;
	for (size_t i = 1; i < pp->pr_size / 8; i++) {
		if (w[i] != POOL_POISON)
			return i * 8;
	}
	return 0;
}

void
pool_init(struct pool *pp, size_t size, size_t align, const char *name)
{
	size_t hdr;

	if (align == 0)
		align = 8;
	KASSERT((align & (align - 1)) == 0 && align <= PAGE_SIZE / 4);
	KASSERT(size > 0 && size <= PAGE_SIZE / 4);
	memset(pp, 0, sizeof(*pp));
	pp->pr_name = name;
	/* Multiples of 8 keep the link aligned and let poison go by words. */
	pp->pr_align = MAX(align, (size_t)POOL_MINSIZE);
	pp->pr_size = ROUND_UP(MAX(size, (size_t)POOL_MINSIZE), pp->pr_align);
	hdr = ROUND_UP(sizeof(struct pool_page), pp->pr_align);
	pp->pr_itemoffset = hdr;
	pp->pr_itemsperpage = (PAGE_SIZE - hdr) / pp->pr_size;
	/* Every get and put finds an object's index: a division, which
	 * under QEMU's TCG is a helper call.  With x < 2^12 and pr_size <
	 * 2^20 the product's error stays below 2^-20, too small to carry
	 * the quotient past a whole number: the multiply is exact. */
	pp->pr_recip = ((1ULL << 32) + pp->pr_size - 1) / pp->pr_size;
	KASSERT(pp->pr_itemsperpage >= 2 && pp->pr_itemsperpage <= POOL_MAXITEMS);
	TAILQ_INIT(&pp->pr_partial);
	TAILQ_INIT(&pp->pr_full);
	TAILQ_INIT(&pp->pr_empty);
	pp->pr_lock = (struct spinlock)SPINLOCK_INIT(name);
	spin_lock(&pool_all_lock);
	TAILQ_INSERT_TAIL(&pool_all, pp, pr_all);
	spin_unlock(&pool_all_lock);
}

/* The list a page with nfree free objects belongs on. */
static struct pool_pagelist *
list_for(struct pool *pp, size_t nfree)
{
	if (nfree == 0)
		return &pp->pr_full;
	if (nfree == pp->pr_itemsperpage)
		return &pp->pr_empty;
	return &pp->pr_partial;
}

/*
 * ph's free count just changed from old: move it to the list it now
 * belongs on (to the head, so the page just used is used again first).
 */
static void
move_page(struct pool *pp, struct pool_page *ph, size_t old)
{
	struct pool_pagelist *from = list_for(pp, old);
	struct pool_pagelist *to = list_for(pp, ph->ph_nfree);

	if (from == to)
		return;
	TAILQ_REMOVE(from, ph, ph_link);
	TAILQ_INSERT_HEAD(to, ph, ph_link);
	if (from == &pp->pr_empty)
		pp->pr_nempty--;
	if (to == &pp->pr_empty)
		pp->pr_nempty++;
}

/*
 * A new page for pp, every object free and poisoned, on pr_empty.
 *  => pr_lock held; returns NULL when no page is free.
 */
static struct pool_page *
pool_grow(struct pool *pp, int flags)
{
	struct vm_page *pg = vm_page_alloc_kernel((flags & PR_NOFAIL) ?
	    VM_PAGE_NOFAIL : 0);
	size_t n = pp->pr_itemsperpage;
	struct pool_page *ph;
	char *obj;

	if (pg == NULL)
		return NULL;
	ph = vm_page_kva(pg);
	memset(ph, 0, sizeof(*ph));
	ph->ph_pool = pp;
	ph->ph_pg = pg;
	/* Each object links to the next, so they go out in address order. */
	ph->ph_free = item_addr(pp, ph, 0);
	obj = (char *)ph->ph_free;
	for (size_t i = 0; i < n; i++, obj += pp->pr_size) {
		((struct pool_free *)obj)->pf_next =
		    i + 1 < n ? (struct pool_free *)(obj + pp->pr_size) : NULL;
		poison_fill(pp, obj);
	}
	for (size_t w = 0; w < n / 64; w++)
		ph->ph_freemap[w] = ~0ULL;      /* every object free */
	if (n % 64 != 0)
		ph->ph_freemap[n / 64] = (1ULL << (n % 64)) - 1;
	ph->ph_nfree = (uint32_t)n;
	TAILQ_INSERT_HEAD(&pp->pr_empty, ph, ph_link);
	pp->pr_nempty++;
	pp->pr_npages++;
	return ph;
}

/*
 * Unlink the first free object of ph, checking it was left alone while
 * free; the caller counts it (take_run).
 *  => pr_lock held; panics on a corrupt free list or (KDEBUG) poison.
 */
static void *
take_object(struct pool *pp, struct pool_page *ph)
{
	struct pool_free *obj = ph->ph_free;
	ssize_t i = item_index(pp, ph, obj);
	size_t bad;

	if (i < 0 || !map_test(ph, (size_t)i))
		panic("pool_get: %s: free list of page %p leads to %p, not a free object",
		    pp->pr_name, (void *)ph, (void *)obj);
	if (!link_ok(pp, ph, obj->pf_next))
		panic("pool_get: %s: free object %p was written after free (link %p)",
		    pp->pr_name, (void *)obj, (void *)obj->pf_next);
	bad = poison_find(pp, obj);
	if (bad != 0)
		panic("pool_get: %s: free object %p was written after free "
		    "(offset %#zx holds %#lx)", pp->pr_name, (void *)obj, bad,
		    *(uint64_t *)((char *)obj + bad));
	ph->ph_free = obj->pf_next;
	map_clear(ph, (size_t)i);
	return obj;
}

/*
 * Up to n objects of ph into objs, counted, and ph moved to its new list
 * once for the run.  => pr_lock held; returns how many (ph has >= 1 free).
 */
static int
take_run(struct pool *pp, struct pool_page *ph, void **objs, int n)
{
	size_t old = ph->ph_nfree;
	int k = 0;

	/* Bounded by the count, not by the list's end: a link cut to NULL
	 * after a free must reach take_object's panic, not end the run
	 * early and leave the page promising objects it cannot give. */
	for (; k < n && (size_t)k < old; k++)
		objs[k] = take_object(pp, ph);
	ph->ph_nfree -= (uint32_t)k;
	move_page(pp, ph, old);
	pp->pr_nget += (uint64_t)k;
	pp->pr_nout += (uint64_t)k;
	return k;
}

/* How many of n objects failure injection lets through (all with PR_NOFAIL). */
static int
pool_injected_limit(int n, int flags)
{
	if ((flags & PR_NOFAIL) || !uvm_failalloc_on())
		return n;               /* one look for the batch while it is off */
	for (int i = 0; i < n; i++) {
		if (uvm_failalloc_hit(UVM_FAILALLOC_POOL))
			return i;
	}
	return n;
}

int
pool_get_many(struct pool *pp, void **objs, int n, int flags)
{
	int got, limit = pool_injected_limit(n, flags);

	spin_lock(&pp->pr_lock);
	if (limit < n)
		pp->pr_nfail++;
	for (got = 0; got < limit;) {
		struct pool_page *ph = TAILQ_FIRST(&pp->pr_partial);
		if (ph == NULL)
			ph = TAILQ_FIRST(&pp->pr_empty);
		if (ph == NULL && (ph = pool_grow(pp, flags)) == NULL) {
			pp->pr_nfail++;
			break;
		}
		got += take_run(pp, ph, objs + got, limit - got);
	}
	spin_unlock(&pp->pr_lock);
	for (int i = 0; i < got; i++) {
		if (flags & PR_ZERO)
			memset(objs[i], 0, pp->pr_size);
		else if (KDEBUG)
			*(uint64_t *)objs[i] = POOL_POISON; /* no stale link for the owner */
	}
	return got;
}

void *
pool_get(struct pool *pp, int flags)
{
	void *obj;

	return pool_get_many(pp, &obj, 1, flags) == 1 ? obj : NULL;
}

/* Free an empty page of pp.  => pr_lock held; ph is on pr_empty. */
static void
release_page(struct pool *pp, struct pool_page *ph)
{
	KASSERT(ph->ph_nfree == pp->pr_itemsperpage);
	TAILQ_REMOVE(&pp->pr_empty, ph, ph_link);
	pp->pr_nempty--;
	pp->pr_npages--;
	/* A later pool_put of a stale pointer into this page then panics. */
	ph->ph_pool = NULL;
	vm_page_free(ph->ph_pg);
}

/* The index of obj in its page, panicking on anything but a live object of pp. */
static size_t
put_index(struct pool *pp, struct pool_page *ph, void *obj)
{
	ssize_t i;

	if (ph->ph_pool != pp)
		panic("pool_put: %s: %p is not an object of this pool",
		    pp->pr_name, obj);
	i = item_index(pp, ph, obj);
	if (i < 0)
		panic("pool_put: %s: %p is not the start of an object",
		    pp->pr_name, obj);
	if (map_test(ph, (size_t)i))
		panic("pool_put: %s: double free of %p", pp->pr_name, obj);
	return (size_t)i;
}

/*
 * Return the objects at the start of objs that lie in the first one's
 * page (at least that one), counted, and the page moved to its new list
 * - or freed - once for the run.  => pr_lock held; returns how many.
 */
static int
put_run(struct pool *pp, void **objs, int n)
{
	struct pool_page *ph = page_of(objs[0]);
	size_t old;
	int k = 0;

	KASSERT(objs[0] != NULL);
	/* put_index vets each object (and so ph) before ph is changed. */
	for (; k < n && objs[k] != NULL && page_of(objs[k]) == ph; k++) {
		struct pool_free *f = objs[k];
		size_t i = put_index(pp, ph, f);
		poison_fill(pp, f);
		f->pf_next = ph->ph_free;
		ph->ph_free = f;
		map_set(ph, i);
	}
	old = ph->ph_nfree;
	ph->ph_nfree += (uint32_t)k;
	move_page(pp, ph, old);
	pp->pr_nput += (uint64_t)k;
	pp->pr_nout -= (uint64_t)k;
	if (ph->ph_nfree == pp->pr_itemsperpage && pp->pr_nempty > POOL_EMPTY_MAX)
		release_page(pp, ph);
	return k;
}

void
pool_put(struct pool *pp, void *obj)
{
	pool_put_many(pp, &obj, 1);
}

void
pool_put_many(struct pool *pp, void **objs, int n)
{
	spin_lock(&pp->pr_lock);
	for (int i = 0; i < n;)
		i += put_run(pp, objs + i, n - i);
	spin_unlock(&pp->pr_lock);
}

size_t
pool_reclaim(struct pool *pp)
{
	size_t n = 0;

	spin_lock(&pp->pr_lock);
	while (!TAILQ_EMPTY(&pp->pr_empty)) {
		release_page(pp, TAILQ_FIRST(&pp->pr_empty));
		n++;
	}
	spin_unlock(&pp->pr_lock);
	return n;
}

void
pool_destroy(struct pool *pp)
{
	if (pp->pr_nout != 0)
		panic("pool_destroy: %s still has %lu objects out",
		    pp->pr_name, pp->pr_nout);
	pool_reclaim(pp);
	KASSERT(pp->pr_npages == 0);
	spin_lock(&pool_all_lock);
	TAILQ_REMOVE(&pool_all, pp, pr_all);
	spin_unlock(&pool_all_lock);
}

/* Walk ph's free list: every link valid, length ph_nfree, no loop. */
static int
check_freelist(const struct pool *pp, const struct pool_page *ph, kprint_fn pr)
{
	const struct pool_free *f = ph->ph_free;
	size_t n = 0;

	if (!link_ok(pp, ph, f)) {
		pr("pool_check: %s: page %p: free list starts at %p, not a free object\n",
		    pp->pr_name, (const void *)ph, (const void *)f);
		return 1;
	}
	for (; f != NULL; f = f->pf_next) {
		if (++n > ph->ph_nfree) {
			pr("pool_check: %s: page %p: free list longer than %u (a loop?)\n",
			    pp->pr_name, (const void *)ph, ph->ph_nfree);
			return 1;
		}
		if (!link_ok(pp, ph, f->pf_next)) {
			pr("pool_check: %s: free object %p was written after free (link %p)\n",
			    pp->pr_name, (const void *)f, (const void *)f->pf_next);
			return 1;
		}
	}
	if (n != ph->ph_nfree) {
		pr("pool_check: %s: page %p: %zu objects on the free list, count says %u\n",
		    pp->pr_name, (const void *)ph, n, ph->ph_nfree);
		return 1;
	}
	return 0;
}

/* One page: free map against the count, the free list, the poison. */
static int
check_page(const struct pool *pp, const struct pool_page *ph, kprint_fn pr)
{
	size_t marked = 0;
	int bad = 0;

	for (size_t w = 0; w < POOL_MAPWORDS; w++)
		marked += (size_t)__builtin_popcountll(ph->ph_freemap[w]);
	if (marked != ph->ph_nfree) {
		pr("pool_check: %s: page %p: %zu objects marked free, count says %u\n",
		    pp->pr_name, (const void *)ph, marked, ph->ph_nfree);
		bad++;
	}
	bad += check_freelist(pp, ph, pr);
	for (size_t i = 0; KDEBUG && i < pp->pr_itemsperpage; i++) {
		const void *obj = item_addr(pp, ph, i);
		size_t off = map_test(ph, i) ? poison_find(pp, obj) : 0;
		if (off == 0)
			continue;
		pr("pool_check: %s: free object %p was written after free "
		    "(offset %#zx holds %#lx)\n", pp->pr_name, obj, off,
		    *(const uint64_t *)((const char *)obj + off));
		bad++;
	}
	return bad;
}

/* Counts gathered over a pool's three lists. */
struct pool_tally {
	uint64_t pages, empty, out;
};

/* One of pp's lists: owner, list membership, and each page's contents. */
static int
check_list(const struct pool *pp, const struct pool_pagelist *l,
    const char *name, struct pool_tally *t, kprint_fn pr)
{
	const struct pool_page *ph;
	uint64_t n = 0;
	int bad = 0;

	TAILQ_FOREACH(ph, l, ph_link) {
		if (++n > pp->pr_npages) {
			pr("pool_check: %s: %s list longer than pr_npages %lu\n",
			    pp->pr_name, name, pp->pr_npages);
			return bad + 1;
		}
		if (ph->ph_pool != pp || list_for((struct pool *)pp, ph->ph_nfree) != l) {
			pr("pool_check: %s: page %p on the %s list has pool %p, %u free\n",
			    pp->pr_name, (const void *)ph, name,
			    (const void *)ph->ph_pool, ph->ph_nfree);
			bad++;
			continue;
		}
		bad += check_page(pp, ph, pr);
		t->out += pp->pr_itemsperpage - ph->ph_nfree;
	}
	t->pages += n;
	if (l == &pp->pr_empty)
		t->empty = n;
	return bad;
}

/* Compare one counter with what the lists say. */
static int
check_count(const struct pool *pp, const char *what, uint64_t counter,
    uint64_t seen, kprint_fn pr)
{
	if (counter == seen)
		return 0;
	pr("pool_check: %s: %s is %lu, the page lists say %lu\n",
	    pp->pr_name, what, counter, seen);
	return 1;
}

int
pool_check(struct pool *pp, kprint_fn pr)
{
	struct pool_tally t = { 0, 0, 0 };
	int bad = 0;

	spin_lock(&pp->pr_lock);
	bad += check_list(pp, &pp->pr_full, "full", &t, pr);
	bad += check_list(pp, &pp->pr_partial, "partial", &t, pr);
	bad += check_list(pp, &pp->pr_empty, "empty", &t, pr);
	bad += check_count(pp, "pr_npages", pp->pr_npages, t.pages, pr);
	bad += check_count(pp, "pr_nempty", pp->pr_nempty, t.empty, pr);
	bad += check_count(pp, "pr_nout", pp->pr_nout, t.out, pr);
	bad += check_count(pp, "pr_nget - pr_nput", pp->pr_nget - pp->pr_nput,
	    pp->pr_nout, pr);
	if (pp->pr_nempty > POOL_EMPTY_MAX) {
		pr("pool_check: %s: %lu empty pages kept, limit %d\n",
		    pp->pr_name, pp->pr_nempty, POOL_EMPTY_MAX);
		bad++;
	}
	spin_unlock(&pp->pr_lock);
	return bad;
}

int
pool_check_all(kprint_fn pr)
{
	struct pool *pp;
	int bad = 0;

	spin_lock(&pool_all_lock);
	TAILQ_FOREACH(pp, &pool_all, pr_all)
		bad += pool_check(pp, pr);
	spin_unlock(&pool_all_lock);
	return bad;
}

void
pool_print(const struct pool *pp, kprint_fn pr)
{
	pr("pool %-12s size %4zu (%3zu/page) out %6lu pages %4lu (%lu empty) "
	    "gets %lu puts %lu fails %lu\n", pp->pr_name, pp->pr_size,
	    pp->pr_itemsperpage, pp->pr_nout, pp->pr_npages, pp->pr_nempty,
	    pp->pr_nget, pp->pr_nput, pp->pr_nfail);
}

void
pool_print_all(kprint_fn pr)
{
	struct pool *pp;

	spin_lock(&pool_all_lock);
	TAILQ_FOREACH(pp, &pool_all, pr_all)
		pool_print(pp, pr);
	spin_unlock(&pool_all_lock);
}

uint64_t
pool_total_pages(void)
{
	struct pool *pp;
	uint64_t n = 0;

	spin_lock(&pool_all_lock);
	TAILQ_FOREACH(pp, &pool_all, pr_all)
		n += pp->pr_npages;
	spin_unlock(&pool_all_lock);
	return n;
}
