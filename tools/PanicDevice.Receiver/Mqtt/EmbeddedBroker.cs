using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Logging;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;

namespace PanicDevice.Receiver.Mqtt;

/// <summary>
/// The embedded MQTT broker (MQTTnet server). Devices log in with their id and the password derived
/// from their key; a device may publish only on its own uplink (and its will on its presence topic)
/// and subscribe only to its own ack topic; there are no other accounts and no anonymous clients. Every
/// uplink publish goes through the ingest pipeline, and the signed acknowledgement is published to the
/// device only after the pipeline has committed the frame. Connections reach MQTTnet through
/// <see cref="BrokerListener"/>, which bounds what a client can cost before and after it logs in.
/// </summary>
internal sealed class EmbeddedBroker : IDeviceDownlink, IAsyncDisposable
{
    /// <summary>The device a session speaks for (its client id is the device id, or Topics.WifiClientId of it).</summary>
    private const string DeviceKey = "pd-device";

    /// <summary>
    /// The largest publish payload accepted from a device. A frame is well under 100 bytes; anything over
    /// this is refused and the client disconnected. The packet itself is bounded before it is read
    /// (<see cref="BrokerLimits.MaxPacketBytes"/>).
    /// </summary>
    public const int MaxPayloadBytes = 4096;

    /// <summary>Messages queued for one client that does not read; beyond this the oldest are dropped.</summary>
    public const int MaxPendingMessagesPerClient = 1000;

    private readonly DeviceRegistry registry;
    private readonly IngestPipeline pipeline;
    private readonly RejectionLog log;
    private readonly ILogger logger;
    private readonly BrokerListener listener;
    private readonly MqttServer server;

