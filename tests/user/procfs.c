/*
 * tests/user/procfs.c - the /proc files tools read, in Linux's format:
 * /proc/sys/kernel/pid_max, tainted, /proc/sys/vm/mmap_min_addr,
 * /proc/mounts, /proc/PID/stat and status (a child's state, running,
 * sleeping, zombie; VmRSS following touched pages), /proc/self/smaps
 * (Rss, Pss, Anonymous, Swap, Locked of one mapping, and Pss halved when
 * a fork shares the pages), /proc/self/fd/ and the permissions maps
 * shows for a write-only mapping.  And what ps, top, free and uptime
 * read, parsed as they parse it: stat's 52 fields in order, cmdline
 * (argv, NUL-separated), comm, status, /proc/stat, uptime, loadavg,
 * meminfo (agreeing with sysinfo), maps naming a file with its device,
 * inode and path, smaps dividing a file page among its mappings, and
 * smaps_rollup as the sum of smaps.
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
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "utest.h"

static char text[1 << 20];

/* The whole of path into text, NUL-terminated; its length. */
static size_t
slurp(const char *path)
{
	return ut_slurp(path, text, sizeof(text));
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

/* ---- what ps, top, free and uptime read ---- */

/* Split text (one line) at spaces into at most max fields; how many. */
static int
split_fields(char *line, char **f, int max)
{
	int n = 0;

	for (char *s = strtok(line, " \n"); s != NULL && n < max; s = strtok(NULL, " \n"))
		f[n++] = s;
	return n;
}

/* The value after "key:" in text (status, meminfo), or -1. */
static long
field_value(const char *key)
{
	size_t n = strlen(key);

	for (const char *l = text; l != NULL && *l != '\0'; l = strchr(l, '\n'), l = l ? l + 1 : l)
		if (strncmp(l, key, n) == 0 && l[n] == ':')
			return strtol(l + n + 1, NULL, 10);
	return -1;
}

UTEST(stat_has_linux_fields_in_their_order)
{
	char *f[64];

	slurp("/proc/self/stat");
	char *after = strrchr(text, ')');
	UT_ASSERT(after != NULL);
	int n = split_fields(after + 2, f, 64) + 2;     /* pid and (comm) */
	UT_EQ(n, 52);
	UT_EQ(f[0][0], 'R');                            /* 3 state */
	UT_EQ(atoi(f[1]), getppid());                   /* 4 ppid */
	UT_EQ(atoi(f[2]), getpgrp());                   /* 5 pgrp */
	UT_EQ(atoi(f[3]), getsid(0));                   /* 6 session */
	UT_ASSERT(strtol(f[11], NULL, 10) >= 0);        /* 14 utime */
	UT_EQ(atoi(f[17]), 1);                          /* 20 num_threads */
	UT_ASSERT(strtoul(f[20], NULL, 10) > 0);        /* 23 vsize */
	UT_ASSERT(strtoul(f[21], NULL, 10) > 0);        /* 24 rss */
	UT_EQ(atoi(f[35]), SIGCHLD);                    /* 38 exit_signal */
	/* 48, 49: argv's place; cmdline is exactly that long. */
	unsigned long as = strtoul(f[45], NULL, 10), ae = strtoul(f[46], NULL, 10);
	UT_ASSERT(as != 0 && ae > as);
	UT_EQ((long)slurp("/proc/self/cmdline"), (long)(ae - as));
}

UTEST(stat_starttime_is_in_ticks_since_boot)
{
	char *f[64];
	double up;

	slurp("/proc/uptime");
	UT_EQ(sscanf(text, "%lf", &up), 1);
	slurp("/proc/self/stat");
	UT_EQ(split_fields(strrchr(text, ')') + 2, f, 64), 50);
	unsigned long start = strtoul(f[19], NULL, 10);         /* 22 */
	UT_ASSERT(start <= (unsigned long)(up * sysconf(_SC_CLK_TCK)) + 1);
}

UTEST(cmdline_is_the_argv_nul_separated)
{
	size_t n = slurp("/proc/self/cmdline");

	UT_ASSERT(n > strlen(ut_self()));
	UT_ASSERT(strcmp(text, ut_self()) == 0);       /* argv[0], its NUL */
	UT_EQ(text[n - 1], '\0');
}

UTEST(cmdline_of_a_zombie_is_empty)
{
	char path[64];
	pid_t pid = fork();

	UT_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(0);
	wait_for_state(pid, 'Z');
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	UT_EQ((long)slurp(path), 0);
	UT_CHILD_EXITS(pid, 0);
}

UTEST(comm_is_the_program_name)
{
	char want[32];

	snprintf(want, sizeof(want), "%.15s\n", strrchr(ut_self(), '/') + 1);
	slurp("/proc/self/comm");
	UT_ASSERT(strcmp(text, want) == 0);
}

UTEST(status_has_what_ps_reads)
{
	slurp("/proc/self/status");
	UT_ASSERT(strncmp(text, "Name:\t", 6) == 0);
	UT_ASSERT(strstr(text, "\nState:\tR (running)\n") != NULL);
	UT_EQ(field_value("PPid"), getppid());
	UT_EQ(field_value("Pid"), getpid());
	UT_EQ(field_value("Uid"), (long)getuid());
	UT_EQ(field_value("Gid"), (long)getgid());
	UT_EQ(field_value("Threads"), 1);
	UT_ASSERT(field_value("VmRSS") > 0);
	UT_ASSERT(field_value("VmSize") >= field_value("VmRSS"));
	UT_ASSERT(field_value("RssAnon") + field_value("RssFile") +
	    field_value("RssShmem") == field_value("VmRSS"));
}

UTEST(proc_stat_has_cpu_btime_and_process_counts)
{
	unsigned long long cpu[4];
	long before, after;

	slurp("/proc/stat");
	UT_EQ(sscanf(text, "cpu  %llu %llu %llu %llu", &cpu[0], &cpu[1], &cpu[2], &cpu[3]), 4);
	UT_ASSERT(cpu[0] + cpu[2] + cpu[3] > 0);
	UT_ASSERT(strstr(text, "\ncpu0 ") != NULL);
	const char *b = strstr(text, "\nbtime ");
	UT_ASSERT(b != NULL && strtol(b + 7, NULL, 10) > 1000000000L);
	UT_ASSERT(atol(strstr(text, "\nprocs_running ") + 15) >= 1);
	UT_ASSERT(strstr(text, "\nprocs_blocked ") != NULL);
	before = atol(strstr(text, "\nprocesses ") + 11);
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(0);
	UT_CHILD_EXITS(pid, 0);
	slurp("/proc/stat");
	after = atol(strstr(text, "\nprocesses ") + 11);
	UT_ASSERT(after > before);
}

UTEST(uptime_and_loadavg_as_uptime_and_top_read_them)
{
	double up, idle, l1, l5, l15;
	int running, total, last;
	struct sysinfo si;

	slurp("/proc/uptime");
	UT_EQ(sscanf(text, "%lf %lf", &up, &idle), 2);
	UT_ASSERT(up > 0 && idle >= 0);
	UT_SYS(sysinfo(&si));
	UT_ASSERT((long)si.uptime >= (long)up - 1 && (long)si.uptime <= (long)up + 1);
	slurp("/proc/loadavg");
	UT_EQ(sscanf(text, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &running, &total, &last), 6);
	UT_ASSERT(l1 >= 0 && l5 >= 0 && l15 >= 0);
	UT_ASSERT(running >= 1 && total >= running);
	UT_ASSERT(last >= getpid());
	/* sysinfo's loads are the same means, 1.0 = 65536. */
	UT_ASSERT(si.loads[2] / 65536.0 <= l15 + 0.02 && si.loads[2] / 65536.0 >= l15 - 0.02);
}

UTEST(meminfo_has_what_free_reads_and_sysinfo_agrees)
{
	static const char *const keys[] = {
		"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached",
		"SwapTotal", "SwapFree", "Shmem", "AnonPages", "Mapped",
	};
	struct sysinfo si;

	slurp("/proc/meminfo");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (field_value(keys[i]) < 0)
			ut_fail(__FILE__, __LINE__, "no %s in /proc/meminfo", keys[i]);
	long total = field_value("MemTotal"), freekb = field_value("MemFree");
	UT_ASSERT(freekb > 0 && freekb <= field_value("MemAvailable"));
	UT_ASSERT(field_value("MemAvailable") <= total);
	UT_ASSERT(field_value("SwapFree") <= field_value("SwapTotal"));
	UT_SYS(sysinfo(&si));
	UT_EQ((long)(si.totalram * si.mem_unit / 1024), total);
	UT_EQ((long)(si.totalswap * si.mem_unit / 1024), field_value("SwapTotal"));
	long diff = (long)(si.freeram * si.mem_unit / 1024) - freekb;
	UT_ASSERT(diff > -4096 && diff < 4096);         /* read a moment apart */
}

/* The maps line holding addr, split: perms, dev "MM:mm", inode, path. */
static int
maps_line_of(const void *addr, char *dev, unsigned long *ino, char *path)
{
	unsigned long lo, hi, off;
	char perms[8];
	int n;

	slurp("/proc/self/maps");
	for (char *l = text; l != NULL && *l != '\0'; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		path[0] = '\0';
		if (sscanf(l, "%lx-%lx %7s %lx %15s %lu %n", &lo, &hi, perms, &off, dev, ino, &n) < 6)
			continue;
		if ((unsigned long)addr < lo || (unsigned long)addr >= hi)
			continue;
		sscanf(l + n, "%255[^\n]", path);
		return 0;
	}
	return -1;
}

/* stat's st_dev as maps prints it: "%02x:%02x" of major and minor. */
static void
dev_text(dev_t d, char *buf)
{
	sprintf(buf, "%02x:%02x", major(d), minor(d));
}

UTEST(maps_names_the_program_with_its_device_and_inode)
{
	char dev[16], want[16], path[256];
	unsigned long ino;
	struct stat st;

	UT_SYS(stat(ut_self(), &st));
	UT_SYS(maps_line_of((const void *)slurp, dev, &ino, path));
	dev_text(st.st_dev, want);
	UT_ASSERT(strcmp(dev, want) == 0);
	UT_EQ(ino, (unsigned long)st.st_ino);
	UT_ASSERT(path[0] == '/');
	UT_ASSERT(strcmp(strrchr(path, '/'), strrchr(ut_self(), '/')) == 0);
}

UTEST(maps_names_a_mapped_file_and_smaps_divides_its_pages)
{
	const char *name = "/tmp/procfs-shared";
	char dev[16], want[16], path[256], buf[4 * PAGE], c;
	unsigned long ino;
	struct stat st;
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644), p2c[2], c2p[2];

	UT_ASSERT(fd >= 0);
	memset(buf, 'f', sizeof(buf));
	UT_EQ(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	UT_SYS(fstat(fd, &st));
	volatile char *p = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	close(fd);
	for (int i = 0; i < 4; i++)
		(void)p[i * PAGE];
	int found = maps_line_of((const void *)p, dev, &ino, path);
	unlink(name);                   /* the mapping keeps the file */
	UT_EQ(found, 0);
	dev_text(st.st_dev, want);
	UT_ASSERT(strcmp(dev, want) == 0);
	UT_EQ(ino, (unsigned long)st.st_ino);
	UT_ASSERT(strcmp(path, name) == 0);
	const char *s = smaps_of((const void *)p);
	UT_EQ(field_kb(s, "Rss"), 16);
	UT_EQ(field_kb(s, "Pss"), 16);
	/* A child maps the same four pages: each has two mappings now. */
	UT_SYS(pipe(p2c));
	UT_SYS(pipe(c2p));
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		close(p2c[1]);
		close(c2p[0]);
		for (int i = 0; i < 4; i++)
			(void)p[i * PAGE];
		_exit(write(c2p[1], "r", 1) == 1 && read(p2c[0], &c, 1) == 0 ? 0 : 1);
	}
	close(c2p[1]);
	close(p2c[0]);
	UT_EQ(read(c2p[0], &c, 1), 1);
	s = smaps_of((const void *)p);
	UT_EQ(field_kb(s, "Rss"), 16);
	UT_EQ(field_kb(s, "Pss"), 8);
	UT_EQ(field_kb(s, "Private_Clean") + field_kb(s, "Private_Dirty"), 0);
	close(p2c[1]);
	UT_CHILD_EXITS(pid, 0);
	close(c2p[0]);
	s = smaps_of((const void *)p);
	UT_EQ(field_kb(s, "Pss"), 16);
	munmap((void *)p, 4 * PAGE);
}

