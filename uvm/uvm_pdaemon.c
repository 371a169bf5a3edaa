/*
 * uvm/uvm_pdaemon.c - the page daemon: free pages when memory runs short,
 * writing dirty anonymous pages to swap in clusters.
 *
 * Every page that a fault maps goes on the active queue.  The daemon
 * keeps a third of the queued pages on the inactive queue and reclaims
 * from there, with the clock ("second chance") algorithm on the
 * hardware's referenced bits, which the pmap gathers per page:
 *
 *   active:   [a1][a2][a3][a4] ...   head = oldest
 *                 |  the hand takes the head: referenced since the last
 *                 |  look?  clear the bit, back to the tail; else ->
 *                 v
 *   inactive: [i1][i2][i3] ...
 *                 |  referenced?  second chance: back to active.
 *                 |  clean (its copy in swap or a file is current)?
 *                 |       unmap it and free it: no I/O at all.
 *                 |  dirty file page (vnode pager)?  its object's
 *                 |       pgo_put writes it and its dirty neighbours to
 *                 |       the FILE (never to swap), then it is freed.
 *                 |  dirty anon or aobj page?  unmap it, mark it busy,
 *                 v       gather it into a cluster; a full cluster gets
 *   cluster:  [p1 p2 ... p16] one run of contiguous swap slots and one
 *                           write, then the pages are freed.
 *
 * The two decisions marked "referenced?" are the replacement policy
 * (struct uvm_pdpolicy): the clock above, or with pdpolicy=fifo at boot
 * a plain FIFO that ignores the referenced bits - the baseline the
 * pdaemon/clock_pages_out_less_than_fifo_on_a_hot_set test measures the
 * clock against.
 *
 * Clean file pages go first.  Each scan of the inactive queue is
 * preceded by a look that frees only clean, unreferenced file pages
 * (vnode and memory objects): dropping them costs no I/O and a later
 * read brings them back from their file, whereas an anonymous page
 * costs a swap write now and a swap read later.  Only when that look
 * frees too little does the full scan write dirty pages out.
 *
 * Worked example, 64 MiB guest, freemin 512 and freetarg 1024 pages: a
 * process writes 200 MiB.  Its faults allocate pages until free drops to
 * 512; vm_page_alloc wakes the daemon, which moves 1/3 of the queued
 * pages to inactive (those the process has not touched since the last
 * pass), writes them in 16-page clusters to slots 1-16, 17-32, ..., and
 * frees them, until 1024 pages are free.  Once free reaches the reserve
 * (a quarter of freemin) the faults' allocations fail: the process
 * sleeps in uvm_wait until the pass ends, then its fault starts over.
 *
 * Locking.  The daemon finds pages through the queues, but a page's
 * contents belong to its owner's lock (the amap lock for an anon's page,
 * vmobjlock for an object's), which comes BEFORE the page-queue lock in
 * the lock order.  So with the queue lock held it may only try the
 * owner's lock (mutex_tryenter); a page whose owner is busy is skipped
 * this time round.  Holding the owner lock keeps the page where it is:
 * it cannot be freed, mapped again or change owner.  The daemon keeps the
 * owner locks of a cluster's pages across the write (mutexes may be held
 * while sleeping): a fault on such a page waits for the lock instead of
 * finding a half-written page.  The pages are PG_BUSY meanwhile too.
 *
 * A failed write keeps the data: the slots are marked bad (never handed
 * out again), the owners forget them, and the pages stay resident and
 * dirty.  A failed file write leaves its pages dirty and the error in
 * the file's object (uvn_take_error reports it to fsync or msync); the
 * page goes back to the active queue and no more file pages are written
 * this pass, so a dead disk is not hammered page after page.  When a pass frees nothing although memory is short (no swap
 * left, or none configured), the threads waiting in uvm_wait get -ENOMEM
 * and the fault handler kills the process that needed the page (the one
 * asking, not the largest: the simplest rule that never touches a
 * bystander's data; kern/proc/proc.c prints the message).
 *
 * Lock order: owner (amap or object) lock, uvm_pageq_lock, then
 * pd_lock (a leaf guarding the daemon's own state).
 */
