/*
 * kern/arch/gdt.c - the global descriptor table and the TSS.
 *
 * In long mode segments are nearly gone: the code descriptors only say
 * "64-bit" and a privilege level, data descriptors are ignored by most
 * instructions.  What still matters is the TSS, which holds
 *
 *   rsp0     the stack the CPU loads when a trap arrives from user mode;
 *   ist[1..7] stacks the IDT can force for particular vectors.
 *
 * A double fault, an NMI and a machine check each get an IST stack of their
 * own, so that a kernel stack overflow (which faults again on the push of
 * the trap frame) lands on a good stack and can report itself instead of
 * triple-faulting.
 *
 *   0x00 null | 0x08 kcode | 0x10 kdata | 0x18 ucode32 | 0x20 udata |
 *   0x28 ucode64 | 0x30 TSS (two slots: 16-byte system descriptor)
 *
 * Each CPU has its own GDT and TSS, in its struct cpu_info
 * (kern/arch/cpu_info.h): the TSS holds that CPU's rsp0 and IST stacks,
 * and ltr marks the descriptor it loads busy, so two CPUs cannot share
 * one.  The boot CPU's IST stacks are static (there is no allocator yet
 * when gdt_init runs); an AP's are guarded kernel stacks kern/core/smp.c
 * allocated and left in ci_ist_top.
 */
#include "kern/arch/gdt.h"
#include "kern/lib/string.h"

#define IST_STACK_SIZE 16384

static uint8_t boot_ist_stacks[NIST][IST_STACK_SIZE] __aligned(16);

/* A code or data descriptor: the flags byte pair and the access byte. */
static uint64_t
seg_desc(uint8_t access, uint8_t flags)
{
	return (0xffffULL) | ((uint64_t)access << 40) |
	    ((uint64_t)(flags | 0xf) << 48);
}

static void
tss_desc(uint64_t *slot, const struct tss *tss)
{
	uint64_t base = (uint64_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	    (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
	    (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

void
gdt_init(void)
{
	struct cpu_info *ci = curcpu();
	uint64_t *gdt = ci->ci_gdt;
	struct tss *tss = &ci->ci_tss;
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed gdtr = { sizeof(ci->ci_gdt) - 1, (uint64_t)gdt };

	gdt[0] = 0;
	gdt[1] = seg_desc(0x9a, 0xa0);     /* kernel code: P, DPL0, L */
	gdt[2] = seg_desc(0x92, 0xc0);     /* kernel data */
	gdt[3] = seg_desc(0xfa, 0xc0);     /* user 32-bit code (unused) */
	gdt[4] = seg_desc(0xf2, 0xc0);     /* user data */
	gdt[5] = seg_desc(0xfa, 0xa0);     /* user 64-bit code */
	tss_desc(&gdt[6], tss);

	memset(tss, 0, sizeof(*tss));
	for (int i = 0; i < NIST; i++) {
		if (ci->ci_index == 0)
			ci->ci_ist_top[i] = (vaddr_t)&boot_ist_stacks[i][IST_STACK_SIZE];
		tss->ist[i] = ci->ci_ist_top[i];
	}
	tss->iomap_base = sizeof(*tss);

	__asm__ volatile(
	    "lgdt %0\n\t"
	    "mov %1, %%ds\n\t"
	    "mov %1, %%es\n\t"
	    "mov %1, %%ss\n\t"
	    "pushq %2\n\t"
	    "leaq 1f(%%rip), %%rax\n\t"
	    "pushq %%rax\n\t"
	    "lretq\n"
	    "1:\n\t"
	    "ltr %w3"
	    :
	    : "m"(gdtr), "r"((uint64_t)SEL_KDATA), "i"(SEL_KCODE), "r"(SEL_TSS)
	    : "rax", "memory");
}

void
gdt_set_kernel_stack(uint64_t rsp0)
{
	struct cpu_info *ci = curcpu();

	ci->ci_tss.rsp[0] = rsp0;
	ci->ci_rsp0 = rsp0;     /* syscall_entry reads it through %gs */
}

uint64_t
gdt_kernel_stack(void)
{
	return curcpu()->ci_tss.rsp[0];
}
