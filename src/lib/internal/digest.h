/* MD5, SHA-1 and SHA-256 for fingerprints and Community ID (internal to liboddport). */
#ifndef ODDPORT_DIGEST_H
#define ODDPORT_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fingerprints name these digests (HASSH and JA3 take MD5, Community ID SHA-1, JA4 SHA-256);
 * nothing here is used for security. They are oddport's own rather than GLib's GChecksum because
 * a report hashes every flow: GChecksum allocates per digest and costs twice as many
 * instructions per block, which showed as several percent of a whole run.
 *
 * Each context lives on the caller's stack: init, update any number of times, finish once.
 * Nothing is allocated, so nothing needs freeing. */

enum {
    ODDPORT_MD5_SIZE = 16,
    ODDPORT_SHA1_SIZE = 20,
    ODDPORT_SHA256_SIZE = 32,
};

typedef struct {
    uint32_t state[4];
    uint64_t length; /* bytes hashed so far */
    uint8_t block[64];
} OddportMd5;

typedef struct {
    uint32_t state[5];
    uint64_t length;
    uint8_t block[64];
} OddportSha1;

typedef struct {
    uint32_t state[8];
    uint64_t length;
    uint8_t block[64];
} OddportSha256;

void oddport_md5_init(OddportMd5 *context);
void oddport_md5_update(OddportMd5 *context, const void *bytes, size_t length);
void oddport_md5_finish(OddportMd5 *context, uint8_t digest[ODDPORT_MD5_SIZE]);

void oddport_sha1_init(OddportSha1 *context);
void oddport_sha1_update(OddportSha1 *context, const void *bytes, size_t length);
void oddport_sha1_finish(OddportSha1 *context, uint8_t digest[ODDPORT_SHA1_SIZE]);

void oddport_sha256_init(OddportSha256 *context);
void oddport_sha256_update(OddportSha256 *context, const void *bytes, size_t length);
void oddport_sha256_finish(OddportSha256 *context, uint8_t digest[ODDPORT_SHA256_SIZE]);

/* For the unit tests: whether SHA-1 runs on the processor's SHA extensions here, and each way of
 * compressing one 64-byte block on its own (the second only where the first says yes). */
bool oddport_sha1_uses_processor_extensions(void);
void oddport_sha1_compress_portable(uint32_t state[5], const uint8_t block[64]);
void oddport_sha1_compress_with_extensions(uint32_t state[5], const uint8_t block[64]);

/* Writes the first `digits` lowercase hexadecimal digits of `digest` (at most 2 * size) and a NUL
 * into `text`, which holds at least digits + 1 bytes. */
void oddport_digest_to_hex(const uint8_t *digest, size_t size, size_t digits, char *text);

#endif
