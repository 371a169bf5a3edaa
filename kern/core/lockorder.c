/*
 * kern/core/lockorder.c - the lock-order checker: finds the orders of
 * lock acquisition that could deadlock, before they do.
 *
 * Two threads deadlock when each holds a lock the other waits for:
 *
 *     thread 1: lock(A) ... lock(B)      waits for B, held by 2
 *     thread 2: lock(B) ... lock(A)      waits for A, held by 1
 *
 * The two runs need not meet for the bug to be there: it is enough that
 * the kernel takes A before B in one place and B before A in another.
 * So the checker remembers orders, not threads.  (FreeBSD's WITNESS and
 * Linux's lockdep do the same; this one is written for this kernel.)
 *
 * Classes.  Locks that play the same part share a class, so an order
 * seen between two amap locks and a map is the order for all of them.
 * A class is named by the lock's name - the string given to
 * SPINLOCK_INIT(n) or mutex_init(m, n) - and its kind: a spin lock and a
 * mutex are never one class, even under one name (the pool "amap" has a
 * spin lock, the amap family a mutex).  Every vm_map's lock is "vm_map",
 * every amap family's lock object "amap", every vnode's "vnode"; every
 * pool's pr_lock is named after its pool, so pools are told apart.  The
 * spin lock inside every mutex is the one class "kmutex.lock", a leaf.
 * Two names with the same characters are the same class (the second
 * pointer becomes an alias of the first), so two files that each write
 * "mntrename" mean one class.  The pointers are kept: a lock's name must
 * outlive it (a string literal), as mutex_init already demands.
 *
 * The graph.  An edge A -> B means "some thread took a B while holding
 * an A".  The first time an edge appears, the checker asks whether B
 * already reaches A; if it does, the new edge closes a cycle:
 *
 *     recorded:   B -> C          (uvm_foo took C holding B)
 *                 C -> A          (uvm_bar took A holding C)
 *     now:        A held, taking B:  A -> B closes A -> B -> C -> A
 *
 * and the report shows the lock held now and where it was taken, where
 * the new one is being taken, and for each recorded edge of the path
 * back the first two places that made it.  An edge seen before costs
 * one bit test: a cycle has a last edge, and that edge was checked when
 * it was new.  Tables are fixed (classes, a bit matrix of edges, a list
 * of edges with their first sites): the checker works in an interrupt
 * handler and from the first lock of kmain, before kmem exists.
 *
 * Held locks.  Each thread has a stack of what it holds (struct thread's
 * lo_held): the lock, its class, the return address of the call that
 * took it.  Interrupt handlers have a stack of their own: a handler runs
 * on whichever thread it interrupted, and that thread's locks are no
 * order of the handler's (every spin lock turns interrupts off, so no
 * handler can arrive while the thread holds one it might want; and a
 * handler takes no mutex).  A release may come out of order; it removes
 * the lock from wherever it is in the stack.
 *
 * What else is reported, each once per place in warn mode:
 *   - recursion: taking a lock the caller already holds;
 *   - two locks of one class held at once, unless the class is declared
 *     nestable (nestable[] below, each with its reason): the order
 *     between two members of a class is the code's own business;
 *   - mutex_enter, which may sleep, with a spin lock held (caught even
 *     when the mutex is free, when the sleep itself would not happen);
 *   - releasing a lock the context does not hold;
 *   - returning to user mode with a lock held (the system-call return);
 *   - more than LO_HELD_MAX locks at once.
 * A switch with a spin lock held and thread_exit with a mutex held panic
 * where they always did (sched_switch, thread_exit); every panic lists
 * the locks held (lockorder_print_held, from panic.c), so those reports
 * now name the lock and where it was taken.
 *
 * Try-locks take no part in the order: mutex_tryenter cannot wait, so
 * the page daemon may try an object's lock while holding the page queue
 * lock, which comes after it.  A try-locked lock is pushed, though, and
 * what is taken while it is held does record orders from it.
 *
 * Locking.  A thread changes only its own stack, an interrupt handler
 * only the interrupt stack; neither needs a lock.  The graph grows under
 * graph_lock, a bare test-and-set word with interrupts off (not a
 * struct spinlock, which would come back here); a new class, a new edge
 * and the path search take it, nothing else.  Bits only ever go from 0
 * to 1 outside the tests' lockorder_class_forget, so the fast path reads
 * them without it.  Nothing is printed with graph_lock held.
 *
 * Cost: one hash probe per acquisition and one bit test per lock held;
 * `make test` runs with it on (docs/design.md, "The lock-order checker",
 * has the numbers).
 */
#include "kern/core/lockorder.h"
#include "kern/arch/cpu.h"
#include "kern/core/cmdline.h"
#include "kern/core/intr.h"
#include "kern/core/ksyms.h"
#include "kern/core/thread.h"
#include "kern/lib/string.h"

KOPT(lockorder, "lockorder",
    "the lock-order checker (debug builds): 1 on, a violation panics (default); "
    "warn: print each once and go on; 0 off");
KOPT(lockorder_dump, "lockorder_dump",
    "1: print the lock-order graph when the boot's tests or init are done");

#define LO_WORDS (LO_CLASS_MAX / 64)
#define LO_HASH 1024                    /* name-pointer slots, a power of 2 */
#define LO_PATH_MAX 8                   /* edges of a cycle printed */

struct lo_class {
	const char *name;
	uint8_t kind;
	bool nestable;
	uint8_t warned;                 /* violation types already printed */
	uint32_t nested;                /* nestable: times two were held */
};

struct lo_edge {
	uint16_t from, to;
	uintptr_t from_site, to_site;   /* the first acquisitions that made it */
};

/* A violation with the recorded path it contradicts, for printing. */
struct lo_report {
	struct lo_violation v;
	const char *held_kind, *taken_kind;
	struct lo_edge path[LO_PATH_MAX];
};

/*
 * The classes whose members may be held two at once, and why that is
 * safe: the code orders them itself, where the checker cannot see it.
 */
static const struct {
	const char *name;
	int kind;
	const char *why;
} nestable[] = {
	{ "vnode", LO_MUTEX, "a directory's v_lock before its entries' "
	    "(kern/vfs/vfs_lookup.c); '..' waits for the parent while holding "
	    "the child only while the parent is being loaded" },
	{ "vm_map", LO_MUTEX, "fork locks the parent's map, then the new "
	    "child's, which no one else can reach yet" },
	{ "futex bucket", LO_SPIN, "a requeue or wake_op holds two buckets, "
	    "taken in address order (futex_lock2, kern/proc/futex.c)" },
};

int lockorder_enabled = LOCKORDER;
struct lo_stats lockorder_stats;

static struct lo_class classes[LO_CLASS_MAX];
static uint64_t adj[LO_CLASS_MAX][LO_WORDS];    /* adj[a] has bit b: a -> b */
static struct lo_edge edges[LO_EDGE_MAX];
static struct {
	const char *name;
	uint16_t kind, cls;
} hash[LO_HASH];
static struct lo_stack intr_stacks[MAXCPUS];   /* what each CPU's interrupt
                                                  handlers hold */
static struct lo_stack deepest;         /* a copy of the deepest stack seen */
static volatile uint32_t graph_lock;
static enum lo_action action = LO_PANIC, boot_action = LO_PANIC;
static struct lo_violation last;
static int warned;                      /* warnings since lockorder_check */
static bool full_reported;
static int16_t bfs_from[LO_CLASS_MAX];  /* the path search's tree (graph_lock) */
static uint16_t bfs_queue[LO_CLASS_MAX];

static const char *const vtype_name[] = {
	[LOV_NONE] = "none",
	[LOV_ORDER] = "lock order reversal",
	[LOV_SAME_CLASS] = "two locks of one class held",
	[LOV_RECURSION] = "lock taken twice",
	[LOV_SLEEP_UNDER_SPIN] = "mutex_enter (may sleep) with a spin lock held",
	[LOV_NOT_HELD] = "release of a lock not held",
	[LOV_HELD_AT] = "lock held",
	[LOV_TOO_DEEP] = "too many locks held (raise LO_HELD_MAX)",
};

