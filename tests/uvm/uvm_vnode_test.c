/*
 * tests/uvm/uvm_vnode_test.c - the vnode pager (uvm/uvm_vnode.c): reads
 * clustered by advice, write-back in disk-contiguous clusters, holes,
 * truncation, write errors, and the page daemon writing dirty file pages
 * to their file.
 *
 * A fake file system lives in this file: one struct uvm_vnode on the
 * scratch disk vdb whose bmap maps file byte X to disk byte X + FK_BASE.
 * It has a block size (a page, or 1 KiB to make a page's blocks
 * scattered), a disk-run length (bmap's runs end at multiples of it), a
 * per-block "present" map (a hole is a block not present; bmap with
 * alloc makes it present and counts it) and an allocation budget (0:
 * -ENOSPC).  The tests write a pattern to the disk with blk_io, read it
 * through the pager, and read the disk back after write-back.
 *
 * The pdaemon/ tests at the end need their own boot (64 MiB, swap on
 * vda), as the other page-daemon tests do: a pass frees whatever is on
 * the inactive queue.
 */
#include "kern/core/ktest.h"
#include "kern/core/thread.h"
#include "kern/proc/proc.h"
#include "kern/sys/syscall.h"
#include "kern/vfs/vfs.h"
#include "kern/vfs/vfs_vnops.h"
#include "dev/blk.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "pmap/pte.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pdaemon.h"
#include "uvm/uvm_swap.h"
#include "uvm/uvm_vnode.h"

#define PGSZ ((voff_t)PAGE_SIZE)
#define PGOFF(n) ((voff_t)(n) * PGSZ)
#define FK_MAXBLOCKS 2048
#define FK_BASE ((uint64_t)1 << 20)     /* disk byte of file byte 0 */
#define VA 0x30000000UL

/* ------------------------------------------------------------------ */
/* The fake file system                                                */

struct fakefs {
	struct uvm_vnode uvn;
	size_t blksize;                 /* its blocks */
	size_t runlen;                  /* bmap's runs end at multiples of it */
	bool present[FK_MAXBLOCKS];     /* false: a hole */
	int budget;                     /* blocks it may still allocate (-1: any) */
	int allocs;                     /* blocks bmap allocated */
	int holds;                      /* uvn_hold minus uvn_rele */
	bool live;
};

static struct fakefs fk;
static uint8_t buf[PAGE_SIZE];          /* a page of data for the tests */

static int
fk_bmap(struct uvm_vnode *uvn, voff_t off, bool alloc, uint64_t *daddr,
    size_t *run)
{
	struct fakefs *f = container_of(uvn, struct fakefs, uvn);
	uint64_t end = ROUND_UP((uint64_t)uvn->u_size, f->blksize);
	uint64_t b = (uint64_t)off / f->blksize, stop, e;
	bool hole;

	if (off < 0 || (uint64_t)off >= end || b >= FK_MAXBLOCKS)
		return -EINVAL;
	if (!f->present[b] && alloc) {
		if (f->budget == 0)
			return -ENOSPC;
		if (f->budget > 0)
			f->budget--;
		f->present[b] = true;
		f->allocs++;
	}
	hole = !f->present[b];
	stop = hole ? end : MIN(end, ROUND_DOWN((uint64_t)off, f->runlen) + f->runlen);
	for (e = b * f->blksize; e < stop && f->present[e / f->blksize] == !hole;)
		e += f->blksize;
	*daddr = hole ? UVN_HOLE : FK_BASE + (uint64_t)off;
	*run = (size_t)(MIN(e, stop) - (uint64_t)off);
	return 0;
}

static void
fk_hold(struct uvm_vnode *uvn)
{
	container_of(uvn, struct fakefs, uvn)->holds++;
}

static void
fk_rele(struct uvm_vnode *uvn)
{
	container_of(uvn, struct fakefs, uvn)->holds--;
}

static const struct uvn_ops fk_ops = {
	.uvn_bmap = fk_bmap,
	.uvn_hold = fk_hold,
	.uvn_rele = fk_rele,
};

static struct blkdev *
vdb(void)
{
	struct blkdev *d = blk_lookup("vdb");

	if (d == NULL)
		ktest_fail(__FILE__, __LINE__, "no scratch disk vdb (see QEMU_DISKS)");
	return d;
}

/* After a failed assertion: no injected errors, the object gone. */
static void
fk_abandon(void *arg)
{
	struct fakefs *f = arg;

	blk_inject_error(vdb(), BLK_WRITE, 0, 0, 0);
	blk_inject_error(vdb(), BLK_READ, 0, 0, 0);
	if (f->live)
		uvn_destroy(&f->uvn);
	f->live = false;
}

/* A file of size bytes, every block present. */
static void
fk_begin(voff_t size, size_t blksize, size_t runlen)
{
	KT_ASSERT(!fk.live);
	memset(&fk, 0, sizeof(fk));
	fk.blksize = blksize;
	fk.runlen = runlen;
	fk.budget = -1;
	for (uint64_t b = 0; b < ROUND_UP((uint64_t)size, blksize) / blksize; b++)
		fk.present[b] = true;
	uvn_init(&fk.uvn, &fk_ops, vdb(), size, &fk);
	fk.live = true;
	ktest_cleanup_push(fk_abandon, &fk);
}

static void
fk_end(void)
{
	KT_EQ(uvn_check(&fk.uvn, ktest_print), 0);
	KT_EQ(fk.holds, 0);
	ktest_cleanup_pop(&fk);
	uvn_destroy(&fk.uvn);
	fk.live = false;
}

/* Blocks [from, to) (in bytes) become holes. */
static void
fk_punch(voff_t from, voff_t to)
{
	for (voff_t o = from; o < to; o += (voff_t)fk.blksize)
		fk.present[(uint64_t)o / fk.blksize] = false;
}

static struct uvm_object *
fk_obj(void)
{
	return &fk.uvn.u_obj;
}

/* ------------------------------------------------------------------ */
/* The disk and the pattern                                            */

/* The pattern's byte at file offset off. */
static uint8_t
pat(uint64_t seed, uint64_t off)
{
	return (uint8_t)(seed * 31 + off * 7 + (off >> 12) * 13 + 1);
}

static void
pat_fill(uint8_t *p, voff_t off, size_t len, uint64_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = pat(seed, (uint64_t)off + i);
}

/* Bytes equal to the pattern (or zero if seed is 0)? */
static bool
pat_ok(const uint8_t *p, voff_t off, size_t len, uint64_t seed)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != (seed == 0 ? 0 : pat(seed, (uint64_t)off + i)))
			return false;
	}
	return true;
}

/* Read or write file page n's bytes on the disk through buf. */
static int
disk_page(int n, bool write)
{
	struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, 0);
	struct blk_seg seg;
	int error;

	KT_ASSERT(pg != NULL);
	seg.pa = pg->phys_addr;
	seg.len = PAGE_SIZE;
	if (write)
		memcpy(vm_page_kva(pg), buf, PAGE_SIZE);
	error = blk_io(vdb(), write ? BLK_WRITE : BLK_READ,
	    (FK_BASE + (uint64_t)PGOFF(n)) / BLK_SECTOR, &seg, 1);
	if (!write)
		memcpy(buf, vm_page_kva(pg), PAGE_SIZE);
	vm_page_free(pg);
	return error;
}

