#!/usr/bin/env bash
# Fuzzes the OAB manifest parser with libFuzzer (clang-14, ASan + UBSan) for a
# bounded time (OHC_FUZZ_SECONDS, default 20), after replaying
# tests/fuzz/regressions/oab_manifest-*. Native only.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = native ] || exit 77
fuzz_build oab_manifest -lcjson exchange/oab_manifest.c base/error.c base/ascii.c
mkdir -p "$TMP/seeds"
"$PYTHON" - "$TMP/seeds" "$OHC_SOURCE_DIR/tests/tools" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[2])
import oab_server
d = sys.argv[1]
open(os.path.join(d, "manifest"), "wb").write(oab_server.manifest(118))
open(os.path.join(d, "entities"), "wb").write(b"<OAB><OAL name='&amp;&#x41;&#65;' id='x'><Full seq='1'><![CDATA[f]]></Full></OAL></OAB>")
open(os.path.join(d, "decl"), "wb").write(b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?><!-- c --><OAB/>")
PY
fuzz_run oab_manifest "${OHC_FUZZ_SECONDS:-20}" 8192 "$TMP/seeds"
echo "ok"
