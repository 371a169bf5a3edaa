/*
 * tests/user/swap.c - anonymous memory larger than RAM, with nothing lost.
 *
 * Every test sizes its memory from the guest's RAM (MemTotal in
 * /proc/meminfo) and skips when there is no swap (SwapTotal 0: Linux in
 * make test-linux has none, and the kernel's main test boot turns none
 * on).  make test runs this program in its second boot, with 64 MiB of
 * RAM and a 256 MiB swap disk (tests/uvm/swap_test.c, suite swap/).
 *
 * Each page gets its own pattern in every one of its 512 words, so a page
 * written to the wrong slot, read from the wrong slot, or torn, is found:
 *
 *   word w of page p of a region with seed s = (s << 48) ^ (p << 12) ^ w
 *
 * The statistics (uvm_swapctl, user/include/uvmkern.h) prove the
 * mechanism: pages really went out and came back, several per write.
 * The two hooks (FAILIO, PAGEOUT) make swap I/O fail and push pages out
 * on demand, for the error tests.
 */
#include "utest.h"
#include "uvmkern.h"

#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORDS (PAGE / sizeof(uint64_t))
#define SWAPDEV "/dev/vda"

static uint64_t
word_of(uint64_t seed, size_t page, size_t w)
{
	return (seed << 48) ^ ((uint64_t)page << 12) ^ w;
}

static void
fill(void *base, size_t first, size_t npages, uint64_t seed)
{
	for (size_t p = first; p < first + npages; p++) {
		uint64_t *q = (uint64_t *)((char *)base + p * PAGE);
		for (size_t w = 0; w < WORDS; w++)
			q[w] = word_of(seed, p, w);
	}
}

/* Every word of pages [first, first + npages) holds its pattern. */
static void
verify(const void *base, size_t first, size_t npages, uint64_t seed)
{
	for (size_t p = first; p < first + npages; p++) {
		const uint64_t *q = (const uint64_t *)((const char *)base + p * PAGE);
		for (size_t w = 0; w < WORDS; w++) {
			if (q[w] != word_of(seed, p, w))
				ut_fail(__FILE__, __LINE__, "page %zu word %zu: %#llx, "
				    "expected %#llx", p, w, (unsigned long long)q[w],
				    (unsigned long long)word_of(seed, p, w));
		}
	}
}

/* Guest RAM in pages; skip the test when there is no swap. */
static size_t
ram_pages_or_skip(void)
{
	if (ut_meminfo_kb("SwapTotal") <= 0)
		UT_SKIP("no swap (SwapTotal 0)");
	return (size_t)ut_meminfo_kb("MemTotal") / 4;
}

static void *
map_anon(size_t npages, int flags)
{
	void *p = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		       flags | MAP_ANONYMOUS, -1, 0);

	UT_ASSERT(p != MAP_FAILED);
	return p;
}

/* The statistics, or a zeroed struct on a kernel without the call. */
static bool
swapstat(struct uvm_swapstat *st)
{
	memset(st, 0, sizeof(*st));
	return uvm_swapctl(UVM_SWAPCTL_STATS, st, 0) == 0;
}

static void
need_uvmkern(void)
{
	struct uvm_swapstat st;

	if (!swapstat(&st))
		UT_SKIP("uvm_swapctl is uvmkern-only (ENOSYS here)");
}

/* Make swap I/O fail: count requests (-1 all, 0 stop), touching slot (0 any). */
static void
failio(int op, int count, uint64_t slot)
{
	struct uvm_swap_failio f = { "vda", op, count, slot };

	UT_SYS(uvm_swapctl(UVM_SWAPCTL_FAILIO, &f, 0));
}

