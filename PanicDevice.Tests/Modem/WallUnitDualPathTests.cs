using PanicDevice.Bench.Engines;
using PanicDevice.Core.Delivery;
using PanicDevice.Host;
using PanicDevice.Tests.Support;
using PanicDevice.Tests.Receiver;

namespace PanicDevice.Tests.Modem;

/// <summary>
/// A wall unit with Wi-Fi and a SIM800: the real Core (DualUplink, BrokerClientUplink, MQTT session, SIM800
/// driver) with MQTTnet standing in for M2Mqtt on the Wi-Fi side, the modem emulator on the cellular side, and
/// the real receiver with its embedded broker.
/// </summary>
[TestClass]
public class WallUnitDualPathTests
{
    private static bool BothPathsUp(ModemRig rig) => rig.Device.WifiUplink!.IsConnected && rig.Device.Session.IsConnected;

    [TestMethod]
    public async Task AWorkingWifiCarriesTheAlertAndCellularStaysIdle()
    {
        int port = LoopbackPorts.Free();
        using var wifi = new MqttnetClientPort("127.0.0.1", port);
        // Device time runs ~10× faster than the broker's here, so the failover time is stretched: a loaded test
        // machine must not make a working Wi-Fi look silent.
        await using var rig = new ModemRig(brokerPort: port, wifi: wifi, failoverMs: 20_000);
        await rig.StartReceiverAsync();
        Assert.IsTrue(rig.RunUntil(() => BothPathsUp(rig), 60), "both paths up: " + rig.Why + ", wifi: " + rig.Device.WifiUplink!.LastError);

        rig.Device.Tap(150, 100);
        Assert.IsTrue(rig.RunUntil(() => rig.Device.App.Engine.PendingCount == 0 && rig.FramesStored == 1, 30), "alert acknowledged: " + rig.Why);

        var dual = rig.Device.Dual!;
        Assert.IsGreaterThanOrEqualTo(1, dual.PrimaryPublishes);
        Assert.AreEqual(0, dual.SecondaryPublishes, "cellular was not needed");
        Assert.AreEqual(0, dual.Failovers);
        Assert.IsEmpty(rig.Modem.Sms, "no SMS");
    }

    [TestMethod]
    public async Task WithWifiDownTheAlertGoesOverCellularAtOnceAndIsStoredOnce()
    {
        int port = LoopbackPorts.Free();
        // Wi-Fi "up" but the broker unreachable over it: the port refuses every connection.
        using var wifi = new MqttnetClientPort("127.0.0.1", LoopbackPorts.Free()); // nothing listens there
        await using var rig = new ModemRig(brokerPort: port, wifi: wifi);
        await rig.StartReceiverAsync();
        Assert.IsTrue(rig.RunUntil(() => rig.Device.Session.IsConnected && wifi.Attempts >= 2, 60), "cellular up, Wi-Fi retried: " + rig.Why);
        Assert.IsFalse(rig.Device.WifiUplink!.IsConnected);

        long pressedAt = rig.Device.Now;
        rig.Device.Tap(150, 100);
        Assert.IsTrue(rig.RunUntil(() => rig.Device.App.Engine.PendingCount == 0, 30), "alert acknowledged: " + rig.Why);
        long ackedAfterMs = rig.Device.Now - pressedAt;

        Assert.AreEqual(1L, rig.FramesStored);
        Assert.IsGreaterThanOrEqualTo(1, rig.Device.Dual!.SecondaryPublishes);
        Assert.IsLessThan(20_000L, ackedAfterMs, "acknowledged over cellular before the SMS deadline");
        Assert.IsEmpty(rig.Modem.Sms, "no SMS: a data path worked");
        Assert.IsNotNull(rig.Device.WifiUplink.LastError, "the Wi-Fi failure is reported");
    }

    [TestMethod]
    public async Task AWifiThatStaysConnectedButGoesSilentFailsOverToCellularBeforeTheSmsDeadline()
    {
        int port = LoopbackPorts.Free();
        // Router up, internet down: the Wi-Fi path's TCP stays open but no byte gets through either way.
        using var relay = new TcpRelay(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
        using var wifi = new MqttnetClientPort("127.0.0.1", relay.Port);
        await using var rig = new ModemRig(brokerPort: port, wifi: wifi);
        await rig.StartReceiverAsync();
        Assert.IsTrue(rig.RunUntil(() => BothPathsUp(rig), 60), "both paths up: " + rig.Why + ", wifi: " + rig.Device.WifiUplink!.LastError);
        relay.Partition();

        long pressedAt = rig.Device.Now;
        rig.Device.Tap(150, 100);
        Assert.IsTrue(rig.RunUntil(() => rig.Device.App.Engine.PendingCount == 0, 30), "alert acknowledged: " + rig.Why);
        long ackedAfterMs = rig.Device.Now - pressedAt;

        var dual = rig.Device.Dual!;
        Assert.IsTrue(rig.Device.WifiUplink!.IsConnected || dual.PrimarySuspect, "the silent Wi-Fi still looked connected, or was suspected");
        Assert.IsGreaterThanOrEqualTo(1, dual.PrimaryPublishes, "Wi-Fi was tried first");
        Assert.IsGreaterThanOrEqualTo(1, dual.SecondaryPublishes, "then cellular");
        Assert.AreEqual(1, dual.Failovers);
        Assert.IsGreaterThanOrEqualTo((long)DualUplink.DefaultFailoverMs, ackedAfterMs, "not before the failover time");
        Assert.IsLessThan(20_000L, ackedAfterMs, "acknowledged over cellular before the SMS deadline");
        Assert.IsEmpty(rig.Modem.Sms, "no SMS: the cellular data path worked");
        Assert.AreEqual(1L, rig.FramesStored, "stored once");
    }
}
