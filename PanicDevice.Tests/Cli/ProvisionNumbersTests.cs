using System.Net;
using System.Text.Json;
using PanicDevice.Cli;
using PanicDevice.Core.Config;

namespace PanicDevice.Tests.Cli;

/// <summary>
/// Issue 14 items 2–4: provisioning writes only numbers the device accepts (Core's rule, national forms normalised to
/// E.164), the emergency number is a choice with a test profile that never texts an emergency service, and
/// `panicctl config check` gives the device's own verdict on a file before it is flashed.
/// </summary>
[TestClass]
public class ProvisionNumbersTests
{
    /// <summary>A receiver stand-in that records what provisioning registered and answers 201.</summary>
    private sealed class RecordingReceiver : HttpMessageHandler
    {
        public List<JsonElement> Registered { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Registered.Add(JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken)).RootElement.Clone());
            return new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent("{}") };
        }
    }

    private static string Dir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pd-numbers-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static ProvisionRequest Request(string outPath, string phone = "+6281234567890", string[]? guardians = null) =>
        new("fob-0002", "fob", "Siti Rahma", phone, guardians ?? new[] { "+6281200000001" }, null, null, null,
            "http://127.0.0.1:9", "token", "127.0.0.1", 1883, "internet", "id", "", outPath);

    private static async Task<(int Code, string Output, RecordingReceiver Receiver)> Provision(ProvisionRequest r)
    {
        var receiver = new RecordingReceiver();
        var output = new StringWriter();
        int code = await ProvisionCommand.RunAsync(r, output, new HttpClient(receiver));
        return (code, output.ToString(), receiver);
    }

    private static DeviceConfig Read(string path)
    {
        DeviceConfigResult r = DeviceConfigReader.ReadUtf8(File.ReadAllBytes(path));
        Assert.IsNull(r.Error, r.Error);
        return r.Config;
    }

    [TestMethod]
    public async Task ANumberTheDeviceWouldRefuseIsRefusedBeforeAnythingIsRegistered()
    {
        string dir = Dir();
        var (code, output, receiver) = await Provision(Request(Path.Combine(dir, "a.json"), phone: "hello"));
        Assert.AreEqual(2, code, output);
        StringAssert.Contains(output, "error: --phone \"hello\" contains 'h'");
        Assert.IsEmpty(receiver.Registered, "nothing registered");
        Assert.IsFalse(File.Exists(Path.Combine(dir, "a.json")));

        (code, output, receiver) = await Provision(Request(Path.Combine(dir, "b.json"), guardians: new[] { "112" }));
        Assert.AreEqual(2, code, output);
        StringAssert.Contains(output, "error: --guardian \"112\" is neither international (+62…) nor national (0…) for ID");
        Assert.IsEmpty(receiver.Registered);
    }

    [TestMethod]
    public async Task NationalFormsAreWrittenAndRegisteredAsE164AndTheDeviceAcceptsThem()
    {
        string dir = Dir();
        string path = Path.Combine(dir, "fob.json");
        var (code, output, receiver) = await Provision(Request(path, phone: "0812 3456 7890", guardians: new[] { "0812-0000-0001" }) with { GatewayNumber = "(0812) 9999-9999" });
        Assert.AreEqual(0, code, output);
        DeviceConfig c = Read(path);
        Assert.AreEqual("+6281234567890", c.OwnerPhone);
        Assert.AreEqual("+6281200000001", c.GuardianNumbers.Single());
        Assert.AreEqual("+6281299999999", c.GatewayNumber);
        Assert.AreEqual("+6281234567890", receiver.Registered.Single().GetProperty("ownerPhone").GetString());
        Assert.AreEqual("+6281200000001", receiver.Registered.Single().GetProperty("guardians")[0].GetString());
    }

    [TestMethod]
    public async Task TheEmergencyNumberIsAChoicePerCountry()
    {
        string dir = Dir();
        var (code, output, _) = await Provision(Request(Path.Combine(dir, "id.json")));
        Assert.AreEqual(0, code, output);
        Assert.AreEqual("112", Read(Path.Combine(dir, "id.json")).EmergencyNumber, "Indonesia's by default");
        StringAssert.Contains(output, "the emergency SMS goes to 112, a live emergency service (ID)");

        (code, output, _) = await Provision(Request(Path.Combine(dir, "my.json"), phone: "012-345 6789", guardians: Array.Empty<string>()) with { Country = "MY" });
        Assert.AreEqual(0, code, output);
        DeviceConfig my = Read(Path.Combine(dir, "my.json"));
        Assert.AreEqual("999", my.EmergencyNumber);
        Assert.AreEqual("+60123456789", my.OwnerPhone);

        (code, output, _) = await Provision(Request(Path.Combine(dir, "off.json")) with { EmergencyNumber = "" });
        Assert.AreEqual(0, code, output);
        Assert.AreEqual("", Read(Path.Combine(dir, "off.json")).EmergencyNumber);

        (code, output, _) = await Provision(Request(Path.Combine(dir, "xx.json")) with { Country = "XX" });
        Assert.AreEqual(2, code);
        StringAssert.Contains(output, "--country XX is not one provisioning knows (ID, MY");
    }

    [TestMethod]
    public async Task ATestProfileTextsTheTesterInsteadOfAnEmergencyService()
    {
        string dir = Dir();
        string path = Path.Combine(dir, "bench.json");
        var (code, output, _) = await Provision(Request(path) with { Profile = "test", TesterPhone = "0813 7777 7777" });
        Assert.AreEqual(0, code, output);
        DeviceConfig c = Read(path);
        Assert.AreEqual(DeviceConfig.TestProfile, c.Profile);
        Assert.AreEqual("+6281377777777", c.EmergencyNumber);
        StringAssert.Contains(output, "test profile: the emergency SMS goes to the tester's phone +6281377777777");

        (code, output, _) = await Provision(Request(Path.Combine(dir, "t2.json")) with { Profile = "test" });
        Assert.AreEqual(2, code);
        StringAssert.Contains(output, "--profile test needs --tester-phone");
        (code, output, _) = await Provision(Request(Path.Combine(dir, "t3.json")) with { Profile = "test", TesterPhone = "+6281377777777", EmergencyNumber = "112" });
        Assert.AreEqual(2, code);
        StringAssert.Contains(output, "leave out --emergency-number");
    }

    [TestMethod]
    public async Task ConfigCheckGivesTheDevicesOwnVerdict()
    {
        string dir = Dir();
        string live = Path.Combine(dir, "live.json"), bench = Path.Combine(dir, "bench.json");
        Assert.AreEqual(0, (await Provision(Request(live))).Code);
        Assert.AreEqual(0, (await Provision(Request(bench) with { Profile = "test", TesterPhone = "+6281377777777" })).Code);

        var o = new StringWriter();
        Assert.AreEqual(0, await CliApp.RunAsync(new[] { "config", "check", live }, o, o), o.ToString());
        StringAssert.Contains(o.ToString(), live + ": valid: fob fob-0002, profile live");
        StringAssert.Contains(o.ToString(), "emergency SMS: 112 (a live emergency service)");
        o = new StringWriter();
        Assert.AreEqual(3, await CliApp.RunAsync(new[] { "config", "check", live, "--refuse-live-emergency" }, o, o), o.ToString());
        o = new StringWriter();
        Assert.AreEqual(0, await CliApp.RunAsync(new[] { "config", "check", bench, "--refuse-live-emergency" }, o, o), o.ToString());
        StringAssert.Contains(o.ToString(), "emergency SMS: +6281377777777");

        // A hand-edited file: exactly the error the device's reader gives, and never the key.
        string json = File.ReadAllText(live);
        string key = JsonDocument.Parse(json).RootElement.GetProperty("key").GetString()!;
        string broken = Path.Combine(dir, "broken.json");
        File.WriteAllText(broken, json.Replace("\"+6281234567890\"", "\"0812-3456-7890\""));
        o = new StringWriter();
        Assert.AreEqual(1, await CliApp.RunAsync(new[] { "config", "check", broken }, o, o), o.ToString());
        string expected = DeviceConfigReader.ReadUtf8(File.ReadAllBytes(broken)).Error;
        Assert.AreEqual(broken + ": the device would refuse it: " + expected, o.ToString().Trim());
        StringAssert.Contains(expected, "owner.phone must be a phone number");
        File.WriteAllText(broken, json.Replace(key, key[..40]));
        o = new StringWriter();
        Assert.AreEqual(1, await CliApp.RunAsync(new[] { "config", "check", broken }, o, o));
        Assert.IsFalse(o.ToString().Contains(key[..16]), "the key is never printed: " + o);

        o = new StringWriter();
        Assert.AreEqual(2, await CliApp.RunAsync(new[] { "config", "check", Path.Combine(dir, "nope.json") }, o, o));
        StringAssert.Contains(o.ToString(), "no such file");
    }
}
