/*
 * kern/sys/sys_poll.c - poll, ppoll, select and pselect6: wait until one
 * of several open files is ready, a timeout passes, or a signal comes.
 *
 * A shell's line editor waits like this for its terminal; a program
 * with two pipes waits for whichever speaks first:
 *
 *   struct pollfd fds[2] = { { 0, POLLIN }, { pipefd, POLLIN } };
 *   poll(fds, 2, 500);       -> 1, fds[1].revents = POLLIN (after 20 ms)
 *
 * Each file answers for itself: its fileops poll op says which POLL*
 * events hold now (kern/fs/file.h), never sleeping - the pipe's bytes
 * and room, the terminal's finished line, and "always" for files on
 * disk, /dev/null and /proc.  The calls here scan those answers and, if
 * nothing is ready, sleep until something may have changed.
 *
 * Waking.  A thread can sleep on one channel only, and a poller waits for
 * many files at once, so there is one waiting room for all of them:
 *
 *   pollq.gen       counts events: bumped by every poll_wakeup
 *   pollq.waiters   the threads asleep in poll or select (a struct
 *                   poll_waiter each, on its own stack)
 *
 *   poller                                  event (tty input, pipe write)
 *     g = pollq.gen                           state changes (file's lock)
 *     scan every file: nothing ready          poll_wakeup:
 *     lock pollq                                lock pollq
 *     if pollq.gen == g:                        pollq.gen++
 *         join waiters, sleep (unlock)          end each waiter's sleep
 *         leave waiters                         unlock
 *     unlock; scan again
 *
 * The generation closes the window between the scan and the sleep: an
 * event that lands after the scan read its file has bumped gen by the
 * time the poller looks (rescan at once), or finds the poller already on
 * the list (woken).  No event is lost, and no file keeps a list of its
 * pollers.  The price is a spurious rescan for events on files nobody
 * here polls - cheap with a handful of descriptors.
 *
 * A waiter with no timeout sleeps on its own poll_waiter; one with a
 * timeout sleeps on the clock tick's channel, to look at the clock each
 * tick (as nanosleep does; the timeout is rounded up to a tick).  Either
 * way poll_wakeup ends the sleep with sleep_interrupt, which wakes an
 * interruptible sleeper whatever its channel - and a signal ends it the
 * same way (proc_signal).  A file that cannot call poll_wakeup (the
 * terminal while its input is polled) answers POLL_TICK: ask me each tick.
 *
 * Results, as Linux: poll counts the entries with nonzero revents (a
 * negative fd is skipped, a closed one is POLLNVAL); select counts the
 * bits set, a closed fd in a set is -EBADF.  A signal before anything is
 * ready ends the wait: -EINTR if a handler runs, else (a stop and
 * continue) the call goes on with the time it had left - select, pselect6
 * and ppoll return -ERESTARTNOHAND and start again with the time left,
 * which they write back to the caller's timeout as Linux does; poll, whose
 * timeout is a register, returns -ERESTART_RESTARTBLOCK and goes on
 * through restart_syscall to the deadline it had (kern/proc/signal.c).
 * ppoll and
 * pselect6 wait under the caller's mask (signal_mask_wait), restored
 * afterwards - after the handler's frame is built when a signal cut them
 * short, so the handler runs for the signal the temporary mask let in.
 *
 * Invariants: a thread is on pollq.waiters only inside poll_sleep, and
 * only while asleep or about to retake pollq.lock; the list is empty
 * whenever no thread is in poll (poll_waiters() == 0).  Lock order:
 * pollq.lock is a leaf - poll_wakeup runs under the tty's and a pipe's
 * spin locks, and takes nothing else; the scan takes each file's lock
 * with pollq.lock not held.
 */
#include "kern/sys/sys_poll.h"
#include "kern/arch/uaccess.h"
#include "kern/core/clock.h"
#include "kern/core/sched.h"
#include "kern/core/thread.h"
#include "kern/lib/errno.h"
#include "kern/lib/queue.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/proc/signal.h"
#include "kern/sys/syscall.h"
#include "kern/vfs/vfs_vnops.h"

