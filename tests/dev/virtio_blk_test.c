/*
 * tests/dev/virtio_blk_test.c - the virtio-blk driver and blk_io on the
 * scratch disk: data written and read back (one sector, several, pages
 * scattered in physical memory, the largest request the ring allows),
 * flush, refused requests, injected errors, several threads with
 * requests in flight at once, and interrupt-driven completion.
 *
 * The scratch disk is named on the command line (scratch=vdb; make test
 * passes it).  Without it, or without that disk, every test here FAILS
 * saying so: a missing disk must not look like a pass.  The swap disk,
 * vda, is never written.
 *
 * Every test also checks the mechanism, not just the data: the queue's
 * counters (chains submitted, descriptors free), the blk statistics, the
 * interrupt count of the disk's vector, and virtq_check.
 *
 * Pages come from vm_page_alloc one at a time; "scattered" sets skip any
 * page physically next to the one before it, so no two neighbouring
 * segments could be merged into one contiguous transfer by accident.
 */
#include "dev/blk.h"
#include "dev/virtio_blk.h"
#include "kern/core/cmdline.h"
#include "kern/core/intr.h"
#include "kern/core/ktest.h"
#include "kern/core/thread.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "tests/harness/threadtest.h"
#include "uvm/uvm_page.h"

KOPT(scratch, "scratch", "the disk the virtio/ tests may overwrite (make test: vdb)");

#define VT_MAXPAGES 512

/* A set of pages, none physically adjacent to the one before it. */
struct vt_pages {
	struct vm_page *pg[VT_MAXPAGES];
	int n;
	struct vm_page *skipped[VT_MAXPAGES];
	int nskipped;
};

static struct vt_pages wpages, rpages;
static struct blk_seg wsegs[VT_MAXPAGES], rsegs[VT_MAXPAGES];

/* The scratch disk, or the test fails saying why. */
static struct blkdev *
scratch(void)
{
	const char *name = kopt_get("scratch");
	struct blkdev *d;

	if (name == NULL)
		ktest_fail(__FILE__, __LINE__, "no scratch= disk on the command line "
		    "(make test passes scratch=vdb)");
	d = blk_lookup(name);
	if (d == NULL)
		ktest_fail(__FILE__, __LINE__, "scratch disk %s not found (%d disks; "
		    "QEMU needs the scratch drive, see QEMU_DISKS)", name, blk_count());
	if (d == blk_lookup("vda"))
		ktest_fail(__FILE__, __LINE__, "scratch=%s is vda, the swap disk: refused", name);
	KT_ASSERT(vblk_queue(d) != NULL);
	return d;
}

static void
vt_alloc(struct vt_pages *s, int n)
{
	paddr_t prev = 1;

	s->n = s->nskipped = 0;
	KT_ASSERT(n <= VT_MAXPAGES);
	while (s->n < n) {
		struct vm_page *pg = vm_page_alloc(NULL, 0, NULL, 0);
		KT_ASSERT(pg != NULL && s->nskipped < VT_MAXPAGES);
		if (vm_page_phys(pg) == prev + PAGE_SIZE || vm_page_phys(pg) + PAGE_SIZE == prev) {
			s->skipped[s->nskipped++] = pg;
			continue;
		}
		prev = vm_page_phys(pg);
		s->pg[s->n++] = pg;
	}
}

static void
vt_free(struct vt_pages *s)
{
	for (int i = 0; i < s->n; i++)
		vm_page_free(s->pg[i]);
	for (int i = 0; i < s->nskipped; i++)
		vm_page_free(s->skipped[i]);
	s->n = s->nskipped = 0;
}

/* Fill each page with words that name the page, the word and salt. */
static void
vt_fill(struct vt_pages *s, uint64_t salt)
{
	for (int i = 0; i < s->n; i++) {
		uint64_t *w = vm_page_kva(s->pg[i]);
		for (size_t j = 0; j < PAGE_SIZE / 8; j++)
			w[j] = salt ^ ((uint64_t)i << 32) ^ (j * 0x9e3779b97f4a7c15ULL);
	}
}

