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
	char path[64], *argv[48];
	char *envp[] = { "PATH=/bin", "UTEST_NESTED=1", NULL };
	struct vm_baseline b;
	int n = 0, status = -1;

	ksnprintf(path, sizeof(path), "/tests/%s", prog);
	argv[n++] = path;
	for (; *names != NULL && n < 47; names++)
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

KTEST(user, cow)
{
	static char *names[] = {
		"child_writes_are_invisible_to_the_parent",
		"parent_writes_after_fork_are_invisible_to_the_child",
		"three_generations_keep_their_own_values",
		"many_pages_stay_isolated",
		"pages_untouched_before_fork_read_zero_on_both_sides",
		"parent_can_write_again_after_the_child_is_gone",
		NULL,
	};

	run_user_tests("cow", names);
}

KTEST(user, errors)
{
	static char *names[] = {
		"read_into_a_bad_buffer_is_efault",
		"read_from_a_pipe_into_a_bad_buffer_is_efault",
		"write_from_a_bad_buffer_is_efault",
		"write_to_stdout_from_a_bad_buffer_is_efault",
		"huge_length_with_a_bad_buffer_is_efault",
		"mmap_of_length_zero_is_einval",
		"mmap_unaligned_fixed_address_is_einval",
		"mmap_unaligned_offset_is_einval",
		"mmap_without_shared_or_private_is_einval",
		"mmap_unknown_flags_under_shared_validate_are_eopnotsupp",
		"mmap_length_that_cannot_fit_is_enomem",
		"mmap_fixed_past_user_space_is_enomem",
		"mprotect_of_an_unmapped_range_is_enomem",
		"mprotect_wrapping_length_is_enomem",
		"mprotect_unaligned_address_is_einval",
		"munmap_errors_are_einval",
		"mlock_of_an_impossible_range_is_enomem",
		"msync_bad_flags_are_einval",
		"msync_of_an_unmapped_range_is_enomem",
		"caller_survives_every_error",
		NULL,
	};

	run_user_tests("errors", names);
}

KTEST(user, exec)
{
	static char *names[] = {
		"missing_file_is_enoent",
		"file_used_as_a_folder_is_enotdir",
		"text_file_is_enoexec",
		"elf_magic_on_a_nonsense_header_is_enoexec",
		"directory_is_eacces",
		"bad_path_pointer_is_efault",
		"caller_is_intact_after_failed_execs",
		"exec_passes_argv_and_envp_and_replaces_memory",
		"exit_code_of_the_new_image_reaches_the_parent",
		NULL,
	};

	run_user_tests("exec", names);
}

KTEST(user, fork)
{
	static char *names[] = {
		"exit_codes_reach_the_parent",
		"exit_code_keeps_only_low_8_bits",
		"wait_any_returns_the_child_pid_and_status",
		"child_knows_its_parent_and_itself",
		"fork_returns_distinct_pids",
		"wnohang_returns_zero_while_the_child_runs",
		"wait_without_children_is_echild",
		"a_reaped_child_cannot_be_waited_twice",
		"grandchild_is_reaped_by_its_own_parent",
		"killed_child_reports_the_signal",
		"vfork_child_exit_code_reaches_the_parent",
		"hundred_children_forked_and_reaped",
		NULL,
	};

	run_user_tests("fork", names);
}

KTEST(user, inherit)
{
	static char *names[] = {
		"dontfork_leaves_a_hole_in_the_child",
		"dofork_undoes_dontfork",
		"wipeonfork_gives_the_child_zeros",
		"keeponfork_undoes_wipeonfork",
		"dontfork_applies_to_part_of_an_entry",
		NULL,
	};

	run_user_tests("inherit", names);
}

KTEST(user, madvise)
{
	static char *names[] = {
		"dontneed_private_anonymous_reads_zeros",
		"dontneed_then_write_works_again",
		"dontneed_shared_anonymous_keeps_the_data",
		"hints_change_no_data",
		"unknown_advice_is_einval",
		"unaligned_address_is_einval",
		"unmapped_range_is_enomem",
		NULL,
	};

	run_user_tests("madvise", names);
}

