/*
 * kern/proc/exec.c - turning an ELF file into a running image.
 *
 * A static x86-64 executable is a list of PT_LOAD segments, each "these
 * file bytes at this address, then zeros up to memsz".  Each becomes map
 * entries over the file vnode's object (v_obj: an initrd file's memory
 * object, a disk file's vnode object), so pages come in through the fault
 * handler's lower layer as the program touches them.  The headers are
 * read through the vnode (vop_read, or the object's pages):
 *
 *   file  |ELF hdr|phdrs| .text ........ | .data ...|
 *   map   0x400000 r--  [hdr, rodata]     object, private
 *         0x401000 r-x  [.text]           object, private
 *         0x404000 rw-  [.data | bss...]  object, private (copy-on-write)
 *         0x405000 rw-  [bss]             anonymous, zero-fill
 *         ...
 *         0x7fffff7ff000-0x7ffffffff000   the stack, anonymous
 *
 * A dynamically linked program names its interpreter (PT_INTERP,
 * "/lib64/ld-linux-x86-64.so.2").  The kernel maps that ELF too, an
 * ET_DYN at USER_INTERP_BASE, and starts there; the auxiliary vector
 * tells the interpreter where the program already is, and it maps the
 * shared libraries itself with mmap of their files:
 *
 *   0x555555554000  program (PIE)   AT_PHDR, AT_ENTRY  <- not run yet
 *   0x7f0000000000  ld.so           AT_BASE, rip = its e_entry
 *   0x7ffff7...     libc.so.6       mmap'd by ld.so (below the stack)
 *
 * Two details real binaries need (measured on musl and glibc output):
 * segment file offsets need not be page-aligned (only congruent to the
 * address modulo a page), and the last file page of a segment with bss
 * holds bytes of whatever follows in the file, which must read as zeros
 * from filesz on - so that partial page is zeroed through a write fault,
 * which gives the program its own copy of it.
 *
 * The initial stack, from the top down (x86-64 System V ABI, Linux):
 *
 *   16 random bytes (AT_RANDOM), "x86_64", the exec path, env strings,
 *   argv strings | padding to 16 | AT_NULL | auxv pairs | NULL | envp[]
 *   | NULL | argv[] | argc   <- rsp (16-byte aligned)
 *
 * The image is built in a fresh vmspace; the caller swaps it in only on
 * success, so a bad ELF leaves the calling process untouched.
 */
#include "kern/proc/exec.h"
#include "kern/arch/cpu.h"
#include "kern/proc/elf.h"
#include "kern/lib/errno.h"
#include "kern/lib/rand.h"
#include "kern/lib/string.h"
#include "kern/vfs/vfs.h"
#include "pmap/vmlayout.h"
#include "uvm/uvm_io.h"
#include "uvm/uvm_km.h"
#include "uvm/uvm_map.h"
#include "uvm/uvm_object.h"

#define EXEC_MAX_PHDRS 64
#define EXEC_INTERP_MAX 256             /* PT_INTERP path, with its NUL */

struct elf_info {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[EXEC_MAX_PHDRS];
	uint64_t bias;
	char interp[EXEC_INTERP_MAX];       /* "" if none */
};

/* Is one PT_LOAD sane for this file and for user space? */
static bool
phdr_ok(const struct elf64_phdr *p, uint64_t filesize, uint64_t bias)
{
	uint64_t end = bias + p->p_vaddr + p->p_memsz;

	return p->p_filesz <= p->p_memsz && p->p_offset <= filesize &&
	    p->p_filesz <= filesize - p->p_offset &&
	    ((p->p_vaddr - p->p_offset) & PAGE_MASK) == 0 &&
	    end >= bias + p->p_vaddr && end <= USER_STACK_TOP - USER_STACK_SIZE -
	    USER_STACK_GUARD && bias + p->p_vaddr >= PAGE_SIZE;
}

