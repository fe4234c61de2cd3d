/* libFuzzer target: the TLS detector on arbitrary first bytes, with its promises checked. */
#include "fuzz-common.h"

static OddportMatch detect_without_info(const uint8_t *bytes, size_t length,
                                        OddportVerdict *verdict)
{
    return oddport_detect_tls(bytes, length, verdict, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Filled with a pattern so that a field the detector forgets to terminate shows up. */
    OddportVerdict verdict;
    OddportTlsInfo info;
    memset(&verdict, 0xa5, sizeof verdict);
    memset(&info, 0xa5, sizeof info);
    OddportMatch match = oddport_detect_tls(data, size, &verdict, &info);
    fuzz_check_verdict(match, &verdict);
    FUZZ_CHECK_TERMINATED(info.sni);
    FUZZ_CHECK(info.alpn_count <= ODDPORT_TLS_ALPN_MAX_COUNT);
    for (unsigned index = 0; index < info.alpn_count; index++)
        FUZZ_CHECK_TERMINATED(info.alpn[index]);
    /* Fingerprints are whole or absent, and only a hello that was recognised has them. */
    FUZZ_CHECK_TERMINATED(info.ja3);
    FUZZ_CHECK_TERMINATED(info.ja4);
    FUZZ_CHECK(strlen(info.ja3) == 0 || strlen(info.ja3) == ODDPORT_TLS_JA3_TEXT_MAX - 1);
    FUZZ_CHECK(strlen(info.ja4) == 0 || strlen(info.ja4) == ODDPORT_TLS_JA4_TEXT_MAX - 1);
    if (match != ODDPORT_MATCH_YES)
        FUZZ_CHECK(info.ja3[0] == '\0' && info.ja4[0] == '\0');
    /* The version name is looked up for reports; any value must be safe to ask about. */
    (void)oddport_tls_version_name(info.version);
    (void)oddport_tls_version_name(info.hello_version);

    /* Pure: the same bytes without the details give the same verdict. */
    OddportVerdict again;
    memset(&again, 0x5a, sizeof again);
    FUZZ_CHECK(detect_without_info(data, size, &again) == match);
    FUZZ_CHECK(again.confidence == verdict.confidence && again.role == verdict.role);
    FUZZ_CHECK(strcmp(again.evidence, verdict.evidence) == 0);

    fuzz_sweep_prefixes(detect_without_info, data, size, match);

    return 0;
}
