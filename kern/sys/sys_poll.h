/*
 * kern/sys/sys_poll.h - waiting for several files at once: the mechanism
 * under poll, ppoll, select and pselect6 (kern/sys/sys_poll.c says how
 * a poller sleeps and what wakes it).  poll_wakeup, which the files
 * call, is declared with the poll op in kern/fs/file.h.
 */
#ifndef KERN_SYS_POLL_H
#define KERN_SYS_POLL_H

#include "kern/fs/file.h"
#include "kern/lib/types.h"

/* A deadline that never comes. */
#define POLL_FOREVER UINT64_MAX

/*
 * One file to watch: f as given (POLL_BY_FILE, the kernel's own callers),
 * or descriptor fd looked up again at every pass (poll and select, as on
 * Linux: a descriptor another thread closes or dup2s over meanwhile is
 * seen at the next pass; f then holds the reference of the last lookup).
 */
struct poll_entry {
	struct file *f;             /* NULL: nothing to ask (revents stays) */
	uint32_t events;            /* wanted; POLLERR and POLLHUP always are */
	uint32_t revents;           /* out: what holds (set POLLNVAL for a bad fd) */
	int fd;                     /* POLL_BY_FD, SELECT_BY_FD: the descriptor */
	uint8_t by;                 /* POLL_BY_FILE (0), POLL_BY_FD, SELECT_BY_FD */
};

#define POLL_BY_FILE 0
#define POLL_BY_FD 1                /* a closed fd: POLLNVAL (poll) */
#define SELECT_BY_FD 2              /* a closed fd: not ready (select) */

/*
 * poll_files - scan the n entries until one has revents, the monotonic
 * clock (clock_ns) reaches deadline, or a signal is there to act on.
 *  => nothing locked; may sleep (interruptibly).  The entries' files are
 *     the caller's to keep open; a by-fd entry's pe->f, when not NULL,
 *     holds a reference the caller drops after.
 *  => how many entries have revents (> 0), 0 at the deadline, or
 *     -ERESTARTNOHAND for a signal.
 */
int64_t poll_files(struct poll_entry *pe, size_t n, uint64_t deadline);

/* What the waiting room has done, for the tests. */
struct poll_stats {
	uint64_t scans;             /* passes over a poller's files */
	uint64_t sleeps;            /* pollers that went to sleep */
	uint64_t wakeups;           /* sleeps poll_wakeup ended */
};
extern struct poll_stats poll_stats;

/* poll_waiters - threads asleep in poll now (0 whenever none is in it). */
int poll_waiters(void);

/* poll_generation - events so far (poll_wakeup calls).  => never sleeps. */
uint64_t poll_generation(void);

#endif