static void
vt_zero(struct vt_pages *s)
{
	for (int i = 0; i < s->n; i++)
		memset(vm_page_kva(s->pg[i]), 0, PAGE_SIZE);
}

/* One whole page per segment. */
static void
vt_segs(struct vt_pages *s, struct blk_seg *segs)
{
	for (int i = 0; i < s->n; i++)
		segs[i] = (struct blk_seg){ vm_page_phys(s->pg[i]), PAGE_SIZE };
}

/* Byte compare of bytes [0, len) of page i of a and b. */
static bool
vt_same(struct vt_pages *a, struct vt_pages *b, int i, size_t off, size_t len)
{
	return memcmp((char *)vm_page_kva(a->pg[i]) + off,
	    (char *)vm_page_kva(b->pg[i]) + off, len) == 0;
}

/* The queue is idle and consistent: every descriptor free again. */
static void
vt_queue_idle(struct blkdev *d)
{
	struct virtqueue *vq = vblk_queue(d);
	int bad;

	spin_lock(&vq->lock);
	bad = virtq_check(vq, ktest_print);
	spin_unlock(&vq->lock);
	KT_EQ(bad, 0);
	KT_EQ(vq->inflight, 0);
	KT_EQ(vq->nfree, vq->size);
}

KTEST(virtio, scratch_disk_is_named_and_is_not_the_swap_disk)
{
	struct blkdev *d = scratch();

	KT_STREQ(d->name, "vdb");
	KT_EQ(d->nsectors, 8 * 1024 * 1024 / BLK_SECTOR);
	KT_ASSERT(d->max_segs >= 1 && d->max_segs <= vblk_queue(d)->size - 2);
	KT_ASSERT(blk_lookup("/dev/vdb") == d);
	KT_ASSERT(blk_lookup("vdz") == NULL);
	KT_ASSERT(!vblk_virtio(d)->legacy);
	KT_ASSERT(vblk_virtio(d)->features & VIRTIO_F_VERSION_1);
	vt_queue_idle(d);
}

/* Are bytes [0, off) and [off + len, PAGE_SIZE) of page pg all zero? */
static bool
vt_zero_around(struct vm_page *pg, size_t off, size_t len)
{
	const uint8_t *b = vm_page_kva(pg);

	for (size_t i = 0; i < PAGE_SIZE; i++) {
		if ((i < off || i >= off + len) && b[i] != 0)
			return false;
	}
	return true;
}

/*
 * Write one sector at sector from page offset off of a filled page, read
 * it back into the same offset of a zeroed page: the sector must come
 * back, the rest of the page stay zero, and each request be one chain.
 */
static void
vt_roundtrip_sector(struct blkdev *d, uint64_t sector, size_t off, uint64_t salt)
{
	struct virtqueue *vq = vblk_queue(d);
	struct blk_stats st = d->stats;
	uint64_t sub = vq->submitted;
	int wr, rd;

	KT_ASSERT(off % BLK_SECTOR == 0 && off + BLK_SECTOR <= PAGE_SIZE);
	vt_alloc(&wpages, 1);
	vt_alloc(&rpages, 1);
	vt_fill(&wpages, salt);
	vt_zero(&rpages);
	wsegs[0] = (struct blk_seg){ vm_page_phys(wpages.pg[0]) + off, BLK_SECTOR };
	rsegs[0] = (struct blk_seg){ vm_page_phys(rpages.pg[0]) + off, BLK_SECTOR };
	wr = blk_io(d, BLK_WRITE, sector, wsegs, 1);
	rd = blk_io(d, BLK_READ, sector, rsegs, 1);
	bool same = vt_same(&wpages, &rpages, 0, off, BLK_SECTOR);
	bool rest_untouched = vt_zero_around(rpages.pg[0], off, BLK_SECTOR);
	vt_free(&wpages);
	vt_free(&rpages);
	KT_EQ(wr, 0);
	KT_EQ(rd, 0);
	KT_ASSERT(same);
	KT_ASSERT(rest_untouched);
	KT_EQ(vq->submitted, sub + 2);
	KT_EQ(d->stats.writes, st.writes + 1);
	KT_EQ(d->stats.reads, st.reads + 1);
	KT_EQ(d->stats.sectors_written, st.sectors_written + 1);
	KT_EQ(d->stats.sectors_read, st.sectors_read + 1);
	vt_queue_idle(d);
}

