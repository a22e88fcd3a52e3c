using System.Threading.Channels;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Dashboard;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Dashboard;

/// <summary>
/// Two whole receivers on one PostgreSQL store, as behind a broker's shared subscription: an operator watching one
/// receiver's dashboard sees, live and once each, the alerts the other one stored, the operator actions taken on the
/// other one, and the counter refusals it recorded (<see cref="SharedStoreFeed"/>). Without PostgreSQL: Inconclusive.
/// </summary>
[TestClass]
public class SharedStoreFeedTests
{
    private static async Task<object> NextAsync(ChannelReader<object> reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await reader.ReadAsync(timeout.Token);
    }

    private static async Task<AlertView> NextAlertAsync(ChannelReader<object> reader) =>
        await NextAsync(reader) as AlertView ?? throw new AssertFailedException("expected an alert on the feed");

    [TestMethod]
    public async Task AnOperatorOnOneReceiverSeesWhatTheOtherStoredAndDidOnceEach()
    {
        using TestStore store = TestStore.Create(StoreEngine.Postgres);
        string keys = Directory.CreateTempSubdirectory("pd-shared-keys-").FullName;
        string keyFile = Path.Combine(keys, "device-keys.key"); // one key file for the receivers of one store
        try
        {
            await using LoopbackReceiver a = await LoopbackReceiver.StartAsync("--store", store.Url, "--key-file", keyFile);
            await using LoopbackReceiver b = await LoopbackReceiver.StartAsync("--store", store.Url, "--key-file", keyFile);
            await a.Service<SharedStoreFeed>().Listening.WaitAsync(TimeSpan.FromSeconds(20));
            await b.Service<SharedStoreFeed>().Listening.WaitAsync(TimeSpan.FromSeconds(20));
            await a.ProvisionAsync("fob-shared-1");
            using AlertFeed.Subscription watching = a.Service<AlertFeed>().Subscribe();

            // Stored by the other receiver: on this one's feed.
            b.Send(SampleFrames.Alert("fob-shared-1", 1));
            AlertView fromB = await NextAlertAsync(watching.Reader);
            Assert.AreEqual(("fob-shared-1", 1u, "new"), (fromB.DeviceId, fromB.Counter, fromB.State));
            StringAssert.StartsWith(fromB.Timeline.Single().Event, "received-mqtt");

            // Stored by this receiver: once, not once from itself and once from the store. The next item is the next alert.
            a.Send(SampleFrames.Alert("fob-shared-1", 2));
            Assert.AreEqual(2u, (await NextAlertAsync(watching.Reader)).Counter);
            b.Send(SampleFrames.Alert("fob-shared-1", 3));
            Assert.AreEqual(3u, (await NextAlertAsync(watching.Reader)).Counter, "the alert of counter 2 came twice");

            // An operator acting on the other receiver.
            var acted = await b.Api.SendAsync(b.Request(HttpMethod.Post, "/api/alerts/" + fromB.Id + "/acknowledge", body: new { @operator = "dina" }));
            Assert.IsTrue(acted.IsSuccessStatusCode, await acted.Content.ReadAsStringAsync());
            AlertView acknowledged = await NextAlertAsync(watching.Reader);
            Assert.AreEqual((fromB.Id, "acknowledged"), (acknowledged.Id, acknowledged.State));

            // A counter refused by the other receiver: other bytes under counter 3.
            Frame reused = SampleFrames.Alert("fob-shared-1", 3);
            reused.Code = (byte)AlertCode.HoldUp;
            IngestResult refused = b.Service<IngestPipeline>().Process(FrameCodec.Encode(reused, LoopbackReceiver.Key), reused.DeviceId, IngestPath.Mqtt);
            Assert.AreEqual(IngestStatus.CounterRefused, refused.Status);
            var counterEvent = await NextAsync(watching.Reader) as CounterEventView ?? throw new AssertFailedException("expected the counter event");
            Assert.AreEqual(("fob-shared-1", 3u), (counterEvent.DeviceId, counterEvent.Counter));

            // The listening connection dies: what it would have heard is lost, so the page's stream ends (and it reloads);
            // once listening again, a new stream hears the other receiver's alerts.
            using (var c = store.OpenOutside())
            {
                ReceiverDatabase.Execute(c, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'");
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await watching.Reader.Completion.WaitAsync(timeout.Token);
            await Eventually.WaitFor(() => a.Service<SharedStoreFeed>().Listens == 2, TimeSpan.FromSeconds(20), "listening again");
            using AlertFeed.Subscription again = a.Service<AlertFeed>().Subscribe();
            b.Send(SampleFrames.Alert("fob-shared-1", 4));
            Assert.AreEqual(4u, (await NextAlertAsync(again.Reader)).Counter);
        }
        finally
        {
            TempDirectory.Delete(keys);
        }
    }
}
