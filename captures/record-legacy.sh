#!/usr/bin/env bash
# record-legacy.sh: record oddport's capture of legacy openings (HTTP/0.9, NUL-padded SSH banners).
#
# Usage (as root, Debian 12 with tcpdump, tshark and python3 installed):
#
#     sudo captures/record-legacy.sh [OUTPUT_DIR]   # default: captures/
#
# It starts servers on loopback addresses only (python3 http.server, and small
# python3 services that answer like Redis and like an old Cisco SSH server),
# runs python3 socket clients against them, records the traffic with
# tcpdump -i lo and stops everything it started.  Like record.sh it runs
# inside a private network namespace (unshare --net) when it may; otherwise
# (or with ODDPORT_NO_NETNS=1) it uses the host's loopback, skips a scenario
# whose address is taken and restricts the recording to its own endpoints.
#
#   legacy.pcap   HTTP/0.9 simple requests ("GET /path" without a version)
#                 answered by Python's http.server with a bare body, a Redis
#                 inline "GET /key" that looks the same and must stay unknown,
#                 and SSH identification lines padded with NUL bytes before
#                 their LF or CR LF, as older Cisco servers send them.
# and the ground truth legacy.truth (format: captures/README.md).
# Classic pcap, microseconds, link type EN10MB.  Runtime: about 5 s.

set -euo pipefail
export LC_ALL=C

me=record-legacy.sh
self=$(readlink -f "${BASH_SOURCE[0]}")
tools=(tcpdump tshark)
CLIENT_TIMEOUT=20   # seconds, for every client
SSHD_LOGIN_GRACE=10 # no sshd runs here, but record-common.sh wants a value
# shellcheck source=SCRIPTDIR/record-common.sh
source "$(dirname "$self")/record-common.sh" "$@"

# --- python services and clients -----------------------------------
cat >"$tmp/services.py" <<'PYEOF'
"""Loopback services and clients for record-legacy.sh."""
import socket
import socketserver
import sys

TIMEOUT = 10.0
# An identification line as older Cisco IOS servers send it: NUL bytes before the line end.
CISCO_BANNER = b"SSH-1.99-Cisco-1.25"
CISCO_PADDING = b"\0" * 11


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


class Handler(socketserver.StreamRequestHandler):
    timeout = TIMEOUT

    def handle(self):
        mode = self.server.mode
        if mode == "redis":  # inline commands; no key is ever set, so GET answers a nil bulk
            while True:
                line = self.rfile.readline(4096)
                if not line:
                    return
                words = line.split()
                if len(words) == 2 and words[0].upper() == b"GET":
                    self.wfile.write(b"$-1\r\n")
                else:
                    self.wfile.write(b"-ERR unknown command\r\n")
        elif mode in ("cisco-lf", "cisco-crlf"):
            end = b"\n" if mode == "cisco-lf" else b"\r\n"
            self.wfile.write(CISCO_BANNER + CISCO_PADDING + end)
            self.rfile.readline(256)  # the client's banner, or nothing when it just closes
        else:
            raise ValueError(mode)


def serve(mode, host, port):
    class Server(socketserver.ThreadingTCPServer):
        address_family = family(host)
        allow_reuse_address = True
        daemon_threads = True

    with Server((host, port), Handler) as srv:
        srv.mode = mode
        srv.serve_forever()


