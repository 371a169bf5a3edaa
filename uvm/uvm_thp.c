/*
 * uvm/uvm_thp.c - 2 MiB pages for private anonymous memory ("transparent
 * huge pages"; FreeBSD calls its kind superpages).
 *
 * A TLB entry maps 4 KiB, or 2 MiB when a PD entry maps a page directly
 * (PG_PS).  A program that touches 64 MiB takes 16,384 TLB entries and
 * 16,384 zero-fill faults with small pages, 32 of each with large ones.
 * NetBSD's UVM never had them; here the VM layers above the pmap keep
 * their per-page view and only two things change:
 *
 *   1. where pages come from.  The first fault in an eligible 2 MiB
 *      range takes a whole 2 MiB-aligned physical run from the page
 *      allocator (vm_page_alloc_large: a frame whose 512 pages are all
 *      free, which the allocator keeps whole by serving 4 KiB pages
 *      from partly used frames first), zeroes it, and gives each of
 *      its 512 pages an anon in the amap, as 512 zero-fill faults would
 *      have:
 *
 *        fault at 0x7f0000203000, entry [0x7f0000000000, 0x7f0004000000)
 *        range [0x7f0000200000, 0x7f0000400000): 512 empty slots
 *        run   0x40000000..0x401fffff from the allocator, zeroed
 *        anons slots 512..1023 <- pages 0x40000000, 0x40001000, ...
 *        pmap  512 PTEs with PMAP_PROMOTE -> the table fills -> one PDE
 *
 *   2. how they are mapped.  pmap_enter with PMAP_PROMOTE lets the pmap
 *      turn a leaf table that fills with one aligned run into one PDE
 *      (pmap.c, "Large mappings"), and split it again whenever one page
 *      must change: copy-on-write, mprotect or munmap of part, pageout,
 *      mlock.  Pages mapped again one by one (after such a split, once
 *      the cause is gone) promote again when the last one is entered.
 *
 * Eligible, from the widest to the narrowest:
 *
 *   uvm_thp_on        the system's mode: on ("always", the default) or
 *                     off (boot option thp=0, "never")
 *   entry->thp        the range's advice: UVM_THP_DEFAULT and
 *                     UVM_THP_HUGE (madvise MADV_HUGEPAGE) allow it,
 *                     UVM_THP_NEVER (MADV_NOHUGEPAGE) forbids it
 *   the entry         private anonymous memory (no object), writable,
 *                     not wired or being wired, covering the whole
 *                     aligned 2 MiB (uvm_map_entry_thp_eligible says it
 *                     for an entry, as smaps' THPeligible does)
 *   the range         its 512 slots all empty, and memory not short
 *                     (free pages above twice the page daemon's
 *                     target, plus the run)
 *
 *   entry [0x7f0000100000, 0x7f0000500000)   4 MiB, private anonymous
 *          |..0x7f0000200000..|..0x7f0000400000..|
 *     head  (1 MiB: 4 KiB only)  block (2 MiB: eligible)  tail (1 MiB)
 *  Anything else
 * takes the 4 KiB path; so does a fault that finds no free run.
 * mmap places a private anonymous mapping whose size is a multiple of
 * 2 MiB on a 2 MiB boundary (as Linux does), so its ranges are aligned.
 *
 * Invariants: nothing here is needed for correctness (thp=0 gives the
 * same contents); an anon of a 2 MiB run is an ordinary anon (it is
 * freed, swapped and copied one page at a time).  Counted in uvmexp:
 * thp_fills (runs given to a fault), thp_fallbacks (eligible, no free
 * run), thp_reuses (fault_thp_reuse below).
 *
 * Copy-on-write after fork.  fork makes the parent's 2 MiB mappings
 * read-only (one PDE each) and the anons shared.  A write then copies
 * one page, and the mapping is split for it.  But when the child is
 * gone first - fork and exec, the common case - every anon is unshared
 * again, and the write would split the mapping only to give each of
 * its 512 pages back its write right in a fault of its own.  So a write
 * fault on a read-only 2 MiB mapping whose 512 anons are all unshared
 * maps the run writable again, whole (fault_thp_reuse, thp_reuses).  Lock order: the fault's (map, amap); the allocators' own.
 */
