/*
 * kern/vfs/vfs_vnode.c - vnode references and the vnode cache (vcache).
 *
 * Every vnode the kernel knows is in the cache, hashed on (mount, ino),
 * so one file has one vnode however it is reached (two paths, a hard
 * link, an open file and a lookup).  A vnode's life:
 *
 *   vcache_get(mp, 12)  miss: new vnode, load fills it    refs 1
 *   vref / vrele ...    holders come and go               refs n
 *   vrele (last)        vop_inactive; onto the free list  refs 0
 *                       (pages and v_data kept: a later vcache_get
 *                        of (mp, 12) is a hit and takes it off again)
 *   LRU reclaim         more than vfs_maxvnodes on the free list: the
 *                       oldest leaves the hash, dirty pages are written
 *                       back, vop_reclaim frees v_data, the vnode is freed
 *
 *   vcache_hash[h(mp,ino)] -> vn -> vn -> NULL      (v_hashnext)
 *   vcache_free: oldest vn <-> ... <-> newest vn    (v_free, refs == 0)
 *   mp->mnt_vnodes: every cached vnode of mp        (v_mntlist)
 *
 * Loading: a new vnode goes into the hash with v_loading set and its
 * v_lock held by the loader, so a second vcache_get of the same file
 * finds it, takes a reference and waits on v_lock; a failed load marks
 * it v_dead (out of the hash) and the waiter tries again.
 *
 * Invariants (vnode_check, vfs_check_all): v_refs >= 0; a vnode is on
 * the free list iff its refs are 0 and it is in the hash; vs_nfree is the
 * free list's length, vs_numvnodes the hash's population; a v_dead vnode
 * is in neither and is freed by its last vrele.
 *
 * Locking: vcache_lock (a mutex, leaf but for the name cache's lock taken
 * before it) covers the hash, the free list, the mount vnode lists and the
 * 0 <-> 1 transitions of v_refs; other changes of v_refs are atomic.  It is
 * never held across a vop or a pager call.  v_lock is taken around
 * vop_inactive, and by the loader around load.
 */
#include "kern/vfs/vfs.h"
#include "uvm/uvm_vnode.h"
#include "kern/lib/assert.h"
#include "kern/lib/atomic.h"
#include "kern/lib/errno.h"
#include "kern/lib/errname.h"
#include "kern/lib/string.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_object.h"

#define VCACHE_HASHBITS 8
#define VCACHE_HASHSIZE (1 << VCACHE_HASHBITS)

int vfs_maxvnodes = 512;
struct vcache_stats vcache_stats;

static struct kmutex vcache_lock = KMUTEX_INIT("vcache");
static struct vnode *vcache_hash[VCACHE_HASHSIZE];
static TAILQ_HEAD(, vnode) vcache_free = { NULL, &vcache_free.tqh_first };

/*
 * The bucket of (mp, ino): the top bits of the key times 2^64 / phi
 * (Fibonacci hashing), which every bit of the key reaches.  The key
 * modulo the table's size would keep only its low bits, and procfs's
 * inos differ in their high bits alone (the pid sits above bit 16):
 * every /proc/<pid> directory fell in one bucket, and each lookup of
 * /proc/self/exe walked a chain as long as the free list (up to
 * vfs_maxvnodes), 12,000 cycles of a static glibc program's start-up.
 */
static struct vnode **
vcache_bucket(struct mount *mp, uint64_t ino)
{
	uint64_t key = ino ^ ((uint64_t)(uintptr_t)mp >> 6);

	return &vcache_hash[(key * 0x9e3779b97f4a7c15ull) >> (64 - VCACHE_HASHBITS)];
}

/* The cached vnode of (mp, ino), or NULL.  => vcache_lock held. */
static struct vnode *
vcache_find(struct mount *mp, uint64_t ino)
{
	struct vnode *vp;

	for (vp = *vcache_bucket(mp, ino); vp != NULL; vp = vp->v_hashnext)
		if (vp->v_mount == mp && vp->v_ino == ino)
			return vp;
	return NULL;
}

