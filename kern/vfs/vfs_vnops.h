/*
 * kern/vfs/vfs_vnops.h - a file descriptor open on a vnode: the fileops
 * of a plain vnode file and the helpers the system calls share
 * (kern/sys/sys_vfs.c, kern/sys/sys_file.c).  vfs_vnops.c explains how a
 * read or write moves bytes.
 */
#ifndef KERN_VFS_VFS_VNOPS_H
#define KERN_VFS_VFS_VNOPS_H

#include "kern/lib/types.h"

struct file;
struct linux_stat;
struct vnode;
struct vattr;

/* Linux's open(2) flags beyond the ones struct file keeps (file.h). */
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_DSYNC 010000
#define O_ASYNC 020000
#define O_DIRECT 040000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_SYNC 04010000
#define O_PATH 010000000
#define O_TMPFILE 020200000

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4

/* The fileops of a file open on a vnode (f->vp) without a vop_open. */
extern const struct fileops vn_fileops;

/* vn_is_file - is f a plain vnode file (vn_fileops, f->vp set)? */
bool vn_is_file(const struct file *f);

/*
 * vn_file_open - a new struct file for vp with open flags (O_ACCMODE,
 * O_APPEND, O_NONBLOCK are kept; O_PATH makes a file that only names vp).
 * A vnode whose file system gives vop_open gets that file instead.
 *  => vp referenced by the caller, who keeps that reference; the file
 *     takes one of its own (dropped by its close).
 *  => 0 and *fpp with one file reference; -ENOMEM, vop_open's error.
 */
int vn_file_open(struct vnode *vp, int flags, struct file **fpp);

/*
 * vn_read / vn_write - move len bytes between the user buffer ubuf and
 * the file at *off, advancing *off by what moved.  vn_write with append
 * starts at the end of the file (and leaves *off there).
 *  => vp referenced and unlocked; may sleep.
 *  => the bytes moved; -EFAULT (nothing moved, though a read may have
 *     written part of the buffer), -EISDIR, -EINVAL,
 *     -ENOSPC, -EFBIG, -EIO.  A fault or error part way returns the
 *     bytes moved before it, as Linux does.
 */
int64_t vn_read(struct vnode *vp, uint64_t ubuf, size_t len, uint64_t *off);
int64_t vn_write(struct vnode *vp, uint64_t ubuf, size_t len, uint64_t *off,
    bool append);

/*
 * How vn_read's pieces reached the user (atomic adds; tests read them):
 * direct, copied straight from the file's page (or a hole's zeros);
 * bounced, through the bounce buffer because the direct copy would have
 * faulted (the user's page not mapped yet, mapped read-only for
 * copy-on-write, or not there at all).
 */
struct vn_read_counts {
	uint64_t direct;
	uint64_t bounced;
};
extern struct vn_read_counts vn_read_counts;

/* vn_stat - vp's attributes as Linux's struct stat.  => 0 or -errno. */
int vn_stat(struct vnode *vp, struct linux_stat *st);

/* vn_mode - st_mode of a vattr: the type bits and the permission bits. */
uint32_t vn_mode(const struct vattr *va);

/* vn_getattr - vop_getattr, under vp's lock.  => 0 or -errno. */
int vn_getattr(struct vnode *vp, struct vattr *va);

/*
 * vn_setattr - the fields va->va_mask names, under vp's lock.
 *  => -EROFS on a read-only mount, -EPERM if the file system cannot or
 *     if a mode change comes from a process that neither owns the file
 *     (uid 0) nor holds CAP_FOWNER, else vop_setattr's answer.
 */
int vn_setattr(struct vnode *vp, struct vattr *va);

/* vn_truncate - a regular file's size set to size (0 or -errno). */
int vn_truncate(struct vnode *vp, uint64_t size);

/*
 * vn_fsync - write vp's dirty pages and metadata back, then report the
 * write-back error pending on it (the vnode pager's u_error),
 * once.  => 0, -EIO, vop_fsync's error.  May sleep.
 */
int vn_fsync(struct vnode *vp, bool dataonly);

/*
 * vn_lseek - the new offset of f after lseek(off, whence) and set it.
 *  => the offset; -EINVAL (bad whence, negative result), -ENXIO
 *     (SEEK_DATA/SEEK_HOLE at or past the end).
 */
int64_t vn_lseek(struct file *f, int64_t off, int whence);

/*
 * vn_getdents - linux_dirent64 records of directory f into the user
 * buffer, from the cookie in f->off on.
 *  => bytes given (0 at the end); -ENOTDIR, -EINVAL (the buffer holds
 *     not even one record), -EFAULT.
 */
int64_t vn_getdents(struct file *f, uint64_t ubuf, size_t len);

/*
 * vn_path - the absolute path of vp into buf (size bytes, NUL-ended),
 * found by walking ".." and searching each parent with readdir
 * (kern/sys/sys_vfs.c).  => vp referenced, unlocked.  Returns the
 * length; -ENOENT (removed, or no root), -ERANGE (longer than size - 1),
 * -ENOMEM.  May sleep.
 */
int vn_path(struct vnode *vp, char *buf, size_t size);

/*
 * vn_file_set_name - remember that vnode file f was opened as name in
 * directory dvp (a reference on dvp and a copy of name, dropped at
 * close), for vn_file_path.  Best effort: nothing is kept without memory.
 */
void vn_file_set_name(struct file *f, struct vnode *dvp, const char *name);

/*
 * vn_file_path - what /proc/PID/fd/N names for vnode file f: a directory's
 * vn_path; a file's directory path and its name, with " (deleted)" after
 * it when that name no longer leads to it (Linux's words).  Into buf;
 * returns the length.  May sleep.
 */
int vn_file_path(struct file *f, char *buf, size_t size);

/* vn_time_now - the wall-clock time in ns since 1970 (for timestamps). */
int64_t vn_time_now(void);

#endif
