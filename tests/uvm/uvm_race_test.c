/*
 * tests/uvm/uvm_race_test.c - two threads on one map: the races that
 * vmstress (tests/user/vmstress.c) found or that docs/design.md's "one
 * thread per process" items predicted, each made deterministic.
 *
 * The trick: a pager (the gate pager) that, when a fault asks it for a
 * page with every lock down, starts "another thread of the process" -
 * a kernel thread working on the same map - and watches what it does
 * before it answers.  So the other thread's operation lands exactly in
 * the window the fault opened:
 *
 *   thread0 (the test)                     racer thread
 *   uvm_map_pageable(wire [va, va+4p))
 *     counts the wiring, busy, unlocks
 *     fault va -> gate_get (no locks)  ---> thread_create: uvm_unmap(...)
 *       waits until racer sleeps on              map busy: sleeps
 *       map->busy (or gives up)
 *     ...pages in, unbusy, wakeup      ---> unmaps: unwires what was wired
 *   join racer; assert on entries, wire counts and references
 *
 * The swap test does the same at the swap read: the swap disk's
 * strategy is wrapped so that, with every lock down, the "other thread"
 * unmaps the range the fault is reading.
 */
#include "kern/core/ktest.h"
#include "kern/core/thread.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "pmap/vmlayout.h"
#include "dev/blk.h"
#include "tests/harness/swaptest.h"
#include "tests/harness/threadtest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_swap.h"

#define BASE 0x20000000UL
#define NPG 4

/* What the racer does to [BASE, BASE + NPG pages) while the fault waits. */
enum race_op { RACE_UNMAP, RACE_PROTECT, RACE_FORK, RACE_WIRE, RACE_FAULT };

struct gate {
	struct uvm_object obj;
	struct vmtest *t;
	enum race_op op;
	bool fired;                 /* the racer was started (once) */
	struct thread *racer;
	bool racer_waited;          /* it slept on map->busy */
	int racer_error;
	int wired_seen;             /* the entry's wired_count in the window */
	int refs_seen;              /* the object's references in the window */
	vaddr_t fault_va;           /* RACE_FAULT: the sibling's write fault */
	int fault_error;
	struct vm_anon *fault_anon; /* what it left in the slot */
};

static void
racer_main(void *arg)
{
	struct gate *g = arg;
	struct vm_map *map = g->t->map;

	switch (g->op) {
	case RACE_UNMAP:
		uvm_unmap(map, BASE, BASE + PG(NPG));
		break;
	case RACE_PROTECT:
		g->racer_error = uvm_map_protect(map, BASE, BASE + PG(NPG),
		    VM_PROT_NONE, false);
		break;
	case RACE_FORK: {
		struct vmspace *c = uvmspace_fork(g->t->vm);
		g->racer_error = c == NULL ? -ENOMEM : 0;
		if (c != NULL)
			uvmspace_free(c);
		break;
	}
	case RACE_WIRE:
		g->racer_error = uvm_map_pageable(map, BASE, BASE + PG(NPG), false);
		break;
	case RACE_FAULT:
		break;      /* done inline by gate_get */
	}
}

static int
gate_get(struct uvm_object *uobj, voff_t off, int centeridx,
    struct vm_page **pps, int *npagesp, vm_prot_t access, int advice, int flags)
{
	struct gate *g = container_of(uobj, struct gate, obj);

	(void)access;
	(void)advice;
	if (flags & PGO_LOCKED)
		return vmtest_pager_locked(uobj, off, centeridx, pps, *npagesp);
	if (!g->fired && g->op == RACE_FAULT) {
		/* The sibling's write fault on the same page, whole, in the
		 * window: it brings the page in and promotes it to an anon. */
		g->fired = true;
		g->fault_error = uvm_fault(g->t->map, g->fault_va, VM_PROT_WRITE);
		g->fault_anon = vmtest_anon(g->t, g->fault_va);
	}
	if (!g->fired) {
		struct vm_map_entry *e;
		g->fired = true;
		vm_map_lock(g->t->map);
		g->wired_seen = uvm_map_lookup_entry(g->t->map, BASE, &e) ?
		    e->wired_count : -1;
		vm_map_unlock(g->t->map);
		g->racer = thread_create("racer", racer_main, g);
		g->racer_waited = tt_wait_sleeping(g->racer, &g->t->map->busy, 20);
		g->refs_seen = uobj->uo_refs;
	}
	pps[0] = vmtest_pager_page(uobj, off, 0x6700);
	return 0;
}

