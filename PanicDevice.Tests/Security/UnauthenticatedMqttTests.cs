using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Security;

/// <summary>
/// What an MQTT client that has not logged in can make the whole receiver do: packets over the size
/// allowed before login are refused at their header, logins that never finish are closed, there is a cap
/// on them, there is no operator login, and the broker listens only where it is told.
/// </summary>
[TestClass]
public class UnauthenticatedMqttTests
{
    private static int MqttPort(LoopbackReceiver rx) => rx.Service<ReceiverOptions>().MqttPort;

    private static async Task<(TcpClient Tcp, NetworkStream Stream)> OpenAsync(int port, params byte[] first)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        NetworkStream s = tcp.GetStream();
        if (first.Length > 0)
        {
            await s.WriteAsync(first);
        }
        return (tcp, s);
    }

    [TestMethod]
    public async Task AConnectDeclaringAHundredMegabytesIsClosedAtItsHeaderWithoutAnAnswer()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        var (tcp, s) = await OpenAsync(MqttPort(rx), [0x10, .. RawMqtt.RemainingLength(100_000_000), 0x00, 0x04]);
        using (tcp)
        {
            var (closed, received) = await RawMqtt.ClosedAsync(s, TimeSpan.FromSeconds(10));
            Assert.IsTrue(closed, "the connection is closed, not left waiting for 100 MB");
            Assert.IsEmpty(received, "no CONNACK: the packet was never parsed");
        }
        StringAssert.Contains(await rx.Http.GetStringAsync("/metrics"), "pd_mqtt_refused_total{reason=\"packet_too_large_before_login\"} 1");
    }

    [TestMethod]
    public async Task BeforeLoginAConnectAtTheLimitIsAnsweredAndOneByteOverIsClosedUnanswered()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        int limit = BrokerLimits.Default.MaxPacketBytesBeforeLogin;
        var (atTcp, at) = await OpenAsync(MqttPort(rx), RawMqtt.Connect("fob-x", "fob-x", "wrong", remainingLength: limit));
        using (atTcp)
        {
            var (closed, received) = await RawMqtt.ClosedAsync(at, TimeSpan.FromSeconds(10));
            Assert.IsTrue(closed);
            CollectionAssert.AreEqual(new byte[] { 0x20, 0x02, 0x00, 0x04 }, received, "read whole and refused as a bad login");
        }
        var (overTcp, over) = await OpenAsync(MqttPort(rx), RawMqtt.Connect("fob-x", "fob-x", "wrong", remainingLength: limit + 1));
        using (overTcp)
        {
            var (closed, received) = await RawMqtt.ClosedAsync(over, TimeSpan.FromSeconds(10));
            Assert.IsTrue(closed);
            Assert.IsEmpty(received, "refused at the header, never parsed");
        }
    }

    [TestMethod]
    public async Task AFirstPacketThatIsNotAConnectIsClosedUnanswered()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        // A PUBLISH (QoS 0, 10 bytes) before any CONNECT.
        var (tcp, s) = await OpenAsync(MqttPort(rx), 0x30, 0x0A, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'b', 1, 2, 3, 4, 5);
        using (tcp)
        {
            var (closed, received) = await RawMqtt.ClosedAsync(s, TimeSpan.FromSeconds(10));
            Assert.IsTrue(closed);
            Assert.IsEmpty(received);
        }
    }

    [TestMethod]
    public async Task ConnectionsThatNeverLogInAreClosedAfterTheLoginTimeout()
    {
        await using var rx = await LoopbackReceiver.StartAsync("--mqtt-login-timeout", "1");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var (silentTcp, silent) = await OpenAsync(MqttPort(rx));
        var (partialTcp, partial) = await OpenAsync(MqttPort(rx), RawMqtt.Connect("fob-x", "fob-x", "wrong")[..12]);
        using (silentTcp)
        using (partialTcp)
        {
            Assert.IsTrue((await RawMqtt.ClosedAsync(silent, TimeSpan.FromSeconds(15))).Closed, "a connection that sends nothing");
            Assert.IsTrue((await RawMqtt.ClosedAsync(partial, TimeSpan.FromSeconds(15))).Closed, "a CONNECT that never finishes");
            Assert.IsGreaterThanOrEqualTo(0.9, started.Elapsed.TotalSeconds, "not before the timeout");
        }
        // A device that logs in is not cut off by the timeout afterwards.
        await rx.ProvisionAsync("fob-0001");
        using IMqttClient device = await MqttConnect.DeviceAsync(MqttPort(rx), "fob-0001", LoopbackReceiver.Key);
        var acks = new MqttConnect.AckCollector(device, LoopbackReceiver.Key);
        await device.SubscribeAsync(Topics.Downlink("fob-0001"), MqttQualityOfServiceLevel.AtLeastOnce);
        // A silent connection opened after the device's: once it is closed, the device's own deadline has passed too.
        var (laterTcp, later) = await OpenAsync(MqttPort(rx));
        using (laterTcp)
        {
            Assert.IsTrue((await RawMqtt.ClosedAsync(later, TimeSpan.FromSeconds(15))).Closed);
        }
        Assert.IsTrue(device.IsConnected, "logged in before its deadline: not closed by it");
        await device.PublishBinaryAsync(Topics.Uplink("fob-0001"), FrameCodec.Encode(SampleFrames.Alert("fob-0001", 5), LoopbackReceiver.Key), MqttQualityOfServiceLevel.AtLeastOnce);
        await acks.WaitForAsync(5, TimeSpan.FromSeconds(10));
        string metrics = await rx.Http.GetStringAsync("/metrics");
        StringAssert.Contains(metrics, "pd_mqtt_refused_total{reason=\"login_timeout\"} 3");
    }

    [TestMethod]
    public async Task WhenPendingLoginsAreAtTheCapTheOldestIsClosedAndADeviceStillGetsIn()
    {
        await using var rx = await LoopbackReceiver.StartAsync("--mqtt-max-pending-logins", "4", "--mqtt-login-timeout", "60");
        await rx.ProvisionAsync("fob-0001");
        int port = MqttPort(rx);
        var stalled = new List<(TcpClient Tcp, NetworkStream Stream)>();
        try
        {
            for (int i = 0; i < 10; i++)
            {
                stalled.Add(await OpenAsync(port, 0x10, 0x40, 0x00, 0x04, (byte)'M'));
            }
            for (int i = 0; i < 6; i++)
            {
                Assert.IsTrue((await RawMqtt.ClosedAsync(stalled[i].Stream, TimeSpan.FromSeconds(10))).Closed, "the oldest pending login #" + i + " made room");
            }
            using IMqttClient device = await MqttConnect.DeviceAsync(port, "fob-0001", LoopbackReceiver.Key);
            var acks = new MqttConnect.AckCollector(device, LoopbackReceiver.Key);
            await device.SubscribeAsync(Topics.Downlink("fob-0001"), MqttQualityOfServiceLevel.AtLeastOnce);
            await device.PublishBinaryAsync(Topics.Uplink("fob-0001"), FrameCodec.Encode(SampleFrames.Alert("fob-0001", 9), LoopbackReceiver.Key), MqttQualityOfServiceLevel.AtLeastOnce);
            await acks.WaitForAsync(9, TimeSpan.FromSeconds(10));
            Assert.IsTrue((await RawMqtt.ClosedAsync(stalled[6].Stream, TimeSpan.FromSeconds(10))).Closed, "the device's login made room by closing the next oldest");
            StringAssert.Contains(await rx.Http.GetStringAsync("/metrics"), "pd_mqtt_refused_total{reason=\"pending_logins_full\"} 7");
        }
        finally
        {
            foreach (var (tcp, _) in stalled) tcp.Dispose();
        }
    }

    [TestMethod]
    public async Task TheOperatorTokenIsNoMqttLogin()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        Assert.IsFalse(await MqttConnect.LogsInAsync(MqttPort(rx), "console", "operator", LoopbackReceiver.OperatorToken), "no MQTT account behind the operator token");
    }

    /// <summary>An IPv4 address of this machine that is not loopback, or null.</summary>
    private static IPAddress? OtherAddress() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    [TestMethod]
    public async Task TheBrokerListensOnLoopbackLikeTheApiUnlessGivenAnAddress()
    {
        IPAddress? other = OtherAddress();
        if (other == null)
        {
            Assert.Inconclusive("this machine has no non-loopback IPv4 address to try the broker on");
        }
        await using (var rx = await LoopbackReceiver.StartAsync())
        {
            using var tcp = new TcpClient();
            var e = await Assert.ThrowsAsync<SocketException>(() => tcp.ConnectAsync(other!, MqttPort(rx)));
            Assert.AreEqual(SocketError.ConnectionRefused, e.SocketErrorCode, "--urls on loopback: the broker is not reachable on " + other);
        }
        await using (var rx = await LoopbackReceiver.StartAsync("--mqtt-address", other!.ToString()))
        {
            await rx.ProvisionAsync("fob-0001");
            using var client = new MqttClientFactory().CreateMqttClient();
            var options = new MqttClientOptionsBuilder().WithTcpServer(other.ToString(), MqttPort(rx)).WithClientId("fob-0001")
                .WithCredentials("fob-0001", DeviceCredentials.MqttPassword(LoopbackReceiver.Key)).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).Build();
            Assert.AreEqual(MqttClientConnectResultCode.Success, (await client.ConnectAsync(options)).ResultCode, "--mqtt-address " + other);
            using var loopback = new TcpClient();
            var e = await Assert.ThrowsAsync<SocketException>(() => loopback.ConnectAsync(IPAddress.Loopback, MqttPort(rx)));
            Assert.AreEqual(SocketError.ConnectionRefused, e.SocketErrorCode, "only the address asked for");
        }
    }
}
