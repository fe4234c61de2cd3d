#!/usr/bin/env bash
# record-udp-midstream.sh: record oddport's UDP and midstream test captures and their ground truth.
#
# Usage (as root, Debian 12 with tcpdump, python3, openssl, dnsutils (dig),
# openssh-server and openssh-client installed):
#
#     sudo captures/record-udp-midstream.sh [OUTPUT_DIR]   # default: captures/
#
# It starts real servers (small python3 UDP responders, a DNS responder,
# python3 http.server, openssl s_server, sshd) on loopback addresses only
# (127.0.0.x, ::1), runs real clients against them, records the traffic with
# tcpdump -i lo and stops everything it started.  Like record.sh it runs inside
# a private network namespace (unshare --net) when it may; otherwise (or with
# ODDPORT_NO_NETNS=1) it uses the host's loopback, skips a scenario whose
# address is taken and restricts the recordings to its own endpoints.
#
# Two recordings, one after the other:
#   udp.pcap        UDP conversations: SSDP-style HTTP over UDP, a lone HTTP
#                   request datagram, HTTP in the reply only (IPv6), an SSH
#                   banner datagram, a DNS query (dig).
#   midstream.pcap  TCP connections whose handshake is not in the file: every
#                   connection is established *before* tcpdump starts, and the
#                   first bytes are sent only once it listens.  Clients wait
#                   for a go file; sshd is held with SIGSTOP so that the
#                   kernel completes the handshake and sshd sends its banner
#                   after SIGCONT; one HTTP server holds its response until
#                   the recording runs, so the request is not in the file.
# and the ground truth udp.truth and midstream.truth (format: captures/README.md).
# Classic pcap, microseconds, link type EN10MB.  Runtime: about 10 s.

set -euo pipefail
export LC_ALL=C

me=record-udp-midstream.sh
self=$(readlink -f "${BASH_SOURCE[0]}")
tools=(tcpdump tshark curl dig ssh-keyscan)
CLIENT_TIMEOUT=30   # seconds, for every client
SSHD_LOGIN_GRACE=20 # seconds: ssh-keyscan -T 20
# shellcheck source=SCRIPTDIR/record-common.sh
source "$(dirname "$self")/record-common.sh" "$@"

# --- helpers: python services and clients -----------------------------------
cat >"$tmp/helper.py" <<'PYEOF'
"""Loopback UDP responders, a held HTTP server and clients for record-udp-midstream.sh."""
import email.utils
import http.server
import os
import socket
import ssl
import struct
import sys
import time

TIMEOUT = 20.0
SSH_BANNER_CLIENT = b"SSH-2.0-oddport_udp_probe_1.0\r\n"
SSH_BANNER_SERVER = b"SSH-2.0-oddport_udp_responder_1.0\r\n"
# A STUN binding request (RFC 8489): type, length 0, magic cookie, transaction id.
STUN_BINDING = struct.pack("!HHI", 0x0001, 0, 0x2112A442) + bytes.fromhex("6f6464706f72742d75647031")


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def hostport(host, port):
    return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)


def udp_socket(host, port):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.bind((host, port))
    return s


def ssdp_reply(host, port):
    return ("HTTP/1.1 200 OK\r\n"
            "CACHE-CONTROL: max-age=1800\r\n"
            "DATE: %s\r\n"
            "EXT:\r\n"
            "LOCATION: http://%s/rootDesc.xml\r\n"
            "SERVER: Linux/6.1 UPnP/1.0 oddport-ssdp/1\r\n"
            "ST: upnp:rootdevice\r\n"
            "USN: uuid:6f646470-6f72-7400-0000-000000000040::upnp:rootdevice\r\n"
            "\r\n" % (email.utils.formatdate(usegmt=True), hostport(host, 49200))).encode()


def dns_answer(query, address):
    """A minimal authoritative answer: the question's name has one A record."""
    if len(query) < 12:
        return None
    ident, flags, qdcount = struct.unpack("!HHH", query[:6])
    if qdcount != 1 or flags & 0x8000:
        return None
    end = 12
    while end < len(query) and query[end] != 0:
        end += 1 + query[end]
    end += 1 + 4  # the root label, QTYPE, QCLASS
    if end > len(query):
        return None
    question = query[12:end]
    qtype, qclass = struct.unpack("!HH", question[-4:])
    rd = flags & 0x0100
    if qtype == 1 and qclass == 1:
        answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(address)
        return struct.pack("!HHHHHH", ident, 0x8400 | rd, 1, 1, 0, 0) + question + answer
    return struct.pack("!HHHHHH", ident, 0x8400 | rd, 1, 0, 0, 0) + question


