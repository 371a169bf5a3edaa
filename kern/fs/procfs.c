/*
 * kern/fs/procfs.c - /proc: processes, memory and kernel settings as text.
 *
 * Each file is generated whole when it is opened (a snapshot) into a
 * kernel buffer, in Linux's format, so the same parsers work on both
 * kernels.  /proc/self/maps has one line per map entry:
 *
 *   00400000-00401000 r--p 00000000 00:01 7          (a file's pages)
 *   00429000-0042a000 rw-p 00000000 00:00 0          [heap]
 *   7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0  [stack]
 *
 * "p" is a private (copy-on-write) entry, "s" a shared one; the
 * permissions are what the program asked for (a write-only mapping is
 * -w-p, though the page tables must allow reading it too).
 *
 * /proc/PID/smaps adds, under each line, what the entry's pages cost,
 * counted from the amap's anons and the object's pages (uvm_usage.h):
 *
 *   Rss        resident pages          Anonymous  of them, anons' pages
 *   Pss        Rss with each anon page divided by the amaps sharing it
 *   Swap       pages only in swap      Locked     Rss of a wired entry
 *
 * /proc/PID/status and stat sum those over the map (VmSize, VmRSS,
 * VmSwap, VmLck).  Directories (/proc, /proc/PID, /proc/PID/fd, /proc/sys
 * ...) are generated the same way, one name a line (file_from_dirtext);
 * /proc/self/fd/N opens what descriptor N is open on.  PID is a number
 * or "self".
 */
#include "kern/fs/procfs.h"
#include "kern/core/cmdline.h"
#include "kern/proc/exec.h"
#include "kern/fs/file.h"
#include "kern/lib/errno.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"
#include "kern/arch/mb2.h"
#include "kern/proc/proc.h"
#include "pmap/pmap.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_swap.h"
#include "uvm/uvm_usage.h"

#define PROCFS_MAX (4 * 1024 * 1024)   /* 20,000 maps lines fit */
#define PROCFS_SMALL 4096
#define PROCFS_PID_MAX 4194304          /* Linux's largest pid_max on 64-bit */
#define PROCFS_MAXPIDS 512

struct textbuf {
	char *buf;
	size_t len;
	size_t cap;
};

/* One generator: it fills tb for process pi (NULL for files of no process). */
typedef void (*procfs_gen_t)(struct textbuf *tb, struct proc_info *pi);

