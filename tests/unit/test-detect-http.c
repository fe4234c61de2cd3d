/* Unit tests for the HTTP detector: requests, status lines, the h2c preface and look-alikes. */
#include <glib.h>
#include <string.h>

#include "detect-harness.h"
#include "detect/verdict.h"
#include "internal/http_methods.h"
#include "oddport/detect.h"

/* What curl 7.88.1 sent for "curl http://example.org:9445/admin?x=1 -A ...", captured on
 * loopback. */
static const uint8_t curl_request[] = {
    0x47, 0x45, 0x54, 0x20, 0x2f, 0x61, 0x64, 0x6d, 0x69, 0x6e, 0x3f, 0x78, 0x3d, 0x31, 0x20, 0x48,
    0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e, 0x31, 0x0d, 0x0a, 0x48, 0x6f, 0x73, 0x74, 0x3a, 0x20, 0x65,
    0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x3a, 0x39, 0x34, 0x34, 0x35, 0x0d,
    0x0a, 0x55, 0x73, 0x65, 0x72, 0x2d, 0x41, 0x67, 0x65, 0x6e, 0x74, 0x3a, 0x20, 0x4d, 0x6f, 0x7a,
    0x69, 0x6c, 0x6c, 0x61, 0x2f, 0x35, 0x2e, 0x30, 0x20, 0x28, 0x58, 0x31, 0x31, 0x3b, 0x20, 0x4c,
    0x69, 0x6e, 0x75, 0x78, 0x20, 0x78, 0x38, 0x36, 0x5f, 0x36, 0x34, 0x29, 0x0d, 0x0a, 0x41, 0x63,
    0x63, 0x65, 0x70, 0x74, 0x3a, 0x20, 0x2a, 0x2f, 0x2a, 0x0d, 0x0a, 0x0d, 0x0a,
};

/* The HTTP/2 preface followed by an empty SETTINGS frame, as "curl --http2-prior-knowledge"
 * sends it. */
