using MQTTnet;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Tests.Security;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// A device's publishes in flight (up to 8) are queued for one group commit together instead of one commit after another,
/// at most <see cref="EmbeddedBroker.StoresUnderWayPerDevice"/> at a time; the signed ack still follows each frame's commit,
/// and a frame whose batch cannot commit gets none, so the device's resend is stored.
/// </summary>
[TestClass]
public class BrokerPipeliningTests
{
    private static readonly byte[] Key = SampleFrames.Key(0x2B);
    private readonly CapturingLoggerProvider logs = new();
    private BrokerFixture rig = null!;

    [TestInitialize]
    public async Task Start() => rig = await BrokerFixture.StartAsync(new[] { ("fob-p", Key) }, log: logs.CreateLogger("broker"));

    [TestCleanup]
    public async Task Stop()
    {
        rig.Store.BeforeGroupCommit = null;
        await rig.DisposeAsync();
    }

    private static byte[] Alert(uint counter) => FrameCodec.Encode(SampleFrames.Alert("fob-p", counter), Key);

    [TestMethod]
    public async Task PublishesInFlightAreQueuedTogetherBoundedAndEachAckFollowsItsCommit()
    {
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int commits = 0;
        rig.Store.BeforeGroupCommit = frames =>
        {
            if (Interlocked.Increment(ref commits) == 1)
            {
                held.Set();
                release.Wait(TimeSpan.FromSeconds(30)); // the writer is busy with the first frame's batch
            }
        };
        using IMqttClient device = await MqttConnect.DeviceAsync(rig.Port, "fob-p", Key);
        var acks = new MqttConnect.AckCollector(device, Key);
        await device.SubscribeAsync(Topics.Downlink("fob-p"), MqttQualityOfServiceLevel.AtLeastOnce);

        // The first publish is PUBACKed once queued, though its commit has not happened.
        await device.PublishBinaryAsync(Topics.Uplink("fob-p"), Alert(1), MqttQualityOfServiceLevel.AtLeastOnce).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.IsTrue(held.Wait(TimeSpan.FromSeconds(10)), "the writer took the first frame");

        // Eleven more while the writer is held: seven are queued and PUBACKed, then the device has 8 under way and waits.
        var publishes = new List<Task>();
        for (uint c = 2; c <= 12; c++)
        {
            publishes.Add(device.PublishBinaryAsync(Topics.Uplink("fob-p"), Alert(c), MqttQualityOfServiceLevel.AtLeastOnce));
        }
        await Eventually.WaitFor(() => publishes.Count(p => p.IsCompleted) >= 7, TimeSpan.FromSeconds(10), "seven more PUBACKed while the store is held");
        await Task.Delay(500);
        Assert.AreEqual(7, publishes.Count(p => p.IsCompletedSuccessfully), "no more than 8 of one device under way in the store");
        await Assert.ThrowsAsync<TimeoutException>(() => acks.WaitForAsync(1, TimeSpan.FromMilliseconds(200)), "no signed ack before the commit");
        Assert.AreEqual(0, rig.Store.CountFrames("fob-p"));

        release.Set();
        await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(10));
        for (uint c = 1; c <= 12; c++)
        {
            await acks.WaitForAsync(c, TimeSpan.FromSeconds(10));
        }
        Assert.AreEqual(12, rig.Store.CountFrames("fob-p"));
        Assert.IsFalse(rig.Pipeline.Counts.Keys.Any(k => k.StartsWith("rejected_", StringComparison.Ordinal)), string.Join(", ", rig.Pipeline.Counts.Keys));
        // One device's 12 frames one commit after another take 12 commits. Queued together: the held one, the 7 queued behind
        // it in one, and the last 4 as slots free up (at worst one each).
        Assert.IsTrue(rig.Store.GroupCommits.Batches <= 6, rig.Store.GroupCommits.Batches + " commits for 12 frames");
    }

    [TestMethod]
    public async Task AFrameWhoseBatchCannotCommitIsNotAckedAndTheDevicesResendIsStored()
    {
        int failures = 0;
        rig.Store.BeforeGroupCommit = _ =>
        {
            if (Interlocked.Increment(ref failures) == 1)
            {
                throw new InvalidOperationException("commit failed (test)");
            }
        };
        using IMqttClient device = await MqttConnect.DeviceAsync(rig.Port, "fob-p", Key);
        var acks = new MqttConnect.AckCollector(device, Key);
        await device.SubscribeAsync(Topics.Downlink("fob-p"), MqttQualityOfServiceLevel.AtLeastOnce);
        byte[] frame = Alert(1);

        await device.PublishBinaryAsync(Topics.Uplink("fob-p"), frame, MqttQualityOfServiceLevel.AtLeastOnce);
        await Eventually.WaitFor(() => logs.Lines.Any(l => l.Contains("not stored, the device will send it again")), TimeSpan.FromSeconds(10), "the failed store is logged");
        await Assert.ThrowsAsync<TimeoutException>(() => acks.WaitForAsync(1, TimeSpan.FromMilliseconds(500)), "no signed ack for a frame not stored");
        Assert.AreEqual(0, rig.Store.CountFrames("fob-p"));
        Assert.IsTrue(device.IsConnected);

        // The device's data-path retry: the same bytes again.
        await device.PublishBinaryAsync(Topics.Uplink("fob-p"), frame, MqttQualityOfServiceLevel.AtLeastOnce);
        await acks.WaitForAsync(1, TimeSpan.FromSeconds(10));
        Assert.AreEqual(1, rig.Store.CountFrames("fob-p"));
        Assert.IsFalse(logs.Lines.Any(l => l.Contains(Convert.ToHexString(Key), StringComparison.OrdinalIgnoreCase)), "no key in the log");
    }
}
