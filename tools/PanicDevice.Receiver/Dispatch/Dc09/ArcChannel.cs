using System.Globalization;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Receiver.Dispatch.Dc09;

/// <summary>Where a device reports at an ARC: its site's account, partition and its zone.</summary>
internal sealed record ArcSeat(Dc09Account Account, int Partition, int Zone);

/// <summary>
/// Sends the queue's events to one alarm receiving centre over DC-09, as Contact ID (docs/arc.md has the table). A
/// device without an account at this ARC, or an event that is nothing to an ARC (a follow-up position), passes. An
/// event that is several messages (an alarm and a battery-low edge) resumes after the last one acknowledged when it
/// is tried again. A NAK or DUH is a failure like silence: the alarm is never dropped; it is retried with backoff
/// and operators are told once it has lasted a minute. While nothing is due, every account gets a NULL link test each
/// <see cref="ArcOptions.LinkTestSeconds"/>.
/// </summary>
internal sealed class ArcChannel : IDispatchChannel, IAsyncDisposable
{
    private readonly string name;
    private readonly Dc09Link link;
    private readonly IReadOnlyDictionary<string, ArcSeat> seats;
    private readonly TimeProvider time;
    private readonly TimeSpan linkTestEvery;
    private static readonly TimeSpan RetestAfterFailure = TimeSpan.FromSeconds(10);

    // When the next link test is due: an ACK of any message proves the line, so each pushes it back.
    private DateTimeOffset nextTest;

    // The event being sent and how many of its messages the ARC has acknowledged.
    private long partlySent = -1;
    private int partlyAcked;

    public ArcChannel(string name, Dc09Link link, IReadOnlyDictionary<string, ArcSeat> seats, TimeProvider time, TimeSpan linkTestEvery)
    {
        this.name = name;
        this.link = link;
        this.seats = seats;
        this.time = time;
        this.linkTestEvery = linkTestEvery;
        nextTest = time.GetUtcNow() + linkTestEvery;
    }

    /// <summary>Builds the channel from configuration; the caller has checked it (<see cref="ArcConfiguration"/>).</summary>
    public static ArcChannel From(ArcOptions o, Func<string, string> readFile, TimeProvider time)
    {
        var seats = new Dictionary<string, ArcSeat>(StringComparer.Ordinal);
        foreach (ArcAccountOptions a in o.Accounts)
        {
            var account = new Dc09Account(a.Account, o.LinePrefix, o.Receiver, ArcConfiguration.KeyOf(a, readFile));
            foreach (var (device, zone) in a.Zones)
            {
                seats[device] = new ArcSeat(account, a.Partition, zone);
            }
        }
        return new ArcChannel(o.Name, new Dc09Link(o.Host, o.Port, time, TimeSpan.FromSeconds(o.ReplyTimeoutSeconds)), seats, time,
            TimeSpan.FromSeconds(o.LinkTestSeconds));
    }

    public string Key => RouteNames.Arc(name);

    public string RouteName => RouteNames.Arc(name);

    public string Label => "ARC " + name + " (" + link.Address + ")";

    public int RecordEvery => 1;

    public string TimelineEvent => "sent-arc";

    /// <summary>The Contact ID messages an event is at this ARC, in order: the event itself, then the flag edges (mains, battery, tamper).</summary>
    public IReadOnlyList<ContactIdEvent> EventsFor(QueuedEvent e)
    {
        if (!seats.TryGetValue(e.DeviceId, out ArcSeat? seat))
        {
            return Array.Empty<ContactIdEvent>();
        }
        var events = new List<ContactIdEvent>();
        if (e.Type == QueuedEvent.Escalation)
        {
            return events; // the ARC had the alarm; whether our operators acknowledged it is not an event of its panel
        }
        if (e.IsSupervision)
        {
            // Silent, or heard again: the frame it rides on is only the device's last one, already sent.
            events.Add(ContactIdMapping.ForSupervision(Supervision.SupervisionMonitor.DeviceSilent, e.Type == QueuedEvent.SilentRaised, seat.Partition, seat.Zone)!.Value);
            return events;
        }
        if (ContactIdMapping.ForFrame(e.Kind, e.Code, seat.Partition, seat.Zone) is { } own)
        {
            events.Add(own);
        }
        // An operator's forward sends the alarm; the power and enclosure edges of that frame were the device's news, not the operator's.
        if (e.PreviousFlags is { } before && e.ForwardedTo == null)
        {
            events.AddRange(ContactIdMapping.ForFlagChange(before, e.Flags, e.DeviceKind, seat.Partition, seat.Zone));
        }
        return events;
    }

