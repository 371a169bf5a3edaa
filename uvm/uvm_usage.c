/*
 * uvm/uvm_usage.c - counting an entry's resident, shared and swapped
 * pages (see uvm_usage.h).
 *
 * One pass over the entry's pages: the amap slot first (an anon is the
 * page, whatever lies below it), then the object, whose page counts only
 * if the map's pmap maps it at that address (pmap_pte_lookup).  Both locks are held
 * for the whole entry, amap before object as the lock order says; the
 * map lock the caller holds keeps the entry itself still.
 */
#include "uvm/uvm_usage.h"
#include "kern/core/mutex.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_swap.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"

/* Add one resident page to the clean/dirty, shared/private columns. */
static void
usage_page(struct uvm_usage *u, uint64_t sharers, bool dirty, bool referenced)
{
	uint64_t share = PAGE_SIZE / sharers;

	u->rss += PAGE_SIZE;
	u->pss += share;
	if (dirty)
		u->pss_dirty += share;
	if (sharers > 1)
		*(dirty ? &u->shared_dirty : &u->shared_clean) += PAGE_SIZE;
	else
		*(dirty ? &u->private_dirty : &u->private_clean) += PAGE_SIZE;
	if (referenced)
		u->referenced += PAGE_SIZE;
}

/*
 * The object page at entry offset off, mapped at va, counted into *u if
 * pm maps it there: its sharers are its mappings (PV entries).  Not
 * resident but in an aobj's swap: swap (past the aobj's end: nothing, a
 * shared mapping may reach there).
 */
static void
usage_obj_page(struct pmap *pm, vaddr_t va, struct uvm_object *uobj,
    voff_t off, struct uvm_usage *u)
{
	struct vm_page *pg = uvm_obj_page_lookup(uobj, off);
	bool shmem = uobj->pgops == &aobj_pager;
	uint64_t pte, sharers;

	if (pg == NULL) {
		if (shmem && uao_swslot_at(uobj, off) != 0) {
			u->swap += PAGE_SIZE;
			u->swap_pss += PAGE_SIZE;
		}
		return;
	}
	pte = pmap_pte_lookup(pm, va);
	if (!(pte & PG_V) || (pte & PG_FRAME) != pg->phys_addr)
		return;                 /* resident, but not mapped here */
	sharers = MAX(pmap_page_mapcount(pg), 1U);
	usage_page(u, sharers, (pte & PG_M) || !(pg->flags & PG_CLEAN),
	    pmap_is_referenced(pg));
	*(shmem ? &u->pss_shmem : &u->pss_file) += PAGE_SIZE / sharers;
	if (shmem)
		u->shmem += PAGE_SIZE;
}

/*
 * An anon's page counted into *u: resident or in swap.  Its sharers are
 * the amap slots pointing at it (an_ref) times the entries holding the
 * amap (am_ref: after a fork parent and child hold one amap until either
 * writes) - exact unless the amap is held only in parts (am_ppref).  It
 * counts whether or not this process's PTE maps it yet (a forked child
 * gets its PTEs as it faults).
 */
static void
usage_anon(struct vm_anon *anon, const struct vm_amap *amap, struct uvm_usage *u)
{
	uint64_t sharers = (uint64_t)anon->an_ref * (uint64_t)MAX(amap->am_ref, 1);

	if (anon->an_page != NULL) {
		usage_page(u, sharers, true, pmap_is_referenced(anon->an_page));
		u->anon += PAGE_SIZE;
		u->pss_anon += PAGE_SIZE / sharers;
		if (sharers > 1)
			u->anon_shared += PAGE_SIZE;
	} else if (anon->an_swslot != 0) {
		u->swap += PAGE_SIZE;
		u->swap_pss += PAGE_SIZE / sharers;
	}
}

void
uvm_usage_entry(struct vm_map *map, const struct vm_map_entry *e,
    struct uvm_usage *u)
{
	struct vm_amap *amap = e->aref.ar_amap;
	struct uvm_object *uobj = e->object;
	uint64_t rss_before = u->rss;

	u->size += e->end - e->start;
	if (amap != NULL)
		mutex_enter(amap->am_lock);
	if (uobj != NULL)
		mutex_enter(&uobj->vmobjlock);
	for (vaddr_t off = 0; off < e->end - e->start; off += PAGE_SIZE) {
		struct vm_anon *anon = amap != NULL ? amap_lookup(&e->aref, off) : NULL;
		if (anon != NULL)
			usage_anon(anon, amap, u);
		else if (uobj != NULL)
			usage_obj_page(map->pmap, e->start + off, uobj,
			    e->offset + (voff_t)off, u);
	}
	if (uobj != NULL)
		mutex_exit(&uobj->vmobjlock);
	if (amap != NULL)
		mutex_exit(amap->am_lock);
	u->anon_huge += uvm_usage_huge(map->pmap, e->start, e->end);
	if (e->wired_count > 0) {
		u->locked += u->rss - rss_before;
		u->locked_size += e->end - e->start;
	}
}

