/*
 * user/cat.c - copy each file named, or stdin when none is, to stdout:
 *
 *   $ cat /etc/motd            $ echo hi > /tmp/a
 *   ...                        $ cat < /tmp/a
 *                              hi
 *
 * A read() of a file returns what is left of it up to the count asked
 * for, 0 at its end; a write() may take less than it was given, so the
 * copy loops on both.  A file that cannot be opened or read gives
 * "cat: NAME: REASON" and, at the end, exit status 1; the others are
 * still copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Copy fd to stdout; 0, or an errno value. */
static int
copy(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t done = 0, w; done < n; done += w)
			if ((w = write(1, buf + done, n - done)) < 0)
				return errno;
	}
	return n < 0 ? errno : 0;
}

int
main(int argc, char **argv)
{
	int status = 0, err;

	if (argc == 1 && (err = copy(0)) != 0) {
		fprintf(stderr, "cat: stdin: %s\n", strerror(err));
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			err = errno;
		} else {
			err = copy(fd);
			close(fd);
		}
		if (err != 0) {
			fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(err));
			status = 1;
		}
	}
	return status;
}
