/*
 * user/sync.c - write every file system's changed data and metadata to
 * its disk now, rather than at memory pressure or at `exit` (init calls
 * sync() before it powers off):
 *
 *   $ echo kept > /mnt/f
 *   $ sync                       /mnt/f is on vdc even if QEMU is killed
 */
#include <unistd.h>

int
main(void)
{
	sync();
	return 0;
}
