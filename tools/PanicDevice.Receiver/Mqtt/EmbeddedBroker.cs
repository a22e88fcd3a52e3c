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

    /// <summary>
    /// A device's uplinks under way in the store at once. MQTTnet gives the interceptor a client's publishes one at a
    /// time, so awaiting each commit there stored a device's in-flight publishes (up to 8, docs/mqtt.md) one group commit
    /// after another: a device back from a dead zone with its alert and follow-ups waited 8 commits for its last ack. The
    /// PUBACK now goes once a frame is admitted and queued (in arrival order, so the replay window sees the device's order);
    /// the signed ack, the device's only proof of delivery, still goes after the commit. Beyond this many the client's next
    /// publish waits, so one client cannot queue frames without bound.
    /// </summary>
    public const int StoresUnderWayPerDevice = 8;

    private readonly DeviceRegistry registry;
    private readonly IngestPipeline pipeline;
    private readonly RejectionLog log;
    private readonly ILogger logger;
    private readonly BrokerListener listener;
    private readonly MqttServer server;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> storesUnderWay = new(StringComparer.Ordinal);

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
        // The pipeline is an uplink's only reader (nobody may subscribe to uplinks): without this MQTTnet would still
        // copy the list of every subscribed session and match each one's subscriptions, per uplink, O(devices) each.
        e.ProcessPublish = false;
        SemaphoreSlim underWay = storesUnderWay.GetOrAdd(deviceId, _ => new SemaphoreSlim(StoresUnderWayPerDevice));
        await underWay.WaitAsync();
        Task<IngestResult> processing;
        try
        {
            // Admitted (decoded, authenticated, verified, within its rate) and queued for the group commit before this returns.
            processing = pipeline.ProcessAsync(payload, deviceId, IngestPath.Mqtt);
        }
        catch
        {
            underWay.Release();
            throw;
        }
        if (processing.IsCompletedSuccessfully)
        {
            // Refused before the store (the PUBACK says so; an MQTT 5 client sees the reason code), or already committed.
            // A store that failed this fast goes the way below: its exception must not reach MQTTnet, which would drop the client.
            underWay.Release();
            await AnswerAsync(processing.Result, deviceId, e.ClientId, e);
            return;
        }
        // Queued for the store: the PUBACK goes now and the session takes its next publish; the signed ack follows the commit.
        _ = AnswerWhenStoredAsync(processing, underWay, deviceId, e.ClientId);
    }

    private async Task AnswerWhenStoredAsync(Task<IngestResult> processing, SemaphoreSlim underWay, string deviceId, string clientId)
    {
        try
        {
            IngestResult result;
            try
            {
                result = await processing;
            }
            catch (Exception ex)
            {
                // Nothing of it is stored and no signed ack goes: the device sends the frame again (after 2 s, doubling).
                log.Warn("store_failed", deviceId, "Frame from {ClientId} not stored, the device will send it again: {Message}", LogText.Escape(clientId), ex.Message);
                return;
            }
            await AnswerAsync(result, deviceId, clientId, null);
        }
        catch (Exception ex)
        {
            // Stored; the device did not get its ack (the broker is stopping, or the session is gone) and sends the frame again,
            // which is acked as a duplicate.
            log.Warn("ack_not_published", deviceId, "Ack for {ClientId} not published: {Message}", LogText.Escape(clientId), ex.Message);
        }
        finally
        {
            underWay.Release();
        }
    }

    /// <summary>The signed ack, or the refusal: in the PUBACK when <paramref name="e"/> is still open, in the log, and a Resync for a counter refusal.</summary>
    private async Task AnswerAsync(IngestResult result, string deviceId, string clientId, InterceptingPublishEventArgs? e)
    {
        if (result.Status == IngestStatus.Rejected && result.Reason == IngestPipeline.RateLimited)
        {
            // Counted exactly in /metrics; the log says it once, then once a minute with the count.
            log.Warn(result.Reason, deviceId, "Device {ClientId} is over its rate limit; routine frames refused", LogText.Escape(clientId));
            Refuse(e);
            return;
        }
        if (result.Status == IngestStatus.Rejected)
        {
            log.Warn(result.Reason, deviceId, "Frame from {ClientId} rejected: {Reason}", LogText.Escape(clientId), result.Reason);
            Refuse(e);
            return;
        }
        if (result.Status == IngestStatus.CounterRefused)
        {
            // Not stored and never acked; the device is told where its counter must continue, and sends the frame again.
            log.Warn(result.Reason, deviceId, "Frame {Counter} from {ClientId} refused: {Reason}; recorded as a counter event, answered with a Resync",
                result.Frame!.Counter, LogText.Escape(clientId), result.Reason);
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

    private static void Refuse(InterceptingPublishEventArgs? e)
    {
        if (e == null)
        {
            return; // already PUBACKed: the frame was queued for the store, and the store refused it
        }
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
