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

/* Adds every value `from` has seen to `into` (`from` is borrowed). Exact: the result is the
 * counter one would have had by adding both counters' values to one, in any order, since the
 * set holds hashes and the sketch keeps each register's maximum. A set grown past the exact
 * limit becomes a sketch as it would when adding. */
void oddport_distinct_merge(OddportDistinctCounter *into, const OddportDistinctCounter *from);

/* A copy of `counter` (transfer full). */
OddportDistinctCounter *oddport_distinct_copy(const OddportDistinctCounter *counter);

/* Whether the count is an estimate rather than exact. */
bool oddport_distinct_is_estimate(const OddportDistinctCounter *counter);

#endif
