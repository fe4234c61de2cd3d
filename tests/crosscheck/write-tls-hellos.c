/* write-tls-hellos: a pcap of TLS hellos and certificates at their edges, for tshark to judge. */

/*
 * Usage: write-tls-hellos OUTPUT.pcap
 *
 * One TCP connection per case, all to port 443 so that tshark decodes each as TLS without help,
 * with valid checksums. Each case is a client flight and most have a server flight; they are cut
 * into segments of a few sizes and into several records where a case says so. The cases are the
 * corners where fingerprinting code tends to differ from tshark's: GREASE everywhere, hellos
 * without extensions, an ALPN value that is not letters and digits, extensions that lie about
 * their length, duplicated extensions, more than 99 cipher suites, an SSLv2-style hello, a
 * HelloRetryRequest, TLS 1.2 server flights with certificates whole, split and cut short, and
 * certificates made here whose names and validity times sit at the edges of reading them: string
 * types, several common names, none, two-digit years, times without seconds or with a fraction.
 * The bytes are fixed, so a run compares the same hellos every time.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "capture-writer.h"
#include "tls-certificates.h"

typedef GByteArray Bytes;

static void put_u8(Bytes *bytes, unsigned value)
{
    uint8_t byte = (uint8_t)value;
    g_byte_array_append(bytes, &byte, 1);
}

static void put_u16(Bytes *bytes, unsigned value)
{
    put_u8(bytes, value >> 8);
    put_u8(bytes, value);
}

static void put_data(Bytes *bytes, const void *data, size_t length)
{
    g_byte_array_append(bytes, data, (guint)length);
}

/* A length prefix of `width` bytes whose value end_block fills in. */
static size_t begin_block(Bytes *bytes, unsigned width)
{
    size_t at = bytes->len;
    for (unsigned index = 0; index < width; index++)
        put_u8(bytes, 0);
    return at;
}

static void end_block(Bytes *bytes, size_t at, unsigned width)
{
    size_t length = bytes->len - at - width;
    for (unsigned index = 0; index < width; index++)
        bytes->data[at + index] = (uint8_t)(length >> (8 * (width - 1 - index)));
}

static void put_u16_list(Bytes *bytes, unsigned prefix_width, const uint16_t *values, size_t count)
{
    size_t block = begin_block(bytes, prefix_width);
    for (size_t index = 0; index < count; index++)
        put_u16(bytes, values[index]);
    end_block(bytes, block, prefix_width);
}

static void put_extension(Bytes *extensions, unsigned type, const void *data, size_t length)
{
    put_u16(extensions, type);
    put_u16(extensions, (unsigned)length);
    put_data(extensions, data, length);
}

static void put_sni(Bytes *extensions, const char *name)
{
    Bytes *data = g_byte_array_new();
    size_t list = begin_block(data, 2);
    put_u8(data, 0);
    size_t host = begin_block(data, 2);
    put_data(data, name, strlen(name));
    end_block(data, host, 2);
    end_block(data, list, 2);
    put_extension(extensions, 0, data->data, data->len);
    g_byte_array_unref(data);
}

/* `names` are length-prefixed already ("\002h2"), so that empty and odd bytes can be written. */
static void put_alpn(Bytes *extensions, const char *const *names, size_t count)
{
    Bytes *data = g_byte_array_new();
    size_t list = begin_block(data, 2);
    for (size_t index = 0; index < count; index++)
        put_data(data, names[index], 1u + (uint8_t)names[index][0]);
    end_block(data, list, 2);
    put_extension(extensions, 16, data->data, data->len);
    g_byte_array_unref(data);
}

static void put_u16_extension(Bytes *extensions, unsigned type, unsigned prefix_width,
                              const uint16_t *values, size_t count)
{
    Bytes *data = g_byte_array_new();
    put_u16_list(data, prefix_width, values, count);
    put_extension(extensions, type, data->data, data->len);
    g_byte_array_unref(data);
}

static void put_point_formats(Bytes *extensions, const uint8_t *formats, size_t count)
{
    Bytes *data = g_byte_array_new();
    put_u8(data, (unsigned)count);
    put_data(data, formats, count);
    put_extension(extensions, 11, data->data, data->len);
    g_byte_array_unref(data);
}

static void put_key_share(Bytes *extensions)
{
    Bytes *data = g_byte_array_new();
    size_t shares = begin_block(data, 2);
    put_u16(data, 0x001d);
    size_t key = begin_block(data, 2);
    for (unsigned index = 0; index < 32; index++)
        put_u8(data, 0x90 + index);
    end_block(data, key, 2);
    end_block(data, shares, 2);
    put_extension(extensions, 51, data->data, data->len);
    g_byte_array_unref(data);
}

/* A handshake message of `type` around `body`. */
static Bytes *handshake_message(unsigned type, const Bytes *body)
{
    Bytes *message = g_byte_array_new();
    put_u8(message, type);
    size_t length = begin_block(message, 3);
    put_data(message, body->data, body->len);
    end_block(message, length, 3);
    return message;
}

/* A ClientHello; NULL `extensions` leaves the extension block out altogether. */
static Bytes *client_hello(unsigned version, const uint16_t *suites, size_t suite_count,
                           const Bytes *extensions)
{
    Bytes *body = g_byte_array_new();
    put_u16(body, version);
    for (unsigned index = 0; index < 32; index++)
        put_u8(body, 0x11 * (index % 16));
    put_u8(body, 32);
    for (unsigned index = 0; index < 32; index++)
        put_u8(body, 0xc0 + index);
    put_u16_list(body, 2, suites, suite_count);
    put_u8(body, 1);
    put_u8(body, 0);
    if (extensions != NULL) {
        size_t block = begin_block(body, 2);
        put_data(body, extensions->data, extensions->len);
        end_block(body, block, 2);
    }
    Bytes *message = handshake_message(1, body);
    g_byte_array_unref(body);
    return message;
}

