/*
 * kern/fs/ramfs.c - a read-only file system built from the initrd.
 *
 * At boot the cpio archive is walked once and every member becomes a
 * node; directories that the archive only implies ("bin/sh" with no
 * "bin" member) are made on the way.  Children of a directory are kept
 * sorted by name, so listings are stable:
 *
 *   archive: ./init  ./bin/sh  ./tests/fork  ./tests/mmap
 *
 *   /  ----child----> bin ---sibling---> init ---sibling---> tests
 *                      |                                       |
 *                      child                                   child
 *                      v                                       v
 *                      sh                                  fork -> mmap
 *
 * A regular file's bytes stay where GRUB put the archive; the file gets
 * a memory object (uvm_memobj) over them, so read() copies straight from
 * the archive while mmap and exec go through uvm_map and the fault
 * handler, which copy page by page into the object's own pages.
 *
 * Invariants: every node but the root is in its parent's child list
 * exactly once, names in a directory are unique and sorted; a file's
 * data lies inside the archive.
 *
 * Locking: none needed: the tree never changes after ramfs_mount.  The
 * vnode side (below) takes no lock of its own either.
 */
#include "kern/fs/ramfs.h"
#include "kern/arch/uaccess.h"
#include "kern/fs/cpio.h"
#include "kern/vfs/vfs.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_memobj.h"

#define RAMFS_MAXLINKS 8     /* symlinks followed in one lookup */
#define RAMFS_LINK_MAX 256   /* longest symlink target */

struct ramfs *ramfs_boot;

static struct rnode *
node_new(struct ramfs *fs, const char *name, size_t namelen, uint32_t mode)
{
	struct rnode *n = kmem_zalloc(sizeof(*n));

	if (n == NULL)
		return NULL;
	n->name = kmem_alloc(namelen + 1, 0);
	if (n->name == NULL) {
		kmem_free(n, sizeof(*n));
		return NULL;
	}
	memcpy(n->name, name, namelen);
	n->name[namelen] = '\0';
	n->mode = mode;
	n->ino = fs->next_ino++;
	n->parent = n;
	return n;
}

/* The child of dir called name[0..len), or NULL. */
static struct rnode *
child_named(const struct rnode *dir, const char *name, size_t len)
{
	for (struct rnode *c = dir->child; c != NULL; c = c->sibling) {
		if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
			return c;
	}
	return NULL;
}

/* Link n into dir, keeping the children sorted by name. */
static void
child_insert(struct rnode *dir, struct rnode *n)
{
	struct rnode **pp = &dir->child;

	while (*pp != NULL && strcmp((*pp)->name, n->name) < 0)
		pp = &(*pp)->sibling;
	n->sibling = *pp;
	*pp = n;
	n->parent = dir;
	dir->nchildren++;
}

/* The directory for the path's first len bytes, made if missing. */
static int
make_parents(struct ramfs *fs, const char *path, size_t len, struct rnode **dirp)
{
	struct rnode *dir = fs->root;

	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && path[j] != '/')
			j++;
		struct rnode *c = child_named(dir, path + i, j - i);
		if (c == NULL) {
			c = node_new(fs, path + i, j - i, S_IFDIR | 0755);
			if (c == NULL)
				return -ENOMEM;
			child_insert(dir, c);
		}
		if (!S_ISDIR(c->mode))
			return -EINVAL;
		dir = c;
		i = j + 1;
	}
	*dirp = dir;
	return 0;
}

