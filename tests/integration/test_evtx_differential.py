#!/usr/bin/python3
"""Differential test of the .evtx reader against two independent parsers.

For every file of ../shared/evtx-corpus (read in place), `ohc events` must
yield the same records as Debian's libevtx (evtxexport -f xml): same count,
and record by record the same event id, provider, channel, record id, time
created (to the millisecond) and EventData / UserData values. python-evtx is
the second oracle: it is slow (about 0.2 MB/s), so it runs on a fixed sample
(the BITS client logs and the smallest files) and on every file where ohc and
libevtx disagree, to tell which side is wrong. Values are compared after
normalising the references' XML renderings (hex vs decimal integers, time
precision, GUID case...), never by weakening what ohc prints.

Under Wine (OHC_PLATFORM=windows) each ohc.exe start costs about a second, so
only the sample is compared there; the decoder is the same portable C.
"""
import concurrent.futures
import datetime
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
import harness  # noqa: E402,F401  (a failure says file, line, the commands run, Wine's messages)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__))))
import evtx_common as common  # noqa: E402

CORPUS = os.path.join(os.environ.get("OHC_SHARED_DIR", "../shared"), "evtx-corpus")
NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
BITS_FILES = [
    "a__Command_and_Control__bits_openvpn.evtx",
    "a__Execution__windows_bits_4_59_60_lolbas_desktopimgdownldr.evtx",
    "a__Persistence__persist_bitsadmin_Microsoft-Windows-Bits-Client-Operational.evtx",
]


def local(tag):
    return tag.split("}", 1)[-1]


