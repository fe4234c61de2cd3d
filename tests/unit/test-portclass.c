/* Unit tests of port classes, expected ports, severities, services files and IANA names. */
#include <errno.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "oddport/vocabulary.h"
#include "oddport/portclass.h"

static void test_class_boundaries(void)
{
    static const struct {
        uint16_t port;
        OddportPortClass port_class;
    } cases[] = {
        {0, ODDPORT_PORT_CLASS_WELL_KNOWN},    {1023, ODDPORT_PORT_CLASS_WELL_KNOWN},
        {1024, ODDPORT_PORT_CLASS_REGISTERED}, {49151, ODDPORT_PORT_CLASS_REGISTERED},
        {49152, ODDPORT_PORT_CLASS_EPHEMERAL}, {65535, ODDPORT_PORT_CLASS_EPHEMERAL},
    };
    for (size_t index = 0; index < G_N_ELEMENTS(cases); index++) {
        g_assert_cmpint(oddport_port_class(cases[index].port), ==, cases[index].port_class);
    }
}

static void test_class_names(void)
{
    g_assert_cmpstr(oddport_port_class_name(ODDPORT_PORT_CLASS_WELL_KNOWN), ==, "well-known");
    g_assert_cmpstr(oddport_port_class_name(ODDPORT_PORT_CLASS_REGISTERED), ==, "registered");
    g_assert_cmpstr(oddport_port_class_name(ODDPORT_PORT_CLASS_EPHEMERAL), ==, "ephemeral");
    g_assert_cmpstr(oddport_port_class_range(ODDPORT_PORT_CLASS_WELL_KNOWN), ==, "0-1023");
    g_assert_cmpstr(oddport_port_class_range(ODDPORT_PORT_CLASS_REGISTERED), ==, "1024-49151");
    g_assert_cmpstr(oddport_port_class_range(ODDPORT_PORT_CLASS_EPHEMERAL), ==, "49152-65535");
}

static void test_transport_and_severity_names(void)
{
    g_assert_cmpstr(oddport_transport_name(ODDPORT_TRANSPORT_TCP), ==, "tcp");
    g_assert_cmpstr(oddport_transport_name(ODDPORT_TRANSPORT_UDP), ==, "udp");
    g_assert_null(oddport_severity_name(ODDPORT_SEVERITY_NONE));
    g_assert_cmpstr(oddport_severity_name(ODDPORT_SEVERITY_ALTERNATE), ==, "alternate");
    g_assert_cmpstr(oddport_severity_name(ODDPORT_SEVERITY_MASQUERADE), ==, "masquerade");
    g_assert_cmpstr(oddport_severity_name(ODDPORT_SEVERITY_UNEXPECTED), ==, "unexpected");
}

static void test_expected_builtin(void)
{
    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    static const uint16_t tls_ports[] = {443, 465, 563, 636, 853,  989, 990,
                                         992, 993, 994, 995, 5061, 8883};
    for (size_t index = 0; index < G_N_ELEMENTS(tls_ports); index++) {
        g_assert_true(oddport_port_rules_is_expected(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP,
                                                     tls_ports[index]));
        g_assert_false(oddport_port_rules_is_expected(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_UDP,
                                                      tls_ports[index]));
    }
    g_assert_true(
        oddport_port_rules_is_expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 80));
    g_assert_true(
        oddport_port_rules_is_expected(rules, ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 22));
    /* Each app is expected on its own ports only. */
    g_assert_false(
        oddport_port_rules_is_expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 443));
    g_assert_false(
        oddport_port_rules_is_expected(rules, ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 80));
    g_assert_false(
        oddport_port_rules_is_expected(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 22));
    /* Alternates are nonstandard, just less alarming. */
    g_assert_false(
        oddport_port_rules_is_expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8080));
    /* UDP has no built-in expected port, and nothing is expected for an unrecognised app. */
    g_assert_false(
        oddport_port_rules_is_expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_UDP, 80));
    g_assert_false(
        oddport_port_rules_is_expected(rules, ODDPORT_APP_UNKNOWN, ODDPORT_TRANSPORT_TCP, 80));
}