/* A ServerHello; `random` NULL for an ordinary one. */
static Bytes *server_hello(unsigned version, unsigned suite, const Bytes *extensions,
                           const uint8_t *random)
{
    Bytes *body = g_byte_array_new();
    put_u16(body, version);
    for (unsigned index = 0; index < 32; index++)
        put_u8(body, random != NULL ? random[index] : 0x21 + index);
    put_u8(body, 32);
    for (unsigned index = 0; index < 32; index++)
        put_u8(body, 0xc0 + index);
    put_u16(body, suite);
    put_u8(body, 0);
    if (extensions != NULL) {
        size_t block = begin_block(body, 2);
        put_data(body, extensions->data, extensions->len);
        end_block(body, block, 2);
    }
    Bytes *message = handshake_message(2, body);
    g_byte_array_unref(body);
    return message;
}

/* A Certificate message holding `count` DER certificates. */
static Bytes *certificate_message(const uint8_t *const *certificates, const size_t *lengths,
                                  size_t count)
{
    Bytes *body = g_byte_array_new();
    size_t list = begin_block(body, 3);
    for (size_t index = 0; index < count; index++) {
        size_t entry = begin_block(body, 3);
        put_data(body, certificates[index], lengths[index]);
        end_block(body, entry, 3);
    }
    end_block(body, list, 3);
    Bytes *message = handshake_message(11, body);
    g_byte_array_unref(body);
    return message;
}

static Bytes *server_hello_done(void)
{
    Bytes *empty = g_byte_array_new();
    Bytes *message = handshake_message(14, empty);
    g_byte_array_unref(empty);
    return message;
}

/* Appends handshake bytes to `flight` as records of `content_type` holding at most `fragment`
 * bytes each. */
static void put_records(Bytes *flight, unsigned content_type, unsigned version, const Bytes *data,
                        size_t fragment)
{
    for (size_t offset = 0; offset < data->len; offset += fragment) {
        size_t length = MIN(fragment, data->len - offset);
        put_u8(flight, content_type);
        put_u16(flight, version);
        put_u16(flight, (unsigned)length);
        put_data(flight, data->data + offset, length);
    }
}

/* Moves `message` into a flight as one handshake record and frees it. */
static void put_message(Bytes *flight, unsigned version, Bytes *message)
{
    put_records(flight, 22, version, message, 16384);
    g_byte_array_unref(message);
}

static const uint16_t common_suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                         0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
                                         0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t signature_algorithms[] = {0x0403, 0x0804, 0x0401, 0x0503,
                                                0x0805, 0x0501, 0x0806, 0x0601};
static const uint16_t groups[] = {0x001d, 0x0017, 0x0018};
static const uint8_t uncompressed_points[] = {0};

/* The extensions most clients send, in a browser's order; ALPN as given. */
static Bytes *usual_extensions(const char *const *alpn, size_t alpn_count, bool tls13)
{
    Bytes *extensions = g_byte_array_new();
    put_sni(extensions, "hellos.oddport.test");
    put_extension(extensions, 23, NULL, 0);
    put_extension(extensions, 0xff01, "\0", 1);
    put_u16_extension(extensions, 10, 2, groups, G_N_ELEMENTS(groups));
    put_point_formats(extensions, uncompressed_points, 1);
    put_extension(extensions, 35, NULL, 0);
    if (alpn_count > 0)
        put_alpn(extensions, alpn, alpn_count);
    put_u16_extension(extensions, 13, 2, signature_algorithms, G_N_ELEMENTS(signature_algorithms));
    if (tls13) {
        static const uint16_t versions[] = {0x0304, 0x0303};
        put_key_share(extensions);
        put_extension(extensions, 45, "\1\1", 2);
        put_u16_extension(extensions, 43, 1, versions, G_N_ELEMENTS(versions));
    }
    return extensions;
}

/* One case: the flights each side sends and the segment sizes they go in. */
typedef struct {
    Bytes *client;
    Bytes *server;
    size_t client_segment;
    size_t server_segment;
} Case;

static Case *new_case(GPtrArray *cases)
{
    Case *entry = g_new0(Case, 1);
    entry->client = g_byte_array_new();
    entry->server = g_byte_array_new();
    entry->client_segment = 1400;
    entry->server_segment = 1400;
    g_ptr_array_add(cases, entry);
    return entry;
}

/* A TLS 1.2 ServerHello with renegotiation_info, extended_master_secret, point formats and, unless
 * NULL, the ALPN protocol it chose (length-prefixed, as put_alpn takes them). */
static void put_tls12_server_flight(Bytes *flight, const char *alpn)
{
    Bytes *extensions = g_byte_array_new();
    put_extension(extensions, 0xff01, "\0", 1);
    put_extension(extensions, 23, NULL, 0);
    put_point_formats(extensions, uncompressed_points, 1);
    if (alpn != NULL)
        put_alpn(extensions, &alpn, 1);
    put_message(flight, 0x0303, server_hello(0x0303, 0xc02f, extensions, NULL));
    g_byte_array_unref(extensions);
}

