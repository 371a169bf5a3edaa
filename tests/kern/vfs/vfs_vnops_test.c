/*
 * tests/kern/vfs/vfs_vnops_test.c - kern/vfs/vfs_vnops.c: a descriptor
 * on a vnode.  The vnodes come from a file system made here ("vt": one
 * aobj per file, a size it keeps, a grow limit for -ENOSPC, three fixed
 * directory entries) on a mount that is never attached to the tree, so
 * the tests see only the descriptor layer: the vnode's references across
 * open, dup, fork and close; offsets, O_APPEND and EOF; the bounce
 * buffer (a write whose source is a mapping of the same file page, and
 * read's two ways to the user: straight from the file's page into mapped
 * memory, through the bounce page into memory not mapped yet);
 * the size put back when growing fails; getdents64's cookies; and a
 * write-back error reported by one fsync only.
 */
#include "kern/core/ktest.h"
#include "kern/fs/file.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"
#include "kern/vfs/vfs_vnops.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_object.h"
#include "uvm/uvm_page.h"
#include "pmap/pte.h"

#define VT_VA 0x10000000UL
#define VT_OBJPAGES 8

struct vtnode {
	uint64_t size;
	uint64_t limit;             /* setattr refuses growing past it */
	int64_t mtime;
	int setattrs;
};

static struct mount vt_mount;

static int
vt_getattr(struct vnode *vp, struct vattr *va)
{
	struct vtnode *n = vp->v_data;

	memset(va, 0, sizeof(*va));
	va->va_type = vp->v_type;
	va->va_mode = vp->v_type == VDIR ? 0755 : 0644;
	va->va_nlink = 1;
	va->va_ino = vp->v_ino;
	va->va_size = n->size;
	va->va_mtime_ns = n->mtime;
	return 0;
}

static int
vt_setattr(struct vnode *vp, const struct vattr *va)
{
	struct vtnode *n = vp->v_data;

	KT_ASSERT(mutex_owned(&vp->v_lock));
	n->setattrs++;
	if ((va->va_mask & VA_SIZE) && va->va_size > n->limit)
		return -ENOSPC;
	if (va->va_mask & VA_SIZE)
		n->size = va->va_size;
	if (va->va_mask & VA_MTIME)
		n->mtime = va->va_mtime_ns;
	return 0;
}

/* A directory of three entries: cookies 0, 1, 2, each entry's next one up. */
static int
vt_readdir(struct vnode *vp, uint64_t cookie, struct vfs_dirent *d)
{
	static const char *const names[] = { ".", "..", "file-with-a-long-name" };

	KT_ASSERT(mutex_owned(&vp->v_lock));
	if (cookie >= ARRAY_SIZE(names))
		return 1;
	d->ino = 100 + cookie;
	d->next = cookie + 1;
	d->type = cookie < 2 ? 4 : 8;
	d->namelen = (uint16_t)strlcpy(d->name, names[cookie], sizeof(d->name));
	return 0;
}

static void
vt_reclaim(struct vnode *vp)
{
	if (vp->v_obj != NULL)
		uao_detach(vp->v_obj);
	kmem_free(vp->v_data, sizeof(struct vtnode));
}

static const struct vnodeops vt_vnodeops = {
	.vop_getattr = vt_getattr,
	.vop_setattr = vt_setattr,
	.vop_readdir = vt_readdir,
	.vop_reclaim = vt_reclaim,
};

static const struct vfsops vt_vfsops = { .vfs_name = "vt" };

/* vcache load: ino 1 is the directory, others regular files. */
static int
vt_load(struct mount *mp, uint64_t ino, struct vnode *vp)
{
	struct vtnode *n = kmem_zalloc(sizeof(*n));

	(void)mp;
	if (n == NULL)
		return -ENOMEM;
	n->limit = VT_OBJPAGES * PAGE_SIZE;
	vp->v_type = ino == 1 ? VDIR : VREG;
	vp->v_ops = &vt_vnodeops;
	vp->v_data = n;
	if (ino != 1 && (vp->v_obj = uao_create(n->limit, 0)) == NULL) {
		kmem_free(n, sizeof(*n));
		return -ENOMEM;
	}
	return 0;
}

