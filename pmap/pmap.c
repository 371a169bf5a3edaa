/*
 * pmap/pmap.c - the x86-64 pmap: four-level page tables, PV lists, TLB.
 *
 * Every pmap is a PML4 page.  Its lower half (slots 0..255) is the user's
 * and is built on demand; its upper half is copied from the kernel pmap
 * when the pmap is created.  The kernel's slots never change after boot
 * (their PDPT pages are allocated in pmap_bootstrap), so a copy stays
 * right forever:
 *
 *   PML4 slot 0..255    user space, private to each pmap
 *   PML4 slot 256       direct map of all RAM (2 MiB pages, global, NX)
 *   PML4 slot 510       kernel arena (4 KiB pages, on demand, shared)
 *   PML4 slot 511       kernel image: text R-X, rodata R--, data RW- NX
 *
 * Page-table pages are ordinary vm_pages.  Each one's md.ptp_count is the
 * number of valid entries in it: pmap_enter counts up, removal counts
 * down, and a table whose count reaches zero is freed and unhooked from
 * its parent (user PT, PD and PDPT pages; for the kernel, PT and PD pages,
 * since its PDPTs are shared).
 *
 * PV lists.  Mapping a managed page (one that has a vm_page) records a
 * pv_entry {pmap, va} on the page, and the PTE carries PG_PVLIST.  Going
 * from a page to all its mappings is then a list walk:
 *
 *   pmap_page_protect(pg, READ)   for each pv: clear PG_RW in its PTE
 *   pmap_is_modified(pg)          md.attrs MOD, or PG_M in any PTE
 *
 * When a mapping goes away its PG_A/PG_M bits are folded into md.attrs, so
 * no reference or modification is forgotten.  A page's first mapping
 * needs no allocation: its entry is the one inside the page, md.pv_own
 * (pmap/pmap_page.h); only further mappings take one from the pool.
 *
 * 2 MiB mappings.  A user leaf table that fills with one aligned physical
 * run becomes one PDE with PG_PS; its pages keep their PV entries, and
 * any change to one of them splits it first ("Large mappings" below).
 *
 * TLB.  A CPU's TLB caches translations of the pmap its CR3 holds (its
 * cpu_info's ci_pmap) and of the kernel's global mappings, which every
 * CPU has.  Each user pmap knows the CPUs it is loaded on, pm_cpus: a
 * CPU sets its bit in pmap_activate before loading CR3 and clears it in
 * the old pmap's after (atomic operations, no lock).  Changes to existing
 * mappings are queued in pm_tlb_va (past PMAP_TLB_MAX, "flush all") and
 * carried out by pmap_update as one batch; pmap_page_protect and the A/D
 * clearing calls, which have no pmap argument for a later pmap_update,
 * carry out theirs at once (tlb_now).
 *
 * Shootdown.  Carrying out a batch means invalidating it on every CPU that
 * may cache it: pm_cpus for a user pmap, every online CPU for the kernel
 * pmap.  The CPU that changed the PTEs sends the others one cross-call
 * carrying the whole batch (kern/core/smp.c: one IPI per target, one wait
 * for all), does its own share meanwhile, and waits, pmap lock held, until
 * every target has acknowledged.  A munmap of 16 pages on a pmap loaded
 * on cpu0 and cpu1, run by cpu0:
 *
 *   cpu0 (munmap)                           cpu1 (runs the process too)
 *   pmap_remove: 16 PTEs := 0,               reads page 5 through its TLB:
 *     16 VAs queued in pm_tlb_va              the old frame, still right
 *   pmap_update: fence; targets =
 *     pm_cpus & ~cpu0 = {cpu1}
 *   post {16 VAs}, IPI  ------------------>  interrupt (or its poll while
 *   invlpg x16 here                          spinning or waiting):
 *   wait for the acks ...                    invlpg x16
 *                       <------------------  ack (pending 1 -> 0)
 *   return: the pages may now be freed       next read of page 5: walks
 *   (uvm_unmap drops the anons after)        the tables, finds 0: fault
 *
 * Why the wait.  Until cpu1 has acknowledged, its TLB may still map page 5
 * to the old frame, and cpu1 may still write through it.  If cpu0 freed
 * the frame first, the allocator could hand it to someone else - a page
 * cache page, another process's stack, a page table - and cpu1's late
 * store would land there: silent corruption in memory that is no longer
 * this process's.  So every pmap call that removes or downgrades a
 * mapping returns (pmap_update, pmap_page_protect, pmap_kremove with its
 * pmap_update) only after the last acknowledgement, and the callers free
 * pages only after it returns.  The same holds for page-table pages:
 * another CPU may still walk an unhooked table through its cached
 * paging-structure entries, so an emptied table is put on pm_ptp_free and
 * freed after the shootdown (the invlpg of an address under it drops
 * those caches too); the operation that emptied it shoots down before it
 * returns, so one munmap still costs one IPI per CPU.
 *
 * Who is told.  Only CPUs in pm_cpus: a pmap loaded nowhere else costs no
 * IPI, and one loaded nowhere not even an invlpg (a CPU that loads it
 * later walks the new PTEs).  The sender reads pm_cpus after a fence that
 * follows its PTE stores, and pmap_activate sets its bit before loading
 * CR3, so a CPU joining meanwhile is either told or walks the new tables.
 * A target may take a shootdown late only by running with interrupts off
 * without polling (smp_call_service): a CPU spinning on a lock or waiting
 * for its own cross-call polls, so two CPUs shooting at each other do not
 * deadlock.
 *
 * Locking.  Each pmap has a spin lock, pm_lock ("pmap"; the kernel's is
 * "kpmap"): its page tables, its statistics, its TLB queue and its list
 * of tables waiting to be freed.  It is held through the pmap's
 * shootdowns (the batch lives in the queue until every CPU has
 * acknowledged).  Each page's PV list, md.attrs and md.pv_count are under
 * a PV lock ("pv"), one of PV_LOCKS spin locks chosen by the page's 2 MiB
 * frame (pages share a lock; no code holds two).  Order: pm_lock, then a
 * PV lock, then the pool and page locks.  Two threads faulting in
 * different processes now take different pmap locks; on one page they
 * meet only for the few instructions of a PV insert.
 *
 * Starting from a page goes against that order.  pmap_page_protect and
 * the A/D calls hold the page's PV lock and only *try* each mapping's
 * pm_lock; when the pmap is busy they let go of the PV lock, pause, and
 * walk the list again (pv_lock_pmap).  Holding the PV lock is also what
 * keeps the pmap alive meanwhile: pmap_destroy must remove the entry,
 * under that lock, before it frees the pmap.
 *
 *   cpu0: munmap in pmap A            cpu1: page daemon, page P
 *   lock A                            lock pv(P)
 *   PTE of P := 0 (atomic exchange)   P's list: (A, va) -> try A: busy
 *   lock pv(P) ... waits              unlock pv(P), pause  ------+
 *   <----- gets it ------------------------------------------+   |
 *   unlink (A, va), fold A/D, unlock                            |
 *   shoot down, unlock A                                        |
 *                                     lock pv(P): the list is --+
 *                                     empty now: nothing to do
 *
 * The rule that makes this safe: a mapping's PV entry is on the page's
 * list *before* its PTE is written and comes off *after* the PTE is
 * cleared, both under pm_lock.  So whoever holds the PV lock and then the
 * pmap's lock sees the list and the tables agree.  PTEs change by atomic
 * exchange or compare-and-swap, never a plain store over a valid entry:
 * another CPU's page walk may set A or D at any moment, and a D lost
 * between a read and a store would be a write the pageout never saves.
 *
 * pm_cpus and ci_pmap change without a lock (atomics, pmap_activate);
 * all_pmaps, for the checker, is under pmap_list_lock, taken before any
 * pm_lock.  The counters in pmap_counters are atomic adds.
 */
#include "pmap/pmap.h"
#include "kern/arch/cpu.h"
#include "kern/core/cmdline.h"
#include "kern/core/smp.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pte.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"

static struct pmap kernel_pmap_store;
static TAILQ_HEAD(, pmap) all_pmaps = { NULL, &all_pmaps.tqh_first };
static struct spinlock pmap_list_lock = SPINLOCK_INIT("pmap_list");
struct pmap_counters pmap_counters;     /* atomic adds (PCOUNT) */

/*
 * The PV locks: each on its own line, a page's chosen by its 2 MiB frame
 * (as FreeBSD's pv list locks), so the 512 pages of a large mapping
 * share one and its PV entries change under one lock round.
 */
#define PV_LOCKS 64
static struct {
	struct spinlock l;
	char pad[64 - sizeof(struct spinlock)];
} pv_locks[PV_LOCKS] = { [0 ... PV_LOCKS - 1] = { SPINLOCK_INIT("pv"), { 0 } } };

#define PCOUNT(field, n) \
	__atomic_fetch_add(&pmap_counters.field, (n), __ATOMIC_RELAXED)
static struct pool pv_pool;
static struct pool pmap_pool;
static bool pmap_initialized;
static paddr_t dmap_end_pa;     /* the direct map covers [0, dmap_end_pa) */

#define KERNEL_HALF 0xffff800000000000ULL
#define PML4_SLOT_DMAP 256
#define PML4_SLOT_KVA 510
#define PML4_SLOT_IMAGE 511

extern char kernel_text_start[], kernel_text_end[];
extern char kernel_rodata_start[], kernel_rodata_end[];
extern char kernel_data_start[], kernel_data_end[];

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static pt_entry_t *
table_kva(pt_entry_t e)
{
	return PHYS_TO_DMAP(e & PG_FRAME);
}

/* The vm_page of the page-table page that holds the entry at slot. */
static struct vm_page *
ptp_of(const pt_entry_t *slot)
{
	return vm_page_from_phys(DMAP_TO_PHYS(ROUND_DOWN((vaddr_t)slot, PAGE_SIZE)));
}

/* May this CPU's TLB hold pm's translations?  (Its CR3 holds pm.) */
static bool
pmap_is_active(const struct pmap *pm)
{
	return pm == curcpu()->ci_pmap || pm->pm_kernel;
}

/* Is va a page address this pmap may map? */
static bool
va_ok(const struct pmap *pm, vaddr_t va)
{
	if (va & PAGE_MASK)
		return false;
	if (pm->pm_kernel)
		return va >= KERNEL_HALF;
	return va < USER_MAX;
}

/* The PTE bits for prot and flags (frame and PG_V not included). */
static pt_entry_t
prot_bits(const struct pmap *pm, vm_prot_t prot, int flags)
{
	pt_entry_t b = 0;

	if (prot & VM_PROT_WRITE)
		b |= PG_RW;
	if (!(prot & VM_PROT_EXECUTE))
		b |= PG_NX;
	if (pm->pm_kernel)
		b |= PG_G;
	else
		b |= PG_U;
	if (flags & PMAP_NOCACHE)
		b |= PG_PCD | PG_PWT;
	if (flags & PMAP_WIRED)
		b |= PG_WIRED;
	/* Preset A (and D for a write) for the access that is faulting now. */
	if (flags & VM_PROT_ALL)
		b |= PG_A;
	if (flags & VM_PROT_WRITE)
		b |= PG_M;
	return b;
}

/* Fold a PTE's A/D bits into pg's attributes.  => pg's PV lock held. */
static void
fold_attrs(struct vm_page *pg, pt_entry_t pte)
{
	if (pte & PG_A)
		pg->md.attrs |= PMAP_ATTR_REF;
	if (pte & PG_M)
		pg->md.attrs |= PMAP_ATTR_MOD;
}

/* The PV lock of pg: its list, its attributes and its count. */
static struct spinlock *
pv_lock_of(const struct vm_page *pg)
{
	return &pv_locks[(pg->phys_addr >> L2_SHIFT) % PV_LOCKS].l;
}

/*
 * Clear the bits clr and set the bits set in a valid PTE, in one
 * compare-and-swap against the CPUs' page walks, which may set A or D in
 * it meanwhile.  Returns the entry as it was.  => its pmap's lock held.
 */