/* ------------------------------------------------------------------ */
/* The graph's lock, tables and search                                  */

static uint64_t
graph_enter(void)
{
	uint64_t s = intr_disable();

	while (__atomic_exchange_n(&graph_lock, 1, __ATOMIC_ACQUIRE) != 0)
		__builtin_ia32_pause();
	return s;
}

static void
graph_exit(uint64_t s)
{
	__atomic_store_n(&graph_lock, 0, __ATOMIC_RELEASE);
	intr_restore(s);
}

static bool
edge_test(int a, int b)
{
	return (__atomic_load_n(&adj[a][b / 64], __ATOMIC_RELAXED) >> (b % 64)) & 1;
}

static const char *
kind_name(int kind)
{
	return kind == LO_MUTEX ? "mutex" : "spin";
}

static uint32_t
hash_slot(const char *name, int kind)
{
	uint64_t h = ((uintptr_t)name >> 2) ^ (uint64_t)kind;

	return (uint32_t)((h * 0x9e3779b97f4a7c15ULL) >> 40) & (LO_HASH - 1);
}

static bool
nestable_by_table(const char *name, int kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(nestable); i++)
		if (nestable[i].kind == kind && strcmp(nestable[i].name, name) == 0)
			return true;
	return false;
}

/* The class called name (by its characters), made if new.  => graph_lock. */
static int
class_find_or_make(const char *name, int kind)
{
	int n = lockorder_stats.classes;

	for (int c = 0; c < n; c++)
		if (classes[c].kind == kind && strcmp(classes[c].name, name) == 0)
			return c;
	if (n == LO_CLASS_MAX)
		return -1;
	classes[n] = (struct lo_class){ name, (uint8_t)kind,
		nestable_by_table(name, kind), 0, 0 };
	lockorder_stats.classes = n + 1;
	return n;
}

/* Make name (this pointer) an alias of its class.  => graph_lock. */
static int
class_slow(const char *name, int kind)
{
	uint32_t i = hash_slot(name, kind);
	int cls = class_find_or_make(name, kind);

	if (cls < 0)
		return -1;
	for (int n = 0; n < LO_HASH; n++, i = (i + 1) & (LO_HASH - 1)) {
		if (hash[i].name == name && hash[i].kind == kind)
			break;
		if (hash[i].name != NULL)
			continue;
		hash[i].kind = (uint16_t)kind;
		hash[i].cls = (uint16_t)cls;
		__atomic_store_n(&hash[i].name, name, __ATOMIC_RELEASE);
		break;
	}
	return cls;
}

/* The class of a lock named name: a hash probe, or the slow way. */
static int
class_of(const char *name, int kind)
{
	uint32_t i = hash_slot(name, kind);
	uint64_t s;
	int cls;

	for (int n = 0; n < LO_HASH; n++, i = (i + 1) & (LO_HASH - 1)) {
		const char *k = __atomic_load_n(&hash[i].name, __ATOMIC_ACQUIRE);
		if (k == NULL)
			break;
		if (k == name && hash[i].kind == kind)
			return hash[i].cls;
	}
	s = graph_enter();
	cls = class_slow(name, kind);
	graph_exit(s);
	return cls;
}

/* Record a -> b with its first sites.  => graph_lock; false when full. */
static bool
edge_add(int a, int b, uintptr_t a_site, uintptr_t b_site)
{
	int n = lockorder_stats.edges;

	if (n == LO_EDGE_MAX)
		return false;
	edges[n] = (struct lo_edge){ (uint16_t)a, (uint16_t)b, a_site, b_site };
	lockorder_stats.edges = n + 1;
	__atomic_fetch_or(&adj[a][b / 64], 1ULL << (b % 64), __ATOMIC_RELAXED);
	return true;
}

static const struct lo_edge *
edge_find(int a, int b)
{
	for (int i = 0; i < lockorder_stats.edges; i++)
		if (edges[i].from == a && edges[i].to == b)
			return &edges[i];
	return NULL;
}

