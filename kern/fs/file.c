/*
 * kern/fs/file.c - open files, descriptor tables, and the files that are
 * neither pipes nor vnode files (kern/vfs/vfs_vnops.c): the console,
 * /dev/null and /dev/zero, and /proc's generated texts.
 *
 *   proc A  fd 1 --> console file (refs 2) <-- fd 1  proc B (A's fork)
 *           fd 3 --> vnode file   (refs 2) <-- fd 3
 *                    off 120, ops = &vn_fileops, vp -> vnode
 *
 * (fds 0, 1 and 2 start as three console files, one each.)
 *
 * A struct file is one open: its offset and flags are shared by every
 * descriptor (and every process) that refers to it, and f->refs counts
 * those descriptors; the last file_release calls ops->close and frees it.
 * The access mode in f->flags is checked by the system calls before an
 * op is called, so a read-only file has no write op at all.
 *
 * Reads and writes copy through a small kernel buffer in chunks, so a
 * huge length costs no memory and a bad user pointer part way returns
 * what was done (or -EFAULT), as Linux does.
 *
 * Locking.  The threads of a process share its descriptor table, and
 * the kernel is preemptible, so two of them can be inside system calls
 * on one table at once: thread A blocked in read() on a pipe while
 * thread B closes that descriptor.  Each table has a spin lock, t->lock,
 * held only to read or change the slots and the close-on-exec bits, and
 * a slot's file is never used without a reference of the user's own:
 *
 *   thread A: read(3)                      thread B: close(3)
 *     fd_get: lock, f = fd[3],               fd_close: lock, f = fd[3],
 *             file_hold(f), unlock                     fd[3] = NULL, unlock
 *     f->ops->read(f) ... sleeps                       fd_put(f): refs 2 -> 1
 *     ... a writer fills the pipe: A reads the bytes
 *     fd_put(f): refs 1 -> 0, the file closes now
 *
 * as Linux does: close does not wake a reader blocked in the file, the
 * file lives until the last system call using it returns.  A file's
 * close op may sleep (vrele, a pipe's wakeups), so file_release never
 * runs under t->lock: whoever takes a file out of a slot drops the lock
 * first and releases it after.  t->lock is a leaf (taken inside
 * proc_lock by proc_info_get's fd_open_mask, nothing inside it).
 *
 * f->refs changes atomically.  f->off takes no lock: two threads reading
 * one file at the same moment may read the same bytes (Linux serialises
 * them with a per-file position lock; not done here).  A file's ops take
 * their own lock (the pipe's spin lock) and may sleep.
 */
#include "kern/fs/file.h"
#include "kern/fs/tty.h"
#include "kern/core/clock.h"
#include "kern/core/console.h"
#include "kern/arch/cpu.h"
#include "kern/core/sched.h"
#include "kern/proc/signal.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/fs/procfs.h"
#include "kern/fs/ramfs.h"
#include "kern/arch/uaccess.h"
#include "kern/vfs/vfs.h"
#include "kern/vfs/vfs_vnops.h"
#include "uvm/uvm_km.h"

#define CHUNK 256

struct file *
file_alloc(const struct fileops *ops, int flags)
{
	struct file *f = kmem_zalloc(sizeof(*f));

	if (f != NULL) {
		f->refs = 1;
		f->ops = ops;
		f->flags = flags;
	}
	return f;
}

