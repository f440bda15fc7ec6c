"""UploadFormat otlp and splunk-hec: the real ohc (native) or ohc.exe (under Wine) against a
loopback receiver (tests/tools/fleet_receiver.py), with the spool's guarantees.

Proves, for each format: every finding of every report arrives (one OTLP LogRecord / HEC
envelope each, plus one for the report), gzip-compressed, at the format's path; the OTLP
bodies decode with the official OpenTelemetry protocol definitions (tests/tools/otlp_check.js
with the code @opentelemetry/otlp-transformer 0.52.1 generated from opentelemetry-proto,
installed from npm into ~/.cache/ohc/npm-otlp: nothing of it is committed), unknown fields
failing; the HEC envelopes follow Splunk's documented event format (time, host, source,
sourcetype, index, event, fields with string values) and batches keep within UploadBatchKB;
Authorization is Bearer <token> (OTLP) or Splunk <token> (HEC) and UploadHeaders arrive,
while neither the token nor a header value is in any output or log; a report spooled while
UploadFormat was report is sent in the format set when it is sent; 429 (OTLP) and 503 (HEC)
with Retry-After: 1 are waited for and retried; OTLP 400, 413 and 500 are not retried and the
report goes to spool/rejected with the answer and the format (never lost silently); a fault
run (every third request failing: 429, 502, 503, a reset connection) loses nothing. Natively also a
kill -9 in the middle of the sends: every report afterwards either delivered or whole in the
spool, and all of them arrive after a last drain (duplicates allowed, losses not; under Wine
the kill is not run, as in test_upload_faults: the same code, and minutes of Wine starts).
"""
import fcntl
import glob
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
import harness  # noqa: E402  (a failure says file, line, the commands run, Wine's messages)
from fleet_receiver import hec_envelopes  # noqa: E402
from uploadlib import PLATFORM, PY, SRC, fail, ohc, ohc_cmd, spool_reports, winpath  # noqa: E402

TOKEN = "fleet-s3cr3t-token-42"
HEADER_VALUE = "tenant-secret-77"
RECEIVER = os.path.join(SRC, "tests", "tools", "fleet_receiver.py")
OTLP_CHECK = os.path.join(SRC, "tests", "tools", "otlp_check.js")
NPM_DIR = os.path.expanduser("~/.cache/ohc/npm-otlp")
ROOT_JS = os.path.join(NPM_DIR, "node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js")
HEC_KEYS = {"time", "host", "source", "sourcetype", "index", "event", "fields"}


def check(cond, msg):
    if not cond:
        fail(msg)


def otlp_definitions():
    """The generated OTLP code from npm, installed once into the cache outside the repository."""
    os.makedirs(NPM_DIR, exist_ok=True)
    with open(os.path.join(NPM_DIR, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the native and the Windows runs may install at the same time
        if os.path.exists(ROOT_JS):
            return ROOT_JS
        # Node trusts only its own CA list; the machine's (Debian's ca-certificates, with a site's
        # TLS-inspecting proxy CA where there is one) is added, as curl and apt use it.
        env = dict(os.environ)
        system_cas = "/etc/ssl/certs/ca-certificates.crt"
        if "NODE_EXTRA_CA_CERTS" not in env and os.path.exists(system_cas):
            env["NODE_EXTRA_CA_CERTS"] = system_cas
        r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", NPM_DIR,
                            "@opentelemetry/otlp-transformer@0.52.1"], capture_output=True, text=True, timeout=600,
                           env=env)
        check(r.returncode == 0 and os.path.exists(ROOT_JS),
              "npm could not install @opentelemetry/otlp-transformer@0.52.1 (the OTLP oracle): %s" % r.stderr[-2000:])
    return ROOT_JS