KTEST(virtio, single_sector_write_reads_back)
{
	/* A sector from the middle of a page: 512-aligned is enough. */
	vt_roundtrip_sector(scratch(), 7, 1536, 0x5ec7);
}

KTEST(virtio, multi_sector_segment_reads_back_in_one_request)
{
	struct blkdev *d = scratch();
	struct virtqueue *vq = vblk_queue(d);
	struct blk_stats st = d->stats;
	uint64_t sub = vq->submitted;
	bool same = true;

	vt_alloc(&wpages, 2);
	vt_alloc(&rpages, 2);
	vt_fill(&wpages, 0x3a11);
	vt_zero(&rpages);
	/* 8 sectors in one segment, then 8 more read as 3 + 5. */
	wsegs[0] = (struct blk_seg){ vm_page_phys(wpages.pg[0]), PAGE_SIZE };
	KT_EQ(blk_io(d, BLK_WRITE, 64, wsegs, 1), 0);
	rsegs[0] = (struct blk_seg){ vm_page_phys(rpages.pg[0]), 3 * 512 };
	rsegs[1] = (struct blk_seg){ vm_page_phys(rpages.pg[0]) + 3 * 512, 5 * 512 };
	KT_EQ(blk_io(d, BLK_READ, 64, rsegs, 2), 0);
	same = vt_same(&wpages, &rpages, 0, 0, PAGE_SIZE);
	vt_free(&wpages);
	vt_free(&rpages);
	KT_ASSERT(same);
	KT_EQ(vq->submitted, sub + 2);
	KT_EQ(d->stats.sectors_written, st.sectors_written + 8);
	KT_EQ(d->stats.sectors_read, st.sectors_read + 8);
	vt_queue_idle(d);
}

/* Write n scattered pages at sector in one request, read back in another. */
static void
vt_roundtrip_pages(struct blkdev *d, uint64_t sector, int n, uint64_t salt)
{
	struct virtqueue *vq = vblk_queue(d);
	uint64_t sub = vq->submitted;
	int wr, rd, adjacent = 0, bad = -1;

	vt_alloc(&wpages, n);
	vt_alloc(&rpages, n);
	vt_fill(&wpages, salt);
	vt_zero(&rpages);
	vt_segs(&wpages, wsegs);
	vt_segs(&rpages, rsegs);
	for (int i = 1; i < n; i++)
		adjacent += wsegs[i].pa == wsegs[i - 1].pa + PAGE_SIZE;
	wr = blk_io(d, BLK_WRITE, sector, wsegs, n);
	rd = blk_io(d, BLK_READ, sector, rsegs, n);
	for (int i = 0; i < n && bad < 0; i++)
		bad = vt_same(&wpages, &rpages, i, 0, PAGE_SIZE) ? -1 : i;
	vt_free(&wpages);
	vt_free(&rpages);
	KT_EQ(adjacent, 0);
	KT_EQ(wr, 0);
	KT_EQ(rd, 0);
	KT_EQ(bad, -1);                 /* the first page that differs */
	KT_EQ(vq->submitted, sub + 2);  /* one chain each, whatever n */
	vt_queue_idle(d);
}

KTEST(virtio, scatter_gather_of_scattered_pages_reads_back)
{
	vt_roundtrip_pages(scratch(), 1000, 16, 0xfeed);
}

