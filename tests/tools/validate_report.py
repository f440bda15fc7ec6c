#!/usr/bin/python3
"""Validates ohc report files against collector/report/schema/report-v1.schema.json
(and the per-probe facts-*.schema.json it refers to).

usage: validate_report.py [--schema FILE] REPORT.json...
Exit 0 when every report is valid; otherwise prints each violation with its path."""
import argparse
import json
import os
import sys

import report_schema


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema", default=os.environ.get("OHC_SCHEMA", report_schema.DEFAULT))
    ap.add_argument("reports", nargs="+")
    args = ap.parse_args()
    validator = report_schema.validator(args.schema)
    bad = 0
    for path in args.reports:
        with open(path, encoding="utf-8") as f:
            try:
                report = json.load(f)
            except json.JSONDecodeError as e:
                print(f"{path}: not JSON: {e}")
                bad += 1
                continue
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            print(f"{path}: {where}: {e.message}")
        bad += bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