#include "uvm/uvm_thp.h"
#include "kern/core/cmdline.h"
#include "kern/lib/errno.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_fault_impl.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"

KOPT(thp, "thp", "0: no 2 MiB pages - anonymous memory is mapped and "
    "faulted 4 KiB at a time; 1: 2 MiB pages (a speed-up only; default 1 "
    "with 512 MiB of RAM or more, else 0, as Linux)");

bool uvm_thp_on = true;

/*
 * The default follows Linux's: on with 512 MiB of RAM or more, off below
 * (a small machine has few whole 2 MiB frames to spare, and a run
 * zeroed for one touched page is a bigger share of it).  QEMU's `-m 512M`
 * gives a little less than that, so make run and make test start with
 * them off, as Linux does in the same QEMU; thp=1 turns them on.
 */
void
uvm_thp_init(void)
{
	bool big = uvmexp.npages >= (512ULL << 20) / PAGE_SIZE;

	uvm_thp_on = kopt_get_u64("thp", big ? 1 : 0) != 0;
}

bool
uvm_thp_entry_ok(const struct vm_map_entry *e)
{
	return uvm_thp_on && e->thp != UVM_THP_NEVER && e->object == NULL &&
	    (e->etype & UVM_ET_COPYONWRITE) != 0;
}

int
uvm_thp_pmap_flags(const struct vm_map_entry *e)
{
	return uvm_thp_entry_ok(e) ? PMAP_PROMOTE : 0;
}

vsize_t
uvm_thp_mmap_align(vsize_t size, bool anon)
{
	return uvm_thp_on && anon && size >= THP_SIZE && size % THP_SIZE == 0 ?
	    THP_SIZE : 0;
}

#define THP_LOOKUP_BLOCK 64        /* slots read per amap_lookups */
_Static_assert(THP_PAGES % THP_LOOKUP_BLOCK == 0, "whole blocks");

/* Are the 512 slots of the range at s (in f's entry) all empty? */
static bool
thp_slots_empty(const struct fault *f, vaddr_t s)
{
	const struct vm_map_entry *e = f->entry;
	struct vm_anon *a[THP_LOOKUP_BLOCK];

	for (int i = 0; i < THP_PAGES; i += THP_LOOKUP_BLOCK) {
		amap_lookups(&e->aref, s - e->start + (vaddr_t)i * PAGE_SIZE, a,
		    THP_LOOKUP_BLOCK);
		for (int k = 0; k < THP_LOOKUP_BLOCK; k++)
			if (a[k] != NULL)
				return false;
	}
	return true;
}

/* May the fault fill the whole 2 MiB range at s?  (The file's header.) */
static bool
thp_eligible(const struct fault *f, vaddr_t s)
{
	const struct vm_map_entry *e = f->entry;

	if (!uvm_thp_entry_ok(e) || f->wire || f->entry_wired || e->wired_count > 0 ||
	    (e->etype & UVM_ET_NEEDSCOPY) || !(f->enter_prot & VM_PROT_WRITE) ||
	    s < e->start || e->end - s < THP_SIZE || f->map->busy != NULL)
		return false;
	if (uvmexp.free < 2 * uvmexp.freetarg + (uint64_t)THP_PAGES)
		return false;
	return thp_slots_empty(f, s);
}

_Static_assert(THP_PAGES == VM_LARGE_PAGES, "a 2 MiB page is one allocator frame");

/*
 * Give pages [i, i + n) of the run at first (mapped at s) an anon each
 * and put them in the amap.  Returns how many got an anon; the caller
 * frees the pages of the run that did not.
 */
static int
thp_fill_batch(struct fault *f, vaddr_t s, struct vm_page *first, int i, int n)
{
	struct vm_anon *anons[PMAP_ENTER_MAX];
	struct vm_page *pgs[PMAP_ENTER_MAX];
	int got = anon_alloc_many(anons, n);

	for (int k = 0; k < got; k++) {
		pgs[k] = &first[i + k];
		pgs[k]->uanon = anons[k];
	}
	fault_install_run(f, s + (vaddr_t)i * PAGE_SIZE, anons, pgs, got);
	vm_page_activate_many(pgs, got);
	return got;
}

