/* tshark -z oddport: services on non-standard ports and the port-class table. */
#include "oddport-plugin.h"

void oddport_plugin_register_statistics(void) {}
