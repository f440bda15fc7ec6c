"""What a Python integration test prints when it fails (the shell tests get the
same from tests/integration/lib.sh). Importing this module:

- records every subprocess.run of the test (command, exit code, and the end of
  its output when it failed or timed out), by wrapping subprocess.run;
- sets OHC_WINE_LOG, where scripts/wine-run keeps Wine's own messages
  (WINEDEBUG=-all,err+all) of the Windows programs the test runs, and its
  retries (bounded, see scripts/wine-run), which are listed at the test's end;
- on an uncaught exception (an assert, a KeyError...) prints, after Python's
  traceback, FAIL with the test's file, line and source line, the recent
  commands and Wine's messages; fail(msg) does the same with its message.

wait_for(seconds, what, predicate) waits for a condition and says what it
waited for when it gives up; free_port() picks a loopback port nothing uses.
"""
import atexit
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

_dir = tempfile.mkdtemp(prefix="ohc-harness.")
WINE_LOG = os.path.join(_dir, "wine.log")
os.environ["OHC_WINE_LOG"] = WINE_LOG
atexit.register(shutil.rmtree, _dir, True)


def _said_retries():
    """What scripts/wine-run retried during the test, said at its end, passed or not (the
    retry lines also go to the command's stderr, which the test may have captured)."""
    try:
        with open(WINE_LOG, errors="replace") as f:
            lines = [l.rstrip("\n") for l in f if l.startswith("== ") and " harness: wine-run: " in l]
    except OSError:
        return
    for l in lines:
        print("[%s] %s" % (l.split(" ", 2)[1], l.split(" ", 2)[2]), file=sys.stderr)
    sys.stderr.flush()


atexit.register(_said_retries)  # runs before the removal above (atexit: last registered first)
_commands = []          # (text) newest last, at most 40 kept
_real_run = subprocess.run


def _tail(data, n=15):
    if data is None:
        return []
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    return [l.rstrip("\r") for l in data.splitlines()[-n:]]


def _cmdline(args):
    if isinstance(args, (list, tuple)):
        s = " ".join(shlex.quote(str(a)) for a in args)
    else:
        s = str(args)
    return s if len(s) <= 300 else s[:300] + "..."


def _record(args, outcome, stdout, stderr, failed):
    lines = ["[%s] %s -> %s" % (time.strftime("%H:%M:%S"), _cmdline(args), outcome)]
    if failed:
        for name, data in (("stdout", stdout), ("stderr", stderr)):
            t = _tail(data)
            if t:
                lines.append("    %s (last lines):" % name)
                lines.extend("      " + l for l in t)
    _commands.append("\n".join(lines))
    del _commands[:-40]


def _recorded_run(*popenargs, **kwargs):
    args = popenargs[0] if popenargs else kwargs.get("args")
    try:
        r = _real_run(*popenargs, **kwargs)
    except subprocess.TimeoutExpired as e:
        _record(args, "stopped after %s s (timeout)" % e.timeout, e.stdout, e.stderr, True)
        raise
    except subprocess.CalledProcessError as e:  # check=True: recorded with its output before it propagates
        _record(args, "exit %d" % e.returncode, e.stdout, e.stderr, True)
        raise
    _record(args, "exit %d" % r.returncode, r.stdout, r.stderr, r.returncode != 0)
    return r


subprocess.run = _recorded_run


def _test_frame(tb_frames):
    """The innermost frame in a test script (not in this module or a helper library)."""
    for fr in reversed(tb_frames):
        name = os.path.basename(fr.filename)
        if name.startswith("test_"):
            return fr
    return tb_frames[-1] if tb_frames else None


def _place(fr):
    if fr is None:
        return "?"
    return "%s:%d: %s" % (os.path.basename(fr.filename), fr.lineno, (fr.line or "").strip())


# The run's wineserver's stderr (scripts/wine-prefix): its part from this test on is shown on failure.
_WS_LOG = os.environ["WINEPREFIX"] + ".wineserver.log" if os.environ.get("WINEPREFIX") else None
try:
    _WS_LOG_START = os.path.getsize(_WS_LOG) if _WS_LOG else 0
except OSError:
    _WS_LOG_START = 0


def diagnostics():
    out = []
    if _commands:
        out.append("--- the last commands the test ran (newest last; output shown for the failed ones):")
        out.extend("  " + l for c in _commands[-12:] for l in c.splitlines())
    if os.path.exists(WINE_LOG) and os.path.getsize(WINE_LOG):
        out.append("--- Wine's messages (WINEDEBUG=-all,err+all) of this test's Windows programs, newest last:")
        with open(WINE_LOG, errors="replace") as f:
            out.extend("  " + l.rstrip("\n") for l in f.readlines()[-40:])
    if _WS_LOG and os.path.exists(_WS_LOG) and os.path.getsize(_WS_LOG) > _WS_LOG_START:
        out.append("--- the wineserver's messages during this test (%s):" % _WS_LOG)
        with open(_WS_LOG, "rb") as f:
            f.seek(_WS_LOG_START)
            out.extend("  " + l for l in f.read().decode("utf-8", "replace").splitlines()[-20:])
    return "\n".join(out)


def where():
    """file:line: source of the test's line that called into a helper."""
    return _place(_test_frame(traceback.extract_stack()[:-1]))


def fail(msg):
    print("FAIL: %s\n  at %s" % (msg, where()), file=sys.stderr)
    d = diagnostics()
    if d:
        print(d, file=sys.stderr)
    sys.stderr.flush()
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def _excepthook(kind, value, tb):
    traceback.print_exception(kind, value, tb)
    fr = _test_frame(traceback.extract_tb(tb))
    print("FAIL: %s: %s\n  at %s" % (kind.__name__, value, _place(fr)), file=sys.stderr)
    d = diagnostics()
    if d:
        print(d, file=sys.stderr)
    sys.stderr.flush()


sys.excepthook = _excepthook


def wait_for(seconds, what, predicate, interval=0.1):
    """Calls predicate() until it returns a true value (returned), at most `seconds`;
    then fails saying what it waited for."""
    t0 = time.monotonic()
    tries = 0
    while True:
        tries += 1
        v = predicate()
        if v:
            return v
        if time.monotonic() - t0 >= seconds:
            fail("gave up waiting for %s after %d s (%d tries)" % (what, seconds, tries))
        time.sleep(interval if tries < 20 else min(0.5, interval * 4))


def ohc_cmd(*args):
    """The command line that runs the ohc under test (ohc.exe through scripts/wine-run on windows)."""
    exe = os.environ["OHC_EXE"]
    if os.environ.get("OHC_PLATFORM") == "windows":
        return [os.environ["OHC_WINE_RUN"], exe, *args]
    return [exe, *args]


def free_port():
    """A loopback TCP port nothing listens on (bound by the OS, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p
