/*
 * uvm/uvm_aobj.c - anonymous objects: memory with no file behind it,
 * shared between the mappings that hold the object (MAP_SHARED |
 * MAP_ANONYMOUS after fork, shared memory, kernel use).
 *
 * An aobj is a uvm_object (resident pages in its tree, see uvm_object.c)
 * plus, for each of its u_pages pages, the swap slot that holds the page's
 * data once the page daemon has written it out (slot 0: none).  A page
 * that is neither resident nor in swap has never been written: it reads
 * as zeros, so a fresh aobj costs nothing but its header.
 *
 * Where the slots are kept depends on the size.  A small object (at most
 * UAO_SWHASH_THRESHOLD = 64 pages) has a plain array, one int per page.
 * A large object would waste most of such an array (only the swapped-out
 * pages have slots), so it keeps a hash of clusters instead: the pages are
 * cut into runs of UAO_SWHASH_CLUSTER = 16, and a cluster gets an element
 * only while at least one of its pages has a slot.  Example, a 200-page
 * object (8 buckets) whose pages 5, 20 and 150 are in swap:
 *
 *   page p is in cluster tag = p / 16, at index p % 16 of that cluster;
 *   a cluster lives in bucket tag % nbuckets.
 *
 *   u_sw.buckets[0]    -> {tag 0 (pages 0-15),    count 1, slots[5] = 12}
 *   u_sw.buckets[1]    -> {tag 9 (pages 144-159), count 1, slots[6] = 3}
 *                      -> {tag 1 (pages 16-31),   count 1, slots[4] = 9}
 *   u_sw.buckets[2..7] -> (empty)
 *
 *   find slot of page 150: tag 9, bucket 9 % 8 = 1, walk to tag 9,
 *   slots[150 % 16 = 6] = 3.  Setting page 20's slot to 0 drops tag 1's
 *   count to 0 and frees its element.
 *
 * Growing past the threshold converts the array into a hash, shrinking
 * below it converts back; in between, the number of buckets follows the
 * size (a power of two, one per cluster, at most UAO_SWHASH_MAXBUCKETS).
 * Both directions allocate everything they need before changing anything,
 * so -ENOMEM leaves the object as it was.
 *
 * Invariants (uao_check verifies them):
 *   - exactly one representation: u_sw.slots when u_pages <= threshold
 *     (NULL for 0 pages), u_sw.buckets with nbuckets_for(u_pages) buckets
 *     otherwise;
 *   - every element sits in bucket tag % nbuckets, no tag twice, covers
 *     pages below u_pages, and its count equals its non-zero slots, which
 *     is never 0 (an element with no slot is freed at once);
 *   - every recorded slot is positive and allocated in the swap layer;
 *   - every resident page lies below u_pages, and the object itself passes
 *     uvm_obj_check;
 *   - u_held counts the pages that hold data, resident or with a slot
 *     (each once), and is what the object has charged to its budget.
 *
 * The held count changes in three places only: get_page makes a page in
 * a hole (+1, refused with -ENOSPC when the budget is spent), a page
 * with no slot is discarded (-1: its data is gone, the page is a hole
 * again), a slot of a page that is not resident is dropped (-1).  The
 * page daemon moves pages between "resident" and "in swap" without
 * changing it: it frees only pages that have a slot.
 *
 * Lock order: uao_list_lock (the list of every aobj) before an object's
 * vmobjlock, before the page-queue, free-list and swap locks.  detach and
 * swap_off are the two that take both: detach to take a dying object off
 * the list in the same step as its last reference goes, swap_off to take
 * a reference on each object it visits.  A page being read from swap
 * sits in the tree PG_BUSY with the object unlocked; whoever wants it
 * (get_page, pages_free_range) waits for it with vm_page_wait_busy, and
 * swap_off passes it by (its slot stays) and walks again later.  The
 * page daemon keeps the object locked while it writes pages out
 * (uvm/uvm_pdaemon.c), so nobody sees those busy.
 */
#include "uvm/uvm_aobj.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/queue.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"
#include "uvm/uvm_swap.h"

/*
 * At most 128 buckets, so the bucket array (128 pointers, 1 KiB) still
 * comes from kmem's size-class pools; objects larger than 2048 pages just
 * get longer chains.
 */
#define UAO_SWHASH_MAXBUCKETS 128

/* One cluster of UAO_SWHASH_CLUSTER consecutive pages of a large aobj. */
struct uao_swhash_elt {
	struct uao_swhash_elt *next;    /* bucket chain */
	int tag;                        /* cluster number: first page / CLUSTER */
	int count;                      /* non-zero entries of slots[] */
	int slots[UAO_SWHASH_CLUSTER];
};

/* The slot table: one of the two representations, the other NULL. */
struct uao_swtab {
	int *slots;                     /* array: slot of each page */
	struct uao_swhash_elt **buckets;        /* hash: bucket heads */
	int nbuckets;                   /* hash: a power of two; array: 0 */
};

struct uvm_aobj {
	struct uvm_object u_obj;        /* the object: pages, refs, lock */
	int u_pages;                    /* size in pages */
	int u_nelts;                    /* hash elements allocated */
	struct uao_swtab u_sw;
	int u_held;                     /* pages holding data (see above) */
	struct uao_budget *u_budget;    /* charged with u_held, or NULL */
	int u_seen;                     /* uao_check_all's scratch count */
	TAILQ_ENTRY(uvm_aobj) u_list;   /* on uao_list */
};

static int uao_get(struct uvm_object *uobj, voff_t offset, int centeridx,
    struct vm_page **pps, int *npagesp, vm_prot_t access_type, int advice,
    int flags);
static int uao_put(struct uvm_object *uobj, voff_t start, voff_t stop, int flags);

const struct uvm_pagerops aobj_pager = {
	.pgo_name = "aobj",
	.pgo_reference = uao_reference,
	.pgo_detach = uao_detach,
	.pgo_get = uao_get,
	.pgo_put = uao_put,
};

static struct pool uao_pool;            /* struct uvm_aobj */
static struct pool uao_elt_pool;        /* struct uao_swhash_elt */
static struct kmutex uao_list_lock = KMUTEX_INIT("uao_list");
static TAILQ_HEAD(, uvm_aobj) uao_list = { NULL, &uao_list.tqh_first };
static uint64_t uao_nobjs;              /* on uao_list; under its lock */

static struct uvm_aobj *
aobj_of(struct uvm_object *uobj)
{
	KASSERT(uobj->pgops == &aobj_pager);
	return container_of(uobj, struct uvm_aobj, u_obj);
}

