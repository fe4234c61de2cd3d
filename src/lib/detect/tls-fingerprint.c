/* JA3 and JA3S as Wireshark 4.0 computes them and JA4 as Wireshark 4.6 does, from whole hellos. */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "internal/decimal.h"
#include "internal/digest.h"
#include "internal/hash.h"
#include "tls-fingerprint.h"

enum {
    EXTENSION_SERVER_NAME = 0,
    EXTENSION_SUPPORTED_GROUPS = 10,
    EXTENSION_EC_POINT_FORMATS = 11,
    EXTENSION_SIGNATURE_ALGORITHMS = 13,
    EXTENSION_ALPN = 16,
    EXTENSION_SUPPORTED_VERSIONS = 43,
};

#define JA4_HASH_DIGITS 12
#define JA4_COUNT_MAX   99

/* The text a fingerprint hashes, handed to the digest as it is written: a hello of thousands of
 * cipher suites needs no buffer of its own size, and the digest buffers its own block. */
typedef enum { DIGEST_MD5, DIGEST_SHA256 } DigestKind;

typedef struct {
    DigestKind kind;
    union {
        OddportMd5 md5;
        OddportSha256 sha256;
    } context;
} DigestText;

static void digest_text_init(DigestText *text, DigestKind kind)
{
    text->kind = kind;
    if (kind == DIGEST_MD5)
        oddport_md5_init(&text->context.md5);
    else
        oddport_sha256_init(&text->context.sha256);
}

static void digest_text_append(DigestText *text, const char *characters, size_t length)
{
    if (text->kind == DIGEST_MD5)
        oddport_md5_update(&text->context.md5, characters, length);
    else
        oddport_sha256_update(&text->context.sha256, characters, length);
}

static void digest_text_character(DigestText *text, char character)
{
    digest_text_append(text, &character, 1);
}

/* Decimal without printf: a hello holds dozens of numbers. */
static void digest_text_decimal(DigestText *text, unsigned value)
{
    char digits[ODDPORT_DECIMAL_MAX];
    digest_text_append(text, digits, oddport_decimal_write(value, digits));
}

static const char hex_digits[] = "0123456789abcdef";

/* Four lowercase hexadecimal digits, as JA4 writes every value. */
static void digest_text_hex16(DigestText *text, uint16_t value)
{
    char digits[4] = {hex_digits[value >> 12], hex_digits[(value >> 8) & 0xf],
                      hex_digits[(value >> 4) & 0xf], hex_digits[value & 0xf]};
    digest_text_append(text, digits, sizeof digits);
}

/* Writes the first `digits` lowercase hexadecimal digits of the digest and a NUL into `out`. */
static void digest_text_finish(DigestText *text, char *out, size_t digits)
{
    uint8_t digest[ODDPORT_SHA256_SIZE];
    if (text->kind == DIGEST_MD5) {
        oddport_md5_finish(&text->context.md5, digest);
        oddport_digest_to_hex(digest, ODDPORT_MD5_SIZE, digits, out);
    } else {
        oddport_sha256_finish(&text->context.sha256, digest);
        oddport_digest_to_hex(digest, ODDPORT_SHA256_SIZE, digits, out);
    }
}

/* 16-bit values of a hello: a fixed array holds the few dozen a client sends, the heap more. */
typedef struct {
    uint16_t *values;
    size_t count;
    size_t capacity;
    uint16_t local[64];
} ValueList;

static void value_list_init(ValueList *list)
{
    list->values = list->local;
    list->count = 0;
    list->capacity = G_N_ELEMENTS(list->local);
}

static void value_list_add(ValueList *list, uint16_t value)
{
    if (list->count == list->capacity) {
        uint16_t *grown = g_new(uint16_t, list->capacity * 2);
        memcpy(grown, list->values, list->count * sizeof *grown);
        if (list->values != list->local)
            g_free(list->values);
        list->values = grown;
        list->capacity *= 2;
    }
    list->values[list->count++] = value;
}

static void value_list_clear(ValueList *list)
{
    if (list->values != list->local)
        g_free(list->values);
    value_list_init(list);
}

static int compare_values(const void *one, const void *other)
{
    uint16_t first = *(const uint16_t *)one;
    uint16_t second = *(const uint16_t *)other;
    return (first > second) - (first < second);
}