#include "uvm/uvm_pdaemon.h"
#include "kern/core/cmdline.h"
#include "kern/core/lab.h"
#include "kern/lib/assert.h"
#include "kern/lib/string.h"
#include "kern/lib/errno.h"
#include "kern/core/mutex.h"
#include "kern/core/sleep.h"
#include "pmap/pmap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_failalloc.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_swap.h"
#include "uvm/uvm_vnode.h"

KOPT(pdpolicy, "pdpolicy", "the page daemon's replacement policy: clock (the default) or fifo");

/* ------------------------------------------------------------------ */
/* The replacement policy (uvm_pdaemon.h)                              */

/*
 * The clock's first hand: an active page used since the hand last came
 * by (its referenced bit set) stays active, its bit cleared, so that it
 * must be used again before the next look to stay again; an unused one
 * goes to the inactive queue.  => owner locked; true: deactivate it.
 */
static bool
clock_deactivate(struct vm_page *pg)
{
	/* LAB clock BEGIN
	 * STUB (void)pg;
	 * STUB lab_unimplemented("clock", __func__);
	 * STUB return true;
	 */
	return !pmap_clear_reference(pg);
	/* LAB clock END */
}

/*
 * The clock's second hand: an inactive page used since it was
 * deactivated gets its second chance (back to active, its bit cleared);
 * an unused one is reclaimed.  => owner locked; true: reactivate it.
 */
static bool
clock_reactivate(struct vm_page *pg)
{
	/* LAB clock BEGIN
	 * STUB (void)pg;
	 * STUB lab_unimplemented("clock", __func__);
	 * STUB return false;
	 */
	return pmap_clear_reference(pg);
	/* LAB clock END */
}

/* FIFO: every page leaves in turn, used or not. */
static bool
fifo_deactivate(struct vm_page *pg)
{
	(void)pg;
	return true;
}

static bool
fifo_reactivate(struct vm_page *pg)
{
	(void)pg;
	return false;
}

const struct uvm_pdpolicy uvm_pdpolicy_clock = { "clock", clock_deactivate, clock_reactivate };
const struct uvm_pdpolicy uvm_pdpolicy_fifo = { "fifo", fifo_deactivate, fifo_reactivate };
const struct uvm_pdpolicy *uvm_pdpolicy = &uvm_pdpolicy_clock;

/* pdpolicy= at boot: clock, fifo, or a warning and the clock. */
static void
pd_policy_init(void)
{
	const char *name = kopt_get("pdpolicy");

	if (name == NULL || strcmp(name, "clock") == 0)
		uvm_pdpolicy = &uvm_pdpolicy_clock;
	else if (strcmp(name, "fifo") == 0)
		uvm_pdpolicy = &uvm_pdpolicy_fifo;
	else
		kprintf("pdaemon: pdpolicy=%s is not a policy (clock, fifo): using clock\n", name);
}

/* The daemon's state; pd_lock guards it and is the sleeps' interlock. */
static struct {
	struct spinlock lock;
	bool running;           /* the thread has started */
	bool stalled;           /* the last pass freed nothing, memory short */
	bool kicked;            /* someone wants a pass now */
	int request;            /* pages a pageout_now caller asks for */
	uint64_t seq;           /* passes asked for (uvm_wait, pageout_now) */
	uint64_t done;          /* the seq the last finished pass covered */
	int lastfreed;          /* what the last pass freed */
} pd = { .lock = SPINLOCK_INIT("pdaemon") };

static char pd_wakechan, pd_donechan;   /* sleep channels */

void
uvm_pdaemon_init(void)
{
	uint64_t n = uvmexp.free;

	/* 1/32 of memory, between 64 pages (256 KiB) and 1024 (4 MiB). */
	uvmexp.freemin = MIN(MAX(n / 32, 64), 1024);
	uvmexp.freetarg = uvmexp.freemin * 2;
	uvmexp.reserve = uvmexp.freemin / 4;
	pd_policy_init();
}

bool
uvm_pdaemon_running(void)
{
	return pd.running;
}

void
uvm_pdaemon_wake(void)
{
	spin_lock(&pd.lock);
	if (pd.running && !pd.stalled)
		wakeup(&pd_wakechan);
	spin_unlock(&pd.lock);
}

/* Post a request for a pass and wait for one that began after it. */
static int
pd_request_pass(int npages, const char *wmesg)
{
	uint64_t mine;
	int freed;

	spin_lock(&pd.lock);
	mine = ++pd.seq;
	pd.kicked = true;
	pd.stalled = false;
	pd.request = MAX(pd.request, npages);
	wakeup(&pd_wakechan);
	while (pd.done < mine)
		sleep_on(&pd_donechan, &pd.lock, wmesg);
	freed = pd.lastfreed;
	spin_unlock(&pd.lock);
	return freed;
}

