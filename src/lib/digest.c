/* MD5 (RFC 1321), SHA-1 and SHA-256 (FIPS 180-4), written from the specifications. */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "internal/digest.h"

static inline uint32_t rotate_left(uint32_t value, unsigned count)
{
    return value << count | value >> (32 - count);
}

static inline uint32_t rotate_right(uint32_t value, unsigned count)
{
    return value >> count | value << (32 - count);
}

static inline uint32_t load_little_endian(const uint8_t *bytes)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t value;
    memcpy(&value, bytes, sizeof value);
    return value;
#else
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 |
           (uint32_t)bytes[3] << 24;
#endif
}

static inline uint32_t load_big_endian(const uint8_t *bytes)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* One load and one byte swap where the compiler offers it. */
    uint32_t value;
    memcpy(&value, bytes, sizeof value);
    return __builtin_bswap32(value);
#else
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 |
           (uint32_t)bytes[3];
#endif
}

static inline void store_little_endian(uint8_t *bytes, uint32_t value)
{
    bytes[0] = (uint8_t)value;
    bytes[1] = (uint8_t)(value >> 8);
    bytes[2] = (uint8_t)(value >> 16);
    bytes[3] = (uint8_t)(value >> 24);
}

static inline void store_big_endian(uint8_t *bytes, uint32_t value)
{
    bytes[0] = (uint8_t)(value >> 24);
    bytes[1] = (uint8_t)(value >> 16);
    bytes[2] = (uint8_t)(value >> 8);
    bytes[3] = (uint8_t)value;
}

typedef void CompressBlock(uint32_t *state, const uint8_t *block);

/* The buffering all three share: whole 64-byte blocks are compressed straight from the input,
 * and only a partial block is copied into the context. */
static void absorb(uint32_t *state, uint64_t *hashed, uint8_t block[64], CompressBlock *compress,
                   const uint8_t *bytes, size_t length)
{
    size_t buffered = (size_t)(*hashed % 64);
    *hashed += length;
    if (buffered > 0) {
        size_t wanted = 64 - buffered;
        if (length < wanted) {
            memcpy(block + buffered, bytes, length);
            return;
        }
        memcpy(block + buffered, bytes, wanted);
        compress(state, block);
        bytes += wanted;
        length -= wanted;
    }
    for (; length >= 64; bytes += 64, length -= 64)
        compress(state, bytes);
    if (length > 0)
        memcpy(block, bytes, length);
}

/* The padding all three share: a one bit, zeros, and the message length in bits in the last
 * eight bytes, little-endian for MD5 and big-endian for the SHA family. */
static void pad(uint32_t *state, uint64_t hashed, uint8_t block[64], CompressBlock *compress,
                bool little_endian_length)
{
    size_t buffered = (size_t)(hashed % 64);
    block[buffered++] = 0x80;
    if (buffered > 56) {
        memset(block + buffered, 0, 64 - buffered);
        compress(state, block);
        buffered = 0;
    }
    memset(block + buffered, 0, 56 - buffered);
    uint64_t bits = hashed * 8;
    for (unsigned index = 0; index < 8; index++) {
        unsigned shift = little_endian_length ? 8 * index : 8 * (7 - index);
        block[56 + index] = (uint8_t)(bits >> shift);
    }
    compress(state, block);
}

