/*
 * uvm/uvm_snapshot.c - the textbook picture of one process's VM, as text.
 *
 * A figure of UVM has four layers: the map's entries on the address line
 * (with gaps between them), each entry's amap (the upper layer: slots
 * holding anons), the pages (each anon's, each object's resident ones,
 * with the page-table entries that map them: the PV list), and the
 * objects below (aobj, file, memobj).  The snapshot writes exactly that,
 * one record a line, "kind key=value ...", numbers in hex without 0x,
 * identities as kernel addresses (numbers to compare, never to follow):
 *
 *   uvm pid=7 pmap=ffff80000123f000 entries=5 min=1000 max=7ffffffff000 ftseq=212
 *   entry start=7fff8000 end=7fff9000 prot=rw- maxprot=rwx inherit=copy
 *         flags=cow,needscopy wired=0 amap=ffff800000301000 pageoff=0 obj=0 off=0
 *   amap id=ffff800000301000 ref=2 nslot=1 nused=1 shared=0 ppref=none
 *   slot amap=ffff800000301000 idx=0 anon=ffff800000400040
 *   anon id=ffff800000400040 ref=1 swslot=0 page=2a5000
 *   page pa=2a5000 owner=anon:ffff800000400040 off=0 flags=dirty attrs=-
 *        nmap=1 maps=ffff80000123f000@7fff8000/rAD
 *   object id=... pager=aobj refs=2 npages=1
 *   fault seq=210 va=7fff8000 access=w case=1B restarts=0 error=0
 *   end
 *
 * (An entry and a page are one line each; they are wrapped here.)  An
 * amap, anon, object or page shared by two entries of the map is written
 * at its first entry only; a reader joins the lines by id.  Two
 * processes' snapshots taken together (a parent and its child after
 * fork) share ids where they share structures: the same amap (ref 2,
 * both entries needs-copy), the same anon, one page with two mappings.
 *
 *   flags   cow: copy-on-write entry (writes go to anons); needscopy: the
 *           amap is still shared and must be copied at the first write;
 *           obj: an object below; wired.
 *   ppref   none (every reference covers the whole amap), unalloc
 *           (wanted, not allocated), or runs "ref*len,..." over the slots.
 *   maps    pmap@va/bits per mapping: r, w (PTE writable), A and D (the
 *           accessed and dirty bits the CPU set).  attrs: A/D folded from
 *           mappings already gone.
 *   fault   the page faults of this process still in the fault trace
 *           (uvm_ftrace.c, the last FTRACE_N of all processes), with the
 *           case the handler took: a reader shows those with seq above
 *           its previous snapshot's ftseq.
 *
 * Invariants: every amap= and anon= named is described before the end;
 * every page line names its owner; pages listed per entry are at most
 * SNAP_PAGES (the rest is counted in "morepages").
 *
 * Locks: the map lock for the whole walk (so the picture is one moment
 * of this map), under it one amap lock or one object lock at a time, and
 * under that a page's PV lock (pmap_page_mappings) - the fault handler's order.
 */
#include "kern/core/cmdline.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_ftrace.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_snapshot.h"

KOPT(uvmsnap, "uvmsnap",
    "1: programs calling uvmsnap() (user/snapshot.h) print /proc/PID/uvm for tools/draw/");

#define SNAP_PAGES 256          /* object pages listed per entry */
#define SNAP_MAPS 8             /* mappings listed per page */
#define SNAP_TAIL 16            /* room kept for "truncated\n" */

struct snapbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool full;
};

static void __printflike(2, 3)
sb_printf(struct snapbuf *sb, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (sb->full)
		return;
	room = sb->cap - sb->len - SNAP_TAIL;
	va_start(ap, fmt);
	n = kvsnprintf(sb->buf + sb->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		sb->full = true;        /* cut back to the last whole line */
		while (sb->len > 0 && sb->buf[sb->len - 1] != '\n')
			sb->len--;
		return;
	}
	sb->len += (size_t)n;
}

/* "rwx" with dashes. */
static const char *
snap_prot(vm_prot_t p, char *s)
{
	s[0] = (p & VM_PROT_READ) ? 'r' : '-';
	s[1] = (p & VM_PROT_WRITE) ? 'w' : '-';
	s[2] = (p & VM_PROT_EXECUTE) ? 'x' : '-';
	s[3] = '\0';
	return s;
}

static const char *
snap_inherit(int inh)
{
	static const char *const names[] = { "share", "copy", "none", "zero" };

	return inh >= 0 && inh <= MAP_INHERIT_ZERO ? names[inh] : "?";
}