UTEST(anon_three_times_ram_written_and_verified)
{
	size_t n = 3 * ram_pages_or_skip();
	struct uvm_swapstat a, b;
	bool ours = swapstat(&a);
	char *p = map_anon(n, MAP_PRIVATE);

	fill(p, 0, n, 1);
	verify(p, 0, n, 1);
	if (ours) {
		swapstat(&b);
		ut_note("%zu pages: %llu out in %llu writes (%llu.%02llu per write), "
		    "%llu in", n, (unsigned long long)(b.pageouts - a.pageouts),
		    (unsigned long long)(b.writes - a.writes),
		    (unsigned long long)b.pages_per_write_x100 / 100,
		    (unsigned long long)b.pages_per_write_x100 % 100,
		    (unsigned long long)(b.pageins - a.pageins));
		/* At least all that did not fit went out and came back. */
		UT_ASSERT(b.pageouts - a.pageouts >= n - a.total_pages);
		UT_ASSERT(b.pageins - a.pageins >= n - a.total_pages);
		/* Clustering: more than one page per write on average. */
		UT_ASSERT((b.pageouts - a.pageouts) > (b.writes - a.writes));
		UT_ASSERT(b.pages_per_write_x100 > 100);
	}
	UT_SYS(munmap(p, n * PAGE));
}

UTEST(cow_through_swap_with_a_child_forked_half_way)
{
	size_t n = 3 * ram_pages_or_skip() / 2, half = n / 2;
	char *p = map_anon(n, MAP_PRIVATE);
	pid_t pid;

	fill(p, 0, half, 2);                    /* the parent's first half */
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		verify(p, 0, half, 2);          /* shared copy-on-write */
		fill(p, 0, n, 3);               /* all of it, privately */
		verify(p, 0, n, 3);
		_exit(0);
	}
	fill(p, half, n - half, 4);             /* the parent's second half */
	verify(p, 0, half, 2);
	verify(p, half, n - half, 4);
	UT_CHILD_EXITS(pid, 0);
	verify(p, 0, half, 2);                  /* untouched by the child */
	verify(p, half, n - half, 4);
}

UTEST(shared_anon_larger_than_ram_seen_by_parent_and_child)
{
	size_t n = 3 * ram_pages_or_skip() / 2;
	char *p = map_anon(n, MAP_SHARED);
	int go[2], done[2];
	char c;
	pid_t pid;

	UT_SYS(pipe(go));
	UT_SYS(pipe(done));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		/* The child writes the odd pages, then checks the parent's. */
		for (size_t i = 1; i < n; i += 2)
			fill(p, i, 1, 6);
		UT_EQ(write(done[1], "c", 1), 1);
		UT_EQ(read(go[0], &c, 1), 1);
		for (size_t i = 0; i < n; i += 2)
			verify(p, i, 1, 5);
		_exit(0);
	}
	for (size_t i = 0; i < n; i += 2)
		fill(p, i, 1, 5);
	UT_EQ(read(done[0], &c, 1), 1);
	for (size_t i = 1; i < n; i += 2)
		verify(p, i, 1, 6);
	UT_EQ(write(go[1], "p", 1), 1);
	UT_CHILD_EXITS(pid, 0);
}

UTEST(swapoff_brings_every_page_back_then_swapon_again)
{
	size_t ram = ram_pages_or_skip(), na = ram / 3, nb = ram;
	struct vm_query q;
	struct uvm_swapstat st;
	char *a = map_anon(na, MAP_PRIVATE), *b;
	size_t out = 0;

	need_uvmkern();
	fill(a, 0, na, 7);
	b = map_anon(nb, MAP_PRIVATE);          /* pushes a out */
	fill(b, 0, nb, 8);
	UT_SYS(munmap(b, nb * PAGE));
	for (size_t i = 0; i < na; i++) {
		UT_SYS(vm_query(a + i * PAGE, &q));
		out += q.swslot != 0 && q.pa == 0;
	}
	ut_note("%zu of %zu pages in swap before swapoff", out, na);
	UT_ASSERT(out > 0);
	UT_SYS(swapoff(SWAPDEV));
	UT_ASSERT(swapstat(&st));
	UT_EQ(st.nslots, 0);
	UT_EQ(st.ndevs, 0);
	for (size_t i = 0; i < na; i++) {
		UT_SYS(vm_query(a + i * PAGE, &q));
		UT_EQ(q.swslot, 0);
	}
	verify(a, 0, na, 7);
	UT_SYS(swapon(SWAPDEV, 0));
	UT_ASSERT(swapstat(&st));
	UT_EQ(st.ndevs, 1);
	UT_ERR(swapon(SWAPDEV, 0), EBUSY);
}

