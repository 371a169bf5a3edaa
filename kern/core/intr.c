/*
 * kern/core/intr.c - interrupt controllers and the handler table.
 *
 * Which controller, and why.  x86 has two ways in: the legacy 8259 pair,
 * and the local APIC built into every CPU since the Pentium (plus I/O
 * APICs for device lines: dev/ioapic.c, used when MSI-X is not).  The kernel wants the local
 * APIC, for its timer; the 8259s are remapped off the exception vectors
 * and masked, because otherwise a stray IRQ 7 would look like a device-
 * not-available fault.  Only when CPUID reports no local APIC (or
 * lapic=0 asks to pretend so) does the clock fall back to the PIT on the
 * 8259's IRQ 0 (kern/core/clock.c).
 *
 * Where an interrupt's end-of-interrupt goes depends on where it came
 * from, which the vector says:
 *
 *   vector      source                    EOI
 *   32 - 47     8259 (through LINT0 or     i8259_eoi (the local APIC does
 *               straight to the CPU)       not track ExtINT interrupts)
 *   48 - 254    local APIC (devices' I/O   lapic_eoi (for a level-triggered
 *               APIC pins and MSI-X, the   I/O APIC pin the local APIC
 *               timer, APIC errors)        passes the EOI on to it)
 *   255         spurious                   none: nothing is in service
 *   39, 47      8259 spurious IRQ 7 / 15   none (IRQ 15: the master's)
 *
 * The local APIC's page is mapped with devmem_map (kern/core/devmem.c), an
 * uncached mapping in the kernel arena: the direct map would reach it
 * too, but write-back cached, which device registers must never be.
 *
 * Locking: the table changes under intr_lock (a spin lock, after the
 * I/O APIC's).  intr_dispatch, on any CPU, reads a slot without it: a
 * handler's argument is stored before its function (a release store),
 * and a vector is disestablished only once its source is masked (the
 * I/O APIC masks the line first), so no CPU is about to dispatch it.  The count of handlers running (intr_context) is per CPU
 * (ci_intr_depth), the per-vector counts are atomic.
 */
#include "kern/core/intr.h"
#include "dev/i8259.h"
#include "dev/lapic.h"
#include "kern/core/cmdline.h"
#include "kern/arch/cpu.h"
#include "kern/arch/cpu_info.h"
#include "kern/core/devmem.h"
#include "kern/arch/trap.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/printf.h"
#include "kern/lib/spinlock.h"

KOPT(lapic, "lapic", "0: ignore the local APIC (tick from the PIT through the 8259)");

struct intr_slot {
	intr_fn fn;
	void *arg;
	uint64_t count;
};

static struct intr_slot slots[256];
static struct spinlock intr_lock = SPINLOCK_INIT("intr table");
static uint64_t nstray;
static vaddr_t lapic_va;
static bool vec_taken[VEC_DEVICE_MAX + 1];    /* intr_alloc_vector's */

static void
lapic_error_intr(void *arg)
{
	(void)arg;
	kprintf("intr: local APIC error, status %#x\n", lapic_read(LAPIC_ESR));
}

void
intr_init(void)
{
	vaddr_t va;
	paddr_t pa;

	i8259_init();
	if (!lapic_present() || kopt_get_u64("lapic", 1) == 0) {
		kprintf("intr: no local APIC%s; 8259s at vectors 32-47, all masked\n",
		    lapic_present() ? " (lapic=0)" : "");
		return;
	}
	pa = lapic_phys_base();
	va = devmem_map(pa, PAGE_SIZE);
	if (va == 0)
		panic("intr_init: no kernel addresses for the local APIC");
	lapic_init(va, VEC_SPURIOUS, VEC_LAPIC_ERROR);
	lapic_va = va;
	intr_establish(VEC_LAPIC_ERROR, lapic_error_intr, NULL);
	kprintf("intr: local APIC id %u version %#x at %#lx (mapped uncached at %#lx); "
	    "8259s at vectors 32-47, all masked\n", lapic_read(LAPIC_ID) >> 24,
	    lapic_read(LAPIC_VERSION) & 0xff, pa, va);
}

