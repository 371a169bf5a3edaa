/*
 * kern/proc/exec.h - loading an ELF program into an address space.
 */
#ifndef KERN_EXEC_H
#define KERN_EXEC_H

#include "kern/lib/types.h"

struct vmspace;
struct vnode;

/* Where the user stack lives, and how far it may grow. */
#define USER_STACK_TOP 0x00007ffffffff000UL
#define USER_STACK_SIZE (8UL << 20)
#define USER_STACK_GUARD (1UL << 20)    /* never mapped below the stack */
#define USER_PIE_BASE 0x0000555555554000UL
#define USER_INTERP_BASE 0x00007f0000000000UL /* PT_INTERP's ld.so */

#define EXEC_ARG_MAX (128 * 1024)       /* argv + envp strings */
#define EXEC_ARGS_MAX 1024              /* argv + envp pointers */

/*
 * execve's argument copies (sys_execve, kern/proc/proc.c), counted
 * atomically: those tried, and of them those whose strings or pointers
 * did not fit in a page and took the full EXEC_ARG_MAX buffer.
 */
struct exec_stats {
	uint64_t args_copied;
	uint64_t args_full;
};
extern struct exec_stats exec_stats;

/* The new program's first register state and memory layout. */
struct exec_image {
	vaddr_t entry;              /* rip: the interpreter's entry, if any */
	vaddr_t prog_entry;         /* the program's own entry (AT_ENTRY) */
	vaddr_t interp_base;        /* where PT_INTERP was put (AT_BASE), or 0 */
	vaddr_t sp;                 /* rsp: points at argc */
	vaddr_t brk;                /* first address past the loaded image */
	vaddr_t stack_bottom;       /* lowest address of the stack mapping */
	vaddr_t phdr;               /* program headers in memory (AT_PHDR) */
	uint64_t load_bias;         /* 0, or where a static-pie was put */
	int phnum;
	vaddr_t arg_start;          /* argv's strings on the stack, back to */
	vaddr_t arg_end;            /* back, NUL-ended: /proc/PID/cmdline */
};

/*
 * exec_check - is vp's file an ELF64 x86-64 executable (static,
 * static-pie, or with a PT_INTERP whose path is sane; the interpreter
 * itself is looked at by exec_load) this kernel can run?
 * => 0, -ENOEXEC, -EACCES (not a
 * regular file, or no x bit: vfs_access).  Reads the headers; may sleep.
 */
int exec_check(struct vnode *vp);

/*
 * exec_load - map vp's file into vm (which should be empty) and build the
 * initial stack: argc, argv, envp, the auxiliary vector, as the x86-64
 * System V ABI and Linux lay them out.
 *  => vp referenced by the caller (the mappings take references on
 *     v_obj of their own); argv/envp are kernel copies, NULL-terminated;
 *     path is AT_EXECFN.
 *  => with PT_INTERP the interpreter (looked up from the root, ET_DYN,
 *     no PT_INTERP of its own) is mapped at USER_INTERP_BASE and
 *     img->entry is its entry; AT_BASE, AT_ENTRY (img->prog_entry) and
 *     AT_PHDR tell it where the program is.  A missing interpreter is
 *     -ENOENT, as on Linux.
 *  => returns 0 and *img; -ENOEXEC for a bad ELF, -E2BIG for arguments
 *     past EXEC_ARG_MAX, -ENOMEM.  On error vm may be half built: the
 *     caller throws it away (the old image is never touched).
 */
int exec_load(struct vmspace *vm, struct vnode *vp, const char *path,
    char *const argv[], char *const envp[], struct exec_image *img);

#endif
