/*
 * user/mkdir.c - make each directory named, mode 0755 (less the umask):
 *
 *   $ mkdir /mnt/d /tmp/x
 *
 * The parent must exist already (there is no -p); a name that exists
 * gives "mkdir: cannot create directory 'NAME': File exists" and, at the
 * end, exit status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int
main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: mkdir DIR...\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (mkdir(argv[i], 0755) < 0) {
			fprintf(stderr, "mkdir: cannot create directory '%s': %s\n",
			    argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
