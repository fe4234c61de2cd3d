/* A service's busiest clients, exact while few and bounded (Space-Saving) when many. */
#include <string.h>

#include <glib.h>

#include "internal/top_clients.h"

struct OddportTopClients {
    uint32_t count;
    uint32_t capacity;
    bool replaced; /* a client made room for another, or found none: counts are not exact */
    OddportTopClient *entries;
};

OddportTopClients *oddport_top_clients_new(void)
{
    return g_new0(OddportTopClients, 1);
}

void oddport_top_clients_free(OddportTopClients *top)
{
    if (top == NULL)
        return;
    g_free(top->entries);
    g_free(top);
}

static bool same_address(const OddportAddress *left, const OddportAddress *right)
{
    return memcmp(left, right, sizeof *left) == 0;
}

void oddport_top_clients_add(OddportTopClients *top, const OddportAddress *address, uint64_t bytes,
                             uint64_t first_seen_ns)
{
    for (uint32_t index = 0; index < top->count; index++) {
        OddportTopClient *entry = &top->entries[index];
        if (same_address(&entry->address, address)) {
            entry->flows++;
            entry->bytes += bytes;
            if (first_seen_ns < entry->first_seen_ns)
                entry->first_seen_ns = first_seen_ns;
            return;
        }
    }
    if (top->count < ODDPORT_TOP_CLIENTS_TRACKED) {
        /* Grown by doubling, so that the many services with one or two clients stay small. */
        if (top->count == top->capacity) {
            uint32_t capacity = top->capacity == 0 ? 1 : top->capacity * 2;
            if (capacity > ODDPORT_TOP_CLIENTS_TRACKED)
                capacity = ODDPORT_TOP_CLIENTS_TRACKED;
            OddportTopClient *entries = g_try_renew(OddportTopClient, top->entries, capacity);
            if (entries == NULL) {
                top->replaced = true;
                return;
            }
            top->entries = entries;
            top->capacity = capacity;
        }
        top->entries[top->count++] = (OddportTopClient){*address, 1, bytes, first_seen_ns, 0};
        return;
    }
    /* Space-Saving: the client with the fewest flows (the first of them, so runs repeat) makes
     * room, and the newcomer may have had as many flows while it was not followed. */
    OddportTopClient *fewest = &top->entries[0];
    for (uint32_t index = 1; index < top->count; index++)
        if (top->entries[index].flows < fewest->flows)
            fewest = &top->entries[index];
    *fewest = (OddportTopClient){*address, fewest->flows + 1, bytes, first_seen_ns, fewest->flows};
    top->replaced = true;
}

static int compare_clients(const void *left_pointer, const void *right_pointer)
{
    const OddportTopClient *left = left_pointer;
    const OddportTopClient *right = right_pointer;
    if (left->flows != right->flows)
        return left->flows > right->flows ? -1 : 1;
    if (left->bytes != right->bytes)
        return left->bytes > right->bytes ? -1 : 1;
    if (left->first_seen_ns != right->first_seen_ns)
        return left->first_seen_ns < right->first_seen_ns ? -1 : 1;
    return memcmp(&left->address, &right->address, sizeof left->address);
}

size_t oddport_top_clients_list(const OddportTopClients *top, OddportTopClient *clients, size_t max,
                                bool *exact)
{
    if (exact != NULL)
        *exact = top == NULL || !top->replaced;
    if (top == NULL || top->count == 0)
        return 0;
    OddportTopClient sorted[ODDPORT_TOP_CLIENTS_TRACKED];
    memcpy(sorted, top->entries, top->count * sizeof *sorted);
    qsort(sorted, top->count, sizeof *sorted, compare_clients);
    size_t listed = MIN((size_t)top->count, max);
    memcpy(clients, sorted, listed * sizeof *clients);
    return listed;
}

OddportTopClients *oddport_top_clients_copy(const OddportTopClients *top)
{
    OddportTopClients *copy = g_memdup2(top, sizeof *top);
    copy->entries =
        top->capacity > 0 ? g_memdup2(top->entries, top->capacity * sizeof *top->entries) : NULL;
    return copy;
}

void oddport_top_clients_merge(OddportTopClients *into, const OddportTopClients *from)
{
    OddportTopClient merged[2 * ODDPORT_TOP_CLIENTS_TRACKED];
    uint32_t count = into->count;
    if (count > 0)
        memcpy(merged, into->entries, count * sizeof *merged);
    for (uint32_t from_index = 0; from_index < from->count; from_index++) {
        const OddportTopClient *client = &from->entries[from_index];
        uint32_t index = 0;
        while (index < count && !same_address(&merged[index].address, &client->address))
            index++;
        if (index == count) {
            merged[count++] = *client;
            continue;
        }
        merged[index].flows += client->flows;
        merged[index].flows_uncertain += client->flows_uncertain;
        merged[index].bytes += client->bytes;
        if (client->first_seen_ns < merged[index].first_seen_ns)
            merged[index].first_seen_ns = client->first_seen_ns;
    }
    into->replaced = into->replaced || from->replaced;
    if (count > ODDPORT_TOP_CLIENTS_TRACKED) {
        /* Most flows first, as listed, so that the kept ones are the busiest. */
        qsort(merged, count, sizeof *merged, compare_clients);
        count = ODDPORT_TOP_CLIENTS_TRACKED;
        into->replaced = true;
    }
    if (count > into->capacity) {
        into->entries = g_renew(OddportTopClient, into->entries, count);
        into->capacity = count;
    }
    if (count > 0)
        memcpy(into->entries, merged, count * sizeof *merged);
    into->count = count;
}
