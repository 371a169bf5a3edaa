/*
 * tests/harness/disktest.h - the ext2 test image (vdc) on /mnt for the
 * suites that need a real disk file system under a test: exec from disk,
 * vm_query_obj of a file mapping, the user programs.
 *
 * A test boot does not mount vdc (the kernel suites mount what they test
 * on /mnt), so a test mounts it for its own run and unmounts it at the
 * end; the unmount writes everything back before the leak check and
 * before make test's e2fsck looks at the image.  A scratch file the test
 * makes there is removed again, so the image stays e2fsck-clean:
 *
 *   bool mounted = disktest_mount();        // vdc on /mnt, cleanup pushed
 *   ... create /mnt/probe, hold its vnode in my_vp, push a cleanup that
 *       calls disktest_remove("probe", &my_vp) ...
 *   disktest_remove("probe", &my_vp);       // vrele, then vop_remove
 *   ktest_cleanup_pop(my_tag);
 *   disktest_unmount(mounted);              // only what we mounted
 *
 * A failing test leaves nothing behind either: the cleanups run newest
 * first, so the scratch file goes before the unmount.
 */
#ifndef TESTS_HARNESS_DISKTEST_H
#define TESTS_HARNESS_DISKTEST_H

#include "kern/lib/types.h"

struct vnode;

/*
 * disktest_mount - mount the ext2 image vdc on /mnt unless something is
 * mounted there already.
 *  => vdc must exist (KT_ASSERT); registers ext2 if it is not yet.
 *  => returns true if it mounted (a ktest cleanup that unmounts is then
 *     registered), false if /mnt was mounted already (-EBUSY: left as it
 *     is); any other mount error fails the test.
 *  => may sleep (reads the superblock).
 */
bool disktest_mount(void);

/*
 * disktest_unmount - unmount /mnt if disktest_mount mounted it (mounted
 * is what it returned) and pop its cleanup; nothing if not.
 *  => the unmount must succeed (KT_EQ): every vnode of the mount given
 *     back.  May sleep (writes back).
 */
void disktest_unmount(bool mounted);

/*
 * disktest_remove - drop the vnode the test holds in *heldp (if any; it
 * is NULL afterwards) and remove /mnt/name if it is there.
 *  => for a test's cleanup and its end: asserts nothing, quietly does
 *     nothing when /mnt or the name cannot be looked up.
 *  => name is one component.  Takes /mnt's v_lock, then the file's, around
 *     vop_remove.  May sleep.
 */
void disktest_remove(const char *name, struct vnode **heldp);

#endif
