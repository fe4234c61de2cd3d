/* A flow record's members, described once and walked by every format that writes flows. */
#ifndef ODDPORT_RECORD_H
#define ODDPORT_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "oddport/classify.h"

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
} OddportRecordVisitor;

/* Walks a finished flow's members (id, transport, client, server, vlan, app ... s2c), without
 * the braces around them: the caller opens and closes the record, and may add members of its
 * own first. `data` is passed to every callback. */
void oddport_flow_record_walk(const OddportFlowReport *flow, const OddportRecordVisitor *visitor,
                              void *data);

/* A text member that is null when there is no text (NULL or ""). */
static inline void oddport_record_text(const OddportRecordVisitor *visitor, const char *name,
                                       const char *text, void *data)
{
    if (text != NULL && text[0] != '\0')
        visitor->string(name, text, data);
    else
        visitor->null(name, data);
}

/* Describes one app's own members of a flow record (the `http`, `tls` and `ssh` objects). The
 * walker has opened the app's object, present when either side is that app; `client` and
 * `server` are that side's result when it is this app and NULL otherwise. Every member is
 * described every time, null when there is nothing to say, so that flat formats keep their
 * columns. */
typedef void (*OddportDescribeFields)(const OddportSideResult *client,
                                      const OddportSideResult *server,
                                      const OddportRecordVisitor *visitor, void *data);

void oddport_describe_http(const OddportSideResult *client, const OddportSideResult *server,
                           const OddportRecordVisitor *visitor, void *data);
void oddport_describe_tls(const OddportSideResult *client, const OddportSideResult *server,
                          const OddportRecordVisitor *visitor, void *data);
void oddport_describe_ssh(const OddportSideResult *client, const OddportSideResult *server,
                          const OddportRecordVisitor *visitor, void *data);

typedef struct {
    OddportApp app;
    const char *name; /* the record member holding the app's object */
    OddportDescribeFields describe;
} OddportAppRecord;

/* Every recognised app's part of the record, in the record's order: one row per app but
 * unknown, which the definition checks at compile time (transfer none). */
#define ODDPORT_APP_RECORD_COUNT (ODDPORT_APP_COUNT - 1)
extern const OddportAppRecord oddport_app_records[];

#endif
