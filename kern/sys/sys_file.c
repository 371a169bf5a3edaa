/*
 * kern/sys/sys_file.c - file system calls over the descriptor table:
 * open/openat/close, read/write and their vector and positioned forms,
 * lseek, fstat/newfstatat, pipe/pipe2, dup/dup2/dup3, fcntl, ioctl,
 * getdents64, access/faccessat, readlink.
 *
 * Every call finds its file with getf (or getf_for, which also checks the
 * access mode the file was opened with) and then calls the file's ops.
 */
#include "kern/fs/file.h"
#include "kern/fs/tty.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/fs/ramfs.h"
#include "kern/sys/syscall.h"
#include "kern/arch/uaccess.h"

#define AT_FDCWD -100
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_CLOEXEC 02000000
#define O_LARGEFILE 0100000
#define O_KNOWN (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | \
    O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_LARGEFILE)
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#define FD_CLOEXEC 1
#define IOV_MAX 1024

static struct fdtable *
fds(void)
{
	return &curproc->fds;
}

/*
 * The file at fd, or NULL.  Linux's descriptors are unsigned int: a call
 * takes only the low 32 bits of the register, so callers convert once,
 * int fd = (int)a->a[0], and use that fd for every access to the table.
 */
static struct file *
getf(int fd)
{
	return fd_get(fds(), fd);
}

/*
 * getf_for - the file at fd if it was opened for this direction, else NULL.
 * The access mode is checked here, once, so a fileops whose file is never
 * opened for writing (or reading) need not supply a refusing stub.
 */
