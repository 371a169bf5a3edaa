/*
 * tests/kern/proc/futex_test.c - the futex mechanism (kern/proc/futex.c)
 * seen from inside: which key a word hashes to, the object reference a
 * shared key holds, the waiters on each key as threads sleep, wake, time
 * out and are requeued, WAKE_OP's update of its word, and the robust
 * list's walk at thread exit.
 *
 * Waiters are kernel threads that adopt a test address space (struct
 * vmtest) as their own (waiter_run), so the futex code reads their word
 * through that space as it would a process's.  The runner waits (with a
 * bound) until they are queued, acts, wakes whatever is left and joins
 * every thread before it asserts (tests/harness/threadtest.h).
 */
#include "kern/core/clock.h"
#include "kern/core/ktest.h"
#include "kern/core/sched.h"
#include "kern/lib/errno.h"
#include "kern/proc/futex.h"
#include "kern/proc/futex_impl.h"
#include "pmap/pmap.h"
#include "tests/harness/threadtest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_object.h"

#define VA 0x10000000UL
#define VA2 0x20000000UL
#define UNMAPPED 0x30000000UL
#define BIG 0x7fffffff
#define WAITERS 0x80000000u
#define OWNER_DIED 0x40000000u

/* WAKE_OP's encoding: op, oparg, cmp, cmparg. */
#define OP(op, oparg, cmp, cmparg) \
	(((uint32_t)(op) << 28) | ((uint32_t)(cmp) << 24) | \
	 (((uint32_t)(oparg) & 0xfff) << 12) | ((uint32_t)(cmparg) & 0xfff))

/* One waiting thread: what it waits on, and what came back. */
struct waiter {
	struct vmspace *vm;
	uint64_t uaddr;
	bool shared;
	uint32_t val;
	uint32_t bitset;
	struct futex_key key;       /* the key it returned with */
	int result;
	struct thread *t;
	volatile bool done;
};

static void
waiter_run(void *arg)
{
	struct waiter *w = arg;
	struct futex_key key;

	curthread->vmspace = w->vm;
	pmap_activate(w->vm->vm_map.pmap);
	w->result = futex_key_get(w->uaddr, w->shared, &key);
	if (w->result == 0) {
		w->result = futex_wait(&key, w->uaddr, w->val, w->bitset, FUTEX_FOREVER);
		w->key = key;
		futex_key_put(&key);
	}
	pmap_activate(pmap_kernel());
	curthread->vmspace = NULL;
	w->done = true;
}

/* Start w waiting on uaddr of t for val (shared key or private). */
static void
waiter_start(struct waiter *w, struct vmtest *t, uint64_t uaddr, bool shared,
    uint32_t val, uint32_t bitset)
{
	*w = (struct waiter){ .vm = t->vm, .uaddr = uaddr, .shared = shared,
	    .val = val, .bitset = bitset, .result = 1 };
	w->t = thread_create("futexw", waiter_run, w);
	KT_ASSERT(w->t != NULL);
}

struct queued_arg {
	const struct futex_key *key;
	int n;
};

static bool
queued_is(void *arg)
{
	struct queued_arg *q = arg;

	return futex_queued(q->key) == q->n;
}

static bool
waiter_done(void *arg)
{
	return ((struct waiter *)arg)->done;
}

/* Wait (bounded) until n wait on key.  => whether they did. */
static bool
await_queued(const struct futex_key *key, int n)
{
	struct queued_arg q = { key, n };

	return tt_wait(queued_is, &q, 200);
}

/* Wake everyone left on key and join w (before any assertion). */
static void
waiter_finish(struct waiter *w, const struct futex_key *key)
{
	if (!w->done)
		(void)futex_wake(key, BIG, FUTEX_BITSET_ANY);
	KT_EQ(thread_join(w->t), 0);
}

/* The 32-bit word at va of the active test space. */
static volatile uint32_t *
word(uint64_t va)
{
	return (volatile uint32_t *)va;
}

/* A shared mapping of a fresh aobj of npages at va in t (as MAP_SHARED). */
static struct uvm_object *
map_shared_aobj(struct vmtest *t, vaddr_t va, int npages)
{
	struct uvm_object *u = uao_create((vsize_t)npages * PAGE_SIZE, 0);

	KT_ASSERT(u != NULL);
	vmtest_map(t, va, npages, u, VM_PROT_READ | VM_PROT_WRITE, 0);
	return u;
}

