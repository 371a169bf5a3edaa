/*
 * kern/proc/futex.c - futex(2): sleeping on a word of user memory.
 *
 * A lock in user space is a 32-bit word that threads change with atomic
 * instructions; the kernel is asked only to sleep while the word says
 * "taken" and to wake sleepers when it changes.  musl's mutex, in short:
 *
 *   lock:    if cmpxchg(&w, 0, 1) fails:            (taken: say "waited")
 *                while xchg(&w, 2) != 0:
 *                    futex(&w, FUTEX_WAIT, 2)       sleep if w is still 2
 *   unlock:  if xchg(&w, 0) == 2:
 *                futex(&w, FUTEX_WAKE, 1)           wake one sleeper
 *
 * The kernel keeps no state per word: only the sleepers, each on a queue
 * of the hash table under the word's key, and only while they sleep.
 *
 * Keys.  A waker must find the sleepers of its word, from its own
 * address space or another process's.  A private futex (FUTEX_PRIVATE_FLAG,
 * what threads of one process use) is named (vmspace, address).  A shared
 * one is named by the memory behind the address: the map entry is looked
 * up and, if it maps an object shared (a MAP_SHARED file, tmpfs or memfd
 * file, or MAP_SHARED|MAP_ANONYMOUS, which is an aobj here), the key is
 * (object, offset in the object), so two processes meet however each
 * mapped it:
 *
 *   process A: 0x7f0000001008 --entry A--+
 *                                         +--> aobj 0xffff..., offset 0x1008
 *   process B: 0x5000000008 ---entry B---+     = one key, one queue
 *
 * Private memory (copy-on-write) has no second user, so its shared key is
 * its private key, as on Linux.  An object key holds a reference on the
 * object as long as a sleeper uses it: the object cannot be freed and
 * another take its address (and its sleepers) meanwhile.
 *
 * Waiting without losing a wake.  The table has FUTEX_NBUCKETS buckets,
 * each a spin lock and a FIFO of struct futex_waiter (on the sleeper's
 * stack).  A waiter takes its bucket's lock, reads the word, and only if
 * it still holds the expected value joins the queue and sleeps, handing
 * the lock to sleep_on as its interlock; a waker changes the word first,
 * then takes the same lock to wake.  So either the waiter read the new
 * value (-EAGAIN: it goes back and looks again), or it was on the queue
 * before the waker looked:
 *
 *   waiter                                 waker (another process)
 *     lock bucket                            w = 0 (in user space)
 *     read w: 2 == val                       futex(&w, WAKE, 1):
 *     join queue, sleep (unlock) ..........    lock bucket
 *                                              dequeue, fw_woken, wake it
 *     (runs) fw_woken: return 0                unlock; return 1
 *
 * The word is read with the bucket lock held, so it must not fault (a
 * fault may sleep): pmap_user_word_op checks the page table entry and
 * reads the word through the direct map with the pmap's lock held in between,
 * so another CPU's munmap cannot take the page away after the check; if
 * the page is not mapped as needed, the lock is dropped, the page
 * faulted in with uvm_fault, and the whole step tried again.  FUTEX_WAKE_OP changes its word the same way, with an
 * atomic instruction; the robust list's owner-died update likewise.
 *
 * A sleep ends by a wake (dequeued by the waker, fw_woken set), by the
 * deadline (a timed waiter sleeps on the clock tick and looks at the
 * clock each tick, as nanosleep), or by a signal (sleep_on_intr; the
 * waiter tests signal_actionable under the lock).  Linux's results: a
 * signal gives -ERESTARTSYS to a wait with no timeout (a handler with
 * SA_RESTART, or a stop and continue, wait again; otherwise -EINTR) and
 * -ERESTART_RESTARTBLOCK to a timed one (-EINTR after any handler; after
 * a stop, restart_syscall goes on to the same deadline).
 *
 * FUTEX_REQUEUE moves sleepers from one key to another without waking
 * them (a condition variable's broadcast moves its waiters onto the
 * mutex).  It holds both buckets' locks; a moved waiter's fw_bucket and
 * fw_key change under them, so a waiter that wakes by itself retakes
 * whichever bucket it is on now (futex_relock).  Its key's reference
 * moves with it: the requeuer takes one on the new object per moved
 * waiter and drops one on the old (after unlocking: references take the
 * object's mutex).
 *
 * Invariants: a waiter is on its fw_bucket's queue exactly while it is
 * in futex_sleep and not woken; fw_woken is set only by the waker that
 * dequeued it; futex_waiters() == 0 whenever no thread is in a wait.
 *
 * Lock order: the map lock and the object lock (futex_key_get) are taken
 * and dropped before any bucket lock.  A bucket lock is a spin lock: it
 * is held only while reading or changing the word and the queue, with
 * the pmap's lock (the page table look-up) and the scheduler inside it; two at
 * once (requeue, wake_op) are taken lower address first.  Nothing else
 * is taken inside it.
 */
