/* Unit tests for oddport's MD5, SHA-1 and SHA-256: published vectors, and GLib's GChecksum as a
 * second opinion over every length that crosses the padding boundaries. */
#include <string.h>

#include <glib.h>

#include "internal/digest.h"

typedef enum { DIGEST_MD5, DIGEST_SHA1, DIGEST_SHA256 } DigestKind;

static const struct {
    DigestKind kind;
    size_t size;
    GChecksumType glib_type;
} digests[] = {
    {DIGEST_MD5, ODDPORT_MD5_SIZE, G_CHECKSUM_MD5},
    {DIGEST_SHA1, ODDPORT_SHA1_SIZE, G_CHECKSUM_SHA1},
    {DIGEST_SHA256, ODDPORT_SHA256_SIZE, G_CHECKSUM_SHA256},
};

/* Hashes `length` bytes fed in pieces of `piece` bytes (0: all at once) and returns lowercase
 * hexadecimal, owned by the caller. */
static char *digest_hex(DigestKind kind, const uint8_t *bytes, size_t length, size_t piece)
{
    uint8_t digest[ODDPORT_SHA256_SIZE];
    size_t size = 0;
    OddportMd5 md5;
    OddportSha1 sha1;
    OddportSha256 sha256;
    if (kind == DIGEST_MD5)
        oddport_md5_init(&md5);
    else if (kind == DIGEST_SHA1)
        oddport_sha1_init(&sha1);
    else
        oddport_sha256_init(&sha256);
    size_t step = piece == 0 ? MAX(length, 1) : piece;
    for (size_t offset = 0; offset < length; offset += step) {
        size_t count = MIN(step, length - offset);
        if (kind == DIGEST_MD5)
            oddport_md5_update(&md5, bytes + offset, count);
        else if (kind == DIGEST_SHA1)
            oddport_sha1_update(&sha1, bytes + offset, count);
        else
            oddport_sha256_update(&sha256, bytes + offset, count);
    }
    if (kind == DIGEST_MD5) {
        oddport_md5_finish(&md5, digest);
        size = ODDPORT_MD5_SIZE;
    } else if (kind == DIGEST_SHA1) {
        oddport_sha1_finish(&sha1, digest);
        size = ODDPORT_SHA1_SIZE;
    } else {
        oddport_sha256_finish(&sha256, digest);
        size = ODDPORT_SHA256_SIZE;
    }
    char *text = g_malloc(2 * size + 1);
    oddport_digest_to_hex(digest, size, 2 * size, text);
    return text;
}

static void check_vector(DigestKind kind, const char *message, const char *expected)
{
    char *text = digest_hex(kind, (const uint8_t *)message, strlen(message), 0);
    g_assert_cmpstr(text, ==, expected);
    g_free(text);
}

/* RFC 1321 appendix A.5. */
static void test_md5_vectors(void)
{
    check_vector(DIGEST_MD5, "", "d41d8cd98f00b204e9800998ecf8427e");
    check_vector(DIGEST_MD5, "a", "0cc175b9c0f1b6a831c399e269772661");
    check_vector(DIGEST_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72");
    check_vector(DIGEST_MD5, "message digest", "f96b697d7cb7938d525a2f31aaf161d0");
    check_vector(DIGEST_MD5,
                 "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                 "57edf4a22be3c955ac49da2e2107b67a");
}

/* FIPS 180-2 appendix A and B examples. */
static void test_sha_vectors(void)
{
    check_vector(DIGEST_SHA1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    check_vector(DIGEST_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d");
    check_vector(DIGEST_SHA1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                 "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    check_vector(DIGEST_SHA256, "",
                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_vector(DIGEST_SHA256, "abc",
                 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_vector(DIGEST_SHA256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* Every length from 0 to 300 bytes (one to five blocks, each padding case), fed whole and in
 * pieces of 1, 7 and 63 bytes, against GChecksum. */
static void test_against_glib(void)
{
    uint8_t message[300];
    for (size_t index = 0; index < sizeof message; index++)
        message[index] = (uint8_t)(index * 131 + 17);
    static const size_t pieces[] = {0, 1, 7, 63};
    for (size_t which = 0; which < G_N_ELEMENTS(digests); which++) {
        for (size_t length = 0; length <= sizeof message; length++) {
            char *expected = g_compute_checksum_for_data(digests[which].glib_type, message, length);
            for (size_t piece = 0; piece < G_N_ELEMENTS(pieces); piece++) {
                char *text = digest_hex(digests[which].kind, message, length, pieces[piece]);
                g_assert_cmpstr(text, ==, expected);
                g_free(text);
            }
            g_free(expected);
        }
    }
}

/* Where the processor has SHA extensions, they and the portable steps agree on random states and
 * blocks (the published vectors and GChecksum above then test the extensions, since SHA-1 uses
 * them; elsewhere they test the portable steps and this is skipped). */
static void test_sha1_both_ways(void)
{
    if (!oddport_sha1_uses_processor_extensions()) {
        g_test_skip("this processor has no SHA extensions");
        return;
    }
    GRand *random = g_rand_new_with_seed(180);
    for (int round = 0; round < 2000; round++) {
        uint32_t portable[5];
        uint32_t extended[5];
        uint8_t block[64];
        for (int index = 0; index < 5; index++)
            portable[index] = extended[index] = g_rand_int(random);
        for (size_t index = 0; index < sizeof block; index++)
            block[index] = (uint8_t)g_rand_int_range(random, 0, 256);
        oddport_sha1_compress_portable(portable, block);
        oddport_sha1_compress_with_extensions(extended, block);
        g_assert_cmpmem(portable, sizeof portable, extended, sizeof extended);
    }
    g_rand_free(random);
}

static void test_hex_prefix(void)
{
    const uint8_t digest[4] = {0xab, 0xcd, 0x01, 0x2f};
    char text[9];
    oddport_digest_to_hex(digest, sizeof digest, 3, text);
    g_assert_cmpstr(text, ==, "abc");
    oddport_digest_to_hex(digest, sizeof digest, 8, text);
    g_assert_cmpstr(text, ==, "abcd012f");
    /* Asking for more digits than the digest has writes them all and no more. */
    oddport_digest_to_hex(digest, 2, 8, text);
    g_assert_cmpstr(text, ==, "abcd");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/digest/md5-vectors", test_md5_vectors);
    g_test_add_func("/digest/sha-vectors", test_sha_vectors);
    g_test_add_func("/digest/against-glib", test_against_glib);
    g_test_add_func("/digest/sha1-both-ways", test_sha1_both_ways);
    g_test_add_func("/digest/hex-prefix", test_hex_prefix);
    return g_test_run();
}