class Receiver:
    def __init__(self, tmp, name, mode="ok"):
        self.dir = os.path.join(tmp, "receiver-" + name)
        os.makedirs(self.dir)
        self.record = os.path.join(self.dir, "record.jsonl")
        self.bodies = os.path.join(self.dir, "bodies")
        portfile = os.path.join(self.dir, "port")
        self.proc = subprocess.Popen([PY, RECEIVER, "--record", self.record, "--bodies", self.bodies, "--mode", mode,
                                      "--port-file", portfile], stdout=subprocess.DEVNULL)

        def ready():
            check(self.proc.poll() is None, "the receiver exited (%s)" % self.proc.returncode)
            return os.path.exists(portfile)
        harness.wait_for(60, "the receiver's port file", ready)
        with open(portfile) as f:
            self.port = int(f.read())
        self.url = "http://127.0.0.1:%d" % self.port  # no path: ohc adds the format's

    def entries(self):
        if not os.path.exists(self.record):
            return []
        with open(self.record) as f:
            return [json.loads(line) for line in f if line.strip()]

    def body(self, e):
        with open(os.path.join(self.bodies, "%d.json" % e["n"])) as f:
            return f.read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def template(tmp):
    """A report with real findings: a real `collect --probes host` report carrying the findings the
    real rules give for a few rule fixtures, and the older report fixture's (evidence as a list).
    Returns it and its findings' rule ids."""
    base = os.path.join(tmp, "base.json")
    r = ohc("collect", "--probes", "host", "--out", winpath(base))
    check(r.returncode in (0, 1, 2, 3) and os.path.exists(base), "collect: %s" % r.stderr)
    with open(base) as f:
        report = json.load(f)
    findings = list(report.get("findings", []))
    fx = os.path.join(SRC, "tests", "fixtures")
    for rel in ("rules/PROXY-WINHTTP-UNREACHABLE/positive-user-proxy.json", "rules/OAB-NAME-GUID-MISMATCH/positive.json",
                "rules/OAB-HTTP-404/positive.json"):
        r = ohc("evaluate", winpath(os.path.join(fx, rel)), "--format", "json")
        # a fixture holds only the facts its rule reads: the verdict is incomplete, the findings real
        got = json.loads(r.stdout)["findings"] if r.returncode in (1, 2, 3) else []
        check(got, "evaluate %s: exit %d, no findings: %s" % (rel, r.returncode, r.stderr))
        findings += got
    with open(os.path.join(fx, "reports", "findings.json")) as f:
        findings += json.load(f)["findings"]
    report["findings"] = findings
    return report, [f["rule_id"] for f in findings]


def copies(tmp, report, n):
    """n copies of report with fresh ids, as files: [(id, path)]."""
    out = []
    folder = os.path.join(tmp, "reports-%s" % uuid.uuid4().hex[:8])
    os.makedirs(folder)
    for _ in range(n):
        report["report_id"] = str(uuid.uuid4())
        p = os.path.join(folder, report["report_id"] + ".json")
        with open(p, "w") as f:
            json.dump(report, f)
        out.append((report["report_id"], p))
    return out


def up(spool, fmt, url, *args, env=None):
    sets = ["--set", "UploadFormat=" + fmt]
    if fmt == "splunk-hec":
        sets += ["--set", "UploadBatchKB=4", "--set", "HecIndex=ohc_fleet"]
    return ohc("upload", "--spool", winpath(spool), "--url", url, "--allow-http", *sets, *args, env=env)


def check_hec_envelope(e, where):
    check(isinstance(e, dict) and set(e) <= HEC_KEYS, "%s: keys %s beyond HEC's %s" % (where, sorted(e), sorted(HEC_KEYS)))
    check("event" in e and e["event"] not in (None, "", {}), "%s: no event" % where)
    check(isinstance(e.get("time"), (int, float)) and e["time"] > 1e9, "%s: time %r is not epoch seconds" % (where, e.get("time")))
    for k in ("host", "source", "sourcetype", "index"):
        check(k not in e or isinstance(e[k], str), "%s: %s is not a string" % (where, k))
    for k, v in e.get("fields", {}).items():
        check(isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v)),
              "%s: field %s is %r: HEC indexes strings (or lists of strings) only" % (where, k, v))


