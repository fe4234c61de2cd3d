/* The protocols oddport recognises: one row each, the only list of them kept by hand. */
#ifndef ODDPORT_PROTOCOL_TABLE_H
#define ODDPORT_PROTOCOL_TABLE_H

/* ROW(IDENTIFIER, name): the app is ODDPORT_APP_<IDENTIFIER>, and the file src/lib/detect/<name>.c
 * defines its description, `const OddportProtocol oddport_protocol_<name>` (see protocol.h).
 * Everything else that lists protocols is derived from these rows: names in reports and services
 * files, the detectors tried on a side's bytes, built-in and alternate ports, report fields, help
 * text and the Wireshark dissectors the plugin hands off to.
 *
 * Row order is the order detection tries the protocols and the order reports list them. Put a
 * detector that reads further into bytes before it can rule them out after those that judge at
 * once: SSH lets a server send other lines before its banner, so it goes after HTTP, which
 * judges a request line by its first word. */
#define ODDPORT_PROTOCOL_ROWS(ROW)                                                                 \
    ROW(HTTP, http)                                                                                \
    ROW(TLS, tls)                                                                                  \
    ROW(SSH, ssh)

#endif
