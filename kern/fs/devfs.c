/*
 * kern/fs/devfs.c - the device file system mounted on /dev.
 *
 * A fixed table of nodes, one vnode each (v_ino = index + 1):
 *
 *   /dev            VDIR
 *     null          VCHR 1:3   -> null_fileops  (reads end, writes vanish)
 *     zero          VCHR 1:5   -> zero_fileops  (reads zeros)
 *     console       VCHR 5:1   -> console_fileops (the terminal)
 *     tty           VCHR 5:0   -> console_fileops
 *     ttyS0         VCHR 4:64  -> console_fileops
 *     shm/          VDIR       (empty: tmpfs is mounted on it)
 *
 * A device vnode has no pages; opening it (vop_open) makes a struct file
 * with the device's existing fileops, so a descriptor on /dev/null is
 * exactly what it was before there was a VFS.  A directory opens as any
 * other (a plain vnode file that getdents reads: opendir, ls, nftw).
 * Nothing can be created, removed or renamed here (the VFS answers
 * -EPERM / -EROFS).
 *
 * Invariants: each node's parent is a directory of the table; inos are
 * index + 1.  Locking: none (the table is constant).
 */
#include "kern/fs/devfs.h"
#include "kern/fs/file.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"

#define DEVFS_MAGIC 0x1373              /* Linux's devfs f_type */
#define DEVFS_ROOTINO 1

struct devfs_node {
	const char *name;
	enum vtype type;
	uint32_t mode;
	uint32_t rdev;                  /* major << 8 | minor */
	const struct fileops *ops;      /* VCHR: what an open makes */
	uint64_t parent;                /* the directory's ino */
};

static const struct devfs_node devfs_nodes[] = {
	{ "", VDIR, 0755, 0, NULL, 1 },
	{ "null", VCHR, 0666, 1 << 8 | 3, &null_fileops, 1 },
	{ "zero", VCHR, 0666, 1 << 8 | 5, &zero_fileops, 1 },
	{ "console", VCHR, 0600, 5 << 8 | 1, &console_fileops, 1 },
	{ "tty", VCHR, 0666, 5 << 8 | 0, &console_fileops, 1 },
	{ "ttyS0", VCHR, 0660, 4 << 8 | 64, &console_fileops, 1 },
	{ "shm", VDIR, 01777, 0, NULL, 1 },
};
#define DEVFS_NNODES ARRAY_SIZE(devfs_nodes)

static const struct vnodeops devfs_vnodeops;

static const struct devfs_node *
devfs_node(uint64_t ino)
{
	return ino >= 1 && ino <= DEVFS_NNODES ? &devfs_nodes[ino - 1] : NULL;
}

static int
devfs_load(struct mount *mp, uint64_t ino, struct vnode *vp)
{
	const struct devfs_node *dn = devfs_node(ino);

	(void)mp;
	if (dn == NULL)
		return -ENOENT;
	vp->v_type = dn->type;
	vp->v_ops = &devfs_vnodeops;
	vp->v_data = (void *)dn;
	return 0;
}

/* The index-th entry of directory dir (not counting "." and ".."): ino. */
static uint64_t
devfs_child(uint64_t dir, uint64_t index)
{
	for (uint64_t ino = 2; ino <= DEVFS_NNODES; ino++)
		if (devfs_nodes[ino - 1].parent == dir && index-- == 0)
			return ino;
	return 0;
}

static int
devfs_lookup(struct vnode *dvp, const char *name, size_t len, struct vnode **vpp)
{
	const struct devfs_node *dn = dvp->v_data;
	uint64_t ino;

	if (len == 2 && name[0] == '.' && name[1] == '.')
		return vcache_get(dvp->v_mount, dn->parent, devfs_load, vpp);
	for (uint64_t i = 0; (ino = devfs_child(dvp->v_ino, i)) != 0; i++) {
		const char *n = devfs_nodes[ino - 1].name;
		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return vcache_get(dvp->v_mount, ino, devfs_load, vpp);
	}
	return -ENOENT;
}