static void
tb_printf(struct textbuf *tb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = kvsnprintf(tb->buf + tb->len, tb->cap - tb->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		tb->len = MIN(tb->len + (size_t)n, tb->cap - 1);
}

/* ---- /proc/PID/maps and smaps ---- */

static void
maps_entry(struct textbuf *tb, const struct vm_map_entry *e, const struct proc_info *pi)
{
	const char *label = "";

	if (e->start < pi->brk && e->end > pi->brk_start && e->object == NULL)
		label = "[heap]";
	else if (e->end == USER_STACK_TOP)
		label = "[stack]";
	tb_printf(tb, "%08lx-%08lx %c%c%c%c %08lx %s %lu%s%s\n", e->start, e->end,
	    (e->protection & VM_PROT_READ) ? 'r' : '-',
	    (e->protection & VM_PROT_WRITE) ? 'w' : '-',
	    (e->protection & VM_PROT_EXECUTE) ? 'x' : '-',
	    (e->etype & UVM_ET_COPYONWRITE) ? 'p' : 's',
	    e->object != NULL ? (uint64_t)e->offset : 0,
	    e->object != NULL ? "00:01" : "00:00", 0UL,
	    label[0] ? "                          " : "", label);
}

static void
smaps_line(struct textbuf *tb, const char *key, uint64_t bytes)
{
	tb_printf(tb, "%s:%*s%8lu kB\n", key, (int)(15 - strlen(key)), "", bytes / 1024);
}

/* The smaps block of one entry: its maps line, then its page counts. */
static void
smaps_entry(struct textbuf *tb, const struct vm_map_entry *e, const struct proc_info *pi)
{
	struct uvm_usage u;

	memset(&u, 0, sizeof(u));
	uvm_usage_entry(e, &u);
	maps_entry(tb, e, pi);
	smaps_line(tb, "Size", u.size);
	smaps_line(tb, "KernelPageSize", PAGE_SIZE);
	smaps_line(tb, "MMUPageSize", PAGE_SIZE);
	smaps_line(tb, "Rss", u.rss);
	smaps_line(tb, "Pss", u.pss);
	smaps_line(tb, "Shared_Clean", 0);
	smaps_line(tb, "Shared_Dirty", u.anon_shared);
	smaps_line(tb, "Private_Clean", u.rss - u.anon);
	smaps_line(tb, "Private_Dirty", u.anon - u.anon_shared);
	smaps_line(tb, "Referenced", u.rss);
	smaps_line(tb, "Anonymous", u.anon);
	smaps_line(tb, "AnonHugePages", 0);
	smaps_line(tb, "Swap", u.swap);
	smaps_line(tb, "SwapPss", u.swap);
	smaps_line(tb, "Locked", u.locked);
}

/* Each entry of pi's map through fn, with the map locked. */
static void
each_entry(struct textbuf *tb, struct proc_info *pi,
    void (*fn)(struct textbuf *, const struct vm_map_entry *, const struct proc_info *))
{
	struct vm_map *map;

	if (pi->vmspace == NULL)
		return;                 /* a zombie: no memory left */
	map = &pi->vmspace->vm_map;
	mutex_enter(&map->lock);
	for (struct vm_map_entry *e = map->header.next; e != &map->header; e = e->next)
		fn(tb, e, pi);
	mutex_exit(&map->lock);
}

static void
gen_maps(struct textbuf *tb, struct proc_info *pi)
{
	each_entry(tb, pi, maps_entry);
}

static void
gen_smaps(struct textbuf *tb, struct proc_info *pi)
{
	each_entry(tb, pi, smaps_entry);
}

/* ---- /proc/PID/stat and status ---- */

static void
usage_of(struct proc_info *pi, struct uvm_usage *u)
{
	memset(u, 0, sizeof(*u));
	if (pi->vmspace != NULL)
		uvm_usage_map(&pi->vmspace->vm_map, u);
}

/* One line, 52 fields, as proc(5) lists them; what is not kept here is 0. */
static void
gen_stat(struct textbuf *tb, struct proc_info *pi)
{
	struct uvm_usage u;

	usage_of(pi, &u);
	tb_printf(tb, "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 %lu %lu "
	    "%lu 0 0 0 0 0 %lu %lu %lu %lu 0 0 0 17 0 0 0 0 0 0 0 0 %lu %lu 0 0 0 0 0\n",
	    pi->pid, pi->name, pi->state, pi->ppid, pi->pgid, pi->sid,
	    u.size, u.rss / PAGE_SIZE, (uint64_t)-1,
	    pi->sigpending, pi->sigblocked, pi->sigignored, pi->sigcaught,
	    (uint64_t)pi->brk_start, (uint64_t)pi->brk);
}

static const char *
state_name(char state)
{
	return state == 'R' ? "R (running)" : state == 'Z' ? "Z (zombie)" :
	    state == 'T' ? "T (stopped)" : "S (sleeping)";
}

static void
gen_status(struct textbuf *tb, struct proc_info *pi)
{
	struct uvm_usage u;
	uint64_t kb = 1024;

	usage_of(pi, &u);
	tb_printf(tb, "Name:\t%s\nState:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n"
	    "TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\n",
	    pi->name, state_name(pi->state), pi->pid, pi->pid, pi->ppid, NOFILE);
	if (pi->vmspace != NULL)
		tb_printf(tb, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\n"
		    "VmPin:\t%8lu kB\nVmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n"
		    "RssAnon:\t%8lu kB\nRssFile:\t%8lu kB\nRssShmem:\t%8lu kB\n"
		    "VmSwap:\t%8lu kB\n",
		    u.size / kb, u.size / kb, u.locked_size / kb, 0UL, u.rss / kb,
		    u.rss / kb, u.anon / kb, (u.rss - u.anon) / kb, 0UL, u.swap / kb);
	tb_printf(tb, "Threads:\t1\nSigPnd:\t%016lx\nShdPnd:\t%016lx\n"
	    "SigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
	    0UL, pi->sigpending, pi->sigblocked, pi->sigignored, pi->sigcaught);
}

/* ---- directories ---- */

static void
gen_fd_dir(struct textbuf *tb, struct proc_info *pi)
{
	for (int fd = 0; fd < NOFILE; fd++)
		if (pi->fdmask & (1UL << fd))
			tb_printf(tb, "%d\n", fd);
}

static void
gen_pid_dir(struct textbuf *tb, struct proc_info *pi)
{
	(void)pi;
	tb_printf(tb, "fd/\nmaps\nsmaps\nstat\nstatus\nmounts\n");
}

static void
gen_root_dir(struct textbuf *tb, struct proc_info *pi)
{
	int pids[PROCFS_MAXPIDS], n = proc_pids(pids, PROCFS_MAXPIDS);

	(void)pi;
	tb_printf(tb, "self/\nsys/\ncmdline\nmeminfo\nmounts\n");
	for (int i = 0; i < n; i++)
		tb_printf(tb, "%d/\n", pids[i]);
}

static void
gen_sys_dir(struct textbuf *tb, struct proc_info *pi)
{
	(void)pi;
	tb_printf(tb, "kernel/\nvm/\n");
}

static void
gen_sys_kernel_dir(struct textbuf *tb, struct proc_info *pi)
{
	(void)pi;
	tb_printf(tb, "pid_max\ntainted\n");
}

static void
gen_sys_vm_dir(struct textbuf *tb, struct proc_info *pi)
{
	(void)pi;
	tb_printf(tb, "mmap_min_addr\n");
}

/* ---- files of no process ---- */

static void
gen_meminfo(struct textbuf *tb, struct proc_info *pi)
{
	uint64_t kb = PAGE_SIZE / 1024;

	(void)pi;
	tb_printf(tb, "MemTotal:       %8lu kB\n", (uvmexp.npages - uvmexp.reserved) * kb);
	tb_printf(tb, "MemFree:        %8lu kB\n", uvmexp.free * kb);
	tb_printf(tb, "MemAvailable:   %8lu kB\n", uvmexp.free * kb);
	tb_printf(tb, "Active:         %8lu kB\n", uvmexp.active * kb);
	tb_printf(tb, "Inactive:       %8lu kB\n", uvmexp.inactive * kb);
	tb_printf(tb, "Mlocked:        %8lu kB\n", uvmexp.wired * kb);
	tb_printf(tb, "PageTables:     %8lu kB\n", pmap_counters.ptpages * kb);
	tb_printf(tb, "SwapTotal:      %8lu kB\n", uvm_swap_stats.nslots * kb);
	tb_printf(tb, "SwapFree:       %8lu kB\n",
	    (uvm_swap_stats.nslots - uvm_swap_stats.inuse) * kb);
}

static void
gen_cmdline(struct textbuf *tb, struct proc_info *pi)
{
	(void)pi;
	tb_printf(tb, "%s\n", boot_info.cmdline);
}

/* The initrd on / (read-only) and /proc itself, as mount(8) would list them. */
static void
gen_mounts(struct textbuf *tb, struct proc_info *pi)
{
	(void)pi;
	tb_printf(tb, "rootfs / rootfs ro 0 0\nproc /proc proc rw,nosuid,nodev,noexec 0 0\n");
}

/* Pids are numbered up from 1 and never reused; this is the most Linux allows. */
static void
gen_pid_max(struct textbuf *tb, struct proc_info *pi)
{
	(void)pi;
	tb_printf(tb, "%d\n", PROCFS_PID_MAX);
}

/* The lowest address mmap gives: page 0 stays unmapped (sys_mmap). */
static void
gen_mmap_min_addr(struct textbuf *tb, struct proc_info *pi)
{
	(void)pi;
	tb_printf(tb, "%lu\n", (uint64_t)PAGE_SIZE);
}

/* Nothing taints this kernel (no modules, no forced loads). */
static void
gen_tainted(struct textbuf *tb, struct proc_info *pi)
{
	(void)pi;
	tb_printf(tb, "0\n");
}

/* ---- names ---- */

struct procfs_file {
	const char *name;
	procfs_gen_t gen;
	bool dir;
	size_t cap;
};

/* Files of one process: /proc/PID/name. */
static const struct procfs_file pid_files[] = {
	{ "", gen_pid_dir, true, PROCFS_SMALL },
	{ "fd", gen_fd_dir, true, PROCFS_SMALL },
	{ "maps", gen_maps, false, PROCFS_MAX },
	{ "smaps", gen_smaps, false, PROCFS_MAX },
	{ "stat", gen_stat, false, PROCFS_SMALL },
	{ "status", gen_status, false, PROCFS_SMALL },
	{ "mounts", gen_mounts, false, PROCFS_SMALL },
};

/* Files of no process: /proc/name. */
static const struct procfs_file top_files[] = {
	{ "", gen_root_dir, true, PROCFS_SMALL * 4 },
	{ "meminfo", gen_meminfo, false, PROCFS_SMALL },
	{ "cmdline", gen_cmdline, false, PROCFS_SMALL },
	{ "mounts", gen_mounts, false, PROCFS_SMALL },
	{ "sys", gen_sys_dir, true, PROCFS_SMALL },
	{ "sys/kernel", gen_sys_kernel_dir, true, PROCFS_SMALL },
	{ "sys/kernel/pid_max", gen_pid_max, false, PROCFS_SMALL },
	{ "sys/kernel/tainted", gen_tainted, false, PROCFS_SMALL },
	{ "sys/vm", gen_sys_vm_dir, true, PROCFS_SMALL },
	{ "sys/vm/mmap_min_addr", gen_mmap_min_addr, false, PROCFS_SMALL },
};

static const struct procfs_file *
procfs_find(const struct procfs_file *tab, size_t n, const char *name)
{
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '/')
		len--;                  /* "self/fd/" is "self/fd" */
	for (size_t i = 0; i < n; i++)
		if (strlen(tab[i].name) == len && strncmp(tab[i].name, name, len) == 0)
			return &tab[i];
	return NULL;
}