KTEST(virtio, request_of_max_segs_pages_reads_back)
{
	struct blkdev *d = scratch();
	uint64_t before = d->stats.sectors_written;

	KT_ASSERT(d->max_segs <= VT_MAXPAGES);
	vt_roundtrip_pages(d, 2048, d->max_segs, 0xb16);
	KT_EQ(d->stats.sectors_written, before + (uint64_t)d->max_segs * 8);
}

KTEST(virtio, last_sector_of_the_disk_reads_back)
{
	struct blkdev *d = scratch();

	vt_roundtrip_sector(d, d->nsectors - 1, 0, 0x1a57);
}

KTEST(virtio, flush_completes_at_the_device)
{
	struct blkdev *d = scratch();
	struct virtqueue *vq = vblk_queue(d);
	uint64_t sub = vq->submitted, flushes = d->stats.flushes;
	bool has_flush = (vblk_virtio(d)->features & (1ULL << 9)) != 0;

	KT_EQ(blk_io(d, BLK_FLUSH, 0, NULL, 0), 0);
	KT_EQ(d->stats.flushes, flushes + 1);
	/* QEMU offers VIRTIO_BLK_F_FLUSH, so the flush went to the device. */
	KT_ASSERT(has_flush);
	KT_EQ(vq->submitted, sub + 1);
	vt_queue_idle(d);
}

KTEST(virtio, bad_requests_are_refused_before_the_device)
{
	struct blkdev *d = scratch();
	struct virtqueue *vq = vblk_queue(d);
	struct blk_stats st = d->stats;
	uint64_t sub = vq->submitted;
	struct blk_seg s[2];
	paddr_t pa;

	vt_alloc(&wpages, 1);
	pa = vm_page_phys(wpages.pg[0]);
	s[0] = (struct blk_seg){ pa, 512 };
	s[1] = (struct blk_seg){ pa + 512, 512 };
	int past_end = blk_io(d, BLK_READ, d->nsectors, s, 1);
	int straddle = blk_io(d, BLK_WRITE, d->nsectors - 1, s, 2);
	int huge = blk_io(d, BLK_READ, ~0ULL, s, 1);
	int nosegs = blk_io(d, BLK_READ, 0, s, 0);
	int toomany = blk_io(d, BLK_READ, 0, wsegs, d->max_segs + 1);
	int flushsegs = blk_io(d, BLK_FLUSH, 0, s, 1);
	s[0].len = 0;
	int zero = blk_io(d, BLK_READ, 0, s, 1);
	s[0].len = 100;
	int odd = blk_io(d, BLK_READ, 0, s, 1);
	s[0] = (struct blk_seg){ pa + 8, 512 };
	int unaligned = blk_io(d, BLK_READ, 0, s, 1);
	vt_free(&wpages);
	KT_EQ(past_end, -EINVAL);
	KT_EQ(straddle, -EINVAL);
	KT_EQ(huge, -EINVAL);
	KT_EQ(nosegs, -EINVAL);
	KT_EQ(toomany, -EINVAL);
	KT_EQ(flushsegs, -EINVAL);
	KT_EQ(zero, -EINVAL);
	KT_EQ(odd, -EINVAL);
	KT_EQ(unaligned, -EINVAL);
	KT_EQ(blk_io(NULL, BLK_READ, 0, s, 1), -EINVAL);
	/* Nothing reached the device or the counters. */
	KT_EQ(vq->submitted, sub);
	KT_EQ(d->stats.reads + d->stats.writes + d->stats.flushes,
	    st.reads + st.writes + st.flushes);
	vt_queue_idle(d);
}

static int
vt_write1(struct blkdev *d, uint64_t sector)
{
	wsegs[0] = (struct blk_seg){ vm_page_phys(wpages.pg[0]), 512 };
	return blk_io(d, BLK_WRITE, sector, wsegs, 1);
}

