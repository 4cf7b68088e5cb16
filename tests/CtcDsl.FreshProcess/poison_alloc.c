/*
 * LD_PRELOAD library for the stale-memory guard (issue 20): every block malloc, posix_memalign,
 * aligned_alloc, memalign and valloc hand out is filled with POISON_BYTE (default 0xFF: a float or
 * double NaN, an integer -1, a pointer that faults) before the caller sees it. A read of memory
 * that was never written then changes results on every run, on every machine, instead of now and
 * then, depending on what the heap held before. calloc and realloc keep their contracts untouched.
 *
 *   cc -shared -fPIC -O2 -o libpoison_alloc.so poison_alloc.c
 *   LD_PRELOAD=$PWD/libpoison_alloc.so POISON_BYTE=255 program ...
 *
 * glibc's own entry points are called directly (no dlsym, which may allocate while resolving).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static int poison = -1;

static void *fill(void *block, size_t size)
{
    if (poison < 0) {
        const char *text = getenv("POISON_BYTE");
        poison = text ? (atoi(text) & 0xFF) : 0xFF;
    }
    if (block) memset(block, poison, size);
    return block;
}

void *malloc(size_t size) { return fill(__libc_malloc(size), size); }

void *memalign(size_t alignment, size_t size) { return fill(__libc_memalign(alignment, size), size); }

void *aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }

void *valloc(size_t size) { return memalign(4096, size); }

int posix_memalign(void **result, size_t alignment, size_t size)
{
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    void *block = memalign(alignment, size);
    if (!block && size != 0) return ENOMEM;
    *result = block;
    return 0;
}
