/*
 * tests/uvm/uvm_snapshot_test.c - the snapshot (uvm/uvm_snapshot.c) says
 * what the structures are, checked against the structures themselves:
 *
 *   one written page     its entry, its amap (ref 1, slot 0), its anon
 *                        (ref 1) and the anon's page, mapped writable with
 *                        A and D set at the page's address; the write
 *                        fault in the trace as 2B-zero
 *   fork                 parent and child entries needs-copy, pointing at
 *                        the same amap (ref 2) and the same anon (ref 1)
 *   the child writes     its entry has a new amap and a new anon (ref 1),
 *                        the page a new frame; the fault was case 1B
 *   a small buffer       the snapshot stops at a whole line and says
 *                        "truncated"
 */
#include "kern/core/ktest.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_amap.h"
#include "uvm/uvm_anon.h"
#include "uvm/uvm_ftrace.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_snapshot.h"

#define BASE 0x20000000UL
#define PPID 9001               /* the test's pids, to find its faults */
#define CPID 9002

static char snapbuf[16384];
static char want[160];

/* Does the snapshot s have a line starting with want? */
static bool
snap_has(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *line = s; line != NULL && *line != '\0'; ) {
		if (strncmp(line, prefix, n) == 0)
			return true;
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return false;
}

/* Is want anywhere in s? */
static bool
snap_contains(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s != '\0'; s++) {
		if (strncmp(s, w, n) == 0)
			return true;
	}
	return false;
}

static const char *
snap(struct vmtest *t, int pid)
{
	size_t n = uvm_snapshot(t->vm, pid, snapbuf, sizeof(snapbuf));

	KT_ASSERT(n > 0 && n < sizeof(snapbuf));
	KT_EQ(snapbuf[n], '\0');
	return snapbuf;
}

static void
store(struct vmtest *t, vaddr_t va, char c)
{
	vmtest_activate(t);
	*(volatile char *)va = c;
	vmtest_deactivate(t);
}

/* The entry, amap, slot, anon and page lines of t's page at BASE. */
static void
expect_page(struct vmtest *t, const char *s, const char *flags, int amapref)
{
	struct vm_map_entry *e = vmtest_entry(t, BASE);
	struct vm_anon *anon = vmtest_anon(t, BASE);

	ksnprintf(want, sizeof(want), "entry start=%lx end=%lx prot=rw- maxprot=rwx inherit=copy "
	    "flags=%s wired=0 amap=%lx pageoff=0 obj=0 off=0\n", BASE, BASE + PAGE_SIZE, flags,
	    (uint64_t)e->aref.ar_amap);
	KT_ASSERT(snap_has(s, want));
	ksnprintf(want, sizeof(want), "amap id=%lx ref=%d nslot=1 nused=1 shared=0 ppref=none\n",
	    (uint64_t)e->aref.ar_amap, amapref);
	KT_ASSERT(snap_has(s, want));
	ksnprintf(want, sizeof(want), "slot amap=%lx idx=0 anon=%lx\n",
	    (uint64_t)e->aref.ar_amap, (uint64_t)anon);
	KT_ASSERT(snap_has(s, want));
	ksnprintf(want, sizeof(want), "anon id=%lx ref=%d swslot=0 page=%lx\n", (uint64_t)anon,
	    anon->an_ref, (uint64_t)anon->an_page->phys_addr);
	KT_ASSERT(snap_has(s, want));
	ksnprintf(want, sizeof(want), "page pa=%lx owner=anon:%lx off=0 flags=dirty",
	    (uint64_t)anon->an_page->phys_addr, (uint64_t)anon);
	KT_ASSERT(snap_has(s, want));
}

KTEST(snapshot, one_page_shows_entry_amap_anon_page_and_its_fault)
{
	struct vmtest t;
	const char *s;

	vmtest_begin(&t);
	t.vm->vm_pid = PPID;
	vmtest_map_anon(&t, BASE, 1);
	store(&t, BASE, 'P');
	s = snap(&t, PPID);
	ksnprintf(want, sizeof(want), "uvm pid=%d pmap=%lx entries=1 ", PPID, (uint64_t)t.map->pmap);
	KT_ASSERT(snap_has(s, want));
	expect_page(&t, s, "cow", 1);
	/* The one mapping: this pmap, this va, writable, accessed, dirty. */
	ksnprintf(want, sizeof(want), "nmap=1 maps=%lx@%lx/rwAD\n", (uint64_t)t.map->pmap, BASE);
	KT_ASSERT(snap_contains(s, want));
	ksnprintf(want, sizeof(want), "fault seq=%lu va=%lx access=w case=2B-zero ",
	    uvm_ftrace.seq, BASE);
	KT_ASSERT(snap_has(s, want));
	KT_ASSERT(snap_has(s, "end\n"));
	vmtest_end(&t);
}

KTEST(snapshot, fork_shares_amap_and_anon_until_the_childs_write_case_1B)
{
	struct vmtest p, c;
	struct vm_anon *a0;
	const char *s;

	vmtest_begin(&p);
	p.vm->vm_pid = PPID;
	vmtest_map_anon(&p, BASE, 1);
	store(&p, BASE, 'P');
	a0 = vmtest_anon(&p, BASE);
	vmtest_fork(&p, &c);
	c.vm->vm_pid = CPID;
	/* After fork: both needs-copy, one amap (ref 2), one anon (ref 1). */
	KT_EQ(vmtest_entry(&c, BASE)->aref.ar_amap, (uint64_t)vmtest_entry(&p, BASE)->aref.ar_amap);
	expect_page(&p, snap(&p, PPID), "cow,needscopy", 2);
	expect_page(&c, snap(&c, CPID), "cow,needscopy", 2);
	ksnprintf(want, sizeof(want), "anon id=%lx ref=1 ", (uint64_t)a0);
	KT_ASSERT(snap_has(snapbuf, want));
	/* The child writes: a new amap and anon of its own, case 1B. */
	store(&c, BASE, 'C');
	s = snap(&c, CPID);
	KT_ASSERT(vmtest_anon(&c, BASE) != a0);
	expect_page(&c, s, "cow", 1);
	ksnprintf(want, sizeof(want), "anon id=%lx ", (uint64_t)a0);
	KT_ASSERT(!snap_has(s, want));
	ksnprintf(want, sizeof(want), "fault seq=%lu va=%lx access=w case=1B ", uvm_ftrace.seq, BASE);
	KT_ASSERT(snap_has(s, want));
	/* The parent's side: still needs-copy, its amap now ref 1. */
	expect_page(&p, snap(&p, PPID), "cow,needscopy", 1);
	vmtest_end(&c);
	vmtest_end(&p);
}

KTEST(snapshot, a_small_buffer_ends_in_a_whole_line_and_truncated)
{
	struct vmtest t;
	size_t n;

	vmtest_begin(&t);
	vmtest_map_anon(&t, BASE, 1);
	store(&t, BASE, 'P');
	n = uvm_snapshot(t.vm, 0, snapbuf, 200);
	KT_ASSERT(n > 0 && n < 200);
	KT_EQ(snapbuf[n], '\0');
	KT_ASSERT(n >= 10 && strcmp(snapbuf + n - 10, "truncated\n") == 0);
	KT_ASSERT(snap_has(snapbuf, "uvm pid=0 "));
	KT_EQ(uvm_snapshot(t.vm, 0, snapbuf, 8), 0);
	vmtest_end(&t);
}
