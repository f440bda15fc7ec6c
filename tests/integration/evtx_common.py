"""Helpers shared by the .evtx integration tests (not a test itself: no test_ prefix)."""
import os
import subprocess


def is_windows():
    return os.environ.get("OHC_PLATFORM") == "windows"


def winpath(path):
    """A path ohc.exe understands (Wine maps / to Z:)."""
    return "Z:" + os.path.abspath(path).replace("/", "\\") if is_windows() else path


def run_ohc(args, timeout=120):
    """Runs the ohc under test; paths in args that exist are translated for Wine."""
    exe = os.environ["OHC_EXE"]
    args = [winpath(a) if is_windows() and os.path.exists(a) else a for a in args]
    cmd = [os.environ["OHC_WINE_RUN"], exe] + args if is_windows() else [exe] + args
    return subprocess.run(cmd, capture_output=True, timeout=timeout)
