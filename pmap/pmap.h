/*
 * pmap/pmap.h - the machine-dependent half of the VM system: the only
 * interface through which anything touches a page table.  The shape is
 * BSD's pmap(9); see pmap.c for how it works on x86-64.
 *
 * Rules every caller can rely on:
 *   - user pmaps map only [USER_MIN, USER_MAX); the kernel pmap only the
 *     kernel half.  Anything else is refused with -EINVAL.
 *   - every mapping of a managed page (one with a vm_page) made with
 *     pmap_enter has a PV entry, so pmap_page_protect and the A/D
 *     queries see all of them.  pmap_kenter_pa mappings have none.
 *   - a change to existing mappings (remove, protect, replace) may stay
 *     invisible to the TLB until pmap_update(pmap).
 *   - the accessed and modified bits of a PTE are folded into the page's
 *     md.attrs when the mapping goes away: no modification is ever lost.
 */
#ifndef PMAP_PMAP_H
#define PMAP_PMAP_H

#include "kern/arch/cpu_info.h"
#include "kern/lib/printf.h"
#include "kern/lib/queue.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/types.h"
#include "uvm/uvm_param.h"

struct vm_page;

#define PMAP_TLB_MAX 32     /* pending single-page invalidations */

struct pmap_stats {
	uint64_t resident;      /* valid leaf mappings */
	uint64_t wired;         /* ... of which wired */
	uint64_t ptpages;       /* page-table pages below the PML4 (a
	                           large mapping's parked one included) */
	uint64_t large;         /* 2 MiB mappings (each also 512 resident) */
};

/*
 * The pmap's own counters, for all pmaps together: uvm's statistics
 * print them next to its own (uvmexp_print, /proc/meminfo, gdb's uvm
 * stats), reading this struct.  => updated by atomic adds (the pmaps
 * have a lock each); read without a lock (a count may be a moment old).
 * Live PV entries are pv_made - pv_gone (pmap_pv_entries).
 */
struct pmap_counters {
	uint64_t pv_made;       /* PV entries made, ever */
	uint64_t pv_gone;       /* PV entries removed, ever */
	uint64_t pv_pooled;     /* of the live ones, taken from the pool (not
	                           their page's own md.pv_own), with spares
	                           a caller holds for a moment */
	uint64_t pv_retries;    /* page-side walks begun again: a pmap was busy */
	uint64_t ptpages;       /* live page-table pages (all pmaps) */
	uint64_t tlb_shootpage; /* invlpgs by the CPU making a change */
	uint64_t tlb_flushall;  /* full flushes by it */
	uint64_t activations;   /* page tables switched (pmap_activate): each
	                           a CR3 load, which empties the TLB but its
	                           global entries */
	/* Shootdowns: asking the other CPUs a pmap is active on to invalidate */
	uint64_t tlb_shootdowns; /* cross-calls sent (one per batch) */
	uint64_t tlb_ipis;      /* IPIs: their targets, summed */
	uint64_t tlb_ipi_pages; /* pages named in them */
	uint64_t tlb_ipi_all;   /* of them, "flush everything" */
	uint64_t walks;         /* table walks from the PML4 (pmap_walk; a
	                           statistic: relaxed atomic adds) */
	/* 2 MiB mappings (pmap.c, "Large mappings") */
	uint64_t promotions;    /* full leaf tables turned into one PDE */
	uint64_t demotions;     /* PDEs split back into 512 PTEs */
	uint64_t large_removed; /* large mappings removed whole */
};

extern struct pmap_counters pmap_counters;

/* pmap_pv_entries - the PV entries that exist now (all pages). */
static inline uint64_t
pmap_pv_entries(void)
{
	return __atomic_load_n(&pmap_counters.pv_made, __ATOMIC_RELAXED) -
	    __atomic_load_n(&pmap_counters.pv_gone, __ATOMIC_RELAXED);
}

struct pmap {
	uint64_t *pm_pml4;              /* top table, through the direct map */
	paddr_t pm_pml4_pa;             /* what CR3 gets */
	struct spinlock pm_lock;        /* its tables, stats, TLB queue (pmap.c) */
	int pm_refs;                    /* atomic */
	bool pm_kernel;                 /* the one kernel pmap */
	volatile cpuset_t pm_cpus;      /* CPUs whose CR3 holds it (user pmaps;
	                                   atomic, set and cleared by each CPU
	                                   in pmap_activate) */
	struct pmap_stats pm_stats;
	TAILQ_ENTRY(pmap) pm_list;      /* all pmaps, for pmap_check_all */
	/* TLB invalidations waiting for pmap_update */
	int pm_tlb_n;                   /* > PMAP_TLB_MAX means flush all */
	vaddr_t pm_tlb_va[PMAP_TLB_MAX];
	/* page-table pages unhooked, freed once the TLBs forgot them */
	TAILQ_HEAD(, vm_page) pm_ptp_free;
	/* the last leaf table removals emptied, kept hooked in (pmap.c,
	 * "The idle leaf table"); NULL if none */
	struct vm_page *pm_ptp_idle;
	vaddr_t pm_ptp_idle_va;
	/* the leaf tables of its 2 MiB mappings, kept for their demotion
	 * (pmap.c, "Large mappings"); each one's offset is its address */
	TAILQ_HEAD(, vm_page) pm_ptp_parked;
};