/*
 * Charge n more held pages (n < 0: release them).  With limited, a
 * charge that would pass the budget's limit is refused.
 *  => object locked; true when charged.
 */
static bool
held_add(struct uvm_aobj *aobj, int n, bool limited)
{
	struct uao_budget *b = aobj->u_budget;
	bool ok = true;

	if (b != NULL) {
		spin_lock(&b->ub_lock);
		if (n > 0 && limited && b->ub_used + (uint64_t)n > b->ub_limit)
			ok = false;
		else
			b->ub_used += (uint64_t)(int64_t)n;
		spin_unlock(&b->ub_lock);
	}
	if (ok)
		aobj->u_held += n;
	KASSERT(aobj->u_held >= 0);
	return ok;
}

static bool
size_uses_hash(int pages)
{
	return pages > UAO_SWHASH_THRESHOLD;
}

/* Buckets for a hashed object of pages pages: about one per cluster. */
static int
nbuckets_for(int pages)
{
	int clusters = pages / UAO_SWHASH_CLUSTER, n = 1;

	while (n * 2 <= clusters && n < UAO_SWHASH_MAXBUCKETS)
		n *= 2;
	return n;
}

static struct uao_swhash_elt **
bucket_of(struct uao_swtab *sw, int tag)
{
	return &sw->buckets[tag & (sw->nbuckets - 1)];
}

static struct uao_swhash_elt *
elt_find(struct uvm_aobj *aobj, int tag)
{
	struct uao_swhash_elt *elt = *bucket_of(&aobj->u_sw, tag);

	while (elt != NULL && elt->tag != tag)
		elt = elt->next;
	return elt;
}

/* Unlink elt from its bucket and free it. */
static void
elt_remove(struct uvm_aobj *aobj, struct uao_swhash_elt *elt)
{
	struct uao_swhash_elt **link = bucket_of(&aobj->u_sw, elt->tag);

	while (*link != elt)
		link = &(*link)->next;
	*link = elt->next;
	pool_put(&uao_elt_pool, elt);
	aobj->u_nelts--;
}

/* A new empty element for tag, linked in; NULL when memory is short. */
static struct uao_swhash_elt *
elt_create(struct uvm_aobj *aobj, int tag)
{
	struct uao_swhash_elt *elt = pool_get(&uao_elt_pool, PR_ZERO);
	struct uao_swhash_elt **head;

	if (elt == NULL)
		return NULL;
	elt->tag = tag;
	head = bucket_of(&aobj->u_sw, tag);
	elt->next = *head;
	*head = elt;
	aobj->u_nelts++;
	return elt;
}

/* Memory for an empty table for pages pages.  => 0 or -ENOMEM. */
static int
swtab_alloc(int pages, struct uao_swtab *sw)
{
	memset(sw, 0, sizeof(*sw));
	if (size_uses_hash(pages)) {
		sw->nbuckets = nbuckets_for(pages);
		sw->buckets = kmem_zalloc((size_t)sw->nbuckets * sizeof(*sw->buckets));
		return sw->buckets == NULL ? -ENOMEM : 0;
	}
	if (pages == 0)
		return 0;
	sw->slots = kmem_zalloc((size_t)pages * sizeof(int));
	return sw->slots == NULL ? -ENOMEM : 0;
}

/* Free the table's own arrays (not the hash elements) of a pages-page table. */
static void
swtab_free(struct uao_swtab *sw, int pages)
{
	if (sw->buckets != NULL)
		kmem_free(sw->buckets, (size_t)sw->nbuckets * sizeof(*sw->buckets));
	if (sw->slots != NULL)
		kmem_free(sw->slots, (size_t)pages * sizeof(int));
	memset(sw, 0, sizeof(*sw));
}

void
uao_init(void)
{
	pool_init(&uao_pool, sizeof(struct uvm_aobj), 0, "uvm_aobj");
	pool_init(&uao_elt_pool, sizeof(struct uao_swhash_elt), 0, "uao_swhash_elt");
}

struct uvm_object *
uao_create(vsize_t size, int flags)
{
	struct uvm_aobj *aobj;
	vsize_t pages = ROUND_UP(size, PAGE_SIZE) >> PAGE_SHIFT;

	(void)flags;            /* none defined yet */
	if (size > (vsize_t)INT32_MAX << PAGE_SHIFT)
		return NULL;
	aobj = pool_get(&uao_pool, PR_ZERO);
	if (aobj == NULL)
		return NULL;
	if (swtab_alloc((int)pages, &aobj->u_sw) != 0) {
		pool_put(&uao_pool, aobj);
		return NULL;
	}
	aobj->u_pages = (int)pages;
	uvm_obj_init(&aobj->u_obj, &aobj_pager, 1, "aobj");
	mutex_enter(&uao_list_lock);
	TAILQ_INSERT_TAIL(&uao_list, aobj, u_list);
	uao_nobjs++;
	mutex_exit(&uao_list_lock);
	return &aobj->u_obj;
}

void
uao_reference(struct uvm_object *uobj)
{
	mutex_enter(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0);
	uobj->uo_refs++;
	mutex_exit(&uobj->vmobjlock);
}

/*
 * Remove every mapping of pg, take it out of its object and free it.
 * => object locked; pg not busy (pages_free_range waits first).
 */
static void
page_discard(struct uvm_aobj *aobj, struct vm_page *pg)
{
	if (pg->flags & PG_BUSY)
		panic("uao: page %#lx at offset %#lx of aobj %p is busy",
		    pg->phys_addr, (uint64_t)pg->offset, (void *)aobj);
	if (pg->wire_count != 0)
		panic("uao: page %#lx at offset %#lx of aobj %p is wired",
		    pg->phys_addr, (uint64_t)pg->offset, (void *)aobj);
	pmap_page_protect(pg, VM_PROT_NONE);
	if (uao_find_swslot(&aobj->u_obj, (int)(pg->offset >> PAGE_SHIFT)) == 0)
		held_add(aobj, -1, false);      /* no other copy: a hole now */
	uvm_obj_page_remove(&aobj->u_obj, pg);
	vm_page_free(pg);
}

/* The resident page with the lowest offset >= off, or NULL. */
static struct vm_page *
page_at_or_after(struct uvm_aobj *aobj, voff_t off)
{
	struct rb_node *n = rb_tree_find_le(&aobj->u_obj.rb_pages, &off);
	struct vm_page *pg;

	if (n == NULL)
		return uvm_obj_page_first(&aobj->u_obj);
	pg = container_of(n, struct vm_page, objt);
	return pg->offset == off ? pg : uvm_obj_page_next(&aobj->u_obj, pg);
}

