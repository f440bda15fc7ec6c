#!/usr/bin/env bash
# The harness itself (lib.sh): a failing integration test says what failed.
# Each case runs a throwaway script that sources lib.sh, with this test's
# environment, and checks its exit code and stderr:
#   - a copy of test_cli.sh with one assertion broken prints FAIL with the
#     copy's file name, the line and the line's text;
#   - a command that fails under set -e (ohc with an unknown probe, its output
#     sent to /dev/null) prints file:line, the command, its exit code and the
#     last lines ohc printed; the same inside a function and in an assignment;
#   - wait_for that gives up says what it waited for;
#   - a `set +e` section is not reported; cleanups run and background jobs end;
#   - the Python harness: a failed check and an assert give file, line, source
#     line and the last command with its output;
#   - under Wine, a program Wine cannot start shows Wine's own message;
#   - under Wine, scripts/wine-run's retry (a `reg add /f` that reg refuses, made
#     real with a key whose DACL denies the write): bounded (3 attempts, each
#     retry said, then the failure passed on with reg's message), over once the
#     key admits the write (the retry hook opens the DACL), listed again at the
#     end of the test (shell and Python, also when the test captured the
#     command's output), and a genuine failure (a bad REG_DWORD) is not retried
#     and reported with reg's words;
#   - under Wine, the run's wineserver's stderr goes to $WINEPREFIX.wineserver.log
#     and a failing test shows the lines added to it during the test.
. "$(dirname "$0")/lib.sh"

# runs SCRIPT; sets rc, and err to its stderr
check_run() {
  set +e
  bash "$1" > "$TMP/out" 2> "$TMP/err"; rc=$?
  set -e
  err=$(cat "$TMP/err")
}

# 1. A deliberately broken assertion in a copy of a real test.
src="$OHC_SOURCE_DIR/tests/integration/test_cli.sh"
line=$(grep -n 'expect_eq "$rc" 64 "no command"' "$src" | cut -d: -f1)
[ -n "$line" ] || fail "test_cli.sh changed: the assertion this test breaks is gone"
mkdir -p "$TMP/copy"
sed -e "${line}s/expect_eq \"\$rc\" 64/expect_eq \"\$rc\" 65/" \
    -e "s|\$(dirname \"\$0\")/lib.sh|$OHC_SOURCE_DIR/tests/integration/lib.sh|" "$src" > "$TMP/copy/test_cli_broken.sh"
check_run "$TMP/copy/test_cli_broken.sh"
expect_eq "$rc" 1 "exit code of the broken copy"
expect_contains "$err" "FAIL: no command: expected '65', got '64'" "the assertion's message"
expect_contains "$err" "at test_cli_broken.sh:$line: expect_eq \"\$rc\" 65 \"no command\"" "file, line and command"

# 2. A failing command under set -e: where, what, its exit code, the end of its output.
cat > "$TMP/cmd.sh" <<EOF
. "$OHC_SOURCE_DIR/tests/integration/lib.sh"
echo before
ohc collect --probes nosuch > /dev/null
echo "not reached"
EOF
check_run "$TMP/cmd.sh"
expect_eq "$rc" 64 "exit code of a failed command"
expect_contains "$err" "FAIL: cmd.sh:3: ohc collect --probes nosuch > /dev/null" "file, line, source line"
expect_contains "$err" "exited 64" "the exit code"
expect_contains "$err" "unknown probe 'nosuch'" "the command's own output"
expect_contains "$err" "--probes nosuch -> exit 64" "the command log"
case "$(cat "$TMP/out")" in *"not reached"*) fail "the script went on after the failed command";; esac

