#!/usr/bin/env python3
"""Checks oddport's reading of TLS server certificates against tshark's X.509 decoding.

usage: tls-certificates.py [--expect-comparisons] ODDPORT TSHARK CAPTURE_OR_FOLDER...

For each capture it runs oddport, then tshark (any release) on the packets that end a Certificate
handshake message, decoding as TLS every TCP port where oddport found a TLS server, and reads
tshark's decoding tree (PDML). The first certificate of the first Certificate message a server
sent in each TCP stream is joined to oddport's flow by ports, addresses and time, and compared
with the flow's tls.certificate:

  subject_cn, issuer_cn  the last commonName (2.5.4.3) of x509af.subject and x509af.issuer, as
                         the x509sat string under it shows it
  not_before, not_after  x509af.notBefore and notAfter (their utcTime or generalizedTime)
  self_signed            the bytes of x509af.subject and x509af.issuer are the same

A field oddport left empty because its copy of the certificate was cut short (truncated) is
listed, not compared, as is a certificate only one of the two saw. Prints the counts and every
difference; exits 1 when there is any (or, with --expect-comparisons, when nothing was compared),
77 when tshark is missing.
"""
import concurrent.futures
import ipaddress
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

# The shared module is read from this folder, which may not be writable.
sys.dont_write_bytecode = True
from flow_join import captures_of, epoch_ns_of_tshark, find_flow, oddport_flows, skip, \
    tshark_release  # noqa: E402

COMMON_NAME_OID = "2.5.4.3"
# The string types tshark decodes the directory string of a name as.
STRING_FIELDS = {"x509sat.uTF8String", "x509sat.printableString", "x509sat.teletexString",
                 "x509sat.bmpString", "x509sat.universalString"}
CERTIFICATE_FIELDS = ("subject_cn", "issuer_cn", "not_before", "not_after", "self_signed")


def children(element, name):
    return [child for child in element if child.get("name") == name]


def descendant(element, name):
    return next((found for found in element.iter("field") if found.get("name") == name), None)


def last_common_name(name_field):
    """The last commonName of a Name as tshark shows it, or None when it has none."""
    common_name = None
    for attribute in name_field.iter("field"):
        if attribute.get("name") != "x509if.RelativeDistinguishedName_item_element":
            continue
        oid = descendant(attribute, "x509if.oid")
        if oid is None or oid.get("show") != COMMON_NAME_OID:
            continue
        text = next((found.get("show") for found in attribute.iter("field")
                     if found.get("name") in STRING_FIELDS), None)
        if text is None:
            # A string type a DirectoryString does not have (IA5String) is not decoded as a
            # field, but tshark still shows it in the item's summary.
            summary = re.match(r"^RelativeDistinguishedName item \(id-at-commonName=(.*)\)$",
                               attribute.get("showname", ""), re.DOTALL)
            text = summary.group(1) if summary else None
        if text is not None:
            common_name = text
    # oddport writes an empty name as none: to a reader both say nothing.
    return common_name or None