/*
 * Free the resident pages in [start, end) bytes.  Wired ones stay when
 * keepwired (pgo_put); otherwise a wired page panics (shrink, detach).
 */
static void
pages_free_range(struct uvm_aobj *aobj, voff_t start, voff_t end, bool keepwired)
{
	struct vm_page *pg = page_at_or_after(aobj, start), *next;

	for (; pg != NULL && pg->offset < end; pg = next) {
		next = uvm_obj_page_next(&aobj->u_obj, pg);
		if (pg->flags & PG_BUSY) {
			/* Being read in: wait, then look again from here. */
			voff_t off = pg->offset;
			vm_page_wait_busy(pg, &aobj->u_obj.vmobjlock, "uaofree");
			mutex_enter(&aobj->u_obj.vmobjlock);
			next = page_at_or_after(aobj, off);
			continue;
		}
		if (keepwired && pg->wire_count != 0)
			continue;
		page_discard(aobj, pg);
	}
}

/* Give every slot of the table back to the swap layer and free its elements. */
static void
slots_free_all(struct uvm_aobj *aobj)
{
	struct uao_swhash_elt *elt;

	for (int i = 0; aobj->u_sw.slots != NULL && i < aobj->u_pages; i++) {
		if (aobj->u_sw.slots[i] > 0)
			uvm_swap_free(aobj->u_sw.slots[i], 1);
	}
	for (int b = 0; b < aobj->u_sw.nbuckets; b++) {
		while ((elt = aobj->u_sw.buckets[b]) != NULL) {
			for (int j = 0; j < UAO_SWHASH_CLUSTER; j++) {
				if (elt->slots[j] > 0)
					uvm_swap_free(elt->slots[j], 1);
			}
			elt_remove(aobj, elt);
		}
	}
}

void
uao_detach(struct uvm_object *uobj)
{
	struct uvm_aobj *aobj = aobj_of(uobj);

	/*
	 * The list lock first: swap_off finds objects through the list and
	 * takes references under it, so the last reference must go and the
	 * object leave the list in one step.
	 */
	mutex_enter(&uao_list_lock);
	mutex_enter(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0);
	if (--uobj->uo_refs > 0) {
		mutex_exit(&uobj->vmobjlock);
		mutex_exit(&uao_list_lock);
		return;
	}
	TAILQ_REMOVE(&uao_list, aobj, u_list);
	uao_nobjs--;
	mutex_exit(&uao_list_lock);

	/* Nobody else can find the object now. */
	pages_free_range(aobj, 0, (voff_t)aobj->u_pages << PAGE_SHIFT, false);
	KASSERT(uobj->uo_npages == 0);
	slots_free_all(aobj);
	held_add(aobj, -aobj->u_held, false);   /* the pages that were in swap */
	KASSERT(aobj->u_nelts == 0);
	swtab_free(&aobj->u_sw, aobj->u_pages);
	mutex_exit(&uobj->vmobjlock);
	pool_put(&uao_pool, aobj);
}

int
uao_find_swslot(struct uvm_object *uobj, int pageidx)
{
	struct uvm_aobj *aobj = aobj_of(uobj);
	struct uao_swhash_elt *elt;

	KASSERT(mutex_owned(&uobj->vmobjlock));
	KASSERT(pageidx >= 0 && pageidx < aobj->u_pages);
	if (!size_uses_hash(aobj->u_pages))
		return aobj->u_sw.slots[pageidx];
	elt = elt_find(aobj, pageidx / UAO_SWHASH_CLUSTER);
	return elt == NULL ? 0 : elt->slots[pageidx % UAO_SWHASH_CLUSTER];
}

int
uao_swslot_at(struct uvm_object *uobj, voff_t off)
{
	KASSERT(mutex_owned(&uobj->vmobjlock));
	if (off < 0 || (off >> PAGE_SHIFT) >= (voff_t)aobj_of(uobj)->u_pages)
		return 0;
	return uao_find_swslot(uobj, (int)(off >> PAGE_SHIFT));
}

/*
 * Page pageidx's slot went from old to slot: a page that is not resident
 * holds data exactly while it has a slot.  => object locked.
 */
static void
slot_held_change(struct uvm_aobj *aobj, int pageidx, int old, int slot)
{
	if ((old == 0) == (slot == 0) ||
	    uvm_obj_page_lookup(&aobj->u_obj, (voff_t)pageidx << PAGE_SHIFT) != NULL)
		return;
	held_add(aobj, slot != 0 ? 1 : -1, false);
}

int
uao_set_swslot(struct uvm_object *uobj, int pageidx, int slot)
{
	struct uvm_aobj *aobj = aobj_of(uobj);
	struct uao_swhash_elt *elt;
	int tag = pageidx / UAO_SWHASH_CLUSTER, old;

	KASSERT(mutex_owned(&uobj->vmobjlock));
	KASSERT(pageidx >= 0 && pageidx < aobj->u_pages && slot >= 0);
	if (!size_uses_hash(aobj->u_pages)) {
		old = aobj->u_sw.slots[pageidx];
		aobj->u_sw.slots[pageidx] = slot;
		slot_held_change(aobj, pageidx, old, slot);
		return old;
	}
	elt = elt_find(aobj, tag);
	if (elt == NULL) {
		/* Clearing a slot that was never set needs no element. */
		if (slot == 0)
			return 0;
		elt = elt_create(aobj, tag);
		if (elt == NULL)
			return -ENOMEM;
	}
	old = elt->slots[pageidx % UAO_SWHASH_CLUSTER];
	elt->slots[pageidx % UAO_SWHASH_CLUSTER] = slot;
	elt->count += (slot != 0) - (old != 0);
	if (elt->count == 0)
		elt_remove(aobj, elt);
	slot_held_change(aobj, pageidx, old, slot);
	return old;
}

/*
 * Page pageidx no longer has a copy in swap: if it is resident, that page
 * is now the only copy of the data, so it must not pass for clean (the
 * page daemon would free it without writing it).  => true if resident.
 */
static bool
swap_copy_gone(struct uvm_aobj *aobj, int pageidx)
{
	struct vm_page *pg;

	pg = uvm_obj_page_lookup(&aobj->u_obj, (voff_t)pageidx << PAGE_SHIFT);
	if (pg != NULL)
		pg->flags &= ~PG_CLEAN;
	return pg != NULL;
}

/* A slot dropped without uao_set_swslot: the page is a hole unless resident. */
static void
slot_dropped(struct uvm_aobj *aobj, int pageidx)
{
	if (!swap_copy_gone(aobj, pageidx))
		held_add(aobj, -1, false);
}

