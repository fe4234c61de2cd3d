/* Counting distinct values (a service's clients) in bounded memory. */
#ifndef ODDPORT_DISTINCT_H
#define ODDPORT_DISTINCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exact up to a few thousand values (kept as 64-bit hashes), then a HyperLogLog estimate (about
 * 1.6% standard error) in a fixed 4 KiB, so that a flood from millions of spoofed sources cannot
 * grow it. The caller owns the counter (transfer full): oddport_distinct_free. */
typedef struct OddportDistinctCounter OddportDistinctCounter;

OddportDistinctCounter *oddport_distinct_new(void);
void oddport_distinct_free(OddportDistinctCounter *counter);

/* Adds a value given as bytes (copied when kept). */
void oddport_distinct_add(OddportDistinctCounter *counter, const void *value, size_t length);

uint64_t oddport_distinct_count(const OddportDistinctCounter *counter);

/* Whether the count is an estimate rather than exact. */
bool oddport_distinct_is_estimate(const OddportDistinctCounter *counter);

#endif
