/*
 * kern/fs/procfs.h - the few /proc files programs and tests read.
 */
#ifndef KERN_PROCFS_H
#define KERN_PROCFS_H

struct file;

/*
 * procfs_open - open /proc/NAME (self/maps, meminfo, cmdline): a
 * snapshot of the text taken now.  => 0 and *fp, -ENOENT, -ENOMEM.
 */
int procfs_open(const char *name, struct file **fp);

#endif
