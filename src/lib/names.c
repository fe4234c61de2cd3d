/* Names of apps and confidences as they appear in every output and in services files. */
#include <string.h>

#include "oddport/detect.h"

static const char *const app_names[ODDPORT_APP_COUNT] = {"unknown", "http", "tls", "ssh"};

const char *oddport_app_name(OddportApp app)
{
    return (unsigned)app < ODDPORT_APP_COUNT ? app_names[app] : "unknown";
}

bool oddport_app_from_name(const char *name, OddportApp *app)
{
    for (unsigned index = 1; index < ODDPORT_APP_COUNT; index++) {
        if (strcmp(name, app_names[index]) == 0) {
            *app = (OddportApp)index;
            return true;
        }
    }
    return false;
}

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
