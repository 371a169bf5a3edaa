/*
 * tests/pmap/shootdown_test.c - TLB shootdown (pmap/pmap.c) on two CPUs.
 *
 * The main test: an AP activates a test address space and touches its
 * pages in a loop, inside one long cross-call; the boot CPU unmaps (or
 * write-protects) them.  When the boot CPU's munmap returns, the AP's
 * very next access must fault - no stale translation survives - and the
 * whole batch of pages cost the AP exactly one shootdown IPI:
 *
 *   cpu0 (the test)                    cpu1 (reader_loop, a cross-call)
 *   map 16 pages, fault them in        pmap_activate(test pmap)
 *   start the reader  ---------------> loop: acked? access (trap_catch)
 *   wait: 64 accesses done                    note ok / fault
 *   uvm_unmap: PTEs cleared,                  smp_call_service()  <- poll
 *     shootdown posted  -------------> (taken at the next poll: invlpg x16)
 *     waits for the ack <-------------  ack
 *   returns; lets it run on                   every access from here faults
 *   stop  ---------------------------> pmap_activate(kernel); return
 *   assert on what it noted and on pmap_counters
 *
 * Why a poll.  The reader runs inside a cross-call, in the IPI handler,
 * with interrupts off and the call vector in service at its local APIC:
 * a second IPI (the shootdown, on the same vector) stays pending until
 * the handler returns.  A separate shootdown vector would not help (every
 * vector from 0xf0 up is in the same priority class, blocked the same
 * way), and turning interrupts on inside a handler would let the timer
 * and everything else in too.  So the loop calls smp_call_service between
 * two accesses, the same thing a CPU spinning on a lock or waiting for
 * its own cross-call does.  It also makes the moment exact: the shootdown
 * runs between two accesses, and each access knows whether it came after.
 * Another test leaves the pmap loaded on a parked AP, which takes the
 * shootdown by its interrupt, the ordinary way.
 *
 * The AP's thread is its park thread, which has no vmspace: its fault on
 * the unmapped user page is not resolved but caught by trap_catch.
 * Cross-called code never asserts; it records, the boot CPU asserts.
 * With one CPU the tests that need a second say so and pass; the ones
 * about sending nothing run everywhere.
 */
#include "kern/core/ktest.h"
#include "kern/arch/cpu.h"
#include "kern/arch/cpu_info.h"
#include "kern/arch/trap.h"
#include "kern/core/panic.h"
#include "kern/core/smp.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"

#define SD_VA 0x10000000UL
#define SD_PAGES 16                     /* one batch: <= PMAP_TLB_MAX */
#define SD_WARMUP 64                    /* accesses before the change */
#define SD_AFTER (2 * SD_PAGES)         /* accesses after it returned */
#define SD_BOUND 400000000L             /* pause loops before giving up */

static bool
one_cpu(const char *what)
{
	if (ncpu > 1)
		return false;
	ktest_print("# shootdown: one CPU online (SMP=1): %s not tested here; "
	    "make test-smp runs it with two\n", what);
	return true;
}

/* pmap_counters and cpu1's shootdowns, before and after a change. */
struct sd_counts {
	uint64_t shootdowns, ipis, pages, flushall, local_pages, ap_shot;
};

static void
sd_counts_take(struct sd_counts *k)
{
	k->shootdowns = pmap_counters.tlb_shootdowns;
	k->ipis = pmap_counters.tlb_ipis;
	k->pages = pmap_counters.tlb_ipi_pages;
	k->flushall = pmap_counters.tlb_ipi_all;
	k->local_pages = pmap_counters.tlb_shootpage;
	k->ap_shot = ncpu > 1 ? cpu_infos[1].ci_ntlbshoot : 0;
}

/* What the reader on cpu1 noted, and how the test drives it. */
struct reader {
	struct pmap *pm;
	bool write;                     /* store instead of load */
	volatile bool stop;             /* the test: finish */
	volatile bool done;             /* the reader: back on the kernel pmap */
	volatile long naccess;          /* accesses finished */
	long first_acked;               /* index of the first after the ack, or -1 */
	long first_fault;               /* index of the first fault, or -1 */
	long ok_before, bad_value, fault_before, ok_after, fault_after;
	struct trap_expect te;          /* the first fault after the ack */
	struct trap_expect scratch;
};

