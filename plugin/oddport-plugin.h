/* What the plugin's dissection and statistics parts share: the per-flow state and the rules. */
#ifndef ODDPORT_PLUGIN_H
#define ODDPORT_PLUGIN_H

#include <epan/address.h>
#include <epan/conversation.h>
#include <wsutil/nstime.h>

#include "oddport/classify.h"
#include "oddport/side.h"

/* One TCP connection or UDP conversation as the plugin follows it. Allocated in file scope and
 * attached to the Wireshark conversation; the sides' buffers are released when the file closes. */
typedef struct {
    conversation_t *conversation;
    OddportTransport transport;
    address address[2]; /* [0] is the sender of the first packet seen */
    guint16 port[2];
    OddportSide side[2];
    OddportFlowVerdict verdict;
    guint32 deciding_frame; /* the frame whose payload made the app known, or 0 */
    guint64 packets[2];
    guint64 bytes[2];
    nstime_t first_seen;
    nstime_t last_seen;
} OddportPluginFlow;

/* The expected-port rules in force (transfer none). */
const OddportPortRules *oddport_plugin_rules(void);

/* Every flow of the open capture (transfer none). */
GPtrArray *oddport_plugin_flows(void);

/* Recomputes the flow's verdict; with `finished`, undecided sides are first judged on what they
 * hold, as the CLI does when a flow ends. */
void oddport_plugin_classify(OddportPluginFlow *flow, gboolean finished);

/* Registers "-z oddport" and the Statistics menu entry (oddport-statistics.c). */
void oddport_plugin_register_statistics(void);

#endif
