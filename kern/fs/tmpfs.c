/*
 * kern/fs/tmpfs.c - tmpfs: files in memory, their data in anonymous
 * objects, so file pages swap like any anonymous memory.
 *
 * A mount is a tree of nodes (struct tmpfs_node, tmpfs.h).  A directory
 * keeps its names in a list in the order they were made, each with a
 * cookie taken from the directory's counter; a regular file's data is ONE
 * aobj, which is also its vnode's v_obj:
 *
 *   tmpfs_mount {budget used 3 / limit 4096 pages, 4 nodes}
 *     root (ino 1, VDIR, links 3)
 *       entries: [2 "a" -> ino 2] [4 "d" -> ino 3]     (cookies 2 and 4;
 *                                                        3 was removed)
 *     ino 2 (VREG, size 9000, links 1) -> aobj {3 pages, 3 hold data}
 *                                           = vnode's v_obj
 *     ino 3 (VDIR, links 2, parent root)
 *
 * read(2)/write(2) copy through the aobj's pages (the VFS's uvm_obj_rdwr)
 * and mmap(2) maps the same aobj, so both see one copy; under pressure
 * the page daemon writes the pages to swap and the aobj keeps their
 * slots.  ftruncate changes the aobj's size: uao_shrink removes the pages
 * past the end from every mapping and frees them and their swap slots,
 * so a later access through a mapping past the end faults on a page the
 * pager refuses (-EINVAL) and gets SIGBUS (kern/proc/proc.c).
 *
 * The size limit (size=) counts pages that hold data, as Linux does: an
 * aobj page resident or in swap.  Every aobj of the mount is charged to
 * the mount's budget (struct uao_budget, uvm/uvm_aobj.h), which the aobj
 * pager consults whenever it would make a new page in a hole - for
 * write(2) and for a store (or load) through a mapping alike.  So a
 * write past the limit fails with -ENOSPC before anything is charged,
 * and a fault past it gets SIGBUS; a read(2) of a hole makes no page
 * (PGO_NOALLOC) and costs nothing.  Growing a file with ftruncate makes
 * a hole: it costs nothing either.
 *
 * Node lifetime.  A node lives while it has names (tn_links > 0) or a
 * vnode.  unlink of an open file drops its last name; the node and its
 * aobj stay until the vnode's last reference goes (vop_inactive frees
 * the storage of a node with no names, and the node with it).  A mapping
 * holds the aobj itself (a reference on v_obj), so pages of a file that
 * is gone stay mapped until unmapped; they are then no longer charged
 * to the mount (the node took its aobj off the budget when it died).
 *
 * Invariants (tmpfs_check):
 *   - tm_nnodes nodes on tm_nodes, at most tm_maxnodes, each in the hash
 *     bucket of its ino;
 *   - a file's tn_links equals the entries naming it; a directory is
 *     named once (the root never) and has 2 + its subdirectories links;
 *     each subdirectory's tn_parent is the directory naming it;
 *   - a directory's entries have increasing cookies below tn_nextcookie,
 *     and tn_nentries of them;
 *   - a regular file's aobj has ceil(size / PAGE_SIZE) pages; the pages
 *     holding data of all the mount's files sum to the budget's used
 *     count, which is within its limit;
 *   - a node with no names has a vnode (someone still uses it).
 *
 * Locking.  The VFS holds the vnode locks each vnodeop names (vfs.h): a
 * directory's v_lock covers its entries, a file's its size and times.
 * tm_lock covers the mount's node list, hash and counts; it is taken
 * inside vnode locks and nothing but the aobj lock (tmpfs_check) is
 * taken inside it.  An aobj's vmobjlock covers its pages; the budget's
 * lock is a leaf inside it.
 */
#include "kern/fs/tmpfs.h"
#include "kern/core/clock.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/errname.h"
#include "kern/lib/string.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_pool.h"

#define TMPFS_EPOCH_NS (1767225600ULL * 1000000000ULL)  /* as sys_time.c */
#define TMPFS_MAXPAGES ((uint64_t)INT32_MAX)    /* an aobj's page count is an int */

/* Linux's DT_* for readdir. */
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10
#define DT_UNKNOWN 0

static struct pool tmpfs_node_pool;

/* The first byte c in s[0..len), or NULL. */
static const char *
find_byte(const char *s, int c, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == c)
			return s + i;
	}
	return NULL;
}

static int64_t
tmpfs_now(void)
{
	return (int64_t)(TMPFS_EPOCH_NS + clock_ns());
}

struct tmpfs_node *
tmpfs_node_of(struct vnode *vp)
{
	KASSERT(vp->v_ops == &tmpfs_vnodeops);
	return vp->v_data;
}

struct tmpfs_mount *
tmpfs_mount_of(struct mount *mp)
{
	KASSERT(mp->mnt_op == &tmpfs_vfsops);
	return mp->mnt_data;
}

/* ------------------------------------------------------------------ */
/* Mount options                                                       */

/* The number at *sp (decimal, or octal when octal), advancing *sp.  => 0 or -EINVAL. */
static int
opt_number(const char **sp, bool octal, uint64_t *v)
{
	const char *s = *sp;
	uint64_t n = 0, base = octal ? 8 : 10;

	if (*s < '0' || *s > (octal ? '7' : '9'))
		return -EINVAL;
	for (; *s >= '0' && *s < (char)('0' + base); s++) {
		if (n > (UINT64_MAX - 9) / base)
			return -EINVAL;
		n = n * base + (uint64_t)(*s - '0');
	}
	*sp = s;
	*v = n;
	return 0;
}

/* A size with an optional k/m/g/t suffix, or % of RAM (in bytes). */
static int
opt_size(const char *s, size_t len, uint64_t *bytes)
{
	const char *end = s + len;
	uint64_t n, shift = 0;

	if (opt_number(&s, false, &n) != 0)
		return -EINVAL;
	if (s < end && *s == '%') {
		if (s + 1 != end || n > 100)
			return -EINVAL;
		*bytes = uvmexp.npages * n / 100 * PAGE_SIZE;
		return 0;
	}
	if (s < end) {
		const char *units = "kmgt";
		const char *u = strchr(units, *s | 0x20);
		if (u == NULL || *s == '\0' || s + 1 != end)
			return -EINVAL;
		shift = 10 * (uint64_t)(u - units + 1);
	}
	if (n > (UINT64_MAX >> shift))
		return -EINVAL;
	*bytes = n << shift;
	return 0;
}