static void value_list_sort(ValueList *list)
{
    if (list->count > G_N_ELEMENTS(list->local)) {
        qsort(list->values, list->count, sizeof *list->values, compare_values);
        return;
    }
    /* A few dozen values, mostly in order already: insertion sort beats qsort's calls. */
    for (size_t index = 1; index < list->count; index++) {
        uint16_t value = list->values[index];
        size_t place = index;
        while (place > 0 && list->values[place - 1] > value) {
            list->values[place] = list->values[place - 1];
            place--;
        }
        list->values[place] = value;
    }
}

/* The values comma-separated in JA4's four-digit hexadecimal. */
static void digest_text_hex_list(DigestText *text, const ValueList *list)
{
    for (size_t index = 0; index < list->count; index++) {
        if (index > 0)
            digest_text_character(text, ',');
        digest_text_hex16(text, list->values[index]);
    }
}

/* One extension as Wireshark's loop over an extension block sees it: it stops when fewer than
 * four bytes are left, and takes an extension that claims more than the block holds as the last
 * one, without reading its data. */
typedef struct {
    uint16_t type;
    bool overruns;
    OddportCursor data;
    /* From the first byte of its data to the end of the block: Wireshark reads on past an
     * extension whose own length is too short for what it holds (ec_point_formats). */
    OddportCursor onwards;
} Extension;

static bool next_extension(OddportCursor *block, Extension *extension)
{
    uint16_t length;
    if (block->left < 4 || !oddport_cursor_be16(block, &extension->type) ||
        !oddport_cursor_be16(block, &length))
        return false;
    extension->onwards = *block;
    extension->overruns = length > block->left;
    if (extension->overruns) {
        extension->data = oddport_cursor_make(NULL, 0);
        oddport_cursor_skip(block, block->left);
        return true;
    }
    oddport_cursor_sub(block, length, &extension->data);
    return true;
}

/* A vector with a `width`-byte length that Wireshark accepts: at least `minimum` long, and
 * inside the extension. */
static bool take_vector(OddportCursor *data, unsigned width, size_t minimum, OddportCursor *vector)
{
    size_t length;
    if (width == 1) {
        uint8_t short_length;
        if (!oddport_cursor_u8(data, &short_length))
            return false;
        length = short_length;
    } else {
        uint16_t long_length;
        if (!oddport_cursor_be16(data, &long_length))
            return false;
        length = long_length;
    }
    return length >= minimum && oddport_cursor_sub(data, length, vector);
}

/* What a hello's fingerprints depend on and nothing else (not its random, key shares or server
 * name), in a compact form of oddport's own that the fingerprints are computed from. Two hellos
 * with the same ingredients have the same fingerprints, which is what makes the memo below
 * exact. */
typedef struct {
    uint8_t *bytes;
    size_t length;
    size_t capacity;
    uint8_t local[384];
} Ingredients;

/* How an extension's entry in the ingredients goes on after its type. */
typedef enum {
    ENTRY_PLAIN,           /* nothing a fingerprint reads */
    ENTRY_OVERRUN,         /* claims more than the block holds: the last, its data unread */
    ENTRY_GROUPS,          /* valid, then a 2-byte length and the values to the extension's end */
    ENTRY_POINT_FORMATS,   /* readable, then a 1-byte count and that many formats */
    ENTRY_SIGNATURES,      /* valid, then a 2-byte length and the list */
    ENTRY_VERSIONS,        /* valid, then a 1-byte length and the list */
    ENTRY_FIRST_ALPN_NAME, /* the first ALPN extension: valid, a 1-byte length and its first name */
} EntryKind;

/* The first byte of the ingredients: which hello they come from. */
enum { FROM_CLIENT_HELLO = 1, FROM_SERVER_HELLO = 2 };

static void ingredients_init(Ingredients *ingredients)
{
    ingredients->bytes = ingredients->local;
    ingredients->length = 0;
    ingredients->capacity = sizeof ingredients->local;
}

static void ingredients_clear(Ingredients *ingredients)
{
    if (ingredients->bytes != ingredients->local)
        g_free(ingredients->bytes);
    ingredients_init(ingredients);
}