#include "kern/proc/futex.h"
#include "kern/arch/uaccess.h"
#include "kern/core/clock.h"
#include "kern/core/sched.h"
#include "kern/core/thread.h"
#include "kern/lib/errno.h"
#include "kern/lib/queue.h"
#include "kern/lib/spinlock.h"
#include "kern/proc/futex_impl.h"
#include "kern/proc/proc.h"
#include "kern/proc/signal.h"
#include "kern/sys/syscall.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"

#define FUTEX_NBUCKETS 64

/* futex(2)'s operations and flags (Linux's <linux/futex.h>). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

/* The robust list's word: owner's tid, and two flags. */
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu
#define ROBUST_LIST_LIMIT 2048          /* Linux's bound on the walk */
#define ROBUST_RETRIES 16               /* cmpxchg attempts on one word */

#define NSEC 1000000000ULL
/* CLOCK_REALTIME at boot, as sys_time.c's EPOCH_AT_BOOT (2026-01-01). */
#define FUTEX_EPOCH_NS (1767225600ULL * NSEC)

/* The restart of a timed wait keeps the private flag in the address's bit 0. */
#define FUTEX_ARG_PRIVATE 1UL

struct futex_waiter {
	TAILQ_ENTRY(futex_waiter) fw_link;
	struct futex_key fw_key;            /* changed by a requeue */
	uint32_t fw_bitset;
	struct thread *fw_thread;
	struct futex_bucket *fw_bucket;     /* the queue it is on (requeue) */
	bool fw_woken;                      /* dequeued by a waker */
};

struct futex_bucket {
	struct spinlock fb_lock;
	TAILQ_HEAD(, futex_waiter) fb_waiters;
};

static struct futex_bucket futex_table[FUTEX_NBUCKETS] = {
	[0 ... FUTEX_NBUCKETS - 1] = { .fb_lock = SPINLOCK_INIT("futex bucket") },
};

static int futex_nwaiters;              /* atomic: waiters asleep now */

/* ------------------------------------------------------------------ */
/* Keys                                                                */

static bool
futex_key_equal(const struct futex_key *a, const struct futex_key *b)
{
	return a->fk_space == b->fk_space && a->fk_off == b->fk_off &&
	    a->fk_obj == b->fk_obj;
}

static struct futex_bucket *
futex_bucket_of(const struct futex_key *k)
{
	uint64_t h = (uint64_t)(uintptr_t)k->fk_space * 0x9e3779b97f4a7c15ULL;

	h ^= (k->fk_off >> 2) * 0xc2b2ae3d27d4eb4fULL;
	return &futex_table[(h ^ (h >> 31)) % FUTEX_NBUCKETS];
}

/*
 * The shared key of uaddr in vm: the object behind a shared object
 * mapping (referenced), else the private key.  => map unlocked.
 */
static int
futex_key_shared(struct vmspace *vm, uint64_t uaddr, struct futex_key *key)
{
	struct vm_map *map = &vm->vm_map;
	struct vm_map_entry *e;
	int error = 0;

	vm_map_lock(map);
	if (!uvm_map_lookup_entry(map, uaddr, &e) ||
	    !(e->protection & VM_PROT_READ))
		error = -EFAULT;
	else if (e->object != NULL && !(e->etype & UVM_ET_COPYONWRITE)) {
		*key = (struct futex_key){ e->object,
		    (uint64_t)e->offset + (uaddr - e->start), true };
		e->object->pgops->pgo_reference(e->object);
	}
	vm_map_unlock(map);
	return error;
}

