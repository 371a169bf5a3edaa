/*
 * tests/user/procfs.c - the /proc files tools read, in Linux's format:
 * /proc/sys/kernel/pid_max, tainted, /proc/sys/vm/mmap_min_addr,
 * /proc/mounts, /proc/PID/stat and status (a child's state, running,
 * sleeping, zombie; VmRSS following touched pages), /proc/self/smaps
 * (Rss, Pss, Anonymous, Swap, Locked of one mapping, and Pss halved when
 * a fork shares the pages), /proc/self/fd/ and the permissions maps
 * shows for a write-only mapping.
 *
 * Values that differ between kernels (pid_max, mmap_min_addr) are
 * checked for form; page counts are checked against the pages touched.
 * Files are read with read(2) into static buffers, so that reading them
 * does not itself allocate memory and change what they report.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "utest.h"

static char text[1 << 20];

/* The whole of path into text, NUL-terminated; its length. */
static size_t
slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		ut_fail(__FILE__, __LINE__, "open %s: %s", path, ut_errname(errno));
	while (n < sizeof(text) - 1 && (r = read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	text[n] = '\0';
	return n;
}

/* A file holding one decimal number and a newline: that number. */
static long
read_number(const char *path)
{
	char *end;

	slurp(path);
	long v = strtol(text, &end, 10);
	UT_ASSERT(end != text && *end == '\n' && end[1] == '\0');
	return v;
}

/* Does line l start a maps line (its first word has no ':')? */
static int
is_header(const char *l)
{
	size_t w = strcspn(l, " \t\n");

	return w > 0 && l[w - 1] != ':';
}

/* The kB figure after "key:" in text from from on (one smaps block), or -1. */
static long
field_kb(const char *from, const char *key)
{
	size_t n = strlen(key);

	for (const char *l = from; l != NULL && *l != '\0'; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		if (strncmp(l, key, n) == 0 && l[n] == ':')
			return strtol(l + n + 1, NULL, 10);
		if (l != from && is_header(l))
			break;          /* the next mapping */
	}
	return -1;
}

/* The smaps block of the mapping starting at addr: a pointer into text. */
static const char *
smaps_of(const void *addr)
{
	char head[32];

	slurp("/proc/self/smaps");
	snprintf(head, sizeof(head), "%08lx-", (unsigned long)addr);
	for (const char *l = text; l != NULL; l = strchr(l, '\n'), l = l ? l + 1 : l)
		if (strncmp(l, head, strlen(head)) == 0)
			return strchr(l, '\n') + 1;
	ut_fail(__FILE__, __LINE__, "no smaps entry at %p", addr);
	return NULL;
}

/* Field n (1-based) of /proc/PID/stat, after the "(comm)". */
static const char *
stat_field(pid_t pid, int n)
{
	static char field[64];
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	slurp(path);
	const char *s = strrchr(text, ')');
	UT_ASSERT(s != NULL && s[1] == ' ');
	s += 2;
	for (int i = 3; i < n; i++) {
		s = strchr(s, ' ');
		UT_ASSERT(s != NULL);
		s++;
	}
	size_t len = strcspn(s, " \n");
	UT_ASSERT(len > 0 && len < sizeof(field));
	memcpy(field, s, len);
	field[len] = '\0';
	return field;
}

/* Wait (up to 5 s) until pid's stat shows state. */
static void
wait_for_state(pid_t pid, char state)
{
	for (int i = 0; i < 500 && stat_field(pid, 3)[0] != state; i++)
		usleep(10000);
	UT_EQ(stat_field(pid, 3)[0], state);
}

UTEST(pid_max_is_a_positive_number)
{
	long v = read_number("/proc/sys/kernel/pid_max");

	UT_ASSERT(v > getpid());
}

UTEST(mmap_min_addr_is_a_page_multiple)
{
	long v = read_number("/proc/sys/vm/mmap_min_addr");

	UT_ASSERT(v >= 0 && v % (long)PAGE == 0);
}

UTEST(tainted_is_a_number)
{
	UT_ASSERT(read_number("/proc/sys/kernel/tainted") >= 0);
}

UTEST(mounts_lists_root_and_proc)
{
	slurp("/proc/mounts");
	UT_ASSERT(strstr(text, " / ") != NULL);
	UT_ASSERT(strstr(text, "proc /proc proc ") != NULL);
}

UTEST(stat_of_self)
{
	char comm[32];

	slurp("/proc/self/stat");
	UT_EQ(atoi(text), getpid());
	snprintf(comm, sizeof(comm), " (%.15s) ", strrchr(ut_self(), '/') + 1);
	UT_ASSERT(strncmp(strchr(text, ' '), comm, strlen(comm)) == 0);
	UT_EQ(stat_field(getpid(), 3)[0], 'R');
	UT_EQ(atoi(stat_field(getpid(), 4)), getppid());
	UT_EQ(atoi(stat_field(getpid(), 5)), getpgrp());
	UT_ASSERT(strtoul(stat_field(getpid(), 23), NULL, 10) > 0);   /* vsize */
	UT_ASSERT(strtoul(stat_field(getpid(), 24), NULL, 10) > 0);   /* rss */
}

UTEST(stat_of_a_child_sleeping_then_a_zombie)
{
	int fd[2];
	char c;

	UT_SYS(pipe(fd));
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		close(fd[1]);
		_exit(read(fd[0], &c, 1) == 0 ? 0 : 1);    /* sleeps until EOF */
	}
	close(fd[0]);
	wait_for_state(pid, 'S');
	UT_EQ(atoi(stat_field(pid, 4)), getpid());
	close(fd[1]);
	wait_for_state(pid, 'Z');
	UT_CHILD_EXITS(pid, 0);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	UT_ERR(open(path, O_RDONLY), ENOENT);       /* reaped: gone */
}

