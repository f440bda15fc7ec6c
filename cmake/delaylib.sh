#!/bin/sh
# delaylib.sh NM DLLTOOL IMPORT_LIB DLL_NAME OUT: a delay-import library for
# DLL_NAME with every function IMPORT_LIB exports (cmake/OhcDelayLoad.cmake).
set -eu
nm=$1 dlltool=$2 implib=$3 dll=$4 out=$5
def="$out.def"
{
  echo "LIBRARY $dll"
  echo "EXPORTS"
  "$nm" "$implib" 2>/dev/null | awk '$2 == "T" && $3 !~ /^\./ {print $3}' | sort -u
} > "$def"
[ "$(wc -l < "$def")" -gt 2 ] || { echo "delaylib.sh: no exports found in $implib" >&2; exit 1; }
"$dlltool" --input-def "$def" --output-delaylib "$out" --dllname "$dll"