/* Makes room for `more` bytes. */
static void ingredients_reserve(Ingredients *ingredients, size_t more)
{
    if (ingredients->length + more <= ingredients->capacity)
        return;
    size_t capacity = MAX(ingredients->capacity * 2, ingredients->length + more);
    uint8_t *grown = g_malloc(capacity);
    memcpy(grown, ingredients->bytes, ingredients->length);
    if (ingredients->bytes != ingredients->local)
        g_free(ingredients->bytes);
    ingredients->bytes = grown;
    ingredients->capacity = capacity;
}

static void ingredients_append(Ingredients *ingredients, const uint8_t *bytes, size_t length)
{
    ingredients_reserve(ingredients, length);
    if (length > 0)
        memcpy(ingredients->bytes + ingredients->length, bytes, length);
    ingredients->length += length;
}

/* Single bytes and pairs are most of what is written: stored directly, without a call. */
static inline void ingredients_u8(Ingredients *ingredients, unsigned value)
{
    ingredients_reserve(ingredients, 1);
    ingredients->bytes[ingredients->length++] = (uint8_t)value;
}

static inline void ingredients_be16(Ingredients *ingredients, unsigned value)
{
    ingredients_reserve(ingredients, 2);
    ingredients->bytes[ingredients->length++] = (uint8_t)(value >> 8);
    ingredients->bytes[ingredients->length++] = (uint8_t)value;
}

/* The bytes of `cursor` after a `width`-byte length; `cursor` itself is not moved. */
static void ingredients_vector(Ingredients *ingredients, unsigned width, OddportCursor cursor)
{
    size_t length = cursor.left;
    if (width == 1)
        ingredients_u8(ingredients, (unsigned)length);
    else
        ingredients_be16(ingredients, (unsigned)length);
    const uint8_t *bytes;
    if (oddport_cursor_bytes(&cursor, length, &bytes))
        ingredients_append(ingredients, bytes, length);
}

/* A ClientHello's parts that the fingerprints read. */
typedef struct {
    uint16_t legacy_version;
    OddportCursor cipher_suites;
    bool has_extension_block;
    OddportCursor extensions;
} ClientHelloParts;

static bool split_client_hello(OddportCursor body, ClientHelloParts *hello)
{
    uint8_t session_id_length;
    uint16_t cipher_suites_length;
    uint8_t compression_methods_length;
    uint16_t extensions_length;
    if (!oddport_cursor_be16(&body, &hello->legacy_version) || !oddport_cursor_skip(&body, 32) ||
        !oddport_cursor_u8(&body, &session_id_length) ||
        !oddport_cursor_skip(&body, session_id_length) ||
        !oddport_cursor_be16(&body, &cipher_suites_length) ||
        !oddport_cursor_sub(&body, cipher_suites_length, &hello->cipher_suites) ||
        !oddport_cursor_u8(&body, &compression_methods_length) ||
        !oddport_cursor_skip(&body, compression_methods_length))
        return false;
    hello->has_extension_block = body.left > 0;
    hello->extensions = oddport_cursor_make(NULL, 0);
    if (!hello->has_extension_block)
        return true;
    return oddport_cursor_be16(&body, &extensions_length) &&
           oddport_cursor_sub(&body, extensions_length, &hello->extensions);
}

/* Reads a ClientHello the way Wireshark does for its fingerprints (see write_ja3 and write_ja4)
 * and keeps what it read. */
