#!/usr/bin/env bash
# The C sources are as .clang-format (clang-format 14) writes them, so that a
# diff shows changes, not re-wrapping. Native only. Fix with:
#   git ls-files '*.c' '*.h' | xargs clang-format-14 -i
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = native ] || exit 77
cf=$(command -v clang-format-14 || command -v clang-format || true)
[ -n "$cf" ] || fail "clang-format missing (scripts/bootstrap installs clang-format-14)"
cd "$OHC_SOURCE_DIR"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find collector win32 posix tests bench -name '*.[ch]')
[ -n "$files" ] || fail "no C files found"
# shellcheck disable=SC2086
"$cf" --dry-run -Werror $files > "$TMP/format.log" 2>&1 || { head -40 "$TMP/format.log"; fail "not formatted"; }
echo "ok: $(echo "$files" | wc -l) files formatted"