def arrived(rcv, fmt):
    """report id -> rule ids of the findings delivered (2xx) for it; checks each body's format."""
    got = {}
    otlp_files = []
    for e in rcv.entries():
        if e.get("status") != 200:
            continue
        check(e["kind"] == ("otlp" if fmt == "otlp" else "hec"), "posted to %s, not the %s path" % (e["path"], fmt))
        check(e["encoding"] == "gzip" and e["ctype"] == "application/json", "body not gzip JSON: %s" % e)
        check(e["idempotency_key"] is None, "an Idempotency-Key with a converted body")
        check(e.get("auth") is not None and e["auth"].startswith("Bearer " if fmt == "otlp" else "Splunk "),
              "Authorization %s for %s" % (e.get("auth"), fmt))
        if fmt == "otlp":
            otlp_files.append(os.path.join(rcv.bodies, "%d.json" % e["n"]))
        else:
            check(e["json"] <= 4096 or e["envelopes"] == 1, "HEC batch of %d bytes over UploadBatchKB=4" % e["json"])
            for i, env in enumerate(hec_envelopes(rcv.body(e))):
                check_hec_envelope(env, "request %d envelope %d" % (e["n"], i))
                check(env.get("index") == "ohc_fleet", "HecIndex not in the envelope")
        for rid in e["reports"]:
            got.setdefault(rid, [])
        if e["reports"]:
            got[e["reports"][0]] += e["findings"]
    if otlp_files:
        r = subprocess.run(["node", OTLP_CHECK, otlp_definitions()] + otlp_files, capture_output=True, text=True,
                           timeout=300)
        check(r.returncode == 0, "OTLP bodies do not decode with the OTLP definitions: %s" % r.stderr)
        for line in r.stdout.splitlines():
            check(json.loads(line)["records"] >= 1, "an OTLP body without records")
    return got


def check_all_present(got, reps, rules, what):
    for rid, _ in reps:
        check(rid in got, "%s: report %s never arrived" % (what, rid))
        missing = set(rules) - set(got[rid])
        check(not missing, "%s: report %s arrived without the findings %s" % (what, rid, sorted(missing)))


def drain_until_empty(spool, fmt, url, runs=8):
    for _ in range(runs):
        r = up(spool, fmt, url, "--attempts", "4", "--retry-base-ms", "5", "--timeout", "5", "--quiet",
               env={"OHC_UPLOAD_TOKEN": TOKEN})
        if r.returncode == 0 and not spool_reports(spool):
            return
        check(r.returncode in (0, 1), "drain: exit %d: %s" % (r.returncode, r.stderr))
    fail("spool still holds %d reports after %d drains" % (len(spool_reports(spool)), runs))


def check_spool_whole(spool):
    for n in os.listdir(spool):
        if n.endswith(".json"):
            with open(os.path.join(spool, n)) as f:
                try:
                    rid = json.load(f)["report_id"]
                except Exception as e:
                    fail("a spool file is not whole after kill -9: %s: %s" % (n, e))
            check(rid == n[14:50], "spool file %s holds report %s" % (n, rid))


def no_secret(tmp, outputs):
    for text in outputs:
        check(TOKEN not in text and HEADER_VALUE not in text, "a secret in the output: %s" % text[-500:])
    for p in glob.glob(os.path.join(tmp, "**", "*.log"), recursive=True) + \
            glob.glob(os.path.join(tmp, "**", "rejected", "*.txt"), recursive=True):
        with open(p, errors="replace") as f:
            data = f.read()
        check(TOKEN not in data and HEADER_VALUE not in data, "a secret in %s" % p)