/* A TLS 1.3 ServerHello (its key share and chosen version) and the ChangeCipherSpec after it. */
static void put_tls13_server_flight(Bytes *flight, unsigned suite)
{
    Bytes *extensions = g_byte_array_new();
    Bytes *share = g_byte_array_new();
    put_u16(share, 0x001d);
    size_t key = begin_block(share, 2);
    for (unsigned index = 0; index < 32; index++)
        put_u8(share, 0x60 + index);
    end_block(share, key, 2);
    put_extension(extensions, 51, share->data, share->len);
    g_byte_array_unref(share);
    put_extension(extensions, 43, "\x03\x04", 2);
    put_message(flight, 0x0303, server_hello(0x0303, suite, extensions, NULL));
    g_byte_array_unref(extensions);
    put_u8(flight, 20);
    put_u16(flight, 0x0303);
    put_u16(flight, 1);
    put_u8(flight, 1);
}

static void add_usual_cases(GPtrArray *cases)
{
    static const char *const h2_and_http11[] = {"\002h2", "\010http/1.1"};

    /* A browser-like TLS 1.3 hello with GREASE in suites, extensions, groups and versions. */
    Case *entry = new_case(cases);
    {
        static const uint16_t suites[] = {0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                          0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
                                          0x009c, 0x009d, 0x002f, 0x0035};
        static const uint16_t grease_groups[] = {0x8a8a, 0x001d, 0x0017, 0x0018};
        static const uint16_t versions[] = {0xdada, 0x0304, 0x0303};
        Bytes *extensions = g_byte_array_new();
        put_extension(extensions, 0x2a2a, NULL, 0);
        put_sni(extensions, "grease.oddport.test");
        put_extension(extensions, 23, NULL, 0);
        put_extension(extensions, 0xff01, "\0", 1);
        put_u16_extension(extensions, 10, 2, grease_groups, G_N_ELEMENTS(grease_groups));
        put_point_formats(extensions, uncompressed_points, 1);
        put_extension(extensions, 35, NULL, 0);
        put_alpn(extensions, h2_and_http11, 2);
        put_extension(extensions, 5, "\1\0\0\0\0", 5);
        put_u16_extension(extensions, 13, 2, signature_algorithms,
                          G_N_ELEMENTS(signature_algorithms));
        put_extension(extensions, 18, NULL, 0);
        put_key_share(extensions);
        put_extension(extensions, 45, "\1\1", 2);
        put_u16_extension(extensions, 43, 1, versions, G_N_ELEMENTS(versions));
        put_extension(extensions, 27, "\2\0\2", 3);
        put_extension(extensions, 0x4469, "\0\3\2h2", 6);
        put_extension(extensions, 0x1a1a, "\0", 1);
        put_extension(extensions, 21, "\0\0\0\0\0\0\0\0", 8);
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, suites, G_N_ELEMENTS(suites), extensions));
        g_byte_array_unref(extensions);
        put_tls13_server_flight(entry->server, 0x1301);
    }

    /* The same in small records and small segments: reassembly on both levels. */
    entry = new_case(cases);
    {
        Bytes *extensions = usual_extensions(h2_and_http11, 2, true);
        Bytes *message =
            client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions);
        put_records(entry->client, 22, 0x0301, message, 77);
        entry->client_segment = 100;
        g_byte_array_unref(message);
        g_byte_array_unref(extensions);
        put_tls13_server_flight(entry->server, 0x1302);
        entry->server_segment = 30;
    }

    /* TLS 1.2 without ALPN and without supported_versions; a TLS 1.2 answer. */
    entry = new_case(cases);
    {
        Bytes *extensions = usual_extensions(NULL, 0, false);
        put_message(
            entry->client, 0x0301,
            client_hello(0x0303, common_suites + 3, G_N_ELEMENTS(common_suites) - 3, extensions));
        g_byte_array_unref(extensions);
        put_tls12_server_flight(entry->server, NULL);
        put_message(entry->server, 0x0303, server_hello_done());
    }

    /* TLS 1.0 and SSL 3.0 hellos without any extension block; answers without one either. */
    static const unsigned old_versions[] = {0x0301, 0x0300};
    for (size_t index = 0; index < G_N_ELEMENTS(old_versions); index++) {
        static const uint16_t old_suites[] = {0x0035, 0x002f, 0x000a, 0x0005, 0x0004, 0x00ff};
        entry = new_case(cases);
        put_message(entry->client, old_versions[index],
                    client_hello(old_versions[index], old_suites, G_N_ELEMENTS(old_suites), NULL));
        put_message(entry->server, old_versions[index],
                    server_hello(old_versions[index], 0x002f, NULL, NULL));
        put_message(entry->server, old_versions[index], server_hello_done());
    }

    /* An empty extension block, answered by one too. */
    entry = new_case(cases);
    {
        Bytes *empty = g_byte_array_new();
        put_message(entry->client, 0x0301, client_hello(0x0303, common_suites + 3, 4, empty));
        put_message(entry->server, 0x0303, server_hello(0x0303, 0xc02f, empty, NULL));
        put_message(entry->server, 0x0303, server_hello_done());
        g_byte_array_unref(empty);
    }
}

