/*
 * kern/fs/ext2_vfs.c - ext2 as a VFS file system: the vfsops ("ext2",
 * mounted from a disk such as /dev/vdc) and the vnodeops over the core
 * in ext2_super.c, ext2_alloc.c, ext2_inode.c and ext2_dir.c.
 *
 *   mount "/mnt" --mnt_data--> ext2_fs {vdc, bcache, sb, gd[]}
 *   vnode {ino 12, VREG} --v_data--> ext2_node {n_di, n_uvn}
 *                        --v_obj---> &n_uvn.u_obj   (the file's pages)
 *
 * A regular file's data lives only in its vnode-pager object: the pager
 * asks ext2_uvn_bmap where each page is on the disk (allocating blocks
 * for pages being written), so read(2), write(2) and mmap share one
 * copy.  Directories and symlinks have no object: their blocks are
 * metadata, in the block cache.
 *
 * The life of a file: vop_create makes the inode and its entry and
 * loads a vnode for it (vcache_new -> ext2_load, which reads the inode
 * back); vop_remove drops the entry and a link; when the last reference
 * goes, vop_inactive frees blocks and inode of a file with no links
 * left (an unlinked file stays whole while it is open); vop_reclaim,
 * when the vnode leaves the cache, frees the node.
 *
 * Locking: the VFS holds the vnodes' v_lock as vfs.h says; each vop
 * takes e2_lock around its use of the core.  uvn_setsize and uvn_flush
 * are called without e2_lock (the pager comes back through bmap).
 */
#include "kern/fs/ext2.h"
#include "kern/fs/ext2_fs.h"
#include "dev/blk.h"
#include "kern/core/cmdline.h"
#include "kern/lib/assert.h"
#include "kern/lib/errno.h"
#include "kern/lib/errname.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"
#include "uvm/uvm_vnode.h"

const struct vnodeops ext2_vnodeops;
static int ext2_load(struct mount *mp, uint64_t ino, struct vnode *vp);

#define NS 1000000000ll

static struct ext2_node *
VTON(struct vnode *vp)
{
	return vp->v_data;
}

static struct ext2_fs *
VTOFS(struct vnode *vp)
{
	return vp->v_mount->mnt_data;
}

/* The pager's question, answered by the core. */
static int
ext2_uvn_bmap(struct uvm_vnode *uvn, voff_t off, bool alloc, uint64_t *daddr,
    size_t *run)
{
	return ext2_bmap_run(container_of(uvn, struct ext2_node, n_uvn),
	    (uint64_t)off, alloc, daddr, run);
}

static void
ext2_uvn_hold(struct uvm_vnode *uvn)
{
	vref(uvn->u_owner);
}

static void
ext2_uvn_rele(struct uvm_vnode *uvn)
{
	vrele(uvn->u_owner);
}

static const struct uvn_ops ext2_uvn_ops = {
	.uvn_bmap = ext2_uvn_bmap,
	.uvn_hold = ext2_uvn_hold,
	.uvn_rele = ext2_uvn_rele,
};

static enum vtype
ext2_vtype(uint32_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG: return VREG;
	case EXT2_S_IFDIR: return VDIR;
	case EXT2_S_IFLNK: return VLNK;
	case EXT2_S_IFCHR: return VCHR;
	case EXT2_S_IFBLK: return VBLK;
	case EXT2_S_IFIFO: return VFIFO;
	case EXT2_S_IFSOCK: return VSOCK;
	default: return VNON;
	}
}

/* vcache's loader: the inode from the disk into a new node. */
static int
ext2_load(struct mount *mp, uint64_t ino, struct vnode *vp)
{
	struct ext2_fs *fs = mp->mnt_data;
	struct ext2_node *n = NULL;
	int error;

	if (ino > UINT32_MAX)
		return -EIO;
	mutex_enter(&fs->e2_lock);
	error = ext2_node_load(fs, (uint32_t)ino, &n);
	mutex_exit(&fs->e2_lock);
	if (error != 0)
		return error;
	n->n_vnode = vp;
	vp->v_type = ext2_vtype(n->n_di.i_mode);
	vp->v_ops = &ext2_vnodeops;
	vp->v_data = n;
	if (vp->v_type == VREG) {
		uvn_init(&n->n_uvn, &ext2_uvn_ops, fs->e2_dev,
		    (voff_t)ext2_node_size(n), vp);
		vp->v_obj = &n->n_uvn.u_obj;
	}
	return 0;
}