/* Put the pattern in file pages [0, npages) on the disk. */
static void
disk_fill(int npages, uint64_t seed)
{
	for (int n = 0; n < npages; n++) {
		pat_fill(buf, PGOFF(n), PAGE_SIZE, seed);
		KT_EQ(disk_page(n, true), 0);
	}
}

/* Does the disk hold the pattern in bytes [from, to) of file page n? */
static bool
disk_ok(int n, size_t from, size_t to, uint64_t seed)
{
	KT_EQ(disk_page(n, false), 0);
	return pat_ok(buf + from, PGOFF(n) + (voff_t)from, to - from, seed);
}

/* ------------------------------------------------------------------ */
/* Pager calls                                                         */

/* pgo_get without PGO_LOCKED of file page n: the page, busy. */
static int
fk_get(int n, vm_prot_t access, int advice, int flags, struct vm_page **pgp)
{
	int npages = 1;

	*pgp = NULL;
	return fk_obj()->pgops->pgo_get(fk_obj(), PGOFF(n), 0, pgp, &npages,
	    access, advice, flags);
}

/* Done with a page fk_get returned. */
static void
fk_release(struct vm_page *pg)
{
	mutex_enter(&fk_obj()->vmobjlock);
	vm_page_unbusy(pg);
	vm_page_activate(pg);
	mutex_exit(&fk_obj()->vmobjlock);
}

/* Read file page n in (advice), then let it go. */
static void
fk_read(int n, int advice)
{
	struct vm_page *pg;

	KT_EQ(fk_get(n, VM_PROT_READ, advice, 0, &pg), 0);
	fk_release(pg);
}

/* The resident page n, or NULL. */
static struct vm_page *
fk_page(int n)
{
	struct vm_page *pg;

	mutex_enter(&fk_obj()->vmobjlock);
	pg = uvm_obj_page_lookup(fk_obj(), PGOFF(n));
	mutex_exit(&fk_obj()->vmobjlock);
	return pg;
}

static bool
fk_dirty(int n)
{
	struct vm_page *pg = fk_page(n);

	KT_ASSERT(pg != NULL);
	return !(pg->flags & PG_CLEAN) || pmap_is_modified(pg);
}

/* Write the pattern over file page n through the object (read(2)'s way). */
static void
fk_write_page(int n, uint64_t seed)
{
	pat_fill(buf, PGOFF(n), PAGE_SIZE, seed);
	KT_EQ(uvm_obj_rdwr(fk_obj(), PGOFF(n), buf, PAGE_SIZE, true), 0);
}

static int
fk_put(voff_t start, voff_t stop, int flags)
{
	int error;

	mutex_enter(&fk_obj()->vmobjlock);
	error = fk_obj()->pgops->pgo_put(fk_obj(), start, stop, flags);
	mutex_exit(&fk_obj()->vmobjlock);
	return error;
}

