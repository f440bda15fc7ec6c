#!/usr/bin/env python3
"""Findings in the Application log: `ohc.exe collect --eventlog` under Wine on a
registry prepared to give two findings.

Wine's event log is a stub (dlls/advapi32/eventlog.c): RegisterEventSourceW
returns a dummy handle and ReportEventW writes nothing anywhere, but both print
their arguments on Wine's debug channels (fixme:advapi: source, type, category,
event id, string count; the eventlog channel: each insertion string). So the
real calls ohc.exe makes are read from Wine's own trace, not from a test double:
the right source, event ids and types, and the insertion strings against the
report. What Wine cannot show is that an event reached a log and how Event
Viewer renders it (the texts are checked through FormatMessage against ohc.exe
in tests/win32/test_event_messages.c).

Then: the cause of one finding removed, the second collection writes one
"resolved" event and the third none; a damaged state file is kept aside, said
in an event and on stderr, and the report still comes; without --eventlog-state
the state goes to the machine's state folder. Natively, --eventlog is a usage
error (no Windows event log)."""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
import harness  # noqa: E402
from harness import check, fail  # noqa: E402

EXE = os.environ["OHC_EXE"]

if os.environ.get("OHC_PLATFORM") != "windows":
    r = subprocess.run([EXE, "collect", "--probes", "host", "--eventlog"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 64, "native --eventlog: exit %d, expected 64 (usage)" % r.returncode)
    check("needs the Windows event log" in r.stderr, "native --eventlog says why: %r" % r.stderr)
    sys.exit(0)

WINE_RUN = os.environ["OHC_WINE_RUN"]
TMP = tempfile.mkdtemp(prefix="ohc-eventlog.")
STATE = os.path.join(TMP, "state.json")
SEVERITY_TYPE = {"info": 4, "warning": 2, "error": 1, "critical": 1}  # EVENTLOG_*_TYPE
FINDING_ID = {"info": 1010, "warning": 1011, "error": 1012, "critical": 1013}
SUMMARY_ID = {"ok": 1000, "warning": 1001, "problem": 1002, "incomplete": 1003, "failed": 1004}
QUALIFIER = {4: 1, 2: 2, 1: 3}  # windmc severity bits by event type


def winpath(p):
    return "Z:" + p.replace("/", "\\")


def reg(*args):
    subprocess.run([WINE_RUN, "reg", *args, "/f"], check=True, capture_output=True, timeout=120)


def unescape_wine(s):
    """The text of Wine's debugstr_w: L"..." with \\n \\r \\t \\" \\\\ and \\XXXX
    (4 hex digits) for other characters; a cut string ends in "... (returned
    with truncated=True)."""
    m = re.fullmatch(r'L"(.*)"(\.\.\.)?', s)
    if m is None:
        fail("not a Wine wide-string trace: %r" % s)
    body, out, i = m.group(1), [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1]
        if n in 'nrt"\\':
            out.append({"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}[n])
            i += 2
        else:
            out.append(chr(int(body[i + 1:i + 5], 16)))
            i += 5
    return "".join(out), m.group(2) is not None


def collect(*extra, state=STATE, expect_rc=1):
    """ohc.exe collect --eventlog under Wine with the event log trace on.
    Returns (report, events, stderr without Wine's lines)."""
    out = os.path.join(TMP, "r%d.json" % len(os.listdir(TMP)))
    args = ["collect", "--probes", "host,outlook", "--eventlog", "--out", winpath(out), *extra]
    if state is not None:
        args += ["--eventlog-state", winpath(state)]
    env = dict(os.environ, WINEDEBUG="-all,fixme+advapi,trace+eventlog,warn+eventlog,err+eventlog")
    r = subprocess.run(["setpriv", "--pdeathsig", "KILL", "--", "wine", EXE, *args], env=env, capture_output=True,
                       text=True, errors="replace", timeout=300)
    check(r.returncode == expect_rc, "collect exit %d, expected %d: %s" % (r.returncode, expect_rc, r.stderr[-2000:]))
    sources, events, deregistered, own = [], [], 0, []
    for line in r.stderr.splitlines():
        m = re.match(r"^[0-9a-f]+:(\w+):(\w+):(\w+) (.*)$", line)
        if m is None:
            own.append(line)
            continue
        cls, channel, func, rest = m.groups()
        if channel == "advapi":
            rest = re.sub(r"\)?:? ?stub$", "", rest).removeprefix("(")  # "(args): stub", "(args) stub"
        if channel == "advapi" and func == "RegisterEventSourceW":
            sources.append(rest)
        elif channel == "advapi" and func == "DeregisterEventSource":
            deregistered += 1
        elif channel == "advapi" and func == "ReportEventW":
            a = rest.split(",")
            events.append({"type": int(a[1], 16), "category": int(a[2], 16), "message_id": int(a[3], 16),
                           "sid": a[4], "nstrings": int(a[5], 16), "strings": [], "cut": [], "cls": []})
        elif channel == "eventlog" and func == "ReportEventW":
            text, cut = unescape_wine(rest)
            events[-1]["strings"].append(text)
            events[-1]["cut"].append(cut)
            events[-1]["cls"].append(cls)
    check(sources == ['(null),L"OutlookHealthCollector"'], "one RegisterEventSourceW for ohc's source: %r" % sources)
    check(deregistered == 1, "DeregisterEventSource once, got %d" % deregistered)
    for e in events:
        check(e["nstrings"] == len(e["strings"]), "each insertion string traced: %r" % e)
        check(e["category"] == 0 and int(e["sid"], 16) == 0, "no category, no user SID: %r" % e)
        e["id"] = e["message_id"] & 0xFFFF
        check(e["message_id"] >> 30 == QUALIFIER[e["type"]], "severity bits match the type: %r" % e)
        # Wine prints error events on err:, warnings on warn:, the rest on trace:
        expect_cls = {1: "err", 2: "warn", 4: "trace"}[e["type"]]
        check(all(c == expect_cls for c in e["cls"]), "Wine's channel class follows the type: %r" % e)
    with open(out, encoding="utf-8") as f:
        report = json.load(f)
    return report, events, "\n".join(own)


def same(event_string, cut, expected):
    return event_string == expected or (cut and expected.startswith(event_string))


def check_findings(report, events):
    host = report["host"]["computer_name"]
    check(host != "", "the host probe named the computer")
    order = sorted(report["findings"], key=lambda f: -["info", "warning", "error", "critical"].index(f["severity"]))
    finding_events = [e for e in events if 1010 <= e["id"] <= 1013]
    check(len(finding_events) == len(order), "one event per finding: %d events, %d findings"
          % (len(finding_events), len(order)))
    for f, e in zip(order, finding_events):
        check(e["id"] == FINDING_ID[f["severity"]] and e["type"] == SEVERITY_TYPE[f["severity"]],
              "id and type by severity: %s %r" % (f["rule_id"], e))
        check(e["nstrings"] == 8, "8 insertion strings: %r" % e)
        want = [f["rule_id"], f["severity"], host, report["report_id"], f["title"], f["message"]]
        for i, w in enumerate(want):
            check(same(e["strings"][i], e["cut"][i], w), "%%%d of %s: %r, expected %r"
                  % (i + 1, f["rule_id"], e["strings"][i], w))
        step = f["remediation"][0]
        check(same(e["strings"][7], e["cut"][7], "\r\n".join([step["text"], *step["commands"]])),
              "%%8 of %s: the first repair step: %r" % (f["rule_id"], e["strings"][7]))
    summary = events[-1]
    verdict = report["summary"]["verdict"]
    check(summary["id"] == SUMMARY_ID[verdict], "the summary comes last with the verdict's id: %r" % summary)
    check(summary["strings"][:4] == [verdict, host, report["report_id"], str(len(order))], "summary: %r" % summary)
    return summary


try:
    reg("add", r"HKCU\Software\Microsoft\Exchange", "/v", "MapiHttpDisabled", "/t", "REG_DWORD", "/d", "1")
    reg("add", r"HKCU\Software\Microsoft\Office\16.0\Outlook\AutoDiscover", "/v", "ExcludeScpLookup", "/t",
        "REG_DWORD", "/d", "1")

    # 1: two findings, no state yet
    r1, ev1, err1 = collect()
    rules1 = sorted(f["rule_id"] for f in r1["findings"])
    check(rules1 == ["AUTODISCOVER-OVERRIDES", "MAPI-HTTP-DISABLED"], "findings of the prepared registry: %r" % rules1)
    s1 = check_findings(r1, ev1)
    check(s1["strings"][5] == "0", "first collection: nothing resolved")
    check(len(ev1) == 3, "two findings and a summary: %r" % [e["id"] for e in ev1])
    check("Event log: 3 event(s) written to the Application log (2 finding(s), 0 resolved)" in err1,
          "stderr says what was written: %r" % err1)
    with open(STATE, encoding="utf-8") as f:
        st = json.load(f)
    check(sorted(x["rule_id"] for x in st["findings"]) == rules1 and st["report_id"] == r1["report_id"],
          "the state holds the first collection's findings")

    # 2: the Autodiscover override removed: one resolved event
    reg("delete", r"HKCU\Software\Microsoft\Office\16.0\Outlook\AutoDiscover", "/v", "ExcludeScpLookup")
    r2, ev2, _ = collect()
    check([f["rule_id"] for f in r2["findings"]] == ["MAPI-HTTP-DISABLED"], "second collection: one finding left")
    s2 = check_findings(r2, ev2)
    resolved = [e for e in ev2 if e["id"] == 1020]
    check(len(resolved) == 1, "one resolved event: %r" % [e["id"] for e in ev2])
    old = [f for f in r1["findings"] if f["rule_id"] == "AUTODISCOVER-OVERRIDES"][0]
    res = resolved[0]
    check(res["type"] == 4 and res["message_id"] == 0x400003FC, "resolved: information, 0x400003FC: %r" % res)
    check(res["strings"][:5] == ["AUTODISCOVER-OVERRIDES", "warning", r2["host"]["computer_name"], r2["report_id"],
                                 old["title"]], "resolved %%1-%%5: %r" % res["strings"])
    check(same(res["strings"][5], res["cut"][5], old["message"]), "resolved %6: the message it had")
    check(res["strings"][6:] == [r1["report_id"], r1["generated_at"]], "resolved %%7-%%8: where it was last: %r"
          % res["strings"][6:])
    check(s2["strings"][5] == "1", "the summary counts one resolved")
    check(ev2.index(res) == len(ev2) - 2, "resolved after the findings, before the summary")

    # 3: the same PC again: it is not said twice
    r3, ev3, _ = collect()
    check([e["id"] for e in ev3] == [1011, 1001], "third collection: the finding and the summary only: %r"
          % [e["id"] for e in ev3])

    # 4: a damaged state: kept aside, said, the report still comes
    with open(STATE, "w", encoding="utf-8") as f:
        f.write('{"version":1,"findings":[{"rule_id":')
    r4, ev4, err4 = collect()
    check("is damaged" in err4 and "kept as: " in err4,
          "stderr says the state is damaged and where it is kept: %r" % err4)
    damaged = [e for e in ev4 if e["id"] == 1030]
    check(len(damaged) == 1 and damaged[0]["type"] == 2, "one state.unreadable warning event: %r"
          % [e["id"] for e in ev4])
    check(damaged[0]["strings"][1] == winpath(STATE) + ".damaged", "kept_as: %r" % damaged[0]["strings"])
    check("not JSON" in damaged[0]["strings"][0], "the problem: %r" % damaged[0]["strings"][0])
    with open(STATE + ".damaged", encoding="utf-8") as f:
        check(f.read() == '{"version":1,"findings":[{"rule_id":', "the damaged file is kept whole")
    with open(STATE, encoding="utf-8") as f:
        check(json.load(f)["report_id"] == r4["report_id"], "a new state is written")
    check_findings(r4, ev4)

    # 5: without --eventlog-state: the machine's state folder (the service's)
    machine = os.path.join(os.environ["WINEPREFIX"], "drive_c/ProgramData/OutlookHealthCollector/eventlog-state.json")
    had = os.path.exists(machine)
    r5, ev5, _ = collect(state=None)
    with open(machine, encoding="utf-8") as f:
        check(json.load(f)["report_id"] == r5["report_id"], "the machine's eventlog-state.json follows the report")
    if not had:
        os.remove(machine)
finally:
    subprocess.run([WINE_RUN, "reg", "delete", r"HKCU\Software\Microsoft\Exchange", "/v", "MapiHttpDisabled", "/f"],
                   capture_output=True, timeout=120)
    subprocess.run([WINE_RUN, "reg", "delete", r"HKCU\Software\Microsoft\Office\16.0", "/f"], capture_output=True,
                   timeout=120)
    subprocess.run(["rm", "-rf", TMP])
print("ok")