int
futex_key_get(uint64_t uaddr, bool shared, struct futex_key *key)
{
	struct vmspace *vm = curthread->vmspace;

	if (uaddr & 3)
		return -EINVAL;
	if (!uaccess_ok(uaddr, sizeof(uint32_t)) || vm == NULL)
		return -EFAULT;
	*key = (struct futex_key){ vm, uaddr, false };
	return shared ? futex_key_shared(vm, uaddr, key) : 0;
}

void
futex_key_put(struct futex_key *key)
{
	struct uvm_object *uobj = (struct uvm_object *)key->fk_space;

	if (key->fk_obj)
		uobj->pgops->pgo_detach(uobj);
	key->fk_obj = false;
}

/* n references on to's object, then n off from's (a requeue's waiters moved). */
static void
futex_key_move_refs(const struct futex_key *from, const struct futex_key *to, int n)
{
	struct uvm_object *f = (struct uvm_object *)from->fk_space;
	struct uvm_object *t = (struct uvm_object *)to->fk_space;

	for (int i = 0; i < n && to->fk_obj; i++)
		t->pgops->pgo_reference(t);
	for (int i = 0; i < n && from->fk_obj; i++)
		f->pgops->pgo_detach(f);
}

/* ------------------------------------------------------------------ */
/* The user's word, touched under a bucket lock                        */

/* Fault the word's page in for the access.  => no lock held; 0 or -EFAULT. */
static int
futex_fault_in(uint64_t uaddr, bool write)
{
	struct vmspace *vm = curthread->vmspace;

	if (vm == NULL || uvm_fault(&vm->vm_map, ROUND_DOWN(uaddr, PAGE_SIZE),
	    write ? VM_PROT_WRITE : VM_PROT_READ) != 0)
		return -EFAULT;
	return 0;
}

static void
futex_lock2(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a > b) {
		struct futex_bucket *t = a;
		a = b;
		b = t;
	}
	spin_lock(&a->fb_lock);
	if (b != a)
		spin_lock(&b->fb_lock);
}

static void
futex_unlock2(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a < b) {
		struct futex_bucket *t = a;
		a = b;
		b = t;
	}
	if (b != a)
		spin_unlock(&a->fb_lock);
	spin_unlock(&b->fb_lock);
}

/*
 * Lock buckets a and b (the same, or two) and run op on the word at uaddr
 * (pmap_user_word_op: its page must be mapped for the access, and stays
 * so until op is done), faulting the page in with them unlocked as often
 * as needed.
 *  => 0 with both locked and op done, or -EFAULT with neither.
 */
static int
futex_lock_word(struct futex_bucket *a, struct futex_bucket *b, uint64_t uaddr,
    bool write, void (*op)(volatile uint32_t *w, void *arg), void *arg)
{
	struct vmspace *vm = curthread->vmspace;

	if (vm == NULL)
		return -EFAULT;
	for (;;) {
		futex_lock2(a, b);
		if (pmap_user_word_op(vm->vm_map.pmap, uaddr, write, op, arg))
			return 0;
		futex_unlock2(a, b);
		if (futex_fault_in(uaddr, write) != 0)
			return -EFAULT;
	}
}

/* op: read the word into *(uint32_t *)arg. */
static void
word_read(volatile uint32_t *w, void *arg)
{
	*(uint32_t *)arg = __atomic_load_n(w, __ATOMIC_SEQ_CST);
}

struct word_cmpxchg {
	uint32_t old, new, cur;     /* cur: what the word held */
};

