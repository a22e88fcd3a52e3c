#!/usr/bin/env bash
# Flash a PanicDevice fob or wall unit: nanoCLR firmware, the application, then device.json on I:\.
# Usage: tools/flash/flash.sh [--counter-floor N] [--live-emergency-number] <serial port> <device.json> [app .bin] [target]
#   e.g. tools/flash/flash.sh /dev/ttyUSB0 fob-7.json firmware/PanicDevice.Firmware/bin/Release/PanicDevice.Firmware.bin
# The mass erase also erases the device's frame counter. So that it never starts again under the same key, the
# device.json that goes to I:\ carries "counterFloor": the seconds since 2025-01-01 UTC now (a device uses far fewer
# than one counter value a second), or the file's own counterFloor, or --counter-floor N, whichever is highest.
# The tester's file is not changed. Why and what else guards it: docs/protocol.md, "Counter".
# Before anything is written, device.json is checked with the device's own reader (panicctl config check): a file the
# device would refuse is not flashed, nor one whose emergency SMS reaches an emergency service (112) unless
# --live-emergency-number says this unit goes into service (a bench test must text the tester: --profile test).
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

# Counter floors are counted from here; MonotonicCounter.AdvanceCeiling is the highest a device accepts.
COUNTER_EPOCH_S=1735689600  # 2025-01-01T00:00:00Z
COUNTER_CEILING=4227858430

floor_option=""
live_emergency=""
positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    --counter-floor) [ $# -ge 2 ] || { echo "--counter-floor needs a number." >&2; exit 2; }; floor_option="$2"; shift 2 ;;
    --counter-floor=*) floor_option="${1#*=}"; [ -n "$floor_option" ] || { echo "--counter-floor needs a number." >&2; exit 2; }; shift ;;
    --live-emergency-number) live_emergency=1; shift ;;
    *) positional+=("$1"); shift ;;
  esac
done
set -- ${positional[@]+"${positional[@]}"}

port="${1:?serial port, e.g. /dev/ttyUSB0 (nanoff --listports shows them)}"
config="${2:?device.json for this unit (panicctl provision writes one)}"
image="${3:-firmware/PanicDevice.Firmware/bin/Release/PanicDevice.Firmware.bin}"
target="${4:-ESP32_REV0}"

command -v nanoff >/dev/null || { echo "nanoff is missing: dotnet tool install -g nanoff (and put ~/.dotnet/tools on PATH)." >&2; exit 2; }
[ -f "$config" ] || { echo "$config does not exist: run panicctl provision first." >&2; exit 2; }
[ -f "$image" ] || { echo "$image does not exist: build firmware/PanicDevice.Firmware in Release first." >&2; exit 2; }

# Decided before anything is erased, so a refusal here leaves the device as it was.
# panicctl: $PANICCTL (a command, e.g. "dotnet /path/panicctl.dll"), else panicctl on PATH, else this repository's CLI.
if [ -n "${PANICCTL:-}" ]; then
  read -r -a panicctl <<< "$PANICCTL"
elif command -v panicctl >/dev/null; then
  panicctl=(panicctl)
elif command -v dotnet >/dev/null; then
  panicctl=(dotnet run --project "$(cd "$(dirname "$0")/../.." && pwd)/tools/PanicDevice.Cli" --)
else
  echo "panicctl is needed to check $config before flashing: install the .NET SDK (README, Quick start)." >&2; exit 2
fi
check_args=(config check "$config")
[ -n "$live_emergency" ] || check_args+=(--refuse-live-emergency)
set +e
"${panicctl[@]}" "${check_args[@]}"
check_rc=$?
set -e
case "$check_rc" in
  0) ;;
  1) echo "The device would refuse $config (above), so nothing was flashed: fix it, or provision the unit again." >&2; exit 2 ;;
  3) echo "Nothing was flashed: $config texts an emergency service when data is down. For a bench test, provision with" >&2
     echo "--profile test --tester-phone YOUR_PHONE; to flash a unit that goes into service, add --live-emergency-number." >&2
     exit 2 ;;
  *) echo "panicctl config check failed ($check_rc), so $config was not checked and nothing was flashed." >&2; exit 2 ;;
esac
if [ -n "$floor_option" ] && ! [[ "$floor_option" =~ ^[0-9]{1,10}$ ]]; then
  echo "--counter-floor takes a whole number (the counter the device continues from), not '$floor_option'." >&2; exit 2
fi
now_s="$(date -u +%s)"
floor=$((now_s - COUNTER_EPOCH_S))
if [ "$floor" -le 0 ]; then
  echo "This computer's clock is before 2025 ($(date -u)), so the device's counter floor cannot be set from it." >&2
  echo "Set the clock, or pass --counter-floor N with a value above every counter this device has used." >&2
  exit 2
fi
in_file="$(grep -oE '"counterFloor"[[:space:]]*:[[:space:]]*[0-9]+' "$config" | grep -oE '[0-9]+$' | head -n 1 || true)"
for candidate in "$in_file" "$floor_option"; do
  [ -n "$candidate" ] || continue
  if [ "${#candidate}" -gt 10 ] || [ "$((10#$candidate))" -gt "$COUNTER_CEILING" ]; then
    echo "A counter floor of $candidate is above $COUNTER_CEILING, the highest a device accepts: check $config and --counter-floor (or give the device a new key)." >&2
    exit 2
  fi
  if [ "$((10#$candidate))" -gt "$floor" ]; then floor=$((10#$candidate)); fi
done
if [ "$floor" -gt "$COUNTER_CEILING" ]; then
  echo "This computer's clock ($(date -u)) gives a counter floor above $COUNTER_CEILING, the highest a device accepts: set the clock, or pass --counter-floor N." >&2
  exit 2
fi
deployed="$(mktemp --suffix=.json)"
plan="$(mktemp --suffix=.json)"
trap 'rm -f "$plan" "$deployed"' EXIT
if [ -n "$in_file" ]; then
  sed -E "s/(\"counterFloor\"[[:space:]]*:[[:space:]]*)[0-9]+/\1$floor/" "$config" > "$deployed"
else
  # The first '{' opens device.json's object: the floor goes in as its first member.
  awk -v f="$floor" 'done { print; next } /\{/ { if (!sub(/\{[ \t]*\}/, "{ \"counterFloor\": " f " }")) sub(/\{/, "{ \"counterFloor\": " f ","); done = 1 } { print }' "$config" > "$deployed"
fi

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

echo "3/3 $config to I:\\device.json with counterFloor $floor (the counter continues above every value used before this flash)"
printf '{ "serialport": "%s", "files": [ { "DestinationFilePath": "I:\\\\device.json", "SourceFilePath": "%s" } ] }\n' "$port" "$deployed" > "$plan"
nanoff --filedeployment "$plan" --serialport "$port"

cat <<'GUIDE'

Flashed. First test (docs/testing-on-hardware.md has the whole checklist):
  1. Start the receiver and watch its log; power-cycle the device.
  2. The LED must NOT blink three-short-pause (that means device.json is missing or invalid).
  3. Within ~60 s the modem registers and the device connects to the broker (receiver log: device online).
  4. Bench units are provisioned with --profile test, so their emergency SMS goes to the tester. Wall unit: hold 10 s
     (Test). Fob: triple tap. The receiver shows the alert and the device vibrates twice (acknowledged).
GUIDE
