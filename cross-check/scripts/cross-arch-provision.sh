# shellcheck shell=bash
# cross-arch-provision.sh: the provisioning half of cross-arch.sh, which sources it (it does nothing when
# run on its own).  Per foreign architecture: a private apt configuration, the Debian JRE and the
# libraries it needs unpacked into a sysroot in the cache (dpkg -x, never installed), a newer qemu
# where the host's cannot run the JVM, and the smoke test that makes a sysroot count as provisioned;
# then, per run, the choice of runner (the sysroot's own loader or qemu) and the tmpfs copy of a
# 32-bit guest's sysroot.
#
# Multiarch
# (dpkg --add-architecture) breaks on these machines, so each architecture gets a private apt
# configuration and its packages are only unpacked (dpkg -x), never installed.
#
# Uses from cross-arch.sh: STATE (a private temporary directory; per architecture ARCH.status,
# ARCH.reason, ARCH.secs and ARCH.log), OUT (the reports directory, empty with --provision-only),
# SELECTED (the architectures to emulate), HOST_DEB_ARCH, and the functions log and since.
# Gives cross-arch.sh: the settings below, provision_all, print_provision_table, sysroot_of, java_cmd
# (JAVA_CMD), qemu_of, qemu_version, pick_runner (RUNNER, RUNNER_WHY), stage_sysroot (STAGED,
# STAGE_DIR) and remove_stage.

# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------

SMOKE_TIMEOUT=120
PROVISION_JOBS="${QORA_PROVISION_JOBS:-2}"

CACHE="${QORA_CROSS_CACHE:-$HOME/.cache/qora-edge/cross-arch}"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
FALLBACK_MIRROR=http://deb.debian.org/debian
# shellcheck disable=SC2034  # cross-arch.sh's default --arches and its list of known ones
ALL_ARCHES="arm64 armhf riscv64 s390x i386 ppc64el"
# Bump when the provisioning recipe changes, so existing sysroots are rebuilt once.
RECIPE_VERSION=4
I386_RUNNER="${QORA_I386_RUNNER:-auto}"

# Per architecture: Debian suite, JRE package, qemu binary suffix, JVM flags.
declare -A SUITE=([arm64]=bookworm [armhf]=bookworm [riscv64]=trixie [s390x]=bookworm [i386]=bookworm [ppc64el]=bookworm)
# riscv64 has no JRE in bookworm; trixie's Java 21 runs our --release 17 classes.
declare -A JRE_PKG=([arm64]=openjdk-17-jre-headless [armhf]=openjdk-17-jre-headless
  [riscv64]=openjdk-21-jre-headless [s390x]=openjdk-17-jre-headless [i386]=openjdk-17-jre-headless
  [ppc64el]=openjdk-17-jre-headless)
declare -A QEMU_ARCH=([arm64]=aarch64 [armhf]=arm [riscv64]=riscv64 [s390x]=s390x [i386]=i386 [ppc64el]=ppc64le)
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
# Host packages
# ---------------------------------------------------------------------------------------------

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "need root for: $*" >&2; return 1; fi
}
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
# Per run: the runner and the sysroot copy
# ---------------------------------------------------------------------------------------------

# The runner of an architecture's jar commands, chosen per run, not when provisioning: the sysroot's
# loader where the kernel may run the architecture itself (probed with java -version; with
# QORA_I386_RUNNER=auto a refusal falls back to qemu), else qemu.  Sets RUNNER (loader or qemu) and
# RUNNER_WHY (why the loader was refused, else empty); returns 1 when the loader was refused and
# QORA_I386_RUNNER=loader.
# shellcheck disable=SC2034  # RUNNER and RUNNER_WHY are its results: cross-arch.sh reads them
pick_runner() { # arch sysroot jre interp libdirs probe-log
  local a=$1 root=$2 jre=$3 interp=$4 libdirs=$5 probe=$6
  RUNNER=qemu; RUNNER_WHY=""
  if ! loader_capable "$a" || [[ $I386_RUNNER == qemu ]]; then return 0; fi
  RUNNER=loader
  java_cmd "$a" "$root" loader "$jre" "$interp" "$libdirs"
  if ! (cd "$STATE" && timeout --kill-after=5 "$SMOKE_TIMEOUT" "${JAVA_CMD[@]}" -version) </dev/null >"$probe" 2>&1; then
    RUNNER_WHY="the $a loader cannot run here: $(tail -n 2 "$probe" | tr '\n' ' ')"
    [[ $I386_RUNNER != loader ]] || return 1
    RUNNER=qemu
  fi
}

STAGE_DIR=""   # the tmpfs copy of the sysroot the current 32-bit guest runs from
# Sets STAGED to the sysroot a guest runs from: the sysroot itself, or for a 32-bit guest under qemu
# (see TMPFS_ARCHES) a copy on tmpfs, in STAGE_DIR (removed by remove_stage, or on exit); on failure
# sets STAGED to why, and returns 1.  Not in a $(...) subshell: STAGE_DIR must reach the exit trap.
# shellcheck disable=SC2034  # STAGED is its result: cross-arch.sh reads it
stage_sysroot() { # arch sysroot runner
  local a=$1 root=$2 runner=$3 need_kb avail d fstype why=() t0=$EPOCHREALTIME s pid
  STAGED=$root
  [[ $runner == qemu && " $TMPFS_ARCHES " == *" $a "* ]] || return 0
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
