/*
 * kern/proc/proc.h - processes: a user address space, the thread that runs
 * it, and the state its system calls keep.
 *
 *   parent --children--> [child A] -> [child B]        (sibling links)
 *     ^                      |
 *     `------- parent -------'
 *
 * A process runs on one or more threads (struct lwp, kern/proc/lwp.h;
 * each has a kernel thread whose .proc and .lwp point back).  It ends as
 * a zombie holding only its wait status until its parent reaps it with
 * wait4; a process whose parent is gone is adopted by the root of its
 * tree (the one proc_run started), and proc_run reaps the whole tree.
 *
 * Locking: proc_lock (a spin lock) covers the tree, the states, the
 * wait statuses and the posting of signals (proc_signal); a process's
 * other fields belong to its own threads (lwp.h says which are each
 * thread's and how they are locked).  A process waiting for a child
 * or a signal sleeps on itself under proc_lock, interruptibly.
 *
 * What the threads of a process share, and how each is kept consistent
 * when one thread changes it while another uses it (the kernel is
 * preemptible, so this matters on one CPU too):
 *
 *   fds            its own spin lock, fds->lock (kern/fs/file.c); every
 *                  use of a file holds a reference (fd_get/fd_put)
 *   p_cwd          p_lock (spin, a leaf): a lookup takes a reference
 *                  under it (proc_cwd_ref), chdir swaps the pointer under
 *                  it (proc_set_cwd) and releases the old one after
 *   p_umask        one atomic exchange (umask) or load
 *   sig.act[]      proc_lock: rt_sigaction copies in and out under it,
 *                  delivery takes its copy of the action under it with
 *                  the signal (and SA_RESETHAND's reset), so a handler,
 *                  its flags, mask and restorer always come from one
 *                  sigaction
 *   name           proc_lock (prctl PR_SET_NAME, exec; /proc reads it
 *                  under proc_lock)
 *   caps           proc_lock: capset checks and sets under one hold
 *                  (proc_caps_change)
 *   itimer_*       proc_lock (the clock tick reads them under it;
 *                  setitimer and alarm swap both under it)
 *   brk            p_brklock (a mutex, before the map lock): brk reads,
 *                  maps and moves the end under it
 * The ids, the address space pointer, exe, arg_start/end change only in
 * execve, when the process has one thread left.
 */
#ifndef KERN_PROC_H
#define KERN_PROC_H

#include "kern/core/mutex.h"
#include "kern/fs/file.h"
#include "kern/lib/queue.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/types.h"
#include "kern/proc/signal.h"
#include "kern/core/thread.h"
#include "kern/arch/trap.h"
#include "kern/proc/cap.h"
#include "kern/proc/lwp.h"

struct vmspace;
struct vnode;

enum proc_state {
	PS_ALIVE,
	PS_ZOMBIE,      /* exited; wstatus waits for the parent */
};

struct proc {
	int pid;
	int pgid;                       /* process group: inherited by fork,
	                                   set by setpgid; kill and wait4 with
	                                   pid 0 or -pgid select by it */
	bool root;                      /* started by proc_run: the init of
	                                   its tree, spared by kill(-1) */
	int sid;                        /* session: setsid; fork inherits it */
	int stopsig;                    /* stopped by this signal; 0: running */
	bool stop_unreported;           /* wait4(WUNTRACED) has not seen it */
	bool cont_unreported;           /* wait4(WCONTINUED) has not seen it */
	char name[32];                  /* written under proc_lock */
	enum proc_state state;
	struct proc *parent;            /* NULL: the root of a tree */
	TAILQ_HEAD(, proc) children;
	TAILQ_ENTRY(proc) sibling;
	TAILQ_ENTRY(proc) all;          /* every process */
	TAILQ_HEAD(, lwp) p_lwps;       /* its threads, dead ones until reaped */
	int p_nlwps;                    /* ... of them alive */
	struct lwp *p_single;           /* exit_group or execve in this thread
	                                   waits for the others to exit */
	bool p_vfork;                   /* a CLONE_VFORK child: its parent waits
	                                   until it execs or exits */
	struct vmspace *vmspace;
	vaddr_t brk_start;              /* the heap: [brk_start, brk) */
	vaddr_t brk;                    /* ... both under p_brklock */
	struct kmutex p_brklock;        /* brk: one at a time (see above) */
	struct spinlock p_lock;         /* p_cwd (see above); a leaf */
	int wstatus;                    /* Linux wait status, once a zombie */
	int pdeathsig;                  /* prctl(PR_SET_PDEATHSIG): sent when
	                                   the parent exits; 0: none.  Under
	                                   proc_lock; fork clears it */
	uint64_t nsyscalls;
	struct sigstate sig;
	uint64_t itimer_deadline;       /* ITIMER_REAL: clock_ns() when due, or 0 */
	uint64_t itimer_interval;       /* ... and its period, or 0 */
	struct fdtable *fds;            /* its descriptors (fdtable_alloc) */
	struct vnode *p_cwd;            /* working directory, referenced (NULL
	                                   before a root is mounted: "/");
	                                   under p_lock: proc_cwd_ref */
	uint32_t p_umask;               /* umask(2): 022 at proc_run, inherited */
	struct cap_sets caps;           /* capabilities (kern/proc/cap.c): all
	                                   at proc_run, inherited by fork, reset
	                                   by execve; written under proc_lock */
	char exe[64];                   /* the path it was exec'd from */
	vaddr_t arg_start, arg_end;     /* its argv's strings in its memory
	                                   (exec; fork copies): /proc/PID/cmdline */
	uint64_t start_ticks;           /* ticks when it was made (fork):
	                                   /proc/PID/stat's starttime */
};

