/*
 * kern/core/thread.h - kernel threads: a name, a kernel stack, a saved
 * context, and the per-thread state the rest of the kernel consults.
 *
 * Life of a thread:
 *
 *   thread_create ---> RUNNABLE <--------------------------+
 *                        |  ^                              |
 *          sched_switch  |  |  yield, or preempted at a    | wakeup
 *          picks it      v  |  timer interrupt             |
 *                        RUNNING ---- sleep_on(chan) ---> SLEEPING
 *                                                 (sleep_on_intr: a signal,
 *                                                  sleep_interrupt, also wakes)
 *                          |
 *                          | fn returns, thread_exit, or its stack
 *                          v   overflowed into the guard page
 *                        ZOMBIE ---- thread_join frees stack and struct
 *
 * Every thread has a kernel stack from uvm_km_stack_alloc, with an
 * unmapped guard page below it: running off the bottom faults at once
 * (a double fault, since the CPU cannot push the page fault's frame
 * either; it runs on its own IST stack).  trap() reports the hit, names
 * the guard page, and kills the thread if it held no lock; otherwise it
 * panics.  Nothing below the stack is ever written.
 *
 * thread0 is the boot thread: kmain runs on the boot stack until the
 * scheduler exists, then moves thread0 onto a guarded stack of its own
 * (thread_init) and from there on it is a thread like any other; the
 * ktest runner runs on it.  The idle thread runs only when nothing else
 * can, and halts with interrupts on.
 *
 * Per-thread state other parts use:
 *   onfault   the armed recovery point for an expected fault (panic.h)
 *   vmspace   the user address space: trap() hands user page faults to
 *             uvm_fault in it, and the context switch loads its pmap.  A
 *             thread with none runs on the kernel pmap, so a test that
 *             touches a test space's user addresses sets vmspace (as
 *             vmtest_activate does) rather than only calling
 *             pmap_activate, which would not survive a switch.
 *
 * Traps and system calls from user mode enter the kernel at the top of
 * the running thread's own stack: the switch points TSS rsp0 there
 * (thread_stack_top) for each thread it resumes.
 *
 * Locking: the fields the scheduler uses (state, wchan, sleep_intr, the
 * run and sleep queue links) change only under the scheduler's lock,
 * sched_lock (kern/core/sched.c); the list of all threads under
 * allthreads_lock (thread_list_lock), taken after sched_lock when both
 * are.  A thread's other fields belong to the thread itself.
 */
#ifndef KERN_THREAD_H
#define KERN_THREAD_H

#include "kern/arch/cpu_info.h"
#include "kern/core/lockorder.h"
#include "kern/lib/printf.h"
#include "kern/lib/queue.h"
#include "kern/lib/types.h"

struct trap_expect;
struct trapframe;
struct vmspace;
struct proc;
struct lwp;

#define THREAD_NAME_MAX 24
#define KSTACK_PAGES 4              /* 16 KiB, plus the guard page */
#define THREAD0_KSTACK_PAGES 8      /* the test runner: 32 KiB, as at boot */

enum thread_state {
	TS_RUNNING,                 /* on the CPU: curthread */
	TS_RUNNABLE,                /* on the run queue (idle: on none) */
	TS_SLEEPING,                /* on a sleep queue, waiting on wchan */
	TS_ZOMBIE,                  /* finished; thread_join frees it */
};

struct thread {
	char name[THREAD_NAME_MAX];
	struct trap_expect *onfault;    /* armed recovery point, or NULL */
	struct vmspace *vmspace;        /* user address space, or NULL */
	struct proc *proc;              /* the process it runs, or NULL */
	struct lwp *lwp;                /* ... as this thread of it (lwp.h) */
	bool uaccess;                   /* kernel code may touch user addresses
	                                   directly (tests); copyin uses onfault */
	bool uaccess_nofault;           /* copyout_nofault: a fault on a user
	                                   address fails at once, no uvm_fault */
	int tid;
	enum thread_state state;
	vaddr_t kstack;                 /* lowest usable stack address */
	size_t kstack_pages;            /* the guard page is below kstack */
	uint64_t ctx_rsp;               /* saved stack pointer while off the CPU */
	const void *wchan;              /* what a sleeping thread waits for */
	const char *wmesg;              /* ... in words, for the debugger */
	bool sleep_intr;                /* ... in sleep_on_intr: a signal wakes it */
	bool sleep_intr_pending;        /* a signal came while it was not asleep:
	                                   its next sleep_on_intr returns at once */
	bool idle;                      /* a CPU's idle thread: on no queue */
	int last_cpu;                   /* where it last ran (cpu_infos index) */
	int bound_cpu;                  /* the one CPU it may run on, or -1 */
	TAILQ_ENTRY(thread) q_link;     /* run queue or sleep queue */
	TAILQ_ENTRY(thread) all_link;   /* every thread */
	int preempt_count;              /* > 0: no involuntary switch */
	int nmutex;                     /* sleeping mutexes held */
	int exit_status;                /* 0, or -EFAULT: stack overflow */
	bool joining;                   /* someone waits in thread_join */
	uint64_t nvcsw;                 /* voluntary switches (sleep, yield) */
	uint64_t nivcsw;                /* involuntary ones (preempted) */
	uint64_t rticks;                /* clock ticks that found it running */
	bool failalloc_exempt;          /* no injected allocation failures
	                                   (uvm/uvm_failalloc.h): the page daemon */
	struct lo_stack lo_held;        /* locks held, for kern/core/lockorder.c */
};

