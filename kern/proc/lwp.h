/*
 * kern/proc/lwp.h - the threads of a process (NetBSD's "light-weight
 * processes"): what each thread of a program has for itself, beside what
 * all of them share in struct proc.
 *
 *   struct proc (pid 7)                      shared by every thread:
 *   +-------------------------------+        address space, descriptors,
 *   | vmspace, fds, cwd, sig.act[], |        signal actions, the
 *   | sig.pending, children, pgid   |        process-wide pending set,
 *   | p_lwps: --+                   |        ids, children
 *   +-----------|-------------------+
 *               v
 *   lwp tid 7 (the first) --> lwp tid 9 --> lwp tid 12   each has its own:
 *   | thread (kernel stack)    | ...         | ...         kernel thread,
 *   | sigmask, sigpending      |                           mask, pending set
 *   | fs_base (TLS), fpu       |                           (tgkill, faults),
 *   | clear/set child tid      |                           TLS base, SSE
 *   | robust list, altstack    |                           registers, exit
 *                                                          words, altstack
 *
 * A thread id is a number from the pid sequence: the first thread's is
 * the pid, so getpid() == gettid() in a single-threaded program, as on
 * Linux.  clone(CLONE_THREAD) adds an lwp to the caller's process;
 * exit(2) ends one lwp; exit_group(2), a fatal signal or execve from a
 * threaded program makes every other lwp exit first (single_lwp in proc.c).
 *
 * Life of an lwp:
 *
 *   lwp_start --> running ---exit(2), or told to by exit_group/exec--+
 *                                                                    v
 *       reaped (thread joined, freed) <-- dead: on p_lwps, l_dead set
 *       by the next thread of the process to clone or exit, or when
 *       the process is reaped
 *
 * Invariants: p->p_nlwps is the number of lwps on p->p_lwps without
 * l_dead; a live process has at least one.  curthread->lwp->l_proc ==
 * curproc for every thread that runs a process.
 *
 * Locking: p_lwps, p_nlwps, l_dead, l_sigpending and the process's
 * sig.pending change under proc_lock.  l_sigmask, l_altstack, l_restart
 * and the suspend fields are the thread's own: only it writes them (a
 * poster reads l_sigmask to choose whom to wake; a stale read costs a
 * spurious wakeup or a wakeup on the way back to user mode, never a lost
 * signal, because every return to user mode looks at both pending sets).
 */
#ifndef KERN_PROC_LWP_H
#define KERN_PROC_LWP_H

#include "kern/arch/trap.h"
#include "kern/lib/queue.h"
#include "kern/lib/types.h"
#include "kern/proc/signal.h"

struct proc;
struct thread;

struct lwp {
	struct proc *l_proc;
	struct thread *l_thread;        /* its kernel thread; NULL before start */
	int l_tid;
	bool l_dead;                    /* exited; reaped by lwp_reap_dead */
	TAILQ_ENTRY(lwp) l_link;        /* p->p_lwps */
	uint64_t l_fs_base;             /* TLS pointer (arch_prctl, CLONE_SETTLS) */
	uint64_t l_clear_child_tid;     /* set_tid_address, CLONE_CHILD_CLEARTID:
	                                   0 stored and a futex wake at exit */
	uint64_t l_set_child_tid;       /* CLONE_CHILD_SETTID: the tid goes
	                                   there as the thread starts; 0: none */
	uint64_t l_robust_head;         /* set_robust_list; 0: none */
	uint64_t l_sigmask;             /* blocked signals (bit sig-1) */
	uint64_t l_sigpending;          /* sent to this thread: tgkill, and the
	                                   SIGKILL of exit_group and exec */
	struct k_sigaltstack l_altstack;
	uint64_t l_suspend_mask;        /* rt_sigsuspend: the mask to restore */
	bool l_suspended;               /* ... after the handler it waited for */
	struct sigrestart l_restart;    /* ERESTART_RESTARTBLOCK's continuation */
	struct trapframe l_start_tf;    /* the first user state (fork, clone) */
	uint8_t l_fpu[512] __aligned(16); /* SSE state while off the CPU */
};

#define curlwp (curthread->lwp)

/* Threads of programs started and reaped since boot (first threads of
 * processes included); changed under proc_lock or by the reaper alone. */
struct lwp_stats {
	uint64_t started;
	uint64_t reaped;
};
extern struct lwp_stats lwp_stats;

/*
 * lwp_alloc - a new, unstarted thread of p with id tid: no signal
 * blocked, no alternate stack, the SSE state of a new program.
 *  => returns it, or NULL when memory is short.  Never sleeps.
 */
struct lwp *lwp_alloc(struct proc *p, int tid);

/*
 * lwp_start - put l on its process's list and give it a kernel thread; it
 * enters user mode at l_start_tf with l_fs_base and l_fpu.
 *  => nothing locked; returns 0, or -ENOMEM (l is then not on the list;
 *     the caller frees it with kmem_free).
 */
int lwp_start(struct lwp *l);

/*
 * lwp_reap_dead - join and free p's dead threads other than the caller.
 *  => nothing locked; may sleep (for a thread still on its way out).
 */
void lwp_reap_dead(struct proc *p);

/*
 * lwp_exit_user - what an ending thread does in user memory: releases
 * its robust futexes and stores 0 at its clear-tid word, waking it.
 *  => nothing locked; may sleep (faults).
 */
void lwp_exit_user(struct lwp *l);

/* lwp_switch_out, lwp_switch_in - the context switch saves and loads a
 * thread's SSE registers and TLS base (kern/core/sched.c calls them). */
void lwp_switch_out(struct lwp *l);
void lwp_switch_in(struct lwp *l);

/*
 * lwp_exit - end the calling thread (exit(2)); the last thread of a
 * process ends the process with wstatus.
 *  => nothing locked; never returns.  Stores 0 at the clear-tid word and
 *     wakes its futex, releases robust futexes, as Linux's thread exit.
 */
void lwp_exit(int wstatus) __noreturn;

/*
 * lwp_must_exit - is another thread ending the process (exit_group, a
 * fatal signal) or exec'ing, so that the calling thread has to exit?
 *  => one read of p_single; a stale "no" is caught at the next return
 *     to user mode (the ender's SIGKILL is pending).  Never sleeps.
 */
bool lwp_must_exit(const struct proc *p);

/*
 * lwp_find - the live thread tid of process p, or NULL.
 *  => proc_lock held.
 */
struct lwp *lwp_find(struct proc *p, int tid);

#endif
