#!/usr/bin/env bash
# Fuzzes the .evtx reader with libFuzzer (clang-14, ASan + UBSan) for a
# bounded time (OHC_FUZZ_SECONDS, default 60), seeded from the real files of
# ../shared/evtx-corpus (read in place; new inputs go to a temporary dir).
# Fails on any crash, leak, sanitizer report or timeout. Native only. A failing
# input is kept in build/native/fuzz/: add it to tests/fuzz/regressions/ with the fix.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = native ] || exit 77
CLANG=$(command -v clang-14 || true)
[ -n "$CLANG" ] || fail "clang-14 missing (scripts/bootstrap installs clang-14 and libclang-rt-14-dev)"
S="$OHC_SOURCE_DIR"
OUT="$OHC_BUILD_DIR/fuzz"
mkdir -p "$OUT"
"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I "$S/collector" -o "$OUT/fuzz_evtx" \
  "$S/tests/fuzz/fuzz_evtx.c" "$S/collector/evtx.c" "$S/collector/utf16.c" "$S/collector/civil_time.c" \
  "$S/collector/error.c" "$S/collector/strbuf.c" "$S/collector/ascii.c" -lz \
  || fail "cannot build the fuzz target"
# Inputs that once failed (tests/fuzz/regressions/evtx-*) replay first, every run.
for f in "$S"/tests/fuzz/regressions/evtx-*; do
  "$OUT/fuzz_evtx" "$f" > "$TMP/replay.log" 2>&1 || { tail -20 "$TMP/replay.log"; fail "regression input $f"; }
done
mkdir -p "$TMP/new"
secs=${OHC_FUZZ_SECONDS:-60}
set +e
# -rss_limit_mb: the reader must stay bounded; -timeout: no input may take a second.
"$OUT/fuzz_evtx" -max_total_time="$secs" -timeout=1 -rss_limit_mb=512 -max_len=131072 \
  -print_final_stats=1 -artifact_prefix="$TMP/" "$TMP/new" "$S/../shared/evtx-corpus" > "$TMP/log" 2>&1
rc=$?
set -e
grep -E "^(stat::number_of_executed_runs|stat::peak_rss_mb|#[0-9]+ +DONE)" "$TMP/log" || true
if [ "$rc" != 0 ]; then
  tail -40 "$TMP/log"
  for a in "$TMP"/crash-* "$TMP"/timeout-* "$TMP"/leak-* "$TMP"/oom-*; do
    [ -f "$a" ] && cp "$a" "$OUT/" && echo "artifact kept: $OUT/$(basename "$a")"
  done
  fail "fuzzer found a problem (exit $rc)"
fi
echo "ok"
