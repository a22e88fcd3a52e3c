# Flash a PanicDevice fob or wall unit: nanoCLR firmware, the application, then device.json on I:\.
# Usage: tools/flash/flash.ps1 -Port COM5 -Config fob-7.json [-Image ...\PanicDevice.Firmware.bin] [-Target ESP32_REV0] [-NanoclrVersion 1.x.y.z] [-CounterFloor N] [-LiveEmergencyNumber]
# Before anything is written, device.json is checked with the device's own reader (panicctl config check): a file the
# device would refuse is not flashed, nor one whose emergency SMS reaches an emergency service (112) unless
# -LiveEmergencyNumber says this unit goes into service (a bench test must text the tester: --profile test).
# The mass erase also erases the device's frame counter. So that it never starts again under the same key, the
# device.json that goes to I:\ carries "counterFloor": the seconds since 2025-01-01 UTC now (a device uses far fewer
# than one counter value a second), or the file's own counterFloor, or -CounterFloor N, whichever is highest.
# The tester's file is not changed. Why and what else guards it: docs\protocol.md, "Counter".
# Needs nanoff (dotnet tool install -g nanoff). Build PanicDevice.Firmware.nfproj in Release first (Visual Studio
# or the VS Code nanoFramework extension).
param(
    [Parameter(Mandatory = $true)][string]$Port,
    [Parameter(Mandatory = $true)][string]$Config,
    [string]$Image = "firmware\PanicDevice.Firmware\bin\Release\PanicDevice.Firmware.bin",
    [string]$Target = "ESP32_REV0",
    # Overrides the pinned nanoCLR below (so does the PANICDEVICE_NANOCLR_VERSION environment variable).
    [string]$NanoclrVersion = $env:PANICDEVICE_NANOCLR_VERSION,
    # The counter the device continues from at least (e.g. from the receiver); the clock gives one when it is lower.
    [string]$CounterFloor = "",
    # This unit goes into service: its emergency SMS may reach an emergency service.
    [switch]$LiveEmergencyNumber
)
$ErrorActionPreference = "Stop"

# Counter floors are counted from here; MonotonicCounter.AdvanceCeiling is the highest a device accepts.
$CounterEpoch = [DateTimeOffset]::new(2025, 1, 1, 0, 0, 0, [TimeSpan]::Zero)
$CounterCeiling = [int64]4227858430

# The nanoCLR image every tester flashes (nanoff --fwversion; stable Cloudsmith repository nanoframework-images).
# 1.17.0.456 registers mscorlib 0x1549C856, the native checksum of CoreLibrary 1.17.11: every nf-interpreter
# main commit from 5269a2361 (2 Apr 2025) to a3e8139 (24 Jul 2026) declares it, and 1.17.0.x images are built
# from commits on or after df0676f46 (2 Jun 2026). Which commit 1.17.0.456 was built from is inferred, not confirmed
# (its 4th number is a build counter, not a git height), and System.Net is not verified: after flashing, this
# script compares the device's native checksums with the .pe files of the app build. The evidence, and what is
# not verified: docs\testing-on-hardware.md, "Which nanoCLR image, and why".
$PinnedNanoclrVersion = "1.17.0.456"

if (-not (Get-Command nanoff -ErrorAction SilentlyContinue)) { throw "nanoff is missing: dotnet tool install -g nanoff" }
if (-not (Test-Path $Config)) { throw "$Config does not exist: run panicctl provision first." }
if (-not (Test-Path $Image)) { throw "$Image does not exist: build firmware\PanicDevice.Firmware in Release first." }

function Invoke-Nanoff { nanoff @args; if ($LASTEXITCODE -ne 0) { throw "nanoff $args failed ($LASTEXITCODE)" } }

