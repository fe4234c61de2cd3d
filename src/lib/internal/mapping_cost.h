/* Whether mapping a large capture would cost more than reading it, judged from timed rounds. */
#ifndef ODDPORT_MAPPING_COST_H
#define ODDPORT_MAPPING_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most rounds oddport_mapping_costs_more takes. */
enum { ODDPORT_MAPPING_ROUNDS_MAX = 9 };

/* Given `rounds` (1 to ODDPORT_MAPPING_ROUNDS_MAX) timings of reading the same bytes and of
 * mapping and touching them, in any unit as long as both use it: true when the median mapping
 * took longer than the median read. A close call reads: mapping gains a sixth at best where it
 * is cheap, and can take three times as long where it is dear. The arrays are only read. */
bool oddport_mapping_costs_more(const int64_t *read_durations, const int64_t *map_durations,
                                size_t rounds);

#endif
