/* Bounds-checked reading of untrusted packet bytes: every access to wire data goes through here. */
#ifndef ODDPORT_CURSOR_H
#define ODDPORT_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A view over bytes that are not ours to trust. `data` points at the next unread byte and
 * `left` says how many may still be read. Every reader returns false and leaves the cursor
 * unchanged when the bytes are not there, so a caller can never read past the end. The cursor
 * borrows the bytes: it owns nothing and frees nothing. */
typedef struct {
    const uint8_t *data;
    size_t left;
} OddportCursor;

static inline OddportCursor oddport_cursor_make(const uint8_t *data, size_t length)
{
    OddportCursor cursor = {data, data != NULL ? length : 0};
    return cursor;
}

static inline bool oddport_cursor_u8(OddportCursor *cursor, uint8_t *value)
{
    if (cursor->left < 1)
        return false;
    *value = cursor->data[0];
    cursor->data += 1;
    cursor->left -= 1;
    return true;
}

static inline bool oddport_cursor_be16(OddportCursor *cursor, uint16_t *value)
{
    if (cursor->left < 2)
        return false;
    *value = (uint16_t)((uint16_t)cursor->data[0] << 8 | cursor->data[1]);
    cursor->data += 2;
    cursor->left -= 2;
    return true;
}

static inline bool oddport_cursor_be24(OddportCursor *cursor, uint32_t *value)
{
    if (cursor->left < 3)
        return false;
    *value = (uint32_t)cursor->data[0] << 16 | (uint32_t)cursor->data[1] << 8 | cursor->data[2];
    cursor->data += 3;
    cursor->left -= 3;
    return true;
}

static inline bool oddport_cursor_be32(OddportCursor *cursor, uint32_t *value)
{
    if (cursor->left < 4)
        return false;
    *value = (uint32_t)cursor->data[0] << 24 | (uint32_t)cursor->data[1] << 16 |
             (uint32_t)cursor->data[2] << 8 | cursor->data[3];
    cursor->data += 4;
    cursor->left -= 4;
    return true;
}

static inline bool oddport_cursor_le16(OddportCursor *cursor, uint16_t *value)
{
    if (cursor->left < 2)
        return false;
    *value = (uint16_t)((uint16_t)cursor->data[1] << 8 | cursor->data[0]);
    cursor->data += 2;
    cursor->left -= 2;
    return true;
}

static inline bool oddport_cursor_le32(OddportCursor *cursor, uint32_t *value)
{
    if (cursor->left < 4)
        return false;
    *value = (uint32_t)cursor->data[3] << 24 | (uint32_t)cursor->data[2] << 16 |
             (uint32_t)cursor->data[1] << 8 | cursor->data[0];
    cursor->data += 4;
    cursor->left -= 4;
    return true;
}

static inline bool oddport_cursor_skip(OddportCursor *cursor, size_t count)
{
    if (cursor->left < count)
        return false;
    cursor->data += count;
    cursor->left -= count;
    return true;
}

/* Takes the next `count` bytes as a cursor of their own and moves past them. */
static inline bool oddport_cursor_sub(OddportCursor *cursor, size_t count, OddportCursor *part)
{
    if (cursor->left < count)
        return false;
    part->data = cursor->data;
    part->left = count;
    cursor->data += count;
    cursor->left -= count;
    return true;
}

/* Points `*bytes` at the next `count` bytes (borrowed, not copied) and moves past them. */
static inline bool oddport_cursor_bytes(OddportCursor *cursor, size_t count, const uint8_t **bytes)
{
    if (cursor->left < count)
        return false;
    *bytes = cursor->data;
    cursor->data += count;
    cursor->left -= count;
    return true;
}

/* Reads the byte `offset` places ahead without moving. */
static inline bool oddport_cursor_peek_u8(const OddportCursor *cursor, size_t offset,
                                          uint8_t *value)
{
    if (cursor->left <= offset)
        return false;
    *value = cursor->data[offset];
    return true;
}

/* Limits the view to a length a header states. What was captured may be shorter than what the
 * header claims (a snapshot length cut the packet); the view then keeps the captured bytes and
 * the function returns false so the caller can note the packet as cut short. */
static inline bool oddport_cursor_narrow(OddportCursor *cursor, size_t stated_length)
{
    if (cursor->left < stated_length)
        return false;
    cursor->left = stated_length;
    return true;
}

#endif
