/*
 * kern/fs/file.h - open files and file descriptors.
 *
 *   proc->fds->fd[3] --> struct file {refs 2, ops = &pipe_read_ops, ...}
 *   proc->fds->fd[4] -/        (dup'd, or inherited by a fork)
 *
 * A file is one open instance: the console, a vnode's file, one end of a
 * pipe, or a generated text (/proc/self/maps, /proc/meminfo) snapshot
 * taken at open.  Descriptors are per process (all its threads share
 * them); files are shared by reference count across dup and fork, and
 * every system call that uses one holds a reference of its own for the
 * call (fd_get ... fd_put), so a close by another thread meanwhile only
 * empties the slot (kern/fs/file.c says how).
 */
#ifndef KERN_FILE_H
#define KERN_FILE_H

#include "kern/lib/spinlock.h"
#include "kern/lib/types.h"

/*
 * Descriptors per process: 0 to NOFILE - 1 (RLIMIT_NOFILE, fixed).  Linux's
 * soft limit is 1024; 64 was too few for trinity, whose main process
 * holds some 60 descriptors (test files, pipes, memfds, /proc files)
 * and refuses to fork children with fewer than 3 to spare.  A bitmap
 * word per 64 descriptors: fd_bit().
 */
#define NOFILE 256
#define FD_WORDS (NOFILE / 64)

/* fd_bit - is descriptor fd's bit set in map (FD_WORDS words)? */
static inline bool
fd_bit(const uint64_t *map, int fd)
{
	return (map[fd / 64] >> (fd % 64)) & 1;
}

struct file;
struct vnode;
struct pipe;
struct linux_stat;

/* The flags a struct file keeps (Linux's values). */
#define O_ACCMODE 3
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_APPEND 02000
#define O_NONBLOCK 04000

struct fileops {
	/*
	 * Copy to/from user buffers; return bytes or -errno.  May sleep.
	 * The system calls check the access mode first, so a file that is
	 * never opened for writing (reading) may leave write (read) NULL.
	 */
	int64_t (*read)(struct file *f, uint64_t ubuf, size_t len, uint64_t *off);
	int64_t (*write)(struct file *f, uint64_t ubuf, size_t len);
	void (*close)(struct file *f);
	int (*stat)(struct file *f, struct linux_stat *st);
	/*
	 * Which POLL* events hold now (kern/sys/sys_poll.c asks, and masks
	 * the answer with what the caller wanted, POLLERR and POLLHUP
	 * always).  Never sleeps.  Whoever makes an event true afterwards
	 * calls poll_wakeup.  NULL: always ready (FILE_POLL_READY), as
	 * Linux's files without a poll method.
	 */
	uint32_t (*poll)(struct file *f);
};

/* poll(2)'s events (Linux's values). */
#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
/* Not an event: "nothing will call poll_wakeup for me; ask again at the
 * next clock tick" (the terminal while its input is polled). */
#define POLL_TICK 0x10000
/* What a file that never waits answers (Linux's DEFAULT_POLLMASK). */
#define FILE_POLL_READY (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

/*
 * file_poll - f's readiness: its poll op's answer, FILE_POLL_READY
 * without one.  => never sleeps.
 */
uint32_t file_poll(struct file *f);

/* file_poll_ready - a poll op for files that never wait (regular files,
 * directories, /dev/null, /proc's texts): FILE_POLL_READY. */
uint32_t file_poll_ready(struct file *f);

/*
 * poll_wakeup - an event on some file (bytes in, room made, a hang-up):
 * every thread sleeping in poll or select looks again (kern/sys/sys_poll.c).
 *  => any context, interrupt handlers included, any spin lock held (its
 *     own lock is a leaf); never sleeps.
 */
void poll_wakeup(void);

struct file {
	int refs;
	int flags;                  /* O_ACCMODE, O_APPEND, O_NONBLOCK */
	uint64_t off;
	const struct fileops *ops;
	struct vnode *vp;           /* vnode files: referenced (vfs_vnops.c) */
	struct vnode *dvp;          /* ... the directory it was opened in and */
	char *name;                 /* its name there (for /proc/PID/fd), or NULL */
	struct pipe *pipe;
	char *text;                 /* generated files: the snapshot */
	size_t textlen;
};

/* Linux's struct stat on x86-64 (144 bytes). */
struct linux_stat {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	uint64_t st_atime, st_atime_ns, st_mtime, st_mtime_ns, st_ctime, st_ctime_ns;
	int64_t unused[3];
};

/*
 * The descriptor table of a process, shared by its threads.  lock covers
 * fd[] and cloexec; it is a leaf, never held across a file's release
 * (a close op may sleep).
 */
struct fdtable {
	struct spinlock lock;
	struct file *fd[NOFILE];
	uint64_t cloexec[FD_WORDS]; /* bit n: close fd n on exec (fd_bit) */
};

/* file_alloc - a new file with one reference, or NULL. */
struct file *file_alloc(const struct fileops *ops, int flags);
void file_hold(struct file *f);
/* file_release - drop a reference; the last calls the close op and frees
 * f.  => no spin lock held (the close op may sleep). */
void file_release(struct file *f);

/* fdtable_init - an empty table with its lock (before any other use). */
void fdtable_init(struct fdtable *t);

/*
 * fdtable_alloc - a process's table, empty (fdtable_init'd), in a page of
 * its own: kept apart from struct proc so that each fits in a page.
 *  => returns NULL when memory is short.  Does not sleep.
 */
struct fdtable *fdtable_alloc(void);
/* fdtable_free - give back fdtable_alloc's table; every slot must be
 * empty (fdtable_close_all).  => nothing locked. */
