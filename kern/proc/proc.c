/*
 * kern/proc/proc.c - creating, running, ending and reaping processes.
 *
 * A process runs on one or more threads (struct lwp, kern/proc/lwp.c),
 * each a kernel thread of its own.  A thread starts (after exec, fork or
 * clone) in lwp_thread_start, which drops into user mode through a copy
 * of the thread's saved user frame:
 *
 *   thread stack (guard page below)      rsp0 = top of this stack
 *   +------------------------------+ <-- traps and syscalls from user
 *   | lwp_thread_start's frame     |     mode build their frame here
 *   |   local trapframe copy ------+--> enter_user: iretq to user mode
 *   +------------------------------+
 *
 * Life of a process:
 *
 *   proc_run / fork --> ALIVE --exit_group, a fatal signal--> ZOMBIE
 *                              or its last thread's exit        |
 *         wait4 in the parent (or proc_run for a tree's root) reaps it:
 *         joins its threads, frees it
 *
 * exit_group, a fatal signal and execve first make the caller the only
 * thread (single_lwp: every other one is sent a SIGKILL of its own and
 * waited for).
 *
 * Exiting frees the address space at once (on the kernel pmap) and
 * closes every descriptor, so a zombie holds only its struct proc, its
 * empty descriptor table and its finished threads.  The process and its
 * table are a page each (the comment above proc_alloc says why).
 */
#include "kern/proc/proc.h"
#include "kern/core/clock.h"
#include "kern/arch/cpu.h"
#include "kern/proc/exec.h"
#include "kern/arch/gdt.h"
#include "kern/lib/atomic.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"
#include "kern/fs/tty.h"
#include "kern/core/sched.h"
#include "kern/sys/syscall.h"
#include "kern/vfs/vfs.h"
#include "kern/arch/uaccess.h"
#include "pmap/pmap.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_failalloc.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"


struct spinlock proc_lock = SPINLOCK_INIT("proc");
static int next_pid = 1;
static uint64_t nprocs;
static int roots_alive;             /* live processes with no parent */
static TAILQ_HEAD(, proc) orphans = { NULL, &orphans.tqh_first }; /* parent gone */
static TAILQ_HEAD(, proc) allproc = { NULL, &allproc.tqh_first };

void enter_user(struct trapframe *tf) __noreturn;

uint64_t
proc_count(void)
{
	return nprocs;
}

/*
 * A process and its descriptor table each take one page of the direct
 * map (kmem_alloc).  Past a page, kmem_alloc would map arena pages and,
 * at the reaping, unmap them with a TLB shootdown: that was 36 k cycles
 * of every fork + wait when the table sat inside struct proc.
 */
_Static_assert(sizeof(struct proc) <= PAGE_SIZE, "struct proc fits a page");
_Static_assert(sizeof(struct fdtable) <= PAGE_SIZE, "struct fdtable fits a page");

/* A fresh process: default signals, the SSE state of a new program. */
static struct proc *
proc_alloc(const char *name)
{
	struct proc *p = kmem_zalloc(sizeof(*p));

	if (p == NULL)
		return NULL;
	if ((p->fds = fdtable_alloc()) == NULL) {
		kmem_free(p, sizeof(*p));
		return NULL;
	}
	TAILQ_INIT(&p->children);
	TAILQ_INIT(&p->p_lwps);
	mutex_init(&p->p_brklock, "p_brklock");
	p->p_lock = (struct spinlock)SPINLOCK_INIT("p_lock");
	strlcpy(p->name, name, sizeof(p->name));
	p->p_umask = 022;
	p->start_ticks = ticks;
	spin_lock(&proc_lock);
	p->pid = next_pid++;
	nprocs++;
	TAILQ_INSERT_TAIL(&allproc, p, all);
	spin_unlock(&proc_lock);
	return p;
}

/* The live process with that pid, or NULL.  => proc_lock held. */
static struct proc *
find_locked(int pid)
{
	struct proc *p;

	TAILQ_FOREACH(p, &allproc, all) {
		if (p->pid == pid && p->state == PS_ALIVE)
			return p;
	}
	return NULL;
}

/*
 * sig was posted to p: get each of its threads out of an interruptible
 * sleep (a pipe, wait4, pause, a futex) to look at it; the first that may
 * take it does, the others find nothing and sleep again.  Those that
 * block it are woken too: one may be in rt_sigtimedwait for it (busybox
 * init waits for its blocked signals so).  A sleep that is not
 * interruptible (a page being read in) runs to its end; the signal waits
 * for the return to user mode.  => proc_lock held.
 */
static void
interrupt_sleep(struct proc *p, int sig)
{
	struct lwp *l;

	(void)sig;
	TAILQ_FOREACH(l, &p->p_lwps, l_link) {
		if (l->l_thread != NULL && !l->l_dead)
			sleep_interrupt(l->l_thread);   /* NULL: not started yet */
	}
}

/* The first live thread of p (its state stands for the process's in
 * /proc and the load average), or NULL.  => proc_lock held. */
static struct lwp *
first_lwp(const struct proc *p)
{
	struct lwp *l;

	TAILQ_FOREACH(l, &p->p_lwps, l_link) {
		if (!l->l_dead && l->l_thread != NULL)
			return l;
	}
	return NULL;
}

/*
 * Load averages, as Linux keeps them: every LOAD_PERIOD_S seconds the
 * number of processes running, runnable or in an uninterruptible sleep
 * (n) is folded into three exponentially decaying means, in fixed point
 * with LOAD_FSHIFT fraction bits:
 *
 *   load = load * e + n * (1 - e),   e = exp(-5 s / 1, 5, 15 min)
 *
 * e is 1884/2048, 2014/2048 and 2037/2048.  => proc_lock held.
 */
#define LOAD_PERIOD_S 5
static const uint64_t load_exp[3] = { 1884, 2014, 2037 };
uint64_t proc_loadavg[3];
uint64_t proc_cpu_ticks;

static void
load_sample(uint64_t n)
{
	for (int i = 0; i < 3; i++)
		proc_loadavg[i] = (proc_loadavg[i] * load_exp[i] +
		    (n << LOAD_FSHIFT) * (LOAD_FIXED_1 - load_exp[i])) >> LOAD_FSHIFT;
}

void
proc_clock_tick(void)
{
	uint64_t now = clock_ns();
	struct proc *p;
	uint64_t active = 0;

	spin_lock(&proc_lock);
	if (curproc != NULL)
		proc_cpu_ticks++;
	TAILQ_FOREACH(p, &allproc, all) {
		struct lwp *l;
		TAILQ_FOREACH(l, &p->p_lwps, l_link)
			active += !l->l_dead && l->l_thread != NULL &&
			    (l->l_thread->state != TS_SLEEPING || !l->l_thread->sleep_intr);
		if (p->itimer_deadline == 0 || now < p->itimer_deadline ||
		    p->state != PS_ALIVE)
			continue;
		p->sig.pending |= SIGBIT(SIGALRM);
		interrupt_sleep(p, SIGALRM);
		p->itimer_deadline = p->itimer_interval != 0 ?
		    now + p->itimer_interval : 0;
	}
	if (ticks % (LOAD_PERIOD_S * HZ) == 0)
		load_sample(active);
	spin_unlock(&proc_lock);
}

uint64_t
proc_started(void)
{
	return (uint64_t)next_pid - 1;     /* pids are never reused */
}

#define STOP_SIGS (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
#define SA_NOCLDSTOP 1

/* Tell p's parent that p stopped or continued.  => proc_lock held. */
static void
notify_parent(struct proc *p)
{
	struct proc *pp = p->parent;

	if (pp == NULL)
		return;
	if (!(pp->sig.act[SIGCHLD].flags & SA_NOCLDSTOP)) {
		pp->sig.pending |= SIGBIT(SIGCHLD);
		interrupt_sleep(pp, SIGCHLD);
	}
	wakeup(pp);         /* a wait4 for it */
}

