/*
 * tests/user/prctl.c - prctl's names and parent-death signal, the CPU
 * affinity calls, getcpu and capget: what stress-ng (and glibc counting
 * CPUs) asks of the kernel before it starts work.
 */
#define _GNU_SOURCE
#include "utest.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The name /proc/self/stat shows, between the parentheses. */
static void
stat_name(char *name, size_t size)
{
	char buf[256];
	int fd = (int)UT_SYS(open("/proc/self/stat", O_RDONLY));
	ssize_t n = UT_SYS(read(fd, buf, sizeof(buf) - 1));
	close(fd);
	buf[n] = '\0';
	char *l = strchr(buf, '('), *r = strrchr(buf, ')');
	UT_ASSERT(l != NULL && r != NULL && r > l);
	*r = '\0';
	strncpy(name, l + 1, size - 1);
	name[size - 1] = '\0';
}

UTEST(set_name_is_what_get_name_and_proc_stat_say)
{
	char got[16] = "xxxxxxxxxxxxxxx", st[32];

	UT_SYS(prctl(PR_SET_NAME, "stress-ng-vm"));
	UT_SYS(prctl(PR_GET_NAME, got));
	UT_EQ(strcmp(got, "stress-ng-vm"), 0);
	stat_name(st, sizeof(st));
	UT_EQ(strcmp(st, "stress-ng-vm"), 0);
}

UTEST(a_long_name_is_cut_to_15_bytes)
{
	char got[16];

	memset(got, 'x', sizeof(got));
	UT_SYS(prctl(PR_SET_NAME, "0123456789abcdefghij"));
	UT_SYS(prctl(PR_GET_NAME, got));
	UT_EQ(got[15], '\0');
	UT_EQ(strcmp(got, "0123456789abcde"), 0);
}