static void collect_client_ingredients(const ClientHelloParts *hello, Ingredients *ingredients)
{
    ingredients_u8(ingredients, FROM_CLIENT_HELLO);
    ingredients_be16(ingredients, hello->legacy_version);
    ingredients_u8(ingredients, hello->has_extension_block);
    ingredients_vector(ingredients, 2, hello->cipher_suites);
    bool alpn_seen = false;
    Extension extension;
    OddportCursor block = hello->extensions;
    while (next_extension(&block, &extension)) {
        ingredients_be16(ingredients, extension.type);
        OddportCursor checked = extension.data;
        OddportCursor list;
        OddportCursor name;
        uint8_t count = 0;
        bool valid;
        if (extension.overruns) {
            ingredients_u8(ingredients, ENTRY_OVERRUN);
            continue;
        }
        switch (extension.type) {
        case EXTENSION_SUPPORTED_GROUPS:
            /* The list's own length only has to fit: the values run to the extension's end. */
            valid = take_vector(&checked, 2, 2, &list);
            ingredients_u8(ingredients, ENTRY_GROUPS);
            ingredients_u8(ingredients, valid);
            if (valid) {
                OddportCursor values = extension.data;
                oddport_cursor_skip(&values, 2);
                ingredients_vector(ingredients, 2, values);
            }
            break;
        case EXTENSION_EC_POINT_FORMATS: {
            /* As many bytes as the count says, from the extension's first byte on. */
            OddportCursor formats = extension.onwards;
            valid = oddport_cursor_u8(&formats, &count) && formats.left >= count;
            ingredients_u8(ingredients, ENTRY_POINT_FORMATS);
            ingredients_u8(ingredients, valid);
            if (valid)
                ingredients_vector(ingredients, 1, oddport_cursor_make(formats.data, count));
            break;
        }
        case EXTENSION_SIGNATURE_ALGORITHMS:
            valid = take_vector(&checked, 2, 2, &list);
            ingredients_u8(ingredients, ENTRY_SIGNATURES);
            ingredients_u8(ingredients, valid);
            if (valid)
                ingredients_vector(ingredients, 2, list);
            break;
        case EXTENSION_SUPPORTED_VERSIONS:
            valid = take_vector(&checked, 1, 2, &list);
            ingredients_u8(ingredients, ENTRY_VERSIONS);
            ingredients_u8(ingredients, valid);
            if (valid)
                ingredients_vector(ingredients, 1, list);
            break;
        case EXTENSION_ALPN:
            if (alpn_seen) {
                ingredients_u8(ingredients, ENTRY_PLAIN);
                break;
            }
            alpn_seen = true;
            valid = take_vector(&checked, 2, 2, &list) && take_vector(&list, 1, 1, &name);
            ingredients_u8(ingredients, ENTRY_FIRST_ALPN_NAME);
            ingredients_u8(ingredients, valid);
            if (valid)
                ingredients_vector(ingredients, 1, name);
            break;
        default:
            ingredients_u8(ingredients, ENTRY_PLAIN);
            break;
        }
    }
}

/* One extension's entry, read back from the ingredients. */
typedef struct {
    uint16_t type;
    uint8_t kind;
    bool valid;
    OddportCursor values; /* what follows the length, for the kinds that have one */
} Entry;

/* The ingredients are oddport's own, but they are still read through the cursor. */
static bool next_entry(OddportCursor *entries, Entry *entry)
{
    uint8_t valid = 0;
    if (!oddport_cursor_be16(entries, &entry->type) || !oddport_cursor_u8(entries, &entry->kind))
        return false;
    entry->valid = false;
    entry->values = oddport_cursor_make(NULL, 0);
    if (entry->kind == ENTRY_PLAIN || entry->kind == ENTRY_OVERRUN)
        return true;
    if (!oddport_cursor_u8(entries, &valid))
        return false;
    entry->valid = valid != 0;
    if (!entry->valid)
        return true;
    unsigned width = entry->kind == ENTRY_GROUPS || entry->kind == ENTRY_SIGNATURES ? 2 : 1;
    return take_vector(entries, width, 0, &entry->values);
}

/* The start of a ClientHello's ingredients. */
typedef struct {
    uint16_t legacy_version;
    OddportCursor cipher_suites;
    OddportCursor entries;
} ClientIngredients;

static bool open_client_ingredients(const Ingredients *ingredients, ClientIngredients *client)
{
    OddportCursor record = oddport_cursor_make(ingredients->bytes, ingredients->length);
    uint8_t source;
    uint8_t has_extension_block;
    if (!oddport_cursor_u8(&record, &source) || source != FROM_CLIENT_HELLO ||
        !oddport_cursor_be16(&record, &client->legacy_version) ||
        !oddport_cursor_u8(&record, &has_extension_block) ||
        !take_vector(&record, 2, 0, &client->cipher_suites))
        return false;
    client->entries = record;
    return true;
}

/* Appends a value to a dash-separated JA3 list, `first` telling whether it opens the list. */
static void ja3_item(DigestText *text, bool *first, unsigned value)
{
    if (!*first)
        digest_text_character(text, '-');
    *first = false;
    digest_text_decimal(text, value);
}

/* "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats", GREASE left out of
 * all but the point formats, which are bytes. Like Wireshark 4.0: the groups and point formats
 * of each such extension are a field of their own (a hello that repeats one has more than five
 * fields); supported_groups values run to the end of the extension, whatever its list length
 * says; point formats are as many bytes as their count says, read on past the extension; and a
 * hello with an extension longer than its block, or point formats running past the hello, has no
 * JA3. */
