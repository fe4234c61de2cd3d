#!/usr/bin/env bash
# What the plugin costs tshark: CPU time with it and with "--disable-protocol oddport" on a
# capture whose services all run on their standard ports, alternating runs, medians compared;
# and, where valgrind is installed, instructions counted by callgrind, which repeat exactly from
# run to run however busy the machine is (tshark's start-up is measured on one frame and left
# out).
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

modes=("summary lines (-r)|"
    "two passes (-2 -r)|-2"
    "other fields (-T fields)|-T fields -e frame.number -e tcp.port -e http.host"
    "packet details (-V)|-V")

echo "plugin overhead on $frames frames, all services on standard ports (median CPU of $runs runs)"
printf '%-34s %10s %10s   %s\n' "tshark run" "without" "with" "overhead"
for mode in "${modes[@]}"; do
    read -r -a options <<<"${mode#*|}"
    report "${mode%%|*}" "${options[@]}" -r "$work/standard.pcap"
done

command -v valgrind >/dev/null || exit 0
"${runner[@]}" "$tshark" -r "$work/standard.pcap" -c 1 -w "$work/one.pcap" 2>/dev/null
instructions() {
    "${runner[@]}" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$tshark" "$@" 2>&1 >/dev/null |
        awk '/Collected/ { print $4 }'
}
# Instructions for the frames alone: a run over the capture less a run over its first frame.
net_instructions() {
    local whole first
    whole=$(instructions "$@" -r "$work/standard.pcap")
    first=$(instructions "$@" -r "$work/one.pcap")
    echo $((whole - first))
}
echo
echo "the same, in instructions (callgrind, one run each)"
printf '%-34s %14s %14s   %s\n' "tshark run" "without" "with" "overhead"
for mode in "${modes[@]}"; do
    read -r -a options <<<"${mode#*|}"
    with=$(net_instructions "${options[@]}")
    without=$(net_instructions --disable-protocol oddport "${options[@]}")
    awk -v label="${mode%%|*}" -v with="$with" -v without="$without" 'BEGIN {
        printf "%-34s %14.0f %14.0f   %+.1f%%\n", label, without, with, (with / without - 1) * 100 }'
done
