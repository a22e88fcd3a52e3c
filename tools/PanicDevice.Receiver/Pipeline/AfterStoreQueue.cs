using System.Threading.Channels;

namespace PanicDevice.Receiver.Pipeline;

/// <summary>
/// What follows a stored frame but is no part of storing it — the dashboard's feed and the alert log, each a few
/// store reads — runs here, on one background consumer in the order the frames were stored, and not on the path
/// to the device's ack. On that path it held every ack behind those reads on a busy thread pool: the surge bench
/// (10,000 devices) measured the difference (docs/benchmarks.md, "surge"). A handler's failure is its own; the
/// frame is stored and acknowledged regardless, and a dashboard reloads its list on reconnect.
/// </summary>
internal sealed class AfterStoreQueue : IAsyncDisposable
{
    private readonly Channel<Action> work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task consumer;

    public AfterStoreQueue() => consumer = Task.Run(ConsumeAsync);

    /// <summary>Work queued and not yet done.</summary>
    public int Backlog => work.Reader.Count;

    /// <summary><paramref name="handler"/>, run later on the queue instead of by the caller.</summary>
    public Action<T> Later<T>(Action<T> handler) => x => work.Writer.TryWrite(() => handler(x));

    /// <summary><paramref name="handler"/>, run later on the queue instead of by the caller.</summary>
    public Action<T1, T2> Later<T1, T2>(Action<T1, T2> handler) => (a, b) => work.Writer.TryWrite(() => handler(a, b));

    private async Task ConsumeAsync()
    {
        await foreach (Action next in work.Reader.ReadAllAsync())
        {
            try
            {
                next();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Each handler logs or swallows its own failures; one that does not must not stop the rest.
            }
        }
    }

    /// <summary>Finishes what is queued (the receiver stopping), then ends.</summary>
    public async ValueTask DisposeAsync()
    {
        work.Writer.TryComplete();
        await consumer;
    }
}
