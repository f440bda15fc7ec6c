#!/usr/bin/env bash
# The OAB check per server against real HTTPS servers on loopback, natively and
# under Wine: one host name (oab.test) mapped with --server to 127.0.0.2 (the
# OAB files there) and 127.0.0.3 (404: the server that never got them); the
# report must name 127.0.0.3 as the server without files in JSON, text and
# HTML. seq.test: 127.0.0.3 one generation behind. auth.test: 401 to an
# anonymous request (only anonymous and Basic can be served on loopback: no
# Kerberos/NTLM server here). bad.test / bad2.test / bad3.test: hostile
# manifests, each a clear error in the facts while the other address still
# reports. Under Wine the URL comes from a real BITS job (not from --oab-url).
# Natively certificates are verified (OpenSSL, --ca-file; without it the
# self-signed certificate is a finding); Wine's Schannel accepts any
# certificate, so there only the answers are checked.
. "$(dirname "$0")/lib.sh"
G=2e3eaccd-85a0-4abe-84f8-603a49801bb6
cd "$TMP"
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 30 -subj "/CN=oab.test" \
  -addext "subjectAltName=DNS:oab.test,DNS:seq.test,DNS:auth.test,DNS:bad.test,DNS:bad2.test,DNS:bad3.test" \
  >/dev/null 2>&1 || fail "openssl could not make a certificate"
read -r P1 P2 P3 P4 P5 P6 < <(free_ports 6 127.0.0.2 127.0.0.3)
[ -n "$P6" ] || fail "no free ports on 127.0.0.2 and 127.0.0.3"
pids=()
serve() { # ADDR PORT NAME ARGS...
  "$PYTHON" "$OHC_SOURCE_DIR/tests/tools/oab_server.py" --addr "$1" --port "$2" --cert cert.pem --key key.pem \
    --guid "$G" --record rec.jsonl --ready "ready.$3" "${@:4}" 2>>server.log &
  pids+=($!)
}
# The servers are background jobs: the harness ends them and removes $TMP.
at_failure "cat '$TMP/server.log'"
serve 127.0.0.2 "$P1" a --seq 118;  serve 127.0.0.3 "$P1" b --mode 404
serve 127.0.0.2 "$P2" c --seq 118;  serve 127.0.0.3 "$P2" d --seq 117
serve 127.0.0.2 "$P3" e --mode auth
serve 127.0.0.2 "$P4" f --mode bad:elements; serve 127.0.0.3 "$P4" g --mode bad:entity
serve 127.0.0.2 "$P5" h --mode bad:utf16;    serve 127.0.0.3 "$P5" i --mode bad:attr
serve 127.0.0.2 "$P6" j --mode bad:latin1;   serve 127.0.0.3 "$P6" k --seq 118
for n in a b c d e f g h i j k; do
  wait_for 60 "OAB server $n to be ready (ready.$n)" test -f "ready.$n"
done
url() { echo "https://$1:$2/OAB/$G/oab.xml"; }
pins=(--server oab.test=127.0.0.2,127.0.0.3 --server seq.test=127.0.0.2,127.0.0.3 --server auth.test=127.0.0.2
      --server bad.test=127.0.0.2,127.0.0.3 --server bad2.test=127.0.0.2,127.0.0.3 --server bad3.test=127.0.0.2,127.0.0.3)
others=(--oab-url "$(url seq.test "$P2")" --oab-url "$(url auth.test "$P3")" --oab-url "$(url bad.test "$P4")"
        --oab-url "$(url bad2.test "$P5")" --oab-url "$(url bad3.test "$P6")")
if [ "$OHC_PLATFORM" = windows ]; then
  # The field case: Outlook's BITS job on the OAB URL. Suspended: the URL is what matters here.
  "$OHC_WINE_RUN" "$OHC_BITSJOB" cancel-prefix ohc-oab-servers >/dev/null 2>&1 || true
  "$OHC_WINE_RUN" "$OHC_BITSJOB" create ohc-oab-servers "$(url oab.test "$P1")" 'C:\windows\temp\oab.xml' --suspend \
    >/dev/null || fail "bitsjob create failed"
  probes=bits,oab_servers
  ca=()
else
  others+=(--oab-url "$(url oab.test "$P1")")
  probes=oab_servers
  ca=(--ca-file "$(winpath "$TMP/cert.pem")")
