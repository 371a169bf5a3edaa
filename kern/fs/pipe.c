/*
 * kern/fs/pipe.c - pipes: a ring buffer between a reading file and a
 * writing file.
 *
 *   write(fd[1], "abc") --> [ . . a b c . . . ] --> read(fd[0]) = "abc"
 *                            rpos^   count = 3
 *
 * A reader with nothing to read sleeps until a writer writes or the last
 * writer closes (then it reads end of file, 0); a writer with no room
 * sleeps until a reader reads, and gets EPIPE (and SIGPIPE) once no
 * reader is left.  Either may wait for ever, so both sleep interruptibly
 * (sleep_on_intr): a signal to act on - a SIGKILL, a handler to run -
 * ends the wait with -EINTR, or with the count so far if some bytes
 * moved.  With O_NONBLOCK they never sleep: -EAGAIN instead (a writer
 * of more than PIPE_BUF that could put some bytes returns that count).  A read takes what is
 * there, up to the request, sleeping only for the first byte.  Readers
 * and writers sleep on channels of their own, and each side wakes the
 * other only when it moved bytes: a wakeup that changes nothing, sent
 * to a fellow sleeper that answers in kind, is a livelock that never
 * turns interrupts on (the clock stops with it).  The
 * ring holds 64 KiB, Linux's default; fcntl F_SETPIPE_SZ makes it a
 * power of two from a page to 1 MiB (pipe_resize), F_GETPIPE_SZ says.
 *
 * A write of at most PIPE_BUF bytes (4096 as on Linux; the whole ring here)
 * goes in whole or not at all: its bytes are copied in first, then put
 * in one step once the ring has room for all of them, so no other
 * writer's bytes land in between and a reader never sees half of it
 * (POSIX's PIPE_BUF rule; stress-ng --pipe --verify checks each read
 * holds one write).  With O_NONBLOCK and too little room: -EAGAIN.
 * Longer writes go a chunk at a time and may interleave, as POSIX allows.
 *
 * A read into a bad buffer puts its bytes back, so -EFAULT loses no data
 * (two readers racing there could reorder them, and a writer that filled
 * the room first would cost the bytes that no longer fit).  Data moves
 * through a small buffer on the kernel stack so that the copy to or from
 * user memory - which may fault and sleep - never happens under the
 * pipe's spin lock.
 *
 * poll and select see the same state (pipe_poll): every change that
 * wakes a reader or writer here - bytes in, room made, an end closed -
 * also calls poll_wakeup, under the pipe's lock (poll's lock is a leaf
 * below it).
 */
#include "kern/fs/file.h"
#include "kern/lib/errno.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/fs/ramfs.h"
#include "kern/core/sched.h"
#include "kern/proc/signal.h"
#include "kern/arch/uaccess.h"
#include "uvm/uvm_km.h"

#define PIPE_SIZE 65536         /* a new pipe's ring, Linux's default */
#define PIPE_MIN_SIZE 4096      /* F_SETPIPE_SZ's smallest: a page */
#define PIPE_MAX_SIZE 1048576   /* and largest (Linux's pipe-max-size) */
#define PIPE_BUF 4096           /* written whole or not at all */
#define PIPE_CHUNK 256

struct pipe {
	struct spinlock lock;
	size_t rpos;
	size_t count;
	int readers;
	int writers;
	size_t size;                    /* the ring's bytes: F_SETPIPE_SZ */
	char *buf;
	/* Wait channels, used only for their addresses: readers sleep on
	 * rd_wait (for bytes, or the last writer's close), writers on
	 * wr_wait (for room, or the last reader's close).  A writer wakes
	 * only readers and a reader only writers: with one channel, two
	 * writers of a full pipe woke each other and slept again for ever,
	 * all with interrupts off, so the clock stopped too. */
	char rd_wait, wr_wait;
};