static struct file *
getf_for(int fd, bool write)
{
	struct file *f = getf(fd);

	if (f == NULL || (f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
		return NULL;
	return f;
}

/* Is f a directory (of the initrd or of /proc)? */
static bool
file_is_dir(struct file *f)
{
	struct linux_stat st;

	memset(&st, 0, sizeof(st));
	f->ops->stat(f, &st);
	return S_ISDIR(st.st_mode);
}

static int64_t
do_open(uint64_t upath, uint64_t flags)
{
	char path[RAMFS_PATH_MAX];
	struct file *f;
	int error, fd;

	if (flags & ~(uint64_t)O_KNOWN)
		return -EINVAL;
	error = copyinstr(upath, path, sizeof(path));
	if (error < 0)
		return error;
	if (path[0] == '\0')
		return -ENOENT;
	error = file_open(path, (int)flags, &f);
	/* A read-only file system: creating is refused, opening is fine. */
	if (flags & O_CREAT) {
		if (error == 0 && (flags & O_EXCL)) {
			file_release(f);
			return -EEXIST;
		}
		if (error == -ENOENT)
			return -EROFS;
	}
	if (error != 0)
		return error;
	if ((flags & O_DIRECTORY) && !file_is_dir(f)) {
		file_release(f);
		return -ENOTDIR;
	}
	fd = fd_install(fds(), f, 0, (flags & O_CLOEXEC) != 0);
	if (fd < 0)
		file_release(f);
	return fd;
}

int64_t
sys_open(const struct sysargs *a)
{
	return do_open(a->a[0], a->a[1]);
}

int64_t
sys_openat(const struct sysargs *a)
{
	if ((int)a->a[0] != AT_FDCWD)
		return -ENOSYS;     /* relative to a directory fd: not yet */
	return do_open(a->a[1], a->a[2]);
}

int64_t
sys_close(const struct sysargs *a)
{
	int fd = (int)a->a[0];
	struct file *f = getf(fd);

	if (f == NULL)
		return -EBADF;
	fds()->fd[fd] = NULL;
	file_release(f);
	return 0;
}

int64_t
sys_read(const struct sysargs *a)
{
	struct file *f = getf_for((int)a->a[0], false);

	if (f == NULL)
		return -EBADF;
	if ((int64_t)a->a[2] < 0)
		return -EINVAL;
	return f->ops->read(f, a->a[1], a->a[2], &f->off);
}

int64_t
sys_pread64(const struct sysargs *a)
{
	struct file *f = getf((int)a->a[0]);
	uint64_t off = a->a[3];

	if (f == NULL)
		return -EBADF;
	if ((int64_t)off < 0)
		return -EINVAL;
	if (f->pipe != NULL || f->node == NULL)
		return -ESPIPE;
	if (getf_for((int)a->a[0], false) == NULL)
		return -EBADF;
	return f->ops->read(f, a->a[1], a->a[2], &off);
}

int64_t
sys_write(const struct sysargs *a)
{
	struct file *f = getf_for((int)a->a[0], true);

	if (f == NULL)
		return -EBADF;
	if ((int64_t)a->a[2] < 0)
		return -EINVAL;
	return f->ops->write(f, a->a[1], a->a[2]);
}

struct iovec_user {
	uint64_t base;
	uint64_t len;
};

/* readv and writev: the segments in order, stopping at the first short one. */
static int64_t
do_rw_vec(const struct sysargs *a, bool write)
{
	struct file *f = getf_for((int)a->a[0], write);
	struct iovec_user iov;
	int64_t total = 0;

	if (f == NULL)
		return -EBADF;
	if (a->a[2] > IOV_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < a->a[2]; i++) {
		if (copyin(a->a[1] + i * sizeof(iov), &iov, sizeof(iov)) != 0)
			return total > 0 ? total : -EFAULT;
		if ((int64_t)iov.len < 0)
			return -EINVAL;
		int64_t n = write ? f->ops->write(f, iov.base, iov.len) :
		    f->ops->read(f, iov.base, iov.len, &f->off);
		if (n < 0)
			return total > 0 ? total : n;
		total += n;
		if ((uint64_t)n < iov.len)
			break;
	}
	return total;
}

int64_t
sys_readv(const struct sysargs *a)
{
	return do_rw_vec(a, false);
}

int64_t
sys_writev(const struct sysargs *a)
{
	return do_rw_vec(a, true);
}

int64_t
sys_lseek(const struct sysargs *a)
{
	struct file *f = getf((int)a->a[0]);
	int64_t off = (int64_t)a->a[1], base;

	if (f == NULL)
		return -EBADF;
	if (f->pipe != NULL || f->ops == &console_fileops)
		return -ESPIPE;
	if (a->a[2] == 0)
		base = 0;
	else if (a->a[2] == 1)
		base = (int64_t)f->off;
	else if (a->a[2] == 2)
		base = f->node != NULL ? (int64_t)f->node->size : (int64_t)f->textlen;
	else
		return -EINVAL;
	if (base + off < 0)
		return -EINVAL;
	f->off = (uint64_t)(base + off);
	return (int64_t)f->off;
}

int64_t
sys_fstat(const struct sysargs *a)
{
	struct file *f = getf((int)a->a[0]);
	struct linux_stat st;

	if (f == NULL)
		return -EBADF;
	memset(&st, 0, sizeof(st));
	f->ops->stat(f, &st);
	return copyout(&st, a->a[1], sizeof(st));
}

#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH 0x1000

int64_t
sys_newfstatat(const struct sysargs *a)
{
	char path[RAMFS_PATH_MAX];
	struct linux_stat st;
	struct file *f;
	int error = copyinstr(a->a[1], path, sizeof(path));

	if (error < 0)
		return error;
	if (a->a[3] & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800))
		return -EINVAL;
	if (path[0] == '\0' && (a->a[3] & AT_EMPTY_PATH))
		return sys_fstat(&(struct sysargs){ { a->a[0], a->a[2] }, a->tf });
	if ((int)a->a[0] != AT_FDCWD && path[0] != '/')
		return -ENOSYS;
	error = file_open(path, 0, &f);
	if (error != 0)
		return error;
	memset(&st, 0, sizeof(st));
	f->ops->stat(f, &st);
	file_release(f);
	return copyout(&st, a->a[2], sizeof(st));
}

int64_t
sys_stat(const struct sysargs *a)
{
	return sys_newfstatat(&(struct sysargs){ { (uint64_t)AT_FDCWD, a->a[0], a->a[1], 0 }, a->tf });
}

static int64_t
do_pipe(uint64_t ufds, uint64_t flags)
{
	struct file *rf, *wf;
	int fdv[2], error;

	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (!uaccess_ok(ufds, sizeof(fdv)))
		return -EFAULT;
	error = pipe_create(&rf, &wf);
	if (error != 0)
		return error;
	rf->flags |= (int)(flags & O_NONBLOCK);
	wf->flags |= (int)(flags & O_NONBLOCK);
	fdv[0] = fd_install(fds(), rf, 0, (flags & O_CLOEXEC) != 0);
	fdv[1] = fdv[0] < 0 ? -1 : fd_install(fds(), wf, 0, (flags & O_CLOEXEC) != 0);
	if (fdv[1] < 0 || copyout(fdv, ufds, sizeof(fdv)) != 0) {
		error = fdv[1] < 0 ? -EMFILE : -EFAULT;
		if (fdv[0] >= 0)
			fds()->fd[fdv[0]] = NULL;
		if (fdv[1] >= 0)
			fds()->fd[fdv[1]] = NULL;
		file_release(rf);
		file_release(wf);
		return error;
	}
	return 0;
}

int64_t
sys_pipe(const struct sysargs *a)
{
	return do_pipe(a->a[0], 0);
}

int64_t
sys_pipe2(const struct sysargs *a)
{
	return do_pipe(a->a[0], a->a[1]);
}

/* dup, F_DUPFD: oldfd again at the lowest free descriptor >= min. */
static int64_t
dup_lowest(int oldfd, int min, bool cloexec)
{
	struct file *f = getf(oldfd);
	int fd;

	if (f == NULL)
		return -EBADF;
	file_hold(f);
	fd = fd_install(fds(), f, min, cloexec);
	if (fd < 0)
		file_release(f);
	return fd;
}

/* dup2, dup3: oldfd again at newfd, closing what newfd held. */
static int64_t
dup_onto(int oldfd, int newfd, bool cloexec)
{
	struct file *f = getf(oldfd);

	if (f == NULL || (unsigned)newfd >= NOFILE)
		return -EBADF;
	if (newfd == oldfd)
		return newfd;
	file_hold(f);
	if (fds()->fd[newfd] != NULL)
		file_release(fds()->fd[newfd]);
	fds()->fd[newfd] = f;
	fd_set_cloexec(fds(), newfd, cloexec);
	return newfd;
}

int64_t
sys_dup(const struct sysargs *a)
{
	return dup_lowest((int)a->a[0], 0, false);
}

int64_t
sys_dup2(const struct sysargs *a)
{
	return dup_onto((int)a->a[0], (int)a->a[1], false);
}

int64_t
sys_dup3(const struct sysargs *a)
{
	int oldfd = (int)a->a[0], newfd = (int)a->a[1];

	if (a->a[2] & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return dup_onto(oldfd, newfd, (a->a[2] & O_CLOEXEC) != 0);
}

/*
 * F_SETPIPE_SZ: a pipe's buffer is fixed at pipe_size bytes, which is
 * what Linux answers for any smaller request (it rounds up); more than
 * that cannot be had: -ENOMEM.  => the size, -EBADF or -ENOMEM.
 */
static int64_t
pipe_set_size(struct file *f, uint64_t want)
{
	int size = pipe_size(f);

	if (size < 0)
		return size;
	return want <= (uint64_t)size ? size : -ENOMEM;
}

int64_t
sys_fcntl(const struct sysargs *a)
{
	int fd = (int)a->a[0];
	struct file *f = getf(fd);

	if (f == NULL)
		return -EBADF;
	switch (a->a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a->a[2] >= NOFILE)
			return -EINVAL;
		return dup_lowest(fd, (int)a->a[2], a->a[1] == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return (fds()->cloexec >> fd) & 1 ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_set_cloexec(fds(), fd, (a->a[2] & FD_CLOEXEC) != 0);
		return 0;
	case F_GETFL:
		return f->flags & (O_ACCMODE | O_APPEND | O_NONBLOCK);
	case F_SETFL:
		f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK)) |
		    (int)(a->a[2] & (O_APPEND | O_NONBLOCK));
		return 0;
	case F_GETPIPE_SZ:
		return pipe_size(f);
	case F_SETPIPE_SZ:
		return pipe_set_size(f, a->a[2]);
	default:
		return -EINVAL;
	}
}

