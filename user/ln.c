/*
 * user/ln.c - make a second name for a file:
 *
 *   $ ln /mnt/a /mnt/b           link(): b is the same inode as a, its
 *                                link count (ls -l) is now 2
 *   $ ln -s /mnt/a /tmp/s        symlink(): s holds the text "/mnt/a",
 *                                followed when /tmp/s is opened
 *
 * A hard link stays inside one file system (EXDEV otherwise) and cannot
 * name a directory; a symbolic link can name anything, even nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int sym = argc > 1 && strcmp(argv[1], "-s") == 0;

	if (argc != 3 + sym) {
		fprintf(stderr, "usage: ln [-s] TARGET NAME\n");
		return 1;
	}
	const char *target = argv[1 + sym], *name = argv[2 + sym];
	if ((sym ? symlink(target, name) : link(target, name)) < 0) {
		fprintf(stderr, "ln: failed to create %slink '%s': %s\n",
		    sym ? "symbolic " : "hard ", name, strerror(errno));
		return 1;
	}
	return 0;
}