static struct vnode *
vt_vnode(uint64_t ino)
{
	struct vnode *vp = NULL;

	vt_mount.mnt_op = &vt_vfsops;
	TAILQ_INIT(&vt_mount.mnt_vnodes);
	KT_EQ(vcache_new(&vt_mount, ino, vt_load, &vp), 0);
	KT_EQ(vp->v_refs, 1);
	return vp;
}

/* The test's own reference goes and the vnode leaves the cache. */
static void
vt_done(struct vnode *vp)
{
	KT_EQ(vp->v_refs, 1);
	vrele(vp);
	KT_EQ(vcache_flush(&vt_mount), 0);
	KT_ASSERT(TAILQ_EMPTY(&vt_mount.mnt_vnodes));
}

static struct vtnode *
vt_node(struct vnode *vp)
{
	return vp->v_data;
}

/* Is v_obj's page at off resident and dirty (not PG_CLEAN)? */
static bool
vt_page_dirty(struct vnode *vp, voff_t off)
{
	struct vm_page *pg;
	bool dirty;

	mutex_enter(&vp->v_obj->vmobjlock);
	pg = uvm_obj_page_lookup(vp->v_obj, off);
	dirty = pg != NULL && !(pg->flags & PG_CLEAN);
	mutex_exit(&vp->v_obj->vmobjlock);
	return dirty;
}

KTEST(vnops, file_holds_the_vnode_across_dup_fork_close)
{
	struct vm_baseline b;
	struct fdtable parent, child;
	struct vnode *vp;
	struct file *f;

	vm_baseline_take(&b);
	fdtable_init(&parent);
	vp = vt_vnode(2);
	KT_EQ(vn_file_open(vp, O_RDWR, &f), 0);
	KT_ASSERT(vn_is_file(f));
	KT_EQ(vp->v_refs, 2);                   /* the test's and the file's */
	KT_EQ(fd_install(&parent, f, 0, false), 0);
	file_hold(f);                           /* dup */
	KT_EQ(fd_install(&parent, f, 0, false), 1);
	KT_EQ(f->refs, 2);
	KT_EQ(vp->v_refs, 2);                   /* descriptors share the file */
	fdtable_fork(&child, &parent);
	KT_EQ(f->refs, 4);
	KT_EQ(vp->v_refs, 2);
	fdtable_close_all(&parent);
	KT_EQ(f->refs, 2);
	KT_EQ(vp->v_refs, 2);
	fdtable_close_all(&child);              /* the last close: vrele */
	KT_EQ(vp->v_refs, 1);
	vt_done(vp);
	vm_baseline_expect(&b);
}

KTEST(vnops, offsets_eof_and_append)
{
	struct vmtest t;
	struct vnode *vp;
	uint64_t off = 0;
	char *u;

	vmtest_begin(&t);
	u = (char *)vmtest_map_anon(&t, VT_VA, 3);
	vp = vt_vnode(2);
	vmtest_activate(&t);
	for (int i = 0; i < 5000; i++)
		u[i] = (char)('a' + i % 26);
	KT_EQ(vn_write(vp, (uint64_t)u, 5000, &off, false), 5000);
	KT_EQ(off, 5000);
	KT_EQ(vt_node(vp)->size, 5000);
	KT_ASSERT(vt_page_dirty(vp, 0) && vt_page_dirty(vp, PAGE_SIZE));
	KT_ASSERT(vt_node(vp)->mtime != 0);     /* the write touched it */
	off = 4000;                             /* a read stops at EOF */
	KT_EQ(vn_read(vp, (uint64_t)u + 8192, 4096, &off), 1000);
	KT_EQ(off, 5000);
	KT_EQ(u[8192], (char)('a' + 4000 % 26));
	KT_EQ(vn_read(vp, (uint64_t)u, 10, &off), 0);
	off = 0;                                /* O_APPEND: at the end */
	KT_EQ(vn_write(vp, (uint64_t)u, 10, &off, true), 10);
	KT_EQ(off, 5010);
	KT_EQ(vt_node(vp)->size, 5010);
	off = 9000;                             /* past the end: a hole */
	KT_EQ(vn_write(vp, (uint64_t)u, 1, &off, false), 1);
	KT_EQ(vt_node(vp)->size, 9001);
	off = 6000;
	KT_EQ(vn_read(vp, (uint64_t)u + 8192, 10, &off), 10);
	KT_EQ(u[8192], 0);                      /* the hole reads zeros */
	KT_EQ(vn_read(vp, 0, 10, &off), -EFAULT);
	KT_EQ(off, 6010);                       /* a fault moves nothing */
	vmtest_deactivate(&t);
	vt_done(vp);
	vmtest_end(&t);
}

