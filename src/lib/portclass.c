/* Port classes, expected ports per app (built in and from services files) and severities. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "oddport/portclass.h"
#include "oddport/protocol.h"
#include "oddport/vocabulary.h"

/* Written out rather than with G_DEFINE_QUARK, whose dashed name argument a formatter would
 * space out into the string itself. */
GQuark oddport_rules_error_quark(void)
{
    return g_quark_from_static_string("oddport-rules-error-quark");
}

OddportPortClass oddport_port_class(uint16_t port)
{
    if (port <= 1023) {
        return ODDPORT_PORT_CLASS_WELL_KNOWN;
    }
    if (port <= 49151) {
        return ODDPORT_PORT_CLASS_REGISTERED;
    }
    return ODDPORT_PORT_CLASS_EPHEMERAL;
}

int oddport_severity_level(OddportSeverity severity)
{
    switch (severity) {
    case ODDPORT_SEVERITY_ALTERNATE:
        return 1;
    case ODDPORT_SEVERITY_UNEXPECTED:
        return 2;
    case ODDPORT_SEVERITY_MASQUERADE:
        return 3;
    case ODDPORT_SEVERITY_NONE:
        break;
    }
    return 0;
}

/* The expected ports: one bit per port, so the per-packet question "is this port standard for
 * this app?" is a shift and a mask, whatever the number of site rules. */

#define PORT_COUNT      65536u
#define BITS_PER_WORD   64u
#define WORDS_PER_MAP   (PORT_COUNT / BITS_PER_WORD)
#define TRANSPORT_SLOTS 2u

/* How many of a map's lowest ports are kept listed, so that reporting them costs nothing per
 * flow; reports show at most this many anyway. */
#define LISTED_PORTS_MAX 16

typedef struct {
    uint64_t words[WORDS_PER_MAP];
    size_t count;                      /* ports in the map */
    uint16_t listed[LISTED_PORTS_MAX]; /* the lowest of them, ascending */
} PortMap;

struct OddportPortRules {
    /* Indexed by app, then by transport_slot(). The ODDPORT_APP_UNKNOWN maps stay empty: no port
     * is standard for traffic nobody recognised. 64 KiB in all. */
    PortMap expected[ODDPORT_APP_COUNT][TRANSPORT_SLOTS];
};

static void port_map_add(PortMap *map, uint16_t port)
{
    uint64_t bit = UINT64_C(1) << (port % BITS_PER_WORD);
    if (map->words[port / BITS_PER_WORD] & bit)
        return;
    map->words[port / BITS_PER_WORD] |= bit;
    /* Keep the lowest ports listed in order: insert, dropping the highest when full. */
    size_t listed = map->count < LISTED_PORTS_MAX ? map->count : LISTED_PORTS_MAX;
    size_t position = listed;
    while (position > 0 && map->listed[position - 1] > port)
        position--;
    if (position < LISTED_PORTS_MAX) {
        size_t moved = (listed < LISTED_PORTS_MAX ? listed : LISTED_PORTS_MAX - 1) - position;
        memmove(&map->listed[position + 1], &map->listed[position], moved * sizeof(uint16_t));
        map->listed[position] = port;
    }
    map->count++;
}

static bool port_map_has(const PortMap *map, uint16_t port)
{
    return ((map->words[port / BITS_PER_WORD] >> (port % BITS_PER_WORD)) & 1u) != 0;
}

static bool transport_slot(OddportTransport transport, unsigned *slot)
{
    switch (transport) {
    case ODDPORT_TRANSPORT_TCP:
        *slot = 0;
        return true;
    case ODDPORT_TRANSPORT_UDP:
        *slot = 1;
        return true;
    }
    return false;
}

/* Out-of-range values are treated as the protocol table treats them: as no recognised app. */
static bool is_recognised_app(OddportApp app)
{
    return oddport_protocol(app) != NULL;
}

/* The built-in expectations are each protocol's standard ports (the README's "Expected ports"). */
static void add_builtin(PortMap *map, const OddportPortList *list)
{
    for (size_t index = 0; index < list->count; index++)
        port_map_add(map, list->ports[index]);
}

OddportPortRules *oddport_port_rules_new(void)
{
    OddportPortRules *rules = g_new0(OddportPortRules, 1);
    size_t count;
    const OddportProtocol *const *protocols = oddport_protocols(&count);
    unsigned tcp_slot = 0, udp_slot = 0;
    transport_slot(ODDPORT_TRANSPORT_TCP, &tcp_slot);
    transport_slot(ODDPORT_TRANSPORT_UDP, &udp_slot);
    for (size_t index = 0; index < count; index++) {
        const OddportProtocol *protocol = protocols[index];
        add_builtin(&rules->expected[protocol->app][tcp_slot], &protocol->standard_ports.tcp);
        add_builtin(&rules->expected[protocol->app][udp_slot], &protocol->standard_ports.udp);
    }
    return rules;
}

