/*
 * kern/fs/cpio.h - reading a cpio "newc" archive (the initrd's format).
 */
#ifndef KERN_CPIO_H
#define KERN_CPIO_H

#include "kern/lib/types.h"

struct cpio_entry {
	const char *name;           /* NUL-terminated, inside the archive */
	uint32_t mode;              /* st_mode: type and permission bits */
	uint32_t mtime;
	uint32_t ino;
	const uint8_t *data;        /* file contents, inside the archive */
	size_t size;
};

/*
 * cpio_next - the entry at *off, advancing *off past it.
 *  => returns 1 with *e filled, 0 at the trailer, or -EINVAL for a
 *     malformed archive (bad magic, a field or name running past len).
 */
int cpio_next(const uint8_t *archive, size_t len, size_t *off,
    struct cpio_entry *e);

#endif
