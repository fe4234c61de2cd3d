#!/usr/bin/env bash
# Runs the plugin test suite and the checks against newer tshark releases under the Wireshark of
# another Debian or Ubuntu release, inside a debootstrap chroot.
set -euo pipefail

# What the build and the plugin tests need inside the chroot; setpriv (util-linux) runs tshark
# as an unprivileged user, because tshark does not load personal plugins when run as root.
chroot_packages=(gcc libc6-dev meson ninja-build pkg-config libpcap-dev libglib2.0-dev libjson-glib-dev
    wireshark-dev tshark util-linux ca-certificates)
# The copy of the source tree inside the chroot, rebuilt from scratch on every run.
source_in_chroot=/root/oddport-src
# Where --corpus puts the folder of outside captures, read-only. Outside the source copy, which is
# deleted on every run: a bind mount is no other file system to rm's --one-file-system.
corpus_in_chroot=/root/oddport-corpus

usage() {
    cat <<EOF
usage: $(basename "$0") [--corpus FOLDER] [--prepare | --test-targets-only] SUITE [MESON_TEST_ARGS...]

Builds oddport and its Wireshark plugin inside a chroot of the Debian or Ubuntu
release SUITE and runs 'meson test --suite plugin --suite newer-wireshark'
there, so that the plugin, and the checks against tshark releases after Debian
12's, are tested against that release's Wireshark: Ubuntu's noble has Wireshark
4.2, Debian's trixie 4.4 and unstable 4.6 (JA4 is checked from 4.4 on). The
source tree is copied as it is now, uncommitted changes included.

--corpus FOLDER mounts a folder of outside captures read-only into the chroot
and builds with -Dcorpus_dir on it, so that the checks over it run too; the
plugin's tests over it are in suite host-only, which is left out: they check
against Debian 12's tshark or take many minutes.

--prepare makes the chroot and installs the build's packages in it, then stops:
most of a first run's time is spent waiting on archives, which a caller can
spend on other work.

--test-targets-only builds what the tests run need ('meson test' builds them),
not the whole tree: the fuzzers, benchmarks and unit tests are compiled by a
run without it.

MESON_TEST_ARGS go to 'meson test', for example a test name. If they name a
suite (--suite unit), that suite runs instead of the default ones.

The run fails if the build fails, if a test fails or is skipped, or if no test
ran. It must run as root: debootstrap, mount and chroot need it.

The chroot is made with debootstrap on first use, from the archive the host's
apt uses for a Debian release and from Ubuntu's archive (components main and
universe) for an Ubuntu one, and kept for later runs in
  \${ODDPORT_CHROOT_DIR:-\${XDG_CACHE_HOME:-\$HOME/.cache}/oddport/chroots}/SUITE
Delete that folder to start again from nothing.
EOF
}

fail() {
    echo "run-in-chroot: $*" >&2
    exit 1
}

corpus_dir=""
prepare_only=false
test_targets_only=false
while :; do
    case "${1:-}" in
    --corpus)
        [ -n "${2:-}" ] || {
            usage >&2
            exit 2
        }
        [ -d "$2" ] || fail "the corpus folder '$2' does not exist"
        corpus_dir=$(cd "$2" && pwd)
        shift 2
        ;;
    --prepare)
        prepare_only=true
        shift
        ;;
    --test-targets-only)
        test_targets_only=true
        shift
        ;;
    *) break ;;
    esac
done
# A prepared chroot builds nothing: asking for both is a mistake in the command, not a choice.
if $prepare_only && $test_targets_only; then
    echo "run-in-chroot: --prepare builds nothing; --test-targets-only goes with a run" >&2
    usage >&2
    exit 2
fi

case "${1:-}" in
-h | --help)
    usage
    exit 0
    ;;
"" | -*)
    usage >&2
    exit 2
    ;;
esac
suite=$1
shift
# The suite name becomes a folder name.
if ! [[ $suite =~ ^[a-z0-9][a-z0-9.-]*$ ]]; then
    echo "run-in-chroot: '$suite' is not a Debian or Ubuntu release name such as trixie, unstable or noble" >&2
    exit 2
fi
# Ubuntu's releases are told from Debian's by name; noble has Wireshark 4.2, which no Debian
# release has.
case "$suite" in
noble) distribution=ubuntu ;;
*) distribution=debian ;;
esac
if [ "$(id -u)" -ne 0 ]; then
    echo "run-in-chroot: must run as root (debootstrap, mount and chroot need it); try: sudo $0 $suite" >&2
    exit 2
fi

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
chroots_dir=${ODDPORT_CHROOT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/oddport/chroots}
chroot_dir=$chroots_dir/$suite
mkdir -p "$chroots_dir"