static uint64_t
sd_pattern(int page)
{
	return 0x5d00000000UL + (uint64_t)page;
}

/* One access of page naccess % SD_PAGES; a load checks the pattern. */
static void
reader_access(void *arg)
{
	struct reader *r = arg;
	int page = (int)(r->naccess % SD_PAGES);
	volatile uint64_t *p = (uint64_t *)(SD_VA + (vaddr_t)page * PAGE_SIZE);

	if (r->write)
		p[1] = (uint64_t)r->naccess;
	else if (*p != sd_pattern(page))
		r->bad_value++;
}

static void
reader_note(struct reader *r, bool acked, bool faulted)
{
	long i = r->naccess;

	if (acked && r->first_acked < 0)
		r->first_acked = i;
	if (faulted && r->first_fault < 0)
		r->first_fault = i;
	if (acked && faulted && r->fault_after == 0)
		r->te = r->scratch;
	if (acked)
		*(faulted ? &r->fault_after : &r->ok_after) += 1;
	else
		*(faulted ? &r->fault_before : &r->ok_before) += 1;
	__atomic_store_n(&r->naccess, i + 1, __ATOMIC_RELEASE);
}

/* cpu1, in a cross-call: access the pages until told to stop. */
static void
reader_loop(void *arg)
{
	struct reader *r = arg;
	struct cpu_info *ci = curcpu();
	uint64_t shot0 = ci->ci_ntlbshoot;

	pmap_activate(r->pm);
	for (long n = 0; n < SD_BOUND && !r->stop; n++) {
		bool acked = ci->ci_ntlbshoot != shot0;
		bool faulted = trap_catch(reader_access, r, &r->scratch);
		reader_note(r, acked, faulted);
		smp_call_service();     /* the shootdown comes in here */
	}
	pmap_activate(pmap_kernel());
	r->done = true;
}

/* Wait (bounded) until the reader has finished n accesses. */
static bool
reader_wait(struct reader *r, long n)
{
	for (long i = 0; i < SD_BOUND; i++) {
		if (__atomic_load_n(&r->naccess, __ATOMIC_ACQUIRE) >= n)
			return true;
		cpu_pause();
	}
	return false;
}

/* A test map of SD_PAGES pages, each written with its pattern. */
static void
sd_map(struct vmtest *t)
{
	vmtest_begin(t);
	KT_EQ(vmtest_map_anon(t, SD_VA, SD_PAGES), SD_VA);
	vmtest_activate(t);
	for (int i = 0; i < SD_PAGES; i++)
		*(volatile uint64_t *)(SD_VA + (vaddr_t)i * PAGE_SIZE) = sd_pattern(i);
	vmtest_deactivate(t);
	KT_ASSERT(!(t->map->pmap->pm_cpus & 1));  /* not on this CPU any more */
}

enum sd_change { SD_UNMAP, SD_READONLY, SD_PAGE_PROTECT };

/* => 0 or uvm_map_protect's error (asserted once the reader is done). */
static int
sd_change(struct vmtest *t, enum sd_change how, struct vm_page *pg0)
{
	vaddr_t end = SD_VA + SD_PAGES * PAGE_SIZE;

	if (how == SD_UNMAP)
		uvm_unmap(t->map, SD_VA, end);
	else if (how == SD_READONLY)
		return uvm_map_protect(t->map, SD_VA, end, VM_PROT_READ, false);
	else
		pmap_page_protect(pg0, VM_PROT_NONE);
	return 0;
}

/*
 * Run the reader on cpu1 while this CPU changes the map by how; fill
 * r and the counters around the change.  => returns the accesses the
 * reader had finished when the change began and when it returned.
 */
static void
sd_race(struct vmtest *t, struct reader *r, enum sd_change how,
    struct sd_counts *before, struct sd_counts *after, long *began, long *ended)
{
	struct vm_page *pg0 = vmtest_anon(t, SD_VA)->an_page;
	struct smp_call c;
	bool warm, ran_on;
	cpuset_t cpus;
	int error;