UTEST(swapoff_refused_with_enomem_when_it_cannot_fit)
{
	size_t n = 2 * ram_pages_or_skip();
	struct uvm_swapstat st;
	char *p = map_anon(n, MAP_PRIVATE);

	need_uvmkern();
	fill(p, 0, n, 9);
	UT_ERR(swapoff(SWAPDEV), ENOMEM);
	UT_ASSERT(swapstat(&st));
	UT_EQ(st.ndevs, 1);                     /* still swapping */
	verify(p, 0, n, 9);
}

UTEST(failed_swap_writes_keep_the_data_and_mark_slots_bad)
{
	size_t n = ram_pages_or_skip() / 4;
	struct uvm_swapstat a, b;
	char *p = map_anon(n, MAP_PRIVATE);

	need_uvmkern();
	fill(p, 0, n, 10);
	swapstat(&a);
	failio(UVM_FAILIO_WRITE, -1, 0);
	long freed = uvm_swapctl(UVM_SWAPCTL_PAGEOUT, NULL, (long)n);
	failio(UVM_FAILIO_WRITE, 0, 0);
	swapstat(&b);
	ut_note("pageout with failing writes: %ld freed, %llu write errors, "
	    "%llu slots marked bad", freed,
	    (unsigned long long)(b.write_errors - a.write_errors),
	    (unsigned long long)(b.bad - a.bad));
	UT_ASSERT(b.write_errors > a.write_errors);
	UT_ASSERT(b.bad > a.bad);
	UT_EQ(b.pageouts, a.pageouts);
	verify(p, 0, n, 10);                    /* nothing lost */
	/* The same pages go out fine once the disk works again. */
	UT_ASSERT(uvm_swapctl(UVM_SWAPCTL_PAGEOUT, NULL, (long)n) > 0);
	verify(p, 0, n, 10);
}

UTEST(failed_swap_read_kills_only_the_process_that_needs_the_page)
{
	size_t n = ram_pages_or_skip() / 8;
	char *mine = map_anon(n, MAP_PRIVATE);
	pid_t pid;

	need_uvmkern();
	fill(mine, 0, n, 11);
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		char *p = map_anon(n, MAP_PRIVATE);
		fill(p, 0, n, 12);
		uvm_swapctl(UVM_SWAPCTL_PAGEOUT, NULL, (long)(4 * n));
		struct vm_query q;
		UT_SYS(vm_query(p, &q));
		UT_ASSERT(q.swslot != 0 && q.pa == 0);
		/* Every read of that page's slot fails (a clustered read
		 * that includes it, then the page alone), nobody else's. */
		failio(UVM_FAILIO_READ, -1, q.swslot);
		verify(p, 0, 1, 12);            /* the read fails: SIGBUS */
		_exit(0);
	}
	int status;
	UT_EQ(waitpid(pid, &status, 0), pid);
	failio(UVM_FAILIO_READ, 0, 0);
	UT_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS);
	verify(mine, 0, n, 11);                 /* the parent's data is fine */
}

UTEST(no_memory_and_no_swap_kills_the_process_that_asked)
{
	size_t n = 2 * ram_pages_or_skip();
	struct uvm_swapstat a, b;
	char *mine = map_anon(16, MAP_PRIVATE);
	pid_t pid;

	need_uvmkern();
	fill(mine, 0, 16, 13);
	swapstat(&a);
	UT_SYS(swapoff(SWAPDEV));
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		/* In eighths: one mmap larger than RAM and swap together
		 * would be refused at once (ENOMEM), before any fault. */
		for (size_t q = 0; q < 8; q++) {
			char *p = map_anon(n / 8, MAP_PRIVATE);
			fill(p, 0, n / 8, 14);  /* cannot all fit: killed */
		}
		_exit(0);
	}
	int status;
	UT_EQ(waitpid(pid, &status, 0), pid);
	UT_SYS(swapon(SWAPDEV, 0));
	UT_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	swapstat(&b);
	UT_EQ(b.oom_kills, a.oom_kills + 1);
	verify(mine, 0, 16, 13);                /* the bystander lost nothing */
}