/* The PTE bits of one mapping: r, w, A, D. */
static const char *
snap_pte(uint64_t pte, char *s)
{
	int n = 0;

	if (pte & PG_V) {
		s[n++] = 'r';
		if (pte & PG_RW)
			s[n++] = 'w';
		if (pte & PG_A)
			s[n++] = 'A';
		if (pte & PG_M)
			s[n++] = 'D';
	} else {
		s[n++] = '-';
	}
	s[n] = '\0';
	return s;
}

/* One page line.  => its owner (amap or object) locked. */
static void
snap_page(struct snapbuf *sb, struct vm_page *pg, const char *okind,
    const void *owner)
{
	struct pmap_mapping m[SNAP_MAPS];
	uint16_t attrs;
	uint32_t n = pmap_page_mappings(pg, m, SNAP_MAPS, &attrs);
	char bits[8];

	sb_printf(sb, "page pa=%lx owner=%s:%lx off=%lx flags=%s%s attrs=%s%s%s nmap=%u maps=",
	    (uint64_t)pg->phys_addr, okind, (uint64_t)owner, (uint64_t)pg->offset,
	    (pg->flags & PG_CLEAN) ? "clean" : "dirty", (pg->flags & PG_BUSY) ? ",busy" : "",
	    (attrs & PMAP_ATTR_REF) ? "A" : "", (attrs & PMAP_ATTR_MOD) ? "D" : "",
	    attrs == 0 ? "-" : "", n);
	for (uint32_t i = 0; i < n && i < SNAP_MAPS; i++)
		sb_printf(sb, "%s%lx@%lx/%s", i > 0 ? "," : "", (uint64_t)m[i].pm,
		    (uint64_t)m[i].va, snap_pte(m[i].pte, bits));
	sb_printf(sb, "%s\n", n == 0 ? "-" : "");
}

/* The amap's per-page reference counts as runs.  => amap locked. */
static void
snap_ppref(struct snapbuf *sb, const struct vm_amap *amap)
{
	int ref, len;

	if (amap->am_ppref == NULL) {
		sb_printf(sb, "none");
		return;
	}
	if (amap->am_ppref == PPREF_NONE) {
		sb_printf(sb, "unalloc");
		return;
	}
	for (int s = 0; s < amap->am_nslot; s += len) {
		amap_pp_getreflen(amap->am_ppref, s, &ref, &len);
		sb_printf(sb, "%s%d*%d", s > 0 ? "," : "", ref, len);
	}
}

/* The amap, its used slots, their anons and pages. */
static void
snap_amap(struct snapbuf *sb, struct vm_amap *amap)
{
	mutex_enter(amap->am_lock);
	sb_printf(sb, "amap id=%lx ref=%d nslot=%d nused=%d shared=%d ppref=",
	    (uint64_t)amap, amap->am_ref, amap->am_nslot, amap->am_nused,
	    (amap->am_flags & AMAP_SHARED) != 0);
	snap_ppref(sb, amap);
	sb_printf(sb, "\n");
	for (int s = 0; s < amap->am_nslot; s++) {
		struct vm_anon *anon = amap->am_anon[s];

		if (anon == NULL)
			continue;
		sb_printf(sb, "slot amap=%lx idx=%d anon=%lx\n", (uint64_t)amap, s,
		    (uint64_t)anon);
		sb_printf(sb, "anon id=%lx ref=%d swslot=%d page=%lx\n", (uint64_t)anon,
		    anon->an_ref, anon->an_swslot,
		    anon->an_page != NULL ? (uint64_t)anon->an_page->phys_addr : 0);
		if (anon->an_page != NULL)
			snap_page(sb, anon->an_page, "anon", anon);
	}
	mutex_exit(amap->am_lock);
}

/* The object and (first time) its line; its resident pages in e. */
static void
snap_object(struct snapbuf *sb, const struct vm_map_entry *e, bool first)
{
	struct uvm_object *uobj = e->object;
	voff_t end = e->offset + (e->end - e->start);
	int listed = 0, more = 0;

	mutex_enter(&uobj->vmobjlock);
	if (first)
		sb_printf(sb, "object id=%lx pager=%s refs=%d npages=%lu\n", (uint64_t)uobj,
		    uobj->pgops->pgo_name != NULL ? uobj->pgops->pgo_name : "?",
		    uobj->uo_refs, (uint64_t)uobj->uo_npages);
	for (struct vm_page *pg = uvm_obj_page_first(uobj); pg != NULL;
	    pg = uvm_obj_page_next(uobj, pg)) {
		if (pg->offset < e->offset || pg->offset >= end)
			continue;
		if (listed++ < SNAP_PAGES)
			snap_page(sb, pg, "obj", uobj);
		else
			more++;
	}
	mutex_exit(&uobj->vmobjlock);
	if (more > 0)
		sb_printf(sb, "morepages obj=%lx entry=%lx count=%d\n", (uint64_t)uobj,
		    (uint64_t)e->start, more);
}

