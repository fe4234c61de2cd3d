/* The harness the HTTP, TLS and SSH detector tests share: a checked call and expectations. */
#ifndef ODDPORT_TEST_DETECT_HARNESS_H
#define ODDPORT_TEST_DETECT_HARNESS_H

#include <string.h>

#include <glib.h>

#include "oddport/detect.h"

/* Defines, for a detector and its info type, `detect` (the detector on an exactly sized heap
 * copy, so that reading one byte too far is caught by the address sanitizer, with the outputs
 * poisoned first and checked after with the test's own assert_well_formed), `detect_text`,
 * `expect` (a text gives this match and confidence) and `expect_no`. */
#define ODDPORT_DETECT_HARNESS(InfoType, detector)                                                 \
    static OddportMatch detect(const void *bytes, size_t length, OddportVerdict *verdict,          \
                               InfoType *info)                                                     \
    {                                                                                              \
        uint8_t *copy = g_malloc(length);                                                          \
        if (length > 0)                                                                            \
            memcpy(copy, bytes, length);                                                           \
        memset(verdict, 0x5a, sizeof *verdict);                                                    \
        memset(info, 0x5a, sizeof *info);                                                          \
        OddportMatch match = detector(copy, length, verdict, info);                                \
        g_free(copy);                                                                              \
        g_assert_cmpint(match, ==, verdict->match);                                                \
        assert_well_formed(verdict, info);                                                         \
        return match;                                                                              \
    }                                                                                              \
                                                                                                   \
    G_GNUC_UNUSED static OddportMatch detect_text(const char *text, OddportVerdict *verdict,       \
                                                  InfoType *info)                                  \
    {                                                                                              \
        return detect(text, strlen(text), verdict, info);                                          \
    }                                                                                              \
                                                                                                   \
    G_GNUC_UNUSED static void expect_text(const void *bytes, size_t length, OddportMatch match,    \
                                          OddportConfidence confidence)                            \
    {                                                                                              \
        OddportVerdict verdict;                                                                    \
        InfoType info;                                                                             \
        detect(bytes, length, &verdict, &info);                                                    \
        if (verdict.match != match || verdict.confidence != confidence)                            \
            g_test_message("got match %d confidence %d (%s)", verdict.match, verdict.confidence,   \
                           verdict.evidence);                                                      \
        g_assert_cmpint(verdict.match, ==, match);                                                 \
        g_assert_cmpint(verdict.confidence, ==, confidence);                                       \
    }

#endif