static void test_expected_ports_ascending(void)
{
    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    g_assert_true(oddport_port_rules_load_text(rules, "tls 50\ntls 65535\ntls 0\n", "test", NULL));
    static const uint16_t want[] = {0,   50,  443, 465, 563, 636,  853,  989,
                                    990, 992, 993, 994, 995, 5061, 8883, 65535};
    uint16_t ports[32] = {0};
    size_t total = oddport_port_rules_expected_ports(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP,
                                                     ports, G_N_ELEMENTS(ports));
    g_assert_cmpuint(total, ==, G_N_ELEMENTS(want));
    g_assert_cmpmem(ports, sizeof want, want, sizeof want);

    /* A short buffer gets the lowest ports; the return value still counts them all. */
    uint16_t few[3] = {0};
    g_assert_cmpuint(
        oddport_port_rules_expected_ports(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, few, 3),
        ==, G_N_ELEMENTS(want));
    g_assert_cmpmem(few, sizeof few, want, sizeof few);
    g_assert_cmpuint(
        oddport_port_rules_expected_ports(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, NULL, 0),
        ==, G_N_ELEMENTS(want));

    g_assert_cmpuint(
        oddport_port_rules_expected_ports(rules, ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, ports, 32),
        ==, 1);
    g_assert_cmpuint(ports[0], ==, 22);
    g_assert_cmpuint(
        oddport_port_rules_expected_ports(rules, ODDPORT_APP_SSH, ODDPORT_TRANSPORT_UDP, ports, 32),
        ==, 0);
    g_assert_cmpuint(oddport_port_rules_expected_ports(rules, ODDPORT_APP_UNKNOWN,
                                                       ODDPORT_TRANSPORT_TCP, ports, 32),
                     ==, 0);
}

typedef struct {
    OddportApp app;
    OddportTransport transport;
    uint16_t port;
} Placement;

static void assert_severities(const Placement *cases, size_t count, OddportSeverity want)
{
    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    for (size_t index = 0; index < count; index++) {
        OddportSeverity got = oddport_port_rules_severity(
            rules, cases[index].app, cases[index].transport, cases[index].port);
        if (got != want) {
            g_error("%s on %u/%s: severity %s, want %s", oddport_app_name(cases[index].app),
                    cases[index].port, oddport_transport_name(cases[index].transport),
                    got == ODDPORT_SEVERITY_NONE ? "none" : oddport_severity_name(got),
                    want == ODDPORT_SEVERITY_NONE ? "none" : oddport_severity_name(want));
        }
    }
}

static void test_severity_none(void)
{
    static const Placement cases[] = {
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 80},
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 443},
        /* The implicit-TLS ports are expected for TLS, not a masquerade of IMAP or MQTT. */
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 993},
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 995},
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 8883},
        {ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 22},
        /* Nothing is reported about traffic nobody recognised. */
        {ODDPORT_APP_UNKNOWN, ODDPORT_TRANSPORT_TCP, 443},
        {ODDPORT_APP_UNKNOWN, ODDPORT_TRANSPORT_UDP, 31337},
    };
    assert_severities(cases, G_N_ELEMENTS(cases), ODDPORT_SEVERITY_NONE);
}

static void test_severity_alternate(void)
{
    static const Placement cases[] = {
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 591},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 3128},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8000},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8008},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8080},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8081},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8888},
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 4443},
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 8443},
        {ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 2222},
        /* The service's own app on its port is not dressed up as anything: a note. */
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 5986},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 9200},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 2375},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_UDP, 1900},
    };
    assert_severities(cases, G_N_ELEMENTS(cases), ODDPORT_SEVERITY_ALTERNATE);
}

static void test_severity_masquerade(void)
{
    static const Placement cases[] = {
        {ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 443},
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 22},
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 80},
        /* 443 is HTTPS: HTTP in clear there is not what the port is for. */
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 443},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 5432},
        /* 8883 is MQTT over TLS: expected for TLS, a masquerade for anything else. */
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8883},
        {ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 8883},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 993},
        {ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 53},
        {ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 3389},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 25},
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 587},
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 3306},
        {ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 9200},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 27017},
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_UDP, 53},
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_UDP, 443},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_UDP, 123},
    };
    assert_severities(cases, G_N_ELEMENTS(cases), ODDPORT_SEVERITY_MASQUERADE);
}

