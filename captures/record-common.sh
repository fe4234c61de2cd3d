# record-common.sh: what the recording scripts share; record.sh, record-udp-midstream.sh and
# record-legacy.sh source it, it is not run.
# shellcheck shell=bash
#
# A script sets these, then sources this file with its own arguments:
#   me                its name, for messages
#   self              its own path (readlink -f): it is re-run from there in a
#                     private network namespace, and its folder is the default
#                     OUTPUT_DIR
#   tools             the commands its recording and clients need (this file
#                     checks for the ones it uses itself)
#   CLIENT_TIMEOUT    seconds that any one client may take
#   SSHD_LOGIN_GRACE  sshd's LoginGraceTime in seconds: as long as the longest
#                     a client of the script stays connected without logging in
#
#     me=record.sh
#     self=$(readlink -f "${BASH_SOURCE[0]}")
#     ...
#     source "$(dirname "$self")/record-common.sh" "$@"
#
# Sourcing it checks for root, re-runs the script inside a private network
# namespace when it may, checks the tools, makes the temporary folder $tmp and
# sets the trap that stops everything started, also on error or Ctrl-C.  The
# script then writes its scenarios (scenario), defines scenario_fields and
# calls start_servers; see there.  While it holds a server with SIGSTOP, it
# keeps that process id in stopped_pid.

# A script that misses one stops here, before it starts anything.
: "${me:?}" "${self:?}" "${CLIENT_TIMEOUT:?}" "${SSHD_LOGIN_GRACE:?}" "${tools[0]:?}"

die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
warn() { printf '%s: warning: %s\n' "$me" "$*" >&2; }
note() { printf '%s: %s\n' "$me" "$*" >&2; }

out_dir=$(readlink -f "${1:-$(dirname "$self")}")

[[ $(id -u) == 0 ]] || die "must run as root (binds ports below 1024, runs sshd and tcpdump)"

# --- a private network namespace, when this kernel lets us have one ----------
if [[ -z ${ODDPORT_IN_NETNS:-} && -z ${ODDPORT_NO_NETNS:-} ]] &&
   unshare --net true 2>/dev/null; then
  export ODDPORT_IN_NETNS=1
  exec unshare --net -- bash "$self" "$@" # the script, not this file
fi
in_netns=${ODDPORT_IN_NETNS:-}
if [[ -n $in_netns ]]; then
  ip link set lo up
fi

for tool in python3 openssl ssh-keygen ss setsid timeout "${tools[@]}"; do
  command -v "$tool" >/dev/null || die "missing tool: $tool"
done
SSHD=/usr/sbin/sshd
[[ -x $SSHD ]] || die "missing $SSHD (openssh-server)"
PY=$(command -v python3)
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3

# clients must talk to our servers directly
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

mkdir -p "$out_dir"
tmp=$(mktemp -d /tmp/oddport-record.XXXXXX)
chmod 0755 "$tmp"           # sshd and tcpdump may look in here
pids=()                     # every process group this script started
capture_pids=()
made_run_sshd=
stopped_pid=                # a process held with SIGSTOP: resumed first, so that SIGTERM stops it
S=()                        # the scenarios, one tab-separated line each
ran=()                      # the lines of S whose servers started
declare -A server_pid       # "TRANSPORT IP PORT" -> the server's process group

cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  [[ -n $stopped_pid ]] && kill -CONT "$stopped_pid" 2>/dev/null
  # captures: by process id; servers: by process group (sshd's children too)
  for pid in "${capture_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${capture_pids[@]}" "${pids[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  done
  for pid in "${capture_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $rc != 0 && -d $tmp ]]; then
    note "logs of the failed run:"
    tail -n 5 "$tmp"/*.log >&2 2>/dev/null || true
  fi
  rm -rf "$tmp"
  [[ -n $made_run_sshd ]] && rmdir /run/sshd 2>/dev/null
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- servers: each runs in its own process group ------------------------------
spawn() { # spawn LOGNAME CMD...: start a process, remember its process group
  local log=$1; shift
  setsid "$@" >"$tmp/$log.log" 2>&1 </dev/null &
  pids+=("$!")
  last_pid=$!
}

need_www() { # the files the http servers serve, for the clients of the scripts
  [[ -d $tmp/www ]] && return
  mkdir -p "$tmp/www"
  printf '<!doctype html><title>oddport</title><p>oddport loopback test page</p>\n' >"$tmp/www/index.html"
  printf 'hello from oddport\n' >"$tmp/www/hello.txt"
  printf 'the split request arrived whole\n' >"$tmp/www/split"
}
need_tls() {
  [[ -f $tmp/tls.crt ]] && return
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tmp/tls.key" -out "$tmp/tls.crt" -days 2 -subj /CN=oddport.test \
    -addext 'subjectAltName=DNS:oddport.test,DNS:*.oddport.test' >"$tmp/openssl-req.log" 2>&1 ||
    die "could not make the TLS certificate"
}
need_ssh() {
  [[ -f $tmp/sshd_config ]] && return
  ssh-keygen -q -t ed25519 -N '' -C oddport-test -f "$tmp/ssh_host_ed25519_key"
  cat >"$tmp/sshd_config" <<EOF
HostKey $tmp/ssh_host_ed25519_key
PidFile none
UsePAM no
UseDNS no
PermitRootLogin no
PubkeyAuthentication yes
AuthorizedKeysFile none
PasswordAuthentication no
KbdInteractiveAuthentication no
PrintMotd no
LoginGraceTime $SSHD_LOGIN_GRACE
LogLevel ERROR
EOF
  if [[ ! -d /run/sshd ]]; then # privilege separation directory
    mkdir -m 0755 /run/sshd
    made_run_sshd=1
  fi
  "$SSHD" -t -f "$tmp/sshd_config" >"$tmp/sshd-check.log" 2>&1 || die "sshd rejects its config"
}

bracket() { [[ $1 == *:* ]] && printf '[%s]' "$1" || printf '%s' "$1"; }

start_http() { need_www; spawn "http-$1-$2" "$PY" -m http.server --bind "$1" --directory "$tmp/www" "$2"; }
start_tls() {
  need_tls
  spawn "tls-$1-$2" openssl s_server -accept "$(bracket "$1"):$2" -cert "$tmp/tls.crt" \
    -key "$tmp/tls.key" -www -alpn http/1.1
}
start_ssh() { need_ssh; spawn "ssh-$1-$2" "$SSHD" -D -e -f "$tmp/sshd_config" -p "$2" -o "ListenAddress=$1"; }

# --- scenarios and their servers --------------------------------------------------
scenario() { local IFS=$'\t'; S+=("$*"); } # scenario FIELD...: one line of S

probe() { # probe tcp|udp IP PORT: exit 0 if the address can be bound now; sends no packet
  "$PY" - "$@" <<'PYEOF'
import socket
import sys

transport, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                  socket.SOCK_STREAM if transport == "tcp" else socket.SOCK_DGRAM)
if transport == "tcp":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((host, port))
except OSError as e:
    sys.exit(str(e))
finally:
    s.close()
PYEOF
}

listening() { # listening tcp|udp IP PORT
  local opt=-Hltn
  [[ $1 == udp ]] && opt=-Hlun
  ss "$opt" | awk '{print $4}' | grep -qxF -- "$(bracket "$2"):$3"
}

# start_servers: start the server of every scenario whose address can be used
# and wait until each one listens.  It asks `ss`, not a connection, so the
# recordings hold no empty probe connections.  The script's scenario_fields
# LINE reads a line of S into tr, ip, port, start (the server starter, called
# with IP PORT) and desc.  It fills ran and server_pid.
start_servers() {
  local line tr ip port start desc i have_ipv6=
  if ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/'; then have_ipv6=1; fi
  for line in "${S[@]}"; do
    scenario_fields "$line"
    if [[ $ip == *:* && -z $have_ipv6 ]]; then
      warn "no ::1 on lo, skipped: $desc"
      continue
    fi
    if ! probe "$tr" "$ip" "$port" 2>"$tmp/probe.log"; then
      [[ -z $in_netns ]] || die "cannot bind $tr $ip $port: $(cat "$tmp/probe.log")"
      warn "$ip port $port is taken on this host, skipped: $desc"
      continue
    fi
    "$start" "$ip" "$port"
    server_pid["$tr $ip $port"]=$last_pid
    ran+=("$line")
  done
  ((${#ran[@]} > 0)) || die "no scenario could start"

  for line in "${ran[@]}"; do
    scenario_fields "$line"
    for ((i = 0; ; i++)); do
      listening "$tr" "$ip" "$port" && break
      kill -0 "${server_pid[$tr $ip $port]}" 2>/dev/null ||
        die "server for '$desc' exited: $(tail -n 3 "$tmp"/*-"$ip"-"$port".log)"
      ((i < 100)) || die "server for '$desc' did not listen within 10 s"
      sleep 0.1
    done
  done
  note "${#ran[@]} servers listening"
}

# --- clients: every one under a timeout ---------------------------------------
run() { # run ok|fail|any CMD...: run a client in the foreground, check how it ended
  local expect=$1 rc=0; shift
  timeout -k 2 "$CLIENT_TIMEOUT" "$@" >>"$tmp/clients.log" 2>&1 </dev/null || rc=$?
  ((rc != 124 && rc != 137)) || die "client timed out: $*"
  case $expect in
    ok) ((rc == 0)) || die "client failed (exit $rc): $*" ;;
    fail) ((rc != 0)) || die "client should have failed: $*" ;;
  esac
}
