/*
 * tests/kern/fs/tmpfs_test.c - kern/fs/tmpfs.c on private mounts
 * (tmpfs_mount_private), through its vnodeops as the VFS calls them:
 * nodes and link counts, directory entries and their cookies, each file's
 * aobj (size in pages, pages holding data, swap slots), the size limit
 * (the mount's aobj budget) for writes and for stores through a mapping,
 * truncation under a mapping, and the node of an unlinked open file.
 * tmpfs_check runs after every step.
 */
#include "kern/fs/tmpfs.h"
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "pmap/pmap.h"
#include "tests/harness/swaptest.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_fault.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_swap.h"

#define VA 0x10000000UL

static struct mount *
t_mount(const char *opts)
{
	struct mount *mp = NULL;

	KT_EQ(tmpfs_mount_private(opts, &mp), 0);
	KT_EQ(tmpfs_check(mp, ktest_print), 0);
	return mp;
}

static void
t_unmount(struct mount *mp)
{
	KT_EQ(tmpfs_check(mp, ktest_print), 0);
	KT_EQ(tmpfs_unmount_private(mp), 0);
}

static void
ck(struct mount *mp)
{
	KT_EQ(tmpfs_check(mp, ktest_print), 0);
}

static struct tmpfs_mount *
tm_of(struct mount *mp)
{
	return tmpfs_mount_of(mp);
}

/* vop_lookup/create/mkdir/... with dvp locked, as the VFS calls them. */
static int
t_lookup(struct vnode *dvp, const char *name, struct vnode **vpp)
{
	mutex_enter(&dvp->v_lock);
	int error = dvp->v_ops->vop_lookup(dvp, name, strlen(name), vpp);
	mutex_exit(&dvp->v_lock);
	return error;
}

static struct vnode *
t_create(struct vnode *dvp, const char *name)
{
	struct vnode *vp = NULL;

	mutex_enter(&dvp->v_lock);
	KT_EQ(dvp->v_ops->vop_create(dvp, name, strlen(name), 0644, &vp), 0);
	mutex_exit(&dvp->v_lock);
	return vp;
}

static struct vnode *
t_mkdir(struct vnode *dvp, const char *name)
{
	struct vnode *vp = NULL;

	mutex_enter(&dvp->v_lock);
	KT_EQ(dvp->v_ops->vop_mkdir(dvp, name, strlen(name), 0755, &vp), 0);
	mutex_exit(&dvp->v_lock);
	return vp;
}

static int
t_remove(struct vnode *dvp, const char *name, struct vnode *vp, bool dir)
{
	int error;

	mutex_enter(&dvp->v_lock);
	mutex_enter(&vp->v_lock);
	error = dir ? dvp->v_ops->vop_rmdir(dvp, name, strlen(name), vp) :
	    dvp->v_ops->vop_remove(dvp, name, strlen(name), vp);
	mutex_exit(&vp->v_lock);
	mutex_exit(&dvp->v_lock);
	return error;
}

static int
t_rename(struct vnode *fdvp, const char *fname, struct vnode *fvp,
    struct vnode *tdvp, const char *tname, struct vnode *tvp)
{
	struct mount *mp = fdvp->v_mount;
	int error;

	mutex_enter(&mp->mnt_renamelock);
	mutex_enter(&fdvp->v_lock);
	if (tdvp != fdvp)
		mutex_enter(&tdvp->v_lock);
	error = fdvp->v_ops->vop_rename(fdvp, fname, strlen(fname), fvp, tdvp,
	    tname, strlen(tname), tvp);
	if (tdvp != fdvp)
		mutex_exit(&tdvp->v_lock);
	mutex_exit(&fdvp->v_lock);
	mutex_exit(&mp->mnt_renamelock);
	return error;
}

static int
t_setsize(struct vnode *vp, uint64_t size)
{
	struct vattr va = { .va_mask = VA_SIZE, .va_size = size };

	mutex_enter(&vp->v_lock);
	int error = vp->v_ops->vop_setattr(vp, &va);
	mutex_exit(&vp->v_lock);
	return error;
}

/* write(2) as the VFS does it: grow the file, then copy through v_obj. */
static int
t_write(struct vnode *vp, uint64_t off, const void *buf, size_t len)
{
	struct tmpfs_node *n = tmpfs_node_of(vp);
	int error = 0;

	if (off + len > n->tn_size)
		error = t_setsize(vp, off + len);
	if (error == 0)
		error = uvm_obj_rdwr(vp->v_obj, (voff_t)off, (void *)buf, len, true);
	return error;
}

