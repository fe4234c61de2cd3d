/* Each protocol's own report fields (a request's Host, a server's banner) as Wireshark fields. */
#ifndef PROTOCOL_FIELDS_H
#define PROTOCOL_FIELDS_H

#include <stdbool.h>

#include <epan/packet.h>

#include "oddport/protocol.h"

/* Registers one string field per member that a protocol's description reports, named as in
 * the CLI's JSON: oddport.<app>.<member>, e.g. oddport.http.host or oddport.ssh.server_banner.
 * Call once, from the protocol's registration. */
void oddport_protocol_fields_register(int protocol);

/* Whether a filter or -e names one of these fields. */
bool oddport_protocol_fields_referenced(proto_tree *tree);

/* Adds the members that have a value for the flow's sides (each NULL unless recognised), as
 * generated items of `tree`. */
void oddport_protocol_fields_add(proto_tree *tree, tvbuff_t *tvb, const OddportSideResult *client,
                                 const OddportSideResult *server);

#endif
