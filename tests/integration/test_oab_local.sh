# The oab_local probe end to end under Wine: Outlook's local OAB copies put in
# the Wine user's profile (%LOCALAPPDATA%\Microsoft\Outlook\Offline Address
# Books\<GUID>\), one with a v4 udetails.oab laid out as [MS-OXOAB] 2.9 says and
# written 20 days ago, one whose udetails.oab is cut short. The report must
# show the files, the header's name and sequence, the damaged header as an
# error with its offset (probe partial), and OAB-LOCAL-STALE in JSON and text.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77 # no user profiles natively: the decoder has its unit test
G=2e3eaccd-85a0-4abe-84f8-603a49801bb6
B=9f00aaaa-85a0-4abe-84f8-603a49801bb6
local_appdata=$(wine cmd /c echo %LOCALAPPDATA% | tr -d '\r')
L=$(run "$OHC_WINE_RUN" winepath -u "$local_appdata" | tr -d '\r')
[ -d "$L" ] || fail "Wine's %LOCALAPPDATA% ($local_appdata) is not at $L"
D="$L/Microsoft/Outlook/Offline Address Books"
at_exit "rm -rf '$D'"
mkdir -p "$D/$G" "$D/$B"
"$PYTHON" - "$D/$G/udetails.oab" "$D/$B/udetails.oab" <<'PY'
import struct, sys
tags = [0x6800001F, 0x6804001E, 0x68010003, 0x6802001E]
meta = struct.pack("<II", 4 + 4 + 8 * len(tags) + 4, len(tags)) + b"".join(struct.pack("<II", t, 0) for t in tags)
meta += struct.pack("<I", 0)
values = b"\xf0" + b"\\Global Address List\0" + b"/\0" + b"\x76" + b"2e3eaccd-85a0-4abe-84f8-603a49801bb6\0"
good = struct.pack("<III", 0x20, 0, 1200) + meta + struct.pack("<I", 4 + len(values)) + values
open(sys.argv[1], "wb").write(good + b"\0" * 4096)  # object records would follow
open(sys.argv[2], "wb").write(good[:30])
PY
printf 'x' > "$D/$G/ubrowse.oab"
touch -d "20 days ago" "$D/$G/udetails.oab" "$D/$G/ubrowse.oab" "$D/$B/udetails.oab"

mkdir -p "$TMP/out"
run_report ohc collect --probes oab_local --out-dir "$(winpath "$TMP/out")" > "$TMP/text.txt"
validate_report "$TMP/out/report.json" || fail "report does not match the schema"
"$PYTHON" - "$TMP/out/report.json" "$G" "$B" <<'PY' || fail "facts or findings wrong"
import json, sys
r = json.load(open(sys.argv[1])); good, bad = sys.argv[2], sys.argv[3]
def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
st = r["probes"]["oab_local"]
check(st["status"] == "partial" and "could not be read" in st["error"]["message"], "probe partial: %r" % st)
me = [p for p in r["facts"]["oab_local"]["profiles"] if p["source"] == "current_user"]
check(len(me) == 1 and me[0]["status"] == "read", "the current user's OAB folder read: %r" % me)
folders = {f["folder"]: f for f in me[0]["folders"]}
check(set(folders) == {good, bad}, "both GUID folders: %r" % list(folders))
g = folders[good]
check(sorted(f["name"] for f in g["files"]) == ["ubrowse.oab", "udetails.oab"], "files listed: %r" % g["files"])
d = g["details"]
check(d and d["version_hex"] == "0x20" and d["sequence"] == 118 and d["name"] == "\\Global Address List"
      and d["container_guid"] == good and d["total_records"] == 1200, "udetails.oab header: %r" % d)
check(19.5 < g["newest_age_days"] < 20.5, "age from the file times: %r" % g["newest_age_days"])
b = folders[bad]
check(b["details"] is None and "udetails.oab offset" in b["details_error"]["message"], "damaged header: %r" % b)
ids = [f["rule_id"] for f in r["findings"]]
check("OAB-LOCAL-STALE" in ids, "OAB-LOCAL-STALE fired: %r" % ids)
PY
grep -q "OAB-LOCAL-STALE" "$TMP/text.txt" || fail "the text does not show OAB-LOCAL-STALE"
grep -Eq "oab_local +partial" "$TMP/text.txt" || fail "the text does not show the probe partial"
echo "oab_local: two copies, the v4 header read, the damaged one an error, the stale copy a finding"
