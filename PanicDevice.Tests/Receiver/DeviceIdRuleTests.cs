using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PanicDevice.Cli;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// Device ids through the receiver's API, its registry and panicctl: one rule (DeviceIds, docs/protocol.md "Device ids"),
/// and what happens to a stored id the rule came to refuse.
/// </summary>
[TestClass]
public class DeviceIdRuleTests
{
    private static Task<HttpResponseMessage> Provision(LoopbackReceiver rx, string id) =>
        rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/devices", body: new { id, key = Convert.ToHexString(LoopbackReceiver.Key), kind = "fob" }));

    [TestMethod]
    public async Task IdsOfDotsOnlyAreRefusedAtProvisioningAndOtherDottedIdsCanBeReadAndRevoked()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        foreach (string id in new[] { ".", "..", "..." })
        {
            var r = await Provision(rx, id);
            Assert.AreEqual(HttpStatusCode.BadRequest, r.StatusCode, id);
            StringAssert.Contains(await r.Content.ReadAsStringAsync(), "id must not be only dots", id);
        }
        Assert.AreEqual(0, (await rx.Api.GetFromJsonAsync<JsonElement>("/api/devices")).GetArrayLength(), "none of them stored");

        foreach (string id in new[] { ".fob", "fob.", "a..b" })
        {
            Assert.AreEqual(HttpStatusCode.Created, (await Provision(rx, id)).StatusCode, id);
            Assert.AreEqual(id, (await rx.Api.GetFromJsonAsync<JsonElement>("/api/devices/" + id)).GetProperty("id").GetString(), "read " + id);
            Assert.AreEqual(HttpStatusCode.OK, (await rx.Api.PostAsync("/api/devices/" + id + "/revoke", null)).StatusCode, "revoke " + id);
            Assert.IsFalse(rx.Service<DeviceRegistry>().Find(id)!.Enabled, id + " revoked");
        }
    }

    [TestMethod]
    public async Task RoutesAndTheRegistryUseTheSameRule()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        var get = await rx.Api.GetAsync("/api/devices/fob%201");
        Assert.AreEqual(HttpStatusCode.BadRequest, get.StatusCode, "an id no device can have");
        StringAssert.Contains(await get.Content.ReadAsStringAsync(), "id may only contain letters, digits");
        Assert.AreEqual(HttpStatusCode.BadRequest, (await rx.Api.PostAsync("/api/devices/fob%3Awifi/revoke", null)).StatusCode, "':' is the Wi-Fi client id's");
        Assert.AreEqual(HttpStatusCode.NotFound, (await rx.Api.GetAsync("/api/devices/fob-9")).StatusCode, "a valid id that is not there");

        var refused = Assert.ThrowsExactly<ArgumentException>(() => rx.Service<DeviceRegistry>().Upsert(new DeviceRecord { Id = "..", Key = new DeviceKey(LoopbackReceiver.Key) }));
        StringAssert.Contains(refused.Message, "device id must not be only dots");
    }

    [TestMethod]
    public async Task ADeviceWhoseIdTheRuleCameToRefuseStillAlertsAndCanBeReadAndRevoked()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await rx.ProvisionAsync("fob-0001");
        // What a receiver before the rule stored for POST /api/devices {"id": ".."}.
        using (var c = rx.Service<ReceiverDatabase>().Open())
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "INSERT INTO devices (id, key, kind, owner_name) VALUES (@id, @key, 0, 'Siti')";
            cmd.With("@id", "..");
            cmd.With("@key", LoopbackReceiver.Key);
            cmd.ExecuteNonQuery();
        }
        rx.Send(LoopbackReceiver.AlertWithoutPosition("..", 1)); // stored and acknowledged: the press still reaches help

        var found = await rx.Api.GetFromJsonAsync<JsonElement>("/api/devices?id=..");
        Assert.AreEqual(1, found.GetArrayLength(), found.ToString());
        Assert.AreEqual("..", found[0].GetProperty("id").GetString());
        Assert.AreEqual(0, (await rx.Api.GetFromJsonAsync<JsonElement>("/api/devices?id=fob-9")).GetArrayLength(), "no such device");

        var list = new StringWriter();
        Assert.AreEqual(0, await CliApp.RunAsync(new[] { "devices", "list", "--receiver", rx.Url, "--token", LoopbackReceiver.OperatorToken }, list, list), list.ToString());
        StringAssert.Contains(list.ToString(), "Siti — id must not be only dots");
        StringAssert.Contains(list.ToString(), "it still works: provision the device under a new id, then revoke this one");
        Assert.AreEqual(1, list.ToString().Split("it still works").Length - 1, "only that device is marked: " + list);
        var revoke = new StringWriter();
        Assert.AreEqual(0, await CliApp.RunAsync(new[] { "devices", "revoke", "--id", "..", "--receiver", rx.Url, "--token", LoopbackReceiver.OperatorToken }, revoke, revoke), revoke.ToString());
        Assert.IsFalse(rx.Service<DeviceRegistry>().Find("..")!.Enabled, "revoked");
        Assert.IsTrue(rx.Service<DeviceRegistry>().Find("fob-0001")!.Enabled, "only that device");
        IngestResult after = rx.Service<IngestPipeline>().Process(FrameCodec.Encode(LoopbackReceiver.AlertWithoutPosition("..", 2), LoopbackReceiver.Key), "..", IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.Rejected, after.Status, "a revoked device's frames are refused");
    }
}
