#!/usr/bin/env bash
# Fuzzes the .evtx reader (and the Event 27 decoder on every record) with libFuzzer (clang-14, ASan + UBSan) for a
# bounded time (OHC_FUZZ_SECONDS, default 60), seeded from the real files of
# ../shared/evtx-corpus (read in place; new inputs go to a temporary dir),
# after replaying tests/fuzz/regressions/evtx-*. Fails on any crash, leak,
# sanitizer report or timeout (an input over 1 s: the reader must stay fast).
# Native only.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = native ] || exit 77
fuzz_build evtx "-lz -lcjson" evtx/evtx.c events/event27.c facts/hresult_names.c base/utf16.c base/civil_time.c \
  base/error.c base/strbuf.c base/ascii.c
fuzz_run evtx "${OHC_FUZZ_SECONDS:-60}" 131072 "$OHC_SOURCE_DIR/../shared/evtx-corpus"
echo "ok"
