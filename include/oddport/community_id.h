/* Community ID v1 flow hashes, the identifier Zeek, Suricata and Wireshark share for a flow. */
#ifndef ODDPORT_COMMUNITY_ID_H
#define ODDPORT_COMMUNITY_ID_H

#include <stdint.h>

#include "oddport/decode.h"
#include "oddport/flow.h"

/* "1:" and the 28 base64 characters of a SHA-1 digest, with the terminating NUL and room to spare.
 */
#define ODDPORT_COMMUNITY_ID_TEXT_MAX 32

/* Writes the Community ID v1 of a flow between two endpoints (either order: the hash orders
 * them itself) over IP protocol `protocol` (6 TCP, 17 UDP, or any other number whose "ports"
 * the caller supplies, as the specification does for ICMP types), as the Corelight
 * community-id-spec defines it: SHA-1 over the seed, the two addresses and ports in ascending
 * order, the protocol and a zero pad byte, in base64 after "1:". Both addresses must be of the
 * same family. Tools agree only when they use the same seed; 0 is everyone's default. */
void oddport_community_id(uint16_t seed, uint8_t protocol, const OddportAddress *address_a,
                          uint16_t port_a, const OddportAddress *address_b, uint16_t port_b,
                          char text[ODDPORT_COMMUNITY_ID_TEXT_MAX]);

/* The Community ID (seed 0) of a finished flow's transport and endpoints. */
void oddport_flow_community_id(const OddportFlowReport *flow,
                               char text[ODDPORT_COMMUNITY_ID_TEXT_MAX]);

#endif