static void add_alpn_cases(GPtrArray *cases)
{
    /* First ALPN values that are not letters and digits at one end or both, one character
     * long, empty, and an ALPN extension whose list is empty. */
    static const char *const firsts[] = {
        "\002\xab\xcd",
        "\002\x30\xab",
        "\004\x30\x31\xab\xcd",
        "\004\x30\xab\xcd\x31",
        "\003h2/",
        "\001x",
        "\001\x7f",
        "\000",
        "\010http/1.1",
    };
    for (size_t index = 0; index <= G_N_ELEMENTS(firsts); index++) {
        Case *entry = new_case(cases);
        const char *alpn[] = {index < G_N_ELEMENTS(firsts) ? firsts[index] : NULL, "\002h2"};
        Bytes *extensions = g_byte_array_new();
        put_sni(extensions, "alpn.oddport.test");
        if (alpn[0] != NULL) {
            put_alpn(extensions, alpn, 2);
        } else {
            /* An ALPN extension with an empty protocol list. */
            put_extension(extensions, 16, "\0\0", 2);
        }
        put_u16_extension(extensions, 13, 2, signature_algorithms, 3);
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions));
        g_byte_array_unref(extensions);
        put_tls12_server_flight(entry->server, "\002h2");
        put_message(entry->server, 0x0303, server_hello_done());
    }
}

static void add_odd_extension_cases(GPtrArray *cases)
{
    /* No SNI, no ALPN, no signature algorithms: an IP address as the destination. */
    Case *entry = new_case(cases);
    {
        Bytes *extensions = g_byte_array_new();
        put_u16_extension(extensions, 10, 2, groups, G_N_ELEMENTS(groups));
        put_point_formats(extensions, uncompressed_points, 1);
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions));
        g_byte_array_unref(extensions);
    }

    /* SNI present with an empty list; supported_versions with a draft and GREASE; GREASE in
     * the signature algorithms; groups that are only GREASE; no point formats at all. */
    entry = new_case(cases);
    {
        static const uint16_t versions[] = {0x7f1c, 0x0304, 0x0a0a};
        static const uint16_t grease_only[] = {0x0a0a};
        static const uint16_t algorithms[] = {0x0403, 0x1a1a, 0x0804};
        Bytes *extensions = g_byte_array_new();
        put_extension(extensions, 0, "\0\0", 2);
        put_u16_extension(extensions, 10, 2, grease_only, 1);
        put_u16_extension(extensions, 13, 2, algorithms, G_N_ELEMENTS(algorithms));
        put_u16_extension(extensions, 43, 1, versions, G_N_ELEMENTS(versions));
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions));
        g_byte_array_unref(extensions);
        put_tls13_server_flight(entry->server, 0x1303);
    }

    /* supported_versions offering only TLS 1.2 and GREASE; point formats empty. */
    entry = new_case(cases);
    {
        static const uint16_t versions[] = {0x5a5a, 0x0303, 0x0302};
        Bytes *extensions = g_byte_array_new();
        put_u16_extension(extensions, 43, 1, versions, G_N_ELEMENTS(versions));
        put_point_formats(extensions, NULL, 0);
        put_sni(extensions, "versions.oddport.test");
        put_message(entry->client, 0x0301, client_hello(0x0303, common_suites + 3, 5, extensions));
        g_byte_array_unref(extensions);
    }

    /* The same extension twice: supported_groups, point formats and ALPN. */
    entry = new_case(cases);
    {
        static const uint16_t more_groups[] = {0x0019, 0x001e};
        static const uint8_t formats[] = {0, 1, 2};
        static const char *const first[] = {"\010http/1.1"};
        static const char *const second[] = {"\002h2"};
        Bytes *extensions = g_byte_array_new();
        put_u16_extension(extensions, 10, 2, groups, G_N_ELEMENTS(groups));
        put_point_formats(extensions, formats, 1);
        put_alpn(extensions, first, 1);
        put_u16_extension(extensions, 10, 2, more_groups, G_N_ELEMENTS(more_groups));
        put_point_formats(extensions, formats + 1, 2);
        put_alpn(extensions, second, 1);
        put_u16_extension(extensions, 13, 2, signature_algorithms, 2);
        put_u16_extension(extensions, 13, 2, signature_algorithms + 4, 2);
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions));
        g_byte_array_unref(extensions);
    }

    /* supported_groups whose list is shorter than the extension, point formats whose count
     * runs past the extension into the next one, signature algorithms with an odd byte. */
    entry = new_case(cases);
    {
        Bytes *extensions = g_byte_array_new();
        put_extension(extensions, 10, "\0\2\0\x1d\0\x17", 6);
        put_extension(extensions, 11, "\3\0", 2);
        put_extension(extensions, 13, "\0\3\4\3\x08", 5);
        put_extension(extensions, 23, NULL, 0);
        put_sni(extensions, "lengths.oddport.test");
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions));
        g_byte_array_unref(extensions);
    }

    /* Lists inside extensions longer than the extension: groups, signature algorithms, ALPN,
     * supported_versions; and signature algorithms whose list is shorter than the extension. */
    static const struct {
        unsigned type;
        const char *data;
        size_t length;
    } inner_lies[] = {
        {10, "\0\x10\0\x1d", 4}, {13, "\0\x08\4\3", 4}, {13, "\0\2\4\3\5\3", 6},
        {16, "\0\3\5h2", 5},     {43, "\5\3\4\3\3", 5}, {11, "\2\0", 2},
        {0, "\0\5\0\0\7abc", 9},
    };
    for (size_t index = 0; index < G_N_ELEMENTS(inner_lies); index++) {
        entry = new_case(cases);
        Bytes *extensions = g_byte_array_new();
        put_sni(extensions, "inner.oddport.test");
        put_extension(extensions, inner_lies[index].type, inner_lies[index].data,
                      inner_lies[index].length);
        put_u16_extension(extensions, 13, 2, signature_algorithms, 2);
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions));
        g_byte_array_unref(extensions);
    }

    /* An extension that claims more bytes than the block holds, first as the last extension,
     * then in the middle; and a block that ends in two or three bytes too few for an
     * extension's header. */
    for (unsigned variant = 0; variant < 4; variant++) {
        entry = new_case(cases);
        Bytes *extensions = g_byte_array_new();
        put_sni(extensions, "overrun.oddport.test");
        put_u16_extension(extensions, 10, 2, groups, G_N_ELEMENTS(groups));
        if (variant == 0) {
            put_u16(extensions, 13);
            put_u16(extensions, 40);
            put_u16(extensions, 0x0403);
        } else if (variant == 1) {
            put_u16(extensions, 13);
            put_u16(extensions, 9);
            put_u16(extensions, 0x0403);
            put_point_formats(extensions, uncompressed_points, 1);
        } else {
            put_point_formats(extensions, uncompressed_points, 1);
            put_data(extensions, "\x00\x17\x00", variant);
        }
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions));
        g_byte_array_unref(extensions);
    }

    /* Empty lists: supported_groups, signature algorithms, supported_versions; then
     * supported_versions and the cipher suites offering nothing but GREASE, ALPN whose first
     * value is GREASE, and only SNI and ALPN, so that no extension is left to hash. */
    for (unsigned variant = 0; variant < 3; variant++) {
        static const unsigned types[] = {10, 13, 43};
        entry = new_case(cases);
        Bytes *extensions = g_byte_array_new();
        put_sni(extensions, "empty.oddport.test");
        put_extension(extensions, types[variant], "\0\0", variant == 2 ? 1 : 2);
        put_point_formats(extensions, uncompressed_points, 1);
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions));
        g_byte_array_unref(extensions);
    }
    entry = new_case(cases);
    {
        static const uint16_t grease_suites[] = {0x0a0a, 0xfafa};
        static const uint16_t grease_versions[] = {0x6a6a};
        static const char *const alpn[] = {"\002\x0a\x0a", "\002h2"};
        Bytes *extensions = g_byte_array_new();
        put_u16_extension(extensions, 43, 1, grease_versions, 1);
        put_alpn(extensions, alpn, 2);
        put_message(entry->client, 0x0301,
                    client_hello(0x0302, grease_suites, G_N_ELEMENTS(grease_suites), extensions));
        g_byte_array_unref(extensions);
    }
    entry = new_case(cases);
    {
        static const char *const alpn[] = {"\010http/1.1"};
        Bytes *extensions = g_byte_array_new();
        put_alpn(extensions, alpn, 1);
        put_sni(extensions, "two.oddport.test");
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions));
        g_byte_array_unref(extensions);
        /* A ServerHello with GREASE and an unknown extension. */
        Bytes *answer = g_byte_array_new();
        put_extension(answer, 0x0a0a, NULL, 0);
        put_extension(answer, 0x7777, "\1", 1);
        put_extension(answer, 23, NULL, 0);
        put_message(entry->server, 0x0303, server_hello(0x0303, 0xc02f, answer, NULL));
        put_message(entry->server, 0x0303, server_hello_done());
        g_byte_array_unref(answer);
    }
    /* A ServerHello whose second extension claims more than its block holds. */
    entry = new_case(cases);
    {
        Bytes *extensions = usual_extensions(NULL, 0, false);
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions));
        g_byte_array_unref(extensions);
        Bytes *answer = g_byte_array_new();
        put_extension(answer, 23, NULL, 0);
        put_u16(answer, 0xff01);
        put_u16(answer, 5);
        put_u8(answer, 0);
        put_message(entry->server, 0x0303, server_hello(0x0303, 0xc02f, answer, NULL));
        put_message(entry->server, 0x0303, server_hello_done());
        g_byte_array_unref(answer);
    }

    /* 120 cipher suites and 105 extensions: counts past 99. */
    entry = new_case(cases);
    {
        uint16_t suites[120];
        for (size_t index = 0; index < G_N_ELEMENTS(suites); index++)
            suites[index] = (uint16_t)(0xc100 + 7 * index);
        Bytes *extensions = g_byte_array_new();
        for (unsigned index = 0; index < 105; index++)
            put_extension(extensions, 0x3000 + 3 * index, NULL, 0);
        put_sni(extensions, "many.oddport.test");
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, suites, G_N_ELEMENTS(suites), extensions));
        g_byte_array_unref(extensions);
    }
}