void
uao_dropswap(struct uvm_object *uobj, int pageidx)
{
	int slot = uao_set_swslot(uobj, pageidx, 0);

	if (slot > 0) {
		uvm_swap_free(slot, 1);
		swap_copy_gone(aobj_of(uobj), pageidx);
	}
}

/* Drop the slots of elt's pages in [lo, hi); frees elt if none is left. */
static void
drop_cluster(struct uvm_aobj *aobj, struct uao_swhash_elt *elt, int lo, int hi)
{
	int base = elt->tag * UAO_SWHASH_CLUSTER;

	for (int j = MAX(lo - base, 0); j < MIN(hi - base, UAO_SWHASH_CLUSTER); j++) {
		if (elt->slots[j] == 0)
			continue;
		uvm_swap_free(elt->slots[j], 1);
		elt->slots[j] = 0;
		elt->count--;
		slot_dropped(aobj, base + j);
	}
	if (elt->count == 0)
		elt_remove(aobj, elt);
}

/* dropswap_range for a hashed object, pages [lo, hi). */
static void
drop_hash_range(struct uvm_aobj *aobj, int lo, int hi)
{
	int tlo = lo / UAO_SWHASH_CLUSTER, thi = (hi - 1) / UAO_SWHASH_CLUSTER;
	struct uao_swhash_elt *elt, *next;

	/* Look up each cluster of a short range; walk every element of a long one. */
	if (thi - tlo + 1 <= aobj->u_nelts) {
		for (int tag = tlo; tag <= thi; tag++) {
			if ((elt = elt_find(aobj, tag)) != NULL)
				drop_cluster(aobj, elt, lo, hi);
		}
		return;
	}
	for (int b = 0; b < aobj->u_sw.nbuckets; b++) {
		for (elt = aobj->u_sw.buckets[b]; elt != NULL; elt = next) {
			next = elt->next;
			if (elt->tag >= tlo && elt->tag <= thi)
				drop_cluster(aobj, elt, lo, hi);
		}
	}
}

void
uao_dropswap_range(struct uvm_object *uobj, voff_t start, voff_t end)
{
	struct uvm_aobj *aobj = aobj_of(uobj);
	int lo, hi;

	KASSERT(mutex_owned(&uobj->vmobjlock));
	KASSERT((start & PAGE_MASK) == 0 && (end & PAGE_MASK) == 0 && start >= 0);
	hi = aobj->u_pages;
	if (end != 0 && (end >> PAGE_SHIFT) < hi)
		hi = (int)(end >> PAGE_SHIFT);
	lo = (int)MIN(start >> PAGE_SHIFT, (voff_t)hi);
	if (lo >= hi)
		return;
	if (size_uses_hash(aobj->u_pages)) {
		drop_hash_range(aobj, lo, hi);
		return;
	}
	for (int i = lo; i < hi; i++) {
		if (aobj->u_sw.slots[i] == 0)
			continue;
		uvm_swap_free(aobj->u_sw.slots[i], 1);
		aobj->u_sw.slots[i] = 0;
		slot_dropped(aobj, i);
	}
}

/*
 * Move every element of aobj's hash into the empty bucket array of nsw
 * (buckets are picked by tag, so a new bucket count re-spreads them),
 * then free the old array and install nsw.
 */
static void
rehash(struct uvm_aobj *aobj, struct uao_swtab *nsw)
{
	struct uao_swhash_elt *elt, **head;

	for (int b = 0; b < aobj->u_sw.nbuckets; b++) {
		while ((elt = aobj->u_sw.buckets[b]) != NULL) {
			aobj->u_sw.buckets[b] = elt->next;
			head = bucket_of(nsw, elt->tag);
			elt->next = *head;
			*head = elt;
		}
	}
	swtab_free(&aobj->u_sw, aobj->u_pages);
	aobj->u_sw = *nsw;
}

/* Clusters of the array table holding at least one slot. */
static int
array_clusters_used(const struct uvm_aobj *aobj)
{
	int n = 0;

	for (int base = 0; base < aobj->u_pages; base += UAO_SWHASH_CLUSTER) {
		for (int i = base; i < MIN(base + UAO_SWHASH_CLUSTER, aobj->u_pages); i++) {
			if (aobj->u_sw.slots[i] != 0) {
				n++;
				break;
			}
		}
	}
	return n;
}

/*
 * Array -> hash for a grow to pages.  The elements are all allocated
 * before anything moves, so a failure leaves the array in place.
 */
static int
grow_convert(struct uvm_aobj *aobj, int pages)
{
	struct uao_swhash_elt *spare = NULL, *elt;
	struct uao_swtab old = aobj->u_sw, nsw;
	int need = array_clusters_used(aobj), oldpages = aobj->u_pages;

	if (swtab_alloc(pages, &nsw) != 0)
		return -ENOMEM;
	for (int i = 0; i < need; i++) {
		if ((elt = pool_get(&uao_elt_pool, PR_ZERO)) == NULL)
			goto fail;
		elt->next = spare;
		spare = elt;
	}
	/* Point of no return: the object takes the new table and size. */
	aobj->u_sw = nsw;
	aobj->u_pages = pages;
	for (int i = 0; i < oldpages; i++) {
		int tag = i / UAO_SWHASH_CLUSTER;
		if (old.slots[i] == 0)
			continue;
		if ((elt = elt_find(aobj, tag)) == NULL) {
			elt = spare;
			spare = spare->next;
			elt->tag = tag;
			elt->next = *bucket_of(&aobj->u_sw, tag);
			*bucket_of(&aobj->u_sw, tag) = elt;
			aobj->u_nelts++;
		}
		elt->slots[i % UAO_SWHASH_CLUSTER] = old.slots[i];
		elt->count++;
	}
	KASSERT(spare == NULL);
	swtab_free(&old, oldpages);
	return 0;
fail:
	while ((elt = spare) != NULL) {
		spare = elt->next;
		pool_put(&uao_elt_pool, elt);
	}
	swtab_free(&nsw, pages);
	return -ENOMEM;
}

int
uao_grow(struct uvm_object *uobj, int pages)
{
	struct uvm_aobj *aobj = aobj_of(uobj);
	struct uao_swtab nsw;

	KASSERT(mutex_owned(&uobj->vmobjlock));
	if (pages < aobj->u_pages)
		return -EINVAL;
	if (pages == aobj->u_pages)
		return 0;
	if (size_uses_hash(pages) && !size_uses_hash(aobj->u_pages))
		return grow_convert(aobj, pages);
	if (size_uses_hash(pages) && nbuckets_for(pages) == aobj->u_sw.nbuckets) {
		aobj->u_pages = pages;          /* same buckets: nothing moves */
		return 0;
	}
	if (swtab_alloc(pages, &nsw) != 0)
		return -ENOMEM;
	if (size_uses_hash(pages)) {
		rehash(aobj, &nsw);
	} else if (aobj->u_pages > 0) {
		memcpy(nsw.slots, aobj->u_sw.slots, (size_t)aobj->u_pages * sizeof(int));
		swtab_free(&aobj->u_sw, aobj->u_pages);
		aobj->u_sw = nsw;
	} else {
		aobj->u_sw = nsw;
	}
	aobj->u_pages = pages;
	return 0;
}

