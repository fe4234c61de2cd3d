/* libFuzzer target: the SSH detector on arbitrary first bytes, with its promises checked. */
#include "fuzz-common.h"

static OddportMatch detect_without_info(const uint8_t *bytes, size_t length,
                                        OddportVerdict *verdict)
{
    return oddport_detect_ssh(bytes, length, verdict, NULL);
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
    return 0;
}
