/*
 * kern/vfs/vfs_lookup.c - path lookup (namei) and the access check.
 *
 * namei walks a path one component at a time, holding a reference on the
 * directory it stands in and trading it for the next one:
 *
 *   "/mnt/../tests/./x/"          (x a symlink to "data")
 *
 *   start   "/"  -> the root vnode
 *   "mnt"   name cache or vop_lookup(root, "mnt") -> dir; something is
 *           mounted on it: cross to that mount's root
 *   ".."    the mount's root: back to the covered "mnt" first, then its
 *           "..", which is "/"
 *   "tests" -> dir          "." stays
 *   "x"     a symlink with a slash after it: followed even without
 *           NAMEI_FOLLOW; the rest of the path becomes "data/" and the
 *           walk goes on from "tests" (an absolute target restarts at "/")
 *   "data/" the trailing slash: must be a directory (-ENOTDIR)
 *
 * The unexamined rest of the path lives in one VFS_PATH_MAX buffer;
 * expanding a symlink writes target + "/" + rest into it, so a loop of
 * links grows nothing but the count, which stops at VFS_SYMLOOP_MAX
 * (-ELOOP on the 41st, as Linux).
 *
 * Permissions: there is one user, root (uid 0, gid 0), and Linux's
 * capabilities (kern/proc/cap.c).  vfs_access first reads the mode bits
 * as Linux does for any user: the owner's bits if the file's uid is 0,
 * else the group's if its gid is 0, else the others'.  Where they refuse,
 * CAP_DAC_OVERRIDE still lets a process read and write anything, search
 * any directory and execute a file with at least one x bit;
 * CAP_DAC_READ_SEARCH lets it read any file and read or search any
 * directory.  Every process starts with both, so for it the search check
 * namei makes at each directory always passes; one that dropped them
 * (capset) is held to the bits:
 *
 *   /secret mode 0700 uid 1000   stat("/secret/x") with CAP_DAC_OVERRIDE: ok
 *                                without it and CAP_DAC_READ_SEARCH: -EACCES
 *
 * Invariants: the walk holds exactly one reference (on the current
 * directory, or the result) at each step, and none when it fails.
 *
 * Locking: each directory's v_lock around its vop_lookup (never two at
 * once; ".." takes the child's lock and then the parent's vnode, which is
 * only waited for while another thread loads it), the name cache's lock
 * inside cache_lookup/enter.  No lock is held between components.
 */
#include "kern/vfs/vfs.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/cap.h"
#include "uvm/uvm_km.h"

/* One lookup's state. */
struct nameidata {
	char *buf;                      /* VFS_PATH_MAX: the rest of the path */
	char *rest;                     /* where in buf the walk stands */
	struct vnode *dvp;              /* the current directory, referenced */
	int nlinks;                     /* symlinks followed so far */
	int flags;
};

/* The mode bits' answer for uid 0, gid 0 (owner, group, other). */
static bool
access_by_bits(const struct vattr *va, int mode)
{
	uint32_t bits = va->va_uid == 0 ? va->va_mode >> 6 :
	    va->va_gid == 0 ? va->va_mode >> 3 : va->va_mode;

	return (mode & ~(int)(bits & 7)) == 0;
}

/* What the capabilities in caps allow beyond the bits (Linux's rules). */
static bool
access_by_caps(const struct vattr *va, bool dir, int mode, uint64_t caps)
{
	bool override = (caps & CAP_BIT(CAP_DAC_OVERRIDE)) != 0;
	bool readsearch = (caps & CAP_BIT(CAP_DAC_READ_SEARCH)) != 0;

	if (dir)
		return override || (readsearch && !(mode & VFS_W));
	if (override && (!(mode & VFS_X) || (va->va_mode & 0111) != 0))
		return true;
	return readsearch && mode == VFS_R;
}

int
vfs_access(struct vnode *vp, int mode)
{
	uint64_t caps = cap_effective();
	bool dir = vp->v_type == VDIR;
	struct vattr va;
	int error;

	if ((mode & VFS_W) && vp->v_mount != NULL &&
	    (vp->v_mount->mnt_flags & MNT_RDONLY) &&
	    (vp->v_type == VREG || vp->v_type == VDIR || vp->v_type == VLNK))
		return -EROFS;
	if ((caps & CAP_BIT(CAP_DAC_OVERRIDE)) && (!(mode & VFS_X) || dir))
		return 0;                       /* no need for the bits */
	memset(&va, 0, sizeof(va));
	error = vp->v_ops->vop_getattr(vp, &va);
	if (error != 0)
		return error;
	if (access_by_bits(&va, mode) || access_by_caps(&va, dir, mode, caps))
		return 0;
	return -EACCES;
}