/* Map the file's first npages pages shared, read/write, at VA. */
static void
fk_map(struct vmtest *t, int npages)
{
	fk_obj()->pgops->pgo_reference(fk_obj());       /* the mapping's */
	vmtest_map(t, VA, npages, fk_obj(), VM_PROT_READ | VM_PROT_WRITE, 0);
	KT_EQ(fk.holds, 1);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

KTEST(uvm_vnode, get_reads_a_cluster_around_the_fault_in_one_request)
{
	struct vm_page *pg;
	uint64_t reads0, gets0, pages0;

	fk_begin(PGOFF(32), PAGE_SIZE, 1 << 20);
	disk_fill(32, 1);
	reads0 = vdb()->stats.reads;
	gets0 = uvn_stats.gets;
	pages0 = uvn_stats.get_pages;
	KT_EQ(fk_get(8, VM_PROT_READ, UVM_ADV_NORMAL, 0, &pg), 0);
	KT_ASSERT(pg != NULL && pg->offset == PGOFF(8) && (pg->flags & PG_BUSY));
	KT_EQ(vdb()->stats.reads - reads0, 1);          /* one request */
	KT_EQ(uvn_stats.gets - gets0, 1);
	KT_EQ(uvn_stats.get_pages - pages0, 16);        /* 4 back, 11 ahead */
	KT_EQ(fk_obj()->uo_npages, 16);
	for (int n = 4; n < 20; n++) {
		struct vm_page *p = fk_page(n);
		KT_ASSERT(p != NULL && (p->flags & PG_CLEAN) && !(p->flags & PG_FAKE));
		KT_ASSERT(pat_ok(vm_page_kva(p), PGOFF(n), PAGE_SIZE, 1));
		if (n != 8)
			KT_ASSERT(!(p->flags & PG_BUSY) && (p->pqflags & PQ_ACTIVE));
	}
	KT_ASSERT(fk_page(3) == NULL && fk_page(20) == NULL);
	fk_release(pg);
	fk_end();
}

KTEST(uvm_vnode, cluster_stops_at_resident_pages_the_run_and_the_end)
{
	voff_t size = PGOFF(10) + 100;
	struct vm_page *pg;
	uint64_t reads0 = vdb()->stats.reads, sec0;

	/* 1 KiB blocks, runs of 8 pages: the last run ends with the block
	 * holding the file's last byte, 10 pages + 1 KiB. */
	fk_begin(size, 1024, (size_t)PGOFF(8));
	disk_fill(11, 2);
	fk_read(2, UVM_ADV_RANDOM);
	KT_EQ(vdb()->stats.reads - reads0, 1);
	KT_EQ(fk_obj()->uo_npages, 1);
	fk_read(4, UVM_ADV_NORMAL);             /* back to 3 (2 is there), on to 7 */
	KT_EQ(vdb()->stats.reads - reads0, 2);
	KT_EQ(fk_obj()->uo_npages, 6);
	for (int n = 2; n < 8; n++)
		KT_ASSERT(fk_page(n) != NULL);
	KT_ASSERT(fk_page(8) == NULL);
	sec0 = vdb()->stats.sectors_read;
	fk_read(8, UVM_ADV_NORMAL);             /* 8, 9 and the cut last page */
	KT_EQ(vdb()->stats.reads - reads0, 3);
	KT_EQ(vdb()->stats.sectors_read - sec0, (2 * PAGE_SIZE + 1024) / BLK_SECTOR);
	pg = fk_page(10);
	KT_ASSERT(pg != NULL);
	KT_ASSERT(pat_ok(vm_page_kva(pg), PGOFF(10), 100, 2));
	KT_ASSERT(pat_ok((uint8_t *)vm_page_kva(pg) + 100, 0, PAGE_SIZE - 100, 0));
	KT_EQ(fk_get(11, VM_PROT_READ, UVM_ADV_NORMAL, 0, &pg), -EINVAL);
	fk_end();
}

KTEST(uvm_vnode, random_advice_reads_one_page_sequential_reads_far_ahead)
{
	uint64_t reads0 = vdb()->stats.reads, pages0 = uvn_stats.get_pages;
	int want = MIN(UVN_MAXCLUSTER, vdb()->max_segs);

	fk_begin(PGOFF(48), PAGE_SIZE, 1 << 20);
	disk_fill(48, 3);
	fk_read(10, UVM_ADV_RANDOM);
	KT_EQ(vdb()->stats.reads - reads0, 1);
	KT_EQ(uvn_stats.get_pages - pages0, 1);
	KT_EQ(fk_obj()->uo_npages, 1);
	fk_read(11, UVM_ADV_SEQUENTIAL);        /* nothing back, all ahead */
	KT_EQ(vdb()->stats.reads - reads0, 2);
	KT_EQ(uvn_stats.get_pages - pages0, 1 + (uint64_t)want);
	KT_EQ(fk_obj()->uo_npages, 1 + (size_t)want);
	KT_ASSERT(pat_ok(vm_page_kva(fk_page(11 + want - 1)), PGOFF(11 + want - 1),
	    PAGE_SIZE, 3));
	fk_end();
}

/*
 * Without PGO_LOCKED, the pages after the center are the caller's window:
 * random advice reads them along in the one request, and no more; normal
 * advice reaches further ahead where the window is longer than its 11;
 * a window wider than a cluster is cut to the cluster.
 */
KTEST(uvm_vnode, a_get_reads_its_window_in_one_request_whatever_the_advice)
{
	struct vm_page *pps[48], *pg;
	int max = MIN(UVN_MAXCLUSTER, vdb()->max_segs), npages;
	uint64_t reads0 = vdb()->stats.reads, pages0 = uvn_stats.get_pages;

	KT_ASSERT(max >= 24);           /* the normal-advice case below */
	fk_begin(PGOFF(96), PAGE_SIZE, 1 << 20);
	disk_fill(96, 7);
	npages = 3;
	KT_EQ(fk_obj()->pgops->pgo_get(fk_obj(), PGOFF(10), 0, pps, &npages,
	    VM_PROT_READ, UVM_ADV_RANDOM, 0), 0);
	pg = pps[0];
	KT_ASSERT(pg != NULL && pg->offset == PGOFF(10) && (pg->flags & PG_BUSY));
	KT_EQ(npages, 1);
	KT_ASSERT(pps[1] == NULL && pps[2] == NULL);    /* read, not returned */
	fk_release(pg);
	KT_EQ(vdb()->stats.reads - reads0, 1);
	KT_EQ(uvn_stats.get_pages - pages0, 3);
	KT_ASSERT(fk_page(11) != NULL && fk_page(12) != NULL);
	KT_ASSERT(fk_page(9) == NULL && fk_page(13) == NULL);
	KT_ASSERT(pat_ok(vm_page_kva(fk_page(12)), PGOFF(12), PAGE_SIZE, 7));
	/* Normal advice: 4 back as ever, and the window's 19 ahead. */
	npages = 20;
	KT_EQ(fk_obj()->pgops->pgo_get(fk_obj(), PGOFF(40), 0, pps, &npages,
	    VM_PROT_READ, UVM_ADV_NORMAL, 0), 0);
	fk_release(pps[0]);
	KT_EQ(vdb()->stats.reads - reads0, 2);
	KT_ASSERT(fk_page(36) != NULL && fk_page(59) != NULL);
	KT_ASSERT(fk_page(35) == NULL && fk_page(60) == NULL);
	/* Wider than a cluster: one cluster's worth. */
	npages = 48;
	KT_EQ(fk_obj()->pgops->pgo_get(fk_obj(), PGOFF(60), 0, pps,
	    &npages, VM_PROT_READ, UVM_ADV_RANDOM, 0), 0);
	fk_release(pps[0]);
	KT_EQ(vdb()->stats.reads - reads0, 3);
	KT_EQ(uvn_stats.get_pages - pages0, 3 + 24 + (uint64_t)max);
	KT_ASSERT(fk_page(60 + max - 1) != NULL && fk_page(60 + max) == NULL);
	fk_end();
}

/* Free pages held to make memory short (vmtest_hold_free), given back
 * by the cleanup if a test ends half way. */
static struct pglist pressure_held;

static void
pressure_release(void *arg)
{
	vmtest_release(arg);
}

/*
 * With free memory short (under freemin + a cluster), a get reads no
 * more than it was asked: its window, in one request, but not normal
 * advice's 4 pages back and 11 ahead (a sequential reader in 1 MiB calls
 * used to get single pages there, half its requests in a read of a file
 * twice RAM).
 */
KTEST(uvm_vnode, short_of_memory_a_get_reads_its_window_and_nothing_around)
{
	struct vm_page *pps[4];
	int npages = 4;
	uint64_t reads0, pages0;

	fk_begin(PGOFF(64), PAGE_SIZE, 1 << 20);
	disk_fill(64, 9);
	reads0 = vdb()->stats.reads;
	pages0 = uvn_stats.get_pages;
	/* Short (under freemin + a cluster), yet above freemin after the
	 * get's 4 pages: the daemon is not woken to free the file's. */
	ktest_cleanup_push(pressure_release, &pressure_held);
	vmtest_hold_free(&pressure_held, uvmexp.freemin + 8);
	KT_EQ(uvmexp.free, uvmexp.freemin + 8);
	KT_EQ(fk_obj()->pgops->pgo_get(fk_obj(), PGOFF(20), 0, pps, &npages,
	    VM_PROT_READ, UVM_ADV_NORMAL, 0), 0);
	vmtest_release(&pressure_held);
	ktest_cleanup_pop(&pressure_held);
	fk_release(pps[0]);
	KT_EQ(vdb()->stats.reads - reads0, 1);
	KT_EQ(uvn_stats.get_pages - pages0, 4);
	KT_ASSERT(fk_page(19) == NULL && fk_page(24) == NULL);
	KT_ASSERT(pat_ok(vm_page_kva(fk_page(23)), PGOFF(23), PAGE_SIZE, 9));
	fk_end();
}

/* A vnode over the fake file, for read(2)'s path (vn_read). */
static int
fkv_getattr(struct vnode *vp, struct vattr *va)
{
	(void)vp;
	memset(va, 0, sizeof(*va));
	va->va_type = VREG;
	va->va_size = (uint64_t)fk.uvn.u_size;
	return 0;
}

static const struct vnodeops fkv_ops = { .vop_getattr = fkv_getattr };
static struct vnode fkv;

/*
 * read(2) from where the file's last read ended (offset 0 of a fresh
 * vnode) is sequential: the pager reads the largest clusters ahead (2
 * requests of 32 pages for 64, where 4-back-11-ahead would take 4 or
 * more) and the pages read are left inactive.  A read elsewhere is
 * random: one request of just the pages it asks for, left active.
 */
KTEST(uvm_vnode, a_read_of_many_pages_reads_ahead_and_leaves_them_inactive)
{
	struct vmtest t;
	int max = MIN(UVN_MAXCLUSTER, vdb()->max_segs);
	uint64_t off = 0, reads0;

	vmtest_begin(&t);
	fk_begin(PGOFF(128), PAGE_SIZE, 1 << 20);
	disk_fill(128, 5);
	uint8_t *u = (uint8_t *)vmtest_map_anon(&t, VA, 64);
	memset(&fkv, 0, sizeof(fkv));
	mutex_init(&fkv.v_lock, "fkv");
	fkv.v_type = VREG;
	fkv.v_ops = &fkv_ops;
	fkv.v_obj = fk_obj();
	reads0 = vdb()->stats.reads;
	vmtest_activate(&t);
	KT_EQ(vn_read(&fkv, (uint64_t)u, 64 * PAGE_SIZE, &off), 64 * PAGE_SIZE);
	bool same = pat_ok(u, 0, 64 * PAGE_SIZE, 5);
	vmtest_deactivate(&t);
	KT_ASSERT(same);
	KT_EQ(vdb()->stats.reads - reads0, (uint64_t)((64 + max - 1) / max));
	KT_EQ(fk_obj()->uo_npages, 64);
	for (int n = 0; n < 64; n++)            /* read once: first to go */
		KT_ASSERT(fk_page(n)->pqflags & PQ_INACTIVE);
	off = PGOFF(100);
	vmtest_activate(&t);
	KT_EQ(vn_read(&fkv, (uint64_t)u, PAGE_SIZE, &off), PAGE_SIZE);
	same = pat_ok(u, PGOFF(100), PAGE_SIZE, 5);
	vmtest_deactivate(&t);
	KT_ASSERT(same);
	KT_EQ(fk_obj()->uo_npages, 64 + 1);     /* page 100 alone */
	KT_ASSERT(fk_page(100)->pqflags & PQ_ACTIVE);
	/* Two pages somewhere else: random too, read in one request. */
	off = PGOFF(80);
	reads0 = vdb()->stats.reads;
	vmtest_activate(&t);
	KT_EQ(vn_read(&fkv, (uint64_t)u, 2 * PAGE_SIZE, &off), 2 * PAGE_SIZE);
	same = pat_ok(u, PGOFF(80), 2 * PAGE_SIZE, 5);
	vmtest_deactivate(&t);
	KT_ASSERT(same);
	KT_EQ(vdb()->stats.reads - reads0, 1);
	KT_EQ(fk_obj()->uo_npages, 64 + 1 + 2);
	KT_ASSERT(fk_page(79) == NULL && fk_page(82) == NULL);
	KT_ASSERT(fk_page(80)->pqflags & PQ_ACTIVE);
	/* Going on from there is sequential: page 82 and the cluster after
	 * it (up to page 100, resident) in one request, read in passing,
	 * to the inactive queue. */
	reads0 = vdb()->stats.reads;
	vmtest_activate(&t);
	KT_EQ(vn_read(&fkv, (uint64_t)u, PAGE_SIZE, &off), PAGE_SIZE);
	vmtest_deactivate(&t);
	KT_EQ(off, PGOFF(83));
	KT_EQ(vdb()->stats.reads - reads0, 1);
	KT_ASSERT(fk_page(82)->pqflags & PQ_INACTIVE);
	KT_ASSERT(fk_page(82 + MIN(max, 18) - 1) != NULL);
	fk_end();
	vmtest_end(&t);
}

KTEST(uvm_vnode, locked_get_reports_the_resident_pages_of_the_window)
{
	struct vm_page *pps[8];
	int n;

	fk_begin(PGOFF(6), PAGE_SIZE, 1 << 20);
	disk_fill(6, 4);
	fk_read(1, UVM_ADV_RANDOM);
	fk_read(3, UVM_ADV_RANDOM);
	mutex_enter(&fk_obj()->vmobjlock);
	n = 8;
	KT_EQ(fk_obj()->pgops->pgo_get(fk_obj(), 0, 1, pps, &n, VM_PROT_READ,
	    UVM_ADV_NORMAL, PGO_LOCKED), 0);
	KT_EQ(n, 2);
	KT_ASSERT(pps[1] != NULL && pps[3] != NULL && pps[0] == NULL && pps[2] == NULL);
	KT_ASSERT(pps[6] == NULL && pps[7] == NULL);     /* past the end */
	n = 8;
	KT_EQ(fk_obj()->pgops->pgo_get(fk_obj(), 0, 2, pps, &n, VM_PROT_READ,
	    UVM_ADV_NORMAL, PGO_LOCKED), -EBUSY);       /* center not resident */
	KT_EQ(n, 2);
	n = 1;
	KT_EQ(fk_obj()->pgops->pgo_get(fk_obj(), PGOFF(6), 0, pps, &n, VM_PROT_READ,
	    UVM_ADV_NORMAL, PGO_LOCKED), -EINVAL);      /* past the end */
	KT_EQ(fk_obj()->uo_npages, 2);          /* nothing allocated */
	mutex_exit(&fk_obj()->vmobjlock);
	fk_end();
}

KTEST(uvm_vnode, a_hole_reads_as_zeros_without_io_and_a_write_allocates_it)
{
	struct vm_page *pg, *pps[1];
	uint64_t reads0, zeroed0 = uvn_stats.holes_zeroed;
	int n = 1;

	fk_begin(PGOFF(8), PAGE_SIZE, 1 << 20);
	fk_punch(PGOFF(2), PGOFF(6));
	reads0 = vdb()->stats.reads;
	KT_EQ(fk_get(3, VM_PROT_READ, UVM_ADV_NORMAL, 0, &pg), 0);
	KT_EQ(vdb()->stats.reads, reads0);
	KT_EQ(uvn_stats.holes_zeroed - zeroed0, 1);
	KT_EQ(fk_obj()->uo_npages, 1);
	KT_ASSERT(pat_ok(vm_page_kva(pg), 0, PAGE_SIZE, 0));
	KT_ASSERT((pg->flags & PG_RDONLY) && (pg->flags & PG_CLEAN));
	fk_release(pg);
	/* A write must allocate: the locked look-up says "not here". */
	mutex_enter(&fk_obj()->vmobjlock);
	KT_EQ(fk_obj()->pgops->pgo_get(fk_obj(), PGOFF(3), 0, pps, &n,
	    VM_PROT_WRITE, UVM_ADV_NORMAL, PGO_LOCKED), -EBUSY);
	mutex_exit(&fk_obj()->vmobjlock);
	KT_EQ(fk_get(3, VM_PROT_WRITE, UVM_ADV_NORMAL, 0, &pg), 0);
	KT_EQ(fk.allocs, 1);
	KT_ASSERT(!(pg->flags & (PG_RDONLY | PG_CLEAN)));       /* dirty: zeros to write */
	fk_release(pg);
	/* Straight to a write: zero-filled, allocated, still no read. */
	KT_EQ(fk_get(4, VM_PROT_WRITE, UVM_ADV_NORMAL, 0, &pg), 0);
	KT_EQ(fk.allocs, 2);
	KT_EQ(vdb()->stats.reads, reads0);
	fk_release(pg);
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_SYNC), 0);
	KT_ASSERT(disk_ok(3, 0, PAGE_SIZE, 0) && disk_ok(4, 0, PAGE_SIZE, 0));
	fk_end();
}

