#!/usr/bin/env bash
# Fuzzes the proxy/outlook decoders (blobs, registry values, proxy lists,
# masking) with libFuzzer (clang-14, ASan + UBSan) for a bounded time
# (OHC_FUZZ_SECONDS, default 20). Fails on any crash, leak, sanitizer report
# or timeout. Native only.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = native ] || exit 77
CLANG=$(command -v clang-14 || true)
[ -n "$CLANG" ] || fail "clang-14 missing (scripts/bootstrap installs clang-14 and libclang-rt-14-dev)"
S="$OHC_SOURCE_DIR"
OUT="$OHC_BUILD_DIR/fuzz"
mkdir -p "$OUT"
"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I "$S/collector" -o "$OUT/fuzz_proxy" "$S/tests/fuzz/fuzz_proxy.c" \
  "$S/collector/proxy.c" "$S/collector/regval.c" "$S/collector/utf16.c" "$S/collector/outlook.c" \
  "$S/collector/strbuf.c" "$S/collector/error.c" "$S/collector/ascii.c" -lcjson || fail "cannot build the fuzz target"
# Seeds: a WinHTTP blob, a WinINet blob with a PAC URL, a REG_SZ, a proxy list.
mkdir -p "$TMP/seeds" "$TMP/new"
"$PYTHON" - "$TMP/seeds" <<'PY'
import struct, sys, os
d = sys.argv[1]
def blob(ver, flags, *strs):
    b = struct.pack("<III", ver, 0, flags)
    for s in strs: b += struct.pack("<I", len(s)) + s
    return b
open(os.path.join(d, "winhttp"), "wb").write(b"\x00" + blob(0x18, 3, b"proxy:8080", b"<local>"))
open(os.path.join(d, "wininet"), "wb").write(b"\x01" + blob(0x46, 5, b"", b"", b"http://wpad/proxy.pac") + b"\x00" * 32)
open(os.path.join(d, "regsz"), "wb").write(b"\x06" + "0x2F\0".encode("utf-16-le"))
open(os.path.join(d, "list"), "wb").write(b"\x03http=a:80;https=http://u:p@[::1]:3128/ socks=b")
PY
secs=${OHC_FUZZ_SECONDS:-20}
set +e
"$OUT/fuzz_proxy" -max_total_time="$secs" -timeout=1 -rss_limit_mb=512 -max_len=4096 \
  -print_final_stats=1 -artifact_prefix="$TMP/" "$TMP/new" "$TMP/seeds" > "$TMP/log" 2>&1
rc=$?
set -e
grep -E "^(stat::number_of_executed_runs|stat::peak_rss_mb)" "$TMP/log" || true
if [ "$rc" != 0 ]; then
  tail -40 "$TMP/log"
  for a in "$TMP"/crash-* "$TMP"/timeout-* "$TMP"/leak-* "$TMP"/oom-*; do
    [ -f "$a" ] && cp "$a" "$OUT/" && echo "artifact kept: $OUT/$(basename "$a")"
  done
  fail "fuzzer found a problem (exit $rc)"
fi
echo "ok"