static void add_other_hello_cases(GPtrArray *cases)
{
    /* An SSLv2-compatible ClientHello offering TLS 1.0. */
    Case *entry = new_case(cases);
    {
        static const uint8_t specs[] = {0x00, 0x00, 0x35, 0x00, 0x00, 0x2f, 0x01, 0x00, 0x80,
                                        0x00, 0x00, 0x0a, 0x07, 0x00, 0xc0, 0x00, 0x00, 0xff};
        put_u16(entry->client, 0x8000 | (9 + sizeof specs + 16));
        put_u8(entry->client, 1);
        put_u16(entry->client, 0x0301);
        put_u16(entry->client, sizeof specs);
        put_u16(entry->client, 0);
        put_u16(entry->client, 16);
        put_data(entry->client, specs, sizeof specs);
        for (unsigned index = 0; index < 16; index++)
            put_u8(entry->client, 0x50 + index);
        put_message(entry->server, 0x0301, server_hello(0x0301, 0x0035, NULL, NULL));
        put_message(entry->server, 0x0301, server_hello_done());
    }

    /* A HelloRetryRequest (a ServerHello with RFC 8446's special random) as the server's first
     * message, with a cookie. */
    entry = new_case(cases);
    {
        static const char *const h2[] = {"\002h2"};
        static const uint8_t retry_random[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
                                                 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
                                                 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
                                                 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
        Bytes *extensions = usual_extensions(h2, 1, true);
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions));
        g_byte_array_unref(extensions);
        extensions = g_byte_array_new();
        put_extension(extensions, 43, "\x03\x04", 2);
        put_extension(extensions, 51, "\x00\x17", 2);
        put_extension(extensions, 44, "\x00\x04\xde\xad\xbe\xef", 6);
        put_message(entry->server, 0x0303, server_hello(0x0303, 0x1301, extensions, retry_random));
        g_byte_array_unref(extensions);
    }

    /* A hello cut short: the connection ends before its last 40 bytes. */
    entry = new_case(cases);
    {
        static const char *const h2[] = {"\002h2"};
        Bytes *extensions = usual_extensions(h2, 1, false);
        put_message(entry->client, 0x0301,
                    client_hello(0x0303, common_suites, G_N_ELEMENTS(common_suites), extensions));
        g_byte_array_set_size(entry->client, entry->client->len - 40);
        g_byte_array_unref(extensions);
    }
}

