"""Seed corpora of the fuzz targets, made from the repository's fixtures and
rules (nothing fetched): `seeds.py TARGET OUTDIR` writes one file per seed in
the target's input format (see each fuzz_TARGET.c). Targets whose seeds are
files as they are (evtx) are seeded by run-all.sh directly."""
import glob
import hashlib
import json
import os
import re
import struct
import sys

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
target, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def put(data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(out, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def rule_files():
    return sorted(glob.glob(os.path.join(SRC, "rules", "*.json")))


def fixture_facts():
    for p in sorted(glob.glob(os.path.join(SRC, "tests", "fixtures", "rules", "*", "*.json"))):
        with open(p) as f:
            yield json.load(f)


def event_lines():
    """(provider, id, level, xml) of the events the wevtapi double serves."""
    for p in sorted(glob.glob(os.path.join(SRC, "tests", "fixtures", "events", "*.tsv"))):
        for line in open(p, encoding="utf-8"):
            f = line.rstrip("\n").split("\t")
            if f[0] == "event" and len(f) >= 9:
                yield f[2], int(f[3]), int(f[4]), f[-1]


def xml_values(xml):
    data = [re.sub(r"<[^>]*>", "", d) for d in re.findall(r"<Data[^>]*>.*?</Data>", xml)]
    b = re.search(r"<Binary>([0-9A-Fa-f]*)</Binary>", xml)
    return data, bytes.fromhex(b.group(1)) if b else None


if target == "rules":
    for p in rule_files():
        put(open(p, "rb").read())
elif target == "evaluate":
    put(open(os.path.join(SRC, "tests", "fixtures", "reports", "findings.json"), "rb").read())
    for fx in fixture_facts():
        put(json.dumps({"generated_at": "2026-11-24T08:00:00Z", "facts": fx["facts"]}))
elif target == "jsonlogic":
    facts = list(fixture_facts())
    for p in rule_files():
        for i, r in enumerate(json.load(open(p))["rules"]):
            data = facts[i % len(facts)]["facts"] if facts else {}
            put(json.dumps(r["when"]).encode() + b"\0" + json.dumps(data).encode())
elif target == "event_xml":
    for _, _, _, xml in event_lines():
        put(xml)
    put("<Event><UserData><Job><url>http://x/OAB/a/oab.xml</url><hr>-2145844844</hr></Job></UserData></Event>")
elif target == "event27":
    ids = [27, 3, 4, 59, 60, 16398, 1000]
    for provider, eid, level, xml in event_lines():
        data, binary = xml_values(xml)
        flags = (0x08 if binary is not None else 0) | (0 if provider == "Outlook" else 2)
        rec = struct.pack("<BBIB", flags, level, 16384, ids.index(eid) if eid in ids else 255)
        if eid not in ids:
            rec += struct.pack("<I", eid)
        rec += struct.pack("<II", 1764000000, 1) + bytes([len(data)])
        for d in data:
            rec += d.encode() + b"\0"
        put(rec + (binary or b""))
elif target == "settings":
    # kinds: 0 absent, 1 REG_SZ, 2 REG_MULTI_SZ, 3 REG_DWORD, 5 other type, 6 access denied
    put(b"\x01https://gpo.example/r\0" + b"\x00" * 19 + b"IntervalMinutes=30\0")
    put(b"\x00\x00\x03\xe7\x03\x00\x00" + b"\x00" * 14 + b"\x02name=app; channel=Application; ids=1000\nname=x; channel=System\0")
    put(b"\x06" + b"\x00" * 9 + b"\x03\x00\x00\x00\x00" + b"UploadToken=abc\0AllowInsecureHttp=true\0")
    put(b"\x05\x07\x00\x00\x00" * 20)
elif target == "spool":
    report = json.dumps({"report_id": "0e8f4b3c-1d2e-4f50-8a6b-7c8d9e0f1a2b", "facts": {}}).encode()
    one = b"\x01" + bytes(range(32)) + struct.pack("<I", 1764000000) + struct.pack("<H", len(report)) + report
    bad = b"\x00notours.json\0" + struct.pack("<H", 2) + b"{}"
    tmp = b"\x00x.json.tmp.42\0" + struct.pack("<H", 3) + b"{\"r"
    # limits (count, bytes, days), "now", then whether the first report is set aside
    tail = b"\x03" + struct.pack("<I", 100000) + b"\x1e" + struct.pack("<I", 5)
    put(b"\x03" + one + bad + tmp + tail + b"\x01" + b"0e8f4b3c-1d2e-4f50-8a6b-7c8d9e0f1a2b\0" + report)
    put(b"\x02" + one + bad + tail + b"\x00" + b"120\0{}")
    put(b"\x00" + tail + b"\x00" + b"Wed, 21 Oct 2026 07:28:00 GMT\0")
elif target == "oab_manifest":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
    import oab_server  # noqa: E402
    put(oab_server.manifest(118))
    put(b"<OAB><OAL name='&amp;&#x41;&#65;' id='x'><Full seq='1'><![CDATA[f]]></Full></OAL></OAB>")
    put(b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?><!-- c --><OAB/>")
elif target == "autodiscover":
    # first byte: 0 POX (XML), 1 v2 (JSON); the answers of tests/integration/test_autodiscover.sh's shape
    put(b"\x00<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/"
        b"autodiscover/responseschema/2006\"><Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/"
        b"outlook/responseschema/2006a\"><User><DisplayName>K</DisplayName><AutoDiscoverSMTPAddress>k@c.test"
        b"</AutoDiscoverSMTPAddress></User><Account><AccountType>email</AccountType><Action>settings</Action>"
        b"<Protocol><Type>EXCH</Type><ServerVersion>73C18A9B</ServerVersion><OABUrl>https://m.c.test/OAB/"
        b"2e3eaccd-85a0-4abe-84f8-603a49801bb6/</OABUrl><EcpUrl-um>x</EcpUrl-um></Protocol><Protocol><Type>EXPR"
        b"</Type><CertPrincipalName>msstd:m.c.test</CertPrincipalName></Protocol><Protocol><Type>WEB</Type>"
        b"<Internal><OWAUrl AuthenticationMethod=\"Basic\">https://m/owa/</OWAUrl></Internal></Protocol>"
        b"<Protocol Type=\"mapiHttp\" Version=\"1\"><MailStore><InternalUrl>https://m/mapi/</InternalUrl>"
        b"</MailStore></Protocol></Account></Response></Autodiscover>")
    put(b"\x00<a:Autodiscover xmlns:a=\"x\"><a:Response><a:Error Time=\"1\" Id=\"2\"><a:ErrorCode>500</a:ErrorCode>"
        b"<a:Message>m</a:Message><a:DebugData/></a:Error></a:Response></a:Autodiscover>")
    put(b"\x01{\"Protocol\":\"Rest\",\"Url\":\"https://outlook.office.com/api\"}")
elif target == "oab_local":
    # a v4 udetails.oab head as [MS-OXOAB] 2.9 lays it out (tests/unit/test_oab_local.c builds the same)
    tags = [0x68081102, 0x6800001F, 0x6804001E, 0x68010003, 0x6802001E]
    meta = struct.pack("<II", 4 + 4 + 8 * len(tags) + 4, len(tags)) + b"".join(struct.pack("<II", t, 0) for t in tags)
    meta += struct.pack("<I", 0)
    values = b"\xf8" + b"\x02\x03\xaa\xbb\xcc\x00" + b"\\Global Address List\0" + b"/\0" + b"\x82\x2c\x01"
    values += b"2e3eaccd-85a0-4abe-84f8-603a49801bb6\0"
    put(struct.pack("<III", 0x20, 0x1234, 2) + meta + struct.pack("<I", 4 + len(values)) + values)
    put(struct.pack("<III", 0x0E, 0x5678, 9))
elif target == "eventlog_state":
    seen = {"rule_id": "OAB-HTTP-404", "severity": "error", "title": "OAB download fails",
            "message": "Outlook gets 0x80190194 for http://u:p@mail.contoso.com/OAB/x/oab.xml",
            "report_id": "0e8f4b3c-1d2e-4f50-8a6b-7c8d9e0f1a2b", "seen_at": "2026-11-30T10:00:00Z"}
    rules = [r["id"] for p in rule_files() for r in json.load(open(p))["rules"]][:8]
    put(json.dumps({"version": 1, "report_id": seen["report_id"], "generated_at": seen["seen_at"],
                    "findings": [dict(seen, rule_id=r, severity=["info", "warning", "error", "critical"][i % 4])
                                 for i, r in enumerate(rules)]}))
    put(json.dumps({"version": 1, "findings": [dict(seen, seen_at="", message="\u00e9" * 40)]}))
    put(b"\x05" + "h\u00e9llo https://a:b@c/ world".encode())
elif target == "state_files":
    # event-state.json as ohc_event_state_commit writes it; oab-check-budget.json as the budget does
    put(b"\x00" + json.dumps({"version": 1, "written_at": "2026-11-24T12:00:01.000Z",
                               "report_id": "11111111-2222-4333-8444-555555555555",
                               "report_time": "2026-11-24T12:00:00.000Z",
                               "channels": [{"channel": "Application", "computer": "PC1", "last_record_id": 11,
                                             "last_time": "2026-11-24T10:05:00.000Z"},
                                            {"channel": "Microsoft-Windows-Bits-Client/Operational",
                                             "computer": "PC1", "last_record_id": 20,
                                             "last_time": "2026-11-24T10:04:00.000Z"}]}).encode())
    put(b"\x00{}")
    put(b"\x07" + json.dumps({"times": [1795990000000, 1795995000000, 1795999000000]}).encode())
    put(b"\x01" + json.dumps({"times": [1, "x", None, 1796000500000]}).encode())
else:
    sys.exit("seeds.py: no seeds for " + target)
