/*
 * tests/kern/core/lockorder_test.c - kern/core/lockorder.c: the
 * lock-order checker.
 *
 * The real checker panics; these tests switch it to LO_RECORD (the
 * violation is kept in lockorder_last_violation and the run goes on) and
 * use throw-away classes, "lotest.*", which lotest_end forgets again, so
 * the kernel's own graph is left as the tests found it.  That the
 * default action is a panic is checked twice: here (the action a test
 * boot starts with) and by make test's harness self-check
 * must_panic_on_lock_order, a boot whose only test takes two locks in
 * both orders and must end in "panic: lockorder: lock order reversal".
 *
 * That the kernel's own graph has no cycle is the rest of make test:
 * it runs with the checker on, and any violation panics its boot.
 * KCHECK(lockorder) below runs after every suite: the runner holds no
 * lock between suites, the action is back to what the boot set.
 */
#include "kern/core/ktest.h"
#include "kern/arch/cpu.h"
#include "kern/core/cmdline.h"
#include "kern/core/lockorder.h"
#include "kern/core/mutex.h"
#include "kern/core/sched.h"
#include "kern/core/thread.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/string.h"
#include "tests/harness/threadtest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_fault.h"

KCHECK(lockorder, lockorder_check);

static struct spinlock la = SPINLOCK_INIT("lotest.a");
static struct spinlock lb = SPINLOCK_INIT("lotest.b");
static struct spinlock lc = SPINLOCK_INIT("lotest.c");
static struct spinlock ln1 = SPINLOCK_INIT("lotest.n");
static struct spinlock ln2 = SPINLOCK_INIT("lotest.n");
static struct kmutex ma = KMUTEX_INIT("lotest.a");
static struct kmutex mb = KMUTEX_INIT("lotest.b");

static const char *const lotest_names[] = {
	"lotest.a", "lotest.b", "lotest.c", "lotest.n",
};
static enum lo_action lotest_saved;

/* Forget the test classes and give the checker its action back. */
static void
lotest_end(void *arg)
{
	(void)arg;
	for (size_t i = 0; i < ARRAY_SIZE(lotest_names); i++) {
		lockorder_class_forget(lotest_names[i], LO_SPIN);
		lockorder_class_forget(lotest_names[i], LO_MUTEX);
	}
	lockorder_class_set_nestable("lotest.n", LO_SPIN, false);
	lockorder_set_action(lotest_saved);
	lockorder_clear_violation();
}

/* Record instead of panicking, from a clean slate.  => false: checker off. */
static bool
lotest_begin(void)
{
	if (!lockorder_enabled) {
		ktest_print("# lockorder is off (lockorder=0 or LOCKORDER=0): nothing to test\n");
		return false;
	}
	lotest_saved = lockorder_set_action(LO_RECORD);
	lotest_end(NULL);
	lockorder_set_action(LO_RECORD);
	ktest_cleanup_push(lotest_end, &lotest_saved);
	return true;
}

static void
lotest_done(void)
{
	ktest_cleanup_pop(&lotest_saved);
	lotest_end(NULL);
}

/* Take x then y, release both. */
static void
take_pair(struct spinlock *x, struct spinlock *y)
{
	spin_lock(x);
	spin_lock(y);
	spin_unlock(y);
	spin_unlock(x);
}

KTEST(lockorder, default_action_is_panic)
{
	enum lo_action a = lockorder_set_action(LO_PANIC);

	lockorder_set_action(a);
	if (kopt_get("lockorder") == NULL && lockorder_enabled)
		KT_EQ(a, LO_PANIC);
}

KTEST(lockorder, reversed_pair_of_spin_locks_is_caught)
{
	struct lo_violation v;
	uint64_t before = lockorder_stats.violations;

	if (!lotest_begin())
		return;
	take_pair(&la, &lb);
	v = lockorder_last_violation();
	KT_EQ(v.type, LOV_NONE);
	KT_ASSERT(lockorder_edge_exists("lotest.a", LO_SPIN, "lotest.b", LO_SPIN));
	take_pair(&lb, &la);
	v = lockorder_last_violation();
	KT_EQ(v.type, LOV_ORDER);
	KT_STREQ(v.held, "lotest.b");
	KT_STREQ(v.taken, "lotest.a");
	KT_EQ(v.path_len, 1);
	KT_ASSERT(v.held_site != 0 && v.taken_site != 0);
	KT_EQ(lockorder_stats.violations, before + 1);
	lotest_done();
	KT_ASSERT(!lockorder_edge_exists("lotest.a", LO_SPIN, "lotest.b", LO_SPIN));
}

