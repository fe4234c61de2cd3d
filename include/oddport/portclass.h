/* Port classes, the ports where each app is expected, severities and site rules. */
#ifndef ODDPORT_PORTCLASS_H
#define ODDPORT_PORTCLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "oddport/detect.h"

/* IANA's three ranges (RFC 6335). "ephemeral" is IANA's dynamic/private range. */
typedef enum {
    ODDPORT_PORT_CLASS_WELL_KNOWN = 0, /* 0-1023 */
    ODDPORT_PORT_CLASS_REGISTERED,     /* 1024-49151 */
    ODDPORT_PORT_CLASS_EPHEMERAL,      /* 49152-65535 */
} OddportPortClass;

#define ODDPORT_PORT_CLASS_COUNT 3
_Static_assert(ODDPORT_PORT_CLASS_EPHEMERAL + 1 == ODDPORT_PORT_CLASS_COUNT,
               "ODDPORT_PORT_CLASS_COUNT must follow the last port class");

OddportPortClass oddport_port_class(uint16_t port);

/* IP protocol numbers, so a decoded packet's value can be used directly. */
typedef enum {
    ODDPORT_TRANSPORT_TCP = 6,
    ODDPORT_TRANSPORT_UDP = 17,
} OddportTransport;

typedef enum {
    ODDPORT_SEVERITY_NONE = 0,   /* standard port, or no app recognised */
    ODDPORT_SEVERITY_ALTERNATE,  /* a common alternate: HTTP on 8080, TLS on 8443, SSH on 2222 */
    ODDPORT_SEVERITY_MASQUERADE, /* the port belongs to another widely used service */
    ODDPORT_SEVERITY_UNEXPECTED, /* anything else */
} OddportSeverity;

#define ODDPORT_SEVERITY_COUNT 4
_Static_assert(ODDPORT_SEVERITY_UNEXPECTED + 1 == ODDPORT_SEVERITY_COUNT,
               "ODDPORT_SEVERITY_COUNT must follow the last severity");

/* How alarming a severity is, for ordering and thresholds: 0 none, 1 alternate (a common
 * alternate port), 2 unexpected, 3 masquerade (posing as another service, the likeliest to be
 * hiding). */
int oddport_severity_level(OddportSeverity severity);

/* The registered service name of a port ("https", "ssh", "postgresql"), or NULL when IANA
 * assigns it none that oddport knows (transfer none). */
const char *oddport_iana_service_name(uint16_t port, OddportTransport transport);

/* Which ports are expected for each app: the built-in ones plus a site's own rules. */
typedef struct OddportPortRules OddportPortRules;

/* The built-in expectations: http 80; tls 443 and the IANA implicit-TLS ports; ssh 22, all on
 * TCP. Caller owns the result (transfer full): oddport_port_rules_free. */
OddportPortRules *oddport_port_rules_new(void);
void oddport_port_rules_free(OddportPortRules *rules);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OddportPortRules, oddport_port_rules_free)

/* Adds site rules from a services file: one rule per line, "APP PORT[-PORT][/tcp|/udp]"
 * (default tcp), '#' starts a comment, e.g. "http 3128/tcp  # our proxy". Returns false with
 * `error` (domain ODDPORT_RULES_ERROR) naming the line and the problem; no rule of a file with an
 * error is applied. Rules from several files add up; "-" reads standard input. */
bool oddport_port_rules_load_file(OddportPortRules *rules, const char *path, GError **error);
/* The same from text in memory; `origin` names it in error messages. */
bool oddport_port_rules_load_text(OddportPortRules *rules, const char *text, const char *origin,
                                  GError **error);

bool oddport_port_rules_is_expected(const OddportPortRules *rules, OddportApp app,
                                    OddportTransport transport, uint16_t port);

/* Writes up to `capacity` expected ports of `app` in ascending order into `ports` and returns how
 * many there are in all (which may exceed `capacity`). */
size_t oddport_port_rules_expected_ports(const OddportPortRules *rules, OddportApp app,
                                         OddportTransport transport, uint16_t *ports,
                                         size_t capacity);

/* How odd `app` on this server port is; NONE when the port is expected or the app unknown. */
OddportSeverity oddport_port_rules_severity(const OddportPortRules *rules, OddportApp app,
                                            OddportTransport transport, uint16_t port);

#define ODDPORT_RULES_ERROR (oddport_rules_error_quark())
GQuark oddport_rules_error_quark(void);

typedef enum {
    ODDPORT_RULES_ERROR_READ,
    ODDPORT_RULES_ERROR_SYNTAX,
} OddportRulesError;

#endif