UTEST(a_fork_keeps_the_name)
{
	UT_SYS(prctl(PR_SET_NAME, "named"));
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		char got[16];
		_exit(prctl(PR_GET_NAME, got) == 0 && strcmp(got, "named") == 0 ? 0 : 1);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(bad_pointers_and_options_fail)
{
	int sig;

	UT_ERR(prctl(PR_SET_NAME, (char *)8), EFAULT);
	UT_ERR(prctl(PR_GET_NAME, (char *)8), EFAULT);
	UT_ERR(prctl(PR_GET_PDEATHSIG, (int *)8), EFAULT);
	UT_ERR(prctl(PR_SET_PDEATHSIG, 65), EINVAL);
	UT_ERR(prctl(-1, 0, 0, 0, 0), EINVAL);
	UT_SYS(prctl(PR_GET_PDEATHSIG, &sig));
	UT_EQ(sig, 0);
}

UTEST(pdeathsig_is_read_back_and_not_inherited)
{
	int sig = -1;

	UT_SYS(prctl(PR_SET_PDEATHSIG, SIGUSR1));
	UT_SYS(prctl(PR_GET_PDEATHSIG, &sig));
	UT_EQ(sig, SIGUSR1);
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		int s = -1;
		_exit(prctl(PR_GET_PDEATHSIG, &s) == 0 && s == 0 ? 0 : 1);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_SYS(prctl(PR_SET_PDEATHSIG, 0));
}

static volatile sig_atomic_t got_usr1;

static void
on_usr1(int sig)
{
	got_usr1 = sig == SIGUSR1;
}

/*
 * middle forks last, which asks for SIGUSR1 at its parent's death; middle
 * exits; last must get the signal (it reports through the pipe).
 */
UTEST(the_parents_exit_sends_pdeathsig)
{
	int ready[2], result[2];
	char c = 0;

	UT_SYS(pipe(ready));
	UT_SYS(pipe(result));
	pid_t middle = (pid_t)UT_SYS(fork());
	if (middle == 0) {
		pid_t last = fork();
		if (last == 0) {
			sigset_t set, none;
			sigemptyset(&set);
			sigemptyset(&none);
			sigaddset(&set, SIGUSR1);
			sigprocmask(SIG_BLOCK, &set, NULL);
			signal(SIGUSR1, on_usr1);
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			(void)!write(ready[1], "r", 1);
			while (!got_usr1)
				sigsuspend(&none);
			(void)!write(result[1], "y", 1);
			_exit(0);
		}
		(void)!read(ready[0], &c, 1);
		_exit(last > 0 ? 0 : 1);
	}
	UT_CHILD_EXITS(middle, 0);
	UT_EQ(read(result[0], &c, 1), 1);
	UT_EQ(c, 'y');
}

UTEST(affinity_is_cpu_0_in_one_long)
{
	cpu_set_t set;

	memset(&set, 0xff, sizeof(set));
	long n = UT_SYS(syscall(SYS_sched_getaffinity, 0, sizeof(set), &set));
	UT_EQ(n % sizeof(long), 0);
	UT_ASSERT(n >= (long)sizeof(long));
	UT_ASSERT(CPU_ISSET(0, &set));
	UT_SYS(sched_getaffinity(getpid(), sizeof(set), &set));
	UT_ASSERT(CPU_COUNT(&set) >= 1);
}

UTEST(affinity_arguments_are_checked)
{
	cpu_set_t set;

	UT_ERR(syscall(SYS_sched_getaffinity, 0, 4, &set), EINVAL);
	UT_ERR(syscall(SYS_sched_getaffinity, 0, sizeof(set), (void *)8), EFAULT);
	UT_ERR(syscall(SYS_sched_getaffinity, -5, sizeof(set), &set), ESRCH);
	CPU_ZERO(&set);
	UT_ERR(sched_setaffinity(0, sizeof(set), &set), EINVAL);
	UT_ERR(syscall(SYS_sched_setaffinity, 0, sizeof(set), (void *)8), EFAULT);
}

UTEST(setting_cpu_0_keeps_running_there)
{
	cpu_set_t set;
	unsigned cpu = 99, node = 99;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	UT_SYS(sched_setaffinity(0, sizeof(set), &set));
	UT_SYS(syscall(SYS_getcpu, &cpu, &node, NULL));
	UT_EQ(cpu, 0);
	UT_EQ(node, 0);
	UT_SYS(syscall(SYS_getcpu, NULL, NULL, NULL));
	UT_ERR(syscall(SYS_getcpu, (void *)8, NULL, NULL), EFAULT);
}

UTEST(setting_the_last_cpu_moves_the_caller_there_and_back)
{
	cpu_set_t all, one, now;
	unsigned cpu = 99;
	int last = -1;

	UT_SYS(sched_getaffinity(0, sizeof(all), &all));
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &all))
			last = i;
	UT_ASSERT(last >= 0);
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	UT_SYS(sched_setaffinity(0, sizeof(one), &one));
	UT_SYS(syscall(SYS_getcpu, &cpu, NULL, NULL));
	UT_EQ(cpu, (unsigned)last);         /* moved before the call returned */
	UT_SYS(sched_getaffinity(0, sizeof(now), &now));
	UT_EQ(CPU_COUNT(&now), 1);
	UT_ASSERT(CPU_ISSET(last, &now));
	UT_SYS(sched_setaffinity(0, sizeof(all), &all));
	UT_SYS(sched_getaffinity(0, sizeof(now), &now));
	UT_ASSERT(CPU_EQUAL(&now, &all));
}

/* capget: root holds the capabilities (DAC_OVERRIDE, IPC_LOCK, SYS_ADMIN...). */
struct ut_cap_header {
	uint32_t version;
	int pid;
};

struct ut_cap_data {
	uint32_t effective, permitted, inheritable;
};

UTEST(capget_says_root_holds_every_capability)
{
	struct ut_cap_header h = { 0x20080522, 0 };
	struct ut_cap_data d[2];

	memset(d, 0, sizeof(d));
	UT_SYS(syscall(SYS_capget, &h, d));
	/* (a container's root may lack a few: look at the usual ones) */
	UT_EQ(d[0].effective, d[0].permitted);
	UT_EQ(d[0].effective & (1u << 1 | 1u << 14 | 1u << 21), 1u << 1 | 1u << 14 | 1u << 21);
	UT_EQ(d[1].effective, d[1].permitted);
	h.pid = getpid();
	UT_SYS(syscall(SYS_capget, &h, d));
}

UTEST(capget_checks_its_header)
{
	struct ut_cap_header h = { 1, 0 };
	struct ut_cap_data d[2];

	UT_ERR(syscall(SYS_capget, &h, d), EINVAL);
	UT_EQ(h.version, 0x20080522);           /* the one to use, written back */
	h.version = 1;
	UT_SYS(syscall(SYS_capget, &h, NULL));
	UT_EQ(h.version, 0x20080522);
	h.pid = -1;
	UT_ERR(syscall(SYS_capget, &h, d), EINVAL);
	h.pid = 0x3fffffff;
	UT_ERR(syscall(SYS_capget, &h, d), ESRCH);
	UT_ERR(syscall(SYS_capget, (void *)8, d), EFAULT);
}