#define NSEC 1000000000ULL
/* select's three sets: what each counts as ready (Linux's POLL*_SET). */
#define SEL_IN (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SEL_EX POLLPRI

struct poll_waiter {
	struct thread *t;
	TAILQ_ENTRY(poll_waiter) link;
};

static struct {
	struct spinlock lock;
	uint64_t gen;
	TAILQ_HEAD(, poll_waiter) waiters;
	int nwaiters;
} pollq = {
	.lock = SPINLOCK_INIT("pollq"),
	.waiters = { NULL, &pollq.waiters.tqh_first },
};

struct poll_stats poll_stats;

struct k_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

struct k_timespec {
	int64_t sec;
	int64_t nsec;
};

/* ------------------------------------------------------------------ */
/* The waiting room                                                    */

void
poll_wakeup(void)
{
	struct poll_waiter *w;

	spin_lock(&pollq.lock);
	pollq.gen++;
	TAILQ_FOREACH(w, &pollq.waiters, link) {
		if (sleep_interrupt(w->t))
			poll_stats.wakeups++;
	}
	spin_unlock(&pollq.lock);
}

int
poll_waiters(void)
{
	spin_lock(&pollq.lock);
	int n = pollq.nwaiters;
	spin_unlock(&pollq.lock);
	return n;
}

uint64_t
poll_generation(void)
{
	spin_lock(&pollq.lock);
	uint64_t g = pollq.gen;
	spin_unlock(&pollq.lock);
	return g;
}

/* Can the current thread's wait go on?  No if a signal is there to act on. */
static bool
poll_signalled(void)
{
	return curproc != NULL && signal_actionable(curproc);
}

/*
 * Sleep until an event after generation gen, a tick (timed), or a signal.
 * Returns at once if an event came since gen.  The signal is tested under
 * pollq.lock: on one CPU no kill can come between that test and the sleep.
 */
static void
poll_sleep(uint64_t gen, bool timed)
{
	struct poll_waiter w = { .t = curthread };

	spin_lock(&pollq.lock);
	if (pollq.gen == gen && !poll_signalled()) {
		TAILQ_INSERT_TAIL(&pollq.waiters, &w, link);
		pollq.nwaiters++;
		poll_stats.sleeps++;
		sleep_on_intr(timed ? CLOCK_TICK_CHAN : (const void *)&w, &pollq.lock, "poll");
		TAILQ_REMOVE(&pollq.waiters, &w, link);
		pollq.nwaiters--;
	}
	spin_unlock(&pollq.lock);
}

/* ------------------------------------------------------------------ */
/* Scanning and waiting                                                */

static struct file *poll_getf(int fd);

/*
 * The file of entry pe for this pass: pe->f as given, or the file its
 * descriptor names now (held in pe->f, the last pass's one dropped); a
 * descriptor no longer open leaves pe->f NULL and sets revents as poll
 * (POLLNVAL) or select (nothing) reports it on Linux.
 */
static struct file *
poll_entry_file(struct poll_entry *pe)
{
	struct file *f;

	if (pe->by == POLL_BY_FILE)
		return pe->f;
	f = poll_getf(pe->fd);
	if (pe->f != NULL)
		fd_put(pe->f);
	if ((pe->f = f) == NULL)
		pe->revents = pe->by == POLL_BY_FD ? POLLNVAL : 0;
	return f;
}

/* One pass over the entries: revents of each; how many are nonzero. */
static size_t
poll_scan(struct poll_entry *pe, size_t n, bool *tick)
{
	size_t ready = 0;

	for (size_t i = 0; i < n; i++) {
		if (poll_entry_file(&pe[i]) != NULL) {
			uint32_t m = file_poll(pe[i].f);
			*tick |= (m & POLL_TICK) != 0;
			pe[i].revents = m & (pe[i].events | POLLERR | POLLHUP);
		}
		ready += pe[i].revents != 0;
	}
	poll_stats.scans++;
	return ready;
}

