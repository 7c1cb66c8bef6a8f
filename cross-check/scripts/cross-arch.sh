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

Runs `run` and `stress` of the cross-check jar natively (every JDK under /usr/lib/jvm, with and
without --add-modules jdk.incubator.vector) and on other architectures (Debian JREs unpacked into
private sysroots, run under qemu-user; i386 through its own loader on the x86_64 kernel), prints a
summary table, then runs `compare` on the run reports and on the stress reports (reference: the
default JDK with the vector module).  Sysroots are provisioned on first use and reused.

Options:
  --jar FILE          cross-check jar (default: cross-check/target/cross-check.jar in this repository)
  --out DIR           directory for the reports and logs (default: a new temporary directory)
  --arches "LIST"     Debian architectures to emulate (default: "arm64 armhf riscv64 s390x i386 ppc64el")
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
  QORA_REQUIRED_ARCHES  architectures that must run, if selected (default: "arm64 armhf riscv64")
  QORA_EMU_TIMEOUT, QORA_NATIVE_TIMEOUT  seconds per jar command (default 180, 300)
  QORA_I386_RUNNER    "qemu" to run i386 under qemu-i386 even where the kernel runs it natively
  QORA_PROVISION_JOBS   sysroots provisioned in parallel (default 2)

Exit status: 0 all reports agree and every required architecture ran; 1 a report differs or a
jar command failed; 2 usage error; 3 a required architecture (or the native reference) did not run.
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
REQUIRED_ARCHES="${QORA_REQUIRED_ARCHES:-arm64 armhf riscv64}"
# Bump when the provisioning recipe changes, so existing sysroots are rebuilt once.
RECIPE_VERSION=3
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
  # Only if i386 falls back to qemu (see LOADER_ARCHES): C1 crashed less often there than C2.
  [i386]="$C1_FLAGS $SMALL_HEAP"
)
# Architectures the host kernel runs itself, started through the sysroot's own ELF loader instead
# of qemu.  Under qemu-i386 (7.2) HotSpot's compiled code crashes intermittently (guarantee(nm !=
# NULL) in relocInfo.cpp, SIGSEGV in SafepointBlob, hangs: 4 of 6 runs with default flags, 1 of 6
# with C1 only); run natively in 32-bit mode it passed 8 of 8.  It is still the i386 JVM (os.arch
# i386, 32-bit HotSpot), just on a real x86 CPU.  QORA_I386_RUNNER=qemu forces emulation.
declare -A LOADER_ARCHES=([amd64]="i386")
declare -A LOADER_FLAGS=([i386]="$SMALL_HEAP")
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
trap 'rm -rf "$STATE"' EXIT

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
  echo "recipe=$RECIPE_VERSION arch=$1 suite=${SUITE[$1]} packages=${JRE_PKG[$1]} $LIB_PKGS runner=$(runner_wanted "$1")"
}
# "loader" where the host kernel can execute the architecture itself, else "qemu".
runner_wanted() {
  if [[ " ${LOADER_ARCHES[$HOST_DEB_ARCH]:-} " == *" $1 "* && ! ($1 == i386 && $I386_RUNNER == qemu) ]]; then
    echo loader
  else
    echo qemu
  fi
}
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
    JAVA_CMD=("$(qemu_of "$a")" -L "$root" "$root/$jre/bin/java" "${flags[@]}")
  fi
}
sysroot_of() { echo "$CACHE/$1/sysroot"; }
# The JRE home inside a sysroot, relative to it: the real directory, not the java-1.x.0 alias link.
jre_of() {
  local d
  d=$(find "$1/usr/lib/jvm" -mindepth 1 -maxdepth 1 -type d -name 'java-*-openjdk-*' 2>/dev/null | sort | head -n1)
  [[ -n $d && -x $d/bin/java ]] && echo "${d#"$1"/}"
}
qemu_of() { echo "qemu-${QEMU_ARCH[$1]}-static"; }

