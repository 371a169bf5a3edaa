/*
 * kern/sys_io.c - reading and writing.  Until file descriptors arrive,
 * fds 0, 1 and 2 are the console: reads see end of file, writes go to
 * the serial port.  Data is copied from user space in bounded chunks, so
 * a huge length costs no kernel memory and a bad pointer part way stops
 * with -EFAULT (or the count written so far, as Linux does).
 */
#include "kern/console.h"
#include "kern/lib/errno.h"
#include "kern/proc.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"

#define IO_CHUNK 256
#define IOV_MAX 1024
#define TIOCGWINSZ 0x5413
#define TCGETS 0x5401

static bool
is_console(uint64_t fd)
{
	return fd <= 2;
}

/* Write len bytes from user buf to the console. */
static int64_t
console_write_user(uint64_t buf, size_t len)
{
	char chunk[IO_CHUNK];
	size_t done = 0;

	if (!uaccess_ok(buf, len))
		return -EFAULT;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));
		if (copyin(buf + done, chunk, n) != 0)
			return done > 0 ? (int64_t)done : -EFAULT;
		console_write(chunk, n);
		done += n;
	}
	return (int64_t)done;
}

int64_t
sys_read(const struct sysargs *a)
{
	if (!is_console(a->a[0]))
		return -EBADF;
	if (!uaccess_ok(a->a[1], a->a[2]))
		return -EFAULT;
	return 0;       /* no console input yet: end of file */
}

int64_t
sys_write(const struct sysargs *a)
{
	if (!is_console(a->a[0]))
		return -EBADF;
	if ((int64_t)a->a[2] < 0)
		return -EINVAL;
	return console_write_user(a->a[1], a->a[2]);
}

struct iovec_user {
	uint64_t base;
	uint64_t len;
};

int64_t
sys_writev(const struct sysargs *a)
{
	struct iovec_user iov;
	int64_t total = 0;

	if (!is_console(a->a[0]))
		return -EBADF;
	if (a->a[2] > IOV_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < a->a[2]; i++) {
		if (copyin(a->a[1] + i * sizeof(iov), &iov, sizeof(iov)) != 0)
			return total > 0 ? total : -EFAULT;
		if ((int64_t)iov.len < 0)
			return -EINVAL;
		int64_t n = console_write_user(iov.base, iov.len);
		if (n < 0)
			return total > 0 ? total : n;
		total += n;
	}
	return total;
}

struct winsize_user {
	uint16_t rows, cols, xpixel, ypixel;
};

int64_t
sys_ioctl(const struct sysargs *a)
{
	if (!is_console(a->a[0]))
		return -EBADF;
	if (a->a[1] == TIOCGWINSZ) {
		struct winsize_user ws = { 24, 80, 0, 0 };
		return copyout(&ws, a->a[2], sizeof(ws));
	}
	if (a->a[1] == TCGETS) {
		uint8_t termios[60] = { 0 };   /* a terminal: line-buffered stdio */
		return copyout(termios, a->a[2], sizeof(termios));
	}
	return -ENOTTY;
}
