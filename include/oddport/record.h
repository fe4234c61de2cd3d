/* A flow record's members, described once and walked by every format that writes flows. */
#ifndef ODDPORT_RECORD_H
#define ODDPORT_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "oddport/flow.h"
#include "oddport/protocol.h"

/* Receives a record's members in order, as a JSON writer would write them. Names are oddport's
 * own constant names (lowercase ASCII and '_'); values inside an array come without a name
 * (NULL). A nested object is announced by begin_object and closed by end_object; `present`
 * false stands for an absent object (JSON null), whose members follow all the same, null or
 * empty, so that a flat format such as CSV gets the same columns from every record. A string
 * is never NULL (a missing text comes as null) and may hold any byte from the wire: each format
 * escapes it its own way. Every callback must be set. */
typedef struct OddportRecordVisitor {
    void (*begin_object)(const char *name, bool present, void *data);
    void (*end_object)(void *data);
    void (*begin_array)(const char *name, void *data);
    void (*end_array)(void *data);
    void (*string)(const char *name, const char *value, void *data);
    void (*unsigned_integer)(const char *name, uint64_t value, void *data);
    void (*boolean)(const char *name, bool value, void *data);
    void (*null)(const char *name, void *data);
    /* A time, for the format to write: RFC 3339 with `digits` fractional digits (6 or 9). */
    void (*time)(const char *name, uint64_t timestamp_ns, unsigned digits, void *data);
    /* True when the format writes an absent object as a whole (JSON's null) and ignores the
     * members inside it: the walk then does not produce them. A format with a place for every
     * member (CSV's columns) leaves it false and gets them all, as nulls. */
    bool skips_absent_members;
} OddportRecordVisitor;

/* Walks a finished flow's members (id, transport, client, server, vlan, app ... s2c), without
 * the braces around them: the caller opens and closes the record, and may add members of its
 * own first. `data` is passed to every callback. */
void oddport_flow_record_walk(const OddportFlowReport *flow, const OddportRecordVisitor *visitor,
                              void *data);

/* The one-line summary of what a flow's protocol says of its sides (fingerprints, a
 * certificate's names: the protocol's summarise_fields), into `text` (NUL-terminated, cut to
 * `capacity`; empty when there is nothing to say): from its sides' details, or for a flow read
 * back from a report, from the fields the report gave. */
void oddport_flow_summarise(const OddportFlowReport *flow, char *text, size_t capacity);

/* A text member that is null when there is no text (NULL or ""). */
static inline void oddport_record_text(const OddportRecordVisitor *visitor, const char *name,
                                       const char *text, void *data)
{
    if (text != NULL && text[0] != '\0')
        visitor->string(name, text, data);
    else
        visitor->null(name, data);
}

#endif