/* References: vmtest_pager_detach frees the pages at the last one and
 * fails on a wired page, so the tests see unwiring done right. */
static const struct uvm_pagerops gate_pager = {
	.pgo_name = "gatetest",
	.pgo_reference = vmtest_pager_reference,
	.pgo_detach = vmtest_pager_detach,
	.pgo_get = gate_get,
};

/* Map NPG pages of a fresh gate object (shared: no copy-on-write). */
static void
gate_setup(struct gate *g, struct vmtest *t, enum race_op op)
{
	memset(g, 0, sizeof(*g));
	g->t = t;
	g->op = op;
	uvm_obj_init(&g->obj, &gate_pager, 1, "gatetest");
	vmtest_map(t, BASE, NPG, &g->obj, VM_PROT_READ | VM_PROT_WRITE, 0);
}

/* How many of the object's pages are wired. */
static int
gate_wired_pages(struct gate *g)
{
	int n = 0;

	mutex_enter(&g->obj.vmobjlock);
	for (struct vm_page *pg = uvm_obj_page_first(&g->obj); pg != NULL;
	    pg = uvm_obj_page_next(&g->obj, pg))
		n += pg->wire_count > 0;
	mutex_exit(&g->obj.vmobjlock);
	return n;
}

/*
 * mlock in one thread, munmap of the same range in another while the
 * wiring faults the pages in: the munmap waits for the wiring to finish
 * (the map is busy), then unwires and unmaps all of it.  Before the map
 * had a busy state the munmap went through at once, and the wiring went
 * on over entries that were gone (a KASSERT in wire_fault_new, or pages
 * left wired in a dead object).
 */
KTEST(uvm_race, munmap_waits_for_an_mlock_in_progress)
{
	static struct gate g;
	struct vmtest t;

	vmtest_begin(&t);
	gate_setup(&g, &t, RACE_UNMAP);
	KT_EQ(uvm_map_pageable(t.map, BASE, BASE + PG(NPG), false), 0);
	KT_EQ(thread_join(g.racer), 0);
	KT_ASSERT(g.racer_waited);
	KT_EQ(g.wired_seen, 1);             /* counted before the faults */
	KT_EQ(g.refs_seen, 1);              /* the entry's: not unmapped yet */
	KT_EQ(t.map->nentries, 0);          /* then the munmap did it all */
	KT_EQ(g.obj.uo_refs, 0);            /* the pages went, none wired */
	KT_ASSERT(t.map->busy == NULL);
	vmtest_end(&t);
}

/* The same with mprotect(PROT_NONE): it waits, then the wired range
 * keeps its pages wired under PROT_NONE until munlock. */
KTEST(uvm_race, mprotect_waits_for_an_mlock_in_progress)
{
	static struct gate g;
	struct vmtest t;

	vmtest_begin(&t);
	gate_setup(&g, &t, RACE_PROTECT);
	KT_EQ(uvm_map_pageable(t.map, BASE, BASE + PG(NPG), false), 0);
	KT_EQ(thread_join(g.racer), 0);
	KT_ASSERT(g.racer_waited);
	KT_EQ(g.racer_error, 0);
	KT_EQ(vmtest_entry(&t, BASE)->protection, VM_PROT_NONE);
	KT_EQ(vmtest_entry(&t, BASE)->wired_count, 1);
	KT_EQ(gate_wired_pages(&g), NPG);
	KT_EQ(uvm_map_pageable(t.map, BASE, BASE + PG(NPG), true), 0);
	KT_EQ(gate_wired_pages(&g), 0);
	vmtest_end(&t);
	KT_EQ(g.obj.uo_refs, 0);
}

/* fork while a sibling mlocks: the fork waits (a wired entry is copied
 * at once, which needs its pages in), then copies a fully wired entry. */
KTEST(uvm_race, fork_waits_for_an_mlock_in_progress)
{
	static struct gate g;
	struct vmtest t;

	vmtest_begin(&t);
	gate_setup(&g, &t, RACE_FORK);
	KT_EQ(uvm_map_pageable(t.map, BASE, BASE + PG(NPG), false), 0);
	KT_EQ(thread_join(g.racer), 0);
	KT_ASSERT(g.racer_waited);
	KT_EQ(g.racer_error, 0);
	KT_EQ(gate_wired_pages(&g), NPG);
	KT_EQ(uvm_map_pageable(t.map, BASE, BASE + PG(NPG), true), 0);
	vmtest_end(&t);
	KT_EQ(g.obj.uo_refs, 0);
}

