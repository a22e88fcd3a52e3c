using System.Threading.Channels;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Dashboard;

/// <summary>
/// Publish/subscribe for alert changes (created by a stored frame, changed by a follow-up, a cancel or
/// an operator action). Each subscriber has its own bounded channel: a slow dashboard loses its oldest
/// queued events (it reloads the list when it reconnects) and never slows ingest down.
/// </summary>
public sealed class AlertFeed
{
    public const int Capacity = 256;
    private readonly object gate = new();
    private readonly List<Channel<AlertView>> subscribers = new();

    public int SubscriberCount
    {
        get { lock (gate) { return subscribers.Count; } }
    }

    /// <summary>Queues the alert for every subscriber; never blocks.</summary>
    public void Publish(AlertView alert)
    {
        Channel<AlertView>[] now;
        lock (gate)
        {
            now = subscribers.ToArray();
        }
        foreach (var c in now)
        {
            c.Writer.TryWrite(alert);
        }
    }

    /// <summary>A new subscription; dispose it to stop receiving.</summary>
    public Subscription Subscribe(int capacity = Capacity)
    {
        var channel = Channel.CreateBounded<AlertView>(new BoundedChannelOptions(capacity)
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

    private void Remove(Channel<AlertView> channel)
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
        private readonly Channel<AlertView> channel;

        internal Subscription(AlertFeed feed, Channel<AlertView> channel)
        {
            this.feed = feed;
            this.channel = channel;
        }

        public ChannelReader<AlertView> Reader => channel.Reader;

        public void Dispose() => feed.Remove(channel);
    }
}
