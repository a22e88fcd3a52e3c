using Microsoft.Extensions.Configuration;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Dispatch.Dc09;
using PanicDevice.Receiver.Dispatch.Routing;
using PanicDevice.Tests.Guard;

namespace PanicDevice.Tests.Dispatch;

/// <summary>
/// The example of docs/routing.md (docs/samples/routing/appsettings.json) is a configuration the receiver accepts,
/// and routes as the document's table says.
/// </summary>
[TestClass]
public class RoutingSampleTests
{
    private static readonly string Folder = Path.Combine(RepositoryRoot.Path, "docs", "samples", "routing");

    // The example names a key file that is not in the repository (a key never is): here, any key of the right length.
    private static string Read(string file) => file == "arc-1234.key" ? new string('7', 64) : File.ReadAllText(Path.Combine(Folder, file));

    private static ReceiverOptions Options()
    {
        IConfiguration config = new ConfigurationBuilder().AddJsonFile(Path.Combine(Folder, "appsettings.json")).Build();
        return config.GetSection("Receiver").Get<ReceiverOptions>()!;
    }

    [TestMethod]
    public void TheExampleIsAcceptedAndRoutesAsTheDocumentSays()
    {
        ReceiverOptions o = Options();
        var problems = new List<string>();
        ArcConfiguration.Check(o.Arcs, Read, problems);
        AlertRouter? router = AlertRouter.Load(o.Routes, o.DefaultRoute, o.Groups, o.Areas, RouteNames.All(o), Read, problems);
        Assert.IsEmpty(problems, string.Join("\n", problems));
        Assert.AreEqual("112", o.Webhooks[0].Name, "a webhook's name binds from the configuration");

        string Where(string device, DeviceKind kind, MessageKind what, AlertCode code, string utc, double lat = -6.195, double lon = 106.835) =>
            string.Join(" ", RouteNames.All(o).Where(t => router!.Decide(new QueuedEvent(1, "frame", device, 1, what, (byte)code, (int)(lat * 1e7), (int)(lon * 1e7), 10,
                LocationSource.Gnss, 0, null, "mqtt", utc, kind, null, null, null), t).Routed));

        const string night = "2026-12-04T16:00:00.0000000Z", noon = "2026-12-04T05:00:00.0000000Z"; // 23:00 and 12:00 in Jakarta
        // The rows of docs/routing.md, "What the example does".
        Assert.AreEqual("webhook:112 webhook:polsek-menteng arc:central", Where("wall-apotek-01", DeviceKind.Wall, MessageKind.Alert, AlertCode.HoldUp, night));
        Assert.AreEqual("webhook:112 arc:central", Where("wall-apotek-01", DeviceKind.Wall, MessageKind.Alert, AlertCode.HoldUp, noon));
        Assert.AreEqual("arc:central", Where("wall-apotek-01", DeviceKind.Wall, MessageKind.Heartbeat, AlertCode.None, noon));
        Assert.AreEqual("webhook:112 webhook:women-children", Where("fob-sd01-0003", DeviceKind.Fob, MessageKind.Alert, AlertCode.Panic, noon, -6.3, 106.9));
        Assert.AreEqual("webhook:112", Where("fob-0042", DeviceKind.Fob, MessageKind.Alert, AlertCode.Panic, noon));
        Assert.AreEqual("webhook:112 webhook:polsek-menteng", Where("fob-0042", DeviceKind.Fob, MessageKind.Alert, AlertCode.Panic, night));
        Assert.AreEqual("webhook:112", Where("fob-0042", DeviceKind.Fob, MessageKind.Heartbeat, AlertCode.None, night), "the default route");
    }
}
