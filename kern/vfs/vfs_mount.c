/*
 * kern/vfs/vfs_mount.c - file system types and the mount table.
 *
 * A file system type registers its vfsops under a name ("ramfs",
 * "tmpfs", "ext2"); vfs_mount makes a struct mount of that type and
 * joins its root to a directory:
 *
 *   mount list:  "/" (ramfs) -> "/dev" (devfs) -> "/proc" -> "/tmp"
 *
 *   ramfs dir vnode "tmp" {v_mountedhere ---> mount "/tmp" (tmpfs)
 *        refs 1 + ...}  <--- mnt_covered ---  mnt_root --> tmpfs root vnode
 *
 * The mount holds one reference on the covered directory (so it stays
 * cached with its v_mountedhere) and one on its own root (so ".." and
 * lookups can cross without asking the file system).  Unmount is refused
 * (-EBUSY) while any other reference on one of its vnodes exists (an open
 * file, a cwd, a mapping, a mount on one of its directories).
 *
 * Device numbers: each mount gets st_dev = makedev(0, n) with n counting
 * from 1, as Linux numbers its anonymous (diskless) file systems.
 *
 * Invariants: every mount is on the list once; the root mount has no
 * covered vnode and is first; a covered vnode's v_mountedhere is its
 * mount.  vfs_check_all runs each mount's checker and the vnode cache's.
 *
 * Locking: vfs_mountlock (a mutex) serializes mount, unmount and walks of
 * the list; it is taken before any vnode lock (it is held across namei
 * and the file system's vfs_mount), so nothing under a vnode lock may
 * mount.
 */
#include "kern/vfs/vfs.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/atomic.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_memobj.h"
#include "uvm/uvm_object.h"

#define VFS_MAXTYPES 8

static const struct vfsops *vfs_types[VFS_MAXTYPES];
static struct kmutex vfs_mountlock = KMUTEX_INIT("mountlist");
/*
 * vfs_crosslock (a leaf spin lock) covers the v_mountedhere links against
 * lookups: a lookup crossing into a mount reads the root and references
 * it under it, and an unmount checks that the root is not in use and cuts
 * the link under it, so no lookup can take a root the unmount frees.
 * (namei runs under vfs_mountlock in mount and unmount, so the crossing
 * cannot take that one.)
 */
static struct spinlock vfs_crosslock = SPINLOCK_INIT("mountcross");
static TAILQ_HEAD(, mount) vfs_mounts = { NULL, &vfs_mounts.tqh_first };
static struct vnode *vfs_rootvnode;     /* "/", referenced */
static uint64_t vfs_nextdev = 1;

void
vfs_register(const struct vfsops *ops)
{
	for (int i = 0; i < VFS_MAXTYPES; i++) {
		if (vfs_types[i] == ops)
			return;
		if (vfs_types[i] == NULL) {
			vfs_types[i] = ops;
			return;
		}
	}
	panic("vfs_register: more than %d file system types", VFS_MAXTYPES);
}

static const struct vfsops *
vfs_type(const char *name)
{
	for (int i = 0; i < VFS_MAXTYPES && vfs_types[i] != NULL; i++)
		if (strcmp(vfs_types[i]->vfs_name, name) == 0)
			return vfs_types[i];
	return NULL;
}

struct vnode *
vfs_rootvp(void)
{
	struct vnode *vp = vfs_rootvnode;

	if (vp != NULL)
		vref(vp);
	return vp;
}

static struct mount *
mount_alloc(const struct vfsops *ops, const char *source, const char *path,
    int flags)
{
	struct mount *mp = kmem_zalloc(sizeof(*mp));

	if (mp == NULL)
		return NULL;
	mp->mnt_op = ops;
	mp->mnt_flags = flags;
	mp->mnt_dev = vfs_nextdev;      /* makedev(0, n) is n; taken if it mounts */
	strlcpy(mp->mnt_path, path != NULL ? path : "/", sizeof(mp->mnt_path));
	strlcpy(mp->mnt_source, source != NULL ? source : "none",
	    sizeof(mp->mnt_source));
	mutex_init(&mp->mnt_renamelock, "mntrename");
	TAILQ_INIT(&mp->mnt_vnodes);
	return mp;
}

/* The directory to mount on: path resolved, a directory, free. */
static int
mount_lookup_covered(const char *path, struct vnode **vpp)
{
	struct vnode *vp;
	int error;

	error = namei(NULL, path, NAMEI_FOLLOW, &vp, NULL);
	if (error != 0)
		return error;
	if (vp->v_type != VDIR)
		error = -ENOTDIR;
	else if (vp->v_mountedhere != NULL ||
	    (vp->v_mount != NULL && vp == vp->v_mount->mnt_root))
		error = -EBUSY;                 /* no stacked mounts */
	if (error != 0) {
		vrele(vp);
		return error;
	}
	*vpp = vp;
	return 0;
}

