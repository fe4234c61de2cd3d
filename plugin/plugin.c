/* The plugin's entry points: what Wireshark looks for when it loads oddport.so. */
#define WS_BUILD_DLL
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/tap.h>
#include <ws_symbol_export.h>
#include <ws_version.h>

#include "oddport-plugin-config.h"
#ifdef ODDPORT_HAVE_PLUGIN_DESCRIBE
#include <wsutil/plugins.h>
#endif

#include "packet-oddport.h"
#include "tap-oddport.h"

WS_DLL_PUBLIC_DEF const char plugin_version[] = ODDPORT_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
    static proto_plugin dissector = {
        .register_protoinfo = proto_register_oddport,
        .register_handoff = proto_reg_handoff_oddport,
    };
    proto_register_plugin(&dissector);
    static tap_plugin statistics = {
        .register_tap_listener = register_tap_listener_oddport,
    };
    tap_register_plugin(&statistics);
}

#ifdef ODDPORT_HAVE_PLUGIN_DESCRIBE
/* Wireshark 4.2 and later list a plugin's kind from this ("tshark -G plugins"). */
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
}
#endif
