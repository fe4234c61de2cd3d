/* Sample finished flows of every shape a report meets, for the report and record unit tests. */
#ifndef ODDPORT_REPORT_SAMPLES_H
#define ODDPORT_REPORT_SAMPLES_H

#include <string.h>

#include <glib.h>

#include "oddport/report.h"

/* One flow with everything it borrows kept beside it, so a sample owns its parts. */
typedef struct {
    OddportFlowReport flow;
    OddportFlowVerdict verdict;
    OddportSideResult client_result;
    OddportSideResult server_result;
} SampleFlow;

/* A side's details as its protocol's own struct, for filling in a sample. */
#define HTTP_OF(side) (*(OddportHttpInfo *)(void *)(side)->details.bytes)
#define TLS_OF(side)  (*(OddportTlsInfo *)(void *)(side)->details.bytes)
#define SSH_OF(side)  (*(OddportSshInfo *)(void *)(side)->details.bytes)

typedef enum {
    SAMPLE_NOTHING_RECOGNISED,
    SAMPLE_HTTP_BOTH_SIDES,
    SAMPLE_HTTP_REQUEST_ONLY,
    SAMPLE_TLS_WITH_ALPN, /* on a non-standard port, two ALPN names, one with a space */
    SAMPLE_SSH_ON_443,    /* IPv6, a VLAN tag, nanosecond times */
    SAMPLE_HTTP_TO_SSH,   /* a mismatch: each side a different app */
    SAMPLE_HOSTILE_TEXT,  /* wire text with quotes, commas, control bytes and invalid UTF-8 */
    SAMPLE_COUNT,
} SampleKind;

static inline void sample_endpoint(OddportEndpoint *endpoint, uint8_t last_byte, uint16_t port,
                                   bool ipv6)
{
    memset(endpoint, 0, sizeof *endpoint);
    endpoint->address.family = ipv6 ? 6 : 4;
    if (ipv6) {
        endpoint->address.bytes[0] = 0x20;
        endpoint->address.bytes[1] = 0x01;
        endpoint->address.bytes[2] = 0x0d;
        endpoint->address.bytes[3] = 0xb8;
        endpoint->address.bytes[15] = last_byte;
    } else {
        endpoint->address.bytes[0] = 192;
        endpoint->address.bytes[2] = 2;
        endpoint->address.bytes[3] = last_byte;
    }
    endpoint->port = port;
    endpoint->port_class = oddport_port_class(port);
}