bool
intr_lapic(void)
{
	return lapic_active();
}

vaddr_t
intr_lapic_va(void)
{
	return lapic_va;
}

int
intr_establish(int vector, intr_fn fn, void *arg)
{
	int error = 0;

	if (vector < VEC_IRQ_BASE || vector >= VEC_SPURIOUS || fn == NULL)
		return -EINVAL;
	spin_lock(&intr_lock);
	if (slots[vector].fn != NULL) {
		error = -EBUSY;
	} else {
		/* arg first: a CPU dispatching meanwhile that sees fn sees it */
		slots[vector].arg = arg;
		__atomic_store_n(&slots[vector].fn, fn, __ATOMIC_RELEASE);
	}
	spin_unlock(&intr_lock);
	return error;
}

int
intr_alloc_vector(void)
{
	int v;

	spin_lock(&intr_lock);
	for (v = VEC_DEVICE_MIN; v <= VEC_DEVICE_MAX; v++) {
		if (!vec_taken[v] && slots[v].fn == NULL)
			break;
	}
	if (v <= VEC_DEVICE_MAX)
		vec_taken[v] = true;
	spin_unlock(&intr_lock);
	return v <= VEC_DEVICE_MAX ? v : -ENOSPC;
}

void
intr_free_vector(int vector)
{
	spin_lock(&intr_lock);
	KASSERT(vector >= VEC_DEVICE_MIN && vector <= VEC_DEVICE_MAX &&
	    vec_taken[vector] && slots[vector].fn == NULL);
	vec_taken[vector] = false;
	spin_unlock(&intr_lock);
}

void
intr_disestablish(int vector)
{
	spin_lock(&intr_lock);
	KASSERT(vector >= 0 && vector < 256 && slots[vector].fn != NULL);
	slots[vector].fn = NULL;
	slots[vector].arg = NULL;
	spin_unlock(&intr_lock);
}

uint64_t
intr_count(int vector)
{
	return slots[vector & 0xff].count;
}

bool
intr_context(void)
{
	return curcpu()->ci_intr_depth > 0;
}

void
intr_abandon_in_service(void)
{
	KASSERT(curcpu()->ci_intr_depth == 0 && !intr_enabled());
	for (int i = 0; i < 8 && lapic_active() && lapic_in_service(); i++)
		lapic_eoi();
	if (i8259_in_service() != 0)
		i8259_eoi(i8259_in_service() >> 8 ? 8 : 0);
}

/* An 8259 line that raised its interrupt without a request behind it? */
static bool
pic_spurious(int vector)
{
	int irq = vector - VEC_IRQ_BASE;

	return (irq == 7 || irq == 15) && i8259_spurious(irq);
}

static void
eoi(int vector)
{
	if (vector < VEC_IRQ_BASE + I8259_NIRQ)
		i8259_eoi(vector - VEC_IRQ_BASE);
	else if (lapic_active())
		lapic_eoi();
}

void
intr_dispatch(struct trapframe *tf)
{
	int v = (int)tf->vector;
	struct intr_slot *sl = &slots[v];
	struct cpu_info *ci = curcpu();
	intr_fn fn = __atomic_load_n(&sl->fn, __ATOMIC_ACQUIRE);

	KASSERT(v >= VEC_IRQ_BASE && v < 256 && !intr_enabled());
	__atomic_add_fetch(&sl->count, 1, __ATOMIC_RELAXED);
	if (v == VEC_SPURIOUS || (v < VEC_IRQ_BASE + I8259_NIRQ && pic_spurious(v)))
		return;
	ci->ci_intr_depth++;   /* handlers do not nest: 0 or 1 */
	if (fn != NULL)
		fn(sl->arg);
	else if (__atomic_fetch_add(&nstray, 1, __ATOMIC_RELAXED) < 8)
		kprintf("intr: stray interrupt on vector %d (no handler)\n", v);
	ci->ci_intr_depth--;
	eoi(v);
}