KTEST(uvm_vnode, scattered_blocks_are_read_and_written_piece_by_piece)
{
	uint64_t reads0 = vdb()->stats.reads, writes0;

	/* 1 KiB blocks, each its own run, block 5 (page 1's second) a hole. */
	fk_begin(PGOFF(2), 1024, 1024);
	disk_fill(2, 5);
	fk_punch(5 * 1024, 6 * 1024);
	fk_read(1, UVM_ADV_NORMAL);
	KT_EQ(vdb()->stats.reads - reads0, 3);          /* 3 blocks, 1 hole */
	KT_EQ(fk_obj()->uo_npages, 1);
	struct vm_page *pg = fk_page(1);
	KT_ASSERT(pat_ok(vm_page_kva(pg), PGOFF(1), 1024, 5));
	KT_ASSERT(pat_ok((uint8_t *)vm_page_kva(pg) + 1024, 0, 1024, 0));
	KT_ASSERT(pat_ok((uint8_t *)vm_page_kva(pg) + 2048, PGOFF(1) + 2048, 2048, 5));
	KT_ASSERT(pg->flags & PG_RDONLY);
	fk_write_page(1, 6);
	KT_EQ(fk.allocs, 1);
	writes0 = vdb()->stats.writes;
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_SYNC), 0);
	KT_EQ(vdb()->stats.writes - writes0, 4);
	KT_ASSERT(disk_ok(1, 0, PAGE_SIZE, 6));
	fk_end();
}