/* Take vp out of the hash and its mount's list.  => vcache_lock held. */
static void
vcache_unhash(struct vnode *vp)
{
	struct vnode **pp = vcache_bucket(vp->v_mount, vp->v_ino);

	while (*pp != vp)
		pp = &(*pp)->v_hashnext;
	*pp = vp->v_hashnext;
	vp->v_hashnext = NULL;
	TAILQ_REMOVE(&vp->v_mount->mnt_vnodes, vp, v_mntlist);
	vp->v_dead = true;
	vcache_stats.vs_numvnodes--;
}

/* A new reference on a cached vnode.  => vcache_lock held. */
static void
vcache_ref_locked(struct vnode *vp)
{
	KASSERT(mutex_owned(&vcache_lock));
	if (vp->v_refs == 0) {
		TAILQ_REMOVE(&vcache_free, vp, v_free);
		vcache_stats.vs_nfree--;
	}
	atomic_inc_int(&vp->v_refs);
}

/*
 * vcache_tryref - a reference on vp if it is still cached (not dead).
 *  => for the name cache, which holds vnodes without references; called
 *     with namecache_lock held (which keeps vp from being freed).
 *  => returns true with a new reference, false if vp is dead.
 */
bool
vcache_tryref(struct vnode *vp)
{
	bool ok;

	mutex_enter(&vcache_lock);
	ok = !vp->v_dead && !vp->v_loading;
	if (ok)
		vcache_ref_locked(vp);
	mutex_exit(&vcache_lock);
	return ok;
}

static void
vnode_free(struct vnode *vp)
{
	KASSERT(vp->v_refs == 0 && vp->v_dead);
	kmem_free(vp, sizeof(*vp));
}

/*
 * Reclaim vp, already out of the hash and the free list: forget its
 * names, write back and free its pages (unless the object outlives the
 * vnode: VV_KEEPPAGES), let the file system free v_data.
 *  => no lock held; vp has no references.  May sleep.
 */
static void
vcache_reclaim(struct vnode *vp)
{
	struct uvm_object *uobj = vp->v_obj;
	int error = 0;

	cache_purge(vp);
	if (uobj != NULL && uobj->pgops->pgo_put != NULL &&
	    !(vp->v_vflags & VV_KEEPPAGES)) {
		mutex_enter(&uobj->vmobjlock);
		error = uobj->pgops->pgo_put(uobj, 0, 0,
		    PGO_CLEANIT | PGO_FREE | PGO_ALLPAGES);
		mutex_exit(&uobj->vmobjlock);
	}
	if (error != 0)
		kprintf("vcache: write-back of ino %lu failed: " ERRNO_FMT "\n",
		    vp->v_ino, ERRNO_ARGS(error));
	if (vp->v_ops != NULL && vp->v_ops->vop_reclaim != NULL)
		vp->v_ops->vop_reclaim(vp);
	vcache_stats.vs_reclaims++;
	vnode_free(vp);
}

/* The oldest free vnode, taken out of the cache, if the list is too long. */
static struct vnode *
vcache_take_excess(void)
{
	struct vnode *vp;

	KASSERT(mutex_owned(&vcache_lock));
	if (vcache_stats.vs_nfree <= (uint64_t)vfs_maxvnodes)
		return NULL;
	vp = TAILQ_FIRST(&vcache_free);
	TAILQ_REMOVE(&vcache_free, vp, v_free);
	vcache_stats.vs_nfree--;
	vcache_unhash(vp);
	return vp;
}

void
vref(struct vnode *vp)
{
	KASSERT(atomic_load_int(&vp->v_refs) > 0);
	atomic_inc_int(&vp->v_refs);
}