void oddport_port_rules_free(OddportPortRules *rules)
{
    g_free(rules);
}

bool oddport_port_rules_is_expected(const OddportPortRules *rules, OddportApp app,
                                    OddportTransport transport, uint16_t port)
{
    g_return_val_if_fail(rules != NULL, false);
    unsigned slot = 0;
    g_return_val_if_fail(transport_slot(transport, &slot), false);
    if (!is_recognised_app(app)) {
        return false;
    }
    return port_map_has(&rules->expected[app][slot], port);
}

size_t oddport_port_rules_expected_ports(const OddportPortRules *rules, OddportApp app,
                                         OddportTransport transport, uint16_t *ports,
                                         size_t capacity)
{
    g_return_val_if_fail(rules != NULL, 0);
    g_return_val_if_fail(ports != NULL || capacity == 0, 0);
    unsigned slot = 0;
    g_return_val_if_fail(transport_slot(transport, &slot), 0);
    if (!is_recognised_app(app)) {
        return 0;
    }
    const PortMap *map = &rules->expected[app][slot];
    if (capacity <= LISTED_PORTS_MAX) {
        size_t listed = capacity < map->count ? capacity : map->count;
        if (listed > 0)
            memcpy(ports, map->listed, listed * sizeof *ports);
        return map->count;
    }
    size_t total = 0;
    /* Walking words in order and bits from the least significant up yields ascending ports. */
    for (unsigned word_index = 0; word_index < WORDS_PER_MAP; word_index++) {
        for (uint64_t word = map->words[word_index]; word != 0; word &= word - 1) {
            if (total < capacity)
                ports[total] =
                    (uint16_t)(word_index * BITS_PER_WORD + (unsigned)__builtin_ctzll(word));
            total++;
        }
    }
    return total;
}

/* Ports of widely used services: finding a recognised app on one of them means something is
 * dressed up as that service (SSH on 443 to pass a firewall), so it is a masquerade, unless the
 * service itself opens with that app (each protocol's native_service_ports: TLS on 993, HTTP on
 * Elasticsearch's 9200). Chosen for wide deployment and for being let through firewalls, not for
 * IANA registration: the labels are what analysts call the service (IANA's names are in iana.c).
 * Linear scans: the lists are short and need no order, so an edit cannot break a search. */

static const uint16_t tcp_service_ports[] = {
    20,    /* ftp-data */
    21,    /* ftp */
    22,    /* ssh */
    23,    /* telnet */
    25,    /* smtp */
    53,    /* dns */
    80,    /* http */
    88,    /* kerberos */
    110,   /* pop3 */
    111,   /* sunrpc (portmapper) */
    119,   /* nntp */
    135,   /* msrpc endpoint mapper */
    139,   /* netbios-ssn (smb over netbios) */
    143,   /* imap */
    179,   /* bgp */
    389,   /* ldap */
    443,   /* https */
    445,   /* smb */
    465,   /* smtp submission over tls */
    587,   /* smtp submission (starttls starts in clear) */
    636,   /* ldaps */
    853,   /* dns over tls */
    990,   /* ftps */
    993,   /* imaps */
    995,   /* pop3s */
    1433,  /* microsoft sql server (tds; tls comes inside it) */
    1521,  /* oracle database listener */
    1723,  /* pptp */
    1883,  /* mqtt */
    2049,  /* nfs */
    2375,  /* docker engine api */
    2376,  /* docker engine api over tls */
    3306,  /* mysql */
    3389,  /* rdp (x.224 first; tls comes inside it) */
    5060,  /* sip */
    5061,  /* sip over tls */
    5432,  /* postgresql (its ssl request precedes tls) */
    5672,  /* amqp */
    5900,  /* vnc */
    5985,  /* winrm */
    5986,  /* winrm over tls */
    6379,  /* redis */
    8883,  /* mqtt over tls */
    9200,  /* elasticsearch */
    11211, /* memcached */
    27017, /* mongodb */
};

/* Of these only SSDP opens with a recognised app (HTTP in datagrams, see its protocol's native
 * ports); 443 is QUIC here, not TLS records. */
