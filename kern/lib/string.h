/*
 * kern/lib/string.h - the handful of C string and memory functions the
 * kernel uses.  gcc may emit calls to memcpy/memset/memmove/memcmp on its
 * own (for struct copies), so those four must exist with these names.
 */
#ifndef KERN_LIB_STRING_H
#define KERN_LIB_STRING_H

#include "kern/lib/types.h"

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
