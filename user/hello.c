/*
 * user/hello.c - the smallest real program: prints its arguments and
 * environment, then exits with the number of arguments it was given
 * (argv[0], its own name, does not count): plain `hello` exits 0, as a
 * program that did its job does, and `hello a b` exits 2, which shows
 * an exit status travelling back to the shell (or, as init, to make run).
 * Built with musl-gcc -static; the same binary runs on Linux.
 */
#include <stdio.h>

int
main(int argc, char **argv, char **envp)
{
	int nargs = argc > 0 ? argc - 1 : 0;

	printf("hello from user space: %d argument%s\n", nargs, nargs == 1 ? "" : "s");
	for (int i = 0; i < argc; i++)
		printf("  argv[%d] = %s\n", i, argv[i]);
	for (int i = 0; envp[i] != NULL; i++)
		printf("  envp[%d] = %s\n", i, envp[i]);
	return nargs;
}
