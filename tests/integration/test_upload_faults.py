"""Nothing is lost: the fault run and the kill -9 run (real ohc, real server).

Fault run: 200 reports through a server that fails a third of the requests at
random (500, 503, connection reset). Drains are repeated as the service would
on its schedule; afterwards every report id was received at least once and
the spool is empty.

Kill run: 200 reports are spooled and drained by an `ohc upload` that is
killed with SIGKILL mid-way, twice: once while it is still writing reports
into the spool, once while uploading. After each kill every report is either
delivered or whole in the spool (every *.json there parses and carries its
id); a last drain delivers the rest; duplicates are allowed (the
Idempotency-Key lets the server drop them), losses are not.

Natively only: the same code runs under Wine (test_upload covers ohc.exe),
and 200 Wine process starts would cost minutes of CI for no new coverage.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
from uploadlib import PLATFORM, Server, fail, make_reports, ohc, ohc_cmd, spool_reports  # noqa: E402

N = 200


def drain_until_empty(spool, url, runs=6):
    for _ in range(runs):
        r = ohc("upload", "--spool", spool, "--url", url, "--allow-http", "--attempts", "4",
                "--retry-base-ms", "5", "--timeout", "5", "--quiet")
        if r.returncode == 0 and not spool_reports(spool):
            return
        if r.returncode not in (0, 1):
            fail("drain: exit %d: %s" % (r.returncode, r.stderr))
    fail("spool still holds %d reports after %d drains" % (len(spool_reports(spool)), runs))


def check_spool_whole(spool):
    for n in os.listdir(spool):
        if n.endswith(".json"):
            with open(os.path.join(spool, n)) as f:
                try:
                    rid = json.load(f)["report_id"]
                except Exception as e:
                    fail("a spool file is not whole after kill -9: %s: %s" % (n, e))
            if rid != n[14:50]:
                fail("spool file %s holds report %s" % (n, rid))


def main():
    if PLATFORM != "native":
        print("fault and kill runs are native only (see the docstring)")
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="ohc-faults.")
    srv = None
    try:
        base = os.path.join(tmp, "base.json")
        r = ohc("collect", "--probes", "host", "--out", base)
        if r.returncode not in (0, 1, 2, 3) or not os.path.exists(base):  # 3: incomplete, a report still
            fail("collect: %s" % r.stderr)

        # Fault run.
        srv = Server(tmp, mode="third")
        reps = make_reports(base, os.path.join(tmp, "fault-in"), N)
        spool = os.path.join(tmp, "spool-fault")
        t0 = time.time()
        r = ohc("upload", "--spool", spool, "--url", srv.url, "--allow-http", "--attempts", "4",
                "--retry-base-ms", "5", "--quiet", *[p for _, p in reps])
        if r.returncode not in (0, 1):
            fail("fault run: exit %d: %s" % (r.returncode, r.stderr))
        drain_until_empty(spool, srv.url)
        missing = {rid for rid, _ in reps} - srv.delivered()
        if missing:
            fail("fault run lost %d reports: %s" % (len(missing), sorted(missing)[:5]))
        failures = sum(1 for e in srv.entries() if e.get("status") != 200)
        print("fault run: %d reports, %d requests, %d failed on purpose, %.1f s" %
              (N, len(srv.entries()), failures, time.time() - t0))
        if failures < N // 6:
            fail("the server failed too few requests (%d) for this run to mean anything" % failures)
        srv.stop()

        # Kill run 1: SIGKILL while reports are being written into the spool.
        srv = Server(tmp, mode="delay", name="kill")
        reps = make_reports(base, os.path.join(tmp, "kill-in"), N)
        spool = os.path.join(tmp, "spool-kill")
        p = subprocess.Popen(ohc_cmd("upload", "--spool", spool, "--url", srv.url, "--allow-http", "--quiet",
                                     *[p for _, p in reps]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # kill once some, not all, reports are in the spool
        deadline = time.time() + 20
        while time.time() < deadline and len(spool_reports(spool)) < 20:
            time.sleep(0.005)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        check_spool_whole(spool)
        spooled = spool_reports(spool)
        print("kill while spooling: %d of %d in the spool, %d delivered" % (len(spooled), N, len(srv.delivered())))
        # the reports not yet spooled are still the caller's files: spool the rest and drain
        r = ohc("upload", "--spool", spool, "--url", srv.url, "--allow-http", "--quiet",
                *[p for rid, p in reps if rid not in spooled and rid not in srv.delivered()])

        # Kill run 2: SIGKILL in the middle of the uploads.
        reps2 = make_reports(base, os.path.join(tmp, "kill2-in"), N)
        spool2 = os.path.join(tmp, "spool-kill2")
        for i in range(0, N, 50):
            r = ohc("upload", "--spool", spool2, "--url", "http://127.0.0.1:9/", "--allow-http", "--attempts",
                    "1", "--quiet", *[p for _, p in reps2[i:i + 50]])
        if len(spool_reports(spool2)) != N:
            fail("could not spool %d reports (%d)" % (N, len(spool_reports(spool2))))
        p = subprocess.Popen(ohc_cmd("upload", "--spool", spool2, "--url", srv.url, "--allow-http", "--quiet"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        before = len(srv.delivered())
        deadline = time.time() + 20
        while time.time() < deadline and len(srv.delivered()) - before < N // 3:
            time.sleep(0.01)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        check_spool_whole(spool2)
        left = spool_reports(spool2)
        got = srv.delivered()
        lost = {rid for rid, _ in reps2} - left - got
        if lost:
            fail("kill -9 during upload lost %d reports" % len(lost))
        print("kill while uploading: %d delivered, %d still spooled" % (len(got & {r for r, _ in reps2}), len(left)))
        drain_until_empty(spool, srv.url)
        drain_until_empty(spool2, srv.url)
        missing = {rid for rid, _ in reps + reps2} - srv.delivered()
        if missing:
            fail("after the kills %d reports never arrived" % len(missing))
        dups = sum(1 for e in srv.entries() if e.get("dup"))
        print("kill runs: all %d reports delivered, %d duplicate deliveries (dropped by Idempotency-Key)" %
              (2 * N, dups))
    finally:
        if srv is not None:
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


main()
