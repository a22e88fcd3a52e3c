#!/usr/bin/env python3
"""Draws hardware/wiring-fob.svg and hardware/wiring-wall.svg from hardware/pinmap.json.

    python3 hardware/wiring.py          write both diagrams
    python3 hardware/wiring.py --check  exit 1 if a committed diagram differs from what would be written

Every signal row comes from pinmap.json: the GPIO, its name, its direction and, for the unit drawn, the module
and module pin it meets and the parts on the way (or that nothing is fitted). The power blocks and the power
pins of the modules are drawn from the tables below; hardware/power.md and the BOMs say why. Python 3 standard
library only. PanicDevice.Tests/Board/PinMapTests checks that each diagram carries every pin, lies inside its
viewBox and names the hashes of the pinmap.json and wiring.py it was drawn from.
"""

import hashlib
import json
import os
import sys
from xml.sax.saxutils import escape, quoteattr

HERE = os.path.dirname(os.path.abspath(__file__))
FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
CHAR_EM = 0.62  # width of a character in em, for layout; the test measures with the same figure
WIDTH = 1800

COLORS = {
    "5V": "#8b4513",
    "VBUS": "#8b4513",
    "VBAT": "#d2691e",
    "SYS": "#d2691e",
    "BAT": "#d2691e",
    "MODEM_4V0": "#c0392b",
    "3V3": "#1f5fbf",
    "GNSS_3V3": "#7d3c98",
    "GND": "#222222",
    "signal": "#333333",
}

# Power band per unit: blocks (x, y, width, title, lines), arrows (x1, y1, x2, y2, label, rail, both ends),
# the system rail line and the regulated rails leaving the band.
POWER = {
    "fob": {
        "title": "PanicDevice fob: wiring block diagram",
        "blocks": [
            (40, 80, 340, "USB 5 V (charge port)", ["a USB charger, under the", "rubber plug"]),
            (460, 80, 380, "Charger TP4056", ["charges the cell to 4.2 V;", "DW01A + FS8205A protect it"]),
            (920, 80, 440, "LiPo 1S 1000 mAh (603450)", ["with protection, 150 mΩ or less;", "its + terminal is VBAT"]),
            (40, 270, 540, "Modem rail TPS63020 (buck-boost)", ["VIN ← VBAT; EN ← GPIO19 (100 kΩ to GND)", "VOUT 4.0 V = MODEM_4V0", "load disconnected while EN is low"]),
            (640, 270, 500, "3V3 regulator XC6220B331 (LDO)", ["VIN ← VBAT", "VOUT 3.3 V = 3V3", "8 µA quiescent"]),
            (1220, 270, 540, "GNSS switch AO3401A + 2N7002", ["source ← 3V3, drain = GNSS_3V3", "gate: 10 kΩ to 3V3; 2N7002 drain", "2N7002 gate ← GPIO18 (100 kΩ to GND)"]),
        ],
        "arrows": [
            (380, 120, 460, 120, "5 V", "5V", False),
            (840, 120, 920, 120, "BAT", "VBAT", True),
            (1140, 320, 1220, 320, "3V3", "3V3", False),
        ],
        "rail": ("VBAT", "VBAT: the cell, 3.3-4.2 V (system rail)", 1140, [310, 890]),
        "outputs": [
            (40, "MODEM_4V0", "MODEM_4V0 → SIM800 VBAT"),
            (640, "3V3", "3V3 → ESP32 3V3, pull-ups, motor"),
            (1220, "GNSS_3V3", "GNSS_3V3 → GNSS VCC"),
        ],
    },
    "wall": {
        "title": "PanicDevice wall unit: wiring block diagram",
        "blocks": [
            (40, 80, 360, "5 V PSU Mean Well HDR-30-5", ["5 V 3 A, DIN rail;", "trim left at 5.0 V"]),
            (480, 80, 560, "Charger + power path BQ25606", ["VBUS ← 5 V; ILIM about 3 A; charge 1.22 A", "SYS 3.5-4.4 V on mains; on backup the", "battery FET (19.5 mΩ) feeds SYS from BAT"]),
            (1120, 80, 640, "Backup cell 18650 INR18650-25R", ["2500 mAh; DW01A + FS8205A protection;", "10 kΩ NTC against the cell on TS"]),
            (40, 290, 560, "Modem rail TPS63020 (buck-boost)", ["VIN ← SYS; EN ← GPIO19 (100 kΩ to GND)", "VOUT 4.0 V = MODEM_4V0", "load disconnected while EN is low"]),
            (680, 290, 560, "3V3 regulator TPS63021 (buck-boost)", ["VIN ← SYS; EN tied to VIN", "VOUT 3.3 V = 3V3", "holds 3.3 V from SYS above or below it"]),
        ],
        "arrows": [
            (400, 120, 480, 120, "VBUS", "VBUS", False),
            (1040, 120, 1120, 120, "BAT", "BAT", True),
        ],
        "rail": ("SYS", "SYS: system rail from the BQ25606", 760, [320, 960]),
        "outputs": [
            (40, "MODEM_4V0", "MODEM_4V0 → SIM800 VBAT"),
            (680, "3V3", "3V3 → ESP32 3V3, pull-ups"),
        ],
    },
}