static void add_certificate_cases(GPtrArray *cases)
{
    static const uint8_t *const chain[] = {leaf_certificate, test_ca_certificate};
    static const size_t chain_lengths[] = {sizeof leaf_certificate, sizeof test_ca_certificate};
    static const uint8_t *const self[] = {self_signed_certificate};
    static const size_t self_length[] = {sizeof self_signed_certificate};
    static const char *const http11[] = {"\010http/1.1"};

    /* A self-signed certificate in the ServerHello's record. */
    Case *entry = new_case(cases);
    {
        Bytes *extensions = usual_extensions(http11, 1, false);
        put_message(entry->client, 0x0301, client_hello(0x0303, common_suites + 3, 12, extensions));
        g_byte_array_unref(extensions);
        put_tls12_server_flight(entry->server, "\010http/1.1");
        put_message(entry->server, 0x0303, certificate_message(self, self_length, 1));
        put_message(entry->server, 0x0303, server_hello_done());
    }

    /* A chain, its Certificate message cut across four records and the records into small
     * segments. */
    entry = new_case(cases);
    {
        Bytes *extensions = usual_extensions(http11, 1, false);
        put_message(entry->client, 0x0301, client_hello(0x0303, common_suites + 3, 12, extensions));
        g_byte_array_unref(extensions);
        Bytes *messages = g_byte_array_new();
        Bytes *part = server_hello(0x0303, 0xc02f, NULL, NULL);
        put_data(messages, part->data, part->len);
        g_byte_array_unref(part);
        part = certificate_message(chain, chain_lengths, 2);
        put_data(messages, part->data, part->len);
        g_byte_array_unref(part);
        part = server_hello_done();
        put_data(messages, part->data, part->len);
        g_byte_array_unref(part);
        put_records(entry->server, 22, 0x0303, messages, messages->len / 4 + 1);
        entry->server_segment = 97;
        g_byte_array_unref(messages);
    }

    /* A server flight cut short inside the certificate. */
    entry = new_case(cases);
    {
        Bytes *extensions = usual_extensions(http11, 1, false);
        put_message(entry->client, 0x0301, client_hello(0x0303, common_suites + 3, 12, extensions));
        g_byte_array_unref(extensions);
        put_tls12_server_flight(entry->server, "\010http/1.1");
        put_message(entry->server, 0x0303, certificate_message(self, self_length, 1));
        g_byte_array_set_size(entry->server, entry->server->len - 200);
    }
}

/* Certificates made on the spot, at the edges of reading names and validity times. tshark decodes
 * X.509 without checking signatures, so the key and the signature are filler. */

/* One DER element: `tag`, the definite length of `content`, and `content`, which it frees. */
static Bytes *der(unsigned tag, Bytes *content)
{
    Bytes *element = g_byte_array_new();
    put_u8(element, tag);
    if (content->len < 0x80) {
        put_u8(element, content->len);
    } else if (content->len < 0x100) {
        put_u8(element, 0x81);
        put_u8(element, content->len);
    } else {
        put_u8(element, 0x82);
        put_u16(element, content->len);
    }
    put_data(element, content->data, content->len);
    g_byte_array_unref(content);
    return element;
}

static Bytes *der_bytes(unsigned tag, const void *data, size_t length)
{
    Bytes *content = g_byte_array_new();
    put_data(content, data, length);
    return der(tag, content);
}

/* Moves `element` to the end of `into`. */
static void append_element(Bytes *into, Bytes *element)
{
    put_data(into, element->data, element->len);
    g_byte_array_unref(element);
}

enum {
    DER_INTEGER = 0x02,
    DER_BIT_STRING = 0x03,
    DER_OID = 0x06,
    DER_UTF8 = 0x0c,
    DER_PRINTABLE = 0x13,
    DER_TELETEX = 0x14,
    DER_IA5 = 0x16,
    DER_UTC_TIME = 0x17,
    DER_GENERALIZED_TIME = 0x18,
    DER_UNIVERSAL = 0x1c,
    DER_BMP = 0x1e,
    DER_SEQUENCE = 0x30,
    DER_SET = 0x31,
    DER_VERSION = 0xa0,
};

/* An attribute of a name: id-at-`type` (2.5.4.type: 3 commonName, 6 countryName, 10
 * organizationName, 11 organizationalUnitName) with the bytes of a string of type `tag`. */