/* Read len bytes at off of vp into buf: all of them, or -ENOEXEC. */
static int
exec_read(struct vnode *vp, uint64_t off, void *buf, size_t len,
    uint64_t filesize)
{
	struct uio uio = { (uint64_t)(uintptr_t)buf, len, off, true };

	if (off > filesize || len > filesize - off)
		return -ENOEXEC;
	if (vp->v_ops->vop_read != NULL)
		return vp->v_ops->vop_read(vp, &uio) == (int64_t)len ? 0 : -ENOEXEC;
	if (vp->v_obj == NULL)
		return -ENOEXEC;
	return uvm_obj_rdwr(vp->v_obj, (voff_t)off, buf, len, false) == 0 ?
	    0 : -ENOEXEC;
}

/* A regular file with an x bit and pages to map?  Its size in *sizep. */
static int
exec_file_ok(struct vnode *vp, uint64_t *sizep)
{
	struct vattr va;
	int error;

	if (vp->v_type != VREG || vp->v_obj == NULL)
		return -EACCES;     /* not a file, or nothing to map */
	if ((error = vfs_access(vp, VFS_X)) != 0)
		return error;       /* nobody may execute it */
	if ((error = vp->v_ops->vop_getattr(vp, &va)) != 0)
		return error;
	*sizep = va.va_size;
	return 0;
}

/* Read the PT_INTERP path p names into ei->interp.  => 0 or -ENOEXEC. */
static int
interp_read(struct vnode *vp, const struct elf64_phdr *p, struct elf_info *ei,
    uint64_t filesize)
{
	if (ei->interp[0] != '\0' || p->p_filesz < 2 || p->p_filesz > EXEC_INTERP_MAX ||
	    exec_read(vp, p->p_offset, ei->interp, p->p_filesz, filesize) != 0 ||
	    ei->interp[p->p_filesz - 1] != '\0' || ei->interp[0] != '/') {
		ei->interp[0] = '\0';
		return -ENOEXEC;
	}
	return 0;
}

/* Read and check vp's headers; an ET_DYN file is put at dynbias. */
static int
elf_read(struct vnode *vp, struct elf_info *ei, uint64_t dynbias)
{
	struct elf64_ehdr *eh = &ei->eh;
	uint64_t filesize = 0;
	int nload = 0, error;

	if ((error = exec_file_ok(vp, &filesize)) != 0)
		return error;
	if (exec_read(vp, 0, eh, sizeof(*eh), filesize) != 0 ||
	    memcmp(eh->e_ident, "\177ELF", 4) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_machine != EM_X86_64 || eh->e_phentsize != sizeof(struct elf64_phdr) ||
	    eh->e_phnum == 0 || eh->e_phnum > EXEC_MAX_PHDRS)
		return -ENOEXEC;
	size_t phsize = (size_t)eh->e_phnum * sizeof(struct elf64_phdr);
	if (exec_read(vp, eh->e_phoff, ei->ph, phsize, filesize) != 0)
		return -ENOEXEC;
	ei->bias = eh->e_type == ET_DYN ? dynbias : 0;
	ei->interp[0] = '\0';
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ei->ph[i].p_type == PT_INTERP &&
		    (error = interp_read(vp, &ei->ph[i], ei, filesize)) != 0)
			return error;
		if (ei->ph[i].p_type != PT_LOAD)
			continue;
		if (!phdr_ok(&ei->ph[i], filesize, ei->bias))
			return -ENOEXEC;
		nload++;
	}
	return nload > 0 ? 0 : -ENOEXEC;
}

int
exec_check(struct vnode *vp)
{
	struct elf_info *ei = kmem_alloc(sizeof(*ei), 0);
	int error;

	if (ei == NULL)
		return -ENOMEM;
	error = elf_read(vp, ei, USER_PIE_BASE);
	kmem_free(ei, sizeof(*ei));
	return error;
}

static vm_prot_t
phdr_prot(const struct elf64_phdr *p)
{
	return ((p->p_flags & PF_R) ? VM_PROT_READ : 0) |
	    ((p->p_flags & PF_W) ? VM_PROT_WRITE : 0) |
	    ((p->p_flags & PF_X) ? VM_PROT_EXECUTE : 0);
}

/* Map [va, va+len) privately: from uobj at off, or anonymous if NULL. */
static int
map_private(struct vm_map *map, vaddr_t va, vsize_t len,
    struct uvm_object *uobj, voff_t off, vm_prot_t prot)
{
	int error;