static pt_entry_t
pte_update(pt_entry_t *slot, pt_entry_t clr, pt_entry_t set)
{
	pt_entry_t old = __atomic_load_n(slot, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(slot, &old, (old & ~clr) | set,
	    false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
	return old;
}

/* ------------------------------------------------------------------ */
/* TLB                                                                 */

/*
 * A batch of invalidations as one message for every CPU: n page
 * addresses, or "all" when n > PMAP_TLB_MAX.  It lives on the sender's
 * stack (va points into the pmap's queue, under pm_lock) until every
 * target has acknowledged.
 */
struct tlb_batch {
	bool kernel;            /* global entries: toggle PGE for "all" */
	int n;
	const vaddr_t *va;
};

/* Carry out b on the calling CPU. */
static void
tlb_batch_here(const struct tlb_batch *b)
{
	if (b->n <= PMAP_TLB_MAX) {
		for (int i = 0; i < b->n; i++)
			invlpg(b->va[i]);
	} else if (b->kernel) {
		/* Global entries survive a CR3 reload; toggling PGE drops them. */
		uint64_t cr4 = rcr4();
		lcr4(cr4 & ~CR4_PGE);
		lcr4(cr4);
	} else {
		lcr3(rcr3());
	}
}

/* The cross-call: a target's half of the shootdown (interrupt context). */
static void
tlb_shoot_intr(void *arg)
{
	tlb_batch_here(arg);
	curcpu()->ci_ntlbshoot++;
}

/*
 * The other CPUs that may cache pm's translations: every other online
 * CPU for the kernel's (global) mappings, the others in pm_cpus for a
 * user pmap.  The fence orders the caller's PTE stores before the read
 * of pm_cpus: a CPU joining pm after it (pmap_activate: set its bit,
 * then load CR3) walks the new PTEs; one that joined before is seen.
 */
static cpuset_t
tlb_targets(const struct pmap *pm)
{
	cpuset_t me = 1UL << cpu_number();

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (pm->pm_kernel)
		return smp_cpus_online() & ~me;
	return __atomic_load_n(&pm->pm_cpus, __ATOMIC_RELAXED) & ~me;
}

/*
 * Invalidate n addresses of pm (all when n > PMAP_TLB_MAX) everywhere
 * pm may be cached: post one cross-call to the other CPUs, do this CPU's
 * share meanwhile, then wait for every acknowledgement.
 *  => pm's lock held (the wait answers calls posted to this CPU).
 */
static void
tlb_shoot(struct pmap *pm, const vaddr_t *va, int n)
{
	struct tlb_batch b = { pm->pm_kernel, n, va };
	cpuset_t targets = tlb_targets(pm);
	struct smp_call c;

	if (targets != 0) {
		smp_call_start(&c, targets, tlb_shoot_intr, &b);
		PCOUNT(tlb_shootdowns, 1);
		PCOUNT(tlb_ipis, (uint64_t)__builtin_popcountl(targets));
		if (n > PMAP_TLB_MAX)
			PCOUNT(tlb_ipi_all, 1);
		else
			PCOUNT(tlb_ipi_pages, (uint64_t)n);
	}
	if (pmap_is_active(pm)) {
		tlb_batch_here(&b);
		if (n > PMAP_TLB_MAX)
			PCOUNT(tlb_flushall, 1);
		else
			PCOUNT(tlb_shootpage, (uint64_t)n);
	}
	if (targets != 0)
		smp_call_wait(&c);
}

/*
 * Queue an invalidation of va.  Queued whether or not pm is active
 * anywhere now: who must hear of it is decided at the flush, after a
 * fence (tlb_targets), not here.  => pm's lock held.
 */
static void
tlb_queue(struct pmap *pm, vaddr_t va)
{
	if (pm->pm_tlb_n < PMAP_TLB_MAX)
		pm->pm_tlb_va[pm->pm_tlb_n] = va;
	if (pm->pm_tlb_n <= PMAP_TLB_MAX)
		pm->pm_tlb_n++;
}

/*
 * Carry out pm's queued invalidations on every CPU, then free the
 * page-table pages that waited for them.  => pm's lock held.
 */
static void
tlb_update_locked(struct pmap *pm)
{
	struct vm_page *ptp;

	if (pm->pm_tlb_n > 0)
		tlb_shoot(pm, pm->pm_tlb_va, pm->pm_tlb_n);
	pm->pm_tlb_n = 0;
	while ((ptp = TAILQ_FIRST(&pm->pm_ptp_free)) != NULL) {
		TAILQ_REMOVE(&pm->pm_ptp_free, ptp, pageq);
		vm_page_free(ptp);     /* drops its wiring too */
	}
}

void
pmap_update(struct pmap *pm)
{
	spin_lock(&pm->pm_lock);
	tlb_update_locked(pm);
	spin_unlock(&pm->pm_lock);
}

/* Invalidate va in pm now, on every CPU (no queueing).  => pm's lock held. */
static void
tlb_now(struct pmap *pm, vaddr_t va)
{
	tlb_shoot(pm, &va, 1);
}

/*
 * A page-table page was unhooked from its parent: it may be freed only
 * once no CPU can walk it from a cached paging-structure entry.  Queue
 * va (an invlpg drops the paging-structure caches too) and the page;
 * tlb_update_locked frees it after the shootdown.  => pm's lock held.
 */
static void
ptp_defer_free(struct pmap *pm, struct vm_page *ptp, vaddr_t va)
{
	tlb_queue(pm, va);
	TAILQ_INSERT_TAIL(&pm->pm_ptp_free, ptp, pageq);
	pm->pm_stats.ptpages--;
	PCOUNT(ptpages, -1);
}

/*
 * The end of an operation that may have unhooked page-table pages: if it
 * did, shoot down now (with whatever else is queued) and free them, so
 * no page waits for a pmap_update that may never come.  => pm's lock held.
 */
static void
ptp_free_deferred(struct pmap *pm)
{
	if (!TAILQ_EMPTY(&pm->pm_ptp_free))
		tlb_update_locked(pm);
}

/* ------------------------------------------------------------------ */
/* PV lists                                                            */

/* Is pg's own entry in use?  (A hint without pg's PV lock.) */
static bool
pv_own_taken(const struct vm_page *pg)
{
	return __atomic_load_n(&pg->md.pv_own.pv_pmap, __ATOMIC_RELAXED) != NULL;
}

/*
 * The entry for pg's next mapping: its own if free, else the first of
 * *spares (taken off), else NULL.  => pg's PV lock held.
 */
static struct pv_entry *
pv_take(struct vm_page *pg, struct pv_entry **spares)
{
	struct pv_entry *pve = &pg->md.pv_own;

	if (pve->pv_pmap == NULL)
		return pve;
	if ((pve = *spares) != NULL)
		*spares = pve->pv_next;
	return pve;
}

/*
 * pv_insert's work, pv_made not counted: false, and nothing done, if pg's
 * own entry is taken and *spares is empty.  => pm's and pg's PV lock held.
 */
static bool
pv_insert_locked(struct vm_page *pg, struct pv_entry **spares, struct pmap *pm,
    vaddr_t va)
{
	struct pv_entry *pve = pv_take(pg, spares);

	if (pve == NULL)
		return false;
	__atomic_store_n(&pve->pv_pmap, pm, __ATOMIC_RELAXED);   /* pv_own_taken */
	pve->pv_va = va;
	pve->pv_next = pg->md.pv_list;
	pg->md.pv_list = pve;
	pg->md.pv_count++;
	return true;
}

/*
 * Put (pm, va) on pg's PV list, before its PTE is written, in pg's own
 * entry or one taken off *spares; false if neither was to be had.
 *  => pm's lock held; takes pg's PV lock.
 */
static bool
pv_insert(struct vm_page *pg, struct pv_entry **spares, struct pmap *pm,
    vaddr_t va)
{
	struct spinlock *l = pv_lock_of(pg);
	bool done;

	spin_lock(l);
	done = pv_insert_locked(pg, spares, pm, va);
	spin_unlock(l);
	if (done)
		PCOUNT(pv_made, 1);
	return done;
}

/*
 * The link that points at pg's PV entry for (pm, va): it must exist (a
 * mapping the caller holds has one).  => pg's PV lock held.
 */
static struct pv_entry **
pv_find(struct vm_page *pg, struct pmap *pm, vaddr_t va)
{
	for (struct pv_entry **pp = &pg->md.pv_list; *pp != NULL;
	    pp = &(*pp)->pv_next) {
		if ((*pp)->pv_pmap == pm && (*pp)->pv_va == va)
			return pp;
	}
	panic("pmap: no PV entry for pmap %p va %#lx on page %#lx",
	    (void *)pm, va, pg->phys_addr);
}

/*
 * Unlink the PV entry for (pm, va) on pg, which must exist, and chain it
 * on *freepv for the pool - unless it is pg's own, which is only marked
 * free.  The caller counts it gone (pv_gone).  => pg's PV lock held.
 */
static void
pv_unlink(struct vm_page *pg, struct pmap *pm, vaddr_t va,
    struct pv_entry **freepv)
{
	struct pv_entry **pp = pv_find(pg, pm, va), *pve = *pp;

	*pp = pve->pv_next;
	pg->md.pv_count--;
	if (pve == &pg->md.pv_own) {
		__atomic_store_n(&pve->pv_pmap, NULL, __ATOMIC_RELAXED);
		return;
	}
	pve->pv_next = *freepv;
	*freepv = pve;
}

/*
 * The mapping (pm, va) of pg is gone, its last PTE was pte: fold its
 * A/D bits into pg and unlink its PV entry (onto *freepv if the pool's).
 *  => pm's lock held; pvheld is the page whose PV lock the caller holds
 *     (NULL for none): for any other page this takes and drops pg's.
 */
static void
pv_remove(struct vm_page *pg, struct pmap *pm, vaddr_t va, pt_entry_t pte,
    const struct vm_page *pvheld, struct pv_entry **freepv)
{
	struct spinlock *l = pv_lock_of(pg);

	if (pg != pvheld)
		spin_lock(l);
	fold_attrs(pg, pte);
	pv_unlink(pg, pm, va, freepv);
	if (pg != pvheld)
		spin_unlock(l);
	PCOUNT(pv_gone, 1);
}

/*
 * With pg's PV lock l held, take the lock of the pmap of pv, one of pg's
 * entries.  The order is pmap lock then PV lock, so this may only try:
 * if the pmap is busy, let go of l for a moment (its holder may be
 * waiting for l to unlink this very entry), take l again and return
 * false; the caller's list may have changed, so it walks it again.
 */
static bool
pv_lock_pmap(struct pv_entry *pv, struct spinlock *l)
{
	static uint64_t tries[MAXCPUS];         /* each CPU's, in a row */
	struct pmap *pm = pv->pv_pmap;

	if (spin_trylock(&pm->pm_lock)) {
		tries[cpu_number()] = 0;
		return true;
	}
	/* A pmap lock is held for a shootdown at most: not for this long. */
	if (++tries[cpu_number()] > spin_limit / 256)
		panic("pmap: pmap %p busy for %lu tries (held by cpu %d)",
		    (void *)pm, tries[cpu_number()], spin_holder(&pm->pm_lock));
	spin_unlock(l);
	cpu_pause();
	spin_lock(l);
	PCOUNT(pv_retries, 1);
	return false;
}

/* ------------------------------------------------------------------ */
/* Walking and building the tables                                     */

/*
 * The path from the PML4 down to va's leaf: path[lvl] points at the
 * entry for va in the level-lvl table (4 = PML4 ... 1 = PT).  Levels
 * below a missing or large entry are NULL.
 */
struct ptpath {
	pt_entry_t *slot[5];
};

static bool is_large(const struct pmap *pm, int lvl, pt_entry_t e);
static void pde_demote(struct pmap *pm, pt_entry_t *pde, vaddr_t va);

/* Fill path; returns the lowest level reached (1 when a PT exists). */
static int
pmap_walk(const struct pmap *pm, vaddr_t va, struct ptpath *path)
{
	pt_entry_t *table = pm->pm_pml4;
	int lvl;

	PCOUNT(walks, 1);
	memset(path, 0, sizeof(*path));
	for (lvl = 4;; lvl--) {
		path->slot[lvl] = &table[PTE_INDEX(va, lvl)];
		if (lvl == 1)
			break;
		pt_entry_t e = *path->slot[lvl];
		if (!(e & PG_V) || (e & PG_PS))
			break;
		table = table_kva(e);
	}
	return lvl;
}

/* The leaf PTE slot of va, or NULL when no page table covers it. */
static pt_entry_t *
pmap_leaf(const struct pmap *pm, vaddr_t va)
{
	struct ptpath path;

	return pmap_walk(pm, va, &path) == 1 ? path.slot[1] : NULL;
}

/*
 * The entry that maps va in pm: its PTE, or the PDE of a large mapping
 * holding it; NULL when no table covers va.
 */
static pt_entry_t *
pmap_entry(const struct pmap *pm, vaddr_t va)
{
	struct ptpath path;
	int lvl = pmap_walk(pm, va, &path);

	if (lvl == 1 || is_large(pm, lvl, *path.slot[lvl]))
		return path.slot[lvl];
	return NULL;
}

/* The physical address of va's page in the valid entry e (a PTE or a large PDE). */
static paddr_t
entry_pa(pt_entry_t e, vaddr_t va)
{
	if (e & PG_PS)
		return (e & PG_LGFRAME) + (va & (NBPD_L2 - 1) & ~(vaddr_t)PAGE_MASK);
	return e & PG_FRAME;
}

/*
 * A fresh, zeroed page-table page, or 0.  => pm's lock held.  The kernel
 * pmap's tables are never failed on purpose: pmap_kenter_pa cannot fail.
 */
static paddr_t
ptp_alloc(struct pmap *pm)
{
	struct vm_page *ptp = vm_page_alloc_kernel(VM_PAGE_ZERO |
	    (pm == &kernel_pmap_store ? VM_PAGE_NOFAIL : 0));

	if (ptp == NULL)
		return 0;
	ptp->md.ptp_count = 0;
	vm_page_wire(ptp);
	pm->pm_stats.ptpages++;
	PCOUNT(ptpages, 1);
	return ptp->phys_addr;
}

/*
 * pmap_leaf_alloc could not make the table below path->slot[lvl]: free
 * the tables it made on the way, which hold nothing, from the one holding
 * that slot upwards (each freed one empties a slot of its parent).  As in
 * ptp_unuse, the PML4 and a kernel PDPT stay.  => pm's lock held.
 */
static void
ptp_unalloc(struct pmap *pm, struct ptpath *path, int lvl, vaddr_t va)
{
	int top = pm->pm_kernel ? 2 : 3;

	for (; lvl <= top; lvl++) {
		struct vm_page *ptp = ptp_of(path->slot[lvl]);
		if (ptp->md.ptp_count > 0)
			return;
		*path->slot[lvl + 1] = 0;
		ptp_defer_free(pm, ptp, va);
		if (lvl + 1 < 4)
			ptp_of(path->slot[lvl + 1])->md.ptp_count--;
	}
}

/*
 * The leaf slot for va, creating the tables on the way.
 *  => pm's lock held; returns NULL when a table page cannot be had,
 *     with the tables this call made freed again (an empty table would
 *     never be freed by a removal, and pmap_destroy would find it).
 */
static pt_entry_t *
pmap_leaf_alloc(struct pmap *pm, vaddr_t va)
{
	pt_entry_t *table = pm->pm_pml4;
	pt_entry_t inter = PG_V | PG_RW | (pm->pm_kernel ? 0 : PG_U);
	struct ptpath path;

	for (int lvl = 4; lvl > 1; lvl--) {
		pt_entry_t *slot = &table[PTE_INDEX(va, lvl)];
		path.slot[lvl] = slot;
		if (!(*slot & PG_V)) {
			paddr_t pa = ptp_alloc(pm);
			if (pa == 0) {
				ptp_unalloc(pm, &path, lvl, va);
				return NULL;
			}
			*slot = pa | inter;
			if (lvl < 4)
				ptp_of(slot)->md.ptp_count++;
		}
		if (is_large(pm, lvl, *slot))
			pde_demote(pm, slot, va);       /* one page changes */
		KASSERT(!(*slot & PG_PS));
		table = table_kva(*slot);
	}
	return &table[PTE_INDEX(va, 1)];
}

/*
 * The idle leaf table.  A program that maps a page, writes it and unmaps
 * it again, among pages it never touched (or none at all within the 2 MiB
 * a leaf table spans), empties that table at every munmap and needs it
 * again at the next write: a page allocated and zeroed, a page freed and
 * one more invlpg, every time (issue 22: with 1,000 untouched one-page
 * mappings around, 2.1 pages allocated per mmap + write + munmap instead
 * of 1.1).  So a user pmap keeps the last leaf table its removals emptied
 * hooked in, with a count of 0, in pm_ptp_idle; when another leaf table
 * empties, the kept one is freed in its place (if it is still empty: a
 * pmap_enter may have used it again meanwhile), and pmap_destroy frees
 * it.  At most one empty leaf table per pmap, then, and its parents:
 *
 *   munmap p (table T empties)   T kept: pm_ptp_idle = T
 *   write p again                T's count 0 -> 1: no allocation
 *   munmap q (table U empties)   U kept, T freed now (count still 0)
 *
 * Boot option ptpkeep=0 frees every emptied table at once (a speed-up
 * only).  => all of it under the pmap's lock.
 */
KOPT(ptpkeep, "ptpkeep", "0: a user pmap frees a page table as soon as it empties, "
    "keeping none for the next fault (a speed-up only; default 1)");

bool pmap_ptpkeep_on = true;

static void ptp_unuse(struct pmap *pm, struct ptpath *path, int lvl, vaddr_t va);

/* Free pm's idle leaf table if it is still hooked in and empty. */
static void
ptp_idle_drop(struct pmap *pm)
{
	struct vm_page *ptp = pm->pm_ptp_idle;
	vaddr_t va = pm->pm_ptp_idle_va;
	struct ptpath path;

	pm->pm_ptp_idle = NULL;
	if (ptp == NULL || pmap_walk(pm, va, &path) != 1 ||
	    ptp_of(path.slot[1]) != ptp || ptp->md.ptp_count != 0)
		return;
	*path.slot[2] = 0;
	ptp_defer_free(pm, ptp, va);
	ptp_unuse(pm, &path, 2, va);
}

/* Keep the leaf table ptp (at va), just emptied, as pm's idle one? */
static bool
ptp_keep(struct pmap *pm, struct vm_page *ptp, vaddr_t va)
{
	if (pm->pm_kernel)
		return false;
	if (!pmap_ptpkeep_on) {         /* switched off since it was kept */
		if (pm->pm_ptp_idle == ptp)
			pm->pm_ptp_idle = NULL;
		return false;
	}
	if (pm->pm_ptp_idle != ptp)
		ptp_idle_drop(pm);
	pm->pm_ptp_idle = ptp;
	pm->pm_ptp_idle_va = va;
	return true;
}

/*
 * One entry of the table holding slot[lvl] became invalid: count it, and
 * if the table is now empty free it (a leaf table: keep it, ptp_keep)
 * and go on upwards.  The PML4 is never
 * freed here, nor a kernel PDPT (they are shared by every pmap).
 *  => pm's lock held; va is the address being unmapped.
 */
static void
ptp_unuse(struct pmap *pm, struct ptpath *path, int lvl, vaddr_t va)
{
	int top = pm->pm_kernel ? 2 : 3;

	for (; lvl <= top; lvl++) {
		struct vm_page *ptp = ptp_of(path->slot[lvl]);
		KASSERT(ptp != NULL && ptp->md.ptp_count > 0);
		if (--ptp->md.ptp_count > 0 || (lvl == 1 && ptp_keep(pm, ptp, va)))
			return;
		/* Empty: unhook it; freed after the shootdown. */
		*path->slot[lvl + 1] = 0;
		ptp_defer_free(pm, ptp, va);
	}
	if (lvl == top + 1 && lvl < 4)
		ptp_of(path->slot[lvl])->md.ptp_count--;
}

/* ------------------------------------------------------------------ */
/* Large mappings                                                      */

/*
 * A 2 MiB mapping is one PD entry with PG_PS: one TLB entry and no leaf
 * table for 512 pages.  The VM above never asks for one.  It maps pages
 * one at a time, and when pmap_enter (with PMAP_PROMOTE) fills the last
 * slot of a leaf table whose 512 PTEs map one 2 MiB-aligned physical
 * run in order, with the same bits and none wired, the table is
 * *promoted*: the PDE maps the run directly.
 *
 *   before                               after pde_promote
 *   PDE -> leaf table                    PDE = 0x40000000 PS RW U NX A D
 *          [0]   0x40000000 RW U NX A          (maps 0x40000000..0x401fffff)
 *          [1]   0x40001000 RW U NX A D   leaf table: parked on
 *          ...                             pm_ptp_parked, not freed
 *          [511] 0x401ff000 RW U NX A
 *
 * The per-page view stays: each of the 512 pages keeps its own PV entry
 * (pmap, va of that page), so the page daemon, copy-on-write and the
 * A/D calls still start from one page.  Whatever must change one page
 * of a large mapping first *demotes* it: pde_demote writes the PDE's
 * frame and bits back into the parked table, 512 PTEs, and hooks the
 * table in again.  The table was kept for this: a demotion never needs
 * memory, so it can never fail - not in the page daemon, not halfway
 * through an munmap.  A removal that covers a whole large mapping takes
 * it away in one step instead (pde_remove), and frees the parked table.
 *
 * A/D bits.  The PDE has one A and one D for all 512 pages.  Promotion
 * gathers the PTEs' bits into it after the TLBs have forgotten the
 * 4 KiB translations (until then a CPU may still set D in the old
 * table); demotion copies the PDE's bits into every PTE.  So a page
 * may look dirty that was not written (it shared a PDE with one that
 * was): a page written out for nothing, never a write lost.
 *
 * TLB.  A CPU must never hold a 2 MiB and a 4 KiB translation of one
 * address that disagree, so promotion flushes the pmap's TLB entries
 * everywhere before it returns.  After a demotion the 2 MiB entry
 * another CPU may hold agrees with the new PTEs; the first change to
 * any of them queues its address, and its invlpg drops the whole
 * 2 MiB entry.
 *
 * Counted: pm_stats.large (and resident, 512 a mapping), the parked
 * tables in pm_stats.ptpages, pmap_counters promotions, demotions and
 * large_removed.  Only user pmaps have them.  => pm's lock held for all.
 */

/* The bits every PTE of a run must share to be one PDE (A, D aside). */
#define LARGE_BITS (PG_V | PG_RW | PG_U | PG_PWT | PG_PCD | PG_G | PG_WIRED | \
    PG_PVLIST | PG_NX)

/* Is e a user 2 MiB mapping (a valid PS entry in a user pmap's PD)? */
static bool
is_large(const struct pmap *pm, int lvl, pt_entry_t e)
{
	return lvl == 2 && !pm->pm_kernel && (e & (PG_V | PG_PS)) == (PG_V | PG_PS);
}

/* The parked leaf table of the large mapping at va (2 MiB aligned). */
static struct vm_page *
ptp_parked(struct pmap *pm, vaddr_t va)
{
	struct vm_page *ptp;

	TAILQ_FOREACH(ptp, &pm->pm_ptp_parked, pageq) {
		if ((vaddr_t)ptp->offset == va)
			return ptp;
	}
	panic("pmap %p: no parked table for the large mapping at %#lx",
	    (void *)pm, va);
}

/* Park the leaf table ptp under the large mapping at va (2 MiB aligned). */
static void
ptp_park(struct pmap *pm, struct vm_page *ptp, vaddr_t va)
{
	if (pm->pm_ptp_idle == ptp)
		pm->pm_ptp_idle = NULL;         /* no longer an idle table */
	ptp->offset = va;
	TAILQ_INSERT_TAIL(&pm->pm_ptp_parked, ptp, pageq);
}

/* Take ptp off the parked list, as a table with count entries. */
static void
ptp_unpark(struct pmap *pm, struct vm_page *ptp, uint16_t count)
{
	TAILQ_REMOVE(&pm->pm_ptp_parked, ptp, pageq);
	ptp->offset = 0;
	ptp->md.ptp_count = count;
}

/* Do the 512 PTEs of pt map one aligned run of managed pages, alike? */
static bool
pt_promotable(const pt_entry_t *pt)
{
	pt_entry_t first = pt[0];
	paddr_t base = first & PG_FRAME;

	if ((base & (NBPD_L2 - 1)) != 0 ||
	    (first & (PG_V | PG_PVLIST | PG_WIRED)) != (PG_V | PG_PVLIST))
		return false;
	for (int i = 1; i < NPTE; i++) {
		if ((pt[i] & PG_FRAME) != base + (paddr_t)i * PAGE_SIZE ||
		    (pt[i] & LARGE_BITS) != (first & LARGE_BITS))
			return false;
	}
	return true;
}

/*
 * Promote the full leaf table under the PDE at pde (va inside it): the
 * PDE maps the run, the table is parked, every CPU's TLB forgets the
 * 4 KiB translations, then the A/D bits set in the table meanwhile are
 * gathered into the PDE.
 */
static void
pde_promote(struct pmap *pm, pt_entry_t *pde, vaddr_t va)
{
	pt_entry_t *pt = table_kva(*pde), ad = 0;
	struct vm_page *ptp = ptp_of(pt);

	__atomic_store_n(pde, (pt[0] & (PG_FRAME | LARGE_BITS)) | PG_PS,
	    __ATOMIC_RELEASE);
	ptp_park(pm, ptp, ROUND_DOWN(va, NBPD_L2));
	pm->pm_stats.large++;
	PCOUNT(promotions, 1);
	pm->pm_tlb_n = PMAP_TLB_MAX + 1;        /* flush all */
	tlb_update_locked(pm);
	for (int i = 0; i < NPTE; i++)
		ad |= __atomic_load_n(&pt[i], __ATOMIC_RELAXED);
	__atomic_or_fetch(pde, ad & (PG_A | PG_M), __ATOMIC_RELAXED);
}

/*
 * If va's leaf table is full and promotable, promote it.  Cheap when it
 * is not: a count, then the first PTE that differs.
 */
static void
pt_try_promote(struct pmap *pm, vaddr_t va)
{
	struct ptpath path;

	if (pmap_walk(pm, va, &path) != 1 || ptp_of(path.slot[1])->md.ptp_count != NPTE)
		return;
	if (pt_promotable(table_kva(*path.slot[2])))
		pde_promote(pm, path.slot[2], va);
}

/*
 * Split the large mapping at pde (va inside it) back into 512 PTEs in
 * its parked table, which is hooked in again.  The compare-and-swap
 * fails when a CPU set A or D in the PDE while the table was filled:
 * then fill it again with them.
 */
static void
pde_demote(struct pmap *pm, pt_entry_t *pde, vaddr_t va)
{
	struct vm_page *ptp = ptp_parked(pm, ROUND_DOWN(va, NBPD_L2));
	pt_entry_t *pt = PHYS_TO_DMAP(ptp->phys_addr);
	pt_entry_t old = __atomic_load_n(pde, __ATOMIC_RELAXED);

	do {
		pt_entry_t bits = old & (LARGE_BITS | PG_A | PG_M);
		for (int i = 0; i < NPTE; i++)
			pt[i] = ((old & PG_LGFRAME) + (paddr_t)i * PAGE_SIZE) | bits;
	} while (!__atomic_compare_exchange_n(pde, &old,
	    ptp->phys_addr | PG_V | PG_RW | PG_U, false, __ATOMIC_ACQ_REL,
	    __ATOMIC_RELAXED));
	ptp_unpark(pm, ptp, NPTE);
	pm->pm_stats.large--;
	PCOUNT(demotions, 1);
	tlb_queue(pm, va);
}

/*
 * Walk to va's leaf, demoting a large mapping on the way: for code that
 * changes one page.  => returns pmap_walk's level (1: path->slot[1] is
 * va's PTE).
 */
static int
pmap_walk_small(struct pmap *pm, vaddr_t va, struct ptpath *path)
{
	int lvl = pmap_walk(pm, va, path);

	if (!is_large(pm, lvl, *path->slot[lvl]))
		return lvl;
	pde_demote(pm, path->slot[2], va);
	return pmap_walk(pm, va, path);
}

/*
 * Remove the whole large mapping at path->slot[2] (va its start): the
 * PDE, the 512 PV entries (each page's A/D from the PDE; onto *freepv)
 * under the run's one PV lock, the parked table (freed after the
 * shootdown).
 */
static void
pde_remove(struct pmap *pm, struct ptpath *path, vaddr_t va,
    struct pv_entry **freepv)
{
	pt_entry_t pde = __atomic_exchange_n(path->slot[2], 0, __ATOMIC_ACQ_REL);
	struct vm_page *ptp = ptp_parked(pm, va);
	struct vm_page *first = vm_page_from_phys(pde & PG_LGFRAME);

	KASSERT((va & (NBPD_L2 - 1)) == 0 && (pde & PG_PS));
	spin_lock(pv_lock_of(first));           /* the run's 512 pages' lock */
	for (int i = 0; i < NPTE; i++) {
		fold_attrs(&first[i], pde);
		pv_unlink(&first[i], pm, va + (vaddr_t)i * PAGE_SIZE, freepv);
	}
	spin_unlock(pv_lock_of(first));
	PCOUNT(pv_gone, NPTE);
	ptp_unpark(pm, ptp, 0);
	pm->pm_stats.resident -= NPTE;
	pm->pm_stats.large--;
	PCOUNT(large_removed, 1);
	ptp_defer_free(pm, ptp, va);
	ptp_unuse(pm, path, 2, va);
}

/* ------------------------------------------------------------------ */
/* Entering and removing single mappings                               */

/*
 * Clear the valid leaf at path->slot[1] for va, fold its A/D bits into the
 * page, drop its PV entry (returned through *freepv for the caller to put
 * back after unlocking) and free page tables left empty.  The exchange
 * reads the entry and clears it in one step: a D bit a CPU sets in
 * between cannot be lost.
 *  => pm's lock held; pvheld as for pv_remove.
 */
static void
pte_remove(struct pmap *pm, struct ptpath *path, vaddr_t va,
    const struct vm_page *pvheld, struct pv_entry **freepv)
{
	pt_entry_t pte = __atomic_exchange_n(path->slot[1], 0, __ATOMIC_ACQ_REL);

	KASSERT(pte & PG_V);
	tlb_queue(pm, va);
	pm->pm_stats.resident--;
	if (pte & PG_WIRED)
		pm->pm_stats.wired--;
	if (pte & PG_PVLIST) {
		pv_remove(vm_page_from_phys(pte & PG_FRAME), pm, va, pte, pvheld,
		    freepv);
	}
	ptp_unuse(pm, path, 1, va);
}

/* Give a list of PV entries back to their pool, a batch per pool lock round. */
static void
pv_free_list(struct pv_entry *pve)
{
	void *batch[64];
	int n = 0;

	while (pve != NULL) {
		batch[n++] = pve;
		pve = pve->pv_next;     /* read before the put poisons it */
		if (n == (int)ARRAY_SIZE(batch) || pve == NULL) {
			pool_put_many(&pv_pool, batch, n);
			PCOUNT(pv_pooled, -(uint64_t)n);
			n = 0;
		}
	}
}

/*
 * A valid entry at va was replaced; opte is what it held.  Keep the A/D
 * bits the CPUs set in it (same frame) or fold them into the old page
 * and drop its PV entry (another frame).  => pm's lock held.
 */
static void
pte_replaced(struct pmap *pm, pt_entry_t *slot, vaddr_t va, pt_entry_t opte,
    bool same, struct pv_entry **freepv)
{
	if (opte & PG_WIRED)
		pm->pm_stats.wired--;
	if (same && (opte & (PG_A | PG_M)))
		__atomic_or_fetch(slot, opte & (PG_A | PG_M), __ATOMIC_RELAXED);
	else if (!same && (opte & PG_PVLIST)) {
		pv_remove(vm_page_from_phys(opte & PG_FRAME), pm, va, opte, NULL,
		    freepv);
	}
	tlb_queue(pm, va);
}

/*
 * Take n PV entries from the pool as one list (pv_next) on *list: 0, or
 * -ENOMEM and none.
 */
static int
pv_get_list(int n, struct pv_entry **list)
{
	void *batch[64];
	int have = 0;

	*list = NULL;
	while (have < n) {
		int want = MIN(n - have, 64), got = pool_get_many(&pv_pool,
		    batch, want, 0);
		for (int i = 0; i < got; i++) {
			struct pv_entry *pve = batch[i];
			pve->pv_next = *list;
			*list = pve;
		}
		have += got;
		PCOUNT(pv_pooled, (uint64_t)got);
		if (got < want) {
			pv_free_list(*list);
			*list = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * An insert at va failed after pmap_leaf_alloc: if that left the leaf
 * table empty (just made, or the idle one), keep it as pm's idle table
 * or free it with the empty tables above, as a removal would: nothing
 * else would ever free it.  => pm's lock held.
 */
static void
leaf_release(struct pmap *pm, vaddr_t va)
{
	struct ptpath path;
	struct vm_page *ptp;

	if (pmap_walk(pm, va, &path) != 1)
		return;
	ptp = ptp_of(path.slot[1]);
	if (ptp->md.ptp_count == 0 && !ptp_keep(pm, ptp, va))
		ptp_unalloc(pm, &path, 1, va);
}

/*
 * Install npte at va, replacing what was there.  A new PV entry goes on
 * the page's list before the PTE is written (the rule in the header):
 * the page's own, or one taken off *spares.  pg is npte's managed page
 * (NULL: unmanaged), which every caller has at hand.  Returns false,
 * having changed nothing, when the page needs an entry from the pool
 * and *spares is empty.  => pm's lock held.
 */
static bool
pte_install(struct pmap *pm, pt_entry_t *slot, vaddr_t va, pt_entry_t npte,
    struct vm_page *pg, struct pv_entry **spares, struct pv_entry **freepv)
{
	pt_entry_t opte = *slot;
	bool same = (opte & PG_V) && (opte & PG_FRAME) == (npte & PG_FRAME);

	if (pg != NULL && !(same && (opte & PG_PVLIST)) &&
	    !pv_insert(pg, spares, pm, va))
		return false;
	if (npte & PG_WIRED)
		pm->pm_stats.wired++;
	if (opte & PG_V) {
		opte = __atomic_exchange_n(slot, npte, __ATOMIC_ACQ_REL);
		pte_replaced(pm, slot, va, opte, same, freepv);
		return true;
	}
	__atomic_store_n(slot, npte, __ATOMIC_RELEASE);
	pm->pm_stats.resident++;
	if (ptp_of(slot) != NULL)
		ptp_of(slot)->md.ptp_count++;
	return true;
}

/*
 * pmap_enter's work under pm's lock: 0, -ENOMEM (no table page) or
 * -EAGAIN (pg's own PV entry taken and no spare: get one and call
 * again).  => pm unlocked; *spare and *freepv as for pte_install.
 */
static int
enter_one(struct pmap *pm, vaddr_t va, pt_entry_t npte, struct vm_page *pg,
    int flags, struct pv_entry **spare, struct pv_entry **freepv)
{
	pt_entry_t *slot;
	int error = 0;

	spin_lock(&pm->pm_lock);
	if ((slot = pmap_leaf_alloc(pm, va)) == NULL)
		error = -ENOMEM;
	else if (!pte_install(pm, slot, va, npte, pg, spare, freepv)) {
		leaf_release(pm, va);
		error = -EAGAIN;
	} else if (flags & PMAP_PROMOTE)
		pt_try_promote(pm, va);
	ptp_free_deferred(pm);          /* pmap_leaf_alloc's failure */
	spin_unlock(&pm->pm_lock);
	return error;
}

int
pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, vm_prot_t prot, int flags)
{
	struct vm_page *pg = vm_page_from_phys(pa);
	struct pv_entry *spare = NULL, *freepv = NULL;
	pt_entry_t npte;
	int error = 0;

	if (!va_ok(pm, va) || (pa & PAGE_MASK) || (pa & ~PG_FRAME))
		return -EINVAL;
	KASSERT(pmap_initialized);
	npte = pa | PG_V | prot_bits(pm, prot, flags) | (pg != NULL ? PG_PVLIST : 0);
	/* A page mapped already needs a pool entry.  Its own may be taken
	 * meanwhile: -EAGAIN, and the next round comes with a spare. */
	bool need = pg != NULL && pv_own_taken(pg);
	do {
		error = need && spare == NULL ? pv_get_list(1, &spare) : 0;
		if (error == 0)
			error = enter_one(pm, va, npte, pg, flags, &spare, &freepv);
		need = true;
	} while (error == -EAGAIN);
	pv_free_list(spare);
	pv_free_list(freepv);
	if (error != 0 && !(flags & PMAP_CANFAIL))
		panic("pmap_enter: no memory for va %#lx", va);
	return error;
}

/* How many of the n pages from pgs[0] have their own PV entry taken (a hint). */
static int
pv_spares_needed(struct vm_page *const *pgs, int n)
{
	int need = 0;

	for (int i = 0; i < n; i++)
		need += pv_own_taken(pgs[i]);
	return need;
}

int
pmap_enter_pages(struct pmap *pm, vaddr_t va, struct vm_page **pgs, int n,
    vm_prot_t prot, int flags)
{
	struct pv_entry *spares = NULL, *freepv = NULL;
	pt_entry_t *slot = NULL, bits = PG_V | PG_PVLIST | prot_bits(pm, prot, 0);
	int done;

	KASSERT(n >= 1 && n <= PMAP_ENTER_MAX && pmap_initialized);
	KASSERT(va_ok(pm, va) && va_ok(pm, va + (vaddr_t)(n - 1) * PAGE_SIZE));
	/* Fresh pages need none; a run stops short where one lacks. */
	(void)pv_get_list(pv_spares_needed(pgs, n), &spares);
	spin_lock(&pm->pm_lock);
	for (done = 0; done < n; done++, va += PAGE_SIZE) {
		/* Walk the tables only at the run's start and into a new table. */
		slot = slot == NULL || PTE_INDEX(va, 1) == 0 ?
		    pmap_leaf_alloc(pm, va) : slot + 1;
		if (slot == NULL)
			break;
		if (!pte_install(pm, slot, va, pgs[done]->phys_addr | bits,
		    pgs[done], &spares, &freepv)) {
			leaf_release(pm, va);   /* the run stops short */
			break;
		}
		/* Leaving a table (or the run): it may have filled up. */
		if ((flags & PMAP_PROMOTE) &&
		    (PTE_INDEX(va, 1) == NPTE - 1 || done == n - 1)) {
			pt_try_promote(pm, va);
			slot = NULL;            /* walk again: it may be gone */
		}
	}
	ptp_free_deferred(pm);          /* pmap_leaf_alloc's failure */
	spin_unlock(&pm->pm_lock);
	pv_free_list(spares);           /* not used: fewer than feared */
	pv_free_list(freepv);
	return done;
}

/*
 * Map the run of NPTE pages from first at va with one PDE, each page's
 * PV entry its own or one off *spares (there are enough: the caller
 * counted with the pages' owner locked, so no mapping of them can be
 * added meanwhile).  The leaf table below (made if missing) must be
 * empty: it is parked for a later demotion.  => pm's lock held; returns
 * 0 or -ENOMEM (no table page).
 */
static int
pde_enter(struct pmap *pm, vaddr_t va, struct vm_page *first, pt_entry_t bits,
    struct pv_entry **spares)
{
	struct ptpath path;
	struct vm_page *ptp;

	if (pmap_leaf_alloc(pm, va) == NULL)
		return -ENOMEM;
	pmap_walk(pm, va, &path);
	ptp = ptp_of(path.slot[1]);
	if (ptp->md.ptp_count != 0)
		return -EBUSY;
	spin_lock(pv_lock_of(first));           /* the run's 512 pages' lock */
	for (int i = 0; i < NPTE; i++) {
		bool ok = pv_insert_locked(&first[i], spares, pm,
		    va + (vaddr_t)i * PAGE_SIZE);
		KASSERT(ok);
	}
	spin_unlock(pv_lock_of(first));
	PCOUNT(pv_made, NPTE);
	ptp_park(pm, ptp, va);
	__atomic_store_n(path.slot[2], first->phys_addr | bits | PG_PS,
	    __ATOMIC_RELEASE);
	/* A CPU may cache the old PDE (the empty table) in its walk caches. */
	tlb_queue(pm, va);
	pm->pm_stats.resident += NPTE;
	pm->pm_stats.large++;
	PCOUNT(promotions, 1);
	return 0;
}

int
pmap_enter_large(struct pmap *pm, vaddr_t va, struct vm_page *first, vm_prot_t prot)
{
	pt_entry_t bits = PG_V | PG_PVLIST | prot_bits(pm, prot, 0);
	struct pv_entry *spares;
	int need = 0, error;

	KASSERT(!pm->pm_kernel && (va & (NBPD_L2 - 1)) == 0 && va_ok(pm, va));
	KASSERT((first->phys_addr & (NBPD_L2 - 1)) == 0);
	for (int i = 0; i < NPTE; i++)
		need += pv_own_taken(&first[i]);        /* fresh pages: none */
	if (pv_get_list(need, &spares) != 0)
		return -ENOMEM;
	spin_lock(&pm->pm_lock);
	error = pde_enter(pm, va, first, bits, &spares);
	ptp_free_deferred(pm);          /* pmap_leaf_alloc's failure */
	spin_unlock(&pm->pm_lock);
	pv_free_list(spares);
	return error;
}

/* May next_mapped skip e's span?  Missing, or the kernel's direct map. */
static bool
skippable(const struct pmap *pm, int lvl, pt_entry_t e)
{
	return !(e & PG_V) || ((e & PG_PS) && !is_large(pm, lvl, e));
}

/*
 * First address at or after va that could be mapped in pm, skipping
 * whole missing tables; returns end if none before it.  A large
 * mapping stops it (at va, or at its start).
 */
static vaddr_t
next_mapped(const struct pmap *pm, vaddr_t va, vaddr_t end)
{
	struct ptpath path;
	int lvl;

	/* While the entry at lvl is missing, skip its span, and the spans
	 * of the missing entries after it in the same table without walking
	 * down again: an exit's pmap_remove of all user space would
	 * otherwise walk once for each empty PML4 slot. */
	while (va < end && (lvl = pmap_walk(pm, va, &path)) != 1 &&
	    skippable(pm, lvl, *path.slot[lvl])) {
		uint64_t span = 1ULL << (12 + 9 * (lvl - 1));
		pt_entry_t *slot = path.slot[lvl];
		do {
			vaddr_t next = ROUND_DOWN(va, span) + span;
			va = (next <= va || next > end) ? end : next;
			slot++;
		} while (va < end && PTE_INDEX(va, lvl) != 0 &&
		    skippable(pm, lvl, *slot));
	}
	return va;
}

/* The end of the leaf table's span holding va, or end if sooner. */
static vaddr_t
table_end(vaddr_t va, vaddr_t end)
{
	vaddr_t next = ROUND_DOWN(va, NBPD_L2) + NBPD_L2;

	return next <= va || next > end ? end : next;
}

/*
 * Remove the valid PTEs of [va, table_end) from the leaf table that holds
 * va (it exists: next_mapped): one walk for the table, then its slots in
 * turn, until the table empties (freed or kept, ptp_unuse) or the range
 * ends.  A large mapping the range covers goes whole; one it covers in
 * part is demoted first.  Returns where the next table starts.
 *  => pm's lock held.
 */
static vaddr_t
remove_in_table(struct pmap *pm, vaddr_t va, vaddr_t eva, struct pv_entry **freepv)
{
	vaddr_t end = table_end(va, eva);
	struct ptpath path;
	struct vm_page *ptp;
	pt_entry_t *slot;

	int lvl = pmap_walk(pm, va, &path);
	if (is_large(pm, lvl, *path.slot[lvl]) && (va & (NBPD_L2 - 1)) == 0 &&
	    end == va + NBPD_L2) {
		pde_remove(pm, &path, va, freepv);
		return end;
	}
	if (pmap_walk_small(pm, va, &path) != 1)
		return end;
	slot = path.slot[1];
	ptp = ptp_of(slot);
	for (; va < end && (ptp == NULL || ptp->md.ptp_count > 0); va += PAGE_SIZE, slot++) {
		if (!(*slot & PG_V))
			continue;
		path.slot[1] = slot;
		pte_remove(pm, &path, va, NULL, freepv);
	}
	return end;
}

void
pmap_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva)
{
	struct pv_entry *freepv = NULL;

	KASSERT((sva & PAGE_MASK) == 0 && (eva & PAGE_MASK) == 0);
	spin_lock(&pm->pm_lock);
	for (vaddr_t va = sva; va < eva && va >= sva;) {
		va = next_mapped(pm, va, eva);
		if (va >= eva)
			break;
		va = remove_in_table(pm, va, eva, &freepv);
	}
	ptp_free_deferred(pm);
	spin_unlock(&pm->pm_lock);
	pv_free_list(freepv);
}

/* Clear clr and set set in the entry at slot (va), if valid and they change it. */
static void
entry_protect(struct pmap *pm, pt_entry_t *slot, vaddr_t va, pt_entry_t clr,
    pt_entry_t set)
{
	pt_entry_t pte = *slot;

	/* RW and NX change only under pm's lock: this read is stable. */
	if (!(pte & PG_V) || ((pte & ~clr) | set) == pte)
		return;
	pte_update(slot, clr, set);
	tlb_queue(pm, va);
}

/*
 * pmap_protect's remove_in_table: the PTEs of [va, table_end) in va's
 * leaf table, or a large mapping's PDE when the range covers all of it
 * (demoted first when it does not).  Returns where the next table
 * starts.  => pm's lock held.
 */
static vaddr_t
protect_in_table(struct pmap *pm, vaddr_t va, vaddr_t eva, pt_entry_t clr,
    pt_entry_t set)
{
	vaddr_t end = table_end(va, eva);
	struct ptpath path;
	int lvl = pmap_walk(pm, va, &path);

	if (is_large(pm, lvl, *path.slot[lvl]) && (va & (NBPD_L2 - 1)) == 0 &&
	    end == va + NBPD_L2) {
		entry_protect(pm, path.slot[2], va, clr, set);
		return end;
	}
	if (pmap_walk_small(pm, va, &path) != 1)
		return end;
	for (pt_entry_t *slot = path.slot[1]; va < end; va += PAGE_SIZE, slot++)
		entry_protect(pm, slot, va, clr, set);
	return end;
}

void
pmap_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, vm_prot_t prot)
{
	pt_entry_t clr = (prot & VM_PROT_WRITE) ? 0 : PG_RW;
	pt_entry_t set = (prot & VM_PROT_EXECUTE) ? 0 : PG_NX;

	KASSERT((sva & PAGE_MASK) == 0 && (eva & PAGE_MASK) == 0);
	if (!(prot & VM_PROT_READ)) {
		pmap_remove(pm, sva, eva);
		return;
	}
	spin_lock(&pm->pm_lock);
	for (vaddr_t va = sva; va < eva && va >= sva;) {
		va = next_mapped(pm, va, eva);
		if (va >= eva)
			break;
		va = protect_in_table(pm, va, eva, clr, set);
	}
	spin_unlock(&pm->pm_lock);
}

/*
 * Move the valid leaf at slot (va) to the empty slot dst (nva): the same
 * frame and bits, A/D as the exchange found them, its PV entry renamed
 * under the page's PV lock (so a reader there sees the entry and the PTE
 * agree), dst's table counted (the caller uncounts slot's).  *held is
 * the PV lock the caller holds, or NULL: pages of one 2 MiB frame share
 * one, so a run of them takes it once (the caller drops the last).
 *  => pm's lock held.
 */
static void
pte_move(struct pmap *pm, pt_entry_t *slot, vaddr_t va, pt_entry_t *dst,
    vaddr_t nva, struct spinlock **held)
{
	pt_entry_t pte = __atomic_exchange_n(slot, 0, __ATOMIC_ACQ_REL);
	struct vm_page *pg = vm_page_from_phys(pte & PG_FRAME);

	KASSERT((pte & PG_V) && !(*dst & PG_V));
	if (pte & PG_PVLIST) {
		struct spinlock *l = pv_lock_of(pg);
		if (*held != l) {
			if (*held != NULL)
				spin_unlock(*held);
			spin_lock(l);
			*held = l;
		}
		(*pv_find(pg, pm, va))->pv_va = nva;
	}
	__atomic_store_n(dst, pte, __ATOMIC_RELEASE);
	if (ptp_of(dst) != NULL)
		ptp_of(dst)->md.ptp_count++;
	tlb_queue(pm, va);
}

/*
 * Move the valid leaves of [va, end) to the same offsets from nva.  The
 * caller cuts the run at the end of a leaf table on either side, so the
 * slots on each side lie one after another: one walk per side per run,
 * not three per page.  The table at nva is made only for a run with a
 * leaf in it (an empty one would never be freed, and pmap_destroy would
 * find it); if none can be had, the leaves are removed instead and fault
 * back in.  The source table is uncounted once the run is done: emptied,
 * it is freed, and the loop must not read it after.  => pm's lock held.
 */
static void
move_run(struct pmap *pm, vaddr_t va, vaddr_t end, vaddr_t nva,
    struct pv_entry **freepv)
{
	struct ptpath path;
	pt_entry_t *slot, *dst;
	int moved = 0;

	if (pmap_walk_small(pm, va, &path) != 1)
		return;
	for (slot = path.slot[1]; va < end && !(*slot & PG_V); slot++)
		va += PAGE_SIZE, nva += PAGE_SIZE;
	if (va >= end)
		return;
	if ((dst = pmap_leaf_alloc(pm, nva)) == NULL) {
		for (; va < end; va += PAGE_SIZE)
			if (pmap_walk(pm, va, &path) == 1 && (*path.slot[1] & PG_V))
				pte_remove(pm, &path, va, NULL, freepv);
		return;
	}
	vaddr_t from = va;
	struct spinlock *held = NULL;
	for (; va < end; va += PAGE_SIZE, nva += PAGE_SIZE, slot++, dst++) {
		if (*slot & PG_V) {
			pte_move(pm, slot, va, dst, nva, &held);
			moved++;
		}
	}
	if (held != NULL)
		spin_unlock(held);
	while (moved-- > 0)
		ptp_unuse(pm, &path, 1, from);
}

/*
 * If va starts a large mapping that lies inside [va, end) and nva is 2
 * MiB aligned too, move it whole: its PDE to nva's PD slot, each page's
 * PV entry renamed (under its PV lock), the empty leaf table at nva
 * parked in place of the old one, which is freed.  Returns whether it
 * did; if not (no large mapping there, misaligned, a page mapped at the
 * new place, no table page) nothing changed.  => pm's lock held.
 */
static bool
pde_move(struct pmap *pm, vaddr_t va, vaddr_t nva, vaddr_t end)
{
	struct ptpath src, dst;
	struct vm_page *ptp;
	pt_entry_t pde;

	if (((va | nva) & (NBPD_L2 - 1)) != 0 || end - va < NBPD_L2)
		return false;
	int lvl = pmap_walk(pm, va, &src);
	if (!is_large(pm, lvl, *src.slot[lvl]) || pmap_leaf_alloc(pm, nva) == NULL)
		return false;
	pmap_walk(pm, nva, &dst);
	ptp = ptp_of(dst.slot[1]);
	if (ptp->md.ptp_count != 0)
		return false;
	pmap_walk(pm, va, &src);                /* a new table may sit above */
	pde = __atomic_exchange_n(src.slot[2], 0, __ATOMIC_ACQ_REL);
	struct spinlock *l = pv_lock_of(vm_page_from_phys(pde & PG_LGFRAME));
	spin_lock(l);                           /* the run's 512 pages' lock */
	for (int i = 0; i < NPTE; i++) {
		struct vm_page *pg = vm_page_from_phys((pde & PG_LGFRAME) +
		    (paddr_t)i * PAGE_SIZE);
		(*pv_find(pg, pm, va + (vaddr_t)i * PAGE_SIZE))->pv_va =
		    nva + (vaddr_t)i * PAGE_SIZE;
	}
	spin_unlock(l);
	ptp_park(pm, ptp, nva);
	__atomic_store_n(dst.slot[2], pde, __ATOMIC_RELEASE);
	ptp = ptp_parked(pm, va);
	ptp_unpark(pm, ptp, 0);
	ptp_defer_free(pm, ptp, va);
	ptp_unuse(pm, &src, 2, va);
	tlb_queue(pm, nva);             /* the walk caches' old PDE there */
	return true;
}

/*
 * Move pm's mappings of [old, old + size) to the same offsets from new
 * ([new, new + size) maps nothing), as mremap moves the entries above
 * them: the pages keep their frames and bits and need no fault at the
 * new address.  A leaf that finds no page for a new table is removed
 * instead (it faults back in).  => takes pm's lock; shoots the old
 * addresses down before it returns (pmap_update's work).
 */
void
pmap_move(struct pmap *pm, vaddr_t old, vaddr_t new, vsize_t size)
{
	struct pv_entry *freepv = NULL;

	KASSERT(((old | new | size) & PAGE_MASK) == 0 && !pm->pm_kernel);
	spin_lock(&pm->pm_lock);
	for (vaddr_t va = old, end = old + size; va < end;) {
		va = next_mapped(pm, va, end);
		if (va >= end)
			break;
		vaddr_t nva = va - old + new;
		if (pde_move(pm, va, nva, end)) {
			va += NBPD_L2;
			continue;
		}
		/* To the nearer of the two tables' ends. */
		vaddr_t run = MIN(table_end(va, end) - va, table_end(nva, nva + (end - va)) - nva);
		move_run(pm, va, va + run, nva, &freepv);
		va += run;
	}
	tlb_update_locked(pm);
	spin_unlock(&pm->pm_lock);
	pv_free_list(freepv);
}

void
pmap_unwire(struct pmap *pm, vaddr_t va)
{
	spin_lock(&pm->pm_lock);
	pt_entry_t *slot = pmap_leaf(pm, va);
	if (slot != NULL && (*slot & PG_V) && (*slot & PG_WIRED)) {
		pte_update(slot, PG_WIRED, 0);
		pm->pm_stats.wired--;
	}
	spin_unlock(&pm->pm_lock);
}

bool
pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa)
{
	struct ptpath path;
	bool found = false;

	spin_lock(&pm->pm_lock);
	int lvl = pmap_walk(pm, va, &path);
	pt_entry_t e = *path.slot[lvl];
	if ((e & PG_V) && (lvl == 1 || (e & PG_PS))) {
		uint64_t span = 1ULL << (12 + 9 * (lvl - 1));
		if (pa != NULL)
			*pa = (e & PG_FRAME & ~(span - 1)) | (va & (span - 1));
		found = true;
	}
	spin_unlock(&pm->pm_lock);
	return found;
}