static int
t_read(struct vnode *vp, uint64_t off, void *buf, size_t len)
{
	return uvm_obj_rdwr(vp->v_obj, (voff_t)off, buf, len, false);
}

static int
held(struct vnode *vp)
{
	struct uvm_object *u = vp->v_obj;

	mutex_enter(&u->vmobjlock);
	int h = uao_held_pages(u);
	mutex_exit(&u->vmobjlock);
	return h;
}

static int
npages(struct vnode *vp)
{
	struct uvm_object *u = vp->v_obj;

	mutex_enter(&u->vmobjlock);
	int n = uao_npages(u);
	mutex_exit(&u->vmobjlock);
	return n;
}

static char pagebuf[PAGE_SIZE * 4];

KTEST(tmpfs, options_parse_sizes_nodes_and_mode)
{
	struct tmpfs_args ta;

	KT_EQ(tmpfs_parse_opts(NULL, &ta), 0);
	KT_EQ(ta.ta_pages, uvmexp.npages / 2);          /* half of RAM */
	KT_EQ(ta.ta_mode, 01777);
	KT_EQ(tmpfs_parse_opts("size=16k,nr_inodes=10,mode=0755", &ta), 0);
	KT_EQ(ta.ta_pages, 4);
	KT_EQ(ta.ta_nodes, 10);
	KT_EQ(ta.ta_mode, 0755);
	KT_EQ(tmpfs_parse_opts("size=1m", &ta), 0);
	KT_EQ(ta.ta_pages, 256);
	KT_EQ(tmpfs_parse_opts("size=2g,uid=5,gid=7", &ta), 0);
	KT_EQ(ta.ta_pages, 2UL << 18);
	KT_EQ(ta.ta_uid, 5);
	KT_EQ(ta.ta_gid, 7);
	KT_EQ(tmpfs_parse_opts("size=5000", &ta), 0);
	KT_EQ(ta.ta_pages, 2);                          /* bytes, rounded up */
	KT_EQ(tmpfs_parse_opts("size=10%", &ta), 0);
	KT_EQ(ta.ta_pages, uvmexp.npages / 10);
	KT_EQ(tmpfs_parse_opts("size=0", &ta), 0);
	KT_EQ(ta.ta_pages, 0);                          /* no limit */
	KT_EQ(tmpfs_parse_opts("size=12q", &ta), -EINVAL);
	KT_EQ(tmpfs_parse_opts("size=", &ta), -EINVAL);
	KT_EQ(tmpfs_parse_opts("size=101%", &ta), -EINVAL);
	KT_EQ(tmpfs_parse_opts("mode=0999", &ta), -EINVAL);
	KT_EQ(tmpfs_parse_opts("colour=blue", &ta), -EINVAL);
	KT_EQ(tmpfs_parse_opts("size", &ta), -EINVAL);
	KT_EQ(tmpfs_parse_opts("size=99999999999999999999999", &ta), -EINVAL);
}

KTEST(tmpfs, mount_has_a_root_and_statfs_counts_the_limit)
{
	struct mount *mp = t_mount("size=64k,nr_inodes=20,mode=0700");
	struct vfs_statfs st;
	struct vattr va;
	struct vnode *vp = NULL;

	KT_EQ(mp->mnt_root->v_type, VDIR);
	KT_EQ(tm_of(mp)->tm_nnodes, 1);
	KT_EQ(mp->mnt_op->vfs_statfs(mp, &st), 0);
	KT_EQ(st.f_type, TMPFS_MAGIC);
	KT_EQ(st.f_bsize, PAGE_SIZE);
	KT_EQ(st.f_blocks, 16);
	KT_EQ(st.f_bfree, 16);
	KT_EQ(st.f_files, 20);
	KT_EQ(st.f_ffree, 19);
	KT_EQ(mp->mnt_root->v_ops->vop_getattr(mp->mnt_root, &va), 0);
	KT_EQ(va.va_mode, 0700);
	KT_EQ(va.va_nlink, 2);
	KT_EQ(va.va_size, 2 * TMPFS_BOGO_DIRENT);
	/* ".." of the root is the root. */
	KT_EQ(t_lookup(mp->mnt_root, "..", &vp), 0);
	KT_ASSERT(vp == mp->mnt_root);
	vrele(vp);
	KT_EQ(t_lookup(mp->mnt_root, "nothing", &vp), -ENOENT);
	t_unmount(mp);
}