/* Hash -> array for a shrink to pages; every slot left is below pages. */
static void
shrink_convert(struct uvm_aobj *aobj, struct uao_swtab *nsw, int pages)
{
	struct uao_swhash_elt *elt;

	for (int b = 0; b < aobj->u_sw.nbuckets; b++) {
		while ((elt = aobj->u_sw.buckets[b]) != NULL) {
			int base = elt->tag * UAO_SWHASH_CLUSTER;
			for (int j = 0; j < UAO_SWHASH_CLUSTER; j++) {
				if (elt->slots[j] == 0)
					continue;
				KASSERT(base + j < pages);
				nsw->slots[base + j] = elt->slots[j];
			}
			elt_remove(aobj, elt);
		}
	}
	swtab_free(&aobj->u_sw, aobj->u_pages);
	aobj->u_sw = *nsw;
}

int
uao_shrink(struct uvm_object *uobj, int pages)
{
	struct uvm_aobj *aobj = aobj_of(uobj);
	struct uao_swtab nsw = { NULL, NULL, 0 };
	bool same_buckets;

	KASSERT(mutex_owned(&uobj->vmobjlock));
	if (pages < 0 || pages > aobj->u_pages)
		return -EINVAL;
	if (pages == aobj->u_pages)
		return 0;
	same_buckets = size_uses_hash(pages) &&
	    nbuckets_for(pages) == aobj->u_sw.nbuckets;
	/* Memory first: after the pages go there is no way back. */
	if (!same_buckets && swtab_alloc(pages, &nsw) != 0)
		return -ENOMEM;
	pages_free_range(aobj, (voff_t)pages << PAGE_SHIFT,
	    (voff_t)aobj->u_pages << PAGE_SHIFT, false);
	uao_dropswap_range(uobj, (voff_t)pages << PAGE_SHIFT, 0);
	if (same_buckets) {
		/* nothing moves */
	} else if (size_uses_hash(pages)) {
		rehash(aobj, &nsw);
	} else if (size_uses_hash(aobj->u_pages)) {
		shrink_convert(aobj, &nsw, pages);
	} else {
		if (pages > 0)
			memcpy(nsw.slots, aobj->u_sw.slots, (size_t)pages * sizeof(int));
		swtab_free(&aobj->u_sw, aobj->u_pages);
		aobj->u_sw = nsw;
	}
	aobj->u_pages = pages;
	return 0;
}

void
uao_set_budget(struct uvm_object *uobj, struct uao_budget *b)
{
	struct uvm_aobj *aobj = aobj_of(uobj);
	int held = aobj->u_held;

	KASSERT(mutex_owned(&uobj->vmobjlock));
	held_add(aobj, -held, false);
	aobj->u_budget = b;
	held_add(aobj, held, false);
}

int
uao_held_pages(struct uvm_object *uobj)
{
	return aobj_of(uobj)->u_held;
}

int
uao_npages(struct uvm_object *uobj)
{
	return aobj_of(uobj)->u_pages;
}

bool
uao_is_aobj(const struct uvm_object *uobj)
{
	return uobj->pgops == &aobj_pager;
}

bool
uao_uses_hash(struct uvm_object *uobj)
{
	return size_uses_hash(aobj_of(uobj)->u_pages);
}

int
uao_nclusters(struct uvm_object *uobj)
{
	return aobj_of(uobj)->u_nelts;
}

/*
 * Read page pg's data from swap slot slot (pg busy, object unlocked).
 * A failed read leaves the slot alone: the data is still there to retry,
 * or lost, for the caller to report.
 */
static int
swap_read_page(struct vm_page *pg, int slot)
{
	int error = uvm_swap_io(&pg, 1, slot, false);

	if (error == 0)
		UVMEXP_ADD(pageins, 1);
	/* Whatever went wrong (a disk error, a test area with no disk),
	 * the page cannot be had: an I/O error, SIGBUS for a fault. */
	return error == 0 ? 0 : -EIO;
}

/*
 * PGO_LOCKED: the resident, non-busy pages of the window, nothing more.
 * The caller keeps the object locked, so the pages need no busy bit.
 */
static int
get_resident(struct uvm_aobj *aobj, voff_t offset, struct vm_page **pps,
    int *npagesp, int centeridx)
{
	voff_t end = (voff_t)aobj->u_pages << PAGE_SHIFT;
	int got = 0;

	uvm_obj_page_lookup_run(&aobj->u_obj, offset, pps, *npagesp);
	for (int i = 0; i < *npagesp; i++) {
		voff_t off = offset + ((voff_t)i << PAGE_SHIFT);
		struct vm_page *pg = off >= 0 && off < end ? pps[i] : NULL;
		if (pg != NULL && (pg->flags & PG_BUSY))
			pg = NULL;      /* someone is filling it: not ours to map */
		pps[i] = pg;
		got += pg != NULL;
	}
	*npagesp = got;
	if (pps[centeridx] != NULL)
		return 0;
	offset += (voff_t)centeridx << PAGE_SHIFT;
	return offset < 0 || offset >= end ? -EINVAL : -EBUSY;
}

/*
 * Without PGO_LOCKED: bring the page at off in and return it busy:
 * resident, a fresh zero page (unless noalloc: -ENOENT; or the budget
 * is spent: -ENOSPC), or read from its swap slot.  The read
 * happens with the object unlocked (the page sits in the tree, busy, so
 * others wait for it), so the page daemon and other faults can work on
 * the object's other pages meanwhile.
 *  => object locked on entry and return (released while it sleeps).
 */
