# ohc.exe collect end to end for today's Outlook (issue 14): modern authentication,
# WinHTTP/SCHANNEL TLS, Click-to-Run channel, MSI Outlook, profiles' cached mode,
# MapiHttpDisabled with Exchange Online signs. The registry is prepared per case with
# `wine reg add` (including values of the wrong type and absent keys) and the Windows
# version is set for ohc.exe alone (Wine's AppDefaults), so that the real RtlGetVersion
# answers 6.1, 6.3 or 10.0. Each case checks the facts and findings in JSON, and that the
# text summary and report.html name them.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77

OTHER=S-1-5-21-7777-8888-9999-1004
WH='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp'
SC='HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols'
ID16='HKCU\Software\Microsoft\Office\16.0\Common\Identity'
ID15='HKCU\Software\Microsoft\Office\15.0\Common\Identity'
PROF='HKCU\Software\Microsoft\Office\16.0\Outlook\Profiles'
C2R='HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration'
APP='HKCU\Software\Wine\AppDefaults\ohc.exe'

reg_add() { wine reg add "$@" /f > /dev/null 2>&1 || fail "reg add $*"; }
reg_del() { wine reg delete "$@" /f > /dev/null 2>&1 || true; }
clean() {
  reg_del "$WH" /v DefaultSecureProtocols /reg:64
  reg_del "$WH" /v DefaultSecureProtocols /reg:32
  reg_del "$SC\\TLS 1.1"
  reg_del "$SC\\TLS 1.2"
  reg_del 'HKCU\Software\Microsoft\Office\16.0'
  reg_del 'HKCU\Software\Microsoft\Office\15.0'
  reg_del 'HKLM\SOFTWARE\Microsoft\Office\15.0' /reg:64
  reg_del 'HKLM\SOFTWARE\Microsoft\Office\14.0' /reg:64
  reg_del 'HKLM\SOFTWARE\Microsoft\Office\ClickToRun' /reg:64
  reg_del 'HKCU\Software\Microsoft\Exchange'
  reg_del 'HKCU\Software\Policies\Microsoft\Exchange'
  reg_del "HKU\\$OTHER"
  reg_del "$APP"
}
at_exit clean
clean

# collect CASE: the report in $TMP/CASE/report.json (and .html), the text summary in $TMP/CASE.txt.
collect() {
  mkdir -p "$TMP/$1"
  run_report ohc collect --probes outlook,tls --out-dir "$(winpath "$TMP/$1")" > "$TMP/$1.txt"
  validate_report "$TMP/$1/report.json"
}
j() { json_get "$TMP/$CASE/report.json" "$1"; }
fired() { j "sorted(f['rule_id'] for f in r['findings'])"; }
finding() { j "[f for f in r['findings'] if f['rule_id']=='$1'][0]$2"; }
# cmds RULE: the finding's commands (all steps), one a line, as a technician copies them.
cmds() { j "'\\n'.join(c for f in r['findings'] if f['rule_id']=='$1' for s in f['remediation'] for c in s['commands'])"; }
new_rules="['CACHED-MODE-OFF', 'MAPI-HTTP-DISABLED', 'MODERN-AUTH-OFF', 'MODERN-AUTH-WAM-DISABLED', 'MODERN-SETTING-WRONG-TYPE', 'OUTLOOK-UNSUPPORTED-VERSION', 'SCHANNEL-TLS12-CLIENT-OFF', 'WINHTTP-NO-TLS12']"
new_fired() { j "sorted(f['rule_id'] for f in r['findings'] if f['rule_id'] in $new_rules)"; }