static bool
key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->fk_space == b->fk_space && a->fk_off == b->fk_off &&
	    a->fk_obj == b->fk_obj;
}

/* ------------------------------------------------------------------ */
/* Keys                                                                */

KTEST(futex, a_private_key_is_the_space_and_the_address)
{
	struct vmtest t;
	struct futex_key k, s;

	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 1);
	vmtest_activate(&t);
	KT_EQ(futex_key_get(VA + 8, false, &k), 0);
	KT_EQ(k.fk_space, t.vm);
	KT_EQ(k.fk_off, VA + 8);
	KT_ASSERT(!k.fk_obj);
	/* Private (copy-on-write) memory: the shared key is the same. */
	KT_EQ(futex_key_get(VA + 8, true, &s), 0);
	KT_ASSERT(key_eq(&k, &s));
	futex_key_put(&s);
	futex_key_put(&k);
	KT_EQ(futex_key_get(VA + 2, false, &k), -EINVAL);
	KT_EQ(futex_key_get(0xffff800000000000UL, false, &k), -EFAULT);
	KT_EQ(futex_key_get(UNMAPPED, true, &k), -EFAULT);  /* the map is asked */
	KT_EQ(futex_key_get(UNMAPPED, false, &k), 0);       /* nothing is read */
	vmtest_end(&t);
}

KTEST(futex, a_shared_mapping_seen_from_two_spaces_is_one_object_key)
{
	struct vmtest a, b;
	struct futex_key ka, kb;

	vmtest_begin(&a);
	struct uvm_object *u = map_shared_aobj(&a, VA, 2);
	vmtest_fork(&a, &b);
	uao_reference(u);                   /* the mapping's reference */
	vmtest_map(&b, VA2, 2, u, VM_PROT_READ | VM_PROT_WRITE, 0);
	int refs = u->uo_refs;

	vmtest_activate(&a);
	KT_EQ(futex_key_get(VA + PAGE_SIZE + 8, true, &ka), 0);
	vmtest_deactivate(&a);
	vmtest_activate(&b);
	KT_EQ(futex_key_get(VA2 + PAGE_SIZE + 8, true, &kb), 0);
	KT_EQ(ka.fk_space, u);
	KT_EQ(ka.fk_off, PAGE_SIZE + 8);
	KT_ASSERT(ka.fk_obj);
	KT_ASSERT(key_eq(&ka, &kb));
	KT_EQ(u->uo_refs, refs + 2);        /* one per key held */
	futex_key_put(&kb);
	futex_key_put(&ka);
	KT_EQ(u->uo_refs, refs);
	/* The private key of the same word is the space's, not the object's. */
	KT_EQ(futex_key_get(VA2 + PAGE_SIZE + 8, false, &kb), 0);
	KT_EQ(kb.fk_space, b.vm);
	vmtest_end(&b);
	vmtest_end(&a);
}

/* ------------------------------------------------------------------ */
/* Waiting and waking                                                  */

KTEST(futex, a_waiter_sleeps_until_woken_and_leaves_nothing_queued)
{
	struct vmtest t;
	struct waiter w;
	struct futex_key k;

	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 1);
	vmtest_activate(&t);
	*word(VA) = 7;
	KT_EQ(futex_key_get(VA, false, &k), 0);
	waiter_start(&w, &t, VA, false, 7, FUTEX_BITSET_ANY);
	bool queued = await_queued(&k, 1);
	int waiters = futex_waiters();
	int woken = futex_wake(&k, 1, FUTEX_BITSET_ANY);
	waiter_finish(&w, &k);
	KT_ASSERT(queued);
	KT_EQ(waiters, 1);
	KT_EQ(woken, 1);
	KT_EQ(w.result, 0);
	KT_EQ(futex_queued(&k), 0);
	KT_EQ(futex_waiters(), 0);
	KT_EQ(futex_wake(&k, 1, FUTEX_BITSET_ANY), 0);     /* nobody left */
	vmtest_end(&t);
}

KTEST(futex, a_shared_waiter_holds_its_object_while_asleep)
{
	struct vmtest t;
	struct waiter w;
	struct futex_key k;

	vmtest_begin(&t);
	struct uvm_object *u = map_shared_aobj(&t, VA, 1);
	vmtest_activate(&t);
	int refs = u->uo_refs;
	waiter_start(&w, &t, VA + 64, true, 0, FUTEX_BITSET_ANY);
	KT_EQ(futex_key_get(VA + 64, true, &k), 0);
	bool queued = await_queued(&k, 1);
	int asleep_refs = u->uo_refs;
	int woken = futex_wake(&k, 1, FUTEX_BITSET_ANY);
	waiter_finish(&w, &k);
	futex_key_put(&k);
	KT_ASSERT(queued);
	KT_EQ(asleep_refs, refs + 2);       /* the waiter's key and ours */
	KT_EQ(woken, 1);
	KT_EQ(w.result, 0);
	KT_EQ(u->uo_refs, refs);            /* the waiter gave its back */
	vmtest_end(&t);
}

