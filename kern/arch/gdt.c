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
 */
#include "kern/arch/gdt.h"
#include "kern/lib/string.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

_Static_assert(sizeof(struct tss) == 104, "TSS is 104 bytes");

#define IST_STACK_SIZE 16384

static uint64_t gdt[8];
static struct tss tss;
static uint8_t ist_stacks[3][IST_STACK_SIZE] __aligned(16);

/* A code or data descriptor: the flags byte pair and the access byte. */
static uint64_t
seg_desc(uint8_t access, uint8_t flags)
{
	return (0xffffULL) | ((uint64_t)access << 40) |
	    ((uint64_t)(flags | 0xf) << 48);
}

static void
tss_desc(uint64_t *slot)
{
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof(tss) - 1;

	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	    (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
	    (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

void
gdt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed gdtr = { sizeof(gdt) - 1, (uint64_t)gdt };

	gdt[0] = 0;
	gdt[1] = seg_desc(0x9a, 0xa0);     /* kernel code: P, DPL0, L */
	gdt[2] = seg_desc(0x92, 0xc0);     /* kernel data */
	gdt[3] = seg_desc(0xfa, 0xc0);     /* user 32-bit code (unused) */
	gdt[4] = seg_desc(0xf2, 0xc0);     /* user data */
	gdt[5] = seg_desc(0xfa, 0xa0);     /* user 64-bit code */
	tss_desc(&gdt[6]);

	memset(&tss, 0, sizeof(tss));
	for (int i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss);

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

/* Read by syscall_entry (kern/arch/syscall_entry.asm), which has no TSS help. */
uint64_t syscall_rsp0;

void
gdt_set_kernel_stack(uint64_t rsp0)
{
	tss.rsp[0] = rsp0;
	syscall_rsp0 = rsp0;
}

uint64_t
gdt_kernel_stack(void)
{
	return tss.rsp[0];
}
