#!/usr/bin/env bash
# record.sh: record oddport's loopback test captures and their ground truth.
#
# Usage (as root, Debian 12 with tcpdump, tshark/editcap, python3, openssl,
# curl, openssh-server and openssh-client installed):
#
#     sudo captures/record.sh [OUTPUT_DIR]      # default: the captures/ folder
#
# It starts real servers (python3 http.server, openssl s_server, sshd and a
# few small python services) on loopback addresses only (127.0.0.x, ::1),
# runs one or two client connections against each, records the traffic and
# stops everything it started.  When it may, it runs inside a private network
# namespace (unshare --net) so that the recording holds nothing but its own
# traffic and no port on this machine can clash; otherwise (or with
# ODDPORT_NO_NETNS=1) it uses the host's loopback, skips a scenario whose
# address is taken and restricts the recording to its own endpoints.
#
# It writes, into OUTPUT_DIR:
#   loopback.pcap             tcpdump -i lo, classic pcap, microseconds
#   loopback-nanosecond.pcap  tcpdump -i lo --time-stamp-precision=nano, run
#                             at the same time (same packets, ns timestamps)
#   loopback.pcapng           editcap -F pcapng of the nanosecond recording
#   loopback-cooked.pcap      tcpdump -i any, run at the same time (Linux
#                             cooked capture), filtered to loopback addresses
#   loopback.truth            one line per scenario, tab-separated:
#                             transport server_ip server_port app nonstandard
#                             severity description   (severity "-" when the
#                             service is not nonstandard; "#" starts a comment)
# Runtime: under 10 s.  See captures/README.md.

set -euo pipefail
export LC_ALL=C

me=record.sh
self=$(readlink -f "${BASH_SOURCE[0]}")
tools=(tcpdump editcap tshark curl ssh ssh-keyscan)
CLIENT_TIMEOUT=10   # seconds, for every client
SSHD_LOGIN_GRACE=10 # seconds: no ssh client here takes longer
# shellcheck source=SCRIPTDIR/record-common.sh
source "$(dirname "$self")/record-common.sh" "$@"

# --- helpers: python services and clients -----------------------------------
cat >"$tmp/helper.py" <<'PYEOF'
"""Small loopback services and clients for record.sh (not HTTP/TLS/SSH)."""
import socket
import socketserver
import sys
import time

TIMEOUT = 5.0


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def answer(mode, line, state):
    """Return (reply bytes, close?) for one request line of a line protocol."""
    words = line.strip().split()
    cmd = words[0].upper() if words else b""
    if mode == "redis":  # Redis inline commands
        if cmd == b"PING":
            return b"+PONG\r\n", False
        if cmd == b"SET" and len(words) == 3:
            state[words[1]] = words[2]
            return b"+OK\r\n", False
        if cmd == b"GET" and len(words) == 2:
            v = state.get(words[1])
            if v is None:
                return b"$-1\r\n", False
            return b"$%d\r\n%s\r\n" % (len(v), v), False
        if cmd == b"QUIT":
            return b"+OK\r\n", True
        return b"-ERR unknown command\r\n", False
    if mode == "smtp":  # an SMTP-like dialogue
        if cmd in (b"EHLO", b"HELO"):
            return b"250-mail.oddport.test\r\n250 8BITMIME\r\n", False
        if cmd == b"NOOP":
            return b"250 OK\r\n", False
        if cmd == b"QUIT":
            return b"221 2.0.0 Bye\r\n", True
        return b"502 5.5.2 Command not recognized\r\n", False
    raise ValueError(mode)


class Handler(socketserver.StreamRequestHandler):
    timeout = TIMEOUT

    def handle(self):
        mode = self.server.mode
        if mode == "smtp":
            self.wfile.write(b"220 mail.oddport.test ESMTP ready\r\n")
        state = {}
        request = []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            if mode == "rtsp":  # RTSP/1.0: header block, then a response
                request.append(line)
                if line not in (b"\r\n", b"\n"):
                    continue
                cseq = b"0"
                for h in request:
                    if h.lower().startswith(b"cseq:"):
                        cseq = h.split(b":", 1)[1].strip()
                request = []
                self.wfile.write(b"RTSP/1.0 200 OK\r\nCSeq: " + cseq +
                                 b"\r\nServer: oddport-rtsp/1\r\n"
                                 b"Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n")
                continue
            reply, close = answer(mode, line, state)
            self.wfile.write(reply)
            if close:
                return


