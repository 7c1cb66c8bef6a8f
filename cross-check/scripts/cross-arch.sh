#!/usr/bin/env bash
# cross-arch.sh: run the cross-check jar on foreign CPU architectures (qemu-user, Debian JREs unpacked
# into private sysroots) and natively under every JDK in /usr/lib/jvm, then compare the reports' digests.
#
# Background and measured facts: shared/notes/cross-arch-emulation.md.  In short: multiarch
# (dpkg --add-architecture) breaks on these machines, so each architecture gets a private apt
# configuration and its packages are only unpacked (dpkg -x), never installed.
set -euo pipefail
export LC_ALL=C   # stable tool output, and a '.' decimal point in EPOCHREALTIME

usage() {
  cat <<'EOF'
Usage: cross-check/scripts/cross-arch.sh [options]

Runs `run`, `stress` and `replay` (four rounds a real gateway recorded, with the gateway's Ed25519
and the nodes' HMAC signatures checked) of the cross-check jar natively (every JDK under
/usr/lib/jvm, with and without --add-modules jdk.incubator.vector) and on other architectures
(Debian JREs unpacked into private sysroots, run under qemu-user; i386 through its own loader where
the x86_64 kernel runs 32-bit code, else under qemu-i386), prints a summary table, then runs
`compare` on the run reports and on the stress reports (reference: the default JDK with the vector
module).  Sysroots are provisioned on first use and reused.  A 32-bit guest (armhf, i386) under qemu
runs from a copy of its sysroot on tmpfs (see QORA_TMPFS), removed when its runs end.
Every selected configuration must run and pass: the last line lists each with its runner and result.

Options:
  --jar FILE          cross-check jar (default: cross-check/target/cross-check.jar in this repository)
  --out DIR           directory for the reports and logs (default: a new temporary directory)
  --arches "LIST"     Debian architectures to emulate (default: "arm64 armhf riscv64 s390x i386 ppc64el");
                      leave one out here to not run it, every one listed must run
  --skip-native       do not run the native JDKs (compare still runs on the host JDK)
  --provision-only    only install qemu and provision the sysroots, then print their status
  --seed N            stress seed        (env QORA_STRESS_SEED,    default 20250521)
  --rounds N          stress rounds      (env QORA_STRESS_ROUNDS,  default 40)
  --dim-max N         stress max dim     (env QORA_STRESS_DIM_MAX, default 4096)
  --native-rounds N   extra, deeper native-only stress run, compared among native JDKs only;
                      0 turns it off     (env QORA_NATIVE_STRESS_ROUNDS, default 200)
  --emu-vector        also pass --add-modules jdk.incubator.vector to the emulated JVMs
  -h, --help          this text

Environment:
  QORA_CROSS_CACHE    downloads and sysroots (default: $HOME/.cache/qora-edge/cross-arch)
  QORA_EMU_TIMEOUT, QORA_NATIVE_TIMEOUT  seconds per jar command (default 180, 300)
  QORA_I386_RUNNER    auto (default: the loader if the kernel runs 32-bit x86 code, else qemu-i386),
                      loader, or qemu (emulate even where the kernel could run it); chosen per run,
                      the sysroot is the same
  QORA_TMPFS          the tmpfs directory for the 32-bit guests' sysroot copies (default: the first
                      usable of /dev/shm, $XDG_RUNTIME_DIR, /run/shm, $TMPDIR, /tmp); it must
                      be tmpfs
  QORA_PROVISION_JOBS   sysroots provisioned in parallel (default 2)

Exit status: 0 every configuration ran and passed and all reports agree; 1 a report differs, or a
configuration's jar command failed, crashed (twice, see below), timed out or wrote no report, or a
32-bit guest found no usable tmpfs; 2 usage error; 3 a selected architecture could not be
provisioned (or the native reference JDK did not run).  An emulated JVM that crashes (HotSpot's
fatal-error banner) is run once more; a pass after that counts, and the result says so.
EOF
}

# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------

# One set of stress parameters for every report that is compared: digests only agree when seed,
# rounds and dim-max agree, and the set has to fit the slowest emulated JVM (armhf ~9x native).
STRESS_SEED="${QORA_STRESS_SEED:-20250521}"
STRESS_ROUNDS="${QORA_STRESS_ROUNDS:-40}"
STRESS_DIM_MAX="${QORA_STRESS_DIM_MAX:-4096}"
# Native JVMs can afford more rounds; that report is compared among the native JDKs only.
NATIVE_STRESS_ROUNDS="${QORA_NATIVE_STRESS_ROUNDS:-200}"

# A hung emulated JVM must not eat the whole 10-minute budget.
EMU_TIMEOUT="${QORA_EMU_TIMEOUT:-180}"
NATIVE_TIMEOUT="${QORA_NATIVE_TIMEOUT:-300}"
SMOKE_TIMEOUT=120
PROVISION_JOBS="${QORA_PROVISION_JOBS:-2}"

CACHE="${QORA_CROSS_CACHE:-$HOME/.cache/qora-edge/cross-arch}"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
FALLBACK_MIRROR=http://deb.debian.org/debian
ALL_ARCHES="arm64 armhf riscv64 s390x i386 ppc64el"
# Bump when the provisioning recipe changes, so existing sysroots are rebuilt once.
RECIPE_VERSION=4
I386_RUNNER="${QORA_I386_RUNNER:-auto}"

# Per architecture: Debian suite, JRE package, qemu binary suffix, label prefix (the JVM's own name
# for the CPU where it differs from Debian's), JVM flags.
declare -A SUITE=([arm64]=bookworm [armhf]=bookworm [riscv64]=trixie [s390x]=bookworm [i386]=bookworm [ppc64el]=bookworm)
# riscv64 has no JRE in bookworm; trixie's Java 21 runs our --release 17 classes.
declare -A JRE_PKG=([arm64]=openjdk-17-jre-headless [armhf]=openjdk-17-jre-headless
  [riscv64]=openjdk-21-jre-headless [s390x]=openjdk-17-jre-headless [i386]=openjdk-17-jre-headless
  [ppc64el]=openjdk-17-jre-headless)