/* Take up to n bytes out of the ring.  => lock held. */
static size_t
ring_get(struct pipe *p, char *dst, size_t n)
{
	n = MIN(n, p->count);
	for (size_t i = 0; i < n; i++)
		dst[i] = p->buf[(p->rpos + i) % p->size];
	p->rpos = (p->rpos + n) % p->size;
	p->count -= n;
	return n;
}

static size_t
ring_put(struct pipe *p, const char *src, size_t n)
{
	n = MIN(n, p->size - p->count);
	for (size_t i = 0; i < n; i++)
		p->buf[(p->rpos + p->count + i) % p->size] = src[i];
	p->count += n;
	return n;
}

/*
 * Put n bytes taken by ring_get back in front: a read into a bad buffer
 * loses no data.  A writer may have filled the room they left meanwhile
 * (the reader woke it); then only what fits goes back, so the count
 * never passes the ring's size.  => lock held.
 */
static void
ring_unget(struct pipe *p, const char *src, size_t n)
{
	n = MIN(n, p->size - p->count);
	p->rpos = (p->rpos + p->size - n) % p->size;
	for (size_t i = 0; i < n; i++)
		p->buf[(p->rpos + i) % p->size] = src[i];
	p->count += n;
}

/*
 * Why the caller must not sleep for the pipe: -EAGAIN (O_NONBLOCK),
 * -ERESTARTSYS (a signal to act on), or 0 if it may.  => p->lock held, which
 * keeps a signal from arriving between this test and the sleep.
 */
static int
cannot_wait(const struct file *f)
{
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (signal_actionable(curproc))
		return -ERESTARTSYS;    /* EINTR, or a restart with SA_RESTART */
	return 0;
}

/*
 * Copy out what the ring holds, up to len bytes, a chunk at a time.
 *  => p->lock held on entry and exit (dropped around each copyout);
 *     bytes copied, or -EFAULT if none could be (the chunk that could
 *     not be copied is put back).
 */
static int64_t
pipe_drain(struct pipe *p, uint64_t ubuf, size_t len)
{
	char chunk[PIPE_CHUNK];
	size_t done = 0, n;

	while (done < len && (n = ring_get(p, chunk, MIN(len - done, sizeof(chunk)))) > 0) {
		wakeup(&p->wr_wait);    /* room (spurious if we put it back) */
		poll_wakeup();
		spin_unlock(&p->lock);
		int error = copyout(chunk, ubuf + done, n);
		spin_lock(&p->lock);
		if (error != 0) {
			ring_unget(p, chunk, n);
			return done > 0 ? (int64_t)done : -EFAULT;
		}
		done += n;
	}
	return (int64_t)done;
}

static int64_t
pipe_read(struct file *f, uint64_t ubuf, size_t len, uint64_t *off)
{
	struct pipe *p = f->pipe;
	int64_t n;

	(void)off;
	if (!uaccess_ok(ubuf, len))
		return -EFAULT;
	if (len == 0)
		return 0;
	spin_lock(&p->lock);
	while (p->count == 0 && p->writers > 0) {
		int error = cannot_wait(f);
		if (error != 0) {
			spin_unlock(&p->lock);
			return error;
		}
		sleep_on_intr(&p->rd_wait, &p->lock, "piperd");
	}
	n = pipe_drain(p, ubuf, len);
	spin_unlock(&p->lock);
	return n;
}

/*
 * Put up to n bytes in, sleeping for room.
 *  => bytes put (fewer than n only if stopped part way), or -EPIPE,
 *     -EAGAIN, -ERESTARTSYS when none were.  SIGPIPE once no reader is left.
 */
