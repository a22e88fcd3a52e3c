using System.Buffers;
using System.Security.Cryptography;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;

namespace PanicDevice.Receiver.Mqtt;

/// <summary>
/// External broker mode: the receiver is an MQTT 5 client of someone else's broker (mosquitto, EMQX, …)
/// and takes uplinks through the shared subscription <see cref="Topics.SharedAllUplinks"/>, so several
/// receivers split the load and each frame goes to one of them. Every uplink goes through the ingest
/// pipeline (group commit: uplinks in flight together share a transaction); the signed ack is published to
/// the device's ack topic, and the broker's QoS 1 delivery is acknowledged (PUBACK), in arrival order, only
/// after the pipeline has stored the frame and the ack has been handed to the broker. A frame the receiver
/// could not store is left unacknowledged and the connection dropped, so a broker that reassigns
/// unacknowledged shared-subscription messages gives it to another receiver; the
/// end-to-end guarantee is the device's outbox, which resends until it holds a signed ack. Sessions are
/// clean (no expiry): a broker such as mosquitto keeps queueing shared-subscription messages for an
/// offline persistent session, which would strand alerts behind a dead receiver. The broker's ACLs, not
/// this client, keep devices on their own topics (docs/receiver.md).
/// </summary>
internal sealed class ExternalBrokerClient : IDeviceDownlink, IAsyncDisposable
{
    private readonly BrokerEndpoint endpoint;
    private readonly string? user;
    private readonly string? password;
    private readonly IngestPipeline pipeline;
    private readonly ILogger logger;
    private readonly Logging.RejectionLog rejections;
    private readonly TimeSpan minBackoff;
    private readonly TimeSpan maxBackoff;
    private readonly TimeSpan keepAlive;
    private readonly TimeSpan timeout;
    // One MQTTnet client per connection. A failed uplink signals the loop at once (not through DisconnectedAsync,
    // which MQTTnet raises only after the handlers still queued on that connection have run), and the old client
    // is dropped after a bounded wait and replaced: its slow disconnect never holds up the reconnect.
    private volatile IMqttClient? client;
    private readonly CancellationTokenSource stopping = new();
    private TaskCompletionSource lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? loop;
    private volatile bool subscribed;
    private int disposed;
    private readonly Func<IMqttClient> newClient;