KTEST(tmpfs, file_data_is_one_aobj_shared_by_read_and_write)
{
	struct mount *mp = t_mount("size=1m");
	struct vnode *vp = t_create(mp->mnt_root, "f");
	struct tmpfs_node *n = tmpfs_node_of(vp);
	struct vattr va;
	char buf[100];

	KT_ASSERT(vp->v_obj != NULL && uao_is_aobj(vp->v_obj));
	KT_ASSERT(vp->v_obj == n->reg.tn_aobj);
	KT_EQ(n->tn_links, 1);
	KT_EQ(npages(vp), 0);
	memset(pagebuf, 'x', sizeof(pagebuf));
	KT_EQ(t_write(vp, 0, pagebuf, 3 * PAGE_SIZE + 100), 0);
	ck(mp);
	KT_EQ(n->tn_size, 3 * PAGE_SIZE + 100);
	KT_EQ(npages(vp), 4);
	KT_EQ(held(vp), 4);
	KT_EQ(vp->v_obj->uo_npages, 4);                 /* all resident */
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 4);
	KT_EQ(t_read(vp, 3 * PAGE_SIZE + 50, buf, 50), 0);
	KT_EQ(buf[0], 'x');
	KT_EQ(buf[49], 'x');
	KT_EQ(vp->v_ops->vop_getattr(vp, &va), 0);
	KT_EQ(va.va_size, 3 * PAGE_SIZE + 100);
	KT_EQ(va.va_blocks, 4 * (PAGE_SIZE / 512));
	KT_EQ(va.va_nlink, 1);
	KT_EQ(va.va_type, VREG);
	vrele(vp);
	t_unmount(mp);
}

KTEST(tmpfs, extend_makes_a_hole_that_costs_nothing_even_when_read)
{
	struct mount *mp = t_mount("size=16k");
	struct vnode *vp = t_create(mp->mnt_root, "sparse");
	char buf[64];

	/* Far past the limit: ftruncate allocates nothing, as on Linux. */
	KT_EQ(t_setsize(vp, 100 * PAGE_SIZE), 0);
	KT_EQ(npages(vp), 100);
	KT_EQ(held(vp), 0);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 0);
	memset(buf, 1, sizeof(buf));
	KT_EQ(t_read(vp, 50 * PAGE_SIZE + 7, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		KT_EQ(buf[i], 0);
	KT_EQ(vp->v_obj->uo_npages, 0);                 /* no page made */
	KT_EQ(held(vp), 0);
	ck(mp);
	vrele(vp);
	t_unmount(mp);
}

KTEST(tmpfs, write_past_the_limit_is_enospc_and_charges_nothing)
{
	struct mount *mp = t_mount("size=16k");
	struct vnode *vp = t_create(mp->mnt_root, "big");
	struct vnode *vp2 = t_create(mp->mnt_root, "other");
	struct vfs_statfs st;

	memset(pagebuf, 'a', sizeof(pagebuf));
	KT_EQ(t_write(vp, 0, pagebuf, 3 * PAGE_SIZE), 0);
	KT_EQ(t_write(vp2, 0, pagebuf, PAGE_SIZE), 0);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 4);
	KT_EQ(mp->mnt_op->vfs_statfs(mp, &st), 0);
	KT_EQ(st.f_bfree, 0);
	/* One more page: refused before anything is charged. */
	KT_EQ(t_write(vp, 3 * PAGE_SIZE, pagebuf, 10), -ENOSPC);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 4);
	KT_EQ(held(vp), 3);
	KT_EQ(vp->v_obj->uo_npages, 3);
	/* Overwriting pages that hold data needs no room. */
	KT_EQ(t_write(vp, 100, pagebuf, PAGE_SIZE), 0);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 4);
	/* Truncating gives room back. */
	KT_EQ(t_setsize(vp, PAGE_SIZE), 0);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 2);
	KT_EQ(held(vp), 1);
	ck(mp);
	KT_EQ(t_write(vp, PAGE_SIZE, pagebuf, 2 * PAGE_SIZE), 0);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 4);
	ck(mp);
	vrele(vp);
	vrele(vp2);
	t_unmount(mp);
}

