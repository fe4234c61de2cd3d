/* libpcap's filter compiler and matcher, loaded when a filter is first set, not with every run. */
#ifndef ODDPORT_PCAP_FUNCTIONS_H
#define ODDPORT_PCAP_FUNCTIONS_H

#include <stdbool.h>

#include <glib.h>
#include <pcap/pcap.h>

/* The libpcap functions filtering uses, called through this table only. */
typedef struct {
    pcap_t *(*open_dead)(int link_type, int snapshot_length);
    int (*compile)(pcap_t *handle, struct bpf_program *program, const char *expression,
                   int optimize, bpf_u_int32 netmask);
    char *(*geterr)(pcap_t *handle);
    void (*close)(pcap_t *handle);
    void (*freecode)(struct bpf_program *program);
    int (*offline_filter)(const struct bpf_program *program, const struct pcap_pkthdr *header,
                          const u_char *packet);
} OddportPcapFunctions;

/* libpcap's functions, loaded on the first call and kept for the process: the table is not the
 * caller's to free (transfer none). NULL, with `error` set, when libpcap cannot be loaded; every
 * later call then fails alike. Safe to call from several threads. */
const OddportPcapFunctions *oddport_pcap_functions(GError **error);

/* Loads the library named `library` (a soname, or a path) into `functions`; false with `error`
 * set when it or one of the functions cannot be found. What oddport_pcap_functions does once
 * with the soname the build linked against; apart for its tests. */
bool oddport_pcap_load(const char *library, OddportPcapFunctions *functions, GError **error);

#endif