/* Has an entry before e in map the same amap (or object)? */
static bool
snap_seen(const struct vm_map *map, const struct vm_map_entry *e, bool amap)
{
	for (const struct vm_map_entry *x = map->header.next; x != e; x = x->next) {
		if (amap ? x->aref.ar_amap == e->aref.ar_amap : x->object == e->object)
			return true;
	}
	return false;
}

/* The entry's flags: "cow,needscopy,obj,wired" or "-". */
static const char *
snap_eflags(const struct vm_map_entry *e, char *s, size_t len)
{
	ksnprintf(s, len, "%s%s%s%s", (e->etype & UVM_ET_COPYONWRITE) ? ",cow" : "",
	    (e->etype & UVM_ET_NEEDSCOPY) ? ",needscopy" : "",
	    (e->etype & UVM_ET_OBJ) ? ",obj" : "", e->wired_count > 0 ? ",wired" : "");
	return s[0] != '\0' ? s + 1 : "-";
}

static void
snap_entry(struct snapbuf *sb, const struct vm_map *map, const struct vm_map_entry *e)
{
	char p[4], mp[4], fl[32];

	sb_printf(sb, "entry start=%lx end=%lx prot=%s maxprot=%s inherit=%s flags=%s "
	    "wired=%d amap=%lx pageoff=%x obj=%lx off=%lx\n", (uint64_t)e->start,
	    (uint64_t)e->end, snap_prot(e->protection, p), snap_prot(e->max_protection, mp),
	    snap_inherit(e->inheritance), snap_eflags(e, fl, sizeof(fl)), e->wired_count,
	    (uint64_t)e->aref.ar_amap, (unsigned)e->aref.ar_pageoff,
	    (uint64_t)e->object, (uint64_t)e->offset);
	if (e->aref.ar_amap != NULL && !snap_seen(map, e, true))
		snap_amap(sb, e->aref.ar_amap);
	if (e->object != NULL)
		snap_object(sb, e, !snap_seen(map, e, false));
}

/* The faults of pid still in the trace ring, oldest first. */
static void
snap_faults(struct snapbuf *sb, int pid, uint64_t last)
{
	for (uint64_t s = last > FTRACE_N ? last - FTRACE_N + 1 : 1; s <= last; s++) {
		const struct ftrace_rec *r = &uvm_ftrace.rec[s % FTRACE_N];

		if (r->seq != s || r->pid != pid)
			continue;       /* overwritten meanwhile, or another's */
		sb_printf(sb, "fault seq=%lu va=%lx access=%c case=%s restarts=%u error=%d\n",
		    r->seq, (uint64_t)r->va, (r->access & VM_PROT_WRITE) ? 'w' :
		    (r->access & VM_PROT_EXECUTE) ? 'x' : 'r',
		    uvm_ftrace_case_name(r->fcase), (unsigned)r->restarts, (int)r->error);
	}
}

size_t
uvm_snapshot(struct vmspace *vm, int pid, char *buf, size_t cap)
{
	struct snapbuf sb = { buf, 0, cap, false };
	struct vm_map *map = &vm->vm_map;
	uint64_t last = uvm_ftrace.seq;

	if (cap <= SNAP_TAIL)
		return 0;
	vm_map_lock_read(map);
	sb_printf(&sb, "uvm pid=%d pmap=%lx entries=%d min=%lx max=%lx ftseq=%lu\n", pid,
	    (uint64_t)map->pmap, map->nentries, (uint64_t)map->min_offset,
	    (uint64_t)map->max_offset, last);
	for (const struct vm_map_entry *e = map->header.next; e != &map->header; e = e->next)
		snap_entry(&sb, map, e);
	vm_map_unlock(map);
	snap_faults(&sb, pid, last);
	sb.len += (size_t)ksnprintf(sb.buf + sb.len, cap - sb.len, "%s\n",
	    sb.full ? "truncated" : "end");
	return sb.len;
}
