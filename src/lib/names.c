/* Names of apps and confidences as they appear in every output and in services files. */
#include <string.h>

#include "oddport/detect.h"

const char *oddport_confidence_name(OddportConfidence confidence)
{
    switch (confidence) {
    case ODDPORT_CONFIDENCE_HIGH:
        return "high";
    case ODDPORT_CONFIDENCE_MEDIUM:
        return "medium";
    case ODDPORT_CONFIDENCE_LOW:
        return "low";
    case ODDPORT_CONFIDENCE_NONE:
        break;
    }
    return "none";
}