int64_t
sys_ioctl(const struct sysargs *a)
{
	struct file *f = getf((int)a->a[0]);

	if (f == NULL)
		return -EBADF;
	if (f->ops != &console_fileops)
		return -ENOTTY;
	return tty_ioctl(a->a[1], a->a[2]);
}

/* getdents64: entries from index f->off on, as struct linux_dirent64. */
int64_t
sys_getdents64(const struct sysargs *a)
{
	struct file *f = getf((int)a->a[0]);
	uint8_t rec[8 + 8 + 2 + 1 + RAMFS_NAME_MAX + 1 + 8];
	struct file_dirent d;
	uint64_t out = 0;
	int found;

	if (f == NULL)
		return -EBADF;
	for (; (found = file_readdir(f, f->off, &d)) > 0; f->off++) {
		size_t nl = MIN(d.namelen, (size_t)RAMFS_NAME_MAX);
		uint16_t reclen = (uint16_t)ROUND_UP(19 + nl + 1, 8);
		if (out + reclen > a->a[2])
			return out > 0 ? (int64_t)out : -EINVAL;
		memset(rec, 0, reclen);
		memcpy(rec, &d.ino, 8);
		uint64_t next = f->off + 1;
		memcpy(rec + 8, &next, 8);
		memcpy(rec + 16, &reclen, 2);
		rec[18] = d.type;
		memcpy(rec + 19, d.name, nl);
		if (copyout(rec, a->a[1] + out, reclen) != 0)
			return -EFAULT;
		out += reclen;
	}
	return found < 0 ? found : (int64_t)out;
}

