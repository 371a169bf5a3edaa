/*
 * tests/user/uvmexp.c - /proc/uvmexp and /proc/PID/uvmlocks, the counters
 * make bench reads around its several-CPU metrics (vmbench's run_smp) to
 * say what dominates them: fault and shootdown counts, pause loops on
 * spin locks by CPU and by lock name, sleeps on the map and amap locks.
 * uvmkern's own files: on Linux they do not exist and the tests skip.
 */
#define _GNU_SOURCE
#include "utest.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The value of the line "name value" in path; -1 if there is none. */
static long long
counter(const char *path, const char *name)
{
	char line[128], n[64];
	long long v, found = -1;
	FILE *f = fopen(path, "r");

	UT_ASSERT(f != NULL);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%63s %lld", n, &v) == 2 && strcmp(n, name) == 0)
			found = v;
	fclose(f);
	return found;
}

static void
skip_on_linux(void)
{
	if (access("/proc/uvmexp", F_OK) != 0)
		UT_SKIP("no /proc/uvmexp (Linux)");
}

UTEST(uvmexp_counts_the_zero_fill_faults_of_a_fresh_mapping)
{
	long long faults, zf;
	char *p;

	skip_on_linux();
	faults = counter("/proc/uvmexp", "faults");
	zf = counter("/proc/uvmexp", "flt_zerofill");
	UT_ASSERT(faults >= 0 && zf >= 0);
	p = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_ASSERT(p != MAP_FAILED);
	for (int i = 0; i < 16; i++)
		p[i * 4096] = 1;
	UT_SYS(munmap(p, 16 * 4096));
	/* fault-ahead may fill several pages a fault: at least one of each */
	UT_ASSERT(counter("/proc/uvmexp", "faults") > faults);
	UT_ASSERT(counter("/proc/uvmexp", "flt_zerofill") > zf);
}

UTEST(uvmexp_has_each_cpus_spins_and_the_shootdown_counters)
{
	skip_on_linux();
	UT_ASSERT(counter("/proc/uvmexp", "cpu0_spins") >= 0);
	UT_ASSERT(counter("/proc/uvmexp", "cpu0_ipis") >= 0);
	UT_ASSERT(counter("/proc/uvmexp", "cpu0_tlbshoot") >= 0);
	UT_ASSERT(counter("/proc/uvmexp", "tlb_shootdowns") >= 0);
	UT_ASSERT(counter("/proc/uvmexp", "tlb_ipis") >= 0);
}

UTEST(uvmlocks_has_the_map_and_amap_lock_sleeps)
{
	long long m, a;
	char path[64];

	skip_on_linux();
	m = counter("/proc/self/uvmlocks", "map_lock_sleeps");
	a = counter("/proc/self/uvmlocks", "amap_lock_sleeps");
	UT_ASSERT(m >= 0 && a >= 0);
	/* the same file by pid, and the counts never go back */
	snprintf(path, sizeof(path), "/proc/%d/uvmlocks", (int)getpid());
	UT_ASSERT(counter(path, "map_lock_sleeps") >= m);
	UT_ASSERT(counter(path, "amap_lock_sleeps") >= a);
}
