/*
 * kern/fs/procfs.h - the /proc files programs and tests read (procfs.c
 * lists them: per process maps, smaps, stat, status, fd/; meminfo,
 * cmdline, mounts and a few of /proc/sys).
 */
#ifndef KERN_PROCFS_H
#define KERN_PROCFS_H

struct file;

/*
 * procfs_open - open /proc/NAME ("self/maps", "12/stat", "" for /proc
 * itself): a snapshot of the text taken now.
 *  => 0 and *fp, -ENOENT, -ENOMEM.
 */
int procfs_open(const char *name, struct file **fp);

/* /proc as a vnode file system "proc" (vfs_mount("proc", "proc", "/proc", ...)). */
struct vfsops;
extern const struct vfsops procfs_vfsops;

#endif
