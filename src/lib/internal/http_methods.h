/* The IANA HTTP Method Registry, shared by the HTTP detector and its tests. */
#ifndef ODDPORT_HTTP_METHODS_H
#define ODDPORT_HTTP_METHODS_H

/* Unregistered methods (SSDP's M-SEARCH and NOTIFY, RTSP's DESCRIBE, SIP's INVITE) belong to
 * protocols that borrow HTTP's syntax but are not HTTP. In byte order: the detector narrows the run
 * of methods that begin with a token as it reads each byte, and a unit test checks the order and
 * sends every method. */
static const char *const oddport_http_registered_methods[] = {
    "ACL",
    "BASELINE-CONTROL",
    "BIND",
    "CHECKIN",
    "CHECKOUT",
    "CONNECT",
    "COPY",
    "DELETE",
    "GET",
    "HEAD",
    "LABEL",
    "LINK",
    "LOCK",
    "MERGE",
    "MKACTIVITY",
    "MKCALENDAR",
    "MKCOL",
    "MKREDIRECTREF",
    "MKWORKSPACE",
    "MOVE",
    "OPTIONS",
    "ORDERPATCH",
    "PATCH",
    "POST",
    "PRI",
    "PROPFIND",
    "PROPPATCH",
    "PUT",
    "QUERY",
    "REBIND",
    "REPORT",
    "SEARCH",
    "TRACE",
    "UNBIND",
    "UNCHECKOUT",
    "UNLINK",
    "UNLOCK",
    "UPDATE",
    "UPDATEREDIRECTREF",
    "VERSION-CONTROL",
};

#endif
