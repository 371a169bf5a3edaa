/*
 * tests/kern/core/rwlock_test.c - reader/writer locks (kern/core/rwlock.c):
 * readers share, a writer is alone, a waiting writer holds new readers
 * back, and rw_exit of the last holder wakes the waiters.
 */
#include "kern/core/ktest.h"
#include "kern/core/rwlock.h"
#include "kern/core/thread.h"
#include "tests/harness/threadtest.h"

static struct krwlock test_rw = KRWLOCK_INIT("test_rw");

struct rw_try {
	enum rw_op op;
	volatile bool got;
};

/* Take test_rw as arg says (sleeping if need be), note it, let it go. */
static void
rw_taker(void *arg)
{
	struct rw_try *t = arg;

	rw_enter(&test_rw, t->op);
	t->got = true;
	rw_exit(&test_rw);
}

KTEST(rwlock, readers_share_and_a_writer_is_alone)
{
	KT_ASSERT(rw_tryenter(&test_rw, RW_READER));
	KT_ASSERT(rw_lock_held(&test_rw) && !rw_write_held(&test_rw));
	KT_EQ(test_rw.readers, 1);
	KT_ASSERT(!rw_tryenter(&test_rw, RW_WRITER));   /* a reader is in */
	rw_exit(&test_rw);
	KT_EQ(test_rw.readers, 0);
	KT_ASSERT(rw_tryenter(&test_rw, RW_WRITER));
	KT_ASSERT(rw_write_held(&test_rw));
	KT_ASSERT(!rw_tryenter(&test_rw, RW_READER));   /* the writer is in */
	rw_exit(&test_rw);
	KT_ASSERT(!rw_lock_held(&test_rw));
}

KTEST(rwlock, a_second_reader_gets_in_while_the_first_holds_it)
{
	struct rw_try r = { RW_READER, false };
	struct thread *t;

	rw_enter(&test_rw, RW_READER);
	t = thread_create("rwreader", rw_taker, &r);
	KT_ASSERT(t != NULL);
	KT_EQ(thread_join(t), 0);       /* never slept on the lock */
	KT_ASSERT(r.got);
	KT_EQ(test_rw.readers, 1);
	rw_exit(&test_rw);
}

static bool
writer_waits(void *arg)
{
	(void)arg;
	return test_rw.writers_waiting == 1;
}

KTEST(rwlock, a_waiting_writer_holds_new_readers_back_until_it_is_done)
{
	struct rw_try w = { RW_WRITER, false }, r = { RW_READER, false };
	struct thread *tw, *tr;
	uint32_t sleeps0 = test_rw.sleeps;

	rw_enter(&test_rw, RW_READER);
	tw = thread_create("rwwriter", rw_taker, &w);
	KT_ASSERT(tw != NULL);
	KT_ASSERT(tt_wait_sleeping(tw, &test_rw, 500));
	KT_ASSERT(tt_wait(writer_waits, NULL, 500));
	tr = thread_create("rwreader", rw_taker, &r);
	KT_ASSERT(tr != NULL);
	KT_ASSERT(tt_wait_sleeping(tr, &test_rw, 500));  /* behind the writer */
	KT_ASSERT(!w.got && !r.got);
	rw_exit(&test_rw);              /* the last reader: both wake */
	KT_EQ(thread_join(tw), 0);
	KT_EQ(thread_join(tr), 0);
	KT_ASSERT(w.got && r.got);
	KT_ASSERT(test_rw.sleeps >= sleeps0 + 2);
	KT_EQ(test_rw.writers_waiting, 0);
	KT_ASSERT(!rw_lock_held(&test_rw));
}