/* op: compare the word with old and, if equal, store new. */
static void
word_cmpxchg(volatile uint32_t *w, void *arg)
{
	struct word_cmpxchg *c = arg;

	c->cur = c->old;
	__atomic_compare_exchange_n(w, &c->cur, c->new, false, __ATOMIC_SEQ_CST,
	    __ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------------------ */
/* The queues                                                          */

/* Bucket b is empty until first used: its queue head is made then. */
static void
futex_bucket_ready(struct futex_bucket *b)
{
	if (b->fb_waiters.tqh_lastp == NULL)
		TAILQ_INIT(&b->fb_waiters);
}

/* w joins the tail of b.  => b locked. */
static void
futex_enqueue(struct futex_bucket *b, struct futex_waiter *w)
{
	futex_bucket_ready(b);
	w->fw_bucket = b;
	TAILQ_INSERT_TAIL(&b->fb_waiters, w, fw_link);
	__atomic_add_fetch(&futex_nwaiters, 1, __ATOMIC_RELAXED);
}

/* w leaves its bucket.  => that bucket locked. */
static void
futex_dequeue(struct futex_waiter *w)
{
	TAILQ_REMOVE(&w->fw_bucket->fb_waiters, w, fw_link);
	__atomic_sub_fetch(&futex_nwaiters, 1, __ATOMIC_RELAXED);
}

/*
 * Wake w: off its queue, fw_woken, its sleep ended.  After this the
 * waker must not touch w (the waiter may return at once).
 *  => w's bucket locked.
 */
static void
futex_wake_waiter(struct futex_waiter *w)
{
	struct thread *t = w->fw_thread;

	futex_dequeue(w);
	__atomic_store_n(&w->fw_woken, true, __ATOMIC_RELEASE);
	sleep_interrupt(t);
}

/* Wake up to n (at least 1) of key's waiters in b with a bit of bitset. */
static int
futex_wake_locked(struct futex_bucket *b, const struct futex_key *key, int n,
    uint32_t bitset)
{
	struct futex_waiter *w, *tmp;
	int woken = 0;

	futex_bucket_ready(b);
	TAILQ_FOREACH_SAFE(w, &b->fb_waiters, fw_link, tmp) {
		if (!futex_key_equal(&w->fw_key, key) || !(w->fw_bitset & bitset))
			continue;
		futex_wake_waiter(w);
		if (++woken >= n)
			break;
	}
	return woken;
}

/* Move w from its bucket to b2 under key k2.  => both buckets locked. */
static void
futex_move(struct futex_waiter *w, struct futex_bucket *b2,
    const struct futex_key *k2)
{
	w->fw_key = *k2;
	if (w->fw_bucket == b2)
		return;
	TAILQ_REMOVE(&w->fw_bucket->fb_waiters, w, fw_link);
	futex_bucket_ready(b2);
	w->fw_bucket = b2;
	TAILQ_INSERT_TAIL(&b2->fb_waiters, w, fw_link);
}

/*
 * The waiter w is back from sleep_on holding held, the bucket it went to
 * sleep on; a requeue may have moved it.  => returns w's bucket, locked
 * (and held released if different).
 */
static struct futex_bucket *
futex_relock(struct futex_waiter *w, struct futex_bucket *held)
{
	while (held != __atomic_load_n(&w->fw_bucket, __ATOMIC_ACQUIRE)) {
		spin_unlock(&held->fb_lock);
		held = __atomic_load_n(&w->fw_bucket, __ATOMIC_ACQUIRE);
		spin_lock(&held->fb_lock);
	}
	return held;
}

/* Has the caller's process a signal to act on? (kernel threads: never) */
static bool
futex_signalled(void)
{
	return curproc != NULL && signal_actionable(curproc);
}

/*
 * Sleep until w is woken, deadline passes or a signal comes.
 *  => w queued, its bucket locked; returns with it unlocked and w off
 *     every queue.  0, -ETIMEDOUT or -ERESTARTSYS.
 */
static int
futex_sleep(struct futex_waiter *w, uint64_t deadline)
{
	struct futex_bucket *b = w->fw_bucket;
	const void *chan = deadline == FUTEX_FOREVER ? (const void *)w : CLOCK_TICK_CHAN;
	int error;

	for (;;) {
		error = 0;
		if (__atomic_load_n(&w->fw_woken, __ATOMIC_ACQUIRE))
			break;
		error = -ETIMEDOUT;
		if (clock_ns() >= deadline)
			break;
		error = -ERESTARTSYS;
		if (futex_signalled())
			break;
		sleep_on_intr(chan, &b->fb_lock, "futex");
		b = futex_relock(w, b);
	}
	if (error != 0)
		futex_dequeue(w);
	spin_unlock(&b->fb_lock);
	return error;
}

int
futex_wait(struct futex_key *key, uint64_t uaddr, uint32_t val,
    uint32_t bitset, uint64_t deadline)
{
	struct futex_waiter w = { .fw_key = *key, .fw_bitset = bitset,
	    .fw_thread = curthread };
	struct futex_bucket *b = futex_bucket_of(key);
	int error;

	uint32_t cur;

	if ((error = futex_lock_word(b, b, uaddr, false, word_read, &cur)) != 0)
		return error;
	if (cur != val) {
		spin_unlock(&b->fb_lock);
		return -EAGAIN;
	}
	futex_enqueue(b, &w);
	error = futex_sleep(&w, deadline);
	*key = w.fw_key;
	return error;
}

int
futex_wake(const struct futex_key *key, int n, uint32_t bitset)
{
	struct futex_bucket *b = futex_bucket_of(key);

	spin_lock(&b->fb_lock);
	int woken = futex_wake_locked(b, key, n, bitset);
	spin_unlock(&b->fb_lock);
	return woken;
}

/* Wake nwake of k1's waiters in b1 and move up to nrequeue to (b2, k2). */
static void
futex_requeue_locked(struct futex_bucket *b1, const struct futex_key *k1,
    struct futex_bucket *b2, const struct futex_key *k2, int nwake,
    int nrequeue, int *woken, int *moved)
{
	struct futex_waiter *w, *tmp;

	futex_bucket_ready(b1);
	TAILQ_FOREACH_SAFE(w, &b1->fb_waiters, fw_link, tmp) {
		if (*moved >= nrequeue && *woken >= nwake)
			break;
		if (!futex_key_equal(&w->fw_key, k1))
			continue;
		if (*woken < nwake) {
			futex_wake_waiter(w);
			++*woken;
		} else if (*moved < nrequeue) {
			futex_move(w, b2, k2);
			++*moved;
		}
	}
}

int
futex_requeue(const struct futex_key *k1, uint64_t uaddr1,
    const struct futex_key *k2, int nwake, int nrequeue, const uint32_t *cmpval)
{
	struct futex_bucket *b1 = futex_bucket_of(k1), *b2 = futex_bucket_of(k2);
	int woken = 0, moved = 0, error = 0;
	uint32_t cur = 0;

	if (cmpval == NULL)
		futex_lock2(b1, b2);
	else if ((error = futex_lock_word(b1, b2, uaddr1, false, word_read, &cur)) != 0)
		return error;
	if (cmpval != NULL && cur != *cmpval)
		error = -EAGAIN;
	else
		futex_requeue_locked(b1, k1, b2, k2, nwake, nrequeue, &woken, &moved);
	futex_unlock2(b1, b2);
	futex_key_move_refs(k1, k2, moved);
	return error != 0 ? error : woken + moved;
}

/* FUTEX_WAKE_OP's operation: the new value from old, or -1 (unknown op). */
static int64_t
futex_op_new(uint32_t op, uint32_t old)
{
	uint32_t oparg = (uint32_t)(((int32_t)(op << 8)) >> 20);   /* bits 12-23, signed */

	if (op & 0x80000000u)                   /* FUTEX_OP_OPARG_SHIFT */
		oparg = 1u << (oparg & 31);
	switch ((op >> 28) & 7) {
	case 0: return oparg;                   /* SET */
	case 1: return (uint32_t)(old + oparg); /* ADD */
	case 2: return old | oparg;             /* OR */
	case 3: return old & ~oparg;            /* ANDN */
	case 4: return old ^ oparg;             /* XOR */
	default: return -1;
	}
}

/* FUTEX_WAKE_OP's comparison of the old value: 1, 0, or -ENOSYS. */
static int
futex_op_cmp(uint32_t op, uint32_t old)
{
	int32_t o = (int32_t)old, arg = ((int32_t)(op << 20)) >> 20;  /* bits 0-11 */

	switch ((op >> 24) & 15) {
	case 0: return o == arg;                /* EQ */
	case 1: return o != arg;                /* NE */
	case 2: return o < arg;                 /* LT */
	case 3: return o <= arg;                /* LE */
	case 4: return o > arg;                 /* GT */
	case 5: return o >= arg;                /* GE */
	default: return -ENOSYS;
	}
}

struct word_op {
	uint32_t op;
	int result;         /* the comparison's, or -ENOSYS */
};

/* op: apply FUTEX_WAKE_OP's operation to the word atomically. */
static void
word_wake_op(volatile uint32_t *w, void *arg)
{
	struct word_op *o = arg;
	uint32_t old = __atomic_load_n(w, __ATOMIC_SEQ_CST), cur;

	if (futex_op_new(o->op, old) < 0) {
		o->result = -ENOSYS;
		return;
	}
	for (;;) {
		cur = old;
		if (__atomic_compare_exchange_n(w, &cur,
		    (uint32_t)futex_op_new(o->op, old), false, __ATOMIC_SEQ_CST,
		    __ATOMIC_SEQ_CST))
			break;
		old = cur;
	}
	o->result = futex_op_cmp(o->op, old);
}

int
futex_wake_op(const struct futex_key *k1, const struct futex_key *k2,
    uint64_t uaddr2, int n1, int n2, uint32_t op)
{
	struct futex_bucket *b1 = futex_bucket_of(k1), *b2 = futex_bucket_of(k2);
	struct word_op o = { op, 0 };
	int woken, cmp;

	if ((cmp = futex_lock_word(b1, b2, uaddr2, true, word_wake_op, &o)) != 0)
		return cmp;
	cmp = o.result;
	woken = cmp < 0 ? cmp : futex_wake_locked(b1, k1, n1, FUTEX_BITSET_ANY);
	if (cmp > 0)
		woken += futex_wake_locked(b2, k2, n2, FUTEX_BITSET_ANY);
	futex_unlock2(b1, b2);
	return woken;
}

int
futex_queued(const struct futex_key *key)
{
	struct futex_bucket *b = futex_bucket_of(key);
	struct futex_waiter *w;
	int n = 0;

	spin_lock(&b->fb_lock);
	futex_bucket_ready(b);
	TAILQ_FOREACH(w, &b->fb_waiters, fw_link)
		n += futex_key_equal(&w->fw_key, key);
	spin_unlock(&b->fb_lock);
	return n;
}

int
futex_waiters(void)
{
	return __atomic_load_n(&futex_nwaiters, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ */
/* Thread exit: the clear-tid wake and the robust list                 */

int
futex_wake_user(uint64_t uaddr, int n)
{
	struct futex_key key;
	int r = futex_key_get(uaddr, true, &key);

	if (r != 0)
		return r;
	r = futex_wake(&key, n, FUTEX_BITSET_ANY);
	futex_key_put(&key);
	return r;
}

/*
 * Compare-and-exchange the word at uaddr (old -> new) under its shared
 * key's bucket lock, so no waiter of the word sees half of it.
 *  => 0 and *cur (the value found), or -EFAULT / -EINVAL.
 */
static int
futex_cmpxchg_user(uint64_t uaddr, uint32_t old, uint32_t new, uint32_t *cur)
{
	struct futex_key key;
	int error = futex_key_get(uaddr, true, &key);

	if (error != 0)
		return error;
	struct futex_bucket *b = futex_bucket_of(&key);
	struct word_cmpxchg c = { old, new, 0 };
	if ((error = futex_lock_word(b, b, uaddr, true, word_cmpxchg, &c)) == 0) {
		*cur = c.cur;
		spin_unlock(&b->fb_lock);
	}
	futex_key_put(&key);
	return error;
}

/*
 * One robust lock of the exiting thread tid, its word at uaddr (Linux's
 * handle_futex_death): held by tid, it becomes OWNER_DIED (keeping
 * WAITERS) and a waiter is woken to take it over.  pending: the lock
 * list_op_pending names, which may have been released already - then a
 * waiter is woken in case the unlock's own wake never came.  pi: a PI
 * lock (no PI waiters exist here: nothing to wake).
 *  => 0, or -1 to stop the walk (an unusable word).
 */
static int
futex_robust_death(uint64_t uaddr, int tid, bool pi, bool pending)
{
	uint32_t uval, cur;

	if (uaddr & 3)
		return -1;
	for (int i = 0; i < ROBUST_RETRIES; i++) {
		if (copyin(uaddr, &uval, sizeof(uval)) != 0)
			return -1;
		if (pending && !pi && (uval & FUTEX_TID_MASK) == 0) {
			(void)futex_wake_user(uaddr, 1);
			return 0;
		}
		if ((uval & FUTEX_TID_MASK) != (uint32_t)tid)
			return 0;
		uint32_t mval = (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (futex_cmpxchg_user(uaddr, uval, mval, &cur) != 0)
			return -1;
		if (cur != uval)
			continue;                   /* changed meanwhile: again */
		if (!pi && (uval & FUTEX_WAITERS))
			(void)futex_wake_user(uaddr, 1);
		return 0;
	}
	return 0;
}

/* A robust list pointer at uaddr: the entry and its PI bit.  => 0 or -EFAULT. */
static int
futex_robust_fetch(uint64_t uaddr, uint64_t *entry, bool *pi)
{
	uint64_t v;

	if (copyin(uaddr, &v, sizeof(v)) != 0)
		return -EFAULT;
	*entry = v & ~1UL;
	*pi = v & 1;
	return 0;
}

/*
 * The list, as set_robust_list gives it (Linux's struct robust_list_head):
 *
 *   head: { next, futex_offset, list_op_pending }
 *           |
 *           v
 *   entry: { next } ... the lock's word at entry + futex_offset
 *
 * A circular list back to head; each pointer's bit 0 marks a PI lock.
 */
void
futex_robust_exit(uint64_t head, int tid)
{
	uint64_t entry, next, pending;
	int64_t offset;
	bool pi, next_pi, pending_pi;

	if (head == 0 || futex_robust_fetch(head, &entry, &pi) != 0 ||
	    copyin(head + 8, &offset, sizeof(offset)) != 0 ||
	    futex_robust_fetch(head + 16, &pending, &pending_pi) != 0)
		return;
	for (int n = 0; entry != head && n < ROBUST_LIST_LIMIT; n++) {
		int rc = futex_robust_fetch(entry, &next, &next_pi);
		if (entry != pending &&
		    futex_robust_death(entry + (uint64_t)offset, tid, pi, false) != 0)
			return;
		if (rc != 0)
			return;
		entry = next;
		pi = next_pi;
	}
	if (pending != 0)
		(void)futex_robust_death(pending + (uint64_t)offset, tid, pending_pi, true);
}

/* ------------------------------------------------------------------ */
/* The system call                                                     */

/*
 * The wait of futex(2) as restart_syscall goes on with it: arg[0] the
 * address (bit 0: private), arg[1] val | bitset << 32, arg[2] the deadline.
 */
static int64_t
futex_wait_restart(const uint64_t arg[3])
{
	uint64_t uaddr = arg[0] & ~FUTEX_ARG_PRIVATE;
	struct futex_key key;
	int64_t r = futex_key_get(uaddr, !(arg[0] & FUTEX_ARG_PRIVATE), &key);

	if (r != 0)
		return r;
	r = futex_wait(&key, uaddr, (uint32_t)arg[1], (uint32_t)(arg[1] >> 32), arg[2]);
	futex_key_put(&key);
	if (r == -ERESTARTSYS && arg[2] != FUTEX_FOREVER)
		r = signal_restart_block(futex_wait_restart, arg[0], arg[1], arg[2]);
	return r;
}

/*
 * The timeout at uts as a clock_ns deadline: FUTEX_WAIT's is a length,
 * FUTEX_WAIT_BITSET's a time on CLOCK_MONOTONIC or (FUTEX_CLOCK_REALTIME)
 * the wall clock.  => 0, -EFAULT or -EINVAL (as Linux, before anything else).
 */
static int
futex_deadline(uint64_t uts, int cmd, int op, uint64_t *deadline)
{
	int64_t ts[2];

	*deadline = FUTEX_FOREVER;
	if (uts == 0)
		return 0;
	if (copyin(uts, ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= (int64_t)NSEC)
		return -EINVAL;
	if ((uint64_t)ts[0] >= FUTEX_FOREVER / NSEC / 2)
		return 0;                       /* centuries: never */
	uint64_t ns = (uint64_t)ts[0] * NSEC + (uint64_t)ts[1];
	if (cmd == FUTEX_WAIT)
		*deadline = clock_ns() + ns;
	else if (op & FUTEX_CLOCK_REALTIME)
		*deadline = ns > FUTEX_EPOCH_NS ? ns - FUTEX_EPOCH_NS : 0;
	else
		*deadline = ns;
	return 0;
}

static int64_t
futex_sys_wait(uint64_t uaddr, bool shared, uint32_t val, uint32_t bitset,
    uint64_t deadline)
{
	if (bitset == 0 || (uaddr & 3))
		return -EINVAL;
	return futex_wait_restart((uint64_t[3]){ uaddr | (shared ? 0 : FUTEX_ARG_PRIVATE),
	    val | (uint64_t)bitset << 32, deadline });
}

static int64_t
futex_sys_wake(uint64_t uaddr, bool shared, int n, uint32_t bitset)
{
	struct futex_key key;
	int r;

	if (bitset == 0)
		return -EINVAL;
	if ((r = futex_key_get(uaddr, shared, &key)) != 0)
		return r;
	r = futex_wake(&key, n, bitset);
	futex_key_put(&key);
	return r;
}

/* The two keys of requeue and wake_op.  => 0 with both held, or the error. */
static int
futex_keys2(uint64_t uaddr1, uint64_t uaddr2, bool shared, struct futex_key *k1,
    struct futex_key *k2)
{
	int error = futex_key_get(uaddr1, shared, k1);

	if (error == 0 && (error = futex_key_get(uaddr2, shared, k2)) != 0)
		futex_key_put(k1);
	return error;
}

static int64_t
futex_sys_requeue(const struct sysargs *a, bool shared, const uint32_t *cmpval)
{
	int nwake = (int)a->a[2], nrequeue = (int)(uint32_t)a->a[3];
	struct futex_key k1, k2;
	int r;

	if (nwake < 0 || nrequeue < 0)
		return -EINVAL;
	if ((r = futex_keys2(a->a[0], a->a[4], shared, &k1, &k2)) != 0)
		return r;
	r = futex_requeue(&k1, a->a[0], &k2, nwake, nrequeue, cmpval);
	futex_key_put(&k2);
	futex_key_put(&k1);
	return r;
}

static int64_t
futex_sys_wake_op(const struct sysargs *a, bool shared)
{
	struct futex_key k1, k2;
	int r;

	if ((r = futex_keys2(a->a[0], a->a[4], shared, &k1, &k2)) != 0)
		return r;
	r = futex_wake_op(&k1, &k2, a->a[4], (int)a->a[2], (int)(uint32_t)a->a[3],
	    (uint32_t)a->a[5]);
	futex_key_put(&k2);
	futex_key_put(&k1);
	return r;
}

/*
 * futex(uaddr, op, val, timeout or val2, uaddr2, val3).  The PI
 * operations (LOCK_PI, UNLOCK_PI, TRYLOCK_PI, WAIT_REQUEUE_PI,
 * CMP_REQUEUE_PI, LOCK_PI2) are -ENOSYS: priority inheritance needs a
 * scheduler with priorities (glibc's PTHREAD_PRIO_INHERIT mutexes use
 * them; musl never does).
 */
int64_t
sys_futex(const struct sysargs *a)
{
	int op = (int)a->a[1], cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool shared = !(op & FUTEX_PRIVATE_FLAG);
	uint32_t val3 = (uint32_t)a->a[5];
	uint64_t deadline;
	int r;

	/* Only an absolute deadline has a clock to choose (Linux 6.1 refuses
	 * FUTEX_WAIT's relative one too). */
	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if ((r = futex_deadline(a->a[3], cmd, op, &deadline)) != 0)
			return r;
		return futex_sys_wait(a->a[0], shared, (uint32_t)a->a[2],
		    cmd == FUTEX_WAIT ? FUTEX_BITSET_ANY : val3, deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return futex_sys_wake(a->a[0], shared, (int)a->a[2],
		    cmd == FUTEX_WAKE ? FUTEX_BITSET_ANY : val3);
	case FUTEX_REQUEUE:
		return futex_sys_requeue(a, shared, NULL);
	case FUTEX_CMP_REQUEUE:
		return futex_sys_requeue(a, shared, &val3);
	case FUTEX_WAKE_OP:
		return futex_sys_wake_op(a, shared);
	default:
		return -ENOSYS;
	}
}