/*
 * Mark sig pending in p, as Linux posts it: SIGCONT continues a stopped
 * process at once (whatever its handler or mask) and cancels pending stop
 * signals; a stop signal cancels a pending SIGCONT.  => proc_lock held.
 */
static void
post_locked(struct proc *p, int sig)
{
	if (sig == SIGCONT) {
		p->sig.pending &= ~STOP_SIGS;
		if (p->stopsig != 0) {
			p->stopsig = 0;
			p->stop_unreported = false;
			p->cont_unreported = true;
			notify_parent(p);
			wakeup(&p->stopsig);
		}
	} else if (SIGBIT(sig) & STOP_SIGS) {
		p->sig.pending &= ~SIGBIT(SIGCONT);
	}
	p->sig.pending |= SIGBIT(sig);
	interrupt_sleep(p, sig);
}

/*
 * Mark sig pending in thread l alone (tgkill): stop and continue signals
 * still act on the whole process, as on Linux.  => proc_lock held.
 */
static void
post_lwp_locked(struct lwp *l, int sig)
{
	if (sig == SIGCONT || (SIGBIT(sig) & STOP_SIGS)) {
		post_locked(l->l_proc, sig);
		return;
	}
	l->l_sigpending |= SIGBIT(sig);
	if (l->l_thread != NULL)
		sleep_interrupt(l->l_thread);
}

/* Thread tid and its process (tgid <= 0: any).  => proc_lock held. */
static struct lwp *
find_lwp_locked(int tgid, int tid)
{
	struct proc *p;
	struct lwp *l;

	TAILQ_FOREACH(p, &allproc, all) {
		if (p->state != PS_ALIVE || (tgid > 0 && p->pid != tgid))
			continue;
		if ((l = lwp_find(p, tid)) != NULL)
			return l;
	}
	return NULL;
}

int
proc_robust_head(int tid, uint64_t *head)
{
	struct lwp *l;
	int error = 0;

	spin_lock(&proc_lock);
	l = find_lwp_locked(0, tid);
	if (l == NULL)
		error = -ESRCH;
	else if (l->l_proc != curproc)
		error = -EPERM;     /* another process's: ptrace rights needed */
	else
		*head = l->l_robust_head;
	spin_unlock(&proc_lock);
	return error;
}

int
proc_signal_lwp(int tgid, int tid, int sig)
{
	struct lwp *l;

	spin_lock(&proc_lock);
	l = find_lwp_locked(tgid, tid);
	if (l != NULL && sig != 0)
		post_lwp_locked(l, sig);
	spin_unlock(&proc_lock);
	return l != NULL ? 0 : -ESRCH;
}

/* Is the process ending or exec'ing in another thread, so that this
 * one has to exit?  => proc_lock held. */
bool
lwp_must_exit(const struct proc *p)
{
	return p->p_single != NULL && p->p_single != curlwp;
}

void
proc_signal(struct proc *p, int sig)
{
	spin_lock(&proc_lock);
	post_locked(p, sig);
	spin_unlock(&proc_lock);
}

/*
 * The process is stopped: this thread waits for SIGCONT (or SIGKILL, or
 * another thread ending the process).  => proc_lock held.
 */
static void
stop_wait(struct proc *p)
{
	while (p->stopsig != 0 && !((p->sig.pending | curlwp->l_sigpending) &
	    SIGBIT(SIGKILL)) && !lwp_must_exit(p))
		sleep_on_intr(&p->stopsig, &proc_lock, "stopped");
}

void
proc_stop(int sig)
{
	struct proc *p = curproc;
	struct lwp *l;

	spin_lock(&proc_lock);
	p->stopsig = sig;
	p->stop_unreported = true;
	p->cont_unreported = false;
	notify_parent(p);
	/* The other threads stop too, each on its way back to user mode. */
	TAILQ_FOREACH(l, &p->p_lwps, l_link) {
		if (l != curlwp && !l->l_dead && l->l_thread != NULL)
			sleep_interrupt(l->l_thread);
	}
	stop_wait(p);
	spin_unlock(&proc_lock);
}

void
proc_stopped_wait(void)
{
	struct proc *p = curproc;

	spin_lock(&proc_lock);
	stop_wait(p);
	spin_unlock(&proc_lock);
}

/*
 * Does pid, as kill and wait4 take it, select p?  > 0: that pid; 0: the
 * caller's group; -1: any; < -1: group -pid.
 */
static bool
pid_selects(const struct proc *caller, const struct proc *p, int pid)
{
	if (pid > 0)
		return p->pid == pid;
	if (pid == 0)
		return p->pgid == caller->pgid;
	return pid == -1 || p->pgid == -pid;
}

int
proc_kill(struct proc *caller, int pid, int sig)
{
	struct proc *p;
	bool found = false;

	if (pid == INT32_MIN)
		return -ESRCH;
	spin_lock(&proc_lock);
	TAILQ_FOREACH(p, &allproc, all) {
		if (!pid_selects(caller, p, pid))
			continue;
		if (pid == -1 && (p == caller || p->pid == 1 || p->root))
			continue;
		found = true;           /* a zombie too: it exists until waited for */
		if (sig != 0 && p->state == PS_ALIVE)
			post_locked(p, sig);
	}
	spin_unlock(&proc_lock);
	return found ? 0 : -ESRCH;
}

int
proc_signal_pid(int pid, int sig)
{
	struct proc *p;

	spin_lock(&proc_lock);
	p = find_locked(pid);
	if (p != NULL && sig != 0)
		post_locked(p, sig);
	spin_unlock(&proc_lock);
	return p != NULL ? 0 : -ESRCH;
}

/* The working directory's reference goes (at exit, or when never run). */
static void
proc_drop_cwd(struct proc *p)
{
	struct vnode *cwd = proc_set_cwd(p, NULL);

	if (cwd != NULL)
		vrele(cwd);
}

struct vnode *
proc_cwd_ref(struct proc *p)
{
	struct vnode *vp;

	spin_lock(&p->p_lock);
	if ((vp = p->p_cwd) != NULL)
		vref(vp);
	spin_unlock(&p->p_lock);
	return vp;
}

struct vnode *
proc_set_cwd(struct proc *p, struct vnode *vp)
{
	struct vnode *old;

	spin_lock(&p->p_lock);
	old = p->p_cwd;
	p->p_cwd = vp;
	spin_unlock(&p->p_lock);
	return old;
}

void
proc_set_name(struct proc *p, const char *name)
{
	spin_lock(&proc_lock);
	strlcpy(p->name, name, sizeof(p->name));
	spin_unlock(&proc_lock);
}

void
proc_itimer_swap(struct proc *p, uint64_t interval, uint64_t deadline,
    uint64_t *old_interval, uint64_t *old_deadline)
{
	spin_lock(&proc_lock);
	*old_interval = p->itimer_interval;
	*old_deadline = p->itimer_deadline;
	p->itimer_interval = interval;
	p->itimer_deadline = deadline;
	spin_unlock(&proc_lock);
}

void
proc_itimer_get(struct proc *p, uint64_t *interval, uint64_t *deadline)
{
	spin_lock(&proc_lock);
	*interval = p->itimer_interval;
	*deadline = p->itimer_deadline;
	spin_unlock(&proc_lock);
}

static void
proc_free(struct proc *p)
{
	KASSERT(p->vmspace == NULL && TAILQ_EMPTY(&p->children));
	proc_drop_cwd(p);
	spin_lock(&proc_lock);
	TAILQ_REMOVE(&allproc, p, all);
	nprocs--;
	spin_unlock(&proc_lock);
	fdtable_free(p->fds);
	kmem_free(p, sizeof(*p));
}