static void write_ja3(const Ingredients *ingredients, char ja3[ODDPORT_TLS_JA3_TEXT_MAX])
{
    ja3[0] = '\0';
    ClientIngredients client;
    if (!open_client_ingredients(ingredients, &client))
        return;
    DigestText text;
    digest_text_init(&text, DIGEST_MD5);
    digest_text_decimal(&text, client.legacy_version);
    digest_text_character(&text, ',');
    bool first = true;
    uint16_t value;
    while (oddport_cursor_be16(&client.cipher_suites, &value))
        if (!oddport_tls_is_grease(value))
            ja3_item(&text, &first, value);
    digest_text_character(&text, ',');

    Entry entry;
    OddportCursor entries = client.entries;
    first = true;
    while (next_entry(&entries, &entry)) {
        if (entry.kind == ENTRY_OVERRUN || (entry.kind == ENTRY_POINT_FORMATS && !entry.valid))
            return;
        if (!oddport_tls_is_grease(entry.type))
            ja3_item(&text, &first, entry.type);
    }
    static const uint8_t tail_kinds[] = {ENTRY_GROUPS, ENTRY_POINT_FORMATS};
    for (size_t tail = 0; tail < sizeof tail_kinds; tail++) {
        bool any = false;
        entries = client.entries;
        while (next_entry(&entries, &entry)) {
            if (entry.kind != tail_kinds[tail] || !entry.valid)
                continue;
            digest_text_character(&text, ',');
            any = true;
            first = true;
            if (entry.kind == ENTRY_GROUPS) {
                while (oddport_cursor_be16(&entry.values, &value))
                    if (!oddport_tls_is_grease(value))
                        ja3_item(&text, &first, value);
            } else {
                uint8_t format;
                while (oddport_cursor_u8(&entry.values, &format))
                    ja3_item(&text, &first, format);
            }
        }
        if (!any)
            digest_text_character(&text, ',');
    }
    digest_text_finish(&text, ja3, ODDPORT_TLS_JA3_TEXT_MAX - 1);
}

static const char *ja4_version(uint16_t version)
{
    switch (version) {
    case 0x0304:
        return "13";
    case 0x0303:
        return "12";
    case 0x0302:
        return "11";
    case 0x0301:
        return "10";
    case 0x0300:
        return "s3";
    case 0x0002:
        return "s2";
    case 0xfeff:
        return "d1";
    case 0xfefd:
        return "d2";
    case 0xfefc:
        return "d3";
    default:
        return "00";
    }
}

/* The first and last characters of the first ALPN value, or when either is not an ASCII letter
 * or digit, the first and last hexadecimal digits of the value; "00" without a value. */
static void ja4_alpn(OddportCursor value, char out[2])
{
    uint8_t first;
    uint8_t last;
    if (!oddport_cursor_peek_u8(&value, 0, &first) ||
        !oddport_cursor_peek_u8(&value, value.left - 1, &last)) {
        out[0] = out[1] = '0';
        return;
    }
    if (g_ascii_isalnum((char)first) && g_ascii_isalnum((char)last)) {
        out[0] = (char)first;
        out[1] = (char)last;
    } else {
        out[0] = hex_digits[first >> 4];
        out[1] = hex_digits[last & 0xf];
    }
}

/* Two digits of a count, at most 99. */
static void ja4_count(size_t count, char out[2])
{
    if (count > JA4_COUNT_MAX)
        count = JA4_COUNT_MAX;
    out[0] = (char)('0' + count / 10);
    out[1] = (char)('0' + count % 10);
}

/* A sorted list's truncated SHA-256, or twelve zeros for an empty one; `after` (may be NULL or
 * empty) follows an underscore, in its own order. */
static void ja4_hash(ValueList *sorted, const ValueList *after, char out[JA4_HASH_DIGITS + 1])
{
    if (sorted->count == 0) {
        memset(out, '0', JA4_HASH_DIGITS);
        out[JA4_HASH_DIGITS] = '\0';
        return;
    }
    value_list_sort(sorted);
    DigestText text;
    digest_text_init(&text, DIGEST_SHA256);
    digest_text_hex_list(&text, sorted);
    if (after != NULL && after->count > 0) {
        digest_text_character(&text, '_');
        digest_text_hex_list(&text, after);
    }
    digest_text_finish(&text, out, JA4_HASH_DIGITS);
}