# tshark shows a utcTime as "2026-11-28 01:10:51 (UTC)" ("2026-11-28 01:10 (UTC)" without
# seconds) and a generalizedTime as an absolute time, "Nov 15, 2015 00:00:00.000000000 UTC" or
# ISO 8601 by release.
TIME_PATTERNS = [
    (re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)(?::(\d\d))? \(UTC\)$"), None),
    (re.compile(r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?(Z| UTC|\+0000)?$"), None),
    (re.compile(r"^([A-Z][a-z]{2}) +(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)(\.\d+)? UTC$"), "month"),
]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def rfc3339_of_tshark_time(text):
    """A validity time as tshark shows it, as oddport writes it (to the second), or None when
    tshark shows something that is no time."""
    for pattern, form in TIME_PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        parts = match.groups()
        if form == "month":
            if parts[0] not in MONTHS:
                return None
            numbers = [int(parts[2]), MONTHS.index(parts[0]) + 1, int(parts[1])]
            numbers += [int(part) for part in parts[3:6]]
        else:
            numbers = [int(part or "0") for part in parts[:6]]
        return "%04d-%02d-%02dT%02d:%02d:%02dZ" % tuple(numbers)
    return None


def validity_time(validity, name):
    """notBefore or notAfter as oddport writes it; None when tshark shows no time there."""
    time_choice = next(iter(children(validity, name)), None)
    if time_choice is None:
        return None
    shown = next((found.get("show") for found in time_choice.iter("field")
                  if found.get("name") in ("x509af.utcTime", "x509af.generalizedTime")), None)
    return rfc3339_of_tshark_time(shown) if shown is not None else None


def certificate_fields(certificate):
    """oddport's certificate members, as tshark decodes one tls.handshake.certificate."""
    signed = descendant(certificate, "x509af.signedCertificate_element")
    if signed is None:
        return None
    issuer = next(iter(children(signed, "x509af.issuer")), None)
    subject = next(iter(children(signed, "x509af.subject")), None)
    validity = next(iter(children(signed, "x509af.validity_element")), None)
    fields = {
        "issuer_cn": last_common_name(issuer) if issuer is not None else None,
        "subject_cn": last_common_name(subject) if subject is not None else None,
        "not_before": validity_time(validity, "x509af.notBefore") if validity is not None else None,
        "not_after": validity_time(validity, "x509af.notAfter") if validity is not None else None,
        "self_signed": None,
    }
    if issuer is not None and subject is not None:
        fields["self_signed"] = issuer.get("value") == subject.get("value")
    return fields


def canonical_ip(text):
    return str(ipaddress.ip_address(text))


def packet_places(packet):
    """(time, all the addresses, source address, (source port, destination port), stream) of a
    PDML packet; the innermost IP header, the last one, is the sender's."""
    values = {}
    for field in packet.iter("field"):
        values.setdefault(field.get("name"), []).append(field.get("show"))
    addresses = [canonical_ip(value) for name in ("ip.src", "ip.dst", "ipv6.src", "ipv6.dst")
                 for value in values.get(name, [])]
    sources = []
    for proto in packet.iter("proto"):
        if proto.get("name") in ("ip", "ipv6"):
            source = descendant(proto, proto.get("name") + ".src")
            if source is not None:
                sources.append(canonical_ip(source.get("show")))
    if not sources or "tcp.srcport" not in values:
        return None
    return (epoch_ns_of_tshark(values["frame.time_epoch"][0]), set(addresses), sources[-1],
            (int(values["tcp.srcport"][-1]), int(values["tcp.dstport"][-1])),
            values["tcp.stream"][-1])


def tshark_certificates(tshark, capture, tls_ports):
    """Per TCP stream and sending side: (time, addresses, sender, ports, fields) of the first
    certificate of the first Certificate message, in the order tshark read them."""
    command = list(tshark) + ["-r", capture, "-n"]
    for port in sorted(tls_ports):
        command += ["-d", "tcp.port==%d,tls" % port]
    command += ["-Y", "tls.handshake.type == 11", "-T", "pdml"]
    run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    error = run.stderr.decode("utf-8", "replace")
    # tshark writes a string it decodes into something that is not UTF-8 as it is (a BMPString's
    # lone surrogates): replaced, so that the rest of the document can be read.
    parser = ElementTree.XMLPullParser(events=("end",))
    firsts = {}
    try:
        parser.feed(run.stdout.decode("utf-8", "replace"))
        parser.close()
    except ElementTree.ParseError as problem:
        # tshark stops mid-document when a capture is cut short; then what it wrote counts.
        if run.returncode == 0:
            raise RuntimeError("tshark's PDML of %s cannot be read: %s" % (capture, problem))
    for _, element in parser.read_events():
        if element.tag != "packet":
            continue
        places = packet_places(element)
        certificate = descendant(element, "tls.handshake.certificate")
        if places is not None and certificate is not None:
            key = (places[4], places[2], places[3][0])
            if key not in firsts:
                firsts[key] = places[:4] + (certificate_fields(certificate),)
    if run.returncode != 0 and not firsts and not re.search(r"cut short|damaged|truncated", error):
        raise RuntimeError("tshark failed on %s: %s" % (capture, error[-500:]))
    return firsts


def check_capture(oddport, tshark, capture):
    """(compared per field, differences, listed) for one capture, or None if oddport cannot
    read it."""
    flows = oddport_flows(oddport, capture)
    if flows is None:
        return None
    compared = {field: 0 for field in CERTIFICATE_FIELDS}
    differences = []
    listed = []
    tls_ports = {flow["server"]["port"] for flow in flows if flow["app"] == "tls"}
    seen_flows = set()
    firsts = tshark_certificates(tshark, capture, tls_ports)
    for (stream, _, _), (time_ns, addresses, sender, ports, expected) in firsts.items():
        where = "%s stream %s (ports %d, %d)" % (os.path.basename(capture), stream, *ports)
        flow = find_flow(flows, ports, time_ns, addresses)
        if flow is None:
            differences.append("%s: a certificate in tshark, but no oddport flow matches" % where)
            continue
        if (sender, ports[0]) != (flow["server"]["ip"], flow["server"]["port"]):
            listed.append("%s: a certificate the client sent" % where)
            continue
        seen_flows.add(flow["id"])
        got = (flow["tls"] or {}).get("certificate")
        if expected is None:
            listed.append("%s: a certificate tshark could not decode" % where)
            continue
        if got is None:
            listed.append("%s: a certificate (subject %s) oddport did not read, its server "
                          "side being %s" % (where, expected["subject_cn"], flow["server_app"]))
            continue
        for field in CERTIFICATE_FIELDS:
            if got[field] is None and got["truncated"]:
                listed.append("%s: %s, which oddport's copy of the certificate was cut short "
                              "before" % (where, field))
                continue
            compared[field] += 1
            if got[field] != expected[field]:
                differences.append("%s: %s is %r in tshark, %r in oddport" %
                                   (where, field, expected[field], got[field]))
    for flow in flows:
        certificate = (flow["tls"] or {}).get("certificate")
        if certificate is not None and flow["id"] not in seen_flows:
            listed.append("%s flow %s: a certificate (subject %s) tshark did not decode" %
                          (os.path.basename(capture), flow["id"], certificate["subject_cn"]))
    return compared, differences, listed


def main():
    arguments = sys.argv[1:]
    expect_comparisons = "--expect-comparisons" in arguments
    arguments = [argument for argument in arguments if argument != "--expect-comparisons"]
    if len(arguments) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    oddport, tshark = arguments[0], shlex.split(arguments[1])
    if not tshark:
        skip("tshark was not found; the certificate check needs it")
    release, _ = tshark_release(tshark, arguments[1])

    compared = {field: 0 for field in CERTIFICATE_FIELDS}
    differences = []
    listed = []
    captures = 0
    # tshark's start-up is most of its time on small captures: two at once.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda capture: check_capture(oddport, tshark, capture),
                           list(captures_of(arguments[2:])))
        for result in results:
            if result is None:
                continue
            captures += 1
            for field, count in result[0].items():
                compared[field] += count
            differences += result[1]
            listed += result[2]
    for line in listed:
        print("not compared: " + line)
    for line in differences:
        print("DIFFERENT: " + line)
    summary = ", ".join("%s %d" % (field, compared[field]) for field in CERTIFICATE_FIELDS)
    print("tshark %s, %d captures, %d certificates; compared: %s; %d differences" %
          (release, captures, max(compared.values()), summary, len(differences)))
    if differences:
        return 1
    if expect_comparisons and not any(compared.values()):
        print("nothing was compared")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
