/*
 * dev/lapic.c - the local APIC, in xAPIC (memory-mapped) mode.
 *
 * Every register is a 32-bit word at a 16-byte-aligned offset in the
 * page; reads and writes must be single 32-bit accesses, hence the
 * volatile uint32_t pointer.  What the kernel sets:
 *
 *   SVR      0xf0   bit 8 enables the APIC; bits 0-7 the vector it uses
 *                   for a spurious interrupt (an interrupt withdrawn after
 *                   the CPU started to accept it; it needs no EOI)
 *   TPR      0x80   0: accept interrupts of every priority
 *   LINT0    0x350  ExtINT: the 8259's INTR pin, so a kernel without an
 *                   I/O APIC can still take legacy IRQs through the PICs
 *   LINT1    0x360  NMI
 *   LVT err  0x370  an error (a bad vector, say) interrupts on error_vec
 *   LVT tmr  0x320  vector | periodic bit | mask bit
 *   DIV      0x3e0  0x3: the timer counts bus clock / 16
 *   INIT     0x380  the count to start from (writing it starts the timer)
 *   CUR      0x390  where the count is now
 *
 * The timer's rate is not architectural, so the clock measures it once
 * against the PIT (kern/core/clock.c) with lapic_timer_start_free.
 */
#include "dev/lapic.h"
#include "kern/arch/cpu.h"

#define APIC_BASE_BSP (1UL << 8)
#define APIC_BASE_ENABLE (1UL << 11)
#define APIC_BASE_ADDR 0x000ffffffffff000UL
#define CPUID1_EDX_APIC (1u << 9)

#define LVT_DM_NMI (4u << 8)
#define LVT_DM_EXTINT (7u << 8)

#define ICR_FIXED (0u << 8)
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_ALL_BUT_SELF (3u << 18)

static volatile uint32_t *regs;

static void
lapic_write(uint32_t reg, uint32_t v)
{
	regs[reg / 4] = v;
	(void)regs[LAPIC_ID / 4];       /* wait for the write to land */
}

uint32_t
lapic_read(uint32_t reg)
{
	return regs[reg / 4];
}

bool
lapic_present(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return (d & CPUID1_EDX_APIC) != 0;
}

paddr_t
lapic_phys_base(void)
{
	return rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR;
}

void
lapic_init(vaddr_t va, uint8_t spurious_vec, uint8_t error_vec)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	regs = (volatile uint32_t *)va;
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | spurious_vec);
	lapic_write(LAPIC_TPR, 0);
	/* Only one CPU may take the 8259s' interrupts: the boot CPU. */
	lapic_write(LAPIC_LVT_LINT0, (base & APIC_BASE_BSP) ? LVT_DM_EXTINT :
	    LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_DM_NMI);
	lapic_write(LAPIC_LVT_ERROR, error_vec);
	/* The error status register latches on a write; clear it twice. */
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	lapic_timer_stop();
	lapic_eoi();                    /* nothing left in service */
}

uint32_t
lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

/* Send one IPI: destination, then the command word, which sends. */
static void
icr_send(uint32_t apicid, uint32_t lo)
{
	uint64_t s = intr_disable();

	while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
		cpu_pause();
	lapic_write(LAPIC_ICR_HI, apicid << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
		cpu_pause();
	intr_restore(s);
}

void
lapic_ipi(uint32_t apicid, uint8_t vector)
{
	icr_send(apicid, ICR_FIXED | ICR_ASSERT | vector);
}

void
lapic_ipi_allbutself(uint8_t vector)
{
	icr_send(0, ICR_FIXED | ICR_ASSERT | ICR_ALL_BUT_SELF | vector);
}

void
lapic_nmi_allbutself(void)
{
	icr_send(0, ICR_NMI | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

void
lapic_init_ipi(uint32_t apicid)
{
	icr_send(apicid, ICR_INIT | ICR_ASSERT);
}

void
lapic_startup_ipi(uint32_t apicid, paddr_t pa)
{
	icr_send(apicid, ICR_STARTUP | ICR_ASSERT | (uint32_t)(pa >> 12));
}

bool
lapic_active(void)
{
	return regs != NULL;
}

bool
lapic_in_service(void)
{
	for (uint32_t r = 0; r < 8; r++) {
		if (lapic_read(LAPIC_ISR0 + r * 0x10) != 0)
			return true;
	}
	return false;
}

void
lapic_eoi(void)
{
	regs[LAPIC_EOI / 4] = 0;
}

void
lapic_timer_start_free(void)
{
	lapic_write(LAPIC_TIMER_DIV, 0x3);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
}

uint32_t
lapic_timer_count(void)
{
	return lapic_read(LAPIC_TIMER_CUR);
}

void
lapic_timer_periodic(uint8_t vector, uint32_t count)
{
	lapic_write(LAPIC_TIMER_DIV, 0x3);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | vector);
	lapic_write(LAPIC_TIMER_INIT, count);
}

void
lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
}
