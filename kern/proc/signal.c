/*
 * kern/proc/signal.c - delivering signals to user handlers, and sigreturn.
 *
 * To run a handler the kernel builds, on the user's stack (or its
 * sigaltstack), the frame Linux builds, and points the saved user
 * registers at the handler:
 *
 *   old rsp - 128 (red zone, left alone)
 *   fpstate   512 bytes, 64-aligned: the SSE registers (fxsave)
 *   siginfo   si_signo, si_code, si_addr ...          <- rsi
 *   ucontext  uc_stack, uc_mcontext (every register), uc_sigmask  <- rdx
 *   pretcode  sa_restorer (musl's __restore_rt)       <- rsp, rdi = sig
 *
 * The handler returns into the restorer, which calls rt_sigreturn with
 * rsp at the ucontext; the kernel restores every register, the mask and
 * the SSE state from it (checking what a program may not change: the
 * segment registers and the privileged flags), and the interrupted code
 * goes on - or a siglongjmp out of the handler simply never comes back.
 *
 * A fault signal (SIGSEGV, SIGBUS...) that is blocked, ignored or has no
 * handler kills the process, as Linux does: the program could not make
 * progress anyway.  The stop signals (SIGSTOP, and SIGTSTP, SIGTTIN,
 * SIGTTOU at their default) stop it instead (proc_stop) until SIGCONT.
 *
 * Other signals are posted (proc_signal) and acted on at the target's
 * next return to user mode.  A target blocked in the kernel must first
 * get there: the calls that may block for ever - pipe read and write,
 * wait4, pause, rt_sigsuspend, nanosleep, console read - sleep
 * interruptibly (sleep_on_intr), proc_signal ends that sleep, and the
 * call, seeing signal_actionable, returns what it has done so far, or
 * -ERESTARTSYS if nothing.  On the way out that becomes, as in Linux:
 *
 *   the handler to run has SA_RESTART   the call runs again after it:
 *                                       rip - 2 (back onto `syscall`),
 *                                       rax = the call's number, saved
 *                                       in the handler's frame
 *   the handler has no SA_RESTART       -EINTR
 *   no handler runs                     the call runs again
 *
 * Restartable: wait4, pipe and console read and write.  pause,
 * nanosleep and rt_sigsuspend return -ERESTARTNOHAND: -EINTR if a
 * handler runs, whatever its flags (Linux never restarts them after a
 * handler), but a stop and continue with no handler goes back to sleep
 * (nanosleep for its whole time again: Linux would sleep only what was
 * left).  poll returns -ERESTART_RESTARTBLOCK: -EINTR after a
 * handler; with none, the syscall entry makes the program call
 * restart_syscall, which goes on with the poll until the deadline it
 * had (signal_restart_block).  Short waits that always end (a page being read
 * from disk) are not interruptible; the signal waits for them.
 *
 * A call may wait under a mask of its own (rt_sigsuspend, ppoll,
 * pselect6: signal_mask_wait).  The old mask comes back when it returns
 * - or, when a signal cut it short, as the handler's frame is built (the
 * frame saves the old mask, so sigreturn restores it), or at the end of
 * the delivery if no handler ran.  So the signal the call's mask let in
 * is the one delivered, as Linux's TIF_RESTORE_SIGMASK does.
 *
 * The actions (p->sig.act) are shared by the process's threads and
 * change under proc_lock: rt_sigaction swaps one there, and a thread
 * taking a signal copies its action in the same hold that takes the
 * signal off the pending set (signal_action_take), resetting it there
 * for SA_RESETHAND.  The frame is built from that copy, so a handler
 * runs with its own sigaction's mask, flags and restorer even while
 * another thread is changing them.
 */
#include "kern/proc/signal.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/core/clock.h"
#include "kern/core/sched.h"
#include "kern/sys/syscall.h"
#include "kern/arch/trap.h"
#include "kern/arch/uaccess.h"

