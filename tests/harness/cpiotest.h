/*
 * tests/harness/cpiotest.h - writing cpio "newc" archives in a test, the
 * format of the initrd (kern/fs/cpio.c reads it), so a suite can mount a
 * ramfs tree whose every name, mode and byte it chose.
 *
 *   struct cpiotest_buf a = { buf, sizeof(buf), 0 };
 *   cpiotest_add(&a, "./bin/sh", S_IFREG | 0755, "shell", 5);
 *   cpiotest_add(&a, "TRAILER!!!", 0, "", 0);
 *   ramfs_mount(buf, a.len, &fs);
 *
 * Each member is a 110-byte header of hex fields, the name with its NUL,
 * and the data, the name and the data each padded to 4 bytes.
 */
#ifndef TESTS_HARNESS_CPIOTEST_H
#define TESTS_HARNESS_CPIOTEST_H

#include "kern/lib/types.h"

struct cpiotest_buf {
	uint8_t *buf;
	size_t cap;                 /* bytes buf holds */
	size_t len;                 /* bytes written so far */
};

/*
 * cpiotest_add - append one member (header, name, data, padding).
 *  => the member must fit in what is left of a->buf (KT_ asserts).
 */
void cpiotest_add(struct cpiotest_buf *a, const char *name, uint32_t mode,
    const void *data, size_t size);

#endif