	/* No assertion while the reader runs: a failure must not leave it. */
	r->pm = t->map->pmap;
	r->first_acked = r->first_fault = -1;
	smp_call_start(&c, 1UL << 1, reader_loop, r);
	warm = reader_wait(r, SD_WARMUP);
	cpus = r->pm->pm_cpus;
	*began = r->naccess;
	sd_counts_take(before);
	error = sd_change(t, how, pg0);
	sd_counts_take(after);
	*ended = r->naccess;
	ran_on = reader_wait(r, *ended + SD_AFTER);
	r->stop = true;
	smp_call_wait(&c);
	KT_ASSERT(warm && ran_on && r->done);
	KT_EQ(error, 0);
	KT_EQ(cpus, 1UL << 1);                  /* cpu1's alone */
	KT_EQ(r->pm->pm_cpus, 0);               /* cpu1 left it */
}

/* What every race must show, whatever the change. */
static void
sd_race_check(struct reader *r, long began, long ended, vaddr_t len)
{
	/* The ack came before the change returned: every access begun
	 * after that (index > ended) came after the ack, and faulted. */
	KT_ASSERT(r->first_acked >= began && r->first_acked <= ended + 1);
	KT_EQ(r->ok_after, 0);
	KT_EQ(r->bad_value, 0);
	KT_ASSERT(r->ok_before >= began);       /* all before the change read */
	KT_ASSERT(r->first_fault >= began);     /* ... without a fault */
	KT_ASSERT(r->fault_after >= SD_AFTER);
	KT_EQ(r->first_fault <= r->first_acked, true);
	KT_EQ(r->te.vector, T_PAGE_FAULT);
	KT_ASSERT(r->te.addr >= SD_VA && r->te.addr < SD_VA + len);
}

/* One race: its reader, the counters around the change, the space. */
struct sd_run {
	struct reader r;
	struct sd_counts b, a;
	struct vmtest t;
	long began, ended;
};

static struct sd_run sd_run_store;      /* the reader is cross-called: not on a stack */

/* Map the pages and race how against cpu1 reading (or writing) them. */
static struct sd_run *
sd_run(enum sd_change how, bool write)
{
	struct sd_run *x = &sd_run_store;

	memset(x, 0, sizeof(*x));
	x->r.write = write;
	sd_map(&x->t);
	sd_race(&x->t, &x->r, how, &x->b, &x->a, &x->began, &x->ended);
	return x;
}

/* The change cost one shootdown: one IPI, to cpu1 only, taken there. */
static void
sd_one_ipi(const struct sd_run *x)
{
	KT_EQ(x->a.shootdowns - x->b.shootdowns, 1);
	KT_EQ(x->a.ipis - x->b.ipis, 1);
	KT_EQ(x->a.ap_shot - x->b.ap_shot, 1);
}

KTEST(shootdown, munmap_returns_only_when_the_other_cpu_has_forgotten_the_pages)
{
	struct sd_run *x;

	if (one_cpu("a munmap racing a reader on another CPU"))
		return;
	x = sd_run(SD_UNMAP, false);
	sd_race_check(&x->r, x->began, x->ended, SD_PAGES * PAGE_SIZE);
	KT_EQ(x->r.te.error & PGEX_P, 0);       /* not present */
	sd_one_ipi(x);                          /* for the whole batch */
	KT_EQ(x->a.flushall - x->b.flushall, 0);
	/* The 16 pages, and the address under each page table freed. */
	KT_ASSERT(x->a.pages - x->b.pages >= SD_PAGES &&
	    x->a.pages - x->b.pages <= SD_PAGES + 3);
	KT_EQ(x->a.local_pages - x->b.local_pages, 0);  /* not active here */
	ktest_print("# shootdown: munmap of %d pages: %lu shootdown, %lu IPI, "
	    "%lu pages; cpu1 made %ld accesses, %ld faulted after the ack\n",
	    SD_PAGES, x->a.shootdowns - x->b.shootdowns, x->a.ipis - x->b.ipis,
	    x->a.pages - x->b.pages, x->r.naccess, x->r.fault_after);
	vmtest_end(&x->t);
}

