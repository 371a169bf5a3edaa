; boot/boot.asm - from GRUB's 32-bit protected mode to the C kernel in long mode.
;
; GRUB (multiboot2) leaves us here in 32-bit protected mode with paging off,
; EAX = 0x36d76289 (the multiboot2 magic) and EBX = the physical address of
; the boot information.  This file:
;
;   1. reads the TSC, so kmain can report how long boot took;
;   2. checks CPUID for long mode and NX and says so on COM1 if either is
;      missing (there is no C yet, so the message is written by hand);
;   3. builds the early page tables (below), turns on PAE, EFER.LME and
;      EFER.NXE, then paging, and far-jumps into 64-bit code;
;   4. jumps to the higher half, sets up the boot stack and calls
;      kmain(magic, mbi_phys).
;
; The early tables map, with 2 MiB pages:
;
;   virtual                              physical
;   0x0000000000000000 .. 4 GiB   ->  0 .. 4 GiB    identity (only for the jump)
;   0xffff800000000000 .. +4 GiB  ->  0 .. 4 GiB    direct map (early)
;   0xffffffff80000000 .. +1 GiB  ->  0 .. 1 GiB    kernel image window
;
;   boot_pml4[0]   -> boot_pdpt_low   (entries 0..3 -> boot_pd[0..3])
;   boot_pml4[256] -> boot_pdpt_low   (the same table: direct map = identity)
;   boot_pml4[511] -> boot_pdpt_high  (entry 510 -> boot_pd[0])
;
; pmap_bootstrap() replaces all of this with the real kernel page tables.
; Until then everything (MMIO holes included) is mapped write-back and
; executable, which QEMU does not mind.
;
; The tables live in the higher-half .bss, so 32-bit code reaches them at
; (symbol - KERNBASE), their physical address.

bits 32

KERNBASE        equ 0xffffffff80000000
MB2_MAGIC       equ 0xe85250d6
MB2_ARCH_I386   equ 0
COM1            equ 0x3f8

section .multiboot
align 8
mb2_header:
        dd MB2_MAGIC
        dd MB2_ARCH_I386
        dd mb2_header_end - mb2_header
        dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
        ; end tag
        dw 0, 0
        dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite
global _start
_start:
        mov     esi, eax                ; keep magic and mbi across CPUID
        mov     edi, ebx
        rdtsc
        mov     [boot_tsc - KERNBASE], eax
        mov     [boot_tsc - KERNBASE + 4], edx
        mov     esp, boot_stack_top - KERNBASE

        ; Long mode and NX live in CPUID leaf 0x80000001, if it exists.
        mov     eax, 0x80000000
        cpuid
        cmp     eax, 0x80000001
        jb      .no_long_mode
        mov     eax, 0x80000001
        cpuid
        test    edx, 1 << 29            ; LM
        jz      .no_long_mode
        test    edx, 1 << 20            ; NX
        jz      .no_nx

        call    build_early_tables

        mov     eax, boot_pml4 - KERNBASE
        mov     cr3, eax
        mov     eax, cr4
        or      eax, 1 << 5             ; PAE
        mov     cr4, eax
        mov     ecx, 0xc0000080         ; EFER
        rdmsr
        or      eax, (1 << 8) | (1 << 11)   ; LME | NXE
        wrmsr
        mov     eax, cr0
        or      eax, (1 << 31) | (1 << 16) | 1  ; PG | WP | PE
        mov     cr0, eax

        lgdt    [boot_gdt_ptr]
        jmp     0x08:long_mode_low

.no_long_mode:
        mov     ebx, msg_no_lm
        jmp     .fail
.no_nx:
        mov     ebx, msg_no_nx
.fail:
        call    serial_puts
.halt:
        cli
        hlt
        jmp     .halt

; serial_puts: write the NUL-terminated string at EBX to COM1 (polled).
serial_puts:
        mov     dx, COM1 + 5
.wait:
        in      al, dx
        test    al, 0x20                ; transmitter holding register empty
        jz      .wait
        mov     al, [ebx]
        test    al, al
        jz      .done
        mov     dx, COM1
        out     dx, al
        inc     ebx
        jmp     serial_puts
.done:
        ret

; build_early_tables: zero the seven table pages and fill them as drawn above.
build_early_tables:
        push    edi
        mov     edi, boot_tables_start - KERNBASE
        mov     ecx, (boot_tables_end - boot_tables_start) / 4
        xor     eax, eax
        rep stosd
        pop     edi

        ; four page directories of 2 MiB pages covering 0..4 GiB
        mov     ecx, 0                  ; ecx = 2 MiB page number
.pd_fill:
        mov     eax, ecx
        shl     eax, 21
        or      eax, 0x83               ; present | writable | large
        mov     edx, ecx
        shr     edx, 11                 ; high 32 bits of phys = ecx >> 11
        mov     [boot_pd - KERNBASE + ecx * 8], eax
        mov     [boot_pd - KERNBASE + ecx * 8 + 4], edx
        inc     ecx
        cmp     ecx, 2048
        jb      .pd_fill

        ; boot_pdpt_low[0..3] -> boot_pd[0..3]
        mov     ecx, 0
.pdpt_fill:
        mov     eax, ecx
        shl     eax, 12
        add     eax, boot_pd - KERNBASE + 0x3
        mov     [boot_pdpt_low - KERNBASE + ecx * 8], eax
        inc     ecx
        cmp     ecx, 4
        jb      .pdpt_fill

        mov     eax, boot_pd - KERNBASE + 0x3
        mov     [boot_pdpt_high - KERNBASE + 510 * 8], eax

        mov     eax, boot_pdpt_low - KERNBASE + 0x3
        mov     [boot_pml4 - KERNBASE + 0 * 8], eax
        mov     [boot_pml4 - KERNBASE + 256 * 8], eax
        mov     eax, boot_pdpt_high - KERNBASE + 0x3
        mov     [boot_pml4 - KERNBASE + 511 * 8], eax
        ret

bits 64
long_mode_low:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        xor     ax, ax
        mov     fs, ax
        mov     gs, ax
        mov     rax, long_mode_high
        jmp     rax

section .boot.data progbits alloc noexec write
align 16
boot_gdt:
        dq 0
        dq 0x00af9a000000ffff           ; 0x08: 64-bit code, ring 0
        dq 0x00cf92000000ffff           ; 0x10: data, ring 0
boot_gdt_end:
boot_gdt_ptr:
        dw boot_gdt_end - boot_gdt - 1
        dd boot_gdt

msg_no_lm:
        db "boot: this CPU has no long mode (x86-64); cannot continue", 13, 10, 0
msg_no_nx:
        db "boot: this CPU has no NX bit (EFER.NXE); cannot continue", 13, 10, 0

section .text
extern kmain
long_mode_high:
        mov     rsp, boot_stack_top
        xor     rbp, rbp                ; ends every backtrace
        ; edi = magic, esi = mbi (zero-extended by the 32-bit moves)
        xchg    edi, esi
        call    kmain
.spin:
        cli
        hlt
        jmp     .spin

section .data
global boot_tsc
align 8
boot_tsc:
        dq 0

section .bss
align 4096
global boot_pml4
boot_tables_start:
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pdpt_high: resb 4096
boot_pd:        resb 4 * 4096
boot_tables_end:

global boot_stack_bottom, boot_stack_top
align 4096
boot_stack_bottom:
        resb 32768
boot_stack_top:
