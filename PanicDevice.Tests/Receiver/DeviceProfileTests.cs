using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// Issue 15, item 1: who and where an alert is from. The profile kept at provisioning comes with every alert on the
/// operator API; operators edit it (PUT /api/devices/{id}/profile, recorded as a device event naming the fields); bad
/// input is refused with a reason; the notes never leave the operator API (not in CAP).
/// </summary>
[TestClass]
public class DeviceProfileTests
{
    [TestMethod]
    public async Task TheProfileComesWithEveryAlertAndOperatorsEditItWithAnAuditTrail()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await rx.ProvisionAsync("fob-0001"); // ownerName Siti, ownerPhone +6281234567890
        rx.Send(SampleFrames.Alert("fob-0001", 1));

        JsonElement alert = (await rx.Api.SendAsync(rx.Request(HttpMethod.Get, "/api/alerts"))).Content.ReadFromJsonAsync<JsonElement>().Result[0];
        Assert.AreEqual("Siti", alert.GetProperty("who").GetProperty("name").GetString());
        Assert.AreEqual("+6281234567890", alert.GetProperty("who").GetProperty("phone").GetString());
        Assert.AreEqual("fob", alert.GetProperty("who").GetProperty("deviceKind").GetString());

        const string notes = "Asthma: inhaler in the left pocket.\nMother speaks Javanese only.";
        var put = await rx.Api.SendAsync(rx.Request(HttpMethod.Put, "/api/devices/fob-0001/profile", body: new
        {
            ownerName = "Siti Rahma", ownerPhone = "+6281234567890", guardians = new[] { "+6281200000001", "+6281200000002" },
            address = "", notes, language = "id", @operator = "dina",
        }));
        Assert.AreEqual(HttpStatusCode.OK, put.StatusCode, await put.Content.ReadAsStringAsync());
        Assert.AreEqual(notes, (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("notes").GetString());

        long id = alert.GetProperty("id").GetInt64();
        JsonElement who = (await (await rx.Api.SendAsync(rx.Request(HttpMethod.Get, "/api/alerts/" + id))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("who");
        Assert.AreEqual("Siti Rahma", who.GetProperty("name").GetString());
        Assert.AreEqual(notes, who.GetProperty("notes").GetString());
        CollectionAssert.AreEqual(new[] { "+6281200000001", "+6281200000002" }, who.GetProperty("guardians").EnumerateArray().Select(g => g.GetString()).ToArray());
        Assert.AreEqual("id", who.GetProperty("language").GetString());

        JsonElement audit = (await (await rx.Api.SendAsync(rx.Request(HttpMethod.Get, "/api/device-events?id=fob-0001"))).Content.ReadFromJsonAsync<JsonElement>())[0];
        Assert.AreEqual("profile", audit.GetProperty("event").GetString());
        Assert.AreEqual("dina", audit.GetProperty("by").GetString());
        Assert.AreEqual("ownerName, guardians, notes, language", audit.GetProperty("detail").GetString(), "the fields, never their values");

        string cap = await (await rx.Api.SendAsync(rx.Request(HttpMethod.Get, "/api/alerts/" + id + "/cap"))).Content.ReadAsStringAsync();
        Assert.IsFalse(cap.Contains("inhaler", StringComparison.Ordinal), "notes are for operators, not CAP consumers");
    }

    [TestMethod]
    public async Task AProfileThatCannotBeRightIsRefusedWithWhyAndChangesNothing()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await rx.ProvisionAsync("fob-0001");
        foreach (var (body, why) in new (object Body, string Why)[]
        {
            (new { ownerName = "Siti", ownerPhone = "0812-abc" }, "ownerPhone must be a phone number"),
            (new { ownerName = "Siti", guardians = new[] { "+62812", "call me" } }, "guardians must be phone numbers"),
            (new { ownerName = "Siti\nRahma" }, "ownerName contains a control character"),
            (new { ownerName = "Siti", notes = new string('x', 1001) }, "notes are at most 1000 characters"),
            (new { ownerName = "Siti", notes = "bell\u0007" }, "notes are at most 1000 characters of text"),
            (new { ownerName = "Siti", language = "jv" }, "language must be \"en\" or \"id\""),
        })
        {
            var r = await rx.Api.SendAsync(rx.Request(HttpMethod.Put, "/api/devices/fob-0001/profile", body: body));
            Assert.AreEqual(HttpStatusCode.BadRequest, r.StatusCode);
            StringAssert.Contains((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), why);
        }
        Assert.AreEqual(HttpStatusCode.NotFound, (await rx.Api.SendAsync(rx.Request(HttpMethod.Put, "/api/devices/fob-9999/profile", body: new { ownerName = "x" }))).StatusCode);
        JsonElement device = await (await rx.Api.SendAsync(rx.Request(HttpMethod.Get, "/api/devices/fob-0001"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.AreEqual("Siti", device.GetProperty("ownerName").GetString(), "nothing changed");
        Assert.AreEqual(0, (await (await rx.Api.SendAsync(rx.Request(HttpMethod.Get, "/api/device-events?id=fob-0001"))).Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await rx.Http.SendAsync(rx.Request(HttpMethod.Put, "/api/devices/fob-0001/profile", token: null, body: new { ownerName = "x" }))).StatusCode);
    }
}
