#!/usr/bin/env bash
# Flash a PanicDevice fob or wall unit: nanoCLR firmware, the application, then device.json on I:\.
# Usage: tools/flash/flash.sh <serial port> <device.json> [app .bin] [target]
#   e.g. tools/flash/flash.sh /dev/ttyUSB0 fob-7.json firmware/PanicDevice.Firmware/bin/Release/PanicDevice.Firmware.bin
# Needs nanoff (dotnet tool install -g nanoff). The .bin comes from building PanicDevice.Firmware.nfproj in
# Visual Studio or the VS Code nanoFramework extension (it cannot be built with plain dotnet).
set -euo pipefail

# The nanoCLR image every tester flashes (nanoff --fwversion; stable Cloudsmith repository nanoframework-images).
# 1.17.0.456 registers mscorlib 0x1549C856, the native checksum of CoreLibrary 1.17.11: every nf-interpreter
# main commit from 5269a2361 (2 Apr 2025) to a3e8139 (24 Jul 2026) declares it, and 1.17.0.x images are built
# from commits on or after df0676f46 (2 Jun 2026). Which commit 1.17.0.456 was built from is inferred, not confirmed
# (its 4th number is a build counter, not a git height), and System.Net is not verified: after flashing, this
# script compares the device's native checksums with the .pe files of the app build. The evidence, and what is
# not verified: docs/testing-on-hardware.md, "Which nanoCLR image, and why".
NANOCLR_VERSION="1.17.0.456"

port="${1:?serial port, e.g. /dev/ttyUSB0 (nanoff --listports shows them)}"
config="${2:?device.json for this unit (panicctl provision writes one)}"
image="${3:-firmware/PanicDevice.Firmware/bin/Release/PanicDevice.Firmware.bin}"
target="${4:-ESP32_REV0}"

command -v nanoff >/dev/null || { echo "nanoff is missing: dotnet tool install -g nanoff (and put ~/.dotnet/tools on PATH)." >&2; exit 2; }
[ -f "$config" ] || { echo "$config does not exist: run panicctl provision first." >&2; exit 2; }
[ -f "$image" ] || { echo "$image does not exist: build firmware/PanicDevice.Firmware in Release first." >&2; exit 2; }

fwversion="$NANOCLR_VERSION"
if [ -n "${PANICDEVICE_NANOCLR_VERSION:-}" ] && [ "$PANICDEVICE_NANOCLR_VERSION" != "$NANOCLR_VERSION" ]; then
  fwversion="$PANICDEVICE_NANOCLR_VERSION"
  cat >&2 <<OVERRIDE
********************************************************************************
** nanoCLR OVERRIDE: flashing $fwversion, not the pinned $NANOCLR_VERSION
** (PANICDEVICE_NANOCLR_VERSION is set). Say so in every test report from this unit.
********************************************************************************
OVERRIDE
fi

echo "1/3 nanoCLR $fwversion for $target on $port (erases the flash, so I:\\ starts empty)"
nanoff --target "$target" --serialport "$port" --update --fwversion "$fwversion" --masserase

# The running nanoCLR must be the one just flashed and must register, with the same checksum, every native
# library an assembly of this build needs (the checksum is at offset 20 of each .pe header); otherwise the
# app cannot start, whatever nanoff --deploy says.
pe_checksum() { od -An -tx1 -j 20 -N 4 "$1" | awk '{ printf "%s%s%s%s\n", toupper($4), toupper($3), toupper($2), toupper($1) }'; }
check_runtime() {
  local details="" attempt clr pe name want have failed=0 compared=0
  for attempt in 1 2 3; do
    sleep "${PANICDEVICE_BOOT_WAIT_S:-3}"  # the nanoCLR boots after nanoff resets the chip
    if details="$(nanoff --nanodevice --serialport "$port" --devicedetails 2>&1)"; then break; fi
    details=""
  done
  details="$(printf '%s\n' "$details" | sed 's/\x1b\[[0-9;]*m//g')"
  if ! printf '%s\n' "$details" | grep -q '^Native Assemblies:'; then
    echo "WARNING: could not read the device's details, so the runtime was not checked. Check it by hand:" >&2
    echo "  nanoff --nanodevice --serialport $port --devicedetails   (docs/testing-on-hardware.md says what to compare)" >&2
    return 0
  fi
  clr="$(printf '%s\n' "$details" | sed -n 's/^ *CLR Version: *//p' | head -n 1 | tr -d '\r ')"
  if [ "$clr" != "$fwversion" ]; then
    echo "The device runs nanoCLR ${clr:-?}, not $fwversion: the firmware update did not take. Flash again." >&2
    failed=1
  fi
  for pe in "$(dirname "$image")"/*.pe; do
    [ -f "$pe" ] || continue
    [ "$(head -c 5 "$pe")" = "NFMRK" ] || continue
    want="$(pe_checksum "$pe")"
    [ "$want" = "00000000" ] && continue
    name="$(basename "$pe" .pe)"
    compared=$((compared + 1))
    have="$(printf '%s\n' "$details" | awk -v n="$name" 'tolower($1) == tolower(n) && $3 == "checksum" { sub(/^0x/, "", $4); print toupper($4); exit }')"
    if [ "$have" != "$want" ]; then
      echo "$name needs native checksum 0x$want; the device registers ${have:+0x}${have:-none}." >&2
      failed=1
    fi
  done
  if [ "$compared" = 0 ]; then
    echo "WARNING: no .pe files next to $image, so the native checksums were not compared (docs/testing-on-hardware.md)." >&2
  fi
  if [ "$failed" != 0 ]; then
    echo "This nanoCLR does not match the app build: nothing was deployed. See docs/testing-on-hardware.md, \"Which nanoCLR image, and why\"." >&2
    exit 3
  fi
  echo "    nanoCLR $clr registers the native checksums of all $compared assemblies of the build that need one."
}
check_runtime

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