static void test_severity_unexpected(void)
{
    static const Placement cases[] = {
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 12345},
        {ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 9999},
        {ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 31337},
        {ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 65535},
        /* An alternate for one app is not one for another. */
        {ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 8080},
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 2222},
        /* Alternates are TCP ports. */
        {ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_UDP, 8080},
        /* Well-known SSH on UDP is no service anyone runs. */
        {ODDPORT_APP_SSH, ODDPORT_TRANSPORT_UDP, 22},
    };
    assert_severities(cases, G_N_ELEMENTS(cases), ODDPORT_SEVERITY_UNEXPECTED);
}

static void test_severity_site_rule(void)
{
    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    g_assert_true(
        oddport_port_rules_load_text(rules, "http 8080\nssh 443\nhttp 12345/udp\n", "site", NULL));
    g_assert_cmpint(
        oddport_port_rules_severity(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8080), ==,
        ODDPORT_SEVERITY_NONE);
    g_assert_cmpint(oddport_port_rules_severity(rules, ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 443),
                    ==, ODDPORT_SEVERITY_NONE);
    g_assert_cmpint(
        oddport_port_rules_severity(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_UDP, 12345), ==,
        ODDPORT_SEVERITY_NONE);
    /* A rule adds to the built-in ports; it takes nothing away from other apps. */
    g_assert_cmpint(oddport_port_rules_severity(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 443),
                    ==, ODDPORT_SEVERITY_NONE);
    g_assert_cmpint(
        oddport_port_rules_severity(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 443), ==,
        ODDPORT_SEVERITY_MASQUERADE);
    g_assert_cmpint(
        oddport_port_rules_severity(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 12345), ==,
        ODDPORT_SEVERITY_UNEXPECTED);
}

static bool expected(const OddportPortRules *rules, OddportApp app, OddportTransport transport,
                     uint16_t port)
{
    return oddport_port_rules_is_expected(rules, app, transport, port);
}

static void test_rules_parse_good(void)
{
    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    g_autoptr(GError) error = NULL;
    const char *text = "\xEF\xBB\xBF# a site's rules\n"
                       "\n"
                       "http 3128/tcp  # our proxy\n"
                       "   \t\n"
                       "\ttls\t8443   \n"
                       "ssh 2222/TCP\r\n"
                       "HTTP 8000#no space before the comment\n"
                       "Tls 0010\n"
                       "ssh 2200   # the last line has no newline";
    g_assert_true(oddport_port_rules_load_text(rules, text, "good.txt", &error));
    g_assert_no_error(error);
    g_assert_true(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 3128));
    g_assert_true(expected(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 8443));
    g_assert_true(expected(rules, ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 2222));
    g_assert_true(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8000));
    g_assert_true(expected(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 10));
    g_assert_true(expected(rules, ODDPORT_APP_SSH, ODDPORT_TRANSPORT_TCP, 2200));
    /* The default transport is TCP, and a rule names one app. */
    g_assert_false(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_UDP, 3128));
    g_assert_false(expected(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 3128));

    /* Empty text and comments alone are valid and change nothing. */
    g_assert_true(oddport_port_rules_load_text(rules, "", "empty.txt", &error));
    g_assert_true(oddport_port_rules_load_text(rules, "# nothing\n\n", "comments.txt", &error));
    g_assert_no_error(error);
}

static void test_rules_range(void)
{
    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    g_assert_true(oddport_port_rules_load_text(rules, "http 9000-9010\ntls 7000-7000/udp\n",
                                               "ranges.txt", NULL));
    g_assert_false(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8999));
    for (uint16_t port = 9000; port <= 9010; port++) {
        g_assert_true(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, port));
    }
    g_assert_false(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 9011));
    g_assert_true(expected(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_UDP, 7000));
    g_assert_false(expected(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_UDP, 7001));

    /* The whole port space, up to the last port, without wrapping around. */
    g_autoptr(OddportPortRules) everything = oddport_port_rules_new();
    g_assert_true(oddport_port_rules_load_text(everything, "ssh 0-65535/udp", "all.txt", NULL));
    g_assert_cmpuint(oddport_port_rules_expected_ports(everything, ODDPORT_APP_SSH,
                                                       ODDPORT_TRANSPORT_UDP, NULL, 0),
                     ==, 65536);
}

