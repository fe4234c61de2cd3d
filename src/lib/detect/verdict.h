/* What the detectors share for writing verdicts and copying wire text (internal to liboddport). */
#ifndef ODDPORT_DETECT_VERDICT_H
#define ODDPORT_DETECT_VERDICT_H

#include <stddef.h>
#include <string.h>

#include "internal/cursor.h"
#include "oddport/detect.h"

/* Adds at most `limit` characters of `text` to an evidence line, up to its first NUL and as much
 * as fits, keeping the line NUL-terminated. `text` is read no further than that, so it need not
 * end within `limit`. In one copy, not byte by byte: every detector that turns a payload down
 * says why here, a few times a flow. */
static inline void oddport_evidence_append_at_most(char evidence[ODDPORT_EVIDENCE_MAX],
                                                   const char *text, size_t limit)
{
    size_t used = strlen(evidence);
    size_t room = ODDPORT_EVIDENCE_MAX - 1 - used;
    size_t length = strnlen(text, limit < room ? limit : room);
    memcpy(evidence + used, text, length);
    evidence[used + length] = '\0';
}

static inline void oddport_evidence_append(char evidence[ODDPORT_EVIDENCE_MAX], const char *text)
{
    oddport_evidence_append_at_most(evidence, text, ODDPORT_EVIDENCE_MAX);
}

static inline void oddport_verdict_set(OddportVerdict *verdict, OddportMatch match,
                                       OddportConfidence confidence, OddportRole role,
                                       const char *evidence)
{
    verdict->match = match;
    verdict->confidence = confidence;
    verdict->role = role;
    verdict->evidence[0] = '\0';
    oddport_evidence_append(verdict->evidence, evidence);
}

static inline OddportMatch oddport_verdict_reject(OddportVerdict *verdict, const char *why)
{
    oddport_verdict_set(verdict, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE, ODDPORT_ROLE_EITHER,
                        why);
    return ODDPORT_MATCH_NO;
}

/* Copies wire text into a field: cut to the buffer, stopped at an embedded NUL, never escaped
 * (the report writers escape). */
static inline void oddport_copy_wire_text(char *destination, size_t capacity, OddportCursor text)
{
    size_t used = 0;
    uint8_t byte;
    while (used + 1 < capacity && oddport_cursor_u8(&text, &byte) && byte != '\0')
        destination[used++] = (char)byte;
    destination[used] = '\0';
}

#endif