uint64_t
pmap_pte_lookup(struct pmap *pm, vaddr_t va)
{
	struct ptpath path;

	spin_lock(&pm->pm_lock);
	int lvl = pmap_walk(pm, va, &path);
	pt_entry_t e = *path.slot[lvl];
	spin_unlock(&pm->pm_lock);
	return (lvl == 1 || (e & PG_PS)) ? e : 0;
}

bool
pmap_user_word_op(struct pmap *pm, vaddr_t va, bool write,
    void (*op)(volatile uint32_t *word, void *arg), void *arg)
{
	pt_entry_t need = PG_V | PG_U | (write ? PG_RW : 0), e;
	struct ptpath path;
	int lvl, shift;
	bool ok;

	KASSERT((va & 3) == 0 && va < USER_MAX);
	spin_lock(&pm->pm_lock);
	lvl = pmap_walk(pm, va, &path);
	e = *path.slot[lvl];
	ok = (lvl == 1 || (e & PG_PS)) && (e & need) == need;
	if (ok) {
		shift = PAGE_SHIFT + 9 * (lvl - 1);     /* a 4 KiB or a large page */
		paddr_t pa = (e & PG_FRAME & ~((1UL << shift) - 1)) +
		    (va & ((1UL << shift) - 1));
		__atomic_or_fetch(path.slot[lvl], PG_A | (write ? PG_M : 0),
		    __ATOMIC_RELAXED);
		op((volatile uint32_t *)PHYS_TO_DMAP(pa), arg);
	}
	spin_unlock(&pm->pm_lock);
	return ok;
}