static int
ext2_vop_lookup(struct vnode *dvp, const char *name, size_t len,
    struct vnode **vpp)
{
	struct ext2_fs *fs = VTOFS(dvp);
	uint32_t ino = 0;
	int error;

	if (dvp->v_type != VDIR)
		return -ENOTDIR;
	mutex_enter(&fs->e2_lock);
	error = ext2_dir_lookup(VTON(dvp), name, len, &ino);
	mutex_exit(&fs->e2_lock);
	if (error != 0)
		return error;
	return vcache_get(dvp->v_mount, ino, ext2_load, vpp);
}

/* Undo a half-made file: no links, blocks and inode freed. */
static void
make_undo(struct ext2_node *n)
{
	n->n_di.i_links_count = 0;
	(void)ext2_node_release(n);
}

/*
 * A new file of mode in dvp called name (a directory gets "." and "..",
 * a symlink its target), entered in dvp; *vpp its vnode.
 */
static int
ext2_make(struct vnode *dvp, const char *name, size_t len, uint32_t mode,
    const char *target, struct vnode **vpp)
{
	struct ext2_fs *fs = VTOFS(dvp);
	struct ext2_node *dn = VTON(dvp), *n = NULL;
	bool dir = EXT2_ISDIR(mode);
	uint32_t ino;
	int error;

	mutex_enter(&fs->e2_lock);
	if (dir && dn->n_di.i_links_count >= EXT2_LINK_MAX)
		error = -EMLINK;
	else
		error = ext2_node_make(fs, dn->n_ino, mode, &n);
	if (error == 0 && dir)
		error = ext2_dir_init(n, dn->n_ino);
	if (error == 0 && target != NULL)
		error = ext2_symlink_set(n, target, strlen(target));
	if (error == 0)
		error = ext2_dir_add(dn, name, len, n->n_ino, mode);
	if (error == 0 && dir) {
		dn->n_di.i_links_count++;
		error = ext2_node_update(dn);
	}
	if (error != 0 && n != NULL)
		make_undo(n);
	mutex_exit(&fs->e2_lock);
	if (n == NULL)
		return error;
	ino = n->n_ino;
	ext2_node_free(n);
	return error != 0 ? error : vcache_new(dvp->v_mount, ino, ext2_load, vpp);
}

static int
ext2_vop_create(struct vnode *dvp, const char *name, size_t len,
    uint32_t mode, struct vnode **vpp)
{
	return ext2_make(dvp, name, len, EXT2_S_IFREG | (mode & 07777), NULL, vpp);
}

static int
ext2_vop_mkdir(struct vnode *dvp, const char *name, size_t len,
    uint32_t mode, struct vnode **vpp)
{
	return ext2_make(dvp, name, len, EXT2_S_IFDIR | (mode & 07777), NULL, vpp);
}

static int
ext2_vop_symlink(struct vnode *dvp, const char *name, size_t len,
    const char *target, struct vnode **vpp)
{
	size_t tlen = strlen(target);

	if (tlen == 0)
		return -ENOENT;
	if (tlen >= VTOFS(dvp)->e2_bsize)
		return -ENAMETOOLONG;
	return ext2_make(dvp, name, len, EXT2_S_IFLNK | 0777, target, vpp);
}

static int
ext2_vop_link(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	struct ext2_fs *fs = VTOFS(dvp);
	struct ext2_node *n = VTON(vp);
	int error;

	mutex_enter(&fs->e2_lock);
	if (n->n_di.i_links_count >= EXT2_LINK_MAX)
		error = -EMLINK;
	else
		error = ext2_dir_add(VTON(dvp), name, len, n->n_ino, n->n_di.i_mode);
	if (error == 0) {
		n->n_di.i_links_count++;
		n->n_di.i_ctime = ext2_now();
		error = ext2_node_update(n);
	}
	mutex_exit(&fs->e2_lock);
	return error;
}

/* Drop one link of n (all of a directory's: its name and "."). */
static int
drop_links(struct ext2_node *n)
{
	if (EXT2_ISDIR(n->n_di.i_mode))
		n->n_di.i_links_count = 0;
	else if (n->n_di.i_links_count > 0)
		n->n_di.i_links_count--;
	n->n_di.i_ctime = ext2_now();
	return ext2_node_update(n);
}

