/*
 * user/vmmap.c - print a process's address space: every map entry from
 * /proc/self/maps, with what vm_query adds (needs-copy, amap, object)
 * and, for an entry over an object, what vm_query_obj adds: the pager,
 * the file (file system, inode, size) and the first page's state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "vmshow.h"

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
	return 0;
}