vm_prot_t
pmap_prot(struct pmap *pm, vaddr_t va)
{
	pt_entry_t e = pmap_pte_lookup(pm, va);

	if (!(e & PG_V))
		return VM_PROT_NONE;
	return VM_PROT_READ | ((e & PG_RW) ? VM_PROT_WRITE : 0) |
	    ((e & PG_NX) ? 0 : VM_PROT_EXECUTE);
}

/* ------------------------------------------------------------------ */
/* Operations on every mapping of a page                               */

/*
 * Remove every mapping of pg, one pmap at a time, each shot down before
 * its pmap's lock is let go (the caller may free pg once this returns).
 *  => pg's PV lock l held; it is let go and taken again while a pmap is
 *     busy (pv_lock_pmap).
 */
static void
page_remove_all(struct vm_page *pg, struct spinlock *l, struct pv_entry **freepv)
{
	struct pv_entry *pv;
	struct ptpath path;

	while ((pv = pg->md.pv_list) != NULL) {
		struct pmap *pm = pv->pv_pmap;
		vaddr_t va = pv->pv_va;
		if (!pv_lock_pmap(pv, l))
			continue;
		pmap_walk_small(pm, va, &path);
		pte_remove(pm, &path, va, pg, freepv);
		tlb_update_locked(pm);
		spin_unlock(&pm->pm_lock);
	}
}

