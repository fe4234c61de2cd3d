#!/usr/bin/env bash
# Runs one plugin test through the real tshark, with the freshly built plugin as a personal one.
# usage: run-plugin-test.sh MODE TSHARK PLUGIN ODDPORT CHECKER CAPTURE [EXPECTED]
#   plugins     tshark -G plugins lists oddport with its version
#   protocols   every payload packet of an HTTP/TLS/SSH flow shows that protocol (single pass)
#   fields      the oddport.* fields match the CLI's JSON for the same capture (two passes)
#   unchanged   flows that are none of the three decode as with the plugin disabled
#   statistics  tshark -q -z oddport prints what EXPECTED holds (ODDPORT_UPDATE_GOLDEN=1 rewrites)
set -euo pipefail
mode=$1 tshark=$2 plugin=$3 oddport=$4 checker=$5 capture=${6:-} expected=${7:-}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
plugin_dir="$work/home/.local/lib/wireshark/plugins/4.0/epan"
mkdir -p "$plugin_dir"
cp "$plugin" "$plugin_dir/oddport.so"
[ -z "$capture" ] || cp "$capture" "$work/capture"
chmod -R a+rX "$work"
runner=(env HOME="$work/home")
# tshark does not load personal plugins when run as root: run it as an unprivileged user.
if [ "$(id -u)" -eq 0 ]; then
    chown -R 65534:65534 "$work/home"
    runner=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$work/home")
fi
run_tshark() { "${runner[@]}" "$tshark" "$@" 2>"$work/tshark.err" || { cat "$work/tshark.err" >&2; return 1; }; }

fields=(-T fields -E separator=/t -E occurrence=a -E aggregator=,
    -e frame.number -e frame.time_epoch -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst
    -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport -e tcp.len -e udp.length
    -e frame.protocols -e tcp.reassembled_in -e oddport.app -e oddport.nonstandard
    -e oddport.severity -e oddport.mismatch -e oddport.client_port_class
    -e oddport.server_port_class -e oddport.expected_ports -e _ws.col.Info)

case "$mode" in
plugins)
    version=$("$oddport" --version | awk '{print $2}')
    run_tshark -G plugins >"$work/plugins"
    if grep -qP "^oddport\.so\s*\t\Q$version\E\t" "$work/plugins"; then
        echo "1 passed, 0 failed"
    else
        echo "oddport $version is not among tshark's plugins:"
        cat "$work/plugins"
        exit 1
    fi
    ;;
protocols | fields | unchanged)
    "$oddport" --format json -o "$work/report.json" "$capture"
    passes=()
    [ "$mode" != fields ] || passes=(-2)
    run_tshark "${passes[@]}" -r "$work/capture" "${fields[@]}" >"$work/with.tsv"
    if [ "$mode" = unchanged ]; then
        run_tshark --disable-protocol oddport -r "$work/capture" "${fields[@]}" >"$work/without.tsv"
        "$checker" unchanged "$work/report.json" "$work/with.tsv" "$work/without.tsv"
    else
        "$checker" "$mode" "$work/report.json" "$work/with.tsv"
    fi
    ;;
statistics)
    # The version is masked so that a release does not rewrite the expected file.
    run_tshark -q -r "$work/capture" -z oddport |
        sed -E 's/\(oddport [^)]*\)/(oddport VERSION)/' >"$work/statistics.txt"
    if [ "${ODDPORT_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$work/statistics.txt" "$expected" && chmod 644 "$expected"
        echo "updated $expected"
    else
        diff -u "$expected" "$work/statistics.txt"
    fi
    ;;
*)
    echo "unknown mode $mode" >&2
    exit 2
    ;;
esac