/* The idle leaf table's switch (boot: ptpkeep=0; tests may set it). */
extern bool pmap_ptpkeep_on;

/* pmap_enter flags, beside the access type in the VM_PROT_* bits */
#define PMAP_WIRED 0x100        /* wired mapping: pmap_remove keeps counts */
#define PMAP_CANFAIL 0x200      /* return -ENOMEM instead of panicking */
#define PMAP_NOCACHE 0x400      /* uncached (device memory) */
#define PMAP_PROMOTE 0x800      /* the page may be part of a 2 MiB mapping:
				   when its leaf table fills with one
				   aligned physical run, map it with one
				   PDE (pmap.c, "Large mappings") */

/*
 * pmap_bootstrap - build the kernel's real page tables and switch to them:
 * a direct map of [0, dmap_end) (all RAM, at least 4 GiB so device
 * memory below 4 GiB is reachable), the kernel image with per-section
 * permissions, no identity map.
 *  => once, after vm_page_boot_init; steals its pages.
 */
void pmap_bootstrap(paddr_t dmap_end);

/* pmap_init - set up PV entries and pmap allocation.  => after vm_page_bootstrap and pools. */
void pmap_init(void);

/* pmap_kernel - the kernel pmap. */
struct pmap *pmap_kernel(void);

/*
 * pmap_create - a new, empty user pmap sharing the kernel half.
 *  => returns it with one reference, or NULL when memory is short.
 */
struct pmap *pmap_create(void);

/* pmap_destroy - drop a reference; the last frees all. */
void pmap_destroy(struct pmap *pm);

/*
 * pmap_enter - map va to pa with prot in pm.
 *  => flags: PMAP_WIRED, PMAP_CANFAIL, PMAP_NOCACHE, and the access that
 *     caused the fault (VM_PROT_*), which presets A (and D on a write).
 *  => replaces whatever va mapped before (its PV entry moves or goes).
 *  => returns 0, -EINVAL for an address outside pm's half, or -ENOMEM
 *     (only with PMAP_CANFAIL) when a page table or PV entry cannot be
 *     allocated.  Never sleeps.
 */
int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, vm_prot_t prot, int flags);

/*
 * pmap_enter_pages - pmap_enter (flags PMAP_CANFAIL and the caller's flags,
 * 0 or PMAP_PROMOTE; no access preset) of
 * n managed pages at va, va + PAGE_SIZE, ...: one lock, one pool call for
 * the PV entries of pages mapped already (a page's first mapping uses its
 * own, md.pv_own) and one table walk per page table, for the fault's
 * runs of pages (zero-fill and copy ahead).
 *  => 1 <= n <= PMAP_ENTER_MAX; the whole run inside pm's half.
 *  => returns how many pages were mapped, from the first: fewer than n
 *     only when a page table or PV entry could not be allocated.
 *     Never sleeps.
 */
#define PMAP_ENTER_MAX 16
int pmap_enter_pages(struct pmap *pm, vaddr_t va, struct vm_page **pgs, int n,
    vm_prot_t prot, int flags);

/*
 * pmap_enter_large - map the 2 MiB run of managed pages from first (512
 * in the vm_page array, physically in order, 2 MiB aligned) at va, 2 MiB
 * aligned, with one PDE: what 512 pmap_enters with PMAP_PROMOTE end in,
 * in one step.  Each page gets its PV entry as from pmap_enter.
 *  => user pmaps only; nothing may be mapped in [va, va + 2 MiB).
 *  => the pages' owner (anon amap) locked: nobody may map them meanwhile.
 *  => returns 0, -ENOMEM (no PV entries or table page) or -EBUSY (a
 *     page of the range is mapped); on error nothing changed.  Never
 *     sleeps.
 */
int pmap_enter_large(struct pmap *pm, vaddr_t va, struct vm_page *first,
    vm_prot_t prot);

/* pmap_remove - unmap [sva, eva); page tables left empty are freed. */
void pmap_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva);

/* pmap_protect - lower the permissions of [sva, eva) to prot (never raises). */
void pmap_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, vm_prot_t prot);

/*
 * pmap_move - move pm's mappings of [old, old + size) to [new, new + size),
 * which maps nothing, keeping each page's frame, bits and PV entry (the
 * mremap of a whole region: no fault at the new place).  A mapping that
 * cannot get a page table at the new place is removed instead.
 *  => user pmap; takes its lock; the old addresses are shot down on
 *     return.  Never sleeps.
 */
void pmap_move(struct pmap *pm, vaddr_t old, vaddr_t new, vsize_t size);

/* pmap_unwire - clear the wired bit of the mapping at va. */
void pmap_unwire(struct pmap *pm, vaddr_t va);

/*
 * pmap_page_protect - lower every mapping of pg to prot: read-only keeps
 * them without write access, VM_PROT_NONE removes them all.
 */
