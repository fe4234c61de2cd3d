/* A service's busiest clients in bounded memory: exact while few, Space-Saving when many. */
#ifndef ODDPORT_TOP_CLIENTS_H
#define ODDPORT_TOP_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oddport/tally.h"

/* Follows at most ODDPORT_TOP_CLIENTS_TRACKED distinct clients. While no more than that many
 * have been seen every count is exact. Past that, a new client takes the place of the one with
 * the fewest flows and inherits its flow count plus one (the Space-Saving algorithm of Metwally,
 * Agrawal and El Abbadi, 2005): every client with more than 1/ODDPORT_TOP_CLIENTS_TRACKED of the
 * flows is then still followed, a followed client's flows may be overcounted by at most the
 * count it inherited, and its bytes and first time count from when it was last taken in. Memory
 * grows with the clients followed, so a service with one client costs one entry. The caller owns
 * it (transfer full): oddport_top_clients_free. */
typedef struct OddportTopClients OddportTopClients;

OddportTopClients *oddport_top_clients_new(void);
void oddport_top_clients_free(OddportTopClients *top);

/* Counts one flow of `address`. Without memory to follow one more client the flow is left out
 * and the counts are no longer called exact. */
void oddport_top_clients_add(OddportTopClients *top, const OddportAddress *address, uint64_t bytes,
                             uint64_t first_seen_ns);

/* Adds the clients `from` follows to `into` (`from` is borrowed). Exact when both are exact and
 * together they have at most ODDPORT_TOP_CLIENTS_TRACKED distinct clients: the same counts as
 * adding every flow of both to one. Otherwise the merge of Space-Saving summaries (Agarwal et
 * al., "Mergeable summaries", 2012): counts of a client followed by both are summed, the
 * ODDPORT_TOP_CLIENTS_TRACKED clients with the most flows are kept, and the result is marked not
 * exact; the guarantee stays (a client with more than 1/ODDPORT_TOP_CLIENTS_TRACKED of all flows
 * is followed), but the list may differ from the one a single pass would have made. */
void oddport_top_clients_merge(OddportTopClients *into, const OddportTopClients *from);

/* A copy of `top` (transfer full). */
OddportTopClients *oddport_top_clients_copy(const OddportTopClients *top);

/* Writes up to `max` clients with the most flows (then most bytes, the earliest, the smallest
 * address) into `clients` and returns how many. `exact` (may be NULL) says whether every count
 * is exact, as it is while no client had to make room for another. */
size_t oddport_top_clients_list(const OddportTopClients *top, OddportTopClient *clients, size_t max,
                                bool *exact);

#endif
