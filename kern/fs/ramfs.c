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
 * Locking: none needed: the tree never changes after ramfs_mount.
 */
#include "kern/fs/ramfs.h"
#include "kern/fs/cpio.h"
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