static const uint16_t udp_service_ports[] = {
    53,    /* dns */
    67,    /* dhcp server */
    68,    /* dhcp client */
    69,    /* tftp */
    123,   /* ntp */
    137,   /* netbios name service */
    138,   /* netbios datagrams */
    161,   /* snmp */
    162,   /* snmp traps */
    443,   /* quic (http/3) */
    500,   /* ipsec ike */
    514,   /* syslog */
    1194,  /* openvpn */
    1812,  /* radius */
    1813,  /* radius accounting */
    1900,  /* ssdp (upnp): http over udp */
    4500,  /* ipsec nat traversal */
    5060,  /* sip */
    5353,  /* mdns */
    11211, /* memcached */
};

static bool is_service_port(OddportTransport transport, uint16_t port)
{
    const uint16_t *table = tcp_service_ports;
    size_t count = G_N_ELEMENTS(tcp_service_ports);
    if (transport == ODDPORT_TRANSPORT_UDP) {
        table = udp_service_ports;
        count = G_N_ELEMENTS(udp_service_ports);
    }
    for (size_t index = 0; index < count; index++) {
        if (table[index] == port) {
            return true;
        }
    }
    return false;
}

OddportSeverity oddport_port_rules_severity(const OddportPortRules *rules, OddportApp app,
                                            OddportTransport transport, uint16_t port)
{
    g_return_val_if_fail(rules != NULL, ODDPORT_SEVERITY_NONE);
    unsigned slot = 0;
    g_return_val_if_fail(transport_slot(transport, &slot), ODDPORT_SEVERITY_NONE);
    if (!is_recognised_app(app) || port_map_has(&rules->expected[app][slot], port)) {
        return ODDPORT_SEVERITY_NONE;
    }
    const OddportProtocol *protocol = oddport_protocol(app);
    /* A service that itself speaks the app (HTTP in SSDP's datagrams, Docker's API, WinRM) is at
     * home there as much as on an alternate port: a note. As "unexpected" it was a finding in
     * every LAN capture with a UPnP device. */
    if (oddport_ports_have(&protocol->alternate_ports, transport, port) ||
        oddport_ports_have(&protocol->native_service_ports, transport, port)) {
        return ODDPORT_SEVERITY_ALTERNATE;
    }
    if (is_service_port(transport, port)) {
        return ODDPORT_SEVERITY_MASQUERADE;
    }
    return ODDPORT_SEVERITY_UNEXPECTED;
}

/* Services files. */

#define RULE_FORMAT "APP PORT[-PORT][/tcp|/udp]"
/* Services files are a few lines; a bigger file is almost certainly the wrong one (a capture). */
#define SERVICES_FILE_MAX_BYTES (16u * 1024u * 1024u)
/* How much of a bad word an error message repeats. */
#define QUOTE_MAX_CHARS 40

typedef struct {
    OddportApp app;
    OddportTransport transport;
    uint16_t first_port;
    uint16_t last_port;
} SiteRule;

/* A word from the file as it may appear in a message: valid UTF-8, no control characters, short. */
static char *quotable(const char *text)
{
    char *valid = g_utf8_make_valid(text, -1);
    if (g_utf8_strlen(valid, -1) > QUOTE_MAX_CHARS) {
        char *shortened = g_utf8_substring(valid, 0, QUOTE_MAX_CHARS);
        g_free(valid);
        valid = g_strconcat(shortened, "...", NULL);
        g_free(shortened);
    }
    for (char *character = valid; *character != '\0'; character++) {
        if ((unsigned char)*character < 0x20 || *character == 0x7f) {
            *character = '?';
        }
    }
    return valid;
}

static void set_syntax_error(GError **error, const char *origin, unsigned line_number,
                             const char *format, ...) G_GNUC_PRINTF(4, 5);

static void set_syntax_error(GError **error, const char *origin, unsigned line_number,
                             const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    char *problem = g_strdup_vprintf(format, arguments);
    va_end(arguments);
    g_set_error(error, ODDPORT_RULES_ERROR, ODDPORT_RULES_ERROR_SYNTAX, "%s:%u: %s", origin,
                line_number, problem);
    g_free(problem);
}

/* Splits a line at blanks into its non-empty words (transfer full). */
static char **split_words(const char *line)
{
    char **words = g_strsplit_set(line, " \t\v\f\r", -1);
    size_t kept = 0;
    for (size_t index = 0; words[index] != NULL; index++) {
        if (words[index][0] == '\0') {
            g_free(words[index]);
        } else {
            words[kept++] = words[index];
        }
    }
    words[kept] = NULL;
    return words;
}

