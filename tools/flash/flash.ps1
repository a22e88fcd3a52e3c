# Flash a PanicDevice fob or wall unit: nanoCLR firmware, the application, then device.json on I:\.
# Usage: tools/flash/flash.ps1 -Port COM5 -Config fob-7.json [-Image ...\PanicDevice.Firmware.bin] [-Target ESP32_REV0]
# Needs nanoff (dotnet tool install -g nanoff). Build PanicDevice.Firmware.nfproj in Release first (Visual Studio
# or the VS Code nanoFramework extension).
param(
    [Parameter(Mandatory = $true)][string]$Port,
    [Parameter(Mandatory = $true)][string]$Config,
    [string]$Image = "firmware\PanicDevice.Firmware\bin\Release\PanicDevice.Firmware.bin",
    [string]$Target = "ESP32_REV0"
)
$ErrorActionPreference = "Stop"

if (-not (Get-Command nanoff -ErrorAction SilentlyContinue)) { throw "nanoff is missing: dotnet tool install -g nanoff" }
if (-not (Test-Path $Config)) { throw "$Config does not exist: run panicctl provision first." }
if (-not (Test-Path $Image)) { throw "$Image does not exist: build firmware\PanicDevice.Firmware in Release first." }

function Invoke-Nanoff { nanoff @args; if ($LASTEXITCODE -ne 0) { throw "nanoff $args failed ($LASTEXITCODE)" } }

Write-Host "1/3 nanoCLR for $Target on $Port (erases the flash, so I:\ starts empty)"
Invoke-Nanoff --target $Target --serialport $Port --update --masserase

Write-Host "2/3 application $Image"
Invoke-Nanoff --target $Target --serialport $Port --deploy --image $Image

Write-Host "3/3 $Config to I:\device.json"
$plan = New-TemporaryFile
try {
    @{ serialport = $Port; files = @(@{ DestinationFilePath = "I:\device.json"; SourceFilePath = (Resolve-Path $Config).Path }) } |
        ConvertTo-Json -Depth 3 | Set-Content -Encoding UTF8 $plan
    Invoke-Nanoff --filedeployment $plan --serialport $Port
} finally { Remove-Item $plan -ErrorAction SilentlyContinue }

Write-Host @"

Flashed. First test (docs\testing-on-hardware.md has the whole checklist):
  1. Start the receiver and watch its log; power-cycle the device.
  2. The LED must NOT blink three-short-pause (device.json missing or invalid).
  3. Within ~60 s the modem registers and the device connects (receiver log: device online).
  4. Bench units carry "emergencyNumber": "" in device.json so no test reaches 112. Wall unit: hold 10 s
     (Test). Fob: triple tap. The receiver shows the alert and the device vibrates twice (acknowledged).
"@