/* MD5's sine-derived constants, floor(|sin(i + 1)| * 2^32), and its rotation amounts. */
static const uint32_t md5_constants[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
/* The message word each step takes: in order, then (5i + 1), (3i + 5) and 7i, all mod 16. */
static const uint8_t md5_word_order[64] = {
    0,  1,  2,  3,  4, 5, 6,  7, 8,  9,  10, 11, 12, 13, 14, 15, 1, 6,  11, 0, 5, 10,
    15, 4,  9,  14, 3, 8, 13, 2, 7,  12, 5,  8,  11, 14, 1,  4,  7, 10, 13, 0, 3, 6,
    9,  12, 15, 2,  0, 7, 14, 5, 12, 3,  10, 1,  8,  15, 6,  13, 4, 11, 2,  9};

/* One step. The variables rotate roles from step to step, so the steps are written in groups of
 * four with the names shifted instead of moving values between variables. */
#define MD5_STEP(mix, a, b, c, d, step, rotation)                                                  \
    (a) = (b) + rotate_left((a) + mix((b), (c), (d)) + md5_constants[step] +                       \
                                words[md5_word_order[step]],                                       \
                            (rotation))
#define MD5_MIX_ROUND1(b, c, d) (((b) & (c)) | (~(b) & (d)))
#define MD5_MIX_ROUND2(b, c, d) (((d) & (b)) | (~(d) & (c)))
#define MD5_MIX_ROUND3(b, c, d) ((b) ^ (c) ^ (d))
#define MD5_MIX_ROUND4(b, c, d) ((c) ^ ((b) | ~(d)))
#define MD5_ROUND(mix, first_step, r0, r1, r2, r3)                                                 \
    _Pragma("GCC unroll 4") for (unsigned step = (first_step); step < (first_step) + 16;           \
                                 step += 4)                                                        \
    {                                                                                              \
        MD5_STEP(mix, a, b, c, d, step, r0);                                                       \
        MD5_STEP(mix, d, a, b, c, step + 1, r1);                                                   \
        MD5_STEP(mix, c, d, a, b, step + 2, r2);                                                   \
        MD5_STEP(mix, b, c, d, a, step + 3, r3);                                                   \
    }

static void md5_compress(uint32_t *state, const uint8_t *block)
{
    uint32_t words[16];
    for (unsigned index = 0; index < 16; index++)
        words[index] = load_little_endian(block + 4 * index);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    MD5_ROUND(MD5_MIX_ROUND1, 0, 7, 12, 17, 22)
    MD5_ROUND(MD5_MIX_ROUND2, 16, 5, 9, 14, 20)
    MD5_ROUND(MD5_MIX_ROUND3, 32, 4, 11, 16, 23)
    MD5_ROUND(MD5_MIX_ROUND4, 48, 6, 10, 15, 21)
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
}

void oddport_md5_init(OddportMd5 *context)
{
    context->state[0] = 0x67452301;
    context->state[1] = 0xefcdab89;
    context->state[2] = 0x98badcfe;
    context->state[3] = 0x10325476;
    context->length = 0;
}

void oddport_md5_update(OddportMd5 *context, const void *bytes, size_t length)
{
    absorb(context->state, &context->length, context->block, md5_compress, bytes, length);
}

void oddport_md5_finish(OddportMd5 *context, uint8_t digest[ODDPORT_MD5_SIZE])
{
    pad(context->state, context->length, context->block, md5_compress, true);
    for (unsigned index = 0; index < 4; index++)
        store_little_endian(digest + 4 * index, context->state[index]);
}

/* One step, with the roles of the five variables shifted from step to step by renaming (see
 * MD5_STEP) rather than by moving values. */
#define SHA1_STEP(mix, constant, a, b, c, d, e, step)                                              \
    do {                                                                                           \
        (e) += rotate_left((a), 5) + mix((b), (c), (d)) + (constant) + words[step];                \
        (b) = rotate_left((b), 30);                                                                \
    } while (0)
#define SHA1_MIX_CHOOSE(b, c, d)   (((b) & (c)) | (~(b) & (d)))
#define SHA1_MIX_PARITY(b, c, d)   ((b) ^ (c) ^ (d))
#define SHA1_MIX_MAJORITY(b, c, d) (((b) & (c)) | ((b) & (d)) | ((c) & (d)))
#define SHA1_ROUND(mix, constant, first_step)                                                      \
    _Pragma("GCC unroll 4") for (unsigned step = (first_step); step < (first_step) + 20;           \
                                 step += 5)                                                        \
    {                                                                                              \
        SHA1_STEP(mix, constant, a, b, c, d, e, step);                                             \
        SHA1_STEP(mix, constant, e, a, b, c, d, step + 1);                                         \
        SHA1_STEP(mix, constant, d, e, a, b, c, step + 2);                                         \
        SHA1_STEP(mix, constant, c, d, e, a, b, step + 3);                                         \
        SHA1_STEP(mix, constant, b, c, d, e, a, step + 4);                                         \
    }

static void sha1_compress(uint32_t *state, const uint8_t *block)
{
    uint32_t words[80];
    for (unsigned index = 0; index < 16; index++)
        words[index] = load_big_endian(block + 4 * index);
#pragma GCC unroll 16
    for (unsigned index = 16; index < 80; index++)
        words[index] = rotate_left(
            words[index - 3] ^ words[index - 8] ^ words[index - 14] ^ words[index - 16], 1);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
    SHA1_ROUND(SHA1_MIX_CHOOSE, 0x5a827999u, 0)
    SHA1_ROUND(SHA1_MIX_PARITY, 0x6ed9eba1u, 20)
    SHA1_ROUND(SHA1_MIX_MAJORITY, 0x8f1bbcdcu, 40)
    SHA1_ROUND(SHA1_MIX_PARITY, 0xca62c1d6u, 60)
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

/* SHA-1 with the x86 SHA extensions (sha1rnds4 does four steps, sha1msg1/sha1msg2 extend the
 * message, sha1nexte derives the next E), where the processor has them: Community ID hashes one
 * block per flow, and its dependent chain of additions is the slowest part of a JSON report
 * that the instruction count does not show. Four 32-bit lanes hold A..D (A in the highest) and
 * the message words, W0 highest. */
#define SHA1_GROUP(function, group)                                                                \
    do {                                                                                           \
        if ((group) >= 4)                                                                          \
            words[(group) % 4] = _mm_sha1msg2_epu32(                                               \
                _mm_xor_si128(_mm_sha1msg1_epu32(words[(group) % 4], words[((group) + 1) % 4]),    \
                              words[((group) + 2) % 4]),                                           \
                words[((group) + 3) % 4]);                                                         \
        __m128i next_e = _mm_sha1nexte_epu32(previous_abcd, words[(group) % 4]);                   \
        previous_abcd = abcd;                                                                      \
        abcd = _mm_sha1rnds4_epu32(abcd, next_e, (function));                                      \
    } while (0)

__attribute__((target("sha,sse4.1,ssse3"))) static void
sha1_compress_extensions(uint32_t *state, const uint8_t *block)
{
    /* Reverses all sixteen bytes: each word becomes big-endian and W0 lands in the top lane. */
    const __m128i reverse = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)state), 0x1b);
    __m128i e = _mm_set_epi32((int)state[4], 0, 0, 0);
    __m128i saved_abcd = abcd;
    __m128i words[4];
    for (unsigned index = 0; index < 4; index++)
        words[index] = _mm_shuffle_epi8(
            _mm_loadu_si128((const __m128i *)(const void *)(block + 16 * index)), reverse);
    /* The first group adds E to its words itself; every later one gets E from sha1nexte. */
    __m128i previous_abcd = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, _mm_add_epi32(e, words[0]), 0);
    SHA1_GROUP(0, 1);
    SHA1_GROUP(0, 2);
    SHA1_GROUP(0, 3);
    SHA1_GROUP(0, 4);
    SHA1_GROUP(1, 5);
    SHA1_GROUP(1, 6);
    SHA1_GROUP(1, 7);
    SHA1_GROUP(1, 8);
    SHA1_GROUP(1, 9);
    SHA1_GROUP(2, 10);
    SHA1_GROUP(2, 11);
    SHA1_GROUP(2, 12);
    SHA1_GROUP(2, 13);
    SHA1_GROUP(2, 14);
    SHA1_GROUP(3, 15);
    SHA1_GROUP(3, 16);
    SHA1_GROUP(3, 17);
    SHA1_GROUP(3, 18);
    SHA1_GROUP(3, 19);
    e = _mm_sha1nexte_epu32(previous_abcd, e);
    abcd = _mm_add_epi32(abcd, saved_abcd);
    _mm_storeu_si128((__m128i *)(void *)state, _mm_shuffle_epi32(abcd, 0x1b));
    state[4] = (uint32_t)_mm_extract_epi32(e, 3);
}