static int
devfs_readdir(struct vnode *vp, uint64_t cookie, struct vfs_dirent *d)
{
	const struct devfs_node *dn = vp->v_data;
	uint64_t ino = cookie == 0 ? vp->v_ino : cookie == 1 ? dn->parent :
	    devfs_child(vp->v_ino, cookie - 2);
	const char *name;

	if (ino == 0)
		return 1;
	name = cookie == 0 ? "." : cookie == 1 ? ".." : devfs_nodes[ino - 1].name;
	d->ino = ino;
	d->type = devfs_nodes[ino - 1].type == VDIR ? 4 : 2;   /* DT_DIR, DT_CHR */
	d->namelen = (uint16_t)strlcpy(d->name, name, sizeof(d->name));
	d->next = cookie + 1;
	return 0;
}

static int
devfs_getattr(struct vnode *vp, struct vattr *va)
{
	const struct devfs_node *dn = vp->v_data;

	memset(va, 0, sizeof(*va));
	va->va_type = dn->type;
	va->va_mode = dn->mode;
	va->va_nlink = dn->type == VDIR ? 2 : 1;
	va->va_ino = vp->v_ino;
	va->va_blksize = 4096;
	va->va_rdev = dn->rdev;
	va->va_dev = vp->v_mount->mnt_dev;
	return 0;
}

static int
devfs_open(struct vnode *vp, int flags, struct file **fpp)
{
	const struct devfs_node *dn = vp->v_data;

	if (dn->ops == NULL) {
		*fpp = NULL;    /* a directory: a plain vnode file, for getdents */
		return 0;
	}
	*fpp = file_alloc(dn->ops, flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	return *fpp != NULL ? 0 : -ENOMEM;
}

static void
devfs_print(struct vnode *vp, kprint_fn pr)
{
	const struct devfs_node *dn = vp->v_data;

	pr("  devfs \"%s\" rdev %u:%u\n", dn->name, dn->rdev >> 8, dn->rdev & 0xff);
}

static const struct vnodeops devfs_vnodeops = {
	.vop_lookup = devfs_lookup,
	.vop_readdir = devfs_readdir,
	.vop_getattr = devfs_getattr,
	.vop_open = devfs_open,
	.vop_print = devfs_print,
};

static int
devfs_mount(struct mount *mp, const char *source, const char *opts)
{
	(void)mp;
	(void)source;
	(void)opts;
	return 0;
}

static int
devfs_unmount(struct mount *mp)
{
	(void)mp;
	return 0;
}

static int
devfs_root(struct mount *mp, struct vnode **vpp)
{
	return vcache_get(mp, DEVFS_ROOTINO, devfs_load, vpp);
}

static int
devfs_statfs(struct mount *mp, struct vfs_statfs *st)
{
	(void)mp;
	memset(st, 0, sizeof(*st));
	st->f_type = DEVFS_MAGIC;
	st->f_bsize = 4096;
	st->f_files = DEVFS_NNODES;
	st->f_namelen = VFS_NAME_MAX;
	return 0;
}

/* The table: parents are directories, devices have fileops. */
static int
devfs_check(struct mount *mp, kprint_fn pr)
{
	int bad = 0;

	(void)mp;
	for (size_t i = 0; i < DEVFS_NNODES; i++) {
		const struct devfs_node *dn = &devfs_nodes[i];
		const struct devfs_node *parent = devfs_node(dn->parent);

		if (parent == NULL || parent->type != VDIR ||
		    (dn->type == VCHR) != (dn->ops != NULL)) {
			pr("devfs: node \"%s\" malformed\n", dn->name);
			bad++;
		}
	}
	return bad;
}

const struct vfsops devfs_vfsops = {
	.vfs_name = "devfs",
	.vfs_mount = devfs_mount,
	.vfs_unmount = devfs_unmount,
	.vfs_root = devfs_root,
	.vfs_statfs = devfs_statfs,
	.vfs_check = devfs_check,
};
