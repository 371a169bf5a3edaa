/*
 * tests/user/segv.c - faults become SIGSEGV, with the right siginfo.
 *
 * A write to read-only memory is SIGSEGV with si_code SEGV_ACCERR; an
 * access to an unmapped address is SEGV_MAPERR; si_addr is the exact byte
 * in both.  So is a read of PROT_NONE memory (ACCERR) and a jump into a
 * page without PROT_EXEC (ACCERR at the jump target, NX).  A kernel
 * address is MAPERR.  A non-canonical address raises #GP, not #PF, and
 * Linux reports it as si_code SI_KERNEL with si_addr 0.
 *
 * A handler may also return: it fixes the protection with mprotect and
 * the faulting write is retried (rt_sigreturn).  It may run on a
 * sigaltstack - the only way to survive a stack overflow.  Uncaught, or
 * blocked, the signal kills the process and the parent sees
 * WIFSIGNALED with WTERMSIG 11.
 */
#include "utest.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

UTEST(write_to_read_only_memory_is_accerr_at_the_byte)
{
	char *p = ut_map(2, PROT_READ);
	struct ut_fault f;

	UT_EQ(ut_probe_write(p + PAGE + 123, 'x', &f), SIGSEGV);
	UT_EQ(f.signo, SIGSEGV);
	UT_EQ(f.code, SEGV_ACCERR);
	UT_EQ(f.addr, p + PAGE + 123);
	UT_EQ(p[PAGE + 123], 0);
}

UTEST(access_to_unmapped_memory_is_maperr_at_the_byte)
{
	char *p = ut_map(1, RW);
	struct ut_fault f;

	UT_SYS(munmap(p, PAGE));
	UT_EQ(ut_probe_read(p + 77, &f), SIGSEGV);
	UT_EQ(f.code, SEGV_MAPERR);
	UT_EQ(f.addr, p + 77);
	UT_EQ(ut_probe_write(p + 78, 1, &f), SIGSEGV);
	UT_EQ(f.code, SEGV_MAPERR);
	UT_EQ(f.addr, p + 78);
}

UTEST(null_read_is_maperr_at_zero)
{
	struct ut_fault f;

	UT_EQ(ut_probe_read(NULL, &f), SIGSEGV);
	UT_EQ(f.code, SEGV_MAPERR);
	UT_EQ(f.addr, 0);
}

UTEST(read_of_prot_none_is_accerr)
{
	char *p = ut_map(1, PROT_NONE);
	struct ut_fault f;

	UT_EQ(ut_probe_read(p + 5, &f), SIGSEGV);
	UT_EQ(f.code, SEGV_ACCERR);
	UT_EQ(f.addr, p + 5);
}

/* A jump into a page without PROT_EXEC faults at the jump target. */
UTEST(jump_into_non_executable_memory_is_accerr_at_the_target)
{
	unsigned char *p = ut_map(1, RW);
	struct sigaction before, after;
	struct ut_fault f;

	p[0] = 0xc3;                        /* ret */
	UT_SYS(sigaction(SIGSEGV, NULL, &before));
	UT_EQ(ut_probe_exec(p, &f), SIGSEGV);
	UT_EQ(f.signo, SIGSEGV);
	UT_EQ(f.code, SEGV_ACCERR);
	UT_EQ(f.addr, p);
	UT_SYS(sigaction(SIGSEGV, NULL, &after));   /* no handler left behind */
	UT_EQ((uintptr_t)after.sa_handler, (uintptr_t)before.sa_handler);
}

UTEST(kernel_address_is_maperr)
{
	void *k = (void *)0xffff800000000000UL;   /* the direct map */
	struct ut_fault f;

	UT_EQ(ut_probe_read(k, &f), SIGSEGV);
	UT_EQ(f.code, SEGV_MAPERR);
	UT_EQ(f.addr, k);
	UT_EQ(ut_probe_write((void *)0xffffffff80100000UL, 1, &f), SIGSEGV);
}

UTEST(non_canonical_address_is_si_kernel_with_no_address)
{
	struct ut_fault f;

	UT_EQ(ut_probe_read((void *)0x0000800000000000UL, &f), SIGSEGV);
	UT_EQ(f.code, SI_KERNEL);
	UT_EQ(f.addr, 0);
}