typedef struct {
    unsigned type;
    unsigned tag;
    const char *value;
    size_t length;
    bool joins_previous; /* in the same RelativeDistinguishedName as the attribute before */
} NameAttribute;

/* A string literal and its length without the NUL, for NameAttribute. */
#define LITERAL(text) text, sizeof text - 1

/* A Name of `count` attributes, each in its own RelativeDistinguishedName unless it joins the
 * one before. */
static Bytes *name(const NameAttribute *attributes, size_t count)
{
    Bytes *sequence = g_byte_array_new();
    Bytes *set = NULL;
    for (size_t index = 0; index < count; index++) {
        const NameAttribute *attribute = &attributes[index];
        if (set != NULL && !attribute->joins_previous) {
            append_element(sequence, der(DER_SET, set));
            set = NULL;
        }
        if (set == NULL)
            set = g_byte_array_new();
        const uint8_t oid[] = {0x55, 0x04, (uint8_t)attribute->type};
        Bytes *pair = g_byte_array_new();
        append_element(pair, der_bytes(DER_OID, oid, sizeof oid));
        append_element(pair, der_bytes(attribute->tag, attribute->value, attribute->length));
        append_element(set, der(DER_SEQUENCE, pair));
    }
    if (set != NULL)
        append_element(sequence, der(DER_SET, set));
    return der(DER_SEQUENCE, sequence);
}

typedef struct {
    bool version_1; /* no version field, as in a version 1 certificate */
    const NameAttribute *issuer;
    size_t issuer_count;
    const NameAttribute *subject;
    size_t subject_count;
    unsigned not_before_tag;
    const char *not_before;
    unsigned not_after_tag;
    const char *not_after;
} EdgeCertificate;

