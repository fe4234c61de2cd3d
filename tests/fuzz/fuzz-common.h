/* Helpers shared by the fuzz targets: the entry point's prototype and checks that abort loudly. */
#ifndef ODDPORT_FUZZ_COMMON_H
#define ODDPORT_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oddport/detect.h"

/* The libFuzzer entry point each target defines; declared here so -Wmissing-prototypes holds. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant that failed: abort() so that libFuzzer and the seed driver both stop on it with the
 * input saved, and a sanitizer (when present) prints the stack. */
#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition);      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A text field the detectors copy from the wire must end inside its own buffer. */
#define FUZZ_CHECK_TERMINATED(field) FUZZ_CHECK(memchr((field), '\0', sizeof(field)) != NULL)

/* What every verdict promises, whatever the bytes. */
static inline void fuzz_check_verdict(OddportMatch match, const OddportVerdict *verdict)
{
    FUZZ_CHECK(match == verdict->match);
    FUZZ_CHECK(match == ODDPORT_MATCH_NO || match == ODDPORT_MATCH_NEED_MORE ||
               match == ODDPORT_MATCH_YES);
    FUZZ_CHECK(verdict->confidence <= ODDPORT_CONFIDENCE_HIGH);
    FUZZ_CHECK(verdict->role <= ODDPORT_ROLE_SERVER);
    FUZZ_CHECK_TERMINATED(verdict->evidence);
    if (match == ODDPORT_MATCH_YES)
        FUZZ_CHECK(verdict->confidence >= ODDPORT_CONFIDENCE_LOW);
}

/* A detector as the prefix sweep calls it: bytes in, match out, no details wanted. */
typedef OddportMatch (*FuzzDetector)(const uint8_t *bytes, size_t length, OddportVerdict *verdict);

/* Runs `detect` on prefixes of the input: every one up to 16 bytes (where magic numbers and
 * methods decide), then 16 more spread over the rest at places that move with the input's last
 * byte, so that across a campaign every prefix is tried while one input stays cheap. A prefix that
 * says NO promises that more bytes will not change that, so the whole input must say NO too: the
 * per-side detection strikes a detector out on NO and never asks it again. */
static inline void fuzz_sweep_prefixes(FuzzDetector detect, const uint8_t *data, size_t size,
                                       OddportMatch whole)
{
    const size_t dense = 16;
    const size_t spread = 16;
    for (size_t step = 0; step < dense + spread; step++) {
        size_t length = step;
        if (step >= dense) {
            if (size <= dense)
                break;
            size_t span = (size - dense) / spread;
            size_t jitter = span > 0 ? data[size - 1] % span : 0;
            length = dense + (step - dense) * span + jitter;
        }
        if (length >= size)
            break;
        OddportVerdict verdict;
        memset(&verdict, 0xa5, sizeof verdict);
        OddportMatch match = detect(data, length, &verdict);
        fuzz_check_verdict(match, &verdict);
        if (match == ODDPORT_MATCH_NO)
            FUZZ_CHECK(whole == ODDPORT_MATCH_NO);
    }
}

#endif