uint64_t
uvm_usage_huge(struct pmap *pm, vaddr_t start, vaddr_t end)
{
	uint64_t bytes = 0;

	for (vaddr_t va = start; va < end; va = ROUND_DOWN(va, NBPD_L2) + NBPD_L2) {
		uint64_t leaf = pmap_pte_lookup(pm, va);
		if ((leaf & (PG_V | PG_PS)) == (PG_V | PG_PS))
			bytes += MIN(end, ROUND_DOWN(va, NBPD_L2) + NBPD_L2) - va;
	}
	return bytes;
}

uint64_t
uvm_usage_huge_map(struct vm_map *map)
{
	uint64_t bytes = 0;

	vm_map_lock_read(map);
	for (struct vm_map_entry *e = map->header.next; e != &map->header; e = e->next)
		bytes += uvm_usage_huge(map->pmap, e->start, e->end);
	vm_map_unlock(map);
	return bytes;
}

void
uvm_usage_map(struct vm_map *map, struct uvm_usage *u)
{
	memset(u, 0, sizeof(*u));
	vm_map_lock(map);
	for (struct vm_map_entry *e = map->header.next; e != &map->header; e = e->next)
		uvm_usage_entry(map, e, u);
	vm_map_unlock(map);
}

/* Is the page at entry offset off of e resident?  => amap and object locked. */
static bool
mincore_page(const struct vm_map_entry *e, vaddr_t off)
{
	struct vm_anon *anon = e->aref.ar_amap != NULL ?
	    amap_lookup(&e->aref, off) : NULL;

	if (anon != NULL)
		return anon->an_page != NULL;
	return e->object != NULL &&
	    uvm_obj_page_lookup(e->object, e->offset + (voff_t)off) != NULL;
}

int
uvm_usage_mincore(struct vm_map *map, vaddr_t start, vaddr_t end, uint8_t *vec)
{
	struct vm_map_entry *e;
	vaddr_t va = start;

	vm_map_lock(map);
	while (va < end) {
		if (!uvm_map_lookup_entry(map, va, &e))
			break;
		if (e->aref.ar_amap != NULL)
			mutex_enter(e->aref.ar_amap->am_lock);
		if (e->object != NULL)
			mutex_enter(&e->object->vmobjlock);
		for (; va < end && va < e->end; va += PAGE_SIZE)
			vec[(va - start) >> PAGE_SHIFT] = mincore_page(e, va - e->start);
		if (e->object != NULL)
			mutex_exit(&e->object->vmobjlock);
		if (e->aref.ar_amap != NULL)
			mutex_exit(e->aref.ar_amap->am_lock);
	}
	vm_map_unlock(map);
	return va < end ? -ENOMEM : 0;
}

/* ---- /proc/meminfo: every page by owner ---- */

static void
meminfo_page(struct vm_page *pg, void *arg)
{
	struct uvm_meminfo *mi = arg;
	struct uvm_object *uobj = pg->uobject;

	if (pg->uanon != NULL) {
		mi->anon++;
		return;
	}
	if (uobj == NULL)
		return;
	mi->cached++;
	if (uobj->pgops == &aobj_pager)
		mi->shmem++;
	if (!(pg->flags & PG_CLEAN))
		mi->dirty++;
	if (pg->md.pv_list != NULL)
		mi->mapped++;
	else if ((pg->flags & PG_CLEAN) && pg->wire_count == 0 &&
	    uobj->pgops != &aobj_pager)
		mi->available++;        /* the page daemon frees it without I/O */
}

void
uvm_usage_meminfo(struct uvm_meminfo *mi)
{
	memset(mi, 0, sizeof(*mi));
	vm_page_foreach(meminfo_page, mi);
	mi->total = uvmexp.npages - uvmexp.reserved;
	mi->free = uvmexp.free;
	mi->available += mi->free;
	mi->active = uvmexp.active;
	mi->inactive = uvmexp.inactive;
	mi->wired = uvmexp.wired;
	mi->swap_total = uvm_swap_stats.nslots;
	mi->swap_free = uvm_swap_stats.nslots - uvm_swap_stats.inuse;
}