/*
 * Is there a path from -> ... -> to?  Breadth first over the bit matrix;
 * copies up to LO_PATH_MAX of its edges, in order, into path.
 *  => graph_lock.  Returns the path's length in edges, 0 if none.
 */
static int
path_find(int from, int to, struct lo_edge *path)
{
	int head = 0, tail = 0, n = lockorder_stats.classes, len = 0;

	for (int c = 0; c < n; c++)
		bfs_from[c] = -1;
	bfs_from[from] = (int16_t)from;
	bfs_queue[tail++] = (uint16_t)from;
	while (head < tail && bfs_from[to] < 0) {
		int c = bfs_queue[head++];
		for (int d = 0; d < n; d++) {
			if (bfs_from[d] >= 0 || !edge_test(c, d))
				continue;
			bfs_from[d] = (int16_t)c;
			bfs_queue[tail++] = (uint16_t)d;
		}
	}
	if (bfs_from[to] < 0)
		return 0;
	for (int c = to; c != from; c = bfs_from[c])
		len++;
	int i = len;
	for (int c = to; c != from; c = bfs_from[c])
		if (--i < LO_PATH_MAX)
			path[i] = *edge_find(bfs_from[c], c);
	return len;
}

/* ------------------------------------------------------------------ */
/* Reports                                                              */

static void
print_site(kprint_fn pr, uintptr_t site)
{
	uint64_t off;
	const char *name = site ? ksym_lookup(site - 1, &off) : NULL;

	if (name != NULL)
		pr("%s+%#lx", name, off + 1);
	else
		pr("%#lx", (uint64_t)site);
}

static void
print_edge(kprint_fn pr, const struct lo_edge *e)
{
	pr("    \"%s\" -> \"%s\": %s taken at ", classes[e->from].name,
	    classes[e->to].name, classes[e->from].name);
	print_site(pr, e->from_site);
	pr(", then %s at ", classes[e->to].name);
	print_site(pr, e->to_site);
	pr("\n");
}

static void
report_print(const struct lo_report *r)
{
	const struct lo_violation *v = &r->v;

	kprintf("lockorder: %s\n", vtype_name[v->type]);
	if (v->taken != NULL) {
		kprintf("  %s \"%s\" (%s) at ", v->type == LOV_NOT_HELD ?
		    "releasing" : "taking", v->taken, r->taken_kind);
		print_site(kprint, v->taken_site);
		kprintf("\n");
	}
	if (v->held != NULL) {
		kprintf("  holding \"%s\" (%s), taken at ", v->held, r->held_kind);
		print_site(kprint, v->held_site);
		kprintf("\n");
	}
	if (v->type != LOV_ORDER)
		return;
	kprintf("  but the opposite order was seen before (%d edge%s):\n",
	    v->path_len, v->path_len == 1 ? "" : "s");
	for (int i = 0; i < v->path_len && i < LO_PATH_MAX; i++)
		print_edge(kprint, &r->path[i]);
}

/* Do what the action says with a violation. */
static void
report(const struct lo_report *r, int cls)
{
	__atomic_fetch_add(&lockorder_stats.violations, 1, __ATOMIC_RELAXED);
	last = r->v;
	if (action == LO_RECORD)
		return;
	if (action == LO_WARN) {
		if (cls >= 0 && (classes[cls].warned & (1u << r->v.type)))
			return;
		if (cls >= 0)
			classes[cls].warned |= (uint8_t)(1u << r->v.type);
		warned++;
		report_print(r);
		lockorder_print_held(kprint);
		return;
	}
	report_print(r);
	panic("lockorder: %s: \"%s\"%s%s%s", vtype_name[r->v.type],
	    r->v.taken ? r->v.taken : "?", r->v.held ? " after \"" : "",
	    r->v.held ? r->v.held : "", r->v.held ? "\"" : "");
}

/* A violation between the lock being taken and one held (h). */
static void
violation(enum lo_violation_type type, const struct lo_held *h, int cls,
    uintptr_t site)
{
	struct lo_report r = { .v = { type, NULL, classes[cls].name, 0, site, 0 },
		.taken_kind = kind_name(classes[cls].kind) };

	if (h != NULL) {
		r.v.held = classes[h->cls].name;
		r.v.held_site = h->site;
		r.held_kind = kind_name(classes[h->cls].kind);
	}
	report(&r, cls);
}