/*
 * Clear bit (PG_RW, PG_A or PG_M) in every mapping of pg and shoot each
 * changed one down at once (the TLB remembers A/D were set: without the
 * invalidation the CPU would not set them in the PTE again).  Returns
 * whether any mapping had it.  => pg's PV lock l held, as above.
 */
static bool
page_clear_all(struct vm_page *pg, struct spinlock *l, pt_entry_t bit)
{
	bool was = false;

again:
	for (struct pv_entry *pv = pg->md.pv_list; pv != NULL; pv = pv->pv_next) {
		if (!pv_lock_pmap(pv, l))
			goto again;
		struct ptpath path;
		pmap_walk_small(pv->pv_pmap, pv->pv_va, &path);
		pt_entry_t *slot = path.slot[1];
		if (*slot & bit) {
			was = true;
			pte_update(slot, bit, 0);
			tlb_now(pv->pv_pmap, pv->pv_va);
		}
		spin_unlock(&pv->pv_pmap->pm_lock);
	}
	return was;
}

void
pmap_page_protect(struct vm_page *pg, vm_prot_t prot)
{
	struct spinlock *l = pv_lock_of(pg);
	struct pv_entry *freepv = NULL;

	if (prot & VM_PROT_WRITE)
		return;                 /* nothing to lower */
	spin_lock(l);
	if (prot == VM_PROT_NONE)
		page_remove_all(pg, l, &freepv);
	else
		page_clear_all(pg, l, PG_RW);
	spin_unlock(l);
	pv_free_list(freepv);
}

