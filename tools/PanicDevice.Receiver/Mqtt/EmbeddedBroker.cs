using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;

namespace PanicDevice.Receiver.Mqtt;

/// <summary>An operator or integration account on the embedded broker (not a device).</summary>
public sealed record OperatorAccount(string UserName, string Password);

/// <summary>
/// The embedded MQTT broker (MQTTnet server). Devices log in with their id and the password derived
/// from their key; a device may publish only on its own uplink (and its will on its presence topic)
/// and subscribe only to its own ack topic; there are no anonymous clients. Every uplink publish goes
/// through the ingest pipeline, and the signed acknowledgement is published to the device only after
/// the pipeline has committed the frame.
/// </summary>
public sealed class EmbeddedBroker : IDeviceDownlink, IAsyncDisposable
{
    private const string RoleKey = "pd-role";
    private const string DeviceRole = "device";
    /// <summary>The device a device session speaks for (its client id is the device id, or Topics.WifiClientId of it).</summary>
    private const string DeviceKey = "pd-device";
    private const string OperatorRole = "operator";

    /// <summary>
    /// The largest publish payload accepted from a client. A frame is well under 100 bytes; anything over
    /// this is refused and the client disconnected. (MQTTnet 5.2's server has no maximum packet size
    /// option, so the packet is still read before it is refused.)
    /// </summary>
    public const int MaxPayloadBytes = 4096;

    /// <summary>Messages queued for one client that does not read; beyond this the oldest are dropped.</summary>
    public const int MaxPendingMessagesPerClient = 1000;

    private readonly DeviceRegistry registry;
    private readonly IngestPipeline pipeline;
    private readonly IReadOnlyList<OperatorAccount> operators;
    private readonly ILogger logger;
    private readonly MqttServer server;

    /// <param name="port">Plain MQTT port; 0 for none (TLS only).</param>
    /// <param name="tls">TLS endpoint (MQTT over TLS, 8883 by convention); null for none.</param>
    public EmbeddedBroker(int port, DeviceRegistry registry, IngestPipeline pipeline, IReadOnlyList<OperatorAccount> operators, ILogger logger, EmbeddedBrokerTls? tls = null)
    {
        this.registry = registry;
        this.pipeline = pipeline;
        this.operators = operators;
        this.logger = logger;
        var factory = new MqttServerFactory();
        var builder = factory.CreateServerOptionsBuilder().WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(MaxPendingMessagesPerClient)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropOldestQueuedMessage);
        builder = port > 0 ? builder.WithDefaultEndpoint().WithDefaultEndpointPort(port) : builder.WithoutDefaultEndpoint();
        if (tls != null)
        {
            builder.WithEncryptedEndpoint().WithEncryptedEndpointPort(tls.Port).WithEncryptionCertificate(tls.Certificate);
        }
        var options = builder.Build();
        server = factory.CreateMqttServer(options);
        server.ValidatingConnectionAsync += ValidateConnection;
        server.InterceptingPublishAsync += InterceptPublish;
        server.InterceptingSubscriptionAsync += InterceptSubscription;
    }

    public Task StartAsync() => server.StartAsync();

    /// <summary>Publishes a receiver frame (ack or status) to a device's ack topic, QoS 1, queued for it if offline.</summary>
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
        string password = e.Password ?? "";
        OperatorAccount? op = operators.FirstOrDefault(o => o.UserName == user);
        if (op != null && FixedTimeEquals(op.Password, password))
        {
            e.SessionItems[RoleKey] = OperatorRole;
            e.ReasonCode = MqttConnectReasonCode.Success;
            return Task.CompletedTask;
        }
        DeviceRecord? device = Topics.DeviceOfClient(e.ClientId, user) != null ? registry.Find(user) : null;
        if (device != null && device.Enabled && FixedTimeEquals(DeviceCredentials.MqttPassword(device.Key.Reveal()), password))
        {
            e.SessionItems[RoleKey] = DeviceRole;
            e.SessionItems[DeviceKey] = device.Id;
            e.ReasonCode = MqttConnectReasonCode.Success;
            return Task.CompletedTask;
        }
        // Never log the password, only who tried.
        logger.LogWarning("MQTT login refused for client {ClientId} user {User}", e.ClientId, user);
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
        if (e.ApplicationMessage.Payload.Length > MaxPayloadBytes)
        {
            logger.LogWarning("MQTT publish refused: client {ClientId} sent {Bytes} bytes (limit {Limit}); disconnecting", e.ClientId, e.ApplicationMessage.Payload.Length, MaxPayloadBytes);
            Refuse(e);
            e.CloseConnection = true;
            return;
        }
        bool isUplink = Topics.DeviceIdOf(topic) != null && topic.EndsWith("/up", StringComparison.Ordinal);
        if (Role(e.SessionItems) == OperatorRole && !isUplink)
        {
            return; // operator tools may publish elsewhere; only devices speak on uplinks
        }
        string deviceId = DeviceOf(e.SessionItems) ?? "";
        if (Role(e.SessionItems) != DeviceRole || (topic != Topics.Uplink(deviceId) && topic != Topics.Presence(deviceId)))
        {
            logger.LogWarning("MQTT publish refused: client {ClientId} on {Topic}", e.ClientId, topic);
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
            // A flood must not flood the log too: once per interval per device, with the count.
            if (pipeline.RateLimiter.ShouldReport(deviceId, out long limited))
            {
                logger.LogWarning("Device {ClientId} is over its rate limit; {Count} routine frame(s) refused since the last report", e.ClientId, limited);
            }
            Refuse(e);
            return;
        }
        if (result.Status == IngestStatus.Rejected)
        {
            logger.LogWarning("Frame from {ClientId} rejected: {Reason}", e.ClientId, result.Reason);
            Refuse(e);
            return;
        }
        await PublishToDeviceAsync(deviceId, result.Ack!);
    }

    private Task InterceptSubscription(InterceptingSubscriptionEventArgs e)
    {
        if (Role(e.SessionItems) == OperatorRole)
        {
            return Task.CompletedTask;
        }
        if (Role(e.SessionItems) != DeviceRole || e.TopicFilter.Topic != Topics.Downlink(DeviceOf(e.SessionItems) ?? ""))
        {
            logger.LogWarning("MQTT subscription refused: client {ClientId} to {Topic}", e.ClientId, e.TopicFilter.Topic);
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        }
        return Task.CompletedTask;
    }

    private static void Refuse(InterceptingPublishEventArgs e)
    {
        e.ProcessPublish = false;
        e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
    }

    private static string? Role(System.Collections.IDictionary items) => items[RoleKey] as string;

    private static string? DeviceOf(System.Collections.IDictionary items) => items[DeviceKey] as string;

    private static bool FixedTimeEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(actual)));

    public async ValueTask DisposeAsync()
    {
        await server.StopAsync(new MqttServerStopOptions());
        server.Dispose();
    }
}