/* The tables are full: say so once and stop checking. */
static void
table_full(void)
{
	if (!full_reported)
		kprintf("lockorder: %d classes or %d edges: tables full, "
		    "checker off (raise LO_CLASS_MAX / LO_EDGE_MAX)\n",
		    LO_CLASS_MAX, LO_EDGE_MAX);
	full_reported = true;
	lockorder_enabled = 0;
}

/* ------------------------------------------------------------------ */
/* Acquire and release                                                  */

static struct lo_stack *
stack_here(void)
{
	if (intr_context() || curthread == NULL)
		return &intr_stacks[cpu_number()];
	return &curthread->lo_held;
}

/* h held, cls being taken, and h's class -> cls is not yet recorded. */
static void
edge_new(const struct lo_held *h, int cls, uintptr_t site)
{
	struct lo_report r = { .v = { LOV_ORDER, classes[h->cls].name,
		classes[cls].name, h->site, site, 0 } };
	uint64_t s = graph_enter();
	bool added = true;

	if (!edge_test(h->cls, cls)) {
		r.v.path_len = path_find(cls, h->cls, r.path);
		if (r.v.path_len == 0 || action != LO_PANIC)
			added = edge_add(h->cls, cls, h->site, site);
	}
	graph_exit(s);
	if (!added)
		table_full();
	if (r.v.path_len == 0)
		return;
	r.held_kind = kind_name(classes[h->cls].kind);
	r.taken_kind = kind_name(classes[cls].kind);
	report(&r, h->cls);
}

/* Check taking lock (class cls, kind) against everything st holds. */
static void
check_held(const struct lo_stack *st, const void *lock, int cls, int kind,
    uintptr_t site)
{
	for (int i = 0; i < st->n; i++) {
		const struct lo_held *h = &st->h[i];
		if (h->lock == lock && h->cls == cls)
			violation(LOV_RECURSION, h, cls, site);
		else if (h->cls == cls && !classes[cls].nestable)
			violation(LOV_SAME_CLASS, h, cls, site);
		else if (h->cls == cls)
			classes[cls].nested++;
		else if (kind == LO_MUTEX && classes[h->cls].kind == LO_SPIN)
			violation(LOV_SLEEP_UNDER_SPIN, h, cls, site);
		else if (!edge_test(h->cls, cls))
			edge_new(h, cls, site);
	}
}

static void
push(struct lo_stack *st, const void *lock, int cls, uintptr_t site, bool try)
{
	if (st->n == LO_HELD_MAX) {
		st->lost++;
		violation(LOV_TOO_DEEP, &st->h[st->n - 1], cls, site);
		return;
	}
	st->h[st->n] = (struct lo_held){ lock, site, (uint16_t)cls, try };
	st->n++;
	if (st->n > lockorder_stats.max_depth) {
		lockorder_stats.max_depth = st->n;
		deepest = *st;
	}
}

static void
acquire(const void *lock, const char *name, int kind, uintptr_t site, bool try)
{
	struct lo_stack *st = stack_here();
	int cls = class_of(name != NULL ? name : "(unnamed)", kind);

	if (cls < 0) {
		table_full();
		return;
	}
	lockorder_stats.checks++;       /* statistics: a lost count is no harm */
	if (!try)
		check_held(st, lock, cls, kind, site);
	push(st, lock, cls, site, try);
}

void
lockorder_acquire(const void *lock, const char *name, int kind, uintptr_t site)
{
	if (site == 0)
		site = (uintptr_t)__builtin_return_address(0);
	acquire(lock, name, kind, site, false);
}

void
lockorder_spin_acquire(const struct spinlock *l)
{
	acquire(l, l->name, LO_SPIN, (uintptr_t)__builtin_return_address(0), false);
}