void
file_hold(struct file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

void
file_release(struct file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	if (f->ops->close != NULL)
		f->ops->close(f);
	if (f->text != NULL)
		kmem_free(f->text, f->textlen + 1);
	kmem_free(f, sizeof(*f));
}

/* The lowest free slot >= min, or -EMFILE.  => t->lock held. */
static int
fd_lowest_free(const struct fdtable *t, int min)
{
	for (int fd = min; fd < NOFILE; fd++)
		if (t->fd[fd] == NULL)
			return fd;
	return -EMFILE;
}

/* fd's close-on-exec bit becomes on.  => t->lock held. */
static void
fd_cloexec_locked(struct fdtable *t, int fd, bool on)
{
	if (on)
		t->cloexec[fd / 64] |= 1UL << (fd % 64);
	else
		t->cloexec[fd / 64] &= ~(1UL << (fd % 64));
}

void
fdtable_init(struct fdtable *t)
{
	memset(t, 0, sizeof(*t));
	t->lock = (struct spinlock)SPINLOCK_INIT("fdtable");
}

struct fdtable *
fdtable_alloc(void)
{
	struct fdtable *t = kmem_alloc(sizeof(*t), 0);

	if (t != NULL)
		fdtable_init(t);
	return t;
}

void
fdtable_free(struct fdtable *t)
{
	for (int fd = 0; fd < NOFILE; fd++)
		KASSERT(t->fd[fd] == NULL);
	kmem_free(t, sizeof(*t));
}

int
fd_install(struct fdtable *t, struct file *f, int min, bool cloexec)
{
	int fd;

	spin_lock(&t->lock);
	fd = min < 0 ? -EINVAL : fd_lowest_free(t, min);
	if (fd >= 0) {
		t->fd[fd] = f;
		fd_cloexec_locked(t, fd, cloexec);
	}
	spin_unlock(&t->lock);
	return fd;
}

int
fd_set_cloexec(struct fdtable *t, int fd, bool on)
{
	int error = -EBADF;

	if (fd < 0 || fd >= NOFILE)
		return -EBADF;
	spin_lock(&t->lock);
	if (t->fd[fd] != NULL) {
		fd_cloexec_locked(t, fd, on);
		error = 0;
	}
	spin_unlock(&t->lock);
	return error;
}

int
fd_get_cloexec(struct fdtable *t, int fd)
{
	int r = -EBADF;

	if (fd < 0 || fd >= NOFILE)
		return -EBADF;
	spin_lock(&t->lock);
	if (t->fd[fd] != NULL)
		r = fd_bit(t->cloexec, fd);
	spin_unlock(&t->lock);
	return r;
}

struct file *
fd_get(struct fdtable *t, int fd)
{
	struct file *f = NULL;

	if (fd < 0 || fd >= NOFILE)
		return NULL;
	spin_lock(&t->lock);
	if ((f = t->fd[fd]) != NULL)
		file_hold(f);
	spin_unlock(&t->lock);
	return f;
}

void
fd_put(struct file *f)
{
	file_release(f);
}

/* Take the file out of slot fd (NULL if none).  => t->lock held. */
static struct file *
fd_take_locked(struct fdtable *t, int fd)
{
	struct file *f = t->fd[fd];

	t->fd[fd] = NULL;
	fd_cloexec_locked(t, fd, false);
	return f;
}

int
fd_close(struct fdtable *t, int fd)
{
	struct file *f;

	if (fd < 0 || fd >= NOFILE)
		return -EBADF;
	spin_lock(&t->lock);
	f = fd_take_locked(t, fd);
	spin_unlock(&t->lock);
	if (f == NULL)
		return -EBADF;
	file_release(f);
	return 0;
}

bool
fd_uninstall(struct fdtable *t, int fd, struct file *f)
{
	bool mine;

	spin_lock(&t->lock);
	if ((mine = fd >= 0 && fd < NOFILE && t->fd[fd] == f))
		fd_take_locked(t, fd);
	spin_unlock(&t->lock);
	return mine;
}

int
fd_dup_onto(struct fdtable *t, struct file *f, int newfd, bool cloexec)
{
	struct file *old;

	if (newfd < 0 || newfd >= NOFILE)
		return -EBADF;
	spin_lock(&t->lock);
	old = t->fd[newfd];
	t->fd[newfd] = f;
	fd_cloexec_locked(t, newfd, cloexec);
	spin_unlock(&t->lock);
	if (old != NULL)
		file_release(old);
	return newfd;
}

void
fd_open_mask(struct fdtable *t, uint64_t *mask)
{
	memset(mask, 0, FD_WORDS * sizeof(mask[0]));
	spin_lock(&t->lock);
	for (int fd = 0; fd < NOFILE; fd++)
		if (t->fd[fd] != NULL)
			mask[fd / 64] |= 1UL << (fd % 64);
	spin_unlock(&t->lock);
}

void
fdtable_fork(struct fdtable *child, struct fdtable *parent)
{
	spin_lock(&parent->lock);
	for (int fd = 0; fd < NOFILE; fd++) {
		if ((child->fd[fd] = parent->fd[fd]) != NULL)
			file_hold(child->fd[fd]);
	}
	memcpy(child->cloexec, parent->cloexec, sizeof(child->cloexec));
	spin_unlock(&parent->lock);
}

/*
 * Take out the first file at or after *next whose slot matches (every
 * open one, or only close-on-exec ones), NULL when none is left.
 *  => t->lock not held; the caller releases what it gets.
 */
static struct file *
fd_take_next(struct fdtable *t, int *next, bool cloexec_only)
{
	struct file *f = NULL;

	spin_lock(&t->lock);
	for (; *next < NOFILE && f == NULL; (*next)++) {
		if (t->fd[*next] != NULL &&
		    (!cloexec_only || fd_bit(t->cloexec, *next)))
			f = fd_take_locked(t, *next);
	}
	spin_unlock(&t->lock);
	return f;
}

void
fdtable_exec(struct fdtable *t)
{
	struct file *f;
	int next = 0;

	while ((f = fd_take_next(t, &next, true)) != NULL)
		file_release(f);
}

void
fdtable_close_all(struct fdtable *t)
{
	struct file *f;
	int next = 0;

	while ((f = fd_take_next(t, &next, false)) != NULL)
		file_release(f);
}

/* ---- the console ---- */

/* Reading the console: the terminal's line discipline (kern/fs/tty.c). */
static int64_t
console_read(struct file *f, uint64_t ubuf, size_t len, uint64_t *off)
{
	(void)f;
	(void)off;
	if (!uaccess_ok(ubuf, len))
		return -EFAULT;
	return tty_read(ubuf, len);
}

/*
 * Writing to the console, a chunk at a time.  The serial port is slow (a
 * write of a 64 MiB buffer takes minutes), so, as Linux's terminal
 * write does, a signal to act on ends it between chunks: the bytes
 * written so far, or -ERESTARTSYS if none (EINTR, or the write again
 * under SA_RESTART).  Without that, SIGKILL could not stop it.
 */
static int64_t
console_write_file(struct file *f, uint64_t ubuf, size_t len)
{
	char chunk[CHUNK];
	size_t done = 0;

	(void)f;
	if (!uaccess_ok(ubuf, len))
		return -EFAULT;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));
		if (curproc != NULL && signal_actionable(curproc))
			return done > 0 ? (int64_t)done : -ERESTARTSYS;
		if (copyin(ubuf + done, chunk, n) != 0)
			return done > 0 ? (int64_t)done : -EFAULT;
		console_write(chunk, n);
		done += n;
	}
	return (int64_t)done;
}

