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
 * parent.  Arguments and environment over a page of strings, or of
 * pointers, arrive whole (uvmkern copies them into a page first and
 * starts again with the full buffer when they do not fit); one string
 * of 128 KiB is E2BIG on both kernels.
 *
 * The program execs itself: "exec --exec-child ADDR ARGS..." runs
 * exec_child() instead of the tests, "exec --exec-pattern N LEN ARGS..."
 * pattern_child().  The data files come from
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
#define PATTERN_FLAG "--exec-pattern"
#define BIG_ENV_LEN 5000

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

/* Argument j of a pattern exec: len copies of one letter, 'a' + j % 26. */
static char *
pattern_arg(int j, int len)
{
	char *s = malloc((size_t)len + 1);

	if (s != NULL) {
		memset(s, 'a' + j % 26, (size_t)len);
		s[len] = '\0';
	}
	return s;
}

/* "exec --exec-pattern N LEN ARGS...": N args of pattern_arg, and the
 * environment's UTEST_BIG BIG_ENV_LEN 'z's when it is set.  0 if all
 * arrived whole. */
static int
pattern_child(int argc, char **argv)
{
	int n = atoi(argv[2]), len = atoi(argv[3]);
	const char *big = getenv("UTEST_BIG");

	if (argc != n + 4)
		return 2;
	for (int j = 0; j < n; j++) {
		char *want = pattern_arg(j, len);
		if (want == NULL || strcmp(argv[4 + j], want) != 0)
			return 3;
		free(want);
	}
	if (big != NULL && (strlen(big) != BIG_ENV_LEN ||
	    strspn(big, "z") != BIG_ENV_LEN))
		return 4;
	return 0;
}

/* Fork, exec self with n pattern args of len bytes (and envp); the
 * child's exit status, or 100 + errno of a failed exec. */
static int
exec_pattern(int n, int len, char *const envp[])
{
	char **argv = calloc((size_t)n + 5, sizeof(char *));
	char sn[16], slen[16];
	pid_t pid;
	int status;

	UT_ASSERT(argv != NULL);
	snprintf(sn, sizeof(sn), "%d", n);
	snprintf(slen, sizeof(slen), "%d", len);
	argv[0] = (char *)ut_self();
	argv[1] = PATTERN_FLAG;
	argv[2] = sn;
	argv[3] = slen;
	for (int j = 0; j < n; j++)
		UT_ASSERT((argv[4 + j] = pattern_arg(j, len)) != NULL);
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		execve(ut_self(), argv, envp);
		_exit(100 + errno);
	}
	UT_SYS(waitpid(pid, &status, 0));
	for (int j = 0; j < n; j++)
		free(argv[4 + j]);
	free(argv);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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

/* Strings over a page (argv 8 x 1,500 bytes, one variable of 5,000). */
UTEST(arguments_and_environment_over_a_page_arrive_whole)
{
	char *big = pattern_arg(25, BIG_ENV_LEN);       /* 'z's */
	char var[BIG_ENV_LEN + 16];
	char *envp[] = { var, NULL };

	UT_ASSERT(big != NULL);
	snprintf(var, sizeof(var), "UTEST_BIG=%s", big);
	free(big);
	UT_EQ(exec_pattern(8, 1500, envp), 0);
}

/* More pointers than a page holds: 700 one-letter arguments. */
UTEST(more_arguments_than_a_page_of_pointers_arrive_whole)
{
	UT_EQ(exec_pattern(700, 1, no_env), 0);
}

/* The path and argv end exactly at 4,096 bytes, and envp has one string
 * more: uvmkern's first page is full when that string comes. */
UTEST(strings_ending_exactly_at_a_page_arrive_whole)
{
	char *envp[] = { "UTEST_PAD=1", NULL };
	int self = (int)strlen(ut_self());
	/* path and argv[0] (self), the flag, "1", LEN (4 digits), the arg */
	int len = 4096 - (2 * (self + 1) + (int)sizeof(PATTERN_FLAG) + 2 + 5) - 1;

	UT_ASSERT(len >= 1000 && len <= 9999);
	UT_EQ(exec_pattern(1, len, envp), 0);
}

/* One argument of 128 KiB (its NUL past it) is more than either kernel
 * takes in one string (Linux: MAX_ARG_STRLEN, 32 pages). */
UTEST(an_argument_of_128_kib_is_e2big)
{
	UT_EQ(exec_pattern(1, 128 * 1024, no_env), 100 + E2BIG);
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], CHILD_FLAG) == 0)
		return argc >= 3 ? exec_child(argc, argv) : 2;
	if (argc >= 4 && strcmp(argv[1], PATTERN_FLAG) == 0)
		return pattern_child(argc, argv);
	return utest_main(argc, argv);
}
