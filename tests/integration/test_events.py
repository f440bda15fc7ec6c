#!/usr/bin/python3
"""The events probe of the real ohc.exe under Wine.

1. With Wine's own wevtapi (a stub: EvtQuery returns NULL): the probe says
   `unavailable` with the reason, the other probes still run, the report is valid.
2. With tests/wevtapi (a wevtapi.dll test double, because Wine does not
   implement the event log API) copied over the prefix's system32\\wevtapi.dll
   and WINEDLLOVERRIDES=wevtapi=n: ohc.exe reads fixture events through the
   real calls (EvtQuery, EvtNext, EvtRender, EvtFormatMessage, EvtClose) and the
   report shows them decoded. The double's own report at unload must show no
   leaked handle, no contract violation, no rejected XPath, and that the
   two-call buffer protocol and ERROR_NO_MORE_ITEMS were met.
The prefix's wevtapi.dll is restored whatever happens."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

if os.environ.get("OHC_PLATFORM") != "windows":
    sys.exit(77)  # the live event log exists only in ohc.exe

SRC = os.environ["OHC_SOURCE_DIR"]
EXE = os.environ["OHC_EXE"]
WINE_RUN = os.environ["OHC_WINE_RUN"]
DOUBLE = os.environ["OHC_WEVTAPI_DOUBLE"]
FIXTURES = os.path.join(os.environ["OHC_FIXTURES"], "events")
SYSTEM32 = os.path.join(os.environ["WINEPREFIX"], "drive_c", "windows", "system32")
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def winpath(p):
    return "Z:" + p.replace("/", "\\")


def collect(tmp, name, env=None, probes="host,events", extra=()):
    out = os.path.join(tmp, name + ".json")
    e = dict(os.environ)
    e.update(env or {})
    r = subprocess.run([WINE_RUN, EXE, "collect", "--probes", probes, "--out", winpath(out), "--format", "json"]
                       + list(extra),
                       env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
    if not os.path.exists(out):
        print(r.stderr.decode(errors="replace"), file=sys.stderr)
        sys.exit("FAIL: %s: no report (exit %d)" % (name, r.returncode))
    v = subprocess.run([PYTHON, os.path.join(SRC, "tests", "tools", "validate_report.py"), out])
    check(v.returncode == 0, name + ": report is schema-valid")
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def double_report(path):
    vals, extra = {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                vals[parts[0]] = int(parts[1])
            elif line.strip() != "end":
                extra.append(line.strip())
    return vals, extra


def with_double(tmp, name, fixture, extra=()):
    rep = os.path.join(tmp, name + ".contract.txt")
    env = {"WINEDLLOVERRIDES": "wevtapi=n;mscoree,mshtml=",
           "OHC_WEVTAPI_FIXTURE": winpath(os.path.join(FIXTURES, fixture)),
           "OHC_WEVTAPI_REPORT": winpath(rep)}
    r = collect(tmp, name, env, extra=extra)
    check(os.path.exists(rep), name + ": the double was loaded and wrote its report")
    vals, extra = double_report(rep) if os.path.exists(rep) else ({}, [])
    check(vals.get("handles_leaked") == 0, name + ": no leaked handle (%s)" % vals)
    check(vals.get("violations") == 0, name + ": no API contract violation: %s" % extra)
    check(vals.get("rejected_queries") == 0, name + ": every XPath accepted by the strict parser")
    return r, vals


def main():
    tmp = tempfile.mkdtemp(prefix="ohc-events.")
    orig = os.path.join(tmp, "wevtapi.dll.orig")
    target = os.path.join(SYSTEM32, "wevtapi.dll")
    try:
        # 1. Wine's own wevtapi: unavailable, cleanly, and the host probe still ran.
        r = collect(tmp, "wine")
        ev = r["probes"]["events"]
        check(ev["status"] == "unavailable", "wine: status unavailable, got %s" % ev["status"])
        check(ev["error"] and "event log API" in ev["error"]["message"], "wine: the reason is given")
        check(r["probes"]["host"]["status"] == "ok", "wine: the host probe still ran")
        f = r["facts"]["events"]
        check(f["source"] == "live", "wine: source live")
        check(all(q["status"] == "unavailable" for q in f["queries"].values()), "wine: every query unavailable")
        check(f["outlook_oab"]["events"] == [] and f["api_error"]["kind"] == "unavailable", "wine: api_error")

        shutil.copyfile(target, orig)
        shutil.copyfile(DOUBLE, target)

        # 2. The field fixture: every Event 27 case decoded, BITS events kept.
        r, vals = with_double(tmp, "field", "field.tsv")
        check(r["probes"]["events"]["status"] == "ok", "field: status ok, got %s" % r["probes"]["events"])
        check(vals.get("insufficient_buffer", 0) > 0, "field: the two-call buffer protocol was exercised")
        check(vals.get("no_more_items") == 2, "field: both queries read to ERROR_NO_MORE_ITEMS")
        f = r["facts"]["events"]
        oab = f["outlook_oab"]
        q = f["queries"]["outlook_oab"]
        check(q["status"] == "ok" and q["returned"] == 5 and not q["capped"], "field: 5 Outlook events %s" % q)
        evs = oab["events"]
        times = [e["time_created"] for e in evs]
        check(times == sorted(times, reverse=True), "field: newest first")
        check(all(e["provider"] == "Outlook" for e in evs), "field: another provider's id 27 is not taken")
        check(all(e["message"] != "too old" for e in evs), "field: events older than the window are not read")
        by_reason = {e["decoded"]["reason_code"]: e for e in evs}
        start = by_reason.get(1)
        check(start and start["decoded"]["kind"] == "start" and start["level_name"] == "Information",
              "field: the start event (reason 1, Information)")
        check(start and start["message"].startswith("Outlook started"), "field: message via EvtFormatMessage")
        r2 = by_reason.get(2)
        check(r2 and r2["decoded"]["kind"] == "failure" and r2["decoded"]["reason_known"]
              and r2["decoded"]["reason_text"] == "A full download was forced manually", "field: reason 2")
        check(r2 and r2["decoded"]["oab_name"] == "\\Global Address List", "field: OAB name from UTF-16")
        check(r2 and r2["decoded"]["hrs"] == [{"hr": 0x80190194, "hr_hex": "0x80190194",
                                               "hr_name": "BG_E_HTTP_ERROR_404"}], "field: 0x80190194 named")
        check(r2 and r2["data"] == ["Result Code 2", "0x80190194"], "field: unnamed EventData strings")
        check(r2 and r2["binary"].startswith("02000000"), "field: binary data as hex")
        r8 = by_reason.get(8)
        check(r8 and r8["decoded"]["reason_known"] and r8["message"] is None,
              "field: reason 8, and no message where the publisher has none")
        r32 = by_reason.get(0x20)
        check(r32 and not r32["decoded"]["reason_known"] and r32["decoded"]["reason_text"] == "unknown",
              "field: unknown reason 0x20 reported raw")
        check(r32 and r32["decoded"]["hrs"][0]["hr_name"] == "MAPI_E_NOT_FOUND", "field: HRESULT from message")
        bad = by_reason.get(None)
        check(bad and bad["decoded"]["malformed"] and bad["binary"] == "0200", "field: truncated binary malformed")
        s = oab["summary"]
        check(s["failure_count"] == 4, "field: 4 failures, got %s" % s["failure_count"])
        check(s["last_failure_time"] == evs[0]["time_created"], "field: last failure time")
        check(s["hrs_hex"] == ["0x80190194", "0x8004010F", "0x80200049"], "field: distinct HRESULTs %s" % s["hrs_hex"])
        check(s["reason_codes"] == [0x20, 8, 2, 1], "field: reasons %s" % s["reason_codes"])
        bits = f["bits_client"]
        check(f["queries"]["bits_client"]["returned"] == 5, "field: 5 BITS events")
        ids = sorted(e["event_id"] for e in bits["events"])
        check(ids == [3, 59, 60, 60, 16398], "field: BITS ids %s" % ids)
        lim = [e for e in bits["events"] if e["event_id"] == 16398]
        check(lim and lim[0]["data"] == {"User": "CONTOSO\\alice", "Limit": "60"}, "field: named EventData")
        # BITS transfers (collector/bits_client_events): the 404 on the OAB, its owner from the job's event 3.
        failed = [t for t in bits["transfers"] if t["hr"] not in (None, 0)]
        check(len(failed) == 1 and failed[0]["hr_hex"] == "0x80190194" and failed[0]["oab"]
              and failed[0]["owner"] == "CONTOSO\\alice", "field: the failed OAB transfer %s" % failed)
        bs = bits["summary"]
        check((bs["failed_transfers"], bs["oab_failures"], bs["job_limit_events"]) == (1, 1, 1),
              "field: BITS summary %s" % bs)
        ok60 = [e for e in bits["events"] if e["event_id"] == 60 and e["data"].get("hr") == "0"]
        check(ok60 and s["last_success_time"] == ok60[0]["time_created"],
              "field: last_success_time is the OAB transfer that ended with 0 (%s)" % s["last_success_time"])

        # 3. 5000 events: paging in EvtNext batches, capped at max_events; a missing channel.
        r, vals = with_double(tmp, "log5000", "log-5000.tsv")
        f = r["facts"]["events"]
        q = f["queries"]["outlook_oab"]
        check(q["returned"] == 200 and q["capped"], "log5000: 200 of 5000, capped: %s" % q)
        check(vals.get("evt_next_calls", 0) >= 13, "log5000: read in batches (%s EvtNext)" % vals.get("evt_next_calls"))
        check(vals.get("opened_event", 0) < 5000, "log5000: the whole log was not read")
        check(f["queries"]["bits_client"]["status"] == "channel_missing", "log5000: missing channel reported")
        check(r["probes"]["events"]["status"] == "partial", "log5000: probe partial")
        check(f["outlook_oab"]["summary"]["failure_count"] == 200, "log5000: failures counted")

        # 4. A disabled channel: said so, and its old events are still read.
        r, vals = with_double(tmp, "disabled", "disabled.tsv")
        f = r["facts"]["events"]
        qb = f["queries"]["bits_client"]
        check(qb["status"] == "channel_disabled" and qb["returned"] == 1, "disabled: %s" % qb)
        check(f["queries"]["outlook_oab"]["status"] == "ok" and f["queries"]["outlook_oab"]["returned"] == 0,
              "disabled: an empty channel is ok")
        check(r["probes"]["events"]["status"] == "partial", "disabled: probe partial")

        # 5. A slow log: EvtNext answers ERROR_TIMEOUT twice per query before the events come; the
        # probe asks again while its budget lasts instead of dropping the query (it did before).
        r, vals = with_double(tmp, "slow", "slow.tsv")
        f = r["facts"]["events"]
        check(vals.get("evt_next_timeouts") == 4, "slow: the double timed out 2 x 2 queries: %s" % vals)
        check(r["probes"]["events"]["status"] == "ok", "slow: status ok, got %s" % r["probes"]["events"])
        check(f["queries"]["outlook_oab"]["status"] == "ok" and f["queries"]["outlook_oab"]["returned"] == 5,
              "slow: the 5 Outlook events read after the timeouts: %s" % f["queries"]["outlook_oab"])

        # 6. A configured query of 32 ids: one XPath of 34 expressions is refused by Windows (and by the
        # double, which counts them); the probe sends a structured QueryList of two Selects instead.
        ids = ",".join(str(i) for i in range(1, 33))
        r, vals = with_double(tmp, "many_ids", "field.tsv",
                              extra=["--event-query", "name=many; channel=Application; provider=Outlook; ids=" + ids])
        q = r["facts"]["events"]["queries"].get("many", {})
        check(q.get("status") == "ok", "many_ids: the 32-id query ran: %s" % q)
        check(q.get("returned") == 5, "many_ids: the five Outlook events (ids 1..32 include 27): %s" % q)
    finally:
        if os.path.exists(orig):
            shutil.copyfile(orig, target)
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        sys.exit("FAIL: %d checks" % len(failures))
    print("events: ok")


main()