#define curproc (curthread->proc)

/* The lock of the process tree (see above). */
extern struct spinlock proc_lock;

/* Linux wait status encoding. */
#define W_EXITCODE(code) (((code) & 0xff) << 8)
#define W_SIGNALED(sig) ((sig) & 0x7f)

/*
 * proc_run - start the program at path with argv and envp as a new
 * process tree, and wait until it and every process it left behind have
 * exited.
 *  => returns 0 and the root's Linux wait status in *wstatus, or
 *     -ENOENT, -ENOEXEC, -EACCES, -ENOMEM when it could not be started.
 *  => sleeps.
 */
int proc_run(const char *path, char *const argv[], char *const envp[],
    int *wstatus);

/*
 * proc_exit - end the current process with a wait status (exit_group, a
 * fatal signal): every other thread of it exits first.  A thread that
 * finds another already ending the process (or exec'ing) just exits.
 *  => nothing locked; never returns.
 */
void proc_exit(int wstatus) __noreturn;

/*
 * proc_teardown - the last thread of the process is ending: close its
 * files, free its address space, make it a zombie for its parent.
 *  => nothing locked; the caller is the process's last live thread (or
 *     is about to be marked dead here).  Never returns.
 */
void proc_teardown(int wstatus) __noreturn;

/*
 * proc_signal_lwp - make sig pending in thread tid of process tgid
 * (tgid <= 0: of any process), as tgkill and tkill do.
 *  => takes proc_lock; returns 0 or -ESRCH.
 */
int proc_signal_lwp(int tgid, int tid, int sig);

/* proc_robust_head - get_robust_list's look at thread tid of the
 * caller's process.  => 0, -ESRCH (no such thread), -EPERM (another
 * process's). */
int proc_robust_head(int tid, uint64_t *head);

/*
 * proc_stopped_wait - the process is stopped (another thread took the
 * stop signal): wait here, on the way back to user mode, for SIGCONT.
 *  => nothing locked; sleeps.
 */
void proc_stopped_wait(void);

/*
 * proc_user_trap - an exception from user mode that uvm_fault did not
 * fix (fault_error: its error, for page faults): the signal goes to the
 * process's handler, or kills it with a one-line message.
 */
void proc_user_trap(struct trapframe *tf, int fault_error);

/*
 * proc_signal - make sig pending in p, and end p's sleep if it sleeps
 * interruptibly (a pipe, wait4, pause, nanosleep) so that it acts on it.
 *  => any thread; takes proc_lock; never sleeps.
 */
void proc_signal(struct proc *p, int sig);

/*
 * proc_signal_pid - proc_signal to the live process with that pid, found
 * and signalled under one hold of proc_lock (so it cannot exit and be
 * freed in between); sig 0 only asks whether it exists.
 *  => any thread; never sleeps.  Returns 0 or -ESRCH.
 */
int proc_signal_pid(int pid, int sig);

/*
 * proc_kill - kill(2)'s choice of targets, as Linux makes it: pid > 0 that
 * process; 0 every process in the caller's group; -1 every process but
 * the caller and the inits (pid 1, and the roots proc_run started);
 * < -1 every process in group -pid.  All under one hold of proc_lock.
 *  => a zombie is found (its parent has not waited for it: it still
 *     exists, as on Linux, where kill(zombie, 0) is how a program asks)
 *     but not signalled: it runs no more, and its status stays.
 *  => never sleeps.  Returns 0 if one was found (and signalled, unless
 *     sig is 0), else -ESRCH (also for INT_MIN, whose negation is no pid).
 */
int proc_kill(struct proc *caller, int pid, int sig);

/*
 * proc_stop - the current process stops (a stop signal's default action):
 * its parent hears of it (SIGCHLD unless SA_NOCLDSTOP, wait4 WUNTRACED),
 * and it sleeps until SIGCONT continues it or SIGKILL is posted.
 *  => nothing locked; sleeps.
 */
void proc_stop(int sig);

/* proc_group_in_session - has session sid a live process in group pgid? */
bool proc_group_in_session(int pgid, int sid);

/* proc_clock_tick - every clock tick: send SIGALRM to processes whose
 * ITIMER_REAL is due, as proc_signal does.  => interrupt context. */
void proc_clock_tick(void);

/* CPU time and load, kept by proc_clock_tick: ticks that found a
 * process's thread running (its user code and its system calls: the
 * kernel does not tell them apart), and the 1, 5 and 15 minute load
 * averages in fixed point (LOAD_FIXED_1 is 1.0).  Read without a lock. */