def serve_tcp(mode, host, port):
    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True
        address_family = family(host)

    with Server((host, port), Handler) as srv:
        srv.mode = mode
        srv.serve_forever()


def serve_udp(host, port):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.bind((host, port))
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(b"pong " + data, peer)


def connect(host, port):
    return socket.create_connection((host, port), timeout=TIMEOUT)


def read_until(sock, want):
    data = b""
    while want not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError("connection closed before %r" % want)
        data += chunk
    return data


def read_all(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def client(mode, host, port):
    if mode == "udp":
        s = socket.socket(family(host), socket.SOCK_DGRAM)
        s.settimeout(TIMEOUT)
        s.connect((host, port))
        for seq in (1, 2, 3):
            msg = b"ping seq=%d" % seq
            s.send(msg)
            if s.recv(2048) != b"pong " + msg:
                raise RuntimeError("bad udp answer")
        return 0
    with connect(host, port) as s:
        if mode == "redis":
            for cmd, want in ((b"PING", b"+PONG\r\n"), (b"SET greeting hello", b"+OK\r\n"),
                              (b"GET greeting", b"hello\r\n"), (b"QUIT", b"+OK\r\n")):
                s.sendall(cmd + b"\r\n")
                read_until(s, want)
        elif mode == "smtp":
            read_until(s, b"220 ")
            s.sendall(b"EHLO client.oddport.test\r\n")
            read_until(s, b"250 ")
            s.sendall(b"QUIT\r\n")
            read_until(s, b"221 ")
        elif mode == "rtsp":
            s.sendall(b"OPTIONS rtsp://%s:%d/stream RTSP/1.0\r\nCSeq: 1\r\n"
                      b"User-Agent: oddport-recorder/1\r\n\r\n" % (host.encode(), port))
            read_until(s, b"\r\n\r\n")
        elif mode == "split":  # one HTTP request in two TCP segments
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.sendall(b"GET /split HTTP/1.1\r\nHo")
            time.sleep(0.2)
            s.sendall(b"st: split.oddport.test\r\nUser-Agent: oddport-split/1\r\n"
                      b"Connection: close\r\n\r\n")
            if not read_all(s).startswith(b"HTTP/1."):
                raise RuntimeError("no HTTP answer")
        else:
            raise ValueError(mode)
    return 0


def main(argv):
    what = argv[1]
    if what == "serve":
        mode, host, port = argv[2], argv[3], int(argv[4])
        if mode == "udp":
            serve_udp(host, port)
        else:
            serve_tcp(mode, host, port)
        return 0
    if what == "client":
        return client(argv[2], argv[3], int(argv[4]))
    raise SystemExit("usage: helper.py serve|client MODE HOST PORT")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
PYEOF

# --- this script's own servers: small python services ----------------------------
start_redis() { spawn "redis-$1-$2" "$PY" "$tmp/helper.py" serve redis "$1" "$2"; }
start_smtp() { spawn "smtp-$1-$2" "$PY" "$tmp/helper.py" serve smtp "$1" "$2"; }
start_rtsp() { spawn "rtsp-$1-$2" "$PY" "$tmp/helper.py" serve rtsp "$1" "$2"; }
start_udp() { spawn "udp-$1-$2" "$PY" "$tmp/helper.py" serve udp "$1" "$2"; }

# --- clients: each one through run, under a timeout -----------------------------
CURL=(curl -q -sS --noproxy '*' -o /dev/null --connect-timeout 5 --max-time 8
      -A 'oddport-recorder/1 (curl)')
SSH_OPTS=(-F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no
          -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null
          -o PubkeyAuthentication=no -o PasswordAuthentication=no
          -o KbdInteractiveAuthentication=no -o GSSAPIAuthentication=no
          -o HostbasedAuthentication=no -o ConnectTimeout=5 -o LogLevel=ERROR)

# $1 = server ip, $2 = server port for every client function
c_http_two() {
  run ok "${CURL[@]}" --resolve "www.oddport.test:$2:$1" "http://www.oddport.test:$2/"
  run ok "${CURL[@]}" --resolve "www.oddport.test:$2:$1" "http://www.oddport.test:$2/hello.txt"
}
c_http_get() { run ok "${CURL[@]}" -g "http://$(bracket "$1"):$2/hello.txt"; }
c_http_head() { run ok "${CURL[@]}" -I "http://$1:$2/hello.txt"; }
c_http_post() { run ok "${CURL[@]}" --data 'q=oddport' "http://$1:$2/form"; } # 501 answer
c_http_split() { run ok "$PY" "$tmp/helper.py" client split "$1" "$2"; }
c_http_h2() { run any "${CURL[@]}" --http2-prior-knowledge "http://$1:$2/"; }
c_tls_curl() { # SNI needs a host name: map one to the address
  local name=$3
  run ok "${CURL[@]}" -k --resolve "$name:$2:$(bracket "$1")" "https://$name:$2/"
}
c_tls_sclient() {
  run ok openssl s_client -connect "$(bracket "$1"):$2" -servername "$3" -alpn http/1.1 "${@:4}"
}
c_tls_443() { c_tls_curl "$1" "$2" tls443.oddport.test; c_tls_sclient "$1" "$2" tls443.oddport.test; }
c_tls_4443() { c_tls_curl "$1" "$2" tls4443.oddport.test; }
c_tls_8443() { c_tls_sclient "$1" "$2" tls8443.oddport.test -tls1_2; }
c_tls_80() { c_tls_curl "$1" "$2" tls80.oddport.test; }
c_tls_22() { c_tls_sclient "$1" "$2" tls22.oddport.test; }
c_tls_v6() { c_tls_curl "$1" "$2" tls6.oddport.test; c_tls_sclient "$1" "$2" tls6.oddport.test; }
c_ssh_login() { run fail ssh "${SSH_OPTS[@]}" -p "$2" "nobody@$1" true; } # auth fails
c_ssh_keyscan() { run ok ssh-keyscan -T 5 -t ed25519 -p "$2" "$1"; }
c_ssh_both() { c_ssh_login "$@"; c_ssh_keyscan "$@"; }
c_redis() { run ok "$PY" "$tmp/helper.py" client redis "$1" "$2"; }
c_smtp() { run ok "$PY" "$tmp/helper.py" client smtp "$1" "$2"; }
c_rtsp() { run ok "$PY" "$tmp/helper.py" client rtsp "$1" "$2"; }
c_udp() { run ok "$PY" "$tmp/helper.py" client udp "$1" "$2"; }

# --- the scenarios ------------------------------------------------------------
# transport ip port app nonstandard severity server-starter client description
scenario_fields() { # scenario_fields LINE: one line of S into the fields above
  IFS=$'\t' read -r tr ip port app ns sev start client desc <<<"$1"
}
scenario tcp 127.0.0.2  80    http  false -          start_http  c_http_two   "HTTP on 80 (2 GETs, curl)"
scenario tcp 127.0.0.3  8080  http  true  alternate  start_http  c_http_head  "HTTP on 8080 (HEAD, curl)"
scenario tcp 127.0.0.4  3000  http  true  unexpected start_http  c_http_post  "HTTP on 3000 (POST answered 501, curl)"
scenario tcp 127.0.0.5  443   http  true  masquerade start_http  c_http_get   "plain HTTP on 443 (curl)"
scenario tcp 127.0.0.6  50080 http  true  unexpected start_http  c_http_get   "HTTP on ephemeral port 50080 (curl)"
scenario tcp ::1        8000  http  true  alternate  start_http  c_http_get   "HTTP over IPv6 on 8000 (curl)"
scenario tcp 127.0.0.7  8888  http  true  alternate  start_http  c_http_split "HTTP request split over two TCP segments, on 8888 (python socket)"
scenario tcp 127.0.0.8  8008  http  true  alternate  start_http  c_http_h2    "HTTP/2 prior-knowledge preface on 8008, answered by an HTML 505 page without status line (curl --http2-prior-knowledge)"
scenario tcp 127.0.0.10 443   tls   false -          start_tls   c_tls_443    "TLS on 443 (curl ALPN h2,http/1.1; openssl s_client) SNI tls443.oddport.test"
scenario tcp 127.0.0.11 4443  tls   true  alternate  start_tls   c_tls_4443   "TLS on 4443 (curl) SNI tls4443.oddport.test"
scenario tcp 127.0.0.12 8443  tls   true  alternate  start_tls   c_tls_8443   "TLS 1.2 on 8443 (openssl s_client) SNI tls8443.oddport.test"
scenario tcp 127.0.0.13 80    tls   true  masquerade start_tls   c_tls_80     "TLS on 80 (curl) SNI tls80.oddport.test"
scenario tcp 127.0.0.14 22    tls   true  masquerade start_tls   c_tls_22     "TLS on 22 (openssl s_client) SNI tls22.oddport.test"
scenario tcp ::1        443   tls   false -          start_tls   c_tls_v6     "TLS over IPv6 on 443 (curl; openssl s_client) SNI tls6.oddport.test"
scenario tcp 127.0.0.20 22    ssh   false -          start_ssh   c_ssh_both   "SSH on 22 (ssh, auth refused; ssh-keyscan)"
scenario tcp 127.0.0.21 2222  ssh   true  alternate  start_ssh   c_ssh_keyscan "SSH on 2222 (ssh-keyscan)"
scenario tcp 127.0.0.22 443   ssh   true  masquerade start_ssh   c_ssh_login  "SSH on 443 (ssh, auth refused)"
scenario tcp 127.0.0.23 8022  ssh   true  unexpected start_ssh   c_ssh_keyscan "SSH on 8022 (ssh-keyscan)"
scenario tcp ::1        22    ssh   false -          start_ssh   c_ssh_keyscan "SSH over IPv6 on 22 (ssh-keyscan)"
scenario tcp 127.0.0.30 6379  unknown false -        start_redis c_redis      "Redis-style inline commands on 6379 (not HTTP/TLS/SSH)"
scenario tcp 127.0.0.31 2525  unknown false -        start_smtp  c_smtp       "SMTP-like 220 banner dialogue on 2525 (not HTTP/TLS/SSH)"
scenario tcp 127.0.0.32 554   unknown false -        start_rtsp  c_rtsp       "RTSP/1.0 OPTIONS on 554 (HTTP-like, not HTTP)"
scenario udp 127.0.0.33 9999  unknown false -        start_udp   c_udp        "UDP request/response on 9999 (3 datagrams each way)"

# --- start the servers ----------------------------------------------------------
start_servers

# --- start the recordings --------------------------------------------------------
# Only our endpoints, only loopback addresses (the same filter for every file).
filter=
for entry in "${ran[@]}"; do
  scenario_fields "$entry"
  filter+="${filter:+ or }(host $ip and $tr port $port)"
done
filter="(net 127.0.0.0/8 or ip6 host ::1) and ($filter)"

record() { # record NAME TCPDUMP-ARGS...
  local name=$1; shift
  # -Z root: write as root into our private folder; -B: room for bursts; the
  # default (TPACKET_V3) ring hands packets over in blocks, at the latest
  # after 1 s, hence the pause before the recordings are stopped.
  tcpdump -Z root -n -B 8192 -U "$@" -w "$tmp/$name" "$filter" 2>"$tmp/$name.log" &
  capture_pids+=("$!")
}
record lo-us.pcap -i lo
record lo-ns.pcap -i lo --time-stamp-precision=nano
record any.pcap -i any
for name in lo-us.pcap lo-ns.pcap any.pcap; do
  for ((i = 0; ; i++)); do
    grep -q '^tcpdump: listening on' "$tmp/$name.log" && break
    ((i < 100)) || die "tcpdump for $name did not start: $(cat "$tmp/$name.log")"
    sleep 0.1
  done
done
sleep 0.3

# --- the clients, one scenario after the other -------------------------------------
for entry in "${ran[@]}"; do
  scenario_fields "$entry"
  note "client: $desc"
  "$client" "$ip" "$port"
done

# --- stop recording, then the servers --------------------------------------------
sleep 1.5 # let the last packets (FIN/ACK) arrive and the capture ring hand them over
for pid in "${capture_pids[@]}"; do kill -INT "$pid"; done
for pid in "${capture_pids[@]}"; do wait "$pid" || die "tcpdump $pid failed"; done
capture_pids=()
for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done

for name in lo-us.pcap lo-ns.pcap any.pcap; do
  grep -q '^0 packets dropped by kernel' "$tmp/$name.log" ||
    die "tcpdump lost packets for $name: $(cat "$tmp/$name.log")"
done

# --- derived file and checks ---------------------------------------------------------
editcap -F pcapng "$tmp/lo-ns.pcap" "$tmp/lo.pcapng"

# Same packets everywhere: compare the bytes after the link-layer header.
digest() { tcpdump -n -t -x -r "$1" 2>/dev/null | grep '^[[:space:]]' | md5sum; }
want=$(digest "$tmp/lo-us.pcap")
for name in lo-ns.pcap lo.pcapng any.pcap; do
  [[ $(digest "$tmp/$name") == "$want" ]] || die "$name does not hold the same packets as lo-us.pcap"
done

# Every scenario present in every file: a TCP SYN to, or a UDP datagram to,
# the server endpoint.
starts() {
  tshark -r "$1" -n -T fields -E separator=, -e ip.dst -e ipv6.dst -e tcp.dstport -e udp.dstport \
    -Y '(tcp.flags.syn == 1 && tcp.flags.ack == 0) || udp' 2>/dev/null |
    awk -F, '{ print ($3 != "" ? "tcp" : "udp") "\t" $1 $2 "\t" $3 $4 }' | sort | uniq -c
}
for name in lo-us.pcap lo-ns.pcap lo.pcapng any.pcap; do
  starts "$tmp/$name" >"$tmp/$name.starts"
  for entry in "${ran[@]}"; do
    scenario_fields "$entry"
    grep -qP "^\s*\d+ \Q$tr\E\t\Q$ip\E\t$port$" "$tmp/$name.starts" ||
      die "$name has no $tr flow to $ip port $port"
  done
done
cmp -s "$tmp/lo-us.pcap.starts" "$tmp/any.pcap.starts" || die "flow starts differ between lo and any"

# --- publish ---------------------------------------------------------------------------
{
  printf '# oddport ground truth, written by captures/record.sh on %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf '# transport\tserver_ip\tserver_port\tapp\tnonstandard\tseverity\tdescription\n'
  for entry in "${ran[@]}"; do
    scenario_fields "$entry"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tr" "$ip" "$port" "$app" "$ns" "$sev" "$desc"
  done
} >"$tmp/loopback.truth"

install -m 0644 "$tmp/lo-us.pcap" "$out_dir/loopback.pcap"
install -m 0644 "$tmp/lo-ns.pcap" "$out_dir/loopback-nanosecond.pcap"
install -m 0644 "$tmp/lo.pcapng" "$out_dir/loopback.pcapng"
install -m 0644 "$tmp/any.pcap" "$out_dir/loopback-cooked.pcap"
install -m 0644 "$tmp/loopback.truth" "$out_dir/loopback.truth"

packets=$(tcpdump -r "$tmp/lo-us.pcap" 2>/dev/null | wc -l)
note "recorded ${#ran[@]} scenarios, $packets packets, into $out_dir"
((${#ran[@]} == ${#S[@]})) || warn "$((${#S[@]} - ${#ran[@]})) scenario(s) skipped, see above"
