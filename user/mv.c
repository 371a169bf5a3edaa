/*
 * user/mv.c - rename FROM to TO, or move files into a directory:
 *
 *   $ mv /tmp/a /tmp/b           rename("/tmp/a", "/tmp/b")
 *   $ mv /tmp/a /tmp/b /tmp/d    rename each to /tmp/d/a, /tmp/d/b
 *
 * This mv only renames: rename(2) moves a name inside one file system,
 * so from /tmp (tmpfs) to /mnt (ext2) it fails with EXDEV ("Invalid
 * cross-device link"); coreutils' mv would copy and remove instead, here
 * use `cat FROM > TO` and `rm FROM`.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Rename from to to; 0, or 1 after a message. */
static int
move(const char *from, const char *to)
{
	if (rename(from, to) == 0)
		return 0;
	fprintf(stderr, "mv: cannot move '%s' to '%s': %s\n", from, to,
	    strerror(errno));
	return 1;
}

int
main(int argc, char **argv)
{
	char path[1024], name[256];
	struct stat st;
	int status = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: mv FROM TO, or mv FILE... DIR\n");
		return 1;
	}
	const char *last = argv[argc - 1];
	int todir = stat(last, &st) == 0 && S_ISDIR(st.st_mode);
	if (argc == 3 && !todir)
		return move(argv[1], last);
	for (int i = 1; i < argc - 1; i++) {
		snprintf(name, sizeof(name), "%s", argv[i]);  /* basename may write */
		snprintf(path, sizeof(path), "%s/%s", last, basename(name));
		status |= move(argv[i], path);
	}
	return status;
}