static int
get_page(struct uvm_aobj *aobj, voff_t off, bool noalloc, struct vm_page **pgp)
{
	struct vm_page *pg;
	int slot, error = 0;

	if (off < 0 || off >= (voff_t)aobj->u_pages << PAGE_SHIFT)
		return -EINVAL;
	pg = uvm_obj_page_lookup_unbusy(&aobj->u_obj, off, "uaoget");
	if (pg != NULL) {
		pg->flags |= PG_BUSY;
		*pgp = pg;
		return 0;
	}
	slot = uao_find_swslot(&aobj->u_obj, (int)(off >> PAGE_SHIFT));
	if (slot == 0 && noalloc)
		return -ENOENT;                 /* a hole, and the caller wants no page */
	if (slot == 0 && !held_add(aobj, 1, true))
		return -ENOSPC;                 /* a new page the budget has no room for */
	pg = vm_page_alloc(&aobj->u_obj, off, NULL, slot == 0 ? VM_PAGE_ZERO : 0);
	if (pg == NULL) {
		if (slot == 0)
			held_add(aobj, -1, false);
		return -ENOMEM;
	}
	uvm_obj_page_insert(&aobj->u_obj, pg, off);
	if (slot != 0) {
		mutex_exit(&aobj->u_obj.vmobjlock);
		error = swap_read_page(pg, slot);
		mutex_enter(&aobj->u_obj.vmobjlock);
	}
	if (error != 0) {
		/* The slot stays: the caller reports the error (SIGBUS). */
		uvm_obj_page_remove(&aobj->u_obj, pg);
		vm_page_unbusy(pg);
		vm_page_free(pg);
		return error;
	}
	/* Its contents are real now; read from swap it matches its slot
	 * (PG_CLEAN); a fresh zero page has no slot and counts as dirty to
	 * the page daemon anyway. */
	pg->flags &= ~PG_FAKE;
	*pgp = pg;
	return 0;
}

/*
 * pgo_get.  With PGO_LOCKED the caller holds the object lock throughout;
 * without, the caller holds nothing and the pager locks the object for
 * as long as it needs it, swap reads included.
 */
static int
uao_get(struct uvm_object *uobj, voff_t offset, int centeridx,
    struct vm_page **pps, int *npagesp, vm_prot_t access_type, int advice,
    int flags)
{
	struct uvm_aobj *aobj = aobj_of(uobj);
	struct vm_page *pg = NULL;
	int error;

	(void)access_type;      /* every aobj page may be read and written */
	(void)advice;           /* no read-ahead from swap (yet) */
	KASSERT((offset & PAGE_MASK) == 0);
	KASSERT(centeridx >= 0 && centeridx < *npagesp);
	if (flags & PGO_LOCKED) {
		KASSERT(mutex_owned(&uobj->vmobjlock));
		return get_resident(aobj, offset, pps, npagesp, centeridx);
	}
	mutex_enter(&uobj->vmobjlock);
	error = get_page(aobj, offset + ((voff_t)centeridx << PAGE_SHIFT),
	    (flags & PGO_NOALLOC) != 0, &pg);
	mutex_exit(&uobj->vmobjlock);
	for (int i = 0; i < *npagesp; i++)
		pps[i] = i == centeridx ? pg : NULL;
	if (error == 0)
		*npagesp = 1;
	return error;
}

/*
 * pgo_put.  PGO_CLEANIT does nothing: an aobj's only backing store is
 * swap, written by the page daemon (uvm_pdaemon.c).  PGO_FREE throws the range's
 * resident pages away (wired ones stay); their swap copies, if any, stay
 * too unless PGO_FREESWAP, so the next fault reads what was last written
 * to swap, or zeros.
 */
static int
uao_put(struct uvm_object *uobj, voff_t start, voff_t stop, int flags)
{
	struct uvm_aobj *aobj = aobj_of(uobj);
	voff_t end = (voff_t)aobj->u_pages << PAGE_SHIFT;

	KASSERT(mutex_owned(&uobj->vmobjlock));
	if (flags & PGO_ALLPAGES) {
		start = 0;
		stop = end;
	}
	KASSERT((start & PAGE_MASK) == 0 && (stop & PAGE_MASK) == 0 && start >= 0);
	stop = MIN(stop, end);
	if (start >= stop || (flags & PGO_FREE) == 0)
		return 0;
	pages_free_range(aobj, start, stop, true);
	if (flags & PGO_FREESWAP)
		uao_dropswap_range(uobj, start, stop);
	return 0;
}

/*
 * Make page pageidx independent of its swap slot (swap_off): read it in
 * if it is not resident, then release the slot; the page is the only copy
 * now, so it is dirty.  A busy page is being read from that very slot by
 * get_page with the object unlocked: it is left alone, slot and all (a
 * failed read must still find its slot), and swap_off walks again later.
 *  => object locked on entry and return; released during the read
 *     (get_page), with our page busy in the tree meanwhile.
 *  => 0, -EAGAIN (busy: passed by), -ENOMEM (no page: swapoff fails,
 *     nothing lost) or -EIO.
 */
static int
uao_pagein_page(struct uvm_aobj *aobj, int pageidx)
{
	voff_t off = (voff_t)pageidx << PAGE_SHIFT;
	struct vm_page *pg;
	int error, old;

	KASSERT(mutex_owned(&aobj->u_obj.vmobjlock));
	KASSERT(uao_find_swslot(&aobj->u_obj, pageidx) != 0);
	pg = uvm_obj_page_lookup(&aobj->u_obj, off);
	if (pg != NULL && (pg->flags & PG_BUSY))
		return -EAGAIN;
	if (pg == NULL) {
		if ((error = get_page(aobj, off, false, &pg)) != 0)
			return error;
		vm_page_unbusy(pg);
		vm_page_deactivate(pg);     /* unmapped: first in line to go */
	}
	old = uao_set_swslot(&aobj->u_obj, pageidx, 0);
	KASSERT(old > 0);
	uvm_swap_free(old, 1);
	pg->flags &= ~PG_CLEAN;
	return 0;
}

/*
 * The lowest page >= from whose slot is in [lo, hi), or -1.  Searching
 * afresh each time keeps the walk right even when paging in frees the
 * hash element it was looking at.
 */
static int
next_slot_in(struct uvm_aobj *aobj, int from, int lo, int hi)
{
	struct uao_swhash_elt *elt;
	int best = -1;

	if (!size_uses_hash(aobj->u_pages)) {
		for (int i = from; i < aobj->u_pages; i++) {
			if (aobj->u_sw.slots[i] >= lo && aobj->u_sw.slots[i] < hi)
				return i;
		}
		return -1;
	}
	for (int b = 0; b < aobj->u_sw.nbuckets; b++) {
		for (elt = aobj->u_sw.buckets[b]; elt != NULL; elt = elt->next) {
			for (int j = 0; j < UAO_SWHASH_CLUSTER; j++) {
				int p = elt->tag * UAO_SWHASH_CLUSTER + j;
				if (p >= from && (best < 0 || p < best) &&
				    elt->slots[j] >= lo && elt->slots[j] < hi)
					best = p;
			}
		}
	}
	return best;
}