/* Move from directory dvp to vp: dvp's reference is dropped. */
static void
ni_step(struct nameidata *ni, struct vnode *vp)
{
	vrele(ni->dvp);
	ni->dvp = vp;
}

/* If something is mounted on *vpp, its root instead (references moved). */
static void
ni_cross_down(struct vnode **vpp)
{
	struct vnode *vp = *vpp;

	struct vnode *root;

	while (vp->v_type == VDIR && (root = vfs_mount_cross_down(vp)) != NULL) {
		vrele(vp);
		vp = root;
	}
	*vpp = vp;
}

/* The directory ".." of ni->dvp names: up across mount points first. */
static int
ni_dotdot(struct nameidata *ni, struct vnode **vpp)
{
	struct vnode *dvp = ni->dvp, *rootvp = vfs_rootvp();
	int error;

	while (dvp != rootvp && dvp->v_mount->mnt_covered != NULL &&
	    dvp == dvp->v_mount->mnt_root) {
		vref(dvp->v_mount->mnt_covered);
		ni_step(ni, dvp->v_mount->mnt_covered);
		dvp = ni->dvp;
	}
	if (dvp == rootvp) {
		*vpp = rootvp;                  /* "/.." is "/" */
		return 0;
	}
	vrele(rootvp);
	mutex_enter(&dvp->v_lock);
	error = dvp->v_ops->vop_lookup(dvp, "..", 2, vpp);
	mutex_exit(&dvp->v_lock);
	return error;
}

/* The entry name[0..len) of ni->dvp, referenced, via the name cache. */
static int
ni_lookup_name(struct nameidata *ni, const char *name, size_t len,
    struct vnode **vpp)
{
	struct vnode *dvp = ni->dvp;
	int error;

	bool cached = !(dvp->v_mount->mnt_flags & MNT_NOCACHE);

	if (cached && (*vpp = cache_lookup(dvp, name, len)) != NULL)
		return 0;
	mutex_enter(&dvp->v_lock);
	error = dvp->v_ops->vop_lookup(dvp, name, len, vpp);
	mutex_exit(&dvp->v_lock);
	if (error == 0 && cached)
		cache_enter(dvp, name, len, *vpp);
	return error;
}

/* One component from the current directory: checks, then the lookup. */
static int
ni_component(struct nameidata *ni, const char *name, size_t len,
    struct vnode **vpp)
{
	int error;