static const uint8_t h2c_preface_and_settings[] = {
    'P',  'R',  'I',  ' ',  '*',  ' ',  'H',  'T',  'T',  'P',  '/',
    '2',  '.',  '0',  '\r', '\n', '\r', '\n', 'S',  'M',  '\r', '\n',
    '\r', '\n', 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Every verdict, whatever the input, must be fully written and describable on one line. */
static void assert_well_formed(const OddportVerdict *verdict, const OddportHttpInfo *info)
{
    g_assert_nonnull(memchr(verdict->evidence, '\0', sizeof verdict->evidence));
    g_assert_cmpuint(strlen(verdict->evidence), >, 0);
    g_assert_null(strpbrk(verdict->evidence, "\r\n"));
    g_assert_cmpint(verdict->match, >=, ODDPORT_MATCH_NO);
    g_assert_cmpint(verdict->match, <=, ODDPORT_MATCH_YES);
    if (verdict->match == ODDPORT_MATCH_NO)
        g_assert_cmpint(verdict->confidence, ==, ODDPORT_CONFIDENCE_NONE);
    if (verdict->match == ODDPORT_MATCH_YES) {
        g_assert_cmpint(verdict->confidence, >=, ODDPORT_CONFIDENCE_LOW);
        g_assert_true(info->is_request || info->is_response);
        g_assert_cmpint(verdict->role, ==,
                        info->is_request ? ODDPORT_ROLE_CLIENT : ODDPORT_ROLE_SERVER);
    }
    g_assert_nonnull(memchr(info->method, '\0', sizeof info->method));
    g_assert_nonnull(memchr(info->path, '\0', sizeof info->path));
    g_assert_nonnull(memchr(info->host, '\0', sizeof info->host));
    g_assert_nonnull(memchr(info->user_agent, '\0', sizeof info->user_agent));
    g_assert_nonnull(memchr(info->version, '\0', sizeof info->version));
    if (verdict->match == ODDPORT_MATCH_NO) {
        OddportHttpInfo zero;
        memset(&zero, 0, sizeof zero);
        g_assert_cmpmem(info, sizeof *info, &zero, sizeof zero);
    }
}

ODDPORT_DETECT_HARNESS(OddportHttpInfo, oddport_detect_http)

static void expect(const char *text, OddportMatch match, OddportConfidence confidence)
{
    expect_text(text, strlen(text), match, confidence);
}

static void expect_no(const char *text)
{
    expect(text, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
}

static void test_curl_request(void)
{
    OddportVerdict verdict;
    OddportHttpInfo info;
    g_assert_cmpint(detect(curl_request, sizeof curl_request, &verdict, &info), ==,
                    ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_CLIENT);
    g_assert_cmpstr(verdict.evidence, ==, "GET /admin?x=1 HTTP/1.1 Host: example.org:9445");
    g_assert_true(info.is_request);
    g_assert_false(info.is_response);
    g_assert_false(info.is_h2c_prior_knowledge);
    g_assert_cmpstr(info.method, ==, "GET");
    g_assert_cmpstr(info.path, ==, "/admin?x=1");
    g_assert_cmpstr(info.version, ==, "HTTP/1.1");
    g_assert_cmpstr(info.host, ==, "example.org:9445");
    g_assert_cmpstr(info.user_agent, ==, "Mozilla/5.0 (X11; Linux x86_64)");
    g_assert_cmpint(info.status, ==, 0);
}

/* The detector is called again with more bytes as segments arrive: each prefix must wait until
 * the request line is whole, then say yes, and headers appear once their lines are whole. */
static void test_split_request(void)
{
    const char *text = (const char *)curl_request;
    size_t line_end = (size_t)((const char *)memchr(text, '\n', sizeof curl_request) - text) + 1;
    size_t target_end = 14; /* "GET /admin?x=1" */
    size_t host_end = line_end + strlen("Host: example.org:9445\r\n");
    size_t agent_end = host_end + strlen("User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n");
    for (size_t length = 0; length <= sizeof curl_request; length++) {
        OddportVerdict verdict;
        OddportHttpInfo info;
        detect(curl_request, length, &verdict, &info);
        if (length == 0) {
            g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
            g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_NONE);
        } else if (length < line_end) {
            g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
            g_assert_cmpint(verdict.confidence, ==,
                            length > target_end ? ODDPORT_CONFIDENCE_MEDIUM
                                                : ODDPORT_CONFIDENCE_LOW);
            g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_CLIENT);
            /* A wait worth MEDIUM becomes a request if the flow ends, so it says what it has. */
            g_assert_cmpint(info.is_request, ==, length > target_end);
            g_assert_cmpstr(info.method, ==, length > 3 ? "GET" : "");
            g_assert_cmpstr(info.path, ==, length > target_end ? "/admin?x=1" : "");
            g_assert_cmpstr(info.version, ==, length >= line_end - 2 ? "HTTP/1.1" : "");
        } else {
            g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
            g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
            g_assert_cmpstr(info.host, ==, length >= host_end ? "example.org:9445" : "");
            g_assert_cmpstr(info.user_agent, ==,
                            length >= agent_end ? "Mozilla/5.0 (X11; Linux x86_64)" : "");
        }
    }
}

