/*
 * The C library functions the library calls: memcpy, memset, memcmp. With -DQORA_NO_STRING_H
 * (a freestanding toolchain without a C library's headers, as the Cortex-M build here) they are
 * declared as the C standard declares them (C99 7.1.4 allows that); the firmware's C library or
 * the compiler's own routines provide them at link time.
 */
#ifndef QORA_STRING_H
#define QORA_STRING_H

#include <stddef.h>

#ifdef QORA_NO_STRING_H
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#else
#include <string.h>
#endif

#endif
