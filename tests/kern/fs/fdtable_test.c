/*
 * tests/kern/fs/fdtable_test.c - the descriptor table's references
 * (kern/fs/file.c): a file fd_get returned survives a close (or a dup2
 * over) its descriptor and closes at the last fd_put, never under the
 * table's lock; fd_uninstall takes back only what is still there; exec
 * closes only the close-on-exec descriptors.  tests/user/threads_files.c
 * checks the same through threads of a process, on Linux too.
 */
#include "kern/core/ktest.h"
#include "kern/fs/file.h"
#include "kern/lib/errno.h"

/* A file whose close op counts, and checks it runs with the lock free. */
static int closes;
static bool closed_under_lock;
static struct fdtable *closing_table;

static void
counting_close(struct file *f)
{
	(void)f;
	closes++;
	if (closing_table != NULL && spin_held(&closing_table->lock))
		closed_under_lock = true;
}

static const struct fileops counting_ops = {
	.close = counting_close,
};

static struct file *
counting_file(struct fdtable *t)
{
	struct file *f = file_alloc(&counting_ops, O_RDWR);

	KT_ASSERT(f != NULL);
	closes = 0;
	closed_under_lock = false;
	closing_table = t;
	return f;
}

KTEST(fdtable, a_held_file_survives_the_close_of_its_descriptor)
{
	struct fdtable t;
	struct file *f, *g;
	int fd;

	fdtable_init(&t);
	f = counting_file(&t);
	fd = fd_install(&t, f, 0, false);
	KT_EQ(fd, 0);
	g = fd_get(&t, fd);                     /* a system call's reference */
	KT_ASSERT(g == f);
	KT_EQ(f->refs, 2);
	KT_EQ(fd_close(&t, fd), 0);             /* another thread's close */
	KT_EQ(closes, 0);                       /* the file lives on ... */
	KT_EQ(f->refs, 1);
	KT_ASSERT(fd_get(&t, fd) == NULL);      /* ... but the slot is empty */
	KT_EQ(fd_close(&t, fd), -EBADF);
	fd_put(g);                              /* the call returns */
	KT_EQ(closes, 1);
	KT_ASSERT(!closed_under_lock);
}

KTEST(fdtable, dup2_over_a_held_file_releases_it_after_the_swap)
{
	struct fdtable t;
	struct file *f, *other, *g;

	fdtable_init(&t);
	f = counting_file(&t);
	other = file_alloc(&null_fileops, O_RDWR);
	KT_ASSERT(other != NULL);
	KT_EQ(fd_install(&t, f, 3, false), 3);
	g = fd_get(&t, 3);
	KT_EQ(fd_dup_onto(&t, other, 3, true), 3);
	KT_EQ(closes, 0);                       /* g still holds it */
	KT_EQ(fd_get_cloexec(&t, 3), 1);
	fd_put(g);
	KT_EQ(closes, 1);
	KT_ASSERT(!closed_under_lock);
	/* Without a user, the dup2 itself closes it (after the lock). */
	f = counting_file(&t);
	KT_EQ(fd_dup_onto(&t, f, 4, false), 4);
	file_hold(other);
	KT_EQ(fd_dup_onto(&t, other, 4, false), 4);
	KT_EQ(closes, 1);
	KT_ASSERT(!closed_under_lock);
	fdtable_close_all(&t);
	for (int fd = 0; fd < NOFILE; fd++)
		KT_ASSERT(t.fd[fd] == NULL);
}

KTEST(fdtable, uninstall_takes_back_only_what_is_still_there)
{
	struct fdtable t;
	struct file *f;

	fdtable_init(&t);
	f = counting_file(&t);
	KT_EQ(fd_install(&t, f, 0, true), 0);
	KT_ASSERT(fd_uninstall(&t, 0, f));      /* still ours: back to us */
	KT_EQ(fd_get_cloexec(&t, 0), -EBADF);
	KT_EQ(fd_install(&t, f, 0, false), 0);
	KT_EQ(fd_close(&t, 0), 0);              /* another thread closed it */
	KT_EQ(closes, 1);
	KT_ASSERT(!fd_uninstall(&t, 0, f));     /* nothing to take back */
}

KTEST(fdtable, exec_closes_only_close_on_exec_descriptors)
{
	struct fdtable t;
	struct file *f, *keep;

	fdtable_init(&t);
	f = counting_file(&t);
	keep = file_alloc(&null_fileops, O_RDWR);
	KT_ASSERT(keep != NULL);
	KT_EQ(fd_install(&t, keep, 0, false), 0);
	KT_EQ(fd_install(&t, f, 0, false), 1);
	KT_EQ(fd_set_cloexec(&t, 1, true), 0);
	KT_EQ(fd_set_cloexec(&t, 9, true), -EBADF);     /* not open */
	fdtable_exec(&t);
	KT_EQ(closes, 1);
	KT_ASSERT(t.fd[0] == keep && t.fd[1] == NULL);
	KT_EQ(t.cloexec[0], 0);
	fdtable_close_all(&t);
	KT_ASSERT(t.fd[0] == NULL);
}

KTEST(fdtable, fork_holds_every_file_once_more)
{
	struct fdtable parent, child;
	struct file *f;
	uint64_t mask[FD_WORDS];

	fdtable_init(&parent);
	fdtable_init(&child);
	f = counting_file(&parent);
	KT_EQ(fd_install(&parent, f, 5, true), 5);
	fdtable_fork(&child, &parent);
	KT_EQ(f->refs, 2);
	KT_EQ(fd_get_cloexec(&child, 5), 1);
	fd_open_mask(&child, mask);
	KT_EQ(mask[0], 1UL << 5);
	fdtable_close_all(&parent);
	KT_EQ(closes, 0);
	closing_table = &child;
	fdtable_close_all(&child);
	KT_EQ(closes, 1);
	KT_ASSERT(!closed_under_lock);
}
