/* Distinct counting: an exact set while small, a HyperLogLog sketch once large. */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "hash.h"
#include "oddport/distinct.h"

/* Past this many values the exact set gives way to the sketch. */
#define EXACT_LIMIT 2048
/* 2^12 registers: 4 KiB, standard error 1.04 / sqrt(4096), about 1.6%. */
#define REGISTER_BITS  12
#define REGISTER_COUNT (1u << REGISTER_BITS)

/* Most counters (a service's clients) only ever see one value: it is kept inline, and the set
 * is made when a second one comes. */
#define INLINE_VALUE_MAX 32

struct OddportDistinctCounter {
    GHashTable *exact;  /* of GBytes; made at the second distinct value */
    uint8_t *registers; /* the sketch, once the exact set grew too large */
    /* The sketch's sum of 2^-register and its count of empty registers, kept up to date on every
     * change so that reading the estimate costs nothing (it is read once per omitted flow). */
    double inverse_sum;
    unsigned empty_registers;
    uint8_t first_length;
    bool has_first;
    uint8_t first[INLINE_VALUE_MAX];
};

OddportDistinctCounter *oddport_distinct_new(void)
{
    return g_new0(OddportDistinctCounter, 1);
}

void oddport_distinct_free(OddportDistinctCounter *counter)
{
    if (counter == NULL)
        return;
    if (counter->exact != NULL)
        g_hash_table_unref(counter->exact);
    g_free(counter->registers);
    g_free(counter);
}

static void sketch_add_hash(OddportDistinctCounter *counter, uint64_t hash)
{
    unsigned index = (unsigned)(hash >> (64 - REGISTER_BITS));
    uint64_t rest = hash << REGISTER_BITS;
    /* The position of the first 1 bit in what is left, counting from 1. */
    uint8_t rank =
        rest == 0 ? (uint8_t)(64 - REGISTER_BITS + 1) : (uint8_t)(__builtin_clzll(rest) + 1);
    uint8_t old_rank = counter->registers[index];
    if (rank <= old_rank)
        return;
    counter->inverse_sum += ldexp(1.0, -rank) - ldexp(1.0, -old_rank);
    if (old_rank == 0)
        counter->empty_registers--;
    counter->registers[index] = rank;
}

static void switch_to_sketch(OddportDistinctCounter *counter)
{
    counter->registers = g_malloc0(REGISTER_COUNT);
    counter->inverse_sum = REGISTER_COUNT;
    counter->empty_registers = REGISTER_COUNT;
    GHashTableIter iterator;
    gpointer key;
    g_hash_table_iter_init(&iterator, counter->exact);
    while (g_hash_table_iter_next(&iterator, &key, NULL)) {
        gsize length;
        const void *data = g_bytes_get_data(key, &length);
        sketch_add_hash(counter, oddport_hash_bytes(data, length));
    }
    g_hash_table_unref(counter->exact);
    counter->exact = NULL;
}

void oddport_distinct_add(OddportDistinctCounter *counter, const void *value, size_t length)
{
    if (counter->registers != NULL) {
        sketch_add_hash(counter, oddport_hash_bytes(value, length));
        return;
    }
    if (counter->exact == NULL) {
        if (!counter->has_first && length <= INLINE_VALUE_MAX) {
            memcpy(counter->first, value, length);
            counter->first_length = (uint8_t)length;
            counter->has_first = true;
            return;
        }
        if (counter->has_first && length == counter->first_length &&
            memcmp(counter->first, value, length) == 0)
            return;
        counter->exact =
            g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
        if (counter->has_first)
            g_hash_table_add(counter->exact, g_bytes_new(counter->first, counter->first_length));
    }
    GBytes *bytes = g_bytes_new(value, length);
    if (!g_hash_table_add(counter->exact, bytes))
        return;
    if (g_hash_table_size(counter->exact) > EXACT_LIMIT)
        switch_to_sketch(counter);
}

uint64_t oddport_distinct_count(const OddportDistinctCounter *counter)
{
    if (counter->registers == NULL)
        return counter->exact != NULL ? g_hash_table_size(counter->exact)
                                      : (counter->has_first ? 1 : 0);
    double sum = counter->inverse_sum;
    unsigned zeros = counter->empty_registers;
    double registers = REGISTER_COUNT;
    double alpha = 0.7213 / (1.0 + 1.079 / registers);
    double estimate = alpha * registers * registers / sum;
    /* Few values: linear counting over the empty registers is more accurate. */
    if (estimate <= 2.5 * registers && zeros > 0)
        estimate = registers * log(registers / zeros);
    return (uint64_t)llround(estimate);
}

bool oddport_distinct_is_estimate(const OddportDistinctCounter *counter)
{
    return counter->registers != NULL;
}
