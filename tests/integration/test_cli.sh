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
# --set NAME=VALUE: the same on every command that reads settings, checked before anything runs
# (a secret's value never in the message).
for cmd in "collect" "upload" "evaluate x.json" "config show"; do
  # shellcheck disable=SC2086
  usage "unknown setting 'Bogus'" $cmd --set Bogus=1
  # shellcheck disable=SC2086
  usage "UploadFormat: 'xml' is not one of the allowed values" $cmd --set UploadFormat=xml
done
usage "UploadHeaders: header 1: the name holds" upload --set "UploadHeaders=bad name=hdr-secret-9"
case "$(cat "$TMP/err")" in *hdr-secret-9*) fail "the UploadHeaders value in the message";; esac
usage "EventDays: 0 is out of range" collect --set EventDays=0
# and it applies: evaluate reads RulesDir from --set (an empty folder: no rule loaded, incomplete)
mkdir -p "$TMP/norules"
set +e; ohc evaluate "$(winpath "$OHC_FIXTURES/reports/findings.json")" --set "RulesDir=$(winpath "$TMP/norules")" \
  > "$TMP/eval.json" 2> "$TMP/err"; rc=$?; set -e
expect_eq "$rc" 3 "evaluate with --set RulesDir=<empty folder>"
expect_contains "$(cat "$TMP/eval.json")" '"rules_evaluated":	0' "no rule loaded from the --set RulesDir"
set +e; ohc > /dev/null 2>&1; rc=$?; set -e
expect_eq "$rc" 64 "no command"
echo "cli: ok"