KTEST(virtio, injected_write_errors_hit_only_their_range_and_count)
{
	struct blkdev *d = scratch();
	struct virtqueue *vq = vblk_queue(d);
	struct blk_stats st = d->stats;
	uint64_t sub = vq->submitted;
	int r[5];

	vt_alloc(&wpages, 1);
	vt_fill(&wpages, 1);
	blk_inject_error(d, BLK_WRITE, 100, 8, 2);
	r[0] = vt_write1(d, 104);       /* in the range: fails */
	r[1] = vt_write1(d, 200);       /* outside: works */
	r[2] = vt_write1(d, 99);        /* 99 only: outside */
	r[3] = vt_write1(d, 107);       /* the second failure */
	r[4] = vt_write1(d, 100);       /* used up: works again */
	vt_free(&wpages);
	KT_EQ(r[0], -EIO);
	KT_EQ(r[1], 0);
	KT_EQ(r[2], 0);
	KT_EQ(r[3], -EIO);
	KT_EQ(r[4], 0);
	KT_EQ(d->stats.injected, st.injected + 2);
	KT_EQ(d->stats.errors, st.errors + 2);
	KT_EQ(d->stats.writes, st.writes + 5);
	KT_EQ(vq->submitted, sub + 3);  /* injected failures never reach it */
	vt_queue_idle(d);
}

KTEST(virtio, injected_errors_until_cleared_then_requests_work)
{
	struct blkdev *d = scratch();
	uint64_t inj = d->stats.injected;
	int r[4], f[2];

	vt_alloc(&rpages, 1);
	rsegs[0] = (struct blk_seg){ vm_page_phys(rpages.pg[0]), PAGE_SIZE };
	blk_inject_error(d, BLK_READ, 0, d->nsectors, -1);
	r[0] = blk_io(d, BLK_READ, 0, rsegs, 1);
	r[1] = blk_io(d, BLK_READ, 5000, rsegs, 1);
	r[2] = blk_io(d, BLK_READ, 9000, rsegs, 1);
	blk_inject_error(d, BLK_READ, 0, 0, 0);
	r[3] = blk_io(d, BLK_READ, 0, rsegs, 1);
	blk_inject_error(d, BLK_FLUSH, 0, 0, 1);
	f[0] = blk_io(d, BLK_FLUSH, 0, NULL, 0);
	f[1] = blk_io(d, BLK_FLUSH, 0, NULL, 0);
	vt_free(&rpages);
	KT_EQ(r[0], -EIO);
	KT_EQ(r[1], -EIO);
	KT_EQ(r[2], -EIO);
	KT_EQ(r[3], 0);
	KT_EQ(f[0], -EIO);
	KT_EQ(f[1], 0);
	KT_EQ(d->stats.injected, inj + 4);
	vt_queue_idle(d);
}

KTEST(virtio, completion_is_interrupt_driven)
{
	struct blkdev *d = scratch();
	const struct pci_intr *pi = &vblk_virtio(d)->intr;
	uint64_t n0, n1, csw0, csw1;
	int r;

	KT_ASSERT(pi->kind == PCI_INTR_MSIX || pi->kind == PCI_INTR_INTX);
	KT_ASSERT(pi->vector >= VEC_DEVICE_MIN && pi->vector <= VEC_DEVICE_MAX);
	vt_alloc(&rpages, 1);
	rsegs[0] = (struct blk_seg){ vm_page_phys(rpages.pg[0]), PAGE_SIZE };
	n0 = intr_count(pi->vector);
	/* This thread's own switches: other threads' sleeps do not count. */
	csw0 = curthread->nvcsw;
	r = blk_io(d, BLK_READ, 0, rsegs, 1);
	csw1 = curthread->nvcsw;
	n1 = intr_count(pi->vector);
	vt_free(&rpages);
	KT_EQ(r, 0);
	/* The thread slept, and the device's interrupt woke it. */
	KT_ASSERT(n1 > n0);
	KT_ASSERT(csw1 > csw0);
}

/* Concurrency: VT_THREADS threads, each one big write then a read back. */
#define VT_THREADS 4
#define VT_TPAGES 100           /* 102 descriptors: two fit in 256 */

