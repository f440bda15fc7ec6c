"""The report's JSON Schema, split per probe (collector/report/schema/*.schema.json:
report-v1 with the shared definitions, facts-<probe> for each probe's facts,
joined by $ref): one validator for every test that checks a report."""
import glob
import json
import os

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "..", "collector", "report", "schema", "report-v1.schema.json")


def validator(path=None):
    """A Draft 2020-12 validator for report-v1 at path (default: OHC_SCHEMA,
    else the tree's), with every *.schema.json beside it known by its $id."""
    path = path or os.environ.get("OHC_SCHEMA", DEFAULT)
    store = {}
    for f in glob.glob(os.path.join(os.path.dirname(path), "*.schema.json")):
        with open(f, encoding="utf-8") as fh:
            s = json.load(fh)
        store[s["$id"]] = s
    with open(path, encoding="utf-8") as fh:
        main = json.load(fh)
    # RefResolver: the API of Debian 12's python3-jsonschema (4.10); newer
    # versions still accept it.
    resolver = jsonschema.RefResolver.from_schema(main, store=store)
    return jsonschema.Draft202012Validator(main, resolver=resolver)
