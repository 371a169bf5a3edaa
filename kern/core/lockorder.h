/*
 * kern/core/lockorder.h - the lock-order checker's interface (the
 * mechanism and its invariants are explained in kern/core/lockorder.c).
 *
 * In short: every lock belongs to a class named by its lock's name
 * ("vm_map", "amap", "pmap", ...).  Each thread keeps a small stack of
 * the locks it holds.  Taking lock N while holding H records the edge
 * class(H) -> class(N); an acquisition that would close a cycle in that
 * graph is a possible deadlock and is reported with both orders.
 *
 * The hooks are called by the locks themselves: spin_lock_saved and
 * spin_unlock_keepintr (kern/lib/spinlock.h, which declares them, as
 * assert.h declares panic, so no include points up), mutex_enter,
 * mutex_tryenter and mutex_exit (kern/core/mutex.c).  Nothing else calls
 * them, except the tests.
 *
 * Tiers: compiled in when LOCKORDER is 1 (it follows KDEBUG: make test's
 * debug build has it, make bench's release build has not); switched at
 * boot with lockorder=0 (off), 1 (on, the default: a violation panics)
 * or warn (print each violation once and carry on, to survey a change).
 */
#ifndef KERN_CORE_LOCKORDER_H
#define KERN_CORE_LOCKORDER_H

#include "kern/lib/printf.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/types.h"

/*
 * Locks one thread may hold at once.  The deepest holder is the page
 * daemon building a swap cluster: up to SWAP_MAXCLUSTER (16) owner locks,
 * try-locked, then the queue lock and what the write takes.
 */
#define LO_HELD_MAX 32
#define LO_CLASS_MAX 256        /* lock classes (distinct names) */
#define LO_EDGE_MAX 1024        /* recorded orders "A before B" */

/* What a lock is: the kinds never share a class, even under one name. */
enum lo_kind {
	LO_SPIN = 0,
	LO_MUTEX = 1,
};

/* One lock a thread holds: which, its class, and where it was taken. */
struct lo_held {
	const void *lock;
	uintptr_t site;         /* return address of the acquiring call */
	uint16_t cls;
	bool trylock;           /* taken by a try: no order recorded into it */
};

/* A thread's held locks, oldest first (struct thread has one). */
struct lo_stack {
	int n;
	int lost;               /* pushes refused when the stack was full */
	struct lo_held h[LO_HELD_MAX];
};

/* What the checker does on a violation. */
enum lo_action {
	LO_PANIC = 0,           /* the default: print both orders, panic */
	LO_WARN,                /* print once per pair of classes, go on */
	LO_RECORD,              /* tests: remember it silently, go on */
};

enum lo_violation_type {
	LOV_NONE = 0,
	LOV_ORDER,              /* taking N while holding H closes a cycle */
	LOV_SAME_CLASS,         /* two locks of one class, not declared nestable */
	LOV_RECURSION,          /* taking a lock the caller already holds */
	LOV_SLEEP_UNDER_SPIN,   /* mutex_enter (may sleep) with a spin lock held */
	LOV_NOT_HELD,           /* releasing a lock that is not on the stack */
	LOV_HELD_AT,            /* locks held where none may be (user return) */
	LOV_TOO_DEEP,           /* more than LO_HELD_MAX locks held */
};

/* The last violation, as the tests read it in LO_RECORD mode. */
struct lo_violation {
	enum lo_violation_type type;
	const char *held;       /* the held lock's class name, or NULL */
	const char *taken;      /* the lock being taken or released */
	uintptr_t held_site, taken_site;
	int path_len;           /* LOV_ORDER: edges from taken back to held */
};

/* Counters for the debugger and the tests. */
struct lo_stats {
	uint64_t checks;        /* acquisitions checked */
	uint64_t violations;    /* reported in any mode */
	int classes;
	int edges;
	int max_depth;          /* most locks one context held at once */
};

extern int lockorder_enabled;   /* the runtime switch (spinlock.h reads it) */
extern struct lo_stats lockorder_stats;

/*
 * lockorder_boot - apply the lockorder= option.
 *  => once, from kmain right after the command line is parsed, with no
 *     lock held (the checker is on from the first lock until then).
 */