def main():
    tmp = tempfile.mkdtemp(prefix="ohc-fleet.")
    rcvs = []
    outputs = []
    try:
        otlp_definitions()
        report, rules = template(tmp)
        reps = copies(tmp, report, 3)
        check(len(rules) >= 8, "the test reports carry only %d findings" % len(rules))
        tokfile = os.path.join(tmp, "token.txt")
        with open(tokfile, "w") as f:
            f.write(TOKEN + "\n")

        for fmt in ("otlp", "splunk-hec"):
            # Every finding of every report, in the format, with the token and the extra header.
            rcv = Receiver(tmp, fmt + "-ok")
            rcvs.append(rcv)
            spool = os.path.join(tmp, fmt + "-spool")
            r = up(spool, fmt, rcv.url, "--token-file", winpath(tokfile), "--set",
                   "UploadHeaders=X-Scope-OrgID=" + HEADER_VALUE, *[winpath(p) for _, p in reps])
            outputs += [r.stdout, r.stderr]
            check(r.returncode == 0, "%s upload: exit %d: %s" % (fmt, r.returncode, r.stderr))
            check(not spool_reports(spool), "%s: the spool is not empty after delivery" % fmt)
            got = arrived(rcv, fmt)
            check_all_present(got, reps, rules, fmt)
            for e in rcv.entries():
                check(e["headers"].get("x-scope-orgid") == "sha256:" + hashlib.sha256(HEADER_VALUE.encode()).hexdigest()[:16],
                      "%s: UploadHeaders did not arrive" % fmt)
            with open(os.path.join(spool, "upload.log")) as f:
                log = f.read()
            check("format=%s" % fmt in log and "result=delivered" in log, "%s: upload.log: %s" % (fmt, log))
            if fmt == "splunk-hec":
                check(len(rcv.entries()) > len(reps), "HEC: UploadBatchKB=4 made no more than one batch per report")
            print("%s: %d reports, %d findings each, %d requests, %d bytes on the wire" %
                  (fmt, len(reps), len(rules), len(rcv.entries()), sum(e["wire"] for e in rcv.entries())))

            # Spooled as a report, sent in the format configured at send time.
            later, = copies(tmp, report, 1)
            spool = os.path.join(tmp, fmt + "-sendtime")
            r = up(spool, "report", "http://127.0.0.1:%d/" % harness.free_port(), "--attempts", "1", "--quiet",
                   winpath(later[1]))
            check(r.returncode == 1 and len(spool_reports(spool)) == 1, "offline: exit %d, spool %s" %
                  (r.returncode, spool_reports(spool)))
            with open(glob.glob(os.path.join(spool, "*.json"))[0]) as f:
                check(json.load(f)["report_id"] == later[0], "the spool keeps the ohc report")
            rcv = Receiver(tmp, fmt + "-sendtime")
            rcvs.append(rcv)
            r = up(spool, fmt, rcv.url, "--quiet", env={"OHC_UPLOAD_TOKEN": TOKEN})
            check(r.returncode == 0, "send-time %s: exit %d: %s" % (fmt, r.returncode, r.stderr))
            check_all_present(arrived(rcv, fmt), [later], rules, fmt + " at send time")

            # 429 (OTLP) / 503 (HEC) with Retry-After: 1: waited for, then delivered.
            mode = "429-once" if fmt == "otlp" else "503-once"
            rcv = Receiver(tmp, fmt + "-retry", mode=mode)
            rcvs.append(rcv)
            spool = os.path.join(tmp, fmt + "-retry")
            r = up(spool, fmt, rcv.url, "--retry-base-ms", "1", winpath(reps[0][1]), env={"OHC_UPLOAD_TOKEN": TOKEN})
            check(r.returncode == 0, "%s: exit %d: %s" % (mode, r.returncode, r.stderr))
            first = [e for e in rcv.entries() if e["status"] != 200]
            check(len(first) == 1 and first[0]["status"] == int(mode[:3]), "%s: %s" % (mode, rcv.entries()))
            after = [e for e in rcv.entries() if e["status"] == 200 and e["n"] > first[0]["n"]]
            check(after and after[0]["time"] - first[0]["time"] >= 0.9,
                  "%s: Retry-After: 1 not honoured" % mode)
            check_all_present(arrived(rcv, fmt), reps[:1], rules, mode)

        # OTLP: 400, 413 and 500 are not retried; the report is kept in rejected/ with why.
        for status in ("400", "413", "500"):
            rcv = Receiver(tmp, "otlp-" + status, mode=status)
            rcvs.append(rcv)
            spool = os.path.join(tmp, "otlp-" + status)
            r = up(spool, "otlp", rcv.url, "--retry-base-ms", "1", winpath(reps[0][1]), env={"OHC_UPLOAD_TOKEN": TOKEN})
            outputs += [r.stdout, r.stderr]
            check(r.returncode == 2, "OTLP %s: exit %d (expected 2: rejected)" % (status, r.returncode))
            check(len(rcv.entries()) == 1, "OTLP %s was retried: %d requests" % (status, len(rcv.entries())))
            rej = os.path.join(spool, "rejected")
            kept = [n for n in os.listdir(rej) if n.endswith(".json")]
            check(len(kept) == 1, "OTLP %s: rejected/ holds %s" % (status, os.listdir(rej)))
            with open(os.path.join(rej, kept[0])) as f:
                check(json.load(f)["report_id"] == reps[0][0], "rejected/ does not hold the whole report")
            with open(os.path.join(rej, kept[0] + ".txt")) as f:
                note = f.read()
            check("HTTP %s" % status in note and "otlp" in note and "receiver says" in note, "note: %s" % note)
            with open(os.path.join(spool, "upload.log")) as f:
                check("result=rejected status=%s" % status in f.read(), "upload.log lacks the rejection")

        # Fault run: every third request fails (429, 502, 503, reset); nothing is lost.
        n = 30 if PLATFORM == "native" else 12
        for fmt in ("otlp", "splunk-hec"):
            rcv = Receiver(tmp, fmt + "-third", mode="third")
            rcvs.append(rcv)
            many = copies(tmp, report, n)
            spool = os.path.join(tmp, fmt + "-third")
            r = up(spool, fmt, rcv.url, "--attempts", "4", "--retry-base-ms", "5", "--quiet",
                   *[winpath(p) for _, p in many], env={"OHC_UPLOAD_TOKEN": TOKEN})
            check(r.returncode in (0, 1), "fault run %s: exit %d: %s" % (fmt, r.returncode, r.stderr))
            drain_until_empty(spool, fmt, rcv.url)
            check_all_present(arrived(rcv, fmt), many, rules, fmt + " fault run")
            failed = [e.get("status") for e in rcv.entries() if e.get("status") != 200]
            print("fault run %s: %d reports, %d requests, %d failed on purpose (%s), none lost" %
                  (fmt, n, len(rcv.entries()), len(failed), ", ".join(sorted({str(f) for f in failed}))))
            check({429, 502, 503, "reset"} <= set(failed), "the run did not meet every fault: %s" % set(failed))

        # kill -9 in the middle of the sends (natively).
        if PLATFORM == "native":
            for fmt in ("otlp", "splunk-hec"):
                many = copies(tmp, report, 60)
                spool = os.path.join(tmp, fmt + "-kill")
                r = up(spool, fmt, "http://127.0.0.1:%d/" % harness.free_port(), "--attempts", "1", "--quiet",
                       *[p for _, p in many], env={"OHC_UPLOAD_TOKEN": TOKEN})
                check(len(spool_reports(spool)) == 60, "could not spool 60 reports")
                rcv = Receiver(tmp, fmt + "-kill", mode="delay")
                rcvs.append(rcv)
                env = dict(os.environ, OHC_UPLOAD_TOKEN=TOKEN)
                p = subprocess.Popen(ohc_cmd("upload", "--spool", spool, "--url", rcv.url, "--allow-http", "--set",
                                             "UploadFormat=" + fmt, "--set", "UploadBatchKB=4", "--set", "HecIndex=ohc_fleet",
                                             "--quiet"),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
                harness.wait_for(60, "a third of the reports delivered",
                                 lambda: len([e for e in rcv.entries() if e.get("status") == 200]) >= 20
                                 or p.poll() is not None)
                os.kill(p.pid, signal.SIGKILL)
                p.wait()
                check_spool_whole(spool)
                left = spool_reports(spool)
                got = arrived(rcv, fmt)
                delivered = {rid for rid, _ in many if rid in got and not set(rules) - set(got[rid])}
                lost = {rid for rid, _ in many} - left - delivered
                check(not lost, "kill -9 during %s sends lost %d reports" % (fmt, len(lost)))
                print("kill -9 while sending %s: %d fully delivered, %d whole in the spool" %
                      (fmt, len(delivered), len(left)))
                drain_until_empty(spool, fmt, rcv.url)
                check_all_present(arrived(rcv, fmt), many, rules, fmt + " after kill -9")
        no_secret(tmp, outputs)
    finally:
        for r in rcvs:
            r.stop()
        shutil.rmtree(tmp, ignore_errors=True)


main()