	if (uobj != NULL)
		uobj->pgops->pgo_reference(uobj);
	error = uvm_map(map, &va, len, uobj, uobj != NULL ? off : UVM_UNKNOWN_OFFSET,
	    0, UVM_MAPFLAG(prot, VM_PROT_ALL, MAP_INHERIT_COPY, UVM_ADV_NORMAL,
	    UVM_FLAG_FIXED | UVM_FLAG_UNMAP | UVM_FLAG_COPYONWRITE));
	if (error != 0 && uobj != NULL)
		uobj->pgops->pgo_detach(uobj);
	return error;
}

/*
 * Map one PT_LOAD: file pages, the zeroed tail of the last file page,
 * then anonymous pages up to memsz.
 */
static int
load_segment(struct vm_map *map, struct vnode *vp,
    const struct elf64_phdr *p, uint64_t bias)
{
	vaddr_t start = bias + p->p_vaddr, file_end = start + p->p_filesz;
	vaddr_t mstart = ROUND_DOWN(start, PAGE_SIZE);
	vaddr_t fpages_end = ROUND_UP(file_end, PAGE_SIZE);
	vaddr_t mem_end = ROUND_UP(start + p->p_memsz, PAGE_SIZE);
	vm_prot_t prot = phdr_prot(p);
	bool tail = p->p_memsz > p->p_filesz && (file_end & PAGE_MASK) != 0;
	int error = 0;

	if (p->p_filesz > 0) {
		/* Writable for now if the tail must be zeroed; lowered below. */
		error = map_private(map, mstart, fpages_end - mstart, vp->v_obj,
		    (voff_t)ROUND_DOWN(p->p_offset, PAGE_SIZE),
		    tail ? prot | VM_PROT_WRITE : prot);
	} else {
		fpages_end = mstart;
	}
	if (error == 0 && tail) {
		static const uint8_t zeros[PAGE_SIZE];
		error = uvm_io_write(map, file_end, zeros, fpages_end - file_end);
		if (error == 0 && !(prot & VM_PROT_WRITE))
			error = uvm_map_protect(map, mstart, fpages_end, prot, false);
	}
	if (error == 0 && mem_end > fpages_end)
		error = map_private(map, fpages_end, mem_end - fpages_end, NULL, 0, prot);
	return error;
}

/* The stack under construction: a kernel copy of its top part. */
struct stackbuf {
	uint8_t *buf;               /* mirrors [base, USER_STACK_TOP) */
	size_t size;
	vaddr_t base;               /* user address of buf[0] */
	size_t used;                /* bytes filled, from the top down */
};

/* Push len bytes; returns their user address, or 0 if out of room. */
static vaddr_t
push(struct stackbuf *sb, const void *data, size_t len)
{
	if (len > sb->size - sb->used)
		return 0;
	sb->used += len;
	memcpy(sb->buf + sb->size - sb->used, data, len);
	return sb->base + sb->size - sb->used;
}

static int
count_strings(char *const v[], size_t *bytes)
{
	int n = 0;

	for (; v != NULL && v[n] != NULL; n++)
		*bytes += strnlen(v[n], EXEC_ARG_MAX) + 1;
	return n;
}

/* Push the strings of v, recording their user addresses in ptrs. */
static bool
push_strings(struct stackbuf *sb, char *const v[], int n, uint64_t *ptrs)
{
	for (int i = n - 1; i >= 0; i--) {
		ptrs[i] = push(sb, v[i], strlen(v[i]) + 1);
		if (ptrs[i] == 0)
			return false;
	}
	return true;
}

static vaddr_t
image_phdr(const struct elf_info *ei)
{
	for (int i = 0; i < ei->eh.e_phnum; i++) {
		if (ei->ph[i].p_type == PT_PHDR)
			return ei->bias + ei->ph[i].p_vaddr;
	}
	for (int i = 0; i < ei->eh.e_phnum; i++) {
		const struct elf64_phdr *p = &ei->ph[i];
		if (p->p_type == PT_LOAD && p->p_offset <= ei->eh.e_phoff &&
		    ei->eh.e_phoff < p->p_offset + p->p_filesz)
			return ei->bias + p->p_vaddr + (ei->eh.e_phoff - p->p_offset);
	}
	return 0;
}