int
uvm_wait(const char *wmesg)
{
	if (!pd.running)
		return -ENOMEM;
	pd_request_pass(0, wmesg);
	spin_lock(&pd.lock);
	bool stalled = pd.stalled;
	spin_unlock(&pd.lock);
	return stalled ? -ENOMEM : 0;
}

int
uvm_pdaemon_pageout_now(int npages)
{
	if (!pd.running || npages <= 0)
		return 0;
	return pd_request_pass(npages, "pageout");
}

/* ------------------------------------------------------------------ */
/* Owners                                                              */

/* The lock covering pg's identity and contents, or NULL (kernel page). */
static struct kmutex *
owner_lock(const struct vm_page *pg)
{
	if (pg->uanon != NULL)
		return pg->uanon->an_lock;
	if (pg->uobject != NULL)
		return &pg->uobject->vmobjlock;
	return NULL;
}

/*
 * Take the head page of a queue (rotating it to the tail) with its owner
 * locked.  *fresh says whether the lock was taken here (false: the
 * caller already held it for an earlier page of the cluster).
 *  => NULL if the queue is empty or the owner is locked by someone else.
 */
static struct vm_page *
pd_next_locked(int queue, bool *empty, bool *fresh)
{
	struct vm_page *pg;
	struct kmutex *lock;

	spin_lock(&uvm_pageq_lock);
	pg = vm_page_queue_rotate(queue);
	*empty = pg == NULL;
	lock = pg != NULL ? owner_lock(pg) : NULL;
	*fresh = lock != NULL && !mutex_owned(lock);
	if (lock == NULL || (*fresh && !mutex_tryenter(lock)))
		pg = NULL;
	spin_unlock(&uvm_pageq_lock);
	if (!*empty && pg == NULL)
		uvmexp.pdbusy++;
	return pg;
}

/* ------------------------------------------------------------------ */
/* Clusters                                                            */

struct cluster {
	int n;
	struct vm_page *pages[SWAP_MAXCLUSTER];
	int nlocks;
	struct kmutex *locks[SWAP_MAXCLUSTER];  /* distinct owner locks held */
	bool failed;            /* a write failed: no more this pass */
	bool file_failed;       /* a file write failed: no more this pass */
};

static void
cluster_note_lock(struct cluster *c, struct kmutex *lock)
{
	for (int i = 0; i < c->nlocks; i++) {
		if (c->locks[i] == lock)
			return;
	}
	c->locks[c->nlocks++] = lock;
}

/* Give page i the slot (0: forget it) and release the old one.  => 0 or -ENOMEM. */
static int
page_set_slot(struct vm_page *pg, int slot)
{
	int old;

	if (pg->uanon != NULL) {
		old = pg->uanon->an_swslot;
		pg->uanon->an_swslot = slot;
	} else {
		old = uao_set_swslot(pg->uobject, (int)(pg->offset >> PAGE_SHIFT), slot);
		if (old < 0)
			return old;
	}
	if (old > 0)
		uvm_swap_free(old, 1);
	return 0;
}

/*
 * Take pg from its owner (the anon forgets it, or the object's tree drops
 * it) and free it: its data is safe elsewhere.  => owner locked, pg not
 * busy and unmapped.
 */
static void
page_detach_free(struct vm_page *pg)
{
	if (pg->uanon != NULL)
		pg->uanon->an_page = NULL;
	else
		uvm_obj_page_remove(pg->uobject, pg);
	vm_page_free(pg);
}

/* The write worked: the swap copy is the data, the page can go. */
static void
page_written(struct vm_page *pg)
{
	uvmexp.pageouts++;
	vm_page_unbusy(pg);
	page_detach_free(pg);
}

/*
 * Record slots slot, slot + 1, ... in the cluster's pages, in order,
 * stopping at the first page that cannot take one (an aobj whose slot
 * table found no memory), so the recorded run stays contiguous.  Pages
 * past the run go back to the active queue, unused slots to the swap.
 *  => returns the length of the run.
 */
