#!/usr/bin/env bash
# cross-arch.sh: run the cross-check jar on foreign CPU architectures (qemu-user, Debian JREs unpacked
# into private sysroots) and natively under every JDK in /usr/lib/jvm, then compare the reports' digests.
#
# This file: the command line, running the jar in every configuration, comparing the reports and the
# summary.  Provisioning (sysroots, qemu, the choice of runner, the tmpfs copies) is in
# cross-arch-provision.sh beside it, which this file sources.
#
# How the comparison runs and what it checks: README.md, section "cross-check".
set -euo pipefail
export LC_ALL=C   # stable tool output, and a '.' decimal point in EPOCHREALTIME

usage() {
  cat <<'EOF'
Usage: cross-check/scripts/cross-arch.sh [options]

Runs `run`, `stress` and `replay` (rounds a real gateway recorded: four Multi-Krum rounds, four
rounds of a norm-screen > nnm > multi-krum pipeline, cohort rounds and buffers of buffered mode,
with the gateway's Ed25519 and the nodes' HMAC signatures checked) of the cross-check jar natively (every JDK under
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

# Provisioning (sysroots, qemu, the runner, the tmpfs copies) and its settings.
# shellcheck source-path=SCRIPTDIR source=cross-arch-provision.sh
source "$(dirname "${BASH_SOURCE[0]}")/cross-arch-provision.sh"

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

# The label of an emulated configuration starts with the JVM's own name for the CPU (os.arch) where it
# differs from Debian's.
declare -A LABEL_ARCH=([arm64]=aarch64 [armhf]=armhf [riscv64]=riscv64 [s390x]=s390x [i386]=i386 [ppc64el]=ppc64le)

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
# The value of one property in `java -XshowSettings:properties -version` output.
prop() { sed -n "s/^ *$2 = //p" "$1" | head -n1; }

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
# The same, recorded alike, for the other kinds of round: a pipeline of the robust catalogue
# (norm-screen > nnm > multi-krum), cohort rounds (the cohort drawn again) and buffered mode (each
# buffer's staleness weights recomputed from the frames' versions) and rounds with central noise and
# sparse updates (the noise drawn again from the fixture's throwaway secret, every model after
# compared). Each is its own step, replay-KIND.
EXTRA_REPLAYS=(pipeline cohort buffered private)

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
  local kind dir
  for kind in "${EXTRA_REPLAYS[@]}"; do
    dir="${REPLAY_DIR}-$kind"
    if [[ ! -s $dir/audit.log ]]; then
      echo "cross-arch: the recorded $kind rounds ($dir) are missing" >&2
      exit 2
    fi
    local pjournals=("$dir"/rounds/*.journal) secret=()
    if [[ -f $dir/central.secret ]]; then
      # The replay refuses a secret its group or others may read; git does not keep a file's mode.
      install -m 600 "$dir/central.secret" "$OUT/central-$kind.secret"
      secret=(--central-secret "$OUT/central-$kind.secret")
    fi
    timed "$label" "replay-$kind" "$tmo" $retry "" "$@" -jar "$JAR" replay "$dir/audit.log" \
      "${pjournals[@]}" --gateway-key "$(tr -d '[:space:]' <"$dir/gateway.pub")" --keys "$dir/keys.txt" "${secret[@]}"
  done
}

# Every step of a label, in order.
STEPS=(run stress stress-deep replay "${EXTRA_REPLAYS[@]/#/replay-}")

# Seconds of a label's extra replays, summed ("-" when none ran).
extra_secs() {
  local l=$1 k total=0 any=0
  for k in "${EXTRA_REPLAYS[@]}"; do
    if [[ -n ${SECS[$l/replay-$k]:-} ]]; then
      total=$(awk -v a="$total" -v b="${SECS[$l/replay-$k]}" 'BEGIN { printf "%.1f", a + b }')
      any=1
    fi
  done
  if [[ $any -eq 1 ]]; then echo "$total"; else echo -; fi
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
  local a root jre label vmspec mode runner interp libdirs run_root extra=()
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
    # The runner, chosen now: the loader where the kernel may run the architecture, else qemu.
    if ! pick_runner "$a" "$root" "$jre" "$interp" "$libdirs" "$OUT/logs/probe-loader-$a.log"; then
      LABELS+=("$label"); L_VIA[$label]=loader; L_FAIL[$label]="$RUNNER_WHY (QORA_I386_RUNNER=loader)"
      log "$label: $RUNNER_WHY"; continue
    fi
    [[ -z $RUNNER_WHY ]] || log "$label: $RUNNER_WHY; running it under qemu"
    runner=$RUNNER
    L_VIA[$label]=$runner
    # A 32-bit guest under qemu runs from a copy of its sysroot on tmpfs.
    if ! stage_sysroot "$a" "$root" "$runner"; then
      LABELS+=("$label"); L_FAIL[$label]=$STAGED; log "$label: FAILED: $STAGED"; continue
    fi
    run_root=$STAGED
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
  for k in "${STEPS[@]}"; do
    rc=${RCS[$l/$k]:-}
    [[ -n $rc ]] || continue
    if [[ $rc -eq 124 || $rc -eq 137 ]]; then out="TIMEOUT($k)"; break; fi
    if [[ $rc -ne 0 ]]; then out="FAIL($k exit $rc)"; break; fi
    if [[ -n ${NOREPORT[$l/$k]:-} ]]; then out="FAIL($k wrote no report)"; break; fi
  done
  for k in "${STEPS[@]}"; do
    [[ -z ${RETRIED[$l/$k]:-} ]] || out+=" (retried $k after a JVM crash)"
  done
  echo "$out"
}
label_ok() { [[ $(label_result "$1") == ok* ]]; }

print_run_table() {
  local l
  echo
  echo "Runs (reports and logs: $OUT)"
  printf '%-27s %-8s %-29s %-6s %-8s %6s %8s %6s %8s %6s  %s\n' label os.arch java.vm.version via mode run-s stress-s \
    deep-s replay-s more-s result
  for l in "${LABELS[@]}"; do
    printf '%-27s %-8s %-29s %-6s %-8s %6s %8s %6s %8s %6s  %s\n' "$l" "${L_OSARCH[$l]:--}" "${L_VMVERSION[$l]:--}" \
      "${L_VIA[$l]:--}" "${L_MODE[$l]:--}" "${SECS[$l/run]:--}" "${SECS[$l/stress]:--}" "${SECS[$l/stress-deep]:--}" \
      "${SECS[$l/replay]:--}" "$(extra_secs "$l")" "$(label_result "$l")"
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
