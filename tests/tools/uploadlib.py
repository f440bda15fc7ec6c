"""Shared helpers of the upload tests and the benchmark: start the recording
server, run ohc(.exe), make reports with fresh ids."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import harness  # noqa: F401  (failures say file, line, the commands run)

PLATFORM = os.environ.get("OHC_PLATFORM", "native")
EXE = os.environ.get("OHC_EXE")
SRC = os.environ.get("OHC_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PY = os.environ.get("PYTHON", "/usr/bin/python3")
SERVER = os.path.join(SRC, "tests", "tools", "upload_server.py")


fail = harness.fail


def winpath(p):
    return "Z:" + p.replace("/", "\\") if PLATFORM == "windows" else p


def ohc_cmd(*args):
    cmd = [os.environ["OHC_WINE_RUN"], EXE] if PLATFORM == "windows" else [EXE]
    return cmd + list(args)


def ohc(*args, env=None, timeout=300):
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run(ohc_cmd(*args), capture_output=True, text=True, timeout=timeout, env=e)


class Server:
    """The recording server (tests/tools/upload_server.py) on a free loopback port."""

    def __init__(self, tmp, mode="ok", tls=None, name="server"):
        self.record = os.path.join(tmp, name + ".jsonl")
        portfile = os.path.join(tmp, name + ".port")
        cmd = [PY, SERVER, "--record", self.record, "--mode", mode, "--port-file", portfile]
        if tls:
            cmd += ["--tls", tls[0], tls[1]]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)

        def ready():
            if self.proc.poll() is not None:
                fail("the upload server exited (%d) before writing its port" % self.proc.returncode)
            return os.path.exists(portfile)
        harness.wait_for(60, "the upload server to write its port to " + portfile, ready)
        with open(portfile) as f:
            self.port = int(f.read())
        self.url = "%s://127.0.0.1:%d/reports" % ("https" if tls else "http", self.port)

    def mode(self, m):
        import urllib.request
        # generous: a loaded machine may starve the server for seconds
        urllib.request.urlopen("http://127.0.0.1:%d/_mode/%s" % (self.port, m), timeout=60).read()

    def entries(self):
        if not os.path.exists(self.record):
            return []
        with open(self.record) as f:
            return [json.loads(l) for l in f if l.strip()]

    def delivered(self):
        return {e["id"] for e in self.entries() if e.get("status") == 200}

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def make_reports(base_json, folder, n):
    """n copies of a real report with fresh report ids; returns [(id, path)]."""
    with open(base_json) as f:
        base = json.load(f)
    out = []
    os.makedirs(folder, exist_ok=True)
    for _ in range(n):
        rid = str(uuid.uuid4())
        base["report_id"] = rid
        p = os.path.join(folder, rid + ".json")
        with open(p, "w") as f:
            json.dump(base, f, indent=1)
        out.append((rid, p))
    return out


def spool_reports(spool):
    """Report ids in the spool (top level only)."""
    if not os.path.isdir(spool):
        return set()
    return {n[14:50] for n in os.listdir(spool) if n.endswith(".json") and len(n) == 55}
