/*
 * kern/fs/procfs.c - /proc: processes, memory and kernel settings as text.
 *
 * Each file is generated whole when it is opened (a snapshot) into a
 * kernel buffer, in Linux's format, so the same parsers - busybox's ps,
 * top, free and uptime, a student's cat - work on both kernels.
 *
 * /proc/PID/maps has one line per map entry; a file's mapping names the
 * file's device (its mount's mnt_dev as major:minor), inode and path:
 *
 *   00400000-00401000 r--p 00000000 00:01 56        /usr/bin/busybox
 *   7f..5000-7f..d000 r-xp 00028000 00:01 1203      /usr/lib/x86_64-linux-gnu/libc.so.6
 *   005ec000-005ed000 rw-p 00000000 00:00 0         [heap]
 *   7ffffff00000-7ffffffff000 rw-p 00000000 00:00 0 [stack]
 *
 * The way back from a mapping to a name: entry->object is the file's
 * v_obj; vcache_find_obj gives the vnode; the name cache (cache_revlookup)
 * the name it was last looked up by (exec, ld.so's open) and its
 * directory, whose path vn_path finds by walking "..".  Like Linux, the
 * path is the file's own, through no symlink: /lib is usr/lib, so libc is
 * /usr/lib/x86_64-linux-gnu/libc.so.6.  A file whose name has left the
 * cache shows no path.  "p" is a private (copy-on-write) entry, "s" a
 * shared one; the permissions are what the program asked for (a
 * write-only mapping is -w-p, though the page tables must allow reading).
 *
 * The walk copies up to MAPS_CHUNK entries under the map lock, takes a
 * reference on each file's vnode, drops the lock and only then looks for
 * names (vn_path reads directories and sleeps), as Linux's seq_file
 * resumes at the address where the last chunk ended.
 *
 * /proc/PID/smaps adds, under each line, what the entry's pages cost
 * (uvm_usage.h says how each is counted):
 *
 *   Rss        resident pages: anons', and the object's pages this
 *              process's page table maps
 *   Pss        Rss with each page divided by its sharers: an anon's, the
 *              amaps sharing it; a file page's, its mappings (PV entries)
 *              - two processes running one dynamic program each get half
 *              of libc's text (tests/kern/fs/procfs_test.c proves it)
 *   Shared_/Private_Clean/Dirty, Referenced, Anonymous, Swap, SwapPss,
 *   Locked     as Linux defines them
 *
 * /proc/PID/uvm is the VM's structures themselves, for tools/draw/: the
 * entries, amaps, anons, pages with their mappings, objects and recent
 * faults (uvm/uvm_snapshot.c has the format).
 *
 * smaps_rollup is their sum over the map.  /proc/PID/stat (52 fields),
 * statm and status sum the map too (VmSize, VmRSS, VmSwap, VmLck); cmdline
 * is argv as it is now in the process's memory ([arg_start, arg_end),
 * which exec records); comm its name; wchan what it sleeps on; status
 * ends, as Linux's, with the thread's voluntary_ctxt_switches (it slept
 * or yielded) and nonvoluntary_ctxt_switches (it was preempted).  Of no
 * process: meminfo (every page counted by owner, uvm_usage_meminfo; the
 * figures sysinfo(2) gives too), stat (CPU ticks, boot time, process
 * counts), uptime, loadavg (proc.c keeps the means), cmdline, mounts.
 * Two have no Linux counterpart: uvmexp (fault, shootdown and spin-lock
 * counters) and PID/uvmlocks (sleeps on PID's map and amap locks), which
 * make bench reads to say what limits its several-CPU metrics.
 *
 * Threads (kern/proc/lwp.h): /proc/PID/task lists the ids of PID's live
 * threads, and /proc/PID/task/TID/ has the files of /proc/PID/ but task/,
 * as the thread sees them - where Linux keeps a value per thread, the
 * thread's own (proc_lwp_info_get):
 *
 *   /proc/7/task/9/status         /proc/7/status (the first thread, 7)
 *   Pid:    9                     Pid:    7
 *   Tgid:   7                     Tgid:   7
 *   State:  S (sleeping)  <- its  State:  R (running)
 *   SigPnd: ...0200  tgkill(7,9)  SigPnd: ...0000   thread 7's own
 *   ShdPnd: ...0800  kill(7)      ShdPnd: ...0800   the process's
 *   SigBlk: ...0200  its mask     SigBlk: ...0000   thread 7's
 *
 * stat's first field is the tid too, and its utime the thread's ticks
 * (the process's sum in /proc/PID/stat).  /proc does not list thread
 * ids, but /proc/9 opens, as on Linux: the process seen through thread
 * 9.  busybox's ps -T and top -H read task/ for their line per thread.
 *
 * Directories (/proc, /proc/PID, /proc/PID/fd, /proc/sys ...) are
 * generated the same way, one name a line (file_from_dirtext);
 * /proc/self/fd/N opens what descriptor N is open on.  PID is a number
 * or "self".
 *
 * Locks: proc_info_get takes proc_lock alone and leaves a reference on
 * the vmspace; then the map lock (and under it amap, object, vcache
 * locks, as uvm_usage and vcache_find_obj take them); names and vrele
 * with no lock held.
 */
#include "kern/fs/procfs.h"
#include "kern/core/cmdline.h"
#include "kern/proc/exec.h"
#include "kern/fs/file.h"
#include "kern/lib/errno.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"
#include "kern/arch/mb2.h"
#include "kern/proc/cap.h"
#include "kern/proc/proc.h"
#include "kern/vfs/vfs.h"
#include "kern/fs/tty.h"
#include "kern/core/clock.h"
#include "kern/core/sched.h"
#include "uvm/uvm_io.h"
#include "kern/vfs/vfs_vnops.h"
#include "uvm/uvm_aobj.h"
#include "uvm/uvm_amap.h"
#include "pmap/pmap.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_snapshot.h"
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

/* ---- /proc/PID/maps, smaps and smaps_rollup ---- */

/*
 * An entry as maps prints it, copied under the map lock; the file's name
 * is found after the lock is dropped (vn_path reads directories and may
 * sleep), through vp, which holds a reference meanwhile.
 */
struct maps_rec {
	vaddr_t start, end;
	voff_t offset;
	vm_prot_t prot;
	bool cow;
	bool shared_anon;               /* an aobj no file names: /dev/zero */
	const char *label;              /* [heap], [stack] or "" */
	struct vnode *vp;               /* the file mapped, referenced, or NULL */
	struct uvm_usage u;             /* smaps only */
	vm_prot_t maxprot;              /* smaps' VmFlags: */
	int inherit, thp;               /* ... the entry's as they were */
	bool wired, thp_eligible;
};

#define MAPS_CHUNK 32                   /* entries copied per hold of the lock */
#define MAPS_PATHCOL 73                 /* Linux pads the name to this column */

/* The part of a maps walk that stays between chunks. */
struct maps_walk {
	struct textbuf *tb;
	struct proc_info *pi;
	bool smaps;
	struct maps_rec *recs;
	struct vnode *path_vp;          /* whose path is in path (not referenced:
	                                   only compared) */
	char path[VFS_PATH_MAX];
	struct uvm_usage total;         /* smaps_rollup: the sum, */
	vaddr_t first, last;            /* ... from the first entry to the last */
};

