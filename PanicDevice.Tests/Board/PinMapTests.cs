using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using PanicDevice.Core.Board;
using PanicDevice.Tests.Guard;

namespace PanicDevice.Tests.Board;

/// <summary>hardware/pinmap.json is the one pin map: Core's constants must match it, and no firmware source may carry a pin number of its own.</summary>
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
}
