#!/usr/bin/python3
"""The rule pack against its fixtures, through the real `ohc evaluate`.

Every rule of rules/*.json must have tests/fixtures/rules/<RULE-ID>/positive*.json
(the rule must fire) and negative*.json (it must not); a rule lacking either, or a
fixture folder without a rule, fails this test. A fixture is
{"description", "facts", "generated_at"?}: its facts are put into a real report
(the host probe's output) that `ohc evaluate --rules rules/` re-checks; every
report it writes must match the schema. The built-in rules of the executable
must be the same pack."""
import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import report_schema  # noqa: E402

sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
import harness  # noqa: E402,F401  (a failure says file, line, the commands run, Wine's messages)

SRC = os.environ["OHC_SOURCE_DIR"]
EXE = os.environ["OHC_EXE"]
WINDOWS = os.environ.get("OHC_PLATFORM") == "windows"
RULES = os.path.join(SRC, "rules")
FIXTURES = os.path.join(SRC, "tests", "fixtures", "rules")


def winpath(p):
    return "Z:" + p.replace("/", "\\") if WINDOWS else p


def ohc(*args):
    cmd = ([os.environ["OHC_WINE_RUN"], EXE] if WINDOWS else [EXE]) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def load_rules(rules_dir):
    rules = {}
    for path in sorted(glob.glob(os.path.join(rules_dir, "*.json"))):
        with open(path, encoding="utf-8") as f:
            for r in json.load(f)["rules"]:
                rules[r["id"]] = r
    return rules


def coverage_problems(rules, fixtures_dir):
    """What is missing: a rule without a positive or a negative fixture, or fixtures of no rule."""
    problems = []
    for rid in sorted(rules):
        d = os.path.join(fixtures_dir, rid)
        for kind in ("positive", "negative"):
            if not glob.glob(os.path.join(d, kind + "*.json")):
                problems.append(f"rule {rid} has no {kind} fixture ({d}/{kind}*.json)")
    # whoever reads the ticket sees labels, never evidence keys: every item has one ("" hides it)
    for rid in sorted(rules):
        for name in rules[rid].get("evidence", {}):
            if name not in rules[rid].get("labels", {}):
                problems.append(f"rule {rid}: evidence '{name}' has no label")
    for d in sorted(glob.glob(os.path.join(fixtures_dir, "*"))):
        if os.path.basename(d) not in rules:
            problems.append(f"fixtures {d} belong to no rule")
    return problems


