/* Asking for memory ahead of its use: the cache line, and hints for a whole object. */
#ifndef ODDPORT_PREFETCH_H
#define ODDPORT_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

/* The line the processors oddport runs on move memory by; a hint per line covers an object. */
enum { ODDPORT_CACHE_LINE = 64 };

/* Asks for every line of `memory`, to read it or to write it. Two functions, since a hint's kind
 * must be a constant. Only hints: they never fault. */
static inline void oddport_fetch_for_reading(const void *memory, size_t size)
{
    for (size_t offset = 0; offset < size; offset += ODDPORT_CACHE_LINE)
        __builtin_prefetch((const char *)memory + offset, 0);
}

static inline void oddport_fetch_for_writing(const void *memory, size_t size)
{
    for (size_t offset = 0; offset < size; offset += ODDPORT_CACHE_LINE)
        __builtin_prefetch((const char *)memory + offset, 1);
}

/* Asks for the line at `address` to be read once, soon: a non-temporal hint, so that the line
 * does not push what stays in use out of the caches on its way through. The address is an
 * integer, so that a caller may form one past the end of its memory without undefined
 * behaviour: a hint for an address that is not mapped is dropped. */
static inline void oddport_fetch_line_once(uintptr_t address)
{
    __builtin_prefetch((const void *)address, 0, 0);
}

#endif
