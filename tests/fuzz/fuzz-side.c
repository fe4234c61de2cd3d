/* libFuzzer target: one side of a flow fed its bytes as 1 to 4 TCP segments in any order. */
#include "fuzz-common.h"

#include "internal/side.h"

/* The input starts with a header that shapes the segments; the rest is the side's bytes.
 *   [0]      bits 0-1: segments - 1; bit 2: a SYN fixed the start; bit 3: one segment is sent
 *            again at the end (a retransmission); bit 4: a UDP side fed datagrams instead
 *   [1..4]   the sequence number of the first byte (big-endian), so wrap-around is reached
 *   [5..10]  three cut offsets (big-endian 16-bit, taken modulo the payload length + 1)
 *   [11]     which ordering of the segments to send them in */
#define HEADER_LENGTH 12
#define MAX_SEGMENTS  4

typedef struct {
    size_t start;
    size_t end;
} Piece;

static uint32_t read_be32(const uint8_t *bytes)
{
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 |
           (uint32_t)bytes[3];
}

static void sort_offsets(size_t *offsets, size_t count)
{
    for (size_t i = 1; i < count; i++) {
        for (size_t j = i; j > 0 && offsets[j - 1] > offsets[j]; j--) {
            size_t swap = offsets[j];
            offsets[j] = offsets[j - 1];
            offsets[j - 1] = swap;
        }
    }
}

/* Puts `order` into the permutation numbered `choice` (a factorial-base reading of it). */
static void pick_order(unsigned choice, size_t count, size_t *order)
{
    size_t left[MAX_SEGMENTS];
    for (size_t i = 0; i < count; i++)
        left[i] = i;
    for (size_t i = 0; i < count; i++) {
        size_t remaining = count - i;
        size_t pick = choice % remaining;
        choice /= (unsigned)remaining;
        order[i] = left[pick];
        for (size_t j = pick; j + 1 < remaining; j++)
            left[j] = left[j + 1];
    }
}

