/*
 * kern/proc.c - starting a program, and ending it.
 *
 * proc_run builds a fresh address space with exec_load (so a bad file
 * never touches the caller), gives the process a kernel stack of its
 * own, and enters user mode through a trap frame at the top of that
 * stack:
 *
 *   caller's stack          process kernel stack (guard page below)
 *   proc_run frame          +-------------------------+ <- rsp0, top
 *     ksetjmp(exit_jb) <--. | trapframe: rip = entry  |
 *                         | |  rsp = argc, cs/ss user |
 *                         | +-------------------------+
 *                         |   syscalls and faults from user mode land
 *                         |   here (TSS rsp0 / syscall_rsp0)
 *                         `-- proc_exit: klongjmp back, the stack is dropped
 *
 * When the program exits (exit_group) or is killed by a fault it did not
 * handle, proc_exit records the Linux wait status and jumps back into
 * proc_run, which tears the address space down.
 */
#include "kern/proc.h"
#include "kern/cpu.h"
#include "kern/exec.h"
#include "kern/gdt.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/ramfs.h"
#include "kern/thread.h"
#include "kern/trap.h"
#include "pmap/pmap.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_map.h"

#define PROC_KSTACK_PAGES 4
#define MSR_FS_BASE 0xc0000100

struct proc *curproc;
static int next_pid = 1;

void enter_user(struct trapframe *tf) __noreturn;

/* The first user-mode state: entry point, stack, user segments, IF on. */
static struct trapframe *
initial_frame(struct proc *p, const struct exec_image *img)
{
	vaddr_t top = p->kstack + p->kstack_pages * PAGE_SIZE;
	struct trapframe *tf = (struct trapframe *)(top - sizeof(*tf));

	memset(tf, 0, sizeof(*tf));
	tf->rip = img->entry;
	tf->rsp = img->sp;
	tf->cs = SEL_UCODE | 3;
	tf->ss = SEL_UDATA | 3;
	tf->rflags = RFLAGS_IF;
	tf->rdx = 0;        /* no atexit function from a dynamic loader */
	return tf;
}

/*
 * Drop into user mode; return when the program exits (proc_exit jumps
 * back here).  Kept apart so no caller's locals live across ksetjmp.
 */
static __attribute__((noinline)) void
proc_enter(struct proc *p, const struct exec_image *img)
{
	if (ksetjmp(&p->exit_jb) == 0)
		enter_user(initial_frame(p, img));
}

/* Build the address space; on failure nothing is left behind. */
static int
proc_load(struct proc *p, const char *path, char *const argv[],
    char *const envp[], struct exec_image *img)
{
	struct rnode *file;
	int error;

	if (ramfs_boot == NULL)
		return -ENOENT;
	error = ramfs_lookup(ramfs_boot, NULL, path, true, &file);
	if (error == 0)
		error = exec_check(file);
	if (error != 0)
		return error;
	p->vmspace = uvmspace_alloc(PAGE_SIZE, USER_MAX, true);
	if (p->vmspace == NULL)
		return -ENOMEM;
	error = exec_load(p->vmspace, file, path, argv, envp, img);
	if (error == 0) {
		p->kstack_pages = PROC_KSTACK_PAGES;
		p->kstack = uvm_km_stack_alloc(p->kstack_pages);
		if (p->kstack == 0)
			error = -ENOMEM;
	}
	if (error != 0)
		uvmspace_free(p->vmspace);
	return error;
}

int
proc_run(const char *path, char *const argv[], char *const envp[], int *wstatus)
{
	struct proc *p = kmem_zalloc(sizeof(*p)), *parent = curproc;
	struct vmspace *oldvm = curthread->vmspace;
	uint64_t old_rsp0 = syscall_rsp0, flags = read_rflags();
	struct exec_image img;
	int error;

	if (p == NULL)
		return -ENOMEM;
	error = proc_load(p, path, argv, envp, &img);
	if (error == 0) {
		p->pid = next_pid++;
		strlcpy(p->name, path, sizeof(p->name));
		p->brk_start = p->brk = img.brk;
		curproc = p;
		curthread->vmspace = p->vmspace;
		pmap_activate(p->vmspace->vm_map.pmap);
		gdt_set_kernel_stack(p->kstack + p->kstack_pages * PAGE_SIZE);
		proc_enter(p, &img);
		/* Back from proc_exit, interrupts off. */
		wrmsr(MSR_FS_BASE, 0);
		gdt_set_kernel_stack(old_rsp0);
		if (flags & RFLAGS_IF)
			sti();
		curthread->vmspace = oldvm;
		pmap_activate(oldvm != NULL ? oldvm->vm_map.pmap : pmap_kernel());
		curproc = parent;
		*wstatus = p->wstatus;
		uvm_km_stack_free(p->kstack, p->kstack_pages);
		uvmspace_free(p->vmspace);
	}
	kmem_free(p, sizeof(*p));
	return error;
}

void
proc_exit(int wstatus)
{
	struct proc *p = curproc;

	KASSERT(p != NULL);
	p->wstatus = wstatus;
	p->exited = true;
	cli();
	klongjmp(&p->exit_jb, 1);
}

/* The signal, code and address a user-mode exception means, as Linux has them. */
static void
trap_signal(const struct trapframe *tf, int fault_error, int *sig, int *code,
    uint64_t *addr)
{
	*addr = tf->rip;
	*code = SI_KERNEL;
	switch (tf->vector) {
	case T_PAGE_FAULT:
		*addr = rcr2();
		*sig = fault_error == -EIO ? SIGBUS : SIGSEGV;
		*code = fault_error == -EIO ? BUS_ADRERR :
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
	if (signal_fault_kills(sig) && tf->vector == T_PAGE_FAULT)
		kprintf("pid %d (%s): %s at %#lx, rip %#lx, %s %s\n",
		    curproc->pid, curproc->name, sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
		    addr, tf->rip,
		    (tf->error & PGEX_I) ? "exec" : (tf->error & PGEX_W) ? "write" : "read",
		    code == SEGV_ACCERR ? "(protection)" : "(not mapped)");
	else if (signal_fault_kills(sig))
		kprintf("pid %d (%s): killed by signal %d: %s at rip %#lx\n",
		    curproc->pid, curproc->name, sig, trap_name(tf->vector), tf->rip);
	signal_fault(tf, sig, code, addr);
}