def serve_udp(mode, host, port):
    s = udp_socket(host, port)
    while True:
        data, peer = s.recvfrom(4096)
        if mode == "ssdp":
            if data.startswith(b"M-SEARCH * HTTP/1.1\r\n"):
                s.sendto(ssdp_reply(host, port), peer)
        elif mode == "sink":  # receives, never answers (and so no ICMP port unreachable)
            pass
        elif mode == "httpreply":  # whatever arrives, the answer is an HTTP 400
            s.sendto(b"HTTP/1.1 400 Bad Request\r\nServer: oddport-udp-http/1\r\n"
                     b"Content-Type: text/plain\r\nContent-Length: 12\r\n"
                     b"Connection: close\r\n\r\nbad request\n", peer)
        elif mode == "sshbanner":
            if data.startswith(b"SSH-"):
                s.sendto(SSH_BANNER_SERVER, peer)
        elif mode == "dns":
            reply = dns_answer(data, host)
            if reply is not None:
                s.sendto(reply, peer)
        else:
            raise ValueError(mode)


def wait_for(path):
    deadline = time.monotonic() + TIMEOUT
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError("no " + path)
        time.sleep(0.02)


def serve_held_http(host, port, directory, got, go):
    """http.server that answers each request only once the file GO exists."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=directory, **kwargs)

        def do_GET(self):
            open(got, "w").close()
            wait_for(go)
            super().do_GET()

    class Server(http.server.ThreadingHTTPServer):
        address_family = family(host)

    with Server((host, port), Handler) as srv:
        srv.serve_forever()


def read_all(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def udp_client(mode, host, port):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    s.connect((host, port))
    if mode == "ssdp":
        s.send(("M-SEARCH * HTTP/1.1\r\n"
                "HOST: %s\r\n"
                "MAN: \"ssdp:discover\"\r\n"
                "MX: 1\r\n"
                "ST: upnp:rootdevice\r\n"
                "USER-AGENT: Linux/6.1 UPnP/1.1 oddport-recorder/1\r\n"
                "\r\n" % hostport(host, port)).encode())
        if not s.recv(4096).startswith(b"HTTP/1.1 200 OK\r\n"):
            raise RuntimeError("no SSDP answer")
    elif mode == "get":  # one datagram, no answer expected
        s.send(("GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: oddport-recorder/1\r\n"
                "Accept: */*\r\n\r\n" % hostport(host, port)).encode())
    elif mode == "stun":
        s.send(STUN_BINDING)
        if not s.recv(4096).startswith(b"HTTP/1.1 400 "):
            raise RuntimeError("no HTTP answer")
    elif mode == "ssh":
        s.send(SSH_BANNER_CLIENT)
        if s.recv(4096) != SSH_BANNER_SERVER:
            raise RuntimeError("no SSH banner answer")
    else:
        raise ValueError(mode)
    return 0


def mid_client(mode, host, port, go, name):
    """Connect now; send the first byte only once the file GO exists."""
    with socket.create_connection((host, port), timeout=TIMEOUT) as s:
        wait_for(go)
        if mode == "http":
            s.sendall(("GET /hello.txt HTTP/1.1\r\nHost: %s:%d\r\n"
                       "User-Agent: oddport-midstream/1\r\nAccept: */*\r\n"
                       "Connection: close\r\n\r\n" % (name, port)).encode())
            reply = read_all(s)
        elif mode == "tls":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE  # a throw-away self-signed certificate
            ctx.set_alpn_protocols(["http/1.1"])
            with ctx.wrap_socket(s, server_hostname=name) as t:
                t.sendall(("GET / HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n"
                           % (name, port)).encode())
                reply = read_all(t)
        else:
            raise ValueError(mode)
        if not reply.startswith(b"HTTP/1."):
            raise RuntimeError("no HTTP answer")
    return 0


def main(argv):
    what = argv[1]
    if what == "serve-udp":
        serve_udp(argv[2], argv[3], int(argv[4]))
    elif what == "serve-held-http":
        serve_held_http(argv[2], int(argv[3]), argv[4], argv[5], argv[6])
    elif what == "udp-client":
        return udp_client(argv[2], argv[3], int(argv[4]))
    elif what == "mid-client":
        return mid_client(argv[2], argv[3], int(argv[4]), argv[5], argv[6])
    else:
        raise SystemExit("usage: helper.py serve-udp|serve-held-http|udp-client|mid-client ...")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
PYEOF

# --- this script's own servers: python UDP responders and a held http.server -----
start_udp() { spawn "udp-$3-$1-$2" "$PY" "$tmp/helper.py" serve-udp "$3" "$1" "$2"; }
start_ssdp() { start_udp "$1" "$2" ssdp; }
start_sink() { start_udp "$1" "$2" sink; }
start_httpreply() { start_udp "$1" "$2" httpreply; }
start_sshbanner() { start_udp "$1" "$2" sshbanner; }
start_dns() { start_udp "$1" "$2" dns; }
start_held_http() {
  need_www
  spawn "held-http-$1-$2" "$PY" "$tmp/helper.py" serve-held-http "$1" "$2" "$tmp/www" \
    "$tmp/got.$2" "$tmp/go.$2"
}

# --- clients: each one through run, under a timeout ---------------------------------
CURL=(curl -q -sS --noproxy '*' -o /dev/null --connect-timeout 5 --max-time 12
      -A 'oddport-recorder/1 (curl)')

# UDP clients, run while udp.pcap records.  $1 = server ip, $2 = server port.
c_ssdp() { run ok "$PY" "$tmp/helper.py" udp-client ssdp "$1" "$2"; }
c_get() { run ok "$PY" "$tmp/helper.py" udp-client get "$1" "$2"; }
c_stun() { run ok "$PY" "$tmp/helper.py" udp-client stun "$1" "$2"; }
c_sshbanner() { run ok "$PY" "$tmp/helper.py" udp-client ssh "$1" "$2"; }
c_dig() { run ok dig "@$1" -p "$2" +tries=1 +time=5 www.oddport.test A; }

# Midstream clients come in two halves: "open" connects (before the recording
# starts) and leaves a process running; "go" makes it send, then waits for it.
client_pid=()
open_bg() { # open_bg PORT CMD...: start a client in the background
  local port=$1; shift
  spawn "client-$port" timeout -k 2 "$CLIENT_TIMEOUT" "$@"
  client_pid[port]=$last_pid
}
go_wait() { # go_wait PORT: wait for the client started by open_bg
  local rc=0
  wait "${client_pid[$1]}" || rc=$?
  cat "$tmp/client-$1.log" >>"$tmp/clients.log"
  ((rc == 0)) || die "client for port $1 failed (exit $rc): $(tail -n 3 "$tmp/client-$1.log")"
}
established() { # established IP PORT: a client connection to IP:PORT is open
  ss -Htn state established | awk '{print $4}' | grep -qxF -- "$(bracket "$1"):$2"
}
wait_established() {
  for ((i = 0; ; i++)); do
    established "$1" "$2" && return
    ((i < 100)) || die "no established connection to $1 port $2 within 10 s"
    sleep 0.1
  done
}
o_mid_http() { open_bg "$2" "$PY" "$tmp/helper.py" mid-client http "$1" "$2" "$tmp/go.$2" mid.oddport.test; wait_established "$1" "$2"; }
g_mid_http() { touch "$tmp/go.$2"; go_wait "$2"; }
o_mid_tls() { open_bg "$2" "$PY" "$tmp/helper.py" mid-client tls "$1" "$2" "$tmp/go.$2" midtls.oddport.test; wait_established "$1" "$2"; }
g_mid_tls() { touch "$tmp/go.$2"; go_wait "$2"; }
o_mid_ssh() { # hold sshd: the kernel still completes the handshake and queues the connection
  local sshd_pid=${server_pid[tcp $1 $2]}
  kill -STOP "$sshd_pid"
  stopped_pid=$sshd_pid
  open_bg "$2" ssh-keyscan -T 20 -t ed25519 -p "$2" "$1"
  wait_established "$1" "$2"
}
g_mid_ssh() { kill -CONT "$stopped_pid"; stopped_pid=; go_wait "$2"; }
o_mid_held() { # the request goes out now; the held server answers after "go"
  open_bg "$2" "${CURL[@]}" "http://$1:$2/hello.txt"
  for ((i = 0; ; i++)); do
    [[ -f $tmp/got.$2 ]] && return
    ((i < 100)) || die "the held server on $1 port $2 got no request within 10 s"
    sleep 0.1
  done
}
g_mid_held() { touch "$tmp/go.$2"; go_wait "$2"; }

# --- the scenarios ------------------------------------------------------------
# capture transport ip port app nonstandard severity server-starter client description
# (for midstream, the client name is the prefix: o_NAME opens, g_NAME goes)
scenario_fields() { # scenario_fields LINE: one line of S into the fields above
  IFS=$'\t' read -r cap tr ip port app ns sev start client desc <<<"$1"
}
scenario udp udp 127.0.0.40 1900 http    true  alternate  start_ssdp      c_ssdp      "SSDP M-SEARCH answered by an HTTP/1.1 200 OK datagram on 1900/udp: HTTP over UDP on SSDP's own port (python responder)"
scenario udp udp 127.0.0.41 9999 http    true  unexpected start_sink      c_get       "one datagram GET / HTTP/1.1 to 9999/udp, never answered (python sink)"
scenario udp udp ::1        8765 http    true  unexpected start_httpreply c_stun      "IPv6: a STUN binding request answered by HTTP/1.1 400 Bad Request on 8765/udp (HTTP in the reply only)"
scenario udp udp 127.0.0.43 7022 ssh     true  unexpected start_sshbanner c_sshbanner "SSH-2.0 banner datagram answered by an SSH-2.0 banner on 7022/udp (python responder)"
scenario udp udp 127.0.0.44 53   unknown false -          start_dns       c_dig       "DNS A query (dig) answered by a python responder on 53/udp"
scenario mid tcp 127.0.0.50 8080 http    true  alternate  start_http      mid_http    "midstream: HTTP GET on 8080, connection opened before the recording (python socket; http.server)"
scenario mid tcp 127.0.0.51 8443 tls     true  alternate  start_tls       mid_tls     "midstream: TLS on 8443, ClientHello SNI midtls.oddport.test after the recording started (python ssl; openssl s_server)"
scenario mid tcp 127.0.0.52 2222 ssh     true  alternate  start_ssh       mid_ssh     "midstream: SSH on 2222, server banner first (ssh-keyscan; sshd held until the recording started)"
scenario mid tcp 127.0.0.53 5000 http    true  unexpected start_held_http mid_held    "midstream: HTTP on 5000, request sent before the recording, the first packet is the server's response (curl; held http.server)"

# --- start the servers ----------------------------------------------------------
start_servers

# --- recording ---------------------------------------------------------------------
record_start() { # record_start NAME CAPTURE: tcpdump -i lo on CAPTURE's endpoints
  local name=$1 which=$2 filter="" line
  for line in "${ran[@]}"; do
    scenario_fields "$line"
    [[ $cap == "$which" ]] && filter+="${filter:+ or }(host $ip and $tr port $port)"
  done
  [[ -n $filter ]] || die "no scenario of $name could start"
  filter="(net 127.0.0.0/8 or ip6 host ::1) and ($filter)"
  # -Z root: write into our private folder; see record.sh for -B and the pause at the end
  tcpdump -Z root -n -B 8192 -U -i lo -w "$tmp/$name" "$filter" 2>"$tmp/$name.log" &
  capture_pids=("$!")
  for ((i = 0; ; i++)); do
    grep -qs '^tcpdump: listening on' "$tmp/$name.log" && break
    ((i < 100)) || die "tcpdump for $name did not start: $(cat "$tmp/$name.log")"
    sleep 0.1
  done
  sleep 0.3
}
record_stop() { # record_stop NAME
  sleep 1.5 # the last packets, and TPACKET_V3 hands packets over in blocks of up to 1 s
  kill -INT "${capture_pids[0]}"
  wait "${capture_pids[0]}" || die "tcpdump for $1 failed"
  capture_pids=()
  grep -q '^0 packets dropped by kernel' "$tmp/$1.log" ||
    die "tcpdump lost packets for $1: $(cat "$tmp/$1.log")"
}

# udp.pcap: the clients one after the other
record_start udp.pcap udp
for line in "${ran[@]}"; do
  scenario_fields "$line"
  [[ $cap == udp ]] || continue
  note "client: $desc"
  "$client" "$ip" "$port"
done
record_stop udp.pcap

# midstream.pcap: open every connection, give the last ACKs time to pass, record, then go
for line in "${ran[@]}"; do
  scenario_fields "$line"
  [[ $cap == mid ]] && "o_$client" "$ip" "$port"
done
sleep 0.5
record_start midstream.pcap mid
for line in "${ran[@]}"; do
  scenario_fields "$line"
  [[ $cap == mid ]] || continue
  note "client: $desc"
  "g_$client" "$ip" "$port"
  sleep 0.2
done
record_stop midstream.pcap

for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done

# --- checks ------------------------------------------------------------------------
# tshark -T fields per packet: transport, src, dst, srcport, dstport, SYN, payload length
packets() {
  tshark -r "$1" -n -T fields -E separator=/t -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst \
    -e tcp.srcport -e udp.srcport -e tcp.dstport -e udp.dstport -e tcp.flags.syn \
    -e tcp.len -e udp.length 2>/dev/null |
    awk -F'\t' '{ print ($5 != "" ? "tcp" : "udp") "\t" $1 $2 "\t" $3 $4 "\t" $5 $6 "\t" $7 $8 "\t" $9 "\t" $10 $11 }'
}
[[ $(tshark -r "$tmp/midstream.pcap" -n -Y 'tcp.flags.syn == 1' 2>/dev/null | wc -l) == 0 ]] ||
  die "midstream.pcap holds a SYN"
for name in udp mid; do
  file=$tmp/$name.pcap
  [[ $name == mid ]] && file=$tmp/midstream.pcap
  packets "$file" >"$tmp/$name.packets"
  for line in "${ran[@]}"; do
    scenario_fields "$line"
    [[ $cap == "$name" ]] || continue
    # the first packet of the flow that carries payload (UDP length counts its 8-byte header)
    first=$(awk -F'\t' -v tr="$tr" -v ip="$ip" -v port="$port" \
      '$1 == tr && (($3 == ip && $5 == port) || ($2 == ip && $4 == port)) &&
       ((tr == "tcp" && $7 > 0) || (tr == "udp" && $7 > 8)) { print ($3 == ip ? "client" : "server"); exit }' \
      "$tmp/$name.packets")
    want=client
    [[ $client == mid_ssh || $client == mid_held ]] && want=server
    [[ $first == "$want" ]] || die "$name: the first payload to or from $ip port $port is from the ${first:-nobody}, not the $want"
  done
done

# --- publish ---------------------------------------------------------------------------
for name in udp mid; do
  file=$name
  [[ $name == mid ]] && file=midstream
  {
    printf '# oddport ground truth for %s.pcap, written by captures/record-udp-midstream.sh on %s\n' \
      "$file" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf '# transport\tserver_ip\tserver_port\tapp\tnonstandard\tseverity\tdescription\n'
    for line in "${ran[@]}"; do
      scenario_fields "$line"
      [[ $cap == "$name" ]] || continue
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tr" "$ip" "$port" "$app" "$ns" "$sev" "$desc"
    done
  } >"$tmp/$file.truth"
done

install -m 0644 "$tmp/udp.pcap" "$out_dir/udp.pcap"
install -m 0644 "$tmp/udp.truth" "$out_dir/udp.truth"
install -m 0644 "$tmp/midstream.pcap" "$out_dir/midstream.pcap"
install -m 0644 "$tmp/midstream.truth" "$out_dir/midstream.truth"

note "recorded $(wc -l <"$tmp/udp.packets") packets into udp.pcap and $(wc -l <"$tmp/mid.packets") into midstream.pcap, in $out_dir"
((${#ran[@]} == ${#S[@]})) || warn "$((${#S[@]} - ${#ran[@]})) scenario(s) skipped, see above"