/* A directory child of dn went: dn loses the link of its "..". */
static int
parent_unlink(struct ext2_node *dn)
{
	if (dn->n_di.i_links_count > 2)
		dn->n_di.i_links_count--;
	return ext2_node_update(dn);
}

static int
ext2_vop_remove(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	struct ext2_fs *fs = VTOFS(dvp);
	int error;

	if (vp->v_type == VDIR)
		return -EISDIR;
	mutex_enter(&fs->e2_lock);
	error = ext2_dir_remove(VTON(dvp), name, len);
	if (error == 0)
		error = drop_links(VTON(vp));
	mutex_exit(&fs->e2_lock);
	return error;
}

static int
ext2_vop_rmdir(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	struct ext2_fs *fs = VTOFS(dvp);
	int error;

	if (vp->v_type != VDIR)
		return -ENOTDIR;
	mutex_enter(&fs->e2_lock);
	error = ext2_dir_isempty(VTON(vp));
	if (error == 0)
		error = -ENOTEMPTY;
	else if (error == 1)
		error = ext2_dir_remove(VTON(dvp), name, len);
	if (error == 0)
		error = drop_links(VTON(vp));
	if (error == 0)
		error = parent_unlink(VTON(dvp));
	mutex_exit(&fs->e2_lock);
	return error;
}

/* rename's work under e2_lock (see ext2_vop_rename). */
static int
rename_locked(struct ext2_node *fdn, const char *fname, size_t flen,
    struct ext2_node *fn, struct ext2_node *tdn, const char *tname,
    size_t tlen, struct ext2_node *tn)
{
	bool dir = EXT2_ISDIR(fn->n_di.i_mode);
	int error;

	if (tn != NULL) {
		error = ext2_dir_set(tdn, tname, tlen, fn->n_ino, fn->n_di.i_mode);
		if (error == 0)
			error = drop_links(tn);
		if (error == 0 && EXT2_ISDIR(tn->n_di.i_mode))
			error = parent_unlink(tdn);
	} else {
		error = ext2_dir_add(tdn, tname, tlen, fn->n_ino, fn->n_di.i_mode);
	}
	if (error == 0)
		error = ext2_dir_remove(fdn, fname, flen);
	if (error == 0 && dir && fdn != tdn) {
		error = ext2_dir_set(fn, "..", 2, tdn->n_ino, EXT2_S_IFDIR);
		fdn->n_di.i_links_count--;
		tdn->n_di.i_links_count++;
		if (error == 0)
			error = ext2_node_update(fdn);
		if (error == 0)
			error = ext2_node_update(tdn);
	}
	fn->n_di.i_ctime = ext2_now();
	return error != 0 ? error : ext2_node_update(fn);
}

static int
ext2_vop_rename(struct vnode *fdvp, const char *fname, size_t flen,
    struct vnode *fvp, struct vnode *tdvp, const char *tname, size_t tlen,
    struct vnode *tvp)
{
	struct ext2_fs *fs = VTOFS(fdvp);
	int error;

	if (fvp == tvp)
		return 0;               /* two names of one file: nothing (POSIX) */
	if (tvp != NULL && tvp->v_type == VDIR) {
		mutex_enter(&fs->e2_lock);
		error = ext2_dir_isempty(VTON(tvp));
		mutex_exit(&fs->e2_lock);
		if (error != 1)
			return error == 0 ? -ENOTEMPTY : error;
	}
	mutex_enter(&fs->e2_lock);
	if (fvp->v_type == VDIR && tvp == NULL && fdvp != tdvp &&
	    VTON(tdvp)->n_di.i_links_count >= EXT2_LINK_MAX)
		error = -EMLINK;
	else
		error = rename_locked(VTON(fdvp), fname, flen, VTON(fvp),
		    VTON(tdvp), tname, tlen, tvp != NULL ? VTON(tvp) : NULL);
	mutex_exit(&fs->e2_lock);
	return error;
}