/* Two mlocks of one range from two threads: the second waits, then
 * counts a second wiring on pages already in; two munlocks undo them. */
KTEST(uvm_race, a_second_mlock_waits_for_the_first)
{
	static struct gate g;
	struct vmtest t;

	vmtest_begin(&t);
	gate_setup(&g, &t, RACE_WIRE);
	KT_EQ(uvm_map_pageable(t.map, BASE, BASE + PG(NPG), false), 0);
	KT_EQ(thread_join(g.racer), 0);
	KT_ASSERT(g.racer_waited);
	KT_EQ(g.racer_error, 0);
	KT_EQ(vmtest_entry(&t, BASE)->wired_count, 2);
	KT_EQ(uvm_map_pageable(t.map, BASE, BASE + PG(NPG), true), 0);
	KT_EQ(gate_wired_pages(&g), NPG);
	KT_EQ(uvm_map_pageable(t.map, BASE, BASE + PG(NPG), true), 0);
	KT_EQ(gate_wired_pages(&g), 0);
	vmtest_end(&t);
	KT_EQ(g.obj.uo_refs, 0);
}

/*
 * Two threads write-fault the same page of a private file mapping at
 * once: the first sleeps in the pager, the second brings the page in,
 * copies it to an anon and fills the amap slot.  Faults change no map
 * timestamp, so the first, back from the pager with the map unchanged,
 * went on to promote the page into the full slot (amap_add's "slot
 * empty" assertion: make stress, seed 16, 8 threads, in an mlock).  Now
 * it checks the slot again and starts over, finding the sibling's anon.
 */
KTEST(uvm_race, a_write_fault_waits_out_a_sibling_promoting_the_same_page)
{
	static struct gate g;
	struct vmtest t;

	vmtest_begin(&t);
	memset(&g, 0, sizeof(g));
	g.t = &t;
	g.op = RACE_FAULT;
	uvm_obj_init(&g.obj, &gate_pager, 1, "gatetest");
	vmtest_map(&t, BASE, NPG, &g.obj, VM_PROT_READ | VM_PROT_WRITE,
	    UVM_FLAG_COPYONWRITE);
	/* Give the entry its amap first (a write to page 0), with the hook
	 * off, so the race below changes no entry. */
	g.fired = true;
	KT_EQ(uvm_fault(t.map, BASE, VM_PROT_WRITE), 0);
	g.fired = false;
	g.fault_va = BASE + PG(1);
	uint64_t ts = t.map->timestamp, restarts = uvmexp.flt_restart;
	KT_EQ(uvm_fault(t.map, BASE + PG(1), VM_PROT_WRITE), 0);
	KT_ASSERT(g.fired);
	KT_EQ(g.fault_error, 0);
	KT_ASSERT(g.fault_anon != NULL);
	KT_EQ(t.map->timestamp, ts);                /* no map change at all */
	KT_ASSERT(uvmexp.flt_restart > restarts);   /* the first started over */
	struct vm_anon *anon = vmtest_anon(&t, BASE + PG(1));
	KT_ASSERT(anon == g.fault_anon);            /* and kept the sibling's */
	KT_EQ(anon->an_ref, 1);
	uint64_t pte = vmtest_pte(&t, BASE + PG(1));
	KT_EQ(pte & PG_FRAME, anon->an_page->phys_addr);
	KT_EQ(*(uint64_t *)PHYS_TO_DMAP(pte & PG_FRAME), 0x6700 + PAGE_SIZE);
	vmtest_end(&t);
	KT_EQ(g.obj.uo_refs, 0);
}

/* ---- a fault reading from swap while another thread unmaps ---- */

/*
 * The swap disk's strategy, wrapped: the next read first runs a hook, in
 * the faulting thread with every lock down - the moment another thread
 * of the process could do anything to the map.
 */
static blk_strategy_fn real_strategy;
static void (*read_hook)(void);

static int
hooked_strategy(struct blkdev *d, enum blk_op op, uint64_t sector,
    const struct blk_seg *segs, int nseg)
{
	void (*fn)(void) = read_hook;

	if (op == BLK_READ && fn != NULL) {
		read_hook = NULL;
		fn();
	}
	return real_strategy(d, op, sector, segs, nseg);
}

static struct {
	struct vmtest *t;
	struct vm_lockobj *lo;
	struct vm_anon *anon;
	bool dontneed;              /* madvise(DONTNEED) instead of munmap */
	int lo_refs, an_ref;        /* seen after the unmap */
	bool page_busy;
} sw;

