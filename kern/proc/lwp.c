/*
 * kern/proc/lwp.c - making, starting, ending and reaping the threads of
 * a process (struct lwp: kern/proc/lwp.h has the picture).
 *
 * A thread of a program is a kernel thread with an lwp attached: it is
 * made in its process's address space (thread_create_in: the switch
 * into it loads those page tables) and begins in lwp_thread_start, which
 * becomes the process and drops into user mode through a copy of the
 * lwp's first user frame.
 *
 * Worked example: glibc's pthread_create asks (through clone3, or clone)
 * for
 *
 *   CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|
 *   CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID,
 *   stack, tls, parent_tid = child_tid = &pd->tid
 *
 *   thread_clone: a new lwp in the caller's process, tid 9 from the pid
 *     sequence, a copy of the caller's registers with rax 0 (clone
 *     returns 0 in it), rsp = stack, TLS = tls, the caller's mask; 9
 *     stored at &pd->tid before it can run; clear-tid = &pd->tid.
 *   ... the thread runs start(arg), then exit(0):
 *   lwp_exit: 0 stored at &pd->tid and a futex wake there - which is
 *     what glibc's pthread_join sleeps on (futex WAIT while pd->tid != 0)
 *     - then it leaves the address space, and only then is the lwp
 *     counted dead (exit_group may free the space from that moment);
 *     its kernel thread is joined by the next thread to exit or clone,
 *     or when the process is reaped.
 *
 * (musl gives its thread-list lock as the clear-tid word instead: the
 * kernel's store and wake release that lock once the thread is gone.)
 *
 * The last live thread to exit ends the process (proc.c's teardown);
 * exit_group, a fatal signal and execve end every other thread first
 * (proc.c: they send each a SIGKILL and wait on p_nlwps).
 *
 * Locking: proc_lock for p_lwps, p_nlwps and l_dead (lwp.h).  Reaping
 * joins kernel threads, which sleeps, so it runs with nothing held.
 */
#include "kern/proc/lwp.h"
#include "kern/arch/cpu.h"
#include "kern/arch/uaccess.h"
#include "kern/core/sched.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/futex.h"
#include "kern/proc/proc.h"
#include "pmap/pmap.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_map.h"

void enter_user(struct trapframe *tf) __noreturn;

struct lwp_stats lwp_stats;

struct lwp *
lwp_alloc(struct proc *p, int tid)
{
	struct lwp *l = kmem_zalloc(sizeof(*l));

	if (l == NULL)
		return NULL;
	l->l_proc = p;
	l->l_tid = tid;
	l->l_altstack.flags = 2;            /* SS_DISABLE */
	*(uint16_t *)&l->l_fpu[0] = 0x037f; /* x87 control word after fninit */
	*(uint32_t *)&l->l_fpu[24] = 0x1f80;/* MXCSR: all exceptions masked */
	return l;
}

void
lwp_switch_out(struct lwp *l)
{
	__asm__ volatile("fxsave64 (%0)" : : "r"(l->l_fpu) : "memory");
}

void
lwp_switch_in(struct lwp *l)
{
	__asm__ volatile("fxrstor64 (%0)" : : "r"(l->l_fpu) : "memory");
	wrmsr(MSR_FS_BASE, l->l_fs_base);
}

struct lwp *
lwp_find(struct proc *p, int tid)
{
	struct lwp *l;

	TAILQ_FOREACH(l, &p->p_lwps, l_link) {
		if (l->l_tid == tid && !l->l_dead)
			return l;
	}
	return NULL;
}