static int
ext2_vop_readdir(struct vnode *vp, uint64_t cookie, struct vfs_dirent *d)
{
	struct ext2_fs *fs = VTOFS(vp);
	uint32_t ino = 0;
	size_t len = 0;
	int r;

	if (vp->v_type != VDIR)
		return -ENOTDIR;
	mutex_enter(&fs->e2_lock);
	r = ext2_dir_read(VTON(vp), cookie, &ino, &d->type, d->name, &len, &d->next);
	mutex_exit(&fs->e2_lock);
	if (r == 0) {
		d->ino = ino;
		d->namelen = (uint16_t)len;
	}
	return r;
}

static int
ext2_vop_readlink(struct vnode *vp, char *buf, size_t len)
{
	struct ext2_fs *fs = VTOFS(vp);
	int r;

	if (vp->v_type != VLNK)
		return -EINVAL;
	mutex_enter(&fs->e2_lock);
	r = ext2_readlink_node(VTON(vp), buf, len);
	mutex_exit(&fs->e2_lock);
	return r;
}

static int
ext2_vop_getattr(struct vnode *vp, struct vattr *va)
{
	struct ext2_fs *fs = VTOFS(vp);
	struct ext2_dinode *di = &VTON(vp)->n_di;

	mutex_enter(&fs->e2_lock);
	memset(va, 0, sizeof(*va));
	va->va_type = vp->v_type;
	va->va_mode = di->i_mode & 07777;
	va->va_nlink = di->i_links_count;
	va->va_uid = di->i_uid;
	va->va_gid = di->i_gid;
	va->va_ino = VTON(vp)->n_ino;
	va->va_size = ext2_node_size(VTON(vp));
	va->va_blocks = di->i_blocks;
	va->va_blksize = fs->e2_bsize;
	va->va_dev = vp->v_mount->mnt_dev;
	va->va_atime_ns = di->i_atime * NS;
	va->va_mtime_ns = di->i_mtime * NS;
	va->va_ctime_ns = di->i_ctime * NS;
	mutex_exit(&fs->e2_lock);
	return 0;
}

/* The largest file the block map and i_blocks can describe. */
static uint64_t
ext2_maxsize(struct ext2_fs *fs)
{
	uint64_t apb = fs->e2_apb, nb = EXT2_NDIR + apb + apb * apb + apb * apb * apb;

	if (fs->e2_sb.s_rev_level == 0)
		return 0x7fffffff;
	return MIN(nb * fs->e2_bsize, (1ull << 32) * 512 / 2);
}

/* VA_SIZE: pages first (without e2_lock), then blocks and length. */
static int
ext2_resize(struct vnode *vp, uint64_t size)
{
	struct ext2_fs *fs = VTOFS(vp);
	struct ext2_node *n = VTON(vp);
	uint64_t old = ext2_node_size(n);
	int error = 0;

	if (vp->v_type == VDIR)
		return -EISDIR;
	if (vp->v_type != VREG)
		return -EINVAL;
	if (size > ext2_maxsize(fs))
		return -EFBIG;
	if (size < old)
		uvn_setsize(&n->n_uvn, (voff_t)size);
	mutex_enter(&fs->e2_lock);
	if (size < old)
		error = ext2_truncate_blocks(n, size);
	if (error == 0) {
		ext2_node_set_size(n, size);
		n->n_di.i_mtime = n->n_di.i_ctime = ext2_now();
		error = ext2_node_update(n);
	}
	mutex_exit(&fs->e2_lock);
	if (error == 0 && size > old)
		uvn_setsize(&n->n_uvn, (voff_t)size);
	return error;
}

static int
ext2_vop_setattr(struct vnode *vp, const struct vattr *va)
{
	struct ext2_fs *fs = VTOFS(vp);
	struct ext2_dinode *di = &VTON(vp)->n_di;
	int error = 0;

	if (fs->e2_rdonly)
		return -EROFS;
	if (va->va_mask & VA_SIZE)
		error = ext2_resize(vp, va->va_size);
	if (error != 0)
		return error;
	mutex_enter(&fs->e2_lock);
	if (va->va_mask & VA_MODE)
		di->i_mode = (uint16_t)((di->i_mode & EXT2_S_IFMT) | (va->va_mode & 07777));
	if (va->va_mask & VA_OWNER) {
		di->i_uid = (uint16_t)va->va_uid;
		di->i_gid = (uint16_t)va->va_gid;
	}
	if (va->va_mask & VA_ATIME)
		di->i_atime = (uint32_t)(va->va_atime_ns / NS);
	if (va->va_mask & VA_MTIME)
		di->i_mtime = (uint32_t)(va->va_mtime_ns / NS);
	if (va->va_mask & (VA_MODE | VA_OWNER))
		di->i_ctime = ext2_now();
	error = ext2_node_update(VTON(vp));
	mutex_exit(&fs->e2_lock);
	return error;
}