int64_t
poll_files(struct poll_entry *pe, size_t n, uint64_t deadline)
{
	for (;;) {
		uint64_t gen = poll_generation();
		bool tick = false;
		size_t ready = poll_scan(pe, n, &tick);

		if (ready > 0)
			return (int64_t)ready;
		if (clock_ns() >= deadline)
			return 0;
		if (poll_signalled())
			return -ERESTARTNOHAND;
		poll_sleep(gen, tick || deadline != POLL_FOREVER);
	}
}

/* The deadline timeout ns from now (saturating), POLL_FOREVER if none. */
static uint64_t
deadline_in(uint64_t ns)
{
	uint64_t now = clock_ns();

	return ns >= POLL_FOREVER - now ? POLL_FOREVER : now + ns;
}

/*
 * The file at fd for poll and select (O_PATH files are not), held, or
 * NULL.  An entry holds the file of its last pass until the next pass
 * or poll_putf, so another thread closing the descriptor meanwhile frees
 * nothing a scan still looks at (and a pipe keeps its reader while a
 * poller watches it, as on Linux, whose poll table holds the file).
 */
static struct file *
poll_getf(int fd)
{
	struct file *f = fd_get(curproc->fds, fd);

	if (f != NULL && (f->flags & O_PATH)) {
		fd_put(f);
		f = NULL;
	}
	return f;
}

/* Drop the references poll_getf took for the first n entries. */
static void
poll_putf(struct poll_entry *pe, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pe[i].f != NULL)
			fd_put(pe[i].f);
}

/* ------------------------------------------------------------------ */
/* poll, ppoll                                                         */

/* The user's pollfd array into entries: -EFAULT, or 0. */
static int
pollfd_in(uint64_t ufds, struct poll_entry *pe, size_t n)
{
	struct k_pollfd pfd;

	for (size_t i = 0; i < n; i++) {
		if (copyin(ufds + i * sizeof(pfd), &pfd, sizeof(pfd)) != 0)
			return -EFAULT;         /* nothing held yet */
		pe[i] = (struct poll_entry){ NULL, (uint16_t)pfd.events, 0,
		    pfd.fd, pfd.fd >= 0 ? POLL_BY_FD : POLL_BY_FILE };
	}
	return 0;
}

/* Every revents back (as Linux, whatever the result): -EFAULT, or 0. */
static int
pollfd_out(uint64_t ufds, const struct poll_entry *pe, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int16_t rev = (int16_t)pe[i].revents;
		if (copyout(&rev, ufds + i * sizeof(struct k_pollfd) +
		    offsetof(struct k_pollfd, revents), sizeof(rev)) != 0)
			return -EFAULT;
	}
	return 0;
}

/* poll's body for nfds entries at ufds until deadline. */
static int64_t
do_poll(uint64_t ufds, uint64_t nfds, uint64_t deadline)
{
	struct poll_entry pe[NOFILE];
	int64_t r;

	if (nfds > NOFILE)          /* RLIMIT_NOFILE, fixed at NOFILE here */
		return -EINVAL;
	if (pollfd_in(ufds, pe, nfds) != 0)
		return -EFAULT;
	r = poll_files(pe, nfds, deadline);
	poll_putf(pe, nfds);
	if (pollfd_out(ufds, pe, nfds) != 0)
		return -EFAULT;
	return r;
}

/* poll cut short by a signal goes on here (restart_syscall) if no handler ran. */
static int64_t
poll_restart(const uint64_t arg[3])
{
	int64_t r = do_poll(arg[0], arg[1], arg[2]);

	return r == -ERESTARTNOHAND ? signal_restart_block(poll_restart, arg[0],
	    arg[1], arg[2]) : r;
}

int64_t
sys_poll(const struct sysargs *a)
{
	int timeout_ms = (int)a->a[2];
	uint64_t deadline = timeout_ms < 0 ? POLL_FOREVER :
	    deadline_in((uint64_t)timeout_ms * 1000000);

	return poll_restart((uint64_t[3]){ a->a[0], (uint32_t)a->a[1], deadline });
}

