# The command line contract: help, version, usage errors with exit code 64,
# and the commands whose issues have not landed saying so.
. "$(dirname "$0")/lib.sh"

ohc help | grep -q 'ohc collect' || fail "help lists collect"
ohc --help | grep -q 'Exit codes' || fail "--help"
ohc collect --help | grep -q 'Usage: ohc collect' || fail "collect --help"
ohc version | grep -Eq '^ohc [0-9]+\.[0-9]+\.[0-9]+ \(build ' || fail "version line"
if [ "$OHC_PLATFORM" = windows ]; then
  ohc '/?' | grep -q 'ohc collect' || fail "/? gives help"
fi

usage() {  # usage EXPECTED_TEXT ARGS...
  local want=$1; shift
  set +e
  ohc "$@" > "$TMP/out" 2> "$TMP/err"; local rc=$?
  set -e
  expect_eq "$rc" 64 "exit code of: ohc $*"
  [ "$(wc -l < "$TMP/err")" -le 1 ] || fail "more than one line of error for: ohc $*"
  expect_contains "$(cat "$TMP/err")" "$want" "message of: ohc $*"
}
usage "unknown command 'frobnicate'" frobnicate
usage "unknown option '--bogus'" collect --bogus
usage "needs a value" collect --out
usage "--format must be json or text" collect --format xml
usage "takes no positional arguments" collect extra
set +e; ohc > /dev/null 2>&1; rc=$?; set -e
expect_eq "$rc" 64 "no command"
echo "cli: ok"
