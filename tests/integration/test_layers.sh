#!/usr/bin/env bash
# The libraries only call down (README "Layout"): every ohc_ symbol a library
# needs is defined in that library or one below it, so no link cycle can
# come back. Order, lowest first:
#   base (with the OS layer) < core < cli < probes < adapters (Windows) < service (Windows) < platform.
# Checked with nm on the static libraries of this build (both platforms).
. "$(dirname "$0")/lib.sh"
if [ "$OHC_PLATFORM" = windows ]; then
  nm=x86_64-w64-mingw32-nm
  libs=(collector/libohc_base.a collector/libohc_core.a collector/libohc_cli.a win32/libohc_probes.a
        win32/libohc_adapters.a win32/libohc_service.a win32/libohc_platform.a)
else
  nm=nm
  libs=(collector/libohc_base.a collector/libohc_core.a collector/libohc_cli.a posix/libohc_probes.a
        posix/libohc_platform.a)
fi
defined="$TMP/defined"
: > "$defined"
bad=0
for lib in "${libs[@]}"; do
  path="$OHC_BUILD_DIR/$lib"
  [ -f "$path" ] || fail "missing library $path"
  # what this library defines counts for itself and everything above it
  "$nm" -g --defined-only "$path" 2>/dev/null | awk 'NF>=3 {print $3}' >> "$defined"
  sort -u -o "$defined" "$defined"
  while read -r sym; do
    grep -qxF "$sym" "$defined" || { echo "$lib calls up: $sym" >&2; bad=1; }
  done < <("$nm" -g --undefined-only "$path" 2>/dev/null | awk '{print $NF}' | grep -E '^_?ohc_' | sort -u)
done
[ "$bad" = 0 ] || fail "a library calls a library above it"
echo "ok: ${#libs[@]} libraries, each calls only itself and those below"