KTEST(lockorder, reversed_pair_of_mutexes_is_caught)
{
	struct lo_violation v;

	if (!lotest_begin())
		return;
	mutex_enter(&ma);
	mutex_enter(&mb);
	mutex_exit(&mb);
	mutex_exit(&ma);
	KT_EQ(lockorder_last_violation().type, LOV_NONE);
	mutex_enter(&mb);
	mutex_enter(&ma);
	mutex_exit(&ma);
	mutex_exit(&mb);
	v = lockorder_last_violation();
	KT_EQ(v.type, LOV_ORDER);
	KT_STREQ(v.held, "lotest.b");
	KT_STREQ(v.taken, "lotest.a");
	/* The spin classes of the same names took no part. */
	KT_ASSERT(!lockorder_edge_exists("lotest.a", LO_SPIN, "lotest.b", LO_SPIN));
	lotest_done();
}

KTEST(lockorder, same_order_repeated_is_fine)
{
	int edges;
	uint64_t checks;

	if (!lotest_begin())
		return;
	take_pair(&la, &lb);
	edges = lockorder_stats.edges;
	checks = lockorder_stats.checks;
	for (int i = 0; i < 10; i++)
		take_pair(&la, &lb);
	KT_EQ(lockorder_last_violation().type, LOV_NONE);
	KT_EQ(lockorder_stats.edges, edges);            /* no edge twice */
	KT_ASSERT(lockorder_stats.checks >= checks + 20);
	lotest_done();
}

KTEST(lockorder, three_cycle_is_caught)
{
	struct lo_violation v;

	if (!lotest_begin())
		return;
	take_pair(&la, &lb);
	take_pair(&lb, &lc);
	KT_EQ(lockorder_last_violation().type, LOV_NONE);
	take_pair(&lc, &la);        /* a -> b -> c recorded: c -> a closes it */
	v = lockorder_last_violation();
	KT_EQ(v.type, LOV_ORDER);
	KT_STREQ(v.held, "lotest.c");
	KT_STREQ(v.taken, "lotest.a");
	KT_EQ(v.path_len, 2);
	lotest_done();
}

KTEST(lockorder, held_stack_follows_releases_in_any_order)
{
	struct lo_stack *st = &curthread->lo_held;
	int base = st->n;
	static int not_a_lock;

	if (!lotest_begin())
		return;
	spin_lock(&la);
	spin_lock(&lb);
	spin_lock(&lc);
	KT_EQ(st->n, base + 3);
	spin_unlock(&lb);                   /* out of order */
	KT_EQ(st->n, base + 2);
	KT_ASSERT(st->h[base].lock == &la && st->h[base + 1].lock == &lc);
	spin_unlock(&la);
	KT_ASSERT(st->h[base].lock == &lc);
	spin_unlock(&lc);
	KT_EQ(st->n, base);
	KT_EQ(lockorder_last_violation().type, LOV_NONE);
	lockorder_release(&not_a_lock, LO_SPIN);     /* never taken */
	KT_EQ(lockorder_last_violation().type, LOV_NOT_HELD);
	KT_EQ(st->n, base);
	lotest_done();
}

KTEST(lockorder, two_locks_of_one_class_need_a_declaration)
{
	if (!lotest_begin())
		return;
	take_pair(&ln1, &ln2);
	KT_EQ(lockorder_last_violation().type, LOV_SAME_CLASS);
	KT_STREQ(lockorder_last_violation().held, "lotest.n");
	lockorder_clear_violation();
	lockorder_class_set_nestable("lotest.n", LO_SPIN, true);
	take_pair(&ln1, &ln2);
	take_pair(&ln2, &ln1);
	KT_EQ(lockorder_last_violation().type, LOV_NONE);
	lotest_done();
}