# Power pins and notes printed in each module block, per unit (keyed by the module names of pinmap.json).
MODULE_POWER = {
    "fob": {
        "SIM800L": ["VBAT ← MODEM_4V0 (470 µF + 100 nF + 33 pF at the pin)", "GND ← GND",
                    "MIC+/MIC− ← electret mic (33 pF + 10 pF to GND each, ESD)",
                    "SPK+/SPK− → 32 Ω receiver if calls.speaker, else open"],
        "Modem rail TPS63020": ["the block above: VIN ← VBAT, VOUT = MODEM_4V0"],
        "GNSS ATGM336H-5N": ["VCC ← GNSS_3V3", "GND ← GND; active patch antenna on its RF input"],
        "GNSS switch AO3401A + 2N7002": ["the block above: AO3401A from 3V3 to GNSS_3V3"],
        "Status LED": [],
        "Vibration motor driver": ["motor + ← 3V3; emitter ← GND"],
        "Panic button": [],
        "LiPo cell +": ["VBAT, after the cell's protection"],
    },
    "wall": {
        "SIM800C": ["VBAT ← MODEM_4V0 (470 µF + 100 nF + 33 pF at the pin)", "GND ← GND",
                    "MICP/MICN ← electret mic (33 pF + 10 pF to GND each, ESD)",
                    "SPKP/SPKN: open (a hold-up alarm never speaks)"],
        "Modem rail TPS63020": ["the block above: VIN ← SYS, VOUT = MODEM_4V0"],
        "Status LED (inside the box)": [],
        "Hold-up button": [],
        "18650 cell + (BQ25606 BAT)": ["BAT: the cell after its protection"],
        "Lid tamper switch": [],
        "DC-in 5 V (VBUS)": ["VBUS: the PSU's 5 V at the charger input"],
    },
}

UNFITTED = {"fob": "Not fitted on the fob", "wall": "Not fitted on the wall unit"}

RAIL_OF_LINE = [("MODEM_4V0", "MODEM_4V0"), ("GNSS_3V3", "GNSS_3V3"), ("3V3", "3V3"), ("VBUS", "VBUS"), ("VBAT", "VBAT"), ("SYS", "SYS"), ("BAT", "BAT"), ("GND", "GND")]


def text_width(text, size):
    return len(text) * CHAR_EM * size