KTEST(tmpfs, truncate_frees_pages_and_swap_slots_and_zeroes_the_tail)
{
	struct mount *mp;
	struct vnode *vp;
	struct uvm_object *u;
	uint64_t slots_before;
	int n = 1, slot;
	char c;

	/* A swap area with no disk behind it: slots to hand out. */
	KT_EQ(uvm_swap_stats.nslots, 0);
	KT_ASSERT(uvm_swap_area_create(64) > 0);
	slots_before = uvm_swap_stats.inuse;
	mp = t_mount("size=1m");
	vp = t_create(mp->mnt_root, "t");

	memset(pagebuf, 'z', sizeof(pagebuf));
	KT_EQ(t_write(vp, 0, pagebuf, 4 * PAGE_SIZE), 0);
	u = vp->v_obj;
	/* Page 3 "goes to swap" as the page daemon would leave it: a slot,
	 * and the resident page freed. */
	slot = uvm_swap_alloc(&n, false);
	KT_ASSERT(slot > 0);
	mutex_enter(&u->vmobjlock);
	KT_EQ(uao_set_swslot(u, 3, slot), 0);
	KT_EQ(u->pgops->pgo_put(u, 3 * PAGE_SIZE, 4 * PAGE_SIZE, PGO_FREE), 0);
	KT_EQ(u->uo_npages, 3);
	KT_EQ(uao_find_swslot(u, 3), slot);
	KT_EQ(uao_held_pages(u), 4);                    /* in swap still counts */
	mutex_exit(&u->vmobjlock);
	KT_EQ(uvm_swap_slot_inuse(slot), true);
	ck(mp);
	/* Truncate into page 1: pages 2 and 3 go, slot and all. */
	KT_EQ(t_setsize(vp, PAGE_SIZE + 10), 0);
	KT_EQ(npages(vp), 2);
	KT_EQ(u->uo_npages, 2);
	KT_EQ(held(vp), 2);
	KT_EQ(uvm_swap_slot_inuse(slot), false);
	KT_EQ(uvm_swap_stats.inuse, slots_before);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 2);
	ck(mp);
	/* The bytes past the end in the last page read as zeros after a grow. */
	KT_EQ(t_setsize(vp, 2 * PAGE_SIZE), 0);
	KT_EQ(t_read(vp, PAGE_SIZE + 9, &c, 1), 0);
	KT_EQ(c, 'z');
	KT_EQ(t_read(vp, PAGE_SIZE + 10, &c, 1), 0);
	KT_EQ(c, 0);
	KT_EQ(t_setsize(vp, 0), 0);
	KT_EQ(u->uo_npages, 0);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 0);
	ck(mp);
	vrele(vp);
	t_unmount(mp);
	uvm_swap_area_destroy_all();
}

KTEST(tmpfs, truncate_under_a_mapping_unmaps_and_faults_past_the_end_fail)
{
	struct vmtest t;
	struct mount *mp;
	struct vnode *vp;
	paddr_t pa;

	vmtest_begin(&t);
	mp = t_mount("size=1m");
	vp = t_create(mp->mnt_root, "m");
	memset(pagebuf, 'q', sizeof(pagebuf));
	KT_EQ(t_write(vp, 0, pagebuf, 4 * PAGE_SIZE), 0);
	uao_reference(vp->v_obj);                       /* the mapping's */
	vmtest_map(&t, VA, 4, vp->v_obj, VM_PROT_READ | VM_PROT_WRITE, 0);
	for (int i = 0; i < 4; i++)
		KT_EQ(uvm_fault(t.map, VA + (vaddr_t)i * PAGE_SIZE, VM_PROT_READ), 0);
	KT_ASSERT(pmap_extract(t.map->pmap, VA + 3 * PAGE_SIZE, &pa));
	KT_EQ(t_setsize(vp, PAGE_SIZE), 0);
	/* Pages 1-3 left every mapping and the object. */
	KT_ASSERT(!pmap_extract(t.map->pmap, VA + 3 * PAGE_SIZE, &pa));
	KT_ASSERT(!pmap_extract(t.map->pmap, VA + PAGE_SIZE, &pa));
	KT_ASSERT(pmap_extract(t.map->pmap, VA, &pa));
	KT_EQ(vp->v_obj->uo_npages, 1);
	/* A fault past the end: the pager refuses, -EINVAL (SIGBUS). */
	KT_EQ(uvm_fault(t.map, VA + 2 * PAGE_SIZE, VM_PROT_READ), -EINVAL);
	KT_EQ(uvm_fault(t.map, VA + PAGE_SIZE, VM_PROT_WRITE), -EINVAL);
	KT_EQ(vp->v_obj->uo_npages, 1);
	ck(mp);
	uvm_unmap(t.map, VA, VA + 4 * PAGE_SIZE);
	vrele(vp);
	t_unmount(mp);
	vmtest_end(&t);
}

