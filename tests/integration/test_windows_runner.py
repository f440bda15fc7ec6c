#!/usr/bin/python3
"""The Windows runner workflow and its plan hold together (they cannot run here: no Windows).

Checks that .github/workflows/windows.yml parses as YAML with a build job on Debian 12 and a test
job on Windows runners that runs tests/windows-runner/run.ps1; that every file the workflow copies
exists in the tree or is built by CMake; and that each numbered check of TEST-PLAN.md that run.ps1
automates is named in it. Native only (it reads the tree)."""
import os
import re
import sys

import yaml

SRC = os.environ["OHC_SOURCE_DIR"]
if os.environ.get("OHC_PLATFORM") != "native":
    sys.exit(77)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


with open(os.path.join(SRC, ".github", "workflows", "windows.yml"), encoding="utf-8") as f:
    wf = yaml.safe_load(f)
jobs = wf.get("jobs", {})
check(set(jobs) == {"build", "test"}, "jobs: %s" % list(jobs))
check(jobs.get("build", {}).get("container") == "debian:12", "build runs in Debian 12")
check(jobs.get("test", {}).get("needs") == "build", "test needs build")
oses = jobs.get("test", {}).get("strategy", {}).get("matrix", {}).get("os", [])
check(oses and all(o.startswith("windows-") for o in oses), "test on Windows runners: %s" % oses)
steps = " ".join(str(s.get("run", "")) for j in jobs.values() for s in j.get("steps", []))
check("run.ps1" in steps, "the test job runs run.ps1")
for path in re.findall(r"\b(tests/windows-runner/[\w.-]+)", steps):
    check(os.path.exists(os.path.join(SRC, path)), "the workflow copies %s, which is missing" % path)
check("scripts/build mingw" in steps, "the build job uses the project's build")
with open(os.path.join(SRC, "tests", "CMakeLists.txt"), encoding="utf-8") as f:
    check("planted" in f.read(), "the planted DLLs the workflow copies are built by tests/CMakeLists.txt")

with open(os.path.join(SRC, "tests", "windows-runner", "TEST-PLAN.md"), encoding="utf-8") as f:
    plan = f.read()
with open(os.path.join(SRC, "tests", "windows-runner", "run.ps1"), encoding="utf-8") as f:
    ps = f.read()
plan_items = set(re.findall(r"^\| (\d+) \|", plan, re.M))
ps_items = set(re.findall(r"^Check '(\d+) ", ps, re.M))
check(len(plan_items) >= 10, "plan items: %s" % sorted(plan_items))
check(ps_items and ps_items <= plan_items, "run.ps1 checks %s not all in the plan %s" % (sorted(ps_items), sorted(plan_items)))
# The script must not be empty of structure: balanced braces, a final exit on failure.
check(ps.count("{") == ps.count("}"), "run.ps1: unbalanced braces")
check("exit 1" in ps, "run.ps1 fails the job on a failed check")

for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print("ok: workflow with %d Windows runner(s), run.ps1 automating %d of %d plan items" % (len(oses), len(ps_items), len(plan_items)))
