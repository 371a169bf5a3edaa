/*
 * kern/fs/procfs.c - /proc/self/maps, /proc/meminfo, /proc/cmdline.
 *
 * Each file is generated whole when it is opened (a snapshot) into a
 * kernel buffer, in Linux's format, so the same parsers work on both
 * kernels.  /proc/self/maps has one line per map entry:
 *
 *   00400000-00401000 r--p 00000000 00:01 7          (a file's pages)
 *   00429000-0042a000 rw-p 00000000 00:00 0          [heap]
 *   7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0  [stack]
 *
 * "p" is a private (copy-on-write) entry, "s" a shared one.
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

#define PROCFS_MAX (4 * 1024 * 1024)   /* 20,000 entries fit */

struct textbuf {
	char *buf;
	size_t len;
	size_t cap;
};

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

static void
maps_entry(struct textbuf *tb, const struct vm_map_entry *e, const struct proc *p)
{
	const char *label = "";

	if (e->start < p->brk && e->end > p->brk_start && e->object == NULL)
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
gen_maps(struct textbuf *tb)
{
	struct proc *p = curproc;
	struct vm_map *map = &p->vmspace->vm_map;

	mutex_enter(&map->lock);
	for (struct vm_map_entry *e = map->header.next; e != &map->header; e = e->next)
		maps_entry(tb, e, p);
	mutex_exit(&map->lock);
}

static void
gen_meminfo(struct textbuf *tb)
{
	uint64_t kb = PAGE_SIZE / 1024;

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
gen_cmdline(struct textbuf *tb)
{
	tb_printf(tb, "%s\n", boot_info.cmdline);
}

int
procfs_open(const char *name, struct file **fp)
{
	struct textbuf tb = { NULL, 0, 0 };
	void (*gen)(struct textbuf *) = NULL;

	if (strcmp(name, "self/maps") == 0)
		gen = gen_maps;
	else if (strcmp(name, "meminfo") == 0)
		gen = gen_meminfo;
	else if (strcmp(name, "cmdline") == 0)
		gen = gen_cmdline;
	if (gen == NULL)
		return -ENOENT;
	tb.cap = gen == gen_maps ? PROCFS_MAX : 4096;
	tb.buf = kmem_alloc(tb.cap, 0);
	if (tb.buf == NULL)
		return -ENOMEM;
	gen(&tb);
	/* Keep only what was written: the file frees textlen + 1 bytes. */
	char *text = kmem_alloc(tb.len + 1, 0);
	if (text != NULL) {
		memcpy(text, tb.buf, tb.len);
		text[tb.len] = '\0';
	}
	kmem_free(tb.buf, tb.cap);
	if (text == NULL)
		return -ENOMEM;
	*fp = file_from_text(text, tb.len);
	return *fp != NULL ? 0 : -ENOMEM;
}