/* The first user-mode state of a program: entry, stack, user segments. */
static void
start_frame(struct trapframe *tf, const struct exec_image *img)
{
	memset(tf, 0, sizeof(*tf));
	tf->rip = img->entry;
	tf->rsp = img->sp;
	tf->cs = SEL_UCODE | 3;
	tf->ss = SEL_UDATA | 3;
	tf->rflags = RFLAGS_IF;
	tf->rdx = 0;        /* no atexit function from a dynamic loader */
}

/* Give p its first thread (tid = pid), which enters user mode at tf. */
static int
proc_start(struct proc *p, const struct trapframe *tf)
{
	struct lwp *l = lwp_alloc(p, p->pid);

	if (l == NULL)
		return -ENOMEM;
	l->l_start_tf = *tf;
	if (lwp_start(l) != 0) {
		kmem_free(l, sizeof(*l));
		return -ENOMEM;
	}
	return 0;
}

/* Load path into a new address space for p; nothing left on failure. */
static int
proc_load(struct proc *p, const char *path, char *const argv[],
    char *const envp[], struct exec_image *img, struct vmspace **vmp)
{
	struct vnode *vp;
	int error;

	error = namei(NULL, path, NAMEI_FOLLOW, &vp, NULL);
	if (error != 0)
		return error;
	error = exec_check(vp);
	if (error == 0 && (*vmp = uvmspace_alloc(PAGE_SIZE, USER_MAX, true)) == NULL)
		error = -ENOMEM;
	if (error == 0) {
		(*vmp)->vm_pid = p->pid;
		error = exec_load(*vmp, vp, path, argv, envp, img);
		if (error != 0) {
			uvmspace_free(*vmp);
			*vmp = NULL;
		}
	}
	vrele(vp);                      /* the mappings hold v_obj */
	if (error == 0)
		p->brk_start = p->brk = img->brk;
	return error;
}

/* The root of p's tree (the process proc_run started). */
static struct proc *
tree_root(struct proc *p)
{
	while (p->parent != NULL)
		p = p->parent;
	return p;
}

/* p's children go to the root of the tree (or become roots), each
 * live one that asked for it (PR_SET_PDEATHSIG) signalled.  => proc_lock. */
static void
reparent_children(struct proc *p)
{
	struct proc *c, *root = p->parent != NULL ? tree_root(p) : NULL;

	while ((c = TAILQ_FIRST(&p->children)) != NULL) {
		TAILQ_REMOVE(&p->children, c, sibling);
		c->parent = root;
		if (root != NULL) {
			TAILQ_INSERT_TAIL(&root->children, c, sibling);
		} else {
			TAILQ_INSERT_TAIL(&orphans, c, sibling);
			roots_alive += c->state == PS_ALIVE;
		}
		if (c->state == PS_ZOMBIE)
			wakeup(root != NULL ? (const void *)root : (const void *)&roots_alive);
		else if (c->pdeathsig != 0)
			post_locked(c, c->pdeathsig);
	}
}

/* The parent of a CLONE_VFORK child waits no more.  => proc_lock held. */
static void
vfork_done(struct proc *p)
{
	if (p->p_vfork) {
		p->p_vfork = false;
		wakeup(&p->p_vfork);
	}
}

/*
 * Make the calling thread the process's only one (exit_group, execve):
 * every other thread gets a SIGKILL of its own, which it takes as "exit
 * this thread" (lwp_must_exit), and the caller waits until they are all
 * dead.  => proc_lock held, and still held on return; p_single is the
 * caller.  Returns false if another thread got there first: the caller
 * must exit.
 */
static bool
single_lwp(struct proc *p)
{
	struct lwp *l;

	if (lwp_must_exit(p))
		return false;
	p->p_single = curlwp;
	TAILQ_FOREACH(l, &p->p_lwps, l_link) {
		if (l != curlwp && !l->l_dead)
			post_lwp_locked(l, SIGKILL);
	}
	wakeup(&p->stopsig);            /* stopped threads leave too */
	while (p->p_nlwps > 1)
		sleep_on(&p->p_nlwps, &proc_lock, "single");
	return true;
}

void
proc_exit(int wstatus)
{
	struct proc *p = curproc;

	spin_lock(&proc_lock);
	if (!single_lwp(p)) {
		spin_unlock(&proc_lock);
		lwp_exit(wstatus);      /* another thread ends the process */
	}
	spin_unlock(&proc_lock);
	lwp_exit_user(curlwp);
	proc_teardown(wstatus);
}

void
proc_teardown(int wstatus)
{
	struct proc *p = curproc;
	struct vmspace *vm = p->vmspace;

	fdtable_close_all(p->fds);
	proc_drop_cwd(p);
	/* Leave the address space before freeing it. */
	curthread->vmspace = NULL;
	pmap_activate(pmap_kernel());
	p->vmspace = NULL;
	uvmspace_free(vm);
	spin_lock(&proc_lock);
	if (!curlwp->l_dead) {
		curlwp->l_dead = true;
		p->p_nlwps--;
	}
	KASSERT(p->p_nlwps == 0);
	vfork_done(p);
	reparent_children(p);
	p->wstatus = wstatus;
	p->state = PS_ZOMBIE;
	if (p->parent != NULL)
		post_locked(p->parent, SIGCHLD);    /* ignored by default */
	if (p->parent == NULL)
		roots_alive--;
	wakeup(p->parent != NULL ? (const void *)p->parent : (const void *)&roots_alive);
	spin_unlock(&proc_lock);
	curthread->lwp = NULL;
	curthread->proc = NULL;
	thread_exit();
}

/* Free a zombie: its threads have finished (or will, in a moment). */
static void
proc_reap(struct proc *z)
{
	struct lwp *l;

	while ((l = TAILQ_FIRST(&z->p_lwps)) != NULL) {
		KASSERT(l->l_dead);
		TAILQ_REMOVE(&z->p_lwps, l, l_link);
		thread_join(l->l_thread);
		kmem_free(l, sizeof(*l));
		lwp_stats.reaped++;
	}
	proc_free(z);
}

#define WNOHANG 1
#define WUNTRACED 2
#define WCONTINUED 8
#define WALL_FLAGS 0xe0000000UL     /* __WNOTHREAD, __WALL, __WCLONE */
#define W_STOPCODE(sig) (((sig) << 8) | 0x7f)
#define W_CONTINUED 0xffff

/*
 * Has child c something for wait4 with options: an exit, or (WUNTRACED)
 * a stop or (WCONTINUED) a continue not yet reported?  Sets *status and
 * marks a stop or continue reported.  => proc_lock held.
 */
static bool
wait_report(struct proc *c, uint64_t options, int *status)
{
	if (c->state == PS_ZOMBIE) {
		*status = c->wstatus;
		return true;
	}
	if ((options & WUNTRACED) && c->stopsig != 0 && c->stop_unreported) {
		c->stop_unreported = false;
		*status = W_STOPCODE(c->stopsig);
		return true;
	}
	if ((options & WCONTINUED) && c->cont_unreported) {
		c->cont_unreported = false;
		*status = W_CONTINUED;
		return true;
	}
	return false;
}

/* A child of parent that pid selects (pid_selects) with something to
 * report (wait_report).  => proc_lock held. */
static struct proc *
find_waitable(struct proc *parent, int pid, uint64_t options, bool *have_any,
    int *status)
{
	struct proc *c;

	*have_any = false;
	TAILQ_FOREACH(c, &parent->children, sibling) {
		if (!pid_selects(parent, c, pid))
			continue;
		*have_any = true;
		if (wait_report(c, options, status))
			return c;
	}
	return NULL;
}