/* Fills `sample` with a flow of the given kind; the flow points into the sample. */
static inline void sample_flow(SampleFlow *sample, SampleKind kind, uint64_t id)
{
    memset(sample, 0, sizeof *sample);
    OddportFlowReport *flow = &sample->flow;
    OddportFlowVerdict *verdict = &sample->verdict;
    flow->id = id;
    flow->transport = ODDPORT_TRANSPORT_TCP;
    flow->verdict = verdict;
    flow->precision_digits = 6;
    flow->first_seen_ns = UINT64_C(1764292254025880000) + id * 1000000u;
    flow->last_seen_ns = flow->first_seen_ns + 7511000u;
    flow->client_packets = 6;
    flow->client_bytes = 498;
    flow->server_packets = 6;
    flow->server_bytes = 660;
    sample_endpoint(&flow->client, 1, 47746, false);
    sample_endpoint(&flow->server, 2, 80, false);
    verdict->confidence = ODDPORT_CONFIDENCE_HIGH;
    verdict->direction = ODDPORT_DIRECTION_SYN;
    OddportSideResult *client = &sample->client_result;
    OddportSideResult *server = &sample->server_result;
    switch (kind) {
    case SAMPLE_NOTHING_RECOGNISED:
        flow->transport = ODDPORT_TRANSPORT_UDP;
        sample_endpoint(&flow->server, 3, 9999, false);
        verdict->direction = ODDPORT_DIRECTION_PORT;
        g_strlcpy(verdict->evidence, "payload matches no HTTP, TLS or SSH opening",
                  sizeof verdict->evidence);
        break;
    case SAMPLE_HTTP_BOTH_SIDES:
    case SAMPLE_HTTP_REQUEST_ONLY:
        verdict->app = verdict->client_app = ODDPORT_APP_HTTP;
        verdict->expected_ports[0] = 80;
        verdict->expected_port_count = 1;
        verdict->iana_service = "http";
        client->app = ODDPORT_APP_HTTP;
        g_strlcpy(HTTP_OF(client).method, "GET", sizeof HTTP_OF(client).method);
        g_strlcpy(HTTP_OF(client).host, "www.example.test", sizeof HTTP_OF(client).host);
        g_strlcpy(HTTP_OF(client).path, "/", sizeof HTTP_OF(client).path);
        g_strlcpy(HTTP_OF(client).version, "HTTP/1.1", sizeof HTTP_OF(client).version);
        flow->client_result = client;
        g_strlcpy(verdict->evidence, "client: GET / HTTP/1.1", sizeof verdict->evidence);
        if (kind == SAMPLE_HTTP_BOTH_SIDES) {
            verdict->server_app = ODDPORT_APP_HTTP;
            server->app = ODDPORT_APP_HTTP;
            HTTP_OF(server).status = 200;
            g_strlcpy(HTTP_OF(server).version, "HTTP/1.0", sizeof HTTP_OF(server).version);
            flow->server_result = server;
        }
        break;
    case SAMPLE_TLS_WITH_ALPN:
        sample_endpoint(&flow->server, 4, 8443, false);
        verdict->app = verdict->client_app = verdict->server_app = ODDPORT_APP_TLS;
        verdict->nonstandard = true;
        verdict->severity = ODDPORT_SEVERITY_ALTERNATE;
        verdict->expected_ports[0] = 443;
        verdict->expected_ports[1] = 853;
        verdict->expected_port_count = 2;
        client->app = server->app = ODDPORT_APP_TLS;
        TLS_OF(client).handshake_type = 1;
        TLS_OF(client).version = 0x0304;
        g_strlcpy(TLS_OF(client).sni, "tls.example.test", sizeof TLS_OF(client).sni);
        g_strlcpy(TLS_OF(client).alpn[0], "h2", sizeof TLS_OF(client).alpn[0]);
        g_strlcpy(TLS_OF(client).alpn[1], "odd name", sizeof TLS_OF(client).alpn[1]);
        TLS_OF(client).alpn_count = 2;
        TLS_OF(server).handshake_type = 2;
        TLS_OF(server).version = 0x0304;
        g_strlcpy(TLS_OF(server).alpn[0], "h2", sizeof TLS_OF(server).alpn[0]);
        TLS_OF(server).alpn_count = 1;
        flow->client_result = client;
        flow->server_result = server;
        g_strlcpy(verdict->evidence, "client: TLS 1.3 ClientHello SNI=tls.example.test ALPN=h2",
                  sizeof verdict->evidence);
        break;
    case SAMPLE_SSH_ON_443:
    case SAMPLE_HTTP_TO_SSH:
        sample_endpoint(&flow->client, 5, 50000, true);
        sample_endpoint(&flow->server, 6, 443, true);
        flow->has_vlan = true;
        flow->vlan_id = 42;
        flow->precision_digits = 9;
        verdict->app = verdict->server_app = ODDPORT_APP_SSH;
        verdict->nonstandard = true;
        verdict->severity = ODDPORT_SEVERITY_MASQUERADE;
        verdict->expected_ports[0] = 22;
        verdict->expected_port_count = 1;
        verdict->iana_service = "https";
        server->app = ODDPORT_APP_SSH;
        g_strlcpy(SSH_OF(server).banner, "SSH-2.0-OpenSSH_9.2p1", sizeof SSH_OF(server).banner);
        flow->server_result = server;
        if (kind == SAMPLE_SSH_ON_443) {
            verdict->client_app = ODDPORT_APP_SSH;
            client->app = ODDPORT_APP_SSH;
            g_strlcpy(SSH_OF(client).banner, "SSH-2.0-client", sizeof SSH_OF(client).banner);
        } else {
            verdict->client_app = ODDPORT_APP_HTTP;
            verdict->mismatch = true;
            client->app = ODDPORT_APP_HTTP;
            g_strlcpy(HTTP_OF(client).method, "GET", sizeof HTTP_OF(client).method);
            g_strlcpy(HTTP_OF(client).version, "HTTP/1.1", sizeof HTTP_OF(client).version);
        }
        flow->client_result = client;
        g_strlcpy(verdict->evidence, "server: SSH-2.0-OpenSSH_9.2p1 banner",
                  sizeof verdict->evidence);
        break;
    case SAMPLE_HOSTILE_TEXT:
        sample_endpoint(&flow->server, 7, 8080, false);
        verdict->app = verdict->client_app = ODDPORT_APP_HTTP;
        verdict->nonstandard = true;
        verdict->severity = ODDPORT_SEVERITY_ALTERNATE;
        client->app = ODDPORT_APP_HTTP;
        g_strlcpy(HTTP_OF(client).method, "GET", sizeof HTTP_OF(client).method);
        g_strlcpy(HTTP_OF(client).host, "=cmd|' /C calc'!A0", sizeof HTTP_OF(client).host);
        g_strlcpy(HTTP_OF(client).path, "/a,\"b\"\x1b[2J\xff\xc3", sizeof HTTP_OF(client).path);
        g_strlcpy(HTTP_OF(client).user_agent, "line\r\nbreak", sizeof HTTP_OF(client).user_agent);
        flow->client_result = client;
        g_strlcpy(verdict->evidence, "client: GET /a,\"b\" \x9b", sizeof verdict->evidence);
        break;
    case SAMPLE_COUNT:
        g_assert_not_reached();
    }
}

#endif