static void test_rules_udp(void)
{
    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    g_assert_true(
        oddport_port_rules_load_text(rules, "http 8080/udp\ntls 4433/UDP\n", "udp.txt", NULL));
    g_assert_true(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_UDP, 8080));
    g_assert_false(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8080));
    g_assert_true(expected(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_UDP, 4433));
    g_assert_false(expected(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 4433));
}

static void test_rules_errors(void)
{
    static const struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"htp 80", "services.txt:1: unknown app 'htp' (expected http, tls or ssh)"},
        {"# ok\n\nhttp 80\nunknown 80",
         "services.txt:4: unknown app 'unknown' (expected http, tls or ssh)"},
        {"http 70000", "services.txt:1: port 70000 out of range"},
        {"http 8000-65536", "services.txt:1: port 65536 out of range"},
        {"http 99999999999999999999999",
         "services.txt:1: port 99999999999999999999999 out of range"},
        {"http 9000-8000", "services.txt:1: range 9000-8000 is reversed"},
        {"\n\nhttp 80/sctp", "services.txt:3: unknown transport 'sctp' (expected tcp or udp)"},
        {"http 80/", "services.txt:1: unknown transport '' (expected tcp or udp)"},
        {"http", "services.txt:1: missing port after 'http' (expected APP PORT[-PORT][/tcp|/udp])"},
        {"http 80 443", "services.txt:1: unexpected '443' after the port (one rule per line: APP "
                        "PORT[-PORT][/tcp|/udp])"},
        {"http 80 / tcp", "services.txt:1: unexpected '/' after the port (one rule per line: APP "
                          "PORT[-PORT][/tcp|/udp])"},
        {"http abc", "services.txt:1: invalid port 'abc' (expected a number from 0 to 65535, or a "
                     "range such as 8000-8099)"},
        {"http 0x50", "services.txt:1: invalid port '0x50' (expected a number from 0 to 65535, or "
                      "a range such as 8000-8099)"},
        {"http -80", "services.txt:1: invalid port '-80' (expected a number from 0 to 65535, or a "
                     "range such as 8000-8099)"},
        {"http 80-", "services.txt:1: invalid port '80-' (expected a number from 0 to 65535, or a "
                     "range such as 8000-8099)"},
        {"http 1-2-3", "services.txt:1: invalid port '1-2-3' (expected a number from 0 to 65535, "
                       "or a range such as 8000-8099)"},
        {"http /udp", "services.txt:1: invalid port '/udp' (expected a number from 0 to 65535, or "
                      "a range such as 8000-8099)"},
        /* Words from the file are shown as valid UTF-8 without control characters. */
        {"ht\x01p 80", "services.txt:1: unknown app 'ht?p' (expected http, tls or ssh)"},
        {"\xff\xfe 80", "services.txt:1: unknown app '\xef\xbf\xbd\xef\xbf\xbd' (expected http, "
                        "tls or ssh)"},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 80",
         "services.txt:1: unknown app 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' (expected "
         "http, tls or ssh)"},
    };
    for (size_t index = 0; index < G_N_ELEMENTS(cases); index++) {
        g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
        g_autoptr(GError) error = NULL;
        g_assert_false(
            oddport_port_rules_load_text(rules, cases[index].text, "services.txt", &error));
        g_assert_error(error, ODDPORT_RULES_ERROR, ODDPORT_RULES_ERROR_SYNTAX);
        g_assert_cmpstr(error->message, ==, cases[index].message);
    }
}

static void test_rules_bad_file_applies_nothing(void)
{
    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    g_autoptr(GError) error = NULL;
    g_assert_false(oddport_port_rules_load_text(
        rules, "http 8080\ntls 9000-9100\nssh 2222/udp\nhttp 70000\n", "partial.txt", &error));
    g_assert_error(error, ODDPORT_RULES_ERROR, ODDPORT_RULES_ERROR_SYNTAX);
    g_assert_false(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8080));
    g_assert_false(expected(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, 9050));
    g_assert_false(expected(rules, ODDPORT_APP_SSH, ODDPORT_TRANSPORT_UDP, 2222));
    /* The rules already there stay. */
    g_assert_true(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 80));
    g_assert_cmpuint(
        oddport_port_rules_expected_ports(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, NULL, 0),
        ==, 1);
}