/* Sum the Rss, Pss and Anonymous lines of smaps; how many entries. */
static long
smaps_sums(long *rss, long *pss, long *anon)
{
	long entries = 0, v;

	*rss = *pss = *anon = 0;
	slurp("/proc/self/smaps");
	for (const char *l = text; l != NULL && *l != '\0'; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		if (sscanf(l, "Rss: %ld", &v) == 1)
			*rss += v, entries++;
		else if (sscanf(l, "Pss: %ld", &v) == 1)
			*pss += v;
		else if (sscanf(l, "Anonymous: %ld", &v) == 1)
			*anon += v;
	}
	return entries;
}

UTEST(smaps_rollup_is_the_sum_of_smaps)
{
	long rss, pss, anon, entries = 0, r[3];

	memset(text, 0, sizeof(text));  /* resident before it is read into */
	/* Twice: the first round faults in the code that reads and parses. */
	for (int round = 0; round < 2; round++) {
		entries = smaps_sums(&rss, &pss, &anon);
		slurp("/proc/self/smaps_rollup");
		UT_ASSERT(strstr(text, "[rollup]\n") != NULL);
		r[0] = field_kb(strchr(text, '\n') + 1, "Rss");
		r[1] = field_kb(strchr(text, '\n') + 1, "Pss");
		r[2] = field_kb(strchr(text, '\n') + 1, "Anonymous");
	}
	UT_EQ(r[0], rss);
	UT_EQ(r[2], anon);
	UT_ASSERT(r[1] >= pss && r[1] <= pss + entries);  /* smaps rounds each down */
}
