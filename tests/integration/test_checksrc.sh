#!/usr/bin/env bash
# scripts/checksrc.py holds on the product code, and finds each banned
# construct in a planted file (so that the check itself can fail). Native only.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = native ] || exit 77
"$PYTHON" "$OHC_SOURCE_DIR/scripts/checksrc.py" "$OHC_SOURCE_DIR"

mkdir -p "$TMP/tree/win32"
cat > "$TMP/tree/win32/bad.c" <<'C'
/* strcpy(in a comment) is fine, and "sprintf(" in a string too */
void f(char *d, const char *s, int x)
{
    strcpy(d, s);
    sprintf(d, "%d", x);
    LoadLibraryW(L"winhttp.dll");
    LoadLibraryExW(L"wevtapi.dll", NULL, 0);
    LoadLibraryExW(path, NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (x > 1);
        x = 0;
}
C
set +e
out=$("$PYTHON" "$OHC_SOURCE_DIR/scripts/checksrc.py" "$TMP/tree")
rc=$?
set -e
echo "$out"
expect_eq "$rc" 1 "checksrc exit on planted problems"
expect_contains "$out" "bad.c:4: unbounded" "strcpy"
expect_contains "$out" "bad.c:5: unbounded" "sprintf"
expect_contains "$out" "bad.c:6: LoadLibrary searches" "LoadLibraryW"
expect_contains "$out" "bad.c:7: LoadLibraryEx without" "LoadLibraryExW without a flag"
expect_contains "$out" "bad.c:9: empty if body" "empty if"
expect_contains "$out" "5 problem(s)" "nothing else (comments, strings, the safe call)"
echo "ok"
