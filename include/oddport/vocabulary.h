/* The words the reports and services files print for each value of oddport's enums. */
#ifndef ODDPORT_VOCABULARY_H
#define ODDPORT_VOCABULARY_H

#include <stdbool.h>

#include "oddport/capture.h"
#include "oddport/classify.h"
#include "oddport/decode.h"
#include "oddport/detect.h"
#include "oddport/flow.h"
#include "oddport/portclass.h"
#include "oddport/tally.h"

/* Every string here is static (transfer none). Adding an enum value means adding its word here:
 * the unit tests walk each enum and check that every value has a distinct word. */

/* "well-known", "registered", "ephemeral" (transfer none). */
const char *oddport_port_class_name(OddportPortClass port_class);

/* "0-1023", "1024-49151", "49152-65535" (transfer none). */
const char *oddport_port_class_range(OddportPortClass port_class);

/* "tcp" or "udp" (transfer none). */
const char *oddport_transport_name(OddportTransport transport);

/* "alternate", "masquerade", "unexpected", or NULL for NONE (transfer none). */
const char *oddport_severity_name(OddportSeverity severity);

/* "syn", "payload", "port" (transfer none). */
const char *oddport_direction_source_name(OddportDirectionSource source);

/* "client", "server", or NULL for none (transfer none). */
const char *oddport_opening_source_name(OddportOpeningSource source);

/* "client", "server", or NULL for none: whose packet decided a flow's app (transfer none). */
const char *oddport_decided_by_name(OddportDecidedBy side);

/* "pcap" or "pcapng" (transfer none). */
const char *oddport_capture_format_name(OddportCaptureFormat format);

/* "open", "empty", "not_capture", "bad_header", "truncated", "damaged",
 * "unsupported_compression" or "not_read", as the JSON report's error_kind writes them (transfer
 * none). */
const char *oddport_capture_error_name(OddportCaptureError error);

/* "unsupported_link_type", "truncated", ... (transfer none); NULL for ODDPORT_DECODE_OK. */
const char *oddport_skip_reason_name(OddportDecodeStatus status);

/* "none", "low", "medium", "high": a static string (transfer none). */
const char *oddport_confidence_name(OddportConfidence confidence);

/* The app's name as every output and services file write it ("unknown", "http", ...): a static
 * string (transfer none). */
const char *oddport_app_name(OddportApp app);

/* Parses an app name as written in services files; "unknown" is not one. False otherwise. */
bool oddport_app_from_name(const char *name, OddportApp *app);

/* The value a report's word names, for reading reports back (oddport merge) and options: false,
 * leaving `value` alone, for a word that names none. */
bool oddport_transport_from_name(const char *name, OddportTransport *value);
bool oddport_severity_from_name(const char *name, OddportSeverity *value);
bool oddport_direction_source_from_name(const char *name, OddportDirectionSource *value);
bool oddport_capture_error_from_name(const char *name, OddportCaptureError *value);
bool oddport_confidence_from_name(const char *name, OddportConfidence *value);

#endif