    /// <param name="port">Plain MQTT port; 0 for none (TLS only).</param>
    /// <param name="tls">TLS endpoint (MQTT over TLS, 8883 by convention); null for none.</param>
    /// <param name="address">Where to listen; null: loopback only.</param>
    /// <param name="limits">Packet sizes, login timeout, pending logins; null: <see cref="BrokerLimits.Default"/>.</param>
    public EmbeddedBroker(int port, DeviceRegistry registry, IngestPipeline pipeline, ILogger logger, EmbeddedBrokerTls? tls = null,
        BrokerAddress? address = null, BrokerLimits? limits = null, TimeProvider? time = null)
    {
        this.registry = registry;
        this.pipeline = pipeline;
        log = new RejectionLog(logger, time ?? TimeProvider.System);
        Address = address ?? BrokerAddress.Parse("localhost")!;
        var factory = new MqttServerFactory();
        var options = factory.CreateServerOptionsBuilder().WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(MaxPendingMessagesPerClient)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropOldestQueuedMessage)
            .WithoutDefaultEndpoint() // the listener below is the only way in
            .Build();
        listener = new BrokerListener(Address, port, tls, limits ?? BrokerLimits.Default, Counters, log);
        server = factory.CreateMqttServer(options, new IMqttServerAdapter[] { listener }, new MQTTnet.Diagnostics.Logger.MqttNetNullLogger());
        server.ValidatingConnectionAsync += ValidateConnection;
        this.logger = logger;
        server.ClientConnectedAsync += e =>
        {
            // Operators and testers read the log to see a device come and go; the id passed the login, so it is printable.
            if (DeviceOf(e.SessionItems) is { } id)
            {
                logger.LogInformation("Device {DeviceId} online from {Address}", id, Remote(e.RemoteEndPoint));
            }
            return Task.CompletedTask;
        };
        server.ClientDisconnectedAsync += e =>
        {
            if (DeviceOf(e.SessionItems) is { } id)
            {
                logger.LogInformation("Device {DeviceId} offline ({Reason})", id, e.DisconnectType == MqttClientDisconnectType.Clean ? "disconnected" : "connection lost");
            }
            return Task.CompletedTask;
        };
        server.InterceptingPublishAsync += InterceptPublish;
        server.InterceptingSubscriptionAsync += InterceptSubscription;
    }

    /// <summary>Refusals by reason, for /metrics.</summary>
    public BrokerCounters Counters { get; } = new();

    /// <summary>What --mqtt-address (or its default) asked for.</summary>
    public BrokerAddress Address { get; }

    /// <summary>The sockets listening, once started.</summary>
    public IReadOnlyList<System.Net.EndPoint> LocalEndPoints => listener.LocalEndPoints;

    public Task StartAsync() => server.StartAsync();

    /// <summary>Publishes a receiver frame (ack, status or resync) to a device's ack topic, QoS 1, queued for it if offline.</summary>
    public Task PublishToDeviceAsync(string deviceId, byte[] frame)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Downlink(deviceId))
            .WithPayload(frame)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        return server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message), CancellationToken.None);
    }

    private Task ValidateConnection(ValidatingConnectionEventArgs e)
    {
        string user = e.UserName ?? "";
        DeviceRecord? device = Topics.DeviceOfClient(e.ClientId, user) != null ? registry.Find(user) : null;
        if (device != null && device.Enabled && FixedTimeEquals(DeviceCredentials.MqttPassword(device.Key.Reveal()), e.Password ?? ""))
        {
            e.SessionItems[DeviceKey] = device.Id;
            e.ReasonCode = MqttConnectReasonCode.Success;
            return Task.CompletedTask;
        }
        // Never the password; who tried, escaped (both names are the client's choice).
        Counters.Count("bad_login");
        string escapedUser = LogText.Escape(user);
        log.Warn("bad_login", escapedUser, "MQTT login refused for client {ClientId} user {User} from {Address}",
            LogText.Escape(e.ClientId), escapedUser, Remote(e.RemoteEndPoint));
        e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        return Task.CompletedTask;
    }

    private async Task InterceptPublish(InterceptingPublishEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId))
        {
            return; // injected by the receiver itself
        }
        string topic = e.ApplicationMessage.Topic;
        string deviceId = DeviceOf(e.SessionItems) ?? "";
        if (e.ApplicationMessage.Payload.Length > MaxPayloadBytes)
        {
            Counters.Count("payload_too_large");
            log.Warn("payload_too_large", deviceId, "MQTT publish refused: client {ClientId} sent {Bytes} bytes (limit {Limit}); disconnecting",
                LogText.Escape(e.ClientId), e.ApplicationMessage.Payload.Length, MaxPayloadBytes);
            Refuse(e);
            e.CloseConnection = true;
            return;
        }
        if (deviceId.Length == 0 || (topic != Topics.Uplink(deviceId) && topic != Topics.Presence(deviceId)))
        {
            Counters.Count("publish_not_allowed");
            log.Warn("publish_not_allowed", deviceId, "MQTT publish refused: client {ClientId} on {Topic}", LogText.Escape(e.ClientId), LogText.Escape(topic));
            Refuse(e);
            return;
        }
        if (topic == Topics.Presence(deviceId))
        {
            return;
        }
        byte[] payload = e.ApplicationMessage.Payload.ToArray();
        // Group-committed with other devices' frames; the ack below is published only after the commit.
        IngestResult result = await pipeline.ProcessAsync(payload, deviceId, IngestPath.Mqtt);
        if (result.Status == IngestStatus.Rejected && result.Reason == IngestPipeline.RateLimited)
        {
            // Counted exactly in /metrics; the log says it once, then once a minute with the count.
            log.Warn(result.Reason, deviceId, "Device {ClientId} is over its rate limit; routine frames refused", LogText.Escape(e.ClientId));
            Refuse(e);
            return;
        }
        if (result.Status == IngestStatus.Rejected)
        {
            log.Warn(result.Reason, deviceId, "Frame from {ClientId} rejected: {Reason}", LogText.Escape(e.ClientId), result.Reason);
            Refuse(e);
            return;
        }
        if (result.Status == IngestStatus.CounterRefused)
        {
            // Not stored and never acked; the device is told where its counter must continue, and sends the frame again.
            log.Warn(result.Reason, deviceId, "Frame {Counter} from {ClientId} refused: {Reason}; recorded as a counter event, answered with a Resync",
                result.Frame!.Counter, LogText.Escape(e.ClientId), result.Reason);
            Refuse(e);
            if (result.Resync != null)
            {
                await PublishToDeviceAsync(deviceId, result.Resync);
            }
            return;
        }
        await PublishToDeviceAsync(deviceId, result.Ack!);
    }

    private Task InterceptSubscription(InterceptingSubscriptionEventArgs e)
    {
        string? deviceId = DeviceOf(e.SessionItems);
        if (deviceId == null || e.TopicFilter.Topic != Topics.Downlink(deviceId))
        {
            Counters.Count("subscribe_not_allowed");
            log.Warn("subscribe_not_allowed", deviceId ?? "", "MQTT subscription refused: client {ClientId} to {Topic}", LogText.Escape(e.ClientId), LogText.Escape(e.TopicFilter.Topic));
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        }
        return Task.CompletedTask;
    }

    private static string Remote(System.Net.EndPoint? endPoint) =>
        endPoint is System.Net.IPEndPoint ip ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString() : "?";

    private static void Refuse(InterceptingPublishEventArgs e)
    {
        e.ProcessPublish = false;
        e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
    }

    private static string? DeviceOf(System.Collections.IDictionary items) => items[DeviceKey] as string;

    private static bool FixedTimeEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(actual)));

    public async ValueTask DisposeAsync()
    {
        await server.StopAsync(new MqttServerStopOptions());
        server.Dispose();
        log.Dispose();
    }
}