# 3. Inside a function, and an assignment from a command substitution.
cat > "$TMP/func.sh" <<EOF
. "$OHC_SOURCE_DIR/tests/integration/lib.sh"
show_config() {
  ohc config show --set IntervalMinutes=0 > /dev/null
}
show_config
EOF
check_run "$TMP/func.sh"
[ "$rc" != 0 ] || fail "a failing function passed"
expect_contains "$err" "FAIL: func.sh:3: ohc config show --set IntervalMinutes=0 > /dev/null" "the line in the function"
expect_contains "$err" "in show_config(), called from func.sh:5: show_config" "the call stack"
expect_contains "$err" "out of range" "ohc's message"
cat > "$TMP/assign.sh" <<EOF
. "$OHC_SOURCE_DIR/tests/integration/lib.sh"
x=1
out=\$(ohc rules frob 2>&1)
EOF
check_run "$TMP/assign.sh"
expect_eq "$rc" 64 "exit code of a failed assignment"
expect_contains "$err" "FAIL: assign.sh:3: out=\$(ohc rules frob 2>&1)" "assignment line"

# 4. wait_for that gives up says what it waited for.
cat > "$TMP/wait.sh" <<EOF
. "$OHC_SOURCE_DIR/tests/integration/lib.sh"
wait_for 1 "a file that never comes" test -f "\$TMP/never"
EOF
check_run "$TMP/wait.sh"
expect_eq "$rc" 1 "exit code of a wait that gave up"
expect_contains "$err" "FAIL: gave up waiting for a file that never comes after 1 s" "what it waited for"
expect_contains "$err" "at wait.sh:2: wait_for 1" "where"

# 5. set +e sections are the test's own business; cleanups run; background jobs end.
cat > "$TMP/clean.sh" <<EOF
. "$OHC_SOURCE_DIR/tests/integration/lib.sh"
set +e; ohc collect --probes nosuch 2>/dev/null; echo "rc=\$?"; set -e
at_exit 'echo cleaned > "$TMP/cleaned"'
sleep 300 &
echo \$! > "$TMP/sleeper"
false
EOF
check_run "$TMP/clean.sh"
expect_eq "$rc" 1 "exit code"
expect_contains "$(cat "$TMP/out")" "rc=64" "the set +e section ran on"
[ "$(grep -c '^FAIL' "$TMP/err")" = 1 ] || fail "expected one FAIL (the 'false' line), got: $err"
expect_contains "$err" "FAIL: clean.sh:6: false" "the failure"
[ -f "$TMP/cleaned" ] || fail "at_exit cleanup did not run"
if kill -0 "$(cat "$TMP/sleeper")" 2>/dev/null; then fail "a background job of the test survived it"; fi

# 6. The Python tests' harness (tests/tools/harness.py): a failed check and an
#    uncaught assert say the file, the line and the last command with its output.
cat > "$TMP/test_py_check.py" <<EOF
import os, subprocess, sys
sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
import harness
r = subprocess.run(harness.ohc_cmd("rules", "frob"), capture_output=True, text=True)
harness.check(r.returncode == 0, "rules frob exit code %d" % r.returncode)
EOF
set +e; "$PYTHON" "$TMP/test_py_check.py" > "$TMP/out" 2> "$TMP/err"; rc=$?; set -e
err=$(cat "$TMP/err")
expect_eq "$rc" 1 "exit code of the failed Python check"
expect_contains "$err" "FAIL: rules frob exit code 64" "the check's message"
expect_contains "$err" "at test_py_check.py:5: harness.check(r.returncode == 0" "Python file, line and source"
expect_contains "$err" "rules frob -> exit 64" "the command log"
expect_contains "$err" "unknown" "the command's own output"
cat > "$TMP/test_py_assert.py" <<EOF
import os, sys
sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
import harness
x = {"a": 1}
assert x["a"] == 2, x
EOF
set +e; "$PYTHON" "$TMP/test_py_assert.py" > "$TMP/out" 2> "$TMP/err"; rc=$?; set -e
err=$(cat "$TMP/err")
expect_eq "$rc" 1 "exit code of the failed Python assert"
expect_contains "$err" "FAIL: AssertionError: {'a': 1}" "the assertion"
expect_contains "$err" "at test_py_assert.py:5: assert x[\"a\"] == 2, x" "Python file, line and source of the assert"

