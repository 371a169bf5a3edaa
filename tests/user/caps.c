/*
 * tests/user/caps.c - Linux capabilities: capget and capset's header
 * versions and rules, fork and execve's inheritance, and the privileged
 * calls that refuse a process which dropped the capability they need.
 *
 * Run as root (uvmkern: every process; Linux: test-linux's init).  A test
 * drops capabilities only in a process it forks (child_without), so the
 * test's own process, and the runner, keep all of theirs.  Linux 6.1 has
 * 41 capabilities (0 CAP_CHOWN to 40 CAP_CHECKPOINT_RESTORE).
 */
#define _GNU_SOURCE
#include "utest.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define V1 0x19980330
#define V2 0x20071026
#define V3 0x20080522

#define CAP_CHOWN 0
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_FOWNER 3
#define CAP_SETPCAP 8
#define CAP_IPC_LOCK 14
#define CAP_SYS_ADMIN 21
#define CAP_SYS_BOOT 22
#define CAP_SYS_RESOURCE 24
#define ALL_CAPS ((1ULL << 41) - 1)
#define BIT(c) (1ULL << (c))

struct hdr {
	uint32_t version;
	int pid;
};

struct data {
	uint32_t effective, permitted, inheritable;
};

struct sets {
	uint64_t e, p, i;
};

static long
capget_raw(struct hdr *h, struct data *d)
{
	return syscall(SYS_capget, h, d);
}

static long
capset_raw(struct hdr *h, const struct data *d)
{
	return syscall(SYS_capset, h, d);
}

/* The sets of pid (0: this process), through version 3. */
static struct sets
sets_of(int pid)
{
	struct hdr h = { V3, pid };
	struct data d[2];

	memset(d, 0, sizeof(d));
	UT_SYS(capget_raw(&h, d));
	return (struct sets){
		d[0].effective | (uint64_t)d[1].effective << 32,
		d[0].permitted | (uint64_t)d[1].permitted << 32,
		d[0].inheritable | (uint64_t)d[1].inheritable << 32,
	};
}

/* capset of this process to s (version 3); returns capset's answer. */
static long
set_sets(struct sets s)
{
	struct hdr h = { V3, 0 };
	struct data d[2] = {
		{ (uint32_t)s.e, (uint32_t)s.p, (uint32_t)s.i },
		{ (uint32_t)(s.e >> 32), (uint32_t)(s.p >> 32), (uint32_t)(s.i >> 32) },
	};

	return capset_raw(&h, d);
}

/* Fork; the child (0 returned) has dropped caps from effective and permitted. */
static pid_t
child_without(uint64_t caps)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		struct sets s = sets_of(0);
		s.e &= ~caps;
		s.p &= ~caps;
		UT_SYS(set_sets(s));
		UT_EQ(sets_of(0).e & caps, 0);
	}
	return pid;
}

/*
 * execve of this program with CAPS_EXEC_REPORT set: before utest's main
 * runs, it exits 0 if it holds every capability effective and permitted.
 */
__attribute__((constructor)) static void
exec_report(void)
{
	if (getenv("CAPS_EXEC_REPORT") == NULL)
		return;
	struct sets s = sets_of(0);
	_exit((s.e & ALL_CAPS) == ALL_CAPS && (s.p & ALL_CAPS) == ALL_CAPS ? 0 : 1);
}

/* ---- capget and capset themselves ---- */

UTEST(root_holds_every_capability)
{
	struct sets s = sets_of(0);

	UT_EQ(s.e & ALL_CAPS, ALL_CAPS);
	UT_EQ(s.p & ALL_CAPS, ALL_CAPS);
	UT_EQ(s.i, 0);
	s = sets_of(getpid());
	UT_EQ(s.e & ALL_CAPS, ALL_CAPS);
}

