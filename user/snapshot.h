/*
 * user/snapshot.h - a program's VM, snapshotted for tools/draw/.
 *
 *   uvmsnap("after fork", p, getppid());
 *
 * prints, between two marker lines, /proc/PID/uvm of the caller and (if
 * other > 0) of process other, taken one right after the other:
 *
 *   @@uvmsnap begin label="after fork" focus=7fff8000-7fff8000 self=8
 *   uvm pid=8 ...        (the caller's snapshot, uvm/uvm_snapshot.c)
 *   ...
 *   end
 *   uvm pid=7 ...        (other's)
 *   ...
 *   end
 *   @@uvmsnap done
 *
 * focus is the address the step is about: the drawing details its entry
 * (amap, anons, pages) and draws the others on the address line only;
 * uvmsnap_range(label, lo, hi, other) details every entry in [lo, hi].
 * Nothing is printed unless the kernel was booted with uvmsnap=1 or the
 * environment has UVMSNAP=1 (make draw does the first), so the demos
 * print as before; on Linux there is no /proc/PID/uvm and nothing either.
 * stdout is flushed first and the snapshot written with write(2), so it
 * never interleaves with the program's own buffered lines.
 */
#ifndef USER_SNAPSHOT_H
#define USER_SNAPSHOT_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Is snapshotting on?  uvmsnap=1 on the kernel command line, or UVMSNAP=1. */
static inline int
uvmsnap_enabled(void)
{
	static int on = -1;
	char buf[1024];
	const char *env = getenv("UVMSNAP");

	if (on >= 0)
		return on;
	on = env != NULL && strcmp(env, "1") == 0;
	int fd = open("/proc/cmdline", O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, buf + 1, sizeof(buf) - 2);
		buf[0] = ' ';
		buf[n > 0 ? n + 1 : 1] = '\0';
		on = on || strstr(buf, " uvmsnap=1") != NULL;
		close(fd);
	}
	return on;
}

/* Copy /proc/PID/uvm to stdout.  => 0, or -1 if it cannot be read. */
static inline int
uvmsnap_copy(int pid)
{
	char path[32], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/uvm", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		write(1, buf, (size_t)n);
	close(fd);
	return 0;
}

/* The snapshot with the entries overlapping [lo, hi] in focus. */
static inline void
uvmsnap_range(const char *label, const void *lo, const void *hi, int other)
{
	char head[200];

	if (!uvmsnap_enabled())
		return;
	fflush(stdout);
	snprintf(head, sizeof(head), "@@uvmsnap begin label=\"%s\" focus=%lx-%lx self=%d\n",
	    label, (unsigned long)lo, (unsigned long)hi, (int)getpid());
	write(1, head, strlen(head));
	uvmsnap_copy(getpid());
	if (other > 0)
		uvmsnap_copy(other);
	write(1, "@@uvmsnap done\n", 15);
}

static inline void
uvmsnap(const char *label, const void *focus, int other)
{
	uvmsnap_range(label, focus, focus, other);
}

#endif