/* A user timespec as a deadline (NULL: forever).  => 0, -EFAULT, -EINVAL. */
static int
timespec_deadline(uint64_t uts, uint64_t *deadline)
{
	struct k_timespec ts;

	*deadline = POLL_FOREVER;
	if (uts == 0)
		return 0;
	if (copyin(uts, &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC)
		return -EINVAL;
	if ((uint64_t)ts.sec >= POLL_FOREVER / NSEC)
		return 0;
	*deadline = deadline_in((uint64_t)ts.sec * NSEC + (uint64_t)ts.nsec);
	return 0;
}

/*
 * The time left before deadline back into the caller's timespec (usec:
 * a timeval), as Linux does for select, pselect6 and ppoll (no timeout:
 * nothing to write).  A timeout that cannot be written makes a restart
 * impossible: -ERESTARTNOHAND becomes -EINTR.
 */
static int64_t
time_left_out(uint64_t uts, uint64_t deadline, bool usec, int64_t r)
{
	uint64_t now = clock_ns(), left = deadline > now ? deadline - now : 0;
	int64_t ts[2] = { (int64_t)(left / NSEC), (int64_t)(left % NSEC) };

	if (uts == 0 || deadline == POLL_FOREVER)
		return r;
	if (usec)
		ts[1] /= 1000;
	if (copyout(ts, uts, sizeof(ts)) != 0 && r == -ERESTARTNOHAND)
		return -EINTR;
	return r;
}

/* A user signal mask of size bytes for the call's wait (0: none). */
static int
sigmask_in(uint64_t umask, uint64_t size, bool *applied)
{
	uint64_t mask;

	*applied = false;
	if (umask == 0)
		return 0;
	if (size != sizeof(mask))
		return -EINVAL;
	if (copyin(umask, &mask, sizeof(mask)) != 0)
		return -EFAULT;
	signal_mask_wait(mask);
	*applied = true;
	return 0;
}

int64_t
sys_ppoll(const struct sysargs *a)
{
	uint64_t deadline;
	bool masked;
	int64_t r;

	if ((r = timespec_deadline(a->a[2], &deadline)) != 0 ||
	    (r = sigmask_in(a->a[3], a->a[4], &masked)) != 0)
		return r;
	r = do_poll(a->a[0], (uint32_t)a->a[1], deadline);
	if (masked)
		signal_mask_done(r == -ERESTARTNOHAND);
	return time_left_out(a->a[2], deadline, false, r);
}

/* ------------------------------------------------------------------ */
/* select, pselect6                                                    */

/* The three sets, as bit masks of descriptors below nfds. */
struct fdsets {
	uint64_t in, out, ex;
};

/* One user fd_set, its first nfds bits (whole longs, as Linux reads). */
static int
fdset_in(uint64_t uset, int nfds, uint64_t *bits)
{
	*bits = 0;
	if (uset == 0 || nfds == 0)
		return 0;
	if (copyin(uset, bits, sizeof(*bits)) != 0)
		return -EFAULT;
	if (nfds < 64)
		*bits &= (1UL << nfds) - 1;
	return 0;
}

static int
fdset_out(uint64_t uset, int nfds, uint64_t bits)
{
	if (uset == 0 || nfds == 0)
		return 0;
	return copyout(&bits, uset, sizeof(bits)) != 0 ? -EFAULT : 0;
}

/* The entries for the fds in any set: -EBADF if one is not open. */
static int
select_entries(const struct fdsets *s, struct poll_entry *pe, int *fds, size_t *n)
{
	uint64_t any = s->in | s->out | s->ex;

	*n = 0;
	for (int fd = 0; any != 0; fd++, any >>= 1) {
		if (!(any & 1))
			continue;
		struct file *f = poll_getf(fd);
		if (f == NULL) {
			poll_putf(pe, *n);
			return -EBADF;
		}
		uint64_t bit = 1UL << fd;
		pe[*n] = (struct poll_entry){ f, ((s->in & bit) ? SEL_IN : 0) |
		    ((s->out & bit) ? SEL_OUT : 0) | ((s->ex & bit) ? SEL_EX : 0), 0,
		    fd, SELECT_BY_FD };
		fds[(*n)++] = fd;
	}
	return 0;
}

/* The ready bits of the scanned entries, and how many there are. */
static int64_t
select_result(struct fdsets *s, const struct poll_entry *pe, const int *fds, size_t n)
{
	struct fdsets want = *s;
	int64_t count = 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		uint64_t bit = 1UL << fds[i];
		if ((want.in & bit) && (pe[i].revents & SEL_IN))
			s->in |= bit, count++;
		if ((want.out & bit) && (pe[i].revents & SEL_OUT))
			s->out |= bit, count++;
		if ((want.ex & bit) && (pe[i].revents & SEL_EX))
			s->ex |= bit, count++;
	}
	return count;
}