# ---- case 1: an old, misconfigured PC (Windows 7 SP1)
CASE=old
reg_add "$APP" /v Version /d win7
reg_add "$WH" /v DefaultSecureProtocols /t REG_DWORD /d 0xA0 /reg:64           # SSL3 + TLS 1.0, no 1.2
reg_add "$SC\\TLS 1.2\\Client" /v Enabled /t REG_DWORD /d 0
reg_add "$SC\\TLS 1.2\\Client" /v DisabledByDefault /t REG_DWORD /d 1
reg_add "$SC\\TLS 1.1\\Client" /v Enabled /t REG_SZ /d 1                        # wrong type
reg_add "$ID16" /v EnableADAL /t REG_DWORD /d 0
reg_add "$ID16" /v DisableAADWAM /t REG_DWORD /d 1
reg_add "$ID15" /v EnableADAL /t REG_DWORD /d 1                                 # Version missing
reg_add 'HKCU\Software\Microsoft\Exchange' /v AlwaysUseMSOAuthForAutoDiscover /t REG_SZ /d 1
reg_add 'HKCU\Software\Policies\Microsoft\Exchange' /v MapiHttpDisabled /t REG_DWORD /d 1
reg_add "$PROF\\Outlook\\9375CFF0413111d3B88A00104B2A6676" /v 00036601 /t REG_BINARY /d 04160000
reg_add "$PROF\\Outlook\\9207f3e0a3b11019908b08002b2a56c2" /v 001e3001 /t REG_SZ /d other
reg_add "$PROF\\Cached\\13dbb0c8aa05101a9bb000aa002fc45a" /v 00036601 /t REG_BINARY /d 84190000
reg_add "$PROF\\Broken\\13dbb0c8aa05101a9bb000aa002fc45a" /v 00036601 /t REG_DWORD /d 6532
reg_add 'HKLM\SOFTWARE\Microsoft\Office\15.0\Outlook' /v Bitness /d x86 /reg:64
# Its build is OUTLOOK.EXE's file version: a copy of ohc.exe (whose version resource is known) stands in.
mkdir -p "$TMP/Office15"
cp "$OHC_EXE" "$TMP/Office15/OUTLOOK.EXE"
reg_add 'HKLM\SOFTWARE\Microsoft\Office\15.0\Outlook\InstallRoot' /v Path /d "$(winpath "$TMP/Office15/")" /reg:64
exe_version=$(wine "$OHC_EXE" version | tr -d '\r' | awk '{print $2}')
# An Outlook 2010 whose InstallRoot names a folder without OUTLOOK.EXE: build null, and why.
reg_add 'HKLM\SOFTWARE\Microsoft\Office\14.0\Outlook' /v Bitness /d x86 /reg:64
reg_add 'HKLM\SOFTWARE\Microsoft\Office\14.0\Outlook\InstallRoot' /v Path /d "$(winpath "$TMP/nowhere")" /reg:64
reg_add "$C2R" /v VersionToReport /d 16.0.17928.20156 /reg:64
reg_add "$C2R" /v Platform /d x64 /reg:64
reg_add "$C2R" /v CDNBaseUrl /d http://officecdn.microsoft.com/pr/55336b82-a18d-4dd6-b5f6-9e5095c314a6 /reg:64
reg_add "$C2R" /v UpdateChannel /d http://officecdn.microsoft.com/pr/11111111-2222-3333-4444-555555555555 /reg:64
reg_add "HKU\\$OTHER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles\\Legacy\\13dbb0c8aa05101a9bb000aa002fc45a" /v 00036601 /t REG_BINARY /d 84190000
collect old
expect_eq "$rc" 2 "exit code of a PC with errors"
T="r['facts']['tls']"
expect_eq "$(j "$T['winhttp']['windows']")" "{'major': 6, 'minor': 1, 'build': 7601}" "Windows version from RtlGetVersion"
expect_eq "$(j "$T['winhttp']['views']['64']['decoded']['names']")" "['ssl3', 'tls1.0']" "64-bit view decoded"
expect_eq "$(j "$T['winhttp']['views']['32']['tls12']")" os_default "32-bit view absent"
expect_eq "$(j "$T['winhttp']['tls12_all_views']")" no "no TLS 1.2 for WinHTTP"
expect_eq "$(j "[c['state'] for c in $T['schannel_client']]")" "['os_default', 'wrong_type', 'disabled', 'os_default']" "SCHANNEL states"
expect_eq "$(j "$T['schannel_client'][1]['Enabled']['raw_hex']")" 31000000 "SCHANNEL wrong type kept raw"
me="[u for u in r['facts']['outlook']['users'] if u['source']=='current_user'][0]"
expect_eq "$(j "[(o['version'], o['modern_auth'], o['wam']) for o in $me['modern_auth']['office']]")" \
  "[('15.0', 'off', None), ('16.0', 'off', 'disabled')]" "modern authentication per Office version"
expect_eq "$(j "$me['modern_auth']['always_use_msoauth_for_autodiscover']['wrong_type']")" True "AlwaysUseMSOAuthForAutoDiscover wrong type"
expect_eq "$(j "sorted((p['name'], [s['cached_mode'] for s in p['exchange_sections']]) for p in $me['profiles'])")" \
  "[('Broken', [None]), ('Cached', [True]), ('Outlook', [False])]" "profiles' cached mode (the non-Exchange section is not listed)"