/* Is bit set in any current mapping of pg?  => pg's PV lock l held, as above. */
static bool
any_pte_has(struct vm_page *pg, struct spinlock *l, pt_entry_t bit)
{
again:
	for (struct pv_entry *pv = pg->md.pv_list; pv != NULL; pv = pv->pv_next) {
		if (!pv_lock_pmap(pv, l))
			goto again;
		bool set = (*pmap_entry(pv->pv_pmap, pv->pv_va) & bit) != 0;
		spin_unlock(&pv->pv_pmap->pm_lock);
		if (set)
			return true;
	}
	return false;
}

/*
 * Clear bit in every mapping and attr in md.attrs; was either set?  The
 * attributes are read last: a mapping removed while the walk let go of
 * the PV lock has folded its bits into them by the time it gets it back.
 */
static bool
clear_bit(struct vm_page *pg, pt_entry_t bit, uint16_t attr)
{
	struct spinlock *l = pv_lock_of(pg);
	bool was;

	spin_lock(l);
	was = page_clear_all(pg, l, bit);
	was |= (pg->md.attrs & attr) != 0;
	pg->md.attrs &= ~attr;
	spin_unlock(l);
	return was;
}

/*
 * Is bit set in a mapping of pg or attr in its attributes?  Each PTE is
 * read with its pmap locked: a removal exchanges the PTE to 0 before it
 * folds the bits into md.attrs, and in between only its pmap's lock says
 * the bits are on their way.  The attributes are read last, as above.
 */
static bool
test_bit(struct vm_page *pg, pt_entry_t bit, uint16_t attr)
{
	struct spinlock *l = pv_lock_of(pg);
	bool set;

	spin_lock(l);
	set = any_pte_has(pg, l, bit) || (pg->md.attrs & attr) != 0;
	spin_unlock(l);
	return set;
}

uint32_t
pmap_page_mapcount(struct vm_page *pg)
{
	return __atomic_load_n(&pg->md.pv_count, __ATOMIC_RELAXED);
}

bool
pmap_is_modified(struct vm_page *pg)
{
	return test_bit(pg, PG_M, PMAP_ATTR_MOD);
}

bool
pmap_is_referenced(struct vm_page *pg)
{
	return test_bit(pg, PG_A, PMAP_ATTR_REF);
}

bool
pmap_clear_modify(struct vm_page *pg)
{
	return clear_bit(pg, PG_M, PMAP_ATTR_MOD);
}

bool
pmap_clear_reference(struct vm_page *pg)
{
	return clear_bit(pg, PG_A, PMAP_ATTR_REF);
}

/* ------------------------------------------------------------------ */
/* Unmanaged kernel mappings                                           */

void
pmap_kenter_pa(vaddr_t va, paddr_t pa, vm_prot_t prot, int flags)
{
	struct pmap *pm = &kernel_pmap_store;

	KASSERT(va_ok(pm, va) && (pa & PAGE_MASK) == 0);
	spin_lock(&pm->pm_lock);
	pt_entry_t *slot = pmap_leaf_alloc(pm, va);
	if (slot == NULL)
		panic("pmap_kenter_pa: no page for a page table at %#lx", va);
	pt_entry_t opte = *slot;
	KASSERT(!(opte & PG_PVLIST));
	__atomic_store_n(slot, pa | PG_V | prot_bits(pm, prot, flags & ~PMAP_WIRED),
	    __ATOMIC_RELEASE);
	if (opte & PG_V)
		tlb_now(pm, va);
	else {
		pm->pm_stats.resident++;
		ptp_of(slot)->md.ptp_count++;
	}
	spin_unlock(&pm->pm_lock);
}

void
pmap_kremove(vaddr_t va, vsize_t len)
{
	struct pmap *pm = &kernel_pmap_store;
	struct pv_entry *freepv = NULL;
	struct ptpath path;

	spin_lock(&pm->pm_lock);
	for (vaddr_t end = va + len; va < end; va += PAGE_SIZE) {
		if (pmap_walk(pm, va, &path) != 1 || !(*path.slot[1] & PG_V))
			continue;
		KASSERT(!(*path.slot[1] & PG_PVLIST));
		pte_remove(pm, &path, va, NULL, &freepv);
	}
	ptp_free_deferred(pm);
	spin_unlock(&pm->pm_lock);
	KASSERT(freepv == NULL);
}