/* Mount mp's file system and find its root.  => 0 or its error. */
static int
mount_start(struct mount *mp, const char *source, const char *opts)
{
	int error = mp->mnt_op->vfs_mount(mp, source, opts);

	if (error != 0)
		return error;
	error = mp->mnt_op->vfs_root(mp, &mp->mnt_root);
	if (error == 0 && mp->mnt_root->v_type != VDIR) {
		vrele(mp->mnt_root);
		error = -ENOTDIR;
	}
	if (error != 0) {
		vcache_flush(mp);
		mp->mnt_op->vfs_unmount(mp);
	}
	return error;
}

int
vfs_mount(const char *fstype, const char *source, const char *path,
    int flags, const char *opts)
{
	const struct vfsops *ops = vfs_type(fstype);
	struct vnode *covered = NULL;
	struct mount *mp = NULL;
	int error = 0;

	if (ops == NULL)
		return -ENODEV;
	mutex_enter(&vfs_mountlock);
	if (path == NULL && vfs_rootvnode != NULL)
		error = -EBUSY;
	else if (path != NULL)
		error = mount_lookup_covered(path, &covered);
	if (error == 0 && (mp = mount_alloc(ops, source, path, flags)) == NULL)
		error = -ENOMEM;
	if (error == 0)
		error = mount_start(mp, source, opts);
	if (error == 0) {
		vfs_nextdev++;
		mp->mnt_covered = covered;      /* keeps namei's reference */
		if (covered != NULL) {
			spin_lock(&vfs_crosslock);
			covered->v_mountedhere = mp;
			spin_unlock(&vfs_crosslock);
		} else
			vfs_rootvnode = mp->mnt_root;
		TAILQ_INSERT_TAIL(&vfs_mounts, mp, mnt_list);
	} else {
		if (covered != NULL)
			vrele(covered);
		if (mp != NULL)
			kmem_free(mp, sizeof(*mp));
	}
	mutex_exit(&vfs_mountlock);
	return error;
}

/* The mount whose root path names.  => vfs_mountlock held. */
static int
unmount_lookup(const char *path, struct mount **mpp)
{
	struct vnode *vp;
	int error;

	error = namei(NULL, path, NAMEI_FOLLOW, &vp, NULL);
	if (error != 0)
		return error;
	if (vp->v_mount == NULL || vp != vp->v_mount->mnt_root)
		error = -EINVAL;                /* not a mount point */
	else if (vp->v_mount->mnt_covered == NULL)
		error = -EBUSY;                 /* the root stays */
	*mpp = vp->v_mount;
	vrele(vp);
	return error;
}

struct vnode *
vfs_mount_cross_down(struct vnode *vp)
{
	struct vnode *root = NULL;

	spin_lock(&vfs_crosslock);
	if (vp->v_mountedhere != NULL) {
		root = vp->v_mountedhere->mnt_root;
		vref(root);                     /* the mount holds one: atomic */
	}
	spin_unlock(&vfs_crosslock);
	return root;
}

/* Cut mp off from its covered directory unless its root is in use, so
 * no lookup crosses into it any more.  => vfs_mountlock held; 0, -EBUSY. */
static int
unmount_detach(struct mount *mp)
{
	int error = 0;

	spin_lock(&vfs_crosslock);
	if (atomic_load_int(&mp->mnt_root->v_refs) > 1)
		error = -EBUSY;
	else
		mp->mnt_covered->v_mountedhere = NULL;
	spin_unlock(&vfs_crosslock);
	return error;
}

/* Undo unmount_detach: the unmount was refused after all. */
static void
unmount_reattach(struct mount *mp)
{
	spin_lock(&vfs_crosslock);
	mp->mnt_covered->v_mountedhere = mp;
	spin_unlock(&vfs_crosslock);
}

int
vfs_unmount(const char *path, int flags)
{
	struct mount *mp = NULL;
	int error;

	(void)flags;
	mutex_enter(&vfs_mountlock);
	error = unmount_lookup(path, &mp);
	if (error == 0)
		error = unmount_detach(mp);
	if (error == 0 && vcache_flush(mp) > 1) {
		error = -EBUSY;                 /* more than the root in use */
		unmount_reattach(mp);
	}
	if (error == 0) {
		cache_purge(mp->mnt_root);
		vrele(mp->mnt_root);
		KASSERT(vcache_flush(mp) == 0);
		error = mp->mnt_op->vfs_unmount(mp);
		if (error != 0)
			panic("vfs_unmount: %s refused after its vnodes went (%d)",
			    mp->mnt_path, error);
		TAILQ_REMOVE(&vfs_mounts, mp, mnt_list);
		vrele(mp->mnt_covered);
		kmem_free(mp, sizeof(*mp));
	}
	mutex_exit(&vfs_mountlock);
	return error;
}

/* Write back every page of vp's object.  => vp referenced. */
static int
vfs_sync_vnode(struct vnode *vp)
{
	struct uvm_object *uobj = vp->v_obj;
	int error = 0;

	if (uobj == NULL || uobj->pgops->pgo_put == NULL)
		return 0;
	mutex_enter(&uobj->vmobjlock);
	error = uobj->pgops->pgo_put(uobj, 0, 0, PGO_CLEANIT | PGO_ALLPAGES);
	mutex_exit(&uobj->vmobjlock);
	return error;
}

