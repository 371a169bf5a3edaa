/*
 * tests/user/exec.c - execve: what fails, what survives, what is passed.
 *
 * A failed exec must leave the caller exactly as it was, with Linux's
 * errno: ENOENT for a missing file, ENOTDIR for a file used as a folder,
 * EACCES for a file without execute permission or a directory, ENOEXEC
 * for an executable file that is not ELF (text, or an ELF magic on a
 * nonsense header), EFAULT for a bad path pointer.  A successful exec
 * passes argv and envp, replaces the whole address space (a mapping of
 * the old image is gone in the new one) and its exit code reaches the
 * parent.
 *
 * The program execs itself: "exec --exec-child ADDR ARGS..." runs
 * exec_child() instead of the tests.  The data files come from
 * tests/user/mkdata.sh.
 */
#include "utest.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_FLAG "--exec-child"

static char *const no_env[] = { NULL };

/* Runs in the new image: checks its argv and envp; exits 0 if all is right. */
static int
exec_child(int argc, char **argv)
{
	void *old = (void *)strtoul(argv[2], NULL, 16);

	if (argc != 5 || strcmp(argv[3], "two words") != 0 ||
	    strcmp(argv[4], "") != 0)
		return 2;
	if (getenv("UTEST_EXEC") == NULL || strcmp(getenv("UTEST_EXEC"), "42") != 0)
		return 3;
	if (ut_probe_read(old, NULL) != SIGSEGV)   /* the old mapping is gone */
		return 4;
	return 0;
}

UTEST(missing_file_is_enoent)
{
	char *argv[] = { "nothing", NULL };

	UT_ERR(execve("/no/such/program", argv, no_env), ENOENT);
	UT_ERR(execve(ut_datafile("no-such-file"), argv, no_env), ENOENT);
	UT_ERR(execve("", argv, no_env), ENOENT);
}

UTEST(file_used_as_a_folder_is_enotdir)
{
	char path[600];
	char *argv[] = { "x", NULL };

	snprintf(path, sizeof(path), "%s/x", ut_datafile("not-elf"));
	UT_ERR(execve(path, argv, no_env), ENOTDIR);
}

UTEST(text_file_is_enoexec)
{
	char *argv[] = { "not-elf", NULL };

	UT_ERR(execve(ut_datafile("not-elf"), argv, no_env), ENOEXEC);
}

UTEST(elf_magic_on_a_nonsense_header_is_enoexec)
{
	char *argv[] = { "bad-elf", NULL };

	UT_ERR(execve(ut_datafile("bad-elf"), argv, no_env), ENOEXEC);
}

UTEST(file_without_execute_permission_is_eacces)
{
	char *argv[] = { "rows.txt", NULL };

	UT_ERR(execve(ut_datafile("rows.txt"), argv, no_env), EACCES);
}

UTEST(directory_is_eacces)
{
	char *argv[] = { "/", NULL };

	UT_ERR(execve("/", argv, no_env), EACCES);
}

UTEST(bad_path_pointer_is_efault)
{
	char *argv[] = { "x", NULL };

	UT_ERR(execve(NULL, argv, no_env), EFAULT);
	UT_ERR(execve((char *)0xffff800000000000UL, argv, no_env), EFAULT);
}

UTEST(caller_is_intact_after_failed_execs)
{
	char *p = ut_map(2, PROT_READ | PROT_WRITE);
	char *argv[] = { "x", NULL };
	pid_t pid;

	memset(p, 0x5e, 2 * PAGE);
	for (int i = 0; i < 20; i++) {
		(void)execve(ut_datafile("bad-elf"), argv, no_env);
		(void)execve(ut_datafile("not-elf"), argv, no_env);
		(void)execve("/no/such/program", argv, no_env);
	}
	UT_EQ(p[0], 0x5e);
	UT_EQ(p[2 * PAGE - 1], 0x5e);
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0)
		_exit(p[PAGE] == 0x5e ? 0 : 1);
	UT_CHILD_EXITS(pid, 0);
}

UTEST(exec_passes_argv_and_envp_and_replaces_memory)
{
	char *old = ut_map(1, PROT_READ | PROT_WRITE);
	char addr[32];
	char *argv[] = { (char *)ut_self(), CHILD_FLAG, addr, "two words", "", NULL };
	char *envp[] = { "UTEST_EXEC=42", NULL };
	pid_t pid;

	old[0] = 1;
	snprintf(addr, sizeof(addr), "%lx", (unsigned long)old);
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		execve(ut_self(), argv, envp);
		_exit(100 + errno);
	}
	UT_CHILD_EXITS(pid, 0);
}

UTEST(exit_code_of_the_new_image_reaches_the_parent)
{
	char *argv[] = { (char *)ut_self(), CHILD_FLAG, "0", "wrong", "", NULL };
	char *envp[] = { "UTEST_EXEC=42", NULL };
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		execve(ut_self(), argv, envp);
		_exit(100 + errno);
	}
	UT_CHILD_EXITS(pid, 2);         /* exec_child's "bad argv" */
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], CHILD_FLAG) == 0)
		return argc >= 3 ? exec_child(argc, argv) : 2;
	return utest_main(argc, argv);
}
