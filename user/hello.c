/*
 * user/hello.c - the smallest real program: prints its arguments and
 * environment, then exits with the number of arguments.  Built with
 * musl-gcc -static; the same binary runs on Linux.
 */
#include <stdio.h>

int
main(int argc, char **argv, char **envp)
{
	printf("hello from user space: %d argument%s\n", argc, argc == 1 ? "" : "s");
	for (int i = 0; i < argc; i++)
		printf("  argv[%d] = %s\n", i, argv[i]);
	for (int i = 0; envp[i] != NULL; i++)
		printf("  envp[%d] = %s\n", i, envp[i]);
	return argc;
}
