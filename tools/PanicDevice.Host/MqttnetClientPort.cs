using System.Buffers;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using PanicDevice.Core.Mqtt;

namespace PanicDevice.Host;

/// <summary>
/// Core's <see cref="IMqttClientPort"/> over MQTTnet: on the host it plays the part M2Mqtt over Wi-Fi plays on
/// a wall unit (a library client that connects on its own thread and delivers messages on another), so the
/// simulator and tests run the real <see cref="BrokerClientUplink"/> and DualUplink against a real broker.
/// </summary>
public sealed class MqttnetClientPort : IMqttClientPort, IDisposable
{
    private readonly string host;
    private readonly int port;
    private readonly DownlinkInbox inbox;
    private readonly object sync = new();
    private IMqttClient? client;
    /// <summary>The client of the attempt under way or connected; events of any other (dropped) client are ignored.</summary>
    private IMqttClient? current;
    private string? downlinkTopic;
    private MqttPortState state;
    private string? lastError;

    /// <summary>A port to the broker at host:port (not the session's Host: the test may put a relay in between).</summary>
    public MqttnetClientPort(string host, int port, int maxPacketBytes = 2048)
    {
        this.host = host;
        this.port = port;
        inbox = new DownlinkInbox(DownlinkInbox.DefaultCapacity, maxPacketBytes);
    }

    public MqttPortState State
    {
        get { lock (sync) return state; }
    }

    public string? LastError
    {
        get { lock (sync) return lastError; }
    }

    /// <summary>Attempts started (each is one connect + subscribe).</summary>
    public int Attempts;

    private volatile bool networkUp = true;

    /// <summary>
    /// The simulated Wi-Fi network: false drops the connection and fails every attempt, as losing the access
    /// point does on a wall unit; true lets the next attempt through.
    /// </summary>
    public bool NetworkUp
    {
        get => networkUp;
        set
        {
            networkUp = value;
            if (!value)
            {
                IMqttClient? c;
                lock (sync) c = current;
                if (c != null)
                {
                    Finish(c, MqttPortState.Failed, "Wi-Fi network lost");
                    c.DisposeDespiteCleanupRace();
                }
            }
        }
    }

    public void BeginConnect(MqttSessionOptions options)
    {
        lock (sync)
        {
            if (state is MqttPortState.Connecting or MqttPortState.Connected) return;
            state = MqttPortState.Connecting;
        }
        Interlocked.Increment(ref Attempts);
        _ = Task.Run(() => AttemptAsync(options));
    }

    public bool Publish(string topic, byte[] payload)
    {
        IMqttClient? c = client;
        if (c == null || State != MqttPortState.Connected) return false;
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        // Queued like M2Mqtt's Publish: the PUBACK comes later, on the library's thread.
        _ = c.PublishAsync(message).ContinueWith(t => Finish(c, MqttPortState.Failed, "publish failed: " + t.Exception!.GetBaseException().Message),
            TaskContinuationOptions.OnlyOnFaulted);
        return true;
    }

    public byte[]? TakeReceived() => inbox.Take();

    public void Close()
    {
        IMqttClient? c;
        lock (sync)
        {
            c = current;
            client = null;
            current = null;
            state = MqttPortState.Idle;
        }
        c?.DisposeDespiteCleanupRace();
    }

    public void Dispose() => Close();

    private async Task AttemptAsync(MqttSessionOptions o)
    {
        var c = new MqttClientFactory().CreateMqttClient();
        lock (sync) current = c;
        if (!networkUp)
        {
            Finish(c, MqttPortState.Failed, "Wi-Fi join failed: network unavailable");
            c.DisposeDespiteCleanupRace();
            return;
        }
        try
        {
            downlinkTopic = o.DownlinkTopic;
            c.ApplicationMessageReceivedAsync += e =>
            {
                if (e.ApplicationMessage.Topic == downlinkTopic) inbox.Add(e.ApplicationMessage.Payload.ToArray());
                return Task.CompletedTask;
            };
            c.DisconnectedAsync += _ =>
            {
                Finish(c, MqttPortState.Failed, "connection to the broker closed");
                return Task.CompletedTask;
            };
            var builder = new MqttClientOptionsBuilder()
                .WithTcpServer(host, port)
                .WithClientId(o.ClientId)
                .WithCredentials(o.LoginName, o.Password)
                .WithProtocolVersion(MqttProtocolVersion.V311)
                .WithCleanSession(o.CleanSession)
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(o.KeepAliveSeconds))
                .WithTimeout(TimeSpan.FromMilliseconds(o.ConnectTimeoutMs));
            if (o.WillTopic != null)
            {
                builder = builder.WithWillTopic(o.WillTopic).WithWillPayload("offline"u8.ToArray()).WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            }
            var result = await c.ConnectAsync(builder.Build());
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                Finish(c, MqttPortState.Failed, "broker refused the connection (" + result.ResultCode + ")");
                c.DisposeDespiteCleanupRace();
                return;
            }
            lock (sync) client = c;
            await c.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(o.DownlinkTopic, MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Finish(c, MqttPortState.Connected, null);
        }
        catch (Exception e)
        {
            Finish(c, MqttPortState.Failed, e.GetBaseException().Message);
            c.DisposeDespiteCleanupRace();
        }
    }

    private void Finish(IMqttClient from, MqttPortState to, string? why)
    {
        lock (sync)
        {
            // A late event of a client already dropped (closed, or replaced by a new attempt) changes nothing.
            if (!ReferenceEquals(current, from)) return;
            if (to != MqttPortState.Connected)
            {
                client = null;
                current = null;
            }
            state = to;
            if (why != null) lastError = why;
        }
    }
}
