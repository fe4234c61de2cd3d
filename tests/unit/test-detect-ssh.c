/* Unit tests for the SSH detector: identification strings, lines before them, near misses, and the
 * HASSH fingerprints of the key exchange offer that follows. */
#include <glib.h>
#include <string.h>

#include "detect-harness.h"
#include "internal/stream.h"
#include "oddport/detect.h"
#include "oddport/protocol.h"
#include "oddport/record.h"
#include "openssh-openings.h"

/* What OpenSSH 9.2 on Debian 12 sent first when connecting ("ssh -p 9446 127.0.0.1"), captured
 * on loopback. */
static const uint8_t openssh_banner[] = {
    0x53, 0x53, 0x48, 0x2d, 0x32, 0x2e, 0x30, 0x2d, 0x4f, 0x70, 0x65, 0x6e, 0x53, 0x53,
    0x48, 0x5f, 0x39, 0x2e, 0x32, 0x70, 0x31, 0x20, 0x44, 0x65, 0x62, 0x69, 0x61, 0x6e,
    0x2d, 0x32, 0x2b, 0x64, 0x65, 0x62, 0x31, 0x32, 0x75, 0x31, 0x30, 0x0d, 0x0a,
};

static void assert_well_formed(const OddportVerdict *verdict, const OddportSshInfo *info)
{
    g_assert_nonnull(memchr(verdict->evidence, '\0', sizeof verdict->evidence));
    g_assert_cmpuint(strlen(verdict->evidence), >, 0);
    g_assert_null(strpbrk(verdict->evidence, "\r\n"));
    g_assert_cmpint(verdict->role, ==, ODDPORT_ROLE_EITHER);
    g_assert_nonnull(memchr(info->banner, '\0', sizeof info->banner));
    g_assert_nonnull(memchr(info->protocol_version, '\0', sizeof info->protocol_version));
    /* Detection alone never fingerprints: the key exchange offer is read later. */
    g_assert_cmpstr(info->hassh, ==, "");
    g_assert_cmpstr(info->hassh_server, ==, "");
    if (verdict->match == ODDPORT_MATCH_NO) {
        g_assert_cmpint(verdict->confidence, ==, ODDPORT_CONFIDENCE_NONE);
        OddportSshInfo zero;
        memset(&zero, 0, sizeof zero);
        g_assert_cmpmem(info, sizeof *info, &zero, sizeof zero);
    }
    if (verdict->match == ODDPORT_MATCH_YES) {
        g_assert_cmpint(verdict->confidence, ==, ODDPORT_CONFIDENCE_HIGH);
        g_assert_true(g_str_has_prefix(info->banner, "SSH-"));
        g_assert_cmpuint(strlen(info->protocol_version), >, 0);
    }
}

ODDPORT_DETECT_HARNESS(OddportSshInfo, oddport_detect_ssh)

static void expect(const char *text, OddportMatch match, OddportConfidence confidence)
{
    expect_text(text, strlen(text), match, confidence);
}