static int
cluster_assign(struct cluster *c, int slot, int n)
{
	int ok = 0;

	while (ok < n && page_set_slot(c->pages[ok], slot + ok) == 0)
		ok++;
	if (ok < n)
		uvm_swap_free(slot + ok, n - ok);
	for (int i = ok; i < c->n; i++) {
		vm_page_unbusy(c->pages[i]);
		vm_page_activate(c->pages[i]);
	}
	return ok;
}

/* The write failed: keep every page, its data, and mark the slots bad. */
static void
cluster_failed(struct cluster *c, int slot, int n)
{
	uvm_swap_markbad(slot, n);
	for (int i = 0; i < n; i++) {
		struct vm_page *pg = c->pages[i];
		page_set_slot(pg, 0);   /* a bad slot stays allocated for good */
		pg->flags &= ~PG_CLEAN;
		vm_page_unbusy(pg);
		vm_page_activate(pg);
	}
}

/*
 * Write the cluster: one run of slots, one request.  The pages are busy
 * and their owners locked; on return the owners are unlocked and the
 * cluster is empty.  => returns the pages freed.
 */
static int
cluster_flush(struct cluster *c)
{
	int n = c->n, slot = 0, freed = 0;

	if (n > 0)
		slot = uvm_swap_alloc(&n, true);    /* as long a run as there is */
	n = cluster_assign(c, slot, slot == 0 ? 0 : n);
	if (n > 0 && uvm_swap_io(c->pages, n, slot, true) != 0) {
		cluster_failed(c, slot, n);
		c->failed = true;
	} else {
		for (int i = 0; i < n; i++)
			page_written(c->pages[i]);
		freed = n;
	}
	for (int i = 0; i < c->nlocks; i++)
		mutex_exit(c->locks[i]);
	c->n = c->nlocks = 0;
	return freed;
}

/* ------------------------------------------------------------------ */
/* Scanning                                                            */

enum pd_verdict { PD_SKIP, PD_FREE, PD_SWAP, PD_FILE, PD_KEEP };

/*
 * What an inactive page deserves, once unmapped.  A clean page whose
 * data is safe elsewhere is freed: an anon's or aobj's with a current
 * swap copy, a file's always (the file has it).  Anything else of an anon
 * or aobj goes to swap - an aobj page without a slot too, even if it
 * looks clean, since nothing else holds its data; a dirty vnode-pager
 * page goes to its file.
 */
static enum pd_verdict
pd_classify(struct vm_page *pg)
{
	bool clean = (pg->flags & PG_CLEAN) != 0;

	if (pg->uanon != NULL)
		return clean && pg->uanon->an_swslot != 0 ? PD_FREE : PD_SWAP;
	if (uao_is_aobj(pg->uobject)) {
		int slot = uao_find_swslot(pg->uobject, (int)(pg->offset >> PAGE_SHIFT));
		return clean && slot != 0 ? PD_FREE : PD_SWAP;
	}
	if (clean)
		return PD_FREE;
	return uvn_is_vnode(pg->uobject) ? PD_FILE : PD_KEEP;
}

/* Look at one inactive page (owner locked): the clock, then unmap it. */
static enum pd_verdict
pd_look(struct vm_page *pg)
{
	uvmexp.pdscans++;
	if ((pg->flags & PG_BUSY) || pg->wire_count > 0 || !(pg->pqflags & PQ_INACTIVE)) {
		uvmexp.pdbusy++;
		return PD_SKIP;
	}
	if (uvm_pdpolicy->reactivate(pg)) {
		vm_page_activate(pg);   /* used since it was deactivated */
		uvmexp.pdreact++;
		return PD_SKIP;
	}
	pmap_page_protect(pg, VM_PROT_NONE);
	if (pmap_clear_modify(pg))
		pg->flags &= ~PG_CLEAN;
	return pd_classify(pg);
}

static void
pd_free_clean(struct vm_page *pg)
{
	page_detach_free(pg);
	uvmexp.pdfreed++;
}

static bool
swap_has_room(void)
{
	return uvm_swap_stats.inuse < uvm_swap_stats.nslots;
}

/*
 * A dirty file page (owner locked, unmapped by pd_look): its object's
 * pgo_put writes it with its dirty neighbours, in clusters contiguous on
 * the disk, then it is freed if it came back clean.  The swap cluster is
 * written first, so the daemon holds no other owner's lock while the
 * file system works.  pgo_put lets go of the object lock during the
 * write (the pages busy), so the page is looked up again after it.
 *  => owner locked on entry and return; returns the pages freed.
 */