/* ------------------------------------------------------------------ */
/* Whole pmaps                                                         */

struct pmap *
pmap_kernel(void)
{
	return &kernel_pmap_store;
}

struct pmap *
pmap_current(void)
{
	return curcpu()->ci_pmap;
}

struct pmap *
pmap_create(void)
{
	struct pmap *pm = pool_get(&pmap_pool, PR_ZERO);
	struct vm_page *pml4;

	if (pm == NULL)
		return NULL;
	pml4 = vm_page_alloc_kernel(VM_PAGE_ZERO);
	if (pml4 == NULL) {
		pool_put(&pmap_pool, pm);
		return NULL;
	}
	vm_page_wire(pml4);
	pm->pm_pml4_pa = pml4->phys_addr;
	pm->pm_pml4 = PHYS_TO_DMAP(pm->pm_pml4_pa);
	pm->pm_refs = 1;
	pm->pm_lock = (struct spinlock)SPINLOCK_INIT("pmap");
	TAILQ_INIT(&pm->pm_ptp_free);
	TAILQ_INIT(&pm->pm_ptp_parked);
	/* The kernel half: the same PDPTs as every other pmap. */
	memcpy(&pm->pm_pml4[NPTE / 2], &kernel_pmap_store.pm_pml4[NPTE / 2],
	    (NPTE / 2) * sizeof(pt_entry_t));
	spin_lock(&pmap_list_lock);
	TAILQ_INSERT_TAIL(&all_pmaps, pm, pm_list);
	spin_unlock(&pmap_list_lock);
	return pm;
}

