/*
 * kern/sys/sys_vfs.c - the system calls that name files by path, and
 * those that change or ask about a file system: open/openat/creat,
 * stat/lstat/newfstatat/statx, getdents64, mkdir, rmdir, unlink, rename,
 * link, symlink, readlink, chmod, chown, utimensat, access, chdir,
 * fchdir, getcwd, umask, truncate, fsync, sync, statfs, mount, umount2.
 *
 * Every path call starts the same way:
 *
 *   mkdirat(dirfd 5, "a/b/new", 0777)
 *     copy the path in (kmem, VFS_PATH_MAX; "" is -ENOENT)
 *     at_dir: "a/..." is relative, so it starts at fd 5's directory
 *             (AT_FDCWD: the process's cwd; "/...": the root)
 *     namei_parent -> dvp = "a/b" (referenced), last = "new"
 *     lock dvp; vop_lookup(dvp, "new"): -ENOENT, good
 *     vop_mkdir(dvp, "new", 0777 & ~umask); unlock dvp; vrele
 *
 * Calls that change a directory look the last name up themselves, with
 * the directory locked from that lookup to the change, so two processes
 * cannot both create "new"; the errors come in the order Linux checks
 * them (for example a read-only mount: mkdir of a name that exists says
 * EEXIST, unlink of any name says EROFS).  A name that goes away
 * (unlink, rmdir, rename) leaves the name cache (cache_purge_name).
 * Calls that only read (stat, access, open without O_CREAT) use namei.
 *
 * getcwd and /proc/PID/fd's links need a vnode's path, but a vnode knows
 * no name: vn_path (below) finds it by walking "..", searching each
 * parent with readdir for the entry that leads back, as a 4.4BSD getcwd
 * did.  So a directory that was removed has no path (-ENOENT, as Linux's
 * getcwd says), and a path through a mount point comes out through the
 * directory the mount covers.
 *
 * A single user, root (uid 0, gid 0), with Linux's capabilities
 * (kern/proc/cap.c): open, exec and each directory a path searches ask
 * vfs_access, which lets a process holding CAP_DAC_OVERRIDE (all, unless
 * they dropped it) past the permission bits; chown needs CAP_CHOWN
 * beyond the owner's own changes, chmod CAP_FOWNER for a file whose uid
 * is not 0, mount and umount2 CAP_SYS_ADMIN.  Adding or removing a name
 * needs write and search permission on its directory (dir_may_change).
 * Not checked yet: the sticky bit's rule for removing another's file,
 * and utimensat's owner rule.
 *
 * Where this differs from Linux, on purpose: renameat2's RENAME_EXCHANGE
 * and RENAME_WHITEOUT are -EINVAL (not supported); O_TMPFILE is
 * -EOPNOTSUPP; mount(2) knows no MS_REMOUNT, MS_BIND or MS_MOVE
 * (-EINVAL); syncfs writes back every mount, not just fd's; reads do not
 * update the access time.  O_CREAT through a dangling symlink creates
 * its target, as Linux does.
 *
 * Locking: as kern/vfs/vfs.h orders it; a directory's v_lock is never
 * held across a copy to or from user memory.
 */
#include "kern/sys/syscall.h"
#include "kern/arch/uaccess.h"
#include "kern/fs/file.h"
#include "kern/fs/ramfs.h"
#include "kern/lib/errno.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/vfs/vfs.h"
#include "kern/vfs/vfs_vnops.h"
#include "uvm/uvm_km.h"

#define AT_FDCWD -100
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EACCESS 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000
#define AT_STATX_SYNC_TYPE 0x6000

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4

#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

static struct fdtable *
fds(void)
{
	return curproc->fds;
}

/* ---- paths in, and where they start ---- */

/*
 * A user path copied into a new kmem buffer (VFS_PATH_MAX bytes) at *pathp.
 *  => 0; -EFAULT, -ENAMETOOLONG, -ENOENT for "" unless empty_ok, -ENOMEM.
 *  => path_put frees it (also after an error: *pathp is NULL then).
 */
static int
path_get(uint64_t upath, char **pathp, bool empty_ok)
{
	char *path = kmem_alloc(VFS_PATH_MAX, 0);
	int len;

	*pathp = NULL;
	if (path == NULL)
		return -ENOMEM;
	len = copyinstr(upath, path, VFS_PATH_MAX);
	if (len == 0 && !empty_ok)
		len = -ENOENT;
	if (len < 0) {
		kmem_free(path, VFS_PATH_MAX);
		return len;
	}
	*pathp = path;
	return 0;
}

static void
path_put(char *path)
{
	if (path != NULL)
		kmem_free(path, VFS_PATH_MAX);
}

/*
 * The directory a path starts from: NULL (the cwd; namei's default) for
 * AT_FDCWD or an absolute path, else dirfd's directory, referenced.
 *  => 0; -EBADF (no such descriptor), -ENOTDIR (not a directory).
 */
static int
at_dir(int dirfd, const char *path, struct vnode **dvpp)
{
	struct file *f;

	*dvpp = NULL;
	if (path[0] == '/' || dirfd == AT_FDCWD)
		return 0;
	if ((f = fd_get(fds(), dirfd)) == NULL)
		return -EBADF;
	if (f->vp != NULL && f->vp->v_type == VDIR) {
		vref(f->vp);
		*dvpp = f->vp;
	}
	fd_put(f);
	return *dvpp != NULL ? 0 : -ENOTDIR;
}

static void
vrele_opt(struct vnode *vp)
{
	if (vp != NULL)
		vrele(vp);
}

/* The vnode dirfd is open on (AT_EMPTY_PATH), referenced; -EBADF. */
static int
fd_vnode(int dirfd, struct vnode **vpp)
{
	struct file *f;

	if (dirfd == AT_FDCWD) {
		*vpp = vfs_cwd();
		return *vpp != NULL ? 0 : -ENOENT;
	}
	if ((f = fd_get(fds(), dirfd)) == NULL)
		return -EBADF;
	*vpp = f->vp;
	if (*vpp != NULL)
		vref(*vpp);
	fd_put(f);
	return *vpp != NULL ? 0 : -EBADF;
}

/*
 * lookup_at - dirfd and the user path upath to a referenced vnode.
 *  => atflags: AT_SYMLINK_NOFOLLOW (a symlink at the end is the answer),
 *     AT_EMPTY_PATH ("" names dirfd's own file).
 *  => 0 and *vpp; the errors of path_get, at_dir and namei.
 */
static int
lookup_at(int dirfd, uint64_t upath, int atflags, struct vnode **vpp)
{
	struct vnode *dvp = NULL;
	char *path;
	int error = path_get(upath, &path, (atflags & AT_EMPTY_PATH) != 0);

	if (error == 0 && path[0] == '\0')
		error = fd_vnode(dirfd, vpp);
	else if (error == 0 && (error = at_dir(dirfd, path, &dvp)) == 0)
		error = namei(dvp, path,
		    (atflags & AT_SYMLINK_NOFOLLOW) ? 0 : NAMEI_FOLLOW, vpp, NULL);
	vrele_opt(dvp);
	path_put(path);
	return error;
}

/* What parent_at found: the parent, referenced, and the last name. */
struct vfs_parent {
	struct vnode *dvp;
	char last[VFS_NAME_MAX + 1];
	size_t len;
	bool slash;                 /* the path ended in '/' */
};

/*
 * parent_at - the directory that holds the last component of upath.
 *  => 0 and *pp (pp->dvp referenced: parent_done drops it); the last
 *     name may be "", "." or ".." (callers refuse them as Linux does).
 */