static void test_bare_line_feeds(void)
{
    OddportVerdict verdict;
    OddportHttpInfo info;
    detect_text("POST /api HTTP/1.0\nHost:\tapi.example.com  \nUser-Agent:x\n\n", &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpstr(info.host, ==, "api.example.com");
    g_assert_cmpstr(info.user_agent, ==, "x");
    g_assert_cmpstr(info.version, ==, "HTTP/1.0");
}

static void test_lowercase_method(void)
{
    OddportVerdict verdict;
    OddportHttpInfo info;
    detect_text("get / HTTP/1.1\r\n", &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_MEDIUM);
    g_assert_cmpstr(info.method, ==, "get");
    expect("Get /index.html HTTP/1.1\r\nHost: a\r\n\r\n", ODDPORT_MATCH_YES,
           ODDPORT_CONFIDENCE_MEDIUM);
    expect("propfind /dav/ HTTP/1.1\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_MEDIUM);
    /* Waiting on a lowercase request is worth little. */
    expect("get / HTTP/1.", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
}

/* Every method of the IANA registry (40 when this was written, CONNECT and QUERY among them),
 * from the detector's own table: sent in the registry's case it is HTTP with high confidence and
 * its Host read; in lower case it is still taken for a method. The table must be in byte order,
 * which the detector's narrowing byte by byte needs: a method moved out of place fails here. */
static void test_every_registered_method(void)
{
    g_assert_cmpuint(G_N_ELEMENTS(oddport_http_registered_methods), ==, 40);
    for (size_t index = 0; index < G_N_ELEMENTS(oddport_http_registered_methods); index++) {
        const char *method = oddport_http_registered_methods[index];
        if (index > 0)
            g_assert_cmpint(strcmp(oddport_http_registered_methods[index - 1], method), <, 0);
        /* CONNECT takes a host and port rather than a path. */
        const char *target = strcmp(method, "CONNECT") == 0 ? "dav.example:443" : "/dav/file.txt";
        for (unsigned lower = 0; lower < 2; lower++) {
            char *sent = lower ? g_ascii_strdown(method, -1) : g_strdup(method);
            char *request =
                g_strdup_printf("%s %s HTTP/1.1\r\nHost: dav.example\r\n\r\n", sent, target);
            OddportVerdict verdict;
            OddportHttpInfo info;
            detect_text(request, &verdict, &info);
            g_assert_cmpstr(info.method, ==, sent);
            if (lower) {
                g_assert_cmpint(verdict.match, !=, ODDPORT_MATCH_NO);
            } else {
                g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
                g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
                g_assert_cmpstr(info.host, ==, "dav.example");
            }
            g_free(request);
            g_free(sent);
        }
    }
}

static void test_webdav_and_query(void)
{
    OddportVerdict verdict;
    OddportHttpInfo info;
    detect_text("PROPFIND /calendars/user/ HTTP/1.1\r\nHost: cal.example.net\r\nDepth: 1\r\n"
                "Content-Type: application/xml\r\n\r\n<?xml version=\"1.0\"?>",
                &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpstr(verdict.evidence, ==,
                    "PROPFIND /calendars/user/ HTTP/1.1 Host: cal.example.net");

    detect_text("QUERY /contacts HTTP/1.1\r\nHost: example.org\r\n"
                "Content-Type: example/query\r\n\r\nselect surname",
                &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(info.method, ==, "QUERY");
}

static void test_connect(void)
{
    OddportVerdict verdict;
    OddportHttpInfo info;
    detect_text("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n"
                "Proxy-Connection: Keep-Alive\r\n\r\n",
                &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpstr(info.path, ==, "example.org:443");
    g_assert_cmpstr(verdict.evidence, ==, "CONNECT example.org:443 HTTP/1.1 Host: example.org:443");

    expect("CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
    expect("CONNECT 192.0.2.7:22 HTTP/1.0\r\n\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
    /* A host that happens to start like a scheme is still an authority. */
    expect("CONNECT httpbin.org:443 HTTP/1.1\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
    /* CONNECT names an authority and nothing else; nothing else takes one. */
    expect_no("CONNECT example.org HTTP/1.1\r\n");
    expect_no("CONNECT example.org: HTTP/1.1\r\n");
    expect_no("CONNECT example.org:443x HTTP/1.1\r\n");
    expect_no("CONNECT :443 HTTP/1.1\r\n");
    expect_no("CONNECT /tunnel HTTP/1.1\r\n");
    expect_no("GET example.org:443 HTTP/1.1\r\n");
    expect("CONNECT example.org:443 ", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
}

static void test_target_forms(void)
{
    expect("GET http://example.org/index.html HTTP/1.1\r\n", ODDPORT_MATCH_YES,
           ODDPORT_CONFIDENCE_HIGH);
    expect("GET HTTPS://Example.org/ HTTP/1.1\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
    expect("OPTIONS * HTTP/1.1\r\nHost: example.org\r\n\r\n", ODDPORT_MATCH_YES,
           ODDPORT_CONFIDENCE_HIGH);
    expect("GET /caf\xc3\xa9 HTTP/1.1\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
    expect_no("GET * HTTP/1.1\r\n");
    expect_no("OPTIONS ** HTTP/1.1\r\n");
    expect_no("GET http:/x HTTP/1.1\r\n");
    expect_no("GET http:// HTTP/1.1\r\n");
    expect_no("GET ftp://example.org/ HTTP/1.1\r\n");
    expect_no("GET index.html HTTP/1.1\r\n");
    expect_no("GET  / HTTP/1.1\r\n");
    expect_no("GET / HTTP/1.1 \r\n");
    expect_no("GET /a\tb HTTP/1.1\r\n");
    expect_no("GET /a\x01 HTTP/1.1\r\n");
    expect_no("GET /\x7f HTTP/1.1\r\n");
    expect_no(" GET / HTTP/1.1\r\n");
    expect_no("\r\nGET / HTTP/1.1\r\n");
}

static void test_versions(void)
{
    expect("GET / HTTP/1.0\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
    expect("GET / HTTP/0.9\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
    expect("GET / HTTP/1.2\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
    /* HTTP/2 and later never send text request lines: odd, so less sure. */
    expect("GET / HTTP/2.0\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_MEDIUM);
    expect("get / HTTP/3.0\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_LOW);
    expect_no("GET / HTTP/1.10\r\n");
    expect_no("GET / HTTP/11\r\n");
    expect_no("GET / HTTP/1\r\n");
    expect_no("GET / http/1.1\r\n");
    expect_no("GET / HTTP/1.1\rX");
    expect_no("PRI * HTTP/2.0\r\nHost: x\r\n\r\n");
    expect("PRI * HTTP/1.1\r\n\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
    /* A line without a version is at most an HTTP/0.9 simple request (see simple-request). */
    expect("GET /index.html\r\n", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    expect_no("HEAD /index.html\r\n");
}

/* What a client sends to Python's http.server for "GET /hello.txt" without a version. */
static void test_simple_request(void)
{
    OddportVerdict verdict;
    OddportHttpInfo info;
    /* With or without the empty line that Python's http.server waits for. */
    static const char *const lines[] = {"GET /hello.txt\n", "GET /hello.txt\r\n",
                                        "GET /hello.txt\n\n", "GET /hello.txt\r\n\r\n"};
    for (size_t index = 0; index < G_N_ELEMENTS(lines); index++) {
        detect_text(lines[index], &verdict, &info);
        /* Redis takes the same line: it waits at LOW for the server's answer to settle it. */
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
        g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_LOW);
        g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_CLIENT);
        g_assert_cmpstr(verdict.evidence, ==, "HTTP/0.9 simple request GET /hello.txt");
        g_assert_true(info.is_request);
        g_assert_true(info.is_simple_request);
        g_assert_false(info.is_response);
        g_assert_cmpstr(info.method, ==, "GET");
        g_assert_cmpstr(info.path, ==, "/hello.txt");
        g_assert_cmpstr(info.version, ==, "HTTP/0.9");
        g_assert_cmpstr(info.host, ==, "");
    }
    expect("GET /\n", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    expect("GET /caf\xc3\xa9?q=1#top\n", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);

    /* Each prefix waits, none of them as a simple request until the line is whole. */
    const char *whole = "GET /hello.txt\r\n\r\n";
    for (size_t length = 1; length < strlen(whole); length++) {
        detect(whole, length, &verdict, &info);
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
        g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_LOW);
        g_assert_cmpint(info.is_simple_request, ==, length == strlen("GET /hello.txt\r\n"));
    }

    /* The evidence shows a long path cut, as for other requests. */
    GString *line = g_string_new("GET /");
    while (line->len < 300)
        g_string_append_c(line, 'p');
    g_string_append(line, "\n");
    detect_text(line->str, &verdict, &info);
    g_assert_true(info.is_simple_request);
    g_assert_true(g_str_has_suffix(verdict.evidence, "ppp..."));
    g_string_free(line, TRUE);
}

/* HTTP/0.9 defines GET and a path, then the line's end and nothing else: everything around it
 * that other text protocols send stays not-HTTP. */
static void test_simple_request_look_alikes(void)
{
    static const char *const look_alikes[] = {
        /* Lowercase: memcached's get; HTTP/0.9 only ever sent GET. */
        "get /index.html\r\n",
        "Get /index.html\n",
        /* Other methods have no version-less form. */
        "HEAD /index.html\r\n",
        "POST /form\n",
        "DELETE /key\r\n",
        "OPTIONS *\r\n",
        "CONNECT example.org:443\r\n",
        /* Not a path: Redis and memcached keys, absolute URLs, nothing at all. */
        "GET mykey\r\n",
        "GET key\n",
        "GET http://example.org/\r\n",
        "GET \r\n",
        "GET\r\n",
        "GET  /index.html\n",
        /* Spaces, control bytes or a stray CR in or after the path. */
        "GET /a b\n",
        "GET /index.html \n",
        "GET /a\tb\n",
        "GET /a\x01\n",
        "GET /a\x7f\n",
        "GET /index.html\rX",
        "GET /index.html\r\r\n",
        /* More than the line and one empty line: a pipeline of inline commands, headers. */
        "GET /a\r\nGET /b\r\n",
        "GET /index.html\n\n\n",
        "GET /index.html\r\n\r\nx",
        "GET /index.html\r\n\rX",
        "GET /index.html\r\nHost: example.org\r\n\r\n",
        "GET /index.html\nx",
        "GET /tmp/key\r\nQUIT\r\n",
        /* Line protocols' own commands. */
        "RETR /pub/file.txt\r\n",
        "CWD /pub\r\n",
        "LIST /\r\n",
        "STAT /\n",
        "a001 SELECT /INBOX\r\n",
        "VRFY /root\r\n",
        "/index.html\r\n",
    };
    for (size_t index = 0; index < G_N_ELEMENTS(look_alikes); index++)
        expect_no(look_alikes[index]);
    /* Redis's "GET /tmp/key" is the same line as the request: only its answer tells it apart
     * (see the classify tests); the detector alone may not claim it. */
    OddportVerdict verdict;
    OddportHttpInfo info;
    detect_text("GET /tmp/key\r\n", &verdict, &info);
    g_assert_cmpint(verdict.match, !=, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_LOW);
}

/* The server's answer to a simple request is a body without a status line; other text
 * protocols answer their look-alike commands in their own way. */
static void test_simple_response_possible(void)
{
    static const char *const bodies[] = {
        "<!DOCTYPE HTML>\n<html lang=\"en\">",
        "hello from oddport\n",
        "{\"ok\": true}",
        "[1, 2]",
        "\x89PNG\r\n",
        "x",
        "2024 was a year",
        "404: not found",
    };
    for (size_t index = 0; index < G_N_ELEMENTS(bodies); index++)
        g_assert_true(oddport_http_simple_response_possible((const uint8_t *)bodies[index],
                                                            strlen(bodies[index])));
    static const char *const replies[] = {
        "$5\r\nhello\r\n", "$-1\r\n",     "+OK\r\n",        "-ERR unknown command",
        ":1\r\n",          "*2\r\n",      "* OK IMAP4rev1", "220 mail ESMTP",
        "500 unknown\r\n", "220-welcome",
    };
    for (size_t index = 0; index < G_N_ELEMENTS(replies); index++)
        g_assert_false(oddport_http_simple_response_possible((const uint8_t *)replies[index],
                                                             strlen(replies[index])));
    g_assert_false(oddport_http_simple_response_possible(NULL, 0));
    g_assert_false(oddport_http_simple_response_possible((const uint8_t *)"$", 1));
    static const uint8_t nul_first[] = {0x00, 0x01};
    g_assert_true(oddport_http_simple_response_possible(nul_first, sizeof nul_first));
}

static void test_h2c_preface(void)
{
    OddportVerdict verdict;
    OddportHttpInfo info;
    for (size_t length = 1; length <= sizeof h2c_preface_and_settings; length++) {
        detect(h2c_preface_and_settings, length, &verdict, &info);
        if (length < 24) {
            g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
            g_assert_cmpint(verdict.confidence, ==,
                            length >= 16 ? ODDPORT_CONFIDENCE_MEDIUM : ODDPORT_CONFIDENCE_LOW);
            g_assert_cmpint(info.is_h2c_prior_knowledge, ==, length >= 16);
            g_assert_cmpint(info.is_request, ==, length >= 16);
            continue;
        }
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
        g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
        g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_CLIENT);
        g_assert_cmpstr(verdict.evidence, ==, "HTTP/2 prior-knowledge preface");
        g_assert_true(info.is_h2c_prior_knowledge);
        g_assert_true(info.is_request);
        g_assert_cmpstr(info.method, ==, "PRI");
        g_assert_cmpstr(info.path, ==, "*");
        g_assert_cmpstr(info.version, ==, "HTTP/2.0");
    }
    expect_no("PRI * HTTP/2.0\r\n\r\nSX\r\n\r\n");
    expect_no("PRI * HTTP/2.0\r\n\r\nSM\r\n\rX");
    expect_no("PRI * HTTP/2.0\r\n\r\n\r\n");
}

static void test_status_lines(void)
{
    OddportVerdict verdict;
    OddportHttpInfo info;
    detect_text("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n", &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_SERVER);
    g_assert_cmpstr(verdict.evidence, ==, "HTTP/1.1 200 response");
    g_assert_true(info.is_response);
    g_assert_false(info.is_request);
    g_assert_cmpint(info.status, ==, 200);
    g_assert_cmpstr(info.version, ==, "HTTP/1.1");

    detect_text("HTTP/1.0 404\r\n\r\n", &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(info.status, ==, 404);
    expect("HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n", ODDPORT_MATCH_YES,
           ODDPORT_CONFIDENCE_HIGH);
    expect("HTTP/1.1 200 ", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH);
    expect("HTTP/1.1 999 Whatever\r\n", ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_MEDIUM);

    static const char *const prefixes[] = {
        "H",       "HT",       "HTT",       "HTTP",       "HTTP/",       "HTTP/1",
        "HTTP/1.", "HTTP/1.1", "HTTP/1.1 ", "HTTP/1.1 2", "HTTP/1.1 20", "HTTP/1.1 200"};
    for (size_t index = 0; index < G_N_ELEMENTS(prefixes); index++)
        expect(prefixes[index], ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    detect_text("HTTP/1.1 2", &verdict, &info);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_SERVER);
    /* "H" could still be HEAD or HTTP/. */
    detect_text("H", &verdict, &info);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_EITHER);

    expect_no("HTTP/1.1 2000 OK\r\n");
    expect_no("HTTP/1.1 20 OK\r\n");
    expect_no("HTTP/1.1 200OK\r\n");
    expect_no("HTTP/1.1  200 OK\r\n");
    expect_no("HTTP/1.1 200 O\x01K\r\n");
    expect_no("HTTP/1.1 200 OK\rX\n");
    expect_no("HTTP/11 200 OK\r\n");
    expect_no("HTTP/2 200\r\n");
    expect_no("HTTPS/1.1 200 OK\r\n");
}

/* Protocols that borrow HTTP's look must not pass for it. */
static void test_look_alikes_are_not_http(void)
{
    static const char *const look_alikes[] = {
        /* RTSP */
        "OPTIONS rtsp://192.0.2.1:554/stream RTSP/1.0\r\nCSeq: 1\r\n\r\n",
        "DESCRIBE rtsp://camera/live RTSP/1.0\r\nCSeq: 2\r\n\r\n",
        "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n",
        "GET_PARAMETER rtsp://x RTSP/1.0\r\n",
        "RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n",
        /* SIP */
        "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33\r\n\r\n",
        "OPTIONS sip:carol@chicago.com SIP/2.0\r\n",
        "REGISTER sip:registrar.example.com SIP/2.0\r\n",
        "SIP/2.0 200 OK\r\n",
        /* SSDP */
        "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n\r\n",
        "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n",
        /* Shoutcast */
        "ICY 200 OK\r\nicy-name: radio\r\n\r\n",
        /* memcached */
        "get user:1234\r\n",
        "set key 0 900 5\r\nhello\r\n",
        "GET key\r\n",
        /* Redis inline and RESP */
        "GET mykey\r\n",
        "SET foo bar\r\n",
        "*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n",
        "PING\r\n",
        /* SMTP */
        "220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n",
        "EHLO client.example.org\r\n",
        "HELO relay\r\n",
        "MAIL FROM:<a@example.org>\r\n",
        /* FTP */
        "220 ProFTPD Server (Debian) [::ffff:192.0.2.5]\r\n",
        "USER anonymous\r\n",
        "PASV\r\n",
        "RETR /pub/file.txt\r\n",
        /* POP3 and IMAP */
        "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
        "* OK IMAP4rev1 Service Ready\r\n",
        "a001 LOGIN user pass\r\n",
        /* Others */
        "SSH-2.0-OpenSSH_9.2p1\r\n",
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        "hello world\n",
        "\r\n",
    };
    for (size_t index = 0; index < G_N_ELEMENTS(look_alikes); index++)
        expect_no(look_alikes[index]);
}

static void test_partial_requests(void)
{
    static const char *const low[] = {
        "G",          "GE",    "GET",       "GET ",         "GET /",
        "GET /index", "P",     "PO",        "PROPF",        "VERSION-CONTROL",
        "m",          "mkcol", "OPTIONS *", "GET http://ex"};
    for (size_t index = 0; index < G_N_ELEMENTS(low); index++)
        expect(low[index], ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    expect("GET / ", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_MEDIUM);
    expect("GET /index.html HT", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_MEDIUM);
    expect("GET /index.html HTTP/1.1", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_MEDIUM);
    expect("GET /index.html HTTP/1.1\r", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_MEDIUM);
    expect("OPTIONS * HTTP/1.1", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    expect("GET http://example.org/ HTTP", ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    expect_no("GETX");
    expect_no("GET /index.html X");
    expect_no("GET /index.html HTTX");
    expect_no("UPDATEREDIRECTREFS");
    expect_no("XGET");
    expect_no("GET rtsp");
}

static void test_line_length_limit(void)
{
    GString *line = g_string_new("GET /");
    while (line->len < 8000)
        g_string_append_c(line, 'a');
    expect(line->str, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    while (line->len < 8192)
        g_string_append_c(line, 'a');
    expect_no(line->str);
    g_string_append(line, " HTTP/1.1\r\n");
    expect_no(line->str);
    g_string_free(line, TRUE);

    /* A long but acceptable request line, and a path longer than the info field. */
    line = g_string_new("GET /");
    while (line->len < 4000)
        g_string_append_c(line, 'b');
    g_string_append(line, " HTTP/1.1\r\nHost: example.org\r\n\r\n");
    OddportVerdict verdict;
    OddportHttpInfo info;
    detect_text(line->str, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpuint(strlen(info.path), ==, sizeof info.path - 1);
    g_assert_true(g_str_has_prefix(info.path, "/bbbb"));
    g_assert_true(g_str_has_suffix(verdict.evidence, "... HTTP/1.1 Host: example.org"));
    g_string_free(line, TRUE);
}

static void test_headers(void)
{
    OddportVerdict verdict;
    OddportHttpInfo info;
    /* Names are case-insensitive; only the first Host counts; folded lines are skipped. */
    detect_text("GET / HTTP/1.1\r\nhOsT:   first.example  \r\nX-Folded: a\r\n  b\r\n"
                "HOST: second.example\r\nuser-agent: Wget/1.21\r\n\r\nUser-Agent: body\r\n",
                &verdict, &info);
    g_assert_cmpstr(info.host, ==, "first.example");
    g_assert_cmpstr(info.user_agent, ==, "Wget/1.21");

    /* A header line not yet ended is not taken: its value may still grow. */
    detect_text("GET / HTTP/1.1\r\nHost: exam", &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(info.host, ==, "");
    g_assert_cmpstr(verdict.evidence, ==, "GET / HTTP/1.1");

    /* A malformed header ends the search but not the verdict. */
    detect_text("GET / HTTP/1.1\r\nno colon here\r\nHost: late.example\r\n\r\n", &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(info.host, ==, "");

    detect_text("GET / HTTP/1.1\r\nHost:\r\n\r\n", &verdict, &info);
    g_assert_cmpstr(info.host, ==, "");

    /* A bare CR inside a value makes the header block malformed. */
    detect_text("GET / HTTP/1.1\r\nHost: a\rb\r\nUser-Agent: x\r\n\r\n", &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(info.host, ==, "");
    g_assert_cmpstr(info.user_agent, ==, "");

    /* Values stop at an embedded NUL and are cut to the field. */
    static const char with_nul[] = "GET / HTTP/1.1\r\nUser-Agent: abc\0def\r\n\r\n";
    detect(with_nul, sizeof with_nul - 1, &verdict, &info);
    g_assert_cmpstr(info.user_agent, ==, "abc");
    GString *request = g_string_new("GET / HTTP/1.1\r\nHost: ");
    for (int index = 0; index < 600; index++)
        g_string_append_c(request, 'h');
    g_string_append(request, "\r\n\r\n");
    detect_text(request->str, &verdict, &info);
    g_assert_cmpuint(strlen(info.host), ==, sizeof info.host - 1);
    g_assert_cmpuint(strlen(verdict.evidence), ==, sizeof verdict.evidence - 1);
    g_string_free(request, TRUE);
}

static void test_null_info_and_verdict_always_written(void)
{
    OddportVerdict verdict;
    memset(&verdict, 0x7f, sizeof verdict);
    const char *text = "GET / HTTP/1.1\r\n";
    g_assert_cmpint(oddport_detect_http((const uint8_t *)text, strlen(text), &verdict, NULL), ==,
                    ODDPORT_MATCH_YES);
    g_assert_cmpstr(verdict.evidence, ==, "GET / HTTP/1.1");

    memset(&verdict, 0x7f, sizeof verdict);
    text = "RTSP/1.0 200 OK\r\n";
    g_assert_cmpint(oddport_detect_http((const uint8_t *)text, strlen(text), &verdict, NULL), ==,
                    ODDPORT_MATCH_NO);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_NONE);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_EITHER);
    g_assert_nonnull(memchr(verdict.evidence, '\0', sizeof verdict.evidence));

    memset(&verdict, 0x7f, sizeof verdict);
    g_assert_cmpint(oddport_detect_http(NULL, 0, &verdict, NULL), ==, ODDPORT_MATCH_NEED_MORE);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_NONE);
    g_assert_cmpstr(verdict.evidence, ==, "no bytes yet");
}

/* Random bytes, random text made of HTTP's own words, and damaged real requests: the detector
 * must never crash, read out of bounds or write a malformed verdict. */
static void test_random_bytes(void)
{
    GRand *random = g_rand_new_with_seed(1999);
    static const char *const pieces[] = {"GET",     "HTTP/1.1", "HTTP/",
                                         " ",       "/",        "\r\n",
                                         "\n",      "Host:",    "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                                         "*",       "CONNECT",  "a:1",
                                         "http://", "200",      "\0",
                                         "\r"};
    uint8_t buffer[256];
    for (int round = 0; round < 30000; round++) {
        size_t length = 0;
        int kind = round % 3;
        if (kind == 0) {
            length = (size_t)g_rand_int_range(random, 0, (gint32)sizeof buffer);
            for (size_t index = 0; index < length; index++)
                buffer[index] = (uint8_t)g_rand_int_range(random, 0, 256);
        } else if (kind == 1) {
            while (length < 200) {
                const char *piece = pieces[g_rand_int_range(random, 0, G_N_ELEMENTS(pieces))];
                size_t piece_length = piece[0] == '\0' ? 1 : strlen(piece);
                memcpy(buffer + length, piece, piece_length);
                length += piece_length;
                if (g_rand_boolean(random) && g_rand_boolean(random))
                    break;
            }
        } else {
            length = sizeof curl_request;
            memcpy(buffer, curl_request, length);
            for (int flips = g_rand_int_range(random, 1, 4); flips > 0; flips--)
                buffer[g_rand_int_range(random, 0, (gint32)length)] =
                    (uint8_t)g_rand_int_range(random, 0, 256);
            length = (size_t)g_rand_int_range(random, 0, (gint32)length + 1);
        }
        OddportVerdict verdict;
        OddportHttpInfo info;
        detect(buffer, length, &verdict, &info);
    }
    g_rand_free(random);
}

/* Evidence lines take at most the limit, up to the text's first NUL, and as much as fits; a
 * text with no NUL within the limit is read no further (the sanitizers check it). */
static void test_evidence_append(void)
{
    char evidence[ODDPORT_EVIDENCE_MAX] = "";
    oddport_evidence_append_at_most(evidence, "GET /index.html", 3);
    g_assert_cmpstr(evidence, ==, "GET");
    oddport_evidence_append_at_most(evidence, " a\0b", 10);
    g_assert_cmpstr(evidence, ==, "GET a");
    char *unterminated = g_malloc(4);
    memcpy(unterminated, "HEAD", 4);
    oddport_evidence_append_at_most(evidence, unterminated, 4);
    g_free(unterminated);
    g_assert_cmpstr(evidence, ==, "GET aHEAD");
    oddport_evidence_append_at_most(evidence, "", 5);
    g_assert_cmpstr(evidence, ==, "GET aHEAD");

    char filler[2 * ODDPORT_EVIDENCE_MAX];
    memset(filler, 'x', sizeof filler - 1);
    filler[sizeof filler - 1] = '\0';
    oddport_evidence_append(evidence, filler);
    g_assert_cmpuint(strlen(evidence), ==, ODDPORT_EVIDENCE_MAX - 1);
    g_assert_true(g_str_has_prefix(evidence, "GET aHEADxxx"));
    oddport_evidence_append(evidence, "more");
    g_assert_cmpuint(strlen(evidence), ==, ODDPORT_EVIDENCE_MAX - 1);
    g_assert_cmpint(evidence[ODDPORT_EVIDENCE_MAX - 2], ==, 'x');
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/detect/evidence-append", test_evidence_append);
    g_test_add_func("/detect/http/curl-request", test_curl_request);
    g_test_add_func("/detect/http/split-request", test_split_request);
    g_test_add_func("/detect/http/bare-line-feeds", test_bare_line_feeds);
    g_test_add_func("/detect/http/lowercase-method", test_lowercase_method);
    g_test_add_func("/detect/http/every-registered-method", test_every_registered_method);
    g_test_add_func("/detect/http/webdav-and-query", test_webdav_and_query);
    g_test_add_func("/detect/http/connect", test_connect);
    g_test_add_func("/detect/http/target-forms", test_target_forms);
    g_test_add_func("/detect/http/versions", test_versions);
    g_test_add_func("/detect/http/simple-request", test_simple_request);
    g_test_add_func("/detect/http/simple-request-look-alikes", test_simple_request_look_alikes);
    g_test_add_func("/detect/http/simple-response-possible", test_simple_response_possible);
    g_test_add_func("/detect/http/h2c-preface", test_h2c_preface);
    g_test_add_func("/detect/http/status-lines", test_status_lines);
    g_test_add_func("/detect/http/look-alikes-are-not-http", test_look_alikes_are_not_http);
    g_test_add_func("/detect/http/partial-requests", test_partial_requests);
    g_test_add_func("/detect/http/line-length-limit", test_line_length_limit);
    g_test_add_func("/detect/http/headers", test_headers);
    g_test_add_func("/detect/http/null-info", test_null_info_and_verdict_always_written);
    g_test_add_func("/detect/http/random-bytes", test_random_bytes);
    return g_test_run();
}
