/* Object pools and large zeroed mappings that the kernel may back with huge pages. */
#include "internal/object_pool.h"

#include <string.h>
#include <sys/mman.h>

#include "internal/prefetch.h"

#if defined(__SANITIZE_ADDRESS__)
#define ODDPORT_POISON_POOL 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ODDPORT_POISON_POOL 1
#endif
#endif
#ifdef ODDPORT_POISON_POOL
#include <sanitizer/asan_interface.h>
#define POISON(memory, size)   ASAN_POISON_MEMORY_REGION(memory, size)
#define UNPOISON(memory, size) ASAN_UNPOISON_MEMORY_REGION(memory, size)
#else
#define POISON(memory, size)   ((void)(memory), (void)(size))
#define UNPOISON(memory, size) ((void)(memory), (void)(size))
#endif

void *oddport_large_memory_new(size_t size)
{
    /* A mapping of its own starts on a page, not on a huge page: one a huge page longer is
     * trimmed to an aligned start, so that all of it can be backed by huge pages. */
    size_t alignment = size >= ODDPORT_POOL_BLOCK_BYTES ? ODDPORT_POOL_BLOCK_BYTES : 0;
    size_t mapped = size + alignment;
    uint8_t *start = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (start == MAP_FAILED)
        return NULL;
    if (alignment == 0)
        return start;
    uint8_t *aligned =
        (uint8_t *)(((uintptr_t)start + alignment - 1) & ~(uintptr_t)(alignment - 1));
    if (aligned > start)
        munmap(start, (size_t)(aligned - start));
    size_t after = (size_t)(start + mapped - (aligned + size));
    if (after > 0)
        munmap(aligned + size, after);
#ifdef MADV_HUGEPAGE
    /* Where huge pages are only given to memory that asks (Debian's default), this asks: a
     * flood's half a million flows took a tenth of its run in page faults, one per 4 KiB. */
    (void)madvise(aligned, size, MADV_HUGEPAGE);
#endif
    return aligned;
}

void oddport_large_memory_free(void *memory, size_t size)
{
    if (memory != NULL)
        munmap(memory, size);
}

void oddport_object_pool_init(OddportObjectPool *pool, size_t object_size)
{
    g_assert(object_size >= sizeof(void *) && object_size <= ODDPORT_POOL_BLOCK_BYTES);
    *pool = (OddportObjectPool){.object_size = (object_size + 15) & ~(size_t)15};
}

static bool add_block(OddportObjectPool *pool)
{
    uint8_t *block = oddport_large_memory_new(ODDPORT_POOL_BLOCK_BYTES);
    if (block == NULL)
        return false;
    if (pool->blocks == NULL)
        pool->blocks = g_ptr_array_new();
    g_ptr_array_add(pool->blocks, block);
    pool->unused = block;
    pool->unused_count = ODDPORT_POOL_BLOCK_BYTES / pool->object_size;
    POISON(block, ODDPORT_POOL_BLOCK_BYTES);
    return true;
}

/* The most of an object asked for ahead: a flow's few lines, not a whole read window. */
enum { FETCH_AHEAD_MAX = 1024 };

void *oddport_object_pool_take(OddportObjectPool *pool)
{
    void *object = pool->free_objects;
    if (object != NULL) {
        UNPOISON(object, pool->object_size);
        memcpy(&pool->free_objects, object, sizeof(void *));
        /* Taken last-given-back first, and untouched since: the next one's lines are asked
         * for, to be written by the caller's next flow; of a large object, only its start. */
        if (pool->free_objects != NULL)
            oddport_fetch_for_writing(pool->free_objects, MIN(pool->object_size, FETCH_AHEAD_MAX));
        return object;
    }
    if (pool->unused_count == 0 && !add_block(pool))
        return NULL;
    object = pool->unused;
    pool->unused += pool->object_size;
    pool->unused_count--;
    UNPOISON(object, pool->object_size);
    return object;
}

void oddport_object_pool_give_back(OddportObjectPool *pool, void *object)
{
    memcpy(object, &pool->free_objects, sizeof(void *));
    pool->free_objects = object;
    POISON((uint8_t *)object + sizeof(void *), pool->object_size - sizeof(void *));
}

void oddport_object_pool_clear(OddportObjectPool *pool)
{
    if (pool->blocks != NULL) {
        for (guint index = 0; index < pool->blocks->len; index++) {
            UNPOISON(g_ptr_array_index(pool->blocks, index), ODDPORT_POOL_BLOCK_BYTES);
            oddport_large_memory_free(g_ptr_array_index(pool->blocks, index),
                                      ODDPORT_POOL_BLOCK_BYTES);
        }
        g_ptr_array_unref(pool->blocks);
    }
    *pool = (OddportObjectPool){.object_size = pool->object_size};
}
