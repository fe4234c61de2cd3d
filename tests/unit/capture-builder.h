/* Captures built byte by byte for the unit tests: a byte buffer in either order, pcap framing. */
#ifndef ODDPORT_TEST_CAPTURE_BUILDER_H
#define ODDPORT_TEST_CAPTURE_BUILDER_H

#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include <glib.h>

/* Bytes of a capture under construction, in the byte order its header declares. */
typedef struct {
    GByteArray *bytes;
    bool big_endian;
} Builder;

static inline Builder builder_new(bool big_endian)
{
    Builder builder = {g_byte_array_new(), big_endian};
    return builder;
}

static inline void put_bytes(Builder *builder, const void *bytes, size_t length)
{
    g_byte_array_append(builder->bytes, bytes, (guint)length);
}

static inline void put_u8(Builder *builder, uint8_t value)
{
    put_bytes(builder, &value, 1);
}

/* The low `size` bytes of `value`, in the builder's byte order. */
static inline void put_unsigned(Builder *builder, uint64_t value, unsigned size)
{
    uint8_t bytes[8];
    for (unsigned index = 0; index < size; index++) {
        unsigned shift = builder->big_endian ? 8 * (size - 1 - index) : 8 * index;
        bytes[index] = (uint8_t)(value >> shift);
    }
    put_bytes(builder, bytes, size);
}

static inline void put_u16(Builder *builder, uint16_t value)
{
    put_unsigned(builder, value, 2);
}

static inline void put_u32(Builder *builder, uint32_t value)
{
    put_unsigned(builder, value, 4);
}

static inline void put_u64(Builder *builder, uint64_t value)
{
    put_unsigned(builder, value, 8);
}

static inline void pad_to_4(Builder *builder)
{
    while (builder->bytes->len % 4 != 0)
        put_u8(builder, 0);
}

static inline void pcap_file_header(Builder *builder, uint32_t magic, uint16_t major,
                                    uint16_t minor, uint32_t snapshot_length, uint32_t link_type)
{
    put_u32(builder, magic);
    put_u16(builder, major);
    put_u16(builder, minor);
    put_u32(builder, 0); /* time zone */
    put_u32(builder, 0); /* accuracy */
    put_u32(builder, snapshot_length);
    put_u32(builder, link_type);
}

/* Writes `bytes` to a new temporary file and returns its path (transfer full). */
static inline char *write_temporary(const GByteArray *bytes)
{
    char *path = NULL;
    GError *error = NULL;
    int fd = g_file_open_tmp("oddport-capture-XXXXXX", &path, &error);
    g_assert_no_error(error);
    g_assert_true(write(fd, bytes->data, bytes->len) == (ssize_t)bytes->len);
    close(fd);
    return path;
}

#endif
