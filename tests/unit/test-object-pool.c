/* Unit tests for object pools and large mappings: reuse, growth by blocks, alignment, zeroing. */
#include <string.h>

#include <glib.h>

#include "internal/object_pool.h"

typedef struct {
    uint64_t words[54]; /* a flow's size, about */
} Object;

static void test_objects_are_distinct_and_aligned(void)
{
    OddportObjectPool pool;
    oddport_object_pool_init(&pool, sizeof(Object));
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    /* More than a block holds, so that a second block is made. */
    size_t count = 2 * ODDPORT_POOL_BLOCK_BYTES / sizeof(Object) + 3;
    for (size_t index = 0; index < count; index++) {
        Object *object = oddport_object_pool_take(&pool);
        g_assert_nonnull(object);
        g_assert_cmpuint((uintptr_t)object % 16, ==, 0);
        g_assert_false(g_hash_table_contains(seen, object));
        g_hash_table_add(seen, object);
        /* Every byte is the caller's to write. */
        memset(object, 0xa5, sizeof *object);
    }
    g_assert_cmpuint(pool.blocks->len, ==, 3);
    g_hash_table_unref(seen);
    oddport_object_pool_clear(&pool);
    g_assert_null(pool.blocks);
    g_assert_cmpuint(pool.object_size, >=, sizeof(Object));
}

static void test_given_back_objects_come_back_last_first(void)
{
    OddportObjectPool pool;
    oddport_object_pool_init(&pool, sizeof(Object));
    Object *first = oddport_object_pool_take(&pool);
    Object *second = oddport_object_pool_take(&pool);
    Object *third = oddport_object_pool_take(&pool);
    g_assert_true(first != second && second != third && first != third);
    oddport_object_pool_give_back(&pool, first);
    oddport_object_pool_give_back(&pool, third);
    g_assert_true(oddport_object_pool_take(&pool) == third);
    g_assert_true(oddport_object_pool_take(&pool) == first);
    /* With nothing given back, a new object comes from the block. */
    Object *fourth = oddport_object_pool_take(&pool);
    g_assert_true(fourth != first && fourth != second && fourth != third);
    guint blocks = pool.blocks->len;
    /* A pool cleared is used again from nothing. */
    oddport_object_pool_clear(&pool);
    g_assert_nonnull(oddport_object_pool_take(&pool));
    g_assert_cmpuint(pool.blocks->len, ==, blocks);
    oddport_object_pool_clear(&pool);
}

static void test_small_objects_take_a_pointer(void)
{
    OddportObjectPool pool;
    oddport_object_pool_init(&pool, sizeof(void *));
    void *first = oddport_object_pool_take(&pool);
    void *second = oddport_object_pool_take(&pool);
    g_assert_cmpuint((uintptr_t)second - (uintptr_t)first, ==, pool.object_size);
    oddport_object_pool_give_back(&pool, second);
    g_assert_true(oddport_object_pool_take(&pool) == second);
    oddport_object_pool_clear(&pool);
}

static void test_large_memory_is_zeroed_and_aligned(void)
{
    size_t sizes[] = {16 * 1024, ODDPORT_POOL_BLOCK_BYTES, 3 * ODDPORT_POOL_BLOCK_BYTES + 4096};
    for (size_t index = 0; index < G_N_ELEMENTS(sizes); index++) {
        uint8_t *memory = oddport_large_memory_new(sizes[index]);
        g_assert_nonnull(memory);
        g_assert_cmpuint((uintptr_t)memory % 4096, ==, 0);
        /* Large enough for a huge page, it starts on one. */
        if (sizes[index] >= ODDPORT_POOL_BLOCK_BYTES)
            g_assert_cmpuint((uintptr_t)memory % ODDPORT_POOL_BLOCK_BYTES, ==, 0);
        for (size_t offset = 0; offset < sizes[index]; offset += 512)
            g_assert_cmpuint(memory[offset], ==, 0);
        g_assert_cmpuint(memory[sizes[index] - 1], ==, 0);
        memset(memory, 0xff, sizes[index]);
        oddport_large_memory_free(memory, sizes[index]);
    }
    oddport_large_memory_free(NULL, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/object-pool/distinct-and-aligned", test_objects_are_distinct_and_aligned);
    g_test_add_func("/object-pool/last-given-back-first",
                    test_given_back_objects_come_back_last_first);
    g_test_add_func("/object-pool/small-objects", test_small_objects_take_a_pointer);
    g_test_add_func("/object-pool/large-memory", test_large_memory_is_zeroed_and_aligned);
    return g_test_run();
}