KTEST(tmpfs, stores_through_a_mapping_are_charged_and_stop_at_the_limit)
{
	struct vmtest t;
	struct mount *mp;
	struct vnode *vp;

	vmtest_begin(&t);
	mp = t_mount("size=8k");
	vp = t_create(mp->mnt_root, "mm");
	KT_EQ(t_setsize(vp, 4 * PAGE_SIZE), 0);        /* a hole of 4 pages */
	uao_reference(vp->v_obj);
	vmtest_map(&t, VA, 4, vp->v_obj, VM_PROT_READ | VM_PROT_WRITE, 0);
	KT_EQ(uvm_fault(t.map, VA, VM_PROT_WRITE), 0);
	KT_EQ(uvm_fault(t.map, VA + PAGE_SIZE, VM_PROT_READ), 0);
	KT_EQ(held(vp), 2);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 2);
	/* The third page has no room: -ENOSPC (SIGBUS), nothing charged. */
	KT_EQ(uvm_fault(t.map, VA + 2 * PAGE_SIZE, VM_PROT_WRITE), -ENOSPC);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 2);
	KT_EQ(vp->v_obj->uo_npages, 2);
	ck(mp);
	uvm_unmap(t.map, VA, VA + 4 * PAGE_SIZE);
	vrele(vp);
	t_unmount(mp);
	vmtest_end(&t);
}

KTEST(tmpfs, directories_count_links_and_refuse_rmdir_when_not_empty)
{
	struct mount *mp = t_mount(NULL);
	struct vnode *root = mp->mnt_root, *a, *b, *f, *vp = NULL;
	struct tmpfs_node *rn = tmpfs_node_of(root);

	a = t_mkdir(root, "a");
	b = t_mkdir(a, "b");
	f = t_create(a, "f");
	ck(mp);
	KT_EQ(rn->tn_links, 3);
	KT_EQ(tmpfs_node_of(a)->tn_links, 3);
	KT_EQ(tmpfs_node_of(b)->tn_links, 2);
	KT_EQ(tmpfs_node_of(a)->dir.tn_nentries, 2);
	KT_EQ(tm_of(mp)->tm_nnodes, 4);
	KT_EQ(t_lookup(b, "..", &vp), 0);
	KT_ASSERT(vp == a);
	vrele(vp);
	/* A second name for f. */
	mutex_enter(&root->v_lock);
	KT_EQ(root->v_ops->vop_link(root, "g", 1, f), 0);
	KT_EQ(root->v_ops->vop_link(root, "h", 1, a), -EPERM);
	mutex_exit(&root->v_lock);
	KT_EQ(tmpfs_node_of(f)->tn_links, 2);
	ck(mp);
	KT_EQ(t_remove(root, "a", a, true), -ENOTEMPTY);
	KT_EQ(t_remove(a, "b", b, false), -EISDIR);
	KT_EQ(t_remove(a, "f", f, true), -ENOTDIR);
	KT_EQ(t_remove(a, "b", b, true), 0);
	KT_EQ(tmpfs_node_of(b)->tn_links, 0);
	KT_EQ(tmpfs_node_of(a)->tn_links, 2);
	/* Nothing can be made in a removed directory, nor found or listed. */
	mutex_enter(&b->v_lock);
	KT_EQ(b->v_ops->vop_create(b, "x", 1, 0644, &vp), -ENOENT);
	KT_EQ(b->v_ops->vop_lookup(b, "..", 2, &vp), -ENOENT);
	struct vfs_dirent d;
	KT_EQ(b->v_ops->vop_readdir(b, 0, &d), -ENOENT);
	mutex_exit(&b->v_lock);
	KT_ASSERT(tmpfs_node_of(b)->dir.tn_parent == tmpfs_node_of(b));
	ck(mp);
	KT_EQ(t_remove(a, "f", f, false), 0);
	KT_EQ(tmpfs_node_of(f)->tn_links, 1);
	KT_EQ(t_remove(root, "a", a, true), 0);
	KT_EQ(rn->tn_links, 2);
	ck(mp);
	vrele(b);
	vrele(a);
	KT_EQ(tm_of(mp)->tm_nnodes, 2);                 /* the root, f (as g) */
	ck(mp);
	KT_EQ(t_remove(root, "g", f, false), 0);
	vrele(f);
	KT_EQ(tm_of(mp)->tm_nnodes, 1);
	t_unmount(mp);
}

/* Read the whole directory from cookie c, names into out (space-separated). */
static uint64_t
t_readdir(struct vnode *dvp, uint64_t c, int max, char *out, size_t size)
{
	struct vfs_dirent d;

	out[0] = '\0';
	for (int i = 0; i < max; i++) {
		mutex_enter(&dvp->v_lock);
		int r = dvp->v_ops->vop_readdir(dvp, c, &d);
		mutex_exit(&dvp->v_lock);
		KT_ASSERT(r >= 0);
		if (r == 1)
			break;
		size_t len = strlen(out);
		ksnprintf(out + len, size - len, "%s%s", len ? " " : "", d.name);
		c = d.next;
	}
	return c;
}