static int
pd_clean_file(struct vm_page *pg, struct cluster *c)
{
	struct uvm_object *uobj = pg->uobject;
	voff_t off = pg->offset, half = (voff_t)(UVN_MAXCLUSTER / 2) << PAGE_SHIFT;
	int freed = cluster_flush(c);

	if (c->file_failed) {
		vm_page_activate(pg);
		return freed;
	}
	if (uobj->pgops->pgo_put(uobj, MAX(off - half, 0), off + half,
	    PGO_CLEANIT) != 0)
		c->file_failed = true;
	pg = uvm_obj_page_lookup(uobj, off);
	if (pg == NULL || (pg->flags & PG_BUSY) || pg->wire_count > 0)
		return freed;
	if ((pg->flags & PG_CLEAN) && pg->md.pv_list == NULL &&
	    !pmap_is_modified(pg)) {
		pd_free_clean(pg);
		return freed + 1;
	}
	vm_page_activate(pg);   /* the write failed, or it is in use again */
	return freed;
}

/* Act on one locked inactive page.  => true if it joined the cluster. */
static bool
pd_reclaim_one(struct vm_page *pg, struct cluster *c, int *freed)
{
	switch (pd_look(pg)) {
	case PD_FREE:
		pd_free_clean(pg);
		(*freed)++;
		return false;
	case PD_SWAP:
		/* After a failed write the disk is suspect: keep the pages
		 * this pass rather than mark more slots bad. */
		if (swap_has_room() && !c->failed) {
			pg->flags |= PG_BUSY;
			c->pages[c->n++] = pg;
			cluster_note_lock(c, owner_lock(pg));
			return true;
		}
		vm_page_activate(pg);   /* nowhere to put it */
		return false;
	case PD_FILE:
		*freed += pd_clean_file(pg, c);
		return false;
	case PD_KEEP:
		vm_page_activate(pg);
		return false;
	case PD_SKIP:
		break;
	}
	return false;
}

/* The inactive queue, once round at most, until target pages are freed. */
static int
pd_scan_inactive(int target, struct cluster *c)
{
	int freed = 0;

	for (uint64_t n = uvmexp.inactive; n > 0 && freed < target; n--) {
		bool empty, fresh;
		struct vm_page *pg = pd_next_locked(PQ_INACTIVE, &empty, &fresh);
		if (empty)
			break;
		if (pg == NULL)
			continue;
		struct kmutex *lock = owner_lock(pg);
		if (!pd_reclaim_one(pg, c, &freed) && fresh)
			mutex_exit(lock);
		if (c->n == SWAP_MAXCLUSTER)
			freed += cluster_flush(c);
	}
	return freed + cluster_flush(c);
}

/*
 * A clean file page (a vnode's or memory object's) that nobody used since
 * it was deactivated, to free without I/O?  Its mappings go first, and a
 * store seen at that moment makes it dirty after all.  Pages of other
 * kinds, and referenced ones, are left for the full scan untouched (their
 * referenced bits are the clock's).  => owner locked.
 */
static bool
pd_clean_file_page(struct vm_page *pg)
{
	struct uvm_object *uobj = pg->uobject;

	if (pg->uanon != NULL || uobj == NULL || uao_is_aobj(uobj) ||
	    (pg->flags & (PG_BUSY | PG_CLEAN)) != PG_CLEAN ||
	    pg->wire_count > 0 || !(pg->pqflags & PQ_INACTIVE) ||
	    pmap_is_referenced(pg) || pmap_is_modified(pg))
		return false;
	pmap_page_protect(pg, VM_PROT_NONE);
	if (pmap_clear_modify(pg)) {
		pg->flags &= ~PG_CLEAN;
		return false;
	}
	return true;
}

/*
 * The look before each scan: free clean, unreferenced file pages of the
 * inactive queue, once round at most, until target are freed.
 *  => returns the pages freed.
 */
static int
pd_scan_clean_files(int target)
{
	int freed = 0;

	for (uint64_t n = uvmexp.inactive; n > 0 && freed < target; n--) {
		bool empty, fresh;
		struct vm_page *pg = pd_next_locked(PQ_INACTIVE, &empty, &fresh);
		if (empty)
			break;
		if (pg == NULL)
			continue;
		struct kmutex *lock = owner_lock(pg);
		uvmexp.pdscans++;
		if (pd_clean_file_page(pg)) {
			pd_free_clean(pg);
			freed++;
		}
		if (fresh)
			mutex_exit(lock);
	}
	return freed;
}