/* ------------------------------------------------------------------ */
/* Writing back                                                        */

KTEST(uvm_vnode, put_writes_dirty_pages_in_one_request_and_leaves_them_clean)
{
	uint64_t writes0, puts0, pages0;

	fk_begin(PGOFF(8), PAGE_SIZE, 1 << 20);
	disk_fill(8, 7);
	fk_read(0, UVM_ADV_SEQUENTIAL);
	KT_EQ(fk_obj()->uo_npages, 8);
	for (int n = 2; n < 6; n++)
		fk_write_page(n, 8);
	KT_ASSERT(!fk_dirty(1) && fk_dirty(2) && fk_dirty(5) && !fk_dirty(6));
	writes0 = vdb()->stats.writes;
	puts0 = uvn_stats.puts;
	pages0 = uvn_stats.put_pages;
	KT_EQ(fk_put(0, PGOFF(8), PGO_CLEANIT), 0);
	KT_EQ(vdb()->stats.writes - writes0, 1);
	KT_EQ(uvn_stats.puts - puts0, 1);
	KT_EQ(uvn_stats.put_pages - pages0, 4);
	for (int n = 0; n < 8; n++) {
		KT_ASSERT(!fk_dirty(n) && !(fk_page(n)->flags & PG_BUSY));
		KT_ASSERT(disk_ok(n, 0, PAGE_SIZE, n >= 2 && n < 6 ? 8 : 7));
	}
	/* PGO_FREE after the clean: everything goes, nothing written. */
	KT_EQ(fk_put(0, 0, PGO_ALLPAGES | PGO_CLEANIT | PGO_FREE), 0);
	KT_EQ(vdb()->stats.writes - writes0, 1);
	KT_EQ(fk_obj()->uo_npages, 0);
	fk_end();
}

KTEST(uvm_vnode, put_splits_at_disk_runs_and_never_writes_past_the_last_block)
{
	voff_t size = PGOFF(3) + 1000;
	uint64_t writes0, sec0;

	/* Runs of 2 pages; 1 KiB blocks: the file's last block ends at
	 * 3 pages + 1 KiB. */
	fk_begin(size, 1024, (size_t)PGOFF(2));
	disk_fill(4, 9);
	for (int n = 0; n < 4; n++)
		fk_write_page(n, 10);   /* page 3 past byte 1000 is no file data */
	writes0 = vdb()->stats.writes;
	sec0 = vdb()->stats.sectors_written;
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_SYNC), 0);
	KT_EQ(vdb()->stats.writes - writes0, 2);        /* pages 0-1, 2-3 */
	KT_EQ(vdb()->stats.sectors_written - sec0, (3 * PAGE_SIZE + 1024) / BLK_SECTOR);
	KT_ASSERT(disk_ok(2, 0, PAGE_SIZE, 10));
	KT_ASSERT(disk_ok(3, 0, 1000, 10));
	KT_ASSERT(disk_ok(3, 1000, 1024, 0));           /* zeroed before the write */
	KT_ASSERT(disk_ok(3, 1024, PAGE_SIZE, 9));      /* never touched */
	KT_ASSERT(pat_ok((uint8_t *)vm_page_kva(fk_page(3)) + 1000, 0,
	    PAGE_SIZE - 1000, 0));
	fk_end();
}

KTEST(uvm_vnode, a_store_through_a_mapping_dirties_the_page_again)
{
	struct vmtest t;
	uint64_t writes0;

	fk_begin(PGOFF(4), PAGE_SIZE, 1 << 20);
	disk_fill(4, 11);
	vmtest_begin(&t);
	fk_map(&t, 4);
	KT_EQ(uvm_fault(t.map, VA + PGOFF(1), VM_PROT_READ), 0);
	KT_ASSERT(!fk_dirty(1));
	vmtest_activate(&t);
	*(volatile uint8_t *)(VA + PGOFF(1) + 5) = 0xa5;
	vmtest_deactivate(&t);
	KT_ASSERT(fk_dirty(1));                 /* the pmap saw the store */
	writes0 = vdb()->stats.writes;
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_SYNC), 0);
	KT_EQ(vdb()->stats.writes - writes0, 1);
	KT_ASSERT(!fk_dirty(1));
	KT_ASSERT(!(pmap_prot(t.map->pmap, VA + PGOFF(1)) & VM_PROT_WRITE));
	KT_ASSERT(disk_ok(1, 6, PAGE_SIZE, 11) && buf[5] == 0xa5);
	vmtest_activate(&t);
	*(volatile uint8_t *)(VA + PGOFF(1) + 6) = 0x5a;   /* faults: write-protected */
	vmtest_deactivate(&t);
	KT_ASSERT(fk_dirty(1));
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_SYNC), 0);
	KT_EQ(vdb()->stats.writes - writes0, 2);
	KT_ASSERT(disk_ok(1, 7, PAGE_SIZE, 11) && buf[6] == 0x5a);
	uvm_unmap(t.map, VA, VA + PGOFF(4));
	KT_EQ(fk.holds, 0);
	fk_end();
	vmtest_end(&t);
}

KTEST(uvm_vnode, a_write_error_keeps_the_page_dirty_and_is_reported_once)
{
	uint64_t errs0 = uvn_stats.write_errors;

	fk_begin(PGOFF(4), PAGE_SIZE, 1 << 20);
	fk_write_page(2, 12);
	blk_inject_error(vdb(), BLK_WRITE, FK_BASE / BLK_SECTOR,
	    (uint64_t)PGOFF(4) / BLK_SECTOR, 1);
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_SYNC), -EIO);
	KT_EQ(uvn_stats.write_errors - errs0, 1);
	KT_ASSERT(fk_dirty(2) && !(fk_page(2)->flags & PG_BUSY));
	/* PGO_FREE with PGO_CLEANIT must not drop what could not be written. */
	blk_inject_error(vdb(), BLK_WRITE, FK_BASE / BLK_SECTOR,
	    (uint64_t)PGOFF(4) / BLK_SECTOR, 1);
	KT_EQ(fk_put(0, 0, PGO_ALLPAGES | PGO_CLEANIT | PGO_FREE), -EIO);
	KT_ASSERT(fk_page(2) != NULL && fk_dirty(2));
	KT_EQ(uvn_take_error(&fk.uvn), -EIO);
	KT_EQ(uvn_take_error(&fk.uvn), 0);              /* once */
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_SYNC), 0);
	KT_ASSERT(!fk_dirty(2));
	KT_ASSERT(disk_ok(2, 0, PAGE_SIZE, 12));
	KT_EQ(uvn_take_error(&fk.uvn), 0);
	fk_end();
}

