# ohc rules check / evaluate / collect --rules with broken rule files: each kind
# of problem is reported precisely (file, line:column or place, rule), valid rules
# still run, and problems land in report.errors.
. "$(dirname "$0")/lib.sh"

# The shipped pack is clean, from the directory and built in.
out=$(ohc rules check "$(winpath "$OHC_SOURCE_DIR/rules")")
expect_contains "$out" "0 problem(s)" "rules/ clean"
out=$(ohc rules check)
packs=$(find "$OHC_SOURCE_DIR/rules" -maxdepth 1 -name '*.json' | wc -l)
expect_contains "$out" "built-in rules: $packs rule set(s)" "built-in pack: every rules/*.json"
expect_contains "$out" "0 problem(s)" "built-in pack clean"

# One directory with every kind of broken file, plus one good rule.
B="$TMP/broken"
mkdir -p "$B"
cat > "$B/a_syntax.json" <<'EOF'
{
  "id": "syntax",
  "version": "1",
  "rules": [ {"id": "X" "title": "no comma"} ]
}
EOF
cat > "$B/b_content.json" <<'EOF'
{
  "id": "content",
  "version": "1.0",
  "rules": [
    {"id": "GOOD-1", "title": "host seen", "severity": "warning", "category": "test",
     "when": {"!!": {"var": "host.computer_name"}}, "evidence": {"name": "host.computer_name"},
     "message": "computer {{evidence.name}}", "remediation": [{"text": "none", "commands": ["echo {{host.os.family}}"]}],
     "references": ["https://example.invalid/x"]},
    {"id": "BAD-OP", "title": "t", "severity": "info", "category": "test", "message": "m",
     "when": {"and": [true, {"frobnicate": [1]}]}},
    {"id": "BAD-ARITY", "title": "t", "severity": "info", "category": "test", "message": "m",
     "when": {"or": [{"==": [1]}]}},
    {"id": "BAD-SEV", "title": "t", "severity": "fatal", "category": "test", "message": "m", "when": true},
    {"id": "NO-TITLE", "severity": "info", "category": "test", "message": "m", "when": true},
    {"id": "TYPO", "title": "t", "severity": "info", "category": "test", "message": "m", "when": true, "sevrity": "x"},
    {"id": "BAD-TPL", "title": "t", "severity": "info", "category": "test", "message": "value {{host.computer_name", "when": true},
    {"id": "GOOD-1", "title": "again", "severity": "info", "category": "test", "message": "m", "when": true}
  ]
}
EOF
cat > "$B/c_dup.json" <<'EOF'
{"id": "dup", "version": "1", "rules": [
  {"id": "GOOD-1", "title": "other file", "severity": "info", "category": "test", "message": "m", "when": true}]}
EOF
cat > "$B/d_header.json" <<'EOF'
{"id": "no version", "rules": {}}
EOF
# deeper than the engine's limit of 64
deep=$(printf '{"!":%.0s' $(seq 80))true$(printf '}%.0s' $(seq 80))
printf '{"id":"deep","version":"1","rules":[{"id":"DEEP","title":"t","severity":"info","category":"c","message":"m","when":%s}]}\n' "$deep" > "$B/e_deep.json"

set +e
ohc rules check "$(winpath "$B")" > "$TMP/check.txt"; rc=$?
set -e
cat "$TMP/check.txt"
expect_eq "$rc" 2 "rules check exit code with problems"
c=$(cat "$TMP/check.txt")
expect_contains "$c" "a_syntax.json:4:25: not valid JSON near '\"title\": \"no com'" "syntax error with line:column"
expect_contains "$c" "b_content.json: rules[1].when.and[1].frobnicate (rule BAD-OP): unknown operator 'frobnicate'" "unknown operator"
expect_contains "$c" "b_content.json: rules[2].when.or[0].== (rule BAD-ARITY): '==' takes 2 argument(s), not 1" "wrong arity"
expect_contains "$c" "b_content.json: rules[3].severity (rule BAD-SEV): unknown severity 'fatal'" "unknown severity"
expect_contains "$c" "b_content.json: rules[4] (rule NO-TITLE): missing field 'title'" "missing field"
expect_contains "$c" "b_content.json: rules[5].sevrity (rule TYPO): unknown field" "unknown field"
expect_contains "$c" "b_content.json: rules[6].message (rule BAD-TPL): '{{' without a closing '}}'" "bad template"
expect_contains "$c" "b_content.json: rules[7].id (rule GOOD-1): duplicate rule id 'GOOD-1' (also earlier in this file)" "duplicate id in file"
expect_contains "$c" "c_dup.json: rules[0].id (rule GOOD-1): duplicate rule id 'GOOD-1' (also in" "duplicate id across files"
expect_contains "$c" "d_header.json: id: the rule set id must be" "bad set id"
expect_contains "$c" "d_header.json: missing field 'version'" "missing version"
expect_contains "$c" "d_header.json: rules: must be an array of rules" "rules not an array"
expect_contains "$c" "e_deep.json: rules[0].when" "deep rule place"
expect_contains "$c" "nested deeper than 64 levels" "depth limit"
expect_contains "$c" "1 valid rule(s), 13 problem(s)" "counts"

