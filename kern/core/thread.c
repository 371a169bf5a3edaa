/*
 * kern/core/thread.c - creating, ending and joining kernel threads; thread0;
 * stack overflows.
 *
 * A thread is a struct thread from kmem plus a kernel stack from
 * uvm_km_stack_alloc, KSTACK_PAGES pages with an unmapped guard page
 * below (the arena's pages are handed out upwards, so "below" is the
 * previous allocation's side):
 *
 *   kstack - 4096   kstack                                   top
 *   |  guard page  |  stack, grows down <-----------------  |
 *     unmapped        mapped RW NX              initial frame ^
 *
 * thread_alloc writes an initial frame at the top that makes the new
 * thread look as if it had called swtch from thread_trampoline (the
 * picture is in swtch.asm), so the first switch to it "returns" into the
 * trampoline, which calls thread_start(fn, arg).
 *
 * Ending: thread_exit marks the thread ZOMBIE, wakes its joiner and
 * switches away for good.  It cannot free its own stack (it is running
 * on it), so thread_join does - but only once no CPU is still on that
 * stack.  The zombie's CPU holds the scheduler's lock from marking it
 * ZOMBIE until its last swtch has left the stack, and the joiner reads
 * the state under the same lock (sched_wait_zombie), so "ZOMBIE" seen
 * there means "off every CPU".
 *
 * Stack overflow: running into the guard page faults, and since the
 * CPU then cannot push the fault's frame on the same stack, it becomes a
 * double fault, taken on the IST stack (kern/arch/gdt.c).  thread_guard_trap
 * recognises the guard page, prints which thread and where, and - if the
 * thread held no lock of any kind - kills it: it becomes a zombie with
 * exit status -EFAULT and the CPU switches to the next thread straight
 * from the IST stack (the dead thread's frames are never resumed).
 * Otherwise a lock it holds might stay held for ever, so the kernel
 * panics, naming the guard page.
 *
 * Stacks are kept: thread_join puts a finished thread's stack in a small
 * cache (up to STACK_CACHE_MAX) and thread_alloc takes one from it
 * before it asks the arena.  A program's fork makes a thread and its
 * reaping ends one; from the arena each stack means KSTACK_PAGES pages
 * allocated and mapped, then unmapped with a TLB shootdown and freed,
 * and the arena's next-fit walks on into fresh page tables.  A kept
 * stack costs its 16 KiB, no more than STACK_CACHE_MAX of them; FreeBSD
 * keeps such a cache too.  What it gives up: a pointer kept into a dead
 * thread's stack reaches the next thread's, where the arena's next-fit
 * would have left it unmapped.  Nothing gives the kept pages back under
 * memory pressure (at most 32); a drain does.
 * kstackcache=0 at boot turns it off; thread_stack_cache_drain frees
 * what it holds (the leak checks do, before they count pages).
 *
 *   thread_join(A):  cache [ sA ]          thread_alloc(B): cache [ ]
 *                                          B->kstack = sA, still mapped
 *
 * Locking: the scheduler's fields under sched_lock (kern/core/sched.c),
 * allthreads and next_tid under allthreads_lock, taken after sched_lock;
 * the stack cache under stack_cache.lock, a leaf (the arena is called
 * with it released).
 * kmem and uvm_km are called with interrupts on, except that thread_join's
 * frees may run with them as the caller had.
 */
#include "kern/core/thread.h"
#include "kern/arch/cpu.h"
#include "kern/arch/gdt.h"
#include "kern/core/cmdline.h"
#include "kern/core/intr.h"
#include "kern/core/panic.h"
#include "kern/core/sched.h"
#include "kern/arch/trap.h"
#include "kern/lib/assert.h"
#include "kern/lib/atomic.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "uvm/uvm_km.h"

struct thread thread0 = { .name = "thread0", .state = TS_RUNNING,
	.bound_cpu = -1 };
struct threadq allthreads = { NULL, &allthreads.tqh_first };
uint64_t thread_stack_overflows;

static struct spinlock allthreads_lock = SPINLOCK_INIT("allthreads");
static int next_tid = 1;

KOPT(kstackcache, "kstackcache",
    "0: free a finished thread's kernel stack at once, keep none for the next");

#define STACK_CACHE_MAX 8

static struct {
	struct spinlock lock;
	int n;
	vaddr_t base[STACK_CACHE_MAX];      /* KSTACK_PAGES each, mapped */
} stack_cache = { .lock = SPINLOCK_INIT("kstackcache") };
bool thread_stack_cache_on = true;
struct thread_stack_stats thread_stack_stats;

extern char thread_trampoline[];
void stack_switch_call(uint64_t top, void (*fn)(void)) __noreturn;

