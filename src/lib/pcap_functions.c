/* Loads libpcap, which only filtering uses, the first time a filter is set. */
#include "internal/pcap_functions.h"

#include <dlfcn.h>
#include <string.h>

#include "oddport/engine.h"

/* Linked, libpcap brought its own libraries into every run (on Debian 12: D-Bus, systemd,
 * libcap, libgcrypt, liblzma, libgpg-error), which took about 2 ms to load and start, more
 * than reading a small capture. The build finds the soname its libpcap has (libpcap.so.0.8 on
 * Debian, libpcap.so.1 elsewhere) and names it here; where it could not (a cross build), it
 * links libpcap as before. */
#ifdef ODDPORT_PCAP_SONAME

bool oddport_pcap_load(const char *library, OddportPcapFunctions *functions, GError **error)
{
    g_return_val_if_fail(library != NULL && functions != NULL, false);
    /* Global, and looked up as the dynamic linker resolves a linked call, so that a library
     * preloaded in front of libpcap (a tracer, a counter of compilations) still comes first. */
    void *handle = dlopen(library, RTLD_NOW | RTLD_GLOBAL);
    if (handle == NULL) {
        g_set_error(error, ODDPORT_ENGINE_ERROR, ODDPORT_ENGINE_ERROR_FILTER_UNAVAILABLE,
                    "filters need libpcap, which cannot be loaded: %s", dlerror());
        return false;
    }
    /* Each address is copied into its field as bytes, which POSIX makes a function's address. */
    struct {
        const char *name;
        void *field;
    } wanted[] = {
        {"pcap_open_dead", &functions->open_dead},
        {"pcap_compile", &functions->compile},
        {"pcap_geterr", &functions->geterr},
        {"pcap_close", &functions->close},
        {"pcap_freecode", &functions->freecode},
        {"pcap_offline_filter", &functions->offline_filter},
    };
    for (size_t index = 0; index < G_N_ELEMENTS(wanted); index++) {
        void *address = dlsym(RTLD_DEFAULT, wanted[index].name);
        memcpy(wanted[index].field, &address, sizeof address);
        if (address == NULL) {
            g_set_error(error, ODDPORT_ENGINE_ERROR, ODDPORT_ENGINE_ERROR_FILTER_UNAVAILABLE,
                        "filters need libpcap, and %s has no %s", library, wanted[index].name);
            /* The handle stays open: what was found may be shared with a preloaded library. */
            return false;
        }
    }
    return true;
}

const OddportPcapFunctions *oddport_pcap_functions(GError **error)
{
    static OddportPcapFunctions functions;
    static char *load_error;
    static gsize loaded;
    if (g_once_init_enter(&loaded)) {
        GError *local_error = NULL;
        if (!oddport_pcap_load(ODDPORT_PCAP_SONAME, &functions, &local_error)) {
            load_error = g_strdup(local_error->message);
            g_error_free(local_error);
        }
        g_once_init_leave(&loaded, 1);
    }
    if (load_error != NULL) {
        g_set_error_literal(error, ODDPORT_ENGINE_ERROR, ODDPORT_ENGINE_ERROR_FILTER_UNAVAILABLE,
                            load_error);
        return NULL;
    }
    return &functions;
}

#else

bool oddport_pcap_load(const char *library, OddportPcapFunctions *functions, GError **error)
{
    g_return_val_if_fail(library != NULL && functions != NULL, false);
    g_set_error(error, ODDPORT_ENGINE_ERROR, ODDPORT_ENGINE_ERROR_FILTER_UNAVAILABLE,
                "this build links libpcap: it loads no other (%s)", library);
    return false;
}

const OddportPcapFunctions *oddport_pcap_functions(GError **error)
{
    (void)error;
    static const OddportPcapFunctions linked = {
        .open_dead = pcap_open_dead,
        .compile = pcap_compile,
        .geterr = pcap_geterr,
        .close = pcap_close,
        .freecode = pcap_freecode,
        .offline_filter = pcap_offline_filter,
    };
    return &linked;
}

#endif
