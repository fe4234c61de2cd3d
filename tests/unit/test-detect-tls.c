/* Unit tests for the TLS detector: hellos whole, split and malformed, SSLv2, midstream, their
 * fingerprints, and the certificate a TLS 1.2 server sends after its ServerHello. */
#include <glib.h>
#include <string.h>

#include "detect-harness.h"
#include "internal/side.h"
#include "oddport/detect.h"
#include "oddport/protocol.h"
#include "tls-certificates.h"

/* curl 7.88.1 (OpenSSL 3.0) running "curl --http2 https://example.org:9443/", captured on
 * loopback: a TLS 1.3 ClientHello with SNI example.org, ALPN h2 and http/1.1, padded to a 512-byte
 * record. */
static const uint8_t curl_client_hello[] = {
    0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0xa9, 0xa0, 0xe8, 0x97, 0xee,
    0x6c, 0x6f, 0x8d, 0xde, 0x9e, 0x00, 0x30, 0x24, 0x93, 0x7b, 0x08, 0xc6, 0xfb, 0x15, 0xa5, 0x54,
    0x52, 0x62, 0x7d, 0x4e, 0x19, 0x91, 0x5c, 0x3b, 0x37, 0xca, 0xe9, 0x20, 0x38, 0xf4, 0xca, 0xa6,
    0x7a, 0x84, 0xc5, 0x19, 0x22, 0xde, 0x47, 0xa6, 0x64, 0xda, 0xfe, 0x23, 0x1d, 0x78, 0x12, 0x00,
    0xd3, 0x46, 0xeb, 0xf9, 0xa0, 0x4f, 0x99, 0xdb, 0x99, 0xa4, 0xa9, 0x46, 0x00, 0x3e, 0x13, 0x02,
    0x13, 0x03, 0x13, 0x01, 0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa,
    0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27,
    0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d,
    0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x01, 0x75,
    0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x2e, 0x6f, 0x72, 0x67, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x16,
    0x00, 0x14, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x01, 0x00, 0x01, 0x01,
    0x01, 0x02, 0x01, 0x03, 0x01, 0x04, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08,
    0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00,
    0x00, 0x31, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03,
    0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06,
    0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02, 0x05, 0x02,
    0x06, 0x02, 0x00, 0x2b, 0x00, 0x09, 0x08, 0x03, 0x04, 0x03, 0x03, 0x03, 0x02, 0x03, 0x01, 0x00,
    0x2d, 0x00, 0x02, 0x01, 0x01, 0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0x10,
    0x41, 0x83, 0x72, 0x59, 0x60, 0x73, 0x7d, 0x7e, 0x62, 0xfb, 0xde, 0x6b, 0xdf, 0xa5, 0xd5, 0x8e,
    0x9e, 0xea, 0x9b, 0xa2, 0x7a, 0x73, 0x45, 0xc7, 0xfa, 0x14, 0x66, 0x6e, 0x97, 0x58, 0x10, 0x00,
    0x15, 0x00, 0xb2, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00,
};

/* "openssl s_client -tls1_2 -servername legacy.example.net" (OpenSSL 3.0): a TLS 1.2 ClientHello
 * without supported_versions or ALPN. */
static const uint8_t openssl_tls12_client_hello[] = {
    0x16, 0x03, 0x01, 0x00, 0xd2, 0x01, 0x00, 0x00, 0xce, 0x03, 0x03, 0x8e, 0xd8, 0x6e, 0x83, 0xd9,
    0x64, 0x17, 0xe2, 0xf3, 0x06, 0xab, 0x15, 0x65, 0x26, 0x79, 0x89, 0xfe, 0x4e, 0x74, 0xf7, 0x13,
    0xe3, 0xd4, 0x62, 0xb3, 0x77, 0x8f, 0x44, 0x7d, 0x3e, 0x82, 0x86, 0x00, 0x00, 0x38, 0xc0, 0x2c,
    0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa, 0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e,
    0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14,
    0x00, 0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c,
    0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0x6d, 0x00, 0x00, 0x00, 0x17, 0x00, 0x15,
    0x00, 0x00, 0x12, 0x6c, 0x65, 0x67, 0x61, 0x63, 0x79, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
    0x65, 0x2e, 0x6e, 0x65, 0x74, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00,
    0x0c, 0x00, 0x0a, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x00, 0x23, 0x00,
    0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04,
    0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08,
    0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03,
    0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02,
};

/* What "openssl s_server" answered curl_client_hello with: a TLS 1.3 ServerHello (its version in
 * supported_versions), then ChangeCipherSpec and the first encrypted record. */
static const uint8_t openssl_tls13_server_flight[] = {
    0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03, 0x28, 0x00, 0xbd, 0x94, 0x1e,
    0x86, 0xe5, 0xa6, 0xcd, 0x02, 0xd0, 0xd8, 0x81, 0x62, 0xf3, 0x08, 0xca, 0xc4, 0x5b, 0x62, 0x76,
    0x83, 0x44, 0x58, 0x14, 0xc5, 0x10, 0x6f, 0xec, 0x1d, 0x6c, 0x20, 0x20, 0x38, 0xf4, 0xca, 0xa6,
    0x7a, 0x84, 0xc5, 0x19, 0x22, 0xde, 0x47, 0xa6, 0x64, 0xda, 0xfe, 0x23, 0x1d, 0x78, 0x12, 0x00,
    0xd3, 0x46, 0xeb, 0xf9, 0xa0, 0x4f, 0x99, 0xdb, 0x99, 0xa4, 0xa9, 0x46, 0x13, 0x02, 0x00, 0x00,
    0x2e, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0xda,
    0xd7, 0x5c, 0x06, 0x8d, 0xcc, 0xfc, 0xe5, 0x9d, 0xd5, 0x87, 0x77, 0xbe, 0x18, 0x1f, 0x45, 0xd6,
    0xaf, 0x9f, 0x4a, 0x63, 0x30, 0x5b, 0x0c, 0x8d, 0xb4, 0xf4, 0xad, 0xc9, 0x33, 0x35, 0x3e, 0x14,
    0x03, 0x03, 0x00, 0x01, 0x01, 0x17, 0x03, 0x03, 0x00, 0x20, 0xb0, 0x32, 0xfa, 0xa6, 0xde, 0x3a,
    0xf5, 0x9d, 0x2c, 0x67, 0x9b, 0x9a, 0xd9, 0xbf, 0xad, 0xae, 0xfc, 0x3c, 0x43, 0x7f, 0x26, 0x28,
    0x31, 0x10, 0xea, 0x40, 0xbd, 0x93, 0x84, 0x80, 0x67, 0x31,
};

/* What "openssl s_server" answered the TLS 1.2 hello with: a ServerHello and the start of the
 * Certificate record. */
static const uint8_t openssl_tls12_server_hello[] = {
    0x16, 0x03, 0x03, 0x00, 0x41, 0x02, 0x00, 0x00, 0x3d, 0x03, 0x03, 0x1e, 0xbb, 0x84, 0xf4, 0x65,
    0x8a, 0x02, 0x61, 0xee, 0x61, 0x2a, 0xfe, 0x2e, 0x9c, 0xf1, 0xda, 0x48, 0x67, 0x4b, 0x0b, 0x4d,
    0x3c, 0x4c, 0x3f, 0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01, 0x00, 0xc0, 0x2c, 0x00, 0x00,
    0x15, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x23,
    0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x16, 0x03, 0x03, 0x01, 0x82, 0x0b, 0x00, 0x01, 0x7e, 0x00,
    0x01, 0x7b, 0x00, 0x01, 0x78, 0x30, 0x82, 0x01, 0x74, 0x30, 0x82,
};

/* Byte offsets into curl_client_hello. */
#define CURL_HELLO_VERSION_END 11   /* record header, handshake header, legacy_version */
#define CURL_HELLO_SNI_END     0xa4 /* the end of the server_name extension */

static void assert_well_formed(const OddportVerdict *verdict, const OddportTlsInfo *info)
{
    g_assert_nonnull(memchr(verdict->evidence, '\0', sizeof verdict->evidence));
    g_assert_cmpuint(strlen(verdict->evidence), >, 0);
    g_assert_cmpint(verdict->match, >=, ODDPORT_MATCH_NO);
    g_assert_cmpint(verdict->match, <=, ODDPORT_MATCH_YES);
    if (verdict->match == ODDPORT_MATCH_NO) {
        g_assert_cmpint(verdict->confidence, ==, ODDPORT_CONFIDENCE_NONE);
        OddportTlsInfo zero;
        memset(&zero, 0, sizeof zero);
        g_assert_cmpmem(info, sizeof *info, &zero, sizeof zero);
    }
    if (verdict->match == ODDPORT_MATCH_YES)
        g_assert_cmpint(verdict->confidence, >=, ODDPORT_CONFIDENCE_MEDIUM);
    g_assert_nonnull(memchr(info->sni, '\0', sizeof info->sni));
    g_assert_nonnull(memchr(info->ja3, '\0', sizeof info->ja3));
    g_assert_nonnull(memchr(info->ja4, '\0', sizeof info->ja4));
    /* Fingerprints come with a whole hello only, and the certificate only after detection. */
    if (verdict->match != ODDPORT_MATCH_YES) {
        g_assert_cmpstr(info->ja3, ==, "");
        g_assert_cmpstr(info->ja4, ==, "");
    }
    g_assert_false(info->certificate.present);
    g_assert_cmpuint(info->alpn_count, <=, ODDPORT_TLS_ALPN_MAX_COUNT);
    for (unsigned index = 0; index < ODDPORT_TLS_ALPN_MAX_COUNT; index++)
        g_assert_nonnull(memchr(info->alpn[index], '\0', sizeof info->alpn[index]));
}

ODDPORT_DETECT_HARNESS(OddportTlsInfo, oddport_detect_tls)

static void expect(const GByteArray *bytes, OddportMatch match, OddportConfidence confidence)
{
    expect_text(bytes->data, bytes->len, match, confidence);
}

static void expect_bytes(const uint8_t *bytes, size_t length, OddportMatch match,
                         OddportConfidence confidence)
{
    GByteArray *array = g_byte_array_new();
    g_byte_array_append(array, bytes, (guint)length);
    expect(array, match, confidence);
    g_byte_array_unref(array);
}

/* Builders for hand-made hellos. */

static void put_u8(GByteArray *bytes, unsigned value)
{
    uint8_t byte = (uint8_t)value;
    g_byte_array_append(bytes, &byte, 1);
}

static void put_be16(GByteArray *bytes, unsigned value)
{
    put_u8(bytes, value >> 8);
    put_u8(bytes, value);
}

static void put_be24(GByteArray *bytes, unsigned value)
{
    put_u8(bytes, value >> 16);
    put_be16(bytes, value & 0xffff);
}

static void put_text(GByteArray *bytes, const char *text)
{
    g_byte_array_append(bytes, (const guint8 *)text, (guint)strlen(text));
}

static void put_extension(GByteArray *extensions, unsigned type, const GByteArray *data)
{
    put_be16(extensions, type);
    put_be16(extensions, data != NULL ? data->len : 0);
    if (data != NULL)
        g_byte_array_append(extensions, data->data, data->len);
}

static void put_sni_extension(GByteArray *extensions, const char *name)
{
    GByteArray *data = g_byte_array_new();
    put_be16(data, (unsigned)strlen(name) + 3);
    put_u8(data, 0);
    put_be16(data, (unsigned)strlen(name));
    put_text(data, name);
    put_extension(extensions, 0, data);
    g_byte_array_unref(data);
}

/* `names` is NULL-terminated; an entry "\x0a\x0a" is a GREASE protocol. */
static void put_alpn_extension(GByteArray *extensions, const char *const *names)
{
    GByteArray *list = g_byte_array_new();
    for (; *names != NULL; names++) {
        put_u8(list, (unsigned)strlen(*names));
        put_text(list, *names);
    }
    GByteArray *data = g_byte_array_new();
    put_be16(data, list->len);
    g_byte_array_append(data, list->data, list->len);
    put_extension(extensions, 16, data);
    g_byte_array_unref(list);
    g_byte_array_unref(data);
}

static void put_client_versions_extension(GByteArray *extensions, const uint16_t *versions,
                                          size_t count)
{
    GByteArray *data = g_byte_array_new();
    put_u8(data, (unsigned)(count * 2));
    for (size_t index = 0; index < count; index++)
        put_be16(data, versions[index]);
    put_extension(extensions, 43, data);
    g_byte_array_unref(data);
}

