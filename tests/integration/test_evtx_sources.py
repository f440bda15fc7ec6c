#!/usr/bin/python3
"""`ohc collect --evtx`: where the events came from, and damage, in every format.

The files are made by the test-only writer (tests/tools/evtx_writer.py; held to
libevtx in test_evtx_event27.py) as if exported on PC042 (not this host), then:

1. a whole file: facts.events.file_info names PC042, the time range and the
   event count, local_host is false, and stderr, the text and the HTML warn;
2. a chunk whose records checksum is wrong, and a file cut inside its last
   chunk: each is in facts.events.file_errors (with the damaged places), on
   stderr, the events probe is partial, summary.incomplete names the file and
   the verdict is "incomplete" (exit 3) in JSON, text and HTML; never OK.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import evtx_common as common  # noqa: E402
import evtx_writer  # noqa: E402

CHUNK_AT = 4096  # the first chunk follows the 4 KiB file header


def events():
    evs = []
    for i in range(900):  # more than one 64 KiB chunk
        evs.append({"provider": "MsiInstaller", "event_id": 1040, "qualifiers": 0, "level": 4,
                    "time": "2026-11-20T07:%02d:%02d.000Z" % (i // 60 % 60, i % 60),
                    "computer": "PC042.contoso.com", "strings": ["product %d" % i, "x" * (i % 40)]})
    return evs


def validate(path):
    v = subprocess.run([os.environ.get("PYTHON", "/usr/bin/python3"),
                        os.path.join(os.environ["OHC_SOURCE_DIR"], "tests/tools/validate_report.py"), path],
                       capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr


def collect(tmp, tag, evtx):
    out = os.path.join(tmp, tag)
    p = common.run_ohc(["collect", "--probes", "host,events", "--evtx", evtx, "--out-dir", out])
    assert os.path.exists(os.path.join(out, "report.json")), (p.returncode, p.stderr)
    validate(os.path.join(out, "report.json"))
    with open(os.path.join(out, "report.json")) as f:
        report = json.load(f)
    with open(os.path.join(out, "report.html")) as f:
        html = f.read()
    return p, report, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), html


def main():
    tmp = tempfile.mkdtemp(prefix="ohc-evtx-src.")
    try:
        good = os.path.join(tmp, "pc042.evtx")
        evtx_writer.write(good, events())
        with open(good, "rb") as f:
            data = bytearray(f.read())
        assert len(data) > CHUNK_AT + 65536, "the file should have two chunks"

        # 1. a whole file from another computer
        p, r, text, err, html = collect(tmp, "good", good)
        info = r["facts"]["events"]["file_info"]
        assert len(info) == 1, info
        i = info[0]
        assert [c["name"] for c in i["computers"]] == ["PC042.contoso.com"], i
        assert i["events"] == 900 and i["complete"] is True, i
        assert i["first_event"] == "2026-11-20T07:00:00.000Z" and i["last_event"] == "2026-11-20T07:14:59.000Z", i
        assert i["local_host"] is False, i
        assert r["facts"]["events"]["file_errors"] == [], r["facts"]["events"]["file_errors"]
        assert r["probes"]["events"]["status"] == "ok", r["probes"]["events"]
        assert "PC042.contoso.com" in err and "not this PC" in err, err
        assert "PC042.contoso.com" in text and "not this PC" in text, text
        assert "PC042.contoso.com" in html and "not this PC" in html and '<li class="warn">' in html, "html"
        # nothing is missing here: the events probe read the whole file
        assert not [g for g in r["summary"]["incomplete"] if g["source"] in ("events", "input")], r["summary"]

        # 2a. a chunk whose records checksum does not match
        bad = os.path.join(tmp, "bad-checksum.evtx")
        d = bytearray(data)
        d[CHUNK_AT + 2000] ^= 0xFF
        with open(bad, "wb") as f:
            f.write(d)
        # 2b. a file cut inside its second chunk
        cut = os.path.join(tmp, "truncated.evtx")
        with open(cut, "wb") as f:
            f.write(data[:CHUNK_AT + 65536 + 3000])
        for tag, path in (("checksum", bad), ("truncated", cut)):
            p, r, text, err, html = collect(tmp, tag, path)
            fe = r["facts"]["events"]["file_errors"]
            assert len(fe) == 1 and fe[0]["file"].endswith(os.path.basename(path)), (tag, fe)
            assert fe[0]["error"]["kind"] == "malformed" and fe[0]["damage"], (tag, fe)
            assert "damaged" in fe[0]["error"]["message"], (tag, fe)
            assert r["probes"]["events"]["status"] == "partial", (tag, r["probes"]["events"])
            assert os.path.basename(path) in err and "damaged" in err, (tag, err)
            s = r["summary"]
            assert [g for g in s["incomplete"] if g["source"] == "input" and g["file"].endswith(os.path.basename(path))], \
                (tag, s["incomplete"])
            assert s["verdict"] == "incomplete" and s["exit_code"] == 3 and p.returncode == 3, (tag, s, p.returncode)
            assert "Verdict: INCOMPLETE" in text and "Verdict: OK" not in text, (tag, text)
            assert "damaged" in text and os.path.basename(path) in text, (tag, text)
            assert 'class="verdict v-incomplete"' in html and 'class="verdict v-ok"' not in html, tag
            assert "damaged" in html, tag
        print("evtx sources: ok")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