static int
parent_at(int dirfd, uint64_t upath, struct vfs_parent *pp)
{
	struct vnode *dvp = NULL;
	char *path;
	int error = path_get(upath, &path, false);

	pp->dvp = NULL;
	if (error == 0 && (error = at_dir(dirfd, path, &dvp)) == 0)
		error = namei_parent(dvp, path, &pp->dvp, pp->last, &pp->slash);
	if (error == 0 && pp->dvp->v_type != VDIR) {
		vrele(pp->dvp);
		pp->dvp = NULL;
		error = -ENOTDIR;
	}
	pp->len = error == 0 ? strlen(pp->last) : 0;
	vrele_opt(dvp);
	path_put(path);
	return error;
}

static void
parent_done(struct vfs_parent *pp)
{
	vrele_opt(pp->dvp);
	pp->dvp = NULL;
}

/* Is name "", "." or ".." (no entry a call may make or remove)? */
static bool
name_is_dots(const char *name)
{
	return name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

static bool
vn_rdonly(const struct vnode *vp)
{
	return (vp->v_mount->mnt_flags & MNT_RDONLY) != 0;
}

/* The entry name of dvp, referenced.  => dvp locked; 0 or -ENOENT. */
static int
dir_lookup(struct vnode *dvp, const char *name, size_t len, struct vnode **vpp)
{
	KASSERT(mutex_owned(&dvp->v_lock));
	return dvp->v_ops->vop_lookup(dvp, name, len, vpp);
}

/*
 * Is directory dvp removed (no links)?  Then nothing new goes in:
 * -ENOENT, as Linux answers.  => dvp locked.
 */
static bool
dir_is_dead(struct vnode *dvp)
{
	struct vattr va;

	memset(&va, 0, sizeof(va));
	return dvp->v_ops->vop_getattr(dvp, &va) == 0 && va.va_nlink == 0;
}

/*
 * May the caller add or remove names in directory dvp?  Write and search
 * permission (vfs_access: the bits, or CAP_DAC_OVERRIDE).  => 0 or -EACCES.
 */
static int
dir_may_change(struct vnode *dvp)
{
	return vfs_access(dvp, VFS_W | VFS_X);
}

/*
 * dir_lock_for_new - lock pp->dvp for a new entry pp->last.
 *  => 0 with dvp locked: the name is free and the mount writable;
 *     else unlocked and -EEXIST (also for "", ".", ".."), -EROFS,
 *     -ENOENT (dvp was removed), -EACCES (dir_may_change).
 */
static int
dir_lock_for_new(struct vfs_parent *pp)
{
	struct vnode *vp;
	int error;

	if (name_is_dots(pp->last))
		return -EEXIST;
	mutex_enter(&pp->dvp->v_lock);
	error = dir_lookup(pp->dvp, pp->last, pp->len, &vp);
	if (error == 0) {
		vrele(vp);
		error = -EEXIST;
	} else if (error == -ENOENT) {
		error = vn_rdonly(pp->dvp) ? -EROFS : dir_is_dead(pp->dvp) ?
		    -ENOENT : dir_may_change(pp->dvp);
	}
	if (error != 0)
		mutex_exit(&pp->dvp->v_lock);
	return error;
}

static uint32_t
umask_apply(uint32_t mode, uint32_t keep)
{
	uint32_t mask = curproc != NULL ?
	    __atomic_load_n(&curproc->p_umask, __ATOMIC_RELAXED) : 022;

	return mode & keep & ~mask;
}

/* ---- vn_path: a vnode's absolute path (getcwd, /proc/PID/fd) ---- */

/* Is vp the root of a mount that covers a directory? */
static bool
vn_is_mounted_root(const struct vnode *vp)
{
	return vp->v_mount->mnt_root == vp && vp->v_mount->mnt_covered != NULL;
}

/* Does entry name of dvp lead to want (through a mount on it, if any)? */
static bool
dir_entry_is(struct vnode *dvp, const struct vfs_dirent *d, struct vnode *want)
{
	struct vnode *vp;
	bool same;

	if (d->ino != want->v_ino || name_is_dots(d->name))
		return false;
	mutex_enter(&dvp->v_lock);
	same = dir_lookup(dvp, d->name, d->namelen, &vp) == 0;
	mutex_exit(&dvp->v_lock);
	if (same) {
		same = vp == want;
		vrele(vp);
	}
	return same;
}

/* The name of want in directory dvp into d (d->name).  => 0 or -ENOENT. */
static int
dir_find_name(struct vnode *dvp, struct vnode *want, struct vfs_dirent *d)
{
	uint64_t cookie = 0;
	int error;

	for (;;) {
		mutex_enter(&dvp->v_lock);
		error = dvp->v_ops->vop_readdir(dvp, cookie, d);
		mutex_exit(&dvp->v_lock);
		if (error != 0)
			return error < 0 ? error : -ENOENT;
		d->name[MIN(d->namelen, (uint16_t)VFS_NAME_MAX)] = '\0';
		if (dir_entry_is(dvp, d, want))
			return 0;
		cookie = d->next;
	}
}

/*
 * One step up: the name of *vpp in its parent is put in front of
 * buf[*pos..], and *vpp becomes the parent (the reference moves).
 *  => 0; -ENOENT (no entry leads back: removed), -ERANGE (no room).
 */
static int
vn_path_step(struct vnode **vpp, char *buf, size_t *pos, struct vfs_dirent *d)
{
	struct vnode *vp = *vpp, *want, *dvp;
	int error;

	want = vn_is_mounted_root(vp) ? vp->v_mount->mnt_covered : vp;
	if ((error = namei(vp, "..", 0, &dvp, NULL)) != 0)
		return error;
	if (dvp == vp || dvp->v_type != VDIR || dvp->v_ops->vop_readdir == NULL)
		error = -ENOENT;
	else
		error = dir_find_name(dvp, want, d);
	if (error == 0 && *pos < (size_t)d->namelen + 1)
		error = -ERANGE;
	if (error != 0) {
		vrele(dvp);
		return error;
	}
	*pos -= d->namelen;
	memcpy(buf + *pos, d->name, d->namelen);
	buf[--*pos] = '/';
	vrele(vp);
	*vpp = dvp;
	return 0;
}

int
vn_path(struct vnode *vp, char *buf, size_t size)
{
	struct vnode *root = vfs_rootvp(), *cur = vp;
	struct vfs_dirent *d = kmem_alloc(sizeof(*d), 0);
	size_t pos = size - 1;
	int error = 0;

	if (size < 2 || root == NULL || d == NULL)
		error = size < 2 ? -ERANGE : root == NULL ? -ENOENT : -ENOMEM;
	if (error == 0) {
		vref(cur);
		buf[pos] = '\0';
		for (int depth = 0; cur != root && error == 0; depth++)
			error = depth < VFS_PATH_MAX / 2 ?
			    vn_path_step(&cur, buf, &pos, d) : -ENAMETOOLONG;
		vrele(cur);
	}
	if (error == 0 && pos == size - 1)
		buf[--pos] = '/';
	if (error == 0)
		memmove(buf, buf + pos, size - pos);
	if (d != NULL)
		kmem_free(d, sizeof(*d));
	vrele_opt(root);
	return error != 0 ? error : (int)(size - 1 - pos);
}

/* ---- open ---- */

/*
 * The parent and last name of what symlink lvp (an entry of dvp) points
 * to, into *tp (tp->dvp referenced).  => 0; namei_parent's errors.
 */
static int
link_target_parent(struct vnode *dvp, struct vnode *lvp, struct vfs_parent *tp)
{
	char *target;
	int error, n;

	tp->dvp = NULL;
	if (lvp->v_ops->vop_readlink == NULL)
		return -ENOENT;
	if ((target = kmem_alloc(VFS_PATH_MAX, 0)) == NULL)
		return -ENOMEM;
	n = lvp->v_ops->vop_readlink(lvp, target, VFS_PATH_MAX - 1);
	error = n < 0 ? n : n == 0 ? -ENOENT : 0;
	if (error == 0) {
		target[n] = '\0';
		error = namei_parent(dvp, target, &tp->dvp, tp->last, &tp->slash);
	}
	if (error == 0 && tp->dvp->v_type != VDIR) {
		parent_done(tp);
		error = -ENOTDIR;
	}
	tp->len = error == 0 ? strlen(tp->last) : 0;
	kmem_free(target, VFS_PATH_MAX);
	return error;
}

/*
 * Make pp's last name in pp->dvp (locked, the name absent): the checks,
 * vop_create, and the name cache.  => 0 and *vpp referenced, or -errno.
 */
static int
create_locked(struct vfs_parent *pp, uint32_t mode, struct vnode **vpp)
{
	struct vnode *dvp = pp->dvp;
	int error = vn_rdonly(dvp) ? -EROFS : dir_is_dead(dvp) ? -ENOENT :
	    dir_may_change(dvp);

	if (error == 0)
		error = dvp->v_ops->vop_create == NULL ? -EPERM :
		    dvp->v_ops->vop_create(dvp, pp->last, pp->len,
		    umask_apply(mode, 07777), vpp);
	/* The new name, as a lookup would leave it (/proc/PID/maps
	 * names a mapped file by its cached name). */
	if (error == 0 && !(dvp->v_mount->mnt_flags & MNT_NOCACHE))
		cache_enter(dvp, pp->last, pp->len, *vpp);
	return error;
}

/*
 * open_create - O_CREAT: the file at pp, made if absent.
 *  => 0 and *vpp referenced; -EEXIST (O_EXCL), -EISDIR ("dir/" or a
 *     directory's dots), -EROFS, -EACCES (dir_may_change), the file
 *     system's -ENOSPC.
 *  => -ENOENT with *lvpp set (referenced): pp names a symlink whose
 *     target does not exist (the caller creates the target, as Linux).
 */
static int
open_create(struct vfs_parent *pp, int flags, uint32_t mode,
    struct vnode **vpp, struct vnode **lvpp, bool *created)
{
	struct vnode *dvp = pp->dvp, *vp;
	int error;

	*lvpp = NULL;
	if (pp->slash || name_is_dots(pp->last))
		return -EISDIR;
	mutex_enter(&dvp->v_lock);
	error = dir_lookup(dvp, pp->last, pp->len, &vp);
	if (error == -ENOENT) {
		error = create_locked(pp, mode, vpp);
		mutex_exit(&dvp->v_lock);
		*created = error == 0;
		return error;
	}
	mutex_exit(&dvp->v_lock);
	if (error != 0)
		return error;
	if (flags & O_EXCL)
		error = -EEXIST;
	else    /* It exists: look it up again as a path would (symlinks, mounts). */
		error = namei(dvp, pp->last, (flags & O_NOFOLLOW) ? 0 : NAMEI_FOLLOW,
		    vpp, NULL);
	if (error == -ENOENT && vp->v_type == VLNK)
		*lvpp = vp;
	else
		vrele(vp);
	return error;
}

/*
 * O_CREAT at pp, following dangling symlinks to create their target (a
 * loop, not recursion: up to VFS_SYMLOOP_MAX links, then -ELOOP).
 */
static int
open_create_follow(struct vfs_parent *pp, int flags, uint32_t mode,
    struct vnode **vpp, bool *created)
{
	struct vfs_parent tp[2] = { { .dvp = NULL }, { .dvp = NULL } };
	struct vfs_parent *cur = pp;
	struct vnode *lvp;
	int error;

	for (int depth = 0;; depth++) {
		error = open_create(cur, flags, mode, vpp, &lvp, created);
		if (lvp == NULL)
			break;
		error = depth >= VFS_SYMLOOP_MAX ? -ELOOP :
		    link_target_parent(cur->dvp, lvp, &tp[depth & 1]);
		vrele(lvp);
		if (cur != pp)
			parent_done(cur);
		if (error != 0)
			break;
		cur = &tp[depth & 1];
	}
	if (cur != pp)
		parent_done(cur);
	return error;
}

/* Whether the open asks to change the file (write access or O_TRUNC). */
static bool
open_writes(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

/* What Linux refuses about opening vp with flags: 0 or the error. */
static int
open_check(struct vnode *vp, int flags)
{
	if (flags & O_PATH)
		return (flags & O_DIRECTORY) && vp->v_type != VDIR ? -ENOTDIR : 0;
	/* A symlink is the answer only with O_NOFOLLOW, or for a magic
	 * link (/proc/self/fd/N), which vop_open opens. */
	if (vp->v_type == VLNK &&
	    ((flags & O_NOFOLLOW) || !(vp->v_vflags & VV_MAGICLINK)))
		return -ELOOP;
	if ((flags & O_DIRECTORY) && vp->v_type != VDIR)
		return -ENOTDIR;
	if (vp->v_type == VDIR && (open_writes(flags) || (flags & O_CREAT)))
		return -EISDIR;
	if (open_writes(flags) && (vp->v_type == VREG || vp->v_type == VDIR) &&
	    vn_rdonly(vp))
		return -EROFS;
	return 0;
}

/*
 * The permission an open of an existing file needs (Linux's may_open):
 * read for O_RDONLY and O_RDWR, write for O_WRONLY, O_RDWR and O_TRUNC.
 * A file this open created, and O_PATH, need none.  => 0 or -EACCES.
 */
static int
open_access(struct vnode *vp, int flags, bool created)
{
	int acc = (flags & O_ACCMODE) == O_WRONLY ? VFS_W :
	    (flags & O_ACCMODE) == O_RDWR ? VFS_R | VFS_W : VFS_R;

	if (created || (flags & O_PATH))
		return 0;
	if (flags & O_TRUNC)
		acc |= VFS_W;
	return vfs_access(vp, acc);
}

/*
 * The vnode pp names: its last component looked up in pp->dvp (with the
 * trailing slash, which asks for a directory), referenced.
 */
static int
parent_lookup(struct vfs_parent *pp, int nflags, struct vnode **vpp)
{
	char name[VFS_NAME_MAX + 2];

	if (pp->last[0] == '\0') {             /* "/" */
		vref(pp->dvp);
		*vpp = pp->dvp;
		return 0;
	}
	ksnprintf(name, sizeof(name), "%s%s", pp->last, pp->slash ? "/" : "");
	return namei(pp->dvp, name, nflags, vpp, NULL);
}

/*
 * The vnode an open names (created, or found), referenced, and in *pp
 * the directory it was named in (the file remembers it for its path).
 */
static int
open_lookup(int dirfd, uint64_t upath, int flags, uint32_t mode,
    struct vnode **vpp, struct vfs_parent *pp, bool *created)
{
	int error;

	*created = false;
	if ((error = parent_at(dirfd, upath, pp)) != 0)
		return error;
	if (!(flags & O_CREAT))
		return parent_lookup(pp, (flags & O_NOFOLLOW) ? 0 : NAMEI_FOLLOW, vpp);
	return open_create_follow(pp, flags, mode, vpp, created);
}

static int64_t
do_openat(int dirfd, uint64_t upath, int flags, uint32_t mode)
{
	struct vfs_parent pp;
	struct vnode *vp;
	struct file *f;
	bool created;
	int error, fd;

	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	if ((error = open_lookup(dirfd, upath, flags, mode, &vp, &pp, &created)) == 0) {
		error = open_check(vp, flags);
		if (error == 0)
			error = open_access(vp, flags, created);
		if (error == 0 && (flags & O_TRUNC) && vp->v_type == VREG &&
		    !(flags & O_PATH))
			error = vn_truncate(vp, 0);
		if (error == 0)
			error = vn_file_open(vp, flags, &f);
		if (error == 0 && vn_is_file(f) && vp->v_type != VDIR &&
		    !name_is_dots(pp.last))
			vn_file_set_name(f, pp.dvp, pp.last);
		vrele(vp);
	}
	parent_done(&pp);
	if (error != 0)
		return error;
	fd = fd_install(fds(), f, 0, (flags & O_CLOEXEC) != 0);
	if (fd < 0)
		file_release(f);
	return fd;
}

int64_t
sys_open(const struct sysargs *a)
{
	return do_openat(AT_FDCWD, a->a[0], (int)a->a[1], (uint32_t)a->a[2]);
}

int64_t
sys_openat(const struct sysargs *a)
{
	return do_openat((int)a->a[0], a->a[1], (int)a->a[2], (uint32_t)a->a[3]);
}

int64_t
sys_creat(const struct sysargs *a)
{
	return do_openat(AT_FDCWD, a->a[0], O_CREAT | O_WRONLY | O_TRUNC,
	    (uint32_t)a->a[1]);
}

/* ---- stat ---- */

/* stat following a magic link (/proc/self/fd/N): the file it stands for. */
static int
stat_magic(struct vnode *vp, struct linux_stat *st)
{
	struct file *f;
	int error = vn_file_open(vp, O_RDONLY, &f);

	if (error != 0)
		return error;
	memset(st, 0, sizeof(*st));
	error = f->ops->stat(f, st);
	file_release(f);
	return error;
}

/* The stat of what dirfd/upath names (or dirfd itself: AT_EMPTY_PATH). */
static int
stat_at(int dirfd, uint64_t upath, int atflags, struct linux_stat *st)
{
	struct vnode *vp;
	struct file *f;
	char c;
	int error;

	/* "" with AT_EMPTY_PATH: any descriptor, a pipe's too. */
	if ((atflags & AT_EMPTY_PATH) && copyin(upath, &c, 1) == 0 &&
	    c == '\0' && dirfd != AT_FDCWD) {
		if ((f = fd_get(fds(), dirfd)) == NULL)
			return -EBADF;
		memset(st, 0, sizeof(*st));
		error = f->ops->stat(f, st);
		fd_put(f);
		return error;
	}
	if ((error = lookup_at(dirfd, upath, atflags, &vp)) != 0)
		return error;
	if ((vp->v_vflags & VV_MAGICLINK) && !(atflags & AT_SYMLINK_NOFOLLOW))
		error = stat_magic(vp, st);
	else
		error = vn_stat(vp, st);
	vrele(vp);
	return error;
}

static int64_t
stat_out(int dirfd, uint64_t upath, int atflags, uint64_t ubuf)
{
	struct linux_stat st;
	int error = stat_at(dirfd, upath, atflags, &st);

	if (error != 0)
		return error;
	return copyout(&st, ubuf, sizeof(st));
}

int64_t
sys_stat(const struct sysargs *a)
{
	return stat_out(AT_FDCWD, a->a[0], 0, a->a[1]);
}

int64_t
sys_lstat(const struct sysargs *a)
{
	return stat_out(AT_FDCWD, a->a[0], AT_SYMLINK_NOFOLLOW, a->a[1]);
}

int64_t
sys_newfstatat(const struct sysargs *a)
{
	int flags = (int)a->a[3];

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	return stat_out((int)a->a[0], a->a[1], flags, a->a[2]);
}

/* Linux's struct statx (256 bytes). */
struct statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct linux_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};

#define STATX_BASIC_STATS 0x7ffU
#define STATX_RESERVED 0x80000000U

static void
statx_from_stat(const struct linux_stat *st, struct linux_statx *sx)
{
	memset(sx, 0, sizeof(*sx));
	sx->stx_mask = STATX_BASIC_STATS;
	sx->stx_blksize = (uint32_t)st->st_blksize;
	sx->stx_nlink = (uint32_t)st->st_nlink;
	sx->stx_uid = st->st_uid;
	sx->stx_gid = st->st_gid;
	sx->stx_mode = (uint16_t)st->st_mode;
	sx->stx_ino = st->st_ino;
	sx->stx_size = (uint64_t)st->st_size;
	sx->stx_blocks = (uint64_t)st->st_blocks;
	sx->stx_atime = (struct statx_ts){ (int64_t)st->st_atime, (uint32_t)st->st_atime_ns, 0 };
	sx->stx_mtime = (struct statx_ts){ (int64_t)st->st_mtime, (uint32_t)st->st_mtime_ns, 0 };
	sx->stx_ctime = (struct statx_ts){ (int64_t)st->st_ctime, (uint32_t)st->st_ctime_ns, 0 };
	sx->stx_rdev_major = (uint32_t)((st->st_rdev >> 8) & 0xfff);
	sx->stx_rdev_minor = (uint32_t)((st->st_rdev & 0xff) | ((st->st_rdev >> 12) & 0xfff00));
	sx->stx_dev_major = (uint32_t)((st->st_dev >> 8) & 0xfff);
	sx->stx_dev_minor = (uint32_t)((st->st_dev & 0xff) | ((st->st_dev >> 12) & 0xfff00));
}

int64_t
sys_statx(const struct sysargs *a)
{
	int flags = (int)a->a[2];
	struct linux_statx sx;
	struct linux_stat st;
	int error;

	if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
	    AT_STATX_SYNC_TYPE)) || (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (a->a[3] & STATX_RESERVED)
		return -EINVAL;
	if ((error = stat_at((int)a->a[0], a->a[1], flags, &st)) != 0)
		return error;
	statx_from_stat(&st, &sx);
	return copyout(&sx, a->a[4], sizeof(sx));
}