/* CPUID: leaf 7 says SHA (EBX bit 29), leaf 1 SSSE3 (ECX bit 9) and SSE4.1 (ECX bit 19). */
static bool sha1_extensions_available(void)
{
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 9)) || !(ecx & (1u << 19)))
        return false;
    return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & (1u << 29));
}
#else
static void sha1_compress_extensions(uint32_t *state, const uint8_t *block)
{
    sha1_compress(state, block);
}

static bool sha1_extensions_available(void)
{
    return false;
}
#endif

/* Asked once per process: CPUID is slow, and in a virtual machine a trip to the hypervisor. */
bool oddport_sha1_uses_processor_extensions(void)
{
    static gsize answer; /* 0 not asked yet, 1 no, 2 yes */
    if (g_once_init_enter(&answer))
        g_once_init_leave(&answer, sha1_extensions_available() ? 2 : 1);
    return answer == 2;
}

/* The processor's SHA extensions where it has them, the portable steps elsewhere. */
static CompressBlock *sha1_compress_for_this_processor(void)
{
    return oddport_sha1_uses_processor_extensions() ? sha1_compress_extensions : sha1_compress;
}

void oddport_sha1_compress_portable(uint32_t state[5], const uint8_t block[64])
{
    sha1_compress(state, block);
}