/* The word vector below the strings: argc, argv, envp, auxv. */
static uint64_t *
build_vector(const struct elf_info *ei, const struct exec_image *img,
    const uint64_t *ptrs, int argc, int envc, const uint64_t *extra, size_t *nwords)
{
	uint32_t a, b, c, hwcap;
	const uint64_t aux[][2] = {
		{ AT_PHDR, img->phdr }, { AT_PHENT, sizeof(struct elf64_phdr) },
		{ AT_PHNUM, (uint64_t)ei->eh.e_phnum }, { AT_PAGESZ, PAGE_SIZE },
		{ AT_BASE, img->interp_base }, { AT_FLAGS, 0 },
		{ AT_ENTRY, img->prog_entry },
		{ AT_UID, 0 }, { AT_EUID, 0 }, { AT_GID, 0 }, { AT_EGID, 0 },
		{ AT_SECURE, 0 }, { AT_CLKTCK, 100 }, { AT_HWCAP, 0 },
		{ AT_RANDOM, extra[0] }, { AT_PLATFORM, extra[1] },
		{ AT_EXECFN, extra[2] }, { AT_NULL, 0 },
	};
	size_t n = 1 + (size_t)argc + 1 + (size_t)envc + 1 + 2 * ARRAY_SIZE(aux);
	uint64_t *w = kmem_alloc(n * 8, 0), *q = w;

	if (w == NULL)
		return NULL;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(hwcap) : "a"(1));
	*q++ = (uint64_t)argc;
	for (int i = 0; i < argc + 1 + envc + 1; i++)
		*q++ = (i == argc || i == argc + 1 + envc) ? 0 :
		    ptrs[i < argc ? i : i - 1];
	for (size_t i = 0; i < ARRAY_SIZE(aux); i++) {
		*q++ = aux[i][0];
		*q++ = aux[i][0] == AT_HWCAP ? hwcap : aux[i][1];
	}
	*nwords = n;
	return w;
}

/* Push the strings and the word vector; fills img->sp.  => 0 or -errno. */
static int
build_stack(struct stackbuf *sb, const struct elf_info *ei, struct exec_image *img,
    const char *path, char *const argv[], char *const envp[], int argc, int envc,
    uint64_t *ptrs)
{
	uint64_t extra[3];
	uint8_t rnd[16];
	struct krand r;
	size_t nwords;
	uint64_t *vec;

	krand_seed(&r, rdtsc());
	for (int i = 0; i < 16; i++)
		rnd[i] = (uint8_t)krand_next(&r);
	extra[0] = push(sb, rnd, sizeof(rnd));
	extra[1] = push(sb, "x86_64", 7);
	extra[2] = push(sb, path, strlen(path) + 1);
	vaddr_t env_start = sb->base + sb->size - sb->used;
	if (!push_strings(sb, envp, envc, ptrs + argc) || !push_strings(sb, argv, argc, ptrs))
		return -E2BIG;
	/* argv's strings lie back to back just below the environment's. */
	env_start = envc > 0 ? ptrs[argc] : env_start;
	img->arg_start = argc > 0 ? ptrs[0] : env_start;
	img->arg_end = env_start;
	vec = build_vector(ei, img, ptrs, argc, envc, extra, &nwords);
	if (vec == NULL)
		return -ENOMEM;
	vaddr_t top = sb->base + sb->size - sb->used;
	vaddr_t sp = ROUND_DOWN(top - nwords * 8, 16);
	static const uint8_t pad[16];
	push(sb, pad, top - nwords * 8 - sp);
	img->sp = push(sb, vec, nwords * 8);
	kmem_free(vec, nwords * 8);
	return img->sp == sp ? 0 : -E2BIG;
}

