/*
 * tests/kern/fs/procfs_test.c - what /proc/PID/smaps says about shared
 * library text, proved from the structures underneath (issue 19, item
 * 4): two processes running the same dynamic glibc program map libc's
 * text from ONE uvm_object, every text page they both map has two PV
 * entries, and each one's Pss for that entry is its Rss / 2.
 *
 * The two processes must be alive together, stopped where they are.
 * Debian's busybox (from the disk, on /mnt) runs
 *
 *   { ghello-dyn L & ghello-dyn L; } | busybox sleep 1000
 *
 * with L a 64 KiB word: each hello's printf of it fills the pipe nobody
 * reads (64 KiB, as on Linux) and blocks in write ("pipewr") - inside
 * glibc, libc.so.6 mapped.
 * busybox is static, so nothing else maps libc: a page's mappings are
 * exactly the hellos' PTEs that point at it.
 *
 *   hello A pmap --PTE--+                     smaps of A's libc r-xp:
 *                       +--> libc.so.6 page     Rss  n pages
 *   hello B pmap --PTE--+    pv_count 2         Pss  n / 2 pages
 *
 * First what ld.so left (each page's mapcount is the number of the two
 * pmaps mapping it; Pss is the sum of PAGE_SIZE / mapcount over A's
 * mapped pages), then, after faulting every resident text page into
 * both, the exact halving.  The cleanup kills the tree and joins the
 * thread that waits for it, whatever happened.
 */
#include "kern/core/ktest.h"
#include "kern/core/thread.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/vfs/vfs.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/disktest.h"
#include "tests/harness/threadtest.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_usage.h"

#define PS_BUSYBOX "/mnt/usr/bin/busybox"
#define PS_HELLO "ghello-dyn"
#define PS_LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define PS_SCRIPT "L=x; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do L=$L$L; done; " \
	"{ /bin/" PS_HELLO " $L & /bin/" PS_HELLO " $L; } | " PS_BUSYBOX " sleep 1000"

/* The tree busybox runs: its thread, its result, the hellos found. */
struct ps_tree {
	struct thread *t;
	int error, status;
	bool done;
	int hello[2];                   /* pids */
	struct proc_info pi[2];         /* with vmspace references */
	int npi;
};

static struct ps_tree ps_tree;

static void
ps_runner(void *arg)
{
	struct ps_tree *tr = arg;
	char *argv[] = { "sh", "-c", PS_SCRIPT, NULL };
	char *envp[] = { "PATH=/bin", NULL };

	tr->error = proc_run(PS_BUSYBOX, argv, envp, &tr->status);
	tr->done = true;
}

/* Are both hellos there, blocked writing to the pipe?  Fills tr->hello. */
static bool
ps_hellos_blocked(void *arg)
{
	struct ps_tree *tr = arg;
	int pids[64], n = proc_pids(pids, 64), found = 0;
	struct proc_info pi;

	for (int i = 0; i < n && found < 2; i++) {
		if (proc_info_get(pids[i], &pi) != 0)
			continue;
		if (strcmp(pi.name, PS_HELLO) == 0 && strcmp(pi.wchan, "pipewr") == 0)
			tr->hello[found++] = pi.pid;
		proc_info_put(&pi);
	}
	return found == 2 || tr->done;
}

static bool
ps_runner_done(void *arg)
{
	return ((struct ps_tree *)arg)->done;
}

/* Kill everything the tree made (the test boot runs nothing else past
 * its root) and wait for proc_run to come back. */
static void
ps_cleanup(void *arg)
{
	struct ps_tree *tr = arg;
	int pids[64], n;

	for (int i = 0; i < tr->npi; i++)
		proc_info_put(&tr->pi[i]);
	tr->npi = 0;
	while (tr->t != NULL && !tr->done) {
		n = proc_pids(pids, 64);
		for (int i = 0; i < n; i++)
			(void)proc_signal_pid(pids[i], SIGKILL);
		(void)tt_wait(ps_runner_done, tr, 2);
	}
	if (tr->t != NULL)
		(void)thread_join(tr->t);
	tr->t = NULL;
}

