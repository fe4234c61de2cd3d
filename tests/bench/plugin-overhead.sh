#!/usr/bin/env bash
# What the plugin costs tshark: CPU time with it and with "--disable-protocol oddport" on a
# capture whose services all run on their standard ports, alternating runs, medians compared.
# usage: plugin-overhead.sh TSHARK PLUGIN GENERATOR [PACKETS [RUNS]]
set -euo pipefail
tshark=$1 plugin=$2 generator=$3 packets=${4:-300000} runs=${5:-5}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
"$generator" --packets "$packets" --flows $((packets / 25)) --seed 3 "$work/all.pcap" >/dev/null
chmod -R a+rwX "$work"
runner=(env HOME="$work/home")
if [ "$(id -u)" -eq 0 ]; then
    chown -R 65534:65534 "$work/home"
    runner=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$work/home")
fi
plugin_root=$("${runner[@]}" "$tshark" -G folders 2>/dev/null | awk -F'\t' '/^Personal Plugins:/ { print $2 }')
"${runner[@]}" mkdir -p "$plugin_root/epan"
"${runner[@]}" cp "$plugin" "$plugin_root/epan/oddport.so"
# Only the services on their standard ports: HTTP on 80, TLS on 443, SSH on 22, DNS on 53.
"${runner[@]}" "$tshark" -r "$work/all.pcap" -w "$work/standard.pcap" \
    -Y 'tcp.port == 80 || tcp.port == 443 || tcp.port == 22 || udp.port == 53' 2>/dev/null
frames=$("${runner[@]}" "$tshark" -r "$work/standard.pcap" -T fields -e frame.number 2>/dev/null | wc -l)

cpu_seconds() {
    TIMEFORMAT='%U %S'
    { time "${runner[@]}" "$tshark" "$@" >/dev/null 2>&1; } 2>&1 | awk '{printf "%.3f\n", $1 + $2}'
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

report() {
    local label=$1
    shift
    : >"$work/with" && : >"$work/without"
    for _ in $(seq "$runs"); do
        cpu_seconds "$@" >>"$work/with"
        cpu_seconds --disable-protocol oddport "$@" >>"$work/without"
    done
    local with without
    with=$(median <"$work/with")
    without=$(median <"$work/without")
    awk -v label="$label" -v with="$with" -v without="$without" 'BEGIN {
        printf "%-34s %8.2f s %8.2f s   %+.1f%%\n", label, without, with, (with / without - 1) * 100 }'
}

echo "plugin overhead on $frames frames, all services on standard ports (median CPU of $runs runs)"
printf '%-34s %10s %10s   %s\n' "tshark run" "without" "with" "overhead"
report "summary lines (-r)" -r "$work/standard.pcap"
report "two passes (-2 -r)" -2 -r "$work/standard.pcap"
report "other fields (-T fields)" -r "$work/standard.pcap" -T fields -e frame.number -e tcp.port -e http.host
