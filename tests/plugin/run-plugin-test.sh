#!/usr/bin/env bash
# Runs one plugin test through the real tshark, with the freshly built plugin as a personal one.
# usage: run-plugin-test.sh MODE TSHARK PLUGIN ODDPORT CHECKER [CAPTURE [EXPECTED [FILTER]]]
#   plugins        tshark -G plugins lists oddport with its version and kind
#   protocols      every payload packet of an HTTP/TLS/SSH flow shows that protocol (one pass;
#                  a flow's first frame may not: the probe is installed while it is dissected)
#   protocols-all  the same with two passes, where no frame is exempt
#   fields         the oddport.* fields match the CLI's JSON for the same capture (two passes)
#   selected       -Y oddport.nonstandard and -Y oddport.mismatch select the CLI's flows
#   unchanged      flows that are none of the three decode as with the plugin disabled
#   details        the protocols' own fields (oddport.http.host ...) match the CLI's JSON, packet
#                  by packet (two passes)
#   tree           the Statistics tree counts the CLI's packets by port class (two passes)
#   statistics     tshark -q -z oddport[,FILTER] prints what EXPECTED holds
#                  (ODDPORT_UPDATE_GOLDEN=1 rewrites it)
#   passes         -z oddport beside the Statistics tree in one pass prints EXPECTED; with -2 -R
#                  FILTER each kept frame shows its flow as the CLI does; one pass shows the
#                  HASSH; expert info sits on the CLI's deciding packet
set -euo pipefail
mode=$1 tshark=$2 plugin=$3 oddport=$4 checker=$5 capture=${6:-} expected=${7:-} filter=${8:-}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
[ -z "$capture" ] || cp "$capture" "$work/capture"
chmod -R a+rX "$work"
runner=(env HOME="$work/home")
# tshark does not load personal plugins when run as root: run it as an unprivileged user.
if [ "$(id -u)" -eq 0 ]; then
    chown -R 65534:65534 "$work/home"
    runner=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$work/home")
fi
run_tshark() { "${runner[@]}" "$tshark" "$@" 2>"$work/tshark.err" || { cat "$work/tshark.err" >&2; return 1; }; }

# tshark takes as long to list its folders, its fields or their values as to read a small
# capture, and several tests read the same capture the same way (fields and protocols-all; the
# one-pass run of protocols and unchanged). What tshark prints depends only on tshark, the plugin,
# this script's options and the capture: the first test to need an output keeps it beside the
# plugin for the others (the corpus test took 0.59 of its time with the lists kept). A rebuilt
# plugin, an edited script or another tshark has outputs of its own.
output_cache=$(dirname "$plugin")/tshark-outputs
cache_key=$({
    sha256sum <"$plugin"
    sha256sum <"$0"
    stat -L -c '%n %s %Y' "$(command -v "$tshark")"
} | sha256sum | cut -c1-16)
capture_key=""
[ -z "$capture" ] || capture_key=$(sha256sum <"$capture" | cut -c1-16)
# cached NAME COMMAND...: the command's output, from the cache once a test has made it. The
# output goes through a temporary file and a rename, so that a test running beside never reads
# half of one; a failed command leaves nothing.
cached() {
    local file=$output_cache/$cache_key.$1
    shift
    if [ ! -s "$file" ]; then
        mkdir -p "$output_cache"
        "$@" >"$file.$$" || { rm -f "$file.$$"; return 1; }
        mv -f "$file.$$" "$file"
    fi
    cat "$file"
}

# The personal plugin folder is named after the Wireshark release (plugins/4.0, plugins/4.6):
# ask this tshark where it looks rather than guess. It lies in the home folder, which is this
# test's own: the cache keeps the part under it.
personal_plugins() {
    run_tshark -G folders | awk -F'\t' -v home="$work/home" '
        /^Personal Plugins:/ && index($2, home "/") == 1 { print substr($2, length(home) + 1) }'
}
plugin_root=$work/home$(cached personal-plugins personal_plugins)
[ "$plugin_root" != "$work/home" ] ||
    { echo "tshark -G folders names no personal plugin folder in the home folder" >&2; exit 1; }
"${runner[@]}" mkdir -p "$plugin_root/epan"
"${runner[@]}" cp "$plugin" "$plugin_root/epan/oddport.so"
# The checker reads only the plugin's own value names; tshark lists some 90 MB of everyone's.
plugin_values() { run_tshark -G values | awk -F'\t' '$1 == "V" && index($2, "oddport.") == 1'; }
cached values plugin_values >"$work/values"

fields=(-T fields -E separator=/t -E occurrence=a -E aggregator=,
    -e frame.number -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst
    -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport -e tcp.len -e udp.length
    -e frame.protocols -e tcp.segment_data -e oddport.flow -e oddport.app -e oddport.client_app
    -e oddport.server_app -e oddport.nonstandard -e oddport.severity -e oddport.mismatch
    -e oddport.client_port_class -e oddport.server_port_class -e oddport.server_port
    -e oddport.expected_ports -e oddport.confidence -e oddport.direction -e oddport.iana_service
    -e _ws.col.Info)

report() { "$oddport" --format json -o "$work/report.json" "$capture"; }