/*
 * Page in aobj's pages with slots in [lo, hi), passing busy ones by.
 *  => 0, -EAGAIN (a busy page was passed by) or the first failure,
 *     which stops the walk.
 */
static int
pagein_range(struct uvm_aobj *aobj, int lo, int hi)
{
	int error = 0;
	bool busy = false;

	mutex_enter(&aobj->u_obj.vmobjlock);
	for (int p = next_slot_in(aobj, 0, lo, hi); p >= 0 && error == 0;
	    p = next_slot_in(aobj, p + 1, lo, hi)) {
		error = uao_pagein_page(aobj, p);
		if (error == -EAGAIN) {
			busy = true;
			error = 0;
		}
	}
	mutex_exit(&aobj->u_obj.vmobjlock);
	return error != 0 ? error : busy ? -EAGAIN : 0;
}

int
uao_swap_off(int startslot, int endslot)
{
	struct uvm_aobj *aobj, *prev = NULL;
	int error = 0;
	bool busy = false;

	KASSERT(startslot > 0 && startslot <= endslot);
	mutex_enter(&uao_list_lock);
	for (aobj = TAILQ_FIRST(&uao_list); aobj != NULL && error == 0;
	    aobj = TAILQ_NEXT(aobj, u_list)) {
		/*
		 * Our reference keeps aobj alive, and so on the list, while
		 * the list lock is dropped for the page-ins; the previous
		 * object's reference can only go now that the lock is free
		 * (detach takes it).
		 */
		mutex_enter(&aobj->u_obj.vmobjlock);
		aobj->u_obj.uo_refs++;
		mutex_exit(&aobj->u_obj.vmobjlock);
		mutex_exit(&uao_list_lock);
		if (prev != NULL)
			uao_detach(&prev->u_obj);
		prev = aobj;
		error = pagein_range(aobj, startslot, endslot);
		if (error == -EAGAIN) {
			busy = true;
			error = 0;
		}
		mutex_enter(&uao_list_lock);
	}
	mutex_exit(&uao_list_lock);
	if (prev != NULL)
		uao_detach(&prev->u_obj);
	return error != 0 ? error : busy ? -EAGAIN : 0;
}

uint64_t
uao_count(void)
{
	return uao_nobjs;
}

/* One recorded slot: positive and allocated in the swap layer. */
static int
check_slot(const struct uvm_aobj *aobj, int pageidx, int slot, kprint_fn pr)
{
	if (slot == 0 || (slot > 0 && uvm_swap_slot_inuse(slot)))
		return 0;
	pr("uao_check: aobj %p: page %d has slot %d, %s\n", (const void *)aobj,
	    pageidx, slot, slot < 0 ? "negative" : "not allocated in swap");
	return 1;
}

static int
check_array(const struct uvm_aobj *aobj, kprint_fn pr)
{
	int problems = 0;

	if ((aobj->u_sw.slots == NULL) != (aobj->u_pages == 0) ||
	    aobj->u_sw.buckets != NULL || aobj->u_nelts != 0) {
		pr("uao_check: aobj %p: %d pages but array %p, buckets %p, %d "
		    "elements\n", (const void *)aobj, aobj->u_pages,
		    (void *)aobj->u_sw.slots, (void *)aobj->u_sw.buckets, aobj->u_nelts);
		return 1;
	}
	for (int i = 0; i < aobj->u_pages; i++)
		problems += check_slot(aobj, i, aobj->u_sw.slots[i], pr);
	return problems;
}

/* One hash element found in bucket b. */
static int
check_elt(const struct uvm_aobj *aobj, const struct uao_swhash_elt *elt, int b,
    kprint_fn pr)
{
	int base = elt->tag * UAO_SWHASH_CLUSTER, used = 0, problems = 0;

	for (int j = 0; j < UAO_SWHASH_CLUSTER; j++) {
		if (elt->slots[j] == 0)
			continue;
		used++;
		problems += check_slot(aobj, base + j, elt->slots[j], pr);
		if (base + j >= aobj->u_pages) {
			pr("uao_check: aobj %p: slot for page %d past its %d pages\n",
			    (const void *)aobj, base + j, aobj->u_pages);
			problems++;
		}
	}
	if (elt->count != used || used == 0 || elt->tag < 0 ||
	    (elt->tag & (aobj->u_sw.nbuckets - 1)) != b) {
		pr("uao_check: aobj %p: element tag %d in bucket %d counts %d, "
		    "holds %d slots\n", (const void *)aobj, elt->tag, b, elt->count, used);
		problems++;
	}
	for (const struct uao_swhash_elt *o = elt->next; o != NULL; o = o->next) {
		if (o->tag == elt->tag) {
			pr("uao_check: aobj %p: tag %d twice\n", (const void *)aobj, elt->tag);
			problems++;
		}
	}
	return problems;
}

static int
check_hash(const struct uvm_aobj *aobj, kprint_fn pr)
{
	int problems = 0, nelts = 0;

	if (aobj->u_sw.slots != NULL || aobj->u_sw.buckets == NULL ||
	    aobj->u_sw.nbuckets != nbuckets_for(aobj->u_pages)) {
		pr("uao_check: aobj %p: %d pages but array %p, %d buckets at %p\n",
		    (const void *)aobj, aobj->u_pages, (void *)aobj->u_sw.slots,
		    aobj->u_sw.nbuckets, (void *)aobj->u_sw.buckets);
		return 1;
	}
	for (int b = 0; b < aobj->u_sw.nbuckets; b++) {
		const struct uao_swhash_elt *elt;
		for (elt = aobj->u_sw.buckets[b]; elt != NULL; elt = elt->next) {
			/* A chain longer than the element count must loop. */
			if (++nelts > aobj->u_nelts)
				break;
			problems += check_elt(aobj, elt, b, pr);
		}
	}
	if (nelts != aobj->u_nelts) {
		pr("uao_check: aobj %p: %s%d elements in the buckets, u_nelts %d\n",
		    (const void *)aobj, nelts > aobj->u_nelts ? "over " : "",
		    MIN(nelts, aobj->u_nelts), aobj->u_nelts);
		problems++;
	}
	return problems;
}

/* Slot-table visitor of check_held: count a page in swap that is not resident. */
static int
held_in_swap_only(struct uvm_aobj *aobj, int pageidx, int slot)
{
	return slot != 0 && uvm_obj_page_lookup(&aobj->u_obj,
	    (voff_t)pageidx << PAGE_SHIFT) == NULL;
}