# Two runs for the same suite would replace each other's source copy and unmount each other's mounts.
exec {lock_fd}>"$chroots_dir/$suite.lock"
if ! flock -n "$lock_fd"; then
    echo "== waiting for another run that uses the $suite chroot"
    flock "$lock_fd"
fi

mounted=()
unmount_ours() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        # A process that outlived the run can keep a mount busy; a lazy unmount detaches it anyway.
        umount "${mounted[i]}" 2>/dev/null || umount --lazy "${mounted[i]}" ||
            echo "run-in-chroot: could not unmount ${mounted[i]}" >&2
    done
}
trap unmount_ours EXIT
# Turn signals into an ordinary exit so that the EXIT trap unmounts.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# The archive the host's apt uses for its own release: it is reachable from here, and it may be
# a mirror or a snapshot.
host_archive_url() {
    local codename url="" sources=()
    # shellcheck source=/dev/null
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    shopt -s nullglob
    sources=(/etc/apt/sources.list.d/*.sources)
    shopt -u nullglob
    if [ -n "$codename" ] && [ ${#sources[@]} -gt 0 ]; then
        # deb822 format: stanzas separated by blank lines, "Field: value" lines.
        url=$(awk -v codename="$codename" '
            function has_word(list, word,    n, i, words) {
                n = split(list, words, /[ \t]+/)
                for (i = 1; i <= n; i++) if (words[i] == word) return 1
                return 0
            }
            function check() {
                if (has_word(types, "deb") && has_word(suites, codename) && enabled != "no" && uri != "") {
                    print uri
                    found = 1
                    exit
                }
                types = suites = uri = enabled = ""
            }
            FNR == 1 { check() }
            /^[ \t]*$/ { check(); next }
            /^[A-Za-z-]+:/ {
                field = tolower(substr($0, 1, index($0, ":") - 1))
                value = substr($0, index($0, ":") + 1)
                if (field == "types") types = value
                else if (field == "suites") suites = value
                else if (field == "uris") { split(value, words, /[ \t]+/); uri = words[1] == "" ? words[2] : words[1] }
                else if (field == "enabled") enabled = tolower(value) ~ /no/ ? "no" : ""
            }
            END { if (!found) check() }
        ' "${sources[@]}")
    fi
    if [ -z "$url" ] && [ -n "$codename" ] && [ -f /etc/apt/sources.list ]; then
        # One-line format: deb [options] URL SUITE COMPONENTS...
        url=$(sed -E 's/\[[^]]*\]//' /etc/apt/sources.list |
            awk -v codename="$codename" '$1 == "deb" && $3 == codename { print $2; exit }')
    fi
    echo "${url:-http://deb.debian.org/debian}"
}

# Ubuntu's own archive, for an Ubuntu release; it keeps amd64 and i386, its ports archive the rest.
ubuntu_archive_url() {
    case "$(dpkg --print-architecture)" in
    amd64 | i386) echo http://archive.ubuntu.com/ubuntu ;;
    *) echo http://ports.ubuntu.com/ubuntu-ports ;;
    esac
}
# Ubuntu's components: wireshark-dev and tshark are in universe.
ubuntu_components=main,universe
# The keys debootstrap checks the Ubuntu archive's signatures with, installed by the package
# ubuntu-keyring (Debian 13 and later, Ubuntu).
ubuntu_keyring=/usr/share/keyrings/ubuntu-archive-keyring.gpg
# Where Debian 12, which packages no Ubuntu keys, gets them instead: Debian 13's ubuntu-keyring,
# from an archive signed with keys that Debian 12 has.
ubuntu_keyring_release=trixie
ubuntu_keyring_copy=$chroots_dir/ubuntu-archive-keyring.gpg

# Fetches ubuntu-keyring from Debian $ubuntu_keyring_release with apt, which checks it
# against the Debian archive's signatures, through lists and a cache of its own: the host's apt
# settings and packages are left as they are. Its keyring file is kept as $ubuntu_keyring_copy.
fetch_ubuntu_keyring() {
    local work status=0
    work=$(mktemp -d)
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/parts"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(host_archive_url) $ubuntu_keyring_release main" \
        >"$work/sources.list"
    local apt_options=(-q -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts="$work/parts"
        -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o APT::Sandbox::User=root)
    if apt-get "${apt_options[@]}" update &&
        (cd "$work" && apt-get "${apt_options[@]}" download ubuntu-keyring) &&
        dpkg-deb --fsys-tarfile "$work"/ubuntu-keyring_*.deb |
        tar -xOf - ".$ubuntu_keyring" >"$ubuntu_keyring_copy.new" && [ -s "$ubuntu_keyring_copy.new" ]; then
        mv "$ubuntu_keyring_copy.new" "$ubuntu_keyring_copy"
    else
        rm -f "$ubuntu_keyring_copy.new"
        status=1
    fi
    rm -rf "$work"
    return $status
}

if [ ! -d "$chroot_dir" ]; then
    if ! command -v debootstrap >/dev/null; then
        echo "== installing debootstrap"
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
    fi
    if [ "$distribution" = ubuntu ] && [ ! -f "$ubuntu_keyring" ] && [ ! -f "$ubuntu_keyring_copy" ]; then
        echo "== installing ubuntu-keyring"
        apt-get update -q
        if [ -n "$(apt-cache madison ubuntu-keyring)" ]; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ubuntu-keyring
        else
            echo "== the host's release has no ubuntu-keyring; fetching Debian $ubuntu_keyring_release's"
            fetch_ubuntu_keyring || fail "could not fetch the Ubuntu archive's keys from Debian $ubuntu_keyring_release"
        fi
    fi
    # Built under another name and renamed when complete, so that an interrupted run never leaves
    # a half-made chroot that a later run would take for a finished one.
    partial_dir=$chroot_dir.partial
    if [ -e "$partial_dir" ]; then
        if findmnt -rn -o TARGET | grep -q -F "$partial_dir/"; then
            fail "something is still mounted under $partial_dir (left by an interrupted debootstrap); unmount it, then run again"
        fi
        rm -rf --one-file-system "$partial_dir"
    fi
    debootstrap_options=(--variant=minbase)
    debootstrap_script=()
    if [ "$distribution" = ubuntu ]; then
        archive_url=$(ubuntu_archive_url)
        keyring=$ubuntu_keyring
        [ -f "$keyring" ] || keyring=$ubuntu_keyring_copy
        debootstrap_options+=(--components="$ubuntu_components" --keyring="$keyring")
        # A debootstrap older than the release has no script named after it; every Ubuntu release
        # since gutsy is made the same way, and the later names are links to that script.
        if [ ! -e "/usr/share/debootstrap/scripts/$suite" ]; then
            debootstrap_script=(/usr/share/debootstrap/scripts/gutsy)
        fi
    else
        archive_url=$(host_archive_url)
    fi
    echo "== creating the $suite chroot in $chroot_dir from $archive_url"
    debootstrap "${debootstrap_options[@]}" "$suite" "$partial_dir" "$archive_url" "${debootstrap_script[@]}"
    mv "$partial_dir" "$chroot_dir"
fi

for mount_point in proc sys dev dev/pts; do
    if ! mountpoint -q "$chroot_dir/$mount_point"; then
        mount --bind "/$mount_point" "$chroot_dir/$mount_point"
        mounted+=("$chroot_dir/$mount_point")
        # Where the host's mounts are shared, this keeps the dev/pts mount made on the chroot's dev
        # from showing up on the host's own /dev as well.
        mount --make-slave "$chroot_dir/$mount_point"
    fi
done

setup_options=(-Dplugin=enabled -Dwerror=true)
if [ -n "$corpus_dir" ]; then
    mkdir -p "$chroot_dir$corpus_in_chroot"
    # A run that was killed may have left another folder mounted there.
    if mountpoint -q "$chroot_dir$corpus_in_chroot"; then
        umount --lazy "$chroot_dir$corpus_in_chroot"
    fi
    mount --bind "$corpus_dir" "$chroot_dir$corpus_in_chroot"
    mounted+=("$chroot_dir$corpus_in_chroot")
    mount --make-slave "$chroot_dir$corpus_in_chroot"
    # Nothing run in the chroot can change the captures.
    mount -o remount,bind,ro "$chroot_dir$corpus_in_chroot"
    setup_options+=(-Dcorpus_dir="$corpus_in_chroot")
fi

# A clean environment, so that the host's PATH, compiler flags and the like do not leak in.
in_chroot() {
    chroot "$chroot_dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

echo "== installing the build dependencies in the $suite chroot"
# An archive snapshot has a Release file whose validity date has passed; apt would refuse it.
echo 'Acquire::Check-Valid-Until "false";' >"$chroot_dir/etc/apt/apt.conf.d/99oddport"
# debootstrap writes the components it was given into sources.list; a chroot made without
# universe would find neither wireshark-dev nor tshark.
if [ "$distribution" = ubuntu ] &&
    ! grep -qsw universe "$chroot_dir/etc/apt/sources.list" "$chroot_dir"/etc/apt/sources.list.d/*; then
    echo "deb $(ubuntu_archive_url) $suite ${ubuntu_components//,/ }" >"$chroot_dir/etc/apt/sources.list"
fi
# The host's network settings may have changed since the chroot was made.
cp -L --remove-destination /etc/resolv.conf "$chroot_dir/etc/resolv.conf" 2>/dev/null || true
if ! in_chroot apt-get update -q; then
    # Without the network, the packages already installed are good enough to test with.
    in_chroot dpkg-query -W "${chroot_packages[@]}" >/dev/null 2>&1 || fail "apt-get update failed in the $suite chroot"
    echo "run-in-chroot: apt-get update failed; going on with the packages already installed" >&2
fi
# dpkg syncs every file it unpacks to the disk. A test chroot needs none of that: a run cut short
# is finished below (dpkg --configure -a) or the chroot made again, and the syncs stall every
# other writer on the file system, such as the tests CI runs while it prepares the chroots.
echo force-unsafe-io >"$chroot_dir/etc/dpkg/dpkg.cfg.d/oddport-unsafe-io"
in_chroot dpkg --configure -a
# Installing a package that is already installed only upgrades it if the archive has a newer version.
in_chroot apt-get install -y -q --no-install-recommends "${chroot_packages[@]}"

tshark_version=$(in_chroot sh -c 'tshark --version 2>/dev/null | head -n 1')
tshark_version=${tshark_version%.}
[ -n "$tshark_version" ] || fail "tshark does not run in the $suite chroot"
echo "== $tshark_version, in the $suite chroot"
if $prepare_only; then
    echo "== the $suite chroot is ready"
    exit 0
fi

echo "== copying $source_dir to $source_in_chroot in the chroot"
copy_dir=$chroot_dir$source_in_chroot
rm -rf --one-file-system "$copy_dir"
mkdir -p "$copy_dir"
if [ -e "$source_dir/.git" ] && command -v git >/dev/null; then
    # Tracked files and untracked ones that are not ignored, so that uncommitted work is tested too;
    # a tracked file deleted in the work tree is left out. safe.directory lets root read a
    # checkout that belongs to another user.
    git -c safe.directory="$source_dir" -C "$source_dir" ls-files -z --cached --others --exclude-standard |
        (cd "$source_dir" && while IFS= read -r -d '' path; do
            if [ -e "$path" ] || [ -L "$path" ]; then printf '%s\0' "$path"; fi
        done) |
        tar -C "$source_dir" --null --no-recursion -T - -cf - |
        tar -C "$copy_dir" --no-same-owner -xf -
else
    tar -C "$source_dir" --exclude='./build*' -cf - . | tar -C "$copy_dir" --no-same-owner -xf -
fi

build_command='meson setup build "$@" && meson compile -C build'
if $test_targets_only; then
    echo "== configuring in the $suite chroot (meson test builds what the tests need)"
    build_command='meson setup build "$@"'
else
    echo "== building in the $suite chroot"
fi
# shellcheck disable=SC2016 # expanded by the shell inside the chroot
in_chroot sh -c 'cd "$1" && shift && '"$build_command" sh "$source_in_chroot" "${setup_options[@]}" ||
    fail "the build failed in the $suite chroot (with $tshark_version)"

test_args=(--suite plugin --suite newer-wireshark --no-suite host-only)
for arg in "$@"; do
    case "$arg" in
    --suite | --suite=*) test_args=() ;;
    esac
done
test_args+=(--print-errorlogs "$@")
echo "== meson test ${test_args[*]}, in the $suite chroot"
test_output=$copy_dir/meson-test-output.txt
test_status=0
# shellcheck disable=SC2016 # expanded by the shell inside the chroot
in_chroot sh -c 'cd "$1" && shift && exec meson test -C build "$@"' sh "$source_in_chroot" "${test_args[@]}" |
    tee "$test_output" || test_status=$?

# meson test passes a run with skipped tests, and one that ran none; here the plugin and the checks
# must really be built and run, so both count as failures. meson ends its output with "Ok: N", "Skipped: N"...
# (the last of each wins, in case a test's own output has such a line).
read -r ran skipped < <(awk '
    /^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout):[ \t]+[0-9]+[ \t]*$/ {
        count[substr($0, 1, index($0, ":") - 1)] = $NF
    }
    END {
        for (kind in count) ran += count[kind]
        print ran + 0, count["Skipped"] + 0
    }
' "$test_output")
problem=""
if [ "$test_status" -ne 0 ]; then
    problem="meson test failed"
elif [ "$ran" -eq 0 ]; then
    problem="no test ran"
elif [ "$skipped" -ne 0 ]; then
    problem="$skipped of $ran tests were skipped"
fi
if [ -n "$problem" ]; then
    test_log=$copy_dir/build/meson-logs/testlog.txt
    if [ -f "$test_log" ]; then
        echo "== meson's test log ($source_in_chroot/build/meson-logs/testlog.txt in the chroot)"
        cat "$test_log"
    fi
    fail "$problem in the $suite chroot (with $tshark_version)"
fi
echo "== $ran tests passed in the $suite chroot (with $tshark_version)"