/* A ClientHello handshake message (no record header); NULL extensions leave the block out. */
static GByteArray *build_client_hello(unsigned legacy_version, const GByteArray *extensions)
{
    static const uint16_t suites[] = {0x1a1a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0x009c};
    GByteArray *body = g_byte_array_new();
    put_be16(body, legacy_version);
    for (unsigned index = 0; index < 32; index++)
        put_u8(body, index * 7);
    put_u8(body, 32);
    for (unsigned index = 0; index < 32; index++)
        put_u8(body, 0xe0 + index / 4);
    put_be16(body, (unsigned)sizeof suites);
    for (size_t index = 0; index < G_N_ELEMENTS(suites); index++)
        put_be16(body, suites[index]);
    put_u8(body, 1);
    put_u8(body, 0);
    if (extensions != NULL) {
        put_be16(body, extensions->len);
        g_byte_array_append(body, extensions->data, extensions->len);
    }
    GByteArray *message = g_byte_array_new();
    put_u8(message, 1);
    put_be24(message, body->len);
    g_byte_array_append(message, body->data, body->len);
    g_byte_array_unref(body);
    return message;
}

/* Cuts a handshake message into records of at most `fragment` bytes each. */
static GByteArray *wrap_in_records(const GByteArray *message, unsigned record_version,
                                   size_t fragment)
{
    GByteArray *records = g_byte_array_new();
    for (size_t offset = 0; offset < message->len; offset += fragment) {
        size_t length = MIN(fragment, message->len - offset);
        put_u8(records, 22);
        put_be16(records, record_version);
        put_be16(records, (unsigned)length);
        g_byte_array_append(records, message->data + offset, (guint)length);
    }
    return records;
}

/* The handshake message inside curl_client_hello, without its record header. */
static GByteArray *curl_hello_message(void)
{
    GByteArray *message = g_byte_array_new();
    g_byte_array_append(message, curl_client_hello + 5, sizeof curl_client_hello - 5);
    return message;
}

static void assert_curl_hello_info(const OddportVerdict *verdict, const OddportTlsInfo *info)
{
    g_assert_cmpint(verdict->match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict->confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpint(verdict->role, ==, ODDPORT_ROLE_CLIENT);
    g_assert_cmpstr(verdict->evidence, ==, "TLS 1.3 ClientHello SNI=example.org ALPN=h2,http/1.1");
    g_assert_cmpuint(info->handshake_type, ==, 1);
    g_assert_false(info->sslv2_compatible);
    g_assert_cmphex(info->hello_version, ==, 0x0303);
    g_assert_cmphex(info->version, ==, 0x0304);
    g_assert_cmpstr(info->sni, ==, "example.org");
    g_assert_cmpuint(info->alpn_count, ==, 2);
    g_assert_cmpstr(info->alpn[0], ==, "h2");
    g_assert_cmpstr(info->alpn[1], ==, "http/1.1");
}

static void test_curl_client_hello(void)
{
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(curl_client_hello, sizeof curl_client_hello, &verdict, &info);
    assert_curl_hello_info(&verdict, &info);
    g_assert_cmphex(info.record_version, ==, 0x0301);
}

/* Fed segment by segment, a hello waits until it is whole, and waits more hopefully once its
 * headers and version are seen. */
static void test_every_prefix(void)
{
    for (size_t length = 0; length <= sizeof curl_client_hello; length++) {
        OddportVerdict verdict;
        OddportTlsInfo info;
        detect(curl_client_hello, length, &verdict, &info);
        if (length == sizeof curl_client_hello) {
            assert_curl_hello_info(&verdict, &info);
            continue;
        }
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
        OddportConfidence expected = length == 0                       ? ODDPORT_CONFIDENCE_NONE
                                     : length < CURL_HELLO_VERSION_END ? ODDPORT_CONFIDENCE_LOW
                                                                       : ODDPORT_CONFIDENCE_MEDIUM;
        g_assert_cmpint(verdict.confidence, ==, expected);
        if (length > 5)
            g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_CLIENT);
        /* What has been read is kept, for a flow that ends before the hello does. */
        if (expected == ODDPORT_CONFIDENCE_MEDIUM) {
            g_assert_cmpuint(info.handshake_type, ==, 1);
            g_assert_cmphex(info.record_version, ==, 0x0301);
            g_assert_cmphex(info.hello_version, ==, 0x0303);
            g_assert_cmpstr(info.sni, ==, length >= CURL_HELLO_SNI_END ? "example.org" : "");
        }
    }
}

/* The same message cut into two records at every possible place, then into many small ones. */
static void test_split_hello(void)
{
    GByteArray *message = curl_hello_message();
    for (size_t first = 1; first < message->len; first++) {
        GByteArray *records = g_byte_array_new();
        put_u8(records, 22);
        put_be16(records, 0x0301);
        put_be16(records, (unsigned)first);
        g_byte_array_append(records, message->data, (guint)first);
        put_u8(records, 22);
        put_be16(records, 0x0301);
        put_be16(records, message->len - (unsigned)first);
        g_byte_array_append(records, message->data + first, message->len - (guint)first);
        OddportVerdict verdict;
        OddportTlsInfo info;
        detect(records->data, records->len, &verdict, &info);
        assert_curl_hello_info(&verdict, &info);

        /* Without the second record's last byte, it waits. */
        detect(records->data, records->len - 1, &verdict, &info);
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
        g_byte_array_unref(records);
    }
    for (size_t fragment = 1; fragment < 64; fragment++) {
        GByteArray *records = wrap_in_records(message, 0x0301, fragment);
        OddportVerdict verdict;
        OddportTlsInfo info;
        detect(records->data, records->len, &verdict, &info);
        assert_curl_hello_info(&verdict, &info);
        for (size_t length = 0; length < records->len; length += 7) {
            detect(records->data, length, &verdict, &info);
            g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
        }
        g_byte_array_unref(records);
    }
    g_byte_array_unref(message);
}

