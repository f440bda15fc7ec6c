#!/bin/sh
# rules-fragment.sh SOURCE_DIR WIXL_HEAT OUT: a wixl fragment (component group
# RulesFiles under RULESDIR_INSTALL) with every file of SOURCE_DIR/rules.
set -eu
src=$1; heat=$2; out=$3
cd "$src"
if [ -d rules ]; then find rules -type f | LC_ALL=C sort; fi \
  | "$heat" -p rules/ --directory-ref RULESDIR_INSTALL --component-group RulesFiles --var var.RulesDir --win64 > "$out.tmp"
if cmp -s "$out.tmp" "$out"; then rm -f "$out.tmp"; else mv "$out.tmp" "$out"; fi
