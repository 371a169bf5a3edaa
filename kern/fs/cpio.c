/*
 * kern/fs/cpio.c - the cpio "newc" format, as `cpio -H newc` and the Linux
 * initramfs write it.  Each member is a 110-byte ASCII header, the name,
 * then the data, each padded to a multiple of 4 bytes:
 *
 *   "070701" ino mode uid gid nlink mtime filesize devmaj devmin
 *            rdevmaj rdevmin namesize check     (13 fields, 8 hex digits)
 *   name\0 [pad to 4]  data [pad to 4]
 *
 * The archive ends with a member named "TRAILER!!!".  Nothing here
 * trusts the archive: every length is checked against the buffer, so a
 * corrupt initrd is refused, not followed off the end.
 */
#include "kern/fs/cpio.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"

#define CPIO_HDR 110

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_SIZE, F_DEVMAJ,
	F_DEVMIN, F_RDEVMAJ, F_RDEVMIN, F_NAMESIZE, F_CHECK };

/* Field i of the header at h, or -1 if it is not 8 hex digits. */
static int64_t
hdr_field(const uint8_t *h, int i)
{
	uint32_t v = 0;

	for (int k = 0; k < 8; k++) {
		uint8_t c = h[6 + i * 8 + k];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

int
cpio_next(const uint8_t *archive, size_t len, size_t *off, struct cpio_entry *e)
{
	const uint8_t *h = archive + *off;
	int64_t namesize, size;
	size_t name_end, data_end;

	if (*off > len || len - *off < CPIO_HDR || memcmp(h, "070701", 6) != 0)
		return -EINVAL;
	namesize = hdr_field(h, F_NAMESIZE);
	size = hdr_field(h, F_SIZE);
	if (namesize <= 0 || size < 0 || hdr_field(h, F_MODE) < 0)
		return -EINVAL;
	name_end = *off + CPIO_HDR + (size_t)namesize;
	if (name_end > len || h[CPIO_HDR + namesize - 1] != '\0')
		return -EINVAL;
	data_end = ROUND_UP(name_end, 4) + (size_t)size;
	if (ROUND_UP(name_end, 4) > len || data_end > len)
		return -EINVAL;
	e->name = (const char *)h + CPIO_HDR;
	e->mode = (uint32_t)hdr_field(h, F_MODE);
	e->mtime = (uint32_t)hdr_field(h, F_MTIME);
	e->ino = (uint32_t)hdr_field(h, F_INO);
	e->data = archive + ROUND_UP(name_end, 4);
	e->size = (size_t)size;
	*off = ROUND_UP(data_end, 4);
	return strcmp(e->name, "TRAILER!!!") == 0 ? 0 : 1;
}
