/*
 * kern/sys/sys_memfd.c - memfd_create(2): an anonymous file, open for
 * reading and writing, that no directory names.
 *
 *   fd = memfd_create("ring", MFD_CLOEXEC)
 *     tmpfs_memfd_vnode: a node with no names on tmpfs's private mount,
 *                        its data an aobj (kern/fs/tmpfs.c)
 *     vn_file_open(O_RDWR): the descriptor holds the vnode
 *   ftruncate(fd, 1 << 20); mmap(MAP_SHARED, fd): the aobj's pages,
 *   shared with whoever else maps the file (a child after fork, a process
 *   the descriptor was passed to); close and munmap of the last user
 *   free it all.
 *
 * The name is only for show on Linux (/proc/PID/fd links read
 * "/memfd:NAME (deleted)"); here it is checked and dropped.  Sealing:
 * MFD_ALLOW_SEALING is accepted, but F_ADD_SEALS/F_GET_SEALS are not
 * implemented (fcntl answers -EINVAL), so a file never gets a seal.
 *
 * Locking: none of its own (tmpfs and the descriptor table lock theirs).
 */
#include "kern/sys/syscall.h"
#include "kern/arch/uaccess.h"
#include "kern/fs/file.h"
#include "kern/fs/tmpfs.h"
#include "kern/lib/errno.h"
#include "kern/proc/proc.h"
#include "kern/vfs/vfs.h"
#include "kern/vfs/vfs_vnops.h"

#define MFD_CLOEXEC 0x1
#define MFD_ALLOW_SEALING 0x2
#define MFD_NAME_MAX 249        /* Linux: 255 less the "memfd:" prefix */

int64_t
sys_memfd_create(const struct sysargs *a)
{
	char name[MFD_NAME_MAX + 1];
	uint64_t flags = a->a[1];
	struct vnode *vp;
	struct file *f;
	int error, fd;

	if (flags & ~(uint64_t)(MFD_CLOEXEC | MFD_ALLOW_SEALING))
		return -EINVAL;         /* MFD_HUGETLB and the rest: not here */
	error = copyinstr(a->a[0], name, sizeof(name));
	if (error < 0)
		return error == -ENAMETOOLONG ? -EINVAL : error;
	if ((error = tmpfs_memfd_vnode(&vp)) != 0)
		return error;
	error = vn_file_open(vp, O_RDWR | O_LARGEFILE, &f);
	vrele(vp);
	if (error != 0)
		return error;
	fd = fd_install(curproc->fds, f, 0, (flags & MFD_CLOEXEC) != 0);
	if (fd < 0)
		file_release(f);
	return fd;
}