void
pmap_destroy(struct pmap *pm)
{
	KASSERT(pm->pm_refs > 0 && !pm->pm_kernel);
	if (__atomic_sub_fetch(&pm->pm_refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* No CPU may still have it loaded (nor load it again). */
	KASSERT(__atomic_load_n(&pm->pm_cpus, __ATOMIC_ACQUIRE) == 0);
	/*
	 * Removing every user mapping frees every table below the PML4 (but
	 * for the idle one, ptp_keep: it goes after) and takes its entries
	 * off the pages' PV lists: from then on no PV lock leads here, and
	 * the pmap may go.  An exit has removed them all already, entry by
	 * entry (uvm_unmap): with nothing mapped the only tables left are
	 * the idle one and its parents, and the walk would just read the
	 * parents' empty slots, some 1,300 (13 k cycles an exit under QEMU).
	 */
	spin_lock(&pm->pm_lock);
	if (pm->pm_stats.resident != 0) {
		spin_unlock(&pm->pm_lock);
		pmap_remove(pm, 0, USER_MAX);
		spin_lock(&pm->pm_lock);
	}
	ptp_idle_drop(pm);
	ptp_free_deferred(pm);
	spin_unlock(&pm->pm_lock);
	KASSERT(pm->pm_stats.resident == 0 && pm->pm_stats.ptpages == 0);
	KASSERT(TAILQ_EMPTY(&pm->pm_ptp_parked) && pm->pm_stats.large == 0);
	spin_lock(&pmap_list_lock);
	TAILQ_REMOVE(&all_pmaps, pm, pm_list);
	spin_unlock(&pmap_list_lock);
	vm_page_free(vm_page_from_phys(pm->pm_pml4_pa));
	pool_put(&pmap_pool, pm);
}

/*
 * Join pm before loading it, leave the old one after: a shootdown that
 * reads pm_cpus (after its PTE stores and a fence, tlb_targets) either
 * sees this CPU's bit or happens before the CR3 load, whose walk then
 * sees its PTEs.  Interrupts off: the bits and ci_pmap change together.
 */
void
pmap_activate(struct pmap *pm)
{
	uint64_t s = intr_disable();
	struct cpu_info *ci = curcpu();
	struct pmap *old = ci->ci_pmap;
	cpuset_t me = 1UL << ci->ci_index;

	if (old != pm) {
		if (!pm->pm_kernel)
			__atomic_or_fetch(&pm->pm_cpus, me, __ATOMIC_SEQ_CST);
		ci->ci_pmap = pm;
		PCOUNT(activations, 1);
		lcr3(pm->pm_pml4_pa);
		if (old != NULL && !old->pm_kernel)
			__atomic_and_fetch(&old->pm_cpus, ~me, __ATOMIC_RELEASE);
	}
	intr_restore(s);
}

/*
 * Zero a page with plain 8-byte stores, 64 to a loop turn, instead of
 * `rep stosq`.  On hardware the two are close; under QEMU's TCG, where
 * every make bench and make test runs, each turn of a `rep` is a trip
 * through the translated block, and this loop zeroes a page in about
 * half the cycles (measured in user space on a cold page: ~2.4k against
 * ~5k).  No SSE: the kernel never touches the user's vector registers.
 */
void
pmap_zero_page(paddr_t pa)
{
	char *p = PHYS_TO_DMAP(pa);

	for (char *end = p + PAGE_SIZE; p < end; p += 512)
		__asm__ volatile(".set off, 0\n"
		    ".rept 64\n\tmovq %1, off(%0)\n.set off, off + 8\n.endr"
		    : : "r"(p), "r"(0ULL) : "memory");
}

/* The copy-on-write copy, unrolled like pmap_zero_page (not `rep movsq`). */
void
pmap_copy_page(paddr_t src, paddr_t dst)
{
	const char *s = PHYS_TO_DMAP(src);
	char *d = PHYS_TO_DMAP(dst);
	uint64_t tmp;

	for (const char *end = s + PAGE_SIZE; s < end; s += 256, d += 256)
		__asm__ volatile(".set off, 0\n"
		    ".rept 32\n\tmovq off(%1), %0\n\tmovq %0, off(%2)\n"
		    ".set off, off + 8\n.endr"
		    : "=&r"(tmp) : "r"(s), "r"(d) : "memory");
}

/* ------------------------------------------------------------------ */
/* Boot                                                                */

/* Map [0, end) at DMAP_BASE with 2 MiB pages: read+write, global, NX. */
static void
build_direct_map(struct pmap *pm, paddr_t end)
{
	paddr_t pdpt = vm_page_boot_steal(1);
	pt_entry_t *pdpt_v = PHYS_TO_DMAP(pdpt);

	KASSERT(end <= NBPD_L4);
	pm->pm_pml4[PML4_SLOT_DMAP] = pdpt | PG_V | PG_RW;
	for (paddr_t gb = 0; gb < end; gb += NBPD_L3) {
		paddr_t pd = vm_page_boot_steal(1);
		pt_entry_t *pd_v = PHYS_TO_DMAP(pd);
		pdpt_v[gb >> L3_SHIFT] = pd | PG_V | PG_RW;
		for (int i = 0; i < NPTE; i++)
			pd_v[i] = (gb + ((paddr_t)i << L2_SHIFT)) | PG_V | PG_RW |
			    PG_PS | PG_G | PG_NX;
	}
}

/* Map the kernel image pages [start, end) with 4 KiB pages and bits. */
static void
map_image_range(struct pmap *pm, vaddr_t start, vaddr_t end, pt_entry_t bits)
{
	for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
		pt_entry_t *table = pm->pm_pml4;
		for (int lvl = 4; lvl > 1; lvl--) {
			pt_entry_t *slot = &table[PTE_INDEX(va, lvl)];
			if (!(*slot & PG_V))
				*slot = vm_page_boot_steal(1) | PG_V | PG_RW;
			table = table_kva(*slot);
		}
		table[PTE_INDEX(va, 1)] = KVA_TO_PHYS(va) | PG_V | PG_G | bits;
	}
}

void
pmap_bootstrap(paddr_t dmap_end)
{
	struct pmap *pm = &kernel_pmap_store;

	pm->pm_pml4_pa = vm_page_boot_steal(1);
	pm->pm_pml4 = PHYS_TO_DMAP(pm->pm_pml4_pa);
	pm->pm_kernel = true;
	pm->pm_refs = 1;
	pm->pm_lock = (struct spinlock)SPINLOCK_INIT("kpmap");
	TAILQ_INIT(&pm->pm_ptp_free);
	TAILQ_INIT(&pm->pm_ptp_parked);
	dmap_end_pa = ROUND_UP(MAX(dmap_end, 4ULL << 30), NBPD_L3);
	build_direct_map(pm, dmap_end_pa);
	/* The arena's PDPT exists from the start so every pmap shares it. */
	pm->pm_pml4[PML4_SLOT_KVA] = vm_page_boot_steal(1) | PG_V | PG_RW;
	map_image_range(pm, (vaddr_t)kernel_text_start,
	    ROUND_UP((vaddr_t)kernel_text_end, PAGE_SIZE), 0);
	map_image_range(pm, (vaddr_t)kernel_rodata_start,
	    ROUND_UP((vaddr_t)kernel_rodata_end, PAGE_SIZE), PG_NX);
	map_image_range(pm, (vaddr_t)kernel_data_start, (vaddr_t)kernel_data_end,
	    PG_RW | PG_NX);
	lcr4(rcr4() | CR4_PGE);
	lcr3(pm->pm_pml4_pa);   /* the identity map is gone from here on */
	curcpu()->ci_pmap = pm;
	TAILQ_INSERT_TAIL(&all_pmaps, pm, pm_list);
}

/* Count valid entries of a boot-built table and its subtables.  Returns the count. */
static int
recount_table(struct pmap *pm, pt_entry_t *table, int lvl, int first, int last)
{
	int valid = 0;

	for (int i = first; i <= last; i++) {
		pt_entry_t e = table[i];
		if (!(e & PG_V))
			continue;
		valid++;
		if (lvl == 1) {
			pm->pm_stats.resident++;
		} else if (!(e & PG_PS)) {
			int n = recount_table(pm, table_kva(e), lvl - 1, 0, NPTE - 1);
			struct vm_page *ptp = vm_page_from_phys(e & PG_FRAME);
			KASSERT(ptp != NULL);
			ptp->md.ptp_count = (uint16_t)n;
			pm->pm_stats.ptpages++;
		}
	}
	return valid;
}

void
pmap_init(void)
{
	struct pmap *pm = &kernel_pmap_store;

	pool_init(&pv_pool, sizeof(struct pv_entry), 8, "pvpl");
	pool_init(&pmap_pool, sizeof(struct pmap), 64, "pmappl");
	/* The boot tables were built before vm_pages existed: count them now. */
	pm->pm_stats.resident = pm->pm_stats.ptpages = 0;
	recount_table(pm, pm->pm_pml4, 4, NPTE / 2, NPTE - 1);
	pmap_ptpkeep_on = kopt_get_u64("ptpkeep", 1) != 0;
	pmap_initialized = true;
}

/* ------------------------------------------------------------------ */
/* Checker and printers                                                */

struct pcheck {
	struct pmap *pm;
	kprint_fn pr;
	int bad;
	uint64_t leaves, wired, tables, pvleaves, large;
};

/* The sign-extended address of entry i of a level-lvl table at base. */
static vaddr_t
entry_va(vaddr_t base, int lvl, int i)
{
	vaddr_t va = base + ((vaddr_t)i << (12 + 9 * (lvl - 1)));

	return (va & (1ULL << 47)) ? (va | 0xffff000000000000ULL) : va;
}

/* How many of pg's PV entries are (pm, va)?  => pm's lock held; takes pg's PV lock. */
static int
pv_matches(const struct vm_page *pg, const struct pmap *pm, vaddr_t va)
{
	struct spinlock *l = pv_lock_of(pg);
	int n = 0;

	spin_lock(l);
	for (const struct pv_entry *pv = pg->md.pv_list; pv; pv = pv->pv_next)
		n += pv->pv_pmap == pm && pv->pv_va == va;
	spin_unlock(l);
	return n;
}

static void
check_leaf(struct pcheck *c, pt_entry_t e, vaddr_t va)
{
	struct vm_page *pg = vm_page_from_phys(e & PG_FRAME);

	c->leaves++;
	c->wired += (e & PG_WIRED) != 0;
	if (c->pm->pm_kernel == ((e & PG_U) != 0)) {
		c->pr("pmap_check: %p va %#lx: user bit wrong\n", (void *)c->pm, va);
		c->bad++;
	}
	if (!(e & PG_PVLIST)) {
		if (pg != NULL && !c->pm->pm_kernel) {
			c->pr("pmap_check: va %#lx maps managed page %#lx with no PV\n",
			    va, e & PG_FRAME);
			c->bad++;
		}
		return;
	}
	c->pvleaves++;
	if (pg == NULL || pv_matches(pg, c->pm, va) != 1) {
		c->pr("pmap_check: %p va %#lx -> %#lx: PV entry missing or doubled\n",
		    (void *)c->pm, va, e & PG_FRAME);
		c->bad++;
	}
}

/*
 * A large mapping: its run aligned, its parked table there, and each of
 * its 512 pages checked as the PTE a demotion would make.
 */
static void
check_large(struct pcheck *c, pt_entry_t e, vaddr_t va)
{
	struct vm_page *ptp;
	bool parked = false;

	c->large++;
	TAILQ_FOREACH(ptp, &c->pm->pm_ptp_parked, pageq)
		parked |= (vaddr_t)ptp->offset == va;
	if (!parked || (e & PG_FRAME & (NBPD_L2 - 1)) || (e & PG_WIRED)) {
		c->pr("pmap_check: %p large mapping at %#lx: %s\n", (void *)c->pm,
		    va, !parked ? "no parked table" : "frame or bits wrong");
		c->bad++;
	}
	for (int i = 0; i < NPTE; i++) {
		check_leaf(c, ((e & PG_LGFRAME) + (paddr_t)i * PAGE_SIZE) |
		    (e & (LARGE_BITS | PG_A | PG_M)), va + (vaddr_t)i * PAGE_SIZE);
	}
}

static void
check_table(struct pcheck *c, pt_entry_t *table, int lvl, vaddr_t base,
    int first, int last)
{
	int valid = 0;

	for (int i = first; i <= last; i++) {
		pt_entry_t e = table[i];
		if (!(e & PG_V))
			continue;
		valid++;
		vaddr_t va = entry_va(base, lvl, i);
		if (lvl == 1)
			check_leaf(c, e, va);
		else if (is_large(c->pm, lvl, e))
			check_large(c, e, va);
		else if (!(e & PG_PS)) {
			c->tables++;
			check_table(c, table_kva(e), lvl - 1, va, 0, NPTE - 1);
		}
	}
	struct vm_page *ptp = ptp_of(table);
	if (lvl < 4 && ptp != NULL && ptp->md.ptp_count != valid) {
		c->pr("pmap_check: table %#lx (level %d) has %d entries, count says %u\n",
		    DMAP_TO_PHYS((vaddr_t)table), lvl, valid, ptp->md.ptp_count);
		c->bad++;
	}
}

/* Walk pm; returns problems found and adds its PV-mapped leaves to *pvleaves. */
static int
check_one(struct pmap *pm, kprint_fn pr, uint64_t *pvleaves)
{
	struct pcheck c = { pm, pr, 0, 0, 0, 0, 0, 0 };
	struct vm_page *ptp;
	uint64_t parked = 0;

	if (pm->pm_kernel)
		check_table(&c, pm->pm_pml4, 4, 0, NPTE / 2, NPTE - 1);
	else
		check_table(&c, pm->pm_pml4, 4, 0, 0, NPTE / 2 - 1);
	TAILQ_FOREACH(ptp, &pm->pm_ptp_parked, pageq)
		parked++;
	if (c.leaves != pm->pm_stats.resident || c.wired != pm->pm_stats.wired ||
	    c.tables + parked != pm->pm_stats.ptpages || c.large != parked ||
	    c.large != pm->pm_stats.large) {
		pr("pmap_check: %p stats resident %lu wired %lu tables %lu large %lu, "
		   "tables hold %lu %lu %lu + %lu parked, %lu large\n", (void *)pm,
		    pm->pm_stats.resident, pm->pm_stats.wired, pm->pm_stats.ptpages,
		    pm->pm_stats.large, c.leaves, c.wired, c.tables, parked, c.large);
		c.bad++;
	}
	for (int i = NPTE / 2; i < NPTE && !pm->pm_kernel; i++) {
		/* The CPU sets PG_A in whichever copy it walks: ignore it. */
		if ((pm->pm_pml4[i] ^ kernel_pmap_store.pm_pml4[i]) & ~PG_A) {
			pr("pmap_check: %p kernel half differs from the kernel pmap "
			    "at slot %d\n", (void *)pm, i);
			c.bad++;
		}
	}
	*pvleaves += c.pvleaves;
	return c.bad;
}

int
pmap_check(struct pmap *pm, kprint_fn pr)
{
	uint64_t pvleaves = 0;
	int bad;

	spin_lock(&pm->pm_lock);
	bad = check_one(pm, pr, &pvleaves);
	spin_unlock(&pm->pm_lock);
	return bad;
}

struct pvcheck {
	kprint_fn pr;
	int bad;
};

/* Is pm on the list of pmaps?  => pmap_list_lock held. */
static bool
pmap_listed(const struct pmap *pm)
{
	const struct pmap *p;

	TAILQ_FOREACH(p, &all_pmaps, pm_list) {
		if (p == pm)
			return true;
	}
	return false;
}

/* Does (pv's pmap, va) map pg through a PV-listed PTE?  => that pmap's lock held. */
static bool
pv_has_pte(const struct vm_page *pg, const struct pv_entry *pv)
{
	pt_entry_t *slot = pmap_entry(pv->pv_pmap, pv->pv_va);

	return slot != NULL && (*slot & PG_V) && (*slot & PG_PVLIST) &&
	    entry_pa(*slot, pv->pv_va) == pg->phys_addr;
}

/* Is pg's own PV entry on its list?  => pg's PV lock held. */
static bool
pv_own_listed(const struct vm_page *pg)
{
	for (const struct pv_entry *pv = pg->md.pv_list; pv; pv = pv->pv_next) {
		if (pv == &pg->md.pv_own)
			return true;
	}
	return false;
}

/*
 * The other direction: every PV entry of pg has its PTE, and its own
 * entry is listed exactly when it is in use.  Each is read
 * with its pmap locked (pv_lock_pmap), as the A/D calls do: an entry is
 * on the list a moment before its PTE is written.
 *  => pmap_list_lock held.
 */
static void
check_page_pvs(struct vm_page *pg, void *arg)
{
	struct pvcheck *c = arg;
	struct spinlock *l = pv_lock_of(pg);
	struct pv_entry *pv;
	uint32_t n;

	spin_lock(l);
again:
	for (pv = pg->md.pv_list, n = 0; pv != NULL; pv = pv->pv_next, n++) {
		bool listed = pmap_listed(pv->pv_pmap);
		if (listed && !pv_lock_pmap(pv, l))
			goto again;
		if (!listed || !pv_has_pte(pg, pv)) {
			c->pr("pmap_check: page %#lx has a PV entry (%p, %#lx) with no PTE\n",
			    pg->phys_addr, (void *)pv->pv_pmap, pv->pv_va);
			c->bad++;
		}
		if (listed)
			spin_unlock(&pv->pv_pmap->pm_lock);
	}
	if (n != pg->md.pv_count) {
		c->pr("pmap_check: page %#lx has %u PV entries, count says %u\n",
		    pg->phys_addr, n, pg->md.pv_count);
		c->bad++;
	}
	if (pv_own_listed(pg) != (pg->md.pv_own.pv_pmap != NULL)) {
		c->pr("pmap_check: page %#lx's own PV entry is %s but %s the list\n",
		    pg->phys_addr, pg->md.pv_own.pv_pmap != NULL ? "in use" : "free",
		    pv_own_listed(pg) ? "on" : "not on");
		c->bad++;
	}
	spin_unlock(l);
}

int
pmap_check_all(kprint_fn pr)
{
	struct pvcheck pc = { pr, 0 };
	uint64_t pvleaves = 0, made, gone;
	struct pmap *pm;

	spin_lock(&pmap_list_lock);
	made = pmap_counters.pv_made;
	gone = pmap_counters.pv_gone;
	TAILQ_FOREACH(pm, &all_pmaps, pm_list) {
		spin_lock(&pm->pm_lock);
		pc.bad += check_one(pm, pr, &pvleaves);
		spin_unlock(&pm->pm_lock);
	}
	vm_page_foreach(check_page_pvs, &pc);
	/* The totals agree only if no entry was made or removed meanwhile. */
	if (made == pmap_counters.pv_made && gone == pmap_counters.pv_gone &&
	    pvleaves != made - gone) {
		pr("pmap_check: %lu PV-mapped PTEs but %lu PV entries\n", pvleaves,
		    made - gone);
		pc.bad++;
	}
	spin_unlock(&pmap_list_lock);
	return pc.bad;
}

const char *
pmap_pte_describe(uint64_t pte, char *buf, size_t size)
{
	if (!(pte & PG_V)) {
		ksnprintf(buf, size, "not present");
		return buf;
	}
	ksnprintf(buf, size, "pa %#lx %s%s%s%s%s%s%s%s%s%s",
	    pte & ((pte & PG_PS) ? PG_LGFRAME : PG_FRAME),
	    (pte & PG_RW) ? "RW" : "RO", (pte & PG_U) ? " U" : " K",
	    (pte & PG_NX) ? " NX" : " X", (pte & PG_A) ? " A" : "",
	    (pte & PG_M) ? " D" : "", (pte & PG_G) ? " G" : "",
	    (pte & PG_PS) ? " PS" : "", (pte & PG_PCD) ? " PCD" : "",
	    (pte & PG_WIRED) ? " WIRED" : "", (pte & PG_PVLIST) ? " PV" : "");
	return buf;
}

uint32_t
pmap_page_mappings(struct vm_page *pg, struct pmap_mapping *out, uint32_t max,
    uint16_t *attrs)
{
	struct spinlock *l = pv_lock_of(pg);
	uint32_t n = 0;

	/*
	 * The PV lock alone: an entry's tables exist as long as it is listed
	 * (its PTE holds them), so the walk is safe; the PTE read may be a
	 * moment early or late, which a snapshot may be.
	 */
	spin_lock(l);
	*attrs = pg->md.attrs;
	for (const struct pv_entry *pv = pg->md.pv_list; pv; pv = pv->pv_next, n++) {
		if (n >= max)
			continue;
		pt_entry_t *slot = pmap_entry(pv->pv_pmap, pv->pv_va);
		out[n].pm = pv->pv_pmap;
		out[n].va = pv->pv_va;
		out[n].pte = slot != NULL ? *slot : 0;
	}
	spin_unlock(l);
	return n;
}

void
pmap_page_print_mappings(const struct vm_page *pg, kprint_fn pr)
{
	char buf[96];

	pr("  attrs%s%s, %u mapping%s\n", (pg->md.attrs & PMAP_ATTR_REF) ? " REF" : "",
	    (pg->md.attrs & PMAP_ATTR_MOD) ? " MOD" : "", pg->md.pv_count,
	    pg->md.pv_count == 1 ? "" : "s");
	for (const struct pv_entry *pv = pg->md.pv_list; pv; pv = pv->pv_next) {
		pt_entry_t *slot = pmap_entry(pv->pv_pmap, pv->pv_va);
		pr("    pmap %p va %#lx: %s\n", (void *)pv->pv_pmap, pv->pv_va,
		    slot ? pmap_pte_describe(*slot, buf, sizeof(buf)) : "(no table)");
	}
}

/* One line: the range, and the permissions read back from its first PTE. */
static void
print_range(kprint_fn pr, const char *name, vaddr_t start, vaddr_t end)
{
	uint64_t pte = pmap_pte_lookup(&kernel_pmap_store, start);
	const char *perm = !(pte & PG_V) ? "unmapped" :
	    (pte & PG_RW) ? ((pte & PG_NX) ? "RW+NX" : "RWX (bad)") :
	    ((pte & PG_NX) ? "R+NX" : "RX");

	pr("  %016lx-%016lx %-9s %s\n", start, end, perm, name);
}

void
pmap_print_kernel_layout(kprint_fn pr)
{
	pr("kernel mappings (permissions read back from the page tables):\n");
	print_range(pr, "text", (vaddr_t)kernel_text_start,
	    ROUND_UP((vaddr_t)kernel_text_end, PAGE_SIZE));
	print_range(pr, "rodata", (vaddr_t)kernel_rodata_start,
	    ROUND_UP((vaddr_t)kernel_rodata_end, PAGE_SIZE));
	print_range(pr, "data+bss", (vaddr_t)kernel_data_start,
	    (vaddr_t)kernel_data_end);
	print_range(pr, "direct map", DMAP_BASE, DMAP_BASE + dmap_end_pa);
	pr("  %016lx-%016lx %-9s kernel arena (4 KiB pages on demand)\n",
	    (vaddr_t)KVA_START,
	    (vaddr_t)KVA_END, "RW+NX");
	pr("  identity map of low memory: %s\n",
	    pmap_extract(&kernel_pmap_store, 0x100000, NULL) ? "STILL PRESENT" : "removed");
}
