"""ohc upload / collect --upload against a real HTTP(S) server on loopback (and
a real proxy, tinyproxy), with the real ohc (native) or ohc.exe (under Wine).

Proves: what goes on the wire (gzip, Idempotency-Key = report_id, Bearer
token, User-Agent); http:// refused unless allowed; each server answer's
outcome (2xx leaves the spool; 500/503/timeout/reset stay; 503 Retry-After is
waited for; 400/413/redirect go to rejected/ with the answer); a corrupt spool
file is quarantined; the spool's bounds drop the oldest and the next report
counts the drops; the token is in no output or log; uploads through a proxy
(natively HTTPS_PROXY/http_proxy + NO_PROXY; under Wine the user's Windows
proxy setting, resolved by WinHTTP); natively a certificate nobody trusts is
refused and accepted once its CA is given.
"""
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
from uploadlib import PLATFORM, Server, fail, make_reports, ohc, spool_reports, winpath  # noqa: E402

TOKEN = "s3cr3t-token-0123456789abcdef"


def check(cond, msg):
    if not cond:
        fail(msg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def up(spool, *args, env=None):
    return ohc("upload", "--spool", winpath(spool), *args, env=env)


def main():
    tmp = tempfile.mkdtemp(prefix="ohc-upload.")
    servers = []
    try:
        base = os.path.join(tmp, "base.json")
        r = ohc("collect", "--probes", "host", "--out", winpath(base))
        check(r.returncode in (0, 1, 2, 3) and os.path.exists(base), "collect failed: %s" % r.stderr)
        tokfile = os.path.join(tmp, "token.txt")
        with open(tokfile, "w") as f:
            f.write(TOKEN + "\n")

        srv = Server(tmp)
        servers.append(srv)

        # http:// is refused unless allowed, with a clear error, and nothing is sent.
        spool = os.path.join(tmp, "spool-http")
        r = up(spool, "--url", srv.url)
        check(r.returncode == 3, "http without --allow-http: exit %d" % r.returncode)
        check("--allow-http" in r.stderr and "https://" in r.stderr, "refusal message: %s" % r.stderr)
        r = up(spool, "--url", "ftp://127.0.0.1/x", "--allow-http")
        check(r.returncode == 3, "ftp URL accepted")
        check(srv.entries() == [], "something was sent")

        # Direct upload of two reports with a token: what the server received.
        reps = make_reports(base, os.path.join(tmp, "in"), 2)
        spool = os.path.join(tmp, "spool")
        r = up(spool, "--url", srv.url, "--allow-http", "--token-file", winpath(tokfile),
               *[winpath(p) for _, p in reps])
        check(r.returncode == 0, "upload: exit %d: %s" % (r.returncode, r.stderr))
        got = {e["id"]: e for e in srv.entries()}
        for rid, _ in reps:
            e = got.get(rid)
            check(e is not None and e["status"] == 200, "report %s not delivered" % rid)
            check(e["key"] == rid, "Idempotency-Key %s != report_id %s" % (e["key"], rid))
            check(e["encoding"] == "gzip" and e["wire"] < e["json"], "not gzip: %s" % e)
            check(e["ctype"] == "application/json", "content type %s" % e["ctype"])
            check(e["ua"].startswith("ohc/"), "User-Agent %s" % e["ua"])
            import hashlib
            check(e["auth"] == "Bearer sha256:" + hashlib.sha256(TOKEN.encode()).hexdigest()[:16],
                  "Authorization %s" % e["auth"])
        check(spool_reports(spool) == set(), "spool not empty after 2xx")
        log = open(os.path.join(spool, "upload.log")).read() if os.path.exists(
            os.path.join(spool, "upload.log")) else ""
        for text in (r.stdout, r.stderr, log):
            check(TOKEN not in text, "the token leaked into output or log")
        check("proxy=direct" in r.stderr, "the attempt line names no proxy: %s" % r.stderr)
        check("2 delivered" in r.stdout, "summary: %s" % r.stdout)

        # Retryable answers keep the report in the spool (exit 1); 503 Retry-After is honoured.
        for mode, extra in (("500", []), ("reset", []), ("slow", ["--timeout", "1"])):
            srv.mode(mode)
            spool = os.path.join(tmp, "spool-" + mode)
            (rid, p), = make_reports(base, os.path.join(tmp, "in-" + mode), 1)
            r = up(spool, "--url", srv.url, "--allow-http", "--attempts", "2", "--retry-base-ms", "50",
                   *extra, winpath(p))
            check(r.returncode == 1, "%s: exit %d: %s" % (mode, r.returncode, r.stderr))
            check(spool_reports(spool) == {rid}, "%s: report left the spool" % mode)
            tries = [e for e in srv.entries() if e.get("id") == rid]
            check(len(tries) == 2 or mode == "slow", "%s: %d attempts, expected 2" % (mode, len(tries)))
            # the server recovers: the next drain delivers it and empties the spool
            srv.mode("ok")
            r = up(spool, "--url", srv.url, "--allow-http")
            check(r.returncode == 0 and rid in srv.delivered() and spool_reports(spool) == set(),
                  "%s: not delivered after recovery: %s" % (mode, r.stderr))

        srv.mode("503-retry")
        spool = os.path.join(tmp, "spool-503")
        (rid, p), = make_reports(base, os.path.join(tmp, "in-503"), 1)
        r = up(spool, "--url", srv.url, "--allow-http", "--retry-base-ms", "10", winpath(p))
        check(r.returncode == 0, "503-retry: exit %d: %s" % (r.returncode, r.stderr))
        times = [e["time"] for e in srv.entries() if e.get("id") == rid]
        check(len(times) == 2 and times[1] - times[0] >= 0.9,
              "Retry-After: 1 not honoured (%s)" % times)

        # Permanent answers: rejected/ with the server's answer, not retried.
        for mode in ("400", "413", "redirect"):
            srv.mode(mode)
            spool = os.path.join(tmp, "spool-" + mode)
            (rid, p), = make_reports(base, os.path.join(tmp, "in-" + mode), 1)
            r = up(spool, "--url", srv.url, "--allow-http", "--retry-base-ms", "10", winpath(p))
            check(r.returncode == 2, "%s: exit %d" % (mode, r.returncode))
            check(spool_reports(spool) == set(), "%s: still in the spool" % mode)
            rej = os.listdir(os.path.join(spool, "rejected"))
            check(len([n for n in rej if n.endswith(".json")]) == 1, "%s: rejected/ holds %s" % (mode, rej))
            note = open(os.path.join(spool, "rejected", [n for n in rej if n.endswith(".txt")][0])).read()
            want = "307" if mode == "redirect" else mode
            check(("HTTP " + want) in note, "%s: answer not kept: %s" % (mode, note))
            tries = [e for e in srv.entries() if e.get("id") == rid]
            check(len(tries) == 1, "%s: retried (%d)" % (mode, len(tries)))
            check(not any(e.get("path") == "/elsewhere" for e in tries), "redirect followed")
        srv.mode("ok")

        # A corrupt spool file is quarantined; the others still go.
        spool = os.path.join(tmp, "spool-corrupt")
        os.makedirs(spool)
        # named as ours (and recent, so the age bound keeps it), but not JSON
        bad = "%013d-00000000-0000-4000-8000-000000000000.json" % int(time.time() * 1000)
        with open(os.path.join(spool, bad), "w") as f:
            f.write('{"report_id": tru')
        with open(os.path.join(spool, "notours.json"), "w") as f:
            f.write("{}")
        (rid, p), = make_reports(base, os.path.join(tmp, "in-corrupt"), 1)
        r = up(spool, "--url", srv.url, "--allow-http", winpath(p))
        check(rid in srv.delivered(), "good report not delivered next to a corrupt one")
        q = os.listdir(os.path.join(spool, "quarantine"))
        check(bad in q and "notours.json" in q, "not quarantined: %s" % q)
        check(r.returncode == 1, "quarantine should warn: exit %d" % r.returncode)

        # Bounds: the server is unreachable, 5 reports into a spool of 3: the 2 oldest dropped,
        # and the next collected report counts them.
        dead = "http://127.0.0.1:%d/reports" % free_port()
        spool = os.path.join(tmp, "spool-bound")
        reps = make_reports(base, os.path.join(tmp, "in-bound"), 5)
        for rid, p in reps:
            r = up(spool, "--url", dead, "--allow-http", "--attempts", "1", "--spool-max-count", "3", winpath(p))
            check(r.returncode == 1, "unreachable: exit %d: %s" % (r.returncode, r.stderr))
            time.sleep(0.002)
        check(spool_reports(spool) == {rid for rid, _ in reps[2:]}, "wrong reports kept: %s" % spool_reports(spool))
        r = ohc("collect", "--probes", "host", "--upload", "--url", srv.url, "--allow-http",
                "--spool", winpath(spool), "--out", winpath(os.path.join(tmp, "c.json")))
        check(r.returncode in (0, 1, 2, 3) and os.path.exists(os.path.join(tmp, "c.json")),
              "collect --upload: exit %d: %s" % (r.returncode, r.stderr))
        with open(os.path.join(tmp, "c.json")) as f:
            c = json.load(f)
        check(c["upload"]["dropped_reports"] == 2, "dropped count: %s" % c.get("upload"))
        subprocess.run([os.environ["PYTHON"], os.path.join(os.environ["OHC_SOURCE_DIR"],
                        "tests/tools/validate_report.py"), os.path.join(tmp, "c.json")], check=True)
        check(c["report_id"] in srv.delivered(), "collect --upload did not deliver its report")
        check({rid for rid, _ in reps[2:]} <= srv.delivered(), "spooled reports not drained by collect")
        check(spool_reports(spool) == set(), "spool not empty")
        r = ohc("collect", "--probes", "host", "--upload", "--url", srv.url, "--allow-http",
                "--spool", winpath(spool), "--out", winpath(os.path.join(tmp, "c2.json")))
        with open(os.path.join(tmp, "c2.json")) as f:
            check(json.load(f)["upload"]["dropped_reports"] == 0, "drops counted twice")

        proxy_tests(tmp, srv, base)
        if PLATFORM == "windows":
            settings_test(tmp, srv, base)
        if PLATFORM == "native":
            tls_tests(tmp, base)
        print("upload: ok")
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def start_tinyproxy(tmp):
    exe = shutil.which("tinyproxy") or "/usr/bin/tinyproxy"
    if not os.path.exists(exe):
        fail("tinyproxy is not installed (scripts/bootstrap installs it)")
    for _ in range(5):
        port = free_port()
        conf = os.path.join(tmp, "tinyproxy.conf")
        log = os.path.join(tmp, "tinyproxy.log")
        with open(conf, "w") as f:
            f.write("Port %d\nListen 127.0.0.1\nTimeout 30\nLogFile \"%s\"\nLogLevel Info\n"
                    "MaxClients 20\nAllow 127.0.0.1\nConnectPort 443\nConnectPort %d\n" % (port, log, port))
        proc = subprocess.Popen([exe, "-d", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return proc, port, log
            except OSError:
                time.sleep(0.1)
        proc.kill()
    fail("tinyproxy did not start")


def settings_test(tmp, srv, base):
    """UploadUrl, UploadToken and AllowInsecureHttp from the registry (as the MSI or a GPO sets them)."""
    key = r"HKLM\SOFTWARE\OutlookHealthCollector"
    wine = [os.environ["OHC_WINE_RUN"], "reg"]
    values = [("UploadUrl", "REG_SZ", srv.url), ("UploadToken", "REG_SZ", TOKEN), ("AllowInsecureHttp", "REG_DWORD", "1")]
    for name, kind, data in values:
        subprocess.run(wine + ["add", key, "/v", name, "/t", kind, "/d", data, "/f"], check=True, capture_output=True)
    try:
        (rid, p), = make_reports(base, os.path.join(tmp, "in-settings"), 1)
        r = up(os.path.join(tmp, "spool-settings"), winpath(p))
    finally:
        for name, _, _ in values:
            subprocess.run(wine + ["delete", key, "/v", name, "/f"], capture_output=True)
    check(r.returncode == 0 and rid in srv.delivered(), "upload with registry settings: %s" % r.stderr)
    e = [e for e in srv.entries() if e.get("id") == rid][0]
    import hashlib
    check(e["auth"] == "Bearer sha256:" + hashlib.sha256(TOKEN.encode()).hexdigest()[:16], "UploadToken not sent")
    check(TOKEN not in r.stdout + r.stderr, "UploadToken leaked")


def tinyproxy_requests(log, port):
    with open(log) as f:
        return sum(1 for l in f if "Request (file descriptor" in l and "POST http://127.0.0.1:%d/reports" % port in l)


def with_user_proxy(spool, srv, report, flags, proxy, pac):
    key = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections"
    b = struct.pack("<III", 0x46, 0, flags)
    for s in (proxy, "", pac):
        b += struct.pack("<I", len(s)) + s.encode()
    b += b"\0" * 32
    wine = [os.environ["OHC_WINE_RUN"], "reg"]
    subprocess.run(wine + ["add", key, "/v", "DefaultConnectionSettings", "/t", "REG_BINARY", "/d", b.hex(), "/f"],
                   check=True, capture_output=True)
    try:
        return up(spool, "--url", srv.url, "--allow-http", winpath(report))
    finally:
        subprocess.run(wine + ["delete", key, "/v", "DefaultConnectionSettings", "/f"], capture_output=True)


def proxy_tests(tmp, srv, base):
    proc, port, log = start_tinyproxy(tmp)
    try:
        spool = os.path.join(tmp, "spool-proxy")
        (rid, p), = make_reports(base, os.path.join(tmp, "in-proxy"), 1)
        if PLATFORM == "windows":
            # The user's proxy in Internet Options, as Windows keeps it (the
            # DefaultConnectionSettings blob: version, counter 0 (Wine needs it), flags
            # 3 = direct|proxy, proxy list, bypass list, PAC URL); WinHTTP reads it.
            r = with_user_proxy(spool, srv, p, 3, "127.0.0.1:%d" % port, "")
            check("(user proxy, Internet Options)" in r.stderr, "proxy source: %s" % r.stderr)
        else:
            r = up(spool, "--url", srv.url, "--allow-http", winpath(p),
                   env={"http_proxy": "http://127.0.0.1:%d" % port, "NO_PROXY": "", "no_proxy": ""})
        check(r.returncode == 0, "through the proxy: exit %d: %s" % (r.returncode, r.stderr))
        check(rid in srv.delivered(), "not delivered through the proxy")
        check("proxy=http://127.0.0.1:%d" % port in r.stderr, "proxy not in the upload log: %s" % r.stderr)
        proxied = tinyproxy_requests(log, srv.port)
        check(proxied == 1, "tinyproxy relayed %d requests, expected 1" % proxied)
        if PLATFORM == "windows":
            # A PAC file (served by the test server) that names the proxy: WinHttpGetProxyForUrl runs it.
            (rid, p), = make_reports(base, os.path.join(tmp, "in-pac"), 1)
            pac = "http://127.0.0.1:%d/pac/127.0.0.1:%d" % (srv.port, port)
            r = with_user_proxy(spool, srv, p, 5, "", pac)
            check(r.returncode == 0 and rid in srv.delivered(), "through the PAC proxy: %s" % r.stderr)
            check("proxy=http://127.0.0.1:%d (PAC %s)" % (port, pac) in r.stderr, "PAC not used: %s" % r.stderr)
            check(tinyproxy_requests(log, srv.port) == 2, "the PAC upload did not go through tinyproxy")
        if PLATFORM == "native":
            # NO_PROXY: the same URL goes direct
            (rid2, p2), = make_reports(base, os.path.join(tmp, "in-noproxy"), 1)
            r = up(spool, "--url", srv.url, "--allow-http", winpath(p2),
                   env={"http_proxy": "http://127.0.0.1:%d" % port, "no_proxy": "localhost,127.0.0.1"})
            check(r.returncode == 0 and "proxy=direct (NO_PROXY)" in r.stderr, "NO_PROXY: %s" % r.stderr)
            # a password in the proxy URL never reaches the log
            (rid3, p3), = make_reports(base, os.path.join(tmp, "in-proxypw"), 1)
            r = up(spool, "--url", srv.url, "--allow-http", winpath(p3),
                   env={"http_proxy": "http://bob:hunter2@127.0.0.1:%d" % port, "no_proxy": ""})
            check("hunter2" not in r.stderr + r.stdout and "***@127.0.0.1" in r.stderr,
                  "proxy password shown: %s" % r.stderr)
    finally:
        proc.terminate()
        proc.wait(10)


def tls_tests(tmp, base):
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    srv = Server(tmp, tls=(cert, key), name="tls")
    try:
        spool = os.path.join(tmp, "spool-tls")
        (rid, p), = make_reports(base, os.path.join(tmp, "in-tls"), 1)
        r = up(spool, "--url", srv.url, "--attempts", "1", p)
        check(r.returncode == 1, "untrusted certificate: exit %d" % r.returncode)
        check("TLS" in r.stderr or "certificate" in r.stderr.lower(), "no TLS reason: %s" % r.stderr)
        check(srv.delivered() == set() and spool_reports(spool) == {rid}, "untrusted server got the report")
        r = up(spool, "--url", srv.url, "--ca-file", cert)
        check(r.returncode == 0 and rid in srv.delivered(), "with --ca-file: %s" % r.stderr)
    finally:
        srv.stop()


main()
