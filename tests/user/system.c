/*
 * tests/user/system.c - the calls about the machine and the ids, as Linux
 * answers them for root: reboot's magic numbers (only the refusals: a
 * real power-off would end the run), sync, syncfs, fsync and fdatasync,
 * ioperm's range check, getresuid/getresgid, rt_sigpending, mlock2's
 * flags, process_mrelease without a pidfd, uname's release, and the host
 * and domain names sethostname and setdomainname give uname.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "utest.h"

#define REBOOT_MAGIC1 0xfee1dead
#define REBOOT_MAGIC2 672274793
#define REBOOT_CMD_POWER_OFF 0x4321fedc
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

UTEST(reboot_with_bad_magic_is_einval)
{
	UT_ERR(syscall(SYS_reboot, 0x12345678, REBOOT_MAGIC2, REBOOT_CMD_POWER_OFF, 0), EINVAL);
	UT_ERR(syscall(SYS_reboot, REBOOT_MAGIC1, 1, REBOOT_CMD_POWER_OFF, 0), EINVAL);
}

UTEST(reboot_with_an_unknown_command_is_einval)
{
	UT_ERR(syscall(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, 0x11111111, 0), EINVAL);
}

UTEST(sync_family_succeeds_on_files)
{
	int fd = open(ut_self(), O_RDONLY), p[2];

	UT_ASSERT(fd >= 0);
	sync();
	UT_SYS(syncfs(fd));
	UT_SYS(fsync(fd));
	UT_SYS(fdatasync(fd));
	UT_SYS(pipe(p));
	UT_ERR(fsync(p[0]), EINVAL);            /* a pipe cannot be synced */
	close(fd);
	UT_ERR(fsync(fd), EBADF);
	UT_ERR(fdatasync(fd), EBADF);
	UT_ERR(syncfs(fd), EBADF);
}

UTEST(ioperm_checks_the_range)
{
	UT_ERR(ioperm(0x10000, 1, 0), EINVAL);
	UT_ERR(ioperm(0xffff, 2, 0), EINVAL);
	UT_ERR(ioperm(0x80, 0, 0), EINVAL);
	UT_SYS(ioperm(0x80, 1, 0));            /* turning access off: fine */
	/* Turning it on: root gets the ports on Linux, EPERM on uvmkern. */
	int r = ioperm(0x80, 1, 1);
	UT_ASSERT(r == 0 || errno == EPERM);
}

UTEST(getresuid_and_getresgid_are_root)
{
	uid_t r = 1, e = 1, s = 1;
	gid_t gr = 1, ge = 1, gs = 1;

	UT_SYS(getresuid(&r, &e, &s));
	UT_ASSERT(r == 0 && e == 0 && s == 0);
	UT_SYS(getresgid(&gr, &ge, &gs));
	UT_ASSERT(gr == 0 && ge == 0 && gs == 0);
	UT_ERR(syscall(SYS_getresuid, NULL, &e, &s), EFAULT);
}

UTEST(rt_sigpending_shows_blocked_pending_signals)
{
	sigset_t block, pend;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	UT_SYS(sigprocmask(SIG_BLOCK, &block, NULL));
	UT_SYS(sigpending(&pend));
	UT_ASSERT(!sigismember(&pend, SIGUSR1));
	UT_SYS(kill(getpid(), SIGUSR1));
	UT_SYS(sigpending(&pend));
	UT_ASSERT(sigismember(&pend, SIGUSR1));
	UT_ASSERT(!sigismember(&pend, SIGUSR2));
	UT_ERR(syscall(SYS_rt_sigpending, &pend, 1024), EINVAL);
	signal(SIGUSR1, SIG_IGN);
	UT_SYS(sigprocmask(SIG_UNBLOCK, &block, NULL));
}

UTEST(mlock2_locks_and_checks_its_flags)
{
	char *p = ut_map(4, RW);
	unsigned char vec[4];

	UT_ERR(syscall(SYS_mlock2, p, 4 * PAGE, 2), EINVAL);
	UT_SYS(syscall(SYS_mlock2, p, 4 * PAGE, 0));
	UT_SYS(mincore(p, 4 * PAGE, vec));
	UT_ASSERT(vec[0] & vec[3] & 1);        /* locked means resident */
	UT_SYS(munlock(p, 4 * PAGE));
	UT_SYS(syscall(SYS_mlock2, p, 4 * PAGE, MLOCK_ONFAULT));
	p[0] = 1;
	UT_SYS(munlock(p, 4 * PAGE));
}

UTEST(process_mrelease_without_a_pidfd)
{
	int fd = open(ut_self(), O_RDONLY);

	UT_ERR(syscall(SYS_process_mrelease, -1, 0), EBADF);
	UT_ERR(syscall(SYS_process_mrelease, fd, 0), EBADF);    /* not a pidfd */
	UT_ERR(syscall(SYS_process_mrelease, fd, 1), EINVAL);
	close(fd);
}

/* "6.1.0-..." as a version check parses it: major.minor.patch. */
UTEST(uname_release_is_linux_style)
{
	struct utsname u;
	int major = 0, minor = -1, patch = -1;

	UT_SYS(uname(&u));
	UT_EQ(sscanf(u.release, "%d.%d.%d", &major, &minor, &patch), 3);
	UT_ASSERT(major >= 3 && minor >= 0 && patch >= 0);
	UT_ASSERT(strcmp(u.machine, "x86_64") == 0);
	UT_ASSERT(u.version[0] != '\0');
}

/* sethostname/setdomainname: what uname reports next; 64 bytes at most. */
UTEST(sethostname_and_setdomainname_show_in_uname)
{
	struct utsname old, u;
	char long_name[66];

	UT_SYS(uname(&old));
	UT_SYS(sethostname("box-a", 5));
	UT_SYS(setdomainname("example", 7));
	UT_SYS(uname(&u));
	UT_ASSERT(strcmp(u.nodename, "box-a") == 0);
	UT_ASSERT(strcmp(u.domainname, "example") == 0);
	UT_SYS(sethostname("abcdef", 3));       /* len counts, not the NUL */
	UT_SYS(uname(&u));
	UT_ASSERT(strcmp(u.nodename, "abc") == 0);
	memset(long_name, 'x', sizeof(long_name));
	UT_ERR(sethostname(long_name, 65), EINVAL);
	UT_SYS(sethostname(long_name, 64));
	UT_ERR(sethostname((const char *)8, 4), EFAULT);
	UT_SYS(sethostname(old.nodename, strlen(old.nodename)));
	UT_SYS(setdomainname(old.domainname, strlen(old.domainname)));
	UT_SYS(uname(&u));
	UT_ASSERT(strcmp(u.nodename, old.nodename) == 0);
}