/* Drop one reference unless it is the last.  => true if dropped. */
static bool
vrele_notlast(struct vnode *vp)
{
	int old = atomic_load_int(&vp->v_refs);

	while (old > 1)
		if (__atomic_compare_exchange_n(&vp->v_refs, &old, old - 1,
		    false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return true;
	return false;
}

void
vrele(struct vnode *vp)
{
	struct vnode *old = NULL;

	KASSERT(atomic_load_int(&vp->v_refs) > 0);
	if (vrele_notlast(vp))
		return;
	if (!vp->v_dead && vp->v_ops->vop_inactive != NULL) {
		mutex_enter(&vp->v_lock);
		vp->v_ops->vop_inactive(vp);
		mutex_exit(&vp->v_lock);
	}
	mutex_enter(&vcache_lock);
	if (atomic_dec_int(&vp->v_refs) > 0) {
		mutex_exit(&vcache_lock);       /* someone took it meanwhile */
		return;
	}
	if (vp->v_dead) {
		mutex_exit(&vcache_lock);
		vnode_free(vp);
		return;
	}
	TAILQ_INSERT_TAIL(&vcache_free, vp, v_free);
	vcache_stats.vs_nfree++;
	old = vcache_take_excess();
	mutex_exit(&vcache_lock);
	if (old != NULL)
		vcache_reclaim(old);
}

/* A fresh vnode for (mp, ino), hashed, loading, v_lock held. */
static struct vnode *
vcache_insert_new(struct mount *mp, uint64_t ino)
{
	struct vnode *vp = kmem_zalloc(sizeof(*vp));
	struct vnode **bucket;

	if (vp == NULL)
		return NULL;
	mutex_init(&vp->v_lock, "vnode");
	/* Against the order (vcache_lock is held), so a try, which never
	 * waits and records no order: no one else can find vp yet. */
	if (!mutex_tryenter(&vp->v_lock))
		panic("vcache_insert_new: a new vnode's lock is taken");
	vp->v_refs = 1;
	vp->v_type = VNON;
	vp->v_ino = ino;
	vp->v_mount = mp;
	vp->v_loading = true;
	bucket = vcache_bucket(mp, ino);
	vp->v_hashnext = *bucket;
	*bucket = vp;
	TAILQ_INSERT_TAIL(&mp->mnt_vnodes, vp, v_mntlist);
	vcache_stats.vs_numvnodes++;
	vcache_stats.vs_loads++;
	return vp;
}

/* Run load on the new vp; on failure take it out again.  => v_lock held. */
static int
vcache_load(struct vnode *vp,
    int (*load)(struct mount *mp, uint64_t ino, struct vnode *vp))
{
	int error = load(vp->v_mount, vp->v_ino, vp);

	mutex_enter(&vcache_lock);
	vp->v_loading = false;
	if (error != 0)
		vcache_unhash(vp);
	mutex_exit(&vcache_lock);
	mutex_exit(&vp->v_lock);
	if (error != 0)
		vrele(vp);                      /* dead: frees it */
	return error;
}

/* Wait for another thread's load of vp.  => true if it succeeded. */
static bool
vcache_wait_load(struct vnode *vp)
{
	mutex_enter(&vp->v_lock);
	mutex_exit(&vp->v_lock);
	if (!vp->v_dead)
		return true;
	vrele(vp);
	return false;
}

int
vcache_get(struct mount *mp, uint64_t ino,
    int (*load)(struct mount *mp, uint64_t ino, struct vnode *vp),
    struct vnode **vpp)
{
	struct vnode *vp;
	bool loading;

	for (;;) {
		mutex_enter(&vcache_lock);
		vp = vcache_find(mp, ino);
		if (vp == NULL)
			break;
		loading = vp->v_loading;
		vcache_ref_locked(vp);
		vcache_stats.vs_hits++;
		mutex_exit(&vcache_lock);
		if (!loading || vcache_wait_load(vp)) {
			*vpp = vp;
			return 0;
		}
	}
	vp = vcache_insert_new(mp, ino);
	mutex_exit(&vcache_lock);
	if (vp == NULL)
		return -ENOMEM;
	*vpp = vp;
	return vcache_load(vp, load);
}

int
vcache_new(struct mount *mp, uint64_t ino,
    int (*load)(struct mount *mp, uint64_t ino, struct vnode *vp),
    struct vnode **vpp)
{
	struct vnode *vp;

	mutex_enter(&vcache_lock);
	if (vcache_find(mp, ino) != NULL)
		panic("vcache_new: ino %lu already cached", ino);
	vp = vcache_insert_new(mp, ino);
	mutex_exit(&vcache_lock);
	if (vp == NULL)
		return -ENOMEM;
	*vpp = vp;
	return vcache_load(vp, load);
}

/* Take the oldest free vnode of mp (any mount: NULL) out of the cache. */
static struct vnode *
vcache_take_free(struct mount *mp)
{
	struct vnode *vp;

	TAILQ_FOREACH(vp, &vcache_free, v_free)
		if (mp == NULL || vp->v_mount == mp)
			break;
	if (vp == NULL)
		return NULL;
	TAILQ_REMOVE(&vcache_free, vp, v_free);
	vcache_stats.vs_nfree--;
	vcache_unhash(vp);
	return vp;
}

/* The referenced vnodes of mp (any mount: NULL).  => vcache_lock held. */
static int
vcache_count_busy(struct mount *mp)
{
	int busy = 0;

	for (int i = 0; i < VCACHE_HASHSIZE; i++)
		for (struct vnode *vp = vcache_hash[i]; vp; vp = vp->v_hashnext)
			if ((mp == NULL || vp->v_mount == mp) && vp->v_refs > 0)
				busy++;
	return busy;
}

int
vcache_flush(struct mount *mp)
{
	struct vnode *vp;
	int busy;

	for (;;) {
		mutex_enter(&vcache_lock);
		vp = vcache_take_free(mp);
		if (vp == NULL)
			break;
		mutex_exit(&vcache_lock);
		vcache_reclaim(vp);
	}
	busy = vcache_count_busy(mp);
	mutex_exit(&vcache_lock);
	return busy;
}

/*
 * vcache_next_ref - the vnode after vp in mp's list (the first if vp is
 * NULL), referenced, or NULL at the end: a walk that may sleep on each.
 *  => vp referenced by the caller (it keeps that reference).
 */
struct vnode *
vcache_next_ref(struct mount *mp, struct vnode *vp)
{
	struct vnode *next;

	mutex_enter(&vcache_lock);
	next = vp == NULL ? TAILQ_FIRST(&mp->mnt_vnodes) : TAILQ_NEXT(vp, v_mntlist);
	while (next != NULL && next->v_loading)
		next = TAILQ_NEXT(next, v_mntlist);
	if (next != NULL)
		vcache_ref_locked(next);
	mutex_exit(&vcache_lock);
	return next;
}

/* How many vnodes share (mp, ino)'s hash chain (vfs.h says more). */
int
vcache_chain_len(struct mount *mp, uint64_t ino)
{
	int n = 0;

	mutex_enter(&vcache_lock);
	for (struct vnode *vp = *vcache_bucket(mp, ino); vp != NULL; vp = vp->v_hashnext)
		n++;
	mutex_exit(&vcache_lock);
	return n;
}

/*
 * vcache_find_obj - the cached vnode whose v_obj is uobj, referenced, or
 * NULL: the way back from an object to its file (vm_query_obj, which
 * reports the file behind a mapping).  A walk of the whole hash.
 *  => no vnode lock held; never sleeps but for vcache_lock.
 */
struct vnode *
vcache_find_obj(const struct uvm_object *uobj)
{
	struct vnode *vp = NULL;

	mutex_enter(&vcache_lock);
	for (int i = 0; i < VCACHE_HASHSIZE && vp == NULL; i++)
		for (vp = vcache_hash[i]; vp != NULL; vp = vp->v_hashnext)
			if (vp->v_obj == uobj && !vp->v_loading && !vp->v_dead)
				break;
	if (vp != NULL)
		vcache_ref_locked(vp);
	mutex_exit(&vcache_lock);
	return vp;
}

static const char *const vtype_names[] = {
	"VNON", "VREG", "VDIR", "VLNK", "VCHR", "VBLK", "VFIFO", "VSOCK",
};

void
vnode_print(struct vnode *vp, kprint_fn pr)
{
	pr("vnode %p: %s ino %lu refs %d mount %s%s%s%s\n", vp,
	    (unsigned)vp->v_type < 8 ? vtype_names[vp->v_type] : "?",
	    vp->v_ino, vp->v_refs,
	    vp->v_mount != NULL ? vp->v_mount->mnt_path : "-",
	    vp->v_mountedhere != NULL ? " (mounted on)" : "",
	    vp->v_dead ? " dead" : "", vp->v_loading ? " loading" : "");
	if (vp->v_obj != NULL)
		uvm_obj_print(vp->v_obj, pr);
	if (vp->v_ops != NULL && vp->v_ops->vop_print != NULL)
		vp->v_ops->vop_print(vp, pr);
}

int
vnode_check(struct vnode *vp, kprint_fn pr)
{
	int bad = 0;

	if (vp->v_refs < 0) {
		pr("vnode %p: refs %d\n", vp, vp->v_refs);
		bad++;
	}
	if (!vp->v_dead && (vp->v_refs == 0) != TAILQ_ON_QUEUE(vp, v_free)) {
		pr("vnode %p: refs %d but %s the free list\n", vp, vp->v_refs,
		    TAILQ_ON_QUEUE(vp, v_free) ? "on" : "not on");
		bad++;
	}
	if (!vp->v_loading && !vp->v_dead && vp->v_ops == NULL) {
		pr("vnode %p: loaded without operations\n", vp);
		bad++;
	}
	/* A vnode pager's object counts only mappings (uvm_vnode.h): 0 is fine. */
	if (vp->v_obj != NULL &&
	    vp->v_obj->uo_refs < (uvn_is_vnode(vp->v_obj) ? 0 : 1)) {
		pr("vnode %p: object with %d refs\n", vp, vp->v_obj->uo_refs);
		bad++;
	}
	return bad;
}

/* Check one hash chain: placement and each vnode.  => vcache_lock held. */
static int
vcache_check_bucket(int i, uint64_t *nvp, uint64_t *nfreep, kprint_fn pr)
{
	int bad = 0;

	for (struct vnode *vp = vcache_hash[i]; vp != NULL; vp = vp->v_hashnext) {
		if (vcache_bucket(vp->v_mount, vp->v_ino) != &vcache_hash[i]) {
			pr("vcache: vnode %p in the wrong bucket\n", vp);
			bad++;
		}
		if (vp->v_dead) {
			pr("vcache: dead vnode %p still hashed\n", vp);
			bad++;
		}
		bad += vnode_check(vp, pr);
		(*nvp)++;
		if (vp->v_refs == 0)
			(*nfreep)++;
	}
	return bad;
}

/*
 * vcache_check - the vnode accounting: every cached vnode checked, the
 * free list exactly the unreferenced ones, the counters right.
 *  => returns the problems found; takes vcache_lock.
 */
int
vcache_check(kprint_fn pr)
{
	uint64_t nv = 0, nfree = 0, onlist = 0;
	struct vnode *vp;
	int bad = 0;

	mutex_enter(&vcache_lock);
	for (int i = 0; i < VCACHE_HASHSIZE; i++)
		bad += vcache_check_bucket(i, &nv, &nfree, pr);
	TAILQ_FOREACH(vp, &vcache_free, v_free) {
		onlist++;
		if (vp->v_refs != 0 || vp->v_dead) {
			pr("vcache: vnode %p on the free list, refs %d\n", vp, vp->v_refs);
			bad++;
		}
	}
	if (nv != vcache_stats.vs_numvnodes || nfree != onlist ||
	    onlist != vcache_stats.vs_nfree) {
		pr("vcache: %lu hashed (count %lu), %lu unreferenced, %lu on "
		    "the free list (count %lu)\n", nv, vcache_stats.vs_numvnodes,
		    nfree, onlist, vcache_stats.vs_nfree);
		bad++;
	}
	mutex_exit(&vcache_lock);
	return bad;
}
