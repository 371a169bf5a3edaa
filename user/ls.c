/*
 * user/ls.c - list directories: each name in it, sorted, one a line
 * (not those starting with ".", as ls without -a); with -l also the
 * mode, the link count, the size, and where a symbolic link points:
 *
 *   $ ls -l /mnt
 *   drwxr-xr-x  2     4096 bin
 *   -rw-r--r--  1        3 b
 *   lrwxrwxrwx  1        6 s -> /mnt/b
 *
 * A name that is not a directory is listed alone; with several names
 * each directory's list gets a "NAME:" heading.  The names come from
 * readdir() (getdents64 underneath), the rest from lstat() of each.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int longfmt;

/* One line for the file name in directory dir (NULL: name is a path). */
static void
show(const char *dir, const char *name)
{
	char path[1024], mode[11], target[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
	if (!longfmt || lstat(path, &st) < 0) {
		printf("%s\n", name);
		return;
	}
	strcpy(mode, "?rwxrwxrwx");
	mode[0] = S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' :
	    S_ISREG(st.st_mode) ? '-' : S_ISCHR(st.st_mode) ? 'c' : '?';
	for (int i = 0; i < 9; i++)
		if (!(st.st_mode & (0400 >> i)))
			mode[1 + i] = '-';
	printf("%s %2lu %8lld %s", mode, (unsigned long)st.st_nlink,
	    (long long)st.st_size, name);
	ssize_t n = S_ISLNK(st.st_mode) ? readlink(path, target, sizeof(target) - 1) : -1;
	printf(n >= 0 ? " -> %.*s\n" : "\n", (int)n, target);
}

static int
byname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List path; 0, or 1 after a message. */
static int
list(const char *path, int heading)
{
	char *names[512];
	struct stat st;
	struct dirent *e;
	int n = 0;
	DIR *d;

	if (lstat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		show(NULL, path);
		return 0;
	}
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "ls: cannot access '%s': %s\n", path, strerror(errno));
		return 1;
	}
	while ((e = readdir(d)) != NULL && n < 512)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), byname);
	if (heading)
		printf("%s:\n", path);
	for (int i = 0; i < n; i++) {
		show(path, names[i]);
		free(names[i]);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int i = 1, status = 0;

	if (argc > 1 && strcmp(argv[1], "-l") == 0)
		longfmt = 1, i++;
	if (i == argc)
		return list(".", 0);
	for (int first = i; i < argc; i++)
		status |= list(argv[i], argc - first > 1);
	return status;
}
