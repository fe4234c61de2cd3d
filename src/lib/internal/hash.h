/* The byte hash used for oddport's own hash tables and counters (internal to liboddport). */
#ifndef ODDPORT_HASH_H
#define ODDPORT_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* One word into a running hash: a multiply-and-fold round. */
static inline uint64_t oddport_hash_step(uint64_t hash, uint64_t word)
{
    hash = (hash ^ word) * 0xff51afd7ed558ccdu;
    return hash ^ hash >> 32;
}

/* A full final mix, so that low bits (a table's slot) and high bits (a sketch's register, a
 * worker's share) both depend on every input bit. */
static inline uint64_t oddport_hash_finish(uint64_t hash)
{
    hash ^= hash >> 33;
    hash *= 0xff51afd7ed558ccdu;
    hash ^= hash >> 33;
    hash *= 0xc4ceb9fe1a85ec53u;
    hash ^= hash >> 33;
    return hash;
}

/* Eight bytes at a time with a multiply-and-fold mix: keys are short and fixed-size, and a
 * byte-wise hash showed up in profiles of the per-packet path. */
static inline uint64_t oddport_hash_bytes(const void *bytes, size_t length)
{
    const uint8_t *data = bytes;
    uint64_t hash = 0x9e3779b97f4a7c15u ^ length;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, data, 8);
        hash = oddport_hash_step(hash, word);
        data += 8;
        length -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, data, length);
    return oddport_hash_finish(hash ^ tail);
}

#endif