UTEST(status_vmrss_follows_touched_pages)
{
	const size_t n = 256;       /* 1 MiB: no 2 MiB huge page fits */
	char *p = ut_map(n, RW);

	slurp("/proc/self/status");
	long before = field_kb(text, "VmRSS"), size = field_kb(text, "VmSize");
	UT_ASSERT(before > 0 && size >= before);
	UT_EQ(field_kb(text, "VmSwap"), 0);
	UT_EQ(field_kb(text, "VmLck"), 0);
	for (size_t i = 0; i < n; i++)
		p[i * PAGE] = 1;
	slurp("/proc/self/status");
	long grew = (field_kb(text, "VmRSS") - before) / 4;
	/* Linux 6.1 batches its RSS counters up to 64 faults per thread. */
	UT_ASSERT(grew >= (long)n - 64 && grew <= (long)n + 64);
	UT_ASSERT(strstr(text, "State:\tR (running)") != NULL);
}

UTEST(status_vmlck_counts_locked_memory)
{
	char *p = ut_map(4, RW);

	UT_SYS(mlock(p, 4 * PAGE));
	slurp("/proc/self/status");
	UT_EQ(field_kb(text, "VmLck"), 16);
	UT_SYS(munlock(p, 4 * PAGE));
}

UTEST(smaps_counts_the_touched_pages)
{
	char *p = ut_map(8, RW);
	const char *s;

	/* No fault-ahead (uvmkern zero-fills a run of pages ahead of a
	 * fault otherwise): only the pages touched become resident. */
	UT_SYS(madvise(p, 8 * PAGE, MADV_RANDOM));
	s = smaps_of(p);
	UT_EQ(field_kb(s, "Size"), 32);
	UT_EQ(field_kb(s, "Rss"), 0);
	for (int i = 0; i < 4; i++)
		p[i * PAGE] = 1;
	s = smaps_of(p);
	UT_EQ(field_kb(s, "Size"), 32);
	UT_EQ(field_kb(s, "Rss"), 16);
	UT_EQ(field_kb(s, "Pss"), 16);
	UT_EQ(field_kb(s, "Anonymous"), 16);
	UT_EQ(field_kb(s, "Private_Dirty"), 16);
	UT_EQ(field_kb(s, "Swap"), 0);
	UT_EQ(field_kb(s, "Locked"), 0);
	UT_SYS(mlock(p, 8 * PAGE));
	s = smaps_of(p);
	UT_EQ(field_kb(s, "Rss"), 32);
	UT_EQ(field_kb(s, "Locked"), 32);
	UT_SYS(munlock(p, 8 * PAGE));
}

