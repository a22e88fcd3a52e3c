using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Receiver;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Dispatch;

/// <summary>
/// The CAP messages a real receiver emits over HTTP as an alert changes state, each one validated against the
/// OASIS CAP 1.2 schema and the specification's text (<see cref="CapSchema"/>).
/// </summary>
[TestClass]
public class CapMessagesTests
{
    private static readonly XNamespace Cap = CapSchema.Cap;
    private const string Device = "fob-0001";
    private readonly ManualTime time = new();

    private Task<LoopbackReceiver> Start(params string[] extra) => LoopbackReceiver.StartAsync(time, extra);

    private static async Task Provision(LoopbackReceiver rx, object body)
    {
        var r = await rx.Api.PostAsJsonAsync("/api/devices", body);
        Assert.AreEqual(HttpStatusCode.Created, r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private static Task ProvisionFob(LoopbackReceiver rx, string owner = "Siti Rahma", string? language = null) =>
        Provision(rx, new { id = Device, key = Convert.ToHexString(LoopbackReceiver.Key), kind = "fob", ownerName = owner, ownerPhone = "+6281234567890", language });

    /// <summary>Sends an alert frame and returns the alert's id.</summary>
    private static long Raise(LoopbackReceiver rx, Frame alert)
    {
        rx.Send(alert);
        return rx.Service<AlertBook>().Recent(50).Single(a => a.DeviceId == alert.DeviceId && a.Counter == alert.Counter).Id;
    }

    private static async Task Act(LoopbackReceiver rx, long id, string action, string? responder = null)
    {
        var r = await rx.Api.PostAsJsonAsync("/api/alerts/" + id + "/" + action, new { responder, @operator = "op-1" });
        Assert.AreEqual(HttpStatusCode.OK, r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>GET /api/alerts/{id}/cap: the alert's latest CAP message, checked against the schema and the rules.</summary>
    private static async Task<XDocument> Latest(LoopbackReceiver rx, long id)
    {
        var r = await rx.Api.GetAsync("/api/alerts/" + id + "/cap");
        string text = await r.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, r.StatusCode, text);
        Assert.AreEqual("application/cap+xml", r.Content.Headers.ContentType?.MediaType);
        XDocument doc = XDocument.Parse(text);
        CapSchema.AssertValid(doc);
        return doc;
    }

    /// <summary>GET /api/alerts/{id}/cap/messages: every message of the alert in order, each checked.</summary>
    private static async Task<List<XDocument>> Messages(LoopbackReceiver rx, long id)
    {
        var r = await rx.Api.GetAsync("/api/alerts/" + id + "/cap/messages");
        string text = await r.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, r.StatusCode, text);
        var list = new List<XDocument>();
        foreach (JsonElement m in JsonDocument.Parse(text).RootElement.EnumerateArray())
        {
            XDocument doc = XDocument.Parse(m.GetProperty("xml").GetString()!);
            CapSchema.AssertValid(doc);
            Assert.AreEqual(m.GetProperty("identifier").GetString(), V(doc, "identifier"), "the index names each message as it is");
            Assert.AreEqual(m.GetProperty("msgType").GetString(), V(doc, "msgType"));
            Assert.AreEqual(m.GetProperty("sent").GetString(), V(doc, "sent"));
            list.Add(doc);
        }
        return list;
    }

    private static string V(XDocument doc, string name) => CapSchema.Value(doc, name) ?? throw new AssertFailedException("no " + name + " in\n" + doc);

    private static string Reference(XDocument doc) => V(doc, "sender") + "," + V(doc, "identifier") + "," + V(doc, "sent");

    private static Frame FollowUp(uint counter, int latE7, int lonE7, ushort accuracyM)
    {
        Frame f = Frame.Create(MessageKind.Update, Device, counter, (byte)AlertCode.Panic);
        f.TimeUtcSeconds = 1795000060;
        f.LatitudeE7 = latE7;
        f.LongitudeE7 = lonE7;
        f.AccuracyM = accuracyM;
        f.Source = LocationSource.Gnss;
        return f;
    }

    private static Frame Cancel(uint counter)
    {
        Frame f = Frame.Create(MessageKind.Cancel, Device, counter, (byte)AlertCode.Cancel);
        f.TimeUtcSeconds = 1795000100;
        return f;
    }

    private static Frame AlertWithAccuracy(uint counter, ushort accuracyM)
    {
        Frame f = SampleFrames.Alert(Device, counter);
        f.AccuracyM = accuracyM;
        return f;
    }

    [TestMethod]
    public async Task SentIsTheTimeOfTheChangeInUtcWrittenMinusZero()
    {
        await using var rx = await Start();
        await ProvisionFob(rx);
        time.Now = new DateTimeOffset(2026, 11, 22, 16, 5, 7, 123, TimeSpan.Zero);
        long id = Raise(rx, SampleFrames.Alert(Device, 7));
        XDocument doc = await Latest(rx, id);
        Assert.AreEqual("2026-11-22T16:05:07-00:00", V(doc, "sent"), "CAP 1.2 §3.3.2: UTC is -00:00, no fraction, no Z");
        Assert.AreEqual("pd-fob-0001-7", V(doc, "identifier"), "the original alert keeps the identifier consumers already know");
        Assert.AreEqual("Alert", V(doc, "msgType"));
        Assert.AreEqual("Actual", V(doc, "status"));
    }

    [TestMethod]
    public async Task EveryStateChangeIsItsOwnMessageInOrderWithReferencesAndItsOwnTime()
    {
        await using var rx = await Start();
        await ProvisionFob(rx);
        var t0 = new DateTimeOffset(2026, 11, 22, 16, 0, 0, TimeSpan.Zero);
        time.Now = t0;
        long id = Raise(rx, SampleFrames.Alert(Device, 7));
        time.Now = t0.AddSeconds(20);
        await Act(rx, id, "acknowledge");
        time.Now = t0.AddSeconds(60);
        rx.Send(FollowUp(8, -61760000, 1068280000, 12));
        time.Now = t0.AddSeconds(90);
        await Act(rx, id, "assign", "Unit 7 (Budi)");
        time.Now = t0.AddSeconds(100);
        await Act(rx, id, "acknowledge"); // already past acknowledged: nothing new to tell
        time.Now = t0.AddSeconds(600);
        await Act(rx, id, "resolve");

        List<XDocument> all = await Messages(rx, id);
        CollectionAssert.AreEqual(new[] { "Alert", "Update", "Update", "Update", "Update" }, all.Select(d => V(d, "msgType")).ToArray());
        CollectionAssert.AreEqual(new[] { "16:00:00", "16:00:20", "16:01:00", "16:01:30", "16:10:00" }.Select(t => "2026-11-22T" + t + "-00:00").ToArray(),
            all.Select(d => V(d, "sent")).ToArray(), "each message is sent at the change it reports");
        Assert.HasCount(all.Count, all.Select(d => V(d, "identifier")).Distinct().ToList(), "every message has its own identifier");
        string original = Reference(all[0]);
        Assert.IsNull(all[0].Root!.Element(Cap + "references"), "the original refers to nothing");
        for (int i = 1; i < all.Count; i++)
        {
            string[] refs = V(all[i], "references").Split(' ');
            Assert.AreEqual(original, refs[0], "message " + i + " names the original");
            if (i > 1) Assert.AreEqual(Reference(all[i - 1]), refs[^1], "message " + i + " names the one it supersedes");
            Assert.AreEqual(V(all[0], "identifier"), V(all[i], "incidents"), "one incident: the original alert");
        }
        for (int i = 0; i < 4; i++)
        {
            Assert.AreEqual("Execute", V(all[i], "responseType"), "still actionable: " + V(all[i], "headline"));
            Assert.AreEqual("Immediate", V(all[i], "urgency"));
        }
        StringAssert.Contains(V(all[2], "circle"), "-6.176000,106.828000 0.012", "the position update carries the new position");
        StringAssert.Contains(V(all[3], "description"), "Unit 7 (Budi)");
        Assert.AreEqual("AllClear", V(all[4], "responseType"), "resolved: CAP 1.2 AllClear, the event no longer poses a threat");
        Assert.AreEqual("Past", V(all[4], "urgency"), "responsive action is no longer required");
        Assert.AreEqual(all[^1].ToString(), (await Latest(rx, id)).ToString(), "GET …/cap is the latest message");
    }

    [TestMethod]
    public async Task TheOwnersCancelIsACancelOfTheAlert()
    {
        await using var rx = await Start();
        await ProvisionFob(rx);
        long id = Raise(rx, SampleFrames.Alert(Device, 7));
        XDocument alert = await Latest(rx, id);
        time.Now = time.Now.AddSeconds(15);
        rx.Send(Cancel(8));
        XDocument cancel = await Latest(rx, id);
        Assert.AreEqual("Cancel", V(cancel, "msgType"));
        Assert.AreNotEqual(V(alert, "identifier"), V(cancel, "identifier"), "a new message, not the alert again");
        Assert.AreEqual(Reference(alert), V(cancel, "references"));
        Assert.AreEqual("2026-11-22T16:00:15-00:00", V(cancel, "sent"));
        Assert.AreEqual("Past", V(cancel, "urgency"));
        Assert.AreNotEqual("Execute", V(cancel, "responseType"), "nothing to do any more");
    }

    [TestMethod]
    public async Task AFalseAlarmIsACancelAndNamesTheMessageItWithdraws()
    {
        await using var rx = await Start();
        await ProvisionFob(rx);
        long id = Raise(rx, SampleFrames.Alert(Device, 7));
        time.Now = time.Now.AddSeconds(10);
        await Act(rx, id, "acknowledge");
        time.Now = time.Now.AddSeconds(10);
        await Act(rx, id, "false-alarm");
        List<XDocument> all = await Messages(rx, id);
        CollectionAssert.AreEqual(new[] { "Alert", "Update", "Cancel" }, all.Select(d => V(d, "msgType")).ToArray());
        Assert.AreEqual(Reference(all[0]) + " " + Reference(all[1]), V(all[2], "references"));
        Assert.AreEqual("Cancel", V(await Latest(rx, id), "msgType"));
    }

    [TestMethod]
    public async Task ADuressCancelEscalatesAndIsNeverACancel()
    {
        await using var rx = await Start();
        await ProvisionFob(rx);
        long id = Raise(rx, SampleFrames.Alert(Device, 7));
        time.Now = time.Now.AddSeconds(5);
        rx.Send(LoopbackReceiver.DuressCancel(Device, 8));
        XDocument duress = await Latest(rx, id);
        Assert.AreEqual("Update", V(duress, "msgType"), "the person is coerced: the alert is not withdrawn");
        Assert.AreEqual("Extreme", V(duress, "severity"));
        Assert.AreEqual("Execute", V(duress, "responseType"));
        Assert.AreEqual("Immediate", V(duress, "urgency"));
        StringAssert.StartsWith(V(duress, "headline"), "DURESS");
        time.Now = time.Now.AddSeconds(5);
        rx.Send(FollowUp(9, -61760000, 1068280000, 10)); // the device keeps reporting its position after a duress cancel
        time.Now = time.Now.AddSeconds(5);
        await Act(rx, id, "acknowledge");
        List<XDocument> all = await Messages(rx, id);
        CollectionAssert.AreEqual(new[] { "Alert", "Update", "Update", "Update" }, all.Select(d => V(d, "msgType")).ToArray());
        foreach (XDocument later in all.Skip(1))
        {
            Assert.AreEqual("Extreme", V(later, "severity"), "duress stays on every later message");
            StringAssert.StartsWith(V(later, "headline"), "DURESS");
        }
    }

    [TestMethod]
    public async Task AControlCharacterInAnOwnerNameIsRefusedAtProvisioningAndCanNeverBreakTheCap()
    {
        await using var rx = await Start();
        var refused = await rx.Api.PostAsJsonAsync("/api/devices",
            new { id = Device, key = Convert.ToHexString(LoopbackReceiver.Key), kind = "fob", ownerName = "Siti\u0007\u001b[2J", ownerPhone = "+62812" });
        string why = await refused.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, refused.StatusCode, why);
        StringAssert.Contains(why, "ownerName");
        StringAssert.Contains(why, "control character");
        Assert.IsNull(rx.Service<DeviceRegistry>().Find(Device), "nothing stored");

        // A record stored before the check existed (written straight to the registry).
        rx.Service<DeviceRegistry>().Upsert(new DeviceRecord { Id = Device, Key = new DeviceKey(LoopbackReceiver.Key), OwnerName = "Siti\u0000\u0007 Rahma\u001b\r\nX", Address = "Jl.\u0001 Mawar" });
        long id = Raise(rx, SampleFrames.Alert(Device, 7));
        XDocument doc = await Latest(rx, id);
        StringAssert.StartsWith(V(doc, "headline"), "Siti Rahma X");
        Assert.IsFalse(doc.ToString().Any(c => char.IsControl(c) && c != '\n' && c != '\r' && c != '\t'), "no control character reaches the output");
    }

    [TestMethod]
    public async Task AWallUnitsRegisteredAddressIsTheAreaDescription()
    {
        await using var rx = await Start();
        await Provision(rx, new
        {
            id = "wall-0001", key = Convert.ToHexString(LoopbackReceiver.Key), kind = "wall", ownerName = "Toko Makmur", ownerPhone = "+62215550100",
            address = "Jl. Jenderal Sudirman No. 1, Jakarta Pusat", lat = -6.2087634, lon = 106.845599,
        });
        Frame f = Frame.Create(MessageKind.Alert, "wall-0001", 3, (byte)AlertCode.HoldUp);
        f.LatitudeE7 = -62087634;
        f.LongitudeE7 = 1068455990;
        f.AccuracyM = 15;
        f.Source = LocationSource.FixedAddress;
        long id = Raise(rx, f);
        XDocument doc = await Latest(rx, id);
        StringAssert.Contains(V(doc, "areaDesc"), "Jl. Jenderal Sudirman No. 1, Jakarta Pusat");
        Assert.AreEqual("-6.208763,106.845599 0.015", V(doc, "circle"));
    }

    [TestMethod]
    public async Task UnknownAccuracyDrawsNoInventedCircleButKeepsThePositionReadable()
    {
        await using var rx = await Start();
        await ProvisionFob(rx);
        long id = Raise(rx, AlertWithAccuracy(7, Frame.Unknown16));
        XDocument doc = await Latest(rx, id);
        Assert.IsEmpty(doc.Descendants(Cap + "circle"), "0xFFFF means the accuracy is unknown: no 1 km circle made up");
        StringAssert.Contains(V(doc, "areaDesc"), "-6.175392,106.827153");
        StringAssert.Contains(V(doc, "areaDesc"), "accuracy unknown");
        XElement position = doc.Descendants(Cap + "parameter").Single(p => p.Element(Cap + "valueName")!.Value == "position");
        Assert.AreEqual("-6.175392,106.827153", position.Element(Cap + "value")!.Value, "machine-readable, WGS 84 as in a CAP circle");
    }

    [TestMethod]
    public async Task ZeroAccuracyDrawsNoRadiusZeroCircle()
    {
        await using var rx = await Start();
        await ProvisionFob(rx);
        long id = Raise(rx, AlertWithAccuracy(7, 0));
        XDocument doc = await Latest(rx, id);
        Assert.IsEmpty(doc.Descendants(Cap + "circle"), "a circle of radius 0 is no area");
        Assert.AreEqual("-6.175392,106.827153", doc.Descendants(Cap + "parameter").Single(p => p.Element(Cap + "valueName")!.Value == "position").Element(Cap + "value")!.Value);
    }

    [TestMethod]
    public async Task TheHeadlineStaysWithin160CharactersHoweverLongTheNames()
    {
        await using var rx = await Start();
        string owner = "Siti " + new string('R', 495);
        await ProvisionFob(rx, owner);
        long id = Raise(rx, SampleFrames.Alert(Device, 7));
        time.Now = time.Now.AddSeconds(1);
        await Act(rx, id, "assign", "Responder " + new string('B', 290));
        time.Now = time.Now.AddSeconds(1);
        rx.Send(LoopbackReceiver.DuressCancel(Device, 8));
        time.Now = time.Now.AddSeconds(1);
        await Act(rx, id, "false-alarm");
        foreach (XDocument doc in await Messages(rx, id))
        {
            string headline = V(doc, "headline");
            Assert.IsLessThanOrEqualTo(160, headline.Length, headline);
            StringAssert.Contains(headline, "Siti RRR", "the name is shortened, not dropped");
        }
        Assert.IsLessThanOrEqualTo(160, V(await Latest(rx, id), "headline").Length);
    }

    [TestMethod]
    public async Task TheLanguageIsTheDevicesLanguage()
    {
        await using var rx = await Start();
        await ProvisionFob(rx, language: "id");
        long id = Raise(rx, SampleFrames.Alert(Device, 7));
        XDocument doc = await Latest(rx, id);
        Assert.AreEqual("id-ID", V(doc, "language"), "RFC 3066 tag for Indonesian");
        Assert.AreEqual("Siti Rahma menekan tombol darurat", V(doc, "headline"));
        time.Now = time.Now.AddSeconds(1);
        await Act(rx, id, "resolve");
        StringAssert.Contains(V(await Latest(rx, id), "headline"), "selesai");

        await Provision(rx, new { id = "fob-0002", key = Convert.ToHexString(LoopbackReceiver.Key), kind = "fob", ownerName = "Ana", language = "en" });
        long en = Raise(rx, SampleFrames.Alert("fob-0002", 1));
        XDocument english = await Latest(rx, en);
        Assert.AreEqual("en-US", V(english, "language"));
        Assert.AreEqual("Ana pressed the panic button", V(english, "headline"));

        var bad = await rx.Api.PostAsJsonAsync("/api/devices", new { id = "fob-0003", key = Convert.ToHexString(LoopbackReceiver.Key), kind = "fob", language = "fr" });
        Assert.AreEqual(HttpStatusCode.BadRequest, bad.StatusCode);
        StringAssert.Contains(await bad.Content.ReadAsStringAsync(), "language");
    }

    [TestMethod]
    public async Task TheSenderIsConfigurableAndUsedInReferences()
    {
        await using var rx = await Start("--cap-sender", "alerts@command.example.org", "--cap-sender-name", "Pusat Komando Jakarta");
        await ProvisionFob(rx);
        long id = Raise(rx, SampleFrames.Alert(Device, 7));
        time.Now = time.Now.AddSeconds(3);
        rx.Send(Cancel(8));
        List<XDocument> all = await Messages(rx, id);
        Assert.IsTrue(all.All(d => V(d, "sender") == "alerts@command.example.org"));
        Assert.IsTrue(all.All(d => V(d, "senderName") == "Pusat Komando Jakarta"));
        StringAssert.StartsWith(V(all[1], "references"), "alerts@command.example.org,pd-fob-0001-7,");
    }

    [TestMethod]
    public void ASenderCapWouldRejectStopsTheReceiverAtStartWithTheRule()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pd-cap-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (string sender in new[] { "command centre", "a,b", "x<y", "a&b", "" })
            {
                var e = Assert.ThrowsExactly<Microsoft.Extensions.Options.OptionsValidationException>(() =>
                    PanicDevice.Receiver.ReceiverApp.Build(new[] { "--mqtt-port", "0", "--data", dir, "--cap-sender", sender }), sender);
                StringAssert.Contains(e.Message, "--cap-sender");
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public async Task TheOpenApiDescribesTheMessageList()
    {
        await using var rx = await Start();
        var doc = await rx.Api.GetFromJsonAsync<JsonElement>("/openapi/v1.json"); // operator token: the description is not public
        JsonElement paths = doc.GetProperty("paths");
        Assert.IsTrue(paths.TryGetProperty("/api/alerts/{id}/cap/messages", out JsonElement list), "the message list is in the API description");
        StringAssert.Contains(list.GetRawText(), "application/json");
        StringAssert.Contains(paths.GetProperty("/api/alerts/{id}/cap").GetRawText(), "application/cap+xml");
    }
}