KTEST(vnops, lseek_whence)
{
	struct vnode *vp = vt_vnode(2);
	struct file *f;

	KT_EQ(vn_file_open(vp, O_RDONLY, &f), 0);
	vt_node(vp)->size = 14000;
	KT_EQ(vn_lseek(f, 100, SEEK_SET), 100);
	KT_EQ(vn_lseek(f, 50, SEEK_CUR), 150);
	KT_EQ(vn_lseek(f, -1000, SEEK_END), 13000);
	KT_EQ(vn_lseek(f, -20000, SEEK_END), -EINVAL);
	KT_EQ(f->off, 13000);                   /* a refused seek keeps it */
	KT_EQ(vn_lseek(f, 10, SEEK_DATA), -ENXIO);      /* no page: all hole */
	KT_EQ(vn_lseek(f, 10, SEEK_HOLE), 10);
	KT_EQ(vn_lseek(f, 14000, SEEK_HOLE), -ENXIO);
	KT_EQ(vn_lseek(f, 0, 9), -EINVAL);
	file_release(f);
	vt_node(vp)->size = 0;
	vt_done(vp);
}

/* SEEK_DATA and SEEK_HOLE ask the aobj: resident pages are data. */
KTEST(vnops, seek_data_and_hole_follow_the_object_pages)
{
	struct vnode *vp = vt_vnode(2);
	char buf[16] = "data";
	struct file *f;

	KT_EQ(vn_file_open(vp, O_RDONLY, &f), 0);
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 2 * PAGE_SIZE, buf, sizeof(buf), true), 0);
	KT_EQ(uvm_obj_rdwr(vp->v_obj, 3 * PAGE_SIZE, buf, sizeof(buf), true), 0);
	vt_node(vp)->size = 5 * PAGE_SIZE;
	KT_EQ(vn_lseek(f, 10, SEEK_DATA), 2 * PAGE_SIZE);
	KT_EQ(vn_lseek(f, 2 * PAGE_SIZE + 5, SEEK_DATA), 2 * PAGE_SIZE + 5);
	KT_EQ(vn_lseek(f, 2 * PAGE_SIZE + 5, SEEK_HOLE), 4 * PAGE_SIZE);
	KT_EQ(vn_lseek(f, 0, SEEK_HOLE), 0);
	KT_EQ(vn_lseek(f, 4 * PAGE_SIZE, SEEK_DATA), -ENXIO);
	KT_EQ(vn_lseek(f, -1, SEEK_DATA), -ENXIO);
	KT_EQ(f->off, 0);                       /* the refused seek kept it */
	file_release(f);
	vt_node(vp)->size = 0;
	vt_done(vp);
}

/*
 * The bounce buffer: write(2) from a mapping of the very page being
 * written.  The copy from the user buffer happens before the page is
 * busied for the write, so the mapping's fault finds it free.
 */
KTEST(vnops, write_from_a_mapping_of_the_same_page)
{
	struct vmtest t;
	struct vnode *vp;
	uint64_t off = 0;
	char *u, *m;

	vmtest_begin(&t);
	u = (char *)vmtest_map_anon(&t, VT_VA, 1);
	vp = vt_vnode(2);
	uao_reference(vp->v_obj);               /* the mapping's reference */
	m = (char *)vmtest_map(&t, VT_VA + 4 * PAGE_SIZE, 2, vp->v_obj,
	    VM_PROT_READ | VM_PROT_WRITE, 0);
	vmtest_activate(&t);
	memset(u, 'A', PAGE_SIZE);
	KT_EQ(vn_write(vp, (uint64_t)u, PAGE_SIZE, &off, false), PAGE_SIZE);
	KT_EQ(m[100], 'A');                     /* one page: mapping and file */
	m[0] = 'B';                             /* a store through the mapping */
	off = 0;
	KT_EQ(vn_write(vp, (uint64_t)m, PAGE_SIZE, &off, false), PAGE_SIZE);
	off = PAGE_SIZE;                        /* and from page 0 into page 1 */
	KT_EQ(vn_write(vp, (uint64_t)m, 100, &off, false), 100);
	KT_EQ(m[PAGE_SIZE], 'B');
	KT_EQ(m[PAGE_SIZE + 99], 'A');
	KT_EQ(vt_node(vp)->size, PAGE_SIZE + 100);
	vmtest_deactivate(&t);
	vt_done(vp);
	vmtest_end(&t);
}

