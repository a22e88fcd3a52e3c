#!/usr/bin/env bash
# Flash a PanicDevice fob or wall unit: nanoCLR firmware, the application, then device.json on I:\.
# Usage: tools/flash/flash.sh <serial port> <device.json> [app .bin] [target]
#   e.g. tools/flash/flash.sh /dev/ttyUSB0 fob-7.json firmware/PanicDevice.Firmware/bin/Release/PanicDevice.Firmware.bin
# Needs nanoff (dotnet tool install -g nanoff). The .bin comes from building PanicDevice.Firmware.nfproj in
# Visual Studio or the VS Code nanoFramework extension (it cannot be built with plain dotnet).
set -euo pipefail

port="${1:?serial port, e.g. /dev/ttyUSB0 (nanoff --listports shows them)}"
config="${2:?device.json for this unit (panicctl provision writes one)}"
image="${3:-firmware/PanicDevice.Firmware/bin/Release/PanicDevice.Firmware.bin}"
target="${4:-ESP32_REV0}"

command -v nanoff >/dev/null || { echo "nanoff is missing: dotnet tool install -g nanoff (and put ~/.dotnet/tools on PATH)." >&2; exit 2; }
[ -f "$config" ] || { echo "$config does not exist: run panicctl provision first." >&2; exit 2; }
[ -f "$image" ] || { echo "$image does not exist: build firmware/PanicDevice.Firmware in Release first." >&2; exit 2; }

echo "1/3 nanoCLR for $target on $port (erases the flash, so I:\\ starts empty)"
nanoff --target "$target" --serialport "$port" --update --masserase

echo "2/3 application $image"
# No --address: nanoff picks the deployment region of the image it just flashed.
nanoff --target "$target" --serialport "$port" --deploy --image "$image"

echo "3/3 $config to I:\\device.json"
plan="$(mktemp --suffix=.json)"
trap 'rm -f "$plan"' EXIT
abs="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
printf '{ "serialport": "%s", "files": [ { "DestinationFilePath": "I:\\\\device.json", "SourceFilePath": "%s" } ] }\n' "$port" "$abs" > "$plan"
nanoff --filedeployment "$plan" --serialport "$port"

cat <<'GUIDE'

Flashed. First test (docs/testing-on-hardware.md has the whole checklist):
  1. Start the receiver and watch its log; power-cycle the device.
  2. The LED must NOT blink three-short-pause (that means device.json is missing or invalid).
  3. Within ~60 s the modem registers and the device connects to the broker (receiver log: device online).
  4. Bench units carry "emergencyNumber": "" in device.json so no test reaches 112. Wall unit: hold 10 s
     (Test). Fob: triple tap. The receiver shows the alert and the device vibrates twice (acknowledged).
GUIDE