case "$mode" in
plugins)
    version=$("$oddport" --version | awk '{print $2}')
    run_tshark -G plugins >"$work/plugins"
    # Releases with plugin_describe() name the kind; older ones say "dissector" from the folder.
    if grep -qP "^oddport\.so\s*\t\Q$version\E\t[^\t]*dissector[^\t]*\t" "$work/plugins"; then
        echo "1 passed, 0 failed"
    else
        echo "oddport $version is not among tshark's plugins as a dissector:"
        cat "$work/plugins"
        exit 1
    fi
    ;;
protocols | protocols-all | fields | unchanged)
    report
    if [ "$mode" = protocols ] || [ "$mode" = unchanged ]; then
        cached "$capture_key.one-pass" run_tshark -r "$work/capture" "${fields[@]}" >"$work/with.tsv"
    else
        cached "$capture_key.two-passes" run_tshark -2 -r "$work/capture" "${fields[@]}" \
            >"$work/with.tsv"
    fi
    if [ "$mode" = unchanged ]; then
        run_tshark --disable-protocol oddport -r "$work/capture" "${fields[@]}" >"$work/without.tsv"
        "$checker" unchanged "$work/report.json" "$work/values" "$work/with.tsv" "$work/without.tsv"
    else
        "$checker" "$mode" "$work/report.json" "$work/values" "$work/with.tsv"
    fi
    ;;
details)
    report
    # Every field the protocol table gave the plugin, as tshark lists them (by their blurb:
    # expert items such as oddport.nonstandard.alternate share the name's shape).
    cached fields run_tshark -G fields |
        awk -F'\t' '$3 ~ /^oddport\./ && $8 == "As the CLI'"'"'s JSON report gives it for this flow" {
            print $3 }' >"$work/details"
    [ -s "$work/details" ] || { echo "tshark lists no protocol detail field of oddport"; exit 1; }
    detail_fields=(-T fields -E separator=/t -E occurrence=f -e frame.number -e oddport.flow)
    while read -r field; do detail_fields+=(-e "$field"); done <"$work/details"
    run_tshark -2 -r "$work/capture" "${detail_fields[@]}" >"$work/details.tsv"
    python3 "$(dirname "$0")/check-details.py" "$work/report.json" "$work/details" \
        "$work/details.tsv"
    ;;
selected)
    report
    for flag in nonstandard mismatch; do
        run_tshark -2 -r "$work/capture" -Y "oddport.$flag" "${fields[@]}" >"$work/$flag.tsv"
        "$checker" "$flag" "$work/report.json" "$work/values" "$work/$flag.tsv"
    done
    ;;
tree)
    report
    run_tshark -2 -q -r "$work/capture" -z oddport_tree,tree >"$work/tree.txt"
    "$checker" tree "$work/report.json" "$work/values" "$work/tree.txt"
    ;;
statistics)
    # The version is masked so that a release does not rewrite the expected file.
    run_tshark -q -r "$work/capture" -z "oddport${filter:+,$filter}" |
        sed -E 's/\(oddport [^)]*\)/(oddport VERSION)/' >"$work/statistics.txt"
    if [ "${ODDPORT_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$work/statistics.txt" "$expected" && chmod 644 "$expected"
        echo "updated $expected"
    else
        diff -u "$expected" "$work/statistics.txt"
        echo "1 passed, 0 failed"
    fi
    ;;
passes)
    # Beyond plain passes: -z oddport beside the Statistics tree in one pass (the tree's taps
    # run once a frame is marked visited, and finished every flow at every packet), a read
    # filter's renumbered frames (-2 -R), details read after a side's decision in one pass (the
    # HASSH), and the expert info on the CLI's deciding packet (two passes).
    report
    run_tshark -q -r "$work/capture" -z oddport_tree,tree -z oddport |
        awk '/^=+$/ { bars++ } bars >= 1 && bars <= 2 { print } bars == 2 { exit }' |
        sed -E 's/\(oddport [^)]*\)/(oddport VERSION)/' >"$work/statistics.txt"
    { echo; cat "$work/statistics.txt"; } | diff -u "$expected" - ||
        { echo "-z oddport beside the Statistics tree in one pass differs"; exit 1; }
    run_tshark -2 -r "$work/capture" -R "$filter" -T fields -e frame.number -e oddport.flow \
        -e oddport.app -e oddport.server_port -e tcp.srcport -e tcp.dstport >"$work/filtered.tsv"
    run_tshark -r "$work/capture" -Y oddport.ssh.hassh -T fields -e frame.number \
        -e oddport.flow >"$work/hassh.tsv"
    run_tshark -2 -r "$work/capture" -T fields -e frame.number -e oddport.flow \
        -Y 'oddport.nonstandard.alternate || oddport.nonstandard.unexpected || oddport.nonstandard.masquerade || oddport.mismatch.apps' \
        >"$work/expert.tsv"
    python3 "$(dirname "$0")/check-passes.py" "$work/report.json" "$work/values" \
        "$work/filtered.tsv" "$work/hassh.tsv" "$work/expert.tsv"
    ;;
*)
    echo "unknown mode $mode" >&2
    exit 2
    ;;
esac
