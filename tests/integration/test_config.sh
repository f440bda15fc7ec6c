#!/usr/bin/env bash
# `ohc config show`: effective values with their sources, the token masked,
# bad --set values refused; on Windows the registry layers (real registry under
# Wine) with a bad policy value logged and ignored.
. "$(dirname "$0")/lib.sh"

out=$(ohc config show --set UploadToken=very-secret-token --set IntervalMinutes=30)
expect_contains "$out" "IntervalMinutes      30" "flag value"
expect_contains "$out" "flag (command line)" "flag source"
case "$out" in *very-secret-token*) fail "token printed";; esac
expect_contains "$out" "********" "token masked"

ohc config show --format json --set UploadToken=very-secret-token > "$TMP/cfg.json"
expect_eq "$(json_get "$TMP/cfg.json" '[s["value"] for s in r["settings"] if s["name"]=="UploadToken"][0]')" "********" "json token"
grep -q very-secret-token "$TMP/cfg.json" && fail "token in json"

set +e
ohc config show --set IntervalMinutes=0 >/dev/null 2>"$TMP/err"; rc=$?
set -e
expect_eq "$rc" 64 "out-of-range flag exit code"
expect_contains "$(cat "$TMP/err")" "out of range 1..43200" "out-of-range message"

if [ "$OHC_PLATFORM" = windows ]; then
  P='HKLM\SOFTWARE\Policies\OutlookHealthCollector'; L='HKLM\SOFTWARE\OutlookHealthCollector'
  cleanup_reg() { wine reg delete "$P" /f >/dev/null 2>&1 || true; wine reg delete "$L" /f >/dev/null 2>&1 || true; }
  at_exit cleanup_reg
  wine reg add "$L" /v UploadUrl /t REG_SZ /d https://local.example/r /f >/dev/null
  wine reg add "$P" /v UploadUrl /t REG_SZ /d https://gpo.example/r /f >/dev/null
  wine reg add "$P" /v EventDays /t REG_DWORD /d 999 /f >/dev/null
  wine reg add "$L" /v EventDays /t REG_DWORD /d 30 /f >/dev/null
  wine reg add "$P" /v UploadToken /t REG_SZ /d registry-secret /f >/dev/null
  out=$(ohc config show 2>"$TMP/err")
  expect_contains "$out" "https://gpo.example/r" "policy wins over local"
  expect_contains "$out" "policy (HKLM\\SOFTWARE\\Policies\\OutlookHealthCollector)" "policy source"
  expect_contains "$out" "EventDays            30" "bad policy value falls to local"
  expect_contains "$out" "EventDays in HKLM\\SOFTWARE\\Policies\\OutlookHealthCollector 999 is out of range 1..365; ignored" "note"
  expect_contains "$(cat "$TMP/err")" "999 is out of range" "bad value logged"
  case "$out$(cat "$TMP/err")" in *registry-secret*) fail "registry token printed";; esac
  out=$(ohc config show --set UploadUrl=https://flag.example/)
  expect_contains "$out" "https://flag.example/" "flag beats policy"

  # `ohc config set` gives the local key, which holds the token, SYSTEM and
  # Administrators only (protected), also when it existed readable by Users.
  K='SOFTWARE\OutlookHealthCollector'
  regacl set "$K" 'D:(A;CI;KR;;;BU)(A;CI;KA;;;BA)(A;CI;KA;;;SY)'
  expect_eq "$(regacl read-unelevated "$K" UploadUrl)" "read" "a non-elevated process reads the key before"
  expect_contains "$(regacl check "$K")" "not protected" "check rejects the Users-readable key"
  out=$(ohc config set UploadToken=local-secret-token)
  expect_contains "$out" "UploadToken = ******** written" "config set"
  expect_eq "$(regacl check "$K")" "ok: D:P(A;CI;KA;;;SY)(A;CI;KA;;;BA)" "local key DACL after config set"
  expect_eq "$(regacl read-unelevated "$K" UploadToken)" "denied" "a non-elevated process reads the token"
  expect_eq "$(ohc config show --format json 2>/dev/null | "$PYTHON" -c 'import json,sys; print([(s["value"], s["source"]) for s in json.load(sys.stdin)["settings"] if s["name"]=="EventDays"][0])')" \
    "(30, 'local')" "the elevated reader still reads the local key"
  # The policy key belongs to Group Policy: its values stay readable by users (README says so).
  expect_eq "$(regacl read-unelevated 'SOFTWARE\Policies\OutlookHealthCollector' UploadToken)" "read" \
    "policy key readable by a non-elevated process"
fi
echo "ok"