static char *write_temporary(const char *directory, const char *name, const char *contents,
                             gssize length)
{
    char *path = g_build_filename(directory, name, NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(g_file_set_contents(path, contents, length, &error));
    g_assert_no_error(error);
    return path;
}

static void test_rules_file(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *directory = g_dir_make_tmp("oddport-portclass-XXXXXX", &error);
    g_assert_no_error(error);

    g_autofree char *good = write_temporary(directory, "site.txt", "http 8080 # wiki\n", -1);
    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    g_assert_true(oddport_port_rules_load_file(rules, good, &error));
    g_assert_no_error(error);
    g_assert_true(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8080));

    /* Syntax errors name the file as it was given. */
    g_autofree char *bad = write_temporary(directory, "bad.txt", "http 80\nhtp 81\n", -1);
    g_assert_false(oddport_port_rules_load_file(rules, bad, &error));
    g_assert_error(error, ODDPORT_RULES_ERROR, ODDPORT_RULES_ERROR_SYNTAX);
    g_autofree char *bad_message =
        g_strdup_printf("%s:2: unknown app 'htp' (expected http, tls or ssh)", bad);
    g_assert_cmpstr(error->message, ==, bad_message);
    g_clear_error(&error);

    /* A binary file is refused rather than read up to its first NUL byte. */
    static const char binary[] = "http 8081\n\ntls 9443\0ssh 22\n";
    g_autofree char *nul = write_temporary(directory, "nul.bin", binary, sizeof binary - 1);
    g_assert_false(oddport_port_rules_load_file(rules, nul, &error));
    g_assert_error(error, ODDPORT_RULES_ERROR, ODDPORT_RULES_ERROR_SYNTAX);
    g_autofree char *nul_message = g_strdup_printf("%s:3: NUL byte: this is not a text file", nul);
    g_assert_cmpstr(error->message, ==, nul_message);
    g_clear_error(&error);
    g_assert_false(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 8081));

    g_autofree char *missing = g_build_filename(directory, "missing.txt", NULL);
    g_assert_false(oddport_port_rules_load_file(rules, missing, &error));
    g_assert_error(error, ODDPORT_RULES_ERROR, ODDPORT_RULES_ERROR_READ);
    g_autofree char *missing_message =
        g_strdup_printf("cannot read services file '%s': %s", missing, g_strerror(ENOENT));
    g_assert_cmpstr(error->message, ==, missing_message);
    g_clear_error(&error);

    g_assert_false(oddport_port_rules_load_file(rules, directory, &error));
    g_assert_error(error, ODDPORT_RULES_ERROR, ODDPORT_RULES_ERROR_READ);
    g_autofree char *directory_message =
        g_strdup_printf("cannot read services file '%s': %s", directory, g_strerror(EISDIR));
    g_assert_cmpstr(error->message, ==, directory_message);
    g_clear_error(&error);

    /* A services file is a few lines: a huge file is the wrong file, not one to load. */
    g_autofree char *huge_contents = g_strnfill(16 * 1024 * 1024 + 1, '#');
    g_autofree char *huge = write_temporary(directory, "huge.txt", huge_contents, -1);
    g_assert_false(oddport_port_rules_load_file(rules, huge, &error));
    g_assert_error(error, ODDPORT_RULES_ERROR, ODDPORT_RULES_ERROR_READ);
    g_autofree char *huge_message = g_strdup_printf(
        "cannot read services file '%s': larger than 16 MiB, so not a services file", huge);
    g_assert_cmpstr(error->message, ==, huge_message);
    g_clear_error(&error);

    g_assert_cmpint(g_remove(good), ==, 0);
    g_assert_cmpint(g_remove(huge), ==, 0);
    g_assert_cmpint(g_remove(bad), ==, 0);
    g_assert_cmpint(g_remove(nul), ==, 0);
    g_assert_cmpint(g_rmdir(directory), ==, 0);
}

/* The example shipped in captures/ must stay a valid services file. */
static void test_rules_example_file(void)
{
    g_autofree char *path =
        g_test_build_filename(G_TEST_DIST, "..", "..", "captures", "site-services.example", NULL);
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_test_skip("captures/site-services.example not found (set G_TEST_SRCDIR)");
        return;
    }
    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    g_autoptr(GError) error = NULL;
    g_assert_true(oddport_port_rules_load_file(rules, path, &error));
    g_assert_no_error(error);
    g_assert_true(expected(rules, ODDPORT_APP_HTTP, ODDPORT_TRANSPORT_TCP, 3128));
}