vaddr_t
thread_stack_top(const struct thread *t)
{
	return t->kstack + t->kstack_pages * PAGE_SIZE;
}

/* The frame swtch pops for a thread that has never run (swtch.asm). */
static uint64_t
initial_frame(vaddr_t top, void (*fn)(void *), void *arg)
{
	uint64_t *sp = (uint64_t *)top;

	*--sp = 0;                              /* fake return address */
	*--sp = 0;                              /* alignment */
	*--sp = (uint64_t)thread_trampoline;    /* swtch returns here */
	*--sp = 0;                              /* rbx */
	*--sp = 0;                              /* rbp: end of the chain */
	*--sp = (uint64_t)fn;                   /* r12 */
	*--sp = (uint64_t)arg;                  /* r13 */
	*--sp = 0;                              /* r14 */
	*--sp = 0;                              /* r15 */
	return (uint64_t)sp;
}

/* The last stack the cache kept, taken out of it, or 0. */
static vaddr_t
stack_pop(void)
{
	vaddr_t base = 0;

	spin_lock(&stack_cache.lock);
	if (stack_cache.n > 0) {
		base = stack_cache.base[stack_cache.n - 1];
		__atomic_store_n(&stack_cache.n, stack_cache.n - 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&stack_cache.lock);
	return base;
}

/* A stack of KSTACK_PAGES: a kept one, else a new one from the arena. */
static vaddr_t
stack_get(void)
{
	vaddr_t base = stack_pop();

	if (base == 0)
		return uvm_km_stack_alloc(KSTACK_PAGES);
	atomic_add_u64(&thread_stack_stats.reused, 1);
	return base;
}

/* Keep a finished thread's stack for the next thread, or free it. */
static void
stack_put(vaddr_t base, size_t npages)
{
	bool kept = false;

	if (npages == KSTACK_PAGES && thread_stack_cache_on) {
		spin_lock(&stack_cache.lock);
		if (stack_cache.n < STACK_CACHE_MAX) {
			stack_cache.base[stack_cache.n] = base;
			__atomic_store_n(&stack_cache.n, stack_cache.n + 1, __ATOMIC_RELAXED);
			kept = true;
		}
		spin_unlock(&stack_cache.lock);
	}
	if (!kept)
		uvm_km_stack_free(base, npages);
}

void
thread_stack_cache_drain(void)
{
	vaddr_t base;

	while ((base = stack_pop()) != 0)
		uvm_km_stack_free(base, KSTACK_PAGES);
}

int
thread_stack_cached(void)
{
	return __atomic_load_n(&stack_cache.n, __ATOMIC_RELAXED);
}

struct thread *
thread_alloc(const char *name, void (*fn)(void *arg), void *arg)
{
	struct thread *t = kmem_zalloc(sizeof(*t));

	if (t == NULL)
		return NULL;
	t->kstack = stack_get();
	if (t->kstack == 0) {
		kmem_free(t, sizeof(*t));
		return NULL;
	}
	t->kstack_pages = KSTACK_PAGES;
	t->bound_cpu = -1;
	strlcpy(t->name, name, sizeof(t->name));
	t->ctx_rsp = initial_frame(thread_stack_top(t), fn, arg);
	thread_adopt(t);
	return t;
}

void
thread_adopt(struct thread *t)
{
	spin_lock(&allthreads_lock);
	t->tid = next_tid++;
	TAILQ_INSERT_TAIL(&allthreads, t, all_link);
	spin_unlock(&allthreads_lock);
}

void
thread_list_lock(void)
{
	spin_lock(&allthreads_lock);
}

void
thread_list_unlock(void)
{
	spin_unlock(&allthreads_lock);
}

struct thread *
thread_create(const char *name, void (*fn)(void *arg), void *arg)
{
	return thread_create_on(name, fn, arg, -1);
}

/* A new thread, bound to cpu (or -1), starting in vm (or NULL), runnable. */
static struct thread *
thread_create_with(const char *name, void (*fn)(void *arg), void *arg, int cpu,
    struct vmspace *vm)
{
	struct thread *t = thread_alloc(name, fn, arg);

	if (t == NULL)
		return NULL;
	t->bound_cpu = cpu;
	t->vmspace = vm;
	sched_make_runnable(t);
	return t;
}

struct thread *
thread_create_on(const char *name, void (*fn)(void *arg), void *arg, int cpu)
{
	return thread_create_with(name, fn, arg, cpu, NULL);
}

struct thread *
thread_create_in(const char *name, void (*fn)(void *arg), void *arg,
    struct vmspace *vm)
{
	return thread_create_with(name, fn, arg, -1, vm);
}

void
thread_start(void (*fn)(void *arg), void *arg)
{
	sched_first_run();
	sti();
	fn(arg);
	thread_exit();
}

/* Become a zombie with status and leave the CPU for good. */
static void __noreturn
thread_die(int status)
{
	curthread->exit_status = status;
	sched_zombie_switch();
}

void
thread_exit(void)
{
	struct thread *self = curthread;

	KASSERT(self != &thread0 && !self->idle);
	if (self->nmutex != 0)
		panic("thread_exit: thread %s still holds %d mutex(es)",
		    self->name, self->nmutex);
	thread_die(0);
}

int
thread_join(struct thread *t)
{
	int status;

	KASSERT(t != curthread && t != &thread0 && !t->idle);
	KASSERT(!t->joining);
	t->joining = true;
	sched_wait_zombie(t);
	spin_lock(&allthreads_lock);
	TAILQ_REMOVE(&allthreads, t, all_link);
	spin_unlock(&allthreads_lock);
	status = t->exit_status;
	stack_put(t->kstack, t->kstack_pages);
	kmem_free(t, sizeof(*t));
	return status;
}

void
thread_init(void (*cont)(void))
{
	struct thread *t0 = &thread0;

	KASSERT(curthread == t0 && t0->kstack == 0);
	thread_stack_cache_on = kopt_get_u64("kstackcache", 1) != 0;
	t0->kstack = uvm_km_stack_alloc(THREAD0_KSTACK_PAGES);
	if (t0->kstack == 0)
		panic("thread_init: no memory for thread0's stack");
	t0->kstack_pages = THREAD0_KSTACK_PAGES;
	TAILQ_INSERT_HEAD(&allthreads, t0, all_link);
	sched_init();
	gdt_set_kernel_stack(thread_stack_top(t0));
	kprintf("thread: thread0 moves to its stack [%#lx, %#lx), guard page below; "
	    "idle is thread %d\n", t0->kstack, thread_stack_top(t0),
	    sched_idle_thread()->tid);
	stack_switch_call(thread_stack_top(t0), cont);
}

int
thread_count(void)
{
	struct thread *t;
	int n = 0;

	spin_lock(&allthreads_lock);
	TAILQ_FOREACH(t, &allthreads, all_link)
		n++;
	spin_unlock(&allthreads_lock);
	return n;
}

static const char *const state_names[] = {
	[TS_RUNNING] = "running", [TS_RUNNABLE] = "runnable",
	[TS_SLEEPING] = "sleeping", [TS_ZOMBIE] = "zombie",
};

void
thread_print_all(kprint_fn pr)
{
	struct thread *t;

	spin_lock(&allthreads_lock);
	pr("  tid name                     state     wait on        ticks   vol  invol\n");
	TAILQ_FOREACH(t, &allthreads, all_link) {
		pr("  %3d %-24s %-9s %-12s %7lu %5lu %6lu\n", t->tid, t->name,
		    state_names[t->state], t->wmesg ? t->wmesg : "-", t->rticks,
		    t->nvcsw, t->nivcsw);
	}
	spin_unlock(&allthreads_lock);
}

static bool
in_guard(const struct thread *t, uint64_t addr)
{
	return t->kstack != 0 && addr >= t->kstack - PAGE_SIZE && addr < t->kstack;
}

/* May the thread be killed without leaving a lock held for ever? */
static bool
killable(const struct thread *t, const struct trapframe *tf)
{
	return t != &thread0 && !t->idle && t->nmutex == 0 &&
	    t->preempt_count == 0 && (tf->rflags & RFLAGS_IF) != 0 &&
	    spin_nheld == 0 && !intr_context();
}

void
thread_guard_trap(struct trapframe *tf)
{
	struct thread *self = curthread;
	uint64_t cr2 = rcr2();
	uint64_t addr = in_guard(self, cr2) ? cr2 : tf->rsp;

	if (!in_guard(self, addr))
		return;
	kprintf("\nthread %d (%s): kernel stack overflow: %s at rip %#lx hit the "
	    "guard page [%#lx, %#lx) below its stack [%#lx, %#lx) "
	    "(address %#lx, rsp %#lx)\n", self->tid, self->name,
	    trap_name(tf->vector), tf->rip, self->kstack - PAGE_SIZE, self->kstack,
	    self->kstack, thread_stack_top(self), addr, tf->rsp);
	if (!killable(self, tf))
		panic_with_frame(tf, "kernel stack overflow in thread %d (%s): hit "
		    "the guard page at %#lx, holding locks or unkillable",
		    self->tid, self->name, addr);
	kprintf("thread %d (%s): killed (it held no lock); the kernel carries on\n",
	    self->tid, self->name);
	thread_stack_overflows++;
	intr_abandon_in_service();
	thread_die(-EFAULT);
}
