/*
 * tests/user/startup.c - Debian's programs started the way a shell
 * starts a command and `make bench` times it (vmbench's start_*
 * metrics): fork, execve, the program's own start-up and exit, waitpid
 * - and the status the parent gets is the program's.  The programs are
 * the ext2 disk's (made from Debian's packages, on /mnt on both kernels):
 *
 *   /mnt/usr/local/bin/ghello-static         glibc -static: exits with
 *                                            its argc (1)
 *   LDSO --library-path LIBDIR /mnt/usr/local/bin/ghello-dyn
 *                                            the dynamic hello through
 *                                            the disk's ld.so, run as a
 *                                            program: ld.so maps the
 *                                            hello and libc itself (1)
 *   /mnt/usr/local/bin/ghello-dyn            through its PT_INTERP,
 *                                            /lib64/ld-linux-x86-64.so.2
 *                                            at the root: it runs where
 *                                            that is (uvmkern's initrd),
 *                                            ENOENT where not (Linux's
 *                                            test initramfs)
 *   /mnt/bin/busybox sh -c true / 'exit 7'   busybox-static: 0 / 7
 *
 * (LDSO and LIBDIR are the disk's /usr/lib/x86_64-linux-gnu: its
 * /lib64/ld-linux-x86-64.so.2 is a link to an absolute path, which would
 * name the root's.)  The children write to /dev/null.  A child whose
 * execve fails exits with 100 + errno.
 */
#include "utest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#define DISK_LIBDIR "/mnt/usr/lib/x86_64-linux-gnu"
#define DISK_LDSO DISK_LIBDIR "/ld-linux-x86-64.so.2"
#define GH_STATIC "/mnt/usr/local/bin/ghello-static"
#define GH_DYN "/mnt/usr/local/bin/ghello-dyn"
#define BUSYBOX "/mnt/bin/busybox"
#define ROOT_LDSO "/lib64/ld-linux-x86-64.so.2"

static char *const env[] = { "PATH=/bin", NULL };

/* fork; the child execs path with argv, stdout on /dev/null. */
static pid_t
start(const char *path, char *const argv[])
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(null, 1) < 0)
			_exit(UT_CHILD_FAILED);
		execve(path, argv, env);
		_exit(100 + errno);
	}
	return pid;
}

UTEST(static_glibc_hello_exits_with_its_argc)
{
	char *const argv[] = { "ghello-static", NULL };

	UT_CHILD_EXITS(start(GH_STATIC, argv), 1);
}

UTEST(dynamic_hello_through_ld_so_run_as_a_program)
{
	char *const argv[] = { "ld.so", "--library-path", DISK_LIBDIR, GH_DYN, NULL };

	UT_CHILD_EXITS(start(DISK_LDSO, argv), 1);
}

UTEST(dynamic_hello_through_its_interpreter_or_enoent_without_it)
{
	char *const argv[] = { "ghello-dyn", NULL };
	bool interp = access(ROOT_LDSO, X_OK) == 0;

	ut_note("%s %s", ROOT_LDSO, interp ? "is there: the hello runs" :
	    "is not there: execve fails with ENOENT");
	UT_CHILD_EXITS(start(GH_DYN, argv), interp ? 1 : 100 + ENOENT);
}

UTEST(busybox_sh_exits_with_the_status_of_its_command)
{
	char *const t[] = { "sh", "-c", "true", NULL };
	char *const e[] = { "sh", "-c", "exit 7", NULL };

	UT_CHILD_EXITS(start(BUSYBOX, t), 0);
	UT_CHILD_EXITS(start(BUSYBOX, e), 7);
}

int
main(int argc, char **argv)
{
	return utest_main(argc, argv);
}
