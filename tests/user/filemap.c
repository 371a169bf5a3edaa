/*
 * tests/user/filemap.c - file mappings: private copy-on-write and shared
 * read-only.
 *
 * A private mapping of a file shows the file until the process writes;
 * the write lands in a private copy (an anon over the file's object on
 * uvmkern), visible in that mapping only - never in the file, another
 * mapping or another process.  A shared read-only mapping shows the file
 * and refuses writes; asking for write access to a shared mapping of a
 * read-only descriptor is EACCES.  Past the end of the file, the rest of
 * the last page reads zero and whole pages beyond it raise SIGBUS.
 *
 * The file is data/rows.txt (tests/user/mkdata.sh): 14000 bytes of lines
 * "row 00000\n".., so any byte can be predicted from its offset.
 */
#include "utest.h"
#include "uvmkern.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROWS_SIZE 14000UL
#define ROWS_PAGES 4UL      /* 3 full pages and 1712 bytes */

static char
row_byte(size_t off)
{
	char line[16];

	snprintf(line, sizeof(line), "row %05zu\n", off / 10);
	return line[off % 10];
}

static int
open_rows(void)
{
	return (int)UT_SYS(open(ut_datafile("rows.txt"), O_RDONLY));
}

static char *
map_rows(int prot, int flags, int fd)
{
	char *p = mmap(NULL, ROWS_PAGES * PAGE, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		ut_fail(__FILE__, __LINE__, "mmap rows.txt: %s", ut_errname(errno));
	return p;
}

/* The whole file through the mapping equals what row_byte predicts. */
static void
check_matches_file(const char *p)
{
	for (size_t i = 0; i < ROWS_SIZE; i++)
		if (p[i] != row_byte(i))
			ut_fail(__FILE__, __LINE__, "byte %zu is 0x%02x, not 0x%02x",
				i, (unsigned char)p[i], (unsigned char)row_byte(i));
}

UTEST(data_file_has_the_expected_contents)
{
	static char buf[ROWS_SIZE + 1];
	struct stat st;
	int fd = open_rows();

	UT_SYS(fstat(fd, &st));
	UT_EQ(st.st_size, ROWS_SIZE);
	UT_EQ(read(fd, buf, sizeof(buf)), ROWS_SIZE);
	check_matches_file(buf);
	close(fd);
}

UTEST(private_mapping_shows_the_file)
{
	int fd = open_rows();

	check_matches_file(map_rows(PROT_READ, MAP_PRIVATE, fd));
}

UTEST(private_writes_show_in_the_mapping_not_in_the_file)
{
	int fd = open_rows();       /* read-only: private writes need no more */
	char *p = map_rows(PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
	char *other = map_rows(PROT_READ, MAP_PRIVATE, fd);
	char buf[3];

	memcpy(p + 4100, "XYZ", 3);
	UT_ASSERT(memcmp(p + 4100, "XYZ", 3) == 0);
	UT_EQ(pread(fd, buf, 3, 4100), 3);
	UT_EQ(buf[0], row_byte(4100));
	UT_EQ(buf[2], row_byte(4102));
	UT_EQ(other[4100], row_byte(4100));
	UT_EQ(p[4099], row_byte(4099));   /* the rest of the copied page */
	UT_EQ(p[4103], row_byte(4103));
}

UTEST(private_file_pages_are_copied_on_write_across_fork)
{
	int fd = open_rows();
	char *p = map_rows(PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
	pid_t pid;

	p[0] = 'A';
	pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		UT_EQ(p[0], 'A');           /* inherited private copy */
		p[0] = 'B';
		p[PAGE] = 'C';              /* still the file's page until now */
		_exit(0);
	}
	UT_CHILD_EXITS(pid, 0);
	UT_EQ(p[0], 'A');
	UT_EQ(p[PAGE], row_byte(PAGE));
}

UTEST(shared_read_only_mapping_shows_the_file)
{
	int fd = open_rows();

	check_matches_file(map_rows(PROT_READ, MAP_SHARED, fd));
}

UTEST(shared_read_only_mapping_faults_on_write)
{
	int fd = open_rows();
	char *p = map_rows(PROT_READ, MAP_SHARED, fd);
	struct ut_fault f;

	UT_EQ(ut_probe_write(p + 123, 'x', &f), SIGSEGV);
	UT_EQ(f.code, SEGV_ACCERR);
	UT_EQ(f.addr, p + 123);
	UT_EQ(p[123], row_byte(123));
}

UTEST(shared_writable_mapping_of_a_read_only_fd_is_eacces)
{
	int fd = open_rows();
	char *p;

	UT_ERR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
	       EACCES);
	p = map_rows(PROT_READ, MAP_SHARED, fd);
	UT_ERR(mprotect(p, PAGE, PROT_READ | PROT_WRITE), EACCES);
	UT_EQ(ut_probe_write(p, 'x', NULL), SIGSEGV);   /* still read-only */
}

UTEST(own_binary_maps_shared_with_the_elf_magic)
{
	int fd = (int)UT_SYS(open(ut_self(), O_RDONLY));
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);

	UT_ASSERT(p != MAP_FAILED);
	UT_ASSERT(memcmp(p, "\177ELF", 4) == 0);
	UT_EQ(p[4], 2);             /* ELFCLASS64 */
}