static void expect_no(const char *text)
{
    expect(text, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
}

static void test_openssh_banner(void)
{
    OddportVerdict verdict;
    OddportSshInfo info;
    g_assert_cmpint(detect(openssh_banner, sizeof openssh_banner, &verdict, &info), ==,
                    ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_EITHER);
    g_assert_cmpstr(info.banner, ==, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10");
    g_assert_cmpstr(info.protocol_version, ==, "2.0");
    g_assert_cmpstr(verdict.evidence, ==, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10 banner");
}

static void test_every_prefix(void)
{
    size_t software_start = strlen("SSH-2.0-");
    for (size_t length = 0; length <= sizeof openssh_banner; length++) {
        OddportVerdict verdict;
        OddportSshInfo info;
        detect(openssh_banner, length, &verdict, &info);
        if (length == sizeof openssh_banner) {
            g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
            continue;
        }
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
        g_assert_cmpint(verdict.confidence, ==,
                        length == 0               ? ODDPORT_CONFIDENCE_NONE
                        : length < software_start ? ODDPORT_CONFIDENCE_LOW
                                                  : ODDPORT_CONFIDENCE_MEDIUM);
        /* What has come of the banner is kept once it is worth MEDIUM. */
        if (length < software_start) {
            g_assert_cmpstr(info.banner, ==, "");
        } else {
            size_t shown = length == sizeof openssh_banner - 1 ? length - 1 : length;
            g_assert_cmpuint(strlen(info.banner), ==, shown);
            g_assert_cmpmem(info.banner, (int)shown, openssh_banner, (int)shown);
            g_assert_cmpstr(info.protocol_version, ==, "2.0");
        }
    }
}

/* Banners from other implementations, some bending RFC 4253's rules as they do in the wild. */
static void test_other_banners(void)
{
    static const struct {
        const char *line;
        const char *banner;
        const char *protocol_version;
    } banners[] = {
        {"SSH-2.0-dropbear_2022.83\r\n", "SSH-2.0-dropbear_2022.83", "2.0"},
        {"SSH-2.0-libssh_0.10.4\n", "SSH-2.0-libssh_0.10.4", "2.0"},
        {"SSH-1.99-OpenSSH_3.9p1\r\n", "SSH-1.99-OpenSSH_3.9p1", "1.99"},
        {"SSH-1.5-1.2.27\r\n", "SSH-1.5-1.2.27", "1.5"},
        {"SSH-2.0-Cisco-1.25\r\n", "SSH-2.0-Cisco-1.25", "2.0"},
        {"SSH-2.0-Go\r\n", "SSH-2.0-Go", "2.0"},
        {"SSH-2.0-PuTTY_Release_0.78\r\n", "SSH-2.0-PuTTY_Release_0.78", "2.0"},
        {"SSH-2.0-X comment with  spaces \r\n", "SSH-2.0-X comment with  spaces ", "2.0"},
        {"SSH-2.0-AsyncSSH_2.13.0\r\n\x00\x00\x01\x14\x0a\x14", "SSH-2.0-AsyncSSH_2.13.0", "2.0"},
    };
    for (size_t index = 0; index < G_N_ELEMENTS(banners); index++) {
        OddportVerdict verdict;
        OddportSshInfo info;
        detect_text(banners[index].line, &verdict, &info);
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
        g_assert_cmpstr(info.banner, ==, banners[index].banner);
        g_assert_cmpstr(info.protocol_version, ==, banners[index].protocol_version);
    }
}

/* Older Cisco servers send NUL bytes between the identification string and its line end. */
static void test_nul_padded_banner(void)
{
    static const char cisco_lf[] = "SSH-1.99-Cisco-1.25\0\0\0\0\0\0\0\0\0\0\0\n";
    static const char cisco_crlf[] = "SSH-2.0-Cisco-1.25\0\0\0\r\n";
    static const char with_comment[] = "SSH-2.0-X some comment\0\n";
    OddportVerdict verdict;
    OddportSshInfo info;
    detect(cisco_lf, sizeof cisco_lf - 1, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpstr(info.banner, ==, "SSH-1.99-Cisco-1.25");
    g_assert_cmpstr(info.protocol_version, ==, "1.99");
    g_assert_cmpstr(verdict.evidence, ==, "SSH-1.99-Cisco-1.25 banner padded with 11 NUL bytes");

    detect(cisco_crlf, sizeof cisco_crlf - 1, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(info.banner, ==, "SSH-2.0-Cisco-1.25");
    g_assert_cmpstr(verdict.evidence, ==, "SSH-2.0-Cisco-1.25 banner padded with 3 NUL bytes");

    detect(with_comment, sizeof with_comment - 1, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(info.banner, ==, "SSH-2.0-X some comment");
    g_assert_cmpstr(verdict.evidence, ==, "SSH-2.0-X some comment banner padded with 1 NUL byte");

    /* Every prefix waits; once past the protocol version, with the banner so far (no NULs). */
    for (size_t length = strlen("SSH-1.99-"); length < sizeof cisco_lf - 1; length++) {
        detect(cisco_lf, length, &verdict, &info);
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
        g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_MEDIUM);
        g_assert_true(g_str_has_prefix("SSH-1.99-Cisco-1.25", info.banner));
        g_assert_cmpuint(strlen(info.banner), ==, MIN(length, strlen("SSH-1.99-Cisco-1.25")));
    }

    /* 64 NUL bytes are accepted, 65 are too many. */
    GString *line = g_string_new("SSH-2.0-Cisco-1.25");
    for (int index = 0; index < 64; index++)
        g_string_append_c(line, '\0');
    g_string_append(line, "\r\n");
    detect(line->str, line->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(info.banner, ==, "SSH-2.0-Cisco-1.25");
    g_string_insert_c(line, 20, '\0');
    detect(line->str, line->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NO);
    g_string_free(line, TRUE);
}

/* NUL bytes are padding only at the end of a banner that has a software version. */
static void test_nul_bytes_elsewhere_refused(void)
{
    static const struct {
        const char *bytes;
        size_t length;
    } refused[] = {
#define REFUSED(text) {text, sizeof text - 1}
        /* Text after the padding, or padding in the middle. */
        REFUSED("SSH-2.0-Cisco-1.25\0x\r\n"),
        REFUSED("SSH-2.0-Cisco\0-1.25\r\n"),
        REFUSED("SSH-2.0-Cisco-1.25\0 comment\r\n"),
        REFUSED("SSH-2.0-Cisco-1.25\0\0\x01\r\n"),
        /* A stray CR inside or after the padding. */
        REFUSED("SSH-2.0-Cisco-1.25\0\r\0\n"),
        REFUSED("SSH-2.0-Cisco-1.25\r\0\n"),
        REFUSED("SSH-2.0-Cisco-1.25\0\rX"),
        /* No software version, or NULs inside the protocol version or its start. */
        REFUSED("SSH-2.0-\0\r\n"),
        REFUSED("SSH-2.0\0-Cisco\r\n"),
        REFUSED("SSH-\0\0\r\n"),
        REFUSED("SSH\0-2.0-Cisco\r\n"),
#undef REFUSED
    };
    for (size_t index = 0; index < G_N_ELEMENTS(refused); index++)
        expect_text(refused[index].bytes, refused[index].length, ODDPORT_MATCH_NO,
                    ODDPORT_CONFIDENCE_NONE);
    /* Padding that has not ended yet still waits. */
    expect_text("SSH-2.0-Cisco-1.25\0\0\r", 21, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_MEDIUM);
    /* The padding counts towards the 255-byte line. */
    GString *line = g_string_new("SSH-2.0-");
    while (line->len < 220)
        g_string_append_c(line, 'v');
    for (int index = 0; index < 40; index++)
        g_string_append_c(line, '\0');
    g_string_append(line, "\r\n");
    expect_text(line->str, line->len, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_string_free(line, TRUE);
}

static void test_lines_before_banner(void)
{
    OddportVerdict verdict;
    OddportSshInfo info;
    const char *text = "Welcome to the bastion host.\r\nUnauthorised access prohibited.\n\r\n"
                       "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1\r\n";
    detect_text(text, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpstr(info.banner, ==, "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1");
    g_assert_cmpstr(verdict.evidence, ==,
                    "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1 banner after 3 other lines");

    /* Before the banner arrives, text lines are worth nothing on their own. */
    size_t banner_start = strstr(text, "SSH-") - text;
    for (size_t length = 1; length < strlen(text); length++) {
        detect(text, length, &verdict, &info);
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
        if (length <= banner_start)
            g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_NONE);
        else
            g_assert_cmpint(verdict.confidence, >=, ODDPORT_CONFIDENCE_LOW);
    }

    /* UTF-8 text is allowed before the banner; lines that merely start like it are not it. */
    expect("Bienvenue \xc3\xa0 bord\r\nSSX\r\nSSH-2.0-x\r\n", ODDPORT_MATCH_YES,
           ODDPORT_CONFIDENCE_HIGH);
    expect("SS\r\nSSH-2.0-x\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);

    /* 32 lines are allowed, 33 are too many; so is too much text. */
    GString *lines = g_string_new(NULL);
    for (int index = 0; index < 32; index++)
        g_string_append(lines, "notice\r\n");
    GString *allowed = g_string_new(lines->str);
    g_string_append(allowed, "SSH-2.0-x\r\n");
    expect(allowed->str, ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
    g_string_append(lines, "notice\r\nSSH-2.0-x\r\n");
    expect_no(lines->str);
    g_string_free(lines, TRUE);
    g_string_free(allowed, TRUE);

    GString *long_text = g_string_new(NULL);
    while (long_text->len < 1100)
        g_string_append_c(long_text, 'x');
    expect_no(long_text->str);
    g_string_truncate(long_text, 1000);
    expect(long_text->str, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_NONE);
    g_string_append(long_text, "\r\nSSH-2.0-x\r\n");
    expect(long_text->str, ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
    g_string_free(long_text, TRUE);
}

/* Text before a banner is passed over eight bytes at a time: the allowance must end at the same
 * byte, and a byte that needs a closer look must be found wherever it falls within a word. */
static void test_text_before_banner_word_boundaries(void)
{
    /* 1024 bytes are allowed before the banner, line ends included. */
    for (size_t length = 1000; length <= 1030; length++) {
        GString *text = g_string_new(NULL);
        for (size_t index = 0; index < length; index++)
            g_string_append_c(text, (char)('a' + index % 26));
        g_string_append(text, "\r\nSSH-2.0-x\r\n");
        if (length + 2 <= 1024)
            expect(text->str, ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
        else
            expect_no(text->str);
        g_string_free(text, TRUE);
    }
    for (size_t position = 0; position < 40; position++) {
        GString *text = g_string_new(NULL);
        for (size_t index = 0; index < 40; index++)
            g_string_append_c(text, 'x');
        g_string_append(text, "\r\nSSH-2.0-x\r\n");
        /* A control byte anywhere refuses the side; a tab or a UTF-8 sequence does not. */
        text->str[position] = '\x01';
        expect_no(text->str);
        text->str[position] = '\t';
        expect(text->str, ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
        if (position + 1 < 40) {
            text->str[position] = '\xc3';
            text->str[position + 1] = '\xa0';
            expect(text->str, ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
            text->str[position + 1] = 'x';
        }
        /* A line may end anywhere: CR LF at this position makes two lines before the banner. */
        if (position + 1 < 40) {
            text->str[position] = '\r';
            text->str[position + 1] = '\n';
            expect(text->str, ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
            /* A CR alone is refused. */
            text->str[position + 1] = 'x';
            expect_no(text->str);
        }
        g_string_free(text, TRUE);
    }
}

static void test_binary_before_banner_refused(void)
{
    static const char with_nul[] = "hello\0world\r\nSSH-2.0-x\r\n";
    OddportVerdict verdict;
    OddportSshInfo info;
    detect(with_nul, sizeof with_nul - 1, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NO);
    expect_no("\x16\x03\x01\x02\x00\x01");
    expect_no("hello\x01\r\nSSH-2.0-x\r\n");
    expect_no("hello\rworld\r\nSSH-2.0-x\r\n");
}

static void test_malformed_banners(void)
{
    expect_no("SSH-2.0\r\n");
    expect_no("SSH-2.0-\r\n");
    expect_no("SSH-2.0- comment\r\n");
    expect_no("SSH-3.0-OpenSSH\r\n");
    expect_no("SSH-2.1-OpenSSH\r\n");
    expect_no("SSH-2-OpenSSH\r\n");
    expect_no("SSH-1-OpenSSH\r\n");
    expect_no("SSH-1.-OpenSSH\r\n");
    expect_no("SSH-1.x-OpenSSH\r\n");
    expect_no("SSH-1.99999999-OpenSSH\r\n");
    expect_no("SSH--OpenSSH\r\n");
    /* Not a banner, so just another line a server might send before one. */
    expect("ssh-2.0-OpenSSH\r\n", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_NONE);
    expect_no("SSH-2.0-Open\tSSH\r\n");
    expect_no("SSH-2.0-Open\x01SSH\r\n");
    expect_no("SSH-2.0-OpenSSH\x80\r\n");
    expect_no("SSH-2.0-OpenSSH comment\x01\r\n");
    expect_no("SSH-2.0-OpenSSH\rX\n");
    expect_no("SSH-2.0-OpenSSH\r\r\n");

    /* 255 bytes with the line end is the limit. */
    GString *line = g_string_new("SSH-2.0-");
    while (line->len < 253)
        g_string_append_c(line, 'v');
    g_string_append(line, "\r\n");
    OddportVerdict verdict;
    OddportSshInfo info;
    detect_text(line->str, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpuint(strlen(info.banner), ==, 253);
    g_assert_cmpuint(strlen(verdict.evidence), ==, ODDPORT_EVIDENCE_MAX - 1);
    g_string_insert_c(line, 10, 'v');
    expect_no(line->str);
    g_string_truncate(line, 254);
    expect(line->str, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_MEDIUM);
    g_string_append_c(line, 'v');
    expect_no(line->str);
    g_string_free(line, TRUE);
}

static void test_partial_banners(void)
{
    static const char *const low[] = {"S",      "SS",      "SSH",     "SSH-",     "SSH-2",
                                      "SSH-2.", "SSH-2.0", "SSH-1.9", "SSH-1.99", "motd\nSS"};
    for (size_t index = 0; index < G_N_ELEMENTS(low); index++)
        expect(low[index], ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    expect("SSH-2.0-", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_MEDIUM);
    expect("SSH-1.99-Open", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_MEDIUM);
    expect("SSH-2.0-OpenSSH_9.2p1 Debian", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_MEDIUM);
    expect("SSH-2.0-OpenSSH_9.2p1\r", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_MEDIUM);
    expect("motd\r\n", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_NONE);
    expect("", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_NONE);
    expect_no("SSH-2.x");
    expect_no("SSH-4");
    /* Not "SSH-": some line a server might send before its banner, worth nothing yet. */
    expect("SSH_", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_NONE);
}

/* Other protocols' greetings: text lines that never turn into a banner wait with no confidence,
 * anything binary is refused. */
static void test_other_protocols(void)
{
    expect("220 mail.example.org ESMTP Postfix\r\n", ODDPORT_MATCH_NEED_MORE,
           ODDPORT_CONFIDENCE_NONE);
    expect("GET / HTTP/1.1\r\nHost: x\r\n\r\n", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_NONE);
    static const uint8_t ssh_packet[] = {0x00, 0x00, 0x00, 0x0c, 0x0a, 0x15};
    static const uint8_t telnet_negotiation[] = {0xff, 0xfb, 0x20, 0xff, 0xfb, 0x21};
    OddportVerdict verdict;
    OddportSshInfo info;
    g_assert_cmpint(detect(ssh_packet, sizeof ssh_packet, &verdict, &info), ==, ODDPORT_MATCH_NO);
    g_assert_cmpint(detect(telnet_negotiation, sizeof telnet_negotiation, &verdict, &info), ==,
                    ODDPORT_MATCH_NO);
}

static void test_null_info(void)
{
    OddportVerdict verdict;
    memset(&verdict, 0x7f, sizeof verdict);
    g_assert_cmpint(oddport_detect_ssh(openssh_banner, sizeof openssh_banner, &verdict, NULL), ==,
                    ODDPORT_MATCH_YES);
    g_assert_cmpstr(verdict.evidence, ==, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10 banner");
    memset(&verdict, 0x7f, sizeof verdict);
    g_assert_cmpint(oddport_detect_ssh(NULL, 0, &verdict, NULL), ==, ODDPORT_MATCH_NEED_MORE);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_NONE);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_EITHER);
    g_assert_nonnull(memchr(verdict.evidence, '\0', sizeof verdict.evidence));
}

static void test_random_bytes(void)
{
    GRand *random = g_rand_new_with_seed(22);
    static const char *const pieces[] = {"SSH-", "2.0", "1.99",        "-",  " ",    "\r\n", "\n",
                                         "\r",   "x",   "OpenSSH_9.2", "\t", "\x80", "\x01", ""};
    uint8_t buffer[1400];
    for (int round = 0; round < 30000; round++) {
        size_t length = 0;
        if (round % 2 == 0) {
            length = (size_t)g_rand_int_range(random, 0, 300);
            for (size_t index = 0; index < length; index++)
                buffer[index] = (uint8_t)g_rand_int_range(random, 0, 256);
        } else {
            while (length + 16 < sizeof buffer && g_rand_int_range(random, 0, 40) != 0) {
                const char *piece = pieces[g_rand_int_range(random, 0, G_N_ELEMENTS(pieces))];
                size_t piece_length = piece[0] == '\0' ? 1 : strlen(piece);
                memcpy(buffer + length, piece, piece_length);
                length += piece_length;
            }
        }
        OddportVerdict verdict;
        OddportSshInfo info;
        detect(buffer, length, &verdict, &info);
    }
    g_rand_free(random);
}

/* --- HASSH: the KEXINIT after the banner. --- */

#define LIST_COUNT 10

/* The ten name-lists of a KEXINIT in wire order: key exchange, host key, encryption, MAC and
 * compression client to server and server to client (in pairs), languages both ways. */
typedef const char *KexinitLists[LIST_COUNT];

static void append_be32(GByteArray *bytes, uint32_t value)
{
    uint8_t encoded[4] = {(uint8_t)(value >> 24), (uint8_t)(value >> 16), (uint8_t)(value >> 8),
                          (uint8_t)value};
    g_byte_array_append(bytes, encoded, sizeof encoded);
}

static void append_byte(GByteArray *bytes, uint8_t value)
{
    g_byte_array_append(bytes, &value, 1);
}

/* A side's opening: `before` (the banner and any lines before it), then one binary packet
 * holding a KEXINIT that offers `lists`, with `padding` bytes of padding, or with the usual
 * padding (at least 4 bytes, to a multiple of 8) when `padding` is negative. Without
 * `last_fields` the message stops after its lists, before first_kex_packet_follows and the
 * reserved word. */
static GByteArray *build_opening_with(const char *before, const KexinitLists lists, int padding,
                                      bool last_fields)
{
    GByteArray *payload = g_byte_array_new();
    append_byte(payload, 20);
    for (uint8_t index = 0; index < 16; index++)
        append_byte(payload, (uint8_t)(0xc0 + index));
    for (size_t index = 0; index < LIST_COUNT; index++) {
        append_be32(payload, (uint32_t)strlen(lists[index]));
        g_byte_array_append(payload, (const guint8 *)lists[index], (guint)strlen(lists[index]));
    }
    if (last_fields) {
        append_byte(payload, 0);
        append_be32(payload, 0);
    }
    if (padding < 0) {
        padding = (int)(8 - (4 + 1 + payload->len) % 8);
        if (padding < 4)
            padding += 8;
    }
    GByteArray *opening = g_byte_array_new();
    g_byte_array_append(opening, (const guint8 *)before, (guint)strlen(before));
    append_be32(opening, 1 + payload->len + (uint32_t)padding);
    append_byte(opening, (uint8_t)padding);
    g_byte_array_append(opening, payload->data, payload->len);
    for (int index = 0; index < padding; index++)
        append_byte(opening, 0x5c);
    g_byte_array_free(payload, TRUE);
    return opening;
}

static GByteArray *build_opening(const char *before, const KexinitLists lists, int padding)
{
    return build_opening_with(before, lists, padding, true);
}

/* Where a list's first byte lies in an opening built by build_opening. */
static size_t list_offset(const char *before, const KexinitLists lists, size_t which)
{
    size_t offset = strlen(before) + 4 + 1 + 1 + 16;
    for (size_t index = 0; index < which; index++)
        offset += 4 + strlen(lists[index]);
    return offset + 4;
}

static void set_be32(uint8_t *place, uint32_t value)
{
    place[0] = (uint8_t)(value >> 24);
    place[1] = (uint8_t)(value >> 16);
    place[2] = (uint8_t)(value >> 8);
    place[3] = (uint8_t)value;
}

static bool is_fingerprint(const char *text)
{
    if (strlen(text) != 32)
        return false;
    for (size_t index = 0; index < 32; index++) {
        if (!g_ascii_isdigit(text[index]) && !(text[index] >= 'a' && text[index] <= 'f'))
            return false;
    }
    return true;
}

/* What the detector finds in a whole opening, as the side keeps it before reading further. */
static OddportSshInfo detected(const uint8_t *bytes, size_t length)
{
    OddportVerdict verdict;
    OddportSshInfo info;
    g_assert_cmpint(detect(bytes, length, &verdict, &info), ==, ODDPORT_MATCH_YES);
    return info;
}

/* Reads the KEXINIT from an exactly sized copy, so that the address sanitizer catches a read
 * past `length`, and checks what every answer promises. */
static bool read_kexinit(const uint8_t *bytes, size_t length, bool final, OddportSshInfo *info)
{
    uint8_t *copy = g_memdup2(bytes, length);
    bool done = oddport_ssh_read_key_exchange_init(copy, length, final, info);
    g_free(copy);
    g_assert_true(done || !final);
    g_assert_true(info->hassh[0] == '\0' || is_fingerprint(info->hassh));
    g_assert_true(info->hassh_server[0] == '\0' || is_fingerprint(info->hassh_server));
    g_assert_true((info->hassh[0] == '\0') == (info->hassh_server[0] == '\0'));
    if (!done)
        g_assert_cmpstr(info->hassh, ==, "");
    return done;
}

/* Done at once and without fingerprints, whether or not more bytes could come. */
static void expect_given_up(const uint8_t *bytes, size_t length)
{
    OddportSshInfo info = detected(bytes, length);
    g_assert_true(read_kexinit(bytes, length, false, &info));
    g_assert_cmpstr(info.hassh, ==, "");
    g_assert_cmpstr(info.hassh_server, ==, "");
}

static void expect_fingerprints(const uint8_t *bytes, size_t length, const char *hassh,
                                const char *hassh_server)
{
    OddportSshInfo info = detected(bytes, length);
    g_assert_true(read_kexinit(bytes, length, false, &info));
    g_assert_cmpstr(info.hassh, ==, hassh);
    g_assert_cmpstr(info.hassh_server, ==, hassh_server);
}

static const KexinitLists simple_lists = {
    "curve25519-sha256,ecdh-sha2-nistp256",
    "ssh-ed25519",
    "aes128-ctr",
    "aes128-ctr",
    "hmac-sha1",
    "hmac-sha1",
    "none",
    "none",
    "",
    "",
};
/* MD5 of "curve25519-sha256,ecdh-sha2-nistp256;aes128-ctr;hmac-sha1;none" (md5sum). */
#define SIMPLE_LISTS_HASSH "c1533aa117cdce0f56e7aa990addbb59"

static void test_hassh_openssh(void)
{
    /* The client's: its own HASSH, and the same lists both ways. */
    expect_fingerprints(openssh_client_opening, sizeof openssh_client_opening, OPENSSH_CLIENT_HASSH,
                        OPENSSH_CLIENT_HASSH);
    expect_fingerprints(openssh_server_opening, sizeof openssh_server_opening,
                        OPENSSH_SERVER_HASSH_SERVER, OPENSSH_SERVER_HASSH_SERVER);

    /* The same through the protocol's description, as a side calls it; the banner stays. */
    const OddportProtocol *ssh = oddport_protocol(ODDPORT_APP_SSH);
    g_assert_nonnull(ssh->read_later_details);
    OddportSshInfo info = detected(openssh_server_opening, sizeof openssh_server_opening);
    g_assert_true(ssh->read_later_details(openssh_server_opening, sizeof openssh_server_opening,
                                          false, &info));
    g_assert_cmpstr(info.hassh_server, ==, OPENSSH_SERVER_HASSH_SERVER);
    g_assert_cmpstr(info.banner, ==, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10");
    g_assert_cmpstr(info.protocol_version, ==, "2.0");

    /* Bytes after the KEXINIT (the next packet) change nothing. */
    GByteArray *longer = g_byte_array_new();
    g_byte_array_append(longer, openssh_client_opening, sizeof openssh_client_opening);
    g_byte_array_append(longer, (const guint8 *)"\x00\x00\x00\x2c\x06\x1e\x00\x00\x00\x20", 10);
    expect_fingerprints(longer->data, longer->len, OPENSSH_CLIENT_HASSH, OPENSSH_CLIENT_HASSH);
    g_byte_array_free(longer, TRUE);
}

/* The examples of the HASSH specification (github.com/salesforce/hassh, README). */
static void test_hassh_specification_examples(void)
{
    static const char cyberduck_key_exchange[] =
        "curve25519-sha256@libssh.org,diffie-hellman-group-exchange-sha256,ecdh-sha2-nistp521,"
        "ecdh-sha2-nistp384,ecdh-sha2-nistp256,diffie-hellman-group-exchange-sha1,"
        "diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group14-sha256,"
        "diffie-hellman-group15-sha512,diffie-hellman-group16-sha512,diffie-hellman-group17-sha512,"
        "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256@ssh.com,"
        "diffie-hellman-group15-sha256,diffie-hellman-group15-sha256@ssh.com,"
        "diffie-hellman-group15-sha384@ssh.com,diffie-hellman-group16-sha256,"
        "diffie-hellman-group16-sha384@ssh.com,diffie-hellman-group16-sha512@ssh.com,"
        "diffie-hellman-group18-sha512@ssh.com";
    static const char cyberduck_encryption[] =
        "aes128-cbc,aes128-ctr,aes192-cbc,aes192-ctr,aes256-cbc,aes256-ctr,blowfish-cbc,"
        "blowfish-ctr,cast128-cbc,cast128-ctr,idea-cbc,idea-ctr,serpent128-cbc,serpent128-ctr,"
        "serpent192-cbc,serpent192-ctr,serpent256-cbc,serpent256-ctr,3des-cbc,3des-ctr,"
        "twofish128-cbc,twofish128-ctr,twofish192-cbc,twofish192-ctr,twofish256-cbc,"
        "twofish256-ctr,twofish-cbc,arcfour,arcfour128,arcfour256";
    static const char cyberduck_mac[] =
        "hmac-sha1,hmac-sha1-96,hmac-md5,hmac-md5-96,hmac-sha2-256,hmac-sha2-512";
    static const char cyberduck_compression[] = "zlib@openssh.com,zlib,none";
    const KexinitLists cyberduck = {
        cyberduck_key_exchange,
        "ssh-rsa",
        cyberduck_encryption,
        cyberduck_encryption,
        cyberduck_mac,
        cyberduck_mac,
        cyberduck_compression,
        cyberduck_compression,
        "",
        "",
    };
    /* The specification's hassh of Cyberduck 6.7.1. */
    GByteArray *opening = build_opening("SSH-2.0-Cyberduck/6.7.1.28683\r\n", cyberduck, -1);
    expect_fingerprints(opening->data, opening->len, "8a8ae540028bf433cd68356c1b9e8d5b",
                        "8a8ae540028bf433cd68356c1b9e8d5b");
    g_byte_array_free(opening, TRUE);

    static const char openssh53_key_exchange[] =
        "diffie-hellman-group-exchange-sha256,diffie-hellman-group-exchange-sha1,"
        "diffie-hellman-group14-sha1,diffie-hellman-group1-sha1";
    static const char openssh53_encryption[] =
        "aes128-ctr,aes192-ctr,aes256-ctr,arcfour256,arcfour128,aes128-cbc,3des-cbc,blowfish-cbc,"
        "cast128-cbc,aes192-cbc,aes256-cbc,arcfour,rijndael-cbc@lysator.liu.se";
    static const char openssh53_mac[] = "hmac-md5,hmac-sha1,umac-64@openssh.com,hmac-ripemd160,"
                                        "hmac-ripemd160@openssh.com,hmac-sha1-96,hmac-md5-96";
    const KexinitLists openssh53 = {
        openssh53_key_exchange,
        "ssh-rsa,ssh-dss",
        openssh53_encryption,
        openssh53_encryption,
        openssh53_mac,
        openssh53_mac,
        "none,zlib@openssh.com",
        "none,zlib@openssh.com",
        "",
        "",
    };
    /* The specification gives this OpenSSH 5.3 server's hasshServerAlgorithms; md5sum(1) of
     * them is b1c6c0d56317555b85c7005a3de29325. */
    opening = build_opening("SSH-2.0-OpenSSH_5.3\r\n", openssh53, -1);
    expect_fingerprints(opening->data, opening->len, "b1c6c0d56317555b85c7005a3de29325",
                        "b1c6c0d56317555b85c7005a3de29325");
    g_byte_array_free(opening, TRUE);
}

/* Each fingerprint takes its own direction's lists; every one of the three counts. */
static void test_hassh_directions(void)
{
    const KexinitLists both_differ = {
        "k1,k2",         "ssh-ed25519", "aes128-ctr", "aes256-ctr", "hmac-sha1",
        "hmac-sha2-256", "none",        "zlib",       "",           "",
    };
    /* md5sum of "k1,k2;aes128-ctr;hmac-sha1;none" and of "k1,k2;aes256-ctr;hmac-sha2-256;zlib". */
    GByteArray *opening = build_opening("SSH-2.0-x\r\n", both_differ, -1);
    expect_fingerprints(opening->data, opening->len, "2b48e8cfbf7dd0272efbb150f7918118",
                        "8e29f319a5664c32f878887e5daf958a");
    g_byte_array_free(opening, TRUE);

    /* Only the compression lists differ: md5sum of "curve25519-sha256;aes128-ctr;hmac-sha1;none"
     * and of "curve25519-sha256;aes128-ctr;hmac-sha1;zlib@openssh.com". */
    const KexinitLists compression_differs = {
        "curve25519-sha256", "ssh-ed25519", "aes128-ctr",       "aes128-ctr", "hmac-sha1",
        "hmac-sha1",         "none",        "zlib@openssh.com", "",           "",
    };
    opening = build_opening("SSH-2.0-x\r\n", compression_differs, -1);
    expect_fingerprints(opening->data, opening->len, "7fffb234014b2a6c335168b9683cbb70",
                        "60e84c8235b84e8d0288080b1a18d5ae");
    g_byte_array_free(opening, TRUE);

    /* Ten empty lists: Wireshark hashes ";;;" then, and so does this. */
    const KexinitLists empty = {"", "", "", "", "", "", "", "", "", ""};
    opening = build_opening("SSH-2.0-x\r\n", empty, -1);
    expect_fingerprints(opening->data, opening->len, "95420f9d932ddd22833f17b96a80bedb",
                        "95420f9d932ddd22833f17b96a80bedb");
    g_byte_array_free(opening, TRUE);

    opening = build_opening("SSH-2.0-x\r\n", simple_lists, -1);
    expect_fingerprints(opening->data, opening->len, SIMPLE_LISTS_HASSH, SIMPLE_LISTS_HASSH);
    g_byte_array_free(opening, TRUE);
}

/* A side's opening grows a segment at a time: every prefix short of the whole packet waits, and
 * once no more bytes will come it is given up without a fingerprint. */
static void check_every_prefix(const uint8_t *bytes, size_t length, const char *hassh,
                               const char *hassh_server)
{
    const OddportSshInfo whole = detected(bytes, length);
    for (size_t cut = 0; cut < length; cut++) {
        OddportSshInfo info = whole;
        g_assert_false(read_kexinit(bytes, cut, false, &info));
        info = whole;
        g_assert_true(read_kexinit(bytes, cut, true, &info));
        g_assert_cmpstr(info.hassh, ==, "");
    }
    OddportSshInfo info = whole;
    g_assert_true(read_kexinit(bytes, length, true, &info));
    g_assert_cmpstr(info.hassh, ==, hassh);
    g_assert_cmpstr(info.hassh_server, ==, hassh_server);
}

static void test_hassh_every_prefix(void)
{
    check_every_prefix(openssh_client_opening, sizeof openssh_client_opening, OPENSSH_CLIENT_HASSH,
                       OPENSSH_CLIENT_HASSH);
    check_every_prefix(openssh_server_opening, sizeof openssh_server_opening,
                       OPENSSH_SERVER_HASSH_SERVER, OPENSSH_SERVER_HASSH_SERVER);
}

/* The lines a server may send before its banner are skipped as the detector skips them. */
static void test_hassh_after_lines_before_banner(void)
{
    static const char *const lines[] = {
        "Welcome to the bastion host.\r\nUnauthorised access prohibited.\n\r\n",
        "SSH_is_not_a_banner\r\nSS\r\nSSH\r\n",
        "Bienvenue \xc3\xa0 bord\r\n",
    };
    for (size_t index = 0; index < G_N_ELEMENTS(lines); index++) {
        GByteArray *opening = g_byte_array_new();
        g_byte_array_append(opening, (const guint8 *)lines[index], (guint)strlen(lines[index]));
        g_byte_array_append(opening, openssh_server_opening, sizeof openssh_server_opening);
        check_every_prefix(opening->data, opening->len, OPENSSH_SERVER_HASSH_SERVER,
                           OPENSSH_SERVER_HASSH_SERVER);
        g_byte_array_free(opening, TRUE);
    }
    /* NUL padding before the line end is part of the banner's line. */
    static const char padded[] = "SSH-2.0-Cisco-1.25\0\0\0\r\n";
    GByteArray *packet = build_opening("", simple_lists, -1);
    GByteArray *opening = g_byte_array_new();
    g_byte_array_append(opening, (const guint8 *)padded, sizeof padded - 1);
    g_byte_array_append(opening, packet->data, packet->len);
    expect_fingerprints(opening->data, opening->len, SIMPLE_LISTS_HASSH, SIMPLE_LISTS_HASSH);
    g_byte_array_free(opening, TRUE);
    g_byte_array_free(packet, TRUE);
}

/* SSH 1.x sends no KEXINIT: done at once. A 1.99 server speaks 2.0 too. */
static void test_hassh_protocol_versions(void)
{
    GByteArray *opening = build_opening("SSH-1.5-1.2.27\r\n", simple_lists, -1);
    expect_given_up(opening->data, opening->len);
    OddportSshInfo info = detected(opening->data, opening->len);
    g_assert_true(read_kexinit(opening->data, strlen("SSH-1.5-1.2.27\r\n"), false, &info));
    g_byte_array_free(opening, TRUE);

    opening = build_opening("SSH-1.99-OpenSSH_3.9p1\r\n", simple_lists, -1);
    expect_fingerprints(opening->data, opening->len, SIMPLE_LISTS_HASSH, SIMPLE_LISTS_HASSH);
    g_byte_array_free(opening, TRUE);
}

/* A name-list holds printable US-ASCII without spaces: anything else, at any place in any list,
 * is no offer to fingerprint. */
static void test_hassh_malformed_name_lists(void)
{
    static const uint8_t refused[] = {0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x20,
                                      0x7f, 0x80, 0xa0, 0xc3, 0xfe, 0xff};
    const char *before = "SSH-2.0-x\r\n";
    GByteArray *valid = build_opening(before, simple_lists, -1);
    size_t kex = list_offset(before, simple_lists, 0);
    size_t kex_length = strlen(simple_lists[0]);
    for (size_t place = 0; place < kex_length; place++) {
        for (size_t index = 0; index < sizeof refused; index++) {
            GByteArray *opening = g_byte_array_new();
            g_byte_array_append(opening, valid->data, valid->len);
            opening->data[kex + place] = refused[index];
            expect_given_up(opening->data, opening->len);
            g_byte_array_free(opening, TRUE);
        }
        /* The first and last bytes allowed still make a list. */
        for (int allowed = 0x21; allowed <= 0x7e; allowed += 0x7e - 0x21) {
            GByteArray *opening = g_byte_array_new();
            g_byte_array_append(opening, valid->data, valid->len);
            opening->data[kex + place] = (uint8_t)allowed;
            OddportSshInfo info = detected(opening->data, opening->len);
            g_assert_true(read_kexinit(opening->data, opening->len, false, &info));
            g_assert_true(is_fingerprint(info.hassh));
            g_byte_array_free(opening, TRUE);
        }
    }
    /* Also in a list that is not hashed. */
    for (size_t which = 1; which < LIST_COUNT; which++) {
        if (simple_lists[which][0] == '\0')
            continue;
        GByteArray *opening = g_byte_array_new();
        g_byte_array_append(opening, valid->data, valid->len);
        opening->data[list_offset(before, simple_lists, which)] = ' ';
        expect_given_up(opening->data, opening->len);
        g_byte_array_free(opening, TRUE);
    }

    /* List lengths that run past the payload, or into first_kex_packet_follows and the reserved
     * word. The key exchange list's swallows the next length field, whose zero bytes are no
     * name; the last list's (empty) runs into the two fields that end the message or past it. */
    static const uint32_t longer_by[] = {1, 4, 5, 6, 0x10000};
    static const uint32_t absurd[] = {0x7fffffff, 0xffffffff};
    size_t fields[] = {kex - 4, list_offset(before, simple_lists, LIST_COUNT - 1) - 4};
    for (size_t field = 0; field < G_N_ELEMENTS(fields); field++) {
        uint32_t stated = field == 0 ? (uint32_t)kex_length : 0;
        for (size_t index = 0; index < G_N_ELEMENTS(longer_by) + G_N_ELEMENTS(absurd); index++) {
            GByteArray *opening = g_byte_array_new();
            g_byte_array_append(opening, valid->data, valid->len);
            set_be32(opening->data + fields[field], index < G_N_ELEMENTS(longer_by)
                                                        ? stated + longer_by[index]
                                                        : absurd[index - G_N_ELEMENTS(longer_by)]);
            expect_given_up(opening->data, opening->len);
            g_byte_array_free(opening, TRUE);
        }
    }
    g_byte_array_free(valid, TRUE);
}

/* Packet lengths no KEXINIT has, paddings that leave no room for one and other messages are
 * given up as soon as their header is there, without waiting for bytes that would not help. */
static void test_hassh_implausible_packets(void)
{
    const char *before = "SSH-2.0-x\r\n";
    size_t start = strlen(before);
    GByteArray *valid = build_opening(before, simple_lists, -1);

    /* 62 bytes cannot hold the padding length and the smallest KEXINIT; RFC 4253 stops at
     * 35000; and no packet ending past what a side keeps of its opening can be read whole. */
    const uint32_t lengths[] = {
        0, 1, 62, 35001, 0x80000000, 0xffffffff, (uint32_t)(ODDPORT_STREAM_LIMIT - start - 4 + 1)};
    for (size_t index = 0; index < G_N_ELEMENTS(lengths); index++) {
        GByteArray *opening = g_byte_array_new();
        g_byte_array_append(opening, valid->data, valid->len);
        set_be32(opening->data + start, lengths[index]);
        OddportSshInfo info = detected(opening->data, opening->len);
        /* The length alone decides. */
        g_assert_true(read_kexinit(opening->data, start + 4, false, &info));
        g_assert_cmpstr(info.hassh, ==, "");
        g_byte_array_free(opening, TRUE);
    }
    /* The longest that can still end inside the kept opening waits for its bytes. */
    GByteArray *opening = g_byte_array_new();
    g_byte_array_append(opening, valid->data, valid->len);
    set_be32(opening->data + start, (uint32_t)(ODDPORT_STREAM_LIMIT - start - 4));
    OddportSshInfo info = detected(opening->data, opening->len);
    g_assert_false(read_kexinit(opening->data, opening->len, false, &info));
    g_assert_true(read_kexinit(opening->data, opening->len, true, &info));
    g_assert_cmpstr(info.hassh, ==, "");
    g_byte_array_free(opening, TRUE);

    /* A padding that eats into the KEXINIT. */
    uint32_t packet_length = (uint32_t)(valid->data[start] << 24 | valid->data[start + 1] << 16 |
                                        valid->data[start + 2] << 8 | valid->data[start + 3]);
    for (unsigned padding = packet_length - 1 - 62 + 1; padding <= 255; padding++) {
        opening = g_byte_array_new();
        g_byte_array_append(opening, valid->data, valid->len);
        opening->data[start + 4] = (uint8_t)padding;
        expect_given_up(opening->data, opening->len);
        g_byte_array_free(opening, TRUE);
    }
    /* Other messages first: DISCONNECT, IGNORE, NEWKEYS. */
    static const uint8_t messages[] = {1, 2, 21};
    for (size_t index = 0; index < sizeof messages; index++) {
        opening = g_byte_array_new();
        g_byte_array_append(opening, valid->data, valid->len);
        opening->data[start + 5] = messages[index];
        expect_given_up(opening->data, opening->len);
        g_byte_array_free(opening, TRUE);
    }
    /* A message that ends with its lists, without first_kex_packet_follows and the reserved
     * word: Wireshark throws it out before fingerprinting. */
    opening = build_opening_with(before, simple_lists, -1, false);
    expect_given_up(opening->data, opening->len);
    g_byte_array_free(opening, TRUE);
    /* Text where a packet should be, as a server that refuses the client's version sends. */
    static const char refusal[] = "SSH-2.0-x\r\nProtocol major versions differ.\r\n";
    expect_given_up((const uint8_t *)refusal, strlen(refusal));
    g_byte_array_free(valid, TRUE);

    /* RFC 4253 wants 4 bytes of padding at least; less still says what is offered, and
     * Wireshark fingerprints it too. */
    for (int padding = 0; padding < 4; padding++) {
        opening = build_opening(before, simple_lists, padding);
        expect_fingerprints(opening->data, opening->len, SIMPLE_LISTS_HASSH, SIMPLE_LISTS_HASSH);
        g_byte_array_free(opening, TRUE);
    }
}

/* Whatever follows a banner, the answer is sound, and with `final` it is final. */
static void test_hassh_random_bytes(void)
{
    GRand *random = g_rand_new_with_seed(4253);
    const char *banner = "SSH-2.0-OpenSSH_9.2p1\r\n";
    GByteArray *valid = build_opening(banner, simple_lists, -1);
    OddportSshInfo whole = detected(valid->data, valid->len);
    for (int round = 0; round < 20000; round++) {
        GByteArray *opening = g_byte_array_new();
        g_byte_array_append(opening, valid->data, valid->len);
        /* Mostly small changes to a valid packet, so that the parser goes deep. */
        int changes = g_rand_int_range(random, 1, 4);
        for (int change = 0; change < changes; change++) {
            guint place =
                (guint)g_rand_int_range(random, (gint32)strlen(banner), (gint32)opening->len);
            opening->data[place] = (uint8_t)g_rand_int_range(random, 0, 256);
        }
        guint length =
            (guint)g_rand_int_range(random, (gint32)strlen(banner), (gint32)opening->len + 1);
        OddportSshInfo info = whole;
        read_kexinit(opening->data, length, round % 2 == 0, &info);
        g_byte_array_free(opening, TRUE);
    }
    g_byte_array_free(valid, TRUE);
    g_rand_free(random);
}

/* --- What reports get: the client's hassh and the server's hassh_server. --- */

#define CLIENT_HASSH        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define CLIENT_HASSH_SERVER "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SERVER_HASSH        "cccccccccccccccccccccccccccccccc"
#define SERVER_HASSH_SERVER "dddddddddddddddddddddddddddddddd"

static OddportSideResult ssh_side(const char *banner, const char *hassh, const char *hassh_server)
{
    OddportSideResult side;
    memset(&side, 0, sizeof side);
    side.app = ODDPORT_APP_SSH;
    OddportSshInfo info;
    memset(&info, 0, sizeof info);
    g_strlcpy(info.banner, banner, sizeof info.banner);
    g_strlcpy(info.protocol_version, "2.0", sizeof info.protocol_version);
    g_strlcpy(info.hassh, hassh, sizeof info.hassh);
    g_strlcpy(info.hassh_server, hassh_server, sizeof info.hassh_server);
    memcpy(side.details.bytes, &info, sizeof info);
    return side;
}

static void record_string(const char *name, const char *value, void *data)
{
    g_string_append_printf(data, "%s=%s;", name, value);
}

static void record_null(const char *name, void *data)
{
    g_string_append_printf(data, "%s=null;", name);
}

static void record_nothing_else(void *data)
{
    (void)data;
    g_assert_not_reached();
}

static void record_no_object(const char *name, bool present, void *data)
{
    (void)name;
    (void)present;
    record_nothing_else(data);
}

static void record_no_array(const char *name, void *data)
{
    (void)name;
    record_nothing_else(data);
}

static void record_no_number(const char *name, uint64_t value, void *data)
{
    (void)name;
    (void)value;
    record_nothing_else(data);
}

static void record_no_boolean(const char *name, bool value, void *data)
{
    (void)name;
    (void)value;
    record_nothing_else(data);
}

static void record_no_time(const char *name, uint64_t timestamp_ns, unsigned digits, void *data)
{
    (void)name;
    (void)timestamp_ns;
    (void)digits;
    record_nothing_else(data);
}

static char *described(const OddportSideResult *client, const OddportSideResult *server)
{
    static const OddportRecordVisitor visitor = {
        .begin_object = record_no_object,
        .end_object = record_nothing_else,
        .begin_array = record_no_array,
        .end_array = record_nothing_else,
        .string = record_string,
        .unsigned_integer = record_no_number,
        .boolean = record_no_boolean,
        .null = record_null,
        .time = record_no_time,
    };
    GString *fields = g_string_new(NULL);
    oddport_protocol(ODDPORT_APP_SSH)->describe_fields(client, server, &visitor, fields);
    return g_string_free(fields, FALSE);
}

static void test_report_fields(void)
{
    OddportSideResult client = ssh_side("SSH-2.0-c", CLIENT_HASSH, CLIENT_HASSH_SERVER);
    OddportSideResult server = ssh_side("SSH-2.0-s", SERVER_HASSH, SERVER_HASSH_SERVER);
    char *fields = described(&client, &server);
    g_assert_cmpstr(fields, ==,
                    "client_banner=SSH-2.0-c;server_banner=SSH-2.0-s;hassh=" CLIENT_HASSH
                    ";hassh_server=" SERVER_HASSH_SERVER ";");
    g_free(fields);

    /* An HTTP client answered by an SSH server: only the server's fingerprint. */
    fields = described(NULL, &server);
    g_assert_cmpstr(
        fields, ==,
        "client_banner=null;server_banner=SSH-2.0-s;hassh=null;hassh_server=" SERVER_HASSH_SERVER
        ";");
    g_free(fields);

    /* Banners without a KEXINIT after them, and a flow that is no SSH: null, not empty. */
    OddportSideResult bare = ssh_side("SSH-2.0-c", "", "");
    fields = described(&bare, NULL);
    g_assert_cmpstr(fields, ==,
                    "client_banner=SSH-2.0-c;server_banner=null;hassh=null;hassh_server=null;");
    g_free(fields);
    fields = described(NULL, NULL);
    g_assert_cmpstr(fields, ==,
                    "client_banner=null;server_banner=null;hassh=null;hassh_server=null;");
    g_free(fields);
}

static void test_summary_line(void)
{
    OddportSideResult client = ssh_side("SSH-2.0-c", CLIENT_HASSH, CLIENT_HASSH_SERVER);
    OddportSideResult server = ssh_side("SSH-2.0-s", SERVER_HASSH, SERVER_HASSH_SERVER);
    OddportSideResult bare = ssh_side("SSH-2.0-b", "", "");
    char text[128];
    oddport_protocol_summarise(ODDPORT_APP_SSH, &client, &server, text, sizeof text);
    g_assert_cmpstr(text, ==, "hassh " CLIENT_HASSH ", hassh_server " SERVER_HASSH_SERVER);
    oddport_protocol_summarise(ODDPORT_APP_SSH, &client, &bare, text, sizeof text);
    g_assert_cmpstr(text, ==, "hassh " CLIENT_HASSH);
    oddport_protocol_summarise(ODDPORT_APP_SSH, NULL, &server, text, sizeof text);
    g_assert_cmpstr(text, ==, "hassh_server " SERVER_HASSH_SERVER);
    oddport_protocol_summarise(ODDPORT_APP_SSH, &bare, &bare, text, sizeof text);
    g_assert_cmpstr(text, ==, "");
    oddport_protocol_summarise(ODDPORT_APP_SSH, NULL, NULL, text, sizeof text);
    g_assert_cmpstr(text, ==, "");

    /* Cut to the room given, and nothing written where there is none. */
    oddport_protocol_summarise(ODDPORT_APP_SSH, &client, &server, text, 10);
    g_assert_cmpstr(text, ==, "hassh aaa");
    memset(text, 'x', sizeof text);
    oddport_protocol_summarise(ODDPORT_APP_SSH, &client, &server, text, 0);
    g_assert_cmpint(text[0], ==, 'x');
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/detect/ssh/openssh-banner", test_openssh_banner);
    g_test_add_func("/detect/ssh/every-prefix", test_every_prefix);
    g_test_add_func("/detect/ssh/other-banners", test_other_banners);
    g_test_add_func("/detect/ssh/nul-padded-banner", test_nul_padded_banner);
    g_test_add_func("/detect/ssh/nul-bytes-elsewhere-refused", test_nul_bytes_elsewhere_refused);
    g_test_add_func("/detect/ssh/lines-before-banner", test_lines_before_banner);
    g_test_add_func("/detect/ssh/binary-before-banner-refused", test_binary_before_banner_refused);
    g_test_add_func("/detect/ssh/text-before-banner-word-boundaries",
                    test_text_before_banner_word_boundaries);
    g_test_add_func("/detect/ssh/malformed-banners", test_malformed_banners);
    g_test_add_func("/detect/ssh/partial-banners", test_partial_banners);
    g_test_add_func("/detect/ssh/other-protocols", test_other_protocols);
    g_test_add_func("/detect/ssh/null-info", test_null_info);
    g_test_add_func("/detect/ssh/random-bytes", test_random_bytes);
    g_test_add_func("/detect/ssh/hassh/openssh", test_hassh_openssh);
    g_test_add_func("/detect/ssh/hassh/specification-examples", test_hassh_specification_examples);
    g_test_add_func("/detect/ssh/hassh/directions", test_hassh_directions);
    g_test_add_func("/detect/ssh/hassh/every-prefix", test_hassh_every_prefix);
    g_test_add_func("/detect/ssh/hassh/after-lines-before-banner",
                    test_hassh_after_lines_before_banner);
    g_test_add_func("/detect/ssh/hassh/protocol-versions", test_hassh_protocol_versions);
    g_test_add_func("/detect/ssh/hassh/malformed-name-lists", test_hassh_malformed_name_lists);
    g_test_add_func("/detect/ssh/hassh/implausible-packets", test_hassh_implausible_packets);
    g_test_add_func("/detect/ssh/hassh/random-bytes", test_hassh_random_bytes);
    g_test_add_func("/detect/ssh/report-fields", test_report_fields);
    g_test_add_func("/detect/ssh/summary-line", test_summary_line);
    return g_test_run();
}
