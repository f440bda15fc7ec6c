# ohc on a real Windows machine: TEST-PLAN.md, automated. Run elevated, in this folder, with
# ohc.msi, ohc.exe and planted\*.dll beside it. Never run in this project's own CI (no Windows);
# tests/integration/test_windows_runner.py only checks that what it names exists.
#Requires -RunAsAdministrator
param([string]$Here = $PSScriptRoot)
$ErrorActionPreference = 'Stop'
$failures = @()
function Check([string]$Name, [scriptblock]$Test) {
    try { & $Test; Write-Host "PASS $Name" }
    catch { Write-Host "FAIL $Name : $_"; $script:failures += $Name }
}
$state = Join-Path $env:ProgramData 'OutlookHealthCollector'
$user = 'ohctest'
$pass = ConvertTo-SecureString ('P@' + [guid]::NewGuid().ToString('N')) -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential ".\$user", $pass

Check '2 state folder pre-created by a standard user' {
    New-LocalUser -Name $user -Password $pass -AccountNeverExpires | Out-Null
    Start-Process cmd.exe -Credential $cred -ArgumentList '/c', "mkdir `"$state`"" -Wait -LoadUserProfile
    if (-not (Test-Path $state)) { throw 'the standard user could not create the folder' }
}
Check '1 install as administrator' {
    $p = Start-Process msiexec.exe -ArgumentList '/i', "`"$Here\ohc.msi`"", '/qn', 'UPLOADURL=https://127.0.0.1:9/r' -Wait -PassThru
    if ($p.ExitCode -ne 0) { throw "msiexec exit $($p.ExitCode)" }
    if ((Get-Service ohc).Status -ne 'Running') { throw 'service not running' }
    $owner = (Get-Acl $state).Owner
    if ($owner -notmatch 'SYSTEM|Administrators') { throw "state folder owned by $owner" }
}
$ohc = Join-Path ${env:ProgramFiles} 'Outlook Health Collector\ohc.exe'
Check '3 collect as a standard user' {
    $out = Join-Path $env:TEMP 'ohc-user'
    Start-Process $ohc -Credential $cred -ArgumentList 'collect', '--out-dir', $out -Wait -LoadUserProfile
    if (-not (Test-Path "$out\report.json")) { throw 'no report' }
}
Check '5 collect-now --wait as the standard user' {
    $p = Start-Process $ohc -Credential $cred -ArgumentList 'service', 'collect-now', '--wait', '120' -Wait -PassThru -LoadUserProfile
    if ($p.ExitCode -ne 0) { throw "exit $($p.ExitCode)" }
}
Check '6 BITS stopped' {
    Import-Module BitsTransfer
    Start-BitsTransfer -Source 'http://127.0.0.1:9/oab.lzx' -Destination "$env:TEMP\x.lzx" -Asynchronous -Suspended | Out-Null
    Stop-Service BITS -Force
    & $ohc collect --probes bits --out "$env:TEMP\bits.json" | Out-Null
    $r = Get-Content "$env:TEMP\bits.json" | ConvertFrom-Json
    if ($r.probes.bits.status -ne 'ok' -or -not $r.facts.bits.service.started_by_activation) { throw ($r.probes.bits | ConvertTo-Json) }
    if ($r.facts.bits.jobs.Count -lt 1) { throw 'no job listed' }
}
Check '7 event query of 25 ids' {
    $ids = (1000..1024) -join ','
    & $ohc config set "EventQueries=name=many; channel=Application; ids=$ids" | Out-Null
    & $ohc collect --probes events --out "$env:TEMP\ev.json" | Out-Null
    $r = Get-Content "$env:TEMP\ev.json" | ConvertFrom-Json
    if ($r.facts.events.queries.many.status -ne 'ok') { throw ($r.facts.events.queries.many | ConvertTo-Json) }
}
Check '8 Event 27 written with the Event Log cmdlets' {
    if (-not [System.Diagnostics.EventLog]::SourceExists('Outlook')) { New-EventLog -LogName Application -Source Outlook }
    Write-EventLog -LogName Application -Source Outlook -EventId 27 -EntryType Error -Message 'Result Code 0x80190194'
    & $ohc collect --probes events --out "$env:TEMP\e27.json" | Out-Null
    $r = Get-Content "$env:TEMP\e27.json" | ConvertFrom-Json
    if ($r.facts.events.queries.outlook_oab.events.Count -lt 1) { throw 'Event 27 not read' }
}
Check '9 WinHTTP proxy down' {
    netsh winhttp set proxy 127.0.0.1:9 | Out-Null
    try {
        & $ohc collect --probes proxy --out "$env:TEMP\px.json" | Out-Null
        $r = Get-Content "$env:TEMP\px.json" | ConvertFrom-Json
        $e = $r.facts.proxy.reachability | Where-Object { $_.port -eq 9 }
        if ($e.error_code -ne 10061 -or $e.elapsed_ms -ge 1500) { throw ($e | ConvertTo-Json) }
    } finally { netsh winhttp reset proxy | Out-Null }
}
Check '10 DLL planting' {
    $d = Join-Path $env:USERPROFILE 'Downloads\ohc-test'
    New-Item -ItemType Directory -Force $d | Out-Null
    Copy-Item "$Here\ohc.exe", "$Here\planted\*.dll" $d
    $env:OHC_PLANTED_TRACE = Join-Path $env:TEMP 'planted.txt'
    Remove-Item $env:OHC_PLANTED_TRACE -ErrorAction SilentlyContinue
    & "$d\ohc.exe" collect --out "$env:TEMP\pl.json" | Out-Null
    if (Test-Path $env:OHC_PLANTED_TRACE) { throw (Get-Content $env:OHC_PLANTED_TRACE) }
}
Check '11 service install from a user-writable folder is refused' {
    $d = Join-Path $env:USERPROFILE 'Downloads\ohc-test'
    & "$d\ohc.exe" service install 2>$null
    if ($LASTEXITCODE -eq 0) { & "$d\ohc.exe" service uninstall | Out-Null; throw 'installed from Downloads' }
}
Check '16 findings in the Application log' {
    $xpath = "*[System[Provider[@Name='OutlookHealthCollector'] and (EventID>=1000 and EventID<=1099)]]"
    $json = Join-Path $env:TEMP 'ohc-eventlog.json'
    $since = (Get-Date).AddSeconds(-1)
    Start-Process $ohc -ArgumentList 'collect', '--eventlog', '--out', $json -Wait -NoNewWindow
    $report = Get-Content $json -Raw | ConvertFrom-Json
    $events = @(Get-WinEvent -LogName Application -FilterXPath $xpath | Where-Object { $_.TimeCreated -ge $since })
    $summary = @($events | Where-Object { $_.Id -ge 1000 -and $_.Id -le 1004 })
    if ($summary.Count -ne 1) { throw "summary events: $($summary.Count)" }
    if ($summary[0].Properties[2].Value -ne $report.report_id) { throw 'the summary names another report' }
    if ($summary[0].Message -notmatch 'Outlook Health Collector verdict') { throw "not rendered: $($summary[0].Message)" }
    $findings = @($events | Where-Object { $_.Id -ge 1010 -and $_.Id -le 1013 })
    $want = [Math]::Min(64, @($report.findings).Count)
    if ($findings.Count -ne $want) { throw "finding events: $($findings.Count), expected $want" }
}
Check '15 uninstall' {
    $p = Start-Process msiexec.exe -ArgumentList '/x', "`"$Here\ohc.msi`"", '/qn' -Wait -PassThru
    if ($p.ExitCode -ne 0) { throw "msiexec exit $($p.ExitCode)" }
    if (Get-Service ohc -ErrorAction SilentlyContinue) { throw 'service still there' }
}
Remove-LocalUser -Name $user -ErrorAction SilentlyContinue
if ($failures.Count) { Write-Host "failed: $($failures -join '; ')"; exit 1 }
Write-Host 'all checks passed'