static void test_iana_known(void)
{
    static const struct {
        uint16_t port;
        OddportTransport transport;
        const char *name;
    } cases[] = {
        {1, ODDPORT_TRANSPORT_TCP, "tcpmux"},
        {22, ODDPORT_TRANSPORT_TCP, "ssh"},
        {53, ODDPORT_TRANSPORT_UDP, "domain"},
        {80, ODDPORT_TRANSPORT_TCP, "http"},
        {143, ODDPORT_TRANSPORT_TCP, "imap"},
        {443, ODDPORT_TRANSPORT_TCP, "https"},
        {443, ODDPORT_TRANSPORT_UDP, "https"},
        {993, ODDPORT_TRANSPORT_TCP, "imaps"},
        {2222, ODDPORT_TRANSPORT_TCP, "EtherNet-IP-1"},
        {3389, ODDPORT_TRANSPORT_TCP, "ms-wbt-server"},
        {4443, ODDPORT_TRANSPORT_TCP, "pharos"},
        {5432, ODDPORT_TRANSPORT_TCP, "postgresql"},
        {6379, ODDPORT_TRANSPORT_TCP, "redis"},
        {8080, ODDPORT_TRANSPORT_TCP, "http-alt"},
        {8443, ODDPORT_TRANSPORT_TCP, "pcsync-https"},
        {27017, ODDPORT_TRANSPORT_TCP, "mongodb"},
    };
    for (size_t index = 0; index < G_N_ELEMENTS(cases); index++) {
        g_assert_cmpstr(oddport_iana_service_name(cases[index].port, cases[index].transport), ==,
                        cases[index].name);
    }
}

static void test_iana_unknown(void)
{
    g_assert_null(oddport_iana_service_name(0, ODDPORT_TRANSPORT_TCP));
    g_assert_null(oddport_iana_service_name(4, ODDPORT_TRANSPORT_TCP));
    g_assert_null(oddport_iana_service_name(65535, ODDPORT_TRANSPORT_TCP));
    g_assert_null(oddport_iana_service_name(65535, ODDPORT_TRANSPORT_UDP));
    /* IANA assigns IMAP to TCP only. */
    g_assert_null(oddport_iana_service_name(143, ODDPORT_TRANSPORT_UDP));
    g_assert_null(oddport_iana_service_name(22, (OddportTransport)132));
}

/* Re-reads the table's rows from iana.c: they must be strictly sorted, as the binary search
 * assumes, and each must be found. */
static void test_iana_table_sorted(void)
{
    g_autofree char *path =
        g_test_build_filename(G_TEST_DIST, "..", "..", "src", "lib", "iana.c", NULL);
    g_autofree char *source = NULL;
    if (!g_file_get_contents(path, &source, NULL, NULL)) {
        g_test_skip("src/lib/iana.c not found (set G_TEST_SRCDIR)");
        return;
    }
    g_autoptr(GRegex) row =
        g_regex_new("\\{(\\d+), ODDPORT_TRANSPORT_(TCP|UDP), \"([^\"]+)\"\\}", 0, 0, NULL);
    g_assert_nonnull(row);
    g_autoptr(GMatchInfo) match = NULL;
    g_regex_match(row, source, 0, &match);
    unsigned rows = 0;
    long previous_key = -1;
    while (g_match_info_matches(match)) {
        g_autofree char *port_text = g_match_info_fetch(match, 1);
        g_autofree char *transport_text = g_match_info_fetch(match, 2);
        g_autofree char *name = g_match_info_fetch(match, 3);
        long port = strtol(port_text, NULL, 10);
        OddportTransport transport =
            strcmp(transport_text, "TCP") == 0 ? ODDPORT_TRANSPORT_TCP : ODDPORT_TRANSPORT_UDP;
        g_assert_cmpint(port, <=, 65535);
        long key = port * 256 + (long)transport;
        if (key <= previous_key) {
            g_error("iana.c: row %s/%s is out of order", port_text, transport_text);
        }
        previous_key = key;
        g_assert_cmpstr(oddport_iana_service_name((uint16_t)port, transport), ==, name);
        rows++;
        g_match_info_next(match, NULL);
    }
    /* The pattern must keep matching the table's layout, or this test checks nothing. */
    g_assert_cmpuint(rows, >, 250);
}