KTEST(futex, a_different_value_is_eagain_and_queues_nothing)
{
	struct vmtest t;
	struct futex_key k;

	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 1);
	vmtest_activate(&t);
	*word(VA) = 3;
	KT_EQ(futex_key_get(VA, false, &k), 0);
	KT_EQ(futex_wait(&k, VA, 2, FUTEX_BITSET_ANY, FUTEX_FOREVER), -EAGAIN);
	KT_EQ(futex_waiters(), 0);
	/* An unmapped word: the fault the wait tries fails. */
	KT_EQ(futex_key_get(UNMAPPED, false, &k), 0);
	KT_EQ(futex_wait(&k, UNMAPPED, 0, FUTEX_BITSET_ANY, FUTEX_FOREVER), -EFAULT);
	KT_EQ(futex_waiters(), 0);
	vmtest_end(&t);
}

KTEST(futex, a_timed_wait_ends_at_its_deadline)
{
	struct vmtest t;
	struct futex_key k;

	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 1);
	vmtest_activate(&t);
	KT_EQ(futex_key_get(VA, false, &k), 0);
	uint64_t deadline = clock_ns() + 30 * 1000000ULL;
	KT_EQ(futex_wait(&k, VA, 0, FUTEX_BITSET_ANY, deadline), -ETIMEDOUT);
	KT_ASSERT(clock_ns() >= deadline);
	KT_EQ(futex_waiters(), 0);
	KT_EQ(futex_wait(&k, VA, 0, FUTEX_BITSET_ANY, 0), -ETIMEDOUT);   /* past */
	vmtest_end(&t);
}

KTEST(futex, a_wake_reaches_only_waiters_with_a_common_bit)
{
	struct vmtest t;
	struct waiter w;
	struct futex_key k;

	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 1);
	vmtest_activate(&t);
	KT_EQ(futex_key_get(VA, false, &k), 0);
	waiter_start(&w, &t, VA, false, 0, 0x1);
	bool queued = await_queued(&k, 1);
	int other_bits = futex_wake(&k, BIG, 0x6);
	int left = futex_queued(&k);
	int woken = futex_wake(&k, 0, 0x3);  /* 0 wakes one, as on Linux */
	waiter_finish(&w, &k);
	KT_ASSERT(queued);
	KT_EQ(other_bits, 0);
	KT_EQ(left, 1);
	KT_EQ(woken, 1);
	KT_EQ(w.result, 0);
	vmtest_end(&t);
}

/*
 * Two waiters on A (in object X) are requeued to B (in object Y): the
 * queues and the object references follow them.
 */
KTEST(futex, requeue_moves_waiters_and_their_references_between_keys)
{
	struct vmtest t;
	struct waiter w[2];
	struct futex_key ka, kb;
	uint32_t zero = 0, one = 1;

	vmtest_begin(&t);
	struct uvm_object *x = map_shared_aobj(&t, VA, 1);
	struct uvm_object *y = map_shared_aobj(&t, VA2, 1);
	vmtest_activate(&t);
	int rx = x->uo_refs, ry = y->uo_refs;
	KT_EQ(futex_key_get(VA, true, &ka), 0);
	KT_EQ(futex_key_get(VA2, true, &kb), 0);
	waiter_start(&w[0], &t, VA, true, 0, FUTEX_BITSET_ANY);
	waiter_start(&w[1], &t, VA, true, 0, FUTEX_BITSET_ANY);
	bool queued = await_queued(&ka, 2);
	int refs_before[2] = { x->uo_refs, y->uo_refs };
	int mismatch = futex_requeue(&ka, VA, &kb, 0, 2, &one);
	int moved = futex_requeue(&ka, VA, &kb, 0, 2, &zero);
	int on[2] = { futex_queued(&ka), futex_queued(&kb) };
	int refs_after[2] = { x->uo_refs, y->uo_refs };
	int woken = futex_wake(&kb, BIG, FUTEX_BITSET_ANY);
	waiter_finish(&w[0], &kb);
	waiter_finish(&w[1], &kb);
	futex_key_put(&kb);
	futex_key_put(&ka);
	KT_ASSERT(queued);
	KT_EQ(refs_before[0], rx + 3);      /* two waiters and ka */
	KT_EQ(refs_before[1], ry + 1);      /* kb */
	KT_EQ(mismatch, -EAGAIN);
	KT_EQ(moved, 2);
	KT_EQ(on[0], 0);
	KT_EQ(on[1], 2);
	KT_EQ(refs_after[0], rx + 1);
	KT_EQ(refs_after[1], ry + 3);
	KT_EQ(woken, 2);
	for (int i = 0; i < 2; i++) {
		KT_EQ(w[i].result, 0);
		KT_EQ(w[i].key.fk_space, y);    /* it came back on B's key */
	}
	KT_EQ(x->uo_refs, rx);
	KT_EQ(y->uo_refs, ry);
	vmtest_end(&t);
}