/* FoxIO's JA4 as its specification and Wireshark 4.6 compute it: GREASE left out of the cipher
 * suites, the extensions, supported_versions and the signature algorithms (Wireshark 4.4 still
 * hashed a GREASE signature algorithm), but not of the ALPN value; the version is
 * supported_versions' highest (a draft's too, which JA4 calls "00"); extensions counted and
 * listed as often as they appear, the one that overruns its block included but not read;
 * signature algorithms of every such extension, in order. */
static void write_ja4(const Ingredients *ingredients, char ja4[ODDPORT_TLS_JA4_TEXT_MAX])
{
    ja4[0] = '\0';
    ClientIngredients client;
    if (!open_client_ingredients(ingredients, &client))
        return;
    ValueList suites;
    ValueList extensions;
    ValueList algorithms;
    value_list_init(&suites);
    value_list_init(&extensions);
    value_list_init(&algorithms);
    uint16_t value;
    while (oddport_cursor_be16(&client.cipher_suites, &value))
        if (!oddport_tls_is_grease(value))
            value_list_add(&suites, value);

    size_t extension_count = 0;
    bool has_server_name = false;
    OddportCursor alpn_name = oddport_cursor_make(NULL, 0);
    uint16_t highest_version = 0;
    Entry entry;
    OddportCursor entries = client.entries;
    while (next_entry(&entries, &entry)) {
        if (oddport_tls_is_grease(entry.type))
            continue;
        extension_count++;
        if (entry.type == EXTENSION_SERVER_NAME)
            has_server_name = true;
        else if (entry.type != EXTENSION_ALPN)
            value_list_add(&extensions, entry.type);
        if (!entry.valid)
            continue;
        if (entry.kind == ENTRY_SIGNATURES) {
            while (oddport_cursor_be16(&entry.values, &value))
                if (!oddport_tls_is_grease(value))
                    value_list_add(&algorithms, value);
        } else if (entry.kind == ENTRY_VERSIONS) {
            while (oddport_cursor_be16(&entry.values, &value))
                if (!oddport_tls_is_grease(value) && value > highest_version)
                    highest_version = value;
        } else if (entry.kind == ENTRY_FIRST_ALPN_NAME) {
            alpn_name = entry.values;
        }
    }

    char *out = ja4;
    *out++ = 't';
    memcpy(out, ja4_version(highest_version != 0 ? highest_version : client.legacy_version), 2);
    out += 2;
    *out++ = has_server_name ? 'd' : 'i';
    ja4_count(suites.count, out);
    ja4_count(extension_count, out + 2);
    ja4_alpn(alpn_name, out + 4);
    out += 6;
    *out++ = '_';
    ja4_hash(&suites, NULL, out);
    out += JA4_HASH_DIGITS;
    *out++ = '_';
    ja4_hash(&extensions, &algorithms, out);
    value_list_clear(&suites);
    value_list_clear(&extensions);
    value_list_clear(&algorithms);
}

/* "SSLVersion,Cipher,Extensions": the extensions up to and including one that overruns its
 * block, GREASE left out, as Wireshark 4.0 computes it. */
static void write_ja3s(const Ingredients *ingredients, char ja3s[ODDPORT_TLS_JA3_TEXT_MAX])
{
    OddportCursor record = oddport_cursor_make(ingredients->bytes, ingredients->length);
    uint8_t source;
    uint16_t version;
    uint16_t cipher_suite;
    ja3s[0] = '\0';
    if (!oddport_cursor_u8(&record, &source) || source != FROM_SERVER_HELLO ||
        !oddport_cursor_be16(&record, &version) || !oddport_cursor_be16(&record, &cipher_suite))
        return;
    DigestText text;
    digest_text_init(&text, DIGEST_MD5);
    digest_text_decimal(&text, version);
    digest_text_character(&text, ',');
    digest_text_decimal(&text, cipher_suite);
    digest_text_character(&text, ',');
    bool first = true;
    uint16_t type;
    while (oddport_cursor_be16(&record, &type))
        if (!oddport_tls_is_grease(type))
            ja3_item(&text, &first, type);
    digest_text_finish(&text, ja3s, ODDPORT_TLS_JA3_TEXT_MAX - 1);
}