/* ---- directories: getdents64, mkdir, rmdir, unlink ---- */

int64_t
sys_getdents64(const struct sysargs *a)
{
	struct file *f = fd_get(fds(), (int)a->a[0]);
	int64_t r;

	if (f == NULL)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (!vn_is_file(f))
		r = file_getdents(f, a->a[1], a->a[2]);
	else
		r = vn_getdents(f, a->a[1], a->a[2]);
	fd_put(f);
	return r;
}

static int64_t
do_mkdirat(int dirfd, uint64_t upath, uint32_t mode)
{
	struct vfs_parent pp;
	struct vnode *vp;
	int error = parent_at(dirfd, upath, &pp);

	if (error == 0 && (error = dir_lock_for_new(&pp)) == 0) {
		error = pp.dvp->v_ops->vop_mkdir == NULL ? -EPERM :
		    pp.dvp->v_ops->vop_mkdir(pp.dvp, pp.last, pp.len,
		    umask_apply(mode, 01777), &vp);
		mutex_exit(&pp.dvp->v_lock);
		if (error == 0)
			vrele(vp);
	}
	parent_done(&pp);
	return error;
}

int64_t
sys_mkdir(const struct sysargs *a)
{
	return do_mkdirat(AT_FDCWD, a->a[0], (uint32_t)a->a[1]);
}