/* Small and large requests must give the same ascending list, whatever order rules came in. */
static void test_expected_ports_listed_in_order(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    g_assert_true(
        oddport_port_rules_load_text(rules, "tls 9100-9120\ntls 7000\ntls 100\n", "test", NULL));
    uint16_t few[16];
    uint16_t all[64];
    size_t total = oddport_port_rules_expected_ports(rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP,
                                                     few, G_N_ELEMENTS(few));
    g_assert_cmpuint(total, ==, 13 + 21 + 2);
    g_assert_cmpuint(oddport_port_rules_expected_ports(
                         rules, ODDPORT_APP_TLS, ODDPORT_TRANSPORT_TCP, all, G_N_ELEMENTS(all)),
                     ==, total);
    for (size_t index = 0; index < G_N_ELEMENTS(few); index++)
        g_assert_cmpuint(few[index], ==, all[index]);
    for (size_t index = 1; index < total; index++)
        g_assert_cmpuint(all[index - 1], <, all[index]);
    g_assert_cmpuint(all[0], ==, 100);
    oddport_port_rules_free(rules);
}

/* --fail-on and the services' order read severities as this ladder. */
static void test_severity_levels(void)
{
    g_assert_cmpint(oddport_severity_level(ODDPORT_SEVERITY_NONE), ==, 0);
    g_assert_cmpint(oddport_severity_level(ODDPORT_SEVERITY_ALTERNATE), <,
                    oddport_severity_level(ODDPORT_SEVERITY_UNEXPECTED));
    g_assert_cmpint(oddport_severity_level(ODDPORT_SEVERITY_UNEXPECTED), <,
                    oddport_severity_level(ODDPORT_SEVERITY_MASQUERADE));
    g_assert_cmpint(oddport_severity_level(ODDPORT_SEVERITY_NONE), <,
                    oddport_severity_level(ODDPORT_SEVERITY_ALTERNATE));
}

/* A formatter once spaced the dashes of this name out ("oddport - rules - error - quark"). */
static void test_rules_error_domain_name(void)
{
    g_assert_cmpstr(g_quark_to_string(ODDPORT_RULES_ERROR), ==, "oddport-rules-error-quark");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/portclass/class/boundaries", test_class_boundaries);
    g_test_add_func("/portclass/class/names", test_class_names);
    g_test_add_func("/portclass/names/transport-and-severity", test_transport_and_severity_names);
    g_test_add_func("/portclass/expected/builtin", test_expected_builtin);
    g_test_add_func("/portclass/expected/ports-ascending", test_expected_ports_ascending);
    g_test_add_func("/portclass/expected/listed-in-order", test_expected_ports_listed_in_order);
    g_test_add_func("/portclass/severity/none", test_severity_none);
    g_test_add_func("/portclass/severity/alternate", test_severity_alternate);
    g_test_add_func("/portclass/severity/masquerade", test_severity_masquerade);
    g_test_add_func("/portclass/severity/unexpected", test_severity_unexpected);
    g_test_add_func("/portclass/severity/site-rule", test_severity_site_rule);
    g_test_add_func("/portclass/rules/parse-good", test_rules_parse_good);
    g_test_add_func("/portclass/rules/range", test_rules_range);
    g_test_add_func("/portclass/rules/udp", test_rules_udp);
    g_test_add_func("/portclass/rules/errors", test_rules_errors);
    g_test_add_func("/portclass/rules/bad-file-applies-nothing",
                    test_rules_bad_file_applies_nothing);
    g_test_add_func("/portclass/rules/file", test_rules_file);
    g_test_add_func("/portclass/rules/example-file", test_rules_example_file);
    g_test_add_func("/portclass/iana/known", test_iana_known);
    g_test_add_func("/portclass/iana/unknown", test_iana_unknown);
    g_test_add_func("/portclass/iana/table-sorted", test_iana_table_sorted);
    g_test_add_func("/portclass/severity-levels", test_severity_levels);
    g_test_add_func("/portclass/rules-error-domain-name", test_rules_error_domain_name);
    return g_test_run();
}