/* Copy e into r (and its usage for smaps).  => map locked. */
static void
maps_copy(struct maps_walk *w, struct vm_map *map, const struct vm_map_entry *e,
    struct maps_rec *r, const struct maps_rec *prev)
{
	memset(r, 0, sizeof(*r));
	r->start = e->start;
	r->end = e->end;
	r->offset = e->object != NULL ? e->offset : 0;
	r->prot = e->protection;
	r->cow = (e->etype & UVM_ET_COPYONWRITE) != 0;
	r->label = "";
	if (e->start < w->pi->brk && e->end > w->pi->brk_start && e->object == NULL)
		r->label = "[heap]";
	else if (e->end == USER_STACK_TOP)
		r->label = "[stack]";
	if (e->object != NULL && prev != NULL && prev->vp != NULL &&
	    prev->vp->v_obj == e->object) {
		r->vp = prev->vp;       /* libc's four entries: one look-up */
		vref(r->vp);
	} else if (e->object != NULL) {
		r->vp = vcache_find_obj(e->object);
	}
	r->shared_anon = e->object != NULL && r->vp == NULL &&
	    e->object->pgops == &aobj_pager;
	r->maxprot = e->max_protection;
	r->inherit = e->inheritance;
	r->thp = e->thp;
	r->wired = e->wired_count > 0;
	r->thp_eligible = uvm_map_entry_thp_eligible(e);
	if (w->smaps)
		uvm_usage_entry(map, e, &r->u);
}

/* Linux's split of a dev_t into major and minor (new_decode_dev). */
static void
maps_dev(uint64_t dev, unsigned *major, unsigned *minor)
{
	*major = (unsigned)((dev >> 8) & 0xfff);
	*minor = (unsigned)((dev & 0xff) | ((dev >> 12) & 0xfff00));
}

/*
 * The path of vp into buf: the name cache's name of it (the one it was
 * last looked up by: opened, exec'd) after its directory's path
 * (vn_path).  A file whose name left the cache gets "".
 */
static void
maps_path(struct vnode *vp, char *buf, size_t size)
{
	char name[NCHNAMLEN + 1];
	struct vnode *dvp = cache_revlookup(vp, name, sizeof(name));
	int n;

	buf[0] = '\0';
	if (dvp == NULL)
		return;
	n = vn_path(dvp, buf, size);
	if (n >= 0)
		ksnprintf(buf + n, size - (size_t)n, "%s%s", n > 1 ? "/" : "", name);
	else
		buf[0] = '\0';
	vrele(dvp);
}

/* The name of r's mapping: its file's path (found once per vnode), a label. */
static const char *
maps_name(struct maps_walk *w, const struct maps_rec *r)
{
	if (r->vp == NULL)
		return r->shared_anon ? "/dev/zero (deleted)" : r->label;
	if (r->vp != w->path_vp) {
		w->path_vp = r->vp;
		maps_path(r->vp, w->path, sizeof(w->path));
	}
	return w->path;
}

/* One maps line, the name padded to MAPS_PATHCOL as Linux does. */
static void
maps_line(struct maps_walk *w, const struct maps_rec *r)
{
	unsigned major = 0, minor = 0;
	uint64_t ino = 0;
	const char *name = maps_name(w, r);
	size_t before = w->tb->len;

	if (r->vp != NULL) {
		maps_dev(r->vp->v_mount->mnt_dev, &major, &minor);
		ino = r->vp->v_ino;
	}
	tb_printf(w->tb, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu", r->start, r->end,
	    (r->prot & VM_PROT_READ) ? 'r' : '-',
	    (r->prot & VM_PROT_WRITE) ? 'w' : '-',
	    (r->prot & VM_PROT_EXECUTE) ? 'x' : '-',
	    r->cow ? 'p' : 's', (uint64_t)r->offset, major, minor, ino);
	if (name[0] != '\0') {
		size_t used = w->tb->len - before;
		tb_printf(w->tb, "%*s%s", (int)(used < MAPS_PATHCOL ?
		    MAPS_PATHCOL - used : 1), "", name);
	}
	tb_printf(w->tb, "\n");
}

static void
smaps_line(struct textbuf *tb, const char *key, uint64_t bytes)
{
	tb_printf(tb, "%s:%*s%8lu kB\n", key, (int)(15 - strlen(key)), "", bytes / 1024);
}

/* The page counts of an smaps block (rollup: with the Pss split). */
static void
smaps_counts(struct textbuf *tb, const struct uvm_usage *u, bool rollup)
{
	if (!rollup) {
		smaps_line(tb, "Size", u->size);
		smaps_line(tb, "KernelPageSize", PAGE_SIZE);
		smaps_line(tb, "MMUPageSize", PAGE_SIZE);
	}
	smaps_line(tb, "Rss", u->rss);
	smaps_line(tb, "Pss", u->pss);
	smaps_line(tb, "Pss_Dirty", u->pss_dirty);
	if (rollup) {
		smaps_line(tb, "Pss_Anon", u->pss_anon);
		smaps_line(tb, "Pss_File", u->pss_file);
		smaps_line(tb, "Pss_Shmem", u->pss_shmem);
	}
	smaps_line(tb, "Shared_Clean", u->shared_clean);
	smaps_line(tb, "Shared_Dirty", u->shared_dirty);
	smaps_line(tb, "Private_Clean", u->private_clean);
	smaps_line(tb, "Private_Dirty", u->private_dirty);
	smaps_line(tb, "Referenced", u->referenced);
	smaps_line(tb, "Anonymous", u->anon);
	smaps_line(tb, "LazyFree", 0);
	smaps_line(tb, "AnonHugePages", u->anon_huge);
	smaps_line(tb, "ShmemPmdMapped", 0);
	smaps_line(tb, "FilePmdMapped", 0);
	smaps_line(tb, "Shared_Hugetlb", 0);
	smaps_line(tb, "Private_Hugetlb", 0);
	smaps_line(tb, "Swap", u->swap);
	smaps_line(tb, "SwapPss", u->swap_pss);
	smaps_line(tb, "Locked", u->locked);
}

/*
 * The VmFlags line of r, Linux's two-letter names for what an entry
 * here can be, in Linux's order: rd wr ex (the protection), sh (shared),
 * mr mw me (the maximum), ms (may share), gd (the stack grows down), lo
 * (locked: wired), dc (MADV_DONTFORK: inherit none), wf (wipe on fork:
 * inherit zero), hg and nh (MADV_HUGEPAGE, MADV_NOHUGEPAGE).
 */
static void
smaps_vmflags(struct textbuf *tb, const struct maps_rec *r)
{
	const struct { bool on; const char *name; } f[] = {
		{ r->prot & VM_PROT_READ, "rd" }, { r->prot & VM_PROT_WRITE, "wr" },
		{ r->prot & VM_PROT_EXECUTE, "ex" }, { !r->cow, "sh" },
		{ r->maxprot & VM_PROT_READ, "mr" }, { r->maxprot & VM_PROT_WRITE, "mw" },
		{ r->maxprot & VM_PROT_EXECUTE, "me" }, { !r->cow, "ms" },
		{ strcmp(r->label, "[stack]") == 0, "gd" }, { r->wired, "lo" },
		{ r->inherit == MAP_INHERIT_NONE, "dc" },
		{ r->inherit == MAP_INHERIT_ZERO, "wf" },
		{ r->thp == UVM_THP_HUGE, "hg" }, { r->thp == UVM_THP_NEVER, "nh" },
	};

	tb_printf(tb, "VmFlags:");
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		if (f[i].on)
			tb_printf(tb, " %s", f[i].name);
	tb_printf(tb, "\n");
}