KTEST(user, mlock)
{
	static char *names[] = {
		"untouched_pages_are_not_resident",
		"mlock_makes_every_page_resident",
		"munlock_keeps_the_data",
		"mlock_rounds_an_unaligned_range_out_to_pages",
		"mlock_of_a_range_with_a_hole_is_enomem",
		"mlock_survives_fork_in_the_parent",
		"mlockall_bad_flags_are_einval",
		"mincore_errors",
		NULL,
	};

	run_user_tests("mlock", names);
}

KTEST(user, mmap_fixed)
{
	static char *names[] = {
		"fixed_replaces_existing_pages_with_zeros",
		"fixed_with_another_protection_splits_the_entry",
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
		"a_fresh_range_is_one_entrypid 1: system call 38 not implemented (ENOSYS)",
		"protecting_the_middle_splits_into_three",
		"protecting_an_edge_splits_into_two",
		"restoring_the_protection_merges_back_into_one",
		"protecting_the_whole_range_keeps_one_entry",
		"data_survives_protection_changes",
		"read_only_page_refuses_writes_with_accerr",
		"prot_none_page_refuses_reads_with_accerr",
		"zero_length_succeeds_and_changes_nothing",
		"unaligned_address_is_einval",
		"unknown_protection_bits_are_einval",
		"unmapped_range_is_enomem",
		"length_is_rounded_up_to_whole_pages",
		NULL,
	};

	run_user_tests("mprotect", names);
}

KTEST(user, munmap)
{
	static char *names[] = {
		"hole_faults_with_maperr_at_the_address",
		"neighbours_of_a_hole_keep_their_data",
		"hole_can_be_mapped_again_zero_filled",
		"unmapping_an_unmapped_range_succeeds",
		"unaligned_address_is_einval",
		"zero_length_is_einval",
		"length_is_rounded_up_to_a_whole_page",
		"one_call_removes_several_entries",
		"range_across_a_hole_removes_both_sides",
		"unmapping_inside_a_fork_child_leaves_the_parent_mapped",
		NULL,
	};

	run_user_tests("munmap", names);
}

KTEST(user, shared)
{
	static char *names[] = {
		"starts_zero_filled",
		"child_writes_are_seen_by_the_parent",
		"parent_writes_are_seen_by_the_child",
		"grandchild_writes_are_seen_by_all",
		"child_unmapping_its_view_leaves_the_parent_alone",
		"private_memory_next_to_it_stays_private",
		"ten_children_each_fill_their_slot",
		"survives_mprotect_read_only_in_the_child",
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
		"handler_runs_on_the_sigaltstack",
		"stack_overflow_is_caught_on_the_sigaltstack",
		"uncaught_write_to_read_only_kills_with_sigsegv",
		"uncaught_null_read_kills_with_sigsegv",
		"blocked_sigsegv_still_kills",
		"ignored_sigsegv_still_kills",
		"sigsetjmp_recovers_repeatedly",
		NULL,
	};

	run_user_tests("segv", names);
}

KTEST(user, garbage)
{
	static char *names[] = {
		"file_calls_with_bad_buffers_are_efault",
		"file_calls_with_bad_descriptors_are_ebadf",
		"time_and_info_calls_with_garbage_fail",
		"unknown_system_calls_are_enosys",
		"the_process_is_fine_afterwards",
		NULL,
	};

	run_user_tests("garbage", names);
}

KTEST(user, many_maps)
{
	static char *names[] = {
		"ten_thousand_placed_by_the_kernel_then_unmapped",
		"ten_thousand_fixed_in_one_reservation_then_unmapped",
		"map_and_unmap_in_a_loop_leaves_nothing_behind",
		NULL,
	};

	run_user_tests("many_maps", names);
}

KTEST(user, filemap)
{
	static char *names[] = {
		"data_file_has_the_expected_contents",
		"unaligned_offset_is_einval",
		"bad_descriptor_is_ebadf",
		NULL,
	};

	run_user_tests("filemap", names);
}