declare -A QEMU_ARCH=([arm64]=aarch64 [armhf]=arm [riscv64]=riscv64 [s390x]=s390x [i386]=i386 [ppc64el]=ppc64le)
declare -A LABEL_ARCH=([arm64]=aarch64 [armhf]=armhf [riscv64]=riscv64 [s390x]=s390x [i386]=i386 [ppc64el]=ppc64le)
# What libjvm/libjava/libjli/libzip/libnio/libnet/libjimage NEED (readelf -d) on every architecture:
# libc/libm + loader (libc6), libgcc_s, libstdc++, libz.  The JRE's other NEEDED libraries (asound,
# freetype, harfbuzz, jpeg, lcms2, pcsclite) belong to AWT, sound and smart cards, which we never load.
LIB_PKGS="libc6 libgcc-s1 libstdc++6 zlib1g"
# C2 compiling under emulation costs more than it saves in runs of seconds: C1 only, plus a GC and
# no perf-data file that add no threads or mmaps.  Measured with the jar's conformance `run` on a
# quiet machine, defaults -> these flags: arm64 9.1 -> 5.1 s, riscv64 8.4 -> 5.8 s, s390x 7.2 -> 4.0 s,
# ppc64el 9.5 -> 5.4 s, armhf 10.5 -> 5.1 s (for armhf the notes found the defaults as good on
# warmed-up loops; on our short runs C1 wins).
C1_FLAGS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData"
# 32-bit guests: the default heap (1/4 of RAM, capped for 32-bit) reserves most of the 4 GiB guest
# address space, and the compilers' malloc then fails ("insufficient memory ... Arena::Amalloc",
# seen 1 in 6 armhf runs).  A fixed heap leaves room.
SMALL_HEAP="-Xmx512m"
declare -A EMU_FLAGS=(
  [arm64]="$C1_FLAGS"
  [riscv64]="$C1_FLAGS"
  [armhf]="$C1_FLAGS $SMALL_HEAP"
  [s390x]="$C1_FLAGS"
  [ppc64el]="$C1_FLAGS"
  # Under qemu-i386 (trixie's, see QEMU_PKG), the same flags as armhf.
  [i386]="$C1_FLAGS $SMALL_HEAP"
)
# Architectures the host kernel can run itself, started through the sysroot's own ELF loader instead
# of qemu: it is still the i386 JVM (os.arch i386, 32-bit HotSpot), just on a real x86 CPU.  Not
# every x86_64 kernel runs 32-bit code (no IA32 emulation: the loader is refused); there, and with
# QORA_I386_RUNNER=qemu, i386 runs under qemu-i386.  The choice is made per run (a probe of the
# loader), not when provisioning.
declare -A LOADER_ARCHES=([amd64]="i386")
declare -A LOADER_FLAGS=([i386]="$SMALL_HEAP")
# Architectures whose qemu comes from a newer Debian suite than the host's: "SUITE PACKAGE", the
# package built for the host's architecture; only its qemu-ARCH binary (static) is unpacked, into
# the sysroot's .qora-qemu/.  bookworm's qemu-i386 (7.2) cannot run HotSpot reliably, whatever the
# JVM flags.  Measured with the i386 leg (run, stress, replay: 3 jar commands) from a tmpfs sysroot,
# commands that aborted: C1 only (EMU_FLAGS) 3 of 3 (one leg); C1 + -XX:CICompilerCount=1
# -XX:-BackgroundCompilation 5 of 9 (three legs); C1 + -XX:-UseOnStackReplacement -Xss2m 3 of 9
# (three legs); C2 (tiered, the default) 3 of 3 (one leg).  The abort is guarantee(nm != NULL) in
# relocInfo.cpp on a thread that runs on another thread's stack (the notes also saw SIGSEGV in
# SafepointBlob, and hangs), and such a JVM can ignore SIGTERM.  trixie's qemu-i386 (10.0.13) ran
# the leg with EMU_FLAGS 10 times in a row without a crash.
declare -A QEMU_PKG=([i386]="trixie qemu-user")
# 32-bit guests: under qemu-user on ext4 their getdents fails with EOVERFLOW (ext4's directory
# offsets are 64-bit), so the JVM cannot list a directory, and javax.crypto (HMAC) fails at class
# init, since it lists its policy directory.  Under qemu they run from a copy of the sysroot on tmpfs,
# whose offsets are small.  (Through the loader the kernel gives a 32-bit process 32-bit offsets.)
TMPFS_ARCHES="armhf i386"
# The JRE libraries that must load for `java -jar`; their NEEDED entries are checked after unpacking.
CORE_JRE_FILES="bin/java lib/libjli.so lib/server/libjvm.so lib/libjava.so lib/libzip.so lib/libnio.so
  lib/libnet.so lib/libjimage.so lib/libverify.so lib/libextnet.so"

# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$REPO_ROOT/cross-check/target/cross-check.jar"
OUT=""
ARCHES="$ALL_ARCHES"
SKIP_NATIVE=0
PROVISION_ONLY=0
EMU_VECTOR=0

die_usage() { echo "cross-arch.sh: $*" >&2; echo "Try --help." >&2; exit 2; }
need_arg() { [[ $# -ge 2 && -n $2 ]] || die_usage "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --jar) need_arg "$@"; JAR=$2; shift 2 ;;
    --out) need_arg "$@"; OUT=$2; shift 2 ;;
    --arches) need_arg "$@"; ARCHES=$2; shift 2 ;;
    --skip-native) SKIP_NATIVE=1; shift ;;
    --provision-only) PROVISION_ONLY=1; shift ;;
    --seed) need_arg "$@"; STRESS_SEED=$2; shift 2 ;;
    --rounds) need_arg "$@"; STRESS_ROUNDS=$2; shift 2 ;;
    --dim-max) need_arg "$@"; STRESS_DIM_MAX=$2; shift 2 ;;
    --native-rounds) need_arg "$@"; NATIVE_STRESS_ROUNDS=$2; shift 2 ;;
    --emu-vector) EMU_VECTOR=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown argument: $1" ;;
  esac
done
for n in "$STRESS_SEED" "$STRESS_ROUNDS" "$STRESS_DIM_MAX" "$NATIVE_STRESS_ROUNDS"; do
  [[ $n =~ ^[0-9]+$ ]] || die_usage "not a number: $n"
done
for a in $ARCHES; do
  [[ -n ${SUITE[$a]:-} ]] || die_usage "unknown architecture '$a' (known: $ALL_ARCHES)"
done
[[ $I386_RUNNER =~ ^(auto|loader|qemu)$ ]] || die_usage "QORA_I386_RUNNER must be auto, loader or qemu, not '$I386_RUNNER'"
# The emulated architectures of this run; the host's own architecture needs no emulation.
HOST_DEB_ARCH="$(dpkg --print-architecture 2>/dev/null || echo unknown)"
SELECTED=()
for a in $ARCHES; do
  if [[ $a == "$HOST_DEB_ARCH" ]]; then echo "note: $a is this machine's architecture; it runs natively" >&2; continue; fi
  SELECTED+=("$a")
done