    public bool Takes(string deviceId) => seats.ContainsKey(deviceId);

    public async Task<DispatchAttempt> SendAsync(QueuedEvent e, CancellationToken cancel)
    {
        if (!seats.TryGetValue(e.DeviceId, out ArcSeat? seat))
        {
            return new DispatchAttempt(DispatchResult.NothingToSend, "no account at this ARC");
        }
        IReadOnlyList<ContactIdEvent> events = EventsFor(e);
        if (events.Count == 0)
        {
            return new DispatchAttempt(DispatchResult.NothingToSend, "nothing for an ARC");
        }
        if (partlySent != e.Id)
        {
            partlySent = e.Id;
            partlyAcked = 0;
        }
        IReadOnlyList<string> location = Location(e);
        var sequences = new List<string>();
        for (int i = partlyAcked; i < events.Count; i++)
        {
            Dc09Outcome outcome = await link.SendAsync(seat.Account, Dc09Frame.ContactId, events[i].Data(seat.Account.Account), location, cancel);
            if (outcome.Result != Dc09Result.Acked)
            {
                return new DispatchAttempt(DispatchResult.Failed, (outcome.Result == Dc09Result.Refused ? "refused: " : "") + outcome.Detail);
            }
            nextTest = time.GetUtcNow() + linkTestEvery;
            partlyAcked = i + 1;
            sequences.Add("E" + events[i].Code.ToString("D3", CultureInfo.InvariantCulture) + " ACK " + outcome.Sequence.ToString("D4", CultureInfo.InvariantCulture));
        }
        partlySent = -1;
        return new DispatchAttempt(DispatchResult.Delivered, string.Join(", ", sequences));
    }

    /// <summary>
    /// DC-09's location extension: [X longitude] and [Y latitude] in decimal degrees (up to 12 characters each, the
    /// lengths pysiaalarm's xdata table gives), from the fix, or a wall unit's address position; none when unknown.
    /// </summary>
    public static IReadOnlyList<string> Location(QueuedEvent e)
    {
        (int Lat, int Lon)? at = e.PositionKnown ? (e.LatE7, e.LonE7) : e.SiteLatE7 is { } lat && e.SiteLonE7 is { } lon ? (lat, lon) : null;
        return at == null
            ? Array.Empty<string>()
            : new[] { "X" + (at.Value.Lon / 1e7).ToString("0.######", CultureInfo.InvariantCulture), "Y" + (at.Value.Lat / 1e7).ToString("0.######", CultureInfo.InvariantCulture) };
    }

    public async Task<LinkTest> SuperviseAsync(CancellationToken cancel)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (linkTestEvery <= TimeSpan.Zero || now < nextTest)
        {
            return LinkTest.NotDue;
        }
        foreach (Dc09Account account in seats.Values.Select(s => s.Account).Distinct())
        {
            Dc09Outcome outcome = await link.TestAsync(account, cancel);
            if (outcome.Result != Dc09Result.Acked)
            {
                // A dead line is tested again soon, not every round.
                nextTest = time.GetUtcNow() + (linkTestEvery < RetestAfterFailure ? linkTestEvery : RetestAfterFailure);
                return new LinkTest(true, "#" + account.Account + ": " + outcome.Detail);
            }
        }
        nextTest = time.GetUtcNow() + linkTestEvery;
        return new LinkTest(true, null);
    }

    public ValueTask DisposeAsync() => link.DisposeAsync();
}