/* A file of len bytes 'a'.. 'z' in turn, written from u (resident after). */
static struct vnode *
vt_file_from(char *u, size_t len)
{
	struct vnode *vp = vt_vnode(2);
	uint64_t off = 0;

	for (size_t i = 0; i < len; i++)
		u[i] = (char)('a' + i % 26);
	KT_EQ(vn_write(vp, (uint64_t)u, len, &off, false), (int64_t)len);
	return vp;
}

/* Do the n bytes at p read as the file's bytes from off on? */
static bool
vt_bytes_match(const char *p, uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != (char)('a' + (off + i) % 26))
			return false;
	}
	return true;
}

/* Memory mapped writable: one copy, from the file's page to the user. */
KTEST(vnops, a_read_into_mapped_memory_copies_straight_from_the_page)
{
	struct vmtest t;
	struct vn_read_counts c0;
	struct vnode *vp;
	uint64_t off = 0;
	char *u;

	vmtest_begin(&t);
	u = (char *)vmtest_map_anon(&t, VT_VA, 4);
	vmtest_activate(&t);
	vp = vt_file_from(u + 2 * PAGE_SIZE, 5000);     /* pages 2 and 3 */
	memset(u, 'X', 2 * PAGE_SIZE);                  /* pages 0 and 1 */
	c0 = vn_read_counts;
	KT_EQ(vn_read(vp, (uint64_t)u + 100, 5000, &off), 5000);
	KT_EQ(vn_read_counts.direct - c0.direct, 2);    /* one per file page */
	KT_EQ(vn_read_counts.bounced - c0.bounced, 0);
	KT_ASSERT(vt_bytes_match(u + 100, 0, 5000));
	KT_EQ(u[99], 'X');
	KT_EQ(u[5100], 'X');
	vt_node(vp)->size = 3 * PAGE_SIZE;      /* page 2: a hole, no page */
	off = 2 * PAGE_SIZE;
	KT_EQ(vn_read(vp, (uint64_t)u, 100, &off), 100);
	KT_EQ(vn_read_counts.direct - c0.direct, 3);    /* zeros, direct too */
	KT_EQ(u[0], 0);
	KT_EQ(u[99], 0);
	KT_EQ(u[100], 'a');
	KT_EQ(vn_read_counts.bounced - c0.bounced, 0);
	vmtest_deactivate(&t);
	vt_done(vp);
	vmtest_end(&t);
}

/* A user page not mapped yet: the bounce page, then an ordinary fault. */
KTEST(vnops, a_read_into_unmapped_memory_goes_through_the_bounce_page)
{
	struct vmtest t;
	struct vn_read_counts c0;
	struct vnode *vp;
	uint64_t off = 10;
	char *u;

	vmtest_fault_ahead(false);      /* page 1 stays unmapped until read */
	vmtest_begin(&t);
	u = (char *)vmtest_map_anon(&t, VT_VA, 2);
	vmtest_activate(&t);
	vp = vt_file_from(u, 3000);
	KT_EQ(vmtest_pte(&t, (vaddr_t)u + PAGE_SIZE), 0);
	c0 = vn_read_counts;
	KT_EQ(vn_read(vp, (uint64_t)u + PAGE_SIZE, 2000, &off), 2000);
	KT_EQ(vn_read_counts.direct - c0.direct, 0);
	KT_EQ(vn_read_counts.bounced - c0.bounced, 1);
	KT_EQ(vmtest_pte(&t, (vaddr_t)u + PAGE_SIZE) & (PG_V | PG_RW),
	    PG_V | PG_RW);                              /* copyout faulted it in */
	KT_ASSERT(vt_bytes_match(u + PAGE_SIZE, 10, 2000));
	vmtest_deactivate(&t);
	vt_done(vp);
	vmtest_end(&t);
}

/*
 * The user buffer a mapping of the page being read: the direct copy runs
 * with that page busy, so it must not fault on it (the fault would wait
 * for the page forever).  Not mapped yet: bounced, and the copyout's
 * fault finds the page unbusied; mapped by then: direct.
 */
