/*
 * kern/fs/ramfs.h - the read-only file system over the initrd.
 */
#ifndef KERN_RAMFS_H
#define KERN_RAMFS_H

#include "kern/lib/printf.h"
#include "kern/lib/types.h"

struct uvm_object;

/* st_mode type bits (Linux values). */
#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFLNK 0120000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)

#define RAMFS_NAME_MAX 255
#define RAMFS_PATH_MAX 4096

struct rnode {
	char *name;                 /* this component ("" for the root) */
	uint32_t mode;
	uint64_t ino;
	uint64_t size;
	uint32_t mtime;
	const uint8_t *data;        /* contents (files) or target (symlinks) */
	struct rnode *parent;       /* the root is its own parent */
	struct rnode *child;        /* directories: first entry (sorted by name) */
	struct rnode *sibling;      /* next entry of the same directory */
	int nchildren;
	struct uvm_object *uobj;    /* regular files: the pager object */
};

/* One mounted archive.  The kernel's is ramfs_boot (NULL until mounted). */
struct ramfs {
	struct rnode *root;
	uint64_t next_ino;
	int nentries;
};

extern struct ramfs *ramfs_boot;

/*
 * ramfs_mount - build a tree from a cpio newc archive.
 *  => the archive must stay in memory for good (files point into it).
 *  => returns 0 and *fsp, or -EINVAL (malformed archive) or -ENOMEM,
 *     with nothing left allocated.
 */
int ramfs_mount(const void *archive, size_t len, struct ramfs **fsp);

/* ramfs_unmount - free the tree.  => no file of it may be mapped. */
void ramfs_unmount(struct ramfs *fs);

/*
 * ramfs_lookup - resolve path (absolute, or relative to cwd) to a node,
 * following symlinks on the way and, if follow, at the end.
 *  => returns 0 and *np; -ENOENT, -ENOTDIR (a non-directory in the
 *     middle), -ENAMETOOLONG, -ELOOP (too many symlinks).
 */
int ramfs_lookup(struct ramfs *fs, struct rnode *cwd, const char *path,
    bool follow, struct rnode **np);

/*
 * ramfs_read - copy up to len bytes from offset off of a file into buf.
 *  => returns the bytes copied (0 at or past the end), or -EISDIR.
 */
ssize_t ramfs_read(const struct rnode *n, uint64_t off, void *buf, size_t len);

/* ramfs_child - the index-th entry of directory dir, or NULL past the end. */
struct rnode *ramfs_child(const struct rnode *dir, int index);

/* ramfs_path - the absolute path of n into buf. */
void ramfs_path(const struct rnode *n, char *buf, size_t size);

/* ramfs_print - the tree, one line per node. */
void ramfs_print(const struct ramfs *fs, kprint_fn pr);

/*
 * The vnode file system "ramfs" (kern/fs/ramfs.c): vfs_mount("ramfs",
 * source, ...) serves the tree source names, read-only.  "initrd" is
 * ramfs_boot; ramfs_attach_source names another tree (0, or -ENOSPC),
 * ramfs_detach_source forgets the name (after its unmount).
 */
struct vfsops;
extern const struct vfsops ramfs_vfsops;
int ramfs_attach_source(const char *name, struct ramfs *fs);
void ramfs_detach_source(const char *name);

#endif