/*
 * The clock's first hand: move unreferenced active pages to inactive
 * until want are there.  Twice round at most, since the first look at a
 * page that was used once only clears its referenced bit.
 */
static void
pd_balance(uint64_t want)
{
	for (uint64_t n = 2 * uvmexp.active; n > 0 && uvmexp.inactive < want; n--) {
		bool empty, fresh;
		struct vm_page *pg = pd_next_locked(PQ_ACTIVE, &empty, &fresh);
		if (empty)
			break;
		if (pg == NULL)
			continue;
		if (!(pg->flags & PG_BUSY) && pg->wire_count == 0 &&
		    (pg->pqflags & PQ_ACTIVE) && uvm_pdpolicy->deactivate(pg)) {
			vm_page_deactivate(pg);
			uvmexp.pddeact++;
		}
		KASSERT(fresh);
		mutex_exit(owner_lock(pg));
	}
}

/*
 * Free target pages from the inactive queue: clean file pages first (no
 * I/O), then, for what is still missing, the full scan.
 */
static int
pd_reclaim(int target, struct cluster *c)
{
	int freed = pd_scan_clean_files(target);

	if (freed < target)
		freed += pd_scan_inactive(target - freed, c);
	return freed;
}

/*
 * One pass.  A request (uvm_pdaemon_pageout_now) first gets that many
 * pages on the inactive queue (the clock's first hand) and one look at
 * them, freeing up to that many; then,
 * if free pages are short, up to four rounds of balance-and-scan work
 * towards freetarg.
 */
static int
pd_pass(int request)
{
	struct cluster c = { 0 };
	int freed = 0;

	if (request > 0) {
		pd_balance((uint64_t)request);
		freed += pd_reclaim(request, &c);
	}
	for (int round = 0; round < 4; round++) {
		int target = (int)uvmexp.freetarg - (int)uvmexp.free;
		if (target <= 0)
			break;
		pd_balance(MAX((uvmexp.active + uvmexp.inactive) / 3, (uint64_t)target));
		freed += pd_reclaim(target, &c);
	}
	return freed;
}

void
uvm_pdaemon_main(void *arg)
{
	(void)arg;
	/* The passes that free memory must not fail for fun. */
	uvm_failalloc_exempt_curthread();
	spin_lock(&pd.lock);
	pd.running = true;
	for (;;) {
		while (!pd.kicked && (pd.stalled || uvmexp.free >= uvmexp.freemin))
			sleep_on(&pd_wakechan, &pd.lock, "pgdaemon");
		uint64_t covers = pd.seq;
		int request = pd.request;
		pd.request = 0;
		pd.kicked = false;
		spin_unlock(&pd.lock);

		uvmexp.pdwoke++;
		int freed = pd_pass(request);

		spin_lock(&pd.lock);
		pd.stalled = freed == 0 && uvmexp.free < uvmexp.freemin;
		uvmexp.pdstalls += pd.stalled;
		pd.lastfreed = freed;
		pd.done = covers;
		wakeup(&pd_donechan);
	}
}

void
uvm_pdaemon_print(kprint_fn pr)
{
	pr("pagedaemon: %s; free %lu (freemin %lu, freetarg %lu, reserve %lu)\n",
	    pd.running ? (pd.stalled ? "stalled" : "running") : "not started",
	    uvmexp.free, uvmexp.freemin, uvmexp.freetarg, uvmexp.reserve);
	pr("  queues: active %lu inactive %lu wired %lu\n", uvmexp.active,
	    uvmexp.inactive, uvmexp.wired);
	pr("  passes %lu scanned %lu reactivated %lu deactivated %lu freed clean "
	    "%lu skipped %lu stalls %lu\n", uvmexp.pdwoke, uvmexp.pdscans,
	    uvmexp.pdreact, uvmexp.pddeact, uvmexp.pdfreed, uvmexp.pdbusy,
	    uvmexp.pdstalls);
	pr("  pageouts %lu pageins %lu oom kills %lu\n", uvmexp.pageouts,
	    uvmexp.pageins, uvmexp.oomkills);
}
