/* The engine's open flows: a hash index by flow key and timeout lists, oldest first. */
#ifndef ODDPORT_FLOW_TABLE_H
#define ODDPORT_FLOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal/hash.h"
#include "internal/prefetch.h"
#include "internal/word_scan.h"
#include "oddport/decode.h"

/* The eight bytes at `bytes` as a number, the first byte the most significant: numbers so read
 * compare as their bytes do one by one. Spelled out, so that compilers see one byte-swapping
 * load. */
static inline uint64_t oddport_big_endian_word(const uint8_t bytes[8])
{
    return (uint64_t)bytes[0] << 56 | (uint64_t)bytes[1] << 48 | (uint64_t)bytes[2] << 40 |
           (uint64_t)bytes[3] << 32 | (uint64_t)bytes[4] << 24 | (uint64_t)bytes[5] << 16 |
           (uint64_t)bytes[6] << 8 | (uint64_t)bytes[7];
}

/* Orders two addresses as memcmp orders their bytes (family first, then the address bytes):
 * negative, zero or positive. Inline and without a library call, since the engine orders a
 * flow's two endpoints this way on every packet. */
static inline int oddport_address_compare(const OddportAddress *left, const OddportAddress *right)
{
    if (left->family != right->family)
        return left->family < right->family ? -1 : 1;
    for (unsigned half = 0; half < 2; half++) {
        uint64_t left_word = oddport_big_endian_word(left->bytes + 8 * half);
        uint64_t right_word = oddport_big_endian_word(right->bytes + 8 * half);
        if (left_word != right_word)
            return left_word < right_word ? -1 : 1;
    }
    return 0;
}

/* A flow's identity with its two endpoints in a fixed order (the smaller first, by
 * oddport_address_compare and then port), so both directions find the same entry. Zero-filled
 * before use: it is compared as bytes. */
typedef struct {
    OddportAddress address[2];
    uint16_t port[2];
    uint16_t vlan_id;
    uint8_t transport;
    uint8_t has_vlan;
} OddportFlowKey;

/* The timeout lists: each has its own idle time, and eviction prefers closed connections. */
typedef enum {
    ODDPORT_FLOW_LIST_TCP_OPEN,
    ODDPORT_FLOW_LIST_UDP,
    ODDPORT_FLOW_LIST_TCP_CLOSED,
} OddportFlowList;

#define ODDPORT_FLOW_LIST_COUNT 3
_Static_assert(ODDPORT_FLOW_LIST_TCP_CLOSED + 1 == ODDPORT_FLOW_LIST_COUNT,
               "ODDPORT_FLOW_LIST_COUNT must follow the last list");

/* What the table knows of a flow; the caller embeds it in its own flow record and owns that
 * record: the table only links it. The caller fills `key` and `hash` before inserting and keeps
 * `last_seen_ns` up to date; the table keeps the rest. */
typedef struct OddportFlowEntry {
    OddportFlowKey key;
    uint8_t list;  /* OddportFlowList the entry is on; in the key's padding */
    uint32_t hash; /* of the key (oddport_flow_key_hash), or any value a test chooses */
    uint64_t last_seen_ns;
    /* When the entry was last touched, in the caller's own increasing count (the engine uses
     * record positions): the order of each list, and what lets runs that split the flows
     * between several tables agree on an order. */
    uint64_t last_touch;
    struct OddportFlowEntry *older; /* neighbours in its list, least recently touched first */
    struct OddportFlowEntry *newer;
} OddportFlowEntry;

_Static_assert(sizeof(OddportFlowEntry) <= 80, "the key and the list's number share a word");

typedef struct {
    OddportFlowEntry *oldest;
    OddportFlowEntry *newest;
    uint64_t timeout_ns;
} OddportFlowListHead;

/* One slot of the index: an entry, with its hash beside it in the same cache line. */
typedef struct {
    OddportFlowEntry *entry; /* NULL where the slot is free */
    uint32_t hash;           /* entry->hash where the slot is taken */
} OddportFlowSlot;

