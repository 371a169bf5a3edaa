; kern/arch/syscall_entry.asm - the way into the kernel by `syscall`, and the
; first way out to user mode.
;
; The syscall instruction saves only rip (in rcx) and rflags (in r11),
; clears the flags FMASK names (interrupts among them) and jumps here
; still on the user's stack and with the user's GS base.  swapgs brings
; in this CPU's struct cpu_info (kern/arch/cpu_info.h); the user's rsp
; waits in its ci_scratch while we switch to the thread's kernel stack
; (ci_rsp0, kept equal to TSS rsp0 by gdt_set_kernel_stack) and build
; exactly the struct trapframe an interrupt from user mode would have
; built, so that one C type, one return path (trap_return: iretq) and
; one set of tools (fork copying it, signals rewriting it) serve both:
;
;   ci_rsp0 -> ss rsp rflags cs rip | error 0 | vector T_SYSCALL |
;              rax rbx ... r15 (the same pushes as trap_common)
;
; Most calls return with sysret, the fast way.  A call that rewrote the
; frame (execve, rt_sigreturn, a signal delivered on the way out) returns
; through trap_return's iretq instead: it restores every register, and
; it is safe whatever the new rip (sysret with a non-canonical rcx would
; fault in kernel mode on Intel CPUs).  Nothing is re-entrant: interrupts
; stay off until the C handler has the frame (one scratch slot per CPU),
; and again from the swapgs on the way out until sysret.
bits 64
%include "kern/arch/trapframe.inc"
%include "kern/arch/cpu_info.inc"

SEL_UCODE       equ 0x28
SEL_UDATA       equ 0x20
T_SYSCALL       equ 0x100

extern syscall_handler
extern trap_return

section .text
global syscall_entry
syscall_entry:
        swapgs                              ; GS: this CPU's cpu_info
        mov     [gs:CPU_SCRATCH], rsp
        mov     rsp, [gs:CPU_RSP0]
        push    qword SEL_UDATA | 3         ; ss
        push    qword [gs:CPU_SCRATCH]      ; rsp
        push    r11                         ; rflags
        push    qword SEL_UCODE | 3         ; cs
        push    rcx                         ; rip
        push    qword 0                     ; error code
        push    qword T_SYSCALL             ; vector
        PUSH_GPRS
        cld
        mov     rdi, rsp
        xor     rbp, rbp                    ; user rbp means nothing here
        call    syscall_handler
        test    eax, eax                    ; nonzero: the frame was rewritten
        jnz     trap_return                 ; (exec, sigreturn): iretq
        ; The fast way back: sysret takes rip from rcx and rflags from r11,
        ; both clobbered by the syscall ABI anyway.  Interrupts are off
        ; (syscall_handler left them so) until sysret restores rflags, so
        ; nothing can land on the user stack we switch to.
        POP_GPRS
        mov     rcx, [rsp + 16]             ; rip
        mov     r11, [rsp + 32]             ; rflags
        mov     rsp, [rsp + 40]             ; the user's stack
        swapgs                              ; GS: the user's again
        o64 sysret

; enter_user(struct trapframe *tf): continue in user mode with the
; registers in tf (which lies on the kernel stack; rsp0 must be above it).
global enter_user
enter_user:
        mov     rsp, rdi
        jmp     trap_return