command -v java >/dev/null 2>&1 || die_usage "no java on PATH (the host JDK runs compare)"
if [[ $PROVISION_ONLY -eq 0 ]]; then
  [[ -f $JAR ]] || die_usage "jar not found: $JAR (build it with mvn -pl cross-check -am package, or pass --jar)"
  JAR="$(realpath "$JAR")"
  if [[ -z $OUT ]]; then OUT="$(mktemp -d "${TMPDIR:-/tmp}/qora-cross-arch.XXXXXX")"; fi
  mkdir -p "$OUT/logs"
  OUT="$(realpath "$OUT")"
fi

STATE="$(mktemp -d "${TMPDIR:-/tmp}/qora-cross-arch-state.XXXXXX")"
STAGE_DIR=""   # the tmpfs copy of the sysroot the current 32-bit guest runs from
CHILD=""       # the jar command running now
# shellcheck disable=SC2317  # run by the traps below; shellcheck 0.9 takes trap handlers for unreachable code
cleanup() {
  rm -rf "$STATE"
  [[ -z $STAGE_DIR ]] || rm -rf "$STAGE_DIR"
}
# On an interrupt, stop the running JVM and remove the tmpfs copy too (bash runs a trap only once
# the foreground command ends, so jar commands run in the background and the script waits for them).
# shellcheck disable=SC2317  # run by the traps below, as cleanup
on_signal() {
  if [[ -n $CHILD ]]; then kill -TERM "$CHILD" 2>/dev/null || true; wait "$CHILD" 2>/dev/null || true; fi
  exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

log() { printf '[cross-arch %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "need root for: $*" >&2; return 1; fi
}
# The value of one property in `java -XshowSettings:properties -version` output.
prop() { sed -n "s/^ *$2 = //p" "$1" | head -n1; }

# ---------------------------------------------------------------------------------------------
# Host packages
# ---------------------------------------------------------------------------------------------

ensure_host_packages() {
  local need=()
  command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
  [[ -f $KEYRING ]] || need+=(debian-archive-keyring)
  command -v readelf >/dev/null 2>&1 || need+=(binutils)
  [[ ${#need[@]} -gt 0 ]] || return 0
  log "installing ${need[*]}"
  local install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}")
  # An `apt-get update` costs time and can fail on its own (mirror sync), so only when needed.
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then as_root apt-get update -q || true; fi
  if ! as_root "${install[@]}"; then
    as_root apt-get update -q || true
    as_root "${install[@]}"
  fi
}

# ---------------------------------------------------------------------------------------------
# Mirror: the one this host already uses
# ---------------------------------------------------------------------------------------------

# Prints "URI SUITE" for every enabled `deb` source of the host (one-line and deb822 formats).
host_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    awk '$1 == "deb" {
           i = 2
           if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
           if (i + 1 <= NF) print $i, $(i + 1)
         }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         {
           types = ""; uris = ""; suites = ""; enabled = "yes"
           for (i = 1; i <= NF; i++) {
             if ($i ~ /^[ \t]*#/ || index($i, ":") == 0) continue
             k = tolower(substr($i, 1, index($i, ":") - 1)); v = substr($i, index($i, ":") + 1)
             gsub(/^[ \t]+|[ \t]+$/, "", v)
             if (k == "types") types = v; else if (k == "uris") uris = v
             else if (k == "suites") suites = v; else if (k == "enabled") enabled = tolower(v)
           }
           if (enabled == "no" || (" " types " ") !~ / deb /) next
           nu = split(uris, U, /[ \t]+/); ns = split(suites, S, /[ \t]+/)
           for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++) print U[a], S[b]
         }' "$f"
  done
}

# The host's Debian archive mirror: a source carrying a Debian suite that is not the security archive.
find_mirror() {
  local uri suite
  while read -r uri suite; do
    [[ $suite =~ ^(buster|bullseye|bookworm|trixie|forky|sid|oldstable|stable|testing|unstable)(-updates)?$ ]] || continue
    [[ $uri == *security* ]] && continue
    echo "${uri%/}"; return 0
  done < <(host_sources 2>/dev/null)
  echo "$FALLBACK_MIRROR"
}

# ---------------------------------------------------------------------------------------------
# Provisioning one architecture (runs in a subshell with errexit; reports through $STATE)
# ---------------------------------------------------------------------------------------------

recipe_of() {
  echo "recipe=$RECIPE_VERSION arch=$1 suite=${SUITE[$1]} packages=${JRE_PKG[$1]} $LIB_PKGS${QEMU_PKG[$1]:+ qemu=${QEMU_PKG[$1]}:$HOST_DEB_ARCH}"
}
# Whether the host kernel could execute the architecture itself (then the loader is tried first).
loader_capable() { [[ " ${LOADER_ARCHES[$HOST_DEB_ARCH]:-} " == *" $1 "* ]]; }
# Sets JAVA_CMD to the command that starts the sysroot's java: through qemu, or through the
# sysroot's ld.so.  The loader gets the library path on its command line, not in LD_LIBRARY_PATH,
# so nothing the JVM starts inherits it.  libdirs: colon-separated, relative to the sysroot.
JAVA_CMD=()
java_cmd() { # arch sysroot runner jre interp libdirs
  local a=$1 root=$2 runner=$3 jre=$4 interp=$5 libdirs=$6 libpath="" d flags dirs
  if [[ $runner == loader ]]; then
    IFS=: read -ra dirs <<<"$libdirs"
    for d in "${dirs[@]}"; do libpath+="${libpath:+:}$root/$d"; done
    read -ra flags <<<"${LOADER_FLAGS[$a]:-}"
    JAVA_CMD=("$root$interp" --library-path "$libpath" "$root/$jre/bin/java" "${flags[@]}")
  else
    read -ra flags <<<"${EMU_FLAGS[$a]}"
    JAVA_CMD=("$(qemu_of "$a" "$root")" -L "$root" "$root/$jre/bin/java" "${flags[@]}")
  fi
}
sysroot_of() { echo "$CACHE/$1/sysroot"; }
qemu_version() { "$(qemu_of "$1")" --version 2>/dev/null | awk 'NR == 1 { print $3 }' || true; }
# The JRE home inside a sysroot, relative to it: the real directory, not the java-1.x.0 alias link.
jre_of() {
  local d
  d=$(find "$1/usr/lib/jvm" -mindepth 1 -maxdepth 1 -type d -name 'java-*-openjdk-*' 2>/dev/null | sort | head -n1)
  [[ -n $d && -x $d/bin/java ]] && echo "${d#"$1"/}"
}
# The qemu for an architecture: the one unpacked into the sysroot (QEMU_PKG), else the host's.
qemu_of() { # arch [sysroot]
  if [[ -n ${QEMU_PKG[$1]:-} ]]; then echo "${2:-$(sysroot_of "$1")}/.qora-qemu/qemu-${QEMU_ARCH[$1]}"
  else echo "qemu-${QEMU_ARCH[$1]}-static"; fi
}

# apt-get with everything private to this architecture: lists, status (empty), sources,
# preferences and cache.  The host's apt.conf.d still applies (proxies, timeouts).
apt_for() { local a=$1; shift; apt_in "$CACHE/$a/apt" "$a" "$@"; }
apt_in() { # apt directory, architecture, apt-get arguments
  local d=$1 a=$2; shift 2
  apt-get -q \
    -o Dir::State::Lists="$d/lists" -o Dir::State::status="$d/status" \
    -o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts="$d/sources.list.d" \
    -o Dir::Etc::Preferences="$d/preferences" -o Dir::Etc::PreferencesParts="$d/preferences.d" \
    -o Dir::Cache="$d/cache" -o APT::Architecture="$a" -o APT::Architectures="$a" \
    -o Acquire::Languages=none -o APT::Sandbox::User="$(id -un)" "$@"
}

has_index() { compgen -G "$CACHE/$1/apt/lists/*_dists_${SUITE[$1]}_main_binary-$1_Packages*" >/dev/null; }

# Repoints an absolute link (it names a host path such as /etc/java-17-openjdk/jvm.cfg) at the same
# path inside the sysroot.  Written relative, so the sysroot still works after being moved or renamed.
fix_absolute_links() {
  local root=$1 link target rel dir up parts
  while IFS= read -r -d '' link; do
    target=$(readlink "$link")
    rel=${link#"$root"/}
    up=""
    if [[ $rel == */* ]]; then
      dir=${rel%/*}
      IFS=/ read -ra parts <<<"$dir"
      for _ in "${parts[@]}"; do up+="../"; done
    fi
    ln -sfn "${up}${target#/}" "$link"
  done < <(find "$root" -type l -lname '/*' -print0)
}

# Fails naming every shared library the core JRE files need that the sysroot does not have.
check_needed() {
  local root=$1 home=$2 f so interp missing=()
  declare -A have=()
  while IFS= read -r so; do have[$so]=1; done < <(
    find -H "$root/lib" "$root/lib64" "$root/usr/lib" "$root/usr/lib64" "$home/lib" -maxdepth 2 \
      \( -type f -o -type l \) -name '*.so*' -printf '%f\n' 2>/dev/null)
  for f in $CORE_JRE_FILES; do
    [[ -f $home/$f ]] || continue
    while IFS= read -r so; do
      [[ -n ${have[$so]:-} ]] || missing+=("$so (needed by $f)")
    done < <(readelf -d "$home/$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  done
  interp=$(readelf -l "$home/bin/java" | sed -n 's/.*program interpreter: \(.*\)\]/\1/p')
  [[ -z $interp || -e $root$interp ]] || missing+=("loader $interp")
  [[ ${#missing[@]} -eq 0 ]] || fail "libraries missing from the sysroot: ${missing[*]}"
}

fail() { echo "$*" >"$STATE/$ARCH.reason"; exit 1; }

# Unpacks the qemu-ARCH binary of QEMU_PKG (a static build, for the host's architecture) into
# SYSROOT/.qora-qemu/.  Its own private apt configuration, like the sysroot's.
fetch_qemu() { # sysroot being built
  local new=$1 suite pkg qdir="$CACHE/$ARCH/qemu-apt" deb f bin="qemu-${QEMU_ARCH[$ARCH]}"
  read -r suite pkg <<<"${QEMU_PKG[$ARCH]}"
  mkdir -p "$qdir/lists/partial" "$qdir/sources.list.d" "$qdir/preferences.d" "$qdir/cache/archives/partial" \
    "$qdir/debs"
  : >"$qdir/status"
  echo "deb [arch=$HOST_DEB_ARCH signed-by=$KEYRING] $mirror $suite main" >"$qdir/sources.list"
  apt_in "$qdir" "$HOST_DEB_ARCH" update || { sleep 3; apt_in "$qdir" "$HOST_DEB_ARCH" update; } || true
  deb=$(apt_in "$qdir" "$HOST_DEB_ARCH" download --print-uris "$pkg" 2>/dev/null | awk '{ print $2 }')
  [[ -n $deb ]] || fail "apt cannot resolve $pkg in $suite for $HOST_DEB_ARCH (the qemu for $ARCH)"
  (cd "$qdir/debs" && apt_in "$qdir" "$HOST_DEB_ARCH" download "$pkg") || fail "apt-get download $pkg ($suite) failed"
  for f in "$qdir/debs"/*.deb; do [[ ${f##*/} == "$deb" ]] || rm -f "$f"; done
  mkdir -p "$new/.qora-qemu"
  dpkg-deb --fsys-tarfile "$qdir/debs/$deb" | tar -x -C "$new/.qora-qemu" --strip-components=3 "./usr/bin/$bin" ||
    fail "$deb has no usr/bin/$bin"
  "$new/.qora-qemu/$bin" --version | head -n1 || fail "$bin from $deb does not run"
}

provision_arch() {
  ARCH=$1
  local dir="$CACHE/$1" root new recipe mirror t0=$EPOCHREALTIME
  root=$(sysroot_of "$ARCH"); new="$dir/sysroot.new"; recipe=$(recipe_of "$ARCH")
  trap 'echo "command failed (exit $?): $BASH_COMMAND" >>"$STATE/$ARCH.reason"' ERR
  mkdir -p "$dir"
  # Two runs sharing a cache must not unpack into the same directory at once.
  exec {lock}>"$dir/.lock"
  flock "$lock"
  if [[ -f $root/.qora-provisioned && "$(head -n1 "$root/.qora-provisioned")" == "$recipe" ]]; then
    echo cached >"$STATE/$ARCH.status"; since "$t0" >"$STATE/$ARCH.secs"; return 0
  fi
  [[ -n ${QEMU_PKG[$ARCH]:-} ]] || command -v "$(qemu_of "$ARCH")" >/dev/null || fail "$(qemu_of "$ARCH") is not installed"

  mkdir -p "$dir/apt/lists/partial" "$dir/apt/sources.list.d" "$dir/apt/preferences.d" \
    "$dir/apt/cache/archives/partial" "$dir/debs"
  : >"$dir/apt/status"
  mirror=$(find_mirror)
  # Only the suite itself: the security archive's per-architecture indexes are often out of sync on
  # the mirrors reached from here, which would give some architectures a newer JRE than others.
  echo "deb [arch=$ARCH signed-by=$KEYRING] $mirror ${SUITE[$ARCH]} main" >"$dir/apt/sources.list"
  # A failed update can leave a usable index behind (one file out of sync); only no index is fatal.
  apt_for "$ARCH" update || { sleep 3; apt_for "$ARCH" update; } || true
  has_index "$ARCH" || fail "apt-get update found no ${SUITE[$ARCH]}/main index for $ARCH at $mirror"

  local pkgs=() debs=() f
  read -ra pkgs <<<"${JRE_PKG[$ARCH]} $LIB_PKGS"
  mapfile -t debs < <(apt_for "$ARCH" download --print-uris "${pkgs[@]}" 2>"$dir/apt/resolve.err" | awk '{ print $2 }')
  [[ ${#debs[@]} -eq ${#pkgs[@]} ]] ||
    fail "apt cannot resolve all of: ${pkgs[*]}: $(grep '^E:' "$dir/apt/resolve.err" | tr '\n' ' ')"
  # apt-get download skips files already present with the right hash, so this is the cache.
  (cd "$dir/debs" && apt_for "$ARCH" download "${pkgs[@]}") || fail "apt-get download failed: ${pkgs[*]}"
  # Drop superseded versions so the cache does not grow with every JRE update.
  for f in "$dir/debs"/*.deb; do
    [[ " ${debs[*]} " == *" ${f##*/} "* ]] || rm -f "$f"
  done

  # Unpack beside the old sysroot and swap at the end: an interrupted run never leaves a
  # half-built sysroot that looks provisioned.
  rm -rf "$new"; mkdir -p "$new"
  for f in "${debs[@]}"; do dpkg -x "$dir/debs/$f" "$new"; done
  # trixie packages are /usr-merged (files only under /usr/lib, loader path /lib/...): recreate the
  # top-level links that a merged-/usr system has.  bookworm ships real /lib, /lib64 dirs instead.
  for f in bin sbin lib lib32 lib64 libx32; do
    if [[ -d $new/usr/$f && ! -e $new/$f && ! -L $new/$f ]]; then ln -s "usr/$f" "$new/$f"; fi
  done
  fix_absolute_links "$new"
  [[ -z ${QEMU_PKG[$ARCH]:-} ]] || fetch_qemu "$new"

  local jre
  jre=$(jre_of "$new") || true
  [[ -n $jre ]] || fail "no JRE under usr/lib/jvm after unpacking ${JRE_PKG[$ARCH]}"
  check_needed "$new" "$new/$jre"

  # The loader and library dirs for the "loader" runner: the multiarch dirs (libc is in
  # lib/TRIPLET, libstdc++ in usr/lib/TRIPLET), which the host's loader configuration lacks.
  local interp libdirs="" d
  interp=$(readelf -l "$new/$jre/bin/java" | sed -n 's/.*program interpreter: \(.*\)\]/\1/p')
  for d in "$new"/lib/*-linux-gnu* "$new"/usr/lib/*-linux-gnu*; do
    [[ ! -d $d ]] || libdirs+="${libdirs:+:}${d#"$new"/}"
  done

  # The JVM must start before the sysroot counts as provisioned: through the loader where the
  # kernel may run the architecture itself (unless QORA_I386_RUNNER=qemu), else or if that fails
  # (no 32-bit support built in), under qemu.  Which runner the jar commands use is decided per run.
  local smoke="$new/.qora-java-version" rc=0 runner=qemu
  if loader_capable "$ARCH" && [[ $I386_RUNNER != qemu ]]; then runner=loader; fi
  run_smoke() {
    rc=0
    java_cmd "$ARCH" "$new" "$runner" "$jre" "$interp" "$libdirs"
    (cd "$dir" && timeout --kill-after=5 "$SMOKE_TIMEOUT" "${JAVA_CMD[@]}" -XshowSettings:properties -version) \
      >"$smoke" 2>&1 || rc=$?
  }
  run_smoke
  if [[ $rc -ne 0 && $runner == loader ]] && command -v "$(qemu_of "$ARCH" "$new")" >/dev/null; then
    echo "the $ARCH loader failed (exit $rc), trying qemu: $(tail -n 2 "$smoke" | tr '\n' ' ')"
    runner=qemu; run_smoke
  fi
  [[ $rc -eq 0 ]] || fail "java -version exited $rc ($runner): $(tail -n 3 "$smoke" | tr '\n' ' ')"

  { echo "$recipe"; echo "jre=$jre"; echo "interp=$interp"; echo "libdirs=$libdirs"
    echo "mirror=$mirror"; printf 'deb=%s\n' "${debs[@]}"; } >"$new/.qora-provisioned"
  rm -rf "$root"; mv "$new" "$root"
  echo provisioned >"$STATE/$ARCH.status"
  since "$t0" >"$STATE/$ARCH.secs"
}

provision_all() {
  [[ ${#SELECTED[@]} -gt 0 ]] || return 0
  ensure_host_packages || log "warning: could not install the host packages; provisioning may fail"
  local a t0=$EPOCHREALTIME
  log "provisioning ${SELECTED[*]} in $CACHE"
  for a in "${SELECTED[@]}"; do
    while [[ $(jobs -rp | wc -l) -ge $PROVISION_JOBS ]]; do wait -n || true; done
    mkdir -p "$CACHE/$a"
    # errtrace: the ERR trap that records why a step failed must also fire inside helper functions.
    ( set -E; provision_arch "$a" ) </dev/null >"$STATE/$a.log" 2>&1 &
  done
  wait
  for a in "${SELECTED[@]}"; do
    [[ -f $STATE/$a.status ]] || echo failed >"$STATE/$a.status"
    # Keep the log of the last real provisioning; a cached run has nothing to say.
    [[ $(cat "$STATE/$a.status") == cached ]] || cp "$STATE/$a.log" "$CACHE/$a/provision.log"
    [[ -z $OUT ]] || cp "$STATE/$a.log" "$OUT/logs/provision-$a.log"
  done
  log "provisioning done in $(since "$t0") s"
}

print_provision_table() {
  [[ ${#SELECTED[@]} -gt 0 ]] || return 0
  local a root status
  echo
  echo "Foreign architectures (cache: $CACHE)"
  printf '%-8s %-12s %-7s %8s  %s\n' arch status qemu seconds "java -version / reason"
  for a in "${SELECTED[@]}"; do
    root=$(sysroot_of "$a"); status=$(cat "$STATE/$a.status")
    if [[ $status == failed ]]; then
      printf '%-8s %-12s %-7s %8s  %s\n' "$a" FAILED - - "$(head -c 400 "$STATE/$a.reason" 2>/dev/null | tr '\n' ' ')"
    else
      # The version lines are the unindented ones after the indented property list.
      grep -vE '^( |Property settings:|$)' "$root/.qora-java-version" | {
        IFS= read -r first || true
        printf '%-8s %-12s %-7s %8s  %s\n' "$a" "$status" "$(qemu_version "$a")" \
          "$(cat "$STATE/$a.secs")" "$first"
        sed 's/^/                                          /'
      }
    fi
  done
}

# ---------------------------------------------------------------------------------------------
# Running the jar
# ---------------------------------------------------------------------------------------------

LABELS=()
declare -A L_OSARCH=() L_VMVERSION=() L_MODE=() L_VIA=() L_NATIVE=() L_NOTE=() L_FAIL=() SECS=() RCS=() RETRIED=() \
  NOREPORT=()

# Runs one jar command, timed, its output kept in logs/.  The working directory is logs/ so that a
# crashing JVM's hs_err/replay files land there, never in the caller's directory (the repository).
# The report (if any) is deleted before every try, so a crashed try never leaves one to compare.
#
# Retry policy: an emulated JVM that crashes (HotSpot's fatal-error banner, or its out-of-memory
# banner) is run once more, and a pass on the second try counts as a pass, shown as "(retried ...)"
# in the result.  Acceptable because a crash yields no report and no exit 0, so it can never pass
# for a match: the digests compared come only from a complete run, and a wrong digest is never
# retried, it is the finding.  Crashes under emulation have been the emulator's (qemu's TCG,
# signals, the 32-bit guest address space), not the code under test, which runs the same bits on
# real CPUs.  A second crash fails the configuration.  Native JVMs are never retried: a crash of a
# real JVM on a real CPU is a finding.
timed() { # label kind timeout retry(0|1) report(or "") command...
  local label=$1 kind=$2 tmo=$3 retry=$4 report=$5 t0 rc try log
  log="$OUT/logs/$kind-$label.log"
  shift 5
  for try in 1 2; do
    [[ -z $report ]] || rm -f "$report"
    t0=$EPOCHREALTIME; rc=0
    (cd "$OUT/logs" && exec timeout --kill-after=10 "$tmo" "$@") </dev/null >"$log" 2>&1 &
    CHILD=$!
    wait "$CHILD" || rc=$?
    CHILD=""
    SECS[$label/$kind]=$(since "$t0")
    RCS[$label/$kind]=$rc
    if [[ $rc -eq 0 || $try -eq 2 || $retry -eq 0 ]] ||
      ! grep -qE '^# (A fatal error has been detected|There is insufficient memory)' "$log"; then
      break
    fi
    cp "$log" "$log.crash1"
    log "$label $kind: JVM crashed (exit $rc), retrying once; first log: ${log##*/}.crash1"
    RETRIED[$label/$kind]=1
  done
  # A command that exits 0 without writing its report failed all the same.
  if [[ $rc -eq 0 && -n $report && ! -s $report ]]; then NOREPORT[$label/$kind]=1; fi
  log "$label $kind: exit $rc in ${SECS[$label/$kind]} s"
}

# Rounds recorded by a real gateway (cross-check's test fixture): every JVM replays them from the
# audit log and the kept frames and must reproduce them bit for bit (exit 0), reputation included,
# with the gateway's Ed25519 signatures and the nodes' HMAC signatures (--keys) checked.
REPLAY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/src/test/resources/org/qoraedge/crosscheck/replay/recorded"

# run + stress (+ the deeper native stress) (+ replay of the recorded rounds) for one JVM command line.
run_label() {
  local label=$1 tmo=$2 native=$3 retry=1
  shift 3
  [[ $native -eq 0 ]] || retry=0
  LABELS+=("$label")
  timed "$label" run "$tmo" $retry "$OUT/run-$label.json" "$@" -jar "$JAR" run --json "$OUT/run-$label.json"
  timed "$label" stress "$tmo" $retry "$OUT/stress-$label.json" "$@" -jar "$JAR" stress --seed "$STRESS_SEED" \
    --rounds "$STRESS_ROUNDS" --dim-max "$STRESS_DIM_MAX" --json "$OUT/stress-$label.json"
  if [[ $native -eq 1 && $NATIVE_STRESS_ROUNDS -gt 0 && $NATIVE_STRESS_ROUNDS -ne $STRESS_ROUNDS ]]; then
    timed "$label" stress-deep "$tmo" $retry "$OUT/stress-deep-$label.json" "$@" -jar "$JAR" stress \
      --seed "$STRESS_SEED" --rounds "$NATIVE_STRESS_ROUNDS" --dim-max "$STRESS_DIM_MAX" \
      --json "$OUT/stress-deep-$label.json"
  fi
  if [[ -s $REPLAY_DIR/audit.log ]]; then
    # Journals named one by one: they stay in the repository (ext4, say), where a 32-bit guest under
    # qemu-user cannot list a directory (getdents fails with EOVERFLOW; see TMPFS_ARCHES), a limit of
    # the emulation, not of the product (a Pi's own file system is fine).
    local journals=("$REPLAY_DIR"/rounds/*.journal)
    timed "$label" replay "$tmo" $retry "" "$@" -jar "$JAR" replay "$REPLAY_DIR/audit.log" "${journals[@]}" \
      --gateway-key "$(tr -d '[:space:]' <"$REPLAY_DIR/gateway.pub")" --keys "$REPLAY_DIR/keys.txt"
  fi
}

has_vector_module() { # JDK home
  if [[ -f $1/release ]] && grep -q '^MODULES=' "$1/release"; then
    grep '^MODULES=' "$1/release" | grep -qw 'jdk\.incubator\.vector'
  else
    "$1/bin/java" --list-modules 2>/dev/null | grep -q '^jdk\.incubator\.vector@'
  fi
}

# Every distinct JDK home: the default one (java on PATH) first, links to the same home once.
native_homes() {
  local d r
  declare -A seen=()
  for d in "$(dirname "$(dirname "$(realpath "$(command -v java)")")")" /usr/lib/jvm/*; do
    [[ -x $d/bin/java ]] || continue
    r=$(realpath "$d")
    [[ -z ${seen[$r]:-} ]] || continue
    seen[$r]=1; echo "$r"
  done
}

# openjdk17, temurin25, ...: the distribution from the directory name, the major from the JVM.
jdk_name() { # home, properties file
  local base vendor=jdk v
  base=$(basename "$1" | tr '[:upper:]' '[:lower:]')
  for v in temurin zulu corretto graalvm liberica semeru sapmachine microsoft openjdk; do
    if [[ $base == *"$v"* ]]; then vendor=$v; break; fi
  done
  echo "$vendor$(prop "$2" java.specification.version)"
}

HOST_HOME="$(dirname "$(dirname "$(realpath "$(command -v java)")")")"
HOST_JAVA="$HOST_HOME/bin/java"
REFERENCE=""

run_native() {
  local home props name label mode
  local host_arch; host_arch=$(uname -m)
  while IFS= read -r home; do
    props="$OUT/logs/properties-$(basename "$home").txt"
    if ! "$home/bin/java" -XshowSettings:properties -version >"$props" 2>&1; then
      log "skipping $home: java -version failed"; continue
    fi
    name=$(jdk_name "$home" "$props")
    for mode in vector novector; do
      label="$host_arch-$name-$mode"
      L_OSARCH[$label]=$(prop "$props" os.arch); L_VMVERSION[$label]=$(prop "$props" java.vm.version)
      L_MODE[$label]=$mode; L_NATIVE[$label]=1; L_VIA[$label]=native
      if [[ $mode == vector ]]; then
        if ! has_vector_module "$home"; then
          LABELS+=("$label"); L_NOTE[$label]="no jdk.incubator.vector module"; continue
        fi
        run_label "$label" "$NATIVE_TIMEOUT" 1 "$home/bin/java" --add-modules jdk.incubator.vector
        # The reference: the default JDK with the Vector API, the production configuration.
        [[ -n $REFERENCE || $home != "$HOST_HOME" ]] || REFERENCE=$label
      else
        run_label "$label" "$NATIVE_TIMEOUT" 1 "$home/bin/java"
      fi
    done
  done < <(native_homes)
}

# Copies a sysroot to tmpfs for a 32-bit guest (see TMPFS_ARCHES): sets STAGE_DIR (removed by
# remove_stage, or on exit) and STAGED to the copy; on failure sets STAGED to why, and returns 1.
# Not in a $(...) subshell: STAGE_DIR must reach the exit trap.
STAGED=""
stage_sysroot() { # arch sysroot
  local a=$1 root=$2 need_kb avail d fstype why=() t0=$EPOCHREALTIME s pid
  need_kb=$(( $(du -sk "$root" | cut -f1) + 64 * 1024 ))
  local candidates=("${QORA_TMPFS:-}")
  [[ -n ${QORA_TMPFS:-} ]] || candidates=(/dev/shm "${XDG_RUNTIME_DIR:-}" /run/shm "${TMPDIR:-/tmp}" /tmp)
  for d in "${candidates[@]}"; do
    [[ -n $d ]] || continue
    if [[ ! -d $d || ! -w $d ]]; then why+=("$d: not a writable directory"); continue; fi
    fstype=$(stat -f -c %T "$d" 2>/dev/null || echo unknown)
    if [[ $fstype != tmpfs ]]; then why+=("$d: $fstype, not tmpfs"); continue; fi
    # Copies left by runs that were killed outright (no trap ran): their process is gone.
    for s in "$d"/qora-cross-arch-root.*; do
      [[ -f $s/.pid ]] || continue
      pid=$(cat "$s/.pid"); kill -0 "$pid" 2>/dev/null || rm -rf "$s"
    done
    avail=$(df -Pk "$d" | awk 'NR == 2 { print $4 }')
    if [[ ${avail:-0} -lt $need_kb ]]; then why+=("$d: ${avail:-0} KiB free, needs $need_kb"); continue; fi
    STAGE_DIR=$(mktemp -d "$d/qora-cross-arch-root.XXXXXX")
    echo $$ >"$STAGE_DIR/.pid"
    if ! cp -a "$root" "$STAGE_DIR/$a" 2>"$STATE/stage.err"; then
      why+=("$d: copy failed: $(head -c 200 "$STATE/stage.err")"); remove_stage; continue
    fi
    log "$a: sysroot copied to $STAGE_DIR/$a ($fstype) in $(since "$t0") s"
    STAGED="$STAGE_DIR/$a"; return 0
  done
  [[ ${#why[@]} -gt 0 ]] || why=("no candidate directory")
  local IFS=';'; STAGED="no usable tmpfs for the 32-bit guest's sysroot (set QORA_TMPFS): ${why[*]}"
  return 1
}
remove_stage() { [[ -z $STAGE_DIR ]] || rm -rf "$STAGE_DIR"; STAGE_DIR=""; }

run_emulated() {
  local a root jre label vmspec mode runner interp libdirs run_root extra=() why
  for a in "${SELECTED[@]}"; do
    [[ $(cat "$STATE/$a.status") != failed ]] || continue
    root=$(sysroot_of "$a")
    jre=$(sed -n 's/^jre=//p' "$root/.qora-provisioned")
    interp=$(sed -n 's/^interp=//p' "$root/.qora-provisioned"); libdirs=$(sed -n 's/^libdirs=//p' "$root/.qora-provisioned")
    vmspec=$(prop "$root/.qora-java-version" java.specification.version)
    label="${LABEL_ARCH[$a]}-openjdk$vmspec"
    L_OSARCH[$label]=$(prop "$root/.qora-java-version" os.arch)
    L_VMVERSION[$label]=$(prop "$root/.qora-java-version" java.vm.version)
    L_NATIVE[$label]=0
    # The runner, chosen now: the loader where the kernel may run the architecture (probed with
    # java -version; auto falls back to qemu if the kernel refuses it), else qemu.
    runner=qemu
    if loader_capable "$a" && [[ $I386_RUNNER != qemu ]]; then
      runner=loader
      java_cmd "$a" "$root" loader "$jre" "$interp" "$libdirs"
      if ! (cd "$STATE" && timeout --kill-after=5 "$SMOKE_TIMEOUT" "${JAVA_CMD[@]}" -version) </dev/null \
          >"$OUT/logs/probe-loader-$a.log" 2>&1; then
        why="the $a loader cannot run here: $(tail -n 2 "$OUT/logs/probe-loader-$a.log" | tr '\n' ' ')"
        if [[ $I386_RUNNER == loader ]]; then
          LABELS+=("$label"); L_VIA[$label]=loader; L_FAIL[$label]="$why (QORA_I386_RUNNER=loader)"
          log "$label: $why"; continue
        fi
        log "$label: $why; running it under qemu"
        runner=qemu
      fi
    fi
    L_VIA[$label]=$runner
    run_root=$root
    if [[ $runner == qemu && " $TMPFS_ARCHES " == *" $a "* ]]; then
      if ! stage_sysroot "$a" "$root"; then
        LABELS+=("$label"); L_FAIL[$label]=$STAGED; log "$label: FAILED: $STAGED"; continue
      fi
      run_root=$STAGED
    fi
    [[ $runner == loader ]] || log "$label: $(qemu_of "$a" "$run_root") $(qemu_version "$a")"
    java_cmd "$a" "$run_root" "$runner" "$jre" "$interp" "$libdirs"
    # Without --emu-vector the emulated JVMs run the scalar path: with C1 only (see EMU_FLAGS) the
    # Vector API is never intrinsified and its Java fallback is far slower than scalar code.
    extra=(); mode=novector
    if [[ $EMU_VECTOR -eq 1 ]] && has_vector_module "$root/$jre"; then
      extra=(--add-modules jdk.incubator.vector); mode=vector
    fi
    L_MODE[$label]=$mode
    # FORK: a foreign JVM cannot start jspawnhelper (a foreign binary whose loader the host lacks),
    # should the jar ever start a process.
    run_label "$label" "$EMU_TIMEOUT" 0 "${JAVA_CMD[@]}" -Djdk.lang.Process.launchMechanism=FORK "${extra[@]}"
    remove_stage
  done
}

# "ok", "ok (retried ...)", "skipped (...)" or why it failed: every command exited 0 and wrote its
# report, or the first that did not.
label_result() {
  local l=$1 k rc out=ok
  if [[ -n ${L_NOTE[$l]:-} ]]; then echo "skipped (${L_NOTE[$l]})"; return; fi
  if [[ -n ${L_FAIL[$l]:-} ]]; then echo "FAIL(${L_FAIL[$l]})"; return; fi
  for k in run stress stress-deep replay; do
    rc=${RCS[$l/$k]:-}
    [[ -n $rc ]] || continue
    if [[ $rc -eq 124 || $rc -eq 137 ]]; then out="TIMEOUT($k)"; break; fi
    if [[ $rc -ne 0 ]]; then out="FAIL($k exit $rc)"; break; fi
    if [[ -n ${NOREPORT[$l/$k]:-} ]]; then out="FAIL($k wrote no report)"; break; fi
  done
  for k in run stress stress-deep replay; do
    [[ -z ${RETRIED[$l/$k]:-} ]] || out+=" (retried $k after a JVM crash)"
  done
  echo "$out"
}
label_ok() { [[ $(label_result "$1") == ok* ]]; }

print_run_table() {
  local l
  echo
  echo "Runs (reports and logs: $OUT)"
  printf '%-27s %-8s %-29s %-6s %-8s %6s %8s %6s %8s  %s\n' label os.arch java.vm.version via mode run-s stress-s deep-s \
    replay-s result
  for l in "${LABELS[@]}"; do
    printf '%-27s %-8s %-29s %-6s %-8s %6s %8s %6s %8s  %s\n' "$l" "${L_OSARCH[$l]:--}" "${L_VMVERSION[$l]:--}" \
      "${L_VIA[$l]:--}" "${L_MODE[$l]:--}" "${SECS[$l/run]:--}" "${SECS[$l/stress]:--}" "${SECS[$l/stress-deep]:--}" \
      "${SECS[$l/replay]:--}" "$(label_result "$l")"
  done
}

# ---------------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------------

COMPARE_FAILED=0
compare_set() { # name, file prefix, labels...
  local name=$1 prefix=$2 l files=() rc=0
  shift 2
  for l in "$@"; do [[ ! -s $OUT/$prefix-$l.json ]] || files+=("$OUT/$prefix-$l.json"); done
  if [[ ${#files[@]} -lt 2 ]]; then echo "compare $name: fewer than two reports, nothing to compare"; return; fi
  "$HOST_JAVA" -jar "$JAR" compare "${files[@]}" >"$OUT/compare-$name.txt" 2>&1 || rc=$?
  echo
  echo "compare $name (${#files[@]} reports, reference ${files[0]##*/}): exit $rc"
  sed 's/^/  /' "$OUT/compare-$name.txt"
  [[ $rc -eq 0 ]] || COMPARE_FAILED=1
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

T_START=$EPOCHREALTIME
provision_all

if [[ $PROVISION_ONLY -eq 1 ]]; then
  print_provision_table
  status=0
  for a in "${SELECTED[@]}"; do
    [[ $(cat "$STATE/$a.status") != failed ]] || status=3
  done
  exit $status
fi

log "reports in $OUT; stress: --seed $STRESS_SEED --rounds $STRESS_ROUNDS --dim-max $STRESS_DIM_MAX"
[[ $SKIP_NATIVE -eq 1 ]] || run_native
run_emulated

print_provision_table
print_run_table

# Reference first: the default native JDK with the vector module, else the first report there is.
ORDER=()
[[ -z $REFERENCE ]] || ORDER+=("$REFERENCE")
for l in "${LABELS[@]}"; do [[ $l == "$REFERENCE" ]] || ORDER+=("$l"); done
compare_set run run "${ORDER[@]}"
compare_set stress stress "${ORDER[@]}"
NATIVE_ORDER=()
for l in "${ORDER[@]}"; do [[ ${L_NATIVE[$l]} -eq 0 ]] || NATIVE_ORDER+=("$l"); done
if [[ ${#NATIVE_ORDER[@]} -gt 0 && $NATIVE_STRESS_ROUNDS -gt 0 && $NATIVE_STRESS_ROUNDS -ne $STRESS_ROUNDS ]]; then
  compare_set stress-deep stress-deep "${NATIVE_ORDER[@]}"
fi

# Verdict: every configuration that was selected must have run and passed, emulated or native, and
# every report must agree.  "skipped" is only a native JDK without the vector module (its novector
# configuration still runs).
STATUS=0
for l in "${LABELS[@]}"; do
  [[ -z ${L_NOTE[$l]:-} ]] || continue
  label_ok "$l" || STATUS=1
done
[[ $COMPARE_FAILED -eq 0 ]] || STATUS=1
echo
NOT_PROVISIONED=()
for a in "${SELECTED[@]}"; do
  [[ $(cat "$STATE/$a.status") == failed ]] || continue
  NOT_PROVISIONED+=("$a")
  echo "NOT PROVISIONED: $a: $(head -c 300 "$STATE/$a.reason" | tr '\n' ' ') (leave it out with --arches to not run it)"
done
[[ ${#NOT_PROVISIONED[@]} -eq 0 || $STATUS -ne 0 ]] || STATUS=3
if [[ $SKIP_NATIVE -eq 0 && -z $REFERENCE ]]; then
  echo "DID NOT RUN: the native reference (default JDK with the vector module)"
  [[ $STATUS -ne 0 ]] || STATUS=3
fi
# One line naming every configuration, its runner and its result.
SUMMARY=()
for l in "${LABELS[@]}"; do SUMMARY+=("$l ${L_VIA[$l]:--} $(label_result "$l")"); done
for a in "${NOT_PROVISIONED[@]}"; do SUMMARY+=("$a - NOT PROVISIONED"); done
[[ $COMPARE_FAILED -eq 0 ]] || SUMMARY+=("compare: REPORTS DIFFER")
SUMMARY_LINE=$(IFS=';'; echo "${SUMMARY[*]}")
echo "configurations: ${SUMMARY_LINE//;/; }"
echo "cross-arch: $([[ $STATUS -eq 0 ]] && echo PASS || echo "FAIL (exit $STATUS)") in $(since "$T_START") s"
exit $STATUS
