; kern/arch/mptramp.asm - where an application processor (AP) starts: a
; real-mode trampoline that kern/core/smp.c copies below 1 MiB, and the
; 64-bit code it jumps to in the kernel proper.
;
; An AP wakes from the startup IPI (SIPI) in 16-bit real mode at physical
; address vector * 4096, with nothing set up: no stack, no paging, no
; GDT.  The SIPI can only name a page below 1 MiB, so the first part of
; this file is copied to MPTRAMP_PA (0x8000) and must run there; it is
; assembled with offsets from mptramp_start, and its data sits at fixed
; offsets the C side fills in (struct mptramp_args, kern/core/smp.c):
;
;   0x8000  code: real mode -> long mode in one step    (this file)
;   0x8f00  args: temporary PML4, 64-bit entry, kernel CR3, stack, cpu_info
;   0x9000  temporary PML4: slot 0 -> identity 0..2 MiB (this page),
;           slots 256..511 = the kernel pmap's (direct map, arena, image)
;   0xa000  its PDPT, 0xb000 its page directory (one 2 MiB page at 0)
;
; The steps, each on the AP:
;
;   real mode, CS = 0x0800     lgdt the trampoline's GDT; CR4.PAE; CR3 =
;                              the temporary PML4; EFER.LME|NXE; CR0.PG|PE
;                              at once (long mode needs no stop in 32-bit
;                              protected mode); far jump to 64-bit code
;   64-bit, identity address   data segments; jump to mptramp_entry64 in
;                              the kernel's higher half
;   64-bit, higher half        CR3 = the kernel's own tables (the identity
;                              page goes away: we no longer run there);
;                              rsp = the AP's guarded stack; call
;                              smp_ap_main(cpu_info), which never returns
;
; Only one AP starts at a time (the args page is shared); smp.c waits for
; each to say it is online before it fills the args for the next.
bits 16

MPTRAMP_PA      equ 0x8000
ARGS            equ 0xf00                   ; offset of the args in the page
ARG_PML4        equ ARGS + 0                ; u64: temporary PML4 (below 4 GiB)
ARG_ENTRY       equ ARGS + 8                ; u64: mptramp_entry64
ARG_CR3         equ ARGS + 16               ; u64: the kernel pmap's CR3
ARG_STACK       equ ARGS + 24               ; u64: top of the AP's stack
ARG_CPU         equ ARGS + 32               ; u64: its struct cpu_info

section .rodata
global mptramp_start, mptramp_end
align 16
mptramp_start:
        cli
        cld
        mov     ax, cs                      ; 0x0800: offsets from the page
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        lgdt    [tramp_gdtr - mptramp_start]
        mov     eax, cr4
        or      eax, 1 << 5                 ; PAE
        mov     cr4, eax
        mov     eax, [ARG_PML4]
        mov     cr3, eax
        mov     ecx, 0xc0000080             ; EFER
        rdmsr
        or      eax, (1 << 8) | (1 << 11)   ; LME | NXE (the kernel's PTEs use NX)
        wrmsr
        mov     eax, cr0
        or      eax, (1 << 31) | (1 << 16) | 1  ; PG | WP | PE
        mov     cr0, eax
        jmp     dword 0x08:(MPTRAMP_PA + tramp64 - mptramp_start)

bits 64
tramp64:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     rax, [MPTRAMP_PA + ARG_ENTRY]
        jmp     rax

align 16
tramp_gdt:
        dq 0
        dq 0x00af9a000000ffff               ; 0x08: 64-bit code, ring 0
        dq 0x00cf92000000ffff               ; 0x10: data, ring 0
tramp_gdtr:
        dw tramp_gdtr - tramp_gdt - 1
        dd MPTRAMP_PA + tramp_gdt - mptramp_start
mptramp_end:

; In the kernel image: still on the temporary tables, which map this
; higher-half address too.  Read the args through the identity page
; before leaving it.
section .text
extern smp_ap_main
global mptramp_entry64
mptramp_entry64:
        mov     rax, [MPTRAMP_PA + ARG_CR3]
        mov     rsp, [MPTRAMP_PA + ARG_STACK]
        mov     rdi, [MPTRAMP_PA + ARG_CPU]
        mov     cr3, rax
        xor     ebp, ebp                    ; ends every backtrace
        call    smp_ap_main
.halt:
        cli
        hlt
        jmp     .halt
