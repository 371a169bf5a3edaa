/*
 * tests/kern/user_test.c - the user test programs (tests/user, static
 * musl binaries that also pass on Linux) run by the kernel test suite, so
 * `make test` proves the system-call layer end to end on this kernel.
 *
 * Each program takes test-name globs on its command line; the lists here
 * are the tests this kernel already supports (fork, files and the rest of
 * the system calls come next, and the lists grow with them).  A program
 * exits 0 only if every selected test passed; its own TAP lines appear
 * in the log above the ok line.
 */
#include "kern/ktest.h"
#include "kern/proc.h"
#include "tests/kern/vmtest.h"

/* Run /tests/prog with the given test names; it must exit 0, leaking nothing. */
static void
run_user_tests(const char *prog, char **names)
{
	char path[64], *argv[40];
	char *envp[] = { "PATH=/bin", "UTEST_NESTED=1", NULL };
	struct vm_baseline b;
	int n = 0, status = -1;

	ksnprintf(path, sizeof(path), "/tests/%s", prog);
	argv[n++] = path;
	for (; *names != NULL && n < 39; names++)
		argv[n++] = *names;
	argv[n] = NULL;
	vm_baseline_take(&b);
	KT_EQ(proc_run(path, argv, envp, &status), 0);
	KT_EQ(status, 0);
	vm_baseline_expect(&b);
}

KTEST(user, brk)
{
	static char *names[] = {
		"query_returns_the_current_break",
		"grows_to_the_exact_unaligned_address",
		"grown_memory_is_zeroed_and_writable",
		"shrinking_unmaps_the_pages_past_the_break",
		"growing_again_gives_zeros_not_old_data",
		"below_the_start_is_refused",
		"running_into_a_mapping_is_refused",
		"huge_request_is_refused",
		NULL,
	};

	run_user_tests("brk", names);
}

KTEST(user, errors)
{
	static char *names[] = {
		"write_to_stdout_from_a_bad_buffer_is_efault",
		"mmap_of_length_zero_is_einval",
		"mmap_unaligned_fixed_address_is_einval",
		"mmap_without_shared_or_private_is_einval",
		"mmap_length_that_cannot_fit_is_enomem",
		"mprotect_of_an_unmapped_range_is_enomem",
		"mprotect_wrapping_length_is_enomem",
		"mprotect_unaligned_address_is_einval",
		"munmap_errors_are_einval",
		NULL,
	};

	run_user_tests("errors", names);
}

KTEST(user, mmap_fixed)
{
	static char *names[] = {
		"fixed_replaces_existing_pages_with_zeros",
		"fixed_over_a_shared_mapping_replaces_it",
		"fixed_unaligned_address_is_einval",
		"noreplace_over_a_mapping_is_eexist",
		"noreplace_overlapping_one_page_is_eexist",
		"noreplace_on_a_free_range_maps_exactly_there",
		"a_hint_without_fixed_never_replaces",
		"a_free_hint_is_taken",
		NULL,
	};

	run_user_tests("mmap_fixed", names);
}

KTEST(user, mprotect)
{
	static char *names[] = {
		"data_survives_protection_changes",
		"read_only_page_refuses_writes_with_accerr",
		"prot_none_page_refuses_reads_with_accerr",
		"unmapped_range_is_enomem",
		NULL,
	};

	run_user_tests("mprotect", names);
}

KTEST(user, munmap)
{
	static char *names[] = {
		"hole_faults_with_maperr_at_the_address",
		"hole_can_be_mapped_again_zero_filled",
		"unmapping_an_unmapped_range_succeeds",
		"unaligned_address_is_einval",
		"zero_length_is_einval",
		"length_is_rounded_up_to_a_whole_page",
		NULL,
	};

	run_user_tests("munmap", names);
}

KTEST(user, shared)
{
	static char *names[] = {
		"starts_zero_filled",
		NULL,
	};

	run_user_tests("shared", names);
}

KTEST(user, segv)
{
	static char *names[] = {
		"write_to_read_only_memory_is_accerr_at_the_byte",
		"access_to_unmapped_memory_is_maperr_at_the_byte",
		"null_read_is_maperr_at_zero",
		"read_of_prot_none_is_accerr",
		"jump_into_non_executable_memory_is_accerr_at_the_target",
		"kernel_address_is_maperr",
		"non_canonical_address_is_si_kernel_with_no_address",
		"returning_handler_retries_the_access",
		"sigsetjmp_recovers_repeatedly",
		NULL,
	};

	run_user_tests("segv", names);
}