# apt-get with everything private to this architecture: lists, status (empty), sources,
# preferences and cache.  The host's apt.conf.d still applies (proxies, timeouts).
apt_for() {
  local a=$1 d="$CACHE/$1/apt"; shift
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
  local runner; runner=$(runner_wanted "$ARCH")
  [[ $runner == loader ]] || command -v "$(qemu_of "$ARCH")" >/dev/null || fail "$(qemu_of "$ARCH") is not installed"

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

  # The JVM must start before the sysroot counts as provisioned.  Where the kernel could run the
  # architecture itself but does not (no 32-bit support built in), fall back to qemu.
  local smoke="$new/.qora-java-version" rc=0
  run_smoke() {
    rc=0
    java_cmd "$ARCH" "$new" "$runner" "$jre" "$interp" "$libdirs"
    (cd "$dir" && timeout --kill-after=5 "$SMOKE_TIMEOUT" "${JAVA_CMD[@]}" -XshowSettings:properties -version) \
      >"$smoke" 2>&1 || rc=$?
  }
  run_smoke
  if [[ $rc -ne 0 && $runner == loader ]] && command -v "$(qemu_of "$ARCH")" >/dev/null; then
    echo "the $ARCH loader failed (exit $rc), trying qemu: $(tail -n 2 "$smoke" | tr '\n' ' ')"
    runner=qemu; run_smoke
  fi
  [[ $rc -eq 0 ]] || fail "java -version exited $rc ($runner): $(tail -n 3 "$smoke" | tr '\n' ' ')"

  { echo "$recipe"; echo "jre=$jre"; echo "runner=$runner"; echo "interp=$interp"; echo "libdirs=$libdirs"
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
  printf '%-8s %-12s %-7s %8s  %s\n' arch status runner seconds "java -version / reason"
  for a in "${SELECTED[@]}"; do
    root=$(sysroot_of "$a"); status=$(cat "$STATE/$a.status")
    if [[ $status == failed ]]; then
      printf '%-8s %-12s %-7s %8s  %s\n' "$a" FAILED - - "$(head -c 400 "$STATE/$a.reason" 2>/dev/null | tr '\n' ' ')"
    else
      # The version lines are the unindented ones after the indented property list.
      grep -vE '^( |Property settings:|$)' "$root/.qora-java-version" | {
        IFS= read -r first || true
        printf '%-8s %-12s %-7s %8s  %s\n' "$a" "$status" "$(sed -n 's/^runner=//p' "$root/.qora-provisioned")" \
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
declare -A L_OSARCH=() L_VMVERSION=() L_MODE=() L_VIA=() L_NATIVE=() L_NOTE=() SECS=() RCS=() RETRIED=() ARCH_LABEL=()

# Runs one jar command, timed, its output kept in logs/.  The working directory is logs/ so that a
# crashing JVM's hs_err/replay files land there, never in the caller's directory (the repository).
# A JVM crash (HotSpot's fatal-error banner) is retried once: emulated JVMs crash now and then for
# reasons of the emulator's own; a wrong digest is never retried, it is the finding.
timed() {
  local label=$1 kind=$2 tmo=$3 t0 rc try log
  log="$OUT/logs/$kind-$label.log"
  shift 3
  for try in 1 2; do
    t0=$EPOCHREALTIME; rc=0
    (cd "$OUT/logs" && exec timeout --kill-after=10 "$tmo" "$@") </dev/null >"$log" 2>&1 || rc=$?
    SECS[$label/$kind]=$(since "$t0")
    RCS[$label/$kind]=$rc
    if [[ $rc -eq 0 || $try -eq 2 ]] ||
      ! grep -qE '^# (A fatal error has been detected|There is insufficient memory)' "$log"; then
      break
    fi
    cp "$log" "$log.crash1"
    log "$label $kind: JVM crashed (exit $rc), retrying once; first log: ${log##*/}.crash1"
    RETRIED[$label/$kind]=1
  done
  log "$label $kind: exit $rc in ${SECS[$label/$kind]} s"
}

# Rounds recorded by a real gateway (cross-check's test fixture): every JVM replays them from the
# audit log and the kept frames and must reproduce them bit for bit (exit 0), reputation included.
REPLAY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/src/test/resources/org/qoraedge/crosscheck/replay/recorded"

# run + stress (+ the deeper native stress) (+ replay of the recorded rounds) for one JVM command line.
run_label() {
  local label=$1 tmo=$2 native=$3
  shift 3
  LABELS+=("$label")
  rm -f "$OUT/run-$label.json" "$OUT/stress-$label.json" "$OUT/stress-deep-$label.json"
  timed "$label" run "$tmo" "$@" -jar "$JAR" run --json "$OUT/run-$label.json"
  timed "$label" stress "$tmo" "$@" -jar "$JAR" stress --seed "$STRESS_SEED" --rounds "$STRESS_ROUNDS" \
    --dim-max "$STRESS_DIM_MAX" --json "$OUT/stress-$label.json"
  if [[ $native -eq 1 && $NATIVE_STRESS_ROUNDS -gt 0 && $NATIVE_STRESS_ROUNDS -ne $STRESS_ROUNDS ]]; then
    timed "$label" stress-deep "$tmo" "$@" -jar "$JAR" stress --seed "$STRESS_SEED" \
      --rounds "$NATIVE_STRESS_ROUNDS" --dim-max "$STRESS_DIM_MAX" --json "$OUT/stress-deep-$label.json"
  fi
  if [[ -s $REPLAY_DIR/audit.log ]]; then
    # Journals named one by one: a 32-bit guest JVM under qemu-user cannot list a directory whose
    # entries have 64-bit inode numbers (readdir fails with EOVERFLOW, "Value too large for defined
    # data type"), a limit of the emulation, not of the product (a Pi's own file system is fine).
    # The same limit stops javax.crypto (it lists its policy directory) in such a guest, so there the
    # nodes' HMAC signatures are not checked (--keys); the gateway's Ed25519 signatures still are.
    local journals=("$REPLAY_DIR"/rounds/*.journal) keys=(--keys "$REPLAY_DIR/keys.txt")
    [[ $label != armhf-* ]] || keys=()
    timed "$label" replay "$tmo" "$@" -jar "$JAR" replay "$REPLAY_DIR/audit.log" "${journals[@]}" \
      --gateway-key "$(tr -d '[:space:]' <"$REPLAY_DIR/gateway.pub")" "${keys[@]}"
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

run_emulated() {
  local a root jre label vmspec mode runner extra=()
  for a in "${SELECTED[@]}"; do
    [[ $(cat "$STATE/$a.status") != failed ]] || continue
    root=$(sysroot_of "$a")
    jre=$(sed -n 's/^jre=//p' "$root/.qora-provisioned"); runner=$(sed -n 's/^runner=//p' "$root/.qora-provisioned")
    java_cmd "$a" "$root" "$runner" "$jre" "$(sed -n 's/^interp=//p' "$root/.qora-provisioned")" \
      "$(sed -n 's/^libdirs=//p' "$root/.qora-provisioned")"
    vmspec=$(prop "$root/.qora-java-version" java.specification.version)
    label="${LABEL_ARCH[$a]}-openjdk$vmspec"
    L_OSARCH[$label]=$(prop "$root/.qora-java-version" os.arch)
    L_VMVERSION[$label]=$(prop "$root/.qora-java-version" java.vm.version)
    L_NATIVE[$label]=0; L_VIA[$label]=$runner
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
    ARCH_LABEL[$a]=$label
  done
}

# ok: both reports written and every command exited 0; ran: the reports exist (the JVM worked).
label_result() {
  local l=$1 k rc out=ok
  if [[ -n ${L_NOTE[$l]:-} ]]; then echo "skipped (${L_NOTE[$l]})"; return; fi
  for k in run stress stress-deep replay; do
    rc=${RCS[$l/$k]:-}
    [[ -n $rc ]] || continue
    if [[ $rc -eq 124 || $rc -eq 137 ]]; then out="TIMEOUT($k)"; break; fi
    if [[ $rc -ne 0 ]]; then out="FAIL($k exit $rc)"; break; fi
  done
  for k in run stress stress-deep replay; do
    [[ -z ${RETRIED[$l/$k]:-} ]] || out+=" (retried $k after a JVM crash)"
  done
  echo "$out"
}
reports_exist() { [[ -s $OUT/run-$1.json && -s $OUT/stress-$1.json ]]; }

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
    [[ " $REQUIRED_ARCHES " != *" $a "* || $(cat "$STATE/$a.status") != failed ]] || status=3
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

# Verdict.  A JVM that wrote its reports but exited non-zero is a finding (the jar reported a
# failure); an optional architecture whose JVM never got that far is only reported.
STATUS=0
MISSING=()
for l in "${LABELS[@]}"; do
  [[ -z ${L_NOTE[$l]:-} ]] || continue
  if reports_exist "$l"; then
    [[ $(label_result "$l") == ok ]] || STATUS=1
  elif [[ ${L_NATIVE[$l]} -eq 1 ]]; then
    STATUS=1   # the host's own JDK failing is never an emulation problem
  fi
done
[[ $COMPARE_FAILED -eq 0 ]] || STATUS=1
[[ $SKIP_NATIVE -eq 1 || -n $REFERENCE ]] || MISSING+=("native reference (default JDK with vector module)")
for a in "${SELECTED[@]}"; do
  [[ " $REQUIRED_ARCHES " == *" $a "* ]] || continue
  l=${ARCH_LABEL[$a]:-}
  if [[ -z $l ]] || ! reports_exist "$l"; then MISSING+=("$a"); fi
done
echo
if [[ ${#MISSING[@]} -gt 0 ]]; then
  echo "REQUIRED BUT DID NOT RUN: ${MISSING[*]}"
  [[ $STATUS -ne 0 ]] || STATUS=3
fi
for a in "${SELECTED[@]}"; do
  [[ $(cat "$STATE/$a.status") != failed ]] || echo "not provisioned: $a: $(head -c 300 "$STATE/$a.reason" | tr '\n' ' ')"
done
echo "cross-arch: $([[ $STATUS -eq 0 ]] && echo PASS || echo "FAIL (exit $STATUS)") in $(since "$T_START") s"
exit $STATUS