def main():
    failures = []
    rules = load_rules(RULES)
    if len(rules) < 14:
        failures.append(f"only {len(rules)} rules in {RULES}")

    # The coverage check itself must be able to fail: drop one negative fixture from a copy.
    problems = coverage_problems(rules, FIXTURES)
    failures += problems
    with tempfile.TemporaryDirectory() as tmp:
        copy_dir = os.path.join(tmp, "fx")
        shutil.copytree(FIXTURES, copy_dir)
        victim = sorted(rules)[0]
        for f in glob.glob(os.path.join(copy_dir, victim, "negative*.json")):
            os.remove(f)
        if not any(victim in p and "negative" in p for p in coverage_problems(rules, copy_dir)):
            failures.append("coverage check does not notice a missing negative fixture")

    validator = report_schema.validator(os.environ["OHC_SCHEMA"])

    with tempfile.TemporaryDirectory() as tmp:
        # a real report to put the fixtures' facts in
        res = ohc("collect", "--probes", "host", "--out", winpath(os.path.join(tmp, "base.json")))
        if res.returncode not in (0, 1, 2, 3) or not os.path.exists(os.path.join(tmp, "base.json")):
            print(res.stdout, res.stderr)
            sys.exit(f"ohc collect --probes host failed ({res.returncode})")
        with open(os.path.join(tmp, "base.json"), encoding="utf-8") as f:
            base = json.load(f)

        ran = 0
        for rid, rule in sorted(rules.items()):
            for path in sorted(glob.glob(os.path.join(FIXTURES, rid, "*.json"))):
                name = os.path.basename(path)
                positive = name.startswith("positive")
                with open(path, encoding="utf-8") as f:
                    fx = json.load(f)
                report = copy.deepcopy(base)
                report["facts"] = {"host": base["facts"]["host"], **fx["facts"]}
                if "generated_at" in fx:
                    report["generated_at"] = fx["generated_at"]
                report["findings"], report["errors"] = [], []
                report.pop("summary", None)
                src = os.path.join(tmp, f"{rid}-{name}")
                out = src + ".out.json"
                with open(src, "w", encoding="utf-8") as f:
                    json.dump(report, f)
                res = ohc("evaluate", winpath(src), "--rules", winpath(RULES), "--out", winpath(out))
                ran += 1
                where = f"{rid}/{name}"
                # 3: a finished report that could not check everything (a fixture gives
                # only the facts its rule reads; the other rules' probes were not collected)
                if res.returncode not in (0, 1, 2, 3) or not os.path.exists(out):
                    failures.append(f"{where}: ohc evaluate exited {res.returncode}: {res.stderr.strip()}")
                    continue
                with open(out, encoding="utf-8") as f:
                    result = json.load(f)
                for e in validator.iter_errors(result):
                    failures.append(f"{where}: schema: {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}")
                rule_errors = [e["message"] for e in result["errors"] if e.get("source") == "rules"]
                if rule_errors:
                    failures.append(f"{where}: rule errors: {rule_errors}")
                hits = [f for f in result["findings"] if f["rule_id"] == rid]
                if positive and not hits:
                    failures.append(f"{where}: {rid} did not fire ({fx['description']})")
                if not positive and hits:
                    failures.append(f"{where}: {rid} fired on a negative fixture: {hits[0]['message']}")
                for h in hits:
                    if h["severity"] != rule["severity"] or "{{" in h["message"] or "(none)" == h["message"]:
                        failures.append(f"{where}: bad finding {h}")
                    if rule.get("evidence") and not any(v not in (None, [], "") for v in h["evidence"].values()):
                        failures.append(f"{where}: the finding's evidence is empty: {h['evidence']}")
                    # Only a step whose whole text is "{{evidence.x|}}" may be left out (it renders empty
                    # where it does not apply); every other step is always there.
                    steps = rule.get("remediation", [])
                    fixed = [st for st in steps if not re.fullmatch(r"\{\{[^{}|]*\|\}\}", st.get("text", ""))]
                    if not len(fixed) <= len(h["remediation"]) <= len(steps):
                        failures.append(f"{where}: remediation steps lost")
                    # "expect": what the technician must read (real values, never the examples)
                    want = fx.get("expect", {})
                    cmds = [c for step in h["remediation"] for c in step["commands"]]
                    texts = [h["message"]] + [step["text"] for step in h["remediation"]]
                    for w in want.get("message_contains", []):
                        if w not in h["message"]:
                            failures.append(f"{where}: message lacks {w!r}: {h['message']}")
                    for w in want.get("commands", []):
                        if w not in cmds:
                            failures.append(f"{where}: no command {w!r} in {cmds}")
                    for w in want.get("absent", []):
                        if any(w in t for t in cmds + texts):
                            failures.append(f"{where}: {w!r} should not appear: {cmds + texts}")
                # the exit code follows the worst finding
                worst = result["summary"]["highest_severity"]
                want_rc = {"none": 0, "info": 0, "warning": 1, "error": 2, "critical": 2}[worst]
                if want_rc == 0 and result["summary"]["incomplete"]:
                    want_rc = 3  # nothing above info, but some checks could not run (verdict.h)
                if res.returncode != want_rc or result["summary"]["exit_code"] != want_rc:
                    failures.append(f"{where}: exit code {res.returncode}, want {want_rc} for {worst}")

        # The executable carries the same pack: same rule count, same findings without --rules.
        res = ohc("rules", "check")
        if f"{len(rules)} valid rule(s), 0 problem(s)" not in res.stdout:
            failures.append(f"built-in rules differ from rules/: {res.stdout.strip()}")
        probe = glob.glob(os.path.join(tmp, "OAB-HTTP-404-positive.json"))[0]
        res = ohc("evaluate", winpath(probe), "--out", winpath(probe + ".builtin.json"))
        with open(probe + ".builtin.json", encoding="utf-8") as f:
            builtin = json.load(f)
        with open(probe + ".out.json", encoding="utf-8") as f:
            fromdir = json.load(f)
        if [f["rule_id"] for f in builtin["findings"]] != [f["rule_id"] for f in fromdir["findings"]]:
            failures.append("built-in rules give other findings than rules/")
        sets = {s["id"]: s["source"] for s in builtin["summary"]["rule_sets"]}
        if not all(s.startswith("builtin:") for s in sets.values()) or len(sets) != len(glob.glob(os.path.join(RULES, "*.json"))):
            failures.append(f"summary.rule_sets does not name the built-in pack: {sets}")

    for f in failures:
        print("FAIL:", f)
    print(f"rule pack: {len(rules)} rules, {ran} fixtures, {len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


main()