KTEST(futex, requeue_wakes_first_then_moves)
{
	struct vmtest t;
	struct waiter w[3];
	struct futex_key ka, kb;

	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 1);
	vmtest_activate(&t);
	KT_EQ(futex_key_get(VA, false, &ka), 0);
	KT_EQ(futex_key_get(VA + 4, false, &kb), 0);
	bool queued = true;
	for (int i = 0; i < 3; i++) {
		waiter_start(&w[i], &t, VA, false, 0, FUTEX_BITSET_ANY);
		queued &= await_queued(&ka, i + 1);
	}
	int n = futex_requeue(&ka, VA, &kb, 1, 1, NULL);    /* 1 woken, 1 moved */
	int on[2] = { futex_queued(&ka), futex_queued(&kb) };
	bool first_done = tt_wait(waiter_done, &w[0], 100);
	bool others_wait = !w[1].done && !w[2].done;
	for (int i = 0; i < 3; i++)
		waiter_finish(&w[i], i == 1 ? &kb : &ka);
	KT_ASSERT(queued);
	KT_EQ(n, 2);
	KT_EQ(on[0], 1);
	KT_EQ(on[1], 1);
	KT_ASSERT(first_done);
	KT_ASSERT(others_wait);
	KT_ASSERT(key_eq(&w[0].key, &ka));  /* the oldest was woken where it was */
	KT_ASSERT(key_eq(&w[1].key, &kb));  /* the next one moved */
	KT_ASSERT(key_eq(&w[2].key, &ka));
	vmtest_end(&t);
}

/* ------------------------------------------------------------------ */
/* WAKE_OP                                                             */

KTEST(futex, wake_op_applies_its_operation_and_compares_the_old_value)
{
	struct vmtest t;
	struct waiter w;
	struct futex_key ka, kb;

	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 1);
	vmtest_map(&t, VA2, 1, NULL, VM_PROT_READ, UVM_FLAG_COPYONWRITE);
	vmtest_activate(&t);
	KT_EQ(futex_key_get(VA, false, &ka), 0);
	KT_EQ(futex_key_get(VA + 4, false, &kb), 0);
	*word(VA + 4) = 5;
	KT_EQ(futex_wake_op(&ka, &kb, VA + 4, 1, 1, OP(1, 3, 0, 5)), 0);  /* += 3 */
	KT_EQ(*word(VA + 4), 8);
	KT_EQ(futex_wake_op(&ka, &kb, VA + 4, 1, 1, OP(6, 3, 0, 5)), -ENOSYS);
	KT_EQ(*word(VA + 4), 8);            /* an unknown op changes nothing */
	KT_EQ(futex_wake_op(&ka, &kb, VA + 4, 1, 1, OP(4, 1, 9, 0)), -ENOSYS);
	KT_EQ(*word(VA + 4), 9);            /* an unknown comparison comes after */
	KT_EQ(futex_wake_op(&ka, &kb, VA + 4, 1, 1, OP(8 | 0, 2, 0, 9)), 0);
	KT_EQ(*word(VA + 4), 4);            /* SET with OPARG_SHIFT: 1 << 2 */
	/* The old value matches: B's waiter is woken. */
	waiter_start(&w, &t, VA + 4, false, 4, FUTEX_BITSET_ANY);
	bool queued = await_queued(&kb, 1);
	int woken = futex_wake_op(&ka, &kb, VA + 4, 1, 1, OP(0, 0, 0, 4));
	waiter_finish(&w, &kb);
	KT_ASSERT(queued);
	KT_EQ(woken, 1);
	KT_EQ(*word(VA + 4), 0);
	/* A read-only word cannot be changed. */
	KT_EQ(futex_key_get(VA2, false, &kb), 0);
	KT_EQ(futex_wake_op(&ka, &kb, VA2, 1, 1, OP(0, 1, 0, 0)), -EFAULT);
	KT_EQ(*word(VA2), 0);
	vmtest_end(&t);
}

