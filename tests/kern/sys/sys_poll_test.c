/*
 * tests/kern/sys/sys_poll_test.c - the waiting room under poll and
 * select (kern/sys/sys_poll.c), driven from kernel threads on real
 * files: a pipe's ends and the console.
 *
 * A worker thread polls; the test (the runner) waits until the worker is
 * asleep in the room, makes the event happen - closes a pipe end, types
 * a line - and checks that the worker woke with the right revents and
 * that the room is empty again: no waiter left on the list, a sleep and
 * a wakeup counted, the generation moved.
 */
#include "kern/core/ktest.h"
#include "kern/core/clock.h"
#include "kern/core/sched.h"
#include "kern/fs/file.h"
#include "kern/fs/tty.h"
#include "kern/sys/sys_poll.h"
#include "tests/harness/threadtest.h"

#define TCFLSH 0x540b

/* One worker's poll of one file. */
struct poller {
	struct poll_entry e;
	uint64_t deadline;
	int64_t result;
	volatile bool done;
};

static void
poller_run(void *arg)
{
	struct poller *p = arg;

	p->result = poll_files(&p->e, 1, p->deadline);
	p->done = true;
}

static bool
someone_waits(void *arg)
{
	(void)arg;
	return poll_waiters() == 1;
}

/*
 * Start a worker polling f for events, wait (bounded) until it sleeps in
 * the room, then run event(f2); join.  => whether it was seen asleep.
 */
static bool
poll_across(struct poller *p, void (*event)(void *), void *arg)
{
	struct thread *t = thread_create("poller", poller_run, p);
	bool slept;

	KT_ASSERT(t != NULL);
	slept = tt_wait(someone_waits, NULL, 100);
	event(arg);
	KT_EQ(thread_join(t), 0);
	return slept;
}

static void
release(void *f)
{
	file_release(f);
}

KTEST(poll, a_scan_with_nothing_ready_and_no_time_returns_0)
{
	struct file *rf, *wf;
	struct poll_entry e[2];
	uint64_t gen;

	KT_EQ(pipe_create(&rf, &wf), 0);
	e[0] = (struct poll_entry){ .f = rf, .events = POLLIN };
	e[1] = (struct poll_entry){ .f = wf, .events = POLLIN };    /* a write end never reads */
	gen = poll_generation();
	KT_EQ(poll_files(e, 2, 0), 0);
	KT_EQ(e[0].revents, 0);
	KT_EQ(e[1].revents, 0);
	e[1].events = POLLOUT;
	KT_EQ(poll_files(e, 2, 0), 1);
	KT_EQ(e[1].revents, POLLOUT);
	KT_EQ(poll_generation(), gen);      /* scanning is no event */
	KT_EQ(poll_waiters(), 0);
	file_release(rf);
	file_release(wf);
}

KTEST(poll, closing_the_last_writer_wakes_a_sleeping_poller_with_pollhup)
{
	struct poller p = { .deadline = POLL_FOREVER };
	struct poll_stats before = poll_stats;
	struct file *rf, *wf;
	uint64_t gen = poll_generation();

	KT_EQ(pipe_create(&rf, &wf), 0);
	p.e = (struct poll_entry){ .f = rf, .events = POLLIN };
	bool slept = poll_across(&p, release, wf);
	KT_ASSERT(slept);
	KT_ASSERT(p.done);
	KT_EQ(p.result, 1);
	KT_EQ(p.e.revents, POLLHUP);
	/* The room is empty again; one sleep, ended by the close's wakeup. */
	KT_EQ(poll_waiters(), 0);
	KT_ASSERT(poll_stats.sleeps >= before.sleeps + 1);
	KT_ASSERT(poll_stats.wakeups >= before.wakeups + 1);
	KT_ASSERT(poll_generation() > gen);
	file_release(rf);
}

KTEST(poll, the_write_end_reports_pollerr_once_no_reader_is_left)
{
	struct file *rf, *wf;
	struct poll_entry e;

	KT_EQ(pipe_create(&rf, &wf), 0);
	file_release(rf);
	e = (struct poll_entry){ .f = wf, .events = POLLOUT };
	KT_EQ(poll_files(&e, 1, POLL_FOREVER), 1);
	KT_EQ(e.revents, POLLOUT | POLLERR);
	e = (struct poll_entry){ .f = wf, .events = 0 };       /* POLLERR comes unasked */
	KT_EQ(poll_files(&e, 1, POLL_FOREVER), 1);
	KT_EQ(e.revents, POLLERR);
	file_release(wf);
}

KTEST(poll, a_timeout_passes_with_nothing_ready_and_leaves_no_waiter)
{
	struct file *rf, *wf;
	struct poll_entry e;
	uint64_t t0 = clock_ns();

	KT_EQ(pipe_create(&rf, &wf), 0);
	e = (struct poll_entry){ .f = rf, .events = POLLIN };
	KT_EQ(poll_files(&e, 1, t0 + 30000000), 0);
	KT_ASSERT(clock_ns() - t0 >= 30000000);
	KT_EQ(e.revents, 0);
	KT_EQ(poll_waiters(), 0);
	/* No file at all: only the clock ends it. */
	KT_EQ(poll_files(NULL, 0, clock_ns() + 10000000), 0);
	KT_EQ(poll_waiters(), 0);
	file_release(rf);
	file_release(wf);
}

KTEST(poll, an_entry_without_a_file_keeps_its_revents)
{
	struct poll_entry e[2] = { { .events = POLLIN }, { .events = POLLIN, .revents = POLLNVAL } };

	/* A skipped fd (0) and a bad one (POLLNVAL, which counts as ready). */
	KT_EQ(poll_files(e, 1, 0), 0);
	KT_EQ(poll_files(e, 2, POLL_FOREVER), 1);
	KT_EQ(e[0].revents, 0);
	KT_EQ(e[1].revents, POLLNVAL);
}

static void
type_line(void *arg)
{
	(void)arg;
	tty_input('p');
	tty_input('\n');
}

KTEST(poll, a_typed_line_wakes_a_poller_of_the_console)
{
	struct file *con = file_alloc(&console_fileops, O_RDWR);
	struct poller p = { .deadline = POLL_FOREVER };

	KT_ASSERT(con != NULL);
	KT_EQ(tty_ioctl(TCFLSH, 0), 0);             /* no input left over */
	p.e = (struct poll_entry){ .f = con, .events = POLLIN | POLLOUT };
	KT_EQ(poll_files(&p.e, 1, 0), 1);
	KT_EQ(p.e.revents, POLLOUT);                /* always writable */
	tty_input('h');                             /* half a line: not readable */
	KT_EQ(poll_files(&p.e, 1, 0), 1);
	KT_EQ(p.e.revents, POLLOUT);
	p.e.events = POLLIN;
	bool slept = poll_across(&p, type_line, NULL);
	KT_EQ(tty_ioctl(TCFLSH, 0), 0);
	file_release(con);
	KT_ASSERT(slept);
	KT_EQ(p.result, 1);
	KT_EQ(p.e.revents, POLLIN);
	KT_EQ(poll_waiters(), 0);
}