static void check_side(const OddportSide *side)
{
    /* Later details are read only for a recognised side. */
    if (side->reading_later_details)
        FUZZ_CHECK(side->decided && side->result != NULL);
    /* The opening is kept only once decided, never empty, never past its bound. */
    if (side->opening != NULL)
        FUZZ_CHECK(side->decided && side->opening->length > 0 &&
                   side->opening->length <= ODDPORT_OPENING_MAX);
    if (side->result == NULL)
        return;
    const OddportSideResult *result = side->result;
    FUZZ_CHECK(side->decided);
    FUZZ_CHECK(result->app == ODDPORT_APP_HTTP || result->app == ODDPORT_APP_TLS ||
               result->app == ODDPORT_APP_SSH);
    fuzz_check_verdict(result->verdict.match, &result->verdict);
    switch (result->app) {
    case ODDPORT_APP_HTTP:
        FUZZ_CHECK_TERMINATED(oddport_http_details(result)->host);
        FUZZ_CHECK_TERMINATED(oddport_http_details(result)->path);
        break;
    case ODDPORT_APP_TLS: {
        const OddportTlsInfo *info = oddport_tls_details(result);
        FUZZ_CHECK_TERMINATED(info->sni);
        FUZZ_CHECK(info->alpn_count <= ODDPORT_TLS_ALPN_MAX_COUNT);
        FUZZ_CHECK_TERMINATED(info->ja3);
        FUZZ_CHECK_TERMINATED(info->ja4);
        FUZZ_CHECK_TERMINATED(info->certificate.subject_cn);
        FUZZ_CHECK_TERMINATED(info->certificate.issuer_cn);
        FUZZ_CHECK_TERMINATED(info->certificate.not_before);
        FUZZ_CHECK_TERMINATED(info->certificate.not_after);
        /* Only a ServerHello of TLS 1.2 or older is followed by a certificate in the clear. */
        FUZZ_CHECK(!info->certificate.present ||
                   (info->handshake_type == 2 && info->version <= 0x0303));
        break;
    }
    case ODDPORT_APP_SSH:
        FUZZ_CHECK_TERMINATED(oddport_ssh_details(result)->banner);
        FUZZ_CHECK_TERMINATED(oddport_ssh_details(result)->hassh);
        FUZZ_CHECK_TERMINATED(oddport_ssh_details(result)->hassh_server);
        /* Both fingerprints come from one KEXINIT, or neither. */
        FUZZ_CHECK(
            (strlen(oddport_ssh_details(result)->hassh) == ODDPORT_SSH_HASSH_SIZE - 1 &&
             strlen(oddport_ssh_details(result)->hassh_server) == ODDPORT_SSH_HASSH_SIZE - 1) ||
            (oddport_ssh_details(result)->hassh[0] == '\0' &&
             oddport_ssh_details(result)->hassh_server[0] == '\0'));
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_LENGTH)
        return -1;
    size_t segment_count = (size_t)(data[0] & 3) + 1;
    bool fixed_start = (data[0] & 4) != 0;
    bool retransmit = (data[0] & 8) != 0;
    bool datagrams = (data[0] & 16) != 0;
    uint32_t first_sequence = read_be32(data + 1);
    const uint8_t *payload = data + HEADER_LENGTH;
    size_t payload_length = size - HEADER_LENGTH;

    size_t cuts[MAX_SEGMENTS + 1];
    cuts[0] = 0;
    for (size_t i = 1; i < segment_count; i++) {
        size_t offset = (size_t)data[5 + 2 * (i - 1)] << 8 | data[6 + 2 * (i - 1)];
        cuts[i] = offset % (payload_length + 1);
    }
    sort_offsets(cuts + 1, segment_count - 1);
    cuts[segment_count] = payload_length;
    Piece pieces[MAX_SEGMENTS];
    for (size_t i = 0; i < segment_count; i++)
        pieces[i] = (Piece){cuts[i], cuts[i + 1]};
    size_t order[MAX_SEGMENTS];
    pick_order(data[11], segment_count, order);

    OddportSide side;
    oddport_side_init(&side, datagrams ? ODDPORT_TRANSPORT_UDP : ODDPORT_TRANSPORT_TCP);
    if (fixed_start && !datagrams)
        oddport_side_set_start(&side, first_sequence);
    for (size_t i = 0; i <= segment_count; i++) {
        if (i == segment_count && !retransmit)
            break;
        const Piece *piece = &pieces[order[i % segment_count]];
        size_t length = piece->end - piece->start;
        /* Each segment in its own exactly sized copy, as a capture reader hands them over, so
         * that reading past a segment's end is caught by AddressSanitizer. */
        uint8_t *segment = malloc(length > 0 ? length : 1);
        FUZZ_CHECK(segment != NULL);
        memcpy(segment, payload + piece->start, length);
        bool was_decided = side.decided;
        bool decided_now;
        if (datagrams)
            decided_now = oddport_side_feed_datagram(&side, segment, length);
        else
            decided_now = oddport_side_feed_segment(&side, first_sequence + (uint32_t)piece->start,
                                                    segment, length);
        free(segment);
        /* A side is decided once; later bytes do not decide it again. */
        FUZZ_CHECK(!(was_decided && decided_now));
        FUZZ_CHECK(side.decided == (was_decided || decided_now));
        check_side(&side);
    }
    bool decided_before_the_end = side.decided;
    oddport_side_finish(&side);
    FUZZ_CHECK(side.decided);
    /* Once the flow is over, no protocol is still reading. */
    FUZZ_CHECK(!side.reading_later_details);
    check_side(&side);
    /* The end of the flow ends the reading of later details, and the opening is released. */
    if (decided_before_the_end)
        FUZZ_CHECK(!side.reading_later_details && side.stream.buffer == NULL);
    oddport_side_clear(&side);
    return 0;
}