KTEST(tmpfs, readdir_cookies_stay_valid_across_removal)
{
	struct mount *mp = t_mount(NULL);
	struct vnode *root = mp->mnt_root, *v[5];
	const char *names[5] = { "e0", "e1", "e2", "e3", "e4" };
	char out[128];
	uint64_t c;

	for (int i = 0; i < 5; i++)
		v[i] = t_create(root, names[i]);
	c = t_readdir(root, 0, 100, out, sizeof(out));
	KT_STREQ(out, ". .. e0 e1 e2 e3 e4");
	/* Stop after "e1", remove "e1" and "e2", go on: no entry twice or lost. */
	c = t_readdir(root, 0, 4, out, sizeof(out));
	KT_STREQ(out, ". .. e0 e1");
	KT_EQ(t_remove(root, "e1", v[1], false), 0);
	KT_EQ(t_remove(root, "e2", v[2], false), 0);
	t_readdir(root, c, 100, out, sizeof(out));
	KT_STREQ(out, "e3 e4");
	/* A new name goes to the end, with a fresh cookie. */
	KT_EQ(t_rename(root, "e0", v[0], root, "z", NULL), 0);
	t_readdir(root, 0, 100, out, sizeof(out));
	KT_STREQ(out, ". .. e3 e4 z");
	ck(mp);
	for (int i = 0; i < 5; i++)
		vrele(v[i]);
	KT_EQ(tm_of(mp)->tm_nnodes, 4);
	t_unmount(mp);
}

KTEST(tmpfs, rename_moves_entries_and_replaces_the_target)
{
	struct mount *mp = t_mount(NULL);
	struct vnode *root = mp->mnt_root, *d1, *d2, *sub, *f, *g, *e, *vp = NULL;
	uint64_t aobjs;

	d1 = t_mkdir(root, "d1");
	d2 = t_mkdir(root, "d2");
	sub = t_mkdir(d1, "sub");
	f = t_create(d1, "f");
	g = t_create(d2, "g");
	e = t_mkdir(d2, "empty");
	memset(pagebuf, 'g', PAGE_SIZE);
	KT_EQ(t_write(g, 0, pagebuf, PAGE_SIZE), 0);
	/* f replaces g: g's name goes, its node waits for our reference. */
	KT_EQ(t_rename(d1, "f", f, d2, "g", g), 0);
	KT_EQ(t_lookup(d1, "f", &vp), -ENOENT);
	KT_EQ(t_lookup(d2, "g", &vp), 0);
	KT_ASSERT(vp == f);
	vrele(vp);
	KT_EQ(tmpfs_node_of(g)->tn_links, 0);
	KT_EQ(tmpfs_node_of(f)->tn_links, 1);
	ck(mp);
	aobjs = uao_count();
	vrele(g);                                       /* g is gone now */
	KT_EQ(uao_count(), aobjs - 1);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 0);
	/* A directory moves: link counts and ".." follow it. */
	KT_EQ(t_rename(d1, "sub", sub, d2, "sub2", NULL), 0);
	KT_EQ(tmpfs_node_of(d1)->tn_links, 2);
	KT_EQ(tmpfs_node_of(d2)->tn_links, 4);
	KT_ASSERT(tmpfs_node_of(sub)->dir.tn_parent == tmpfs_node_of(d2));
	ck(mp);
	/* Over an empty directory: fine; over a non-empty one: refused. */
	KT_EQ(t_rename(d2, "sub2", sub, d1, "x", NULL), 0);
	KT_EQ(t_rename(d1, "x", sub, d2, "empty", e), 0);
	KT_EQ(tmpfs_node_of(e)->tn_links, 0);
	KT_EQ(tmpfs_node_of(d2)->tn_links, 3);
	KT_EQ(t_rename(root, "d2", d2, root, "d1", d1), 0);   /* d1 is empty */
	vrele(e);
	vrele(d1);
	ck(mp);
	/* Renaming a name onto another name of the same file does nothing. */
	mutex_enter(&d2->v_lock);
	KT_EQ(d2->v_ops->vop_link(d2, "g2", 2, f), 0);
	mutex_exit(&d2->v_lock);
	KT_EQ(t_rename(d2, "g", f, d2, "g2", f), 0);
	KT_EQ(tmpfs_node_of(f)->tn_links, 2);
	ck(mp);
	vrele(sub);
	vrele(f);
	vrele(d2);
	t_unmount(mp);
}

