/*
 * kern/fs/ext2.h - what the rest of the kernel sees of ext2: its VFS
 * operations and the boot-time mounts of the ext2 disk, vdc (the
 * format and the core are in ext2_fs.h).
 */
#ifndef KERN_FS_EXT2_H
#define KERN_FS_EXT2_H

#include "kern/lib/types.h"

struct vfsops;
struct vnodeops;

extern const struct vfsops ext2_vfsops;
extern const struct vnodeops ext2_vnodeops;

/* ext2_root_wanted - whether the command line says root=vdc. */
bool ext2_root_wanted(void);

/*
 * ext2_mount_root - with root=vdc on the command line, register ext2 and
 * mount /dev/vdc as "/" (after the disks attached: kmain then mounts
 * the VFS's file systems late).  => 0; -ENOENT (not asked for: mount the
 * initrd), or the mount's error (printed; the caller falls back).
 */
int ext2_mount_root(void);

/*
 * ext2_mount_boot - register ext2 and, unless it is already "/", mount
 * /dev/vdc on /mnt if that disk holds an ext2 file system.  Quiet when
 * there is no vdc; prints why otherwise.
 */
void ext2_mount_boot(void);

#endif
