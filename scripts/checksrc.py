#!/usr/bin/env python3
"""The source rules a compiler does not enforce, in the spirit of curl's checksrc.pl.

Checked in the product code (collector/, win32/, posix/, bench/; tests/ builds
fixtures with whatever is shortest and is not shipped):
  - no unbounded string copies: strcpy, wcscpy, strcat, wcscat, sprintf, vsprintf, gets
    (snprintf, or memcpy with a length checked against the destination);
  - no LoadLibraryA/W, and LoadLibraryEx only with a system-directory flag
    (LOAD_LIBRARY_SEARCH_SYSTEM32) or a full path made from GetSystemDirectory
    (LOAD_WITH_ALTERED_SEARCH_PATH): the default search order starts in the
    application folder, where anyone can plant a DLL beside ohc.exe;
  - no empty body: `if (...) ;` (a stray semicolon makes the next line unconditional).
Prints file:line: rule for each problem; exit 1 when there is one.
Usage: scripts/checksrc.py [ROOT]"""
import os
import re
import sys

DIRS = ("collector", "win32", "posix", "bench")
RULES = [
    (re.compile(r"\b(strcpy|wcscpy|strcat|wcscat|sprintf|vsprintf|gets)\s*\("),
     "unbounded string function (use snprintf, or memcpy with a checked length)"),
    (re.compile(r"\bLoadLibrary[AW]?\s*\("), "LoadLibrary searches the application folder first (DLL planting)"),
    (re.compile(r"\bif\s*\(.*\)\s*;\s*(//.*|/\*.*\*/\s*)?$"), "empty if body"),
]
LOADLIBRARYEX = re.compile(r"\bLoadLibraryEx[AW]?\s*\(")
SAFE_FLAGS = re.compile(r"LOAD_LIBRARY_SEARCH_SYSTEM32|LOAD_WITH_ALTERED_SEARCH_PATH|LOAD_LIBRARY_AS_DATAFILE")


def strip_comments_and_strings(text):
    """Blanks comments and string/char literals, keeping line numbers."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def check_file(path, rel):
    problems = []
    with open(path, encoding="utf-8", errors="replace") as f:
        code = strip_comments_and_strings(f.read())
    lines = code.split("\n")
    for no, line in enumerate(lines, 1):
        for rx, why in RULES:
            if rx.search(line):
                problems.append("%s:%d: %s" % (rel, no, why))
        if LOADLIBRARYEX.search(line):
            rest = " ".join(lines[no - 1:no + 3])  # the call may wrap: up to its ';'
            stmt = rest[:rest.find(";") + 1] if ";" in rest else rest
            if not SAFE_FLAGS.search(stmt):
                problems.append("%s:%d: LoadLibraryEx without a system-directory flag" % (rel, no))
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    problems, count = [], 0
    for d in DIRS:
        for base, _, files in os.walk(os.path.join(root, d)):
            for name in sorted(files):
                if name.endswith((".c", ".h")):
                    path = os.path.join(base, name)
                    count += 1
                    problems += check_file(path, os.path.relpath(path, root))
    for p in problems:
        print(p)
    print("checksrc: %d file(s), %d problem(s)" % (count, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
