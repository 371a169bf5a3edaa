/*
 * uvm/uvm_pdaemon.h - the page daemon: the thread that keeps pages free.
 *
 * Allocation never waits inside vm_page_alloc: a caller that got NULL
 * lets go of its locks and calls uvm_wait, which wakes the daemon and
 * sleeps until it has finished a pass; then the caller starts over.  The
 * daemon also wakes by itself when free pages fall below uvmexp.freemin.
 * The policy and the worked example are in uvm_pdaemon.c.
 */
#ifndef UVM_UVM_PDAEMON_H
#define UVM_UVM_PDAEMON_H

#include "kern/lib/printf.h"
#include "kern/lib/types.h"

struct vm_page;

/*
 * uvm_pdaemon_init - set the watermarks from the number of pages.
 *  => once, after vm_page_bootstrap.
 */
void uvm_pdaemon_init(void);

/*
 * uvm_pdaemon_main - the daemon's body; kern/ starts a kernel thread on
 * it once the scheduler runs (uvm/ never creates threads itself).
 *  => never returns.
 */
void uvm_pdaemon_main(void *arg);

/*
 * uvm_pdaemon_wake - poke the daemon (free pages are short).
 *  => any context but an interrupt handler's; never sleeps.
 */
void uvm_pdaemon_wake(void);

/*
 * uvm_wait - wait for the daemon to free memory.
 *  => no VM lock held (it sleeps until a full pass has run).
 *  => returns 0 when the caller should try again, -ENOMEM when the pass
 *     it waited for found nothing to free - memory and swap are both
 *     exhausted, so the caller gives up (a faulting process is killed).
 */
int uvm_wait(const char *wmesg);

/*
 * uvm_pdaemon_pageout_now - run one pass now that tries to free npages
 * (moving that many to the inactive queue first if needed), and wait
 * for it: a test hook, and how swapoff-style tools could make room.
 *  => no VM lock held; sleeps.  Returns the pages the pass freed (clean
 *     ones dropped - clean file pages first - and dirty ones written to
 *     swap, or to their file for a vnode-pager page).
 */
int uvm_pdaemon_pageout_now(int npages);

/* uvm_pdaemon_running - has the daemon's thread started? */
bool uvm_pdaemon_running(void);

/* uvm_pdaemon_print - watermarks, queue lengths and the daemon's counters. */
void uvm_pdaemon_print(kprint_fn pr);

/*
 * The replacement policy: the two questions the daemon's hands ask of a
 * page, with its owner locked (uvm_pdaemon.c draws the queues).
 *
 *   deactivate  the first hand, at the head of the active queue: move
 *               this page to the inactive queue now?
 *   reactivate  the second hand, at the head of the inactive queue: was
 *               it used since, so that it goes back to active instead of
 *               being freed?
 *
 * clock (the default) answers from the referenced bits, clearing them as
 * it looks: a page used since the last look gets a second chance.  fifo
 * ignores them: pages leave in the order they came.  Boot with
 * pdpolicy=fifo to run the other one; tests switch uvm_pdpolicy itself.
 */
struct uvm_pdpolicy {
	const char *name;
	bool (*deactivate)(struct vm_page *pg);
	bool (*reactivate)(struct vm_page *pg);
};

extern const struct uvm_pdpolicy uvm_pdpolicy_clock, uvm_pdpolicy_fifo;
/* The policy in use (pdpolicy= at boot); changed only with the daemon idle. */
extern const struct uvm_pdpolicy *uvm_pdpolicy;

#endif