UTEST(smaps_pss_halves_when_a_fork_shares_the_pages)
{
	char *p = ut_map(4, RW);
	int fd[2];
	char c;

	for (int i = 0; i < 4; i++)
		p[i * PAGE] = 1;
	UT_SYS(pipe(fd));
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		close(fd[1]);
		_exit(read(fd[0], &c, 1) == 0 ? 0 : 1);
	}
	close(fd[0]);
	const char *s = smaps_of(p);
	UT_EQ(field_kb(s, "Rss"), 16);
	UT_EQ(field_kb(s, "Pss"), 8);
	UT_EQ(field_kb(s, "Shared_Dirty"), 16);
	close(fd[1]);
	UT_CHILD_EXITS(pid, 0);
	s = smaps_of(p);
	UT_EQ(field_kb(s, "Pss"), 16);
}

UTEST(fd_directory_lists_the_open_descriptors)
{
	int fd = open("/proc/self/stat", O_RDONLY), seen = 0, self = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char link[64];

	UT_ASSERT(fd >= 0 && d != NULL);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (atoi(e->d_name) == fd)
			self = 1;
		seen++;
	}
	closedir(d);
	UT_ASSERT(self);
	UT_ASSERT(seen >= 4);           /* 0, 1, 2, fd and the directory's own */
	UT_SYS(dup2(fd, 40));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", 40);
	UT_SYS(access(link, F_OK));
	UT_SYS(close(40));
	UT_ERR(access(link, F_OK), ENOENT);
	close(fd);
}

UTEST(fd_link_names_a_pipe_and_a_file)
{
	int fd[2];
	char link[64], target[256];
	ssize_t n;

	UT_SYS(pipe(fd));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd[0]);
	n = readlink(link, target, sizeof(target) - 1);
	UT_ASSERT(n > 0);
	target[n] = '\0';
	UT_ASSERT(strncmp(target, "pipe:[", 6) == 0);
	int f = open(ut_self(), O_RDONLY);
	UT_ASSERT(f >= 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", f);
	n = readlink(link, target, sizeof(target) - 1);
	UT_ASSERT(n > 0);
	target[n] = '\0';
	UT_ASSERT(strcmp(strrchr(target, '/'), strrchr(ut_self(), '/')) == 0);
}

UTEST(maps_shows_the_protection_asked_for)
{
	char *w = ut_map(1, PROT_WRITE), *x = ut_map(1, PROT_EXEC), perms[5];

	UT_SYS(ut_maps_perms(w, perms));
	UT_ASSERT(strcmp(perms, "-w-p") == 0);
	w[0] = 1;                       /* writes work */
	UT_EQ(w[0], 1);                 /* and x86 reads them back */
	UT_SYS(ut_maps_perms(x, perms));
	UT_ASSERT(strcmp(perms, "--xp") == 0);
	UT_SYS(mprotect(w, PAGE, PROT_READ | PROT_WRITE));
	UT_SYS(ut_maps_perms(w, perms));
	UT_ASSERT(strcmp(perms, "rw-p") == 0);
	UT_SYS(mprotect(w, PAGE, PROT_WRITE));
	UT_SYS(ut_maps_perms(w, perms));
	UT_ASSERT(strcmp(perms, "-w-p") == 0);
	UT_EQ(w[0], 1);                 /* still mapped, still readable */
}

UTEST(proc_directories_list_their_files)
{
	DIR *d = opendir("/proc/self");
	struct dirent *e;
	int found = 0;

	UT_ASSERT(d != NULL);
	while ((e = readdir(d)) != NULL)
		found += strcmp(e->d_name, "smaps") == 0 || strcmp(e->d_name, "status") == 0;
	closedir(d);
	UT_EQ(found, 2);
	UT_SYS(access("/proc/self", F_OK));
	UT_SYS(access("/proc/sys/kernel/pid_max", R_OK));
	UT_ERR(access("/proc/self/no_such_file", F_OK), ENOENT);
}