# 7. Under Wine: Wine's own message when Wine cannot run the program.
if [ "$OHC_PLATFORM" = windows ]; then
  cat > "$TMP/wine.sh" <<EOF
. "$OHC_SOURCE_DIR/tests/integration/lib.sh"
wine 'C:\\no\\such\\program.exe' > /dev/null
EOF
  check_run "$TMP/wine.sh"
  [ "$rc" != 0 ] || fail "Wine ran a missing program"
  expect_contains "$err" "FAIL: wine.sh:2:" "where"
  expect_contains "$err" "Wine's messages" "the Wine log section"
  expect_contains "$err" "wine: failed to open" "Wine's message"

  # 8. wine-run's bounded, logged retry; a genuine failure still fails.
  KEY="SOFTWARE\\ohc-harness-$$"
  OPEN='D:P(A;CI;KA;;;BA)(A;CI;KA;;;SY)'
  at_exit "regacl set '$KEY' '$OPEN' >/dev/null; run \"\$OHC_WINE_RUN\" reg delete 'HKLM\\$KEY' /f >/dev/null 2>&1"
  regacl set "$KEY" 'D:P(A;CI;KR;;;SY)' > /dev/null   # no one may write, Administrators not even read
  cat > "$TMP/retry.sh" <<EOF
. "$OHC_SOURCE_DIR/tests/integration/lib.sh"
wine reg add 'HKLM\\$KEY' /v n /d 1 /f
EOF
  check_run "$TMP/retry.sh"
  expect_eq "$rc" 1 "exit code of a write the key refuses every time"
  [ "$(grep -c '^harness: wine-run: .*reg could not write the value' "$TMP/err")" = 2 ] \
    || fail "expected 2 retry lines (3 attempts), got: $err"
  expect_contains "$err" "attempt 3 of 3 in 2 s" "the bound"
  expect_contains "$err" "still failed after 3 attempts (exit 1): passed on" "the end of the retries"
  expect_contains "$err" "FAIL: retry.sh:2: wine reg add" "the failure is still the test's"
  expect_contains "$err" "Unable to access or create the specified registry key" "reg's own words"
  # The same write, the key admitting it before the first retry: one retry line, success.
  set +e
  OHC_WINE_RETRY_HOOK="OHC_WINE_RETRY_HOOK= '$OHC_WINE_RUN' '$OHC_REGACL' set '$KEY' '$OPEN' >/dev/null 2>&1" \
    bash "$TMP/retry.sh" > "$TMP/out" 2> "$TMP/err"; rc=$?
  set -e
  err=$(cat "$TMP/err")
  expect_eq "$rc" 0 "exit code once the key admits the write: $err"
  [ "$(grep -c '^harness: wine-run: ' "$TMP/err")" = 1 ] || fail "expected 1 retry line, got: $err"
  expect_contains "$err" "attempt 2 of 3 in 1 s" "the retry said"
  expect_contains "$err" "] harness: wine-run: wine reg add" "the retry listed again at the end of the test"
  expect_contains "$(wine reg query "HKLM\\$KEY" /v n | tr -d '\r')" "REG_SZ    1" "the value written by the retry"
  # The Python harness: a command whose output the test captured; the retry is still said.
  regacl set "$KEY" 'D:P(A;CI;KR;;;SY)' > /dev/null
  cat > "$TMP/test_py_retry.py" <<EOF
import os, subprocess, sys
sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
import harness
subprocess.run([os.environ["OHC_WINE_RUN"], "reg", "add", r"HKLM\\$KEY", "/v", "p", "/d", "2", "/f"],
               check=True, capture_output=True)