#define SA_SIGINFO 0x4
#define SA_ONSTACK 0x08000000
#define SA_RESTORER 0x04000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_RESTART 0x10000000
#define SA_KNOWN (SA_SIGINFO | SA_ONSTACK | SA_RESTORER | SA_NODEFER | \
    SA_RESETHAND | SA_RESTART | 0x1 | 0x2 /* NOCLDSTOP/WAIT */)
#define SYSCALL_INSN_LEN 2      /* 0f 05 */

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048
#define REDZONE 128
#define RFLAGS_USER 0x0cd5UL     /* CF PF AF ZF SF TF DF OF: the program's own */

struct l_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct l_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct k_sigaltstack uc_stack;
	struct l_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct l_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t pad;
	uint64_t si_addr;           /* faults; for kill: pid and uid */
	uint8_t rest[128 - 24];
};

struct rt_sigframe {
	uint64_t pretcode;
	struct l_ucontext uc;
	struct l_siginfo info;
};

STATIC_ASSERT(sizeof(struct l_sigcontext) == 256);
STATIC_ASSERT(sizeof(struct l_siginfo) == 128);

/* Signals whose default action is to do nothing. */
static bool
default_ignores(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

/* Signals whose default action stops the process (SIGSTOP cannot be
 * caught or ignored; the others only by default). */
static bool
default_stops(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static bool
on_altstack(const struct lwp *l, uint64_t sp)
{
	const struct k_sigaltstack *ss = &l->l_altstack;

	return !(ss->flags & SS_DISABLE) && ss->size != 0 &&
	    sp > ss->sp && sp <= ss->sp + ss->size;
}

static void
save_regs(const struct trapframe *tf, struct l_sigcontext *sc)
{
	sc->r8 = tf->r8; sc->r9 = tf->r9; sc->r10 = tf->r10; sc->r11 = tf->r11;
	sc->r12 = tf->r12; sc->r13 = tf->r13; sc->r14 = tf->r14; sc->r15 = tf->r15;
	sc->rdi = tf->rdi; sc->rsi = tf->rsi; sc->rbp = tf->rbp; sc->rbx = tf->rbx;
	sc->rdx = tf->rdx; sc->rax = tf->rax; sc->rcx = tf->rcx; sc->rsp = tf->rsp;
	sc->rip = tf->rip; sc->eflags = tf->rflags;
	sc->cs = (uint16_t)tf->cs; sc->ss = (uint16_t)tf->ss;
	sc->err = tf->error;
	sc->trapno = tf->vector;
}

static void
restore_regs(struct trapframe *tf, const struct l_sigcontext *sc)
{
	tf->r8 = sc->r8; tf->r9 = sc->r9; tf->r10 = sc->r10; tf->r11 = sc->r11;
	tf->r12 = sc->r12; tf->r13 = sc->r13; tf->r14 = sc->r14; tf->r15 = sc->r15;
	tf->rdi = sc->rdi; tf->rsi = sc->rsi; tf->rbp = sc->rbp; tf->rbx = sc->rbx;
	tf->rdx = sc->rdx; tf->rax = sc->rax; tf->rcx = sc->rcx; tf->rsp = sc->rsp;
	tf->rip = sc->rip;
	/* Only the arithmetic and direction flags are the program's to set. */
	tf->rflags = (tf->rflags & ~RFLAGS_USER) | (sc->eflags & RFLAGS_USER);
}

/* The SSE state, saved to / restored from a user address. */
static int
fpu_save(uint64_t uaddr)
{
	uint8_t area[512 + 16];
	uint8_t *a = (uint8_t *)ROUND_UP((uintptr_t)area, 16);

	__asm__ volatile("fxsave64 (%0)" : : "r"(a) : "memory");
	return copyout(a, uaddr, 512);
}

static int
fpu_restore(uint64_t uaddr)
{
	uint8_t area[512 + 16];
	uint8_t *a = (uint8_t *)ROUND_UP((uintptr_t)area, 16);

	if (copyin(uaddr, a, 512) != 0)
		return -EFAULT;
	uint32_t *mxcsr = (uint32_t *)(a + 24);
	*mxcsr &= 0xffff;           /* reserved bits would fault in fxrstor */
	__asm__ volatile("fxrstor64 (%0)" : : "r"(a) : "memory");
	return 0;
}

/* Where the frame goes: the alternate stack if asked for, else below the red zone. */
static uint64_t
frame_top(const struct lwp *l, const struct k_sigaction *sa, uint64_t sp)
{
	if ((sa->flags & SA_ONSTACK) && !(l->l_altstack.flags & SS_DISABLE) &&
	    l->l_altstack.size != 0 && !on_altstack(l, sp))
		return l->l_altstack.sp + l->l_altstack.size;
	return sp - REDZONE;
}

/*
 * The action for sig as one consistent copy into *sa, taken under
 * proc_lock (another thread may be in rt_sigaction for it), with
 * SA_RESETHAND's reset to the default made in the same hold, so two
 * threads taking the signal at once run the handler at most once.
 *  => proc_lock held.
 */
static void
signal_action_take(struct proc *p, int sig, struct k_sigaction *sa)
{
	*sa = p->sig.act[sig];
	if (sa->handler != SIG_DFL && sa->handler != SIG_IGN &&
	    (sa->flags & SA_RESETHAND))
		p->sig.act[sig].handler = SIG_DFL;
}

/*
 * Build the frame for sig, whose action is *sa (signal_action_take's
 * copy), and aim tf at the handler.
 *  => returns 0, or -EFAULT if the frame could not be written (the
 *     caller then kills the process).
 */
static int
setup_frame(struct trapframe *tf, int sig, const struct k_sigaction *sa,
    int code, uint64_t addr)
{
	struct lwp *l = curlwp;
	struct rt_sigframe f;
	uint64_t fp = ROUND_DOWN(frame_top(l, sa, tf->rsp) - 512, 64);
	uint64_t frame = ROUND_DOWN(fp - sizeof(f), 16) - 8;    /* as if called */

	memset(&f, 0, sizeof(f));
	f.pretcode = sa->restorer;
	f.uc.uc_stack = l->l_altstack;
	if (on_altstack(l, tf->rsp))
		f.uc.uc_stack.flags |= SS_ONSTACK;
	save_regs(tf, &f.uc.uc_mcontext);
	f.uc.uc_mcontext.cr2 = addr;
	f.uc.uc_mcontext.oldmask = l->l_sigmask;
	f.uc.uc_mcontext.fpstate = fp;
	/* After rt_sigsuspend the handler returns to the mask from before it. */
	f.uc.uc_sigmask = l->l_suspended ? l->l_suspend_mask : l->l_sigmask;
	l->l_suspended = false;
	f.info.si_signo = sig;
	f.info.si_code = code;
	f.info.si_addr = addr;
	if (fpu_save(fp) != 0 || copyout(&f, frame, sizeof(f)) != 0)
		return -EFAULT;
	tf->rip = sa->handler;
	tf->rsp = frame;
	tf->rdi = (uint64_t)sig;
	tf->rsi = frame + offsetof(struct rt_sigframe, info);
	tf->rdx = frame + offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rflags &= ~((1UL << 10) | (1UL << 8));  /* DF and TF off */
	l->l_sigmask |= sa->mask | ((sa->flags & SA_NODEFER) ? 0 : SIGBIT(sig));
	l->l_sigmask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	return 0;
}

bool
signal_fault_kills(int sig)
{
	const struct k_sigaction *sa = &curproc->sig.act[sig];

	return sa->handler == SIG_DFL || sa->handler == SIG_IGN ||
	    (curlwp->l_sigmask & SIGBIT(sig)) != 0;
}

void
signal_fault(struct trapframe *tf, int sig, int code, uint64_t addr)
{
	struct k_sigaction sa;

	spin_lock(&proc_lock);
	signal_action_take(curproc, sig, &sa);
	spin_unlock(&proc_lock);
	/* A fault signal the program cannot take kills it. */
	if (sa.handler == SIG_DFL || sa.handler == SIG_IGN ||
	    (curlwp->l_sigmask & SIGBIT(sig)) != 0 ||
	    setup_frame(tf, sig, &sa, code, addr) != 0)
		proc_exit(W_SIGNALED(sig));
}

bool
signal_actionable(const struct proc *p)
{
	const struct lwp *l = curlwp;
	uint64_t ready = (p->sig.pending | l->l_sigpending) & ~l->l_sigmask;

	KASSERT(l->l_proc == p);
	if (lwp_must_exit(p))
		return true;        /* exit_group or exec in another thread */

	for (int sig = 1; ready != 0; sig++, ready >>= 1) {
		const struct k_sigaction *sa = &p->sig.act[sig];
		if ((ready & 1) && sa->handler != SIG_IGN &&
		    !(sa->handler == SIG_DFL && default_ignores(sig)))
			return true;
	}
	return false;
}

bool
signal_work_pending(void)
{
	const struct proc *p = curproc;

	return (p->sig.pending | curlwp->l_sigpending) != 0 ||
	    p->stopsig != 0 || p->p_single != NULL;
}

void
signal_restart_syscall(struct trapframe *tf, int64_t nr)
{
	tf->rax = (uint64_t)nr;
	tf->rip -= SYSCALL_INSN_LEN;
}

/* A system call cut short for the handler sa: restart it or -EINTR. */
static void
restart_or_eintr(struct trapframe *tf, int64_t syscall_nr,
    const struct k_sigaction *sa)
{
	if (syscall_nr < 0)
		return;
	if (tf->rax == (uint64_t)-ERESTARTNOHAND ||
	    tf->rax == (uint64_t)-ERESTART_RESTARTBLOCK)
		tf->rax = (uint64_t)-EINTR;
	if (tf->rax != (uint64_t)-ERESTARTSYS)
		return;
	if (sa->flags & SA_RESTART)
		signal_restart_syscall(tf, syscall_nr);
	else
		tf->rax = (uint64_t)-EINTR;
}

/*
 * The next signal for this thread to act on, taken off its pending set
 * (the thread's own first, then the process's), or 0.  Ignored ones are
 * dropped on the way.  => proc_lock held.
 */
static int
take_signal(struct proc *p, struct lwp *l)
{
	uint64_t ready = (p->sig.pending | l->l_sigpending) & ~l->l_sigmask;

	while (ready != 0) {
		int sig = __builtin_ctzl(ready) + 1;
		const struct k_sigaction *sa = &p->sig.act[sig];
		ready &= ~SIGBIT(sig);
		if (l->l_sigpending & SIGBIT(sig))
			l->l_sigpending &= ~SIGBIT(sig);
		else
			p->sig.pending &= ~SIGBIT(sig);
		if (sa->handler == SIG_IGN || (sa->handler == SIG_DFL && default_ignores(sig)))
			continue;
		return sig;
	}
	return 0;
}

void
signal_deliver_pending(struct trapframe *tf, int64_t syscall_nr)
{
	struct proc *p = curproc;
	struct lwp *l = curlwp;
	struct k_sigaction sa;
	int sig;

	for (;;) {
		if (lwp_must_exit(p))
			lwp_exit(0);        /* exit_group or exec in another thread */
		if (p->stopsig != 0)
			proc_stopped_wait();    /* another thread took a stop signal */
		spin_lock(&proc_lock);
		if ((sig = take_signal(p, l)) != 0)
			signal_action_take(p, sig, &sa);
		spin_unlock(&proc_lock);
		if (sig == 0)
			break;
		if (sa.handler == SIG_DFL && default_stops(sig)) {
			proc_stop(sig);     /* until SIGCONT or SIGKILL */
			continue;
		}
		if (sa.handler == SIG_DFL)
			proc_exit(W_SIGNALED(sig));
		restart_or_eintr(tf, syscall_nr, &sa);
		if (setup_frame(tf, sig, &sa, SI_USER, 0) != 0)
			proc_exit(W_SIGNALED(sig));
		return;     /* one handler at a time; the rest wait */
	}
	/* No handler ran (a stop and continue): a call's own mask ends here. */
	if (l->l_suspended) {
		l->l_sigmask = l->l_suspend_mask;
		l->l_suspended = false;
	}
}

void
signal_mask_wait(uint64_t mask)
{
	struct lwp *l = curlwp;

	l->l_suspend_mask = l->l_sigmask;
	l->l_suspended = true;
	l->l_sigmask = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
}

void
signal_mask_done(bool interrupted)
{
	struct lwp *l = curlwp;

	if (interrupted || !l->l_suspended)
		return;
	l->l_sigmask = l->l_suspend_mask;
	l->l_suspended = false;
}

int64_t
sys_rt_sigaction(const struct sysargs *a)
{
	int sig = (int)a->a[0];
	struct k_sigaction act, old;
	struct proc *p = curproc;

	if (sig < 1 || sig > NSIG || a->a[3] != sizeof(uint64_t))
		return -EINVAL;
	if (a->a[1] != 0 && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	memset(&act, 0, sizeof(act));
	if (a->a[1] != 0 && copyin(a->a[1], &act, sizeof(act)) != 0)
		return -EFAULT;
	act.mask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	/* Old and new in one hold: delivery copies the action under it. */
	spin_lock(&proc_lock);
	old = p->sig.act[sig];
	if (a->a[1] != 0)
		p->sig.act[sig] = act;
	spin_unlock(&proc_lock);
	if (a->a[2] != 0 && copyout(&old, a->a[2], sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

int64_t
sys_rt_sigprocmask(const struct sysargs *a)
{
	struct lwp *l = curlwp;
	uint64_t set, old = l->l_sigmask;

	if (a->a[3] != sizeof(uint64_t))
		return -EINVAL;
	if (a->a[1] != 0) {
		if (copyin(a->a[1], &set, sizeof(set)) != 0)
			return -EFAULT;
		if (a->a[0] == 0)
			l->l_sigmask |= set;
		else if (a->a[0] == 1)
			l->l_sigmask &= ~set;
		else if (a->a[0] == 2)
			l->l_sigmask = set;
		else
			return -EINVAL;
		l->l_sigmask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	}
	if (a->a[2] != 0 && copyout(&old, a->a[2], sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

/*
 * rt_sigpending(set, size): the signals waiting that the mask holds
 * back.  A size larger than the kernel's set is -EINVAL (as Linux); a
 * smaller one gets that many bytes.
 */
int64_t
sys_rt_sigpending(const struct sysargs *a)
{
	struct lwp *l = curlwp;
	uint64_t set = (curproc->sig.pending | l->l_sigpending) & l->l_sigmask;

	if (a->a[1] > sizeof(set))
		return -EINVAL;
	return copyout(&set, a->a[0], a->a[1]) != 0 ? -EFAULT : 0;
}

int64_t
sys_rt_sigreturn(const struct sysargs *a)
{
	struct trapframe *tf = a->tf;
	struct l_ucontext uc;

	if (copyin(tf->rsp, &uc, sizeof(uc)) != 0 ||
	    (uc.uc_mcontext.fpstate != 0 && fpu_restore(uc.uc_mcontext.fpstate) != 0))
		proc_exit(W_SIGNALED(SIGSEGV));
	restore_regs(tf, &uc.uc_mcontext);
	curlwp->l_sigmask = uc.uc_sigmask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	curlwp->l_restart.fn = NULL;        /* a handler ran: nothing goes on */
	return (int64_t)tf->rax;    /* the interrupted code's rax, untouched */
}

int64_t
sys_sigaltstack(const struct sysargs *a)
{
	struct lwp *l = curlwp;
	struct k_sigaltstack ss, old = l->l_altstack;
	bool on = on_altstack(l, a->tf->rsp);

	if (a->a[0] != 0) {
		if (copyin(a->a[0], &ss, sizeof(ss)) != 0)
			return -EFAULT;
		if (on)
			return -EPERM;
		if (ss.flags != 0 && ss.flags != SS_DISABLE && ss.flags != SS_ONSTACK)
			return -EINVAL;
		if (ss.flags != SS_DISABLE && ss.size < MINSIGSTKSZ)
			return -ENOMEM;
		ss.flags &= SS_DISABLE;
		l->l_altstack = ss;
	}
	if (a->a[1] != 0) {
		if (old.size == 0)
			old.flags = SS_DISABLE;
		old.flags |= on ? SS_ONSTACK : 0;
		if (copyout(&old, a->a[1], sizeof(old)) != 0)
			return -EFAULT;
	}
	return 0;
}

/*
 * kill, tkill, tgkill: mark sig pending in the target (kill's pid 0, -1
 * and -pgid: proc_kill's groups, as Linux); kill's target is a process
 * (any of its threads that does not block the signal takes it), tkill's
 * and tgkill's one thread.  The target acts on it when it next returns
 * to user mode - at once if it is the caller, at its next system call or
 * interrupt otherwise; a target in an interruptible sleep (a pipe,
 * wait4, pause, a futex) is woken to see it.
 */
int64_t
sys_kill(const struct sysargs *a)
{
	if (a->a[1] > NSIG)
		return -EINVAL;
	return proc_kill(curproc, (int)a->a[0], (int)a->a[1]);
}

int64_t
sys_tkill(const struct sysargs *a)
{
	if ((int64_t)a->a[0] <= 0 || a->a[1] > NSIG)
		return -EINVAL;
	return proc_signal_lwp(0, (int)a->a[0], (int)a->a[1]);
}

int64_t
sys_tgkill(const struct sysargs *a)
{
	if ((int64_t)a->a[0] <= 0 || (int64_t)a->a[1] <= 0 || a->a[2] > NSIG)
		return -EINVAL;
	return proc_signal_lwp((int)a->a[0], (int)a->a[1], (int)a->a[2]);
}

/*
 * signal_wait - sleep until a signal is actionable for the current process.
 *
 * proc_signal ends an interruptible sleep whatever its channel; p is the
 * one wait4 uses, under the lock proc_signal takes, so the test and the
 * sleep are one step.  A wakeup for a signal that does nothing (blocked,
 * ignored) or for a child's exit just goes round the loop again.
 * => nothing locked; sleeps; returns -EINTR (the handler runs on the way out).
 */
static int64_t
signal_wait(const char *wmesg)
{
	struct proc *p = curproc;

	spin_lock(&proc_lock);
	while (!signal_actionable(p))
		sleep_on_intr(p, &proc_lock, wmesg);
	spin_unlock(&proc_lock);
	return -EINTR;
}

/*
 * rt_sigsuspend: wait with a temporary mask until a signal arrives that
 * runs a handler (or kills).  The handler's frame carries the old mask,
 * so returning from it restores the mask as it was before the call.
 */
int64_t
sys_rt_sigsuspend(const struct sysargs *a)
{
	uint64_t mask;

	if (a->a[1] != sizeof(uint64_t))
		return -EINVAL;
	if (copyin(a->a[0], &mask, sizeof(mask)) != 0)
		return -EFAULT;
	signal_mask_wait(mask);
	signal_wait("sigsusp");         /* the handler runs on the way out */
	return -ERESTARTNOHAND;         /* EINTR; a stop and continue: again */
}

/* The lowest signal of set pending for the calling thread (its own
 * first, then p's), taken off; 0 if none.  => proc_lock. */
static int
sigwait_take(struct proc *p, uint64_t set)
{
	struct lwp *l = curlwp;
	uint64_t ready = (p->sig.pending | l->l_sigpending) & set;

	if (ready == 0)
		return 0;
	int sig = __builtin_ctzl(ready) + 1;
	if (l->l_sigpending & SIGBIT(sig))
		l->l_sigpending &= ~SIGBIT(sig);
	else
		p->sig.pending &= ~SIGBIT(sig);
	return sig;
}

/* rt_sigtimedwait's timeout as a clock_ns deadline (NULL: none).  0/-errno. */
static int
sigwait_deadline(uint64_t uts, uint64_t *deadline)
{
	int64_t ts[2];

	*deadline = UINT64_MAX;
	if (uts == 0)
		return 0;
	if (copyin(uts, ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
		return -EINVAL;
	if ((uint64_t)ts[0] < UINT64_MAX / 2000000000)
		*deadline = clock_ns() + (uint64_t)ts[0] * 1000000000 + (uint64_t)ts[1];
	return 0;
}

/*
 * Sleep until a signal of set is pending (taken: its number), another
 * signal is there to act on (-EINTR), or deadline (-EAGAIN).  Signals of
 * set wake it though blocked: proc_signal ends any interruptible sleep.
 */
static int
sigwait_sleep(struct proc *p, uint64_t set, uint64_t deadline)
{
	int sig;

	spin_lock(&proc_lock);
	while ((sig = sigwait_take(p, set)) == 0) {
		if (signal_actionable(p)) {
			sig = -EINTR;
			break;
		}
		if (clock_ns() >= deadline) {
			sig = -EAGAIN;
			break;
		}
		sleep_on_intr(deadline == UINT64_MAX ? (const void *)p : CLOCK_TICK_CHAN,
		    &proc_lock, "sigwait");
	}
	spin_unlock(&proc_lock);
	return sig;
}

/*
 * rt_sigtimedwait(set, info, timeout, size): take a pending signal of
 * set - usually blocked, so that only this call sees it - without running
 * its handler, waiting up to timeout (NULL: for ever; zero: a look) for
 * one.  busybox init waits for its signals (SIGCHLD, poweroff's SIGUSR2,
 * SIGTERM) this way.  => the signal; -EAGAIN at the timeout; -EINTR when
 * another signal comes (never restarted, as Linux).
 */
int64_t
sys_rt_sigtimedwait(const struct sysargs *a)
{
	struct l_siginfo info;
	uint64_t set, deadline;
	int sig;

	if (a->a[3] != sizeof(uint64_t))
		return -EINVAL;
	if (copyin(a->a[0], &set, sizeof(set)) != 0)
		return -EFAULT;
	if ((sig = sigwait_deadline(a->a[2], &deadline)) != 0)
		return sig;
	sig = sigwait_sleep(curproc, set & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP)), deadline);
	if (sig <= 0 || a->a[1] == 0)
		return sig;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = SI_USER;
	return copyout(&info, a->a[1], sizeof(info)) == 0 ? sig : -EFAULT;
}

int64_t
signal_restart_block(int64_t (*fn)(const uint64_t arg[3]), uint64_t a0,
    uint64_t a1, uint64_t a2)
{
	struct sigrestart *r = &curlwp->l_restart;

	r->fn = fn;
	r->arg[0] = a0;
	r->arg[1] = a1;
	r->arg[2] = a2;
	return -ERESTART_RESTARTBLOCK;
}

/*
 * restart_syscall: go on with the call a stop cut short (the syscall
 * entry puts this number in rax for -ERESTART_RESTARTBLOCK).  Called by
 * a program itself, with nothing to go on with: -EINTR, as Linux.
 */
int64_t
sys_restart_syscall(const struct sysargs *a)
{
	struct sigrestart r = curlwp->l_restart;

	(void)a;
	curlwp->l_restart.fn = NULL;
	return r.fn != NULL ? r.fn(r.arg) : -EINTR;
}

/* pause: rt_sigsuspend with the mask as it is. */
int64_t
sys_pause(const struct sysargs *a)
{
	(void)a;
	signal_wait("pause");
	return -ERESTARTNOHAND;     /* -EINTR after a handler */
}
