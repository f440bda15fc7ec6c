#!/usr/bin/python3
"""The .evtx reader reads every record whose own bytes are sound, on files
written by the test writer (tests/tools/evtx_writer.py) in the shapes and
damage that real logs have (issue 16):

1. Shapes: EventData names that repeat (a JSON list), a processing
   instruction, a NULL-typed value token, value tokens inside attributes,
   and UserData held as binary XML inside a substitution value whose
   fragment has an element of its own and a template instance of its own
   (CAPI2's form). libevtx reads the first two and must agree; it cannot
   read the others (Debian's 20181227 stops at the NULL value and reads a
   BinXml value's elements with a dependency identifier they do not have),
   so those are checked against what was written.
2. A log written without checksums (flags 4, zeros): every record, as
   libevtx reads them, and a note on stderr (before: nothing at all).
3. A chunk whose signature is broken: its records found by scanning
   (libevtx loses the chunk), damage reported.
4. A record with a garbled size, and one with its signature zeroed, between
   sound ones: only that record lost, damage reported (before: the rest of
   the chunk, and for zeros silently).
5. A file of 20 chunks (more than one batch of chunks decoded in parallel):
   records in file order and identical to libevtx's.
6. `collect --evtx` on two files opens each file once (strace, natively),
   finds the BITS transfers of a real log, and describes both files
   (facts.events.file_info) from that same pass.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import evtx_common as common  # noqa: E402
import evtx_writer  # noqa: E402

NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
CORPUS = os.path.join(os.environ.get("OHC_SHARED_DIR", "../shared"), "evtx-corpus")
BITS_LOG = os.path.join(CORPUS, "a__Command_and_Control__bits_openvpn.evtx")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def classic(n, provider="Application Error", start_id=1000):
    return [{"provider": provider, "event_id": start_id + i % 7, "qualifiers": 0, "level": 2 + i % 3,
             "time": "2026-11-24T%02d:%02d:%02d.%03dZ" % (i // 3600 % 24, i // 60 % 60, i % 60, i % 1000),
             "channel": "Application", "computer": "PC%d" % (i % 5),
             "strings": ["event %d" % i, "x" * (i % 50)]} for i in range(n)]


def ohc_events(path, *args):
    p = common.run_ohc(["events", path] + list(args))
    check(p.returncode == 0, "%s: ohc events %s exit %d: %s" % (os.path.basename(path), " ".join(args),
                                                                p.returncode, p.stderr.decode()[-300:]))
    out = p.stdout.decode("utf-8")
    recs = [json.loads(line) for line in out.splitlines() if line.strip()] if "xml" not in args else out
    return recs, p.stderr.decode("utf-8", "replace")


def libevtx(path):
    out = subprocess.run(["evtxexport", "-f", "xml", path], capture_output=True, timeout=120).stdout.decode()
    recs = []
    for m in re.finditer(r"<Event xmlns.*?</Event>", out, re.S):
        e = ET.fromstring(m.group(0))
        s = e.find(NS + "System")
        ed = e.find(NS + "EventData")
        recs.append({"record_id": int(s.find(NS + "EventRecordID").text),
                     "event_id": int(s.find(NS + "EventID").text),
                     "provider": s.find(NS + "Provider").get("Name"),
                     "computer": s.find(NS + "Computer").text,
                     "values": [(d.get("Name"), d.text or "") for d in ed.findall(NS + "Data")]
                     if ed is not None else []})
    return recs


def ours_as_libevtx(o):
    d = o["data"]
    if isinstance(d, dict):
        vals = [(k, x) for k, v in d.items() for x in (v if isinstance(v, list) else [v])]
    else:
        vals = [(None, v) for v in d]
    return {"record_id": o["record_id"], "event_id": o["event_id"], "provider": o["provider"],
            "computer": o["computer"], "values": vals}


def same_as_libevtx(name, ours, path, ordered_names=True):
    ref = libevtx(path)
    mine = [ours_as_libevtx(o) for o in ours]
    if not ordered_names:  # a JSON object groups a repeated name: compare as multisets
        ref = [dict(r, values=sorted(r["values"], key=str)) for r in ref]
        mine = [dict(r, values=sorted(r["values"], key=str)) for r in mine]
    check(len(ref) == len(mine), "%s: %d records, libevtx %d" % (name, len(mine), len(ref)))
    for a, b in zip(mine, ref):
        if a != b:
            check(False, "%s: record %d differs from libevtx: %r vs %r" % (name, b["record_id"], a, b))
            break
    return ref


def test_shapes(tmp):
    base = {"provider": "Microsoft-Windows-CAPI2", "event_id": 11, "level": 4, "time": "2026-11-24T08:00:00Z",
            "channel": "Microsoft-Windows-CAPI2/Operational", "computer": "PC1"}
    sound = [dict(base, strings=["GET /crl HTTP/1.1", "http://crl.example/a.crl", "Accept: */*"],
                  data_names=["Header", "Url", "Header"]),
             dict(base, strings=["a"], pi=["xml-stylesheet", 'href="s.xsl"'])]
    path = os.path.join(tmp, "shapes-libevtx.evtx")
    evtx_writer.write(path, sound)
    ours, err = ohc_events(path)
    same_as_libevtx("shapes", ours, path, ordered_names=False)
    if ours:
        check(ours[0]["data"] == {"Header": ["GET /crl HTTP/1.1", "Accept: */*"],
                                  "Url": "http://crl.example/a.crl"},
              "a repeated EventData name is a list: %r" % ours[0]["data"])
    xml, _ = ohc_events(path, "--format", "xml")
    check('<EventData><?xml-stylesheet href="s.xsl"?><Data>a</Data></EventData>' in xml,
          "the processing instruction is rendered: %r" % xml[-400:])
    check('<Data Name="Header">GET /crl HTTP/1.1</Data><Data Name="Url">' in xml,
          "attribute value tokens rendered: %r" % xml[:600])

    more = [dict(base, strings=["b"], null_data=True),
            dict(base, strings=["c"], userdata={"element": "CertInfo", "kind": "chain", "items": ["s1", "s2"]}),
            dict(base, strings=["d"], userdata={"element": "CertInfo", "kind": "leaf", "items": ["s3"]})]
    path = os.path.join(tmp, "shapes.evtx")
    evtx_writer.write(path, sound + more)
    ours, err = ohc_events(path)
    check(len(ours) == 5 and "damage" not in err and err.strip() == "",
          "shapes: 5 records, no damage: %d, %r" % (len(ours), err[-300:]))
    if len(ours) == 5:
        check(ours[2]["data"] == ["b", ""], "a NULL value token is an empty value: %r" % ours[2]["data"])
        check(ours[3]["data"] == {"Item": ["s1", "s2"]}, "BinXml UserData values: %r" % ours[3]["data"])
        check(ours[4]["data"] == {"Item": "s3"}, "BinXml UserData value: %r" % ours[4]["data"])
    xml, _ = ohc_events(path, "--format", "xml")
    check('<UserData><Wrap Kind="chain"><CertInfo><Item>s1</Item><Item>s2</Item></CertInfo></Wrap></UserData>'
          in xml, "BinXml in a substitution value, with a template of its own, rendered: %r" % xml[-900:])
    check("<EventData><Data>b</Data><Data></Data></EventData>" in xml, "NULL value token rendered empty")
    ours, _ = ohc_events(path, "--provider", "Microsoft-Windows-CAPI2", "--id", "11")
    check(len(ours) == 5, "the filter keeps the nested shapes: %d" % len(ours))


def test_no_checksums(tmp):
    path = os.path.join(tmp, "no-crc.evtx")
    evtx_writer.write(path, classic(40), damage={"no_checksums": True})
    ours, err = ohc_events(path, "--stats")
    same_as_libevtx("no checksums", ours, path)
    check(len(ours) == 40, "a log written without checksums is read: %d of 40" % len(ours))
    check("without checksums" in err and "damaged 0" in err,
          "no checksums is a note, not damage: %r" % err[-400:])


def test_bad_chunk_magic(tmp):
    path = os.path.join(tmp, "bad-magic.evtx")
    evs = classic(600)
    evtx_writer.write(path, evs, damage={"chunk_magic": [1]})
    ours, err = ohc_events(path)
    ids = [o["record_id"] for o in ours]
    check(ids == list(range(1, 601)), "a chunk with a broken signature is scanned: %d of 600 records, in order"
          % len(ids))
    check("chunk 1 at offset 69632: chunk signature missing: scanning it for records" in err,
          "the broken signature is reported: %r" % err[-300:])
    ref = libevtx(path)
    check(len(ref) < 600, "libevtx loses the chunk (so this case shows something): %d" % len(ref))


def test_damaged_records(tmp):
    for key, why in (("record_size", "record size invalid: skipped to the next sound record"),
                     ("record_magic", "record signature missing: skipped to the next sound record")):
        path = os.path.join(tmp, key + ".evtx")
        evtx_writer.write(path, classic(40), damage={key: [5]})
        ours, err = ohc_events(path)
        ids = [o["record_id"] for o in ours]
        check(ids == [i for i in range(1, 41) if i != 5], "%s: every record but 5: %r" % (key, ids))
        check(why in err and "chunk records checksum mismatch" in err, "%s: damage reported: %r" % (key, err))


def test_many_chunks(tmp):
    path = os.path.join(tmp, "many.evtx")
    evtx_writer.write(path, classic(5000))
    size = os.path.getsize(path)
    check(size > 4096 + 17 * 65536, "more than one batch of chunks: %d bytes" % size)
    ours, err = ohc_events(path)
    check([o["record_id"] for o in ours] == list(range(1, 5001)), "records in file order")
    same_as_libevtx("many chunks", ours, path)
    ours, _ = ohc_events(path, "--id", "1003")
    check([o["record_id"] for o in ours] == list(range(4, 5001, 7)), "filtered, in order")


def test_collect_opens_once(tmp):
    other = os.path.join(tmp, "app.evtx")
    evtx_writer.write(other, classic(20))
    args = ["collect", "--probes", "events", "--evtx", BITS_LOG, "--evtx", other]
    if common.is_windows():
        p = common.run_ohc(args)
        opens = None
    else:
        trace = os.path.join(tmp, "strace.txt")
        if shutil.which("strace") is None:
            check(False, "strace missing (scripts/bootstrap installs it)")
            return
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")  # LeakSanitizer cannot run under ptrace
        p = subprocess.run(["strace", "-f", "-e", "trace=open,openat", "-o", trace, os.environ["OHC_EXE"]] + args,
                           capture_output=True, timeout=120, env=env)
        text = open(trace).read()
        opens = {f: len(re.findall(r'open(?:at)?\(.*"%s"' % re.escape(f), text)) for f in (BITS_LOG, other)}
    if opens is not None:
        check(opens == {BITS_LOG: 1, other: 1}, "each file opened once: %r" % opens)
    try:
        report = json.loads(p.stdout)
        ev = report["facts"]["events"]
    except (ValueError, KeyError) as e:
        check(False, "no events facts (exit %d): %s %s" % (p.returncode, e, p.stderr.decode()[-300:]))
        return
    # --probes events leaves the other probes out: the verdict is incomplete
    # (exit 3) for them only, never for the events probe
    gaps = report["summary"].get("incomplete", [])
    check(p.returncode in (0, 1, 2) or (p.returncode == 3 and gaps), "collect --evtx exit %d: %s" %
          (p.returncode, p.stderr.decode()[-300:]))
    check(all(g["status"] == "not collected" and g["source"] != "events" for g in gaps),
          "only probes left out make the verdict incomplete: %r" % gaps)
    check(report["probes"]["events"]["status"] == "ok", "events probe ok: %r" % report["probes"]["events"])
    # by base name: under Wine the report names them as Windows paths (Z:\...)
    infos = {re.split(r"[\\/]", i["file"])[-1]: i for i in ev["file_info"]}
    mine, real = infos.get(os.path.basename(other), {}), infos.get(os.path.basename(BITS_LOG), {})
    check(mine.get("events") == 20 and mine.get("complete"), "file_info of the written log: %r" % mine)
    check(real.get("complete") and real.get("events", 0) > 0, "file_info of the real log: %r" % real)
    check(ev["file_errors"] == [], "no file errors: %r" % ev["file_errors"])
    q = ev["queries"]
    check(q["bits_client"]["status"] == "ok" and q["bits_client"]["returned"] > 0,
          "bits_client read from the real log: %r" % q["bits_client"])
    check(q["outlook_oab"]["status"] == "ok" and q["outlook_oab"]["returned"] == 0,
          "outlook_oab: ok, none: %r" % q["outlook_oab"])


def main():
    if shutil.which("evtxexport") is None:
        print("evtxexport missing (scripts/bootstrap installs libevtx-utils)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        test_shapes(tmp)
        test_no_checksums(tmp)
        test_bad_chunk_magic(tmp)
        test_damaged_records(tmp)
        test_many_chunks(tmp)
        test_collect_opens_once(tmp)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
