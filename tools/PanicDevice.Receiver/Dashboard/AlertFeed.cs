using System.Threading.Channels;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Dashboard;

/// <summary>
/// Publish/subscribe for alert changes (created by a stored frame, changed by a follow-up, a cancel or
/// an operator action) and counter events (a frame refused for its counter; <see cref="CounterEventView"/>),
/// in the order they happened. Each subscriber has its own bounded channel: a slow dashboard loses its oldest
/// queued events (it reloads the list when it reconnects) and never slows ingest down.
/// </summary>
internal sealed class AlertFeed
{
    public const int Capacity = 256;
    private readonly object gate = new();
    private readonly List<Channel<object>> subscribers = new();

    public int SubscriberCount
    {
        get { lock (gate) { return subscribers.Count; } }
    }

    /// <summary>Queues the alert for every subscriber; never blocks.</summary>
    public void Publish(AlertView alert) => Queue(alert);

    /// <summary>Queues the device event (a re-key) for every subscriber; never blocks.</summary>
    public void Publish(Registry.DeviceEventView deviceEvent) => Queue(deviceEvent);

    /// <summary>Queues the counter event for every subscriber; never blocks.</summary>
    public void Publish(CounterEventView counterEvent) => Queue(counterEvent);

    /// <summary>Queues a webhook target's change of health (failing for a minute, or back) for every subscriber; never blocks.</summary>
    public void Publish(Dispatch.WebhookHealthView health) => Queue(health);

    private void Queue(object item)
    {
        Channel<object>[] now;
        lock (gate)
        {
            now = subscribers.ToArray();
        }
        foreach (var c in now)
        {
            c.Writer.TryWrite(item);
        }
    }

    /// <summary>A new subscription; dispose it to stop receiving.</summary>
    public Subscription Subscribe(int capacity = Capacity)
    {
        var channel = Channel.CreateBounded<object>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        lock (gate)
        {
            subscribers.Add(channel);
        }
        return new Subscription(this, channel);
    }

    private void Remove(Channel<object> channel)
    {
        lock (gate)
        {
            subscribers.Remove(channel);
        }
        channel.Writer.TryComplete();
    }

    public sealed class Subscription : IDisposable
    {
        private readonly AlertFeed feed;
        private readonly Channel<object> channel;

        internal Subscription(AlertFeed feed, Channel<object> channel)
        {
            this.feed = feed;
            this.channel = channel;
        }

        /// <summary>Items are <see cref="AlertView"/> or <see cref="CounterEventView"/>.</summary>
        public ChannelReader<object> Reader => channel.Reader;

        public void Dispose() => feed.Remove(channel);
    }
}
