/* Byte order and Internet checksum helpers shared by the test programs that write captures. */
#ifndef ODDPORT_TEST_CAPTURE_BYTES_H
#define ODDPORT_TEST_CAPTURE_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline void put_le32(uint8_t *at, uint32_t value)
{
    for (int index = 0; index < 4; index++)
        at[index] = (uint8_t)(value >> (8 * index));
}

static inline void put_be16(uint8_t *at, uint32_t value)
{
    at[0] = (uint8_t)(value >> 8);
    at[1] = (uint8_t)value;
}

static inline void put_be32(uint8_t *at, uint32_t value)
{
    for (int index = 0; index < 4; index++)
        at[index] = (uint8_t)(value >> (24 - 8 * index));
}

/* The Internet checksum (RFC 1071) over `length` bytes, continuing from `sum`. */
static inline uint32_t checksum_add(uint32_t sum, const uint8_t *bytes, size_t length)
{
    for (size_t index = 0; index + 1 < length; index += 2)
        sum += (uint32_t)bytes[index] << 8 | bytes[index + 1];
    if (length % 2 == 1)
        sum += (uint32_t)bytes[length - 1] << 8;
    return sum;
}

static inline uint16_t checksum_finish(uint32_t sum)
{
    while (sum > 0xffff)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

#endif
