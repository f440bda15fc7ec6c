#!/usr/bin/env python3
"""The GPO templates agree with the settings table.

installer/admx/OutlookHealthCollector.admx and en-US/*.adml must be well-formed,
every string and presentation they reference must exist, and every policy's
key, value name, type and range must match what the code reads, taken from
`ohc config show --format json` (the table in collector/config/settings.c), in both
directions: no setting without a policy, no policy without a setting.
Runs on the native build (the table is the same in ohc.exe)."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

if os.environ.get("OHC_PLATFORM") != "native":
    sys.exit(77)  # the same table is checked once, natively

NS = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}
src = os.environ["OHC_SOURCE_DIR"]
admx_path = os.path.join(src, "installer/admx/OutlookHealthCollector.admx")
adml_path = os.path.join(src, "installer/admx/en-US/OutlookHealthCollector.adml")
errors = []


def err(msg):
    errors.append(msg)


admx = ET.parse(admx_path).getroot()  # raises on malformed XML
adml = ET.parse(adml_path).getroot()
assert admx.tag == "{%s}policyDefinitions" % NS["p"], admx.tag
assert adml.tag == "{%s}policyDefinitionResources" % NS["p"], adml.tag

strings = {s.get("id"): s.text or "" for s in adml.findall(".//p:stringTable/p:string", NS)}
presentations = {p.get("id"): p for p in adml.findall(".//p:presentationTable/p:presentation", NS)}


def ref(value, kind, where):
    """Resolves $(string.X) / $(presentation.X); reports a dangling one."""
    prefix = "$(%s." % kind
    if not value or not value.startswith(prefix) or not value.endswith(")"):
        err("%s: %r is not a $(%s.*) reference" % (where, value, kind))
        return None
    name = value[len(prefix):-1]
    table = strings if kind == "string" else presentations
    if name not in table:
        err("%s: %s %r is missing from the ADML" % (where, kind, name))
        return None
    return table[name]


for el in admx.iter():
    for attr in ("displayName", "explainText"):
        if el.get(attr) is not None:
            ref(el.get(attr), "string", "%s %s" % (el.tag.split("}")[1], el.get("name") or el.get("id")))

cfg = json.loads(subprocess.run([os.environ["OHC_EXE"], "config", "show", "--format", "json"],
                                check=True, capture_output=True, text=True).stdout)
policy_key = cfg["registry_keys"]["policy"]
assert policy_key.startswith("HKLM\\"), policy_key
policy_key = policy_key[len("HKLM\\"):]
settings = {s["name"]: s for s in cfg["settings"]}

policies = admx.findall(".//p:policies/p:policy", NS)
seen = set()
for pol in policies:
    name = pol.get("name")
    where = "policy " + name
    if pol.get("class") != "Machine":
        err("%s: class is %r, expected Machine (Computer Configuration)" % (where, pol.get("class")))
    if pol.get("key") != policy_key:
        err("%s: key %r, the code reads %r" % (where, pol.get("key"), policy_key))
    if pol.find("p:parentCategory", NS) is None or pol.find("p:supportedOn", NS) is None:
        err("%s: parentCategory or supportedOn missing" % where)
    elements = list(pol.find("p:elements", NS) or [])
    if pol.get("valueName"):  # a boolean policy: the value is the policy's own
        value_name, kind, el = pol.get("valueName"), "boolean", pol
    elif len(elements) == 1:
        el = elements[0]
        value_name, kind = el.get("valueName"), el.tag.split("}")[1]
        pres = ref(pol.get("presentation"), "presentation", where)
        if pres is not None and not any(c.get("refId") == el.get("id") for c in pres):
            err("%s: presentation has no control for element %r" % (where, el.get("id")))
    else:
        err("%s: expected one element or a policy valueName" % where)
        continue
    s = settings.get(value_name)
    if s is None:
        err("%s: value %r is not a setting the code reads" % (where, value_name))
        continue
    if value_name in seen:
        err("%s: value %r set by two policies" % (where, value_name))
    seen.add(value_name)
    t = s["type"]
    if t == "string":
        if kind != "text":
            err("%s: %s element for a REG_SZ setting" % (where, kind))
        if el.get("expandable") == "true":
            err("%s: expandable (REG_EXPAND_SZ) but the code expects REG_SZ" % where)
        if int(el.get("maxLength", "1023")) > 2048:
            err("%s: maxLength above the code's 2048" % where)
    elif t == "number":
        if kind != "decimal" or el.get("storeAsText") == "true":
            err("%s: %s element for a REG_DWORD setting" % (where, kind))
        lo, hi = int(el.get("minValue", "0")), int(el.get("maxValue", "9999"))
        if (lo, hi) != (s["min"], s["max"]):
            err("%s: range %d..%d, the code accepts %d..%d" % (where, lo, hi, s["min"], s["max"]))
        pres = presentations.get((pol.get("presentation") or "")[len("$(presentation."):-1])
        box = pres.find("p:decimalTextBox", NS) if pres is not None else None
        if box is not None and int(box.get("defaultValue", "1")) != s["default"]:
            err("%s: presentation default %s, the code's default %s" % (where, box.get("defaultValue"), s["default"]))
    elif t == "bool":
        if kind != "boolean":
            err("%s: %s for a 0/1 REG_DWORD setting" % (where, kind))
        else:
            on = el.find("p:enabledValue/p:decimal", NS)
            off = el.find("p:disabledValue/p:decimal", NS)
            if on is None or off is None or on.get("value") != "1" or off.get("value") != "0":
                err("%s: enabled/disabled values must be REG_DWORD 1/0" % where)
    elif t == "enum":
        if kind != "enum":
            err("%s: %s element for an enumerated REG_SZ setting" % (where, kind))
        else:
            values = [v.text for v in el.findall("p:item/p:value/p:string", NS)]
            if values != s["choices"]:
                err("%s: items %r, the code accepts %r" % (where, values, s["choices"]))
            if el.findall("p:item/p:value/p:decimal", NS):
                err("%s: decimal items, but the code reads REG_SZ" % where)
    elif t == "list":
        if kind != "multiText":
            err("%s: %s element for a REG_MULTI_SZ setting" % (where, kind))
        if int(el.get("maxLength", "1023")) > 2048:
            err("%s: maxLength above the code's 2048" % where)
    else:
        err("%s: unknown setting type %r" % (where, t))

for name in settings:
    if name not in seen:
        err("setting %s has no policy in the ADMX" % name)

if errors:
    print("ADMX/ADML do not match the settings table:\n  " + "\n  ".join(errors))
    sys.exit(1)
print("ok: %d policies match the %d settings" % (len(policies), len(settings)))