/* Sum b into a (smaps_rollup). */
static void
usage_add(struct uvm_usage *a, const struct uvm_usage *b)
{
	const uint64_t *src = (const uint64_t *)b;
	uint64_t *dst = (uint64_t *)a;

	for (size_t i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

/* Print one record (maps, smaps, or only sum it: rollup). */
static void
maps_emit(struct maps_walk *w, struct maps_rec *r, int mode)
{
	if (mode == 2) {
		usage_add(&w->total, &r->u);
		w->first = w->last == 0 ? r->start : w->first;
		w->last = r->end;
	} else {
		maps_line(w, r);
		if (mode == 1) {
			smaps_counts(w->tb, &r->u, false);
			tb_printf(w->tb, "THPeligible:    %d\n", r->thp_eligible);
			smaps_vmflags(w->tb, r);
		}
	}
	if (r->vp != NULL)
		vrele(r->vp);
}

/*
 * Up to MAPS_CHUNK entries ending above *va into w->recs; *va moves past
 * the last.  => map unlocked (locked here); returns how many.
 */
static int
maps_gather(struct maps_walk *w, struct vm_map *map, vaddr_t *va)
{
	struct vm_map_entry *e;
	int n = 0;

	vm_map_lock(map);
	if (!uvm_map_lookup_entry(map, *va, &e))
		e = e->next;            /* the first entry above *va */
	for (; e != &map->header && n < MAPS_CHUNK; e = e->next, n++)
		maps_copy(w, map, e, &w->recs[n], n > 0 ? &w->recs[n - 1] : NULL);
	vm_map_unlock(map);
	if (n > 0)
		*va = w->recs[n - 1].end;
	return n;
}

/*
 * Walk pi's map in chunks, as Linux's seq_file does: each chunk copied
 * under the map lock, printed without it.  mode 0 maps, 1 smaps, 2
 * smaps_rollup (the sum, printed at the end).
 */
static void
maps_walk(struct textbuf *tb, struct proc_info *pi, int mode)
{
	struct maps_walk *w = kmem_zalloc(sizeof(*w));
	vaddr_t va = 0;
	int n;

	if (w == NULL || pi->vmspace == NULL)   /* a zombie: no memory left */
		goto out;
	w->recs = kmem_zalloc(MAPS_CHUNK * sizeof(*w->recs));
	if (w->recs == NULL)
		goto out;
	w->tb = tb;
	w->pi = pi;
	w->smaps = mode != 0;
	do {
		n = maps_gather(w, &pi->vmspace->vm_map, &va);
		for (int i = 0; i < n; i++)
			maps_emit(w, &w->recs[i], mode);
	} while (n == MAPS_CHUNK);
	if (mode == 2) {
		size_t before = tb->len;
		tb_printf(tb, "%08lx-%08lx ---p 00000000 00:00 0", w->first, w->last);
		tb_printf(tb, "%*s[rollup]\n", (int)(MAPS_PATHCOL - (tb->len - before)), "");
		smaps_counts(tb, &w->total, true);
	}
out:
	if (w != NULL && w->recs != NULL)
		kmem_free(w->recs, MAPS_CHUNK * sizeof(*w->recs));
	if (w != NULL)
		kmem_free(w, sizeof(*w));
}

static void
gen_maps(struct textbuf *tb, struct proc_info *pi)
{
	maps_walk(tb, pi, 0);
}

static void
gen_smaps(struct textbuf *tb, struct proc_info *pi)
{
	maps_walk(tb, pi, 1);
}

static void
gen_smaps_rollup(struct textbuf *tb, struct proc_info *pi)
{
	maps_walk(tb, pi, 2);
}

/* ---- /proc/PID/stat, statm, status, cmdline, comm, wchan ---- */

static void
usage_of(struct proc_info *pi, struct uvm_usage *u)
{
	memset(u, 0, sizeof(*u));
	if (pi->vmspace != NULL)
		uvm_usage_map(&pi->vmspace->vm_map, u);
}

/* The controlling terminal of pi's session (the console's dev, or 0) and
 * its foreground group (-1 without one). */
static void
stat_tty(const struct proc_info *pi, uint64_t *tty_nr, int *tpgid)
{
	int sid, pgrp;

	tty_session_get(&sid, &pgrp);
	*tty_nr = sid != 0 && sid == pi->sid ? TTY_CONSOLE_DEV : 0;
	*tpgid = *tty_nr != 0 ? pgrp : -1;
}

/*
 * One line, the 52 fields of proc(5) in order.  Times are clock ticks
 * (HZ is Linux's USER_HZ, 100): utime is every tick that found the
 * process running, its system calls included (the kernel does not split
 * user from system time, so stime is 0); starttime is when it was made.
 * What is not kept here is 0: fault counts, children's times, the code
 * and stack addresses, the environment's place.
 */
static void
gen_stat(struct textbuf *tb, struct proc_info *pi)
{
	struct uvm_usage u;
	uint64_t tty_nr;
	int tpgid;

	usage_of(pi, &u);
	stat_tty(pi, &tty_nr, &tpgid);
	tb_printf(tb, "%d (%s) %c %d %d %d %lu %d 0 0 0 0 0 %lu 0 0 0 20 0 %d 0 %lu ",
	    pi->tid, pi->name, pi->state, pi->ppid, pi->pgid, pi->sid,
	    tty_nr, tpgid, pi->run_ticks * 100 / HZ, pi->nthreads,
	    pi->start_ticks * 100 / HZ);
	tb_printf(tb, "%lu %lu %lu 0 0 0 0 0 %lu %lu %lu %lu 0 0 0 17 0 0 0 0 0 0 0 0 ",
	    u.size, u.rss / PAGE_SIZE, (uint64_t)-1,
	    pi->sigpending, pi->sigblocked, pi->sigignored, pi->sigcaught);
	tb_printf(tb, "%lu %lu %lu 0 0 0\n", (uint64_t)pi->brk_start,
	    (uint64_t)pi->arg_start, (uint64_t)pi->arg_end);
}

/* Pages: size resident shared text lib data dt (the last four 0 here but
 * data: what is not a file's). */
static void
gen_statm(struct textbuf *tb, struct proc_info *pi)
{
	struct uvm_usage u;

	usage_of(pi, &u);
	tb_printf(tb, "%lu %lu %lu 0 0 %lu 0\n", u.size / PAGE_SIZE, u.rss / PAGE_SIZE,
	    (u.rss - u.anon) / PAGE_SIZE, u.anon / PAGE_SIZE);
}

static const char *
state_name(char state)
{
	return state == 'R' ? "R (running)" : state == 'Z' ? "Z (zombie)" :
	    state == 'T' ? "T (stopped)" : state == 'D' ? "D (disk sleep)" :
	    "S (sleeping)";
}

/* status's capability lines (kern/proc/cap.h): the bounding set is all of
 * them and the ambient set empty here, as for root on Linux. */
static void
status_caps(struct textbuf *tb, int pid)
{
	struct cap_sets c;

	if (proc_caps_get(pid, &c) != 0)
		return;     /* gone since the snapshot */
	tb_printf(tb, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\n"
	    "CapBnd:\t%016lx\nCapAmb:\t%016lx\nNoNewPrivs:\t0\n",
	    c.inheritable, c.permitted, c.effective, (uint64_t)CAP_ALL, 0UL);
}

static void
gen_status(struct textbuf *tb, struct proc_info *pi)
{
	struct uvm_usage u;
	uint64_t kb = 1024;

	usage_of(pi, &u);
	tb_printf(tb, "Name:\t%s\nUmask:\t0022\nState:\t%s\nTgid:\t%d\nNgid:\t0\n"
	    "Pid:\t%d\nPPid:\t%d\nTracerPid:\t0\nUid:\t0\t0\t0\t0\n"
	    "Gid:\t0\t0\t0\t0\nFDSize:\t%d\nGroups:\t\n",
	    pi->name, state_name(pi->state), pi->pid, pi->tid, pi->ppid, NOFILE);
	if (pi->vmspace != NULL)
		tb_printf(tb, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\n"
		    "VmPin:\t%8lu kB\nVmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n"
		    "RssAnon:\t%8lu kB\nRssFile:\t%8lu kB\nRssShmem:\t%8lu kB\n"
		    "VmSwap:\t%8lu kB\n",
		    u.size / kb, u.size / kb, u.locked_size / kb, 0UL, u.rss / kb,
		    u.rss / kb, u.anon / kb, (u.rss - u.anon - u.shmem) / kb,
		    u.shmem / kb, u.swap / kb);
	tb_printf(tb, "Threads:\t%d\nSigQ:\t0/0\nSigPnd:\t%016lx\nShdPnd:\t%016lx\n"
	    "SigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
	    pi->nthreads, pi->sigpending, pi->shdpending, pi->sigblocked,
	    pi->sigignored, pi->sigcaught);
	status_caps(tb, pi->pid);
	tb_printf(tb, "voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n",
	    pi->nvcsw, pi->nivcsw);
}

/*
 * The argv strings, NUL-separated, as they are now in the process's
 * memory (Linux reads them from there too, so a program that rewrites
 * its argv shows the new text).  A zombie's is empty.
 */
static void
gen_cmdline_pid(struct textbuf *tb, struct proc_info *pi)
{
	size_t len = pi->arg_end - pi->arg_start;

	if (pi->vmspace == NULL || pi->arg_end <= pi->arg_start)
		return;
	len = MIN(len, tb->cap - 1 - tb->len);
	if (uvm_io_read(&pi->vmspace->vm_map, pi->arg_start, tb->buf + tb->len, len) == 0)
		tb->len += len;
}

static void
gen_comm(struct textbuf *tb, struct proc_info *pi)
{
	tb_printf(tb, "%s\n", pi->name);
}

/* What it sleeps on (a wait message here, a function name on Linux), or 0. */
static void
gen_wchan(struct textbuf *tb, struct proc_info *pi)
{
	tb_printf(tb, "%s", pi->wchan[0] != '\0' ? pi->wchan : "0");
}

/* ---- directories ---- */

static void
gen_fd_dir(struct textbuf *tb, struct proc_info *pi)
{
	for (int fd = 0; fd < NOFILE; fd++)
		if (fd_bit(pi->fdmask, fd))
			tb_printf(tb, "%d\n", fd);
}

static void
gen_pid_dir(struct textbuf *tb, struct proc_info *pi)
{
	(void)pi;
	tb_printf(tb, "fd/\nmaps\nsmaps\nsmaps_rollup\nstat\nstatus\nstatm\n"
	    "cmdline\ncomm\nwchan\nmounts\nuvmlocks\ntask/\n");
}

/* The live threads of the process, by id (/proc/PID/task). */
static void
gen_task_dir(struct textbuf *tb, struct proc_info *pi)
{
	int tids[PROCFS_MAXPIDS], n = proc_lwp_tids(pi->pid, tids, PROCFS_MAXPIDS);

	for (int i = 0; i < n; i++)
		tb_printf(tb, "%d/\n", tids[i]);
}

static void
gen_root_dir(struct textbuf *tb, struct proc_info *pi)
{
	int pids[PROCFS_MAXPIDS], n = proc_pids(pids, PROCFS_MAXPIDS);

	(void)pi;
	tb_printf(tb, "self/\nsys/\ncmdline\nmeminfo\nstat\nuptime\nloadavg\nmounts\n"
	    "uvmexp\n");
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

/*
 * Every process's bytes mapped by 2 MiB PDEs (AnonHugePages), counted
 * from their page tables as smaps counts one (uvm_usage_huge_map).
 */
static uint64_t
meminfo_anon_huge(void)
{
	int *pids = kmem_zalloc(PROCFS_MAXPIDS * sizeof(int));
	struct proc_info *pi = kmem_zalloc(sizeof(*pi));
	uint64_t bytes = 0;
	int n;

	if (pids == NULL || pi == NULL)
		goto out;
	n = proc_pids(pids, PROCFS_MAXPIDS);
	for (int i = 0; i < n; i++) {
		if (proc_info_get(pids[i], pi) != 0)
			continue;
		if (pi->vmspace != NULL)
			bytes += uvm_usage_huge_map(&pi->vmspace->vm_map);
		proc_info_put(pi);
	}
out:
	if (pi != NULL)
		kmem_free(pi, sizeof(*pi));
	if (pids != NULL)
		kmem_free(pids, PROCFS_MAXPIDS * sizeof(int));
	return bytes;
}

/*
 * Memory by what holds it (uvm_usage_meminfo counts every page by its
 * owner).  Cached is every object's pages - files, the initrd's, and
 * tmpfs/shared memory (Shmem, which Linux counts in Cached too);
 * MemAvailable is free plus the clean file pages the page daemon could
 * drop without I/O.  Buffers: the ext2 block cache holds only metadata
 * and is kernel memory here, 0.  sysinfo(2) gives the same figures.
 * AnonHugePages (not in sysinfo): the processes' 2 MiB mappings, found
 * in their page tables (meminfo_anon_huge).
 */
static void
gen_meminfo(struct textbuf *tb, struct proc_info *pi)
{
	static const char *const names[] = {
		"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached",
		"SwapCached", "Active", "Inactive", "Unevictable", "Mlocked",
		"SwapTotal", "SwapFree", "Dirty", "Writeback", "AnonPages",
		"Mapped", "Shmem", "KReclaimable", "Slab", "SReclaimable",
		"SUnreclaim", "PageTables", "AnonHugePages",
	};
	struct uvm_meminfo mi;
	uint64_t kb = PAGE_SIZE / 1024;

	(void)pi;
	uvm_usage_meminfo(&mi);
	const uint64_t v[] = {
		mi.total, mi.free, mi.available, 0, mi.cached, 0, mi.active,
		mi.inactive, mi.wired, mi.wired, mi.swap_total, mi.swap_free,
		mi.dirty, 0, mi.anon, mi.mapped, mi.shmem, 0, 0, 0, 0,
		pmap_counters.ptpages, meminfo_anon_huge() / PAGE_SIZE,
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		tb_printf(tb, "%s:%*s%8lu kB\n", names[i], (int)(15 - strlen(names[i])),
		    "", v[i] * kb);
}

/* The wall clock at boot: sys_time.c's EPOCH_AT_BOOT (no battery clock). */
#define PROCFS_BTIME 1767225600ULL

/*
 * The CPU lines in ticks, one per CPU that runs threads and their sum:
 * user is every tick that found a process running (its system calls
 * too), system a kernel thread's (page daemon, tests), idle the idle
 * thread's.  Each CPU counts its own ticks (kern/core/sched.c).
 */
static void
stat_cpu_line(struct textbuf *tb, const char *name, uint64_t user,
    uint64_t sys, uint64_t idle)
{
	tb_printf(tb, "%s %lu 0 %lu %lu 0 0 0 0 0 0\n", name, user, sys, idle);
}

static void
gen_stat_cpus(struct textbuf *tb)
{
	uint64_t u[MAXCPUS], sy[MAXCPUS], id[MAXCPUS], tu = 0, ts = 0, ti = 0;
	char name[8];
	int n = 0;

	for (int i = 0; i < MAXCPUS; i++) {
		const struct cpu_info *ci = &cpu_infos[i];
		if (!ci->ci_sched_on)
			continue;
		u[n] = ci->ci_proc_ticks;
		id[n] = ci->ci_idle->rticks;
		sy[n] = ci->ci_ticks > u[n] + id[n] ? ci->ci_ticks - u[n] - id[n] : 0;
		tu += u[n];
		ts += sy[n];
		ti += id[n];
		n++;
	}
	stat_cpu_line(tb, "cpu ", tu, ts, ti);
	for (int i = 0; i < n; i++) {
		ksnprintf(name, sizeof(name), "cpu%d", i);
		stat_cpu_line(tb, name, u[i], sy[i], id[i]);
	}
}

static void
gen_stat_top(struct textbuf *tb, struct proc_info *pi)
{
	int pids[PROCFS_MAXPIDS], n = proc_pids(pids, PROCFS_MAXPIDS), run = 0, blk = 0;
	struct proc_info p;

	(void)pi;
	for (int i = 0; i < n; i++) {
		if (proc_info_get(pids[i], &p) != 0)
			continue;
		run += p.state == 'R';
		blk += p.state == 'D';
		proc_info_put(&p);
	}
	gen_stat_cpus(tb);
	tb_printf(tb, "intr 0\nctxt 0\nbtime %lu\nprocesses %lu\n"
	    "procs_running %d\nprocs_blocked %d\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
	    PROCFS_BTIME, proc_started(), run, blk);
}

/* Seconds since boot, and the idle thread's share of them. */
static void
gen_uptime(struct textbuf *tb, struct proc_info *pi)
{
	uint64_t cs = clock_ns() / 10000000, idle = sched_idle_ticks() * 100 / HZ;

	(void)pi;
	tb_printf(tb, "%lu.%02lu %lu.%02lu\n", cs / 100, cs % 100, idle / 100, idle % 100);
}

/* A fixed-point load (proc.h) as Linux prints it: two decimals. */
static void
load_print(struct textbuf *tb, uint64_t load)
{
	load += LOAD_FIXED_1 / 200;             /* round to 0.01 */
	tb_printf(tb, "%lu.%02lu ", load >> LOAD_FSHIFT,
	    ((load & (LOAD_FIXED_1 - 1)) * 100) >> LOAD_FSHIFT);
}

/* The three load averages, running/all processes, the last pid made. */
static void
gen_loadavg(struct textbuf *tb, struct proc_info *pi)
{
	int pids[PROCFS_MAXPIDS], n = proc_pids(pids, PROCFS_MAXPIDS), run = 0;
	struct proc_info p;

	(void)pi;
	for (int i = 0; i < 3; i++)
		load_print(tb, proc_loadavg[i]);
	for (int i = 0; i < n; i++) {
		if (proc_info_get(pids[i], &p) == 0) {
			run += p.state == 'R';
			proc_info_put(&p);
		}
	}
	tb_printf(tb, "%d/%d %lu\n", run, n, proc_started());
}

static void
gen_cmdline(struct textbuf *tb, struct proc_info *pi)
{
	(void)pi;
	tb_printf(tb, "%s\n", boot_info.cmdline);
}

/* The mount table (kern/vfs/vfs_mount.c), as mount(8) would list it. */
static void
gen_mounts(struct textbuf *tb, struct proc_info *pi)
{
	size_t len;
	char *text;

	(void)pi;
	if (vfs_mounts_text(&text, &len) != 0)
		return;
	tb_printf(tb, "%s", text);
	kmem_free(text, len + 1);
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

/* /proc/PID/uvm: the VM's structures for drawing (uvm/uvm_snapshot.c). */
static void
gen_uvm(struct textbuf *tb, struct proc_info *pi)
{
	if (pi->vmspace != NULL)
		tb->len += uvm_snapshot(pi->vmspace, pi->pid, tb->buf + tb->len,
		    tb->cap - tb->len);
}

/* ---- uvmexp and PID/uvmlocks: uvmkern's own counters ---- */

/* One "name value" line of /proc/uvmexp (uvmexp_foreach's callback). */
static void
uvmexp_row(const char *name, uint64_t v, void *arg)
{
	tb_printf(arg, "%s %lu\n", name, v);
}

/*
 * /proc/uvmexp: the fault handler's, the page daemon's and the pmap's
 * counters (free, zeropages, ptpages, pv_entries and pv_pooled are
 * levels, the rest counts of events), then per CPU what waiting cost it
 * - pause loops on held spin locks, the cross-call interrupts it took,
 * the shootdowns it carried out, the reschedule IPIs - and, per spin
 * lock name, the times a CPU found it held and the pause loops spent on
 * it (spin_classes), as "name value" lines, like Linux's /proc/vmstat
 * (no Linux program reads this one). make bench reads it before and
 * after its several-CPU metrics to count what dominates them.
 */
static void
gen_uvmexp(struct textbuf *tb, struct proc_info *pi)
{
	(void)pi;
	uvmexp_foreach(uvmexp_row, tb);
	for (int i = 0; i < MAXCPUS; i++) {
		const struct cpu_info *ci = &cpu_infos[i];
		if (!ci->ci_online && i != 0)
			continue;
		tb_printf(tb, "cpu%d_spins %lu\ncpu%d_ipis %lu\ncpu%d_calls %lu\n"
		    "cpu%d_tlbshoot %lu\ncpu%d_resched %lu\n", i, ci->ci_spins, i,
		    ci->ci_nipis, i, ci->ci_ncalls, i, ci->ci_ntlbshoot, i, ci->ci_nresched);
	}
	for (int i = 0; i < SPIN_CLASSES && spin_classes[i].name != NULL; i++) {
		char name[32];
		ksnprintf(name, sizeof(name), "%s", spin_classes[i].name);
		for (char *c = name; *c != '\0'; c++)
			*c = *c == ' ' ? '_' : *c;      /* "futex bucket": one word */
		tb_printf(tb, "spinwait_%s %lu\nspinloop_%s %lu\n", name,
		    spin_classes[i].waits, name, spin_classes[i].spins);
	}
}

/*
 * /proc/PID/uvmlocks: how often a thread slept on PID's map lock (a fault
 * behind a writer, a map change behind faults) and on the locks of its
 * entries' amaps (each distinct lock once, as met in address order).
 */
static void
gen_uvmlocks(struct textbuf *tb, struct proc_info *pi)
{
	const struct kmutex *last = NULL;
	struct vm_map *map;
	uint64_t amap_sleeps = 0;

	if (pi->vmspace == NULL)
		return;
	map = &pi->vmspace->vm_map;
	vm_map_lock_read(map);
	for (struct vm_map_entry *e = map->header.next; e != &map->header; e = e->next) {
		struct vm_amap *am = e->aref.ar_amap;
		if (am != NULL && am->am_lock != last) {
			amap_sleeps += am->am_lock->sleeps;
			last = am->am_lock;
		}
	}
	tb_printf(tb, "map_lock_sleeps %u\namap_lock_sleeps %lu\n", map->lock.sleeps,
	    amap_sleeps);
	vm_map_unlock(map);
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
	{ "smaps_rollup", gen_smaps_rollup, false, PROCFS_SMALL },
	{ "stat", gen_stat, false, PROCFS_SMALL },
	{ "status", gen_status, false, PROCFS_SMALL },
	{ "statm", gen_statm, false, PROCFS_SMALL },
	{ "cmdline", gen_cmdline_pid, false, EXEC_ARG_MAX + 1 },
	{ "comm", gen_comm, false, PROCFS_SMALL },
	{ "wchan", gen_wchan, false, PROCFS_SMALL },
	{ "mounts", gen_mounts, false, PROCFS_SMALL },
	{ "uvm", gen_uvm, false, PROCFS_MAX },
	{ "uvmlocks", gen_uvmlocks, false, PROCFS_SMALL },
	{ "task", gen_task_dir, true, PROCFS_SMALL },   /* last: PROCFS_K_TASK; not in task/TID/ */
};

/* Files of no process: /proc/name. */
static const struct procfs_file top_files[] = {
	{ "", gen_root_dir, true, PROCFS_SMALL * 4 },
	{ "meminfo", gen_meminfo, false, PROCFS_SMALL },
	{ "stat", gen_stat_top, false, PROCFS_SMALL },
	{ "uptime", gen_uptime, false, PROCFS_SMALL },
	{ "loadavg", gen_loadavg, false, PROCFS_SMALL },
	{ "cmdline", gen_cmdline, false, PROCFS_SMALL },
	{ "mounts", gen_mounts, false, PROCFS_SMALL },
	{ "uvmexp", gen_uvmexp, false, PROCFS_SMALL * 4 },  /* a row per CPU and lock */
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
	if (*num != '\0' || (f = fd_get(curproc->fds, fd)) == NULL)
		return -ENOENT;
	*fp = f;                        /* fd_get's reference */
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
	error = proc_lwp_info_get(pid, 0, &pi);
	if (error != 0)
		return -ENOENT;
	error = procfs_make(pf, &pi, fp);
	proc_info_put(&pi);
	return error;
}

/*
 * ---- /proc as a vnode file system ("proc") ----
 *
 * Every name above gets a vnode, numbered so the number says what it is
 * (no v_data needed):
 *
 *   ino 1 + i             top_files[i]: 1 is /proc, 2 meminfo, ... sys/vm
 *   PROCFS_SELFINO        /proc/self, a symlink to the caller's pid
 *   pid << 16 | 0         /proc/PID               (a directory)
 *   pid << 16 | j         pid_files[j]: 1 is fd/, 2 maps, ... task/
 *   pid << 16 | EXE       /proc/PID/exe           (a symlink)
 *   pid << 16 | FD + n    /proc/PID/fd/n          (a magic link)
 *   tid << 40 | pid << 16 | ...   the same under /proc/PID/task/TID
 *
 * A thread's directory has what the process's has but task/; its files
 * show the thread's own values where Linux keeps them per thread
 * (proc_lwp_info_get): /proc/7/task/9/status says Pid: 9, Tgid: 7, and
 * thread 9's State, SigBlk and SigPnd.  PID may also be the id of any
 * live thread: /proc/9 is not listed in /proc but opens, as on Linux, as
 * the process seen through thread 9 (tid field 0: the process's view).
 *
 * Opening a file generates its text (procfs_make above): vop_open makes
 * the file, so the vnode never has pages.  Directories open as plain
 * vnode files and list through vop_readdir.  The mount is MNT_NOCACHE:
 * processes and descriptors come and go, so each lookup asks again.
 * /proc/PID/fd/N is VV_MAGICLINK: readlink names the file, open shares it.
 */
#define PROCFS_MAGIC 0x9fa0             /* Linux's PROC_SUPER_MAGIC */
#define PROCFS_ROOTINO 1
#define PROCFS_SELFINO 0xff00
#define PROCFS_K_EXE 0x800
#define PROCFS_K_FD 0x1000
#define PROCFS_K_TASK (ARRAY_SIZE(pid_files) - 1)
#define PROCFS_PID(ino) ((int)(((ino) >> 16) & 0xffffff))
#define PROCFS_TID(ino) ((int)((ino) >> 40))
#define PROCFS_INO(pid, tid) ((uint64_t)(tid) << 40 | (uint64_t)(pid) << 16)
#define PROCFS_K(ino) ((uint32_t)((ino) & 0xffff))

static const struct vnodeops procfs_vnodeops;

/*
 * Does the process (and thread) of ino exist?  With pi: its snapshot
 * (proc_info_put it).
 */
static bool
procfs_alive(uint64_t ino, struct proc_info *pi)
{
	struct proc_info tmp;

	if (PROCFS_PID(ino) <= 0 ||
	    proc_lwp_info_get(PROCFS_PID(ino), PROCFS_TID(ino),
	    pi != NULL ? pi : &tmp) != 0)
		return false;
	if (pi == NULL)
		proc_info_put(&tmp);
	return true;
}

static enum vtype
procfs_ino_type(uint64_t ino)
{
	uint32_t k = PROCFS_K(ino);

	if (ino == PROCFS_SELFINO)
		return VLNK;
	if (PROCFS_PID(ino) == 0)
		return top_files[ino - 1].dir ? VDIR : VREG;
	if (k < ARRAY_SIZE(pid_files))
		return pid_files[k].dir ? VDIR : VREG;
	return VLNK;                    /* exe, fd/N */
}

static bool
procfs_ino_valid(uint64_t ino)
{
	uint32_t k = PROCFS_K(ino);

	if (PROCFS_PID(ino) == 0)
		return ino == PROCFS_SELFINO ||
		    (ino >= 1 && ino <= ARRAY_SIZE(top_files));
	if (PROCFS_TID(ino) != 0 && k == PROCFS_K_TASK)
		return false;           /* no task/ in a thread's directory */
	return k < ARRAY_SIZE(pid_files) || k == PROCFS_K_EXE ||
	    (k >= PROCFS_K_FD && k < PROCFS_K_FD + NOFILE);
}

static int
procfs_load(struct mount *mp, uint64_t ino, struct vnode *vp)
{
	(void)mp;
	if (!procfs_ino_valid(ino))
		return -ENOENT;
	vp->v_type = procfs_ino_type(ino);
	vp->v_ops = &procfs_vnodeops;
	if (PROCFS_K(ino) >= PROCFS_K_FD && PROCFS_PID(ino) != 0)
		vp->v_vflags |= VV_MAGICLINK;
	return 0;
}

/* name[0..len) as a decimal number below max, or -1. */
static int
procfs_number(const char *name, size_t len, int max)
{
	int n = 0;

	if (len == 0 || len > 9 || (name[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		n = n * 10 + (name[i] - '0');
	}
	return n < max ? n : -1;
}

/* The top_files entry called dir + "/" + name (dir "" : name), or 0. */
static uint64_t
procfs_top_child(const char *dir, const char *name, size_t len)
{
	size_t dl = strlen(dir), off = dl > 0 ? dl + 1 : 0;

	for (size_t i = 1; i < ARRAY_SIZE(top_files); i++) {
		const char *n = top_files[i].name;
		if (strncmp(n, dir, dl) == 0 && (dl == 0 || n[dl] == '/') &&
		    strlen(n) == off + len && memcmp(n + off, name, len) == 0)
			return i + 1;
	}
	return 0;
}

/* The ino of the directory holding top-level entry ino. */
static uint64_t
procfs_top_parent(uint64_t ino)
{
	const char *n = top_files[ino - 1].name, *slash = NULL;

	for (const char *p = n; *p != '\0'; p++)
		if (*p == '/')
			slash = p;
	if (slash == NULL)
		return PROCFS_ROOTINO;
	for (size_t i = 0; i < ARRAY_SIZE(top_files); i++)
		if (strlen(top_files[i].name) == (size_t)(slash - n) &&
		    strncmp(top_files[i].name, n, (size_t)(slash - n)) == 0)
			return i + 1;
	return PROCFS_ROOTINO;
}

/* The entry name of directory ino: its ino, or 0 (no such entry). */
static uint64_t
procfs_child_ino(uint64_t dino, const char *name, size_t len)
{
	int pid = PROCFS_PID(dino), n;
	uint32_t k = PROCFS_K(dino);
	struct proc_info pi;

	if (pid == 0) {
		if (dino == PROCFS_ROOTINO && len == 4 && memcmp(name, "self", 4) == 0)
			return PROCFS_SELFINO;
		if (dino == PROCFS_ROOTINO &&
		    (n = procfs_number(name, len, PROCFS_PID_MAX)) > 0)
			return procfs_alive(PROCFS_INO(n, 0), NULL) ? PROCFS_INO(n, 0) : 0;
		return procfs_top_child(top_files[dino - 1].name, name, len);
	}
	if (k == 0) {
		if (len == 3 && memcmp(name, "exe", 3) == 0)
			return dino | PROCFS_K_EXE;
		for (size_t j = 1; j < ARRAY_SIZE(pid_files); j++)
			if (strlen(pid_files[j].name) == len &&
			    memcmp(pid_files[j].name, name, len) == 0)
				return procfs_ino_valid(dino | j) ? dino | j : 0;
		return 0;
	}
	if (k == PROCFS_K_TASK) {
		n = procfs_number(name, len, PROCFS_PID_MAX);
		return n > 0 && procfs_alive(PROCFS_INO(pid, n), NULL) ?
		    PROCFS_INO(pid, n) : 0;
	}
	n = procfs_number(name, len, NOFILE);
	if (n < 0 || !procfs_alive(dino, &pi))
		return 0;
	k = fd_bit(pi.fdmask, n) ? PROCFS_K_FD + (uint32_t)n : 0;
	proc_info_put(&pi);
	return k != 0 ? ((dino & ~0xffffull) | k) : 0;
}

static uint64_t
procfs_parent_ino(uint64_t ino)
{
	if (PROCFS_PID(ino) == 0)
		return ino == PROCFS_SELFINO ? PROCFS_ROOTINO : procfs_top_parent(ino);
	if (PROCFS_K(ino) == 0 && PROCFS_TID(ino) != 0)
		return PROCFS_INO(PROCFS_PID(ino), 0) | PROCFS_K_TASK;
	if (PROCFS_K(ino) == 0)
		return PROCFS_ROOTINO;
	if (PROCFS_K(ino) >= PROCFS_K_FD)
		return (ino & ~0xffffull) | 1;
	return ino & ~0xffffull;
}

static int
procfs_lookup(struct vnode *dvp, const char *name, size_t len,
    struct vnode **vpp)
{
	uint64_t ino;

	if (len == 2 && name[0] == '.' && name[1] == '.')
		ino = procfs_parent_ino(dvp->v_ino);
	else if ((ino = procfs_child_ino(dvp->v_ino, name, len)) == 0)
		return -ENOENT;
	if (PROCFS_PID(dvp->v_ino) != 0 && PROCFS_K(ino) == 0 &&
	    ino != PROCFS_ROOTINO && !procfs_alive(ino, NULL))
		return -ENOENT;
	return vcache_get(dvp->v_mount, ino, procfs_load, vpp);
}

/* Fill d with name and ino; the cookie after is next. */
static int
procfs_dirent(struct vfs_dirent *d, const char *name, size_t len,
    uint64_t ino, uint64_t next)
{
	enum vtype t = procfs_ino_type(ino);

	d->ino = ino;
	d->type = t == VDIR ? 4 : t == VLNK ? 10 : 8;
	d->namelen = (uint16_t)MIN(len, VFS_NAME_MAX);
	memcpy(d->name, name, d->namelen);
	d->name[d->namelen] = '\0';
	d->next = next;
	return 0;
}

/* The root's entries after "." and "..": top names, self, pids. */
static int
procfs_readdir_root(uint64_t idx, uint64_t cookie, struct vfs_dirent *d)
{
	char num[16];
	int pids[PROCFS_MAXPIDS], n;

	for (size_t i = 1; i < ARRAY_SIZE(top_files); i++) {
		if (strchr(top_files[i].name, '/') != NULL)
			continue;
		if (idx-- == 0)
			return procfs_dirent(d, top_files[i].name,
			    strlen(top_files[i].name), i + 1, cookie + 1);
	}
	if (idx-- == 0)
		return procfs_dirent(d, "self", 4, PROCFS_SELFINO, cookie + 1);
	n = proc_pids(pids, PROCFS_MAXPIDS);
	if (idx >= (uint64_t)n)
		return 1;
	ksnprintf(num, sizeof(num), "%d", pids[idx]);
	return procfs_dirent(d, num, strlen(num), (uint64_t)pids[idx] << 16,
	    cookie + 1);
}

/* Entries of a /proc/sys-like directory after "." and "..". */
static int
procfs_readdir_top(uint64_t dino, uint64_t idx, uint64_t cookie,
    struct vfs_dirent *d)
{
	const char *dir = top_files[dino - 1].name;
	size_t dl = strlen(dir);

	for (size_t i = 1; i < ARRAY_SIZE(top_files); i++) {
		const char *n = top_files[i].name;
		if (strncmp(n, dir, dl) != 0 || n[dl] != '/' ||
		    strchr(n + dl + 1, '/') != NULL)
			continue;
		if (idx-- == 0)
			return procfs_dirent(d, n + dl + 1, strlen(n + dl + 1),
			    i + 1, cookie + 1);
	}
	return 1;
}

/* Entries of /proc/PID or /proc/PID/task/TID after "." and "..". */
static int
procfs_readdir_files(uint64_t dino, uint64_t idx, uint64_t cookie,
    struct vfs_dirent *d)
{
	for (size_t j = 1; j < ARRAY_SIZE(pid_files); j++) {
		if (procfs_ino_valid(dino | j) && idx-- == 0)
			return procfs_dirent(d, pid_files[j].name,
			    strlen(pid_files[j].name), dino | j, cookie + 1);
	}
	return idx == 0 ?
	    procfs_dirent(d, "exe", 3, dino | PROCFS_K_EXE, cookie + 1) : 1;
}

/* Entries of /proc/PID/task after "." and "..": the live threads' ids. */
static int
procfs_readdir_task(uint64_t dino, uint64_t idx, uint64_t cookie,
    struct vfs_dirent *d)
{
	int tids[PROCFS_MAXPIDS], pid = PROCFS_PID(dino);
	int n = proc_lwp_tids(pid, tids, PROCFS_MAXPIDS);
	char num[16];

	if (n < 0 || idx >= (uint64_t)n)
		return 1;
	ksnprintf(num, sizeof(num), "%d", tids[idx]);
	return procfs_dirent(d, num, strlen(num), PROCFS_INO(pid, tids[idx]),
	    cookie + 1);
}

/* Entries of /proc/PID, its fd/ and task/, after "." and "..". */
static int
procfs_readdir_pid(uint64_t dino, uint64_t idx, uint64_t cookie,
    struct vfs_dirent *d)
{
	struct proc_info pi;
	char num[16];
	int fd;

	if (PROCFS_K(dino) == 0)
		return procfs_readdir_files(dino, idx, cookie, d);
	if (PROCFS_K(dino) == PROCFS_K_TASK)
		return procfs_readdir_task(dino, idx, cookie, d);
	if (!procfs_alive(dino, &pi))
		return 1;
	for (fd = 0; fd < NOFILE; fd++)
		if (fd_bit(pi.fdmask, fd) && idx-- == 0)
			break;
	proc_info_put(&pi);
	if (fd == NOFILE)
		return 1;
	ksnprintf(num, sizeof(num), "%d", fd);
	return procfs_dirent(d, num, strlen(num),
	    (dino & ~0xffffull) | (PROCFS_K_FD + (uint32_t)fd), cookie + 1);
}

static int
procfs_readdir(struct vnode *vp, uint64_t cookie, struct vfs_dirent *d)
{
	uint64_t ino = vp->v_ino;

	if (cookie == 0)
		return procfs_dirent(d, ".", 1, ino, 1);
	if (cookie == 1)
		return procfs_dirent(d, "..", 2, procfs_parent_ino(ino), 2);
	if (ino == PROCFS_ROOTINO)
		return procfs_readdir_root(cookie - 2, cookie, d);
	if (PROCFS_PID(ino) == 0)
		return procfs_readdir_top(ino, cookie - 2, cookie, d);
	return procfs_readdir_pid(ino, cookie - 2, cookie, d);
}

/* The caller's descriptor fd of process pid (only its own), held. */
static struct file *
procfs_fd_file(int pid, int fd)
{
	struct file *f;

	if (curproc == NULL || pid != curproc->pid ||
	    (f = fd_get(curproc->fds, fd)) == NULL)
		return NULL;
	return f;                       /* fd_get's reference */
}

static int
procfs_readlink(struct vnode *vp, char *buf, size_t len)
{
	char tmp[VFS_NAME_MAX + 1];
	struct file *f;
	uint32_t k = PROCFS_K(vp->v_ino);

	if (curproc == NULL)
		return -ENOENT;
	if (vp->v_ino == PROCFS_SELFINO)
		ksnprintf(tmp, sizeof(tmp), "%d", curproc->pid);
	else if (k == PROCFS_K_EXE && PROCFS_PID(vp->v_ino) == curproc->pid)
		strlcpy(tmp, curproc->exe, sizeof(tmp));
	else if (k >= PROCFS_K_FD &&
	    (f = procfs_fd_file(PROCFS_PID(vp->v_ino), (int)(k - PROCFS_K_FD))) != NULL) {
		file_path(f, tmp, sizeof(tmp));
		file_release(f);
	} else
		return -ENOENT;
	len = MIN(len, strlen(tmp));
	memcpy(buf, tmp, len);
	return (int)len;
}

static int
procfs_getattr(struct vnode *vp, struct vattr *va)
{
	memset(va, 0, sizeof(*va));
	va->va_type = vp->v_type;
	va->va_mode = vp->v_type == VDIR ? 0555 : vp->v_type == VLNK ? 0777 : 0444;
	va->va_nlink = vp->v_type == VDIR ? 2 : 1;
	va->va_ino = vp->v_ino;
	va->va_blksize = 4096;
	va->va_dev = vp->v_mount->mnt_dev;
	return 0;
}

static int
procfs_vop_open(struct vnode *vp, int flags, struct file **fpp)
{
	uint64_t ino = vp->v_ino;
	uint32_t k = PROCFS_K(ino);
	struct proc_info pi;
	int error;

	*fpp = NULL;
	if (vp->v_type == VDIR)
		return 0;                       /* a plain vnode directory */
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	if (PROCFS_PID(ino) == 0)
		return procfs_make(&top_files[ino - 1], NULL, fpp);
	if (k >= PROCFS_K_FD) {
		*fpp = procfs_fd_file(PROCFS_PID(ino), (int)(k - PROCFS_K_FD));
		return *fpp != NULL ? 0 : -ENOENT;
	}
	if (k == PROCFS_K_EXE || !procfs_alive(ino, &pi))
		return -ENOENT;
	error = procfs_make(&pid_files[k], &pi, fpp);
	proc_info_put(&pi);
	return error;
}

static void
procfs_print(struct vnode *vp, kprint_fn pr)
{
	pr("  procfs pid %d tid %d entry %#x\n", PROCFS_PID(vp->v_ino),
	    PROCFS_TID(vp->v_ino), PROCFS_K(vp->v_ino));
}

static const struct vnodeops procfs_vnodeops = {
	.vop_lookup = procfs_lookup,
	.vop_readdir = procfs_readdir,
	.vop_readlink = procfs_readlink,
	.vop_getattr = procfs_getattr,
	.vop_open = procfs_vop_open,
	.vop_print = procfs_print,
};

static int
procfs_vfs_mount(struct mount *mp, const char *source, const char *opts)
{
	(void)source;
	(void)opts;
	mp->mnt_flags |= MNT_NOCACHE;
	return 0;
}

static int
procfs_vfs_unmount(struct mount *mp)
{
	(void)mp;
	return 0;
}

static int
procfs_vfs_root(struct mount *mp, struct vnode **vpp)
{
	return vcache_get(mp, PROCFS_ROOTINO, procfs_load, vpp);
}

static int
procfs_vfs_statfs(struct mount *mp, struct vfs_statfs *st)
{
	(void)mp;
	memset(st, 0, sizeof(*st));
	st->f_type = PROCFS_MAGIC;
	st->f_bsize = 4096;
	st->f_namelen = VFS_NAME_MAX;
	return 0;
}

const struct vfsops procfs_vfsops = {
	.vfs_name = "proc",
	.vfs_mount = procfs_vfs_mount,
	.vfs_unmount = procfs_vfs_unmount,
	.vfs_root = procfs_vfs_root,
	.vfs_statfs = procfs_vfs_statfs,
};
