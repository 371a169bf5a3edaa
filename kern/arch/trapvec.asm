; kern/arch/trapvec.asm - one small entry stub per IDT vector, and the common
; path that saves registers into a struct trapframe (kern/arch/trap.h) and calls
; trap(tf).
;
; The CPU pushes an error code for vectors 8, 10-14, 17, 21, 29 and 30;
; for the others the stub pushes a zero so every frame has the same shape.
; Then the stub pushes its vector number and jumps to trap_common (or,
; for the three vectors on IST stacks, trap_paranoid).
;
; GS (kern/arch/cpu_info.h): the C code finds its CPU's cpu_info through
; the GS base, which in user mode holds the user's value.  So:
;
;   trap_common   swapgs if the trap came from user mode (saved CS RPL 3),
;                 or if it is a fault on trap_return's iretq to user mode
;                 (kernel CS, but the user's GS already swapped in);
;   trap_return   swapgs if it returns to user mode (the frame's CS);
;   trap_paranoid the NMI, double fault and machine check: they can
;                 arrive between a swapgs and the sysret/iretq after it,
;                 where CS says kernel and GS is the user's, so they ask
;                 the MSR: a kernel GS base has its top bit set.  They
;                 swap back on the way out only if they swapped.
;
; Ordinary interrupts cannot land in those windows: interrupts are off
; from each swapgs to the sysret/iretq beside it.
bits 64
%include "kern/arch/trapframe.inc"
%include "kern/arch/cpu_info.inc"
section .text

extern trap

%macro VECTOR 1
align 16
vector_%1:
%if !(%1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30)
        push    0
%endif
        push    %1
%if %1 == 2 || %1 == 8 || %1 == 18
        jmp     trap_paranoid
%else
        jmp     trap_common
%endif
%endmacro

%assign i 0
%rep 256
VECTOR i
%assign i i+1
%endrep

; On entry: [rsp] vector, [rsp + 8] error, [rsp + 16] rip, [rsp + 24] cs.
trap_common:
        test    byte [rsp + 24], 3      ; from user mode?
        jnz     .swap
        push    rax                     ; (rip is now at rsp + 24)
        lea     rax, [rel trap_iret]
        cmp     [rsp + 24], rax         ; a fault on the iretq to user mode?
        pop     rax
        jne     .gs_ok
.swap:
        swapgs
.gs_ok:
        PUSH_GPRS
        cld
        mov     rdi, rsp
        ; Make the backtrace walk from the interrupted code: a frame
        ; record {saved rbp, rip} built from the trapframe itself.
        push    qword [rsp + 17 * 8]    ; interrupted rip
        push    qword [rsp + 9 * 8]     ; interrupted rbp (rsp moved by 8)
        mov     rbp, rsp
        call    trap
        add     rsp, 16
global trap_return
trap_return:
        POP_GPRS
        test    byte [rsp + 24], 3      ; back to user mode?
        jz      .kernel
        swapgs
.kernel:
        add     rsp, 16                 ; vector and error code
global trap_iret
trap_iret:
        iretq

; The IST vectors: which GS is live is the MSR's to say (see the top).
; rbx, callee-saved, remembers across the call whether we swapped.
trap_paranoid:
        PUSH_GPRS
        cld
        mov     ecx, MSR_GS_BASE
        rdmsr                           ; edx = the high half of the base
        xor     ebx, ebx
        test    edx, edx
        js      .kernel_gs              ; top bit set: the kernel's is live
        swapgs
        mov     ebx, 1
.kernel_gs:
        mov     rdi, rsp
        push    qword [rsp + 17 * 8]    ; interrupted rip
        push    qword [rsp + 9 * 8]     ; interrupted rbp
        mov     rbp, rsp
        call    trap
        add     rsp, 16
        test    ebx, ebx
        jz      .no_swap
        swapgs
.no_swap:
        POP_GPRS
        add     rsp, 16
        iretq

section .rodata
global trap_vectors
align 8
trap_vectors:
%assign i 0
%rep 256
        dq vector_ %+ i
%assign i i+1
%endrep