static void test_split_hello_broken_continuation(void)
{
    GByteArray *message = curl_hello_message();
    GByteArray *records = wrap_in_records(message, 0x0301, 100);
    /* The second record claims to be application data. */
    records->data[5 + 100] = 23;
    expect(records, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    /* ... or another record version. */
    records->data[5 + 100] = 22;
    records->data[5 + 100 + 2] = 0x03;
    expect(records, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    /* ... or to be empty. */
    records->data[5 + 100 + 2] = 0x01;
    records->data[5 + 100 + 3] = 0;
    records->data[5 + 100 + 4] = 0;
    expect(records, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    /* Even a single byte of the wrong kind of record is enough to tell. */
    expect_bytes(records->data, 5 + 100 + 1, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_MEDIUM);
    records->data[5 + 100] = 21;
    expect_bytes(records->data, 5 + 100 + 1, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_unref(records);
    g_byte_array_unref(message);
}

static void test_tls12_client_hello(void)
{
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(openssl_tls12_client_hello, sizeof openssl_tls12_client_hello, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpstr(verdict.evidence, ==, "TLS 1.2 ClientHello SNI=legacy.example.net");
    g_assert_cmphex(info.version, ==, 0x0303);
    g_assert_cmphex(info.hello_version, ==, 0x0303);
    g_assert_cmphex(info.record_version, ==, 0x0301);
    g_assert_cmpuint(info.alpn_count, ==, 0);
}

static void test_server_hellos(void)
{
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(openssl_tls13_server_flight, sizeof openssl_tls13_server_flight, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_SERVER);
    g_assert_cmpstr(verdict.evidence, ==, "TLS 1.3 ServerHello");
    g_assert_cmpuint(info.handshake_type, ==, 2);
    g_assert_cmphex(info.record_version, ==, 0x0303);
    g_assert_cmphex(info.hello_version, ==, 0x0303);
    g_assert_cmphex(info.version, ==, 0x0304);

    detect(openssl_tls12_server_hello, sizeof openssl_tls12_server_hello, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_SERVER);
    g_assert_cmpstr(verdict.evidence, ==, "TLS 1.2 ServerHello");
    g_assert_cmphex(info.version, ==, 0x0303);

    for (size_t length = 1; length < 70; length++) {
        detect(openssl_tls12_server_hello, length, &verdict, &info);
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
        if (length > 5)
            g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_SERVER);
    }

    /* A ServerHello choosing a protocol names it in its ALPN extension. */
    GByteArray *server = g_byte_array_new();
    put_u8(server, 2);
    put_be24(server, 0);
    put_be16(server, 0x0303);
    for (unsigned index = 0; index < 32; index++)
        put_u8(server, index);
    put_u8(server, 0);
    put_be16(server, 0xc02f);
    put_u8(server, 0);
    GByteArray *extensions = g_byte_array_new();
    static const char *const chosen[] = {"h2", NULL};
    put_alpn_extension(extensions, chosen);
    put_extension(extensions, 0, NULL);
    put_be16(server, extensions->len);
    g_byte_array_append(server, extensions->data, extensions->len);
    server->data[3] = (uint8_t)(server->len - 4);
    GByteArray *records = wrap_in_records(server, 0x0303, 1000);
    detect(records->data, records->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(verdict.evidence, ==, "TLS 1.2 ServerHello ALPN=h2");
    g_assert_cmpstr(info.sni, ==, "");

    /* Compression methods a server never picked. */
    server->data[4 + 2 + 32 + 1 + 2] = 7;
    g_byte_array_unref(records);
    records = wrap_in_records(server, 0x0303, 1000);
    expect(records, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_unref(records);
    g_byte_array_unref(extensions);
    g_byte_array_unref(server);
}

static void test_grease_and_supported_versions(void)
{
    static const uint16_t versions[] = {0x3a3a, 0x0304, 0x0303, 0x7f1c};
    static const char *const protocols[] = {"\x0a\x0a", "h2", "http/1.1", NULL};
    GByteArray *extensions = g_byte_array_new();
    put_extension(extensions, 0x0a0a, NULL);
    put_sni_extension(extensions, "www.example.com");
    put_client_versions_extension(extensions, versions, G_N_ELEMENTS(versions));
    put_alpn_extension(extensions, protocols);
    put_extension(extensions, 0xfafa, NULL);
    GByteArray *message = build_client_hello(0x0303, extensions);
    GByteArray *records = wrap_in_records(message, 0x0301, 16384);
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(records->data, records->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmphex(info.version, ==, 0x0304);
    g_assert_cmpuint(info.alpn_count, ==, 2);
    g_assert_cmpstr(verdict.evidence, ==,
                    "TLS 1.3 ClientHello SNI=www.example.com ALPN=h2,http/1.1");
    g_byte_array_unref(records);
    g_byte_array_unref(message);
    g_byte_array_unref(extensions);

    /* Nothing but GREASE offered: the hello's own version stands. */
    static const uint16_t only_grease[] = {0x8a8a};
    extensions = g_byte_array_new();
    put_client_versions_extension(extensions, only_grease, 1);
    message = build_client_hello(0x0302, extensions);
    records = wrap_in_records(message, 0x0301, 16384);
    detect(records->data, records->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmphex(info.version, ==, 0x0302);
    g_assert_cmpstr(verdict.evidence, ==, "TLS 1.1 ClientHello");
    g_byte_array_unref(records);
    g_byte_array_unref(message);
    g_byte_array_unref(extensions);
}

static void test_alpn_list(void)
{
    static const char *const protocols[] = {
        "h2",
        "http/1.1",
        "spdy/3",
        "h3",
        "acme-tls/1",
        "imap",
        "pop3",
        "xmpp-client",
        "mqtt",
        "dot",
        "a-protocol-name-that-is-longer-than-the-field-holds-by-far",
        NULL};
    GByteArray *extensions = g_byte_array_new();
    put_alpn_extension(extensions, protocols);
    GByteArray *message = build_client_hello(0x0303, extensions);
    GByteArray *records = wrap_in_records(message, 0x0301, 16384);
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(records->data, records->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpuint(info.alpn_count, ==, ODDPORT_TLS_ALPN_MAX_COUNT);
    for (unsigned index = 0; index < ODDPORT_TLS_ALPN_MAX_COUNT; index++)
        g_assert_cmpstr(info.alpn[index], ==, protocols[index]);
    g_byte_array_unref(records);
    g_byte_array_unref(message);
    g_byte_array_unref(extensions);

    static const char *const long_name[] = {
        "a-protocol-name-that-is-longer-than-the-field-holds-by-far", NULL};
    extensions = g_byte_array_new();
    put_alpn_extension(extensions, long_name);
    message = build_client_hello(0x0303, extensions);
    records = wrap_in_records(message, 0x0301, 16384);
    detect(records->data, records->len, &verdict, &info);
    g_assert_cmpuint(info.alpn_count, ==, 1);
    g_assert_cmpuint(strlen(info.alpn[0]), ==, ODDPORT_TLS_ALPN_NAME_MAX - 1);
    g_assert_true(g_str_has_prefix(long_name[0], info.alpn[0]));
    g_byte_array_unref(records);
    g_byte_array_unref(message);
    g_byte_array_unref(extensions);
}

static void test_sni_text(void)
{
    /* Cut at an embedded NUL, and to the field. */
    GByteArray *extensions = g_byte_array_new();
    put_sni_extension(extensions, "evil.example");
    extensions->data[4 + 5 + 4] = '\0';
    GByteArray *message = build_client_hello(0x0303, extensions);
    GByteArray *records = wrap_in_records(message, 0x0301, 16384);
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(records->data, records->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(info.sni, ==, "evil");
    g_byte_array_unref(records);
    g_byte_array_unref(message);
    g_byte_array_unref(extensions);

    GString *long_name = g_string_new(NULL);
    while (long_name->len < 400)
        g_string_append(long_name, "label.");
    g_string_append(long_name, "example");
    extensions = g_byte_array_new();
    put_sni_extension(extensions, long_name->str);
    message = build_client_hello(0x0303, extensions);
    records = wrap_in_records(message, 0x0301, 16384);
    detect(records->data, records->len, &verdict, &info);
    g_assert_cmpuint(strlen(info.sni), ==, ODDPORT_TLS_SNI_MAX - 1);
    g_assert_cmpuint(strlen(verdict.evidence), ==, ODDPORT_EVIDENCE_MAX - 1);
    g_byte_array_unref(records);
    g_byte_array_unref(message);
    g_byte_array_unref(extensions);
    g_string_free(long_name, TRUE);
}

static void test_old_hellos(void)
{
    /* SSL 3.0 and TLS 1.0 clients could send no extensions at all. */
    GByteArray *message = build_client_hello(0x0300, NULL);
    GByteArray *records = wrap_in_records(message, 0x0300, 16384);
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(records->data, records->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpstr(verdict.evidence, ==, "SSL 3.0 ClientHello");
    g_assert_cmphex(info.version, ==, 0x0300);
    g_byte_array_unref(records);
    g_byte_array_unref(message);
}

/* Copies curl_client_hello, lets `change` alter it, and expects the result to be refused. */
static void expect_curl_hello_refused(size_t offset, uint8_t value)
{
    GByteArray *bytes = g_byte_array_new();
    g_byte_array_append(bytes, curl_client_hello, sizeof curl_client_hello);
    bytes->data[offset] = value;
    expect(bytes, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_unref(bytes);
}

static void test_malformed_lengths(void)
{
    /* Record length 0, and one beyond what a record may carry. */
    expect_curl_hello_refused(3, 0x00);
    {
        GByteArray *bytes = g_byte_array_new();
        g_byte_array_append(bytes, curl_client_hello, sizeof curl_client_hello);
        bytes->data[3] = 0x48;
        bytes->data[4] = 0x01;
        expect(bytes, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
        g_byte_array_unref(bytes);
    }
    /* Handshake length too small to be a hello, or too large for any. */
    expect_curl_hello_refused(8, 0x10);
    expect_curl_hello_refused(6, 0x10);
    /* Legacy versions outside SSL 3.0 to TLS 1.2. */
    expect_curl_hello_refused(10, 0x04);
    expect_curl_hello_refused(9, 0x02);
    /* Session id longer than 32. */
    expect_curl_hello_refused(43, 33);
    /* Odd cipher suite length. */
    expect_curl_hello_refused(77, 0x3f);
    /* Extension block one byte longer or shorter than what is left. */
    expect_curl_hello_refused(0x8f, 0x76);
    expect_curl_hello_refused(0x8f, 0x74);
    /* The first extension claims more than the block holds, while the block itself ends where
     * the hello does: a sound hello with broken extensions (seen from real clients and in
     * attacks), so TLS with medium confidence rather than nothing. */
    {
        GByteArray *bytes = g_byte_array_new();
        g_byte_array_append(bytes, curl_client_hello, sizeof curl_client_hello);
        bytes->data[0x92] = 0xff;
        OddportVerdict verdict;
        OddportTlsInfo info;
        detect(bytes->data, bytes->len, &verdict, &info);
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
        g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_MEDIUM);
        g_assert_nonnull(strstr(verdict.evidence, "malformed extensions"));
        g_byte_array_unref(bytes);
    }
    /* No null compression method. */
    expect_curl_hello_refused(0x8d, 0x01);

    /* A handshake length one beyond the end, with a stray byte to fill the record. */
    GByteArray *bytes = g_byte_array_new();
    g_byte_array_append(bytes, curl_client_hello, sizeof curl_client_hello);
    put_u8(bytes, 0);
    bytes->data[4] = 0x01;
    bytes->data[8] = 0xfd;
    expect(bytes, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    /* A handshake length one short of the end leaves the extensions overrunning it. */
    bytes->data[4] = 0x00;
    bytes->data[8] = 0xfb;
    g_byte_array_set_size(bytes, sizeof curl_client_hello);
    expect(bytes, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_unref(bytes);

    /* A lying inner length is noticed even before the whole hello has arrived. */
    bytes = g_byte_array_new();
    g_byte_array_append(bytes, curl_client_hello, 0x92);
    bytes->data[0x8e] = 0xff;
    expect(bytes, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_unref(bytes);
}

/* Malformed contents of known extensions yield no fields but do not unmake a consistent hello. */
static void test_malformed_extension_contents(void)
{
    GByteArray *extensions = g_byte_array_new();
    GByteArray *data = g_byte_array_new();
    put_be16(data, 50); /* a server name list longer than the extension */
    put_u8(data, 0);
    put_extension(extensions, 0, data);
    g_byte_array_set_size(data, 0);
    put_be16(data, 3); /* an ALPN list with a zero-length name */
    put_u8(data, 0);
    put_u8(data, 1);
    put_u8(data, 'x');
    put_extension(extensions, 16, data);
    g_byte_array_set_size(data, 0);
    put_u8(data, 7); /* an odd supported_versions list */
    put_extension(extensions, 43, data);
    GByteArray *message = build_client_hello(0x0303, extensions);
    GByteArray *records = wrap_in_records(message, 0x0303, 16384);
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(records->data, records->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(info.sni, ==, "");
    g_assert_cmpuint(info.alpn_count, ==, 1);
    g_assert_cmpstr(info.alpn[0], ==, "x");
    g_assert_cmphex(info.version, ==, 0x0303);
    g_byte_array_unref(records);
    g_byte_array_unref(message);
    g_byte_array_unref(data);
    g_byte_array_unref(extensions);
}

/* Hellos beyond the reassembly buffer are judged on the part that fits. */
static void test_large_hello(void)
{
    for (size_t padding = 9000; padding <= 21000; padding += 12000) {
        GByteArray *extensions = g_byte_array_new();
        put_sni_extension(extensions, "big.example");
        GByteArray *data = g_byte_array_sized_new((guint)padding);
        g_byte_array_set_size(data, (guint)padding);
        memset(data->data, 0, padding);
        put_extension(extensions, 21, data);
        GByteArray *message = build_client_hello(0x0303, extensions);
        GByteArray *records = wrap_in_records(message, 0x0303, 16384);
        OddportVerdict verdict;
        OddportTlsInfo info;
        detect(records->data, records->len, &verdict, &info);
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
        g_assert_cmpstr(info.sni, ==, "big.example");
        if (padding < 16384) {
            g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
        } else {
            g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_MEDIUM);
            g_assert_true(g_str_has_suffix(verdict.evidence, "(too large to check whole)"));
        }
        detect(records->data, records->len / 2, &verdict, &info);
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
        g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_MEDIUM);
        g_byte_array_unref(records);
        g_byte_array_unref(message);
        g_byte_array_unref(data);
        g_byte_array_unref(extensions);
    }
}

static GByteArray *build_sslv2_hello(unsigned version, unsigned cipher_specs, unsigned session_id,
                                     unsigned challenge)
{
    GByteArray *hello = g_byte_array_new();
    put_be16(hello, 0x8000 | (9 + cipher_specs + session_id + challenge));
    put_u8(hello, 1);
    put_be16(hello, version);
    put_be16(hello, cipher_specs);
    put_be16(hello, session_id);
    put_be16(hello, challenge);
    for (unsigned index = 0; index < cipher_specs + session_id + challenge; index++)
        put_u8(hello, index % 3 == 0 ? 0x00 : index);
    return hello;
}

static void test_sslv2_hello(void)
{
    GByteArray *hello = build_sslv2_hello(0x0301, 3 * 11, 0, 16);
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(hello->data, hello->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_CLIENT);
    g_assert_cmpstr(verdict.evidence, ==, "SSLv2-compatible ClientHello (TLS 1.0)");
    g_assert_true(info.sslv2_compatible);
    g_assert_cmpuint(info.handshake_type, ==, 1);
    g_assert_cmphex(info.hello_version, ==, 0x0301);
    g_assert_cmphex(info.version, ==, 0x0301);
    for (size_t length = 1; length < hello->len; length++) {
        detect(hello->data, length, &verdict, &info);
        g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_NEED_MORE);
        g_assert_cmpint(verdict.confidence, ==,
                        length >= 11 ? ODDPORT_CONFIDENCE_MEDIUM : ODDPORT_CONFIDENCE_LOW);
    }
    g_byte_array_unref(hello);

    hello = build_sslv2_hello(0x0002, 3 * 7, 16, 32);
    detect(hello->data, hello->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(verdict.evidence, ==, "SSLv2-compatible ClientHello (SSL 2.0)");
    g_byte_array_unref(hello);

    static const unsigned broken[][4] = {
        {0x0301, 3 * 11 + 1, 0, 16}, /* cipher specs are 3 bytes each */
        {0x0301, 0, 0, 16},          /* no cipher specs */
        {0x0301, 3, 8, 16},          /* session ids are 0 or 16 bytes */
        {0x0301, 3, 0, 15},          /* challenge too short */
        {0x0301, 3, 0, 33},          /* challenge too long */
        {0x0304, 3, 0, 16},          /* no TLS 1.3 in an SSLv2 hello */
        {0x0200, 3, 0, 16},
    };
    for (size_t index = 0; index < G_N_ELEMENTS(broken); index++) {
        hello = build_sslv2_hello(broken[index][0], broken[index][1], broken[index][2],
                                  broken[index][3]);
        expect(hello, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
        g_byte_array_unref(hello);
    }
    /* The record length must be exactly the parts' sum. */
    hello = build_sslv2_hello(0x0301, 3 * 11, 0, 16);
    hello->data[1]++;
    put_u8(hello, 0);
    expect(hello, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_unref(hello);
    /* Not a CLIENT-HELLO. */
    hello = build_sslv2_hello(0x0301, 3 * 11, 0, 16);
    hello->data[2] = 4;
    expect(hello, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_unref(hello);
}

static void test_dtls_rejected(void)
{
    for (unsigned version = 0xfefc; version <= 0xfeff; version++) {
        GByteArray *message = curl_hello_message();
        GByteArray *records = wrap_in_records(message, version, 16384);
        expect(records, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
        /* Two bytes are enough to tell. */
        expect_bytes(records->data, 2, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
        g_byte_array_unref(records);
        g_byte_array_unref(message);
    }
    /* DTLS application data midstream. */
    static const uint8_t dtls_data[] = {0x17, 0xfe, 0xfd, 0x00, 0x01, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x01, 0x00, 0x02, 0xab, 0xcd};
    expect_bytes(dtls_data, sizeof dtls_data, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
}

static void put_record(GByteArray *bytes, unsigned type, unsigned version, unsigned length)
{
    put_u8(bytes, type);
    put_be16(bytes, version);
    put_be16(bytes, length);
    for (unsigned index = 0; index < length; index++)
        put_u8(bytes, type == 20 ? 1 : index * 13);
}

static void test_midstream(void)
{
    /* The real ChangeCipherSpec and encrypted record after openssl's ServerHello. */
    const uint8_t *after_hello = openssl_tls13_server_flight + 127;
    size_t after_length = sizeof openssl_tls13_server_flight - 127;
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(after_hello, after_length, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_MEDIUM);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_EITHER);
    g_assert_true(g_str_has_prefix(verdict.evidence, "TLS records (midstream"));
    g_assert_cmpuint(info.handshake_type, ==, 0);
    g_assert_cmphex(info.record_version, ==, 0x0303);
    g_assert_cmphex(info.version, ==, 0);
    for (size_t length = 1; length < after_length; length++)
        expect_bytes(after_hello, length, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);

    GByteArray *bytes = g_byte_array_new();
    put_record(bytes, 23, 0x0303, 100);
    put_record(bytes, 23, 0x0303, 1400);
    put_record(bytes, 21, 0x0303, 26);
    expect(bytes, ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_MEDIUM);
    g_byte_array_set_size(bytes, 0);

    /* One record and nothing after it, alerts included, is only a hint. */
    put_record(bytes, 23, 0x0301, 32);
    expect(bytes, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    put_u8(bytes, 23);
    expect(bytes, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    g_byte_array_set_size(bytes, 0);
    put_record(bytes, 21, 0x0303, 2);
    expect(bytes, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    g_byte_array_set_size(bytes, 0);

    /* A handshake record that holds no hello, e.g. an encrypted Finished. */
    put_record(bytes, 22, 0x0303, 40);
    bytes->data[5] = 0x8f;
    put_record(bytes, 23, 0x0303, 40);
    expect(bytes, ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_MEDIUM);
    g_byte_array_set_size(bytes, 0);

    /* Versions must agree and be TLS 1.0 to 1.2 on the wire. */
    put_record(bytes, 23, 0x0303, 10);
    put_record(bytes, 23, 0x0302, 10);
    expect(bytes, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_set_size(bytes, 0);
    put_record(bytes, 23, 0x0300, 10);
    put_record(bytes, 23, 0x0300, 10);
    expect(bytes, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_set_size(bytes, 0);
    put_record(bytes, 23, 0x0304, 10);
    put_record(bytes, 23, 0x0304, 10);
    expect(bytes, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_set_size(bytes, 0);

    /* Unknown content types, empty and oversized records, a malformed ChangeCipherSpec. */
    put_record(bytes, 23, 0x0303, 10);
    put_record(bytes, 24, 0x0303, 10);
    expect(bytes, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_set_size(bytes, 0);
    put_record(bytes, 23, 0x0303, 10);
    put_record(bytes, 23, 0x0303, 0);
    expect(bytes, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_set_size(bytes, 0);
    put_u8(bytes, 23);
    put_be16(bytes, 0x0303);
    put_be16(bytes, 16384 + 2048 + 1);
    expect(bytes, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_set_size(bytes, 0);
    put_record(bytes, 20, 0x0303, 2);
    put_record(bytes, 23, 0x0303, 10);
    expect(bytes, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    g_byte_array_set_size(bytes, 0);

    /* One matching byte, or a record header alone, is never a yes. */
    static const uint8_t first_bytes[] = {20, 21, 22, 23};
    for (size_t index = 0; index < sizeof first_bytes; index++)
        expect_bytes(first_bytes + index, 1, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    static const uint8_t header_only[] = {0x17, 0x03, 0x03, 0x00, 0x20};
    expect_bytes(header_only, sizeof header_only, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    expect_bytes(curl_client_hello, 5, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW);
    g_byte_array_unref(bytes);
}

static void test_not_tls(void)
{
    static const char *const texts[] = {
        "GET / HTTP/1.1\r\n", "SSH-2.0-OpenSSH_9.2p1\r\n",
        "\x15\x04",           "\x16\x02\x00",
        "\x16\x03\x05",       "\x01\x02\x03",
    };
    for (size_t index = 0; index < G_N_ELEMENTS(texts); index++)
        expect_bytes((const uint8_t *)texts[index], strlen(texts[index]), ODDPORT_MATCH_NO,
                     ODDPORT_CONFIDENCE_NONE);
    static const uint8_t zeros[64] = {0};
    expect_bytes(zeros, sizeof zeros, ODDPORT_MATCH_NO, ODDPORT_CONFIDENCE_NONE);
    expect_bytes(zeros, 0, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_NONE);
}

static void test_version_names(void)
{
    g_assert_cmpstr(oddport_tls_version_name(0x0002), ==, "SSL 2.0");
    g_assert_cmpstr(oddport_tls_version_name(0x0300), ==, "SSL 3.0");
    g_assert_cmpstr(oddport_tls_version_name(0x0301), ==, "TLS 1.0");
    g_assert_cmpstr(oddport_tls_version_name(0x0302), ==, "TLS 1.1");
    g_assert_cmpstr(oddport_tls_version_name(0x0303), ==, "TLS 1.2");
    g_assert_cmpstr(oddport_tls_version_name(0x0304), ==, "TLS 1.3");
    g_assert_null(oddport_tls_version_name(0x0305));
    g_assert_null(oddport_tls_version_name(0xfefd));
    g_assert_null(oddport_tls_version_name(0x7f1c));
    g_assert_null(oddport_tls_version_name(0));
}

static void test_null_info(void)
{
    OddportVerdict verdict;
    memset(&verdict, 0x7f, sizeof verdict);
    g_assert_cmpint(oddport_detect_tls(curl_client_hello, sizeof curl_client_hello, &verdict, NULL),
                    ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(verdict.evidence, ==, "TLS 1.3 ClientHello SNI=example.org ALPN=h2,http/1.1");
    memset(&verdict, 0x7f, sizeof verdict);
    g_assert_cmpint(oddport_detect_tls(curl_client_hello, 3, &verdict, NULL), ==,
                    ODDPORT_MATCH_NEED_MORE);
    g_assert_nonnull(memchr(verdict.evidence, '\0', sizeof verdict.evidence));
    memset(&verdict, 0x7f, sizeof verdict);
    g_assert_cmpint(oddport_detect_tls(NULL, 0, &verdict, NULL), ==, ODDPORT_MATCH_NEED_MORE);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_NONE);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_EITHER);
}

/* Random bytes, damaged real hellos and random record runs: never a crash, never a read out of
 * bounds, never a malformed verdict. */
static void test_random_bytes(void)
{
    GRand *random = g_rand_new_with_seed(4253);
    uint8_t buffer[sizeof curl_client_hello + 64];
    for (int round = 0; round < 30000; round++) {
        size_t length = 0;
        switch (round % 4) {
        case 0:
            length = (size_t)g_rand_int_range(random, 0, 200);
            for (size_t index = 0; index < length; index++)
                buffer[index] = (uint8_t)g_rand_int_range(random, 0, 256);
            if (length > 0 && g_rand_boolean(random))
                buffer[0] = (uint8_t)g_rand_int_range(random, 20, 24);
            if (length > 2 && g_rand_boolean(random)) {
                buffer[1] = 3;
                buffer[2] = (uint8_t)g_rand_int_range(random, 0, 5);
            }
            break;
        case 1:
        case 2: {
            const uint8_t *source = round % 8 == 1 ? curl_client_hello : openssl_tls12_server_hello;
            length = round % 8 == 1 ? sizeof curl_client_hello : sizeof openssl_tls12_server_hello;
            memcpy(buffer, source, length);
            for (int flips = g_rand_int_range(random, 1, 4); flips > 0; flips--)
                buffer[g_rand_int_range(random, 0, (gint32)length)] =
                    (uint8_t)g_rand_int_range(random, 0, 256);
            length = (size_t)g_rand_int_range(random, 0, (gint32)length + 1);
            break;
        }
        default:
            while (length + 5 + 16 < sizeof buffer && g_rand_int_range(random, 0, 4) != 0) {
                size_t record = (size_t)g_rand_int_range(random, 0, 17);
                buffer[length] = (uint8_t)g_rand_int_range(random, 19, 25);
                buffer[length + 1] = 3;
                buffer[length + 2] = (uint8_t)g_rand_int_range(random, 0, 5);
                buffer[length + 3] = 0;
                buffer[length + 4] = (uint8_t)record;
                for (size_t index = 0; index < record; index++)
                    buffer[length + 5 + index] = (uint8_t)g_rand_int_range(random, 0, 3);
                length += 5 + record;
            }
            break;
        }
        OddportVerdict verdict;
        OddportTlsInfo info;
        detect(buffer, length, &verdict, &info);
    }
    g_rand_free(random);
}

/* Fingerprints. */

/* The lowercase hexadecimal digest of `text`, the first `digits` of it (transfer full). */
static char *digest_of(GChecksumType type, const char *text, size_t digits)
{
    char *digest = g_compute_checksum_for_string(type, text, -1);
    digest[digits] = '\0';
    return digest;
}

/* Checks a JA3 or JA3S against the text it must be the MD5 of. */
static void assert_ja3_of(const char *ja3, const char *text)
{
    g_autofree char *expected = digest_of(G_CHECKSUM_MD5, text, 32);
    if (strcmp(ja3, expected) != 0)
        g_test_message("expected the MD5 of %s", text);
    g_assert_cmpstr(ja3, ==, expected);
}

/* Checks a JA4 against its first part and the texts its two hashes stand for. */
static void assert_ja4_of(const char *ja4, const char *first_part, const char *cipher_text,
                          const char *extension_text)
{
    g_autofree char *ciphers = cipher_text[0] != '\0'
                                   ? digest_of(G_CHECKSUM_SHA256, cipher_text, 12)
                                   : g_strdup("000000000000");
    g_autofree char *extensions = extension_text[0] != '\0'
                                      ? digest_of(G_CHECKSUM_SHA256, extension_text, 12)
                                      : g_strdup("000000000000");
    g_autofree char *expected = g_strdup_printf("%s_%s_%s", first_part, ciphers, extensions);
    g_assert_cmpstr(ja4, ==, expected);
}

/* A ClientHello message from parts: `suites` and, unless NULL, the extension block. */
static GByteArray *client_hello_with(unsigned version, const uint16_t *suites, size_t suite_count,
                                     const GByteArray *extensions)
{
    GByteArray *body = g_byte_array_new();
    put_be16(body, version);
    for (unsigned index = 0; index < 32; index++)
        put_u8(body, 0x30 + index);
    put_u8(body, 0);
    put_be16(body, (unsigned)(2 * suite_count));
    for (size_t index = 0; index < suite_count; index++)
        put_be16(body, suites[index]);
    put_u8(body, 1);
    put_u8(body, 0);
    if (extensions != NULL) {
        put_be16(body, extensions->len);
        g_byte_array_append(body, extensions->data, extensions->len);
    }
    GByteArray *message = g_byte_array_new();
    put_u8(message, 1);
    put_be24(message, body->len);
    g_byte_array_append(message, body->data, body->len);
    g_byte_array_unref(body);
    return message;
}

/* A ServerHello message; NULL `extensions` leaves the block out. */
static GByteArray *server_hello_with(unsigned version, unsigned suite, const GByteArray *extensions)
{
    GByteArray *body = g_byte_array_new();
    put_be16(body, version);
    for (unsigned index = 0; index < 32; index++)
        put_u8(body, 0x70 + index);
    put_u8(body, 0);
    put_be16(body, suite);
    put_u8(body, 0);
    if (extensions != NULL) {
        put_be16(body, extensions->len);
        g_byte_array_append(body, extensions->data, extensions->len);
    }
    GByteArray *message = g_byte_array_new();
    put_u8(message, 2);
    put_be24(message, body->len);
    g_byte_array_append(message, body->data, body->len);
    g_byte_array_unref(body);
    return message;
}

/* The details of a hello message wrapped in one record, which must be recognised. */
static OddportTlsInfo hello_info(const GByteArray *message)
{
    GByteArray *records = wrap_in_records(message, 0x0301, 16384);
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(records->data, records->len, &verdict, &info);
    if (verdict.match != ODDPORT_MATCH_YES)
        g_test_message("%s", verdict.evidence);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_byte_array_unref(records);
    return info;
}

/* An extension of raw bytes (`length` of them, as a string cannot say for NULs). */
static void put_raw_extension(GByteArray *extensions, unsigned type, const char *data,
                              size_t length)
{
    put_be16(extensions, type);
    put_be16(extensions, (unsigned)length);
    g_byte_array_append(extensions, (const guint8 *)data, (guint)length);
}

static void put_u16_list_extension(GByteArray *extensions, unsigned type, unsigned prefix_width,
                                   const uint16_t *values, size_t count)
{
    GByteArray *data = g_byte_array_new();
    if (prefix_width == 1)
        put_u8(data, (unsigned)(2 * count));
    else
        put_be16(data, (unsigned)(2 * count));
    for (size_t index = 0; index < count; index++)
        put_be16(data, values[index]);
    put_extension(extensions, type, data);
    g_byte_array_unref(data);
}

/* Wireshark's own answers for the recorded hellos above: tls.handshake.ja3 and ja3s from tshark
 * 4.0.17, tls.handshake.ja4 from tshark 4.4. */
static void test_recorded_fingerprints(void)
{
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(curl_client_hello, sizeof curl_client_hello, &verdict, &info);
    g_assert_cmpstr(info.ja3, ==, "0149f47eabf9a20d0893e2a44e5a6323");
    g_assert_cmpstr(info.ja4, ==, "t13d3112h2_e8f1e7e78f70_b26ce05bbdd6");
    detect(openssl_tls12_client_hello, sizeof openssl_tls12_client_hello, &verdict, &info);
    g_assert_cmpstr(info.ja3, ==, "871a754af286dfb70c1b53c6887c62e0");
    g_assert_cmpstr(info.ja4, ==, "t12d280700_d943125447b4_e7e480e5a997");
    detect(openssl_tls13_server_flight, sizeof openssl_tls13_server_flight, &verdict, &info);
    g_assert_cmpstr(info.ja3, ==, "15af977ce25de452b96affa2addb1036");
    g_assert_cmpstr(info.ja4, ==, "");
    detect(openssl_tls12_server_hello, sizeof openssl_tls12_server_hello, &verdict, &info);
    g_assert_cmpstr(info.ja3, ==, "abade5a4a7f42baf54766e5d108283b6");
    /* The same hello split into records and fed whole gives the same fingerprints. */
    GByteArray *message = curl_hello_message();
    GByteArray *records = wrap_in_records(message, 0x0301, 23);
    detect(records->data, records->len, &verdict, &info);
    g_assert_cmpstr(info.ja3, ==, "0149f47eabf9a20d0893e2a44e5a6323");
    g_assert_cmpstr(info.ja4, ==, "t13d3112h2_e8f1e7e78f70_b26ce05bbdd6");
    g_byte_array_unref(records);
    g_byte_array_unref(message);
}

/* The examples the JA3 README and the JA4 specification publish, the second with GREASE in
 * every list that may hold it, which must change nothing. */
static void test_published_examples(void)
{
    static const uint16_t ja3_suites[] = {47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4};
    static const uint16_t ja3_groups[] = {23, 24, 25};
    GByteArray *extensions = g_byte_array_new();
    put_sni_extension(extensions, "ja3.example");
    put_u16_list_extension(extensions, 10, 2, ja3_groups, G_N_ELEMENTS(ja3_groups));
    put_raw_extension(extensions, 11, "\1\0", 2);
    GByteArray *message =
        client_hello_with(0x0301, ja3_suites, G_N_ELEMENTS(ja3_suites), extensions);
    OddportTlsInfo info = hello_info(message);
    g_assert_cmpstr(info.ja3, ==, "ada70206e40642a3e4461f35503241d5");
    g_byte_array_unref(message);
    g_byte_array_unref(extensions);

    /* "769,47,65281-0-11-35-5-16" in the JA3S README. */
    extensions = g_byte_array_new();
    put_raw_extension(extensions, 0xff01, "\0", 1);
    put_raw_extension(extensions, 0, "", 0);
    put_raw_extension(extensions, 11, "\1\0", 2);
    put_raw_extension(extensions, 35, "", 0);
    put_raw_extension(extensions, 5, "", 0);
    put_raw_extension(extensions, 16, "\0\3\2h2", 6);
    message = server_hello_with(0x0301, 47, extensions);
    info = hello_info(message);
    assert_ja3_of(info.ja3, "769,47,65281-0-11-35-5-16");
    g_byte_array_unref(message);
    g_byte_array_unref(extensions);

    static const uint16_t ja4_suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                          0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
                                          0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    static const uint16_t algorithms[] = {0x0403, 0x0804, 0x0401, 0x0503,
                                          0x0805, 0x0501, 0x0806, 0x0601};
    char first_ja3[ODDPORT_TLS_JA3_TEXT_MAX] = "";
    for (int grease = 0; grease <= 1; grease++) {
        uint16_t suites[G_N_ELEMENTS(ja4_suites) + 1];
        size_t suite_count = 0;
        if (grease)
            suites[suite_count++] = 0x5a5a;
        for (size_t index = 0; index < G_N_ELEMENTS(ja4_suites); index++)
            suites[suite_count++] = ja4_suites[index];
        uint16_t groups[] = {0x3a3a, 0x001d, 0x0017, 0x0018};
        uint16_t versions[] = {0x8a8a, 0x0304, 0x0303};
        extensions = g_byte_array_new();
        if (grease)
            put_raw_extension(extensions, 0xdada, "", 0);
        put_raw_extension(extensions, 0x001b, "\2\0\2", 3);
        put_sni_extension(extensions, "ja4.example");
        put_raw_extension(extensions, 0x0033, "\0\4\0\x1d\0\0", 6);
        put_raw_extension(extensions, 0x0010, "\0\3\2h2", 6);
        put_raw_extension(extensions, 0x4469, "\0\3\2h2", 6);
        put_raw_extension(extensions, 0x0017, "", 0);
        put_raw_extension(extensions, 0x002d, "\1\1", 2);
        put_u16_list_extension(extensions, 0x000d, 2, algorithms, G_N_ELEMENTS(algorithms));
        put_raw_extension(extensions, 0x0005, "\1\0\0\0\0", 5);
        put_raw_extension(extensions, 0x0023, "", 0);
        put_raw_extension(extensions, 0x0012, "", 0);
        put_u16_list_extension(extensions, 0x002b, 1, versions + !grease,
                               G_N_ELEMENTS(versions) - !grease);
        put_raw_extension(extensions, 0xff01, "\0", 1);
        put_raw_extension(extensions, 0x000b, "\1\0", 2);
        put_u16_list_extension(extensions, 0x000a, 2, groups + !grease,
                               G_N_ELEMENTS(groups) - !grease);
        put_raw_extension(extensions, 0x0015, "\0\0\0", 3);
        if (grease)
            put_raw_extension(extensions, 0x2a2a, "\0", 1);
        message = client_hello_with(0x0303, suites, suite_count, extensions);
        info = hello_info(message);
        g_assert_cmpstr(info.ja4, ==, "t13d1516h2_8daaf6152771_e5627efa2ab1");
        assert_ja3_of(info.ja3, "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-"
                                "49172-156-157-47-53,27-0-51-16-17513-23-45-13-5-35-18-43-"
                                "65281-11-10-21,29-23-24,0");
        if (grease)
            g_assert_cmpstr(info.ja3, ==, first_ja3);
        memcpy(first_ja3, info.ja3, sizeof first_ja3);
        g_byte_array_unref(message);
        g_byte_array_unref(extensions);
    }
}

static const uint16_t two_suites[] = {0x002f, 0x0035};

/* A hello of the two suites and `extensions`, and its JA3 text and JA4 as Wireshark gives them. */
static void expect_fingerprints(const GByteArray *extensions, const char *ja3_text,
                                const char *ja4_first_part, const char *ja4_extensions)
{
    GByteArray *message = client_hello_with(0x0303, two_suites, 2, extensions);
    OddportTlsInfo info = hello_info(message);
    if (ja3_text != NULL)
        assert_ja3_of(info.ja3, ja3_text);
    else
        g_assert_cmpstr(info.ja3, ==, "");
    assert_ja4_of(info.ja4, ja4_first_part, "002f,0035", ja4_extensions);
    g_byte_array_unref(message);
}

/* Wireshark 4.0's JA3 where hellos are odd, and Wireshark 4.4's JA4 of the same hellos (4.6's
 * where they differ), as tshark gave them for these shapes (the crosscheck compares the two
 * tools on more). */
static void test_fingerprint_edges(void)
{
    /* No extension block, and an empty one. */
    GByteArray *message = client_hello_with(0x0301, two_suites, 2, NULL);
    OddportTlsInfo info = hello_info(message);
    assert_ja3_of(info.ja3, "769,47-53,,,");
    assert_ja4_of(info.ja4, "t10i020000", "002f,0035", "");
    g_byte_array_unref(message);
    GByteArray *extensions = g_byte_array_new();
    expect_fingerprints(extensions, "771,47-53,,,", "t12i020000", "");

    /* Each supported_groups and ec_point_formats extension is a field of its own. */
    static const uint16_t groups[] = {29, 23};
    static const uint16_t more_groups[] = {25};
    put_u16_list_extension(extensions, 10, 2, groups, 2);
    put_raw_extension(extensions, 11, "\1\0", 2);
    put_u16_list_extension(extensions, 10, 2, more_groups, 1);
    put_raw_extension(extensions, 11, "\2\1\2", 3);
    expect_fingerprints(extensions, "771,47-53,10-11-10-11,29-23,25,0,1-2", "t12i020400",
                        "000a,000a,000b,000b");

    /* supported_groups values run to the extension's end; a list too long for it gives none,
     * as does an empty one. Point formats take as many bytes as their count, read on into the
     * next extension. */
    g_byte_array_set_size(extensions, 0);
    put_raw_extension(extensions, 10, "\0\2\0\x1d\0\x17", 6);
    put_raw_extension(extensions, 11, "\3\0", 2);
    put_raw_extension(extensions, 23, "", 0);
    expect_fingerprints(extensions, "771,47-53,10-11-23,29-23,0-0-23", "t12i020300",
                        "000a,000b,0017");
    g_byte_array_set_size(extensions, 0);
    put_raw_extension(extensions, 10, "\0\x10\0\x1d", 4);
    put_raw_extension(extensions, 10, "\0\0", 2);
    expect_fingerprints(extensions, "771,47-53,10-10,,", "t12i020200", "000a,000a");
    /* ... but not past the hello: then there is no JA3. */
    g_byte_array_set_size(extensions, 0);
    put_raw_extension(extensions, 11, "\5\0", 2);
    expect_fingerprints(extensions, NULL, "t12i020100", "000b");

    /* An extension that claims more than the block holds: Wireshark 4.0 gives no JA3; 4.4's
     * JA4 counts and lists it, unread, and sees nothing after it. */
    g_byte_array_set_size(extensions, 0);
    put_sni_extension(extensions, "overrun.example");
    put_u16_list_extension(extensions, 10, 2, groups, 2);
    put_be16(extensions, 13);
    put_be16(extensions, 40);
    put_be16(extensions, 0x0403);
    expect_fingerprints(extensions, NULL, "t12d020300", "000a,000d");
    /* Fewer than four bytes after the last extension are left alone by both. */
    g_byte_array_set_size(extensions, 0);
    put_u16_list_extension(extensions, 10, 2, groups, 2);
    put_raw_extension(extensions, 11, "\1\0", 2);
    put_u8(extensions, 0);
    put_u8(extensions, 23);
    message = client_hello_with(0x0303, two_suites, 2, extensions);
    GByteArray *records = wrap_in_records(message, 0x0301, 16384);
    OddportVerdict verdict;
    detect(records->data, records->len, &verdict, &info);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_MEDIUM);
    assert_ja3_of(info.ja3, "771,47-53,10-11,29-23,0");
    assert_ja4_of(info.ja4, "t12i020200", "002f,0035", "000a,000b");
    g_byte_array_unref(records);
    g_byte_array_unref(message);

    /* JA4's version: supported_versions' highest, a draft's too ("00"); GREASE and empty or
     * overlong lists do not count. Signature algorithms keep their order but not their GREASE
     * (Chrome puts a new one in every hello; Wireshark 4.4 hashed it, 4.6 does not), and each
     * such extension adds its own; an empty or overlong list adds none. */
    static const uint16_t draft[] = {0x7f1c, 0x0304, 0x0a0a};
    static const uint16_t grease_algorithm[] = {0x0403, 0x1a1a, 0x0804};
    g_byte_array_set_size(extensions, 0);
    put_u16_list_extension(extensions, 43, 1, draft, G_N_ELEMENTS(draft));
    put_u16_list_extension(extensions, 13, 2, grease_algorithm, G_N_ELEMENTS(grease_algorithm));
    put_raw_extension(extensions, 13, "\0\0", 2);
    put_raw_extension(extensions, 13, "\0\x08\4\3", 4);
    put_raw_extension(extensions, 13, "\0\2\5\3\6\3", 6);
    expect_fingerprints(extensions, "771,47-53,43-13-13-13-13,,", "t00i020500",
                        "000d,000d,000d,000d,002b_0403,0804,0503");
    static const uint16_t grease_only[] = {0x6a6a};
    g_byte_array_set_size(extensions, 0);
    put_u16_list_extension(extensions, 43, 1, grease_only, 1);
    put_raw_extension(extensions, 43, "\5\3\4\3\3", 5);
    expect_fingerprints(extensions, "771,47-53,43-43,,", "t12i020200", "002b,002b");

    /* More than 99 cipher suites or extensions count as 99; cipher suites that are all GREASE
     * hash to zeros, as does an extension list of SNI and ALPN alone. */
    uint16_t suites[120];
    for (size_t index = 0; index < G_N_ELEMENTS(suites); index++)
        suites[index] = (uint16_t)(0xc100 + 7 * index);
    g_byte_array_set_size(extensions, 0);
    for (unsigned index = 0; index < 105; index++)
        put_raw_extension(extensions, 0x3000 + 3 * index, "", 0);
    message = client_hello_with(0x0303, suites, G_N_ELEMENTS(suites), extensions);
    info = hello_info(message);
    g_assert_true(g_str_has_prefix(info.ja4, "t12i9999"));
    g_byte_array_unref(message);
    static const uint16_t grease_suites[] = {0x0a0a, 0xfafa};
    g_byte_array_set_size(extensions, 0);
    put_sni_extension(extensions, "two.example");
    put_raw_extension(extensions, 16, "\0\3\2h2", 6);
    message = client_hello_with(0x0302, grease_suites, 2, extensions);
    info = hello_info(message);
    assert_ja3_of(info.ja3, "770,,0-16,,");
    g_assert_cmpstr(info.ja4, ==, "t11d0002h2_000000000000_000000000000");
    g_byte_array_unref(message);
    g_byte_array_unref(extensions);
}

/* JA4's two ALPN characters from the first value of the first ALPN extension. */
static void test_ja4_alpn(void)
{
    static const struct {
        const char *list; /* the protocol name list, its length prefix left out */
        size_t length;
        const char *expected;
    } cases[] = {
        {"\2h2\10http/1.1", 12, "h2"},
        {"\10http/1.1", 9, "h1"},
        {"\1x", 2, "xx"},
        {"\2\xab\xcd", 3, "ad"},         /* not letters: the hexadecimal's first and last digits */
        {"\2\x30\xab", 3, "3b"},         /* one end a letter or digit is not enough */
        {"\4\x30\xab\xcd\x31", 5, "01"}, /* both ends are: the characters themselves */
        {"\3h2/", 4, "6f"},
        {"\2\x0a\x0a\2h2", 6, "0a"}, /* GREASE is a value like any other here */
        {"\0\2h2", 4, "00"},         /* an empty first value */
        {"", 0, "00"},               /* no value */
        {"\5h2", 3, "00"},           /* a first value longer than the list */
    };
    for (size_t index = 0; index < G_N_ELEMENTS(cases); index++) {
        GByteArray *extensions = g_byte_array_new();
        GByteArray *data = g_byte_array_new();
        put_be16(data, (unsigned)cases[index].length);
        g_byte_array_append(data, (const guint8 *)cases[index].list, (guint)cases[index].length);
        put_extension(extensions, 16, data);
        /* A second ALPN extension is not looked at. */
        put_raw_extension(extensions, 16, "\0\3\2zz", 6);
        GByteArray *message = client_hello_with(0x0303, two_suites, 2, extensions);
        OddportTlsInfo info = hello_info(message);
        g_autofree char *prefix = g_strdup_printf("t12i0202%s_", cases[index].expected);
        if (!g_str_has_prefix(info.ja4, prefix))
            g_test_message("case %zu: %s", index, info.ja4);
        g_assert_true(g_str_has_prefix(info.ja4, prefix));
        g_byte_array_unref(message);
        g_byte_array_unref(data);
        g_byte_array_unref(extensions);
    }
}

/* No fingerprint from a hello that is not all there, is an SSLv2 one, or is too large to hold. */
static void test_fingerprints_need_whole_hello(void)
{
    OddportVerdict verdict;
    OddportTlsInfo info;
    for (size_t length = 0; length < sizeof curl_client_hello; length++) {
        detect(curl_client_hello, length, &verdict, &info);
        g_assert_cmpstr(info.ja3, ==, "");
        g_assert_cmpstr(info.ja4, ==, "");
    }
    GByteArray *hello = build_sslv2_hello(0x0301, 3 * 11, 0, 16);
    detect(hello->data, hello->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpstr(info.ja3, ==, "");
    g_assert_cmpstr(info.ja4, ==, "");
    g_byte_array_unref(hello);

    GByteArray *extensions = g_byte_array_new();
    GByteArray *padding = g_byte_array_sized_new(20000);
    g_byte_array_set_size(padding, 20000);
    memset(padding->data, 0, padding->len);
    put_extension(extensions, 21, padding);
    GByteArray *message = client_hello_with(0x0303, two_suites, 2, extensions);
    GByteArray *records = wrap_in_records(message, 0x0303, 16384);
    detect(records->data, records->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_MEDIUM);
    g_assert_cmpstr(info.ja3, ==, "");
    g_byte_array_unref(records);
    g_byte_array_unref(message);
    g_byte_array_unref(padding);
    g_byte_array_unref(extensions);
}

/* Fingerprints are remembered per distinct hello: hellos that differ only where fingerprints do
 * not look (random, SNI, key shares) share them, and many distinct hellos in turn, more than are
 * remembered, each keep their own, whatever came before. */
static void test_fingerprints_remembered(void)
{
    enum { DISTINCT = 150 };
    char ja3[DISTINCT][ODDPORT_TLS_JA3_TEXT_MAX];
    char ja4[DISTINCT][ODDPORT_TLS_JA4_TEXT_MAX];
    for (int round = 0; round < 3; round++) {
        for (unsigned step = 0; step < DISTINCT; step++) {
            unsigned index =
                round == 1 ? DISTINCT - 1 - step : (step * 7 + (unsigned)round) % DISTINCT;
            uint16_t suites[] = {0x1301, (uint16_t)(0x2000 + index)};
            uint16_t groups[] = {0x001d, (uint16_t)(0x0100 + index % 5)};
            GByteArray *extensions = g_byte_array_new();
            g_autofree char *name = g_strdup_printf("host%u-%d.example", index, round);
            put_sni_extension(extensions, name);
            put_u16_list_extension(extensions, 10, 2, groups, 2);
            put_raw_extension(extensions, 0x0033, round == 2 ? "\0\2\0\x1d" : "\0\2\0\x17", 4);
            GByteArray *message = client_hello_with(0x0303, suites, 2, extensions);
            OddportTlsInfo info = hello_info(message);
            if (round == 0) {
                memcpy(ja3[index], info.ja3, sizeof ja3[index]);
                memcpy(ja4[index], info.ja4, sizeof ja4[index]);
            } else {
                g_assert_cmpstr(info.ja3, ==, ja3[index]);
                g_assert_cmpstr(info.ja4, ==, ja4[index]);
            }
            g_byte_array_unref(message);
            g_byte_array_unref(extensions);
        }
    }
    for (unsigned index = 1; index < DISTINCT; index++)
        g_assert_cmpstr(ja3[index], !=, ja3[index - 1]);
}

/* A server that warns (unrecognized_name) before its ServerHello. */
static void test_warning_alert_before_hello(void)
{
    static const uint8_t warning[] = {21, 3, 3, 0, 2, 1, 112};
    GByteArray *bytes = g_byte_array_new();
    g_byte_array_append(bytes, warning, sizeof warning);
    g_byte_array_append(bytes, openssl_tls12_server_hello, sizeof openssl_tls12_server_hello);
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(bytes->data, bytes->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpint(verdict.role, ==, ODDPORT_ROLE_SERVER);
    g_assert_cmpstr(verdict.evidence, ==, "TLS 1.2 ServerHello after a warning alert");
    g_assert_cmpstr(info.ja3, ==, "abade5a4a7f42baf54766e5d108283b6");
    for (size_t length = 1; length < sizeof warning + 60; length++)
        expect_bytes(bytes->data, length, ODDPORT_MATCH_NEED_MORE,
                     length < sizeof warning + 11 ? ODDPORT_CONFIDENCE_LOW
                                                  : ODDPORT_CONFIDENCE_MEDIUM);
    /* A fatal alert is no prelude: the records are judged midstream. */
    bytes->data[5] = 2;
    detect(bytes->data, bytes->len, &verdict, &info);
    g_assert_true(g_str_has_prefix(verdict.evidence, "TLS records (midstream"));
    g_byte_array_unref(bytes);
}

/* Certificates. */

static OddportTlsCertificate read_certificate(const uint8_t *der, size_t length)
{
    /* An exactly sized copy, so that a read past the end is the address sanitizer's to see. */
    uint8_t *copy = g_memdup2(der, length);
    OddportTlsCertificate certificate;
    memset(&certificate, 0x5a, sizeof certificate);
    oddport_tls_read_certificate(copy, length, &certificate);
    g_free(copy);
    g_assert_true(certificate.present);
    g_assert_nonnull(memchr(certificate.subject_cn, '\0', sizeof certificate.subject_cn));
    g_assert_nonnull(memchr(certificate.issuer_cn, '\0', sizeof certificate.issuer_cn));
    g_assert_nonnull(memchr(certificate.not_before, '\0', sizeof certificate.not_before));
    g_assert_nonnull(memchr(certificate.not_after, '\0', sizeof certificate.not_after));
    return certificate;
}

static void test_certificate_fields(void)
{
    OddportTlsCertificate certificate =
        read_certificate(self_signed_certificate, sizeof self_signed_certificate);
    g_assert_cmpstr(certificate.subject_cn, ==, SELF_SIGNED_CN);
    g_assert_cmpstr(certificate.issuer_cn, ==, SELF_SIGNED_CN);
    g_assert_cmpstr(certificate.not_before, ==, SELF_SIGNED_NOT_BEFORE);
    g_assert_cmpstr(certificate.not_after, ==, SELF_SIGNED_NOT_AFTER);
    g_assert_true(certificate.self_signed_known);
    g_assert_true(certificate.self_signed);
    g_assert_false(certificate.truncated);

    certificate = read_certificate(test_ca_certificate, sizeof test_ca_certificate);
    g_assert_cmpstr(certificate.subject_cn, ==, TEST_CA_CN);
    g_assert_true(certificate.self_signed);

    /* Version 1, no extensions, issued by the CA. */
    certificate = read_certificate(leaf_certificate, sizeof leaf_certificate);
    g_assert_cmpstr(certificate.subject_cn, ==, LEAF_CN);
    g_assert_cmpstr(certificate.issuer_cn, ==, TEST_CA_CN);
    g_assert_cmpstr(certificate.not_before, ==, LEAF_NOT_BEFORE);
    g_assert_cmpstr(certificate.not_after, ==, LEAF_NOT_AFTER);
    g_assert_true(certificate.self_signed_known);
    g_assert_false(certificate.self_signed);
    g_assert_false(certificate.truncated);
}

/* Cut anywhere, a certificate says so, and every field is what the whole one says or empty. */
static void test_certificate_cut(void)
{
    for (size_t length = 0; length < sizeof self_signed_certificate; length++) {
        OddportTlsCertificate certificate = read_certificate(self_signed_certificate, length);
        g_assert_true(certificate.truncated);
        const char *subject = certificate.subject_cn;
        g_assert_true(subject[0] == '\0' || strcmp(subject, SELF_SIGNED_CN) == 0);
        g_assert_true(certificate.issuer_cn[0] == '\0' ||
                      strcmp(certificate.issuer_cn, SELF_SIGNED_CN) == 0);
        g_assert_true(certificate.not_before[0] == '\0' ||
                      strcmp(certificate.not_before, SELF_SIGNED_NOT_BEFORE) == 0);
        g_assert_true(certificate.not_after[0] == '\0' ||
                      strcmp(certificate.not_after, SELF_SIGNED_NOT_AFTER) == 0);
        g_assert_true(!certificate.self_signed_known || certificate.self_signed);
        /* The names and dates end 201 bytes in; only the key and signature come after. */
        if (length >= 201) {
            g_assert_cmpstr(subject, ==, SELF_SIGNED_CN);
            g_assert_true(certificate.self_signed_known);
        } else {
            g_assert_cmpstr(subject, ==, "");
            g_assert_false(certificate.self_signed_known);
        }
    }
}

/* DER elements for made-up certificates. */
static void put_der(GByteArray *out, uint8_t identifier, const void *content, size_t length)
{
    put_u8(out, identifier);
    if (length < 0x80) {
        put_u8(out, (unsigned)length);
    } else if (length < 0x100) {
        put_u8(out, 0x81);
        put_u8(out, (unsigned)length);
    } else {
        put_u8(out, 0x82);
        put_be16(out, (unsigned)length);
    }
    g_byte_array_append(out, content, (guint)length);
}

static void put_der_array(GByteArray *out, uint8_t identifier, const GByteArray *content)
{
    put_der(out, identifier, content->data, content->len);
}

/* A Name of one attribute per relative name: `values` are (identifier, bytes, length) of
 * common names, or of organisation names where `common` says false. */
typedef struct {
    bool common;
    uint8_t identifier;
    const char *bytes;
    size_t length;
} NameAttribute;

static GByteArray *make_name(const NameAttribute *attributes, size_t count)
{
    static const uint8_t common_name[] = {0x55, 0x04, 0x03};
    static const uint8_t organisation[] = {0x55, 0x04, 0x0a};
    GByteArray *names = g_byte_array_new();
    for (size_t index = 0; index < count; index++) {
        GByteArray *pair = g_byte_array_new();
        put_der(pair, 0x06, attributes[index].common ? common_name : organisation, 3);
        put_der(pair, attributes[index].identifier, attributes[index].bytes,
                attributes[index].length);
        GByteArray *sequence = g_byte_array_new();
        put_der_array(sequence, 0x30, pair);
        put_der_array(names, 0x31, sequence);
        g_byte_array_unref(sequence);
        g_byte_array_unref(pair);
    }
    GByteArray *name = g_byte_array_new();
    put_der_array(name, 0x30, names);
    g_byte_array_unref(names);
    return name;
}

/* A certificate with the given issuer, subject and validity elements, and a signature of
 * `signature_length` bytes. */
static GByteArray *make_certificate(const GByteArray *issuer, const GByteArray *subject,
                                    const GByteArray *validity, size_t signature_length)
{
    GByteArray *fields = g_byte_array_new();
    put_der(fields, 0xa0, "\x02\x01\x02", 3);
    put_der(fields, 0x02, "\x01", 1);
    put_der(fields, 0x30, "\x06\x01\x00", 3);
    g_byte_array_append(fields, issuer->data, issuer->len);
    put_der_array(fields, 0x30, validity);
    g_byte_array_append(fields, subject->data, subject->len);
    GByteArray *whole = g_byte_array_new();
    put_der_array(whole, 0x30, fields);
    put_der(whole, 0x30, "\x06\x01\x00", 3);
    GByteArray *signature = g_byte_array_sized_new((guint)signature_length);
    g_byte_array_set_size(signature, (guint)signature_length);
    memset(signature->data, 0x11, signature_length);
    put_der_array(whole, 0x03, signature);
    GByteArray *certificate = g_byte_array_new();
    put_der_array(certificate, 0x30, whole);
    g_byte_array_unref(signature);
    g_byte_array_unref(whole);
    g_byte_array_unref(fields);
    return certificate;
}

static GByteArray *make_validity(uint8_t before_identifier, const char *before,
                                 uint8_t after_identifier, const char *after)
{
    GByteArray *validity = g_byte_array_new();
    put_der(validity, before_identifier, before, strlen(before));
    put_der(validity, after_identifier, after, strlen(after));
    return validity;
}

/* Names in the string types certificates use, several common names, and times of both kinds. */
static void test_certificate_names_and_times(void)
{
    /* "Zoë 😀" as a BMPString (a surrogate pair for the emoji) and as a UniversalString. */
    static const NameAttribute bmp[] = {
        {false, 0x0c, "Org", 3},
        {true, 0x1e, "\0Z\0o\0\xeb\0 \xd8\x3d\xde\x00", 12},
    };
    static const NameAttribute universal[] = {
        {true, 0x1c, "\0\0\0Z\0\0\0o\0\0\0\xeb\0\0\0 \0\1\xf6\0", 20},
    };
    static const NameAttribute several[] = {
        {true, 0x13, "first", 5},
        {false, 0x13, "Org", 3},
        {true, 0x0c, "last", 4},
    };
    static const NameAttribute none[] = {{false, 0x0c, "Only an organisation", 20}};
    GByteArray *issuer = make_name(bmp, G_N_ELEMENTS(bmp));
    GByteArray *subject = make_name(universal, G_N_ELEMENTS(universal));
    GByteArray *validity = make_validity(0x17, "990102030405Z", 0x17, "4912312359Z");
    GByteArray *der = make_certificate(issuer, subject, validity, 64);
    OddportTlsCertificate certificate = read_certificate(der->data, der->len);
    g_assert_cmpstr(certificate.issuer_cn, ==, "Zo\xc3\xab \xf0\x9f\x98\x80");
    g_assert_cmpstr(certificate.subject_cn, ==, "Zo\xc3\xab \xf0\x9f\x98\x80");
    g_assert_cmpstr(certificate.not_before, ==, "1999-01-02T03:04:05Z");
    g_assert_cmpstr(certificate.not_after, ==, "2049-12-31T23:59:00Z");
    g_assert_true(certificate.self_signed_known);
    g_assert_false(certificate.self_signed);
    g_byte_array_unref(der);
    g_byte_array_unref(validity);
    g_byte_array_unref(subject);
    g_byte_array_unref(issuer);

    issuer = make_name(several, G_N_ELEMENTS(several));
    subject = make_name(none, G_N_ELEMENTS(none));
    static const struct {
        uint8_t identifier;
        const char *text;
        const char *expected;
    } times[] = {
        {0x18, "20500101000000Z", "2050-01-01T00:00:00Z"},
        {0x18, "20500101000000.125Z", "2050-01-01T00:00:00Z"},
        {0x18, "99991231235959Z", "9999-12-31T23:59:59Z"},
        {0x17, "500101000000Z", "1950-01-01T00:00:00Z"},
        {0x17, "261201170839+0100", ""}, /* an offset, which DER does not allow */
        {0x17, "261301170839Z", ""},     /* month 13 */
        {0x17, "2612011708Z39", ""},
        {0x18, "202612011708Z", ""}, /* a GeneralizedTime without seconds */
        {0x0c, "261201170839Z", ""}, /* not a time at all */
    };
    for (size_t index = 0; index < G_N_ELEMENTS(times); index++) {
        validity = make_validity(times[index].identifier, times[index].text, 0x17, "300101000000Z");
        der = make_certificate(issuer, subject, validity, 300);
        certificate = read_certificate(der->data, der->len);
        g_assert_cmpstr(certificate.issuer_cn, ==, "last");
        g_assert_cmpstr(certificate.subject_cn, ==, "");
        g_assert_cmpstr(certificate.not_before, ==, times[index].expected);
        g_assert_cmpstr(certificate.not_after, ==, "2030-01-01T00:00:00Z");
        g_byte_array_unref(der);
        g_byte_array_unref(validity);
    }
    g_byte_array_unref(subject);
    g_byte_array_unref(issuer);
}

/* Lengths that lie, forms DER forbids, tags in the wrong places and random damage: nothing is
 * read out of bounds (the copies are exactly sized), and what is read is well formed. */
static void test_certificate_malformed(void)
{
    static const struct {
        const char *bytes;
        size_t length;
    } cases[] = {
        {"", 0},
        {"\x30", 1},
        {"\x30\x84\xff\xff\xff\xff\x30\x00", 8}, /* a length far beyond the bytes */
        {"\x30\x85\x00\x00\x00\x00\x01\x30", 8}, /* more length octets than DER needs here */
        {"\x30\x80\x30\x00\x00\x00", 6},         /* indefinite length, BER only */
        {"\x3f\x81\x80\x80\x80\x80\x01\x00", 8}, /* a tag number that never ends */
        {"\x3f\x81\x01\x02\x30\x00", 6},         /* a high tag number where a SEQUENCE goes */
        {"\x30\x06\x30\x04\xa0\x02\x02\x05", 8}, /* a version element longer than its parent */
        {"\x30\x05\x30\x03\x02\x01", 6},         /* cut inside the serial number */
        {"\x04\x03\x30\x01\x00", 5},             /* not a SEQUENCE at all */
    };
    for (size_t index = 0; index < G_N_ELEMENTS(cases); index++) {
        OddportTlsCertificate certificate =
            read_certificate((const uint8_t *)cases[index].bytes, cases[index].length);
        g_assert_cmpstr(certificate.subject_cn, ==, "");
        g_assert_false(certificate.self_signed_known);
    }
    GRand *random = g_rand_new_with_seed(5280);
    uint8_t damaged[sizeof leaf_certificate];
    for (int round = 0; round < 20000; round++) {
        memcpy(damaged, leaf_certificate, sizeof damaged);
        for (int flips = g_rand_int_range(random, 1, 5); flips > 0; flips--)
            damaged[g_rand_int_range(random, 0, sizeof damaged)] =
                (uint8_t)g_rand_int_range(random, 0, 256);
        read_certificate(damaged, (size_t)g_rand_int_range(random, 0, sizeof damaged + 1));
    }
    g_rand_free(random);
}

/* A TLS 1.2 server flight: ServerHello, Certificate with `count` certificates, ServerHelloDone. */
static GByteArray *server_flight(const uint8_t *const *certificates, const size_t *lengths,
                                 size_t count, size_t fragment)
{
    GByteArray *messages = server_hello_with(0x0303, 0xc02f, NULL);
    GByteArray *list = g_byte_array_new();
    for (size_t index = 0; index < count; index++) {
        put_be24(list, (unsigned)lengths[index]);
        g_byte_array_append(list, certificates[index], (guint)lengths[index]);
    }
    put_u8(messages, 11);
    put_be24(messages, list->len + 3);
    put_be24(messages, list->len);
    g_byte_array_append(messages, list->data, list->len);
    put_u8(messages, 14);
    put_be24(messages, 0);
    GByteArray *flight = wrap_in_records(messages, 0x0303, fragment);
    g_byte_array_unref(list);
    g_byte_array_unref(messages);
    return flight;
}

/* The details of a flight's first bytes as detection leaves them, ready for the flight reader. */
static OddportTlsInfo detected(const GByteArray *flight)
{
    OddportVerdict verdict;
    OddportTlsInfo info;
    detect(flight->data, flight->len, &verdict, &info);
    g_assert_cmpint(verdict.match, ==, ODDPORT_MATCH_YES);
    return info;
}

/* Runs the flight reader on an exactly sized copy of the first `length` bytes. */
static bool read_flight(const GByteArray *flight, size_t length, bool final, OddportTlsInfo *info)
{
    uint8_t *copy = g_memdup2(flight->data, length);
    bool done = oddport_tls_read_server_flight(copy, length, final, info);
    g_free(copy);
    return done;
}

static void test_server_flight(void)
{
    static const uint8_t *const chain[] = {leaf_certificate, test_ca_certificate};
    static const size_t chain_lengths[] = {sizeof leaf_certificate, sizeof test_ca_certificate};
    for (size_t fragment = 40; fragment <= 16384; fragment *= 4) {
        GByteArray *flight = server_flight(chain, chain_lengths, 2, fragment);
        OddportTlsInfo info = detected(flight);
        /* Until the first certificate is all there, the reader asks for more. */
        size_t needed = 0;
        for (size_t length = 1; length <= flight->len; length++) {
            OddportTlsInfo copy = info;
            if (read_flight(flight, length, false, &copy)) {
                needed = length;
                g_assert_cmpstr(copy.certificate.subject_cn, ==, LEAF_CN);
                g_assert_false(copy.certificate.truncated);
                break;
            }
            g_assert_false(copy.certificate.present);
            /* Told that nothing more comes, it reads what there is. */
            copy = info;
            g_assert_true(read_flight(flight, length, true, &copy));
            if (copy.certificate.present)
                g_assert_true(copy.certificate.truncated);
        }
        g_assert_cmpuint(needed, >, 0);
        g_assert_cmpuint(needed, <, flight->len);
        g_byte_array_unref(flight);
    }

    /* TLS 1.3: the certificate is encrypted, so there is nothing to wait for. */
    OddportTlsInfo info = detected(
        &(GByteArray){(guint8 *)openssl_tls13_server_flight, sizeof openssl_tls13_server_flight});
    g_assert_true(
        read_flight(&(GByteArray){(guint8 *)openssl_tls13_server_flight, 9}, 9, false, &info));
    g_assert_false(info.certificate.present);

    /* No certificate (an empty list, or ServerHelloDone next), a resumption (ChangeCipherSpec
     * next), lengths that disagree: done, without one. */
    GByteArray *flight = server_flight(NULL, NULL, 0, 16384);
    info = detected(flight);
    g_assert_true(read_flight(flight, flight->len, false, &info));
    g_assert_false(info.certificate.present);
    g_byte_array_unref(flight);
    GByteArray *message = server_hello_with(0x0303, 0xc02f, NULL);
    put_u8(message, 14);
    put_be24(message, 0);
    flight = wrap_in_records(message, 0x0303, 16384);
    info = detected(flight);
    g_assert_true(read_flight(flight, flight->len, false, &info));
    g_assert_false(info.certificate.present);
    g_byte_array_unref(flight);
    flight = wrap_in_records(message, 0x0303, 16384);
    g_byte_array_set_size(flight, flight->len - 4);
    put_record(flight, 20, 0x0303, 1);
    info = detected(flight);
    g_assert_true(read_flight(flight, flight->len, false, &info));
    g_assert_false(info.certificate.present);
    g_byte_array_unref(flight);
    g_byte_array_unref(message);
    static const uint8_t *const self[] = {self_signed_certificate};
    static const size_t self_length[] = {sizeof self_signed_certificate};
    flight = server_flight(self, self_length, 1, 16384);
    /* The first certificate's length, after the record header, the 42-byte ServerHello, the
     * Certificate message's header and the list's length, made longer than the list. */
    flight->data[5 + 42 + 4 + 3 + 1] ^= 0x40;
    info = detected(flight);
    g_assert_true(read_flight(flight, flight->len, true, &info));
    g_assert_false(info.certificate.present);
    g_byte_array_unref(flight);
}

/* Through a flow's side, as the engine and the plugin feed it: the flight in small segments, and
 * a first certificate longer than the side keeps, cut there and said to be. */
static void test_certificate_through_side(void)
{
    static const uint8_t *const self[] = {self_signed_certificate};
    static const size_t self_length[] = {sizeof self_signed_certificate};
    for (size_t segment = 7; segment <= 1500; segment += 211) {
        GByteArray *flight = server_flight(self, self_length, 1, 1000);
        OddportSide side;
        oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
        oddport_side_set_start(&side, 1000);
        for (size_t offset = 0; offset < flight->len; offset += segment) {
            size_t length = MIN(segment, flight->len - offset);
            uint8_t *copy = g_memdup2(flight->data + offset, length);
            oddport_side_feed_segment(&side, 1000 + (uint32_t)offset, copy, length);
            g_free(copy);
        }
        oddport_side_finish(&side);
        const OddportTlsInfo *info = oddport_tls_details(side.result);
        g_assert_nonnull(info);
        g_assert_true(info->certificate.present);
        g_assert_false(info->certificate.truncated);
        g_assert_cmpstr(info->certificate.subject_cn, ==, SELF_SIGNED_CN);
        g_assert_true(info->certificate.self_signed);
        g_assert_false(side.reading_later_details);
        oddport_side_clear(&side);
        g_byte_array_unref(flight);
    }

    static const NameAttribute name[] = {{true, 0x0c, "big.example", 11}};
    GByteArray *issuer = make_name(name, 1);
    GByteArray *validity = make_validity(0x17, "250101000000Z", 0x17, "350101000000Z");
    GByteArray *big = make_certificate(issuer, issuer, validity, 9000);
    const uint8_t *const big_list[] = {big->data};
    const size_t big_length[] = {big->len};
    GByteArray *flight = server_flight(big_list, big_length, 1, 16384);
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    for (size_t offset = 0; offset < flight->len; offset += 1448)
        oddport_side_feed_segment(&side, (uint32_t)offset, flight->data + offset,
                                  MIN(1448, flight->len - offset));
    /* The stream limit ends the reading before the flow does. */
    g_assert_false(side.reading_later_details);
    const OddportTlsInfo *info = oddport_tls_details(side.result);
    g_assert_true(info->certificate.truncated);
    g_assert_cmpstr(info->certificate.subject_cn, ==, "big.example");
    g_assert_cmpstr(info->certificate.not_after, ==, "2035-01-01T00:00:00Z");
    g_assert_true(info->certificate.self_signed);
    oddport_side_finish(&side);
    oddport_side_clear(&side);
    g_byte_array_unref(flight);
    g_byte_array_unref(big);
    g_byte_array_unref(validity);
    g_byte_array_unref(issuer);
}

/* The line for people, from the protocol's description. */
static void test_summary(void)
{
    const OddportProtocol *tls = oddport_protocol(ODDPORT_APP_TLS);
    OddportSideResult *client = g_new0(OddportSideResult, 1);
    OddportSideResult *server = g_new0(OddportSideResult, 1);
    client->app = ODDPORT_APP_TLS;
    server->app = ODDPORT_APP_TLS;
    OddportTlsInfo *offered = (OddportTlsInfo *)client->details.bytes;
    OddportTlsInfo *chosen = (OddportTlsInfo *)server->details.bytes;
    OddportVerdict verdict;
    oddport_detect_tls(curl_client_hello, sizeof curl_client_hello, &verdict, offered);
    static const uint8_t *const chain[] = {leaf_certificate};
    static const size_t chain_lengths[] = {sizeof leaf_certificate};
    GByteArray *flight = server_flight(chain, chain_lengths, 1, 16384);
    oddport_detect_tls(flight->data, flight->len, &verdict, chosen);
    g_assert_true(tls->read_later_details(flight->data, flight->len, false, chosen));
    char text[512];
    oddport_protocol_summarise(ODDPORT_APP_TLS, client, server, text, sizeof text);
    g_autofree char *expected = g_strdup_printf(
        "ja4 t13d3112h2_e8f1e7e78f70_b26ce05bbdd6, ja3 0149f47eabf9a20d0893e2a44e5a6323, ja3s %s; "
        "cert CN=" LEAF_CN " issued by CN=" TEST_CA_CN,
        chosen->ja3);
    g_assert_cmpstr(text, ==, expected);

    /* Self-signed and cut short; the client alone; nothing; a text cut to its room. */
    chosen->certificate.self_signed = true;
    chosen->certificate.truncated = true;
    oddport_protocol_summarise(ODDPORT_APP_TLS, NULL, server, text, sizeof text);
    g_autofree char *server_only =
        g_strdup_printf("ja3s %s; cert CN=" LEAF_CN " (self-signed) (cut short)", chosen->ja3);
    g_assert_cmpstr(text, ==, server_only);
    oddport_protocol_summarise(ODDPORT_APP_TLS, client, NULL, text, sizeof text);
    g_assert_cmpstr(
        text, ==, "ja4 t13d3112h2_e8f1e7e78f70_b26ce05bbdd6, ja3 0149f47eabf9a20d0893e2a44e5a6323");
    oddport_protocol_summarise(ODDPORT_APP_TLS, NULL, NULL, text, sizeof text);
    g_assert_cmpstr(text, ==, "");
    oddport_protocol_summarise(ODDPORT_APP_TLS, client, server, text, 10);
    g_assert_cmpstr(text, ==, "ja4 t13d3");
    g_byte_array_unref(flight);
    g_free(client);
    g_free(server);
}

/* Every first byte: only a record's content type (20 to 23) or an SSLv2-style length (high bit
 * set) can open TLS, and a refusal leaves the caller's info cleared, however it was refused. */
static void test_every_first_byte(void)
{
    for (unsigned first = 0; first < 256; first++) {
        const uint8_t bytes[] = {(uint8_t)first, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00};
        OddportVerdict verdict;
        OddportTlsInfo info;
        memset(&info, 0xaa, sizeof info);
        OddportMatch match = oddport_detect_tls(bytes, sizeof bytes, &verdict, &info);
        g_assert_cmpint(match, ==, verdict.match);
        bool may_open = (first >= 20 && first <= 23) || first >= 0x80;
        if (!may_open) {
            g_assert_cmpint(match, ==, ODDPORT_MATCH_NO);
            g_assert_cmpstr(verdict.evidence, ==, "not a TLS record type");
        } else {
            g_assert_cmpstr(verdict.evidence, !=, "not a TLS record type");
        }
        if (match == ODDPORT_MATCH_NO) {
            OddportTlsInfo empty;
            memset(&empty, 0, sizeof empty);
            g_assert_true(memcmp(&info, &empty, sizeof info) == 0);
        }
        /* The same answer without info. */
        g_assert_cmpint(oddport_detect_tls(bytes, sizeof bytes, NULL, NULL), ==, match);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/detect/tls/curl-client-hello", test_curl_client_hello);
    g_test_add_func("/detect/tls/every-prefix", test_every_prefix);
    g_test_add_func("/detect/tls/every-first-byte", test_every_first_byte);
    g_test_add_func("/detect/tls/split-hello", test_split_hello);
    g_test_add_func("/detect/tls/split-hello-broken-continuation",
                    test_split_hello_broken_continuation);
    g_test_add_func("/detect/tls/tls12-client-hello", test_tls12_client_hello);
    g_test_add_func("/detect/tls/server-hellos", test_server_hellos);
    g_test_add_func("/detect/tls/grease-and-supported-versions",
                    test_grease_and_supported_versions);
    g_test_add_func("/detect/tls/alpn-list", test_alpn_list);
    g_test_add_func("/detect/tls/sni-text", test_sni_text);
    g_test_add_func("/detect/tls/old-hellos", test_old_hellos);
    g_test_add_func("/detect/tls/malformed-lengths", test_malformed_lengths);
    g_test_add_func("/detect/tls/malformed-extension-contents", test_malformed_extension_contents);
    g_test_add_func("/detect/tls/large-hello", test_large_hello);
    g_test_add_func("/detect/tls/sslv2-hello", test_sslv2_hello);
    g_test_add_func("/detect/tls/dtls-rejected", test_dtls_rejected);
    g_test_add_func("/detect/tls/midstream", test_midstream);
    g_test_add_func("/detect/tls/not-tls", test_not_tls);
    g_test_add_func("/detect/tls/version-names", test_version_names);
    g_test_add_func("/detect/tls/null-info", test_null_info);
    g_test_add_func("/detect/tls/random-bytes", test_random_bytes);
    g_test_add_func("/detect/tls/recorded-fingerprints", test_recorded_fingerprints);
    g_test_add_func("/detect/tls/published-examples", test_published_examples);
    g_test_add_func("/detect/tls/fingerprint-edges", test_fingerprint_edges);
    g_test_add_func("/detect/tls/ja4-alpn", test_ja4_alpn);
    g_test_add_func("/detect/tls/fingerprints-need-whole-hello",
                    test_fingerprints_need_whole_hello);
    g_test_add_func("/detect/tls/fingerprints-remembered", test_fingerprints_remembered);
    g_test_add_func("/detect/tls/warning-alert-before-hello", test_warning_alert_before_hello);
    g_test_add_func("/detect/tls/certificate-fields", test_certificate_fields);
    g_test_add_func("/detect/tls/certificate-cut", test_certificate_cut);
    g_test_add_func("/detect/tls/certificate-names-and-times", test_certificate_names_and_times);
    g_test_add_func("/detect/tls/certificate-malformed", test_certificate_malformed);
    g_test_add_func("/detect/tls/server-flight", test_server_flight);
    g_test_add_func("/detect/tls/certificate-through-side", test_certificate_through_side);
    g_test_add_func("/detect/tls/summary", test_summary);
    return g_test_run();
}
