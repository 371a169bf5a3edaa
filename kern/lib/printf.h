/*
 * kern/lib/printf.h - formatted output.
 *
 * One formatter, kvformat(), writes through a character sink; kprintf (the
 * console) and ksnprintf (a buffer) are thin wrappers.  Conversions:
 * %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ', a width or '*',
 * a precision for %s, and the sizes hh h l ll z.
 *
 * Printers of core structures take a kprint_fn so the same code can write
 * to the console (panic), into a test's buffer, or to gdb.
 */
#ifndef KERN_LIB_PRINTF_H
#define KERN_LIB_PRINTF_H

#include "kern/lib/types.h"

typedef void (*kputc_fn)(int c, void *arg);
typedef void (*kprint_fn)(const char *fmt, ...) __printflike(1, 2);

int kvformat(kputc_fn put, void *arg, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printflike(3, 4);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Implemented by the console (kern/core/console.c). */
int kprintf(const char *fmt, ...) __printflike(1, 2);
int kvprintf(const char *fmt, va_list ap);

/* kprint - kprintf with the kprint_fn shape, to hand to printers. */
void kprint(const char *fmt, ...) __printflike(1, 2);

#endif
