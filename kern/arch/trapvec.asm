; kern/arch/trapvec.asm - one small entry stub per IDT vector, and the common
; path that saves registers into a struct trapframe (kern/arch/trap.h) and calls
; trap(tf).
;
; The CPU pushes an error code for vectors 8, 10-14, 17, 21, 29 and 30;
; for the others the stub pushes a zero so every frame has the same shape.
; Then the stub pushes its vector number and jumps to trap_common.
bits 64
%include "kern/arch/trapframe.inc"
section .text

extern trap

%macro VECTOR 1
align 16
vector_%1:
%if !(%1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30)
        push    0
%endif
        push    %1
        jmp     trap_common
%endmacro

%assign i 0
%rep 256
VECTOR i
%assign i i+1
%endrep

trap_common:
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
        add     rsp, 16                 ; vector and error code
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
