# Sourced by integration/test_*.sh. ctest sets OHC_EXE, OHC_PLATFORM (native |
# windows), OHC_SOURCE_DIR, OHC_BUILD_DIR, OHC_SCHEMA and, for windows,
# WINEPREFIX and OHC_WINE_RUN.
#
# A test never fails silently:
#   - a command that fails (set -e) stops the test with "FAIL: file:line: the
#     source line (exit N)", the functions it was called from, the last commands
#     the harness ran with the end of their output, and Wine's own messages;
#   - fail/expect_* say the same with their message;
#   - `ohc`, `wine` and `run CMD...` record each command, its exit code and,
#     when it failed, the last lines it printed (shown on failure), and stop a
#     command that hangs after OHC_CMD_TIMEOUT seconds (default 300);
#   - Windows programs run through scripts/wine-run, which keeps Wine's
#     messages (WINEDEBUG=-all,err+all) in $OHC_WINE_LOG, and retries, bounded
#     and said, a failure that is Wine's start-up/connection or a prefix tool's
#     (see scripts/wine-run); the retries are listed at the end of the test.
# Nothing depends on timing luck: wait_for SECONDS DESCRIPTION CMD... polls a
# condition and says what it waited for when it gives up; the Windows service
# helpers (sc_start, sc_stop, net_start, ohc_service_start) retry what Wine's
# service manager refuses while it settles, with a log line. Ports are picked
# free (free_port, or a server binding port 0). at_exit CMD registers cleanup;
# background jobs of the test are killed at exit and $TMP removed.
set -Eeuo pipefail
: "${OHC_EXE:?run integration tests through ctest}"
PYTHON=${PYTHON:-/usr/bin/python3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ohc-test.XXXXXX")
_H="$TMP/.harness"   # the harness's own records, not the test's files
mkdir -p "$_H"
export OHC_WINE_LOG="$_H/wine.log"
# The run's wineserver's stderr (scripts/wine-prefix): its part from this test on is shown on failure.
_WS_LOG=${WINEPREFIX:+$WINEPREFIX.wineserver.log}
_WS_LOG_START=$(stat -c %s "$_WS_LOG" 2>/dev/null || echo 0)
OHC_CMD_TIMEOUT=${OHC_CMD_TIMEOUT:-300}
_at_exit=()
_at_failure=()
# The test's own stderr (ctest's log): failures are said there even from a
# function whose stderr the test redirected.
exec {_REPORT_FD}>&2

# ---------------------------------------------------------------- reporting

# The place in the test (not in this file) that called into the harness:
# "file:line: source line".
_test_place() {
  local i
  for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
    if [ "${BASH_SOURCE[i]}" != "${BASH_SOURCE[0]}" ]; then
      _place_of "${BASH_SOURCE[i]}" "${BASH_LINENO[i - 1]}"
      return
    fi
  done
  echo "?"
}
_place_of() {  # FILE LINE
  local text
  text=$(sed -n "${2}p" "$1" 2>/dev/null | sed -E 's/^[[:space:]]+//' | cut -c1-240)
  printf '%s:%s: %s' "$(basename "$1")" "$2" "$text"
}

# What the harness knows that explains a failure: recent commands, Wine's
# messages, and what the test asked for with at_failure.
_diagnostics() {
  local i
  for ((i = 0; i < ${#_at_failure[@]}; i++)); do
    echo "--- ${_at_failure[i]}:"
    eval "${_at_failure[i]}" 2>&1 | tail -n 40 | sed 's/^/  /' || true
  done
  if [ -s "$_H/commands.log" ]; then
    echo "--- the last commands the harness ran (newest last; output shown for the failed ones):"
    tail -n 60 "$_H/commands.log" | sed 's/^/  /'
  fi
  if [ -s "$OHC_WINE_LOG" ]; then
    echo "--- Wine's messages (WINEDEBUG=-all,err+all) of this test's Windows programs, newest last:"
    tail -n 40 "$OHC_WINE_LOG" | sed 's/^/  /'
  fi
  if [ -n "$_WS_LOG" ] && [ "$(stat -c %s "$_WS_LOG" 2>/dev/null || echo 0)" -gt "$_WS_LOG_START" ]; then
    echo "--- the wineserver's messages during this test ($_WS_LOG):"
    tail -c +$((_WS_LOG_START + 1)) "$_WS_LOG" | tail -n 20 | sed 's/^/  /'
  fi
}

# A command failed under set -e: say where (the test's line, also when the
# failure surfaced inside a helper of this file), what and why.
_on_err() {
  local rc=$? i k=1 f l c
  [[ $- == *e* ]] || return 0   # a `set +e` section: the test reads $? itself
  if [ "$BASHPID" != "$$" ]; then
    # A subshell or a pipeline element: the main shell reports the line; keep what failed inside.
    printf '%s|%s|%s (exit %s)\n' "${BASH_SOURCE[1]:-?}" "${BASH_LINENO[0]}" "$BASH_COMMAND" "$rc" > "$_H/inner"
    return 0
  fi
  while [ "$k" -lt $((${#BASH_SOURCE[@]} - 1)) ] && [ "${BASH_SOURCE[k]}" = "${BASH_SOURCE[0]}" ]; do k=$((k + 1)); done
  {
    echo "FAIL: $(_place_of "${BASH_SOURCE[k]}" "${BASH_LINENO[k - 1]}")"
    if [ "$k" = 1 ]; then
      case "$(sed -n "${BASH_LINENO[0]}p" "${BASH_SOURCE[1]}")" in
        *'|'*) echo "  exit status $rc (bash was running \`$BASH_COMMAND\`; any part of a pipeline may have failed)" ;;
        *) echo "  the command \`$BASH_COMMAND\` exited $rc" ;;
      esac
    else
      echo "  it exited $rc (in the harness's ${FUNCNAME[k - 1]})"
    fi
    # fail() in a subshell (a command substitution) said why already
    [ -e "$_H/reported" ] && { echo "  (after the failure reported above)"; return 0; }
    if [ -s "$_H/inner" ]; then
      IFS='|' read -r f l c < "$_H/inner"
      [ "$f" = "${BASH_SOURCE[k]}" ] && [ "$l" = "${BASH_LINENO[k - 1]}" ] && echo "  inside it: \`$c\`"
    fi
    for ((i = k; i < ${#FUNCNAME[@]} - 1; i++)); do
      echo "  in ${FUNCNAME[i]}(), called from $(_place_of "${BASH_SOURCE[i + 1]}" "${BASH_LINENO[i]}")"
    done
    _diagnostics
  } >&"$_REPORT_FD"
}

# fail MESSAGE: the test's verdict, with where it was given.
fail() {
  {
    echo "FAIL: $*"
    echo "  at $(_test_place)"
    _diagnostics
  } >&"$_REPORT_FD"
  touch "$_H/reported"
  exit 1
}
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
expect_contains() { case "$1" in *"$2"*) ;; *) fail "$3: '$2' not in output: $1";; esac; }

_on_exit() {
  local rc=$? i
  trap - ERR
  set +eE
  for ((i = ${#_at_exit[@]} - 1; i >= 0; i--)); do
    # A cleanup may find nothing left to remove: its failure is said only when the test failed.
    eval "${_at_exit[i]}" > "$_H/cleanup.out" 2>&1 || [ "$rc" = 0 ] \
      || { echo "cleanup: \`${_at_exit[i]}\` failed:"; tail -n 10 "$_H/cleanup.out"; } >&2
  done
  # Servers and other background jobs of the test end with it.
  for i in $(jobs -p); do kill "$i" 2>/dev/null; done
  wait 2>/dev/null
  _said_retries >&"$_REPORT_FD"
  rm -rf "$TMP"
  exit "$rc"
}
trap _on_err ERR
trap _on_exit EXIT

# What scripts/wine-run retried during the test (its lines in the Wine log), said
# at the end of every test, passed or not: a command's own stderr may have been
# sent to /dev/null.
_said_retries() {
  grep -a '^== [0-9:]* harness: wine-run: ' "$OHC_WINE_LOG" 2>/dev/null | sed 's/^== \([0-9:]*\) /[\1] /' || true
}

# at_exit COMMAND: run at the end of the test, failed or not (last registered first).
at_exit() { _at_exit+=("$1"); }
# at_failure COMMAND: its output is shown when the test fails (e.g. the service's log).
at_failure() { _at_failure+=("$1"); }

# ---------------------------------------------------------------- running commands

# run CMD...: runs CMD (stdin passed on), then passes on its stdout and stderr;
# records the command and its exit code, with its last lines when it failed;
# a command still running after OHC_CMD_TIMEOUT seconds is stopped (exit 124).
run() {
  local rc=0 out err
  out=$(mktemp "$_H/out.XXXXXX"); err=$(mktemp "$_H/err.XXXXXX")
  timeout -k 10 "$OHC_CMD_TIMEOUT" "$@" > "$out" 2> "$err" || rc=$?
  {
    printf '[%s] %s -> exit %d%s\n' "$(date +%H:%M:%S)" "$(_quote "$@")" "$rc" \
      "$([ "$rc" = 124 ] && echo " (stopped after ${OHC_CMD_TIMEOUT} s)")"
    if [ "$rc" != 0 ]; then
      [ -s "$out" ] && { echo "    stdout (last lines):"; tail -n 15 "$out" | tr -d '\r' | sed 's/^/      /'; }
      [ -s "$err" ] && { echo "    stderr (last lines):"; tail -n 15 "$err" | tr -d '\r' | sed 's/^/      /'; }
    fi
  } >> "$_H/commands.log"
  cat "$out" || true; cat "$err" >&2 || true
  rm -f "$out" "$err"
  return "$rc"
}
_quote() {  # the command line, shortened for the log
  local s
  s=$(printf '%q ' "$@"); s=${s% }
  [ "${#s}" -le 300 ] && printf '%s' "$s" || printf '%s...' "${s:0:300}"
}

# ohc ARGS...: runs the ohc under test (ohc.exe under Wine on windows).
ohc() {
  if [ "$OHC_PLATFORM" = windows ]; then run "$OHC_WINE_RUN" "$OHC_EXE" "$@"; else run "$OHC_EXE" "$@"; fi
}

# wine ARGS...: a Windows program of the prefix (reg, sc, net, msiexec...) through scripts/wine-run.
wine() { run "$OHC_WINE_RUN" "$@"; }

# A path ohc.exe understands for a file under $TMP (Wine maps / to Z:).
winpath() {
  if [ "$OHC_PLATFORM" = windows ]; then printf 'Z:%s' "$1" | tr / '\\'; else printf '%s' "$1"; fi
}

# regacl ARGS...: tests/win32/regacl.c under Wine (get/set/check a key's DACL,
# read-unelevated); prints its answer, never fails the script by itself.
regacl() { wine "$OHC_REGACL" "$@" 2>&1 | tr -d '\r' || true; }

# run_report CMD...: a command that writes a report (ohc collect / evaluate). Exit 0-2 follow the
# findings; 3 is also a finished report when some checks could not run (verdict "incomplete": the
# events probe is unavailable natively and under Wine); the caller validates the report. Sets $rc.
run_report() {
  set +e; "$@"; rc=$?; set -e
  [ "$rc" -le 3 ] || fail "exit $rc: $*"
}

validate_report() { run "$PYTHON" "$OHC_SOURCE_DIR/tests/tools/validate_report.py" "$@"; }

# jq-like lookups without jq: json_get FILE 'expr on r' prints the Python value.
json_get() { run "$PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# ---------------------------------------------------------------- waiting

# wait_for SECONDS DESCRIPTION CMD...: runs CMD until it succeeds (every 0.1 s,
# then less often), at most SECONDS; when it never does, fails saying what it
# waited for, how long, and what CMD printed the last time.
wait_for() {
  local limit=$1 what=$2; shift 2
  local t0 now delay=0.1 tries=0
  t0=$(date +%s%N)
  while :; do
    tries=$((tries + 1))
    if "$@" > "$_H/wait.out" 2>&1; then return 0; fi
    now=$(date +%s%N)
    if [ $(((now - t0) / 1000000)) -ge $((limit * 1000)) ]; then
      {
        echo "gave up waiting for $what after ${limit} s ($tries tries of: $(_quote "$@"))"
        [ -s "$_H/wait.out" ] && { echo "  its last answer:"; tail -n 15 "$_H/wait.out" | tr -d '\r' | sed 's/^/    /'; }
      } > "$_H/wait.msg"
      fail "$(cat "$_H/wait.msg")"
    fi
    sleep "$delay"
    case $tries in 20) delay=0.25 ;; 60) delay=0.5 ;; esac
  done
}

# free_port: a loopback TCP port nothing listens on (bound by the OS, then closed).
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# free_ports N ADDR...: N different ports, each free on every ADDR at once (servers on
# 127.0.0.2 and 127.0.0.3 share a port behind one host name). All are held
# until all are found: separate picks could return the same port twice.
free_ports() {
  "$PYTHON" - "$@" <<'PY'
import socket, sys
n, addrs, held, ports = int(sys.argv[1]), sys.argv[2:], [], []
while len(ports) < n:
    first = socket.socket(); first.bind((addrs[0], 0)); port = first.getsockname()[1]; held.append(first)
    try:
        for a in addrs[1:]:
            s = socket.socket(); held.append(s); s.bind((a, port))
    except OSError:
        continue  # taken on another address: this one stays held, another is picked
    ports.append(port)
print(" ".join(map(str, ports)))
PY
}

# wait_port_file SECONDS FILE PID WHAT: a server started in the background
# writes its port (bound to 0) to FILE; fails at once if the server died.
wait_port_file() {
  wait_for "$1" "$4 to write its port to $2" _port_file_ready "$2" "$3"
  cat "$2"
}
_port_file_ready() { [ -s "$1" ] && return 0; kill -0 "$2" 2>/dev/null || fail "the server (pid $2) exited before writing $1"; return 1; }

# ---------------------------------------------------------------- Windows services (Wine's SCM)

# sc_state NAME: RUNNING, STOPPED, START_PENDING... or NOT_INSTALLED.
sc_state() {
  local out
  out=$("$OHC_WINE_RUN" sc query "$1" 2>/dev/null | tr -d '\r') || { echo NOT_INSTALLED; return 0; }
  printf '%s\n' "$out" | awk '$1 == "STATE" {print $4; found = 1} END {if (!found) print "UNKNOWN"}'
}
_sc_state_is() { local s; s=$(sc_state "$1"); echo "$s"; [ "$s" = "$2" ]; }
# sc_wait NAME STATE [SECONDS]: waits until the service is in STATE.
sc_wait() { wait_for "${3:-90}" "service $1 $2" _sc_state_is "$1" "$2"; }

# sc_start NAME [SECONDS]: starts a service and waits for RUNNING. Wine's
# service manager refuses a start while its database is locked, while wineboot
# settles, or while the process of a just-stopped service still exits: such a
# refusal (sc failed, the service still STOPPED) is retried with a log line.
sc_start() {
  local name=$1 limit=${2:-90} t0 tries=0
  t0=$(date +%s)
  until wine sc start "$name" > /dev/null 2>&1; do
    tries=$((tries + 1))
    case $(sc_state "$name") in
      RUNNING | START_PENDING) break ;;   # started by someone else meanwhile (e.g. on demand)
      NOT_INSTALLED) fail "sc start $name: the service is not installed" ;;
    esac
    [ $(($(date +%s) - t0)) -lt "$limit" ] || fail "sc start $name refused for $limit s ($tries tries)"
    echo "harness: sc start $name refused by Wine's service manager (state $(sc_state "$name")); retry $tries" >&2
    sleep 0.5
  done
  sc_wait "$name" RUNNING "$limit"
}

# sc_stop NAME [SECONDS]: asks the service to stop (if it runs) and waits for STOPPED.
sc_stop() {
  local name=$1 limit=${2:-90}
  [ "$(sc_state "$name")" = STOPPED ] && return 0
  wine sc stop "$name" > /dev/null 2>&1 || true   # refused when already stopping or stopped: the wait decides
  sc_wait "$name" STOPPED "$limit"
}

# net_start NAME [SECONDS]: like sc_start, through `net start` (BITS: as its documentation says).
net_start() {
  local name=$1 limit=${2:-90} t0 tries=0
  t0=$(date +%s)
  until wine net start "$name" > /dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$(sc_state "$name")" = RUNNING ] && break
    [ $(($(date +%s) - t0)) -lt "$limit" ] || fail "net start $name refused for $limit s ($tries tries)"
    echo "harness: net start $name refused by Wine's service manager (state $(sc_state "$name")); retry $tries" >&2
    sleep 0.5
  done
  sc_wait "$name" RUNNING "$limit"
}

# ohc_service_start: `ohc service start` (the command under test) until it
# says the service runs; Wine's refusals (see sc_start) are retried with a log
# line; any other answer fails the test. Prints ohc's answer.
ohc_service_start() {
  local out rc t0 tries=0
  t0=$(date +%s)
  while :; do
    rc=0; out=$(ohc service start 2>&1) || rc=$?
    case "$out" in *"is running (pid"*) printf '%s\n' "$out"; return 0 ;; esac
    tries=$((tries + 1))
    case "$out" in
      # 0x41F database locked, 0x420 already running (the old process still exits),
      # 0x41D no answer in time, 0x425 cannot accept control now; or no RUNNING in 30 s
      *"already running"* | *"(0x0000041F)"* | *"(0x00000420)"* | *"(0x0000041D)"* | *"(0x00000425)"* | \
        *"did not reach RUNNING"*)
        [ $(($(date +%s) - t0)) -lt 90 ] || fail "ohc service start refused for 90 s ($tries tries): $out"
        echo "harness: ohc service start refused by Wine's service manager ($out; state $(sc_state ohc)); retry $tries" >&2
        sleep 0.5 ;;
      *) fail "ohc service start (exit $rc): $out" ;;
    esac
  done
}
