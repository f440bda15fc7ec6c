"""Benchmark: drain 1000 spooled reports to a loopback server, with and without gzip.

    bench/upload_drain.sh            (builds a Release ohc, then runs this)
    OHC_EXE=path/to/ohc /usr/bin/python3 bench/upload_drain.py [N]

Prints reports/s of the drain (one `ohc upload` process, one reused connection)
and the bytes on the wire: request bodies, and bodies plus request headers,
as the server received them. The reports are copies of a real `ohc collect`
report of this machine with fresh ids, so sizes are those of a real report.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("OHC_SOURCE_DIR", os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "tools"))
from uploadlib import Server, make_reports, ohc, spool_reports  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000


def run(tmp, base, gzip):
    tag = "gzip" if gzip else "plain"
    srv = Server(tmp, name="bench-" + tag)
    try:
        reps = make_reports(base, os.path.join(tmp, "in-" + tag), N)
        spool = os.path.join(tmp, "spool-" + tag)
        # spool them (the URL answers nothing, so every report stays in the spool)
        for i in range(0, N, 200):
            ohc("upload", "--spool", spool, "--url", "http://127.0.0.1:9/", "--allow-http", "--attempts", "1",
                "--quiet", *[p for _, p in reps[i:i + 200]])
        assert len(spool_reports(spool)) == N, "could not spool %d reports" % N
        args = ["upload", "--spool", spool, "--url", srv.url, "--allow-http", "--quiet"]
        if not gzip:
            args.append("--no-gzip")
        t0 = time.perf_counter()
        r = ohc(*args)
        dt = time.perf_counter() - t0
        assert r.returncode == 0 and not spool_reports(spool), r.stderr
        ok = [e for e in srv.entries() if e.get("status") == 200]
        assert len(ok) == N, "server got %d" % len(ok)
        body = sum(e["wire"] for e in ok)
        hdr = sum(e["hdr"] for e in ok)
        js = sum(e["json"] for e in ok)
        print("%-6s %5d reports in %6.2f s = %7.1f reports/s | JSON %8.1f KiB | body on the wire %8.1f KiB "
              "(%5.1f%%) | with request headers %8.1f KiB | %.0f B/report" %
              (tag, N, dt, N / dt, js / 1024, body / 1024, 100.0 * body / js, (body + hdr) / 1024,
               (body + hdr) / N))
    finally:
        srv.stop()


def main():
    tmp = tempfile.mkdtemp(prefix="ohc-bench.")
    try:
        base = os.path.join(tmp, "base.json")
        r = ohc("collect", "--out", base)
        assert r.returncode in (0, 1, 2), r.stderr
        print("ohc: %s | report: %d bytes of JSON" % (os.environ["OHC_EXE"], os.path.getsize(base)))
        run(tmp, base, True)
        run(tmp, base, False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
