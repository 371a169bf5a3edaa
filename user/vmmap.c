/*
 * user/vmmap.c - print a process's address space: every map entry from
 * /proc/self/maps, with what vm_query adds (needs-copy, amap, object)
 * and, for an entry over an object, what vm_query_obj adds: the pager,
 * the file (file system, inode, size) and the first page's state.
 *
 * Then its threads, from /proc/self/task: each thread's id and the map
 * entry its stack pointer is in - this thread's from the address of a
 * local variable, another's from field 29 (kstkesp) of its
 * /proc/self/task/TID/stat, which Linux, like uvmkern, mostly leaves 0:
 *
 *   threads: 1 (/proc/self/task)
 *     tid 42 (this thread), stack at 7fffffffe9bc in
 *         7ffffff00000-7ffffffff000 rw-p 00000000 00:00 0      [stack]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "vmshow.h"

/* Print the maps line of the entry holding addr (or say there is none). */
static void
vmmap_entry_of(unsigned long addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[256];

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *end;
		unsigned long start = strtoul(line, &end, 16);
		unsigned long stop = strtoul(end + 1, NULL, 16);
		if (addr >= start && addr < stop) {
			printf("      %s", line);
			fclose(f);
			return;
		}
	}
	printf("      (no map entry)\n");
	if (f != NULL)
		fclose(f);
}

/* Field 29 of /proc/self/task/TID/stat: the thread's stack pointer, or 0. */
static unsigned long
vmmap_kstkesp(const char *tid)
{
	char path[300], buf[1024], *p;
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%s/stat", tid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	p = fgets(buf, sizeof(buf), f) != NULL ? strrchr(buf, ')') : NULL;
	fclose(f);
	for (int field = 2; p != NULL && field < 29; field++)
		p = strchr(p + 1, ' ');         /* p: the space before field+1 */
	if (p != NULL)
		v = strtoul(p + 1, NULL, 10);
	return v;
}

/* The threads of this process and where their stacks are. */
static void
vmmap_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	long self = syscall(SYS_gettid);
	int here = 0, n = 0;

	if (d == NULL) {
		perror("vmmap: /proc/self/task");
		return;
	}
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	rewinddir(d);
	printf("threads: %d (/proc/self/task)\n", n);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		unsigned long sp = atol(e->d_name) == self ?
		    (unsigned long)&here : vmmap_kstkesp(e->d_name);
		printf("  tid %s%s", e->d_name, atol(e->d_name) == self ?
		    " (this thread)" : "");
		if (sp == 0) {
			printf(", stack pointer not shown (kstkesp 0)\n");
			continue;
		}
		printf(", stack at %lx in\n", sp);
		vmmap_entry_of(sp);
	}
	closedir(d);
}

int
main(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[256];

	if (f == NULL) {
		perror("vmmap: /proc/self/maps");
		return 1;
	}
	printf("vmmap: the address space of this process (pid %d)\n", (int)getpid());
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long start = strtoul(line, NULL, 16);
		printf("%s", line);
		vmshow("", "", (const void *)start);
		vmshow_obj((const void *)start);
	}
	fclose(f);
	vmmap_threads();
	return 0;
}