UTEST(rest_of_the_last_page_reads_zero)
{
	int fd = open_rows();
	char *p = map_rows(PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);

	for (size_t i = ROWS_SIZE; i < ROWS_PAGES * PAGE; i++)
		UT_EQ(p[i], 0);
	p[ROWS_PAGES * PAGE - 1] = 'z';    /* private: allowed, file unchanged */
	UT_EQ(lseek(fd, 0, SEEK_END), ROWS_SIZE);
}

UTEST(whole_page_past_the_end_of_file_is_sigbus)
{
	int fd = open_rows();
	char *p = mmap(NULL, (ROWS_PAGES + 2) * PAGE, PROT_READ, MAP_PRIVATE,
		       fd, 0);
	char *beyond = p + ROWS_PAGES * PAGE;
	struct ut_fault f;

	UT_ASSERT(p != MAP_FAILED);
	UT_EQ(ut_probe_read(beyond + 8, &f), SIGBUS);
	UT_EQ(f.code, BUS_ADRERR);
	UT_EQ(f.addr, beyond + 8);
	UT_EQ(ut_probe_read(beyond + PAGE, NULL), SIGBUS);
	UT_EQ(ut_probe_read(beyond - 1, NULL), 0);      /* the partial page */
}

UTEST(offset_mapping_starts_at_that_offset)
{
	int fd = open_rows();
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);

	UT_ASSERT(p != MAP_FAILED);
	UT_EQ(p[0], row_byte(2 * PAGE));
	UT_EQ(p[PAGE - 1], row_byte(3 * PAGE - 1));
}

UTEST(unaligned_offset_is_einval)
{
	int fd = open_rows();

	UT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL);
}

UTEST(mapping_outlives_close)
{
	int fd = open_rows();
	char *p = map_rows(PROT_READ, MAP_SHARED, fd);

	UT_SYS(close(fd));
	UT_EQ(p[PAGE + 5], row_byte(PAGE + 5));
}

UTEST(bad_descriptor_is_ebadf)
{
	int fd = open_rows();

	UT_SYS(close(fd));
	UT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0), EBADF);
	UT_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
}

/*
 * On uvmkern: before a write, a private file page comes from the file's
 * object (no anon); the write promotes it into an anon.  Both mappings
 * of the file reach the same object at the same offset.
 */
UTEST(query_private_write_promotes_the_file_page_into_an_anon)
{
	int fd = open_rows();
	char *p = map_rows(PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
	char *s = map_rows(PROT_READ, MAP_SHARED, fd);
	struct vm_query q, sq;

	(void)*(volatile char *)(p + PAGE);
	ut_query(p + PAGE, &q);
	UT_EQ(q.obj_kind, VMQ_OBJ_FILE);
	UT_EQ(q.offset, PAGE);
	UT_EQ(q.anon, 0);
	UT_ASSERT(!(q.pte & VMQ_PTE_W));
	(void)*(volatile char *)(s + PAGE);
	UT_SYS(vm_query(s + PAGE, &sq));
	UT_EQ(sq.object, q.object);
	UT_EQ(sq.pa, q.pa);                 /* one page for both, until... */
	p[PAGE] = 'w';
	UT_SYS(vm_query(p + PAGE, &q));
	UT_NE(q.anon, 0);                   /* ...the write promotes it */
	UT_NE(q.pa, sq.pa);
	UT_ASSERT(q.pte & VMQ_PTE_W);
}
