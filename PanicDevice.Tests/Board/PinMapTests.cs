using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using PanicDevice.Core.Board;
using PanicDevice.Tests.Guard;

namespace PanicDevice.Tests.Board;

/// <summary>hardware/pinmap.json is the one pin map: Core's constants must match it, no firmware source may carry a pin number of its own, and the wiring diagrams drawn from it must show all of it.</summary>
[TestClass]
public class PinMapTests
{
    private static JsonElement Map()
    {
        string path = Path.Combine(RepositoryRoot.Path, "hardware", "pinmap.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    private static Dictionary<string, int> ConstantPins() =>
        typeof(BoardPins).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int) && !f.Name.EndsWith("Baud", StringComparison.Ordinal) && !f.Name.EndsWith("AdcChannel", StringComparison.Ordinal))
            .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

    [TestMethod]
    public void CoreConstantsMatchThePinMap()
    {
        var json = Map().GetProperty("pins").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("gpio").GetInt32());
        CollectionAssert.AreEquivalent(json.OrderBy(p => p.Key).ToList(), ConstantPins().OrderBy(p => p.Key).ToList());
        var uarts = Map().GetProperty("uarts");
        Assert.AreEqual(BoardPins.BatterySenseAdcChannel, Map().GetProperty("pins").GetProperty("BatterySense").GetProperty("adcChannel").GetInt32());
        Assert.AreEqual(BoardPins.ModemPort, uarts.GetProperty("Modem").GetProperty("port").GetString());
        Assert.AreEqual(BoardPins.ModemBaud, uarts.GetProperty("Modem").GetProperty("baud").GetInt32());
        Assert.AreEqual(BoardPins.GnssPort, uarts.GetProperty("Gnss").GetProperty("port").GetString());
        Assert.AreEqual(BoardPins.GnssBaud, uarts.GetProperty("Gnss").GetProperty("baud").GetInt32());
    }

    [TestMethod]
    public void PinsAreDistinctAndElectricallySensible()
    {
        var pins = ConstantPins();
        var inputs = Map().GetProperty("pins").EnumerateObject().Where(p => p.Value.GetProperty("direction").GetString() == "in").Select(p => p.Name).ToHashSet();
        Assert.AreEqual(pins.Count, pins.Values.Distinct().Count(), "two functions on one GPIO");
        Assert.IsTrue(pins["BatterySense"] is >= 32 and <= 39, "battery sense must be an ADC1 pin: ADC2 cannot be read while Wi-Fi runs");
        Assert.IsTrue(BoardPins.IsRtcCapable(BoardPins.Button), "ext0 wake needs an RTC GPIO");
        foreach (var (name, gpio) in pins)
        {
            Assert.IsFalse(gpio is 1 or 3, name + " is on UART0 (COM1), which carries the debugger and nanoff");
            Assert.IsFalse(gpio is >= 6 and <= 11, name + " is on the SPI flash pins");
            if (!inputs.Contains(name))
            {
                Assert.IsFalse(BoardPins.IsInputOnly(gpio), name + " drives an output on an input-only GPIO");
            }
        }
    }

    [TestMethod]
    public void FirmwareTakesEveryPinFromBoardPins()
    {
        string dir = Path.Combine(RepositoryRoot.Path, "firmware", "PanicDevice.Firmware");
        var offenders = new List<string>();
        var literalPin = new Regex(@"(OpenPin|SetPinFunction|EnableWakeupByPin)\s*\(\s*\d|""COM\d""|\bPin\d+\b");
        foreach (string file in Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (literalPin.IsMatch(lines[i]))
                {
                    offenders.Add(Path.GetFileName(file) + ":" + (i + 1) + ": " + lines[i].Trim());
                }
            }
        }
        Assert.AreEqual(0, offenders.Count, "pin numbers belong in hardware/pinmap.json and BoardPins: " + string.Join("; ", offenders));
        Assert.IsTrue(Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories).Length > 0, "no firmware sources found");
    }

    [TestMethod]
    public void HardwareDocumentsNameOnlyMappedPinsForTheirFunctions()
    {
        string root = RepositoryRoot.Path;
        var pins = Map().GetProperty("pins").EnumerateObject().ToDictionary(p => p.Value.GetProperty("gpio").GetInt32(), p => p.Name);
        var docs = Directory.GetFiles(Path.Combine(root, "hardware"), "*.md").Concat(Directory.GetFiles(Path.Combine(root, "hardware"), "*.svg"))
            .Concat(new[] { Path.Combine(root, "docs", "testing-on-hardware.md") }).Where(File.Exists).ToList();
        var wrong = new List<string>();
        foreach (string file in docs)
        {
            foreach (Match m in Regex.Matches(File.ReadAllText(file), @"\bGPIO(\d+)"))
            {
                if (!pins.ContainsKey(int.Parse(m.Groups[1].Value)))
                {
                    wrong.Add(Path.GetFileName(file) + ": " + m.Value);
                }
            }
        }
        Assert.AreEqual(0, wrong.Count, "documents name GPIOs that hardware/pinmap.json does not have: " + string.Join(", ", wrong));
    }

    private static readonly XNamespace SvgNs = "http://www.w3.org/2000/svg";

    /// <summary>The units with a wiring diagram, as named in pinmap.json and in hardware/wiring-{unit}.svg.</summary>
    private static readonly string[] Units = { "fob", "wall" };

    private static XDocument Diagram(string unit) => XDocument.Load(Path.Combine(RepositoryRoot.Path, "hardware", "wiring-" + unit + ".svg"));

    private static string Texts(XElement element) => string.Join(" ", element.Descendants(SvgNs + "text").Select(t => t.Value.Trim()));

    [TestMethod]
    public void WiringDiagramsShowEveryPinOfThePinMapWithWhatItMeets()
    {
        var missing = new List<string>();
        foreach (string unit in Units)
        {
            XDocument svg = Diagram(unit);
            var rows = svg.Descendants(SvgNs + "g").Where(g => g.Attribute("data-pin") != null).ToList();
            var allTexts = svg.Descendants(SvgNs + "text").Select(t => t.Value.Trim()).ToHashSet();
            foreach (JsonProperty pin in Map().GetProperty("pins").EnumerateObject())
            {
                int gpio = pin.Value.GetProperty("gpio").GetInt32();
                XElement? row = rows.FirstOrDefault(g => (string?)g.Attribute("data-pin") == pin.Name);
                if (row == null)
                {
                    missing.Add(unit + ": no row for " + pin.Name);
                    continue;
                }
                string texts = Texts(row);
                if (!Regex.IsMatch(texts, @"\bGPIO" + gpio + @"\b") || !texts.Contains(pin.Name, StringComparison.Ordinal))
                {
                    missing.Add(unit + ": " + pin.Name + " row does not show GPIO" + gpio + " and its name");
                }
                if (!pin.Value.TryGetProperty(unit, out JsonElement wiring))
                {
                    missing.Add(unit + ": pinmap.json says nothing of " + pin.Name + " on this unit");
                    continue;
                }
                if (wiring.TryGetProperty("unfitted", out JsonElement unfitted))
                {
                    if (!texts.Contains(unfitted.GetString()!, StringComparison.Ordinal))
                    {
                        missing.Add(unit + ": " + pin.Name + " row lacks \"" + unfitted.GetString() + "\"");
                    }
                    continue;
                }
                string module = wiring.GetProperty("module").GetString()!, modulePin = wiring.GetProperty("pin").GetString()!, via = wiring.GetProperty("via").GetString()!;
                if (!row.Descendants(SvgNs + "text").Any(t => t.Value.Trim() == modulePin) || !texts.Contains(via, StringComparison.Ordinal))
                {
                    missing.Add(unit + ": " + pin.Name + " row lacks the module pin \"" + modulePin + "\" or \"" + via + "\"");
                }
                if (!allTexts.Contains(module))
                {
                    missing.Add(unit + ": no block titled \"" + module + "\"");
                }
            }
        }
        Assert.AreEqual(0, missing.Count, "the wiring diagrams must carry pinmap.json (run python3 hardware/wiring.py): " + string.Join("; ", missing));
    }

    [TestMethod]
    public void WiringDiagramsFitTheirViewBox()
    {
        // Text is drawn in a monospace font; 0.62 em a character covers DejaVu Sans Mono (0.60 em) with room to spare.
        const double charWidthEm = 0.62;
        var outside = new List<string>();
        foreach (string unit in Units)
        {
            XElement root = Diagram(unit).Root!;
            string? viewBox = (string?)root.Attribute("viewBox");
            if (viewBox == null)
            {
                outside.Add(unit + ": no viewBox");
                continue;
            }
            double[] box = viewBox.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            double left = box[0], top = box[1], right = box[0] + box[2], bottom = box[1] + box[3];
            double Num(XElement e, string name) => double.Parse((string?)e.Attribute(name) ?? "0", CultureInfo.InvariantCulture);
            void Check(XElement e, double x0, double y0, double x1, double y1)
            {
                if (x0 < left || y0 < top || x1 > right || y1 > bottom)
                {
                    string what = e.Name.LocalName == "text" ? "\"" + e.Value.Trim() + "\"" : e.Name.LocalName;
                    outside.Add(FormattableString.Invariant($"{unit}: {what} spans {x0:0}..{x1:0} x {y0:0}..{y1:0}, viewBox {viewBox}"));
                }
            }
            foreach (XElement e in root.Descendants())
            {
                switch (e.Name.LocalName)
                {
                    case "rect":
                        Check(e, Num(e, "x"), Num(e, "y"), Num(e, "x") + Num(e, "width"), Num(e, "y") + Num(e, "height"));
                        break;
                    case "line":
                        Check(e, Math.Min(Num(e, "x1"), Num(e, "x2")), Math.Min(Num(e, "y1"), Num(e, "y2")), Math.Max(Num(e, "x1"), Num(e, "x2")), Math.Max(Num(e, "y1"), Num(e, "y2")));
                        break;
                    case "polygon":
                    case "polyline":
                        double[] points = ((string?)e.Attribute("points") ?? "").Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                        var xs = points.Where((_, i) => i % 2 == 0).ToArray();
                        var ys = points.Where((_, i) => i % 2 == 1).ToArray();
                        Check(e, xs.Min(), ys.Min(), xs.Max(), ys.Max());
                        break;
                    case "circle":
                        Check(e, Num(e, "cx") - Num(e, "r"), Num(e, "cy") - Num(e, "r"), Num(e, "cx") + Num(e, "r"), Num(e, "cy") + Num(e, "r"));
                        break;
                    case "text":
                        string? size = e.AncestorsAndSelf().Select(a => (string?)a.Attribute("font-size")).FirstOrDefault(v => v != null);
                        if (size == null)
                        {
                            outside.Add(unit + ": text without a font-size: \"" + e.Value.Trim() + "\"");
                            break;
                        }
                        double fontSize = double.Parse(size, CultureInfo.InvariantCulture);
                        double width = e.Value.Length * charWidthEm * fontSize;
                        string anchor = e.AncestorsAndSelf().Select(a => (string?)a.Attribute("text-anchor")).FirstOrDefault(v => v != null) ?? "start";
                        double x = Num(e, "x") - (anchor == "middle" ? width / 2 : anchor == "end" ? width : 0);
                        Check(e, x, Num(e, "y") - fontSize, x + width, Num(e, "y") + 0.3 * fontSize);
                        break;
                    case "path":
                    case "ellipse":
                    case "image":
                    case "use":
                        outside.Add(unit + ": a " + e.Name.LocalName + " this check cannot measure");
                        break;
                }
            }
        }
        Assert.AreEqual(0, outside.Count, "every element of a wiring diagram must lie inside its viewBox: " + string.Join("; ", outside));
    }

    [TestMethod]
    public void WiringDiagramsAreDrawnFromTheCurrentPinMapAndScript()
    {
        static string Sha256(string path) =>
            Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(File.ReadAllText(path).Replace("\r\n", "\n")))).ToLowerInvariant();
        string hardware = Path.Combine(RepositoryRoot.Path, "hardware");
        string expected = "pinmap.json sha256 " + Sha256(Path.Combine(hardware, "pinmap.json")) + "; wiring.py sha256 " + Sha256(Path.Combine(hardware, "wiring.py"));
        foreach (string unit in Units)
        {
            string? source = Diagram(unit).Root!.Elements(SvgNs + "metadata").Select(m => m.Value.Trim()).FirstOrDefault();
            Assert.AreEqual(expected, source, "hardware/wiring-" + unit + ".svg is not drawn from the current pinmap.json and wiring.py: run python3 hardware/wiring.py");
        }
    }
}