/*
 * "self/maps" -> pid 0 (the caller), "maps"; "12/stat" -> 12, "stat".
 * => the rest of the name, or NULL if name does not start with a pid.
 */
static const char *
procfs_pid(const char *name, int *pid)
{
	int n = 0;

	if (strncmp(name, "self", 4) == 0 && (name[4] == '\0' || name[4] == '/')) {
		*pid = 0;
		return name[4] == '/' ? name + 5 : name + 4;
	}
	if (*name < '1' || *name > '9')
		return NULL;
	for (; *name >= '0' && *name <= '9' && n < PROCFS_PID_MAX; name++)
		n = n * 10 + (*name - '0');
	if (*name != '\0' && *name != '/')
		return NULL;
	*pid = n;
	return *name == '/' ? name + 1 : name;
}

/* Run gen into a buffer of cap bytes and make the file of what it wrote. */
static int
procfs_make(const struct procfs_file *pf, struct proc_info *pi, struct file **fp)
{
	struct textbuf tb = { NULL, 0, pf->cap };

	tb.buf = kmem_alloc(tb.cap, 0);
	if (tb.buf == NULL)
		return -ENOMEM;
	pf->gen(&tb, pi);
	/* Keep only what was written: the file frees textlen + 1 bytes. */
	char *text = kmem_alloc(tb.len + 1, 0);
	if (text != NULL) {
		memcpy(text, tb.buf, tb.len);
		text[tb.len] = '\0';
	}
	kmem_free(tb.buf, tb.cap);
	if (text == NULL)
		return -ENOMEM;
	*fp = pf->dir ? file_from_dirtext(text, tb.len) : file_from_text(text, tb.len);
	return *fp != NULL ? 0 : -ENOMEM;
}