TAILQ_HEAD(threadq, thread);

extern struct thread thread0;
/* curthread: the thread running on this CPU, read through GS (kern/arch/cpu_info.h). */

/*
 * thread_init - give thread0 a guarded stack, create the idle thread,
 * and continue on the new stack in cont().
 *  => once, at boot, after kmem_init and clock_init; never returns.
 */
void thread_init(void (*cont)(void)) __noreturn;

/*
 * thread_create - a new kernel thread that will run fn(arg) with
 * interrupts on, and exit when fn returns.
 *  => name is copied (truncated to THREAD_NAME_MAX - 1 characters).
 *  => the thread is runnable at once, at the tail of the run queue; it
 *     runs when the scheduler reaches it.
 *  => returns it, or NULL when memory or kernel addresses are short.
 *  => the caller (or someone) must thread_join it exactly once.
 *  => never sleeps.
 */
struct thread *thread_create(const char *name, void (*fn)(void *arg), void *arg);

/*
 * thread_create_on - thread_create for a thread bound to CPU cpu (it runs
 * there only; -1: anywhere), as sched_bind would make it.
 *  => as thread_create; cpu runs threads.
 */
struct thread *thread_create_on(const char *name, void (*fn)(void *arg),
    void *arg, int cpu);

/*
 * thread_create_in - thread_create for a thread that will run in the user
 * address space vm (a process's new thread): its first switch loads vm's
 * page tables at once, where a kernel thread's loads the kernel's and fn
 * would then load vm's.  Each CR3 load empties the TLB (all of QEMU's
 * software TLB under TCG), so a fork saves one.
 *  => as thread_create; vm must outlive the thread's time in it (the
 *     process holds it).
 */
struct thread *thread_create_in(const char *name, void (*fn)(void *arg),
    void *arg, struct vmspace *vm);

/*
 * thread_exit - end the calling thread; it becomes a zombie until joined.
 *  => must hold no mutex (panics) and no spin lock; not thread0 or idle.
 */
void thread_exit(void) __noreturn;

/*
 * thread_join - wait for t to finish, then free its structure and free
 * its stack or keep it for the next thread (the stack cache, thread.c).
 *  => t is not the caller and is joined only once.
 *  => may sleep.  Returns t's exit status: 0, or -EFAULT if it was
 *     killed for overflowing its stack.
 */
int thread_join(struct thread *t);

/*
 * thread_stack_cache_drain - free the kernel stacks kept for new threads
 * (thread.c: up to 8, 16 KiB each).  The leak checks call it before they
 * count pages.  => no lock held; may not be called from an interrupt.
 * thread_stack_cached - how many are kept now.  thread_stack_stats.reused
 * counts the threads that got a kept stack.  thread_stack_cache_on: keep
 * them at all (kstackcache= at boot; a speed-up only).
 */
struct thread_stack_stats {
	uint64_t reused;
};
extern struct thread_stack_stats thread_stack_stats;
extern bool thread_stack_cache_on;
void thread_stack_cache_drain(void);
int thread_stack_cached(void);

/*
 * thread_stack_top - the address just above t's stack (its first push
 * goes below it).  => t must exist (not yet joined).
 */
vaddr_t thread_stack_top(const struct thread *t);

/*
 * thread_count - threads in existence, zombies included (the leak check
 * compares it before and after each suite).  => never sleeps.
 */
int thread_count(void);

/*
 * thread_print_all - one line per thread: id, name, state, what it waits
 * on, ticks charged, voluntary and involuntary switches.
 *  => prints with interrupts off (a consistent snapshot); never sleeps.
 */
void thread_print_all(kprint_fn pr);

/*
 * thread_guard_trap - called by trap() for a double fault or a kernel
 * page fault.  If the fault address or the stack pointer lies in the
 * current thread's guard page, report it and kill the thread (when it
 * holds no lock: interrupts were on, no mutex, preemption enabled, and
 * it is neither thread0 nor idle), else panic naming the guard page.
 *  => returns only if the trap was not a guard-page hit.
 */
void thread_guard_trap(struct trapframe *tf);

/* Threads killed for overflowing their stacks since boot. */
extern uint64_t thread_stack_overflows;

/*
 * For the scheduler only: thread_alloc builds a thread that is not yet
 * on any queue (the idle thread); thread_start is where a new thread's
 * first switch lands (from swtch.asm's trampoline).
 */
struct thread *thread_alloc(const char *name, void (*fn)(void *arg), void *arg);
void thread_start(void (*fn)(void *arg), void *arg) __noreturn;

/*
 * Every thread, in creation order, under thread_list_lock (a spin lock,
 * after sched_lock in the lock order).
 */
extern struct threadq allthreads;
void thread_list_lock(void);
void thread_list_unlock(void);

/*
 * thread_adopt - give t, built by hand (an AP's first thread, smp.c), a
 * tid and a place on allthreads.  => never sleeps.
 */
void thread_adopt(struct thread *t);

#endif