class Svg:
    def __init__(self):
        self.items = []
        self.max_x = 0.0
        self.max_y = 0.0

    def _grow(self, x, y):
        self.max_x = max(self.max_x, x)
        self.max_y = max(self.max_y, y)

    def rect(self, x, y, w, h, fill="#ffffff", stroke="#333333", width=1.5):
        self.items.append(f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="{width:g}"/>')
        self._grow(x + w, y + h)

    def line(self, x1, y1, x2, y2, color="#333333", width=2.0, dash=False):
        extra = ' stroke-dasharray="8 6"' if dash else ""
        self.items.append(f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" stroke="{color}" stroke-width="{width:g}"{extra}/>')
        self._grow(max(x1, x2), max(y1, y2))

    def arrowhead(self, x, y, direction, color="#333333"):
        """A filled triangle with its tip at (x, y) pointing 'right', 'left', 'down' or 'up'."""
        if direction == "right":
            points = [(x, y), (x - 12, y - 6), (x - 12, y + 6)]
        elif direction == "left":
            points = [(x, y), (x + 12, y - 6), (x + 12, y + 6)]
        elif direction == "down":
            points = [(x, y), (x - 6, y - 12), (x + 6, y - 12)]
        else:
            points = [(x, y), (x - 6, y + 12), (x + 6, y + 12)]
        self.items.append('<polygon points="' + " ".join(f"{px:g},{py:g}" for px, py in points) + f'" fill="{color}"/>')
        for px, py in points:
            self._grow(px, py)

    def circle(self, cx, cy, r, color="#333333"):
        self.items.append(f'<circle cx="{cx:g}" cy="{cy:g}" r="{r:g}" fill="{color}"/>')
        self._grow(cx + r, cy + r)

    def text(self, x, y, value, size=13, bold=False, color="#111111", limit=None):
        width = text_width(value, size)
        if limit is not None and x + width > limit:
            raise ValueError(f"text does not fit ({x + width:.0f} > {limit}): {value}")
        weight = ' font-weight="bold"' if bold else ""
        self.items.append(f'<text x="{x:g}" y="{y:g}" font-size="{size:g}" fill="{color}"{weight}>{escape(value)}</text>')
        self._grow(x + width, y + 0.3 * size)

    def open_group(self, attributes):
        self.items.append("<g " + " ".join(f"{k}={quoteattr(str(v))}" for k, v in attributes.items()) + ">")

    def close_group(self):
        self.items.append("</g>")


def rail_color(line):
    for token, rail in RAIL_OF_LINE:
        if token in line:
            return COLORS[rail]
    return "#111111"


def wrap(text, size, width):
    """Splits text at spaces into lines no wider than width."""
    limit = int(width // (CHAR_EM * size))
    lines, current = [], ""
    for word in text.split(" "):
        candidate = word if not current else current + " " + word
        if len(candidate) <= limit:
            current = candidate
        else:
            if not current:
                raise ValueError(f"word longer than the line: {word}")
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def draw_power(svg, unit):
    spec = POWER[unit]
    svg.text(40, 36, spec["title"] + " (signals from hardware/pinmap.json)", size=20, bold=True, limit=WIDTH - 40)
    svg.text(40, 60, "Power: blocks and rails. Rail names are net labels: every pin marked with a rail joins that rail.", size=13, limit=WIDTH - 40)
    block_bottoms = {}
    for x, y, w, title, lines in spec["blocks"]:
        h = 34 + 20 * len(lines)
        svg.rect(x, y, w, h, fill="#fdf6e3")
        svg.text(x + 12, y + 24, title, size=15, bold=True, limit=x + w - 8)
        for i, line in enumerate(lines):
            svg.text(x + 12, y + 46 + 20 * i, line, size=13, color=rail_color(line), limit=x + w - 8)
        block_bottoms[x] = y + h
    for x1, y1, x2, y2, label, rail, both in spec["arrows"]:
        color = COLORS[rail]
        svg.line(x1 + (10 if both else 0), y1, x2 - 10, y2, color=color, width=3)
        svg.arrowhead(x2, y2, "right", color)
        if both:
            svg.arrowhead(x1, y1, "left", color)
        svg.text(x1 + 6, y1 - 10, label, size=13, bold=True, color=color, limit=x2)
    rail, label, source_x, drops = spec["rail"]
    color = COLORS[rail]
    rail_y = 225 if unit == "fob" else 245
    top_blocks = [b for b in spec["blocks"] if b[1] < 200]
    source_bottom = max(block_bottoms[b[0]] for b in top_blocks if b[0] <= source_x < b[0] + b[2])
    svg.line(source_x, source_bottom, source_x, rail_y, color=color, width=3)
    svg.line(min(drops + [source_x]), rail_y, max(drops + [source_x]), rail_y, color=color, width=3)
    for drop_x in drops:
        lower = min(b[1] for b in spec["blocks"] if b[0] <= drop_x < b[0] + b[2] and b[1] > rail_y)
        svg.line(drop_x, rail_y, drop_x, lower - 10, color=color, width=3)
        svg.arrowhead(drop_x, lower, "down", color)
    svg.text(max(drops + [source_x]) + 16, rail_y + 5, label, size=13, bold=True, color=color, limit=WIDTH - 20)
    out_y = max(block_bottoms[b[0]] for b in spec["blocks"] if b[1] > rail_y) + 28
    for x, rail_name, text in spec["outputs"]:
        c = COLORS[rail_name]
        svg.line(x + 10, out_y - 5, x + 50, out_y - 5, color=c, width=4)
        svg.text(x + 60, out_y, text, size=13, bold=True, color=c, limit=WIDTH - 20)
    svg.text(40, out_y + 30, "GND: one ground net. The cell's -, the charger, both converters, the SIM800 and the ESP32 join at one point", size=13, limit=WIDTH - 40)
    svg.text(40, out_y + 50, "next to the cell; SIM800 and converter grounds by wide copper, never a thin jumper wire.", size=13, limit=WIDTH - 40)
    return out_y + 80


def signal_groups(pinmap, unit):
    groups = []  # [module title, [pin rows]]
    index = {}
    unfitted_rows = []
    for name, pin in pinmap["pins"].items():
        wiring = pin[unit]
        row = {"name": name, "gpio": pin["gpio"], "direction": pin["direction"], "wiring": wiring}
        if "unfitted" in wiring:
            unfitted_rows.append(row)
            continue
        module = wiring["module"]
        if module not in index:
            index[module] = len(groups)
            groups.append([module, []])
        groups[index[module]][1].append(row)
    if unfitted_rows:
        groups.append([UNFITTED[unit], unfitted_rows])
    return groups


def draw_signals(svg, pinmap, unit, top):
    esp_x, esp_w = 40, 420
    line_x1 = esp_x + esp_w
    mod_x, mod_w = 1140, 620
    row_h, via_size = 50, 12
    svg.text(40, top, "Signals: ESP32 GPIO → module pin, with the parts on the way (out: arrow to the module; in: arrow to the ESP32)", size=15, bold=True, limit=WIDTH - 40)
    top += 16
    uarts = pinmap["uarts"]
    esp_lines = [
        "3V3 ← 3V3 rail; GND ← GND",
        "DevKit: feed its 3V3 pin, not 5V",
        f"UART2 = {uarts['Modem']['port']} {uarts['Modem']['baud']} (SIM800)",
        f"UART1 = {uarts['Gnss']['port']} {uarts['Gnss']['baud']} (GNSS)",
    ]
    header_h = 36 + 20 * len(esp_lines)
    y = top + header_h
    rows_drawn = []
    for module, rows in signal_groups(pinmap, unit):
        unfitted = module == UNFITTED[unit]
        power = [] if unfitted else MODULE_POWER[unit].get(module)
        if power is None:
            raise ValueError(f"no power lines for module {module} on the {unit}")
        group_top = y
        first_row = group_top + 34 + 20 * len(power) + 18
        bottom = first_row + row_h * (len(rows) - 1) + 26
        svg.rect(mod_x, group_top, mod_w, bottom - group_top, fill="#f4f4f4" if unfitted else "#eef5ff", stroke="#999999" if unfitted else "#333333")
        svg.text(mod_x + 12, group_top + 24, module, size=15, bold=True, limit=mod_x + mod_w - 8)
        for i, line in enumerate(power):
            svg.text(mod_x + 12, group_top + 46 + 20 * i, line, size=13, color=rail_color(line), limit=mod_x + mod_w - 8)
        for i, row in enumerate(rows):
            row_y = first_row + row_h * i
            rows_drawn.append((row, row_y, unfitted))
        y = bottom + 18
    esp_bottom = y - 18 + 10
    svg.rect(esp_x, top, esp_w, esp_bottom - top, fill="#e8f0e0")
    svg.text(esp_x + 12, top + 24, "ESP32-WROOM-32E (or a DevKit)", size=15, bold=True, limit=esp_x + esp_w - 8)
    for i, line in enumerate(esp_lines):
        svg.text(esp_x + 12, top + 46 + 20 * i, line, size=13, color=rail_color(line), limit=esp_x + esp_w - 8)
    for row, row_y, unfitted in rows_drawn:
        wiring = row["wiring"]
        svg.open_group({"data-pin": row["name"], "data-gpio": row["gpio"]})
        svg.text(esp_x + 12, row_y + 5, f"GPIO{row['gpio']} {row['name']} ({row['direction']})", size=13, bold=True, limit=line_x1 - 14)
        svg.circle(line_x1, row_y, 4)
        if unfitted:
            svg.line(line_x1, row_y, mod_x, row_y, color="#999999", width=1.5, dash=True)
            svg.text(mod_x + 12, row_y + 5, wiring["unfitted"], size=13, color="#555555", limit=mod_x + mod_w - 8)
        else:
            svg.line(line_x1 + (14 if row["direction"] == "in" else 0), row_y, mod_x - (14 if row["direction"] == "out" else 0), row_y, width=2)
            if row["direction"] == "out":
                svg.arrowhead(mod_x - 2, row_y, "right")
            else:
                svg.arrowhead(line_x1 + 2, row_y, "left")
            via_lines = wrap(wiring["via"], via_size, mod_x - line_x1 - 40)
            if len(via_lines) > 2:
                raise ValueError(f"via text of {row['name']} needs more than two lines")
            svg.text(line_x1 + 20, row_y - 7, via_lines[0], size=via_size, color="#333333", limit=mod_x - 8)
            if len(via_lines) == 2:
                svg.text(line_x1 + 20, row_y + 19, via_lines[1], size=via_size, color="#333333", limit=mod_x - 8)
            svg.circle(mod_x, row_y, 4)
            svg.text(mod_x + 12, row_y + 5, wiring["pin"], size=13, bold=True, limit=mod_x + mod_w - 8)
        svg.close_group()
    return esp_bottom + 20


def sha256(path):
    with open(path, encoding="utf-8", newline="") as f:
        return hashlib.sha256(f.read().replace("\r\n", "\n").encode("utf-8")).hexdigest()


def render(unit, pinmap, source):
    svg = Svg()
    y = draw_power(svg, unit)
    y = draw_signals(svg, pinmap, unit, y + 10)
    footer = [
        f"Drawn by hardware/wiring.py from hardware/pinmap.json; do not edit by hand. Parts and values: hardware/bom-{unit}.csv;",
        "power path and figures: hardware/power.md; what to measure: docs/testing-on-hardware.md.",
    ]
    for i, line in enumerate(footer):
        svg.text(40, y + 10 + 20 * i, line, size=13, color="#555555", limit=WIDTH - 40)
    height = int(svg.max_y + 30)
    if svg.max_x > WIDTH - 10:
        raise ValueError(f"drawing is {svg.max_x:.0f} wide, more than {WIDTH - 10}")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'font-family="{FONT}">\n'
        f"  <metadata>{escape(source)}</metadata>\n"
        f'  <rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>\n'
    )
    body = "".join("  " + item + "\n" for item in svg.items)
    return head + body + "</svg>\n"


def main(argv):
    pinmap_path = os.path.join(HERE, "pinmap.json")
    with open(pinmap_path, encoding="utf-8") as f:
        pinmap = json.load(f)
    source = f"pinmap.json sha256 {sha256(pinmap_path)}; wiring.py sha256 {sha256(os.path.abspath(__file__))}"
    check = "--check" in argv
    stale = []
    for unit in ("fob", "wall"):
        out = os.path.join(HERE, f"wiring-{unit}.svg")
        text = render(unit, pinmap, source)
        if check:
            try:
                with open(out, encoding="utf-8", newline="") as f:
                    if f.read().replace("\r\n", "\n") != text:
                        stale.append(out)
            except FileNotFoundError:
                stale.append(out)
        else:
            with open(out, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
    if stale:
        print("stale, run python3 hardware/wiring.py: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