# collect --rules: problems in report.errors, the valid rule still evaluated.
set +e
ohc collect --probes host --rules "$(winpath "$B")" --out "$(winpath "$TMP/r.json")" > /dev/null; rc=$?
set -e
validate_report "$TMP/r.json"
expect_eq "$rc" 1 "collect exit code follows the warning"
expect_eq "$(json_get "$TMP/r.json" "[f['rule_id'] for f in r['findings']]")" "['GOOD-1']" "valid rule fired"
expect_eq "$(json_get "$TMP/r.json" "r['findings'][0]['message'] == 'computer ' + r['host']['computer_name']")" True "template"
expect_eq "$(json_get "$TMP/r.json" "r['findings'][0]['remediation'][0]['commands'][0]")" "echo $(json_get "$TMP/r.json" "r['host']['os']['family']")" "command template"
expect_eq "$(json_get "$TMP/r.json" "len([e for e in r['errors'] if e['source'] == 'rules'])")" 13 "problems in report.errors"
expect_eq "$(json_get "$TMP/r.json" "[(e['line'], e['column']) for e in r['errors'] if e.get('line')]")" "[(4, 25)]" "line:column kept"
expect_eq "$(json_get "$TMP/r.json" "r['summary']['highest_severity']")" warning "summary"
expect_eq "$(json_get "$TMP/r.json" "r['summary']['rule_errors']")" 13 "summary.rule_errors"

# A rules directory that does not exist: said in errors, the built-in pack is used.
ohc collect --probes host --rules "$(winpath "$TMP/nosuch")" --out "$(winpath "$TMP/r2.json")" > /dev/null || true
validate_report "$TMP/r2.json"
expect_contains "$(json_get "$TMP/r2.json" "[e['message'] for e in r['errors']]")" "the built-in rules were used" "missing dir"
expect_contains "$(json_get "$TMP/r2.json" "r['summary']['rule_sets'][0]['source']")" "builtin:" "built-in used"

# evaluate: re-checks a saved report; text format; bad input is a clear error.
ohc evaluate "$(winpath "$TMP/r.json")" --format text > "$TMP/eval.txt" || true
expect_contains "$(cat "$TMP/eval.txt")" "Verdict:" "evaluate text"
printf '{"facts": {"host": {}},\n  "x": [1,}' > "$TMP/bad.json"
set +e
ohc evaluate "$(winpath "$TMP/bad.json")" 2> "$TMP/err"; rc=$?
set -e
expect_eq "$rc" 3 "evaluate bad JSON exit code"
expect_contains "$(cat "$TMP/err")" "bad.json:2:11: not valid JSON" "evaluate bad JSON position"
echo '[1,2]' > "$TMP/notreport.json"
set +e
ohc evaluate "$(winpath "$TMP/notreport.json")" 2> "$TMP/err"; rc=$?
set -e
expect_eq "$rc" 3 "evaluate non-report exit code"
expect_contains "$(cat "$TMP/err")" "not an ohc report" "evaluate non-report message"
set +e
ohc rules frob > /dev/null 2>&1; rc=$?
set -e
expect_eq "$rc" 64 "rules: unknown subcommand"
# The RulesDir setting (GPO key) chooses the rules when --rules is not given (Windows registry).
if [ "$OHC_PLATFORM" = windows ]; then
  G="$TMP/gpo"
  mkdir -p "$G"
  cp "$B/c_dup.json" "$G/only.json"
  key='HKLM\SOFTWARE\Policies\OutlookHealthCollector'
  at_exit 'wine reg delete "$key" /v RulesDir /f'
  wine reg add "$key" /v RulesDir /t REG_SZ /d "$(winpath "$G")" /f > /dev/null
  ohc collect --probes host --out "$(winpath "$TMP/r3.json")" > /dev/null || true
  wine reg delete "$key" /v RulesDir /f > /dev/null
  validate_report "$TMP/r3.json"
  expect_eq "$(json_get "$TMP/r3.json" "[s['id'] for s in r['summary']['rule_sets']]")" "['dup']" "RulesDir setting used"
  expect_eq "$(json_get "$TMP/r3.json" "[f['rule_id'] for f in r['findings']]")" "['GOOD-1']" "RulesDir rules evaluated"
fi
echo "rules cli: ok"