static int64_t
pipe_put_all(struct file *f, const char *src, size_t n)
{
	struct pipe *p = f->pipe;
	size_t done = 0;
	int error = 0;

	spin_lock(&p->lock);
	while (done < n && error == 0) {
		if (p->readers == 0) {
			error = -EPIPE;
			break;
		}
		size_t put = ring_put(p, src + done, n - done);
		if (put > 0) {
			done += put;
			wakeup(&p->rd_wait);
			poll_wakeup();
		}
		if (done < n && (error = cannot_wait(f)) == 0)
			sleep_on_intr(&p->wr_wait, &p->lock, "pipewr");
	}
	spin_unlock(&p->lock);
	if (error == -EPIPE)
		proc_signal(curproc, SIGPIPE);
	return done > 0 ? (int64_t)done : error;
}

/*
 * Put all n bytes (n <= PIPE_BUF) in one step, sleeping until there is
 * room for every one of them.
 *  => n, or -EPIPE, -EAGAIN, -ERESTARTSYS; SIGPIPE once no reader is left.
 */
static int64_t
pipe_put_whole(struct file *f, const char *src, size_t n)
{
	struct pipe *p = f->pipe;
	int error = 0;

	spin_lock(&p->lock);
	while (p->readers > 0 && p->size - p->count < n &&
	    (error = cannot_wait(f)) == 0)
		sleep_on_intr(&p->wr_wait, &p->lock, "pipewr");
	if (error == 0 && p->readers == 0)
		error = -EPIPE;
	if (error == 0) {
		ring_put(p, src, n);
		wakeup(&p->rd_wait);
		poll_wakeup();      /* bytes in: a poller (untimed) must look */
	}
	spin_unlock(&p->lock);
	if (error == -EPIPE)
		proc_signal(curproc, SIGPIPE);
	return error != 0 ? error : (int64_t)n;
}

/* A write of at most PIPE_BUF bytes: copied in, then put whole. */
static int64_t
pipe_write_small(struct file *f, uint64_t ubuf, size_t len)
{
	char *buf = kmem_alloc(len, 0);
	int64_t r;

	if (buf == NULL)
		return -ENOMEM;
	r = copyin(ubuf, buf, len) != 0 ? -EFAULT : pipe_put_whole(f, buf, len);
	kmem_free(buf, len);
	return r;
}

static int64_t
pipe_write(struct file *f, uint64_t ubuf, size_t len)
{
	char chunk[PIPE_CHUNK];
	size_t done = 0;

	if (!uaccess_ok(ubuf, len))
		return -EFAULT;
	if (len > 0 && len <= PIPE_BUF)
		return pipe_write_small(f, ubuf, len);
	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));
		if (copyin(ubuf + done, chunk, n) != 0)
			return done > 0 ? (int64_t)done : -EFAULT;
		int64_t r = pipe_put_all(f, chunk, n);
		if (r < 0)
			return done > 0 ? (int64_t)done : r;
		done += (size_t)r;
		if ((size_t)r < n)
			break;      /* stopped part way: report what went in */
	}
	return (int64_t)done;
}

static void
pipe_close(struct file *f)
{
	struct pipe *p = f->pipe;
	bool last;

	spin_lock(&p->lock);
	if (f->ops->read == pipe_read)
		p->readers--;
	else
		p->writers--;
	last = p->readers == 0 && p->writers == 0;
	wakeup(&p->rd_wait);        /* the last writer: end of file */
	wakeup(&p->wr_wait);        /* the last reader: EPIPE */
	poll_wakeup();
	spin_unlock(&p->lock);
	if (last) {
		kmem_free(p->buf, p->size);
		kmem_free(p, sizeof(*p));
	}
}

static int
pipe_stat(struct file *f, struct linux_stat *st)
{
	(void)f;
	st->st_mode = S_IFIFO | 0600;
	st->st_blksize = PAGE_SIZE;
	return 0;
}

/*
 * poll: the read end is readable while bytes wait and hung up (POLLHUP)
 * once no writer is left; the write end is writable while there is room
 * and in error (POLLERR) once no reader is left - Linux's answers.
 */