	if (ni->dvp->v_type != VDIR)
		return -ENOTDIR;
	if ((error = vfs_access(ni->dvp, VFS_X)) != 0)
		return error;
	if (len == 1 && name[0] == '.') {
		vref(ni->dvp);
		*vpp = ni->dvp;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.')
		error = ni_dotdot(ni, vpp);
	else
		error = ni_lookup_name(ni, name, len, vpp);
	if (error == 0)
		ni_cross_down(vpp);
	return error;
}

/*
 * Replace the consumed part of the path by symlink vp's target: the
 * buffer becomes target + "/" + rest.  An absolute target restarts the
 * walk at the root.  => vp referenced (the caller drops it).
 */
static int
ni_follow(struct nameidata *ni, struct vnode *vp)
{
	char *target;
	size_t restlen = strlen(ni->rest);
	int n, error = 0;

	if (++ni->nlinks > VFS_SYMLOOP_MAX)
		return -ELOOP;
	if ((target = kmem_alloc(VFS_PATH_MAX, 0)) == NULL)
		return -ENOMEM;
	n = vp->v_ops->vop_readlink(vp, target, VFS_PATH_MAX);
	if (n < 0)
		error = n;
	else if (n == 0)
		error = -ENOENT;
	else if ((size_t)n + 1 + restlen >= VFS_PATH_MAX)
		error = -ENAMETOOLONG;
	if (error == 0) {
		/* "a/x/b" with x -> "t": "t/b"; with nothing after x: "t" */
		memmove(ni->buf + n + (restlen > 0), ni->rest, restlen + 1);
		memcpy(ni->buf, target, (size_t)n);
		if (restlen > 0)
			ni->buf[n] = '/';
		ni->rest = ni->buf;
		if (target[0] == '/')
			ni_step(ni, vfs_rootvp());
	}
	kmem_free(target, VFS_PATH_MAX);
	return error;
}

/* The next component of ni->rest: its start and length; rest skips it
 * and the slashes after it.  => *slash: slashes followed it. */
static size_t
ni_next(struct nameidata *ni, const char **namep, bool *slash)
{
	char *p = ni->rest;
	size_t len;

	while (*p == '/')
		p++;
	*namep = p;
	for (len = 0; p[len] != '\0' && p[len] != '/'; len++)
		;
	p += len;
	*slash = *p == '/';
	while (*p == '/')
		p++;
	ni->rest = p;
	return len;
}

/* Set up ni for path: the buffer, the starting directory. */
static int
ni_start(struct nameidata *ni, struct vnode *dirvp, const char *path, int flags)
{
	size_t len = strnlen(path, VFS_PATH_MAX);

	if (len >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	if ((ni->buf = kmem_alloc(VFS_PATH_MAX, 0)) == NULL)
		return -ENOMEM;
	memcpy(ni->buf, path, len + 1);
	ni->rest = ni->buf;
	ni->nlinks = 0;
	ni->flags = flags;
	if (path[0] == '/')
		ni->dvp = vfs_rootvp();
	else if (dirvp != NULL) {
		vref(dirvp);
		ni->dvp = dirvp;
	} else
		ni->dvp = vfs_cwd();
	if (ni->dvp == NULL) {                  /* nothing mounted yet */
		kmem_free(ni->buf, VFS_PATH_MAX);
		return -ENOENT;
	}
	return 0;
}

/* The walk ends at the current directory: hand its reference over. */
static int
ni_done(struct nameidata *ni, struct vnode **vpp)
{
	*vpp = ni->dvp;
	ni->dvp = NULL;
	return 0;
}

/* NAMEI_PARENT at the last component: the directory, and the name. */
static int
ni_parent_done(struct nameidata *ni, const char *name, size_t len,
    struct vnode **vpp, char *last)
{
	if (ni->dvp->v_type != VDIR)
		return -ENOTDIR;
	memcpy(last, name, len);
	last[len] = '\0';
	return ni_done(ni, vpp);
}

/* Is vp, just looked up, a symlink to follow?  Always in the middle of
 * the path; at the end if asked or a slash follows, but never a magic
 * link (its vop_open is what it means). */
static bool
ni_must_follow(struct nameidata *ni, struct vnode *vp, bool final, bool slash)
{
	if (vp->v_type != VLNK)
		return false;
	if (!final)
		return true;
	if (vp->v_vflags & VV_MAGICLINK)
		return false;
	return slash || (ni->flags & NAMEI_FOLLOW);
}

/*
 * Walk ni until the last component: with NAMEI_PARENT stop before it
 * (copying it to last, *trail: a slash followed it), else look it up
 * too.  *vpp referenced.
 */
static int
ni_walk(struct nameidata *ni, struct vnode **vpp, char *last, bool *trail)
{
	const char *name;
	struct vnode *vp;
	bool slash, final;
	size_t len;
	int error;

	for (;;) {
		len = ni_next(ni, &name, &slash);
		final = *ni->rest == '\0';
		if (len > VFS_NAME_MAX)
			return -ENAMETOOLONG;
		*trail = slash;
		if (final && (ni->flags & NAMEI_PARENT))
			return ni_parent_done(ni, name, len, vpp, last);
		if (len == 0)                   /* "/" (and "//"): the root */
			return ni_done(ni, vpp);
		if ((error = ni_component(ni, name, len, &vp)) != 0)
			return error;
		if (ni_must_follow(ni, vp, final, slash)) {
			if (final && slash)     /* keep the trailing slash */
				ni->rest = (char *)name + len;
			error = ni_follow(ni, vp);
			vrele(vp);
			if (error != 0)
				return error;
			continue;
		}
		if (slash && vp->v_type != VDIR) {
			vrele(vp);
			return -ENOTDIR;
		}
		if (final) {
			*vpp = vp;
			return 0;
		}
		ni_step(ni, vp);
	}
}

int
namei_parent(struct vnode *dirvp, const char *path, struct vnode **dvpp,
    char *last, bool *trailslash)
{
	struct nameidata ni;
	bool trail = false;
	int error;

	error = ni_start(&ni, dirvp, path, NAMEI_PARENT);
	if (error != 0)
		return error;
	error = ni_walk(&ni, dvpp, last, &trail);
	if (ni.dvp != NULL)
		vrele(ni.dvp);
	kmem_free(ni.buf, VFS_PATH_MAX);
	if (trailslash != NULL)
		*trailslash = trail;
	return error;
}

int
namei(struct vnode *dirvp, const char *path, int flags, struct vnode **vpp,
    char *last)
{
	struct nameidata ni;
	bool trail;
	int error;

	if (flags & NAMEI_PARENT)
		return namei_parent(dirvp, path, vpp, last, NULL);
	error = ni_start(&ni, dirvp, path, flags);
	if (error != 0)
		return error;
	error = ni_walk(&ni, vpp, NULL, &trail);
	if (ni.dvp != NULL)
		vrele(ni.dvp);
	kmem_free(ni.buf, VFS_PATH_MAX);
	return error;
}
