/*
 * uvm/uvm_failalloc.h - allocation-failure injection: make page, pool and
 * kmem allocations fail on purpose, so the code that handles a failure
 * (and is otherwise never run) gets run.
 *
 *   failalloc=50:7 on the command line    rate 50 per mille, seed 7
 *
 *   uvm_failalloc_set(50, 7);      // on: each allocation that may fail
 *   ... run user programs ...      // fails with probability 50/1000
 *   uvm_failalloc_set(0, 0);       // off again
 *
 * The option only records the rate and seed: injection is off until
 * someone turns it on, so the boot and the kernel tests are undisturbed.
 * kmain turns it on before starting init when no tests run (so `make run
 * CMDLINE=failalloc=...` runs a program under it); the failalloc/ test
 * turns it on around each user program.
 *
 * Each allocator asks uvm_failalloc_hit() before it does its work, and
 * returns its usual "no memory" answer when told to fail.  Random
 * failures hit only the threads of user processes (their system calls,
 * faults, exec and exit): the kernel thread that starts a program loads
 * it undisturbed, so even at high rates programs run.  Left alone,
 * always:
 *   - a call with the allocator's no-injection flag (VM_PAGE_NOFAIL,
 *     PR_NOFAIL): one whose caller has no way to fail cleanly, such as a
 *     kernel page table for pmap_kenter_pa or a map entry for a clip
 *     (uvm_map.c's entry reserve);
 *   - interrupt handlers;
 *   - a thread that called uvm_failalloc_exempt_curthread (the page
 *     daemon, whose passes free memory and must not be starved).
 *
 * The hook for regression tests: uvm_failalloc_arm(kinds, skip, count)
 * lets `skip` eligible allocations of those kinds through and fails the
 * `count` after them - a failure at one exact allocation.
 *
 * Reproducing: the rolls come from one seeded generator, so the same
 * program with the same seed fails at the same allocations as long as
 * the order of allocations is the same (one process; with several, the
 * timer's preemptions interleave them differently from run to run).
 *
 * Locking: one spin lock (a leaf) guards the generator and counters.
 */
#ifndef UVM_UVM_FAILALLOC_H
#define UVM_UVM_FAILALLOC_H

#include "kern/lib/printf.h"
#include "kern/lib/types.h"

/* The kinds of allocation, for uvm_failalloc_hit and _arm. */
#define UVM_FAILALLOC_PAGE 0x1      /* vm_page_alloc and friends */
#define UVM_FAILALLOC_POOL 0x2      /* pool_get, pool_get_many */
#define UVM_FAILALLOC_KMEM 0x4      /* kmem_alloc */
#define UVM_FAILALLOC_ALL 0x7

struct uvm_failalloc_stats {
	uint64_t checked;           /* eligible allocations looked at while on */
	uint64_t page;              /* failures injected, by kind */
	uint64_t pool;
	uint64_t kmem;
};

/*
 * uvm_failalloc_parse - read "RATE" or "RATE:SEED" (decimal, RATE in per
 * mille, at most 1000; SEED defseed when not given).
 *  => returns 0, or -EINVAL (nothing stored) for anything else.
 */
int uvm_failalloc_parse(const char *s, uint64_t defseed, unsigned *rate,
    uint64_t *seed);

/*
 * uvm_failalloc_boot_rate - the failalloc= option: its rate in per mille
 * (0 when absent or malformed) and, through seed, its seed (failalloc=
 * RATE:SEED, or failseed=N; 1 by default).  => any time after cmdline.
 */
unsigned uvm_failalloc_boot_rate(uint64_t *seed);

/*
 * uvm_failalloc_set - random injection at permille/1000 with the
 * generator seeded by seed; permille 0 turns every injection (an armed
 * one too) off.  => any thread context; never sleeps.
 */
void uvm_failalloc_set(unsigned permille, uint64_t seed);

/*
 * uvm_failalloc_arm - deterministic injection: of the eligible
 * allocations of the given kinds, let skip succeed, fail the next count,
 * then stop injecting.  => replaces any random setting; never sleeps.
 */
void uvm_failalloc_arm(unsigned kinds, uint64_t skip, uint64_t count);

/* uvm_failalloc_on - is any injection (random or armed) on? */
bool uvm_failalloc_on(void);

/*
 * uvm_failalloc_hit - should this allocation of kind fail?
 *  => for the allocators: call once per object or page, before taking
 *     it; true means give the caller the usual "no memory" answer.
 *  => false when off, in an interrupt, or in an exempt thread, and for
 *     random injection outside a user process's thread.  Counts.
 */
bool uvm_failalloc_hit(unsigned kind);

/* uvm_failalloc_exempt_curthread - no injection in this thread, ever. */
void uvm_failalloc_exempt_curthread(void);

/* uvm_failalloc_injected - failures injected so far, all kinds. */
uint64_t uvm_failalloc_injected(void);

/* uvm_failalloc_stats_get - a copy of the counters. */
void uvm_failalloc_stats_get(struct uvm_failalloc_stats *st);

/* uvm_failalloc_print - state and counters, one line. */
void uvm_failalloc_print(kprint_fn pr);

#endif