void lockorder_boot(void);

/*
 * lockorder_boot_done - print the counters (and with lockorder_dump=1
 * the whole graph) when the boot's tests or init are done.
 */
void lockorder_boot_done(void);

/*
 * lockorder_acquire - a blocking acquisition of lock (named name, of
 * kind) is about to happen: check it against every held lock, record
 * the new orders, push it.
 *  => site: the caller's return address, or 0 for "my caller" (the
 *     inline spin lock, whose caller is the function that took it).
 *  => any context, interrupts on or off; never sleeps or allocates.
 *  => on a violation, does what lockorder_set_action said (panic).
 */
void lockorder_acquire(const void *lock, const char *name, int kind, uintptr_t site);

/*
 * lockorder_acquired_try - a try-lock succeeded: push it without
 * recording an order into it (a try never waits, so cannot deadlock);
 * locks taken while it is held do record orders from it.
 */
void lockorder_acquired_try(const void *lock, const char *name, int kind,
    uintptr_t site);

/*
 * lockorder_release - lock (of kind) is being released: pop it from the
 * holder's stack (any position; releases need not nest).
 *  => reports LOV_NOT_HELD if it is not there.
 *  => lockorder_spin_release is the same for spinlock.h's inline code.
 */
void lockorder_release(const void *lock, int kind);

/*
 * lockorder_assert_none_held - report LOV_HELD_AT if the current thread
 * holds any lock; where names the place ("return to user mode").
 */
void lockorder_assert_none_held(const char *where);

/*
 * lockorder_handoff - lock, on from's stack, moves to to's: the
 * scheduler's lock crosses a context switch, taken by the thread that
 * leaves the CPU and released by the one that arrives (kern/core/sched.c).
 *  => interrupts off; nothing if from does not hold it (the checker was
 *     off when it was taken).
 */
void lockorder_handoff(struct lo_stack *from, struct lo_stack *to, const void *lock);

/* lockorder_held_count - how many locks the current context holds. */
int lockorder_held_count(void);

/*
 * lockorder_print_held - one line per lock held by the current context,
 * with where each was taken.  => any context; for panic and gdb.
 */
void lockorder_print_held(kprint_fn pr);

/*
 * lockorder_print - the counters, every class and every recorded edge
 * with the first places each order was seen, and the deepest stack of
 * held locks seen so far.
 *  => never sleeps; takes the checker's own lock only to copy counts.
 */
void lockorder_print(kprint_fn pr);

/*
 * lockorder_print_edges - the edges alone, one "from -> to" per line,
 * for a machine to compare with the documented order.
 *  => prefix: only edges with a class whose name starts with it (NULL: all).
 */
void lockorder_print_edges(const char *prefix, kprint_fn pr);

/*
 * lockorder_set_action - what a violation does; returns the old action.
 *  => tests use LO_RECORD and must restore the old action.
 */
enum lo_action lockorder_set_action(enum lo_action a);

/*
 * lockorder_last_violation - the latest violation (type LOV_NONE after
 * lockorder_clear_violation).
 */
struct lo_violation lockorder_last_violation(void);
void lockorder_clear_violation(void);

/*
 * lockorder_class_forget - drop every edge into or out of the class
 * (name, kind), so tests can build orders with throw-away classes and
 * leave the real graph as it was.  => no lock of that class held.
 */
void lockorder_class_forget(const char *name, int kind);

/*
 * lockorder_class_set_nestable - allow (or forbid) holding two locks of
 * class (name, kind) at once.  The real nestable classes are declared
 * in lockorder.c's table, with the reason; this is for the tests.
 */
void lockorder_class_set_nestable(const char *name, int kind, bool ok);

/*
 * lockorder_edge_exists - has "a before b" been recorded?
 *  => false when either class is unknown.
 */
bool lockorder_edge_exists(const char *a, int akind, const char *b, int bkind);

/*
 * lockorder_check - the consistency checker after each suite: the
 * runner holds no lock, the action is back to panic, no warning was
 * printed since the last call.  => returns the problems found.
 */
int lockorder_check(kprint_fn pr);

#endif
