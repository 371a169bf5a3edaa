/*
 * user/rm.c - remove each file named; with -r, directories and all they
 * hold:
 *
 *   $ rm /tmp/a                  unlink("/tmp/a")
 *   $ rm -r /mnt/d               unlink each file in it, rmdir each
 *                                directory once it is empty, deepest first
 *
 * Removing a name frees the file only when it was the last name (its
 * link count reaches 0) and no process has it open or mapped.  Without
 * -r a directory gives "Is a directory" (EISDIR from unlink), as with
 * coreutils; each failure gives a message and, at the end, status 1.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int recursive;

/* Remove path (a tree of it with -r); 0, or 1 after a message. */
static int
rm(const char *path)
{
	struct stat st;
	int status = 0;

	if (recursive && lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		char sub[1024];
		while (d != NULL && (e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			status |= rm(sub);
		}
		if (d != NULL)
			closedir(d);
		if (rmdir(path) == 0)
			return status;
	} else if (unlink(path) == 0) {
		return 0;
	}
	fprintf(stderr, "rm: cannot remove '%s': %s\n", path, strerror(errno));
	return 1;
}

int
main(int argc, char **argv)
{
	int i = 1, status = 0;

	if (argc > 1 && strcmp(argv[1], "-r") == 0)
		recursive = 1, i++;
	if (i == argc) {
		fprintf(stderr, "usage: rm [-r] FILE...\n");
		return 1;
	}
	for (; i < argc; i++)
		status |= rm(argv[i]);
	return status;
}
