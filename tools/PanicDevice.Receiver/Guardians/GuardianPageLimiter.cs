using System.Collections.Concurrent;

namespace PanicDevice.Receiver.Guardians;

/// <summary>
/// Per client address: at most <see cref="RequestsPerMinute"/> requests a minute (the page polls every 5 s), and after
/// <see cref="FailuresAllowed"/> refused links in <see cref="FailureWindow"/> nothing more until that window ends, so tokens
/// cannot be tried at any useful rate (80 bits: guessing is hopeless anyway, and this keeps the attempt cheap to refuse).
/// </summary>
internal sealed class GuardianPageLimiter(TimeProvider time)
{
    public const int RequestsPerMinute = 60;
    public const int FailuresAllowed = 10;
    public static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(10);

    private sealed class Client
    {
        public DateTimeOffset MinuteStart;
        public int Requests;
        public DateTimeOffset FailureStart;
        public int Failures;
    }

    private readonly ConcurrentDictionary<string, Client> clients = new();

    /// <summary>False when this address must wait.</summary>
    public bool TryAcquire(string address)
    {
        DateTimeOffset now = time.GetUtcNow();
        Client c = clients.GetOrAdd(address, _ => new Client { MinuteStart = now, FailureStart = now });
        lock (c)
        {
            if (now - c.FailureStart >= FailureWindow)
            {
                c.FailureStart = now;
                c.Failures = 0;
            }
            if (c.Failures >= FailuresAllowed)
            {
                return false;
            }
            if (now - c.MinuteStart >= TimeSpan.FromMinutes(1))
            {
                c.MinuteStart = now;
                c.Requests = 0;
            }
            return ++c.Requests <= RequestsPerMinute;
        }
    }

    /// <summary>The link this address asked for was refused.</summary>
    public void Failed(string address)
    {
        if (clients.TryGetValue(address, out Client? c))
        {
            lock (c)
            {
                c.Failures++;
            }
        }
        // Old entries are dropped when the map grows: a flood of addresses cannot grow it without bound.
        if (clients.Count > 100_000)
        {
            DateTimeOffset cutoff = time.GetUtcNow() - FailureWindow;
            foreach (var (key, value) in clients)
            {
                if (value.FailureStart < cutoff && value.MinuteStart < cutoff)
                {
                    clients.TryRemove(key, out _);
                }
            }
        }
    }
}
