/* libFuzzer target: the TLS detector, the server flight and certificate readers on arbitrary
 * first bytes, with their promises checked. */
#include "fuzz-common.h"

static OddportMatch detect_without_info(const uint8_t *bytes, size_t length,
                                        OddportVerdict *verdict)
{
    return oddport_detect_tls(bytes, length, verdict, NULL);
}

static void check_certificate(const OddportTlsCertificate *certificate)
{
    FUZZ_CHECK_TERMINATED(certificate->subject_cn);
    FUZZ_CHECK_TERMINATED(certificate->issuer_cn);
    FUZZ_CHECK_TERMINATED(certificate->not_before);
    FUZZ_CHECK_TERMINATED(certificate->not_after);
    /* Times are whole RFC 3339 seconds or nothing. */
    FUZZ_CHECK(strlen(certificate->not_before) == 0 ||
               strlen(certificate->not_before) == ODDPORT_TLS_TIME_TEXT_MAX - 1);
    FUZZ_CHECK(strlen(certificate->not_after) == 0 ||
               strlen(certificate->not_after) == ODDPORT_TLS_TIME_TEXT_MAX - 1);
    FUZZ_CHECK(!certificate->self_signed || certificate->self_signed_known);
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
    FUZZ_CHECK(!info.certificate.present);
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

    /* What a server sends after its ServerHello, as the side hands it over later; told that
     * nothing more comes, the reader is done. */
    if (match == ODDPORT_MATCH_YES) {
        for (int final = 0; final <= 1; final++) {
            OddportTlsInfo later = info;
            bool done = oddport_tls_read_server_flight(data, size, final != 0, &later);
            FUZZ_CHECK(done || !final);
            check_certificate(&later.certificate);
            FUZZ_CHECK(!later.certificate.present ||
                       (info.handshake_type == 2 && info.version <= 0x0303));
        }
    }
    /* The same bytes as a certificate's DER. */
    OddportTlsCertificate certificate;
    memset(&certificate, 0xa5, sizeof certificate);
    oddport_tls_read_certificate(data, size, &certificate);
    FUZZ_CHECK(certificate.present);
    check_certificate(&certificate);
    return 0;
}