/* Hashing is by far the dearest part, and the same client software sends the same hello over
 * and over: each thread remembers the fingerprints of recent ingredients, compared byte for
 * byte, so that a repeated hello costs a lookup. What a detector answers does not depend on it.
 * A few ways per set keep a handful of busy clients whose hashes meet from evicting each other. */
#define MEMO_SETS            16
#define MEMO_WAYS            4
#define MEMO_INGREDIENTS_MAX 384

typedef struct {
    uint64_t hash;
    size_t length; /* of the ingredients; 0 for an empty slot */
    uint8_t ingredients[MEMO_INGREDIENTS_MAX];
    char ja3[ODDPORT_TLS_JA3_TEXT_MAX];
    char ja4[ODDPORT_TLS_JA4_TEXT_MAX];
} MemoSlot;

typedef struct {
    MemoSlot ways[MEMO_WAYS];
    unsigned next_to_replace;
} MemoSet;

static _Thread_local MemoSet memo[MEMO_SETS];

/* Computes the fingerprints of `ingredients` into info->ja3 (and, from a ClientHello, info->ja4),
 * or takes them from the memo. */
static void fingerprint_ingredients(const Ingredients *ingredients, OddportTlsInfo *info)
{
    uint64_t hash = oddport_hash_bytes(ingredients->bytes, ingredients->length);
    MemoSet *set = &memo[hash % MEMO_SETS];
    for (unsigned way = 0; way < MEMO_WAYS; way++) {
        const MemoSlot *slot = &set->ways[way];
        if (slot->hash == hash && slot->length == ingredients->length &&
            memcmp(slot->ingredients, ingredients->bytes, ingredients->length) == 0) {
            memcpy(info->ja3, slot->ja3, sizeof info->ja3);
            memcpy(info->ja4, slot->ja4, sizeof info->ja4);
            return;
        }
    }
    if (ingredients->bytes[0] == FROM_CLIENT_HELLO) {
        write_ja3(ingredients, info->ja3);
        write_ja4(ingredients, info->ja4);
    } else {
        write_ja3s(ingredients, info->ja3);
        info->ja4[0] = '\0';
    }
    if (ingredients->length > MEMO_INGREDIENTS_MAX)
        return;
    MemoSlot *slot = &set->ways[set->next_to_replace];
    set->next_to_replace = (set->next_to_replace + 1) % MEMO_WAYS;
    slot->hash = hash;
    slot->length = ingredients->length;
    memcpy(slot->ingredients, ingredients->bytes, ingredients->length);
    memcpy(slot->ja3, info->ja3, sizeof slot->ja3);
    memcpy(slot->ja4, info->ja4, sizeof slot->ja4);
}

void oddport_tls_client_fingerprints(OddportCursor body, OddportTlsInfo *info)
{
    info->ja3[0] = '\0';
    info->ja4[0] = '\0';
    ClientHelloParts hello;
    if (!split_client_hello(body, &hello))
        return;
    Ingredients ingredients;
    ingredients_init(&ingredients);
    collect_client_ingredients(&hello, &ingredients);
    fingerprint_ingredients(&ingredients, info);
    ingredients_clear(&ingredients);
}

void oddport_tls_server_fingerprint(OddportCursor body, OddportTlsInfo *info)
{
    info->ja3[0] = '\0';
    uint16_t version;
    uint8_t session_id_length;
    uint16_t cipher_suite;
    uint8_t compression_method;
    if (!oddport_cursor_be16(&body, &version) || !oddport_cursor_skip(&body, 32) ||
        !oddport_cursor_u8(&body, &session_id_length) ||
        !oddport_cursor_skip(&body, session_id_length) ||
        !oddport_cursor_be16(&body, &cipher_suite) ||
        !oddport_cursor_u8(&body, &compression_method))
        return;
    Ingredients ingredients;
    ingredients_init(&ingredients);
    ingredients_u8(&ingredients, FROM_SERVER_HELLO);
    ingredients_be16(&ingredients, version);
    ingredients_be16(&ingredients, cipher_suite);
    uint16_t extensions_length;
    OddportCursor block;
    Extension extension;
    if (oddport_cursor_be16(&body, &extensions_length) &&
        oddport_cursor_sub(&body, extensions_length, &block))
        while (next_extension(&block, &extension))
            ingredients_be16(&ingredients, extension.type);
    fingerprint_ingredients(&ingredients, info);
    ingredients_clear(&ingredients);
}