/* Open addressing with linear probing: a lookup per packet is most of the table's work, and
 * probing an array of slots beats a general hash table that calls back for every hash and
 * comparison. Each slot keeps its entry's hash as well as the entry itself, so that probing past
 * other flows, as a new flow's lookup and a deletion do, reads no flow record; and the two sit
 * together, so that a probe costs one cache miss, not two: with many flows open, as in a flood,
 * those misses are much of the run. Deletion moves back the entries probed past the hole (no
 * tombstones), and the table stays at most half full. */
typedef struct {
    OddportFlowSlot *slots;
    size_t mask; /* slot count - 1, a power of two minus one */
    size_t count;
    OddportFlowListHead lists[ODDPORT_FLOW_LIST_COUNT];
} OddportFlowTable;

enum { ODDPORT_FLOW_TABLE_INITIAL_SLOTS = 1024 };

/* An empty table whose lists finish entries idle longer than `timeouts_ns[list]`. Free its
 * index with oddport_flow_table_clear; the entries stay the caller's. */
void oddport_flow_table_init(OddportFlowTable *table,
                             const uint64_t timeouts_ns[ODDPORT_FLOW_LIST_COUNT]);
void oddport_flow_table_clear(OddportFlowTable *table);

/* The hash of the key these fields make, `first` and `second` in key order. A function of the
 * fields rather than of the key's bytes, so that the engine can hash a packet's endpoints where
 * they already lie while it fills the key: loading whole words of a key just stored byte by
 * byte waits for those stores. The addresses' halves go through two independent chains of
 * oddport_hash_step and the rest is one word, all joined by oddport_hash_finish: fewer
 * dependent multiplies than one chain over the key. Words are read in the machine's byte order,
 * since a hash only has to agree within a run; of a family only whether it is 6 counts, since
 * the only others are 4 and, in a test's key, 0. Inline, as the lookup and the touch below: the
 * per-packet calls, worth their place in the caller's loop. */
static inline uint32_t oddport_flow_hash_fields(const OddportAddress *first,
                                                const OddportAddress *second, uint16_t first_port,
                                                uint16_t second_port, uint16_t vlan_id,
                                                uint8_t transport, bool has_vlan)
{
    uint64_t high =
        oddport_hash_step(oddport_hash_step(0x9e3779b97f4a7c15u, oddport_word_load(first->bytes)),
                          oddport_word_load(second->bytes));
    uint64_t low = oddport_hash_step(
        oddport_hash_step(0xc2b2ae3d27d4eb4fu, oddport_word_load(first->bytes + 8)),
        oddport_word_load(second->bytes + 8));
    uint64_t rest = (uint64_t)first_port | (uint64_t)second_port << 16 | (uint64_t)vlan_id << 32 |
                    (uint64_t)transport << 48 | (uint64_t)(first->family == 6) << 56 |
                    (uint64_t)(second->family == 6) << 57 | (uint64_t)has_vlan << 58;
    return (uint32_t)oddport_hash_finish(high ^ (low << 29 | low >> 35) ^
                                         rest * 0x9fb21c651e98df25u);
}

/* The hash of a whole key, the same as oddport_flow_hash_fields of its parts: for a caller that
 * has the key itself, as the flow table's tests do. */
static inline uint32_t oddport_flow_key_hash(const OddportFlowKey *key)
{
    return oddport_flow_hash_fields(&key->address[0], &key->address[1], key->port[0], key->port[1],
                                    key->vlan_id, key->transport, key->has_vlan);
}

static inline OddportFlowEntry *oddport_flow_table_lookup(const OddportFlowTable *table,
                                                          const OddportFlowKey *key, uint32_t hash)
{
    for (size_t index = hash & table->mask;; index = (index + 1) & table->mask) {
        const OddportFlowSlot *slot = &table->slots[index];
        if (slot->entry == NULL)
            return NULL;
        if (slot->hash == hash && memcmp(&slot->entry->key, key, sizeof *key) == 0)
            return slot->entry;
    }
}

/* Asks for the slot a lookup of `hash` starts at, ahead of a lookup or removal: with many flows
 * open each is a wait on memory. Only a hint: the table may have grown by then. */
