/*
 * uvm/uvm_usage.c - counting an entry's resident, shared and swapped
 * pages (see uvm_usage.h).
 *
 * One pass over the entry's pages: the amap slot first (an anon is the
 * page, whatever lies below it), then the object.  Both locks are held
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

/* The page at entry offset off through the object, counted into *u. */
static void
usage_obj_page(struct uvm_object *uobj, voff_t off, struct uvm_usage *u)
{
	if (uvm_obj_page_lookup(uobj, off) != NULL) {
		u->rss += PAGE_SIZE;
		u->pss += PAGE_SIZE;
	} else if (uobj->pgops == &aobj_pager &&
	    uao_find_swslot(uobj, (int)(off / PAGE_SIZE)) != 0) {
		u->swap += PAGE_SIZE;
	}
}

/*
 * An anon's page counted into *u: resident or in swap.  Its sharers are
 * the amap slots pointing at it (an_ref) times the entries holding the
 * amap (am_ref: after a fork parent and child hold one amap until either
 * writes) - exact unless the amap is held only in parts (am_ppref).
 */
static void
usage_anon(const struct vm_anon *anon, const struct vm_amap *amap, struct uvm_usage *u)
{
	uint64_t sharers = (uint64_t)anon->an_ref * (uint64_t)MAX(amap->am_ref, 1);

	if (anon->an_page != NULL) {
		u->rss += PAGE_SIZE;
		u->anon += PAGE_SIZE;
		u->pss += PAGE_SIZE / sharers;
		if (sharers > 1)
			u->anon_shared += PAGE_SIZE;
	} else if (anon->an_swslot != 0) {
		u->swap += PAGE_SIZE;
	}
}

void
uvm_usage_entry(const struct vm_map_entry *e, struct uvm_usage *u)
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
			usage_obj_page(uobj, e->offset + (voff_t)off, u);
	}
	if (uobj != NULL)
		mutex_exit(&uobj->vmobjlock);
	if (amap != NULL)
		mutex_exit(amap->am_lock);
	if (e->wired_count > 0) {
		u->locked += u->rss - rss_before;
		u->locked_size += e->end - e->start;
	}
}

void
uvm_usage_map(struct vm_map *map, struct uvm_usage *u)
{
	memset(u, 0, sizeof(*u));
	mutex_enter(&map->lock);
	for (struct vm_map_entry *e = map->header.next; e != &map->header; e = e->next)
		uvm_usage_entry(e, u);
	mutex_exit(&map->lock);
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

	mutex_enter(&map->lock);
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
	mutex_exit(&map->lock);
	return va < end ? -ENOMEM : 0;
}