EOF
  set +e
  OHC_WINE_RETRY_HOOK="OHC_WINE_RETRY_HOOK= '$OHC_WINE_RUN' '$OHC_REGACL' set '$KEY' '$OPEN' >/dev/null 2>&1" \
    "$PYTHON" "$TMP/test_py_retry.py" > "$TMP/out" 2> "$TMP/err"; rc=$?
  set -e
  err=$(cat "$TMP/err")
  expect_eq "$rc" 0 "the Python test once the key admits the write: $err"
  expect_contains "$err" "] harness: wine-run: wine reg add" "the retry said at the end of the Python test"
  # A genuine failure: not retried, reported with reg's words.
  cat > "$TMP/genuine.sh" <<EOF
. "$OHC_SOURCE_DIR/tests/integration/lib.sh"
wine reg add 'HKLM\\$KEY' /v d /t REG_DWORD /d notanumber /f
EOF
  check_run "$TMP/genuine.sh"
  expect_eq "$rc" 1 "exit code of a bad REG_DWORD"
  case "$err" in *"harness: wine-run:"*) fail "a genuine failure was retried: $err" ;; esac
  expect_contains "$err" "FAIL: genuine.sh:2: wine reg add" "where"
  expect_contains "$err" "must be followed by a valid numeric value" "reg's own words"
  # A process Wine could not start (its shared user data page could not be mapped: seen in a
  # loaded run), made with cmd saying Wine's words on stderr: retried, bounded, then passed on.
  cat > "$TMP/nomap.sh" <<EOF
. "$OHC_SOURCE_DIR/tests/integration/lib.sh"
wine cmd /c "echo err:virtual:virtual_alloc_first_teb wine: failed to map the shared user data: c0000018 1>&2 & exit 1"
EOF
  check_run "$TMP/nomap.sh"
  expect_eq "$rc" 1 "exit code of a start Wine could not make every time"
  [ "$(grep -c '^harness: wine-run: .*could not map its shared user data' "$TMP/err")" = 2 ] \
    || fail "expected 2 retry lines for the unmapped shared user data, got: $err"
  expect_contains "$err" "FAIL: nomap.sh:2: wine cmd" "the failure is still the test's"

  # 9. The run's wineserver writes its stderr to $WINEPREFIX.wineserver.log (scripts/wine-prefix),
  #    and a failing test shows what was added to it during the test.
  ws=""
  for pid in $(pgrep -x wineserver64 || true); do
    tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qxF "WINEPREFIX=$WINEPREFIX" && ws=$pid
  done
  [ -n "$ws" ] || fail "no wineserver of this prefix runs"
  expect_eq "$(readlink "/proc/$ws/fd/2")" "$WINEPREFIX.wineserver.log" "the wineserver's stderr"
  cat > "$TMP/wslog.sh" <<EOF
. "$OHC_SOURCE_DIR/tests/integration/lib.sh"
echo "0abc: test_harness: a line where the wineserver's own would be" >> "\$WINEPREFIX.wineserver.log"
false
EOF
  check_run "$TMP/wslog.sh"
  expect_contains "$err" "the wineserver's messages during this test" "the wineserver log section"
  expect_contains "$err" "0abc: test_harness: a line where" "its new line"
  cat > "$TMP/test_py_wslog.py" <<EOF
import os, sys
sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
import harness
with open(os.environ["WINEPREFIX"] + ".wineserver.log", "a") as f:
    f.write("0abd: test_harness: a Python test's line\\n")
harness.fail("deliberately")
EOF
  set +e; "$PYTHON" "$TMP/test_py_wslog.py" > "$TMP/out" 2> "$TMP/err"; rc=$?; set -e
  err=$(cat "$TMP/err")
  expect_eq "$rc" 1 "exit code of the failed Python test"
  expect_contains "$err" "the wineserver's messages during this test" "the wineserver log section (Python)"
  expect_contains "$err" "0abd: test_harness: a Python test's line" "its new line (Python)"
  case "$err" in *"0abc:"*) fail "the Python test showed a line from before it: $err" ;; esac
fi
echo "harness: ok"
