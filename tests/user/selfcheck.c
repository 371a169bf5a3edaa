/*
 * tests/user/selfcheck.c - the user test harness checks itself.
 *
 * Every test here goes wrong on purpose, in each way the harness must
 * catch: a failed assertion (utest prints "not ok"), a test process
 * killed by a signal (utest's runner reports it), and the whole program
 * killed before its closing line (init reports it).  init runs this
 * program only when utest= names it exactly, and make test-linux boots
 * once with utest=selfcheck, requiring the FAILED verdict and the
 * closing line "utest: 0 passed, 3 failed" - so a harness that let any
 * of these pass would stop the run.
 */
#include "utest.h"

#include <unistd.h>

UTEST(must_fail)
{
	UT_EQ(1 + 1, 3);
}

UTEST(must_die_by_signal)
{
	raise(SIGSEGV);
}

UTEST(must_kill_its_program_before_the_closing_line)
{
	kill(getppid(), SIGKILL);       /* the parent is utest's runner */
	pause();
}