/* ------------------------------------------------------------------ */
/* Faults, size, flush                                                 */

KTEST(uvm_vnode, a_write_fault_into_a_hole_allocates_or_fails_with_enospc)
{
	struct vmtest t;

	fk_begin(PGOFF(8), PAGE_SIZE, 1 << 20);
	fk_punch(PGOFF(2), PGOFF(8));
	vmtest_begin(&t);
	fk_map(&t, 8);
	KT_EQ(uvm_fault(t.map, VA + PGOFF(2), VM_PROT_WRITE), 0);
	KT_EQ(fk.allocs, 1);
	KT_ASSERT(fk_dirty(2));
	/* A read maps the hole read-only; the store then allocates. */
	KT_EQ(uvm_fault(t.map, VA + PGOFF(5), VM_PROT_READ), 0);
	KT_ASSERT(!(pmap_prot(t.map->pmap, VA + PGOFF(5)) & VM_PROT_WRITE));
	KT_EQ(fk.allocs, 1);
	fk.budget = 0;
	KT_EQ(uvm_fault(t.map, VA + PGOFF(5), VM_PROT_WRITE), -ENOSPC);
	KT_EQ(uvm_fault(t.map, VA + PGOFF(6), VM_PROT_WRITE), -ENOSPC);
	KT_ASSERT(fk_page(5)->flags & PG_RDONLY);
	fk.budget = 1;
	KT_EQ(uvm_fault(t.map, VA + PGOFF(5), VM_PROT_WRITE), 0);
	KT_EQ(fk.allocs, 2);
	KT_ASSERT(pmap_prot(t.map->pmap, VA + PGOFF(5)) & VM_PROT_WRITE);
	KT_ASSERT(!(fk_page(5)->flags & PG_RDONLY));
	uvm_unmap(t.map, VA, VA + PGOFF(8));
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_SYNC), 0);
	fk_end();
	vmtest_end(&t);
}

/*
 * Fault-around maps a file's resident neighbours in runs of one right:
 * the pages over a hole (PG_RDONLY) read-only, in a run of their own,
 * the data pages on either side writable (a shared writable mapping).
 */
KTEST(uvm_vnode, fault_around_maps_hole_pages_read_only_in_a_run_of_their_own)
{
	struct vmtest t;

	fk_begin(PGOFF(8), PAGE_SIZE, 1 << 20);
	disk_fill(8, 21);
	fk_punch(PGOFF(2), PGOFF(6));
	vmtest_fault_ahead(true);
	vmtest_begin(&t);
	fk_map(&t, 8);
	for (int i = 0; i < 8; i++)
		KT_EQ(uvm_fault(t.map, VA + PGOFF(i), VM_PROT_READ), 0);
	for (int i = 0; i < 8; i++)
		KT_EQ(!!(fk_page(i)->flags & PG_RDONLY), i >= 2 && i < 6);
	pmap_remove(t.map->pmap, VA, VA + PGOFF(8));
	pmap_update(t.map->pmap);
	uint64_t nb = uvmexp.flt_neighbor, runs = uvmexp.flt_nbruns;
	KT_EQ(uvm_fault(t.map, VA, VM_PROT_READ), 0);
	KT_EQ(uvmexp.flt_neighbor, nb + 7);
	KT_EQ(uvmexp.flt_nbruns, runs + 3);     /* 1, 2..5, 6..7 */
	for (int i = 1; i < 8; i++) {
		uint64_t pte = vmtest_pte(&t, VA + PGOFF(i));
		KT_EQ(pte & PG_V, PG_V);
		KT_EQ(pte & PG_RW, i >= 2 && i < 6 ? 0 : PG_RW);
	}
	uvm_unmap(t.map, VA, VA + PGOFF(8));
	fk_end();
	vmtest_end(&t);
}

KTEST(uvm_vnode, a_private_write_into_a_hole_copies_and_allocates_nothing)
{
	struct vmtest t;

	fk_begin(PGOFF(4), PAGE_SIZE, 1 << 20);
	fk_punch(0, PGOFF(4));
	vmtest_begin(&t);
	fk_obj()->pgops->pgo_reference(fk_obj());
	vmtest_map(&t, VA, 4, fk_obj(), VM_PROT_READ | VM_PROT_WRITE,
	    UVM_FLAG_COPYONWRITE);
	KT_EQ(uvm_fault(t.map, VA + PGOFF(1), VM_PROT_WRITE), 0);
	KT_EQ(fk.allocs, 0);
	KT_ASSERT(vmtest_anon(&t, VA + PGOFF(1)) != NULL);     /* 2B: a copy */
	KT_ASSERT(fk_page(1) != NULL && !fk_dirty(1) && (fk_page(1)->flags & PG_RDONLY));
	uvm_unmap(t.map, VA, VA + PGOFF(4));
	fk_end();
	vmtest_end(&t);
}

KTEST(uvm_vnode, a_truncation_frees_the_pages_past_the_end_and_faults_there_fail)
{
	struct vmtest t;

	fk_begin(PGOFF(8), PAGE_SIZE, 1 << 20);
	disk_fill(8, 13);
	vmtest_begin(&t);
	fk_map(&t, 8);
	for (int n = 0; n < 8; n++)
		KT_EQ(uvm_fault(t.map, VA + PGOFF(n), VM_PROT_READ), 0);
	KT_EQ(fk_obj()->uo_npages, 8);
	uvn_setsize(&fk.uvn, PGOFF(3) + 100);
	fk_punch(PGOFF(4), PGOFF(8));           /* the file system frees them */
	KT_EQ(fk_obj()->uo_npages, 4);
	KT_ASSERT(!pmap_extract(t.map->pmap, VA + PGOFF(5), NULL));
	KT_EQ(uvm_fault(t.map, VA + PGOFF(5), VM_PROT_READ), -EINVAL);   /* SIGBUS */
	KT_EQ(uvm_fault(t.map, VA + PGOFF(4), VM_PROT_WRITE), -EINVAL);
	KT_EQ(uvm_fault(t.map, VA + PGOFF(3), VM_PROT_READ), 0);
	struct vm_page *pg = fk_page(3);
	KT_ASSERT(pat_ok(vm_page_kva(pg), PGOFF(3), 100, 13));
	KT_ASSERT(pat_ok((uint8_t *)vm_page_kva(pg) + 100, 0, PAGE_SIZE - 100, 0));
	KT_ASSERT(fk_dirty(3));                 /* the zeroed tail goes to the disk */
	KT_EQ(uvn_check(&fk.uvn, ktest_print), 0);
	/* Grown again: the end is a hole now, it reads as zeros. */
	uvn_setsize(&fk.uvn, PGOFF(8));
	KT_EQ(uvm_fault(t.map, VA + PGOFF(5), VM_PROT_READ), 0);
	KT_ASSERT(pat_ok(vm_page_kva(fk_page(5)), 0, PAGE_SIZE, 0));
	uvm_unmap(t.map, VA, VA + PGOFF(8));
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_SYNC), 0);
	KT_ASSERT(disk_ok(3, 100, PAGE_SIZE, 0));
	fk_end();
	vmtest_end(&t);
}

