/*
 * tests/harness/vfstest.h - a small ramfs tree mounted on /mnt for the VFS
 * suites (tests/kern/vfs): lookups, the caches and mounts exercised on a
 * tree whose every name and link the test knows.
 *
 *   /mnt/file            "hello" (0644)       /mnt/exe    "\177ELF" (0755)
 *   /mnt/a/b/c           "deep"               /mnt/a/lnk  -> b
 *   /mnt/a/abs           -> /mnt/a/b          /mnt/a/up   -> ../a
 *   /mnt/loop            -> loop              /mnt/d1 .. /mnt/d8  (dirs)
 *   /mnt/chain0 -> chain1 -> ... -> chain40 -> a   (41 links in a row)
 */
#ifndef TESTS_HARNESS_VFSTEST_H
#define TESTS_HARNESS_VFSTEST_H

#include "kern/lib/types.h"

struct vnode;

/* vfstest_mount - build the tree and mount it on /mnt (KT_ asserts). */
void vfstest_mount(void);
/* vfstest_unmount - unmount /mnt and free the tree. */
void vfstest_unmount(void);
/* vfstest_lookup - namei(path, NAMEI_FOLLOW) that must succeed. */
struct vnode *vfstest_lookup(const char *path);

#endif