int64_t
sys_mkdirat(const struct sysargs *a)
{
	return do_mkdirat((int)a->a[0], a->a[1], (uint32_t)a->a[2]);
}

/* Linux's answer for rmdir (dir) or unlink of "", "." or "..". */
static int
remove_dots_error(const char *name, bool dir)
{
	if (!dir)
		return -EISDIR;
	return name[0] == '\0' ? -EBUSY : name[1] == '\0' ? -EINVAL : -ENOTEMPTY;
}

/* What refuses removing vp (entry of pp) by rmdir (dir) or unlink. */
static int
remove_check(const struct vfs_parent *pp, struct vnode *vp, bool dir)
{
	if (dir && vp->v_type != VDIR)
		return -ENOTDIR;
	if (!dir && vp->v_type == VDIR)
		return -EISDIR;
	if (!dir && pp->slash)
		return -ENOTDIR;
	if (vp->v_mountedhere != NULL || vp == vp->v_mount->mnt_root)
		return -EBUSY;
	if ((dir ? pp->dvp->v_ops->vop_rmdir : pp->dvp->v_ops->vop_remove) == NULL)
		return -EPERM;
	return 0;
}

/* Remove entry pp->last (vp).  => dvp locked; takes vp's lock. */
static int
remove_locked(struct vfs_parent *pp, struct vnode *vp, bool dir)
{
	int error = remove_check(pp, vp, dir);

	if (error != 0)
		return error;
	mutex_enter(&vp->v_lock);
	error = dir ? pp->dvp->v_ops->vop_rmdir(pp->dvp, pp->last, pp->len, vp) :
	    pp->dvp->v_ops->vop_remove(pp->dvp, pp->last, pp->len, vp);
	mutex_exit(&vp->v_lock);
	if (error == 0)
		cache_purge_name(pp->dvp, pp->last, pp->len);
	if (error == 0 && dir)
		cache_purge(vp);
	return error;
}

