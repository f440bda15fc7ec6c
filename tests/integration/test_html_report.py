"""The HTML report in a real browser (Debian's headless Chromium).

- `ohc collect --out-dir` writes report.json and report.html (and no temp file);
- the page renders: the screenshot has the verdict banner in its colour;
- the DOM has no element that came from a value (the fixture holds <script>,
  <img src=http://...> and a table-breaking string in facts and findings);
- the page made no network request: Chromium's net log lists every URL request;
  those whose isolation key is the page's (file://) must all be file: URLs.
  A control page with an <img> and a stylesheet on loopback proves the check
  sees page requests (Chromium's own background requests carry no page key).
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

PLATFORM = os.environ["OHC_PLATFORM"]
EXE = os.environ["OHC_EXE"]
SRC = os.environ["OHC_SOURCE_DIR"]
CHROMIUM = shutil.which("chromium")


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def ohc(*args):
    cmd = [os.environ["OHC_WINE_RUN"], EXE] if PLATFORM == "windows" else [EXE]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=120)


def winpath(p):
    return "Z:" + p.replace("/", "\\") if PLATFORM == "windows" else p


def chromium(tmp, page, tag):
    """Loads page; returns (dom, png bytes, urls the page itself requested)."""
    netlog = os.path.join(tmp, tag + ".netlog.json")
    shot = os.path.join(tmp, tag + ".png")
    # The flags that work on this machine (closed network): see
    # /work/.library/env/machines/c.md; a fresh profile each time.
    r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--user-data-dir=" + os.path.join(tmp, tag + ".profile"),
                        "--log-net-log=" + netlog, "--window-size=1000,1400", "--screenshot=" + shot,
                        "--dump-dom", "file://" + page],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0 or not os.path.exists(shot):
        fail("chromium failed on %s: %s" % (page, r.stderr[-2000:]))
    with open(netlog) as f:
        log = json.load(f)
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    page_urls = []
    for e in log["events"]:
        if types.get(e["type"]) != "URL_REQUEST_START_JOB":
            continue
        p = e.get("params", {})
        if str(p.get("network_isolation_key", "")).startswith("file://"):
            page_urls.append(p.get("url", ""))
    with open(shot, "rb") as f:
        png = f.read()
    return r.stdout, png, page_urls


def png_pixels(data):
    """Decodes an 8-bit RGB/RGBA PNG (what Chromium writes): (w, h, bpp, rows)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("screenshot is not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                fail("unexpected PNG format %d/%d" % (depth, ctype))
            bpp = 4 if ctype == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif ft == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def count_colour(png, rgb, rows_limit=400):
    w, h, bpp, rows = png_pixels(png)
    n = 0
    for line in rows[:rows_limit]:
        for x in range(0, w * bpp, bpp):
            if abs(line[x] - rgb[0]) < 6 and abs(line[x + 1] - rgb[1]) < 6 and abs(line[x + 2] - rgb[2]) < 6:
                n += 1
    return n


def check_dom(dom, what):
    body = dom.split("<body>", 1)[-1]
    for bad in ("<script", "<img", "<iframe", "<h1>injected"):
        if bad in body:
            fail("%s: '%s' became markup in the DOM" % (what, bad))


def main():
    if CHROMIUM is None:
        print("chromium is not installed (scripts/bootstrap installs it)")
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="ohc-html.")
    try:
        # A real report from the real ohc(.exe): report.json + report.html, no temp file left.
        out = os.path.join(tmp, "out")
        r = ohc("collect", "--out-dir", winpath(out))
        # 3: the events probe cannot run here (no event log natively, a stub under Wine): incomplete
        if r.returncode != 3:
            fail("collect --out-dir: exit %d (expected 3, incomplete): %s" % (r.returncode, r.stderr))
        if sorted(os.listdir(out)) != ["report.html", "report.json"]:
            fail("--out-dir wrote %s" % os.listdir(out))
        for name in ("report.json", "report.html"):
            if name not in r.stdout:
                fail("collect did not print where %s went: %s" % (name, r.stdout))
        subprocess.run([os.environ["PYTHON"], os.path.join(SRC, "tests/tools/validate_report.py"),
                        os.path.join(out, "report.json")], check=True)
        with open(os.path.join(out, "report.json")) as f:
            report = json.load(f)
        dom, png, urls = chromium(tmp, os.path.join(out, "report.html"), "collect")
        if urls:
            fail("the collect report's page requested %s" % urls)
        check_dom(dom, "collect report")
        if report["report_id"] not in dom:
            fail("report id missing from the page")
        # The incomplete verdict: its own banner (never the green OK one), what was not checked and why.
        if report["summary"]["verdict"] != "incomplete":
            fail("verdict %s, expected incomplete" % report["summary"]["verdict"])
        if 'class="verdict v-incomplete"' not in dom or 'class="verdict v-ok"' in dom:
            fail("the page does not show the incomplete verdict")
        if "OK: no problem found" in dom:
            fail("the page says OK although the events were not checked")
        if 'id="not-checked"' not in dom or "the events probe was" not in dom or "OAB-HTTP-404" not in dom:
            fail("the page does not say which checks could not run")
        purple = count_colour(png, (0x5e, 0x35, 0xb1))
        green = count_colour(png, (0x2e, 0x7d, 0x32))
        if purple < 5000:
            fail("no incomplete banner in the screenshot (%d px)" % purple)
        if green > 2000:
            fail("a green (OK) banner in the screenshot of an incomplete report (%d px)" % green)

        if PLATFORM == "native":
            # The hand-made report with hostile values, through the same renderer.
            page = os.path.join(tmp, "fixture.html")
            with open(page, "w") as f:
                subprocess.run([os.environ["OHC_RENDER_REPORT"],
                                os.path.join(SRC, "tests/fixtures/reports/findings.json"), "html"],
                               stdout=f, check=True)
            dom, png, urls = chromium(tmp, page, "fixture")
            if urls:
                fail("the fixture page requested %s" % urls)
            check_dom(dom, "fixture")
            if "&lt;script&gt;alert(1)&lt;/script&gt;" not in dom:
                fail("escaped value not shown as text")
            if len(re.findall(r'<section class="card', dom)) != 4:
                fail("expected 4 finding cards")
            red = count_colour(png, (0xc6, 0x28, 0x28))  # the "problem found" banner
            if red < 5000:
                fail("the red verdict banner is not in the screenshot (%d px)" % red)
            shutil.copy(os.path.join(tmp, "fixture.png"), os.path.join(os.environ.get("OHC_BUILD_DIR", tmp),
                                                                       "report-fixture.png"))

            # Control: the check must see a page's own requests.
            bad = os.path.join(tmp, "control.html")
            with open(bad, "w") as f:
                f.write('<html><body><img src="http://127.0.0.1:9/x.png">control</body></html>')
            _, _, urls = chromium(tmp, bad, "control")
            if "http://127.0.0.1:9/x.png" not in urls:
                fail("the no-network check did not see the control page's request: %s" % urls)
        print("html report: ok")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