void oddport_sha1_compress_with_extensions(uint32_t state[5], const uint8_t block[64])
{
    sha1_compress_extensions(state, block);
}

void oddport_sha1_init(OddportSha1 *context)
{
    context->state[0] = 0x67452301;
    context->state[1] = 0xefcdab89;
    context->state[2] = 0x98badcfe;
    context->state[3] = 0x10325476;
    context->state[4] = 0xc3d2e1f0;
    context->length = 0;
}

void oddport_sha1_update(OddportSha1 *context, const void *bytes, size_t length)
{
    absorb(context->state, &context->length, context->block, sha1_compress_for_this_processor(),
           bytes, length);
}

void oddport_sha1_finish(OddportSha1 *context, uint8_t digest[ODDPORT_SHA1_SIZE])
{
    pad(context->state, context->length, context->block, sha1_compress_for_this_processor(), false);
    for (unsigned index = 0; index < 5; index++)
        store_big_endian(digest + 4 * index, context->state[index]);
}

/* The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t sha256_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* One step, with the eight variables' roles shifted by renaming (see MD5_STEP). */
#define SHA256_STEP(a, b, c, d, e, f, g, h, step)                                                  \
    do {                                                                                           \
        uint32_t first = (h) +                                                                     \
                         (rotate_right((e), 6) ^ rotate_right((e), 11) ^ rotate_right((e), 25)) +  \
                         (((e) & (f)) ^ (~(e) & (g))) + sha256_constants[step] + words[step];      \
        (d) += first;                                                                              \
        (h) = first + (rotate_right((a), 2) ^ rotate_right((a), 13) ^ rotate_right((a), 22)) +     \
              (((a) & (b)) ^ ((a) & (c)) ^ ((b) & (c)));                                           \
    } while (0)

static void sha256_compress(uint32_t *state, const uint8_t *block)
{
    uint32_t words[64];
    for (unsigned index = 0; index < 16; index++)
        words[index] = load_big_endian(block + 4 * index);
#pragma GCC unroll 16
    for (unsigned index = 16; index < 64; index++) {
        uint32_t older = words[index - 15];
        uint32_t newer = words[index - 2];
        uint32_t small_sigma0 = rotate_right(older, 7) ^ rotate_right(older, 18) ^ (older >> 3);
        uint32_t small_sigma1 = rotate_right(newer, 17) ^ rotate_right(newer, 19) ^ (newer >> 10);
        words[index] = small_sigma1 + words[index - 7] + small_sigma0 + words[index - 16];
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
#pragma GCC unroll 8
    for (unsigned step = 0; step < 64; step += 8) {
        SHA256_STEP(a, b, c, d, e, f, g, h, step);
        SHA256_STEP(h, a, b, c, d, e, f, g, step + 1);
        SHA256_STEP(g, h, a, b, c, d, e, f, step + 2);
        SHA256_STEP(f, g, h, a, b, c, d, e, step + 3);
        SHA256_STEP(e, f, g, h, a, b, c, d, step + 4);
        SHA256_STEP(d, e, f, g, h, a, b, c, step + 5);
        SHA256_STEP(c, d, e, f, g, h, a, b, step + 6);
        SHA256_STEP(b, c, d, e, f, g, h, a, step + 7);
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

void oddport_sha256_init(OddportSha256 *context)
{
    /* The first 32 bits of the fractional parts of the square roots of the first 8 primes. */
    static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(context->state, initial, sizeof initial);
    context->length = 0;
}

void oddport_sha256_update(OddportSha256 *context, const void *bytes, size_t length)
{
    absorb(context->state, &context->length, context->block, sha256_compress, bytes, length);
}

void oddport_sha256_finish(OddportSha256 *context, uint8_t digest[ODDPORT_SHA256_SIZE])
{
    pad(context->state, context->length, context->block, sha256_compress, false);
    for (unsigned index = 0; index < 8; index++)
        store_big_endian(digest + 4 * index, context->state[index]);
}

void oddport_digest_to_hex(const uint8_t *digest, size_t size, size_t digits, char *text)
{
    static const char hex_digits[] = "0123456789abcdef";
    if (digits > 2 * size)
        digits = 2 * size;
    for (size_t index = 0; index < digits; index++) {
        uint8_t byte = digest[index / 2];
        text[index] = hex_digits[index % 2 == 0 ? byte >> 4 : byte & 0xf];
    }
    text[digits] = '\0';
}
