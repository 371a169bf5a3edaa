/*
 * kern/fs/devfs.h - the device file system (/dev).
 *
 * A vnode file system over a table of devices that open with the
 * existing fileops (kern/fs/file.c): vfs_register(&devfs_vfsops), then
 * vfs_mount("devfs", "devfs", "/dev", 0, NULL).
 */
#ifndef KERN_FS_DEVFS_H
#define KERN_FS_DEVFS_H

struct vfsops;

extern const struct vfsops devfs_vfsops;

#endif
