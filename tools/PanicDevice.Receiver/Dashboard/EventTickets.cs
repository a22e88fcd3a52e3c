using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace PanicDevice.Receiver.Dashboard;

/// <summary>
/// One-time tickets for the event stream: EventSource cannot send an Authorization header, and the
/// operator token never goes into a URL. An operator-authenticated POST gets a random ticket that is
/// good for one GET within <see cref="Lifetime"/>; it is worthless after that.
/// </summary>
internal sealed class EventTickets
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, DateTimeOffset> open = new(StringComparer.Ordinal);
    private readonly TimeProvider time;

    public EventTickets(TimeProvider time) => this.time = time;

    public string Issue()
    {
        DateTimeOffset now = time.GetUtcNow();
        foreach (var (t, expires) in open)
        {
            if (expires <= now)
            {
                open.TryRemove(t, out _);
            }
        }
        string ticket = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        open[ticket] = now + Lifetime;
        return ticket;
    }

    /// <summary>True once for a ticket issued less than <see cref="Lifetime"/> ago; false afterwards and for anything else.</summary>
    public bool Consume(string? ticket) =>
        !string.IsNullOrEmpty(ticket) && open.TryRemove(ticket, out DateTimeOffset expires) && time.GetUtcNow() < expires;
}