KTEST(lockorder, taking_a_held_lock_again_is_caught)
{
	static int fake;
	int base = lockorder_held_count();

	if (!lotest_begin())
		return;
	/* Through the hooks alone: the real spin lock would panic itself. */
	lockorder_acquire(&fake, "lotest.a", LO_SPIN, 0);
	lockorder_acquire(&fake, "lotest.a", LO_SPIN, 0);
	KT_EQ(lockorder_last_violation().type, LOV_RECURSION);
	lockorder_release(&fake, LO_SPIN);
	lockorder_release(&fake, LO_SPIN);
	KT_EQ(lockorder_held_count(), base);
	lotest_done();
}

KTEST(lockorder, mutex_enter_under_a_spin_lock_is_caught_try_is_not)
{
	bool got;

	if (!lotest_begin())
		return;
	spin_lock(&la);
	got = mutex_tryenter(&mb);
	if (got)
		mutex_exit(&mb);
	KT_EQ(lockorder_last_violation().type, LOV_NONE);
	mutex_enter(&mb);                   /* free: no sleep, still wrong */
	mutex_exit(&mb);
	spin_unlock(&la);
	KT_ASSERT(got);
	KT_EQ(lockorder_last_violation().type, LOV_SLEEP_UNDER_SPIN);
	KT_STREQ(lockorder_last_violation().held, "lotest.a");
	lotest_done();
}

KTEST(lockorder, trylock_records_no_order_into_it_but_from_it)
{
	bool got;

	if (!lotest_begin())
		return;
	mutex_enter(&mb);
	got = mutex_tryenter(&ma);
	KT_ASSERT(got);
	spin_lock(&lc);
	spin_unlock(&lc);
	mutex_exit(&ma);
	mutex_exit(&mb);
	KT_ASSERT(!lockorder_edge_exists("lotest.b", LO_MUTEX, "lotest.a", LO_MUTEX));
	KT_ASSERT(lockorder_edge_exists("lotest.a", LO_MUTEX, "lotest.c", LO_SPIN));
	KT_ASSERT(lockorder_edge_exists("lotest.b", LO_MUTEX, "lotest.c", LO_SPIN));
	KT_EQ(lockorder_last_violation().type, LOV_NONE);
	lotest_done();
}

KTEST(lockorder, lock_held_at_user_return_is_caught)
{
	if (!lotest_begin())
		return;
	lockorder_assert_none_held("test");
	KT_EQ(lockorder_last_violation().type, LOV_NONE);
	mutex_enter(&ma);
	lockorder_assert_none_held("test");
	mutex_exit(&ma);
	KT_EQ(lockorder_last_violation().type, LOV_HELD_AT);
	KT_STREQ(lockorder_last_violation().held, "lotest.a");
	KT_STREQ(lockorder_last_violation().taken, "test");
	lotest_done();
}

/* Holds ma until told to let go. */
static volatile bool holder_has, holder_stop;

static void
holder(void *arg)
{
	(void)arg;
	mutex_enter(&ma);
	holder_has = true;
	while (!holder_stop)
		yield();
	mutex_exit(&ma);
}

static bool
holder_ready(void *arg)
{
	(void)arg;
	return holder_has;
}

KTEST(lockorder, each_thread_has_its_own_held_stack)
{
	struct thread *t;
	bool ready;

	if (!lotest_begin())
		return;
	holder_has = holder_stop = false;
	t = thread_create("lotest", holder, NULL);
	KT_ASSERT(t != NULL);
	ready = tt_wait(holder_ready, NULL, 100);
	spin_lock(&lb);                     /* ma is held, but not by me */
	spin_unlock(&lb);
	holder_stop = true;
	KT_EQ(thread_join(t), 0);
	KT_ASSERT(ready);
	KT_ASSERT(!lockorder_edge_exists("lotest.a", LO_MUTEX, "lotest.b", LO_SPIN));
	KT_EQ(lockorder_last_violation().type, LOV_NONE);
	lotest_done();
}