static int
ext2_vop_fsync(struct vnode *vp, bool dataonly)
{
	struct ext2_node *n = VTON(vp);
	int error = 0, e;

	(void)dataonly;                 /* the metadata goes too: it is small */
	if (vp->v_type == VREG) {
		error = uvn_flush(&n->n_uvn, 0, 0, UVN_SYNC);
		e = uvn_take_error(&n->n_uvn);
		if (error == 0)
			error = e;
	}
	e = ext2_fs_sync(VTOFS(vp));
	return error != 0 ? error : e;
}

/* The last reference went: a file without links loses its storage. */
static void
ext2_vop_inactive(struct vnode *vp)
{
	struct ext2_fs *fs = VTOFS(vp);
	struct ext2_node *n = VTON(vp);
	int error;

	if (n->n_di.i_links_count != 0 || n->n_released || fs->e2_rdonly)
		return;
	if (vp->v_type == VREG)
		uvn_setsize(&n->n_uvn, 0);
	mutex_enter(&fs->e2_lock);
	error = ext2_node_release(n);
	if (error == 0)
		ext2_zombie_set(fs, n->n_ino, true);
	mutex_exit(&fs->e2_lock);
	if (error != 0)
		kprintf("ext2: freeing inode %u failed: " ERRNO_FMT "\n", n->n_ino, ERRNO_ARGS(error));
	n->n_released = true;           /* gone: nothing more to free */
}

static void
ext2_vop_reclaim(struct vnode *vp)
{
	struct ext2_fs *fs = VTOFS(vp);
	struct ext2_node *n = VTON(vp);

	if (n->n_released) {
		mutex_enter(&fs->e2_lock);
		ext2_zombie_set(fs, n->n_ino, false);
		mutex_exit(&fs->e2_lock);
	}

	if (vp->v_type == VREG)
		uvn_destroy(&n->n_uvn);
	ext2_node_free(n);
	vp->v_data = NULL;
	vp->v_obj = NULL;
}

static void
ext2_vop_print(struct vnode *vp, kprint_fn pr)
{
	struct ext2_node *n = VTON(vp);
	struct ext2_dinode *di = &n->n_di;

	pr("ext2 inode %u: mode %o links %u size %lu blocks %u flags %#x\n",
	    n->n_ino, di->i_mode, di->i_links_count, ext2_node_size(n),
	    di->i_blocks, di->i_flags);
	pr("  i_block:");
	for (int i = 0; i < EXT2_NBLOCKS; i++)
		pr(" %u", di->i_block[i]);
	pr("\n");
}

const struct vnodeops ext2_vnodeops = {
	.vop_lookup = ext2_vop_lookup,
	.vop_create = ext2_vop_create,
	.vop_mkdir = ext2_vop_mkdir,
	.vop_symlink = ext2_vop_symlink,
	.vop_link = ext2_vop_link,
	.vop_remove = ext2_vop_remove,
	.vop_rmdir = ext2_vop_rmdir,
	.vop_rename = ext2_vop_rename,
	.vop_readdir = ext2_vop_readdir,
	.vop_readlink = ext2_vop_readlink,
	.vop_getattr = ext2_vop_getattr,
	.vop_setattr = ext2_vop_setattr,
	.vop_fsync = ext2_vop_fsync,
	.vop_inactive = ext2_vop_inactive,
	.vop_reclaim = ext2_vop_reclaim,
	.vop_print = ext2_vop_print,
};