/* Fill an existing or new node from a cpio entry (data, memory object). */
static int
node_fill(struct rnode *n, const struct cpio_entry *e)
{
	n->mode = e->mode;
	n->mtime = e->mtime;
	n->data = e->data;
	n->size = e->size;
	if (S_ISREG(e->mode)) {
		n->uobj = uvm_memobj_create(e->data, e->size);
		if (n->uobj == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* Add one archive member at its path ("./" and leading "/" ignored). */
static int
add_entry(struct ramfs *fs, const struct cpio_entry *e)
{
	const char *p = e->name;
	struct rnode *dir, *n;
	int error;

	while (p[0] == '.' && p[1] == '/')
		p += 2;
	while (*p == '/')
		p++;
	size_t len = strlen(p), base = len;
	if (len == 0 || strcmp(p, ".") == 0) {
		fs->root->mode = S_IFDIR | (e->mode & 07777);
		return 0;
	}
	while (base > 0 && p[base - 1] != '/')
		base--;
	error = make_parents(fs, p, base > 0 ? base - 1 : 0, &dir);
	if (error != 0)
		return error;
	n = child_named(dir, p + base, len - base);
	if (n != NULL)
		return S_ISDIR(n->mode) && S_ISDIR(e->mode) ? 0 : -EINVAL;
	n = node_new(fs, p + base, len - base, e->mode);
	if (n == NULL)
		return -ENOMEM;
	child_insert(dir, n);
	return node_fill(n, e);
}

static void
node_free(struct rnode *n)
{
	struct rnode *c = n->child;

	while (c != NULL) {
		struct rnode *next = c->sibling;
		node_free(c);
		c = next;
	}
	if (n->uobj != NULL)
		n->uobj->pgops->pgo_detach(n->uobj);
	kmem_free(n->name, strlen(n->name) + 1);
	kmem_free(n, sizeof(*n));
}

void
ramfs_unmount(struct ramfs *fs)
{
	if (fs->root != NULL)
		node_free(fs->root);
	kmem_free(fs, sizeof(*fs));
}

int
ramfs_mount(const void *archive, size_t len, struct ramfs **fsp)
{
	struct ramfs *fs = kmem_zalloc(sizeof(*fs));
	struct cpio_entry e;
	size_t off = 0;
	int r;

	if (fs == NULL)
		return -ENOMEM;
	fs->next_ino = 1;
	fs->root = node_new(fs, "", 0, S_IFDIR | 0755);
	if (fs->root == NULL) {
		kmem_free(fs, sizeof(*fs));
		return -ENOMEM;
	}
	while ((r = cpio_next(archive, len, &off, &e)) == 1) {
		r = add_entry(fs, &e);
		if (r != 0)
			break;
		fs->nentries++;
	}
	if (r != 0) {
		ramfs_unmount(fs);
		return r < 0 ? r : -EINVAL;
	}
	*fsp = fs;
	return 0;
}

/*
 * One step of a walk: from dir, the component name[0..len).  Symlinks
 * met here are resolved (counting against *links) when follow says so.
 */
static int walk(struct rnode *root, struct rnode *cwd, const char *path,
    bool follow, int *links, struct rnode **np);

static int
step(struct rnode *root, struct rnode *dir, const char *name, size_t len,
    bool follow, int *links, struct rnode **np)
{
	struct rnode *n;

	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (len > RAMFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (len == 1 && name[0] == '.')
		n = dir;
	else if (len == 2 && name[0] == '.' && name[1] == '.')
		n = dir->parent;
	else if ((n = child_named(dir, name, len)) == NULL)
		return -ENOENT;
	if (follow && S_ISLNK(n->mode)) {
		/* Small: this recurses once per link followed. */
		char target[RAMFS_LINK_MAX];
		if (++*links > RAMFS_MAXLINKS)
			return -ELOOP;
		if (n->size >= sizeof(target))
			return -ENAMETOOLONG;
		memcpy(target, n->data, n->size);
		target[n->size] = '\0';
		return walk(root, dir, target, true, links, np);
	}
	*np = n;
	return 0;
}

static int
walk(struct rnode *root, struct rnode *cwd, const char *path, bool follow,
    int *links, struct rnode **np)
{
	struct rnode *n = path[0] == '/' ? root : cwd;
	int error = 0;

	if (strnlen(path, RAMFS_PATH_MAX) == RAMFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (path[0] == '\0')
		return -ENOENT;
	for (const char *p = path; *p != '\0' && error == 0;) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e != '\0' && *e != '/')
			e++;
		if (e == p)
			break;      /* trailing slashes */
		/* Intermediate components are always followed. */
		error = step(root, n, p, (size_t)(e - p), follow || *e == '/', links, &n);
		p = e;
	}
	if (error == 0)
		*np = n;
	return error;
}

int
ramfs_lookup(struct ramfs *fs, struct rnode *cwd, const char *path, bool follow,
    struct rnode **np)
{
	int links = 0;

	return walk(fs->root, cwd != NULL ? cwd : fs->root, path, follow, &links, np);
}

ssize_t
ramfs_read(const struct rnode *n, uint64_t off, void *buf, size_t len)
{
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if (off >= n->size)
		return 0;
	len = MIN(len, n->size - off);
	memcpy(buf, n->data + off, len);
	return (ssize_t)len;
}

struct rnode *
ramfs_child(const struct rnode *dir, int index)
{
	struct rnode *c = dir->child;

	while (c != NULL && index-- > 0)
		c = c->sibling;
	return c;
}

void
ramfs_path(const struct rnode *n, char *buf, size_t size)
{
	size_t len = 0, at;

	/* Measure, then fill from the end: "/a/bc" is written c,b,/,a,/.
	 * Only the root is its own parent. */
	for (const struct rnode *m = n; m->parent != m; m = m->parent)
		len += strlen(m->name) + 1;
	if (len == 0 || len + 1 > size) {
		strlcpy(buf, len == 0 ? "/" : "", size);
		return;
	}
	at = len;
	buf[at] = '\0';
	for (const struct rnode *m = n; m->parent != m; m = m->parent) {
		size_t nl = strlen(m->name);
		at -= nl;
		memcpy(buf + at, m->name, nl);
		buf[--at] = '/';
	}
}

static void
print_node(const struct rnode *n, int depth, kprint_fn pr)
{
	pr("%*s%s%s %lu bytes mode %o ino %lu\n", depth * 2, "",
	    n->parent == n ? "/" : n->name, S_ISDIR(n->mode) ? "/" : "", n->size,
	    n->mode, n->ino);
	for (const struct rnode *c = n->child; c != NULL; c = c->sibling)
		print_node(c, depth + 1, pr);
}

void
ramfs_print(const struct ramfs *fs, kprint_fn pr)
{
	print_node(fs->root, 0, pr);
}

/*
 * ---- ramfs as a vnode file system ("ramfs") ----
 *
 * A mount of type "ramfs" serves one tree built by ramfs_mount; its
 * source names the tree: "initrd" is ramfs_boot, other names are trees a
 * caller attached with ramfs_attach_source (the tests do).  Each node's
 * vnode has v_ino = the node's ino, v_data = the node and, for a regular
 * file, v_obj = the node's memory object.  The node keeps the object's
 * base reference (uvm_memobj.c: the pages stay cached when the mappings
 * go, until the page daemon or vfs_flush_caches frees them), so the vnode
 * holds none and reclaiming it frees nothing but itself.
 *
 *   mount "/" (ramfs, "initrd") --mnt_data--> ramfs_mount {fs, byino[]}
 *   vnode {ino 7, VREG} --v_data--> rnode "sh" --uobj--> memobj
 *
 * read(2) copies straight from the archive (vop_read) rather than
 * through v_obj: the bytes are already in memory, the object's pages are
 * clean copies of them, and a read through them would fill the cache
 * with copies nobody maps.  Everything that changes the
 * tree is absent, so the VFS answers -EROFS.
 */
#define RAMFS_MAGIC 0x858458f6          /* Linux's ramfs f_type */
#define RAMFS_NSOURCES 4

struct ramfs_mnt {
	struct ramfs *fs;
	struct rnode **byino;           /* node of each ino (NULL: none) */
	uint64_t nino;
};

static struct {
	const char *name;
	struct ramfs *fs;
} ramfs_sources[RAMFS_NSOURCES];

int
ramfs_attach_source(const char *name, struct ramfs *fs)
{
	for (int i = 0; i < RAMFS_NSOURCES; i++) {
		if (ramfs_sources[i].name == NULL) {
			ramfs_sources[i].name = name;
			ramfs_sources[i].fs = fs;
			return 0;
		}
	}
	return -ENOSPC;
}

void
ramfs_detach_source(const char *name)
{
	for (int i = 0; i < RAMFS_NSOURCES; i++)
		if (ramfs_sources[i].name != NULL &&
		    strcmp(ramfs_sources[i].name, name) == 0)
			ramfs_sources[i].name = NULL;
}

static struct ramfs *
ramfs_source(const char *name)
{
	if (name != NULL && strcmp(name, "initrd") == 0)
		return ramfs_boot;
	for (int i = 0; i < RAMFS_NSOURCES && name != NULL; i++)
		if (ramfs_sources[i].name != NULL &&
		    strcmp(ramfs_sources[i].name, name) == 0)
			return ramfs_sources[i].fs;
	return NULL;
}

static void
ramfs_index(struct ramfs_mnt *rm, struct rnode *n)
{
	rm->byino[n->ino] = n;
	for (struct rnode *c = n->child; c != NULL; c = c->sibling)
		ramfs_index(rm, c);
}

static enum vtype
ramfs_vtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return VDIR;
	case S_IFREG: return VREG;
	case S_IFLNK: return VLNK;
	case S_IFCHR: return VCHR;
	case S_IFIFO: return VFIFO;
	default: return VNON;
	}
}

static const struct vnodeops ramfs_vnodeops;

/* vcache load: the vnode of node ino. */
static int
ramfs_load(struct mount *mp, uint64_t ino, struct vnode *vp)
{
	struct ramfs_mnt *rm = mp->mnt_data;
	struct rnode *n = ino < rm->nino ? rm->byino[ino] : NULL;

	if (n == NULL)
		return -ENOENT;
	vp->v_type = ramfs_vtype(n->mode);
	vp->v_ops = &ramfs_vnodeops;
	vp->v_data = n;
	vp->v_obj = n->uobj;
	vp->v_vflags |= VV_KEEPPAGES;      /* the node owns the object */
	return 0;
}

static int
ramfs_vget(struct mount *mp, struct rnode *n, struct vnode **vpp)
{
	return vcache_get(mp, n->ino, ramfs_load, vpp);
}

static int
ramfs_vop_lookup(struct vnode *dvp, const char *name, size_t len,
    struct vnode **vpp)
{
	struct rnode *dir = dvp->v_data, *n;

	if (len == 2 && name[0] == '.' && name[1] == '.')
		n = dir->parent;
	else if ((n = child_named(dir, name, len)) == NULL)
		return -ENOENT;
	return ramfs_vget(dvp->v_mount, n, vpp);
}

static uint8_t
ramfs_dtype(uint32_t mode)
{
	return (uint8_t)((mode & S_IFMT) >> 12);        /* DT_* = S_IFMT >> 12 */
}

static int
ramfs_vop_readdir(struct vnode *vp, uint64_t cookie, struct vfs_dirent *d)
{
	struct rnode *dir = vp->v_data, *n;
	const char *name;

	if (cookie < 2) {
		n = cookie == 0 ? dir : dir->parent;
		name = cookie == 0 ? "." : "..";
	} else {
		if ((n = ramfs_child(dir, (int)(cookie - 2))) == NULL)
			return 1;
		name = n->name;
	}
	d->ino = n->ino;
	d->type = ramfs_dtype(n->mode);
	d->namelen = (uint16_t)strlcpy(d->name, name, sizeof(d->name));
	d->next = cookie + 1;
	return 0;
}

static int
ramfs_vop_readlink(struct vnode *vp, char *buf, size_t len)
{
	struct rnode *n = vp->v_data;
	size_t m = MIN(len, n->size);

	if (vp->v_type != VLNK)
		return -EINVAL;
	memcpy(buf, n->data, m);
	return (int)m;
}

static int
ramfs_vop_getattr(struct vnode *vp, struct vattr *va)
{
	struct rnode *n = vp->v_data;

	memset(va, 0, sizeof(*va));
	va->va_type = vp->v_type;
	va->va_mode = n->mode & 07777;
	va->va_nlink = vp->v_type == VDIR ? 2 : 1;
	va->va_ino = n->ino;
	va->va_size = vp->v_type == VDIR ? 4096 : n->size;
	va->va_blocks = ROUND_UP(va->va_size, 512) / 512;
	va->va_blksize = 4096;
	va->va_dev = vp->v_mount->mnt_dev;
	va->va_atime_ns = va->va_mtime_ns = va->va_ctime_ns =
	    (int64_t)n->mtime * 1000000000;
	return 0;
}

/* Copy n bytes at p to where uio points and advance it.  => 0, -EFAULT. */
static int
ramfs_uio_copy(const void *p, size_t n, struct uio *uio)
{
	if (uio->kernel)
		memcpy((void *)uio->base, p, n);
	else if (copyout(p, uio->base, n) != 0)
		return -EFAULT;
	uio->base += n;
	uio->resid -= n;
	uio->off += n;
	return 0;
}

static int64_t
ramfs_vop_read(struct vnode *vp, struct uio *uio)
{
	struct rnode *n = vp->v_data;
	size_t len;
	int error;

	if (vp->v_type == VDIR)
		return -EISDIR;
	if (uio->off >= n->size)
		return 0;
	len = MIN(uio->resid, n->size - uio->off);
	error = ramfs_uio_copy(n->data + uio->off, len, uio);
	return error != 0 ? error : (int64_t)len;
}

static void
ramfs_vop_print(struct vnode *vp, kprint_fn pr)
{
	struct rnode *n = vp->v_data;

	pr("  ramfs node \"%s\" mode %o size %lu\n", n->name, n->mode, n->size);
}

static const struct vnodeops ramfs_vnodeops = {
	.vop_lookup = ramfs_vop_lookup,
	.vop_read = ramfs_vop_read,
	.vop_readdir = ramfs_vop_readdir,
	.vop_readlink = ramfs_vop_readlink,
	.vop_getattr = ramfs_vop_getattr,
	.vop_print = ramfs_vop_print,
};

static int
ramfs_vfs_mount(struct mount *mp, const char *source, const char *opts)
{
	struct ramfs *fs = ramfs_source(source);
	struct ramfs_mnt *rm;

	(void)opts;
	if (fs == NULL)
		return -ENOENT;
	if ((rm = kmem_zalloc(sizeof(*rm))) == NULL)
		return -ENOMEM;
	rm->fs = fs;
	rm->nino = fs->next_ino;
	rm->byino = kmem_zalloc(rm->nino * sizeof(*rm->byino));
	if (rm->byino == NULL) {
		kmem_free(rm, sizeof(*rm));
		return -ENOMEM;
	}
	ramfs_index(rm, fs->root);
	mp->mnt_flags |= MNT_RDONLY;
	mp->mnt_data = rm;
	return 0;
}

static int
ramfs_vfs_unmount(struct mount *mp)
{
	struct ramfs_mnt *rm = mp->mnt_data;

	kmem_free(rm->byino, rm->nino * sizeof(*rm->byino));
	kmem_free(rm, sizeof(*rm));
	mp->mnt_data = NULL;
	return 0;
}

static int
ramfs_vfs_root(struct mount *mp, struct vnode **vpp)
{
	struct ramfs_mnt *rm = mp->mnt_data;

	return ramfs_vget(mp, rm->fs->root, vpp);
}

static int
ramfs_vfs_statfs(struct mount *mp, struct vfs_statfs *st)
{
	struct ramfs_mnt *rm = mp->mnt_data;

	memset(st, 0, sizeof(*st));
	st->f_type = RAMFS_MAGIC;
	st->f_bsize = 4096;
	st->f_files = (uint64_t)rm->fs->nentries + 1;
	st->f_namelen = RAMFS_NAME_MAX;
	return 0;
}

/* Every node indexed under its ino, every child pointing to its parent. */
static int
ramfs_check_node(struct ramfs_mnt *rm, struct rnode *n, kprint_fn pr)
{
	int bad = 0, count = 0;

	if (n->ino >= rm->nino || rm->byino[n->ino] != n) {
		pr("ramfs: node \"%s\" ino %lu not indexed\n", n->name, n->ino);
		bad++;
	}
	for (struct rnode *c = n->child; c != NULL; c = c->sibling, count++) {
		if (c->parent != n) {
			pr("ramfs: \"%s\" has the wrong parent\n", c->name);
			bad++;
		}
		bad += ramfs_check_node(rm, c, pr);
	}
	if (count != n->nchildren) {
		pr("ramfs: \"%s\" has %d children, count %d\n", n->name, count,
		    n->nchildren);
		bad++;
	}
	return bad;
}

static int
ramfs_vfs_check(struct mount *mp, kprint_fn pr)
{
	struct ramfs_mnt *rm = mp->mnt_data;

	return ramfs_check_node(rm, rm->fs->root, pr);
}

const struct vfsops ramfs_vfsops = {
	.vfs_name = "ramfs",
	.vfs_mount = ramfs_vfs_mount,
	.vfs_unmount = ramfs_vfs_unmount,
	.vfs_root = ramfs_vfs_root,
	.vfs_statfs = ramfs_vfs_statfs,
	.vfs_check = ramfs_vfs_check,
};