/* u_held against the resident pages and the slots of the others. */
static int
check_held(struct uvm_aobj *aobj, kprint_fn pr)
{
	const struct uao_swhash_elt *elt;
	int held = (int)aobj->u_obj.uo_npages;

	for (int i = 0; aobj->u_sw.slots != NULL && i < aobj->u_pages; i++)
		held += held_in_swap_only(aobj, i, aobj->u_sw.slots[i]);
	for (int b = 0; b < aobj->u_sw.nbuckets; b++) {
		for (elt = aobj->u_sw.buckets[b]; elt != NULL; elt = elt->next) {
			for (int j = 0; j < UAO_SWHASH_CLUSTER; j++)
				held += held_in_swap_only(aobj,
				    elt->tag * UAO_SWHASH_CLUSTER + j, elt->slots[j]);
		}
	}
	if (held == aobj->u_held)
		return 0;
	pr("uao_check: aobj %p: %d pages hold data, the count says %d\n",
	    (void *)aobj, held, aobj->u_held);
	return 1;
}

int
uao_check(struct uvm_object *uobj, kprint_fn pr)
{
	struct uvm_aobj *aobj;
	struct rb_node *last;
	int problems;

	if (uobj->pgops != &aobj_pager) {
		pr("uao_check: object %p is not an aobj\n", (void *)uobj);
		return 1;
	}
	aobj = aobj_of(uobj);
	problems = uvm_obj_check(uobj, pr);
	/* Only a sound tree may be searched for its last page. */
	last = problems == 0 ? rb_tree_last(&uobj->rb_pages) : NULL;
	if (aobj->u_pages < 0 || uobj->uo_refs <= 0) {
		pr("uao_check: aobj %p: %d pages, %d references\n", (void *)aobj,
		    aobj->u_pages, uobj->uo_refs);
		return problems + 1;
	}
	problems += size_uses_hash(aobj->u_pages) ? check_hash(aobj, pr) :
	    check_array(aobj, pr);
	if (problems == 0)
		problems += check_held(aobj, pr);
	if (last != NULL && container_of(last, struct vm_page, objt)->offset >=
	    (voff_t)aobj->u_pages << PAGE_SHIFT) {
		pr("uao_check: aobj %p: a page lies past its %d pages\n",
		    (void *)aobj, aobj->u_pages);
		problems++;
	}
	return problems;
}

/* vm_page_foreach callback: count pages naming each checked aobj as owner. */
static void
count_owned(struct vm_page *pg, void *arg)
{
	struct uvm_aobj *aobj;

	(void)arg;
	if (pg->uobject == NULL || (pg->pqflags & PQ_FREE))
		return;
	TAILQ_FOREACH(aobj, &uao_list, u_list) {
		if (pg->uobject == &aobj->u_obj && aobj->u_seen >= 0)
			aobj->u_seen++;
	}
}

static int
check_owned_count(const struct uvm_aobj *aobj, kprint_fn pr)
{
	if ((size_t)aobj->u_seen == aobj->u_obj.uo_npages)
		return 0;
	pr("uao_check_all: aobj %p: %d pages name it their owner, %zu are in "
	    "its tree\n", (const void *)aobj, aobj->u_seen, aobj->u_obj.uo_npages);
	return 1;
}

/*
 * Every aobj; then, with one pass over all pages, that no page claims a
 * live aobj without being in its tree (uvm_obj_check already showed the
 * pages in the tree claim it), and that the aobjs do not hold more slots
 * than the swap layer has handed out.
 */
int
uao_check_all(kprint_fn pr)
{
	struct uvm_aobj *aobj;
	uint64_t n = 0;
	int problems = 0;

	/*
	 * Checkers run when nothing should be in flight, so an object lock
	 * already held (say, by a test that failed half-way) is reported,
	 * not waited for, and that object is left alone (u_seen -1).
	 */
	if (!mutex_tryenter(&uao_list_lock)) {
		pr("uao_check_all: the aobj list is locked\n");
		return 1;
	}
	TAILQ_FOREACH(aobj, &uao_list, u_list) {
		n++;
		aobj->u_seen = -1;
		if (!mutex_tryenter(&aobj->u_obj.vmobjlock)) {
			pr("uao_check_all: aobj %p is locked: not checked\n", (void *)aobj);
			problems++;
			continue;
		}
		problems += uao_check(&aobj->u_obj, pr);
		aobj->u_seen = 0;
	}
	if (n != uao_nobjs) {
		pr("uao_check_all: %lu aobjs on the list, count says %lu\n", n, uao_nobjs);
		problems++;
	}
	if (n > 0)
		vm_page_foreach(count_owned, NULL);
	TAILQ_FOREACH(aobj, &uao_list, u_list) {
		if (aobj->u_seen < 0)
			continue;
		problems += check_owned_count(aobj, pr);
		mutex_exit(&aobj->u_obj.vmobjlock);
	}
	mutex_exit(&uao_list_lock);
	return problems;
}

/* Print the non-zero slots of pages [base, base + n) from slots[]. */
static void
print_slots(const int *slots, int base, int n, kprint_fn pr)
{
	for (int j = 0; j < n; j++) {
		if (slots[j] != 0)
			pr("  page %d -> slot %d\n", base + j, slots[j]);
	}
}

void
uao_print(struct uvm_object *uobj, kprint_fn pr)
{
	struct uvm_aobj *aobj = aobj_of(uobj);
	const struct uao_swhash_elt *elt;

	if (size_uses_hash(aobj->u_pages))
		pr("aobj %p: %d pages, hash of %d buckets, %d clusters with slots, "
		    "%d pages hold data\n", (void *)aobj, aobj->u_pages,
		    aobj->u_sw.nbuckets, aobj->u_nelts, aobj->u_held);
	else
		pr("aobj %p: %d pages, slot array, %d pages hold data\n",
		    (void *)aobj, aobj->u_pages, aobj->u_held);
	if (!size_uses_hash(aobj->u_pages) && aobj->u_sw.slots != NULL)
		print_slots(aobj->u_sw.slots, 0, aobj->u_pages, pr);
	for (int b = 0; b < aobj->u_sw.nbuckets; b++) {
		for (elt = aobj->u_sw.buckets[b]; elt != NULL; elt = elt->next) {
			pr(" bucket %d: cluster %d (pages %d-%d), %d slots\n", b,
			    elt->tag, elt->tag * UAO_SWHASH_CLUSTER,
			    elt->tag * UAO_SWHASH_CLUSTER + UAO_SWHASH_CLUSTER - 1,
			    elt->count);
			print_slots(elt->slots, elt->tag * UAO_SWHASH_CLUSTER,
			    UAO_SWHASH_CLUSTER, pr);
		}
	}
	uvm_obj_print(uobj, pr);
}