/* Where every user thread begins: become the process, enter user mode. */
static void
lwp_thread_start(void *arg)
{
	struct lwp *l = arg;
	struct proc *p = l->l_proc;
	struct trapframe tf = l->l_start_tf;
	uint32_t tid = (uint32_t)l->l_tid;

	/* The switch here loaded the address space (thread_create_in). */
	KASSERT(curthread->vmspace == p->vmspace &&
	    curcpu()->ci_pmap == p->vmspace->vm_map.pmap);
	curthread->proc = p;
	/* clone(CLONE_CHILD_SETTID): in the new thread's memory, which may
	 * fault (copy-on-write), so before interrupts go off.  A bad address
	 * is the thread's problem, as on Linux: nothing is written. */
	if (l->l_set_child_tid != 0)
		(void)copyout(&tid, l->l_set_child_tid, sizeof(tid));
	/* Only now the thread's lwp: a switch away during the copyout would
	 * have saved this CPU's SSE state over the one clone gave it. */
	cli();
	curthread->lwp = l;
	lwp_switch_in(l);
	enter_user(&tf);
}

int
lwp_start(struct lwp *l)
{
	struct proc *p = l->l_proc;
	struct thread *t;

	spin_lock(&proc_lock);
	TAILQ_INSERT_TAIL(&p->p_lwps, l, l_link);
	p->p_nlwps++;
	spin_unlock(&proc_lock);
	t = thread_create_in(p->name, lwp_thread_start, l, p->vmspace);
	spin_lock(&proc_lock);
	if (t == NULL) {
		TAILQ_REMOVE(&p->p_lwps, l, l_link);
		p->p_nlwps--;
	} else {
		l->l_thread = t;
		lwp_stats.started++;
	}
	spin_unlock(&proc_lock);
	return t != NULL ? 0 : -ENOMEM;
}

/* A dead lwp of p other than the caller, taken off p_lwps, or NULL. */
static struct lwp *
take_dead(struct proc *p)
{
	struct lwp *l, *found = NULL;

	spin_lock(&proc_lock);
	TAILQ_FOREACH(l, &p->p_lwps, l_link) {
		if (l->l_dead && l != curlwp) {
			found = l;
			TAILQ_REMOVE(&p->p_lwps, l, l_link);
			break;
		}
	}
	spin_unlock(&proc_lock);
	return found;
}

void
lwp_reap_dead(struct proc *p)
{
	struct lwp *l;

	while ((l = take_dead(p)) != NULL) {
		if (l->l_thread != NULL)
			thread_join(l->l_thread);
		kmem_free(l, sizeof(*l));
		lwp_stats.reaped++;
	}
}

/* The thread's memory-side goodbye: Linux's mm_release. */
void
lwp_exit_user(struct lwp *l)
{
	uint32_t zero = 0;

	if (l->l_robust_head != 0)
		futex_robust_exit(l->l_robust_head, l->l_tid);
	l->l_robust_head = 0;
	if (l->l_clear_child_tid != 0 &&
	    copyout(&zero, l->l_clear_child_tid, sizeof(zero)) == 0)
		(void)futex_wake_user(l->l_clear_child_tid, 1);
	l->l_clear_child_tid = 0;
}

void
lwp_exit(int wstatus)
{
	struct lwp *l = curlwp;
	struct proc *p = l->l_proc;
	bool last;

	lwp_exit_user(l);
	/* Threads that died before this one are joined here, so a program
	 * whose threads come and go holds at most one dead one. */
	lwp_reap_dead(p);
	/*
	 * Leave the address space before the count drops: from then on the
	 * thread waiting in exit_group (single_lwp) may free it, and this
	 * CPU must no longer have it loaded, nor a switch back here load it.
	 * (A thread that ends the whole process, exit_group, leaves it in
	 * proc_teardown.)
	 */
	curthread->vmspace = NULL;
	pmap_activate(pmap_kernel());
	spin_lock(&proc_lock);
	l->l_dead = true;
	last = --p->p_nlwps == 0;
	wakeup(&p->p_nlwps);            /* exit_group or exec waits for this */
	spin_unlock(&proc_lock);
	if (last)
		proc_teardown(wstatus);
	curthread->lwp = NULL;
	curthread->proc = NULL;
	thread_exit();
}
