/*
 * tests/kern/proc/exec_test.c - kern/proc/exec.c on a real musl binary from the
 * initrd (/bin/hello, found by namei): the map entries each PT_LOAD
 * becomes (over the vnode's object), the zeroed
 * bss tail, and the initial stack (argc, argv, envp, auxv) read back from
 * the new address space; bad files refused with the caller's space intact.
 */
#include "kern/proc/elf.h"
#include "kern/proc/exec.h"
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"
#include "tests/harness/vmtest.h"
#include "uvm/uvm_io.h"
#include "uvm/uvm_map.h"

/* The vnode of path, referenced (the caller vreles it). */
static struct vnode *
lookup(const char *path)
{
	struct vnode *vp = NULL;

	KT_EQ(namei(NULL, path, NAMEI_FOLLOW, &vp, NULL), 0);
	return vp;
}

static uint64_t
word(struct vmtest *t, vaddr_t va)
{
	uint64_t w = 0;

	KT_EQ(uvm_io_read(t->map, va, &w, sizeof(w)), 0);
	return w;
}

static void
expect_string(struct vmtest *t, vaddr_t va, const char *want)
{
	char buf[64];

	KT_EQ(uvm_io_read(t->map, va, buf, strlen(want) + 1), 0);
	KT_STREQ(buf, want);
}

/* The value of auxv key in the vector starting at va, or ~0. */
static uint64_t
auxv(struct vmtest *t, vaddr_t va, uint64_t key)
{
	for (;; va += 16) {
		uint64_t k = word(t, va);
		if (k == key || k == AT_NULL)
			return k == key ? word(t, va + 8) : ~0UL;
	}
}

KTEST(exec, check_accepts_elf_and_refuses_the_rest)
{
	struct vnode *hello = lookup("/bin/hello"), *motd = lookup("/etc/motd");
	struct vnode *notelf = lookup("/tests/data/not-elf"), *bin = lookup("/bin");

	KT_EQ(exec_check(hello), 0);
	KT_EQ(exec_check(motd), -EACCES);       /* mode 0644: not executable */
	KT_EQ(exec_check(notelf), -ENOEXEC);    /* executable, but not ELF */
	KT_EQ(exec_check(bin), -EACCES);
	KT_EQ(hello->v_refs, 1);                /* the check kept nothing */
	vrele(hello);
	vrele(motd);
	vrele(notelf);
	vrele(bin);
}

KTEST(exec, segments_become_private_file_mappings)
{
	struct vmtest t;
	struct exec_image img;
	char *argv[] = { "hello", "a1", NULL }, *envp[] = { "K=V", NULL };

	struct vnode *hello = lookup("/bin/hello");

	vmtest_begin(&t);
	KT_EQ(exec_load(t.vm, hello, "/bin/hello", argv, envp, &img), 0);
	struct vm_map_entry *text = vmtest_entry(&t, img.entry);
	KT_EQ(text->protection, VM_PROT_READ | VM_PROT_EXECUTE);
	KT_EQ(text->object, (uint64_t)hello->v_obj);
	KT_ASSERT(text->etype & UVM_ET_COPYONWRITE);
	/* The data segment: private and writable; its bss tail reads zeros
	 * although the file page goes on with other bytes. */
	vaddr_t data = 0x406fc0, file_end = 0x406fc0 + 0x150;
	struct vm_map_entry *de = vmtest_entry(&t, data);
	KT_EQ(de->protection, VM_PROT_READ | VM_PROT_WRITE);
	KT_EQ(de->object, (uint64_t)hello->v_obj);
	for (vaddr_t va = file_end; va < ROUND_UP(file_end, PAGE_SIZE); va += 8)
		KT_EQ(word(&t, va), 0);
	KT_ASSERT(vmtest_anon(&t, file_end) != NULL);   /* a private copy now */
	KT_EQ(img.brk, 0x408000);
	KT_EQ(t.vm->vm_daddr, img.brk);
	/* The stack: read/write from its bottom to the top (the fault that
	 * wrote argv may have clipped it into chunks: amap_copy). */
	KT_EQ(vmtest_entry(&t, img.sp)->end, USER_STACK_TOP);
	KT_ASSERT(uvm_map_checkprot(t.map, USER_STACK_TOP - USER_STACK_SIZE,
	    USER_STACK_TOP, VM_PROT_READ | VM_PROT_WRITE));
	KT_ASSERT(!uvm_map_checkprot(t.map, USER_STACK_TOP - USER_STACK_SIZE - PAGE_SIZE,
	    USER_STACK_TOP, VM_PROT_READ));    /* the guard below is unmapped */
	KT_EQ(uvm_map_check(t.map, ktest_print), 0);
	vmtest_end(&t);
	vrele(hello);
}

KTEST(exec, initial_stack_has_args_env_and_auxv)
{
	struct vmtest t;
	struct exec_image img;
	char *argv[] = { "hello", "a1", NULL }, *envp[] = { "K=V", NULL };

	struct vnode *hello = lookup("/bin/hello");

	vmtest_begin(&t);
	KT_EQ(exec_load(t.vm, hello, "/bin/hello", argv, envp, &img), 0);
	KT_EQ(hello->v_refs, 1);                /* the mappings hold v_obj */
	KT_EQ(img.sp % 16, 0);
	KT_EQ(word(&t, img.sp), 2);                         /* argc */
	expect_string(&t, word(&t, img.sp + 8), "hello");
	expect_string(&t, word(&t, img.sp + 16), "a1");
	KT_EQ(word(&t, img.sp + 24), 0);
	expect_string(&t, word(&t, img.sp + 32), "K=V");
	KT_EQ(word(&t, img.sp + 40), 0);
	vaddr_t av = img.sp + 48;
	KT_EQ(auxv(&t, av, AT_ENTRY), img.entry);
	KT_EQ(auxv(&t, av, AT_PAGESZ), PAGE_SIZE);
	KT_EQ(auxv(&t, av, AT_PHENT), sizeof(struct elf64_phdr));
	KT_EQ(auxv(&t, av, AT_PHNUM), 6);
	KT_EQ(auxv(&t, av, AT_PHDR), 0x400040);
	KT_EQ(word(&t, auxv(&t, av, AT_PHDR)) & 0xffffffff, PT_LOAD); /* the phdrs */
	expect_string(&t, auxv(&t, av, AT_EXECFN), "/bin/hello");
	expect_string(&t, auxv(&t, av, AT_PLATFORM), "x86_64");
	KT_ASSERT(auxv(&t, av, AT_RANDOM) > img.sp);
	KT_EQ(auxv(&t, av, AT_SECURE), 0);
	vmtest_end(&t);
	vrele(hello);
}

KTEST(exec, bad_file_leaves_the_space_untouched)
{
	struct vmtest t;
	struct exec_image img;
	struct vnode *notelf = lookup("/tests/data/not-elf");
	char *argv[] = { "x", NULL };

	vmtest_begin(&t);
	vmtest_map_anon(&t, 0x10000000, 1);
	KT_EQ(exec_load(t.vm, notelf, "/tests/data/not-elf", argv, argv + 1, &img), -ENOEXEC);
	KT_EQ(t.map->nentries, 1);
	vmtest_end(&t);
	vrele(notelf);
}