static int64_t
do_remove(int dirfd, uint64_t upath, bool dir)
{
	struct vfs_parent pp;
	struct vnode *vp;
	int error = parent_at(dirfd, upath, &pp);

	if (error != 0)
		return error;
	if (name_is_dots(pp.last))
		error = remove_dots_error(pp.last, dir);
	else if (vn_rdonly(pp.dvp))
		error = -EROFS;
	if (error == 0) {
		mutex_enter(&pp.dvp->v_lock);
		error = dir_lookup(pp.dvp, pp.last, pp.len, &vp);
		if (error == 0) {
			error = dir_may_change(pp.dvp);
			if (error == 0)
				error = remove_locked(&pp, vp, dir);
			mutex_exit(&pp.dvp->v_lock);
			vrele(vp);
		} else {
			mutex_exit(&pp.dvp->v_lock);
		}
	}
	parent_done(&pp);
	return error;
}

int64_t
sys_rmdir(const struct sysargs *a)
{
	return do_remove(AT_FDCWD, a->a[0], true);
}

int64_t
sys_unlink(const struct sysargs *a)
{
	return do_remove(AT_FDCWD, a->a[0], false);
}

int64_t
sys_unlinkat(const struct sysargs *a)
{
	if (a->a[2] & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	return do_remove((int)a->a[0], a->a[1], (a->a[2] & AT_REMOVEDIR) != 0);
}

/* ---- link, symlink, readlink ---- */

static int64_t
do_linkat(int olddirfd, uint64_t uold, int newdirfd, uint64_t unew, int flags)
{
	struct vfs_parent pp = { .dvp = NULL };
	struct vnode *vp;
	int error;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	error = lookup_at(olddirfd, uold, (flags & AT_EMPTY_PATH) |
	    ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW), &vp);
	if (error != 0)
		return error;
	if ((error = parent_at(newdirfd, unew, &pp)) == 0 &&
	    (error = dir_lock_for_new(&pp)) == 0) {
		if (pp.slash)
			error = -ENOENT;
		else if (pp.dvp->v_mount != vp->v_mount)
			error = -EXDEV;
		else if (vp->v_type == VDIR || pp.dvp->v_ops->vop_link == NULL)
			error = -EPERM;
		else
			error = pp.dvp->v_ops->vop_link(pp.dvp, pp.last, pp.len, vp);
		mutex_exit(&pp.dvp->v_lock);
	}
	parent_done(&pp);
	vrele(vp);
	return error;
}

int64_t
sys_link(const struct sysargs *a)
{
	return do_linkat(AT_FDCWD, a->a[0], AT_FDCWD, a->a[1], 0);
}

int64_t
sys_linkat(const struct sysargs *a)
{
	return do_linkat((int)a->a[0], a->a[1], (int)a->a[2], a->a[3], (int)a->a[4]);
}

static int64_t
do_symlinkat(uint64_t utarget, int dirfd, uint64_t upath)
{
	struct vfs_parent pp = { .dvp = NULL };
	struct vnode *vp;
	char *target;
	int error = path_get(utarget, &target, false);

	if (error == 0 && (error = parent_at(dirfd, upath, &pp)) == 0 &&
	    (error = dir_lock_for_new(&pp)) == 0) {
		error = pp.slash ? -ENOENT : pp.dvp->v_ops->vop_symlink == NULL ?
		    -EPERM : pp.dvp->v_ops->vop_symlink(pp.dvp, pp.last, pp.len,
		    target, &vp);
		mutex_exit(&pp.dvp->v_lock);
		if (error == 0)
			vrele(vp);
	}
	parent_done(&pp);
	path_put(target);
	return error;
}

int64_t
sys_symlink(const struct sysargs *a)
{
	return do_symlinkat(a->a[0], AT_FDCWD, a->a[1]);
}

int64_t
sys_symlinkat(const struct sysargs *a)
{
	return do_symlinkat(a->a[0], (int)a->a[1], a->a[2]);
}

/* The target of symlink vp into the user buffer; its length or -errno. */
static int64_t
readlink_out(struct vnode *vp, uint64_t ubuf, size_t size)
{
	char *buf;
	int n;

	if (vp->v_type != VLNK || vp->v_ops->vop_readlink == NULL)
		return -EINVAL;
	if ((buf = kmem_alloc(VFS_PATH_MAX, 0)) == NULL)
		return -ENOMEM;
	n = vp->v_ops->vop_readlink(vp, buf, VFS_PATH_MAX);
	if (n >= 0 && copyout(buf, ubuf, MIN((size_t)n, size)) != 0)
		n = -EFAULT;
	kmem_free(buf, VFS_PATH_MAX);
	return n < 0 ? n : (int64_t)MIN((size_t)n, size);
}

static int64_t
do_readlinkat(int dirfd, uint64_t upath, uint64_t ubuf, int64_t size)
{
	struct vnode *vp;
	int64_t n;

	if (size <= 0)
		return -EINVAL;
	if ((n = lookup_at(dirfd, upath, AT_SYMLINK_NOFOLLOW, &vp)) != 0)
		return n;
	n = readlink_out(vp, ubuf, (size_t)size);
	vrele(vp);
	return n;
}

int64_t
sys_readlink(const struct sysargs *a)
{
	return do_readlinkat(AT_FDCWD, a->a[0], a->a[1], (int64_t)a->a[2]);
}

int64_t
sys_readlinkat(const struct sysargs *a)
{
	return do_readlinkat((int)a->a[0], a->a[1], a->a[2], (int64_t)a->a[3]);
}

/* ---- rename ---- */

/*
 * Is anc an ancestor of vp (or vp itself) within vp's mount?  Walks
 * ".." up to the mount's root.  => no vnode locked; may sleep.
 */
static bool
vn_is_ancestor(struct vnode *anc, struct vnode *vp)
{
	struct vnode *cur = vp, *up;
	bool found = false;

	vref(cur);
	for (int depth = 0; depth < VFS_PATH_MAX / 2; depth++) {
		if (cur == anc) {
			found = true;
			break;
		}
		if (cur == cur->v_mount->mnt_root ||
		    namei(cur, "..", 0, &up, NULL) != 0)
			break;
		vrele(cur);
		cur = up;
	}
	vrele(cur);
	return found;
}

/* Has directory vp entries besides "." and ".."?  => vp locked. */
static int
dir_not_empty(struct vnode *vp)
{
	struct vfs_dirent d;
	uint64_t cookie = 0;
	int error;

	while ((error = vp->v_ops->vop_readdir(vp, cookie, &d)) == 0) {
		d.name[MIN(d.namelen, (uint16_t)VFS_NAME_MAX)] = '\0';
		if (!name_is_dots(d.name))
			return -ENOTEMPTY;
		cookie = d.next;
	}
	return error < 0 ? error : 0;
}

/* Both sides of a rename. */
struct vfs_rename {
	struct vfs_parent from, to;
	struct vnode *fvp, *tvp;    /* tvp NULL: the new name is free */
	struct vnode *outer, *inner;    /* the directories in lock order */
	int flags;
};

