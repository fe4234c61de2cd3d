/* Unit tests for how oddport's programs end when memory runs out, with malloc made to fail. */
#include "fatal.h"

#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>

#include <glib.h>

/* glibc's allocator under its own names, for the replacements below. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *block, size_t size);

/* The heap as a process out of memory sees it: once one allocation has failed, one more can be
 * had (the last free block), and nothing after it; shrinking a block in place needs nothing.
 * Armed only in the test's subprocess. */
static bool scarcity_armed;
static bool an_allocation_failed;
static int allocations_left_after_failure = 1;

static bool may_allocate(void)
{
    if (!scarcity_armed || !an_allocation_failed)
        return true;
    if (allocations_left_after_failure == 0)
        return false;
    allocations_left_after_failure--;
    return true;
}

static void *noting_failure(void *block)
{
    if (block == NULL && scarcity_armed)
        an_allocation_failed = true;
    return block;
}

/* These replace malloc for the whole test program, GLib included, as the executable's own
 * symbols come first. */
void *malloc(size_t size)
{
    if (!may_allocate()) {
        errno = ENOMEM;
        return NULL;
    }
    return noting_failure(__libc_malloc(size));
}

void *calloc(size_t count, size_t size)
{
    if (!may_allocate()) {
        errno = ENOMEM;
        return NULL;
    }
    return noting_failure(__libc_calloc(count, size));
}

void *realloc(void *block, size_t size)
{
    if (block != NULL && size <= malloc_usable_size(block))
        return __libc_realloc(block, size);
    if (!may_allocate()) {
        errno = ENOMEM;
        return NULL;
    }
    return noting_failure(__libc_realloc(block, size));
}

static const OddportFatalErrors HANDLING = {
    .out_of_memory_line = "test: out of memory, said once\n",
    .internal_error_prefix = "test: internal error: ",
    .before_ending = NULL,
};

/* What GLib needs on its way from a failed allocation to the handler, beyond the text of its
 * message, was made in advance: else the last free block goes to that text and GLib, failing to
 * make a thread key, aborts with a message of its own (exit 134, seen once in CI). */
static void test_out_of_memory_with_one_block_left(void)
{
    if (g_test_subprocess()) {
        oddport_handle_fatal_errors(&HANDLING);
        scarcity_armed = true;
        void *volatile never = g_malloc(G_MAXSIZE / 2);
        g_assert_null(never);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("test: out of memory, said once\n");
}

/* Any other fatal error of GLib's: the prefix, GLib's message, an abort. */
static void test_other_fatal_error_is_prefixed(void)
{
    if (g_test_subprocess()) {
        oddport_handle_fatal_errors(&HANDLING);
        g_log("GLib", G_LOG_LEVEL_ERROR, "something that cannot go on");
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("test: internal error: something that cannot go on\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fatal/out-of-memory-with-one-block-left",
                    test_out_of_memory_with_one_block_left);
    g_test_add_func("/fatal/other-fatal-error-is-prefixed", test_other_fatal_error_is_prefixed);
    return g_test_run();
}