static void
unmap_during_read(void)
{
	sw.page_busy = sw.anon->an_page != NULL && (sw.anon->an_page->flags & PG_BUSY);
	if (sw.dontneed)
		KASSERT(uvm_map_dontneed(sw.t->map, BASE, BASE + PAGE_SIZE) == 0);
	else
		uvm_unmap(sw.t->map, BASE, BASE + PAGE_SIZE);   /* the amap goes */
	sw.lo_refs = sw.lo->lo_refs;        /* the fault's hold, alone */
	sw.an_ref = sw.anon->an_ref;        /* likewise */
}

/* Fault at BASE with the hook set on the swap disk's next read. */
static int
fault_with_hook(struct vmtest *t)
{
	struct blkdev *dev;
	uint64_t sector;

	KASSERT(uvm_swap_slot_disk(sw.anon->an_swslot, &dev, &sector) == 0);
	real_strategy = dev->strategy;
	read_hook = unmap_during_read;
	dev->strategy = hooked_strategy;
	int error = uvm_fault(t->map, BASE, VM_PROT_READ);
	dev->strategy = real_strategy;
	return error;
}

/*
 * A thread faults on an anon in swap and sleeps on the read; another
 * unmaps the range, which frees the amap - and with it, before the fault
 * held it, the amap's lock object, which the anon's an_lock points into:
 * the fault then locked freed memory when the read was done.  Now the
 * fault holds the lock object (and the anon) across the read: the unmap
 * leaves both to it, and it frees them when it sees the map changed.
 */
KTEST_OWN_BOOT(swap, munmap_while_a_sibling_reads_the_page_from_swap)
{
	struct vmtest t;

	swaptest_on();
	vmtest_begin(&t);
	vmtest_map_anon(&t, BASE, 1);
	swaptest_fill(&t, BASE, 1, 0x77);
	KT_EQ(swaptest_push_out(&t, BASE, 1), 1);
	memset(&sw, 0, sizeof(sw));
	sw.t = &t;
	sw.anon = vmtest_anon(&t, BASE);
	sw.lo = vmtest_entry(&t, BASE)->aref.ar_amap->am_lockobj;
	KT_EQ(sw.lo->lo_refs, 1);
	int error = fault_with_hook(&t);
	KT_ASSERT(read_hook == NULL);       /* the hook ran */
	KT_ASSERT(sw.page_busy);            /* mid-read */
	KT_EQ(sw.lo_refs, 1);
	KT_EQ(sw.an_ref, 1);
	KT_EQ(error, -EFAULT);              /* restarted, then no entry */
	KT_EQ(t.map->nentries, 0);
	vmtest_end(&t);                     /* anon, page, slot, lock: gone */
}

/*
 * madvise(DONTNEED) from another thread while a fault reads the page
 * from swap: the slot loses the anon (down to the fault's hold), the
 * fault sees the slot changed, starts over and maps a fresh zero page;
 * the anon it read goes with its hold.
 */
KTEST_OWN_BOOT(swap, dontneed_while_a_sibling_reads_the_page_from_swap)
{
	struct vmtest t;
	uint64_t anons0 = anon_count();

	swaptest_on();
	vmtest_begin(&t);
	vmtest_map_anon(&t, BASE, 1);
	swaptest_fill(&t, BASE, 1, 0x78);
	KT_EQ(swaptest_push_out(&t, BASE, 1), 1);
	memset(&sw, 0, sizeof(sw));
	sw.t = &t;
	sw.dontneed = true;
	sw.anon = vmtest_anon(&t, BASE);
	sw.lo = vmtest_entry(&t, BASE)->aref.ar_amap->am_lockobj;
	KT_EQ(fault_with_hook(&t), 0);
	KT_ASSERT(read_hook == NULL);
	KT_ASSERT(sw.page_busy);
	KT_EQ(sw.an_ref, 1);                /* only the fault's hold left */
	KT_EQ(sw.lo_refs, 2);               /* the amap's and the fault's */
	/* The old anon went (its memory may be the new one's: no pointer
	 * compare); what is there now is fresh: no swap slot. */
	struct vm_anon *now = vmtest_anon(&t, BASE);
	KT_ASSERT(now == NULL || now->an_swslot == 0);
	KT_ASSERT(anon_count() <= anons0 + 1);
	uint64_t pte = vmtest_pte(&t, BASE);
	KT_ASSERT(pte & PG_V);                          /* a zero page */
	KT_EQ(*(uint64_t *)PHYS_TO_DMAP(pte & PG_FRAME), 0);
	vmtest_end(&t);
}