void
lockorder_spin_acquired_try(const struct spinlock *l)
{
	acquire(l, l->name, LO_SPIN, (uintptr_t)__builtin_return_address(0), true);
}

void
lockorder_acquired_try(const void *lock, const char *name, int kind,
    uintptr_t site)
{
	if (site == 0)
		site = (uintptr_t)__builtin_return_address(0);
	acquire(lock, name, kind, site, true);
}

/*
 * A mutex and its own spin lock have one address (the spin lock is the
 * mutex's first member), so a held lock is found by address and kind.
 */
static void
release(const void *lock, int kind, uintptr_t site)
{
	struct lo_stack *st = stack_here();
	struct lo_report r = { .v = { LOV_NOT_HELD, NULL, "?", 0, site, 0 },
		.taken_kind = kind_name(kind) };

	for (int i = st->n - 1; i >= 0; i--) {
		if (st->h[i].lock != lock || classes[st->h[i].cls].kind != kind)
			continue;
		for (int j = i; j + 1 < st->n; j++)
			st->h[j] = st->h[j + 1];
		st->n--;
		return;
	}
	if (st->lost > 0) {
		st->lost--;
		return;
	}
	report(&r, -1);
}

void
lockorder_release(const void *lock, int kind)
{
	release(lock, kind, (uintptr_t)__builtin_return_address(0));
}

void
lockorder_spin_release(const struct spinlock *l)
{
	release(l, LO_SPIN, (uintptr_t)__builtin_return_address(0));
}

/* ------------------------------------------------------------------ */
/* Checks at fixed places, the switch, views                            */

void
lockorder_boot(void)
{
	const char *opt = kopt_get("lockorder");

	if (opt == NULL)
		return;
	if (!LOCKORDER) {
		if (strcmp(opt, "0") != 0)
			kprintf("lockorder: not compiled in (LOCKORDER=0); %s ignored\n", opt);
		return;
	}
	KASSERT(lockorder_held_count() == 0);
	if (strcmp(opt, "0") == 0)
		lockorder_enabled = 0;
	else if (strcmp(opt, "warn") == 0)
		action = boot_action = LO_WARN;
	kprintf("lockorder: %s\n", !lockorder_enabled ? "off" :
	    action == LO_WARN ? "on, violations printed" : "on");
}

void
lockorder_assert_none_held(const char *where)
{
	const struct lo_stack *st = stack_here();
	struct lo_report r = { .v = { LOV_HELD_AT, NULL, where, 0, 0, 0 },
		.taken_kind = "place" };

	if (!lockorder_enabled || st->n == 0)
		return;
	r.v.held = classes[st->h[0].cls].name;
	r.v.held_site = st->h[0].site;
	r.held_kind = kind_name(classes[st->h[0].cls].kind);
	r.v.taken_site = (uintptr_t)__builtin_return_address(0);
	report(&r, st->h[0].cls);
}

void
lockorder_handoff(struct lo_stack *from, struct lo_stack *to, const void *lock)
{
	for (int i = from->n - 1; i >= 0; i--) {
		if (from->h[i].lock != lock)
			continue;
		KASSERT(to->n < LO_HELD_MAX);
		to->h[to->n++] = from->h[i];
		for (int j = i; j + 1 < from->n; j++)
			from->h[j] = from->h[j + 1];
		from->n--;
		return;
	}
}

int
lockorder_held_count(void)
{
	return stack_here()->n;
}

static void
print_stack(kprint_fn pr, const struct lo_stack *st)
{
	for (int i = 0; i < st->n; i++) {
		const struct lo_held *h = &st->h[i];
		pr("  \"%s\" (%s%s) %p taken at ", classes[h->cls].name,
		    kind_name(classes[h->cls].kind), h->trylock ? ", try" : "",
		    h->lock);
		print_site(pr, h->site);
		pr("\n");
	}
}

void
lockorder_print_held(kprint_fn pr)
{
	const struct lo_stack *st = stack_here();

	if (!LOCKORDER || st->n == 0)
		return;
	pr("locks held (%s, oldest first):\n", st == &intr_stacks[cpu_number()] ?
	    "interrupt handler" : curthread->name);
	print_stack(pr, st);
}