/*
 * access to a device or a /proc file, which are not in the ramfs: it
 * exists if it opens; devices may be read and written, /proc files only
 * read, and only /proc's directories "executed" (searched).
 */
static int64_t
access_generated(const char *path, int mode)
{
	struct linux_stat st;
	struct file *f;
	int error = file_open(path, O_RDONLY, &f);

	if (error != 0)
		return error;
	memset(&st, 0, sizeof(st));
	f->ops->stat(f, &st);
	file_release(f);
	if ((mode & 2) && strncmp(path, "/proc", 5) == 0)
		return -EACCES;
	if ((mode & 1) && !S_ISDIR(st.st_mode))
		return -EACCES;
	return 0;
}

int64_t
sys_access(const struct sysargs *a)
{
	char path[RAMFS_PATH_MAX];
	struct rnode *n;
	int error = copyinstr(a->a[0], path, sizeof(path));

	if (error < 0)
		return error;
	if (a->a[1] & ~7UL)
		return -EINVAL;
	if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc", 5) == 0)
		return access_generated(path, (int)a->a[1]);
	error = ramfs_lookup(ramfs_boot, NULL, path, true, &n);
	if (error != 0)
		return error;
	if ((a->a[1] & 2) != 0)
		return -EROFS;
	if ((a->a[1] & 1) && !(n->mode & 0111))
		return -EACCES;
	return 0;
}

int64_t
sys_faccessat(const struct sysargs *a)
{
	if ((int)a->a[0] != AT_FDCWD)
		return -ENOSYS;
	return sys_access(&(struct sysargs){ { a->a[1], a->a[2] }, a->tf });
}

/* readlink of /proc/self/fd/N: what fd N is open on (file_path). */
static int64_t
readlink_fd(const char *num, uint64_t ubuf, uint64_t size)
{
	char target[RAMFS_PATH_MAX];
	struct file *f;
	int fd = 0;

	if (*num == '\0')
		return -ENOENT;
	for (; *num >= '0' && *num <= '9' && fd < NOFILE; num++)
		fd = fd * 10 + (*num - '0');
	if (*num != '\0' || (f = getf(fd)) == NULL)
		return -ENOENT;
	size_t len = MIN((size_t)file_path(f, target, sizeof(target)), size);
	return copyout(target, ubuf, len) == 0 ? (int64_t)len : -EFAULT;
}

int64_t
sys_readlink(const struct sysargs *a)
{
	char path[RAMFS_PATH_MAX];
	const char *target;
	struct rnode *n;
	int error = copyinstr(a->a[0], path, sizeof(path));

	if (error < 0)
		return error;
	if ((int64_t)a->a[2] <= 0)
		return -EINVAL;
	if (strcmp(path, "/proc/self/exe") == 0) {
		target = curproc->exe;
	} else if (strncmp(path, "/proc/self/fd/", 14) == 0) {
		return readlink_fd(path + 14, a->a[1], a->a[2]);
	} else {
		error = ramfs_lookup(ramfs_boot, NULL, path, false, &n);
		if (error != 0)
			return error;
		if (!S_ISLNK(n->mode))
			return -EINVAL;
		size_t len = MIN(n->size, a->a[2]);
		return copyout(n->data, a->a[1], len) == 0 ? (int64_t)len : -EFAULT;
	}
	size_t len = MIN(strlen(target), a->a[2]);
	return copyout(target, a->a[1], len) == 0 ? (int64_t)len : -EFAULT;
}