void fdtable_free(struct fdtable *t);

/*
 * fd_install - the lowest free descriptor >= min for f.
 *  => takes the caller's reference on success; returns the descriptor,
 *     or -EMFILE (the caller keeps its reference).  Takes t->lock.
 */
int fd_install(struct fdtable *t, struct file *f, int min, bool cloexec);

/*
 * fd_get - the file at fd, with a reference of the caller's own, or NULL
 * (fd not open, or out of range).
 *  => takes t->lock briefly; the file stays valid until fd_put, whatever
 *     other threads do to the slot meanwhile.  Never sleeps.
 */
struct file *fd_get(struct fdtable *t, int fd);

/* fd_put - drop fd_get's reference.  => no spin lock held; may sleep (a
 * last reference closes the file). */
void fd_put(struct file *f);

/*
 * fd_close - close(2): empty slot fd and drop the table's reference.
 *  => 0 or -EBADF.  The file closes when the last user's fd_put comes;
 *     a thread blocked in it is not woken.  May sleep.
 */
int fd_close(struct fdtable *t, int fd);

/*
 * fd_uninstall - undo an fd_install whose call failed later: empty fd if
 * it still holds f.
 *  => true if it did (the table's reference now is the caller's again);
 *     false if another thread closed or replaced it meanwhile.
 */
bool fd_uninstall(struct fdtable *t, int fd, struct file *f);

/*
 * fd_dup_onto - dup2/dup3: f (the caller's reference moves in) at newfd,
 * with its close-on-exec bit; the file newfd held is released after the
 * lock is dropped.  => newfd, or -EBADF if out of range.  May sleep.
 */
int fd_dup_onto(struct fdtable *t, struct file *f, int newfd, bool cloexec);

/* fd_set_cloexec - whether fd closes on exec (FD_CLOEXEC).  => 0, or
 * -EBADF if fd is not open. */
int fd_set_cloexec(struct fdtable *t, int fd, bool on);
/* fd_get_cloexec - fd's close-on-exec bit: 0 or 1, or -EBADF. */
int fd_get_cloexec(struct fdtable *t, int fd);

/* fd_open_mask - bit n of mask (FD_WORDS words) set when fd n is open. */
void fd_open_mask(struct fdtable *t, uint64_t *mask);

/* fdtable_init_console - fds 0, 1, 2 on the console. */
int fdtable_init_console(struct fdtable *t);
/* fdtable_fork - child (empty: fdtable_alloc or fdtable_init) becomes a
 * copy of parent, every file held once more.  /proc may read the child
 * meanwhile (its lock is not re-made under it).  => takes parent->lock. */
void fdtable_fork(struct fdtable *child, struct fdtable *parent);
/* fdtable_exec - close the close-on-exec descriptors.  May sleep. */
void fdtable_exec(struct fdtable *t);
/* fdtable_close_all - at exit.  May sleep. */
void fdtable_close_all(struct fdtable *t);

/* Pipes (kern/fs/pipe.c): a reading and a writing file. */
int pipe_create(struct file **rf, struct file **wf);
/* pipe_size - the bytes f's pipe holds (F_GETPIPE_SZ), or -EBADF: no pipe. */
int pipe_size(const struct file *f);

/*
 * pipe_resize - F_SETPIPE_SZ: f's pipe's ring becomes want bytes, rounded
 * up to a power of two from a page to 1 MiB.
 *  => the new size, or -EBADF (no pipe), -ENOMEM, -EBUSY (the bytes
 *     waiting do not fit).  May sleep.
 */
int pipe_resize(struct file *f, uint64_t want);

/* The console as a file; /dev/null and /dev/zero (devfs opens them). */
extern const struct fileops console_fileops;
extern const struct fileops null_fileops;
extern const struct fileops zero_fileops;

/* Generated text as a read-only file (kmem buffer, taken over). */
struct file *file_from_text(char *text, size_t len);

/* Generated names as a directory (kmem buffer, taken over): one name a
 * line, a directory's name ending in '/'. */
struct file *file_from_dirtext(char *names, size_t len);

/* One directory entry, as getdents64 reports it. */
struct file_dirent {
	const char *name;           /* not NUL-terminated: namelen bytes */
	size_t namelen;
	uint64_t ino;
	uint8_t type;               /* FILE_DT_* (Linux's DT_ values) */
};

#define FILE_DT_DIR 4
#define FILE_DT_REG 8
#define FILE_DT_LNK 10

/*
 * file_readdir - entry index of directory f into *d.
 *  => 1 found, 0 past the end, -ENOTDIR if f is no directory.
 */
int file_readdir(struct file *f, uint64_t index, struct file_dirent *d);

/* file_path - what readlink of /proc/self/fd/N says for f, into buf; its length. */
int file_path(struct file *f, char *buf, size_t size);

/* file_is_zero - is f /dev/zero (mmap maps it as anonymous memory)? */
bool file_is_zero(const struct file *f);

/*
 * file_open - open a path (kernel memory; relative to the cwd) as open(2)
 * would without O_CREAT: namei, then vn_file_open.
 *  => 0 and *fp, or namei's / the open's -errno.  May sleep.
 */
int file_open(const char *path, int flags, struct file **fp);

/*
 * file_getdents - getdents64 of a generated directory (file_from_dirtext):
 * linux_dirent64 records from entry f->off on into the user buffer.
 *  => bytes given (0 at the end), -ENOTDIR, -EINVAL (no room for one), -EFAULT.
 */
int64_t file_getdents(struct file *f, uint64_t ubuf, size_t len);

#endif