KTEST(vnops, a_read_into_a_mapping_of_the_same_page_never_waits_on_itself)
{
	struct vmtest t;
	struct vn_read_counts c0;
	struct vnode *vp;
	uint64_t off = 0;
	char *u, *m;

	vmtest_fault_ahead(false);
	vmtest_begin(&t);
	u = (char *)vmtest_map_anon(&t, VT_VA, 1);
	vmtest_activate(&t);
	vp = vt_file_from(u, 1000);
	uao_reference(vp->v_obj);               /* the mapping's reference */
	m = (char *)vmtest_map(&t, VT_VA + 4 * PAGE_SIZE, 1, vp->v_obj,
	    VM_PROT_READ | VM_PROT_WRITE, 0);
	KT_EQ(vmtest_pte(&t, (vaddr_t)m), 0);
	c0 = vn_read_counts;
	KT_EQ(vn_read(vp, (uint64_t)m + 2048, 1000, &off), 1000);
	KT_EQ(vn_read_counts.bounced - c0.bounced, 1);
	KT_ASSERT(vt_bytes_match(m + 2048, 0, 1000));
	off = 0;
	KT_EQ(vn_read(vp, (uint64_t)m + 3000, 500, &off), 500);
	KT_EQ(vn_read_counts.direct - c0.direct, 1);    /* mapped now */
	KT_ASSERT(vt_bytes_match(m + 3000, 0, 500));
	vmtest_deactivate(&t);
	vt_done(vp);
	vmtest_end(&t);
}

KTEST(vnops, failed_growth_writes_nothing_and_keeps_the_size)
{
	struct vmtest t;
	struct vnode *vp;
	uint64_t off;
	char *u;

	vmtest_begin(&t);
	u = (char *)vmtest_map_anon(&t, VT_VA, 2);
	vp = vt_vnode(2);
	vmtest_activate(&t);
	memset(u, 'x', 2 * PAGE_SIZE);
	vt_node(vp)->limit = PAGE_SIZE + 10;
	off = 0;                                /* part fits: a short write */
	KT_EQ(vn_write(vp, (uint64_t)u, 2 * PAGE_SIZE, &off, false), PAGE_SIZE);
	KT_EQ(vt_node(vp)->size, PAGE_SIZE);
	KT_EQ(vn_write(vp, (uint64_t)u, 100, &off, false), -ENOSPC);
	KT_EQ(off, PAGE_SIZE);
	KT_EQ(vt_node(vp)->size, PAGE_SIZE);    /* nothing grew */
	KT_ASSERT(!vt_page_dirty(vp, PAGE_SIZE));
	vmtest_deactivate(&t);
	vt_done(vp);
	vmtest_end(&t);
}

KTEST(vnops, getdents_resumes_at_each_cookie)
{
	struct vmtest t;
	struct vnode *vp;
	struct file *f;
	uint64_t d_off;
	uint16_t reclen;
	char *u;

	vmtest_begin(&t);
	u = (char *)vmtest_map_anon(&t, VT_VA, 1);
	vp = vt_vnode(1);
	KT_EQ(vn_file_open(vp, O_RDONLY, &f), 0);
	vmtest_activate(&t);
	/* Room for "." and ".." (24 bytes each), not the long name. */
	KT_EQ(vn_getdents(f, (uint64_t)u, 60), 48);
	memcpy(&d_off, u + 24 + 8, 8);
	KT_EQ(d_off, 2);
	KT_EQ(f->off, 2);                       /* the cookie after ".." */
	KT_EQ(vn_getdents(f, (uint64_t)u, 20), -EINVAL);
	KT_EQ(vn_getdents(f, (uint64_t)u, PAGE_SIZE), 48);
	memcpy(&reclen, u + 16, 2);
	KT_EQ(reclen, 48);                      /* 19 + 21 + NUL, rounded to 8 */
	KT_STREQ(u + 19, "file-with-a-long-name");
	KT_EQ(vn_getdents(f, (uint64_t)u, PAGE_SIZE), 0);
	KT_EQ(vn_lseek(f, 1, SEEK_SET), 1);     /* back to ".." */
	KT_EQ(vn_getdents(f, (uint64_t)u, 24), 24);
	KT_STREQ(u + 19, "..");
	vmtest_deactivate(&t);
	file_release(f);
	vt_done(vp);
	vmtest_end(&t);
}