/* Map the stack and write its initial contents.  => 0 or -errno. */
static int
setup_stack(struct vm_map *map, const struct elf_info *ei, struct exec_image *img,
    const char *path, char *const argv[], char *const envp[])
{
	size_t strbytes = strlen(path) + 1;
	int argc = count_strings(argv, &strbytes), envc = count_strings(envp, &strbytes);
	struct stackbuf sb;
	int error;

	if (strbytes > EXEC_ARG_MAX || argc + envc + 2 > EXEC_ARGS_MAX)
		return -E2BIG;
	error = map_private(map, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE,
	    NULL, 0, VM_PROT_READ | VM_PROT_WRITE);
	if (error != 0)
		return error;
	sb.size = ROUND_UP(strbytes + 64 + (size_t)(argc + envc + 48) * 8, PAGE_SIZE);
	sb.base = USER_STACK_TOP - sb.size;
	sb.used = 0;
	sb.buf = kmem_alloc(sb.size, 0);
	uint64_t *ptrs = kmem_alloc((size_t)(argc + envc + 1) * 8, 0);
	error = sb.buf != NULL && ptrs != NULL ? 0 : -ENOMEM;
	if (error == 0)
		error = build_stack(&sb, ei, img, path, argv, envp, argc, envc, ptrs);
	if (error == 0)
		error = uvm_io_write(map, sb.base + sb.size - sb.used,
		    sb.buf + sb.size - sb.used, sb.used);
	if (sb.buf != NULL)
		kmem_free(sb.buf, sb.size);
	if (ptrs != NULL)
		kmem_free(ptrs, (size_t)(argc + envc + 1) * 8);
	img->stack_bottom = USER_STACK_TOP - USER_STACK_SIZE;
	return error;
}

/* Map every PT_LOAD of ei; the end of the highest in *brk. */
static int
load_segments(struct vm_map *map, struct vnode *vp, const struct elf_info *ei,
    vaddr_t *brk)
{
	int error = 0;

	for (int i = 0; error == 0 && i < ei->eh.e_phnum; i++) {
		const struct elf64_phdr *p = &ei->ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		error = load_segment(map, vp, p, ei->bias);
		*brk = MAX(*brk, ROUND_UP(ei->bias + p->p_vaddr + p->p_memsz, PAGE_SIZE));
	}
	return error;
}

/*
 * Map the program interpreter (PT_INTERP, e.g. ld-linux-x86-64.so.2) at
 * USER_INTERP_BASE and start there: it must be ET_DYN and have no
 * interpreter itself.  Sets img->entry and img->interp_base.
 */
static int
load_interp(struct vm_map *map, const char *path, struct exec_image *img)
{
	struct elf_info *ii = kmem_alloc(sizeof(*ii), 0);
	struct vnode *vp = NULL;
	vaddr_t end = 0;
	int error;

	if (ii == NULL)
		return -ENOMEM;
	error = namei(NULL, path, NAMEI_FOLLOW, &vp, NULL);
	if (error == 0)
		error = elf_read(vp, ii, USER_INTERP_BASE);
	if (error == 0 && (ii->eh.e_type != ET_DYN || ii->interp[0] != '\0'))
		error = -ENOEXEC;
	if (error == 0)
		error = load_segments(map, vp, ii, &end);
	if (error == 0) {
		img->entry = ii->bias + ii->eh.e_entry;
		img->interp_base = ii->bias;
	}
	if (vp != NULL)
		vrele(vp);                  /* the mappings hold v_obj */
	kmem_free(ii, sizeof(*ii));
	return error;
}

int
exec_load(struct vmspace *vm, struct vnode *vp, const char *path,
    char *const argv[], char *const envp[], struct exec_image *img)
{
	struct elf_info *ei = kmem_alloc(sizeof(*ei), 0);
	int error;

	if (ei == NULL)
		return -ENOMEM;
	memset(img, 0, sizeof(*img));
	error = elf_read(vp, ei, USER_PIE_BASE);
	if (error == 0)
		error = load_segments(&vm->vm_map, vp, ei, &img->brk);
	if (error == 0) {
		img->entry = img->prog_entry = ei->bias + ei->eh.e_entry;
		img->phdr = image_phdr(ei);
		img->phnum = ei->eh.e_phnum;
		img->load_bias = ei->bias;
		if (ei->interp[0] != '\0')
			error = load_interp(&vm->vm_map, ei->interp, img);
	}
	if (error == 0)
		error = setup_stack(&vm->vm_map, ei, img, path, argv, envp);
	if (error == 0) {
		vm->vm_daddr = img->brk;
		vm->vm_dsize = 0;
		vm->vm_minsaddr = img->stack_bottom;
		vm->vm_maxsaddr = USER_STACK_TOP;
	}
	kmem_free(ei, sizeof(*ei));
	return error;
}