/* The entry name of dvp (NULL if absent), referenced, dvp locked briefly. */
static int
rename_lookup(struct vfs_parent *pp, struct vnode **vpp)
{
	int error;

	mutex_enter(&pp->dvp->v_lock);
	error = dir_lookup(pp->dvp, pp->last, pp->len, vpp);
	mutex_exit(&pp->dvp->v_lock);
	if (error == -ENOENT)
		*vpp = NULL;
	return error == -ENOENT ? 0 : error;
}

/*
 * The lookups and the checks that walk ".." (so no directory is locked):
 * what Linux refuses about this rename.  => rename lock held.
 */
static int
rename_check(struct vfs_rename *r)
{
	struct vnode *fvp, *tvp;
	int error;

	if ((error = rename_lookup(&r->from, &r->fvp)) != 0)
		return error;
	if (r->fvp == NULL)
		return -ENOENT;
	if ((error = rename_lookup(&r->to, &r->tvp)) != 0)
		return error;
	fvp = r->fvp;
	tvp = r->tvp;
	if (tvp != NULL && (r->flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (fvp->v_type != VDIR && (r->from.slash || r->to.slash))
		return -ENOTDIR;
	if (fvp->v_type == VDIR && vn_is_ancestor(fvp, r->to.dvp))
		return -EINVAL;
	if (tvp != NULL && vn_is_ancestor(tvp, r->from.dvp))
		return -ENOTEMPTY;
	if (tvp == fvp)
		return 0;
	if (tvp != NULL && fvp->v_type == VDIR && tvp->v_type != VDIR)
		return -ENOTDIR;
	if (tvp != NULL && fvp->v_type != VDIR && tvp->v_type == VDIR)
		return -EISDIR;
	if (fvp->v_mountedhere != NULL || (tvp != NULL && tvp->v_mountedhere != NULL))
		return -EBUSY;
	r->outer = r->from.dvp;
	r->inner = r->to.dvp;
	if (r->outer != r->inner && vn_is_ancestor(r->inner, r->outer)) {
		r->outer = r->to.dvp;
		r->inner = r->from.dvp;
	}
	return 0;
}

/* Lock (or unlock) the two directories, the outer one first. */
static void
rename_lock_dirs(struct vfs_rename *r, bool lock)
{
	if (lock) {
		mutex_enter(&r->outer->v_lock);
		if (r->inner != r->outer)
			mutex_enter(&r->inner->v_lock);
	} else {
		if (r->inner != r->outer)
			mutex_exit(&r->inner->v_lock);
		mutex_exit(&r->outer->v_lock);
	}
}

/*
 * With both directories locked: the names still lead to fvp and tvp
 * (an unlink or create may have come between), tvp empty if a
 * directory, then vop_rename.  => rename lock held.
 */
static int
rename_locked(struct vfs_rename *r)
{
	struct vnode *fdvp = r->from.dvp, *tdvp = r->to.dvp, *vp = NULL;
	int error = dir_lookup(fdvp, r->from.last, r->from.len, &vp);

	if (error == 0 && vp != r->fvp)
		error = -ENOENT;
	vrele_opt(vp);
	vp = NULL;
	if (error == 0 && dir_lookup(tdvp, r->to.last, r->to.len, &vp) == 0 &&
	    vp != r->tvp)
		error = -EEXIST;
	if (error == 0 && vp == NULL && r->tvp != NULL)
		error = -ENOENT;
	vrele_opt(vp);
	if (error == 0 && r->tvp != NULL && r->tvp->v_type == VDIR) {
		mutex_enter(&r->tvp->v_lock);
		error = dir_not_empty(r->tvp);
		mutex_exit(&r->tvp->v_lock);
	}
	if (error == 0)
		error = fdvp->v_ops->vop_rename == NULL ? -EPERM :
		    fdvp->v_ops->vop_rename(fdvp, r->from.last, r->from.len, r->fvp,
		    tdvp, r->to.last, r->to.len, r->tvp);
	if (error == 0) {
		cache_purge_name(fdvp, r->from.last, r->from.len);
		cache_purge_name(tdvp, r->to.last, r->to.len);
	}
	return error;
}

/* The rename itself, under the mount's rename lock. */
static int
rename_do(struct vfs_rename *r)
{
	struct kmutex *lock = &r->from.dvp->v_mount->mnt_renamelock;
	int error;

	mutex_enter(lock);
	error = rename_check(r);
	if (error == 0 && r->fvp != r->tvp) {
		rename_lock_dirs(r, true);
		error = rename_locked(r);
		rename_lock_dirs(r, false);
	}
	mutex_exit(lock);
	return error;
}

/* The checks Linux makes before any lookup of the two names. */
static int
rename_precheck(struct vfs_rename *r)
{
	if (r->from.dvp->v_mount != r->to.dvp->v_mount)
		return -EXDEV;
	if (name_is_dots(r->from.last) || name_is_dots(r->to.last))
		return -EBUSY;
	if (vn_rdonly(r->from.dvp))
		return -EROFS;
	if (dir_may_change(r->from.dvp) != 0 || dir_may_change(r->to.dvp) != 0)
		return -EACCES;     /* Linux looks the names up first */
	return 0;
}

static int64_t
do_renameat2(int olddirfd, uint64_t uold, int newdirfd, uint64_t unew,
    int flags)
{
	struct vfs_rename r = { .flags = flags };
	int error;

	/* RENAME_EXCHANGE is not supported (-EINVAL), nor are whiteouts. */
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	if ((error = parent_at(olddirfd, uold, &r.from)) != 0)
		return error;
	if ((error = parent_at(newdirfd, unew, &r.to)) == 0 &&
	    (error = rename_precheck(&r)) == 0)
		error = rename_do(&r);
	vrele_opt(r.fvp);
	vrele_opt(r.tvp);
	parent_done(&r.to);
	parent_done(&r.from);
	return error;
}

int64_t
sys_rename(const struct sysargs *a)
{
	return do_renameat2(AT_FDCWD, a->a[0], AT_FDCWD, a->a[1], 0);
}

int64_t
sys_renameat(const struct sysargs *a)
{
	return do_renameat2((int)a->a[0], a->a[1], (int)a->a[2], a->a[3], 0);
}

int64_t
sys_renameat2(const struct sysargs *a)
{
	return do_renameat2((int)a->a[0], a->a[1], (int)a->a[2], a->a[3],
	    (int)a->a[4]);
}

/* ---- attributes: chmod, chown, utimensat, truncate ---- */

/* setattr on what dirfd/upath names (atflags as lookup_at). */
static int64_t
setattr_at(int dirfd, uint64_t upath, int atflags, struct vattr *va)
{
	struct vnode *vp;
	int error = lookup_at(dirfd, upath, atflags, &vp);

	if (error != 0)
		return error;
	error = vn_setattr(vp, va);
	vrele(vp);
	return error;
}

/* setattr on fd's file: -EBADF unless a vnode file. */
static int64_t
setattr_fd(int fd, struct vattr *va)
{
	struct file *f = fd_get(fds(), fd);
	int64_t r;

	if (f == NULL)
		return -EBADF;
	r = f->vp == NULL || (f->flags & O_PATH) ? -EBADF : vn_setattr(f->vp, va);
	fd_put(f);
	return r;
}

static struct vattr *
va_mode(struct vattr *va, uint64_t mode)
{
	memset(va, 0, sizeof(*va));
	va->va_mask = VA_MODE;
	va->va_mode = (uint32_t)mode & 07777;
	return va;
}

int64_t
sys_chmod(const struct sysargs *a)
{
	struct vattr va;

	return setattr_at(AT_FDCWD, a->a[0], 0, va_mode(&va, a->a[1]));
}

int64_t
sys_fchmod(const struct sysargs *a)
{
	struct vattr va;

	return setattr_fd((int)a->a[0], va_mode(&va, a->a[1]));
}

int64_t
sys_fchmodat(const struct sysargs *a)
{
	struct vattr va;

	return setattr_at((int)a->a[0], a->a[1], 0, va_mode(&va, a->a[2]));
}

/*
 * Linux's chown rules for a caller with uid 0 and gid 0 (every process):
 * without CAP_CHOWN, only the owner (a file of uid 0) may "change" the
 * owner to itself and the group to the file's group or its own (0).
 */
static bool
chown_allowed(const struct vattr *va, uint32_t uid, uint32_t gid)
{
	bool owner = va->va_uid == 0;

	if (capable(CAP_CHOWN))
		return true;
	if (uid != (uint32_t)-1 && !(owner && uid == va->va_uid))
		return false;
	return gid == (uint32_t)-1 || (owner && (gid == va->va_gid || gid == 0));
}

/* chown on vp: -1 keeps an id. */
static int
chown_vnode(struct vnode *vp, uint32_t uid, uint32_t gid)
{
	struct vattr va;
	int error = vn_getattr(vp, &va);

	if (error != 0)
		return error;
	if (!chown_allowed(&va, uid, gid))
		return -EPERM;
	va.va_mask = VA_OWNER;
	if (uid != (uint32_t)-1)
		va.va_uid = uid;
	if (gid != (uint32_t)-1)
		va.va_gid = gid;
	return vn_setattr(vp, &va);
}

static int64_t
do_fchownat(int dirfd, uint64_t upath, uint32_t uid, uint32_t gid, int flags)
{
	struct vnode *vp;
	int error;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((error = lookup_at(dirfd, upath, flags, &vp)) != 0)
		return error;
	error = chown_vnode(vp, uid, gid);
	vrele(vp);
	return error;
}

int64_t
sys_chown(const struct sysargs *a)
{
	return do_fchownat(AT_FDCWD, a->a[0], (uint32_t)a->a[1], (uint32_t)a->a[2], 0);
}

int64_t
sys_lchown(const struct sysargs *a)
{
	return do_fchownat(AT_FDCWD, a->a[0], (uint32_t)a->a[1], (uint32_t)a->a[2],
	    AT_SYMLINK_NOFOLLOW);
}

int64_t
sys_fchownat(const struct sysargs *a)
{
	return do_fchownat((int)a->a[0], a->a[1], (uint32_t)a->a[2],
	    (uint32_t)a->a[3], (int)a->a[4]);
}

int64_t
sys_fchown(const struct sysargs *a)
{
	struct file *f = fd_get(fds(), (int)a->a[0]);
	int64_t r;

	if (f == NULL)
		return -EBADF;
	r = f->vp == NULL || (f->flags & O_PATH) ? -EBADF :
	    chown_vnode(f->vp, (uint32_t)a->a[1], (uint32_t)a->a[2]);
	fd_put(f);
	return r;
}

struct k_timespec {
	int64_t sec, nsec;
};

/* One of utimensat's times into va: *mask bit unless UTIME_OMIT. */
static int
utime_one(const struct k_timespec *ts, int64_t *ns, uint32_t bit, uint32_t *mask)
{
	if (ts->nsec == UTIME_OMIT)
		return 0;
	if (ts->nsec == UTIME_NOW)
		*ns = vn_time_now();
	else if (ts->nsec < 0 || ts->nsec >= 1000000000)
		return -EINVAL;
	else
		*ns = ts->sec * 1000000000 + ts->nsec;
	*mask |= bit;
	return 0;
}

/* utimensat's times (NULL: both now) as a vattr. */
static int
utime_vattr(uint64_t utimes, struct vattr *va)
{
	struct k_timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	int error;

	memset(va, 0, sizeof(*va));
	if (utimes != 0 && copyin(utimes, ts, sizeof(ts)) != 0)
		return -EFAULT;
	error = utime_one(&ts[0], &va->va_atime_ns, VA_ATIME, &va->va_mask);
	if (error == 0)
		error = utime_one(&ts[1], &va->va_mtime_ns, VA_MTIME, &va->va_mask);
	return error;
}

int64_t
sys_utimensat(const struct sysargs *a)
{
	int dirfd = (int)a->a[0], flags = (int)a->a[3];
	struct vattr va;
	struct vnode *vp;
	int error;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((error = utime_vattr(a->a[2], &va)) != 0)
		return error;
	if (a->a[1] == 0) {         /* no path: dirfd's own file (futimens) */
		if (flags & AT_SYMLINK_NOFOLLOW)
			return -EINVAL;
		if (dirfd == AT_FDCWD)
			return -EFAULT;
		error = fd_vnode(dirfd, &vp);
	} else {
		error = lookup_at(dirfd, a->a[1], flags, &vp);
	}
	if (error != 0)
		return error;
	if (va.va_mask != 0)
		error = vn_setattr(vp, &va);
	vrele(vp);
	return error;
}

int64_t
sys_truncate(const struct sysargs *a)
{
	struct vnode *vp;
	int error;

	if ((int64_t)a->a[1] < 0)
		return -EINVAL;
	if ((error = lookup_at(AT_FDCWD, a->a[0], 0, &vp)) != 0)
		return error;
	error = vn_truncate(vp, a->a[1]);
	vrele(vp);
	return error;
}

int64_t
sys_ftruncate(const struct sysargs *a)
{
	struct file *f = fd_get(fds(), (int)a->a[0]);
	int64_t r;

	if (f == NULL)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if ((int64_t)a->a[1] < 0 || !vn_is_file(f) || f->vp->v_type != VREG ||
	    (f->flags & O_ACCMODE) == O_RDONLY)
		r = -EINVAL;
	else
		r = vn_truncate(f->vp, a->a[1]);
	fd_put(f);
	return r;
}

/* ---- access, cwd, umask ---- */

static int64_t
do_faccessat(int dirfd, uint64_t upath, uint64_t mode, int flags)
{
	struct vnode *vp;
	int error;

	if (mode & ~7UL)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((error = lookup_at(dirfd, upath, flags & ~AT_EACCESS, &vp)) != 0)
		return error;
	error = vfs_access(vp, (int)mode);
	vrele(vp);
	return error;
}

int64_t
sys_access(const struct sysargs *a)
{
	return do_faccessat(AT_FDCWD, a->a[0], a->a[1], 0);
}

int64_t
sys_faccessat(const struct sysargs *a)
{
	return do_faccessat((int)a->a[0], a->a[1], a->a[2], 0);
}

int64_t
sys_faccessat2(const struct sysargs *a)
{
	return do_faccessat((int)a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}

/* The cwd becomes vp (the reference moves in; proc_set_cwd). */
static int
set_cwd(struct vnode *vp)
{
	if (vp->v_type != VDIR) {
		vrele(vp);
		return -ENOTDIR;
	}
	vrele_opt(proc_set_cwd(curproc, vp));
	return 0;
}

int64_t
sys_chdir(const struct sysargs *a)
{
	struct vnode *vp;
	int error = lookup_at(AT_FDCWD, a->a[0], 0, &vp);

	return error != 0 ? error : set_cwd(vp);
}

int64_t
sys_fchdir(const struct sysargs *a)
{
	struct file *f = fd_get(fds(), (int)a->a[0]);
	struct vnode *vp;

	if (f == NULL)
		return -EBADF;
	if ((vp = f->vp) != NULL)
		vref(vp);
	fd_put(f);
	return vp == NULL ? -ENOTDIR : set_cwd(vp);
}

int64_t
sys_getcwd(const struct sysargs *a)
{
	struct vnode *cwd = vfs_cwd();
	char *buf = kmem_alloc(VFS_PATH_MAX, 0);
	int n = buf == NULL ? -ENOMEM : cwd == NULL ? -ENOENT :
	    vn_path(cwd, buf, VFS_PATH_MAX);

	if (n >= 0 && (uint64_t)n + 1 > a->a[1])
		n = -ERANGE;
	if (n >= 0 && copyout(buf, a->a[0], (size_t)n + 1) != 0)
		n = -EFAULT;
	if (buf != NULL)
		kmem_free(buf, VFS_PATH_MAX);
	vrele_opt(cwd);
	return n < 0 ? n : n + 1;
}

int64_t
sys_umask(const struct sysargs *a)
{
	/* One exchange: two threads setting it at once each get the other's. */
	return __atomic_exchange_n(&curproc->p_umask, (uint32_t)a->a[0] & 0777,
	    __ATOMIC_RELAXED);
}

/* ---- write-back: fsync, sync ---- */

static int64_t
do_fsync(int fd, bool dataonly)
{
	struct file *f = fd_get(fds(), fd);
	int64_t r;

	if (f == NULL)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else
		r = !vn_is_file(f) ? -EINVAL : vn_fsync(f->vp, dataonly);
	fd_put(f);
	return r;
}

int64_t
sys_fsync(const struct sysargs *a)
{
	return do_fsync((int)a->a[0], false);
}

int64_t
sys_fdatasync(const struct sysargs *a)
{
	return do_fsync((int)a->a[0], true);
}

int64_t
sys_sync(const struct sysargs *a)
{
	(void)a;
	(void)vfs_sync_all();
	return 0;
}

/* syncfs(fd): every mount is written back (more than fd's: allowed). */
int64_t
sys_syncfs(const struct sysargs *a)
{
	struct file *f = fd_get(fds(), (int)a->a[0]);

	if (f == NULL)
		return -EBADF;
	fd_put(f);
	return vfs_sync_all();
}

/* ---- statfs, mount ---- */

/* Linux's struct statfs on x86-64 (120 bytes). */
struct linux_statfs {
	int64_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};

#define ST_RDONLY 0x1
#define ST_VALID 0x20

static int64_t
statfs_out(struct mount *mp, uint64_t ubuf)
{
	struct vfs_statfs st;
	struct linux_statfs ls;
	int error = 0;

	memset(&st, 0, sizeof(st));
	if (mp->mnt_op->vfs_statfs != NULL)
		error = mp->mnt_op->vfs_statfs(mp, &st);
	if (error != 0)
		return error;
	memset(&ls, 0, sizeof(ls));
	ls.f_type = (int64_t)st.f_type;
	ls.f_bsize = ls.f_frsize = st.f_bsize != 0 ? (int64_t)st.f_bsize : (int64_t)PAGE_SIZE;
	ls.f_blocks = st.f_blocks;
	ls.f_bfree = st.f_bfree;
	ls.f_bavail = st.f_bavail;
	ls.f_files = st.f_files;
	ls.f_ffree = st.f_ffree;
	ls.f_fsid[0] = (int32_t)mp->mnt_dev;
	ls.f_namelen = st.f_namelen != 0 ? (int64_t)st.f_namelen : VFS_NAME_MAX;
	ls.f_flags = ST_VALID | ((mp->mnt_flags & MNT_RDONLY) ? ST_RDONLY : 0);
	return copyout(&ls, ubuf, sizeof(ls));
}

/*
 * fstatfs of a file that is on no mount here: what Linux says of its
 * pseudo file systems (pipefs for a pipe, devpts for the terminal,
 * proc for a /proc text), empty.
 */
static int64_t
statfs_pseudo(struct file *f, uint64_t ubuf)
{
	struct linux_statfs ls;

	memset(&ls, 0, sizeof(ls));
	ls.f_type = f->pipe != NULL ? 0x50495045 : f->ops == &console_fileops ?
	    0x1cd1 : 0x9fa0;
	ls.f_bsize = ls.f_frsize = PAGE_SIZE;
	ls.f_namelen = VFS_NAME_MAX;
	ls.f_flags = ST_VALID;
	return copyout(&ls, ubuf, sizeof(ls));
}

int64_t
sys_statfs(const struct sysargs *a)
{
	struct vnode *vp;
	int64_t error = lookup_at(AT_FDCWD, a->a[0], 0, &vp);

	if (error != 0)
		return error;
	error = statfs_out(vp->v_mount, a->a[1]);
	vrele(vp);
	return error;
}

int64_t
sys_fstatfs(const struct sysargs *a)
{
	struct file *f = fd_get(fds(), (int)a->a[0]);
	int64_t r;

	if (f == NULL)
		return -EBADF;
	r = f->vp == NULL ? statfs_pseudo(f, a->a[1]) :
	    statfs_out(f->vp->v_mount, a->a[1]);
	fd_put(f);
	return r;
}

#define MS_RDONLY 0x1
#define MS_REMOUNT 0x20
#define MS_BIND 0x1000
#define MS_MOVE 0x2000
#define MS_MGC_MSK 0xffff0000UL
#define MS_MGC_VAL 0xc0ed0000UL
/* Flags accepted and ignored: nosuid, nodev, noexec, synchronous,
 * mandlock, dirsync, noatime, nodiratime, silent, relatime. */
#define MS_IGNORED (0x2 | 0x4 | 0x8 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800 | \
    0x8000 | 0x200000)

/* mount's strings in one kmem block: source, target, type, options. */
struct mount_args {
	char source[32], type[16], opts[256];
	char target[VFS_PATH_MAX];
};

static int
mount_args_in(const struct sysargs *a, struct mount_args *m)
{
	int error = 0;

	if (a->a[0] != 0 && (error = copyinstr(a->a[0], m->source, sizeof(m->source))) < 0)
		return error;
	if ((error = copyinstr(a->a[1], m->target, sizeof(m->target))) < 0)
		return error;
	if (a->a[2] == 0)
		return -EINVAL;
	if ((error = copyinstr(a->a[2], m->type, sizeof(m->type))) < 0)
		return error == -ENAMETOOLONG ? -ENODEV : error;
	if (a->a[4] != 0 && (error = copyinstr(a->a[4], m->opts, sizeof(m->opts))) < 0)
		return error;
	return 0;
}

/*
 * The target must exist (-ENOENT before the type is even looked at, as
 * Linux orders it); it is handed on as an absolute path, so /proc/mounts
 * shows where the mount is whatever the cwd.
 */
static int
mount_target(struct mount_args *m)
{
	char *abs = NULL;
	struct vnode *vp;
	int error = namei(NULL, m->target, NAMEI_FOLLOW, &vp, NULL);

	if (error != 0)
		return error;
	if (vp->v_type == VDIR && (abs = kmem_alloc(VFS_PATH_MAX, 0)) != NULL &&
	    vn_path(vp, abs, VFS_PATH_MAX) >= 0)
		strlcpy(m->target, abs, sizeof(m->target));
	if (abs != NULL)
		kmem_free(abs, VFS_PATH_MAX);
	vrele(vp);
	return 0;
}

/* mount(source, target, fstype, flags, data): a new mount (CAP_SYS_ADMIN). */
int64_t
sys_mount(const struct sysargs *a)
{
	uint64_t flags = a->a[3];
	struct mount_args *m;
	int error;

	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	if (flags & ~(uint64_t)(MS_RDONLY | MS_IGNORED))
		return -EINVAL;     /* remount, bind, move: not supported */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;      /* Linux looks the target up first */
	if ((m = kmem_zalloc(sizeof(*m))) == NULL)
		return -ENOMEM;
	error = mount_args_in(a, m);
	if (error == 0)
		error = mount_target(m);
	if (error == 0)
		error = vfs_mount(m->type, m->source, m->target,
		    (flags & MS_RDONLY) ? MNT_RDONLY : 0, m->opts[0] ? m->opts : NULL);
	kmem_free(m, sizeof(*m));
	return error;
}

#define MNT_FORCE 1
#define MNT_DETACH 2
#define MNT_EXPIRE 4
#define UMOUNT_NOFOLLOW 8

int64_t
sys_umount2(const struct sysargs *a)
{
	char *path;
	int error;

	if (a->a[1] & ~(uint64_t)(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if ((error = path_get(a->a[0], &path, false)) != 0)
		return error;
	error = vfs_unmount(path, (int)a->a[1]);
	path_put(path);
	return error;
}