KTEST(uvm_vnode, flush_invalidate_drops_clean_unmapped_pages_only)
{
	struct vmtest t;

	fk_begin(PGOFF(4), PAGE_SIZE, 1 << 20);
	disk_fill(4, 14);
	vmtest_fault_ahead(false);              /* map only what faults */
	vmtest_begin(&t);
	fk_map(&t, 4);
	fk_read(0, UVM_ADV_NORMAL);             /* all four */
	KT_EQ(fk_obj()->uo_npages, 4);
	KT_EQ(uvm_fault(t.map, VA + PGOFF(1), VM_PROT_READ), 0);
	fk_write_page(3, 15);
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_INVALIDATE), 0);
	KT_ASSERT(fk_page(0) == NULL && fk_page(2) == NULL);
	KT_ASSERT(fk_page(1) != NULL);          /* mapped */
	KT_ASSERT(fk_page(3) != NULL && fk_dirty(3));   /* dirty, not written */
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_ASYNC | UVN_INVALIDATE), 0);
	KT_ASSERT(fk_page(3) == NULL && disk_ok(3, 0, PAGE_SIZE, 15));
	uvm_unmap(t.map, VA, VA + PGOFF(4));
	fk_end();
	vmtest_end(&t);
}

KTEST(uvm_vnode, references_are_the_vnodes_and_the_checker_sees_damage)
{
	fk_begin(PGOFF(2), PAGE_SIZE, 1 << 20);
	fk_obj()->pgops->pgo_reference(fk_obj());
	KT_EQ(fk.holds, 1);
	KT_EQ(fk_obj()->uo_refs, 1);
	fk_obj()->pgops->pgo_detach(fk_obj());
	KT_EQ(fk.holds, 0);
	KT_EQ(fk_obj()->uo_refs, 0);
	KT_ASSERT(uvn_is_vnode(fk_obj()) && !uvn_is_vnode(NULL));
	fk_read(1, UVM_ADV_RANDOM);
	KT_EQ(uvn_check(&fk.uvn, ktest_print), 0);
	fk.uvn.u_size = PGSZ;                   /* page 1 now lies past the end */
	KT_EQ(uvn_check(&fk.uvn, ktest_quiet), 1);
	fk.uvn.u_size = PGOFF(2);
	ktest_capture_reset();
	uvn_print(&fk.uvn, ktest_capture);
	KT_ASSERT(ktest_captured_has("vdb") && ktest_captured_has("0x1000"));
	KT_EQ(uvn_check_all(ktest_print), 0);
	fk_end();
}

/* msync(2) as t's process would call it: a stand-in process for the call. */
static struct proc msync_proc;

static int64_t
call_msync(struct vmtest *t, vaddr_t va, size_t len, uint64_t flags)
{
	struct sysargs a = { .a = { va, len, flags } };
	struct proc *saved = curthread->proc;
	int64_t r;

	msync_proc.vmspace = t->vm;
	curthread->proc = &msync_proc;
	r = sys_msync(&a);
	curthread->proc = saved;
	return r;
}

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

KTEST(uvm_vnode, msync_writes_the_mapped_file_and_reports_an_error_once)
{
	struct vmtest t;
	uint64_t writes0;

	fk_begin(PGOFF(4), PAGE_SIZE, 1 << 20);
	disk_fill(4, 21);
	vmtest_begin(&t);
	fk_map(&t, 4);
	vmtest_activate(&t);
	*(volatile uint8_t *)(VA + PGOFF(2)) = 0x77;
	vmtest_deactivate(&t);
	writes0 = vdb()->stats.writes;
	KT_EQ(call_msync(&t, VA, (size_t)PGOFF(4), MS_SYNC), 0);
	KT_EQ(vdb()->stats.writes - writes0, 1);
	KT_ASSERT(!fk_dirty(2) && disk_ok(2, 1, PAGE_SIZE, 21) && buf[0] == 0x77);
	/* A write-back error: MS_ASYNC leaves it recorded, MS_SYNC reports
	 * it (though its own write worked), once. */
	vmtest_activate(&t);
	*(volatile uint8_t *)(VA + PGOFF(3)) = 0x78;
	vmtest_deactivate(&t);
	blk_inject_error(vdb(), BLK_WRITE, FK_BASE / BLK_SECTOR,
	    (uint64_t)PGOFF(4) / BLK_SECTOR, 1);
	KT_EQ(call_msync(&t, VA + PGOFF(3), 1, MS_ASYNC), 0);
	KT_ASSERT(fk_dirty(3));
	KT_EQ(call_msync(&t, VA, (size_t)PGOFF(4), MS_SYNC), -EIO);
	KT_ASSERT(!fk_dirty(3));
	KT_EQ(call_msync(&t, VA, (size_t)PGOFF(4), MS_SYNC), 0);
	/* MS_INVALIDATE: EBUSY on a locked range; else clean pages no one
	 * maps go. */
	KT_EQ(uvm_map_pageable(t.map, VA, VA + PGSZ, false), 0);
	KT_EQ(call_msync(&t, VA, (size_t)PGOFF(4), MS_INVALIDATE), -EBUSY);
	KT_EQ(uvm_map_pageable(t.map, VA, VA + PGSZ, true), 0);
	fk_read(1, UVM_ADV_RANDOM);
	pmap_page_protect(fk_page(1), VM_PROT_NONE);
	KT_EQ(call_msync(&t, VA, (size_t)PGOFF(4), MS_INVALIDATE), 0);
	KT_ASSERT(fk_page(1) == NULL && fk_page(2) != NULL);
	KT_EQ(call_msync(&t, VA + PGOFF(4), PAGE_SIZE, MS_SYNC), -ENOMEM);
	uvm_unmap(t.map, VA, VA + PGOFF(4));
	fk_end();
	vmtest_end(&t);
}

/* The leak pass: a suite destroys the vnode objects it made (their
 * consistency is checked with the rest, tests/harness/consistency.c). */
static uint64_t uvn_count_start;

static void
uvn_leak_begin(void)
{
	uvn_count_start = uvn_count();
}

static int
uvn_leak_check(kprint_fn pr)
{
	if (uvn_count() == uvn_count_start)
		return 0;
	pr("leak check: vnode objects %lu before the suite, %lu after\n",
	    uvn_count_start, uvn_count());
	return 1;
}

KCHECK_SUITE(uvn_leaks, uvn_leak_begin, uvn_leak_check);

/* ------------------------------------------------------------------ */
/* The page daemon (own boot: 64 MiB, swap on vda)                     */

/* Run a pass over the whole inactive queue, so it holds nobody else's pages. */
static void
pd_empty_inactive(void)
{
	if (uvmexp.inactive > 0)
		uvm_pdaemon_pageout_now((int)uvmexp.inactive);
}