#define LOAD_FSHIFT 11
#define LOAD_FIXED_1 (1UL << LOAD_FSHIFT)
extern uint64_t proc_cpu_ticks;
extern uint64_t proc_loadavg[3];

/* proc_started - processes made since boot (forks, proc_run). */
uint64_t proc_started(void);

/* proc_count - live processes (zombies included), for leak checks. */
uint64_t proc_count(void);

/* What /proc shows of one process, copied under proc_lock. */
struct proc_info {
	int pid, ppid, pgid, sid;
	int tid;                        /* the thread this is a view of: the
	                                   pid for the process's own view */
	char state;                     /* R running or runnable, S sleeping
	                                   (interruptibly), D (not), T stopped,
	                                   Z zombie */
	char wchan[16];                 /* what it sleeps on (wmesg), or "" */
	vaddr_t arg_start, arg_end;     /* argv in its memory (cmdline) */
	uint64_t start_ticks;           /* when it was made, in ticks */
	uint64_t run_ticks;             /* clock ticks that found its threads running */
	uint64_t nvcsw, nivcsw;         /* the thread's switches: voluntary (it slept
	                                   or yielded), involuntary (preempted) */
	int nthreads;                   /* live threads */
	char name[32];
	struct vmspace *vmspace;        /* with a reference, or NULL (zombie) */
	vaddr_t brk_start, brk;
	uint64_t sigpending, sigblocked, sigignored, sigcaught;
	uint64_t shdpending;            /* the process-wide pending set (ShdPnd);
	                                   sigpending is the thread's own (SigPnd) */
	uint64_t fdmask[FD_WORDS];      /* bit n: descriptor n is open (fd_bit) */
};

/*
 * proc_info_get - a snapshot of process pid (0: the caller) into *pi.
 *  => 0, or -ESRCH: no such process.
 *  => pi->vmspace holds a reference: proc_info_put drops it.
 */
int proc_info_get(int pid, struct proc_info *pi);
void proc_info_put(struct proc_info *pi);

/*
 * proc_caps_get - the capability sets of process pid (0: the caller).
 *  => takes proc_lock; never sleeps.  0, or -ESRCH: no such live process.
 */
int proc_caps_get(int pid, struct cap_sets *out);

/*
 * proc_caps_change - capset: the caller's sets become *c if the change
 * from the current ones is allowed (cap_set_check), checked and made
 * under one hold of proc_lock, so two threads cannot both pass the check
 * against sets the other is changing.
 *  => 0 or cap_set_check's -EPERM; never sleeps.
 */
int proc_caps_change(const struct cap_sets *c);

/*
 * proc_cwd_ref - p's working directory with a reference of the caller's
 * (vrele it), or NULL before a root is mounted.
 *  => takes p->p_lock; never sleeps.
 */
struct vnode *proc_cwd_ref(struct proc *p);

/*
 * proc_set_cwd - p's working directory becomes vp (the caller's reference
 * moves in); returns the old one, whose reference the caller now owns
 * and drops after (vrele may sleep: never under p_lock).
 *  => takes p->p_lock; never sleeps.
 */
struct vnode *proc_set_cwd(struct proc *p, struct vnode *vp);

/* proc_set_name - prctl(PR_SET_NAME), exec: p's name under proc_lock. */
void proc_set_name(struct proc *p, const char *name);

/*
 * proc_itimer_swap - ITIMER_REAL becomes (interval, deadline: clock_ns()
 * when due, 0 off), and the old pair comes back in *old_interval and
 * *old_deadline, all under proc_lock (the tick reads them there).
 *  => never sleeps.
 */
void proc_itimer_swap(struct proc *p, uint64_t interval, uint64_t deadline,
    uint64_t *old_interval, uint64_t *old_deadline);

/* proc_itimer_get - the pair, read under proc_lock. */
void proc_itimer_get(struct proc *p, uint64_t *interval, uint64_t *deadline);

/*
 * proc_lwp_info_get - a snapshot of thread tid of process id (/proc/PID/
 * task/TID): *pi as proc_info_get fills it, with the thread's own state,
 * wait channel, mask, pending set and ticks.  id is a pid (0: the
 * caller's) or the tid of any live thread (/proc/TID, which Linux opens
 * though it does not list it); tid 0 is the view of the process as a
 * whole through the thread id names (the first thread for a pid).
 *  => takes proc_lock; never sleeps.  0, or -ESRCH: no such process, or
 *     tid is not a live thread of it.  proc_info_put drops the reference.
 */
int proc_lwp_info_get(int id, int tid, struct proc_info *pi);

/*
 * proc_lwp_tids - up to max ids of the live threads of process id (as
 * proc_lwp_info_get names it) into tids, first thread first.
 *  => takes proc_lock; never sleeps.  How many, or -ESRCH.
 */
int proc_lwp_tids(int id, int *tids, int max);

/* proc_pids - up to max pids of live and zombie processes into pids; returns how many. */
int proc_pids(int *pids, int max);

#endif