fi
run_report ohc collect --probes "$probes" "${pins[@]}" "${others[@]}" "${ca[@]}" --out-dir "$(winpath "$TMP/out")" > text.txt
[ "$OHC_PLATFORM" = windows ] && { "$OHC_WINE_RUN" "$OHC_BITSJOB" cancel-prefix ohc-oab-servers >/dev/null 2>&1 || true; }
validate_report out/report.json || fail "report does not match the schema"
"$PYTHON" - out/report.json "$OHC_PLATFORM" <<'PY' || fail "facts or findings wrong"
import json, sys
r = json.load(open(sys.argv[1])); windows = sys.argv[2] == "windows"
o = r["facts"]["oab_servers"]
t = {x["host"]: x for x in o["targets"]}
def addr(host, a): return next(x for x in t[host]["addresses"] if x["address"] == a)
m = t["oab.test"]
assert ("bits" in m["sources"]) == windows, m["sources"]
assert addr("oab.test", "127.0.0.2")["result"] == "ok" and addr("oab.test", "127.0.0.3")["status"] == 404, m
assert addr("oab.test", "127.0.0.2")["full_files"][0]["status"] == 200
assert [x["address"] for x in m["summary"]["missing_on"]] == ["127.0.0.3"], m["summary"]
assert m["summary"]["files_missing_on_some"] and addr("oab.test", "127.0.0.3")["guid_served"] is False
assert m["credentials"]["sent"] == "none"  # neither allow-listed nor Intranet zone
if not windows:
    assert addr("oab.test", "127.0.0.2")["tls"]["verified"] and addr("oab.test", "127.0.0.2")["tls"]["subject"]
s = t["seq.test"]["summary"]
assert s["sequences_disagree"] and [x["address"] for x in s["behind"]] == ["127.0.0.3"], s
a = addr("auth.test", "127.0.0.2")
assert a["status"] == 401 and "Negotiate" in a["www_authenticate"] and "NTLM" in a["www_authenticate"], a
assert t["auth.test"]["summary"]["anonymous_refused"] and not t["auth.test"]["summary"]["auth_refused"]
want = {("bad.test", "127.0.0.2"): "more than 20000 elements", ("bad.test", "127.0.0.3"): "DOCTYPE",
        ("bad2.test", "127.0.0.2"): "UTF-16", ("bad2.test", "127.0.0.3"): "attribute 'id' longer",
        ("bad3.test", "127.0.0.2"): "not UTF-8"}
for (h, ad), says in want.items():
    x = addr(h, ad)
    assert x["result"] == "manifest_error" and x["manifest"] is None, x
    assert says in x["manifest_error"]["message"] and "line" in x["manifest_error"]["message"] or says in x["manifest_error"]["message"], x["manifest_error"]
# Nothing else lost: the good address beside the bad one reports in full.
assert addr("bad3.test", "127.0.0.3")["result"] == "ok" and addr("bad3.test", "127.0.0.3")["manifest"]["full_seq_max"] == 118
f = {x["rule_id"]: x for x in r["findings"]}
assert "OAB-SERVER-FILES-MISSING" in f and "127.0.0.3" in f["OAB-SERVER-FILES-MISSING"]["message"], f.keys()
assert "127.0.0.2" not in f["OAB-SERVER-FILES-MISSING"]["message"].split("while")[0]
cmds = [c for s in f["OAB-SERVER-FILES-MISSING"]["remediation"] for c in s.get("commands", [])]
assert any(G in c and "127.0.0.3" in c and "oab.xml" in c for c in cmds for G in ["2e3eaccd-85a0-4abe-84f8-603a49801bb6"]), cmds
assert "OAB-SERVER-SEQUENCE-BEHIND" in f and "OAB-SERVER-AUTH-REFUSED" not in f
assert r["probes"]["oab_servers"]["status"] == "ok", r["probes"]
PY
grep -q "OAB-SERVER-FILES-MISSING" text.txt || fail "text report lacks the finding"
grep -q "oab.test at 127.0.0.3" text.txt || fail "text report does not name 127.0.0.3"
grep -q "oab.test at 127.0.0.3" out/report.html || fail "HTML report does not name 127.0.0.3"
# Each address was asked once for oab.xml; the Full file only where the manifest was.
"$PYTHON" - rec.jsonl "$G" <<'PY' || fail "requests wrong"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
heads = [q for q in reqs if q["method"] == "HEAD"]
assert all(q["path"].endswith(".lzx") for q in heads), heads
assert not any(q["auth"] for q in reqs), "credentials sent to a host neither allow-listed nor intranet"
PY
if [ "$OHC_PLATFORM" = native ]; then
  # Without the CA the self-signed certificate is refused: a finding naming the address.
  run_report ohc collect --probes oab_servers --server oab.test=127.0.0.2 --oab-url "$(url oab.test "$P1")" > nocert.json
  validate_report nocert.json || fail "schema"
  json_get nocert.json '[f["rule_id"] for f in r["findings"]]' | grep -q OAB-SERVER-CERTIFICATE || fail "no certificate finding"
fi
echo "ok"
