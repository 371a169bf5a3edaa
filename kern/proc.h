/*
 * kern/proc.h - processes: a user address space and the state that the
 * system calls keep for a running program.
 *
 * For now a process runs synchronously on the thread that starts it
 * (proc_run): the thread drops into user mode on a kernel stack of the
 * process's own, and comes back when the program exits or is killed.
 * Fork, wait and the scheduler turn this into the usual process model.
 */
#ifndef KERN_PROC_H
#define KERN_PROC_H

#include "kern/lib/setjmp.h"
#include "kern/lib/types.h"
#include "kern/signal.h"

struct vmspace;
struct trapframe;

struct proc {
	int pid;
	char name[32];
	struct vmspace *vmspace;
	vaddr_t kstack;             /* lowest address of its kernel stack */
	size_t kstack_pages;
	uint64_t fs_base;           /* TLS pointer (arch_prctl ARCH_SET_FS) */
	vaddr_t brk_start;          /* the heap: [brk_start, brk) */
	vaddr_t brk;
	uint64_t clear_child_tid;   /* set_tid_address */
	int wstatus;                /* Linux wait status, once it has exited */
	bool exited;
	struct kjmpbuf exit_jb;     /* where proc_run resumes on exit */
	uint64_t nsyscalls;
	struct sigstate sig;
};

extern struct proc *curproc;

/* Linux wait status encoding. */
#define W_EXITCODE(code) (((code) & 0xff) << 8)
#define W_SIGNALED(sig) ((sig) & 0x7f)

/*
 * proc_run - run the program at path with argv and envp until it exits.
 *  => returns 0 and the Linux wait status in *wstatus, or -ENOENT,
 *     -ENOEXEC, -EACCES, -ENOMEM when the program could not be started.
 *  => the calling thread sleeps in user mode meanwhile.
 */
int proc_run(const char *path, char *const argv[], char *const envp[],
    int *wstatus);

/*
 * proc_exit - end the current process with a wait status.
 *  => from a system call or a fatal trap of the process; never returns.
 */
void proc_exit(int wstatus) __noreturn;

/*
 * proc_user_trap - an exception from user mode that uvm_fault did not
 * fix (fault_error: its error, for page faults): the signal goes to the
 * process's handler, or kills it with a one-line message.
 */
void proc_user_trap(struct trapframe *tf, int fault_error);

#endif