static int
console_stat(struct file *f, struct linux_stat *st)
{
	(void)f;
	st->st_mode = S_IFCHR | 0620;
	st->st_rdev = (5 << 8) | 1;     /* /dev/console */
	st->st_blksize = 1024;
	return 0;
}

const struct fileops console_fileops = {
	.read = console_read,
	.write = console_write_file,
	.stat = console_stat,
	.poll = tty_poll,
};

int
fdtable_init_console(struct fdtable *t)
{
	for (int fd = 0; fd < 3; fd++) {
		struct file *f = file_alloc(&console_fileops, O_RDWR);
		if (f == NULL)
			return -ENOMEM;
		fd_install(t, f, fd, false);
	}
	return 0;
}

/* ---- bytes already in memory: generated texts ---- */

static int64_t
bytes_read(const uint8_t *data, size_t size, uint64_t ubuf, size_t len, uint64_t *off)
{
	if (!uaccess_ok(ubuf, len))
		return -EFAULT;
	if (*off >= size)
		return 0;
	len = MIN(len, size - *off);
	if (copyout(data + *off, ubuf, len) != 0)
		return -EFAULT;
	*off += len;
	return (int64_t)len;
}

static int64_t
text_read(struct file *f, uint64_t ubuf, size_t len, uint64_t *off)
{
	return bytes_read((const uint8_t *)f->text, f->textlen, ubuf, len, off);
}

static int
text_stat(struct file *f, struct linux_stat *st)
{
	(void)f;
	st->st_mode = S_IFREG | 0444;
	st->st_blksize = 1024;
	st->st_dev = 2;
	return 0;
}

static const struct fileops text_fileops = {
	.read = text_read,
	.stat = text_stat,
	.poll = file_poll_ready,
};

struct file *
file_from_text(char *text, size_t len)
{
	struct file *f = file_alloc(&text_fileops, O_RDONLY);

	if (f == NULL) {
		kmem_free(text, len + 1);
		return NULL;
	}
	f->text = text;
	f->textlen = len;
	return f;
}

/* ---- generated directories: one name a line ---- */

static int
textdir_stat(struct file *f, struct linux_stat *st)
{
	(void)f;
	st->st_mode = S_IFDIR | 0555;
	st->st_nlink = 2;
	st->st_blksize = 1024;
	st->st_dev = 2;
	return 0;
}

static int64_t
textdir_read(struct file *f, uint64_t ubuf, size_t len, uint64_t *off)
{
	(void)f;
	(void)ubuf;
	(void)len;
	(void)off;
	return -EISDIR;
}

static const struct fileops textdir_fileops = {
	.read = textdir_read,
	.stat = textdir_stat,
	.poll = file_poll_ready,
};

struct file *
file_from_dirtext(char *names, size_t len)
{
	struct file *f = file_from_text(names, len);

	if (f != NULL)
		f->ops = &textdir_fileops;
	return f;
}