void
lockorder_print_edges(const char *prefix, kprint_fn pr)
{
	size_t len = prefix != NULL ? strlen(prefix) : 0;

	for (int i = 0; i < lockorder_stats.edges; i++) {
		const struct lo_edge *e = &edges[i];
		if (len > 0 && strncmp(classes[e->from].name, prefix, len) != 0 &&
		    strncmp(classes[e->to].name, prefix, len) != 0)
			continue;
		pr("lockorder edge: %s %s -> %s %s\n", kind_name(classes[e->from].kind),
		    classes[e->from].name, kind_name(classes[e->to].kind),
		    classes[e->to].name);
	}
}

static void
print_summary(kprint_fn pr)
{
	struct lo_stats st = lockorder_stats;

	pr("lockorder: %s, %d classes, %d edges, %lu checks, %lu violations, "
	    "at most %d locks held at once\n", lockorder_enabled ? "on" : "off",
	    st.classes, st.edges, st.checks, st.violations, st.max_depth);
}

void
lockorder_print(kprint_fn pr)
{
	struct lo_stats st = lockorder_stats;

	print_summary(pr);
	for (int c = 0; c < st.classes; c++) {
		pr("  class %3d %-5s %s", c, kind_name(classes[c].kind),
		    classes[c].name);
		if (classes[c].nestable)
			pr(" (nestable: %u times two held)", classes[c].nested);
		pr("\n");
	}
	for (int i = 0; i < st.edges; i++)
		print_edge(pr, &edges[i]);
	pr("the deepest stack of held locks seen:\n");
	print_stack(pr, &deepest);
}

void
lockorder_boot_done(void)
{
	if (!LOCKORDER || !lockorder_enabled)
		return;
	if (kopt_get_u64("lockorder_dump", 0) != 0) {
		lockorder_print(kprint);
		lockorder_print_edges(NULL, kprint);
	} else {
		print_summary(kprint);
	}
}

/* ------------------------------------------------------------------ */
/* For the tests and the harness                                        */

enum lo_action
lockorder_set_action(enum lo_action a)
{
	enum lo_action old = action;

	action = a;
	return old;
}

struct lo_violation
lockorder_last_violation(void)
{
	return last;
}

void
lockorder_clear_violation(void)
{
	last = (struct lo_violation){ 0 };
}

void
lockorder_class_forget(const char *name, int kind)
{
	uint64_t s = graph_enter();
	int cls = class_slow(name, kind), n = 0;

	for (int i = 0; cls >= 0 && i < lockorder_stats.edges; i++) {
		if (edges[i].from != cls && edges[i].to != cls)
			edges[n++] = edges[i];
	}
	if (cls >= 0) {
		lockorder_stats.edges = n;
		for (int c = 0; c < LO_CLASS_MAX; c++) {
			adj[c][cls / 64] &= ~(1ULL << (cls % 64));
			adj[cls][c / 64] = 0;
		}
		classes[cls].warned = 0;
	}
	graph_exit(s);
}

void
lockorder_class_set_nestable(const char *name, int kind, bool ok)
{
	uint64_t s = graph_enter();
	int cls = class_slow(name, kind);

	if (cls >= 0)
		classes[cls].nestable = ok;
	graph_exit(s);
}

bool
lockorder_edge_exists(const char *a, int akind, const char *b, int bkind)
{
	int ca = class_of(a, akind), cb = class_of(b, bkind);

	return ca >= 0 && cb >= 0 && edge_test(ca, cb);
}

int
lockorder_check(kprint_fn pr)
{
	int problems = warned;

	if (!lockorder_enabled)
		return 0;
	if (warned > 0)
		pr("lockorder: %d violation(s) printed above (lockorder=warn)\n", warned);
	warned = 0;
	if (action != boot_action) {
		pr("lockorder: the action was left at %d (a test must restore it)\n",
		    action);
		action = boot_action;
		problems++;
	}
	if (lockorder_held_count() != 0) {
		lockorder_print_held(pr);
		problems++;
	}
	return problems;
}