/* The handler makes the page writable and returns: the write is retried. */
static char *fix_page;
static volatile int fixes;

static void
fix_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fixes++;
	if ((char *)si->si_addr >= fix_page && (char *)si->si_addr < fix_page + PAGE)
		mprotect(fix_page, PAGE, RW);
}

UTEST(returning_handler_retries_the_access)
{
	struct sigaction sa;

	fix_page = ut_map(1, PROT_READ);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fix_handler;
	sa.sa_flags = SA_SIGINFO;
	UT_SYS(sigaction(SIGSEGV, &sa, NULL));
	*(volatile char *)(fix_page + 9) = 'r';
	UT_EQ(fixes, 1);
	UT_EQ(fix_page[9], 'r');
	*(volatile char *)(fix_page + 10) = 's';    /* writable now: no fault */
	UT_EQ(fixes, 1);
}

/* Handlers on the alternate stack. */
static char *alt_base;
static size_t alt_size;
static volatile int on_alt;

static void
alt_handler(int sig)
{
	char here;

	(void)sig;
	on_alt = &here >= alt_base && &here < alt_base + alt_size;
	_exit(on_alt ? 42 : 43);
}

static void
install_alt_handler(void)
{
	struct sigaction sa;
	stack_t ss;

	alt_size = 16 * PAGE;
	alt_base = ut_map(16, RW);
	ss.ss_sp = alt_base;
	ss.ss_size = alt_size;
	ss.ss_flags = 0;
	UT_SYS(sigaltstack(&ss, NULL));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = alt_handler;
	sa.sa_flags = SA_ONSTACK;
	UT_SYS(sigaction(SIGSEGV, &sa, NULL));
}

UTEST(handler_runs_on_the_sigaltstack)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		install_alt_handler();
		*(volatile char *)0 = 1;
		_exit(1);
	}
	UT_CHILD_EXITS(pid, 42);
}

/* Deeper than any stack: only the fault ends it. */
static volatile long max_depth = 1L << 40;

static int __attribute__((noinline))
recurse(volatile char *prev, long depth)
{
	volatile char frame[1024];

	frame[0] = prev ? prev[0] + 1 : 0;
	if (depth > max_depth)
		return 0;
	return recurse(frame, depth + 1) + frame[1];
}

UTEST(stack_overflow_is_caught_on_the_sigaltstack)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		install_alt_handler();
		recurse(NULL, 0);
		_exit(1);
	}
	UT_CHILD_EXITS(pid, 42);
}

UTEST(uncaught_write_to_read_only_kills_with_sigsegv)
{
	char *p = ut_map(1, PROT_READ);
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		*(volatile char *)p = 1;
		_exit(0);
	}
	UT_CHILD_KILLED(pid, SIGSEGV);
}

UTEST(uncaught_null_read_kills_with_sigsegv)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		_exit(*(volatile char *)0);
	}
	UT_CHILD_KILLED(pid, SIGSEGV);
}

/* A blocked SIGSEGV cannot be delivered, so the fault kills. */
UTEST(blocked_sigsegv_still_kills)
{
	char *p = ut_map(1, PROT_READ);
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		struct sigaction sa;
		sigset_t set;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = fix_handler;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSEGV, &sa, NULL);
		sigemptyset(&set);
		sigaddset(&set, SIGSEGV);
		sigprocmask(SIG_BLOCK, &set, NULL);
		*(volatile char *)p = 1;
		_exit(0);
	}
	UT_CHILD_KILLED(pid, SIGSEGV);
}

UTEST(ignored_sigsegv_still_kills)
{
	char *p = ut_map(1, PROT_READ);
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		signal(SIGSEGV, SIG_IGN);
		*(volatile char *)p = 1;
		_exit(0);
	}
	UT_CHILD_KILLED(pid, SIGSEGV);
}

UTEST(sigsetjmp_recovers_repeatedly)
{
	char *p = ut_map(1, PROT_READ);

	for (int i = 0; i < 100; i++)
		UT_EQ(ut_probe_write(p + i, 1, NULL), SIGSEGV);
	UT_EQ(ut_probe_write(ut_map(1, RW), 1, NULL), 0);
}
