/* The flow record walker for any caller: the members themselves are listed in record_walk.h. */
#include "record_walk.h"

void oddport_flow_record_walk(const OddportFlowReport *flow, const OddportRecordVisitor *visitor,
                              void *data)
{
    walk_flow_record(flow, visitor, data);
}