/*
 * /proc/self/fd/N: the file descriptor N is open on, shared (Linux opens
 * the file anew; here the offset is shared with N).  Only the caller's
 * own descriptors.
 */
static int
procfs_open_fd(int pid, const char *num, struct file **fp)
{
	struct file *f;
	int fd = 0;

	if (pid != 0 && pid != curproc->pid)
		return -ENOENT;
	if (*num < '0' || *num > '9')
		return -ENOENT;
	for (; *num >= '0' && *num <= '9' && fd < NOFILE; num++)
		fd = fd * 10 + (*num - '0');
	if (*num != '\0' || (f = fd_get(&curproc->fds, fd)) == NULL)
		return -ENOENT;
	file_hold(f);
	*fp = f;
	return 0;
}

int
procfs_open(const char *name, struct file **fp)
{
	const struct procfs_file *pf;
	struct proc_info pi;
	const char *rest;
	int pid, error;

	rest = procfs_pid(name, &pid);
	if (rest == NULL) {
		pf = procfs_find(top_files, ARRAY_SIZE(top_files), name);
		return pf != NULL ? procfs_make(pf, NULL, fp) : -ENOENT;
	}
	if (strncmp(rest, "fd/", 3) == 0)
		return procfs_open_fd(pid, rest + 3, fp);
	pf = procfs_find(pid_files, ARRAY_SIZE(pid_files), rest);
	if (pf == NULL)
		return -ENOENT;
	error = proc_info_get(pid, &pi);
	if (error != 0)
		return -ENOENT;
	error = procfs_make(pf, &pi, fp);
	proc_info_put(&pi);
	return error;
}