typedef enum {
    PORT_NUMBER_OK,
    PORT_NUMBER_INVALID,
    PORT_NUMBER_OUT_OF_RANGE,
} PortNumberResult;

/* Decimal digits only: no sign, no spaces, no hex, so "0x50" or "+80" are not silently read. */
static PortNumberResult parse_port_number(const char *text, uint16_t *port)
{
    if (*text == '\0') {
        return PORT_NUMBER_INVALID;
    }
    uint32_t value = 0;
    bool too_big = false;
    for (const char *digit = text; *digit != '\0'; digit++) {
        if (!g_ascii_isdigit(*digit)) {
            return PORT_NUMBER_INVALID;
        }
        if (!too_big) {
            value = value * 10 + (uint32_t)(*digit - '0');
            too_big = value > UINT16_MAX;
        }
    }
    if (too_big) {
        return PORT_NUMBER_OUT_OF_RANGE;
    }
    *port = (uint16_t)value;
    return PORT_NUMBER_OK;
}

/* Parses "PORT[-PORT][/tcp|/udp]" into `rule`'s ports and transport. */
static bool parse_port_spec(const char *spec, SiteRule *rule, const char *origin,
                            unsigned line_number, GError **error)
{
    g_autofree char *ports = g_strdup(spec);
    rule->transport = ODDPORT_TRANSPORT_TCP;
    char *slash = strchr(ports, '/');
    if (slash != NULL) {
        *slash = '\0';
        const char *transport = slash + 1;
        if (g_ascii_strcasecmp(transport, "tcp") == 0) {
            rule->transport = ODDPORT_TRANSPORT_TCP;
        } else if (g_ascii_strcasecmp(transport, "udp") == 0) {
            rule->transport = ODDPORT_TRANSPORT_UDP;
        } else {
            g_autofree char *quoted = quotable(transport);
            set_syntax_error(error, origin, line_number,
                             "unknown transport '%s' (expected tcp or udp)", quoted);
            return false;
        }
    }

    char *dash = strchr(ports, '-');
    const char *first_text = ports;
    const char *last_text = ports;
    if (dash != NULL) {
        *dash = '\0';
        last_text = dash + 1;
    }
    const char *bounds[2] = {first_text, last_text};
    uint16_t values[2] = {0, 0};
    for (size_t index = 0; index < 2; index++) {
        switch (parse_port_number(bounds[index], &values[index])) {
        case PORT_NUMBER_OK:
            break;
        case PORT_NUMBER_OUT_OF_RANGE: {
            g_autofree char *quoted = quotable(bounds[index]);
            set_syntax_error(error, origin, line_number, "port %s out of range", quoted);
            return false;
        }
        case PORT_NUMBER_INVALID: {
            g_autofree char *quoted = quotable(spec);
            set_syntax_error(error, origin, line_number,
                             "invalid port '%s' (expected a number from 0 to 65535, or a range "
                             "such as 8000-8099)",
                             quoted);
            return false;
        }
        }
    }
    if (values[0] > values[1]) {
        set_syntax_error(error, origin, line_number, "range %u-%u is reversed", values[0],
                         values[1]);
        return false;
    }
    rule->first_port = values[0];
    rule->last_port = values[1];
    return true;
}

/* Parses one line; a blank or comment-only line adds nothing. */
static bool parse_line(const char *line, const char *origin, unsigned line_number,
                       GArray *site_rules, GError **error)
{
    g_autofree char *content = g_strdup(line);
    char *comment = strchr(content, '#');
    if (comment != NULL) {
        *comment = '\0';
    }
    g_auto(GStrv) words = split_words(content);
    guint count = g_strv_length(words);
    if (count == 0) {
        return true;
    }

    SiteRule rule = {0};
    g_autofree char *app_name = g_ascii_strdown(words[0], -1);
    if (!oddport_app_from_name(app_name, &rule.app)) {
        g_autofree char *quoted = quotable(words[0]);
        set_syntax_error(error, origin, line_number, "unknown app '%s' (expected http, tls or ssh)",
                         quoted);
        return false;
    }
    if (count == 1) {
        g_autofree char *quoted = quotable(words[0]);
        set_syntax_error(error, origin, line_number, "missing port after '%s' (expected %s)",
                         quoted, RULE_FORMAT);
        return false;
    }
    if (count > 2) {
        g_autofree char *quoted = quotable(words[2]);
        set_syntax_error(error, origin, line_number,
                         "unexpected '%s' after the port (one rule per line: %s)", quoted,
                         RULE_FORMAT);
        return false;
    }
    if (!parse_port_spec(words[1], &rule, origin, line_number, error)) {
        return false;
    }
    g_array_append_val(site_rules, rule);
    return true;
}

