/*
 * kern/arch/cpu_info.c - the per-CPU structures and the GS base that
 * leads each CPU to its own (the picture is in cpu_info.h).
 *
 * The array is static, so the boot CPU's entry exists before any
 * allocator: kmain's first call points GS at cpu_infos[0] and from then
 * on curthread (thread0 until the scheduler switches) works.  An AP's
 * entry is filled by kern/core/smp.c before the AP is started, and the
 * AP loads it in its first C function.
 */
#include "kern/arch/cpu_info.h"
#include "kern/arch/cpu.h"

struct cpu_info cpu_infos[MAXCPUS];
volatile int ncpu = 1;

void
cpu_info_load(struct cpu_info *ci)
{
	wrmsr(MSR_GS_BASE, (uint64_t)ci);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void
cpu_info_boot_init(struct thread *t0)
{
	struct cpu_info *ci = &cpu_infos[0];

	ci->ci_self = ci;
	ci->ci_curthread = t0;
	ci->ci_index = 0;
	ci->ci_online = true;
	cpu_info_load(ci);
}

uint64_t
cpu_gs_base(void)
{
	return rdmsr(MSR_GS_BASE);
}