struct vt_worker {
	struct blkdev *d;
	struct vt_pages *w, *r;
	uint64_t sector;
	int wr, rd;
	bool same, done;
};

static struct vt_pages tw[VT_THREADS], tr[VT_THREADS];
static struct vt_worker workers[VT_THREADS];
static struct blk_seg tsegs[VT_THREADS][VT_TPAGES];

static void
vt_worker_run(void *arg)
{
	struct vt_worker *w = arg;
	struct blk_seg *segs = tsegs[w - workers];

	vt_segs(w->w, segs);
	w->wr = blk_io(w->d, BLK_WRITE, w->sector, segs, VT_TPAGES);
	vt_segs(w->r, segs);
	w->rd = blk_io(w->d, BLK_READ, w->sector, segs, VT_TPAGES);
	w->same = true;
	for (int i = 0; i < VT_TPAGES; i++)
		w->same &= vt_same(w->w, w->r, i, 0, PAGE_SIZE);
	w->done = true;
}

struct vt_pile { struct virtqueue *vq; int inflight; uint64_t waits; };

static bool
vt_piled_up(void *arg)
{
	struct vt_pile *p = arg;

	return p->vq->inflight == p->inflight && p->vq->full_waits >= p->waits;
}

static bool
vt_all_done(void *arg)
{
	(void)arg;
	for (int i = 0; i < VT_THREADS; i++) {
		if (!workers[i].done)
			return false;
	}
	return true;
}

KTEST(virtio, requests_from_several_threads_are_in_flight_at_once)
{
	struct blkdev *d = scratch();
	struct virtqueue *vq = vblk_queue(d);
	struct vt_pile pile = { vq, 2, vq->full_waits + 2 };
	struct thread *t[VT_THREADS];
	bool piled, done;

	for (int i = 0; i < VT_THREADS; i++) {
		vt_alloc(&tw[i], VT_TPAGES);
		vt_alloc(&tr[i], VT_TPAGES);
		vt_fill(&tw[i], 0x7000 + i);
		vt_zero(&tr[i]);
		workers[i] = (struct vt_worker){ .d = d, .w = &tw[i], .r = &tr[i],
			.sector = 4096 + 1024 * i };
	}
	/* Held kicks: the first two writes wait on the ring, two wait for room. */
	vblk_hold_kicks(d, true);
	for (int i = 0; i < VT_THREADS; i++)
		t[i] = thread_create("vblk-w", vt_worker_run, &workers[i]);
	piled = tt_wait(vt_piled_up, &pile, 200);
	vblk_hold_kicks(d, false);
	done = tt_wait(vt_all_done, NULL, 1000);
	for (int i = 0; i < VT_THREADS; i++) {
		KT_ASSERT(t[i] != NULL);
		KT_EQ(thread_join(t[i]), 0);
		vt_free(&tw[i]);
		vt_free(&tr[i]);
	}
	KT_ASSERT(piled);
	KT_ASSERT(done);
	for (int i = 0; i < VT_THREADS; i++) {
		KT_EQ(workers[i].wr, 0);
		KT_EQ(workers[i].rd, 0);
		KT_ASSERT(workers[i].same);
	}
	KT_ASSERT(vq->inflight_max >= 2);
	vt_queue_idle(d);
}

KTEST(virtio, queue_printer_and_checker_see_the_state)
{
	struct blkdev *d = scratch();
	struct virtqueue *vq = vblk_queue(d);
	int bad;

	spin_lock(&vq->lock);
	virtq_print(vq, ktest_capture);
	vq->nfree--;                    /* a lost descriptor */
	bad = virtq_check(vq, ktest_quiet);
	vq->nfree++;
	spin_unlock(&vq->lock);
	KT_ASSERT(ktest_captured_has("size 256"));
	KT_ASSERT(ktest_captured_has("0 requests in flight"));
	KT_ASSERT(bad >= 1);
	vt_queue_idle(d);
}