/*
 * Map the n filled pages of the run: all of it with one PDE at once
 * (pmap_enter_large), or else - part of a run, or the PDE refused -
 * page by page, as many zero-fill faults would, the pmap promoting the
 * table when the run fills it.  A page left unmapped (no PV entry or
 * table to be had) stays in its anon: a later fault maps it (1A).
 */
static void
thp_map(struct fault *f, vaddr_t s, struct vm_page *first, int n)
{
	struct vm_page *pgs[PMAP_ENTER_MAX];

	if (n == THP_PAGES &&
	    pmap_enter_large(f->map->pmap, s, first, f->enter_prot) == 0)
		return;
	for (int i = 0; i < n; i += PMAP_ENTER_MAX) {
		int run = MIN(n - i, PMAP_ENTER_MAX);
		for (int k = 0; k < run; k++)
			pgs[k] = &first[i + k];
		(void)pmap_enter_pages(f->map->pmap, s + (vaddr_t)i * PAGE_SIZE,
		    pgs, run, f->enter_prot, PMAP_PROMOTE);
	}
}

int
fault_thp_fill(struct fault *f)
{
	vaddr_t s = ROUND_DOWN(f->va, THP_SIZE);
	struct vm_page *first;
	int i = 0, got = PMAP_ENTER_MAX, filled;

	if (!thp_eligible(f, s))
		return -EAGAIN;
	if (vm_page_alloc_large(&first, VM_PAGE_ZERO) != 0) {
		UVMEXP_ADD(thp_fallbacks, 1);
		return -EAGAIN;
	}
	for (; i < THP_PAGES && got == PMAP_ENTER_MAX; i += got)
		got = thp_fill_batch(f, s, first, i, PMAP_ENTER_MAX);
	filled = i;
	for (; i < THP_PAGES; i++)
		vm_page_free(&first[i]);        /* no anon for them: memory short */
	if (filled == 0)
		return -EAGAIN;
	thp_map(f, s, first, filled);
	UVMEXP_ADD(thp_fills, 1);
	return 0;
}

/*
 * Are the 512 anons of the range at s in f's entry all unshared and
 * resident in the run at base, in order?  => amap locked.
 */
static bool
thp_run_unshared(const struct fault *f, vaddr_t s, paddr_t base)
{
	const struct vm_map_entry *e = f->entry;

	for (int i = 0; i < THP_PAGES; i++) {
		const struct vm_anon *a = amap_lookup(&e->aref,
		    s - e->start + (vaddr_t)i * PAGE_SIZE);
		if (a == NULL || a->an_ref != 1 || a->an_page == NULL ||
		    (a->an_page->flags & PG_BUSY) ||
		    a->an_page->phys_addr != base + (paddr_t)i * PAGE_SIZE)
			return false;
	}
	return true;
}

int
fault_thp_reuse(struct fault *f)
{
	vaddr_t s = ROUND_DOWN(f->va, THP_SIZE);
	const struct vm_map_entry *e = f->entry;
	struct pmap *pm = f->map->pmap;
	uint64_t pde = pmap_pte_lookup(pm, f->va);

	if (!(f->access & VM_PROT_WRITE) || !uvm_thp_entry_ok(e) || f->wire ||
	    f->entry_wired || !(f->enter_prot & VM_PROT_WRITE) ||
	    (pde & (PG_V | PG_PS | PG_RW)) != (PG_V | PG_PS) ||
	    s < e->start || e->end - s < THP_SIZE ||
	    !thp_run_unshared(f, s, pde & PG_LGFRAME))
		return -EAGAIN;
	pmap_remove(pm, s, s + THP_SIZE);
	if (pmap_enter_large(pm, s, vm_page_from_phys(pde & PG_LGFRAME),
	    f->enter_prot) != 0)
		return -EAGAIN;         /* the pages fault back in one by one */
	UVMEXP_ADD(thp_reuses, 1);
	return 0;
}