/* A copy of the executable entry of map mapping uobj.  => found. */
static bool
ps_text_entry(struct vm_map *map, struct uvm_object *uobj, struct vm_map_entry *out)
{
	bool found = false;

	vm_map_lock(map);
	for (struct vm_map_entry *e = map->header.next; e != &map->header && !found;
	    e = e->next) {
		if (e->object == uobj && (e->protection & VM_PROT_EXECUTE)) {
			*out = *e;
			found = true;
		}
	}
	vm_map_unlock(map);
	return found;
}

/* Does pm map pg at va? */
static bool
ps_maps(struct pmap *pm, vaddr_t va, const struct vm_page *pg)
{
	uint64_t pte = pmap_pte_lookup(pm, va);

	return (pte & PG_V) && (pte & PG_FRAME) == pg->phys_addr;
}

/* The usage of the entry at va in map. */
static struct uvm_usage
ps_usage(struct vm_map *map, vaddr_t va)
{
	struct vm_map_entry *e;
	struct uvm_usage u;

	memset(&u, 0, sizeof(u));
	vm_map_lock(map);
	if (uvm_map_lookup_entry(map, va, &e))
		uvm_usage_entry(map, e, &u);
	vm_map_unlock(map);
	return u;
}

/* Per page of the text: resident?  mapped by A, by B?  Its mapcount. */
struct ps_count {
	uint64_t resident, in_a, in_b, both, pss_a, pss_b;
	bool counts_agree;              /* every mapcount = in A + in B */
};

static struct ps_count
ps_count_pages(struct uvm_object *uobj, struct pmap *pa, const struct vm_map_entry *ea,
    struct pmap *pb, const struct vm_map_entry *eb)
{
	struct ps_count c = { .counts_agree = true };

	mutex_enter(&uobj->vmobjlock);
	for (vaddr_t off = 0; off < ea->end - ea->start; off += PAGE_SIZE) {
		struct vm_page *pg = uvm_obj_page_lookup(uobj, ea->offset + (voff_t)off);
		if (pg == NULL)
			continue;
		bool a = ps_maps(pa, ea->start + off, pg), b = ps_maps(pb, eb->start + off, pg);
		uint32_t n = pmap_page_mapcount(pg);
		c.resident++;
		c.in_a += a;
		c.in_b += b;
		c.both += a && b;
		c.counts_agree &= n == (uint32_t)a + (uint32_t)b;
		if (a)
			c.pss_a += PAGE_SIZE / n;
		if (b)
			c.pss_b += PAGE_SIZE / n;
	}
	mutex_exit(&uobj->vmobjlock);
	return c;
}

/* Fault every resident page of the text into map (read): returns how many
 * were not mapped there before. */
static int
ps_fault_resident(struct uvm_object *uobj, struct vm_map *map,
    const struct vm_map_entry *e)
{
	int n = 0;

	for (vaddr_t off = 0; off < e->end - e->start; off += PAGE_SIZE) {
		mutex_enter(&uobj->vmobjlock);
		struct vm_page *pg = uvm_obj_page_lookup(uobj, e->offset + (voff_t)off);
		bool want = pg != NULL && !ps_maps(map->pmap, e->start + off, pg);
		mutex_exit(&uobj->vmobjlock);
		if (want) {
			KT_EQ(uvm_fault(map, e->start + off, VM_PROT_READ), 0);
			n++;
		}
	}
	return n;
}

