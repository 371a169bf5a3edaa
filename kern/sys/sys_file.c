/*
 * kern/sys/sys_file.c - system calls over the descriptor table: close,
 * read/write and their vector and positioned forms, lseek, fstat,
 * pipe/pipe2, dup/dup2/dup3, fcntl, ioctl.  The calls that name files
 * by path are in sys_vfs.c.
 *
 * Every call finds its file with getf (or getf_for, which also checks the
 * access mode the file was opened with), which holds a reference for the
 * call - another thread may close the descriptor meanwhile - then calls
 * the file's ops and drops it with fd_put on every way out; a
 * positioned read or write (pread64, pwritev) of a vnode file goes to
 * vn_read/vn_write with an offset of its own, leaving f->off alone.
 */
#include "kern/fs/file.h"
#include "kern/fs/tty.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/sys/syscall.h"
#include "kern/arch/uaccess.h"
#include "kern/vfs/vfs.h"
#include "kern/vfs/vfs_vnops.h"

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
	return curproc->fds;
}

/*
 * The file at fd, held (fd_put), or NULL.  Linux's descriptors are unsigned int: a call
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
static bool
file_mode_ok(const struct file *f, bool write)
{
	return (f->flags & O_ACCMODE) != (write ? O_RDONLY : O_WRONLY) &&
	    !(f->flags & O_PATH);
}

static struct file *
getf_for(int fd, bool write)
{
	struct file *f = getf(fd);

	if (f != NULL && !file_mode_ok(f, write)) {
		fd_put(f);
		return NULL;
	}
	return f;
}

int64_t
sys_close(const struct sysargs *a)
{
	return fd_close(fds(), (int)a->a[0]);
}

int64_t
sys_read(const struct sysargs *a)
{
	struct file *f = getf_for((int)a->a[0], false);
	int64_t r;

	if (f == NULL)
		return -EBADF;
	r = (int64_t)a->a[2] < 0 ? -EINVAL :
	    f->ops->read(f, a->a[1], a->a[2], &f->off);
	fd_put(f);
	return r;
}

/* Has f a position (pread, pwrite, lseek)?  Pipes and terminals do not. */
static bool
file_seekable(const struct file *f)
{
	return vn_is_file(f) || f->text != NULL;
}

/*
 * A read or write of f at *off (a positioned call's own offset): vnode
 * files through vn_read/vn_write, generated texts through their read.
 */
static int64_t
rw_at(struct file *f, uint64_t ubuf, size_t len, uint64_t *off, bool write)
{
	if (vn_is_file(f))
		return write ? vn_write(f->vp, ubuf, len, off,
		    (f->flags & O_APPEND) != 0) : vn_read(f->vp, ubuf, len, off);
	return write ? -EINVAL : f->ops->read(f, ubuf, len, off);
}

/*
 * The file of a positioned call (pread64/pwrite64, preadv/pwritev: fd in
 * a[0], the offset in a[3]) in *fp, held (fd_put): the offset must not be
 * negative, the file must have a position and be open for the direction
 * - checked in Linux's order: -EBADF, -EINVAL, -ESPIPE, then -EBADF
 * (wrong mode).
 */
static int
getf_at(const struct sysargs *a, bool write, struct file **fp)
{
	struct file *f = getf((int)a->a[0]);
	int error = 0;

	if (f == NULL)
		return -EBADF;
	if ((int64_t)a->a[3] < 0)
		error = -EINVAL;
	else if (!file_seekable(f))
		error = -ESPIPE;
	else if (!file_mode_ok(f, write))
		error = -EBADF;
	if (error != 0)
		fd_put(f);
	else
		*fp = f;
	return error;
}

/* pread64/pwrite64: fd, buf, count, offset; f->off stays. */
static int64_t
do_prw(const struct sysargs *a, bool write)
{
	struct file *f;
	uint64_t off = a->a[3];
	int64_t r = getf_at(a, write, &f);

	if (r != 0)
		return r;
	r = (int64_t)a->a[2] < 0 ? -EINVAL : rw_at(f, a->a[1], a->a[2], &off, write);
	fd_put(f);
	return r;
}

int64_t
sys_pread64(const struct sysargs *a)
{
	return do_prw(a, false);
}

int64_t
sys_pwrite64(const struct sysargs *a)
{
	return do_prw(a, true);
}

int64_t
sys_write(const struct sysargs *a)
{
	struct file *f = getf_for((int)a->a[0], true);
	int64_t r;

	if (f == NULL)
		return -EBADF;
	r = (int64_t)a->a[2] < 0 ? -EINVAL : f->ops->write(f, a->a[1], a->a[2]);
	fd_put(f);
	return r;
}

struct iovec_user {
	uint64_t base;
	uint64_t len;
};

/*
 * readv/writev (off NULL: at f->off, through the ops) and preadv/pwritev
 * (at *off): the segments in order, stopping at the first short one.
 */
static int64_t
do_rw_vec(struct file *f, uint64_t uiov, uint64_t cnt, uint64_t *off,
    bool write)
{
	struct iovec_user iov;
	int64_t total = 0;

	if (cnt > IOV_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		if (copyin(uiov + i * sizeof(iov), &iov, sizeof(iov)) != 0)
			return total > 0 ? total : -EFAULT;
		if ((int64_t)iov.len < 0)
			return -EINVAL;
		int64_t n = off != NULL ? rw_at(f, iov.base, iov.len, off, write) :
		    write ? f->ops->write(f, iov.base, iov.len) :
		    f->ops->read(f, iov.base, iov.len, &f->off);
		if (n < 0)
			return total > 0 ? total : n;
		total += n;
		if ((uint64_t)n < iov.len)
			break;
	}
	return total;
}

