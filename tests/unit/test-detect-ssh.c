/* Unit tests for the SSH detector: identification strings, lines before them, and near misses. */
#include <glib.h>
#include <string.h>

#include "detect-harness.h"
#include "oddport/detect.h"

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
    g_test_add_func("/detect/ssh/malformed-banners", test_malformed_banners);
    g_test_add_func("/detect/ssh/partial-banners", test_partial_banners);
    g_test_add_func("/detect/ssh/other-protocols", test_other_protocols);
    g_test_add_func("/detect/ssh/null-info", test_null_info);
    g_test_add_func("/detect/ssh/random-bytes", test_random_bytes);
    return g_test_run();
}
