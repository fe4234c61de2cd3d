/* The engine's open flows: the hash index with backward-shift deletion and the timeout lists. */
#include <glib.h>

#include "internal/flow_table.h"
#include "internal/object_pool.h"

/* The slots live in a mapping of their own, asking for huge pages once large: a flood's table
 * grows to a million slots, and filled in 4 KiB pages each page was a fault. */
static OddportFlowSlot *new_slots(size_t count)
{
    return oddport_large_memory_new(count * sizeof(OddportFlowSlot));
}

static void free_slots(OddportFlowSlot *slots, size_t count)
{
    oddport_large_memory_free(slots, count * sizeof(OddportFlowSlot));
}

void oddport_flow_table_init(OddportFlowTable *table,
                             const uint64_t timeouts_ns[ODDPORT_FLOW_LIST_COUNT])
{
    memset(table, 0, sizeof *table);
    table->slots = new_slots(ODDPORT_FLOW_TABLE_INITIAL_SLOTS);
    if (table->slots == NULL)
        g_error("no memory for a flow table of %d slots", ODDPORT_FLOW_TABLE_INITIAL_SLOTS);
    table->mask = ODDPORT_FLOW_TABLE_INITIAL_SLOTS - 1;
    for (unsigned list = 0; list < ODDPORT_FLOW_LIST_COUNT; list++)
        table->lists[list].timeout_ns = timeouts_ns[list];
}

void oddport_flow_table_clear(OddportFlowTable *table)
{
    if (table->slots != NULL)
        free_slots(table->slots, table->mask + 1);
    table->slots = NULL;
    table->mask = 0;
    table->count = 0;
}

static void place(OddportFlowTable *table, OddportFlowEntry *entry)
{
    size_t index = entry->hash & table->mask;
    while (table->slots[index].entry != NULL)
        index = (index + 1) & table->mask;
    table->slots[index] = (OddportFlowSlot){entry, entry->hash};
}

/* Doubles the index when one more entry would leave it more than half full (once is enough: it
 * never is); false, the table as it was, when there is no memory. */
static bool make_room_for_one(OddportFlowTable *table)
{
    size_t old_count = table->mask + 1;
    if ((table->count + 1) * 2 <= old_count)
        return true;
    size_t slot_count = old_count * 2;
    OddportFlowSlot *grown = new_slots(slot_count);
    if (grown == NULL)
        return false;
    OddportFlowSlot *old_slots = table->slots;
    table->slots = grown;
    table->mask = slot_count - 1;
    for (size_t index = 0; index < old_count; index++)
        if (old_slots[index].entry != NULL)
            place(table, old_slots[index].entry);
    free_slots(old_slots, old_count);
    return true;
}

bool oddport_flow_table_insert(OddportFlowTable *table, OddportFlowEntry *entry,
                               OddportFlowList list, uint64_t touch)
{
    if (!make_room_for_one(table))
        return false;
    place(table, entry);
    table->count++;
    oddport_flow_list_append(table, entry, list, touch);
    return true;
}

void oddport_flow_table_remove(OddportFlowTable *table, OddportFlowEntry *entry)
{
    size_t hole = entry->hash & table->mask;
    while (table->slots[hole].entry != entry)
        hole = (hole + 1) & table->mask;
    /* Entries probed past the hole move back into it, so that no lookup stops early at an
     * empty slot that used to be occupied. */
    for (size_t next = (hole + 1) & table->mask; table->slots[next].entry != NULL;
         next = (next + 1) & table->mask) {
        size_t home = table->slots[next].hash & table->mask;
        /* The entry at `next` may fill the hole unless its home lies cyclically in
         * (hole, next]. */
        bool home_after_hole =
            hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
        if (!home_after_hole) {
            table->slots[hole] = table->slots[next];
            hole = next;
        }
    }
    table->slots[hole] = (OddportFlowSlot){NULL, 0};
    table->count--;
    oddport_flow_list_unlink(table, entry);
}

void oddport_flow_table_forget_all(OddportFlowTable *table)
{
    memset(table->slots, 0, (table->mask + 1) * sizeof *table->slots);
    table->count = 0;
    for (unsigned list = 0; list < ODDPORT_FLOW_LIST_COUNT; list++)
        table->lists[list].oldest = table->lists[list].newest = NULL;
}

OddportFlowEntry *oddport_flow_table_next_expired(const OddportFlowTable *table,
                                                  OddportFlowList list, uint64_t now_ns)
{
    OddportFlowEntry *oldest = table->lists[list].oldest;
    return oldest != NULL && oddport_flow_table_entry_expired(table, oldest, now_ns) ? oldest
                                                                                     : NULL;
}

OddportFlowEntry *oddport_flow_table_eviction_victim(const OddportFlowTable *table)
{
    OddportFlowEntry *closed = table->lists[ODDPORT_FLOW_LIST_TCP_CLOSED].oldest;
    if (closed != NULL)
        return closed;
    OddportFlowEntry *tcp = table->lists[ODDPORT_FLOW_LIST_TCP_OPEN].oldest;
    OddportFlowEntry *udp = table->lists[ODDPORT_FLOW_LIST_UDP].oldest;
    return tcp == NULL                              ? udp
           : udp == NULL                            ? tcp
           : tcp->last_seen_ns <= udp->last_seen_ns ? tcp
                                                    : udp;
}