expect_eq "$(j "[p['sections_total'] for p in $me['profiles'] if p['name']=='Outlook'][0]")" 2 "sections counted"
expect_eq "$(j "[u['profiles'][0]['where'] for u in r['facts']['outlook']['users'] if u['sid']=='$OTHER'][0]")" \
  windows_messaging_subsystem "the other hive's Outlook 2010-style profile"
c2r="[i for i in r['facts']['outlook']['installations'] if i['kind']=='click_to_run'][0]"
expect_eq "$(j "($c2r['build'], $c2r['platform'], $c2r['channel'], $c2r['channel_guid'])")" \
  "('16.0.17928.20156', 'x64', 'Monthly Enterprise', '55336b82-a18d-4dd6-b5f6-9e5095c314a6')" "Click-to-Run channel by Microsoft's precedence"
expect_eq "$(j "[(s['source'], s['guid'], s['name']) for s in $c2r['update_channel']['sources']]")" \
  "[('CDNBaseUrl', '55336b82-a18d-4dd6-b5f6-9e5095c314a6', 'Monthly Enterprise'), ('UpdateChannel', '11111111-2222-3333-4444-555555555555', None)]" \
  "channel sources, the unknown GUID kept raw"
expect_eq "$(j "[(i['kind'], i['version']) for i in r['facts']['outlook']['installations']]")" "[('msi', '14.0'), ('msi', '15.0'), ('click_to_run', '16.0')]" "installations"
expect_eq "$(j "r['facts']['outlook']['installations'][1]['build']")" "$exe_version.0" "MSI build from OUTLOOK.EXE's version resource"
expect_eq "$(j "r['facts']['outlook']['installations'][0]['build']")" None "no OUTLOOK.EXE, no build"
expect_contains "$(j "r['facts']['outlook']['installations'][0]['build_error']")" 'nowhere\OUTLOOK.EXE: GetFileVersionInfo: ' "and why"
expect_eq "$(new_fired)" "$new_rules" "every new rule fires on the old PC"
expect_eq "$(cmds WINHTTP-NO-TLS12)" "reg add \"$WH\" /v DefaultSecureProtocols /t REG_DWORD /d 2208 /f /reg:64
reg add \"$WH\" /v DefaultSecureProtocols /t REG_DWORD /d 2560 /f /reg:32" "the 64-bit view keeps its protocols and gains 0x800, the absent 32-bit one gets 0xA00"
expect_contains "$(finding WINHTTP-NO-TLS12 "['remediation'][0]['text']")" "Install KB3140245" "the update, on Windows 7"
expect_eq "$(cmds MODERN-AUTH-OFF)" "reg add \"$ID15\" /v EnableADAL /t REG_DWORD /d 1 /f
reg add \"$ID15\" /v Version /t REG_DWORD /d 1 /f
reg delete \"$ID16\" /v EnableADAL /f" "Outlook 2013 gets EnableADAL=1 and Version=1, Office 16.0 loses EnableADAL=0"
expect_contains "$(finding MAPI-HTTP-DISABLED "['message']")" "from the policy key" "MapiHttpDisabled source"
expect_contains "$(finding MAPI-HTTP-DISABLED "['message']")" "Monthly Enterprise channel" "the Click-to-Run channel in the MAPI finding"
expect_contains "$(finding CACHED-MODE-OFF "['message']")" 'profile "Outlook" (16.0) flags 0x1604' "the profile in online mode"
expect_contains "$(finding MODERN-SETTING-WRONG-TYPE "['message']")" "TLS 1.1\\Client: Enabled 1 (REG_SZ)" "SCHANNEL wrong type named"
expect_contains "$(finding MODERN-SETTING-WRONG-TYPE "['message']")" "00036601 is REG_DWORD" "profile flags wrong type named"
expect_contains "$(finding OUTLOOK-UNSUPPORTED-VERSION "['message']")" "Outlook 2013 (MSI 15.0 build $exe_version.0" "Outlook 2013 judged by the dated table"
expect_contains "$(finding OUTLOOK-UNSUPPORTED-VERSION "['message']")" "Outlook 2010 (MSI 14.0, " "Outlook 2010 too"
for rule in WINHTTP-NO-TLS12 SCHANNEL-TLS12-CLIENT-OFF MODERN-AUTH-OFF CACHED-MODE-OFF; do
  expect_contains "$(cat "$TMP/old.txt")" "$rule" "text summary names $rule"
  expect_contains "$(cat "$TMP/old/report.html")" "$rule" "report.html names $rule"