KTEST(procfs, two_dynamic_programs_share_libc_text_and_halve_its_pss)
{
	struct ps_tree *tr = &ps_tree;
	struct vm_map_entry ea, eb;
	struct vnode *libc = NULL;
	bool mounted = disktest_mount();

	memset(tr, 0, sizeof(*tr));
	KT_EQ(namei(NULL, PS_LIBC, NAMEI_FOLLOW, &libc, NULL), 0);
	struct uvm_object *uobj = libc->v_obj;
	vrele(libc);                    /* the hellos' mappings will hold it */
	tr->t = thread_create("procfs-share", ps_runner, tr);
	KT_ASSERT(tr->t != NULL);
	ktest_cleanup_push(ps_cleanup, tr);
	KT_ASSERT(tt_wait(ps_hellos_blocked, tr, 30 * 100));
	KT_ASSERT(!tr->done);
	for (int i = 0; i < 2; i++) {
		KT_EQ(proc_info_get(tr->hello[i], &tr->pi[i]), 0);
		tr->npi++;
		KT_ASSERT(tr->pi[i].vmspace != NULL);
	}
	struct vm_map *ma = &tr->pi[0].vmspace->vm_map, *mb = &tr->pi[1].vmspace->vm_map;
	/* The same object - libc.so.6's own - at the same offset, in both. */
	KT_ASSERT(ps_text_entry(ma, uobj, &ea));
	KT_ASSERT(ps_text_entry(mb, uobj, &eb));
	KT_ASSERT(ea.etype & UVM_ET_COPYONWRITE);        /* MAP_PRIVATE */
	KT_EQ(ea.offset, eb.offset);
	KT_EQ(ea.end - ea.start, eb.end - eb.start);

	/* As ld.so and glibc left them: mapcounts are the two pmaps' PTEs,
	 * and smaps' Pss is PAGE_SIZE / mapcount summed over mapped pages. */
	struct ps_count c = ps_count_pages(uobj, ma->pmap, &ea, mb->pmap, &eb);
	struct uvm_usage ua = ps_usage(ma, ea.start), ub = ps_usage(mb, eb.start);
	kprintf("procfs: libc text %lu pages resident; hello A maps %lu, B %lu, "
	    "both %lu; Rss/Pss A %lu/%lu kB, B %lu/%lu kB\n", c.resident, c.in_a,
	    c.in_b, c.both, ua.rss / 1024, ua.pss / 1024, ub.rss / 1024, ub.pss / 1024);
	KT_ASSERT(c.counts_agree);
	KT_ASSERT(c.both > 0);          /* the code both ran to printf */
	KT_EQ(ua.rss, c.in_a * PAGE_SIZE);
	KT_EQ(ub.rss, c.in_b * PAGE_SIZE);
	KT_EQ(ua.pss, c.pss_a);
	KT_EQ(ub.pss, c.pss_b);
	KT_EQ(ua.anon, 0);              /* text is never written */
	KT_EQ(ua.shared_clean, c.both * PAGE_SIZE);
	KT_EQ(ua.pss_file, ua.pss);

	/* Every resident text page into both (until fault-ahead adds none):
	 * then each has exactly two mappings and Pss is exactly Rss / 2. */
	for (int pass = 0; pass < 8; pass++)
		if (ps_fault_resident(uobj, ma, &ea) + ps_fault_resident(uobj, mb, &eb) == 0)
			break;
	c = ps_count_pages(uobj, ma->pmap, &ea, mb->pmap, &eb);
	ua = ps_usage(ma, ea.start);
	ub = ps_usage(mb, eb.start);
	kprintf("procfs: after faulting the rest: %lu pages, mapcount 2 each; "
	    "Rss/Pss A %lu/%lu kB, B %lu/%lu kB\n", c.resident,
	    ua.rss / 1024, ua.pss / 1024, ub.rss / 1024, ub.pss / 1024);
	KT_ASSERT(c.counts_agree);
	KT_EQ(c.in_a, c.resident);
	KT_EQ(c.in_b, c.resident);
	KT_EQ(c.both, c.resident);      /* so every mapcount is 2 */
	KT_EQ(ua.rss, c.resident * PAGE_SIZE);
	KT_EQ(ub.rss, c.resident * PAGE_SIZE);
	KT_EQ(ua.pss, ua.rss / 2);
	KT_EQ(ub.pss, ub.rss / 2);
	KT_EQ(ua.shared_clean, ua.rss);
	KT_EQ(ua.private_clean + ua.private_dirty + ua.shared_dirty, 0);

	ps_cleanup(tr);
	ktest_cleanup_pop(tr);
	KT_EQ(tr->error, 0);
	disktest_unmount(mounted);
}