/* ------------------------------------------------------------------ */
/* The robust list                                                     */

/* A robust list at VA: head, then entries every 0x100, words at +0x40. */
#define HEAD VA
#define ENTRY(i) (VA + 0x100 * (uint64_t)(i))
#define WORD(i) (ENTRY(i) + 0x40)

static void
robust_link(uint64_t from, uint64_t to)
{
	*(volatile uint64_t *)from = to;
}

KTEST(futex, robust_exit_marks_the_dead_owners_locks_and_wakes_waiters)
{
	struct vmtest t;
	struct waiter w[2];
	struct futex_key k1, k3;

	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 1);
	vmtest_activate(&t);
	robust_link(HEAD, ENTRY(1));
	*(volatile int64_t *)(HEAD + 8) = 0x40;     /* futex_offset */
	robust_link(HEAD + 16, ENTRY(3));           /* list_op_pending */
	robust_link(ENTRY(1), ENTRY(2));
	robust_link(ENTRY(2), HEAD);
	*word(WORD(1)) = 77 | WAITERS;              /* held by 77, contended */
	*word(WORD(2)) = 78;                        /* someone else's */
	*word(WORD(3)) = 0;                         /* released, pending */
	KT_EQ(futex_key_get(WORD(1), true, &k1), 0);
	KT_EQ(futex_key_get(WORD(3), true, &k3), 0);
	waiter_start(&w[0], &t, WORD(1), true, 77 | WAITERS, FUTEX_BITSET_ANY);
	waiter_start(&w[1], &t, WORD(3), true, 0, FUTEX_BITSET_ANY);
	bool queued = await_queued(&k1, 1) && await_queued(&k3, 1);
	futex_robust_exit(HEAD, 77);
	bool woken = tt_wait(waiter_done, &w[0], 100) && tt_wait(waiter_done, &w[1], 100);
	waiter_finish(&w[0], &k1);
	waiter_finish(&w[1], &k3);
	KT_ASSERT(queued);
	KT_ASSERT(woken);
	KT_EQ(w[0].result, 0);
	KT_EQ(w[1].result, 0);
	KT_EQ(*word(WORD(1)), WAITERS | OWNER_DIED);
	KT_EQ(*word(WORD(2)), 78);
	KT_EQ(*word(WORD(3)), 0);
	vmtest_end(&t);
}

KTEST(futex, robust_exit_stops_on_bad_and_cyclic_lists)
{
	struct vmtest t;

	vmtest_begin(&t);
	vmtest_map_anon(&t, VA, 1);
	vmtest_activate(&t);
	futex_robust_exit(0, 77);                   /* none */
	futex_robust_exit(UNMAPPED, 77);            /* unreadable head */
	futex_robust_exit(0xffff800000000000UL, 77);
	/* An entry pointing at itself: the walk stops at its bound. */
	robust_link(HEAD, ENTRY(1));
	*(volatile int64_t *)(HEAD + 8) = 0x40;
	robust_link(HEAD + 16, 0);
	robust_link(ENTRY(1), ENTRY(1));
	*word(WORD(1)) = 77;
	futex_robust_exit(HEAD, 77);
	KT_EQ(*word(WORD(1)), OWNER_DIED);
	/* A list that runs into unmapped memory, and a misaligned word. */
	robust_link(ENTRY(1), UNMAPPED);
	*word(WORD(1)) = 77;
	futex_robust_exit(HEAD, 77);
	KT_EQ(*word(WORD(1)), OWNER_DIED);
	*(volatile int64_t *)(HEAD + 8) = 0x41;
	*word(WORD(1)) = 77;
	futex_robust_exit(HEAD, 77);
	KT_EQ(*word(WORD(1)), 77);                  /* not touched */
	KT_EQ(futex_waiters(), 0);
	vmtest_end(&t);
}

/* After every suite: nobody is left asleep on a futex. */
static int
futex_check(kprint_fn pr)
{
	int n = futex_waiters();

	if (n != 0)
		pr("futex: %d waiters left asleep\n", n);
	return n != 0;
}
KCHECK(futex_waiters, futex_check);
