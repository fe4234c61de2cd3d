/* The flow record walker for any caller: the members themselves are listed in record_walk.h. */
#include "record_walk.h"

void oddport_flow_record_walk(const OddportFlowReport *flow, const OddportRecordVisitor *visitor,
                              void *data)
{
    walk_flow_record(flow, visitor, data);
}

typedef struct {
    const OddportFlowReport *flow;
    const OddportProtocol *protocol;
} ReplayWalk;

/* The protocol's object as the report the flow was read back from gave it. */
static void walk_replayed(const OddportRecordVisitor *visitor, void *visitor_data, void *walk_data)
{
    const ReplayWalk *replay = walk_data;
    replay->flow->replay_protocol_members(replay->protocol, replay->flow->replay_source, visitor,
                                          visitor_data);
}

void oddport_flow_summarise(const OddportFlowReport *flow, char *text, size_t capacity)
{
    OddportApp app = flow->verdict->app;
    if (flow->replay_protocol_members == NULL) {
        oddport_protocol_summarise(app, flow->client_result, flow->server_result, text, capacity);
        return;
    }
    ReplayWalk replay = {flow, oddport_protocol(app)};
    if (replay.protocol == NULL) {
        if (capacity > 0)
            text[0] = '\0';
        return;
    }
    oddport_protocol_summarise_walk(replay.protocol, walk_replayed, &replay, text, capacity);
}