# Decided before anything is erased, so a refusal here leaves the device as it was.
# panicctl: $env:PANICCTL (a command, e.g. "dotnet C:\path\panicctl.dll"), else panicctl on PATH, else this repository's CLI.
if ($env:PANICCTL) { $Panicctl = @($env:PANICCTL -split ' ' | Where-Object { $_ }) }
elseif (Get-Command panicctl -ErrorAction SilentlyContinue) { $Panicctl = @('panicctl') }
elseif (Get-Command dotnet -ErrorAction SilentlyContinue) { $Panicctl = @('dotnet', 'run', '--project', (Join-Path $PSScriptRoot '..\PanicDevice.Cli'), '--') }
else { throw "panicctl is needed to check $Config before flashing: install the .NET SDK (README, Quick start)." }
$CheckArgs = @('config', 'check', $Config)
if (-not $LiveEmergencyNumber) { $CheckArgs += '--refuse-live-emergency' }
$PanicctlArgs = @($Panicctl | Select-Object -Skip 1) + $CheckArgs
& $Panicctl[0] @PanicctlArgs | Write-Host
switch ($LASTEXITCODE) {
    0 { }
    1 { throw "The device would refuse $Config (above), so nothing was flashed: fix it, or provision the unit again." }
    3 { throw "Nothing was flashed: $Config texts an emergency service when data is down. For a bench test, provision with --profile test --tester-phone YOUR_PHONE; to flash a unit that goes into service, add -LiveEmergencyNumber." }
    default { throw "panicctl config check failed ($LASTEXITCODE), so $Config was not checked and nothing was flashed." }
}
if ($CounterFloor -and $CounterFloor -notmatch '^\d{1,10}$') { throw "-CounterFloor takes a whole number (the counter the device continues from), not '$CounterFloor'." }
$Floor = [int64][Math]::Floor(([DateTimeOffset]::UtcNow - $CounterEpoch).TotalSeconds)
if ($Floor -le 0) { throw "This computer's clock is before 2025, so the device's counter floor cannot be set from it. Set the clock, or pass -CounterFloor N with a value above every counter this device has used." }
$ConfigText = [System.IO.File]::ReadAllText((Resolve-Path $Config).Path)
$InFile = [regex]::Match($ConfigText, '"counterFloor"\s*:\s*(\d+)')
foreach ($candidate in @($(if ($InFile.Success) { $InFile.Groups[1].Value }), $CounterFloor)) {
    if (-not $candidate) { continue }
    if ($candidate.Length -gt 10 -or [int64]$candidate -gt $CounterCeiling) { throw "A counter floor of $candidate is above $CounterCeiling, the highest a device accepts: check $Config and -CounterFloor (or give the device a new key)." }
    if ([int64]$candidate -gt $Floor) { $Floor = [int64]$candidate }
}
if ($Floor -gt $CounterCeiling) { throw "This computer's clock gives a counter floor above $CounterCeiling, the highest a device accepts: set the clock, or pass -CounterFloor N." }
if ($InFile.Success) {
    $Deployed = [regex]::Replace($ConfigText, '("counterFloor"\s*:\s*)\d+', "`${1}$Floor")
} elseif ($ConfigText -match '^\s*\{\s*\}\s*$') {
    $Deployed = "{ `"counterFloor`": $Floor }"
} else {
    # The first '{' opens device.json's object: the floor goes in as its first member.
    $Deployed = ([regex]'\{').Replace($ConfigText, "{ `"counterFloor`": $Floor,", 1)
}

$FwVersion = $PinnedNanoclrVersion
if ($NanoclrVersion -and $NanoclrVersion -ne $PinnedNanoclrVersion) {
    $FwVersion = $NanoclrVersion
    Write-Warning @"

********************************************************************************
** nanoCLR OVERRIDE: flashing $FwVersion, not the pinned $PinnedNanoclrVersion
** (-NanoclrVersion or PANICDEVICE_NANOCLR_VERSION). Say so in every test report from this unit.
********************************************************************************
"@
}

Write-Host "1/3 nanoCLR $FwVersion for $Target on $Port (erases the flash, so I:\ starts empty)"
Invoke-Nanoff --target $Target --serialport $Port --update --fwversion $FwVersion --masserase