static uint32_t
pipe_poll(struct file *f)
{
	struct pipe *p = f->pipe;
	uint32_t mask = 0;

	spin_lock(&p->lock);
	if (f->ops->read == pipe_read) {
		if (p->count > 0)
			mask |= POLLIN | POLLRDNORM;
		if (p->writers == 0)
			mask |= POLLHUP;
	} else {
		/* Writable: room for a whole PIPE_BUF write, which is what
		 * goes in without blocking (pipe_put_whole).  A ring of one
		 * page is then writable only empty, as Linux's pipe of one
		 * page (F_SETPIPE_SZ 4096) is. */
		if (p->size - p->count >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (p->readers == 0)
			mask |= POLLERR;
	}
	spin_unlock(&p->lock);
	return mask;
}

static const struct fileops pipe_read_ops = {
	.read = pipe_read,
	.close = pipe_close,
	.stat = pipe_stat,
	.poll = pipe_poll,
};

static const struct fileops pipe_write_ops = {
	.write = pipe_write,
	.close = pipe_close,
	.stat = pipe_stat,
	.poll = pipe_poll,
};

int
pipe_create(struct file **rf, struct file **wf)
{
	struct pipe *p = kmem_zalloc(sizeof(*p));

	if (p == NULL)
		return -ENOMEM;
	if ((p->buf = kmem_alloc(PIPE_SIZE, 0)) == NULL) {
		kmem_free(p, sizeof(*p));
		return -ENOMEM;
	}
	p->size = PIPE_SIZE;
	p->lock = (struct spinlock)SPINLOCK_INIT("pipe");
	*rf = file_alloc(&pipe_read_ops, O_RDONLY);
	*wf = file_alloc(&pipe_write_ops, O_WRONLY);
	if (*rf == NULL || *wf == NULL) {
		if (*rf != NULL)
			kmem_free(*rf, sizeof(**rf));
		if (*wf != NULL)
			kmem_free(*wf, sizeof(**wf));
		kmem_free(p->buf, p->size);
		kmem_free(p, sizeof(*p));
		return -ENOMEM;
	}
	(*rf)->pipe = (*wf)->pipe = p;
	p->readers = p->writers = 1;
	return 0;
}

int
pipe_size(const struct file *f)
{
	return f->pipe != NULL ? (int)f->pipe->size : -EBADF;
}

/* The ring's bytes moved to the front of buf (size bytes).  => lock held. */
static void
ring_move(struct pipe *p, char *buf, size_t size)
{
	size_t n = p->count;

	for (size_t i = 0; i < n; i++)
		buf[i] = p->buf[(p->rpos + i) % p->size];
	p->buf = buf;
	p->size = size;
	p->rpos = 0;
}

/*
 * pipe_resize - F_SETPIPE_SZ: the ring becomes want bytes rounded up to a
 * power of two, at least a page, as Linux.
 *  => returns the new size; -EBADF (not a pipe), -ENOMEM (above
 *     PIPE_MAX_SIZE, or no memory), -EBUSY (more bytes wait than fit).
 *  => may sleep (allocation); the pipe's lock only around the move.
 */
int
pipe_resize(struct file *f, uint64_t want)
{
	struct pipe *p = f->pipe;
	size_t size = PIPE_MIN_SIZE, old_size;
	char *buf, *old;

	if (p == NULL)
		return -EBADF;
	while (size < want && size < PIPE_MAX_SIZE)
		size <<= 1;
	if (want > size || (buf = kmem_alloc(size, 0)) == NULL)
		return -ENOMEM;
	spin_lock(&p->lock);
	bool fits = p->count <= size;
	old = fits ? p->buf : buf;
	old_size = fits ? p->size : size;
	if (fits) {
		ring_move(p, buf, size);
		wakeup(&p->wr_wait);    /* more room: writers may go on */
		poll_wakeup();
	}
	spin_unlock(&p->lock);
	kmem_free(old, old_size);
	return fits ? (int)size : -EBUSY;
}