KTEST(lockorder, printer_shows_counters_classes_and_edges)
{
	if (!lotest_begin())
		return;
	take_pair(&la, &lb);
	ktest_capture_reset();
	lockorder_print(ktest_capture);
	KT_ASSERT(ktest_captured_has("classes"));
	KT_ASSERT(ktest_captured_has("checks"));
	KT_ASSERT(ktest_captured_has("spin  lotest.a"));
	KT_ASSERT(ktest_captured_has("(nestable: "));   /* the vnode class */
	ktest_capture_reset();
	lockorder_print_edges("lotest.", ktest_capture);
	KT_EQ(ktest_captured_lines(), 1);
	KT_ASSERT(ktest_captured_has("lockorder edge: spin lotest.a -> spin lotest.b"));
	lotest_done();
}

KTEST(lockorder, a_fault_records_the_vm_order)
{
	struct vmtest t;
	vaddr_t va;

	if (!lockorder_enabled)
		return;
	vmtest_begin(&t);
	va = vmtest_map_anon(&t, 0x10000000UL, 1);
	KT_EQ(uvm_fault(t.map, va, VM_PROT_WRITE), 0);
	vmtest_end(&t);
	/* The fault holds the map, then the amap, then maps the page. */
	KT_ASSERT(lockorder_edge_exists("vm_map", LO_MUTEX, "amap", LO_MUTEX));
	KT_ASSERT(lockorder_edge_exists("amap", LO_MUTEX, "pmap", LO_SPIN));
	KT_ASSERT(!lockorder_edge_exists("amap", LO_MUTEX, "vm_map", LO_MUTEX));
	KT_ASSERT(lockorder_stats.classes > 10 && lockorder_stats.edges > 10);
}

/* TSC cycles per lock + unlock of l, with the checker as it is now. */
static uint64_t
cycles_per_pair(struct spinlock *l, struct kmutex *m, int n)
{
	uint64_t t0 = __builtin_ia32_rdtsc();

	for (int i = 0; i < n; i++) {
		if (m != NULL) {
			mutex_enter(m);
			mutex_exit(m);
		} else {
			spin_lock(l);
			spin_unlock(l);
		}
	}
	return (__builtin_ia32_rdtsc() - t0) / (uint64_t)n;
}

static void
keep_min(uint64_t *m, uint64_t v)
{
	if (v < *m)
		*m = v;
}

/*
 * What one acquisition costs, checker off and on, alone and under two
 * held locks (docs/design.md quotes these).  The switch is flipped with
 * interrupts off and no lock held, so no lock is taken on one side of it
 * and released on the other.
 */
KTEST(lockorder, cost_per_acquisition)
{
	enum { N = 5000, ROUNDS = 6 };
	uint64_t off[3] = { ~0UL, ~0UL, ~0UL }, on[3] = { ~0UL, ~0UL, ~0UL }, s;

	if (!lotest_begin())
		return;
	s = intr_disable();
	/* Alternate, and keep the fastest of each: the host is shared. */
	for (int pass = 0; pass < 2 * ROUNDS; pass++) {
		uint64_t *r = pass % 2 == 0 ? off : on;
		lockorder_enabled = pass % 2;
		keep_min(&r[0], cycles_per_pair(&lc, NULL, N));
		keep_min(&r[1], cycles_per_pair(NULL, &mb, N));
		spin_lock(&la);
		spin_lock(&lb);
		keep_min(&r[2], cycles_per_pair(&lc, NULL, N));
		spin_unlock(&lb);
		spin_unlock(&la);
	}
	lockorder_enabled = 1;
	intr_restore(s);
	ktest_print("# lockorder: TSC cycles per lock+unlock, checker off/on: "
	    "spin %lu/%lu, mutex %lu/%lu, spin under two spin locks %lu/%lu\n",
	    off[0], on[0], off[1], on[1], off[2], on[2]);
	KT_EQ(lockorder_last_violation().type, LOV_NONE);
	KT_ASSERT(on[0] > 0 && off[0] > 0);
	lotest_done();
}

/*
 * The harness self-check must_panic_on_lock_order (make test's
 * SELFCHECKS): the default action, panic, with both orders printed.
 */
KTEST_MANUAL_ONLY(selftest, must_panic_on_lock_order)
{
	take_pair(&la, &lb);
	take_pair(&lb, &la);
	KT_ASSERT(!"the second order did not panic");
}