# The running nanoCLR must be the one just flashed and must register, with the same checksum, every native
# library an assembly of this build needs (the checksum is at offset 20 of each .pe header); otherwise the
# app cannot start, whatever nanoff --deploy says.
function Test-Runtime {
    # nanoff may write to stderr; Windows PowerShell would turn that into a terminating error under "Stop".
    $ErrorActionPreference = "Continue"
    $details = $null
    $wait = if ($env:PANICDEVICE_BOOT_WAIT_S) { [int]$env:PANICDEVICE_BOOT_WAIT_S } else { 3 }
    foreach ($attempt in 1..3) {
        Start-Sleep -Seconds $wait  # the nanoCLR boots after nanoff resets the chip
        $out = & nanoff --nanodevice --serialport $Port --devicedetails 2>&1 | ForEach-Object { "$_" }
        if ($LASTEXITCODE -eq 0) { $details = $out; break }
    }
    $lines = @($details | ForEach-Object { $_ -replace ([string][char]27 + '\[[0-9;]*m'), '' })
    if (-not ($lines -match '^Native Assemblies:')) {
        Write-Warning "could not read the device's details, so the runtime was not checked. Check it by hand:`n  nanoff --nanodevice --serialport $Port --devicedetails   (docs\testing-on-hardware.md says what to compare)"
        return
    }
    $failed = $false
    $clr = ($lines | Where-Object { $_ -match '^\s*CLR Version:\s*(\S+)' } | Select-Object -First 1) -replace '^\s*CLR Version:\s*', ''
    $clr = "$clr".Trim()
    if ($clr -ne $FwVersion) {
        Write-Host "The device runs nanoCLR $(if ($clr) { $clr } else { '?' }), not ${FwVersion}: the firmware update did not take. Flash again." -ForegroundColor Red
        $failed = $true
    }
    $compared = 0
    foreach ($pe in Get-ChildItem -Path (Split-Path -Parent (Resolve-Path $Image).Path) -Filter *.pe -File) {
        $bytes = [System.IO.File]::ReadAllBytes($pe.FullName)
        if ($bytes.Length -lt 24 -or [System.Text.Encoding]::ASCII.GetString($bytes, 0, 5) -ne "NFMRK") { continue }
        $want = "{0:X8}" -f [System.BitConverter]::ToUInt32($bytes, 20)
        if ($want -eq "00000000") { continue }
        $compared++
        $name = $pe.BaseName
        $have = $null
        foreach ($line in $lines) {
            if ($line -match ('^\s*' + [regex]::Escape($name) + '\s+v\S+,\s+checksum\s+0x([0-9A-Fa-f]{8})\s*$')) { $have = $Matches[1].ToUpperInvariant(); break }
        }
        if ($have -ne $want) {
            Write-Host "$name needs native checksum 0x$want; the device registers $(if ($have) { "0x$have" } else { 'none' })." -ForegroundColor Red
            $failed = $true
        }
    }
    if ($compared -eq 0) {
        Write-Warning "no .pe files next to $Image, so the native checksums were not compared (docs\testing-on-hardware.md)."
    }
    if ($failed) {
        throw "This nanoCLR does not match the app build: nothing was deployed. See docs\testing-on-hardware.md, `"Which nanoCLR image, and why`"."
    }
    Write-Host "    nanoCLR $clr registers the native checksums of all $compared assemblies of the build that need one."
}
Test-Runtime

Write-Host "2/3 application $Image"
Invoke-Nanoff --target $Target --serialport $Port --deploy --image $Image

Write-Host "3/3 $Config to I:\device.json with counterFloor $Floor (the counter continues above every value used before this flash)"
$plan = New-TemporaryFile
$copy = New-TemporaryFile
try {
    # UTF-8 without a byte-order mark, as panicctl provision writes it.
    [System.IO.File]::WriteAllText($copy.FullName, $Deployed, (New-Object System.Text.UTF8Encoding $false))
    @{ serialport = $Port; files = @(@{ DestinationFilePath = "I:\device.json"; SourceFilePath = $copy.FullName }) } |
        ConvertTo-Json -Depth 3 | Set-Content -Encoding UTF8 $plan
    Invoke-Nanoff --filedeployment $plan --serialport $Port
} finally { Remove-Item $plan, $copy -ErrorAction SilentlyContinue }

Write-Host @"

Flashed. First test (docs\testing-on-hardware.md has the whole checklist):
  1. Start the receiver and watch its log; power-cycle the device.
  2. The LED must NOT blink three-short-pause (device.json missing or invalid).
  3. Within ~60 s the modem registers and the device connects (receiver log: device online).
  4. Bench units carry "emergencyNumber": "" in device.json so no test reaches 112. Wall unit: hold 10 s
     (Test). Fob: triple tap. The receiver shows the alert and the device vibrates twice (acknowledged).
"@
