#!/usr/bin/env bash
# Install test: `meson install` puts oddport, its man page and the plugin where they are used.
#
# usage: check-install.sh staged MESON BUILD_DIR MAN_SOURCE PREFIX BINDIR MANDIR LIBEXECDIR PLUGIN_BUILT PLUGIN_DIR_OPTION
#   Installs the build under test into a temporary DESTDIR and checks each file's place for the
#   build's prefix: the plugin in Wireshark's global folder for a system prefix (/usr,
#   /usr/local, Wireshark's own), else under the prefix in the personal folder's layout.
# usage: check-install.sh home MESON SOURCE_DIR
#   Configures, builds and installs oddport with --prefix HOME/.local for a temporary HOME, as
#   a user without root would, and checks that man finds the page through PATH and that tshark,
#   run with that HOME, loads the plugin from its personal folder.
set -euo pipefail
mode=$1
shift

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {
    local what=$1
    shift
    if "$@"; then
        echo "ok - $what"
    else
        echo "not ok - $what"
        failures=$((failures + 1))
    fi
}

# One of Wireshark's folders as tshark reports it: tshark_folder NAME COMMAND..., where NAME is
# e.g. "Global Plugins" and COMMAND runs tshark.
tshark_folder() {
    local name=$1
    shift
    "$@" -G folders 2>/dev/null | awk -F'\t' -v name="$name" '
        { key = $1; sub(/:[ \t]*$/, "", key) } key == name { print $2; exit }'
}

finish() {
    echo "$failures failed"
    [ "$failures" -eq 0 ]
}

case "$mode" in
staged)
    meson=$1 build=$2 man_source=$3 prefix=$4 bindir=$5 mandir=$6 libexecdir=$7 plugin_built=$8
    plugin_dir_option=$9
    stage=$work/stage
    "$meson" install -C "$build" --no-rebuild --quiet --destdir "$stage" >"$work/install.log" 2>&1 ||
        { cat "$work/install.log"; echo "not ok - meson install --destdir failed"; exit 1; }
    # Relative bindir and mandir are under the prefix; absolute ones stand alone.
    [[ $bindir == /* ]] || bindir=$prefix/$bindir
    [[ $mandir == /* ]] || mandir=$prefix/$mandir
    [[ $libexecdir == /* ]] || libexecdir=$prefix/$libexecdir
    check "oddport installed in $bindir and runs" "$stage$bindir/oddport" --version
    check "oddport-merge installed in $libexecdir/oddport" test -x "$stage$libexecdir/oddport/oddport-merge"
    # Found from the staged oddport's own folder, not from where it is to be installed.
    check "oddport merge runs the staged oddport-merge" \
        sh -c '"$1" merge --help >/dev/null' sh "$stage$bindir/oddport"
    check "man page installed in $mandir/man1" cmp -s "$man_source" "$stage$mandir/man1/oddport.1"
    check "oddport-dask installed in $bindir" test -x "$stage$bindir/oddport-dask"
    check "oddport-dask man page installed in $mandir/man1" test -s "$stage$mandir/man1/oddport-dask.1"
    if [ "$plugin_built" != true ]; then
        echo "ok - plugin not built, nothing to install # SKIP"
        finish
        exit
    fi
    if [ -n "$plugin_dir_option" ]; then
        expected=$plugin_dir_option
    else
        global=""
        if command -v tshark >/dev/null; then
            global=$(tshark_folder "Global Plugins" tshark)
        fi
        [ -n "$global" ] || global=$(pkg-config --variable=plugindir wireshark)
        case "$prefix" in
        /usr | /usr/local | "$(pkg-config --variable=prefix wireshark)") expected=$global/epan ;;
        *) expected=$prefix/lib/wireshark/plugins/$(basename "$global")/epan ;;
        esac
    fi
    check "plugin installed in $expected (prefix $prefix)" test -s "$stage$expected/oddport.so"
    # Nothing else may land outside the prefix, where a user without root cannot write.
    outside=$(cd "$stage" && find . -type f | sed 's/^\.//' | grep -v -F -e "$prefix/" -e "$expected/" || true)
    check "nothing installed outside $prefix and the plugin folder" test -z "$outside"
    [ -z "$outside" ] || echo "$outside" | sed 's/^/    /'
    finish
    ;;
home)
    meson=$1 source=$2
    home=$work/home
    prefix=$home/.local
    mkdir -p "$home"
    "$meson" setup "$work/build" "$source" --prefix "$prefix" >"$work/setup.log" 2>&1 ||
        { cat "$work/setup.log"; echo "not ok - meson setup --prefix $prefix failed"; exit 1; }
    # Only what is installed, not the tests.
    targets=(src/cli/oddport:executable src/cli/oddport-merge:executable)
    plugin_built=false
    if grep -q "plugin *: yes" "$work/setup.log"; then
        targets+=(plugin/oddport:shared_module)
        plugin_built=true
    fi
    "$meson" compile -C "$work/build" "${targets[@]}" >"$work/compile.log" 2>&1 ||
        { cat "$work/compile.log"; echo "not ok - build failed"; exit 1; }
    "$meson" install -C "$work/build" --no-rebuild --quiet >"$work/install.log" 2>&1 ||
        { cat "$work/install.log"; echo "not ok - meson install into $prefix failed"; exit 1; }
    check "oddport installed in ~/.local/bin and runs" "$prefix/bin/oddport" --version
    check "oddport merge finds oddport-merge in ~/.local/libexec/oddport" \
        sh -c '"$1" merge --help >/dev/null' sh "$prefix/bin/oddport"
    if command -v man >/dev/null; then
        # man-db finds ~/.local/share/man from ~/.local/bin in PATH.
        found=$(env -u MANPATH HOME="$home" PATH="$prefix/bin:$PATH" man -w oddport 2>/dev/null || true)
        check "man oddport finds the page through PATH ($found)" test "$found" = "$prefix/share/man/man1/oddport.1"
    else
        check "man page installed in ~/.local/share/man/man1" test -s "$prefix/share/man/man1/oddport.1"
    fi
    if [ "$plugin_built" != true ]; then
        echo "ok - plugin not built, nothing to install # SKIP"
    elif ! command -v tshark >/dev/null; then
        echo "ok - tshark not found, the plugin's folder is not checked # SKIP"
    else
        chmod -R a+rX "$work"
        runner=(env HOME="$home")
        # tshark does not load personal plugins when run as root: run it as an unprivileged user.
        if [ "$(id -u)" -eq 0 ]; then
            chown -R 65534:65534 "$home"
            runner=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$home")
        fi
        personal=$(tshark_folder "Personal Plugins" "${runner[@]}" tshark)
        check "plugin installed in tshark's personal folder $personal/epan" test -s "$personal/epan/oddport.so"
        "${runner[@]}" tshark -G plugins >"$work/plugins" 2>/dev/null || true
        check "tshark loads the plugin from $personal/epan" grep -q -F "$personal/epan/oddport.so" "$work/plugins"
    fi
    finish
    ;;
*)
    echo "usage: $0 staged|home ..." >&2
    exit 2
    ;;
esac