UTEST(dropping_everything_leaves_empty_sets)
{
	pid_t pid = child_without(0);

	if (pid == 0) {
		UT_SYS(set_sets((struct sets){ 0, 0, 0 }));
		struct sets s = sets_of(0);
		UT_EQ(s.e, 0);
		UT_EQ(s.p, 0);
		UT_EQ(s.i, 0);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(sets_of(0).e & ALL_CAPS, ALL_CAPS);   /* the parent kept them */
}

/* The sets in /proc/self/status, as Linux prints them (hex, 16 digits). */
static uint64_t
status_caps(const char *key)
{
	char line[256];
	unsigned long long v = ~0ULL;
	FILE *f = fopen("/proc/self/status", "r");

	UT_ASSERT(f != NULL);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			sscanf(line + strlen(key), " %llx", &v);
	fclose(f);
	return v;
}

UTEST(proc_status_shows_the_sets)
{
	UT_EQ(status_caps("CapEff:") & ALL_CAPS, ALL_CAPS);
	UT_EQ(status_caps("CapPrm:") & ALL_CAPS, ALL_CAPS);
	UT_EQ(status_caps("CapBnd:") & ALL_CAPS, ALL_CAPS);
	UT_EQ(status_caps("CapInh:"), 0);
	pid_t pid = child_without(BIT(CAP_SYS_ADMIN));
	if (pid == 0) {
		UT_EQ(status_caps("CapEff:") & BIT(CAP_SYS_ADMIN), 0);
		UT_EQ(status_caps("CapPrm:") & BIT(CAP_SYS_ADMIN), 0);
		UT_EQ(status_caps("CapEff:") & BIT(CAP_SYS_BOOT), BIT(CAP_SYS_BOOT));
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(permitted_cannot_grow_back)
{
	pid_t pid = child_without(BIT(CAP_SYS_ADMIN));

	if (pid == 0) {
		struct sets s = sets_of(0);
		UT_ERR(set_sets((struct sets){ s.e | BIT(CAP_SYS_ADMIN),
		    s.p | BIT(CAP_SYS_ADMIN), 0 }), EPERM);
		UT_ERR(set_sets((struct sets){ s.e, s.p | BIT(CAP_SYS_ADMIN), 0 }), EPERM);
		UT_EQ(sets_of(0).p & BIT(CAP_SYS_ADMIN), 0);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(effective_must_lie_within_new_permitted)
{
	pid_t pid = child_without(0);

	if (pid == 0) {
		struct sets s = sets_of(0);
		UT_ERR(set_sets((struct sets){ s.e, s.p & ~BIT(CAP_CHOWN), 0 }), EPERM);
		/* dropped from effective only, it can come back from permitted */
		UT_SYS(set_sets((struct sets){ s.e & ~BIT(CAP_CHOWN), s.p, 0 }));
		UT_EQ(sets_of(0).e & BIT(CAP_CHOWN), 0);
		UT_SYS(set_sets((struct sets){ s.e, s.p, 0 }));
		UT_EQ(sets_of(0).e & BIT(CAP_CHOWN), BIT(CAP_CHOWN));
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(inheritable_is_bounded_by_permitted_without_setpcap)
{
	pid_t pid = child_without(BIT(CAP_SYS_ADMIN) | BIT(CAP_SETPCAP));

	if (pid == 0) {
		struct sets s = sets_of(0);
		UT_ERR(set_sets((struct sets){ s.e, s.p, BIT(CAP_SYS_ADMIN) }), EPERM);
		UT_SYS(set_sets((struct sets){ s.e, s.p, BIT(CAP_CHOWN) }));
		UT_EQ(sets_of(0).i, BIT(CAP_CHOWN));
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	/* with CAP_SETPCAP, an inheritable bit need not be permitted */
	pid = child_without(BIT(CAP_SYS_ADMIN));
	if (pid == 0) {
		struct sets s = sets_of(0);
		UT_SYS(set_sets((struct sets){ s.e, s.p, BIT(CAP_SYS_ADMIN) }));
		UT_EQ(sets_of(0).i, BIT(CAP_SYS_ADMIN));
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(capset_of_another_process_is_eperm)
{
	struct hdr h = { V3, getppid() };
	struct data d[2];

	memset(d, 0, sizeof(d));
	UT_ERR(capset_raw(&h, d), EPERM);
	UT_EQ(sets_of(0).e & ALL_CAPS, ALL_CAPS);
	h.pid = getpid();                   /* its own pid is pid 0 */
	UT_SYS(capget_raw(&h, d));
	UT_SYS(capset_raw(&h, d));
}

UTEST(capget_reads_another_process)
{
	int p[2];
	char c;

	UT_SYS(pipe(p));
	pid_t pid = child_without(BIT(CAP_SYS_BOOT) | BIT(CAP_CHOWN));
	if (pid == 0) {
		close(p[0]);
		UT_EQ(write(p[1], "x", 1), 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	UT_EQ(read(p[0], &c, 1), 1);
	struct sets s = sets_of(pid);
	UT_EQ(s.e & ALL_CAPS, ALL_CAPS & ~(BIT(CAP_SYS_BOOT) | BIT(CAP_CHOWN)));
	UT_EQ(s.p, s.e);
	UT_SYS(kill(pid, SIGKILL));
	UT_CHILD_KILLED(pid, SIGKILL);
	/* reaped, it is gone */
	struct hdr h = { V3, pid };
	struct data d[2];
	UT_ERR(capget_raw(&h, d), ESRCH);
	h.pid = -1;
	UT_ERR(capget_raw(&h, d), EINVAL);
	close(p[0]);
}

UTEST(an_unknown_version_gets_v3_back_and_einval)
{
	struct hdr h = { 0x12345678, 0 };
	struct data d[2];

	memset(d, 0, sizeof(d));
	UT_ERR(capget_raw(&h, d), EINVAL);
	UT_EQ(h.version, V3);
	h.version = 1;
	UT_SYS(capget_raw(&h, NULL));       /* data NULL: the way to ask */
	UT_EQ(h.version, V3);
	h.version = 2;
	UT_ERR(capset_raw(&h, d), EINVAL);
	UT_EQ(h.version, V3);
	UT_EQ(sets_of(0).e & ALL_CAPS, ALL_CAPS);
}

UTEST(version_1_is_one_word)
{
	struct hdr h = { V1, 0 };
	struct data d[2];

	memset(d, 0xa5, sizeof(d));
	UT_SYS(capget_raw(&h, d));
	UT_EQ(d[0].effective, 0xffffffffu);
	UT_EQ(d[1].effective, 0xa5a5a5a5u);     /* the second word untouched */
	h.version = V2;
	UT_SYS(capget_raw(&h, d));
	UT_EQ(d[1].effective & 0x1ff, 0x1ffu);
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		/* a v1 capset says nothing of capabilities 32-40: they go */
		h.version = V1;
		d[0] = (struct data){ 0xffffffffu, 0xffffffffu, 0 };
		UT_SYS(capset_raw(&h, d));
		struct sets s = sets_of(0);
		UT_EQ(s.e, 0xffffffffULL);
		UT_EQ(s.p, 0xffffffffULL);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(bad_pointers_are_efault)
{
	struct hdr h = { V3, 0 };
	struct data d[2];

	UT_ERR(capget_raw((struct hdr *)8, d), EFAULT);
	UT_ERR(capget_raw(&h, (struct data *)8), EFAULT);
	UT_ERR(capset_raw((struct hdr *)8, d), EFAULT);
	UT_ERR(capset_raw(&h, (struct data *)8), EFAULT);
	UT_EQ(sets_of(0).e & ALL_CAPS, ALL_CAPS);
}

/* ---- fork and execve ---- */

UTEST(fork_inherits_the_sets)
{
	pid_t pid = child_without(BIT(CAP_SYS_ADMIN));

	if (pid == 0) {
		pid_t g = fork();
		if (g == 0)
			_exit(sets_of(0).e & BIT(CAP_SYS_ADMIN) ? 1 : 0);
		int st;
		UT_EQ(waitpid(g, &st, 0), g);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 2);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(execve_gives_root_every_capability_again)
{
	pid_t pid = child_without(ALL_CAPS);

	if (pid == 0) {
		char *argv[] = { "caps", NULL };
		char *envp[] = { "CAPS_EXEC_REPORT=1", NULL };
		UT_EQ(sets_of(0).p, 0);
		execve("/proc/self/exe", argv, envp);
		_exit(3);
	}
	UT_CHILD_EXITS(pid, 0);
}

/* ---- the calls that need a capability ---- */

UTEST(mount_and_umount_need_sys_admin)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/caps.%d", getpid());
	UT_SYS(mkdir(dir, 0755));
	pid_t pid = child_without(BIT(CAP_SYS_ADMIN));
	if (pid == 0) {
		UT_ERR(mount("none", dir, "tmpfs", 0, NULL), EPERM);
		UT_ERR(umount2("/tmp", 0), EPERM);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_SYS(rmdir(dir));
}

UTEST(swapon_and_swapoff_need_sys_admin)
{
	pid_t pid = child_without(BIT(CAP_SYS_ADMIN));

	if (pid == 0) {
		UT_ERR(swapon("/nonexistent-swap", 0), EPERM);
		UT_ERR(swapoff("/nonexistent-swap"), EPERM);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(sethostname_and_setdomainname_need_sys_admin)
{
	pid_t pid = child_without(BIT(CAP_SYS_ADMIN));

	if (pid == 0) {
		UT_ERR(sethostname("caps", 4), EPERM);
		UT_ERR(setdomainname("caps", 4), EPERM);
		UT_ERR(sethostname("caps", 1000), EPERM);   /* before the length */
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(reboot_needs_sys_boot)
{
	pid_t pid = child_without(BIT(CAP_SYS_BOOT));

	if (pid == 0) {
		/* LINUX_REBOOT_CMD_CAD_OFF: harmless had it been allowed */
		UT_ERR(syscall(SYS_reboot, 0xfee1dead, 672274793, 0, NULL), EPERM);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(mlock_past_the_memlock_limit_needs_ipc_lock)
{
	struct rlimit rl;
	size_t big;

	UT_SYS(getrlimit(RLIMIT_MEMLOCK, &rl));
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (64UL << 20))
		UT_SKIP("RLIMIT_MEMLOCK is unlimited or large here");
	big = rl.rlim_cur + 16 * PAGE;
	pid_t pid = child_without(BIT(CAP_IPC_LOCK));
	if (pid == 0) {
		char *p = mmap(NULL, big, RW, ANON | MAP_NORESERVE, -1, 0);
		UT_ASSERT(p != MAP_FAILED);
		UT_SYS(mlock(p, PAGE));             /* within the limit: fine */
		UT_ERR(mlock(p, big), ENOMEM);
		UT_ERR(mlockall(MCL_CURRENT), ENOMEM);
		UT_SYS(munlock(p, PAGE));
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(hwpoison_needs_sys_admin)
{
	pid_t pid = child_without(BIT(CAP_SYS_ADMIN));

	if (pid == 0) {
		char *p = ut_map(1, RW);
		p[0] = 1;
		UT_ERR(madvise(p, PAGE, MADV_HWPOISON), EPERM);
		UT_EQ(p[0], 1);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(raising_a_hard_limit_needs_sys_resource)
{
	struct rlimit rl, up;

	UT_SYS(getrlimit(RLIMIT_MEMLOCK, &rl));
	if (rl.rlim_max == RLIM_INFINITY)
		UT_SKIP("RLIMIT_MEMLOCK's hard limit is unlimited here");
	UT_SYS(setrlimit(RLIMIT_MEMLOCK, &rl));     /* the same: fine */
	pid_t pid = child_without(BIT(CAP_SYS_RESOURCE));
	if (pid == 0) {
		up = rl;
		up.rlim_max += PAGE;
		UT_ERR(setrlimit(RLIMIT_MEMLOCK, &up), EPERM);
		UT_SYS(setrlimit(RLIMIT_MEMLOCK, &rl));
		up = rl;
		up.rlim_cur = rl.rlim_max + PAGE;
		UT_ERR(setrlimit(RLIMIT_MEMLOCK, &up), EINVAL);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
}

/* A file of this test in /tmp, made by root (uid 0, gid 0) with mode. */
static void
tmp_file(char *path, size_t size, const char *tag, mode_t mode)
{
	snprintf(path, size, "/tmp/caps.%s.%d", tag, getpid());
	int fd = (int)UT_SYS(open(path, O_CREAT | O_EXCL | O_WRONLY, 0600));
	UT_EQ(write(fd, "data", 4), 4);
	close(fd);
	UT_SYS(chmod(path, mode));
}

UTEST(chown_beyond_the_owner_needs_chown)
{
	char f[64];

	tmp_file(f, sizeof(f), "chown", 0644);
	pid_t pid = child_without(BIT(CAP_CHOWN));
	if (pid == 0) {
		UT_ERR(chown(f, 1000, (gid_t)-1), EPERM);
		UT_ERR(chown(f, (uid_t)-1, 1000), EPERM);
		UT_SYS(chown(f, 0, 0));             /* the owner, to itself */
		UT_SYS(chown(f, (uid_t)-1, (gid_t)-1));
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_SYS(chown(f, 1000, 1000));
	struct stat st;
	UT_SYS(stat(f, &st));
	UT_EQ(st.st_uid, 1000);
	UT_EQ(st.st_gid, 1000);
	UT_SYS(unlink(f));
}

UTEST(chmod_of_anothers_file_needs_fowner)
{
	char f[64];

	tmp_file(f, sizeof(f), "chmod", 0644);
	UT_SYS(chown(f, 1000, 1000));
	pid_t pid = child_without(BIT(CAP_FOWNER));
	if (pid == 0) {
		UT_ERR(chmod(f, 0600), EPERM);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	struct stat st;
	UT_SYS(stat(f, &st));
	UT_EQ(st.st_mode & 07777, 0644);
	UT_SYS(chmod(f, 0600));             /* with CAP_FOWNER it may */
	UT_SYS(chown(f, 0, 0));
	pid = child_without(BIT(CAP_FOWNER));
	if (pid == 0) {
		UT_SYS(chmod(f, 0640));             /* its own file */
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_SYS(unlink(f));
}

UTEST(permission_bits_hold_without_dac_override)
{
	char f[64];

	tmp_file(f, sizeof(f), "dac", 0);
	UT_SYS(close((int)UT_SYS(open(f, O_RDWR))));    /* root: anything */
	pid_t pid = child_without(BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH));
	if (pid == 0) {
		UT_ERR(open(f, O_RDONLY), EACCES);
		UT_ERR(open(f, O_WRONLY), EACCES);
		UT_ERR(access(f, R_OK), EACCES);
		UT_SYS(chmod(f, 0400));             /* the owner's bits now */
		UT_SYS(close((int)UT_SYS(open(f, O_RDONLY))));
		UT_ERR(open(f, O_RDWR), EACCES);
		UT_ERR(open(f, O_RDONLY | O_TRUNC), EACCES);
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_SYS(unlink(f));
}

UTEST(dac_read_search_reads_and_searches_only)
{
	char d[64], f[80];

	snprintf(d, sizeof(d), "/tmp/caps.dir.%d", getpid());
	snprintf(f, sizeof(f), "%s/f", d);
	UT_SYS(mkdir(d, 0755));
	UT_SYS(close((int)UT_SYS(open(f, O_CREAT | O_WRONLY, 0))));
	UT_SYS(chmod(d, 0));
	pid_t pid = child_without(BIT(CAP_DAC_OVERRIDE));
	if (pid == 0) {
		struct stat st;
		UT_SYS(stat(f, &st));               /* search: READ_SEARCH */
		UT_SYS(close((int)UT_SYS(open(f, O_RDONLY))));
		UT_ERR(open(f, O_WRONLY), EACCES);
		UT_SYS(set_sets((struct sets){ 0, 0, 0 }));
		UT_ERR(stat(f, &st), EACCES);       /* nothing lets it search */
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_SYS(chmod(d, 0755));
	UT_SYS(unlink(f));
	UT_SYS(rmdir(d));
}

UTEST(adding_and_removing_names_needs_write_permission_on_the_directory)
{
	char d[64], f[80], n[80];

	snprintf(d, sizeof(d), "/tmp/caps.wdir.%d", getpid());
	snprintf(f, sizeof(f), "%s/f", d);
	snprintf(n, sizeof(n), "%s/new", d);
	UT_SYS(mkdir(d, 0755));
	UT_SYS(close((int)UT_SYS(open(f, O_CREAT | O_WRONLY, 0644))));
	UT_SYS(chmod(d, 0555));
	pid_t pid = child_without(BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH));
	if (pid == 0) {
		UT_ERR(mkdir(n, 0755), EACCES);
		UT_ERR(open(n, O_CREAT | O_WRONLY, 0644), EACCES);
		UT_ERR(symlink("f", n), EACCES);
		UT_ERR(link(f, n), EACCES);
		UT_ERR(rename(f, n), EACCES);
		UT_ERR(unlink(f), EACCES);
		UT_ERR(unlink(n), ENOENT);          /* the name is looked up first */
		UT_SYS(close((int)UT_SYS(open(f, O_WRONLY))));  /* the file's bits */
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_SYS(rename(f, n));                       /* CAP_DAC_OVERRIDE: fine */
	UT_SYS(unlink(n));
	UT_SYS(chmod(d, 0755));
	UT_SYS(rmdir(d));
}
