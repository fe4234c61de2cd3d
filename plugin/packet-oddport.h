/* The oddport dissector's side that its statistics read: flows as oddport's engine judged them.
 */
#ifndef PACKET_ODDPORT_H
#define PACKET_ODDPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <epan/packet.h>

#include "oddport/community_id.h"
#include "oddport/flow.h"

/* One flow of the open capture, as the engine (the same one the CLI runs) describes it.
 * Owned by the dissector and released when the capture file closes. */
typedef struct {
    /* The flow as of the last packet seen on the first pass, or as it finished. Its `verdict`
     * points at the member below and its side results at copies kept here (owned, or NULL). */
    OddportFlowReport report;
    OddportFlowVerdict verdict;
    OddportSideResult *client_result;
    OddportSideResult *server_result;
    /* What the subtree shows for `verdict`: its one-line summary, and its evidence as valid
     * UTF-8 (owned). */
    bool texts_ready;
    char summary[96];
    char *evidence;
    char community_id[ODDPORT_COMMUNITY_ID_TEXT_MAX];
    bool finished;
    uint64_t finish_order; /* with `finished`: how many flows finished before it */
    /* The frame the CLI names as deciding (deciding_packet), in Wireshark's numbering, or 0; on
     * the first pass, the one deciding as far as known. */
    uint32_t deciding_frame;
    /* The packet named as deciding on the first pass for each side (by OddportDecidedBy), by
     * record and frame: the final verdict's is one of them, found in Wireshark's numbering. */
    struct {
        uint64_t record;
        uint32_t frame;
    } deciding_by_side[ODDPORT_DECIDED_BY_COUNT];
    uint32_t first_frame; /* its first frame */
    uint32_t last_frame;  /* its last frame seen on the first pass */
    uint64_t last_record; /* that frame's place among the packet records (the CLI's number) */
    bool probe_installed; /* on the Wireshark conversation of its first frame */
    /* On the first pass: what `verdict` was judged on (compared by identity, never read). */
    bool judged;
    OddportFlowFacts judged_facts;
    /* After its last packet on the first pass, a side still read details that grow in place
     * (oddport_engine_last_flow_reads_details): describe it again at the next one. */
    bool reads_details;
    /* The conversation's dissector before the probe, which keeps the directions oddport
     * recognises nothing in, or NULL. */
    dissector_handle_t displaced;
} OddportPluginFlow;

void proto_register_oddport(void);
void proto_reg_handoff_oddport(void);

/* The flow with this id (the id the CLI's JSON report gives it), or NULL (transfer none). */
OddportPluginFlow *oddport_plugin_flow_by_id(uint64_t id);

/* The verdict to show for one of the flow's packets: on the first pass, what was known after
 * that packet; once the packet is revisited (a second pass, a click in Wireshark), the final
 * verdict, which finishes every open flow first, as the CLI does at the end of its input. */
OddportPluginFlow *oddport_plugin_flow_for_packet(OddportPluginFlow *flow,
                                                  const packet_info *pinfo);

/* Finishes every flow still open, so that each flow's verdict is final (as at the end of the
 * CLI's input). */
void oddport_plugin_finish_flows(void);

#endif