/* select's body: the sets at a->a[1..3] for nfds = a->a[0], until deadline. */
static int64_t
do_select(const struct sysargs *a, uint64_t deadline)
{
	struct poll_entry pe[NOFILE];
	int fds[NOFILE];
	struct fdsets s;
	int nfds = (int)a->a[0];
	size_t n;
	int64_t r;

	if (nfds < 0)
		return -EINVAL;
	nfds = MIN(nfds, NOFILE);   /* Linux: clipped to the table's size */
	if (fdset_in(a->a[1], nfds, &s.in) != 0 || fdset_in(a->a[2], nfds, &s.out) != 0 ||
	    fdset_in(a->a[3], nfds, &s.ex) != 0)
		return -EFAULT;
	if ((r = select_entries(&s, pe, fds, &n)) != 0)
		return r;
	r = poll_files(pe, n, deadline);
	poll_putf(pe, n);
	if (r < 0)
		return r;
	r = select_result(&s, pe, fds, n);
	if (fdset_out(a->a[1], nfds, s.in) != 0 || fdset_out(a->a[2], nfds, s.out) != 0 ||
	    fdset_out(a->a[3], nfds, s.ex) != 0)
		return -EFAULT;
	return r;
}

/*
 * select's timeval as a deadline (NULL: forever).  Linux folds whole
 * seconds out of tv_usec; what is then negative is -EINVAL, what is too
 * far to count is forever.  => 0, -EFAULT, -EINVAL.
 */
static int
timeval_deadline(uint64_t utv, uint64_t *deadline)
{
	int64_t tv[2], sec, nsec;

	*deadline = POLL_FOREVER;
	if (utv == 0)
		return 0;
	if (copyin(utv, tv, sizeof(tv)) != 0)
		return -EFAULT;
	nsec = tv[1] % 1000000 * 1000;
	if (__builtin_add_overflow(tv[0], tv[1] / 1000000, &sec))
		return tv[0] > 0 ? 0 : -EINVAL;
	if (sec < 0 || nsec < 0)
		return -EINVAL;
	if ((uint64_t)sec < POLL_FOREVER / NSEC)
		*deadline = deadline_in((uint64_t)sec * NSEC + (uint64_t)nsec);
	return 0;
}

int64_t
sys_select(const struct sysargs *a)
{
	uint64_t deadline;
	int r = timeval_deadline(a->a[4], &deadline);

	if (r != 0)
		return r;
	return time_left_out(a->a[4], deadline, true, do_select(a, deadline));
}

int64_t
sys_pselect6(const struct sysargs *a)
{
	uint64_t deadline, sig[2] = { 0, 0 };
	bool masked;
	int64_t r;

	if ((r = timespec_deadline(a->a[4], &deadline)) != 0)
		return r;
	/* The sixth argument: { const sigset_t *ss; size_t ss_len; }. */
	if (a->a[5] != 0 && copyin(a->a[5], sig, sizeof(sig)) != 0)
		return -EFAULT;
	if ((r = sigmask_in(sig[0], sig[1], &masked)) != 0)
		return r;
	r = do_select(a, deadline);
	if (masked)
		signal_mask_done(r == -ERESTARTNOHAND);
	return time_left_out(a->a[4], deadline, false, r);
}