/* sync one mount: its vnodes' pages, then its metadata. */
static int
vfs_sync_mount(struct mount *mp)
{
	struct vnode *vp = NULL, *next;
	int error = 0, e;

	while ((next = vcache_next_ref(mp, vp)) != NULL) {
		if (vp != NULL)
			vrele(vp);
		vp = next;
		if ((e = vfs_sync_vnode(vp)) != 0 && error == 0)
			error = e;
	}
	if (vp != NULL)
		vrele(vp);
	if (mp->mnt_op->vfs_sync != NULL && (e = mp->mnt_op->vfs_sync(mp)) != 0
	    && error == 0)
		error = e;
	return error;
}

int
vfs_sync_all(void)
{
	struct mount *mp;
	int error = 0, e;

	mutex_enter(&vfs_mountlock);
	TAILQ_FOREACH(mp, &vfs_mounts, mnt_list)
		if ((e = vfs_sync_mount(mp)) != 0 && error == 0)
			error = e;
	mutex_exit(&vfs_mountlock);
	return error;
}

/* One mount's structure: root and covered vnode agree with it. */
static int
vfs_check_mount(struct mount *mp, kprint_fn pr)
{
	int bad = 0;

	if (mp->mnt_root == NULL || mp->mnt_root->v_mount != mp ||
	    mp->mnt_root->v_refs < 1) {
		pr("mount %s: bad root vnode\n", mp->mnt_path);
		bad++;
	}
	if (mp->mnt_covered != NULL && mp->mnt_covered->v_mountedhere != mp) {
		pr("mount %s: covered vnode does not point back\n", mp->mnt_path);
		bad++;
	}
	if (mp->mnt_covered == NULL && mp->mnt_root != vfs_rootvnode) {
		pr("mount %s: no covered vnode but not the root\n", mp->mnt_path);
		bad++;
	}
	if (mp->mnt_op->vfs_check != NULL)
		bad += mp->mnt_op->vfs_check(mp, pr);
	return bad;
}

int
vfs_check_all(kprint_fn pr)
{
	struct mount *mp;
	int bad = 0;

	mutex_enter(&vfs_mountlock);
	TAILQ_FOREACH(mp, &vfs_mounts, mnt_list)
		bad += vfs_check_mount(mp, pr);
	mutex_exit(&vfs_mountlock);
	bad += vcache_check(pr);
	bad += cache_check(pr);
	return bad;
}

int
vfs_flush_caches(void)
{
	int n;

	cache_purgeall();
	n = vcache_flush(NULL);
	uvm_memobj_purge();     /* the initrd files' cached pages */
	return n;
}

/* Append one /proc/mounts line for mp to buf (size bytes), at *len. */
static void
vfs_mount_line(struct mount *mp, char *buf, size_t size, size_t *len)
{
	int n = ksnprintf(buf + *len, size - *len, "%s %s %s %s 0 0\n",
	    mp->mnt_source, mp->mnt_path, mp->mnt_op->vfs_name,
	    (mp->mnt_flags & MNT_RDONLY) ? "ro" : "rw");

	*len = MIN(size - 1, *len + (size_t)n);
}

/* The mount table's text into a scratch buffer of *sizep bytes. */
static char *
vfs_mounts_scratch(size_t *sizep, size_t *lenp)
{
	struct mount *mp;
	size_t size = 1;
	char *buf;

	TAILQ_FOREACH(mp, &vfs_mounts, mnt_list)
		size += sizeof(mp->mnt_path) + sizeof(mp->mnt_source) + 24;
	buf = kmem_alloc(size, 0);
	if (buf == NULL)
		return NULL;
	buf[0] = '\0';
	*lenp = 0;
	TAILQ_FOREACH(mp, &vfs_mounts, mnt_list)
		vfs_mount_line(mp, buf, size, lenp);
	*sizep = size;
	return buf;
}

int
vfs_mounts_text(char **textp, size_t *lenp)
{
	size_t size = 0, len = 0;
	char *scratch, *text = NULL;

	mutex_enter(&vfs_mountlock);
	scratch = vfs_mounts_scratch(&size, &len);
	mutex_exit(&vfs_mountlock);
	if (scratch != NULL && (text = kmem_alloc(len + 1, 0)) != NULL)
		memcpy(text, scratch, len + 1);
	if (scratch != NULL)
		kmem_free(scratch, size);
	if (text == NULL)
		return -ENOMEM;
	*textp = text;
	*lenp = len;
	return 0;
}

void
vfs_print_mounts(kprint_fn pr)
{
	struct mount *mp;

	TAILQ_FOREACH(mp, &vfs_mounts, mnt_list)
		pr("mount %s on %s type %s dev %lu root refs %d\n",
		    mp->mnt_source, mp->mnt_path, mp->mnt_op->vfs_name,
		    mp->mnt_dev, mp->mnt_root != NULL ? mp->mnt_root->v_refs : -1);
}
