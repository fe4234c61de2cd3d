/* JA3, JA3S and JA4 of whole TLS hellos, for the TLS detector (internal to liboddport). */
#ifndef ODDPORT_DETECT_TLS_FINGERPRINT_H
#define ODDPORT_DETECT_TLS_FINGERPRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "internal/cursor.h"
#include "oddport/detect.h"

/* RFC 8701 reserves values like 0x0a0a and 0x1a1a so that peers learn to ignore the unknown. */
static inline bool oddport_tls_is_grease(uint16_t value)
{
    return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

/* Writes info->ja3 and info->ja4 from a ClientHello's body (the handshake message after its
 * four-byte header), all of it there; the detector has checked its lengths as far as the
 * extension block. A fingerprint Wireshark would not compute is left empty. */
void oddport_tls_client_fingerprints(OddportCursor body, OddportTlsInfo *info);

/* Writes info->ja3 (the JA3S) from a whole ServerHello's body. */
void oddport_tls_server_fingerprint(OddportCursor body, OddportTlsInfo *info);

#endif