/* A plain number (octal for mode) that must fill the value. */
static int
opt_plain(const char *s, size_t len, bool octal, uint64_t *v)
{
	const char *p = s;

	if (opt_number(&p, octal, v) != 0 || p != s + len)
		return -EINVAL;
	return 0;
}

/* One "key=value" option of length len. */
static int
opt_one(const char *s, size_t len, struct tmpfs_args *ta)
{
	const char *eq = find_byte(s, '=', len);
	size_t klen = eq == NULL ? len : (size_t)(eq - s);
	const char *val = eq == NULL ? s + len : eq + 1;
	size_t vlen = len - klen - (eq != NULL);
	uint64_t v;

#define KEY(k) (klen == sizeof(k) - 1 && memcmp(s, k, klen) == 0)
	if (eq == NULL)
		return -EINVAL;
	if (KEY("size")) {
		if (opt_size(val, vlen, &v) != 0)
			return -EINVAL;
		ta->ta_pages = ROUND_UP(v, PAGE_SIZE) / PAGE_SIZE;
	} else if (KEY("nr_blocks")) {
		if (opt_size(val, vlen, &ta->ta_pages) != 0)
			return -EINVAL;
	} else if (KEY("nr_inodes")) {
		if (opt_size(val, vlen, &ta->ta_nodes) != 0)
			return -EINVAL;
	} else if (KEY("mode")) {
		if (opt_plain(val, vlen, true, &v) != 0 || v > 07777)
			return -EINVAL;
		ta->ta_mode = (uint32_t)v;
	} else if (KEY("uid") || KEY("gid")) {
		if (opt_plain(val, vlen, false, &v) != 0 || v > UINT32_MAX)
			return -EINVAL;
		*(KEY("uid") ? &ta->ta_uid : &ta->ta_gid) = (uint32_t)v;
	} else {
		return -EINVAL;
	}
#undef KEY
	return 0;
}

