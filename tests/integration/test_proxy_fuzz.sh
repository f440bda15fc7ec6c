#!/usr/bin/env bash
# Fuzzes the proxy/outlook decoders (blobs, registry values, proxy lists,
# masking) with libFuzzer (clang-14, ASan + UBSan) for a bounded time
# (OHC_FUZZ_SECONDS, default 20), after replaying tests/fuzz/regressions/proxy-*.
# Fails on any crash, leak, sanitizer report or timeout. Native only.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = native ] || exit 77
fuzz_build proxy -lcjson facts/proxy.c facts/regval.c base/utf16.c facts/outlook.c base/strbuf.c base/error.c base/ascii.c
# Seeds: a WinHTTP blob, a WinINet blob with a PAC URL, a REG_SZ, a proxy list.
mkdir -p "$TMP/seeds"
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
fuzz_run proxy "${OHC_FUZZ_SECONDS:-20}" 4096 "$TMP/seeds"
echo "ok"
