/*
 * kern/proc/signal.h - signals, the part VM programs need: handlers for
 * SIGSEGV/SIGBUS with siginfo, masks, sigaltstack, sigreturn, kill.
 * Numbers, structures and frame layout are Linux x86-64's.
 */
#ifndef KERN_SIGNAL_H
#define KERN_SIGNAL_H

#include "kern/lib/types.h"

struct trapframe;
struct proc;

#define NSIG 64

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGWINCH 28

/* si_code values for the faults. */
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRERR 2
#define SI_USER 0
#define SI_KERNEL 0x80

#define SIG_DFL 0UL
#define SIG_IGN 1UL

struct k_sigaction {
	uint64_t handler;
	uint64_t flags;             /* SA_* */
	uint64_t restorer;
	uint64_t mask;
};

struct k_sigaltstack {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

/*
 * Internal, as ERESTARTSYS (kern/lib/errno.h): a handler makes it EINTR;
 * with no handler the call goes on through restart_syscall (219), which
 * runs the sigstate's restart function - the call itself, with what it
 * needs to go on where it stopped (poll: the deadline, not the timeout).
 * Linux's restart_block.
 */
#define ERESTART_RESTARTBLOCK 516
#define SYS_RESTART_SYSCALL 219

struct sigrestart {
	int64_t (*fn)(const uint64_t arg[3]);   /* NULL: nothing to go on with */
	uint64_t arg[3];
};

/* The per-process part, embedded in struct proc; each thread's mask,
 * own pending set, alternate stack and restart block are in its struct
 * lwp (kern/proc/lwp.h). */
struct sigstate {
	struct k_sigaction act[NSIG + 1];
	uint64_t pending;           /* sent to the process: any thread that
	                               does not block it takes it */
};

#define SIGBIT(sig) (1UL << ((sig) - 1))

/*
 * signal_fault - a fault in user mode that the VM could not fix: deliver
 * sig with code and addr to the process's handler, or (no handler, or the
 * signal blocked or ignored) kill the process.
 *  => tf is the user-mode frame; on return it runs the handler.
 */
void signal_fault(struct trapframe *tf, int sig, int code, uint64_t addr);

/* signal_fault_kills - would a fault signal sig kill the process (no handler)? */
bool signal_fault_kills(int sig);

/*
 * signal_deliver_pending - on the way back to user mode: act on pending,
 * unblocked signals (run a handler, or the default action).
 *  => tf is the user frame; after a system call, syscall_nr is its number
 *     (else -1): a -ERESTARTSYS result in tf->rax becomes a restart of
 *     the call or -EINTR, before the handler's frame saves the registers.
 */
void signal_deliver_pending(struct trapframe *tf, int64_t syscall_nr);

/*
 * signal_work_pending - has the calling thread anything to do on its way
 * back to user mode: a signal pending for it or its process, a stop of
 * its process, or another thread ending or exec'ing the process?
 *  => a quick unlocked look (signal_deliver_pending looks again under
 *     proc_lock); never sleeps.
 */
bool signal_work_pending(void);

/*
 * signal_restart_syscall - make the user frame execute system call nr
 * again when it returns (rip back over the 2-byte syscall instruction,
 * rax the call's number).
 */
void signal_restart_syscall(struct trapframe *tf, int64_t nr);

/*
 * signal_mask_wait - the calling process waits under mask (ppoll's,
 * pselect6's); its own mask is kept to be restored.
 *  => signal_mask_done must follow before the call returns.
 */
void signal_mask_wait(uint64_t mask);

/*
 * signal_mask_done - the call is over: the kept mask comes back now, or,
 * if interrupted (a signal cut it short), when that signal is delivered
 * on the way out (its handler's frame carries the kept mask).
 */
void signal_mask_done(bool interrupted);

/*
 * signal_restart_block - the current call was cut short by a signal:
 * remember how it goes on if no handler runs.
 *  => returns -ERESTART_RESTARTBLOCK, for the call to return.
 */
int64_t signal_restart_block(int64_t (*fn)(const uint64_t arg[3]), uint64_t a0,
    uint64_t a1, uint64_t a2);

/* signal_actionable - has p a pending, unblocked signal that would do something? */
bool signal_actionable(const struct proc *p);

#endif
