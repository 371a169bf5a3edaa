; kern/arch/swtch.asm - the context switch, and where new threads begin.
;
; swtch(save, next_rsp) stops the running thread and resumes another.
; The C calling convention already says which registers a call may
; destroy (rax, rcx, rdx, rsi, rdi, r8-r11) and which it must keep (rbx,
; rbp, r12-r15, rsp).  So a switch only has to keep the second set: it
; pushes them on the old thread's stack, stores rsp in *save, loads the
; new thread's rsp, pops the same six registers from there and returns -
; into whatever call of swtch the new thread made when it stopped.
;
;   old stack                           new stack (saved earlier)
;   | ...caller of swtch |              | ...caller of swtch |
;   | return address     |              | return address     | <- ret
;   | rbx rbp r12 r13    |              | rbx rbp r12 r13    |
;   | r14 r15            | <- *save     | r14 r15            | <- next_rsp
;
; Interrupts are off across every switch (the scheduler's rule), and the
; kernel uses no SSE or x87 state, so there is nothing else to keep:
; rflags comes back when the resumed thread restores its own interrupt
; state on its way out of the scheduler.
;
; A thread that has never run gets a stack that looks as if it had
; called swtch from thread_trampoline (thread_alloc builds it):
;
;   top -  8   0                     fake return address: backtraces stop
;   top - 16   0                     padding: rsp is 16-byte aligned below
;   top - 24   thread_trampoline     where swtch's ret goes
;   top - 32   rbx = 0
;   top - 40   rbp = 0               ends the frame-pointer chain
;   top - 48   r12 = fn
;   top - 56   r13 = arg
;   top - 64   r14 = 0
;   top - 72   r15 = 0               <- ctx_rsp
;
; and thread_trampoline calls thread_start(fn, arg), which turns
; interrupts on, runs fn(arg) and exits.
bits 64
section .text

extern thread_start

global swtch
swtch:
        push    rbx
        push    rbp
        push    r12
        push    r13
        push    r14
        push    r15
        mov     [rdi], rsp
        mov     rsp, rsi
        pop     r15
        pop     r14
        pop     r13
        pop     r12
        pop     rbp
        pop     rbx
        ret

global thread_trampoline
thread_trampoline:
        mov     rdi, r12                ; fn
        mov     rsi, r13                ; arg
        call    thread_start            ; rsp is 16-byte aligned here
        ud2                             ; thread_start never returns

; stack_switch_call(top, fn): continue on a fresh stack in fn(), for good.
; thread0 uses it to leave the boot stack for its guarded one.
global stack_switch_call
stack_switch_call:
        mov     rsp, rdi
        xor     ebp, ebp                ; a new frame chain starts here
        call    rsi
        ud2