/* mount - open the disk named by source and check its root directory. */
static int
ext2_vfs_mount(struct mount *mp, const char *source, const char *opts)
{
	struct blkdev *dev = source != NULL ? blk_lookup(source) : NULL;
	struct ext2_fs *fs = NULL;
	struct ext2_node *root = NULL;
	int error;

	(void)opts;
	if (dev == NULL)
		return -ENOENT;
	error = ext2_fs_open(dev, &fs);
	if (error != 0)
		return error;
	mutex_enter(&fs->e2_lock);
	error = ext2_node_load(fs, EXT2_ROOT_INO, &root);
	if (error == 0 && !EXT2_ISDIR(root->n_di.i_mode))
		error = -EINVAL;
	if (root != NULL)
		ext2_node_free(root);
	mutex_exit(&fs->e2_lock);
	if (error != 0) {
		ext2_fs_close(fs);
		return error == -EIO ? -EINVAL : error;
	}
	if (mp->mnt_flags & MNT_RDONLY)
		fs->e2_rdonly = true;
	if (fs->e2_rdonly)
		mp->mnt_flags |= MNT_RDONLY;
	fs->e2_mount = mp;
	mp->mnt_data = fs;
	return 0;
}

static int
ext2_vfs_unmount(struct mount *mp)
{
	int error = ext2_fs_close(mp->mnt_data);

	mp->mnt_data = NULL;
	return error;
}

static int
ext2_vfs_root(struct mount *mp, struct vnode **vpp)
{
	return vcache_get(mp, EXT2_ROOT_INO, ext2_load, vpp);
}

static int
ext2_vfs_statfs(struct mount *mp, struct vfs_statfs *st)
{
	struct ext2_fs *fs = mp->mnt_data;
	struct ext2_super *sb = &fs->e2_sb;

	mutex_enter(&fs->e2_lock);
	st->f_type = EXT2_SUPER_MAGIC;
	st->f_bsize = fs->e2_bsize;
	st->f_blocks = sb->s_blocks_count;
	st->f_bfree = sb->s_free_blocks_count;
	st->f_bavail = sb->s_free_blocks_count > sb->s_r_blocks_count ?
	    sb->s_free_blocks_count - sb->s_r_blocks_count : 0;
	st->f_files = sb->s_inodes_count;
	st->f_ffree = sb->s_free_inodes_count;
	st->f_namelen = EXT2_NAME_MAX;
	mutex_exit(&fs->e2_lock);
	return 0;
}

static int
ext2_vfs_sync(struct mount *mp)
{
	return ext2_fs_sync(mp->mnt_data);
}

static int
ext2_vfs_check(struct mount *mp, kprint_fn pr)
{
	return ext2_fs_check(mp->mnt_data, pr);
}

const struct vfsops ext2_vfsops = {
	.vfs_name = "ext2",
	.vfs_mount = ext2_vfs_mount,
	.vfs_unmount = ext2_vfs_unmount,
	.vfs_root = ext2_vfs_root,
	.vfs_statfs = ext2_vfs_statfs,
	.vfs_sync = ext2_vfs_sync,
	.vfs_check = ext2_vfs_check,
};

KOPT(root, "root", "root=vdc: mount the ext2 disk vdc as / instead of the initrd");

static bool ext2_registered, ext2_is_root;

static void
ext2_register(void)
{
	if (!ext2_registered)
		vfs_register(&ext2_vfsops);
	ext2_registered = true;
}

bool
ext2_root_wanted(void)
{
	const char *root = kopt_get("root");

	return root != NULL && (strcmp(root, "vdc") == 0 || strcmp(root, "/dev/vdc") == 0);
}

int
ext2_mount_root(void)
{
	int error;

	ext2_register();
	if (!ext2_root_wanted())
		return -ENOENT;
	error = vfs_mount("ext2", "/dev/vdc", NULL, 0, NULL);
	if (error != 0) {
		kprintf("ext2: root=vdc: not mounted: " ERRNO_FMT "; the initrd is /\n", ERRNO_ARGS(error));
		return error;
	}
	kprintf("ext2: vdc mounted as /\n");
	ext2_is_root = true;
	return 0;
}

void
ext2_mount_boot(void)
{
	int error;

	ext2_register();
	/* A test boot (ktest=) leaves /mnt to the suites, which mount what
	 * they test there (the ext2 suites mount vdc themselves). */
	if (ext2_is_root || blk_lookup("vdc") == NULL || kopt_get("ktest") != NULL)
		return;
	error = vfs_mount("ext2", "/dev/vdc", "/mnt", 0, NULL);
	if (error != 0)
		kprintf("ext2: vdc not mounted on /mnt: " ERRNO_FMT "\n", ERRNO_ARGS(error));
	else
		kprintf("ext2: vdc mounted on /mnt\n");
}