/* The DER of a certificate with an EC key and an ECDSA signature that are only filler. */
static Bytes *edge_certificate(const EdgeCertificate *shape, unsigned serial)
{
    static const uint8_t ecdsa_with_sha256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
    static const uint8_t ec_public_key[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
    static const uint8_t prime256v1[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    Bytes *fields = g_byte_array_new();
    if (!shape->version_1) {
        static const uint8_t version_3[] = {DER_INTEGER, 1, 2};
        append_element(fields, der_bytes(DER_VERSION, version_3, sizeof version_3));
    }
    const uint8_t serial_number[] = {0x40, (uint8_t)serial};
    append_element(fields, der_bytes(DER_INTEGER, serial_number, sizeof serial_number));
    append_element(
        fields, der(DER_SEQUENCE, der_bytes(DER_OID, ecdsa_with_sha256, sizeof ecdsa_with_sha256)));
    append_element(fields, name(shape->issuer, shape->issuer_count));
    Bytes *validity = g_byte_array_new();
    append_element(validity,
                   der_bytes(shape->not_before_tag, shape->not_before, strlen(shape->not_before)));
    append_element(validity,
                   der_bytes(shape->not_after_tag, shape->not_after, strlen(shape->not_after)));
    append_element(fields, der(DER_SEQUENCE, validity));
    append_element(fields, name(shape->subject, shape->subject_count));
    Bytes *algorithm = g_byte_array_new();
    append_element(algorithm, der_bytes(DER_OID, ec_public_key, sizeof ec_public_key));
    append_element(algorithm, der_bytes(DER_OID, prime256v1, sizeof prime256v1));
    uint8_t point[66] = {0x00, 0x04};
    for (size_t index = 2; index < sizeof point; index++)
        point[index] = (uint8_t)(0x31 * index);
    Bytes *key_info = g_byte_array_new();
    append_element(key_info, der(DER_SEQUENCE, algorithm));
    append_element(key_info, der_bytes(DER_BIT_STRING, point, sizeof point));
    append_element(fields, der(DER_SEQUENCE, key_info));

    Bytes *certificate = der(DER_SEQUENCE, fields);
    append_element(certificate, der(DER_SEQUENCE, der_bytes(DER_OID, ecdsa_with_sha256,
                                                            sizeof ecdsa_with_sha256)));
    static const uint8_t signature[] = {0x00, 0x30, 0x06, 0x02, 0x01, 0x11, 0x02, 0x01, 0x22};
    append_element(certificate, der_bytes(DER_BIT_STRING, signature, sizeof signature));
    return der(DER_SEQUENCE, certificate);
}

/* The edge certificates, each the only one of its server's Certificate message. */
static void add_edge_certificate_cases(GPtrArray *cases)
{
    /* The same text as a PrintableString and as a UTF8String: the same name to a reader, other
     * bytes, so not self-signed. */
    static const NameAttribute printable_name[] = {
        {3, DER_PRINTABLE, LITERAL("same.oddport.test"), false}};
    static const NameAttribute utf8_name[] = {{3, DER_UTF8, LITERAL("same.oddport.test"), false}};
    /* UTF-16 (a BMPString holds no surrogates: that is UCS-2), and UCS-4 beyond 16 bits. */
    static const NameAttribute bmp_name[] = {{10, DER_UTF8, LITERAL("oddport edges"), false},
                                             {3, DER_BMP,
                                              LITERAL("\x03\xa9"
                                                      "\x00m\x00"
                                                      "e\x00g\x00"
                                                      "a\x00 \x27\x13"),
                                              false}};
    static const NameAttribute universal_name[] = {
        {3, DER_UNIVERSAL,
         LITERAL("\x00\x00\x00\xdc\x00\x00\x00n\x00\x00\x00i\x00\x00\x00v\x00\x01\xf6\x00"),
         false}};
    /* Several common names: the last one counts, also inside a multi-valued RDN. */
    static const NameAttribute two_issuer_names[] = {
        {3, DER_UTF8, LITERAL("first issuer"), false},
        {3, DER_UTF8, LITERAL("second issuer"), false},
        {11, DER_UTF8, LITERAL("after the names"), false}};
    static const NameAttribute joined_subject_names[] = {
        {3, DER_UTF8, LITERAL("first.oddport.test"), false},
        {10, DER_UTF8, LITERAL("oddport edges"), false},
        {3, DER_UTF8, LITERAL("last.oddport.test"), true}};
    /* No common name at all. */
    static const NameAttribute country_only[] = {{6, DER_PRINTABLE, LITERAL("NL"), false}};
    static const NameAttribute organization_only[] = {
        {10, DER_UTF8, LITERAL("no common name"), false}};
    /* The 8-bit string types, and an empty name. */
    static const NameAttribute teletex_name[] = {
        {3, DER_TELETEX, LITERAL("teletex.oddport.test"), false}};
    static const NameAttribute ia5_name[] = {{3, DER_IA5, LITERAL("ia5.oddport.test"), false}};
    static const NameAttribute empty_name[] = {{3, DER_UTF8, LITERAL(""), false}};

    static const EdgeCertificate shapes[] = {
        /* UTCTime's two-digit years turn at 1950. */
        {false, printable_name, G_N_ELEMENTS(printable_name), utf8_name, G_N_ELEMENTS(utf8_name),
         DER_UTC_TIME, "500101000000Z", DER_UTC_TIME, "491231235959Z"},
        /* GeneralizedTime, with a fraction of a second and at the end of the calendar. */
        {false, universal_name, G_N_ELEMENTS(universal_name), bmp_name, G_N_ELEMENTS(bmp_name),
         DER_GENERALIZED_TIME, "20260101120000.5Z", DER_GENERALIZED_TIME, "99991231235959Z"},
        /* A UTCTime without seconds, which RFC 5280 forbids but older certificates have. */
        {false, two_issuer_names, G_N_ELEMENTS(two_issuer_names), joined_subject_names,
         G_N_ELEMENTS(joined_subject_names), DER_UTC_TIME, "2601010000Z", DER_UTC_TIME,
         "2701010000Z"},
        /* Version 1, no version field. */
        {true, country_only, G_N_ELEMENTS(country_only), organization_only,
         G_N_ELEMENTS(organization_only), DER_UTC_TIME, "000229000000Z", DER_GENERALIZED_TIME,
         "20491231235959Z"},
        {false, ia5_name, G_N_ELEMENTS(ia5_name), teletex_name, G_N_ELEMENTS(teletex_name),
         DER_UTC_TIME, "260101120000Z", DER_UTC_TIME, "360101120000Z"},
        /* Self-signed, with an empty common name. */
        {false, empty_name, G_N_ELEMENTS(empty_name), empty_name, G_N_ELEMENTS(empty_name),
         DER_UTC_TIME, "260101120000Z", DER_UTC_TIME, "360101120000Z"},
    };
    static const char *const http11[] = {"\010http/1.1"};
    for (size_t index = 0; index < G_N_ELEMENTS(shapes); index++) {
        Case *entry = new_case(cases);
        Bytes *extensions = usual_extensions(http11, 1, false);
        put_message(entry->client, 0x0301, client_hello(0x0303, common_suites + 3, 12, extensions));
        g_byte_array_unref(extensions);
        put_tls12_server_flight(entry->server, "\010http/1.1");
        Bytes *certificate = edge_certificate(&shapes[index], (unsigned)index);
        const uint8_t *data = certificate->data;
        size_t length = certificate->len;
        put_message(entry->server, 0x0303, certificate_message(&data, &length, 1));
        g_byte_array_unref(certificate);
        put_message(entry->server, 0x0303, server_hello_done());
    }
}

static void write_flight(Connection *connection, int from_client, const Bytes *flight,
                         size_t segment)
{
    for (size_t offset = 0; offset < flight->len; offset += segment)
        write_segment(connection, from_client, TCP_PSH | TCP_ACK, flight->data + offset,
                      MIN(segment, flight->len - offset));
}

int main(int argc, char **argv)
{
    capture_begin_from_arguments(argc, argv, "write-tls-hellos");
    GPtrArray *cases = g_ptr_array_new();
    add_usual_cases(cases);
    add_alpn_cases(cases);
    add_odd_extension_cases(cases);
    add_other_hello_cases(cases);
    add_certificate_cases(cases);
    add_edge_certificate_cases(cases);
    for (guint index = 0; index < cases->len; index++) {
        Case *entry = g_ptr_array_index(cases, index);
        Connection connection = {
            .client_ip = {198, 51, 100, (uint8_t)(1 + index)},
            .server_ip = {192, 0, 2, (uint8_t)(1 + index)},
            .client_port = (uint16_t)(40000 + index),
            .server_port = 443,
            .client_sequence = 1000u * (index + 1),
            .server_sequence = 7000000u + 1000u * index,
        };
        handshake(&connection);
        write_flight(&connection, 1, entry->client, entry->client_segment);
        write_flight(&connection, 0, entry->server, entry->server_segment);
        close_connection(&connection);
        g_byte_array_unref(entry->client);
        g_byte_array_unref(entry->server);
        g_free(entry);
    }
    g_ptr_array_unref(cases);
    return capture_finish(argv[1]);
}
