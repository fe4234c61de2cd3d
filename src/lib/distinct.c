/* Distinct counting: an exact set while small, a HyperLogLog sketch once large. */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "internal/hash.h"
#include "internal/distinct.h"

/* Past this many values the exact set gives way to the sketch. */
#define EXACT_LIMIT 2048
/* 2^12 registers: 4 KiB, standard error 1.04 / sqrt(4096), about 1.6%. */
#define REGISTER_BITS  12
#define REGISTER_COUNT (1u << REGISTER_BITS)

/* The exact set holds the values' 64-bit hashes, not the values: at most a few thousand of
 * them, where a collision is a one-in-billions event, and no allocation per value. The first
 * value lives inline, since most counters (a service's clients) never see a second. Hash 0
 * marks an empty slot; a value hashing to 0 is stored as 1. */
struct OddportDistinctCounter {
    uint64_t first;
    uint64_t *slots; /* open addressing, made at the second distinct value */
    size_t slot_mask;
    size_t count;
    uint8_t *registers; /* the sketch, once the exact set grew too large */
    /* The sketch's sum of 2^-register and its count of empty registers, kept up to date on every
     * change so that reading the estimate costs nothing (it is read once per omitted flow). */
    double inverse_sum;
    unsigned empty_registers;
};

OddportDistinctCounter *oddport_distinct_new(void)
{
    return g_new0(OddportDistinctCounter, 1);
}

void oddport_distinct_free(OddportDistinctCounter *counter)
{
    if (counter == NULL)
        return;
    g_free(counter->slots);
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

/* Adds a hash to the set; false when it was there already. */
static bool set_add(OddportDistinctCounter *counter, uint64_t hash)
{
    size_t index = (size_t)hash & counter->slot_mask;
    while (counter->slots[index] != 0) {
        if (counter->slots[index] == hash)
            return false;
        index = (index + 1) & counter->slot_mask;
    }
    counter->slots[index] = hash;
    counter->count++;
    return true;
}

/* Keeps the set at most half full. */
static void set_grow(OddportDistinctCounter *counter, size_t slot_count)
{
    uint64_t *old_slots = counter->slots;
    size_t old_count = old_slots != NULL ? counter->slot_mask + 1 : 0;
    counter->slots = g_new0(uint64_t, slot_count);
    counter->slot_mask = slot_count - 1;
    counter->count = 0;
    for (size_t index = 0; index < old_count; index++)
        if (old_slots[index] != 0)
            set_add(counter, old_slots[index]);
    g_free(old_slots);
}

static void switch_to_sketch(OddportDistinctCounter *counter)
{
    counter->registers = g_malloc0(REGISTER_COUNT);
    counter->inverse_sum = REGISTER_COUNT;
    counter->empty_registers = REGISTER_COUNT;
    for (size_t index = 0; index <= counter->slot_mask; index++)
        if (counter->slots[index] != 0)
            sketch_add_hash(counter, counter->slots[index]);
    g_free(counter->slots);
    counter->slots = NULL;
}

static void add_hash(OddportDistinctCounter *counter, uint64_t hash)
{
    if (counter->registers != NULL) {
        sketch_add_hash(counter, hash);
        return;
    }
    if (hash == 0)
        hash = 1;
    if (counter->slots == NULL) {
        if (counter->count == 0) {
            counter->first = hash;
            counter->count = 1;
            return;
        }
        if (hash == counter->first)
            return;
        set_grow(counter, 8);
        set_add(counter, counter->first);
    }
    if (!set_add(counter, hash))
        return;
    if (counter->count > EXACT_LIMIT)
        switch_to_sketch(counter);
    else if (counter->count * 2 > counter->slot_mask + 1)
        set_grow(counter, (counter->slot_mask + 1) * 2);
}

void oddport_distinct_add(OddportDistinctCounter *counter, const void *value, size_t length)
{
    add_hash(counter, oddport_hash_bytes(value, length));
}

void oddport_distinct_merge(OddportDistinctCounter *into, const OddportDistinctCounter *from)
{
    if (from->registers != NULL) {
        if (into->registers == NULL) {
            if (into->slots == NULL) {
                /* At most the inline first value: make it a set of one to switch. */
                uint64_t first = into->first;
                size_t count = into->count;
                set_grow(into, 8);
                if (count == 1)
                    set_add(into, first);
            }
            switch_to_sketch(into);
        }
        for (unsigned index = 0; index < REGISTER_COUNT; index++) {
            uint8_t rank = from->registers[index];
            uint8_t old_rank = into->registers[index];
            if (rank <= old_rank)
                continue;
            into->inverse_sum += ldexp(1.0, -rank) - ldexp(1.0, -old_rank);
            if (old_rank == 0)
                into->empty_registers--;
            into->registers[index] = rank;
        }
        return;
    }
    if (from->slots == NULL) {
        if (from->count == 1)
            add_hash(into, from->first);
        return;
    }
    for (size_t index = 0; index <= from->slot_mask; index++)
        if (from->slots[index] != 0)
            add_hash(into, from->slots[index]);
}

OddportDistinctCounter *oddport_distinct_copy(const OddportDistinctCounter *counter)
{
    OddportDistinctCounter *copy = g_memdup2(counter, sizeof *counter);
    if (counter->slots != NULL)
        copy->slots = g_memdup2(counter->slots, (counter->slot_mask + 1) * sizeof *copy->slots);
    if (counter->registers != NULL)
        copy->registers = g_memdup2(counter->registers, REGISTER_COUNT);
    return copy;
}

uint64_t oddport_distinct_count(const OddportDistinctCounter *counter)
{
    if (counter->registers == NULL)
        return counter->count;
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