KTEST(shootdown, mprotect_read_only_makes_the_other_cpus_next_store_fault)
{
	struct sd_run *x;

	if (one_cpu("an mprotect racing a writer on another CPU"))
		return;
	x = sd_run(SD_READONLY, true);
	sd_race_check(&x->r, x->began, x->ended, SD_PAGES * PAGE_SIZE);
	KT_EQ(x->r.te.error & (PGEX_P | PGEX_W), PGEX_P | PGEX_W);
	sd_one_ipi(x);
	KT_EQ(x->a.pages - x->b.pages, SD_PAGES);
	/* Still mapped, read-only; the stores before the ack landed. */
	KT_EQ(vmtest_pte(&x->t, SD_VA) & (PG_V | PG_RW), PG_V);
	vmtest_end(&x->t);
}

/* pmap_page_protect has no pmap argument: it shoots down at once. */
KTEST(shootdown, page_protect_over_a_pv_list_reaches_the_other_cpu)
{
	struct sd_run *x;

	if (one_cpu("pmap_page_protect racing a reader on another CPU"))
		return;
	x = sd_run(SD_PAGE_PROTECT, false);
	/* Only page 0 went: the reader faults on it, reads the rest. */
	KT_EQ(x->r.bad_value, 0);
	KT_ASSERT(x->r.first_acked >= x->began && x->r.first_acked <= x->ended + 1);
	KT_ASSERT(x->r.fault_after >= 1);
	KT_EQ(x->r.te.addr, SD_VA);
	sd_one_ipi(x);
	KT_EQ(x->a.pages - x->b.pages, 1);
	KT_EQ(vmtest_pte(&x->t, SD_VA) & PG_V, 0);
	vmtest_end(&x->t);
}

/* ------------------------------------------------------------------ */

struct parked {
	struct pmap *pm;
	bool load;                      /* first call: activate, then read */
	bool faulted;
	uint64_t value;
	struct trap_expect te;
};

static void
parked_read_one(void *arg)
{
	struct parked *p = arg;

	p->value = *(volatile uint64_t *)SD_VA;
}

/* cpu1: (first call) load pm; read page 0; (second call) unload pm. */
static void
parked_read(void *arg)
{
	struct parked *p = arg;

	if (p->load)
		pmap_activate(p->pm);
	p->faulted = trap_catch(parked_read_one, p, &p->te);
	if (!p->load)
		pmap_activate(pmap_kernel());
}

/*
 * The ordinary case: cpu1 has the pmap loaded and sits parked (halted,
 * interrupts on).  The shootdown reaches it by its IPI; its next read,
 * in a later cross-call, faults.
 */
KTEST(shootdown, a_parked_cpu_with_the_pmap_loaded_takes_it_by_interrupt)
{
	static struct parked p;
	struct sd_counts b, a;
	struct vmtest t;
	uint64_t ipis;
	bool read_first;

	if (one_cpu("a shootdown to a parked CPU"))
		return;
	memset(&p, 0, sizeof(p));
	sd_map(&t);
	p.pm = t.map->pmap;
	p.load = true;
	smp_call(1, parked_read, &p);
	read_first = !p.faulted && p.value == sd_pattern(0);
	KT_EQ(p.pm->pm_cpus, 1UL << 1);         /* still loaded there */
	ipis = cpu_infos[1].ci_nipis;
	sd_counts_take(&b);
	uvm_unmap(t.map, SD_VA, SD_VA + SD_PAGES * PAGE_SIZE);
	sd_counts_take(&a);
	KT_EQ(cpu_infos[1].ci_nipis, ipis + 1);
	p.load = false;
	smp_call(1, parked_read, &p);
	KT_ASSERT(read_first);
	KT_ASSERT(p.faulted);
	KT_EQ(p.te.addr, SD_VA);
	KT_EQ(a.shootdowns - b.shootdowns, 1);
	KT_EQ(a.ipis - b.ipis, 1);
	KT_EQ(a.ap_shot - b.ap_shot, 1);
	KT_EQ(p.pm->pm_cpus, 0);
	vmtest_end(&t);
}

