using PanicDevice.Bench.Engines;
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>The embedded broker on loopback with real MQTTnet clients: login, topic rules, ack after store.</summary>
[TestClass]
public class EmbeddedBrokerTests
{
    private static readonly byte[] KeyA = SampleFrames.Key(0x40);
    private static readonly byte[] KeyB = SampleFrames.Key(0x60);
    private BrokerFixture rig = null!;
    private int port;
    private FrameStore store = null!;
    private EmbeddedBroker broker = null!;

    [TestInitialize]
    public async Task Start()
    {
        rig = await BrokerFixture.StartAsync(new[] { ("fob-a", KeyA), ("fob-b", KeyB) });
        (port, store, broker) = (rig.Port, rig.Store, rig.Broker);
    }

    [TestCleanup]
    public async Task Stop() => await rig.DisposeAsync();

    private async Task<(IMqttClient Client, MqttClientConnectResultCode Code)> Connect(string clientId, string user, string? password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId)
            .WithCredentials(user, password).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).Build();
        try
        {
            var r = await client.ConnectAsync(options);
            return (client, r.ResultCode);
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException ex)
        {
            // MQTTnet 5 reports a refused CONNACK as this exception; its message carries the reason code.
            foreach (MqttClientConnectResultCode c in Enum.GetValues<MqttClientConnectResultCode>())
            {
                if (c != MqttClientConnectResultCode.Success && ex.Message.Contains(c.ToString(), StringComparison.Ordinal)) return (client, c);
            }
            throw;
        }
    }

    [TestMethod]
    public async Task DeviceFrameIsStoredThenTheSignedAckArrivesOnItsOwnTopic()
    {
        var (device, code) = await Connect("fob-a", "fob-a", DeviceCredentials.MqttPassword(KeyA));
        Assert.AreEqual(MqttClientConnectResultCode.Success, code);
        var acks = new TaskCompletionSource<byte[]>();
        device.ApplicationMessageReceivedAsync += e =>
        {
            acks.TrySetResult(e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        await device.SubscribeAsync(Topics.Downlink("fob-a"), MqttQualityOfServiceLevel.AtLeastOnce);
        byte[] frame = FrameCodec.Encode(SampleFrames.Alert("fob-a", 11), KeyA);
        await device.PublishBinaryAsync(Topics.Uplink("fob-a"), frame, MqttQualityOfServiceLevel.AtLeastOnce);
        byte[] ack = await acks.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.AreEqual(1, store.CountFrames("fob-a"), "stored before the ack was sent");
        DecodeResult r = FrameCodec.DecodeAndVerify(ack, KeyA);
        Assert.AreEqual(MessageKind.Ack, r.Frame.Kind);
        Assert.AreEqual(11u, r.Frame.Counter);
    }

    [TestMethod]
    public async Task WrongOrMissingCredentialsAreRefused()
    {
        Assert.AreEqual(MqttClientConnectResultCode.BadUserNameOrPassword, (await Connect("fob-a", "fob-a", DeviceCredentials.MqttPassword(KeyB))).Code);
        Assert.AreEqual(MqttClientConnectResultCode.BadUserNameOrPassword, (await Connect("fob-a", "", null)).Code);
        Assert.AreEqual(MqttClientConnectResultCode.BadUserNameOrPassword, (await Connect("fob-b", "fob-a", DeviceCredentials.MqttPassword(KeyA))).Code, "client id must be the device id");
        Assert.AreEqual(MqttClientConnectResultCode.BadUserNameOrPassword, (await Connect("x", "fob-zzz", "anything")).Code);
        Assert.AreEqual(MqttClientConnectResultCode.BadUserNameOrPassword, (await Connect("ops-console", "operator", "any-token-at-all")).Code, "devices are the only accounts");
    }

    [TestMethod]
    public async Task DeviceCannotPublishAsAnotherDeviceNorSubscribeToItsAcks()
    {
        var (device, _) = await Connect("fob-a", "fob-a", DeviceCredentials.MqttPassword(KeyA));
        byte[] asB = FrameCodec.Encode(SampleFrames.Alert("fob-b", 1), KeyB);
        await device.PublishBinaryAsync(Topics.Uplink("fob-b"), asB, MqttQualityOfServiceLevel.AtLeastOnce);
        var sub = await device.SubscribeAsync(Topics.Downlink("fob-b"), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.AreNotEqual(MqttClientSubscribeResultCode.GrantedQoS1, sub.Items.Single().ResultCode);
        var all = await device.SubscribeAsync("#", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.AreNotEqual(MqttClientSubscribeResultCode.GrantedQoS1, all.Items.Single().ResultCode);
        // Sentinel, not a sleep: the connection's frames are decided in order, so once its own later frame is stored the
        // one on fob-b's topic has been decided too.
        await device.PublishBinaryAsync(Topics.Uplink("fob-a"), FrameCodec.Encode(SampleFrames.Alert("fob-a", 1), KeyA), MqttQualityOfServiceLevel.AtLeastOnce);
        await Eventually.WaitFor(() => store.CountFrames("fob-a") == 1, TimeSpan.FromSeconds(10), "fob-a's own frame stored");
        Assert.AreEqual(0, store.CountFrames("fob-b"), "a frame published on another device's topic is not stored");
    }

    [TestMethod]
    public async Task AWallUnitsWifiConnectionLogsInBesideItsCellularOneAndSpeaksOnlyForItsDevice()
    {
        var (cellular, c1) = await Connect("fob-a", "fob-a", DeviceCredentials.MqttPassword(KeyA));
        var (wifi, c2) = await Connect(Topics.WifiClientId("fob-a"), "fob-a", DeviceCredentials.MqttPassword(KeyA));
        Assert.AreEqual(MqttClientConnectResultCode.Success, c1);
        Assert.AreEqual(MqttClientConnectResultCode.Success, c2);
        // A round trip on the cellular connection after the Wi-Fi login: a session taken over would be closed by then.
        Assert.IsTrue(await Answers(cellular), "the Wi-Fi connection did not take the cellular one's session over");
        Assert.IsTrue(cellular.IsConnected, "the Wi-Fi connection did not take the cellular one's session over");

        var acks = new TaskCompletionSource<byte[]>();
        wifi.ApplicationMessageReceivedAsync += e =>
        {
            acks.TrySetResult(e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        var sub = await wifi.SubscribeAsync(Topics.Downlink("fob-a"), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.AreEqual(MqttClientSubscribeResultCode.GrantedQoS1, sub.Items.Single().ResultCode);
        await wifi.PublishBinaryAsync(Topics.Uplink("fob-a"), FrameCodec.Encode(SampleFrames.Alert("fob-a", 21), KeyA), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.AreEqual(21u, FrameCodec.DecodeAndVerify(await acks.Task.WaitAsync(TimeSpan.FromSeconds(10)), KeyA).Frame.Counter);

        var other = await wifi.SubscribeAsync(Topics.Downlink("fob-b"), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.AreNotEqual(MqttClientSubscribeResultCode.GrantedQoS1, other.Items.Single().ResultCode);
        await wifi.PublishBinaryAsync(Topics.Uplink("fob-b"), FrameCodec.Encode(SampleFrames.Alert("fob-b", 1), KeyB), MqttQualityOfServiceLevel.AtLeastOnce);
        // Sentinel: the same connection's next frame, its own, stored after the one on fob-b's topic was decided.
        await wifi.PublishBinaryAsync(Topics.Uplink("fob-a"), FrameCodec.Encode(SampleFrames.Alert("fob-a", 22), KeyA), MqttQualityOfServiceLevel.AtLeastOnce);
        await Eventually.WaitFor(() => store.CountFrames("fob-a") == 2, TimeSpan.FromSeconds(10), "the Wi-Fi connection's second own frame stored");
        Assert.AreEqual(0, store.CountFrames("fob-b"));

        Assert.AreEqual(MqttClientConnectResultCode.BadUserNameOrPassword,
            (await Connect(Topics.WifiClientId("fob-b"), "fob-a", DeviceCredentials.MqttPassword(KeyA))).Code, "a Wi-Fi client id of another device");
        Assert.AreEqual(MqttClientConnectResultCode.BadUserNameOrPassword,
            (await Connect("fob-a:cell", "fob-a", DeviceCredentials.MqttPassword(KeyA))).Code, "only the one Wi-Fi suffix");
    }

    /// <summary>True when the broker answers a ping on this connection.</summary>
    private static async Task<bool> Answers(IMqttClient client)
    {
        try
        {
            await client.PingAsync();
            return true;
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException or OperationCanceledException)
        {
            return false;
        }
    }
}