def read_all(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def client(mode, host, port):
    with socket.create_connection((host, port), timeout=TIMEOUT) as s:
        if mode in ("http09-lf", "http09-crlf"):
            # An HTTP/0.9 client sends its one line and reads until the server closes. Python's
            # http.server reads a header block even then, so it answers only at the end of input
            # (the first client half-closes, as "nc -N" does) or after an empty line (the second
            # sends one, as people typing the request do).
            if mode == "http09-lf":
                s.sendall(b"GET /hello.txt\n")
                s.shutdown(socket.SHUT_WR)
            else:
                s.sendall(b"GET /\r\n\r\n")
            body = read_all(s)
            if not body or body.startswith(b"HTTP/"):
                raise RuntimeError("no bare HTTP/0.9 body: %r" % body[:40])
        elif mode == "redis":
            s.sendall(b"GET /cache/home\r\n")
            if s.recv(64) != b"$-1\r\n":
                raise RuntimeError("no nil bulk answer")
        elif mode in ("grab", "grab-reply"):
            # A banner grabber reads the server's line; the second kind answers with its own.
            line = b""
            while not line.endswith(b"\n"):
                chunk = s.recv(256)
                if not chunk:
                    break
                line += chunk
            if not line.startswith(CISCO_BANNER + CISCO_PADDING):
                raise RuntimeError("no padded banner: %r" % line)
            if mode == "grab-reply":
                s.sendall(b"SSH-2.0-oddport_banner_grabber_1.0\r\n")
        else:
            raise ValueError(mode)
    return 0


def main(argv):
    if argv[1] == "serve":
        serve(argv[2], argv[3], int(argv[4]))
    elif argv[1] == "client":
        return client(argv[2], argv[3], int(argv[4]))
    else:
        raise SystemExit("usage: services.py serve|client MODE HOST PORT")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
PYEOF

start_service() { spawn "$3-$1-$2" "$PY" "$tmp/services.py" serve "$3" "$1" "$2"; }
start_redis() { start_service "$1" "$2" redis; }
start_cisco_lf() { start_service "$1" "$2" cisco-lf; }
start_cisco_crlf() { start_service "$1" "$2" cisco-crlf; }

c_http09_lf() { run ok "$PY" "$tmp/services.py" client http09-lf "$1" "$2"; }
c_http09_crlf() { run ok "$PY" "$tmp/services.py" client http09-crlf "$1" "$2"; }
c_redis() { run ok "$PY" "$tmp/services.py" client redis "$1" "$2"; }
c_grab() { run ok "$PY" "$tmp/services.py" client grab "$1" "$2"; }
c_grab_reply() { run ok "$PY" "$tmp/services.py" client grab-reply "$1" "$2"; }

# --- the scenarios ------------------------------------------------------------
# transport ip port app nonstandard severity server-starter client description
scenario_fields() { # scenario_fields LINE: one line of S into the fields above
  IFS=$'\t' read -r tr ip port app ns sev start client desc <<<"$1"
}
scenario tcp 127.0.0.60 8000 http    true  alternate start_http       c_http09_lf   "HTTP/0.9 simple request GET /hello.txt ended by LF, then the client half-closes; python http.server answers with a bare body on 8000"
scenario tcp 127.0.0.61 80   http    false -         start_http       c_http09_crlf "HTTP/0.9 simple request GET / ended by CR LF and an empty line; python http.server answers with a bare body on 80"
scenario tcp 127.0.0.62 6379 unknown false -         start_redis      c_redis       "Redis-style inline GET /cache/home (the same line as an HTTP/0.9 request) answered \$-1 (python responder)"
scenario tcp 127.0.0.63 22   ssh     false -         start_cisco_lf   c_grab        "SSH-1.99-Cisco-1.25 padded with 11 NUL bytes before LF; the client only reads it (python responder and banner grabber)"
scenario tcp 127.0.0.64 2222 ssh     true  alternate start_cisco_crlf c_grab_reply  "SSH-1.99-Cisco-1.25 padded with 11 NUL bytes before CR LF, answered by the client's own banner (python responder and client)"

start_servers

# --- recording ---------------------------------------------------------------------
filter=""
for line in "${ran[@]}"; do
  scenario_fields "$line"
  filter+="${filter:+ or }(host $ip and $tr port $port)"
done
filter="(net 127.0.0.0/8 or ip6 host ::1) and ($filter)"
# -Z root: write into our private folder; see record.sh for -B and the pause at the end
tcpdump -Z root -n -B 8192 -U -i lo -w "$tmp/legacy.pcap" "$filter" 2>"$tmp/legacy.pcap.log" &
capture_pids=("$!")
for ((i = 0; ; i++)); do
  grep -qs '^tcpdump: listening on' "$tmp/legacy.pcap.log" && break
  ((i < 100)) || die "tcpdump did not start: $(cat "$tmp/legacy.pcap.log")"
  sleep 0.1
done
sleep 0.3

for line in "${ran[@]}"; do
  scenario_fields "$line"
  note "client: $desc"
  "$client" "$ip" "$port"
  sleep 0.2
done

sleep 1.5 # the last packets, and TPACKET_V3 hands packets over in blocks of up to 1 s
kill -INT "${capture_pids[0]}"
wait "${capture_pids[0]}" || die "tcpdump failed"
capture_pids=()
grep -q '^0 packets dropped by kernel' "$tmp/legacy.pcap.log" ||
  die "tcpdump lost packets: $(cat "$tmp/legacy.pcap.log")"

for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done

# --- checks ------------------------------------------------------------------------
# Every scenario is one connection, with its handshake, and payload from its client's side
# unless the client only reads.
for line in "${ran[@]}"; do
  scenario_fields "$line"
  syns=$(tshark -r "$tmp/legacy.pcap" -n -Y "ip.dst == $ip && tcp.dstport == $port && tcp.flags.syn == 1 && tcp.flags.ack == 0" 2>/dev/null | wc -l)
  [[ $syns == 1 ]] || die "$ip port $port: $syns connections, not 1"
done

# --- publish ---------------------------------------------------------------------------
{
  printf '# oddport ground truth for legacy.pcap, written by captures/record-legacy.sh on %s\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf '# transport\tserver_ip\tserver_port\tapp\tnonstandard\tseverity\tdescription\n'
  for line in "${ran[@]}"; do
    scenario_fields "$line"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tr" "$ip" "$port" "$app" "$ns" "$sev" "$desc"
  done
} >"$tmp/legacy.truth"

install -m 0644 "$tmp/legacy.pcap" "$out_dir/legacy.pcap"
install -m 0644 "$tmp/legacy.truth" "$out_dir/legacy.truth"

note "recorded $(tshark -r "$tmp/legacy.pcap" -n 2>/dev/null | wc -l) packets into legacy.pcap, in $out_dir"
((${#ran[@]} == ${#S[@]})) || warn "$((${#S[@]} - ${#ran[@]})) scenario(s) skipped, see above"