KTEST(tmpfs, unlinked_open_file_lives_until_its_last_reference)
{
	struct mount *mp = t_mount(NULL);
	struct vnode *vp = t_create(mp->mnt_root, "u");
	struct tmpfs_node *n = tmpfs_node_of(vp);
	uint64_t aobjs = uao_count();
	char buf[8];

	memset(pagebuf, 'u', PAGE_SIZE);
	KT_EQ(t_write(vp, 0, pagebuf, PAGE_SIZE), 0);
	vref(vp);                                       /* a second holder */
	KT_EQ(t_remove(mp->mnt_root, "u", vp, false), 0);
	KT_EQ(n->tn_links, 0);
	KT_EQ(tm_of(mp)->tm_nnodes, 2);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 1);
	ck(mp);                                         /* no name, but a vnode */
	vrele(vp);
	KT_EQ(tm_of(mp)->tm_nnodes, 2);
	KT_EQ(t_read(vp, 0, buf, sizeof(buf)), 0);     /* still readable */
	KT_EQ(buf[7], 'u');
	vrele(vp);                                      /* the last: gone */
	KT_EQ(tm_of(mp)->tm_nnodes, 1);
	KT_EQ(uao_count(), aobjs - 1);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 0);
	t_unmount(mp);
}

KTEST(tmpfs, data_outlives_the_vnode_when_the_cache_reclaims_it)
{
	struct mount *mp = t_mount(NULL);
	struct vnode *vp = t_create(mp->mnt_root, "keep");
	uint64_t reclaims = vcache_stats.vs_reclaims;
	char buf[4];

	KT_EQ(t_write(vp, 0, "data", 4), 0);
	vrele(vp);
	KT_EQ(vcache_flush(mp), 1);                     /* only the root stays */
	KT_EQ(vcache_stats.vs_reclaims, reclaims + 1);
	ck(mp);
	KT_EQ(t_lookup(mp->mnt_root, "keep", &vp), 0);
	KT_EQ(t_read(vp, 0, buf, 4), 0);
	KT_EQ(memcmp(buf, "data", 4), 0);
	KT_EQ(held(vp), 1);
	vrele(vp);
	t_unmount(mp);
}

KTEST(tmpfs, symlinks_read_back_and_nr_inodes_limits_nodes)
{
	struct mount *mp = t_mount("nr_inodes=3");
	struct vnode *root = mp->mnt_root, *l = NULL, *f, *vp = NULL;
	struct vattr va;
	char buf[32];

	mutex_enter(&root->v_lock);
	KT_EQ(root->v_ops->vop_symlink(root, "l", 1, "target/path", &l), 0);
	mutex_exit(&root->v_lock);
	KT_EQ(l->v_type, VLNK);
	KT_EQ(l->v_ops->vop_readlink(l, buf, sizeof(buf)), 11);
	KT_EQ(memcmp(buf, "target/path", 11), 0);
	KT_EQ(l->v_ops->vop_readlink(l, buf, 4), 4);
	KT_EQ(l->v_ops->vop_getattr(l, &va), 0);
	KT_EQ(va.va_size, 11);
	KT_EQ(va.va_type, VLNK);
	f = t_create(root, "f");
	/* Three nodes: the root, l, f.  A fourth is refused. */
	mutex_enter(&root->v_lock);
	KT_EQ(root->v_ops->vop_create(root, "g", 1, 0644, &vp), -ENOSPC);
	KT_EQ(root->v_ops->vop_mkdir(root, "d", 1, 0755, &vp), -ENOSPC);
	mutex_exit(&root->v_lock);
	KT_EQ(tm_of(mp)->tm_nnodes, 3);
	ck(mp);
	KT_EQ(t_remove(root, "l", l, false), 0);
	vrele(l);
	vrele(f);
	t_unmount(mp);
}

KTEST(tmpfs, setattr_changes_mode_owner_and_times)
{
	struct mount *mp = t_mount(NULL);
	struct vnode *vp = t_create(mp->mnt_root, "a");
	struct vattr va = { .va_mask = VA_MODE | VA_OWNER | VA_MTIME,
		.va_mode = 0100640, .va_uid = 3, .va_gid = 4, .va_mtime_ns = 12345 };

	mutex_enter(&vp->v_lock);
	KT_EQ(vp->v_ops->vop_setattr(vp, &va), 0);
	mutex_exit(&vp->v_lock);
	KT_EQ(vp->v_ops->vop_getattr(vp, &va), 0);
	KT_EQ(va.va_mode, 0640);
	KT_EQ(va.va_uid, 3);
	KT_EQ(va.va_gid, 4);
	KT_EQ(va.va_mtime_ns, 12345);
	KT_ASSERT(va.va_ctime_ns > 12345);
	KT_EQ(va.va_dev, mp->mnt_dev);
	/* Sizes: a directory refuses, too large is EFBIG. */
	va.va_mask = VA_SIZE;
	va.va_size = 10;
	mutex_enter(&mp->mnt_root->v_lock);
	KT_EQ(mp->mnt_root->v_ops->vop_setattr(mp->mnt_root, &va), -EISDIR);
	mutex_exit(&mp->mnt_root->v_lock);
	KT_EQ(t_setsize(vp, (uint64_t)1 << 60), -EFBIG);
	KT_EQ(npages(vp), 0);
	vrele(vp);
	t_unmount(mp);
}