def norm_value(v):
    """A canonical text for a rendered value: ints, times, GUIDs, floats."""
    if v is None:
        return ""
    v = v.replace("\r\n", "\n").replace("\r", "\n").strip()  # XML end-of-line normalisation
    if re.fullmatch(r"-?\d+", v):
        return str(int(v))
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", v):
        return str(int(v, 16))
    if v.lower() in ("true", "false"):
        return v.lower()
    if time_ms(v) is not None:  # python-evtx goes through a float: compare to the ms, rounded
        m = re.fullmatch(r"(.*?)(?:\.(\d+))?Z?", v.replace(" ", "T"))
        frac = float("0." + (m.group(2) or "0"))
        return "%s+%dms" % (m.group(1), round(frac * 1000))
    if re.fullmatch(r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?", v):
        return v.strip("{}").upper()
    if re.fullmatch(r"-?\d+\.\d*(e[-+]?\d+)?", v, re.I):
        return "%.6g" % float(v)
    return v


def time_ms(text):
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z?", text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    ms = int((m.group(7) or "0")[:3].ljust(3, "0"))
    t = datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 1000 + ms


def event_from_xml(elem):
    """The compared fields of one <Event> element of a reference."""
    sysel = elem.find(NS + "System")
    if sysel is None:
        return None

    def text(name):
        e = sysel.find(NS + name)
        return None if e is None else (e.text or "")

    prov = sysel.find(NS + "Provider")
    tc = sysel.find(NS + "TimeCreated")
    ev = {
        "event_id": int(text("EventID") or 0),
        "provider": prov.get("Name", "") if prov is not None else "",
        "channel": text("Channel") or "",
        "record_id": int(text("EventRecordID") or 0),
        "time_ms": time_ms(tc.get("SystemTime", "")) if tc is not None else None,
    }
    data = []
    ed = elem.find(NS + "EventData")
    if ed is not None:
        for d in ed:
            if local(d.tag) == "Data":
                data.append((d.get("Name"), norm_value("".join(d.itertext()))))
    ud = elem.find(NS + "UserData")
    if ud is not None:
        for root in ud:
            for leaf in root.iter():
                if leaf is root or len(leaf):
                    continue
                data.append((local(leaf.tag), norm_value(leaf.text)))
    ev["data"] = data
    return ev


class Pairs(list):
    """A JSON object kept as its (name, value) pairs: EventData names may repeat."""

    def __getitem__(self, key):
        if isinstance(key, str):
            return next(v for k, v in self if k == key)
        return list.__getitem__(self, key)


def event_from_ohc(o):
    data = o["data"]
    if data and isinstance(data[0], tuple):  # object, kept as pairs
        # a name that repeats holds its values as a list, in document order
        items = [(k, norm_value(x)) for k, v in data for x in (v if isinstance(v, list) else [v])]
    else:
        items = [(None, norm_value(v)) for v in data]
    return {
        "event_id": o["event_id"],
        "provider": o["provider"],
        "channel": o["channel"],
        "record_id": o["record_id"],
        "time_ms": time_ms(o["time_created"]),
        "data": items,
    }


def data_equal(ours, ref):
    """None when equal, else the first difference."""
    if len(ours) != len(ref):
        return "%d values vs %d: %r vs %r" % (len(ours), len(ref), ours[:6], ref[:6])
    for (on, ov), (rn, rv) in zip(ours, ref):
        if (on or None) != (rn or None) or ov != rv:
            return "%r=%r vs %r=%r" % (on, ov[:200], rn, rv[:200])
    return None


def parse_xml_stream(text):
    events, bad = [], 0
    for m in re.finditer(r"<Event xmlns.*?</Event>", text, re.S):
        try:
            events.append(event_from_xml(ET.fromstring(m.group(0))))
        except ET.ParseError:
            bad += 1
            events.append(None)
    return events, bad


def run_evtxexport(path):
    p = subprocess.run(["evtxexport", "-f", "xml", path], capture_output=True, timeout=120)
    return parse_xml_stream(p.stdout.decode("utf-8", "replace"))


def run_python_evtx(path):
    code = ("import sys, Evtx.Evtx as E\n"
            "with E.Evtx(sys.argv[1]) as log:\n"
            "    for r in log.records():\n"
            "        try: sys.stdout.write(r.xml() + '\\n')\n"
            "        except Exception as e: sys.stdout.write('<Broken/>\\n')\n")
    p = subprocess.run(["/usr/bin/python3", "-c", code, path], capture_output=True, timeout=600)
    if p.returncode != 0:
        return None, p.stderr.decode("utf-8", "replace")[-300:]
    return parse_xml_stream(p.stdout.decode("utf-8", "replace")), None


def run_ohc(path):
    p = common.run_ohc(["events", path], timeout=120)
    evs = [event_from_ohc(json.loads(line, object_pairs_hook=Pairs)) for line in p.stdout.decode("utf-8").splitlines() if line.strip()]
    return p.returncode, evs, p.stderr.decode("utf-8", "replace")


def compare(ours, ref):
    """First difference between two event lists, or None."""
    if len(ours) != len(ref):
        return "count %d vs %d" % (len(ours), len(ref))
    for i, (a, b) in enumerate(zip(ours, ref)):
        if b is None:
            continue  # the reference could not render this record: count only
        for k in ("event_id", "provider", "channel", "record_id", "time_ms"):
            if a[k] != b[k]:
                return "record %d (id %s): %s %r vs %r" % (i, b["record_id"], k, a[k], b[k])
        d = data_equal(a["data"], b["data"])
        if d is not None:
            return "record %d (id %s): data %s" % (i, b["record_id"], d)
    return None


def check_file(name):
    path = os.path.join(CORPUS, name)
    rc, ours, err = run_ohc(path)
    if rc != 0:
        return name, "ohc exit %d: %s" % (rc, err[-300:]), None
    ref, bad = run_evtxexport(path)
    diff = compare(ours, ref)
    return name, diff, (len(ours), len(ref), bad)


def main():
    if not os.path.isdir(CORPUS):
        print("corpus missing: %s" % CORPUS)
        return 1
    for tool in ("evtxexport",):
        if subprocess.run(["sh", "-c", "command -v " + tool], capture_output=True).returncode != 0:
            print("%s missing (scripts/bootstrap installs libevtx-utils)" % tool)
            return 1
    files = sorted(f for f in os.listdir(CORPUS) if f.endswith(".evtx"))
    by_size = sorted(files, key=lambda f: os.path.getsize(os.path.join(CORPUS, f)))
    # python-evtx needs ~10 s per MB here: the two small BITS logs and the smallest files.
    sample = [f for f in BITS_FILES if os.path.getsize(os.path.join(CORPUS, f)) < 256 * 1024]
    sample += [f for f in by_size[:5] if f not in sample]
    windows = os.environ.get("OHC_PLATFORM") == "windows"
    todo = sample if windows else files

    failures, disputed, total = [], [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=1 if windows else 2) as ex:
        for name, diff, counts in ex.map(check_file, todo):
            if counts:
                total += counts[0]
            if diff is not None:
                disputed.append((name, diff))

    # python-evtx: on the sample always, and as the judge where libevtx and ohc differ.
    judged, pyres = {}, {}
    for name in sorted(set(sample) | {n for n, _ in disputed}):
        path = os.path.join(CORPUS, name)
        res, perr = run_python_evtx(path)
        pyres[name] = res
        rc, ours, err = run_ohc(path)
        if res is None:
            judged[name] = "python-evtx failed: " + perr.strip().splitlines()[-1] if perr.strip() else "failed"
            continue
        pref, pbad = res
        judged[name] = compare(ours, pref)
        if name in sample and judged[name] is not None and name not in dict(disputed):
            failures.append((name, "python-evtx: " + judged[name]))

    for name, diff in disputed:
        pj = judged.get(name)
        # Both references agree with each other (same count) but not with ohc: ohc is wrong.
        ref, _ = run_evtxexport(os.path.join(CORPUS, name))
        res = pyres.get(name)
        refs_agree = res is not None and len(res[0]) == len(ref)
        if pj is None:
            print("note: %s: libevtx differs (%s) but python-evtx agrees with ohc" % (name, diff))
        elif refs_agree:
            failures.append((name, "libevtx: %s; python-evtx: %s" % (diff, pj)))
        else:
            print("note: %s: references disagree with each other; libevtx: %s; python-evtx: %s" % (name, diff, pj))

    print("compared %d files, %d records from ohc; %d disputed, %d failures" %
          (len(todo), total, len(disputed), len(failures)))
    for name, why in failures:
        print("FAIL %s: %s" % (name, why))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