    public ExternalBrokerClient(BrokerEndpoint endpoint, string? user, string? password, IngestPipeline pipeline, ILogger logger,
        TimeSpan? minBackoff = null, TimeSpan? maxBackoff = null, TimeSpan? keepAlive = null, Func<IMqttClient>? newClient = null)
    {
        this.newClient = newClient ?? (() => new MqttClientFactory().CreateMqttClient());
        this.endpoint = endpoint;
        this.user = user;
        this.password = password;
        this.pipeline = pipeline;
        this.logger = logger;
        rejections = new Logging.RejectionLog(logger, TimeProvider.System);
        this.minBackoff = minBackoff ?? TimeSpan.FromSeconds(1);
        this.maxBackoff = maxBackoff ?? TimeSpan.FromSeconds(30);
        this.keepAlive = keepAlive ?? TimeSpan.FromSeconds(15);
        // MQTTnet waits this long for a PINGRESP: capped at the keep-alive, a silent partition is noticed in about twice it.
        timeout = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(10).Ticks, this.keepAlive.Ticks));
        ClientId = "pd-receiver-" + Sanitize(Environment.MachineName) + "-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
    }

    /// <summary>This receiver's MQTT client id: pd-receiver-&lt;machine&gt;-&lt;random&gt;.</summary>
    public string ClientId { get; }

    /// <summary>Connected and subscribed to the shared uplink subscription.</summary>
    public bool IsSubscribed => subscribed && client is { IsConnected: true };

    /// <summary>Attempts to connect and subscribe that failed since start (the broker down, refused, unreachable).</summary>
    public int FailedAttempts => Volatile.Read(ref failedAttempts);

    private int failedAttempts;

    /// <summary>Starts the connect loop and returns at once: a broker that is down is retried with backoff.</summary>
    public Task StartAsync()
    {
        loop ??= Task.Run(() => RunAsync(stopping.Token));
        return Task.CompletedTask;
    }

    public async Task PublishToDeviceAsync(string deviceId, byte[] frame)
    {
        IMqttClient? c = client;
        if (c is not { IsConnected: true })
        {
            // Nothing queues for us while the broker is away; the device asks again (its outbox retries alerts).
            logger.LogWarning("Frame for {DeviceId} not published: not connected to {Broker}", deviceId, endpoint);
            return;
        }
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Downlink(deviceId))
            .WithPayload(frame)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await c.PublishAsync(message, stopping.Token);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        TimeSpan backoff = minBackoff;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await ConnectAndSubscribeAsync(stop);
                backoff = minBackoff;
                await lost.Task.WaitAsync(stop);
                logger.LogWarning("Lost the connection to {Broker}; reconnecting", endpoint);
                await DropAsync();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref failedAttempts);
                logger.LogWarning("Cannot use broker {Broker}: {Reason}; retrying in {Seconds:0.#} s", endpoint, Reason(e), backoff.TotalSeconds);
                await DropAsync();
                try
                {
                    await Task.Delay(backoff, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, maxBackoff.Ticks));
            }
        }
    }

    private async Task ConnectAndSubscribeAsync(CancellationToken stop)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, endpoint.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(ClientId)
            // Clean start, session expiry 0: nothing is queued for this receiver while it is away (see above).
            .WithCleanStart(true)
            // A partition leaves the socket open and silent: the keep-alive ping notices it.
            .WithKeepAlivePeriod(keepAlive)
            .WithTimeout(timeout);
        if (!string.IsNullOrEmpty(user))
        {
            builder.WithCredentials(user, password);
        }
        if (endpoint.Tls)
        {
            builder.WithTlsOptions(t => t.UseTls().WithTargetHost(endpoint.Host));
        }
        IMqttClient c = newClient();
        c.ApplicationMessageReceivedAsync += e => OnMessage(c, e);
        c.DisconnectedAsync += e =>
        {
            Lost(c);
            return Task.CompletedTask;
        };
        client = c;
        using var connecting = CancellationTokenSource.CreateLinkedTokenSource(stop);
        connecting.CancelAfter(TimeSpan.FromSeconds(15));
        MqttClientConnectResult connected = await c.ConnectAsync(builder.Build(), connecting.Token);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException("broker refused the connection: " + connected.ResultCode);
        }
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.SharedAllUplinks, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        MqttClientSubscribeResult result = await c.SubscribeAsync(subscribe, connecting.Token);
        MqttClientSubscribeResultCode code = result.Items.Single().ResultCode;
        if (code != MqttClientSubscribeResultCode.GrantedQoS1 && code != MqttClientSubscribeResultCode.GrantedQoS2)
        {
            throw new InvalidOperationException("broker refused the subscription to " + Topics.SharedAllUplinks + ": " + code);
        }
        subscribed = true;
        logger.LogInformation("Connected to {Broker} as {ClientId}; sharing {Topic}", endpoint, ClientId, Topics.SharedAllUplinks);
    }

    /// <summary>The connection of <paramref name="c"/> is gone (or unusable): the loop drops it and reconnects.</summary>
    private void Lost(IMqttClient c)
    {
        if (client == c)
        {
            subscribed = false;
            lost.TrySetResult();
        }
    }

    /// <summary>Disconnects (briefly: the link may be dead) and disposes the current client.</summary>
    private async Task DropAsync()
    {
        subscribed = false;
        IMqttClient? c = client;
        client = null;
        if (c == null)
        {
            return;
        }
        try
        {
            if (c.IsConnected)
            {
                await c.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
            }
        }
        catch (Exception e)
        {
            logger.LogDebug("Disconnect from {Broker}: {Reason}", endpoint, Reason(e));
        }
        try
        {
            c.Dispose();
        }
        catch (ObjectDisposedException)
        {
            // MQTTnet 5.2's Dispose can race the client's own clean-up after a lost connection and throw this (it cancels a
            // token source the other has just disposed); the client is gone either way. Uncaught after a failed attempt, it
            // would leave the reconnect loop through its catch and end it: a receiver that never took an uplink again.
        }
        catch (Exception e)
        {
            // whatever else a dying client's teardown throws, reconnecting must go on
            logger.LogWarning("Dropping the connection to {Broker}: {Reason}", endpoint, Reason(e));
        }
    }

    /// <summary>
    /// MQTTnet hands messages over one at a time and waits for this handler, so it only starts the frame's
    /// store (group commit: frames arriving together share one transaction and fsync, as on the embedded
    /// broker) and returns; <see cref="FinishAsync"/> acks the device and then the broker. How many frames
    /// are in the air at once is the broker's in-flight limit for this client (mosquitto: max_inflight_messages).
    /// </summary>
    private Task OnMessage(IMqttClient c, MqttApplicationMessageReceivedEventArgs e)
    {
        e.AutoAcknowledge = false;
        string topic = e.ApplicationMessage.Topic;
        string? deviceId = Topics.DeviceIdOf(topic);
        Task<IngestResult>? processing = null;
        if (deviceId == null || topic != Topics.Uplink(deviceId))
        {
            string shown = Logging.LogText.Escape(topic);
            rejections.Warn("NotAnUplink", shown, "Ignored a message on {Topic}: not a device uplink", shown);
        }
        else
        {
            processing = pipeline.ProcessAsync(e.ApplicationMessage.Payload.ToArray(), deviceId, IngestPath.Mqtt);
        }
        // only this handler touches previousPuback, and MQTTnet never runs two of them at once
        previousPuback = FinishAsync(c, e, deviceId, processing, previousPuback);
        return Task.CompletedTask;
    }

    private Task previousPuback = Task.CompletedTask;

    private async Task FinishAsync(IMqttClient c, MqttApplicationMessageReceivedEventArgs e, string? deviceId, Task<IngestResult>? processing, Task previous)
    {
        bool puback = true;
        if (processing != null)
        {
            try
            {
                IngestResult result = await processing;
                if (result.Status is IngestStatus.Rejected or IngestStatus.CounterRefused)
                {
                    // A refused frame will be refused again: acknowledge it so the broker does not keep offering it.
                    // Throttled per device and reason; /metrics counts each one.
                    rejections.Warn(result.Reason, deviceId!, "Frame from {DeviceId} rejected: {Reason}", Logging.LogText.Escape(deviceId), result.Reason);
                }
                // A stored frame or a duplicate gets its ack; a refused counter (recorded as a counter event) its Resync.
                byte[]? answer = result.Status == IngestStatus.CounterRefused ? result.Resync : result.Status == IngestStatus.Rejected ? null : result.Ack;
                if (answer != null)
                {
                    if (c is not { IsConnected: true })
                    {
                        throw new InvalidOperationException("the connection to the broker is gone; the answer was not sent");
                    }
                    // On this connection, not "the current one": a PUBACK below means this answer went out first.
                    await c.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Downlink(deviceId!)).WithPayload(answer)
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), stopping.Token);
                }
            }
            catch (Exception ex)
            {
                // Not stored (or its ack not sent): leave the delivery unacknowledged and drop the connection, so the
                // broker stops giving uplinks to a receiver that cannot store them; the device resends.
                logger.LogError("Uplink from {DeviceId} not processed ({Reason}); reconnecting", deviceId, Reason(ex));
                Lost(c);
                puback = false;
            }
        }
        // PUBACKs in the order the PUBLISHes came (MQTT 5 §4.6), whatever order the stores finished in
        await previous;
        if (puback)
        {
            await AcknowledgeAsync(e);
        }
    }

    /// <summary>PUBACK to the broker; if the connection died meanwhile the broker no longer expects it.</summary>
    private async Task AcknowledgeAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        try
        {
            await e.AcknowledgeAsync(stopping.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogDebug("PUBACK to {Broker} not sent: {Reason}", endpoint, Reason(ex));
        }
    }

    /// <summary>An exception as type and message; MQTTnet's messages name endpoints and reason codes, not credentials.</summary>
    internal static string Reason(Exception e) => e.GetType().Name + ": " + e.Message;

    private static string Sanitize(string machine)
    {
        var chars = machine.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').Take(24).ToArray();
        return chars.Length > 0 ? new string(chars).ToLowerInvariant() : "host";
    }

    /// <summary>Stops the loop and disconnects; safe to call more than once (the host stops, then disposes).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }
        try
        {
            // frames already being stored get their acks and PUBACKs out first (a later restart would only see them again)
            await previousPuback.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }
        stopping.Cancel();
        if (loop != null)
        {
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
        await DropAsync();
        stopping.Dispose();
        rejections.Dispose();
    }
}

/// <summary>Starts and stops the external broker client with the web host.</summary>
internal sealed class ExternalBrokerService(ExternalBrokerClient client) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => client.StartAsync();

    public Task StopAsync(CancellationToken cancellationToken) => client.DisposeAsync().AsTask();
}