/* Move file pages [from, to) to the inactive queue, unreferenced. */
static void
fk_deactivate(int from, int to)
{
	mutex_enter(&fk_obj()->vmobjlock);
	for (int n = from; n < to; n++) {
		struct vm_page *pg = uvm_obj_page_lookup(fk_obj(), PGOFF(n));
		KT_ASSERT(pg != NULL);
		pmap_clear_reference(pg);
		vm_page_deactivate(pg);
	}
	mutex_exit(&fk_obj()->vmobjlock);
}

KTEST_OWN_BOOT(pdaemon, dirty_file_pages_are_written_to_their_file_not_to_swap)
{
	uint64_t swapw0, puts0, pages0;

	fk_begin(PGOFF(8), PAGE_SIZE, 1 << 20);
	for (int n = 0; n < 8; n++)
		fk_write_page(n, 16);
	pd_empty_inactive();
	KT_EQ(fk_obj()->uo_npages, 8);
	fk_deactivate(0, 8);
	swapw0 = uvm_swap_stats.writes;
	puts0 = uvn_stats.puts;
	pages0 = uvn_stats.put_pages;
	KT_ASSERT(uvm_pdaemon_pageout_now(8) >= 8);
	KT_EQ(fk_obj()->uo_npages, 0);
	KT_EQ(uvn_stats.puts - puts0, 1);               /* one cluster */
	KT_EQ(uvn_stats.put_pages - pages0, 8);
	KT_EQ(uvm_swap_stats.writes, swapw0);
	for (int n = 0; n < 8; n++)
		KT_ASSERT(disk_ok(n, 0, PAGE_SIZE, 16));
	fk_end();
}

KTEST_OWN_BOOT(pdaemon, clean_file_pages_are_freed_before_dirty_ones_are_written)
{
	uint64_t puts0 = uvn_stats.puts, swapw0;

	fk_begin(PGOFF(16), PAGE_SIZE, 1 << 20);
	disk_fill(16, 17);
	for (int n = 0; n < 8; n++)
		fk_write_page(n, 18);
	fk_read(8, UVM_ADV_SEQUENTIAL);
	KT_EQ(fk_obj()->uo_npages, 16);
	pd_empty_inactive();
	KT_EQ(fk_obj()->uo_npages, 16);         /* all active: untouched */
	fk_deactivate(0, 16);                   /* the dirty ones first in line */
	swapw0 = uvm_swap_stats.writes;
	KT_ASSERT(uvm_pdaemon_pageout_now(8) >= 8);
	for (int n = 0; n < 16; n++)
		KT_ASSERT((fk_page(n) != NULL) == (n < 8));
	KT_EQ(uvn_stats.puts, puts0);           /* nothing written */
	KT_EQ(uvm_swap_stats.writes, swapw0);
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_SYNC), 0);
	fk_end();
}

KTEST_OWN_BOOT(pdaemon, a_failed_file_write_keeps_the_page_and_the_pass_ends)
{
	uint64_t errs0 = uvn_stats.write_errors;

	fk_begin(PGOFF(4), PAGE_SIZE, 1 << 20);
	for (int n = 0; n < 4; n++)
		fk_write_page(n, 19);
	pd_empty_inactive();
	fk_deactivate(0, 4);
	blk_inject_error(vdb(), BLK_WRITE, FK_BASE / BLK_SECTOR,
	    (uint64_t)PGOFF(4) / BLK_SECTOR, -1);
	uvm_pdaemon_pageout_now(4);
	KT_EQ(uvn_stats.write_errors - errs0, 1);       /* no more this pass */
	for (int n = 0; n < 4; n++) {
		struct vm_page *pg = fk_page(n);
		KT_ASSERT(pg != NULL && fk_dirty(n) && (pg->pqflags & PQ_ACTIVE));
	}
	blk_inject_error(vdb(), BLK_WRITE, 0, 0, 0);
	KT_EQ(uvn_take_error(&fk.uvn), -EIO);
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_SYNC), 0);
	KT_ASSERT(disk_ok(3, 0, PAGE_SIZE, 19));
	fk_end();
}

/* Word w of file page n in the pressure test. */
static uint64_t
word_of(uint64_t seed, int n, int w)
{
	return (seed << 48) ^ ((uint64_t)n << 16) ^ (uint64_t)w;
}

/*
 * A shared file mapping larger than free memory, written through: the
 * faults run out of pages, wait for the daemon, which writes file pages
 * back to the file (not to swap) and frees them; every page reads back
 * right, through the mapping and from the disk.
 */
KTEST_OWN_BOOT(pdaemon, a_file_mapping_larger_than_free_memory_goes_to_its_file)
{
	const int npages = 1536;                /* 6 MiB of the 8 MiB disk */
	const int words = PAGE_SIZE / 8;
	struct vmtest t;
	uint64_t swapw0, pages0, puts0, woke0 = uvmexp.pdwoke;

	fk_begin(PGOFF(npages), PAGE_SIZE, 1 << 20);
	vmtest_begin(&t);
	fk_map(&t, npages);
	swapw0 = uvm_swap_stats.writes;
	pages0 = uvn_stats.put_pages;
	puts0 = uvn_stats.puts;
	vmtest_hold_free(&pressure_held, uvmexp.freetarg + 256);
	ktest_cleanup_push(pressure_release, &pressure_held);
	vmtest_activate(&t);
	for (int n = 0; n < npages; n++) {
		uint64_t *p = (uint64_t *)(VA + (vaddr_t)PGOFF(n));
		for (int w = 0; w < words; w++)
			p[w] = word_of(20, n, w);
	}
	vmtest_deactivate(&t);
	KT_ASSERT(uvmexp.pdwoke > woke0);
	KT_ASSERT(uvn_stats.put_pages - pages0 >= (uint64_t)npages / 4);
	ktest_print("  %lu pages written in %lu requests\n",
	    uvn_stats.put_pages - pages0, uvn_stats.puts - puts0);
	/* In clusters: the daemon's pgo_put takes the dirty neighbours. */
	KT_ASSERT(uvn_stats.put_pages - pages0 >= 4 * (uvn_stats.puts - puts0));
	KT_ASSERT(fk_obj()->uo_npages < (size_t)npages);
	KT_EQ(uvm_swap_stats.writes, swapw0);
	vmtest_activate(&t);
	for (int n = 0; n < npages; n++) {
		const uint64_t *p = (const uint64_t *)(VA + (vaddr_t)PGOFF(n));
		for (int w = 0; w < words; w += 61)
			KT_EQ(p[w], word_of(20, n, w));
	}
	vmtest_deactivate(&t);
	ktest_cleanup_pop(&pressure_held);
	vmtest_release(&pressure_held);
	uvm_unmap(t.map, VA, VA + (vaddr_t)PGOFF(npages));
	KT_EQ(uvn_flush(&fk.uvn, 0, 0, UVN_SYNC), 0);
	for (int n = 0; n < npages; n += 97) {
		KT_EQ(disk_page(n, false), 0);
		KT_EQ(((uint64_t *)buf)[7], word_of(20, n, 7));
	}
	fk_end();
	vmtest_end(&t);
}