void pmap_page_protect(struct vm_page *pg, vm_prot_t prot);

/* pmap_extract - the physical address va maps to; false if unmapped. */
bool pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa);

/* Accessed and modified bits of a page over all its mappings, past and present. */
bool pmap_is_modified(struct vm_page *pg);
bool pmap_is_referenced(struct vm_page *pg);
/* Clear them; returns whether the bit was set. */
bool pmap_clear_modify(struct vm_page *pg);
bool pmap_clear_reference(struct vm_page *pg);

/*
 * pmap_page_mapcount - how many (pmap, va) map pg now: the length of its
 * PV list (Linux's page_mapcount).  /proc's Pss divides a mapped file
 * page by it.  => takes the pmap lock briefly; never sleeps.
 */
uint32_t pmap_page_mapcount(struct vm_page *pg);

/* Page contents through the direct map. */
void pmap_zero_page(paddr_t pa);
void pmap_copy_page(paddr_t src, paddr_t dst);

/*
 * pmap_activate - load pm into this CPU's CR3 (the kernel half is always
 * there): this CPU joins pm->pm_cpus and leaves the set of the pmap it
 * had.  => interrupts in any state; takes no lock; never sleeps.
 */
void pmap_activate(struct pmap *pm);

/* pmap_current - the pmap this CPU's CR3 holds. */
struct pmap *pmap_current(void);

/*
 * pmap_update - carry out the TLB invalidations pm has queued, on this
 * CPU and on every other CPU pm is active on (one cross-call for the
 * batch).  => returns once every CPU has acknowledged: the pages just
 * unmapped may be freed.  Takes the pmap lock; never sleeps.
 */
void pmap_update(struct pmap *pm);

/*
 * pmap_kenter_pa - map one kernel page with no PV entry (kernel stacks,
 * device registers).  => va in the kernel half; never fails (panics if a
 * page table cannot be had).  pmap_kremove unmaps [va, va+len) at once.
 */
void pmap_kenter_pa(vaddr_t va, paddr_t pa, vm_prot_t prot, int flags);
void pmap_kremove(vaddr_t va, vsize_t len);

/*
 * pmap_pte_lookup - the leaf entry for va in pm (0 if none), for tests,
 * the VM introspection call and the debugger.  Bits are pmap/pte.h's;
 * for a page inside a 2 MiB mapping it is that PDE (PG_PS set, the
 * run's first frame in PG_LGFRAME).
 */
uint64_t pmap_pte_lookup(struct pmap *pm, vaddr_t va);

/*
 * pmap_user_word_op - run op on the 32-bit word at user address va of
 * pm, if its page is mapped there for the access (user, and writable
 * when write), with pm's lock held from that check through op, so that
 * no CPU can unmap the page in between.  op gets the word through the
 * direct map: it cannot fault.  A write marks the PTE referenced and
 * modified, as the user's own store would.  (The futex word, read and
 * changed under a spin lock: kern/proc/futex.c.)
 *  => va 4-byte aligned; op must be short and take no lock; returns
 *     whether op ran.  Never sleeps.
 */
bool pmap_user_word_op(struct pmap *pm, vaddr_t va, bool write,
    void (*op)(volatile uint32_t *word, void *arg), void *arg);

/*
 * pmap_prot - what va's mapping in pm allows: VM_PROT_READ, plus
 * VM_PROT_WRITE and VM_PROT_EXECUTE as its PTE grants them, or
 * VM_PROT_NONE when va is not mapped.  => takes the pmap lock briefly.
 */
vm_prot_t pmap_prot(struct pmap *pm, vaddr_t va);

/*
 * pmap_check - walk pm's tables: each PTE of a managed page has its PV
 * entry and each PV entry its PTE; page-table page counts match.
 *  => reports problems through pr; returns how many.
 */
int pmap_check(struct pmap *pm, kprint_fn pr);
int pmap_check_all(kprint_fn pr);

/* One mapping of a page, as pmap_page_mappings reports it. */
struct pmap_mapping {
	struct pmap *pm;
	vaddr_t va;
	uint64_t pte;               /* the leaf entry now (pmap/pte.h bits) */
};

/*
 * pmap_page_mappings - up to max of pg's mappings (its PV list, newest
 * first) into out, for the VM snapshot (uvm/uvm_snapshot.c).
 *  => takes and drops pg's PV lock; never sleeps.
 *  => returns how many mappings pg has (may exceed max); *attrs gets the
 *     PMAP_ATTR_* bits folded from mappings that are gone.
 */
uint32_t pmap_page_mappings(struct vm_page *pg, struct pmap_mapping *out,
    uint32_t max, uint16_t *attrs);

/* pmap_page_print_mappings - pg's attrs and every (pmap, va) mapping it. */
void pmap_page_print_mappings(const struct vm_page *pg, kprint_fn pr);

/* pmap_pte_describe - "RW U NX A D" style text for a PTE, into buf. */
const char *pmap_pte_describe(uint64_t pte, char *buf, size_t size);

/* pmap_print_kernel_layout - the kernel image's ranges and permissions. */
void pmap_print_kernel_layout(kprint_fn pr);

#endif