static int64_t
do_rw_vec_fd(const struct sysargs *a, bool write)
{
	struct file *f = getf_for((int)a->a[0], write);
	int64_t r;

	if (f == NULL)
		return -EBADF;
	r = do_rw_vec(f, a->a[1], a->a[2], NULL, write);
	fd_put(f);
	return r;
}

/* preadv/pwritev(fd, iov, cnt, pos_l, pos_h): on x86-64 pos_l is all. */
static int64_t
do_prw_vec(const struct sysargs *a, bool write)
{
	struct file *f;
	uint64_t off = a->a[3];
	int64_t r = getf_at(a, write, &f);

	if (r != 0)
		return r;
	r = do_rw_vec(f, a->a[1], a->a[2], &off, write);
	fd_put(f);
	return r;
}

int64_t
sys_preadv(const struct sysargs *a)
{
	return do_prw_vec(a, false);
}

int64_t
sys_pwritev(const struct sysargs *a)
{
	return do_prw_vec(a, true);
}

int64_t
sys_readv(const struct sysargs *a)
{
	return do_rw_vec_fd(a, false);
}

int64_t
sys_writev(const struct sysargs *a)
{
	return do_rw_vec_fd(a, true);
}

/* lseek of a file that is no vnode: a generated text, or no position. */
static int64_t
lseek_other(struct file *f, int64_t off, uint64_t whence)
{
	int64_t base;

	if (f->pipe != NULL || f->ops == &console_fileops)
		return -ESPIPE;
	if (whence == 0)
		base = 0;
	else if (whence == 1)
		base = (int64_t)f->off;
	else if (whence == 2)
		base = (int64_t)f->textlen;
	else
		return -EINVAL;
	if (base + off < 0)
		return -EINVAL;
	f->off = (uint64_t)(base + off);
	return base + off;
}

int64_t
sys_lseek(const struct sysargs *a)
{
	struct file *f = getf((int)a->a[0]);
	int64_t r;

	if (f == NULL)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (vn_is_file(f))
		r = vn_lseek(f, (int64_t)a->a[1], (int)a->a[2]);
	else
		r = lseek_other(f, (int64_t)a->a[1], a->a[2]);
	fd_put(f);
	return r;
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
	fd_put(f);
	return copyout(&st, a->a[1], sizeof(st));
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
	if (fdv[1] >= 0 && copyout(fdv, ufds, sizeof(fdv)) == 0)
		return 0;
	/* Undo: a descriptor another thread closed meanwhile took its file. */
	error = fdv[1] < 0 ? -EMFILE : -EFAULT;
	if (fdv[0] < 0 || fd_uninstall(fds(), fdv[0], rf))
		file_release(rf);
	if (fdv[1] < 0 || fd_uninstall(fds(), fdv[1], wf))
		file_release(wf);
	return error;
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
	struct file *f = getf(oldfd);          /* this reference moves in */
	int fd;

	if (f == NULL)
		return -EBADF;
	fd = fd_install(fds(), f, min, cloexec);
	if (fd < 0)
		fd_put(f);
	return fd;
}

/*
 * dup2, dup3: oldfd again at newfd, closing what newfd held (after the
 * slot has changed, so a thread still using that file keeps it, as on
 * Linux).
 */
static int64_t
dup_onto(int oldfd, int newfd, bool cloexec)
{
	struct file *f = getf(oldfd);          /* this reference moves in */

	if (f == NULL)
		return -EBADF;
	if ((unsigned)newfd >= NOFILE || newfd == oldfd) {
		fd_put(f);
		return (unsigned)newfd >= NOFILE ? -EBADF : newfd;
	}
	return fd_dup_onto(fds(), f, newfd, cloexec);
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
 * F_SETFL: the status flags change with one compare-and-swap, so a
 * flag another thread sets at the same moment is not lost.
 */
static void
fcntl_setfl(struct file *f, uint64_t arg)
{
	int old = __atomic_load_n(&f->flags, __ATOMIC_RELAXED), new;

	do {
		new = (old & ~(O_APPEND | O_NONBLOCK)) |
		    (int)(arg & (O_APPEND | O_NONBLOCK));
	} while (!__atomic_compare_exchange_n(&f->flags, &old, new, false,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

/* The commands of fcntl on the held file f of descriptor fd. */
static int64_t
fcntl_file(int fd, struct file *f, uint64_t cmd, uint64_t arg)
{
	int r;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= NOFILE)
			return -EINVAL;
		return dup_lowest(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		r = fd_get_cloexec(fds(), fd);
		return r > 0 ? FD_CLOEXEC : r;
	case F_SETFD:
		return fd_set_cloexec(fds(), fd, (arg & FD_CLOEXEC) != 0);
	case F_GETFL:
		return f->flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH);
	case F_SETFL:
		fcntl_setfl(f, arg);
		return 0;
	case F_GETPIPE_SZ:
		return pipe_size(f);
	case F_SETPIPE_SZ:
		return pipe_resize(f, arg);
	default:
		return -EINVAL;
	}
}

int64_t
sys_fcntl(const struct sysargs *a)
{
	int fd = (int)a->a[0];
	struct file *f = getf(fd);
	int64_t r;

	if (f == NULL)
		return -EBADF;
	r = fcntl_file(fd, f, a->a[1], a->a[2]);
	fd_put(f);
	return r;
}

int64_t
sys_ioctl(const struct sysargs *a)
{
	struct file *f = getf((int)a->a[0]);
	int64_t r;

	if (f == NULL)
		return -EBADF;
	r = f->ops != &console_fileops ? -ENOTTY : tty_ioctl(a->a[1], a->a[2]);
	fd_put(f);
	return r;
}
