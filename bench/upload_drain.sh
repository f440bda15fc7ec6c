#!/usr/bin/env bash
# Builds a Release native ohc (no sanitizers) in build/bench and runs
# bench/upload_drain.py: drain N (default 1000) spooled reports to a loopback
# server, reports/s and bytes on the wire with and without gzip.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DOHC_SANITIZE=OFF > /dev/null
cmake --build build/bench -j"$(nproc)" --target ohc > /dev/null
OHC_EXE=$PWD/build/bench/posix/ohc PYTHON=/usr/bin/python3 exec /usr/bin/python3 bench/upload_drain.py "$@"