static void apply_rule(OddportPortRules *rules, const SiteRule *rule)
{
    unsigned slot = 0;
    transport_slot(rule->transport, &slot);
    PortMap *map = &rules->expected[rule->app][slot];
    /* A wider counter, so a range ending at 65535 ends. */
    for (uint32_t port = rule->first_port; port <= rule->last_port; port++) {
        port_map_add(map, (uint16_t)port);
    }
}

bool oddport_port_rules_load_text(OddportPortRules *rules, const char *text, const char *origin,
                                  GError **error)
{
    g_return_val_if_fail(rules != NULL, false);
    g_return_val_if_fail(text != NULL, false);
    g_return_val_if_fail(origin != NULL, false);
    g_return_val_if_fail(error == NULL || *error == NULL, false);

    /* Windows editors may start a UTF-8 file with a byte order mark; it is no part of a word. */
    static const char byte_order_mark[] = "\xEF\xBB\xBF";
    if (g_str_has_prefix(text, byte_order_mark)) {
        text += sizeof byte_order_mark - 1;
    }

    /* Parse everything before touching `rules`, so a file with an error applies nothing. */
    g_autoptr(GArray) site_rules = g_array_new(FALSE, FALSE, sizeof(SiteRule));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (size_t index = 0; lines[index] != NULL; index++) {
        if (!parse_line(lines[index], origin, (unsigned)(index + 1), site_rules, error)) {
            return false;
        }
    }
    for (guint index = 0; index < site_rules->len; index++) {
        apply_rule(rules, &g_array_index(site_rules, SiteRule, index));
    }
    return true;
}

/* Reads the whole file. stdio rather than g_file_get_contents so the message can carry
 * strerror(errno) itself, not GLib's longer, translated sentence around it. */
static bool read_services_file(const char *path, GString *contents, GError **error)
{
    bool standard_input = strcmp(path, "-") == 0;
    g_autofree char *display_path =
        standard_input ? g_strdup("standard input") : g_filename_display_name(path);
    FILE *file = standard_input ? stdin : fopen(path, "rb");
    if (file == NULL) {
        int saved_errno = errno;
        g_set_error(error, ODDPORT_RULES_ERROR, ODDPORT_RULES_ERROR_READ,
                    "cannot read services file '%s': %s", display_path, g_strerror(saved_errno));
        return false;
    }
    char buffer[8192];
    size_t got = 0;
    bool too_big = false;
    while (!too_big && (got = fread(buffer, 1, sizeof buffer, file)) > 0) {
        too_big = contents->len + got > SERVICES_FILE_MAX_BYTES;
        g_string_append_len(contents, buffer, (gssize)got);
    }
    int saved_errno = errno;
    bool failed = ferror(file) != 0;
    if (!standard_input)
        fclose(file);
    if (failed) {
        g_set_error(error, ODDPORT_RULES_ERROR, ODDPORT_RULES_ERROR_READ,
                    "cannot read services file '%s': %s", display_path, g_strerror(saved_errno));
        return false;
    }
    if (too_big) {
        g_set_error(error, ODDPORT_RULES_ERROR, ODDPORT_RULES_ERROR_READ,
                    "cannot read services file '%s': larger than %u MiB, so not a services file",
                    display_path, SERVICES_FILE_MAX_BYTES / (1024u * 1024u));
        return false;
    }
    return true;
}

bool oddport_port_rules_load_file(OddportPortRules *rules, const char *path, GError **error)
{
    g_return_val_if_fail(rules != NULL, false);
    g_return_val_if_fail(path != NULL, false);
    g_return_val_if_fail(error == NULL || *error == NULL, false);

    g_autoptr(GString) contents = g_string_new(NULL);
    if (!read_services_file(path, contents, error)) {
        return false;
    }
    g_autofree char *origin =
        strcmp(path, "-") == 0 ? g_strdup("standard input") : g_filename_display_name(path);
    /* The parser works on C strings: a NUL byte would silently end the file early. */
    const char *nul = memchr(contents->str, '\0', contents->len);
    if (nul != NULL) {
        unsigned line_number = 1;
        for (const char *character = contents->str; character < nul; character++) {
            if (*character == '\n') {
                line_number++;
            }
        }
        set_syntax_error(error, origin, line_number, "NUL byte: this is not a text file");
        return false;
    }
    return oddport_port_rules_load_text(rules, contents->str, origin, error);
}