static inline void oddport_flow_table_fetch_slot(const OddportFlowTable *table, uint32_t hash)
{
    __builtin_prefetch(&table->slots[hash & table->mask]);
}

/* The second step, once the slot has come: asks for the entry in the slot a lookup of `hash`
 * starts at, the one it finds unless probing goes on, to be read and written (a packet updates
 * its flow's times and list links). It reads the slot, so the table must be the current one;
 * the entry is only named, never read, so one finished since is harmless. */
static inline void oddport_flow_table_fetch_entry(const OddportFlowTable *table, uint32_t hash)
{
    const OddportFlowEntry *entry = table->slots[hash & table->mask].entry;
    if (entry != NULL)
        oddport_fetch_for_writing(entry, sizeof *entry);
}

/* Indexes `entry` (transfer none: the caller keeps it alive until it is removed) and puts it
 * newest on `list` with `touch`. Returns false, leaving the table as it was, when there is no
 * memory to grow the index. The key must not be in the table already. */
bool oddport_flow_table_insert(OddportFlowTable *table, OddportFlowEntry *entry,
                               OddportFlowList list, uint64_t touch);

/* Takes an entry that is in the table out of the index and its list. */
void oddport_flow_table_remove(OddportFlowTable *table, OddportFlowEntry *entry);

/* Takes every entry out of the index and the lists at once, keeping the index's size: for a
 * caller that has gathered the entries to finish them all, which removing them one by one
 * would make wait on memory for each. The entries are left as they were, links included, and
 * stay the caller's. */
void oddport_flow_table_forget_all(OddportFlowTable *table);

static inline void oddport_flow_list_unlink(OddportFlowTable *table, OddportFlowEntry *entry)
{
    OddportFlowListHead *list = &table->lists[entry->list];
    if (entry->older != NULL)
        entry->older->newer = entry->newer;
    else
        list->oldest = entry->newer;
    if (entry->newer != NULL)
        entry->newer->older = entry->older;
    else
        list->newest = entry->older;
    entry->older = entry->newer = NULL;
}

static inline void oddport_flow_list_append(OddportFlowTable *table, OddportFlowEntry *entry,
                                            OddportFlowList which, uint64_t touch)
{
    OddportFlowListHead *list = &table->lists[which];
    entry->list = (uint8_t)which;
    entry->last_touch = touch;
    entry->older = list->newest;
    entry->newer = NULL;
    if (list->newest != NULL)
        list->newest->newer = entry;
    else
        list->oldest = entry;
    list->newest = entry;
}

/* Moves an entry to the newest end of `list`, touched at `touch`. */
static inline void oddport_flow_table_touch(OddportFlowTable *table, OddportFlowEntry *entry,
                                            OddportFlowList list, uint64_t touch)
{
    /* Packets of one flow often come in runs: the newest entry stays where it is, and its
     * neighbours' lines, which moving it would write, are not fetched. */
    if (entry->list == list && table->lists[list].newest == entry) {
        entry->last_touch = touch;
        return;
    }
    oddport_flow_list_unlink(table, entry);
    oddport_flow_list_append(table, entry, list, touch);
}

/* Whether `entry` has been idle longer than its list's timeout at `now_ns`. */
static inline bool oddport_flow_table_entry_expired(const OddportFlowTable *table,
                                                    const OddportFlowEntry *entry, uint64_t now_ns)
{
    return entry->last_seen_ns + table->lists[entry->list].timeout_ns < now_ns;
}

/* The list's least recently touched entry if it has been idle longer than the list's timeout at
 * `now_ns`, else NULL. An expiry sweep takes these one by one, removing each, and stops at the
 * first NULL: what stays on the list after it is younger or was touched later. */
OddportFlowEntry *oddport_flow_table_next_expired(const OddportFlowTable *table,
                                                  OddportFlowList list, uint64_t now_ns);

/* The entry to finish when the table is full: the oldest closed connection (it only waits for
 * stray last packets), else whichever open flow, TCP or UDP, was seen least recently (TCP on a
 * tie). NULL when the table is empty. */
OddportFlowEntry *oddport_flow_table_eviction_victim(const OddportFlowTable *table);

#endif
