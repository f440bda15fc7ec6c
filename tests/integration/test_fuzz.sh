#!/usr/bin/env bash
# Every parser of untrusted input under libFuzzer (clang-14, ASan + UBSan),
# briefly, on every run: tests/fuzz/run-all.sh builds the targets (CMake
# -DOHC_FUZZ=ON in $OHC_BUILD_DIR/fuzz), replays tests/fuzz/regressions/, then
# fuzzes each from its seeds: the .evtx reader for OHC_FUZZ_EVTX_SECONDS
# (default 40), every other target for OHC_FUZZ_SECONDS (default 15): about
# 2.5 minutes in all. Fails on any crash, leak, sanitizer report, input over
# 1 s or 512 MB (the input is kept for tests/fuzz/regressions/). Native only.
# Longer runs: tests/fuzz/run-all.sh SECONDS (figures in tests/fuzz/README.md).
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = native ] || exit 77
others=()
for f in "$OHC_SOURCE_DIR"/tests/fuzz/fuzz_*.c; do
  t=$(basename "$f" .c); t=${t#fuzz_}
  [ "$t" = evtx ] || others+=("$t")
done
export OHC_FUZZ_BUILD_DIR="$OHC_BUILD_DIR/fuzz"
OHC_CMD_TIMEOUT=590 run "$OHC_SOURCE_DIR/tests/fuzz/run-all.sh" "${OHC_FUZZ_EVTX_SECONDS:-40}" evtx
OHC_CMD_TIMEOUT=590 run "$OHC_SOURCE_DIR/tests/fuzz/run-all.sh" "${OHC_FUZZ_SECONDS:-15}" "${others[@]}"
echo "fuzz: ok"
