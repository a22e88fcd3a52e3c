using PanicDevice.Bench.Engines;
using PanicDevice.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Cli;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Host;
using PanicDevice.Receiver;
using PanicDevice.Tests.Receiver;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.Cli;

/// <summary>provision → receiver API → device.json → Core's config reader → a device that alerts and is acknowledged.</summary>
[TestClass]
public class ProvisionCommandTests
{
    private const string Token = "operator-token-for-provisioning";

    [TestMethod]
    public async Task ProvisionedConfigurationDrivesADeviceTheReceiverAcknowledges()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pd-prov-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        int mqtt = LoopbackPorts.Free();
        WebApplication receiver = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", mqtt.ToString(), "--data", Path.Combine(dir, "data"), "--operator-token", Token });
        await receiver.StartAsync();
        try
        {
            string url = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            string outPath = Path.Combine(dir, "device.json");
            var output = new StringWriter();
            var request = new ProvisionRequest("fob-0042", "fob", "Siti Rahma", "+6281234567890", new[] { "+6281200000001" }, null, null, null,
                url, Token, "127.0.0.1", mqtt, "internet", "id", "+6281299999999", outPath);
            Assert.AreEqual(0, await ProvisionCommand.RunAsync(request, output), output.ToString());

            string json = File.ReadAllText(outPath);
            Assert.IsFalse(output.ToString().Contains(json.Split("\"key\": \"")[1][..16]), "the key is not printed");
            DeviceConfigResult config = DeviceConfigReader.Read(json);
            Assert.IsNull(config.Error, config.Error);
            Assert.AreEqual("id", config.Config.Language);

            var device = new SimulatedDevice(config.Config, _ => { });
            Assert.IsTrue(device.RunUntil(() => device.Session.IsConnected, TimeSpan.FromSeconds(10)), "logged in with the provisioned key: " + device.Session.LastError);
            for (int i = 0; i < 3; i++) device.Tap(120, 150);
            Assert.IsTrue(device.RunUntil(() => device.Feedback.Contains(FeedbackEvent.Acknowledged), TimeSpan.FromSeconds(10)));

            Assert.AreEqual(2, await ProvisionCommand.RunAsync(request, new StringWriter()), "an existing device.json is never overwritten");
        }
        finally
        {
            await receiver.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public async Task AWeakKeyIsRefusedByTheApiAndByPanicctlWithoutShowingIt()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pd-prov-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        int mqtt = LoopbackPorts.Free();
        WebApplication receiver = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", mqtt.ToString(), "--data", Path.Combine(dir, "data"), "--operator-token", Token });
        await receiver.StartAsync();
        try
        {
            string url = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
            string documented = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
            foreach (string weak in new[] { new string('0', 64), documented, string.Concat(Enumerable.Repeat("deadbeef", 8)) })
            {
                var response = await http.PostAsync("/api/devices", System.Net.Http.Json.JsonContent.Create(new { id = "fob-0050", key = weak, kind = "fob" }));
                string body = await response.Content.ReadAsStringAsync();
                Assert.AreEqual(System.Net.HttpStatusCode.BadRequest, response.StatusCode, weak[..8] + "…: " + body);
                StringAssert.Contains(body, "key is not random");
                Assert.IsFalse(body.Contains(weak[..16], StringComparison.OrdinalIgnoreCase), "the refusal shows the key: " + body);
            }
            Assert.AreEqual(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/api/devices/fob-0050")).StatusCode, "nothing registered");

            // panicctl checks the key its machine's generator made before registering anything.
            string outPath = Path.Combine(dir, "device.json");
            var request = new ProvisionRequest("fob-0051", "fob", "Siti Rahma", "+6281234567890", Array.Empty<string>(), null, null, null,
                url, Token, "127.0.0.1", mqtt, "internet", "en", "", outPath);
            var output = new StringWriter();
            Assert.AreEqual(1, await ProvisionCommand.RunAsync(request, output, newKey: () => new byte[32]), output.ToString());
            StringAssert.Contains(output.ToString(), "error: the generated key is not random");
            Assert.IsFalse(File.Exists(outPath), "no device.json for a refused key");
            Assert.AreEqual(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/api/devices/fob-0051")).StatusCode, "nothing registered");
        }
        finally
        {
            await receiver.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public async Task RefusalsAreOneLineWithTheReason()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pd-prov-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var wall = new ProvisionRequest("wall-1", "wall", "Toko", "+6281234567890", Array.Empty<string>(), null, null, null, "http://127.0.0.1:9", Token, "h", 1883, "internet", "en", "", Path.Combine(dir, "a.json"));
            var o = new StringWriter();
            Assert.AreEqual(2, await ProvisionCommand.RunAsync(wall, o));
            StringAssert.Contains(o.ToString(), "--lat and --lon");
            var dots = new StringWriter();
            Assert.AreEqual(2, await ProvisionCommand.RunAsync(wall with { Id = "..", Kind = "fob" }, dots), "refused before the receiver is asked: " + dots);
            StringAssert.Contains(dots.ToString(), "error: --id must not be only dots");
            var unreachable = wall with { Kind = "fob" };
            var u = new StringWriter();
            Assert.AreEqual(1, await ProvisionCommand.RunAsync(unreachable, u));
            StringAssert.Contains(u.ToString(), "cannot reach the receiver");
            Assert.IsFalse(File.Exists(wall.OutPath), "no device.json without a registered device");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