KTEST(tmpfs, checker_catches_a_wrong_link_count_and_budget)
{
	struct mount *mp = t_mount(NULL);
	struct vnode *vp = t_create(mp->mnt_root, "c");
	struct tmpfs_node *n = tmpfs_node_of(vp);

	n->tn_links++;
	KT_EQ(tmpfs_check(mp, ktest_quiet), 1);
	n->tn_links--;
	tm_of(mp)->tm_budget.ub_used++;
	KT_EQ(tmpfs_check(mp, ktest_quiet), 1);
	tm_of(mp)->tm_budget.ub_used--;
	tmpfs_node_of(mp->mnt_root)->dir.tn_nentries++;
	KT_EQ(tmpfs_check(mp, ktest_quiet), 1);
	tmpfs_node_of(mp->mnt_root)->dir.tn_nentries--;
	ck(mp);
	ktest_capture_reset();
	tmpfs_print(mp, ktest_capture);
	KT_ASSERT(ktest_captured_has("2 nodes"));
	KT_ASSERT(ktest_captured_has("] c -> ino 2"));
	vrele(vp);
	t_unmount(mp);
}

KTEST(tmpfs, unmount_private_refuses_while_a_file_is_in_use)
{
	struct mount *mp = t_mount(NULL);
	struct vnode *vp = t_create(mp->mnt_root, "busy");

	KT_EQ(tmpfs_unmount_private(mp), -EBUSY);
	vrele(vp);
	t_unmount(mp);
}

/*
 * In the swap boot (make test's SWAPKTEST): a tmpfs file's pages go to
 * swap like anonymous memory, the file still counts them, read(2) brings
 * them back, and truncation frees their slots.
 */
KTEST_OWN_BOOT(swap, tmpfs_file_pages_go_to_swap_and_come_back)
{
	enum { N = 24 };
	struct vmtest t;
	struct mount *mp;
	struct vnode *vp;
	struct uvm_object *u;
	uint64_t slots_before;
	char c;

	swaptest_on();
	vmtest_begin(&t);
	slots_before = uvm_swap_stats.inuse;
	mp = t_mount("size=1m");
	vp = t_create(mp->mnt_root, "swapped");
	u = vp->v_obj;
	for (int i = 0; i < N; i++) {
		memset(pagebuf, 'a' + i, PAGE_SIZE);
		KT_EQ(t_write(vp, (uint64_t)i * PAGE_SIZE, pagebuf, PAGE_SIZE), 0);
	}
	/* A mapping lets the page daemon's test helper pick the pages. */
	uao_reference(u);
	vmtest_map(&t, VA, N, u, VM_PROT_READ | VM_PROT_WRITE, 0);
	KT_EQ(swaptest_push_out(&t, VA, N), N);
	mutex_enter(&u->vmobjlock);
	KT_EQ(u->uo_npages, 0);
	for (int i = 0; i < N; i++)
		KT_ASSERT(uao_find_swslot(u, i) != 0);
	KT_EQ(uao_held_pages(u), N);                    /* still the file's */
	mutex_exit(&u->vmobjlock);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, N);
	KT_EQ(uvm_swap_stats.inuse, slots_before + N);
	ck(mp);
	/* read(2) brings a page back from its slot. */
	KT_EQ(t_read(vp, 7 * PAGE_SIZE + 123, &c, 1), 0);
	KT_EQ(c, 'a' + 7);
	KT_EQ(u->uo_npages, 1);
	KT_EQ(held(vp), N);
	/* Truncation frees the slots of the pages past the end. */
	KT_EQ(t_setsize(vp, 4 * PAGE_SIZE), 0);
	KT_EQ(held(vp), 4);
	KT_EQ(tm_of(mp)->tm_budget.ub_used, 4);
	KT_EQ(uvm_swap_stats.inuse, slots_before + 4);
	ck(mp);
	uvm_unmap(t.map, VA, VA + PG(N));
	vrele(vp);
	t_unmount(mp);
	KT_EQ(uvm_swap_stats.inuse, slots_before);
	vmtest_end(&t);
}