/*
 * The root of a tree has exited: its orphans (a program's children it
 * never waited for - a sleeper left by a failed test, a daemon) would
 * keep proc_run waiting for good.  As init does at shutdown, they get
 * SIGKILL; their own children become orphans in turn and are killed
 * as they appear (post_locked kills a stopped process too).
 *  => proc_lock held; returns how many were killed.
 */
static int
kill_leftovers(void)
{
	struct proc *o;
	int n = 0;

	TAILQ_FOREACH(o, &orphans, sibling) {
		if (o->state == PS_ALIVE && !(o->sig.pending & SIGBIT(SIGKILL))) {
			post_locked(o, SIGKILL);
			n++;
		}
	}
	return n;
}

int
proc_run(const char *path, char *const argv[], char *const envp[], int *wstatus)
{
	struct proc *p = proc_alloc(path);
	struct exec_image img;
	int error;

	if (p == NULL)
		return -ENOMEM;
	p->root = true;
	p->pgid = p->sid = p->pid;      /* a tree starts its own session, */
	tty_set_session(p->sid, p->pgid);   /* with the console as its terminal */
	p->p_cwd = vfs_rootvp();            /* NULL before "/" is mounted */
	cap_root(&p->caps);
	error = proc_load(p, path, argv, envp, &img, &p->vmspace);
	if (error == 0)
		error = fdtable_init_console(p->fds);
	if (error == 0) {
		strlcpy(p->exe, path, sizeof(p->exe));
		p->arg_start = img.arg_start;
		p->arg_end = img.arg_end;
		struct trapframe tf;
		start_frame(&tf, &img);
		spin_lock(&proc_lock);
		roots_alive++;
		spin_unlock(&proc_lock);
		error = proc_start(p, &tf);
		if (error != 0) {
			spin_lock(&proc_lock);
			roots_alive--;
			spin_unlock(&proc_lock);
		}
	}
	if (error != 0) {
		fdtable_close_all(p->fds);
		if (p->vmspace != NULL)
			uvmspace_free(p->vmspace);
		p->vmspace = NULL;
		proc_free(p);
		return error;
	}
	/* Wait for the whole tree: the root, then any orphans it left. */
	spin_lock(&proc_lock);
	while (p->state != PS_ZOMBIE)
		sleep_on(&roots_alive, &proc_lock, "proc_run");
	int left = 0;
	while (roots_alive > 0) {
		left += kill_leftovers();
		sleep_on(&roots_alive, &proc_lock, "proc_run");
	}
	spin_unlock(&proc_lock);
	if (left > 0)
		kprintf("proc_run: %s exited leaving %d process%s: killed\n", path,
		    left, left == 1 ? "" : "es");
	*wstatus = p->wstatus;
	proc_reap(p);
	/* Every orphan has exited too (roots_alive is 0): reap them. */
	struct proc *o;
	while ((o = TAILQ_FIRST(&orphans)) != NULL) {
		TAILQ_REMOVE(&orphans, o, sibling);
		proc_reap(o);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* System calls                                                        */

int64_t
sys_wait4(const struct sysargs *a)
{
	struct proc *p = curproc, *z;
	int pid = (int)a->a[0], status = 0;
	uint64_t options = a->a[2];
	bool any;

	if (a->a[2] & ~(uint64_t)(WNOHANG | WUNTRACED | WCONTINUED | WALL_FLAGS))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;      /* -INT_MIN is no group (Linux) */
	spin_lock(&proc_lock);
	while ((z = find_waitable(p, pid, options, &any, &status)) == NULL && any &&
	    !(options & WNOHANG)) {
		if (signal_actionable(p)) {
			spin_unlock(&proc_lock);
			return -ERESTARTSYS;    /* a signal to act on first */
		}
		sleep_on_intr(p, &proc_lock, "wait4");
	}
	bool exited = z != NULL && z->state == PS_ZOMBIE;
	if (exited)
		TAILQ_REMOVE(&p->children, z, sibling);
	spin_unlock(&proc_lock);
	if (z == NULL)
		return any ? 0 : -ECHILD;
	int zpid = z->pid;
	if (exited)
		proc_reap(z);
	if (a->a[1] != 0 && copyout(&status, a->a[1], sizeof(status)) != 0)
		return -EFAULT;
	if (a->a[3] != 0) {
		uint8_t rusage[144] = { 0 };
		if (copyout(rusage, a->a[3], sizeof(rusage)) != 0)
			return -EFAULT;
	}
	return zpid;
}

/*
 * fork and clone share this: a child with a copy of the caller's address
 * space, files and signal actions, which returns 0 from the call; or,
 * with CLONE_THREAD, a new thread of the caller's process.  c says what
 * clone asked for beyond fork: another stack, a TLS pointer, where the
 * new id goes, what is shared.
 */
struct clone_req {
	uint64_t flags;
	uint64_t stack;                 /* the child's rsp; 0: the caller's */
	uint64_t parent_tid;            /* CLONE_PARENT_SETTID */
	uint64_t child_tid;             /* CLONE_CHILD_SETTID / _CLEARTID */
	uint64_t tls;                   /* CLONE_SETTLS */
};

#define CLONE_VM                0x00000100UL
#define CLONE_FS                0x00000200UL
#define CLONE_FILES             0x00000400UL
#define CLONE_SIGHAND           0x00000800UL
#define CLONE_VFORK             0x00004000UL
#define CLONE_THREAD            0x00010000UL
#define CLONE_SYSVSEM           0x00040000UL
#define CLONE_SETTLS            0x00080000UL
#define CLONE_PARENT_SETTID     0x00100000UL
#define CLONE_CHILD_CLEARTID    0x00200000UL
#define CLONE_DETACHED          0x00400000UL
#define CLONE_UNTRACED          0x00800000UL
#define CLONE_CHILD_SETTID      0x01000000UL
#define CLONE_CSIGNAL           0x000000ffUL
/* What a process clone may ask for: CLONE_VM shares the address space
 * (vfork, posix_spawn); CLONE_VFORK makes the parent wait until the
 * child execs or exits.  CLONE_SYSVSEM is accepted: there are no SysV
 * semaphore undo lists to share. */
#define CLONE_PROC_FLAGS (CLONE_CSIGNAL | CLONE_VM | CLONE_VFORK | \
	CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | \
	CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_UNTRACED | CLONE_CHILD_SETTID)
/* A thread shares everything a process has: these four must all be set. */
#define CLONE_THREAD_SHARES (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND)
#define CLONE_THREAD_FLAGS (CLONE_PROC_FLAGS | CLONE_THREAD_SHARES | CLONE_THREAD)

/* The new thread's own state from the caller's and c. */
static void
clone_lwp_state(struct lwp *l, const struct trapframe *tf,
    const struct clone_req *c)
{
	struct lwp *self = curlwp;

	l->l_fs_base = (c->flags & CLONE_SETTLS) ? c->tls : self->l_fs_base;
	l->l_sigmask = self->l_sigmask;
	if (!(c->flags & CLONE_VM))
		l->l_altstack = self->l_altstack;   /* a copy of the stack it names */
	if (c->flags & CLONE_CHILD_SETTID)
		l->l_set_child_tid = c->child_tid;
	if (c->flags & CLONE_CHILD_CLEARTID)
		l->l_clear_child_tid = c->child_tid;
	lwp_switch_out(l);          /* the caller's SSE registers, as they are */
	l->l_start_tf = *tf;
	l->l_start_tf.rax = 0;      /* clone returns 0 in the child */
	if (c->stack != 0)
		l->l_start_tf.rsp = c->stack;
}

/* The child's process state from the parent's. */
static void
fork_copy_state(struct proc *child, struct proc *parent)
{
	if (child->vmspace != parent->vmspace)
		child->vmspace->vm_pid = child->pid;
	mutex_enter(&parent->p_brklock);
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	mutex_exit(&parent->p_brklock);
	child->pgid = parent->pgid;
	child->sid = parent->sid;
	fdtable_fork(child->fds, parent->fds);
	child->p_cwd = proc_cwd_ref(parent);
	child->p_umask = __atomic_load_n(&parent->p_umask, __ATOMIC_RELAXED);
	spin_lock(&proc_lock);          /* sibling threads' sigaction, capset */
	memcpy(child->sig.act, parent->sig.act, sizeof(child->sig.act));
	child->caps = parent->caps;
	spin_unlock(&proc_lock);
	strlcpy(child->exe, parent->exe, sizeof(child->exe));
	child->arg_start = parent->arg_start;
	child->arg_end = parent->arg_end;
}

/* The child's address space: shared (CLONE_VM) or a copy. */
static struct vmspace *
fork_vmspace(struct vmspace *vm, uint64_t flags)
{
	if (flags & CLONE_VM) {
		uvmspace_addref(vm);
		return vm;
	}
	return uvmspace_fork(vm);
}

/* Undo a child that never ran. */
static void
fork_undo(struct proc *parent, struct proc *child, struct lwp *l)
{
	spin_lock(&proc_lock);
	TAILQ_REMOVE(&parent->children, child, sibling);
	spin_unlock(&proc_lock);
	fdtable_close_all(child->fds);
	uvmspace_free(child->vmspace);
	child->vmspace = NULL;
	if (l != NULL)
		kmem_free(l, sizeof(*l));
	proc_free(child);
}

/* CLONE_VFORK: wait until the child has exec'd or exited (or we must
 * exit ourselves).  Its memory may be ours, so it ran alone until then. */
static void
vfork_wait(struct proc *child)
{
	spin_lock(&proc_lock);
	while (child->p_vfork && !((curproc->sig.pending | curlwp->l_sigpending) &
	    SIGBIT(SIGKILL)))
		sleep_on_intr(&child->p_vfork, &proc_lock, "vfork");
	spin_unlock(&proc_lock);
}

static int64_t
proc_fork(const struct trapframe *tf, const struct clone_req *c)
{
	struct proc *parent = curproc, *child = proc_alloc(parent->name);
	struct lwp *l;

	if (child == NULL)
		return -ENOMEM;
	child->vmspace = fork_vmspace(parent->vmspace, c->flags);
	if (child->vmspace == NULL) {
		proc_free(child);
		return -ENOMEM;
	}
	fork_copy_state(child, parent);
	child->p_vfork = (c->flags & CLONE_VFORK) != 0;
	spin_lock(&proc_lock);
	child->parent = parent;
	TAILQ_INSERT_TAIL(&parent->children, child, sibling);
	spin_unlock(&proc_lock);
	l = lwp_alloc(child, child->pid);
	if (l == NULL || (clone_lwp_state(l, tf, c), lwp_start(l)) != 0) {
		fork_undo(parent, child, l);
		return -ENOMEM;
	}
	if (c->flags & CLONE_VFORK)
		vfork_wait(child);
	return child->pid;
}

/* A new thread in the caller's process; returns its tid. */
static int64_t
thread_clone(const struct trapframe *tf, const struct clone_req *c)
{
	struct proc *p = curproc;
	struct lwp *l;
	uint32_t tid;

	lwp_reap_dead(p);               /* threads that exited since the last */
	spin_lock(&proc_lock);
	tid = (uint32_t)next_pid++;
	spin_unlock(&proc_lock);
	if ((l = lwp_alloc(p, (int)tid)) == NULL)
		return -ENOMEM;
	clone_lwp_state(l, tf, c);
	/* The id is in place before the thread can run (glibc and musl
	 * read it in the new thread). */
	if (c->flags & CLONE_PARENT_SETTID)
		(void)copyout(&tid, c->parent_tid, sizeof(tid));
	if (lwp_start(l) != 0) {
		kmem_free(l, sizeof(*l));
		return -ENOMEM;
	}
	return tid;
}

int64_t
sys_fork(const struct sysargs *a)
{
	struct clone_req c = { 0 };

	return proc_fork(a->tf, &c);
}

/* vfork: the child runs in the parent's memory while the parent waits. */
int64_t
sys_vfork(const struct sysargs *a)
{
	struct clone_req c = { .flags = CLONE_VM | CLONE_VFORK };

	return proc_fork(a->tf, &c);
}

/*
 * Linux's rules for the flags: CLONE_THREAD needs CLONE_SIGHAND, which
 * needs CLONE_VM (-EINVAL).  A thread here shares everything (vm, files,
 * fs, signal actions); sharing some of them without CLONE_THREAD (files
 * between two processes) is not implemented: -ENOSYS, not a fork in
 * disguise.
 */
static int
clone_flags_ok(uint64_t flags)
{
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if (flags & CLONE_THREAD)
		return (flags & ~CLONE_THREAD_FLAGS) == 0 &&
		    (flags & CLONE_THREAD_SHARES) == CLONE_THREAD_SHARES ? 0 : -ENOSYS;
	return (flags & ~CLONE_PROC_FLAGS) == 0 ? 0 : -ENOSYS;
}

/* clone and clone3, once their arguments are read: a thread or a process. */
static int64_t
clone_start(const struct trapframe *tf, const struct clone_req *c)
{
	int64_t r = clone_flags_ok(c->flags);

	if (r != 0)
		return r;
	if (c->flags & CLONE_THREAD)
		return thread_clone(tf, c);
	r = proc_fork(tf, c);
	/* The child exists whatever the store does (Linux: a bad address
	 * loses the store, not the child). */
	if (r > 0 && (c->flags & CLONE_PARENT_SETTID)) {
		uint32_t pid = (uint32_t)r;
		(void)copyout(&pid, c->parent_tid, sizeof(pid));
	}
	return r;
}

/*
 * clone(flags, stack, parent_tid, child_tid, tls): a new process (glibc's
 * fork: CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD; posix_spawn:
 * CLONE_VM | CLONE_VFORK) or a new thread (pthread_create).
 */
int64_t
sys_clone(const struct sysargs *a)
{
	struct clone_req c = {
		.flags = a->a[0], .stack = a->a[1], .parent_tid = a->a[2],
		.child_tid = a->a[3], .tls = a->a[4],
	};

	return clone_start(a->tf, &c);
}

/* Linux's struct clone_args (CLONE_ARGS_SIZE_VER2: 88 bytes). */
struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64

/* Bytes of the caller's larger struct that this kernel does not know
 * must be zero (Linux: -E2BIG otherwise). */
static int
clone3_tail_zero(uint64_t uargs, uint64_t size)
{
	uint8_t b[64];

	for (uint64_t off = sizeof(struct clone_args); off < size; off += sizeof(b)) {
		uint64_t n = MIN(size - off, sizeof(b));
		if (copyin(uargs + off, b, n) != 0)
			return -EFAULT;
		for (uint64_t i = 0; i < n; i++)
			if (b[i] != 0)
				return -E2BIG;
	}
	return 0;
}

/* The checks Linux's clone3 makes of its arguments, and the request. */
static int
clone3_req(const struct clone_args *ca, struct clone_req *c)
{
	if ((ca->flags & CLONE_CSIGNAL) || ca->exit_signal > NSIG)
		return -EINVAL;
	if ((ca->stack == 0) != (ca->stack_size == 0))
		return -EINVAL;
	if (ca->set_tid != 0 || ca->set_tid_size != 0)
		return -EINVAL;     /* choosing the new ids: not offered here */
	c->flags = ca->flags | ca->exit_signal;
	c->stack = ca->stack != 0 ? ca->stack + ca->stack_size : 0;
	c->parent_tid = ca->parent_tid;
	c->child_tid = ca->child_tid;
	c->tls = ca->tls;
	return 0;
}

/*
 * clone3(args, size): clone with its arguments in a structure, the
 * stack given as base and size (glibc 2.34 and later try it first for
 * pthread_create and posix_spawn).  CLONE_PIDFD and CLONE_INTO_CGROUP
 * are not implemented: -ENOSYS, like the other flags clone refuses.
 */
int64_t
sys_clone3(const struct sysargs *a)
{
	struct clone_args ca = { 0 };
	struct clone_req c;
	uint64_t size = a->a[1];
	int64_t r;

	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	if (copyin(a->a[0], &ca, MIN(size, sizeof(ca))) != 0)
		return -EFAULT;
	if ((r = clone3_tail_zero(a->a[0], size)) != 0 || (r = clone3_req(&ca, &c)) != 0)
		return r;
	return clone_start(a->tf, &c);
}

int64_t
sys_getppid(const struct sysargs *a)
{
	(void)a;
	return curproc->parent != NULL ? curproc->parent->pid : 0;
}

/* Is there a live process in group pgid of session sid?  => proc_lock held. */
static bool
group_exists(int pgid, int sid)
{
	struct proc *p;

	TAILQ_FOREACH(p, &allproc, all) {
		if (p->state == PS_ALIVE && p->pgid == pgid && p->sid == sid)
			return true;
	}
	return false;
}

/*
 * setpgid(pid, pgid): the caller or one of its children (pid 0: the
 * caller) moves to group pgid (0: its own pid), which must be its own
 * pid or a group that exists in its session.  As Linux: ESRCH for a
 * process that is neither, EPERM for a session leader, a child in
 * another session, or a group in another session.
 */
bool
proc_group_in_session(int pgid, int sid)
{
	spin_lock(&proc_lock);
	bool there = group_exists(pgid, sid);
	spin_unlock(&proc_lock);
	return there;
}

int64_t
sys_setpgid(const struct sysargs *a)
{
	struct proc *self = curproc, *p;
	int pid = (int)a->a[0], pgid = (int)a->a[1];
	int error = 0;

	if (pid < 0 || pgid < 0)
		return -EINVAL;
	spin_lock(&proc_lock);
	p = pid == 0 ? self : find_locked(pid);
	if (p == NULL || (p != self && p->parent != self))
		error = -ESRCH;
	else if (p->sid == p->pid || p->sid != self->sid)
		error = -EPERM;
	else if (pgid != 0 && pgid != p->pid && !group_exists(pgid, p->sid))
		error = -EPERM;
	else
		p->pgid = pgid != 0 ? pgid : p->pid;
	spin_unlock(&proc_lock);
	return error;
}

int64_t
sys_getpgid(const struct sysargs *a)
{
	int pid = (int)a->a[0], pgid;

	if (pid == 0)
		return curproc->pgid;
	spin_lock(&proc_lock);
	struct proc *p = find_locked(pid);
	pgid = p != NULL ? p->pgid : -ESRCH;
	spin_unlock(&proc_lock);
	return pgid;
}

int64_t
sys_getpgrp(const struct sysargs *a)
{
	(void)a;
	return curproc->pgid;
}

/*
 * setsid: the caller leads a new session and a new group, both numbered
 * by its pid; a group leader cannot (EPERM), as Linux.  There is no
 * controlling terminal yet to lose.
 */
int64_t
sys_setsid(const struct sysargs *a)
{
	struct proc *p = curproc;
	int64_t ret;

	(void)a;
	spin_lock(&proc_lock);
	if (p->pgid == p->pid || group_exists(p->pid, p->sid)) {
		ret = -EPERM;
	} else {
		p->sid = p->pgid = p->pid;
		ret = p->pid;
	}
	spin_unlock(&proc_lock);
	return ret;
}

int64_t
sys_getsid(const struct sysargs *a)
{
	int pid = (int)a->a[0], sid;

	if (pid == 0)
		return curproc->sid;
	spin_lock(&proc_lock);
	struct proc *p = find_locked(pid);
	sid = p != NULL ? p->sid : -ESRCH;
	spin_unlock(&proc_lock);
	return sid;
}
/* The signal, code and address a user-mode exception means, as Linux has them. */
static void
trap_signal(const struct trapframe *tf, int fault_error, int *sig, int *code,
    uint64_t *addr)
{
	bool bus;

	*addr = tf->rip;
	*code = SI_KERNEL;
	switch (tf->vector) {
	case T_PAGE_FAULT:
		*addr = rcr2();
		/* The page is there but cannot be had: unreadable, past the
		 * end of its file, or no disk space for a store into a hole. */
		bus = fault_error == -EIO || fault_error == -EINVAL ||
		    fault_error == -ENOSPC;
		*sig = bus ? SIGBUS : SIGSEGV;
		*code = bus ? BUS_ADRERR :
		    fault_error == -EACCES ? SEGV_ACCERR : SEGV_MAPERR;
		break;
	case T_DIVIDE:
		*sig = SIGFPE;
		*code = 1;      /* FPE_INTDIV */
		break;
	case T_INVALID_OP:
		*sig = SIGILL;
		*code = 2;      /* ILL_ILLOPN */
		break;
	case T_BREAKPOINT:
	case T_DEBUG:
		*sig = SIGTRAP;
		break;
	default:            /* #GP, #SS...: a bad address the CPU refused */
		*sig = SIGSEGV;
		*addr = 0;
		break;
	}
}

void
proc_user_trap(struct trapframe *tf, int fault_error)
{
	int sig, code;
	uint64_t addr;

	trap_signal(tf, fault_error, &sig, &code, &addr);
	sti();              /* process context: exiting may sleep */
	if (tf->vector == T_PAGE_FAULT && fault_error == -ENOMEM) {
		/* The page daemon found nothing to free: no memory, no swap.
		 * The process that needed the page goes (uvm_pdaemon.c says
		 * why this one); nobody else's memory is touched. */
		UVMEXP_ADD(oomkills, 1);
		kprintf("pid %d (%s): out of memory %s: killed (needed a page "
		    "at %#lx)\n", curproc->pid, curproc->name,
		    uvm_failalloc_on() ? "(allocation-failure injection on)" :
		    "and swap", addr);
		proc_exit(W_SIGNALED(SIGKILL));
	}
	if (signal_fault_kills(sig) && tf->vector == T_PAGE_FAULT)
		kprintf("pid %d (%s): %s at %#lx, rip %#lx, %s %s\n",
		    curproc->pid, curproc->name, sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
		    addr, tf->rip,
		    (tf->error & PGEX_I) ? "exec" : (tf->error & PGEX_W) ? "write" : "read",
		    sig == SIGBUS ? (fault_error == -EINVAL ? "(past the end of the file)" :
		    fault_error == -ENOSPC ? "(no space on the disk)" :
		    "(the page could not be read)") :
		    code == SEGV_ACCERR ? "(protection)" : "(not mapped)");
	else if (signal_fault_kills(sig))
		kprintf("pid %d (%s): killed by signal %d: %s at rip %#lx\n",
		    curproc->pid, curproc->name, sig, trap_name(tf->vector), tf->rip);
	signal_fault(tf, sig, code, addr);
	cli();
}

/* ------------------------------------------------------------------ */
/* execve                                                              */

/*
 * execve's copy of the path, argv and envp: the strings in one buffer,
 * a vector of pointers into it for each of argv and envp.
 *
 * Most programs are started with a few hundred bytes of them, so the
 * first try takes one page for the strings and one for each vector
 * (pages seen through the direct map: nothing to map or unmap).  Only
 * when they do not fit does execve start again with the full size,
 * EXEC_ARG_MAX bytes and EXEC_ARGS_MAX pointers a vector, which come
 * from the kernel arena: 36 pages allocated and mapped, and at the end
 * unmapped with a TLB shootdown.  Taking the full size for every exec
 * cost about 100,000 cycles under QEMU, a twentieth of starting a
 * static program (docs/performance.md).
 *
 *   try 1: buf 4 KiB, v[0] and v[1] 512 pointers   -> fits: done
 *   try 2: buf 128 KiB, v[i] 1,024 pointers         -> or -E2BIG
 */
struct argbuf {
	char *buf;
	size_t size;        /* buf's bytes */
	size_t used;        /* of them holding strings */
	int vmax;           /* each vector's room, with its NULL */
	char **v[2];        /* argv, envp: pointers into buf, NULL-ended */
	int n[2];
};

/*
 * Copy the user vector uvec (argv: which 0, envp: 1) into ab: its strings
 * after those already there, a pointer to each in ab->v[which].
 *  => 0; -E2BIG when the strings or the pointers do not fit; -EFAULT.
 */
static int
copy_vector(struct argbuf *ab, int which, uint64_t uvec)
{
	char **v = ab->v[which] = kmem_alloc((size_t)ab->vmax * sizeof(char *), 0);
	int i = 0;

	if (v == NULL)
		return -ENOMEM;
	for (; uvec != 0; i++) {
		uint64_t up;
		if (copyin(uvec + (uint64_t)i * 8, &up, 8) != 0)
			return -EFAULT;
		if (up == 0)
			break;
		/* Room for this pointer and the NULL after; a full buffer
		 * is too small (copyinstr with no room says EFAULT). */
		if (i >= ab->vmax - 1 || ab->used >= ab->size)
			return -E2BIG;
		int len = copyinstr(up, ab->buf + ab->used, ab->size - ab->used);
		if (len < 0)
			return len == -ENAMETOOLONG ? -E2BIG : len;
		v[i] = ab->buf + ab->used;
		ab->used += (size_t)len + 1;
	}
	v[i] = NULL;
	ab->n[which] = i;
	return 0;
}

/* Free what ab holds and clear it (any of it may be missing). */
static void
argbuf_free(struct argbuf *ab)
{
	for (int i = 0; i < 2; i++) {
		if (ab->v[i] != NULL)
			kmem_free(ab->v[i], (size_t)ab->vmax * sizeof(char *));
	}
	if (ab->buf != NULL)
		kmem_free(ab->buf, ab->size);
	memset(ab, 0, sizeof(*ab));
}

/* Copy execve's path and vectors into an argbuf of size bytes and vmax
 * pointers a vector.  => 0; -E2BIG when they do not fit; -errno. */
static int
argbuf_fill(struct argbuf *ab, const struct sysargs *a, size_t size, int vmax)
{
	int len;

	ab->size = size;
	ab->vmax = vmax;
	if ((ab->buf = kmem_alloc(size, 0)) == NULL)
		return -ENOMEM;
	len = copyinstr(a->a[0], ab->buf, MIN((size_t)VFS_PATH_MAX, size));
	if (len < 0)
		return len;
	ab->used = (size_t)len + 1;
	for (int which = 0; which < 2; which++) {
		int error = copy_vector(ab, which, a->a[1 + which]);
		if (error < 0)
			return error;
	}
	return 0;
}

struct exec_stats exec_stats;

/* argbuf_fill with a page first, the full size if that is too small. */
static int
argbuf_get(struct argbuf *ab, const struct sysargs *a)
{
	int error = argbuf_fill(ab, a, PAGE_SIZE, PAGE_SIZE / sizeof(char *));

	atomic_add_u64(&exec_stats.args_copied, 1);
	if (error != -E2BIG)
		return error;
	argbuf_free(ab);
	atomic_add_u64(&exec_stats.args_full, 1);
	return argbuf_fill(ab, a, EXEC_ARG_MAX, EXEC_ARGS_MAX);
}

/* The new image replaces the old: address space, signals, registers. */
static void
exec_commit(struct proc *p, struct vmspace *vm, const struct exec_image *img,
    const char *path, struct trapframe *tf)
{
	struct vmspace *old = p->vmspace;
	const char *base = path;

	p->vmspace = vm;
	curthread->vmspace = vm;
	pmap_activate(vm->vm_map.pmap);
	uvmspace_free(old);
	spin_lock(&proc_lock);          /* /proc and notify_parent read them */
	for (int sig = 1; sig <= NSIG; sig++) {
		if (p->sig.act[sig].handler != SIG_IGN)
			memset(&p->sig.act[sig], 0, sizeof(p->sig.act[sig]));
	}
	spin_unlock(&proc_lock);
	curlwp->l_altstack.flags = 2;   /* SS_DISABLE */
	curlwp->l_fs_base = 0;
	wrmsr(MSR_FS_BASE, 0);
	for (const char *s = path; *s != '\0'; s++)
		if (*s == '/' && s[1] != '\0')
			base = s + 1;
	proc_set_name(p, base);
	strlcpy(p->exe, path, sizeof(p->exe));
	p->arg_start = img->arg_start;
	p->arg_end = img->arg_end;
	fdtable_exec(p->fds);
	spin_lock(&proc_lock);
	cap_exec(&p->caps);
	vfork_done(p);
	spin_unlock(&proc_lock);
	start_frame(tf, img);
	__asm__ volatile("fninit");
}

/*
 * The new program starts with one thread, the caller, whose id becomes
 * the pid (Linux's de_thread): the others are ended and reaped first.
 * => nothing locked; returns 0, or -EINTR if the process is being ended
 *    by another thread (the caller then exits on its way out).
 */
static int
exec_single_lwp(struct proc *p)
{
	struct lwp *l = curlwp;
	bool ok;

	spin_lock(&proc_lock);
	ok = single_lwp(p);
	if (ok)
		p->p_single = NULL;
	spin_unlock(&proc_lock);
	if (!ok)
		return -EINTR;
	lwp_reap_dead(p);
	l->l_tid = p->pid;
	l->l_clear_child_tid = 0;
	l->l_robust_head = 0;
	return 0;
}

int64_t
sys_execve(const struct sysargs *a)
{
	struct argbuf ab = { 0 };
	struct exec_image img;
	struct vmspace *vm = NULL;
	int error = argbuf_get(&ab, a);
	const char *path = ab.buf;

	if (error >= 0 && path[0] == '\0')
		error = -ENOENT;
	if (error >= 0)
		error = proc_load(curproc, path, ab.v[0], ab.v[1], &img, &vm);
	if (error >= 0 && (error = exec_single_lwp(curproc)) != 0) {
		uvmspace_free(vm);      /* another thread is ending the process */
		vm = NULL;
	}
	if (error >= 0)
		exec_commit(curproc, vm, &img, path, a->tf);
	argbuf_free(&ab);
	return error < 0 ? error : 0;
}

/* ---- what /proc reads ---- */

/* The signal dispositions of p as two masks.  => proc_lock held. */
static void
info_sigmasks(const struct proc *p, struct proc_info *pi)
{
	for (int sig = 1; sig <= NSIG; sig++) {
		uint64_t h = p->sig.act[sig].handler;
		if (h == 1)                     /* SIG_IGN */
			pi->sigignored |= SIGBIT(sig);
		else if (h > 1)
			pi->sigcaught |= SIGBIT(sig);
	}
}

/* Linux's one-letter state of p: its thread's, once it is not stopped
 * or a zombie.  => proc_lock held. */
static char
info_state(const struct proc *p)
{
	if (p->state == PS_ZOMBIE)
		return 'Z';
	if (p->stopsig != 0)
		return 'T';
	const struct lwp *l = first_lwp(p);
	if (p == curproc || l == NULL || l->l_thread->state != TS_SLEEPING)
		return 'R';
	return l->l_thread->sleep_intr ? 'S' : 'D';
}

/* Copy p into *pi, taking a reference on its address space.  => proc_lock held. */
static void
info_fill(struct proc *p, struct proc_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->pid = p->pid;
	pi->ppid = p->parent != NULL ? p->parent->pid : 0;
	pi->pgid = p->pgid;
	pi->sid = p->sid;
	pi->state = info_state(p);
	struct lwp *l = first_lwp(p);
	if (p->state == PS_ALIVE && l != NULL &&
	    l->l_thread->state == TS_SLEEPING && l->l_thread->wmesg != NULL)
		strlcpy(pi->wchan, l->l_thread->wmesg, sizeof(pi->wchan));
	if (l != NULL && l->l_thread != NULL) {
		pi->nvcsw = l->l_thread->nvcsw;
		pi->nivcsw = l->l_thread->nivcsw;
	}
	pi->arg_start = p->arg_start;
	pi->arg_end = p->arg_end;
	pi->start_ticks = p->start_ticks;
	TAILQ_FOREACH(l, &p->p_lwps, l_link) {
		if (l->l_thread != NULL)
			pi->run_ticks += l->l_thread->rticks;
	}
	pi->nthreads = p->p_nlwps;
	/* Linux's comm: the program's file name, at most 15 characters. */
	const char *base = p->name;
	for (const char *c = p->name; *c != '\0'; c++)
		if (*c == '/' && c[1] != '\0')
			base = c + 1;
	strlcpy(pi->name, base, MIN(sizeof(pi->name), (size_t)16));
	if (p->state == PS_ALIVE && p->vmspace != NULL) {
		pi->vmspace = p->vmspace;
		uvmspace_addref(pi->vmspace);
	}
	pi->brk_start = p->brk_start;  /* a snapshot: brk may be moving */
	pi->brk = __atomic_load_n(&p->brk, __ATOMIC_RELAXED);
	pi->sigpending = p->sig.pending;
	if ((l = first_lwp(p)) != NULL) {
		pi->sigpending |= l->l_sigpending;
		pi->sigblocked = l->l_sigmask;
	}
	info_sigmasks(p, pi);
	if (p->state == PS_ALIVE)
		fd_open_mask(p->fds, pi->fdmask);     /* fds->lock inside proc_lock */
}

/* Process pid (0: the caller), alive or a zombie, or NULL.  => proc_lock held. */
static struct proc *
find_any_locked(int pid)
{
	struct proc *p, *found = NULL;

	TAILQ_FOREACH(p, &allproc, all) {
		if (p->pid == (pid == 0 ? curproc->pid : pid))
			found = p;
	}
	return found;
}

int
proc_info_get(int pid, struct proc_info *pi)
{
	struct proc *found;

	spin_lock(&proc_lock);
	found = find_any_locked(pid);
	if (found != NULL)
		info_fill(found, pi);
	spin_unlock(&proc_lock);
	return found != NULL ? 0 : -ESRCH;
}

void
proc_info_put(struct proc_info *pi)
{
	if (pi->vmspace != NULL)
		uvmspace_free(pi->vmspace);
	pi->vmspace = NULL;
}

/* A zombie still has its sets until reaped (Linux's capget sees them too). */
int
proc_caps_get(int pid, struct cap_sets *out)
{
	struct proc *found;

	spin_lock(&proc_lock);
	found = find_any_locked(pid);
	if (found != NULL)
		*out = found->caps;
	spin_unlock(&proc_lock);
	return found != NULL ? 0 : -ESRCH;
}

int
proc_caps_change(const struct cap_sets *c)
{
	int error;

	spin_lock(&proc_lock);
	if ((error = cap_set_check(&curproc->caps, c)) == 0)
		curproc->caps = *c;
	spin_unlock(&proc_lock);
	return error;
}

int
proc_pids(int *pids, int max)
{
	struct proc *p;
	int n = 0;

	spin_lock(&proc_lock);
	TAILQ_FOREACH(p, &allproc, all) {
		if (n < max)
			pids[n++] = p->pid;
	}
	spin_unlock(&proc_lock);
	return n;
}

/*
 * ---- what /proc/PID/task reads: one thread's view ----
 *
 * /proc/PID/task/TID/status is the process's status with the thread's
 * own values where Linux keeps them per thread: Pid: is the tid, State
 * and wchan are its kernel thread's, SigBlk its mask, SigPnd its own
 * pending set beside the process's (ShdPnd), utime its own ticks.
 */

/* Process id, or the one with a live thread id (0: the caller's).
 * => proc_lock held. */
static struct proc *
find_tgid_locked(int id)
{
	struct proc *p = find_any_locked(id);

	if (p != NULL || id <= 0)
		return p;
	TAILQ_FOREACH(p, &allproc, all) {
		if (p->state == PS_ALIVE && lwp_find(p, id) != NULL)
			return p;
	}
	return NULL;
}

/* Linux's one-letter state of thread l of p.  => proc_lock held. */
static char
info_lwp_state(const struct proc *p, const struct lwp *l)
{
	if (p->state == PS_ZOMBIE || p->stopsig != 0)
		return info_state(p);
	if (l == curlwp || l->l_thread == NULL || l->l_thread->state != TS_SLEEPING)
		return 'R';
	return l->l_thread->sleep_intr ? 'S' : 'D';
}

/* Thread l's own part of *pi (whole: the process's ticks stay the sum).
 * => proc_lock held. */
static void
info_fill_lwp(const struct proc *p, const struct lwp *l, bool whole,
    struct proc_info *pi)
{
	pi->state = info_lwp_state(p, l);
	pi->wchan[0] = '\0';
	if (pi->state == 'S' || pi->state == 'D')
		strlcpy(pi->wchan, l->l_thread->wmesg != NULL ?
		    l->l_thread->wmesg : "", sizeof(pi->wchan));
	pi->sigpending = l->l_sigpending;
	pi->sigblocked = l->l_sigmask;
	pi->nvcsw = l->l_thread != NULL ? l->l_thread->nvcsw : 0;
	pi->nivcsw = l->l_thread != NULL ? l->l_thread->nivcsw : 0;
	if (!whole)
		pi->run_ticks = l->l_thread != NULL ? l->l_thread->rticks : 0;
}

int
proc_lwp_info_get(int id, int tid, struct proc_info *pi)
{
	struct proc *p;
	struct lwp *l = NULL;
	bool whole = tid == 0;
	int error = -ESRCH;

	spin_lock(&proc_lock);
	p = find_tgid_locked(id);
	if (p != NULL) {
		if (whole)
			tid = id > 0 ? id : p->pid;
		l = lwp_find(p, tid);
		error = l != NULL || whole ? 0 : -ESRCH;
	}
	if (error == 0) {
		info_fill(p, pi);
		pi->tid = tid;
		pi->shdpending = p->sig.pending;
		pi->sigpending = 0;     /* a first thread gone: its set went too */
		if (l != NULL)
			info_fill_lwp(p, l, whole, pi);
	}
	spin_unlock(&proc_lock);
	return error;
}

int
proc_lwp_tids(int id, int *tids, int max)
{
	struct proc *p;
	struct lwp *l;
	int n = -ESRCH;

	spin_lock(&proc_lock);
	p = find_tgid_locked(id);
	if (p != NULL) {
		n = 0;
		TAILQ_FOREACH(l, &p->p_lwps, l_link) {
			if (!l->l_dead && n < max)
				tids[n++] = l->l_tid;
		}
	}
	spin_unlock(&proc_lock);
	return n;
}