done
expect_contains "$(cat "$TMP/old/report.html")" "DefaultSecureProtocols" "report.html shows the WinHTTP value"

# ---- case 2: the same Windows 7 with nothing set: the documented default has no TLS 1.2.
clean
CASE=win7_default
reg_add "$APP" /v Version /d win7
collect win7_default
expect_eq "$(j "r['facts']['tls']['winhttp']['os_default']")" no_tls12 "Windows 7 default"
expect_eq "$(new_fired)" "['WINHTTP-NO-TLS12']" "only the TLS rule on an untouched Windows 7"
expect_eq "$(cmds WINHTTP-NO-TLS12)" "reg add \"$WH\" /v DefaultSecureProtocols /t REG_DWORD /d 2560 /f /reg:64
reg add \"$WH\" /v DefaultSecureProtocols /t REG_DWORD /d 2560 /f /reg:32
reg add \"$SC\\TLS 1.2\\Client\" /v DisabledByDefault /t REG_DWORD /d 0 /f
reg add \"$SC\\TLS 1.2\\Client\" /v Enabled /t REG_DWORD /d 1 /f" "Windows 7 also gets the SCHANNEL client commands"

# ---- case 3: Windows 8.1 with nothing set: the default is not documented here, so no finding, and unknown.
CASE=win81
reg_add "$APP" /v Version /d win81
collect win81
expect_eq "$(j "r['facts']['tls']['winhttp']['windows']['minor']")" 3 "Windows 8.1"
expect_eq "$(j "r['facts']['tls']['winhttp']['tls12_all_views']")" unknown "an undocumented default is unknown, never 'no'"
expect_eq "$(new_fired)" "[]" "no finding for an undocumented default"
# ... but a value without TLS 1.2 in the 32-bit view fires there too.
reg_add "$WH" /v DefaultSecureProtocols /t REG_DWORD /d 0x800 /reg:64
reg_add "$WH" /v DefaultSecureProtocols /t REG_DWORD /d 0x200 /reg:32
CASE=win81_32
collect win81_32
expect_eq "$(j "[r['facts']['tls']['winhttp']['views'][v]['tls12'] for v in ('64', '32')]")" "['set', 'not_set']" "each view read on its own"
expect_eq "$(cmds WINHTTP-NO-TLS12)" "reg add \"$WH\" /v DefaultSecureProtocols /t REG_DWORD /d 2560 /f /reg:32" "only the 32-bit view is repaired"
expect_eq "$(j "[s['text'][:8] for f in r['findings'] if f['rule_id']=='WINHTTP-NO-TLS12' for s in f['remediation']]")" "['Elevated']" \
  "Windows 8.1: no update step, no Windows 7 SCHANNEL step"

# ---- case 4: a healthy Windows 10 PC with Microsoft 365 Apps: none of the new rules fires.
clean
CASE=healthy
reg_add "$APP" /v Version /d win10
reg_add "$WH" /v DefaultSecureProtocols /t REG_DWORD /d 0xA00 /reg:64
reg_add "$WH" /v DefaultSecureProtocols /t REG_DWORD /d 0xA00 /reg:32
reg_add "$SC\\TLS 1.2\\Client" /v Enabled /t REG_DWORD /d 1
reg_add "$SC\\TLS 1.2\\Client" /v DisabledByDefault /t REG_DWORD /d 0
reg_add "$ID16" /v EnableADAL /t REG_DWORD /d 1
reg_add "$PROF\\Outlook\\9375CFF0413111d3B88A00104B2A6676" /v 00036601 /t REG_BINARY /d 84190000
reg_add "$C2R" /v VersionToReport /d 16.0.17928.20156 /reg:64
reg_add "$C2R" /v CDNBaseUrl /d http://officecdn.microsoft.com/pr/492350f6-3a01-4f97-b9c0-c7c6ddf67d60 /reg:64
collect healthy
expect_eq "$(new_fired)" "[]" "no new finding on a healthy PC"
expect_eq "$(j "r['facts']['tls']['schannel_client'][2]['state']")" enabled "SCHANNEL TLS 1.2 enabled"
expect_eq "$(j "r['facts']['tls']['winhttp']['tls12_all_views']")" yes "TLS 1.2 in both views"
expect_eq "$(j "[i['channel'] for i in r['facts']['outlook']['installations']]")" "['Current']" "Current channel"
expect_eq "$(j "r['facts']['outlook']['new_outlook']['installed']")" False "no new Outlook under Wine"
echo "modern_outlook: ok"
