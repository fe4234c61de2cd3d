/* libFuzzer target: the SSH detector on arbitrary first bytes, and the reading of the KEXINIT
 * after a banner it accepted, with their promises checked. */
#include "fuzz-common.h"

static OddportMatch detect_without_info(const uint8_t *bytes, size_t length,
                                        OddportVerdict *verdict)
{
    return oddport_detect_ssh(bytes, length, verdict, NULL);
}

/* A fingerprint is empty or 32 lowercase hexadecimal digits. */
static void check_fingerprint(const char *text)
{
    size_t length = strnlen(text, ODDPORT_SSH_HASSH_SIZE);
    FUZZ_CHECK(length == 0 || length == ODDPORT_SSH_HASSH_SIZE - 1);
    for (size_t index = 0; index < length; index++)
        FUZZ_CHECK((text[index] >= '0' && text[index] <= '9') ||
                   (text[index] >= 'a' && text[index] <= 'f'));
}

static bool read_key_exchange_init(const uint8_t *data, size_t size, bool final,
                                   const OddportSshInfo *detected, OddportSshInfo *info)
{
    *info = *detected;
    bool done = oddport_ssh_read_key_exchange_init(data, size, final, info);
    check_fingerprint(info->hassh);
    check_fingerprint(info->hassh_server);
    FUZZ_CHECK((info->hassh[0] == '\0') == (info->hassh_server[0] == '\0'));
    /* Only the fingerprints are written. */
    FUZZ_CHECK(strcmp(info->banner, detected->banner) == 0);
    FUZZ_CHECK(strcmp(info->protocol_version, detected->protocol_version) == 0);
    FUZZ_CHECK(done || !final);
    FUZZ_CHECK(done || info->hassh[0] == '\0');
    return done;
}

/* What a side does once the detector has accepted the banner: read the KEXINIT from the
 * opening as it grows. "Done" is a promise that more bytes change nothing. */
static void check_key_exchange_init(const uint8_t *data, size_t size,
                                    const OddportSshInfo *detected)
{
    OddportSshInfo whole;
    OddportSshInfo whole_final;
    bool done = read_key_exchange_init(data, size, false, detected, &whole);
    read_key_exchange_init(data, size, true, detected, &whole_final);
    if (done)
        FUZZ_CHECK(memcmp(&whole, &whole_final, sizeof whole) == 0);
    else
        FUZZ_CHECK(whole_final.hassh[0] == '\0');

    /* Prefixes at places that move with the input's last byte, as in fuzz_sweep_prefixes. */
    const size_t spread = 32;
    size_t span = size / spread;
    size_t jitter = span > 0 && size > 0 ? data[size - 1] % span : 0;
    for (size_t step = 0; step < spread; step++) {
        size_t length = step * span + jitter;
        if (length >= size)
            break;
        OddportSshInfo prefix;
        if (read_key_exchange_init(data, length, false, detected, &prefix)) {
            FUZZ_CHECK(done);
            FUZZ_CHECK(memcmp(&prefix, &whole, sizeof prefix) == 0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Filled with a pattern so that a field the detector forgets to terminate shows up. */
    OddportVerdict verdict;
    OddportSshInfo info;
    memset(&verdict, 0xa5, sizeof verdict);
    memset(&info, 0xa5, sizeof info);
    OddportMatch match = oddport_detect_ssh(data, size, &verdict, &info);
    fuzz_check_verdict(match, &verdict);
    FUZZ_CHECK_TERMINATED(info.banner);
    FUZZ_CHECK_TERMINATED(info.protocol_version);

    /* Pure: the same bytes without the details give the same verdict. */
    OddportVerdict again;
    memset(&again, 0x5a, sizeof again);
    FUZZ_CHECK(detect_without_info(data, size, &again) == match);
    FUZZ_CHECK(again.confidence == verdict.confidence && again.role == verdict.role);
    FUZZ_CHECK(strcmp(again.evidence, verdict.evidence) == 0);

    fuzz_sweep_prefixes(detect_without_info, data, size, match);
    if (match == ODDPORT_MATCH_YES)
        check_key_exchange_init(data, size, &info);
    return 0;
}
