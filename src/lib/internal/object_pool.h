/* Memory for many objects of one size, in large blocks the kernel may back with huge pages. */
#ifndef ODDPORT_OBJECT_POOL_H
#define ODDPORT_OBJECT_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* A pool hands out objects of one size from blocks of ODDPORT_POOL_BLOCK_BYTES and takes them
 * back for reuse; it returns its memory only when cleared. One thread uses a pool at a time. */
typedef struct {
    size_t object_size;
    void *free_objects; /* given back, each holding the next one's address */
    uint8_t *unused;    /* the current block's objects never handed out */
    size_t unused_count;
    GPtrArray *blocks;
} OddportObjectPool;

/* Huge pages come in this size on x86-64 and on most ARM64 kernels; elsewhere, a block is only
 * a large allocation. */
enum { ODDPORT_POOL_BLOCK_BYTES = 2 * 1024 * 1024 };

/* `object_size` at least a pointer's and at most a block's. */
void oddport_object_pool_init(OddportObjectPool *pool, size_t object_size);

/* An object whose contents are undefined, or NULL when no memory is left. The pool owns it: give
 * it back, or let oddport_object_pool_clear take it. */
void *oddport_object_pool_take(OddportObjectPool *pool);

void oddport_object_pool_give_back(OddportObjectPool *pool, void *object);

/* Unmaps every block, the objects still handed out included. The pool may be used again. */
void oddport_object_pool_clear(OddportObjectPool *pool);

/* `size` bytes of zeroed memory, in a mapping of its own that is aligned for huge pages and
 * asks for them when it is large enough; NULL when no memory is left. The caller frees it with
 * oddport_large_memory_free and the same size. */
void *oddport_large_memory_new(size_t size);
void oddport_large_memory_free(void *memory, size_t size);

#endif