/* The index-th line of a generated directory into *d; false past the end. */
static bool
textdir_entry(const struct file *f, uint64_t index, struct file_dirent *d)
{
	const char *s = f->text, *end = f->text + f->textlen;

	for (uint64_t i = 0; s < end; i++) {
		size_t n = 0;
		while (s + n < end && s[n] != '\n')
			n++;
		if (n == 0)
			return false;
		if (i == index) {
			d->name = s;
			d->namelen = n;
			d->ino = 0x10000 + index;
			d->type = s[n - 1] == '/' ? FILE_DT_DIR : FILE_DT_REG;
			if (d->type == FILE_DT_DIR)
				d->namelen--;
			return true;
		}
		s += n + 1;
	}
	return false;
}

int
file_readdir(struct file *f, uint64_t index, struct file_dirent *d)
{
	if (f->ops == &textdir_fileops)
		return textdir_entry(f, index, d) ? 1 : 0;
	return -ENOTDIR;
}

/* ---- /dev/null and /dev/zero ---- */

static int64_t
null_read(struct file *f, uint64_t ubuf, size_t len, uint64_t *off)
{
	(void)f;
	(void)off;
	return uaccess_ok(ubuf, len) ? 0 : -EFAULT;     /* always at the end */
}

static int64_t
zero_read(struct file *f, uint64_t ubuf, size_t len, uint64_t *off)
{
	static const uint8_t zeros[CHUNK];
	size_t done = 0;

	(void)f;
	(void)off;
	if (!uaccess_ok(ubuf, len))
		return -EFAULT;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(zeros));
		if (copyout(zeros, ubuf + done, n) != 0)
			return done > 0 ? (int64_t)done : -EFAULT;
		done += n;
	}
	return (int64_t)done;
}

static int64_t
null_write(struct file *f, uint64_t ubuf, size_t len)
{
	(void)f;
	return uaccess_ok(ubuf, len) ? (int64_t)len : -EFAULT;
}

static int
null_stat(struct file *f, struct linux_stat *st)
{
	st->st_mode = S_IFCHR | 0666;
	st->st_rdev = f->ops->read == zero_read ? (1 << 8) | 5 : (1 << 8) | 3;
	return 0;
}

const struct fileops null_fileops = {
	.read = null_read,
	.write = null_write,
	.stat = null_stat,
	.poll = file_poll_ready,
};

const struct fileops zero_fileops = {
	.read = zero_read,
	.write = null_write,
	.stat = null_stat,
	.poll = file_poll_ready,
};

uint32_t
file_poll_ready(struct file *f)
{
	(void)f;
	return FILE_POLL_READY;
}

uint32_t
file_poll(struct file *f)
{
	return f->ops->poll != NULL ? f->ops->poll(f) : FILE_POLL_READY;
}

int
file_open(const char *path, int flags, struct file **fp)
{
	struct vnode *vp;
	int error = namei(NULL, path, NAMEI_FOLLOW, &vp, NULL);

	if (error != 0)
		return error;
	error = vn_file_open(vp, flags, fp);
	vrele(vp);
	return error;
}

int64_t
file_getdents(struct file *f, uint64_t ubuf, size_t len)
{
	uint8_t rec[8 + 8 + 2 + 1 + RAMFS_NAME_MAX + 1 + 8];
	struct file_dirent d;
	uint64_t out = 0;
	int found;

	for (; (found = file_readdir(f, f->off, &d)) > 0; f->off++) {
		size_t nl = MIN(d.namelen, (size_t)RAMFS_NAME_MAX);
		uint16_t reclen = (uint16_t)ROUND_UP(19 + nl + 1, 8);
		uint64_t next = f->off + 1;
		if (out + reclen > len)
			return out > 0 ? (int64_t)out : -EINVAL;
		memset(rec, 0, reclen);
		memcpy(rec, &d.ino, 8);
		memcpy(rec + 8, &next, 8);
		memcpy(rec + 16, &reclen, 2);
		rec[18] = d.type;
		memcpy(rec + 19, d.name, nl);
		if (copyout(rec, ubuf + out, reclen) != 0)
			return -EFAULT;
		out += reclen;
	}
	return found < 0 ? found : (int64_t)out;
}

int
file_path(struct file *f, char *buf, size_t size)
{
	if (vn_is_file(f))
		vn_file_path(f, buf, size);
	else if (f->pipe != NULL)
		ksnprintf(buf, size, "pipe:[%lu]", ((uint64_t)f->pipe >> 4) & 0xffffff);
	else if (f->ops == &console_fileops)
		strlcpy(buf, "/dev/console", size);
	else if (f->ops == &null_fileops)
		strlcpy(buf, "/dev/null", size);
	else if (f->ops == &zero_fileops)
		strlcpy(buf, "/dev/zero", size);
	else
		strlcpy(buf, "/proc", size);    /* a snapshot: its name is not kept */
	return (int)strlen(buf);
}

bool
file_is_zero(const struct file *f)
{
	return f->ops == &zero_fileops;
}