/* Active on this CPU alone (or nowhere): nothing is sent, on any boot. */
KTEST(shootdown, no_ipi_when_the_pmap_is_active_on_no_other_cpu)
{
	struct sd_counts b, a;
	struct vmtest t;

	sd_map(&t);
	vmtest_activate(&t);
	KT_EQ(t.map->pmap->pm_cpus, 1UL << cpu_number());
	for (int i = 0; i < SD_PAGES; i++)      /* in this CPU's TLB */
		KT_EQ(*(volatile uint64_t *)(SD_VA + (vaddr_t)i * PAGE_SIZE),
		    sd_pattern(i));
	sd_counts_take(&b);
	uvm_unmap(t.map, SD_VA, SD_VA + 4 * PAGE_SIZE);
	sd_counts_take(&a);
	KT_EQ(a.shootdowns, b.shootdowns);
	KT_EQ(a.ipis, b.ipis);
	KT_EQ(a.ap_shot, b.ap_shot);
	KT_EQ(a.local_pages - b.local_pages, 4);        /* invlpg here only */
	vmtest_deactivate(&t);
	KT_EQ(t.map->pmap->pm_cpus, 0);
	/* Loaded nowhere: not even this CPU invalidates. */
	sd_counts_take(&b);
	uvm_unmap(t.map, SD_VA + 4 * PAGE_SIZE, SD_VA + SD_PAGES * PAGE_SIZE);
	sd_counts_take(&a);
	KT_EQ(a.shootdowns, b.shootdowns);
	KT_EQ(a.local_pages, b.local_pages);
	vmtest_end(&t);
}

/* ------------------------------------------------------------------ */

struct kread {
	vaddr_t va;
	bool faulted[MAXCPUS];
	uint64_t value[MAXCPUS];
	struct trap_expect te[MAXCPUS];
};

static void
kread_one(void *arg)
{
	struct kread *k = arg;

	k->value[cpu_number()] = *(volatile uint64_t *)k->va;
}

/* Every CPU (cross-called): read k->va, noting a fault. */
static void
kread(void *arg)
{
	struct kread *k = arg;
	int me = cpu_number();

	k->faulted[me] = trap_catch(kread_one, k, &k->te[me]);
}

/*
 * A kernel page (global in every TLB) unmapped by uvm_km_free: one
 * shootdown to every other online CPU, and each one's next read faults
 * (the arena does not hand the address out again soon).
 */
KTEST(shootdown, a_kernel_unmap_reaches_every_cpu)
{
	static struct kread k;
	uint64_t shot[MAXCPUS];
	struct sd_counts b, a;
	cpuset_t others = smp_cpus_online() & ~(1UL << cpu_number());
	int nothers = __builtin_popcountl(others);

	memset(&k, 0, sizeof(k));
	k.va = uvm_km_alloc(PAGE_SIZE, 0);
	KT_ASSERT(k.va != 0);
	*(volatile uint64_t *)k.va = 0x6b65726e656cUL;
	smp_call_all(kread, &k);                /* cached everywhere */
	for (int i = 0; i < MAXCPUS; i++) {
		KT_ASSERT(!(others & (1UL << i)) || (!k.faulted[i] &&
		    k.value[i] == 0x6b65726e656cUL));
		shot[i] = cpu_infos[i].ci_ntlbshoot;
	}
	sd_counts_take(&b);
	uvm_km_free(k.va, PAGE_SIZE, 0);
	sd_counts_take(&a);
	smp_call_all(kread, &k);
	for (int i = 0; i < MAXCPUS; i++) {
		if (!(others & (1UL << i)))
			continue;
		KT_ASSERT(k.faulted[i]);
		KT_EQ(k.te[i].addr, k.va);
		KT_EQ(cpu_infos[i].ci_ntlbshoot, shot[i] + 1);
	}
	KT_EQ(a.shootdowns - b.shootdowns, nothers > 0 ? 1 : 0);
	KT_EQ(a.ipis - b.ipis, (uint64_t)nothers);
	KT_ASSERT(a.local_pages - b.local_pages >= 1);   /* and here */
	one_cpu("the kernel shootdown's IPIs");
}
