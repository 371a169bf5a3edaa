/*
 * kern/lib/types.h - the basic types every layer uses.
 *
 * Only the compiler's freestanding headers are included: there is no libc.
 * Addresses get their own names so a reader can tell a virtual address
 * (vaddr_t) from a physical one (paddr_t) at a glance.
 */
#ifndef KERN_LIB_TYPES_H
#define KERN_LIB_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t vaddr_t;   /* a virtual address */
typedef uint64_t paddr_t;   /* a physical address */
typedef uint64_t vsize_t;   /* a length of virtual space */
typedef uint64_t psize_t;   /* a length of physical memory */
typedef int64_t ssize_t;
typedef int64_t off_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (PAGE_SIZE - 1)

#define ROUND_UP(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ROUND_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define __unused __attribute__((unused))
#define __noreturn __attribute__((noreturn))
#define __packed __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __printflike(f, a) __attribute__((format(printf, f, a)))
#define __used __attribute__((used))

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

#endif