int
tmpfs_parse_opts(const char *opts, struct tmpfs_args *ta)
{
	/* Linux's defaults: half of RAM, as many nodes as half the pages. */
	ta->ta_pages = uvmexp.npages / 2;
	ta->ta_nodes = uvmexp.npages / 2;
	ta->ta_mode = 01777;
	ta->ta_uid = ta->ta_gid = 0;
	while (opts != NULL && *opts != '\0') {
		const char *comma = strchr(opts, ',');
		size_t len = comma == NULL ? strlen(opts) : (size_t)(comma - opts);
		if (len > 0 && opt_one(opts, len, ta) != 0)
			return -EINVAL;
		opts += len + (comma != NULL);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Nodes                                                               */

static struct tmpfs_node **
hash_bucket(struct tmpfs_mount *tm, uint64_t ino)
{
	return &tm->tm_hash[ino % TMPFS_HASH];
}

/* The live node numbered ino, or NULL.  => tm_lock held. */
static struct tmpfs_node *
node_find(struct tmpfs_mount *tm, uint64_t ino)
{
	struct tmpfs_node *n = *hash_bucket(tm, ino);

	while (n != NULL && n->tn_ino != ino)
		n = n->tn_hashnext;
	return n;
}

/* Type-specific storage of a new node.  => 0 or -ENOMEM. */
static int
node_init_storage(struct tmpfs_mount *tm, struct tmpfs_node *n,
    const char *target)
{
	size_t len;

	switch (n->tn_type) {
	case VREG:
		n->reg.tn_aobj = uao_create(0, 0);
		if (n->reg.tn_aobj == NULL)
			return -ENOMEM;
		mutex_enter(&n->reg.tn_aobj->vmobjlock);
		uao_set_budget(n->reg.tn_aobj, &tm->tm_budget);
		mutex_exit(&n->reg.tn_aobj->vmobjlock);
		return 0;
	case VDIR:
		TAILQ_INIT(&n->dir.tn_entries);
		n->dir.tn_nextcookie = 2;       /* 0 and 1 are "." and ".." */
		n->dir.tn_parent = n;
		n->tn_links = 2;
		return 0;
	case VLNK:
		len = strlen(target);
		n->lnk.tn_target = kmem_alloc(len + 1, 0);
		if (n->lnk.tn_target == NULL)
			return -ENOMEM;
		memcpy(n->lnk.tn_target, target, len + 1);
		n->tn_size = len;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Give back a node's storage: its aobj (off the budget), its target. */
static void
node_free_storage(struct tmpfs_node *n)
{
	struct uvm_object *uobj;

	if (n->tn_type == VREG && (uobj = n->reg.tn_aobj) != NULL) {
		mutex_enter(&uobj->vmobjlock);
		uao_set_budget(uobj, NULL);     /* mappings may keep it: not ours */
		mutex_exit(&uobj->vmobjlock);
		uao_detach(uobj);
		n->reg.tn_aobj = NULL;
	} else if (n->tn_type == VLNK && n->lnk.tn_target != NULL) {
		kmem_free(n->lnk.tn_target, n->tn_size + 1);
		n->lnk.tn_target = NULL;
	}
	KASSERT(n->tn_type != VDIR || n->dir.tn_nentries == 0);
}

/*
 * A new node of type with no names (the caller links it), on the mount's
 * list.  => -ENOSPC past nr_inodes, -ENOMEM.
 */
static int
node_alloc(struct tmpfs_mount *tm, enum vtype type, uint32_t mode,
    const char *target, struct tmpfs_node **np)
{
	struct tmpfs_node *n;
	int error = -ENOSPC;

	mutex_enter(&tm->tm_lock);
	if (tm->tm_nnodes >= tm->tm_maxnodes)
		goto out;
	error = -ENOMEM;
	if ((n = pool_get(&tmpfs_node_pool, PR_ZERO)) == NULL)
		goto out;
	n->tn_type = type;
	n->tn_mode = mode & 07777;
	n->tn_atime = n->tn_mtime = n->tn_ctime = tmpfs_now();
	if ((error = node_init_storage(tm, n, target)) != 0) {
		pool_put(&tmpfs_node_pool, n);
		goto out;
	}
	n->tn_ino = tm->tm_nextino++;
	n->tn_hashnext = *hash_bucket(tm, n->tn_ino);
	*hash_bucket(tm, n->tn_ino) = n;
	TAILQ_INSERT_TAIL(&tm->tm_nodes, n, tn_list);
	tm->tm_nnodes++;
	*np = n;
out:
	mutex_exit(&tm->tm_lock);
	return error;
}

/* Take node n off the mount and free it with its storage.  => no names, no vnode. */
static void
node_free(struct tmpfs_mount *tm, struct tmpfs_node *n)
{
	struct tmpfs_node **link;

	KASSERT(n->tn_vnode == NULL);
	node_free_storage(n);
	mutex_enter(&tm->tm_lock);
	for (link = hash_bucket(tm, n->tn_ino); *link != n; link = &(*link)->tn_hashnext)
		KASSERT(*link != NULL);
	*link = n->tn_hashnext;
	TAILQ_REMOVE(&tm->tm_nodes, n, tn_list);
	tm->tm_nnodes--;
	mutex_exit(&tm->tm_lock);
	pool_put(&tmpfs_node_pool, n);
}

/* vcache's load: make vp stand for the node numbered ino. */
static int
tmpfs_loadvnode(struct mount *mp, uint64_t ino, struct vnode *vp)
{
	struct tmpfs_mount *tm = tmpfs_mount_of(mp);
	struct tmpfs_node *n;

	mutex_enter(&tm->tm_lock);
	n = node_find(tm, ino);
	if (n != NULL) {
		/* An old vnode may be on its way out (unhashed, not yet
		 * reclaimed): the new one takes over. */
		n->tn_vnode = vp;
		vp->v_type = n->tn_type;
		vp->v_ops = &tmpfs_vnodeops;
		vp->v_data = n;
		vp->v_obj = n->tn_type == VREG ? n->reg.tn_aobj : NULL;
		vp->v_vflags |= VV_KEEPPAGES;   /* the aobj is the node's */
	}
	mutex_exit(&tm->tm_lock);
	return n == NULL ? -ENOENT : 0;
}

/* The vnode of node n, referenced.  => 0 or vcache's error. */
static int
node_vget(struct mount *mp, struct tmpfs_node *n, struct vnode **vpp)
{
	return vcache_get(mp, n->tn_ino, tmpfs_loadvnode, vpp);
}

/* ------------------------------------------------------------------ */
/* Directories                                                         */

static size_t
dirent_size(size_t namelen)
{
	return sizeof(struct tmpfs_dirent) + namelen + 1;
}

static struct tmpfs_dirent *
dirent_alloc(const char *name, size_t len, struct tmpfs_node *n)
{
	struct tmpfs_dirent *de = kmem_alloc(dirent_size(len), 0);

	if (de == NULL)
		return NULL;
	memcpy(de->td_name, name, len);
	de->td_name[len] = '\0';
	de->td_namelen = (uint16_t)len;
	de->td_node = n;
	return de;
}

static void
dirent_free(struct tmpfs_dirent *de)
{
	kmem_free(de, dirent_size(de->td_namelen));
}

/* The entry of dir called name[0..len), or NULL. */
static struct tmpfs_dirent *
dir_lookup(struct tmpfs_node *dir, const char *name, size_t len)
{
	struct tmpfs_dirent *de;

	TAILQ_FOREACH(de, &dir->dir.tn_entries, td_entries) {
		if (de->td_namelen == len && memcmp(de->td_name, name, len) == 0)
			return de;
	}
	return NULL;
}

/* Link de into dir with the next cookie; its node gains a name. */
static void
dir_attach(struct tmpfs_node *dir, struct tmpfs_dirent *de)
{
	struct tmpfs_node *n = de->td_node;

	de->td_cookie = dir->dir.tn_nextcookie++;
	TAILQ_INSERT_TAIL(&dir->dir.tn_entries, de, td_entries);
	dir->dir.tn_nentries++;
	if (n->tn_type == VDIR) {
		n->dir.tn_parent = dir;
		dir->tn_links++;        /* the child's ".." */
	} else {
		n->tn_links++;
	}
	dir->tn_mtime = dir->tn_ctime = n->tn_ctime = tmpfs_now();
}

/* Unlink de from dir (not freed); its node loses the name. */
static void
dir_detach(struct tmpfs_node *dir, struct tmpfs_dirent *de)
{
	struct tmpfs_node *n = de->td_node;

	if (dir->dir.tn_hint == de)
		dir->dir.tn_hint = NULL;
	TAILQ_REMOVE(&dir->dir.tn_entries, de, td_entries);
	dir->dir.tn_nentries--;
	if (n->tn_type == VDIR) {
		dir->tn_links--;
		n->tn_links = 0;        /* its own name and its "." go together */
		n->dir.tn_parent = n;   /* its parent may go before it does */
	} else {
		n->tn_links--;
	}
	dir->tn_mtime = dir->tn_ctime = n->tn_ctime = tmpfs_now();
}

/* The first entry of dir whose cookie is >= cookie, or NULL. */
static struct tmpfs_dirent *
dir_seek(struct tmpfs_node *dir, uint64_t cookie)
{
	struct tmpfs_dirent *de = dir->dir.tn_hint;

	/* Listings go forward: resume from the last entry handed out. */
	if (de == NULL || de->td_cookie > cookie)
		de = TAILQ_FIRST(&dir->dir.tn_entries);
	while (de != NULL && de->td_cookie < cookie)
		de = TAILQ_NEXT(de, td_entries);
	return de;
}

static uint8_t
dtype_of(enum vtype t)
{
	return t == VDIR ? DT_DIR : t == VREG ? DT_REG : t == VLNK ? DT_LNK :
	    DT_UNKNOWN;
}

/*
 * Create a node of type under dvp as name, and its vnode.  Everything is
 * allocated before the name is linked, so a failure changes nothing.
 */
static int
tmpfs_make(struct vnode *dvp, const char *name, size_t len, enum vtype type,
    uint32_t mode, const char *target, struct vnode **vpp)
{
	struct tmpfs_mount *tm = tmpfs_mount_of(dvp->v_mount);
	struct tmpfs_node *dir = tmpfs_node_of(dvp), *n = NULL;
	struct tmpfs_dirent *de = NULL;
	int error = -ENOENT;

	if (dir->tn_links == 0)
		goto fail;              /* creating in a removed directory */
	error = -EMLINK;
	if (type == VDIR && dir->tn_links >= TMPFS_LINK_MAX)
		goto fail;
	if ((error = node_alloc(tm, type, mode, target, &n)) != 0)
		goto fail;
	error = -ENOMEM;
	if ((de = dirent_alloc(name, len, n)) == NULL)
		goto fail;
	if ((error = vcache_new(dvp->v_mount, n->tn_ino, tmpfs_loadvnode, vpp)) != 0)
		goto fail;
	dir_attach(dir, de);
	return 0;
fail:
	if (de != NULL)
		dirent_free(de);
	if (n != NULL)
		node_free(tm, n);
	return error;
}

/* ------------------------------------------------------------------ */
/* vnodeops                                                            */

static int
tmpfs_lookup(struct vnode *dvp, const char *name, size_t len, struct vnode **vpp)
{
	struct tmpfs_node *dir = tmpfs_node_of(dvp);
	struct tmpfs_dirent *de;

	if (dvp->v_type != VDIR)
		return -ENOTDIR;
	if (len == 1 && name[0] == '.') {
		vref(dvp);
		*vpp = dvp;
		return 0;
	}
	if (dir->tn_links == 0)
		return -ENOENT;         /* removed: no names, not even ".." */
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return node_vget(dvp->v_mount, dir->dir.tn_parent, vpp);
	if ((de = dir_lookup(dir, name, len)) == NULL)
		return -ENOENT;
	return node_vget(dvp->v_mount, de->td_node, vpp);
}

static int
tmpfs_create(struct vnode *dvp, const char *name, size_t len, uint32_t mode,
    struct vnode **vpp)
{
	return tmpfs_make(dvp, name, len, VREG, mode, NULL, vpp);
}

static int
tmpfs_mkdir(struct vnode *dvp, const char *name, size_t len, uint32_t mode,
    struct vnode **vpp)
{
	return tmpfs_make(dvp, name, len, VDIR, mode, NULL, vpp);
}

static int
tmpfs_symlink(struct vnode *dvp, const char *name, size_t len,
    const char *target, struct vnode **vpp)
{
	size_t tlen = strnlen(target, VFS_PATH_MAX);

	if (tlen == 0)
		return -ENOENT;
	if (tlen >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	return tmpfs_make(dvp, name, len, VLNK, 0777, target, vpp);
}

static int
tmpfs_link(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	struct tmpfs_node *dir = tmpfs_node_of(dvp), *n = tmpfs_node_of(vp);
	struct tmpfs_dirent *de;

	if (vp->v_type == VDIR)
		return -EPERM;
	if (dir->tn_links == 0 || n->tn_links == 0)
		return -ENOENT;         /* a removed directory, a file with no name */
	if (n->tn_links >= TMPFS_LINK_MAX)
		return -EMLINK;
	if ((de = dirent_alloc(name, len, n)) == NULL)
		return -ENOMEM;
	dir_attach(dir, de);
	return 0;
}

/* The entry name of dvp, which must be vp's.  => 0 or -ENOENT. */
static int
entry_of(struct vnode *dvp, const char *name, size_t len, struct vnode *vp,
    struct tmpfs_dirent **dep)
{
	*dep = dir_lookup(tmpfs_node_of(dvp), name, len);
	if (*dep == NULL || (*dep)->td_node != tmpfs_node_of(vp))
		return -ENOENT;
	return 0;
}

static int
tmpfs_remove(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	struct tmpfs_dirent *de;
	int error;

	if (vp->v_type == VDIR)
		return -EISDIR;
	if ((error = entry_of(dvp, name, len, vp, &de)) != 0)
		return error;
	dir_detach(tmpfs_node_of(dvp), de);
	dirent_free(de);
	return 0;
}

static int
tmpfs_rmdir(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	struct tmpfs_dirent *de;
	int error;

	if (vp->v_type != VDIR)
		return -ENOTDIR;
	if ((error = entry_of(dvp, name, len, vp, &de)) != 0)
		return error;
	if (tmpfs_node_of(vp)->dir.tn_nentries != 0)
		return -ENOTEMPTY;
	dir_detach(tmpfs_node_of(dvp), de);
	dirent_free(de);
	return 0;
}

/*
 * Move fde's file from fdir to tdir as nde (fde is freed).  Unlike a
 * dir_detach then dir_attach, the file's link count never passes 0 on
 * the way (a directory's only changes its parents' counts).
 */
static void
dir_move(struct tmpfs_node *fdir, struct tmpfs_dirent *fde,
    struct tmpfs_node *tdir, struct tmpfs_dirent *nde)
{
	if (fde->td_node->tn_type == VDIR)
		fdir->tn_links--;       /* dir_attach counts it again in tdir */
	else
		fde->td_node->tn_links--;
	TAILQ_REMOVE(&fdir->dir.tn_entries, fde, td_entries);
	if (fdir->dir.tn_hint == fde)
		fdir->dir.tn_hint = NULL;
	fdir->dir.tn_nentries--;
	fdir->tn_mtime = fdir->tn_ctime = tmpfs_now();
	dirent_free(fde);
	dir_attach(tdir, nde);
}

static int
tmpfs_rename(struct vnode *fdvp, const char *fname, size_t flen,
    struct vnode *fvp, struct vnode *tdvp, const char *tname, size_t tlen,
    struct vnode *tvp)
{
	struct tmpfs_node *fdir = tmpfs_node_of(fdvp), *tdir = tmpfs_node_of(tdvp);
	struct tmpfs_dirent *fde, *tde = NULL, *nde;
	int error;

	if ((error = entry_of(fdvp, fname, flen, fvp, &fde)) != 0)
		return error;
	if (tvp == fvp)
		return 0;               /* two names of one file: nothing to do */
	if (tvp != NULL && (error = entry_of(tdvp, tname, tlen, tvp, &tde)) != 0)
		return error;
	if (tvp != NULL && tvp->v_type == VDIR &&
	    tmpfs_node_of(tvp)->dir.tn_nentries != 0)
		return -ENOTEMPTY;
	if (tdir->tn_links == 0)
		return -ENOENT;
	/* The one allocation first: after it nothing can fail. */
	if ((nde = dirent_alloc(tname, tlen, fde->td_node)) == NULL)
		return -ENOMEM;
	if (tde != NULL) {
		dir_detach(tdir, tde);
		dirent_free(tde);
	}
	dir_move(fdir, fde, tdir, nde);
	return 0;
}

static int
tmpfs_readdir(struct vnode *vp, uint64_t cookie, struct vfs_dirent *d)
{
	struct tmpfs_node *dir = tmpfs_node_of(vp);
	struct tmpfs_dirent *de;

	if (vp->v_type != VDIR)
		return -ENOTDIR;
	if (dir->tn_links == 0)
		return -ENOENT;         /* removed, as Linux's getdents says */
	if (cookie < 2) {
		struct tmpfs_node *n = cookie == 0 ? dir : dir->dir.tn_parent;
		d->ino = n->tn_ino;
		d->next = cookie + 1;
		d->type = DT_DIR;
		d->namelen = (uint16_t)(cookie + 1);
		memcpy(d->name, "..", cookie + 1);
		d->name[cookie + 1] = '\0';
		return 0;
	}
	if ((de = dir_seek(dir, cookie)) == NULL)
		return 1;
	dir->dir.tn_hint = de;
	d->ino = de->td_node->tn_ino;
	d->next = de->td_cookie + 1;
	d->type = dtype_of(de->td_node->tn_type);
	d->namelen = de->td_namelen;
	memcpy(d->name, de->td_name, (size_t)de->td_namelen + 1);
	return 0;
}

static int
tmpfs_readlink(struct vnode *vp, char *buf, size_t len)
{
	struct tmpfs_node *n = tmpfs_node_of(vp);
	size_t got = MIN(len, n->tn_size);

	if (vp->v_type != VLNK)
		return -EINVAL;
	memcpy(buf, n->lnk.tn_target, got);
	n->tn_atime = tmpfs_now();
	return (int)got;
}

static int
tmpfs_getattr(struct vnode *vp, struct vattr *va)
{
	struct tmpfs_node *n = tmpfs_node_of(vp);
	uint64_t held = 0;

	if (n->tn_type == VREG) {
		mutex_enter(&n->reg.tn_aobj->vmobjlock);
		held = (uint64_t)uao_held_pages(n->reg.tn_aobj);
		mutex_exit(&n->reg.tn_aobj->vmobjlock);
	}
	memset(va, 0, sizeof(*va));
	va->va_type = n->tn_type;
	va->va_mode = n->tn_mode;
	va->va_nlink = n->tn_links;
	va->va_uid = n->tn_uid;
	va->va_gid = n->tn_gid;
	va->va_ino = n->tn_ino;
	va->va_size = n->tn_type == VDIR ?
	    (n->dir.tn_nentries + 2) * TMPFS_BOGO_DIRENT : n->tn_size;
	va->va_blocks = held * (PAGE_SIZE / 512);
	va->va_blksize = PAGE_SIZE;
	va->va_dev = vp->v_mount->mnt_dev;
	va->va_atime_ns = n->tn_atime;
	va->va_mtime_ns = n->tn_mtime;
	va->va_ctime_ns = n->tn_ctime;
	return 0;
}

/*
 * Zero the bytes of page pageoff from byte `from` to its end, if the page
 * holds data (a hole reads as zeros already).  => object unlocked.
 */
static int
page_zero_tail(struct uvm_object *uobj, voff_t pageoff, size_t from)
{
	struct vm_page *pg = NULL;
	int n = 1, error;

	error = uobj->pgops->pgo_get(uobj, pageoff, 0, &pg, &n, VM_PROT_WRITE, 0,
	    PGO_NOALLOC);
	if (error == -ENOENT)
		return 0;
	if (error != 0)
		return error;
	memset((char *)PHYS_TO_DMAP(pg->phys_addr) + from, 0, PAGE_SIZE - from);
	mutex_enter(&uobj->vmobjlock);
	pg->flags &= ~PG_CLEAN;
	vm_page_unbusy(pg);
	mutex_exit(&uobj->vmobjlock);
	return 0;
}

/* Is a page at or past offset off wired (mlock)?  => object locked. */
static bool
pages_wired_from(struct uvm_object *uobj, voff_t off)
{
	for (struct vm_page *pg = uvm_obj_page_first(uobj); pg != NULL;
	    pg = uvm_obj_page_next(uobj, pg)) {
		if (pg->offset >= off && pg->wire_count > 0)
			return true;
	}
	return false;
}

/*
 * Make the file size bytes long.  Growing makes a hole (nothing is
 * charged); shrinking zeroes the tail of the new last page and lets
 * uao_shrink unmap and free the pages and swap slots past it.
 *  => vp locked; 0, -EFBIG, -ENOMEM, -EBUSY (a page past the end is
 *     wired by an mlock: Linux would unlock it, we refuse).
 */
static int
tmpfs_resize(struct tmpfs_node *n, uint64_t size)
{
	struct uvm_object *uobj = n->reg.tn_aobj;
	uint64_t pages = ROUND_UP(size, PAGE_SIZE) / PAGE_SIZE;
	uint64_t edge = MIN(size, n->tn_size);
	int error = 0;

	if (pages > TMPFS_MAXPAGES)
		return -EFBIG;
	/* The old or new last page's bytes past the smaller size are zero. */
	if (edge % PAGE_SIZE != 0)
		error = page_zero_tail(uobj, (voff_t)ROUND_DOWN(edge, PAGE_SIZE),
		    edge % PAGE_SIZE);
	if (error != 0)
		return error;
	mutex_enter(&uobj->vmobjlock);
	if (size < n->tn_size && pages_wired_from(uobj, (voff_t)pages * PAGE_SIZE))
		error = -EBUSY;
	else if ((int)pages < uao_npages(uobj))
		error = uao_shrink(uobj, (int)pages);
	else
		error = uao_grow(uobj, (int)pages);
	mutex_exit(&uobj->vmobjlock);
	if (error == 0)
		n->tn_size = size;
	return error;
}

static int
tmpfs_setattr(struct vnode *vp, const struct vattr *va)
{
	struct tmpfs_node *n = tmpfs_node_of(vp);
	int error = 0;

	if ((va->va_mask & VA_SIZE) && n->tn_type != VREG)
		return n->tn_type == VDIR ? -EISDIR : -EINVAL;
	if ((va->va_mask & VA_SIZE) && va->va_size != n->tn_size) {
		if ((error = tmpfs_resize(n, va->va_size)) != 0)
			return error;
		n->tn_mtime = tmpfs_now();
	}
	if (va->va_mask & VA_MODE)
		n->tn_mode = va->va_mode & 07777;
	if (va->va_mask & VA_OWNER) {
		n->tn_uid = va->va_uid;
		n->tn_gid = va->va_gid;
	}
	if (va->va_mask & VA_ATIME)
		n->tn_atime = va->va_atime_ns;
	if (va->va_mask & VA_MTIME)
		n->tn_mtime = va->va_mtime_ns;
	n->tn_ctime = tmpfs_now();
	return 0;
}

static int
tmpfs_fsync(struct vnode *vp, bool dataonly)
{
	(void)vp;
	(void)dataonly;
	return 0;               /* memory is the backing store: nothing to write */
}

static void
tmpfs_inactive(struct vnode *vp)
{
	struct tmpfs_node *n = vp->v_data;

	if (n == NULL || n->tn_links > 0)
		return;
	/* No names and no users: the file is gone. */
	n->tn_vnode = NULL;
	vp->v_data = NULL;
	vp->v_obj = NULL;
	node_free(tmpfs_mount_of(vp->v_mount), n);
}

static void
tmpfs_reclaim(struct vnode *vp)
{
	struct tmpfs_node *n = vp->v_data;

	if (n != NULL && n->tn_vnode == vp)
		n->tn_vnode = NULL;     /* the node stays: it has names */
	vp->v_data = NULL;
	vp->v_obj = NULL;
}

/* One node, for tmpfs_print and vop_print. */
static void
node_print(struct tmpfs_node *n, kprint_fn pr)
{
	static const char *const types[] = { "non", "reg", "dir", "lnk", "chr",
		"blk", "fifo", "sock" };

	pr("tmpfs node %p: ino %lu %s mode %04o links %u size %lu vnode %p\n",
	    (void *)n, n->tn_ino, types[n->tn_type], n->tn_mode, n->tn_links,
	    n->tn_size, (void *)n->tn_vnode);
	if (n->tn_type == VREG)
		uao_print(n->reg.tn_aobj, pr);
	else if (n->tn_type == VLNK)
		pr("  -> %s\n", n->lnk.tn_target);
	else if (n->tn_type == VDIR) {
		struct tmpfs_dirent *de;
		pr("  parent ino %lu, %lu entries, next cookie %lu\n",
		    n->dir.tn_parent->tn_ino, n->dir.tn_nentries, n->dir.tn_nextcookie);
		TAILQ_FOREACH(de, &n->dir.tn_entries, td_entries)
			pr("  [%lu] %s -> ino %lu\n", de->td_cookie, de->td_name,
			    de->td_node->tn_ino);
	}
}

static void
tmpfs_vprint(struct vnode *vp, kprint_fn pr)
{
	if (vp->v_data == NULL)
		pr("tmpfs: no node (the file is gone)\n");
	else
		node_print(vp->v_data, pr);
}

const struct vnodeops tmpfs_vnodeops = {
	.vop_lookup = tmpfs_lookup,
	.vop_create = tmpfs_create,
	.vop_mkdir = tmpfs_mkdir,
	.vop_symlink = tmpfs_symlink,
	.vop_link = tmpfs_link,
	.vop_remove = tmpfs_remove,
	.vop_rmdir = tmpfs_rmdir,
	.vop_rename = tmpfs_rename,
	.vop_readdir = tmpfs_readdir,
	.vop_readlink = tmpfs_readlink,
	.vop_getattr = tmpfs_getattr,
	.vop_setattr = tmpfs_setattr,
	.vop_fsync = tmpfs_fsync,
	.vop_inactive = tmpfs_inactive,
	.vop_reclaim = tmpfs_reclaim,
	.vop_print = tmpfs_vprint,
};

/* ------------------------------------------------------------------ */
/* vfsops                                                              */

static void
tmpfs_mount_free(struct tmpfs_mount *tm)
{
	kmem_free(tm, sizeof(*tm));
}

static int
tmpfs_mount(struct mount *mp, const char *source, const char *opts)
{
	struct tmpfs_mount *tm;
	struct tmpfs_args ta;
	int error;

	(void)source;
	if ((error = tmpfs_parse_opts(opts, &ta)) != 0)
		return error;
	if ((tm = kmem_zalloc(sizeof(*tm))) == NULL)
		return -ENOMEM;
	mutex_init(&tm->tm_lock, "tmpfs");
	tm->tm_budget.ub_lock = (struct spinlock)SPINLOCK_INIT("tmpfs_budget");
	tm->tm_budget.ub_limit = ta.ta_pages == 0 ? UINT64_MAX : ta.ta_pages;
	tm->tm_maxnodes = ta.ta_nodes == 0 ? UINT64_MAX : ta.ta_nodes;
	tm->tm_nextino = 1;
	tm->tm_mp = mp;
	TAILQ_INIT(&tm->tm_nodes);
	if ((error = node_alloc(tm, VDIR, ta.ta_mode, NULL, &tm->tm_root)) != 0) {
		tmpfs_mount_free(tm);
		return error;
	}
	tm->tm_root->tn_uid = ta.ta_uid;
	tm->tm_root->tn_gid = ta.ta_gid;
	mp->mnt_data = tm;
	return 0;
}

/* Free every entry of directory n (its children are freed by the caller). */
static void
dir_free_entries(struct tmpfs_node *n)
{
	struct tmpfs_dirent *de;

	while ((de = TAILQ_FIRST(&n->dir.tn_entries)) != NULL) {
		TAILQ_REMOVE(&n->dir.tn_entries, de, td_entries);
		n->dir.tn_nentries--;
		dirent_free(de);
	}
	n->dir.tn_hint = NULL;
}

static int
tmpfs_unmount(struct mount *mp)
{
	struct tmpfs_mount *tm = tmpfs_mount_of(mp);
	struct tmpfs_node *n;

	/* The VFS reclaimed every vnode: every node is ours alone. */
	TAILQ_FOREACH(n, &tm->tm_nodes, tn_list) {
		if (n->tn_type == VDIR)
			dir_free_entries(n);
	}
	while ((n = TAILQ_FIRST(&tm->tm_nodes)) != NULL) {
		KASSERT(n->tn_vnode == NULL);
		node_free(tm, n);
	}
	KASSERT(tm->tm_budget.ub_used == 0);
	mp->mnt_data = NULL;
	tmpfs_mount_free(tm);
	return 0;
}

static int
tmpfs_root(struct mount *mp, struct vnode **vpp)
{
	return node_vget(mp, tmpfs_mount_of(mp)->tm_root, vpp);
}

static int
tmpfs_statfs(struct mount *mp, struct vfs_statfs *st)
{
	struct tmpfs_mount *tm = tmpfs_mount_of(mp);
	uint64_t limit = tm->tm_budget.ub_limit, used = tm->tm_budget.ub_used;
	uint64_t maxnodes = tm->tm_maxnodes;

	memset(st, 0, sizeof(*st));
	st->f_type = TMPFS_MAGIC;
	st->f_bsize = PAGE_SIZE;
	/* No limit: report memory and swap as the room, as Linux's size=0 does. */
	st->f_blocks = limit == UINT64_MAX ? 0 : limit;
	st->f_bfree = st->f_bavail = limit == UINT64_MAX ? 0 :
	    limit - MIN(used, limit);
	st->f_files = maxnodes == UINT64_MAX ? 0 : maxnodes;
	st->f_ffree = maxnodes == UINT64_MAX ? 0 : maxnodes - tm->tm_nnodes;
	st->f_namelen = VFS_NAME_MAX;
	return 0;
}

static int
tmpfs_sync(struct mount *mp)
{
	(void)mp;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The checker and the printer                                         */

/* Directory d's entries: cookies, names, and their nodes' tn_seen. */
static int
check_dir(struct tmpfs_mount *tm, struct tmpfs_node *d, kprint_fn pr)
{
	struct tmpfs_dirent *de;
	uint64_t n = 0, last = 1, subdirs = 0;
	int problems = 0;

	TAILQ_FOREACH(de, &d->dir.tn_entries, td_entries) {
		struct tmpfs_node *c = de->td_node;
		n++;
		if (de->td_cookie <= last || de->td_cookie >= d->dir.tn_nextcookie ||
		    de->td_namelen == 0 || find_byte(de->td_name, '/', de->td_namelen) ||
		    node_find(tm, c->tn_ino) != c) {
			pr("tmpfs_check: dir ino %lu: entry [%lu] \"%s\" (next cookie "
			    "%lu) is bad or names a node not on the mount\n",
			    d->tn_ino, de->td_cookie, de->td_name, d->dir.tn_nextcookie);
			return problems + 1;
		}
		last = de->td_cookie;
		c->tn_seen++;
		if (c->tn_type == VDIR) {
			subdirs++;
			if (c->dir.tn_parent != d) {
				pr("tmpfs_check: dir ino %lu's \"..\" is ino %lu, named "
				    "in ino %lu\n", c->tn_ino, c->dir.tn_parent->tn_ino,
				    d->tn_ino);
				problems++;
			}
		}
	}
	if (n != d->dir.tn_nentries || (d->tn_links > 0 && d->tn_links != 2 + subdirs)) {
		pr("tmpfs_check: dir ino %lu: %lu entries (%lu dirs), counts %lu "
		    "entries and %u links\n", d->tn_ino, n, subdirs,
		    d->dir.tn_nentries, d->tn_links);
		problems++;
	}
	return problems;
}

/* One node's links against the names found; a file's aobj against its size. */
static int
check_node(struct tmpfs_mount *tm, struct tmpfs_node *n, uint64_t *held,
    kprint_fn pr)
{
	uint32_t names = n->tn_type == VDIR ? (n->tn_links > 0) : n->tn_links;
	int problems = 0;

	if (n == tm->tm_root)
		names = 0;
	if ((uint32_t)n->tn_seen != names || (n->tn_links == 0 && n->tn_vnode == NULL)) {
		pr("tmpfs_check: ino %lu: %u links, named %d times%s\n", n->tn_ino,
		    n->tn_links, n->tn_seen,
		    n->tn_links == 0 && n->tn_vnode == NULL ? ", no vnode: leaked" : "");
		problems++;
	}
	if (n->tn_type != VREG)
		return problems;
	struct uvm_object *uobj = n->reg.tn_aobj;
	if (!mutex_tryenter(&uobj->vmobjlock)) {
		pr("tmpfs_check: ino %lu: aobj locked, not checked\n", n->tn_ino);
		return problems + 1;
	}
	*held += (uint64_t)uao_held_pages(uobj);
	if ((uint64_t)uao_npages(uobj) != ROUND_UP(n->tn_size, PAGE_SIZE) / PAGE_SIZE ||
	    uao_held_pages(uobj) > uao_npages(uobj)) {
		pr("tmpfs_check: ino %lu: size %lu but aobj of %d pages, %d held\n",
		    n->tn_ino, n->tn_size, uao_npages(uobj), uao_held_pages(uobj));
		problems++;
	}
	mutex_exit(&uobj->vmobjlock);
	return problems;
}

int
tmpfs_check(struct mount *mp, kprint_fn pr)
{
	struct tmpfs_mount *tm = tmpfs_mount_of(mp);
	struct tmpfs_node *n;
	uint64_t count = 0, held = 0;
	int problems = 0;

	if (!mutex_tryenter(&tm->tm_lock)) {
		pr("tmpfs_check: %s: the mount is locked\n", mp->mnt_path);
		return 1;
	}
	TAILQ_FOREACH(n, &tm->tm_nodes, tn_list) {
		n->tn_seen = 0;
		count++;
		if (node_find(tm, n->tn_ino) != n) {
			pr("tmpfs_check: ino %lu is not in its hash bucket\n", n->tn_ino);
			problems++;
		}
	}
	if (count != tm->tm_nnodes || count > tm->tm_maxnodes) {
		pr("tmpfs_check: %lu nodes listed, %lu counted, at most %lu\n",
		    count, tm->tm_nnodes, tm->tm_maxnodes);
		problems++;
	}
	TAILQ_FOREACH(n, &tm->tm_nodes, tn_list) {
		if (n->tn_type == VDIR)
			problems += check_dir(tm, n, pr);
	}
	TAILQ_FOREACH(n, &tm->tm_nodes, tn_list)
		problems += check_node(tm, n, &held, pr);
	if (held != tm->tm_budget.ub_used || held > tm->tm_budget.ub_limit) {
		pr("tmpfs_check: files hold %lu pages, the budget counts %lu of %lu\n",
		    held, tm->tm_budget.ub_used, tm->tm_budget.ub_limit);
		problems++;
	}
	mutex_exit(&tm->tm_lock);
	return problems;
}

void
tmpfs_print(struct mount *mp, kprint_fn pr)
{
	struct tmpfs_mount *tm = tmpfs_mount_of(mp);
	struct tmpfs_node *n;

	pr("tmpfs %s: %lu nodes (max %lu), %lu pages used of %lu\n", mp->mnt_path,
	    tm->tm_nnodes, tm->tm_maxnodes, tm->tm_budget.ub_used,
	    tm->tm_budget.ub_limit);
	TAILQ_FOREACH(n, &tm->tm_nodes, tn_list)
		node_print(n, pr);
}

const struct vfsops tmpfs_vfsops = {
	.vfs_name = "tmpfs",
	.vfs_mount = tmpfs_mount,
	.vfs_unmount = tmpfs_unmount,
	.vfs_root = tmpfs_root,
	.vfs_statfs = tmpfs_statfs,
	.vfs_sync = tmpfs_sync,
	.vfs_check = tmpfs_check,
};

/* The st_dev of private mounts: makedev(0, 255), clear of vfs_mount's numbers. */
#define TMPFS_PRIVATE_DEV 255

int
tmpfs_mount_private(const char *opts, struct mount **mpp)
{
	struct mount *mp = kmem_zalloc(sizeof(*mp));
	int error;

	if (mp == NULL)
		return -ENOMEM;
	mp->mnt_op = &tmpfs_vfsops;
	mp->mnt_dev = TMPFS_PRIVATE_DEV;
	strlcpy(mp->mnt_path, "(private)", sizeof(mp->mnt_path));
	strlcpy(mp->mnt_source, "tmpfs", sizeof(mp->mnt_source));
	mutex_init(&mp->mnt_renamelock, "mntrename");
	TAILQ_INIT(&mp->mnt_vnodes);
	error = tmpfs_mount(mp, "tmpfs", opts);
	if (error == 0 && (error = tmpfs_root(mp, &mp->mnt_root)) != 0)
		tmpfs_unmount(mp);
	if (error != 0) {
		kmem_free(mp, sizeof(*mp));
		return error;
	}
	*mpp = mp;
	return 0;
}

int
tmpfs_unmount_private(struct mount *mp)
{
	if (mp->mnt_root->v_refs > 1 || vcache_flush(mp) > 1)
		return -EBUSY;
	vrele(mp->mnt_root);
	if (vcache_flush(mp) != 0)
		panic("tmpfs_unmount_private: a vnode came back");
	tmpfs_unmount(mp);
	kmem_free(mp, sizeof(*mp));
	return 0;
}

/* The private mount of memfd_create's files (no size limit, as Linux's). */
static struct mount *tmpfs_memfd_mp;

int
tmpfs_create_unlinked(struct mount *mp, uint32_t mode, struct vnode **vpp)
{
	struct tmpfs_mount *tm = tmpfs_mount_of(mp);
	struct tmpfs_node *n;
	int error;

	if ((error = node_alloc(tm, VREG, mode, NULL, &n)) != 0)
		return error;
	if ((error = vcache_new(mp, n->tn_ino, tmpfs_loadvnode, vpp)) != 0)
		node_free(tm, n);
	return error;
}

int
tmpfs_memfd_vnode(struct vnode **vpp)
{
	if (tmpfs_memfd_mp == NULL)
		return -ENOSYS;
	return tmpfs_create_unlinked(tmpfs_memfd_mp, 0777, vpp);
}

void
tmpfs_boot(kprint_fn pr)
{
	static const char *const paths[] = { "/tmp", "/dev/shm" };
	struct vnode *root;
	int error;

	if ((error = tmpfs_mount_private("size=0,nr_inodes=0", &tmpfs_memfd_mp)) != 0)
		pr("tmpfs: no mount for memfd_create: " ERRNO_FMT "\n", ERRNO_ARGS(error));
	if ((root = vfs_rootvp()) == NULL) {
		pr("tmpfs: no root file system: /tmp and /dev/shm not mounted\n");
		return;
	}
	vrele(root);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		error = vfs_mount("tmpfs", "tmpfs", paths[i], 0, NULL);
		if (error != 0)
			pr("tmpfs: %s not mounted: " ERRNO_FMT "\n", paths[i], ERRNO_ARGS(error));
		else
			pr("tmpfs: on %s, at most %lu MiB\n", paths[i],
			    uvmexp.npages / 2 >> (20 - PAGE_SHIFT));
	}
}

void
tmpfs_init(void)
{
	pool_init(&tmpfs_node_pool, sizeof(struct tmpfs_node), 0, "tmpfs_node");
	vfs_register(&tmpfs_vfsops);
}
