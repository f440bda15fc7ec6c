# Sourced by integration/test_*.sh. ctest sets OHC_EXE, OHC_PLATFORM (native |
# windows), OHC_SOURCE_DIR, OHC_BUILD_DIR, OHC_SCHEMA and, for windows,
# WINEPREFIX and OHC_WINE_RUN.
set -euo pipefail
: "${OHC_EXE:?run integration tests through ctest}"
PYTHON=${PYTHON:-/usr/bin/python3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ohc-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# ohc ARGS...: runs the ohc under test (ohc.exe under Wine on windows).
ohc() {
  if [ "$OHC_PLATFORM" = windows ]; then "$OHC_WINE_RUN" "$OHC_EXE" "$@"; else "$OHC_EXE" "$@"; fi
}

# A path ohc.exe understands for a file under $TMP (Wine maps / to Z:).
winpath() {
  if [ "$OHC_PLATFORM" = windows ]; then printf 'Z:%s' "$1" | tr / '\\'; else printf '%s' "$1"; fi
}

# regacl ARGS...: tests/win32/regacl.c under Wine (get/set/check a key's DACL,
# read-unelevated); prints its answer, never fails the script by itself.
regacl() { "$OHC_WINE_RUN" "$OHC_REGACL" "$@" 2>&1 | tr -d '\r' || true; }

validate_report() { "$PYTHON" "$OHC_SOURCE_DIR/tests/tools/validate_report.py" "$@"; }

# jq-like lookups without jq: json_get FILE 'expr on r' prints the Python value.
json_get() { "$PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
expect_contains() { case "$1" in *"$2"*) ;; *) fail "$3: '$2' not in output: $1";; esac; }
